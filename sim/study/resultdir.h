/*
 * resultdir - a result folder as `alignsim compare` reads it: a batch
 * folder (summary.tsv) or a run folder (trajectory.tsv), with its
 * provenance and resolved scenario, its rows keyed by (year, dyad) and
 * sorted; and the explanation of how two folders' rows differ.
 *
 * Every number compare uses later is checked at reading, so a damaged
 * table is refused with FILE:LINE before anything is computed.
 */
#ifndef ALIGNSIM_STUDY_RESULTDIR_H
#define ALIGNSIM_STUDY_RESULTDIR_H

#include <stddef.h>
#include <stdint.h>

#include "io/tsv.h"

/* One row key and where it is in its table. */
typedef struct {
    double year;
    const char *dyad;
    size_t row;
} resultdir_key;

/* One result folder, read. */
typedef struct {
    const char *dir;
    int batch;                /* summary.tsv (1) or trajectory.tsv (0) */
    tsv_table *t;
    char *scenario;           /* scenario.cfg */
    const char *program, *name, *seed;
    uint64_t reps;
    long c_mean, c_sd, c_q05, c_q95, c_p; /* columns (runs: c_mean is x; others -1) */
    resultdir_key *keys;                /* rows sorted by (year, dyad) */
    size_t nkeys;
} resultdir;

/*
 * Reads the folder dir into *f (dir is borrowed and must outlive f).
 * Returns AS_OK; AS_EUSAGE with a message in err when it is not a result
 * folder, misses a file, column or provenance line, or holds a bad cell or
 * a duplicate row; AS_ENOMEM / AS_ERUNTIME when memory runs out.  Clear f
 * with resultdir_clear() in every case.
 */
int resultdir_read(const char *dir, resultdir *f, char *err, size_t errlen);

/* Frees what resultdir_read() allocated; safe on a zeroed f. */
void resultdir_clear(resultdir *f);

/* Number in cell (row, col) of f's table, NaN for NA, a bad cell or
 * col < 0. */
double resultdir_cell(const resultdir *f, size_t row, long col);

/* Orders keys by year, then dyad name (qsort comparator). */
int resultdir_key_cmp(const void *pa, const void *pb);

/* Explains into err how the rows of a and b (labelled la and lb) differ:
 * the dyads, the span of years, or the first row one has and the other
 * lacks.  Call only when they do differ. */
void resultdir_explain_mismatch(const resultdir *a, const char *la, const resultdir *b, const char *lb, char *err,
                                size_t errlen);

#endif
