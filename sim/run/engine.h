/*
 * engine - THE replication executor of alignsim.
 *
 * Every command that runs more than one replication (batch, the claim's
 * conditions, sweep points, the paired re-run of compare, calibrate's loss
 * evaluations, sensitivity's design rows, infer's particles) runs them here,
 * as a *job*: n tasks, task i with a replication seed, handed to a study's
 * *reducer*, which says what each task contributes.  Threads, MPI ranks,
 * checkpoints, stop requests (signals), progress and --resume belong to the
 * executor alone; a reducer never sees a thread or a rank.
 *
 * What a task contributes, in either or both of two forms:
 *
 *   an accumulator  a mergeable summary (alloc / reset / merge / pack /
 *                   unpack).  Each worker thread adds its tasks into its own
 *                   accumulator; at the end (and at checkpoints) the
 *                   workers' accumulators are merged, then the ranks', in a
 *                   fixed order (workers by number, ranks by number).  The
 *                   merge MUST be exact, i.e. associative and commutative
 *                   bit for bit (integer counts and sums, stats/cells,
 *                   stats/xsum, run/msacc), because which worker or rank ran
 *                   a task depends on timing; that is what makes the result
 *                   the same bytes for any -j, any rank count and after an
 *                   interruption.
 *   records         bytes appended per task (rows of replications.tsv, a
 *                   task's loss ...).  The executor delivers them to the
 *                   reducer's records() callback on the root rank strictly in
 *                   task order, in contiguous runs of tasks, each task's
 *                   bytes exactly once (also across an interruption and
 *                   resume).  So a reducer may fold records in order with
 *                   plain floating-point arithmetic and still be
 *                   deterministic.
 *
 * Tasks and seeds.  Task i's seed is job.seed_of(ctx, i), or by default
 * rng_rep_seed(job.master, i): replication i of `alignsim batch` with master
 * seed `master`, which `alignsim run -s SEED` replays.  Parameter vectors
 * (calibrate's trial values, sensitivity's design rows, infer's particles)
 * are the reducer's business: its context holds them and its run() looks
 * them up by task index (run/rep.h runs a replication with a given
 * parameter vector).  Under MPI every rank runs the same study driver, so a
 * context computed the same way on every rank needs no shipping.
 *
 * Work is cut into blocks of job.block_tasks consecutive tasks (64 by
 * default; fewer for a small job, so that every thread gets some); results
 * do not depend on the block size.  Blocks are run in epochs of consecutive
 * blocks: block b goes to rank b mod K and, within a rank, to the next free
 * worker thread.  At the end of an epoch the root delivers the records of
 * the completed prefix of blocks; blocks partly done (after a stop) wait,
 * with their records, for the next epoch or the checkpoint.
 *
 * SPMD under MPI: every rank calls engine_alloc, engine_run, engine_free in
 * the same order with equal arguments (the same job sequence); engine_run is
 * collective.  The root (rank 0) receives the records and the merged
 * accumulator; with job.share_result the merged accumulator is also
 * unpacked on every other rank, and with job.share_records every rank's
 * records() sees the same deliveries, so iterative studies (Nelder-Mead,
 * ABC-SMC) stay in step.  Only the engine's coordinating thread talks MPI
 * (MPI_THREAD_FUNNELED).
 *
 * Checkpoints (job.checkpoint set).  After the first epoch, then at least
 * every ENGINE_CHECKPOINT_SECONDS and when stopped, the root writes the
 * job's state atomically (run/checkpoint.h): identity, completed prefix,
 * partly done blocks with their records, the records position returned by
 * records_mark(), and the packed accumulator of every task done.  A job run
 * with job.resume continues from it (records_open() first cuts the record
 * stream back to that position), with any -j and rank count, to exactly
 * the bytes of an uninterrupted run.  Never after a failure.
 *
 * The journal (engine_journal_open).  A study of many jobs (a sweep's
 * points, calibrate's evaluations) resumes by re-running its deterministic
 * driver: jobs the journal holds come back at once (their packed result and
 * records replayed, on every rank as the job asks), and the first missing
 * job continues from its own checkpoint if it has one.  A job enters the
 * journal when the driver starts the next job or closes the journal, i.e.
 * after the study has used its result (written its files).
 *
 * Stopping.  When *opt.interrupt becomes non-zero (a signal handler sets it)
 * or a worker fails, every worker ends its current task and the job ends:
 * AS_ESTOPPED (with report.stopped_by, after a checkpoint if the job has
 * one) or the failure's code.  No checkpoint is written after a failure
 * (the accumulators may hold half a task); one written earlier in the job
 * stays, so the work before the failure can still be resumed.
 *
 * Writing a reducer: see study/calibrate.c (loss_reducer: a job per trial
 * parameter vector, an exact sum, the result shared with every rank),
 * study/sensitivity.c (chunk_reducer: many parameter vectors per job, task
 * i -> row i / reps, replication i % reps via seed_of) and run/batch.c (an
 * accumulator, records to a file, a checkpoint).  A worker state is usually
 * a run/rep.h rep_worker; rep_run() takes the task's seed and the values of
 * any subset of the parameters.
 *
 * No fixed caps: any number of threads and tasks (up to 2^63), records of
 * any size.  Workers' states and accumulators are allocated once per job
 * (or once for a run of jobs, job.keep_workers), never per task.  No global
 * state.
 */
#ifndef ALIGNSIM_RUN_ENGINE_H
#define ALIGNSIM_RUN_ENGINE_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define ENGINE_BLOCK_TASKS 64          /* default and largest automatic block */
#define ENGINE_EPOCH_SECONDS 2.0       /* target length of an epoch */
#define ENGINE_MAX_EPOCH_BLOCKS 1024   /* bound on records held per epoch */
#define ENGINE_CHECKPOINT_SECONDS 10.0 /* at most this long between checkpoints */

/* One task, as the executor hands it to a reducer. */
typedef struct {
    uint64_t index;   /* 0 .. ntasks - 1 */
    uint64_t seed;    /* its replication seed */
    /* Non-zero once the job is to stop (a signal or another worker's
     * failure).  A long task may watch it (model_set_stop, rep_worker_set_stop)
     * and return AS_ESTOPPED without having added anything to its
     * accumulator or record buffer: the task then counts as not done and
     * runs again on --resume. */
    const atomic_int *stop;
} engine_task;

/*
 * What a study does with each task.  ctx is job.ctx, passed back to every
 * callback.  Callbacks marked "worker" run on worker threads concurrently:
 * they may read ctx but write only their own worker state, accumulator and
 * record buffer.  All others run on the thread that called engine_run.
 * Every int-returning callback returns AS_OK or a negative AS_E* code
 * (base/status.h) with a message in (err, errlen).
 */
typedef struct {
    /* Allocates one worker's private state (a model, scratch arrays); NULL
     * when memory runs out.  worker_free(ctx, NULL) must be a no-op. */
    void *(*worker_alloc)(void *ctx);
    void (*worker_free)(void *ctx, void *w);

    /* worker: runs task t on worker state w, adds its contribution to acc
     * (NULL when the reducer has no accumulator) and appends its record
     * bytes to rec (possibly none).  A failure stops the job with its code
     * and message. */
    int (*run)(void *ctx, void *w, const engine_task *t, void *acc, buf *rec, char *err, size_t errlen);

    /* The accumulator: all NULL (none) or all set.  acc_alloc returns an
     * empty one (NULL: no memory); acc_merge adds src into dst exactly;
     * acc_pack appends a self-checking image to out (the same image on every
     * platform); acc_unpack replaces acc's contents by an image, refusing
     * (AS_ERUNTIME) one of another shape, truncated or damaged. */
    void *(*acc_alloc)(void *ctx);
    void (*acc_free)(void *ctx, void *acc);
    void (*acc_reset)(void *ctx, void *acc);
    int (*acc_merge)(void *ctx, void *dst, const void *src);
    int (*acc_pack)(void *ctx, const void *acc, buf *out);
    int (*acc_unpack)(void *ctx, void *acc, const unsigned char *data, size_t len);

    /* Records of tasks [first, end), in task order (see the header comment);
     * NULL: records are dropped. */
    int (*records)(void *ctx, uint64_t first, uint64_t end, const unsigned char *data, size_t len, char *err,
                   size_t errlen);
    /* The record stream's persistence (root; both may be NULL when records()
     * keeps nothing that outlives the process).  records_open is called once
     * per job before the first delivery: resume = 0, start an empty stream;
     * resume = 1, cut the stream back to pos, the value records_mark gave
     * at the checkpoint being resumed, refusing a stream whose content is
     * not what it was then (digest differs: AS_ERUNTIME).  records_mark
     * makes every delivered record durable and returns a position that
     * identifies the stream so far (e.g. a file length) and a digest of its
     * content (e.g. io_append_digest; 0 when the reducer keeps none). */
    int (*records_open)(void *ctx, int resume, uint64_t pos, uint64_t digest, char *err, size_t errlen);
    int (*records_mark)(void *ctx, uint64_t *pos, uint64_t *digest, char *err, size_t errlen);

    /* What a journal keeps of a finished job's accumulator (both optional;
     * default: the whole acc_pack image).  journal_pack appends a reduced
     * image (e.g. a batch's outcome tally without its megabytes of
     * histograms, whose files were written already); journal_unpack
     * restores from it what a replayed job's caller reads, leaving the rest
     * empty. */
    int (*journal_pack)(void *ctx, const void *acc, buf *out);
    int (*journal_unpack)(void *ctx, void *acc, const unsigned char *data, size_t len);
} engine_reducer;

/* One job.  Pointers are borrowed for the call. */
typedef struct {
    const engine_reducer *reducer;
    void *ctx;                 /* the reducer's context */
    uint64_t ntasks;           /* >= 1 */
    uint64_t master;           /* task i's seed: rng_rep_seed(master, i) ... */
    uint64_t (*seed_of)(void *ctx, uint64_t i); /* ... unless this is set */
    uint64_t block_tasks;      /* tasks per block; 0: automatic */
    int share_result;          /* every rank gets the merged accumulator */
    int share_records;         /* every rank's records() sees the records */
    /* Keep the workers' states and accumulators after this job, for a next
     * job with the same reducer and ctx (which must stay alive until then,
     * or until engine_release_workers): calibrate's thousands of small
     * evaluations then allocate their models once.  0: they are freed when
     * the job ends. */
    int keep_workers;

    /* Checkpointing (root).  checkpoint: path of the checkpoint file, or
     * NULL for none.  identity: what a checkpoint must match to be resumed
     * (e.g. hashes of the scenario text and of the settings); a mismatch is
     * AS_EUSAGE.  what, how_to_match: words for the messages ("batch";
     * "the same scenario, -n, -s and --set"). */
    const char *checkpoint;
    uint64_t identity[2];
    int resume;
    const char *what;
    const char *how_to_match;

    /* The journal key of this job (engine_journal_open): any 64-bit digest
     * of what the job computes; a resumed study whose k-th job has another
     * key than the journal's k-th entry was not the same study (AS_EUSAGE).
     * journal_records: keep the job's records in the journal to replay them
     * (0 for reducers whose records() persists them itself, e.g. a batch's
     * replications file: a replayed job then delivers no records). */
    uint64_t journal_key;
    int journal_records;

    /* Progress: reported as progress_base + tasks done of this job, out of
     * progress_total (0: ntasks). */
    uint64_t progress_base, progress_total;
} engine_job;

/* What a job's caller learns. */
typedef struct {
    uint64_t tasks_done;       /* tasks in the result (all of them unless stopped) */
    uint64_t tasks_before;     /* of which done before this run (resume) */
    int stopped_by;            /* signal number when stopped, else 0 */
    int replayed;              /* 1: the result came from the journal */
    int root;                  /* 1 in the process that receives records and writes files */
} engine_report;

/* The executor's lasting settings.  Pointers borrowed for its lifetime. */
typedef struct {
    unsigned threads;          /* worker threads in this process, >= 1 */
    /* Set to a signal number (by a handler) to stop gracefully; may be NULL. */
    const volatile sig_atomic_t *interrupt;
    /* Called on the root, on the calling thread, about every 0.2 s and at
     * the end of each epoch: tasks done and total (see engine_job). */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
    /* Test hooks (0: off).  stop_after_blocks: a job behaves as if
     * interrupted by SIGINT once this process has completed that many
     * blocks (counted over all the executor's jobs, so that a study of many
     * jobs stops part-way through).  pause_after_checkpoint: after writing its first
     * checkpoint the root sleeps for 60 s, so that a test can kill it in
     * the middle of the job. */
    uint64_t stop_after_blocks;
    int pause_after_checkpoint;
} engine_options;

typedef struct engine engine;

/*
 * Creates the executor and starts its worker threads (collective under
 * MPI).  Returns AS_OK and *out, or AS_EUSAGE (threads == 0), AS_ENOMEM,
 * AS_ERUNTIME (a thread could not start), with a message in err.
 */
int engine_alloc(const engine_options *opt, engine **out, char *err, size_t errlen);

/* Stops the workers and frees everything (closing an open journal without
 * removing it); NULL is a no-op. */
void engine_free(engine *e);

/* This process's rank and the number of ranks (0 and 1 without MPI). */
int engine_rank(const engine *e);
int engine_nranks(const engine *e);

/*
 * Runs job (collective).  result is an accumulator from
 * job->reducer->acc_alloc (or NULL when the reducer has none): on return
 * it holds the merged contributions of every task on the root, and on the
 * other ranks too with job->share_result (else it is left empty there).
 * Fills *report (may be NULL).  Returns AS_OK; AS_ESTOPPED when stopped
 * (a checkpoint, if the job has one, holds the work done); AS_EUSAGE for a
 * bad job, a checkpoint or journal entry that does not match, a checkpoint
 * in the way of a fresh job (job->resume unset) or none to resume; another
 * AS_E* code for a failure of a task, a callback, I/O or MPI.  err gets the
 * message on the root (and, for local failures, on the rank that failed).
 *
 * A completed job with a checkpoint leaves the checkpoint file in place:
 * the study removes it (engine_checkpoint_remove) once it has written its
 * result files, so that a crash in between resumes and finishes again.
 */
int engine_run(engine *e, const engine_job *job, void *result, engine_report *report, char *err, size_t errlen);

/* Frees worker states kept by a job with keep_workers (their ctx must still
 * be alive); a no-op when there are none. */
void engine_release_workers(engine *e);

/* Removes a finished job's checkpoint file (call on the root; a missing
 * file is fine).  AS_OK or AS_EIO with "PATH: reason". */
int engine_checkpoint_remove(const char *path, char *err, size_t errlen);

/*
 * The journal of a multi-job study (see the header comment), at path
 * (root; ignored on other ranks, which learn the root's decisions in each
 * engine_run).  study_key: a digest of the study's inputs; a journal of
 * another study is refused (AS_EUSAGE).  resume: replay what the journal
 * holds; without it an existing journal with entries is AS_EUSAGE ("an
 * interrupted study is in the way"), and an empty or absent one is
 * (re)created.  Collective.
 */
int engine_journal_open(engine *e, const char *path, uint64_t study_key, int resume, char *err, size_t errlen);

/*
 * Closes the journal at the end of the study, whose outcome is status.
 * AS_OK: the study completed, so the journal is removed.  Otherwise the
 * last job's entry is appended first and the file kept for a resume
 * (unless it holds no entry at all: nothing to resume).  Collective.
 * Returns status when it is a failure (err untouched), else AS_OK or
 * AS_EIO with a message in err.
 */
int engine_journal_close(engine *e, int status, char *err, size_t errlen);

/*
 * Every rank passes a status; every rank gets the first failure in rank
 * order (AS_OK when none).  For a study's own steps between jobs (the root
 * creating a folder, reading a file) that the other ranks must not run past.
 * Collective.
 */
int engine_agree(engine *e, int status);

/* The root's value v, returned on every rank (a study's decision that the
 * root takes from its files, e.g. which conditions are finished, so that
 * every rank follows it).  Collective. */
uint64_t engine_broadcast(engine *e, uint64_t v);

/* The stream seed of task i under master (rng_rep_seed). */
uint64_t engine_task_seed(uint64_t master, uint64_t i);

#endif
