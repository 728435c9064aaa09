/*
 * evaluate - runs many replications of one scenario on worker threads and
 * hands back what each replication produced, for the study commands
 * (sweep, calibrate, sensitivity).
 *
 * A task is one replication: a seed and, optionally, values for a fixed set
 * of "free" parameters.  A replication draws its parameter vector exactly as
 * model_run does with no vector (model_draw_params: fixed values, and draws
 * for the parameters declared as distributions), replaces the free
 * parameters by the task's values, and runs.  With no values it is the very
 * replication `alignsim run -s SEED` and a batch would run.
 *
 * Determinism: each task's results go into the task's own slot, whatever
 * thread ran it, so the output arrays are identical for any number of
 * threads; callers reduce them in task order.
 *
 * The evaluator owns one model and one milestone tracker per thread,
 * allocated once; only threads are started per call.  No global state.
 */
#ifndef ALIGNSIM_STUDY_EVALUATE_H
#define ALIGNSIM_STUDY_EVALUATE_H

#include <stddef.h>
#include <stdint.h>

#include "model/spec.h"

/* The label whose first date the studies report ("comprehensive strategic
 * partnership of coordination" on the default ladder). */
#define EVAL_WATCH_LABEL 5

/* What one replication produced. */
typedef struct {
    double alliance_year;   /* first alliance of the outcome dyad at or after
                               outcome.alliance_after; NaN if none */
    double l5_year;         /* first date at or after outcome.alliance_after at
                               which the watched dyad holds label >= 5; NaN if
                               never (or the ladder has no label 5) */
    double within1;         /* share of the targets met within 1 year */
    double within2;         /* share of the targets met within 2 years: the
                               replay score */
    int reversal;           /* a fundamental reversal was detected */
} eval_rep;

/* One replication to run.  values (borrowed) holds one value per free
 * parameter of the evaluator, or is NULL: no override. */
typedef struct {
    const double *values;
    uint64_t seed;
} eval_task;

typedef struct study_eval study_eval;

/*
 * Allocates an evaluator for spec (borrowed: it must outlive the evaluator
 * and not change) with `threads` worker threads (>= 1) and the free
 * parameters free_idx[0..nfree) (indices into spec->params, copied).
 * Returns NULL when memory runs out or the spec is unusable (model_alloc
 * failed).
 */
study_eval *study_eval_alloc(const model_spec *spec, unsigned threads, const size_t *free_idx,
                             size_t nfree);

/* Frees; NULL is a no-op. */
void study_eval_free(study_eval *ev);

/*
 * Runs tasks[0..ntasks) and fills out[i] for task i.  When errors is not
 * NULL it receives milestones_error() of every target (ntasks x ntargets,
 * row-major), and years the simulated dates (milestones_sim_year()); either
 * may be NULL.  progress (may be NULL) is called on the calling thread
 * about five times a second with the tasks done and ntasks.  Returns 0, or
 * -1 with a message in err (a replication failed, threads could not start).
 */
int study_eval_run(study_eval *ev, const eval_task *tasks, size_t ntasks, eval_rep *out,
                   double *errors, double *years,
                   void (*progress)(void *ctx, uint64_t done, uint64_t total), void *progress_ctx,
                   char *err, size_t errlen);

/* The dyad whose label-5 date the studies report: china-russia when both
 * actors exist, else the outcome dyad (model dyad index, or SIZE_MAX). */
size_t study_watch_dyad(const model_spec *spec);

/*
 * Non-zero when parameter p can be set through a parameter vector: it is
 * not an event magnitude drawn afresh at each occurrence (such a value
 * would be ignored).  Calibration and sensitivity refuse the others.
 */
int study_param_settable(const model_spec *spec, size_t p);

#endif
