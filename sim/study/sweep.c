/*
 * sweep - design expansion, point seeds and the sweep run (see sweep.h).
 *
 * Each point is loaded as a scenario of its own (overrides and seed), run
 * as a batch into its folder (run/batch.h writes summary.tsv and the rest),
 * and run once more through the study evaluator for the statistics of
 * sweep.tsv, which the batch files do not carry (the label-5 date, the
 * replay score).  Both runs use the same seeds and the same code path
 * (model_draw_params, then model_run), so the two agree replication by
 * replication.  Statistics are reduced in replication order: sweep.tsv is
 * the same for any number of threads.
 */
#include "study/sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "io/atomic.h"
#include "model/model.h"
#include "run/batch.h"
#include "stats/rng.h"
#include "stats/stats.h"
#include "study/evaluate.h"

void sweep_design_clear(sweep_design *d)
{
    free(d->x);
    d->x = NULL;
    d->npoints = d->k = 0;
}

/* v to 12 significant digits: design values print as 0.9, not
 * 0.9000000000000001, and read back exactly from a --set override. */
static double round12(double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.12g", v);
    return strtod(buf, NULL);
}

static int expand_grid(const sweep_file *sf, sweep_design *d)
{
    size_t k = sf->nparams;
    for (size_t p = 0; p < d->npoints; p++) {
        /* Mixed-radix digits of p, the last parameter fastest. */
        size_t rest = p;
        for (size_t j = k; j-- > 0;) {
            size_t n = sf->params[j].nvalues;
            d->x[p * k + j] = sf->params[j].values[rest % n];
            rest /= n;
        }
    }
    return 0;
}

static int expand_lhs(const sweep_file *sf, sweep_design *d, char *err, size_t errlen)
{
    size_t n = d->npoints, k = sf->nparams;
    gsl_rng *r = rng_alloc(sf->seed, RNG_STREAM_LHS);
    size_t *perm = malloc(n * sizeof *perm);
    if (!r || !perm) {
        gsl_rng_free(r);
        free(perm);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t j = 0; j < k; j++) {
        for (size_t i = 0; i < n; i++)
            perm[i] = i;
        gsl_ran_shuffle(r, perm, n, sizeof *perm);
        const sweep_param *p = &sf->params[j];
        for (size_t i = 0; i < n; i++) {
            double u = ((double)perm[i] + gsl_rng_uniform(r)) / (double)n;
            d->x[i * k + j] = round12(p->min + u * (p->max - p->min));
        }
    }
    gsl_rng_free(r);
    free(perm);
    return 0;
}

static int expand_sobol(const sweep_file *sf, sweep_design *d, char *err, size_t errlen)
{
    size_t k = sf->nparams;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)k);
    double u[SWEEP_MAX_PARAMS];
    if (!q) {
        snprintf(err, errlen, "cannot start a Sobol sequence in %zu dimensions (at most 40)", k);
        return -1;
    }
    for (size_t i = 0; i < d->npoints; i++) {
        if (gsl_qrng_get(q, u) != GSL_SUCCESS) {
            gsl_qrng_free(q);
            snprintf(err, errlen, "the Sobol sequence failed at point %zu", i);
            return -1;
        }
        for (size_t j = 0; j < k; j++) {
            const sweep_param *p = &sf->params[j];
            d->x[i * k + j] = round12(p->min + u[j] * (p->max - p->min));
        }
    }
    gsl_qrng_free(q);
    return 0;
}

int sweep_design_expand(const sweep_file *sf, sweep_design *d, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    size_t k = sf->nparams, n = sf->points;
    if (k == 0 || k > SWEEP_MAX_PARAMS || n == 0 || n > SWEEP_MAX_POINTS) {
        snprintf(err, errlen, "a design needs 1 to %d parameters and 1 to %d points", SWEEP_MAX_PARAMS,
                 SWEEP_MAX_POINTS);
        return -1;
    }
    d->x = malloc(n * k * sizeof *d->x);
    if (!d->x) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    d->npoints = n;
    d->k = k;
    int rc = sf->design == SWEEP_GRID  ? expand_grid(sf, d)
             : sf->design == SWEEP_LHS ? expand_lhs(sf, d, err, errlen)
                                       : expand_sobol(sf, d, err, errlen);
    if (rc != 0)
        sweep_design_clear(d);
    return rc;
}

static uint64_t fnv1a64(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t sweep_point_seed(uint64_t scenario_seed, const sweep_file *sf, const double *values)
{
    uint64_t h = rng_mix64(scenario_seed ^ 0x5357454550ULL);
    for (size_t j = 0; j < sf->nparams; j++) {
        double v = values[j] == 0.0 ? 0.0 : values[j];
        uint64_t bits;
        memcpy(&bits, &v, sizeof bits);
        h = rng_mix64(h ^ fnv1a64(sf->params[j].path));
        h = rng_mix64(h ^ bits);
    }
    return h & 0x7fffffffffffffffULL;
}

void sweep_format_set(const sweep_file *sf, size_t j, double value, char *buf, size_t len)
{
    char num[TSV_DOUBLE_BUFSIZE];
    tsv_format_double(num, sizeof num, value);
    snprintf(buf, len, "%s=%s", sf->params[j].path, num);
}

/* ------------------------------------------------------------------ */
/* Running                                                            */
/* ------------------------------------------------------------------ */

/* Statistics of one point, reduced in replication order. */
typedef struct {
    uint64_t reps, alliances, reversals, l5n;
    double p, p_lo, p_hi;
    double l5_share, l5_mean, l5_lo, l5_hi;
    double score, within1;
} point_stats;

static void reduce(const eval_rep *r, uint64_t n, point_stats *ps)
{
    memset(ps, 0, sizeof *ps);
    ps->reps = n;
    double l5sum = 0.0, ssum = 0.0, w1sum = 0.0;
    for (uint64_t i = 0; i < n; i++) {
        ps->alliances += isnan(r[i].alliance_year) ? 0u : 1u;
        ps->reversals += r[i].reversal ? 1u : 0u;
        if (!isnan(r[i].l5_year)) {
            ps->l5n++;
            l5sum += r[i].l5_year;
        }
        ssum += r[i].within2;
        w1sum += r[i].within1;
    }
    ps->p = (double)ps->alliances / (double)n;
    if (stats_clopper_pearson(ps->alliances, n, BATCH_CONFIDENCE, &ps->p_lo, &ps->p_hi) != STATS_OK)
        ps->p_lo = ps->p_hi = NAN;
    ps->l5_share = (double)ps->l5n / (double)n;
    ps->l5_mean = ps->l5n ? l5sum / (double)ps->l5n : NAN;
    ps->l5_lo = ps->l5_hi = NAN;
    if (ps->l5n >= 2) {
        double ss = 0.0;
        for (uint64_t i = 0; i < n; i++)
            if (!isnan(r[i].l5_year))
                ss += (r[i].l5_year - ps->l5_mean) * (r[i].l5_year - ps->l5_mean);
        double sd = sqrt(ss / (double)(ps->l5n - 1));
        if (stats_mean_ci(ps->l5n, ps->l5_mean, sd, BATCH_CONFIDENCE, &ps->l5_lo, &ps->l5_hi) != STATS_OK)
            ps->l5_lo = ps->l5_hi = NAN;
    }
    ps->score = ssum / (double)n;
    ps->within1 = w1sum / (double)n;
}

/* Progress of the whole sweep: offset plus the part done by the current
 * stage of the current point. */
typedef struct {
    const sweep_options *opt;
    uint64_t offset, total;
} sweep_progress;

static void stage_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)total;
    sweep_progress *sp = ctx;
    if (sp->opt->progress)
        sp->opt->progress(sp->opt->progress_ctx, sp->offset + done, sp->total);
}

/* Runs point p of d (the scenario's seed is base_seed) into folder; fills
 * ps and *seed_out.  reps_out and tasks have room for opt->reps entries.
 * Returns a SWEEP_* code. */
static int run_point(const sweep_file *sf, const sweep_design *d, size_t p, uint64_t base_seed,
                     const sweep_options *opt,
                     const char *folder, sweep_progress *sp, eval_rep *reps_out, eval_task *tasks,
                     point_stats *ps, uint64_t *seed_out, scenario_diags *diags, char *err, size_t errlen)
{
    const double *values = d->x + p * d->k;
    char sets_buf[SWEEP_MAX_PARAMS][SPEC_PATH_LEN + 40];
    const char *sets[SWEEP_MAX_PARAMS];
    for (size_t j = 0; j < d->k; j++) {
        sweep_format_set(sf, j, values[j], sets_buf[j], sizeof sets_buf[j]);
        sets[j] = sets_buf[j];
    }
    model_spec spec;
    model_spec_init(&spec);
    char *resolved = NULL;
    uint64_t seed = sweep_point_seed(base_seed, sf, values);
    scenario_options so = {sets, d->k, 1, seed};
    int rc = scenario_load(sf->scenario, &so, &spec, &resolved, diags);
    if (rc != SCENARIO_OK)
        return rc == SCENARIO_EIO ? SWEEP_ERUNTIME : SWEEP_EBAD;
    *seed_out = seed;

    int result = SWEEP_ERUNTIME;
    study_eval *ev = NULL;
    char num[32];
    snprintf(num, sizeof num, "%zu", p);
    io_kv prov[16];
    size_t np = 0;
    for (size_t i = 0; i < opt->nprov && np < 12; i++)
        prov[np++] = opt->prov[i];
    prov[np++] = (io_kv){"sweep", sf->file};
    prov[np++] = (io_kv){"point", num};
    batch_options bo = {opt->reps, opt->threads, 0, folder, prov, np, NULL, 0, stage_progress, sp};
    batch_report br;
    int st = batch_run(&spec, resolved, &bo, &br, err, errlen);
    if (st != BATCH_OK) {
        result = st == BATCH_EUSAGE ? SWEEP_EBAD : SWEEP_ERUNTIME;
        goto done;
    }
    sp->offset += opt->reps;
    ev = study_eval_alloc(&spec, opt->threads, NULL, 0);
    if (!ev) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for (uint64_t r = 0; r < opt->reps; r++)
        tasks[r] = (eval_task){NULL, batch_rep_seed(seed, r)};
    if (study_eval_run(ev, tasks, opt->reps, reps_out, NULL, NULL, stage_progress, sp, err, errlen) != 0)
        goto done;
    sp->offset += opt->reps;
    reduce(reps_out, opt->reps, ps);
    result = SWEEP_OK;
done:
    study_eval_free(ev);
    free(resolved);
    model_spec_clear(&spec);
    return result;
}

int sweep_run(const sweep_file *sf, const sweep_design *d, const model_spec *base_spec,
              const char *base_resolved, const sweep_options *opt, scenario_diags *diags, char *err,
              size_t errlen)
{
    int rc = SWEEP_ERUNTIME;
    eval_rep *reps = NULL;
    eval_task *tasks = NULL;
    tsv_writer *w = NULL;
    char **cols = NULL;
    char *text = NULL;
    char path[SWEEP_PATH_LEN + 64];
    size_t ncol = d->k + 16;

    if (io_mkdir_p(opt->outdir, err, errlen) != IO_OK)
        return SWEEP_ERUNTIME;
    reps = malloc(opt->reps * sizeof *reps);
    tasks = malloc(opt->reps * sizeof *tasks);
    cols = calloc(ncol, sizeof *cols);
    if (!reps || !tasks || !cols) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }

    /* The base scenario and the sweep file, for the record. */
    snprintf(path, sizeof path, "%s/scenario.cfg", opt->outdir);
    if (io_write_file_atomic(path, base_resolved, strlen(base_resolved), err, errlen) != IO_OK)
        goto done;
    size_t tlen = 0;
    text = io_read_file(sf->file, &tlen);
    if (!text) {
        snprintf(err, errlen, "%s: cannot read the sweep file again", sf->file);
        goto done;
    }
    snprintf(path, sizeof path, "%s/sweep.cfg", opt->outdir);
    if (io_write_file_atomic(path, text, tlen, err, errlen) != IO_OK)
        goto done;

    static const char *const tail[] = {"seed",     "reps",     "alliances", "p_alliance",   "ci_lo",
                                       "ci_hi",    "reversals", "l5_share", "l5_year",      "l5_ci_lo",
                                       "l5_ci_hi", "replay_score", "replay_within1", "folder"};
    size_t nc = 0;
    cols[nc++] = (char *)"point";
    for (size_t j = 0; j < d->k; j++)
        cols[nc++] = (char *)sf->params[j].path;
    for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++)
        cols[nc++] = (char *)tail[i];

    char reps_text[32], points_text[32], seed_text[32];
    snprintf(reps_text, sizeof reps_text, "%llu", (unsigned long long)opt->reps);
    snprintf(points_text, sizeof points_text, "%zu", d->npoints);
    snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)base_spec->seed);
    io_kv prov[24];
    size_t np = 0;
    prov[np++] = (io_kv){"program", "alignsim " ALIGNSIM_VERSION};
    prov[np++] = (io_kv){"sweep", sf->file};
    prov[np++] = (io_kv){"scenario", base_spec->name};
    prov[np++] = (io_kv){"scenario_file", sf->scenario};
    prov[np++] = (io_kv){"scenario_seed", seed_text};
    prov[np++] = (io_kv){"design", sweepfile_design_name(sf->design)};
    prov[np++] = (io_kv){"points", points_text};
    prov[np++] = (io_kv){"replications", reps_text};
    prov[np++] = (io_kv){"seeds", "point seed = hash of scenario seed, parameter paths and values; "
                                  "replication r: batch_rep_seed(point seed, r)"};
    prov[np++] = (io_kv){"confidence", "0.95"};
    for (size_t i = 0; i < opt->nprov && np < 22; i++)
        prov[np++] = opt->prov[i];
    snprintf(path, sizeof path, "%s/sweep.tsv", opt->outdir);
    w = tsv_open(path, prov, np, (const char *const *)cols, nc, err, errlen);
    if (!w)
        goto done;

    int width = 3;
    for (size_t n = d->npoints > 0 ? d->npoints - 1 : 0; n >= 1000; n /= 10)
        width++;
    sweep_progress sp = {opt, 0, 2 * opt->reps * d->npoints};
    for (size_t p = 0; p < d->npoints; p++) {
        char rel[64], folder[SWEEP_PATH_LEN + 64];
        snprintf(rel, sizeof rel, "points/%0*zu", width > 9 ? 9 : width, p % 1000000000u);
        snprintf(folder, sizeof folder, "%s/%s", opt->outdir, rel);
        point_stats ps;
        uint64_t seed = 0;
        sp.offset = 2 * opt->reps * p;
        int prc = run_point(sf, d, p, base_spec->seed, opt, folder, &sp, reps, tasks, &ps, &seed, diags, err, errlen);
        if (prc != SWEEP_OK) {
            rc = prc;
            goto done;
        }
        tsv_int(w, (int64_t)p);
        for (size_t j = 0; j < d->k; j++)
            tsv_double(w, d->x[p * d->k + j]);
        tsv_int(w, (int64_t)seed);
        tsv_int(w, (int64_t)ps.reps);
        tsv_int(w, (int64_t)ps.alliances);
        tsv_double(w, ps.p);
        tsv_double(w, ps.p_lo);
        tsv_double(w, ps.p_hi);
        tsv_int(w, (int64_t)ps.reversals);
        tsv_double(w, ps.l5_share);
        tsv_double(w, ps.l5_mean);
        tsv_double(w, ps.l5_lo);
        tsv_double(w, ps.l5_hi);
        tsv_double(w, ps.score);
        tsv_double(w, ps.within1);
        tsv_str(w, rel);
        if (tsv_end_row(w) != IO_OK)
            break;
    }
    if (tsv_commit(w, err, errlen) != IO_OK) {
        w = NULL;
        goto done;
    }
    w = NULL;
    rc = SWEEP_OK;
done:
    tsv_abort(w);
    free(text);
    free(cols);
    free(reps);
    free(tasks);
    return rc;
}
