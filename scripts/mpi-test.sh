#!/bin/sh
# mpi-test - the MPI build of `alignsim batch` writes, byte for byte, the
# folder the one-process build writes: for 2 and 3 ranks, with 1 and 2
# threads per rank, and after an interruption under 3 ranks resumed under 2.
# Builds both programs first.  Exits non-zero on any difference.
#
# Usage: scripts/mpi-test.sh        (from anywhere; runs in the source tree)
set -eu
cd "$(dirname "$0")/.."

make --no-print-directory -s MPI=1
make --no-print-directory -s

tmp=$(mktemp -d "${TMPDIR:-/tmp}/alignsim-mpi-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
scen=tests/data/batch/small.cfg
reps=3000
mpirun="mpirun --oversubscribe --allow-run-as-root"
files="scenario.cfg summary.tsv replications.tsv milestones.tsv ladder.tsv"
failed=0

# Compares folder $2 with the reference $1; counts a difference as a failure.
same() {
    for f in $files; do
        if ! cmp "$1/$f" "$2/$f"; then
            failed=1
        fi
    done
    extra=$(cd "$2" && ls -A | grep -v -x -e scenario.cfg -e summary.tsv -e replications.tsv \
        -e milestones.tsv -e ladder.tsv || true)
    if [ -n "$extra" ]; then
        echo "mpi-test: $2 has leftover files: $extra" >&2
        failed=1
    fi
}

build/alignsim batch "$scen" -n "$reps" -j 1 -o "$tmp/one" -q

$mpirun -np 2 build/mpi/alignsim batch "$scen" -n "$reps" -j 1 -o "$tmp/np2" -q
same "$tmp/one" "$tmp/np2"
$mpirun -np 3 build/mpi/alignsim batch "$scen" -n "$reps" -j 2 -o "$tmp/np3" -q
same "$tmp/one" "$tmp/np3"

# Interrupted under 3 ranks (each stops after 2 blocks, as if Ctrl-C), then
# resumed under 2 ranks with 2 threads each.
status=0
ALIGNSIM_TEST_STOP_AFTER_BLOCKS=2 $mpirun -x ALIGNSIM_TEST_STOP_AFTER_BLOCKS -np 3 \
    build/mpi/alignsim batch "$scen" -n "$reps" -j 1 -o "$tmp/cut" -q 2>"$tmp/cut.err" || status=$?
if [ "$status" -ne 130 ] || [ ! -f "$tmp/cut/.batch.ckpt" ] || [ -e "$tmp/cut/summary.tsv" ]; then
    echo "mpi-test: the interrupted MPI batch exited $status (expected 130 and a checkpoint):" >&2
    cat "$tmp/cut.err" >&2
    failed=1
fi
$mpirun -np 2 build/mpi/alignsim batch "$scen" -n "$reps" -j 2 -o "$tmp/cut" -q --resume
same "$tmp/one" "$tmp/cut"

if [ "$failed" -ne 0 ]; then
    echo "mpi-test: FAILED: the MPI build wrote other bytes than the one-process build" >&2
    exit 1
fi
echo "mpi-test: ok: 2 and 3 ranks, and a resumed MPI batch, match the one-process folder byte for byte"
