# fans.gp - every dyad of a batch at a glance: one small fan chart per dyad
# (the 5-95% band of the replications and the mean of alignment x), three
# to a row, on one shared scale.  fan.gp draws one dyad in full.
#
#   gnuplot -e "dir='out/historical'" analysis/fans.gp
#
# Reads   DIR/summary.tsv   columns year, dyad, mean, q05, q95
# Writes  OUTDIR/fans.png and OUTDIR/fans.svg, 1200 wide and 230 pixels per
#         row of three dyads (OUTDIR = DIR unless outdir is set;
#         formats='svg' writes the SVG only: see common.gp).
#
# Dyads keep the order in which they first appear in the file.  Columns are
# found by name; '#' provenance lines are skipped; NA is a missing value.
# Each image is drawn under a temporary name and renamed only when
# complete.  Exit status: 0 done, 1 missing or unusable data, 2 usage.

if (!exists("dir")) {
    print "fans.gp: usage: gnuplot -e \"dir='out/historical'\" analysis/fans.gp"
    exit status 2
}
gpdir = system(sprintf("dirname '%s'", ARG0))
load gpdir."/common.gp"

summary = dir."/summary.tsv"
if (!readable(summary)) {
    print sprintf("fans.gp: %s: cannot read the file (does DIR hold the output of 'alignsim batch'?)", summary)
    exit status 1
}
present = dyads_in(summary)
ND = words(present)
if (ND == 0) {
    print sprintf("fans.gp: %s: no rows", summary)
    exit status 1
}
do for [k = 1:ND] {
    d = word(present, k)
    eval sprintf("set table $F%d", k)
    plot summary using (column("year")):(column("mean")):(column("q05")):(column("q95")) \
         with table if (strcol("dyad") eq d)
    unset table
}
stats summary using (column("year")) nooutput
year_lo = floor(STATS_min)
year_hi = ceil(STATS_max)

scenario = provenance(summary, "scenario")
reps = provenance(summary, "replications")
if (strlen(scenario) == 0) scenario = dir
head = sprintf("Every dyad: mean alignment x and the 5-95%% band of %s replications, scenario %s", \
               strlen(reps) ? reps : "the", scenario)

NC = 3
NR = (ND + NC - 1) / NC
c_fan = "#27408b"
set xrange [year_lo:year_hi]
set yrange [-1:1]
set xtics 20 nomirror out font ",9"
set ytics -1, 0.5, 1 nomirror out format "%.1f" font ",9"
set grid xtics ytics lc rgb "#cccccc" lw 0.5 dt 3
set border 3 lw 1
unset key

do for [ext in formats] {
    tmp = tmp_name("fans", ext)
    eval "set terminal ".terminal(ext, 1200, 60 + 230 * NR)
    set output tmp
    set multiplot layout NR, NC title head font ",13" noenhanced
    do for [k = 1:ND] {
        set title word(present, k) font ",11" noenhanced
        eval sprintf("plot $F%d using 1:3:4 with filledcurves fillstyle transparent solid 0.30 noborder lc rgb c_fan, $F%d using 1:2 with lines lw 2 lc rgb '#111111'", k, k)
    }
    unset multiplot
    unset output
    if (publish(tmp, final_name("fans", ext)) ne "ok") { exit status 1 }
}
