/*
 * compare - result folders side by side (see compare.h).
 *
 * Invariants: folder A's rows, sorted by (year, dyad), are the rows of
 * compare.tsv, and every other folder has exactly the same sorted keys (else
 * the comparison is refused before anything is written); the paired re-run
 * is one job on the executor accumulating only integer sums (stats_cells),
 * so its result does not depend on the number of threads or ranks; nothing
 * is written unless every check passed.
 */
#include "study/compare.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/status.h"
#include "io/atomic.h"
#include "model/model.h"
#include "model/spec.h"
#include "run/batch.h"
#include "scenario/scenario.h"
#include "stats/cells.h"
#include "stats/stats.h"
#include "scenario/diff.h"

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

/* Reads folder dir.  Returns AS_OK or an error code with err set. */
static int folder_read(const char *dir, folder *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    f->dir = dir;
    f->c_mean = f->c_sd = f->c_q05 = f->c_q95 = f->c_p = -1;
    if (!is_dir(dir)) {
        set_err(err, errlen, "%s: no such result folder", dir);
        return AS_EUSAGE;
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
            return AS_EUSAGE;
        }
    }
    char msg[2048];
    f->t = tsv_read(path, msg, sizeof msg);
    if (!f->t) {
        set_err(err, errlen, "%s", msg);
        return errno == ENOMEM ? AS_ERUNTIME : AS_EUSAGE;
    }
    const char *need_batch[] = {"year", "dyad", "mean", "sd", "q05", "q95", "p_alliance"};
    const char *need_run[] = {"year", "dyad", "x"};
    const char *const *need = f->batch ? need_batch : need_run;
    size_t nneed = f->batch ? 7 : 3;
    for (size_t i = 0; i < nneed; i++)
        if (tsv_column(f->t, need[i]) < 0) {
            set_err(err, errlen, "%s: expected a column '%s'", path, need[i]);
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
        set_err(err, errlen, "%s: no '# program:' line: not a table written by alignsim", path);
        return AS_EUSAGE;
    }
    f->reps = 1;
    if (f->batch) {
        const char *r = tsv_prov(f->t, "replications");
        char *end;
        errno = 0;
        unsigned long long v = r ? strtoull(r, &end, 10) : 0;
        if (!r || errno || *end || v == 0) {
            set_err(err, errlen, "%s: expected a '# replications: N' line", path);
            return AS_EUSAGE;
        }
        f->reps = v;
    }
    snprintf(path, sizeof path, "%s/scenario.cfg", dir);
    f->scenario = io_read_file(path, NULL);
    if (!f->scenario) {
        set_err(err, errlen, "%s: %s (every result folder has its resolved scenario)", path, strerror(errno));
        return errno == ENOMEM ? AS_ERUNTIME : AS_EUSAGE;
    }

    /* Keys, checked and sorted; every number used later is checked here. */
    size_t n = tsv_rows(f->t);
    f->keys = calloc(n ? n : 1, sizeof *f->keys);
    if (!f->keys) {
        set_err(err, errlen, "out of memory");
        return AS_ERUNTIME;
    }
    long cy = tsv_column(f->t, "year"), cd = tsv_column(f->t, "dyad");
    for (size_t r = 0; r < n; r++) {
        double y, v;
        if (tsv_parse_double(tsv_cell(f->t, r, (size_t)cy), &y) != 0 || !isfinite(y) ||
            tsv_parse_double(tsv_cell(f->t, r, (size_t)f->c_mean), &v) != 0) {
            set_err(err, errlen, "%s:%zu: error: expected numbers in the columns year and %s", tsv_path(f->t),
                    tsv_row_line(f->t, r), f->batch ? "mean" : "x");
            return AS_EUSAGE;
        }
        f->keys[r] = (key){y, tsv_cell(f->t, r, (size_t)cd), r};
    }
    qsort(f->keys, n, sizeof *f->keys, key_cmp);
    f->nkeys = n;
    for (size_t r = 1; r < n; r++)
        if (key_cmp(&f->keys[r - 1], &f->keys[r]) == 0) {
            set_err(err, errlen, "%s:%zu: error: a second row for year %g and dyad %s", tsv_path(f->t),
                    tsv_row_line(f->t, f->keys[r].row), f->keys[r].year, f->keys[r].dyad);
            return AS_EUSAGE;
        }
    return AS_OK;
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

/*
 * One job on the executor: task r re-runs replication r (seed
 * batch_rep_seed(master, r)) of every scenario, A first.  The accumulator
 * holds, per scenario, x with the alliance flag of every compare row (to
 * check the re-run against the folder) and, for s >= 1, the differences
 * from A of x and of the flag: all stats_cells, exact, so the intervals are
 * the same for any -j and rank count.
 */
typedef struct {
    size_t n;                      /* scenarios: A, then the folders paired with it */
    model_spec spec[COMPARE_MAX_DIRS];
    long *map[COMPARE_MAX_DIRS];   /* (year - first_year) * ndyads + dyad -> row, or -1 */
    size_t nd[COMPARE_MAX_DIRS];
    int first_year;
    size_t nyears, nrows;
    uint64_t reps, master;
} paired;

/* What one worker owns. */
typedef struct {
    const paired *P;
    model *m[COMPARE_MAX_DIRS];
    double *x[COMPARE_MAX_DIRS];   /* per scenario, per compare row: x in this replication */
    unsigned char *al[COMPARE_MAX_DIRS]; /* ... and 1 if on the alliance rung */
    int current;                   /* scenario being run */
} pworker;

/* Per scenario: x with the alliance flag; for s >= 1 the differences from
 * A of x and of the flag. */
typedef struct {
    stats_cells *val[COMPARE_MAX_DIRS], *dx[COMPARE_MAX_DIRS], *dp[COMPARE_MAX_DIRS];
} pacc;

/* The yearly sample of the scenario being run: x and the alliance flag of
 * every dyad compare has a row for (the batch samples the same: active
 * dyads at mid-year). */
static int on_sample(void *ctx, int year, const model *m)
{
    pworker *w = ctx;
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

static void pw_free(void *ctx, void *wp)
{
    (void)ctx;
    pworker *w = wp;
    if (!w)
        return;
    for (size_t s = 0; s < COMPARE_MAX_DIRS; s++) {
        model_free(w->m[s]);
        free(w->x[s]);
        free(w->al[s]);
    }
    free(w);
}

static void *pw_alloc(void *ctx)
{
    const paired *P = ctx;
    pworker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->P = P;
    size_t rows = P->nrows ? P->nrows : 1;
    for (size_t s = 0; s < P->n; s++) {
        w->m[s] = model_alloc(&P->spec[s]);
        w->x[s] = malloc(rows * sizeof(double));
        w->al[s] = malloc(rows);
        if (!w->m[s] || !w->x[s] || !w->al[s]) {
            pw_free(ctx, w);
            return NULL;
        }
    }
    return w;
}

static int pw_run(void *ctx, void *wp, const engine_task *t, void *accp, buf *rec, char *err, size_t errlen)
{
    (void)rec;
    const paired *P = ctx;
    pworker *w = wp;
    pacc *a = accp;
    model_observer obs = {w, NULL, on_sample, NULL};
    for (size_t s = 0; s < P->n; s++) {
        for (size_t i = 0; i < P->nrows; i++) {
            w->x[s][i] = NAN;
            w->al[s][i] = 0;
        }
        w->current = (int)s;
        int rc = model_run(w->m[s], t->seed, NULL, &obs, NULL);
        if (rc != MODEL_OK) {
            snprintf(err, errlen, "the model failed (code %d)", rc);
            return AS_ERUNTIME;
        }
    }
    for (size_t i = 0; i < P->nrows; i++)
        for (size_t s = 0; s < P->n; s++) {
            double v = w->x[s][i];
            if (isnan(v))
                continue;
            if (stats_cells_add(a->val[s], i, v, w->al[s][i]) != STATS_OK)
                goto full;
            if (s == 0 || isnan(w->x[0][i]))
                continue;
            if (stats_cells_add(a->dx[s], i, v - w->x[0][i], 0) != STATS_OK ||
                stats_cells_add(a->dp[s], i, (double)w->al[s][i] - (double)w->al[0][i], 0) != STATS_OK)
                goto full;
        }
    return AS_OK;
full:
    snprintf(err, errlen, "an accumulator is full");
    return AS_ERUNTIME;
}

static void pa_free(void *ctx, void *accp)
{
    (void)ctx;
    pacc *a = accp;
    if (!a)
        return;
    for (size_t s = 0; s < COMPARE_MAX_DIRS; s++) {
        stats_cells_free(a->val[s]);
        stats_cells_free(a->dx[s]);
        stats_cells_free(a->dp[s]);
    }
    free(a);
}

static void *pa_alloc(void *ctx)
{
    const paired *P = ctx;
    pacc *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    size_t rows = P->nrows ? P->nrows : 1;
    for (size_t s = 0; s < P->n; s++) {
        int ok = (a->val[s] = stats_cells_alloc(rows, -1.0, 1.0, 1)) != NULL;
        if (ok && s > 0)
            ok = (a->dx[s] = stats_cells_alloc(rows, -2.0, 2.0, 1)) != NULL &&
                 (a->dp[s] = stats_cells_alloc(rows, -2.0, 2.0, 1)) != NULL;
        if (!ok) {
            pa_free(ctx, a);
            return NULL;
        }
    }
    return a;
}

static void pa_reset(void *ctx, void *accp)
{
    const paired *P = ctx;
    pacc *a = accp;
    for (size_t s = 0; s < P->n; s++) {
        stats_cells_reset(a->val[s]);
        if (s > 0) {
            stats_cells_reset(a->dx[s]);
            stats_cells_reset(a->dp[s]);
        }
    }
}

static int pa_merge(void *ctx, void *dstp, const void *srcp)
{
    const paired *P = ctx;
    pacc *d = dstp;
    const pacc *s = srcp;
    for (size_t k = 0; k < P->n; k++)
        if (stats_cells_merge(d->val[k], s->val[k]) != STATS_OK ||
            (k > 0 && (stats_cells_merge(d->dx[k], s->dx[k]) != STATS_OK ||
                       stats_cells_merge(d->dp[k], s->dp[k]) != STATS_OK)))
            return AS_ERUNTIME;
    return AS_OK;
}

/* Appends one stats_cells image with its length. */
static int pack_cells(const stats_cells *c, buf *out)
{
    size_t n = stats_cells_packed_size(c);
    buf_append_u64(out, n);
    if (buf_reserve(out, n) != 0 || stats_cells_pack(c, out->data + out->len, n) != STATS_OK)
        return AS_ENOMEM;
    out->len += n;
    return AS_OK;
}

static int unpack_cells(stats_cells *c, buf_reader *r)
{
    uint64_t n = buf_read_u64(r);
    const unsigned char *p = buf_read_bytes(r, n);
    return !r->failed && stats_cells_unpack(c, p, (size_t)n) == STATS_OK ? AS_OK : AS_ERUNTIME;
}

static int pa_pack(void *ctx, const void *accp, buf *out)
{
    const paired *P = ctx;
    const pacc *a = accp;
    int rc = AS_OK;
    for (size_t s = 0; s < P->n && rc == AS_OK; s++) {
        rc = pack_cells(a->val[s], out);
        if (rc == AS_OK && s > 0)
            rc = pack_cells(a->dx[s], out);
        if (rc == AS_OK && s > 0)
            rc = pack_cells(a->dp[s], out);
    }
    return rc;
}

static int pa_unpack(void *ctx, void *accp, const unsigned char *data, size_t len)
{
    const paired *P = ctx;
    pacc *a = accp;
    buf_reader r = buf_reader_of(data, len);
    int rc = AS_OK;
    for (size_t s = 0; s < P->n && rc == AS_OK; s++) {
        rc = unpack_cells(a->val[s], &r);
        if (rc == AS_OK && s > 0)
            rc = unpack_cells(a->dx[s], &r);
        if (rc == AS_OK && s > 0)
            rc = unpack_cells(a->dp[s], &r);
    }
    return rc == AS_OK && r.pos == r.len ? AS_OK : AS_ERUNTIME;
}

static const engine_reducer paired_reducer = {
    pw_alloc, pw_free, pw_run, pa_alloc, pa_free, pa_reset, pa_merge, pa_pack, pa_unpack,
    NULL,     NULL,    NULL,   NULL,     NULL,
};

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
 * fs[s] is scenario s's folder) on the executor and fills, for s >= 1,
 * out[s]'s differences from A with paired intervals.  ok[s] = 0 and why[s]
 * when scenario s's re-run does not reproduce its folder (the count, mean
 * of x or P(alliance) of some row differ).  Returns an AS_* code with err
 * set (memory, model failure, a stop).
 */
static int paired_run(engine *e, paired *P, const folder *const *fs, double conf, int *ok, char why[][256],
                      series *const *out, char *err, size_t errlen)
{
    pacc *a = pa_alloc(P);
    if (!a) {
        set_err(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    engine_job job;
    memset(&job, 0, sizeof job);
    job.reducer = &paired_reducer;
    job.ctx = P;
    job.ntasks = P->reps;
    job.master = P->master;
    char msg[1024];
    int rc = engine_run(e, &job, a, NULL, msg, sizeof msg);
    if (rc != AS_OK) {
        set_err(err, errlen, "paired re-run: %s", msg);
        goto done;
    }
    if (engine_rank(e) != 0)
        goto done;
    /* The re-run must reproduce each folder: the batch accumulated the same
     * quantised values, so count, mean and P(alliance) agree to rounding. */
    for (size_t s = 0; s < P->n; s++) {
        ok[s] = 1;
        const folder *f = fs[s];
        for (size_t i = 0; i < P->nrows && ok[s]; i++) {
            stats_summary sm;
            if (stats_cells_summary(a->val[s], i, conf, &sm) == STATS_EINVAL)
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
            paired_cell(a->dx[s], i, conf, &out[s]->d[i], &out[s]->lo[i], &out[s]->hi[i]);
            paired_cell(a->dp[s], i, conf, &out[s]->pd[i], &out[s]->plo[i], &out[s]->phi[i]);
        }
done:
    pa_free(P, a);
    return rc;
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
static void signed3(buf *t, double v)
{
    if (isnan(v))
        buf_printf(t, "%7s", "NA");
    else if (v != 0.0 && fabs(v) < 0.0005)
        buf_printf(t, "%+7.0e", v);
    else
        buf_printf(t, "%+7.3f", v == 0.0 ? 0.0 : v);
}

/* A probability in 7 columns. */
static void prob3(buf *t, double v)
{
    if (isnan(v))
        buf_printf(t, "%7s", "NA");
    else
        buf_printf(t, "%7.3f", v);
}

static int excludes_zero(double lo, double hi)
{
    return !isnan(lo) && !isnan(hi) && (lo > 0.0 || hi < 0.0);
}

/* One block of the table: for dyad dy, the milestone years' values of
 * x (what = 0) or P(alliance) (what = 1) of every folder and the
 * differences from A. */
static void table_block(buf *t, const folder *a, size_t nf, int batches, const series *sv, const char *dy,
                        int what, int pct)
{
    int wide = nf == 2 && batches;
    char title[96];
    snprintf(title, sizeof title, "%s%s", dy, what ? " P(alliance)" : "");
    buf_printf(t, "%-25s %4s", title, "year");
    for (size_t i = 0; i < nf; i++)
        buf_printf(t, "  %5c  ", (char)('A' + i));
    for (size_t i = 1; i < nf; i++)
        buf_printf(t, "   %c - A ", (char)('A' + i));
    if (wide)
        buf_printf(t, "  %d%% interval", pct);
    buf_puts(t, "\n");
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
        buf_printf(t, "%-25s %4d", "", year);
        for (size_t i = 0; i < nf; i++) {
            buf_puts(t, "  ");
            if (what)
                prob3(t, sv[i].p[r]);
            else
                signed3(t, sv[i].mean[r]);
        }
        for (size_t i = 1; i < nf; i++) {
            double d = what ? sv[i].pd[r] : sv[i].d[r];
            double lo = what ? sv[i].plo[r] : sv[i].lo[r], hi = what ? sv[i].phi[r] : sv[i].hi[r];
            buf_puts(t, "  ");
            signed3(t, d);
            buf_puts(t, excludes_zero(lo, hi) ? "*" : " ");
        }
        if (wide) {
            double lo = what ? sv[1].plo[r] : sv[1].lo[r], hi = what ? sv[1].phi[r] : sv[1].hi[r];
            buf_puts(t, "  [");
            signed3(t, lo);
            buf_puts(t, ",");
            signed3(t, hi);
            buf_puts(t, "]");
        }
        buf_puts(t, "\n");
    }
    buf_puts(t, "\n");
}

/* The table a class reads off a projector: x of the main dyads (or, when
 * none of them is present, the first three) at the milestone years, then
 * P(alliance) of those dyads in which it differs between the folders. */
static char *projector_table(const folder *fs, size_t nf, const compare_report *rep, const series *sv, double conf)
{
    buf t = {0};
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
        buf_printf(&t, "%c = %s (scenario %s)\n", (char)('A' + i), fs[i].dir, fs[i].name ? fs[i].name : "?");
    if (rep->batches) {
        buf_printf(&t, "Means over %llu replications", (unsigned long long)fs[0].reps);
        for (size_t i = 1; i < nf; i++)
            buf_printf(&t, "; %c - A: %s", (char)('A' + i),
                        rep->method[i] == COMPARE_PAIRED ? "paired (same seeds)" : "Welch");
        buf_printf(&t, "; %d%% intervals.\n\n", pct);
    } else {
        buf_puts(&t, "x of single runs (no intervals).\n\n");
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
        buf_printf(&t, "* the %d%% interval of the difference excludes zero\n", pct);
    return buf_take(&t);
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
 * AS_OK or AS_ERUNTIME (err set). */
static int try_paired(engine *e, const compare_options *opt, const folder *fs, size_t nf, const int *want, series *sv,
                      compare_report *rep, char *err, size_t errlen)
{
    int rc = AS_OK;
    paired *P = calloc(1, sizeof *P);
    if (!P) {
        set_err(err, errlen, "out of memory");
        return AS_ERUNTIME;
    }
    P->reps = fs[0].reps;
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
            rc = AS_ERUNTIME;
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
    if ((rc = paired_run(e, P, order, opt->confidence, ok, why, outs, err, errlen)) != AS_OK) {
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

int compare_run(engine *e, const compare_options *opt, compare_report *rep, char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    if (err && errlen)
        err[0] = '\0';
    size_t nf = opt->ndirs;
    if (nf < 2 || nf > COMPARE_MAX_DIRS || !(opt->confidence > 0.0 && opt->confidence < 1.0)) {
        set_err(err, errlen, "compare needs 2 to %d folders and a confidence in (0, 1)", COMPARE_MAX_DIRS);
        return AS_EUSAGE;
    }
    rep->ndirs = nf;
    int rc = AS_OK;
    folder *fs = calloc(nf, sizeof *fs);
    series *sv = calloc(nf, sizeof *sv);
    if (!fs || !sv) {
        free(fs);
        free(sv);
        set_err(err, errlen, "out of memory");
        return AS_ERUNTIME;
    }

    /* Read and check every folder before anything else. */
    for (size_t i = 0; i < nf; i++)
        if ((rc = folder_read(opt->dirs[i], &fs[i], err, errlen)) != AS_OK)
            goto done;
    rep->batches = fs[0].batch;
    for (size_t i = 1; i < nf; i++) {
        char la = 'A', lb = (char)('A' + i);
        if (fs[i].batch != fs[0].batch) {
            set_err(err, errlen,
                    "%c (%s) is a %s folder and %c (%s) a %s folder: compare folders of one kind (batches with "
                    "batches, runs with runs)",
                    la, fs[0].dir, fs[0].batch ? "batch" : "run", lb, fs[i].dir, fs[i].batch ? "batch" : "run");
            rc = AS_EUSAGE;
            goto done;
        }
        if (strcmp(fs[i].program, fs[0].program) != 0) {
            set_err(err, errlen,
                    "%c (%s) was written by %s and %c (%s) by %s: results of different program versions are not "
                    "comparable; rerun one of them",
                    la, fs[0].dir, fs[0].program, lb, fs[i].dir, fs[i].program);
            rc = AS_EUSAGE;
            goto done;
        }
        int same = fs[i].nkeys == fs[0].nkeys;
        for (size_t k = 0; same && k < fs[0].nkeys; k++)
            same = key_cmp(&fs[0].keys[k], &fs[i].keys[k]) == 0;
        if (!same) {
            char lA[2] = {la, 0}, lB[2] = {lb, 0};
            explain_mismatch(&fs[0], lA, &fs[i], lB, err, errlen);
            rc = AS_EUSAGE;
            goto done;
        }
    }
    if (fs[0].nkeys == 0) {
        set_err(err, errlen, "%s has no rows to compare", fs[0].dir);
        rc = AS_EUSAGE;
        goto done;
    }

    size_t n = fs[0].nkeys;
    rep->rows = n;
    for (size_t f = 0; f < nf; f++) {
        rep->reps[f] = fs[f].reps;
        if (series_init(&sv[f], &fs[f], n) != 0) {
            set_err(err, errlen, "out of memory");
            rc = AS_ERUNTIME;
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
    if (any && (rc = try_paired(e, opt, fs, nf, want, sv, rep, err, errlen)) != AS_OK)
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
    buf st = {0};
    for (size_t f = 1; f < nf; f++) {
        char *d = scenario_settings_diff(fs[0].scenario, fs[f].scenario, 40);
        if (!d) {
            st.failed = 1;
            break;
        }
        buf_printf(&st, "Settings that differ, A -> %c:\n%s", (char)('A' + f), *d ? d : "  (none)\n");
        free(d);
    }
    rep->settings = buf_take(&st);
    if (!rep->table || !rep->settings) {
        set_err(err, errlen, "out of memory");
        rc = AS_ERUNTIME;
        goto done;
    }
    if (opt->outdir)
        snprintf(rep->outdir, sizeof rep->outdir, "%s", opt->outdir);
    else
        snprintf(rep->outdir, sizeof rep->outdir, "out/compare-%.100s-%.100s", fs[0].name ? fs[0].name : "A",
                 fs[1].name ? fs[1].name : "B");
    if (engine_rank(e) == 0 && (io_mkdir_p(rep->outdir, err, errlen) != IO_OK ||
                                write_table(opt, rep->outdir, fs, nf, rep, sv, err, errlen) != 0))
        rc = AS_EIO;
done:
    for (size_t f = 0; f < nf; f++) {
        series_free(&sv[f]);
        folder_clear(&fs[f]);
    }
    free(sv);
    free(fs);
    return rc;
}
