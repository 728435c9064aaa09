#!/bin/sh
# bench-compare - the hold, replay and batch benchmarks of this tree and of
# an earlier commit, measured side by side in one run.
#
# Builds COMMIT (default: the merge base of HEAD and main) into a
# temporary git worktree, builds both trees' bench programs, then runs
# bench_hold, bench_replay and bench_batch of the two builds interleaved
# (base, this tree, base, this tree, ...) ROUNDS times (default 5), so that
# a load change on a shared machine hits both alike.  Prints, per case, the
# median rate of each build and the ratio (this tree / base; above 1 is
# faster), and the spread (min-max) of each; then, per program, the median
# CPU time (user + system, /usr/bin/time) of the whole run and the ratio
# base / this tree (above 1: this tree needs less CPU for the same work),
# which other jobs on a shared machine disturb far less than wall time.
# With INSTRUCTIONS=1 it also counts, under valgrind's callgrind, the
# instructions each build executes for bench_replay and for a 300-replication
# historical batch on one thread: a measure no other job disturbs at all.
#
# Usage: scripts/bench-compare.sh [COMMIT]      ROUNDS=N to change the rounds
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
base=${1:-$(git merge-base HEAD main)}
rounds=${ROUNDS:-5}
benches="bench_hold bench_replay bench_batch"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/alignsim-bench-XXXXXX")
cleanup() {
    git -C "$top" worktree remove --force "$tmp/base" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

echo "bench-compare: base $(git rev-parse --short "$base"), this tree $(git rev-parse --short HEAD)" \
     "$(git diff --quiet HEAD -- sim bench Makefile 2>/dev/null || echo '(with uncommitted changes)')"
git worktree add --detach "$tmp/base" "$base" >/dev/null 2>&1
targets=""
for b in $benches; do targets="$targets build/bench/$b"; done
make --no-print-directory -s -C "$tmp/base" -j2 $targets build/alignsim >/dev/null
make --no-print-directory -s -j2 $targets build/alignsim >/dev/null

# Rates, one line per case: "NAME RATE" (events/s or replications/s).
rates() {
    awk '
        $1 == "bench" {
            name = $2; rate = ""
            for (i = 3; i <= NF; i++) {
                split($i, kv, "=")
                if (kv[1] == "n" || kv[1] == "threads") name = name "_" kv[1] kv[2]
                if (kv[1] == "events_per_s" || kv[1] == "reps_per_s") rate = kv[2]
            }
            if (rate != "") print name, rate
        }'
}

for r in $(seq 1 "$rounds"); do
    for which in base this; do
        dir=$top
        [ "$which" = base ] && dir=$tmp/base
        for b in $benches; do
            (cd "$dir" && ALIGNSIM_BIN="$dir/build/alignsim" /usr/bin/time -f "cpu %U %S" -o "$tmp/cpu" \
                "build/bench/$b") | rates | sed "s/^/$which /" >>"$tmp/results"
            awk -v w="$which" -v b="$b" '$1 == "cpu" {print w, b, $2 + $3}' "$tmp/cpu" >>"$tmp/cpu_results"
        done
    done
    echo "bench-compare: round $r of $rounds done" >&2
done

# Medians and spreads per case and build, then the ratio.
printf '%-24s %14s %14s %7s   %s\n' case base this ratio "spread base | this"
for c in $(awk '{print $2}' "$tmp/results" | sort -u); do
    line=""
    for which in base this; do
        vals=$(awk -v w="$which" -v c="$c" '$1 == w && $2 == c {print $3}' "$tmp/results" | sort -g)
        n=$(echo "$vals" | wc -l)
        med=$(echo "$vals" | awk -v n="$n" '{v[NR] = $1} END {print (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2}')
        lo=$(echo "$vals" | head -1)
        hi=$(echo "$vals" | tail -1)
        line="$line $med $lo $hi"
    done
    set -- $line
    awk -v c="$c" -v mb="$1" -v lb="$2" -v hb="$3" -v mt="$4" -v lt="$5" -v ht="$6" 'BEGIN {
        printf "%-24s %14.0f %14.0f %7.3f   %.0f-%.0f | %.0f-%.0f\n", c, mb, mt, mt / mb, lb, hb, lt, ht }'
done

# The CPU time of each whole program.
printf '\n%-24s %14s %14s %7s\n' program "base cpu s" "this cpu s" "base/this"
for b in $benches; do
    line=""
    for which in base this; do
        med=$(awk -v w="$which" -v b="$b" '$1 == w && $2 == b {print $3}' "$tmp/cpu_results" | sort -g |
            awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
        line="$line $med"
    done
    set -- $line
    awk -v b="$b" -v cb="$1" -v ct="$2" 'BEGIN { printf "%-24s %14.2f %14.2f %7.3f\n", b, cb, ct, cb / ct }'
done

# Instructions executed (callgrind), when asked.
if [ "${INSTRUCTIONS:-0}" = 1 ]; then
    printf '\n%-24s %16s %16s %7s\n' "program (instructions)" base this "this/base"
    for what in replay batch300; do
        line=""
        for which in base this; do
            dir=$top
            [ "$which" = base ] && dir=$tmp/base
            if [ "$what" = replay ]; then
                set -- build/bench/bench_replay
            else
                set -- build/alignsim batch scenarios/historical.cfg -n 300 -j 1 -o "$tmp/cg_$which" -q
            fi
            (cd "$dir" && valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" >/dev/null 2>"$tmp/cg.err")
            ir=$(sed -n 's/.*I *refs: *//p' "$tmp/cg.err" | tr -d ,)
            line="$line $ir"
        done
        set -- $line
        awk -v w="$what" -v b="$1" -v t="$2" 'BEGIN { printf "%-24s %16.0f %16.0f %7.4f\n", w, b, t, t / b }'
    done
fi
