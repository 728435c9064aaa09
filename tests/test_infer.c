/*
 * test_infer - the inference distance (study/infer_distance) on
 * hand-computed cases: capped and standardised date errors, missed and
 * violated targets, held stays_below targets, the fit window, per-target
 * scales; and its agreement with the calibration loss it is documented to
 * equal (root mean square of calibrate_rep_loss) on the same targets.
 *
 * Then `alignsim infer` end to end on a synthetic scenario whose targets
 * were dated by a run at known values (tests/data/study/infer_synth.cfg):
 * the posterior of the two parameters the targets constrain is narrower
 * than their prior and holds the true values, the one that does not
 * matter keeps its prior; the same bytes for any -j and after an
 * interruption and --resume; the posterior predictive with a fit window;
 * a model choice; the files the report and posterior.cfg need.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/tsv.h"
#include "model/spec.h"
#include "study/calibrate.h"
#include "study/infer_distance.h"

#define SYNTH "tests/data/study/infer_synth.cfg"
#define SYNTH_FAR "tests/data/study/infer_synth_far.cfg"

/* Seven targets: the last is dated after 2030 and falls outside a fit
 * window ending there. */
static const spec_target targets[] = {
    {.kind = TARGET_UP, .year = 1950.12},
    {.kind = TARGET_DOWN, .year = 1960.5},
    {.kind = TARGET_COMMIT_START, .year = 1969.2},
    {.kind = TARGET_COMMIT_END, .year = 1980.3},
    {.kind = TARGET_STAYS_BELOW, .year = 2030.0},
    {.kind = TARGET_STAYS_BELOW, .year = 2030.0},
    {.kind = TARGET_UP, .year = 2040.0},
};
#define NT (sizeof targets / sizeof targets[0])

/* reached 0.5 late; 2.5 late; missed; 15 late (capped at 8); held;
 * violated in 2025.1; 1 year early (only when fitted) */
static const double sim[NT] = {1950.62, 1963.0, NAN, 1995.3, NAN, 2025.1, 2039.0};

static void test_distance_matches_hand_computation(void **state)
{
    (void)state;
    infer_distance_params p;
    infer_distance_params_init(&p);
    p.fit_until = 2030.0;
    assert_int_equal(infer_fitted_count(targets, NT, &p), 6);
    /* (0.25 + 6.25 + 64 + 64 + 0 + 64) / 6 = 33.0833... */
    assert_close(infer_distance(targets, NT, sim, NULL, &p), sqrt(198.5 / 6.0), 1e-13);

    /* all seven: the 2040 target adds 1 */
    p.fit_until = INFINITY;
    assert_close(infer_distance(targets, NT, sim, NULL, &p), sqrt(199.5 / 7.0), 1e-13);
}

static void test_distance_standardises_by_the_scale(void **state)
{
    (void)state;
    infer_distance_params p;
    infer_distance_params_init(&p);
    p.fit_until = 2030.0;
    p.scale_years = 0.5;
    /* every term in units of half a year: twice the distance */
    assert_close(infer_distance(targets, NT, sim, NULL, &p), 2.0 * sqrt(198.5 / 6.0), 1e-13);

    /* per-target scales: target 1 (2.5 years late) counts in units of 2.5,
     * target 2 (missed, 8) in units of 4 */
    const double scales[NT] = {1.0, 2.5, 4.0, 1.0, 1.0, 1.0, 1.0};
    assert_close(infer_distance(targets, NT, sim, scales, &p), sqrt((0.25 + 1.0 + 4.0 + 64 + 0 + 64) / 6.0),
                 1e-13);

    /* a separate miss penalty: missed and violated count 3 years */
    p.scale_years = 1.0;
    p.miss_years = 3.0;
    assert_close(infer_distance(targets, NT, sim, NULL, &p), sqrt((0.25 + 6.25 + 9 + 64 + 0 + 9) / 6.0), 1e-13);

    /* a perfect replication is at distance 0; nothing fitted is NaN */
    const double exact[NT] = {1950.12, 1960.5, 1969.2, 1980.3, NAN, NAN, 2040.0};
    infer_distance_params_init(&p);
    assert_true(infer_distance(targets, NT, exact, NULL, &p) == 0.0);
    p.fit_until = 1900.0;
    assert_int_equal(infer_fitted_count(targets, NT, &p), 0);
    assert_true(isnan(infer_distance(targets, NT, exact, NULL, &p)));
}

/*
 * The documented identity: with unit scales and miss = cap, rho^2 |F| is
 * calibrate's loss of the same replication (no order targets), whose date
 * errors follow milestones_error(): s - y for dated targets, 0 for a held
 * stays_below target, NaN when missed or violated.
 */
static void test_distance_squared_is_the_calibration_loss_per_target(void **state)
{
    (void)state;
    model_spec spec;
    model_spec_init(&spec);
    for (size_t i = 0; i < NT; i++)
        assert_int_equal(model_spec_add_target(&spec, &targets[i]), 0);
    double errors[NT];
    for (size_t i = 0; i < NT; i++)
        errors[i] = targets[i].kind == TARGET_STAYS_BELOW ? (isnan(sim[i]) ? 0.0 : NAN) : sim[i] - targets[i].year;
    spec_calibrate cal;
    memset(&cal, 0, sizeof cal);
    cal.cap_years = 8.0;
    cal.fit_until = 2030.0;
    size_t count = 0;
    double loss = calibrate_rep_loss(&spec, &cal, errors, sim, 1, &count);
    infer_distance_params p;
    infer_distance_params_init(&p);
    p.fit_until = 2030.0;
    double rho = infer_distance(targets, NT, sim, NULL, &p);
    assert_int_equal(count, infer_fitted_count(targets, NT, &p));
    assert_close(rho * rho * (double)count, loss, 1e-13);
    model_spec_clear(&spec);
}


/* ------------------------------------------------------------------ */
/* alignsim infer, end to end                                         */
/* ------------------------------------------------------------------ */

/* Runs alignsim infer with the arguments (NULL-terminated) and -q. */
static testutil_result run_infer(const char *const *extra)
{
    const char *args[24];
    size_t n = 0;
    args[n++] = "infer";
    for (size_t i = 0; extra[i] && n < 22; i++)
        args[n++] = extra[i];
    args[n++] = "-q";
    args[n] = NULL;
    return testutil_run(args);
}

/* Weighted mean and sd of a column of posterior.tsv. */
static void weighted_moments(const tsv_table *t, const char *col, double *mean, double *sd)
{
    long cw = tsv_column(t, "weight"), cx = tsv_column(t, col);
    assert_true(cw >= 0 && cx >= 0);
    double sw = 0.0, m = 0.0, v = 0.0;
    for (size_t r = 0; r < tsv_rows(t); r++) {
        double w = strtod(tsv_cell(t, r, (size_t)cw), NULL), x = strtod(tsv_cell(t, r, (size_t)cx), NULL);
        sw += w;
        m += w * x;
    }
    m /= sw;
    for (size_t r = 0; r < tsv_rows(t); r++) {
        double w = strtod(tsv_cell(t, r, (size_t)cw), NULL), x = strtod(tsv_cell(t, r, (size_t)cx), NULL);
        v += w * (x - m) * (x - m);
    }
    *mean = m;
    *sd = sqrt(v / sw);
    assert_close(sw, 1.0, 1e-12);
}

static tsv_table *read_table(const char *dir, const char *name)
{
    char *path = testutil_path(dir, name);
    char err[512];
    tsv_table *t = tsv_read(path, err, sizeof err);
    if (!t)
        print_message("%s\n", err);
    assert_non_null(t);
    free(path);
    return t;
}

/*
 * The targets were dated at w_economy = 1.6, relax_rate_per_year = 0.5
 * (priors U(0.5, 3), sd 0.722, and U(0.1, 2), sd 0.548); w_triad acts on a
 * third actor there is none of (prior U(0, 2): mean 1, sd 0.577).  With
 * 400 particles (ESS about 280) the Monte Carlo error of a weighted mean
 * is about sd / sqrt(280): 0.035 for w_triad, so the bounds below are
 * four of those.
 */
static void posterior_narrows_what_the_record_constrains(void **state)
{
    char *dir = testutil_path(*state, "post");
    const char *args[] = {SYNTH, "-o", dir, "-j", "2", NULL};
    testutil_result r = run_infer(args);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "inferred infer_synth from 3 targets: 8 generations");
    tsv_table *t = read_table(dir, "posterior.tsv");
    assert_int_equal(tsv_rows(t), 400);
    assert_string_equal(tsv_colname(t, 0), "particle");
    assert_string_equal(tsv_colname(t, 1), "weight");
    assert_string_equal(tsv_colname(t, 2), "model.w_economy");
    double m, sd;
    weighted_moments(t, "model.w_economy", &m, &sd);
    assert_true(m > 1.3 && m < 1.9);
    assert_true(sd < 0.4 * 2.5 / sqrt(12.0));
    weighted_moments(t, "model.relax_rate_per_year", &m, &sd);
    assert_true(m > 0.3 && m < 0.8);
    assert_true(sd < 0.5 * 1.9 / sqrt(12.0));
    weighted_moments(t, "model.w_triad", &m, &sd);
    assert_true(fabs(m - 1.0) < 0.14);
    assert_true(sd > 0.85 * 2.0 / sqrt(12.0) && sd < 1.15 * 2.0 / sqrt(12.0));
    tsv_free(t);

    /* generations.tsv: the tolerance falls, the simulations add up. */
    t = read_table(dir, "generations.tsv");
    assert_int_equal(tsv_rows(t), 8);
    double last_tol = INFINITY, last_sims = 0.0;
    for (size_t g = 0; g < 8; g++) {
        double tol = strtod(tsv_cell(t, g, (size_t)tsv_column(t, "tolerance")), NULL);
        double sims = strtod(tsv_cell(t, g, (size_t)tsv_column(t, "simulations")), NULL);
        double cand = strtod(tsv_cell(t, g, (size_t)tsv_column(t, "candidates")), NULL);
        assert_true(g == 0 ? isinf(tol) : tol < last_tol);
        assert_close(sims, last_sims + cand, 1e-15);
        last_tol = tol;
        last_sims = sims;
    }
    tsv_free(t);

    /* posterior.cfg: the resolved scenario and the posterior group. */
    char *cfg = testutil_path(dir, "posterior.cfg");
    char *text = testutil_slurp(cfg, NULL);
    assert_non_null(text);
    assert_contains(text, "name = \"infer_synth\";");
    assert_contains(text, "posterior = { table = \"posterior.tsv\"; };");
    free(text);
    free(cfg);

    /* The report reads the folder. */
    char *html = testutil_path(*state, "report.html");
    const char *rargs[] = {"report", dir, "-o", html, "-q", NULL};
    testutil_result_clear(&r);
    r = testutil_run(rargs);
    assert_int_equal(r.status, 0);
    text = testutil_slurp(html, NULL);
    assert_non_null(text);
    assert_contains(text, "The posterior (weighted particles)");
    assert_contains(text, "model.relax_rate_per_year");
    if (system("command -v gnuplot >/dev/null 2>&1") == 0)
        assert_contains(text, "The posterior marginals, prior outlined");
    free(text);
    free(html);
    testutil_result_clear(&r);
    free(dir);
}

/* Interrupted (twice) and resumed with other -j: the same bytes as one
 * uninterrupted run with -j 2. */
static void interrupted_inference_resumes_to_the_same_bytes(void **state)
{
    const char *args[] = {"infer", SYNTH, NULL};
    const char *files[] = {"posterior.tsv", "generations.tsv", "posterior.cfg", "scenario.cfg", NULL};
    testutil_check_resume(args, *state, ".infer.journal", 40, 60, files);
}

/* --fit-until: the later target is predicted, and the record (1996.75)
 * lies inside its 90% interval. */
static void fit_window_writes_the_posterior_predictive(void **state)
{
    char *dir = testutil_path(*state, "pred");
    const char *args[] = {SYNTH, "-o", dir, "--fit-until", "1994", NULL};
    testutil_result r = run_infer(args);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "out of sample: 1 of 1 later targets inside their 90% posterior predictive interval");
    tsv_table *t = read_table(dir, "predictive.tsv");
    assert_int_equal(tsv_rows(t), 1);
    assert_string_equal(tsv_cell(t, 0, (size_t)tsv_column(t, "target_year")), "1996.75");
    assert_string_equal(tsv_cell(t, 0, (size_t)tsv_column(t, "inside")), "1");
    double lo = strtod(tsv_cell(t, 0, (size_t)tsv_column(t, "lo90")), NULL);
    double med = strtod(tsv_cell(t, 0, (size_t)tsv_column(t, "median")), NULL);
    double hi = strtod(tsv_cell(t, 0, (size_t)tsv_column(t, "hi90")), NULL);
    assert_true(lo <= med && med <= hi && lo <= 1996.75 && 1996.75 <= hi);
    assert_string_equal(tsv_prov(t, "fit_until"), "1994");
    tsv_free(t);
    char *cfg = testutil_path(dir, "scenario.cfg");
    char *text = testutil_slurp(cfg, NULL);
    assert_contains(text, "fit_until = 1994.0;");
    free(text);
    free(cfg);
    testutil_result_clear(&r);
    free(dir);
}

/* Two models, one of whose priors excludes the value the targets were
 * dated at: the record favours the other, and each model has its folder. */
static void model_choice_favours_the_model_that_fits(void **state)
{
    char *dir = testutil_path(*state, "models");
    const char *args[] = {SYNTH, SYNTH_FAR, "-o", dir, NULL};
    testutil_result r = run_infer(args);
    assert_int_equal(r.status, 0);
    tsv_table *t = read_table(dir, "models.tsv");
    assert_int_equal(tsv_rows(t), 2);
    long cp = tsv_column(t, "probability");
    assert_string_equal(tsv_cell(t, 0, 0), "infer_synth");
    assert_string_equal(tsv_cell(t, 1, 0), "infer_synth_far");
    double p0 = strtod(tsv_cell(t, 0, (size_t)cp), NULL), p1 = strtod(tsv_cell(t, 1, (size_t)cp), NULL);
    assert_close(p0 + p1, 1.0, 1e-12);
    assert_true(p0 > 0.95);
    tsv_free(t);
    char *sub = testutil_path(dir, "infer_synth/posterior.tsv");
    assert_true(testutil_exists(sub));
    free(sub);
    sub = testutil_path(dir, "infer_synth_far/posterior.cfg");
    assert_true(testutil_exists(sub));
    free(sub);
    /* The report reads a model choice's folder. */
    char *html = testutil_path(*state, "models.html");
    const char *rargs[] = {"report", dir, "-o", html, "-q", NULL};
    testutil_result_clear(&r);
    r = testutil_run(rargs);
    assert_int_equal(r.status, 0);
    char *text = testutil_slurp(html, NULL);
    assert_contains(text, "Posterior probability of each model");
    free(text);
    free(html);
    testutil_result_clear(&r);
    free(dir);
}

/* scripts/plots.sh draws the posterior (analysis/posterior.gp): the
 * marginals and, with three parameters, the pairs. */
static void plots_draw_the_posterior(void **state)
{
    if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
        skip();
        return;
    }
    char *dir = testutil_path(*state, "plot");
    const char *args[] = {SYNTH, "-o", dir, "--set", "infer.particles=100", "--set", "infer.max_generations=2", NULL};
    testutil_result r = run_infer(args);
    assert_int_equal(r.status, 0);
    testutil_result_clear(&r);
    const char *pargs[] = {"sh", "scripts/plots.sh", dir, NULL};
    r = testutil_exec(pargs);
    if (r.status != 0)
        print_message("%s\n", r.err);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "posterior.png");
    assert_contains(r.out, "posterior_pairs.svg");
    assert_string_equal(r.err, ""); /* no gnuplot warning */
    const char *files[] = {"posterior.png", "posterior.svg", "posterior_pairs.png", "posterior_pairs.svg"};
    for (size_t i = 0; i < 4; i++) {
        char *f = testutil_path(dir, files[i]);
        size_t len = 0;
        char *data = testutil_slurp(f, &len);
        assert_non_null(data);
        assert_true(len > 1000);
        if (i % 2 == 0)
            assert_memory_equal(data, "\x89PNG", 4);
        else
            assert_contains(data, "model.w_economy");
        free(data);
        free(f);
    }
    testutil_result_clear(&r);
    free(dir);
}

/* Refusals: no priors; models with other data. */
static void infer_refuses_what_it_cannot_run(void **state)
{
    char *dir = testutil_path(*state, "bad");
    const char *a1[] = {"tests/data/study/synth.cfg", "-o", dir, NULL};
    testutil_result r = run_infer(a1);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "scenario synth has no priors: add an `infer` group");
    testutil_result_clear(&r);
    const char *a2[] = {SYNTH, "tests/data/study/infer_other_targets.cfg", "-o", dir, NULL};
    r = run_infer(a2);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "scenarios infer_synth and infer_other_targets have different targets");
    testutil_result_clear(&r);
    const char *a3[] = {SYNTH, "-o", dir, "--fit-until", "1990.5", NULL};
    r = run_infer(a3);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "no target is dated up to the fit window's end 1990.50: nothing to fit");
    testutil_result_clear(&r);
    const char *a5[] = {SYNTH, "-o", dir, "--set", "posterior={table=\"infer_post.tsv\";}",
                        NULL};
    r = run_infer(a5);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "draws its parameters from a posterior");
    testutil_result_clear(&r);
    const char *a4[] = {SYNTH, "-o", dir, "--fit-until", "soon", NULL};
    r = run_infer(a4);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "--fit-until needs a year");
    testutil_result_clear(&r);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance_matches_hand_computation),
        cmocka_unit_test(test_distance_standardises_by_the_scale),
        cmocka_unit_test(test_distance_squared_is_the_calibration_loss_per_target),
        TESTUTIL_IN_DIR(posterior_narrows_what_the_record_constrains),
        TESTUTIL_IN_DIR(interrupted_inference_resumes_to_the_same_bytes),
        TESTUTIL_IN_DIR(fit_window_writes_the_posterior_predictive),
        TESTUTIL_IN_DIR(model_choice_favours_the_model_that_fits),
        TESTUTIL_IN_DIR(plots_draw_the_posterior),
        TESTUTIL_IN_DIR(infer_refuses_what_it_cannot_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
