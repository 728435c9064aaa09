/*
 * test_infer - the inference distance (study/infer_distance) on
 * hand-computed cases: capped and standardised date errors, missed and
 * violated targets, held stays_below targets, the fit window, per-target
 * scales; and its agreement with the calibration loss it is documented to
 * equal (root mean square of calibrate_rep_loss) on the same targets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <math.h>
#include <string.h>

#include "model/spec.h"
#include "study/calibrate.h"
#include "study/infer_distance.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance_matches_hand_computation),
        cmocka_unit_test(test_distance_standardises_by_the_scale),
        cmocka_unit_test(test_distance_squared_is_the_calibration_loss_per_target),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
