/*
 * infer - `alignsim infer` on the executor: ABC-SMC rounds as executor
 * jobs, the journal for --resume, and the result files (see infer.h).
 */
#include "study/infer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/status.h"
#include "io/atomic.h"
#include "model/milestones.h"
#include "run/rep.h"
#include "run/summary.h"
#include "stats/stats.h"
#include "study/abc.h"
#include "study/infer_distance.h"

/* Rounds: at least this many candidates (one executor block), at most
 * ROUND_MAX_FACTOR * N. */
#define ROUND_MIN 64
#define ROUND_MAX_FACTOR 2
/* Bootstrap resamples of the model probabilities' intervals. */
#define MODEL_BOOTSTRAP 1000
/* Midpoints of the quantile function for a prior's mean and sd. */
#define PRIOR_GRID 4000

/* ------------------------------------------------------------------ */
/* The reducer: one task per candidate                                */
/* ------------------------------------------------------------------ */

typedef struct {
    size_t nmodels;
    const model_spec *const *specs;
    size_t idx[ABC_MAX_MODELS][ABC_MAX_PARAMS]; /* parameter indices of each model's priors */
    size_t np[ABC_MAX_MODELS];
    const spec_target *targets;   /* model 0's (all models have the same) */
    size_t nt;
    const double *scales;         /* per target, or NULL */
    infer_distance_params dp;
    int want_years;               /* record the simulated dates (predictive) */
    size_t rec_size;              /* bytes per record */
    /* the round under way (borrowed from the sampler) */
    const abc_batch *batch;
    double *dist;                 /* batch->n distances, filled by records() */
    double *years;                /* batch->n x nt dates when want_years */
} infer_ctx;

typedef struct {
    rep_worker *rw[ABC_MAX_MODELS];
    double *years;                /* nt */
} infer_worker;

static void iw_free(void *ctx, void *wp)
{
    infer_ctx *c = ctx;
    infer_worker *w = wp;
    if (!w)
        return;
    for (size_t m = 0; m < c->nmodels; m++)
        rep_worker_free(w->rw[m]);
    free(w->years);
    free(w);
}

static void *iw_alloc(void *ctx)
{
    infer_ctx *c = ctx;
    infer_worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    int ok = (w->years = calloc(c->nt ? c->nt : 1, sizeof *w->years)) != NULL;
    for (size_t m = 0; ok && m < c->nmodels; m++)
        ok = (w->rw[m] = rep_worker_alloc(c->specs[m])) != NULL;
    if (!ok) {
        iw_free(ctx, w);
        return NULL;
    }
    return w;
}

static int iw_run(void *ctx, void *wp, const engine_task *t, void *acc, buf *rec, char *err, size_t errlen)
{
    (void)acc;
    infer_ctx *c = ctx;
    infer_worker *w = wp;
    const abc_batch *b = c->batch;
    size_t i = (size_t)t->index, m = b->model[i];
    rep_outcome out;
    rep_worker_set_stop(w->rw[m], t->stop); /* a stop request ends a long replication */
    int rc = rep_run(w->rw[m], t->seed, c->idx[m], b->theta + i * b->stride, c->np[m], NULL, NULL, &out, err,
                     errlen);
    if (rc != AS_OK)
        return rc;
    const milestones *ms = rep_milestones(w->rw[m]);
    for (size_t j = 0; j < c->nt; j++)
        w->years[j] = milestones_sim_year(ms, j);
    buf_append_double(rec, infer_distance(c->targets, c->nt, w->years, c->scales, &c->dp));
    for (size_t j = 0; c->want_years && j < c->nt; j++)
        buf_append_double(rec, w->years[j]);
    return rec->failed ? AS_ENOMEM : AS_OK;
}

static int iw_records(void *ctx, uint64_t first, uint64_t end, const unsigned char *data, size_t len, char *err,
                      size_t errlen)
{
    infer_ctx *c = ctx;
    if (end > c->batch->n || first > end || len != (size_t)(end - first) * c->rec_size) {
        snprintf(err, errlen, "inference records of candidates %llu to %llu: %zu bytes (expected %zu each)",
                 (unsigned long long)first, (unsigned long long)end, len, c->rec_size);
        return AS_ERUNTIME;
    }
    buf_reader r = buf_reader_of(data, len);
    for (uint64_t i = first; i < end; i++) {
        c->dist[i] = buf_read_double(&r);
        for (size_t j = 0; c->want_years && j < c->nt; j++)
            c->years[i * c->nt + j] = buf_read_double(&r);
    }
    return r.failed ? AS_ERUNTIME : AS_OK;
}

static uint64_t iw_seed_of(void *ctx, uint64_t i)
{
    const infer_ctx *c = ctx;
    return c->batch->seed[i];
}

static const engine_reducer infer_reducer = {
    .worker_alloc = iw_alloc,
    .worker_free = iw_free,
    .run = iw_run,
    .records = iw_records,
};

/* ------------------------------------------------------------------ */
/* Set-up                                                             */
/* ------------------------------------------------------------------ */

void infer_report_clear(infer_report *r)
{
    free(r->probability);
    free(r->prob_lo);
    free(r->prob_hi);
    free(r->params);
    memset(r, 0, sizeof *r);
}

/* Non-zero when the two scenarios have the same targets (the same data). */
static int same_targets(const model_spec *a, const model_spec *b)
{
    if (a->ntargets != b->ntargets)
        return 0;
    for (size_t i = 0; i < a->ntargets; i++) {
        const spec_target *x = &a->targets[i], *y = &b->targets[i];
        if (x->kind != y->kind || x->year != y->year || x->after != y->after || x->label != y->label ||
            x->commitment != y->commitment || strcmp(a->actors[x->a].id, b->actors[y->a].id) != 0 ||
            strcmp(a->actors[x->b].id, b->actors[y->b].id) != 0)
            return 0;
    }
    return 1;
}

/* The sampler's priors of every model and the reducer's parameter
 * indices.  priors: nmodels x ABC_MAX_PARAMS. */
static int make_models(const infer_options *opt, infer_ctx *c, abc_prior *priors, abc_model *models, char *err,
                       size_t errlen)
{
    for (size_t m = 0; m < opt->nmodels; m++) {
        const model_spec *s = opt->specs[m];
        const spec_infer *inf = &s->infer;
        if (!inf->present || inf->npriors == 0) {
            snprintf(err, errlen,
                     "scenario %s has no priors: add an `infer` group, e.g. infer = { priors = ( { path = "
                     "\"model.gate_security\"; dist = \"uniform\"; min = 0.5; max = 3.0; } ); };",
                     s->name);
            return AS_EUSAGE;
        }
        if (s->posterior.n > 0) {
            /* Its posterior.cfg would hold two `posterior` groups, and the
             * table's draws would blur what the priors say. */
            snprintf(err, errlen,
                     "scenario %s draws its parameters from a posterior (its `posterior` group): infer from "
                     "the scenario without it",
                     s->name);
            return AS_EUSAGE;
        }
        if (inf->npriors > ABC_MAX_PARAMS) {
            snprintf(err, errlen, "scenario %s: %zu priors; the sampler takes at most %d", s->name, inf->npriors,
                     ABC_MAX_PARAMS);
            return AS_EUSAGE;
        }
        if (m > 0 && !same_targets(opt->specs[0], s)) {
            snprintf(err, errlen,
                     "scenarios %s and %s have different targets: the models of a model choice must be "
                     "compared on the same data",
                     opt->specs[0]->name, s->name);
            return AS_EUSAGE;
        }
        for (size_t k = 0; k < m; k++)
            if (strcmp(opt->specs[k]->name, s->name) == 0) {
                snprintf(err, errlen, "two models are named %s: give each scenario its own `name`", s->name);
                return AS_EUSAGE;
            }
        abc_prior *pr = priors + m * ABC_MAX_PARAMS;
        for (size_t j = 0; j < inf->npriors; j++) {
            const spec_prior *sp = &inf->priors[j];
            const spec_param *p = &s->params[sp->param];
            if (!rep_param_settable(s, sp->param)) {
                snprintf(err, errlen,
                         "%s: infer.priors.[%zu]: %s is drawn afresh at every occurrence; make it a number in "
                         "the scenario to infer it",
                         s->name, j, p->path);
                return AS_EUSAGE;
            }
            char msg[512];
            if (abc_prior_init(&pr[j], &sp->dist, sp->value, p->lo, p->hi, msg, sizeof msg) != AS_OK) {
                snprintf(err, errlen, "%s: infer.priors.[%zu] (%s): %s", s->name, j, p->path, msg);
                return AS_EUSAGE;
            }
            c->idx[m][j] = sp->param;
        }
        c->np[m] = inf->npriors;
        models[m] = (abc_model){inf->npriors, pr, inf->model_weight};
    }
    return AS_OK;
}

static void config_of(const spec_infer *inf, abc_config *cfg)
{
    abc_config_init(cfg);
    cfg->particles = inf->particles;
    cfg->quantile = inf->quantile;
    cfg->min_tolerance = inf->min_tolerance;
    cfg->min_acceptance = inf->min_acceptance;
    cfg->max_simulations = inf->max_simulations;
    cfg->max_generations = inf->max_generations;
    cfg->kernel = inf->kernel == SPEC_KERNEL_COV2 ? ABC_KERNEL_COV2 : ABC_KERNEL_OLCM;
}

/* ------------------------------------------------------------------ */
/* The run                                                            */
/* ------------------------------------------------------------------ */

/* The dates of the accepted candidates, mirroring the sampler's
 * acceptance (in index order, up to N, distance <= tolerance), so that
 * particle k of the last generation has its replication's dates. */
typedef struct {
    double *cur, *last;           /* N x nt each */
    size_t ncur;
    /* Generation 0's particles: N draws from the priors (prior.tsv). */
    size_t *prior_model;          /* N */
    double *prior_theta;          /* N x stride */
    size_t nprior, stride;
} accepted_years;

static uint64_t round_key(const abc_batch *b)
{
    unsigned char w[24];
    buf_put_u64(w, b->generation);
    buf_put_u64(w + 8, b->first);
    buf_put_u64(w + 16, b->n);
    return buf_fnv1a(BUF_FNV_OFFSET, w, sizeof w);
}

/* An estimate of the simulations the whole run takes: those so far, plus
 * the generations left at the last generation's acceptance rate (an upper
 * bound when the tolerance stops the run first), within the budget. */
static uint64_t estimate_total(const abc *a, const abc_config *cfg, uint64_t run)
{
    size_t g = abc_generations(a);
    double acc = 1.0;
    abc_generation gi;
    if (g > 0 && abc_generation_info(a, g - 1, &gi) == AS_OK && gi.acceptance > 0.0)
        acc = gi.acceptance;
    double left = (double)(cfg->max_generations > g ? cfg->max_generations - g : 0) * (double)cfg->particles / acc;
    double total = (double)run + left;
    if (cfg->max_simulations && total > (double)cfg->max_simulations)
        total = (double)cfg->max_simulations;
    return total > 1.8e19 ? UINT64_MAX : (uint64_t)total;
}

/* Runs the sampler to its end on the executor. */
static int run_sampler(engine *e, abc *a, infer_ctx *c, const abc_config *cfg, const infer_options *opt,
                       accepted_years *ay, uint64_t *simulated, char *err, size_t errlen)
{
    size_t N = cfg->particles, maxn = ROUND_MAX_FACTOR * N < ROUND_MIN ? ROUND_MIN : ROUND_MAX_FACTOR * N;
    size_t minn = ROUND_MIN;
    c->dist = malloc(maxn * sizeof *c->dist);
    c->years = c->want_years ? malloc(maxn * c->nt * sizeof *c->years) : NULL;
    if (!c->dist || (c->want_years && !c->years)) {
        snprintf(err, errlen, "out of memory for rounds of %zu candidates", maxn);
        return AS_ENOMEM;
    }
    uint64_t run = 0;
    int root = engine_rank(e) == 0;
    int rc = AS_OK;
    while (rc == AS_OK && abc_stopped(a) == ABC_RUNNING) {
        abc_batch b;
        if ((rc = abc_propose(a, minn, maxn, &b, err, errlen)) != AS_OK)
            break;
        c->batch = &b;
        engine_job job;
        memset(&job, 0, sizeof job);
        job.reducer = &infer_reducer;
        job.ctx = c;
        job.ntasks = b.n;
        job.seed_of = iw_seed_of;
        job.share_records = 1;
        job.keep_workers = 1;
        job.journal_key = round_key(&b);
        job.journal_records = 1;
        job.progress_base = run;
        uint64_t est = estimate_total(a, cfg, run);
        job.progress_total = est > run + b.n ? est : run + b.n;
        if ((rc = engine_run(e, &job, NULL, NULL, err, errlen)) != AS_OK)
            break;
        run += b.n;
        if (opt->on_round && opt->on_round(opt->ctx, &b) != 0) {
            snprintf(err, errlen, "out of memory");
            rc = AS_ENOMEM;
            break;
        }
        /* Mirror the acceptance for the dates (see accepted_years);
         * generation 0 accepts its first N candidates. */
        double eps = abc_tolerance(a);
        for (size_t i = 0; b.generation == 0 && i < b.n && ay->nprior < N; i++, ay->nprior++) {
            ay->prior_model[ay->nprior] = b.model[i];
            memcpy(ay->prior_theta + ay->nprior * b.stride, b.theta + i * b.stride, b.stride * sizeof *b.theta);
        }
        for (size_t i = 0; c->want_years && i < b.n && ay->ncur < N; i++)
            if (c->dist[i] <= eps)
                memcpy(ay->cur + ay->ncur++ * c->nt, c->years + i * c->nt, c->nt * sizeof *c->years);
        abc_event ev;
        if ((rc = abc_submit(a, c->dist, &ev, err, errlen)) != AS_OK)
            break;
        if (ev == ABC_GENERATION || ev == ABC_DONE) {
            double *t = ay->last;
            ay->last = ay->cur;
            ay->cur = t;
            ay->ncur = 0;
            abc_generation gi;
            size_t g = abc_generations(a) - 1;
            if (root && opt->on_generation && abc_generation_info(a, g, &gi) == AS_OK) {
                infer_progress p = {g, gi.tolerance, gi.acceptance, gi.ess, gi.simulations,
                                    estimate_total(a, cfg, run)};
                opt->on_generation(opt->ctx, &p);
            }
        }
    }
    c->batch = NULL;
    *simulated = run;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Summaries                                                          */
/* ------------------------------------------------------------------ */

static void prior_moments(const abc_prior *p, double *mean, double *sd)
{
    double s = 0.0, s2 = 0.0;
    for (int k = 0; k < PRIOR_GRID; k++) {
        double x = abc_prior_quantile(p, (k + 0.5) / PRIOR_GRID);
        s += x;
        s2 += x * x;
    }
    *mean = s / PRIOR_GRID;
    double var = s2 / PRIOR_GRID - *mean * *mean;
    *sd = var > 0.0 ? sqrt(var) : 0.0;
}

/* The summary of model m's parameters over its particles. */
static int summarise(const abc_population *pop, size_t m, const model_spec *spec, const abc_prior *priors,
                     infer_report *rep)
{
    size_t np = spec->infer.npriors;
    stats_weighted *v = malloc((pop->n ? pop->n : 1) * sizeof *v);
    rep->params = calloc(np ? np : 1, sizeof *rep->params);
    if (!v || !rep->params) {
        free(v);
        return AS_ENOMEM;
    }
    rep->nparams = np;
    for (size_t j = 0; j < np; j++) {
        infer_param_summary *s = &rep->params[j];
        s->path = spec->params[spec->infer.priors[j].param].path;
        prior_moments(&priors[j], &s->prior_mean, &s->prior_sd);
        size_t n = 0;
        double sw = 0.0, mean = 0.0, var = 0.0;
        for (size_t i = 0; i < pop->n; i++)
            if (pop->model[i] == m) {
                v[n++] = (stats_weighted){pop->theta[i * pop->stride + j], pop->weight[i]};
                sw += pop->weight[i];
            }
        for (size_t i = 0; i < n; i++)
            mean += v[i].w * v[i].v / sw;
        for (size_t i = 0; i < n; i++)
            var += v[i].w * (v[i].v - mean) * (v[i].v - mean) / sw;
        stats_weighted_sort(v, n);
        s->mean = mean;
        s->sd = sqrt(var);
        s->q05 = stats_weighted_quantile(v, n, sw, 0.05);
        s->q50 = stats_weighted_quantile(v, n, sw, 0.5);
        s->q95 = stats_weighted_quantile(v, n, sw, 0.95);
    }
    free(v);
    return AS_OK;
}

/* ------------------------------------------------------------------ */
/* Files                                                              */
/* ------------------------------------------------------------------ */

/* Provenance shared by the tables. */
typedef struct {
    io_kv *kv;
    size_t n;
    char seed[32], particles[32], generations[32], sims[32], tol[TSV_DOUBLE_BUFSIZE], fit[TSV_DOUBLE_BUFSIZE];
} provenance;

static int prov_make(provenance *p, const infer_options *opt, const abc *a, const abc_config *cfg, double fit_until)
{
    memset(p, 0, sizeof *p);
    p->kv = calloc(9 + opt->nprov, sizeof *p->kv);
    if (!p->kv)
        return AS_ENOMEM;
    snprintf(p->seed, sizeof p->seed, "%llu", (unsigned long long)opt->seed);
    snprintf(p->particles, sizeof p->particles, "%zu", cfg->particles);
    snprintf(p->generations, sizeof p->generations, "%zu", abc_generations(a));
    snprintf(p->sims, sizeof p->sims, "%llu", (unsigned long long)abc_simulations(a));
    abc_generation gi;
    double tol = NAN;
    if (abc_generations(a) && abc_generation_info(a, abc_generations(a) - 1, &gi) == AS_OK)
        tol = gi.tolerance;
    tsv_format_double(p->tol, sizeof p->tol, tol);
    tsv_format_double(p->fit, sizeof p->fit, fit_until);
    p->kv[p->n++] = (io_kv){"program", "alignsim " ALIGNSIM_VERSION};
    p->kv[p->n++] = (io_kv){"scenario", opt->specs[0]->name};
    p->kv[p->n++] = (io_kv){"seed", p->seed};
    memcpy(p->kv + p->n, opt->prov, opt->nprov * sizeof *p->kv);
    p->n += opt->nprov;
    p->kv[p->n++] = (io_kv){"particles", p->particles};
    p->kv[p->n++] = (io_kv){"generations", p->generations};
    p->kv[p->n++] = (io_kv){"simulations", p->sims};
    p->kv[p->n++] = (io_kv){"tolerance", p->tol};
    p->kv[p->n++] = (io_kv){"stopped", abc_stop_text(abc_stopped(a))};
    p->kv[p->n++] = (io_kv){"fit_until", p->fit};
    return AS_OK;
}

static int write_generations(const char *dir, const provenance *pv, const abc *a, const infer_options *opt,
                             char *err, size_t errlen)
{
    size_t nm = opt->nmodels, nc = 0;
    const char **cols = calloc(6 + nm, sizeof *cols);
    char **names = calloc(nm, sizeof *names);
    int rc = AS_ENOMEM;
    if (!cols || !names)
        goto done;
    static const char *const fixed[] = {"generation", "tolerance", "acceptance", "ess", "simulations", "candidates"};
    for (size_t k = 0; k < 6; k++)
        cols[nc++] = fixed[k];
    for (size_t m = 0; nm > 1 && m < nm; m++) {
        size_t len = strlen(opt->specs[m]->name) + 3;
        if (!(names[m] = malloc(len)))
            goto done;
        snprintf(names[m], len, "p_%s", opt->specs[m]->name);
        cols[nc++] = names[m];
    }
    char path[4400];
    snprintf(path, sizeof path, "%s/generations.tsv", dir);
    tsv_writer *w = tsv_open(path, pv->kv, pv->n, cols, nc, err, errlen);
    if (!w) {
        rc = AS_EIO;
        goto done;
    }
    for (size_t t = 0; t < abc_generations(a); t++) {
        abc_generation g;
        abc_generation_info(a, t, &g);
        tsv_int(w, (int64_t)t);
        tsv_double(w, g.tolerance);
        tsv_double(w, g.acceptance);
        tsv_double(w, g.ess);
        tsv_int(w, (int64_t)g.simulations);
        tsv_int(w, (int64_t)g.candidates);
        for (size_t m = 0; nm > 1 && m < nm; m++)
            tsv_double(w, g.model_probability[m]);
        tsv_end_row(w);
    }
    rc = tsv_commit(w, err, errlen) == AS_OK ? AS_OK : AS_EIO;
done:
    if (rc == AS_ENOMEM)
        snprintf(err, errlen, "out of memory");
    for (size_t m = 0; names && m < nm; m++)
        free(names[m]);
    free(names);
    free(cols);
    return rc;
}

/* dir/NAME (posterior.tsv, prior.tsv): model m's particles of pop,
 * weights renormalised within the model. */
static int write_particles(const char *dir, const char *name, const provenance *pv, const abc_population *pop,
                           size_t m, const model_spec *s, char *err, size_t errlen)
{
    size_t np = s->infer.npriors;
    const char **cols = calloc(np + 2, sizeof *cols);
    if (!cols) {
        snprintf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    cols[0] = "particle";
    cols[1] = "weight";
    for (size_t j = 0; j < np; j++)
        cols[2 + j] = s->params[s->infer.priors[j].param].path;
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    tsv_writer *w = tsv_open(path, pv->kv, pv->n, cols, np + 2, err, errlen);
    free(cols);
    if (!w)
        return AS_EIO;
    double sw = 0.0;
    for (size_t i = 0; i < pop->n; i++)
        if (pop->model[i] == m)
            sw += pop->weight[i];
    int64_t k = 0;
    for (size_t i = 0; i < pop->n; i++) {
        if (pop->model[i] != m)
            continue;
        tsv_int(w, k++);
        tsv_double(w, pop->weight[i] / sw);
        for (size_t j = 0; j < np; j++)
            tsv_double(w, pop->theta[i * pop->stride + j]);
        tsv_end_row(w);
    }
    return tsv_commit(w, err, errlen) == AS_OK ? AS_OK : AS_EIO;
}

/* dir/posterior.tsv, dir/prior.tsv (generation 0's draws), dir/posterior.cfg
 * and dir/scenario.cfg of model m. */
static int write_model(const char *dir, const provenance *pv, const abc_population *pop,
                       const abc_population *prior, size_t m, const infer_options *opt, char *err, size_t errlen)
{
    int rc = write_particles(dir, "posterior.tsv", pv, pop, m, opt->specs[m], err, errlen);
    if (rc == AS_OK)
        rc = write_particles(dir, "prior.tsv", pv, prior, m, opt->specs[m], err, errlen);
    if (rc != AS_OK)
        return rc;
    char path[4400];
    snprintf(path, sizeof path, "%s/scenario.cfg", dir);
    const char *text = opt->resolved[m];
    if (io_write_file_atomic(path, text, strlen(text), err, errlen) != AS_OK)
        return AS_EIO;
    buf b = {0};
    buf_puts(&b, text);
    buf_puts(&b, "\n# The posterior of `alignsim infer` (PLAN.md decision 9): each replication\n"
                 "# draws one particle of posterior.tsv with probability = its weight and sets\n"
                 "# every parameter of the table.\n"
                 "posterior = { table = \"posterior.tsv\"; };\n");
    if (b.failed) {
        buf_clear(&b);
        snprintf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    snprintf(path, sizeof path, "%s/posterior.cfg", dir);
    rc = io_write_file_atomic(path, b.data, b.len, err, errlen) == AS_OK ? AS_OK : AS_EIO;
    buf_clear(&b);
    return rc;
}

static int write_models(const char *dir, const provenance *pv, const abc *a, const infer_options *opt,
                        infer_report *rep, char *err, size_t errlen)
{
    size_t nm = opt->nmodels;
    abc_model_stats *st = calloc(nm, sizeof *st);
    if (!st) {
        snprintf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    int rc = abc_model_summary(a, 0, 0.95, MODEL_BOOTSTRAP, st, err, errlen);
    if (rc != AS_OK) {
        free(st);
        return rc;
    }
    for (size_t m = 0; m < nm; m++) {
        rep->probability[m] = st[m].probability;
        rep->prob_lo[m] = st[m].prob_lo;
        rep->prob_hi[m] = st[m].prob_hi;
    }
    if (nm < 2 || !dir) {
        free(st);
        return AS_OK;
    }
    static const char *const cols[] = {"model",        "scenario", "probability", "ci_lo",     "ci_hi",
                                       "bayes_factor", "bf_lo",    "bf_hi",       "particles", "prior_weight"};
    char path[4400];
    snprintf(path, sizeof path, "%s/models.tsv", dir);
    tsv_writer *w = tsv_open(path, pv->kv, pv->n, cols, sizeof cols / sizeof cols[0], err, errlen);
    if (!w) {
        free(st);
        return AS_EIO;
    }
    for (size_t m = 0; m < nm; m++) {
        tsv_str(w, opt->specs[m]->name);
        tsv_str(w, opt->paths[m]);
        tsv_double(w, st[m].probability);
        tsv_double(w, st[m].prob_lo);
        tsv_double(w, st[m].prob_hi);
        tsv_double(w, st[m].bayes_factor);
        tsv_double(w, st[m].bf_lo);
        tsv_double(w, st[m].bf_hi);
        tsv_int(w, (int64_t)st[m].particles);
        tsv_double(w, opt->specs[m]->infer.model_weight);
        tsv_end_row(w);
    }
    free(st);
    return tsv_commit(w, err, errlen) == AS_OK ? AS_OK : AS_EIO;
}

/* predictive.tsv: the later dated targets under the posterior predictive
 * (all models' particles: the model-averaged predictive). */
static int write_predictive(const char *dir, const provenance *pv, const abc_population *pop, const infer_ctx *c,
                            const double *years, infer_report *rep, char *err, size_t errlen)
{
    const model_spec *s = c->specs[0];
    static const char *const cols[] = {"dyad",  "target_year", "target_label", "kind",    "median",
                                       "lo90",  "hi90",        "inside",       "reached", "note"};
    stats_weighted *v = malloc((pop->n ? pop->n : 1) * sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    char path[4400];
    snprintf(path, sizeof path, "%s/predictive.tsv", dir);
    tsv_writer *w = tsv_open(path, pv->kv, pv->n, cols, sizeof cols / sizeof cols[0], err, errlen);
    if (!w) {
        free(v);
        return AS_EIO;
    }
    for (size_t j = 0; j < c->nt; j++) {
        const spec_target *t = &c->targets[j];
        if (infer_target_fitted(t, &c->dp) || t->kind == TARGET_STAYS_BELOW)
            continue;
        double reached = 0.0;
        for (size_t i = 0; i < pop->n; i++) {
            double y = years[i * c->nt + j];
            v[i] = (stats_weighted){isnan(y) ? INFINITY : y, pop->weight[i]};
            reached += isnan(y) ? 0.0 : pop->weight[i];
        }
        stats_weighted_sort(v, pop->n);
        double med = stats_weighted_quantile(v, pop->n, 1.0, 0.5), lo = stats_weighted_quantile(v, pop->n, 1.0, 0.05),
               hi = stats_weighted_quantile(v, pop->n, 1.0, 0.95);
        int inside = lo <= t->year && t->year <= hi;
        summary_target_head(w, s, j);
        tsv_str(w, spec_target_kind_name(t->kind));
        /* Dates are on the milestones' 0.01-year grid; never (by the
         * horizon) is NA. */
        tsv_fixed(w, isinf(med) ? NAN : med, 2);
        tsv_fixed(w, isinf(lo) ? NAN : lo, 2);
        tsv_fixed(w, isinf(hi) ? NAN : hi, 2);
        tsv_int(w, inside);
        tsv_double(w, reached);
        tsv_str(w, t->note);
        tsv_end_row(w);
        rep->npredicted++;
        rep->ninside += (size_t)inside;
    }
    free(v);
    return tsv_commit(w, err, errlen) == AS_OK ? AS_OK : AS_EIO;
}

/* Root: every file of the result. */
static int write_files(const infer_options *opt, const abc *a, const abc_config *cfg, const infer_ctx *c,
                       const accepted_years *ay, infer_report *rep, char *err, size_t errlen)
{
    const double *years = ay->last;
    provenance pv;
    if (prov_make(&pv, opt, a, cfg, c->dp.fit_until) != AS_OK) {
        snprintf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    abc_population pop = abc_get_population(a);
    double *w0 = malloc(ay->nprior * sizeof *w0);
    if (!w0) {
        free(pv.kv);
        snprintf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    for (size_t i = 0; i < ay->nprior; i++)
        w0[i] = 1.0 / (double)ay->nprior;
    abc_population prior = {ay->nprior, ay->stride, ay->prior_model, ay->prior_theta, w0, NULL};
    int rc = write_generations(opt->outdir, &pv, a, opt, err, errlen);
    if (rc == AS_OK)
        rc = write_models(opt->outdir, &pv, a, opt, rep, err, errlen);
    for (size_t m = 0; rc == AS_OK && m < opt->nmodels; m++) {
        char dir[4200];
        if (opt->nmodels == 1)
            snprintf(dir, sizeof dir, "%s", opt->outdir);
        else
            snprintf(dir, sizeof dir, "%s/%s", opt->outdir, opt->specs[m]->name);
        if (opt->nmodels > 1 && io_mkdir_p(dir, err, errlen) != AS_OK)
            rc = AS_EIO;
        if (rc == AS_OK)
            rc = write_model(dir, &pv, &pop, &prior, m, opt, err, errlen);
    }
    if (rc == AS_OK && c->want_years)
        rc = write_predictive(opt->outdir, &pv, &pop, c, years, rep, err, errlen);
    free(w0);
    free(pv.kv);
    return rc;
}

/* ------------------------------------------------------------------ */
/* infer_run                                                          */
/* ------------------------------------------------------------------ */

/* The study's key: the scenarios' resolved texts and the seed. */
static uint64_t study_key(const infer_options *opt)
{
    uint64_t h = BUF_FNV_OFFSET;
    for (size_t m = 0; m < opt->nmodels; m++)
        h = buf_fnv1a(h, opt->resolved[m], strlen(opt->resolved[m]) + 1);
    unsigned char w[8];
    buf_put_u64(w, opt->seed);
    return buf_fnv1a(h, w, sizeof w);
}

int infer_run(engine *e, const infer_options *opt, infer_report *rep, char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    if (opt->nmodels < 1 || opt->nmodels > ABC_MAX_MODELS) {
        snprintf(err, errlen, "expected 1 to %d scenarios, found %zu", ABC_MAX_MODELS, opt->nmodels);
        return AS_EUSAGE;
    }
    int root = engine_rank(e) == 0;
    infer_ctx *c = calloc(1, sizeof *c);
    abc_prior *priors = calloc(opt->nmodels * ABC_MAX_PARAMS, sizeof *priors);
    abc_model models[ABC_MAX_MODELS];
    accepted_years ay;
    memset(&ay, 0, sizeof ay);
    abc *a = NULL;
    int journal = 0, rc = AS_ENOMEM;
    if (!c || !priors) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    const model_spec *s0 = opt->specs[0];
    c->nmodels = opt->nmodels;
    c->specs = opt->specs;
    if ((rc = make_models(opt, c, priors, models, err, errlen)) != AS_OK)
        goto done;
    c->targets = s0->targets;
    c->nt = s0->ntargets;
    c->scales = s0->infer.scales;
    infer_distance_params_init(&c->dp);
    c->dp.scale_years = s0->infer.scale_years;
    c->dp.cap_years = s0->infer.cap_years;
    c->dp.miss_years = s0->infer.miss_years;
    c->dp.fit_until = s0->infer.fit_until;
    if (infer_fitted_count(c->targets, c->nt, &c->dp) == 0) {
        snprintf(err, errlen, "%s: no target is dated up to the fit window's end %.2f: nothing to fit", s0->name,
                 c->dp.fit_until);
        rc = AS_EUSAGE;
        goto done;
    }
    c->want_years = infer_fitted_count(c->targets, c->nt, &c->dp) < c->nt;
    c->rec_size = 8 * (1 + (c->want_years ? c->nt : 0));
    abc_config cfg;
    config_of(&s0->infer, &cfg);
    if ((rc = abc_alloc(&a, &cfg, models, opt->nmodels, opt->seed, err, errlen)) != AS_OK)
        goto done;
    ay.stride = 1;
    for (size_t m = 0; m < opt->nmodels; m++)
        ay.stride = c->np[m] > ay.stride ? c->np[m] : ay.stride;
    ay.prior_model = malloc(cfg.particles * sizeof *ay.prior_model);
    ay.prior_theta = malloc(cfg.particles * ay.stride * sizeof *ay.prior_theta);
    if (!ay.prior_model || !ay.prior_theta) {
        snprintf(err, errlen, "out of memory");
        rc = AS_ENOMEM;
        goto done;
    }
    if (c->want_years) {
        ay.cur = malloc(cfg.particles * c->nt * sizeof *ay.cur);
        ay.last = malloc(cfg.particles * c->nt * sizeof *ay.last);
        if (!ay.cur || !ay.last) {
            snprintf(err, errlen, "out of memory");
            rc = AS_ENOMEM;
            goto done;
        }
    }

    rc = AS_OK;
    if (root && io_mkdir_p(opt->outdir, err, errlen) != AS_OK)
        rc = AS_EIO;
    if ((rc = engine_agree(e, rc)) != AS_OK)
        goto done;
    char jpath[4200];
    snprintf(jpath, sizeof jpath, "%s/.infer.journal", opt->outdir);
    if ((rc = engine_journal_open(e, jpath, study_key(opt), opt->resume, err, errlen)) != AS_OK)
        goto done;
    journal = 1;
    uint64_t simulated = 0;
    if ((rc = run_sampler(e, a, c, &cfg, opt, &ay, &simulated, err, errlen)) != AS_OK)
        goto done;
    if (abc_generations(a) == 0) {
        snprintf(err, errlen, "no generation completed (%s): loosen min_acceptance or raise max_simulations",
                 abc_stop_text(abc_stopped(a)));
        rc = AS_ERUNTIME;
        goto done;
    }

    /* The report. */
    size_t nm = opt->nmodels;
    rep->probability = calloc(nm, sizeof *rep->probability);
    rep->prob_lo = calloc(nm, sizeof *rep->prob_lo);
    rep->prob_hi = calloc(nm, sizeof *rep->prob_hi);
    if (!rep->probability || !rep->prob_lo || !rep->prob_hi) {
        snprintf(err, errlen, "out of memory");
        rc = AS_ENOMEM;
        goto done;
    }
    rep->nmodels = nm;
    rep->generations = abc_generations(a);
    rep->simulations = abc_simulations(a);
    rep->simulated = simulated;
    rep->stop = abc_stop_text(abc_stopped(a));
    abc_generation gi;
    abc_generation_info(a, rep->generations - 1, &gi);
    rep->tolerance = gi.tolerance;
    rep->ess = gi.ess;
    rc = AS_OK;
    if (root)
        rc = write_files(opt, a, &cfg, c, &ay, rep, err, errlen);
    else if (nm > 1) /* the probabilities, as the root computes them */
        rc = write_models(NULL, NULL, a, opt, rep, err, errlen);
    if (rc == AS_OK && nm == 1)
        rep->probability[0] = rep->prob_lo[0] = rep->prob_hi[0] = 1.0;
    size_t best = 0;
    for (size_t m = 1; m < nm; m++)
        if (gi.model_probability[m] > gi.model_probability[best])
            best = m;
    rep->best_model = best;
    abc_population pop = abc_get_population(a);
    if (rc == AS_OK && summarise(&pop, best, opt->specs[best], priors + best * ABC_MAX_PARAMS, rep) != AS_OK) {
        snprintf(err, errlen, "out of memory");
        rc = AS_ENOMEM;
    }
    rc = engine_agree(e, rc);
done:
    if (journal)
        rc = engine_journal_close(e, rc, err, errlen);
    engine_release_workers(e);
    if (c) {
        free(c->dist);
        free(c->years);
    }
    free(ay.cur);
    free(ay.last);
    free(ay.prior_model);
    free(ay.prior_theta);
    abc_free(a);
    free(priors);
    free(c);
    if (rc != AS_OK)
        infer_report_clear(rep);
    return rc;
}
