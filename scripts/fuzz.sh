#!/bin/sh
# Runs the scenario-loader fuzz target (tests/fuzz/fuzz_scenario.c) for a
# number of seconds and prints libFuzzer's final statistics.
#   usage: scripts/fuzz.sh FUZZER SECONDS
# Lays out build/fuzz/root (links to the test data, scenarios and configs,
# so that the seeds' @include, base and data paths resolve from the fuzz
# folder build/fuzz/root/a/s), seeds build/fuzz/corpus from scenarios/,
# configs/, tests/data/good/ and tests/data/bad/ (the corpus grows across
# runs and is never committed), and writes crashes as
# build/fuzz/crash-* / timeout-* / leak-* / oom-*.  Exit status: 0 no crash,
# 1 the fuzzer found one (turn it into a file in tests/data/bad/ with a
# case in tests/test_scenario.c), 2 usage.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 FUZZER SECONDS" >&2; exit 2; }
fuzzer=$1
seconds=$2
top=$(pwd)
root=build/fuzz/root
rm -rf "$root"
mkdir -p "$root/a/s" build/fuzz/corpus
# cp -rs makes real folders and links every file (absolute link targets).
cp -rs "$top/configs" "$root/configs"
cp -rs "$top/configs" "$root/a/configs"
cp -rs "$top/tests/data/good" "$root/a/good"
cp -rsn "$top/scenarios/." "$root/a/"
cp -rsn "$top/tests/data/bad/." "$root/a/s/"
cp -rsn "$top/tests/data/good/." "$root/a/s/"

for f in $(find scenarios configs tests/data/good tests/data/bad tests/fuzz/seeds -type f \
               \( -name '*.cfg' -o -name '*.inc' \)); do
    cp "$f" "build/fuzz/corpus/seed-$(echo "$f" | tr '/' '_')"
done

# Two jobs would halve the speed of each on the 2-core reference machine;
# one process, with a 10 s limit per input (a hang is a bug) and 2 GB.
ALIGNSIM_FUZZ_DIR="$root/a/s" "$fuzzer" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -dict=tests/fuzz/scenario.dict -print_final_stats=1 \
    -artifact_prefix=build/fuzz/ build/fuzz/corpus 2>build/fuzz/fuzz.log || status=$?
grep -E '^stat::|^(==[0-9]+==)?ERROR|^SUMMARY|Test unit written' build/fuzz/fuzz.log || true
tail -n 3 build/fuzz/fuzz.log
if [ "${status:-0}" -ne 0 ]; then
    echo "fuzz: the fuzzer stopped with status ${status}: see build/fuzz/fuzz.log and build/fuzz/crash-*" >&2
    exit 1
fi
echo "fuzz: no crash in ${seconds} s ($(grep -m1 '^stat::number_of_executed_units' build/fuzz/fuzz.log | awk '{print $2}') inputs)"
