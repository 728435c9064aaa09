/*
 * resultdir - reading and matching result folders (see resultdir.h).
 */
#include "study/resultdir.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/num.h"
#include "base/status.h"
#include "io/atomic.h"
#include "io/folder.h"

#define PATH_LEN 4200


void resultdir_clear(resultdir *f)
{
    tsv_free(f->t);
    free(f->scenario);
    free(f->keys);
    memset(f, 0, sizeof *f);
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int resultdir_key_cmp(const void *pa, const void *pb)
{
    const resultdir_key *a = pa, *b = pb;
    if (a->year != b->year)
        return a->year < b->year ? -1 : 1;
    return strcmp(a->dyad, b->dyad);
}


int resultdir_read(const char *dir, resultdir *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    f->dir = dir;
    f->c_mean = f->c_sd = f->c_q05 = f->c_q95 = f->c_p = -1;
    if (!is_dir(dir)) {
        as_errf(err, errlen, "%s: no such result folder", dir);
        return AS_EUSAGE;
    }
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/summary.tsv", dir);
    f->batch = is_file(path);
    if (f->batch) {
        /* One kind of result per folder: a run's files beside a batch's are
         * a mixed folder (issue 14). */
        snprintf(path, sizeof path, "%s/trajectory.tsv", dir);
        if (is_file(path)) {
            as_errf(err, errlen,
                    "%s: a mixed folder: it holds the results of a batch (summary.tsv) and of a run "
                    "(trajectory.tsv)",
                    dir);
            return AS_EUSAGE;
        }
        snprintf(path, sizeof path, "%s/summary.tsv", dir);
    }
    if (!f->batch) {
        snprintf(path, sizeof path, "%s/trajectory.tsv", dir);
        if (!is_file(path)) {
            as_errf(err, errlen,
                    "%s: not a result folder: expected summary.tsv (from alignsim batch) or "
                    "trajectory.tsv (from alignsim run) in it",
                    dir);
            return AS_EUSAGE;
        }
    }
    char msg[2048];
    f->t = tsv_read(path, msg, sizeof msg);
    if (!f->t) {
        as_errf(err, errlen, "%s", msg);
        return errno == ENOMEM ? AS_ERUNTIME : AS_EUSAGE;
    }
    const char *need_batch[] = {"year", "dyad", "mean", "sd", "q05", "q95", "p_alliance"};
    const char *need_run[] = {"year", "dyad", "x"};
    const char *const *need = f->batch ? need_batch : need_run;
    size_t nneed = f->batch ? 7 : 3;
    for (size_t i = 0; i < nneed; i++)
        if (tsv_column(f->t, need[i]) < 0) {
            as_errf(err, errlen, "%s: expected a column '%s'", path, need[i]);
            return AS_EUSAGE;
        }
    f->c_mean = tsv_column(f->t, f->batch ? "mean" : "x");
    if (f->batch) {
        f->c_sd = tsv_column(f->t, "sd");
        f->c_q05 = tsv_column(f->t, "q05");
        f->c_q95 = tsv_column(f->t, "q95");
        f->c_p = tsv_column(f->t, "p_alliance");
    }
    f->program = tsv_prov(f->t, "program");
    f->name = tsv_prov(f->t, "scenario");
    f->seed = tsv_prov(f->t, "seed");
    if (!f->program) {
        as_errf(err, errlen, "%s: no '# program:' line: not a table written by alignsim", path);
        return AS_EUSAGE;
    }
    f->reps = 1;
    if (f->batch) {
        const char *r = tsv_prov(f->t, "replications");
        uint64_t v = 0;
        if (!r || num_parse_u64(r, UINT64_MAX, &v) != 0 || v == 0) {
            as_errf(err, errlen, "%s: expected a '# replications: N' line", path);
            return AS_EUSAGE;
        }
        f->reps = v;
    }
    snprintf(path, sizeof path, "%s/scenario.cfg", dir);
    f->scenario = io_read_file(path, NULL);
    if (!f->scenario) {
        as_errf(err, errlen, "%s: %s (every result folder has its resolved scenario)", path, strerror(errno));
        return errno == ENOMEM ? AS_ERUNTIME : AS_EUSAGE;
    }
    /* The table and scenario.cfg must be of one scenario (issue 14). */
    char cfg_name[256];
    if (f->name && io_scenario_name(f->scenario, cfg_name, sizeof cfg_name) == 0 && strcmp(cfg_name, f->name) != 0) {
        as_errf(err, errlen,
                "%s: a mixed folder: %s is of the scenario '%s' but scenario.cfg of '%s'", dir,
                tsv_path(f->t), f->name, cfg_name);
        return AS_EUSAGE;
    }

    /* Keys, checked and sorted; every number used later is checked here. */
    size_t n = tsv_rows(f->t);
    f->keys = calloc(n ? n : 1, sizeof *f->keys);
    if (!f->keys) {
        as_errf(err, errlen, "out of memory");
        return AS_ERUNTIME;
    }
    long cy = tsv_column(f->t, "year"), cd = tsv_column(f->t, "dyad");
    for (size_t r = 0; r < n; r++) {
        double y, v;
        if (tsv_parse_double(tsv_cell(f->t, r, (size_t)cy), &y) != 0 || !isfinite(y) ||
            tsv_parse_double(tsv_cell(f->t, r, (size_t)f->c_mean), &v) != 0 || !isfinite(v)) {
            as_errf(err, errlen, "%s:%zu: error: expected finite numbers in the columns year and %s, found '%s' and '%s'",
                    tsv_path(f->t), tsv_row_line(f->t, r), f->batch ? "mean" : "x",
                    tsv_cell(f->t, r, (size_t)cy), tsv_cell(f->t, r, (size_t)f->c_mean));
            return AS_EUSAGE;
        }
        f->keys[r] = (resultdir_key){y, tsv_cell(f->t, r, (size_t)cd), r};
    }
    qsort(f->keys, n, sizeof *f->keys, resultdir_key_cmp);
    f->nkeys = n;
    for (size_t r = 1; r < n; r++)
        if (resultdir_key_cmp(&f->keys[r - 1], &f->keys[r]) == 0) {
            as_errf(err, errlen, "%s:%zu: error: a second row for year %g and dyad %s", tsv_path(f->t),
                    tsv_row_line(f->t, f->keys[r].row), f->keys[r].year, f->keys[r].dyad);
            return AS_EUSAGE;
        }
    return AS_OK;
}


double resultdir_cell(const resultdir *f, size_t row, long col)
{
    double v;
    if (col < 0 || tsv_parse_double(tsv_cell(f->t, row, (size_t)col), &v) != 0)
        return NAN;
    return v;
}

/* Distinct dyads of f, in sorted order, into a heap array of borrowed
 * strings. */
static const char **distinct_dyads(const resultdir *f, size_t *n)
{
    const char **d = calloc(f->nkeys ? f->nkeys : 1, sizeof *d);
    *n = 0;
    if (!d)
        return NULL;
    for (size_t i = 0; i < f->nkeys; i++) {
        size_t k;
        for (k = 0; k < *n; k++)
            if (strcmp(d[k], f->keys[i].dyad) == 0)
                break;
        if (k == *n)
            d[(*n)++] = f->keys[i].dyad;
    }
    return d;
}

void resultdir_explain_mismatch(const resultdir *a, const char *la, const resultdir *b, const char *lb, char *err,
                             size_t errlen)
{
    size_t na, nb;
    const char **da = distinct_dyads(a, &na), **db = distinct_dyads(b, &nb);
    if (da && db) {
        for (int side = 0; side < 2; side++) {
            const char **x = side ? db : da, **y = side ? da : db;
            size_t nx = side ? nb : na, ny = side ? na : nb;
            for (size_t i = 0; i < nx; i++) {
                size_t k;
                for (k = 0; k < ny; k++)
                    if (strcmp(x[i], y[k]) == 0)
                        break;
                if (k == ny) {
                    as_errf(err, errlen,
                            "the folders cover different dyads: %s (%s) has rows for %s and %s (%s) has none",
                            side ? lb : la, side ? b->dir : a->dir, x[i], side ? la : lb,
                            side ? a->dir : b->dir);
                    free(da);
                    free(db);
                    return;
                }
            }
        }
    }
    free(da);
    free(db);
    double a0 = a->nkeys ? a->keys[0].year : NAN, a1 = a->nkeys ? a->keys[a->nkeys - 1].year : NAN;
    double b0 = b->nkeys ? b->keys[0].year : NAN, b1 = b->nkeys ? b->keys[b->nkeys - 1].year : NAN;
    if (a0 != b0 || a1 != b1) {
        as_errf(err, errlen, "the folders cover different years: %s (%s) %g to %g, %s (%s) %g to %g", la, a->dir,
                a0, a1, lb, b->dir, b0, b1);
        return;
    }
    /* Same dyads and span: name the first row one has and the other lacks. */
    size_t i = 0, j = 0;
    while (i < a->nkeys && j < b->nkeys && resultdir_key_cmp(&a->keys[i], &b->keys[j]) == 0) {
        i++;
        j++;
    }
    const resultdir_key *k = i < a->nkeys ? &a->keys[i] : &b->keys[j];
    int in_a = i < a->nkeys && (j >= b->nkeys || resultdir_key_cmp(&a->keys[i], &b->keys[j]) < 0);
    as_errf(err, errlen,
            "the folders cover different years for a dyad: %s (%s) has a row for %g %s and %s (%s) has not",
            in_a ? la : lb, in_a ? a->dir : b->dir, k->year, k->dyad, in_a ? lb : la, in_a ? b->dir : a->dir);
}
