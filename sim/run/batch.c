/*
 * batch - the batch as a reducer on the executor, and its folder (see
 * batch.h).
 *
 * Invariants: the record stream is the partial replications file, whose
 * first bytes are the provenance and header that replications.tsv will
 * have; the executor appends rows to it in replication order, marks its
 * length at each checkpoint and cuts it back to that length on resume, so
 * the partial file always starts with the exact prefix of the final
 * replications.tsv.  The files of the folder are written by the root only
 * after the job completed, and the checkpoint is removed after them.
 */
#include "run/batch.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/status.h"
#include "io/append.h"
#include "io/atomic.h"
#include "run/msacc.h"
#include "run/posterior_table.h"
#include "run/replay.h"
#include "run/summary.h"
#include "stats/cells.h"
#include "stats/rng.h"

uint64_t batch_rep_seed(uint64_t master, uint64_t rep)
{
    return rng_rep_seed(master, rep);
}

/* The job's context: shapes (every rank) and the record file (root). */
typedef struct {
    const model_spec *spec;
    size_t nd, nyears, ncells;
    int first_year;
    size_t *drawn, ndrawn;     /* parameters drawn per replication */
    io_append *part;           /* root: the partial replications file */
    buf header;                /* its first bytes: provenance and columns */
    char *partial_path, *final_path;
} batch_ctx;

/* The accumulator. */
typedef struct {
    stats_cells *cells;
    msacc *ms;
    rep_tally tally;
} batch_acc;

/* A worker: a replication runner and where the current sample goes. */
typedef struct {
    const batch_ctx *c;
    rep_worker *rw;
    batch_acc *acc;
    char msg[256];
} batch_worker;

/* ------------------------------------------------------------------ */
/* The reducer                                                        */
/* ------------------------------------------------------------------ */

static void *worker_alloc(void *ctx)
{
    batch_ctx *c = ctx;
    batch_worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->c = c;
    if (!(w->rw = rep_worker_alloc(c->spec))) {
        free(w);
        return NULL;
    }
    return w;
}

static void worker_free(void *ctx, void *wp)
{
    (void)ctx;
    batch_worker *w = wp;
    if (!w)
        return;
    rep_worker_free(w->rw);
    free(w);
}

static int on_sample(void *ctx, int year, const model *m)
{
    batch_worker *w = ctx;
    const batch_ctx *c = w->c;
    if (year < c->first_year || (size_t)(year - c->first_year) >= c->nyears)
        return 0;
    size_t y = (size_t)(year - c->first_year);
    int ar = model_alliance_rung(m);
    for (size_t d = 0; d < c->nd; d++) {
        if (!model_dyad_active(m, d))
            continue;
        double x = model_dyad_x(m, d);
        int rc = stats_cells_add(w->acc->cells, y * c->nd + d, x, model_dyad_rung(m, d) == ar);
        if (rc != AS_OK) {
            snprintf(w->msg, sizeof w->msg, "cannot record x = %g of dyad %zu in %d: %s", x, d, year,
                     as_status_name(rc));
            return 1;
        }
    }
    return 0;
}

static int run(void *ctx, void *wp, const engine_task *t, void *accp, buf *rec, char *err, size_t errlen)
{
    batch_ctx *c = ctx;
    batch_worker *w = wp;
    batch_acc *acc = accp;
    w->acc = acc;
    w->msg[0] = '\0';
    rep_outcome out;
    int rc = rep_run(w->rw, t->seed, NULL, NULL, 0, on_sample, w, &out, err, errlen);
    if (rc != AS_OK) {
        if (w->msg[0])
            snprintf(err, errlen, "%s", w->msg);
        return rc;
    }
    msacc_add(acc->ms, rep_milestones(w->rw));
    rep_tally_add(&acc->tally, &out);
    const double *v = rep_params(w->rw);
    tsv_text_int(rec, (int64_t)t->index);
    tsv_text_int(rec, (int64_t)t->seed);
    tsv_text_double(rec, out.alliance_year);
    tsv_text_int(rec, out.reversal ? 1 : 0);
    tsv_text_double(rec, out.reversal_onset);
    if (c->spec->posterior.n > 0)
        tsv_text_int(rec, out.particle >= 0 ? c->spec->posterior.id[out.particle] : -1);
    for (size_t i = 0; i < c->ndrawn; i++)
        tsv_text_double(rec, v[c->drawn[i]]);
    tsv_text_end_row(rec);
    return AS_OK;
}

static void acc_free(void *ctx, void *accp)
{
    (void)ctx;
    batch_acc *a = accp;
    if (!a)
        return;
    stats_cells_free(a->cells);
    msacc_free(a->ms);
    free(a);
}

static void *acc_alloc(void *ctx)
{
    batch_ctx *c = ctx;
    batch_acc *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->cells = stats_cells_alloc(c->ncells, -1.0, 1.0, SUMMARY_QUANTILE_BINS);
    a->ms = msacc_alloc(c->spec);
    rep_tally_init(&a->tally, c->spec->start);
    if (!a->cells || !a->ms) {
        acc_free(ctx, a);
        return NULL;
    }
    return a;
}

static void acc_reset(void *ctx, void *accp)
{
    batch_ctx *c = ctx;
    batch_acc *a = accp;
    stats_cells_reset(a->cells);
    msacc_reset(a->ms);
    rep_tally_init(&a->tally, c->spec->start);
}

static int acc_merge(void *ctx, void *dstp, const void *srcp)
{
    (void)ctx;
    batch_acc *dst = dstp;
    const batch_acc *src = srcp;
    if (stats_cells_merge(dst->cells, src->cells) != AS_OK || msacc_merge(dst->ms, src->ms) != 0)
        return AS_ERUNTIME;
    rep_tally_merge(&dst->tally, &src->tally);
    return AS_OK;
}

/* Image: cells_len, cells image, ms_len, ms image, the tally. */
static int acc_pack(void *ctx, const void *accp, buf *out)
{
    (void)ctx;
    const batch_acc *a = accp;
    size_t cl = stats_cells_packed_size(a->cells), ml = msacc_packed_size(a->ms);
    buf_append_u64(out, cl);
    if (buf_reserve(out, cl) != 0 || stats_cells_pack(a->cells, out->data + out->len, cl) != AS_OK)
        return AS_ENOMEM;
    out->len += cl;
    buf_append_u64(out, ml);
    if (buf_reserve(out, ml) != 0 || msacc_pack(a->ms, out->data + out->len, ml) != 0)
        return AS_ENOMEM;
    out->len += ml;
    rep_tally_pack(&a->tally, out);
    return out->failed ? AS_ENOMEM : AS_OK;
}

static int acc_unpack(void *ctx, void *accp, const unsigned char *data, size_t len)
{
    (void)ctx;
    batch_acc *a = accp;
    buf_reader r = buf_reader_of(data, len);
    uint64_t cl = buf_read_u64(&r);
    const unsigned char *cells = buf_read_bytes(&r, cl);
    uint64_t ml = buf_read_u64(&r);
    const unsigned char *ms = buf_read_bytes(&r, ml);
    rep_tally t = a->tally;
    rep_tally_unpack(&t, &r);
    if (r.failed || r.pos != r.len || stats_cells_unpack(a->cells, cells, (size_t)cl) != AS_OK ||
        msacc_unpack(a->ms, ms, (size_t)ml) != 0)
        return AS_ERUNTIME;
    a->tally = t;
    return AS_OK;
}

/* A journal keeps the tally only: a replayed batch writes no files. */
static int journal_pack(void *ctx, const void *accp, buf *out)
{
    (void)ctx;
    const batch_acc *a = accp;
    rep_tally_pack(&a->tally, out);
    return out->failed ? AS_ENOMEM : AS_OK;
}

static int journal_unpack(void *ctx, void *accp, const unsigned char *data, size_t len)
{
    batch_acc *a = accp;
    acc_reset(ctx, a);
    buf_reader r = buf_reader_of(data, len);
    rep_tally_unpack(&a->tally, &r);
    return r.failed || r.pos != r.len ? AS_ERUNTIME : AS_OK;
}

static int records(void *ctx, uint64_t first, uint64_t end, const unsigned char *data, size_t len, char *err,
                   size_t errlen)
{
    (void)first;
    (void)end;
    batch_ctx *c = ctx;
    return io_append_write(c->part, data, len, err, errlen);
}

static int records_open(void *ctx, int resume, uint64_t pos, char *err, size_t errlen)
{
    batch_ctx *c = ctx;
    if (!resume) {
        c->part = io_append_create(c->partial_path, c->header.data, c->header.len, err, errlen);
        return c->part ? AS_OK : AS_EIO;
    }
    /* Killed while finishing, after the rename: take the rows back (only if
     * they are this batch's, so an unrelated file is never touched). */
    if (access(c->partial_path, F_OK) != 0 &&
        io_append_matches(c->final_path, pos, c->header.data, c->header.len) &&
        rename(c->final_path, c->partial_path) != 0) {
        snprintf(err, errlen, "%s: %s", c->final_path, strerror(errno));
        return AS_EIO;
    }
    c->part = io_append_reopen(c->partial_path, pos, c->header.data, c->header.len, err, errlen);
    return c->part ? AS_OK : AS_EIO;
}

static int records_mark(void *ctx, uint64_t *pos, char *err, size_t errlen)
{
    batch_ctx *c = ctx;
    *pos = io_append_length(c->part);
    return io_append_sync(c->part, err, errlen);
}

static const engine_reducer batch_reducer = {
    worker_alloc, worker_free, run,          acc_alloc,    acc_free,     acc_reset,      acc_merge,
    acc_pack,     acc_unpack,  records,      records_open, records_mark, journal_pack, journal_unpack,
};

/* ------------------------------------------------------------------ */
/* The folder                                                         */
/* ------------------------------------------------------------------ */

static uint64_t hash_text(const char *s)
{
    return buf_fnv1a(BUF_FNV_OFFSET, s, strlen(s));
}

/* The digest of the caller's provenance (the --set overrides). */
static uint64_t hash_prov(const io_kv *prov, size_t n)
{
    uint64_t h = BUF_FNV_OFFSET;
    for (size_t i = 0; i < n; i++) {
        const char *k = prov[i].key ? prov[i].key : "", *v = prov[i].value ? prov[i].value : "";
        h = buf_fnv1a(h, k, strlen(k) + 1);
        h = buf_fnv1a(h, v, strlen(v) + 1);
    }
    return h;
}

/* Every rank: the shapes and the drawn parameters.  AS_OK or AS_ENOMEM. */
static int ctx_init(batch_ctx *c, const model_spec *s)
{
    memset(c, 0, sizeof *c);
    c->spec = s;
    c->nd = spec_ndyads(s->nactors);
    c->first_year = summary_first_year(s);
    c->nyears = summary_years(s);
    c->ncells = c->nyears * c->nd;
    c->drawn = calloc(s->nparams ? s->nparams : 1, sizeof *c->drawn);
    if (!c->drawn)
        return AS_ENOMEM;
    for (size_t i = 0; i < s->nparams; i++)
        if (model_spec_param_per_replication(s, i))
            c->drawn[c->ndrawn++] = i;
    return AS_OK;
}

static void ctx_clear(batch_ctx *c)
{
    io_append_close(c->part);
    buf_clear(&c->header);
    free(c->drawn);
    free(c->partial_path);
    free(c->final_path);
}

/* Root: the folder, the hidden paths and the header of the rows.  prov is
 * the full provenance.  AS_OK or a failure with a message. */
static int root_prepare(batch_ctx *c, const char *dir, const io_kv *prov, size_t nprov, char *err, size_t errlen)
{
    static const char *const fixed[] = {"rep", "seed", "alliance_year", "reversal", "reversal_onset", "particle"};
    /* `particle` (the posterior's particle id) only when there is a posterior. */
    size_t nfixed = c->spec->posterior.n > 0 ? 6 : 5;
    const char **cols = calloc(nfixed + c->ndrawn, sizeof *cols);
    c->partial_path = io_join(dir, BATCH_PARTIAL_FILE);
    c->final_path = io_join(dir, "replications.tsv");
    if (!cols || !c->partial_path || !c->final_path) {
        free(cols);
        snprintf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    memcpy(cols, fixed, nfixed * sizeof *cols);
    for (size_t i = 0; i < c->ndrawn; i++)
        cols[nfixed + i] = c->spec->params[c->drawn[i]].path;
    tsv_header_text(&c->header, prov, nprov, cols, nfixed + c->ndrawn);
    free(cols);
    if (c->header.failed) {
        snprintf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    if (io_mkdir_p(dir, err, errlen) != AS_OK)
        return AS_EIO;
    static const char *const names[] = {BATCH_CKPT_FILE, "scenario.cfg", "summary.tsv", "replications.tsv",
                                        "milestones.tsv", "ladder.tsv", "posterior.tsv"};
    io_remove_stale_temps(dir, names, sizeof names / sizeof names[0]);
    return AS_OK;
}

/* Root, once every replication is in: the files, then the checkpoint
 * goes.  AS_OK or a failure with a message. */
static int finish_files(batch_ctx *c, const batch_acc *a, const char *resolved, const char *dir, const char *ckpt,
                        const io_kv *prov, size_t nprov, char *err, size_t errlen)
{
    char *cfg = io_join(dir, "scenario.cfg");
    if (!cfg) {
        snprintf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    int rc = io_write_file_atomic(cfg, resolved, strlen(resolved), err, errlen) == AS_OK ? AS_OK : AS_EIO;
    free(cfg);
    if (rc == AS_OK)
        rc = summary_write(c->spec, a->cells, dir, prov, nprov, err, errlen);
    if (rc == AS_OK)
        rc = summary_write_milestones(c->spec, a->ms, dir, prov, nprov, err, errlen);
    if (rc == AS_OK)
        rc = replay_write_ladder(c->spec, dir, prov, nprov, err, errlen);
    if (rc == AS_OK)
        rc = posterior_table_write(c->spec, dir, prov, nprov, err, errlen);
    if (rc == AS_OK) {
        io_append *p = c->part;
        c->part = NULL;
        rc = io_append_commit(p, c->final_path, err, errlen);
    }
    if (rc == AS_OK)
        rc = engine_checkpoint_remove(ckpt, err, errlen);
    return rc;
}

int batch_run(engine *e, const model_spec *spec, const char *resolved, const batch_options *opt,
              batch_report *report, char *err, size_t errlen)
{
    batch_report dummy;
    if (!report)
        report = &dummy;
    memset(report, 0, sizeof *report);
    rep_tally_init(&report->tally, spec->start);
    report->root = engine_rank(e) == 0;
    if (err && errlen)
        err[0] = '\0';
    if (opt->reps == 0 || !opt->outdir) {
        snprintf(err, errlen, "a batch needs a folder and at least one replication");
        return AS_EUSAGE;
    }

    batch_ctx c;
    batch_acc *result = NULL;
    char *ckpt = io_join(opt->outdir, BATCH_CKPT_FILE);
    char seed_text[32], reps_text[32];
    snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)spec->seed);
    snprintf(reps_text, sizeof reps_text, "%llu", (unsigned long long)opt->reps);
    size_t nprov = 4 + opt->nprov;
    io_kv *prov = calloc(nprov, sizeof *prov);
    int status = ctx_init(&c, spec);
    if (status == AS_OK && (!ckpt || !prov))
        status = AS_ENOMEM;
    if (status == AS_OK) {
        prov[0] = (io_kv){"program", "alignsim " ALIGNSIM_VERSION};
        prov[1] = (io_kv){"scenario", spec->name};
        prov[2] = (io_kv){"seed", seed_text};
        prov[3] = (io_kv){"replications", reps_text};
        memcpy(prov + 4, opt->prov, opt->nprov * sizeof *prov);
        result = acc_alloc(&c);
        if (!result)
            status = AS_ENOMEM;
    }
    if (status == AS_ENOMEM)
        snprintf(err, errlen, "out of memory");
    if (status == AS_OK && report->root)
        status = root_prepare(&c, opt->outdir, prov, nprov, err, errlen);
    status = engine_agree(e, status);

    engine_report er;
    memset(&er, 0, sizeof er);
    if (status == AS_OK) {
        engine_job job;
        memset(&job, 0, sizeof job);
        job.reducer = &batch_reducer;
        job.ctx = &c;
        job.ntasks = opt->reps;
        job.master = spec->seed;
        job.block_tasks = BATCH_BLOCK_REPS;
        job.checkpoint = ckpt;
        job.identity[0] = hash_text(resolved);
        job.identity[1] = hash_prov(opt->prov, opt->nprov);
        job.resume = opt->resume;
        job.what = "batch";
        job.how_to_match = "the same scenario, -n, -s and --set";
        job.journal_key = opt->journal_key;
        job.progress_base = opt->progress_base;
        job.progress_total = opt->progress_total;
        status = engine_run(e, &job, result, &er, err, errlen);
        report->reps_done = er.tasks_done;
        report->reps_before = er.tasks_before;
        report->stopped_by = er.stopped_by;
        report->replayed = er.replayed;
        if (status == AS_OK && report->root && !er.replayed)
            status = finish_files(&c, result, resolved, opt->outdir, ckpt, prov, nprov, err, errlen);
        if (status == AS_OK)
            report->tally = result->tally;
        status = engine_agree(e, status);
    }
    /* A batch that failed without a checkpoint cannot be resumed: its
     * partial rows file would only be litter in the folder. */
    int drop = report->root && c.part && status != AS_OK && status != AS_ESTOPPED && access(ckpt, F_OK) != 0;
    io_append_close(c.part);
    c.part = NULL;
    if (drop)
        (void)unlink(c.partial_path);
    acc_free(&c, result);
    ctx_clear(&c);
    free(prov);
    free(ckpt);
    return status;
}
