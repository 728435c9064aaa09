/*
 * compare - result folders side by side (see compare.h): the driver, the
 * Welch intervals and compare.tsv.  The folders are read by
 * study/folder, the paired re-run is study/paired, the projector table
 * study/projector, the settings diff scenario/diff.
 *
 * Invariants: folder A's rows, sorted by (year, dyad), are the rows of
 * compare.tsv, and every other folder has exactly the same sorted keys
 * (else the comparison is refused before anything is written); nothing is
 * written unless every check passed.
 */
#include "study/compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/status.h"
#include "io/atomic.h"
#include "scenario/diff.h"
#include "stats/stats.h"
#include "study/paired.h"
#include "study/projector.h"
#include "study/resultdir.h"

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

/* Writes compare.tsv (see compare.h for the columns). */
static int write_table(const compare_options *opt, const char *outdir, const resultdir *fs, size_t nf,
                       const compare_report *rep, const compare_series *sv, char *err, size_t errlen)
{
    const resultdir *a = &fs[0];
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
        const resultdir_key *k = &a->keys[i];
        tsv_double(w, k->year);
        tsv_str(w, k->dyad);
        tsv_double(w, sv[0].mean[i]);
        tsv_double(w, sv[1].mean[i]);
        tsv_double(w, sv[1].d[i]);
        tsv_double(w, sv[1].lo[i]);
        tsv_double(w, sv[1].hi[i]);
        for (size_t f = 0; f < 2; f++) {
            tsv_double(w, resultdir_cell(&fs[f], fs[f].keys[i].row, fs[f].c_q05));
            tsv_double(w, resultdir_cell(&fs[f], fs[f].keys[i].row, fs[f].c_q95));
        }
        tsv_double(w, sv[0].p[i]);
        tsv_double(w, sv[1].p[i]);
        tsv_double(w, sv[1].pd[i]);
        tsv_double(w, sv[1].plo[i]);
        tsv_double(w, sv[1].phi[i]);
        for (size_t f = 2; f < nf; f++) {
            const resultdir *F = &fs[f];
            size_t row = F->keys[i].row;
            tsv_double(w, sv[f].mean[i]);
            tsv_double(w, sv[f].d[i]);
            tsv_double(w, sv[f].lo[i]);
            tsv_double(w, sv[f].hi[i]);
            tsv_double(w, resultdir_cell(F, row, F->c_q05));
            tsv_double(w, resultdir_cell(F, row, F->c_q95));
            tsv_double(w, sv[f].p[i]);
            tsv_double(w, sv[f].pd[i]);
            tsv_double(w, sv[f].plo[i]);
            tsv_double(w, sv[f].phi[i]);
        }
        tsv_end_row(w);
    }
    return tsv_commit(w, err, errlen) == AS_OK ? 0 : -1;
}

void compare_report_clear(compare_report *rep)
{
    free(rep->table);
    free(rep->settings);
    rep->table = rep->settings = NULL;
}

static void series_free(compare_series *s)
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
static int series_init(compare_series *s, const resultdir *f, size_t n)
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
        s->mean[i] = resultdir_cell(f, f->keys[i].row, f->c_mean);
        s->p[i] = resultdir_cell(f, f->keys[i].row, f->c_p);
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
    if (stats_welch_ci(mb, sb, nb, ma, sa, na, conf, &dd, lo, hi, &df) != AS_OK)
        *lo = *hi = NAN;
}

/* Sample sd of a 0/1 variable with proportion p over n observations. */
static double bernoulli_sd(double p, uint64_t n)
{
    if (isnan(p) || n < 2)
        return NAN;
    return sqrt(p * (1.0 - p) * (double)n / (double)(n - 1));
}

int compare_run(engine *e, const compare_options *opt, compare_report *rep, char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    if (err && errlen)
        err[0] = '\0';
    size_t nf = opt->ndirs;
    if (nf < 2 || nf > COMPARE_MAX_DIRS || !(opt->confidence > 0.0 && opt->confidence < 1.0)) {
        as_errf(err, errlen, "compare needs 2 to %d folders and a confidence in (0, 1)", COMPARE_MAX_DIRS);
        return AS_EUSAGE;
    }
    rep->ndirs = nf;
    int rc = AS_OK;
    resultdir *fs = calloc(nf, sizeof *fs);
    compare_series *sv = calloc(nf, sizeof *sv);
    if (!fs || !sv) {
        free(fs);
        free(sv);
        as_errf(err, errlen, "out of memory");
        return AS_ERUNTIME;
    }

    /* Read and check every folder before anything else. */
    for (size_t i = 0; i < nf; i++)
        if ((rc = resultdir_read(opt->dirs[i], &fs[i], err, errlen)) != AS_OK)
            goto done;
    rep->batches = fs[0].batch;
    for (size_t i = 1; i < nf; i++) {
        char la = 'A', lb = (char)('A' + i);
        if (fs[i].batch != fs[0].batch) {
            as_errf(err, errlen,
                    "%c (%s) is a %s folder and %c (%s) a %s folder: compare folders of one kind (batches with "
                    "batches, runs with runs)",
                    la, fs[0].dir, fs[0].batch ? "batch" : "run", lb, fs[i].dir, fs[i].batch ? "batch" : "run");
            rc = AS_EUSAGE;
            goto done;
        }
        if (strcmp(fs[i].program, fs[0].program) != 0) {
            as_errf(err, errlen,
                    "%c (%s) was written by %s and %c (%s) by %s: results of different program versions are not "
                    "comparable; rerun one of them",
                    la, fs[0].dir, fs[0].program, lb, fs[i].dir, fs[i].program);
            rc = AS_EUSAGE;
            goto done;
        }
        int same = fs[i].nkeys == fs[0].nkeys;
        for (size_t k = 0; same && k < fs[0].nkeys; k++)
            same = resultdir_key_cmp(&fs[0].keys[k], &fs[i].keys[k]) == 0;
        if (!same) {
            char lA[2] = {la, 0}, lB[2] = {lb, 0};
            resultdir_explain_mismatch(&fs[0], lA, &fs[i], lB, err, errlen);
            rc = AS_EUSAGE;
            goto done;
        }
    }
    if (fs[0].nkeys == 0) {
        as_errf(err, errlen, "%s has no rows to compare", fs[0].dir);
        rc = AS_EUSAGE;
        goto done;
    }

    size_t n = fs[0].nkeys;
    rep->rows = n;
    for (size_t f = 0; f < nf; f++) {
        rep->reps[f] = fs[f].reps;
        if (series_init(&sv[f], &fs[f], n) != 0) {
            as_errf(err, errlen, "out of memory");
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
    if (any && (rc = compare_paired(e, opt, fs, nf, want, sv, rep, err, errlen)) != AS_OK)
        goto done;

    /* Welch and single-run differences where not paired. */
    for (size_t f = 1; f < nf; f++) {
        if (rep->method[f] == COMPARE_PAIRED)
            continue;
        for (size_t i = 0; i < n; i++) {
            compare_series *s = &sv[f];
            if (rep->method[f] == COMPARE_NONE) {
                s->d[i] = s->mean[i] - sv[0].mean[i];
                continue;
            }
            size_t ra = fs[0].keys[i].row, rb = fs[f].keys[i].row;
            welch(sv[0].mean[i], resultdir_cell(&fs[0], ra, fs[0].c_sd), fs[0].reps, s->mean[i], resultdir_cell(&fs[f], rb, fs[f].c_sd),
                  fs[f].reps, opt->confidence, &s->d[i], &s->lo[i], &s->hi[i]);
            welch(sv[0].p[i], bernoulli_sd(sv[0].p[i], fs[0].reps), fs[0].reps, s->p[i],
                  bernoulli_sd(s->p[i], fs[f].reps), fs[f].reps, opt->confidence, &s->pd[i], &s->plo[i], &s->phi[i]);
        }
    }

    /* Texts, then the file. */
    rep->table = compare_projector_table(fs, nf, rep, sv, opt->confidence);
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
        as_errf(err, errlen, "out of memory");
        rc = AS_ERUNTIME;
        goto done;
    }
    if (opt->outdir)
        snprintf(rep->outdir, sizeof rep->outdir, "%s", opt->outdir);
    else
        snprintf(rep->outdir, sizeof rep->outdir, "out/compare-%.100s-%.100s", fs[0].name ? fs[0].name : "A",
                 fs[1].name ? fs[1].name : "B");
    if (engine_rank(e) == 0 && (io_mkdir_p(rep->outdir, err, errlen) != AS_OK ||
                                write_table(opt, rep->outdir, fs, nf, rep, sv, err, errlen) != 0))
        rc = AS_EIO;
done:
    for (size_t f = 0; f < nf; f++) {
        series_free(&sv[f]);
        resultdir_clear(&fs[f]);
    }
    free(sv);
    free(fs);
    return rc;
}
