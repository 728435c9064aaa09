/*
 * checkpoint - what lets an interrupted batch continue where it stopped.
 *
 * A batch folder holds, while the batch is unfinished, two hidden files:
 *
 *   .batch.ckpt                the checkpoint: which replications are done,
 *                              the exact accumulators of all of them, and the
 *                              length of the partial replications file that
 *                              matches; written atomically (io/atomic), so it
 *                              is always a complete earlier state;
 *   .replications.tsv.partial  the rows of replications.tsv written so far,
 *                              in replication order, appended as blocks of
 *                              replications complete and fsync'ed before
 *                              every checkpoint.
 *
 * INVARIANT: the first `partial_len` bytes of the partial file are exactly
 * the first bytes of the final replications.tsv: its provenance, header and
 * the rows of blocks 0 .. prefix_blocks - 1.  Bytes after partial_len may
 * have been written after the checkpoint and before a crash; resuming
 * truncates them.  Blocks beyond the prefix that were partly done when the
 * batch stopped ("pending" blocks) keep their rows in the checkpoint, and
 * their replications are in the accumulators.
 *
 * Checkpoint image (little-endian u64 words unless noted):
 *   "ASBATCK\0", version, scenario_hash, prov_hash, seed, reps, block_reps,
 *   prefix_blocks, partial_len, reps_done, npending,
 *   npending x (block, done, rows_len, rows bytes),
 *   ms_len, ms bytes (msacc image), cells_len, cells bytes (stats_cells
 *   image), FNV-1a 64 of everything before it.
 *
 * The partial file is written here with plain POSIX calls rather than
 * through io/tsv, because it must be appended to across processes and cut
 * back on resume, which the write-once atomic writers cannot do; it only
 * becomes a result file by the rename in partial_commit(), after an fsync,
 * so replications.tsv is still complete or absent.
 */
#ifndef ALIGNSIM_RUN_CHECKPOINT_H
#define ALIGNSIM_RUN_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

/* Names of the hidden files inside a batch folder. */
#define CKPT_FILE ".batch.ckpt"
#define CKPT_PARTIAL_FILE ".replications.tsv.partial"

/* What a checkpoint must match for a resume to be allowed. */
typedef struct {
    uint64_t scenario_hash;  /* FNV-1a 64 of the resolved scenario text */
    uint64_t prov_hash;      /* FNV-1a 64 of the provenance (overrides) */
    uint64_t seed;           /* master seed */
    uint64_t reps;           /* replications asked for */
    uint64_t block_reps;     /* replications per block */
} ckpt_identity;

/* A block partly done when the batch stopped. */
typedef struct {
    uint64_t block;          /* block index, >= prefix_blocks */
    uint64_t done;           /* its first `done` replications are done */
    const unsigned char *rows; /* their replications.tsv rows */
    size_t rows_len;
} ckpt_pending;

/* A checkpoint's content.  In ckpt_write() every pointer is borrowed; from
 * ckpt_read() they point into memory the state owns (ckpt_state_clear). */
typedef struct {
    ckpt_identity id;
    uint64_t prefix_blocks;  /* blocks 0 .. prefix_blocks - 1 are complete */
    uint64_t partial_len;    /* bytes of the partial file that are valid */
    uint64_t reps_done;      /* replications in the accumulators */
    ckpt_pending *pending;
    size_t npending;
    const unsigned char *ms; size_t ms_len;        /* msacc image */
    const unsigned char *cells; size_t cells_len;  /* stats_cells image */
    void *owned_image;       /* ckpt_read(): the file's bytes */
    ckpt_pending *owned_pending;
} ckpt_state;

enum { CKPT_OK = 0, CKPT_EIO = -1, CKPT_ENOENT = -2, CKPT_ECORRUPT = -3 };

/*
 * Writes the checkpoint atomically to path.  Returns CKPT_OK, or CKPT_EIO
 * with "PATH: reason" in err (the previous checkpoint is then unchanged).
 */
int ckpt_write(const char *path, const ckpt_state *st, char *err, size_t errlen);

/*
 * Reads the checkpoint at path into *st (pointers into memory *st owns).
 * Returns CKPT_OK; CKPT_ENOENT when there is no such file; CKPT_ECORRUPT
 * when it is truncated, of another format or fails its hash; CKPT_EIO when
 * it cannot be read.  A message is in err in every failure case.
 */
int ckpt_read(const char *path, ckpt_state *st, char *err, size_t errlen);

/* Frees what ckpt_read() allocated; safe on a zeroed state. */
void ckpt_state_clear(ckpt_state *st);

/* The FNV-1a 64 hash of a NUL-terminated text. */
uint64_t ckpt_hash_text(const char *text);

/* ---- the partial replications file ------------------------------- */

typedef struct partial partial;

/*
 * Creates (or empties) the partial file at path and writes header (len
 * bytes) to it.  Returns the handle, or NULL with "PATH: reason" in err.
 */
partial *partial_create(const char *path, const void *header, size_t len, char *err,
                        size_t errlen);

/*
 * Opens an existing partial file and cuts it to `len` bytes.  Fails (NULL,
 * message in err) when it does not exist, is shorter than len, or does not
 * start with the hlen bytes of header (the provenance and column names the
 * batch would write now).
 */
partial *partial_reopen(const char *path, uint64_t len, const void *header, size_t hlen, char *err,
                        size_t errlen);

/*
 * Non-zero when the file at path exists, holds at least len bytes and starts
 * with the hlen bytes of header: the test partial_reopen() applies, without
 * changing the file.
 */
int partial_matches(const char *path, uint64_t len, const void *header, size_t hlen);

/* Appends len bytes at the end.  Returns 0, or -1 with "PATH: reason". */
int partial_append(partial *p, const void *data, size_t len, char *err, size_t errlen);

/* Bytes in the file so far. */
uint64_t partial_length(const partial *p);

/* Makes everything appended durable (fsync).  0, or -1 with a message. */
int partial_sync(partial *p, char *err, size_t errlen);

/*
 * Syncs and closes the file and renames it onto final_path; frees p in every
 * case.  Returns 0, or -1 with a message (the partial file is then kept so
 * that --resume can try again).
 */
int partial_commit(partial *p, const char *final_path, char *err, size_t errlen);

/* Closes without renaming (the file stays for a resume); NULL is a no-op. */
void partial_close(partial *p);

#endif
