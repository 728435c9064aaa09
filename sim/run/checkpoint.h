/*
 * checkpoint - the image that lets an interrupted job continue where it
 * stopped (run/engine.h).
 *
 * A job's state at a checkpoint: which tasks are done (a prefix of whole
 * blocks plus the first `done` tasks of some later "pending" blocks), the
 * records of the pending blocks (those of the prefix were delivered, and
 * records_pos identifies the reducer's record stream up to them), and the
 * packed accumulator holding every task done.
 *
 * INVARIANT (kept by the engine): the accumulator holds exactly the tasks
 * of blocks < prefix_blocks and the first `done` tasks of each pending
 * block; the record stream at records_pos holds exactly the records of
 * blocks < prefix_blocks; tasks_done counts them all.
 *
 * Image (little-endian u64 words unless noted):
 *   "ASJOBCK\0", version, identity[0], identity[1], master, ntasks,
 *   block_tasks, prefix_blocks, records_pos, records_digest, tasks_done,
 *   npending,
 *   npending x (block, done, records_len, records bytes),
 *   acc_len, acc bytes, FNV-1a 64 of everything before it.
 * Written through io/atomic, so the file is always a complete earlier state.
 */
#ifndef ALIGNSIM_RUN_CHECKPOINT_H
#define ALIGNSIM_RUN_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

/* What a checkpoint must match for a resume to be allowed. */
typedef struct {
    uint64_t identity[2];    /* the job's own digests (scenario, settings) */
    uint64_t master;         /* master seed */
    uint64_t ntasks;
    uint64_t block_tasks;    /* tasks per block */
} ckpt_identity;

/* A block partly done when the job stopped. */
typedef struct {
    uint64_t block;          /* block index, >= prefix_blocks */
    uint64_t done;           /* its first `done` tasks are done */
    const unsigned char *records;
    size_t records_len;
} ckpt_pending;

/* A checkpoint's content.  For ckpt_write() every pointer is borrowed; from
 * ckpt_read() they point into memory the state owns (ckpt_state_clear). */
typedef struct {
    ckpt_identity id;
    uint64_t prefix_blocks;  /* blocks 0 .. prefix_blocks - 1 are complete */
    uint64_t records_pos;    /* the reducer's records_mark() position ... */
    uint64_t records_digest; /* ... and digest of the stream's content */
    uint64_t tasks_done;
    ckpt_pending *pending;
    size_t npending;
    const unsigned char *acc;
    size_t acc_len;
    void *owned_image;
    ckpt_pending *owned_pending;
} ckpt_state;

/*
 * Writes the checkpoint atomically to path.  Returns AS_OK, or AS_EIO with
 * "PATH: reason" in err (the previous checkpoint is then unchanged).
 */
int ckpt_write(const char *path, const ckpt_state *st, char *err, size_t errlen);

/*
 * Reads the checkpoint at path into *st.  Returns AS_OK; AS_EIO when the
 * file cannot be read (missing included: "PATH: No such file or
 * directory"); AS_ERUNTIME when it is truncated, of another format or
 * fails its hash ("... (truncated or damaged)").  A message is in err in
 * every failure case, and *st is then empty.
 */
int ckpt_read(const char *path, ckpt_state *st, char *err, size_t errlen);

/* Frees what ckpt_read() allocated; safe on a zeroed state. */
void ckpt_state_clear(ckpt_state *st);

#endif
