# labelmap.gp - every dyad's label over time at once: one row per dyad, one
# cell per year, coloured by the rung of the label ladder (red hostile,
# grey normal, blue allied), with the ladder as the legend.
#
#   gnuplot -e "dir='out/historical-replay'" analysis/labelmap.gp
#   gnuplot -e "dir='out/historical'" analysis/labelmap.gp
#
# Reads   DIR/trajectory.tsv   (alignsim run) columns year, dyad, label: the
#                              declared label of each dyad each year
#    or   DIR/summary.tsv      (alignsim batch) columns year, dyad, q50: the
#                              rung whose band holds the median x (the
#                              declared label also depends on commitments
#                              and hysteresis, which a summary does not
#                              carry); used when there is no trajectory.tsv
#         DIR/ladder.tsv       label, label_name, x_min (optional; the
#                              default ladder is used when it is absent)
# Writes  OUTDIR/labelmap.png and OUTDIR/labelmap.svg, 1200 wide and 22
#         pixels per dyad (at least per rung) high (OUTDIR = DIR unless outdir is set;
#         formats='svg' writes the SVG only: see common.gp).
#
# Rows keep the order in which the dyads first appear in the file (the
# oldest dyads on top); a dyad has no cell in the years before it exists.
# Columns are found by name; '#' provenance lines are skipped; NA is a
# missing value.  Each image is drawn under a temporary name and renamed
# only when complete.  Exit status: 0 done, 1 missing or unusable data,
# 2 usage.

if (!exists("dir")) {
    print "labelmap.gp: usage: gnuplot -e \"dir='out/historical'\" analysis/labelmap.gp"
    exit status 2
}
gpdir = system(sprintf("dirname '%s'", ARG0))
load gpdir."/common.gp"

traj = dir."/trajectory.tsv"
summary = dir."/summary.tsv"
if (readable(traj)) {
    src = traj
    what = "declared label"
} else {
    if (readable(summary)) {
        src = summary
        what = "rung of the median x"
    } else {
        print sprintf("labelmap.gp: %s: no trajectory.tsv (alignsim run) or summary.tsv (alignsim batch) to read", dir)
        exit status 1
    }
}

load gpdir."/ladder.gp"

present = dyads_in(src)
ND = words(present)
if (ND == 0) {
    print sprintf("labelmap.gp: %s: no rows", src)
    exit status 1
}
# Row of a dyad, 1 for the first in the file: the number of words before
# it in " d1 d2 ... ", plus one.
ALL = " ".present." "
row_of(d) = words(ALL[1:strstrt(ALL, " ".d." ")]) + 1
ypos(d) = ND - row_of(d) + 1

# The colour of each rung, evenly spaced by rung so that neighbouring
# rungs stay apart in small cells: grey for the rung holding x = 0,
# deepening to red below it and to blue above it.
i0 = rung_of_x(0.0)
lm_mix(a, b, t) = int(a + (b - a) * (t > 1 ? 1 : t) + 0.5)
lm_red(t) = lm_mix(232, 165, t) * 65536 + lm_mix(232, 15, t) * 256 + lm_mix(232, 21, t)
lm_blue(t) = lm_mix(232, 8, t) * 65536 + lm_mix(232, 69, t) * 256 + lm_mix(232, 148, t)
array RGB[NL]
do for [i = 1:NL] {
    RGB[i] = (i < i0) ? lm_red(real(i0 - i) / (i0 - 1)) : \
             (i > i0) ? lm_blue(real(i - i0) / (NL - i0)) : lm_mix(232, 232, 0) * 65793
}
rgb_of(i) = (i >= 1 && i <= NL) ? RGB[i] : NaN
rung(src_is_traj) = src_is_traj ? rung_of_label(column("label")) : rung_of_x(column("q50"))
is_traj = (src eq traj)

stats src using (column("year")) nooutput
if (STATS_records == 0) {
    print sprintf("labelmap.gp: %s: no rows with a year", src)
    exit status 1
}
year_lo = floor(STATS_min) - 0.5
year_hi = ceil(STATS_max) + 0.5

# One cell per row of the file: a box one year wide around its year.
# Rungs not on the ladder (rung 0) draw nothing.
scenario = provenance(src, "scenario")
reps = provenance(src, "replications")
if (strlen(scenario) == 0) scenario = dir
title = sprintf("Every dyad's %s over time - scenario %s%s", what, scenario, \
                strlen(reps) > 0 ? sprintf(", %s replications", reps) : "")

set title title font ",14" noenhanced
set xlabel "year" font ",11"
set xrange [year_lo:year_hi]
set yrange [0.5:ND + 0.5]
set xtics 10 nomirror out
set mxtics 2
set ytics nomirror scale 0 font ",9" noenhanced
set for [k = 1:ND] ytics add (word(present, k) ND - k + 1)
set grid xtics front lc rgb "#ffffff" lw 0.5 dt 3
set border 3 lw 1
set style fill solid 1.0 noborder
set key outside right top vertical reverse Left font ",9" samplen 1.5 spacing 1.0 noenhanced \
    title "label (the ladder)"

# Room for the rows, and at least for the legend of the whole ladder.
height = 160 + 22 * (ND > NL ? ND : NL)
do for [ext in formats] {
    tmp = tmp_name("labelmap", ext)
    eval "set terminal ".terminal(ext, 1200, height)
    set output tmp
    plot src using (column("year")):(ypos(strcol("dyad"))):(0.51):(0.46):(rgb_of(rung(is_traj))) \
             with boxxy lc rgb variable notitle, \
         for [i = NL:1:-1] keyentry with boxes fc rgb sprintf("#%06x", RGB[i]) title sprintf("%d %s", LBL[i], LNAME[i])
    unset output
    if (publish(tmp, final_name("labelmap", ext)) ne "ok") { exit status 1 }
}
