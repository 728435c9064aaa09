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
# Writes  DIR/fan_DYAD.png (1200x700) and DIR/fan_DYAD.svg.
#
# Columns are found by name, so their order does not matter; '#' provenance
# lines are skipped; NA is a missing value.  Each image is drawn under a
# temporary name and renamed only when complete.  The ladder section below
# is the same as in trajectory.gp; change both together.  Exit status: 0
# done, 1 missing or unusable data, 2 usage.

if (!exists("dir")) {
    print "fan.gp: usage: gnuplot -e \"dir='out/historical'\" [-e \"dyad='china-russia'\"] analysis/fan.gp"
    exit status 2
}
if (!exists("dyad")) dyad = "china-russia"

set datafile separator "\t"
set datafile missing "NA"
set encoding utf8

readable(f) = int(system(sprintf("test -r '%s' && echo 1 || echo 0", f)))
provenance(f, key) = system(sprintf("sed -n 's/^# *%s: *//p' '%s' | head -n 1", key, f))

summary = dir."/summary.tsv"
if (!readable(summary)) {
    print sprintf("fan.gp: %s: cannot read the file (does DIR hold the output of 'alignsim batch'?)", summary)
    exit status 1
}

# ---------------------------------------------------------------------
# The label ladder: LBL[i], LNAME[i], LMIN[i] for i = 1..NL, sorted by
# label; LMIN of the lowest label is NaN (it has no lower bound).
# ---------------------------------------------------------------------
array LBL[64]
array LNAME[64]
array LMIN[64]
NL = 0
ladder = dir."/ladder.tsv"
if (readable(ladder)) {
    stats ladder using (NL = NL + 1, LBL[NL] = column("label"), \
        LNAME[NL] = strcol("label_name"), LMIN[NL] = column("x_min"), 0) nooutput
}
if (NL == 0) {
    array DLBL[10] = [-2, -1, 0, 1, 2, 3, 4, 5, 6, 7]
    array DMIN[10] = [NaN, -0.60, -0.20, 0.10, 0.25, 0.40, 0.50, 0.60, 0.70, 0.85]
    array DNAME[10] = ["armed clashes", "rivalry", "normal relations", \
        "friendly countries", "constructive partnership", \
        "strategic partnership", "treaty-backed strategic partnership", \
        "comprehensive strategic partnership of coordination", \
        "comprehensive strategic partnership of coordination for a new era", \
        "alliance"]
    NL = 10
    do for [i = 1:NL] {
        LBL[i] = DLBL[i]
        LMIN[i] = DMIN[i]
        LNAME[i] = DNAME[i]
    }
}
# A seminar may list its ladder in any order: sort by label (insertion sort).
do for [i = 2:NL] {
    j = i
    while (j > 1 && LBL[j - 1] > LBL[j]) {
        t = LBL[j]; LBL[j] = LBL[j - 1]; LBL[j - 1] = t
        t = LMIN[j]; LMIN[j] = LMIN[j - 1]; LMIN[j - 1] = t
        s = LNAME[j]; LNAME[j] = LNAME[j - 1]; LNAME[j - 1] = s
        j = j - 1
    }
}
isnan(v) = (v != v)
band_lo(i) = isnan(LMIN[i]) ? -1.0 : LMIN[i]
band_hi(i) = (i >= NL) ? 1.0 : LMIN[i + 1]
# The x a trajectory crosses to enter a label: its lower bound, or for the
# lowest label the bound above it.
threshold(i) = isnan(LMIN[i]) ? ((i < NL) ? LMIN[i + 1] : 0.0) : LMIN[i]

# Band shades: light grey at x = 0, towards soft red for hostility and
# soft blue for alignment, so the eye reads the ladder without a legend.
mix(a, b, t) = int(a + (b - a) * (t > 1 ? 1 : t) + 0.5)
band_rgb(m) = (m < 0) \
    ? sprintf("#%02x%02x%02x", mix(245, 236, -m), mix(245, 160, -m), mix(245, 150, -m)) \
    : sprintf("#%02x%02x%02x", mix(245, 160, m), mix(245, 196, m), mix(245, 230, m))

# Wraps a band name onto lines of at most 40 characters, so that even the
# longest default name takes two lines and fits a band 0.1 high.
wrap_width = 40
do for [i = 1:NL] {
    name = sprintf("%d %s", LBL[i], LNAME[i])
    out = ""
    line = ""
    do for [w = 1:words(name)] {
        wd = word(name, w)
        if (strlen(line) == 0) {
            line = wd
        } else {
            if (strlen(line) + 1 + strlen(wd) > wrap_width) {
                out = out.line."\n"
                line = wd
            } else {
                line = line." ".wd
            }
        }
    }
    LNAME[i] = out.line
}


# ---------------------------------------------------------------------
# The dyad's rows: year, mean, ci_lo, ci_hi, q05, q50, q95, p_alliance.
# ---------------------------------------------------------------------
dyads_in(f) = system(sprintf("awk -F '\\t' '/^#/ || /^[ \\t\\r]*$/ {next} !c {for (i = 1; i <= NF; i++) if ($i == \"dyad\") c = i; next} c && !seen[$c]++ {printf \"%%s \", $c}' '%s'", f))
listed(list, d) = strstrt(" ".list." ", " ".d." ") > 0
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
    set label i LNAME[i] at graph 1, first (lo + hi) / 2 offset 8.5, 0 left \
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

publish(tmp, final) = system(sprintf("mv -f '%s' '%s' && echo ok", tmp, final))

png_tmp = sprintf("%s/.fan_%s.png.tmp", dir, dyad)
set terminal pngcairo size 1200, 700 enhanced font "Sans,10" background "white"
set output png_tmp
plot $F using 1:5:7 with filledcurves fillstyle transparent solid 0.28 noborder lc rgb c_fan title "5-95% of replications", \
     $F using 1:3:4 with filledcurves fillstyle transparent solid 0.55 noborder lc rgb c_fan title "95% CI of the mean", \
     $F using 1:6 with lines lw 1.5 dt 2 lc rgb c_fan title "median", \
     $F using 1:2 with lines lw 2.5 lc rgb c_mean title "mean", \
     $F using 1:8 axes x1y2 with lines lw 2 lc rgb c_pall title "P(alliance), right axis" @milestone_plot
unset output
if (publish(png_tmp, sprintf("%s/fan_%s.png", dir, dyad)) ne "ok") { exit status 1 }

svg_tmp = sprintf("%s/.fan_%s.svg.tmp", dir, dyad)
set terminal svg size 1200, 700 dynamic enhanced font "Sans,10" background "white"
set output svg_tmp
replot
unset output
if (publish(svg_tmp, sprintf("%s/fan_%s.svg", dir, dyad)) ne "ok") { exit status 1 }
