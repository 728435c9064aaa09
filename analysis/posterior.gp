# posterior.gp - the posterior of `alignsim infer`: for each parameter its
# marginal density (a weighted histogram of the particles) with the prior
# overlaid (a histogram of generation 0's draws, which are prior draws), and
# the pairwise scatter of the particles (the lower triangle of a corner
# plot; the darker a point, the larger its weight).  A marginal that looks
# like its prior is one the record does not constrain.
#
#   gnuplot -e "dir='out/historical-posterior'" analysis/posterior.gp
#
# Reads   DIR/posterior.tsv and DIR/prior.tsv   columns particle, weight,
#                                               then one per parameter
# Writes  OUTDIR/posterior.png, .svg (marginals, 3 per row) and
#         OUTDIR/posterior_pairs.png, .svg (OUTDIR = DIR unless outdir is
#         set; formats='svg' writes the SVG only: see common.gp).
#
# Columns are found by name; '#' provenance lines are skipped.  Each image
# is drawn under a temporary name and renamed only when complete.  Exit
# status: 0 done, 1 missing or unusable data, 2 usage.

if (!exists("dir")) {
    print "posterior.gp: usage: gnuplot -e \"dir='out/NAME-posterior'\" analysis/posterior.gp"
    exit status 2
}

gpdir = system(sprintf("dirname '%s'", ARG0))
load gpdir."/common.gp"

post = dir."/posterior.tsv"
prior = dir."/prior.tsv"
if (!readable(post) || !readable(prior)) {
    print sprintf("posterior.gp: %s: cannot read posterior.tsv and prior.tsv (does DIR hold the output of 'alignsim infer'?)", dir)
    exit status 1
}

# The parameter columns: every column after particle and weight.
params_in(f) = system(sprintf("awk -F '\\t' '/^#/ || /^[ \\t\\r]*$/ {next} {for (i = 1; i <= NF; i++) if ($i != \"particle\" && $i != \"weight\") printf \"%%s \", $i; exit}' '%s'", f))
params = params_in(post)
NP = words(params)
rows(f) = int(system(sprintf("awk '/^#/ || /^[ \\t\\r]*$/ {next} {n++} END {print n - 1}' '%s'", f)))
if (NP == 0 || rows(post) < 1) {
    print sprintf("posterior.gp: %s: no parameters or no particles", post)
    exit status 1
}
# A column's range over both tables (the prior's spans the posterior's).
colext(f, name, op) = system(sprintf("awk -F '\\t' '/^#/ || /^[ \\t\\r]*$/ {next} !c {for (i = 1; i <= NF; i++) if ($i == \"%s\") c = i; next} {v = $c + 0; if (!n++ || v %s m) m = v} END {print m + 0}' '%s'", name, op, f)) + 0

scenario = provenance(post, "scenario")
tol = provenance(post, "tolerance")
gens = provenance(post, "generations")
nbins = 30
c_post = "#27408b"
c_prior = "#d08c2c"

array LO[NP]
array HI[NP]
do for [k = 1:NP] {
    p = word(params, k)
    LO[k] = colext(prior, p, "<")
    HI[k] = colext(prior, p, ">")
    if (HI[k] <= LO[k]) { HI[k] = LO[k] + 1 }
}
binw(k) = (HI[k] - LO[k]) / nbins
bin(x, k) = LO[k] + binw(k) * (floor((x - LO[k]) / binw(k)) + 0.5)

set grid lc rgb "#bbbbbb" lw 0.5 dt 3
set border 3 lw 1
set tics nomirror out font ",8"
set key top right font ",8" samplen 2 noenhanced
set style fill solid 0.5 border -1

cols = 3
nrow = int((NP + cols - 1) / cols)
head = sprintf("Posterior of %s (generation %d, tolerance %.3g): weighted particles, prior outlined", scenario, gens - 1, tol + 0)
draw_marg = "set multiplot layout nrow, cols title head font ',11' noenhanced; \
    do for [k = 1:NP] { \
        p = word(params, k); \
        set title p font ',9' noenhanced; \
        set xrange [LO[k]:HI[k]]; set yrange [0:*]; \
        set ytics format ''; \
        plot post using (bin(column(p), k)):(column('weight') / binw(k)) smooth frequency with boxes lc rgb c_post title (k == 1 ? 'posterior' : ''), \
             prior using (bin(column(p), k)):(column('weight') / binw(k)) smooth frequency with steps lw 2 lc rgb c_prior title (k == 1 ? 'prior' : ''); \
    }; \
    unset multiplot"

do for [ext in formats] {
    tmp = tmp_name("posterior", ext)
    eval "set terminal ".terminal(ext, 1050, 280 * nrow + 40)
    set output tmp
    @draw_marg
    unset output
    if (publish(tmp, final_name("posterior", ext)) ne "ok") { exit status 1 }
}

# The corner plot: panel (i, j), i > j, is parameter j (x) against i (y).
wmax = colext(post, "weight", ">")
shade(w) = int(255 * (1 - (w / wmax) ** 0.5) * 0.85)
rgbw(w) = (shade(w) * 65536 + shade(w) * 256 + 255)
set key off
unset title
set ytics format "% g"
size = NP > 1 ? NP - 1 : 1
draw_pairs = "set multiplot layout size, size title sprintf('Pairs of the posterior particles of %s (darker: larger weight)', scenario) font ',11' noenhanced; \
    do for [i = 2:NP] { do for [j = 1:size] { \
        if (j < i) { \
            set xrange [LO[j]:HI[j]]; set yrange [LO[i]:HI[i]]; \
            set xlabel (i == NP ? word(params, j) : '') font ',8' noenhanced; \
            set ylabel (j == 1 ? word(params, i) : '') font ',8' noenhanced; \
            plot post using (column(word(params, j))):(column(word(params, i))):(rgbw(column('weight'))) with points pt 7 ps 0.35 lc rgb variable; \
        } else { set multiplot next } \
    } }; \
    unset multiplot"
if (NP > 1) {
    do for [ext in formats] {
        tmp = tmp_name("posterior_pairs", ext)
        eval "set terminal ".terminal(ext, 230 * size + 60, 210 * size + 60)
        set output tmp
        @draw_pairs
        unset output
        if (publish(tmp, final_name("posterior_pairs", ext)) ne "ok") { exit status 1 }
    }
}
