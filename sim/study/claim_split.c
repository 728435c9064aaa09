/*
 * claim_split - the law-of-total-variance split of a claim probability (see
 * claim_split.h for the estimators).
 *
 * The jackknife deletes one replication at a time.  Replications differ
 * only by their particle and outcome, so the n deleted estimates take at
 * most 2 m distinct values, each computed in O(1) from the totals: the
 * whole split costs O(m).
 */
#include "study/claim_split.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

/* B and V from the totals: s = sum_j K_j (K_j - 1) / w_j, k alliances in
 * n replications (n >= 2). */
static void split_of(double s, double k, double n, double *b, double *v)
{
    double pairs = n * (n - 1.0);
    *b = (s - k * (k - 1.0)) / pairs;
    *v = k * (n - k) / pairs;
}

static double clip01(double x)
{
    return x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
}

void claim_split_none(claim_split *s)
{
    s->particles = 0;
    s->total_var = s->between_var = s->within_var = s->between_sd = NAN;
    s->share = s->share_lo = s->share_hi = NAN;
}

int claim_split_estimate(const double *weight, const uint64_t *drawn, const uint64_t *allied, size_t m,
                         double conf, claim_split *s)
{
    claim_split_none(s);
    if (!(conf > 0.0 && conf < 1.0))
        return -1;
    double wsum = 0.0, n = 0.0, k = 0.0, sum = 0.0;
    size_t seen = 0;
    for (size_t j = 0; j < m; j++)
        wsum += weight[j] > 0.0 ? weight[j] : 0.0;
    for (size_t j = 0; j < m; j++) {
        if (drawn[j] == 0)
            continue;
        if (allied[j] > drawn[j] || !(weight[j] > 0.0))
            return -1;
        double kj = (double)allied[j];
        n += (double)drawn[j];
        k += kj;
        sum += kj * (kj - 1.0) / (weight[j] / wsum);
        seen++;
    }
    if (n < 2.0)
        return -1;
    double b, v;
    split_of(sum, k, n, &b, &v);
    s->particles = seen;
    s->total_var = v;
    s->between_var = b;
    s->within_var = v - b;
    s->between_sd = sqrt(b > 0.0 ? b : 0.0);
    if (!(v > 0.0))
        return 0;
    s->share = clip01(b / v);
    if (n < 3.0)
        return 0;

    /* Delete-one jackknife of the ratio B / V.  A deletion that leaves no
     * variation (V = 0) leaves the ratio undefined: no interval then. */
    double mean = 0.0, sq = 0.0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t j = 0; j < m; j++) {
            if (drawn[j] == 0)
                continue;
            double kj = (double)allied[j], w = weight[j] / wsum;
            for (int y = 0; y <= 1; y++) {
                double count = y ? kj : (double)drawn[j] - kj;
                if (count == 0.0)
                    continue;
                /* Removing a replication with outcome 1 on particle j takes
                 * K_j (K_j - 1) - (K_j - 1) (K_j - 2) = 2 (K_j - 1) from the sum. */
                double s1 = y ? sum - 2.0 * (kj - 1.0) / w : sum;
                double b1, v1;
                split_of(s1, k - y, n - 1.0, &b1, &v1);
                if (!(v1 > 0.0))
                    return 0;
                double r = b1 / v1;
                if (pass == 0)
                    mean += count * r;
                else
                    sq += count * (r - mean) * (r - mean);
            }
        }
        if (pass == 0)
            mean /= n;
    }
    double se = sqrt((n - 1.0) / n * sq);
    double z = gsl_cdf_ugaussian_Pinv(0.5 + conf / 2.0);
    double est = b / v;
    s->share_lo = clip01(est - z * se);
    s->share_hi = clip01(est + z * se);
    return 0;
}
