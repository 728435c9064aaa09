/*
 * rep - one replication for the studies, and the tally (see rep.h).
 *
 * The label-5 date is tracked from the model's change callback: the first
 * t >= after at which the watched dyad is at or above the watched rung.  A
 * state held over [prev_time, t) that reaches past `after` counts from
 * max(prev_time, after), as the milestone tracker dates its targets.
 */
#include "run/rep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "stats/stats.h"

struct rep_worker {
    const model_spec *spec;
    model *m;
    milestones *ms;
    double *v;              /* the parameter vector of the current replication */
    size_t watch;           /* model dyad index or SIZE_MAX */
    int watch_rung;         /* lowest rung with label >= REP_WATCH_LABEL, or -1 */
    int prev_rung;
    double prev_time, l5_year;
    int (*sample)(void *ctx, int year, const model *m);
    void *sample_ctx;
};

size_t rep_watch_dyad(const model_spec *spec)
{
    int a = model_spec_find_actor(spec, "china");
    int b = model_spec_find_actor(spec, "russia");
    if (a < 0 || b < 0) {
        a = spec->outcome_a;
        b = spec->outcome_b;
    }
    if (a < 0 || b < 0 || a == b || a >= spec->nactors || b >= spec->nactors)
        return SIZE_MAX;
    return spec_dyad_index(spec->nactors, a, b);
}

int rep_param_settable(const model_spec *spec, size_t p)
{
    if (p >= spec->nparams)
        return 0;
    return !model_spec_param_per_occurrence(spec, p);
}

/* The rung index from which the watched label counts: the first rung whose
 * label is >= REP_WATCH_LABEL, provided the ladder has that label. */
static int watch_rung_of(const model_spec *spec)
{
    int has = 0, first = -1;
    for (int r = 0; r < spec->nrungs; r++) {
        if (spec->ladder[r].label == REP_WATCH_LABEL)
            has = 1;
        if (first < 0 && spec->ladder[r].label >= REP_WATCH_LABEL)
            first = r;
    }
    return has ? first : -1;
}

rep_worker *rep_worker_alloc(const model_spec *spec)
{
    rep_worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->spec = spec;
    w->m = model_alloc(spec);
    w->ms = milestones_alloc(spec);
    w->v = calloc(spec->nparams ? spec->nparams : 1, sizeof *w->v);
    w->watch = rep_watch_dyad(spec);
    w->watch_rung = w->watch == SIZE_MAX ? -1 : watch_rung_of(spec);
    if (!w->m || !w->ms || !w->v) {
        rep_worker_free(w);
        return NULL;
    }
    return w;
}

void rep_worker_free(rep_worker *w)
{
    if (!w)
        return;
    model_free(w->m);
    milestones_free(w->ms);
    free(w->v);
    free(w);
}

static void watch_interval(rep_worker *w, double t)
{
    double after = w->spec->alliance_after;
    if (isnan(w->l5_year) && w->prev_rung >= w->watch_rung && t > after)
        w->l5_year = fmax(w->prev_time, after);
}

static void on_change(void *ctx, double time, size_t dyad, int rung, unsigned commitments)
{
    rep_worker *w = ctx;
    milestones_change(w->ms, time, dyad, rung, commitments);
    if (dyad != w->watch || w->watch_rung < 0)
        return;
    if (w->prev_rung >= 0)
        watch_interval(w, time);
    w->prev_rung = rung;
    w->prev_time = time;
    if (isnan(w->l5_year) && rung >= w->watch_rung && time >= w->spec->alliance_after)
        w->l5_year = time;
}

static int on_sample(void *ctx, int year, const model *m)
{
    rep_worker *w = ctx;
    return w->sample ? w->sample(w->sample_ctx, year, m) : 0;
}

int rep_run(rep_worker *w, uint64_t seed, const size_t *idx, const double *values, size_t nvalues,
            int (*sample)(void *ctx, int year, const model *m), void *sample_ctx, rep_outcome *out, char *err,
            size_t errlen)
{
    const model_spec *s = w->spec;
    long particle = model_draw_params(w->m, seed, w->v);
    for (size_t k = 0; k < nvalues; k++)
        w->v[idx[k]] = values[k];
    milestones_reset(w->ms);
    w->prev_rung = -1;
    w->prev_time = s->start;
    w->l5_year = NAN;
    w->sample = sample;
    w->sample_ctx = sample_ctx;
    model_observer obs = {w, NULL, on_sample, on_change};
    model_outcome mo;
    int rc = model_run(w->m, seed, w->v, &obs, &mo);
    if (rc != MODEL_OK) {
        snprintf(err, errlen, "the model failed (code %d)", rc);
        return AS_ERUNTIME;
    }
    milestones_finish(w->ms, s->horizon);
    if (w->watch_rung >= 0 && w->prev_rung >= 0)
        watch_interval(w, s->horizon + 1e-9);
    if (w->l5_year > s->horizon)
        w->l5_year = NAN;
    milestones_score sc = milestones_get_score(w->ms);
    out->alliance_year = mo.alliance_year;
    out->reversal = mo.reversal;
    out->reversal_onset = mo.reversal_onset;
    out->l5_year = w->l5_year;
    out->targets = sc.targets;
    out->within1 = sc.within1;
    out->within2 = sc.within2;
    out->particle = particle;
    return AS_OK;
}

const milestones *rep_milestones(const rep_worker *w)
{
    return w->ms;
}

const double *rep_params(const rep_worker *w)
{
    return w->v;
}

/* ---- the tally --------------------------------------------------- */

void rep_tally_init(rep_tally *t, double origin)
{
    memset(t, 0, sizeof *t);
    xsum_init(&t->l5_sum);
    xsum_init(&t->l5_sq);
    t->origin = origin;
}

void rep_tally_add(rep_tally *t, const rep_outcome *o)
{
    t->n++;
    t->alliances += isnan(o->alliance_year) ? 0u : 1u;
    t->reversals += o->reversal ? 1u : 0u;
    if (!isnan(o->l5_year)) {
        double d = o->l5_year - t->origin;
        t->l5_n++;
        xsum_add(&t->l5_sum, d);
        xsum_add(&t->l5_sq, d * d);
    }
    t->targets += o->targets;
    t->within1 += o->within1;
    t->within2 += o->within2;
}

void rep_tally_merge(rep_tally *dst, const rep_tally *src)
{
    dst->n += src->n;
    dst->alliances += src->alliances;
    dst->reversals += src->reversals;
    dst->l5_n += src->l5_n;
    xsum_merge(&dst->l5_sum, &src->l5_sum);
    xsum_merge(&dst->l5_sq, &src->l5_sq);
    dst->targets += src->targets;
    dst->within1 += src->within1;
    dst->within2 += src->within2;
}

void rep_tally_pack(const rep_tally *t, buf *out)
{
    buf_append_u64(out, t->n);
    buf_append_u64(out, t->alliances);
    buf_append_u64(out, t->reversals);
    buf_append_u64(out, t->l5_n);
    xsum_pack(&t->l5_sum, out);
    xsum_pack(&t->l5_sq, out);
    buf_append_u64(out, t->targets);
    buf_append_u64(out, t->within1);
    buf_append_u64(out, t->within2);
}

void rep_tally_unpack(rep_tally *t, buf_reader *r)
{
    t->n = buf_read_u64(r);
    t->alliances = buf_read_u64(r);
    t->reversals = buf_read_u64(r);
    t->l5_n = buf_read_u64(r);
    xsum_unpack(&t->l5_sum, r);
    xsum_unpack(&t->l5_sq, r);
    t->targets = buf_read_u64(r);
    t->within1 = buf_read_u64(r);
    t->within2 = buf_read_u64(r);
}

void rep_tally_stats(const rep_tally *t, double conf, double horizon, rep_stats *s)
{
    double n = (double)t->n;
    s->p = s->p_lo = s->p_hi = s->l5_share = s->l5_mean = s->l5_lo = s->l5_hi = NAN;
    s->l5_censored_mean = s->within1 = s->within2 = NAN;
    if (t->n == 0)
        return;
    s->p = (double)t->alliances / n;
    if (stats_clopper_pearson(t->alliances, t->n, conf, &s->p_lo, &s->p_hi) != AS_OK)
        s->p_lo = s->p_hi = NAN;
    s->l5_share = (double)t->l5_n / n;
    double sum = xsum_value(&t->l5_sum);
    if (t->l5_n > 0) {
        double m = sum / (double)t->l5_n;
        s->l5_mean = t->origin + m;
        if (t->l5_n >= 2) {
            double ss = xsum_value(&t->l5_sq) - sum * m;
            double sd = sqrt(fmax(ss, 0.0) / (double)(t->l5_n - 1));
            if (stats_mean_ci(t->l5_n, s->l5_mean, sd, conf, &s->l5_lo, &s->l5_hi) != AS_OK)
                s->l5_lo = s->l5_hi = NAN;
        }
    }
    double never = n - (double)t->l5_n;
    s->l5_censored_mean = (t->origin * (double)t->l5_n + sum + never * horizon) / n;
    if (t->targets > 0) {
        s->within1 = (double)t->within1 / (double)t->targets;
        s->within2 = (double)t->within2 / (double)t->targets;
    }
}
