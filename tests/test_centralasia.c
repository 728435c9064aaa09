/*
 * test_centralasia - the mechanisms issue 11 adds for the Central Asian
 * states (docs/MODEL.md, draft section "the Central Asian states"), one by
 * one on small specs built in code: the asymmetric-alliance terms of the
 * gate, basing agreements (offer, accept, evict), trade ties set from data,
 * and treaties renewed pair by pair at each term.  Every check is a known
 * answer computed by hand from the equations, with relaxation switched off
 * so that x stays where the test puts it.
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
#include "scenario/scenario.h"
#include "stats/rng.h"

/* Model parameters of the tests, in spec_model_param order: relaxation off
 * (k = 0), so every x stays at its initial value unless an event moves it,
 * and a decision rule sharp enough to be deterministic. */
static const double params[MP_COUNT] = {
    [MP_RELAX_RATE] = 0.0,       [MP_REVIEW_EVERY] = 0.25,       [MP_W_THREAT] = 2.0,
    [MP_W_IDEOLOGY] = 0.8,       [MP_W_ECONOMY] = 0.6,           [MP_W_BORDER] = 1.0,
    [MP_W_AUTONOMY] = 1.0,       [MP_W_HOSTILITY] = 1.0,         [MP_GATE_SECURITY] = 4.0,
    [MP_GATE_ENTRAPMENT] = 1.0,  [MP_DECISION_PRECISION] = 1e4,  [MP_HYSTERESIS] = 0.02,
    [MP_REVERSAL_MIN_YEARS] = 1.0,
};

#define NMAX 4

/* A world of n actors with constant capabilities caps[i], ideology 0,
 * autonomy 0 and no doctrine, and a five-rung ladder topped by an
 * alliance. */
static void build(model_spec *s, int n, const double *caps)
{
    model_spec_init(s);
    snprintf(s->name, sizeof s->name, "central-asia-unit");
    s->start = 2000.0;
    s->horizon = 2010.0;
    s->seed = 11;
    for (int i = 0; i < MP_COUNT; i++)
        assert_int_equal(model_spec_add_param(s, "model.p", params[i], -1e9, 1e9, NULL), 0);
    static const char *ids[NMAX] = {"a", "b", "c", "d"};
    for (int i = 0; i < n; i++)
        testutil_add_actor(s, ids[i], caps[i], 0.0, 0.0, 0.0);
    testutil_add_rung(s, -1, "hostile", -INFINITY, 0, 0);
    testutil_add_rung(s, 0, "normal", -0.2, 0, 0);
    testutil_add_rung(s, 1, "friendly", 0.1, 0, 0);
    testutil_add_rung(s, 2, "partners", 0.4, 0, 0);
    testutil_add_rung(s, 3, "alliance", 0.85, SPEC_C_DEFENCE, 1);
    s->outcome_a = 0;
    s->outcome_b = 1;
    s->alliance_after = s->start;
}

/* Adds a dated event among the given actors (-1 ends the list). */
static spec_event *add_event(model_spec *s, spec_event_kind kind, double at, double mag, int a, int b,
                             int c)
{
    int who[3] = {a, b, c}, n = 0;
    for (int i = 0; i < 3; i++)
        if (who[i] >= 0)
            who[n++] = who[i];
    return testutil_add_event(s, kind, at, mag, who, n);
}

/* ---- a recording observer ---------------------------------------------- */

#define MAXY 11
#define MAXD 6
typedef struct {
    double x[MAXY][MAXD], target[MAXY][MAXD], gate[MAXY][MAXD][2];
    int rung[MAXY][MAXD];
    unsigned commit[MAXY][MAXD];
    int evictions;
    double eviction_time;
    int accepted, refused;
} trace;

static void on_event(void *ctx, double time, const char *kind, const char *actors, const char *detail)
{
    (void)actors;
    trace *t = ctx;
    if (strcmp(kind, "eviction") == 0) {
        t->evictions++;
        t->eviction_time = time;
    }
    if (strcmp(kind, "basing") == 0) {
        if (strncmp(detail, "accepted", 8) == 0)
            t->accepted++;
        else if (strncmp(detail, "refused", 7) == 0)
            t->refused++;
    }
}

static int on_sample(void *ctx, int year, const model *m)
{
    trace *t = ctx;
    int y = year - 2000;
    if (y < 0 || y >= MAXY)
        return 0;
    for (size_t d = 0; d < model_ndyads(m) && d < MAXD; d++) {
        t->x[y][d] = model_dyad_x(m, d);
        t->target[y][d] = model_dyad_target(m, d);
        t->rung[y][d] = model_dyad_rung(m, d);
        t->commit[y][d] = model_dyad_commitments(m, d);
        t->gate[y][d][0] = model_dyad_gate(m, d, 0);
        t->gate[y][d][1] = model_dyad_gate(m, d, 1);
    }
    return 0;
}

static void run(const model_spec *s, trace *t)
{
    memset(t, 0, sizeof *t);
    model *m = model_alloc(s);
    assert_non_null(m);
    model_observer obs = {t, on_event, on_sample, NULL};
    model_outcome out;
    assert_int_equal(model_run(m, 1, NULL, &obs, &out), 0);
    model_free(m);
}

/* Dyad indices among three actors: a-b 0, a-c 1, b-c 2; among four: a-b 0,
 * a-c 1, a-d 2, b-c 3, b-d 4, c-d 5. */
enum { AB = 0, AC = 1, BC = 2 };
enum { AB4 = 0, AC4 = 1, AD4 = 2, BC4 = 3, BD4 = 4, CD4 = 5 };

/* ---- the gate of asymmetric alliances ---------------------------------- */

/*
 * a (0.02) is weak and threatened by c (0.3, x = -0.5); b (0.5) is strong and
 * neutral toward c (x = 0).  There is no common threat (c does not threaten
 * b), so the classic gate gives a nothing and charges b the entrapment in
 * a's conflict: R_b = (0.5 - 0) 0.3 / 0.32 = 0.46875.  With protection s_p
 * = 2, a's gate is 2 x theta_ca x C_b / (C_a + C_b) = 2 x 0.46875 x 0.5 /
 * 0.52; with influence u = 1, b's gate gains the asymmetry (0.5 - 0.02) /
 * 0.52.
 */
static void gate_of_an_asymmetric_pair(void **state)
{
    (void)state;
    static const double caps[] = {0.02, 0.5, 0.3};
    for (int variant = 0; variant < 2; variant++) {
        model_spec s;
        build(&s, 3, caps);
        testutil_set_initial(&s, 0, 1, 0.3);
        testutil_set_initial(&s, 0, 2, -0.5);
        testutil_set_initial(&s, 1, 2, 0.0);
        if (variant) {
            s.params[MP_GATE_PROTECTION].value = 2.0;
            s.params[MP_GATE_INFLUENCE].value = 1.0;
        }
        trace t;
        run(&s, &t);
        double theta_ca = 0.3 / 0.32 * 0.5;
        double want_a = variant ? 2.0 * theta_ca * 0.5 / 0.52 : 0.0;
        double want_b = (variant ? 0.48 / 0.52 : 0.0) - theta_ca;
        assert_close(t.gate[0][AB][0], want_a, 1e-12);
        assert_close(t.gate[0][AB][1], want_b, 1e-12);
        model_spec_clear(&s);
    }
}

/* Protection from a threat is discounted by the partner's alignment with
 * the threatening party: once b is at x = 0.6 with c, a's gate keeps
 * 1 - 0.6 = 0.4 of it (no entrapment: b's hostility toward c, 0, is below
 * a's); at x = 1 it keeps nothing. */
static void protection_is_discounted_by_the_partners_alignment_with_the_threat(void **state)
{
    (void)state;
    static const double caps[] = {0.02, 0.5, 0.3};
    model_spec s;
    build(&s, 3, caps);
    s.params[MP_GATE_PROTECTION].value = 2.0;
    testutil_set_initial(&s, 0, 1, 0.3);
    testutil_set_initial(&s, 0, 2, -0.5);
    testutil_set_initial(&s, 1, 2, 0.6);
    trace t;
    run(&s, &t);
    double theta_ca = 0.3 / 0.32 * 0.5;
    assert_close(t.gate[0][AB][0], 2.0 * theta_ca * 0.4 * 0.5 / 0.52, 1e-12);
    s.params[s.initial[2].p_x].value = 1.0;
    run(&s, &t);
    assert_close(t.gate[0][AB][0], 0.0, 0.0);
    model_spec_clear(&s);
}

/* ---- basing agreements -------------------------------------------------- */

/*
 * b asks a to host a base worth 0.5 at 2001 with x = 0.2: accepted, and the
 * target's argument rises by w_E x 0.5 = 0.3 exactly.  A crisis of 0.5 at
 * 2003 takes x to -0.3, below -h: a evicts b at that decision, and the
 * argument loses the 0.3 again (the crisis itself does not enter it).
 */
static void base_is_accepted_then_evicted(void **state)
{
    (void)state;
    static const double caps[] = {0.02, 0.5, 0.3};
    model_spec s;
    build(&s, 3, caps);
    testutil_set_initial(&s, 0, 1, 0.2);
    add_event(&s, EV_BASING, 2001.0, 0.5, 1, 0, -1);
    add_event(&s, EV_CRISIS, 2003.0, 0.5, 0, 1, -1);
    trace t;
    run(&s, &t);
    assert_int_equal(t.accepted, 1);
    assert_int_equal(t.evictions, 1);
    assert_close(t.eviction_time, 2003.0, 0.0);
    /* Between events x does not move (k = 0): the reciprocity weight is 0,
     * so the argument changes only by the base. */
    assert_close(atanh(t.target[1][AB]) - atanh(t.target[0][AB]), 0.6 * 0.5, 1e-9);
    assert_close(atanh(t.target[3][AB]), atanh(t.target[0][AB]), 1e-9);
    assert_close(t.x[3][AB], -0.3, 1e-12);
    model_spec_clear(&s);
}

/* A host whose relation with the power is below normal refuses. */
static void base_is_refused_below_normal(void **state)
{
    (void)state;
    static const double caps[] = {0.02, 0.5, 0.3};
    model_spec s;
    build(&s, 3, caps);
    testutil_set_initial(&s, 0, 1, -0.1);
    add_event(&s, EV_BASING, 2001.0, 0.5, 1, 0, -1);
    trace t;
    run(&s, &t);
    assert_int_equal(t.accepted, 0);
    assert_int_equal(t.refused, 1);
    assert_close(atanh(t.target[1][AB]), atanh(t.target[0][AB]), 1e-12);
    model_spec_clear(&s);
}

/* ---- trade ties from data ------------------------------------------------ */

/*
 * A trade event on a series (0.2 from 2001, 0.5 from 2003) with magnitude 2
 * sets the tie to 0.4 and then 1.0: the argument of the target is w_E times
 * the tie above its value before 2001, and the second point replaces the
 * first instead of adding to it.
 */
static void trade_tie_follows_the_series(void **state)
{
    (void)state;
    static const double caps[] = {0.02, 0.5, 0.3};
    model_spec s;
    build(&s, 3, caps);
    testutil_set_initial(&s, 0, 1, 0.1);
    double years[] = {2001.0, 2003.0}, values[] = {0.2, 0.5};
    size_t idx;
    assert_int_equal(model_spec_add_series(&s, "trade.a_b", years, values, 2, &idx), 0);
    spec_event *e = add_event(&s, EV_TRADE, 0.0, 2.0, 1, 0, -1);
    e->timing = TIMING_SERIES;
    e->series = (int)idx;
    e->from = s.start;
    trace t;
    run(&s, &t);
    double base = atanh(t.target[0][AB]);
    assert_close(atanh(t.target[1][AB]) - base, 0.6 * 0.4, 1e-9);
    assert_close(atanh(t.target[2][AB]) - base, 0.6 * 0.4, 1e-9);
    assert_close(atanh(t.target[3][AB]) - base, 0.6 * 1.0, 1e-9);
    assert_close(atanh(t.target[6][AB]) - base, 0.6 * 1.0, 1e-9);
    model_spec_clear(&s);
}

/* ---- treaties renewed at each term --------------------------------------- */

/*
 * a, b and c face d (x = -0.9 with each, and d is the strongest), so every
 * pair's gates are open and a treaty among a, b and c gives each pair a
 * defence commitment at 2001.  The first term ends at 2003 and then every
 * two years.  c's doctrine switches on at 2002.5: at 2003 the pairs with c
 * lapse and a-b renews.  a's doctrine switches on at 2004: a-b lapses at
 * the next term's end, 2005, not before.
 */
static void treaty_terms_renew_pair_by_pair(void **state)
{
    (void)state;
    static const double caps[] = {0.2, 0.3, 0.25, 0.6};
    model_spec s;
    build(&s, 4, caps);
    testutil_set_initial(&s, 0, 1, 0.9);
    testutil_set_initial(&s, 0, 2, 0.9);
    testutil_set_initial(&s, 1, 2, 0.9);
    testutil_set_initial(&s, 0, 3, -0.9);
    testutil_set_initial(&s, 1, 3, -0.9);
    testutil_set_initial(&s, 2, 3, -0.9);
    s.params[s.actors[0].param0 + AP_DOCTRINE_COST].value = 5.0;
    s.params[s.actors[2].param0 + AP_DOCTRINE_COST].value = 5.0;
    spec_event *e = add_event(&s, EV_TREATY, 2001.0, 0.0, 0, 1, 2);
    e->commitments = SPEC_C_DEFENCE;
    e->expires = 2003.0;
    e->term_years = 2.0;
    add_event(&s, EV_DOCTRINE, 2002.5, 0.0, 2, -1, -1);
    add_event(&s, EV_DOCTRINE, 2004.0, 0.0, 0, -1, -1);
    trace t;
    run(&s, &t);
    for (int d = 0; d < 6; d++)
        if (d == AB4 || d == AC4 || d == BC4)
            assert_int_equal(t.commit[1][d] & SPEC_C_DEFENCE, SPEC_C_DEFENCE);
    assert_int_equal(t.commit[3][AB4] & SPEC_C_DEFENCE, SPEC_C_DEFENCE);
    assert_int_equal(t.commit[3][AC4] & SPEC_C_DEFENCE, 0);
    assert_int_equal(t.commit[3][BC4] & SPEC_C_DEFENCE, 0);
    assert_int_equal(t.commit[4][AB4] & SPEC_C_DEFENCE, SPEC_C_DEFENCE);
    assert_int_equal(t.commit[5][AB4] & SPEC_C_DEFENCE, 0);
    model_spec_clear(&s);
}

/* ---- decisions that only go down, and refused offers ------------------- */

/*
 * Relaxation on (k = 5): an opening of +2 at 2001 takes a-b from 0.3 (the
 * "friendly" rung) to x near 1 by 2003.  Sanctions of a on b at 2004 are a
 * decision at which nobody may propose up, so the label stays "friendly"
 * although x is far above "partners"; the summit at 2005 climbs.  With an
 * opening of -2 instead, the same sanctions drop the label to the rung x
 * supports ("hostile"); an easing (negative magnitude) is no decision.
 */
static void sanctions_are_a_decision_that_only_goes_down(void **state)
{
    (void)state;
    static const double caps[] = {0.3, 0.3, 0.3};
    for (int variant = 0; variant < 3; variant++) {
        model_spec s;
        build(&s, 3, caps);
        s.params[MP_RELAX_RATE].value = 5.0;
        testutil_set_initial(&s, 0, 1, 0.3);
        add_event(&s, EV_OPENING, 2001.0, variant == 0 ? 2.0 : -2.0, 0, 1, -1);
        add_event(&s, EV_SANCTIONS, 2004.0, variant == 2 ? -0.001 : 0.001, 0, 1, -1);
        add_event(&s, EV_SUMMIT, 2005.0, 0.0, 0, 1, -1);
        trace t;
        run(&s, &t);
        assert_int_equal(t.rung[3][AB], 2); /* friendly: no decision yet */
        if (variant == 0) {
            assert_true(t.x[4][AB] > 0.9);
            assert_int_equal(t.rung[4][AB], 2); /* no upgrade at sanctions */
            assert_int_equal(t.rung[5][AB], 3); /* the summit climbs */
        } else if (variant == 1) {
            assert_true(t.x[4][AB] < -0.6);
            assert_int_equal(t.rung[4][AB], 0); /* hostile */
        } else {
            assert_int_equal(t.rung[4][AB], 2); /* an easing decides nothing */
        }
        model_spec_clear(&s);
    }
}

/*
 * A base accepted at 2001 (x = 0.2) is evicted at the first review after
 * x falls below -h, with no decision event scheduled: an opening of -2 at
 * 2002 with k = 5 takes x below -0.02 within weeks; reviews fall every
 * 0.25 years.
 */
static void a_review_evicts_a_base_below_the_band(void **state)
{
    (void)state;
    static const double caps[] = {0.02, 0.5, 0.3};
    model_spec s;
    build(&s, 3, caps);
    s.params[MP_RELAX_RATE].value = 5.0;
    testutil_set_initial(&s, 0, 1, 0.2);
    add_event(&s, EV_BASING, 2001.0, 0.5, 1, 0, -1);
    add_event(&s, EV_OPENING, 2002.0, -2.0, 0, 1, -1);
    trace t;
    run(&s, &t);
    assert_int_equal(t.accepted, 1);
    assert_int_equal(t.evictions, 1);
    assert_true(t.eviction_time > 2002.0 && t.eviction_time <= 2002.5);
    assert_close(fmod(t.eviction_time - 2000.0, 0.25), 0.0, 1e-9);
    model_spec_clear(&s);
}

/* A treaty moves x only for a pair that signed something: at x = -0.1 the
 * non-aggression offer is refused and x stays; at 0.1 it is signed and x
 * jumps by the magnitude 0.3 (k = 0). */
static void a_refused_treaty_moves_nothing(void **state)
{
    (void)state;
    static const double caps[] = {0.3, 0.3, 0.3};
    for (int variant = 0; variant < 2; variant++) {
        model_spec s;
        build(&s, 3, caps);
        double x0 = variant ? 0.1 : -0.1;
        testutil_set_initial(&s, 0, 1, x0);
        spec_event *e = add_event(&s, EV_TREATY, 2001.0, 0.3, 0, 1, -1);
        e->commitments = SPEC_C_NONAGGRESSION;
        trace t;
        run(&s, &t);
        assert_close(t.x[1][AB], variant ? x0 + 0.3 : x0, 1e-12);
        assert_int_equal(t.commit[1][AB], variant ? SPEC_C_NONAGGRESSION : 0u);
        model_spec_clear(&s);
    }
}

/* ---- acceptance on the historical scenario ------------------------------ */

enum { REPS = 1000 };

/*
 * Hit rates (share of replications within two years) of the China-Russia,
 * Russia-US and China-US targets before the Central Asian record was added:
 * `alignsim batch scenarios/historical.cfg -n 1000`, column within2 of
 * milestones.tsv, on main at commit 9c7eab3 (the scenario and model without
 * issue 11).  Keyed by the target's note.
 */
static const struct {
    const char *note;
    double within2;
} before[] = {
    {"alliance treaty (Feb 1950)", 1.0},
    {"defence pact signed", 1.0},
    {"treaty nominal: below strategic partnership by 1961", 0.999},
    {"border clashes (Mar 1969)", 0.942},
    {"treaty expires (Apr 1980)", 1.0},
    {"normalisation (May 1989)", 0.983},
    {"friendly countries (Dec 1992)", 1.0},
    {"no force, no hostile third-party pacts (Dec 1992)", 1.0},
    {"constructive partnership (Sep 1994)", 1.0},
    {"strategic partnership (Apr 1996)", 0.988},
    {"treaty of good-neighbourliness (Jul 2001)", 0.978},
    {"consultation clause (Jul 2001)", 1.0},
    {"comprehensive strategic partnership of coordination (by May 2015)", 0.955},
    {"for a new era (Jun 2019)", 0.907},
    {"no alliance 1981-2019", 1.0},
    {"mature strategic partnership (Jan 1994)", 1.0},
    {"decline: Kosovo (Mar 1999)", 0.997},
    {"US-China below partnership over Taiwan arms (1981-83)", 0.985},
};

static const char *const central_asia[] = {"kazakhstan", "kyrgyzstan", "tajikistan", "uzbekistan"};
enum { NCA = 4, ATOP_FROM = 1993, ATOP_TO = 2018 };

typedef struct {
    const model_spec *spec;
    milestones *ms;
    size_t china_russia, china_ca[NCA], russia_ca[NCA];
    int alliance_rung;
    int cr_alliance_after_1980, china_ca_defence;
    int atop_missing[NCA]; /* years of 1993-2018 without the Russia-state defence commitment */
    int k2_hosted, manas_hosted; /* the 2001 basing requests accepted */
    double k2_evicted;           /* when Uzbekistan evicted the US base; NaN if never */
} acceptance;

static void on_acceptance_event(void *ctx, double time, const char *kind, const char *actors, const char *detail)
{
    acceptance *a = ctx;
    if (strcmp(kind, "basing") == 0 && strncmp(detail, "accepted", 8) == 0 && time < 2002.0) {
        if (strcmp(actors, "us+uzbekistan") == 0)
            a->k2_hosted = 1;
        if (strcmp(actors, "us+kyrgyzstan") == 0)
            a->manas_hosted = 1;
    }
    if (strcmp(kind, "eviction") == 0 && strcmp(actors, "uzbekistan+us") == 0 && isnan(a->k2_evicted))
        a->k2_evicted = time;
}

static void on_change(void *ctx, double time, size_t dyad, int rung, unsigned commit)
{
    acceptance *a = ctx;
    milestones_change(a->ms, time, dyad, rung, commit);
    if (dyad == a->china_russia && time >= 1981.0 && rung == a->alliance_rung)
        a->cr_alliance_after_1980 = 1;
    for (int c = 0; c < NCA; c++)
        if (dyad == a->china_ca[c] && (commit & SPEC_C_DEFENCE))
            a->china_ca_defence = 1;
}

static int on_year(void *ctx, int year, const model *m)
{
    acceptance *a = ctx;
    if (year >= ATOP_FROM && year <= ATOP_TO)
        for (int c = 0; c < NCA; c++)
            if (!(model_dyad_commitments(m, a->russia_ca[c]) & SPEC_C_DEFENCE))
                a->atop_missing[c]++;
    return 0;
}

static int is_central_asian(const model_spec *s, int actor)
{
    for (int c = 0; c < NCA; c++)
        if (strcmp(s->actors[actor].id, central_asia[c]) == 0)
            return 1;
    return 0;
}

static void historical_replay_meets_the_central_asian_acceptance(void **state)
{
    (void)state;
    model_spec spec;
    scenario_diags diags = {NULL, 0};
    scenario_options opt = {NULL, 0, 0, 0, NULL};
    char *resolved = NULL;
    model_spec_init(&spec);
    int rc = scenario_load("scenarios/historical.cfg", &opt, &spec, &resolved, &diags);
    for (size_t i = 0; i < diags.n; i++)
        print_error("%s\n", diags.lines[i]);
    scenario_diags_clear(&diags);
    free(resolved);
    assert_int_equal(rc, SCENARIO_OK);

    acceptance a;
    memset(&a, 0, sizeof a);
    a.spec = &spec;
    int china = model_spec_find_actor(&spec, "china"), russia = model_spec_find_actor(&spec, "russia");
    assert_true(china >= 0 && russia >= 0);
    a.china_russia = spec_dyad_index(spec.nactors, china, russia);
    for (int c = 0; c < NCA; c++) {
        int k = model_spec_find_actor(&spec, central_asia[c]);
        assert_true(k >= 0);
        a.china_ca[c] = spec_dyad_index(spec.nactors, china, k);
        a.russia_ca[c] = spec_dyad_index(spec.nactors, russia, k);
    }
    model *m = model_alloc(&spec);
    a.ms = milestones_alloc(&spec);
    assert_non_null(m);
    assert_non_null(a.ms);
    a.alliance_rung = model_alliance_rung(m);
    const size_t nt = spec.ntargets;
    size_t *within2 = calloc(nt, sizeof *within2);
    assert_non_null(within2);
    int cr_alliance = 0, china_ca_defence = 0, atop_kept[NCA] = {0}, hosted = 0, evicted = 0;
    for (size_t r = 0; r < REPS; r++) {
        milestones_reset(a.ms);
        a.cr_alliance_after_1980 = a.china_ca_defence = 0;
        a.k2_hosted = a.manas_hosted = 0;
        a.k2_evicted = NAN;
        memset(a.atop_missing, 0, sizeof a.atop_missing);
        model_observer obs = {&a, on_acceptance_event, on_year, on_change};
        assert_int_equal(model_run(m, rng_rep_seed(spec.seed, r), NULL, &obs, NULL), 0);
        milestones_finish(a.ms, spec.horizon);
        for (size_t t = 0; t < nt; t++)
            within2[t] += fabs(milestones_error(a.ms, t)) <= 2.0;
        cr_alliance += a.cr_alliance_after_1980;
        china_ca_defence += a.china_ca_defence;
        for (int c = 0; c < NCA; c++)
            atop_kept[c] += a.atop_missing[c] == 0;
        hosted += a.k2_hosted && a.manas_hosted;
        /* The eviction notice of 29 July 2005 (2005.57), within two years. */
        evicted += fabs(a.k2_evicted - 2005.57) <= 2.0;
    }

    int failed = 0, ncr = 0, nca = 0;
    for (size_t t = 0; t < nt; t++) {
        const spec_target *tg = &spec.targets[t];
        double share = (double)within2[t] / REPS;
        if (is_central_asian(&spec, tg->a) || is_central_asian(&spec, tg->b)) {
            int ok = share >= 0.70;
            print_message("%-3s CA %-50.50s within2 %.3f (>= 0.70)\n", ok ? "ok" : "BAD", tg->note, share);
            failed += !ok;
            nca++;
            continue;
        }
        size_t k = 0;
        while (k < sizeof before / sizeof before[0] && strcmp(before[k].note, tg->note) != 0)
            k++;
        assert_true(k < sizeof before / sizeof before[0]);
        int ok = fabs(share - before[k].within2) <= 0.05;
        print_message("%-3s CR %-50.50s within2 %.3f (before %.3f)\n", ok ? "ok" : "BAD", tg->note, share,
                      before[k].within2);
        failed += !ok;
        ncr++;
    }
    for (int c = 0; c < NCA; c++) {
        double share = (double)atop_kept[c] / REPS;
        int ok = share >= 0.70;
        print_message("%-3s ATOP russia-%s defence in force %d-%d in %.3f (>= 0.70)\n", ok ? "ok" : "BAD",
                      central_asia[c], ATOP_FROM, ATOP_TO, share);
        failed += !ok;
    }
    double share_hosted = (double)hosted / REPS, share_evicted = (double)evicted / REPS;
    print_message("%-3s K2 and Manas hosted in 2001 in %.3f (>= 0.70)\n", share_hosted >= 0.70 ? "ok" : "BAD",
                  share_hosted);
    print_message("%-3s K2 evicted within two years of Jul 2005 in %.3f (>= 0.70)\n",
                  share_evicted >= 0.70 ? "ok" : "BAD", share_evicted);
    failed += (share_hosted < 0.70) + (share_evicted < 0.70);
    print_message("China-Russia alliance after 1980 in %d of %d; China-Central Asia defence in %d\n", cr_alliance,
                  REPS, china_ca_defence);
    assert_int_equal(ncr, (int)(sizeof before / sizeof before[0]));
    assert_true(nca >= 8);
    assert_int_equal(failed, 0);
    assert_int_equal(cr_alliance, 0);
    assert_int_equal(china_ca_defence, 0);
    free(within2);
    milestones_free(a.ms);
    model_free(m);
    model_spec_clear(&spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gate_of_an_asymmetric_pair),
        cmocka_unit_test(protection_is_discounted_by_the_partners_alignment_with_the_threat),
        cmocka_unit_test(base_is_accepted_then_evicted),
        cmocka_unit_test(base_is_refused_below_normal),
        cmocka_unit_test(trade_tie_follows_the_series),
        cmocka_unit_test(treaty_terms_renew_pair_by_pair),
        cmocka_unit_test(sanctions_are_a_decision_that_only_goes_down),
        cmocka_unit_test(a_review_evicts_a_base_below_the_band),
        cmocka_unit_test(a_refused_treaty_moves_nothing),
        cmocka_unit_test(historical_replay_meets_the_central_asian_acceptance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
