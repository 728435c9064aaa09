/*
 * check - validates a libconfig tree against the settings table and fills a
 * model_spec from it: the header, the model's parameters, the actors, the
 * ladder, the initial state, the events, the targets and the outcome; the
 * data tables (tables.c) and the study settings (check_study.c) have files
 * of their own.
 *
 * Every problem is reported (at the setting's file and line) and checking
 * goes on, so one run shows all errors of a file.  A value with an error is
 * replaced by its default so that later checks still have something to work
 * with; a spec filled with errors is never used (the caller clears it).
 *
 * Order matters where settings refer to each other: dates first (other
 * dates are checked against start and horizon), model parameters (their
 * indices must be MP_*), data tables (series that capabilities and event
 * timings name), actors, the ladder (labels that targets name), then the
 * dyad lists.
 */
#include "scenario/check.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/read.h"

#define BIT(i) (1u << (i))

/* ------------------------------------------------------------------ */
/* Top level                                                          */
/* ------------------------------------------------------------------ */

static void check_header(loader *L, const config_setting_t *root)
{
    ld_got got[ROOT_COUNT];
    ld_read_fields(L, root, SG_ROOT, -1, -1, L->spec, got);
    const char *desc;
    /* Kept for the report; a longer text is cut, not refused. */
    if (ld_get_string(L, root, settings_key(SG_ROOT, ROOT_DESCRIPTION), &desc) == GOT_VALUE)
        snprintf(L->spec->description, sizeof L->spec->description, "%s", desc);
    L->start = L->spec->start;
    L->horizon = L->spec->horizon;
    L->dates_ok = got[ROOT_START] != GOT_BAD && got[ROOT_HORIZON] != GOT_BAD;
    if (L->dates_ok && !(L->start < L->horizon)) {
        const config_setting_t *at = ld_member(root, "horizon");
        if (!at)
            at = ld_member(root, "start");
        ld_error(L, at ? at : root,
                 "dates out of order: expected horizon after start, found start %.15g and "
                 "horizon %.15g",
                 L->start, L->horizon);
        L->dates_ok = 0;
    }
}

/* The model's parameters, in spec_model_param order (the first MP_COUNT
 * parameters of the spec, index = MP_*). */
static void check_model(loader *L, const config_setting_t *root)
{
    const setting_def *md = settings_key(SG_ROOT, ROOT_MODEL);
    const config_setting_t *m = ld_get_aggregate(L, root, md);
    if (m)
        ld_check_keys(L, m, md->group, -1, -1);
    for (unsigned k = 0; k < MP_COUNT; k++) {
        const setting_def *d = settings_key(SG_MODEL, k);
        char path[SPEC_PATH_LEN];
        snprintf(path, sizeof path, "model.%s", d->name);
        size_t index;
        ld_get_param(L, m, d, path, d->lo, d->hi, d->def, &index);
        assert(L->oom || index == k); /* the first parameters of the spec */
    }
}

/* ------------------------------------------------------------------ */
/* Actors                                                             */
/* ------------------------------------------------------------------ */

/* Inline capability: a list of (year, value) pairs; adds the series. */
static int read_capability_pairs(loader *L, const config_setting_t *s, const char *id)
{
    int rc = -1;
    int n = config_setting_length(s);
    double *years = malloc((size_t)(n > 0 ? n : 1) * sizeof *years);
    double *vals = malloc((size_t)(n > 0 ? n : 1) * sizeof *vals);
    if (!years || !vals) {
        L->oom = 1;
        goto done;
    }
    if (n == 0) {
        buf b = {0};
        buf_puts(&b, "at least one (year, value) pair");
        ld_expect_error(L, s, &b);
        goto done;
    }
    size_t before = L->nerrors;
    for (int i = 0; i < n; i++) {
        const config_setting_t *p = config_setting_get_elem(s, (unsigned)i);
        double y = NAN, v = NAN;
        if ((!config_setting_is_list(p) && !config_setting_is_array(p)) ||
            config_setting_length(p) != 2) {
            buf b = {0};
            buf_puts(&b, "a pair (year, value)");
            ld_expect_error(L, p, &b);
            continue;
        }
        const config_setting_t *ys = config_setting_get_elem(p, 0), *vs = config_setting_get_elem(p, 1);
        if (ld_read_number(L, ys, "a year", -INFINITY, INFINITY, 0, 0, &y) != GOT_VALUE)
            continue;
        if (config_setting_type(vs) == CONFIG_TYPE_STRING &&
            strcmp(config_setting_get_string(vs), "NA") == 0)
            v = NAN;
        else if (ld_read_number(L, vs, "a number", 0.0, INFINITY, 0, 0, &v) != GOT_VALUE)
            continue;
        if (i > 0 && L->nerrors == before && !(y > years[i - 1])) {
            ld_error(L, ys, "years must increase strictly: expected a year after %.15g, found %.15g",
                     years[i - 1], y);
            continue;
        }
        years[i] = y;
        vals[i] = v;
    }
    if (L->nerrors != before)
        goto done;
    char name[SPEC_PATH_LEN];
    snprintf(name, sizeof name, "actors.%s.capability", id);
    if (model_spec_find_series(L->spec, name) >= 0) {
        ld_error(L, s, "series \"%s\" is defined twice", name);
        goto done;
    }
    size_t index;
    if (model_spec_add_series(L->spec, name, years, vals, (size_t)n, &index) != 0) {
        L->oom = 1;
        goto done;
    }
    rc = (int)index;

done:
    free(years);
    free(vals);
    return rc;
}

static void check_actor(loader *L, const config_setting_t *g)
{
    const char *id = config_setting_name(g);
    spec_actor actor, *a = &actor;
    memset(a, 0, sizeof *a);
    a->capability = -1;
    if (!settings_match(PAT_ID, id) || strlen(id) >= SPEC_ID_LEN)
        ld_error(L, g, "expected an actor id of %s (at most %d characters), found '%s'",
                 settings_pattern_doc(PAT_ID), SPEC_ID_LEN - 1, id);
    snprintf(a->id, sizeof a->id, "%s", id);
    const config_setting_t *body = g;
    if (!config_setting_is_group(g)) {
        buf b = {0};
        buf_puts(&b, "an actor { name = \"...\"; capability = ...; }");
        ld_expect_error(L, g, &b);
        body = NULL;
    } else {
        ld_check_keys(L, g, settings_group(SG_ACTOR), -1, -1);
    }
    /* The display name defaults to the id. */
    snprintf(a->name, sizeof a->name, "%s", id);
    ld_read_fields(L, body, SG_ACTOR, -1, -1, a, NULL);

    const config_setting_t *cap = ld_member(body, "capability");
    if (!cap) {
        if (body)
            ld_missing(L, body, settings_key(SG_ACTOR, ACTOR_CAPABILITY));
    } else if (config_setting_type(cap) == CONFIG_TYPE_STRING) {
        a->capability = ld_find_series(L, cap, config_setting_get_string(cap));
    } else if (config_setting_is_list(cap) || config_setting_is_array(cap)) {
        a->capability = read_capability_pairs(L, cap, id);
    } else {
        buf b = {0};
        buf_puts(&b, "a series name \"table.column\" or a list of (year, value) pairs");
        ld_expect_error(L, cap, &b);
    }

    /* The actor's parameters, in spec_actor_param order from param0. */
    static const unsigned params[AP_COUNT] = {[AP_IDEOLOGY] = ACTOR_IDEOLOGY,
                                              [AP_AUTONOMY] = ACTOR_AUTONOMY,
                                              [AP_DOCTRINE_COST] = ACTOR_DOCTRINE_COST};
    for (int p = 0; p < AP_COUNT; p++) {
        const setting_def *d = settings_key(SG_ACTOR, params[p]);
        buf path = {0};
        buf_printf(&path, "actors.%s.%s", a->id, d->name);
        if (path.failed) {
            L->oom = 1;
            return;
        }
        size_t index;
        ld_get_param(L, body, d, buf_str(&path), d->lo, d->hi, d->def, &index);
        buf_clear(&path);
        if (p == 0)
            a->param0 = index;
    }
    if (model_spec_add_actor(L->spec, a) != 0)
        L->oom = 1;
}

static void check_actors(loader *L, const config_setting_t *root)
{
    const config_setting_t *actors = ld_get_aggregate(L, root, settings_key(SG_ROOT, ROOT_ACTORS));
    if (!actors)
        return;
    /* More than SPEC_MAX_ACTORS is reported by ld_get_aggregate. */
    int n = config_setting_length(actors);
    for (int i = 0; i < n && i < SPEC_MAX_ACTORS; i++)
        check_actor(L, config_setting_get_elem(actors, (unsigned)i));
}

/* ------------------------------------------------------------------ */
/* Ladder                                                             */
/* ------------------------------------------------------------------ */

static void check_ladder(loader *L, const config_setting_t *root)
{
    const config_setting_t *ladder = ld_get_aggregate(L, root, settings_key(SG_ROOT, ROOT_LADDER));
    if (!ladder)
        return;
    int n = config_setting_length(ladder);
    const spec_rung *prev = NULL;
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = ld_list_group(L, ladder, i);
        if (!g)
            continue;
        ld_check_keys(L, g, settings_group(SG_RUNG), -1, -1);
        spec_rung rung, *r = &rung;
        memset(r, 0, sizeof *r);
        r->x_min = -INFINITY;
        ld_got got[RUNG_COUNT];
        ld_read_fields(L, g, SG_RUNG, -1, -1, r, got);
        if (got[RUNG_X_MIN] == GOT_NONE && i > 0) {
            ld_error(L, g, "missing required setting 'x_min' (a number in [-1, 1]); only the "
                           "first rung may omit it");
            got[RUNG_X_MIN] = GOT_BAD;
        }
        if (prev && got[RUNG_LABEL] == GOT_VALUE && !(r->label > prev->label))
            ld_error(L, ld_member(g, "label"),
                     "labels must increase strictly down the ladder: expected a label above "
                     "%d, found %d",
                     prev->label, r->label);
        if (prev && got[RUNG_X_MIN] == GOT_VALUE && !(r->x_min > prev->x_min))
            ld_error(L, ld_member(g, "x_min"),
                     "thresholds must increase strictly down the ladder: expected x_min above "
                     "%.15g, found %.15g",
                     prev->x_min, r->x_min);
        if (model_spec_add_rung(L->spec, r) != 0) {
            L->oom = 1;
            return;
        }
        prev = (got[RUNG_LABEL] == GOT_VALUE && got[RUNG_X_MIN] != GOT_BAD)
                   ? &L->spec->ladder[L->spec->nrungs - 1]
                   : NULL;
    }
}

/* ------------------------------------------------------------------ */
/* Initial conditions                                                 */
/* ------------------------------------------------------------------ */

static void check_initial(loader *L, const config_setting_t *root)
{
    const config_setting_t *list = ld_get_aggregate(L, root, settings_key(SG_ROOT, ROOT_INITIAL));
    if (!list)
        return;
    for (int i = 0; i < config_setting_length(list); i++) {
        const config_setting_t *g = ld_list_group(L, list, i);
        if (!g)
            continue;
        ld_check_keys(L, g, settings_group(SG_INITIAL), -1, -1);
        spec_initial in;
        memset(&in, 0, sizeof in);
        if (ld_get_dyad(L, g, settings_key(SG_INITIAL, INIT_DYAD), &in.a, &in.b) == GOT_VALUE)
            for (size_t k = 0; k < L->spec->ninitial; k++)
                if (L->spec->initial[k].a == in.a && L->spec->initial[k].b == in.b) {
                    ld_error(L, ld_member(g, "dyad"),
                             "dyad \"%s-%s\" is listed twice (also initial.[%zu])",
                             L->spec->actors[in.a].id, L->spec->actors[in.b].id, k);
                    break;
                }
        const setting_def *xd = settings_key(SG_INITIAL, INIT_X);
        char path[SPEC_PATH_LEN];
        snprintf(path, sizeof path, "initial.[%d].x", i);
        ld_get_param(L, g, xd, path, xd->lo, xd->hi, xd->def, &in.p_x);
        ld_read_fields(L, g, SG_INITIAL, -1, -1, &in, NULL);
        /* Keep list position = index so that paths "initial.[i]" match. */
        if (model_spec_add_initial(L->spec, &in) != 0)
            L->oom = 1;
    }
}

/* ------------------------------------------------------------------ */
/* Events                                                             */
/* ------------------------------------------------------------------ */

/* The timing of event g: the one of at/every/rate/series present, or -1
 * (reported) when none or several are. */
static int event_timing(loader *L, const config_setting_t *g)
{
    int timing = -1, count = 0;
    buf found = {0};
    for (int t = 0; t < TIMING_COUNT; t++) {
        const char *name = spec_timing_names[t];
        if (ld_member(g, name)) {
            buf_printf(&found, "%s%s", count ? " and " : "", name);
            timing = t;
            count++;
        }
    }
    char *text = buf_take(&found);
    if (count != 1)
        ld_error(L, g, "expected exactly one timing (at, every, rate or series), found %s",
                 count ? (text ? text : "several") : "none");
    free(text);
    return count == 1 ? timing : -1;
}

/* Event actors: known, distinct, as many as the kind needs, into e->actors
 * (heap; the caller frees it once the event is copied into the spec). */
static void event_actors(loader *L, const config_setting_t *g, int kind, spec_event *e)
{
    const config_setting_t *s;
    if (ld_get_strings(L, g, settings_key(SG_EVENT, EVK_ACTORS), &s) != GOT_VALUE)
        return;
    int n = config_setting_length(s);
    e->actors = malloc((size_t)(n > 0 ? n : 1) * sizeof *e->actors);
    if (!e->actors) {
        L->oom = 1;
        return;
    }
    for (int i = 0; i < n; i++) {
        const config_setting_t *el = config_setting_get_elem(s, (unsigned)i);
        int a = ld_find_actor(L, el, config_setting_get_string(el), "");
        if (a < 0)
            continue;
        int dup = 0;
        for (int k = 0; k < e->nactors; k++)
            dup |= e->actors[k] == a;
        if (dup) {
            ld_error(L, el, "actor '%s' is named twice", config_setting_get_string(el));
            continue;
        }
        e->actors[e->nactors++] = a;
    }
    if (kind < 0)
        return;
    const event_rule *r = settings_event_rule((spec_event_kind)kind);
    const char *kname = spec_event_kind_name((spec_event_kind)kind);
    if (n < r->min_actors || n > r->max_actors) {
        if (r->max_actors == INT_MAX)
            ld_error(L, s, "%s events need at least %d actors (%s), found %d", kname, r->min_actors,
                     r->actors_doc, n);
        else if (r->min_actors == r->max_actors)
            ld_error(L, s, "%s events need exactly %d actor%s, found %d", kname, r->min_actors,
                     r->min_actors == 1 ? "" : "s", n);
        else
            ld_error(L, s, "%s events need %d to %d actors (%s), found %d", kname, r->min_actors,
                     r->max_actors, r->actors_doc, n);
    }
}

/* Copies the file and line of event g's declaration into e; a name too
 * long for spec_event.file keeps its end, which tells files apart. */
static void where_of(const loader *L, const config_setting_t *g, spec_event *e)
{
    char file[4096];
    e->line = ld_where(L, g, file, sizeof file);
    size_t n = strlen(file), room = sizeof e->file - 1;
    if (n <= room)
        memcpy(e->file, file, n + 1);
    else
        snprintf(e->file, sizeof e->file, "...%s", file + n - (room - 3));
}

/*
 * Occurrences of an `every` event keep their order only if the jitter stays
 * below half the period (docs/MODEL.md 3.4).  A fixed period must exceed
 * 2 * jitter; a drawn one must not start below it (uniform and beta: their
 * min; normal: its mean), and the parameter's range then starts at
 * 2 * jitter, so that draws (truncated or clamped there), sweeps and fits
 * keep to it too.
 */
static void check_jitter(loader *L, const config_setting_t *g, spec_param *every, double jitter)
{
    double least = 2.0 * jitter;
    const char *what = NULL;
    double v = every->value;
    switch (every->dist.kind) {
    case DIST_FIXED:
        if (!(v > least))
            what = "every";
        break;
    case DIST_UNIFORM:
    case DIST_NORMAL:
        v = every->dist.a; /* min, mean */
        if (!(v >= least))
            what = every->dist.kind == DIST_UNIFORM ? "every's min" : "every's mean";
        break;
    case DIST_BETA:
        v = every->dist.c;
        if (!(v >= least))
            what = "every's min";
        break;
    case DIST_LOGNORMAL:
        break;
    }
    if (what) {
        ld_error(L, ld_member(g, "jitter"),
                 "expected a jitter below half the period (so that occurrences keep their order), "
                 "found jitter %.15g and %s %.15g",
                 jitter, what, v);
        return;
    }
    if (every->lo < least)
        every->lo = least;
    if (every->value < least)
        every->value = least;
}

/* The parameter key k of event i (path "events.[i].KEY") with range [lo, hi]
 * and default def; its index in *index. */
static ld_got event_param(loader *L, const config_setting_t *g, int i, unsigned k, double lo, double hi,
                          double def, size_t *index)
{
    const setting_def *d = settings_key(SG_EVENT, k);
    char path[SPEC_PATH_LEN];
    snprintf(path, sizeof path, "events.[%d].%s", i, d->name);
    return ld_get_param(L, g, d, path, lo, hi, def, index);
}

static void check_event(loader *L, const config_setting_t *g, int i)
{
    spec_event e;
    memset(&e, 0, sizeof e);
    e.series = -1;
    e.expires = INFINITY;
    e.active = 1;
    e.p_every = e.p_rate = e.p_duration = SPEC_NO_PARAM;
    where_of(L, g, &e);

    /* The type and the timing select the valid keys. */
    int kind = ld_get_choice(L, g, settings_key(SG_EVENT, EVK_TYPE), spec_event_kind_names, EV_KIND_COUNT,
                             "event type");
    int timing = event_timing(L, g);
    ld_check_keys(L, g, settings_group(SG_EVENT), kind, timing);
    e.kind = kind >= 0 ? (spec_event_kind)kind : EV_SUMMIT;
    e.timing = timing >= 0 ? (spec_timing)timing : TIMING_AT;
    event_actors(L, g, kind, &e);

    ld_got got[EVK_COUNT];
    ld_read_fields(L, g, SG_EVENT, kind, timing, &e, got);
    if (timing == TIMING_AT) {
        e.from = e.at;
        e.until = L->horizon;
    } else if (timing >= 0) {
        e.at = e.from;
        if (got[EVK_FROM] != GOT_BAD && got[EVK_UNTIL] != GOT_BAD && L->dates_ok && !(e.from < e.until)) {
            const config_setting_t *at = ld_member(g, got[EVK_UNTIL] == GOT_VALUE ? "until" : "from");
            ld_error(L, at, "dates out of order: expected from before until, found from %.15g "
                            "and until %.15g",
                     e.from, e.until);
        }
    }
    if (timing == TIMING_EVERY) {
        if (event_param(L, g, i, EVK_EVERY, settings_key(SG_EVENT, EVK_EVERY)->lo,
                        settings_key(SG_EVENT, EVK_EVERY)->hi, 1.0, &e.p_every) == GOT_VALUE &&
            e.jitter_years > 0.0)
            check_jitter(L, g, &L->spec->params[e.p_every], e.jitter_years);
    } else if (timing == TIMING_POISSON) {
        const setting_def *d = settings_key(SG_EVENT, EVK_RATE);
        event_param(L, g, i, EVK_RATE, d->lo, d->hi, 0.0, &e.p_rate);
    } else if (timing == TIMING_SERIES) {
        const char *sname;
        if (ld_get_string(L, g, settings_key(SG_EVENT, EVK_SERIES), &sname) == GOT_VALUE)
            e.series = ld_find_series(L, ld_member(g, "series"), sname);
    }

    /* Magnitude: a summit without one uses model.summit_warmth; the range
     * is the type's, from 0 for recurring events. */
    const event_rule *rule = kind >= 0 ? settings_event_rule((spec_event_kind)kind) : NULL;
    if (rule && rule->magnitude_is_warmth && !ld_member(g, "magnitude")) {
        e.p_magnitude = MP_SUMMIT_WARMTH;
    } else {
        const setting_def *d = settings_key(SG_EVENT, EVK_MAGNITUDE);
        double lo = rule ? rule->magnitude_lo : d->lo, hi = rule ? rule->magnitude_hi : d->hi;
        if ((timing == TIMING_EVERY || timing == TIMING_POISSON) && lo < 0.0)
            lo = 0.0;
        event_param(L, g, i, EVK_MAGNITUDE, lo, hi, rule ? rule->magnitude : 0.0, &e.p_magnitude);
    }
    const setting_def *dd = settings_key(SG_EVENT, EVK_DURATION);
    if (kind >= 0 && (dd->variants & BIT(kind)))
        event_param(L, g, i, EVK_DURATION, dd->lo, dd->hi, dd->def, &e.p_duration);

    if (got[EVK_COMMITMENTS] == GOT_VALUE && e.commitments == 0)
        ld_error(L, ld_member(g, "commitments"),
                 "expected at least one commitment (nonaggression, consultation, defence), found none");
    if (got[EVK_EXPIRES] == GOT_VALUE && !(e.expires > e.at))
        ld_error(L, ld_member(g, "expires"), "dates out of order: expected expires after at %.15g, found %.15g",
                 e.at, e.expires);
    if (got[EVK_TERM_YEARS] == GOT_VALUE && e.term_years > 0.0 && got[EVK_EXPIRES] != GOT_VALUE)
        ld_error(L, ld_member(g, "term_years"),
                 "expected `expires` with `term_years` (terms run from the first expiry), found no `expires`");
    if (model_spec_add_event(L->spec, &e) != 0)
        L->oom = 1;
    free(e.actors);
}

static void check_events(loader *L, const config_setting_t *root)
{
    const config_setting_t *list = ld_get_aggregate(L, root, settings_key(SG_ROOT, ROOT_EVENTS));
    if (!list)
        return;
    int n = config_setting_length(list);
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = ld_list_group(L, list, i);
        if (!g)
            continue;
        size_t first = L->spec->nevents;
        check_event(L, g, i);
        /* Event ids are unique: counterfactuals and the event log name
         * events by them. */
        if (L->spec->nevents == first || !L->spec->events[first].id[0])
            continue;
        const char *id = L->spec->events[first].id;
        for (size_t k = 0; k < first; k++)
            if (strcmp(L->spec->events[k].id, id) == 0) {
                ld_error(L, ld_member(g, "id"), "event id \"%s\" is used twice (also events.[%zu])", id, k);
                break;
            }
    }
}

/* ------------------------------------------------------------------ */
/* Targets and outcome                                                */
/* ------------------------------------------------------------------ */

static void check_target(loader *L, const config_setting_t *g)
{
    spec_target t;
    memset(&t, 0, sizeof t);
    int variant = ld_get_choice(L, g, settings_key(SG_TARGET, TGT_KIND), spec_target_kind_names, TARGET_COUNT,
                                "target kind");
    ld_check_keys(L, g, settings_group(SG_TARGET), variant, -1);
    t.kind = variant >= 0 ? (spec_target_kind)variant : TARGET_UP;
    ld_get_dyad(L, g, settings_key(SG_TARGET, TGT_DYAD), &t.a, &t.b);
    ld_got got[TGT_COUNT];
    ld_read_fields(L, g, SG_TARGET, variant, -1, &t, got);
    if (got[TGT_YEAR] == GOT_VALUE && got[TGT_AFTER] != GOT_BAD && !(t.after <= t.year))
        ld_error(L, got[TGT_AFTER] == GOT_VALUE ? ld_member(g, "after") : ld_member(g, "year"),
                 "dates out of order: expected after <= year, found after %.15g and year %.15g",
                 t.after, t.year);
    if (got[TGT_LABEL] == GOT_VALUE) {
        int found = 0;
        for (int r = 0; r < L->spec->nrungs; r++)
            found |= L->spec->ladder[r].label == t.label;
        if (!found) {
            buf b = {0};
            for (int r = 0; r < L->spec->nrungs; r++)
                buf_printf(&b, "%s%d", r ? ", " : "", L->spec->ladder[r].label);
            char *labels = buf_take(&b);
            ld_error(L, ld_member(g, "label"), "expected a label of the ladder (%s), found %d",
                     labels && *labels ? labels : "none", t.label);
            free(labels);
        }
    }
    const setting_def *cd = settings_key(SG_TARGET, TGT_COMMITMENT);
    const char *c;
    if (variant >= 0 && (cd->variants & BIT(variant)) && ld_get_string(L, g, cd, &c) == GOT_VALUE)
        t.commitment = spec_commitment_from_name(c);
    if (model_spec_add_target(L->spec, &t) != 0)
        L->oom = 1;
}

static void check_targets(loader *L, const config_setting_t *root)
{
    const config_setting_t *list = ld_get_aggregate(L, root, settings_key(SG_ROOT, ROOT_TARGETS));
    for (int i = 0; list && i < config_setting_length(list); i++) {
        const config_setting_t *g = ld_list_group(L, list, i);
        if (g)
            check_target(L, g);
    }
}

static void check_outcome(loader *L, const config_setting_t *root)
{
    const setting_def *od = settings_key(SG_ROOT, ROOT_OUTCOME);
    const config_setting_t *g = ld_get_aggregate(L, root, od);
    if (g)
        ld_check_keys(L, g, od->group, -1, -1);
    L->spec->outcome_a = L->spec->nactors >= 2 ? 0 : -1;
    L->spec->outcome_b = L->spec->nactors >= 2 ? 1 : -1;
    int a, b;
    if (ld_get_dyad(L, g, settings_key(SG_OUTCOME, OUT_DYAD), &a, &b) == GOT_VALUE) {
        L->spec->outcome_a = a;
        L->spec->outcome_b = b;
    }
    ld_read_fields(L, g, SG_OUTCOME, -1, -1, L->spec, NULL);
}

size_t ld_check(loader *L, const config_t *cfg)
{
    const config_setting_t *root = config_root_setting(cfg);
    ld_check_keys(L, root, settings_group(SG_ROOT), -1, -1);
    check_header(L, root);
    check_model(L, root);
    ld_check_data(L, root);
    check_actors(L, root);
    check_ladder(L, root);
    check_initial(L, root);
    check_events(L, root);
    check_targets(L, root);
    check_outcome(L, root);
    ld_check_claim(L, root);
    ld_check_calibrate(L, root);
    ld_check_infer(L, root);
    ld_check_posterior(L, root);
    ld_check_records(L, root);
    ld_check_budget(L, root);
    return L->nerrors;
}
