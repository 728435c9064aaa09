/*
 * test_scenario - the scenario language loader (sim/scenario/): a good
 * scenario fills the spec as documented, the resolved text is a fixed point
 * that reproduces the spec bit for bit, --set and -s override settings and
 * are recorded, variants (`base`, `remove_events`, `scale_events`) merge,
 * remove and scale as documented - the counterfactuals in
 * scenarios/counterfactual/ included - every bad file in tests/data/bad/ is
 * rejected with its FILE:LINE and message, and docs/SCENARIO.md is in step
 * with the table.
 *
 * Runs from the top of the tree (paths are relative to it).  Each test keeps
 * what it loads in a fixture that the teardown frees, so a failed assertion
 * leaks nothing under valgrind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "base/buf.h"
#include "base/num.h"
#include "model/spec.h"
#include "scenario/scenario.h"
#include "scenario/settings.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GOOD "tests/data/good/"
#define BAD "tests/data/bad/"

typedef struct {
    model_spec spec, spec2, spec3;
    char *resolved, *resolved2;
    scenario_diags diags;
    char *text;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    model_spec_init(&fx->spec);
    model_spec_init(&fx->spec2);
    model_spec_init(&fx->spec3);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    model_spec_clear(&fx->spec);
    model_spec_clear(&fx->spec2);
    model_spec_clear(&fx->spec3);
    free(fx->resolved);
    free(fx->resolved2);
    free(fx->text);
    scenario_diags_clear(&fx->diags);
    free(fx);
    return 0;
}

/* Prints the diagnostics, so that a failing test shows what the loader said. */
static void print_diags(const scenario_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        print_message("  diag: %s\n", d->lines[i]);
}

/* Loads path with the given --set strings into fx->spec / fx->resolved. */
static int load(fixture *fx, const char *path, const char *const *sets, size_t nsets)
{
    scenario_options o = {sets, nsets, 0, 0, NULL};
    int rc = scenario_load(path, &o, &fx->spec, &fx->resolved, &fx->diags);
    if (rc != AS_OK)
        print_diags(&fx->diags);
    return rc;
}

/* Index of the diagnostic that starts with prefix and contains needle, or -1. */
static long find_diag(const scenario_diags *d, const char *prefix, const char *needle)
{
    for (size_t i = 0; i < d->n; i++)
        if (strncmp(d->lines[i], prefix, strlen(prefix)) == 0 && strstr(d->lines[i], needle))
            return (long)i;
    return -1;
}

static const spec_param *param(const model_spec *s, const char *path)
{
    long i = model_spec_find_param(s, path);
    if (i < 0)
        fail_msg("no parameter %s", path);
    return &s->params[i];
}

/* The event with this id, or a failed test. */
static const spec_event *event_by_id(const model_spec *s, const char *id)
{
    for (size_t i = 0; i < s->nevents; i++)
        if (strcmp(s->events[i].id, id) == 0)
            return &s->events[i];
    fail_msg("no event with id %s", id);
    return NULL;
}

/* Non-zero if some event has this id. */
static int has_event(const model_spec *s, const char *id)
{
    for (size_t i = 0; i < s->nevents; i++)
        if (strcmp(s->events[i].id, id) == 0)
            return 1;
    return 0;
}

/* The magnitude parameter of the event with this id. */
static const spec_param *magnitude_of(const model_spec *s, const char *id)
{
    return &s->params[event_by_id(s, id)->p_magnitude];
}

/* 1-based line of the first occurrence of needle in text, or 0. */
static int line_of(const char *text, const char *needle)
{
    const char *p = strstr(text, needle);
    if (!p)
        return 0;
    int line = 1;
    for (const char *q = text; q < p; q++)
        line += *q == '\n';
    return line;
}

/* ------------------------------------------------------------------ */
/* A good scenario                                                    */
/* ------------------------------------------------------------------ */

static void test_minimal_header_and_model(void **state)
{
    fixture *fx = *state;
    assert_int_equal(load(fx, GOOD "minimal.cfg", NULL, 0), AS_OK);
    const model_spec *s = &fx->spec;
    assert_string_equal(s->name, "minimal-test");
    assert_close(s->start, 1950.0, 0.0); /* written as the integer 1950 */
    assert_close(s->horizon, 2000.5, 0.0);
    assert_true(s->seed == 2385u);

    /* The model parameters come first, in spec_model_param order. */
    static const char *const names[MP_COUNT] = {
        "relax_rate_per_year", "review_every_years", "w_threat", "w_ideology", "w_economy",
        "w_border", "w_autonomy", "w_hostility", "w_reciprocity", "w_triad", "dispute_weight",
        "dispute_decay_per_year", "grievance_decay_per_year", "border_decay_per_year",
        "bias_decay_per_year", "gate_security", "gate_entrapment", "decision_precision", "hysteresis",
        "summit_warmth", "reversal_threshold", "reversal_min_years", "gate_protection",
        "gate_influence"};
    for (int i = 0; i < MP_COUNT; i++) {
        char path[SPEC_PATH_LEN];
        snprintf(path, sizeof path, "model.%s", names[i]);
        assert_int_equal(model_spec_find_param(s, path), i);
    }
    assert_close(s->params[MP_W_THREAT].value, 2.5, 0.0);
    assert_int_equal(s->params[MP_W_THREAT].dist.kind, DIST_FIXED);
    assert_close(s->params[MP_W_THREAT].lo, 0.0, 0.0);
    assert_close(s->params[MP_W_THREAT].hi, 20.0, 0.0);
    /* Defaults. */
    assert_close(s->params[MP_RELAX_RATE].value, 1.03, 0.0);
    assert_close(s->params[MP_REVIEW_EVERY].value, 0.5, 0.0);
    assert_close(s->params[MP_SUMMIT_WARMTH].value, 0.03, 0.0);
    assert_close(s->params[MP_DECISION_PRECISION].value, 40.0, 0.0);
    /* Distributions: the value is the mean. */
    const spec_param *wi = &s->params[MP_W_IDEOLOGY];
    assert_int_equal(wi->dist.kind, DIST_UNIFORM);
    assert_close(wi->dist.a, 0.4, 0.0);
    assert_close(wi->dist.b, 1.2, 0.0);
    assert_close(wi->value, 0.8, 1e-15);
    const spec_param *gs = &s->params[MP_GATE_SECURITY];
    assert_int_equal(gs->dist.kind, DIST_BETA);
    assert_close(gs->dist.c, 0.0, 0.0); /* min and max default to the range */
    assert_close(gs->dist.d, 100.0, 0.0);
    assert_close(gs->value, 40.0, 1e-15); /* 100 * 2 / (2 + 3) */
    const spec_param *hy = &s->params[MP_HYSTERESIS];
    assert_int_equal(hy->dist.kind, DIST_NORMAL);
    assert_close(hy->dist.a, 0.05, 0.0);
    assert_close(hy->dist.b, 0.01, 0.0);
}

static void test_minimal_actors_and_series(void **state)
{
    fixture *fx = *state;
    assert_int_equal(load(fx, GOOD "minimal.cfg", NULL, 0), AS_OK);
    const model_spec *s = &fx->spec;
    assert_int_equal(s->nactors, 3);
    assert_string_equal(s->actors[0].id, "a");
    assert_string_equal(s->actors[0].name, "Alpha");
    assert_string_equal(s->actors[2].id, "c");
    assert_string_equal(s->actors[2].name, "c"); /* default: the id */

    const spec_actor *a = &s->actors[0], *b = &s->actors[1], *c = &s->actors[2];
    assert_string_equal(s->params[a->param0 + AP_IDEOLOGY].path, "actors.a.ideology");
    assert_string_equal(s->params[a->param0 + AP_DOCTRINE_COST].path, "actors.a.doctrine_cost");
    assert_close(s->params[a->param0 + AP_IDEOLOGY].value, 1.0, 0.0);
    assert_close(s->params[a->param0 + AP_AUTONOMY].value, 0.3, 0.0);
    assert_close(s->params[b->param0 + AP_AUTONOMY].value, 0.5, 0.0); /* default */
    assert_int_equal(s->params[b->param0 + AP_IDEOLOGY].dist.kind, DIST_UNIFORM);
    assert_close(s->params[b->param0 + AP_IDEOLOGY].value, 0.0, 0.0);
    assert_close(s->params[c->param0 + AP_DOCTRINE_COST].value, 0.4, 0.0);

    /* Capability from the TSV table: series "small.a", NA is missing. */
    assert_int_equal(a->capability, model_spec_find_series(s, "small.a"));
    assert_true(isnan(model_spec_series_at(s, a->capability, 1945.0)));
    assert_close(model_spec_series_at(s, a->capability, 1946.0), 0.132711, 0.0);
    assert_close(model_spec_series_at(s, a->capability, 1955.3), 0.1, 0.0);
    assert_close(model_spec_series_at(s, a->capability, 2000.0), 0.12, 0.0);
    assert_true(isnan(model_spec_series_at(s, c->capability, 1947.0)));
    assert_close(model_spec_series_at(s, c->capability, 1961.0), 0.07, 0.0);
    /* Inline capability pairs: series "actors.b.capability". */
    assert_int_equal(b->capability, model_spec_find_series(s, "actors.b.capability"));
    assert_close(model_spec_series_at(s, b->capability, 1979.99), 0.1, 0.0);
    assert_close(model_spec_series_at(s, b->capability, 1980.0), 0.3, 0.0);
    assert_true(model_spec_find_series(s, "small.b") >= 0);

    /* The included ladder. */
    assert_int_equal(s->nrungs, 4);
    assert_int_equal(s->ladder[0].label, -1);
    assert_true(isinf(s->ladder[0].x_min) && s->ladder[0].x_min < 0);
    assert_close(s->ladder[1].x_min, -0.2, 0.0);
    assert_int_equal(s->ladder[2].requires, SPEC_C_CONSULTATION);
    assert_int_equal(s->ladder[3].requires, SPEC_C_DEFENCE);
    assert_int_equal(s->ladder[3].gate, 1);
    assert_int_equal(s->ladder[2].gate, 0);
    assert_string_equal(s->ladder[3].name, "alliance");
}

static void test_minimal_dyads_events_targets(void **state)
{
    fixture *fx = *state;
    assert_int_equal(load(fx, GOOD "minimal.cfg", NULL, 0), AS_OK);
    const model_spec *s = &fx->spec;

    /* "c-a" is stored in actor index order, a < b. */
    assert_int_equal(s->ninitial, 2);
    assert_int_equal(s->initial[0].a, 0);
    assert_int_equal(s->initial[0].b, 2);
    assert_string_equal(s->params[s->initial[0].p_x].path, "initial.[0].x");
    assert_close(s->params[s->initial[0].p_x].value, 0.8, 0.0);
    assert_close(s->initial[0].border, 0.2, 0.0);
    assert_close(s->initial[0].economy, 0.3, 0.0);
    assert_int_equal(s->initial[0].commitments, SPEC_C_NONAGGRESSION | SPEC_C_DEFENCE);
    assert_int_equal(s->initial[1].a, 0);
    assert_int_equal(s->initial[1].b, 1);
    assert_close(s->params[s->initial[1].p_x].value, -0.1, 0.0);
    assert_close(s->initial[1].border, 0.0, 0.0);

    assert_int_equal(s->nevents, 8);
    const spec_event *e = s->events;
    /* A summit without magnitude uses model.summit_warmth. */
    assert_int_equal(e[0].kind, EV_SUMMIT);
    assert_int_equal(e[0].timing, TIMING_AT);
    assert_close(e[0].at, 1950.12, 0.0);
    assert_int_equal(e[0].p_magnitude, MP_SUMMIT_WARMTH);
    assert_int_equal(e[0].nactors, 2);
    assert_int_equal(e[0].actors[0], 0);
    assert_int_equal(e[0].actors[1], 2);
    assert_string_equal(e[0].note, "treaty summit");
    assert_int_equal(e[0].series, -1);
    assert_true(e[0].p_every == SPEC_NO_PARAM && e[0].p_rate == SPEC_NO_PARAM);
    assert_true(e[0].p_duration == SPEC_NO_PARAM);
    assert_true(SCENARIO_NO_PARAM == SPEC_NO_PARAM); /* the older name still works */
    /* Events keep the line of their declaration in the file. */
    fx->text = testutil_slurp(GOOD "minimal.cfg", NULL);
    assert_non_null(fx->text);
    assert_int_equal(e[0].line, line_of(fx->text, "{ type = \"summit\"; at = 1950.12"));
    assert_int_equal(e[3].line, line_of(fx->text, "{ type = \"clash\""));
    assert_string_equal(e[0].file, GOOD "minimal.cfg");
    /* The id is kept, "" when there is none. */
    assert_string_equal(e[0].id, "");
    assert_string_equal(e[1].id, "treaty_1950");

    assert_int_equal(e[1].kind, EV_TREATY);
    assert_int_equal(e[1].commitments, SPEC_C_DEFENCE);
    assert_close(e[1].expires, 1980.3, 0.0);
    assert_string_equal(s->params[e[1].p_magnitude].path, "events.[1].magnitude");
    assert_close(s->params[e[1].p_magnitude].value, 0.05, 0.0); /* treaty default */
    assert_true(isinf(e[0].expires));

    assert_int_equal(e[2].kind, EV_CRISIS);
    assert_int_equal(e[2].timing, TIMING_EVERY);
    assert_string_equal(s->params[e[2].p_every].path, "events.[2].every");
    assert_close(s->params[e[2].p_every].value, 5.0, 0.0);
    assert_close(e[2].from, 1955.0, 0.0);
    assert_close(e[2].until, 1990.0, 0.0);
    assert_close(e[2].jitter_years, 0.5, 0.0);
    assert_close(s->params[e[2].p_magnitude].value, 0.15, 0.0);
    assert_close(s->params[e[2].p_magnitude].lo, 0.0, 0.0); /* >= 0 for every/rate */

    assert_int_equal(e[3].kind, EV_CLASH);
    assert_int_equal(e[3].timing, TIMING_POISSON);
    assert_int_equal(s->params[e[3].p_rate].dist.kind, DIST_UNIFORM);
    assert_close(s->params[e[3].p_rate].value, 0.2, 1e-15);
    assert_close(e[3].from, 1950.0, 0.0);   /* default: start */
    assert_close(e[3].until, 2000.5, 0.0);  /* default: horizon */
    assert_int_equal(e[3].actors[0], 2);    /* order as written: c, a */
    assert_int_equal(e[3].actors[1], 0);
    assert_close(s->params[e[3].p_magnitude].value, 0.3, 0.0);

    assert_int_equal(e[4].kind, EV_ARMS_SALES);
    assert_int_equal(e[4].timing, TIMING_SERIES);
    assert_int_equal(e[4].series, model_spec_find_series(s, "small.b"));
    assert_close(s->params[e[4].p_duration].value, 2.0, 0.0);
    assert_close(s->params[e[4].p_magnitude].value, 0.0005, 0.0);

    assert_int_equal(e[5].kind, EV_REGIME_CHANGE);
    assert_close(e[5].ideology, 0.2, 0.0);
    assert_int_equal(e[6].kind, EV_DOCTRINE);
    assert_int_equal(e[6].active, 1);
    assert_int_equal(e[7].nactors, 3);
    assert_string_equal(s->params[e[7].p_magnitude].path, "events.[7].magnitude");
    assert_close(s->params[e[7].p_magnitude].value, 0.2, 0.0);

    assert_int_equal(s->ntargets, 2);
    assert_int_equal(s->targets[0].kind, TARGET_DOWN);
    assert_int_equal(s->targets[0].a, 0);
    assert_int_equal(s->targets[0].b, 2);
    assert_int_equal(s->targets[0].label, -1);
    assert_close(s->targets[0].year, 1969.2, 0.0);
    assert_close(s->targets[0].after, 1961.0, 0.0);
    assert_int_equal(s->targets[1].kind, TARGET_COMMIT_END);
    assert_int_equal(s->targets[1].commitment, SPEC_C_DEFENCE);
    assert_close(s->targets[1].after, 1950.0, 0.0); /* default: start */

    assert_int_equal(s->outcome_a, 0);
    assert_int_equal(s->outcome_b, 2);
    assert_close(s->alliance_after, 1981.0, 0.0);
}

static void test_defaults_of_an_almost_empty_scenario(void **state)
{
    fixture *fx = *state;
    assert_int_equal(load(fx, GOOD "base.cfg", NULL, 0), AS_OK);
    const model_spec *s = &fx->spec;
    assert_close(s->start, 1949.75, 0.0);
    assert_close(s->horizon, 2030.0, 0.0);
    assert_true(s->seed == 1u);
    assert_int_equal(s->nparams, MP_COUNT + 3 * AP_COUNT);
    assert_int_equal(s->outcome_a, 0); /* the first two actors */
    assert_int_equal(s->outcome_b, 1);
    assert_close(s->alliance_after, 1949.75, 0.0);
    assert_int_equal(s->nevents, 0);
    /* Every setting appears in the resolved text with its default. */
    assert_non_null(strstr(fx->resolved, "\nstart = 1949.75;\n"));
    assert_non_null(strstr(fx->resolved, "\nseed = 1;\n"));
    assert_non_null(strstr(fx->resolved, "  w_threat = 1.08;\n"));
    assert_non_null(strstr(fx->resolved, "  hysteresis = 0.02;\n"));
    assert_non_null(strstr(fx->resolved, "    doctrine_cost = 0.0;\n"));
    assert_non_null(strstr(fx->resolved, "  dyad = \"a-b\";\n"));
    assert_non_null(strstr(fx->resolved, "\nevents = ( );\n"));
    assert_non_null(strstr(fx->resolved, "\noverrides = [ ];\n"));
}

/* ------------------------------------------------------------------ */
/* The resolved text                                                  */
/* ------------------------------------------------------------------ */

/* Asserts that two specs hold the same numbers bit for bit. */
static void assert_same_spec(const model_spec *a, const model_spec *b)
{
    assert_int_equal(a->nparams, b->nparams);
    for (size_t i = 0; i < a->nparams; i++) {
        assert_string_equal(a->params[i].path, b->params[i].path);
        assert_memory_equal(&a->params[i].value, &b->params[i].value, sizeof(double));
        assert_int_equal(a->params[i].dist.kind, b->params[i].dist.kind);
        assert_memory_equal(&a->params[i].dist.a, &b->params[i].dist.a, 4 * sizeof(double));
    }
    assert_int_equal(a->nseries_data, b->nseries_data);
    assert_memory_equal(a->series_data, b->series_data, a->nseries_data * sizeof(double));
    assert_int_equal(a->nevents, b->nevents);
    for (size_t i = 0; i < a->nevents; i++) {
        assert_memory_equal(&a->events[i].at, &b->events[i].at, 3 * sizeof(double));
        assert_int_equal(a->events[i].p_magnitude, b->events[i].p_magnitude);
    }
    assert_true(a->seed == b->seed);
}

static void test_resolved_is_a_fixed_point(void **state)
{
    fixture *fx = *state;
    assert_int_equal(load(fx, GOOD "minimal.cfg", NULL, 0), AS_OK);
    const char *r1 = fx->resolved;
    /* Includes expanded, data inline, no file references left. */
    assert_null(strstr(r1, "@include"));
    assert_null(strstr(r1, "file ="));
    assert_non_null(strstr(r1, "name = \"partnership\";")); /* from ladder4.cfg */
    assert_non_null(strstr(r1, "columns = [ \"year\", \"a\", \"b\", \"c\" ];"));
    assert_non_null(strstr(r1, "( 1946.0, 0.132711, 0.122541, \"NA\" )"));
    assert_non_null(strstr(r1, "start = 1950.0;"));
    assert_non_null(strstr(r1, "    id = \"treaty_1950\";\n")); /* event ids are kept */

    int rc = scenario_load_string(r1, "resolved.cfg", GOOD, NULL, &fx->spec2, &fx->resolved2,
                                  &fx->diags);
    print_diags(&fx->diags);
    assert_int_equal(rc, AS_OK);
    assert_string_equal(fx->resolved2, r1);
    assert_same_spec(&fx->spec, &fx->spec2);
}

static void test_resolved_keeps_every_double(void **state)
{
    fixture *fx = *state;
    /* libconfig 1.5 writes 15 significant digits; the resolved text keeps 17. */
    static const char *const sets[] = {"model.w_triad=0.12345678901234567",
                                       "actors.a.ideology=0.1"};
    assert_int_equal(load(fx, GOOD "base.cfg", sets, 2), AS_OK);
    const spec_param *p = param(&fx->spec, "model.w_triad");
    assert_true(p->value == 0.12345678901234567);
    assert_true(param(&fx->spec, "actors.a.ideology")->value == 0.1);
    assert_non_null(strstr(fx->resolved, "w_triad = 0.12345678901234566;")); /* shortest exact form */
    int rc = scenario_load_string(fx->resolved, "r", NULL, NULL, &fx->spec2, &fx->resolved2,
                                  &fx->diags);
    assert_int_equal(rc, AS_OK);
    assert_string_equal(fx->resolved2, fx->resolved);
    assert_same_spec(&fx->spec, &fx->spec2);
}

static void test_inline_table_loads(void **state)
{
    fixture *fx = *state;
    const char *text = "name = \"inline\";\n"
                       "@include \"ladder4.cfg\"\n"
                       "data = { t = { columns = [\"year\", \"x\"];\n"
                       "  rows = ( (1950, 1.5), (1960.5, \"NA\"), (1970.0, 2) ); }; };\n"
                       "actors = { p = { capability = \"t.x\"; }; q = { capability = \"t.x\"; }; };\n";
    int rc = scenario_load_string(text, "inline.cfg", GOOD, NULL, &fx->spec, &fx->resolved,
                                  &fx->diags);
    print_diags(&fx->diags);
    assert_int_equal(rc, AS_OK);
    int si = model_spec_find_series(&fx->spec, "t.x");
    assert_true(si >= 0);
    assert_close(model_spec_series_at(&fx->spec, si, 1955.0), 1.5, 0.0);
    assert_true(isnan(model_spec_series_at(&fx->spec, si, 1961.0)));
    assert_close(model_spec_series_at(&fx->spec, si, 1999.0), 2.0, 0.0);
    assert_non_null(strstr(fx->resolved, "( 1960.5, \"NA\" )"));
}

/* A jitter bounds the period from below: the `every` parameter's range
 * starts at twice the jitter, so drawn, swept and fitted periods keep the
 * occurrences in order (a normal is truncated there). */
static void test_jitter_bounds_the_period(void **state)
{
    fixture *fx = *state;
    const char *text = "@include \"base.cfg\"\n"
                       "events = ( { type = \"summit\"; actors = [\"a\", \"b\"]; jitter = 0.3;\n"
                       "  every = { dist = \"normal\"; mean = 1.0; sd = 0.5; }; },\n"
                       "  { type = \"summit\"; actors = [\"a\", \"b\"]; every = 2.0; } );\n";
    int rc = scenario_load_string(text, "jitter.cfg", GOOD, NULL, &fx->spec, &fx->resolved, &fx->diags);
    print_diags(&fx->diags);
    assert_int_equal(rc, AS_OK);
    const spec_param *p = &fx->spec.params[fx->spec.events[0].p_every];
    assert_close(p->lo, 0.6, 0.0);
    assert_int_equal(p->dist.kind, DIST_NORMAL);
    assert_close(fx->spec.params[fx->spec.events[1].p_every].lo, 0.0, 0.0);
}

/* A scenario text with n actors a0 .. a(n-1) and, if event, a summit
 * naming all of them (heap). */
static char *many_actors(int n, int event)
{
    size_t cap = 256 + (size_t)n * 96;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t used = (size_t)snprintf(text, cap, "name = \"many\";\n@include \"ladder4.cfg\"\nactors = {\n");
    for (int i = 0; i < n; i++)
        used += (size_t)snprintf(text + used, cap - used, "  a%d = { capability = ( (1940.0, %.3f) ); };\n", i,
                                 0.001 + 0.001 * (i % 7));
    used += (size_t)snprintf(text + used, cap - used, "};\n");
    if (event) {
        used += (size_t)snprintf(text + used, cap - used, "events = ( { type = \"summit\"; at = 1960.0; actors = [");
        for (int i = 0; i < n; i++)
            used += (size_t)snprintf(text + used, cap - used, "%s\"a%d\"", i ? ", " : "", i);
        used += (size_t)snprintf(text + used, cap - used, "]; } );\n");
    }
    assert_true(used < cap);
    return text;
}

/* The world is sized from the scenario: 200 actors and one event naming
 * all of them load, and load again from the resolved text unchanged. */
static void test_two_hundred_actors_and_an_event_naming_all(void **state)
{
    fixture *fx = *state;
    char *text = many_actors(200, 1);
    int rc = scenario_load_string(text, "many.cfg", GOOD, NULL, &fx->spec, &fx->resolved, &fx->diags);
    print_diags(&fx->diags);
    assert_int_equal(rc, AS_OK);
    assert_int_equal(fx->spec.nactors, 200);
    assert_int_equal(fx->spec.nevents, 1);
    assert_int_equal(fx->spec.events[0].nactors, 200);
    assert_string_equal(fx->spec.actors[199].id, "a199");
    assert_int_equal(fx->spec.events[0].actors[199], 199);
    rc = scenario_load_string(fx->resolved, "r", NULL, NULL, &fx->spec2, &fx->resolved2, &fx->diags);
    assert_int_equal(rc, AS_OK);
    assert_string_equal(fx->resolved, fx->resolved2);
    free(text);
}

/* The one limit of the world, on the number of actors, is an error at
 * the `actors` setting. */
static void test_too_many_actors_is_an_error(void **state)
{
    fixture *fx = *state;
    char *text = many_actors(SPEC_MAX_ACTORS + 1, 0);
    int rc = scenario_load_string(text, "many.cfg", GOOD, NULL, &fx->spec, NULL, &fx->diags);
    assert_int_equal(rc, AS_EUSAGE);
    assert_true(find_diag(&fx->diags, "many.cfg:3: error:", "actors: expected 1 to 500 entries, found 501") >= 0);
    free(text);
}

/* ------------------------------------------------------------------ */
/* Overrides                                                          */
/* ------------------------------------------------------------------ */

static void test_set_number_is_applied_and_recorded(void **state)
{
    fixture *fx = *state;
    static const char *const sets[] = {"model.w_threat=3.25", "events.2.magnitude=0.4",
                                       "events[3].magnitude=0.35", "name=\"renamed\""};
    assert_int_equal(load(fx, GOOD "minimal.cfg", sets, 4), AS_OK);
    assert_close(fx->spec.params[MP_W_THREAT].value, 3.25, 0.0);
    assert_close(param(&fx->spec, "events.[2].magnitude")->value, 0.4, 0.0);
    assert_close(param(&fx->spec, "events.[3].magnitude")->value, 0.35, 0.0);
    assert_string_equal(fx->spec.name, "renamed");
    assert_non_null(strstr(fx->resolved,
                           "overrides = [ \"model.w_threat=3.25\", \"events.2.magnitude=0.4\", "
                           "\"events[3].magnitude=0.35\", \"name=\\\"renamed\\\"\" ];"));
    /* Loading the resolved text keeps the record and adds new overrides. */
    static const char *const more[] = {"model.w_border=0.5"};
    scenario_options o = {more, 1, 0, 0, NULL};
    int rc = scenario_load_string(fx->resolved, "r", NULL, &o, &fx->spec2, &fx->resolved2,
                                  &fx->diags);
    assert_int_equal(rc, AS_OK);
    assert_non_null(strstr(fx->resolved2, "\"name=\\\"renamed\\\"\", \"model.w_border=0.5\" ];"));
    assert_close(fx->spec2.params[MP_W_THREAT].value, 3.25, 0.0);
}

static void test_set_distribution_group(void **state)
{
    fixture *fx = *state;
    static const char *const sets[] = {
        "actors.a.autonomy={ dist = \"normal\"; mean = 0.4; sd = 0.1; }",
        "model.w_ideology.max=2.0"}; /* a part of an existing distribution */
    assert_int_equal(load(fx, GOOD "minimal.cfg", sets, 2), AS_OK);
    const spec_param *p = param(&fx->spec, "actors.a.autonomy");
    assert_int_equal(p->dist.kind, DIST_NORMAL);
    assert_close(p->dist.a, 0.4, 0.0);
    assert_close(p->dist.b, 0.1, 0.0);
    assert_close(fx->spec.params[MP_W_IDEOLOGY].dist.b, 2.0, 0.0);
    assert_close(fx->spec.params[MP_W_IDEOLOGY].value, 1.2, 1e-15);
    assert_non_null(strstr(fx->resolved, "autonomy = { dist = \"normal\"; mean = 0.4; sd = 0.1; };"));
}

static void test_set_creates_a_missing_group(void **state)
{
    fixture *fx = *state;
    static const char *const sets[] = {"model.w_border=2.5", "outcome.alliance_after=1990",
                                       "events.[0]={ type = \"summit\"; at = 1960.0; actors = [\"a\", \"c\"]; }"};
    /* base.cfg has no model, outcome or events. */
    assert_int_equal(load(fx, GOOD "base.cfg", sets, 2), AS_OK);
    assert_close(fx->spec.params[MP_W_BORDER].value, 2.5, 0.0);
    assert_close(fx->spec.alliance_after, 1990.0, 0.0);
    model_spec_clear(&fx->spec);
    free(fx->resolved);
    fx->resolved = NULL;
    /* A missing list is not created: the error says to set it whole. */
    assert_int_equal(load(fx, GOOD "base.cfg", sets + 2, 1), AS_EUSAGE);
    assert_true(find_diag(&fx->diags, "--set events.[0]: error:", "set the whole list") >= 0);
}

static void test_set_appends_an_entry(void **state)
{
    fixture *fx = *state;
    static const char *const sets[] = {
        "events.[8]={ type = \"crisis\"; at = 1999.0; actors = [\"b\", \"c\"]; }"};
    assert_int_equal(load(fx, GOOD "minimal.cfg", sets, 1), AS_OK);
    assert_int_equal(fx->spec.nevents, 9);
    assert_int_equal(fx->spec.events[8].kind, EV_CRISIS);
    assert_int_equal(fx->spec.events[8].line, 0); /* from the command line */
    assert_string_equal(fx->spec.events[8].file, "--set events.[8]");
}

static void test_set_unknown_path_is_an_error(void **state)
{
    fixture *fx = *state;
    static const char *const sets[] = {"model.w_thret=1.0"};
    assert_int_equal(load(fx, GOOD "minimal.cfg", sets, 1), AS_EUSAGE);
    long i = find_diag(&fx->diags, "--set model.w_thret: error:", "did you mean 'w_threat'?");
    assert_true(i >= 0);
    assert_non_null(strstr(fx->diags.lines[i], "w_reciprocity")); /* lists the valid keys */
    assert_null(fx->resolved);
    assert_int_equal(fx->spec.nparams, 0); /* left cleared */
    assert_int_equal(fx->spec.nactors, 0);
}

static void test_set_bad_values_are_errors(void **state)
{
    fixture *fx = *state;
    static const char *const sets[] = {
        "model.w_threat=\"high\"",   /* wrong type */
        "model.w_triad=25",          /* out of range */
        "name=unquoted",             /* not a libconfig value */
        "events.[12].magnitude=0.1", /* no such entry */
        "actors.a.capability.[0]=1", /* into a value that is not a group */
        "justapath",                 /* no '=' */
        "overrides=[]"};             /* the loader's own record */
    assert_int_equal(load(fx, GOOD "minimal.cfg", sets, 7), AS_EUSAGE);
    assert_true(find_diag(&fx->diags, "--set model.w_threat: error:", "found \"high\"") >= 0);
    assert_true(find_diag(&fx->diags, "--set model.w_triad: error:", "expected a number in [0, 20]") >= 0);
    assert_true(find_diag(&fx->diags, "--set name: error:", "double quotes") >= 0);
    assert_true(find_diag(&fx->diags, "--set events.[12].magnitude: error:", "has 8 entries") >= 0);
    assert_true(find_diag(&fx->diags, "--set actors.a.capability.[0]: error:", "set it whole") >= 0);
    assert_true(find_diag(&fx->diags, "--set: error:", "expected PATH=VALUE") >= 0);
    assert_true(find_diag(&fx->diags, "--set overrides: error:", "cannot be set") >= 0);
}

/* Issue 14: a runaway timing given through --set is refused by the same
 * budget as in a file, at the --set. */
static void test_set_runaway_timings_are_errors(void **state)
{
    fixture *fx = *state;
    static const char *const rate[] = {"events.[3].rate=1e12"};
    assert_int_equal(load(fx, GOOD "minimal.cfg", rate, 1), AS_EUSAGE);
    assert_true(find_diag(&fx->diags, "--set events.[3].rate: error:",
                          "expected at most max_events = 1000000 kernel events per replication") >= 0);
    scenario_diags_clear(&fx->diags);
    static const char *const drawn[] = {"events.[3].rate={ dist = \"lognormal\"; mu = 30.0; sigma = 1.0; }"};
    assert_int_equal(load(fx, GOOD "minimal.cfg", drawn, 1), AS_EUSAGE);
    assert_true(find_diag(&fx->diags, "--set events.[3].rate: error:", "(its 0.999 quantile)") >= 0);
    scenario_diags_clear(&fx->diags);
    /* Raising max_events lets the same rate through (the run-time limit
     * still bounds each replication). */
    static const char *const raised[] = {"events.[3].rate=1000", "max_events=1000000000"};
    assert_int_equal(load(fx, GOOD "minimal.cfg", raised, 2), AS_OK);
    assert_true(fx->spec.max_events == 1000000000u);
    model_spec_clear(&fx->spec);
    free(fx->resolved);
    fx->resolved = NULL;
    /* A bare integer beyond 32 bits in a --set (as a sweep writes a point's
     * value) is read as 64 bits, not wrapped (it was: 1e12 became
     * -727379968). */
    static const char *const big[] = {"events.[3].rate=1000000000000", "max_events=1000000000000"};
    assert_int_equal(load(fx, GOOD "minimal.cfg", big, 2), AS_EUSAGE);
    assert_true(find_diag(&fx->diags, "--set events.[3].rate: error:", "found about 1.01e+14") >= 0);
    scenario_diags_clear(&fx->diags);
    static const char *const big_ok[] = {"max_events=10000000000"};
    assert_int_equal(load(fx, GOOD "minimal.cfg", big_ok, 1), AS_OK);
    assert_true(fx->spec.max_events == 10000000000u);
}

/* Issue 14: an @include of a fifo is refused with the reason (a fifo would
 * block the loader), and so is a sparse file beyond the size limit; and the
 * sanctions rule takes any number of actors, as docs/SCENARIO.md says
 * ("2 or more"; a limit of 8 once disagreed). */
static void test_fifo_and_huge_includes_and_many_sanctioned_actors(void **state)
{
    fixture *fx = *state;
    char *dir = testutil_mkdtemp();
    char *fifo = testutil_path(dir, "pipe.inc"), *big = testutil_path(dir, "big.inc");
    assert_int_equal(mkfifo(fifo, 0644), 0);
    FILE *f = fopen(big, "w");
    assert_non_null(f);
    assert_int_equal(fseek(f, 2147483647L, SEEK_SET), 0); /* a 2 GB sparse file */
    fputc('\n', f);
    assert_int_equal(fclose(f), 0);
    const char *text = "name = \"x\";\n@include \"pipe.inc\"\n@include \"big.inc\"\n";
    assert_int_equal(scenario_load_string(text, "inc.cfg", dir, NULL, &fx->spec, &fx->resolved, &fx->diags),
                     AS_EUSAGE);
    assert_true(find_diag(&fx->diags, "inc.cfg:2: error:", "is not a regular file (a device, a pipe or a socket)") >=
                0);
    assert_true(find_diag(&fx->diags, "inc.cfg:3: error:", "is larger than 8388608 bytes") >= 0);
    scenario_diags_clear(&fx->diags);
    unlink(fifo);
    unlink(big);
    testutil_rmtree(dir);
    free(fifo);
    free(big);
    free(dir);

    buf b = {0};
    buf_puts(&b, "name = \"many\";\n@include \"tests/data/good/ladder4.cfg\"\nactors = {\n");
    for (int i = 0; i < 12; i++)
        buf_printf(&b, "  s%d = { capability = ( (1940.0, 0.1) ); };\n", i);
    buf_puts(&b, "};\nevents = ( { type = \"sanctions\"; at = 1960.0; actors = [");
    for (int i = 0; i < 12; i++)
        buf_printf(&b, "%s\"s%d\"", i ? ", " : "", i);
    buf_puts(&b, "]; } );\n");
    int rc = scenario_load_string(buf_str(&b), "many.cfg", NULL, NULL, &fx->spec, &fx->resolved, &fx->diags);
    if (rc != AS_OK)
        print_diags(&fx->diags);
    assert_int_equal(rc, AS_OK);
    assert_int_equal(fx->spec.nevents, 1);
    assert_int_equal(fx->spec.events[0].nactors, 12);
    buf_clear(&b);
}

static void test_seed_option(void **state)
{
    fixture *fx = *state;
    scenario_options o = {NULL, 0, 1, 5000000000u, NULL};
    int rc = scenario_load(GOOD "minimal.cfg", &o, &fx->spec, &fx->resolved, &fx->diags);
    assert_int_equal(rc, AS_OK);
    assert_true(fx->spec.seed == 5000000000u);
    /* Above 2^31 the L suffix keeps libconfig 1.5 from wrapping it. */
    assert_non_null(strstr(fx->resolved, "\nseed = 5000000000L;\n"));
    rc = scenario_load_string(fx->resolved, "r", NULL, NULL, &fx->spec2, &fx->resolved2, &fx->diags);
    assert_int_equal(rc, AS_OK);
    assert_true(fx->spec2.seed == 5000000000u);
    assert_string_equal(fx->resolved2, fx->resolved);

    scenario_options big = {NULL, 0, 1, UINT64_MAX, NULL};
    model_spec_clear(&fx->spec);
    rc = scenario_load(GOOD "minimal.cfg", &big, &fx->spec, NULL, &fx->diags);
    assert_int_equal(rc, AS_EUSAGE);
    assert_true(find_diag(&fx->diags, "-s: error:", "expected a seed in [0, 9223372036854775807]") >= 0);
}

/* A lognormal fits any setting whose range starts at 0 or above; its value
 * is its mean, clamped to the range as its draws are by the model. */
static void test_lognormal_on_a_bounded_range(void **state)
{
    fixture *fx = *state;
    static const char *const sets[] = {
        "model.w_triad={ dist = \"lognormal\"; mu = 0.25; sigma = 0.5; }",
        "model.hysteresis={ dist = \"lognormal\"; mu = 0.0; sigma = 1.0; }"};
    assert_int_equal(load(fx, GOOD "base.cfg", sets, 2), AS_OK);
    const spec_param *p = &fx->spec.params[MP_W_TRIAD];
    assert_int_equal(p->dist.kind, DIST_LOGNORMAL);
    assert_close(p->dist.a, 0.25, 0.0);
    assert_close(p->dist.b, 0.5, 0.0);
    assert_close(p->value, exp(0.25 + 0.125), 1e-15);
    assert_close(p->hi, 20.0, 0.0);
    /* Mean e^0.5 = 1.65 lies above hysteresis's range [0, 0.5]: clamped. */
    assert_close(fx->spec.params[MP_HYSTERESIS].value, 0.5, 0.0);
    assert_non_null(strstr(fx->resolved, "w_triad = { dist = \"lognormal\"; mu = 0.25; sigma = 0.5; };"));
}

/* ------------------------------------------------------------------ */
/* Variants                                                           */
/* ------------------------------------------------------------------ */

#define VARIANTS GOOD "variants/"

static void test_variant_merges_its_base(void **state)
{
    fixture *fx = *state;
    assert_int_equal(load(fx, VARIANTS "derived.cfg", NULL, 0), AS_OK);
    const model_spec *s = &fx->spec;
    assert_string_equal(s->name, "variant-derived");
    /* Settings only in the base are kept... */
    assert_close(s->start, 1950.0, 0.0);
    assert_close(s->horizon, 2000.0, 0.0);
    assert_true(s->seed == 7u);
    assert_int_equal(s->nrungs, 4); /* @include "ladder4.cfg", next to the base */
    assert_int_equal(s->nactors, 3);
    int cap = model_spec_find_series(s, "small.a"); /* data/small.tsv, next to the base */
    assert_true(cap >= 0);
    assert_close(model_spec_series_at(s, cap, 1946.0), 0.132711, 0.0);
    assert_int_equal(s->outcome_b, 2);
    /* ...a top-level setting of the derived file replaces the base's whole:
     * the base's w_threat = 2.5 and w_border = 1.5 are gone. */
    assert_close(s->params[MP_W_HOSTILITY].value, 2.0, 0.0);
    assert_close(s->params[MP_W_THREAT].value, 1.08, 0.0);
    assert_close(s->params[MP_W_BORDER].value, 0.34, 0.0);
    /* remove_events: 9 events in the base, sanctions_1970 gone. */
    assert_int_equal(s->nevents, 8);
    assert_false(has_event(s, "sanctions_1970"));
    assert_string_equal(s->events[7].note, "no id");
    /* Events from the base keep the base's file and line. */
    fx->text = testutil_slurp(GOOD "variant_base.cfg", NULL);
    assert_non_null(fx->text);
    const spec_event *e = event_by_id(s, "clash_normal");
    assert_string_equal(e->file, GOOD "variant_base.cfg");
    assert_int_equal(e->line, line_of(fx->text, "{ id = \"clash_normal\""));
    /* The record; no variant key is left. */
    assert_non_null(strstr(fx->resolved, "\nderived_from = [ \"" GOOD "variant_base.cfg\" ];\n"));
    assert_non_null(strstr(fx->resolved, "\nremoved_events = [ \"sanctions_1970\" ];\n"));
    assert_non_null(strstr(fx->resolved, "\nscaled_events = (\n  {\n    id = \"crisis_fixed\";\n"
                                         "    factor = 2.0;\n  },\n"));
    assert_null(strstr(fx->resolved, "base ="));
    assert_null(strstr(fx->resolved, "remove_events"));
    assert_null(strstr(fx->resolved, "scale_events"));
    /* A scenario that is no variant has no record. */
    model_spec_clear(&fx->spec2);
    assert_int_equal(scenario_load(GOOD "variant_base.cfg", NULL, &fx->spec2, &fx->resolved2,
                                   &fx->diags),
                     AS_OK);
    assert_null(strstr(fx->resolved2, "derived_from"));
    assert_null(strstr(fx->resolved2, "scaled_events"));
}

static void test_variant_scales_every_form_of_magnitude(void **state)
{
    fixture *fx = *state;
    assert_int_equal(load(fx, VARIANTS "derived.cfg", NULL, 0), AS_OK);
    const model_spec *s = &fx->spec;
    /* A number: 0.25 * 2. */
    const spec_param *p = magnitude_of(s, "crisis_fixed");
    assert_int_equal(p->dist.kind, DIST_FIXED);
    assert_close(p->value, 0.5, 0.0);
    /* No magnitude: the crisis default 0.2, times 0.5. */
    assert_close(magnitude_of(s, "crisis_default")->value, 0.1, 0.0);
    /* uniform [0.1, 0.3] * 3 = [0.3, 0.9]. */
    p = magnitude_of(s, "clash_uniform");
    assert_int_equal(p->dist.kind, DIST_UNIFORM);
    assert_close(p->dist.a, 0.3, 1e-15);
    assert_close(p->dist.b, 0.9, 1e-15);
    assert_close(p->value, 0.6, 1e-15);
    /* normal (0.2, 0.05) * 2 = (0.4, 0.1). */
    p = magnitude_of(s, "clash_normal");
    assert_int_equal(p->dist.kind, DIST_NORMAL);
    assert_close(p->dist.a, 0.4, 0.0);
    assert_close(p->dist.b, 0.1, 0.0);
    /* beta on [0, 0.4] * 0.5 = on [0, 0.2], shapes kept. */
    p = magnitude_of(s, "opening_beta");
    assert_int_equal(p->dist.kind, DIST_BETA);
    assert_close(p->dist.a, 2.0, 0.0);
    assert_close(p->dist.c, 0.0, 0.0);
    assert_close(p->dist.d, 0.2, 0.0);
    assert_close(p->value, 0.1, 1e-15);
    /* lognormal * 2: mu + log 2, on the [0, 5] range of an `every` event. */
    p = magnitude_of(s, "crisis_lognormal");
    assert_int_equal(p->dist.kind, DIST_LOGNORMAL);
    assert_close(p->dist.a, -2.0 + log(2.0), 1e-15);
    assert_close(p->dist.b, 0.5, 0.0);
    assert_close(p->value, 2.0 * exp(-2.0 + 0.125), 1e-14);
    /* Untouched. */
    assert_close(s->params[s->events[7].p_magnitude].value, 0.1, 0.0);
}

static void test_variant_of_a_variant(void **state)
{
    fixture *fx = *state;
    assert_int_equal(load(fx, VARIANTS "derived2.cfg", NULL, 0), AS_OK);
    const model_spec *s = &fx->spec;
    assert_string_equal(s->name, "variant-derived2");
    assert_int_equal(s->nevents, 7);
    assert_false(has_event(s, "talks"));
    assert_false(has_event(s, "sanctions_1970"));
    assert_close(s->params[MP_W_HOSTILITY].value, 2.0, 0.0); /* derived.cfg's model */
    /* Scaled at both levels: 0.25 * 2 * 1.5; any distribution times 0 is 0. */
    assert_close(magnitude_of(s, "crisis_fixed")->value, 0.75, 0.0);
    const spec_param *p = magnitude_of(s, "clash_normal");
    assert_int_equal(p->dist.kind, DIST_FIXED);
    assert_close(p->value, 0.0, 0.0);
    /* Records list the deepest level first, in the order applied. */
    assert_non_null(strstr(fx->resolved, "\nderived_from = [ \"" GOOD "variant_base.cfg\", \""
                                         VARIANTS "derived.cfg\" ];\n"));
    assert_non_null(strstr(fx->resolved, "\nremoved_events = [ \"sanctions_1970\", \"talks\" ];\n"));
    assert_non_null(strstr(fx->resolved, "    id = \"crisis_fixed\";\n    factor = 1.5;\n"));
    assert_non_null(strstr(fx->resolved, "    id = \"clash_normal\";\n    factor = 0.0;\n  }\n);\n"));
    assert_string_equal(event_by_id(s, "crisis_fixed")->file, GOOD "variant_base.cfg");
}

static void test_variant_resolved_is_a_fixed_point(void **state)
{
    fixture *fx = *state;
    assert_int_equal(load(fx, VARIANTS "derived2.cfg", NULL, 0), AS_OK);
    /* The records are accepted and kept, and nothing is applied twice. */
    int rc = scenario_load_string(fx->resolved, "resolved.cfg", NULL, NULL, &fx->spec2,
                                  &fx->resolved2, &fx->diags);
    print_diags(&fx->diags);
    assert_int_equal(rc, AS_OK);
    assert_string_equal(fx->resolved2, fx->resolved);
    assert_same_spec(&fx->spec, &fx->spec2);
}

static void test_set_applies_after_the_merge(void **state)
{
    fixture *fx = *state;
    static const char *const sets[] = {"model.w_threat=3.5", "events.[0].magnitude=0.05"};
    assert_int_equal(load(fx, VARIANTS "derived.cfg", sets, 2), AS_OK);
    assert_close(fx->spec.params[MP_W_THREAT].value, 3.5, 0.0);
    assert_close(fx->spec.params[MP_W_HOSTILITY].value, 2.0, 0.0); /* the rest of model kept */
    /* events.[0] of the merged list is the base's first event. */
    assert_string_equal(fx->spec.events[0].id, "talks");
    assert_close(param(&fx->spec, "events.[0].magnitude")->value, 0.05, 0.0);
    model_spec_clear(&fx->spec);
    free(fx->resolved);
    fx->resolved = NULL;
    /* The variant keys are resolved before overrides: --set cannot set them. */
    static const char *const bad[] = {"base=\"x.cfg\"", "remove_events=[\"talks\"]",
                                      "derived_from=[]"};
    assert_int_equal(load(fx, VARIANTS "derived.cfg", bad, 3), AS_EUSAGE);
    assert_true(find_diag(&fx->diags, "--set base: error:", "cannot be set with --set") >= 0);
    assert_true(find_diag(&fx->diags, "--set remove_events: error:", "cannot be set with --set") >= 0);
    assert_true(find_diag(&fx->diags, "--set derived_from: error:", "written by the loader") >= 0);
}

/* An error made by a scale factor is reported at the scale_events entry. */
static void test_scaled_value_errors_name_the_entry(void **state)
{
    fixture *fx = *state;
    const char *text = "base = \"variant_base.cfg\";\n"
                       "name = \"too-big\";\n"
                       "scale_events = (\n"
                       "  { id = \"crisis_fixed\"; factor = 40.0; }\n"
                       ");\n";
    int rc = scenario_load_string(text, "scaled.cfg", GOOD, NULL, &fx->spec, &fx->resolved,
                                  &fx->diags);
    assert_int_equal(rc, AS_EUSAGE);
    assert_true(find_diag(&fx->diags, "scaled.cfg:4: error: events.[1].magnitude:",
                          "expected a number in [0, 5]") >= 0);
}

/* The counterfactuals of scenarios/counterfactual/ against the historical
 * scenario they derive from. */
static void test_counterfactual_scenarios(void **state)
{
    fixture *fx = *state;
    static const struct {
        const char *file, *removed, *scaled;
    } cases[] = {
        {"no_2014_sanctions.cfg", "sanctions_2014", NULL},
        {"no_joint_fleet.cfg", "joint_fleet_1958", NULL},
        {"no_1997_force_reductions.cfg", "moscow_agreement_1997", NULL},
        {"no_independent_policy.cfg", "independent_policy_1982", NULL},
        {"doubled_taiwan_arms.cfg", NULL, "arms_to_taiwan"},
    };
    assert_int_equal(scenario_load("scenarios/historical.cfg", NULL, &fx->spec3, NULL, &fx->diags),
                     AS_OK);
    const model_spec *h = &fx->spec3;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "scenarios/counterfactual/%s", cases[i].file);
        print_message("%s\n", path);
        assert_int_equal(load(fx, path, NULL, 0), AS_OK);
        const model_spec *s = &fx->spec;
        assert_int_equal(s->nactors, h->nactors);
        assert_non_null(strstr(fx->resolved, "\nderived_from = [ \"scenarios/historical.cfg\" ];\n"));
        if (cases[i].removed) {
            assert_true(has_event(h, cases[i].removed));
            assert_false(has_event(s, cases[i].removed));
            assert_int_equal(s->nevents, h->nevents - 1);
        } else {
            assert_int_equal(s->nevents, h->nevents);
            double before = magnitude_of(h, cases[i].scaled)->value;
            assert_true(before > 0.0);
            assert_close(magnitude_of(s, cases[i].scaled)->value, 2.0 * before, 0.0);
        }
        /* Events keep the historical file and line. */
        assert_string_equal(s->events[0].file, "scenarios/historical.cfg");
        assert_int_equal(s->events[0].line, h->events[0].line);
        int rc = scenario_load_string(fx->resolved, "resolved.cfg", NULL, NULL, &fx->spec2,
                                      &fx->resolved2, &fx->diags);
        print_diags(&fx->diags);
        assert_int_equal(rc, AS_OK);
        assert_string_equal(fx->resolved2, fx->resolved);
        assert_same_spec(&fx->spec, &fx->spec2);
        model_spec_clear(&fx->spec);
        model_spec_clear(&fx->spec2);
        free(fx->resolved);
        free(fx->resolved2);
        fx->resolved = fx->resolved2 = NULL;
    }
}

/* ------------------------------------------------------------------ */
/* Bad files                                                          */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *file;   /* under tests/data/bad/ */
    const char *where;  /* file named in the diagnostic, NULL: the same */
    int line;           /* 0: no line ("FILE: error:") */
    const char *needle;
} bad_case;

static const bad_case bad_cases[] = {
    {"syntax.cfg", NULL, 3, "syntax error"},
    {"missing_include.cfg", NULL, 3, "cannot open include file 'no_such_file.cfg'"},
    /* Issue 14: the cycle is named before libconfig's depth limit. */
    {"self_include.cfg", NULL, 2,
     "cannot include 'self_include.cfg': 'tests/data/bad/self_include.cfg' is already being included (an "
     "@include cycle)"},
    {"duplicate_actor.cfg", NULL, 6, "duplicate setting name"},
    {"nan.cfg", NULL, 3, "syntax error"},
    {"binary.cfg", NULL, 2, "NUL byte"},
    {"binary_noise.cfg", NULL, 2, "syntax error"},
    {"empty.cfg", NULL, 0, "missing required setting 'name'"},
    {"empty.cfg", NULL, 0, "missing required setting 'ladder'"},
    {"empty.cfg", NULL, 0, "missing required setting 'actors'"},
    {"unknown_key.cfg", NULL, 3, "unknown setting 'horizen'; did you mean 'horizon'?"},
    {"unknown_model_key.cfg", NULL, 4, "unknown setting 'w_thret'; did you mean 'w_threat'?"},
    {"wrong_type.cfg", NULL, 3, "start: expected a number in [1000, 3000], found \"1950\""},
    {"out_of_range.cfg", NULL, 4, "expected a number in [0, 20] or a distribution group"},
    {"non_finite.cfg", NULL, 3, "expected a finite number in [0, 20]"},
    {"negative_rate.cfg", NULL, 4, "events.[0].rate: expected a number in [0, inf)"},
    {"unknown_actor.cfg", NULL, 5, "unknown actor 'd' (valid actors: a, b, c)"},
    {"self_dyad.cfg", NULL, 4, "expected two distinct actors"},
    {"dyad_twice.cfg", NULL, 5, "dyad \"a-b\" is listed twice"},
    {"dates_out_of_order.cfg", NULL, 5, "dates out of order"},
    {"expires_before_at.cfg", NULL, 5, "dates out of order: expected expires after at 1960"},
    {"term_without_expires.cfg", NULL, 5, "expected `expires` with `term_years`"},
    {"horizon_before_start.cfg", NULL, 4, "expected horizon after start"},
    {"date_outside.cfg", NULL, 4, "expected a year in [1949.75, 2030], found 2040.5"},
    {"unknown_event_type.cfg", NULL, 4, "unknown event type \"sumit\"; did you mean 'summit'?"},
    {"wrong_actor_count.cfg", NULL, 4, "clash events need exactly 2 actors, found 3"},
    {"kind_key.cfg", NULL, 5, "'expires' is only valid for treaty events"},
    {"two_timings.cfg", NULL, 4, "expected exactly one timing"},
    {"no_ideology.cfg", NULL, 4, "missing required setting 'ideology'"},
    {"treaty_no_commitments.cfg", NULL, 4, "expected at least one commitment"},
    {"ladder_not_ascending.cfg", NULL, 7, "labels must increase strictly"},
    {"ladder_xmin.cfg", NULL, 7, "thresholds must increase strictly"},
    {"ladder_missing_xmin.cfg", NULL, 6, "missing required setting 'x_min'"},
    {"ladder_one_rung.cfg", NULL, 4, "ladder: expected at least 2 entries, found 1"},
    {"target_label.cfg", NULL, 4, "expected a label of the ladder (-1, 0, 1, 2), found 5"},
    {"target_kind_key.cfg", NULL, 5, "'label' is only valid for up, down, stays_below targets"},
    {"bad_name.cfg", NULL, 4, "name: expected one or more letters, digits"},
    {"unknown_series.cfg", NULL, 6, "unknown series \"small.d\"; did you mean 'small.a'?"},
    {"data_missing_file.cfg", NULL, 4, "cannot read data file 'tests/data/bad/data/no_such.tsv'"},
    {"data_ragged.cfg", "data/ragged.tsv", 3, "expected 3 cells, found 2"},
    {"data_non_numeric.cfg", "data/non_numeric.tsv", 4, "column 'x': expected a finite number or NA, found 'abc'"},
    {"data_years.cfg", "data/years.tsv", 4, "years must increase strictly"},
    {"data_both_forms.cfg", NULL, 4, "expected either `file` or `columns` and `rows`"},
    /* The posterior (claim2; the cases are checked in detail by tests/test_posterior.c). */
    {"posterior_unknown_path.cfg", NULL, 4, "column 'model.w_thraet': expected a parameter path"},
    {"posterior_per_occurrence.cfg", "posterior/per_occurrence.tsv", 1, "drawn afresh at every occurrence"},
    {"posterior_weights_sum.cfg", "posterior/weights_sum.tsv", 2, "expected weights summing to 1"},
    {"posterior_negative_weight.cfg", "posterior/negative_weight.tsv", 3, "expected a weight >= 0, found -0.5"},
    {"posterior_out_of_range.cfg", "posterior/out_of_range.tsv", 3, "expected a value in [0, 0.5]"},
    {"posterior_empty.cfg", NULL, 3, "expected at least one particle, found an empty table"},
    {"posterior_ragged.cfg", "posterior/ragged.tsv", 3, "expected 4 cells, found 3"},
    {"posterior_ids.cfg", "posterior/ids.tsv", 3, "expected ids increasing strictly"},
    {"posterior_missing.cfg", NULL, 3, "cannot read posterior table"},
    {"posterior_both_forms.cfg", NULL, 3, "expected either `table` or `columns` and `rows`, found both"},
    {"posterior_inline_text.cfg", NULL, 7, "column 'model.w_threat': expected a finite number"},
    {"dist_support.cfg", NULL, 5, "expected a value in [0, 20] (the range of model.w_threat), found -1"},
    {"dist_unknown.cfg", NULL, 3, "unknown distribution \"nromal\"; did you mean 'normal'?"},
    {"dist_key.cfg", NULL, 3, "'min' is only valid for uniform, beta distributions"},
    {"dist_lognormal.cfg", NULL, 3, "a lognormal draws from (0, inf), so it needs a setting whose "
                                    "range starts at 0 or above, not the range [-1, 1]"},
    {"commitment_unknown.cfg", NULL, 4, "unknown commitment \"defense\"; did you mean 'defence'?"},
    {"error_in_include.cfg", "part_out_of_range.inc", 3, "model.gate_security: expected a number in [0, 100]"},
    {"event_id_twice.cfg", NULL, 5, "event id \"meeting\" is used twice (also events.[0])"},
    {"base_missing.cfg", NULL, 3, "base: cannot read base scenario 'no_such_base.cfg' (looked for "
                                  "'tests/data/bad/no_such_base.cfg'"},
    {"base_cycle.cfg", "base_cycle_b.cfg", 2,
     "base scenario cycle: tests/data/bad/base_cycle.cfg -> tests/data/bad/base_cycle_b.cfg -> "
     "tests/data/bad/base_cycle.cfg"},
    {"base_cycle_b.cfg", "base_cycle.cfg", 2,
     "base scenario cycle: tests/data/bad/base_cycle_b.cfg -> tests/data/bad/base_cycle.cfg -> "
     "tests/data/bad/base_cycle_b.cfg"},
    {"base_no_name.cfg", NULL, 2, "a scenario with a base must set its own `name`"},
    {"remove_unknown_id.cfg", NULL, 4,
     "remove_events.[1]: no event has the id \"sanctions_1971\"; did you mean 'sanctions_1970'? "
     "(valid ids: crisis_fixed, crisis_default,"},
    {"remove_without_base.cfg", NULL, 3, "remove_events: needs a base scenario"},
    {"scale_factor_range.cfg", NULL, 5, "scale_events.[0].factor: expected a number in [0, 100], "
                                        "found 200"},
    {"scale_summit.cfg", NULL, 4,
     "event \"talks\" is a summit without a magnitude: summit magnitude comes from "
     "model.summit_warmth; set it explicitly to scale it"},
    /* The infer group (alignsim infer). */
    {"infer_unknown_path.cfg", NULL, 4,
     "infer.priors.[0].path: unknown parameter \"model.w_thret\"; near matches: model.w_threat"},
    {"infer_prior_twice.cfg", NULL, 5, "infer.priors.[1].path: parameter \"model.w_threat\" has a prior twice"},
    {"infer_value_and_dist.cfg", NULL, 4,
     "infer.priors.[0].value: expected either `value` (a point mass) or `dist` (a distribution), found both"},
    {"infer_no_prior.cfg", NULL, 4, "infer.priors.[0]: expected `value` (a point mass) or `dist`"},
    {"infer_shape_without_dist.cfg", NULL, 4, "infer.priors.[0].sd: 'sd' needs `dist`"},
    {"infer_dist_outside.cfg", NULL, 4,
     "infer.priors.[0].min: expected a value in [0, 20] (the range of model.w_threat), found -1"},
    {"infer_kernel.cfg", NULL, 3, "infer.kernel: unknown kernel \"olmc\"; did you mean 'olcm'?"},
    {"infer_scales_count.cfg", NULL, 3, "infer.scales: expected one scale per target (0), found 9"},
    {"infer_no_priors.cfg", NULL, 3, "infer: missing required setting 'priors'"},
    {"infer_particles.cfg", NULL, 3, "infer.particles: expected an integer in [2, 10000000], found 1"},
    {"infer_unknown_key.cfg", NULL, 3, "infer.particels: unknown setting 'particels'; did you mean 'particles'?"},
    {"base_error.cfg", "part_base_error.inc", 4, "model.w_thret: unknown setting 'w_thret'"},
    {"base_syntax.cfg", "part_base_syntax.inc", 3, "syntax error"},
    {"base_include_error.cfg", "base/part_model.inc", 3,
     "model.w_triad: expected a number in [0, 20]"},
    /* Hardening (issue 7): what a hand-edited or wrong file can hold. */
    {"every_zero.cfg", NULL, 4, "events.[0].every: expected a number in (0, inf)"},
    {"rate_dist_negative.cfg", NULL, 5,
     "events.[0].rate.min: expected a value in [0, inf) (the range of events.[0].rate), found -1"},
    {"jitter_negative.cfg", NULL, 4, "events.[0].jitter: expected a number in [0, 100], found -0.5"},
    {"jitter_half_period.cfg", NULL, 4,
     "events.[0].jitter: expected a jitter below half the period (so that occurrences keep their order), "
     "found jitter 0.5 and every 1"},
    {"jitter_drawn_period.cfg", NULL, 4, "found jitter 0.3 and every's min 0.5"},
    {"force_reduction_over_one.cfg", NULL, 4, "events.[0].magnitude: expected a number in [0, 1]"},
    {"expires_recurring.cfg", NULL, 5, "'expires' is only valid with at timing, not with every"},
    {"clash_negative.cfg", NULL, 4, "events.[0].magnitude: expected a number in [0, 5]"},
    {"non_finite_negative.cfg", NULL, 3, "start: expected a finite number in [1000, 3000], found -inf"},
    {"non_finite_sd.cfg", NULL, 3, "model.w_threat.sd: expected a finite number in (0, inf), found inf"},
    {"dist_sd_zero.cfg", NULL, 3, "model.hysteresis.sd: expected a number in (0, inf), found 0"},
    {"event_self_dyad.cfg", NULL, 4, "events.[0].actors.[1]: actor 'a' is named twice"},
    {"actor_twice_in_event.cfg", NULL, 4, "events.[0].actors.[2]: actor 'a' is named twice"},
    {"outcome_self_dyad.cfg", NULL, 3,
     "outcome.dyad: expected two distinct actors, found the dyad \"b-b\" of 'b' with itself"},
    {"target_unknown_actor.cfg", NULL, 4,
     "targets.[0].dyad: unknown actor 'z' in the dyad (valid actors: a, b, c)"},
    {"initial_unknown_actor.cfg", NULL, 4, "initial.[0].dyad: unknown actor 'q' in the dyad"},
    {"dyad_no_dash.cfg", NULL, 4, "expected a dyad \"a-b\" of two actor ids, found \"ab\""},
    {"initial_x_range.cfg", NULL, 4, "initial.[0].x: expected a number in [-1, 1]"},
    {"before_start.cfg", NULL, 4, "events.[0].at: expected a year in [1949.75, 2030], found 1900"},
    {"until_outside.cfg", NULL, 4, "events.[0].until: expected a year in [1949.75, 2030], found 2100"},
    {"target_after_horizon.cfg", NULL, 4,
     "targets.[0].year: expected a year in [1949.75, 2030], found 2100"},
    {"seed_negative.cfg", NULL, 3, "seed: expected an integer in [0, 9223372036854775807], found -5"},
    {"seed_float.cfg", NULL, 3, "seed: expected an integer in [0, 9223372036854775807], found 12.5"},
    {"label_float.cfg", NULL, 5, "ladder.[1].label: expected an integer in [-1000, 1000], found 1.5"},
    {"string_for_number.cfg", NULL, 4, "events.[0].magnitude: expected a number in [0, 5]"},
    {"actors_wrong_type.cfg", NULL, 4, "actors: expected a group { ... }, found an array [ ]"},
    {"events_wrong_type.cfg", NULL, 3, "events: expected a list of groups"},
    {"actors_empty.cfg", NULL, 4, "actors: expected 1 to 500 entries, found 0"},
    {"actor_id_dash.cfg", NULL, 5, "actors.a-b: expected an actor id of a lower-case letter"},
    {"capability_negative.cfg", NULL, 5,
     "actors.a.capability.[0].[1]: expected a number in [0, inf), found -0.2"},
    {"capability_unsorted.cfg", NULL, 5, "years must increase strictly"},
    {"long_name.cfg", NULL, 2, "name: expected at most 79 characters, found 100"},
    {"empty_name.cfg", NULL, 2, "name: expected one or more letters, digits"},
    {"event_key_near_miss.cfg", NULL, 4,
     "events.[0].magnitud: unknown setting 'magnitud'; did you mean 'magnitude'?"},
    {"top_key_near_miss.cfg", NULL, 3, "evnts: unknown setting 'evnts'; did you mean 'events'?"},
    {"duplicate_model_key.cfg", NULL, 5, "duplicate setting name"},
    {"comments_only.cfg", NULL, 0, "missing required setting 'name'"},
    {"unterminated_string.cfg", NULL, 4, "syntax error"},
    {"unterminated_group.cfg", NULL, 4, "syntax error"},
    {"utf8_bom.cfg", NULL, 1, "syntax error"},
    /* libconfig 1.5 leaks the string here (64 bytes): tests/valgrind.supp. */
    {"quoted_key.cfg", NULL, 2, "syntax error"},
    {"empty_string_as_name.cfg", NULL, 3, "syntax error"}, /* found by the fuzzer */
    {"include_directory.cfg", NULL, 2,
     "cannot include 'base': 'tests/data/bad/base' is a folder, not a file"},
    {"include_backslash.cfg", NULL, 2,
     "cannot include '..\\good\\base.cfg': expected a path with '/' between folders, found a "
     "backslash"},
    {"include_device.cfg", NULL, 3,
     "cannot include 'dev_zero': 'tests/data/bad/dev_zero' is not a regular file"},
    {"data_device.cfg", NULL, 4,
     "data.t.file: cannot read data file 'tests/data/bad/dev_zero': not a regular file"},
    {"data_directory.cfg", NULL, 4,
     "data.t.file: cannot read data file 'tests/data/bad/data': Is a directory"},
    {"base_include_directory.cfg", "base/part_include_dir.inc", 2,
     "cannot include '.': 'tests/data/bad/base' is a folder, not a file"},
    {"base_directory.cfg", NULL, 2,
     "base: cannot read base scenario 'tests/data/bad/base': Is a directory"},
    {"deep_nesting.cfg", NULL, 2, "groups, lists and arrays nested more than 100 deep"},
    {"deep_list.cfg", NULL, 2, "groups, lists and arrays nested more than 100 deep"},
    {"too_many_settings.cfg", NULL, 1002, "more than 1000 settings in one group"},
    /* Issue 14: runaway scenarios are refused by the expected-event budget
     * (sim/scenario/check_budget.c) or the range of the dates. */
    {"every_tiny.cfg", NULL, 4,
     "events.[0].every: expected at most max_events = 1000000 kernel events per replication, found about "
     "1.61e+11 (most from every 1e-09 years (its value))"},
    {"every_micro.cfg", NULL, 4,
     "events.[0].every: expected at most max_events = 1000000 kernel events per replication, found about "
     "1.61e+08"},
    {"every_denormal.cfg", NULL, 4,
     "events.[0].every: expected at most max_events = 1000000 kernel events per replication, found about inf"},
    {"rate_huge.cfg", NULL, 4,
     "events.[0].rate: expected at most max_events = 1000000 kernel events per replication, found about "
     "1.61e+14 (most from rate 1e+12 per year (its value))"},
    {"every_lognormal_tiny.cfg", NULL, 5,
     "events.[0].every: expected at most max_events = 1000000 kernel events per replication, found about "
     "1.83e+25 (most from every 8.77e-24 years (its 0.001 quantile))"},
    {"rate_lognormal_huge.cfg", NULL, 5,
     "events.[0].rate: expected at most max_events = 1000000 kernel events per replication, found about "
     "3.77e+16 (most from rate 2.35e+14 per year (its 0.999 quantile))"},
    {"review_budget.cfg", NULL, 6,
     "model.review_every_years: expected at most max_events = 1000 kernel events per replication, found "
     "about 5.2e+04 (most from reviews every 0.02 years over 1000 years)"},
    {"horizon_huge.cfg", NULL, 3, "horizon: expected a number in [1000, 3000], found 1e+308"},
    {"horizon_billion.cfg", NULL, 3, "horizon: expected a number in [1000, 3000], found 1000000000"},
    {"start_huge_negative.cfg", NULL, 3, "start: expected a number in [1000, 3000], found -1e+308"},
    {"max_events_tiny.cfg", NULL, 3, "max_events: expected an integer in [1000, 1000000000000], found 10"},
    /* Issue 14: the quieter defects. */
    {"include_cycle.cfg", "part_cycle_b.inc", 2,
     "cannot include 'part_cycle_a.inc': 'tests/data/bad/part_cycle_a.inc' is already being included (an "
     "@include cycle)"},
    {"seed_huge.cfg", NULL, 3,
     "expected an integer of at most 9223372036854775807, found 99999999999999999999999 (beyond 64 bits"},
    {"jitter_huge.cfg", NULL, 4, "events.[0].jitter: expected a number in [0, 100], found 1e+300"},
    {"int_without_l_suffix.cfg", NULL, 4,
     "expected the L suffix on an integer above 2147483647, found 10000000000: write 10000000000L"},
    {"orders_no_targets.cfg", NULL, 6,
     "calibrate.orders.[0]: an order compares two targets, but the scenario has 0; add `targets`"},
};

static void test_bad_files_are_rejected_with_file_and_line(void **state)
{
    fixture *fx = *state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        char path[256], prefix[300];
        snprintf(path, sizeof path, BAD "%s", c->file);
        const char *where = c->where ? c->where : c->file;
        if (c->line > 0)
            snprintf(prefix, sizeof prefix, BAD "%s:%d: error:", where, c->line);
        else
            snprintf(prefix, sizeof prefix, BAD "%s: error:", where);

        static char sentinel[] = "not touched";
        char *resolved = sentinel;
        int rc = scenario_load(path, NULL, &fx->spec, &resolved, &fx->diags);
        if (rc != AS_EUSAGE || find_diag(&fx->diags, prefix, c->needle) < 0) {
            print_message("%s: rc %d; wanted a line starting '%s' with '%s'\n", c->file, rc,
                          prefix, c->needle);
            print_diags(&fx->diags);
            fail();
        }
        assert_true(resolved == NULL);
        assert_int_equal(fx->spec.nparams, 0);
        scenario_diags_clear(&fx->diags);
    }
}

static void test_all_errors_of_a_file_are_reported(void **state)
{
    fixture *fx = *state;
    assert_int_equal(scenario_load(BAD "three_errors.cfg", NULL, &fx->spec, NULL, &fx->diags),
                     AS_EUSAGE);
    assert_int_equal(fx->diags.n, 3);
    assert_true(find_diag(&fx->diags, BAD "three_errors.cfg:4: error:", "w_border") >= 0);
    assert_true(find_diag(&fx->diags, BAD "three_errors.cfg:6: error:", "seed") >= 0);
    assert_true(find_diag(&fx->diags, BAD "three_errors.cfg:9: error:", "unknown actor 'zz'") >= 0);
}

static void test_unreadable_files_are_io_errors(void **state)
{
    fixture *fx = *state;
    assert_int_equal(scenario_load("tests/data/good", NULL, &fx->spec, &fx->resolved, &fx->diags),
                     AS_EIO);
    assert_true(find_diag(&fx->diags, "tests/data/good: error:", "Is a directory") >= 0);
    assert_int_equal(scenario_load(BAD "does_not_exist.cfg", NULL, &fx->spec, &fx->resolved,
                                   &fx->diags),
                     AS_EIO);
    assert_true(find_diag(&fx->diags, BAD "does_not_exist.cfg: error:", "No such file or directory") >= 0);
    assert_null(fx->resolved);
    /* diags may be NULL: the errors are then dropped. */
    assert_int_equal(scenario_load(BAD "syntax.cfg", NULL, NULL, NULL, NULL), AS_EUSAGE);
}

static void test_every_bad_file_has_a_case(void **state)
{
    (void)state;
    /* At least 60 distinct bad files are exercised (issue 7). */
    size_t distinct = 0;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        int seen = 0;
        for (size_t j = 0; j < i; j++)
            seen |= strcmp(bad_cases[i].file, bad_cases[j].file) == 0;
        distinct += !seen;
        char path[256];
        snprintf(path, sizeof path, BAD "%s", bad_cases[i].file);
        assert_true(testutil_exists(path));
    }
    print_message("%zu distinct bad scenario files\n", distinct);
    assert_true(distinct >= 60);

    /* And every bad .cfg file has its case: a file added without one would
     * test nothing.  three_errors.cfg has a test of its own. */
    DIR *d = opendir(BAD);
    assert_non_null(d);
    size_t missing = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".cfg") != 0 || strcmp(e->d_name, "three_errors.cfg") == 0)
            continue;
        int found = 0;
        for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0] && !found; i++)
            found = strcmp(bad_cases[i].file, e->d_name) == 0;
        if (!found) {
            print_error("tests/data/bad/%s has no case in bad_cases\n", e->d_name);
            missing++;
        }
    }
    closedir(d);
    assert_int_equal(missing, 0);
}

/* ------------------------------------------------------------------ */
/* Reference                                                          */
/* ------------------------------------------------------------------ */

static void test_docs_are_in_step_with_the_table(void **state)
{
    fixture *fx = *state;
    char *ref = scenario_reference();
    assert_non_null(ref);
    fx->text = testutil_slurp("docs/SCENARIO.md", NULL);
    int ok = fx->text && strstr(fx->text, ref);
    if (!ok) {
        FILE *f = fopen("build/SCENARIO.generated.md", "w");
        if (f) {
            fputs(ref, f);
            fclose(f);
        }
        print_message("docs/SCENARIO.md does not contain the generated reference; the text "
                      "it should contain is in build/SCENARIO.generated.md\n");
    }
    /* Every model key appears in the reference. */
    int has = strstr(ref, "| `reversal_min_years` | number or distribution | [0, 50] | 1 |") != NULL;
    free(ref);
    assert_true(ok);
    assert_true(has);
}

/*
 * Checks the row of parameter key d in the markdown text doc: a table row
 * "| `NAME` | SYMBOL | DEFAULT | RANGE | ..." whose default reads back as
 * d->def and whose range is "[lo, hi]" with "(" or ")" at open ends.
 * Returns the number of problems (printed).
 */
static int check_doc_row(const char *doc, const setting_def *d)
{
    char head[80];
    snprintf(head, sizeof head, "\n| `%s` | ", d->name);
    const char *row = strstr(doc, head);
    if (!row) {
        print_error("docs/MODEL.md: no parameter row for %s\n", d->name);
        return 1;
    }
    if (strstr(row + 1, head)) {
        print_error("docs/MODEL.md: two parameter rows for %s\n", d->name);
        return 1;
    }
    /* The cells after the name: symbol, default, range. */
    char cells[3][64];
    const char *p = row + strlen(head);
    for (int c = 0; c < 3; c++) {
        const char *bar = strstr(p, " | ");
        if (!bar || (size_t)(bar - p) >= sizeof cells[c]) {
            print_error("docs/MODEL.md: the row of %s is not | name | symbol | default | range |\n",
                        d->name);
            return 1;
        }
        snprintf(cells[c], sizeof cells[c], "%.*s", (int)(bar - p), p);
        p = bar + 3;
    }
    int bad = 0;
    double def;
    if (num_parse_double(cells[1], &def) != 0 || def != d->def) {
        print_error("docs/MODEL.md: %s: default %s, the settings table says %.17g\n", d->name, cells[1],
                    d->def);
        bad++;
    }
    char lo[32], hi[32], range[80];
    num_format_double(lo, sizeof lo, d->lo);
    num_format_double(hi, sizeof hi, d->hi);
    snprintf(range, sizeof range, "%s%s, %s%s", (d->flags & SF_LO_OPEN) ? "(" : "[", lo, hi,
             (d->flags & SF_HI_OPEN) ? ")" : "]");
    if (strcmp(cells[2], range) != 0) {
        print_error("docs/MODEL.md: %s: range %s, the settings table says %s\n", d->name, cells[2], range);
        bad++;
    }
    return bad;
}

/* Every group of the settings table is complete (a key the designated
 * initialisers missed has no name), its names are distinct, and every key
 * bound to a field has a type that field can hold. */
static void test_settings_table_is_consistent(void **state)
{
    (void)state;
    int bad = 0;
    for (int g = 0; g < SG_COUNT; g++) {
        const setting_group *sg = settings_group((setting_group_id)g);
        assert_non_null(sg);
        assert_true(sg->nkeys > 0);
        for (size_t k = 0; k < sg->nkeys; k++) {
            const setting_def *d = &sg->keys[k];
            if (!d->name || !d->doc) {
                print_error("group %s: key %zu has no name or doc\n", sg->path, k);
                bad++;
                continue;
            }
            for (size_t j = 0; j < k; j++)
                if (sg->keys[j].name && strcmp(sg->keys[j].name, d->name) == 0) {
                    print_error("group %s: key '%s' twice\n", sg->path, d->name);
                    bad++;
                }
            int ok = 1;
            switch (d->field) {
            case FIELD_NONE:
                break;
            case FIELD_DOUBLE:
                ok = d->type == ST_FLOAT || d->type == ST_DATE;
                break;
            case FIELD_INT:
                ok = d->type == ST_INT || d->type == ST_BOOL;
                break;
            case FIELD_UNSIGNED:
            case FIELD_SIZE:
            case FIELD_U64:
                ok = (d->type == ST_INT || d->type == ST_INT64) && d->lo >= 0.0;
                break;
            case FIELD_TEXT:
                ok = d->type == ST_STRING && d->size > 0 && d->maxlen == d->size - 1;
                break;
            case FIELD_COMMITMENTS:
                ok = d->type == ST_STRINGS && d->pattern == PAT_COMMITMENT;
                break;
            }
            if (!ok) {
                print_error("group %s: key '%s' is bound to a field its type does not fit\n", sg->path,
                            d->name);
                bad++;
            }
        }
    }
    /* Keys are found where the code looks for them. */
    assert_string_equal(settings_key(SG_EVENT, EVK_JITTER)->name, "jitter");
    assert_string_equal(settings_key(SG_MODEL, MP_W_TRIAD)->name, "w_triad");
    assert_string_equal(settings_key(SG_SWEEP_SENS, SWS_CONFIDENCE)->name, "confidence");
    assert_int_equal(bad, 0);
}

/* docs/MODEL.md's parameter tables (section 3.6) list every model and
 * actor parameter of the settings table with its default and range. */
static void test_model_doc_parameters_match_the_table(void **state)
{
    fixture *fx = *state;
    fx->text = testutil_slurp("docs/MODEL.md", NULL);
    assert_non_null(fx->text);
    const char *sec = strstr(fx->text, "### 3.6 Parameters");
    assert_non_null(sec);
    const setting_group *root = settings_root();
    const setting_group *groups[2] = {settings_find(root, "model")->group,
                                      settings_find(root, "actors")->group};
    int bad = 0, rows = 0;
    for (int g = 0; g < 2; g++)
        for (size_t i = 0; i < groups[g]->nkeys; i++)
            if (groups[g]->keys[i].type == ST_PARAM) {
                bad += check_doc_row(sec, &groups[g]->keys[i]);
                rows++;
            }
    assert_int_equal(rows, MP_COUNT + AP_COUNT);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_minimal_header_and_model, setup, teardown),
        cmocka_unit_test_setup_teardown(test_minimal_actors_and_series, setup, teardown),
        cmocka_unit_test_setup_teardown(test_minimal_dyads_events_targets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defaults_of_an_almost_empty_scenario, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolved_is_a_fixed_point, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolved_keeps_every_double, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inline_table_loads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jitter_bounds_the_period, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_hundred_actors_and_an_event_naming_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_many_actors_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_number_is_applied_and_recorded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_distribution_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_creates_a_missing_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_appends_an_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_unknown_path_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_bad_values_are_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_runaway_timings_are_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_and_huge_includes_and_many_sanctioned_actors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seed_option, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lognormal_on_a_bounded_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_variant_merges_its_base, setup, teardown),
        cmocka_unit_test_setup_teardown(test_variant_scales_every_form_of_magnitude, setup, teardown),
        cmocka_unit_test_setup_teardown(test_variant_of_a_variant, setup, teardown),
        cmocka_unit_test_setup_teardown(test_variant_resolved_is_a_fixed_point, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_applies_after_the_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scaled_value_errors_name_the_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counterfactual_scenarios, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_files_are_rejected_with_file_and_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_errors_of_a_file_are_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_files_are_io_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_bad_file_has_a_case, setup, teardown),
        cmocka_unit_test_setup_teardown(test_docs_are_in_step_with_the_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_doc_parameters_match_the_table, setup, teardown),
        cmocka_unit_test(test_settings_table_is_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
