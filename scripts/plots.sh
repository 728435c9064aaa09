#!/bin/sh
# plots.sh DIR - draws every plot that applies to the alignsim result
# folder DIR and prints the paths of the images written, one per line.
#
#   trajectory.tsv (alignsim run)    -> DIR/trajectory.png, .svg and
#                                       DIR/labelmap.png, .svg (every
#                                       dyad's label over time)
#   summary.tsv    (alignsim batch)  -> DIR/fan_DYAD.png, .svg for each of
#                                       china-russia, china-us, russia-us
#                                       that the summary has rows for,
#                                       DIR/fans.png, .svg (every dyad,
#                                       small) and DIR/labelmap.png, .svg
#                                       (without a trajectory.tsv)
#   claim_curve.tsv (alignsim claim) -> DIR/claim.png, .svg
#   compare.tsv   (alignsim compare) -> DIR/compare_DYAD.png, .svg for each
#                                       of those three dyads it has rows for
#   sensitivity.tsv (alignsim sensitivity) -> DIR/sensitivity.png, .svg
#   posterior.tsv and prior.tsv (alignsim infer) -> DIR/posterior.png, .svg
#                                       (marginals with the prior) and, with
#                                       two parameters or more,
#                                       DIR/posterior_pairs.png, .svg (a
#                                       model choice has them in each model's
#                                       folder: DIR/NAME)
#
# The gnuplot scripts live in analysis/ next to this scripts/ folder (in a
# source tree or in an installed share/alignsim).  Exit status: 0 all plots
# drawn; 1 nothing to plot, DIR missing, gnuplot missing or failing; 2 usage.
set -u

me=plots.sh
if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: scripts/plots.sh DIR   (a result folder, e.g. out/historical)" >&2
    exit 2
fi
dir=$1
# Keep "/" as it is; strip one trailing slash elsewhere for tidy paths.
[ "$dir" != "/" ] && dir=${dir%/}

here=$(cd "$(dirname "$0")/.." && pwd) || exit 1
gpdir=$here/analysis

if [ ! -d "$dir" ]; then
    echo "$me: $dir: no such folder" >&2
    exit 1
fi
case $dir in
*\'*)
    echo "$me: $dir: folder names with a single quote cannot be passed to gnuplot; rename or link the folder" >&2
    exit 1 ;;
esac
if ! command -v gnuplot >/dev/null 2>&1; then
    echo "$me: gnuplot is not installed (make deps-plots installs it)" >&2
    exit 1
fi

# has_dyad FILE DYAD: true if the table FILE has a row whose dyad column is
# DYAD.  Provenance lines (#) are skipped; the column is found by name.
has_dyad() {
    awk -F '\t' -v want="$2" '
        /^#/ || /^[ \t\r]*$/ { next }
        !col { for (i = 1; i <= NF; i++) if ($i == "dyad") col = i
               if (!col) exit 1
               next }
        $col == want { found = 1; exit }
        END { exit !found }' "$1"
}

drawn=0
# draw SCRIPT ASSIGNMENTS OUTPUT...: runs one gnuplot script and lists the
# files it wrote; on failure removes its temporary files and stops.
draw() {
    script=$1
    assign=$2
    shift 2
    if ! gnuplot -e "dir='$dir'; $assign" "$gpdir/$script"; then
        for out in "$@"; do
            rm -f "$dir/.$out.tmp"
        done
        echo "$me: gnuplot failed on analysis/$script for $dir (see the messages above)" >&2
        exit 1
    fi
    for out in "$@"; do
        if [ ! -s "$dir/$out" ]; then
            echo "$me: analysis/$script did not write $dir/$out" >&2
            exit 1
        fi
        echo "$dir/$out"
        drawn=$((drawn + 1))
    done
}

if [ -f "$dir/trajectory.tsv" ]; then
    draw trajectory.gp "" trajectory.png trajectory.svg
    draw labelmap.gp "" labelmap.png labelmap.svg
fi

if [ -f "$dir/summary.tsv" ]; then
    for d in china-russia china-us russia-us; do
        if has_dyad "$dir/summary.tsv" "$d"; then
            draw fan.gp "dyad='$d'" "fan_$d.png" "fan_$d.svg"
        fi
    done
    draw fans.gp "" fans.png fans.svg
    if [ ! -f "$dir/trajectory.tsv" ]; then
        draw labelmap.gp "" labelmap.png labelmap.svg
    fi
fi

if [ -f "$dir/claim_curve.tsv" ]; then
    draw claim.gp "" claim.png claim.svg
fi

if [ -f "$dir/compare.tsv" ]; then
    for d in china-russia china-us russia-us; do
        if has_dyad "$dir/compare.tsv" "$d"; then
            draw compare.gp "dyad='$d'" "compare_$d.png" "compare_$d.svg"
        fi
    done
fi

if [ -f "$dir/sensitivity.tsv" ]; then
    draw sensitivity.gp "" sensitivity.png sensitivity.svg
fi

if [ -f "$dir/posterior.tsv" ] && [ -f "$dir/prior.tsv" ]; then
    nparams=$(awk -F '\t' '/^#/ || /^[ \t\r]*$/ {next} {print NF - 2; exit}' "$dir/posterior.tsv")
    if [ "${nparams:-0}" -gt 1 ]; then
        draw posterior.gp "" posterior.png posterior.svg posterior_pairs.png posterior_pairs.svg
    else
        draw posterior.gp "" posterior.png posterior.svg
    fi
fi

if [ "$drawn" -eq 0 ]; then
    if [ -f "$dir/compare.tsv" ]; then
        echo "$me: $dir/compare.tsv has no rows for china-russia, china-us or russia-us; draw another dyad with: gnuplot -e \"dir='$dir'; dyad='A-B'\" $gpdir/compare.gp" >&2
    elif [ -f "$dir/summary.tsv" ]; then
        echo "$me: $dir/summary.tsv has no rows for china-russia, china-us or russia-us; draw another dyad with: gnuplot -e \"dir='$dir'; dyad='A-B'\" $gpdir/fan.gp" >&2
    else
        echo "$me: $dir: nothing to plot: expected trajectory.tsv (alignsim run), summary.tsv (alignsim batch), claim_curve.tsv (alignsim claim), compare.tsv (alignsim compare), sensitivity.tsv (alignsim sensitivity) or posterior.tsv (alignsim infer; a model choice has it in each model's folder)" >&2
    fi
    exit 1
fi
exit 0
