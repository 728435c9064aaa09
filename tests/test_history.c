/*
 * test_history - the historical scenario replays the essay's path with the
 * default parameters: over 1,000 replications every calibration target is
 * hit within +-2 years in at least 80% of replications with its median
 * within +-1 year, the 1950 alliance forms, and no China-Russia alliance
 * follows 1980 in at least 95% of replications.
 *
 * This is the acceptance test of the model's calibration: a change to the
 * mechanisms, the defaults or the scenario that breaks the replay fails here.
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

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "model/milestones.h"
#include "model/model.h"
#include "model/spec.h"
#include "scenario/scenario.h"
#include "stats/rng.h"

enum { REPS = 1000 };

typedef struct {
    model_spec spec;
    model *m;
    milestones *ms;
} fixture;

static void on_change(void *ctx, double time, size_t dyad, int rung, unsigned commit)
{
    milestones_change(ctx, time, dyad, rung, commit);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    scenario_diags diags = {NULL, 0};
    scenario_options opt = {NULL, 0, 0, 0, NULL};
    char *resolved = NULL;
    model_spec_init(&f->spec);
    int rc = scenario_load("scenarios/historical.cfg", &opt, &f->spec, &resolved, &diags);
    for (size_t i = 0; i < diags.n; i++)
        print_error("%s\n", diags.lines[i]);
    scenario_diags_clear(&diags);
    free(resolved);
    assert_int_equal(rc, SCENARIO_OK);
    f->m = model_alloc(&f->spec);
    f->ms = milestones_alloc(&f->spec);
    assert_non_null(f->m);
    assert_non_null(f->ms);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    milestones_free(f->ms);
    model_free(f->m);
    model_spec_clear(&f->spec);
    free(f);
    return 0;
}

static void replay_hits_every_target(void **state)
{
    fixture *f = *state;
    const model_spec *s = &f->spec;
    size_t nt = s->ntargets;
    assert_true(nt >= 15);
    double *err = calloc(nt * REPS, sizeof *err);
    assert_non_null(err);
    size_t alliance_1950 = 0, alliance_after_1980 = 0;
    for (size_t r = 0; r < REPS; r++) {
        milestones_reset(f->ms);
        model_observer obs = {f->ms, NULL, NULL, on_change};
        model_outcome out;
        assert_int_equal(model_run(f->m, rng_mix64(r), NULL, &obs, &out), 0);
        milestones_finish(f->ms, s->horizon);
        for (size_t t = 0; t < nt; t++)
            err[t * REPS + r] = milestones_error(f->ms, t);
        if (!isnan(out.alliance_year))
            alliance_after_1980++;
        /* the first target is the 1950 alliance */
        if (fabs(milestones_error(f->ms, 0)) <= 0.5)
            alliance_1950++;
    }
    int failed = 0;
    for (size_t t = 0; t < nt; t++) {
        const spec_target *tg = &s->targets[t];
        double *e = err + t * REPS;
        size_t within2 = 0, n = 0;
        double reached[REPS];
        for (size_t r = 0; r < REPS; r++) {
            if (isnan(e[r]))
                continue;
            reached[n++] = e[r];
            if (fabs(e[r]) <= 2.0)
                within2++;
        }
        double median = NAN;
        if (n) {
            gsl_sort(reached, 1, n);
            median = gsl_stats_median_from_sorted_data(reached, 1, n);
        }
        double share = (double)within2 / REPS;
        int ok = share >= 0.80 && n > 0 && fabs(median) <= 1.0;
        print_message("%-3s %-60.60s %7.2f within2 %.3f median %+.2f\n", ok ? "ok" : "BAD", tg->note,
                      tg->year, share, median);
        failed += !ok;
    }
    print_message("1950 alliance in %zu of %d; alliance after 1980 in %zu of %d\n", alliance_1950, REPS,
                  alliance_after_1980, REPS);
    assert_int_equal(failed, 0);
    assert_true(alliance_1950 >= 0.95 * REPS);
    assert_true(alliance_after_1980 <= 0.05 * REPS);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(replay_hits_every_target, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
