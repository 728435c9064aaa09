/*
 * spec - construction and queries of the plain-data scenario description.
 *
 * Growth of the arrays is geometric with overflow checks; every builder leaves
 * the spec unchanged when it fails.
 */
#include "model/spec.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void model_spec_init(model_spec *s)
{
    memset(s, 0, sizeof *s);
    s->start = 1949.75;
    s->horizon = 2030.0;
    s->outcome_a = s->outcome_b = -1;
    s->alliance_after = -INFINITY;
    s->claim.third_power = -1;
}

void model_spec_clear(model_spec *s)
{
    for (size_t i = 0; i < s->nevents; i++)
        free(s->events[i].actors);
    free(s->actors);
    free(s->ladder);
    free(s->claim.targets);
    free(s->infer.scales);
    free(s->params);
    free(s->series_data);
    free(s->series);
    free(s->events);
    free(s->initial);
    free(s->targets);
    free(s->posterior.param);
    free(s->posterior.id);
    free(s->posterior.weight);
    free(s->posterior.cum);
    free(s->posterior.value);
    model_spec_init(s);
}

/*
 * Makes room for element n of an array that grows without a stored capacity:
 * the capacity is 8 once anything is stored and doubles each time n reaches a
 * power of two at or above 8.  Returns 0, or -1 (array unchanged) on overflow
 * or no memory.
 */
static int ensure(void **arr, size_t n, size_t size)
{
    if (n != 0 && (n < 8 || (n & (n - 1)) != 0))
        return 0;
    size_t cap = n ? n * 2 : 8;
    if (cap > SIZE_MAX / size)
        return -1;
    void *p = realloc(*arr, cap * size);
    if (!p)
        return -1;
    *arr = p;
    return 0;
}

int model_spec_add_param(model_spec *s, const char *path, double value,
                         double lo, double hi, size_t *index)
{
    if (ensure((void **)&s->params, s->nparams, sizeof *s->params))
        return -1;
    spec_param *p = &s->params[s->nparams];
    memset(p, 0, sizeof *p);
    snprintf(p->path, sizeof p->path, "%s", path);
    p->value = value;
    p->lo = lo;
    p->hi = hi;
    p->dist.kind = DIST_FIXED;
    if (index)
        *index = s->nparams;
    s->nparams++;
    return 0;
}

long model_spec_find_param(const model_spec *s, const char *path)
{
    for (size_t i = 0; i < s->nparams; i++)
        if (strcmp(s->params[i].path, path) == 0)
            return (long)i;
    return -1;
}

int model_spec_add_series(model_spec *s, const char *name, const double *years,
                          const double *values, size_t n, size_t *index)
{
    if (n > (SIZE_MAX / sizeof(double) - s->nseries_data) / 2)
        return -1;
    size_t need = s->nseries_data + 2 * n;
    double *d = realloc(s->series_data, (need ? need : 1) * sizeof *d);
    if (!d)
        return -1;
    s->series_data = d;
    if (ensure((void **)&s->series, s->nseries, sizeof *s->series))
        return -1;
    spec_series *sr = &s->series[s->nseries];
    memset(sr, 0, sizeof *sr);
    snprintf(sr->name, sizeof sr->name, "%s", name);
    sr->n = n;
    sr->first = s->nseries_data;
    memcpy(d + sr->first, years, n * sizeof *d);
    memcpy(d + sr->first + n, values, n * sizeof *d);
    s->nseries_data = need;
    if (index)
        *index = s->nseries;
    s->nseries++;
    return 0;
}

int model_spec_find_series(const model_spec *s, const char *name)
{
    for (size_t i = 0; i < s->nseries; i++)
        if (strcmp(s->series[i].name, name) == 0)
            return (int)i;
    return -1;
}

double model_spec_series_at(const model_spec *s, int i, double t)
{
    const spec_series *sr = &s->series[i];
    const double *y = s->series_data + sr->first;
    const double *v = y + sr->n;
    if (sr->n == 0 || t < y[0])
        return NAN;
    /* Binary search for the last point with year <= t. */
    size_t lo = 0, hi = sr->n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (y[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return v[lo];
}

int model_spec_add_actor(model_spec *s, const spec_actor *a)
{
    if (s->nactors < 0 || ensure((void **)&s->actors, (size_t)s->nactors, sizeof *s->actors))
        return -1;
    s->actors[s->nactors++] = *a;
    return 0;
}

int model_spec_add_rung(model_spec *s, const spec_rung *r)
{
    if (s->nrungs < 0 || ensure((void **)&s->ladder, (size_t)s->nrungs, sizeof *s->ladder))
        return -1;
    s->ladder[s->nrungs++] = *r;
    return 0;
}

int model_spec_add_event(model_spec *s, const spec_event *e)
{
    size_t n = e->nactors > 0 ? (size_t)e->nactors : 0;
    int *actors = malloc((n ? n : 1) * sizeof *actors);
    if (!actors || ensure((void **)&s->events, s->nevents, sizeof *s->events)) {
        free(actors);
        return -1;
    }
    if (n)
        memcpy(actors, e->actors, n * sizeof *actors);
    spec_event *copy = &s->events[s->nevents++];
    *copy = *e;
    copy->nactors = (int)n;
    copy->actors = actors;
    return 0;
}

int model_spec_add_claim_target(model_spec *s, int a)
{
    spec_claim *c = &s->claim;
    if (c->ntargets < 0 || ensure((void **)&c->targets, (size_t)c->ntargets, sizeof *c->targets))
        return -1;
    c->targets[c->ntargets++] = a;
    return 0;
}

int model_spec_add_initial(model_spec *s, const spec_initial *in)
{
    if (ensure((void **)&s->initial, s->ninitial, sizeof *s->initial))
        return -1;
    s->initial[s->ninitial++] = *in;
    return 0;
}

int model_spec_add_target(model_spec *s, const spec_target *t)
{
    if (ensure((void **)&s->targets, s->ntargets, sizeof *s->targets))
        return -1;
    s->targets[s->ntargets++] = *t;
    return 0;
}

int model_spec_find_actor(const model_spec *s, const char *id)
{
    for (int i = 0; i < s->nactors; i++)
        if (strcmp(s->actors[i].id, id) == 0)
            return i;
    return -1;
}

void model_spec_dyad_name(const model_spec *s, int a, int b, char *buf, size_t len)
{
    const char *ia = s->actors[a].id, *ib = s->actors[b].id;
    if (strcmp(ia, ib) > 0) {
        const char *t = ia;
        ia = ib;
        ib = t;
    }
    snprintf(buf, len, "%s-%s", ia, ib);
}

const char *const spec_event_kind_names[EV_KIND_COUNT] = {
    [EV_SUMMIT] = "summit",
    [EV_TREATY] = "treaty",
    [EV_SANCTIONS] = "sanctions",
    [EV_ARMS_SALES] = "arms_sales",
    [EV_FORCE_REDUCTION] = "force_reduction",
    [EV_CLASH] = "clash",
    [EV_CRISIS] = "crisis",
    [EV_UNEQUAL_PROPOSAL] = "unequal_proposal",
    [EV_IDEOLOGY_DISPUTE] = "ideology_dispute",
    [EV_REGIME_CHANGE] = "regime_change",
    [EV_ORGANISATION] = "organisation",
    [EV_DOCTRINE] = "doctrine",
    [EV_REVERSAL] = "reversal",
    [EV_OPENING] = "opening",
    [EV_ECONOMY] = "economy",
    [EV_BASING] = "basing",
    [EV_TRADE] = "trade",
};

const char *const spec_timing_names[TIMING_COUNT] = {
    [TIMING_AT] = "at", [TIMING_EVERY] = "every", [TIMING_POISSON] = "rate", [TIMING_SERIES] = "series"};

const char *const spec_dist_kind_names[DIST_COUNT] = {
    [DIST_FIXED] = "fixed",   [DIST_UNIFORM] = "uniform",      [DIST_NORMAL] = "normal",
    [DIST_BETA] = "beta",     [DIST_LOGNORMAL] = "lognormal"};

const char *const spec_target_kind_names[TARGET_COUNT] = {
    [TARGET_UP] = "up",
    [TARGET_DOWN] = "down",
    [TARGET_COMMIT_START] = "start",
    [TARGET_COMMIT_END] = "end",
    [TARGET_STAYS_BELOW] = "stays_below"};

const char *const spec_commitment_names[SPEC_C_COUNT] = {"nonaggression", "consultation", "defence"};

const char *spec_event_kind_name(spec_event_kind k)
{
    return (unsigned)k < EV_KIND_COUNT ? spec_event_kind_names[k] : NULL;
}

int spec_event_kind_from_name(const char *name)
{
    for (int k = 0; k < EV_KIND_COUNT; k++)
        if (strcmp(spec_event_kind_names[k], name) == 0)
            return k;
    return -1;
}

void spec_commitments_format(unsigned c, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < SPEC_C_COUNT; i++) {
        if (!(c & (1u << i)))
            continue;
        int w = snprintf(buf + used, len - used, "%s%s", used ? "," : "", spec_commitment_names[i]);
        if (w < 0 || (size_t)w >= len - used)
            return;
        used += (size_t)w;
    }
    if (used == 0)
        snprintf(buf, len, "none");
}

unsigned spec_commitment_from_name(const char *name)
{
    for (unsigned i = 0; i < SPEC_C_COUNT; i++)
        if (strcmp(spec_commitment_names[i], name) == 0)
            return 1u << i;
    return 0;
}

int model_spec_param_per_occurrence(const model_spec *s, size_t i)
{
    if (i < MP_COUNT || i >= s->nparams || s->params[i].dist.kind == DIST_FIXED)
        return 0;
    for (size_t k = 0; k < s->nevents; k++)
        if (s->events[k].p_magnitude == i)
            return 1;
    return 0;
}

int model_spec_param_per_replication(const model_spec *s, size_t i)
{
    return i < s->nparams && ((s->params[i].dist.kind != DIST_FIXED && !model_spec_param_per_occurrence(s, i)) ||
                              model_spec_param_in_posterior(s, i));
}

int model_spec_param_in_posterior(const model_spec *s, size_t i)
{
    for (size_t c = 0; c < s->posterior.ncols; c++)
        if (s->posterior.param[c] == i)
            return 1;
    return 0;
}

int model_spec_set_posterior(model_spec *s, size_t n, size_t ncols, const size_t *param, const int64_t *id,
                             const double *weight, const double *value, const char *source)
{
    if (n == 0 || ncols == 0 || n > SIZE_MAX / sizeof(double) / ncols)
        return -1;
    spec_posterior p = {0};
    p.n = n;
    p.ncols = ncols;
    p.param = malloc(ncols * sizeof *p.param);
    p.id = malloc(n * sizeof *p.id);
    p.weight = malloc(n * sizeof *p.weight);
    p.cum = malloc(n * sizeof *p.cum);
    p.value = malloc(n * ncols * sizeof *p.value);
    if (!p.param || !p.id || !p.weight || !p.cum || !p.value) {
        free(p.param);
        free(p.id);
        free(p.weight);
        free(p.cum);
        free(p.value);
        return -1;
    }
    memcpy(p.param, param, ncols * sizeof *p.param);
    memcpy(p.id, id, n * sizeof *p.id);
    memcpy(p.weight, weight, n * sizeof *p.weight);
    memcpy(p.value, value, n * ncols * sizeof *p.value);
    double sum = 0.0;
    for (size_t r = 0; r < n; r++)
        p.cum[r] = sum += weight[r];
    snprintf(p.source, sizeof p.source, "%s", source ? source : "");
    free(s->posterior.param);
    free(s->posterior.id);
    free(s->posterior.weight);
    free(s->posterior.cum);
    free(s->posterior.value);
    s->posterior = p;
    return 0;
}

size_t spec_posterior_pick(const spec_posterior *p, double u)
{
    double x = u * p->cum[p->n - 1];
    size_t lo = 0, hi = p->n - 1;
    /* The first r with cum[r] > x; rows of weight 0 have cum equal to their
     * predecessor's and are never the first. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    /* Rounding can leave x at the total: take the last row with weight. */
    while (lo > 0 && p->weight[lo] <= 0.0)
        lo--;
    return lo;
}

long spec_posterior_row(const spec_posterior *p, int64_t id)
{
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->id[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->n && p->id[lo] == id ? (long)lo : -1;
}

const char *spec_target_kind_name(spec_target_kind k)
{
    return (unsigned)k < TARGET_COUNT ? spec_target_kind_names[k] : "?";
}
