/*
 * compare - result folders side by side (see compare.h).
 *
 * Invariants: folder A's rows, sorted by (year, dyad), are the rows of
 * compare.tsv, and every other folder has exactly the same sorted keys (else
 * the comparison is refused before anything is written); the paired re-run
 * accumulates only integer sums (stats_cells), so its result does not
 * depend on the number of threads; nothing is written unless every check
 * passed.
 */
#include "study/compare.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/atomic.h"
#include "model/model.h"
#include "model/spec.h"
#include "run/batch.h"
#include "scenario/scenario.h"
#include "stats/cells.h"
#include "stats/stats.h"
#include "study/text.h"

#define PATH_LEN 4200

const char *compare_method_name(compare_method m)
{
    switch (m) {
    case COMPARE_PAIRED:
        return "paired";
    case COMPARE_WELCH:
        return "welch";
    case COMPARE_NONE:
        break;
    }
    return "none";
}

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Folders                                                            */
/* ------------------------------------------------------------------ */

/* One row key and where it is in its table. */
typedef struct {
    double year;
    const char *dyad;
    size_t row;
} key;

/* One result folder, read. */
typedef struct {
    const char *dir;
    int batch;                /* summary.tsv (1) or trajectory.tsv (0) */
    tsv_table *t;
    char *scenario;           /* scenario.cfg */
    const char *program, *name, *seed;
    uint64_t reps;
    long c_mean, c_sd, c_q05, c_q95, c_p; /* columns (runs: c_mean is x; others -1) */
    key *keys;                /* rows sorted by (year, dyad) */
    size_t nkeys;
} folder;

static void folder_clear(folder *f)
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

static int key_cmp(const void *pa, const void *pb)
{
    const key *a = pa, *b = pb;
    if (a->year != b->year)
        return a->year < b->year ? -1 : 1;
    return strcmp(a->dyad, b->dyad);
}

/* Reads folder dir.  Returns COMPARE_OK or an error code with err set. */
static int folder_read(const char *dir, folder *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    f->dir = dir;
    f->c_mean = f->c_sd = f->c_q05 = f->c_q95 = f->c_p = -1;
    if (!is_dir(dir)) {
        set_err(err, errlen, "%s: no such result folder", dir);
        return COMPARE_EUSAGE;
    }
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/summary.tsv", dir);
    f->batch = is_file(path);
    if (!f->batch) {
        snprintf(path, sizeof path, "%s/trajectory.tsv", dir);
        if (!is_file(path)) {
            set_err(err, errlen,
                    "%s: not a result folder: expected summary.tsv (from alignsim batch) or "
                    "trajectory.tsv (from alignsim run) in it",
                    dir);
            return COMPARE_EUSAGE;
        }
    }
    char msg[2048];
    f->t = tsv_read(path, msg, sizeof msg);
    if (!f->t) {
        set_err(err, errlen, "%s", msg);
        return errno == ENOMEM ? COMPARE_ERUNTIME : COMPARE_EUSAGE;
    }
    const char *need_batch[] = {"year", "dyad", "mean", "sd", "q05", "q95", "p_alliance"};
    const char *need_run[] = {"year", "dyad", "x"};
    const char *const *need = f->batch ? need_batch : need_run;
    size_t nneed = f->batch ? 7 : 3;
    for (size_t i = 0; i < nneed; i++)
        if (tsv_column(f->t, need[i]) < 0) {
            set_err(err, errlen, "%s: expected a column '%s'", path, need[i]);
            return COMPARE_EUSAGE;
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
        set_err(err, errlen, "%s: no '# program:' line: not a table written by alignsim", path);
        return COMPARE_EUSAGE;
    }
    f->reps = 1;
    if (f->batch) {
        const char *r = tsv_prov(f->t, "replications");
        char *end;
        errno = 0;
        unsigned long long v = r ? strtoull(r, &end, 10) : 0;
        if (!r || errno || *end || v == 0) {
            set_err(err, errlen, "%s: expected a '# replications: N' line", path);
            return COMPARE_EUSAGE;
        }
        f->reps = v;
    }
    snprintf(path, sizeof path, "%s/scenario.cfg", dir);
    f->scenario = io_read_file(path, NULL);
    if (!f->scenario) {
        set_err(err, errlen, "%s: %s (every result folder has its resolved scenario)", path, strerror(errno));
        return errno == ENOMEM ? COMPARE_ERUNTIME : COMPARE_EUSAGE;
    }

    /* Keys, checked and sorted; every number used later is checked here. */
    size_t n = tsv_rows(f->t);
    f->keys = calloc(n ? n : 1, sizeof *f->keys);
    if (!f->keys) {
        set_err(err, errlen, "out of memory");
        return COMPARE_ERUNTIME;
    }
    long cy = tsv_column(f->t, "year"), cd = tsv_column(f->t, "dyad");
    for (size_t r = 0; r < n; r++) {
        double y, v;
        if (tsv_parse_double(tsv_cell(f->t, r, (size_t)cy), &y) != 0 || !isfinite(y) ||
            tsv_parse_double(tsv_cell(f->t, r, (size_t)f->c_mean), &v) != 0) {
            set_err(err, errlen, "%s:%zu: error: expected numbers in the columns year and %s", tsv_path(f->t),
                    tsv_row_line(f->t, r), f->batch ? "mean" : "x");
            return COMPARE_EUSAGE;
        }
        f->keys[r] = (key){y, tsv_cell(f->t, r, (size_t)cd), r};
    }
    qsort(f->keys, n, sizeof *f->keys, key_cmp);
    f->nkeys = n;
    for (size_t r = 1; r < n; r++)
        if (key_cmp(&f->keys[r - 1], &f->keys[r]) == 0) {
            set_err(err, errlen, "%s:%zu: error: a second row for year %g and dyad %s", tsv_path(f->t),
                    tsv_row_line(f->t, f->keys[r].row), f->keys[r].year, f->keys[r].dyad);
            return COMPARE_EUSAGE;
        }
    return COMPARE_OK;
}

/* What compare computes for one folder, per row of compare.tsv (folder A's
 * sorted keys): the mean of x and P(alliance), and for folders after A their
 * differences from A with intervals. */
typedef struct {
    double *mean, *d, *lo, *hi;   /* x */
    double *p, *pd, *plo, *phi;   /* P(alliance); NaN for runs */
} series;

/* Number in cell (row, col) of f, NaN for NA, a bad cell or col < 0. */
static double cell(const folder *f, size_t row, long col)
{
    double v;
    if (col < 0 || tsv_parse_double(tsv_cell(f->t, row, (size_t)col), &v) != 0)
        return NAN;
    return v;
}

/* ------------------------------------------------------------------ */
/* Checking that folders match                                        */
/* ------------------------------------------------------------------ */

/* Distinct dyads of f, in sorted order, into a heap array of borrowed
 * strings. */
static const char **distinct_dyads(const folder *f, size_t *n)
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

/* Explains how the rows of a and b differ (they do). */
static void explain_mismatch(const folder *a, const char *la, const folder *b, const char *lb, char *err,
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
                    set_err(err, errlen,
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
        set_err(err, errlen, "the folders cover different years: %s (%s) %g to %g, %s (%s) %g to %g", la, a->dir,
                a0, a1, lb, b->dir, b0, b1);
        return;
    }
    /* Same dyads and span: name the first row one has and the other lacks. */
    size_t i = 0, j = 0;
    while (i < a->nkeys && j < b->nkeys && key_cmp(&a->keys[i], &b->keys[j]) == 0) {
        i++;
        j++;
    }
    const key *k = i < a->nkeys ? &a->keys[i] : &b->keys[j];
    int in_a = i < a->nkeys && (j >= b->nkeys || key_cmp(&a->keys[i], &b->keys[j]) < 0);
    set_err(err, errlen,
            "the folders cover different years for a dyad: %s (%s) has a row for %g %s and %s (%s) has not",
            in_a ? la : lb, in_a ? a->dir : b->dir, k->year, k->dyad, in_a ? lb : la, in_a ? b->dir : a->dir);
}

/* ------------------------------------------------------------------ */
/* Paired re-run                                                      */
/* ------------------------------------------------------------------ */

typedef struct paired paired;

/* What one worker owns. */
typedef struct {
    paired *P;
    unsigned index;
    model *m[COMPARE_MAX_DIRS];
    double *x[COMPARE_MAX_DIRS];   /* per scenario, per compare row: x in this replication */
    unsigned char *al[COMPARE_MAX_DIRS]; /* ... and 1 if on the alliance rung */
    /* Per scenario: x with the alliance flag (to check the re-run against
     * the folder); for s >= 1 the differences from A of x and of the flag. */
    stats_cells *val[COMPARE_MAX_DIRS], *dx[COMPARE_MAX_DIRS], *dp[COMPARE_MAX_DIRS];
    int current;                   /* scenario being run */
    int rc;
    char msg[512];
    pthread_t tid;
} worker;

struct paired {
    size_t n;                      /* scenarios: A, then the folders paired with it */
    model_spec spec[COMPARE_MAX_DIRS];
    long *map[COMPARE_MAX_DIRS];   /* (year - first_year) * ndyads + dyad -> row, or -1 */
    size_t nd[COMPARE_MAX_DIRS];
    int first_year;
    size_t nyears, nrows;
    uint64_t reps, master;
    unsigned threads;
    atomic_uint_fast64_t done;
    atomic_int stop;
    const compare_options *opt;
};

/* The yearly sample of the scenario being run: x and the alliance flag of
 * every dyad compare has a row for (the batch samples the same: active
 * dyads at mid-year). */
static int on_sample(void *ctx, int year, const model *m)
{
    worker *w = ctx;
    const paired *P = w->P;
    int s = w->current;
    if (year < P->first_year || (size_t)(year - P->first_year) >= P->nyears)
        return 0;
    size_t base = (size_t)(year - P->first_year) * P->nd[s];
    int ar = model_alliance_rung(m);
    for (size_t d = 0; d < P->nd[s]; d++) {
        long row = P->map[s][base + d];
        if (row >= 0 && model_dyad_active(m, d)) {
            w->x[s][row] = model_dyad_x(m, d);
            w->al[s][row] = model_dyad_rung(m, d) == ar;
        }
    }
    return 0;
}

/* Records replication's samples of every scenario in w's accumulators;
 * 0, or -1 when a cell is full. */
static int record(worker *w)
{
    const paired *P = w->P;
    for (size_t i = 0; i < P->nrows; i++)
        for (size_t s = 0; s < P->n; s++) {
            double v = w->x[s][i];
            if (isnan(v))
                continue;
            if (stats_cells_add(w->val[s], i, v, w->al[s][i]) != STATS_OK)
                return -1;
            if (s == 0 || isnan(w->x[0][i]))
                continue;
            if (stats_cells_add(w->dx[s], i, v - w->x[0][i], 0) != STATS_OK ||
                stats_cells_add(w->dp[s], i, (double)w->al[s][i] - (double)w->al[0][i], 0) != STATS_OK)
                return -1;
        }
    return 0;
}

/* Runs replications index, index + T, ... on worker w. */
static void *work(void *arg)
{
    worker *w = arg;
    paired *P = w->P;
    model_observer obs = {w, NULL, on_sample, NULL};
    for (uint64_t r = w->index; r < P->reps && !atomic_load(&P->stop); r += P->threads) {
        uint64_t seed = batch_rep_seed(P->master, r);
        for (size_t s = 0; s < P->n; s++) {
            for (size_t i = 0; i < P->nrows; i++) {
                w->x[s][i] = NAN;
                w->al[s][i] = 0;
            }
            w->current = (int)s;
            int rc = model_run(w->m[s], seed, NULL, &obs, NULL);
            if (rc != MODEL_OK) {
                snprintf(w->msg, sizeof w->msg, "replication %llu (seed %llu) failed in the model (code %d)",
                         (unsigned long long)r, (unsigned long long)seed, rc);
                w->rc = -1;
                atomic_store(&P->stop, 1);
                return NULL;
            }
        }
        if (record(w) != 0) {
            snprintf(w->msg, sizeof w->msg, "an accumulator is full");
            w->rc = -1;
            atomic_store(&P->stop, 1);
            return NULL;
        }
        atomic_fetch_add(&P->done, 1);
        if (w->index == 0 && P->opt->progress)
            P->opt->progress(P->opt->progress_ctx, atomic_load(&P->done), P->reps);
    }
    return NULL;
}

static void worker_clear(worker *w)
{
    for (size_t s = 0; s < COMPARE_MAX_DIRS; s++) {
        model_free(w->m[s]);
        free(w->x[s]);
        free(w->al[s]);
        stats_cells_free(w->val[s]);
        stats_cells_free(w->dx[s]);
        stats_cells_free(w->dp[s]);
    }
}

/* Builds the map of scenario s from its spec's (year, dyad) to the rows
 * (sorted keys of folder A); -1 where compare has no row. */
static int build_map(paired *P, size_t s, const folder *a)
{
    const model_spec *sp = &P->spec[s];
    P->nd[s] = spec_ndyads(sp->nactors);
    size_t len = P->nyears * P->nd[s];
    P->map[s] = malloc((len ? len : 1) * sizeof *P->map[s]);
    if (!P->map[s])
        return -1;
    for (size_t i = 0; i < len; i++)
        P->map[s][i] = -1;
    for (size_t i = 0; i < a->nkeys; i++) {
        double y = a->keys[i].year;
        if (y != floor(y) || y < P->first_year || y >= P->first_year + (double)P->nyears)
            continue;
        for (int u = 0; u < sp->nactors; u++)
            for (int v = u + 1; v < sp->nactors; v++) {
                char name[2 * SPEC_ID_LEN + 2];
                model_spec_dyad_name(sp, u, v, name, sizeof name);
                if (strcmp(name, a->keys[i].dyad) == 0)
                    P->map[s][(size_t)(y - P->first_year) * P->nd[s] + spec_dyad_index(sp->nactors, u, v)] =
                        (long)i;
            }
    }
    return 0;
}

/* Allocates what worker w needs; 0 or -1. */
static int worker_init(worker *w, paired *P, unsigned index)
{
    w->P = P;
    w->index = index;
    size_t rows = P->nrows ? P->nrows : 1;
    for (size_t s = 0; s < P->n; s++) {
        w->m[s] = model_alloc(&P->spec[s]);
        w->x[s] = malloc(rows * sizeof(double));
        w->al[s] = malloc(rows);
        w->val[s] = stats_cells_alloc(rows, -1.0, 1.0, 1);
        if (!w->m[s] || !w->x[s] || !w->al[s] || !w->val[s])
            return -1;
        if (s > 0) {
            w->dx[s] = stats_cells_alloc(rows, -2.0, 2.0, 1);
            w->dp[s] = stats_cells_alloc(rows, -2.0, 2.0, 1);
            if (!w->dx[s] || !w->dp[s])
                return -1;
        }
    }
    return 0;
}

/* Mean and paired interval of cell i of c into *m, *lo, *hi (NaN when
 * fewer than two observations). */
static void paired_cell(const stats_cells *c, size_t i, double conf, double *m, double *lo, double *hi)
{
    stats_summary sm;
    *m = *lo = *hi = NAN;
    if (stats_cells_summary(c, i, conf, &sm) == STATS_EINVAL || sm.n < 1)
        return;
    *m = sm.mean;
    if (sm.n < 2 || stats_paired_ci(sm.n, sm.mean, sm.sd, conf, lo, hi) != STATS_OK)
        *lo = *hi = NAN;
}

/*
 * Re-runs the scenarios of P (A first, then the folders paired with it:
 * fs[s] is scenario s's folder) replication by replication and fills, for
 * s >= 1, out[s]'s differences from A with paired intervals.  ok[s] = 0 and
 * why[s] when scenario s's re-run does not reproduce its folder (the count,
 * mean of x or P(alliance) of some row differ).  Returns 0, or -1 with err
 * set (memory, threads, model failure).
 */
static int paired_run(paired *P, const folder *const *fs, int *ok, char why[][256], series *const *out, char *err,
                      size_t errlen)
{
    int rc = -1;
    worker *ws = calloc(P->threads, sizeof *ws);
    if (!ws) {
        set_err(err, errlen, "out of memory");
        return -1;
    }
    unsigned started = 1;
    for (unsigned t = 0; t < P->threads; t++)
        if (worker_init(&ws[t], P, t) != 0) {
            set_err(err, errlen, "out of memory (or a scenario the model cannot run)");
            goto done;
        }
    /* Worker 0 runs on this thread, so that progress is reported here. */
    for (; started < P->threads; started++)
        if (pthread_create(&ws[started].tid, NULL, work, &ws[started]) != 0) {
            atomic_store(&P->stop, 1);
            set_err(err, errlen, "cannot start a thread");
            break;
        }
    work(&ws[0]);
    for (unsigned t = 1; t < started; t++)
        pthread_join(ws[t].tid, NULL);
    if (started < P->threads)
        goto done;
    for (unsigned t = 0; t < P->threads; t++)
        if (ws[t].rc != 0) {
            set_err(err, errlen, "paired re-run: %s", ws[t].msg);
            goto done;
        }
    /* Reduce into worker 0 (exact integers: any order gives the same sums). */
    for (unsigned t = 1; t < P->threads; t++)
        for (size_t s = 0; s < P->n; s++)
            if (stats_cells_merge(ws[0].val[s], ws[t].val[s]) != STATS_OK ||
                (s > 0 && (stats_cells_merge(ws[0].dx[s], ws[t].dx[s]) != STATS_OK ||
                           stats_cells_merge(ws[0].dp[s], ws[t].dp[s]) != STATS_OK))) {
                set_err(err, errlen, "paired re-run: cannot merge the accumulators");
                goto done;
            }

    /* The re-run must reproduce each folder: the batch accumulated the same
     * quantised values, so count, mean and P(alliance) agree to rounding. */
    double conf = P->opt->confidence;
    for (size_t s = 0; s < P->n; s++) {
        ok[s] = 1;
        const folder *f = fs[s];
        for (size_t i = 0; i < P->nrows && ok[s]; i++) {
            stats_summary sm;
            if (stats_cells_summary(ws[0].val[s], i, conf, &sm) == STATS_EINVAL)
                sm.n = 0;
            double want = cell(f, f->keys[i].row, f->c_mean);
            double want_p = cell(f, f->keys[i].row, f->c_p);
            if (sm.n != P->reps || !(fabs(sm.mean - want) <= 1e-9 * fmax(1.0, fabs(want))) ||
                !(fabs(sm.p_flag - want_p) <= 1e-9)) {
                ok[s] = 0;
                snprintf(why[s], 256,
                         "re-running %.80s/scenario.cfg does not reproduce its summary.tsv (%g %s: mean %.10g, "
                         "re-run %.10g over %llu replications)",
                         f->dir, f->keys[i].year, f->keys[i].dyad, want, sm.mean, (unsigned long long)sm.n);
            }
        }
    }
    for (size_t s = 1; s < P->n; s++)
        for (size_t i = 0; i < P->nrows; i++) {
            paired_cell(ws[0].dx[s], i, conf, &out[s]->d[i], &out[s]->lo[i], &out[s]->hi[i]);
            paired_cell(ws[0].dp[s], i, conf, &out[s]->pd[i], &out[s]->plo[i], &out[s]->phi[i]);
        }
    rc = 0;
done:
    for (unsigned t = 0; t < P->threads; t++)
        worker_clear(&ws[t]);
    free(ws);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Settings difference                                                */
/* ------------------------------------------------------------------ */

/* One setting of a flattened resolved text: a leaf, or a whole element of
 * a list (its leaves joined). */
typedef struct {
    char *path;    /* "model.w_threat", or the list's path for an element */
    char *value;
    int element;   /* 1: an element of list `path` */
} flat;

typedef struct {
    flat *v;
    size_t n, cap;
    int failed;
} flats;

static void flats_clear(flats *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].path);
        free(f->v[i].value);
    }
    free(f->v);
    memset(f, 0, sizeof *f);
}

static void flats_add(flats *f, const char *path, const char *value, int element)
{
    if (f->failed)
        return;
    if (f->n == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 256;
        flat *nv = realloc(f->v, ncap * sizeof *nv);
        if (!nv) {
            f->failed = 1;
            return;
        }
        f->v = nv;
        f->cap = ncap;
    }
    char *p = strdup(path), *v = strdup(value);
    if (!p || !v) {
        free(p);
        free(v);
        f->failed = 1;
        return;
    }
    f->v[f->n++] = (flat){p, v, element};
}

/* Trims leading and trailing blanks in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/*
 * Flattens a resolved scenario text as the loader writes it: one setting
 * per line, groups "NAME = {" ... "};", lists "NAME = (" ... ");" whose
 * elements are "{" ... "}" blocks or one-line "( ... )" rows.  Leaves
 * become (path, value); list elements become one entry each whose value is
 * the element's leaves, "key = value; ...".
 */
static void flatten(const char *textin, flats *out)
{
    char *buf = strdup(textin);
    if (!buf) {
        out->failed = 1;
        return;
    }
    enum { MAXD = 16, PLEN = MAXD * (SPEC_PATH_LEN + 1) + 1 };
    char names[MAXD][SPEC_PATH_LEN];
    int is_list[MAXD];
    int depth = 0;
    /* The element being collected: depth at which it started (-1: none). */
    int elem_depth = -1;
    text_buf elem = {NULL, 0, 0, 0};
    char elem_path[PLEN];
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *l = trim(line);
        if (!*l || *l == '#')
            continue;
        char path[PLEN];
        path[0] = '\0';
        for (int i = 0; i < depth; i++) {
            size_t used = strlen(path);
            snprintf(path + used, sizeof path - used, "%s%s", used ? "." : "", names[i]);
        }
        size_t n = strlen(l);
        if (strcmp(l, "{") == 0) {
            /* A group element of the list at the top of the stack. */
            if (depth < MAXD) {
                snprintf(names[depth], sizeof names[depth], "[]");
                is_list[depth] = 0;
                if (elem_depth < 0) {
                    elem_depth = depth;
                    snprintf(elem_path, sizeof elem_path, "%s", path);
                    text_clear(&elem);
                }
                depth++;
            }
            continue;
        }
        if (l[0] == '}' || l[0] == ')') {
            if (depth > 0)
                depth--;
            if (elem_depth >= 0 && depth == elem_depth) {
                char *v = text_take(&elem);
                flats_add(out, elem_path, v ? v : "", 1);
                free(v);
                elem_depth = -1;
            }
            continue;
        }
        if (l[0] == '(' && depth > 0 && is_list[depth - 1]) {
            /* A one-line row of a list of rows. */
            if (n && l[n - 1] == ',')
                l[--n] = '\0';
            if (elem_depth >= 0)
                text_printf(&elem, "%s%s", elem.len ? "; " : "", l);
            else
                flats_add(out, path, l, 1);
            continue;
        }
        char *eq = strstr(l, " = ");
        if (!eq)
            continue;
        *eq = '\0';
        char *name = l, *value = eq + 3;
        size_t vn = strlen(value);
        if ((strcmp(value, "{") == 0 || strcmp(value, "(") == 0) && depth < MAXD) {
            snprintf(names[depth], sizeof names[depth], "%s", name);
            is_list[depth] = value[0] == '(';
            depth++;
            continue;
        }
        if (vn && value[vn - 1] == ';')
            value[--vn] = '\0';
        if (elem_depth >= 0) {
            /* Inside an element: its leaves, with paths relative to it. */
            char rel[PLEN];
            rel[0] = '\0';
            for (int i = elem_depth + 1; i < depth; i++) {
                size_t used = strlen(rel);
                snprintf(rel + used, sizeof rel - used, "%s.", names[i]);
            }
            text_printf(&elem, "%s%s%s = %s", elem.len ? "; " : "", rel, name, value);
            continue;
        }
        char full[PLEN + SPEC_PATH_LEN + 2];
        snprintf(full, sizeof full, "%s%s%s", path, path[0] ? "." : "", name);
        flats_add(out, full, value, 0);
    }
    if (elem.failed)
        out->failed = 1;
    text_clear(&elem);
    free(buf);
}

/* Appends value, cut to max characters with "...". */
static void put_cut(text_buf *t, const char *v, size_t max)
{
    size_t n = strlen(v);
    if (n <= max)
        text_puts(t, v);
    else
        text_printf(t, "%.*s...", (int)max, v);
}

/* Element diff of one list (indices ia[], ib[] into A's and B's entries)
 * by longest common subsequence, as a line diff does. */
static void diff_list(text_buf *t, size_t *lines, size_t max_lines, size_t *more, const flats *A, const size_t *ia,
                      size_t na, const flats *B, const size_t *ib, size_t nb)
{
    /* The LCS table is na x nb; lists here are at most a few hundred. */
    size_t w = nb + 1;
    unsigned *L = calloc((na + 1) * w, sizeof *L);
    if (!L) {
        t->failed = 1;
        return;
    }
    for (size_t i = na; i-- > 0;)
        for (size_t j = nb; j-- > 0;)
            L[i * w + j] = strcmp(A->v[ia[i]].value, B->v[ib[j]].value) == 0
                               ? L[(i + 1) * w + j + 1] + 1
                               : (L[(i + 1) * w + j] >= L[i * w + j + 1] ? L[(i + 1) * w + j] : L[i * w + j + 1]);
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        int take_a;
        if (i < na && j < nb && strcmp(A->v[ia[i]].value, B->v[ib[j]].value) == 0) {
            i++;
            j++;
            continue;
        }
        take_a = j >= nb || (i < na && L[(i + 1) * w + j] >= L[i * w + j + 1]);
        const flat *f = take_a ? &A->v[ia[i]] : &B->v[ib[j]];
        if (*lines < max_lines) {
            text_printf(t, "  %s: %c { ", f->path, take_a ? '-' : '+');
            put_cut(t, f->value, 160);
            text_puts(t, " }\n");
            (*lines)++;
        } else {
            (*more)++;
        }
        if (take_a)
            i++;
        else
            j++;
    }
    free(L);
}

static long find_leaf(const flats *f, const char *path)
{
    for (size_t i = 0; i < f->n; i++)
        if (!f->v[i].element && strcmp(f->v[i].path, path) == 0)
            return (long)i;
    return -1;
}

char *compare_settings_diff(const char *text_a, const char *text_b, size_t max_lines)
{
    flats A = {0}, B = {0};
    text_buf t = {NULL, 0, 0, 0};
    size_t lines = 0, more = 0;
    size_t *ia = NULL, *ib = NULL;
    flatten(text_a, &A);
    flatten(text_b, &B);
    if (A.failed || B.failed)
        goto fail;
    ia = malloc((A.n + 1) * sizeof *ia);
    ib = malloc((B.n + 1) * sizeof *ib);
    if (!ia || !ib)
        goto fail;

    /* Leaves, in A's order, then those only in B. */
    for (size_t i = 0; i < A.n; i++) {
        if (A.v[i].element)
            continue;
        long j = find_leaf(&B, A.v[i].path);
        if (j >= 0 && strcmp(A.v[i].value, B.v[j].value) == 0)
            continue;
        if (lines >= max_lines) {
            more++;
            continue;
        }
        text_printf(&t, "  %s: ", A.v[i].path);
        if (j < 0) {
            text_puts(&t, "only in A = ");
            put_cut(&t, A.v[i].value, 160);
        } else {
            put_cut(&t, A.v[i].value, 76);
            text_puts(&t, " -> ");
            put_cut(&t, B.v[j].value, 76);
        }
        text_puts(&t, "\n");
        lines++;
    }
    for (size_t j = 0; j < B.n; j++) {
        if (B.v[j].element || find_leaf(&A, B.v[j].path) >= 0)
            continue;
        if (lines >= max_lines) {
            more++;
            continue;
        }
        text_printf(&t, "  %s: only in B = ", B.v[j].path);
        put_cut(&t, B.v[j].value, 160);
        text_puts(&t, "\n");
        lines++;
    }

    /* Lists, each once, in order of first appearance (A, then B). */
    for (int side = 0; side < 2; side++) {
        const flats *S = side ? &B : &A;
        for (size_t k = 0; k < S->n; k++) {
            if (!S->v[k].element)
                continue;
            const char *lp = S->v[k].path;
            int seen = 0;
            for (size_t q = 0; q < k && !seen; q++)
                seen = S->v[q].element && strcmp(S->v[q].path, lp) == 0;
            for (size_t q = 0; side && q < A.n && !seen; q++)
                seen = A.v[q].element && strcmp(A.v[q].path, lp) == 0;
            if (seen)
                continue;
            size_t na = 0, nb = 0;
            for (size_t q = 0; q < A.n; q++)
                if (A.v[q].element && strcmp(A.v[q].path, lp) == 0)
                    ia[na++] = q;
            for (size_t q = 0; q < B.n; q++)
                if (B.v[q].element && strcmp(B.v[q].path, lp) == 0)
                    ib[nb++] = q;
            diff_list(&t, &lines, max_lines, &more, &A, ia, na, &B, ib, nb);
        }
    }
    if (more)
        text_printf(&t, "  ... and %zu more difference%s\n", more, more == 1 ? "" : "s");
    free(ia);
    free(ib);
    flats_clear(&A);
    flats_clear(&B);
    return text_take(&t);
fail:
    free(ia);
    free(ib);
    flats_clear(&A);
    flats_clear(&B);
    text_clear(&t);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The projector table                                                */
/* ------------------------------------------------------------------ */

static const int milestone_years[] = {1950, 1960, 1969, 1980, 1989, 1996, 2001, 2015, 2019, 2025};
static const char *const main_dyads[] = {"china-russia", "china-us", "russia-us"};

/* Row of folder A's sorted keys for (year, dyad), or -1. */
static long find_row(const folder *a, double year, const char *dyad)
{
    key k = {year, dyad, 0};
    const key *hit = bsearch(&k, a->keys, a->nkeys, sizeof *a->keys, key_cmp);
    return hit ? (long)(hit - a->keys) : -1;
}

/* A number in 7 columns with its sign; differences too small for three
 * decimals but not zero keep one significant digit, so that a real but
 * tiny effect is not printed as a zero. */
static void signed3(text_buf *t, double v)
{
    if (isnan(v))
        text_printf(t, "%7s", "NA");
    else if (v != 0.0 && fabs(v) < 0.0005)
        text_printf(t, "%+7.0e", v);
    else
        text_printf(t, "%+7.3f", v == 0.0 ? 0.0 : v);
}

/* A probability in 7 columns. */
static void prob3(text_buf *t, double v)
{
    if (isnan(v))
        text_printf(t, "%7s", "NA");
    else
        text_printf(t, "%7.3f", v);
}

static int excludes_zero(double lo, double hi)
{
    return !isnan(lo) && !isnan(hi) && (lo > 0.0 || hi < 0.0);
}

/* One block of the table: for dyad dy, the milestone years' values of
 * x (what = 0) or P(alliance) (what = 1) of every folder and the
 * differences from A. */
static void table_block(text_buf *t, const folder *a, size_t nf, int batches, const series *sv, const char *dy,
                        int what, int pct)
{
    int wide = nf == 2 && batches;
    char title[96];
    snprintf(title, sizeof title, "%s%s", dy, what ? " P(alliance)" : "");
    text_printf(t, "%-25s %4s", title, "year");
    for (size_t i = 0; i < nf; i++)
        text_printf(t, "  %5c  ", (char)('A' + i));
    for (size_t i = 1; i < nf; i++)
        text_printf(t, "   %c - A ", (char)('A' + i));
    if (wide)
        text_printf(t, "  %d%% interval", pct);
    text_puts(t, "\n");
    /* The milestone years, then the last year of the data if it is later. */
    size_t nm = sizeof milestone_years / sizeof milestone_years[0];
    int last = (int)a->keys[a->nkeys - 1].year;
    for (size_t m = 0; m <= nm; m++) {
        int year = m < nm ? milestone_years[m] : last;
        if (m == nm && last <= milestone_years[nm - 1])
            break;
        long r = find_row(a, year, dy);
        if (r < 0)
            continue;
        text_printf(t, "%-25s %4d", "", year);
        for (size_t i = 0; i < nf; i++) {
            text_puts(t, "  ");
            if (what)
                prob3(t, sv[i].p[r]);
            else
                signed3(t, sv[i].mean[r]);
        }
        for (size_t i = 1; i < nf; i++) {
            double d = what ? sv[i].pd[r] : sv[i].d[r];
            double lo = what ? sv[i].plo[r] : sv[i].lo[r], hi = what ? sv[i].phi[r] : sv[i].hi[r];
            text_puts(t, "  ");
            signed3(t, d);
            text_puts(t, excludes_zero(lo, hi) ? "*" : " ");
        }
        if (wide) {
            double lo = what ? sv[1].plo[r] : sv[1].lo[r], hi = what ? sv[1].phi[r] : sv[1].hi[r];
            text_puts(t, "  [");
            signed3(t, lo);
            text_puts(t, ",");
            signed3(t, hi);
            text_puts(t, "]");
        }
        text_puts(t, "\n");
    }
    text_puts(t, "\n");
}

/* The table a class reads off a projector: x of the main dyads (or, when
 * none of them is present, the first three) at the milestone years, then
 * P(alliance) of those dyads in which it differs between the folders. */
static char *projector_table(const folder *fs, size_t nf, const compare_report *rep, const series *sv, double conf)
{
    text_buf t = {NULL, 0, 0, 0};
    const folder *a = &fs[0];
    const char *dy[3];
    size_t ndy = 0;
    for (size_t i = 0; i < 3; i++)
        for (size_t k = 0; k < a->nkeys; k++)
            if (strcmp(a->keys[k].dyad, main_dyads[i]) == 0) {
                dy[ndy++] = main_dyads[i];
                break;
            }
    if (ndy == 0)
        for (size_t k = 0; k < a->nkeys && ndy < 3; k++) {
            int seen = 0;
            for (size_t q = 0; q < ndy; q++)
                seen |= strcmp(dy[q], a->keys[k].dyad) == 0;
            if (!seen)
                dy[ndy++] = a->keys[k].dyad;
        }
    int pct = (int)lround(conf * 100.0);
    for (size_t i = 0; i < nf; i++)
        text_printf(&t, "%c = %s (scenario %s)\n", (char)('A' + i), fs[i].dir, fs[i].name ? fs[i].name : "?");
    if (rep->batches) {
        text_printf(&t, "Means over %llu replications", (unsigned long long)fs[0].reps);
        for (size_t i = 1; i < nf; i++)
            text_printf(&t, "; %c - A: %s", (char)('A' + i),
                        rep->method[i] == COMPARE_PAIRED ? "paired (same seeds)" : "Welch");
        text_printf(&t, "; %d%% intervals.\n\n", pct);
    } else {
        text_puts(&t, "x of single runs (no intervals).\n\n");
    }
    for (size_t d = 0; d < ndy; d++)
        table_block(&t, a, nf, rep->batches, sv, dy[d], 0, pct);
    for (size_t d = 0; d < ndy && rep->batches; d++) {
        int differs = 0;
        for (size_t k = 0; k < a->nkeys && !differs; k++)
            if (strcmp(a->keys[k].dyad, dy[d]) == 0)
                for (size_t i = 1; i < nf; i++)
                    differs |= sv[i].p[k] != sv[0].p[k];
        if (differs)
            table_block(&t, a, nf, rep->batches, sv, dy[d], 1, pct);
    }
    if (rep->batches)
        text_printf(&t, "* the %d%% interval of the difference excludes zero\n", pct);
    return text_take(&t);
}

/* ------------------------------------------------------------------ */
/* The comparison                                                     */
/* ------------------------------------------------------------------ */

/* Loads folder f's scenario.cfg into spec; returns 0, or -1 with why. */
static int load_spec(const folder *f, model_spec *spec, char *why, size_t len)
{
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/scenario.cfg", f->dir);
    scenario_diags diags = {NULL, 0};
    model_spec_init(spec);
    int rc = scenario_load(path, NULL, spec, NULL, &diags);
    if (rc != SCENARIO_OK)
        snprintf(why, len, "%.120s does not load (%.100s)", path, diags.n ? diags.lines[0] : "cannot read it");
    scenario_diags_clear(&diags);
    return rc == SCENARIO_OK ? 0 : -1;
}

/* Writes compare.tsv (see compare.h for the columns). */
static int write_table(const compare_options *opt, const char *outdir, const folder *fs, size_t nf,
                       const compare_report *rep, const series *sv, char *err, size_t errlen)
{
    const folder *a = &fs[0];
    enum { PER = 10 };
    char names[COMPARE_MAX_DIRS * PER + 16][32];
    const char *cols[COMPARE_MAX_DIRS * PER + 16];
    size_t nc = 0;
    static const char *const fixed[] = {"year",  "dyad",        "mean_A",       "mean_B", "diff",
                                        "ci_lo", "ci_hi",       "q05_A",        "q95_A",  "q05_B",
                                        "q95_B", "p_alliance_A", "p_alliance_B", "p_diff", "p_ci_lo",
                                        "p_ci_hi"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        cols[nc++] = fixed[i];
    static const char *const per[PER] = {"mean", "diff", "ci_lo", "ci_hi", "q05",
                                         "q95",  "p_alliance", "p_diff", "p_ci_lo", "p_ci_hi"};
    for (size_t f = 2; f < nf; f++)
        for (size_t k = 0; k < PER; k++) {
            snprintf(names[nc], sizeof names[nc], "%s_%c", per[k], (char)('A' + f));
            cols[nc] = names[nc];
            nc++;
        }

    /* Provenance: the method, then each folder's path, scenario, seed,
     * replications, and (after A) its method and why it is not paired. */
    io_kv prov[16 + 7 * COMPARE_MAX_DIRS];
    char keys[7 * COMPARE_MAX_DIRS][32], vals[COMPARE_MAX_DIRS][32];
    size_t np = 0, nk = 0;
    char program[64], conf[32];
    snprintf(program, sizeof program, "alignsim %s", ALIGNSIM_VERSION);
    prov[np++] = (io_kv){"program", program};
    for (size_t i = 0; i < opt->nprov && i < 8; i++)
        prov[np++] = opt->prov[i];
    int all_same = 1;
    for (size_t f = 2; f < nf; f++)
        all_same &= rep->method[f] == rep->method[1];
    prov[np++] = (io_kv){"method", all_same ? compare_method_name(rep->method[1]) : "mixed"};
    tsv_format_double(conf, sizeof conf, opt->confidence);
    prov[np++] = (io_kv){"confidence", conf};
    for (size_t f = 0; f < nf; f++) {
        char L = (char)('A' + f);
        snprintf(keys[nk], 32, "folder_%c", L);
        prov[np++] = (io_kv){keys[nk++], fs[f].dir};
        snprintf(keys[nk], 32, "scenario_%c", L);
        prov[np++] = (io_kv){keys[nk++], fs[f].name ? fs[f].name : "NA"};
        if (fs[f].batch) {
            snprintf(keys[nk], 32, "seed_%c", L);
            prov[np++] = (io_kv){keys[nk++], fs[f].seed ? fs[f].seed : "NA"};
            snprintf(keys[nk], 32, "replications_%c", L);
            snprintf(vals[f], sizeof vals[f], "%llu", (unsigned long long)fs[f].reps);
            prov[np++] = (io_kv){keys[nk++], vals[f]};
        }
        if (f > 0) {
            snprintf(keys[nk], 32, "method_%c", L);
            prov[np++] = (io_kv){keys[nk++], compare_method_name(rep->method[f])};
            if (rep->why[f][0]) {
                snprintf(keys[nk], 32, "why_%c", L);
                prov[np++] = (io_kv){keys[nk++], rep->why[f]};
            }
        }
    }

    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/compare.tsv", outdir);
    tsv_writer *w = tsv_open(path, prov, np, cols, nc, err, errlen);
    if (!w)
        return -1;
    for (size_t i = 0; i < a->nkeys; i++) {
        const key *k = &a->keys[i];
        tsv_double(w, k->year);
        tsv_str(w, k->dyad);
        tsv_double(w, sv[0].mean[i]);
        tsv_double(w, sv[1].mean[i]);
        tsv_double(w, sv[1].d[i]);
        tsv_double(w, sv[1].lo[i]);
        tsv_double(w, sv[1].hi[i]);
        for (size_t f = 0; f < 2; f++) {
            tsv_double(w, cell(&fs[f], fs[f].keys[i].row, fs[f].c_q05));
            tsv_double(w, cell(&fs[f], fs[f].keys[i].row, fs[f].c_q95));
        }
        tsv_double(w, sv[0].p[i]);
        tsv_double(w, sv[1].p[i]);
        tsv_double(w, sv[1].pd[i]);
        tsv_double(w, sv[1].plo[i]);
        tsv_double(w, sv[1].phi[i]);
        for (size_t f = 2; f < nf; f++) {
            const folder *F = &fs[f];
            size_t row = F->keys[i].row;
            tsv_double(w, sv[f].mean[i]);
            tsv_double(w, sv[f].d[i]);
            tsv_double(w, sv[f].lo[i]);
            tsv_double(w, sv[f].hi[i]);
            tsv_double(w, cell(F, row, F->c_q05));
            tsv_double(w, cell(F, row, F->c_q95));
            tsv_double(w, sv[f].p[i]);
            tsv_double(w, sv[f].pd[i]);
            tsv_double(w, sv[f].plo[i]);
            tsv_double(w, sv[f].phi[i]);
        }
        tsv_end_row(w);
    }
    return tsv_commit(w, err, errlen) == IO_OK ? 0 : -1;
}

void compare_report_clear(compare_report *rep)
{
    free(rep->table);
    free(rep->settings);
    rep->table = rep->settings = NULL;
}

static void series_free(series *s)
{
    free(s->mean);
    free(s->d);
    free(s->lo);
    free(s->hi);
    free(s->p);
    free(s->pd);
    free(s->plo);
    free(s->phi);
    memset(s, 0, sizeof *s);
}

/* Allocates the n rows of s and fills the folder's own values (the rest
 * NaN); 0 or -1. */
static int series_init(series *s, const folder *f, size_t n)
{
    size_t m = (n ? n : 1) * sizeof(double);
    double **all[] = {&s->mean, &s->d, &s->lo, &s->hi, &s->p, &s->pd, &s->plo, &s->phi};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
        *all[k] = malloc(m);
        if (!*all[k])
            return -1;
        for (size_t i = 0; i < n; i++)
            (*all[k])[i] = NAN;
    }
    for (size_t i = 0; i < n; i++) {
        s->mean[i] = cell(f, f->keys[i].row, f->c_mean);
        s->p[i] = cell(f, f->keys[i].row, f->c_p);
    }
    return 0;
}

/* Welch interval of b - a for n_a, n_b observations; NaN where it cannot
 * be computed (n < 2, NA). */
static void welch(double ma, double sa, uint64_t na, double mb, double sb, uint64_t nb, double conf, double *d,
                  double *lo, double *hi)
{
    double df;
    *d = mb - ma;
    *lo = *hi = NAN;
    double dd;
    if (stats_welch_ci(mb, sb, nb, ma, sa, na, conf, &dd, lo, hi, &df) != STATS_OK)
        *lo = *hi = NAN;
}

/* Sample sd of a 0/1 variable with proportion p over n observations. */
static double bernoulli_sd(double p, uint64_t n)
{
    if (isnan(p) || n < 2)
        return NAN;
    return sqrt(p * (1.0 - p) * (double)n / (double)(n - 1));
}

/* Tries to pair every folder f with want[f] with A: loads the scenarios,
 * re-runs them and fills sv[f]'s differences, setting rep->method[f] to
 * paired, or leaves them to Welch with rep->why[f] saying why.  Returns
 * COMPARE_OK or COMPARE_ERUNTIME (err set). */
static int try_paired(const compare_options *opt, const folder *fs, size_t nf, const int *want, series *sv,
                      compare_report *rep, char *err, size_t errlen)
{
    int rc = COMPARE_OK;
    paired *P = calloc(1, sizeof *P);
    if (!P) {
        set_err(err, errlen, "out of memory");
        return COMPARE_ERUNTIME;
    }
    P->opt = opt;
    P->threads = opt->threads;
    P->reps = fs[0].reps;
    atomic_init(&P->done, 0);
    atomic_init(&P->stop, 0);
    const folder *order[COMPARE_MAX_DIRS];
    series *outs[COMPARE_MAX_DIRS] = {0};
    size_t fidx[COMPARE_MAX_DIRS];
    char why0[256] = "";
    if (load_spec(&fs[0], &P->spec[0], why0, sizeof why0) != 0) {
        for (size_t f = 1; f < nf; f++)
            if (want[f])
                snprintf(rep->why[f], sizeof rep->why[f], "%.200s; Welch intervals", why0);
        goto done;
    }
    P->n = 1;
    order[0] = &fs[0];
    fidx[0] = 0;
    for (size_t f = 1; f < nf; f++) {
        if (!want[f])
            continue;
        char why[256];
        if (load_spec(&fs[f], &P->spec[P->n], why, sizeof why) != 0) {
            snprintf(rep->why[f], sizeof rep->why[f], "%.200s; Welch intervals", why);
            continue;
        }
        order[P->n] = &fs[f];
        outs[P->n] = &sv[f];
        fidx[P->n] = f;
        P->n++;
    }
    if (P->n < 2)
        goto done;
    P->master = P->spec[0].seed;
    P->first_year = (int)floor(fs[0].keys[0].year);
    P->nyears = (size_t)(floor(fs[0].keys[fs[0].nkeys - 1].year) - floor(fs[0].keys[0].year) + 1);
    P->nrows = fs[0].nkeys;
    for (size_t s = 0; s < P->n; s++) {
        if (build_map(P, s, &fs[0]) != 0) {
            set_err(err, errlen, "out of memory");
            rc = COMPARE_ERUNTIME;
            goto done;
        }
        if (P->spec[s].seed != P->master) {
            /* The folders' tables said the same seed; their scenario files
             * do not: the files were not written together. */
            for (size_t q = 1; q < P->n; q++)
                snprintf(rep->why[fidx[q]], sizeof rep->why[0],
                         "the scenario.cfg files' seeds differ from their tables'; Welch intervals");
            goto done;
        }
    }
    int ok[COMPARE_MAX_DIRS] = {0};
    char why[COMPARE_MAX_DIRS][256];
    memset(why, 0, sizeof why);
    if (paired_run(P, order, ok, why, outs, err, errlen) != 0) {
        rc = COMPARE_ERUNTIME;
        goto done;
    }
    for (size_t s = 1; s < P->n; s++) {
        size_t f = fidx[s];
        if (ok[0] && ok[s]) {
            rep->method[f] = COMPARE_PAIRED;
            continue;
        }
        snprintf(rep->why[f], sizeof rep->why[f], "%.220s; Welch intervals", ok[0] ? why[s] : why[0]);
        for (size_t i = 0; i < P->nrows; i++)
            sv[f].d[i] = sv[f].lo[i] = sv[f].hi[i] = sv[f].pd[i] = sv[f].plo[i] = sv[f].phi[i] = NAN;
    }
done:
    /* Specs never loaded are all zeros, which model_spec_clear accepts. */
    for (size_t s = 0; s < COMPARE_MAX_DIRS; s++) {
        model_spec_clear(&P->spec[s]);
        free(P->map[s]);
    }
    free(P);
    return rc;
}

int compare_run(const compare_options *opt, compare_report *rep, char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    if (err && errlen)
        err[0] = '\0';
    size_t nf = opt->ndirs;
    if (nf < 2 || nf > COMPARE_MAX_DIRS || opt->threads < 1 || !(opt->confidence > 0.0 && opt->confidence < 1.0)) {
        set_err(err, errlen, "compare needs 2 to %d folders, -j >= 1 and a confidence in (0, 1)", COMPARE_MAX_DIRS);
        return COMPARE_EUSAGE;
    }
    rep->ndirs = nf;
    int rc = COMPARE_OK;
    folder *fs = calloc(nf, sizeof *fs);
    series *sv = calloc(nf, sizeof *sv);
    if (!fs || !sv) {
        free(fs);
        free(sv);
        set_err(err, errlen, "out of memory");
        return COMPARE_ERUNTIME;
    }

    /* Read and check every folder before anything else. */
    for (size_t i = 0; i < nf; i++)
        if ((rc = folder_read(opt->dirs[i], &fs[i], err, errlen)) != COMPARE_OK)
            goto done;
    rep->batches = fs[0].batch;
    for (size_t i = 1; i < nf; i++) {
        char la = 'A', lb = (char)('A' + i);
        if (fs[i].batch != fs[0].batch) {
            set_err(err, errlen,
                    "%c (%s) is a %s folder and %c (%s) a %s folder: compare folders of one kind (batches with "
                    "batches, runs with runs)",
                    la, fs[0].dir, fs[0].batch ? "batch" : "run", lb, fs[i].dir, fs[i].batch ? "batch" : "run");
            rc = COMPARE_EUSAGE;
            goto done;
        }
        if (strcmp(fs[i].program, fs[0].program) != 0) {
            set_err(err, errlen,
                    "%c (%s) was written by %s and %c (%s) by %s: results of different program versions are not "
                    "comparable; rerun one of them",
                    la, fs[0].dir, fs[0].program, lb, fs[i].dir, fs[i].program);
            rc = COMPARE_EUSAGE;
            goto done;
        }
        int same = fs[i].nkeys == fs[0].nkeys;
        for (size_t k = 0; same && k < fs[0].nkeys; k++)
            same = key_cmp(&fs[0].keys[k], &fs[i].keys[k]) == 0;
        if (!same) {
            char lA[2] = {la, 0}, lB[2] = {lb, 0};
            explain_mismatch(&fs[0], lA, &fs[i], lB, err, errlen);
            rc = COMPARE_EUSAGE;
            goto done;
        }
    }
    if (fs[0].nkeys == 0) {
        set_err(err, errlen, "%s has no rows to compare", fs[0].dir);
        rc = COMPARE_EUSAGE;
        goto done;
    }

    size_t n = fs[0].nkeys;
    rep->rows = n;
    for (size_t f = 0; f < nf; f++) {
        rep->reps[f] = fs[f].reps;
        if (series_init(&sv[f], &fs[f], n) != 0) {
            set_err(err, errlen, "out of memory");
            rc = COMPARE_ERUNTIME;
            goto done;
        }
    }

    /* Pairs that can be paired: batches with A's seed and replications. */
    int want[COMPARE_MAX_DIRS] = {0}, any = 0;
    for (size_t f = 1; f < nf; f++) {
        rep->method[f] = fs[f].batch ? COMPARE_WELCH : COMPARE_NONE;
        if (!fs[f].batch)
            continue;
        if (!fs[0].seed || !fs[f].seed || strcmp(fs[0].seed, fs[f].seed) != 0)
            snprintf(rep->why[f], sizeof rep->why[f], "different master seeds (%.40s and %.40s): Welch intervals",
                     fs[0].seed ? fs[0].seed : "?", fs[f].seed ? fs[f].seed : "?");
        else if (fs[f].reps != fs[0].reps)
            snprintf(rep->why[f], sizeof rep->why[f],
                     "different numbers of replications (%llu and %llu): Welch intervals",
                     (unsigned long long)fs[0].reps, (unsigned long long)fs[f].reps);
        else
            want[f] = any = 1;
    }
    if (any && (rc = try_paired(opt, fs, nf, want, sv, rep, err, errlen)) != COMPARE_OK)
        goto done;

    /* Welch and single-run differences where not paired. */
    for (size_t f = 1; f < nf; f++) {
        if (rep->method[f] == COMPARE_PAIRED)
            continue;
        for (size_t i = 0; i < n; i++) {
            series *s = &sv[f];
            if (rep->method[f] == COMPARE_NONE) {
                s->d[i] = s->mean[i] - sv[0].mean[i];
                continue;
            }
            size_t ra = fs[0].keys[i].row, rb = fs[f].keys[i].row;
            welch(sv[0].mean[i], cell(&fs[0], ra, fs[0].c_sd), fs[0].reps, s->mean[i], cell(&fs[f], rb, fs[f].c_sd),
                  fs[f].reps, opt->confidence, &s->d[i], &s->lo[i], &s->hi[i]);
            welch(sv[0].p[i], bernoulli_sd(sv[0].p[i], fs[0].reps), fs[0].reps, s->p[i],
                  bernoulli_sd(s->p[i], fs[f].reps), fs[f].reps, opt->confidence, &s->pd[i], &s->plo[i], &s->phi[i]);
        }
    }

    /* Texts, then the file. */
    rep->table = projector_table(fs, nf, rep, sv, opt->confidence);
    text_buf st = {NULL, 0, 0, 0};
    for (size_t f = 1; f < nf; f++) {
        char *d = compare_settings_diff(fs[0].scenario, fs[f].scenario, 40);
        if (!d) {
            st.failed = 1;
            break;
        }
        text_printf(&st, "Settings that differ, A -> %c:\n%s", (char)('A' + f), *d ? d : "  (none)\n");
        free(d);
    }
    rep->settings = text_take(&st);
    if (!rep->table || !rep->settings) {
        set_err(err, errlen, "out of memory");
        rc = COMPARE_ERUNTIME;
        goto done;
    }
    if (opt->outdir)
        snprintf(rep->outdir, sizeof rep->outdir, "%s", opt->outdir);
    else
        snprintf(rep->outdir, sizeof rep->outdir, "out/compare-%.100s-%.100s", fs[0].name ? fs[0].name : "A",
                 fs[1].name ? fs[1].name : "B");
    if (io_mkdir_p(rep->outdir, err, errlen) != IO_OK || write_table(opt, rep->outdir, fs, nf, rep, sv, err, errlen) != 0)
        rc = COMPARE_ERUNTIME;
done:
    for (size_t f = 0; f < nf; f++) {
        series_free(&sv[f]);
        folder_clear(&fs[f]);
    }
    free(sv);
    free(fs);
    return rc;
}
