/*
 * calibrate - fits a scenario's free parameters to its calibration targets
 * (`alignsim calibrate`).
 *
 * The scenario's `calibrate` group (model_spec.calibrate) names the free
 * parameters with their search ranges, optional order targets and the
 * fit's settings.
 *
 * Loss.  Over a fixed set of replications r < reps with seeds
 * batch_rep_seed(seed, r) (common random numbers: every evaluation sees the
 * same replications, so the loss is a deterministic function of the
 * parameters), the mean of
 *     sum over fitted targets i of min(e_i^2, cap^2)   (a missed target, or a
 *                                                     violated stays_below, counts cap^2)
 *   + sum over fitted order targets (a, b) of 0 if a is met no later than b,
 *     min((date_a - date_b)^2, cap^2) if both are met in the wrong order,
 *     cap^2 if either is missed,
 * where e_i is the date error of target i in years and cap = cap_years
 * (default 8).  With a fit window (`fit_until`) only targets dated no
 * later than fit_until are fitted (an order target when both are); the
 * others are the out-of-window targets, scored but never fitted.  Each
 * replication draws its parameters as a batch would (distributions drawn),
 * then takes the free parameters' trial values (run/rep.h).  Each
 * evaluation is one job on the executor, and the per-replication losses are
 * summed exactly (stats/xsum), so the loss, the trace and the fit are the
 * same for any number of threads and MPI ranks.
 *
 * Search.  Each free parameter p in [min, max] is searched as
 * z = logit((p - min) / (max - min)), so that the unconstrained simplex
 * never leaves the range.  Starts: start 0 is the scenario's own values
 * (clamped into the ranges); starts 1 .. starts-1 are the first points u of
 * GSL's Sobol sequence in nfree dimensions (the first is the centre of the
 * box), each shrunk to 0.05 + 0.9 u.  From each, gsl_multimin_fminimizer_nmsimplex2
 * with initial steps of 1 in z, until the simplex size falls below
 * `tolerance` or after max_iterations iterations.  Then one polishing
 * start (numbered `starts` in the trace) from the best point found, with
 * steps of 0.5, restarts the simplex there.  The fit is the point of lowest
 * loss over all starts (the earliest on ties).
 */
#ifndef ALIGNSIM_STUDY_CALIBRATE_H
#define ALIGNSIM_STUDY_CALIBRATE_H

#include <stddef.h>
#include <stdint.h>

#include "io/tsv.h"
#include "model/spec.h"
#include "run/engine.h"
#include "scenario/scenario.h"

/*
 * Loss of one replication: errors and years are milestones_error() and
 * milestones_sim_year() of every target of spec (ntargets each).
 * in_window selects the fitted targets (non-zero), or, with in_window 0,
 * the out-of-window ones.  *count (may be NULL) receives the number of
 * terms.  With no fit window every target is in the window.
 */
double calibrate_rep_loss(const model_spec *spec, const spec_calibrate *cal, const double *errors,
                          const double *years, int in_window, size_t *count);

/* Non-zero when target i is fitted under cal's window. */
int calibrate_in_window(const model_spec *spec, const spec_calibrate *cal, size_t i);

/* One row of the trace. */
typedef struct {
    unsigned start;            /* start number; `starts` is the polishing start */
    unsigned iteration;        /* 0: the start point */
    size_t evaluations;        /* loss evaluations so far, over all starts */
    double values[SPEC_MAX_FREE]; /* best vertex of the simplex */
    double loss;               /* its loss */
    double size;               /* simplex size in the logit space (NaN at iteration 0) */
} calibrate_step;

/* The result of a fit. */
typedef struct {
    double values[SPEC_MAX_FREE]; /* fitted values of the free parameters */
    double loss;               /* their loss */
    double initial_loss;       /* loss at the scenario's own values */
    unsigned best_start;
    size_t evaluations;
    calibrate_step *trace;     /* heap, ntrace rows (calibrate_result_clear frees) */
    size_t ntrace;
} calibrate_result;

/* Frees the trace of r; safe on a zeroed r. */
void calibrate_result_clear(calibrate_result *r);

/*
 * Fits spec's free parameters (spec->calibrate, with reps replaced by
 * `reps` when non-zero) with replication seeds batch_rep_seed(seed, r) on
 * the executor e (collective under MPI: every rank gets the same result).
 * Progress goes to the executor's callback (replications run, and an
 * estimate of the total from the iterations left).  Returns AS_OK;
 * AS_EUSAGE with a message in err when there are no free parameters or one
 * cannot be set; AS_ESTOPPED when interrupted; another AS_* code on a
 * model, GSL or memory failure.
 */
int calibrate_fit(engine *e, const model_spec *spec, unsigned reps, uint64_t seed, calibrate_result *res,
                  char *err, size_t errlen);

/* What calibrate_run is asked to do.  Pointers borrowed for the call. */
typedef struct {
    const char *scenario_path;      /* the scenario file, reloaded for calibrated.cfg */
    const char *const *sets;        /* the user's --set overrides */
    size_t nsets;
    int has_seed;                   /* -s given */
    uint64_t seed;                  /* the master seed in use (the scenario's or -s) */
    unsigned reps;                  /* replications per evaluation; 0: the scenario's */
    int resume;                     /* continue an interrupted calibration in outdir */
    const char *outdir;
    const io_kv *prov;
    size_t nprov;
} calibrate_options;

/* What the caller learns (to print). */
typedef struct {
    calibrate_result fit;           /* trace already freed */
    double rmse_in, rmse_out;       /* root mean capped squared error per target, years */
    size_t n_in, n_out;             /* targets (and orders) in and out of the window */
    double within2_in, within2_out; /* mean share of those targets met within 2 years */
} calibrate_report;

/*
 * Fits on the executor e, then writes DIR/calibrated.cfg (the scenario
 * reloaded with the fitted values as --set overrides: its resolved text,
 * runnable as is), DIR/calibration.tsv (the trace: start, iteration,
 * evaluations, one column per free parameter, loss, size), DIR/fit.tsv (per
 * target: dyad, target_year, target_label, kind, fitted_median,
 * error_median, reached, within2, in_window, note; medians (on the
 * 0.01-year grid of milestones.tsv) and shares over the fit's replications
 * at the fitted values) and DIR/scenario.cfg (resolved, as given).  Every
 * loss evaluation is journaled in DIR/.calibrate.journal (removed at the
 * end): with opt->resume an interrupted calibration replays them and goes
 * on to the same result.
 *
 * Returns AS_OK; AS_EUSAGE when the scenario cannot be calibrated (no
 * `calibrate` group, a parameter that cannot be set), calibrated.cfg does
 * not load (diagnostics in diags) or the folder holds another or an
 * interrupted calibration; AS_ESTOPPED when interrupted; another AS_* code
 * on failures.  Messages in err.  Collective under MPI; the root writes.
 */
int calibrate_run(engine *e, const model_spec *spec, const char *resolved, const calibrate_options *opt,
                  calibrate_report *rep, scenario_diags *diags, char *err, size_t errlen);

#endif
