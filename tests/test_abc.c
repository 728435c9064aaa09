/*
 * test_abc - ABC-SMC (study/abc, abc_prior, abc_kernel) against known
 * answers, with toy simulators written here:
 *
 *   priors      every kind's density integrates to 1 over its truncated
 *               support, agrees with gsl_ran_*_pdf divided by the mass,
 *               and its quantile function inverts the integrated density;
 *               published values (half-normal median and mean);
 *   kernels     the weighted covariance (COV2) and the local covariances
 *               (OLCM) computed by hand give the same density; draws have
 *               the mixture's mean and covariance;
 *   normal mean with a conjugate normal prior: the ABC posterior mean and
 *               sd agree with the analytic posterior within Monte Carlo
 *               error (the final tolerance is chosen so that its bias is
 *               negligible against that error);
 *   model choice between Poisson and geometric counts given their sum
 *               (Grelaud et al. 2009): the posterior model probability and
 *               Bayes factor agree with the closed form, and the bootstrap
 *               interval has the delta-method width;
 *   uninformative distance (independent of the parameters): the posterior
 *               is the prior (a Kolmogorov-Smirnov distance and moments),
 *               for both kernels and for model probabilities;
 *   determinism the saved state is byte-identical for any batch size and
 *               number of threads of the toy executor, and after a resume
 *               from any generation; the stopping rules stop where they
 *               say; bad settings, states and distances are refused.
 *
 * Tolerances derive from the effective sample size: 4 standard errors
 * (a false alarm about once in 16,000 seeds for a normal estimate).
 * Every seed is fixed, so a failure reproduces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>

#include "base/buf.h"
#include "base/status.h"
#include "stats/rng.h"
#include "study/abc.h"
#include "study/abc_kernel.h"
#include "study/abc_prior.h"

#define NRUN 3
#define NBUF 3

typedef struct {
    abc *run[NRUN];
    buf img[NBUF];
    abc_kernel kern;
    gsl_rng *rng;
    gsl_integration_workspace *ws;
} fixture;

static int setup(void **state)
{
    gsl_set_error_handler_off();
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    abc_kernel_init(&fx->kern);
    fx->rng = gsl_rng_alloc(gsl_rng_mt19937);
    fx->ws = gsl_integration_workspace_alloc(1000);
    if (!fx->rng || !fx->ws)
        return -1;
    gsl_rng_set(fx->rng, 2385);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    for (int i = 0; i < NRUN; i++)
        abc_free(fx->run[i]);
    for (int i = 0; i < NBUF; i++)
        buf_clear(&fx->img[i]);
    abc_kernel_clear(&fx->kern);
    gsl_rng_free(fx->rng);
    gsl_integration_workspace_free(fx->ws);
    free(fx);
    return 0;
}

/* Fails unless |actual - expected| <= tol, printing all three. */
#define assert_within(actual, expected, tol) \
    assert_within_impl((actual), (expected), (tol), #actual, __FILE__, __LINE__)

static void assert_within_impl(double actual, double expected, double tol, const char *expr,
                               const char *file, int line)
{
    if (!(fabs(actual - expected) <= tol)) {
        print_error("%s = %.17g, expected %.17g within %.6g (off by %.6g)\n", expr, actual, expected, tol,
                    fabs(actual - expected));
        _fail(file, line);
    }
}

/* ---- priors --------------------------------------------------------- */

static spec_dist dist(spec_dist_kind k, double a, double b, double c, double d)
{
    return (spec_dist){.kind = k, .a = a, .b = b, .c = c, .d = d};
}

static abc_prior make_prior(spec_dist d, double value, double lo, double hi)
{
    abc_prior p;
    char err[256] = "";
    int rc = abc_prior_init(&p, &d, value, lo, hi, err, sizeof err);
    if (rc != AS_OK)
        print_error("abc_prior_init: %s\n", err);
    assert_int_equal(rc, AS_OK);
    return p;
}

static double prior_pdf_fn(double x, void *ctx)
{
    return exp(abc_prior_logpdf(ctx, x));
}

/* Integral of the prior's density over [a, b] (either end may be infinite). */
static double integrate(fixture *fx, const abc_prior *p, double a, double b)
{
    gsl_function f = {.function = prior_pdf_fn, .params = (void *)p};
    double r = NAN, e;
    int rc;
    if (isinf(b))
        rc = gsl_integration_qagiu(&f, a, 1e-12, 1e-10, 1000, fx->ws, &r, &e);
    else
        rc = gsl_integration_qags(&f, a, b, 1e-12, 1e-10, 1000, fx->ws, &r, &e);
    assert_int_equal(rc, GSL_SUCCESS);
    return r;
}

static void test_prior_densities_integrate_to_one_and_quantiles_invert_them(void **state)
{
    fixture *fx = *state;
    const abc_prior priors[] = {
        make_prior(dist(DIST_UNIFORM, -1.5, 2.385, 0, 0), 0, 0.0, 10.0),
        make_prior(dist(DIST_NORMAL, 0.3, 1.1, 0, 0), 0, 0.5, 3.0),
        make_prior(dist(DIST_NORMAL, 0.0, 1.0, 0, 0), 0, 3.0, INFINITY), /* upper tail */
        make_prior(dist(DIST_BETA, 2.385, 4.1, -1.0, 3.0), 0, 0.0, 5.0),
        make_prior(dist(DIST_BETA, 0.7, 0.6, 0.0, 1.0), 0, 0.0, 1.0),  /* infinite ends */
        make_prior(dist(DIST_LOGNORMAL, 0.3, 0.5, 0, 0), 0, 0.0, 5.0),
        make_prior(dist(DIST_LOGNORMAL, -0.2, 0.8, 0, 0), 0, -INFINITY, INFINITY),
    };
    for (size_t k = 0; k < sizeof priors / sizeof priors[0]; k++) {
        const abc_prior *p = &priors[k];
        assert_within(integrate(fx, p, p->lo, p->hi), 1.0, 1e-8);
        for (double u = 0.1; u < 0.95; u += 0.2) {
            double q = abc_prior_quantile(p, u);
            assert_true(abc_prior_contains(p, q));
            assert_within(integrate(fx, p, p->lo, q), u, 1e-8);
        }
        assert_false(abc_prior_contains(p, p->lo - 1e-3));
        assert_true(abc_prior_logpdf(p, p->hi + 1e-3) == -INFINITY);
    }
}

static void test_prior_densities_match_gsl_over_the_mass(void **state)
{
    (void)state;
    abc_prior n = make_prior(dist(DIST_NORMAL, 0.3, 1.1, 0, 0), 0, 0.5, 3.0);
    double mass = gsl_cdf_gaussian_P(3.0 - 0.3, 1.1) - gsl_cdf_gaussian_P(0.5 - 0.3, 1.1);
    assert_close(exp(abc_prior_logpdf(&n, 1.7)), gsl_ran_gaussian_pdf(1.7 - 0.3, 1.1) / mass, 1e-13);

    abc_prior b = make_prior(dist(DIST_BETA, 2.385, 4.1, -1.0, 3.0), 0, 0.0, 5.0);
    mass = gsl_cdf_beta_Q(0.25, 2.385, 4.1);
    assert_close(exp(abc_prior_logpdf(&b, 1.2)), gsl_ran_beta_pdf(0.55, 2.385, 4.1) / 4.0 / mass, 1e-13);

    abc_prior l = make_prior(dist(DIST_LOGNORMAL, 0.3, 0.5, 0, 0), 0, 0.0, 5.0);
    mass = gsl_cdf_lognormal_P(5.0, 0.3, 0.5);
    assert_close(exp(abc_prior_logpdf(&l, 2.2)), gsl_ran_lognormal_pdf(2.2, 0.3, 0.5) / mass, 1e-13);

    abc_prior u = make_prior(dist(DIST_UNIFORM, -1.5, 2.385, 0, 0), 0, 0.0, 10.0);
    assert_close(exp(abc_prior_logpdf(&u, 1.0)), 1.0 / 2.385, 1e-15);

    /* 40 sd out gsl_ran_gaussian_pdf underflows; the log density does not */
    abc_prior far = make_prior(dist(DIST_NORMAL, 0.0, 1.0, 0, 0), 0, -INFINITY, INFINITY);
    assert_close(abc_prior_logpdf(&far, 40.0), -800.0 - 0.91893853320467274, 1e-15);
}

static double prior_xpdf_fn(double x, void *ctx)
{
    return x * exp(abc_prior_logpdf(ctx, x));
}

static void test_prior_published_values_of_the_half_normal(void **state)
{
    fixture *fx = *state;
    abc_prior h = make_prior(dist(DIST_NORMAL, 0.0, 1.0, 0, 0), 0, 0.0, INFINITY);
    /* median of |Z| is the 0.75 quantile of Z: 0.674489750196081743 */
    assert_close(abc_prior_quantile(&h, 0.5), 0.674489750196081743, 1e-12);
    /* mean sqrt(2/pi) = 0.797884560802865356 */
    gsl_function f = {.function = prior_xpdf_fn, .params = &h};
    double r = NAN, e;
    assert_int_equal(gsl_integration_qagiu(&f, 0.0, 1e-12, 1e-10, 1000, fx->ws, &r, &e), GSL_SUCCESS);
    assert_close(r, 0.797884560802865356, 1e-9);
    assert_close(abc_prior_spread(&h) * 4.6526957480816815,
                 gsl_cdf_ugaussian_Pinv(0.995) - gsl_cdf_ugaussian_Pinv(0.505), 1e-12);
}

static void test_prior_fixed_is_a_point_mass(void **state)
{
    (void)state;
    abc_prior f = make_prior(dist(DIST_FIXED, 0, 0, 0, 0), 0.6, 0.0, 1.0);
    assert_true(abc_prior_is_fixed(&f));
    assert_true(abc_prior_logpdf(&f, 0.6) == 0.0);
    assert_true(abc_prior_logpdf(&f, 0.61) == -INFINITY);
    assert_true(abc_prior_quantile(&f, 0.3) == 0.6);
    assert_true(abc_prior_spread(&f) == 0.0);
}

static void expect_prior_error(spec_dist d, double value, double lo, double hi, const char *msg)
{
    abc_prior p;
    char err[256] = "";
    assert_int_equal(abc_prior_init(&p, &d, value, lo, hi, err, sizeof err), AS_EUSAGE);
    assert_contains(err, msg);
}

static void test_prior_rejects_bad_shapes_and_empty_supports(void **state)
{
    (void)state;
    expect_prior_error(dist(DIST_UNIFORM, 2, 2, 0, 0), 0, -10, 10, "expected finite min < max");
    expect_prior_error(dist(DIST_NORMAL, 0, 0, 0, 0), 0, -10, 10, "sd > 0");
    expect_prior_error(dist(DIST_NORMAL, 0, -1, 0, 0), 0, -10, 10, "sd > 0");
    expect_prior_error(dist(DIST_BETA, 2, 0, 0, 1), 0, -10, 10, "shapes > 0");
    expect_prior_error(dist(DIST_BETA, 2, 2, 1, 1), 0, -10, 10, "min < max");
    expect_prior_error(dist(DIST_LOGNORMAL, NAN, 1, 0, 0), 0, -10, 10, "finite mu");
    expect_prior_error(dist(DIST_FIXED, 0, 0, 0, 0), 11.0, -10, 10, "outside the valid range");
    expect_prior_error(dist(DIST_UNIFORM, 20, 30, 0, 0), 0, -10, 10, "puts none of its mass");
    expect_prior_error(dist(DIST_NORMAL, 0, 1, 0, 0), 0, 8, 9, "almost none of its mass");
    expect_prior_error(dist(DIST_NORMAL, 0, 1, 0, 0), 0, 40, 50, "none of its mass");
    expect_prior_error(dist(DIST_NORMAL, 0, 1, 0, 0), 0, 2, 1, "lo <= hi");
}

/* ---- kernels -------------------------------------------------------- */

/* log N(y; x, S) in two dimensions, S = [[a, b], [b, c]], written out. */
static double lognorm2(const double *y, const double *x, double a, double b, double c)
{
    double det = a * c - b * b, u = y[0] - x[0], v = y[1] - x[1];
    double q = (c * u * u - 2.0 * b * u * v + a * v * v) / det;
    return -0.5 * q - log(2.0 * M_PI) - 0.5 * log(det);
}

/* Four points in 2D with weights and distances; eps = 0.35 keeps points
 * 0, 2 and 3, whose weights renormalise to 4/7, 2/7 and 1/7. */
#define KN 4
static const double kx[] = {0.2, 1.0, 1.5, 0.4, -0.3, 2.385, 0.9, -0.6};
static const double kw[] = {0.4, 0.3, 0.2, 0.1};
static const double kd[] = {0.1, 0.7, 0.3, 0.2};
static const double keps = 0.35;
static const double kspread[] = {1.0, 1.0};

/* The weighted mean and covariance [[a, b], [b, c]] of the points with
 * distance <= eps (all: eps = inf), weights renormalised over them. */
static void kmoments(double eps, double *m, double *a, double *b, double *c)
{
    double tw = 0;
    m[0] = m[1] = *a = *b = *c = 0;
    for (int j = 0; j < KN; j++)
        if (kd[j] <= eps)
            tw += kw[j];
    for (int j = 0; j < KN; j++)
        if (kd[j] <= eps) {
            m[0] += kw[j] / tw * kx[2 * j];
            m[1] += kw[j] / tw * kx[2 * j + 1];
        }
    for (int j = 0; j < KN; j++)
        if (kd[j] <= eps) {
            double u = kx[2 * j] - m[0], v = kx[2 * j + 1] - m[1];
            *a += kw[j] / tw * u * u;
            *b += kw[j] / tw * u * v;
            *c += kw[j] / tw * v * v;
        }
}

/* The covariance of component j: 2 C (COV2) or the local one (OLCM),
 * the latter summed over the kept points as its definition says. */
static void kcov(int kind, int j, double *a, double *b, double *c)
{
    double m[2];
    if (kind == ABC_KERNEL_COV2) {
        kmoments(INFINITY, m, a, b, c);
        *a *= 2;
        *b *= 2;
        *c *= 2;
        return;
    }
    double tw = 0;
    *a = *b = *c = 0;
    for (int k = 0; k < KN; k++)
        if (kd[k] <= keps)
            tw += kw[k];
    for (int k = 0; k < KN; k++)
        if (kd[k] <= keps) {
            double u = kx[2 * k] - kx[2 * j], v = kx[2 * k + 1] - kx[2 * j + 1];
            *a += kw[k] / tw * u * u;
            *b += kw[k] / tw * u * v;
            *c += kw[k] / tw * v * v;
        }
}

static void check_kernel_density(fixture *fx, abc_kernel_kind kind)
{
    char err[256];
    assert_int_equal(abc_kernel_fit(&fx->kern, kind, KN, 2, kx, kw, kd, keps, kspread, err, sizeof err), AS_OK);
    const double ys[][2] = {{0.9, 0.8}, {-2.0, 3.5}, {0.2, 1.0}};
    for (size_t i = 0; i < 3; i++) {
        double mx = -INFINITY, terms[KN], s = 0;
        for (int j = 0; j < KN; j++) {
            double a, b, c;
            kcov(kind, j, &a, &b, &c);
            terms[j] = log(kw[j]) + lognorm2(ys[i], kx + 2 * j, a, b, c);
            mx = fmax(mx, terms[j]);
        }
        for (int j = 0; j < KN; j++)
            s += exp(terms[j] - mx);
        assert_close(abc_kernel_logpdf(&fx->kern, ys[i]), mx + log(s), 1e-12);
    }
}

static void test_cov2_density_matches_twice_the_weighted_covariance(void **state)
{
    check_kernel_density(*state, ABC_KERNEL_COV2);
}

static void test_olcm_density_matches_the_local_covariances(void **state)
{
    check_kernel_density(*state, ABC_KERNEL_OLCM);
}

static void test_kernel_draws_have_the_mixture_moments(void **state)
{
    fixture *fx = *state;
    char err[256];
    for (int kind = 0; kind < 2; kind++) {
        assert_int_equal(abc_kernel_fit(&fx->kern, (abc_kernel_kind)kind, KN, 2, kx, kw, kd, keps, kspread,
                                        err, sizeof err),
                         AS_OK);
        /* mixture mean and variance of each coordinate from the hand formulas */
        for (int q = 0; q < 2; q++) {
            double m = 0, second = 0;
            for (int j = 0; j < KN; j++) {
                double a, b, c;
                kcov(kind, j, &a, &b, &c);
                double x = kx[2 * j + q];
                m += kw[j] * x;
                second += kw[j] * ((q ? c : a) + x * x);
            }
            double var = second - m * m;
            const int n = 100000;
            double s = 0, s2 = 0, s4 = 0, out[2];
            gsl_rng_set(fx->rng, 2385);
            for (int i = 0; i < n; i++) {
                abc_kernel_draw(&fx->kern, fx->rng, out);
                double dx = out[q] - m;
                s += out[q];
                s2 += dx * dx;
                s4 += dx * dx * dx * dx;
            }
            double mean = s / n, v = s2 / n - (mean - m) * (mean - m);
            assert_within(mean, m, 4.0 * sqrt(var / n));
            /* the sample variance's standard error, sqrt((mu4 - var^2) / n) */
            assert_within(v, var, 4.0 * sqrt((s4 / n - var * var) / n));
        }
    }
}

static void test_kernel_regularises_identical_points_and_handles_no_coordinates(void **state)
{
    fixture *fx = *state;
    char err[256];
    const double same[] = {1.0, 2.0, 1.0, 2.0};
    const double w2[] = {0.5, 0.5}, d2[] = {0.0, 0.0};
    assert_int_equal(abc_kernel_fit(&fx->kern, ABC_KERNEL_COV2, 2, 2, same, w2, d2, 1.0, kspread, err, sizeof err),
                     AS_OK);
    const double y[] = {1.0, 2.0};
    /* Sigma = 1e-12 I: log density at the centre is -log(2 pi 1e-12) */
    assert_close(abc_kernel_logpdf(&fx->kern, y), -log(2.0 * M_PI * 1e-12), 1e-9);
    assert_int_equal(abc_kernel_fit(&fx->kern, ABC_KERNEL_OLCM, 2, 0, NULL, w2, d2, 1.0, NULL, err, sizeof err),
                     AS_OK);
    assert_close(abc_kernel_logpdf(&fx->kern, NULL), 0.0, 1e-15);
    const double bad[] = {NAN, 1.0, 0.0, 1.0};
    assert_int_equal(abc_kernel_fit(&fx->kern, ABC_KERNEL_COV2, 2, 2, bad, w2, d2, 1.0, kspread, err, sizeof err),
                     AS_ERUNTIME);
    assert_contains(err, "singular");
}

/* ---- the toy executor ----------------------------------------------- */

enum toy_kind { TOY_NORMAL, TOY_COUNTS, TOY_FLAT, TOY_CONST };

typedef struct {
    enum toy_kind kind;
    unsigned threads;
    size_t min_n, max_n;
    /* normal mean: the observed mean and the sd of a simulated mean */
    double ybar, se;
    /* counts: units and observed sum */
    unsigned units, sum;
    /* saving the state after generation `save_at` (0: never) */
    size_t save_at;
    buf *saved;
} toy;

typedef struct {
    const toy *t;
    const abc_batch *b;
    double *d;
    unsigned id, nthreads;
} toy_job;

static double toy_one(const toy *t, gsl_rng *r, size_t model, const double *theta)
{
    switch (t->kind) {
    case TOY_NORMAL:
        return fabs(theta[0] + gsl_ran_gaussian(r, t->se) - t->ybar);
    case TOY_COUNTS: {
        unsigned long s = 0;
        if (model == 0) {
            for (unsigned i = 0; i < t->units; i++)
                s += gsl_ran_poisson(r, theta[0]);
        } else {
            /* Geometric counts on 0, 1, ...: p below 1e-3 makes sums of
             * thousands (P(sum <= 20) < 1e-30), reported as far. */
            if (theta[0] < 1e-3)
                return 1e6;
            for (unsigned i = 0; i < t->units; i++)
                s += gsl_ran_geometric(r, theta[0]) - 1u;
        }
        return fabs((double)s - (double)t->sum);
    }
    case TOY_FLAT:
        return gsl_rng_uniform(r);
    case TOY_CONST:
        return 3.0;
    }
    return NAN;
}

static void *toy_worker(void *arg)
{
    toy_job *j = arg;
    gsl_rng *r = rng_alloc(0, 0);
    if (!r)
        return arg;
    for (size_t i = j->id; i < j->b->n; i += j->nthreads) {
        rng_set_key(r, j->b->seed[i], 1);
        j->d[i] = toy_one(j->t, r, j->b->model[i], j->b->theta + i * j->b->stride);
    }
    gsl_rng_free(r);
    return NULL;
}

/* Runs a batch on t->threads threads, each candidate on the Philox stream
 * keyed by its seed (as a replication's first substream). */
static int toy_simulate(void *ctx, const abc_batch *b, double *d, char *err, size_t errlen)
{
    const toy *t = ctx;
    toy_job jobs[8];
    pthread_t th[8];
    unsigned n = t->threads < b->n ? t->threads : (unsigned)b->n;
    for (unsigned i = 0; i < n; i++) {
        jobs[i] = (toy_job){.t = t, .b = b, .d = d, .id = i, .nthreads = n};
        if (pthread_create(&th[i], NULL, toy_worker, &jobs[i]) != 0) {
            snprintf(err, errlen, "cannot start a thread");
            for (unsigned k = 0; k < i; k++)
                pthread_join(th[k], NULL);
            return AS_ERUNTIME;
        }
    }
    int rc = AS_OK;
    for (unsigned i = 0; i < n; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        if (ret)
            rc = AS_ENOMEM;
    }
    return rc;
}

static int toy_generation(void *ctx, const abc *a, char *err, size_t errlen)
{
    toy *t = ctx;
    (void)err;
    (void)errlen;
    if (t->save_at && abc_generations(a) == t->save_at)
        return abc_save(a, t->saved);
    return AS_OK;
}

static int run_toy(abc *a, toy *t)
{
    char err[256] = "";
    int rc = abc_run(a, toy_simulate, toy_generation, t, t->min_n ? t->min_n : 1, t->max_n ? t->max_n : 4096,
                     err, sizeof err);
    if (rc != AS_OK)
        print_error("abc_run: %s\n", err);
    return rc;
}

static abc *make_run(abc **slot, const abc_config *cfg, const abc_model *models, size_t nmodels, uint64_t seed)
{
    char err[256] = "";
    int rc = abc_alloc(slot, cfg, models, nmodels, seed, err, sizeof err);
    if (rc != AS_OK)
        print_error("abc_alloc: %s\n", err);
    assert_int_equal(rc, AS_OK);
    return *slot;
}

/*
 * Weighted mean and sd of parameter j over the population's model-m
 * particles, with their delta-method standard errors as self-normalised
 * importance-sampling estimates (particles of one generation are
 * independent given the previous one):
 *   se(mean) = sqrt(sum w~^2 (x - mean)^2),
 *   se(sd)   = sqrt(sum w~^2 ((x - mean)^2 - sd^2)^2) / (2 sd),
 * w~ the weights normalised over those particles.  (1 / ESS-based errors
 * are some 20% too small for these weights: checked over 120 seeds.)
 */
typedef struct {
    double mean, sd, se_mean, se_sd, ess;
} wstats;

static wstats weighted_moments(const abc_population *p, size_t m, size_t j)
{
    wstats r = {0};
    double sw = 0, s1 = 0, s2 = 0, sww = 0, a = 0, b = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (p->model[i] != m)
            continue;
        double w = p->weight[i], x = p->theta[i * p->stride + j];
        sw += w;
        sww += w * w;
        s1 += w * x;
    }
    r.mean = s1 / sw;
    for (size_t i = 0; i < p->n; i++)
        if (p->model[i] == m) {
            double x = p->theta[i * p->stride + j] - r.mean;
            s2 += p->weight[i] * x * x;
        }
    r.sd = sqrt(s2 / sw);
    for (size_t i = 0; i < p->n; i++)
        if (p->model[i] == m) {
            double w = p->weight[i] / sw, x = p->theta[i * p->stride + j] - r.mean, q = x * x - r.sd * r.sd;
            a += w * w * x * x;
            b += w * w * q * q;
        }
    r.se_mean = sqrt(a);
    r.se_sd = sqrt(b) / (2.0 * r.sd);
    r.ess = sw * sw / sww;
    return r;
}

/* Delta-method standard error of the probability prob of model 0, a
 * self-normalised share of the weights: sqrt(sum w^2 (1[m = 0] - prob)^2). */
static double model0_se(const abc *a, double prob)
{
    abc_population p = abc_get_population(a);
    double se2 = 0;
    for (size_t i = 0; i < p.n; i++) {
        double e = (p.model[i] == 0) - prob;
        se2 += p.weight[i] * p.weight[i] * e * e;
    }
    return sqrt(se2);
}

/* ---- known answers -------------------------------------------------- */

/*
 * y_1..y_10 ~ N(mu, 1.7^2) with mean 2.385, prior mu ~ N(1.3, 2^2): the
 * posterior is N(m, v) with 1/v = 1/4 + 10/1.7^2 and m = v (1.3/4 +
 * 10 * 2.385/1.7^2), i.e. m = 2.31189..., sd = 0.51916...  The simulator draws
 * the sufficient mean directly.  A uniform ABC kernel of half-width eps adds
 * about eps^2/3 to the likelihood's variance 1.7^2/10; at eps = 0.02 that
 * moves the posterior sd by ~1e-4 and the mean by less, a hundredth of the
 * Monte Carlo error at this sample size.
 */
static void check_normal_mean(void **state, abc_kernel_kind kind)
{
    fixture *fx = *state;
    abc_prior pr = make_prior(dist(DIST_NORMAL, 1.3, 2.0, 0, 0), 0, -INFINITY, INFINITY);
    abc_model model = {.nparams = 1, .priors = &pr, .prior_weight = 1.0};
    abc_config cfg;
    abc_config_init(&cfg);
    cfg.kernel = kind;
    cfg.min_tolerance = 0.02;
    abc *a = make_run(&fx->run[0], &cfg, &model, 1, 20250611);
    toy t = {.kind = TOY_NORMAL, .threads = 2, .ybar = 2.385, .se = 1.7 / sqrt(10.0)};
    assert_int_equal(run_toy(a, &t), AS_OK);
    assert_int_equal(abc_stopped(a), ABC_STOP_TOLERANCE);
    abc_generation g;
    assert_int_equal(abc_generation_info(a, abc_generations(a) - 1, &g), AS_OK);
    assert_true(g.tolerance == 0.02);

    double v = 1.0 / (1.0 / 4.0 + 10.0 / (1.7 * 1.7)), m = v * (1.3 / 4.0 + 10.0 * 2.385 / (1.7 * 1.7));
    assert_close(m, 2.31189088365586, 1e-12);
    assert_close(sqrt(v), 0.519159605708669, 1e-12);
    abc_population p = abc_get_population(a);
    wstats w = weighted_moments(&p, 0, 0);
    assert_close(w.ess, g.ess, 1e-9);
    assert_true(w.ess > 300.0);
    assert_within(w.mean, m, 4.0 * w.se_mean);
    assert_within(w.sd, sqrt(v), 4.0 * w.se_sd + 2e-4);
}

static void test_normal_mean_posterior_matches_conjugate_olcm(void **state)
{
    check_normal_mean(state, ABC_KERNEL_OLCM);
}

static void test_normal_mean_posterior_matches_conjugate_cov2(void **state)
{
    check_normal_mean(state, ABC_KERNEL_COV2);
}

/*
 * Counts x_1..x_5 with sum s = 9.  Model 0: Poisson(lambda), lambda ~
 * U(0, 4); model 1: geometric on 0, 1, ... with success probability p ~
 * Beta(1, 1).  With the sum as the statistic the evidence of each model is
 * the probability of the observed sum:
 *   model 0: S ~ Poisson(5 lambda): m0 = P(10, 20) / 20 (P the regularised
 *            lower incomplete gamma function);
 *   model 1: S ~ NegBin(5, p): m1 = 5 / ((5 + 9)(5 + 10)) = 1/42;
 * so B01 = m0 / m1 = 2.0895... and P(model 0) = B01 / (1 + B01) with equal
 * prior weights.  The distance |S_sim - 9| is discrete: the tolerance falls
 * to 0, where ABC is exact.  (The sum is sufficient within each model but
 * not across them: this is the Bayes factor of the sum, not of the five
 * counts; Robert et al. 2011, PNAS 108:15112.)
 */
static void test_poisson_geometric_bayes_factor_matches_closed_form(void **state)
{
    fixture *fx = *state;
    abc_prior p0 = make_prior(dist(DIST_UNIFORM, 0.0, 4.0, 0, 0), 0, 0.0, INFINITY);
    abc_prior p1 = make_prior(dist(DIST_BETA, 1.0, 1.0, 0.0, 1.0), 0, 0.0, 1.0);
    abc_model models[] = {
        {.nparams = 1, .priors = &p0, .prior_weight = 1.0},
        {.nparams = 1, .priors = &p1, .prior_weight = 1.0},
    };
    abc_config cfg;
    abc_config_init(&cfg);
    abc *a = make_run(&fx->run[0], &cfg, models, 2, 77);
    toy t = {.kind = TOY_COUNTS, .threads = 3, .units = 5, .sum = 9};
    assert_int_equal(run_toy(a, &t), AS_OK);
    assert_int_equal(abc_stopped(a), ABC_STOP_TOLERANCE);
    abc_generation g;
    assert_int_equal(abc_generation_info(a, abc_generations(a) - 1, &g), AS_OK);
    assert_true(g.tolerance == 0.0);

    double m0 = gsl_sf_gamma_inc_P(10.0, 20.0) / 20.0, m1 = 5.0 / (14.0 * 15.0);
    double bf = m0 / m1, prob = bf / (1.0 + bf);
    assert_close(bf, 2.0895, 1e-4);

    abc_model_stats st[2];
    char err[256];
    assert_int_equal(abc_model_summary(a, 1, 0.95, 2000, st, err, sizeof err), AS_OK);
    double se = model0_se(a, st[0].probability);
    assert_true(se > 0.005 && se < 0.05);
    assert_within(st[0].probability, prob, 4.0 * se);
    assert_close(st[0].probability + st[1].probability, 1.0, 1e-12);
    assert_within(log(st[0].bayes_factor), log(bf), 4.0 * se / (prob * (1.0 - prob)));
    assert_close(st[0].bayes_factor, st[0].probability / st[1].probability, 1e-12);
    assert_close(st[1].bayes_factor, 1.0, 1e-15);
    /* the percentile interval has the width of the delta method's */
    assert_within((st[0].prob_hi - st[0].prob_lo) / (2.0 * 1.959964), se, 0.2 * se);
    assert_within(0.5 * (st[0].prob_hi + st[0].prob_lo), st[0].probability, 0.25 * se);
    assert_true(st[0].prob_lo < st[0].probability && st[0].probability < st[0].prob_hi);
    assert_true(st[0].bf_lo < st[0].bayes_factor && st[0].bayes_factor < st[0].bf_hi);
    assert_int_equal(st[0].particles + st[1].particles, cfg.particles);
}

/* The largest distance between the weighted empirical distribution function
 * of parameter j (model m) and the prior's, on a grid of 199 quantiles. */
static double ks_to_prior(const abc_population *p, size_t m, size_t j, const abc_prior *pr)
{
    double worst = 0, tot = 0;
    for (size_t i = 0; i < p->n; i++)
        if (p->model[i] == m)
            tot += p->weight[i];
    for (int k = 1; k < 200; k++) {
        double u = k / 200.0, q = abc_prior_quantile(pr, u), c = 0;
        for (size_t i = 0; i < p->n; i++)
            if (p->model[i] == m && p->theta[i * p->stride + j] <= q)
                c += p->weight[i];
        worst = fmax(worst, fabs(c / tot - u));
    }
    return worst;
}

/*
 * A distance independent of the parameters leaves the prior unchanged,
 * whatever the kernels did: the weights prior/proposal must undo them
 * exactly.  The priors are truncated and skewed, so the kernels leave the
 * support often; a fixed parameter rides along.
 */
static void check_flat_leaves_prior(void **state, abc_kernel_kind kind)
{
    fixture *fx = *state;
    abc_prior pr[3] = {
        make_prior(dist(DIST_BETA, 2.385, 4.1, -1.0, 3.0), 0, -INFINITY, INFINITY),
        make_prior(dist(DIST_FIXED, 0, 0, 0, 0), 0.6, 0.0, 1.0),
        make_prior(dist(DIST_LOGNORMAL, 0.3, 0.5, 0, 0), 0, 0.0, 3.0),
    };
    abc_model model = {.nparams = 3, .priors = pr, .prior_weight = 1.0};
    abc_config cfg;
    abc_config_init(&cfg);
    cfg.kernel = kind;
    cfg.max_generations = 5;
    abc *a = make_run(&fx->run[0], &cfg, &model, 1, 4242);
    toy t = {.kind = TOY_FLAT, .threads = 1};
    assert_int_equal(run_toy(a, &t), AS_OK);
    assert_int_equal(abc_stopped(a), ABC_STOP_GENERATIONS);
    assert_int_equal(abc_generations(a), 5);
    abc_population p = abc_get_population(a);
    abc_generation g;
    assert_int_equal(abc_generation_info(a, 4, &g), AS_OK);
    assert_true(g.tolerance < 0.1);   /* the tolerance did fall: the kernels did work */
    for (size_t j = 0; j < 3; j += 2) {
        wstats w = weighted_moments(&p, 0, j);
        /* Kolmogorov-Smirnov at level 0.001, 1.95 / sqrt(n), with n the
         * ESS shrunk by the 20% the ESS overstates precision */
        double ks = ks_to_prior(&p, 0, j, &pr[j]), crit = 1.95 * 1.2 / sqrt(w.ess);
        if (!(ks < crit))
            print_error("parameter %zu: KS distance %g, ess %g\n", j, ks, w.ess);
        assert_true(ks < crit);
        /* prior mean by quadrature of the quantile function */
        double pm = 0;
        for (int k = 0; k < 20000; k++)
            pm += abc_prior_quantile(&pr[j], (k + 0.5) / 20000.0) / 20000.0;
        assert_within(w.mean, pm, 4.0 * w.se_mean);
    }
    for (size_t i = 0; i < p.n; i++)
        assert_true(p.theta[i * p.stride + 1] == 0.6);
}

static void test_uninformative_distance_leaves_prior_olcm(void **state)
{
    check_flat_leaves_prior(state, ABC_KERNEL_OLCM);
}

static void test_uninformative_distance_leaves_prior_cov2(void **state)
{
    check_flat_leaves_prior(state, ABC_KERNEL_COV2);
}

/*
 * Two models of different dimension with truncated priors (whose masses
 * must be normalised for the model weights to be right) and prior weights
 * 0.1 and 0.9; a flat distance leaves the model probabilities at 0.1/0.9.
 * With model_stay 0.5 half the candidates are model 0's from generation 1
 * on, so the weights (not the counts) must carry the answer.
 */
static void test_uninformative_distance_leaves_model_prior(void **state)
{
    fixture *fx = *state;
    abc_prior a0 = make_prior(dist(DIST_NORMAL, 0.0, 1.0, 0, 0), 0, 0.5, 3.0); /* mass 0.307 */
    abc_prior a1[2] = {
        make_prior(dist(DIST_UNIFORM, 0.0, 10.0, 0, 0), 0, 0.0, 2.0),          /* mass 0.2 */
        make_prior(dist(DIST_LOGNORMAL, 0.0, 1.0, 0, 0), 0, 0.0, INFINITY),
    };
    abc_model models[] = {
        {.nparams = 1, .priors = &a0, .prior_weight = 1.0},
        {.nparams = 2, .priors = a1, .prior_weight = 9.0},
    };
    abc_config cfg;
    abc_config_init(&cfg);
    cfg.max_generations = 4;
    cfg.model_stay = 0.5;
    abc *a = make_run(&fx->run[0], &cfg, models, 2, 99);
    toy t = {.kind = TOY_FLAT, .threads = 2, .max_n = 333};
    assert_int_equal(run_toy(a, &t), AS_OK);
    abc_model_stats st[2];
    char err[256];
    assert_int_equal(abc_model_summary(a, 0, 0.95, 2000, st, err, sizeof err), AS_OK);
    abc_population p = abc_get_population(a);
    double se = model0_se(a, st[0].probability);
    /* about half the particles are model 0's (more, since model 1's
     * perturbations leave its support more often and are drawn again),
     * each with a fraction of the weight of model 1's */
    assert_in_range(st[0].particles, 300, 700);
    assert_within(st[0].probability, 0.1, 4.0 * se);
    /* the bootstrap resamples weighted particles: centred on the estimate,
     * as wide as the delta method says */
    assert_within(0.5 * (st[0].prob_hi + st[0].prob_lo), st[0].probability, 0.25 * se);
    assert_within((st[0].prob_hi - st[0].prob_lo) / (2.0 * 1.959964), se, 0.2 * se);
    /* Bayes factor against model 0 removes the prior odds: about 1 */
    assert_within(log(st[1].bayes_factor), 0.0, 4.0 * se / (0.1 * 0.9));
    wstats w = weighted_moments(&p, 1, 0);
    assert_within(w.mean, 1.0, 4.0 * w.se_mean);
}

/* ---- determinism and resume ----------------------------------------- */

static void normal_setup(abc_prior *pr, abc_model *model, abc_config *cfg)
{
    *pr = make_prior(dist(DIST_NORMAL, 1.3, 2.0, 0, 0), 0, -INFINITY, INFINITY);
    *model = (abc_model){.nparams = 1, .priors = pr, .prior_weight = 1.0};
    abc_config_init(cfg);
    cfg->particles = 200;
    cfg->max_generations = 6;
}

static void run_to_image(fixture *fx, int slot, const abc_config *cfg, const abc_model *model, uint64_t seed,
                         toy *t, buf *out)
{
    abc_free(fx->run[slot]);
    fx->run[slot] = NULL;
    abc *a = make_run(&fx->run[slot], cfg, model, 1, seed);
    assert_int_equal(run_toy(a, t), AS_OK);
    buf_reset(out);
    assert_int_equal(abc_save(a, out), AS_OK);
}

static void test_same_seed_same_bytes_for_any_batch_size_and_threads(void **state)
{
    fixture *fx = *state;
    abc_prior pr;
    abc_model model;
    abc_config cfg;
    normal_setup(&pr, &model, &cfg);
    toy t = {.kind = TOY_NORMAL, .threads = 1, .ybar = 2.385, .se = 0.5, .min_n = 1, .max_n = 4096};
    run_to_image(fx, 0, &cfg, &model, 5, &t, &fx->img[0]);
    assert_int_equal(abc_generations(fx->run[0]), 6);
    const struct {
        unsigned threads;
        size_t min_n, max_n;
    } ways[] = {{1, 1, 1}, {3, 7, 7}, {2, 50, 64}, {3, 1000, 1000}};
    for (size_t k = 0; k < sizeof ways / sizeof ways[0]; k++) {
        toy u = t;
        u.threads = ways[k].threads;
        u.min_n = ways[k].min_n;
        u.max_n = ways[k].max_n;
        run_to_image(fx, 1, &cfg, &model, 5, &u, &fx->img[1]);
        assert_int_equal(fx->img[1].len, fx->img[0].len);
        assert_memory_equal(fx->img[1].data, fx->img[0].data, fx->img[0].len);
    }
    /* and another seed gives another run */
    run_to_image(fx, 1, &cfg, &model, 6, &t, &fx->img[1]);
    assert_int_equal(fx->img[1].len, fx->img[0].len);
    assert_true(memcmp(fx->img[1].data, fx->img[0].data, fx->img[0].len) != 0);
}

static void test_resume_from_any_generation_gives_the_same_bytes(void **state)
{
    fixture *fx = *state;
    abc_prior pr;
    abc_model model;
    abc_config cfg;
    normal_setup(&pr, &model, &cfg);
    toy t = {.kind = TOY_NORMAL, .threads = 2, .ybar = 2.385, .se = 0.5};
    run_to_image(fx, 0, &cfg, &model, 11, &t, &fx->img[0]);
    for (size_t at = 1; at <= 6; at++) {
        toy u = t;
        u.save_at = at;
        u.saved = &fx->img[1];
        buf_reset(&fx->img[1]);
        run_to_image(fx, 1, &cfg, &model, 11, &u, &fx->img[2]);
        assert_true(fx->img[1].len > 0);
        /* a fresh run restored from generation `at` continues identically */
        abc_free(fx->run[2]);
        fx->run[2] = NULL;
        abc *b = make_run(&fx->run[2], &cfg, &model, 1, 11);
        char err[256] = "";
        assert_int_equal(abc_restore(b, fx->img[1].data, fx->img[1].len, err, sizeof err), AS_OK);
        assert_int_equal(abc_generations(b), at);
        toy v = t;
        v.threads = 1;
        assert_int_equal(run_toy(b, &v), AS_OK);
        buf_reset(&fx->img[2]);
        assert_int_equal(abc_save(b, &fx->img[2]), AS_OK);
        assert_int_equal(fx->img[2].len, fx->img[0].len);
        assert_memory_equal(fx->img[2].data, fx->img[0].data, fx->img[0].len);
    }
}

static void test_restore_refuses_corrupt_truncated_and_foreign_states(void **state)
{
    fixture *fx = *state;
    abc_prior pr;
    abc_model model;
    abc_config cfg;
    normal_setup(&pr, &model, &cfg);
    cfg.max_generations = 2;
    toy t = {.kind = TOY_NORMAL, .threads = 1, .ybar = 2.385, .se = 0.5};
    run_to_image(fx, 0, &cfg, &model, 3, &t, &fx->img[0]);
    char err[256];
    abc *fresh = make_run(&fx->run[1], &cfg, &model, 1, 3);
    unsigned char *img = fx->img[0].data;
    size_t len = fx->img[0].len;
    for (size_t i = 0; i < len; i += 97) {
        img[i] ^= 0x10;
        err[0] = '\0';
        assert_int_equal(abc_restore(fresh, img, len, err, sizeof err), AS_EUSAGE);
        assert_contains(err, "corrupt");
        img[i] ^= 0x10;
    }
    assert_int_equal(abc_restore(fresh, img, len - 8, err, sizeof err), AS_EUSAGE);
    assert_int_equal(abc_restore(fresh, img, 3, err, sizeof err), AS_EUSAGE);
    /* another seed, or another prior, is another run */
    abc *other = make_run(&fx->run[2], &cfg, &model, 1, 4);
    assert_int_equal(abc_restore(other, img, len, err, sizeof err), AS_EUSAGE);
    assert_contains(err, "another run");
    /* the stopping rule may change: the run is extended */
    cfg.max_generations = 3;
    abc_free(fx->run[2]);
    fx->run[2] = NULL;
    abc *longer = make_run(&fx->run[2], &cfg, &model, 1, 3);
    assert_int_equal(abc_restore(longer, img, len, err, sizeof err), AS_OK);
    assert_int_equal(abc_stopped(longer), ABC_RUNNING);
    assert_int_equal(run_toy(longer, &t), AS_OK);
    assert_int_equal(abc_generations(longer), 3);
    /* a run that has started cannot be restored into */
    assert_int_equal(abc_restore(longer, img, len, err, sizeof err), AS_EUSAGE);
    assert_int_equal(abc_restore(fresh, img, len, err, sizeof err), AS_OK);
    assert_int_equal(abc_generations(fresh), 2);
    assert_int_equal(abc_stopped(fresh), ABC_STOP_GENERATIONS);
}

/* ---- stopping rules and misuse -------------------------------------- */

static void test_budget_is_never_exceeded(void **state)
{
    fixture *fx = *state;
    abc_prior pr;
    abc_model model;
    abc_config cfg;
    normal_setup(&pr, &model, &cfg);
    cfg.max_generations = 100;
    cfg.max_simulations = 1500;
    abc *a = make_run(&fx->run[0], &cfg, &model, 1, 8);
    toy t = {.kind = TOY_NORMAL, .threads = 1, .ybar = 2.385, .se = 0.5, .max_n = 64};
    assert_int_equal(run_toy(a, &t), AS_OK);
    assert_int_equal(abc_stopped(a), ABC_STOP_SIMULATIONS);
    assert_true(abc_simulations(a) <= 1500);
    abc_generation g;
    assert_int_equal(abc_generation_info(a, abc_generations(a) - 1, &g), AS_OK);
    assert_true(g.simulations <= 1500);
    assert_true(g.simulations + cfg.particles > 1500 || abc_simulations(a) == 1500);
}

static void test_low_acceptance_abandons_the_generation(void **state)
{
    fixture *fx = *state;
    abc_prior pr;
    abc_model model;
    abc_config cfg;
    normal_setup(&pr, &model, &cfg);
    cfg.quantile = 0.01;      /* about 1% acceptance in generation 1 */
    cfg.min_acceptance = 0.05;
    abc *a = make_run(&fx->run[0], &cfg, &model, 1, 9);
    toy t = {.kind = TOY_FLAT, .threads = 1};
    assert_int_equal(run_toy(a, &t), AS_OK);
    assert_int_equal(abc_stopped(a), ABC_STOP_ACCEPTANCE);
    assert_int_equal(abc_generations(a), 1);
    /* generation 0 took 200; generation 1 was given up after 200 / 0.05 */
    assert_int_equal(abc_simulations(a), 200 + 4000);
    assert_int_equal(abc_get_population(a).n, 200);
}

static void test_plateau_and_initial_tolerance(void **state)
{
    fixture *fx = *state;
    abc_prior pr;
    abc_model model;
    abc_config cfg;
    normal_setup(&pr, &model, &cfg);
    abc *a = make_run(&fx->run[0], &cfg, &model, 1, 10);
    toy t = {.kind = TOY_CONST, .threads = 1};
    assert_int_equal(run_toy(a, &t), AS_OK);
    /* generation 0 at +inf, generation 1 at 3; nothing lies below 3 */
    assert_int_equal(abc_stopped(a), ABC_STOP_PLATEAU);
    assert_int_equal(abc_generations(a), 2);
    abc_generation g;
    assert_int_equal(abc_generation_info(a, 1, &g), AS_OK);
    assert_true(g.tolerance == 3.0);
    assert_true(isnan(abc_tolerance(a)));

    /* a finite initial tolerance below every distance: nothing is ever
     * accepted and the acceptance rule gives up */
    cfg.initial_tolerance = 1.0;
    abc *b = make_run(&fx->run[1], &cfg, &model, 1, 10);
    assert_int_equal(run_toy(b, &t), AS_OK);
    assert_int_equal(abc_stopped(b), ABC_STOP_ACCEPTANCE);
    assert_int_equal(abc_generations(b), 0);
    assert_int_equal(abc_get_population(b).n, 0);
    abc_model_stats st[1];
    char err[256];
    assert_int_equal(abc_model_summary(b, 0, 0.9, 10, st, err, sizeof err), AS_EUSAGE);
    assert_contains(err, "no generation");
}

static void test_misuse_and_bad_settings_are_refused(void **state)
{
    fixture *fx = *state;
    abc_prior pr;
    abc_model model;
    abc_config cfg;
    normal_setup(&pr, &model, &cfg);
    char err[256];
    abc *a = make_run(&fx->run[0], &cfg, &model, 1, 1);
    abc_batch b;
    abc_event ev;
    assert_int_equal(abc_submit(a, NULL, &ev, err, sizeof err), AS_EUSAGE);
    assert_int_equal(abc_propose(a, 5, 4, &b, err, sizeof err), AS_EUSAGE);
    assert_int_equal(abc_propose(a, 10, 10, &b, err, sizeof err), AS_OK);
    assert_int_equal(b.n, 10);
    assert_int_equal(abc_propose(a, 10, 10, &b, err, sizeof err), AS_EUSAGE);
    assert_contains(err, "still waiting");
    double d[10] = {0, 1, 2, 3, 4, 5, 6, -1, 8, 9};
    assert_int_equal(abc_submit(a, d, &ev, err, sizeof err), AS_ERUNTIME);
    assert_contains(err, "candidate 7 of generation 0");
    d[7] = NAN;
    assert_int_equal(abc_submit(a, d, &ev, err, sizeof err), AS_ERUNTIME);
    d[7] = INFINITY;
    assert_int_equal(abc_submit(a, d, &ev, err, sizeof err), AS_OK);
    assert_int_equal(ev, ABC_MORE);
    for (size_t i = 0; i < 10; i++)
        assert_true(b.seed[i] <= RNG_SEED_MAX);

    abc *bad = NULL;
    abc_config c = cfg;
    c.particles = 1;
    assert_int_equal(abc_alloc(&bad, &c, &model, 1, 1, err, sizeof err), AS_EUSAGE);
    assert_contains(err, "particles");
    c = cfg;
    c.quantile = 0.0;
    assert_int_equal(abc_alloc(&bad, &c, &model, 1, 1, err, sizeof err), AS_EUSAGE);
    assert_contains(err, "quantile");
    c = cfg;
    c.min_acceptance = 1.0;
    assert_int_equal(abc_alloc(&bad, &c, &model, 1, 1, err, sizeof err), AS_EUSAGE);
    assert_contains(err, "minimum acceptance");
    c = cfg;
    c.model_stay = 1.5;
    assert_int_equal(abc_alloc(&bad, &c, &model, 1, 1, err, sizeof err), AS_EUSAGE);
    assert_contains(err, "stay");
    c = cfg;
    c.initial_tolerance = 0.0;
    assert_int_equal(abc_alloc(&bad, &c, &model, 1, 1, err, sizeof err), AS_EUSAGE);
    assert_contains(err, "initial tolerance");
    abc_model m2 = model;
    m2.prior_weight = 0.0;
    assert_int_equal(abc_alloc(&bad, &cfg, &m2, 1, 1, err, sizeof err), AS_EUSAGE);
    assert_contains(err, "prior weight");
    assert_int_equal(abc_alloc(&bad, &cfg, &model, 0, 1, err, sizeof err), AS_EUSAGE);
    assert_null(bad);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_prior_densities_integrate_to_one_and_quantiles_invert_them),
        T(test_prior_densities_match_gsl_over_the_mass),
        T(test_prior_published_values_of_the_half_normal),
        T(test_prior_fixed_is_a_point_mass),
        T(test_prior_rejects_bad_shapes_and_empty_supports),
        T(test_cov2_density_matches_twice_the_weighted_covariance),
        T(test_olcm_density_matches_the_local_covariances),
        T(test_kernel_draws_have_the_mixture_moments),
        T(test_kernel_regularises_identical_points_and_handles_no_coordinates),
        T(test_normal_mean_posterior_matches_conjugate_olcm),
        T(test_normal_mean_posterior_matches_conjugate_cov2),
        T(test_poisson_geometric_bayes_factor_matches_closed_form),
        T(test_uninformative_distance_leaves_prior_olcm),
        T(test_uninformative_distance_leaves_prior_cov2),
        T(test_uninformative_distance_leaves_model_prior),
        T(test_same_seed_same_bytes_for_any_batch_size_and_threads),
        T(test_resume_from_any_generation_gives_the_same_bytes),
        T(test_restore_refuses_corrupt_truncated_and_foreign_states),
        T(test_budget_is_never_exceeded),
        T(test_low_acceptance_abandons_the_generation),
        T(test_plateau_and_initial_tolerance),
        T(test_misuse_and_bad_settings_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
