/*
 * sensitivity - global sensitivity analysis (`alignsim sensitivity`):
 * Sobol first-order and total-order indices from Saltelli sampling.
 *
 * Design (k parameters, N base samples): the first N points of GSL's Sobol
 * sequence in 2k dimensions (gsl_qrng_sobol, at most 40 dimensions, so
 * k <= 20) scaled to the ranges; A is the first k coordinates, B the last
 * k, and AB_i is A with column i taken from B.  The function is evaluated
 * on the N (k + 2) rows A, B, AB_0 .. AB_{k-1}.
 *
 * Estimators, for each output with V the variance (divisor 2N) of the 2N
 * values f(A), f(B):
 *   first order  S1_i = mean_j (f(B)_j - m) (f(AB_i)_j - f(A)_j) / V   (Saltelli et al. 2010)
 *   total order  ST_i = mean_j (f(A)_j - f(AB_i)_j)^2 / (2 V)    (Jansen 1999)
 * where m is the mean of those 2N values: centring does not change the
 * estimator's expectation, but keeps its variance small for outputs far
 * from zero (years).  These are SALib's `sobol.analyze` estimators
 * (calc_second_order=False), which standardise the outputs first.
 * An output with V = 0 (constant over the design) has undefined indices
 * (NaN, written NA).
 *
 * Intervals: a percentile bootstrap.  Each of `bootstrap` resamples draws
 * N base-sample indices j with replacement (gsl_rng_uniform_int on the
 * Philox stream (seed, RNG_STREAM_BOOTSTRAP) of stats/rng) and recomputes
 * every index on the rows of those j; the interval at level conf is between the (1-conf)/2 and (1+conf)/2 sample
 * quantiles of the resampled indices.
 *
 * The estimator takes the function as a pointer, so it runs on any
 * function (tests use the Ishigami function); sensitivity_run() wraps the
 * model: each evaluation is the mean over a fixed set of replications
 * (seeds batch_rep_seed(scenario seed, r), r < reps: common random
 * numbers, the same for every row) of
 *   p_alliance    1 if the outcome dyad formed an alliance by the horizon
 *                 (after outcome.alliance_after), else 0;
 *   l5_year       the first date at or after outcome.alliance_after at which
 *                 China-Russia (else the outcome dyad) holds label 5 or
 *                 above; the horizon when never (censored);
 *   replay_score  the share of calibration targets met within 2 years.
 */
#ifndef ALIGNSIM_STUDY_SENSITIVITY_H
#define ALIGNSIM_STUDY_SENSITIVITY_H

#include <stddef.h>
#include <stdint.h>

#include "io/tsv.h"
#include "model/spec.h"
#include "run/engine.h"
#include "scenario/sweepfile.h"

#define SENSITIVITY_MAX_PARAMS 20

/* The indices of one parameter for one output, with bootstrap intervals. */
typedef struct {
    double s1, s1_lo, s1_hi;
    double st, st_lo, st_hi;
} sensitivity_index;

/*
 * A function to analyse: evaluates the nrows rows of x (row-major, k values
 * each, in the parameters' units) and stores nout outputs per row in y
 * (row-major).  Returns AS_OK, or another AS_* code with a message in err.
 */
typedef int (*sensitivity_fn)(void *ctx, const double *x, size_t nrows, size_t k, double *y,
                              size_t nout, char *err, size_t errlen);

/* What to analyse. */
typedef struct {
    size_t k;                  /* parameters, 1..SENSITIVITY_MAX_PARAMS */
    const double *lo, *hi;     /* ranges, lo < hi (borrowed) */
    size_t nbase;              /* N, >= 2 */
    size_t nout;               /* outputs of the function, >= 1 */
    size_t nboot;              /* bootstrap resamples, >= 1 */
    uint64_t seed;             /* of the bootstrap */
    double confidence;         /* level of the intervals, in (0, 1) */
} sensitivity_problem;

/*
 * Fills x ((k + 2) * nbase rows of k values, row-major) with the Saltelli
 * design: rows [0, N) A, [N, 2N) B, [(2 + i) N, (3 + i) N) AB_i.  Returns
 * AS_OK, or AS_EUSAGE (a bad problem) or AS_ERUNTIME (GSL) with a message
 * in err.
 */
int sensitivity_design(const sensitivity_problem *p, double *x, char *err, size_t errlen);

/*
 * Computes the indices from the outputs y ((k + 2) * nbase rows of nout
 * values, in the design's row order) into out (nout * k entries, output
 * major: out[o * k + i]) and the variance of each output into variance
 * (nout entries; may be NULL).  Returns AS_OK, or AS_EUSAGE / AS_ENOMEM
 * with a message in err.
 */
int sensitivity_indices(const sensitivity_problem *p, const double *y, sensitivity_index *out,
                        double *variance, char *err, size_t errlen);

/*
 * The whole analysis: design, one call of f on all rows, indices.  y_out,
 * when not NULL, receives the outputs ((k + 2) * nbase * nout values).
 */
int sensitivity_saltelli(const sensitivity_problem *p, sensitivity_fn f, void *ctx,
                         sensitivity_index *out, double *variance, double *y_out, char *err,
                         size_t errlen);

/* The outputs of the model analysis, in sensitivity.tsv's order. */
enum { SENS_P_ALLIANCE = 0, SENS_L5_YEAR, SENS_REPLAY_SCORE, SENS_NOUT };

/* Name of model output o ("p_alliance", "l5_year", "replay_score"). */
const char *sensitivity_output_name(size_t o);

/* What sensitivity_run is asked to do.  Pointers borrowed for the call.
 * Threads, stop requests and progress are the executor's. */
typedef struct {
    uint64_t reps;             /* replications per evaluation, >= 1 */
    int resume;                /* continue an interrupted analysis in outdir */
    const char *outdir;        /* result folder (created with its parents) */
    const io_kv *prov;         /* extra provenance (command) */
    size_t nprov;
} sensitivity_options;

/*
 * Runs the analysis of the sweep file's parameters (each with min and max;
 * checked with sweepfile_check_params) on spec (resolved text `resolved`)
 * with the settings of sf->sens on the executor e (the design's rows in
 * chunks of jobs, each row's replications tallied exactly: run/rep.h), and
 * writes DIR/sensitivity.tsv (output, parameter, S1, S1_lo, S1_hi, ST,
 * ST_lo, ST_hi), DIR/salib_problem.txt (`name lower upper` per parameter,
 * SALib's read_param_file format), DIR/samples.tsv (every evaluated row in
 * SALib's Saltelli order: for each base sample j the rows A_j, AB_0j ..
 * AB_(k-1)j, B_j, with the parameter values and the outputs, so SALib's
 * sobol.analyze can recompute the indices) and DIR/scenario.cfg.  Finished
 * chunks are journaled (DIR/.sensitivity.journal, removed at the end):
 * with opt->resume an interrupted analysis continues.
 *
 * Returns AS_OK; AS_EUSAGE (message in err) when a parameter cannot be set
 * through a parameter vector or the folder holds another or an interrupted
 * analysis; AS_ESTOPPED when interrupted; another AS_* code on failures.
 * Collective under MPI; the root writes.
 */
int sensitivity_run(engine *e, const sweep_file *sf, const model_spec *spec, const char *resolved,
                    const sensitivity_options *opt, char *err, size_t errlen);

#endif
