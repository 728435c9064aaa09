/*
 * test_calibrate - the calibration (study/calibrate.h, `alignsim
 * calibrate`): the loss on hand-made errors; recovery of known parameter
 * values on a synthetic scenario whose targets come from a run at those
 * values; the same fit for the same seed and any number of threads; the
 * command's files, fit window and errors.
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
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "run/batch.h"
#include "scenario/scenario.h"
#include "study/calibrate.h"
#include "base/status.h"
#include "run/engine.h"
#include "run/rep.h"

#define SYNTH "tests/data/study/synth.cfg"
#define TRUE_W_ECONOMY 1.6
#define TRUE_RELAX 0.5

static void load(const char *path, const char *const *sets, size_t nsets, model_spec *spec)
{
    scenario_diags d = {NULL, 0};
    scenario_options so = {sets, nsets, 0, 0, NULL};
    model_spec_init(spec);
    int rc = scenario_load(path, &so, spec, NULL, &d);
    for (size_t i = 0; i < d.n; i++)
        print_error("%s\n", d.lines[i]);
    scenario_diags_clear(&d);
    assert_int_equal(rc, SCENARIO_OK);
}

/*
 * The synthetic scenario with its targets dated by a run at the true
 * values: the median simulated date of each target over 16 replications.
 */
static void synth_with_targets(model_spec *spec)
{
    model_spec base;
    load(SYNTH, NULL, 0, &base);
    size_t idx[2] = {(size_t)model_spec_find_param(&base, "model.w_economy"),
                     (size_t)model_spec_find_param(&base, "model.relax_rate_per_year")};
    rep_worker *w = rep_worker_alloc(&base);
    assert_non_null(w);
    enum { REPS = 16 };
    double truth[2] = {TRUE_W_ECONOMY, TRUE_RELAX};
    size_t nt = base.ntargets;
    double *years = calloc(REPS * nt, sizeof *years);
    char err[256];
    for (size_t r = 0; r < REPS; r++) {
        rep_outcome out;
        assert_int_equal(rep_run(w, batch_rep_seed(base.seed + 1, r), idx, truth, 2, NULL, NULL, &out, err,
                                 sizeof err),
                         AS_OK);
        for (size_t i = 0; i < nt; i++)
            years[r * nt + i] = milestones_sim_year(rep_milestones(w), i);
    }
    char sets_buf[8][64];
    const char *sets[8];
    for (size_t i = 0; i < nt; i++) {
        double col[REPS];
        for (size_t r = 0; r < REPS; r++)
            col[r] = years[r * nt + i];
        gsl_sort(col, 1, REPS);
        double med = gsl_stats_median_from_sorted_data(col, 1, REPS);
        assert_true(isfinite(med) != 0);
        snprintf(sets_buf[i], sizeof sets_buf[i], "targets.[%zu].year=%.2f", i, med);
        sets[i] = sets_buf[i];
    }
    free(years);
    rep_worker_free(w);
    model_spec_clear(&base);
    load(SYNTH, sets, nt, spec);
}

/* An executor with the given number of threads. */
static engine *make_engine(unsigned threads)
{
    engine_options eo = {threads, NULL, NULL, NULL, 0, 0};
    engine *e = NULL;
    char err[256];
    assert_int_equal(engine_alloc(&eo, &e, err, sizeof err), AS_OK);
    return e;
}

static void loss_caps_errors_counts_misses_and_orders(void **state)
{
    (void)state;
    model_spec spec;
    load(SYNTH, NULL, 0, &spec);
    spec_calibrate cal = spec.calibrate;
    double errors[3] = {1.5, -10.0, NAN};
    double years[3] = {1991.0, 1993.0, NAN};
    size_t n = 0;
    /* 1.5^2 + 8^2 (capped) + 8^2 (missed) */
    assert_close(calibrate_rep_loss(&spec, &cal, errors, years, 1, &n), 2.25 + 64.0 + 64.0, 1e-12);
    assert_int_equal(n, 3);
    cal.cap_years = 3.0;
    assert_close(calibrate_rep_loss(&spec, &cal, errors, years, 1, NULL), 2.25 + 9.0 + 9.0, 1e-12);
    /* A window up to 1995 fits the first two targets only. */
    cal.fit_until = 1995.0;
    assert_close(calibrate_rep_loss(&spec, &cal, errors, years, 1, &n), 2.25 + 9.0, 1e-12);
    assert_int_equal(n, 2);
    assert_close(calibrate_rep_loss(&spec, &cal, errors, years, 0, &n), 9.0, 1e-12);
    assert_int_equal(n, 1);
    /* Order targets: met in order costs nothing, in the wrong order the
     * capped squared gap, a miss the cap. */
    cal.fit_until = INFINITY;
    cal.cap_years = 8.0;
    double ok[3] = {0.0, 0.0, 0.0};
    double in_order[3] = {1991.0, 1993.0, 1997.0};
    cal.norders = 1;
    cal.orders[0] = (spec_order){0, 1};
    assert_close(calibrate_rep_loss(&spec, &cal, ok, in_order, 1, &n), 0.0, 1e-12);
    assert_int_equal(n, 4);
    cal.orders[0] = (spec_order){1, 0};
    assert_close(calibrate_rep_loss(&spec, &cal, ok, in_order, 1, NULL), 4.0, 1e-12);
    cal.orders[0] = (spec_order){2, 1};
    double missing[3] = {1991.0, NAN, 1997.0};
    assert_close(calibrate_rep_loss(&spec, &cal, ok, missing, 1, NULL), 64.0, 1e-12);
    model_spec_clear(&spec);
}

static void fit_recovers_the_values_that_made_the_targets(void **state)
{
    (void)state;
    model_spec spec;
    synth_with_targets(&spec);
    calibrate_result res;
    char err[512];
    engine *e = make_engine(2);
    int rc = calibrate_fit(e, &spec, 0, spec.seed, &res, err, sizeof err);
    engine_free(e);
    if (rc != 0)
        print_error("%s\n", err);
    assert_int_equal(rc, 0);
    print_message("fitted w_economy %.4f (true %.2f), relax_rate %.4f (true %.2f), loss %.4g from %.4g, "
                  "%zu evaluations\n",
                  res.values[0], TRUE_W_ECONOMY, res.values[1], TRUE_RELAX, res.loss, res.initial_loss,
                  res.evaluations);
    /* The start (0.9, 1.2) is far off; the fit must come back within a
     * few percent of the ranges (2.5 and 1.9 wide). */
    assert_true(res.initial_loss > 1.0);
    assert_true(res.loss < 0.1 * res.initial_loss);
    assert_true(fabs(res.values[0] - TRUE_W_ECONOMY) < 0.15);
    assert_true(fabs(res.values[1] - TRUE_RELAX) < 0.1);
    assert_true(res.ntrace > 3);
    calibrate_result_clear(&res);
    model_spec_clear(&spec);
}

static void same_seed_same_fit_for_any_thread_count(void **state)
{
    (void)state;
    model_spec spec;
    synth_with_targets(&spec);
    calibrate_result a, b;
    char err[512];
    engine *e1 = make_engine(1), *e3 = make_engine(3);
    assert_int_equal(calibrate_fit(e1, &spec, 4, 99, &a, err, sizeof err), AS_OK);
    assert_int_equal(calibrate_fit(e3, &spec, 4, 99, &b, err, sizeof err), AS_OK);
    engine_free(e1);
    engine_free(e3);
    assert_int_equal(a.ntrace, b.ntrace);
    assert_int_equal(a.evaluations, b.evaluations);
    assert_memory_equal(a.values, b.values, sizeof a.values);
    assert_memory_equal(&a.loss, &b.loss, sizeof a.loss);
    for (size_t i = 0; i < a.ntrace; i++)
        assert_memory_equal(&a.trace[i].loss, &b.trace[i].loss, sizeof a.trace[i].loss);
    calibrate_result_clear(&a);
    calibrate_result_clear(&b);
    model_spec_clear(&spec);
}

static testutil_result run_calibrate(const char *scenario, const char *dir, const char *extra1,
                                     const char *extra2)
{
    const char *args[] = {"calibrate", scenario, "-o", dir, "-q", extra1, extra2, NULL};
    return testutil_run(args);
}

static void command_writes_a_runnable_calibrated_scenario(void **state)
{
    char *dir = testutil_path(*state, "cal");
    testutil_result r = run_calibrate(SYNTH, dir, "-j", "2");
    if (r.status != 0)
        print_error("%s", r.err);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "calibrated 2 free parameters"));
    assert_non_null(strstr(r.out, "model.w_economy = "));
    const char *files[] = {"calibrated.cfg", "calibration.tsv", "fit.tsv", "scenario.cfg"};
    for (size_t i = 0; i < 4; i++) {
        char *p = testutil_path(dir, files[i]);
        assert_true(testutil_exists(p));
        free(p);
    }
    /* calibrated.cfg records the fitted values as overrides and runs. */
    char *cfg = testutil_path(dir, "calibrated.cfg");
    char *text = testutil_slurp(cfg, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"model.w_economy="));
    assert_non_null(strstr(text, "\"model.relax_rate_per_year="));
    assert_non_null(strstr(text, "calibrate = {"));
    free(text);
    char *rundir = testutil_path(*state, "rerun");
    const char *args[] = {"run", cfg, "-o", rundir, NULL};
    testutil_result r2 = testutil_run(args);
    assert_int_equal(r2.status, 0);
    testutil_result_clear(&r2);
    free(rundir);
    free(cfg);

    /* The same command again writes the same bytes (here with -j 1). */
    char *dir2 = testutil_path(*state, "cal2");
    testutil_result r3 = run_calibrate(SYNTH, dir2, "-j", "1");
    assert_int_equal(r3.status, 0);
    for (size_t i = 0; i < 4; i++) {
        char *pa = testutil_path(dir, files[i]), *pb = testutil_path(dir2, files[i]);
        size_t la, lb;
        char *a = testutil_slurp(pa, &la), *b = testutil_slurp(pb, &lb);
        assert_non_null(a);
        assert_non_null(b);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, la);
        free(a);
        free(b);
        free(pa);
        free(pb);
    }
    testutil_result_clear(&r3);
    free(dir2);
    testutil_result_clear(&r);
    free(dir);
}

/* A calibration stopped twice and resumed with other thread counts replays
 * its journaled loss evaluations and ends with the uninterrupted files. */
static void interrupted_calibration_resumes_to_the_same_files(void **state)
{
    const char *args[] = {"calibrate", SYNTH, NULL};
    const char *files[] = {"calibrated.cfg", "calibration.tsv", "fit.tsv", "scenario.cfg", NULL};
    testutil_check_resume(args, *state, ".calibrate.journal", 60, 200, files);
}

static void fit_window_reports_the_out_of_window_error(void **state)
{
    char *dir = testutil_path(*state, "win");
    testutil_result r = run_calibrate(SYNTH, dir, "--set", "calibrate.fit_until=1995.0");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "in window (targets to 1995.00)"));
    assert_non_null(strstr(r.out, "out of window (after 1995.00, not fitted): RMSE"));
    char *fit = testutil_path(dir, "fit.tsv");
    char *text = testutil_slurp(fit, NULL);
    assert_non_null(text);
    /* in_window is 1, 1, 0 for the targets of 1991, 1993, 1997. */
    size_t ones = 0, zeros = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || strncmp(line, "dyad", 4) == 0)
            continue;
        char *note = strrchr(line, '\t');
        assert_non_null(note);
        ones += note[-1] == '1';
        zeros += note[-1] == '0';
    }
    assert_int_equal(ones, 2);
    assert_int_equal(zeros, 1);
    free(text);
    free(fit);
    testutil_result_clear(&r);
    free(dir);
}

static void scenario_without_calibrate_group_is_refused(void **state)
{
    char *dir = testutil_path(*state, "none");
    testutil_result r = run_calibrate("tests/data/run/small.cfg", dir, NULL, NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "no free parameters"));
    testutil_result_clear(&r);
    free(dir);
}

static void unknown_free_parameter_is_a_file_line_error_with_near_matches(void **state)
{
    char *dir = testutil_path(*state, "bad");
    testutil_result r = run_calibrate("tests/data/study/bad_calibrate.cfg", dir, NULL, NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "tests/data/study/bad_calibrate.cfg:10: error: calibrate.free.[0].path: "
                                  "unknown parameter \"model.w_econmy\"; near matches: model.w_economy"));
    assert_non_null(strstr(r.err, "tests/data/study/bad_calibrate.cfg:11: error: calibrate.free.[1]: the "
                                  "range [0, 30] is not within the valid range [0, 20] of model.w_threat"));
    assert_non_null(strstr(r.err, "tests/data/study/bad_calibrate.cfg:14: error: calibrate.orders.[0].second: "
                                  "expected a target index from 0 to 0, found 5"));
    testutil_result_clear(&r);
    free(dir);
}

static void shipped_calibration_scenarios_free_ten_parameters(void **state)
{
    (void)state;
    const char *files[] = {"scenarios/calibrate/precursor.cfg", "scenarios/calibrate/opposite.cfg"};
    for (size_t i = 0; i < 2; i++) {
        model_spec spec;
        load(files[i], NULL, 0, &spec);
        assert_true(spec.calibrate.present);
        assert_int_equal(spec.calibrate.nfree, 10);
        assert_int_equal(spec.calibrate.reps, 64);
        assert_true(isinf(spec.calibrate.fit_until));
        for (size_t j = 0; j < spec.calibrate.nfree; j++)
            assert_true(rep_param_settable(&spec, spec.calibrate.free[j].param));
        model_spec_clear(&spec);
    }
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loss_caps_errors_counts_misses_and_orders),
        cmocka_unit_test(shipped_calibration_scenarios_free_ten_parameters),
        cmocka_unit_test(fit_recovers_the_values_that_made_the_targets),
        cmocka_unit_test(same_seed_same_fit_for_any_thread_count),
        TESTUTIL_IN_DIR(command_writes_a_runnable_calibrated_scenario),
        TESTUTIL_IN_DIR(fit_window_reports_the_out_of_window_error),
        TESTUTIL_IN_DIR(interrupted_calibration_resumes_to_the_same_files),
        TESTUTIL_IN_DIR(scenario_without_calibrate_group_is_refused),
        TESTUTIL_IN_DIR(unknown_free_parameter_is_a_file_line_error_with_near_matches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
