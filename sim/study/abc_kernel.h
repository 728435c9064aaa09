/*
 * abc_kernel - the perturbation kernel of ABC-SMC: a weighted mixture of
 * multivariate normals centred on the previous generation's particles,
 *
 *     q(y) = sum_j w_j N(y; x_j, Sigma_j),
 *
 * from which the next generation's candidates are drawn (pick j with
 * probability w_j, add a N(0, Sigma_j) step) and whose density enters the
 * importance weights.  Two choices of Sigma_j (Filippi et al. 2013, "On
 * optimality of kernels for approximate Bayesian computation using
 * sequential Monte Carlo", Stat. Appl. Genet. Mol. Biol. 12:87-107):
 *
 *   ABC_KERNEL_COV2  Sigma_j = 2 C for all j, C the weighted covariance of
 *                    the particles (Beaumont et al. 2009, multivariate);
 *   ABC_KERNEL_OLCM  the optimal local covariance matrix:
 *                    Sigma_j = sum_{k in S} w~_k (x_k - x_j)(x_k - x_j)^T
 *                            = C_S + (m_S - x_j)(m_S - x_j)^T,
 *                    over the particles S whose distance is within the new
 *                    tolerance (weights w~ renormalised over S; m_S, C_S
 *                    their weighted mean and covariance).  When S is empty
 *                    or has no weight, S is every particle.
 *
 * Covariances are weighted second moments about the mean, with divisor 1
 * (weights sum to 1).  A Sigma that is not positive definite (particles on
 * a line, a single particle) is regularised by adding lambda diag(s^2),
 * s the priors' spreads (abc_prior_spread), for the first lambda in 1e-12,
 * 1e-10, ..., 1 that makes its Cholesky factorisation succeed.
 *
 * The kernel works on packed vectors of `dim` coordinates (the free
 * parameters of one model); dim 0 is allowed (every density is 1).
 * The object holds its own copies of the centres; it is reused across
 * generations (memory grows to the largest fit).  One thread at a time.
 */
#ifndef ALIGNSIM_STUDY_ABC_KERNEL_H
#define ALIGNSIM_STUDY_ABC_KERNEL_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

/* Most coordinates a kernel takes (work vectors live on the stack). */
#define ABC_KERNEL_MAX_DIM 64

typedef enum {
    ABC_KERNEL_OLCM = 0,
    ABC_KERNEL_COV2 = 1
} abc_kernel_kind;

/* Name of a kernel kind as written in files ("olcm", "cov2"), or NULL. */
const char *abc_kernel_kind_name(abc_kernel_kind k);

typedef struct {
    abc_kernel_kind kind;
    size_t dim, n;          /* coordinates; mixture components */
    double *x;              /* n x dim centres */
    double *cum;            /* n running sums of the weights, for the draws */
    double *logc;           /* n: log w_j - log det(L_j) - dim/2 log(2 pi) */
    double *chol;           /* Cholesky factors (lower, row-major): 1 (COV2) or n (OLCM) */
    double *white;          /* COV2: n x dim centres times L^-1, for fast densities */
    size_t cap_n, cap_dim;  /* allocated sizes */
} abc_kernel;

/* Initialises an empty kernel (no allocation). */
void abc_kernel_init(abc_kernel *k);

/* Frees the kernel's memory; safe on an initialised or cleared kernel. */
void abc_kernel_clear(abc_kernel *k);

/*
 * Fits the kernel to n >= 1 particles: x holds their dim <= ABC_KERNEL_MAX_DIM coordinates
 * packed (n x dim, borrowed, copied), w their weights (>= 0, summing to 1
 * within rounding), dist their distances and eps the new tolerance (both
 * used by OLCM only; dist may be NULL for COV2), spread the priors'
 * spreads (dim values > 0) for the regularisation.  Returns AS_OK,
 * AS_ENOMEM, or AS_ERUNTIME with a message in err when a covariance stays
 * singular after regularisation (non-finite coordinates).
 */
int abc_kernel_fit(abc_kernel *k, abc_kernel_kind kind, size_t n, size_t dim, const double *x,
                   const double *w, const double *dist, double eps, const double *spread, char *err,
                   size_t errlen);

/*
 * Draws from the mixture: picks a component j with probability w_j (one
 * uniform) and writes x_j + L_j z, z standard normal (dim draws), into out
 * (dim values).  Returns j.
 */
size_t abc_kernel_draw(const abc_kernel *k, gsl_rng *r, double *out);

/* log q(y) for y of dim values; -INFINITY where q is 0.  Pure: threads may
 * share a fitted kernel for densities. */
double abc_kernel_logpdf(const abc_kernel *k, const double *y);

#endif
