/*
 * rep - one replication as the studies run it, and the tally of what many
 * replications showed.
 *
 * rep_run() is the one code path every study's reducer uses for a
 * replication: the parameter vector drawn as `alignsim run -s SEED` draws it
 * (model_draw_params: fixed values, and draws for the parameters declared
 * as distributions), then the study's values for chosen parameters (a
 * calibration's trial point, a sensitivity design row, an inference
 * particle: any subset, up to the full vector), then model_run with the
 * milestone tracker and the watch of label 5.  With no values it is exactly
 * the replication `alignsim run -s SEED` and `alignsim batch` run.
 *
 * What a replication shows (rep_outcome) and the exact, mergeable tally of
 * many (rep_tally): the share forming an alliance, reversals, the date of
 * label 5 (mean and spread), the replay score.  Sums are integers or exact
 * (stats/xsum), so a tally merged in any grouping gives the same bytes.
 *
 * A rep_worker is allocated once per thread and reused for any number of
 * replications (no allocation per replication).  No global state.
 */
#ifndef ALIGNSIM_RUN_REP_H
#define ALIGNSIM_RUN_REP_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "model/milestones.h"
#include "model/model.h"
#include "model/spec.h"
#include "stats/xsum.h"

/* The label whose first date the studies report ("comprehensive strategic
 * partnership of coordination" on the default ladder). */
#define REP_WATCH_LABEL 5

/* What one replication showed. */
typedef struct {
    double alliance_year;   /* first alliance of the outcome dyad at or after
                               outcome.alliance_after; NaN if none */
    int reversal;           /* a fundamental reversal was detected */
    double reversal_onset;  /* its onset; NaN if none */
    double l5_year;         /* first date at or after outcome.alliance_after at
                               which the watched dyad holds label >= 5; NaN if
                               never by the horizon (or no label 5) */
    size_t targets;         /* calibration targets scored */
    size_t within1;         /* of them met within 1 year */
    size_t within2;         /* ... within 2 years (the replay score's count) */
    long particle;          /* row of spec->posterior the parameters came from, -1 if
                               the scenario has no posterior (model_draw_params) */
} rep_outcome;

typedef struct rep_worker rep_worker;

/*
 * Allocates a worker for spec (borrowed: it must outlive the worker and
 * not change).  NULL when memory runs out or the model cannot run the spec.
 */
rep_worker *rep_worker_alloc(const model_spec *spec);

/* Frees; NULL is a no-op. */
void rep_worker_free(rep_worker *w);

/*
 * Runs the replication with seed `seed`: parameters drawn, then
 * v[idx[k]] = values[k] for k < nvalues (idx and values may be NULL when
 * nvalues is 0; indices into spec->params), then the model with the
 * milestone tracker.  sample (may be NULL) is called at each yearly sample
 * with sample_ctx, as a model_observer's sample callback (returning
 * non-zero stops the replication: a failure).  Fills *out.  Returns AS_OK,
 * or AS_ERUNTIME / AS_ELIMIT with a message in err.
 */
int rep_run(rep_worker *w, uint64_t seed, const size_t *idx, const double *values, size_t nvalues,
            int (*sample)(void *ctx, int year, const model *m), void *sample_ctx, rep_outcome *out, char *err,
            size_t errlen);

/* The milestone tracker after rep_run (finished), and the parameter vector
 * the replication used (spec->nparams values).  Borrowed from w. */
const milestones *rep_milestones(const rep_worker *w);
const double *rep_params(const rep_worker *w);

/* The dyad whose label-5 date the studies report: china-russia when both
 * actors exist, else the outcome dyad (model dyad index, or SIZE_MAX). */
size_t rep_watch_dyad(const model_spec *spec);

/*
 * Non-zero when parameter p can be set through a parameter vector: it is
 * not an event magnitude drawn afresh at each occurrence (such a value
 * would be ignored).  Calibration, sensitivity and inference refuse others.
 */
int rep_param_settable(const model_spec *spec, size_t p);

/* ---- the tally --------------------------------------------------- */

/* Exact, mergeable totals over replications.  Plain value data:
 * rep_tally_init() before use, assignment copies. */
typedef struct {
    uint64_t n;             /* replications */
    uint64_t alliances;     /* with an alliance_year */
    uint64_t reversals;
    uint64_t l5_n;          /* reaching label 5 */
    xsum l5_sum;            /* their l5_year - origin ... */
    xsum l5_sq;             /* ... and its square (rounded), exactly summed */
    uint64_t targets;       /* sum of the replications' target counts */
    uint64_t within1, within2;
    double origin;          /* subtracted from dates before summing */
} rep_tally;

/* Empties t; dates are summed relative to origin (e.g. spec->start), which
 * keeps their squares small. */
void rep_tally_init(rep_tally *t, double origin);

/* Adds one replication. */
void rep_tally_add(rep_tally *t, const rep_outcome *o);

/* Adds src into dst exactly (same origin). */
void rep_tally_merge(rep_tally *dst, const rep_tally *src);

/* Packs / unpacks (a reader past the end sets r->failed). */
void rep_tally_pack(const rep_tally *t, buf *out);
void rep_tally_unpack(rep_tally *t, buf_reader *r);

/* Statistics of a tally. */
typedef struct {
    double p, p_lo, p_hi;           /* share with an alliance, Clopper-Pearson */
    double l5_share, l5_mean, l5_lo, l5_hi; /* t interval of the mean date */
    double l5_censored_mean;        /* mean of l5_year with never = horizon */
    double within1, within2;        /* shares of targets met (NaN: no targets) */
} rep_stats;

/* The statistics at confidence conf; horizon closes the censored mean. */
void rep_tally_stats(const rep_tally *t, double conf, double horizon, rep_stats *s);

#endif
