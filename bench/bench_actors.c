/*
 * bench_actors - how the cost of a simulated year grows with the number of
 * states.  For 7, 20, 50 and 200 actors it builds a world in code (no
 * scenario file): every dyad starts at its own x, each actor has a few
 * events (a summit every year with its neighbour, jittered; an economy
 * event every two years with the actor two places on; a crisis with the
 * actor three places on, once; sanctions of every tenth actor on its
 * neighbour), over 30 years with the calibrated defaults, and runs
 * replications one after another on one thread until half a second has
 * passed (at least one).
 *
 * One line per case to stdout:
 *   bench actors n=20 dyads=190 years=30 reps=120 events_per_year=55 us_per_year=812 ns_per_dyad_actor_year=214
 * ns_per_dyad_actor_year is the time of a simulated year divided by
 * dyads x actors, the size of one evaluation of the targets (every dyad
 * sums over the third parties): roughly constant if the evaluations per
 * year stayed constant; it grows here because the events per year grow
 * with the actors (each state-changing event is followed by a full
 * evaluation), so the year costs about n^4.
 */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/model.h"
#include "model/spec.h"
#include "scenario/settings.h"

#define YEARS 30.0
#define MIN_SECONDS 0.5

/* The default of model parameter i, from the settings table (the one
 * source of defaults); NAN when the table has no key for it. */
static double model_default(int i)
{
    const setting_group *g = settings_group(SG_MODEL);
    for (size_t k = 0; k < g->nkeys; k++)
        if (g->keys[k].index == i)
            return g->keys[k].def;
    return NAN;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Appends an event of kind k between actors a and b; returns 0 or -1. */
static int add_event(model_spec *s, spec_event_kind k, spec_timing timing, double at, double every, double mag,
                     int a, int b)
{
    spec_event e;
    memset(&e, 0, sizeof e);
    int actors[2] = {a, b};
    e.kind = k;
    e.timing = timing;
    e.at = e.from = at;
    e.until = s->horizon;
    e.series = -1;
    e.expires = INFINITY;
    e.active = 1;
    e.jitter_years = timing == TIMING_EVERY ? 0.1 : 0.0;
    e.actors = actors;
    e.nactors = 2;
    e.p_every = e.p_rate = e.p_duration = SPEC_NO_PARAM;
    if (model_spec_add_param(s, "magnitude", mag, -5.0, 5.0, &e.p_magnitude) != 0)
        return -1;
    if (timing == TIMING_EVERY && model_spec_add_param(s, "every", every, 0.2, 100.0, &e.p_every) != 0)
        return -1;
    if (k == EV_SANCTIONS && model_spec_add_param(s, "duration", 5.0, 0.0, 100.0, &e.p_duration) != 0)
        return -1;
    return model_spec_add_event(s, &e);
}

/* A world of n actors; returns 0 or -1 (no memory). */
static int build(model_spec *s, int n)
{
    model_spec_init(s);
    snprintf(s->name, sizeof s->name, "actors%d", n);
    s->start = 2000.0;
    s->horizon = 2000.0 + YEARS;
    s->seed = 1;
    for (int i = 0; i < MP_COUNT; i++)
        if (isnan(model_default(i)) || model_spec_add_param(s, "model", model_default(i), -1e9, 1e9, NULL) != 0)
            return -1;
    for (int i = 0; i < n; i++) {
        spec_actor a;
        memset(&a, 0, sizeof a);
        snprintf(a.id, sizeof a.id, "a%d", i);
        snprintf(a.name, sizeof a.name, "a%d", i);
        double year = 1990.0, cap = 0.002 + 0.001 * (i % 11);
        size_t idx;
        if (model_spec_add_series(s, a.id, &year, &cap, 1, &idx) != 0)
            return -1;
        a.capability = (int)idx;
        a.param0 = s->nparams;
        if (model_spec_add_param(s, "ideology", (i % 3) - 1.0, -1, 1, NULL) != 0 ||
            model_spec_add_param(s, "autonomy", 0.3 + 0.1 * (i % 4), 0, 10, NULL) != 0 ||
            model_spec_add_param(s, "doctrine_cost", 0.0, 0, 10, NULL) != 0 || model_spec_add_actor(s, &a) != 0)
            return -1;
    }
    static const struct { int label; double x_min; unsigned req; int gate; } rungs[] = {
        {-1, -INFINITY, 0, 0}, {0, -0.2, 0, 0}, {1, 0.1, 0, 0}, {2, 0.4, 0, 0}, {3, 0.85, SPEC_C_DEFENCE, 1}};
    for (size_t i = 0; i < sizeof rungs / sizeof rungs[0]; i++) {
        spec_rung r;
        memset(&r, 0, sizeof r);
        r.label = rungs[i].label;
        snprintf(r.name, sizeof r.name, "rung %d", rungs[i].label);
        r.x_min = rungs[i].x_min;
        r.requires = rungs[i].req;
        r.gate = rungs[i].gate;
        if (model_spec_add_rung(s, &r) != 0)
            return -1;
    }
    /* Every dyad starts at its own x in [-0.5, 0.5]. */
    for (int a = 0; a < n; a++)
        for (int b = a + 1; b < n; b++) {
            spec_initial in = {a, b, 0, 0.0, 0.0, 0};
            double x = 0.5 * sin(1.7 * a + 2.9 * b);
            if (model_spec_add_param(s, "x", x, -1, 1, &in.p_x) != 0 || model_spec_add_initial(s, &in) != 0)
                return -1;
        }
    for (int i = 0; i < n; i++) {
        double at = 2000.0 + 0.37 * (i % 13);
        if (add_event(s, EV_SUMMIT, TIMING_EVERY, at, 1.0, 0.03, i, (i + 1) % n) != 0 ||
            add_event(s, EV_ECONOMY, TIMING_EVERY, at + 0.2, 2.0, 0.02, i, (i + 2) % n) != 0 ||
            add_event(s, EV_CRISIS, TIMING_AT, 2001.0 + 0.73 * (i % 37), 0.0, 0.2, i, (i + 3) % n) != 0)
            return -1;
        if (i % 10 == 0 && add_event(s, EV_SANCTIONS, TIMING_AT, 2003.0 + i % 17, 0.0, 0.3, i, (i + 1) % n) != 0)
            return -1;
    }
    s->outcome_a = 0;
    s->outcome_b = 1;
    s->alliance_after = s->start;
    return 0;
}

static int run_case(int n)
{
    model_spec s;
    int rc = -1;
    model *m = NULL;
    if (build(&s, n) != 0 || !(m = model_alloc(&s))) {
        fprintf(stderr, "bench_actors: cannot build %d actors (out of memory, or a model parameter without a default)\n",
                n);
        goto done;
    }
    model_outcome out;
    if (model_run(m, 0, NULL, NULL, &out) != AS_OK) /* warm-up */
        goto failed;
    uint64_t events = 0;
    unsigned reps = 0;
    double t0 = seconds_now(), secs = 0.0;
    do {
        if (model_run(m, 1 + reps, NULL, NULL, &out) != AS_OK)
            goto failed;
        events += out.events;
        reps++;
        secs = seconds_now() - t0;
    } while (secs < MIN_SECONDS);
    double years = reps * YEARS, dyads = (double)spec_ndyads(n);
    double per_year = secs / years;
    printf("bench actors n=%d dyads=%.0f years=%.0f reps=%u events_per_year=%.0f us_per_year=%.0f "
           "ns_per_dyad_actor_year=%.1f\n",
           n, dyads, YEARS, reps, (double)events / years, per_year * 1e6, per_year * 1e9 / (dyads * n));
    rc = 0;
    goto done;
failed:
    fprintf(stderr, "bench_actors: a replication of %d actors failed\n", n);
done:
    model_free(m);
    model_spec_clear(&s);
    return rc;
}

int main(void)
{
    gsl_set_error_handler_off();
    static const int sizes[] = {7, 20, 50, 200};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (run_case(sizes[i]) != 0)
            return 1;
    return 0;
}
