/*
 * paired - the paired re-run of compare (see paired.h).
 */
#include "study/paired.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/status.h"
#include "model/model.h"
#include "model/spec.h"
#include "run/rep.h"
#include "scenario/scenario.h"
#include "stats/cells.h"
#include "stats/stats.h"

#define PATH_LEN 4200

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
        model_set_stop(w->m[s], t->stop);
        int rc = model_run(w->m[s], t->seed, NULL, &obs, NULL);
        if (rc != MODEL_OK)
            return rep_model_failure(w->m[s], rc, err, errlen);
    }
    for (size_t i = 0; i < P->nrows; i++)
        for (size_t s = 0; s < P->n; s++) {
            double v = w->x[s][i];
            if (isnan(v))
                continue;
            if (stats_cells_add(a->val[s], i, v, w->al[s][i]) != AS_OK)
                goto full;
            if (s == 0 || isnan(w->x[0][i]))
                continue;
            if (stats_cells_add(a->dx[s], i, v - w->x[0][i], 0) != AS_OK ||
                stats_cells_add(a->dp[s], i, (double)w->al[s][i] - (double)w->al[0][i], 0) != AS_OK)
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
        if (stats_cells_merge(d->val[k], s->val[k]) != AS_OK ||
            (k > 0 && (stats_cells_merge(d->dx[k], s->dx[k]) != AS_OK ||
                       stats_cells_merge(d->dp[k], s->dp[k]) != AS_OK)))
            return AS_ERUNTIME;
    return AS_OK;
}

/* Appends one stats_cells image with its length. */
static int pack_cells(const stats_cells *c, buf *out)
{
    size_t n = stats_cells_packed_size(c);
    buf_append_u64(out, n);
    if (buf_reserve(out, n) != 0 || stats_cells_pack(c, out->data + out->len, n) != AS_OK)
        return AS_ENOMEM;
    out->len += n;
    return AS_OK;
}

static int unpack_cells(stats_cells *c, buf_reader *r)
{
    uint64_t n = buf_read_u64(r);
    const unsigned char *p = buf_read_bytes(r, n);
    return !r->failed && stats_cells_unpack(c, p, (size_t)n) == AS_OK ? AS_OK : AS_ERUNTIME;
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
static int build_map(paired *P, size_t s, const resultdir *a)
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
    if (stats_cells_summary(c, i, conf, &sm) == AS_EUSAGE || sm.n < 1)
        return;
    *m = sm.mean;
    if (sm.n < 2 || stats_paired_ci(sm.n, sm.mean, sm.sd, conf, lo, hi) != AS_OK)
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
static int paired_run(engine *e, paired *P, const resultdir *const *fs, double conf, int *ok, char why[][256],
                      compare_series *const *out, char *err, size_t errlen)
{
    pacc *a = pa_alloc(P);
    if (!a) {
        as_errf(err, errlen, "out of memory");
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
        as_errf(err, errlen, "paired re-run: %s", msg);
        goto done;
    }
    if (engine_rank(e) != 0)
        goto done;
    /* The re-run must reproduce each folder: the batch accumulated the same
     * quantised values, so count, mean and P(alliance) agree to rounding. */
    for (size_t s = 0; s < P->n; s++) {
        ok[s] = 1;
        const resultdir *f = fs[s];
        for (size_t i = 0; i < P->nrows && ok[s]; i++) {
            stats_summary sm;
            if (stats_cells_summary(a->val[s], i, conf, &sm) == AS_EUSAGE)
                sm.n = 0;
            double want = resultdir_cell(f, f->keys[i].row, f->c_mean);
            double want_p = resultdir_cell(f, f->keys[i].row, f->c_p);
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

/* Loads folder f's scenario.cfg into spec; returns 0, or -1 with why. */
static int load_spec(const resultdir *f, model_spec *spec, char *why, size_t len)
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

/* Tries to pair every folder f with want[f] with A: loads the scenarios,
 * re-runs them and fills sv[f]'s differences, setting rep->method[f] to
 * paired, or leaves them to Welch with rep->why[f] saying why.  Returns
 * AS_OK or AS_ERUNTIME (err set). */
int compare_paired(engine *e, const compare_options *opt, const resultdir *fs, size_t nf, const int *want, compare_series *sv,
                      compare_report *rep, char *err, size_t errlen)
{
    int rc = AS_OK;
    paired *P = calloc(1, sizeof *P);
    if (!P) {
        as_errf(err, errlen, "out of memory");
        return AS_ERUNTIME;
    }
    P->reps = fs[0].reps;
    const resultdir *order[COMPARE_MAX_DIRS];
    compare_series *outs[COMPARE_MAX_DIRS] = {0};
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
            as_errf(err, errlen, "out of memory");
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
