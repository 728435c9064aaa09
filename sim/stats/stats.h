/*
 * stats/stats - the interval estimators the studies report: Student t intervals of a mean, of a
 * paired difference and of a Welch difference of two means, the exact
 * Clopper-Pearson binomial interval, and the number of replications a Wald
 * interval of a given half-width needs.
 *
 * Every function here is pure: it reads its arguments, writes its
 * out-parameters and returns AS_OK or a negative status code.  On an
 * error every out-parameter that is a double is set to NaN (and counts to
 * 0), so a caller that ignores the status prints NA rather than garbage.
 * Out-pointers must not be NULL (a programmer error, checked by assert).
 * Quantiles come from GSL (gsl_cdf_tdist_Qinv, gsl_cdf_beta_Pinv/Qinv,
 * gsl_cdf_ugaussian_Qinv); main() has switched GSL's aborting error handler
 * off, so a GSL failure shows up as NaN and is reported as AS_ERUNTIME.
 *
 * A confidence level conf is a probability strictly between 0 and 1 (0.95
 * for a 95% interval); anything else, NaN included, is AS_EUSAGE.
 *
 * The exact, mergeable accumulators that feed these functions are in
 * stats/cells.h.
 */
#ifndef ALIGNSIM_STATS_STATS_H
#define ALIGNSIM_STATS_STATS_H

#include <stdint.h>

#include "base/status.h"


/*
 * Student t interval of a mean: mean -+ t(1 - (1-conf)/2; n-1) * sd/sqrt(n).
 * n is the number of observations (>= 2), sd their sample standard
 * deviation (n-1 divisor, finite, >= 0), mean finite.  Stores the bounds in
 * *lo and *hi.  Errors: AS_EUSAGE for n < 2, a non-finite mean or sd,
 * sd < 0 or conf outside (0, 1); AS_ERUNTIME if GSL fails.
 */
int stats_mean_ci(uint64_t n, double mean, double sd, double conf,
                  double *lo, double *hi);

/*
 * Exact (Clopper-Pearson) interval for a binomial proportion after k
 * successes in n trials: lo is the alpha/2 quantile of Beta(k, n-k+1) and hi
 * the 1-alpha/2 quantile of Beta(k+1, n-k), alpha = 1 - conf; by convention
 * lo = 0 when k = 0 and hi = 1 when k = n.  The interval is conservative:
 * its coverage is at least conf for every true proportion.
 * The quantiles come from gsl_cdf_beta_Pinv/Qinv, or, where those fail to
 * converge (GSL 2.7, n in the thousands and up), from solving the tail
 * equations with GSL's Brent root solver on gsl_cdf_beta_P/Q (tests check
 * 1e-9 against high-precision references, n up to 2^32 - 1).
 * Errors: AS_EUSAGE for n = 0, k > n or a bad conf; AS_ERUNTIME if no
 * bound can be computed (GSL cannot evaluate the beta distribution near
 * its centre for shapes beyond ~10^6, which matters only for conf near 0).
 */
int stats_clopper_pearson(uint64_t k, uint64_t n, double conf,
                          double *lo, double *hi);

/*
 * Welch interval for the difference of two means, a - b, with unequal
 * variances.  With va = sd_a^2/n_a and vb = sd_b^2/n_b, the standard error
 * is sqrt(va + vb) and the Welch-Satterthwaite degrees of freedom are
 *     df = (va + vb)^2 / (va^2/(n_a-1) + vb^2/(n_b-1)),
 * a real number between min(n_a, n_b) - 1 and n_a + n_b - 2.  Stores
 * mean_a - mean_b in *diff, the bounds diff -+ t(1-(1-conf)/2; df) * se in
 * *lo and *hi, and df in *df.  When both sd are 0 the interval is the point
 * diff and *df is n_a + n_b - 2 (the limit of equal small variances).
 * Errors: AS_EUSAGE for n_a or n_b < 2, non-finite means or sds, a
 * negative sd or a bad conf; AS_ERUNTIME if GSL fails.
 */
int stats_welch_ci(double mean_a, double sd_a, uint64_t n_a,
                   double mean_b, double sd_b, uint64_t n_b, double conf,
                   double *diff, double *lo, double *hi, double *df);

/*
 * Paired t interval: the Student t interval (as stats_mean_ci) of the mean
 * of n paired differences d_i = a_i - b_i, given their mean and sample
 * standard deviation.  This is the right interval when a and b come from
 * the same replications (common random numbers); the differences can be
 * accumulated exactly in a stats_cells with range [-2, 2] when a, b lie in
 * [-1, 1].  Errors as stats_mean_ci().
 */
int stats_paired_ci(uint64_t n, double mean_diff, double sd_diff, double conf,
                    double *lo, double *hi);

/*
 * Number of replications (total, not additional) for which the Wald
 * interval p -+ z * sqrt(p(1-p)/n), z = the 1-(1-conf)/2 normal quantile,
 * has half-width at most half_width:  n = ceil(z^2 p (1-p) / half_width^2),
 * and at least 1.  Use it to tell a user how many replications would decide
 * a condition whose interval still straddles its threshold; at p = 0 or 1
 * the Wald formula gives no guidance (the result is 1), so pass a planning
 * value such as the Clopper-Pearson bound nearest 1/2.
 * Errors: AS_EUSAGE for p outside [0, 1], half_width outside (0, 1] or a
 * bad conf; AS_EUSAGE too when the answer exceeds 2^53 (a half-width so
 * small no batch could reach it).  On error *reps is 0.
 */
int stats_binom_reps_needed(double p, double half_width, double conf,
                            uint64_t *reps);

/* A value and its weight (a weighted particle's coordinate). */
typedef struct {
    double v, w;
} stats_weighted;

/* Sorts n weighted values by value, ascending. */
void stats_weighted_sort(stats_weighted *s, size_t n);

/*
 * The weighted quantile q of n values sorted by stats_weighted_sort(): the
 * smallest value whose cumulative weight reaches q * total (total: the sum
 * of the weights); the largest value when rounding keeps the sum below
 * that; NaN when n = 0.
 */
double stats_weighted_quantile(const stats_weighted *s, size_t n, double total, double q);

#endif
