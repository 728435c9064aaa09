# ladder.gp - the label ladder for the plot scripts in analysis/ (loaded
# after common.gp by trajectory.gp, fan.gp and labelmap.gp):
#
#   LBL[i], LNAME[i], LMIN[i]   i = 1..NL, sorted by label; LMIN of the
#                               lowest label is NaN (it has no lower bound)
#   LWRAP[i]                    "LABEL NAME" wrapped onto lines of at most
#                               40 characters (band names in a margin)
#   band_lo(i), band_hi(i)      the band of rung i on the x axis [-1, 1]
#   threshold(i)                the x a trajectory crosses to enter rung i
#   rung_of_label(L)            i with LBL[i] == L, or 0
#   rung_of_x(x)                the rung whose band holds x
#   band_rgb(m)                 the band shade at x = m, "#rrggbb"
#
# The ladder is read from DIR/ladder.tsv (label, label_name, x_min, in any
# row order) when the folder has one, else the default ladder of
# configs/ladder.cfg is used.

array LBL[64]
array LNAME[64]
array LMIN[64]
array LWRAP[64]
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
        "comprehensive strategic partnership for a new era", \
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
band_lo(i) = isnan(LMIN[i]) ? -1.0 : LMIN[i]
band_hi(i) = (i >= NL) ? 1.0 : LMIN[i + 1]
# The x a trajectory crosses to enter a label: its lower bound, or for the
# lowest label the bound above it.
threshold(i) = isnan(LMIN[i]) ? ((i < NL) ? LMIN[i + 1] : 0.0) : LMIN[i]
rung_of_label_from(L, i) = (i > NL) ? 0 : ((LBL[i] == L) ? i : rung_of_label_from(L, i + 1))
rung_of_label(L) = isnan(L) ? 0 : rung_of_label_from(L, 1)
rung_of_x_from(x, i) = (i >= NL) ? NL : ((x < band_hi(i)) ? i : rung_of_x_from(x, i + 1))
rung_of_x(x) = isnan(x) ? 0 : rung_of_x_from(x, 1)

# Band shades: light grey at x = 0, towards soft red for hostility and
# soft blue for alignment, so the eye reads the ladder without a legend.
mix(a, b, t) = int(a + (b - a) * (t > 1 ? 1 : t) + 0.5)
band_rgb(m) = (m < 0) \
    ? sprintf("#%02x%02x%02x", mix(245, 236, -m), mix(245, 160, -m), mix(245, 150, -m)) \
    : sprintf("#%02x%02x%02x", mix(245, 160, m), mix(245, 196, m), mix(245, 230, m))

# Band names wrapped onto lines of at most 40 characters, so that even the
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
    LWRAP[i] = out.line
}
