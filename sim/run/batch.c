/*
 * batch - the batch engine: worker threads, epochs, the MPI protocol,
 * checkpoints and the summary files (see batch.h for what and why).
 *
 * Roles.  Every process (MPI rank) has one coordinating thread (the caller
 * of batch_run) and `threads` workers.  The coordinator of rank 0 (the
 * root) also plans epochs, writes every file and keeps the totals.
 *
 * One epoch, on every rank, in this order (the only collective sequence;
 * every rank follows it, so the ranks never disagree on what comes next):
 *   1. the root broadcasts the plan: RUN blocks [e0, e1) (with how much of
 *      each pending block is already done), or FINISH with a status;
 *   2. each rank runs its blocks (b mod K == rank) with its workers, taken
 *      in increasing order; a stop (signal, test hook, failure) makes
 *      workers end after their current replication;
 *   3. each rank reports to the root: per block, replications done and
 *      their rows; its stop signal; its failure message;
 *   4. the root appends the rows of the completed prefix of blocks to the
 *      partial file, keeps partly done blocks as pending, and broadcasts
 *      whether the accumulators are to be collected;
 *   5. if so, each rank sends its workers' merged accumulators (and resets
 *      them); the root adds them to the totals and writes a checkpoint, or,
 *      when every block is done, the result files.
 *
 * Invariant (root, after every collection): total and mtotal hold exactly
 * the replications of blocks < prefix plus the `done` first replications of
 * each pending block; the partial file holds exactly the rows of blocks <
 * prefix after its header.  That is what a checkpoint records.
 *
 * Threads.  Workers touch only their own model, accumulators and the slot
 * they took; slots are (re)built by the coordinator only while no worker is
 * busy.  mu guards the slot queue, busy, blocks_done and the failure text;
 * stop and reps_in_epoch are atomics read without the lock.
 */
#include "run/batch.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/atomic.h"
#include "model/milestones.h"
#include "model/model.h"
#include "run/checkpoint.h"
#include "run/cluster.h"
#include "run/msacc.h"
#include "run/replay.h"
#include "run/wire.h"
#include "stats/cells.h"
#include "stats/rng.h"

#define STOP_FAILED (-1)      /* value of engine.stop after a failure */
/* Room for any broadcast message: a plan holds at most
 * BATCH_MAX_EPOCH_BLOCKS pending blocks of 16 bytes after 40 bytes. */
#define BCAST_BYTES (48u + 16u * BATCH_MAX_EPOCH_BLOCKS)

enum { CMD_RUN = 1, CMD_FINISH = 2 };

uint64_t batch_rep_seed(uint64_t master, uint64_t rep)
{
    return rng_rep_seed(master, rep);
}

/* ------------------------------------------------------------------ */
/* State                                                              */
/* ------------------------------------------------------------------ */

typedef struct engine engine;

/* A block, or what is left of it, taken by one worker in one epoch. */
typedef struct {
    uint64_t block;
    uint64_t first, end;  /* replications first .. end - 1 are to run */
    uint64_t done;        /* of them done so far */
    wire_buf rows;        /* their replications.tsv rows */
} slot;

typedef struct {
    engine *e;
    pthread_t tid;
    model *m;
    milestones *ms;
    stats_cells *acc;
    msacc *macc;
    double *params;
    char msg[512];        /* why the last replication failed */
} worker;

/* A block partly done (root only). */
typedef struct {
    uint64_t block, done;
    wire_buf rows;
} pend;

/* Plan of one epoch, as broadcast (the pending list stays in the message). */
typedef struct {
    uint64_t cmd, status, e0, e1;
    size_t npend;
} plan;

struct engine {
    const model_spec *spec;
    const batch_options *opt;
    int rank, nranks;
    uint64_t reps, nblocks;
    size_t nd, nyears, ncells;
    int first_year;
    int *pair_a, *pair_b;
    size_t *drawn, ndrawn;   /* parameters drawn per replication */

    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    int sync_ready;          /* mu and the condition variables exist */
    slot *slots;
    size_t nslots, cap_slots, next_slot;
    unsigned busy;
    int quit;
    uint64_t blocks_done;    /* blocks this process completed */
    int failed;
    char fail_msg[512];
    atomic_int stop;         /* 0; a signal number; STOP_FAILED */
    atomic_uint_fast64_t reps_in_epoch;

    worker *workers;
    unsigned nworkers, nstarted;

    stats_cells *scratch;    /* root: unpacked images; others: merge of workers */
    msacc *mscratch;
    unsigned char *pack;     /* packed stats_cells image */
    size_t pack_len;
    unsigned char *mpack;    /* packed msacc image */
    size_t mpack_len;
    wire_buf msg;            /* report messages */
    unsigned char bc[BCAST_BYTES]; /* broadcast messages: plans, decisions */
    size_t bc_len;

    /* root only */
    stats_cells *total;
    msacc *mtotal;
    partial *part;
    uint64_t prefix;         /* blocks complete and in the partial file */
    pend *pending;
    size_t npending;
    ckpt_identity id;
    uint64_t reps_before;    /* done when this run started */
    wire_buf header;         /* provenance and columns of replications.tsv */
    io_kv prov[24];
    size_t nprov;
    char seed_text[32], reps_text[32];
    char ckpt_path[4096], partial_path[4096], final_path[4096];
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                      */
/* ------------------------------------------------------------------ */

static double now_seconds(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0.0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The pthread calls below can fail only on programmer errors (EINVAL,
 * EPERM, EDEADLK: an uninitialised or unowned object), hence asserts. */
static void must(int rc)
{
    assert(rc == 0);
    (void)rc;
}

static void lock(engine *e)
{
    int rc = pthread_mutex_lock(&e->mu);
    assert(rc == 0);
    (void)rc;
}

static void unlock(engine *e)
{
    int rc = pthread_mutex_unlock(&e->mu);
    assert(rc == 0);
    (void)rc;
}

static uint64_t block_size(const engine *e, uint64_t b)
{
    uint64_t first = b * BATCH_BLOCK_REPS;
    return e->reps - first < BATCH_BLOCK_REPS ? e->reps - first : BATCH_BLOCK_REPS;
}

/* Records the first failure of this process and stops its workers. */
static void fail_locked(engine *e, const char *msg)
{
    if (!e->failed) {
        e->failed = 1;
        snprintf(e->fail_msg, sizeof e->fail_msg, "%s", msg);
    }
    atomic_store(&e->stop, STOP_FAILED);
}

static void fail(engine *e, const char *msg)
{
    if (e->sync_ready)
        lock(e);
    fail_locked(e, msg);
    if (e->sync_ready)
        unlock(e);
}

/* Appends text with tabs and line breaks turned into spaces (as io/tsv). */
static void append_clean(wire_buf *b, const char *s)
{
    for (; *s; s++) {
        char c = (*s == '\t' || *s == '\n' || *s == '\r') ? ' ' : *s;
        wire_append(b, &c, 1);
    }
}

static void append_str(wire_buf *b, const char *s)
{
    wire_append(b, s, strlen(s));
}

static void append_double(wire_buf *b, double v)
{
    char buf[TSV_DOUBLE_BUFSIZE];
    tsv_format_double(buf, sizeof buf, v);
    append_str(b, buf);
}

/*
 * Parameters drawn once per replication: those with a distribution, except
 * event magnitudes, which the model draws at each occurrence (the same rule
 * as model_alloc's per_occurrence flags).
 */
/* ------------------------------------------------------------------ */
/* One replication                                                    */
/* ------------------------------------------------------------------ */

static int on_sample(void *ctx, int year, const model *m)
{
    worker *w = ctx;
    const engine *e = w->e;
    if (year < e->first_year || (size_t)(year - e->first_year) >= e->nyears)
        return 0;
    size_t y = (size_t)(year - e->first_year);
    int ar = model_alliance_rung(m);
    for (size_t d = 0; d < e->nd; d++) {
        if (!model_dyad_active(m, d))
            continue;
        double x = model_dyad_x(m, d);
        int rc = stats_cells_add(w->acc, y * e->nd + d, x, model_dyad_rung(m, d) == ar);
        if (rc != STATS_OK) {
            snprintf(w->msg, sizeof w->msg, "cannot record x = %g of dyad %zu in %d: %s", x, d, year,
                     stats_strerror(rc));
            return 1;
        }
    }
    return 0;
}

static void on_change(void *ctx, double time, size_t dyad, int rung, unsigned commitments)
{
    worker *w = ctx;
    milestones_change(w->ms, time, dyad, rung, commitments);
}

/* Runs replication rep, adds it to the worker's accumulators and appends
 * its row.  Returns 0, or -1 with the reason in w->msg. */
static int run_rep(worker *w, uint64_t rep, wire_buf *rows)
{
    const engine *e = w->e;
    const model_spec *s = e->spec;
    uint64_t seed = batch_rep_seed(s->seed, rep);
    if (e->ndrawn)
        model_draw_params(w->m, seed, w->params);
    milestones_reset(w->ms);
    w->msg[0] = '\0';
    model_observer obs = {w, NULL, on_sample, on_change};
    model_outcome out;
    int rc = model_run(w->m, seed, NULL, &obs, &out);
    if (rc != MODEL_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", w->msg[0] ? w->msg : "the model failed");
        snprintf(w->msg, sizeof w->msg, "replication %llu (seed %llu): %.400s (code %d)", (unsigned long long)rep,
                 (unsigned long long)seed, why, rc);
        return -1;
    }
    milestones_finish(w->ms, s->horizon);
    msacc_add(w->macc, w->ms);

    char buf[64];
    snprintf(buf, sizeof buf, "%llu\t%llu\t", (unsigned long long)rep, (unsigned long long)seed);
    append_str(rows, buf);
    append_double(rows, out.alliance_year);
    append_str(rows, out.reversal ? "\t1\t" : "\t0\t");
    append_double(rows, out.reversal_onset);
    for (size_t i = 0; i < e->ndrawn; i++) {
        append_str(rows, "\t");
        append_double(rows, w->params[e->drawn[i]]);
    }
    append_str(rows, "\n");
    if (rows->failed) {
        snprintf(w->msg, sizeof w->msg, "out of memory");
        return -1;
    }
    return 0;
}

/* Runs what is left of a slot, stopping early when asked. */
static int run_slot(worker *w, slot *s)
{
    engine *e = w->e;
    while (s->first + s->done < s->end) {
        if (atomic_load_explicit(&e->stop, memory_order_relaxed))
            break;
        if (run_rep(w, s->first + s->done, &s->rows) != 0)
            return -1;
        s->done++;
        atomic_fetch_add_explicit(&e->reps_in_epoch, 1, memory_order_relaxed);
    }
    return 0;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    engine *e = w->e;
    lock(e);
    for (;;) {
        while (!e->quit && (e->next_slot >= e->nslots || atomic_load(&e->stop)))
            must(pthread_cond_wait(&e->work_cv, &e->mu));
        if (e->quit)
            break;
        slot *s = &e->slots[e->next_slot++];
        e->busy++;
        unlock(e);
        int rc = run_slot(w, s);
        lock(e);
        e->busy--;
        if (rc != 0) {
            fail_locked(e, w->msg);
        } else if (s->first + s->done == s->end) {
            e->blocks_done++;
            if (e->opt->stop_after_blocks && e->blocks_done >= e->opt->stop_after_blocks)
                atomic_compare_exchange_strong(&e->stop, &(int){0}, SIGINT);
        }
        must(pthread_cond_signal(&e->done_cv));
    }
    unlock(e);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Setup and teardown                                                 */
/* ------------------------------------------------------------------ */

static void engine_free(engine *e)
{
    if (e->sync_ready) {
        lock(e);
        e->quit = 1;
        must(pthread_cond_broadcast(&e->work_cv));
        unlock(e);
    }
    for (unsigned i = 0; i < e->nstarted; i++)
        must(pthread_join(e->workers[i].tid, NULL));
    for (unsigned i = 0; e->workers && i < e->nworkers; i++) {
        worker *w = &e->workers[i];
        model_free(w->m);
        milestones_free(w->ms);
        stats_cells_free(w->acc);
        msacc_free(w->macc);
        free(w->params);
    }
    free(e->workers);
    for (size_t i = 0; i < e->cap_slots; i++)
        wire_buf_free(&e->slots[i].rows);
    free(e->slots);
    for (size_t i = 0; i < e->npending; i++)
        wire_buf_free(&e->pending[i].rows);
    free(e->pending);
    if (e->sync_ready) {
        must(pthread_cond_destroy(&e->work_cv));
        must(pthread_cond_destroy(&e->done_cv));
        must(pthread_mutex_destroy(&e->mu));
    }
    stats_cells_free(e->scratch);
    msacc_free(e->mscratch);
    stats_cells_free(e->total);
    msacc_free(e->mtotal);
    free(e->pack);
    free(e->mpack);
    wire_buf_free(&e->msg);
    wire_buf_free(&e->header);
    partial_close(e->part);
    free(e->pair_a);
    free(e->pair_b);
    free(e->drawn);
}

static int sync_init(engine *e)
{
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0)
        return -1;
    int ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0;
    if (ok && pthread_mutex_init(&e->mu, NULL) != 0)
        ok = 0;
    else if (ok && pthread_cond_init(&e->work_cv, &ca) != 0) {
        pthread_mutex_destroy(&e->mu);
        ok = 0;
    } else if (ok && pthread_cond_init(&e->done_cv, &ca) != 0) {
        pthread_cond_destroy(&e->work_cv);
        pthread_mutex_destroy(&e->mu);
        ok = 0;
    }
    pthread_condattr_destroy(&ca);
    e->sync_ready = ok;
    return ok ? 0 : -1;
}

/* Everything every rank needs; failures are recorded with fail(), so the
 * rank still takes part in the protocol and reports them. */
static void engine_setup(engine *e)
{
    const model_spec *s = e->spec;
    e->nd = spec_ndyads(s->nactors);
    e->first_year = (int)floor(s->start);
    e->nyears = (size_t)(floor(s->horizon) - e->first_year + 1);
    e->ncells = e->nyears * e->nd;
    e->nblocks = (e->reps + BATCH_BLOCK_REPS - 1) / BATCH_BLOCK_REPS;
    atomic_init(&e->stop, 0);
    atomic_init(&e->reps_in_epoch, 0);
    if (sync_init(e) != 0) {
        fail(e, "cannot create the thread synchronisation objects");
        return;
    }
    e->pair_a = calloc(e->nd, sizeof *e->pair_a);
    e->pair_b = calloc(e->nd, sizeof *e->pair_b);
    e->drawn = calloc(s->nparams ? s->nparams : 1, sizeof *e->drawn);
    e->workers = calloc(e->opt->threads, sizeof *e->workers);
    e->scratch = stats_cells_alloc(e->ncells, -1.0, 1.0, BATCH_QUANTILE_BINS);
    e->mscratch = msacc_alloc(s);
    if (!e->pair_a || !e->pair_b || !e->drawn || !e->workers || !e->scratch || !e->mscratch) {
        fail(e, "out of memory");
        return;
    }
    e->pack_len = stats_cells_packed_size(e->scratch);
    e->mpack_len = msacc_packed_size(e->mscratch);
    e->pack = malloc(e->pack_len);
    e->mpack = malloc(e->mpack_len);
    if (!e->pack || !e->mpack) {
        fail(e, "out of memory");
        return;
    }
    for (int a = 0; a < s->nactors; a++)
        for (int b = a + 1; b < s->nactors; b++) {
            size_t d = spec_dyad_index(s->nactors, a, b);
            e->pair_a[d] = a;
            e->pair_b[d] = b;
        }
    for (size_t i = 0; i < s->nparams; i++)
        if (model_spec_param_per_replication(s, i))
            e->drawn[e->ndrawn++] = i;
    e->nworkers = e->opt->threads;
    for (unsigned i = 0; i < e->nworkers; i++) {
        worker *w = &e->workers[i];
        w->e = e;
        w->m = model_alloc(s);
        w->ms = milestones_alloc(s);
        w->acc = stats_cells_alloc(e->ncells, -1.0, 1.0, BATCH_QUANTILE_BINS);
        w->macc = msacc_alloc(s);
        w->params = calloc(s->nparams ? s->nparams : 1, sizeof *w->params);
        if (!w->m || !w->ms || !w->acc || !w->macc || !w->params) {
            fail(e, "out of memory (or a scenario the model cannot run)");
            return;
        }
    }
    for (unsigned i = 0; i < e->nworkers; i++) {
        int rc = pthread_create(&e->workers[i].tid, NULL, worker_main, &e->workers[i]);
        if (rc != 0) {
            char msg[160];
            snprintf(msg, sizeof msg, "cannot start worker thread %u: %s", i + 1, strerror(rc));
            fail(e, msg);
            return;
        }
        e->nstarted++;
    }
}

/* ------------------------------------------------------------------ */
/* Provenance and files (root)                                        */
/* ------------------------------------------------------------------ */

static void prov_init(engine *e)
{
    const model_spec *s = e->spec;
    e->nprov = 0;
    e->prov[e->nprov++] = (io_kv){"program", "alignsim " ALIGNSIM_VERSION};
    e->prov[e->nprov++] = (io_kv){"scenario", s->name};
    snprintf(e->seed_text, sizeof e->seed_text, "%llu", (unsigned long long)s->seed);
    e->prov[e->nprov++] = (io_kv){"seed", e->seed_text};
    snprintf(e->reps_text, sizeof e->reps_text, "%llu", (unsigned long long)e->reps);
    e->prov[e->nprov++] = (io_kv){"replications", e->reps_text};
    for (size_t i = 0; i < e->opt->nprov && e->nprov < 20; i++)
        e->prov[e->nprov++] = e->opt->prov[i];
}

/* The provenance and header line of replications.tsv, as io/tsv writes them. */
static void build_header(engine *e)
{
    wire_buf *b = &e->header;
    for (size_t i = 0; i < e->nprov; i++) {
        append_str(b, "# ");
        append_clean(b, e->prov[i].key);
        append_str(b, ":");
        if (e->prov[i].value && e->prov[i].value[0]) {
            append_str(b, " ");
            append_clean(b, e->prov[i].value);
        }
        append_str(b, "\n");
    }
    append_str(b, "rep\tseed\talliance_year\treversal\treversal_onset");
    for (size_t i = 0; i < e->ndrawn; i++) {
        append_str(b, "\t");
        append_clean(b, e->spec->params[e->drawn[i]].path);
    }
    append_str(b, "\n");
}

/* Identity of this batch, which a checkpoint must match. */
static void identity_init(engine *e, const char *resolved)
{
    uint64_t h = WIRE_FNV_OFFSET;
    for (size_t i = 0; i < e->opt->nprov; i++) {
        const char *k = e->opt->prov[i].key ? e->opt->prov[i].key : "";
        const char *v = e->opt->prov[i].value ? e->opt->prov[i].value : "";
        h = wire_fnv1a(h, k, strlen(k) + 1);
        h = wire_fnv1a(h, v, strlen(v) + 1);
    }
    e->id = (ckpt_identity){ckpt_hash_text(resolved), h, e->spec->seed, e->reps, BATCH_BLOCK_REPS};
}

static int path_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/*
 * Explains how a checkpoint differs from this batch into err.  Returns 0
 * when it matches.
 */
static int identity_mismatch(const engine *e, const ckpt_identity *c, char *err, size_t errlen)
{
    char what[1024] = "";
    size_t n = 0;
#define ADD(...)                                                                       \
    do {                                                                               \
        int w_ = snprintf(what + n, sizeof what - n, __VA_ARGS__);                     \
        if (w_ > 0 && (size_t)w_ < sizeof what - n)                                    \
            n += (size_t)w_;                                                           \
    } while (0)
    if (c->reps != e->id.reps)
        ADD("; it has -n %llu, this command -n %llu", (unsigned long long)c->reps,
            (unsigned long long)e->id.reps);
    if (c->seed != e->id.seed)
        ADD("; it has seed %llu, this command seed %llu", (unsigned long long)c->seed,
            (unsigned long long)e->id.seed);
    if (c->scenario_hash != e->id.scenario_hash)
        ADD("; its resolved scenario differs from this one (another file, or other --set values)");
    else if (c->prov_hash != e->id.prov_hash)
        ADD("; it was started with other --set options");
    if (c->block_reps != e->id.block_reps)
        ADD("; it was written by another alignsim version (blocks of %llu)", (unsigned long long)c->block_reps);
#undef ADD
    if (n == 0)
        return 0;
    snprintf(err, errlen,
             "cannot resume %s: the interrupted batch there is not this one%s; resume it with the "
             "same scenario, -n, -s and --set, or delete %s to start over",
             e->opt->outdir, what, e->ckpt_path);
    return -1;
}

static int add_pending(engine *e, uint64_t block, uint64_t done, const unsigned char *rows, size_t len,
                       const unsigned char *rows2, size_t len2)
{
    pend *p = realloc(e->pending, (e->npending + 1) * sizeof *p);
    if (!p)
        return -1;
    e->pending = p;
    pend *n = &e->pending[e->npending];
    memset(n, 0, sizeof *n);
    n->block = block;
    n->done = done;
    wire_append(&n->rows, rows, len);
    wire_append(&n->rows, rows2, len2);
    e->npending++;
    return n->rows.failed ? -1 : 0;
}

/*
 * Removes what a killed writer of this folder left behind: the temporary
 * files ".NAME.tmp.PID[.N]" of io/atomic for the names a batch writes,
 * where process PID no longer exists (a live one may be another writer).
 */
static void remove_stale_temps(const char *dir)
{
    static const char *const names[] = {CKPT_FILE, "scenario.cfg", "summary.tsv", "replications.tsv",
                                        "milestones.tsv", "ladder.tsv"};
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            char prefix[64];
            snprintf(prefix, sizeof prefix, "%s%s.tmp.", names[i][0] == '.' ? "" : ".", names[i]);
            size_t pl = strlen(prefix);
            if (strncmp(de->d_name, prefix, pl) != 0)
                continue;
            char *end = NULL;
            long pid = strtol(de->d_name + pl, &end, 10);
            if (end == de->d_name + pl || pid <= 0 || (*end && *end != '.'))
                continue;
            if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
                char path[4400];
                snprintf(path, sizeof path, "%.4000s/%s", dir, de->d_name);
                (void)unlink(path);
            }
        }
    }
    closedir(d);
}

/* Root: opens or checks the folder, the checkpoint and the partial file.
 * Returns a BATCH_* code with a message in err. */
static int root_setup(engine *e, const char *resolved, char *err, size_t errlen)
{
    const char *dir = e->opt->outdir;
    snprintf(e->ckpt_path, sizeof e->ckpt_path, "%s/%s", dir, CKPT_FILE);
    snprintf(e->partial_path, sizeof e->partial_path, "%s/%s", dir, CKPT_PARTIAL_FILE);
    snprintf(e->final_path, sizeof e->final_path, "%s/replications.tsv", dir);
    prov_init(e);
    build_header(e);
    identity_init(e, resolved);
    e->total = stats_cells_alloc(e->ncells, -1.0, 1.0, BATCH_QUANTILE_BINS);
    e->mtotal = msacc_alloc(e->spec);
    if (!e->total || !e->mtotal || e->header.failed) {
        snprintf(err, errlen, "out of memory");
        return BATCH_ERUNTIME;
    }
    if (io_mkdir_p(dir, err, errlen) != IO_OK)
        return BATCH_ERUNTIME;
    remove_stale_temps(dir);

    if (!e->opt->resume) {
        if (path_exists(e->ckpt_path)) {
            ckpt_state st;
            char e2[512];
            uint64_t done = 0, reps = 0;
            if (ckpt_read(e->ckpt_path, &st, e2, sizeof e2) == CKPT_OK) {
                done = st.reps_done;
                reps = st.id.reps;
            }
            ckpt_state_clear(&st);
            snprintf(err, errlen,
                     "%s holds an interrupted batch (%llu of %llu replications done); continue it with "
                     "--resume, or delete %s to start over",
                     dir, (unsigned long long)done, (unsigned long long)reps, e->ckpt_path);
            return BATCH_EUSAGE;
        }
        e->part = partial_create(e->partial_path, e->header.data, e->header.len, err, errlen);
        return e->part ? BATCH_OK : BATCH_ERUNTIME;
    }

    ckpt_state st;
    int rc = ckpt_read(e->ckpt_path, &st, err, errlen);
    if (rc == CKPT_ENOENT) {
        snprintf(err, errlen,
                 "cannot resume %s: there is no interrupted batch there (no %s); run the batch without "
                 "--resume",
                 dir, CKPT_FILE);
        return BATCH_EUSAGE;
    }
    if (rc != CKPT_OK)
        return BATCH_ERUNTIME;
    int status = BATCH_ERUNTIME;
    if (identity_mismatch(e, &st.id, err, errlen) != 0) {
        status = BATCH_EUSAGE;
        goto done;
    }
    if (st.prefix_blocks > e->nblocks ||
        stats_cells_unpack(e->total, st.cells, st.cells_len) != STATS_OK ||
        msacc_unpack(e->mtotal, st.ms, st.ms_len) != 0) {
        snprintf(err, errlen, "%s: the checkpoint does not fit this batch (damaged?)", e->ckpt_path);
        goto done;
    }
    if (st.npending > BATCH_MAX_EPOCH_BLOCKS) {
        snprintf(err, errlen, "%s: the checkpoint does not fit this batch (damaged?)", e->ckpt_path);
        goto done;
    }
    for (size_t i = 0; i < st.npending; i++) {
        const ckpt_pending *p = &st.pending[i];
        /* A pending block is partly done, or done but behind one that is not. */
        if (p->block < st.prefix_blocks || p->block >= e->nblocks || p->done == 0 ||
            p->done > block_size(e, p->block) || (i > 0 && p->block <= st.pending[i - 1].block)) {
            snprintf(err, errlen, "%s: the checkpoint does not fit this batch (damaged?)", e->ckpt_path);
            goto done;
        }
        if (add_pending(e, p->block, p->done, p->rows, p->rows_len, NULL, 0) != 0) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
    }
    /* Killed while finishing, after the rename: take the rows back (only if
     * they are this batch's, so an unrelated file is never touched). */
    if (!path_exists(e->partial_path) &&
        partial_matches(e->final_path, st.partial_len, e->header.data, e->header.len) &&
        rename(e->final_path, e->partial_path) != 0) {
        snprintf(err, errlen, "%s: %s", e->final_path, strerror(errno));
        goto done;
    }
    e->part = partial_reopen(e->partial_path, st.partial_len, e->header.data, e->header.len, err, errlen);
    if (!e->part)
        goto done;
    e->prefix = st.prefix_blocks;
    e->reps_before = st.reps_done;
    status = BATCH_OK;
done:
    ckpt_state_clear(&st);
    return status;
}

static int write_checkpoint(engine *e, char *err, size_t errlen)
{
    if (partial_sync(e->part, err, errlen) != 0)
        return -1;
    if (stats_cells_pack(e->total, e->pack, e->pack_len) != STATS_OK ||
        msacc_pack(e->mtotal, e->mpack, e->mpack_len) != 0) {
        snprintf(err, errlen, "cannot pack the accumulators");
        return -1;
    }
    ckpt_pending *cp = calloc(e->npending ? e->npending : 1, sizeof *cp);
    if (!cp) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    uint64_t done = e->prefix * BATCH_BLOCK_REPS;
    if (done > e->reps)
        done = e->reps;
    for (size_t i = 0; i < e->npending; i++) {
        cp[i] = (ckpt_pending){e->pending[i].block, e->pending[i].done, e->pending[i].rows.data,
                               e->pending[i].rows.len};
        done += e->pending[i].done;
    }
    ckpt_state st = {e->id, e->prefix, partial_length(e->part), done, cp, e->npending,
                     e->mpack, e->mpack_len, e->pack, e->pack_len, NULL, NULL};
    int rc = ckpt_write(e->ckpt_path, &st, err, errlen);
    free(cp);
    return rc == CKPT_OK ? 0 : -1;
}

static int write_summary(engine *e, char *err, size_t errlen)
{
    static const char *const all[] = {"year", "dyad", "mean", "sd", "ci_lo", "ci_hi",
                                      "q05", "q50", "q95", "p_alliance"};
    char width[TSV_DOUBLE_BUFSIZE], conf[TSV_DOUBLE_BUFSIZE], path[4200];
    tsv_format_double(width, sizeof width, stats_cells_bin_width(e->total));
    tsv_format_double(conf, sizeof conf, BATCH_CONFIDENCE);
    io_kv prov[26];
    memcpy(prov, e->prov, e->nprov * sizeof *prov);
    size_t np = e->nprov;
    prov[np++] = (io_kv){"quantile_bin_width", width};
    prov[np++] = (io_kv){"confidence", conf};
    snprintf(path, sizeof path, "%s/summary.tsv", e->opt->outdir);
    tsv_writer *w = tsv_open(path, prov, np, all, 10, err, errlen);
    if (!w)
        return -1;
    for (size_t y = 0; y < e->nyears; y++) {
        for (size_t d = 0; d < e->nd; d++) {
            stats_summary s;
            int rc = stats_cells_summary(e->total, y * e->nd + d, BATCH_CONFIDENCE, &s);
            if (rc == STATS_EINVAL) {
                tsv_abort(w);
                snprintf(err, errlen, "%s: cannot summarise cell %zu", path, y * e->nd + d);
                return -1;
            }
            if (s.n == 0)
                continue;
            char name[2 * SPEC_ID_LEN + 2];
            model_spec_dyad_name(e->spec, e->pair_a[d], e->pair_b[d], name, sizeof name);
            tsv_int(w, e->first_year + (int64_t)y);
            tsv_str(w, name);
            tsv_double(w, s.mean);
            tsv_double(w, s.sd);
            tsv_double(w, s.ci_lo);
            tsv_double(w, s.ci_hi);
            tsv_double(w, s.q05);
            tsv_double(w, s.q50);
            tsv_double(w, s.q95);
            tsv_double(w, s.p_flag);
            tsv_end_row(w);
        }
    }
    return tsv_commit(w, err, errlen) == IO_OK ? 0 : -1;
}

static int write_milestones(engine *e, char *err, size_t errlen)
{
    static const char *const cols[] = {"dyad", "target_year", "target_label", "sim_year", "error_years", "reached",
                                       "within1", "within2", "kind", "commitment", "note"};
    char path[4200], res[TSV_DOUBLE_BUFSIZE];
    tsv_format_double(res, sizeof res, MSACC_STEP_YEARS);
    io_kv prov[26];
    memcpy(prov, e->prov, e->nprov * sizeof *prov);
    size_t np = e->nprov;
    prov[np++] = (io_kv){"median_resolution_years", res};
    snprintf(path, sizeof path, "%s/milestones.tsv", e->opt->outdir);
    tsv_writer *w = tsv_open(path, prov, np, cols, 11, err, errlen);
    if (!w)
        return -1;
    const model_spec *s = e->spec;
    for (size_t i = 0; i < s->ntargets; i++) {
        const spec_target *t = &s->targets[i];
        msacc_result r = msacc_get(e->mtotal, i);
        char name[2 * SPEC_ID_LEN + 2], cbuf[64];
        model_spec_dyad_name(s, t->a, t->b, name, sizeof name);
        int is_commit = t->kind == TARGET_COMMIT_START || t->kind == TARGET_COMMIT_END;
        tsv_str(w, name);
        tsv_fixed(w, t->year, 2);
        if (is_commit)
            tsv_na(w);
        else
            tsv_int(w, t->label);
        tsv_double(w, r.sim_year);
        tsv_double(w, r.error_years);
        tsv_double(w, r.reached);
        tsv_double(w, r.within1);
        tsv_double(w, r.within2);
        tsv_str(w, spec_target_kind_name(t->kind));
        if (is_commit) {
            spec_commitments_format(t->commitment, cbuf, sizeof cbuf);
            tsv_str(w, cbuf);
        } else {
            tsv_na(w);
        }
        tsv_str(w, t->note);
        tsv_end_row(w);
    }
    return tsv_commit(w, err, errlen) == IO_OK ? 0 : -1;
}

/* Writes the result files once every block is done.  The checkpoint goes
 * last, so a crash in between is resumed (and finished) again. */
static int finish_files(engine *e, const char *resolved, char *err, size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/scenario.cfg", e->opt->outdir);
    if (io_write_file_atomic(path, resolved, strlen(resolved), err, errlen) != IO_OK ||
        write_summary(e, err, errlen) != 0 || write_milestones(e, err, errlen) != 0 ||
        replay_write_ladder(e->spec, e->opt->outdir, e->prov, e->nprov, err, errlen) != 0)
        return -1;
    partial *p = e->part;
    e->part = NULL;
    if (partial_commit(p, e->final_path, err, errlen) != 0)
        return -1;
    if (unlink(e->ckpt_path) != 0 && errno != ENOENT) {
        snprintf(err, errlen, "%s: %s", e->ckpt_path, strerror(errno));
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Messages                                                           */
/* ------------------------------------------------------------------ */

/* Broadcasts e->bc (bc_len bytes) from the root into every rank's. */
static void bcast(engine *e)
{
    unsigned char w[8];
    wire_put_u64(w, e->bc_len);
    cluster_bcast(w, 8);
    uint64_t n = wire_get_u64(w);
    assert(n <= sizeof e->bc);
    e->bc_len = (size_t)n;
    cluster_bcast(e->bc, e->bc_len);
}

/* Root: the plan of an epoch into e->bc: cmd, status, e0, e1, npending,
 * npending x (block, done).  The pending list fits (see BCAST_BYTES). */
static void plan_encode(engine *e, uint64_t cmd, uint64_t status, uint64_t e0, uint64_t e1)
{
    assert(e->npending <= BATCH_MAX_EPOCH_BLOCKS);
    unsigned char *p = e->bc;
    wire_put_u64(p, cmd);
    wire_put_u64(p + 8, status);
    wire_put_u64(p + 16, e0);
    wire_put_u64(p + 24, e1);
    wire_put_u64(p + 32, e->npending);
    size_t o = 40;
    for (size_t i = 0; i < e->npending; i++, o += 16) {
        wire_put_u64(p + o, e->pending[i].block);
        wire_put_u64(p + o + 8, e->pending[i].done);
    }
    e->bc_len = o;
}

static int plan_decode(const engine *e, plan *p)
{
    wire_reader r = {e->bc, e->bc_len, 0, 0};
    p->cmd = wire_read_u64(&r);
    p->status = wire_read_u64(&r);
    p->e0 = wire_read_u64(&r);
    p->e1 = wire_read_u64(&r);
    uint64_t np = wire_read_u64(&r);
    if (r.failed || np > (r.len - r.pos) / 16)
        return -1;
    p->npend = (size_t)np;
    return 0;
}

/* Root: the decision after an epoch (collect the accumulators or not). */
static void decision_encode(engine *e, int want)
{
    wire_put_u64(e->bc, (uint64_t)want);
    e->bc_len = 8;
}

/* Replications of block b already done before this epoch (from the plan). */
static uint64_t plan_done_before(const engine *e, uint64_t b)
{
    wire_reader r = {e->bc, e->bc_len, 40, 0};
    while (!r.failed && r.pos < r.len) {
        uint64_t blk = wire_read_u64(&r), done = wire_read_u64(&r);
        if (blk == b)
            return done;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* One epoch on this rank                                             */
/* ------------------------------------------------------------------ */

static void poll_interrupt(engine *e)
{
    if (e->opt->interrupt && *e->opt->interrupt) {
        int expected = 0;
        atomic_compare_exchange_strong(&e->stop, &expected, (int)*e->opt->interrupt);
    }
}

static void report_progress(engine *e, uint64_t base, uint64_t epoch_reps)
{
    if (e->rank != 0 || !e->opt->progress)
        return;
    uint64_t local = atomic_load_explicit(&e->reps_in_epoch, memory_order_relaxed);
    uint64_t est = local * (uint64_t)e->nranks;
    if (est > epoch_reps)
        est = epoch_reps;
    e->opt->progress(e->opt->progress_ctx, base + est, e->reps);
}

/* Runs this rank's blocks of [e0, e1); returns when they are all done or
 * the rank was stopped. */
static void run_epoch(engine *e, uint64_t e0, uint64_t e1, uint64_t base, uint64_t epoch_reps)
{
    if (!e->sync_ready)
        return;
    poll_interrupt(e);
    lock(e);
    e->nslots = 0;
    e->next_slot = 0;
    atomic_store(&e->reps_in_epoch, 0);
    for (uint64_t b = e0; b < e1 && !e->failed; b++) {
        if (b % (uint64_t)e->nranks != (uint64_t)e->rank)
            continue;
        if (e->nslots == e->cap_slots) {
            size_t nc = e->cap_slots ? 2 * e->cap_slots : 64;
            slot *ns = realloc(e->slots, nc * sizeof *ns);
            if (!ns) {
                fail_locked(e, "out of memory");
                break;
            }
            memset(ns + e->cap_slots, 0, (nc - e->cap_slots) * sizeof *ns);
            e->slots = ns;
            e->cap_slots = nc;
        }
        slot *s = &e->slots[e->nslots++];
        s->block = b;
        s->first = b * BATCH_BLOCK_REPS + plan_done_before(e, b);
        s->end = b * BATCH_BLOCK_REPS + block_size(e, b);
        s->done = 0;
        s->rows.len = 0;
    }
    must(pthread_cond_broadcast(&e->work_cv));
    double last = now_seconds();
    while (!(e->busy == 0 && (e->next_slot >= e->nslots || atomic_load(&e->stop)))) {
        struct timespec ts;
        if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0) {
            ts.tv_nsec += 100000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            int rc = pthread_cond_timedwait(&e->done_cv, &e->mu, &ts);
            assert(rc == 0 || rc == ETIMEDOUT);
            (void)rc;
        }
        poll_interrupt(e);
        double now = now_seconds();
        if (now - last >= 0.2) {
            last = now;
            unlock(e);
            report_progress(e, base, epoch_reps);
            lock(e);
        }
    }
    unlock(e);
}

/* This rank's report of the epoch, into e->msg:
 * stop, failed, msg_len, msg, nslots, nslots x (block, done, rows_len, rows). */
static void encode_report(engine *e)
{
    wire_buf *b = &e->msg;
    b->len = 0;
    int stop = atomic_load(&e->stop);
    wire_append_u64(b, stop > 0 ? (uint64_t)stop : 0);
    wire_append_u64(b, (uint64_t)e->failed);
    size_t ml = e->failed ? strlen(e->fail_msg) : 0;
    wire_append_u64(b, ml);
    wire_append(b, e->fail_msg, ml);
    wire_append_u64(b, e->nslots);
    for (size_t i = 0; i < e->nslots; i++) {
        const slot *s = &e->slots[i];
        wire_append_u64(b, s->block);
        wire_append_u64(b, s->done);
        wire_append_u64(b, s->rows.len);
        wire_append(b, s->rows.data, s->rows.len);
    }
}

/* What the root learns about one block of the epoch. */
typedef struct {
    uint64_t done;
    const unsigned char *rows;
    size_t rows_len;
    int seen;
} block_result;

/* Root: folds a report (from a rank other than itself) into res[]; notes a
 * failure or stop.  Returns 0, or -1 when the report is malformed. */
static int take_report(engine *e, const unsigned char *buf, size_t len, uint64_t e0, uint64_t e1,
                       block_result *res, int *stop_sig)
{
    wire_reader r = {buf, len, 0, 0};
    uint64_t sig = wire_read_u64(&r), failed = wire_read_u64(&r), ml = wire_read_u64(&r);
    const unsigned char *msg = wire_read_bytes(&r, ml);
    uint64_t ns = wire_read_u64(&r);
    if (r.failed)
        return -1;
    if (sig && !*stop_sig)
        *stop_sig = (int)sig;
    if (failed && !e->failed) {
        char m[512];
        snprintf(m, sizeof m, "%.*s", (int)(ml < 500 ? ml : 500), (const char *)msg);
        fail(e, m);
    }
    for (uint64_t i = 0; i < ns; i++) {
        uint64_t blk = wire_read_u64(&r), done = wire_read_u64(&r), rl = wire_read_u64(&r);
        const unsigned char *rows = wire_read_bytes(&r, rl);
        if (r.failed || blk < e0 || blk >= e1 || res[blk - e0].seen)
            return -1;
        res[blk - e0] = (block_result){done, rows, (size_t)rl, 1};
    }
    return r.pos == r.len ? 0 : -1;
}

/* Root: writes the rows of the blocks that complete the prefix, in order,
 * and keeps the partly done ones as pending.  Returns 0 or -1 (I/O, memory;
 * message in err). */
static int absorb_epoch(engine *e, uint64_t e0, uint64_t e1, const block_result *res, char *err,
                        size_t errlen)
{
    pend *old = e->pending;
    size_t nold = e->npending, oi = 0;
    e->pending = NULL;
    e->npending = 0;
    int rc = 0;
    int contiguous = e->prefix == e0;
    for (uint64_t b = e0; b < e1 && rc == 0; b++) {
        const block_result *r = &res[b - e0];
        const pend *p = NULL;
        while (oi < nold && old[oi].block < b)
            oi++;
        if (oi < nold && old[oi].block == b)
            p = &old[oi];
        uint64_t done = (p ? p->done : 0) + r->done;
        if (contiguous && done == block_size(e, b)) {
            if (p && partial_append(e->part, p->rows.data, p->rows.len, err, errlen) != 0)
                rc = -1;
            else if (partial_append(e->part, r->rows, r->rows_len, err, errlen) != 0)
                rc = -1;
            else
                e->prefix = b + 1;
            continue;
        }
        contiguous = 0;
        if (done > 0 && add_pending(e, b, done, p ? p->rows.data : NULL, p ? p->rows.len : 0, r->rows,
                                    r->rows_len) != 0) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        }
    }
    for (size_t i = 0; i < nold; i++)
        wire_buf_free(&old[i].rows);
    free(old);
    return rc;
}

/* Collects every rank's accumulators into the root's totals (root), or
 * sends them (others).  Workers' accumulators are emptied. */
static int collect(engine *e, char *err, size_t errlen)
{
    int rc = 0;
    if (e->rank == 0) {
        for (unsigned i = 0; i < e->nworkers; i++) {
            if (stats_cells_merge(e->total, e->workers[i].acc) != STATS_OK ||
                msacc_merge(e->mtotal, e->workers[i].macc) != 0)
                rc = -1;
            stats_cells_reset(e->workers[i].acc);
            msacc_reset(e->workers[i].macc);
        }
        for (int k = 1; k < e->nranks; k++) {
            unsigned char *img = NULL, *mimg = NULL;
            size_t len = 0, mlen = 0;
            if (cluster_recv(k, &img, &len) != 0 || cluster_recv(k, &mimg, &mlen) != 0 ||
                stats_cells_unpack(e->scratch, img, len) != STATS_OK ||
                msacc_unpack(e->mscratch, mimg, mlen) != 0 ||
                stats_cells_merge(e->total, e->scratch) != STATS_OK || msacc_merge(e->mtotal, e->mscratch) != 0)
                rc = -1;
            free(img);
            free(mimg);
        }
        if (rc != 0)
            snprintf(err, errlen, "cannot merge the accumulators of the workers");
        return rc;
    }
    stats_cells_reset(e->scratch);
    msacc_reset(e->mscratch);
    for (unsigned i = 0; i < e->nworkers; i++) {
        if (stats_cells_merge(e->scratch, e->workers[i].acc) != STATS_OK ||
            msacc_merge(e->mscratch, e->workers[i].macc) != 0)
            rc = -1;
        stats_cells_reset(e->workers[i].acc);
        msacc_reset(e->workers[i].macc);
    }
    /* A failed merge or pack sends an empty image, which the root rejects. */
    int ok = rc == 0 && e->pack && e->mpack && stats_cells_pack(e->scratch, e->pack, e->pack_len) == STATS_OK &&
             msacc_pack(e->mscratch, e->mpack, e->mpack_len) == 0;
    cluster_send_root(e->pack, ok ? e->pack_len : 0);
    cluster_send_root(e->mpack, ok ? e->mpack_len : 0);
    return ok ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* The protocol                                                       */
/* ------------------------------------------------------------------ */

/* A rank other than the root: follows the root's plans. */
static int follow(engine *e, batch_report *report)
{
    for (;;) {
        bcast(e);
        plan p;
        if (plan_decode(e, &p) != 0)
            return BATCH_ERUNTIME;
        if (p.cmd != CMD_RUN) {
            report->stopped_by = (int)p.e0;
            return (int)p.status;
        }
        run_epoch(e, p.e0, p.e1, 0, 0);
        encode_report(e);
        if (e->msg.failed) {
            /* No memory for the report: send a bare failure instead. */
            fail(e, "out of memory");
            unsigned char mini[40];
            memset(mini, 0, sizeof mini);
            wire_put_u64(mini + 8, 1);
            cluster_send_root(mini, sizeof mini);
            wire_buf_free(&e->msg);
        } else {
            cluster_send_root(e->msg.data, e->msg.len);
        }
        bcast(e);
        if (e->bc_len == 8 && wire_get_u64(e->bc))
            collect(e, NULL, 0);
    }
}

/* The root: plans epochs, gathers, writes.  Returns a BATCH_* code. */
static int lead(engine *e, int status, const char *resolved, batch_report *report, char *err, size_t errlen)
{
    uint64_t epoch_blocks = 2 * (uint64_t)e->nranks * e->nworkers;
    double last_ckpt = now_seconds();
    int first = 1, stop_sig = 0, finished = 0;
    block_result *res = NULL;
    if (epoch_blocks == 0)
        epoch_blocks = 1;
    if (epoch_blocks > BATCH_MAX_EPOCH_BLOCKS)
        epoch_blocks = BATCH_MAX_EPOCH_BLOCKS;

    while (status == BATCH_OK && e->prefix < e->nblocks && !stop_sig) {
        uint64_t e0 = e->prefix;
        uint64_t e1 = e0 + epoch_blocks;
        if (e->npending && e1 <= e->pending[e->npending - 1].block)
            e1 = e->pending[e->npending - 1].block + 1;
        if (e1 > e->nblocks)
            e1 = e->nblocks;
        uint64_t base = e->prefix * BATCH_BLOCK_REPS, epoch_reps = 0;
        for (size_t i = 0; i < e->npending; i++)
            base += e->pending[i].done;
        for (uint64_t b = e0; b < e1; b++)
            epoch_reps += block_size(e, b);
        epoch_reps -= base - e->prefix * BATCH_BLOCK_REPS;
        if (base > e->reps)
            base = e->reps;

        plan_encode(e, CMD_RUN, 0, e0, e1);
        bcast(e);
        double t0 = now_seconds();
        run_epoch(e, e0, e1, base, epoch_reps);

        /* Gather the reports, the root's own from its slots. */
        free(res);
        res = calloc((size_t)(e1 - e0), sizeof *res);
        if (!res) {
            snprintf(err, errlen, "out of memory");
            status = BATCH_ERUNTIME;
        }
        for (size_t i = 0; res && i < e->nslots; i++) {
            const slot *s = &e->slots[i];
            res[s->block - e0] = (block_result){s->done, s->rows.data, s->rows.len, 1};
        }
        int own = atomic_load(&e->stop);
        if (own > 0)
            stop_sig = own;
        unsigned char **imgs = calloc((size_t)e->nranks, sizeof *imgs);
        for (int k = 1; k < e->nranks; k++) {
            size_t len = 0;
            unsigned char *img = NULL;
            cluster_recv(k, &img, &len);
            if (imgs)
                imgs[k] = img;
            else
                free(img);
            if (status == BATCH_OK &&
                (!imgs || take_report(e, img, len, e0, e1, res, &stop_sig) != 0)) {
                snprintf(err, errlen, "rank %d sent a malformed report", k);
                status = BATCH_ERUNTIME;
            }
        }
        for (uint64_t b = e0; status == BATCH_OK && b < e1; b++)
            if (!res[b - e0].seen && b % (uint64_t)e->nranks != 0) {
                snprintf(err, errlen, "no report on block %llu", (unsigned long long)b);
                status = BATCH_ERUNTIME;
            }
        if (status == BATCH_OK && e->failed) {
            snprintf(err, errlen, "%s", e->fail_msg);
            status = BATCH_ERUNTIME;
        }
        if (status == BATCH_OK && absorb_epoch(e, e0, e1, res, err, errlen) != 0)
            status = BATCH_ERUNTIME;
        for (int k = 1; imgs && k < e->nranks; k++)
            free(imgs[k]);
        free(imgs);

        /* Collect and write: after the first epoch, then every
         * BATCH_CHECKPOINT_SECONDS, on a stop and at the end; never after a
         * failure, whose accumulators may hold half a replication. */
        double t1 = now_seconds();
        int done = e->prefix >= e->nblocks;
        int want = status == BATCH_OK && (first || stop_sig || done || t1 - last_ckpt >= BATCH_CHECKPOINT_SECONDS);
        decision_encode(e, want);
        bcast(e);
        if (want) {
            if (collect(e, err, errlen) != 0)
                status = BATCH_ERUNTIME;
            else if (done) {
                status = finish_files(e, resolved, err, errlen) == 0 ? BATCH_OK : BATCH_ERUNTIME;
                finished = 1;
            }
            else if (write_checkpoint(e, err, errlen) != 0)
                status = BATCH_ERUNTIME;
            last_ckpt = now_seconds();
        }
        first = 0;

        /* Size the next epoch to take about BATCH_EPOCH_SECONDS. */
        double secs = t1 - t0;
        uint64_t min_blocks = (uint64_t)e->nranks * e->nworkers;
        if (secs > 0.0) {
            double rate = (double)(e1 - e0) / secs;
            double want_blocks = rate * BATCH_EPOCH_SECONDS;
            epoch_blocks = want_blocks > (double)BATCH_MAX_EPOCH_BLOCKS ? BATCH_MAX_EPOCH_BLOCKS
                                                                         : (uint64_t)want_blocks;
        }
        if (epoch_blocks < min_blocks)
            epoch_blocks = min_blocks;
        if (epoch_blocks > BATCH_MAX_EPOCH_BLOCKS)
            epoch_blocks = BATCH_MAX_EPOCH_BLOCKS;
        if (e->opt->progress) {
            uint64_t d = e->prefix * BATCH_BLOCK_REPS;
            for (size_t i = 0; i < e->npending; i++)
                d += e->pending[i].done;
            e->opt->progress(e->opt->progress_ctx, d > e->reps ? e->reps : d, e->reps);
        }
    }
    free(res);

    /* A checkpoint taken with every block done (the files were not all
     * written): nothing to run, only the files to write. */
    if (status == BATCH_OK && !finished && e->prefix >= e->nblocks)
        status = finish_files(e, resolved, err, errlen) == 0 ? BATCH_OK : BATCH_ERUNTIME;
    if (status == BATCH_OK && stop_sig && e->prefix < e->nblocks)
        status = BATCH_STOPPED;
    /* FINISH carries the status and, in e0, the signal that stopped us. */
    plan_encode(e, CMD_FINISH, (uint64_t)status, status == BATCH_STOPPED ? (uint64_t)stop_sig : 0, 0);
    bcast(e);

    uint64_t d = e->prefix * BATCH_BLOCK_REPS;
    for (size_t i = 0; i < e->npending; i++)
        d += e->pending[i].done;
    report->reps_done = d > e->reps ? e->reps : d;
    report->reps_before = e->reps_before;
    report->stopped_by = status == BATCH_STOPPED ? stop_sig : 0;
    return status;
}

int batch_run(const model_spec *spec, const char *resolved, const batch_options *opt, batch_report *report,
              char *err, size_t errlen)
{
    batch_report dummy;
    if (!report)
        report = &dummy;
    memset(report, 0, sizeof *report);
    if (errlen)
        err[0] = '\0';
    engine *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return BATCH_ERUNTIME;
    }
    e->spec = spec;
    e->opt = opt;
    e->reps = opt->reps;
    e->rank = cluster_rank();
    e->nranks = cluster_size();
    report->root = e->rank == 0;

    /* Every rank takes part in the protocol whatever happened in its setup,
     * so that no rank waits forever for another; failures travel in it. */
    int status = BATCH_OK;
    if (opt->reps == 0 || opt->threads == 0 || !opt->outdir) {
        snprintf(err, errlen, "a batch needs a folder, at least one replication and one thread");
        status = BATCH_EUSAGE;
        fail(e, err);
    } else {
        engine_setup(e);
    }
    if (e->rank == 0) {
        if (status == BATCH_OK && e->failed) {
            snprintf(err, errlen, "%s", e->fail_msg);
            status = BATCH_ERUNTIME;
        }
        if (status == BATCH_OK)
            status = root_setup(e, resolved, err, errlen);
        status = lead(e, status, resolved, report, err, errlen);
    } else {
        status = follow(e, report);
        if (e->failed)
            snprintf(err, errlen, "%s", e->fail_msg);
    }
    /* A batch that failed without a checkpoint cannot be resumed: its
     * partial rows file would only be litter in the folder. */
    int drop_partial = e->rank == 0 && status == BATCH_ERUNTIME && e->part && !path_exists(e->ckpt_path);
    char partial_path[sizeof e->partial_path];
    memcpy(partial_path, e->partial_path, sizeof partial_path);
    engine_free(e);
    free(e);
    if (drop_partial)
        unlink(partial_path);
    return status;
}
