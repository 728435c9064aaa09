/*
 * batch - many replications of one scenario, summarised (`alignsim batch`,
 * and every study that runs whole batches: the claim's conditions, the
 * points of a sweep).
 *
 * Replication r runs with seed batch_rep_seed(master, r) through the code
 * path of `alignsim run -s <that seed>` (run/rep.h with no parameter
 * values), so any replication of a batch can be replayed alone.  The same r
 * under two scenarios gets the same seed: common random numbers.
 *
 * A batch is one job on the executor (run/engine.h), with this reducer:
 *   accumulator  the yearly x of every dyad (stats/cells: exact sums and a
 *                histogram per year and dyad), the milestone results
 *                (run/msacc) and the outcome tally (run/rep.h);
 *   records      the rows of replications.tsv, appended in replication
 *                order to the hidden file BATCH_PARTIAL_FILE (io/append),
 *                which becomes replications.tsv when the batch completes.
 * So the files are byte-identical for any -j, any number of MPI ranks, and
 * a run that was interrupted and resumed (the executor's checkpoint is
 * BATCH_CKPT_FILE), and memory does not grow with the replications.
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
 * The checkpoint is removed last, so a crash while writing the files
 * resumes (and finishes) again.
 */
#ifndef ALIGNSIM_RUN_BATCH_H
#define ALIGNSIM_RUN_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "io/tsv.h"
#include "model/spec.h"
#include "run/engine.h"
#include "run/rep.h"

#define BATCH_BLOCK_REPS 64          /* replications per block of the job */
#define BATCH_DEFAULT_REPS 1000      /* -n when not given */

/* The hidden files of an unfinished batch folder. */
#define BATCH_CKPT_FILE ".batch.ckpt"
#define BATCH_PARTIAL_FILE ".replications.tsv.partial"

/*
 * Seed of replication rep of a batch with master seed master:
 * rng_rep_seed(master, rep) (stats/rng.h), a bijection of the replication
 * index onto 63-bit seeds, so no two replications of a batch share a seed
 * and every seed can be given back to `alignsim run -s` (a scenario's seed
 * is a libconfig int64).
 */
uint64_t batch_rep_seed(uint64_t master, uint64_t rep);

/* What a batch is asked to do.  Pointers are borrowed for the call. */
typedef struct {
    uint64_t reps;             /* replications, >= 1 */
    int resume;                /* continue the interrupted batch in outdir */
    const char *outdir;        /* result folder (created with its parents) */
    const io_kv *prov;         /* extra provenance after program, scenario, */
    size_t nprov;              /* seed and replications: command, overrides */
    /* Progress as the executor reports it: base + replications done, out
     * of total (0: reps), for studies that run several batches. */
    uint64_t progress_base, progress_total;
    /* The journal key when the engine has a journal open (a sweep's point);
     * a replayed batch writes no files (they were written before). */
    uint64_t journal_key;
} batch_options;

/* What the caller learns. */
typedef struct {
    uint64_t reps_done;        /* replications in the result */
    uint64_t reps_before;      /* of which done before this run (--resume) */
    int stopped_by;            /* signal number if interrupted, else 0 */
    int root;                  /* non-zero in the process that wrote the files */
    int replayed;              /* the result came from the engine's journal */
    rep_tally tally;           /* the outcome tally of every replication (root) */
} batch_report;

/*
 * Runs the batch of spec (borrowed, read-only) whose resolved scenario text
 * is `resolved` on the executor e, writing the result folder opt->outdir.
 * Under MPI every rank calls this with the same arguments; rank 0 writes the
 * files.  Returns AS_OK; AS_ESTOPPED when interrupted (a checkpoint holds
 * the work); AS_EUSAGE when --resume finds no or a mismatched checkpoint,
 * or an interrupted batch is in the way of a fresh one; another AS_* code
 * for failures.  err gets the message (on rank 0; other ranks may have
 * none).
 */
int batch_run(engine *e, const model_spec *spec, const char *resolved, const batch_options *opt,
              batch_report *report, char *err, size_t errlen);

#endif
