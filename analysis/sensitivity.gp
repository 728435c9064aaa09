# sensitivity.gp - Sobol indices of a sensitivity analysis: for each output
# (P(alliance), the year China-Russia reaches label 5, the replay score) a
# panel of bars, first-order S1 and total-order ST for every parameter, with
# their bootstrap confidence intervals as error bars.  A parameter whose ST
# bar is short can be fixed anywhere in its range without changing that
# output; the gap between ST and S1 is what it does through interactions.
#
#   gnuplot -e "dir='out/sobol8-sensitivity'" analysis/sensitivity.gp
#
# Reads   DIR/sensitivity.tsv   columns output, parameter, S1, S1_lo, S1_hi,
#                               ST, ST_lo, ST_hi (from `alignsim sensitivity`)
# Writes  OUTDIR/sensitivity.png (1100 x 330 per output) and
#         OUTDIR/sensitivity.svg (OUTDIR = DIR unless outdir is set;
#         formats='svg' writes the SVG only: see common.gp).
#
# Columns are found by name; '#' provenance lines are skipped; NA (an output
# that did not vary over the design) draws no bar.  Each image is drawn under
# a temporary name and renamed only when complete.  Exit status: 0 done, 1
# missing or unusable data, 2 usage.

if (!exists("dir")) {
    print "sensitivity.gp: usage: gnuplot -e \"dir='out/NAME-sensitivity'\" analysis/sensitivity.gp"
    exit status 2
}

gpdir = system(sprintf("dirname '%s'", ARG0))
load gpdir."/common.gp"
# NA (an undefined index) must keep its row, with no bar: not a missing
# value (common.gp's setting) but NaN.
unset datafile missing
num(c) = (strcol(c) eq "NA") ? NaN : column(c)

sens = dir."/sensitivity.tsv"
if (!readable(sens)) {
    print sprintf("sensitivity.gp: %s: cannot read the file (does DIR hold the output of 'alignsim sensitivity'?)", sens)
    exit status 1
}

# The outputs, in file order.
outputs_in(f) = system(sprintf("awk -F '\\t' '/^#/ || /^[ \\t\\r]*$/ {next} !c {for (i = 1; i <= NF; i++) if ($i == \"output\") c = i; next} c && !seen[$c]++ {printf \"%%s \", $c}' '%s'", f))
outputs = outputs_in(sens)
NO = words(outputs)
if (NO == 0) {
    print sprintf("sensitivity.gp: %s: no rows", sens)
    exit status 1
}

# What each output means, for the panel titles.
meaning(o) = (o eq "p_alliance") ? "P(alliance by the horizon)" : \
             (o eq "l5_year") ? "year China-Russia first reaches label 5 (horizon if never)" : \
             (o eq "replay_score") ? "replay score (share of milestones within 2 years)" : o

scenario = provenance(sens, "scenario")
nbase = provenance(sens, "base_samples")
reps = provenance(sens, "replications_per_evaluation")
conf = provenance(sens, "confidence")
if (strlen(conf) == 0) conf = "0.95"

c_s1 = "#27408b"
c_st = "#d08c2c"

set style data histograms
set style histogram errorbars gap 2 lw 1.2
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics lc rgb "#bbbbbb" lw 0.5 dt 3
xtics_options = "nomirror rotate by -25 left font ',9' noenhanced"
eval "set xtics ".xtics_options
set ytics nomirror out format "%.1f"
set border 3 lw 1
set key top right font ",10" samplen 2 noenhanced

# One datablock per output: parameter, S1, S1_lo, S1_hi, ST, ST_lo, ST_hi;
# VALID[o] counts its rows with both indices defined.
valid_in(f, o) = int(system(sprintf("awk -F '\\t' '/^#/ || /^[ \\t\\r]*$/ {next} !h {for (i = 1; i <= NF; i++) {if ($i == \"output\") c = i; if ($i == \"S1\") a = i; if ($i == \"ST\") b = i}; h = 1; next} $c == \"%s\" && $a != \"NA\" && $b != \"NA\" {n++} END {print n + 0}' '%s'", o, f)))
array VALID[NO]
do for [o = 1:NO] {
    out = word(outputs, o)
    VALID[o] = valid_in(sens, out)
    eval sprintf("set table $D%d", o)
    plot sens using (strcol("parameter")):(num("S1")):(num("S1_lo")):(num("S1_hi")):\
         (num("ST")):(num("ST_lo")):(num("ST_hi")) with table if (strcol("output") eq out)
    unset table
}

# One y range for every panel: [-0.1, 1.1], widened to the intervals (an
# estimate from few samples may stray outside [0, 1]).
extreme(f, op) = system(sprintf("awk -F '\\t' '/^#/ || /^[ \\t\\r]*$/ {next} !h {h = 1; next} {for (i = 3; i <= NF; i++) if ($i != \"NA\") {v = $i + 0; if (!n++ || v %s m) m = v}} END {print n ? m : 0}' '%s'", op, f)) + 0
ylo = extreme(sens, "<")
yhi = extreme(sens, ">")
ylo = ylo < -0.1 ? ylo - 0.05 : -0.1
yhi = yhi > 1.1 ? yhi + 0.05 : 1.1

# Draws one panel; an output that did not vary over the design has no
# indices, and its panel says so.
panel(o) = (VALID[o] > 0) \
    ? sprintf("plot $D%d using 2:3:4:xtic(1) title 'first order S1' lc rgb c_s1, '' using 5:6:7 title 'total order ST' lc rgb c_st", o) \
    : "set yrange [-0.1:1.1]; set label 99 'no indices: this output did not vary over the design' at graph 0.5, 0.5 center font ',11'; unset xtics; plot [0:1] 2 notitle; unset label 99; set xtics ".xtics_options

panel_height = 330
head = sprintf("Sobol indices: scenario %s, %s base samples, %s replications per evaluation; bars: %.0f%% bootstrap intervals", \
               scenario, nbase, reps, 100 * conf)
draw = "set multiplot layout NO, 1 title head font ',12' noenhanced; \
    do for [o = 1:NO] { \
        set title meaning(word(outputs, o)) font ',11' noenhanced; \
        set yrange [ylo:yhi]; \
        set ylabel 'index'; \
        eval panel(o); \
    }; \
    unset multiplot"

do for [ext in formats] {
    tmp = tmp_name("sensitivity", ext)
    eval "set terminal ".terminal(ext, 1100, panel_height * NO + 40)
    set output tmp
    @draw
    unset output
    if (publish(tmp, final_name("sensitivity", ext)) ne "ok") { exit status 1 }
}
