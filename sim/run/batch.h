/*
 * batch - many replications of one scenario, summarised (`alignsim batch`).
 *
 * Replication r runs with seed batch_rep_seed(master, r) through exactly the
 * code path of `alignsim run -s <that seed>` (model_run with no parameter
 * vector), so any replication of a batch can be replayed alone.  The same r
 * under two scenarios gets the same seed: common random numbers.
 *
 * Result folder (each file complete or absent):
 *   scenario.cfg      the resolved scenario (seed = the master seed)
 *   summary.tsv       per year x dyad whose actors both exist: mean, sd, the
 *                     95% t interval of the mean, q05/q50/q95 of x at
 *                     mid-year, p_alliance (share of replications on the
 *                     alliance rung)
 *   replications.tsv  per replication in order: rep, seed, alliance_year,
 *                     reversal, reversal_onset, and the value of every
 *                     parameter drawn per replication (column = its path)
 *   milestones.tsv    per calibration target: median simulated date and
 *                     error, shares met / within 1 / within 2 years
 *   ladder.tsv        the ladder, for plots
 *
 * Determinism.  Replications are cut into fixed blocks of BATCH_BLOCK_REPS,
 * whatever the thread and process counts.  Yearly samples go into exact
 * integer accumulators (stats/cells, run/msacc), whose sums do not depend
 * on which thread or rank added what, and rows are written in replication
 * order, so the files are byte-identical for any -j, any number of MPI
 * ranks, and a run that was interrupted and resumed.
 *
 * Memory does not grow with the number of replications: each thread owns
 * one set of accumulators, and rows wait in memory only until their epoch
 * (at most BATCH_MAX_EPOCH_BLOCKS blocks) ends.
 *
 * Work is done in epochs: a run of consecutive blocks spread over the
 * processes (block b to rank b mod K) and, within a process, taken by its
 * threads in order.  At the end of an epoch rank 0 appends the epoch's rows
 * to the partial replications file and, after the first epoch, then at
 * least every BATCH_CHECKPOINT_SECONDS, on an interruption and never on a
 * failure, writes a checkpoint (see run/checkpoint.h).  On an interruption
 * workers stop after their current replication; partly done blocks are kept
 * in the checkpoint and resumed where they stopped.
 */
#ifndef ALIGNSIM_RUN_BATCH_H
#define ALIGNSIM_RUN_BATCH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "io/tsv.h"
#include "model/spec.h"

#define BATCH_BLOCK_REPS 64          /* replications per block */
#define BATCH_DEFAULT_REPS 1000      /* -n when not given */
#define BATCH_QUANTILE_BINS 1000     /* histogram bins of x over [-1, 1] */
#define BATCH_CONFIDENCE 0.95        /* level of ci_lo, ci_hi */
#define BATCH_EPOCH_SECONDS 2.0      /* target length of an epoch */
#define BATCH_MAX_EPOCH_BLOCKS 1024  /* bound on the rows held in memory */
#define BATCH_CHECKPOINT_SECONDS 10.0

/*
 * Seed of replication rep of a batch with master seed master:
 * rng_rep_seed(master, rep) (stats/rng.h), a bijection of the replication
 * index onto 63-bit seeds, so no two replications of a batch share a seed
 * and every seed can be given back to `alignsim run -s` (a scenario's seed
 * is a libconfig int64).
 */
uint64_t batch_rep_seed(uint64_t master, uint64_t rep);

/* What a batch is asked to do.  All pointers are borrowed for the call. */
typedef struct {
    uint64_t reps;             /* replications, >= 1 */
    unsigned threads;          /* worker threads in this process, >= 1 */
    int resume;                /* continue the interrupted batch in outdir */
    const char *outdir;        /* result folder (created with its parents) */
    const io_kv *prov;         /* extra provenance after program, scenario, */
    size_t nprov;              /* seed and replications: command, overrides */
    /* Set to a signal number (by a signal handler) to stop the batch
     * gracefully; may be NULL.  Read, never written. */
    const volatile sig_atomic_t *interrupt;
    /* Test hook: behave as if interrupted by SIGINT once this process has
     * completed this many blocks (0: never). */
    uint64_t stop_after_blocks;
    /* Called about every 0.2 s on rank 0 with replications done and total
     * (may be NULL); runs on the calling thread. */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
} batch_options;

/* What the caller learns. */
typedef struct {
    uint64_t reps_done;        /* replications in the accumulators at the end */
    uint64_t reps_before;      /* of which done before this run (--resume) */
    int stopped_by;            /* signal number if interrupted, else 0 */
    int root;                  /* non-zero in the process that wrote the files */
} batch_report;

/* Return codes of batch_run. */
enum {
    BATCH_OK = 0,
    BATCH_ERUNTIME = 1,        /* I/O, memory, model failure, bad checkpoint */
    BATCH_EUSAGE = 2,          /* --resume without or with a mismatched checkpoint,
                                  or an interrupted batch in the way */
    BATCH_STOPPED = 3          /* interrupted; a checkpoint was written */
};

/*
 * Runs the batch of spec (borrowed, read-only) whose resolved scenario text
 * is `resolved`, writing the result folder opt->outdir.  In an MPI build run
 * under mpirun, every rank calls this with the same arguments; rank 0 writes
 * the files.  Returns a BATCH_* code, with a message in err for the errors
 * (on rank 0; other ranks may have no message).
 */
int batch_run(const model_spec *spec, const char *resolved, const batch_options *opt,
              batch_report *report, char *err, size_t errlen);

#endif
