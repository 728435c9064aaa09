/*
 * calibrate - loss, Nelder-Mead search with restarts, and the calibration
 * files (see calibrate.h).
 *
 * The objective handed to GSL works in the logit space of the free
 * parameters; it maps a point back to parameter values, runs the fixed
 * replications on the evaluator's threads and sums their losses in
 * replication order.  GSL's callback cannot report an error, so a failure
 * is kept in the objective's context and the loss returned is NaN, which
 * makes the minimiser stop with GSL_EBADFUNC; the caller then reports the
 * kept message.
 */
#include "study/calibrate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_vector.h>

#include "io/atomic.h"
#include "run/batch.h"
#include "study/evaluate.h"

/* Initial simplex steps in the logit space: a start, and the polish. */
#define START_STEP 1.0
#define POLISH_STEP 0.5

void calibrate_result_clear(calibrate_result *r)
{
    free(r->trace);
    r->trace = NULL;
    r->ntrace = 0;
}

int calibrate_in_window(const model_spec *spec, const spec_calibrate *cal, size_t i)
{
    return spec->targets[i].year <= cal->fit_until;
}

/* Capped squared error of a date error (NaN: missed). */
static double capped(double e, double cap)
{
    if (isnan(e))
        return cap * cap;
    double sq = e * e;
    return sq < cap * cap ? sq : cap * cap;
}

double calibrate_rep_loss(const model_spec *spec, const spec_calibrate *cal, const double *errors,
                          const double *years, int in_window, size_t *count)
{
    double cap = cal->cap_years, loss = 0.0;
    size_t n = 0;
    for (size_t i = 0; i < spec->ntargets; i++) {
        if ((calibrate_in_window(spec, cal, i) != 0) != (in_window != 0))
            continue;
        loss += capped(errors[i], cap);
        n++;
    }
    for (size_t o = 0; o < cal->norders; o++) {
        size_t a = cal->orders[o].first, b = cal->orders[o].second;
        int inw = calibrate_in_window(spec, cal, a) && calibrate_in_window(spec, cal, b);
        if (inw != (in_window != 0))
            continue;
        n++;
        double ya = years[a], yb = years[b];
        if (isnan(ya) || isnan(yb))
            loss += cap * cap;
        else if (ya > yb)
            loss += capped(ya - yb, cap);
    }
    if (count)
        *count = n;
    return loss;
}

/* ------------------------------------------------------------------ */
/* The objective                                                      */
/* ------------------------------------------------------------------ */

typedef struct {
    const model_spec *spec;
    const spec_calibrate *cal;
    unsigned reps;
    uint64_t seed;
    study_eval *ev;
    eval_task *tasks;
    eval_rep *out;
    double *errors, *years;         /* reps x ntargets */
    double values[SPEC_MAX_FREE];
    size_t evaluations;
    int failed;
    char msg[512];
} objective;

static double sigmoid(double z)
{
    return 1.0 / (1.0 + exp(-z));
}

static void to_values(const spec_calibrate *cal, const gsl_vector *z, double *values)
{
    for (size_t j = 0; j < cal->nfree; j++) {
        const spec_free_param *f = &cal->free[j];
        double v = f->min + (f->max - f->min) * sigmoid(gsl_vector_get(z, j));
        /* Rounding can push a value a hair past an end of its range. */
        values[j] = v < f->min ? f->min : v > f->max ? f->max : v;
    }
}

/* Mean loss over the replications at values (NaN after a failure). */
static double loss_at(objective *ob, const double *values, int in_window, size_t *count)
{
    if (ob->failed)
        return NAN;
    for (unsigned r = 0; r < ob->reps; r++)
        ob->tasks[r] = (eval_task){values, batch_rep_seed(ob->seed, r)};
    if (study_eval_run(ob->ev, ob->tasks, ob->reps, ob->out, ob->errors, ob->years, NULL, NULL, ob->msg,
                       sizeof ob->msg) != 0) {
        ob->failed = 1;
        return NAN;
    }
    ob->evaluations++;
    size_t nt = ob->spec->ntargets;
    double sum = 0.0;
    for (unsigned r = 0; r < ob->reps; r++)
        sum += calibrate_rep_loss(ob->spec, ob->cal, ob->errors + (size_t)r * nt, ob->years + (size_t)r * nt,
                                  in_window, count);
    return sum / (double)ob->reps;
}

static double gsl_objective(const gsl_vector *z, void *params)
{
    objective *ob = params;
    to_values(ob->cal, z, ob->values);
    return loss_at(ob, ob->values, 1, NULL);
}

/* ------------------------------------------------------------------ */
/* The search                                                         */
/* ------------------------------------------------------------------ */

typedef struct {
    calibrate_result *res;
    size_t cap;
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
    uint64_t done, total;      /* iterations: done by finished starts, upper bound */
} search;

static int add_step(search *s, const calibrate_step *st)
{
    calibrate_result *r = s->res;
    if (r->ntrace == s->cap) {
        size_t nc = s->cap ? 2 * s->cap : 256;
        calibrate_step *t = realloc(r->trace, nc * sizeof *t);
        if (!t)
            return -1;
        r->trace = t;
        s->cap = nc;
    }
    r->trace[r->ntrace++] = *st;
    return 0;
}

/* One Nelder-Mead run from z0 with initial steps `step`.  Records the trace
 * and updates the best point.  Returns 0, or -1 with a message in err. */
static int run_start(objective *ob, search *s, unsigned start, const double *z0, double step, char *err,
                     size_t errlen)
{
    const spec_calibrate *cal = ob->cal;
    size_t k = cal->nfree;
    int rc = -1;
    gsl_vector *x = gsl_vector_alloc(k), *ss = gsl_vector_alloc(k);
    gsl_multimin_fminimizer *m = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, k);
    if (!x || !ss || !m) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for (size_t j = 0; j < k; j++)
        gsl_vector_set(x, j, z0[j]);
    gsl_vector_set_all(ss, step);
    gsl_multimin_function F = {gsl_objective, k, ob};
    int st = gsl_multimin_fminimizer_set(m, &F, x, ss);
    if (ob->failed) {
        snprintf(err, errlen, "%s", ob->msg);
        goto done;
    }
    if (st != GSL_SUCCESS) {
        snprintf(err, errlen, "the simplex could not start: %s", gsl_strerror(st));
        goto done;
    }
    /* gsl_multimin_fminimizer_set() leaves the minimum undefined until the
     * first iteration, so the start's loss is evaluated here (with common
     * random numbers it is the value the simplex computed). */
    double start_values[SPEC_MAX_FREE];
    to_values(cal, x, start_values);
    double start_loss = loss_at(ob, start_values, 1, NULL);
    if (ob->failed) {
        snprintf(err, errlen, "%s", ob->msg);
        goto done;
    }
    unsigned maxit = cal->max_iterations;
    for (unsigned it = 0;; it++) {
        calibrate_step row;
        memset(&row, 0, sizeof row);
        row.start = start;
        row.iteration = it;
        row.evaluations = ob->evaluations;
        to_values(cal, gsl_multimin_fminimizer_x(m), row.values);
        row.loss = it == 0 ? start_loss : gsl_multimin_fminimizer_minimum(m);
        row.size = it == 0 ? NAN : gsl_multimin_fminimizer_size(m);
        if (add_step(s, &row) != 0) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
        calibrate_result *r = s->res;
        if (row.loss < r->loss) {
            r->loss = row.loss;
            memcpy(r->values, row.values, sizeof r->values);
            r->best_start = start;
        }
        if (s->progress) {
            /* Progress in replications run; the total is estimated from the
             * iterations left (an upper bound: a start may converge sooner)
             * at the evaluations per iteration seen so far. */
            uint64_t its = s->done + it + 1, reps_done = (uint64_t)ob->evaluations * ob->reps;
            double left = (double)(s->total > its ? s->total - its : 0) * (double)reps_done / (double)its;
            s->progress(s->progress_ctx, reps_done, reps_done + (uint64_t)left);
        }
        if (it >= maxit || (it > 0 && gsl_multimin_test_size(row.size, cal->tolerance) == GSL_SUCCESS))
            break;
        st = gsl_multimin_fminimizer_iterate(m);
        if (ob->failed) {
            snprintf(err, errlen, "%s", ob->msg);
            goto done;
        }
        /* GSL_ENOPROG: the simplex cannot shrink further; the fit stands. */
        if (st == GSL_ENOPROG)
            break;
        if (st != GSL_SUCCESS) {
            snprintf(err, errlen, "the simplex failed: %s", gsl_strerror(st));
            goto done;
        }
    }
    s->done += maxit + 1;
    rc = 0;
done:
    gsl_multimin_fminimizer_free(m);
    gsl_vector_free(x);
    gsl_vector_free(ss);
    return rc;
}

static double logit(double u)
{
    return log(u / (1.0 - u));
}

/* The logit coordinate of value v of free parameter f (ends of the range
 * pulled in by 1e-9 of its width). */
static double z_of(const spec_free_param *f, double v)
{
    double u = (v - f->min) / (f->max - f->min);
    u = u < 1e-9 ? 1e-9 : u > 1.0 - 1e-9 ? 1.0 - 1e-9 : u;
    return logit(u);
}

/* Checks cal's free parameters against spec; 0 or -1 with a message. */
static int check_free(const model_spec *spec, const spec_calibrate *cal, char *err, size_t errlen)
{
    if (!cal->present || cal->nfree == 0) {
        snprintf(err, errlen,
                 "the scenario has no free parameters: add a `calibrate` group, e.g. calibrate = { free = "
                 "( { path = \"model.w_threat\"; min = 0.5; max = 3.0; } ); };");
        return -1;
    }
    for (size_t j = 0; j < cal->nfree; j++) {
        const spec_free_param *f = &cal->free[j];
        if (f->param >= spec->nparams || !(f->min < f->max)) {
            snprintf(err, errlen, "calibrate.free.[%zu]: bad parameter or range", j);
            return -1;
        }
        if (!study_param_settable(spec, f->param)) {
            snprintf(err, errlen,
                     "calibrate.free.[%zu]: %s is drawn afresh at every occurrence; make it a number in "
                     "the scenario to calibrate it",
                     j, spec->params[f->param].path);
            return -1;
        }
    }
    return 0;
}

/* Allocates the objective's arrays and evaluator.  0 or -1. */
static int objective_init(objective *ob, const model_spec *spec, const spec_calibrate *cal, unsigned reps,
                          uint64_t seed, unsigned threads)
{
    memset(ob, 0, sizeof *ob);
    ob->spec = spec;
    ob->cal = cal;
    ob->reps = reps;
    ob->seed = seed;
    size_t idx[SPEC_MAX_FREE];
    for (size_t j = 0; j < cal->nfree; j++)
        idx[j] = cal->free[j].param;
    size_t nt = spec->ntargets ? spec->ntargets : 1;
    ob->ev = study_eval_alloc(spec, threads, idx, cal->nfree);
    ob->tasks = malloc(reps * sizeof *ob->tasks);
    ob->out = malloc(reps * sizeof *ob->out);
    ob->errors = malloc((size_t)reps * nt * sizeof *ob->errors);
    ob->years = malloc((size_t)reps * nt * sizeof *ob->years);
    return ob->ev && ob->tasks && ob->out && ob->errors && ob->years ? 0 : -1;
}

static void objective_clear(objective *ob)
{
    study_eval_free(ob->ev);
    free(ob->tasks);
    free(ob->out);
    free(ob->errors);
    free(ob->years);
    memset(ob, 0, sizeof *ob);
}

int calibrate_fit(const model_spec *spec, unsigned reps, uint64_t seed, unsigned threads,
                  void (*progress)(void *ctx, uint64_t done, uint64_t total), void *progress_ctx,
                  calibrate_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    res->loss = INFINITY;
    const spec_calibrate *cal = &spec->calibrate;
    if (check_free(spec, cal, err, errlen) != 0)
        return -1;
    if (reps == 0)
        reps = cal->reps;
    size_t k = cal->nfree;
    objective ob;
    int rc = -1;
    gsl_qrng *q = NULL;
    if (objective_init(&ob, spec, cal, reps, seed, threads) != 0) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    double own[SPEC_MAX_FREE];
    for (size_t j = 0; j < k; j++) {
        const spec_free_param *f = &cal->free[j];
        double v = spec->params[f->param].value;
        own[j] = v < f->min ? f->min : v > f->max ? f->max : v;
    }
    res->initial_loss = loss_at(&ob, own, 1, NULL);
    if (ob.failed) {
        snprintf(err, errlen, "%s", ob.msg);
        goto done;
    }
    q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)k);
    if (!q) {
        snprintf(err, errlen, "cannot start a Sobol sequence in %zu dimensions", k);
        goto done;
    }
    search s = {res, 0, progress, progress_ctx, 0, ((uint64_t)cal->starts + 1) * (cal->max_iterations + 1)};
    for (unsigned st = 0; st < cal->starts; st++) {
        double u[SPEC_MAX_FREE], z0[SPEC_MAX_FREE];
        if (st == 0) {
            /* The scenario's own values: a hand-tuned model starts there. */
            for (size_t j = 0; j < k; j++)
                z0[j] = z_of(&cal->free[j], own[j]);
        } else {
            if (gsl_qrng_get(q, u) != GSL_SUCCESS) {
                snprintf(err, errlen, "the Sobol sequence failed");
                goto done;
            }
            for (size_t j = 0; j < k; j++)
                z0[j] = logit(0.05 + 0.9 * u[j]);
        }
        if (run_start(&ob, &s, st, z0, START_STEP, err, errlen) != 0)
            goto done;
    }
    /* Polish: restart the simplex at the best point. */
    double zb[SPEC_MAX_FREE];
    for (size_t j = 0; j < k; j++)
        zb[j] = z_of(&cal->free[j], res->values[j]);
    if (run_start(&ob, &s, cal->starts, zb, POLISH_STEP, err, errlen) != 0)
        goto done;
    res->evaluations = ob.evaluations;
    rc = 0;
done:
    gsl_qrng_free(q);
    objective_clear(&ob);
    if (rc != 0)
        calibrate_result_clear(res);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Files                                                              */
/* ------------------------------------------------------------------ */

/* Median of the non-NaN values of v[i * stride] (i < n); NaN if none.
 * buf has room for n values. */
static double median_of(const double *v, size_t n, size_t stride, double *buf)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i * stride]))
            buf[m++] = v[i * stride];
    if (m == 0)
        return NAN;
    gsl_sort(buf, 1, m);
    return gsl_stats_median_from_sorted_data(buf, 1, m);
}

static int write_trace(const model_spec *spec, const calibrate_result *res, const io_kv *prov, size_t np,
                       const char *dir, char *err, size_t errlen)
{
    const spec_calibrate *cal = &spec->calibrate;
    const char *cols[SPEC_MAX_FREE + 5];
    size_t nc = 0;
    cols[nc++] = "start";
    cols[nc++] = "iteration";
    cols[nc++] = "evaluations";
    for (size_t j = 0; j < cal->nfree; j++)
        cols[nc++] = spec->params[cal->free[j].param].path;
    cols[nc++] = "loss";
    cols[nc++] = "size";
    char path[4200];
    snprintf(path, sizeof path, "%s/calibration.tsv", dir);
    tsv_writer *w = tsv_open(path, prov, np, cols, nc, err, errlen);
    if (!w)
        return -1;
    for (size_t i = 0; i < res->ntrace; i++) {
        const calibrate_step *st = &res->trace[i];
        tsv_int(w, st->start);
        tsv_int(w, st->iteration);
        tsv_int(w, (int64_t)st->evaluations);
        for (size_t j = 0; j < cal->nfree; j++)
            tsv_double(w, st->values[j]);
        tsv_double(w, st->loss);
        tsv_double(w, st->size);
        tsv_end_row(w);
    }
    return tsv_commit(w, err, errlen) == IO_OK ? 0 : -1;
}

static int write_fit(const model_spec *spec, const objective *ob, const io_kv *prov, size_t np, const char *dir,
                     char *err, size_t errlen)
{
    static const char *const cols[] = {"dyad",         "target_year", "target_label", "kind",     "fitted_median",
                                       "error_median", "reached",     "within2",      "in_window", "note"};
    size_t nt = spec->ntargets, reps = ob->reps;
    double *buf = malloc((reps ? reps : 1) * sizeof *buf);
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/fit.tsv", dir);
    tsv_writer *w = tsv_open(path, prov, np, cols, 10, err, errlen);
    if (!w) {
        free(buf);
        return -1;
    }
    for (size_t i = 0; i < nt; i++) {
        const spec_target *t = &spec->targets[i];
        char name[2 * SPEC_ID_LEN + 2];
        model_spec_dyad_name(spec, t->a, t->b, name, sizeof name);
        size_t reached = 0, within2 = 0;
        for (size_t r = 0; r < reps; r++) {
            double e = ob->errors[r * nt + i];
            reached += isnan(e) ? 0u : 1u;
            within2 += !isnan(e) && fabs(e) <= 2.0 ? 1u : 0u;
        }
        tsv_str(w, name);
        tsv_fixed(w, t->year, 2);
        if (t->kind == TARGET_COMMIT_START || t->kind == TARGET_COMMIT_END)
            tsv_na(w);
        else
            tsv_int(w, t->label);
        tsv_str(w, spec_target_kind_name(t->kind));
        tsv_double(w, median_of(ob->years + i, reps, nt, buf));
        tsv_double(w, median_of(ob->errors + i, reps, nt, buf));
        tsv_double(w, (double)reached / (double)reps);
        tsv_double(w, (double)within2 / (double)reps);
        tsv_int(w, calibrate_in_window(spec, &spec->calibrate, i));
        tsv_str(w, t->note);
        tsv_end_row(w);
    }
    free(buf);
    return tsv_commit(w, err, errlen) == IO_OK ? 0 : -1;
}

/* Mean share within 2 years of the targets in or out of the window. */
static double within2_share(const model_spec *spec, const objective *ob, int in_window)
{
    size_t nt = spec->ntargets, n = 0, hit = 0;
    for (size_t i = 0; i < nt; i++) {
        if ((calibrate_in_window(spec, &spec->calibrate, i) != 0) != (in_window != 0))
            continue;
        for (size_t r = 0; r < ob->reps; r++) {
            double e = ob->errors[r * nt + i];
            n++;
            hit += !isnan(e) && fabs(e) <= 2.0 ? 1u : 0u;
        }
    }
    return n ? (double)hit / (double)n : NAN;
}

int calibrate_run(const model_spec *spec, const char *resolved, const calibrate_options *opt,
                  calibrate_report *rep, scenario_diags *diags, char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    const spec_calibrate *cal = &spec->calibrate;
    if (check_free(spec, cal, err, errlen) != 0)
        return 2;
    unsigned reps = opt->reps ? opt->reps : cal->reps;
    calibrate_result *res = &rep->fit;
    objective ob;
    memset(&ob, 0, sizeof ob);
    char **sets_buf = NULL;
    const char **sets = NULL;
    char *calibrated = NULL;
    int rc = 1;
    model_spec check;
    model_spec_init(&check);

    if (io_mkdir_p(opt->outdir, err, errlen) != IO_OK)
        return 1;
    if (calibrate_fit(spec, reps, opt->seed, opt->threads, opt->progress, opt->progress_ctx, res, err, errlen) != 0)
        goto done;

    /* The fit's replications at the fitted values, for fit.tsv and the
     * window errors. */
    if (objective_init(&ob, spec, cal, reps, opt->seed, opt->threads) != 0) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    double sq_in = loss_at(&ob, res->values, 1, &rep->n_in);
    double sq_out = loss_at(&ob, res->values, 0, &rep->n_out);
    if (ob.failed) {
        snprintf(err, errlen, "%s", ob.msg);
        goto done;
    }
    rep->rmse_in = rep->n_in ? sqrt(sq_in / (double)rep->n_in) : NAN;
    rep->rmse_out = rep->n_out ? sqrt(sq_out / (double)rep->n_out) : NAN;
    rep->within2_in = within2_share(spec, &ob, 1);
    rep->within2_out = within2_share(spec, &ob, 0);

    /* calibrated.cfg: the scenario reloaded with the fitted values. */
    size_t ns = opt->nsets + cal->nfree;
    sets_buf = calloc(ns, sizeof *sets_buf);
    sets = calloc(ns, sizeof *sets);
    if (!sets_buf || !sets) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < opt->nsets; i++)
        sets[i] = opt->sets[i];
    for (size_t j = 0; j < cal->nfree; j++) {
        char num[TSV_DOUBLE_BUFSIZE];
        tsv_format_double(num, sizeof num, res->values[j]);
        size_t len = strlen(spec->params[cal->free[j].param].path) + strlen(num) + 2;
        sets_buf[j] = malloc(len);
        if (!sets_buf[j]) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
        snprintf(sets_buf[j], len, "%s=%s", spec->params[cal->free[j].param].path, num);
        sets[opt->nsets + j] = sets_buf[j];
    }
    scenario_options so = {sets, ns, opt->has_seed, opt->seed};
    int lrc = scenario_load(opt->scenario_path, &so, &check, &calibrated, diags);
    if (lrc != SCENARIO_OK) {
        snprintf(err, errlen, "%s: the scenario with the fitted values does not load", opt->scenario_path);
        rc = lrc == SCENARIO_EIO ? 1 : 2;
        goto done;
    }

    char reps_text[32], seed_text[32], loss_text[TSV_DOUBLE_BUFSIZE], init_text[TSV_DOUBLE_BUFSIZE];
    char evals_text[32], window_text[TSV_DOUBLE_BUFSIZE], rin[TSV_DOUBLE_BUFSIZE], rout[TSV_DOUBLE_BUFSIZE];
    snprintf(reps_text, sizeof reps_text, "%u", reps);
    snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)opt->seed);
    snprintf(evals_text, sizeof evals_text, "%zu", res->evaluations);
    tsv_format_double(loss_text, sizeof loss_text, res->loss);
    tsv_format_double(init_text, sizeof init_text, res->initial_loss);
    tsv_format_double(window_text, sizeof window_text, cal->fit_until);
    tsv_format_double(rin, sizeof rin, rep->rmse_in);
    tsv_format_double(rout, sizeof rout, rep->rmse_out);
    io_kv prov[32];
    size_t np = 0;
    prov[np++] = (io_kv){"program", "alignsim " ALIGNSIM_VERSION};
    prov[np++] = (io_kv){"scenario", spec->name};
    prov[np++] = (io_kv){"seed", seed_text};
    prov[np++] = (io_kv){"replications_per_evaluation", reps_text};
    prov[np++] = (io_kv){"fit_until", window_text};
    prov[np++] = (io_kv){"evaluations", evals_text};
    prov[np++] = (io_kv){"initial_loss", init_text};
    prov[np++] = (io_kv){"fitted_loss", loss_text};
    prov[np++] = (io_kv){"rmse_in_window_years", rin};
    prov[np++] = (io_kv){"rmse_out_of_window_years", rout};
    for (size_t i = 0; i < opt->nprov && np < 30; i++)
        prov[np++] = opt->prov[i];

    char path[4200];
    snprintf(path, sizeof path, "%s/scenario.cfg", opt->outdir);
    if (io_write_file_atomic(path, resolved, strlen(resolved), err, errlen) != IO_OK)
        goto done;
    if (write_trace(spec, res, prov, np, opt->outdir, err, errlen) != 0 ||
        write_fit(spec, &ob, prov, np, opt->outdir, err, errlen) != 0)
        goto done;
    snprintf(path, sizeof path, "%s/calibrated.cfg", opt->outdir);
    if (io_write_file_atomic(path, calibrated, strlen(calibrated), err, errlen) != IO_OK)
        goto done;
    rc = 0;
done:
    calibrate_result_clear(res);
    objective_clear(&ob);
    if (sets_buf)
        for (size_t j = 0; j < cal->nfree; j++)
            free(sets_buf[j]);
    free(sets_buf);
    free(sets);
    free(calibrated);
    model_spec_clear(&check);
    return rc;
}
