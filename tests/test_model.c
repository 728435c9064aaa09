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
    for (int i = 0; i < 3; i++) {
        spec_actor *a = &s->actors[s->nactors];
        snprintf(a->id, sizeof a->id, "%s", ids[i]);
        snprintf(a->name, sizeof a->name, "%s", ids[i]);
        double year = 1900.0, cap = caps[i];
        size_t idx;
        assert_int_equal(model_spec_add_series(s, ids[i], &year, &cap, 1, &idx), 0);
        a->capability = (int)idx;
        a->param0 = s->nparams;
        assert_int_equal(model_spec_add_param(s, "ideology", i == 2 ? ideology_c : ideol[i], -1, 1, NULL), 0);
        assert_int_equal(model_spec_add_param(s, "autonomy", 0.0, 0, 10, NULL), 0);
        assert_int_equal(model_spec_add_param(s, "doctrine", 0.0, 0, 10, NULL), 0);
        s->nactors++;
    }
    static const struct { int label; const char *name; double x_min; unsigned req; int gate; } rungs[] = {
        {-1, "hostile", -INFINITY, 0, 0}, {0, "normal", -0.2, 0, 0}, {1, "friendly", 0.1, 0, 0},
        {2, "partners", 0.4, 0, 0},       {3, "alliance", 0.85, SPEC_C_DEFENCE, 1},
    };
    for (int i = 0; i < 5; i++) {
        spec_rung *r = &s->ladder[s->nrungs++];
        r->label = rungs[i].label;
        snprintf(r->name, sizeof r->name, "%s", rungs[i].name);
        r->x_min = rungs[i].x_min;
        r->requires = rungs[i].req;
        r->gate = rungs[i].gate;
    }
    s->outcome_a = 0;
    s->outcome_b = 1;
    s->alliance_after = s->start;
}

static void set_initial(model_spec *s, int a, int b, double x)
{
    spec_initial in = {a, b, 0, 0.0, 0.0, 0};
    assert_int_equal(model_spec_add_param(s, "initial.x", x, -1, 1, &in.p_x), 0);
    assert_int_equal(model_spec_add_initial(s, &in), 0);
}

/* Adds a dated event with a fixed magnitude and returns it for tuning. */
static spec_event *add_event(model_spec *s, spec_event_kind kind, double at, double mag, int a, int b)
{
    spec_event e;
    memset(&e, 0, sizeof e);
    e.kind = kind;
    e.timing = TIMING_AT;
    e.at = at;
    e.until = s->horizon;
    e.series = -1;
    e.expires = INFINITY;
    e.active = 1;
    assert_int_equal(model_spec_add_param(s, "events.magnitude", mag, -5, 5, &e.p_magnitude), 0);
    assert_int_equal(model_spec_add_param(s, "events.duration", 0.0, 0, 100, &e.p_duration), 0);
    assert_int_equal(model_spec_add_param(s, "events.every", 1.0, 0, 100, &e.p_every), 0);
    assert_int_equal(model_spec_add_param(s, "events.rate", 0.0, 0, 100, &e.p_rate), 0);
    e.actors[e.nactors++] = a;
    if (b >= 0)
        e.actors[e.nactors++] = b;
    assert_int_equal(model_spec_add_event(s, &e), 0);
    return &s->events[s->nevents - 1];
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
    set_initial(&s, 0, 1, -0.3);
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
    set_initial(&s, 0, 1, -0.1);  /* rung "normal" (index 1) */
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
    set_initial(&s, 0, 1, 0.35);  /* target tanh(0.43) = 0.405: inside 0.4 + 0.02 */
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
    set_initial(&s, 0, 1, 0.35);  /* target tanh(0.46) = 0.430: past the band */
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
    set_initial(&s, 0, 1, 0.6);        /* "partners" */
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
    set_initial(&s, 0, 1, 0.5);
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
    set_initial(&s, 0, 1, 0.6);
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
    build(&s, -1.0);
    /* c hostile to both a and b: a strong common threat */
    set_initial(&s, 0, 1, 0.9);
    set_initial(&s, 0, 2, -0.9);
    set_initial(&s, 1, 2, -0.9);
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
    build(&s, -1.0);
    set_initial(&s, 0, 1, 0.9);
    set_initial(&s, 0, 2, -0.9);
    set_initial(&s, 1, 2, -0.9);
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
    build(&s, -1.0);
    set_initial(&s, 0, 1, 0.9);
    set_initial(&s, 0, 2, -0.9);
    set_initial(&s, 1, 2, -0.9);
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
    spec_event *e = add_event(&s, EV_REVERSAL, 2003.0, 2.0, 2, 0);
    e->actors[e->nactors++] = 1;
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
    e = add_event(&s, EV_REVERSAL, 2003.0, 2.0, 2, 0);
    e->actors[e->nactors++] = 1;
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
    set_initial(&s, 0, 1, 0.3);
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
        cmocka_unit_test(milestones_date_first_hits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
