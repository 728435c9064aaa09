#!/bin/sh
# Prints every figure that docs/MODEL.md states about the model's results,
# each with the command that produced it, so that the document quotes runs,
# not recollections.  After a change that moves results, run it and copy
# the numbers into docs/MODEL.md (the places name this script).
#
# Usage: scripts/model-figures.sh [--fits] [ALIGNSIM]
#   ALIGNSIM  the program (default build/alignsim; make builds it)
#   --fits    also the calibrations of scenarios/calibrate/ and the Sobol
#             indices of scenarios/sweeps/sobol8.cfg (many minutes)
#
# Everything runs at the scenarios' own seeds into a temporary folder,
# removed at the end; -j 2 threads (results do not depend on it).
set -eu

fits=0
if [ "${1:-}" = "--fits" ]; then
    fits=1
    shift
fi
bin=${1:-build/alignsim}
reps=1000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# col FILE NAME: the index (1-based) of column NAME in the header of a TSV
# result file (the first line that is not a # comment).
col() {
    awk -F'\t' -v name="$2" '!/^#/ { for (i = 1; i <= NF; i++) if ($i == name) { print i; exit } exit 1 }' "$1"
}

echo "== replay statistics: $bin batch scenarios/historical.cfg -n $reps"
"$bin" batch scenarios/historical.cfg -n "$reps" -o "$tmp/hist" -q -j 2 >/dev/null
ms="$tmp/hist/milestones.tsv"
err=$(col "$ms" error_years)
w2=$(col "$ms" within2)
note=$(col "$ms" note)
dyad=$(col "$ms" dyad)
awk -F'\t' -v err="$err" -v w2="$w2" -v note="$note" -v dyad="$dyad" '
    /^#/ || !header++ { next }
    {
        n++
        if ($w2 >= 0.80) ok2++
        if ($err != "NA" && ($err <= 1.0 && $err >= -1.0)) ok1++
        if (lowest == "" || $w2 < lowest) { lowest = $w2; lnote = $note }
        printf "  %-14s %-62.62s median error %+6.2f years, within 2 years %.3f\n", $dyad, $note, $err, $w2
    }
    END {
        printf "  targets reached within 2 years in at least 80%% of replications: %d of %d (lowest share %.3f: %s)\n", ok2, n, lowest, lnote
        printf "  targets whose median date is within 1 year: %d of %d\n", ok1, n
    }' "$ms"

sum="$tmp/hist/summary.tsv"
year=$(col "$sum" year)
sdyad=$(col "$sum" dyad)
pall=$(col "$sum" p_alliance)
awk -F'\t' -v year="$year" -v dyad="$sdyad" -v p="$pall" -v reps="$reps" '
    /^#/ || !header++ { next }
    $year == 1950 && $dyad == "china-russia" {
        printf "  China-Russia alliance held at mid-1950: %d of %d replications\n", $p * reps + 0.5, reps
    }' "$sum"

rp="$tmp/hist/replications.tsv"
ay=$(col "$rp" alliance_year)
awk -F'\t' -v ay="$ay" '
    /^#/ || !header++ { next }
    { n++; if ($ay != "NA") a++ }
    END { printf "  China-Russia alliances after outcome.alliance_after (1981): %d of %d replications\n", a, n }' "$rp"

echo "== reversal strengths: $bin claim scenarios/historical.cfg -n $reps"
"$bin" claim scenarios/historical.cfg -n "$reps" -o "$tmp/claim" -q -j 2 >/dev/null
cc="$tmp/claim/claim_curve.tsv"
st=$(col "$cc" strength)
rv=$(col "$cc" reversals)
pa=$(col "$cc" p_alliance)
awk -F'\t' -v st="$st" -v rv="$rv" -v pa="$pa" '
    /^#/ || !header++ { next }
    { printf "  strength %-4s reversals %4d, P(alliance within the window) %.3f\n", $st, $rv, $pa
      if ($rv > 0 && (first == "" || $st + 0 < first + 0)) first = $st
      if ($rv == 0 && (last == "" || $st + 0 > last + 0)) last = $st }
    END { printf "  a reversal is detected from strength %s; never at %s or below\n", first, last }' "$cc"

if [ "$fits" = 1 ]; then
    for h in precursor opposite; do
        echo "== calibration: $bin calibrate scenarios/calibrate/$h.cfg"
        "$bin" calibrate "scenarios/calibrate/$h.cfg" -o "$tmp/cal_$h" -q -j 2 >/dev/null
        awk -F': ' '/^# initial_loss:/ { i = $2 } /^# fitted_loss:/ { f = $2 }
                    /^# rmse_in_window_years:/ { r = $2 }
                    END { printf "  loss at the defaults %.2f, fitted %.2f, RMS date error %.2f years\n", i, f, r }' \
            "$tmp/cal_$h/fit.tsv"
    done
    echo "== Sobol indices: $bin sensitivity scenarios/sweeps/sobol8.cfg"
    "$bin" sensitivity scenarios/sweeps/sobol8.cfg -o "$tmp/sobol" -q -j 2 >/dev/null
    grep -v '^#' "$tmp/sobol/sensitivity.tsv" | sed 's/^/  /'
fi
