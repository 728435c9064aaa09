/*
 * sweep - parameter sweeps (`alignsim sweep`): expands a sweep file's
 * design into points, derives each point's seed, and runs every point as a
 * batch of its own.
 *
 * Designs (k parameters, in the sweep file's order):
 *   grid   every combination of the parameters' values, the first parameter
 *          varying slowest (nested loops in file order);
 *   lhs    a Latin hypercube of `points` points: for each parameter in turn
 *          a random permutation of the points over `points` equal strata of
 *          [min, max] (gsl_ran_shuffle), then one uniform draw inside each
 *          stratum, from the Philox stream (seed, RNG_STREAM_LHS) of
 *          stats/rng;
 *   sobol  the first `points` points of GSL's Sobol sequence in k
 *          dimensions (gsl_qrng_sobol; its first point is the centre),
 *          scaled to [min, max].  A longer Sobol sweep keeps the points of
 *          a shorter one as its first points.
 * Latin hypercube and Sobol values are rounded to 12 significant digits.
 *
 * Seeds.  A point's master seed is a hash of the scenario's seed and the
 * point's parameter paths and values, never of its position in the design:
 *     h = mix64(scenario_seed ^ 0x5357454550)           ("SWEEP")
 *     for each parameter j in file order:
 *         h = mix64(h ^ fnv1a64(path_j))
 *         h = mix64(h ^ bits(value_j))                  (IEEE 754 bits; -0 as +0)
 *     point_seed = h & (2^63 - 1)
 * (mix64 = rng_mix64, fnv1a64 the 64-bit FNV-1a of the path's bytes.)
 * Replication r of the point runs with batch_rep_seed(point_seed, r), as
 * replication r of `alignsim batch` of the point's scenario.cfg does.  So
 * adding points, values or replications to a sweep never changes the
 * replications of the points it already had.
 *
 * A point is the scenario loaded with the overrides "PATH=VALUE" (values in
 * shortest round-trip form) and the seed point_seed, so its resolved
 * scenario.cfg records them; `alignsim batch DIR/points/NNN/scenario.cfg
 * -n REPS` reproduces the point's folder.
 */
#ifndef ALIGNSIM_STUDY_SWEEP_H
#define ALIGNSIM_STUDY_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "io/tsv.h"
#include "model/spec.h"
#include "run/engine.h"
#include "scenario/scenario.h"
#include "scenario/sweepfile.h"

/* The expanded design: npoints rows of k values, row-major. */
typedef struct {
    size_t npoints, k;
    double *x;
} sweep_design;

/*
 * Expands the design of sf into d (overwritten; free with
 * sweep_design_clear).  Returns AS_OK, or AS_ERUNTIME with a message in
 * err (no memory, a GSL failure, too many dimensions for Sobol).
 */
int sweep_design_expand(const sweep_file *sf, sweep_design *d, char *err, size_t errlen);

/* Frees the rows of d and empties it; safe on a zeroed d. */
void sweep_design_clear(sweep_design *d);

/* The master seed of the point with these values (one per parameter of sf),
 * see the header comment. */
uint64_t sweep_point_seed(uint64_t scenario_seed, const sweep_file *sf, const double *values);

/* Writes "PATH=VALUE" for parameter j of sf into buf (VALUE in shortest
 * round-trip form), as a --set override. */
void sweep_format_set(const sweep_file *sf, size_t j, double value, char *out, size_t len);

/* What a sweep run is asked to do.  Pointers are borrowed for the call.
 * Threads, stop requests and progress are the executor's. */
typedef struct {
    uint64_t reps;             /* replications per point */
    int resume;                /* continue an interrupted sweep in outdir */
    const char *outdir;        /* result folder (created with its parents) */
    const io_kv *prov;         /* extra provenance lines (command) */
    size_t nprov;
} sweep_options;

/*
 * Runs every point of d on the executor e: the point's batch in
 * DIR/points/NNN (NNN the point number, zero-padded to at least 3 digits),
 * then writes DIR/sweep.tsv (one row per point: point, the parameter
 * values, seed, reps, alliances, p_alliance with its Clopper-Pearson 95%
 * interval ci_lo, ci_hi, reversals, l5_share and the mean year l5_year with
 * its 95% t interval, replay_score (share of targets met within 2 years),
 * replay_within1, folder), DIR/scenario.cfg (the base scenario resolved,
 * base_resolved) and DIR/sweep.cfg (a copy of the sweep file).  Finished
 * points are journaled (DIR/.sweep.journal, removed at the end): with
 * opt->resume an interrupted sweep continues, taking finished points back
 * and resuming the interrupted one from its checkpoint.
 *
 * Returns AS_OK; AS_EUSAGE when a point's scenario does not load
 * (diagnostics appended to diags) or the folder holds another or an
 * interrupted sweep; AS_ESTOPPED when interrupted; another AS_* code with
 * a message in err on failures.  Collective under MPI; the root writes.
 */
int sweep_run(engine *e, const sweep_file *sf, const sweep_design *d, const model_spec *base_spec,
              const char *base_resolved, const sweep_options *opt, scenario_diags *diags, char *err,
              size_t errlen);

#endif
