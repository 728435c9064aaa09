#!/bin/sh
# Prints every result that README.md quotes, each under the command that
# produced it, so that the README quotes runs, not recollections.  After a
# change that moves results, run it and copy the numbers into README.md
# (each quoted figure names this script).  The figures of docs/MODEL.md
# (and the calibrations and Sobol indices both documents quote) come from
# scripts/model-figures.sh [--fits].
#
# Usage: scripts/readme-figures.sh [ALIGNSIM]
#   ALIGNSIM  the program (default build/alignsim; make builds it)
#
# Everything runs at the scenarios' own seeds into a temporary folder,
# removed at the end; -j 2 (results do not depend on it).  A few minutes on
# two cores.
set -eu

bin=${1:-build/alignsim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# col FILE NAME: the index (1-based) of column NAME in the header of a TSV
# result file (the first line that is not a # comment).
col() {
    awk -F'\t' -v name="$2" '!/^#/ { for (i = 1; i <= NF; i++) if ($i == name) { print i; exit } exit 1 }' "$1"
}

echo "== the claim: $bin claim scenarios/historical.cfg -n 1000"
"$bin" claim scenarios/historical.cfg -n 1000 -o "$tmp/claim" -q -j 2 >/dev/null
sed 's/^/  /' "$tmp/claim/verdict.txt"

echo "== the claim under the illustrative posterior: $bin claim scenarios/historical.cfg --posterior scenarios/claim/rivals_posterior -n 1000"
"$bin" claim scenarios/historical.cfg --posterior scenarios/claim/rivals_posterior -n 1000 -o "$tmp/illustrative" -q -j 2 \
    >/dev/null
sed 's/^/  /' "$tmp/illustrative/verdict.txt"
for c in no_reversal strength_2; do
    rp="$tmp/illustrative/conditions/$c/replications.tsv"
    pc=$(col "$rp" particle)
    ay=$(col "$rp" alliance_year)
    awk -F'\t' -v pc="$pc" -v ay="$ay" -v c="$c" '
        /^#/ || !header++ { next }
        { n[$pc]++; if ($ay != "NA") a[$pc]++ }
        END { for (k in n) printf "  %s: particle %s allied in %d of %d replications\n", c, k, a[k], n[k] }' "$rp" | sort
done

echo "== the control that must fail: $bin claim scenarios/claim/control_no_doctrine.cfg -n 1000"
"$bin" claim scenarios/claim/control_no_doctrine.cfg -n 1000 -o "$tmp/control" -q -j 2 >/dev/null
sed 's/^/  /' "$tmp/control/verdict.txt"

echo "== rival hypotheses: batch scenarios/rivals/{opposite,precursor}.cfg, then compare"
"$bin" batch scenarios/rivals/opposite.cfg -o "$tmp/opposite" -q -j 2 >/dev/null
"$bin" batch scenarios/rivals/precursor.cfg -o "$tmp/precursor" -q -j 2 >/dev/null
"$bin" compare "$tmp/opposite" "$tmp/precursor" -o "$tmp/compare" -j 2 >"$tmp/out.txt"
sed "s|$tmp/||g; s/^/  /" "$tmp/out.txt"
for h in opposite precursor; do
    rp="$tmp/$h/replications.tsv"
    ay=$(col "$rp" alliance_year)
    awk -F'\t' -v ay="$ay" -v h="$h" '
        /^#/ || !header++ { next }
        { n++; if ($ay != "NA") a++ }
        END { printf "  %s: an alliance after 1981 in %d of %d replications\n", h, a, n }' "$rp"
done

echo "== doctrine and gate: $bin sweep scenarios/sweeps/doctrine_gate.cfg"
"$bin" sweep scenarios/sweeps/doctrine_gate.cfg -o "$tmp/sweep" -q -j 2 >/dev/null
sw="$tmp/sweep/sweep.tsv"
grep -v '^#' "$sw" | cut -f1- | sed 's/^/  /'

echo "== fit window: $bin calibrate scenarios/calibrate/opposite.cfg --set calibrate.fit_until=2001.6"
"$bin" calibrate scenarios/calibrate/opposite.cfg --set calibrate.fit_until=2001.6 -o "$tmp/window" -q -j 2 \
    >/dev/null
grep '^#' "$tmp/window/fit.tsv" | sed 's/^/  /'
grep -v '^#' "$tmp/window/fit.tsv" | sed 's/^/  /'

echo "== the posterior: $bin infer scenarios/historical.cfg (1,000 particles)"
"$bin" infer scenarios/historical.cfg -o "$tmp/posterior" -q -j 2 >"$tmp/out.txt"
sed "s|$tmp/||g; s/^/  /" "$tmp/out.txt"
echo "== the claim under it: $bin claim scenarios/historical.cfg --posterior DIR -n 1000"
"$bin" claim scenarios/historical.cfg --posterior "$tmp/posterior" -n 1000 -o "$tmp/claim_posterior" -q -j 2 \
    >/dev/null
sed "s|$tmp/||g; s/^/  /" "$tmp/claim_posterior/verdict.txt"

echo "== the rival hypotheses: $bin infer scenarios/rivals/opposite.cfg scenarios/rivals/precursor.cfg"
"$bin" infer scenarios/rivals/opposite.cfg scenarios/rivals/precursor.cfg -o "$tmp/models" -q -j 2 >"$tmp/out.txt"
sed "s|$tmp/||g; s/^/  /" "$tmp/out.txt"
awk -F'\t' '!/^#/' "$tmp/models/models.tsv" | cut -f1,3-8 | sed 's/^/  /'

echo "== out of sample: $bin infer scenarios/historical.cfg --fit-until 2001.6"
"$bin" infer scenarios/historical.cfg --fit-until 2001.6 -o "$tmp/predictive" -q -j 2 >"$tmp/out.txt"
sed "s|$tmp/||g; s/^/  /" "$tmp/out.txt"
awk -F'\t' '!/^#/' "$tmp/predictive/predictive.tsv" | cut -f1-9 | sed 's/^/  /'
