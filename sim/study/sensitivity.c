/*
 * sensitivity - Saltelli design, Sobol index estimators with bootstrap
 * intervals, and the model analysis with its files (see sensitivity.h).
 *
 * Everything is computed in a fixed order from fixed seeds: the design from
 * the Sobol sequence, the bootstrap from the Philox stream (seed,
 * RNG_STREAM_BOOTSTRAP), the model outputs as means over replications summed in replication
 * order.  So the files are identical for any number of threads.
 */
#include "study/sensitivity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "base/buf.h"
#include "base/status.h"
#include "io/atomic.h"
#include "model/model.h"
#include "run/batch.h"
#include "run/rep.h"
#include "stats/rng.h"

static const char *const output_names[SENS_NOUT] = {"p_alliance", "l5_year", "replay_score"};

const char *sensitivity_output_name(size_t o)
{
    return o < SENS_NOUT ? output_names[o] : "?";
}

static int check_problem(const sensitivity_problem *p, char *err, size_t errlen)
{
    if (p->k < 1 || p->k > SENSITIVITY_MAX_PARAMS || p->nbase < 2 || p->nout < 1 || p->nboot < 1 ||
        !(p->confidence > 0.0 && p->confidence < 1.0)) {
        snprintf(err, errlen,
                 "a sensitivity analysis needs 1 to %d parameters, at least 2 base samples, 1 output, "
                 "1 bootstrap resample and a confidence in (0, 1)",
                 SENSITIVITY_MAX_PARAMS);
        return AS_EUSAGE;
    }
    for (size_t i = 0; i < p->k; i++)
        if (!(p->lo[i] < p->hi[i])) {
            snprintf(err, errlen, "parameter %zu: expected lower < upper, found %.15g and %.15g", i, p->lo[i],
                     p->hi[i]);
            return AS_EUSAGE;
        }
    if (p->nbase > SIZE_MAX / (p->k + 2) / p->k / sizeof(double)) {
        snprintf(err, errlen, "%zu base samples are too many", p->nbase);
        return AS_EUSAGE;
    }
    return AS_OK;
}

int sensitivity_design(const sensitivity_problem *p, double *x, char *err, size_t errlen)
{
    int bad = check_problem(p, err, errlen);
    if (bad != AS_OK)
        return bad;
    size_t k = p->k, n = p->nbase;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
    if (!q) {
        snprintf(err, errlen, "cannot start a Sobol sequence in %zu dimensions", 2 * k);
        return AS_ERUNTIME;
    }
    double u[2 * SENSITIVITY_MAX_PARAMS];
    for (size_t j = 0; j < n; j++) {
        if (gsl_qrng_get(q, u) != GSL_SUCCESS) {
            gsl_qrng_free(q);
            snprintf(err, errlen, "the Sobol sequence failed at point %zu", j);
            return AS_ERUNTIME;
        }
        double *a = x + j * k, *b = x + (n + j) * k;
        for (size_t i = 0; i < k; i++) {
            double w = p->hi[i] - p->lo[i];
            a[i] = p->lo[i] + u[i] * w;
            b[i] = p->lo[i] + u[k + i] * w;
        }
        for (size_t i = 0; i < k; i++) {
            double *ab = x + ((2 + i) * n + j) * k;
            memcpy(ab, a, k * sizeof *ab);
            ab[i] = b[i];
        }
    }
    gsl_qrng_free(q);
    return AS_OK;
}

/*
 * Indices of every output and parameter from the base samples idx[0..n)
 * (NULL: 0..n-1), into s1 and st (nout * k each) and var (nout).
 */
static void estimate(const sensitivity_problem *p, const double *y, const size_t *idx, double *s1,
                     double *st, double *var)
{
    size_t k = p->k, n = p->nbase, no = p->nout;
    for (size_t o = 0; o < no; o++) {
        double sum = 0.0, ymin = INFINITY, ymax = -INFINITY;
        for (size_t jj = 0; jj < n; jj++) {
            size_t j = idx ? idx[jj] : jj;
            double ya = y[j * no + o], yb = y[(n + j) * no + o];
            sum += ya + yb;
            ymin = fmin(ymin, fmin(ya, yb));
            ymax = fmax(ymax, fmax(ya, yb));
        }
        double mean = sum / (double)(2 * n), ss = 0.0;
        for (size_t jj = 0; jj < n; jj++) {
            size_t j = idx ? idx[jj] : jj;
            double da = y[j * no + o] - mean, db = y[(n + j) * no + o] - mean;
            ss += da * da + db * db;
        }
        /* A constant output has variance 0 exactly, not the rounding error
         * of its mean. */
        double v = ymin == ymax ? 0.0 : ss / (double)(2 * n);
        if (var)
            var[o] = v;
        for (size_t i = 0; i < k; i++) {
            double f1 = 0.0, ft = 0.0;
            for (size_t jj = 0; jj < n; jj++) {
                size_t j = idx ? idx[jj] : jj;
                double fa = y[j * no + o], fb = y[(n + j) * no + o], fab = y[((2 + i) * n + j) * no + o];
                f1 += (fb - mean) * (fab - fa);
                ft += (fa - fab) * (fa - fab);
            }
            /* A constant output has no variance to apportion.  f(B) is
             * centred (as SALib centres its outputs): the estimator is
             * unbiased either way, but with an uncentred output far from 0
             * (a year, ~2020) its variance explodes. */
            int ok = v > 0.0 && isfinite(v);
            s1[o * k + i] = ok ? f1 / (double)n / v : NAN;
            st[o * k + i] = ok ? ft / (double)(2 * n) / v : NAN;
        }
    }
}

/* Percentile interval of the finite values among v[0..n) (sorted in place). */
static void percentile(double *v, size_t n, double conf, double *lo, double *hi)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            v[m++] = v[i];
    if (m == 0) {
        *lo = *hi = NAN;
        return;
    }
    gsl_sort(v, 1, m);
    *lo = gsl_stats_quantile_from_sorted_data(v, 1, m, (1.0 - conf) / 2.0);
    *hi = gsl_stats_quantile_from_sorted_data(v, 1, m, (1.0 + conf) / 2.0);
}

int sensitivity_indices(const sensitivity_problem *p, const double *y, sensitivity_index *out,
                        double *variance, char *err, size_t errlen)
{
    int bad = check_problem(p, err, errlen);
    if (bad != AS_OK)
        return bad;
    size_t k = p->k, n = p->nbase, no = p->nout, nb = p->nboot, m = no * k;
    int rc = AS_ENOMEM;
    double *s1 = malloc(m * sizeof *s1), *st = malloc(m * sizeof *st);
    double *bs1 = NULL, *bst = NULL, *col = NULL;
    size_t *idx = malloc(n * sizeof *idx);
    gsl_rng *r = rng_alloc(p->seed, RNG_STREAM_BOOTSTRAP);
    if (nb <= SIZE_MAX / m / sizeof(double)) {
        bs1 = malloc(nb * m * sizeof *bs1);
        bst = malloc(nb * m * sizeof *bst);
    }
    col = malloc(nb * sizeof *col);
    if (!s1 || !st || !idx || !r || !bs1 || !bst || !col) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    estimate(p, y, NULL, s1, st, variance);
    for (size_t b = 0; b < nb; b++) {
        for (size_t j = 0; j < n; j++)
            idx[j] = (size_t)gsl_rng_uniform_int(r, (unsigned long)n);
        estimate(p, y, idx, bs1 + b * m, bst + b * m, NULL);
    }
    for (size_t c = 0; c < m; c++) {
        sensitivity_index *o = &out[c];
        o->s1 = s1[c];
        o->st = st[c];
        for (size_t b = 0; b < nb; b++)
            col[b] = bs1[b * m + c];
        percentile(col, nb, p->confidence, &o->s1_lo, &o->s1_hi);
        for (size_t b = 0; b < nb; b++)
            col[b] = bst[b * m + c];
        percentile(col, nb, p->confidence, &o->st_lo, &o->st_hi);
        if (isnan(o->s1))
            o->s1_lo = o->s1_hi = NAN;
        if (isnan(o->st))
            o->st_lo = o->st_hi = NAN;
    }
    rc = AS_OK;
done:
    free(s1);
    free(st);
    free(bs1);
    free(bst);
    free(col);
    free(idx);
    gsl_rng_free(r);
    return rc;
}

int sensitivity_saltelli(const sensitivity_problem *p, sensitivity_fn f, void *ctx,
                         sensitivity_index *out, double *variance, double *y_out, char *err,
                         size_t errlen)
{
    int bad = check_problem(p, err, errlen);
    if (bad != AS_OK)
        return bad;
    size_t rows = (p->k + 2) * p->nbase;
    double *x = malloc(rows * p->k * sizeof *x);
    double *y = y_out ? y_out : malloc(rows * p->nout * sizeof *y);
    int rc = AS_ENOMEM;
    if (!x || !y) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    if ((rc = sensitivity_design(p, x, err, errlen)) != AS_OK ||
        (rc = f(ctx, x, rows, p->k, y, p->nout, err, errlen)) != AS_OK)
        goto done;
    rc = sensitivity_indices(p, y, out, variance, err, errlen);
done:
    free(x);
    if (y != y_out)
        free(y);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The model as a function of the swept parameters                    */
/* ------------------------------------------------------------------ */

/*
 * The design's rows are evaluated in chunks, one job each on the executor:
 * task t of a chunk is replication t % reps (seed batch_rep_seed(scenario
 * seed, t % reps): common random numbers across rows) of row first_row + t
 * / reps; the accumulator is one outcome tally per row (run/rep.h), exact,
 * so the outputs are the same for any -j and rank count.  Every chunk is
 * journaled, so a resumed analysis replays the chunks it finished.
 */

/* Replications per job at most (whole rows, at least one): bounds the
 * accumulators whatever the replications per evaluation, and how much an
 * interruption loses. */
#define TASKS_PER_CHUNK 4096

typedef struct {
    const model_spec *spec;
    size_t idx[SENSITIVITY_MAX_PARAMS];   /* the swept parameters' indices */
    size_t k;
    uint64_t reps;
    const double *x;           /* the design (row-major, k values) */
    size_t first_row, nrows;   /* the chunk being run */
    size_t cap_rows;           /* rows an accumulator holds */
} chunk_ctx;

typedef struct {
    size_t nrows;
    rep_tally *t;
} chunk_acc;

static void *cw_alloc(void *ctx)
{
    chunk_ctx *c = ctx;
    return rep_worker_alloc(c->spec);
}

static void cw_free(void *ctx, void *w)
{
    (void)ctx;
    rep_worker_free(w);
}

static uint64_t chunk_seed(void *ctx, uint64_t t)
{
    chunk_ctx *c = ctx;
    return batch_rep_seed(c->spec->seed, t % c->reps);
}

static int cw_run(void *ctx, void *w, const engine_task *t, void *accp, buf *rec, char *err, size_t errlen)
{
    (void)rec;
    chunk_ctx *c = ctx;
    chunk_acc *a = accp;
    size_t row = (size_t)(t->index / c->reps);
    rep_outcome out;
    rep_worker_set_stop(w, t->stop);
    int rc = rep_run(w, t->seed, c->idx, c->x + (c->first_row + row) * c->k, c->k, NULL, NULL, &out, err, errlen);
    if (rc == AS_OK)
        rep_tally_add(&a->t[row], &out);
    return rc;
}

static void ca_free(void *ctx, void *accp)
{
    (void)ctx;
    chunk_acc *a = accp;
    if (a)
        free(a->t);
    free(a);
}

static void ca_reset(void *ctx, void *accp)
{
    chunk_ctx *c = ctx;
    chunk_acc *a = accp;
    a->nrows = c->nrows;
    for (size_t i = 0; i < c->cap_rows; i++)
        rep_tally_init(&a->t[i], c->spec->start);
}

static void *ca_alloc(void *ctx)
{
    chunk_ctx *c = ctx;
    chunk_acc *a = calloc(1, sizeof *a);
    if (!a || !(a->t = calloc(c->cap_rows ? c->cap_rows : 1, sizeof *a->t))) {
        free(a);
        return NULL;
    }
    ca_reset(ctx, a);
    return a;
}

static int ca_merge(void *ctx, void *dstp, const void *srcp)
{
    (void)ctx;
    chunk_acc *d = dstp;
    const chunk_acc *s = srcp;
    for (size_t i = 0; i < d->nrows; i++)
        rep_tally_merge(&d->t[i], &s->t[i]);
    return AS_OK;
}

static int ca_pack(void *ctx, const void *accp, buf *out)
{
    (void)ctx;
    const chunk_acc *a = accp;
    buf_append_u64(out, a->nrows);
    for (size_t i = 0; i < a->nrows; i++)
        rep_tally_pack(&a->t[i], out);
    return out->failed ? AS_ENOMEM : AS_OK;
}

static int ca_unpack(void *ctx, void *accp, const unsigned char *data, size_t len)
{
    chunk_ctx *c = ctx;
    chunk_acc *a = accp;
    buf_reader r = buf_reader_of(data, len);
    if (buf_read_u64(&r) != c->nrows)
        return AS_ERUNTIME;
    for (size_t i = 0; i < c->nrows; i++)
        rep_tally_unpack(&a->t[i], &r);
    return r.failed || r.pos != r.len ? AS_ERUNTIME : AS_OK;
}

static const engine_reducer chunk_reducer = {
    cw_alloc, cw_free, cw_run, ca_alloc, ca_free, ca_reset, ca_merge, ca_pack, ca_unpack,
    NULL,     NULL,    NULL,   NULL,     NULL,
};

typedef struct {
    engine *e;
    chunk_ctx c;
    chunk_acc *acc;
} model_fn_ctx;

static int model_fn(void *ctx, const double *x, size_t nrows, size_t k, double *y, size_t nout, char *err,
                    size_t errlen)
{
    model_fn_ctx *m = ctx;
    chunk_ctx *c = &m->c;
    c->x = x;
    c->k = k;
    uint64_t total = (uint64_t)nrows * c->reps;
    for (size_t r0 = 0; r0 < nrows; r0 += c->cap_rows) {
        c->first_row = r0;
        c->nrows = nrows - r0 < c->cap_rows ? nrows - r0 : c->cap_rows;
        uint64_t key = buf_fnv1a(BUF_FNV_OFFSET, x + r0 * k, c->nrows * k * sizeof *x);
        engine_job job;
        memset(&job, 0, sizeof job);
        job.reducer = &chunk_reducer;
        job.ctx = c;
        job.ntasks = (uint64_t)c->nrows * c->reps;
        job.seed_of = chunk_seed;
        job.share_result = 1;
        job.keep_workers = 1;
        job.journal_key = key ^ (uint64_t)r0;
        job.progress_base = (uint64_t)r0 * c->reps;
        job.progress_total = total;
        int rc = engine_run(m->e, &job, m->acc, NULL, err, errlen);
        if (rc != AS_OK)
            return rc;
        for (size_t i = 0; i < c->nrows; i++) {
            rep_stats st;
            rep_tally_stats(&m->acc->t[i], 0.95, c->spec->horizon, &st);
            double *yr = y + (r0 + i) * nout;
            yr[SENS_P_ALLIANCE] = st.p;
            yr[SENS_L5_YEAR] = st.l5_censored_mean;
            yr[SENS_REPLAY_SCORE] = st.within2;
        }
    }
    return AS_OK;
}

/* Writes salib_problem.txt: one `name lower upper` line per parameter. */
static int write_problem(const sweep_file *sf, const char *dir, char *err, size_t errlen)
{
    size_t cap = 64 + sf->nparams * (SPEC_PATH_LEN + 2 * TSV_DOUBLE_BUFSIZE + 4), used = 0;
    char *text = malloc(cap);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    for (size_t i = 0; i < sf->nparams; i++) {
        char lo[TSV_DOUBLE_BUFSIZE], hi[TSV_DOUBLE_BUFSIZE];
        tsv_format_double(lo, sizeof lo, sf->params[i].min);
        tsv_format_double(hi, sizeof hi, sf->params[i].max);
        int w = snprintf(text + used, cap - used, "%s %s %s\n", sf->params[i].path, lo, hi);
        if (w > 0)
            used += (size_t)w;
    }
    char path[SWEEP_PATH_LEN + 64];
    snprintf(path, sizeof path, "%s/salib_problem.txt", dir);
    int rc = io_write_file_atomic(path, text, used, err, errlen) == AS_OK ? AS_OK : AS_EIO;
    free(text);
    return rc;
}

/* Writes samples.tsv in SALib's order (see sensitivity.h). */
static int write_samples(const sweep_file *sf, const sensitivity_problem *p, const double *x, const double *y,
                         const io_kv *prov, size_t np, const char *dir, char *err, size_t errlen)
{
    size_t k = p->k, n = p->nbase;
    const char *cols[3 + SENSITIVITY_MAX_PARAMS + SENS_NOUT];
    size_t nc = 0;
    cols[nc++] = "row";
    cols[nc++] = "base_sample";
    cols[nc++] = "matrix";
    for (size_t i = 0; i < k; i++)
        cols[nc++] = sf->params[i].path;
    for (size_t o = 0; o < SENS_NOUT; o++)
        cols[nc++] = output_names[o];
    char path[SWEEP_PATH_LEN + 64];
    snprintf(path, sizeof path, "%s/samples.tsv", dir);
    tsv_writer *w = tsv_open(path, prov, np, cols, nc, err, errlen);
    if (!w)
        return AS_EIO;
    size_t row = 0;
    for (size_t j = 0; j < n; j++)
        for (size_t m = 0; m < k + 2; m++) {
            /* SALib's order: A, AB_0 .. AB_(k-1), B. */
            size_t block = m == 0 ? 0 : m == k + 1 ? 1 : m + 1;
            size_t r = block * n + j;
            char name[32];
            if (block == 0)
                snprintf(name, sizeof name, "A");
            else if (block == 1)
                snprintf(name, sizeof name, "B");
            else
                snprintf(name, sizeof name, "AB_%zu", block - 2);
            tsv_int(w, (int64_t)row++);
            tsv_int(w, (int64_t)j);
            tsv_str(w, name);
            for (size_t i = 0; i < k; i++)
                tsv_double(w, x[r * k + i]);
            for (size_t o = 0; o < SENS_NOUT; o++)
                tsv_double(w, y[r * SENS_NOUT + o]);
            tsv_end_row(w);
        }
    return tsv_commit(w, err, errlen) == AS_OK ? AS_OK : AS_EIO;
}

/* Root: the folder's files. */
static int write_files(const sweep_file *sf, const model_spec *spec, const char *resolved,
                       const sensitivity_options *opt, const sensitivity_problem *p, const double *x, const double *y,
                       const sensitivity_index *ix, const double *var, char *err, size_t errlen)
{
    size_t k = p->k, rows = (k + 2) * p->nbase;
    char base_text[32], reps_text[32], boot_text[32], conf_text[32], seed_text[32], evals_text[32];
    char var_text[SENS_NOUT][TSV_DOUBLE_BUFSIZE], var_key[SENS_NOUT][48];
    snprintf(base_text, sizeof base_text, "%zu", p->nbase);
    snprintf(reps_text, sizeof reps_text, "%llu", (unsigned long long)opt->reps);
    snprintf(boot_text, sizeof boot_text, "%zu", p->nboot);
    tsv_format_double(conf_text, sizeof conf_text, p->confidence);
    snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)spec->seed);
    snprintf(evals_text, sizeof evals_text, "%zu", rows);
    io_kv *prov = calloc(10 + SENS_NOUT + opt->nprov, sizeof *prov);
    if (!prov) {
        snprintf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    size_t np = 0;
    prov[np++] = (io_kv){"program", "alignsim " ALIGNSIM_VERSION};
    prov[np++] = (io_kv){"sweep", sf->file};
    prov[np++] = (io_kv){"scenario", spec->name};
    prov[np++] = (io_kv){"seed", seed_text};
    prov[np++] = (io_kv){"base_samples", base_text};
    prov[np++] = (io_kv){"evaluations", evals_text};
    prov[np++] = (io_kv){"replications_per_evaluation", reps_text};
    prov[np++] = (io_kv){"bootstrap", boot_text};
    prov[np++] = (io_kv){"confidence", conf_text};
    prov[np++] = (io_kv){"estimators", "S1 Saltelli 2010, ST Jansen 1999; Saltelli sampling on GSL's Sobol "
                                       "sequence; percentile bootstrap of the base samples"};
    for (size_t o = 0; o < SENS_NOUT; o++) {
        snprintf(var_key[o], sizeof var_key[o], "variance_%s", output_names[o]);
        tsv_format_double(var_text[o], sizeof var_text[o], var[o]);
        prov[np++] = (io_kv){var_key[o], var_text[o]};
    }
    memcpy(prov + np, opt->prov, opt->nprov * sizeof *prov);
    np += opt->nprov;

    int rc = AS_EIO;
    tsv_writer *w = NULL;
    char path[SWEEP_PATH_LEN + 64];
    snprintf(path, sizeof path, "%s/scenario.cfg", opt->outdir);
    if (io_write_file_atomic(path, resolved, strlen(resolved), err, errlen) != AS_OK ||
        write_problem(sf, opt->outdir, err, errlen) != 0 ||
        write_samples(sf, p, x, y, prov, np, opt->outdir, err, errlen) != 0)
        goto done;
    static const char *const cols[] = {"output", "parameter", "S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi"};
    snprintf(path, sizeof path, "%s/sensitivity.tsv", opt->outdir);
    w = tsv_open(path, prov, np, cols, 8, err, errlen);
    if (!w)
        goto done;
    for (size_t o = 0; o < SENS_NOUT; o++)
        for (size_t i = 0; i < k; i++) {
            const sensitivity_index *s = &ix[o * k + i];
            tsv_str(w, output_names[o]);
            tsv_str(w, sf->params[i].path);
            tsv_double(w, s->s1);
            tsv_double(w, s->s1_lo);
            tsv_double(w, s->s1_hi);
            tsv_double(w, s->st);
            tsv_double(w, s->st_lo);
            tsv_double(w, s->st_hi);
            tsv_end_row(w);
        }
    int crc = tsv_commit(w, err, errlen);
    w = NULL;
    if (crc == AS_OK)
        rc = AS_OK;
done:
    tsv_abort(w);
    free(prov);
    return rc;
}

int sensitivity_run(engine *e, const sweep_file *sf, const model_spec *spec, const char *resolved,
                    const sensitivity_options *opt, char *err, size_t errlen)
{
    size_t k = sf->nparams;
    if (k < 1 || k > SENSITIVITY_MAX_PARAMS) {
        snprintf(err, errlen, "%s: error: a sensitivity analysis takes 1 to %d parameters, found %zu", sf->file,
                 SENSITIVITY_MAX_PARAMS, k);
        return AS_EUSAGE;
    }
    if (opt->reps < 1) {
        snprintf(err, errlen, "a sensitivity analysis needs at least one replication per evaluation");
        return AS_EUSAGE;
    }
    model_fn_ctx m;
    memset(&m, 0, sizeof m);
    double lo[SENSITIVITY_MAX_PARAMS], hi[SENSITIVITY_MAX_PARAMS];
    for (size_t i = 0; i < k; i++) {
        long pi = model_spec_find_param(spec, sf->params[i].path);
        if (pi < 0 || !sf->params[i].has_range) {
            snprintf(err, errlen, "%s:%d: error: parameters.[%zu]: no such parameter or no range", sf->file,
                     sf->params[i].line, i);
            return AS_EUSAGE;
        }
        if (!rep_param_settable(spec, (size_t)pi)) {
            snprintf(err, errlen,
                     "%s:%d: error: parameters.[%zu]: %s is drawn afresh at every occurrence; make it a "
                     "number in the scenario to analyse it",
                     sf->file, sf->params[i].line, i, sf->params[i].path);
            return AS_EUSAGE;
        }
        m.c.idx[i] = (size_t)pi;
        lo[i] = sf->params[i].min;
        hi[i] = sf->params[i].max;
    }
    sensitivity_problem p = {k,  lo, hi, sf->sens.base_samples, SENS_NOUT, sf->sens.bootstrap, sf->seed,
                             sf->sens.confidence};
    size_t rows = (k + 2) * p.nbase;
    m.e = e;
    m.c.spec = spec;
    m.c.reps = opt->reps;
    m.c.cap_rows = opt->reps >= TASKS_PER_CHUNK ? 1 : TASKS_PER_CHUNK / (size_t)opt->reps;
    if (m.c.cap_rows > rows)
        m.c.cap_rows = rows;
    m.c.nrows = m.c.cap_rows;
    double *x = malloc(rows * k * sizeof *x);
    double *y = malloc(rows * SENS_NOUT * sizeof *y);
    sensitivity_index *ix = malloc(SENS_NOUT * k * sizeof *ix);
    m.acc = ca_alloc(&m.c);
    double var[SENS_NOUT];
    int root = engine_rank(e) == 0, rc = AS_OK, journal = 0;
    if (!x || !y || !ix || !m.acc) {
        snprintf(err, errlen, "out of memory");
        rc = AS_ENOMEM;
    }
    if (rc == AS_OK && root && io_mkdir_p(opt->outdir, err, errlen) != AS_OK)
        rc = AS_EIO;
    rc = engine_agree(e, rc);
    if (rc == AS_OK) {
        char jpath[SWEEP_PATH_LEN + 64], num[64];
        snprintf(jpath, sizeof jpath, "%s/.sensitivity.journal", opt->outdir);
        snprintf(num, sizeof num, "%llu", (unsigned long long)opt->reps);
        uint64_t key = buf_fnv1a(buf_fnv1a(BUF_FNV_OFFSET, resolved, strlen(resolved)), num, strlen(num));
        rc = engine_journal_open(e, jpath, key, opt->resume, err, errlen);
        journal = rc == AS_OK;
    }
    if (rc == AS_OK)
        rc = sensitivity_design(&p, x, err, errlen);
    if (rc == AS_OK)
        rc = model_fn(&m, x, rows, k, y, SENS_NOUT, err, errlen);
    if (rc == AS_OK)
        rc = sensitivity_indices(&p, y, ix, var, err, errlen);
    if (rc == AS_OK && root)
        rc = write_files(sf, spec, resolved, opt, &p, x, y, ix, var, err, errlen);
    rc = engine_agree(e, rc);
    if (journal)
        rc = engine_journal_close(e, rc, err, errlen);
    engine_release_workers(e);
    ca_free(&m.c, m.acc);
    free(x);
    free(y);
    free(ix);
    return rc;
}
