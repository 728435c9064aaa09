# trajectory.gp - one alignsim run at a glance: alignment x over time for a
# few dyads, drawn over the label ladder (one shaded band per label, named at
# the right edge), with the calibration milestones as marks.
#
#   gnuplot -e "dir='out/historical'" analysis/trajectory.gp
#   gnuplot -e "dir='out/historical'; dyads='china-russia china-kazakhstan'" analysis/trajectory.gp
#
# Reads   DIR/trajectory.tsv   columns year, dyad, x (others ignored)
#         DIR/ladder.tsv       label, label_name, x_min (optional; the
#                              default ladder is used when it is absent)
#         DIR/milestones.tsv   dyad, target_year, target_label, sim_year
#                              (optional; sim_year NA = never reached,
#                              unless error_years is known: a window target that held)
# Writes  OUTDIR/trajectory.png (1200x700) and OUTDIR/trajectory.svg
#         (OUTDIR = DIR unless outdir is set; formats='svg' writes the SVG
#         only: see common.gp).
#
# Columns are found by name, so their order does not matter; '#' provenance
# lines are skipped; NA is a missing value.  Each image is drawn under a
# temporary name (OUTDIR/.trajectory.png.tmp) and renamed only when complete,
# so a failed run never leaves a half-drawn or stale-looking plot.
# A milestone is drawn as an open diamond at (target year, the x threshold
# of its label) and a filled dot at (simulated year, same threshold), joined
# by a dashed line whose length is the timing error.  Exit status: 0 done,
# 1 missing or unusable data, 2 usage.

if (!exists("dir")) {
    print "trajectory.gp: usage: gnuplot -e \"dir='out/historical'\" [-e \"dyads='china-russia china-us'\"] analysis/trajectory.gp"
    exit status 2
}
user_dyads = exists("dyads")
if (!user_dyads) dyads = "china-russia china-us russia-us"

gpdir = system(sprintf("dirname '%s'", ARG0))
load gpdir."/common.gp"

traj = dir."/trajectory.tsv"
if (!readable(traj)) {
    print sprintf("trajectory.gp: %s: cannot read the file (does DIR hold the output of 'alignsim run'?)", traj)
    exit status 1
}

load gpdir."/ladder.gp"

# ---------------------------------------------------------------------
# Trajectories: one datablock $T1, $T2, ... per dyad asked for that the run
# has.  When the user named no dyads and the run has none of the default
# ones (another scenario's actors), the first six dyads of the file are
# shown instead.
# ---------------------------------------------------------------------
present = dyads_in(traj)
wanted = ""
do for [k = 1:words(dyads)] {
    d = word(dyads, k)
    if (listed(present, d)) {
        wanted = wanted." ".d
    } else {
        if (user_dyads) {
            print sprintf("trajectory.gp: %s: no rows for dyad '%s'; skipped (the file has: %s)", traj, d, present)
        }
    }
}
if (words(wanted) == 0 && !user_dyads) {
    do for [k = 1:(words(present) < 6 ? words(present) : 6)] {
        wanted = wanted." ".word(present, k)
    }
}
if (words(wanted) == 0) {
    print sprintf("trajectory.gp: %s: none of the dyads '%s' has rows (the file has: %s)", traj, dyads, present)
    exit status 1
}

# Dyad colours, as strings for lines and as numbers for rgb-variable marks.
array DCOL[6] = ["#111111", "#d95f02", "#1f5fa8", "#2a8c2a", "#6a3d9a", "#c51b7d"]
array DRGB[6] = [0x111111, 0xd95f02, 0x1f5fa8, 0x2a8c2a, 0x6a3d9a, 0xc51b7d]
ND = words(wanted)
shown = wanted
do for [k = 1:ND] {
    d = word(shown, k)
    eval sprintf("set table $T%d", k)
    plot traj using (column("year")):(column("x")) with table if (strcol("dyad") eq d)
    unset table
}

stats traj using (column("year")) nooutput
year_lo = floor(STATS_min)
year_hi = ceil(STATS_max)

# ---------------------------------------------------------------------
# Milestones of the dyads shown, as $MS: target year, label threshold,
# simulated year (the target year when never reached), reached (0/1), and
# the dyad's colour.  NREACHED and NMISSED count them, so that the plot
# only has elements for marks that exist (gnuplot warns on empty ones).
# ---------------------------------------------------------------------
NM = 0
NREACHED = 0
NMISSED = 0
set print $MS
print "target_year\ty\tsim_year\treached\trgb"
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
        do for [k = 1:ND] {
            if (MDYAD[m] eq word(shown, k)) {
                y = NaN
                do for [i = 1:NL] {
                    if (LBL[i] == MTL[m]) { y = threshold(i) }
                }
                if (!isnan(y) && !(isnan(MSY[m]) && !isnan(MERR[m]))) {
                    reached = isnan(MSY[m]) ? 0 : 1
                    NREACHED = NREACHED + reached
                    NMISSED = NMISSED + 1 - reached
                    print sprintf("%.6g\t%.6g\t%.6g\t%d\t%d", MTY[m], y, \
                                  reached ? MSY[m] : MTY[m], reached, DRGB[(k - 1) % 6 + 1])
                }
            }
        }
    }
}
set print

# The milestone part of the plot command, spliced in with @milestone_plot.
milestone_plot = ""
if (NREACHED > 0) {
    milestone_plot = milestone_plot.", $MS using ($4 == 1 ? $1 : NaN):2:($3 - $1):(0):5 with vectors nohead dt 2 lw 1.5 lc rgb variable notitle"
    milestone_plot = milestone_plot.", $MS using ($4 == 1 ? $3 : NaN):2:5 with points pt 7 ps 1.2 lc rgb variable notitle"
}
if (NREACHED + NMISSED > 0) {
    milestone_plot = milestone_plot.", $MS using 1:2:5 with points pt 12 ps 1.9 lw 1.5 lc rgb variable notitle"
    milestone_plot = milestone_plot.", keyentry with points pt 12 ps 1.9 lw 1.5 lc rgb '#444444' title 'milestone, historical'"
}
if (NREACHED > 0) {
    milestone_plot = milestone_plot.", keyentry with points pt 7 ps 1.2 lc rgb '#444444' title 'milestone, simulated'"
}
if (NMISSED > 0) {
    milestone_plot = milestone_plot.", $MS using ($4 == 0 ? $1 : NaN):2:('not reached') with labels offset 0, 1.3 font ',8' textcolor rgb '#555555' notitle"
}

# ---------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------
scenario = provenance(traj, "scenario")
seed = provenance(traj, "seed")
if (strlen(scenario) == 0) scenario = dir
title = sprintf("Alignment over time - scenario %s%s", scenario, \
                strlen(seed) > 0 ? sprintf(", seed %s", seed) : "")

do for [i = 1:NL] {
    lo = band_lo(i)
    hi = band_hi(i)
    eval sprintf("set object %d rectangle from graph 0, first %.6g to graph 1, first %.6g behind fillcolor rgb '%s' fillstyle solid 1.0 border lc rgb 'white' lw 1", \
                 i, lo, hi, band_rgb((lo + hi) / 2))
    set label i LWRAP[i] at graph 1, first (lo + hi) / 2 offset 1.2, 0 left \
        font ",8" textcolor rgb "#333333" noenhanced
}

set title title font ",14" noenhanced
set xlabel "year" font ",11"
set ylabel "alignment x   (-1 hostile ... +1 allied)" font ",11"
set xrange [year_lo:year_hi]
set yrange [-1:1]
set xtics 10 nomirror out
set mxtics 2
set ytics -1, 0.2, 1 nomirror out format "%.1f"
set grid xtics lc rgb "#bbbbbb" lw 0.5 dt 3
set border 3 lw 1
set rmargin 44
# The legend sits in the right margin below the band names, off the data.
set key at screen 0.985, screen 0.03 right bottom vertical reverse Left font ",10" samplen 2.5 spacing 1.05 noenhanced

# ---------------------------------------------------------------------
# Output: draw into temporary names, rename when complete.
# ---------------------------------------------------------------------
do for [ext in formats] {
    tmp = tmp_name("trajectory", ext)
    eval "set terminal ".terminal(ext, 1200, 700)
    set output tmp
    plot for [k = 1:ND] sprintf("$T%d", k) using 1:2 with lines lw 2.5 lc rgb DCOL[(k - 1) % 6 + 1] title word(shown, k) @milestone_plot
    unset output
    if (publish(tmp, final_name("trajectory", ext)) ne "ok") { exit status 1 }
}
