/*
 * abc - ABC-SMC with model choice (see abc.h for the algorithm).
 *
 * Life of a run: abc_alloc() prepares generation 0; abc_propose() draws a
 * batch of candidates from the generation's stream; abc_submit() accepts
 * in candidate order and, once N are accepted, finishes the generation
 * (normalised weights, record, the accepted particles become `prev`) and
 * prepares the next one (stopping rule, tolerance, kernels, stream).
 * prepare() is also what abc_restore() calls, so a restored run computes
 * exactly what the uninterrupted run computed at that point.
 *
 * Invariants: `waiting` is set between abc_propose() and abc_submit();
 * `examined` candidates of the generation under way have distances,
 * `proposed` >= examined have been drawn; cur holds the accepted ones with
 * log weights; prev holds the last completed generation with normalised
 * weights (n = 0 before the first).
 */
#include "study/abc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "base/status.h"
#include "stats/rng.h"

#define ABC_IMAGE_MAGIC "ASABCSM"   /* 8 bytes with the NUL */
#define ABC_IMAGE_VERSION 1u
#define MAX_REDRAWS 1000000u
/* Philox stream ids, keyed with the master seed: generation t's proposals
 * use STREAM_PROPOSALS + t, the model-probability bootstrap its own id.
 * ("ABC" and "ABCB" in the high bits keep them apart from the model's
 * substreams 1-4, the sweep's and the sensitivity bootstrap's.) */
#define STREAM_PROPOSALS (UINT64_C(0x414243) << 32)
#define STREAM_BOOTSTRAP (UINT64_C(0x41424342) << 24)

typedef struct {
    size_t n, cap;
    size_t *model;
    double *theta;   /* cap rows of stride */
    double *w;       /* log weights while sampling, normalised weights after */
    double *dist;
} pop;

typedef struct {
    double tolerance, acceptance, ess;
    uint64_t candidates, simulations;
} gen_rec;

struct abc {
    abc_config cfg;
    uint64_t seed, fingerprint;
    size_t nmodels, stride;
    size_t np[ABC_MAX_MODELS], prior0[ABC_MAX_MODELS];
    size_t nfree[ABC_MAX_MODELS];
    size_t freeidx[ABC_MAX_MODELS][ABC_MAX_PARAMS];
    double spread[ABC_MAX_MODELS][ABC_MAX_PARAMS];
    double log_model_prior[ABC_MAX_MODELS], cum_model_prior[ABC_MAX_MODELS];
    abc_prior *priors;

    /* completed generations */
    size_t ngen, gen_cap;
    gen_rec *gens;
    double *gen_prob;              /* gen_cap x nmodels */
    uint64_t total;
    pop prev;
    abc_stop stop;

    /* the generation under way */
    double eps;
    gsl_rng *rng;
    uint64_t proposed, examined, limit;
    pop cur;
    abc_kernel kern[ABC_MAX_MODELS];
    int alive[ABC_MAX_MODELS];
    double log_model_factor[ABC_MAX_MODELS], cum_prev_prob[ABC_MAX_MODELS];

    /* the batch waiting for its distances */
    int waiting;
    uint64_t bfirst;
    size_t bn, bcap;
    size_t *bmodel;
    double *btheta;
    uint64_t *bseed;

    /* kernel fitting: one model's particles packed */
    double *pack, *packw, *packd;
};

/* ---- small helpers -------------------------------------------------- */

/*
 * Simulation seed of candidate i of generation t: a replication seed
 * (63 bits) under a per-generation master, so the candidates of one
 * generation never share a seed (rng_rep_seed is a bijection).
 */
static uint64_t candidate_seed(uint64_t master, uint64_t t, uint64_t i)
{
    return rng_rep_seed(rng_mix64(master ^ rng_mix64(STREAM_PROPOSALS + t)), i);
}

const char *abc_stop_text(abc_stop s)
{
    switch (s) {
    case ABC_RUNNING: return "running";
    case ABC_STOP_TOLERANCE: return "minimum tolerance reached";
    case ABC_STOP_GENERATIONS: return "maximum number of generations reached";
    case ABC_STOP_SIMULATIONS: return "simulation budget spent";
    case ABC_STOP_ACCEPTANCE: return "acceptance rate fell below the minimum";
    case ABC_STOP_PLATEAU: return "all particles at the same distance: the tolerance cannot fall";
    }
    return "unknown";
}

void abc_config_init(abc_config *c)
{
    *c = (abc_config){
        .particles = 1000,
        .quantile = 0.5,
        .initial_tolerance = INFINITY,
        .min_tolerance = 0.0,
        .min_acceptance = 0.01,
        .max_simulations = 0,
        .max_generations = 30,
        .kernel = ABC_KERNEL_OLCM,
        .model_stay = 0.7,
    };
}

static void pop_clear(pop *p)
{
    free(p->model);
    free(p->theta);
    free(p->w);
    free(p->dist);
    memset(p, 0, sizeof *p);
}

static int pop_alloc(pop *p, size_t cap, size_t stride)
{
    memset(p, 0, sizeof *p);
    if (cap > SIZE_MAX / sizeof(double) / stride)
        return AS_ENOMEM;
    p->model = malloc(cap * sizeof *p->model);
    p->theta = malloc(cap * stride * sizeof *p->theta);
    p->w = malloc(cap * sizeof *p->w);
    p->dist = malloc(cap * sizeof *p->dist);
    if (!p->model || !p->theta || !p->w || !p->dist) {
        pop_clear(p);
        return AS_ENOMEM;
    }
    p->cap = cap;
    return AS_OK;
}

/*
 * The fingerprint: FNV-1a of an image of everything that decides the draws
 * but the stopping rule.  Returns AS_OK or AS_ENOMEM.
 */
static int fingerprint(const abc *a, uint64_t *out)
{
    buf b = {0};
    buf_append_u64(&b, ABC_IMAGE_VERSION);
    buf_append_u64(&b, a->seed);
    buf_append_u64(&b, a->cfg.particles);
    buf_append_double(&b, a->cfg.quantile);
    buf_append_double(&b, a->cfg.initial_tolerance);
    buf_append_u64(&b, (uint64_t)a->cfg.kernel);
    buf_append_double(&b, a->cfg.model_stay);
    buf_append_u64(&b, a->nmodels);
    for (size_t m = 0; m < a->nmodels; m++) {
        buf_append_u64(&b, a->np[m]);
        buf_append_double(&b, a->log_model_prior[m]);
        for (size_t i = 0; i < a->np[m]; i++) {
            const abc_prior *p = &a->priors[a->prior0[m] + i];
            buf_append_u64(&b, (uint64_t)p->dist.kind);
            buf_append_double(&b, p->dist.a);
            buf_append_double(&b, p->dist.b);
            buf_append_double(&b, p->dist.c);
            buf_append_double(&b, p->dist.d);
            buf_append_double(&b, p->value);
            buf_append_double(&b, p->lo);
            buf_append_double(&b, p->hi);
        }
    }
    int rc = b.failed ? AS_ENOMEM : AS_OK;
    *out = buf_fnv1a(BUF_FNV_OFFSET, b.data, b.len);
    buf_clear(&b);
    return rc;
}

/* ---- allocation ----------------------------------------------------- */

static int check_config(const abc_config *c, const abc_model *models, size_t nmodels, char *err,
                        size_t errlen)
{
    if (c->particles < 2 || c->particles > (size_t)1 << 32) {
        snprintf(err, errlen, "particles: expected 2 to 2^32, found %zu", c->particles);
        return AS_EUSAGE;
    }
    if (!(c->quantile > 0.0 && c->quantile <= 1.0)) {
        snprintf(err, errlen, "quantile: expected a value in (0, 1], found %g", c->quantile);
        return AS_EUSAGE;
    }
    if (!(c->initial_tolerance > 0.0)) {
        snprintf(err, errlen, "initial tolerance: expected a value > 0 (or inf), found %g",
                 c->initial_tolerance);
        return AS_EUSAGE;
    }
    if (!(c->min_tolerance >= 0.0) || isinf(c->min_tolerance)) {
        snprintf(err, errlen, "minimum tolerance: expected a finite value >= 0, found %g", c->min_tolerance);
        return AS_EUSAGE;
    }
    if (!(c->min_acceptance >= 0.0 && c->min_acceptance < 1.0)) {
        snprintf(err, errlen, "minimum acceptance: expected a value in [0, 1), found %g", c->min_acceptance);
        return AS_EUSAGE;
    }
    if (c->max_generations < 1) {
        snprintf(err, errlen, "maximum generations: expected 1 or more, found 0");
        return AS_EUSAGE;
    }
    if (!abc_kernel_kind_name(c->kernel)) {
        snprintf(err, errlen, "kernel: expected olcm or cov2, found kind %d", (int)c->kernel);
        return AS_EUSAGE;
    }
    if (!(c->model_stay >= 0.0 && c->model_stay <= 1.0)) {
        snprintf(err, errlen, "model stay probability: expected a value in [0, 1], found %g", c->model_stay);
        return AS_EUSAGE;
    }
    if (nmodels < 1 || nmodels > ABC_MAX_MODELS) {
        snprintf(err, errlen, "expected 1 to %d models, found %zu", ABC_MAX_MODELS, nmodels);
        return AS_EUSAGE;
    }
    for (size_t m = 0; m < nmodels; m++) {
        if (models[m].nparams > ABC_MAX_PARAMS || (models[m].nparams && !models[m].priors)) {
            snprintf(err, errlen, "model %zu: expected 0 to %d parameters with their priors, found %zu", m,
                     ABC_MAX_PARAMS, models[m].nparams);
            return AS_EUSAGE;
        }
        if (!(models[m].prior_weight > 0.0) || isinf(models[m].prior_weight)) {
            snprintf(err, errlen, "model %zu: expected a finite prior weight > 0, found %g", m,
                     models[m].prior_weight);
            return AS_EUSAGE;
        }
    }
    return AS_OK;
}

static int prepare(abc *a, char *err, size_t errlen);

int abc_alloc(abc **out, const abc_config *cfg, const abc_model *models, size_t nmodels, uint64_t seed,
              char *err, size_t errlen)
{
    *out = NULL;
    int rc = check_config(cfg, models, nmodels, err, errlen);
    if (rc != AS_OK)
        return rc;
    abc *a = calloc(1, sizeof *a);
    if (!a)
        goto nomem;
    a->cfg = *cfg;
    a->seed = seed;
    a->nmodels = nmodels;
    a->stride = 1;
    size_t nprior = 0;
    double wsum = 0.0;
    for (size_t m = 0; m < nmodels; m++) {
        a->np[m] = models[m].nparams;
        a->prior0[m] = nprior;
        nprior += models[m].nparams;
        if (models[m].nparams > a->stride)
            a->stride = models[m].nparams;
        wsum += models[m].prior_weight;
    }
    a->priors = malloc((nprior ? nprior : 1) * sizeof *a->priors);
    if (!a->priors)
        goto nomem;
    double run = 0.0;
    for (size_t m = 0; m < nmodels; m++) {
        for (size_t i = 0; i < models[m].nparams; i++) {
            const abc_prior *p = &models[m].priors[i];
            a->priors[a->prior0[m] + i] = *p;
            if (!abc_prior_is_fixed(p)) {
                a->spread[m][a->nfree[m]] = abc_prior_spread(p);
                a->freeidx[m][a->nfree[m]++] = i;
            }
        }
        a->log_model_prior[m] = log(models[m].prior_weight / wsum);
        run += models[m].prior_weight / wsum;
        a->cum_model_prior[m] = run;
        abc_kernel_init(&a->kern[m]);
    }
    size_t n = cfg->particles;
    a->gen_cap = 16;
    a->gens = malloc(a->gen_cap * sizeof *a->gens);
    a->gen_prob = malloc(a->gen_cap * nmodels * sizeof *a->gen_prob);
    a->rng = rng_alloc(seed, STREAM_PROPOSALS);
    a->pack = malloc(n * a->stride * sizeof *a->pack);
    a->packw = malloc(n * sizeof *a->packw);
    a->packd = malloc(n * sizeof *a->packd);
    if (!a->gens || !a->gen_prob || !a->rng || !a->pack || !a->packw || !a->packd ||
        pop_alloc(&a->prev, n, a->stride) != AS_OK || pop_alloc(&a->cur, n, a->stride) != AS_OK)
        goto nomem;
    a->prev.n = 0;
    if (fingerprint(a, &a->fingerprint) != AS_OK)
        goto nomem;
    rc = prepare(a, err, errlen);
    if (rc != AS_OK) {
        abc_free(a);
        return rc;
    }
    *out = a;
    return AS_OK;
nomem:
    abc_free(a);
    snprintf(err, errlen, "out of memory for an ABC run of %zu particles", cfg->particles);
    return AS_ENOMEM;
}

void abc_free(abc *a)
{
    if (!a)
        return;
    for (size_t m = 0; m < a->nmodels; m++)
        abc_kernel_clear(&a->kern[m]);
    pop_clear(&a->prev);
    pop_clear(&a->cur);
    free(a->priors);
    free(a->gens);
    free(a->gen_prob);
    if (a->rng)
        gsl_rng_free(a->rng);
    free(a->bmodel);
    free(a->btheta);
    free(a->bseed);
    free(a->pack);
    free(a->packw);
    free(a->packd);
    free(a);
}

/* ---- preparing a generation ----------------------------------------- */

typedef struct {
    double d, w;
    size_t i;
} dw;

static int cmp_dw(const void *pa, const void *pb)
{
    const dw *x = pa, *y = pb;
    if (x->d < y->d)
        return -1;
    if (x->d > y->d)
        return 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * The next tolerance from the previous population: the weighted quantile,
 * forced below `last` as the header describes.  Returns 0 with *eps set,
 * 1 for a plateau, -1 when memory runs out.
 */
static int next_tolerance(const pop *p, double alpha, double last, double *eps)
{
    dw *v = malloc(p->n * sizeof *v);
    if (!v)
        return -1;
    double total = 0.0;
    for (size_t i = 0; i < p->n; i++) {
        v[i] = (dw){p->dist[i], p->w[i], i};
        total += p->w[i];
    }
    qsort(v, p->n, sizeof *v, cmp_dw);
    double q = v[p->n - 1].d, c = 0.0, target = alpha * total * (1.0 - 1e-12);
    for (size_t i = 0; i < p->n; i++) {
        c += v[i].w;
        if (c >= target) {
            q = v[i].d;
            break;
        }
    }
    int rc = 0;
    if (!(q < last)) {
        rc = 1;
        for (size_t i = p->n; i-- > 0;)
            if (v[i].d < last) {
                q = v[i].d;
                rc = 0;
                break;
            }
    }
    free(v);
    *eps = q;
    return rc;
}

/* Fits model m's kernel to its particles in prev (p(m) = prob > 0). */
static int fit_model_kernel(abc *a, size_t m, double prob, char *err, size_t errlen)
{
    size_t k = 0, nf = a->nfree[m];
    for (size_t i = 0; i < a->prev.n; i++) {
        if (a->prev.model[i] != m)
            continue;
        const double *th = a->prev.theta + i * a->stride;
        for (size_t j = 0; j < nf; j++)
            a->pack[k * nf + j] = th[a->freeidx[m][j]];
        a->packw[k] = a->prev.w[i] / prob;
        a->packd[k] = a->prev.dist[i];
        k++;
    }
    return abc_kernel_fit(&a->kern[m], a->cfg.kernel, k, nf, a->pack, a->packw, a->packd, a->eps,
                          a->spread[m], err, errlen);
}

/* Sets up generation `ngen` (or stops the run): see the file comment. */
static int prepare(abc *a, char *err, size_t errlen)
{
    a->proposed = a->examined = 0;
    a->cur.n = 0;
    a->waiting = 0;
    a->stop = ABC_RUNNING;
    a->eps = NAN;
    uint64_t budget = a->cfg.max_simulations;
    const gen_rec *last = a->ngen ? &a->gens[a->ngen - 1] : NULL;
    if (last && last->tolerance <= a->cfg.min_tolerance)
        a->stop = ABC_STOP_TOLERANCE;
    else if (a->ngen >= a->cfg.max_generations)
        a->stop = ABC_STOP_GENERATIONS;
    else if (budget && (budget <= a->total || budget - a->total < a->cfg.particles))
        a->stop = ABC_STOP_SIMULATIONS; /* not enough left to complete a generation */
    if (a->stop != ABC_RUNNING)
        return AS_OK;
    if (!last) {
        a->eps = a->cfg.initial_tolerance;
    } else {
        double q;
        int t = next_tolerance(&a->prev, a->cfg.quantile, last->tolerance, &q);
        if (t < 0) {
            snprintf(err, errlen, "out of memory choosing the next tolerance");
            return AS_ENOMEM;
        }
        if (t > 0) {
            a->stop = ABC_STOP_PLATEAU;
            return AS_OK;
        }
        a->eps = fmax(q, a->cfg.min_tolerance);
        const double *prob = a->gen_prob + (a->ngen - 1) * a->nmodels;
        double run = 0.0;
        for (size_t m = 0; m < a->nmodels; m++) {
            run += prob[m];
            a->cum_prev_prob[m] = run;
            a->alive[m] = prob[m] > 0.0;
            if (a->alive[m]) {
                int rc = fit_model_kernel(a, m, prob[m], err, errlen);
                if (rc != AS_OK)
                    return rc;
            }
        }
        /* log sum_m' p(m') KM(m | m') */
        for (size_t m = 0; m < a->nmodels; m++) {
            double f = 0.0;
            for (size_t s = 0; s < a->nmodels; s++) {
                double km = a->nmodels == 1 ? 1.0
                            : s == m        ? a->cfg.model_stay
                                            : (1.0 - a->cfg.model_stay) / (double)(a->nmodels - 1);
                f += prob[s] * km;
            }
            a->log_model_factor[m] = log(f);
        }
    }
    a->limit = UINT64_MAX;
    if (a->cfg.min_acceptance > 0.0) {
        double lim = floor((double)a->cfg.particles / a->cfg.min_acceptance);
        if (lim < 1.8e19)
            a->limit = (uint64_t)lim;
    }
    if (budget && budget - a->total < a->limit)
        a->limit = budget - a->total;
    rng_set_key(a->rng, a->seed, STREAM_PROPOSALS + a->ngen);
    return AS_OK;
}

/* ---- proposing ------------------------------------------------------ */

/* Index of the first cumulative value above u * cum[n-1]. */
static size_t pick(const double *cum, size_t n, double u)
{
    double x = u * cum[n - 1];
    for (size_t i = 0; i < n; i++)
        if (cum[i] > x)
            return i;
    return n - 1;
}

/* Draws one candidate into (model, theta row). */
static int draw_candidate(abc *a, size_t *mout, double *theta, char *err, size_t errlen)
{
    gsl_rng *r = a->rng;
    if (a->ngen == 0) {
        size_t m = a->nmodels > 1 ? pick(a->cum_model_prior, a->nmodels, gsl_rng_uniform(r)) : 0;
        for (size_t i = 0; i < a->np[m]; i++) {
            const abc_prior *p = &a->priors[a->prior0[m] + i];
            theta[i] = abc_prior_is_fixed(p) ? p->value : abc_prior_quantile(p, gsl_rng_uniform_pos(r));
        }
        for (size_t i = a->np[m]; i < a->stride; i++)
            theta[i] = 0.0;
        *mout = m;
        return AS_OK;
    }
    double z[ABC_MAX_PARAMS];
    for (unsigned tries = 0; tries < MAX_REDRAWS; tries++) {
        size_t m = 0;
        if (a->nmodels > 1) {
            size_t from = pick(a->cum_prev_prob, a->nmodels, gsl_rng_uniform(r));
            m = from;
            if (gsl_rng_uniform(r) >= a->cfg.model_stay) {
                size_t k = (size_t)gsl_rng_uniform_int(r, (unsigned long)(a->nmodels - 1));
                m = k < from ? k : k + 1;
            }
            if (!a->alive[m])
                continue;
        }
        abc_kernel_draw(&a->kern[m], r, z);
        int ok = 1;
        for (size_t i = 0; i < a->np[m]; i++)
            theta[i] = a->priors[a->prior0[m] + i].value;
        for (size_t j = 0; j < a->nfree[m] && ok; j++) {
            size_t i = a->freeidx[m][j];
            theta[i] = z[j];
            ok = abc_prior_contains(&a->priors[a->prior0[m] + i], z[j]);
        }
        if (!ok)
            continue;
        for (size_t i = a->np[m]; i < a->stride; i++)
            theta[i] = 0.0;
        *mout = m;
        return AS_OK;
    }
    snprintf(err, errlen,
             "generation %zu: %u perturbed draws in a row fell outside the priors' support; the priors are "
             "too narrow for the particles",
             a->ngen, MAX_REDRAWS);
    return AS_ERUNTIME;
}

static int reserve_batch(abc *a, size_t n)
{
    if (n <= a->bcap)
        return AS_OK;
    if (n > SIZE_MAX / sizeof(double) / a->stride)
        return AS_ENOMEM;
    size_t *bm = realloc(a->bmodel, n * sizeof *bm);
    if (!bm)
        return AS_ENOMEM;
    a->bmodel = bm;
    double *bt = realloc(a->btheta, n * a->stride * sizeof *bt);
    if (!bt)
        return AS_ENOMEM;
    a->btheta = bt;
    uint64_t *bs = realloc(a->bseed, n * sizeof *bs);
    if (!bs)
        return AS_ENOMEM;
    a->bseed = bs;
    a->bcap = n;
    return AS_OK;
}

int abc_propose(abc *a, size_t min_n, size_t max_n, abc_batch *batch, char *err, size_t errlen)
{
    if (a->stop != ABC_RUNNING || a->waiting || min_n < 1 || min_n > max_n) {
        snprintf(err, errlen, "%s",
                 a->stop != ABC_RUNNING ? "the run has stopped"
                 : a->waiting           ? "the previous batch is still waiting for its distances"
                                        : "batch sizes: expected 1 <= min <= max");
        return AS_EUSAGE;
    }
    size_t need = a->cfg.particles - a->cur.n;
    double rate = a->examined ? ((double)a->cur.n + 1.0) / ((double)a->examined + 2.0)
                  : a->ngen   ? a->gens[a->ngen - 1].acceptance
                              : 1.0;
    double want = ceil((double)need / rate);
    size_t n = want >= (double)max_n ? max_n : (size_t)want;
    if (n < min_n)
        n = min_n;
    if ((uint64_t)n > a->limit - a->proposed)
        n = (size_t)(a->limit - a->proposed);
    if (reserve_batch(a, n) != AS_OK) {
        snprintf(err, errlen, "out of memory for a batch of %zu candidates", n);
        return AS_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        int rc = draw_candidate(a, &a->bmodel[i], a->btheta + i * a->stride, err, errlen);
        if (rc != AS_OK)
            return rc;
        a->bseed[i] = candidate_seed(a->seed, a->ngen, a->proposed + i);
    }
    a->bfirst = a->proposed;
    a->bn = n;
    a->proposed += n;
    a->waiting = 1;
    *batch = (abc_batch){
        .generation = (unsigned)a->ngen,
        .first = a->bfirst,
        .n = n,
        .stride = a->stride,
        .model = a->bmodel,
        .theta = a->btheta,
        .seed = a->bseed,
    };
    return AS_OK;
}

/* ---- accepting ------------------------------------------------------ */

/* Log importance weight of an accepted candidate (0 in generation 0). */
static double log_weight(const abc *a, size_t m, const double *theta)
{
    if (a->ngen == 0)
        return 0.0;
    double lw = a->log_model_prior[m] - a->log_model_factor[m];
    double z[ABC_MAX_PARAMS];
    for (size_t i = 0; i < a->np[m]; i++)
        lw += abc_prior_logpdf(&a->priors[a->prior0[m] + i], theta[i]);
    for (size_t j = 0; j < a->nfree[m]; j++)
        z[j] = theta[a->freeidx[m][j]];
    return lw - abc_kernel_logpdf(&a->kern[m], z);
}

static int grow_records(abc *a)
{
    if (a->ngen < a->gen_cap)
        return AS_OK;
    size_t cap = a->gen_cap * 2;
    gen_rec *g = realloc(a->gens, cap * sizeof *g);
    if (!g)
        return AS_ENOMEM;
    a->gens = g;
    double *p = realloc(a->gen_prob, cap * a->nmodels * sizeof *p);
    if (!p)
        return AS_ENOMEM;
    a->gen_prob = p;
    a->gen_cap = cap;
    return AS_OK;
}

/* Normalises the accepted particles' weights, records the generation and
 * makes it the previous population. */
static int finish_generation(abc *a, char *err, size_t errlen)
{
    if (grow_records(a) != AS_OK) {
        snprintf(err, errlen, "out of memory recording generation %zu", a->ngen);
        return AS_ENOMEM;
    }
    pop *c = &a->cur;
    double mx = -INFINITY, s = 0.0, s2 = 0.0;
    for (size_t i = 0; i < c->n; i++)
        mx = fmax(mx, c->w[i]);
    for (size_t i = 0; i < c->n; i++) {
        c->w[i] = exp(c->w[i] - mx);
        s += c->w[i];
    }
    double *prob = a->gen_prob + a->ngen * a->nmodels;
    for (size_t m = 0; m < a->nmodels; m++)
        prob[m] = 0.0;
    for (size_t i = 0; i < c->n; i++) {
        c->w[i] /= s;
        s2 += c->w[i] * c->w[i];
        prob[c->model[i]] += c->w[i];
    }
    a->total += a->examined;
    a->gens[a->ngen] = (gen_rec){
        .tolerance = a->eps,
        .acceptance = (double)c->n / (double)a->examined,
        .ess = 1.0 / s2,
        .candidates = a->examined,
        .simulations = a->total,
    };
    pop t = a->prev;
    a->prev = a->cur;
    a->cur = t;
    a->ngen++;
    return prepare(a, err, errlen);
}

int abc_submit(abc *a, const double *distances, abc_event *ev, char *err, size_t errlen)
{
    *ev = ABC_MORE;
    if (!a->waiting) {
        snprintf(err, errlen, "no batch is waiting for its distances");
        return AS_EUSAGE;
    }
    for (size_t i = 0; i < a->bn; i++)
        if (!(distances[i] >= 0.0)) {
            snprintf(err, errlen, "candidate %llu of generation %zu: distance %g (expected a value >= 0)",
                     (unsigned long long)(a->bfirst + i), a->ngen, distances[i]);
            return AS_ERUNTIME;
        }
    a->waiting = 0;
    size_t n = a->cfg.particles;
    for (size_t i = 0; i < a->bn && a->cur.n < n; i++) {
        a->examined++;
        if (!(distances[i] <= a->eps))
            continue;
        size_t k = a->cur.n++;
        const double *th = a->btheta + i * a->stride;
        a->cur.model[k] = a->bmodel[i];
        memcpy(a->cur.theta + k * a->stride, th, a->stride * sizeof *th);
        a->cur.dist[k] = distances[i];
        a->cur.w[k] = log_weight(a, a->bmodel[i], th);
    }
    if (a->cur.n == n) {
        int rc = finish_generation(a, err, errlen);
        if (rc != AS_OK)
            return rc;
        *ev = a->stop == ABC_RUNNING ? ABC_GENERATION : ABC_DONE;
        return AS_OK;
    }
    if (a->examined >= a->limit) {
        uint64_t budget = a->cfg.max_simulations;
        a->stop = budget && a->total + a->examined >= budget ? ABC_STOP_SIMULATIONS : ABC_STOP_ACCEPTANCE;
        a->eps = NAN;
        a->cur.n = 0;
        *ev = ABC_ABANDONED;
    }
    return AS_OK;
}

/* ---- results -------------------------------------------------------- */

abc_stop abc_stopped(const abc *a)
{
    return a->stop;
}

size_t abc_nmodels(const abc *a)
{
    return a->nmodels;
}

size_t abc_nparams(const abc *a, size_t m)
{
    return m < a->nmodels ? a->np[m] : 0;
}

uint64_t abc_simulations(const abc *a)
{
    return a->total + a->examined;
}

size_t abc_generations(const abc *a)
{
    return a->ngen;
}

double abc_tolerance(const abc *a)
{
    return a->eps;
}

int abc_generation_info(const abc *a, size_t t, abc_generation *g)
{
    if (t >= a->ngen)
        return AS_EUSAGE;
    const gen_rec *r = &a->gens[t];
    *g = (abc_generation){
        .tolerance = r->tolerance,
        .acceptance = r->acceptance,
        .ess = r->ess,
        .candidates = r->candidates,
        .simulations = r->simulations,
        .model_probability = a->gen_prob + t * a->nmodels,
    };
    return AS_OK;
}

abc_population abc_get_population(const abc *a)
{
    return (abc_population){
        .n = a->prev.n,
        .stride = a->stride,
        .model = a->prev.model,
        .theta = a->prev.theta,
        .weight = a->prev.w,
        .distance = a->prev.dist,
    };
}

/* Bayes factor of probabilities pm against pr, with prior odds removed;
 * NaN when both are 0. */
static double bayes_factor(const abc *a, size_t m, size_t ref, double pm, double pr)
{
    if (pr == 0.0)
        return pm > 0.0 ? INFINITY : NAN;
    return pm / pr * exp(a->log_model_prior[ref] - a->log_model_prior[m]);
}

/* The percentile interval of the finite-or-infinite values v[0..n) (NaN
 * dropped; v is sorted in place). */
static void percentile(double *v, size_t n, double conf, double *lo, double *hi)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            v[k++] = v[i];
    if (k == 0 || k < n / 2) {
        *lo = *hi = NAN;
        return;
    }
    gsl_sort(v, 1, k);
    *lo = gsl_stats_quantile_from_sorted_data(v, 1, k, 0.5 * (1.0 - conf));
    *hi = gsl_stats_quantile_from_sorted_data(v, 1, k, 0.5 * (1.0 + conf));
}

int abc_model_summary(const abc *a, size_t ref, double conf, size_t nboot, abc_model_stats *out,
                      char *err, size_t errlen)
{
    const pop *p = &a->prev;
    if (p->n == 0 || ref >= a->nmodels || !(conf > 0.0 && conf < 1.0) || nboot < 1) {
        snprintf(err, errlen, "%s",
                 p->n == 0 ? "no generation has completed"
                           : "model summary: expected a reference model, a level in (0, 1) and "
                             "1 or more resamples");
        return AS_EUSAGE;
    }
    size_t nm = a->nmodels;
    double *boot = NULL, *col = NULL;
    gsl_rng *r = NULL;
    int rc = AS_ENOMEM;
    if (nboot > SIZE_MAX / sizeof(double) / (2 * nm))
        goto out;
    boot = malloc(nboot * 2 * nm * sizeof *boot); /* probabilities, then Bayes factors */
    col = malloc(nboot * sizeof *col);
    r = rng_alloc(a->seed, STREAM_BOOTSTRAP);
    if (!boot || !col || !r)
        goto out;
    double prob[ABC_MAX_MODELS];
    for (size_t b = 0; b < nboot; b++) {
        double s = 0.0;
        for (size_t m = 0; m < nm; m++)
            prob[m] = 0.0;
        for (size_t i = 0; i < p->n; i++) {
            size_t j = (size_t)gsl_rng_uniform_int(r, (unsigned long)p->n);
            prob[p->model[j]] += p->w[j];
            s += p->w[j];
        }
        double *row = boot + b * 2 * nm;
        for (size_t m = 0; m < nm; m++)
            row[m] = prob[m] / s;
        for (size_t m = 0; m < nm; m++)
            row[nm + m] = bayes_factor(a, m, ref, row[m], row[ref]);
    }
    const double *point = a->gen_prob + (a->ngen - 1) * nm;
    for (size_t m = 0; m < nm; m++) {
        abc_model_stats *o = &out[m];
        *o = (abc_model_stats){.probability = point[m],
                               .bayes_factor = bayes_factor(a, m, ref, point[m], point[ref])};
        for (size_t i = 0; i < p->n; i++)
            o->particles += p->model[i] == m;
        for (size_t b = 0; b < nboot; b++)
            col[b] = boot[b * 2 * nm + m];
        percentile(col, nboot, conf, &o->prob_lo, &o->prob_hi);
        for (size_t b = 0; b < nboot; b++)
            col[b] = boot[b * 2 * nm + nm + m];
        percentile(col, nboot, conf, &o->bf_lo, &o->bf_hi);
    }
    rc = AS_OK;
out:
    if (rc != AS_OK)
        snprintf(err, errlen, "out of memory for %zu bootstrap resamples", nboot);
    free(boot);
    free(col);
    if (r)
        gsl_rng_free(r);
    return rc;
}

/* ---- saving and restoring ------------------------------------------- */

int abc_save(const abc *a, buf *out)
{
    size_t start = out->len;
    buf_append(out, ABC_IMAGE_MAGIC, 8);
    buf_append_u64(out, ABC_IMAGE_VERSION);
    buf_append_u64(out, a->fingerprint);
    buf_append_u64(out, a->nmodels);
    buf_append_u64(out, a->stride);
    buf_append_u64(out, a->cfg.particles);
    buf_append_u64(out, a->ngen);
    buf_append_u64(out, a->total);
    for (size_t t = 0; t < a->ngen; t++) {
        const gen_rec *g = &a->gens[t];
        buf_append_double(out, g->tolerance);
        buf_append_double(out, g->acceptance);
        buf_append_double(out, g->ess);
        buf_append_u64(out, g->candidates);
        buf_append_u64(out, g->simulations);
        for (size_t m = 0; m < a->nmodels; m++)
            buf_append_double(out, a->gen_prob[t * a->nmodels + m]);
    }
    for (size_t i = 0; i < a->prev.n; i++) {
        buf_append_u64(out, a->prev.model[i]);
        buf_append_double(out, a->prev.w[i]);
        buf_append_double(out, a->prev.dist[i]);
        for (size_t j = 0; j < a->stride; j++)
            buf_append_double(out, a->prev.theta[i * a->stride + j]);
    }
    if (out->failed)
        return AS_ENOMEM;
    buf_append_u64(out, buf_fnv1a(BUF_FNV_OFFSET, out->data + start, out->len - start));
    return out->failed ? AS_ENOMEM : AS_OK;
}

int abc_restore(abc *a, const void *image, size_t len, char *err, size_t errlen)
{
    if (a->ngen || a->proposed) {
        snprintf(err, errlen, "a state can only be restored into a fresh run");
        return AS_EUSAGE;
    }
    const unsigned char *bytes = image;
    if (len < 16 || memcmp(bytes, ABC_IMAGE_MAGIC, 8) != 0 ||
        buf_fnv1a(BUF_FNV_OFFSET, bytes, len - 8) != buf_get_u64(bytes + len - 8)) {
        snprintf(err, errlen, "not an ABC state, or a truncated or corrupt one");
        return AS_EUSAGE;
    }
    buf_reader rd = buf_reader_of(bytes + 8, len - 16);
    uint64_t version = buf_read_u64(&rd), fp = buf_read_u64(&rd), nm = buf_read_u64(&rd),
             stride = buf_read_u64(&rd), n = buf_read_u64(&rd), ngen = buf_read_u64(&rd),
             total = buf_read_u64(&rd);
    if (rd.failed || version != ABC_IMAGE_VERSION) {
        snprintf(err, errlen, "ABC state of version %llu (this program reads version %u)",
                 (unsigned long long)version, ABC_IMAGE_VERSION);
        return AS_EUSAGE;
    }
    if (fp != a->fingerprint || nm != a->nmodels || stride != a->stride || n != a->cfg.particles) {
        snprintf(err, errlen, "the ABC state belongs to another run (other models, priors, settings or seed)");
        return AS_EUSAGE;
    }
    /* Every generation record and then n particles must fill the rest. */
    uint64_t rec = 5 + nm, part = 3 + stride;
    if (ngen > (rd.len - rd.pos) / 8 / rec ||
        (rd.len - rd.pos) / 8 != ngen * rec + (ngen ? n * part : 0) || (rd.len - rd.pos) % 8) {
        snprintf(err, errlen, "the ABC state's size does not match its contents");
        return AS_EUSAGE;
    }
    while (a->gen_cap < ngen)
        if (grow_records(a) != AS_OK) {
            snprintf(err, errlen, "out of memory restoring %llu generations", (unsigned long long)ngen);
            return AS_ENOMEM;
        }
    for (size_t t = 0; t < ngen; t++) {
        gen_rec *g = &a->gens[t];
        g->tolerance = buf_read_double(&rd);
        g->acceptance = buf_read_double(&rd);
        g->ess = buf_read_double(&rd);
        g->candidates = buf_read_u64(&rd);
        g->simulations = buf_read_u64(&rd);
        for (size_t m = 0; m < nm; m++)
            a->gen_prob[t * nm + m] = buf_read_double(&rd);
    }
    int bad = 0;
    size_t np = ngen ? (size_t)n : 0;
    for (size_t i = 0; i < np; i++) {
        uint64_t m = buf_read_u64(&rd);
        bad |= m >= nm;
        a->prev.model[i] = (size_t)m;
        a->prev.w[i] = buf_read_double(&rd);
        a->prev.dist[i] = buf_read_double(&rd);
        for (size_t j = 0; j < stride; j++)
            a->prev.theta[i * stride + j] = buf_read_double(&rd);
    }
    if (bad || rd.failed) {
        snprintf(err, errlen, "the ABC state names a model that does not exist");
        a->prev.n = 0;
        return AS_EUSAGE;
    }
    a->prev.n = np;
    a->ngen = (size_t)ngen;
    a->total = total;
    int rc = prepare(a, err, errlen);
    if (rc != AS_OK) {
        a->ngen = 0;
        a->total = 0;
        a->prev.n = 0;
        prepare(a, err, errlen);
    }
    return rc;
}

/* ---- the driver ----------------------------------------------------- */

int abc_run(abc *a, abc_simulate_fn sim, abc_generation_fn on_gen, void *ctx, size_t min_n,
            size_t max_n, char *err, size_t errlen)
{
    if (min_n < 1 || min_n > max_n || max_n > SIZE_MAX / sizeof(double)) {
        snprintf(err, errlen, "batch sizes: expected 1 <= min <= max");
        return AS_EUSAGE;
    }
    double *d = malloc(max_n * sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory for %zu distances", max_n);
        return AS_ENOMEM;
    }
    int rc = AS_OK;
    while (rc == AS_OK && a->stop == ABC_RUNNING) {
        abc_batch b;
        abc_event ev;
        rc = abc_propose(a, min_n, max_n, &b, err, errlen);
        if (rc == AS_OK)
            rc = sim(ctx, &b, d, err, errlen);
        if (rc == AS_OK)
            rc = abc_submit(a, d, &ev, err, errlen);
        if (rc == AS_OK && on_gen && (ev == ABC_GENERATION || ev == ABC_DONE))
            rc = on_gen(ctx, a, err, errlen);
    }
    free(d);
    return rc;
}
