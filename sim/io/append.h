/*
 * io/append - the appendable result file behind a checkpoint, and the
 * clean-up of what a killed writer left in a result folder.
 *
 * A long job writes rows in order as they are known (a batch's
 * replications.tsv, a study's journal): under a hidden temporary name,
 * appended to across the job's epochs and across processes (an interrupted
 * job is resumed by another process), synced before every checkpoint that
 * counts its length, cut back to that length on resume, and renamed onto
 * its final name only when complete (io_append_commit), after an fsync.  So
 * the final name is still complete or absent, as io/atomic guarantees for
 * write-once files, which cannot be appended to across processes or cut
 * back.
 *
 * Functions return AS_OK or AS_EIO (base/status.h) with "PATH: reason" in
 * (err, errlen).  No global state; one thread at a time per handle.
 */
#ifndef ALIGNSIM_IO_APPEND_H
#define ALIGNSIM_IO_APPEND_H

#include <stddef.h>
#include <stdint.h>

typedef struct io_append io_append;

/*
 * Creates (or empties) the file at path and writes the len bytes of header
 * to it.  Returns the handle, or NULL with a message in err.
 */
io_append *io_append_create(const char *path, const void *header, size_t len, char *err, size_t errlen);

/*
 * Opens an existing file and cuts it to len bytes, the length a checkpoint
 * recorded.  Fails (NULL, message in err) when it does not exist, is
 * shorter than len, or does not start with the hlen bytes of header (what
 * the writer would write first now: e.g. provenance and column names), so
 * that an unrelated file is never taken for the rows.
 */
io_append *io_append_reopen(const char *path, uint64_t len, const void *header, size_t hlen, char *err,
                            size_t errlen);

/* Non-zero when the file at path exists, holds at least len bytes and
 * starts with the hlen bytes of header: io_append_reopen()'s test, without
 * changing the file. */
int io_append_matches(const char *path, uint64_t len, const void *header, size_t hlen);

/* Appends len bytes at the end. */
int io_append_write(io_append *f, const void *data, size_t len, char *err, size_t errlen);

/* Bytes in the file so far. */
uint64_t io_append_length(const io_append *f);

/* FNV-1a 64 (base/buf.h) of the file's bytes so far: kept up to date by
 * every write, and computed afresh from the file by io_append_reopen(), so
 * that a checkpoint recording it can tell an edited file from its own. */
uint64_t io_append_digest(const io_append *f);

/* Makes everything appended durable (fsync). */
int io_append_sync(io_append *f, char *err, size_t errlen);

/*
 * Syncs and closes the file and renames it onto final_path (then syncs the
 * folder); frees f in every case.  On failure the file is kept under its
 * temporary name, so that a resume can try again.
 */
int io_append_commit(io_append *f, const char *final_path, char *err, size_t errlen);

/* Closes without renaming (the file stays); NULL is a no-op. */
void io_append_close(io_append *f);

/*
 * Removes from folder dir the temporary files that io/atomic writers of the
 * given result names left when their process was killed:
 * ".NAME.tmp.PID[.N]" (NAME given without its leading dot for hidden files
 * too) where process PID no longer exists; a live PID may be another writer
 * and its file is left alone.  Best effort: errors are ignored.
 */
void io_remove_stale_temps(const char *dir, const char *const *names, size_t nnames);

#endif
