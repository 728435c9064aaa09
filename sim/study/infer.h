/*
 * infer - `alignsim infer`: the posterior of a scenario's parameters given
 * its targets, by ABC-SMC (study/abc.h) on the executor (run/engine.h),
 * with model choice over several scenarios (docs/MODEL.md 3.9).
 *
 * Each scenario's `infer` group (model_spec.infer) declares the priors;
 * the first scenario's group also gives the sampler's settings (particles,
 * quantile, kernel, stopping rule) and the distance's (scales, cap, miss
 * penalty, fit window).  Several scenarios are the models of a model
 * choice: model k has its own priors and the prior weight
 * infer.model_weight; they must have the same targets (the same data).
 *
 * How it runs.  The sampler proposes rounds of candidates (abc_propose,
 * between 64 and 2N at a time, a size that depends only on the sampler's
 * state, never on -j or the rank count); each round is one executor job
 * whose task i runs candidate i's replication (rep_run with the priors'
 * parameters set to the candidate's values, seed from the sampler) and
 * records its distance (study/infer_distance.h) and, with a fit window,
 * its simulated target dates.  Records come back in task order on every
 * rank (share_records) and go to abc_submit, so every rank's sampler stays
 * in step and the result is the same bytes for any -j and rank count.
 * Every round is journaled (DIR/.infer.journal): a resumed run replays the
 * rounds done and goes on from the first missing one, mid-generation, to
 * the bytes of an uninterrupted run.
 *
 * The posterior predictive (with a fit window): every particle of the
 * last generation carries the simulated dates of its own replication, a
 * draw from p(y | theta) with theta from the posterior; the weighted
 * quantiles of those dates give each later target's median and 90%
 * interval.
 *
 * Errors follow base/status.h.  Collective under MPI; the root writes.
 */
#ifndef ALIGNSIM_STUDY_INFER_H
#define ALIGNSIM_STUDY_INFER_H

#include <stddef.h>
#include <stdint.h>

#include "io/tsv.h"
#include "model/spec.h"
#include "run/engine.h"
#include "study/abc.h"

/* One completed generation, as the progress callback sees it. */
typedef struct {
    size_t generation;         /* 0, 1, ... */
    double tolerance, acceptance, ess;
    uint64_t simulations;      /* over all generations so far */
    uint64_t estimated_total;  /* simulations expected by the end (an estimate) */
} infer_progress;

/* What infer_run is asked to do.  Pointers borrowed for the call. */
typedef struct {
    size_t nmodels;                 /* >= 1 */
    const model_spec *const *specs; /* nmodels loaded scenarios */
    const char *const *resolved;    /* their resolved texts (scenario.cfg, posterior.cfg) */
    const char *const *paths;       /* their files, for models.tsv */
    uint64_t seed;                  /* master seed */
    int resume;                     /* continue an interrupted inference in outdir */
    const char *outdir;
    const io_kv *prov;              /* extra provenance lines (command, overrides) */
    size_t nprov;
    /* Called on the root after every completed generation (may be NULL). */
    void (*on_generation)(void *ctx, const infer_progress *p);
    void *ctx;
    /* Called on every rank with each round of candidates after it ran (may
     * be NULL; bench_infer re-runs them without the inference to measure
     * its overhead).  A non-zero return stops the run (AS_ENOMEM). */
    int (*on_round)(void *ctx, const abc_batch *b);
} infer_options;

/* The summary of one parameter of the result (model 0, or the model). */
typedef struct {
    const char *path;               /* borrowed from the spec */
    double prior_mean, prior_sd;
    double mean, sd, q05, q50, q95; /* weighted, over the model's particles */
} infer_param_summary;

/* What the caller learns (to print).  infer_report_clear frees it. */
typedef struct {
    size_t generations;
    uint64_t simulations;           /* counted by the sampler (candidates examined) */
    uint64_t simulated;             /* replications run, including the candidates of a
                                       generation's last round after its N-th acceptance */
    double tolerance;               /* of the last generation */
    double ess;
    const char *stop;               /* why it stopped (static text) */
    size_t nmodels;
    double *probability, *prob_lo, *prob_hi; /* nmodels each */
    infer_param_summary *params;    /* of the most probable model */
    size_t nparams;
    size_t best_model;
    size_t npredicted, ninside;     /* predictive.tsv: targets and those inside */
} infer_report;

/* Frees what infer_run put in r; safe on a zeroed r. */
void infer_report_clear(infer_report *r);

/*
 * Runs the inference on the executor e and writes into opt->outdir:
 * posterior.tsv, generations.tsv, posterior.cfg and scenario.cfg (one
 * model), or with several models models.tsv, generations.tsv and one
 * folder per model (named by its scenario) holding that model's
 * posterior.tsv, posterior.cfg and scenario.cfg; predictive.tsv with a fit
 * window.  Returns AS_OK; AS_EUSAGE (no `infer` group, a parameter that
 * cannot be set, a prior the sampler refuses, models with other targets,
 * nothing to fit, an interrupted inference in the way or none to resume)
 * with a message in err; AS_ESTOPPED when interrupted (the rounds done are
 * kept); another AS_* code on failures.
 */
int infer_run(engine *e, const infer_options *opt, infer_report *rep, char *err, size_t errlen);

#endif
