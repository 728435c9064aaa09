/*
 * test_sweep - sweep files and `alignsim sweep`: grid, Latin hypercube and
 * Sobol expansion on small known cases; point seeds that depend on the
 * parameter values only, so extending a sweep keeps the points it had;
 * sweep.tsv the same for any -j and consistent with each point's batch;
 * bad sweep files reported as FILE:LINE errors with exit status 2.
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

#include <gsl/gsl_errno.h>

#include "scenario/sweepfile.h"
#include "study/sweep.h"

static void load_sweep(const char *path, sweep_file *sf)
{
    scenario_diags d = {NULL, 0};
    int rc = sweepfile_load(path, sf, &d);
    for (size_t i = 0; i < d.n; i++)
        print_error("%s\n", d.lines[i]);
    scenario_diags_clear(&d);
    assert_int_equal(rc, SCENARIO_OK);
}

/* A sweep file in memory with k range parameters named p0, p1, ... */
static void range_sweep(sweep_file *sf, sweep_design_kind design, size_t points, uint64_t seed, size_t k,
                        const double *lo, const double *hi)
{
    sweepfile_init(sf);
    sf->design = design;
    sf->points = points;
    sf->seed = seed;
    sf->params = calloc(k, sizeof *sf->params);
    assert_non_null(sf->params);
    sf->nparams = k;
    for (size_t j = 0; j < k; j++) {
        snprintf(sf->params[j].path, sizeof sf->params[j].path, "model.p%zu", j);
        sf->params[j].has_range = 1;
        sf->params[j].min = lo[j];
        sf->params[j].max = hi[j];
    }
}

static void grid_expands_every_combination_first_parameter_slowest(void **state)
{
    (void)state;
    sweep_file sf;
    load_sweep("tests/data/study/sweep_grid.cfg", &sf);
    assert_int_equal(sf.points, 6);
    assert_int_equal(sf.reps, 24);
    assert_string_equal(sf.name, "grid");
    assert_string_equal(sf.scenario, "tests/data/run/small.cfg");
    sweep_design d;
    char err[256];
    assert_int_equal(sweep_design_expand(&sf, &d, err, sizeof err), 0);
    const double want[6][2] = {{0.0, 1.0}, {0.0, 2.0}, {0.0, 3.0}, {0.5, 1.0}, {0.5, 2.0}, {0.5, 3.0}};
    assert_int_equal(d.npoints, 6);
    assert_int_equal(d.k, 2);
    for (size_t p = 0; p < 6; p++)
        for (size_t j = 0; j < 2; j++)
            assert_true(d.x[p * 2 + j] == want[p][j]);
    sweep_design_clear(&d);
    sweepfile_clear(&sf);
}

static void range_strings_give_clean_decimal_values(void **state)
{
    (void)state;
    sweep_file sf;
    load_sweep("tests/data/study/sweep_ranges.cfg", &sf);
    /* "0.1:0.1:0.5": 0.3 is 0.3, not 0.30000000000000004; the end is in. */
    const double a[] = {0.1, 0.2, 0.3, 0.4, 0.5};
    assert_int_equal(sf.params[0].nvalues, 5);
    for (size_t i = 0; i < 5; i++)
        assert_true(sf.params[0].values[i] == a[i]);
    /* "2:-0.25:1" counts down and includes 1. */
    const double b[] = {2.0, 1.75, 1.5, 1.25, 1.0};
    assert_int_equal(sf.params[1].nvalues, 5);
    for (size_t i = 0; i < 5; i++)
        assert_true(sf.params[1].values[i] == b[i]);
    assert_int_equal(sf.points, 25);
    assert_string_equal(sf.name, "sweep_ranges");
    sweepfile_clear(&sf);
}

static void latin_hypercube_puts_one_point_in_each_stratum(void **state)
{
    (void)state;
    const double lo[2] = {0.0, -1.0}, hi[2] = {10.0, 1.0};
    enum { N = 20 };
    sweep_file sf;
    range_sweep(&sf, SWEEP_LHS, N, 7, 2, lo, hi);
    sweep_design d, e, f;
    char err[256];
    assert_int_equal(sweep_design_expand(&sf, &d, err, sizeof err), 0);
    assert_int_equal(sweep_design_expand(&sf, &e, err, sizeof err), 0);
    for (size_t j = 0; j < 2; j++) {
        int seen[N] = {0};
        for (size_t i = 0; i < N; i++) {
            double u = (d.x[i * 2 + j] - lo[j]) / (hi[j] - lo[j]);
            assert_true(u >= 0.0 && u < 1.0);
            seen[(int)floor(u * N)]++;
        }
        for (size_t s = 0; s < N; s++)
            assert_int_equal(seen[s], 1);
    }
    /* The same seed gives the same design, another seed another one. */
    assert_memory_equal(d.x, e.x, N * 2 * sizeof *d.x);
    sf.seed = 8;
    assert_int_equal(sweep_design_expand(&sf, &f, err, sizeof err), 0);
    assert_true(memcmp(d.x, f.x, N * 2 * sizeof *d.x) != 0);
    sweep_design_clear(&d);
    sweep_design_clear(&e);
    sweep_design_clear(&f);
    sweepfile_clear(&sf);
}

static void sobol_design_is_gsl_sobol_scaled_and_extends(void **state)
{
    (void)state;
    const double lo[2] = {0.0, 10.0}, hi[2] = {2.0, 20.0};
    sweep_file sf;
    range_sweep(&sf, SWEEP_SOBOL, 4, 1, 2, lo, hi);
    sweep_design d, e;
    char err[256];
    assert_int_equal(sweep_design_expand(&sf, &d, err, sizeof err), 0);
    /* GSL's Sobol sequence: (0.5, 0.5), (0.75, 0.25), (0.25, 0.75), (0.375, 0.375). */
    const double want[4][2] = {{1.0, 15.0}, {1.5, 12.5}, {0.5, 17.5}, {0.75, 13.75}};
    for (size_t p = 0; p < 4; p++)
        for (size_t j = 0; j < 2; j++)
            assert_close(d.x[p * 2 + j], want[p][j], 1e-15);
    sf.points = 16;
    assert_int_equal(sweep_design_expand(&sf, &e, err, sizeof err), 0);
    assert_memory_equal(d.x, e.x, 4 * 2 * sizeof *d.x);
    sweep_design_clear(&d);
    sweep_design_clear(&e);
    sweepfile_clear(&sf);
}

static void point_seeds_depend_on_the_values_only(void **state)
{
    (void)state;
    sweep_file a, b;
    load_sweep("tests/data/study/sweep_grid.cfg", &a);
    load_sweep("tests/data/study/sweep_grid_ext.cfg", &b);
    sweep_design da, db;
    char err[256];
    assert_int_equal(sweep_design_expand(&a, &da, err, sizeof err), 0);
    assert_int_equal(sweep_design_expand(&b, &db, err, sizeof err), 0);
    assert_int_equal(db.npoints, 12);
    size_t shared = 0;
    for (size_t p = 0; p < da.npoints; p++)
        for (size_t q = 0; q < db.npoints; q++)
            if (memcmp(da.x + p * 2, db.x + q * 2, 2 * sizeof(double)) == 0) {
                assert_true(sweep_point_seed(2385, &a, da.x + p * 2) == sweep_point_seed(2385, &b, db.x + q * 2));
                shared++;
            }
    assert_int_equal(shared, 6);
    /* Distinct values, distinct seeds; another scenario seed, other seeds;
     * never above 2^63 - 1 (a scenario's seed is a libconfig int64). */
    for (size_t p = 0; p < db.npoints; p++) {
        uint64_t s = sweep_point_seed(2385, &b, db.x + p * 2);
        assert_true(s <= INT64_MAX);
        assert_true(s != sweep_point_seed(2386, &b, db.x + p * 2));
        for (size_t q = 0; q < p; q++)
            assert_true(s != sweep_point_seed(2385, &b, db.x + q * 2));
    }
    /* -0 and +0 are the same value. */
    double z1[2] = {0.0, 1.0}, z2[2] = {-0.0, 1.0};
    assert_true(sweep_point_seed(1, &a, z1) == sweep_point_seed(1, &a, z2));
    sweep_design_clear(&da);
    sweep_design_clear(&db);
    sweepfile_clear(&a);
    sweepfile_clear(&b);
}

/* Line of text that starts with prefix in s (copied into out), or NULL. */
static const char *line_starting(const char *s, const char *prefix, char *out, size_t len)
{
    size_t n = strlen(prefix);
    for (const char *p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, prefix, n) == 0) {
            const char *e = strchr(p, '\n');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            snprintf(out, len, "%.*s", (int)(l < len ? l : len - 1), p);
            return out;
        }
    return NULL;
}

static void list_prints_the_points_and_keeps_seeds_when_extended(void **state)
{
    (void)state;
    const char *a1[] = {"sweep", "tests/data/study/sweep_grid.cfg", "--list", NULL};
    const char *a2[] = {"sweep", "tests/data/study/sweep_grid_ext.cfg", "--list", NULL};
    testutil_result r1 = testutil_run(a1), r2 = testutil_run(a2);
    assert_int_equal(r1.status, 0);
    assert_int_equal(r2.status, 0);
    assert_string_equal(r1.err, "");
    char line_text[256], line2[256];
    assert_non_null(line_starting(r1.out, "point\t", line_text, sizeof line_text));
    assert_string_equal(line_text, "point\tactors.a.doctrine_cost\tmodel.gate_security\tseed");
    /* Point 4 of the grid (0.5, 2) is point 5 of the extended grid: same seed. */
    assert_non_null(line_starting(r1.out, "4\t", line_text, sizeof line_text));
    assert_non_null(line_starting(r2.out, "5\t", line2, sizeof line2));
    assert_string_equal(strchr(line_text, '\t'), strchr(line2, '\t'));
    assert_non_null(strstr(line_text, "\t0.5\t2\t"));
    testutil_result_clear(&r1);
    testutil_result_clear(&r2);
}

/* Column col (0-based) of every data row of a TSV file, joined by '|'. */
static char *columns_from(const char *path, size_t first_col, size_t skip_last)
{
    char *text = testutil_slurp(path, NULL);
    assert_non_null(text);
    size_t cap = strlen(text) + 1, used = 0;
    char *out = calloc(cap, 1);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || strncmp(line, "point", 5) == 0)
            continue;
        char *p = line;
        for (size_t c = 0; c < first_col && p; c++)
            p = strchr(p, '\t') ? strchr(p, '\t') + 1 : NULL;
        assert_non_null(p);
        char *end = p + strlen(p);
        for (size_t c = 0; c < skip_last; c++) {
            while (end > p && end[-1] != '\t')
                end--;
            if (end > p)
                end--;
        }
        used += (size_t)snprintf(out + used, cap - used, "%.*s|", (int)(end - p), p);
    }
    free(text);
    return out;
}

static void sweep_tsv_is_the_same_for_any_thread_count_and_matches_the_batches(void **state)
{
    char *d1 = testutil_path(*state, "j1"), *d2 = testutil_path(*state, "j2");
    const char *a1[] = {"sweep", "tests/data/study/sweep_grid.cfg", "-o", d1, "-j", "1", "-q", NULL};
    const char *a2[] = {"sweep", "tests/data/study/sweep_grid.cfg", "-o", d2, "-j", "2", "-q", NULL};
    testutil_result r1 = testutil_run(a1);
    if (r1.status != 0)
        print_error("%s", r1.err);
    assert_int_equal(r1.status, 0);
    testutil_result r2 = testutil_run(a2);
    assert_int_equal(r2.status, 0);
    assert_non_null(strstr(r1.out, "6 points x 24 replications"));
    char *t1 = testutil_path(d1, "sweep.tsv"), *t2 = testutil_path(d2, "sweep.tsv");
    size_t l1, l2;
    char *s1 = testutil_slurp(t1, &l1), *s2 = testutil_slurp(t2, &l2);
    assert_non_null(s1);
    assert_non_null(s2);
    assert_int_equal(l1, l2);
    assert_memory_equal(s1, s2, l1);
    assert_non_null(strstr(s1, "\tseed\treps\talliances\tp_alliance\tci_lo\tci_hi\treversals\tl5_share\t"
                               "l5_year\tl5_ci_lo\tl5_ci_hi\treplay_score\treplay_within1\tfolder\n"));
    const char *files[] = {"points/000/summary.tsv", "points/003/replications.tsv", "points/003/scenario.cfg",
                           "scenario.cfg", "sweep.cfg"};
    for (size_t i = 0; i < 5; i++) {
        char *p = testutil_path(d1, files[i]);
        assert_true(testutil_exists(p));
        free(p);
    }
    /* The point's scenario.cfg records its values and seed, and the
     * alliances of sweep.tsv are those of its replications.tsv. */
    char *cfgp = testutil_path(d1, "points/003/scenario.cfg");
    char *cfg = testutil_slurp(cfgp, NULL);
    assert_non_null(strstr(cfg, "overrides = [ \"actors.a.doctrine_cost=0.5\", \"model.gate_security=1\" ];"));
    free(cfg);
    free(cfgp);
    char *repp = testutil_path(d1, "points/003/replications.tsv");
    char *reps = testutil_slurp(repp, NULL);
    size_t alliances = 0, rows = 0;
    for (char *line = strtok(reps, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || strncmp(line, "rep\t", 4) == 0)
            continue;
        rows++;
        /* rep, seed, alliance_year: NA when no alliance */
        char *c = strchr(strchr(line, '\t') + 1, '\t') + 1;
        alliances += strncmp(c, "NA", 2) != 0;
    }
    assert_int_equal(rows, 24);
    char want[64], line_text[512];
    snprintf(want, sizeof want, "3\t0.5\t1\t");
    assert_non_null(line_starting(s1, want, line_text, sizeof line_text));
    /* point, 2 values, seed, reps, alliances */
    char *c = line_text;
    for (int i = 0; i < 5; i++)
        c = strchr(c, '\t') + 1;
    assert_int_equal(strtoul(c, NULL, 10), alliances);
    assert_int_equal(alliances, 23); /* not a trivial 0 or 24 */
    free(reps);
    free(repp);

    /* The extended sweep has the same results for the points it shares. */
    char *d3 = testutil_path(*state, "ext");
    const char *a3[] = {"sweep", "tests/data/study/sweep_grid_ext.cfg", "-o", d3, "-q", NULL};
    testutil_result r3 = testutil_run(a3);
    assert_int_equal(r3.status, 0);
    char *t3 = testutil_path(d3, "sweep.tsv");
    char *base_rows = columns_from(t1, 1, 1), *ext_rows = columns_from(t3, 1, 1);
    for (char *row = strtok(base_rows, "|"); row; row = strtok(NULL, "|"))
        assert_non_null(strstr(ext_rows, row));
    free(base_rows);
    free(ext_rows);
    free(t3);
    free(d3);
    testutil_result_clear(&r3);
    free(s1);
    free(s2);
    free(t1);
    free(t2);
    testutil_result_clear(&r1);
    testutil_result_clear(&r2);
    free(d1);
    free(d2);
}

/* A sweep stopped twice (the test hook, as Ctrl-C) and resumed with other
 * thread counts writes the uninterrupted sweep's files: finished points
 * come back from the journal, the interrupted one from its checkpoint (200
 * replications are 4 blocks per point: 6 blocks end in point 1). */
static void interrupted_sweep_resumes_to_the_same_files(void **state)
{
    const char *args[] = {"sweep", "tests/data/study/sweep_grid.cfg", "-n", "200", NULL};
    const char *files[] = {"sweep.tsv", "points/000/replications.tsv", "points/001/replications.tsv",
                           "points/001/summary.tsv", "points/002/milestones.tsv", "points/005/summary.tsv", NULL};
    testutil_check_resume(args, *state, ".sweep.journal", 6, 5, files);
    char *ck = testutil_path(*state, "cut/points/001/.batch.ckpt");
    assert_false(testutil_exists(ck));
    free(ck);
}

static void expect_errors(const char *file, const char *const *messages)
{
    const char *args[] = {"sweep", file, "--list", NULL};
    testutil_result r = testutil_run(args);
    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    for (const char *const *m = messages; *m; m++)
        if (!strstr(r.err, *m)) {
            print_error("expected in stderr: %s\nstderr was:\n%s", *m, r.err);
            fail();
        }
    testutil_result_clear(&r);
}

static void bad_sweep_files_give_file_line_errors_and_status_2(void **state)
{
    (void)state;
    const char *path[] = {
        "tests/data/study/bad_sweep_path.cfg:4: error: parameters.[0].path: unknown parameter "
        "\"model.gate_securty\"; near matches: model.gate_security",
        "tests/data/study/bad_sweep_path.cfg:5: error: parameters.[1].values: 50 is outside the valid range [0, 20] "
        "of model.w_threat",
        NULL};
    expect_errors("tests/data/study/bad_sweep_path.cfg", path);
    const char *keys[] = {
        "tests/data/study/bad_sweep_keys.cfg:2: error: desing: unknown setting 'desing'; did you mean 'design'?",
        "tests/data/study/bad_sweep_keys.cfg: error: missing required setting 'scenario'",
        "tests/data/study/bad_sweep_keys.cfg:4: error: parameters.[0].values: range \"1:0:3\": the step must be "
        "non-zero",
        "tests/data/study/bad_sweep_keys.cfg:5: error: parameters.[1].min: 'min' and 'max' are for designs",
        "tests/data/study/bad_sweep_keys.cfg:6: error: parameters.[2].values.[1]: expected a number, found \"two\"",
        NULL};
    expect_errors("tests/data/study/bad_sweep_keys.cfg", keys);
    const char *lhs[] = {
        "tests/data/study/bad_sweep_lhs.cfg: error: design \"lhs\" needs 'points'",
        "tests/data/study/bad_sweep_lhs.cfg:5: error: parameters.[0].max: expected max > min, found min 2 and max 1",
        "tests/data/study/bad_sweep_lhs.cfg:6: error: parameters.[1].values: 'values' is for design \"grid\"",
        NULL};
    expect_errors("tests/data/study/bad_sweep_lhs.cfg", lhs);
    const char *syn[] = {"tests/data/study/bad_sweep_syntax.cfg:3: error: syntax error", NULL};
    expect_errors("tests/data/study/bad_sweep_syntax.cfg", syn);

    /* A missing file is a runtime failure (status 1), as for scenarios. */
    const char *args[] = {"sweep", "tests/data/study/no_such_sweep.cfg", NULL};
    testutil_result r = testutil_run(args);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "tests/data/study/no_such_sweep.cfg: error: No such file or directory"));
    testutil_result_clear(&r);
}

/* Counts the data lines (after the header) of a --list output. */
static size_t listed_points(const char *out)
{
    size_t n = 0;
    for (const char *p = strchr(out, '\n'); p && p[1]; p = strchr(p + 1, '\n'))
        n++;
    return n;
}

static void shipped_sweep_files_expand(void **state)
{
    (void)state;
    const char *a1[] = {"sweep", "scenarios/sweeps/doctrine_gate.cfg", "--list", NULL};
    const char *a2[] = {"sweep", "scenarios/sweeps/sobol8.cfg", "--list", NULL};
    testutil_result r1 = testutil_run(a1), r2 = testutil_run(a2);
    assert_int_equal(r1.status, 0);
    assert_int_equal(r2.status, 0);
    assert_int_equal(listed_points(r1.out), 20);
    assert_int_equal(listed_points(r2.out), 128);
    /* The Sobol design starts at the centre of every range. */
    assert_non_null(strstr(r2.out, "\n0\t0.6\t5.5\t1.5\t0.9\t1.25\t0.55\t1.3\t1.6\t"));
    testutil_result_clear(&r1);
    testutil_result_clear(&r2);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grid_expands_every_combination_first_parameter_slowest),
        cmocka_unit_test(range_strings_give_clean_decimal_values),
        cmocka_unit_test(latin_hypercube_puts_one_point_in_each_stratum),
        cmocka_unit_test(sobol_design_is_gsl_sobol_scaled_and_extends),
        cmocka_unit_test(point_seeds_depend_on_the_values_only),
        cmocka_unit_test(list_prints_the_points_and_keeps_seeds_when_extended),
        TESTUTIL_IN_DIR(sweep_tsv_is_the_same_for_any_thread_count_and_matches_the_batches),
        TESTUTIL_IN_DIR(interrupted_sweep_resumes_to_the_same_files),
        cmocka_unit_test(bad_sweep_files_give_file_line_errors_and_status_2),
        cmocka_unit_test(shipped_sweep_files_expand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
