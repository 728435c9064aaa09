# fan.gp - a batch of replications for one dyad: the spread of alignment x
# over time (5-95% band of the replications), the mean with its 95%
# confidence interval, the median, and the probability of an alliance on a
# second axis, over the label ladder bands with the milestones as marks.
#
#   gnuplot -e "dir='out/historical'" analysis/fan.gp
#   gnuplot -e "dir='out/historical'; dyad='china-us'" analysis/fan.gp
#
# Reads   DIR/summary.tsv      columns year, dyad, mean, ci_lo, ci_hi, q05,
#                              q50, q95, p_alliance (others ignored)
#         DIR/ladder.tsv       label, label_name, x_min (optional; the
#                              default ladder is used when it is absent)
#         DIR/milestones.tsv   dyad, target_year, target_label, sim_year
#                              (optional; sim_year NA = never reached,
#                              unless error_years is known: a window target that held)
# Writes  OUTDIR/fan_DYAD.png (1200x700) and OUTDIR/fan_DYAD.svg (OUTDIR =
#         DIR unless outdir is set; formats='svg' writes the SVG only: see
#         common.gp).
#
# Columns are found by name, so their order does not matter; '#' provenance
# lines are skipped; NA is a missing value.  Each image is drawn under a
# temporary name and renamed only when complete.  The ladder comes from
# ladder.gp, as in trajectory.gp.  Exit status: 0 done, 1 missing or
# unusable data, 2 usage.

if (!exists("dir")) {
    print "fan.gp: usage: gnuplot -e \"dir='out/historical'\" [-e \"dyad='china-russia'\"] analysis/fan.gp"
    exit status 2
}
if (!exists("dyad")) dyad = "china-russia"

gpdir = system(sprintf("dirname '%s'", ARG0))
load gpdir."/common.gp"

summary = dir."/summary.tsv"
if (!readable(summary)) {
    print sprintf("fan.gp: %s: cannot read the file (does DIR hold the output of 'alignsim batch'?)", summary)
    exit status 1
}

load gpdir."/ladder.gp"

# ---------------------------------------------------------------------
# The dyad's rows: year, mean, ci_lo, ci_hi, q05, q50, q95, p_alliance.
# ---------------------------------------------------------------------
present = dyads_in(summary)
if (!listed(present, dyad)) {
    print sprintf("fan.gp: %s: no rows for dyad '%s' (the file has: %s); choose one with -e \"dyad='A-B'\"", summary, dyad, present)
    exit status 1
}
set table $F
plot summary using (column("year")):(column("mean")):(column("ci_lo")):(column("ci_hi")):\
     (column("q05")):(column("q50")):(column("q95")):(column("p_alliance")) \
     with table if (strcol("dyad") eq dyad)
unset table
if (|$F| == 0) {
    print sprintf("fan.gp: %s: the rows for dyad '%s' have no complete numbers", summary, dyad)
    exit status 1
}
stats $F using 1 nooutput
year_lo = floor(STATS_min)
year_hi = ceil(STATS_max)

# ---------------------------------------------------------------------
# Milestones of the dyad, as $MS: target year, label threshold, simulated
# year (the target year when never reached), reached (0/1).  NREACHED and
# NMISSED count them, so that the plot only has elements for marks that
# exist (gnuplot warns on empty ones).
# ---------------------------------------------------------------------
NM = 0
NREACHED = 0
NMISSED = 0
set print $MS
print "target_year\ty\tsim_year\treached"
miles = dir."/milestones.tsv"
if (readable(miles)) {
    array MDYAD[500]
    array MTY[500]
    array MTL[500]
    array MSY[500]
    array MERR[500]
    stats miles using (NM = NM + 1, MDYAD[NM] = strcol("dyad"), \
        MTY[NM] = column("target_year"), MTL[NM] = column("target_label"), \
        MSY[NM] = column("sim_year"), MERR[NM] = column("error_years"), 0) nooutput
    do for [m = 1:NM] {
        if (MDYAD[m] eq dyad) {
            y = NaN
            do for [i = 1:NL] {
                if (LBL[i] == MTL[m]) { y = threshold(i) }
            }
            if (!isnan(y) && !(isnan(MSY[m]) && !isnan(MERR[m]))) {
                reached = isnan(MSY[m]) ? 0 : 1
                NREACHED = NREACHED + reached
                NMISSED = NMISSED + 1 - reached
                print sprintf("%.6g\t%.6g\t%.6g\t%d", MTY[m], y, \
                              reached ? MSY[m] : MTY[m], reached)
            }
        }
    }
}
set print

# The milestone part of the plot command, spliced in with @milestone_plot.
milestone_plot = ""
if (NREACHED > 0) {
    milestone_plot = milestone_plot.", $MS using ($4 == 1 ? $1 : NaN):2:($3 - $1):(0) with vectors nohead dt 2 lw 1.5 lc rgb '#000000' notitle"
}
if (NREACHED + NMISSED > 0) {
    milestone_plot = milestone_plot.", $MS using 1:2 with points pt 12 ps 1.9 lw 1.5 lc rgb '#000000' title 'milestone, historical'"
}
if (NREACHED > 0) {
    milestone_plot = milestone_plot.", $MS using ($4 == 1 ? $3 : NaN):2 with points pt 7 ps 1.2 lc rgb '#000000' title 'milestone, simulated'"
}
if (NMISSED > 0) {
    milestone_plot = milestone_plot.", $MS using ($4 == 0 ? $1 : NaN):2:('not reached') with labels offset 0, 1.3 font ',8' textcolor rgb '#555555' notitle"
}

# ---------------------------------------------------------------------
# Layout.  The right margin holds, from the plot outwards, the P(alliance)
# axis and then the band names.
# ---------------------------------------------------------------------
scenario = provenance(summary, "scenario")
seed = provenance(summary, "seed")
reps = provenance(summary, "replications")
if (strlen(scenario) == 0) scenario = dir
title = sprintf("%s: %sscenario %s%s", dyad, \
                strlen(reps) > 0 ? sprintf("%s replications, ", reps) : "", \
                scenario, strlen(seed) > 0 ? sprintf(", seed %s", seed) : "")

do for [i = 1:NL] {
    lo = band_lo(i)
    hi = band_hi(i)
    eval sprintf("set object %d rectangle from graph 0, first %.6g to graph 1, first %.6g behind fillcolor rgb '%s' fillstyle solid 1.0 border lc rgb 'white' lw 1", \
                 i, lo, hi, band_rgb((lo + hi) / 2))
    set label i LWRAP[i] at graph 1, first (lo + hi) / 2 offset 8.5, 0 left \
        font ",8" textcolor rgb "#333333" noenhanced
}

c_fan = "#27408b"
c_mean = "#111111"
c_pall = "#1a7f37"

set title title font ",14" noenhanced
set xlabel "year" font ",11"
set ylabel "alignment x   (-1 hostile ... +1 allied)" font ",11"
set y2label "P(alliance)" font ",11" textcolor rgb c_pall offset -1.5, 0
set xrange [year_lo:year_hi]
set yrange [-1:1]
set y2range [0:1]
set xtics 10 nomirror out
set mxtics 2
set ytics -1, 0.2, 1 nomirror out format "%.1f"
set y2tics 0, 0.2, 1 out format "%.1f" textcolor rgb c_pall
set grid xtics lc rgb "#bbbbbb" lw 0.5 dt 3
set border 11 lw 1
set rmargin 52
# The legend sits in the right margin below the band names, off the data.
set key at screen 0.985, screen 0.03 right bottom vertical reverse Left font ",10" samplen 2.5 spacing 1.05 noenhanced

base = sprintf("fan_%s", dyad)
do for [ext in formats] {
    tmp = tmp_name(base, ext)
    eval "set terminal ".terminal(ext, 1200, 700)
    set output tmp
    plot $F using 1:5:7 with filledcurves fillstyle transparent solid 0.28 noborder lc rgb c_fan title "5-95% of replications", \
         $F using 1:3:4 with filledcurves fillstyle transparent solid 0.55 noborder lc rgb c_fan title "95% CI of the mean", \
         $F using 1:6 with lines lw 1.5 dt 2 lc rgb c_fan title "median", \
         $F using 1:2 with lines lw 2.5 lc rgb c_mean title "mean", \
         $F using 1:8 axes x1y2 with lines lw 2 lc rgb c_pall title "P(alliance), right axis" @milestone_plot
    unset output
    if (publish(tmp, final_name(base, ext)) ne "ok") { exit status 1 }
}
