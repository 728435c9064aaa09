/*
 * claim_split - how much of the uncertainty of a claim probability comes
 * from the parameters and how much from chance (docs/MODEL.md 3.5, "The
 * claim under the posterior").
 *
 * Under a posterior each replication draws a particle J with probability
 * w_J and then an outcome Y (alliance or not) with probability p(J).  The
 * law of total variance splits Var(Y) = p(1 - p), with p = E[p(J)]:
 *
 *   Var(Y) = E[p(J) (1 - p(J))]  +  Var(p(J))
 *            within: chance          between: parameter uncertainty
 *
 * From n replications with N_j of them on particle j and K_j alliances
 * among those (K = sum K_j), the estimators are unbiased:
 *
 *   V = K (n - K) / (n (n - 1))                               for p (1 - p)
 *   B = [ sum_j K_j (K_j - 1) / w_j  -  K (K - 1) ] / (n (n - 1))   for Var(p(J))
 *   W = V - B
 *
 * (B: among ordered pairs of distinct replications, a pair on the same
 * particle j has both outcomes 1 with probability p_j^2 and occurs with
 * probability w_j^2, so weighting it by 1/w_j gives E[p(J)^2]; all pairs give
 * (E p(J))^2.)  No replications per particle are required, but the
 * estimate is the more precise the more replications share particles
 * (n large against the particles' effective number).  B can come out
 * negative by chance when the parameters matter little.
 *
 * The share from the parameters is B / V, with a delete-one-replication
 * jackknife standard error and a normal interval, both clipped to [0, 1].
 */
#ifndef ALIGNSIM_STUDY_CLAIM_SPLIT_H
#define ALIGNSIM_STUDY_CLAIM_SPLIT_H

#include <stddef.h>
#include <stdint.h>

/* The split of one probability's uncertainty.  Plain value data. */
typedef struct {
    size_t particles;       /* distinct particles drawn; 0: no posterior (the rest NaN) */
    double total_var;       /* V: estimate of p (1 - p) */
    double between_var;     /* B: estimate of Var(p(J)) across the posterior (may be < 0) */
    double within_var;      /* W = V - B: estimate of E[p(J) (1 - p(J))] */
    double between_sd;      /* sqrt(max(B, 0)): the spread of P(alliance | particle) */
    double share;           /* B / V clipped to [0, 1]; NaN when V = 0 (no variation) */
    double share_lo, share_hi; /* normal interval of the share from its jackknife
                                  standard error, clipped to [0, 1]; NaN when n < 3 or V = 0 */
} claim_split;

/* Sets every field of s to "no posterior" (particles 0, numbers NaN). */
void claim_split_none(claim_split *s);

/*
 * Estimates the split from m particles: weight[j] (> 0 for every particle
 * drawn; normalised here by their sum over all m), drawn[j] replications
 * and allied[j] <= drawn[j] alliances among them, at confidence conf in
 * (0, 1) for the interval.  Returns 0 and fills *s; -1 for no replications,
 * allied > drawn, a drawn particle of weight <= 0 or a bad conf (*s is then
 * "none").
 */
int claim_split_estimate(const double *weight, const uint64_t *drawn, const uint64_t *allied, size_t m,
                         double conf, claim_split *s);

#endif
