/*
 * abc_prior - truncated priors (see abc_prior.h).
 *
 * The base distribution function F and its inverse come from GSL's
 * gsl_cdf_* functions.  When the support lies above the base median the
 * upper tail Q = 1 - F is used instead (F(S) = Q(lo) - Q(hi) and the
 * inverse through Q^-1), so a prior truncated far into the upper tail keeps
 * its digits; `upper` in the helpers below selects the tail.  Log densities
 * are written out rather than taken as log(gsl_ran_*_pdf(x)), which
 * underflows to log(0) some 38 standard deviations out; tests check them
 * against gsl_ran_*_pdf where that does not underflow.
 */
#include "study/abc_prior.h"

#include <math.h>
#include <stdio.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>

#include "base/status.h"

#define LOG_SQRT_2PI 0.91893853320467274178

/* Distribution function of the base distribution at x (upper = 0), or its
 * upper tail 1 - F(x) (upper = 1).  Infinite x gives 0 or 1. */
static double base_cdf(const spec_dist *d, double x, int upper)
{
    double p;
    switch (d->kind) {
    case DIST_UNIFORM:
        if (x <= d->a)
            p = 0.0;
        else if (x >= d->b)
            p = 1.0;
        else
            p = (x - d->a) / (d->b - d->a);
        return upper ? 1.0 - p : p;
    case DIST_NORMAL:
        if (isinf(x))
            p = x < 0 ? 0.0 : 1.0;
        else
            return upper ? gsl_cdf_gaussian_Q(x - d->a, d->b) : gsl_cdf_gaussian_P(x - d->a, d->b);
        return upper ? 1.0 - p : p;
    case DIST_BETA: {
        double y = (x - d->c) / (d->d - d->c);
        if (y <= 0.0)
            p = 0.0;
        else if (y >= 1.0)
            p = 1.0;
        else
            return upper ? gsl_cdf_beta_Q(y, d->a, d->b) : gsl_cdf_beta_P(y, d->a, d->b);
        return upper ? 1.0 - p : p;
    }
    case DIST_LOGNORMAL:
        if (x <= 0.0)
            p = 0.0;
        else if (isinf(x))
            p = 1.0;
        else
            return upper ? gsl_cdf_lognormal_Q(x, d->a, d->b) : gsl_cdf_lognormal_P(x, d->a, d->b);
        return upper ? 1.0 - p : p;
    case DIST_FIXED:
        break;
    }
    return NAN;
}

/* Inverse of base_cdf for the same `upper`: the x with base_cdf(x) = p. */
static double base_inverse(const spec_dist *d, double p, int upper)
{
    switch (d->kind) {
    case DIST_UNIFORM:
        return d->a + (upper ? 1.0 - p : p) * (d->b - d->a);
    case DIST_NORMAL:
        return d->a + (upper ? gsl_cdf_gaussian_Qinv(p, d->b) : gsl_cdf_gaussian_Pinv(p, d->b));
    case DIST_BETA:
        return d->c + (d->d - d->c) * (upper ? gsl_cdf_beta_Qinv(p, d->a, d->b)
                                             : gsl_cdf_beta_Pinv(p, d->a, d->b));
    case DIST_LOGNORMAL:
        return upper ? gsl_cdf_lognormal_Qinv(p, d->a, d->b) : gsl_cdf_lognormal_Pinv(p, d->a, d->b);
    case DIST_FIXED:
        break;
    }
    return NAN;
}

/* The base distribution's median, to choose the tail that keeps digits. */
static double base_median(const spec_dist *d)
{
    switch (d->kind) {
    case DIST_UNIFORM:
        return 0.5 * (d->a + d->b);
    case DIST_NORMAL:
        return d->a;
    case DIST_BETA:
        return d->c + (d->d - d->c) * gsl_cdf_beta_Pinv(0.5, d->a, d->b);
    case DIST_LOGNORMAL:
        return exp(d->a);
    case DIST_FIXED:
        break;
    }
    return NAN;
}

static int positive_finite(double x)
{
    return isfinite(x) && x > 0.0;
}

int abc_prior_init(abc_prior *p, const spec_dist *d, double value, double lo, double hi, char *err,
                   size_t errlen)
{
    *p = (abc_prior){.dist = *d, .value = value, .lo = lo, .hi = hi, .mass = 1.0};
    if (isnan(lo) || isnan(hi) || lo > hi) {
        snprintf(err, errlen, "expected a valid range lo <= hi, found [%g, %g]", lo, hi);
        return AS_EUSAGE;
    }
    switch (d->kind) {
    case DIST_FIXED:
        if (!(value >= lo && value <= hi)) {
            snprintf(err, errlen, "fixed value %.17g lies outside the valid range [%g, %g]", value, lo, hi);
            return AS_EUSAGE;
        }
        p->lo = p->hi = value;
        return AS_OK;
    case DIST_UNIFORM:
        if (!(isfinite(d->a) && isfinite(d->b) && d->a < d->b)) {
            snprintf(err, errlen, "uniform prior: expected finite min < max, found %.17g and %.17g", d->a,
                     d->b);
            return AS_EUSAGE;
        }
        p->lo = fmax(lo, d->a);
        p->hi = fmin(hi, d->b);
        break;
    case DIST_NORMAL:
        if (!isfinite(d->a) || !positive_finite(d->b)) {
            snprintf(err, errlen, "normal prior: expected a finite mean and sd > 0, found %.17g and %.17g",
                     d->a, d->b);
            return AS_EUSAGE;
        }
        break;
    case DIST_BETA:
        if (!positive_finite(d->a) || !positive_finite(d->b) || !(isfinite(d->c) && isfinite(d->d)) ||
            !(d->c < d->d)) {
            snprintf(err, errlen,
                     "beta prior: expected shapes > 0 and finite min < max, found shapes %.17g, %.17g and "
                     "range [%.17g, %.17g]",
                     d->a, d->b, d->c, d->d);
            return AS_EUSAGE;
        }
        p->lo = fmax(lo, d->c);
        p->hi = fmin(hi, d->d);
        break;
    case DIST_LOGNORMAL:
        if (!isfinite(d->a) || !positive_finite(d->b)) {
            snprintf(err, errlen, "lognormal prior: expected a finite mu and sigma > 0, found %.17g and %.17g",
                     d->a, d->b);
            return AS_EUSAGE;
        }
        p->lo = fmax(lo, 0.0);
        break;
    default:
        snprintf(err, errlen, "unknown distribution kind %d", (int)d->kind);
        return AS_EUSAGE;
    }
    int upper = p->upper = p->lo > base_median(d);
    double flo = base_cdf(d, p->lo, upper), fhi = base_cdf(d, p->hi, upper);
    p->cdf_lo = flo;
    p->mass = upper ? flo - fhi : fhi - flo;
    if (!(p->lo < p->hi) || !(p->mass >= ABC_PRIOR_MIN_MASS)) {
        snprintf(err, errlen,
                 "the prior puts %s of its mass in the parameter's valid range [%g, %g]: widen the prior or "
                 "move it into the range",
                 p->lo < p->hi && p->mass > 0.0 ? "almost none" : "none", lo, hi);
        return AS_EUSAGE;
    }
    p->log_mass = log(p->mass);
    return AS_OK;
}

int abc_prior_is_fixed(const abc_prior *p)
{
    return p->dist.kind == DIST_FIXED;
}

/* Log density of the base distribution at x inside the support. */
static double base_logpdf(const spec_dist *d, double x)
{
    switch (d->kind) {
    case DIST_UNIFORM:
        return -log(d->b - d->a);
    case DIST_NORMAL: {
        double z = (x - d->a) / d->b;
        return -0.5 * z * z - log(d->b) - LOG_SQRT_2PI;
    }
    case DIST_BETA: {
        double w = d->d - d->c, y = (x - d->c) / w;
        return (d->a - 1.0) * log(y) + (d->b - 1.0) * log1p(-y) - gsl_sf_lnbeta(d->a, d->b) - log(w);
    }
    case DIST_LOGNORMAL: {
        if (!(x > 0.0))
            return -INFINITY;
        double z = (log(x) - d->a) / d->b;
        return -0.5 * z * z - log(x * d->b) - LOG_SQRT_2PI;
    }
    case DIST_FIXED:
        break;
    }
    return -INFINITY;
}

double abc_prior_logpdf(const abc_prior *p, double x)
{
    if (p->dist.kind == DIST_FIXED)
        return x == p->value ? 0.0 : -INFINITY;
    if (!(x >= p->lo && x <= p->hi))
        return -INFINITY;
    double l = base_logpdf(&p->dist, x) - p->log_mass;
    /* A beta shape below 1 has an infinite density at its end: a set of
     * measure zero, treated as outside the support so that no weight is
     * ever infinite. */
    return isnan(l) || l == INFINITY ? -INFINITY : l;
}

int abc_prior_contains(const abc_prior *p, double x)
{
    return abc_prior_logpdf(p, x) > -INFINITY;
}

double abc_prior_quantile(const abc_prior *p, double u)
{
    if (p->dist.kind == DIST_FIXED)
        return p->value;
    if (!(u > 0.0))
        return p->lo;
    if (!(u < 1.0))
        return p->hi;
    int upper = p->upper;
    double target = upper ? p->cdf_lo - u * p->mass : p->cdf_lo + u * p->mass;
    double x = base_inverse(&p->dist, target, upper);
    if (isnan(x))
        return 0.5 * (p->lo + p->hi);
    return fmin(fmax(x, p->lo), p->hi);
}

double abc_prior_spread(const abc_prior *p)
{
    if (p->dist.kind == DIST_FIXED)
        return 0.0;
    return (abc_prior_quantile(p, 0.99) - abc_prior_quantile(p, 0.01)) / 4.6526957480816815;
}
