/*
 * engine - the replication executor: worker threads, epochs, the MPI
 * protocol, checkpoints and the journal (see engine.h for what and why).
 *
 * Roles.  Every process (MPI rank) has one coordinating thread (the caller
 * of engine_run) and `threads` workers, started once in engine_alloc.  The
 * coordinator of rank 0 (the root) also plans epochs, delivers records,
 * keeps the merged accumulator and writes checkpoints.
 *
 * One epoch, on every rank, in this order (the only collective sequence of
 * a job; every rank follows it, so the ranks never disagree on what comes
 * next):
 *   1. the root broadcasts the plan: RUN blocks [e0, e1) of block_tasks
 *      tasks (with how much of each pending block is already done), or
 *      FINISH with a status;
 *   2. each rank runs its blocks (b mod K == rank) with its workers, taken
 *      in increasing order; a stop (signal, test hook, failure) makes
 *      workers end after their current task;
 *   3. each rank reports to the root: per block, tasks done and their
 *      records; its stop signal; its failure code and message;
 *   4. the root delivers the records of the blocks that extend the completed
 *      prefix, in task order, keeps partly done blocks as pending, and
 *      (share_records) broadcasts what it delivered;
 *   5. the root broadcasts whether the accumulators are to be collected; if
 *      so each rank sends its workers' merged accumulators (and resets
 *      them), and the root merges them into the total, then writes a
 *      checkpoint or, when every block is done, ends the job (broadcasting
 *      the total with share_result).
 *
 * Invariant (root, after every collection): total holds exactly the tasks
 * of blocks < prefix plus the `done` first tasks of each pending block, and
 * the records of exactly the blocks < prefix were delivered.  That is what
 * a checkpoint records (run/checkpoint.h).
 *
 * Threads.  Workers touch only their own state, accumulator and the slot
 * they took; slots are (re)built by the coordinator only while no worker is
 * busy.  mu guards the slot queue, busy, blocks_done and the failure; stop
 * and tasks_in_epoch are atomics read without the lock.  The pthread calls
 * on initialised objects can fail only on programmer errors, hence asserts.
 */
#include "run/engine.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/status.h"
#include "run/checkpoint.h"
#include "run/cluster.h"
#include "run/journal.h"
#include "stats/rng.h"

#define STOP_FAILED (-1)      /* value of stop after a failure */

enum { CMD_RUN = 1, CMD_FINISH = 2 };

/* A block, or what is left of it, taken by one worker in one epoch. */
typedef struct {
    uint64_t block;
    uint64_t first, end;  /* tasks first .. end - 1 are to run */
    uint64_t done;        /* of them done so far */
    buf rec;              /* their records */
} slot;

typedef struct {
    engine *e;
    pthread_t tid;
    void *state;          /* the reducer's worker state */
    void *acc;            /* the worker's accumulator */
    int code;             /* why the last task failed */
    char msg[512];
} worker;

/* A block partly done (root only). */
typedef struct {
    uint64_t block, done;
    buf rec;
} pend;

/* A plan, as broadcast. */
typedef struct {
    uint64_t cmd, status, e0, e1, block_tasks;
} plan;

struct engine {
    engine_options opt;
    int rank, nranks;

    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    int sync_ready;
    worker *workers;
    unsigned nworkers, nstarted;
    int quit;

    /* The job being run (fixed while workers are busy). */
    const engine_job *job;
    uint64_t block_tasks, nblocks;
    slot *slots;
    size_t nslots, cap_slots, next_slot;
    unsigned busy;
    uint64_t blocks_done;      /* blocks this process completed, all jobs */
    int failed, fail_code;
    char fail_msg[1024];
    atomic_int stop;           /* 0; a signal number; STOP_FAILED */
    atomic_uint_fast64_t tasks_in_epoch;

    /* Worker states and accumulators, and whose they are. */
    const engine_reducer *wred;
    void *wctx;
    int have_workers;
    void *scratch;             /* merge area: rank images (root), workers (others) */

    buf msg;                   /* reports */
    buf bc;                    /* broadcast messages */
    buf pack;                  /* packed accumulators */
    buf delivered;             /* records delivered this epoch (share_records) */

    /* Root, per job. */
    void *total;
    uint64_t prefix;
    pend *pending;
    size_t npending;
    uint64_t tasks_before;

    /* The journal (root) and the job entry not yet appended. */
    journal *jr;
    int jr_open;               /* every rank: the root has a journal open */
    size_t jobs_seen;
    int jr_pending;
    uint64_t jr_key;
    buf jr_acc, jr_rec;
    buf job_rec;               /* the running job's records, for the journal */
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

static void must(int rc)
{
    assert(rc == 0);
    (void)rc;
}

static void lock(engine *e)
{
    must(pthread_mutex_lock(&e->mu));
}

static void unlock(engine *e)
{
    must(pthread_mutex_unlock(&e->mu));
}

int engine_agree(engine *e, int status)
{
    (void)e;
    return cluster_agree(status, NULL);
}

uint64_t engine_task_seed(uint64_t master, uint64_t i)
{
    return rng_rep_seed(master, i);
}

int engine_rank(const engine *e)
{
    return e->rank;
}

int engine_nranks(const engine *e)
{
    return e->nranks;
}

static uint64_t block_size(const engine *e, uint64_t b)
{
    uint64_t first = b * e->block_tasks, n = e->job->ntasks;
    return n - first < e->block_tasks ? n - first : e->block_tasks;
}

static int has_acc(const engine_reducer *r)
{
    return r->acc_alloc != NULL;
}

/* Records the first failure of this process and stops its workers. */
static void fail_locked(engine *e, int code, const char *msg)
{
    if (!e->failed) {
        e->failed = 1;
        e->fail_code = code < 0 ? code : AS_ERUNTIME;
        snprintf(e->fail_msg, sizeof e->fail_msg, "%s", msg);
    }
    atomic_store(&e->stop, STOP_FAILED);
}

static void fail(engine *e, int code, const char *msg)
{
    lock(e);
    fail_locked(e, code, msg);
    unlock(e);
}

/* ------------------------------------------------------------------ */
/* Workers                                                            */
/* ------------------------------------------------------------------ */

static uint64_t seed_of(const engine *e, uint64_t i)
{
    const engine_job *j = e->job;
    return j->seed_of ? j->seed_of(j->ctx, i) : rng_rep_seed(j->master, i);
}

/* Runs what is left of a slot, stopping early when asked.  0, or -1 with
 * the reason in w. */
static int run_slot(worker *w, slot *s)
{
    engine *e = w->e;
    const engine_job *j = e->job;
    while (s->first + s->done < s->end) {
        if (atomic_load_explicit(&e->stop, memory_order_relaxed))
            break;
        engine_task t = {s->first + s->done, 0, &e->stop};
        t.seed = seed_of(e, t.index);
        char why[512] = "";
        int rc = j->reducer->run(j->ctx, w->state, &t, w->acc, &s->rec, why, sizeof why);
        /* A task that saw the stop request ended early, adding nothing: it is
         * simply not done (a failure elsewhere is reported by its worker). */
        if (rc == AS_ESTOPPED && atomic_load(&e->stop) != 0)
            break;
        if (rc == AS_OK && s->rec.failed) {
            rc = AS_ENOMEM;
            snprintf(why, sizeof why, "out of memory");
        }
        if (rc != AS_OK) {
            w->code = rc;
            snprintf(w->msg, sizeof w->msg, "replication %llu (seed %llu): %.440s", (unsigned long long)t.index,
                     (unsigned long long)t.seed, why[0] ? why : "failed");
            return -1;
        }
        s->done++;
        atomic_fetch_add_explicit(&e->tasks_in_epoch, 1, memory_order_relaxed);
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
            fail_locked(e, w->code, w->msg);
        } else if (s->first + s->done == s->end) {
            e->blocks_done++;
            if (e->opt.stop_after_blocks && e->blocks_done >= e->opt.stop_after_blocks)
                atomic_compare_exchange_strong(&e->stop, &(int){0}, SIGINT);
        }
        must(pthread_cond_signal(&e->done_cv));
    }
    unlock(e);
    return NULL;
}

/* Frees the workers' states and accumulators (with the reducer and context
 * they were made for). */
static void release_states(engine *e)
{
    const engine_reducer *r = e->wred;
    for (unsigned i = 0; r && i < e->nworkers; i++) {
        worker *w = &e->workers[i];
        if (r->worker_free)
            r->worker_free(e->wctx, w->state);
        if (r->acc_free && w->acc)
            r->acc_free(e->wctx, w->acc);
        w->state = w->acc = NULL;
    }
    if (r && r->acc_free && e->scratch)
        r->acc_free(e->wctx, e->scratch);
    e->scratch = NULL;
    e->wred = NULL;
    e->wctx = NULL;
    e->have_workers = 0;
}

void engine_release_workers(engine *e)
{
    if (e)
        release_states(e);
}

/* Gives every worker a state and an empty accumulator for the job; failures
 * are recorded with fail(), so that the rank still follows the protocol. */
static void prepare_workers(engine *e, const engine_job *j)
{
    const engine_reducer *r = j->reducer;
    if (e->have_workers && e->wred == r && e->wctx == j->ctx) {
        for (unsigned i = 0; has_acc(r) && i < e->nworkers; i++)
            r->acc_reset(j->ctx, e->workers[i].acc);
        if (has_acc(r))
            r->acc_reset(j->ctx, e->scratch);
        return;
    }
    release_states(e);
    e->wred = r;
    e->wctx = j->ctx;
    e->have_workers = 1;
    for (unsigned i = 0; i < e->nworkers; i++) {
        worker *w = &e->workers[i];
        if (r->worker_alloc && !(w->state = r->worker_alloc(j->ctx))) {
            fail(e, AS_ENOMEM, "out of memory (or a scenario the model cannot run)");
            return;
        }
        if (has_acc(r) && !(w->acc = r->acc_alloc(j->ctx))) {
            fail(e, AS_ENOMEM, "out of memory");
            return;
        }
    }
    if (has_acc(r) && !(e->scratch = r->acc_alloc(j->ctx)))
        fail(e, AS_ENOMEM, "out of memory");
}

/* ------------------------------------------------------------------ */
/* Setup and teardown                                                 */
/* ------------------------------------------------------------------ */

static int sync_init(engine *e)
{
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0)
        return -1;
    int ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0;
    if (ok && pthread_mutex_init(&e->mu, NULL) != 0) {
        ok = 0;
    } else if (ok && pthread_cond_init(&e->work_cv, &ca) != 0) {
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

void engine_free(engine *e)
{
    if (!e)
        return;
    journal_close(e->jr, 0, NULL, 0);
    if (e->sync_ready) {
        lock(e);
        e->quit = 1;
        must(pthread_cond_broadcast(&e->work_cv));
        unlock(e);
    }
    for (unsigned i = 0; i < e->nstarted; i++)
        must(pthread_join(e->workers[i].tid, NULL));
    release_states(e);
    free(e->workers);
    for (size_t i = 0; i < e->cap_slots; i++)
        buf_clear(&e->slots[i].rec);
    free(e->slots);
    if (e->sync_ready) {
        must(pthread_cond_destroy(&e->work_cv));
        must(pthread_cond_destroy(&e->done_cv));
        must(pthread_mutex_destroy(&e->mu));
    }
    buf_clear(&e->msg);
    buf_clear(&e->bc);
    buf_clear(&e->pack);
    buf_clear(&e->delivered);
    buf_clear(&e->jr_acc);
    buf_clear(&e->jr_rec);
    buf_clear(&e->job_rec);
    free(e);
}

int engine_alloc(const engine_options *opt, engine **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!opt || opt->threads == 0) {
        as_errf(err, errlen, "the executor needs at least one thread");
        return AS_EUSAGE;
    }
    engine *e = calloc(1, sizeof *e);
    if (!e) {
        as_errf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    e->opt = *opt;
    e->rank = cluster_rank();
    e->nranks = cluster_size();
    atomic_init(&e->stop, 0);
    atomic_init(&e->tasks_in_epoch, 0);
    int rc = AS_OK;
    if (sync_init(e) != 0) {
        as_errf(err, errlen, "cannot create the thread synchronisation objects");
        rc = AS_ERUNTIME;
        goto done;
    }
    e->workers = calloc(opt->threads, sizeof *e->workers);
    if (!e->workers) {
        as_errf(err, errlen, "out of memory");
        rc = AS_ENOMEM;
        goto done;
    }
    e->nworkers = opt->threads;
    for (unsigned i = 0; i < e->nworkers; i++) {
        e->workers[i].e = e;
        int prc = pthread_create(&e->workers[i].tid, NULL, worker_main, &e->workers[i]);
        if (prc != 0) {
            as_errf(err, errlen, "cannot start worker thread %u: %s", i + 1, strerror(prc));
            rc = AS_ERUNTIME;
            goto done;
        }
        e->nstarted++;
    }
done:
    if (rc != AS_OK) {
        engine_free(e);
        return rc;
    }
    *out = e;
    return AS_OK;
}

/* ------------------------------------------------------------------ */
/* Messages                                                           */
/* ------------------------------------------------------------------ */

/* Root: the plan of an epoch into e->bc: cmd, status, e0, e1, block_tasks,
 * npending, npending x (block, done). */
static void plan_encode(engine *e, uint64_t cmd, uint64_t status, uint64_t e0, uint64_t e1)
{
    buf *b = &e->bc;
    buf_reset(b);
    buf_append_u64(b, cmd);
    buf_append_u64(b, status);
    buf_append_u64(b, e0);
    buf_append_u64(b, e1);
    buf_append_u64(b, e->block_tasks);
    buf_append_u64(b, cmd == CMD_RUN ? e->npending : 0);
    for (size_t i = 0; cmd == CMD_RUN && i < e->npending; i++) {
        buf_append_u64(b, e->pending[i].block);
        buf_append_u64(b, e->pending[i].done);
    }
}

static int plan_decode(const engine *e, plan *p)
{
    buf_reader r = buf_reader_of(e->bc.data, e->bc.len);
    p->cmd = buf_read_u64(&r);
    p->status = buf_read_u64(&r);
    p->e0 = buf_read_u64(&r);
    p->e1 = buf_read_u64(&r);
    p->block_tasks = buf_read_u64(&r);
    uint64_t np = buf_read_u64(&r);
    if (r.failed || np > (r.len - r.pos) / 16 || (p->cmd == CMD_RUN && p->block_tasks == 0))
        return -1;
    return 0;
}

/* Tasks of block b done before this epoch (from the plan in e->bc). */
static uint64_t plan_done_before(const engine *e, uint64_t b)
{
    buf_reader r = buf_reader_of(e->bc.data, e->bc.len);
    r.pos = 48;
    while (!r.failed && r.pos < r.len) {
        uint64_t blk = buf_read_u64(&r), done = buf_read_u64(&r);
        if (blk == b)
            return done;
    }
    return 0;
}

/* A one-word broadcast from the root; returns the root's value. */
static uint64_t bcast_word(engine *e, uint64_t v)
{
    buf_reset(&e->bc);
    buf_append_u64(&e->bc, v);
    cluster_bcast_buf(&e->bc);
    return e->bc.len == 8 ? buf_get_u64(e->bc.data) : 0;
}

uint64_t engine_broadcast(engine *e, uint64_t v)
{
    return bcast_word(e, v);
}

/* ------------------------------------------------------------------ */
/* One epoch on this rank                                             */
/* ------------------------------------------------------------------ */

static void poll_interrupt(engine *e)
{
    if (e->opt.interrupt && *e->opt.interrupt) {
        int expected = 0;
        atomic_compare_exchange_strong(&e->stop, &expected, (int)*e->opt.interrupt);
    }
}

static uint64_t progress_total(const engine *e)
{
    return e->job->progress_total ? e->job->progress_total : e->job->ntasks;
}

static void report_progress(engine *e, uint64_t done)
{
    if (e->rank != 0 || !e->opt.progress)
        return;
    uint64_t total = progress_total(e), d = e->job->progress_base + done;
    e->opt.progress(e->opt.progress_ctx, d > total ? total : d, total);
}

/* Runs this rank's blocks of [e0, e1); returns when they are all done or
 * the rank was stopped.  base, epoch_tasks: for progress (root). */
static void run_epoch(engine *e, uint64_t e0, uint64_t e1, uint64_t base, uint64_t epoch_tasks)
{
    poll_interrupt(e);
    lock(e);
    e->nslots = 0;
    e->next_slot = 0;
    atomic_store(&e->tasks_in_epoch, 0);
    for (uint64_t b = e0; b < e1 && !e->failed; b++) {
        if (b % (uint64_t)e->nranks != (uint64_t)e->rank)
            continue;
        if (e->nslots == e->cap_slots) {
            size_t nc = e->cap_slots ? 2 * e->cap_slots : 64;
            slot *ns = realloc(e->slots, nc * sizeof *ns);
            if (!ns) {
                fail_locked(e, AS_ENOMEM, "out of memory");
                break;
            }
            memset(ns + e->cap_slots, 0, (nc - e->cap_slots) * sizeof *ns);
            e->slots = ns;
            e->cap_slots = nc;
        }
        slot *s = &e->slots[e->nslots++];
        s->block = b;
        s->first = b * e->block_tasks + plan_done_before(e, b);
        s->end = b * e->block_tasks + block_size(e, b);
        s->done = 0;
        buf_reset(&s->rec);
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
        if (e->rank == 0 && now - last >= 0.2) {
            last = now;
            uint64_t est = atomic_load_explicit(&e->tasks_in_epoch, memory_order_relaxed) * (uint64_t)e->nranks;
            unlock(e);
            report_progress(e, base + (est > epoch_tasks ? epoch_tasks : est));
            lock(e);
        }
    }
    unlock(e);
}

/* This rank's report of the epoch, into e->msg:
 * stop, failed, code, msg_len, msg, nslots, nslots x (block, done, rec_len, rec). */
static void encode_report(engine *e)
{
    buf *b = &e->msg;
    buf_reset(b);
    int stop = atomic_load(&e->stop);
    buf_append_u64(b, stop > 0 ? (uint64_t)stop : 0);
    buf_append_u64(b, (uint64_t)e->failed);
    buf_append_u64(b, (uint64_t)(int64_t)e->fail_code);
    size_t ml = e->failed ? strlen(e->fail_msg) : 0;
    buf_append_u64(b, ml);
    buf_append(b, e->fail_msg, ml);
    buf_append_u64(b, e->nslots);
    for (size_t i = 0; i < e->nslots; i++) {
        const slot *s = &e->slots[i];
        buf_append_u64(b, s->block);
        buf_append_u64(b, s->done);
        buf_append_u64(b, s->rec.len);
        buf_append(b, s->rec.data, s->rec.len);
    }
}

/* What the root learns about one block of the epoch. */
typedef struct {
    uint64_t done;
    const unsigned char *rec;
    size_t rec_len;
    int seen;
} block_result;

/* Root: folds a report from another rank into res[]; notes a failure or
 * stop.  Returns 0, or -1 when the report is malformed. */
static int take_report(engine *e, const unsigned char *data, size_t len, uint64_t e0, uint64_t e1,
                       block_result *res, int *stop_sig)
{
    buf_reader r = buf_reader_of(data, len);
    uint64_t sig = buf_read_u64(&r), failed = buf_read_u64(&r), code = buf_read_u64(&r), ml = buf_read_u64(&r);
    const unsigned char *msg = buf_read_bytes(&r, ml);
    uint64_t ns = buf_read_u64(&r);
    if (r.failed)
        return -1;
    if (sig && !*stop_sig)
        *stop_sig = (int)sig;
    if (failed && !e->failed) {
        char m[1024];
        snprintf(m, sizeof m, "%.*s", (int)(ml < 1000 ? ml : 1000), (const char *)msg);
        fail(e, (int)(int64_t)code, m);
    }
    for (uint64_t i = 0; i < ns; i++) {
        uint64_t blk = buf_read_u64(&r), done = buf_read_u64(&r), rl = buf_read_u64(&r);
        const unsigned char *rec = buf_read_bytes(&r, rl);
        if (r.failed || blk < e0 || blk >= e1 || res[blk - e0].seen)
            return -1;
        res[blk - e0] = (block_result){done, rec, (size_t)rl, 1};
    }
    return r.pos == r.len ? 0 : -1;
}

/* Root: hands records of tasks [first, end) to the reducer and keeps them
 * for the other ranks and the journal as the job asks. */
static int deliver(engine *e, uint64_t first, uint64_t end, const unsigned char *data, size_t len, char *err,
                   size_t errlen)
{
    const engine_job *j = e->job;
    if (first == end)
        return AS_OK;
    if (j->reducer->records) {
        int rc = j->reducer->records(j->ctx, first, end, data, len, err, errlen);
        if (rc != AS_OK)
            return rc;
    }
    if (j->share_records) {
        buf_append_u64(&e->delivered, first);
        buf_append_u64(&e->delivered, end);
        buf_append_u64(&e->delivered, len);
        buf_append(&e->delivered, data, len);
    }
    if (e->jr && j->journal_records)
        buf_append(&e->job_rec, data, len);
    if (e->delivered.failed || e->job_rec.failed) {
        as_errf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    return AS_OK;
}

static int add_pending(engine *e, uint64_t block, uint64_t done, const unsigned char *rec, size_t len,
                       const unsigned char *rec2, size_t len2)
{
    pend *p = realloc(e->pending, (e->npending + 1) * sizeof *p);
    if (!p)
        return -1;
    e->pending = p;
    pend *n = &e->pending[e->npending];
    memset(n, 0, sizeof *n);
    n->block = block;
    n->done = done;
    buf_append(&n->rec, rec, len);
    buf_append(&n->rec, rec2, len2);
    e->npending++;
    return n->rec.failed ? -1 : 0;
}

static void clear_pending(engine *e)
{
    for (size_t i = 0; i < e->npending; i++)
        buf_clear(&e->pending[i].rec);
    free(e->pending);
    e->pending = NULL;
    e->npending = 0;
}

/* Root: delivers the records of the blocks that complete the prefix, in
 * order, and keeps the partly done ones as pending.  AS_OK or a failure
 * (message in err). */
static int absorb_epoch(engine *e, uint64_t e0, uint64_t e1, const block_result *res, char *err, size_t errlen)
{
    pend *old = e->pending;
    size_t nold = e->npending, oi = 0;
    e->pending = NULL;
    e->npending = 0;
    int rc = AS_OK;
    int contiguous = e->prefix == e0;
    for (uint64_t b = e0; b < e1 && rc == AS_OK; b++) {
        const block_result *r = &res[b - e0];
        const pend *p = NULL;
        while (oi < nold && old[oi].block < b)
            oi++;
        if (oi < nold && old[oi].block == b)
            p = &old[oi];
        uint64_t before = p ? p->done : 0, done = before + r->done, start = b * e->block_tasks;
        if (contiguous && done == block_size(e, b)) {
            if (p)
                rc = deliver(e, start, start + before, p->rec.data, p->rec.len, err, errlen);
            if (rc == AS_OK)
                rc = deliver(e, start + before, start + done, r->rec, r->rec_len, err, errlen);
            if (rc == AS_OK)
                e->prefix = b + 1;
            continue;
        }
        contiguous = 0;
        if (done > 0 &&
            add_pending(e, b, done, p ? p->rec.data : NULL, p ? p->rec.len : 0, r->rec, r->rec_len) != 0) {
            as_errf(err, errlen, "out of memory");
            rc = AS_ENOMEM;
        }
    }
    for (size_t i = 0; i < nold; i++)
        buf_clear(&old[i].rec);
    free(old);
    return rc;
}

/* Root with share_records: sends what it delivered this epoch; the others
 * hand it to their reducer.  Collective.  AS_OK or a failure. */
static int share_delivered(engine *e, char *err, size_t errlen)
{
    const engine_job *j = e->job;
    cluster_bcast_buf(&e->delivered);
    int rc = AS_OK;
    if (e->rank != 0 && j->reducer->records) {
        buf_reader r = buf_reader_of(e->delivered.data, e->delivered.len);
        while (rc == AS_OK && r.pos < r.len) {
            uint64_t first = buf_read_u64(&r), end = buf_read_u64(&r), len = buf_read_u64(&r);
            const unsigned char *data = buf_read_bytes(&r, len);
            if (r.failed) {
                as_errf(err, errlen, "the root sent malformed records");
                return AS_ERUNTIME;
            }
            rc = j->reducer->records(j->ctx, first, end, data, (size_t)len, err, errlen);
        }
    }
    buf_reset(&e->delivered);
    return rc;
}

/* Merges the workers' accumulators (emptying them) into dst. */
static int merge_workers(engine *e, void *dst)
{
    const engine_job *j = e->job;
    int rc = AS_OK;
    for (unsigned i = 0; i < e->nworkers; i++) {
        if (rc == AS_OK)
            rc = j->reducer->acc_merge(j->ctx, dst, e->workers[i].acc);
        j->reducer->acc_reset(j->ctx, e->workers[i].acc);
    }
    return rc;
}

/* Collects every rank's accumulators into the root's total (root), or
 * sends them (others).  Collective when the reducer has an accumulator. */
static int collect(engine *e, char *err, size_t errlen)
{
    const engine_job *j = e->job;
    if (!has_acc(j->reducer))
        return AS_OK;
    int rc = AS_OK;
    if (e->rank == 0) {
        rc = merge_workers(e, e->total);
        for (int k = 1; k < e->nranks; k++) {
            unsigned char *img = NULL;
            size_t len = 0;
            if (cluster_recv(k, &img, &len) != 0 || rc != AS_OK ||
                (rc = j->reducer->acc_unpack(j->ctx, e->scratch, img, len)) != AS_OK ||
                (rc = j->reducer->acc_merge(j->ctx, e->total, e->scratch)) != AS_OK) {
                if (rc == AS_OK)
                    rc = AS_ERUNTIME;
            }
            free(img);
        }
        if (rc != AS_OK)
            as_errf(err, errlen, "cannot merge the accumulators of the workers");
        return rc;
    }
    j->reducer->acc_reset(j->ctx, e->scratch);
    rc = merge_workers(e, e->scratch);
    buf_reset(&e->pack);
    if (rc == AS_OK)
        rc = j->reducer->acc_pack(j->ctx, e->scratch, &e->pack);
    /* A failed merge or pack sends an empty image, which the root rejects. */
    int ok = rc == AS_OK && !e->pack.failed;
    cluster_send_root(e->pack.data, ok ? e->pack.len : 0);
    return ok ? AS_OK : AS_ERUNTIME;
}

/* With share_result: the root's total replaces every other rank's result. */
static int share_result(engine *e, void *result, char *err, size_t errlen)
{
    const engine_job *j = e->job;
    buf_reset(&e->pack);
    if (e->rank == 0 && j->reducer->acc_pack(j->ctx, e->total, &e->pack) != AS_OK)
        buf_reset(&e->pack);
    cluster_bcast_buf(&e->pack);
    if (e->rank == 0)
        return AS_OK;
    int rc = j->reducer->acc_unpack(j->ctx, result, e->pack.data, e->pack.len);
    if (rc != AS_OK)
        as_errf(err, errlen, "the root's result did not arrive whole");
    return rc;
}

/* ------------------------------------------------------------------ */
/* Checkpoints (root)                                                 */
/* ------------------------------------------------------------------ */

/* The folder of path (for messages). */
static void folder_of(const char *path, char *out, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, len, ".");
    else
        snprintf(out, len, "%.*s", (int)(slash - path), path);
}

static uint64_t tasks_done_root(const engine *e)
{
    uint64_t d = e->prefix * e->block_tasks;
    if (d > e->job->ntasks)
        d = e->job->ntasks;
    for (size_t i = 0; i < e->npending; i++)
        d += e->pending[i].done;
    return d;
}

static int write_checkpoint(engine *e, char *err, size_t errlen)
{
    const engine_job *j = e->job;
    uint64_t pos = 0, digest = 0;
    int rc = AS_OK;
    if (j->reducer->records_mark && (rc = j->reducer->records_mark(j->ctx, &pos, &digest, err, errlen)) != AS_OK)
        return rc;
    buf_reset(&e->pack);
    if (has_acc(j->reducer) && (rc = j->reducer->acc_pack(j->ctx, e->total, &e->pack)) != AS_OK) {
        as_errf(err, errlen, "cannot pack the accumulators");
        return rc;
    }
    if (e->pack.failed) {
        as_errf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    ckpt_pending *cp = calloc(e->npending ? e->npending : 1, sizeof *cp);
    if (!cp) {
        as_errf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    for (size_t i = 0; i < e->npending; i++)
        cp[i] = (ckpt_pending){e->pending[i].block, e->pending[i].done, e->pending[i].rec.data,
                               e->pending[i].rec.len};
    ckpt_state st = {{{j->identity[0], j->identity[1]}, j->master, j->ntasks, e->block_tasks},
                     e->prefix, pos, digest, tasks_done_root(e), cp, e->npending, e->pack.data, e->pack.len, NULL,
                     NULL};
    rc = ckpt_write(j->checkpoint, &st, err, errlen);
    free(cp);
    return rc;
}

/* Explains how checkpoint c differs from this job into err; 0 when it
 * matches. */
static int identity_mismatch(const engine *e, const ckpt_identity *c, char *err, size_t errlen)
{
    const engine_job *j = e->job;
    char what[1024] = "";
    size_t n = 0;
#define ADD(...)                                                                       \
    do {                                                                               \
        int w_ = snprintf(what + n, sizeof what - n, __VA_ARGS__);                     \
        if (w_ > 0 && (size_t)w_ < sizeof what - n)                                    \
            n += (size_t)w_;                                                           \
    } while (0)
    if (c->ntasks != j->ntasks)
        ADD("; it has -n %llu, this command -n %llu", (unsigned long long)c->ntasks, (unsigned long long)j->ntasks);
    if (c->master != j->master)
        ADD("; it has seed %llu, this command seed %llu", (unsigned long long)c->master,
            (unsigned long long)j->master);
    if (c->identity[0] != j->identity[0])
        ADD("; its resolved scenario differs from this one (another file, or other --set values)");
    else if (c->identity[1] != j->identity[1])
        ADD("; it was started with other --set options");
    if (j->block_tasks && c->block_tasks != j->block_tasks)
        ADD("; it was written by another alignsim version (blocks of %llu)", (unsigned long long)c->block_tasks);
#undef ADD
    if (n == 0)
        return 0;
    char dir[4096];
    folder_of(j->checkpoint, dir, sizeof dir);
    as_errf(err, errlen,
            "cannot resume %s: the interrupted %s there is not this one%s; resume it with %s, or delete %s to start "
            "over",
            dir, j->what ? j->what : "job", what, j->how_to_match ? j->how_to_match : "the same inputs",
            j->checkpoint);
    return -1;
}

/* Root: a fresh job, or the state of the checkpoint to resume.  Returns an
 * AS_* code with a message in err. */
static int root_setup(engine *e, char *err, size_t errlen)
{
    const engine_job *j = e->job;
    const engine_reducer *r = j->reducer;
    const char *what = j->what ? j->what : "job";
    uint64_t want_block = e->block_tasks;
    if (!j->checkpoint || !j->resume) {
        if (j->checkpoint && access(j->checkpoint, F_OK) == 0) {
            ckpt_state st;
            char e2[512];
            uint64_t done = 0, total = 0;
            if (ckpt_read(j->checkpoint, &st, e2, sizeof e2) == AS_OK) {
                done = st.tasks_done;
                total = st.id.ntasks;
            }
            ckpt_state_clear(&st);
            char dir[4096];
            folder_of(j->checkpoint, dir, sizeof dir);
            as_errf(err, errlen,
                    "%s holds an interrupted %s (%llu of %llu replications done); continue it with --resume, or "
                    "delete %s to start over",
                    dir, what, (unsigned long long)done, (unsigned long long)total, j->checkpoint);
            return AS_EUSAGE;
        }
        return r->records_open ? r->records_open(j->ctx, 0, 0, 0, err, errlen) : AS_OK;
    }
    if (access(j->checkpoint, F_OK) != 0) {
        char dir[4096];
        folder_of(j->checkpoint, dir, sizeof dir);
        as_errf(err, errlen, "cannot resume %s: there is no interrupted %s there (no %s); run the %s without --resume",
                dir, what, j->checkpoint, what);
        return AS_EUSAGE;
    }
    ckpt_state st;
    int rc = ckpt_read(j->checkpoint, &st, err, errlen);
    if (rc != AS_OK)
        return rc;
    if (identity_mismatch(e, &st.id, err, errlen) != 0) {
        rc = AS_EUSAGE;
        goto done;
    }
    e->block_tasks = want_block ? want_block : st.id.block_tasks;
    rc = AS_ERUNTIME;
    if (e->block_tasks == 0)
        goto damaged;
    e->nblocks = (j->ntasks - 1) / e->block_tasks + 1;
    if (st.prefix_blocks > e->nblocks || st.npending > ENGINE_MAX_EPOCH_BLOCKS)
        goto damaged;
    if (has_acc(r) ? r->acc_unpack(j->ctx, e->total, st.acc, st.acc_len) != AS_OK : st.acc_len != 0)
        goto damaged;
    for (size_t i = 0; i < st.npending; i++) {
        const ckpt_pending *p = &st.pending[i];
        /* A pending block is partly done, or done but behind one that is not. */
        if (p->block < st.prefix_blocks || p->block >= e->nblocks || p->done == 0 ||
            p->done > block_size(e, p->block) || (i > 0 && p->block <= st.pending[i - 1].block))
            goto damaged;
        if (add_pending(e, p->block, p->done, p->records, p->records_len, NULL, 0) != 0) {
            as_errf(err, errlen, "out of memory");
            rc = AS_ENOMEM;
            goto done;
        }
    }
    if (r->records_open && (rc = r->records_open(j->ctx, 1, st.records_pos, st.records_digest, err, errlen)) != AS_OK)
        goto done;
    e->prefix = st.prefix_blocks;
    e->tasks_before = tasks_done_root(e);
    rc = AS_OK;
    goto done;
damaged:
    as_errf(err, errlen, "%s: the checkpoint does not fit this %s (damaged?)", j->checkpoint, what);
done:
    ckpt_state_clear(&st);
    return rc;
}

int engine_checkpoint_remove(const char *path, char *err, size_t errlen)
{
    if (unlink(path) != 0 && errno != ENOENT) {
        as_errf(err, errlen, "%s: %s", path, strerror(errno));
        return AS_EIO;
    }
    return AS_OK;
}

/* Test hook: the root sleeps after its first checkpoint, so that a test can
 * kill it while the job is surely unfinished. */
static void pause_for_test(void)
{
    struct timespec ts = {60, 0};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ------------------------------------------------------------------ */
/* The protocol                                                       */
/* ------------------------------------------------------------------ */

/* A rank other than the root: follows the root's plans.  Returns the job's
 * status. */
static int follow(engine *e, void *result, engine_report *report, char *err, size_t errlen)
{
    const engine_job *j = e->job;
    for (;;) {
        cluster_bcast_buf(&e->bc);
        plan p;
        if (plan_decode(e, &p) != 0) {
            as_errf(err, errlen, "the root sent a malformed plan");
            return AS_ERUNTIME;
        }
        if (p.cmd != CMD_RUN) {
            int status = (int)(int64_t)p.status;
            report->stopped_by = status == AS_ESTOPPED ? (int)p.e0 : 0;
            if (status == AS_OK && j->share_result && has_acc(j->reducer)) {
                int rc = share_result(e, result, err, errlen);
                if (rc != AS_OK)
                    return rc;
            }
            return status;
        }
        e->block_tasks = p.block_tasks;
        e->nblocks = (j->ntasks - 1) / e->block_tasks + 1;
        run_epoch(e, p.e0, p.e1, 0, 0);
        encode_report(e);
        if (e->msg.failed) {
            /* No memory for the report: send a bare failure instead. */
            fail(e, AS_ENOMEM, "out of memory");
            buf_clear(&e->msg);
            unsigned char mini[48];
            memset(mini, 0, sizeof mini);
            buf_put_u64(mini + 8, 1);
            buf_put_u64(mini + 16, (uint64_t)(int64_t)AS_ENOMEM);
            cluster_send_root(mini, sizeof mini);
        } else {
            cluster_send_root(e->msg.data, e->msg.len);
        }
        if (j->share_records && share_delivered(e, err, errlen) != AS_OK && !e->failed)
            fail(e, AS_ERUNTIME, err);
        if (bcast_word(e, 0))
            (void)collect(e, NULL, 0);
    }
}

/* The root: plans epochs, gathers, delivers, checkpoints.  Returns the
 * job's status (also broadcast to the others). */
static int lead(engine *e, int status, void *result, engine_report *report, char *err, size_t errlen)
{
    const engine_job *j = e->job;
    uint64_t epoch_blocks = 2 * (uint64_t)e->nranks * e->nworkers;
    double last_ckpt = now_seconds();
    int first = 1, stop_sig = 0, paused = 0;
    block_result *res = NULL;
    if (epoch_blocks > ENGINE_MAX_EPOCH_BLOCKS)
        epoch_blocks = ENGINE_MAX_EPOCH_BLOCKS;

    while (status == AS_OK && e->prefix < e->nblocks && !stop_sig) {
        uint64_t e0 = e->prefix;
        uint64_t e1 = e0 + epoch_blocks;
        if (e->npending && e1 <= e->pending[e->npending - 1].block)
            e1 = e->pending[e->npending - 1].block + 1;
        if (e1 > e->nblocks)
            e1 = e->nblocks;
        uint64_t base = tasks_done_root(e), epoch_tasks = 0;
        for (uint64_t b = e0; b < e1; b++)
            epoch_tasks += block_size(e, b);
        for (size_t i = 0; i < e->npending; i++)
            epoch_tasks -= e->pending[i].done;

        plan_encode(e, CMD_RUN, 0, e0, e1);
        cluster_bcast_buf(&e->bc);
        double t0 = now_seconds();
        run_epoch(e, e0, e1, base, epoch_tasks);

        /* Gather the reports, the root's own from its slots. */
        free(res);
        res = calloc((size_t)(e1 - e0), sizeof *res);
        if (!res) {
            as_errf(err, errlen, "out of memory");
            status = AS_ENOMEM;
        }
        for (size_t i = 0; res && i < e->nslots; i++) {
            const slot *s = &e->slots[i];
            res[s->block - e0] = (block_result){s->done, s->rec.data, s->rec.len, 1};
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
            if (status == AS_OK && (!imgs || take_report(e, img, len, e0, e1, res, &stop_sig) != 0)) {
                as_errf(err, errlen, "rank %d sent a malformed report", k);
                status = AS_ERUNTIME;
            }
        }
        for (uint64_t b = e0; status == AS_OK && b < e1; b++)
            if (!res[b - e0].seen && b % (uint64_t)e->nranks != 0) {
                as_errf(err, errlen, "no report on block %llu", (unsigned long long)b);
                status = AS_ERUNTIME;
            }
        if (status == AS_OK && e->failed) {
            as_errf(err, errlen, "%s", e->fail_msg);
            status = e->fail_code;
        }
        if (status == AS_OK)
            status = absorb_epoch(e, e0, e1, res, err, errlen);
        for (int k = 1; imgs && k < e->nranks; k++)
            free(imgs[k]);
        free(imgs);
        if (j->share_records) {
            char e2[512] = "";
            int rc = share_delivered(e, e2, sizeof e2);
            if (status == AS_OK && rc != AS_OK) {
                as_errf(err, errlen, "%s", e2);
                status = rc;
            }
        }

        /* Collect and checkpoint: after the first epoch, then every
         * ENGINE_CHECKPOINT_SECONDS and on a stop (checkpointed jobs only),
         * and at the end; never after a failure, whose accumulators may hold
         * half a task. */
        double t1 = now_seconds();
        int done = e->prefix >= e->nblocks;
        int ckpt = j->checkpoint && (first || stop_sig || t1 - last_ckpt >= ENGINE_CHECKPOINT_SECONDS);
        int want = status == AS_OK && (done || ckpt);
        bcast_word(e, (uint64_t)want);
        if (want) {
            int rc = collect(e, err, errlen);
            if (rc != AS_OK)
                status = rc;
            else if (!done && (rc = write_checkpoint(e, err, errlen)) != AS_OK)
                status = rc;
            else if (e->opt.pause_after_checkpoint && !paused) {
                paused = 1;
                pause_for_test();
            }
            last_ckpt = now_seconds();
        }
        first = 0;

        /* Size the next epoch to take about ENGINE_EPOCH_SECONDS. */
        double secs = t1 - t0;
        uint64_t min_blocks = (uint64_t)e->nranks * e->nworkers;
        if (secs > 0.0) {
            double want_blocks = (double)(e1 - e0) / secs * ENGINE_EPOCH_SECONDS;
            epoch_blocks = want_blocks > (double)ENGINE_MAX_EPOCH_BLOCKS ? ENGINE_MAX_EPOCH_BLOCKS
                                                                          : (uint64_t)want_blocks;
        }
        if (epoch_blocks < min_blocks)
            epoch_blocks = min_blocks;
        if (epoch_blocks > ENGINE_MAX_EPOCH_BLOCKS)
            epoch_blocks = ENGINE_MAX_EPOCH_BLOCKS;
        if (epoch_blocks == 0)
            epoch_blocks = 1;
        report_progress(e, tasks_done_root(e));
    }
    free(res);

    /* (A checkpoint taken with every block done, where the study had not
     * finished with the result, needs no epoch: the loop did not run, and
     * the restored total is the result.) */
    if (status == AS_OK && stop_sig && e->prefix < e->nblocks) {
        status = AS_ESTOPPED;
        if (!j->checkpoint)
            as_errf(err, errlen, "interrupted");
    }
    /* FINISH carries the status and, in e0, the signal that stopped us. */
    plan_encode(e, CMD_FINISH, (uint64_t)(int64_t)status, status == AS_ESTOPPED ? (uint64_t)stop_sig : 0, 0);
    cluster_bcast_buf(&e->bc);
    if (status == AS_OK && j->share_result && has_acc(j->reducer))
        (void)share_result(e, result, err, errlen);
    report->tasks_done = tasks_done_root(e);
    report->tasks_before = e->tasks_before;
    report->stopped_by = status == AS_ESTOPPED ? stop_sig : 0;
    return status;
}

/* ------------------------------------------------------------------ */
/* The journal                                                        */
/* ------------------------------------------------------------------ */

int engine_journal_open(engine *e, const char *path, uint64_t study_key, int resume, char *err, size_t errlen)
{
    int rc = AS_OK;
    if (e->rank == 0) {
        journal_close(e->jr, 0, NULL, 0);
        e->jr = NULL;
        rc = journal_open(path, study_key, resume, &e->jr, err, errlen);
    }
    rc = (int)(int64_t)bcast_word(e, (uint64_t)(int64_t)rc);
    e->jr_open = rc == AS_OK;
    e->jobs_seen = 0;
    e->jr_pending = 0;
    return rc;
}

/* Root: appends the entry of the last job run, if any. */
static int flush_pending_entry(engine *e, char *err, size_t errlen)
{
    if (!e->jr || !e->jr_pending)
        return AS_OK;
    e->jr_pending = 0;
    return journal_append(e->jr, e->jr_key, e->jr_acc.data, e->jr_acc.len, e->jr_rec.data, e->jr_rec.len, err,
                          errlen);
}

int engine_journal_close(engine *e, int status, char *err, size_t errlen)
{
    int finished = status == AS_OK, rc = AS_OK;
    char msg[512] = "";
    if (e->rank == 0 && e->jr) {
        if (!finished)
            rc = flush_pending_entry(e, msg, sizeof msg);
        /* A journal without entries has nothing to resume. */
        int remove = finished || (rc == AS_OK && journal_total(e->jr) == 0);
        int crc = journal_close(e->jr, remove, rc == AS_OK ? msg : NULL, sizeof msg);
        if (rc == AS_OK)
            rc = crc;
        e->jr = NULL;
    }
    e->jr_open = 0;
    e->jr_pending = 0;
    if (!finished)
        return status;
    if (rc != AS_OK)
        as_errf(err, errlen, "%s", msg);
    return rc;
}

/*
 * Collective, with a journal open: appends the previous job's entry and
 * replays this job from the journal if it holds it.  Returns 1 (replayed:
 * result and records handed over), 0 (run it), or a negative AS_* code.
 */
static int journal_step(engine *e, const engine_job *j, void *result, char *err, size_t errlen)
{
    const engine_reducer *r = j->reducer;
    size_t k = e->jobs_seen++;
    int decision = 0;
    journal_entry en = {0, NULL, 0, NULL, 0};
    if (e->rank == 0) {
        decision = flush_pending_entry(e, err, errlen);
        if (decision == AS_OK && k < journal_count(e->jr)) {
            en = journal_get(e->jr, k);
            if (en.key != j->journal_key) {
                as_errf(err, errlen,
                        "the interrupted study is not this one (its job %zu differs); run it with the same inputs, or "
                        "start over without --resume after deleting its journal",
                        k + 1);
                decision = AS_EUSAGE;
            } else {
                decision = 1;
            }
        }
    }
    decision = (int)(int64_t)bcast_word(e, (uint64_t)(int64_t)decision);
    if (decision != 1)
        return decision;

    /* Replay: the result ... */
    int rc = AS_OK;
    if (has_acc(r)) {
        buf_reset(&e->pack);
        if (e->rank == 0)
            buf_append(&e->pack, en.acc, en.acc_len);
        if (j->share_result)
            cluster_bcast_buf(&e->pack);
        int (*unpack)(void *, void *, const unsigned char *, size_t) =
            r->journal_unpack ? r->journal_unpack : r->acc_unpack;
        if ((e->rank == 0 || j->share_result) && unpack(j->ctx, result, e->pack.data, e->pack.len) != AS_OK) {
            as_errf(err, errlen, "the study's journal holds a damaged result for job %zu", k + 1);
            rc = AS_ERUNTIME;
        }
    }
    /* ... and the records, as one delivery. */
    buf_reset(&e->delivered);
    if (e->rank == 0)
        buf_append(&e->delivered, en.rec, en.rec_len);
    if (j->share_records)
        cluster_bcast_buf(&e->delivered);
    if (rc == AS_OK && r->records && e->delivered.len && (e->rank == 0 || j->share_records))
        rc = r->records(j->ctx, 0, j->ntasks, e->delivered.data, e->delivered.len, err, errlen);
    buf_reset(&e->delivered);
    /* Every rank must agree on the outcome. */
    int who = 0;
    int any = cluster_agree(rc, &who);
    if (rc == AS_OK && any != AS_OK) {
        as_errf(err, errlen, "rank %d could not replay job %zu from the journal", who, k + 1);
        rc = any;
    }
    return rc == AS_OK ? 1 : rc;
}

/* Root, after a job completed with a journal open: its entry waits for the
 * next job (or the close), so that it is journaled only after the study
 * used the result. */
static int keep_entry(engine *e, const engine_job *j, char *err, size_t errlen)
{
    buf_reset(&e->jr_acc);
    buf_reset(&e->jr_rec);
    int (*pack)(void *, const void *, buf *) = j->reducer->journal_pack ? j->reducer->journal_pack : j->reducer->acc_pack;
    if (has_acc(j->reducer) && pack(j->ctx, e->total, &e->jr_acc) != AS_OK) {
        as_errf(err, errlen, "cannot pack the accumulators");
        return AS_ERUNTIME;
    }
    buf_append(&e->jr_rec, e->job_rec.data, e->job_rec.len);
    if (e->jr_acc.failed || e->jr_rec.failed) {
        as_errf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    e->jr_key = j->journal_key;
    e->jr_pending = 1;
    return AS_OK;
}

/* ------------------------------------------------------------------ */
/* A job                                                              */
/* ------------------------------------------------------------------ */

/* Checks the job's shape (every rank decides alike). */
static int check_job(const engine_job *j, const void *result, char *err, size_t errlen)
{
    const engine_reducer *r = j ? j->reducer : NULL;
    if (!r || !r->run || j->ntasks == 0 || j->ntasks - 1 > RNG_SEED_MAX) {
        as_errf(err, errlen, "a job needs a reducer and 1 to 2^63 tasks");
        return AS_EUSAGE;
    }
    int acc = r->acc_alloc != NULL;
    if (acc != (r->acc_free && r->acc_reset && r->acc_merge && r->acc_pack && r->acc_unpack) || (acc && !result)) {
        as_errf(err, errlen, "a reducer's accumulator needs all six operations and a result");
        return AS_EUSAGE;
    }
    if (j->checkpoint && r->records && !(r->records_open && r->records_mark)) {
        as_errf(err, errlen, "a checkpointed job with records needs records_open and records_mark");
        return AS_EUSAGE;
    }
    return AS_OK;
}

/* The automatic block size: at most ENGINE_BLOCK_TASKS, and small enough
 * that every worker of every rank gets about four blocks. */
static uint64_t auto_block(const engine *e, uint64_t ntasks)
{
    uint64_t workers = (uint64_t)e->nranks * e->nworkers, b = ntasks / (4 * workers);
    return b < 1 ? 1 : b > ENGINE_BLOCK_TASKS ? ENGINE_BLOCK_TASKS : b;
}

int engine_run(engine *e, const engine_job *job, void *result, engine_report *report, char *err, size_t errlen)
{
    engine_report dummy;
    if (!report)
        report = &dummy;
    memset(report, 0, sizeof *report);
    report->root = e->rank == 0;
    if (err && errlen)
        err[0] = '\0';
    int status = check_job(job, result, err, errlen);
    if (status != AS_OK)
        return status;

    e->job = job;
    e->failed = 0;
    e->fail_code = 0;
    e->fail_msg[0] = '\0';
    e->prefix = 0;
    e->tasks_before = 0;
    clear_pending(e);
    buf_reset(&e->delivered);
    buf_reset(&e->job_rec);
    atomic_store(&e->stop, 0);
    e->total = e->rank == 0 ? result : NULL;
    if (has_acc(job->reducer))
        job->reducer->acc_reset(job->ctx, result);

    if (e->jr_open) {
        int js = journal_step(e, job, result, err, errlen);
        if (js != 0) {
            e->job = NULL;
            if (js == 1) {
                report->replayed = 1;
                report->tasks_done = report->tasks_before = job->ntasks;
                if (job->progress_total || job->progress_base) {
                    e->job = job;
                    report_progress(e, job->ntasks);
                    e->job = NULL;
                }
                return AS_OK;
            }
            return js;
        }
    }

    prepare_workers(e, job);
    e->block_tasks = job->block_tasks ? job->block_tasks : auto_block(e, job->ntasks);
    e->nblocks = (job->ntasks - 1) / e->block_tasks + 1;
    if (e->rank == 0) {
        if (e->failed) {
            as_errf(err, errlen, "%s", e->fail_msg);
            status = e->fail_code;
        } else {
            status = root_setup(e, err, errlen);
        }
        status = lead(e, status, result, report, err, errlen);
        if (status == AS_OK && e->jr) {
            int rc = keep_entry(e, job, err, errlen);
            if (rc != AS_OK)
                status = rc;
        }
    } else {
        status = follow(e, result, report, err, errlen);
        if (e->failed)
            as_errf(err, errlen, "%s", e->fail_msg);
    }
    /* A rank that failed on its own after the last report (a records() or
     * result hand-over) must not leave the others believing in success. */
    int who = 0;
    int agreed = cluster_agree(status, &who);
    if (status == AS_OK && agreed != AS_OK) {
        as_errf(err, errlen, "rank %d failed (its message is on its standard error)", who);
        status = agreed;
    }
    clear_pending(e);
    if (!job->keep_workers)
        release_states(e);
    e->job = NULL;
    return status;
}
