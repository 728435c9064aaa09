/*
 * calibrate - loss, Nelder-Mead search with restarts, and the calibration
 * files (see calibrate.h).
 *
 * The objective handed to GSL works in the logit space of the free
 * parameters; it maps a point back to parameter values and runs the fixed
 * replications as one job on the executor, whose exact sums of the losses
 * come back to every rank.  GSL's callback cannot report an error, so a
 * failure (or a stop request) is kept in the objective's context and the
 * loss returned is NaN, which makes the minimiser stop with GSL_EBADFUNC;
 * the caller then reports the kept code and message.
 */
#include "study/calibrate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_vector.h>

#include "base/buf.h"
#include "base/status.h"
#include "io/atomic.h"
#include "run/batch.h"
#include "run/msacc.h"
#include "run/rep.h"
#include "run/summary.h"
#include "stats/xsum.h"

/* Initial simplex steps in the logit space: a start, and the polish. */
#define START_STEP 1.0
#define POLISH_STEP 0.5

void calibrate_result_clear(calibrate_result *r)
{
    free(r->trace);
    r->trace = NULL;
    r->ntrace = 0;
}

int calibrate_in_window(const model_spec *spec, const spec_calibrate *cal, size_t i)
{
    return spec->targets[i].year <= cal->fit_until;
}

/* Capped squared error of a date error (NaN: missed). */
static double capped(double e, double cap)
{
    if (isnan(e))
        return cap * cap;
    double sq = e * e;
    return sq < cap * cap ? sq : cap * cap;
}

double calibrate_rep_loss(const model_spec *spec, const spec_calibrate *cal, const double *errors,
                          const double *years, int in_window, size_t *count)
{
    double cap = cal->cap_years, loss = 0.0;
    size_t n = 0;
    for (size_t i = 0; i < spec->ntargets; i++) {
        if ((calibrate_in_window(spec, cal, i) != 0) != (in_window != 0))
            continue;
        loss += capped(errors[i], cap);
        n++;
    }
    for (size_t o = 0; o < cal->norders; o++) {
        size_t a = cal->orders[o].first, b = cal->orders[o].second;
        int inw = calibrate_in_window(spec, cal, a) && calibrate_in_window(spec, cal, b);
        if (inw != (in_window != 0))
            continue;
        n++;
        double ya = years[a], yb = years[b];
        if (isnan(ya) || isnan(yb))
            loss += cap * cap;
        else if (ya > yb)
            loss += capped(ya - yb, cap);
    }
    if (count)
        *count = n;
    return loss;
}

/* ------------------------------------------------------------------ */
/* The objective                                                      */
/* ------------------------------------------------------------------ */

/*
 * One loss evaluation is a job on the executor: task r is replication r
 * (seed batch_rep_seed(seed, r)) at the trial values; the accumulator holds
 * the exact sums of the per-replication losses in and out of the window
 * (stats/xsum) and, for the final evaluation, the milestone results
 * (run/msacc) of fit.tsv.  Exact sums make the loss the same bytes for any
 * -j and rank count; the result goes to every rank, whose simplex steps in
 * lock-step with the others.
 */
typedef struct {
    const model_spec *spec;
    const spec_calibrate *cal;
    size_t idx[SPEC_MAX_FREE];      /* the free parameters' indices */
    double values[SPEC_MAX_FREE];   /* the trial values of the running job */
    int with_ms;                    /* also the milestone results */
} loss_ctx;

typedef struct {
    xsum in, out;                   /* sums of the losses */
    uint64_t n_in, n_out;           /* terms per replication (the same in each) */
    msacc *ms;                      /* with_ms only */
} loss_acc;

typedef struct {
    rep_worker *rw;
    double *errors, *years;         /* ntargets each */
} loss_worker;

static void *lw_alloc(void *ctx)
{
    loss_ctx *c = ctx;
    size_t nt = c->spec->ntargets ? c->spec->ntargets : 1;
    loss_worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->rw = rep_worker_alloc(c->spec);
    w->errors = malloc(nt * sizeof *w->errors);
    w->years = malloc(nt * sizeof *w->years);
    if (!w->rw || !w->errors || !w->years) {
        rep_worker_free(w->rw);
        free(w->errors);
        free(w->years);
        free(w);
        return NULL;
    }
    return w;
}

static void lw_free(void *ctx, void *wp)
{
    (void)ctx;
    loss_worker *w = wp;
    if (!w)
        return;
    rep_worker_free(w->rw);
    free(w->errors);
    free(w->years);
    free(w);
}

static int lw_run(void *ctx, void *wp, const engine_task *t, void *accp, buf *rec, char *err, size_t errlen)
{
    (void)rec;
    loss_ctx *c = ctx;
    loss_worker *w = wp;
    loss_acc *a = accp;
    rep_outcome out;
    int rc = rep_run(w->rw, t->seed, c->idx, c->values, c->cal->nfree, NULL, NULL, &out, err, errlen);
    if (rc != AS_OK)
        return rc;
    const milestones *ms = rep_milestones(w->rw);
    for (size_t i = 0; i < c->spec->ntargets; i++) {
        w->errors[i] = milestones_error(ms, i);
        w->years[i] = milestones_sim_year(ms, i);
    }
    size_t nin = 0, nout = 0;
    xsum_add(&a->in, calibrate_rep_loss(c->spec, c->cal, w->errors, w->years, 1, &nin));
    xsum_add(&a->out, calibrate_rep_loss(c->spec, c->cal, w->errors, w->years, 0, &nout));
    a->n_in = nin;
    a->n_out = nout;
    if (a->ms)
        msacc_add(a->ms, ms);
    return AS_OK;
}

static void la_free(void *ctx, void *accp)
{
    (void)ctx;
    loss_acc *a = accp;
    if (a)
        msacc_free(a->ms);
    free(a);
}

static void *la_alloc(void *ctx)
{
    loss_ctx *c = ctx;
    loss_acc *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    xsum_init(&a->in);
    xsum_init(&a->out);
    if (c->with_ms && !(a->ms = msacc_alloc(c->spec))) {
        free(a);
        return NULL;
    }
    return a;
}

static void la_reset(void *ctx, void *accp)
{
    (void)ctx;
    loss_acc *a = accp;
    xsum_init(&a->in);
    xsum_init(&a->out);
    a->n_in = a->n_out = 0;
    if (a->ms)
        msacc_reset(a->ms);
}

static int la_merge(void *ctx, void *dstp, const void *srcp)
{
    (void)ctx;
    loss_acc *d = dstp;
    const loss_acc *s = srcp;
    xsum_merge(&d->in, &s->in);
    xsum_merge(&d->out, &s->out);
    /* The term counts are the same in every replication. */
    if (s->in.n)
        d->n_in = s->n_in;
    if (s->out.n)
        d->n_out = s->n_out;
    return d->ms && s->ms ? (msacc_merge(d->ms, s->ms) == 0 ? AS_OK : AS_ERUNTIME) : AS_OK;
}

static int la_pack(void *ctx, const void *accp, buf *out)
{
    (void)ctx;
    const loss_acc *a = accp;
    xsum_pack(&a->in, out);
    xsum_pack(&a->out, out);
    buf_append_u64(out, a->n_in);
    buf_append_u64(out, a->n_out);
    size_t ml = a->ms ? msacc_packed_size(a->ms) : 0;
    buf_append_u64(out, ml);
    if (a->ms) {
        if (buf_reserve(out, ml) != 0 || msacc_pack(a->ms, out->data + out->len, ml) != 0)
            return AS_ENOMEM;
        out->len += ml;
    }
    return out->failed ? AS_ENOMEM : AS_OK;
}

static int la_unpack(void *ctx, void *accp, const unsigned char *data, size_t len)
{
    (void)ctx;
    loss_acc *a = accp;
    buf_reader r = buf_reader_of(data, len);
    loss_acc t = *a;
    xsum_unpack(&t.in, &r);
    xsum_unpack(&t.out, &r);
    t.n_in = buf_read_u64(&r);
    t.n_out = buf_read_u64(&r);
    uint64_t ml = buf_read_u64(&r);
    const unsigned char *ms = buf_read_bytes(&r, ml);
    if (r.failed || r.pos != r.len || (ml != 0) != (a->ms != NULL) ||
        (a->ms && msacc_unpack(a->ms, ms, (size_t)ml) != 0))
        return AS_ERUNTIME;
    a->in = t.in;
    a->out = t.out;
    a->n_in = t.n_in;
    a->n_out = t.n_out;
    return AS_OK;
}

static const engine_reducer loss_reducer = {
    lw_alloc, lw_free, lw_run, la_alloc, la_free, la_reset, la_merge, la_pack, la_unpack,
    NULL,     NULL,    NULL,   NULL,     NULL,
};

typedef struct {
    engine *e;
    loss_ctx c;
    loss_acc *acc;
    unsigned reps;
    uint64_t seed;
    size_t evaluations;
    int failed;                     /* an AS_* code after a failure */
    char msg[512];
    /* progress: replications done, and the estimate of the total */
    uint64_t progress_total;
} objective;

static double sigmoid(double z)
{
    return 1.0 / (1.0 + exp(-z));
}

static void to_values(const spec_calibrate *cal, const gsl_vector *z, double *values)
{
    for (size_t j = 0; j < cal->nfree; j++) {
        const spec_free_param *f = &cal->free[j];
        double v = f->min + (f->max - f->min) * sigmoid(gsl_vector_get(z, j));
        /* Rounding can push a value a hair past an end of its range. */
        values[j] = v < f->min ? f->min : v > f->max ? f->max : v;
    }
}

/* The journal key of an evaluation: its values' bits. */
static uint64_t values_key(const double *values, size_t k)
{
    uint64_t h = BUF_FNV_OFFSET;
    for (size_t j = 0; j < k; j++) {
        unsigned char w[8];
        uint64_t bits;
        memcpy(&bits, &values[j], sizeof bits);
        buf_put_u64(w, bits);
        h = buf_fnv1a(h, w, 8);
    }
    return h;
}

/* Runs the replications at values into ob->acc.  AS_OK, or the failure
 * (also kept in ob->failed, with its message). */
static int evaluate_at(objective *ob, const double *values)
{
    if (ob->failed)
        return ob->failed;
    memcpy(ob->c.values, values, ob->c.cal->nfree * sizeof *values);
    engine_job job;
    memset(&job, 0, sizeof job);
    job.reducer = &loss_reducer;
    job.ctx = &ob->c;
    job.ntasks = ob->reps;
    job.master = ob->seed;
    job.share_result = 1;
    job.keep_workers = 1;
    job.journal_key = values_key(values, ob->c.cal->nfree) ^ (uint64_t)ob->c.with_ms;
    job.progress_base = (uint64_t)ob->evaluations * ob->reps;
    job.progress_total = ob->progress_total > job.progress_base + ob->reps ? ob->progress_total
                                                                          : job.progress_base + ob->reps;
    int rc = engine_run(ob->e, &job, ob->acc, NULL, ob->msg, sizeof ob->msg);
    if (rc != AS_OK) {
        ob->failed = rc;
        return rc;
    }
    ob->evaluations++;
    return AS_OK;
}

/* Mean loss at values (NaN after a failure). */
static double loss_at(objective *ob, const double *values)
{
    if (evaluate_at(ob, values) != AS_OK)
        return NAN;
    return xsum_value(&ob->acc->in) / (double)ob->reps;
}

static double gsl_objective(const gsl_vector *z, void *params)
{
    objective *ob = params;
    double values[SPEC_MAX_FREE];
    to_values(ob->c.cal, z, values);
    return loss_at(ob, values);
}

/* ------------------------------------------------------------------ */
/* The search                                                         */
/* ------------------------------------------------------------------ */

typedef struct {
    calibrate_result *res;
    size_t cap;
    uint64_t done, total;      /* iterations: done by finished starts, upper bound */
} search;

static int add_step(search *s, const calibrate_step *st)
{
    calibrate_result *r = s->res;
    if (r->ntrace == s->cap) {
        size_t nc = s->cap ? 2 * s->cap : 256;
        calibrate_step *t = realloc(r->trace, nc * sizeof *t);
        if (!t)
            return -1;
        r->trace = t;
        s->cap = nc;
    }
    r->trace[r->ntrace++] = *st;
    return 0;
}

/* The failure kept by the objective, as the function's result. */
static int objective_failure(const objective *ob, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s", ob->msg);
    return ob->failed;
}

/* One Nelder-Mead run from z0 with initial steps `step`.  Records the trace
 * and updates the best point.  Returns an AS_* code with a message in err. */
static int run_start(objective *ob, search *s, unsigned start, const double *z0, double step, char *err,
                     size_t errlen)
{
    const spec_calibrate *cal = ob->c.cal;
    size_t k = cal->nfree;
    int rc = AS_ENOMEM;
    gsl_vector *x = gsl_vector_alloc(k), *ss = gsl_vector_alloc(k);
    gsl_multimin_fminimizer *m = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, k);
    if (!x || !ss || !m) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for (size_t j = 0; j < k; j++)
        gsl_vector_set(x, j, z0[j]);
    gsl_vector_set_all(ss, step);
    gsl_multimin_function F = {gsl_objective, k, ob};
    int st = gsl_multimin_fminimizer_set(m, &F, x, ss);
    if (ob->failed) {
        rc = objective_failure(ob, err, errlen);
        goto done;
    }
    rc = AS_ERUNTIME;
    if (st != GSL_SUCCESS) {
        snprintf(err, errlen, "the simplex could not start: %s", gsl_strerror(st));
        goto done;
    }
    /* gsl_multimin_fminimizer_set() leaves the minimum undefined until the
     * first iteration, so the start's loss is evaluated here (with common
     * random numbers it is the value the simplex computed). */
    double start_values[SPEC_MAX_FREE];
    to_values(cal, x, start_values);
    double start_loss = loss_at(ob, start_values);
    if (ob->failed) {
        rc = objective_failure(ob, err, errlen);
        goto done;
    }
    unsigned maxit = cal->max_iterations;
    for (unsigned it = 0;; it++) {
        calibrate_step row;
        memset(&row, 0, sizeof row);
        row.start = start;
        row.iteration = it;
        row.evaluations = ob->evaluations;
        to_values(cal, gsl_multimin_fminimizer_x(m), row.values);
        row.loss = it == 0 ? start_loss : gsl_multimin_fminimizer_minimum(m);
        row.size = it == 0 ? NAN : gsl_multimin_fminimizer_size(m);
        if (add_step(s, &row) != 0) {
            snprintf(err, errlen, "out of memory");
            rc = AS_ENOMEM;
            goto done;
        }
        calibrate_result *r = s->res;
        if (row.loss < r->loss) {
            r->loss = row.loss;
            memcpy(r->values, row.values, sizeof r->values);
            r->best_start = start;
        }
        /* Progress in replications run; the total is estimated from the
         * iterations left (an upper bound: a start may converge sooner) at
         * the evaluations per iteration seen so far. */
        uint64_t its = s->done + it + 1, reps_done = (uint64_t)ob->evaluations * ob->reps;
        double left = (double)(s->total > its ? s->total - its : 0) * (double)reps_done / (double)its;
        ob->progress_total = reps_done + (uint64_t)left;
        if (it >= maxit || (it > 0 && gsl_multimin_test_size(row.size, cal->tolerance) == GSL_SUCCESS))
            break;
        st = gsl_multimin_fminimizer_iterate(m);
        if (ob->failed) {
            rc = objective_failure(ob, err, errlen);
            goto done;
        }
        /* GSL_ENOPROG: the simplex cannot shrink further; the fit stands. */
        if (st == GSL_ENOPROG)
            break;
        if (st != GSL_SUCCESS) {
            snprintf(err, errlen, "the simplex failed: %s", gsl_strerror(st));
            goto done;
        }
    }
    s->done += maxit + 1;
    rc = AS_OK;
done:
    gsl_multimin_fminimizer_free(m);
    gsl_vector_free(x);
    gsl_vector_free(ss);
    return rc;
}

static double logit(double u)
{
    return log(u / (1.0 - u));
}

/* The logit coordinate of value v of free parameter f (ends of the range
 * pulled in by 1e-9 of its width). */
static double z_of(const spec_free_param *f, double v)
{
    double u = (v - f->min) / (f->max - f->min);
    u = u < 1e-9 ? 1e-9 : u > 1.0 - 1e-9 ? 1.0 - 1e-9 : u;
    return logit(u);
}

/* Checks cal's free parameters against spec; AS_OK or AS_EUSAGE with a
 * message. */
static int check_free(const model_spec *spec, const spec_calibrate *cal, char *err, size_t errlen)
{
    if (!cal->present || cal->nfree == 0) {
        snprintf(err, errlen,
                 "the scenario has no free parameters: add a `calibrate` group, e.g. calibrate = { free = "
                 "( { path = \"model.w_threat\"; min = 0.5; max = 3.0; } ); };");
        return AS_EUSAGE;
    }
    for (size_t j = 0; j < cal->nfree; j++) {
        const spec_free_param *f = &cal->free[j];
        if (f->param >= spec->nparams || !(f->min < f->max)) {
            snprintf(err, errlen, "calibrate.free.[%zu]: bad parameter or range", j);
            return AS_EUSAGE;
        }
        if (!rep_param_settable(spec, f->param)) {
            snprintf(err, errlen,
                     "calibrate.free.[%zu]: %s is drawn afresh at every occurrence; make it a number in "
                     "the scenario to calibrate it",
                     j, spec->params[f->param].path);
            return AS_EUSAGE;
        }
    }
    return AS_OK;
}

/* Sets up the objective (its accumulator from the reducer).  AS_OK or
 * AS_ENOMEM. */
static int objective_init(objective *ob, engine *e, const model_spec *spec, unsigned reps, uint64_t seed,
                          int with_ms)
{
    memset(ob, 0, sizeof *ob);
    ob->e = e;
    ob->c.spec = spec;
    ob->c.cal = &spec->calibrate;
    ob->c.with_ms = with_ms;
    for (size_t j = 0; j < spec->calibrate.nfree; j++)
        ob->c.idx[j] = spec->calibrate.free[j].param;
    ob->reps = reps;
    ob->seed = seed;
    ob->acc = la_alloc(&ob->c);
    return ob->acc ? AS_OK : AS_ENOMEM;
}

/* Frees the objective and the workers the executor kept for it. */
static void objective_clear(objective *ob)
{
    if (ob->e)
        engine_release_workers(ob->e);
    la_free(&ob->c, ob->acc);
    memset(ob, 0, sizeof *ob);
}

int calibrate_fit(engine *e, const model_spec *spec, unsigned reps, uint64_t seed, calibrate_result *res,
                  char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    res->loss = INFINITY;
    const spec_calibrate *cal = &spec->calibrate;
    int rc = check_free(spec, cal, err, errlen);
    if (rc != AS_OK)
        return rc;
    if (reps == 0)
        reps = cal->reps;
    size_t k = cal->nfree;
    objective ob;
    gsl_qrng *q = NULL;
    if ((rc = objective_init(&ob, e, spec, reps, seed, 0)) != AS_OK) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    search s = {res, 0, 0, ((uint64_t)cal->starts + 1) * (cal->max_iterations + 1)};
    ob.progress_total = s.total * reps;
    double own[SPEC_MAX_FREE];
    for (size_t j = 0; j < k; j++) {
        const spec_free_param *f = &cal->free[j];
        double v = spec->params[f->param].value;
        own[j] = v < f->min ? f->min : v > f->max ? f->max : v;
    }
    res->initial_loss = loss_at(&ob, own);
    if (ob.failed) {
        rc = objective_failure(&ob, err, errlen);
        goto done;
    }
    q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)k);
    if (!q) {
        snprintf(err, errlen, "cannot start a Sobol sequence in %zu dimensions", k);
        rc = AS_ERUNTIME;
        goto done;
    }
    for (unsigned st = 0; st < cal->starts; st++) {
        double u[SPEC_MAX_FREE], z0[SPEC_MAX_FREE];
        if (st == 0) {
            /* The scenario's own values: a hand-tuned model starts there. */
            for (size_t j = 0; j < k; j++)
                z0[j] = z_of(&cal->free[j], own[j]);
        } else {
            if (gsl_qrng_get(q, u) != GSL_SUCCESS) {
                snprintf(err, errlen, "the Sobol sequence failed");
                rc = AS_ERUNTIME;
                goto done;
            }
            for (size_t j = 0; j < k; j++)
                z0[j] = logit(0.05 + 0.9 * u[j]);
        }
        if ((rc = run_start(&ob, &s, st, z0, START_STEP, err, errlen)) != AS_OK)
            goto done;
    }
    /* Polish: restart the simplex at the best point. */
    double zb[SPEC_MAX_FREE];
    for (size_t j = 0; j < k; j++)
        zb[j] = z_of(&cal->free[j], res->values[j]);
    if ((rc = run_start(&ob, &s, cal->starts, zb, POLISH_STEP, err, errlen)) != AS_OK)
        goto done;
    res->evaluations = ob.evaluations;
    rc = AS_OK;
done:
    gsl_qrng_free(q);
    objective_clear(&ob);
    if (rc != AS_OK)
        calibrate_result_clear(res);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Files                                                              */
/* ------------------------------------------------------------------ */

static int write_trace(const model_spec *spec, const calibrate_result *res, const io_kv *prov, size_t np,
                       const char *dir, char *err, size_t errlen)
{
    const spec_calibrate *cal = &spec->calibrate;
    const char *cols[SPEC_MAX_FREE + 5];
    size_t nc = 0;
    cols[nc++] = "start";
    cols[nc++] = "iteration";
    cols[nc++] = "evaluations";
    for (size_t j = 0; j < cal->nfree; j++)
        cols[nc++] = spec->params[cal->free[j].param].path;
    cols[nc++] = "loss";
    cols[nc++] = "size";
    char path[4200];
    snprintf(path, sizeof path, "%s/calibration.tsv", dir);
    tsv_writer *w = tsv_open(path, prov, np, cols, nc, err, errlen);
    if (!w)
        return AS_EIO;
    for (size_t i = 0; i < res->ntrace; i++) {
        const calibrate_step *st = &res->trace[i];
        tsv_int(w, st->start);
        tsv_int(w, st->iteration);
        tsv_int(w, (int64_t)st->evaluations);
        for (size_t j = 0; j < cal->nfree; j++)
            tsv_double(w, st->values[j]);
        tsv_double(w, st->loss);
        tsv_double(w, st->size);
        tsv_end_row(w);
    }
    return tsv_commit(w, err, errlen) == AS_OK ? AS_OK : AS_EIO;
}

/* fit.tsv from the milestone results at the fitted values. */
static int write_fit(const model_spec *spec, const msacc *ms, const io_kv *prov, size_t np, const char *dir,
                     char *err, size_t errlen)
{
    static const char *const cols[] = {"dyad",         "target_year", "target_label", "kind",     "fitted_median",
                                       "error_median", "reached",     "within2",      "in_window", "note"};
    char path[4200];
    snprintf(path, sizeof path, "%s/fit.tsv", dir);
    tsv_writer *w = tsv_open(path, prov, np, cols, 10, err, errlen);
    if (!w)
        return AS_EIO;
    for (size_t i = 0; i < spec->ntargets; i++) {
        const spec_target *t = &spec->targets[i];
        msacc_result r = msacc_get(ms, i);
        summary_target_head(w, spec, i);
        tsv_str(w, spec_target_kind_name(t->kind));
        tsv_double(w, r.sim_year);
        tsv_double(w, r.error_years);
        tsv_double(w, r.reached);
        tsv_double(w, r.within2);
        tsv_int(w, calibrate_in_window(spec, &spec->calibrate, i));
        tsv_str(w, t->note);
        tsv_end_row(w);
    }
    return tsv_commit(w, err, errlen) == AS_OK ? AS_OK : AS_EIO;
}

/* Mean share within 2 years of the targets in or out of the window. */
static double within2_share(const model_spec *spec, const msacc *ms, int in_window)
{
    double sum = 0.0;
    size_t n = 0;
    for (size_t i = 0; i < spec->ntargets; i++) {
        if ((calibrate_in_window(spec, &spec->calibrate, i) != 0) != (in_window != 0))
            continue;
        sum += msacc_get(ms, i).within2;
        n++;
    }
    return n ? sum / (double)n : NAN;
}

/* The scenario reloaded with the fitted values as overrides (after the
 * user's): calibrated.cfg's text in *text. */
static int reload_fitted(const model_spec *spec, const calibrate_options *opt, const calibrate_result *res,
                         char **text, scenario_diags *diags, char *err, size_t errlen)
{
    const spec_calibrate *cal = &spec->calibrate;
    size_t ns = opt->nsets + cal->nfree;
    char **sets_buf = calloc(cal->nfree ? cal->nfree : 1, sizeof *sets_buf);
    const char **sets = calloc(ns ? ns : 1, sizeof *sets);
    model_spec check;
    model_spec_init(&check);
    int rc = AS_ENOMEM;
    if (!sets_buf || !sets) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < opt->nsets; i++)
        sets[i] = opt->sets[i];
    for (size_t j = 0; j < cal->nfree; j++) {
        char num[TSV_DOUBLE_BUFSIZE];
        tsv_format_double(num, sizeof num, res->values[j]);
        size_t len = strlen(spec->params[cal->free[j].param].path) + strlen(num) + 2;
        if (!(sets_buf[j] = malloc(len))) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
        snprintf(sets_buf[j], len, "%s=%s", spec->params[cal->free[j].param].path, num);
        sets[opt->nsets + j] = sets_buf[j];
    }
    scenario_options so = {sets, ns, opt->has_seed, opt->seed, NULL};
    int lrc = scenario_load(opt->scenario_path, &so, &check, text, diags);
    if (lrc != SCENARIO_OK) {
        snprintf(err, errlen, "%s: the scenario with the fitted values does not load", opt->scenario_path);
        rc = lrc == SCENARIO_EIO ? AS_EIO : AS_EUSAGE;
        goto done;
    }
    rc = AS_OK;
done:
    for (size_t j = 0; sets_buf && j < cal->nfree; j++)
        free(sets_buf[j]);
    free(sets_buf);
    free(sets);
    model_spec_clear(&check);
    return rc;
}

/* Root: the folder's files. */
static int write_files(const model_spec *spec, const char *resolved, const char *calibrated,
                       const calibrate_options *opt, unsigned reps, const calibrate_report *rep, const msacc *ms,
                       char *err, size_t errlen)
{
    const spec_calibrate *cal = &spec->calibrate;
    const calibrate_result *res = &rep->fit;
    char reps_text[32], seed_text[32], loss_text[TSV_DOUBLE_BUFSIZE], init_text[TSV_DOUBLE_BUFSIZE];
    char evals_text[32], window_text[TSV_DOUBLE_BUFSIZE], rin[TSV_DOUBLE_BUFSIZE], rout[TSV_DOUBLE_BUFSIZE];
    snprintf(reps_text, sizeof reps_text, "%u", reps);
    snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)opt->seed);
    snprintf(evals_text, sizeof evals_text, "%zu", res->evaluations);
    tsv_format_double(loss_text, sizeof loss_text, res->loss);
    tsv_format_double(init_text, sizeof init_text, res->initial_loss);
    tsv_format_double(window_text, sizeof window_text, cal->fit_until);
    tsv_format_double(rin, sizeof rin, rep->rmse_in);
    tsv_format_double(rout, sizeof rout, rep->rmse_out);
    io_kv *prov = calloc(10 + opt->nprov, sizeof *prov);
    if (!prov) {
        snprintf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    size_t np = 0;
    prov[np++] = (io_kv){"program", "alignsim " ALIGNSIM_VERSION};
    prov[np++] = (io_kv){"scenario", spec->name};
    prov[np++] = (io_kv){"seed", seed_text};
    prov[np++] = (io_kv){"replications_per_evaluation", reps_text};
    prov[np++] = (io_kv){"fit_until", window_text};
    prov[np++] = (io_kv){"evaluations", evals_text};
    prov[np++] = (io_kv){"initial_loss", init_text};
    prov[np++] = (io_kv){"fitted_loss", loss_text};
    prov[np++] = (io_kv){"rmse_in_window_years", rin};
    prov[np++] = (io_kv){"rmse_out_of_window_years", rout};
    memcpy(prov + np, opt->prov, opt->nprov * sizeof *prov);
    np += opt->nprov;
    char path[4200];
    snprintf(path, sizeof path, "%s/scenario.cfg", opt->outdir);
    int rc = io_write_file_atomic(path, resolved, strlen(resolved), err, errlen) == AS_OK ? AS_OK : AS_EIO;
    if (rc == AS_OK)
        rc = write_trace(spec, res, prov, np, opt->outdir, err, errlen);
    if (rc == AS_OK)
        rc = write_fit(spec, ms, prov, np, opt->outdir, err, errlen);
    snprintf(path, sizeof path, "%s/calibrated.cfg", opt->outdir);
    if (rc == AS_OK && io_write_file_atomic(path, calibrated, strlen(calibrated), err, errlen) != AS_OK)
        rc = AS_EIO;
    free(prov);
    return rc;
}

int calibrate_run(engine *e, const model_spec *spec, const char *resolved, const calibrate_options *opt,
                  calibrate_report *rep, scenario_diags *diags, char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    const spec_calibrate *cal = &spec->calibrate;
    int root = engine_rank(e) == 0;
    int rc = check_free(spec, cal, err, errlen);
    if (rc != AS_OK)
        return rc;
    unsigned reps = opt->reps ? opt->reps : cal->reps;
    calibrate_result *res = &rep->fit;
    objective ob;
    memset(&ob, 0, sizeof ob);
    char *calibrated = NULL;
    char jpath[4200];
    snprintf(jpath, sizeof jpath, "%s/.calibrate.journal", opt->outdir);

    if (root && io_mkdir_p(opt->outdir, err, errlen) != AS_OK)
        rc = AS_EIO;
    rc = engine_agree(e, rc);
    if (rc != AS_OK)
        return rc;
    /* Every evaluation is journaled: a resumed fit replays them and goes on
     * from the first one missing, to the same result. */
    char num[64];
    snprintf(num, sizeof num, "%u %llu", reps, (unsigned long long)opt->seed);
    uint64_t key = buf_fnv1a(buf_fnv1a(BUF_FNV_OFFSET, resolved, strlen(resolved)), num, strlen(num));
    if ((rc = engine_journal_open(e, jpath, key, opt->resume, err, errlen)) != AS_OK)
        return rc;
    if ((rc = calibrate_fit(e, spec, reps, opt->seed, res, err, errlen)) != AS_OK)
        goto done;

    /* The fit's replications at the fitted values, for fit.tsv and the
     * window errors. */
    if ((rc = objective_init(&ob, e, spec, reps, opt->seed, 1)) != AS_OK) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    ob.evaluations = res->evaluations;
    if ((rc = evaluate_at(&ob, res->values)) != AS_OK) {
        rc = objective_failure(&ob, err, errlen);
        goto done;
    }
    rep->n_in = (size_t)ob.acc->n_in;
    rep->n_out = (size_t)ob.acc->n_out;
    double sq_in = xsum_value(&ob.acc->in) / (double)reps, sq_out = xsum_value(&ob.acc->out) / (double)reps;
    rep->rmse_in = rep->n_in ? sqrt(sq_in / (double)rep->n_in) : NAN;
    rep->rmse_out = rep->n_out ? sqrt(sq_out / (double)rep->n_out) : NAN;
    rep->within2_in = within2_share(spec, ob.acc->ms, 1);
    rep->within2_out = within2_share(spec, ob.acc->ms, 0);

    rc = reload_fitted(spec, opt, res, &calibrated, diags, err, errlen);
    if (rc == AS_OK && root)
        rc = write_files(spec, resolved, calibrated, opt, reps, rep, ob.acc->ms, err, errlen);
    rc = engine_agree(e, rc);
done:
    rc = engine_journal_close(e, rc, err, errlen);
    calibrate_result_clear(res);
    objective_clear(&ob);
    free(calibrated);
    return rc;
}
