/*
 * infer_distance - the distance between one replication and the record,
 * on which `alignsim infer` accepts or rejects a parameter vector
 * (docs/MODEL.md, 3.9).
 *
 * Over the fitted targets F (those dated no later than fit_until), with
 * y_i the historical date, s_i the simulated date (milestones_sim_year:
 * the first date the target's condition held, NaN if never; for a
 * stays_below target the first violation, NaN if it held) and sigma_i the
 * target's date scale:
 *
 *   dated target (up, down, start, end):
 *       reached   t_i = min(((s_i - y_i) / sigma_i)^2, (cap / sigma_i)^2)
 *       missed    t_i = (miss / sigma_i)^2
 *   stays_below target:
 *       held      t_i = 0
 *       violated  t_i = (miss / sigma_i)^2
 *
 *   rho = sqrt( sum_{i in F} t_i / |F| ).
 *
 * So rho is a root mean square of standardised date errors, each capped,
 * with a fixed penalty for a target missed or violated.  With every
 * sigma_i = 1 year and miss = cap it is the root mean square capped date
 * error in years, sqrt(L / |F|) for the loss L that `alignsim calibrate`
 * minimises over the same targets (without order targets).
 *
 * Pure functions: no state, no allocation.
 */
#ifndef ALIGNSIM_STUDY_INFER_DISTANCE_H
#define ALIGNSIM_STUDY_INFER_DISTANCE_H

#include <stddef.h>

#include "model/spec.h"

typedef struct {
    double scale_years;   /* sigma of every target without its own, > 0 (default 1) */
    double cap_years;     /* a date error counts at most this, > 0 (default 8) */
    double miss_years;    /* a missed or violated target counts as this error, > 0 (default 8) */
    double fit_until;     /* fit targets dated <= this; +inf: all (default) */
} infer_distance_params;

/* The defaults above. */
void infer_distance_params_init(infer_distance_params *p);

/* Non-zero when target t is fitted under p (t->year <= p->fit_until). */
int infer_target_fitted(const spec_target *t, const infer_distance_params *p);

/* Number of the ntargets targets that are fitted. */
size_t infer_fitted_count(const spec_target *targets, size_t ntargets, const infer_distance_params *p);

/*
 * rho for one replication: targets[0..ntargets) with their simulated dates
 * sim_years (NaN: missed / held, as above) and per-target scales
 * scale_years (NULL: p->scale_years for all).  Returns NaN when no target
 * is fitted (callers refuse such a fit before simulating).
 */
double infer_distance(const spec_target *targets, size_t ntargets, const double *sim_years,
                      const double *scale_years, const infer_distance_params *p);

#endif
