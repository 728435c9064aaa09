/*
 * stats/stats - status strings and interval estimators (see stats.h).
 *
 * Every function validates all of its arguments before computing anything,
 * sets its double out-parameters to NaN on any error, and checks each GSL
 * quantile for NaN (GSL's error handler is off, so NaN is how a failure to
 * converge shows).  Upper-tail quantiles are taken with the Qinv functions
 * at alpha/2 rather than Pinv at 1 - alpha/2, which keeps full relative
 * precision when conf is close to 1.
 *
 * GSL 2.7's beta quantile fails to converge for the large shapes a batch
 * of thousands of replications produces; the Clopper-Pearson bounds then
 * solve their defining tail equation with GSL's Brent root solver on the
 * beta distribution function (beta_tail_inv below).
 */
#include "stats/stats.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

/* A confidence level must lie strictly inside (0, 1); NaN fails too. */
static int conf_ok(double conf)
{
    return conf > 0.0 && conf < 1.0;
}

/*
 * The 1 - (1-conf)/2 quantile of Student's t with df degrees of freedom,
 * or NaN if GSL fails.
 */
static double t_upper(double conf, double df)
{
    return gsl_cdf_tdist_Qinv(0.5 * (1.0 - conf), df);
}

int stats_mean_ci(uint64_t n, double mean, double sd, double conf,
                  double *lo, double *hi)
{
    assert(lo && hi);
    *lo = *hi = NAN;
    if (n < 2 || !isfinite(mean) || !isfinite(sd) || sd < 0.0 ||
        !conf_ok(conf))
        return AS_EUSAGE;
    double t = t_upper(conf, (double)(n - 1));
    if (!isfinite(t))
        return AS_ERUNTIME;
    double half = t * sd / sqrt((double)n);
    *lo = mean - half;
    *hi = mean + half;
    return AS_OK;
}

/* The equation beta_tail_solve() solves, as GSL root-finder parameters. */
typedef struct {
    double a, b;   /* shape of the beta distribution */
    double tail;   /* wanted tail probability */
    int upper;     /* 0: P(X <= x) = tail;  1: P(X > x) = tail */
} beta_tail_eq;

/* Tail probability at x minus the wanted one; increasing in x. */
static double beta_tail_residual(double x, void *params)
{
    const beta_tail_eq *e = params;
    if (e->upper)
        return e->tail - gsl_cdf_beta_Q(x, e->a, e->b);
    return gsl_cdf_beta_P(x, e->a, e->b) - e->tail;
}

/*
 * Solves the tail equation of e with GSL's Brent solver on the beta
 * distribution function, or returns NaN.  The root lies on the tail's side
 * of the mean m (for tail <= 1/2, up to the skew of small shapes), so one
 * end of the bracket is 0 or 1 and the other is found by stepping from m
 * away from the tail, in sd-sized steps that double, until the residual
 * has the other sign; the steps also leave the neighbourhood of the mean,
 * where GSL's continued fraction may not converge for shapes above ~10^6.
 */
static double beta_tail_solve(const beta_tail_eq *e)
{
    beta_tail_eq eq = *e;
    double a = eq.a, b = eq.b;
    double m = a / (a + b);
    double sd = sqrt(a * b / ((a + b) * (a + b) * (a + b + 1.0)));
    gsl_function f = {beta_tail_residual, &eq};

    double x_lo = 0.0, x_hi = 1.0;
    for (int j = 0; j < 64; j++) {
        double step = j == 0 ? 0.0 : ldexp(sd, j - 1);
        double x = eq.upper ? m - step : m + step;
        if (eq.upper ? x <= 0.0 : x >= 1.0)
            break;
        double r = beta_tail_residual(x, &eq);
        if (eq.upper ? r < 0.0 : r > 0.0) {
            if (eq.upper)
                x_lo = x;
            else
                x_hi = x;
            break;
        }
    }

    double root = NAN;
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s || gsl_root_fsolver_set(s, &f, x_lo, x_hi) != GSL_SUCCESS)
        goto done;
    for (int iter = 0; iter < 500; iter++) {
        if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS)
            goto done;
        double lo = gsl_root_fsolver_x_lower(s), hi = gsl_root_fsolver_x_upper(s);
        if (gsl_root_test_interval(lo, hi, 0.0, 4.0 * DBL_EPSILON) == GSL_SUCCESS) {
            root = gsl_root_fsolver_root(s);
            break;
        }
    }
done:
    gsl_root_fsolver_free(s);
    return root;
}

/*
 * x with P(X <= x) = tail (upper = 0) or P(X > x) = tail (upper = 1) for
 * X ~ Beta(a, b) and 0 < tail < 1/2.  GSL 2.7's gsl_cdf_beta_Pinv/Qinv
 * start from a bisection to 0.01 and then a Newton iteration that stalls
 * when the distribution is much narrower than that (large a + b: e.g.
 * k = 1996 of n = 2000 at 99%), returning NaN; the tail equation is then
 * solved directly with the distribution function, which is accurate in the
 * tails.  Returns NaN if both fail.
 */
static double beta_tail_inv(double tail, double a, double b, int upper)
{
    double x = upper ? gsl_cdf_beta_Qinv(tail, a, b)
                     : gsl_cdf_beta_Pinv(tail, a, b);
    if (isfinite(x))
        return x;
    beta_tail_eq e = {a, b, tail, upper};
    return beta_tail_solve(&e);
}

int stats_clopper_pearson(uint64_t k, uint64_t n, double conf,
                          double *lo, double *hi)
{
    assert(lo && hi);
    *lo = *hi = NAN;
    if (n == 0 || k > n || !conf_ok(conf))
        return AS_EUSAGE;
    double half_alpha = 0.5 * (1.0 - conf);
    double kd = (double)k, nd = (double)n;
    /*
     * The bounds are quantiles of beta distributions (the beta-binomial
     * duality); the edge cases have one shape parameter 0, where the
     * quantile degenerates to exactly 0 or 1.
     */
    double l = k == 0 ? 0.0 : beta_tail_inv(half_alpha, kd, nd - kd + 1.0, 0);
    double h = k == n ? 1.0 : beta_tail_inv(half_alpha, kd + 1.0, nd - kd, 1);
    if (!isfinite(l) || !isfinite(h))
        return AS_ERUNTIME;
    *lo = l;
    *hi = h;
    return AS_OK;
}

int stats_welch_ci(double mean_a, double sd_a, uint64_t n_a,
                   double mean_b, double sd_b, uint64_t n_b, double conf,
                   double *diff, double *lo, double *hi, double *df)
{
    assert(diff && lo && hi && df);
    *diff = *lo = *hi = *df = NAN;
    if (n_a < 2 || n_b < 2 || !isfinite(mean_a) || !isfinite(mean_b) ||
        !isfinite(sd_a) || !isfinite(sd_b) || sd_a < 0.0 || sd_b < 0.0 ||
        !conf_ok(conf))
        return AS_EUSAGE;
    double va = sd_a * sd_a / (double)n_a;
    double vb = sd_b * sd_b / (double)n_b;
    double se2 = va + vb;
    double d = mean_a - mean_b;
    double nu_max = (double)(n_a - 1) + (double)(n_b - 1);
    double nu = se2 * se2 /
                (va * va / (double)(n_a - 1) + vb * vb / (double)(n_b - 1));
    /*
     * Both sds 0 give 0/0, and tiny non-zero variances can underflow in
     * va*va and give inf.  In exact arithmetic df never exceeds
     * n_a + n_b - 2 (equal variances per observation), which is also the
     * limit as both sds go to 0 together, so that is the fallback.
     */
    if (!isfinite(nu) || nu > nu_max)
        nu = nu_max;
    double t = t_upper(conf, nu);
    if (!isfinite(t))
        return AS_ERUNTIME;
    double half = t * sqrt(se2);
    *diff = d;
    *lo = d - half;
    *hi = d + half;
    *df = nu;
    return AS_OK;
}

int stats_paired_ci(uint64_t n, double mean_diff, double sd_diff, double conf,
                    double *lo, double *hi)
{
    /*
     * Pairing is in how the differences were formed (same replication,
     * common random numbers); the interval itself is the one-sample t.
     */
    return stats_mean_ci(n, mean_diff, sd_diff, conf, lo, hi);
}

int stats_binom_reps_needed(double p, double half_width, double conf,
                            uint64_t *reps)
{
    assert(reps);
    *reps = 0;
    if (!(p >= 0.0 && p <= 1.0) || !(half_width > 0.0 && half_width <= 1.0) ||
        !conf_ok(conf))
        return AS_EUSAGE;
    double z = gsl_cdf_ugaussian_Qinv(0.5 * (1.0 - conf));
    if (!isfinite(z))
        return AS_ERUNTIME;
    double need = ceil(z * z * p * (1.0 - p) / (half_width * half_width));
    /* Beyond 2^53 the double no longer holds an exact integer count. */
    if (!(need <= 9007199254740992.0))
        return AS_EUSAGE;
    *reps = need < 1.0 ? 1 : (uint64_t)need;
    return AS_OK;
}

static int cmp_weighted(const void *pa, const void *pb)
{
    double x = ((const stats_weighted *)pa)->v, y = ((const stats_weighted *)pb)->v;
    return (x > y) - (x < y);
}

void stats_weighted_sort(stats_weighted *s, size_t n)
{
    if (n > 1)
        qsort(s, n, sizeof *s, cmp_weighted);
}

double stats_weighted_quantile(const stats_weighted *s, size_t n, double total, double q)
{
    double acc = 0.0;
    for (size_t i = 0; i < n; i++) {
        acc += s[i].w;
        if (acc >= q * total)
            return s[i].v;
    }
    return n ? s[n - 1].v : NAN;
}
