/*
 * milestones - scores a replication against the scenario's calibration
 * targets (dated labels and commitments), from the stream of label and
 * commitment changes the model reports.
 *
 * Targets are data for scoring only; nothing here feeds back into the
 * dynamics.  Kinds (see spec_target_kind): "up" is the first time the label
 * is at or above the target label at or after `after`; "down" at or below;
 * "start"/"end" the first time a commitment is / is no longer in force;
 * "stays_below" the first violation (label at or above the target label)
 * within [after, year].
 */
#ifndef ALIGNSIM_MODEL_MILESTONES_H
#define ALIGNSIM_MODEL_MILESTONES_H

#include <stddef.h>

#include "model/spec.h"

typedef struct milestones milestones;

/* Allocates a tracker for the spec's targets (spec borrowed). NULL on no memory. */
milestones *milestones_alloc(const model_spec *spec);

/* Frees; NULL is a no-op. */
void milestones_free(milestones *ms);

/* Forgets everything observed (start of a replication). */
void milestones_reset(milestones *ms);

/*
 * Feeds one change: at `time`, dyad `dyad` (model dyad index) holds ladder
 * rung index `rung` and commitments `commit`.  The first call for each dyad
 * gives its initial state.  Times must not decrease.
 */
void milestones_change(milestones *ms, double time, size_t dyad, int rung, unsigned commit);

/* Closes the replication at the horizon (a state held until then counts). */
void milestones_finish(milestones *ms, double horizon);

/*
 * Simulated date of target i: for up/down/start/end the first date the
 * target's condition held (NaN if never); for stays_below the first
 * violation (NaN if it held).
 */
double milestones_sim_year(const milestones *ms, size_t i);

/*
 * Error of target i in years: sim_year - year for dated targets (NaN if
 * never reached); for stays_below 0 if it held and NaN if violated.
 */
double milestones_error(const milestones *ms, size_t i);

/* Replay score over all targets. */
typedef struct {
    size_t targets;     /* number of targets */
    size_t within1;     /* |error| <= 1 year */
    size_t within2;     /* |error| <= 2 years */
    size_t missed;      /* never reached, or violated */
    double mae_years;   /* mean |error| over the targets reached; NaN if none */
} milestones_score;

/* Computes the score of the current replication. */
milestones_score milestones_get_score(const milestones *ms);

#endif
