/*
 * check_budget - the expected-event budget of a scenario (docs/SCENARIO.md,
 * "Limits"): before anything runs, the loader bounds how many kernel events
 * one replication can ask for, so that a timing such as `every = 1e-9` or a
 * rate drawn from a lognormal with mu = 30 is a FILE:LINE error at check
 * time rather than a replication that runs into the event limit (or, before
 * there was one, into the memory of the machine).
 *
 * The count, over the replication's span [start, horizon]:
 *   - data years and mid-year samples: one each per year;
 *   - reviews: span / review_every_years;
 *   - each event, over its window [from, until) cut to the span:
 *       at       1 occurrence
 *       every    window / every + 1
 *       rate     rate * window (the Poisson mean)
 *       series   the series' points
 *     twice (an occurrence may schedule its own end or lapse), with every
 *     drawn value at its unfavourable 0.999 quantile (`every` at its 0.001
 *     quantile, `rate` at its 0.999 quantile), clamped to the parameter's
 *     range as draws are.
 * A count above max_events is an error at the setting that contributes
 * most.  The run-time limit (model_run, AS_ELIMIT) still catches the rare
 * replication beyond the budget.
 */
#include "scenario/check.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "scenario/read.h"

/* The standard normal's 0.999 quantile (gsl_cdf_ugaussian_Pinv(0.999)). */
#define Z_999 3.090232306167813

/* Parameter p at its 0.999 quantile (upper != 0) or its 0.001 quantile,
 * clamped to its range as model_draw_params clamps draws. */
static double param_quantile(const spec_param *p, int upper)
{
    const spec_dist *d = &p->dist;
    double v = p->value;
    switch (d->kind) {
    case DIST_FIXED:
        break;
    case DIST_UNIFORM:
        v = upper ? d->b : d->a;
        break;
    case DIST_NORMAL:
        v = d->a + (upper ? Z_999 : -Z_999) * d->b;
        break;
    case DIST_BETA:
        v = upper ? d->d : d->c;
        break;
    case DIST_LOGNORMAL:
        v = exp(d->a + (upper ? Z_999 : -Z_999) * d->b);
        break;
    }
    return v < p->lo ? p->lo : v > p->hi ? p->hi : v;
}

/* The largest contribution so far: where it comes from, for the message. */
typedef struct {
    double count;
    const config_setting_t *at;
    char what[160];
} contribution;

static void note(contribution *c, double count, const config_setting_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void note(contribution *c, double count, const config_setting_t *at, const char *fmt, ...)
{
    if (!(count > c->count))
        return;
    c->count = count;
    c->at = at;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->what, sizeof c->what, fmt, ap);
    va_end(ap);
}

/* Expected occurrences of event e (at its worst quantile) over the span. */
static double event_count(const loader *L, const spec_event *e, double *value, int *upper)
{
    const model_spec *s = L->spec;
    double from = e->from > s->start ? e->from : s->start;
    double until = e->until < s->horizon ? e->until : s->horizon;
    double window = until - from;
    *value = NAN;
    *upper = 0;
    if (!(window >= 0.0))
        return 0.0;
    switch (e->timing) {
    case TIMING_AT:
        return 1.0;
    case TIMING_EVERY:
        *value = param_quantile(&s->params[e->p_every], 0);
        return *value > 0.0 ? window / *value + 1.0 : INFINITY;
    case TIMING_POISSON:
        *upper = 1;
        *value = param_quantile(&s->params[e->p_rate], 1);
        return *value * window;
    case TIMING_SERIES:
        return e->series >= 0 ? (double)s->series[e->series].n : 0.0;
    }
    return 0.0;
}

void ld_check_budget(loader *L, const config_setting_t *root)
{
    const model_spec *s = L->spec;
    if (L->nerrors || L->oom || !L->dates_ok)
        return; /* the values may be half-read */
    double span = s->horizon - s->start;
    contribution big = {0};
    double total = 2.0 * (span + 1.0);
    note(&big, total, ld_member(root, "horizon") ? ld_member(root, "horizon") : root,
         "data years and samples over %.15g years", span);

    const config_setting_t *model = ld_member(root, "model");
    const config_setting_t *rv = model ? ld_member(model, "review_every_years") : NULL;
    double every = param_quantile(&s->params[MP_REVIEW_EVERY], 0);
    double reviews = every > 0.0 ? span / every + 1.0 : INFINITY;
    total += reviews;
    note(&big, reviews, rv ? rv : root, "reviews every %.3g years over %.15g years", every, span);

    const config_setting_t *list = ld_member(root, "events");
    for (size_t i = 0; i < s->nevents; i++) {
        const spec_event *e = &s->events[i];
        double value;
        int upper;
        double n = 2.0 * event_count(L, e, &value, &upper);
        total += n;
        const config_setting_t *g = list ? config_setting_get_elem(list, (unsigned)i) : NULL;
        const char *key = e->timing == TIMING_EVERY ? "every" : e->timing == TIMING_POISSON ? "rate" : NULL;
        const config_setting_t *at = g && key ? ld_member(g, key) : g;
        if (key)
            note(&big, n, at ? at : root, "%s %.3g%s (its %s)", key, value,
                 e->timing == TIMING_EVERY ? " years" : " per year",
                 s->params[upper ? e->p_rate : e->p_every].dist.kind == DIST_FIXED ? "value"
                 : upper                                                        ? "0.999 quantile"
                                                                                : "0.001 quantile");
        else
            note(&big, n, at ? at : root, "%s occurrences", e->timing == TIMING_AT ? "its" : "its series'");
    }
    if (total <= (double)s->max_events)
        return;
    ld_error(L, big.at,
             "expected at most max_events = %llu kernel events per replication, found about %.3g "
             "(most from %s); raise max_events if so many are meant",
             (unsigned long long)s->max_events, total, big.what);
}
