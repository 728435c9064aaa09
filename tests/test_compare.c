/*
 * test_compare - `alignsim compare` as a seminar meets it: paired intervals
 * of two batches with common random numbers equal a direct computation
 * over the same replications; Welch intervals of two batches with different
 * seeds equal the textbook formula applied to their summaries; folders that
 * cannot be compared (other dyads, years, kinds, program versions, missing
 * files) are refused with exit status 2 and a message that says why;
 * single runs are compared without intervals; three folders give the extra
 * columns; the projector table and the settings that differ are printed;
 * the result does not depend on -j; the rival-hypothesis configs differ
 * from the default model exactly where they should; the plot renders.
 *
 * Batches are of the small scenario tests/data/batch/small.cfg (three
 * actors, drawn parameters), 40 replications each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>

#include "io/tsv.h"
#include "model/model.h"
#include "model/spec.h"
#include "run/batch.h"
#include "scenario/scenario.h"
#include "scenario/diff.h"
#include "study/compare.h"

#define SMALL "tests/data/batch/small.cfg"
#define REPS 40

typedef struct {
    char *dir;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    fx->dir = testutil_mkdtemp();
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    testutil_rmtree(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */


/* Runs `alignsim batch SMALL -n REPS` into dir/sub with up to two extra
 * arguments pairs; fails the test unless it succeeds. */
static char *batch(const char *dir, const char *sub, const char *a1, const char *a2, const char *a3,
                   const char *a4)
{
    char *out = testutil_path(dir, sub);
    const char *args[] = {"batch", SMALL, "-n", "40", "-j", "2", "-q", "-o", out, a1, a2, a3, a4, NULL};
    testutil_result r = testutil_run(args);
    if (r.status != 0)
        print_error("%s", r.err);
    assert_int_equal(r.status, 0);
    testutil_result_clear(&r);
    return out;
}

/* Runs `alignsim compare` on NULL-terminated folders into out. */
static testutil_result compare(const char *out, const char *j, const char *const *dirs)
{
    const char *args[32] = {"compare", "-q", "-j", j, "-o", out};
    size_t n = 6;
    for (size_t i = 0; dirs[i] && n < 30; i++)
        args[n++] = dirs[i];
    args[n] = NULL;
    return testutil_run(args);
}

static tsv_table *read_table(const char *dir, const char *name)
{
    char *path = testutil_path(dir, name);
    char err[1024];
    tsv_table *t = tsv_read(path, err, sizeof err);
    if (!t)
        print_error("%s\n", err);
    free(path);
    assert_non_null(t);
    return t;
}

/* Row of (year, dyad) in t, or fails. */
static size_t find_row(const tsv_table *t, const char *year, const char *dyad)
{
    long cy = tsv_column(t, "year"), cd = tsv_column(t, "dyad");
    assert_true(cy >= 0 && cd >= 0);
    for (size_t r = 0; r < tsv_rows(t); r++)
        if (strcmp(tsv_cell(t, r, (size_t)cy), year) == 0 && strcmp(tsv_cell(t, r, (size_t)cd), dyad) == 0)
            return r;
    print_error("no row %s %s in %s\n", year, dyad, tsv_path(t));
    fail();
    return 0;
}

static double num(const tsv_table *t, size_t row, const char *col)
{
    long c = tsv_column(t, col);
    if (c < 0)
        print_error("no column %s in %s\n", col, tsv_path(t));
    assert_true(c >= 0);
    double v;
    assert_int_equal(tsv_parse_double(tsv_cell(t, row, (size_t)c), &v), 0);
    return v;
}

/* ------------------------------------------------------------------ */
/* Direct computation of paired differences                           */
/* ------------------------------------------------------------------ */

typedef struct {
    int year;
    size_t dyad;
    double x;
    int allied;
} probe;

static int probe_sample(void *ctx, int year, const model *m)
{
    probe *p = ctx;
    if (year == p->year) {
        p->x = model_dyad_x(m, p->dyad);
        p->allied = model_dyad_rung(m, p->dyad) == model_alliance_rung(m);
    }
    return 0;
}

/* x and the alliance flag of dyad a-b in `year` of replication rep of the
 * batch whose folder is dir, by running its scenario.cfg directly. */
static void direct_values(const char *dir, int year, double *x, int *allied)
{
    char *cfg = testutil_path(dir, "scenario.cfg");
    model_spec spec;
    scenario_diags d = {NULL, 0};
    model_spec_init(&spec);
    assert_int_equal(scenario_load(cfg, NULL, &spec, NULL, &d), SCENARIO_OK);
    model *m = model_alloc(&spec);
    assert_non_null(m);
    probe p = {year, spec_dyad_index(spec.nactors, model_spec_find_actor(&spec, "a"), model_spec_find_actor(&spec, "b")),
               NAN, 0};
    model_observer obs = {&p, NULL, probe_sample, NULL};
    for (uint64_t r = 0; r < REPS; r++) {
        p.x = NAN;
        assert_int_equal(model_run(m, batch_rep_seed(spec.seed, r), NULL, &obs, NULL), MODEL_OK);
        x[r] = p.x;
        allied[r] = p.allied;
    }
    model_free(m);
    model_spec_clear(&spec);
    scenario_diags_clear(&d);
    free(cfg);
}

/* Mean and two-pass sample sd. */
static void mean_sd(const double *v, size_t n, double *mean, double *sd)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    *mean = s / (double)n;
    double q = 0;
    for (size_t i = 0; i < n; i++)
        q += (v[i] - *mean) * (v[i] - *mean);
    *sd = sqrt(q / (double)(n - 1));
}

/* ------------------------------------------------------------------ */
/* Tests                                                              */
/* ------------------------------------------------------------------ */

static void test_paired_intervals_equal_a_direct_computation(void **state)
{
    fixture *fx = *state;
    char *a = batch(fx->dir, "a", NULL, NULL, NULL, NULL);
    char *b = batch(fx->dir, "b", "--set", "model.w_threat=3.5", NULL, NULL);
    char *out = testutil_path(fx->dir, "cmp");
    const char *dirs[] = {a, b, NULL};
    testutil_result r = compare(out, "2", dirs);
    if (r.status != 0)
        print_error("%s", r.err);
    assert_int_equal(r.status, 0);
    tsv_table *t = read_table(out, "compare.tsv");
    assert_string_equal(tsv_prov(t, "method"), "paired");
    assert_string_equal(tsv_prov(t, "method_B"), "paired");

    double xa[REPS], xb[REPS], d[REPS], pd[REPS];
    int fa[REPS], fb[REPS];
    direct_values(a, 1970, xa, fa);
    direct_values(b, 1970, xb, fb);
    for (int i = 0; i < REPS; i++) {
        d[i] = xb[i] - xa[i];
        pd[i] = (double)fb[i] - (double)fa[i];
    }
    double m, sd, tq = gsl_cdf_tdist_Pinv(0.975, REPS - 1);
    mean_sd(d, REPS, &m, &sd);
    size_t row = find_row(t, "1970", "a-b");
    /* The accumulators quantise to 2^-32: agreement to 1e-8. */
    assert_true(sd > 0.001); /* a real, noisy difference */
    assert_close(num(t, row, "diff"), m, 1e-8);
    assert_close(num(t, row, "ci_lo"), m - tq * sd / sqrt(REPS), 1e-8);
    assert_close(num(t, row, "ci_hi"), m + tq * sd / sqrt(REPS), 1e-8);
    double mx, sx;
    mean_sd(xa, REPS, &mx, &sx);
    assert_close(num(t, row, "mean_A"), mx, 1e-8);
    mean_sd(pd, REPS, &m, &sd);
    assert_close(num(t, row, "p_diff"), m, 1e-8);
    if (sd > 0) {
        assert_close(num(t, row, "p_ci_lo"), m - tq * sd / sqrt(REPS), 1e-8);
    }
    tsv_free(t);
    testutil_result_clear(&r);

    /* -j 1 gives the same bytes. */
    char *out1 = testutil_path(fx->dir, "cmp1");
    r = compare(out1, "1", dirs);
    assert_int_equal(r.status, 0);
    testutil_result_clear(&r);
    char *p2 = testutil_path(out, "compare.tsv"), *p1 = testutil_path(out1, "compare.tsv");
    char *t2 = testutil_slurp(p2, NULL), *t1 = testutil_slurp(p1, NULL);
    assert_non_null(t1);
    assert_non_null(t2);
    assert_string_equal(t1, t2);
    free(t1);
    free(t2);
    free(p1);
    free(p2);
    free(out1);
    free(out);
    free(a);
    free(b);
}

static void test_welch_intervals_equal_the_formula(void **state)
{
    fixture *fx = *state;
    char *a = batch(fx->dir, "a", NULL, NULL, NULL, NULL);
    char *b = batch(fx->dir, "b", "-s", "99", "--set", "model.w_threat=3.5");
    char *out = testutil_path(fx->dir, "cmp");
    const char *dirs[] = {a, b, NULL};
    testutil_result r = compare(out, "2", dirs);
    assert_int_equal(r.status, 0);
    tsv_table *t = read_table(out, "compare.tsv");
    assert_string_equal(tsv_prov(t, "method"), "welch");
    assert_contains(tsv_prov(t, "why_B"), "different master seeds (2385 and 99)");
    tsv_table *sa = read_table(a, "summary.tsv"), *sb = read_table(b, "summary.tsv");
    size_t row = find_row(t, "1970", "a-b"), ra = find_row(sa, "1970", "a-b"), rb = find_row(sb, "1970", "a-b");
    double ma = num(sa, ra, "mean"), sda = num(sa, ra, "sd"), mb = num(sb, rb, "mean"), sdb = num(sb, rb, "sd");
    double va = sda * sda / REPS, vb = sdb * sdb / REPS;
    double df = (va + vb) * (va + vb) / (va * va / (REPS - 1) + vb * vb / (REPS - 1));
    double half = gsl_cdf_tdist_Pinv(0.975, df) * sqrt(va + vb);
    assert_close(num(t, row, "diff"), mb - ma, 1e-12);
    assert_close(num(t, row, "ci_lo"), mb - ma - half, 1e-12);
    assert_close(num(t, row, "ci_hi"), mb - ma + half, 1e-12);
    /* P(alliance): Welch with the Bernoulli sd. */
    double pa = num(sa, ra, "p_alliance"), pb = num(sb, rb, "p_alliance");
    double wa = pa * (1 - pa) / (REPS - 1), wb = pb * (1 - pb) / (REPS - 1);
    if (wa + wb > 0) {
        double pdf = (wa + wb) * (wa + wb) / (wa * wa / (REPS - 1) + wb * wb / (REPS - 1));
        double ph = gsl_cdf_tdist_Pinv(0.975, pdf) * sqrt(wa + wb);
        assert_close(num(t, row, "p_ci_hi"), pb - pa + ph, 1e-12);
    }
    tsv_free(sa);
    tsv_free(sb);
    tsv_free(t);
    assert_contains(r.err, "note: B: different master seeds");
    testutil_result_clear(&r);
    free(out);
    free(a);
    free(b);
}

static void test_refuses_folders_that_cannot_be_compared(void **state)
{
    fixture *fx = *state;
    char *a = batch(fx->dir, "a", NULL, NULL, NULL, NULL);
    char *other_dyads = batch(fx->dir, "d", "--set", "actors.d={capability=((1940.0, 0.1), (1960.0, 0.1));}", NULL, NULL);
    char *other_years = batch(fx->dir, "y", "--set", "horizon=1985.5", NULL, NULL);
    char *run = testutil_path(fx->dir, "run");
    const char *rargs[] = {"run", SMALL, "-o", run, NULL};
    testutil_result r = testutil_run(rargs);
    assert_int_equal(r.status, 0);
    testutil_result_clear(&r);
    char *missing = testutil_path(fx->dir, "nowhere");
    char *empty = testutil_path(fx->dir, "empty");
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp -r '%s' '%s/nocfg' && rm '%s/nocfg/scenario.cfg' && "
                              "cp -r '%s' '%s/version' && sed -i 's/^# program: alignsim .*/# program: alignsim 9.9.9/' "
                              "'%s/version/summary.tsv'",
             empty, a, fx->dir, fx->dir, a, fx->dir, fx->dir);
    assert_int_equal(system(cmd), 0);
    char *nocfg = testutil_path(fx->dir, "nocfg"), *version = testutil_path(fx->dir, "version");
    char *out = testutil_path(fx->dir, "cmp");

    static const char *const why[] = {
        "the folders cover different dyads: B (", "the folders cover different years: A (",
        "is a batch folder and B (", "no such result folder", "not a result folder: expected summary.tsv",
        "scenario.cfg: No such file or directory", "was written by alignsim 0.1.0 and B (",
    };
    const char *bs[] = {other_dyads, other_years, run, missing, empty, nocfg, version};
    for (size_t i = 0; i < sizeof bs / sizeof bs[0]; i++) {
        const char *dirs[] = {a, bs[i], NULL};
        r = compare(out, "1", dirs);
        if (r.status != 2)
            print_error("case %zu: status %d, stderr %s\n", i, r.status, r.err);
        assert_int_equal(r.status, 2);
        assert_contains(r.err, "alignsim compare: error: ");
        assert_contains(r.err, why[i]);
        testutil_result_clear(&r);
    }
    /* Nothing was written. */
    char *cmp = testutil_path(out, "compare.tsv");
    assert_false(testutil_exists(cmp));
    free(cmp);
    /* One folder is a usage error too. */
    const char *one[] = {"compare", a, NULL};
    r = testutil_run(one);
    assert_int_equal(r.status, 2);
    testutil_result_clear(&r);
    free(out);
    free(nocfg);
    free(version);
    free(empty);
    free(missing);
    free(run);
    free(other_years);
    free(other_dyads);
    free(a);
}

static void test_runs_are_compared_without_intervals(void **state)
{
    fixture *fx = *state;
    char *ra = testutil_path(fx->dir, "ra"), *rb = testutil_path(fx->dir, "rb");
    const char *a1[] = {"run", SMALL, "-o", ra, NULL};
    const char *a2[] = {"run", SMALL, "-s", "7", "-o", rb, NULL};
    testutil_result r = testutil_run(a1);
    assert_int_equal(r.status, 0);
    testutil_result_clear(&r);
    r = testutil_run(a2);
    assert_int_equal(r.status, 0);
    testutil_result_clear(&r);
    char *out = testutil_path(fx->dir, "cmp");
    const char *dirs[] = {ra, rb, NULL};
    r = compare(out, "1", dirs);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "x of single runs (no intervals)");
    tsv_table *t = read_table(out, "compare.tsv"), *ta = read_table(ra, "trajectory.tsv"),
              *tb = read_table(rb, "trajectory.tsv");
    assert_string_equal(tsv_prov(t, "method"), "none");
    size_t row = find_row(t, "1965", "a-c");
    double xa = num(ta, find_row(ta, "1965", "a-c"), "x"), xb = num(tb, find_row(tb, "1965", "a-c"), "x");
    assert_close(num(t, row, "diff"), xb - xa, 1e-15);
    assert_string_equal(tsv_cell(t, row, (size_t)tsv_column(t, "ci_lo")), "NA");
    tsv_free(t);
    tsv_free(ta);
    tsv_free(tb);
    testutil_result_clear(&r);
    free(out);
    free(ra);
    free(rb);
}

static void test_three_folders_table_and_settings(void **state)
{
    fixture *fx = *state;
    char *a = batch(fx->dir, "a", NULL, NULL, NULL, NULL);
    char *b = batch(fx->dir, "b", "--set", "model.w_threat=3.5", NULL, NULL);
    char *c = batch(fx->dir, "c", "--set", "events.[1].magnitude=0.0", NULL, NULL);
    char *out = testutil_path(fx->dir, "cmp");
    const char *dirs[] = {a, b, c, NULL};
    testutil_result r = compare(out, "2", dirs);
    assert_int_equal(r.status, 0);
    tsv_table *t = read_table(out, "compare.tsv");
    static const char *const cols[] = {"year", "dyad", "mean_A", "mean_B", "diff", "ci_lo", "ci_hi", "q05_A",
                                       "q95_A", "q05_B", "q95_B", "p_alliance_A", "p_alliance_B", "p_diff",
                                       "p_ci_lo", "p_ci_hi", "mean_C", "diff_C", "ci_lo_C", "ci_hi_C", "q05_C",
                                       "q95_C", "p_alliance_C", "p_diff_C", "p_ci_lo_C", "p_ci_hi_C"};
    assert_int_equal(tsv_cols(t), sizeof cols / sizeof cols[0]);
    for (size_t i = 0; i < tsv_cols(t); i++)
        assert_string_equal(tsv_colname(t, i), cols[i]);
    assert_string_equal(tsv_prov(t, "method_C"), "paired");
    /* Rows sorted by year, then dyad. */
    assert_string_equal(tsv_cell(t, 0, 0), "1950");
    assert_string_equal(tsv_cell(t, 0, 1), "a-b");
    tsv_free(t);

    /* The projector table: no main dyads here, so the first three; the
     * 1960 row of a-b shows a real difference, marked. */
    assert_contains(r.out, "A = ");
    assert_contains(r.out, "C = ");
    assert_contains(r.out, "a-b                       year      A        B        C     B - A    C - A");
    assert_contains(r.out, "* the 95% interval of the difference excludes zero");
    const char *line = strstr(r.out, "                          1960");
    assert_non_null(line);
    const char *eol = strchr(line, '\n');
    assert_non_null(memchr(line, '*', (size_t)(eol - line)));
    /* The settings that differ. */
    assert_contains(r.out, "Settings that differ, A -> B:\n");
    assert_contains(r.out, "  model.w_threat: 2.0 -> 3.5\n");
    assert_contains(r.out, "Settings that differ, A -> C:\n");
    assert_contains(r.out, "  overrides: [ ] -> [ \"events.[1].magnitude=0.0\" ]\n");
    assert_contains(r.out, "  events: - { type = \"sanctions\"; at = 1956.0; actors = [ \"c\", \"a\", \"b\" ]; "
                           "magnitude = { dist = \"uniform\"; min = 0.2; max = 0.8; }; duration = 20.0;");
    assert_contains(r.out, "  events: + { type = \"sanctions\"; at = 1956.0; actors = [ \"c\", \"a\", \"b\" ]; "
                           "magnitude = 0.0;");
    testutil_result_clear(&r);
    free(out);
    free(a);
    free(b);
    free(c);
}

static void test_paired_falls_back_to_welch_when_the_rerun_differs(void **state)
{
    fixture *fx = *state;
    char *a = batch(fx->dir, "a", NULL, NULL, NULL, NULL);
    char *b = batch(fx->dir, "b", "--set", "model.w_threat=3.5", NULL, NULL);
    /* B's scenario.cfg no longer describes B's batch. */
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "sed -i 's/  w_threat = 3.5;/  w_threat = 1.5;/' '%s/scenario.cfg'", b);
    assert_int_equal(system(cmd), 0);
    char *out = testutil_path(fx->dir, "cmp");
    const char *dirs[] = {a, b, NULL};
    testutil_result r = compare(out, "2", dirs);
    assert_int_equal(r.status, 0);
    assert_contains(r.err, "does not reproduce its summary.tsv");
    tsv_table *t = read_table(out, "compare.tsv");
    assert_string_equal(tsv_prov(t, "method"), "welch");
    tsv_free(t);
    testutil_result_clear(&r);
    free(out);
    free(a);
    free(b);
}

static void test_settings_diff_of_constructed_texts(void **state)
{
    (void)state;
    const char *ta = "name = \"x\";\nmodel = {\n  w = 1.0;\n  k = 2.0;\n};\nevents = (\n  {\n    type = \"a\";\n"
                     "    at = 1.0;\n  },\n  {\n    type = \"b\";\n    at = 2.0;\n  }\n);\nold = 1;\n";
    const char *tb = "name = \"x\";\nmodel = {\n  w = 1.5;\n  k = 2.0;\n};\nevents = (\n  {\n    type = \"b\";\n"
                     "    at = 2.0;\n  },\n  {\n    type = \"c\";\n    at = 3.0;\n  }\n);\nnew = 2;\n";
    char *d = scenario_settings_diff(ta, tb, 40);
    assert_non_null(d);
    assert_string_equal(d, "  model.w: 1.0 -> 1.5\n"
                           "  old: only in A = 1\n"
                           "  new: only in B = 2\n"
                           "  events: - { type = \"a\"; at = 1.0 }\n"
                           "  events: + { type = \"c\"; at = 3.0 }\n");
    free(d);
    d = scenario_settings_diff(ta, ta, 40);
    assert_string_equal(d, "");
    free(d);
    d = scenario_settings_diff(ta, tb, 2);
    assert_string_equal(d, "  model.w: 1.0 -> 1.5\n  old: only in A = 1\n  ... and 3 more differences\n");
    free(d);
}

/* The rival hypotheses differ from the default model exactly where
 * MODEL.md says: the opposite variant is the default, the precursor drops
 * entrapment and China's doctrine. */
static void test_rival_variants_differ_where_they_should(void **state)
{
    (void)state;
    char *texts[3] = {NULL, NULL, NULL};
    const char *files[3] = {"scenarios/historical.cfg", "scenarios/rivals/opposite.cfg",
                            "scenarios/rivals/precursor.cfg"};
    for (int i = 0; i < 3; i++) {
        model_spec s;
        scenario_diags d = {NULL, 0};
        model_spec_init(&s);
        assert_int_equal(scenario_load(files[i], NULL, &s, &texts[i], &d), SCENARIO_OK);
        model_spec_clear(&s);
        scenario_diags_clear(&d);
    }
    char *d = scenario_settings_diff(texts[0], texts[1], 40);
    assert_non_null(d);
    /* Only the name, the description and the record of the base. */
    assert_contains(d, "  name: \"historical\" -> \"rivals_opposite\"\n");
    assert_contains(d, "  derived_from: only in B = [ \"scenarios/historical.cfg\" ]\n");
    int lines = 0;
    for (const char *p = d; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 3);
    free(d);
    d = scenario_settings_diff(texts[1], texts[2], 40);
    assert_non_null(d);
    assert_contains(d, "  model.gate_entrapment: 1.0 -> 0.0\n");
    assert_contains(d, "  removed_events: only in B = [ \"independent_policy_1982\" ]\n");
    assert_contains(d, "  events: - { type = \"doctrine\"; id = \"independent_policy_1982\";");
    /* The inference's priors: none on what the precursor fixes. */
    assert_contains(d, "  infer.priors: - { path = \"model.gate_entrapment\";");
    assert_contains(d, "  infer.priors: - { path = \"actors.china.doctrine_cost\";");
    lines = 0;
    for (const char *p = d; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 7); /* and name, description */
    free(d);
    for (int i = 0; i < 3; i++)
        free(texts[i]);
}

static void test_plot_renders_from_a_comparison(void **state)
{
    fixture *fx = *state;
    if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
        skip();
        return;
    }
    char *a = batch(fx->dir, "a", NULL, NULL, NULL, NULL);
    char *b = batch(fx->dir, "b", "--set", "model.w_threat=3.5", NULL, NULL);
    char *out = testutil_path(fx->dir, "cmp");
    const char *dirs[] = {a, b, NULL};
    testutil_result r = compare(out, "2", dirs);
    assert_int_equal(r.status, 0);
    testutil_result_clear(&r);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "gnuplot -e \"dir='%s'; dyad='a-b'\" analysis/compare.gp >/dev/null 2>&1", out);
    assert_int_equal(system(cmd), 0);
    char *png = testutil_path(out, "compare_a-b.png");
    size_t len = 0;
    char *data = testutil_slurp(png, &len);
    assert_non_null(data);
    assert_true(len > 1000);
    assert_memory_equal(data, "\x89PNG", 4);
    free(data);
    free(png);
    /* A dyad the file does not have: exit 1 with a message. */
    snprintf(cmd, sizeof cmd, "gnuplot -e \"dir='%s'; dyad='x-y'\" analysis/compare.gp >/dev/null 2>&1", out);
    int st = system(cmd);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    free(out);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings_diff_of_constructed_texts),
        cmocka_unit_test(test_rival_variants_differ_where_they_should),
        cmocka_unit_test_setup_teardown(test_paired_intervals_equal_a_direct_computation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_welch_intervals_equal_the_formula, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_folders_that_cannot_be_compared, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_are_compared_without_intervals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_three_folders_table_and_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paired_falls_back_to_welch_when_the_rerun_differs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plot_renders_from_a_comparison, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
