/*
 * report/folder - one alignsim result folder as the seminar report reads
 * it: which command wrote it, its tables (io/tsv), its scenario.cfg text,
 * and the checks that nothing is missing, truncated or mixed.
 *
 * The kind of a folder is the one io_folder_kind() (io/folder.h) gives,
 * from the marker files only one command writes; its defining table and
 * the other files it must hold:
 *   claim        claim.tsv        claim_curve.tsv, verdict.txt, scenario.cfg
 *   compare      compare.tsv      (nothing else)
 *   sweep        sweep.tsv        scenario.cfg
 *   sensitivity  sensitivity.tsv  scenario.cfg
 *   calibrate    calibration.tsv  fit.tsv, scenario.cfg
 *   infer        generations.tsv  (posterior.tsv, models.tsv,
 *                                 predictive.tsv optional)
 *   batch        summary.tsv      replications.tsv, milestones.tsv, scenario.cfg
 *   run          trajectory.tsv   events.tsv, milestones.tsv, scenario.cfg
 * with the files on the right required too (a folder whose markers name
 * a kind but whose defining table is missing is incomplete).  Every table read must carry a
 * "# program:" provenance line, end with a newline, have one cell per
 * column on every row (io/tsv), and have the columns the report reads
 * (those of ../shared/INTERFACE.md).  A batch's replications.tsv must have
 * as many rows as its "# replications:" line says, a sweep's sweep.tsv as
 * many as "# points:", and a folder holding a batch checkpoint
 * (.batch.ckpt, see run/checkpoint.h) is an interrupted batch, not a
 * result.
 *
 * Errors are "PATH: error: ..." or "PATH:LINE: error: ..." in the caller's
 * buffer, PATH the folder or the file at fault, with the AS_* codes of
 * base/status.h: AS_EUSAGE for a folder that is not a complete result
 * folder, AS_EIO for a file that exists but cannot be read, AS_ENOMEM.
 */
#ifndef ALIGNSIM_REPORT_FOLDER_H
#define ALIGNSIM_REPORT_FOLDER_H

#include <stddef.h>
#include <time.h>

#include "io/tsv.h"

typedef enum {
    RF_RUN = 0,
    RF_BATCH,
    RF_CLAIM,
    RF_COMPARE,
    RF_SWEEP,
    RF_SENSITIVITY,
    RF_CALIBRATE,
    RF_INFER,
    RF_KIND_COUNT
} rf_kind;

/* The tables a result folder may hold. */
typedef enum {
    RT_TRAJECTORY = 0,
    RT_EVENTS,
    RT_MILESTONES,
    RT_LADDER,
    RT_SUMMARY,
    RT_REPLICATIONS,
    RT_CLAIM,
    RT_CURVE,
    RT_COMPARE,
    RT_SWEEP,
    RT_SENSITIVITY,
    RT_CALIBRATION,
    RT_FIT,
    RT_POSTERIOR,
    RT_GENERATIONS,
    RT_MODELS,
    RT_PREDICTIVE,
    RT_COUNT
} rf_table;

typedef struct {
    char *path;               /* the folder as given, trailing slashes removed */
    rf_kind kind;
    tsv_table *t[RT_COUNT];   /* the tables read; NULL where the folder has none */
    char *verdict;            /* verdict.txt of a claim; NULL otherwise */
    char *scenario_cfg;       /* the text of scenario.cfg; NULL when absent */
    const char *version;      /* the "# program:" value of its tables (borrowed
                                 from the main table), e.g. "alignsim 0.1.0" */
    time_t written;           /* modification time of the main table */
} rf_folder;

/* The command that writes a kind of folder: "run", "batch", ... */
const char *rf_kind_name(rf_kind k);

/* The file name of a table: "summary.tsv", ... */
const char *rf_table_file(rf_table t);

/* The defining table of a kind (summary.tsv for a batch, ...). */
rf_table rf_main_table(rf_kind k);

/*
 * Reads the result folder at path into *f (zeroed here) and checks it as
 * described above.  Returns AS_OK, or an AS_* code with the first problem
 * found in err; *f is then cleared.  The caller frees with rf_clear().
 */
int rf_read(const char *path, rf_folder *f, char *err, size_t errlen);

/* Frees everything f holds and zeroes it; safe on a zeroed folder. */
void rf_clear(rf_folder *f);

/*
 * Checks that every table of the n folders was written by one program
 * version.  Returns AS_OK, or AS_EUSAGE with "FILE: error: written by X,
 * but FILE0 by Y; ..." in err.
 */
int rf_check_versions(const rf_folder *const *fs, size_t n, char *err, size_t errlen);

/*
 * Checks that the year tables of f (trajectory, summary) reach the last
 * mid-year sample before the scenario's horizon (a table cut at a line
 * boundary loses its last years) and that every dyad ends in the same
 * year.  Returns AS_OK or AS_EUSAGE with "FILE: error: ..." in err.
 * A NaN horizon skips the horizon check.
 */
int rf_check_years(const rf_folder *f, double horizon, char *err, size_t errlen);

/* The number in cell (row, column name) of t: NaN when the cell is NA,
 * empty, not a number, or the column is absent. */
double rf_num(const tsv_table *t, size_t row, const char *col);

/* The text of cell (row, column name) of t; "" when the column is absent.
 * Borrowed from t. */
const char *rf_str(const tsv_table *t, size_t row, const char *col);

/* Non-zero when the data rows of a and b (not their provenance) are the
 * same, cell by cell: the same batch reached by two folders. */
int rf_same_rows(const tsv_table *a, const tsv_table *b);

#endif
