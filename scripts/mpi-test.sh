#!/bin/sh
# mpi-test - the MPI build writes, byte for byte, the folders the
# one-process build writes, for every command that runs on the executor:
#   batch        1, 2 and 3 ranks (1 and 2 threads per rank), and a batch
#                interrupted under 3 ranks and resumed under 2;
#   claim        1, 2 and 3 ranks, and a claim interrupted under 2 ranks and
#                resumed under 3;
#   sweep        1, 2 and 3 ranks, and a sweep interrupted under 3 ranks
#                and resumed under 2 (journal and a point's checkpoint);
#   calibrate    1, 2 and 3 ranks (every loss evaluation is a job whose
#                result every rank needs);
#   sensitivity  2 ranks;
#   infer        1, 2 and 3 ranks (every round is a job whose records every
#                rank's sampler needs), a model choice under 2 ranks, and an
#                inference interrupted under 3 ranks and resumed under 2.
# Builds both programs first.  Exits non-zero on any difference.  Small
# replication counts keep it under a minute or two on two cores.
#
# Usage: scripts/mpi-test.sh        (from anywhere; runs in the source tree)
set -eu
cd "$(dirname "$0")/.."

make --no-print-directory -s MPI=1
make --no-print-directory -s

tmp=$(mktemp -d "${TMPDIR:-/tmp}/alignsim-mpi-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
scen=tests/data/batch/small.cfg
reps=1500
mpirun="mpirun --oversubscribe --allow-run-as-root"
failed=0

# Compares the files $3... of folder $2 with the reference $1.
same() {
    ref=$1
    got=$2
    shift 2
    for f in "$@"; do
        if ! cmp "$ref/$f" "$got/$f"; then
            failed=1
        fi
    done
}

# Fails unless folder $1 holds only the files $2... (no checkpoint, journal
# or temporary file left).
only() {
    dir=$1
    shift
    extra=$(cd "$dir" && ls -A | while read -r f; do
        keep=0
        for want in "$@"; do [ "$f" = "$want" ] && keep=1; done
        [ $keep -eq 1 ] || echo "$f"
    done)
    if [ -n "$extra" ]; then
        echo "mpi-test: $dir has leftover files: $extra" >&2
        failed=1
    fi
}

# Runs an interrupted command (each rank stops after $1 blocks, as if
# Ctrl-C) under $2 ranks; it must exit 130.
interrupted() {
    blocks=$1
    np=$2
    shift 2
    status=0
    ALIGNSIM_TEST_STOP_AFTER_BLOCKS=$blocks $mpirun -x ALIGNSIM_TEST_STOP_AFTER_BLOCKS -np "$np" \
        build/mpi/alignsim "$@" 2>"$tmp/cut.err" || status=$?
    if [ "$status" -ne 130 ]; then
        echo "mpi-test: the interrupted MPI run ($*) exited $status (expected 130):" >&2
        cat "$tmp/cut.err" >&2
        failed=1
    fi
}

# ---- batch -----------------------------------------------------------------
bfiles="scenario.cfg summary.tsv replications.tsv milestones.tsv ladder.tsv"
build/alignsim batch "$scen" -n "$reps" -j 1 -o "$tmp/one" -q
for np in 1 2 3; do
    $mpirun -np $np build/mpi/alignsim batch "$scen" -n "$reps" -j $((np % 2 + 1)) -o "$tmp/np$np" -q
    same "$tmp/one" "$tmp/np$np" $bfiles
    only "$tmp/np$np" $bfiles
done
interrupted 2 3 batch "$scen" -n "$reps" -j 1 -o "$tmp/cut" -q
if [ ! -f "$tmp/cut/.batch.ckpt" ] || [ -e "$tmp/cut/summary.tsv" ]; then
    echo "mpi-test: the interrupted MPI batch left no checkpoint, or result files" >&2
    failed=1
fi
$mpirun -np 2 build/mpi/alignsim batch "$scen" -n "$reps" -j 2 -o "$tmp/cut" -q --resume
same "$tmp/one" "$tmp/cut" $bfiles
only "$tmp/cut" $bfiles

# ---- claim -----------------------------------------------------------------
cfiles="claim.tsv claim_curve.tsv verdict.txt summary.tsv conditions/reversal/replications.tsv"
claim="claim scenarios/historical.cfg -n 60 -q --set claim.strengths=[2.0,3.0]"
build/alignsim $claim -j 1 -o "$tmp/claim1" >/dev/null
for np in 1 2 3; do
    $mpirun -np $np build/mpi/alignsim $claim -j 1 -o "$tmp/claim_np$np" >/dev/null
    same "$tmp/claim1" "$tmp/claim_np$np" $cfiles
done
# Interrupted under 2 ranks, resumed under 3: the root decides which
# conditions are finished, and every rank follows it.
# (300 replications: 5 blocks per condition, so the stop lands inside one.)
long="claim scenarios/historical.cfg -n 300 -q --set claim.strengths=[2.0,3.0]"
build/alignsim $long -j 2 -o "$tmp/claim300" >/dev/null
interrupted 2 2 $long -j 1 -o "$tmp/claim_cut" >/dev/null
$mpirun -np 3 build/mpi/alignsim $long -j 1 -o "$tmp/claim_cut" --resume >/dev/null
same "$tmp/claim300" "$tmp/claim_cut" $cfiles

# ---- sweep -----------------------------------------------------------------
sfiles="sweep.tsv points/000/summary.tsv points/001/replications.tsv points/005/milestones.tsv"
sweep="sweep tests/data/study/sweep_grid.cfg -n 200 -q"
build/alignsim $sweep -j 1 -o "$tmp/sweep1"
for np in 1 2 3; do
    $mpirun -np $np build/mpi/alignsim $sweep -j 1 -o "$tmp/sweep_np$np"
    same "$tmp/sweep1" "$tmp/sweep_np$np" $sfiles
    only "$tmp/sweep_np$np" points scenario.cfg sweep.cfg sweep.tsv
done
interrupted 3 3 $sweep -j 1 -o "$tmp/sweep_cut"
$mpirun -np 2 build/mpi/alignsim $sweep -j 2 -o "$tmp/sweep_cut" --resume
same "$tmp/sweep1" "$tmp/sweep_cut" $sfiles
only "$tmp/sweep_cut" points scenario.cfg sweep.cfg sweep.tsv

# ---- calibrate -------------------------------------------------------------
kfiles="calibrated.cfg calibration.tsv fit.tsv"
build/alignsim calibrate tests/data/study/synth.cfg -j 1 -q -o "$tmp/cal1" >/dev/null
for np in 1 2 3; do
    $mpirun -np $np build/mpi/alignsim calibrate tests/data/study/synth.cfg -j 1 -q -o "$tmp/cal_np$np" >/dev/null
    same "$tmp/cal1" "$tmp/cal_np$np" $kfiles
    only "$tmp/cal_np$np" $kfiles scenario.cfg
done

# ---- sensitivity -----------------------------------------------------------
build/alignsim sensitivity tests/data/study/sweep_sobol.cfg -j 1 -q -o "$tmp/sens1" >/dev/null
$mpirun -np 2 build/mpi/alignsim sensitivity tests/data/study/sweep_sobol.cfg -j 1 -q -o "$tmp/sens2" >/dev/null
same "$tmp/sens1" "$tmp/sens2" sensitivity.tsv samples.tsv

# ---- infer -----------------------------------------------------------------
ifiles="posterior.tsv prior.tsv generations.tsv posterior.cfg"
infer="infer tests/data/study/infer_synth.cfg -q --set infer.particles=200 --set infer.max_generations=5"
build/alignsim $infer -j 1 -o "$tmp/inf1" >/dev/null
for np in 1 2 3; do
    $mpirun -np $np build/mpi/alignsim $infer -j 1 -o "$tmp/inf_np$np" >/dev/null
    same "$tmp/inf1" "$tmp/inf_np$np" $ifiles
    only "$tmp/inf_np$np" $ifiles scenario.cfg
done
# 40 blocks per rank: past the first rounds, so the journal holds some.
interrupted 40 3 $infer -j 1 -o "$tmp/inf_cut" >/dev/null
if [ ! -f "$tmp/inf_cut/.infer.journal" ]; then
    echo "mpi-test: the interrupted MPI inference left no journal" >&2
    failed=1
fi
$mpirun -np 2 build/mpi/alignsim $infer -j 2 -o "$tmp/inf_cut" --resume >/dev/null
same "$tmp/inf1" "$tmp/inf_cut" $ifiles
only "$tmp/inf_cut" $ifiles scenario.cfg
models="infer tests/data/study/infer_synth.cfg tests/data/study/infer_synth_far.cfg -q --set infer.particles=200 --set infer.max_generations=4"
build/alignsim $models -j 2 -o "$tmp/models1" >/dev/null
$mpirun -np 2 build/mpi/alignsim $models -j 1 -o "$tmp/models2" >/dev/null
same "$tmp/models1" "$tmp/models2" models.tsv generations.tsv infer_synth/posterior.tsv infer_synth_far/posterior.tsv

if [ "$failed" -ne 0 ]; then
    echo "mpi-test: FAILED: the MPI build wrote other bytes than the one-process build" >&2
    exit 1
fi
echo "mpi-test: ok: batch, claim, sweep, calibrate, infer (1, 2, 3 ranks), sensitivity and a model choice" \
    "(2 ranks) and resumed MPI batch, claim, sweep and infer match the one-process folders byte for byte"
