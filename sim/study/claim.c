/*
 * claim - the claim test (see claim.h for the definitions and files).
 *
 * Invariants: every condition runs through batch_run() with the scenario's
 * own master seed, so replication r has the same seed in every condition;
 * the counts come only from the conditions' replications.tsv files, so a
 * reused (--resume) condition counts exactly as a fresh one; the curve is in
 * the order of claim.strengths, which the loader keeps strictly increasing.
 */
#include "study/claim.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/status.h"
#include "io/atomic.h"
#include "run/batch.h"
#include "run/posterior_table.h"
#include "scenario/scenario.h"
#include "stats/stats.h"

#define PATH_LEN 4200

/* ------------------------------------------------------------------ */
/* The test of one condition                                          */
/* ------------------------------------------------------------------ */

int claim_decide(uint64_t k, uint64_t n, double bound, claim_side side, double conf,
                 claim_condition *c)
{
    c->reps = n;
    c->alliances = k;
    c->bound = bound;
    c->side = side;
    c->p = c->ci_lo = c->ci_hi = NAN;
    c->holds = CLAIM_UNDECIDED;
    if (n == 0 || k > n || !(bound >= 0.0 && bound <= 1.0))
        return AS_EUSAGE;
    double lo, hi;
    if (stats_clopper_pearson(k, n, conf, &lo, &hi) != AS_OK)
        return AS_EUSAGE;
    c->p = (double)k / (double)n;
    c->ci_lo = lo;
    c->ci_hi = hi;
    if (side == CLAIM_BELOW)
        c->holds = hi < bound ? CLAIM_HOLDS : lo >= bound ? CLAIM_FAILS : CLAIM_UNDECIDED;
    else
        c->holds = lo > bound ? CLAIM_HOLDS : hi <= bound ? CLAIM_FAILS : CLAIM_UNDECIDED;
    return 0;
}

int claim_reps_to_decide(const claim_condition *c, double conf, uint64_t *reps)
{
    *reps = 0;
    if (c->holds != CLAIM_UNDECIDED || isnan(c->p) || !(conf > 0.0 && conf < 1.0))
        return AS_EUSAGE;
    double alpha = 1.0 - conf;
    /* With every replication on one side, the exact interval's far end is
     * 1 - (alpha/2)^(1/n) (or its mirror), which gives the answer in closed
     * form; the Wald planning formula would overstate it. */
    if (c->p == 0.0 && c->bound > 0.0) {
        double n = ceil(log(alpha / 2.0) / log1p(-c->bound));
        if (!(n >= 1.0 && n < 9007199254740992.0))
            return AS_EUSAGE;
        *reps = (uint64_t)n;
        return 0;
    }
    if (c->p == 1.0 && c->bound < 1.0) {
        double n = ceil(log(alpha / 2.0) / log(c->bound));
        if (!(n >= 1.0 && n < 9007199254740992.0))
            return AS_EUSAGE;
        *reps = (uint64_t)n;
        return 0;
    }
    double hw = fabs(c->p - c->bound);
    if (!(hw > 0.0))
        return AS_EUSAGE;
    if (hw > 1.0)
        hw = 1.0;
    return stats_binom_reps_needed(c->p, hw, conf, reps) == AS_OK ? AS_OK : AS_EUSAGE;
}

/* Strength at which the segment from (s0, v0) to (s1, v1) reaches level
 * (v0 < level <= v1). */
static double interpolate(double s0, double v0, double s1, double v1, double level)
{
    if (v1 == v0)
        return s1;
    return s0 + (s1 - s0) * (level - v0) / (v1 - v0);
}

/* First strength at which p reaches level, interpolated; NaN when already
 * at the first point or never. */
static double first_reach(const claim_condition *curve, size_t n, double level, int *at_first,
                          int *never)
{
    *at_first = *never = 0;
    double prev = NAN, prev_s = NAN;
    for (size_t i = 0; i < n; i++) {
        double v = curve[i].p;
        if (isnan(v))
            continue;
        if (v >= level) {
            if (isnan(prev)) {
                *at_first = 1;
                return NAN;
            }
            return interpolate(prev_s, prev, curve[i].strength, v, level);
        }
        prev = v;
        prev_s = curve[i].strength;
    }
    *never = 1;
    return NAN;
}

void claim_find_crossing(const claim_condition *curve, size_t n, double level,
                         claim_crossing *out)
{
    int at_first, never;
    memset(out, 0, sizeof *out);
    out->strength = first_reach(curve, n, level, &at_first, &never);
    out->found = !isnan(out->strength);
    out->below_first = at_first;
    out->above_last = never;
    /* The curve is known only at the strengths tried, so the interval runs
     * from the last of them at which P is still surely below the level (its
     * whole interval below) to the first at which it is surely above. */
    out->lo = out->hi = NAN;
    for (size_t i = 0; i < n && !(curve[i].ci_hi >= level); i++)
        if (curve[i].ci_hi < level)
            out->lo = curve[i].strength;
    for (size_t i = 0; i < n; i++)
        if (curve[i].ci_lo > level) {
            out->hi = curve[i].strength;
            break;
        }
}

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Copies file `name` from folder src to folder dst atomically. */
static int copy_file(const char *src, const char *dst, const char *name, char *err, size_t errlen)
{
    char from[PATH_LEN], to[PATH_LEN];
    snprintf(from, sizeof from, "%s/%s", src, name);
    snprintf(to, sizeof to, "%s/%s", dst, name);
    size_t len;
    char *data = io_read_file(from, &len);
    if (!data) {
        as_errf(err, errlen, "%s: %s", from, strerror(errno));
        return -1;
    }
    int rc = io_write_file_atomic(to, data, len, err, errlen);
    free(data);
    return rc == AS_OK ? 0 : -1;
}

/* Formats a strength for a condition name: the shortest round-trip form. */
static void strength_text(double s, char *out, size_t len)
{
    char num[TSV_DOUBLE_BUFSIZE];
    tsv_format_double(num, sizeof num, s);
    snprintf(out, len, "%s", num);
}

/* ------------------------------------------------------------------ */
/* Conditions                                                         */
/* ------------------------------------------------------------------ */

/* The override that schedules the claim's reversal at strength s, as the
 * event after the scenario's last one. */
static int reversal_override(const model_spec *spec, double s, char *out, size_t len)
{
    const spec_claim *c = &spec->claim;
    char at[TSV_DOUBLE_BUFSIZE], dur[TSV_DOUBLE_BUFSIZE], mag[TSV_DOUBLE_BUFSIZE];
    tsv_format_double(at, sizeof at, c->at);
    tsv_format_double(dur, sizeof dur, c->duration_years);
    tsv_format_double(mag, sizeof mag, s);
    size_t used = 0;
    int w = snprintf(out, len,
                     "events.[%zu]={type=\"reversal\"; at=%s; duration=%s; magnitude=%s; actors=[\"%s\"",
                     spec->nevents, at, dur, mag, spec->actors[c->third_power].id);
    if (w < 0 || (size_t)w >= len)
        return -1;
    used = (size_t)w;
    for (int i = 0; i < c->ntargets; i++) {
        w = snprintf(out + used, len - used, ", \"%s\"", spec->actors[c->targets[i]].id);
        if (w < 0 || (size_t)w >= len - used)
            return -1;
        used += (size_t)w;
    }
    w = snprintf(out + used, len - used,
                 "]; note=\"claim test: a fundamental reversal of strength %s\";}", mag);
    if (w < 0 || (size_t)w >= len - used)
        return -1;
    return 0;
}

/* One condition to run: its scenario and where it goes. */
typedef struct {
    claim_condition *c;
    model_spec spec;
    char *resolved;
    int loaded;
    char dir[PATH_LEN];
    int reuse;         /* finished before (resume): only count */
    int resume;        /* interrupted before: resume the batch */
} job;

/* Loads the condition's scenario: the resolved text, plus the reversal
 * override when strength is not NaN. */
static int load_condition(const model_spec *spec, const char *resolved, double strength, job *j,
                          char *err, size_t errlen)
{
    char set[1024];
    const char *sets[1] = {set};
    scenario_options so = {sets, 0, 0, 0, NULL};
    if (!isnan(strength)) {
        if (reversal_override(spec, strength, set, sizeof set) != 0) {
            as_errf(err, errlen, "condition %s: the reversal event is too long to write", j->c->name);
            return AS_EUSAGE;
        }
        so.nsets = 1;
    }
    scenario_diags diags = {NULL, 0};
    model_spec_init(&j->spec);
    int rc = scenario_load_string(resolved, "scenario.cfg", NULL, &so, &j->spec, &j->resolved, &diags);
    if (rc != SCENARIO_OK) {
        as_errf(err, errlen, "condition %s: the scenario with the claim's reversal is rejected: %s",
                j->c->name, diags.n ? diags.lines[0] : rc == SCENARIO_EIO ? "out of memory" : "bad scenario");
        scenario_diags_clear(&diags);
        return rc == SCENARIO_EBAD ? AS_EUSAGE : AS_ERUNTIME; /* out of memory: a runtime failure */
    }
    scenario_diags_clear(&diags);
    j->loaded = 1;
    return AS_OK;
}

/* The rows of a condition's replications.tsv, counted; under a posterior
 * (post->n > 0) also per particle, for the split of the uncertainty.
 * Returns 0, or -1 with a message (missing file, missing column, bad cell,
 * wrong count, a particle the posterior does not have). */
static int count_condition(const char *dir, const spec_claim *cs, const spec_posterior *post, int with_reversal,
                           uint64_t reps, claim_condition *c, char *err, size_t errlen)
{
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/replications.tsv", dir);
    claim_split_none(&c->split);
    tsv_table *t = tsv_read(path, err, errlen);
    if (!t)
        return -1;
    int rc = -1;
    uint64_t *drawn = NULL, *allied = NULL;
    long ca = tsv_column(t, "alliance_year"), cr = tsv_column(t, "reversal"),
         co = tsv_column(t, "reversal_onset"), cp = tsv_column(t, "particle");
    if (ca < 0 || cr < 0 || co < 0) {
        as_errf(err, errlen, "%s: expected the columns alliance_year, reversal and reversal_onset", path);
        goto done;
    }
    if (post->n > 0) {
        drawn = calloc(post->n, sizeof *drawn);
        allied = calloc(post->n, sizeof *allied);
        if (!drawn || !allied) {
            as_errf(err, errlen, "out of memory");
            goto done;
        }
        if (cp < 0) {
            as_errf(err, errlen, "%s: expected a column particle (the scenario has a posterior)", path);
            goto done;
        }
    }
    if (tsv_rows(t) != reps) {
        as_errf(err, errlen, "%s: expected %llu replications, found %zu", path, (unsigned long long)reps,
                tsv_rows(t));
        goto done;
    }
    uint64_t k = 0, nrev = 0, before = 0;
    for (size_t r = 0; r < tsv_rows(t); r++) {
        double ay, onset;
        const char *rv = tsv_cell(t, r, (size_t)cr);
        if (tsv_parse_double(tsv_cell(t, r, (size_t)ca), &ay) != 0 ||
            tsv_parse_double(tsv_cell(t, r, (size_t)co), &onset) != 0 || !rv ||
            (strcmp(rv, "0") != 0 && strcmp(rv, "1") != 0)) {
            as_errf(err, errlen, "%s:%zu: error: expected numbers (or NA) in alliance_year and "
                                 "reversal_onset and 0 or 1 in reversal",
                    path, tsv_row_line(t, r));
            goto done;
        }
        int rev = rv[0] == '1';
        nrev += (uint64_t)rev;
        unsigned yes = 0;
        if (!with_reversal) {
            yes = isnan(ay) ? 0u : 1u;
        } else if (!isnan(ay)) {
            double start = rev && !isnan(onset) ? onset : cs->at;
            double lag = ay - start;
            yes = rev && !isnan(onset) && lag >= 0.0 && lag <= cs->window_years ? 1u : 0u;
            before += lag < 0.0 ? 1u : 0u;
        }
        k += yes;
        if (post->n > 0) {
            double id;
            long row = -1;
            if (tsv_parse_double(tsv_cell(t, r, (size_t)cp), &id) == 0 && id >= 0.0 && id == floor(id) &&
                id < 9007199254740992.0)
                row = spec_posterior_row(post, (int64_t)id);
            if (row < 0) {
                as_errf(err, errlen, "%s:%zu: error: expected a particle of the posterior in column particle",
                        path, tsv_row_line(t, r));
                goto done;
            }
            drawn[row]++;
            allied[row] += yes;
        }
    }
    if (post->n > 0 && claim_split_estimate(post->weight, drawn, allied, post->n, cs->confidence, &c->split) != 0) {
        as_errf(err, errlen, "%s: cannot split the uncertainty over the posterior's particles", path);
        goto done;
    }
    c->reversals = nrev;
    c->allied_before = before;
    if (claim_decide(k, reps, c->bound, c->side, cs->confidence, c) != 0) {
        as_errf(err, errlen, "%s: cannot compute the interval of %llu in %llu at confidence %g", path,
                (unsigned long long)k, (unsigned long long)reps, cs->confidence);
        goto done;
    }
    rc = 0;
done:
    free(drawn);
    free(allied);
    tsv_free(t);
    return rc;
}

/* Non-zero when dir holds a finished batch of this scenario text and
 * number of replications (for --resume). */
static int finished_before(const char *dir, const char *resolved, uint64_t reps)
{
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/%s", dir, BATCH_CKPT_FILE);
    if (file_exists(path))
        return 0;
    snprintf(path, sizeof path, "%s/scenario.cfg", dir);
    char *text = io_read_file(path, NULL);
    int same = text && strcmp(text, resolved) == 0;
    free(text);
    if (!same)
        return 0;
    snprintf(path, sizeof path, "%s/replications.tsv", dir);
    char err[256];
    tsv_table *t = tsv_read(path, err, sizeof err);
    if (!t)
        return 0;
    const char *n = tsv_prov(t, "replications");
    char want[32];
    snprintf(want, sizeof want, "%llu", (unsigned long long)reps);
    int ok = n && strcmp(n, want) == 0 && tsv_rows(t) == reps;
    tsv_free(t);
    return ok;
}

/* ------------------------------------------------------------------ */
/* Files                                                              */
/* ------------------------------------------------------------------ */

/* Provenance shared by the tables: program, scenario, seed, replications,
 * the caller's, then the claim's settings. */
typedef struct {
    io_kv kv[40];
    size_t n;
    char seed[32], reps[32], conf[32], at[32], dur[32], strength[32], window[32], bnr[32], br[32];
    char targets[SPEC_MAX_CLAIM_TARGETS * (SPEC_ID_LEN + 1)];
    char half[32], half_lo[32], half_hi[32];
    char program[64];
} provenance;

static void fmt(char *out, double v)
{
    tsv_format_double(out, 32, v);
}

static void build_provenance(const model_spec *spec, const claim_options *opt, const claim_result *res,
                             provenance *p)
{
    const spec_claim *c = &spec->claim;
    p->n = 0;
    snprintf(p->program, sizeof p->program, "alignsim %s", ALIGNSIM_VERSION);
    snprintf(p->seed, sizeof p->seed, "%llu", (unsigned long long)spec->seed);
    snprintf(p->reps, sizeof p->reps, "%llu", (unsigned long long)opt->reps);
    p->kv[p->n++] = (io_kv){"program", p->program};
    p->kv[p->n++] = (io_kv){"scenario", spec->name};
    p->kv[p->n++] = (io_kv){"seed", p->seed};
    p->kv[p->n++] = (io_kv){"replications", p->reps};
    for (size_t i = 0; i < opt->nprov && p->n < 24; i++)
        p->kv[p->n++] = opt->prov[i];
    fmt(p->conf, c->confidence);
    fmt(p->at, c->at);
    fmt(p->dur, c->duration_years);
    fmt(p->strength, c->strength);
    fmt(p->window, c->window_years);
    fmt(p->bnr, c->bound_no_reversal);
    fmt(p->br, c->bound_reversal);
    p->targets[0] = '\0';
    for (int i = 0; i < c->ntargets; i++) {
        size_t used = strlen(p->targets);
        snprintf(p->targets + used, sizeof p->targets - used, "%s%s", i ? " " : "",
                 spec->actors[c->targets[i]].id);
    }
    fmt(p->half, res->half.strength);
    fmt(p->half_lo, res->half.lo);
    fmt(p->half_hi, res->half.hi);
    p->kv[p->n++] = (io_kv){"confidence", p->conf};
    p->kv[p->n++] = (io_kv){"third_power", spec->actors[c->third_power].id};
    p->kv[p->n++] = (io_kv){"targets", p->targets};
    p->kv[p->n++] = (io_kv){"at", p->at};
    p->kv[p->n++] = (io_kv){"duration", p->dur};
    p->kv[p->n++] = (io_kv){"strength", p->strength};
    p->kv[p->n++] = (io_kv){"window_years", p->window};
    p->kv[p->n++] = (io_kv){"bound_no_reversal", p->bnr};
    p->kv[p->n++] = (io_kv){"bound_reversal", p->br};
    p->kv[p->n++] = (io_kv){"half_strength", p->half};
    p->kv[p->n++] = (io_kv){"half_strength_lo", p->half_lo};
    p->kv[p->n++] = (io_kv){"half_strength_hi", p->half_hi};
}

static void put_holds(tsv_writer *w, int holds)
{
    if (holds == CLAIM_UNDECIDED)
        tsv_na(w);
    else
        tsv_int(w, holds);
}

/* The split's columns: particles, between_var, within_var, param_share,
 * param_share_lo, param_share_hi, between_sd (NA without a posterior). */
static void put_split(tsv_writer *w, const claim_split *s)
{
    if (s->particles == 0) {
        for (int i = 0; i < 7; i++)
            tsv_na(w);
        return;
    }
    tsv_int(w, (int64_t)s->particles);
    tsv_double(w, s->between_var);
    tsv_double(w, s->within_var);
    tsv_double(w, s->share);
    tsv_double(w, s->share_lo);
    tsv_double(w, s->share_hi);
    tsv_double(w, s->between_sd);
}

static void put_condition(tsv_writer *w, const claim_condition *c)
{
    tsv_str(w, c->name);
    tsv_int(w, (int64_t)c->reps);
    tsv_double(w, c->p);
    tsv_double(w, c->ci_lo);
    tsv_double(w, c->ci_hi);
    tsv_double(w, c->bound);
    put_holds(w, c->holds);
    tsv_str(w, c->side == CLAIM_BELOW ? "below" : "above");
    tsv_double(w, c->strength);
    tsv_int(w, (int64_t)c->alliances);
    tsv_int(w, (int64_t)c->reversals);
    if (c->side == CLAIM_ABOVE)
        tsv_int(w, (int64_t)c->allied_before);
    else
        tsv_na(w);
    tsv_str(w, c->folder);
    put_split(w, &c->split);
    tsv_end_row(w);
}

static int write_claim_tsv(const char *dir, const provenance *p, const claim_result *res, char *err,
                           size_t errlen)
{
    static const char *const cols[] = {"condition", "reps",      "p_alliance", "ci_lo",
                                       "ci_hi",     "bound",     "holds",      "side",
                                       "strength",  "alliances", "reversals",  "allied_before",
                                       "folder",    "particles", "between_var", "within_var",
                                       "param_share", "param_share_lo", "param_share_hi", "between_sd"};
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/claim.tsv", dir);
    tsv_writer *w = tsv_open(path, p->kv, p->n, cols, sizeof cols / sizeof cols[0], err, errlen);
    if (!w)
        return -1;
    put_condition(w, &res->no_reversal);
    put_condition(w, &res->reversal);
    for (size_t i = 0; i < res->ncurve; i++)
        put_condition(w, &res->curve[i]);
    /* The overall verdict, so that a script finds it where the conditions are. */
    tsv_str(w, "claim");
    for (int i = 0; i < 5; i++)
        tsv_na(w);
    put_holds(w, res->holds);
    for (int i = 0; i < 13; i++)
        tsv_na(w);
    tsv_end_row(w);
    return tsv_commit(w, err, errlen) == AS_OK ? 0 : -1;
}

static int write_curve_tsv(const char *dir, const provenance *p, const claim_result *res, char *err,
                           size_t errlen)
{
    static const char *const cols[] = {"strength",    "reps",           "p_alliance",     "ci_lo",
                                       "ci_hi",       "alliances",      "reversals",      "condition",
                                       "particles",   "between_var",    "within_var",     "param_share",
                                       "param_share_lo", "param_share_hi", "between_sd"};
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/claim_curve.tsv", dir);
    tsv_writer *w = tsv_open(path, p->kv, p->n, cols, sizeof cols / sizeof cols[0], err, errlen);
    if (!w)
        return -1;
    for (size_t i = 0; i < res->ncurve; i++) {
        const claim_condition *c = &res->curve[i];
        tsv_double(w, c->strength);
        tsv_int(w, (int64_t)c->reps);
        tsv_double(w, c->p);
        tsv_double(w, c->ci_lo);
        tsv_double(w, c->ci_hi);
        tsv_int(w, (int64_t)c->alliances);
        tsv_int(w, (int64_t)c->reversals);
        tsv_str(w, c->folder);
        put_split(w, &c->split);
        tsv_end_row(w);
    }
    return tsv_commit(w, err, errlen) == AS_OK ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* The run                                                            */
/* ------------------------------------------------------------------ */

static void init_condition(claim_condition *c, const char *name, const char *folder, double strength,
                           double bound, claim_side side)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->folder, sizeof c->folder, "%s", folder);
    c->strength = strength;
    c->bound = bound;
    c->side = side;
    c->p = c->ci_lo = c->ci_hi = NAN;
    c->holds = CLAIM_UNDECIDED;
}

int claim_run(engine *e, const model_spec *spec, const char *resolved, const claim_options *opt,
              claim_result *res, char *err, size_t errlen)
{
    const spec_claim *cs = &spec->claim;
    memset(res, 0, sizeof *res);
    res->holds = CLAIM_UNDECIDED;
    res->root = engine_rank(e) == 0;
    if (err && errlen)
        err[0] = '\0';
    if (cs->third_power < 0 || cs->third_power >= spec->nactors) {
        as_errf(err, errlen,
                "the scenario names no claim.third_power: the power whose confrontation with %s "
                "would be the fundamental reversal; add `claim = { third_power = \"ID\"; };` to the "
                "scenario or --set 'claim.third_power=\"ID\"'",
                cs->ntargets ? "the targets" : "the outcome dyad");
        return AS_EUSAGE;
    }
    if (cs->ntargets < 1 || cs->nstrengths > SPEC_MAX_CLAIM_STRENGTHS || opt->reps < 1) {
        as_errf(err, errlen, "the claim settings are incomplete (targets, strengths) or -n is 0");
        return AS_EUSAGE;
    }

    /* The conditions, in the order they are run and written. */
    init_condition(&res->no_reversal, "no_reversal", "no_reversal", NAN, cs->bound_no_reversal, CLAIM_BELOW);
    init_condition(&res->reversal, "reversal", "reversal", cs->strength, cs->bound_reversal, CLAIM_ABOVE);
    res->ncurve = cs->nstrengths;
    /* A job holds a whole spec and a path: too big for the stack in bulk. */
    job *jobs = calloc(SPEC_MAX_CLAIM_STRENGTHS + 2, sizeof *jobs);
    if (!jobs) {
        as_errf(err, errlen, "out of memory");
        return AS_ERUNTIME;
    }
    size_t njobs = 0;
    jobs[njobs++].c = &res->no_reversal;
    jobs[njobs++].c = &res->reversal;
    for (size_t i = 0; i < cs->nstrengths; i++) {
        char s[TSV_DOUBLE_BUFSIZE], name[48];
        strength_text(cs->strengths[i], s, sizeof s);
        snprintf(name, sizeof name, "strength_%s", s);
        int same = cs->strengths[i] == cs->strength;
        init_condition(&res->curve[i], name, same ? "reversal" : name, cs->strengths[i], cs->bound_reversal,
                       CLAIM_ABOVE);
        if (!same)
            jobs[njobs++].c = &res->curve[i];
    }

    int rc = AS_OK;
    char msg[4096];
    uint64_t to_run = 0;
    for (size_t i = 0; i < njobs; i++) {
        job *j = &jobs[i];
        snprintf(j->dir, sizeof j->dir, "%s/conditions/%s", opt->outdir, j->c->folder);
        if ((rc = load_condition(spec, resolved, j->c->strength, j, err, errlen)) != AS_OK)
            goto done;
        if (opt->resume) {
            /* The root looks at the folder; every rank follows its view. */
            char ck[PATH_LEN + 16];
            snprintf(ck, sizeof ck, "%s/%s", j->dir, BATCH_CKPT_FILE);
            int resume = file_exists(ck);
            int reuse = !resume && finished_before(j->dir, j->resolved, opt->reps);
            uint64_t seen = engine_broadcast(e, (uint64_t)(resume | reuse << 1));
            j->resume = (int)(seen & 1u);
            j->reuse = (int)(seen >> 1 & 1u);
        }
        to_run += j->reuse ? 0 : opt->reps;
    }

    uint64_t base = 0;
    for (size_t i = 0; i < njobs; i++) {
        job *j = &jobs[i];
        if (j->reuse)
            continue;
        char cond[64];
        snprintf(cond, sizeof cond, "condition %s", j->c->name);
        io_kv *prov = malloc((opt->nprov + 1) * sizeof *prov);
        if (!prov) {
            as_errf(err, errlen, "out of memory");
            rc = AS_ENOMEM;
            goto done;
        }
        memcpy(prov, opt->prov, opt->nprov * sizeof *prov);
        prov[opt->nprov] = (io_kv){"claim_condition", j->c->name};
        batch_options bo = {opt->reps, j->resume, j->dir, prov, opt->nprov + 1, base, to_run, 0};
        batch_report br;
        int st = batch_run(e, &j->spec, j->resolved, &bo, &br, msg, sizeof msg);
        free(prov);
        base += opt->reps;
        if (st == AS_ESTOPPED) {
            res->stopped_by = br.stopped_by;
            rc = AS_ESTOPPED;
            as_errf(err, errlen, "interrupted in %s", cond);
            goto done;
        }
        if (st != AS_OK) {
            as_errf(err, errlen, "%s: %s", cond, msg[0] ? msg : "the batch failed");
            rc = st;
            goto done;
        }
    }
    if (!res->root)
        goto done;

    /* Count, then fill the curve points that share the reversal's batch. */
    for (size_t i = 0; i < njobs; i++) {
        job *j = &jobs[i];
        if (count_condition(j->dir, cs, &spec->posterior, j->c != &res->no_reversal, opt->reps, j->c, err, errlen) !=
            0) {
            rc = AS_ERUNTIME;
            goto done;
        }
    }
    for (size_t i = 0; i < res->ncurve; i++) {
        claim_condition *c = &res->curve[i];
        if (strcmp(c->folder, "reversal") == 0) {
            claim_condition keep = *c;
            *c = res->reversal;
            memcpy(c->name, keep.name, sizeof c->name);
            c->strength = keep.strength;
        }
    }
    claim_find_crossing(res->curve, res->ncurve, 0.5, &res->half);
    if (res->no_reversal.holds == CLAIM_HOLDS && res->reversal.holds == CLAIM_HOLDS)
        res->holds = CLAIM_HOLDS;
    else if (res->no_reversal.holds == CLAIM_FAILS || res->reversal.holds == CLAIM_FAILS)
        res->holds = CLAIM_FAILS;

    /* The folder's own files. */
    provenance p;
    build_provenance(spec, opt, res, &p);
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/scenario.cfg", opt->outdir);
    if (io_write_file_atomic(path, resolved, strlen(resolved), err, errlen) != AS_OK ||
        write_claim_tsv(opt->outdir, &p, res, err, errlen) != 0 ||
        write_curve_tsv(opt->outdir, &p, res, err, errlen) != 0 ||
        copy_file(jobs[0].dir, opt->outdir, "summary.tsv", err, errlen) != 0 ||
        copy_file(jobs[0].dir, opt->outdir, "milestones.tsv", err, errlen) != 0 ||
        copy_file(jobs[0].dir, opt->outdir, "ladder.tsv", err, errlen) != 0 ||
        posterior_table_write(spec, opt->outdir, p.kv, p.n, err, errlen) != AS_OK) {
        rc = AS_ERUNTIME;
        goto done;
    }
    char *text = claim_verdict_text(spec, res);
    if (!text) {
        as_errf(err, errlen, "out of memory");
        rc = AS_ERUNTIME;
        goto done;
    }
    snprintf(path, sizeof path, "%s/verdict.txt", opt->outdir);
    int wrc = io_write_file_atomic(path, text, strlen(text), err, errlen);
    free(text);
    if (wrc != AS_OK)
        rc = AS_ERUNTIME;
done:
    for (size_t i = 0; i < njobs; i++) {
        free(jobs[i].resolved);
        if (jobs[i].loaded)
            model_spec_clear(&jobs[i].spec);
    }
    free(jobs);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The verdict                                                        */
/* ------------------------------------------------------------------ */

static const char *holds_word(int holds)
{
    return holds == CLAIM_HOLDS ? "HOLDS" : holds == CLAIM_FAILS ? "FAILS" : "UNDECIDED";
}

/* The line on a condition's decision: the margin, or the replications
 * that would decide it. */
static void decision_text(buf *t, const claim_condition *c, double conf)
{
    const char *rel = c->side == CLAIM_BELOW ? "below" : "above";
    if (c->holds == CLAIM_HOLDS) {
        double margin = c->side == CLAIM_BELOW ? c->bound - c->ci_hi : c->ci_lo - c->bound;
        buf_printf(t, "   HOLDS: the whole interval lies %s the bound, with %.3f to spare.\n", rel, margin);
    } else if (c->holds == CLAIM_FAILS) {
        double margin = c->side == CLAIM_BELOW ? c->ci_lo - c->bound : c->bound - c->ci_hi;
        buf_printf(t, "   FAILS: the whole interval lies %s the bound, by at least %.3f.\n",
                    c->side == CLAIM_BELOW ? "above" : "below", margin);
    } else {
        uint64_t need;
        buf_printf(t, "   UNDECIDED: the interval contains the bound.");
        if (claim_reps_to_decide(c, conf, &need) == 0)
            buf_printf(t, " About %llu replications (now %llu)\n   would decide it if P stays near %.3f.\n",
                        (unsigned long long)need, (unsigned long long)c->reps, c->p);
        else
            buf_printf(t, " P sits on the bound: more\n   replications are not expected to decide it.\n");
    }
}

/* Under a posterior: how much of the condition's uncertainty the
 * parameters make, read aloud. */
static void split_text(buf *t, const claim_condition *c, double conf)
{
    const claim_split *s = &c->split;
    if (s->particles == 0)
        return;
    if (isnan(s->share)) {
        buf_printf(t, "   Parameters against chance: every replication gave the same outcome, so there is\n"
                      "   no uncertainty to split.\n");
        return;
    }
    buf_printf(t, "   Parameters against chance: %.0f%% of the outcome's variance comes from the\n"
                  "   parameters",
               100.0 * s->share);
    if (!isnan(s->share_lo))
        buf_printf(t, " (%d%%: %.0f%% to %.0f%%)", (int)lround(conf * 100.0), 100.0 * s->share_lo,
                   100.0 * s->share_hi);
    buf_printf(t, ": across the %zu particles drawn, P(alliance)\n"
                  "   has sd %.3f; the other %.0f%% is chance within a parameter vector.\n",
               s->particles, s->between_sd, 100.0 * (1.0 - s->share));
}

/* The reversal's definition, and the warning the gate-based one needs. */
static void definition_text(buf *t, const model_spec *spec)
{
    const spec_param *th = &spec->params[MP_REVERSAL_THRESHOLD];
    const spec_param *mn = &spec->params[MP_REVERSAL_MIN_YEARS];
    if (claim_gate_based(spec)) {
        buf_printf(t, "The reversal is the gate-based definition (model.reversal_threshold = 0): the common\n"
                      "threat reaches the level at which the alliance gate opens for both. A reversal and an\n"
                      "alliance then coincide by construction, so condition 2 holds by construction and\n"
                      "tests nothing; set model.reversal_threshold > 0 for the definition by inputs.\n\n");
        return;
    }
    buf_printf(t, "A reversal, defined by inputs: a third power's pressures on both partners at or above\n"
                  "%g (model.reversal_threshold) for at least %g year%s (model.reversal_min_years).\n",
               th->value, mn->value, mn->value == 1.0 ? "" : "s");
    if (spec->posterior.n > 0)
        buf_printf(t, "Parameters: each replication draws one of the %zu particles of the posterior\n"
                      "  %s\n"
                      "by its weight; the probabilities integrate over them.\n",
                   spec->posterior.n, spec->posterior.source[0] ? spec->posterior.source : "(given inline)");
    buf_printf(t, "\n");
}

int claim_gate_based(const model_spec *spec)
{
    const spec_param *th = &spec->params[MP_REVERSAL_THRESHOLD];
    return th->value == 0.0 && th->dist.kind == DIST_FIXED &&
           !model_spec_param_in_posterior(spec, MP_REVERSAL_THRESHOLD);
}

/* "china", "china and russia", "a, b and c". */
static void actor_list(buf *t, const model_spec *spec, const int *ids, int n)
{
    for (int i = 0; i < n; i++)
        buf_printf(t, "%s%s", i == 0 ? "" : i == n - 1 ? " and " : ", ", spec->actors[ids[i]].id);
}

char *claim_verdict_text(const model_spec *spec, const claim_result *res)
{
    const spec_claim *cs = &spec->claim;
    buf t = {0};
    char dyad[2 * SPEC_ID_LEN + 2] = "the outcome dyad";
    if (spec->outcome_a >= 0 && spec->outcome_b >= 0)
        model_spec_dyad_name(spec, spec->outcome_a, spec->outcome_b, dyad, sizeof dyad);
    int pct = (int)lround(cs->confidence * 100.0);
    const claim_condition *a = &res->no_reversal, *b = &res->reversal;

    buf_printf(&t, "The claim: %s stays below alliance unless there is a fundamental reversal.\n", dyad);
    buf_printf(&t, "Scenario %s: %llu replications per condition with the same seeds\n"
                    "(master seed %llu); exact %d%% intervals.\n",
                spec->name, (unsigned long long)a->reps, (unsigned long long)spec->seed, pct);
    definition_text(&t, spec);

    buf_printf(&t, "1. Without a reversal, P(alliance by %g) = %.3f [%.3f, %.3f]; the claim needs < %g.\n",
                spec->horizon, a->p, a->ci_lo, a->ci_hi, a->bound);
    decision_text(&t, a, cs->confidence);
    split_text(&t, a, cs->confidence);
    if (a->reversals > 0)
        buf_printf(&t, "   Note: %llu of these replications reached a reversal through the scenario's own\n"
                        "   pressures, so \"without a reversal\" means \"none scheduled\".\n",
                    (unsigned long long)a->reversals);

    buf_printf(&t, "2. With a reversal (");
    if (cs->third_power >= 0)
        buf_printf(&t, "%s confronts ", spec->actors[cs->third_power].id);
    actor_list(&t, spec, cs->targets, cs->ntargets);
    buf_printf(&t, " from %g", cs->at);
    if (cs->duration_years > 0.0)
        buf_printf(&t, " for %g years", cs->duration_years);
    buf_printf(&t, ", strength %g),\n   P(alliance within %g years) = %.3f [%.3f, %.3f]; the claim needs > %g.\n",
                cs->strength, cs->window_years, b->p, b->ci_lo, b->ci_hi, b->bound);
    decision_text(&t, b, cs->confidence);
    split_text(&t, b, cs->confidence);
    if (b->reversals < b->reps)
        buf_printf(&t, "   Note: the model detected a reversal in %llu of %llu replications; the others\n"
                        "   count as no alliance.\n",
                    (unsigned long long)b->reversals, (unsigned long long)b->reps);
    if (b->allied_before > 0)
        buf_printf(&t, "   Note: in %llu of %llu replications the alliance had formed before the reversal\n"
                        "   began; they do not count (the claim is about the alliance a reversal brings).\n",
                    (unsigned long long)b->allied_before, (unsigned long long)b->reps);

    const claim_crossing *h = &res->half;
    if (res->ncurve > 0) {
        buf_printf(&t, "3. P(alliance within %g years of a reversal) ", cs->window_years);
        if (h->found) {
            buf_printf(&t, "passes one half at strength %.3g", h->strength);
            if (!isnan(h->lo) && !isnan(h->hi))
                buf_printf(&t, "\n   (%d%%: between %.3g and %.3g, the strengths tried on either side).\n", pct, h->lo,
                            h->hi);
            else if (!isnan(h->hi))
                buf_printf(&t, "\n   (%d%%: at most %.3g).\n", pct, h->hi);
            else if (!isnan(h->lo))
                buf_printf(&t, "\n   (%d%%: at least %.3g).\n", pct, h->lo);
            else
                buf_printf(&t, ".\n");
        } else if (h->below_first) {
            buf_printf(&t, "is above one half already at the weakest\n   strength tried (%g).\n", cs->strengths[0]);
        } else {
            buf_printf(&t, "stays below one half up to strength %g.\n", cs->strengths[cs->nstrengths - 1]);
        }
        if (spec->posterior.n > 0) {
            buf_printf(&t, "   The curve under the posterior (strength: P [%d%% interval], share from the parameters):\n",
                       pct);
            for (size_t i = 0; i < res->ncurve; i++) {
                const claim_condition *c = &res->curve[i];
                buf_printf(&t, "   %5g: %.3f [%.3f, %.3f]", c->strength, c->p, c->ci_lo, c->ci_hi);
                if (!isnan(c->split.share))
                    buf_printf(&t, ", %.0f%%", 100.0 * c->split.share);
                buf_printf(&t, "\n");
            }
        }
    }

    buf_printf(&t, "\nVerdict: the claim %s%s in this model", res->holds == CLAIM_UNDECIDED ? "is " : "",
               holds_word(res->holds));
    if (res->holds == CLAIM_HOLDS)
        buf_printf(&t, ": both conditions are decided in its favour\nat %d%% confidence.\n", pct);
    else if (res->holds == CLAIM_FAILS)
        buf_printf(&t, ": %s.\n",
                    a->holds == CLAIM_FAILS && b->holds == CLAIM_FAILS
                        ? "both conditions are decided against it"
                    : a->holds == CLAIM_FAILS
                        ? "an alliance forms without a reversal\nmore often than the bound allows"
                        : "a reversal does not bring an alliance\noften enough");
    else
        buf_printf(&t, " at %d%% confidence: run more replications (-n).\n", pct);
    if (spec->posterior.n > 0)
        buf_printf(&t, "The probabilities integrate over the parameter uncertainty the posterior leaves.\n");
    if (claim_gate_based(spec))
        buf_printf(&t, "Caution: with the gate-based reversal, condition 2 holds by construction; the verdict\n"
                       "rests on condition 1 alone.\n");
    return buf_take(&t);
}
