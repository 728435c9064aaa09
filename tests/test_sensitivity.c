/*
 * test_sensitivity - Sobol indices (study/sensitivity.h, `alignsim
 * sensitivity`): the estimator on the Ishigami function, whose indices are
 * known analytically, each within its bootstrap interval; exact zeros for
 * a parameter a function ignores; the Saltelli design's structure; the
 * command's files, the same for any -j, and its errors.
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

#include "study/sensitivity.h"

#define ISHIGAMI_A 7.0
#define ISHIGAMI_B 0.1

/* f(x) = sin x1 + a sin^2 x2 + b x3^4 sin x1 on [-pi, pi]^3. */
static int ishigami(void *ctx, const double *x, size_t nrows, size_t k, double *y, size_t nout, char *err,
                    size_t errlen)
{
    (void)err;
    (void)errlen;
    size_t *calls = ctx;
    (*calls)++;
    assert_int_equal(k, 3);
    assert_int_equal(nout, 1);
    for (size_t i = 0; i < nrows; i++) {
        const double *r = x + i * k;
        double s2 = sin(r[1]);
        y[i] = sin(r[0]) + ISHIGAMI_A * s2 * s2 + ISHIGAMI_B * pow(r[2], 4) * sin(r[0]);
    }
    return 0;
}

/* f(x) = x1 + 2 x2 (x3 ignored), and the constant 2.385 as a second output. */
static int linear(void *ctx, const double *x, size_t nrows, size_t k, double *y, size_t nout, char *err,
                  size_t errlen)
{
    (void)ctx;
    (void)err;
    (void)errlen;
    for (size_t i = 0; i < nrows; i++) {
        y[i * nout] = x[i * k] + 2.0 * x[i * k + 1];
        y[i * nout + 1] = 2.385;
    }
    return 0;
}

static void ishigami_indices_lie_within_their_bootstrap_intervals(void **state)
{
    (void)state;
    const double pi = 3.14159265358979323846, a = ISHIGAMI_A, b = ISHIGAMI_B;
    /* Analytic variances (Ishigami and Homma 1990; Sobol' and Levitan 1999). */
    double v1 = 0.5 * pow(1.0 + b * pow(pi, 4) / 5.0, 2);
    double v2 = a * a / 8.0;
    double v13 = b * b * pow(pi, 8) * (1.0 / 18.0 - 1.0 / 50.0);
    double v = v1 + v2 + v13;
    const double s1[3] = {v1 / v, v2 / v, 0.0};
    const double st[3] = {(v1 + v13) / v, v2 / v, v13 / v};
    assert_close(s1[0], 0.3139, 1e-3);
    assert_close(st[2], 0.2437, 1e-3);

    double lo[3] = {-pi, -pi, -pi}, hi[3] = {pi, pi, pi};
    sensitivity_problem p = {3, lo, hi, 4096, 1, 1000, 2385, 0.95};
    sensitivity_index out[3], again[3];
    size_t calls = 0;
    char err[256];
    assert_int_equal(sensitivity_saltelli(&p, ishigami, &calls, out, NULL, NULL, err, sizeof err), 0);
    assert_int_equal(calls, 1);
    for (int i = 0; i < 3; i++) {
        print_message("x%d: S1 %.4f [%.4f, %.4f] (analytic %.4f)  ST %.4f [%.4f, %.4f] (analytic %.4f)\n", i + 1,
                      out[i].s1, out[i].s1_lo, out[i].s1_hi, s1[i], out[i].st, out[i].st_lo, out[i].st_hi, st[i]);
        assert_true(out[i].s1_lo <= s1[i] && s1[i] <= out[i].s1_hi);
        assert_true(out[i].st_lo <= st[i] && st[i] <= out[i].st_hi);
        /* The intervals are informative, not [-inf, inf]. */
        assert_true(out[i].s1_hi - out[i].s1_lo < 0.15);
        assert_true(out[i].st_hi - out[i].st_lo < 0.15);
        assert_true(fabs(out[i].s1 - s1[i]) < 0.05);
        assert_true(fabs(out[i].st - st[i]) < 0.05);
    }
    /* Fixed seeds: the same figures to the last bit. */
    assert_int_equal(sensitivity_saltelli(&p, ishigami, &calls, again, NULL, NULL, err, sizeof err), 0);
    assert_memory_equal(out, again, sizeof out);
}

static void an_ignored_parameter_has_indices_of_exactly_zero(void **state)
{
    (void)state;
    double lo[3] = {0.0, 0.0, 0.0}, hi[3] = {1.0, 1.0, 1.0};
    sensitivity_problem p = {3, lo, hi, 1024, 2, 200, 7, 0.9};
    sensitivity_index out[6];
    double var[2];
    char err[256];
    assert_int_equal(sensitivity_saltelli(&p, linear, NULL, out, var, NULL, err, sizeof err), 0);
    /* Var(x1 + 2 x2) = 1/12 + 4/12: shares 1/5 and 4/5, additive. */
    assert_close(var[0], 5.0 / 12.0, 0.02);
    assert_close(out[0].s1, 0.2, 0.03);
    assert_close(out[1].s1, 0.8, 0.03);
    assert_close(out[0].st, 0.2, 0.03);
    assert_close(out[1].st, 0.8, 0.03);
    assert_true(out[2].s1 == 0.0 && out[2].st == 0.0);
    assert_true(out[2].st_lo == 0.0 && out[2].st_hi == 0.0);
    /* A constant output has no variance to apportion: NaN, not 0/0 noise. */
    assert_true(var[1] == 0.0);
    for (int i = 3; i < 6; i++)
        assert_true(isnan(out[i].s1) && isnan(out[i].st) && isnan(out[i].s1_lo) && isnan(out[i].st_hi));
}

static void saltelli_design_swaps_one_column_of_a_for_b(void **state)
{
    (void)state;
    double lo[2] = {0.0, 10.0}, hi[2] = {1.0, 30.0};
    sensitivity_problem p = {2, lo, hi, 8, 1, 10, 1, 0.95};
    double x[4 * 8 * 2];
    char err[256];
    assert_int_equal(sensitivity_design(&p, x, err, sizeof err), 0);
    size_t n = 8;
    for (size_t j = 0; j < n; j++) {
        const double *A = x + j * 2, *B = x + (n + j) * 2;
        const double *AB0 = x + (2 * n + j) * 2, *AB1 = x + (3 * n + j) * 2;
        assert_true(AB0[0] == B[0] && AB0[1] == A[1]);
        assert_true(AB1[0] == A[0] && AB1[1] == B[1]);
        for (int i = 0; i < 2; i++) {
            assert_true(A[i] >= lo[i] && A[i] <= hi[i]);
            assert_true(B[i] >= lo[i] && B[i] <= hi[i]);
        }
    }
    /* Row 0 is the Sobol sequence's first point, (0.5, 0.5, 0.5, 0.5). */
    assert_close(x[0], 0.5, 1e-15);
    assert_close(x[1], 20.0, 1e-15);
    assert_close(x[n * 2], 0.5, 1e-15);
    assert_close(x[n * 2 + 1], 20.0, 1e-15);
}

static char *file_in(const char *dir, const char *name, size_t *len)
{
    char *p = testutil_path(dir, name);
    char *text = testutil_slurp(p, len);
    free(p);
    assert_non_null(text);
    return text;
}

static size_t data_rows(const char *text)
{
    size_t n = 0;
    int header = 0;
    for (const char *p = text; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
        if (*p == '#' || *p == '\n')
            continue;
        if (!header) {
            header = 1;
            continue;
        }
        n++;
    }
    return n;
}

static void command_writes_indices_problem_and_samples_the_same_for_any_j(void **state)
{
    char *d1 = testutil_path(*state, "j1"), *d2 = testutil_path(*state, "j2");
    const char *a1[] = {"sensitivity", "tests/data/study/sweep_sobol.cfg", "-o", d1, "-j", "1", "-q", NULL};
    const char *a2[] = {"sensitivity", "tests/data/study/sweep_sobol.cfg", "-o", d2, "-j", "2", "-q", NULL};
    testutil_result r1 = testutil_run(a1);
    if (r1.status != 0)
        print_error("%s", r1.err);
    assert_int_equal(r1.status, 0);
    testutil_result r2 = testutil_run(a2);
    assert_int_equal(r2.status, 0);
    assert_non_null(strstr(r1.out, "3 parameters, 16 base samples, 80 evaluations x 2 replications"));
    const char *files[] = {"sensitivity.tsv", "samples.tsv", "salib_problem.txt", "scenario.cfg"};
    for (size_t i = 0; i < 4; i++) {
        size_t la, lb;
        char *a = file_in(d1, files[i], &la), *b = file_in(d2, files[i], &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, la);
        free(a);
        free(b);
    }
    char *problem = file_in(d1, "salib_problem.txt", NULL);
    assert_string_equal(problem, "actors.a.doctrine_cost 0 1\nmodel.gate_security 1 8\nmodel.w_threat 0.5 2\n");
    free(problem);
    char *sens = file_in(d1, "sensitivity.tsv", NULL);
    assert_non_null(strstr(sens, "\noutput\tparameter\tS1\tS1_lo\tS1_hi\tST\tST_lo\tST_hi\n"));
    assert_int_equal(data_rows(sens), 9);
    assert_non_null(strstr(sens, "\np_alliance\tactors.a.doctrine_cost\t"));
    assert_non_null(strstr(sens, "\nreplay_score\tmodel.w_threat\t"));
    assert_non_null(strstr(sens, "# replications_per_evaluation: 2\n"));
    free(sens);
    char *samples = file_in(d1, "samples.tsv", NULL);
    assert_int_equal(data_rows(samples), 80);
    /* SALib's order: A, AB_0, AB_1, AB_2, B for each base sample. */
    assert_non_null(strstr(samples, "\n0\t0\tA\t"));
    assert_non_null(strstr(samples, "\n1\t0\tAB_0\t"));
    assert_non_null(strstr(samples, "\n3\t0\tAB_2\t"));
    assert_non_null(strstr(samples, "\n4\t0\tB\t"));
    assert_non_null(strstr(samples, "\n5\t1\tA\t"));
    free(samples);
    testutil_result_clear(&r1);
    testutil_result_clear(&r2);
    free(d1);
    free(d2);
}

/* An analysis stopped part-way resumes to the uninterrupted files: 80 rows
 * x 100 replications are two jobs of at most 4096 replications, of 63
 * blocks each, so 70 blocks stop in the second and the first is replayed. */
static void interrupted_analysis_resumes_to_the_same_files(void **state)
{
    const char *args[] = {"sensitivity", "tests/data/study/sweep_sobol.cfg", "-n", "100", NULL};
    const char *files[] = {"sensitivity.tsv", "samples.tsv", "salib_problem.txt", "scenario.cfg", NULL};
    testutil_check_resume(args, *state, ".sensitivity.journal", 70, 0, files);
}

static void a_grid_sweep_has_no_ranges_to_analyse(void **state)
{
    char *d = testutil_path(*state, "grid");
    const char *args[] = {"sensitivity", "tests/data/study/sweep_grid.cfg", "-o", d, NULL};
    testutil_result r = testutil_run(args);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "tests/data/study/sweep_grid.cfg:7: error: parameters.[0]: a sensitivity "
                                  "analysis needs 'min' and 'max' for actors.a.doctrine_cost"));
    testutil_result_clear(&r);
    free(d);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ishigami_indices_lie_within_their_bootstrap_intervals),
        cmocka_unit_test(an_ignored_parameter_has_indices_of_exactly_zero),
        cmocka_unit_test(saltelli_design_swaps_one_column_of_a_for_b),
        TESTUTIL_IN_DIR(command_writes_indices_problem_and_samples_the_same_for_any_j),
        TESTUTIL_IN_DIR(interrupted_analysis_resumes_to_the_same_files),
        TESTUTIL_IN_DIR(a_grid_sweep_has_no_ranges_to_analyse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
