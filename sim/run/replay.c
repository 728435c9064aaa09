/*
 * replay - one fully recorded replication and its result folder.
 *
 * The observer collects the yearly samples into a preallocated grid (years x
 * dyads) and the events into a growing log; the files are written only
 * after the run has finished, each through io/ (atomic).
 */
#include "run/replay.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "run/posterior_table.h"
#include "run/summary.h"

typedef struct {
    double time;
    char kind[SPEC_ID_LEN];
    char *actors, *detail;
} event_row;

typedef struct {
    const model_spec *spec;
    size_t nd, nyears;
    int first_year;
    double *x, *target, *threat;
    int *rung;
    unsigned *commit;
    unsigned char *active, *sampled;
    int *pair_a, *pair_b;   /* actors of each dyad */
    event_row *events;
    size_t nevents, cap_events;
    int oom;
    milestones *ms;
} recorder;

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static void rec_event(void *ctx, double time, const char *kind, const char *actors, const char *detail)
{
    recorder *r = ctx;
    if (r->oom)
        return;
    if (r->nevents == r->cap_events) {
        size_t nc = r->cap_events ? r->cap_events * 2 : 256;
        event_row *p = realloc(r->events, nc * sizeof *p);
        if (!p) {
            r->oom = 1;
            return;
        }
        r->events = p;
        r->cap_events = nc;
    }
    event_row *e = &r->events[r->nevents];
    e->time = time;
    snprintf(e->kind, sizeof e->kind, "%s", kind);
    e->actors = dupstr(actors);
    e->detail = dupstr(detail);
    if (!e->actors || !e->detail) {
        free(e->actors);
        free(e->detail);
        r->oom = 1;
        return;
    }
    r->nevents++;
}

static int rec_sample(void *ctx, int year, const model *m)
{
    recorder *r = ctx;
    if (year < r->first_year || (size_t)(year - r->first_year) >= r->nyears)
        return 0;
    size_t y = (size_t)(year - r->first_year);
    for (size_t d = 0; d < r->nd; d++) {
        size_t i = y * r->nd + d;
        r->x[i] = model_dyad_x(m, d);
        r->target[i] = model_dyad_target(m, d);
        r->threat[i] = model_dyad_threat(m, d);
        r->rung[i] = model_dyad_rung(m, d);
        r->commit[i] = model_dyad_commitments(m, d);
        r->active[i] = (unsigned char)model_dyad_active(m, d);
    }
    r->sampled[y] = 1;
    return 0;
}

static void rec_change(void *ctx, double time, size_t dyad, int rung, unsigned commit)
{
    recorder *r = ctx;
    milestones_change(r->ms, time, dyad, rung, commit);
}

static void recorder_free(recorder *r)
{
    free(r->x);
    free(r->target);
    free(r->threat);
    free(r->rung);
    free(r->commit);
    free(r->active);
    free(r->sampled);
    free(r->pair_a);
    free(r->pair_b);
    for (size_t i = 0; i < r->nevents; i++) {
        free(r->events[i].actors);
        free(r->events[i].detail);
    }
    free(r->events);
    milestones_free(r->ms);
}

static int recorder_init(recorder *r, const model_spec *s)
{
    memset(r, 0, sizeof *r);
    r->spec = s;
    r->nd = spec_ndyads(s->nactors);
    r->first_year = (int)floor(s->start);
    r->nyears = (size_t)(floor(s->horizon) - r->first_year + 1);
    size_t n = r->nyears * r->nd;
    r->x = calloc(n, sizeof *r->x);
    r->target = calloc(n, sizeof *r->target);
    r->threat = calloc(n, sizeof *r->threat);
    r->rung = calloc(n, sizeof *r->rung);
    r->commit = calloc(n, sizeof *r->commit);
    r->active = calloc(n, 1);
    r->sampled = calloc(r->nyears, 1);
    r->ms = milestones_alloc(s);
    r->pair_a = calloc(r->nd ? r->nd : 1, sizeof *r->pair_a);
    r->pair_b = calloc(r->nd ? r->nd : 1, sizeof *r->pair_b);
    if (!r->pair_a || !r->pair_b) {
        recorder_free(r);
        return -1;
    }
    for (int a = 0; a < s->nactors; a++)
        for (int b = a + 1; b < s->nactors; b++) {
            r->pair_a[spec_dyad_index(s->nactors, a, b)] = a;
            r->pair_b[spec_dyad_index(s->nactors, a, b)] = b;
        }
    if (!r->x || !r->target || !r->threat || !r->rung || !r->commit || !r->active || !r->sampled || !r->ms) {
        recorder_free(r);
        return -1;
    }
    return 0;
}

/* Provenance common to every table of the folder. */
typedef struct {
    io_kv kv[16];
    size_t n;
    char seed[32];
} provenance;

static void prov_init(provenance *p, const model_spec *s, uint64_t seed, const io_kv *extra, size_t nextra)
{
    p->n = 0;
    p->kv[p->n++] = (io_kv){"program", "alignsim " ALIGNSIM_VERSION};
    p->kv[p->n++] = (io_kv){"scenario", s->name};
    snprintf(p->seed, sizeof p->seed, "%llu", (unsigned long long)seed);
    p->kv[p->n++] = (io_kv){"seed", p->seed};
    for (size_t i = 0; i < nextra && p->n < sizeof p->kv / sizeof p->kv[0]; i++)
        p->kv[p->n++] = extra[i];
}

static int write_trajectory(const recorder *r, const char *dir, const provenance *p, char *err, size_t errlen)
{
    static const char *const cols[] = {"year", "dyad", "x", "label", "label_name", "commitment", "x_target", "threat"};
    char path[4096];
    snprintf(path, sizeof path, "%s/trajectory.tsv", dir);
    tsv_writer *w = tsv_open(path, p->kv, p->n, cols, 8, err, errlen);
    if (!w)
        return AS_EIO;
    const model_spec *s = r->spec;
    for (size_t y = 0; y < r->nyears; y++) {
        if (!r->sampled[y])
            continue;
        for (size_t d = 0; d < r->nd; d++) {
            size_t i = y * r->nd + d;
            if (!r->active[i])
                continue;
            int a = r->pair_a[d], b = r->pair_b[d];
            char name[2 * SPEC_ID_LEN + 2], cbuf[64];
            model_spec_dyad_name(s, a, b, name, sizeof name);
            spec_commitments_format(r->commit[i], cbuf, sizeof cbuf);
            tsv_int(w, r->first_year + (int64_t)y);
            tsv_str(w, name);
            tsv_double(w, r->x[i]);
            tsv_int(w, s->ladder[r->rung[i]].label);
            tsv_str(w, s->ladder[r->rung[i]].name);
            tsv_str(w, cbuf);
            tsv_double(w, r->target[i]);
            tsv_double(w, r->threat[i]);
            tsv_end_row(w);
        }
    }
    return tsv_commit(w, err, errlen);
}

static int write_events(const recorder *r, const char *dir, const provenance *p, char *err, size_t errlen)
{
    static const char *const cols[] = {"time", "type", "actors", "detail"};
    char path[4096];
    snprintf(path, sizeof path, "%s/events.tsv", dir);
    tsv_writer *w = tsv_open(path, p->kv, p->n, cols, 4, err, errlen);
    if (!w)
        return AS_EIO;
    for (size_t i = 0; i < r->nevents; i++) {
        tsv_fixed(w, r->events[i].time, 3);
        tsv_str(w, r->events[i].kind);
        tsv_str(w, r->events[i].actors);
        tsv_str(w, r->events[i].detail);
        tsv_end_row(w);
    }
    return tsv_commit(w, err, errlen);
}

static int write_milestones(const recorder *r, const char *dir, const provenance *p, char *err, size_t errlen)
{
    static const char *const cols[] = {"dyad", "target_year", "target_label", "sim_year", "error_years",
                                       "kind", "commitment", "note"};
    char path[4096];
    snprintf(path, sizeof path, "%s/milestones.tsv", dir);
    tsv_writer *w = tsv_open(path, p->kv, p->n, cols, 8, err, errlen);
    if (!w)
        return AS_EIO;
    const model_spec *s = r->spec;
    for (size_t i = 0; i < s->ntargets; i++) {
        summary_target_head(w, s, i);
        double sy = milestones_sim_year(r->ms, i), e = milestones_error(r->ms, i);
        if (isnan(sy))
            tsv_na(w);
        else
            tsv_fixed(w, sy, 2);
        if (isnan(e))
            tsv_na(w);
        else
            tsv_fixed(w, e, 2);
        summary_target_tail(w, s, i);
        tsv_end_row(w);
    }
    return tsv_commit(w, err, errlen);
}

int replay_write_ladder(const model_spec *spec, const char *outdir, const io_kv *prov, size_t nprov,
                        char *err, size_t errlen)
{
    static const char *const cols[] = {"label", "label_name", "x_min"};
    char path[4096];
    snprintf(path, sizeof path, "%s/ladder.tsv", outdir);
    tsv_writer *w = tsv_open(path, prov, nprov, cols, 3, err, errlen);
    if (!w)
        return AS_EIO;
    for (int i = 0; i < spec->nrungs; i++) {
        tsv_int(w, spec->ladder[i].label);
        tsv_str(w, spec->ladder[i].name);
        if (isfinite(spec->ladder[i].x_min))
            tsv_double(w, spec->ladder[i].x_min);
        else
            tsv_na(w);
        tsv_end_row(w);
    }
    return tsv_commit(w, err, errlen);
}

void replay_format_score(const milestones_score *sc, char *out, size_t len)
{
    snprintf(out, len,
             "replay score: %zu of %zu milestones within 1 year, %zu within 2 years, %zu missed; "
             "mean absolute error %.2f years",
             sc->within1, sc->targets, sc->within2, sc->missed, sc->mae_years);
}

int replay_run(const model_spec *spec, const char *resolved, uint64_t seed, const io_kv *prov, size_t nprov,
               const char *outdir, replay_report *report, char *err, size_t errlen)
{
    recorder r;
    model *m = NULL;
    int rc = AS_ENOMEM;
    if (recorder_init(&r, spec) != 0) {
        snprintf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    m = model_alloc(spec);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    rc = AS_ERUNTIME;
    model_observer obs = {&r, rec_event, rec_sample, rec_change};
    model_outcome out;
    int mrc = model_run(m, seed, NULL, &obs, &out);
    if (mrc != 0 || r.oom) {
        snprintf(err, errlen, "replication failed (%s)", r.oom ? "out of memory" : "kernel error");
        goto done;
    }
    milestones_finish(r.ms, spec->horizon);

    rc = AS_EIO;
    if (io_mkdir_p(outdir, err, errlen) != AS_OK)
        goto done;
    provenance p;
    prov_init(&p, spec, seed, prov, nprov);
    char particle[32];
    if (out.particle >= 0 && p.n < sizeof p.kv / sizeof p.kv[0]) {
        snprintf(particle, sizeof particle, "%lld", (long long)spec->posterior.id[out.particle]);
        p.kv[p.n++] = (io_kv){"posterior_particle", particle};
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/scenario.cfg", outdir);
    if ((rc = io_write_file_atomic(path, resolved, strlen(resolved), err, errlen)) != AS_OK ||
        (rc = write_trajectory(&r, outdir, &p, err, errlen)) != AS_OK ||
        (rc = write_events(&r, outdir, &p, err, errlen)) != AS_OK ||
        (rc = write_milestones(&r, outdir, &p, err, errlen)) != AS_OK ||
        (rc = replay_write_ladder(spec, outdir, p.kv, p.n, err, errlen)) != AS_OK ||
        (rc = posterior_table_write(spec, outdir, p.kv, p.n, err, errlen)) != AS_OK)
        goto done;
    if (report) {
        report->score = milestones_get_score(r.ms);
        report->outcome = out;
        report->nevents = r.nevents;
    }
    rc = AS_OK;
done:
    model_free(m);
    recorder_free(&r);
    return rc;
}
