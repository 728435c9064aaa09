/*
 * emit - writes the resolved scenario: the checked tree in libconfig syntax
 * with every setting of the table present (defaults filled in), keys in
 * table order, numbers of number-typed settings written as floats in their
 * shortest round-trip form, parameters (and their distributions) taken from
 * the spec the check pass filled, and data tables written inline.
 *
 * The writer is deterministic and reads only what the check pass accepted,
 * so writing the resolved text of a resolved text gives the same bytes.
 * Settings that have no value (a treaty that never expires, the lowest
 * rung's threshold, a summit's magnitude that is model.summit_warmth, the
 * records of a scenario that is not a variant) are left out rather than
 * written as a default they do not have.
 */
#include <limits.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "scenario/loader.h"
#include "scenario/read.h"

#define BIT(i) (1u << (i))

typedef struct {
    const loader *L;
    buf b;
} emitter;

static void indent(emitter *E, int depth)
{
    for (int i = 0; i < depth; i++)
        buf_puts(&E->b, "  ");
}


/* The variant and event timing of group e with the keys of g. */
static void element_variant(const config_setting_t *e, const setting_group *g, int *variant,
                            int *timing)
{
    *variant = *timing = -1;
    const config_setting_t *vs = g->variant_key ? ld_member(e, g->variant_key) : NULL;
    if (vs && config_setting_type(vs) == CONFIG_TYPE_STRING)
        *variant = settings_variant(g, config_setting_get_string(vs));
    int has_timings = 0;
    for (size_t i = 0; i < g->nkeys; i++)
        has_timings |= g->keys[i].timings != 0;
    if (!has_timings)
        return;
    for (int t = 0; t < TIMING_COUNT; t++)
        if (ld_member(e, spec_timing_names[t]))
            *timing = t;
}

/* Writes parameter path as a number or a distribution group; nothing if the
 * spec has no such parameter. */
static void emit_param(emitter *E, const char *key, const char *path, int depth)
{
    long i = model_spec_find_param(E->L->spec, path);
    if (i < 0)
        return;
    const spec_param *p = &E->L->spec->params[i];
    indent(E, depth);
    buf_printf(&E->b, "%s = ", key);
    /* A distribution: its name, then its numbers under their keys. */
    static const struct {
        unsigned key;
        size_t offset;
    } fields[DIST_COUNT][4] = {
        [DIST_UNIFORM] = {{DISTK_MIN, offsetof(spec_dist, a)}, {DISTK_MAX, offsetof(spec_dist, b)}},
        [DIST_NORMAL] = {{DISTK_MEAN, offsetof(spec_dist, a)}, {DISTK_SD, offsetof(spec_dist, b)}},
        [DIST_BETA] = {{DISTK_A, offsetof(spec_dist, a)}, {DISTK_B, offsetof(spec_dist, b)},
                       {DISTK_MIN, offsetof(spec_dist, c)}, {DISTK_MAX, offsetof(spec_dist, d)}},
        [DIST_LOGNORMAL] = {{DISTK_MU, offsetof(spec_dist, a)}, {DISTK_SIGMA, offsetof(spec_dist, b)}},
    };
    spec_dist_kind k = p->dist.kind;
    if (k == DIST_FIXED || (int)k >= (int)DIST_COUNT) {
        lit_float(&E->b, p->value);
    } else {
        buf_printf(&E->b, "{ dist = \"%s\";", spec_dist_kind_names[k]);
        for (size_t f = 0; f < 4 && fields[k][f].key != DISTK_DIST; f++) {
            double v;
            memcpy(&v, (const char *)&p->dist + fields[k][f].offset, sizeof v);
            buf_printf(&E->b, " %s = ", settings_key(SG_DIST, fields[k][f].key)->name);
            lit_float(&E->b, v);
            buf_puts(&E->b, ";");
        }
        buf_puts(&E->b, " }");
    }
    buf_puts(&E->b, ";\n");
}

/* Writes series si as a list of (year, value) pairs. */
static void emit_pairs(emitter *E, int si)
{
    const model_spec *spec = E->L->spec;
    const spec_series *sr = &spec->series[si];
    const double *y = spec->series_data + sr->first, *v = y + sr->n;
    buf_puts(&E->b, "(");
    for (size_t i = 0; i < sr->n; i++) {
        buf_puts(&E->b, i ? ", ( " : " ( ");
        lit_float(&E->b, y[i]);
        buf_puts(&E->b, ", ");
        if (isnan(v[i]))
            buf_puts(&E->b, "\"NA\"");
        else
            lit_float(&E->b, v[i]);
        buf_puts(&E->b, " )");
    }
    buf_puts(&E->b, " )");
}

/* Writes data table c (a group of `data`) inline from the loaded series. */
static void emit_table(emitter *E, const config_setting_t *c, int depth)
{
    const loader *L = E->L;
    const char *name = config_setting_name(c);
    const loaded_table *t = NULL;
    for (size_t i = 0; i < L->ntables; i++)
        if (strcmp(L->tables[i].name, name) == 0)
            t = &L->tables[i];
    if (!t || t->ncols == 0) {
        E->b.failed = 1; /* the check pass would have reported it */
        return;
    }
    const config_setting_t *src = ld_member(c, "source");
    indent(E, depth);
    buf_printf(&E->b, "%s = {\n", name);
    indent(E, depth + 1);
    buf_puts(&E->b, "source = ");
    lit_quoted(&E->b, src && config_setting_type(src) == CONFIG_TYPE_STRING
                         ? config_setting_get_string(src) : "");
    buf_puts(&E->b, ";\n");
    indent(E, depth + 1);
    buf_puts(&E->b, "columns = [ \"year\"");
    size_t skip = strlen(name) + 1;
    for (size_t k = 0; k < t->ncols; k++) {
        buf_puts(&E->b, ", ");
        lit_quoted(&E->b, L->spec->series[t->first + k].name + skip);
    }
    buf_puts(&E->b, " ];\n");
    indent(E, depth + 1);
    buf_puts(&E->b, "rows = (");
    const spec_series *s0 = &L->spec->series[t->first];
    for (size_t r = 0; r < s0->n; r++) {
        buf_puts(&E->b, r ? ",\n" : "\n");
        indent(E, depth + 2);
        buf_puts(&E->b, "( ");
        lit_float(&E->b, L->spec->series_data[s0->first + r]);
        for (size_t k = 0; k < t->ncols; k++) {
            const spec_series *s = &L->spec->series[t->first + k];
            double v = L->spec->series_data[s->first + s->n + r];
            buf_puts(&E->b, ", ");
            if (isnan(v))
                buf_puts(&E->b, "\"NA\"");
            else
                lit_float(&E->b, v);
        }
        buf_puts(&E->b, " )");
    }
    buf_puts(&E->b, s0->n ? "\n" : " ");
    if (s0->n)
        indent(E, depth + 1);
    buf_puts(&E->b, ");\n");
    indent(E, depth);
    buf_puts(&E->b, "};\n");
}

static void emit_keys(emitter *E, const config_setting_t *gs, const setting_group *g,
                      const char *prefix, const char *id, int depth);

/* Writes the claim group from the spec, where the check pass resolved its
 * defaults (targets from the outcome dyad, `at` from the horizon); keys in
 * table order, third_power only when the scenario names one. */
static void emit_claim(emitter *E, int depth)
{
    const model_spec *spec = E->L->spec;
    const spec_claim *c = &spec->claim;
    indent(E, depth);
    buf_puts(&E->b, "claim = {\n");
    if (c->third_power >= 0) {
        indent(E, depth + 1);
        buf_puts(&E->b, "third_power = ");
        lit_quoted(&E->b, spec->actors[c->third_power].id);
        buf_puts(&E->b, ";\n");
    }
    indent(E, depth + 1);
    buf_puts(&E->b, "targets = [");
    for (int i = 0; i < c->ntargets; i++) {
        buf_puts(&E->b, i ? ", " : " ");
        lit_quoted(&E->b, spec->actors[c->targets[i]].id);
    }
    buf_puts(&E->b, " ];\n");
    const struct {
        const char *name;
        double v;
    } nums[] = {{"at", c->at}, {"duration", c->duration_years}, {"strength", c->strength}};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        indent(E, depth + 1);
        buf_printf(&E->b, "%s = ", nums[i].name);
        lit_float(&E->b, nums[i].v);
        buf_puts(&E->b, ";\n");
    }
    indent(E, depth + 1);
    buf_puts(&E->b, "strengths = [");
    for (size_t i = 0; i < c->nstrengths; i++) {
        buf_puts(&E->b, i ? ", " : " ");
        lit_float(&E->b, c->strengths[i]);
    }
    buf_puts(&E->b, " ];\n");
    const struct {
        const char *name;
        double v;
    } rest[] = {{"window_years", c->window_years},
                {"bound_no_reversal", c->bound_no_reversal},
                {"bound_reversal", c->bound_reversal},
                {"confidence", c->confidence}};
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++) {
        indent(E, depth + 1);
        buf_printf(&E->b, "%s = ", rest[i].name);
        lit_float(&E->b, rest[i].v);
        buf_puts(&E->b, ";\n");
    }
    indent(E, depth);
    buf_puts(&E->b, "};\n");
}

/* Writes the posterior inline from the spec (nothing when there is none):
 * the table may have come from a file or from --posterior, and the
 * resolved text must reproduce the run without either. */
static void emit_posterior(emitter *E, int depth)
{
    const model_spec *spec = E->L->spec;
    const spec_posterior *p = &spec->posterior;
    if (p->n == 0)
        return;
    indent(E, depth);
    buf_puts(&E->b, "posterior = {\n");
    indent(E, depth + 1);
    buf_puts(&E->b, "source = ");
    lit_quoted(&E->b, p->source);
    buf_puts(&E->b, ";\n");
    indent(E, depth + 1);
    buf_puts(&E->b, "columns = [ \"particle\", \"weight\"");
    for (size_t c = 0; c < p->ncols; c++) {
        buf_puts(&E->b, ", ");
        lit_quoted(&E->b, spec->params[p->param[c]].path);
    }
    buf_puts(&E->b, " ];\n");
    indent(E, depth + 1);
    buf_puts(&E->b, "rows = (");
    for (size_t r = 0; r < p->n; r++) {
        buf_puts(&E->b, r ? ",\n" : "\n");
        indent(E, depth + 2);
        buf_printf(&E->b, "( %lld%s, ", (long long)p->id[r], p->id[r] > 2147483647 ? "L" : "");
        lit_float(&E->b, p->weight[r]);
        for (size_t c = 0; c < p->ncols; c++) {
            buf_puts(&E->b, ", ");
            lit_float(&E->b, p->value[r * p->ncols + c]);
        }
        buf_puts(&E->b, " )");
    }
    buf_puts(&E->b, "\n");
    indent(E, depth + 1);
    buf_puts(&E->b, ");\n");
    indent(E, depth);
    buf_puts(&E->b, "};\n");
}

/* Writes key d of group gs (NULL: all defaults); prefix is the group's
 * path, id the actor id inside `actors`. */
static void emit_key(emitter *E, const config_setting_t *gs, const setting_def *d,
                     const char *prefix, const char *id, int depth)
{
    const loader *L = E->L;
    const config_setting_t *s = ld_member(gs, d->name);
    char path[SPEC_PATH_LEN * 2];
    if (snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", d->name) >=
        (int)sizeof path)
        E->b.failed = 1;
    if (d == settings_key(SG_ROOT, ROOT_POSTERIOR)) {
        emit_posterior(E, depth);
        return;
    }
    /* The variant pass consumed these; an absent list without a default
     * (a record of a variant) or an absent optional group (`calibrate`) is
     * left out, not written empty. */
    if ((d->flags & SF_VARIANT) ||
        (!s && (d->flags & SF_NO_DEFAULT) &&
         (d->type == ST_STRINGS || d->type == ST_LIST || d->type == ST_GROUP)))
        return;

    switch (d->type) {
    case ST_STRING: {
        const char *v = d->def_str ? d->def_str : "";
        char dyad[2 * SPEC_ID_LEN + 2];
        if (s)
            v = config_setting_get_string(s);
        else if (d->dyn == DD_ACTOR_ID)
            v = id ? id : "";
        else if (d->dyn == DD_FIRST_DYAD) {
            if (L->spec->nactors < 2)
                return;
            snprintf(dyad, sizeof dyad, "%s-%s", L->spec->actors[0].id, L->spec->actors[1].id);
            v = dyad;
        } else if (d->flags & (SF_NO_DEFAULT | SF_REQUIRED))
            return;
        indent(E, depth);
        buf_printf(&E->b, "%s = ", d->name);
        lit_quoted(&E->b, v);
        buf_puts(&E->b, ";\n");
        return;
    }
    case ST_INT:
    case ST_INT64: {
        long long v = s ? (config_setting_type(s) == CONFIG_TYPE_INT64 ? config_setting_get_int64(s)
                                                                       : config_setting_get_int(s))
                        : (long long)d->def;
        indent(E, depth);
        buf_printf(&E->b, "%s = %lld%s;\n", d->name, v, v > INT_MAX || v < INT_MIN ? "L" : "");
        return;
    }
    case ST_FLOAT:
    case ST_DATE: {
        double v = d->def;
        if (s)
            v = ld_number_of(s);
        else if (d->dyn == DD_START)
            v = L->spec->start;
        else if (d->dyn == DD_HORIZON)
            v = L->spec->horizon;
        else if (d->flags & (SF_NO_DEFAULT | SF_REQUIRED))
            return;
        indent(E, depth);
        buf_printf(&E->b, "%s = ", d->name);
        lit_float(&E->b, v);
        buf_puts(&E->b, ";\n");
        return;
    }
    case ST_BOOL:
        indent(E, depth);
        buf_printf(&E->b, "%s = %s;\n", d->name,
                  (s ? config_setting_get_bool(s) : d->def != 0.0) ? "true" : "false");
        return;
    case ST_PARAM:
        emit_param(E, d->name, path, depth);
        return;
    case ST_STRINGS: {
        indent(E, depth);
        buf_printf(&E->b, "%s = [", d->name);
        int n = s ? config_setting_length(s) : 0;
        for (int i = 0; i < n; i++) {
            buf_puts(&E->b, i ? ", " : " ");
            lit_quoted(&E->b, config_setting_get_string_elem(s, i));
        }
        buf_puts(&E->b, " ];\n");
        return;
    }
    case ST_GROUP:
        if (!prefix[0] && strcmp(d->name, "claim") == 0) {
            emit_claim(E, depth);
            return;
        }
        indent(E, depth);
        buf_printf(&E->b, "%s = {\n", d->name);
        emit_keys(E, s, d->group, path, NULL, depth + 1);
        indent(E, depth);
        buf_puts(&E->b, "};\n");
        return;
    case ST_MAP: {
        indent(E, depth);
        buf_printf(&E->b, "%s = {\n", d->name);
        int n = s ? config_setting_length(s) : 0;
        for (int i = 0; i < n; i++) {
            const config_setting_t *c = config_setting_get_elem(s, (unsigned)i);
            if (strcmp(d->name, "data") == 0) {
                emit_table(E, c, depth + 1);
                continue;
            }
            char cpath[SPEC_PATH_LEN * 2];
            if (snprintf(cpath, sizeof cpath, "%s.%s", path, config_setting_name(c)) >=
                (int)sizeof cpath)
                E->b.failed = 1;
            indent(E, depth + 1);
            buf_printf(&E->b, "%s = {\n", config_setting_name(c));
            emit_keys(E, c, d->group, cpath, config_setting_name(c), depth + 2);
            indent(E, depth + 1);
            buf_puts(&E->b, "};\n");
        }
        indent(E, depth);
        buf_puts(&E->b, "};\n");
        return;
    }
    case ST_LIST: {
        indent(E, depth);
        buf_printf(&E->b, "%s = (", d->name);
        int n = s ? config_setting_length(s) : 0;
        for (int i = 0; i < n; i++) {
            const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
            char epath[SPEC_PATH_LEN * 2];
            if (snprintf(epath, sizeof epath, "%s.[%d]", path, i) >= (int)sizeof epath)
                E->b.failed = 1;
            buf_puts(&E->b, i ? ",\n" : "\n");
            indent(E, depth + 1);
            buf_puts(&E->b, "{\n");
            emit_keys(E, e, d->group, epath, NULL, depth + 2);
            indent(E, depth + 1);
            buf_puts(&E->b, "}");
        }
        buf_puts(&E->b, n ? "\n" : " ");
        if (n)
            indent(E, depth);
        buf_puts(&E->b, ");\n");
        return;
    }
    case ST_SERIES:
        if (!s)
            return;
        indent(E, depth);
        buf_printf(&E->b, "%s = ", d->name);
        if (config_setting_type(s) == CONFIG_TYPE_STRING) {
            lit_quoted(&E->b, config_setting_get_string(s));
        } else {
            int si = model_spec_find_series(L->spec, path);
            if (si < 0) {
                E->b.failed = 1;
                return;
            }
            emit_pairs(E, si);
        }
        buf_puts(&E->b, ";\n");
        return;
    case ST_NUMBERS: /* `claim`'s are written by emit_claim(); others as given */
        if (!s)
            return;
        indent(E, depth);
        buf_printf(&E->b, "%s = [", d->name);
        for (int i = 0; i < config_setting_length(s); i++) {
            buf_puts(&E->b, i ? ", " : " ");
            lit_float(&E->b, ld_number_of(config_setting_get_elem(s, (unsigned)i)));
        }
        buf_puts(&E->b, " ];\n");
        return;
    case ST_ROWS:
        return;
    }
}

static void emit_keys(emitter *E, const config_setting_t *gs, const setting_group *g,
                      const char *prefix, const char *id, int depth)
{
    int variant = -1, timing = -1;
    if (gs)
        element_variant(gs, g, &variant, &timing);
    for (size_t i = 0; i < g->nkeys; i++)
        if (settings_valid_for(&g->keys[i], variant, timing))
            emit_key(E, gs, &g->keys[i], prefix, id, depth);
}

char *ld_emit(const loader *L, const config_t *cfg)
{
    emitter E = {L, {0}};
    buf_puts(&E.b, "# alignsim resolved scenario: includes expanded, overrides applied, every\n"
                  "# setting present with its value, data inline.  Running this file again\n"
                  "# reproduces the run that wrote it.\n");
    emit_keys(&E, config_root_setting(cfg), settings_root(), "", NULL, 0);
    return buf_take(&E.b);
}
