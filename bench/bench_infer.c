/*
 * bench_infer - what ABC-SMC itself costs (study/abc: proposals, kernel
 * fits, importance weights, tolerance), with a simulator that costs
 * nothing, so the time per candidate is the inference overhead that `alignsim
 * infer` adds to each replication.  And, on request, the statistical
 * calibration of the Monte Carlo errors the tests rely on.
 *
 *   bench_infer                 overhead: 1,000 particles, 1, 4 and 10
 *                               parameters, both kernels, 8 generations;
 *                               then `historical 1000 2` below
 *   bench_infer historical [N [THREADS]]
 *                               the real model: `alignsim infer` on
 *                               scenarios/historical.cfg with N particles
 *                               (default 1000; its infer group otherwise)
 *                               on THREADS threads (default 2), then the
 *                               same replications (each candidate's seed
 *                               and values) without the inference on the
 *                               same executor (rep_run, nothing kept):
 *                               simulations per second of each and the
 *                               inference's overhead beyond the simulations
 *   bench_infer coverage RUNS   RUNS independent runs of two known-answer
 *                               problems (as in tests/test_abc.c): the
 *                               z-scores of the normal-mean posterior mean
 *                               and sd (delta-method errors), and the
 *                               coverage of the 95% bootstrap interval of
 *                               P(Poisson) against its closed form
 *
 * Lines to stdout, e.g.
 *   bench infer kernel=olcm params=4 particles=1000 candidates=52311 seconds=0.91 us_per_candidate=17.4 us_per_accepted=113
 *   bench infer coverage problem=normal runs=100 z_mean=0.10 z_sd=0.98 zsd_mean=-0.15 zsd_sd=1.05
 *   bench infer coverage problem=counts runs=100 z_mean=-0.08 z_sd=1.01 covered=94/100
 *   bench infer historical particles=1000 threads=2 generations=12 simulations=102523 run=107000
 *       seconds=49.2 sims_per_s=2175 plain_seconds=50.6 plain_sims_per_s=2115 overhead_pct=-2.7
 *       cpu_seconds=... plain_cpu_seconds=... cpu_overhead_pct=...  (process CPU time, all threads)
 * (simulations: counted by the sampler; run: replications run, which the
 * rates count)
 * Target: the overhead per candidate well below 10% of a replication of
 * the historical scenario (bench_replay: about 800 us), i.e. < 80 us.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "base/status.h"
#include "run/engine.h"
#include "run/rep.h"
#include "scenario/scenario.h"
#include "stats/rng.h"
#include "study/abc.h"
#include "study/infer.h"

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU seconds of the whole process (every thread): other jobs on a shared
 * machine disturb it far less than the wall clock. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

enum problem { GAUSS_D, NORMAL_MEAN, COUNTS };

typedef struct {
    enum problem kind;
    size_t dim;
    gsl_rng *r;
} sim_ctx;

/* The toys: a d-dimensional Gaussian location (distance |theta + 0.3 z - 1|),
 * the normal mean of tests/test_abc.c, Poisson/geometric counts. */
static int simulate(void *ctx, const abc_batch *b, double *d, char *err, size_t errlen)
{
    sim_ctx *c = ctx;
    (void)err;
    (void)errlen;
    for (size_t i = 0; i < b->n; i++) {
        rng_set_key(c->r, b->seed[i], 1);
        const double *th = b->theta + i * b->stride;
        if (c->kind == GAUSS_D) {
            double s = 0;
            for (size_t j = 0; j < c->dim; j++) {
                double e = th[j] + gsl_ran_gaussian_ziggurat(c->r, 0.3) - 1.0;
                s += e * e;
            }
            d[i] = sqrt(s);
        } else if (c->kind == NORMAL_MEAN) {
            d[i] = fabs(th[0] + gsl_ran_gaussian(c->r, 1.7 / sqrt(10.0)) - 2.385);
        } else {
            unsigned long s = 0;
            if (b->model[i] == 0) {
                for (int k = 0; k < 5; k++)
                    s += gsl_ran_poisson(c->r, th[0]);
            } else if (th[0] < 1e-3) {
                d[i] = 1e6;
                continue;
            } else {
                for (int k = 0; k < 5; k++)
                    s += gsl_ran_geometric(c->r, th[0]) - 1u;
            }
            d[i] = fabs((double)s - 9.0);
        }
    }
    return AS_OK;
}

static int prior(abc_prior *p, spec_dist_kind k, double a, double b, double lo, double hi)
{
    char err[256];
    spec_dist d = {.kind = k, .a = a, .b = b, .c = 0.0, .d = 1.0};
    if (abc_prior_init(p, &d, 0.0, lo, hi, err, sizeof err) != AS_OK) {
        fprintf(stderr, "bench_infer: %s\n", err);
        return -1;
    }
    return 0;
}

static int overhead(void)
{
    static const size_t dims[] = {1, 4, 10};
    sim_ctx c = {.kind = GAUSS_D, .r = rng_alloc(0, 0)};
    if (!c.r)
        return 1;
    int rc = 0;
    for (int kind = 0; kind < 2 && rc == 0; kind++)
        for (size_t k = 0; k < sizeof dims / sizeof dims[0] && rc == 0; k++) {
            abc_prior pr[10];
            for (size_t j = 0; j < dims[k]; j++)
                if (prior(&pr[j], DIST_NORMAL, 0.0, 2.0, -INFINITY, INFINITY) != 0)
                    rc = 1;
            abc_model m = {.nparams = dims[k], .priors = pr, .prior_weight = 1.0};
            abc_config cfg;
            abc_config_init(&cfg);
            cfg.kernel = (abc_kernel_kind)kind;
            cfg.max_generations = 8;
            abc *a = NULL;
            char err[256];
            c.dim = dims[k];
            double t0 = seconds_now();
            if (rc == 0 && (abc_alloc(&a, &cfg, &m, 1, 2385, err, sizeof err) != AS_OK ||
                            abc_run(a, simulate, NULL, &c, 256, 4096, err, sizeof err) != AS_OK)) {
                fprintf(stderr, "bench_infer: %s\n", err);
                rc = 1;
            }
            double secs = seconds_now() - t0;
            if (rc == 0) {
                /* the simulator's own time, measured apart and removed */
                abc_batch b = {0};
                size_t n = 20000;
                double *th = calloc(n * dims[k], sizeof *th), *d = malloc(n * sizeof *d);
                size_t *mi = calloc(n, sizeof *mi);
                uint64_t *sd = calloc(n, sizeof *sd);
                if (!th || !d || !mi || !sd) {
                    rc = 1;
                } else {
                    b = (abc_batch){.n = n, .stride = dims[k], .model = mi, .theta = th, .seed = sd};
                    double s0 = seconds_now();
                    simulate(&c, &b, d, err, sizeof err);
                    double per = (seconds_now() - s0) / (double)n;
                    uint64_t cand = abc_simulations(a);
                    uint64_t acc = (uint64_t)abc_generations(a) * cfg.particles;
                    double own = secs - per * (double)cand;
                    printf("bench infer kernel=%s params=%zu particles=%zu candidates=%llu seconds=%.2f "
                           "us_per_candidate=%.1f us_per_accepted=%.0f\n",
                           abc_kernel_kind_name(cfg.kernel), dims[k], cfg.particles, (unsigned long long)cand,
                           own, 1e6 * own / (double)cand, 1e6 * own / (double)acc);
                }
                free(th);
                free(d);
                free(mi);
                free(sd);
            }
            abc_free(a);
        }
    gsl_rng_free(c.r);
    return rc;
}

/* Mean and sd of n values. */
static void moments(const double *v, int n, double *mean, double *sd)
{
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++)
        s += v[i];
    *mean = s / n;
    for (int i = 0; i < n; i++)
        s2 += (v[i] - *mean) * (v[i] - *mean);
    *sd = sqrt(s2 / (n - 1));
}

static int coverage(int runs)
{
    sim_ctx c = {.r = rng_alloc(0, 0)};
    double *z = malloc((size_t)runs * 3 * sizeof *z);
    if (!c.r || !z || runs < 2)
        return 1;
    double v = 1.0 / (0.25 + 10.0 / 2.89), mu = v * (1.3 / 4.0 + 23.85 / 2.89);
    double bf = gsl_sf_gamma_inc_P(10.0, 20.0) / 20.0 / (5.0 / 210.0), prob = bf / (1.0 + bf);
    int covered = 0, rc = 0;
    char err[256];
    for (int kind = 0; kind < 2 && rc == 0; kind++)
        for (int s = 0; s < runs && rc == 0; s++) {
            abc_prior pr[2];
            abc_model m[2];
            abc_config cfg;
            abc_config_init(&cfg);
            size_t nm = 1;
            if (kind == 0) {
                rc |= prior(&pr[0], DIST_NORMAL, 1.3, 2.0, -INFINITY, INFINITY);
                m[0] = (abc_model){1, &pr[0], 1.0};
                cfg.min_tolerance = 0.02;
                c.kind = NORMAL_MEAN;
            } else {
                rc |= prior(&pr[0], DIST_UNIFORM, 0.0, 4.0, 0.0, INFINITY);
                rc |= prior(&pr[1], DIST_BETA, 1.0, 1.0, 0.0, 1.0);
                m[0] = (abc_model){1, &pr[0], 1.0};
                m[1] = (abc_model){1, &pr[1], 1.0};
                nm = 2;
                c.kind = COUNTS;
            }
            abc *a = NULL;
            if (rc || abc_alloc(&a, &cfg, m, nm, 1000u + (uint64_t)s, err, sizeof err) != AS_OK ||
                abc_run(a, simulate, NULL, &c, 256, 4096, err, sizeof err) != AS_OK) {
                fprintf(stderr, "bench_infer: %s\n", err);
                rc = 1;
                abc_free(a);
                break;
            }
            abc_population p = abc_get_population(a);
            if (kind == 0) {
                double mean = 0, var = 0, a2 = 0, b2 = 0;
                for (size_t i = 0; i < p.n; i++)
                    mean += p.weight[i] * p.theta[i * p.stride];
                for (size_t i = 0; i < p.n; i++) {
                    double x = p.theta[i * p.stride] - mean;
                    var += p.weight[i] * x * x;
                }
                for (size_t i = 0; i < p.n; i++) {
                    double x = p.theta[i * p.stride] - mean, q = x * x - var;
                    a2 += p.weight[i] * p.weight[i] * x * x;
                    b2 += p.weight[i] * p.weight[i] * q * q;
                }
                z[s] = (mean - mu) / sqrt(a2);
                z[runs + s] = (sqrt(var) - sqrt(v)) / (sqrt(b2) / (2.0 * sqrt(var)));
            } else {
                abc_model_stats st[2];
                if (abc_model_summary(a, 1, 0.95, 1000, st, err, sizeof err) != AS_OK) {
                    rc = 1;
                } else {
                    double se2 = 0;
                    for (size_t i = 0; i < p.n; i++) {
                        double e = (p.model[i] == 0) - st[0].probability;
                        se2 += p.weight[i] * p.weight[i] * e * e;
                    }
                    z[2 * runs + s] = (st[0].probability - prob) / sqrt(se2);
                    covered += st[0].prob_lo <= prob && prob <= st[0].prob_hi;
                }
            }
            abc_free(a);
        }
    if (rc == 0) {
        double m1, s1, m2, s2, m3, s3;
        moments(z, runs, &m1, &s1);
        moments(z + runs, runs, &m2, &s2);
        moments(z + 2 * runs, runs, &m3, &s3);
        printf("bench infer coverage problem=normal runs=%d z_mean=%.3f z_sd=%.3f zsd_mean=%.3f zsd_sd=%.3f\n",
               runs, m1, s1, m2, s2);
        printf("bench infer coverage problem=counts runs=%d z_mean=%.3f z_sd=%.3f covered=%d/%d\n", runs, m3, s3,
               covered, runs);
    }
    free(z);
    gsl_rng_free(c.r);
    return rc;
}

/* ---- the real model ------------------------------------------------- */

/* Every candidate the inference ran: its seed and parameter values. */
typedef struct {
    const model_spec *spec;
    size_t idx[ABC_MAX_PARAMS], np, stride, n, cap;
    uint64_t *seed;
    double *theta;
} replay;

static int keep_round(void *ctx, const abc_batch *b)
{
    replay *r = ctx;
    if (r->n + b->n > r->cap) {
        size_t cap = 2 * (r->n + b->n);
        uint64_t *s = realloc(r->seed, cap * sizeof *s);
        if (!s)
            return -1;
        r->seed = s;
        double *t = realloc(r->theta, cap * b->stride * sizeof *t);
        if (!t)
            return -1;
        r->theta = t;
        r->cap = cap;
    }
    r->stride = b->stride;
    memcpy(r->seed + r->n, b->seed, b->n * sizeof *b->seed);
    memcpy(r->theta + r->n * b->stride, b->theta, b->n * b->stride * sizeof *b->theta);
    r->n += b->n;
    return 0;
}

/* The same replications without the inference: rep_run with the
 * candidate's seed and values, nothing kept. */
static void *plain_alloc(void *ctx)
{
    const replay *r = ctx;
    return rep_worker_alloc(r->spec);
}

static void plain_free(void *ctx, void *w)
{
    (void)ctx;
    rep_worker_free(w);
}

static int plain_run(void *ctx, void *w, const engine_task *t, void *acc, buf *rec, char *err, size_t errlen)
{
    const replay *r = ctx;
    (void)acc;
    (void)rec;
    rep_outcome out;
    return rep_run(w, r->seed[t->index], r->idx, r->theta + t->index * r->stride, r->np, NULL, NULL, &out, err,
                   errlen);
}

static const engine_reducer plain_reducer = {.worker_alloc = plain_alloc, .worker_free = plain_free,
                                             .run = plain_run};

static int historical(size_t particles, unsigned threads)
{
    char err[4096], set[64];
    snprintf(set, sizeof set, "infer.particles=%zu", particles);
    const char *sets[] = {set};
    scenario_options so = {sets, 1, 0, 0, NULL};
    model_spec spec;
    char *resolved = NULL;
    scenario_diags diags = {NULL, 0};
    if (scenario_load("scenarios/historical.cfg", &so, &spec, &resolved, &diags) != SCENARIO_OK) {
        for (size_t i = 0; i < diags.n; i++)
            fprintf(stderr, "%s\n", diags.lines[i]);
        scenario_diags_clear(&diags);
        return 1;
    }
    engine_options eo = {threads, NULL, NULL, NULL, 0, 0};
    engine *e = NULL;
    char dir[] = "/tmp/bench_infer_XXXXXX";
    int rc = 1;
    if (!mkdtemp(dir) || engine_alloc(&eo, &e, err, sizeof err) != AS_OK) {
        fprintf(stderr, "bench_infer: cannot start: %s\n", err);
        goto done;
    }
    const model_spec *sp = &spec;
    const char *res = resolved, *path = "scenarios/historical.cfg";
    replay rp;
    memset(&rp, 0, sizeof rp);
    rp.spec = &spec;
    rp.np = spec.infer.npriors;
    for (size_t j = 0; j < rp.np; j++)
        rp.idx[j] = spec.infer.priors[j].param;
    infer_options io = {1, &sp, &res, &path, spec.seed, 0, dir, NULL, 0, NULL, &rp, keep_round};
    infer_report rep;
    double t0 = seconds_now(), c0 = cpu_now();
    if (infer_run(e, &io, &rep, err, sizeof err) != AS_OK) {
        fprintf(stderr, "bench_infer: %s\n", err);
        goto done;
    }
    double t_infer = seconds_now() - t0, c_infer = cpu_now() - c0;
    uint64_t n = rep.simulated, counted = rep.simulations;
    size_t gens = rep.generations;
    infer_report_clear(&rep);
    engine_job job;
    memset(&job, 0, sizeof job);
    job.reducer = &plain_reducer;
    job.ctx = &rp;
    job.ntasks = rp.n;
    job.master = spec.seed;
    t0 = seconds_now();
    c0 = cpu_now();
    if (engine_run(e, &job, NULL, NULL, err, sizeof err) != AS_OK) {
        fprintf(stderr, "bench_infer: %s\n", err);
        goto done;
    }
    double t_plain = seconds_now() - t0, c_plain = cpu_now() - c0;
    printf("bench infer historical particles=%zu threads=%u generations=%zu simulations=%llu run=%llu "
           "seconds=%.1f sims_per_s=%.0f plain_seconds=%.1f plain_sims_per_s=%.0f overhead_pct=%.1f "
           "cpu_seconds=%.1f plain_cpu_seconds=%.1f cpu_overhead_pct=%.1f\n",
           particles, threads, gens, (unsigned long long)counted, (unsigned long long)n, t_infer,
           (double)n / t_infer, t_plain, (double)n / t_plain, 100.0 * (t_infer / t_plain - 1.0), c_infer, c_plain,
           100.0 * (c_infer / c_plain - 1.0));
    rc = 0;
done:
    engine_free(e);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_infer: could not remove %s\n", dir);
    free(rp.seed);
    free(rp.theta);
    model_spec_clear(&spec);
    free(resolved);
    return rc;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc == 3 && strcmp(argv[1], "coverage") == 0)
        return coverage(atoi(argv[2]));
    if (argc >= 2 && argc <= 4 && strcmp(argv[1], "historical") == 0)
        return historical(argc > 2 ? (size_t)atol(argv[2]) : 1000, argc > 3 ? (unsigned)atoi(argv[3]) : 2);
    if (argc != 1) {
        fprintf(stderr, "usage: bench_infer [historical [PARTICLES [THREADS]] | coverage RUNS]\n");
        return 2;
    }
    int rc = overhead();
    return rc ? rc : historical(1000, 2);
}
