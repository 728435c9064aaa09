/*
 * compare - two or more result folders side by side (`alignsim compare`).
 *
 * Folder A is the reference; every other folder X is compared with it:
 * diff = mean_X - mean_A per year and dyad, with a confidence interval.
 * The folders must be of one kind (batches: summary.tsv; runs:
 * trajectory.tsv), written by the same program version, and cover the same
 * (year, dyad) rows; otherwise compare refuses (COMPARE_EUSAGE) and says
 * what differs.
 *
 * Intervals (the method is written in compare.tsv's provenance):
 *   paired  X and A are batches with the same master seed and number of
 *           replications, so replication r of both ran with the same seed
 *           (common random numbers).  Both scenarios are re-run from their
 *           scenario.cfg, replication by replication (model_run with the
 *           batch's seeds), and the differences x_X - x_A are accumulated
 *           exactly (stats_cells, range [-2, 2]); the interval is the paired
 *           t interval (stats_paired_ci).  The re-run is checked against the
 *           folders: its means must equal summary.tsv's, else the pair falls
 *           back to Welch and the provenance says why.
 *   welch   otherwise, for batches: the Welch interval from the two
 *           summaries' means, sds and replications (stats_welch_ci).
 *   none    runs (one replication each): the difference of x, no interval.
 *
 * compare.tsv, one row per year and dyad (year ascending, dyads in
 * alphabetical order):
 *   year, dyad, mean_A, mean_B, diff, ci_lo, ci_hi    mean x; diff = B - A
 *   q05_A, q95_A, q05_B, q95_B                        5-95% of replications
 *   p_alliance_A, p_alliance_B, p_diff, p_ci_lo, p_ci_hi
 *                                                     share on the alliance
 *                                                     rung; p_diff = B - A
 *   then for each further folder X = C, D, ...:
 *   mean_X, diff_X, ci_lo_X, ci_hi_X, q05_X, q95_X,
 *   p_alliance_X, p_diff_X, p_ci_lo_X, p_ci_hi_X      (differences X - A)
 * For runs the means are the run's x, and the quantiles, P(alliance) and
 * intervals are NA.  P(alliance) differences use the same method as x
 * (paired differences of the 0/1 indicator, or Welch with the Bernoulli
 * standard deviation).
 */
#ifndef ALIGNSIM_STUDY_COMPARE_H
#define ALIGNSIM_STUDY_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "io/tsv.h"
#include "run/engine.h"

#define COMPARE_MAX_DIRS 26   /* folders A to Z */

typedef enum { COMPARE_NONE = 0, COMPARE_PAIRED, COMPARE_WELCH } compare_method;

/* Name of a method as written in the files: "none", "paired", "welch". */
const char *compare_method_name(compare_method m);

/* What a comparison is asked to do.  All pointers are borrowed. */
typedef struct {
    const char *const *dirs;   /* the folders, A first; 2 to COMPARE_MAX_DIRS */
    size_t ndirs;
    const char *outdir;        /* where compare.tsv goes (created with parents);
                                  NULL: out/compare-NAME_A-NAME_B */
    double confidence;         /* level of the intervals, in (0, 1) */
    const io_kv *prov;         /* extra provenance (command) */
    size_t nprov;
} compare_options;

/* What compare computes for one folder, per row of compare.tsv (folder A's
 * sorted keys): the mean of x and P(alliance), and for folders after A their
 * differences from A with intervals. */
typedef struct {
    double *mean, *d, *lo, *hi;   /* x */
    double *p, *pd, *plo, *phi;   /* P(alliance); NaN for runs */
} compare_series;

/* What the caller learns.  Free with compare_report_clear(). */
typedef struct {
    size_t ndirs;
    int batches;                          /* 1: batch folders; 0: run folders */
    compare_method method[COMPARE_MAX_DIRS]; /* of folder i against A; [0] unused */
    char why[COMPARE_MAX_DIRS][256];      /* why a pair of batches is not paired ("" if it is) */
    uint64_t reps[COMPARE_MAX_DIRS];      /* replications of each folder (1 for runs) */
    size_t rows;                          /* rows of compare.tsv */
    char outdir[4096];                    /* the folder written */
    char *table;                          /* the projector table (heap) */
    char *settings;                       /* the settings that differ (heap) */
} compare_report;

/*
 * Compares the folders and writes opt->outdir/compare.tsv; the paired
 * re-run is a job on the executor e (its threads, stop request and
 * progress).  Fills *rep (the caller clears it in every case).  Returns
 * AS_OK; AS_EUSAGE with a message in err when a folder or a file in it is
 * missing, the folders are of different kinds, versions, dyads or years;
 * AS_ESTOPPED when interrupted during the re-run; another AS_* code for
 * I/O, memory or model failures.
 */
int compare_run(engine *e, const compare_options *opt, compare_report *rep, char *err, size_t errlen);

/* Frees the texts of a report; safe on a zeroed or cleared report. */
void compare_report_clear(compare_report *rep);

#endif
