# claim.gp - the claim test at a glance: the probability that China and
# Russia ally within the window after a fundamental reversal, against the
# reversal's strength, with its exact 95% band; the one-half line and the
# claim's bound; the strength at which P passes one half, with the bracket
# of strengths around it; and, at strength 0, the probability of an
# alliance by the horizon without a reversal against its own bound.
#
#   gnuplot -e "dir='out/historical-claim'" analysis/claim.gp
#
# Reads   DIR/claim_curve.tsv  columns strength, p_alliance, ci_lo, ci_hi;
#                              provenance scenario, replications, window_years,
#                              bound_reversal, half_strength(_lo, _hi)
#         DIR/claim.tsv        the row condition = no_reversal (optional)
# Writes  OUTDIR/claim.png (1200x700) and OUTDIR/claim.svg (OUTDIR = DIR
#         unless outdir is set; formats='svg' writes the SVG only: see
#         common.gp).
#
# Columns are found by name; '#' provenance lines are skipped; NA is a
# missing value.  Each image is drawn under a temporary name and renamed
# only when complete.  Exit status: 0 done, 1 missing or unusable data,
# 2 usage.

if (!exists("dir")) {
    print "claim.gp: usage: gnuplot -e \"dir='out/historical-claim'\" analysis/claim.gp"
    exit status 2
}

gpdir = system(sprintf("dirname '%s'", ARG0))
load gpdir."/common.gp"
num(s) = (strlen(s) == 0 || s eq "NA") ? NaN : real(s)

curve = dir."/claim_curve.tsv"
if (!readable(curve)) {
    print sprintf("claim.gp: %s: cannot read the file (does DIR hold the output of 'alignsim claim'?)", curve)
    exit status 1
}

set table $C
plot curve using (column("strength")):(column("p_alliance")):(column("ci_lo")):(column("ci_hi")) with table
unset table
if (|$C| == 0) {
    print sprintf("claim.gp: %s: no rows with complete numbers", curve)
    exit status 1
}
stats $C using 1 nooutput
s_max = STATS_max

scenario = provenance(curve, "scenario")
reps = provenance(curve, "replications")
window = provenance(curve, "window_years")
bound_rev = num(provenance(curve, "bound_reversal"))
bound_no = num(provenance(curve, "bound_no_reversal"))
half = num(provenance(curve, "half_strength"))
half_lo = num(provenance(curve, "half_strength_lo"))
half_hi = num(provenance(curve, "half_strength_hi"))
third = provenance(curve, "third_power")
targets = provenance(curve, "targets")
# "china russia" -> "china and russia"; "a b c" -> "a, b and c".
tlist = ""
nt = words(targets)
do for [i = 1:nt] {
    tlist = tlist.(i == 1 ? "" : (i == nt ? " and " : ", ")).word(targets, i)
}
if (strlen(window) == 0) window = "?"

# The no-reversal condition, drawn at strength 0.
NR_P = NaN
NR_LO = NaN
NR_HI = NaN
claimf = dir."/claim.tsv"
if (readable(claimf)) {
    stats claimf using ((strcol("condition") eq "no_reversal") ? \
        (NR_P = column("p_alliance"), NR_LO = column("ci_lo"), NR_HI = column("ci_hi"), 0) : 0) nooutput
}

c_band = "#27408b"
c_line = "#111111"
c_half = "#b22222"
c_bound = "#1a7f37"

set title sprintf("P(alliance within %s years of a reversal) against its strength\nscenario %s, %s replications per strength%s", \
                  window, strlen(scenario) ? scenario : dir, strlen(reps) ? reps : "?", \
                  strlen(third) ? sprintf(", reversal: %s confronts %s", third, tlist) : "") font ",13" noenhanced
set xlabel "strength of the reversal (event magnitude; 0 = no reversal)" font ",11"
set ylabel "P(alliance)" font ",11"
set xrange [-0.25:s_max + 0.25]
set yrange [-0.02:1.02]
set ytics 0, 0.1, 1 format "%.1f" nomirror out
set xtics nomirror out
set grid xtics ytics lc rgb "#cccccc" lw 0.5 dt 3
set key top left reverse Left font ",10" samplen 2.5 spacing 1.1 noenhanced box opaque

# The bracket of strengths around the crossing, shaded.
if (!isnan(half_lo) && !isnan(half_hi)) {
    set object 1 rectangle from first half_lo, graph 0 to first half_hi, graph 1 behind \
        fillcolor rgb "#f3d9d9" fillstyle solid 1.0 noborder
}
if (!isnan(half)) {
    set arrow 1 from first half, graph 0 to first half, graph 1 nohead lw 1.5 dt 2 lc rgb c_half
    set label 1 sprintf("P = 1/2 at strength %.3g", half) at first half, graph 0.06 offset 1, 0 \
        textcolor rgb c_half font ",10"
    if (!isnan(half_lo) && !isnan(half_hi)) {
        set label 2 sprintf("95%%: %.3g to %.3g", half_lo, half_hi) at first half, graph 0.02 offset 1, 0 \
            textcolor rgb c_half font ",10"
    }
}

# The no-reversal point with its interval and bound, as a separate plot
# element only when it is known (gnuplot warns on empty elements).
nr_plot = ""
if (!isnan(NR_P)) {
    set print $NR
    print sprintf("0\t%.10g\t%.10g\t%.10g", NR_P, NR_LO, NR_HI)
    set print
    nr_plot = ", $NR using 1:2:3:4 with yerrorbars pt 5 ps 1.4 lw 1.5 lc rgb '#8b4513' title 'no reversal: P(alliance by the horizon), 95%'"
    if (!isnan(bound_no)) {
        nr_plot = nr_plot.sprintf(", '+' using (0):(%.10g):(0.18):(0) with vectors nohead lw 2 lc rgb '#8b4513' dt 1 title sprintf('bound without reversal (< %.3g)', %.10g)", bound_no, bound_no, bound_no)
    }
}
bound_plot = ""
if (!isnan(bound_rev) && bound_rev != 0.5) {
    bound_plot = sprintf(", %.10g with lines lw 1.5 dt 4 lc rgb c_bound title sprintf('bound with reversal (> %.3g)', %.10g)", bound_rev, bound_rev, bound_rev)
}

set samples 2

do for [ext in formats] {
    tmp = tmp_name("claim", ext)
    eval "set terminal ".terminal(ext, 1200, 700)
    set output tmp
    plot $C using 1:3:4 with filledcurves fillstyle transparent solid 0.30 noborder lc rgb c_band title "95% exact interval", \
         $C using 1:2 with linespoints lw 2.5 pt 7 ps 1.1 lc rgb c_line title "P(alliance within the window), reversal", \
         0.5 with lines lw 1.5 dt 2 lc rgb "#555555" title "one half" @bound_plot @nr_plot
    unset output
    if (publish(tmp, final_name("claim", ext)) ne "ok") { exit status 1 }
}
