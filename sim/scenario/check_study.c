/*
 * check_study - the settings only the study commands read: the claim test
 * (`claim`), the calibration (`calibrate`) and the loader's records of
 * overrides and variants.  The model never sees them.
 */
#include "scenario/check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/read.h"
#include "scenario/sweepfile.h"

/* The loader's records (overrides and what a variant did): kept as they
 * are, only their form is checked. */
void ld_check_records(loader *L, const config_setting_t *root)
{
    static const unsigned lists[] = {ROOT_OVERRIDES, ROOT_DERIVED_FROM, ROOT_REMOVED_EVENTS};
    const config_setting_t *s;
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        ld_get_strings(L, root, settings_key(SG_ROOT, lists[i]), &s);
    const setting_def *sd = settings_key(SG_ROOT, ROOT_SCALED_EVENTS);
    const config_setting_t *list = ld_get_aggregate(L, root, sd);
    for (int i = 0; list && i < config_setting_length(list); i++) {
        const config_setting_t *g = ld_list_group(L, list, i);
        if (!g)
            continue;
        ld_check_keys(L, g, sd->group, -1, -1);
        const char *id;
        double factor;
        ld_get_string(L, g, settings_key(SG_SCALE, SCALE_ID), &id);
        ld_get_number(L, g, settings_key(SG_SCALE, SCALE_FACTOR), 1.0, &factor);
    }
}

/* The actors the claim's reversal confronts: 1 to SPEC_MAX_CLAIM_TARGETS
 * distinct actors, not the third power; the outcome dyad when absent. */
static void claim_targets(loader *L, const config_setting_t *g, spec_claim *c)
{
    model_spec *spec = L->spec;
    const config_setting_t *ts;
    ld_got tg = ld_get_strings(L, g, settings_key(SG_CLAIM, CLK_TARGETS), &ts);
    if (tg == GOT_VALUE) {
        int n = config_setting_length(ts);
        if (n < 1 || n > SPEC_MAX_CLAIM_TARGETS)
            ld_error(L, ts, "expected 1 to %d actor ids, found %d", SPEC_MAX_CLAIM_TARGETS, n);
        for (int i = 0; i < n && i < SPEC_MAX_CLAIM_TARGETS; i++) {
            const config_setting_t *e = config_setting_get_elem(ts, (unsigned)i);
            int a = ld_find_actor(L, e, config_setting_get_string(e), " among claim's targets");
            if (a < 0)
                continue;
            for (int k = 0; k < c->ntargets; k++)
                if (c->targets[k] == a) {
                    ld_error(L, e, "actor '%s' is named twice", spec->actors[a].id);
                    a = -1;
                    break;
                }
            if (a >= 0 && a == c->third_power) {
                ld_error(L, e, "the third power '%s' cannot be one of its own targets", spec->actors[a].id);
                a = -1;
            }
            if (a >= 0 && model_spec_add_claim_target(spec, a) != 0)
                L->oom = 1;
        }
    } else if (tg == GOT_NONE && spec->outcome_a >= 0 && spec->outcome_b >= 0) {
        if (model_spec_add_claim_target(spec, spec->outcome_a) != 0 ||
            model_spec_add_claim_target(spec, spec->outcome_b) != 0)
            L->oom = 1;
        if (c->third_power == spec->outcome_a || c->third_power == spec->outcome_b)
            ld_error(L, ld_member(g, "third_power"),
                     "the third power '%s' is one of the outcome dyad, which the claim's reversal "
                     "confronts by default; name other `targets`",
                     spec->actors[c->third_power].id);
    }
}

/*
 * The claim group: the reversal the claim command schedules and its bounds.
 * Absent keys take their defaults (targets: the outcome dyad; at: the
 * horizon less 6 years, not before the start); third_power stays -1 when
 * absent, and the claim command reports it.
 */
void ld_check_claim(loader *L, const config_setting_t *root)
{
    const setting_def *cd = settings_key(SG_ROOT, ROOT_CLAIM);
    const config_setting_t *g = ld_get_aggregate(L, root, cd);
    if (g)
        ld_check_keys(L, g, cd->group, -1, -1);
    spec_claim *c = &L->spec->claim;
    c->third_power = -1;
    const char *id;
    if (ld_get_string(L, g, settings_key(SG_CLAIM, CLK_THIRD_POWER), &id) == GOT_VALUE)
        c->third_power = ld_find_actor(L, ld_member(g, "third_power"), id, " as claim's third power");
    claim_targets(L, g, c);
    ld_read_fields(L, g, SG_CLAIM, -1, -1, c, NULL);

    double *v;
    size_t n;
    ld_got sg = ld_get_numbers(L, g, settings_key(SG_CLAIM, CLK_STRENGTHS), SPEC_MAX_CLAIM_STRENGTHS, &v, &n);
    c->nstrengths = 0;
    if (sg == GOT_NONE) {
        for (int i = 1; i <= 10; i++)
            c->strengths[c->nstrengths++] = 0.5 * i;
    } else if (sg == GOT_VALUE) {
        memcpy(c->strengths, v, n * sizeof *v);
        c->nstrengths = n;
        for (size_t i = 1; i < n; i++)
            if (!(v[i] > v[i - 1])) {
                ld_error(L, ld_member(g, "strengths"),
                         "expected strictly increasing strengths, found %.15g after %.15g", v[i], v[i - 1]);
                break;
            }
    }
    free(v);
}

/* The index of the parameter at path, or -1 with an error at s naming the
 * near matches. */
long ld_param_by_path(loader *L, const config_setting_t *s, const char *path)
{
    const model_spec *spec = L->spec;
    long p = model_spec_find_param(spec, path);
    if (p >= 0)
        return p;
    char near[1024];
    if (sweepfile_near_params(spec, path, near, sizeof near))
        ld_error(L, s, "unknown parameter \"%s\"; near matches: %s", path, near);
    else
        ld_error(L, s,
                 "unknown parameter \"%s\": expected the path of a number of this scenario, such as "
                 "model.w_threat or actors.china.doctrine_cost",
                 path);
    return -1;
}

/* One free parameter of the calibration, or -1 (reported). */
static int free_param(loader *L, const config_setting_t *e, spec_calibrate *c, spec_free_param *f)
{
    const model_spec *spec = L->spec;
    ld_check_keys(L, e, settings_group(SG_FREE), -1, -1);
    const char *path;
    ld_got got[FREE_COUNT];
    ld_got ps = ld_get_string(L, e, settings_key(SG_FREE, FREE_PATH), &path);
    ld_read_fields(L, e, SG_FREE, -1, -1, f, got);
    if (ps != GOT_VALUE)
        return -1;
    long p = ld_param_by_path(L, ld_member(e, "path"), path);
    if (p < 0)
        return -1;
    for (size_t j = 0; j < c->nfree; j++)
        if (c->free[j].param == (size_t)p) {
            ld_error(L, ld_member(e, "path"), "parameter \"%s\" is free twice", path);
            return -1;
        }
    if (got[FREE_MIN] != GOT_VALUE || got[FREE_MAX] != GOT_VALUE)
        return -1;
    const spec_param *sp = &spec->params[p];
    if (!(f->min < f->max)) {
        ld_error(L, ld_member(e, "max"), "expected max > min, found min %.15g and max %.15g", f->min, f->max);
        return -1;
    }
    if (f->min < sp->lo || f->max > sp->hi) {
        ld_error(L, e, "the range [%.15g, %.15g] is not within the valid range [%.15g, %.15g] of %s", f->min,
                 f->max, sp->lo, sp->hi, path);
        return -1;
    }
    f->param = (size_t)p;
    return 0;
}

/* One order target, or -1 (reported). */
static int order_target(loader *L, const config_setting_t *e, spec_order *o)
{
    ld_check_keys(L, e, settings_group(SG_ORDER), -1, -1);
    ld_got got[ORDER_COUNT];
    ld_read_fields(L, e, SG_ORDER, -1, -1, o, got);
    if (got[ORDER_FIRST] != GOT_VALUE || got[ORDER_SECOND] != GOT_VALUE)
        return -1;
    int bad = 0;
    static const char *const names[2] = {"first", "second"};
    size_t idx[2] = {o->first, o->second};
    if (L->spec->ntargets < 2) {
        /* No valid index to name (issue 14: "from 0 to 0, found 0"). */
        ld_error(L, e, "an order compares two targets, but the scenario has %zu; add `targets`",
                 L->spec->ntargets);
        return -1;
    }
    for (int k = 0; k < 2; k++)
        if (idx[k] >= L->spec->ntargets) {
            ld_error(L, ld_member(e, names[k]), "expected a target index from 0 to %zu, found %zu",
                     L->spec->ntargets - 1, idx[k]);
            bad = 1;
        }
    if (!bad && o->first == o->second) {
        ld_error(L, ld_member(e, "second"), "expected two different targets, found %zu twice", o->first);
        bad = 1;
    }
    return bad ? -1 : 0;
}

/*
 * The calibrate group (optional): free parameters by path, each a number
 * the scenario has (near matches listed otherwise), at most once, with a
 * search range inside the parameter's valid range; order targets by target
 * index.  Parameters are known once the whole scenario has been checked,
 * so this runs after everything that adds parameters.
 */
void ld_check_calibrate(loader *L, const config_setting_t *root)
{
    const setting_def *cd = settings_key(SG_ROOT, ROOT_CALIBRATE);
    spec_calibrate *c = &L->spec->calibrate;
    memset(c, 0, sizeof *c);
    c->fit_until = INFINITY;
    const config_setting_t *g = ld_get_aggregate(L, root, cd);
    if (!g)
        return;
    c->present = 1;
    ld_check_keys(L, g, cd->group, -1, -1);
    ld_read_fields(L, g, SG_CALIBRATE, -1, -1, c, NULL);

    const config_setting_t *list = ld_get_aggregate(L, g, settings_key(SG_CALIBRATE, CAL_FREE));
    for (int i = 0; list && i < config_setting_length(list); i++) {
        const config_setting_t *e = ld_list_group(L, list, i);
        spec_free_param f = {0, 0.0, 0.0};
        if (e && free_param(L, e, c, &f) == 0 && c->nfree < SPEC_MAX_FREE)
            c->free[c->nfree++] = f;
    }
    list = ld_get_aggregate(L, g, settings_key(SG_CALIBRATE, CAL_ORDERS));
    for (int i = 0; list && i < config_setting_length(list); i++) {
        const config_setting_t *e = ld_list_group(L, list, i);
        spec_order o = {0, 0};
        if (e && order_target(L, e, &o) == 0 && c->norders < SPEC_MAX_ORDERS)
            c->orders[c->norders++] = o;
    }
}
