/*
 * abc_prior - the prior of one parameter in an ABC inference: any
 * distribution the scenario language has (model/spec.h spec_dist), truncated
 * to the parameter's valid range, with its density, quantile function and
 * support.
 *
 * A prior is a base distribution F restricted to its support S:
 *
 *   fixed      a point mass at `value` (which must lie in [lo, hi])
 *   uniform    U(a, b),                 S = [max(a, lo), min(b, hi)]
 *   normal     N(a, b^2), b > 0,        S = [lo, hi]
 *   beta       c + (d - c) Beta(a, b),  S = [max(c, lo), min(d, hi)]
 *   lognormal  exp(N(a, b^2)), b > 0,   S = [max(0, lo), hi]
 *
 * where [lo, hi] is the parameter's valid range from the settings table
 * (either end may be infinite).  The density on S is the base density
 * divided by the base mass of S, F(S): a proper, normalised density, so
 * densities of different models' priors can be compared (model choice
 * needs that).  This differs from how `batch` draws a distribution it
 * declares (model_draw_params clamps to the range, which puts point masses
 * on the ends and so has no density); a prior with no point masses is what
 * importance weights need.
 *
 * Draws invert the distribution function: x = F^-1(F(s0) + u F(S)) with one
 * uniform u per draw, so a draw consumes exactly one number of the
 * generator whatever the distribution (GSL's gsl_cdf_*_Pinv).
 *
 * All functions are pure given the prior; a prior is plain data (copyable).
 */
#ifndef ALIGNSIM_STUDY_ABC_PRIOR_H
#define ALIGNSIM_STUDY_ABC_PRIOR_H

#include <stddef.h>

#include "model/spec.h"

/* A prior whose base mass on its support is below this is refused: the
 * inversion of F would lose every digit. */
#define ABC_PRIOR_MIN_MASS 1e-12

typedef struct {
    spec_dist dist;        /* the base distribution (kind and shape) */
    double value;          /* DIST_FIXED: the value */
    double lo, hi;         /* the support S, lo <= hi (lo == hi only when fixed) */
    int upper;             /* the support lies above the base median: cdf_lo
                              and the inversion use the upper tail 1 - F */
    double cdf_lo;         /* F(lo), or 1 - F(lo) when upper */
    double mass;           /* F(hi) - F(lo) > 0 */
    double log_mass;       /* log(mass) */
} abc_prior;

/*
 * Makes the prior with base distribution d (copied) truncated to the valid
 * range [lo, hi] (lo <= hi, each may be infinite); value is used for
 * DIST_FIXED only.  Returns AS_OK, or AS_EUSAGE with a message in err when
 * the shape is invalid (uniform a >= b, a non-positive or non-finite sd or
 * beta shape, beta c >= d), a fixed value lies outside [lo, hi], or the
 * distribution puts less than ABC_PRIOR_MIN_MASS of its mass in the range.
 */
int abc_prior_init(abc_prior *p, const spec_dist *d, double value, double lo, double hi, char *err,
                   size_t errlen);

/* Non-zero for a point mass (DIST_FIXED): such a parameter never moves. */
int abc_prior_is_fixed(const abc_prior *p);

/* Non-zero when x lies in the support (for a fixed prior: x == value). */
int abc_prior_contains(const abc_prior *p, double x);

/*
 * Log density at x on the support (normalised as described above),
 * -INFINITY outside it.  A fixed prior has log density 0 at its value (its
 * point mass counts 1, so it cancels between proposal and prior).
 */
double abc_prior_logpdf(const abc_prior *p, double x);

/*
 * The quantile function: the x in S with F(x) - F(lo) = u F(S), for u in
 * [0, 1] (u = 0 and 1 give the ends of S); the value of a fixed prior for
 * any u.  The result is clamped into S (inversion at the ends may round
 * just outside it).
 */
double abc_prior_quantile(const abc_prior *p, double u);

/*
 * A spread of the prior in the parameter's units: (q(0.99) - q(0.01)) /
 * 4.6527, the standard deviation for a normal prior; 0 for a fixed prior.
 * The kernels use it to regularise a singular covariance.
 */
double abc_prior_spread(const abc_prior *p);

#endif
