/*
 * test_model - the mechanisms of the alignment model, one by one, on small
 * specs built in code (no scenario file), so a failure points at the model
 * and not at the loader.
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

#include "model/milestones.h"
#include "model/model.h"
#include "model/spec.h"

/* Default model parameters, in spec_model_param order. */
static const double defaults[MP_COUNT] = {
    [MP_RELAX_RATE] = 1.2,        [MP_REVIEW_EVERY] = 0.25,   [MP_W_THREAT] = 2.0,
    [MP_W_IDEOLOGY] = 0.8,        [MP_W_ECONOMY] = 0.6,       [MP_W_BORDER] = 1.0,
    [MP_W_AUTONOMY] = 1.0,        [MP_W_HOSTILITY] = 1.0,     [MP_W_RECIPROCITY] = 0.0,
    [MP_W_TRIAD] = 0.0,           [MP_DISPUTE_WEIGHT] = 1.5,  [MP_DISPUTE_DECAY] = 0.0,
    [MP_GRIEVANCE_DECAY] = 0.0,   [MP_BORDER_DECAY] = 0.0,    [MP_BIAS_DECAY] = 0.0,    [MP_GATE_SECURITY] = 4.0,
    [MP_GATE_ENTRAPMENT] = 1.0,   [MP_DECISION_PRECISION] = 1e4, [MP_HYSTERESIS] = 0.02,
    [MP_SUMMIT_WARMTH] = 0.0,     [MP_REVERSAL_THRESHOLD] = 0.5, [MP_REVERSAL_MIN_YEARS] = 1.0,
};

/* A world of three actors a, b, c with constant capabilities 0.2, 0.3, 0.5
 * and a five-rung ladder whose top rung is an alliance. */
static void build(model_spec *s, double ideology_c)
{
    model_spec_init(s);
    snprintf(s->name, sizeof s->name, "unit");
    s->start = 2000.0;
    s->horizon = 2010.0;
    s->seed = 7;
    for (int i = 0; i < MP_COUNT; i++)
        assert_int_equal(model_spec_add_param(s, "model.p", defaults[i], -1e9, 1e9, NULL), 0);
    static const char *ids[] = {"a", "b", "c"};
    static const double caps[] = {0.2, 0.3, 0.5};
    static const double ideol[] = {1.0, 1.0, 0.0};
    for (int i = 0; i < 3; i++)
        testutil_add_actor(s, ids[i], caps[i], i == 2 ? ideology_c : ideol[i], 0.0, 0.0);
    testutil_add_rung(s, -1, "hostile", -INFINITY, 0, 0);
    testutil_add_rung(s, 0, "normal", -0.2, 0, 0);
    testutil_add_rung(s, 1, "friendly", 0.1, 0, 0);
    testutil_add_rung(s, 2, "partners", 0.4, 0, 0);
    testutil_add_rung(s, 3, "alliance", 0.85, SPEC_C_DEFENCE, 1);
    s->outcome_a = 0;
    s->outcome_b = 1;
    s->alliance_after = s->start;
}

/* The world of build() with c hostile to both a and b (a strong common
 * threat that opens both gates of a-b), a-b starting at x_ab. */
static void build_threatened(model_spec *s, double x_ab)
{
    build(s, -1.0);
    testutil_set_initial(s, 0, 1, x_ab);
    testutil_set_initial(s, 0, 2, -0.9);
    testutil_set_initial(s, 1, 2, -0.9);
}

/* A dated event (testutil_add_event) of actor a, and b unless it is -1. */
static spec_event *add_event(model_spec *s, spec_event_kind kind, double at, double mag, int a, int b)
{
    const int actors[2] = {a, b};
    return testutil_add_event(s, kind, at, mag, actors, b >= 0 ? 2 : 1);
}

/* ---- a recording observer ---------------------------------------------- */

#define MAXY 16
typedef struct {
    double x[MAXY][3], target[MAXY][3], threat_exo[MAXY][3], gate[MAXY][3][2];
    int rung[MAXY][3];
    unsigned commit[MAXY][3];
    int nsamples;
    int changes;
    double last_change_time;
} trace;

static int on_sample(void *ctx, int year, const model *m)
{
    trace *t = ctx;
    int y = year - 2000;
    if (y < 0 || y >= MAXY)
        return 0;
    for (size_t d = 0; d < model_ndyads(m); d++) {
        t->x[y][d] = model_dyad_x(m, d);
        t->target[y][d] = model_dyad_target(m, d);
        t->rung[y][d] = model_dyad_rung(m, d);
        t->commit[y][d] = model_dyad_commitments(m, d);
        t->threat_exo[y][d] = model_dyad_threat_exogenous(m, d);
        t->gate[y][d][0] = model_dyad_gate(m, d, 0);
        t->gate[y][d][1] = model_dyad_gate(m, d, 1);
    }
    t->nsamples++;
    return 0;
}

static void on_change(void *ctx, double time, size_t dyad, int rung, unsigned commit)
{
    (void)dyad;
    (void)rung;
    (void)commit;
    trace *t = ctx;
    t->changes++;
    t->last_change_time = time;
}

static void run(const model_spec *s, uint64_t seed, trace *t, model_outcome *out)
{
    memset(t, 0, sizeof *t);
    model *m = model_alloc(s);
    assert_non_null(m);
    model_observer obs = {t, NULL, on_sample, on_change};
    assert_int_equal(model_run(m, seed, NULL, &obs, out), 0);
    model_free(m);
}

/* Dyad indices among three actors: a-b 0, a-c 1, b-c 2. */
enum { AB = 0, AC = 1, BC = 2 };

/* ---- tests ------------------------------------------------------------- */

static void dyad_index_numbers_pairs_in_order(void **state)
{
    (void)state;
    assert_int_equal(spec_dyad_index(3, 0, 1), 0);
    assert_int_equal(spec_dyad_index(3, 0, 2), 1);
    assert_int_equal(spec_dyad_index(3, 2, 1), 2);
    assert_int_equal(spec_dyad_index(7, 5, 6), 20);
    assert_int_equal(spec_ndyads(7), 21);
}

/* With no coupling terms and constant inputs the target is constant, and x
 * must follow the closed form exactly at every sample. */
static void relaxation_follows_closed_form(void **state)
{
    (void)state;
    model_spec s;
    build(&s, 0.0);
    testutil_set_initial(&s, 0, 1, -0.3);
    trace t;
    run(&s, 1, &t, NULL);
    assert_true(t.nsamples >= 9);
    double target = t.target[0][AB];
    /* affinity 1 (same ideology): x* = tanh(0.8 + threat term), positive */
    assert_true(target > 0.5);
    for (int y = 0; y < 9; y++) {
        double dt = 2000.5 + y - 2000.0;
        double expect = target + (-0.3 - target) * exp(-1.2 * dt);
        assert_close(t.x[y][AB], expect, 1e-12);
        assert_close(t.target[y][AB], target, 1e-12);
    }
    model_spec_clear(&s);
}

/* The target grows with ideological affinity: a-c (ideologies 1 and c) is
 * warmer when c shares a's ideology. */
static void ideology_raises_target(void **state)
{
    (void)state;
    model_spec s1, s2;
    build(&s1, -1.0);
    build(&s2, 1.0);
    trace t1, t2;
    run(&s1, 1, &t1, NULL);
    run(&s2, 1, &t2, NULL);
    assert_true(t2.target[0][AC] > t1.target[0][AC] + 0.5);
    model_spec_clear(&s1);
    model_spec_clear(&s2);
}

/* An upgrade climbs exactly one rung at a summit even when x supports more. */
static void summit_upgrades_one_rung(void **state)
{
    (void)state;
    model_spec s;
    build(&s, 0.0);
    testutil_set_initial(&s, 0, 1, -0.1);  /* rung "normal" (index 1) */
    add_event(&s, EV_SUMMIT, 2003.0, 0.0, 0, 1);
    trace t;
    run(&s, 1, &t, NULL);
    assert_int_equal(t.rung[2][AB], 1);
    assert_true(t.x[2][AB] > 0.6);      /* supports "partners" (index 3) */
    assert_int_equal(t.rung[3][AB], 2); /* but only one step */
    model_spec_clear(&s);
}

/* Within the hysteresis band nobody proposes an upgrade. */
static void hysteresis_blocks_small_margins(void **state)
{
    (void)state;
    model_spec s;
    build(&s, 0.0);
    s.params[MP_W_IDEOLOGY].value = 0.0;
    s.params[MP_W_THREAT].value = 0.0;
    /* target: tanh(bias) with bias from an opening, x starts there */
    testutil_set_initial(&s, 0, 1, 0.35);  /* target tanh(0.43) = 0.405: inside 0.4 + 0.02 */
    add_event(&s, EV_OPENING, 2000.0, 0.43, 0, 1);
    add_event(&s, EV_SUMMIT, 2003.0, 0.0, 0, 1);
    trace t;
    run(&s, 1, &t, NULL);
    assert_int_equal(t.rung[0][AB], 2);
    assert_int_equal(t.rung[4][AB], 2);
    model_spec_clear(&s);

    build(&s, 0.0);
    s.params[MP_W_IDEOLOGY].value = 0.0;
    s.params[MP_W_THREAT].value = 0.0;
    testutil_set_initial(&s, 0, 1, 0.35);  /* target tanh(0.46) = 0.430: past the band */
    add_event(&s, EV_OPENING, 2000.0, 0.46, 0, 1);
    add_event(&s, EV_SUMMIT, 2003.0, 0.0, 0, 1);
    run(&s, 1, &t, NULL);
    assert_int_equal(t.rung[4][AB], 3);
    model_spec_clear(&s);
}

/* A clash that drops x far collapses the label several rungs at once. */
static void clash_collapses_several_rungs(void **state)
{
    (void)state;
    model_spec s;
    build(&s, 0.0);
    testutil_set_initial(&s, 0, 1, 0.6);        /* "partners" */
    add_event(&s, EV_CLASH, 2002.0, 1.4, 0, 1);
    trace t;
    run(&s, 1, &t, NULL);
    assert_int_equal(t.rung[1][AB], 3);
    assert_int_equal(t.rung[2][AB], 0); /* straight to "hostile" */
    model_spec_clear(&s);
}

/* Clashes militarise the border and force reductions demilitarise it; the
 * target follows. */
static void border_moves_target(void **state)
{
    (void)state;
    model_spec s;
    build(&s, 0.0);
    testutil_set_initial(&s, 0, 1, 0.5);
    add_event(&s, EV_CLASH, 2002.0, 0.5, 0, 1);
    add_event(&s, EV_FORCE_REDUCTION, 2005.0, 0.8, 0, 1);
    trace t;
    run(&s, 1, &t, NULL);
    double before = t.target[1][AB], after_clash = t.target[3][AB], after_cut = t.target[6][AB];
    assert_true(after_clash < before - 0.1);
    assert_true(after_cut > after_clash + 0.05);
    assert_true(after_cut < before);
    model_spec_clear(&s);
}

/* Sanctions by c on b raise c's hostility to b: b-c cools while they last,
 * and a-b gains a common threat only if c is hostile to a too. */
static void sanctions_cool_and_end(void **state)
{
    (void)state;
    model_spec s;
    build(&s, 0.0);
    spec_event *e = add_event(&s, EV_SANCTIONS, 2002.0, 0.5, 2, 1);
    s.params[e->p_duration].value = 3.0;
    trace t;
    run(&s, 1, &t, NULL);
    assert_true(t.target[2][BC] < t.target[1][BC] - 0.2);
    assert_close(t.target[6][BC], t.target[1][BC], 1e-9);
    model_spec_clear(&s);
}

/* Unequal proposals leave a grievance that lowers the target. */
static void unequal_proposal_lowers_target(void **state)
{
    (void)state;
    model_spec s;
    build(&s, 0.0);
    testutil_set_initial(&s, 0, 1, 0.6);
    s.params[s.actors[0].param0 + AP_AUTONOMY].value = 1.0;
    add_event(&s, EV_UNEQUAL_PROPOSAL, 2002.0, 0.4, 1, 0);
    trace t;
    run(&s, 1, &t, NULL);
    assert_true(t.target[2][AB] < t.target[1][AB] - 0.05);
    model_spec_clear(&s);
}

/* Regime change moves an actor's ideology and resets its disputes. */
static void regime_change_resets_disputes(void **state)
{
    (void)state;
    model_spec s;
    build(&s, 0.0);
    add_event(&s, EV_IDEOLOGY_DISPUTE, 2001.0, 0.9, 0, 1);
    spec_event *e = add_event(&s, EV_REGIME_CHANGE, 2004.0, 0.0, 1, -1);
    e->ideology = 0.0;
    trace t;
    run(&s, 1, &t, NULL);
    double base = t.target[0][AB], disputed = t.target[2][AB], after = t.target[5][AB];
    assert_true(disputed < base - 0.3);
    /* after: no dispute, but affinity 1 - |1 - 0| = 0 instead of 1 */
    assert_true(after > disputed);
    assert_true(after < base);
    model_spec_clear(&s);
}

/* A defence treaty is accepted only when both gates are open, and the
 * alliance rung follows at the next decision. */
static void defence_needs_both_gates(void **state)
{
    (void)state;
    model_spec s;
    build_threatened(&s, 0.9);
        spec_event *e = add_event(&s, EV_TREATY, 2001.0, 0.0, 0, 1);
    e->commitments = SPEC_C_DEFENCE;
    add_event(&s, EV_SUMMIT, 2002.0, 0.0, 0, 1);
    trace t;
    model_outcome out;
    run(&s, 1, &t, &out);
    assert_true(t.gate[0][AB][0] > 0.0 && t.gate[0][AB][1] > 0.0);
    assert_int_equal(t.commit[1][AB] & SPEC_C_DEFENCE, SPEC_C_DEFENCE);
    assert_int_equal(t.rung[1][AB], 4);
    assert_true(!isnan(out.alliance_year));
    model_spec_clear(&s);

    /* A doctrine cost on a shuts a's gate: no pact, no alliance. */
    build_threatened(&s, 0.9);
        s.params[s.actors[0].param0 + AP_DOCTRINE_COST].value = 5.0;
    add_event(&s, EV_DOCTRINE, 2000.5, 0.0, 0, -1);
    e = add_event(&s, EV_TREATY, 2001.0, 0.0, 0, 1);
    e->commitments = SPEC_C_DEFENCE;
    run(&s, 1, &t, &out);
    assert_true(t.gate[1][AB][0] < 0.0);
    assert_int_equal(t.commit[1][AB] & SPEC_C_DEFENCE, 0);
    assert_true(t.rung[2][AB] < 4);
    assert_true(isnan(out.alliance_year));
    model_spec_clear(&s);
}

/* A commitment lapses at expiry when the gate has closed, and the alliance
 * rung it supported is lost with it. */
static void treaty_expires_without_renewal(void **state)
{
    (void)state;
    model_spec s;
    build_threatened(&s, 0.9);
        spec_event *e = add_event(&s, EV_TREATY, 2001.0, 0.0, 0, 1);
    e->commitments = SPEC_C_DEFENCE;
    e->expires = 2006.0;
    s.params[s.actors[0].param0 + AP_DOCTRINE_COST].value = 5.0;
    add_event(&s, EV_DOCTRINE, 2003.0, 0.0, 0, -1);
    trace t;
    run(&s, 1, &t, NULL);
    assert_int_equal(t.commit[4][AB] & SPEC_C_DEFENCE, SPEC_C_DEFENCE);
    assert_int_equal(t.rung[4][AB], 4);
    assert_int_equal(t.commit[6][AB] & SPEC_C_DEFENCE, 0);
    assert_true(t.rung[6][AB] < 4);
    model_spec_clear(&s);
}

/* A reversal: c confronts a and b for long enough and the exogenous threat
 * passes T*, which the model reports with its onset. */
static void reversal_is_detected(void **state)
{
    (void)state;
    model_spec s;
    build(&s, 0.0);
    static const int confront[3] = {2, 0, 1};
    spec_event *e = testutil_add_event(&s, EV_REVERSAL, 2003.0, 2.0, confront, 3);
    s.params[e->p_duration].value = 3.0;
    trace t;
    model_outcome out;
    run(&s, 1, &t, &out);
    assert_true(t.threat_exo[3][AB] > 0.5);
    assert_int_equal(out.reversal, 1);
    assert_close(out.reversal_onset, 2003.0, 1e-12);
    model_spec_clear(&s);

    /* Too short to count. */
    build(&s, 0.0);
    e = testutil_add_event(&s, EV_REVERSAL, 2003.0, 2.0, confront, 3);
    s.params[e->p_duration].value = 0.5;
    run(&s, 1, &t, &out);
    assert_int_equal(out.reversal, 0);
    model_spec_clear(&s);
}

/* Economy, organisation and openings all warm the target. */
static void cooperation_warms_target(void **state)
{
    (void)state;
    static const spec_event_kind kinds[] = {EV_ECONOMY, EV_ORGANISATION, EV_OPENING};
    for (size_t k = 0; k < 3; k++) {
        model_spec s;
        build(&s, 0.0);
        add_event(&s, kinds[k], 2002.0, 0.3, 0, 2);
        trace t;
        run(&s, 1, &t, NULL);
        assert_true(t.target[2][AC] > t.target[1][AC] + 0.05);
        model_spec_clear(&s);
    }
}

/* Same seed, same trajectory; noisy decisions and Poisson clashes make
 * different seeds differ. */
static void same_seed_same_run(void **state)
{
    (void)state;
    model_spec s;
    build(&s, 0.0);
    s.params[MP_DECISION_PRECISION].value = 5.0;
    testutil_set_initial(&s, 0, 1, 0.3);
    spec_event *e = add_event(&s, EV_CLASH, 2000.0, 0.1, 0, 1);
    e->timing = TIMING_POISSON;
    e->from = 2000.0;
    s.params[e->p_rate].value = 2.0;
    s.params[e->p_magnitude].dist = (spec_dist){DIST_UNIFORM, 0.0, 0.3, 0, 0};
    trace t1, t2, t3;
    run(&s, 42, &t1, NULL);
    run(&s, 42, &t2, NULL);
    run(&s, 43, &t3, NULL);
    assert_memory_equal(t1.x, t2.x, sizeof t1.x);
    assert_memory_equal(t1.rung, t2.rung, sizeof t1.rung);
    assert_true(memcmp(t1.x, t3.x, sizeof t1.x) != 0);
    model_spec_clear(&s);
}

/* Distributions are drawn per replication within their support, and the
 * draws depend on the seed only. */
static void parameters_drawn_per_replication(void **state)
{
    (void)state;
    model_spec s;
    build(&s, 0.0);
    s.params[MP_W_THREAT].dist = (spec_dist){DIST_UNIFORM, 1.0, 3.0, 0, 0};
    s.params[MP_W_BORDER].dist = (spec_dist){DIST_NORMAL, 1.0, 0.5, 0, 0};
    s.params[MP_W_BORDER].lo = 0.5;
    s.params[MP_W_BORDER].hi = 1.5;
    model *m = model_alloc(&s);
    assert_non_null(m);
    double *v1 = calloc(s.nparams, sizeof *v1), *v2 = calloc(s.nparams, sizeof *v2);
    double lo = 10, hi = -10;
    for (uint64_t seed = 0; seed < 200; seed++) {
        model_draw_params(m, seed, v1);
        model_draw_params(m, seed, v2);
        assert_memory_equal(v1, v2, s.nparams * sizeof *v1);
        assert_true(v1[MP_W_THREAT] >= 1.0 && v1[MP_W_THREAT] <= 3.0);
        assert_true(v1[MP_W_BORDER] >= 0.5 && v1[MP_W_BORDER] <= 1.5);
        assert_close(v1[MP_W_IDEOLOGY], 0.8, 0);
        lo = fmin(lo, v1[MP_W_THREAT]);
        hi = fmax(hi, v1[MP_W_THREAT]);
    }
    assert_true(lo < 1.1 && hi > 2.9);
    free(v1);
    free(v2);
    model_free(m);
    model_spec_clear(&s);
}

/* ---- the decisions of docs/MODEL.md, one test each --------------------- */

/* Records the times of the events of one kind. */
typedef struct {
    const char *kind;
    double time[64];
    int n;
} event_log;

static void log_event(void *ctx, double time, const char *kind, const char *actors, const char *detail)
{
    (void)actors;
    event_log *l = ctx;
    if (strcmp(kind, l->kind) == 0 && strstr(detail, "skipped") == NULL && l->n < 64)
        l->time[l->n++] = time;
}

static void run_logged(const model_spec *s, uint64_t seed, event_log *l, model_outcome *out)
{
    l->n = 0;
    model *m = model_alloc(s);
    assert_non_null(m);
    model_observer obs = {l, log_event, NULL, NULL};
    assert_int_equal(model_run(m, seed, NULL, &obs, out), 0);
    model_free(m);
}

/* A periodic event: occurrence k is due at from + k * every and happens
 * within U(-jitter, +jitter) of it, drawn independently (no random walk),
 * the first one included; a due date equal to `until` still occurs. */
static void jitter_moves_each_occurrence_around_its_schedule(void **state)
{
    (void)state;
    model_spec s;
    build(&s, 0.0);
    spec_event *e = add_event(&s, EV_SUMMIT, 2000.0, 0.0, 0, 1);
    e->timing = TIMING_EVERY;
    e->from = 2000.3;
    e->until = 2009.3;
    e->jitter_years = 0.2;
    event_log l = {"summit", {0}, 0};
    enum { N = 400 };
    double sum0 = 0.0, sumsq0 = 0.0, sumsq9 = 0.0;
    int first_moved = 0;
    for (uint64_t seed = 1; seed <= N; seed++) {
        run_logged(&s, seed, &l, NULL);
        assert_int_equal(l.n, 10);
        for (int k = 0; k < l.n; k++)
            assert_true(fabs(l.time[k] - (2000.3 + k)) <= 0.2);
        double d0 = l.time[0] - 2000.3, d9 = l.time[9] - 2009.3;
        first_moved += d0 != 0.0;
        sum0 += d0;
        sumsq0 += d0 * d0;
        sumsq9 += d9 * d9;
    }
    assert_int_equal(first_moved, N);
    /* U(-j, j) has variance j^2 / 3 = 0.01333 at every k; a random walk
     * would give 10 times that at k = 9.  The sample variance of 400
     * draws has a relative sd of about 0.056: 5 sd either side. */
    assert_true(fabs(sum0 / N) < 5.0 * 0.2 / sqrt(3.0 * N));
    assert_close(sumsq0 / N, 0.04 / 3.0, 0.3);
    assert_close(sumsq9 / N, 0.04 / 3.0, 0.3);

    /* No jitter: exactly on the schedule, `until` included. */
    e->jitter_years = 0.0;
    e->from = 2001.0;
    e->until = 2005.0;
    run_logged(&s, 1, &l, NULL);
    assert_int_equal(l.n, 5);
    for (int k = 0; k < l.n; k++)
        assert_true(l.time[k] == 2001.0 + k);
    model_spec_clear(&s);
}

/* An occurrence jittered before the start is not simulated; the others
 * still are. */
static void jitter_before_the_start_drops_that_occurrence(void **state)
{
    (void)state;
    model_spec s;
    build(&s, 0.0);
    spec_event *e = add_event(&s, EV_SUMMIT, 2000.0, 0.0, 0, 1);
    e->timing = TIMING_EVERY;
    e->from = 2000.0;
    e->until = 2004.0;
    e->jitter_years = 0.4;
    event_log l = {"summit", {0}, 0};
    int four = 0, five = 0;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        run_logged(&s, seed, &l, NULL);
        assert_true(l.time[0] >= 2000.0);
        if (l.n == 4) {
            four++;
            assert_true(l.time[0] >= 2000.6); /* occurrence 0 was dropped */
        } else {
            assert_int_equal(l.n, 5);
            five++;
        }
    }
    /* Occurrence 0 falls before the start with probability 1/2. */
    assert_true(four > 70 && five > 70);
    model_spec_clear(&s);
}

/* Reviews fall on the calendar grid floor(start) + m * review_every_years,
 * whatever the start: a run from 2000.3 to 2010 has reviews at 2000.5,
 * 2001.0, ..., 2010.0 (20 of them), data years 2001 .. 2010 (10) and
 * samples 2000.5 .. 2009.5 (10).  Counted from the start, there would be
 * 19 reviews. */
static void reviews_fall_on_the_calendar_grid(void **state)
{
    (void)state;
    model_spec s;
    build(&s, 0.0);
    s.params[MP_REVIEW_EVERY].value = 0.5;
    s.start = 2000.3;
    s.alliance_after = s.start;
    model *m = model_alloc(&s);
    assert_non_null(m);
    model_outcome out;
    assert_int_equal(model_run(m, 1, NULL, NULL, &out), 0);
    assert_int_equal(out.events, 40);
    model_free(m);
    model_spec_clear(&s);
}

/* The ladder of the treaty tests: rung "partners" needs consultation and
 * non-aggression both. */
static void require_both(model_spec *s)
{
    s->ladder[3].requires = SPEC_C_CONSULTATION | SPEC_C_NONAGGRESSION;
}

/* Treaty consent counts as both votes for the next rung only when, after
 * the signature, every commitment that rung requires is in force and the
 * treaty signed at least one of them.  x sits at the rung's threshold,
 * inside the hysteresis band, so the logit vote never proposes it. */
static void treaty_consent_needs_every_commitment_in_force(void **state)
{
    (void)state;
    model_spec s;
    build(&s, 0.0);
    require_both(&s);
    s.params[MP_W_THREAT].value = 0.0;
    s.params[MP_W_IDEOLOGY].value = 0.0;
    testutil_set_initial(&s, 0, 1, 0.41);
    add_event(&s, EV_OPENING, 2000.0, atanh(0.41), 0, 1);   /* x stays at 0.41 */
    spec_event *e = add_event(&s, EV_TREATY, 2001.0, 0.0, 0, 1);
    e->commitments = SPEC_C_CONSULTATION;                     /* one of two */
    e = add_event(&s, EV_TREATY, 2003.0, 0.0, 0, 1);
    e->commitments = SPEC_C_NONAGGRESSION;                    /* now both */
    trace t;
    run(&s, 1, &t, NULL);
    assert_int_equal(t.rung[0][AB], 2);
    assert_int_equal(t.commit[1][AB], SPEC_C_CONSULTATION);
    assert_int_equal(t.rung[2][AB], 2);                       /* no consent yet */
    assert_int_equal(t.commit[3][AB], SPEC_C_CONSULTATION | SPEC_C_NONAGGRESSION);
    assert_int_equal(t.rung[3][AB], 3);                       /* consent */
    model_spec_clear(&s);

    /* Both in force from the start, but the treaty signs neither: no consent. */
    build(&s, 0.0);
    require_both(&s);
    s.params[MP_W_THREAT].value = 0.0;
    s.params[MP_W_IDEOLOGY].value = 0.0;
    testutil_set_initial(&s, 0, 1, 0.41);
    s.initial[0].commitments = SPEC_C_CONSULTATION | SPEC_C_NONAGGRESSION;
    add_event(&s, EV_OPENING, 2000.0, atanh(0.41), 0, 1);
    e = add_event(&s, EV_TREATY, 2001.0, 0.0, 0, 1);
    e->commitments = SPEC_C_DEFENCE;                          /* refused: gates shut */
    run(&s, 1, &t, NULL);
    assert_int_equal(t.rung[0][AB], 3);                       /* x reaches it at start */
    model_spec_clear(&s);

    /* A gated rung that needs defence and consultation: a treaty signing
     * defence alone (both gates open) is no consent while consultation is
     * not in force.  x sits inside the hysteresis band above 0.85, so only
     * consent could conclude the alliance. */
    build(&s, -1.0);
    s.ladder[4].requires = SPEC_C_DEFENCE | SPEC_C_CONSULTATION;
    s.params[MP_RELAX_RATE].value = 1e-6;                     /* x stays put */
    testutil_set_initial(&s, 0, 1, 0.86);
    testutil_set_initial(&s, 0, 2, -0.9);
    testutil_set_initial(&s, 1, 2, -0.9);
    e = add_event(&s, EV_TREATY, 2001.0, 0.0, 0, 1);
    e->commitments = SPEC_C_DEFENCE;
    model_outcome out;
    run(&s, 1, &t, &out);
    assert_true(t.gate[0][AB][0] > 0.0 && t.gate[0][AB][1] > 0.0);
    assert_int_equal(t.commit[1][AB], SPEC_C_DEFENCE);
    assert_int_equal(t.rung[1][AB], 3);
    assert_true(isnan(out.alliance_year));
    /* With consultation in force, the same signature is consent. */
    s.initial[0].commitments = SPEC_C_CONSULTATION;
    run(&s, 1, &t, &out);
    assert_int_equal(t.rung[1][AB], 4);
    assert_true(out.alliance_year == 2001.0);
    model_spec_clear(&s);
}

/* A lapsed commitment moves the label down to the highest rung at or below
 * the current one whose commitments are still in force; x is not consulted,
 * even when it has fallen below that rung's threshold. */
static void lapse_moves_the_label_without_consulting_x(void **state)
{
    (void)state;
    model_spec s;
    build(&s, 0.0);
    s.ladder[3].requires = SPEC_C_CONSULTATION;
    testutil_set_initial(&s, 0, 1, 0.5);
    s.initial[0].commitments = SPEC_C_CONSULTATION;
    /* a treaty that lapses at 2005 (not renewed: x < 0 by then) */
    spec_event *e = add_event(&s, EV_TREATY, 2000.0, 0.0, 0, 1);
    e->commitments = SPEC_C_CONSULTATION;
    e->expires = 2005.0;
    /* direct hostile pressure drives x far below zero, with no decision */
    e = add_event(&s, EV_SANCTIONS, 2000.5, 3.0, 0, 1);
    trace t;
    run(&s, 1, &t, NULL);
    assert_int_equal(t.rung[0][AB], 3);
    assert_int_equal(t.rung[4][AB], 3);
    assert_true(t.x[4][AB] < -0.5);
    assert_int_equal(t.commit[5][AB], 0);
    assert_int_equal(t.rung[5][AB], 2); /* "friendly", though x is below its 0.1 */
    model_spec_clear(&s);
}

/* The initial label is the highest rung whose threshold x reaches and whose
 * commitments are in force, never a gated rung. */
static void initial_label_checks_every_rung(void **state)
{
    (void)state;
    model_spec s;
    build(&s, 0.0);
    s.ladder[3].requires = SPEC_C_CONSULTATION;
    testutil_set_initial(&s, 0, 1, 0.9);                   /* reaches the alliance's 0.85 */
    s.initial[0].commitments = SPEC_C_DEFENCE;    /* alliance's commitment, not partners' */
    trace t;
    run(&s, 1, &t, NULL);
    assert_int_equal(t.rung[0][AB], 2);           /* not alliance (gated), not partners */
    model_spec_clear(&s);

    build(&s, 0.0);
    testutil_set_initial(&s, 0, 1, 0.9);
    s.initial[0].commitments = SPEC_C_DEFENCE;
    run(&s, 1, &t, NULL);
    assert_int_equal(t.rung[0][AB], 3);           /* partners needs nothing here */
    model_spec_clear(&s);
}

/* An alliance concluded before alliance_after and still held then is dated
 * alliance_after itself, not the next sample. */
static void alliance_in_force_is_dated_alliance_after(void **state)
{
    (void)state;
    model_spec s;
    build_threatened(&s, 0.9);
        spec_event *e = add_event(&s, EV_TREATY, 2001.0, 0.0, 0, 1);
    e->commitments = SPEC_C_DEFENCE;
    s.alliance_after = 2004.3;
    trace t;
    model_outcome out;
    run(&s, 1, &t, &out);
    assert_int_equal(t.rung[1][AB], 4);
    assert_true(out.alliance_year == 2004.3);
    model_spec_clear(&s);
}

/* Targets of dyads a-b (0), a-c (1) and c-d (5) at the sample of 2000. */
typedef struct {
    double ab, ac, cd;
} three_targets;

static int sample_targets(void *ctx, int year, const model *m)
{
    three_targets *t = ctx;
    if (year == 2000) {
        t->ab = model_dyad_target(m, 0);
        t->ac = model_dyad_target(m, 1);
        t->cd = model_dyad_target(m, 5);
    }
    return 0;
}

/* Four actors, reviews every 5 years, an opening of c-d at the start, and
 * (with_ab) an opening of a-b at 2000.3. */
static void run_openings(int with_ab, three_targets *t)
{
    model_spec s;
    build(&s, 0.5);
    testutil_add_actor(&s, "d", 0.4, 0.5, 0.0, 0.0);
    s.params[MP_REVIEW_EVERY].value = 5.0;
    s.params[MP_BIAS_DECAY].value = 0.5;
    s.params[MP_W_RECIPROCITY].value = 0.5; /* targets follow x */
    add_event(&s, EV_OPENING, 2000.0, 0.3, 2, 3);
    if (with_ab)
        add_event(&s, EV_OPENING, 2000.3, 0.3, 0, 1);
    model *m = model_alloc(&s);
    assert_non_null(m);
    model_observer obs = {t, NULL, sample_targets, NULL};
    assert_int_equal(model_run(m, 1, NULL, &obs, NULL), 0);
    model_free(m);
    model_spec_clear(&s);
}

/* An event re-evaluates only the dyads of its actors: the opening of a-b
 * at 2000.3 changes the targets of a-b and a-c at the 2000.5 sample but
 * leaves c-d's as it was evaluated at the start, its bias not yet decayed
 * (no review falls in between); a full re-evaluation would have read the
 * decayed bias. */
static void events_re_evaluate_the_dyads_of_their_actors(void **state)
{
    (void)state;
    three_targets with, without;
    run_openings(1, &with);
    run_openings(0, &without);
    assert_true(with.ab != without.ab);
    assert_true(with.ac != without.ac);
    assert_true(with.cd == without.cd);
}

/* ---- the target, term by term ------------------------------------------ */

enum { NA = 4, ND = 6 };

typedef struct {
    double x[MAXY][ND], target[MAXY][ND], threat[MAXY][ND], threat_exo[MAXY][ND], gate[MAXY][ND][2];
} world_trace;

static int world_sample(void *ctx, int year, const model *m)
{
    world_trace *t = ctx;
    int y = year - 2000;
    if (y < 0 || y >= MAXY)
        return 0;
    for (size_t d = 0; d < ND; d++) {
        t->x[y][d] = model_dyad_x(m, d);
        t->target[y][d] = model_dyad_target(m, d);
        t->threat[y][d] = model_dyad_threat(m, d);
        t->threat_exo[y][d] = model_dyad_threat_exogenous(m, d);
        t->gate[y][d][0] = model_dyad_gate(m, d, 0);
        t->gate[y][d][1] = model_dyad_gate(m, d, 1);
    }
    return 0;
}

/*
 * The target x*, the common threat, its exogenous part and both alliance
 * gates of every dyad of a four-actor world, computed here from the
 * formulas of docs/MODEL.md 3.2 and 3.3 and compared with the model to
 * 1e-12.  Every term is non-zero in some dyad and moves the result by far
 * more than 1e-12 when its weight changes by 10%: the triad term, the
 * hostility of negative relations, a negative (easing) pressure, the
 * decaying opening bias, grievance, dispute and the doctrine cost.
 *
 * The samples fall on review times (every half year from the year
 * boundary), so the targets they see were evaluated from the state they
 * see: no decision event occurs and x moves only by relaxation.
 */
static void target_and_gates_match_the_formulas(void **state)
{
    (void)state;
    static const double cap[NA] = {0.2, 0.3, 0.15, 0.35};
    static const double ideol[NA] = {1.0, 0.6, -0.5, 0.0};
    static const double auton[NA] = {0.8, 0.4, 0.3, 0.5};
    static const double doctrine[NA] = {0.6, 0.0, 0.0, 0.0};
    static const double x0[ND] = {0.3, -0.4, 0.2, -0.6, 0.5, -0.1}; /* ab ac ad bc bd cd */
    /* the calibrated defaults (docs/MODEL.md 3.6) */
    double w[MP_COUNT];
    memcpy(w, defaults, sizeof w);
    w[MP_RELAX_RATE] = 1.03;
    w[MP_REVIEW_EVERY] = 0.5;
    w[MP_W_THREAT] = 1.08;
    w[MP_W_IDEOLOGY] = 0.33;
    w[MP_W_ECONOMY] = 1.17;
    w[MP_W_BORDER] = 0.34;
    w[MP_W_AUTONOMY] = 1.38;
    w[MP_W_HOSTILITY] = 0.46;
    w[MP_W_RECIPROCITY] = 0.18;
    w[MP_W_TRIAD] = 0.2;
    w[MP_DISPUTE_WEIGHT] = 0.9;
    w[MP_BIAS_DECAY] = 0.05;

    model_spec s;
    model_spec_init(&s);
    snprintf(s.name, sizeof s.name, "terms");
    s.start = 2000.0;
    s.horizon = 2005.0;
    for (int i = 0; i < MP_COUNT; i++)
        assert_int_equal(model_spec_add_param(&s, "model.p", w[i], -1e9, 1e9, NULL), 0);
    for (int i = 0; i < NA; i++) {
        char id[2] = {(char)('a' + i), '\0'};
        testutil_add_actor(&s, id, cap[i], ideol[i], auton[i], doctrine[i]);
    }
    testutil_add_rung(&s, -1, "hostile", -INFINITY, 0, 0);
    testutil_add_rung(&s, 0, "normal", -0.2, 0, 0);
    testutil_add_rung(&s, 1, "friendly", 0.1, 0, 0);
    s.outcome_a = 0;
    s.outcome_b = 1;
    s.alliance_after = s.start;
    static const int pa[ND] = {0, 0, 0, 1, 1, 2}, pb[ND] = {1, 2, 3, 2, 3, 3};
    for (int d = 0; d < ND; d++)
        testutil_set_initial(&s, pa[d], pb[d], x0[d]);
    s.initial[0].border = 0.5;   /* B of a-b */
    s.initial[0].economy = 0.4;  /* E of a-b */
    s.initial[4].economy = -0.2; /* E of b-d */
    s.initial[3].border = 0.25;  /* B of b-c */
    /* At the start: an opening (Z), a dispute (D), an unequal proposal of b
     * to a (G of a), sanctions c -> a (hostility of c to a), a -> b (direct
     * pressure in a-b), an easing d -> c (negative pressure), a's doctrine. */
    add_event(&s, EV_OPENING, 2000.0, 0.25, 0, 1);
    add_event(&s, EV_IDEOLOGY_DISPUTE, 2000.0, 0.3, 0, 1);
    add_event(&s, EV_UNEQUAL_PROPOSAL, 2000.0, 0.2, 1, 0);
    add_event(&s, EV_SANCTIONS, 2000.0, 0.4, 2, 0);
    add_event(&s, EV_SANCTIONS, 2000.0, 0.1, 0, 1);
    add_event(&s, EV_SANCTIONS, 2000.0, -0.3, 3, 2);
    add_event(&s, EV_DOCTRINE, 2000.0, 0.0, 0, -1);

    double B[ND] = {0.5, 0, 0, 0.25, 0, 0}, E[ND] = {0.4, 0, 0, 0, -0.2, 0};
    double D[ND] = {0.3, 0, 0, 0, 0, 0};
    double G[ND][2] = {{0.2, 0}};  /* grievance of a (side 0) in a-b */
    double H[NA][NA] = {{0}};
    H[2][0] = 0.4;
    H[0][1] = 0.1;
    H[3][2] = -0.3;

    world_trace t;
    memset(&t, 0, sizeof t);
    model *m = model_alloc(&s);
    assert_non_null(m);
    model_observer obs = {&t, NULL, world_sample, NULL};
    assert_int_equal(model_run(m, 1, NULL, &obs, NULL), 0);
    model_free(m);

    for (int y = 0; y < 4; y++) {
        double now = 2000.5 + y;
        double Z = 0.25 * exp(-0.05 * (now - 2000.0));
        double X[NA][NA] = {{0}};
        for (int d = 0; d < ND; d++)
            X[pa[d]][pb[d]] = X[pb[d]][pa[d]] = t.x[y][d];
        /* hostility and threat of k toward i */
        double h[NA][NA], r[NA][NA], theta[NA][NA], theta_exo[NA][NA];
        for (int k = 0; k < NA; k++)
            for (int i = 0; i < NA; i++) {
                r[k][i] = cap[k] / (cap[k] + cap[i]);
                h[k][i] = k == i ? 0.0 : fmax(0.0, fmax(0.0, -X[k][i]) + H[k][i]);
                theta[k][i] = r[k][i] * h[k][i];
                theta_exo[k][i] = k == i ? 0.0 : r[k][i] * fmax(0.0, H[k][i]);
            }
        for (int d = 0; d < ND; d++) {
            int i = pa[d], j = pb[d];
            double T = 0, Texo = 0, S = 0, capk = 0, Ri = 0, Rj = 0;
            for (int k = 0; k < NA; k++)
                if (k != i && k != j)
                    capk += cap[k];
            for (int k = 0; k < NA; k++) {
                if (k == i || k == j)
                    continue;
                T += fmin(theta[k][i], theta[k][j]);
                Texo += fmin(theta_exo[k][i], theta_exo[k][j]);
                S += cap[k] / capk * X[i][k] * X[k][j];
                Ri += fmax(0.0, h[k][j] - h[k][i]) * r[k][j];
                Rj += fmax(0.0, h[k][i] - h[k][j]) * r[k][i];
            }
            double I = 1.0 - fabs(ideol[i] - ideol[j]) - w[MP_DISPUTE_WEIGHT] * D[d];
            double Mi = fmax(0.0, (cap[j] - cap[i]) / (cap[i] + cap[j])) + G[d][0];
            double Mj = fmax(0.0, (cap[i] - cap[j]) / (cap[i] + cap[j])) + G[d][1];
            double M = auton[i] * Mi + auton[j] * Mj;
            double Hd = H[i][j] + H[j][i];
            double Zd = d == 0 ? Z : 0.0;
            double arg = w[MP_W_THREAT] * T + w[MP_W_IDEOLOGY] * I + w[MP_W_ECONOMY] * E[d] -
                         w[MP_W_BORDER] * B[d] - w[MP_W_AUTONOMY] * M - w[MP_W_HOSTILITY] * Hd +
                         w[MP_W_RECIPROCITY] * t.x[y][d] + w[MP_W_TRIAD] * S + Zd;
            assert_close(t.target[y][d], tanh(arg), 1e-12);
            assert_close(t.threat[y][d], T, 1e-12);
            assert_close(t.threat_exo[y][d], Texo, 1e-12);
            double Gi = w[MP_GATE_SECURITY] * T * cap[j] / (cap[i] + cap[j]) - w[MP_GATE_ENTRAPMENT] * Ri -
                        auton[i] * Mi - doctrine[i];
            double Gj = w[MP_GATE_SECURITY] * T * cap[i] / (cap[i] + cap[j]) - w[MP_GATE_ENTRAPMENT] * Rj -
                        auton[j] * Mj - doctrine[j];
            assert_close(t.gate[y][d][0], Gi, 1e-12);
            assert_close(t.gate[y][d][1], Gj, 1e-12);
        }
    }
    model_spec_clear(&s);
}

/* ---- no fixed caps ----------------------------------------------------- */

typedef struct {
    size_t nd;
    double *x; /* x of every dyad at the sample of 2001 */
} x_at_2001;

static int sample_2001(void *ctx, int year, const model *m)
{
    x_at_2001 *t = ctx;
    if (year == 2001)
        for (size_t d = 0; d < t->nd; d++)
            t->x[d] = model_dyad_x(m, d);
    return 0;
}

/*
 * 200 actors and a summit naming all of them: every one of the 19,900
 * pairs gets the summit's jump and a decision.  With no term of the target
 * that depends on x (no reciprocity, no triad, no hostile relations), the
 * jump of 0.1 at 2001.0 is still 0.1 e^(-k / 2) at the sample of 2001.5 in
 * every dyad, against the same world without the summit (one ideology and
 * small asymmetries keep every target, so every x, above 0).
 */
static void two_hundred_actors_and_a_summit_of_all(void **state)
{
    (void)state;
    enum { N = 200 };
    double x[2][N * (N - 1) / 2];
    for (int with = 0; with < 2; with++) {
        model_spec s;
        model_spec_init(&s);
        s.start = 2000.0;
        s.horizon = 2003.0;
        for (int i = 0; i < MP_COUNT; i++)
            assert_int_equal(model_spec_add_param(&s, "model.p", defaults[i], -1e9, 1e9, NULL), 0);
        for (int i = 0; i < N; i++) {
            char id[16];
            snprintf(id, sizeof id, "a%d", i);
            testutil_add_actor(&s, id, 0.001 + 0.001 * (i % 7), 1.0, 0.3, 0.0);
        }
        testutil_add_rung(&s, -1, "hostile", -INFINITY, 0, 0);
        testutil_add_rung(&s, 0, "normal", -0.2, 0, 0);
        testutil_add_rung(&s, 1, "friendly", 0.1, 0, 0);
        s.outcome_a = 0;
        s.outcome_b = 1;
        s.alliance_after = s.start;
        if (with) {
            int all[N];
            for (int i = 0; i < N; i++)
                all[i] = i;
            testutil_add_event(&s, EV_SUMMIT, 2001.0, 0.1, all, N);
        }
        model *m = model_alloc(&s);
        assert_non_null(m);
        assert_int_equal(model_ndyads(m), N * (N - 1) / 2);
        x_at_2001 t = {model_ndyads(m), x[with]};
        model_observer obs = {&t, NULL, sample_2001, NULL};
        assert_int_equal(model_run(m, 5, NULL, &obs, NULL), 0);
        model_free(m);
        model_spec_clear(&s);
    }
    double jump = 0.1 * exp(-defaults[MP_RELAX_RATE] * 0.5);
    int off = 0;
    for (size_t d = 0; d < N * (N - 1) / 2; d++)
        off += fabs(x[1][d] - x[0][d] - jump) > 1e-12;
    assert_int_equal(off, 0);
}

/* ---- milestones ------------------------------------------------------ */

static void milestones_date_first_hits(void **state)
{
    (void)state;
    model_spec s;
    build(&s, 0.0);
    spec_target t = {0, 1, TARGET_UP, 2004.0, 2000.0, 2, 0, "up to partners"};
    assert_int_equal(model_spec_add_target(&s, &t), 0);
    t = (spec_target){0, 1, TARGET_DOWN, 2007.0, 2005.0, 0, 0, "down to normal after 2005"};
    assert_int_equal(model_spec_add_target(&s, &t), 0);
    t = (spec_target){0, 1, TARGET_COMMIT_START, 2003.0, 2000.0, 0, SPEC_C_DEFENCE, "pact"};
    assert_int_equal(model_spec_add_target(&s, &t), 0);
    t = (spec_target){0, 1, TARGET_STAYS_BELOW, 2009.0, 2008.0, 3, 0, "no alliance"};
    assert_int_equal(model_spec_add_target(&s, &t), 0);
    t = (spec_target){0, 2, TARGET_UP, 2001.0, 2000.0, 1, 0, "already there"};
    assert_int_equal(model_spec_add_target(&s, &t), 0);

    milestones *ms = milestones_alloc(&s);
    assert_non_null(ms);
    milestones_change(ms, 2000.0, AB, 1, 0);
    milestones_change(ms, 2000.0, AC, 2, 0);   /* label 1 already at the start */
    milestones_change(ms, 2002.5, AB, 2, 0);
    milestones_change(ms, 2003.25, AB, 3, 0);  /* label 2: target 0 hit */
    milestones_change(ms, 2004.0, AB, 3, SPEC_C_DEFENCE);
    milestones_change(ms, 2004.5, AB, 1, SPEC_C_DEFENCE); /* down before 2005 */
    milestones_finish(ms, 2010.0);
    assert_close(milestones_sim_year(ms, 0), 2003.25, 1e-12);
    assert_close(milestones_error(ms, 0), -0.75, 1e-12);
    /* label 0 (rung 1) held when `after` came: dated at 2005 */
    assert_close(milestones_sim_year(ms, 1), 2005.0, 1e-12);
    assert_close(milestones_sim_year(ms, 2), 2004.0, 1e-12);
    assert_true(isnan(milestones_sim_year(ms, 3)));
    assert_close(milestones_error(ms, 3), 0.0, 0);
    assert_close(milestones_sim_year(ms, 4), 2000.0, 1e-12);
    milestones_score sc = milestones_get_score(ms);
    assert_int_equal(sc.targets, 5);
    assert_int_equal(sc.missed, 0);
    assert_int_equal(sc.within1, 4);  /* errors -0.75, -2, 1, 0, -1 */
    assert_int_equal(sc.within2, 5);

    /* A violation of stays_below is dated and counts as missed. */
    milestones_reset(ms);
    milestones_change(ms, 2000.0, AB, 1, 0);
    milestones_change(ms, 2008.5, AB, 4, 0);
    milestones_finish(ms, 2010.0);
    assert_close(milestones_sim_year(ms, 3), 2008.5, 1e-12);
    assert_true(isnan(milestones_error(ms, 3)));
    assert_true(isnan(milestones_sim_year(ms, 0)) == 0);
    milestones_free(ms);
    model_spec_clear(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dyad_index_numbers_pairs_in_order),
        cmocka_unit_test(relaxation_follows_closed_form),
        cmocka_unit_test(ideology_raises_target),
        cmocka_unit_test(summit_upgrades_one_rung),
        cmocka_unit_test(hysteresis_blocks_small_margins),
        cmocka_unit_test(clash_collapses_several_rungs),
        cmocka_unit_test(border_moves_target),
        cmocka_unit_test(sanctions_cool_and_end),
        cmocka_unit_test(unequal_proposal_lowers_target),
        cmocka_unit_test(regime_change_resets_disputes),
        cmocka_unit_test(defence_needs_both_gates),
        cmocka_unit_test(treaty_expires_without_renewal),
        cmocka_unit_test(reversal_is_detected),
        cmocka_unit_test(cooperation_warms_target),
        cmocka_unit_test(same_seed_same_run),
        cmocka_unit_test(parameters_drawn_per_replication),
        cmocka_unit_test(jitter_moves_each_occurrence_around_its_schedule),
        cmocka_unit_test(jitter_before_the_start_drops_that_occurrence),
        cmocka_unit_test(reviews_fall_on_the_calendar_grid),
        cmocka_unit_test(treaty_consent_needs_every_commitment_in_force),
        cmocka_unit_test(lapse_moves_the_label_without_consulting_x),
        cmocka_unit_test(initial_label_checks_every_rung),
        cmocka_unit_test(alliance_in_force_is_dated_alliance_after),
        cmocka_unit_test(events_re_evaluate_the_dyads_of_their_actors),
        cmocka_unit_test(target_and_gates_match_the_formulas),
        cmocka_unit_test(two_hundred_actors_and_a_summit_of_all),
        cmocka_unit_test(milestones_date_first_hits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
