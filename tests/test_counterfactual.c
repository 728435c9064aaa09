/*
 * test_counterfactual - each pressure type moves the dyads it touches in the
 * direction the literature expects.
 *
 * For each counterfactual scenario in scenarios/counterfactual/ the test runs
 * paired replications (the same replication seeds under both scenarios:
 * common random numbers) of it and of the historical scenario, takes the
 * mean of x over a window of years for the dyad the pressure touches, and
 * requires the 95% confidence interval of the paired difference
 * (historical - counterfactual) to exclude zero on the expected side.
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

#include "model/model.h"
#include "model/spec.h"
#include "scenario/scenario.h"
#include "stats/rng.h"
#include "stats/stats.h"

enum { REPS = 120 };

/* Mean of x of one dyad over [from, to] (mid-year samples). */
typedef struct {
    size_t dyad;
    int from, to;
    double sum;
    int n;
} window;

static int on_sample(void *ctx, int year, const model *m)
{
    window *w = ctx;
    if (year >= w->from && year <= w->to) {
        w->sum += model_dyad_x(m, w->dyad);
        w->n++;
    }
    return 0;
}

static void load(const char *path, model_spec *spec)
{
    scenario_diags diags = {NULL, 0};
    scenario_options opt = {NULL, 0, 0, 0, NULL};
    char *resolved = NULL;
    model_spec_init(spec);
    int rc = scenario_load(path, &opt, spec, &resolved, &diags);
    for (size_t i = 0; i < diags.n; i++)
        print_error("%s\n", diags.lines[i]);
    scenario_diags_clear(&diags);
    free(resolved);
    assert_int_equal(rc, SCENARIO_OK);
}

static double window_mean(model *m, uint64_t seed, size_t dyad, int from, int to)
{
    window w = {dyad, from, to, 0.0, 0};
    model_observer obs = {&w, NULL, on_sample, NULL};
    assert_int_equal(model_run(m, seed, NULL, &obs, NULL), 0);
    assert_true(w.n > 0);
    return w.sum / w.n;
}

/*
 * Runs the paired comparison and asserts the sign of historical minus
 * counterfactual (+1: history higher, -1: history lower).
 */
static void paired(const char *cf_path, const char *a, const char *b, int from, int to, int sign)
{
    model_spec hist, cf;
    load("scenarios/historical.cfg", &hist);
    load(cf_path, &cf);
    int ia = model_spec_find_actor(&hist, a), ib = model_spec_find_actor(&hist, b);
    assert_true(ia >= 0 && ib >= 0);
    assert_int_equal(model_spec_find_actor(&cf, a), ia);
    size_t dyad = spec_dyad_index(hist.nactors, ia, ib);
    model *mh = model_alloc(&hist), *mc = model_alloc(&cf);
    assert_non_null(mh);
    assert_non_null(mc);
    double sum = 0.0, sum2 = 0.0;
    for (uint64_t r = 0; r < REPS; r++) {
        uint64_t seed = rng_mix64(r + 1000);
        double d = window_mean(mh, seed, dyad, from, to) - window_mean(mc, seed, dyad, from, to);
        sum += d;
        sum2 += d * d;
    }
    double mean = sum / REPS;
    double var = (sum2 - REPS * mean * mean) / (REPS - 1);
    double lo, hi;
    assert_int_equal(stats_paired_ci(REPS, mean, sqrt(var > 0 ? var : 0), 0.95, &lo, &hi), 0);
    print_message("%s %s-%s %d-%d: historical - counterfactual = %.4f [%.4f, %.4f]\n", cf_path, a, b, from,
                  to, mean, lo, hi);
    if (sign > 0)
        assert_true(lo > 0.0);
    else
        assert_true(hi < 0.0);
    model_free(mh);
    model_free(mc);
    model_spec_clear(&hist);
    model_spec_clear(&cf);
}

/* Sanctions on Russia push it toward China (common threat). */
static void sanctions_bring_china_and_russia_closer(void **state)
{
    (void)state;
    paired("scenarios/counterfactual/no_2014_sanctions.cfg", "china", "russia", 2015, 2021, +1);
}

/* An unequal proposal (the 1958 joint fleet) costs the alliance goodwill. */
static void unequal_proposal_hurts_the_alliance(void **state)
{
    (void)state;
    paired("scenarios/counterfactual/no_joint_fleet.cfg", "china", "russia", 1959, 1963, -1);
}

/* Border force reductions (1997) raise China-Russia relations. */
static void force_reductions_improve_relations(void **state)
{
    (void)state;
    paired("scenarios/counterfactual/no_1997_force_reductions.cfg", "china", "russia", 1998, 2004, +1);
}

/* More arms to Taiwan sour US-China relations. */
static void arms_sales_to_taiwan_sour_us_china(void **state)
{
    (void)state;
    paired("scenarios/counterfactual/doubled_taiwan_arms.cfg", "china", "us", 1980, 2000, +1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sanctions_bring_china_and_russia_closer),
        cmocka_unit_test(unequal_proposal_hurts_the_alliance),
        cmocka_unit_test(force_reductions_improve_relations),
        cmocka_unit_test(arms_sales_to_taiwan_sour_us_china),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
