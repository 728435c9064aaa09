/*
 * sweep - design expansion, point seeds and the sweep run (see sweep.h).
 *
 * Each point is loaded as a scenario of its own (overrides and seed) and
 * run once, as a batch into its folder (run/batch.h writes summary.tsv and
 * the rest); the statistics of sweep.tsv that the batch files do not carry
 * (the label-5 date, the replay score) come from the same replications'
 * outcome tally (run/rep.h), exact and merged in any order, so sweep.tsv is
 * the same for any number of threads and ranks.  Finished points are kept
 * in the executor's journal, so `--resume` reruns only what is missing.
 */
#include "study/sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "base/buf.h"
#include "base/num.h"
#include "base/status.h"
#include "io/atomic.h"
#include "model/model.h"
#include "run/batch.h"
#include "run/summary.h"
#include "stats/rng.h"
#include "stats/stats.h"

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
    char text[64];
    double r = v;
    snprintf(text, sizeof text, "%.12g", v);
    (void)num_parse_double(text, &r);
    return r;
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
    return AS_OK;
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
        return AS_ERUNTIME;
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
        return AS_ERUNTIME;
    }
    for (size_t i = 0; i < d->npoints; i++) {
        if (gsl_qrng_get(q, u) != GSL_SUCCESS) {
            gsl_qrng_free(q);
            snprintf(err, errlen, "the Sobol sequence failed at point %zu", i);
            return AS_ERUNTIME;
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
        return AS_ERUNTIME;
    }
    d->x = malloc(n * k * sizeof *d->x);
    if (!d->x) {
        snprintf(err, errlen, "out of memory");
        return AS_ERUNTIME;
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

void sweep_format_set(const sweep_file *sf, size_t j, double value, char *out, size_t len)
{
    char num[TSV_DOUBLE_BUFSIZE];
    tsv_format_double(num, sizeof num, value);
    snprintf(out, len, "%s=%s", sf->params[j].path, num);
}

/* ------------------------------------------------------------------ */
/* Running                                                            */
/* ------------------------------------------------------------------ */

static uint64_t hash_text(uint64_t h, const char *s)
{
    return buf_fnv1a(h, s, strlen(s) + 1);
}

/* Runs point p of d (the scenario's seed is base_seed) as a batch in
 * folder; fills *tally (root) and *seed_out.  Returns an AS_* code; a
 * point whose scenario does not load appends its diagnostics to diags. */
static int run_point(engine *e, const sweep_file *sf, const sweep_design *d, size_t p, uint64_t base_seed,
                     const sweep_options *opt, const char *folder, rep_tally *tally, uint64_t *seed_out,
                     scenario_diags *diags, char *err, size_t errlen)
{
    const double *values = d->x + p * d->k;
    const char **sets = calloc(d->k, sizeof *sets);
    char (*sets_buf)[SPEC_PATH_LEN + 40] = calloc(d->k, sizeof *sets_buf);
    if (!sets || !sets_buf) {
        free(sets);
        free(sets_buf);
        snprintf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    for (size_t j = 0; j < d->k; j++) {
        sweep_format_set(sf, j, values[j], sets_buf[j], sizeof sets_buf[j]);
        sets[j] = sets_buf[j];
    }
    model_spec spec;
    model_spec_init(&spec);
    char *resolved = NULL;
    uint64_t seed = sweep_point_seed(base_seed, sf, values);
    scenario_options so = {sets, d->k, 1, seed, NULL};
    int rc = scenario_load(sf->scenario, &so, &spec, &resolved, diags);
    free(sets);
    free(sets_buf);
    if (rc != SCENARIO_OK)
        return rc == SCENARIO_EIO ? AS_EIO : AS_EUSAGE;
    *seed_out = seed;

    char num[32];
    snprintf(num, sizeof num, "%zu", p);
    io_kv *prov = malloc((opt->nprov + 2) * sizeof *prov);
    char *ckpt = io_join(folder, BATCH_CKPT_FILE);
    int status = AS_ENOMEM;
    if (!prov || !ckpt) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    memcpy(prov, opt->prov, opt->nprov * sizeof *prov);
    prov[opt->nprov] = (io_kv){"sweep", sf->file};
    prov[opt->nprov + 1] = (io_kv){"point", num};
    /* A resumed sweep continues an interrupted point; the points it
     * finished come back from the journal. */
    int resume = opt->resume && access(ckpt, F_OK) == 0;
    unsigned char sw[8];
    buf_put_u64(sw, seed);
    uint64_t key = hash_text(buf_fnv1a(BUF_FNV_OFFSET, sw, 8), resolved);
    batch_options bo = {opt->reps, resume, folder, prov, opt->nprov + 2, (uint64_t)p * opt->reps,
                        (uint64_t)d->npoints * opt->reps, key};
    batch_report br;
    status = batch_run(e, &spec, resolved, &bo, &br, err, errlen);
    if (status == AS_OK)
        *tally = br.tally;
done:
    free(prov);
    free(ckpt);
    free(resolved);
    model_spec_clear(&spec);
    return status;
}

/* Root: scenario.cfg and sweep.cfg of the sweep folder. */
static int write_inputs(const sweep_file *sf, const char *base_resolved, const char *dir, char *err, size_t errlen)
{
    char *path = io_join(dir, "scenario.cfg");
    int rc = path && io_write_file_atomic(path, base_resolved, strlen(base_resolved), err, errlen) == AS_OK
                 ? AS_OK
                 : AS_EIO;
    free(path);
    if (rc != AS_OK)
        return rc;
    size_t tlen = 0;
    char *text = io_read_file(sf->file, &tlen);
    if (!text) {
        snprintf(err, errlen, "%s: cannot read the sweep file again", sf->file);
        return AS_EIO;
    }
    path = io_join(dir, "sweep.cfg");
    rc = path && io_write_file_atomic(path, text, tlen, err, errlen) == AS_OK ? AS_OK : AS_EIO;
    free(path);
    free(text);
    return rc;
}

/* Root: sweep.tsv from the points' tallies. */
static int write_table(const sweep_file *sf, const sweep_design *d, const model_spec *base_spec,
                       const sweep_options *opt, const rep_tally *tallies, const uint64_t *seeds,
                       char (*rel)[64], char *err, size_t errlen)
{
    static const char *const tail[] = {"seed",     "reps",     "alliances", "p_alliance",   "ci_lo",
                                       "ci_hi",    "reversals", "l5_share", "l5_year",      "l5_ci_lo",
                                       "l5_ci_hi", "replay_score", "replay_within1", "folder"};
    size_t ntail = sizeof tail / sizeof tail[0], nc = 0;
    const char **cols = calloc(d->k + 1 + ntail, sizeof *cols);
    io_kv *prov = calloc(10 + opt->nprov, sizeof *prov);
    char *path = io_join(opt->outdir, "sweep.tsv");
    int rc = AS_ENOMEM;
    if (!cols || !prov || !path) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    cols[nc++] = "point";
    for (size_t j = 0; j < d->k; j++)
        cols[nc++] = sf->params[j].path;
    for (size_t i = 0; i < ntail; i++)
        cols[nc++] = tail[i];
    char reps_text[32], points_text[32], seed_text[32];
    snprintf(reps_text, sizeof reps_text, "%llu", (unsigned long long)opt->reps);
    snprintf(points_text, sizeof points_text, "%zu", d->npoints);
    snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)base_spec->seed);
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
    memcpy(prov + np, opt->prov, opt->nprov * sizeof *prov);
    np += opt->nprov;
    rc = AS_EIO;
    tsv_writer *w = tsv_open(path, prov, np, cols, nc, err, errlen);
    if (!w)
        goto done;
    for (size_t p = 0; p < d->npoints; p++) {
        rep_stats st;
        rep_tally_stats(&tallies[p], SUMMARY_CONFIDENCE, base_spec->horizon, &st);
        tsv_int(w, (int64_t)p);
        for (size_t j = 0; j < d->k; j++)
            tsv_double(w, d->x[p * d->k + j]);
        tsv_int(w, (int64_t)seeds[p]);
        tsv_int(w, (int64_t)tallies[p].n);
        tsv_int(w, (int64_t)tallies[p].alliances);
        tsv_double(w, st.p);
        tsv_double(w, st.p_lo);
        tsv_double(w, st.p_hi);
        tsv_int(w, (int64_t)tallies[p].reversals);
        tsv_double(w, st.l5_share);
        tsv_double(w, st.l5_mean);
        tsv_double(w, st.l5_lo);
        tsv_double(w, st.l5_hi);
        tsv_double(w, st.within2);
        tsv_double(w, st.within1);
        tsv_str(w, rel[p]);
        tsv_end_row(w);
    }
    rc = tsv_commit(w, err, errlen) == AS_OK ? AS_OK : AS_EIO;
done:
    free(cols);
    free(prov);
    free(path);
    return rc;
}

int sweep_run(engine *e, const sweep_file *sf, const sweep_design *d, const model_spec *base_spec,
              const char *base_resolved, const sweep_options *opt, scenario_diags *diags, char *err,
              size_t errlen)
{
    int root = engine_rank(e) == 0;
    rep_tally *tallies = calloc(d->npoints ? d->npoints : 1, sizeof *tallies);
    uint64_t *seeds = calloc(d->npoints ? d->npoints : 1, sizeof *seeds);
    char(*rel)[64] = calloc(d->npoints ? d->npoints : 1, sizeof *rel);
    char *jpath = io_join(opt->outdir, ".sweep.journal");
    int rc = AS_OK;
    if (!tallies || !seeds || !rel || !jpath) {
        snprintf(err, errlen, "out of memory");
        rc = AS_ENOMEM;
    }
    if (rc == AS_OK && root && io_mkdir_p(opt->outdir, err, errlen) != AS_OK)
        rc = AS_EIO;
    if (rc == AS_OK && root)
        rc = write_inputs(sf, base_resolved, opt->outdir, err, errlen);
    rc = engine_agree(e, rc);
    if (rc == AS_OK) {
        /* The journal of finished points belongs to this sweep file, base
         * scenario and number of replications. */
        char reps_text[32];
        snprintf(reps_text, sizeof reps_text, "%llu", (unsigned long long)opt->reps);
        uint64_t key = hash_text(hash_text(hash_text(BUF_FNV_OFFSET, sf->file), base_resolved), reps_text);
        rc = engine_journal_open(e, jpath, key, opt->resume, err, errlen);
        if (rc != AS_OK) {
            free(tallies);
            free(seeds);
            free(rel);
            free(jpath);
            return rc;
        }
    }
    int width = 3;
    for (size_t n = d->npoints > 0 ? d->npoints - 1 : 0; n >= 1000; n /= 10)
        width++;
    for (size_t p = 0; rc == AS_OK && p < d->npoints; p++) {
        char folder[SWEEP_PATH_LEN + 64];
        snprintf(rel[p], sizeof rel[p], "points/%0*zu", width > 9 ? 9 : width, p % 1000000000u);
        snprintf(folder, sizeof folder, "%s/%s", opt->outdir, rel[p]);
        rc = run_point(e, sf, d, p, base_spec->seed, opt, folder, &tallies[p], &seeds[p], diags, err, errlen);
        rc = engine_agree(e, rc);
    }
    if (rc == AS_OK && root)
        rc = write_table(sf, d, base_spec, opt, tallies, seeds, rel, err, errlen);
    rc = engine_agree(e, rc);
    rc = engine_journal_close(e, rc, err, errlen);
    free(tallies);
    free(seeds);
    free(rel);
    free(jpath);
    return rc;
}
