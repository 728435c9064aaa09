/*
 * bench_replay - replications per second of one thread on the historical
 * scenario, doing per replication what the batch engine does: model_run
 * with the replication's seed, the mid-year samples of every active dyad
 * added to exact accumulators (stats_cells, one cell per year x dyad), the
 * milestones tracked and added to their accumulators, the drawn parameters
 * drawn and the replications.tsv row formatted.  No files are written.
 *
 * One line to stdout:
 *   bench replay reps=1000 seconds=0.52 reps_per_s=1923
 * A short warm-up run comes first.  Target: reps_per_s >= 2000.
 */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/tsv.h"
#include "model/milestones.h"
#include "model/model.h"
#include "run/batch.h"
#include "run/summary.h"
#include "run/msacc.h"
#include "scenario/scenario.h"
#include "stats/cells.h"

#define SCENARIO "scenarios/historical.cfg"
#define REPS 1000u
#define WARMUP 50u

typedef struct {
    stats_cells *acc;
    milestones *ms;
    size_t nd, nyears;
    int first_year;
} sampler;

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int on_sample(void *ctx, int year, const model *m)
{
    sampler *s = ctx;
    if (year < s->first_year || (size_t)(year - s->first_year) >= s->nyears)
        return 0;
    size_t y = (size_t)(year - s->first_year);
    int ar = model_alliance_rung(m);
    for (size_t d = 0; d < s->nd; d++)
        if (model_dyad_active(m, d) &&
            stats_cells_add(s->acc, y * s->nd + d, model_dyad_x(m, d), model_dyad_rung(m, d) == ar) != AS_OK)
            return 1;
    return 0;
}

static void on_change(void *ctx, double time, size_t dyad, int rung, unsigned c)
{
    sampler *s = ctx;
    milestones_change(s->ms, time, dyad, rung, c);
}

/* Runs replications first .. first + n - 1; returns 0 or -1. */
static int run_reps(model *m, sampler *s, msacc *ma, double *params, const model_spec *spec, unsigned first,
                    unsigned n, size_t *chars)
{
    model_observer obs = {s, NULL, on_sample, on_change};
    for (unsigned r = first; r < first + n; r++) {
        uint64_t seed = batch_rep_seed(spec->seed, r);
        model_draw_params(m, seed, params);
        milestones_reset(s->ms);
        model_outcome out;
        if (model_run(m, seed, NULL, &obs, &out) != MODEL_OK)
            return -1;
        milestones_finish(s->ms, spec->horizon);
        msacc_add(ma, s->ms);
        char row[256], a[TSV_DOUBLE_BUFSIZE], b[TSV_DOUBLE_BUFSIZE];
        tsv_format_double(a, sizeof a, out.alliance_year);
        tsv_format_double(b, sizeof b, out.reversal_onset);
        int len = snprintf(row, sizeof row, "%u\t%llu\t%s\t%d\t%s\n", r, (unsigned long long)seed, a,
                           out.reversal, b);
        *chars += len > 0 ? (size_t)len : 0;
    }
    return 0;
}

int main(void)
{
    gsl_set_error_handler_off();
    model_spec spec;
    model_spec_init(&spec);
    char *resolved = NULL;
    scenario_diags diags = {NULL, 0};
    int rc = 1;
    model *m = NULL;
    sampler s = {NULL, NULL, 0, 0, 0};
    msacc *ma = NULL;
    double *params = NULL;
    if (scenario_load(SCENARIO, NULL, &spec, &resolved, &diags) != SCENARIO_OK) {
        for (size_t i = 0; i < diags.n; i++)
            fprintf(stderr, "%s\n", diags.lines[i]);
        fprintf(stderr, "bench_replay: cannot load %s (run from the top of the tree)\n", SCENARIO);
        goto done;
    }
    m = model_alloc(&spec);
    s.nd = spec_ndyads(spec.nactors);
    s.first_year = (int)floor(spec.start);
    s.nyears = (size_t)(floor(spec.horizon) - s.first_year + 1);
    s.acc = stats_cells_alloc(s.nyears * s.nd, -1.0, 1.0, SUMMARY_QUANTILE_BINS);
    s.ms = milestones_alloc(&spec);
    ma = msacc_alloc(&spec);
    params = calloc(spec.nparams ? spec.nparams : 1, sizeof *params);
    if (!m || !s.acc || !s.ms || !ma || !params) {
        fprintf(stderr, "bench_replay: out of memory\n");
        goto done;
    }
    size_t chars = 0;
    if (run_reps(m, &s, ma, params, &spec, 0, WARMUP, &chars) != 0)
        goto fail_run;
    double t0 = seconds_now();
    if (run_reps(m, &s, ma, params, &spec, WARMUP, REPS, &chars) != 0)
        goto fail_run;
    double secs = seconds_now() - t0;
    printf("bench replay reps=%u seconds=%.2f reps_per_s=%.0f\n", REPS, secs, secs > 0 ? REPS / secs : 0.0);
    rc = 0;
    goto done;
fail_run:
    fprintf(stderr, "bench_replay: a replication failed\n");
done:
    free(params);
    msacc_free(ma);
    milestones_free(s.ms);
    stats_cells_free(s.acc);
    model_free(m);
    free(resolved);
    scenario_diags_clear(&diags);
    model_spec_clear(&spec);
    return rc;
}
