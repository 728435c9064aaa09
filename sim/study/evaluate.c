/*
 * evaluate - replications on worker threads for the study commands (see
 * evaluate.h).
 *
 * Each call starts min(threads, ntasks) - 1 extra threads; the calling
 * thread works too and is the only one that reports progress.  Tasks are
 * handed out one at a time under a mutex (a replication takes about half a
 * millisecond, far more than the lock), and each writes only its own slots.
 * After a failure the remaining tasks are skipped.
 */
#include "study/evaluate.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/milestones.h"
#include "model/model.h"

/* One worker's private state; also the observer context of its model. */
typedef struct {
    model *m;
    milestones *ms;
    double *v;              /* parameter vector of the current replication */
    /* label-5 tracking of the watched dyad (see on_change) */
    size_t watch;           /* model dyad index or SIZE_MAX */
    int watch_rung;         /* lowest rung index with label >= 5, or -1 */
    double after;           /* outcome.alliance_after */
    int prev_rung;
    double prev_time;
    double l5_year;
} worker;

struct study_eval {
    const model_spec *spec;
    unsigned threads;
    size_t *free_idx;
    size_t nfree;
    worker *w;
    size_t watch;           /* model dyad index or SIZE_MAX */
    int watch_rung;         /* lowest rung index with label >= 5, or -1 */
};

/* Shared state of one study_eval_run call. */
typedef struct {
    study_eval *ev;
    const eval_task *tasks;
    size_t ntasks;
    eval_rep *out;
    double *errors, *years;
    pthread_mutex_t mu;
    size_t next, done;
    int failed;
    char msg[256];
} run_state;

typedef struct {
    run_state *rs;
    worker *w;
} thread_arg;

size_t study_watch_dyad(const model_spec *spec)
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

int study_param_settable(const model_spec *spec, size_t p)
{
    if (p >= spec->nparams)
        return 0;
    if (p < MP_COUNT || spec->params[p].dist.kind == DIST_FIXED)
        return 1;
    for (size_t i = 0; i < spec->nevents; i++)
        if (spec->events[i].p_magnitude == p)
            return 0;
    return 1;
}

/* The rung index from which the watched label counts: the first rung whose
 * label is >= EVAL_WATCH_LABEL, provided the ladder has that label. */
static int watch_rung_of(const model_spec *spec)
{
    int has = 0, first = -1;
    for (int r = 0; r < spec->nrungs; r++) {
        if (spec->ladder[r].label == EVAL_WATCH_LABEL)
            has = 1;
        if (first < 0 && spec->ladder[r].label >= EVAL_WATCH_LABEL)
            first = r;
    }
    return has ? first : -1;
}

/*
 * Observer callback.  The label-5 date is the first t >= after at which the
 * watched dyad is at or above the watched rung: a state held over
 * [prev_time, t) that reaches past `after` counts from max(prev_time, after),
 * as the milestone tracker dates its targets.
 */
static void watch_interval(worker *w, double t)
{
    if (isnan(w->l5_year) && w->prev_rung >= w->watch_rung && t > w->after)
        w->l5_year = fmax(w->prev_time, w->after);
}

static void on_change(void *ctx, double time, size_t dyad, int rung, unsigned commitments)
{
    worker *w = ctx;
    milestones_change(w->ms, time, dyad, rung, commitments);
    if (dyad != w->watch || w->watch_rung < 0)
        return;
    if (w->prev_rung >= 0)
        watch_interval(w, time);
    w->prev_rung = rung;
    w->prev_time = time;
    if (isnan(w->l5_year) && rung >= w->watch_rung && time >= w->after)
        w->l5_year = time;
}

/* Runs task i on worker w; 0 or -1 with a message in msg. */
static int run_task(study_eval *ev, worker *w, const eval_task *t, eval_rep *out, double *errors,
                    double *years, char *msg, size_t msglen)
{
    const model_spec *s = ev->spec;
    model_draw_params(w->m, t->seed, w->v);
    if (t->values)
        for (size_t k = 0; k < ev->nfree; k++)
            w->v[ev->free_idx[k]] = t->values[k];
    milestones_reset(w->ms);
    w->prev_rung = -1;
    w->prev_time = s->start;
    w->l5_year = NAN;
    model_observer obs = {w, NULL, NULL, on_change};
    model_outcome mo;
    int rc = model_run(w->m, t->seed, w->v, &obs, &mo);
    if (rc != MODEL_OK) {
        snprintf(msg, msglen, "replication with seed %llu failed (model error %d)",
                 (unsigned long long)t->seed, rc);
        return -1;
    }
    milestones_finish(w->ms, s->horizon);
    if (w->watch_rung >= 0 && w->prev_rung >= 0)
        watch_interval(w, s->horizon + 1e-9);
    if (w->l5_year > s->horizon)
        w->l5_year = NAN;
    milestones_score sc = milestones_get_score(w->ms);
    out->alliance_year = mo.alliance_year;
    out->reversal = mo.reversal;
    out->l5_year = w->l5_year;
    out->within1 = sc.targets ? (double)sc.within1 / (double)sc.targets : NAN;
    out->within2 = sc.targets ? (double)sc.within2 / (double)sc.targets : NAN;
    for (size_t i = 0; i < s->ntargets; i++) {
        if (errors)
            errors[i] = milestones_error(w->ms, i);
        if (years)
            years[i] = milestones_sim_year(w->ms, i);
    }
    return 0;
}

/* Takes and runs tasks until none is left or one failed. */
static void work(run_state *rs, worker *w, void (*progress)(void *, uint64_t, uint64_t), void *pctx)
{
    study_eval *ev = rs->ev;
    size_t nt = ev->spec->ntargets;
    struct timespec last = {0, 0};
    for (;;) {
        pthread_mutex_lock(&rs->mu);
        if (rs->failed || rs->next >= rs->ntasks) {
            pthread_mutex_unlock(&rs->mu);
            return;
        }
        size_t i = rs->next++;
        pthread_mutex_unlock(&rs->mu);
        char msg[256];
        int rc = run_task(ev, w, &rs->tasks[i], &rs->out[i], rs->errors ? rs->errors + i * nt : NULL,
                          rs->years ? rs->years + i * nt : NULL, msg, sizeof msg);
        pthread_mutex_lock(&rs->mu);
        rs->done++;
        size_t done = rs->done;
        if (rc != 0 && !rs->failed) {
            rs->failed = 1;
            snprintf(rs->msg, sizeof rs->msg, "%s", msg);
        }
        pthread_mutex_unlock(&rs->mu);
        if (progress) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            double dt = (double)(now.tv_sec - last.tv_sec) + 1e-9 * (double)(now.tv_nsec - last.tv_nsec);
            if (dt >= 0.2 || done == rs->ntasks) {
                progress(pctx, done, rs->ntasks);
                last = now;
            }
        }
    }
}

static void *thread_main(void *p)
{
    thread_arg *a = p;
    work(a->rs, a->w, NULL, NULL);
    return NULL;
}

study_eval *study_eval_alloc(const model_spec *spec, unsigned threads, const size_t *free_idx,
                             size_t nfree)
{
    if (threads < 1)
        threads = 1;
    study_eval *ev = calloc(1, sizeof *ev);
    if (!ev)
        return NULL;
    ev->spec = spec;
    ev->threads = threads;
    ev->nfree = nfree;
    ev->watch = study_watch_dyad(spec);
    ev->watch_rung = ev->watch == SIZE_MAX ? -1 : watch_rung_of(spec);
    ev->free_idx = calloc(nfree ? nfree : 1, sizeof *ev->free_idx);
    ev->w = calloc(threads, sizeof *ev->w);
    if (!ev->free_idx || !ev->w)
        goto fail;
    for (size_t k = 0; k < nfree; k++) {
        if (free_idx[k] >= spec->nparams)
            goto fail;
        ev->free_idx[k] = free_idx[k];
    }
    for (unsigned t = 0; t < threads; t++) {
        worker *w = &ev->w[t];
        w->m = model_alloc(spec);
        w->ms = milestones_alloc(spec);
        w->v = calloc(spec->nparams ? spec->nparams : 1, sizeof *w->v);
        w->watch = ev->watch;
        w->watch_rung = ev->watch_rung;
        w->after = spec->alliance_after;
        if (!w->m || !w->ms || !w->v)
            goto fail;
    }
    return ev;
fail:
    study_eval_free(ev);
    return NULL;
}

void study_eval_free(study_eval *ev)
{
    if (!ev)
        return;
    if (ev->w)
        for (unsigned t = 0; t < ev->threads; t++) {
            model_free(ev->w[t].m);
            milestones_free(ev->w[t].ms);
            free(ev->w[t].v);
        }
    free(ev->w);
    free(ev->free_idx);
    free(ev);
}

int study_eval_run(study_eval *ev, const eval_task *tasks, size_t ntasks, eval_rep *out,
                   double *errors, double *years,
                   void (*progress)(void *ctx, uint64_t done, uint64_t total), void *progress_ctx,
                   char *err, size_t errlen)
{
    if (ntasks == 0)
        return 0;
    run_state rs;
    memset(&rs, 0, sizeof rs);
    rs.ev = ev;
    rs.tasks = tasks;
    rs.ntasks = ntasks;
    rs.out = out;
    rs.errors = errors;
    rs.years = years;
    if (pthread_mutex_init(&rs.mu, NULL) != 0) {
        snprintf(err, errlen, "cannot create a mutex");
        return -1;
    }
    unsigned nthreads = ev->threads;
    if ((size_t)nthreads > ntasks)
        nthreads = (unsigned)ntasks;
    pthread_t tid[1024];
    thread_arg args[1024];
    unsigned started = 0;
    for (unsigned t = 1; t < nthreads && t < 1024; t++) {
        args[t] = (thread_arg){&rs, &ev->w[t]};
        if (pthread_create(&tid[t], NULL, thread_main, &args[t]) != 0)
            break;
        started = t;
    }
    work(&rs, &ev->w[0], progress, progress_ctx);
    for (unsigned t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
    pthread_mutex_destroy(&rs.mu);
    if (rs.failed) {
        snprintf(err, errlen, "%s", rs.msg);
        return -1;
    }
    return 0;
}
