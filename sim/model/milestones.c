/*
 * milestones - first-hit times of the calibration targets, computed online
 * from label and commitment changes.
 *
 * For every dyad the tracker keeps the state in force and the time it began;
 * a condition that held over an interval [t0, t1) that reaches past `after`
 * is dated max(t0, after).
 */
#include "model/milestones.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
    int known;
    double since;
    int rung;
    unsigned commit;
} dyad_state;

struct milestones {
    const model_spec *spec;
    size_t *target_dyad;    /* model dyad index of each target */
    double *sim_year;
    dyad_state *dyads;
    size_t nd;
};

milestones *milestones_alloc(const model_spec *spec)
{
    milestones *ms = calloc(1, sizeof *ms);
    if (!ms)
        return NULL;
    ms->spec = spec;
    ms->nd = spec_ndyads(spec->nactors);
    size_t nt = spec->ntargets ? spec->ntargets : 1;
    ms->target_dyad = calloc(nt, sizeof *ms->target_dyad);
    ms->sim_year = calloc(nt, sizeof *ms->sim_year);
    ms->dyads = calloc(ms->nd ? ms->nd : 1, sizeof *ms->dyads);
    if (!ms->target_dyad || !ms->sim_year || !ms->dyads) {
        milestones_free(ms);
        return NULL;
    }
    for (size_t i = 0; i < spec->ntargets; i++)
        ms->target_dyad[i] = spec_dyad_index(spec->nactors, spec->targets[i].a, spec->targets[i].b);
    milestones_reset(ms);
    return ms;
}

void milestones_free(milestones *ms)
{
    if (!ms)
        return;
    free(ms->target_dyad);
    free(ms->sim_year);
    free(ms->dyads);
    free(ms);
}

void milestones_reset(milestones *ms)
{
    for (size_t i = 0; i < ms->spec->ntargets; i++)
        ms->sim_year[i] = NAN;
    for (size_t i = 0; i < ms->nd; i++)
        ms->dyads[i].known = 0;
}

/* Does the state (rung, commit) satisfy target t's condition? */
static int holds(const model_spec *s, const spec_target *t, int rung, unsigned commit)
{
    int label = s->ladder[rung].label;
    switch (t->kind) {
    case TARGET_UP:
        return label >= t->label;
    case TARGET_DOWN:
        return label <= t->label;
    case TARGET_COMMIT_START:
        return (commit & t->commitment) != 0;
    case TARGET_COMMIT_END:
        return (commit & t->commitment) == 0;
    case TARGET_STAYS_BELOW:
        return label >= t->label; /* the violation */
    }
    return 0;
}

/* The state of dyad d held over [t0, t1): date the targets it satisfies. */
static void close_interval(milestones *ms, size_t d, double t1)
{
    const model_spec *s = ms->spec;
    const dyad_state *st = &ms->dyads[d];
    for (size_t i = 0; i < s->ntargets; i++) {
        const spec_target *t = &s->targets[i];
        if (ms->target_dyad[i] != d || !isnan(ms->sim_year[i]))
            continue;
        double from = st->since > t->after ? st->since : t->after;
        double end = t->kind == TARGET_STAYS_BELOW && t->year < t1 ? t->year : t1;
        if (from <= end && (from < end || from == st->since) && holds(s, t, st->rung, st->commit))
            ms->sim_year[i] = from;
    }
}

void milestones_change(milestones *ms, double time, size_t dyad, int rung, unsigned commit)
{
    dyad_state *st = &ms->dyads[dyad];
    if (st->known)
        close_interval(ms, dyad, time);
    st->known = 1;
    st->since = time;
    st->rung = rung;
    st->commit = commit;
}

void milestones_finish(milestones *ms, double horizon)
{
    for (size_t d = 0; d < ms->nd; d++)
        if (ms->dyads[d].known)
            close_interval(ms, d, horizon);
}

double milestones_sim_year(const milestones *ms, size_t i)
{
    return ms->sim_year[i];
}

double milestones_error(const milestones *ms, size_t i)
{
    const spec_target *t = &ms->spec->targets[i];
    if (t->kind == TARGET_STAYS_BELOW)
        return isnan(ms->sim_year[i]) ? 0.0 : NAN;
    return ms->sim_year[i] - t->year;
}

milestones_score milestones_get_score(const milestones *ms)
{
    milestones_score sc = {ms->spec->ntargets, 0, 0, 0, NAN};
    double sum = 0.0;
    size_t n = 0;
    for (size_t i = 0; i < ms->spec->ntargets; i++) {
        double e = milestones_error(ms, i);
        if (isnan(e)) {
            sc.missed++;
            continue;
        }
        double a = fabs(e);
        sum += a;
        n++;
        if (a <= 1.0)
            sc.within1++;
        if (a <= 2.0)
            sc.within2++;
    }
    if (n)
        sc.mae_years = sum / (double)n;
    return sc;
}
