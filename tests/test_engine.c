/*
 * test_engine - the replication executor (run/engine.h) on a toy reducer
 * whose answer is known exactly: every task's seed, an integer sum with a
 * closed form, an exact sum of doubles, and one record per task delivered in
 * task order.  The result is the same bytes for 1, 2 and 7 threads, for any
 * block size, and after a job interrupted (the stop hook, several times) and
 * resumed from its checkpoint with other thread counts; failures carry the
 * task and seed; a checkpoint that does not match, or none to resume, is a
 * usage error; the journal replays finished jobs of a study and refuses
 * another study's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/status.h"
#include "io/append.h"
#include "run/engine.h"
#include "stats/rng.h"
#include "stats/xsum.h"

#define MASTER 2385u

/* ------------------------------------------------------------------ */
/* The toy reducer                                                    */
/* ------------------------------------------------------------------ */

/* Task i contributes i^2 (exact integers), 1 / (i + 1) (an exact sum of
 * doubles, whose naive sum would depend on the order), the xor of the
 * seeds, and the record "i seed\n". */
typedef struct {
    uint64_t n, sum_sq, seed_xor;
    xsum harmonic;
} toy_acc;

typedef struct {
    uint64_t fail_at;          /* task that fails (UINT64_MAX: none) */
    buf records;               /* records delivered, in memory ... */
    const char *path;          /* ... or appended to this file */
    io_append *file;
    uint64_t deliveries, last_end;
    int out_of_order;
} toy_ctx;

static void *toy_worker_alloc(void *ctx)
{
    (void)ctx;
    return malloc(1);
}

static void toy_worker_free(void *ctx, void *w)
{
    (void)ctx;
    free(w);
}

static int toy_run(void *ctx, void *w, const engine_task *t, void *accp, buf *rec, char *err, size_t errlen)
{
    (void)w;
    toy_ctx *c = ctx;
    toy_acc *a = accp;
    if (t->index == c->fail_at) {
        snprintf(err, errlen, "the toy fails here");
        return AS_ELIMIT;
    }
    a->n++;
    a->sum_sq += t->index * t->index;
    a->seed_xor ^= t->seed;
    xsum_add(&a->harmonic, 1.0 / (double)(t->index + 1));
    buf_printf(rec, "%" PRIu64 " %" PRIu64 "\n", t->index, t->seed);
    return AS_OK;
}

static void *toy_acc_alloc(void *ctx)
{
    (void)ctx;
    toy_acc *a = calloc(1, sizeof *a);
    return a;
}

static void toy_acc_free(void *ctx, void *a)
{
    (void)ctx;
    free(a);
}

static void toy_acc_reset(void *ctx, void *a)
{
    (void)ctx;
    memset(a, 0, sizeof(toy_acc));
}

static int toy_acc_merge(void *ctx, void *dp, const void *sp)
{
    (void)ctx;
    toy_acc *d = dp;
    const toy_acc *s = sp;
    d->n += s->n;
    d->sum_sq += s->sum_sq;
    d->seed_xor ^= s->seed_xor;
    xsum_merge(&d->harmonic, &s->harmonic);
    return AS_OK;
}

static int toy_acc_pack(void *ctx, const void *ap, buf *out)
{
    (void)ctx;
    const toy_acc *a = ap;
    buf_append_u64(out, a->n);
    buf_append_u64(out, a->sum_sq);
    buf_append_u64(out, a->seed_xor);
    xsum_pack(&a->harmonic, out);
    return out->failed ? AS_ENOMEM : AS_OK;
}

static int toy_acc_unpack(void *ctx, void *ap, const unsigned char *data, size_t len)
{
    (void)ctx;
    toy_acc *a = ap;
    buf_reader r = buf_reader_of(data, len);
    a->n = buf_read_u64(&r);
    a->sum_sq = buf_read_u64(&r);
    a->seed_xor = buf_read_u64(&r);
    xsum_unpack(&a->harmonic, &r);
    return r.failed || r.pos != r.len ? AS_ERUNTIME : AS_OK;
}

static int toy_records(void *ctx, uint64_t first, uint64_t end, const unsigned char *data, size_t len, char *err,
                       size_t errlen)
{
    toy_ctx *c = ctx;
    c->deliveries++;
    if (c->last_end != UINT64_MAX && first != c->last_end)
        c->out_of_order = 1;
    c->last_end = end;
    if (c->file)
        return io_append_write(c->file, data, len, err, errlen);
    buf_append(&c->records, data, len);
    return AS_OK;
}

static int toy_records_open(void *ctx, int resume, uint64_t pos, uint64_t digest, char *err, size_t errlen)
{
    toy_ctx *c = ctx;
    if (!c->path)
        return AS_OK;
    io_append_close(c->file);
    c->file = resume ? io_append_reopen(c->path, pos, "", 0, err, errlen) : io_append_create(c->path, "", 0, err, errlen);
    if (c->file && resume && io_append_digest(c->file) != digest) {
        as_errf(err, errlen, "%s: changed since the checkpoint", c->path);
        return AS_ERUNTIME;
    }
    /* After a resume, deliveries continue where the file was cut. */
    c->last_end = resume ? UINT64_MAX : 0;
    return c->file ? AS_OK : AS_EIO;
}

static int toy_records_mark(void *ctx, uint64_t *pos, uint64_t *digest, char *err, size_t errlen)
{
    toy_ctx *c = ctx;
    *pos = io_append_length(c->file);
    *digest = io_append_digest(c->file);
    return io_append_sync(c->file, err, errlen);
}

static const engine_reducer toy = {
    toy_worker_alloc, toy_worker_free, toy_run,     toy_acc_alloc,    toy_acc_free,
    toy_acc_reset,    toy_acc_merge,   toy_acc_pack, toy_acc_unpack,  toy_records,
    toy_records_open, toy_records_mark, NULL,       NULL,
};

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static engine *make_engine(unsigned threads, uint64_t stop_after_blocks)
{
    engine_options eo = {threads, NULL, NULL, NULL, stop_after_blocks, 0};
    engine *e = NULL;
    char err[256];
    assert_int_equal(engine_alloc(&eo, &e, err, sizeof err), AS_OK);
    return e;
}

static engine_job toy_job(toy_ctx *c, uint64_t ntasks)
{
    engine_job j;
    memset(&j, 0, sizeof j);
    j.reducer = &toy;
    j.ctx = c;
    j.ntasks = ntasks;
    j.master = MASTER;
    j.what = "toy job";
    return j;
}

/* The exact answer for n tasks: the packed accumulator and the records. */
static void expected(uint64_t n, buf *packed, buf *records)
{
    toy_acc a;
    memset(&a, 0, sizeof a);
    a.n = n;
    for (uint64_t i = 0; i < n; i++) {
        a.seed_xor ^= rng_rep_seed(MASTER, i);
        xsum_add(&a.harmonic, 1.0 / (double)(i + 1));
        buf_printf(records, "%" PRIu64 " %" PRIu64 "\n", i, rng_rep_seed(MASTER, i));
    }
    /* sum of i^2 for i < n, in closed form */
    a.sum_sq = (n - 1) * n * (2 * n - 1) / 6;
    toy_acc_pack(NULL, &a, packed);
}

/* Runs the toy job of n tasks on threads threads with the given block size
 * (0: automatic), records in memory; fills packed and records. */
static void run_toy(unsigned threads, uint64_t n, uint64_t block, buf *packed, buf *records)
{
    engine *e = make_engine(threads, 0);
    toy_ctx c;
    memset(&c, 0, sizeof c);
    c.fail_at = UINT64_MAX;
    engine_job j = toy_job(&c, n);
    j.block_tasks = block;
    toy_acc *res = toy_acc_alloc(NULL);
    engine_report rep;
    char err[512];
    int rc = engine_run(e, &j, res, &rep, err, sizeof err);
    if (rc != AS_OK)
        print_error("%s\n", err);
    assert_int_equal(rc, AS_OK);
    assert_int_equal(rep.tasks_done, n);
    assert_int_equal(rep.root, 1);
    assert_false(c.out_of_order);
    toy_acc_pack(NULL, res, packed);
    buf_append(records, c.records.data, c.records.len);
    buf_clear(&c.records);
    free(res);
    engine_free(e);
}

static void assert_same_buf(const buf *a, const buf *b)
{
    assert_int_equal(a->len, b->len);
    assert_memory_equal(a->data, b->data, a->len);
}

/* ------------------------------------------------------------------ */
/* Tests                                                              */
/* ------------------------------------------------------------------ */

static void test_toy_job_gives_the_exact_answer_for_any_threads_and_blocks(void **state)
{
    (void)state;
    const uint64_t n = 1000;
    buf want = {0}, want_rec = {0};
    expected(n, &want, &want_rec);
    const unsigned threads[] = {1, 2, 7};
    const uint64_t blocks[] = {0, 1, 64, 999, 5000};
    for (size_t t = 0; t < 3; t++)
        for (size_t b = 0; b < 5; b++) {
            buf got = {0}, rec = {0};
            run_toy(threads[t], n, blocks[b], &got, &rec);
            assert_same_buf(&got, &want);
            assert_same_buf(&rec, &want_rec);
            buf_clear(&got);
            buf_clear(&rec);
        }
    /* The harmonic number H_1000, correctly rounded. */
    toy_acc a;
    assert_int_equal(toy_acc_unpack(NULL, &a, want.data, want.len), AS_OK);
    assert_close(xsum_value(&a.harmonic), 7.4854708605503449, 1e-15);
    /* One task, and fewer tasks than threads. */
    for (uint64_t m = 1; m <= 3; m++) {
        buf w = {0}, wr = {0}, g = {0}, gr = {0};
        expected(m, &w, &wr);
        run_toy(7, m, 0, &g, &gr);
        assert_same_buf(&g, &w);
        assert_same_buf(&gr, &wr);
        buf_clear(&w);
        buf_clear(&wr);
        buf_clear(&g);
        buf_clear(&gr);
    }
    buf_clear(&want);
    buf_clear(&want_rec);
}

/* A job with a checkpoint in dir, records into dir/records; returns the
 * status. */
static int run_checkpointed(const char *dir, unsigned threads, uint64_t stop_after, int resume, uint64_t n,
                            toy_acc *res, engine_report *rep, char *err, size_t errlen)
{
    engine *e = make_engine(threads, stop_after);
    toy_ctx c;
    memset(&c, 0, sizeof c);
    c.fail_at = UINT64_MAX;
    char *ck = testutil_path(dir, ".toy.ckpt"), *recs = testutil_path(dir, "records");
    c.path = recs;
    engine_job j = toy_job(&c, n);
    j.block_tasks = 10;
    j.checkpoint = ck;
    j.identity[0] = 77;
    j.resume = resume;
    int rc = engine_run(e, &j, res, rep, err, errlen);
    io_append_close(c.file);
    assert_false(c.out_of_order);
    engine_free(e);
    free(ck);
    free(recs);
    return rc;
}

static void test_interrupted_jobs_resume_to_the_same_bytes(void **state)
{
    const char *dir = *state;
    const uint64_t n = 997;
    buf want = {0}, want_rec = {0};
    expected(n, &want, &want_rec);
    toy_acc *res = toy_acc_alloc(NULL);
    engine_report rep;
    char err[512];
    /* Stopped after 3 blocks of this process, then again and again with
     * other thread counts: partly done blocks and done blocks behind them
     * are picked up every time. */
    assert_int_equal(run_checkpointed(dir, 2, 3, 0, n, res, &rep, err, sizeof err), AS_ESTOPPED);
    assert_int_equal(rep.stopped_by, SIGINT);
    assert_true(rep.tasks_done > 0 && rep.tasks_done < n);
    char *ck = testutil_path(dir, ".toy.ckpt");
    assert_true(testutil_exists(ck));
    /* A fresh job over the checkpoint is refused. */
    assert_int_equal(run_checkpointed(dir, 2, 0, 0, n, res, &rep, err, sizeof err), AS_EUSAGE);
    assert_contains(err, "--resume");
    /* Another job's checkpoint is refused too, and kept. */
    assert_int_equal(run_checkpointed(dir, 2, 0, 1, n + 1, res, &rep, err, sizeof err), AS_EUSAGE);
    assert_contains(err, "-n 997, this command -n 998");
    assert_true(testutil_exists(ck));
    uint64_t before = 0;
    int rounds = 0, rc = AS_ESTOPPED;
    unsigned threads[] = {3, 1, 7, 2};
    while (rc == AS_ESTOPPED && rounds < 40) {
        rc = run_checkpointed(dir, threads[rounds % 4], rounds < 6 ? 2 : 0, 1, n, res, &rep, err, sizeof err);
        assert_true(rep.tasks_before >= before);
        before = rep.tasks_before;
        rounds++;
    }
    if (rc != AS_OK)
        print_error("%s\n", err);
    assert_int_equal(rc, AS_OK);
    assert_true(rounds >= 4);
    assert_true(rep.tasks_before > 0);
    buf got = {0};
    toy_acc_pack(NULL, res, &got);
    assert_same_buf(&got, &want);
    char *recs = testutil_path(dir, "records");
    size_t len = 0;
    char *text = testutil_slurp(recs, &len);
    assert_non_null(text);
    assert_int_equal(len, want_rec.len);
    assert_memory_equal(text, want_rec.data, len);
    /* The study removes the checkpoint once it has used the result. */
    assert_int_equal(engine_checkpoint_remove(ck, err, sizeof err), AS_OK);
    assert_false(testutil_exists(ck));
    assert_int_equal(run_checkpointed(dir, 1, 0, 1, n, res, &rep, err, sizeof err), AS_EUSAGE);
    assert_contains(err, "no interrupted toy job");
    free(text);
    free(recs);
    free(ck);
    buf_clear(&got);
    buf_clear(&want);
    buf_clear(&want_rec);
    free(res);
}

static void test_a_failing_task_stops_the_job_with_its_code_and_seed(void **state)
{
    const char *dir = *state;
    engine *e = make_engine(3, 0);
    toy_ctx c;
    memset(&c, 0, sizeof c);
    c.fail_at = 17;
    char *ck = testutil_path(dir, ".toy.ckpt"), *recs = testutil_path(dir, "records");
    c.path = recs;
    engine_job j = toy_job(&c, 2000);
    j.checkpoint = ck;
    toy_acc *res = toy_acc_alloc(NULL);
    char err[512], want[128];
    assert_int_equal(engine_run(e, &j, res, NULL, err, sizeof err), AS_ELIMIT);
    snprintf(want, sizeof want, "replication 17 (seed %" PRIu64 "): the toy fails here", rng_rep_seed(MASTER, 17));
    assert_contains(err, want);
    /* No checkpoint is written after a failure (it failed in the first
     * epoch, before any checkpoint). */
    assert_false(testutil_exists(ck));
    /* The executor runs the next job normally. */
    c.fail_at = UINT64_MAX;
    io_append_close(c.file);
    c.file = NULL;
    c.path = NULL;
    j.checkpoint = NULL;
    buf w = {0}, wr = {0}, got = {0};
    expected(2000, &w, &wr);
    c.last_end = 0;
    assert_int_equal(engine_run(e, &j, res, NULL, err, sizeof err), AS_OK);
    toy_acc_pack(NULL, res, &got);
    assert_same_buf(&got, &w);
    buf_clear(&w);
    buf_clear(&wr);
    buf_clear(&got);
    buf_clear(&c.records);
    io_append_close(c.file);
    free(res);
    free(ck);
    free(recs);
    engine_free(e);
}

/* Runs jobs k = 0 .. njobs - 1 of a study (job k has 100 + k tasks) with a
 * journal; stops after `stop_after` jobs (closing the journal unfinished).
 * Returns how many came from the journal. */
static int study(const char *journal, uint64_t key, int resume, int njobs, int stop_after, buf *results)
{
    engine *e = make_engine(2, 0);
    char err[512];
    int rc = engine_journal_open(e, journal, key, resume, err, sizeof err);
    if (rc != AS_OK) {
        engine_free(e);
        return -1;
    }
    int replayed = 0;
    toy_ctx c;
    memset(&c, 0, sizeof c);
    c.fail_at = UINT64_MAX;
    toy_acc *res = toy_acc_alloc(NULL);
    for (int k = 0; k < njobs && k < stop_after; k++) {
        engine_job j = toy_job(&c, 100 + (uint64_t)k);
        j.journal_key = 1000 + (uint64_t)k;
        j.journal_records = 1;
        c.last_end = 0;
        engine_report rep;
        assert_int_equal(engine_run(e, &j, res, &rep, err, sizeof err), AS_OK);
        replayed += rep.replayed;
        toy_acc_pack(NULL, res, results);
    }
    int status = stop_after >= njobs ? AS_OK : AS_ESTOPPED;
    assert_int_equal(engine_journal_close(e, status, err, sizeof err), status);
    buf_append(results, c.records.data, c.records.len);
    buf_clear(&c.records);
    free(res);
    engine_free(e);
    return replayed;
}

static void test_journal_replays_finished_jobs_of_the_same_study(void **state)
{
    const char *dir = *state;
    char *path = testutil_path(dir, ".journal");
    buf whole = {0}, cut = {0}, resumed = {0};
    assert_int_equal(study(path, 5, 0, 4, 4, &whole), 0);
    /* A finished study removes its journal. */
    assert_false(testutil_exists(path));
    /* Stopped after two jobs: the second job's entry goes in at the close. */
    assert_int_equal(study(path, 5, 0, 4, 2, &cut), 0);
    assert_true(testutil_exists(path));
    /* Without --resume the interrupted study is in the way; with another
     * study's key the journal is refused. */
    assert_int_equal(study(path, 5, 0, 4, 4, &resumed), -1);
    assert_int_equal(study(path, 6, 1, 4, 4, &resumed), -1);
    /* A torn last entry (a crash while appending) is ignored. */
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    fputs("half an entry", f);
    assert_int_equal(fclose(f), 0);
    buf_reset(&resumed);
    assert_int_equal(study(path, 5, 1, 4, 4, &resumed), 2);
    /* Replayed jobs give their results and records back: the resumed study's
     * output equals the uninterrupted one's. */
    assert_same_buf(&resumed, &whole);
    assert_false(testutil_exists(path));
    buf_clear(&whole);
    buf_clear(&cut);
    buf_clear(&resumed);
    free(path);
}

static void test_bad_jobs_are_usage_errors(void **state)
{
    (void)state;
    engine *e = make_engine(1, 0);
    toy_ctx c;
    memset(&c, 0, sizeof c);
    engine_job j = toy_job(&c, 0);
    toy_acc *res = toy_acc_alloc(NULL);
    char err[256];
    assert_int_equal(engine_run(e, &j, res, NULL, err, sizeof err), AS_EUSAGE);
    j.ntasks = 10;
    assert_int_equal(engine_run(e, &j, NULL, NULL, err, sizeof err), AS_EUSAGE);
    engine_options eo = {0, NULL, NULL, NULL, 0, 0};
    engine *none = NULL;
    assert_int_equal(engine_alloc(&eo, &none, err, sizeof err), AS_EUSAGE);
    assert_null(none);
    free(res);
    engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_toy_job_gives_the_exact_answer_for_any_threads_and_blocks),
        TESTUTIL_IN_DIR(test_interrupted_jobs_resume_to_the_same_bytes),
        TESTUTIL_IN_DIR(test_a_failing_task_stops_the_job_with_its_code_and_seed),
        TESTUTIL_IN_DIR(test_journal_replays_finished_jobs_of_the_same_study),
        cmocka_unit_test(test_bad_jobs_are_usage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
