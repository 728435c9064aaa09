# compare.gp - two or more runs side by side for one dyad, from the output
# of `alignsim compare`: the runs' mean alignment x overlaid, each with its
# 5-95% band of replications (fan); below, the difference of each run from
# run A with its 95% interval (paired or Welch, as compare.tsv says); and,
# for batches, P(alliance) of each run.
#
#   gnuplot -e "dir='out/rivals/compare'" analysis/compare.gp
#   gnuplot -e "dir='out/rivals/compare'; dyad='china-us'" analysis/compare.gp
#
# Reads   DIR/compare.tsv   columns year, dyad, mean_A, mean_B, diff, ci_lo,
#                           ci_hi, q05_A, q95_A, q05_B, q95_B, p_alliance_A,
#                           p_alliance_B, p_diff, p_ci_lo, p_ci_hi, and for
#                           runs C, D, ...: mean_X, diff_X, ci_lo_X, ci_hi_X,
#                           q05_X, q95_X, p_alliance_X, p_diff_X, p_ci_lo_X,
#                           p_ci_hi_X; provenance folder_X, scenario_X, method
# Writes  OUTDIR/compare_DYAD.png (1200x900) and OUTDIR/compare_DYAD.svg
#         (OUTDIR = DIR unless outdir is set; formats='svg' writes the SVG
#         only: see common.gp).
#
# Columns are found by name; '#' provenance lines are skipped; NA is a
# missing value (run folders have no bands and no P(alliance)).  Each image
# is drawn under a temporary name and renamed only when complete.  Exit
# status: 0 done, 1 missing or unusable data, 2 usage.

if (!exists("dir")) {
    print "compare.gp: usage: gnuplot -e \"dir='out/compare'\" [-e \"dyad='china-russia'\"] analysis/compare.gp"
    exit status 2
}
if (!exists("dyad")) dyad = "china-russia"

gpdir = system(sprintf("dirname '%s'", ARG0))
load gpdir."/common.gp"

cmp = dir."/compare.tsv"
if (!readable(cmp)) {
    print sprintf("compare.gp: %s: cannot read the file (does DIR hold the output of 'alignsim compare'?)", cmp)
    exit status 1
}
present = dyads_in(cmp)
if (!listed(present, dyad)) {
    print sprintf("compare.gp: %s: no rows for dyad '%s' (the file has: %s); choose one with -e \"dyad='A-B'\"", cmp, dyad, present)
    exit status 1
}

# The folders: A, B, ... as many as compare.tsv has folder_X lines.
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
NF = int(system(sprintf("grep -c '^# *folder_[A-Z]:' '%s'", cmp)))
if (NF < 2) {
    print sprintf("compare.gp: %s: expected folder_A and folder_B provenance lines", cmp)
    exit status 1
}
letter(i) = LETTERS[i:i]
# Column names of folder i (1 = A): its mean and band, and its difference
# from A (i >= 2) with the interval.
c_mean(i) = "mean_".letter(i)
c_q05(i) = "q05_".letter(i)
c_q95(i) = "q95_".letter(i)
c_p(i) = "p_alliance_".letter(i)
sfx(i) = (i == 2) ? "" : "_".letter(i)
c_diff(i) = "diff".sfx(i)
c_lo(i) = "ci_lo".sfx(i)
c_hi(i) = "ci_hi".sfx(i)
c_pd(i) = "p_diff".sfx(i)
c_plo(i) = "p_ci_lo".sfx(i)
c_phi(i) = "p_ci_hi".sfx(i)

array COLOR[8] = ["#222222", "#1f5fbf", "#d2691e", "#2e8b57", "#8b008b", "#b22222", "#008b8b", "#6b6b00"]
color(i) = COLOR[(i - 1) % 8 + 1]
array NAME[26]
do for [i = 1:NF] {
    s = provenance(cmp, "scenario_".letter(i))
    NAME[i] = sprintf("%s: %s", letter(i), strlen(s) ? s : provenance(cmp, "folder_".letter(i)))
}
method = provenance(cmp, "method")
conf = provenance(cmp, "confidence")
pct = strlen(conf) ? sprintf("%.0f%%", 100 * real(conf)) : "95%"

# Year range of the dyad, and whether the folders are batches (bands and
# P(alliance) present).
# The dyad's rows with the header line, so that lines join consecutive
# years and columns are still found by name.
src = sprintf("< awk -F '\t' '/^#/ || /^[ \t\r]*$/ {next} !c {for (i = 1; i <= NF; i++) if ($i == \"dyad\") c = i; print; next} $c == \"%s\"' '%s'", dyad, cmp)
stats src using (column("year")) nooutput
year_lo = floor(STATS_min)
year_hi = ceil(STATS_max)
# Runs have NA in every band and P(alliance) cell: counted with awk, since
# gnuplot's stats fails on a column without a valid number.
valid_in(f, col) = int(system(sprintf("awk -F '\\t' '/^#/ || /^[ \\t\\r]*$/ {next} !h {for (i = 1; i <= NF; i++) if ($i == \"%s\") c = i; h = 1; next} c && $c != \"NA\" {n++} END {print n + 0}' '%s'", col, f)))
batches = valid_in(cmp, "p_alliance_A") > 0

# The extent of the differences of the dyad (every diff, ci_lo and ci_hi
# column): when they are all one value (identical runs), the panel gets a
# small range around it instead of gnuplot's empty-range warning.
extent(f, d) = system(sprintf("awk -F '\\t' '/^#/ || /^[ \\t\\r]*$/ {next} !h {for (i = 1; i <= NF; i++) {if ($i == \"dyad\") c = i; if ($i ~ /^(diff|ci_lo|ci_hi)(_[A-Z])?$/) k[i] = 1}; h = 1; next} $c == \"%s\" {for (i in k) if ($i != \"NA\") {v = $i + 0; if (!n++ || v < lo) lo = v; if (n == 1 || v > hi) hi = v}} END {print (n ? lo : 0), (n ? hi : 0)}' '%s'", d, f))
ext = extent(cmp, dyad)
diff_lo = real(word(ext, 1))
diff_hi = real(word(ext, 2))
flat = diff_hi - diff_lo <= 1e-12 * (abs(diff_lo) > 1 ? abs(diff_lo) : 1)

# The two or three panels share the x axis; their heights are fixed here.
top = 0.93
h1 = batches ? 0.40 : 0.52
h2 = batches ? 0.24 : 0.36
h3 = 0.21
set lmargin at screen 0.08
set rmargin at screen 0.80
set xrange [year_lo:year_hi]
set xtics 10 nomirror out
set mxtics 2
set grid xtics ytics lc rgb "#cccccc" lw 0.5 dt 3

# ---------------------------------------------------------------------
# The panels, drawn once for each format.
# ---------------------------------------------------------------------
ptitle = sprintf("%s: %s\ndifferences from A: %s", dyad, \
    NF == 2 ? sprintf("%s vs %s", NAME[1], NAME[2]) : sprintf("%d runs", NF), \
    batches ? sprintf("%s, %s intervals", strlen(method) ? method : "?", pct) : "single runs, no intervals")
base = sprintf("compare_%s", dyad)
do for [ext in formats] {
    tmp = tmp_name(base, ext)
    eval "set terminal ".terminal(ext, 1200, 900)
    set output tmp
    set multiplot title ptitle font ",13" noenhanced

    # Panel 1: the runs' means with their 5-95% fans.
    set tmargin at screen top
    set bmargin at screen top - h1
    set ylabel "alignment x" font ",11"
    set yrange [-1:1]
    set ytics -1, 0.5, 1 format "%.1f"
    set format x ""
    unset xlabel
    set key at screen 0.81, screen top left top Left reverse font ",10" samplen 2.5 spacing 1.05 noenhanced
    # Bands only for batches (a run's are NA: gnuplot would warn).
    if (batches) {
        plot for [i = 1:NF] src using (column("year")):(column(c_q05(i))):(column(c_q95(i))) \
                 with filledcurves fillstyle transparent solid 0.18 noborder lc rgb color(i) \
                 title sprintf("%s, 5-95%%", NAME[i]), \
             for [i = 1:NF] src using (column("year")):(column(c_mean(i))) \
                 with lines lw 2.2 lc rgb color(i) title sprintf("%s, mean", NAME[i])
    } else {
        plot for [i = 1:NF] src using (column("year")):(column(c_mean(i))) \
                 with lines lw 2.2 lc rgb color(i) title sprintf("%s, x", NAME[i])
    }

    # Panel 2: each run's difference from A with its interval.
    set tmargin at screen top - h1 - 0.015
    set bmargin at screen top - h1 - 0.015 - h2
    set ylabel "x: difference from A" font ",11"
    if (flat) {
        set yrange [diff_lo - 0.01:diff_hi + 0.01]
    } else {
        set yrange [*:*]
    }
    set ytics autofreq format "%+.2g"
    if (!batches) {
        set xlabel "year" font ",11"
        set format x "%g"
    }
    set key at screen 0.81, screen top - h1 - 0.015 left top Left reverse font ",10" samplen 2.5 spacing 1.05 noenhanced
    if (batches) {
        plot 0 with lines lw 1 lc rgb "#555555" notitle, \
             for [i = 2:NF] src using (column("year")):(column(c_lo(i))):(column(c_hi(i))) \
                 with filledcurves fillstyle transparent solid 0.30 noborder lc rgb color(i) \
                 title sprintf("%s - A, %s interval", letter(i), pct), \
             for [i = 2:NF] src using (column("year")):(column(c_diff(i))) \
                 with lines lw 2 lc rgb color(i) title sprintf("%s - A", letter(i))
    } else {
        plot 0 with lines lw 1 lc rgb "#555555" notitle, \
             for [i = 2:NF] src using (column("year")):(column(c_diff(i))) \
                 with lines lw 2 lc rgb color(i) title sprintf("%s - A", letter(i))
    }

    # Panel 3 (batches): P(alliance) of each run, with the interval of its
    # difference from A drawn around A's curve.
    if (batches) {
        set tmargin at screen top - h1 - h2 - 0.03
        set bmargin at screen top - h1 - h2 - 0.03 - h3
        set ylabel "P(alliance)" font ",11"
        set yrange [-0.02:1.02]
        set ytics 0, 0.25, 1 format "%.2f"
        set xlabel "year" font ",11"
        set format x "%g"
        set key at screen 0.81, screen top - h1 - h2 - 0.03 left top Left reverse font ",10" samplen 2.5 spacing 1.05 noenhanced
        plot for [i = 2:NF] src using (column("year")):(column(c_p(1)) + column(c_plo(i))):(column(c_p(1)) + column(c_phi(i))) \
                 with filledcurves fillstyle transparent solid 0.30 noborder lc rgb color(i) \
                 title sprintf("A + (%s - A), %s interval", letter(i), pct), \
             for [i = 1:NF] src using (column("year")):(column(c_p(i))) \
                 with lines lw 2 lc rgb color(i) title sprintf("%s, P(alliance)", letter(i))
    }
    unset multiplot
    unset output
    if (publish(tmp, final_name(base, ext)) ne "ok") { exit status 1 }
}
