/*
 * io/atomic - result files that are complete or absent.
 *
 * A result file NAME is written under a temporary name in the same directory
 * (".NAME.tmp.PID") and renamed onto NAME only by io_atomic_commit(), after
 * the data has been flushed, fsync'ed and closed with every step checked.
 * A crash before the commit leaves at most the temporary file, never a
 * half-written NAME; io_atomic_abort() removes the temporary file.
 *
 * Errors are reported in a caller buffer (char *err, size_t errlen) as
 * "PATH: reason", where PATH is the name the caller asked for and reason is
 * strerror(errno), e.g. "out/x/summary.tsv: No space left on device".
 * err may be NULL or errlen 0 when the caller does not want the text.
 *
 * This module and io/tsv are the only code in alignsim that writes result
 * files.  There is no global state: an io_atomic handle carries everything.
 */
#ifndef ALIGNSIM_IO_ATOMIC_H
#define ALIGNSIM_IO_ATOMIC_H

#include <stddef.h>

#include "base/status.h"


/* A file being written under a temporary name; opaque. */
typedef struct io_atomic io_atomic;

/*
 * Creates the temporary file for path (mode 0666 less the umask) and returns
 * a handle, or NULL with "PATH: reason" in err when the temporary file cannot
 * be created (missing or unwritable folder, path naming a folder, out of
 * memory).  The folder must exist: see io_mkdir_p().  path is copied.
 * The temporary name is ".NAME.tmp.PID" next to NAME; if that name is taken
 * (left by a crashed process whose PID was reused) ".NAME.tmp.PID.N" is used.
 */
io_atomic *io_atomic_open(const char *path, char *err, size_t errlen);

/*
 * Appends len bytes.  Returns AS_OK, or AS_EIO if this or an earlier write
 * failed; the first failure's errno is kept and reported by the commit, so a
 * caller may also ignore the return value and rely on io_atomic_commit().
 */
int io_atomic_write(io_atomic *f, const void *data, size_t len);

/* Appends a NUL-terminated string; as io_atomic_write(). */
int io_atomic_puts(io_atomic *f, const char *s);

/* AS_OK if no write has failed so far, else AS_EIO. */
int io_atomic_status(const io_atomic *f);

/* The name the file will have after the commit (borrowed). */
const char *io_atomic_path(const io_atomic *f);

/* The temporary name the data is being written to (borrowed). */
const char *io_atomic_temp_path(const io_atomic *f);

/*
 * Makes the file appear under its final name: flushes, fsyncs and closes the
 * temporary file, renames it onto the final name (replacing any old file
 * atomically) and fsyncs the folder (best effort).  Frees f in every case.
 * Returns AS_OK, or AS_EIO with "PATH: reason" in err; on failure the
 * temporary file is removed and any old file under the final name is left
 * untouched.
 */
int io_atomic_commit(io_atomic *f, char *err, size_t errlen);

/* Closes and removes the temporary file and frees f.  NULL is a no-op. */
void io_atomic_abort(io_atomic *f);

/*
 * Creates the folder path and any missing parents (mode 0777 less the
 * umask), like `mkdir -p`.  An existing folder is fine.  Returns AS_OK, or
 * AS_EIO with "COMPONENT: reason" in err, where COMPONENT is the prefix of
 * path that could not be created, e.g. "out/results.tsv: Not a directory"
 * when a file is in the way.
 */
int io_mkdir_p(const char *path, char *err, size_t errlen);

/*
 * Writes len bytes of data as the whole content of path, atomically (see
 * above).  Returns AS_OK, or AS_EIO with "PATH: reason" in err; on failure
 * path is unchanged.
 */
int io_write_file_atomic(const char *path, const void *data, size_t len,
                         char *err, size_t errlen);

/* "dir/name" in a new heap string the caller frees; NULL when memory runs
 * out. */
char *io_join(const char *dir, const char *name);

/*
 * Makes a rename of or into path durable by syncing the folder that holds
 * it.  Some file systems refuse fsync on a folder; the data itself is synced
 * separately, so failures here are not reported.
 */
void io_sync_folder(const char *path);

/*
 * Reads the whole file at path into a NUL-terminated heap buffer that the
 * caller frees; stores its length (without the NUL) in *len when len is not
 * NULL.  Returns NULL with errno set (ENOMEM, or the system's reason) when
 * the file cannot be read.
 */
char *io_read_file(const char *path, size_t *len);

/*
 * As io_read_file(), reading at most max bytes: a folder fails with EISDIR,
 * a regular file larger than max, or a pipe or device that gives more,
 * with EFBIG (so /dev/zero is refused after max bytes, not read forever).
 * The one file reader of alignsim (the scenario loader's too).
 */
char *io_read_file_max(const char *path, size_t max, size_t *len);

#endif
