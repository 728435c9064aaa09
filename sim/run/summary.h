/*
 * summary - the summary files of a batch folder, from the batch's exact
 * accumulators: summary.tsv (per year and dyad: mean, sd, t interval,
 * quantiles of x, P(alliance)) and milestones.tsv (per calibration target:
 * median date and error, shares met).  Written through io/tsv (atomic).
 */
#ifndef ALIGNSIM_RUN_SUMMARY_H
#define ALIGNSIM_RUN_SUMMARY_H

#include <stddef.h>

#include "io/tsv.h"
#include "model/spec.h"
#include "run/msacc.h"
#include "stats/cells.h"

#define SUMMARY_QUANTILE_BINS 1000   /* histogram bins of x over [-1, 1] */
#define SUMMARY_CONFIDENCE 0.95      /* level of ci_lo, ci_hi */

/* The yearly cells of spec: years floor(start) .. floor(horizon), cell
 * (year - first_year) * ndyads + dyad. */
size_t summary_years(const model_spec *spec);
int summary_first_year(const model_spec *spec);

/*
 * Writes dir/summary.tsv from cells (summary_years x ndyads cells of x in
 * [-1, 1], flag = on the alliance rung), one row per cell with
 * observations, with prov/nprov then quantile_bin_width and confidence as
 * provenance.  AS_OK, or AS_EIO / AS_ERUNTIME with a message in err.
 */
int summary_write(const model_spec *spec, const stats_cells *cells, const char *dir, const io_kv *prov,
                  size_t nprov, char *err, size_t errlen);

/* Writes dir/milestones.tsv from ms (the targets of spec), with prov/nprov
 * then median_resolution_years as provenance.  AS_OK or AS_EIO. */
int summary_write_milestones(const model_spec *spec, const msacc *ms, const char *dir, const io_kv *prov,
                             size_t nprov, char *err, size_t errlen);

/* The cells that name target i of spec in a milestones table: dyad,
 * target_year (2 decimals), target_label (NA for commitment targets). */
void summary_target_head(tsv_writer *w, const model_spec *spec, size_t i);

/* The cells that describe target i: kind, commitment (NA for label
 * targets), note. */
void summary_target_tail(tsv_writer *w, const model_spec *spec, size_t i);

#endif
