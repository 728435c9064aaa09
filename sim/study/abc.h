/*
 * abc - approximate Bayesian computation by sequential Monte Carlo
 * (ABC-SMC), with model choice, for any simulator that turns a parameter
 * vector and a seed into a distance to the data.
 *
 * The algorithm (Toni et al. 2009, J. R. Soc. Interface 6:187-202; Beaumont
 * et al. 2009, Biometrika 96:983-990; model choice after Toni and Stumpf
 * 2010, Bioinformatics 26:104-110):
 *
 *   Generation 0 draws (m, theta) from the priors (model m with
 *   probability pi(m), each parameter from its abc_prior) and accepts
 *   candidates whose distance is at most the initial tolerance eps_0
 *   (default +inf: the first N draws), all with weight 1.
 *
 *   Generation t >= 1 has tolerance eps_t = max(q_t, min_tolerance), q_t
 *   the weighted `quantile` of the previous generation's distances (the
 *   smallest distance whose cumulative weight, in increasing order of
 *   distance, reaches the quantile.  Del Moral et al. 2012 adapt the
 *   tolerance from the previous population through its effective sample
 *   size; the quantile is the simpler rule pyABC uses).  When q_t
 *   would not fall below eps_{t-1} (ties, discrete distances) it is the
 *   largest previous distance below eps_{t-1}; when there is none the run
 *   stops (ABC_STOP_PLATEAU).  A candidate is drawn by picking a model m'
 *   with the previous model probabilities p(m'), moving to m with the model
 *   kernel KM(m | m') (stay with probability `model_stay`, else any other
 *   model uniformly), picking a particle of model m by its weight and
 *   perturbing it with the kernel of abc_kernel.h; a draw whose model has
 *   no particles left or whose parameters fall outside a prior's support
 *   is discarded and the whole draw repeated.  An accepted candidate has
 *   the weight
 *
 *       w = pi(m) pi(theta | m) / ( sum_m' p(m') KM(m | m') q_m(theta) ),
 *
 *   q_m the kernel mixture of model m's particles (weights normalised
 *   within the model).  Weights are normalised to sum 1 over the
 *   generation; p(m) is the summed weight of model m's particles and the
 *   effective sample size is 1 / sum w^2.  Repeated draws change the
 *   proposal by a constant factor only, which the normalisation removes.
 *
 *   Fixed priors (point masses) are carried along: they never move and
 *   count 1 in the densities.  A model whose particles all died out stays
 *   dead (probability 0), as in ABC-SMC model selection generally.
 *
 * Stopping rule, checked after each generation: the tolerance reached
 * min_tolerance, or max_generations generations ran, or the simulations
 * reached max_simulations.  A generation is abandoned (the previous one is
 * the result) when it cannot meet min_acceptance (its candidates reach
 * N / min_acceptance) or the budget of simulations runs out during it.
 *
 * Batches and determinism.  The caller asks for batches of candidates
 * (abc_propose), runs them in any order or in parallel, and hands the
 * distances back in candidate order (abc_submit).  Candidate i of
 * generation t is the i-th draw of generation t's own random stream (keyed
 * by the master seed and t), and its simulation seed depends on (seed, t,
 * i) only; candidates are accepted in index order until N are, and later ones
 * are discarded uncounted.  So everything the run produces is the same for
 * any batch size and any number of threads.  Batch sizes aim at the
 * acceptances still needed, from the acceptance rate seen so far.
 *
 * Resume.  After a generation, abc_save() writes the state (portable
 * little-endian image, with a checksum and a fingerprint of the sampler's
 * settings); abc_restore() into a run made with the same settings and
 * seed continues exactly as the uninterrupted run would.  The stopping
 * rule is not part of the fingerprint: a finished run can be extended.
 *
 * Randomness: Philox streams (stats/rng.h) keyed by the master seed and
 * the generation (one stream per generation's proposals) or the bootstrap;
 * a candidate's simulation seed is rng_rep_seed() of its index under a
 * per-generation master, so no two candidates of a generation share one.
 *
 * Errors follow base/status.h.  No global state; one thread at a time per
 * run (the simulations of a batch may run on any number of threads).
 */
#ifndef ALIGNSIM_STUDY_ABC_H
#define ALIGNSIM_STUDY_ABC_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "study/abc_kernel.h"
#include "study/abc_prior.h"

#define ABC_MAX_MODELS 16
#define ABC_MAX_PARAMS ABC_KERNEL_MAX_DIM   /* parameters of one model */

/* One model: its parameters' priors and its prior weight. */
typedef struct {
    size_t nparams;            /* 0 .. ABC_MAX_PARAMS */
    const abc_prior *priors;   /* nparams priors (copied by abc_alloc) */
    double prior_weight;       /* > 0: pi(m) is proportional to it */
} abc_model;

/* The sampler's settings and stopping rule. */
typedef struct {
    size_t particles;          /* N, >= 2 */
    double quantile;           /* alpha of the adaptive tolerance, in (0, 1] */
    double initial_tolerance;  /* eps_0, > 0 (+inf: accept the first N draws) */
    double min_tolerance;      /* stop once a generation ran at or below it, >= 0 */
    double min_acceptance;     /* in [0, 1): abandon a generation that cannot reach it */
    uint64_t max_simulations;  /* budget; 0: none */
    unsigned max_generations;  /* >= 1 */
    abc_kernel_kind kernel;    /* perturbation kernel */
    double model_stay;         /* KM: probability to keep the model, in [0, 1] */
} abc_config;

/*
 * The defaults: 1000 particles, the median (quantile 0.5, as pyABC),
 * eps_0 = +inf, min_tolerance 0, min_acceptance 0.01, no simulation
 * budget, 30 generations, the OLCM kernel, model_stay 0.7 (pyABC's).
 */
void abc_config_init(abc_config *c);

/* Why a run stopped. */
typedef enum {
    ABC_RUNNING = 0,
    ABC_STOP_TOLERANCE,        /* a generation ran at or below min_tolerance */
    ABC_STOP_GENERATIONS,      /* max_generations generations ran */
    ABC_STOP_SIMULATIONS,      /* the budget of simulations is spent */
    ABC_STOP_ACCEPTANCE,       /* a generation could not reach min_acceptance */
    ABC_STOP_PLATEAU           /* every particle has the same distance: the
                                  tolerance cannot fall */
} abc_stop;

/* A short description of a stop reason ("minimum tolerance reached", ...). */
const char *abc_stop_text(abc_stop s);

/* What abc_submit() did with a batch. */
typedef enum {
    ABC_MORE = 0,              /* the generation needs more candidates */
    ABC_GENERATION,            /* a generation completed; the next one begins */
    ABC_DONE,                  /* a generation completed and the run stopped after it */
    ABC_ABANDONED              /* the generation under way was abandoned and the
                                  run stopped; the previous generation is the result */
} abc_event;

/* Candidates to simulate.  Arrays are owned by the run and valid until the
 * next abc_propose(), abc_restore() or abc_free(). */
typedef struct {
    unsigned generation;
    uint64_t first;            /* index of the first candidate within its generation */
    size_t n;                  /* candidates */
    size_t stride;             /* doubles per row of theta (>= 1) */
    const size_t *model;       /* n model indices */
    const double *theta;       /* n rows: model m's nparams values first */
    const uint64_t *seed;      /* n simulation seeds, each < 2^63 */
} abc_batch;

/* A generation's record. */
typedef struct {
    double tolerance;          /* eps_t */
    double acceptance;         /* N / candidates */
    double ess;                /* effective sample size, 1 / sum w^2 */
    uint64_t candidates;       /* simulations counted in this generation */
    uint64_t simulations;      /* counted over generations 0 .. t */
    const double *model_probability; /* nmodels values (borrowed from the run) */
} abc_generation;

/* The particles of the last completed generation (borrowed from the run;
 * valid until the next abc_submit() or abc_restore()).  n = 0 when no
 * generation completed. */
typedef struct {
    size_t n, stride;
    const size_t *model;       /* model index of each particle */
    const double *theta;       /* n rows of stride values */
    const double *weight;      /* normalised weights, summing to 1 */
    const double *distance;    /* distances */
} abc_population;

/* A model's posterior probability and its Bayes factor against a
 * reference model, with bootstrap intervals (abc_model_summary). */
typedef struct {
    size_t particles;          /* particles of this model in the population */
    double probability, prob_lo, prob_hi;
    double bayes_factor, bf_lo, bf_hi; /* (p(m)/p(ref)) / (pi(m)/pi(ref)); +inf when p(ref) = 0 */
} abc_model_stats;

typedef struct abc abc;

/*
 * Makes a run of ABC-SMC over nmodels models (1 .. ABC_MAX_MODELS; the
 * priors are copied) with settings cfg and master seed `seed`, ready to
 * propose generation 0.  Returns AS_OK with the run in *out, AS_EUSAGE
 * with a message in err for settings outside their ranges, AS_ENOMEM.
 */
int abc_alloc(abc **out, const abc_config *cfg, const abc_model *models, size_t nmodels, uint64_t seed,
              char *err, size_t errlen);

/* Frees a run; NULL is a no-op. */
void abc_free(abc *a);

/*
 * Proposes the next batch: as many candidates as the acceptances still
 * needed call for at the acceptance rate seen so far, but at least min_n
 * and at most max_n (1 <= min_n <= max_n), and never beyond the
 * generation's limits (the budget, N / min_acceptance).  Fills *batch.
 * Returns AS_OK; AS_EUSAGE when the run has stopped, a batch is still
 * waiting for its distances, or min_n/max_n are invalid; AS_ENOMEM;
 * AS_ERUNTIME when the kernel keeps leaving the priors' support (10^6
 * draws in a row outside it).
 */
int abc_propose(abc *a, size_t min_n, size_t max_n, abc_batch *batch, char *err, size_t errlen);

/*
 * Takes the distances of the batch proposed last, in candidate order
 * (batch.n values, each >= 0; +inf is allowed and only ever accepted at an
 * infinite tolerance), accepts in index order and reports in *ev what
 * happened.  Returns AS_OK; AS_EUSAGE when no batch is waiting;
 * AS_ERUNTIME for a negative or NaN distance (a simulator fault: the
 * batch stays waiting); AS_ENOMEM.
 */
int abc_submit(abc *a, const double *distances, abc_event *ev, char *err, size_t errlen);

/* Why the run stopped; ABC_RUNNING while it goes on. */
abc_stop abc_stopped(const abc *a);

/* Number of models, and of parameters of model m. */
size_t abc_nmodels(const abc *a);
size_t abc_nparams(const abc *a, size_t m);

/* Simulations counted so far: those of the completed generations plus
 * the candidates examined in the generation under way (or abandoned). */
uint64_t abc_simulations(const abc *a);

/* Completed generations. */
size_t abc_generations(const abc *a);

/* The record of completed generation t (< abc_generations()); AS_OK or
 * AS_EUSAGE for t out of range. */
int abc_generation_info(const abc *a, size_t t, abc_generation *g);

/* The tolerance of the generation under way (or next), NaN when stopped. */
double abc_tolerance(const abc *a);

/* The last completed generation's particles. */
abc_population abc_get_population(const abc *a);

/*
 * Posterior model probabilities and Bayes factors against model ref, with
 * percentile intervals at level conf in (0, 1) from nboot >= 1 bootstrap
 * resamples of the last generation's particles (index draws from a stream
 * keyed by the master seed, so the same run gives the same intervals).
 * Given the previous generation, the particles of a generation are
 * independent draws, so the bootstrap measures the Monte Carlo error of
 * the estimates at the final tolerance (not the error from earlier
 * generations' randomness, which moves the tolerance itself).  Fills out[m]
 * for every model.  Returns AS_OK; AS_EUSAGE (no generation, bad conf,
 * nboot or ref); AS_ENOMEM.
 */
int abc_model_summary(const abc *a, size_t ref, double conf, size_t nboot, abc_model_stats *out,
                      char *err, size_t errlen);

/*
 * Appends the state after the last completed generation to out (see the
 * header comment); at any time, since the image holds completed
 * generations only (a generation under way is run again after a restore).
 * Returns AS_OK or AS_ENOMEM.
 */
int abc_save(const abc *a, buf *out);

/*
 * Restores a state written by abc_save() into a run made by abc_alloc()
 * with the same models, settings (but for the stopping rule) and seed, and
 * prepares the next generation.  Returns AS_OK; AS_EUSAGE with a message
 * when the image is truncated, corrupt, of another version or of another
 * run; AS_ENOMEM; AS_ERUNTIME when the kernel cannot be fitted.  On error
 * the run is left as abc_alloc() made it.
 */
int abc_restore(abc *a, const void *image, size_t len, char *err, size_t errlen);

/*
 * Runs each batch of candidates: fills distances[i] for candidate i of the
 * batch.  Returns AS_OK, or a status with a message in err to abort the run.
 */
typedef int (*abc_simulate_fn)(void *ctx, const abc_batch *batch, double *distances, char *err,
                               size_t errlen);

/* Called after each completed generation (checkpoint, progress, files);
 * a status other than AS_OK aborts the run with that status. */
typedef int (*abc_generation_fn)(void *ctx, const abc *a, char *err, size_t errlen);

/*
 * Drives a run to its end: proposes batches of min_n .. max_n candidates,
 * simulates them with sim, submits the distances, and calls on_gen (may be
 * NULL) after every completed generation.  Returns AS_OK when the run
 * stopped by its rule (abc_stopped() says why), or the first failure.
 */
int abc_run(abc *a, abc_simulate_fn sim, abc_generation_fn on_gen, void *ctx, size_t min_n,
            size_t max_n, char *err, size_t errlen);

#endif
