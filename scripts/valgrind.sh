#!/bin/sh
# Runs alignsim's test programs under valgrind memcheck, then a few commands
# of the program itself (the test programs run it natively), and fails on
# any memory error or definite/indirect leak.
#   usage: scripts/valgrind.sh BUILD [SKIPPED_TEST...]
# BUILD is the build folder (build): its tests/test_* and alignsim are used.
# Suppressions: tests/valgrind.supp (one libconfig 1.5 leak, documented
# there).  Exit status 0 clean, 1 errors or leaks, 2 usage.
set -u
[ $# -ge 1 ] || { echo "usage: $0 BUILD [SKIPPED_TEST...]" >&2; exit 2; }
build=$1
shift
skip=" $* "
vg="valgrind -q --leak-check=full --error-exitcode=1 --errors-for-leak-kinds=definite,indirect
    --child-silent-after-fork=yes --suppressions=tests/valgrind.supp"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/alignsim-vg-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failed=""
ran=0

run() { # name, command...
    name=$1
    shift
    start=$(date +%s)
    if ALIGNSIM_BIN="$build/alignsim" ALIGNSIM_BUILD="$build" $vg "$@" >"$tmp/log" 2>&1; then
        echo "  ok    $name ($(( $(date +%s) - start )) s)"
    else
        echo "  FAIL  $name: valgrind or the program reported errors:"
        grep -E '^==[0-9]+==|FAILED|ERROR' "$tmp/log" | head -n 40
        failed="$failed $name"
    fi
    ran=$((ran + 1))
}

for t in "$build"/tests/test_*; do
    name=$(basename "$t")
    case "$skip" in *" $name "*) echo "  skip  $name (slow; see VALGRIND_SKIP)"; continue ;; esac
    run "$name" "$t"
done

# The program: a run, a short batch on two threads, the report of both, a
# check of a good file and of a bad one (every bad file is loaded in-process by test_scenario).
bin="$build/alignsim"
run "alignsim run" "$bin" run tests/data/run/small.cfg -o "$tmp/run" -q
run "alignsim batch" "$bin" batch tests/data/run/small.cfg -n 20 -j 2 -o "$tmp/batch" -q
run "alignsim check" "$bin" check scenarios/historical.cfg
run "alignsim infer" "$bin" infer tests/data/study/infer_synth.cfg tests/data/study/infer_synth_far.cfg -j 2 \
    --set infer.particles=60 --set infer.max_generations=3 --fit-until 1994 -o "$tmp/infer" -q
# The seminar report of those two folders (gnuplot runs natively).
run "alignsim report" "$bin" report "$tmp/run" "$tmp/batch" -o "$tmp/report.html" -q
# A bad file exits 2; valgrind's own errors are told apart by status 99.
if $vg --error-exitcode=99 "$bin" check tests/data/bad/quoted_key.cfg >"$tmp/log" 2>&1 || [ $? -ne 99 ]; then
    echo "  ok    alignsim check (bad file)"
else
    echo "  FAIL  alignsim check (bad file):"
    grep -E '^==[0-9]+==' "$tmp/log" | head -n 40
    failed="$failed check-bad"
fi
ran=$((ran + 1))

if [ -n "$failed" ]; then
    echo "valgrind: errors or leaks in:$failed"
    exit 1
fi
echo "valgrind: $ran programs and commands clean (no errors, no definite or indirect leaks)"
