/*
 * model - one replication of the alignment model on the event kernel.
 *
 * A model object holds the state of every actor and dyad of one scenario and
 * a kernel that advances it.  It is allocated once per thread and reused for
 * any number of replications (model_run resets it), so the hot loop does no
 * allocation.  The spec is borrowed read-only and may be shared by threads.
 *
 * State of a dyad (see docs/MODEL.md): the de facto relation x in [-1, 1],
 * which relaxes exactly toward a target x* between events and jumps at
 * events; the declared label L (an index on the ladder), which changes only
 * at decision events; and treaty commitments C (flags).
 *
 * What a replication produces reaches the caller through a model_observer;
 * every callback may be NULL, and with no event callback no event text is
 * formatted at all.
 */
#ifndef ALIGNSIM_MODEL_MODEL_H
#define ALIGNSIM_MODEL_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "model/spec.h"

typedef struct model model;

/* Observations of one replication.  ctx is passed back to every callback. */
typedef struct {
    void *ctx;
    /* An event was applied: time in years, kind name, actor ids joined by
     * '+', a short human-readable detail. */
    void (*event)(void *ctx, double time, const char *kind, const char *actors,
                  const char *detail);
    /* Yearly sample, at year + 0.5 (mid-year); read state with the accessors
     * below.  Returning non-zero stops the replication: model_run() then
     * returns AS_ERUNTIME (the observer records why). */
    int (*sample)(void *ctx, int year, const model *m);
    /* Label rung index or commitments of a dyad changed; also called for
     * every dyad at the start of the run with its initial state. */
    void (*change)(void *ctx, double time, size_t dyad, int rung,
                   unsigned commitments);
} model_observer;

/* What a replication reports when it ends. */
typedef struct {
    double alliance_year;   /* first time the outcome dyad holds the alliance
                               rung at or after spec.alliance_after; NaN if never */
    int reversal;           /* 1 if a fundamental reversal was detected */
    double reversal_onset;  /* its onset, NaN if none */
    uint64_t events;        /* kernel events dispatched */
    long particle;          /* row of spec.posterior drawn (params NULL and a
                               posterior), else -1 */
} model_outcome;

/* Older name of AS_OK (sim/base/status.h), kept until every caller uses it. */
#define MODEL_OK AS_OK

/*
 * Allocates a model for the spec (borrowed: it must outlive the model and
 * not change while the model exists).  Its tables are sized from the spec:
 * about 130 bytes per dyad and 50 bytes per ordered pair of actors.
 * Returns NULL when memory runs out or the spec is unusable (fewer than two
 * or more than SPEC_MAX_ACTORS actors, fewer than two ladder rungs).
 */
model *model_alloc(const model_spec *spec);

/* Frees a model; NULL is a no-op. */
void model_free(model *m);

/*
 * Runs one replication from spec.start to spec.horizon.  The replication's
 * random numbers come from the Philox streams keyed (seed, 1) to (seed, 5)
 * (stats/rng.h; one substream per subsystem: parameter draws, event
 * timing, magnitudes, decisions, the posterior's particle), so the same seed gives the same run on
 * any thread.
 * `params`, if not NULL, is a vector of spec.nparams values used instead of
 * drawing them (calibration and sensitivity set parameters this way); with
 * NULL, fixed parameters take their value and distributions are drawn.
 * Fills *out (may be NULL).  Returns AS_OK; AS_ENOMEM when memory ran
 * out (a pressure table that had to grow, the kernel's queue); AS_ERUNTIME
 * when the observer's sample callback asked to stop (the observer keeps its
 * own reason) or the spec is inconsistent (an event kind the model does not
 * know).  *out is valid only on AS_OK.
 */
int model_run(model *m, uint64_t seed, const double *params,
              const model_observer *obs, model_outcome *out);

/*
 * Draws one replication's parameter vector (what model_run uses when params
 * is NULL) into v[spec.nparams]: fixed values, draws of the parameters
 * declared as distributions (stream (seed, 1)), then, when the spec has a
 * posterior, one particle drawn with probability equal to its weight from
 * stream (seed, 5), whose values replace those of the table's parameters.
 * Returns the particle's row in spec.posterior (its id is
 * spec.posterior.id[row]), or -1 when the spec has no posterior.
 */
long model_draw_params(const model *m, uint64_t seed, double *v);

/* The spec the model was built for (borrowed). */
const model_spec *model_get_spec(const model *m);

/* Number of dyads, and the actors of dyad d (a < b). */
size_t model_ndyads(const model *m);
void model_dyad_actors(const model *m, size_t d, int *a, int *b);

/* Current state of dyad d, valid inside observer callbacks. */
double model_dyad_x(const model *m, size_t d);
double model_dyad_target(const model *m, size_t d);
int model_dyad_rung(const model *m, size_t d);
unsigned model_dyad_commitments(const model *m, size_t d);

/* Non-zero when both actors of dyad d exist at the current time (an actor
 * exists once its capability series has a value). */
int model_dyad_active(const model *m, size_t d);

/* Index of the alliance rung (the highest rung with gate set), or -1. */
int model_alliance_rung(const model *m);

/* Current common threat of dyad d, and its exogenous part (from pressures
 * only), as used for the reversal test. */
double model_dyad_threat(const model *m, size_t d);
double model_dyad_threat_exogenous(const model *m, size_t d);

/* The strongest pressure one third power puts on both actors a and b (a
 * != b): max over existing actors k other than a and b of min(H[k][a],
 * H[k][b]), H the hostility of the sanctions, arms sales and reversal
 * events in force; what the reversal test by inputs compares with
 * model.reversal_threshold (docs/MODEL.md 3.5).  Valid inside observer
 * callbacks. */
double model_pressure_on_both(const model *m, int a, int b);

/* Alliance gate of actor `side` (0 = the dyad's first actor, 1 = second). */
double model_dyad_gate(const model *m, size_t d, int side);

#endif
