/*
 * msacc - exact, mergeable accumulators of a batch's milestone results.
 *
 * For every calibration target of a scenario a batch wants the share of
 * replications that met it, the shares within one and two years of the
 * historical date, and the median simulated date and error.  Medians must
 * come out the same for 1 thread, N threads, N MPI ranks and a resumed run,
 * so, as in stats/cells, the state is integers only and every update is an
 * integer addition:
 *
 *   - counters per target: replications seen, met (error defined), within
 *     one year, within two years;
 *   - two histograms per target in steps of MSACC_STEP_YEARS (0.01 year):
 *     the simulated date, bin k = llround(year * 100), over [start, horizon];
 *     and the error, bin llround(sim_year * 100) - llround(target_year * 100)
 *     (so the median error is exactly the median date minus the target date,
 *     both on the 0.01 grid) or llround(error * 100) when the target has an
 *     error but no date (stays_below held: error 0).
 *
 * A median is the usual one of the binned values: the middle order statistic,
 * or the mean of the two middle ones, found by counting through a histogram;
 * it is exact on the 0.01-year grid.
 *
 * Packed image (checkpoints, MPI), little-endian u64 words:
 *   magic "ASMSACC\0", version 1, ntargets, total bins, then per target the
 *   4 counters, then all bin counts, then an FNV-1a 64-bit hash of the
 *   preceding bytes.
 *
 * No global state; one thread at a time per object.
 */
#ifndef ALIGNSIM_RUN_MSACC_H
#define ALIGNSIM_RUN_MSACC_H

#include <stddef.h>
#include <stdint.h>

#include "model/milestones.h"
#include "model/spec.h"

/* Resolution of the medians, in years. */
#define MSACC_STEP_YEARS 0.01

typedef struct msacc msacc;

/* What msacc_result() reports for one target; NaN where undefined. */
typedef struct {
    uint64_t n;          /* replications */
    double reached;      /* share that met the target (error defined) */
    double within1;      /* share with |error| <= 1 year */
    double within2;      /* share with |error| <= 2 years */
    double sim_year;     /* median simulated date over those with a date */
    double error_years;  /* median error over those with an error */
} msacc_result;

/*
 * Allocates empty accumulators for the targets of spec (borrowed for the
 * call only: the shape is copied).  NULL when memory runs out or the time
 * span is unusable (horizon < start, or more than 10^7 bins).
 */
msacc *msacc_alloc(const model_spec *spec);

/* Frees; NULL is a no-op. */
void msacc_free(msacc *a);

/* Empties every counter and bin; the shape is kept. */
void msacc_reset(msacc *a);

/* Records the result of one replication: ms must have been finished
 * (milestones_finish) and tracks the same spec's targets. */
void msacc_add(msacc *a, const milestones *ms);

/* Adds src into dst.  Returns AS_OK, or AS_ERUNTIME when the shapes differ
 * (dst unchanged). */
int msacc_merge(msacc *dst, const msacc *src);

/* Result of target i (i < the spec's ntargets). */
msacc_result msacc_get(const msacc *a, size_t i);

/* Exact size of the packed image. */
size_t msacc_packed_size(const msacc *a);

/* Writes the packed image into out (len >= msacc_packed_size(a)); AS_OK,
 * or AS_ERUNTIME when len is too small. */
int msacc_pack(const msacc *a, void *out, size_t len);

/* Replaces the contents of a by the image (len bytes, borrowed).  Returns
 * AS_OK, or AS_ERUNTIME when the image is not of a's shape, truncated or
 * corrupt (a is then unchanged), AS_ERUNTIME too when memory runs out. */
int msacc_unpack(msacc *a, const void *data, size_t len);

#endif
