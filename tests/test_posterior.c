/*
 * test_posterior - the `posterior` group (docs/MODEL.md 3.5, PLAN decision
 * 9): the particle draw, the loader's checks with their FILE:LINE
 * diagnostics, the inline form of the resolved text, --posterior, and
 * result folders that reproduce themselves from their own files.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "io/tsv.h"
#include "model/model.h"
#include "run/batch.h"
#include "scenario/scenario.h"
#include "testutil.h"

#define HISTORICAL "scenarios/historical.cfg"

/* Loads text (a scenario in memory, include folder tests/data/good) or
 * fails the test with the diagnostics. */
static void load_text(const char *text, const char *posterior_table, model_spec *s, char **resolved)
{
    scenario_options so = {NULL, 0, 0, 0, posterior_table};
    scenario_diags d = {NULL, 0};
    model_spec_init(s);
    int rc = scenario_load_string(text, "t.cfg", "tests/data/good", &so, s, resolved, &d);
    for (size_t i = 0; i < d.n; i++)
        print_error("%s\n", d.lines[i]);
    scenario_diags_clear(&d);
    assert_int_equal(rc, SCENARIO_OK);
}

/* A scenario of tests/data/good/base.cfg with a distribution on w_threat
 * and an inline posterior of four particles over w_threat and
 * actors.a.doctrine_cost, weights 0.1, 0.2, 0.3, 0.4. */
static const char *const FOUR =
    "@include \"base.cfg\"\n"
    "model = { w_threat = { dist = \"uniform\"; min = 0.5; max = 1.5; }; w_economy = { dist = \"normal\"; mean = 1.0; sd = 0.1; }; };\n"
    "posterior = {\n"
    "  columns = [ \"particle\", \"weight\", \"model.w_threat\", \"actors.a.doctrine_cost\" ];\n"
    "  rows = ( ( 3, 0.1, 1.25, 0.1 ), ( 7, 0.2, 2.5, 0.2 ), ( 8, 0.3, 3.75, 0.3 ), ( 20, 0.4, 5.0, 0.4 ) );\n"
    "};\n";

/* Each replication draws one particle with probability equal to its
 * weight: a chi-square test of 20000 draws with a fixed master seed (3
 * degrees of freedom; 16.27 is the 0.999 quantile), and the drawn row's
 * values set the table's parameters exactly. */
static void test_particle_frequencies_match_the_weights(void **state)
{
    (void)state;
    model_spec s;
    load_text(FOUR, NULL, &s, NULL);
    assert_int_equal(s.posterior.n, 4);
    assert_int_equal(s.posterior.ncols, 2);
    model *m = model_alloc(&s);
    assert_non_null(m);
    double *v = calloc(s.nparams, sizeof *v);
    assert_non_null(v);
    long wt = model_spec_find_param(&s, "model.w_threat"), dc = model_spec_find_param(&s, "actors.a.doctrine_cost");
    const double w[4] = {0.1, 0.2, 0.3, 0.4};
    unsigned long count[4] = {0};
    const unsigned long n = 20000;
    for (unsigned long r = 0; r < n; r++) {
        long row = model_draw_params(m, batch_rep_seed(20261203, r), v);
        assert_true(row >= 0 && row < 4);
        count[row]++;
        assert_close(v[wt], 1.25 * (double)(row + 1), 0);
        assert_close(v[dc], 0.1 * (double)(row + 1), 1e-15);
    }
    double chi2 = 0.0;
    for (int i = 0; i < 4; i++) {
        double e = w[i] * (double)n;
        chi2 += ((double)count[i] - e) * ((double)count[i] - e) / e;
    }
    print_message("particle counts %lu %lu %lu %lu, chi-square %.3f (3 df)\n", count[0], count[1], count[2],
                  count[3], chi2);
    assert_true(chi2 < 16.27);
    /* A zero weight is never drawn, and ids map back to rows. */
    assert_int_equal(spec_posterior_row(&s.posterior, 8), 2);
    assert_int_equal(spec_posterior_row(&s.posterior, 9), -1);
    free(v);
    model_free(m);
    model_spec_clear(&s);
}

/* The pick on cumulative weights: a zero weight is never drawn, the ends
 * of [0, 1) land on rows with weight, and ids map back to rows. */
static void test_pick_skips_zero_weights(void **state)
{
    (void)state;
    model_spec s;
    model_spec_init(&s);
    size_t idx;
    assert_int_equal(model_spec_add_param(&s, "model.x", 0.0, 0.0, 1.0, &idx), 0);
    const size_t param[] = {idx};
    const int64_t id[] = {2, 5, 9, 11};
    const double w[] = {0.0, 0.5, 0.0, 0.5}, v[] = {0.1, 0.2, 0.3, 0.4};
    assert_int_equal(model_spec_set_posterior(&s, 4, 1, param, id, w, v, "hand"), 0);
    const spec_posterior *p = &s.posterior;
    assert_int_equal(spec_posterior_pick(p, 0.0), 1);
    assert_int_equal(spec_posterior_pick(p, 0.4999), 1);
    assert_int_equal(spec_posterior_pick(p, 0.5), 3);
    assert_int_equal(spec_posterior_pick(p, 0.9999999999999999), 3);
    for (int k = 0; k < 1000; k++) {
        size_t r = spec_posterior_pick(p, (k + 0.5) / 1000.0);
        assert_true(r == 1 || r == 3);
    }
    assert_int_equal(spec_posterior_row(p, 11), 3);
    assert_int_equal(spec_posterior_row(p, 2), 0);
    assert_int_equal(spec_posterior_row(p, 3), -1);
    assert_int_equal(spec_posterior_row(p, 12), -1);
    assert_true(model_spec_param_in_posterior(&s, idx));
    assert_string_equal(p->source, "hand");
    /* No rows or no columns: refused, the spec unchanged. */
    assert_int_equal(model_spec_set_posterior(&s, 0, 1, param, id, w, v, "x"), -1);
    assert_int_equal(s.posterior.n, 4);
    model_spec_clear(&s);
}

/* The particle comes from a substream of its own: the parameters the
 * table does not set are drawn exactly as without a posterior. */
static void test_posterior_moves_no_other_draw(void **state)
{
    (void)state;
    model_spec with, without;
    load_text(FOUR, NULL, &with, NULL);
    const char *plain = "@include \"base.cfg\"\n"
                        "model = { w_threat = { dist = \"uniform\"; min = 0.5; max = 1.5; }; w_economy = { dist = "
                        "\"normal\"; mean = 1.0; sd = 0.1; }; };\n";
    load_text(plain, NULL, &without, NULL);
    model *a = model_alloc(&with), *b = model_alloc(&without);
    double *va = calloc(with.nparams, sizeof *va), *vb = calloc(without.nparams, sizeof *vb);
    assert_true(a && b && va && vb);
    long we = model_spec_find_param(&with, "model.w_economy");
    for (uint64_t r = 0; r < 50; r++) {
        assert_true(model_draw_params(a, batch_rep_seed(7, r), va) >= 0);
        assert_int_equal(model_draw_params(b, batch_rep_seed(7, r), vb), -1);
        assert_close(va[we], vb[we], 0);
        assert_true(va[we] != 1.0);
    }
    free(va);
    free(vb);
    model_free(a);
    model_free(b);
    model_spec_clear(&with);
    model_spec_clear(&without);
}

/* The resolved text carries the posterior inline and is a fixed point;
 * parameters of the table count as drawn per replication. */
static void test_resolved_posterior_is_inline_and_a_fixed_point(void **state)
{
    (void)state;
    model_spec s, again;
    char *resolved = NULL, *resolved2 = NULL;
    load_text(FOUR, NULL, &s, &resolved);
    assert_contains(resolved, "posterior = {\n  source = \"\";\n  columns = [ \"particle\", \"weight\", "
                              "\"model.w_threat\", \"actors.a.doctrine_cost\" ];\n  rows = (\n    ( 3, 0.1, 1.25, 0.1 ),");
    load_text(resolved, NULL, &again, &resolved2);
    assert_string_equal(resolved, resolved2);
    assert_int_equal(again.posterior.n, 4);
    assert_true(model_spec_param_per_replication(&s, (size_t)model_spec_find_param(&s, "actors.a.doctrine_cost")));
    free(resolved);
    free(resolved2);
    model_spec_clear(&s);
    model_spec_clear(&again);
}

/* --posterior replaces the scenario's own posterior with the table given. */
static void test_posterior_option_replaces_the_group(void **state)
{
    const char *dir = *state;
    char *table = testutil_path(dir, "posterior.tsv");
    FILE *f = fopen(table, "w");
    assert_non_null(f);
    fputs("# provenance: hand-made\nparticle\tweight\tmodel.w_border\n0\t0.5\t0.25\n1\t0.5\t0.75\n", f);
    assert_int_equal(fclose(f), 0);
    model_spec s;
    char *resolved = NULL;
    load_text(FOUR, table, &s, &resolved);
    assert_int_equal(s.posterior.n, 2);
    assert_int_equal(s.posterior.param[0], (size_t)model_spec_find_param(&s, "model.w_border"));
    assert_contains(resolved, "\"model.w_border\" ];");
    assert_null(strstr(resolved, "actors.a.doctrine_cost\" ]"));
    free(resolved);
    model_spec_clear(&s);
    free(table);
}

/* Every bad posterior is reported at its place with what was expected. */
static void test_bad_posteriors_are_file_line_errors(void **state)
{
    (void)state;
    static const struct {
        const char *file, *place, *message;
    } cases[] = {
        {"posterior_unknown_path.cfg", "tests/data/bad/posterior_unknown_path.cfg:4: error: ",
         "column 'model.w_thraet': expected a parameter path of this scenario"},
        {"posterior_unknown_path.cfg", "", "did you mean 'model.w_threat'?"},
        {"posterior_per_occurrence.cfg", "tests/data/bad/posterior/per_occurrence.tsv:1: error: ",
         "this event magnitude is drawn afresh at every occurrence"},
        {"posterior_weights_sum.cfg", "tests/data/bad/posterior/weights_sum.tsv:2: error: ",
         "expected weights summing to 1 (within 1e-06), found a sum of 0.9"},
        {"posterior_negative_weight.cfg", "tests/data/bad/posterior/negative_weight.tsv:3: error: ",
         "column 'weight': expected a weight >= 0, found -0.5"},
        {"posterior_out_of_range.cfg", "tests/data/bad/posterior/out_of_range.tsv:3: error: ",
         "column 'model.hysteresis': expected a value in [0, 0.5] (the parameter's range), found 0.7"},
        {"posterior_empty.cfg", "tests/data/bad/posterior_empty.cfg:3: error: ",
         "expected at least one particle, found an empty table"},
        {"posterior_ragged.cfg", "tests/data/bad/posterior/ragged.tsv:3: error: ", "expected 4 cells, found 3"},
        {"posterior_ids.cfg", "tests/data/bad/posterior/ids.tsv:3: error: ",
         "expected ids increasing strictly, found 0 after 0"},
        {"posterior_missing.cfg", "tests/data/bad/posterior_missing.cfg:3: error: ",
         "cannot read posterior table 'tests/data/bad/posterior/missing.tsv': No such file or directory"},
        {"posterior_both_forms.cfg", "tests/data/bad/posterior_both_forms.cfg:3: error: ",
         "expected either `table` or `columns` and `rows`, found both"},
        {"posterior_inline_text.cfg", "tests/data/bad/posterior_inline_text.cfg:7: error: ",
         "posterior.rows.[1]: column 'model.w_threat': expected a finite number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = testutil_path("tests/data/bad", cases[i].file);
        const char *args[] = {"check", path, NULL};
        testutil_result r = testutil_run(args);
        if (r.status != 2 || strncmp(r.err, cases[i].place, strlen(cases[i].place)) != 0 ||
            !strstr(r.err, cases[i].message))
            print_error("%s: status %d, stderr:\n%s\n", cases[i].file, r.status, r.err);
        assert_int_equal(r.status, 2);
        assert_int_equal(strncmp(r.err, cases[i].place, strlen(cases[i].place)), 0);
        assert_contains(r.err, cases[i].message);
        testutil_result_clear(&r);
        free(path);
    }
    /* --posterior names the folder whose posterior.tsv is missing. */
    const char *args[] = {"check", HISTORICAL, "--posterior", "tests/data/bad/nowhere", NULL};
    testutil_result r = testutil_run(args);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "--posterior tests/data/bad/nowhere/posterior.tsv: error: cannot read posterior "
                           "table 'tests/data/bad/nowhere/posterior.tsv'");
    testutil_result_clear(&r);
}

/* ------------------------------------------------------------------ */
/* Result folders                                                     */
/* ------------------------------------------------------------------ */

/* The data rows of a table file (no '#' lines): what must be identical
 * between runs whose provenance differs. */
static char *rows_of(const char *dir, const char *name)
{
    char *path = testutil_path(dir, name);
    char *text = testutil_slurp(path, NULL);
    if (!text)
        print_error("cannot read %s\n", path);
    assert_non_null(text);
    free(path);
    char *out = malloc(strlen(text) + 1), *o = out;
    assert_non_null(out);
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line + 1) : strlen(line);
        if (line[0] != '#') {
            memcpy(o, line, len);
            o += len;
        }
        line += len;
    }
    *o = '\0';
    free(text);
    return out;
}

static void write_two_particles(const char *dir)
{
    char *table = testutil_path(dir, "posterior.tsv");
    FILE *f = fopen(table, "w");
    assert_non_null(f);
    fputs("# written by hand for test_posterior\n"
          "particle\tweight\tmodel.gate_security\tactors.china.doctrine_cost\n"
          "0\t0.25\t1.5\t0.2\n1\t0.75\t3\t0\n",
          f);
    assert_int_equal(fclose(f), 0);
    free(table);
}

/* A posterior whose particles all hold the scenario's own values changes
 * nothing but the records: the summary is the plain batch's, row for row
 * (the particle's substream moves no other draw). */
static void test_posterior_of_the_defaults_changes_no_result(void **state)
{
    const char *dir = *state;
    char *post = testutil_path(dir, "same");
    assert_int_equal(mkdir(post, 0777), 0);
    char *table = testutil_path(post, "posterior.tsv");
    FILE *f = fopen(table, "w");
    assert_non_null(f);
    fputs("particle\tweight\tmodel.gate_security\tactors.china.doctrine_cost\n0\t0.5\t4\t0.6\n1\t0.5\t4\t0.6\n", f);
    assert_int_equal(fclose(f), 0);
    char *a = testutil_path(dir, "plain"), *b = testutil_path(dir, "post");
    assert_int_equal(testutil_run_ok((const char *const[]){"batch", HISTORICAL, "-n", "24", "-q", "-o", a, NULL}), 0);
    assert_int_equal(testutil_run_ok((const char *const[]){"batch", HISTORICAL, "--posterior", post, "-n", "24", "-q",
                                                            "-o", b, NULL}),
                     0);
    char *sa = rows_of(a, "summary.tsv"), *sb = rows_of(b, "summary.tsv");
    assert_string_equal(sa, sb);
    char *ma = rows_of(a, "milestones.tsv"), *mb = rows_of(b, "milestones.tsv");
    assert_string_equal(ma, mb);
    /* The copy of the posterior does not make the folder look like an
     * infer folder to `alignsim report`. */
    char *html = testutil_path(dir, "r.html");
    const char *rargs[] = {"report", b, "-o", html, "-q", NULL};
    testutil_result r = testutil_run(rargs);
    if (r.status != 0)
        print_error("%s\n", r.err);
    assert_int_equal(r.status, 0);
    testutil_result_clear(&r);
    free(html);
    free(ma);
    free(mb);
    free(sa);
    free(sb);
    free(a);
    free(b);
    free(table);
    free(post);
}

/* A batch under --posterior records the particle and the values, keeps
 * the table next to its scenario.cfg, and reproduces itself: from its
 * scenario.cfg alone, and from its posterior.tsv given as --posterior.
 * `alignsim run --posterior` replays one replication with its particle. */
static void test_posterior_folders_reproduce_themselves(void **state)
{
    const char *dir = *state;
    char *post = testutil_path(dir, "post");
    assert_int_equal(mkdir(post, 0777), 0);
    write_two_particles(post);
    char *a = testutil_path(dir, "a"), *b = testutil_path(dir, "b"), *c = testutil_path(dir, "c");
    assert_int_equal(testutil_run_ok((const char *const[]){"batch", HISTORICAL, "--posterior", post, "-n", "24", "-j",
                                                            "2", "-q", "-o", a, NULL}),
                     0);
    char *cfg = testutil_path(a, "scenario.cfg");
    assert_int_equal(
        testutil_run_ok((const char *const[]){"batch", cfg, "-n", "24", "-j", "1", "-q", "-o", b, NULL}), 0);
    assert_int_equal(testutil_run_ok((const char *const[]){"batch", HISTORICAL, "--posterior", a, "-n", "24", "-q",
                                                            "-o", c, NULL}),
                     0);
    char *ra = rows_of(a, "replications.tsv"), *rb = rows_of(b, "replications.tsv"), *rc = rows_of(c, "replications.tsv");
    assert_contains(ra, "rep\tseed\talliance_year\treversal\treversal_onset\tparticle\tmodel.gate_security\t"
                        "actors.china.doctrine_cost\n");
    assert_string_equal(ra, rb);
    assert_string_equal(ra, rc);
    /* Both particles occur, with their values. */
    assert_non_null(strstr(ra, "\t0\t1.5\t0.2\n"));
    assert_non_null(strstr(ra, "\t1\t3\t0\n"));
    char *pa = rows_of(a, "posterior.tsv");
    assert_string_equal(pa, "particle\tweight\tmodel.gate_security\tactors.china.doctrine_cost\n"
                            "0\t0.25\t1.5\t0.2\n1\t0.75\t3\t0\n");
    char *pb = rows_of(b, "posterior.tsv");
    assert_string_equal(pa, pb);
    char *sa = rows_of(a, "summary.tsv"), *sb = rows_of(b, "summary.tsv");
    assert_string_equal(sa, sb);
    free(sa);
    free(sb);

    /* One replication under the posterior names its particle. */
    char *one = testutil_path(dir, "one");
    assert_int_equal(testutil_run_ok((const char *const[]){"run", HISTORICAL, "--posterior", post, "-s", "5", "-q",
                                                            "-o", one, NULL}),
                     0);
    char *traj = testutil_path(one, "trajectory.tsv");
    char *text = testutil_slurp(traj, NULL);
    assert_non_null(text);
    assert_true(strstr(text, "# posterior_particle: 0\n") || strstr(text, "# posterior_particle: 1\n"));
    char *pone = rows_of(one, "posterior.tsv");
    assert_string_equal(pa, pone);

    /* compare's paired re-run works on such folders: each scenario.cfg
     * reproduces its folder, so the pairing is exact. */
    char *cmp = testutil_path(dir, "cmp");
    const char *cargs[] = {"compare", a, c, "-o", cmp, "-q", NULL};
    testutil_result r = testutil_run(cargs);
    if (r.status != 0)
        print_error("%s\n", r.err);
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.err, "does not reproduce"));
    testutil_result_clear(&r);
    char *ctsv = testutil_path(cmp, "compare.tsv");
    char errbuf[256];
    tsv_table *ct = tsv_read(ctsv, errbuf, sizeof errbuf);
    assert_non_null(ct);
    assert_string_equal(tsv_prov(ct, "method"), "paired");
    tsv_free(ct);
    free(ctsv);

    free(pone);
    free(text);
    free(traj);
    free(one);
    free(cmp);
    free(pa);
    free(pb);
    free(ra);
    free(rb);
    free(rc);
    free(cfg);
    free(a);
    free(b);
    free(c);
    free(post);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_particle_frequencies_match_the_weights),
        cmocka_unit_test(test_pick_skips_zero_weights),
        cmocka_unit_test(test_posterior_moves_no_other_draw),
        cmocka_unit_test(test_resolved_posterior_is_inline_and_a_fixed_point),
        TESTUTIL_IN_DIR(test_posterior_option_replaces_the_group),
        cmocka_unit_test(test_bad_posteriors_are_file_line_errors),
        TESTUTIL_IN_DIR(test_posterior_folders_reproduce_themselves),
        TESTUTIL_IN_DIR(test_posterior_of_the_defaults_changes_no_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
