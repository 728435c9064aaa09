/*
 * test_plots - scripts/plots.sh and the gnuplot scripts in analysis/ on
 * what the program actually writes.
 *
 * The group set-up runs the built program (ALIGNSIM_BIN) once for each kind
 * of result folder a plot exists for: a run and a batch of the historical
 * scenario, its claim test, a comparison of the two rival hypotheses and a
 * small sensitivity analysis.  Each test copies the folder it needs into a
 * fresh scratch folder (plots are written next to the data), runs plots.sh
 * from the top of the source tree, as `make test` does, and checks what a
 * user would notice: the exit status, the list of files printed, that every
 * image is a real PNG of the stated size with more than a blank canvas or an
 * SVG with the expected text, that gnuplot printed nothing (no warning), and
 * that failures leave no image behind.  Because the folders come from the
 * program, renaming a column the scripts read makes these tests fail.
 * Tests are skipped, loudly, only when gnuplot is not installed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLOTS_SH "scripts/plots.sh"
#define HISTORICAL "scenarios/historical.cfg"

static const char *const main_dyads[] = {"china-russia", "china-us", "russia-us"};

/* The result folders made once by the group set-up, under root. */
typedef struct {
    char *root;
} group;

typedef struct {
    const group *g;
    char *tmp;   /* scratch folder, removed by teardown */
} fixture;

static int have_gnuplot(void)
{
    return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

/* Skips the test, saying why on stderr so that a skip is never silent. */
#define NEED_GNUPLOT()                                                             \
    do {                                                                           \
        if (!have_gnuplot()) {                                                     \
            fprintf(stderr, "test_plots: SKIPPED: gnuplot is not installed "       \
                            "(make deps-plots installs it)\n");                    \
            skip();                                                                \
        }                                                                          \
    } while (0)

static int group_setup(void **state)
{
    if (!testutil_exists(PLOTS_SH) || !testutil_exists(HISTORICAL)) {
        fprintf(stderr, "test_plots: run from the top of the source tree (%s not found)\n", PLOTS_SH);
        return -1;
    }
    group *g = calloc(1, sizeof *g);
    if (!g)
        return -1;
    g->root = testutil_mkdtemp();
    *state = g;
    char dir[PATH_MAX], top[PATH_MAX], sweep[PATH_MAX];
    if (!getcwd(top, sizeof top))
        return -1;

    snprintf(dir, sizeof dir, "%s/run", g->root);
    const char *run[] = {"run", HISTORICAL, "-o", dir, NULL};
    if (testutil_run_ok(run))
        return -1;
    snprintf(dir, sizeof dir, "%s/batch", g->root);
    const char *batch[] = {"batch", HISTORICAL, "-n", "24", "-q", "-o", dir, NULL};
    if (testutil_run_ok(batch))
        return -1;
    snprintf(dir, sizeof dir, "%s/claim", g->root);
    const char *claim[] = {"claim", HISTORICAL, "-n", "16", "-q", "-o", dir, NULL};
    if (testutil_run_ok(claim))
        return -1;

    char a[PATH_MAX], b[PATH_MAX];
    snprintf(a, sizeof a, "%s/opposite", g->root);
    snprintf(b, sizeof b, "%s/precursor", g->root);
    snprintf(dir, sizeof dir, "%s/compare", g->root);
    const char *ba[] = {"batch", "scenarios/rivals/opposite.cfg", "-n", "12", "-q", "-o", a, NULL};
    const char *bb[] = {"batch", "scenarios/rivals/precursor.cfg", "-n", "12", "-q", "-o", b, NULL};
    const char *cmp[] = {"compare", a, b, "-q", "-o", dir, NULL};
    if (testutil_run_ok(ba) || testutil_run_ok(bb) || testutil_run_ok(cmp))
        return -1;

    /* Two single runs compared: no bands, no intervals. */
    char r2[PATH_MAX], rc[PATH_MAX], r1[PATH_MAX];
    snprintf(r1, sizeof r1, "%s/run", g->root);
    snprintf(r2, sizeof r2, "%s/run-opposite", g->root);
    snprintf(rc, sizeof rc, "%s/runs-compare", g->root);
    const char *ro[] = {"run", "scenarios/rivals/opposite.cfg", "-o", r2, NULL};
    const char *rcmp[] = {"compare", r1, r2, "-q", "-o", rc, NULL};
    if (testutil_run_ok(ro) || testutil_run_ok(rcmp))
        return -1;

    /* A small sensitivity analysis: two parameters, 16 base samples. */
    snprintf(sweep, sizeof sweep, "%s/sens.cfg", g->root);
    FILE *f = fopen(sweep, "w");
    if (!f)
        return -1;
    fprintf(f,
            "name = \"tiny\";\n"
            "scenario = \"%s/" HISTORICAL "\";\n"
            "design = \"sobol\";\npoints = 4;\nreps = 2;\n"
            "parameters = ( { path = \"model.gate_security\"; min = 1.0; max = 10.0; },\n"
            "               { path = \"model.w_threat\"; min = 0.5; max = 2.0; } );\n"
            "sensitivity = { base_samples = 16; reps = 2; bootstrap = 50; confidence = 0.95; };\n",
            top);
    if (fclose(f) != 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/sensitivity", g->root);
    const char *sens[] = {"sensitivity", sweep, "-q", "-o", dir, NULL};
    return testutil_run_ok(sens);
}

static int group_teardown(void **state)
{
    group *g = *state;
    if (g) {
        testutil_rmtree(g->root);
        free(g->root);
        free(g);
    }
    return 0;
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    fx->g = *state;
    fx->tmp = testutil_mkdtemp();
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    testutil_rmtree(fx->tmp);
    free(fx->tmp);
    free(fx);
    return 0;
}

/* Copies the group's folder name into the scratch folder; returns its path. */
static char *copy_folder(const fixture *fx, const char *name)
{
    char *src = testutil_path(fx->g->root, name);
    char *dst = testutil_path(fx->tmp, name);
    testutil_copy_tree(src, dst);
    free(src);
    return dst;
}

/* Runs plots.sh on dir and asserts it succeeded without a word on stderr
 * (gnuplot's warnings, e.g. on an element with no points, go there). */
static testutil_result plots_ok(const char *dir)
{
    const char *argv[] = {PLOTS_SH, dir, NULL};
    testutil_result r = testutil_exec(argv);
    if (r.status != 0 || r.err[0])
        print_error("plots.sh %s: status %d, stderr:\n%s\n", dir, r.status, r.err);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    return r;
}

static testutil_result run_plots(const char *dir)
{
    const char *argv[] = {PLOTS_SH, dir, NULL};
    return testutil_exec(argv);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/*
 * Asserts that dir/name is a PNG of width x height pixels (height 0: any)
 * with more than a blank canvas in it (a plot with bands and lines
 * compresses to tens of KB; an empty 1200x700 canvas to a few hundred
 * bytes).
 */
static void assert_png(const char *dir, const char *name, uint32_t width, uint32_t height)
{
    char *path = testutil_path(dir, name);
    size_t len = 0;
    char *data = testutil_slurp(path, &len);
    if (!data)
        print_error("%s: not written\n", path);
    assert_non_null(data);
    assert_true(len > 20000);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    assert_memory_equal(data, sig, sizeof sig);
    const unsigned char *u = (const unsigned char *)data;
    assert_memory_equal(u + 12, "IHDR", 4);
    assert_int_equal(be32(u + 16), width);
    if (height)
        assert_int_equal(be32(u + 20), height);
    free(data);
    free(path);
}

/* Reads dir/name, an SVG image, and returns its text. */
static char *read_svg(const char *dir, const char *name)
{
    char *path = testutil_path(dir, name);
    char *text = testutil_slurp(path, NULL);
    if (!text)
        print_error("%s: not written\n", path);
    assert_non_null(text);
    assert_non_null(strstr(text, "<svg"));
    assert_non_null(strstr(text, "</svg>"));
    free(path);
    return text;
}

/* Writes text to dir/name. */
static void write_file(const char *dir, const char *name, const char *text)
{
    char *path = testutil_path(dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
    free(path);
}

static int exists_in(const char *dir, const char *name)
{
    char *path = testutil_path(dir, name);
    int e = testutil_exists(path);
    free(path);
    return e;
}

/* The value of provenance line "# key: value" of dir/file, in buf. */
static const char *prov(const char *dir, const char *file, const char *key, char *buf, size_t len)
{
    char *path = testutil_path(dir, file);
    char *text = testutil_slurp(path, NULL);
    assert_non_null(text);
    char want[128];
    snprintf(want, sizeof want, "# %s: ", key);
    const char *p = strstr(text, want);
    if (!p)
        print_error("%s: no provenance line '%s'\n", path, want);
    assert_non_null(p);
    p += strlen(want);
    size_t n = strcspn(p, "\n");
    assert_true(n < len);
    memcpy(buf, p, n);
    buf[n] = '\0';
    free(text);
    free(path);
    return buf;
}

/* Each distinct value of column col of the table dir/file, in file order,
 * passed to check(value, ctx). */
static void each_value(const char *dir, const char *file, const char *col,
                       void (*check)(const char *value, void *ctx), void *ctx)
{
    char *path = testutil_path(dir, file);
    char *text = testutil_slurp(path, NULL);
    assert_non_null(text);
    long c = -1;
    char seen[8192] = "\n";
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        char *cells[64];
        size_t n = 0;
        for (char *p = line; n < 64;) {
            cells[n++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        if (c < 0) {
            for (size_t i = 0; i < n; i++)
                if (strcmp(cells[i], col) == 0)
                    c = (long)i;
            assert_true(c >= 0);
            continue;
        }
        assert_true((size_t)c < n);
        char key[256];
        snprintf(key, sizeof key, "\n%s\n", cells[c]);
        if (strstr(seen, key))
            continue;
        size_t used = strlen(seen);
        snprintf(seen + used, sizeof seen - used, "%s\n", cells[c]);
        check(cells[c], ctx);
    }
    free(text);
    free(path);
}

static void contains_value(const char *value, void *svg)
{
    assert_contains((const char *)svg, value);
}

/* Every rung of the folder's ladder.tsv is drawn in svg, named by its label
 * and the first word of its name (long names are wrapped onto lines). */
static void assert_ladder_drawn(const char *dir, const char *svg)
{
    char *path = testutil_path(dir, "ladder.tsv");
    char *text = testutil_slurp(path, NULL);
    assert_non_null(text);
    int header = 1;
    size_t rungs = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        if (header) {
            assert_string_equal(line, "label\tlabel_name\tx_min");
            header = 0;
            continue;
        }
        char want[128];
        size_t label = strcspn(line, "\t");
        const char *name = line + label + 1;
        snprintf(want, sizeof want, "%.*s %.*s", (int)label, line, (int)strcspn(name, " \t"), name);
        assert_contains(svg, want);
        rungs++;
    }
    assert_true(rungs >= 2);
    free(text);
    free(path);
}

/* ------------------------------------------------------------------ */

static void test_run_folder_draws_trajectory_and_label_map(void **state)
{
    NEED_GNUPLOT();
    fixture *fx = *state;
    char *dir = copy_folder(fx, "run");
    testutil_result r = plots_ok(dir);
    char want[4096];
    snprintf(want, sizeof want, "%s/trajectory.png\n%s/trajectory.svg\n%s/labelmap.png\n%s/labelmap.svg\n",
             dir, dir, dir, dir);
    assert_string_equal(r.out, want);
    assert_png(dir, "trajectory.png", 1200, 700);
    assert_png(dir, "labelmap.png", 1200, 0);

    char *svg = read_svg(dir, "trajectory.svg");
    /* Legend: the three default dyads, not the Central Asian ones. */
    for (size_t i = 0; i < 3; i++)
        assert_contains(svg, main_dyads[i]);
    assert_null(strstr(svg, "china-kazakhstan"));
    assert_ladder_drawn(dir, svg);
    assert_contains(svg, "milestone, historical");
    assert_contains(svg, "milestone, simulated");
    char seed[64], title[256];
    prov(dir, "trajectory.tsv", "seed", seed, sizeof seed);
    snprintf(title, sizeof title, "scenario historical, seed %s", seed);
    assert_contains(svg, title);
    free(svg);

    /* The label map has a row for every dyad of the run. */
    svg = read_svg(dir, "labelmap.svg");
    each_value(dir, "trajectory.tsv", "dyad", contains_value, svg);
    assert_ladder_drawn(dir, svg);
    assert_contains(svg, "declared label");
    free(svg);

    assert_false(exists_in(dir, ".trajectory.png.tmp"));
    assert_false(exists_in(dir, ".labelmap.svg.tmp"));
    testutil_result_clear(&r);
    free(dir);
}

static void test_batch_folder_draws_fan_per_dyad(void **state)
{
    NEED_GNUPLOT();
    fixture *fx = *state;
    char *dir = copy_folder(fx, "batch");
    testutil_result r = plots_ok(dir);

    char want[4096] = "";
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(want);
        snprintf(want + n, sizeof want - n, "%s/fan_%s.png\n%s/fan_%s.svg\n", dir, main_dyads[i], dir,
                 main_dyads[i]);
    }
    size_t n = strlen(want);
    snprintf(want + n, sizeof want - n, "%s/fans.png\n%s/fans.svg\n%s/labelmap.png\n%s/labelmap.svg\n", dir,
             dir, dir, dir);
    assert_string_equal(r.out, want);

    for (size_t i = 0; i < 3; i++) {
        char name[64];
        snprintf(name, sizeof name, "fan_%s.png", main_dyads[i]);
        assert_png(dir, name, 1200, 700);
        snprintf(name, sizeof name, "fan_%s.svg", main_dyads[i]);
        char *svg = read_svg(dir, name);
        char title[128];
        snprintf(title, sizeof title, "%s: 24 replications, scenario historical", main_dyads[i]);
        assert_contains(svg, title);
        assert_contains(svg, "5-95% of replications");
        assert_contains(svg, "95% CI of the mean");
        assert_contains(svg, "median");
        assert_contains(svg, "P(alliance)");
        assert_ladder_drawn(dir, svg);
        free(svg);
    }
    char *svg = read_svg(dir, "labelmap.svg");
    each_value(dir, "summary.tsv", "dyad", contains_value, svg);
    assert_contains(svg, "rung of the median x");
    free(svg);
    /* Every dyad's small fan chart, titled by the dyad. */
    assert_png(dir, "fans.png", 1200, 0);
    svg = read_svg(dir, "fans.svg");
    each_value(dir, "summary.tsv", "dyad", contains_value, svg);
    assert_contains(svg, "Every dyad: mean alignment x and the 5-95% band of 24 replications, scenario historical");
    free(svg);
    /* The batch has no trajectory, so no trajectory plot. */
    assert_false(exists_in(dir, "trajectory.png"));
    testutil_result_clear(&r);
    free(dir);
}

static void test_claim_folder_draws_the_strength_curve(void **state)
{
    NEED_GNUPLOT();
    fixture *fx = *state;
    char *dir = copy_folder(fx, "claim");
    testutil_result r = plots_ok(dir);
    char want[1024];
    snprintf(want, sizeof want, "%s/claim.png\n%s/claim.svg\n", dir, dir);
    assert_contains(r.out, want);
    assert_png(dir, "claim.png", 1200, 700);
    char *svg = read_svg(dir, "claim.svg");
    char value[128], text[256];
    snprintf(text, sizeof text, "scenario historical, %s replications per strength",
             prov(dir, "claim_curve.tsv", "replications", value, sizeof value));
    assert_contains(svg, text);
    assert_contains(svg, "95% exact interval");
    assert_contains(svg, "no reversal: P(alliance by the horizon), 95%");
    /* The crossing of one half, as the provenance records it. */
    prov(dir, "claim_curve.tsv", "half_strength", value, sizeof value);
    if (strcmp(value, "NA") != 0) {
        snprintf(text, sizeof text, "P = 1/2 at strength %.3g", strtod(value, NULL));
        assert_contains(svg, text);
    }
    free(svg);
    testutil_result_clear(&r);
    free(dir);
}

static void test_compare_folder_draws_both_runs(void **state)
{
    NEED_GNUPLOT();
    fixture *fx = *state;
    char *dir = copy_folder(fx, "compare");
    testutil_result r = plots_ok(dir);
    for (size_t i = 0; i < 3; i++) {
        char name[64];
        snprintf(name, sizeof name, "compare_%s.png", main_dyads[i]);
        assert_png(dir, name, 1200, 900);
        snprintf(name, sizeof name, "compare_%s.svg", main_dyads[i]);
        char *svg = read_svg(dir, name);
        assert_contains(svg, "A: rivals_opposite");
        assert_contains(svg, "B: rivals_precursor");
        assert_contains(svg, "differences from A: paired, 95% intervals");
        assert_contains(svg, "P(alliance)");
        free(svg);
    }
    testutil_result_clear(&r);
    free(dir);
}

/* Two runs compared: their x and the difference, without the bands and
 * intervals single runs do not have (and without a gnuplot warning about
 * the empty columns). */
static void test_compare_of_runs_draws_without_bands(void **state)
{
    NEED_GNUPLOT();
    fixture *fx = *state;
    char *dir = copy_folder(fx, "runs-compare");
    testutil_result r = plots_ok(dir);
    assert_png(dir, "compare_china-russia.png", 1200, 900);
    char *svg = read_svg(dir, "compare_china-russia.svg");
    assert_contains(svg, "A: historical, x");
    assert_contains(svg, "B: rivals_opposite, x");
    assert_contains(svg, "B - A");
    assert_contains(svg, "differences from A: single runs, no intervals");
    assert_null(strstr(svg, "5-95%"));
    assert_null(strstr(svg, "P(alliance)"));
    free(svg);
    testutil_result_clear(&r);
    free(dir);
}

/* Parameter paths are drawn as written: an underscore must not turn the
 * rest of the name into a subscript (gnuplot's enhanced text). */
static void test_sensitivity_folder_draws_indices(void **state)
{
    NEED_GNUPLOT();
    fixture *fx = *state;
    char *dir = copy_folder(fx, "sensitivity");
    testutil_result r = plots_ok(dir);
    char want[1024];
    snprintf(want, sizeof want, "%s/sensitivity.png\n%s/sensitivity.svg\n", dir, dir);
    assert_string_equal(r.out, want);
    assert_png(dir, "sensitivity.png", 1100, 0);
    char *svg = read_svg(dir, "sensitivity.svg");
    assert_contains(svg, "model.gate_security");
    assert_contains(svg, "model.w_threat");
    assert_contains(svg, "16 base samples");
    free(svg);
    testutil_result_clear(&r);
    free(dir);
}

/* Only the default dyads that the summary has get a fan chart. */
static void test_fan_only_for_dyads_in_summary(void **state)
{
    NEED_GNUPLOT();
    fixture *fx = *state;
    char *dir = copy_folder(fx, "batch");
    char *path = testutil_path(dir, "summary.tsv");
    char *src = testutil_slurp(path, NULL);
    assert_non_null(src);
    /* Keep provenance, header and the china-us rows. */
    size_t cap = strlen(src) + 1, n = 0;
    char *dst = malloc(cap);
    assert_non_null(dst);
    for (char *line = strtok(src, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || strncmp(line, "year\t", 5) == 0 || strstr(line, "\tchina-us\t"))
            n += (size_t)snprintf(dst + n, cap - n, "%s\n", line);
    }
    write_file(dir, "summary.tsv", dst);
    free(dst);
    free(src);
    free(path);

    testutil_result r = plots_ok(dir);
    char want[4096];
    snprintf(want, sizeof want,
             "%s/fan_china-us.png\n%s/fan_china-us.svg\n%s/fans.png\n%s/fans.svg\n%s/labelmap.png\n"
             "%s/labelmap.svg\n",
             dir, dir, dir, dir, dir, dir);
    assert_string_equal(r.out, want);
    assert_png(dir, "fan_china-us.png", 1200, 700);
    assert_false(exists_in(dir, "fan_china-russia.png"));
    assert_false(exists_in(dir, "fan_russia-us.png"));
    testutil_result_clear(&r);
    free(dir);
}

/* A seminar's own ladder.tsv replaces the default bands. */
static void test_ladder_file_sets_the_bands(void **state)
{
    NEED_GNUPLOT();
    fixture *fx = *state;
    char *dir = copy_folder(fx, "run");
    /* Rows out of order on purpose: the scripts sort by label. */
    write_file(dir, "ladder.tsv",
               "# scenario: seminar\n"
               "label\tlabel_name\tx_min\n"
               "2\tseminar hot band\t0.5\n"
               "0\tseminar cold band\tNA\n"
               "1\tseminar warm band\t-0.1\n");
    testutil_result r = plots_ok(dir);
    char *svg = read_svg(dir, "trajectory.svg");
    assert_contains(svg, "0 seminar cold band");
    assert_contains(svg, "1 seminar warm band");
    assert_contains(svg, "2 seminar hot band");
    assert_null(strstr(svg, "treaty-backed"));
    assert_null(strstr(svg, "armed clashes"));
    free(svg);
    testutil_result_clear(&r);
    free(dir);
}

static void test_folder_without_data_fails_with_message(void **state)
{
    NEED_GNUPLOT();
    fixture *fx = *state;
    char *dir = testutil_path(fx->tmp, "empty");
    assert_int_equal(mkdir(dir, 0755), 0);
    write_file(dir, "events.tsv", "time\ttype\tactors\tdetail\n");
    testutil_result r = run_plots(dir);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_contains(r.err, dir);
    assert_contains(r.err, "nothing to plot");
    assert_contains(r.err, "trajectory.tsv");
    testutil_result_clear(&r);

    char *missing = testutil_path(fx->tmp, "no-such-folder");
    r = run_plots(missing);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, "no such folder");
    testutil_result_clear(&r);

    const char *argv[] = {PLOTS_SH, NULL};
    r = testutil_exec(argv);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "usage");
    testutil_result_clear(&r);
    free(missing);
    free(dir);
}

/*
 * A table gnuplot cannot draw (a header and no rows) makes plots.sh fail,
 * and neither a final image nor a temporary one is left in the folder.
 */
static void test_unusable_table_fails_and_leaves_no_image(void **state)
{
    NEED_GNUPLOT();
    fixture *fx = *state;
    char *dir = testutil_path(fx->tmp, "broken");
    assert_int_equal(mkdir(dir, 0755), 0);
    write_file(dir, "trajectory.tsv",
               "# program: alignsim 0.1.0\n"
               "year\tdyad\tx\tlabel\tlabel_name\tcommitment\n");
    testutil_result r = run_plots(dir);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, "gnuplot failed on analysis/trajectory.gp");
    assert_false(exists_in(dir, "trajectory.png"));
    assert_false(exists_in(dir, "trajectory.svg"));
    assert_false(exists_in(dir, ".trajectory.png.tmp"));
    testutil_result_clear(&r);
    free(dir);
}

/* The scripts also run by hand, with the dyads of the user's choice. */
static void test_trajectory_script_takes_dyads(void **state)
{
    NEED_GNUPLOT();
    fixture *fx = *state;
    char *dir = copy_folder(fx, "run");
    char expr[4096];
    snprintf(expr, sizeof expr, "dir='%s'; dyads='china-kazakhstan china-russia'", dir);
    const char *argv[] = {"gnuplot", "-e", expr, "analysis/trajectory.gp", NULL};
    testutil_result r = testutil_exec(argv);
    if (r.status != 0)
        print_error("gnuplot stderr:\n%s\n", r.err);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    char *svg = read_svg(dir, "trajectory.svg");
    assert_contains(svg, "china-kazakhstan");
    assert_null(strstr(svg, "russia-us"));
    free(svg);
    assert_png(dir, "trajectory.png", 1200, 700);
    testutil_result_clear(&r);

    /* Without dir the script says how to call it. */
    const char *argv2[] = {"gnuplot", "analysis/trajectory.gp", NULL};
    r = testutil_exec(argv2);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "usage");
    testutil_result_clear(&r);
    free(dir);
}

/* Names of the entries of dir, sorted and joined by newlines. */
static char *listing(const char *dir)
{
    const char *argv[] = {"ls", "-a", dir, NULL};
    testutil_result r = testutil_exec(argv);
    assert_int_equal(r.status, 0);
    free(r.err);
    return r.out;
}

/*
 * outdir and formats: the images go to another folder, in the formats
 * asked for, and the result folder is left as it was (alignsim report
 * draws this way).  An unknown format is a usage error.
 */
static void test_outdir_and_formats_leave_the_folder_alone(void **state)
{
    NEED_GNUPLOT();
    fixture *fx = *state;
    char *dir = copy_folder(fx, "batch");
    char *out = testutil_path(fx->tmp, "images");
    assert_int_equal(mkdir(out, 0755), 0);
    char *before = listing(dir);
    static const char *const scripts[] = {"fan.gp", "labelmap.gp"};
    static const char *const images[] = {"fan_china-russia.svg", "labelmap.svg"};
    for (size_t i = 0; i < 2; i++) {
        char expr[4096], script[64];
        snprintf(expr, sizeof expr, "dir='%s'; outdir='%s'; formats='svg'", dir, out);
        snprintf(script, sizeof script, "analysis/%s", scripts[i]);
        const char *argv[] = {"gnuplot", "-e", expr, script, NULL};
        testutil_result r = testutil_exec(argv);
        if (r.status != 0 || r.err[0])
            print_error("gnuplot %s: %d\n%s\n", script, r.status, r.err);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.err, "");
        char *svg = read_svg(out, images[i]);
        free(svg);
        testutil_result_clear(&r);
    }
    assert_false(exists_in(out, "fan_china-russia.png"));
    assert_false(exists_in(out, "labelmap.png"));
    char *after = listing(dir);
    assert_string_equal(before, after);
    free(before);
    free(after);

    char expr[4096];
    snprintf(expr, sizeof expr, "dir='%s'; outdir='%s'; formats='jpeg'", dir, out);
    const char *argv[] = {"gnuplot", "-e", expr, "analysis/fan.gp", NULL};
    testutil_result r = testutil_exec(argv);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "expected png, svg or both, found 'jpeg'");
    testutil_result_clear(&r);
    free(out);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_run_folder_draws_trajectory_and_label_map),
        T(test_batch_folder_draws_fan_per_dyad),
        T(test_claim_folder_draws_the_strength_curve),
        T(test_compare_folder_draws_both_runs),
        T(test_compare_of_runs_draws_without_bands),
        T(test_sensitivity_folder_draws_indices),
        T(test_fan_only_for_dyads_in_summary),
        T(test_ladder_file_sets_the_bands),
        T(test_folder_without_data_fails_with_message),
        T(test_unusable_table_fails_and_leaves_no_image),
        T(test_trajectory_script_takes_dyads),
        T(test_outdir_and_formats_leave_the_folder_alone),
#undef T
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
