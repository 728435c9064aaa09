/*
 * io/lock - one writer per result folder.
 *
 * Every command that writes a result folder holds an exclusive lock on it
 * for its whole run: flock(2) on the file IO_LOCK_FILE in the folder, which
 * records the holder's process id and command line.  A second writer is
 * refused at once (AS_EBUSY, exit status 1) with a message naming the
 * holder; a reader (report, compare's inputs) takes no lock.  The lock
 * lasts as long as the process holds the file open, so a writer killed by
 * any signal (kill -9 included) releases it: a stale lock file never
 * blocks anyone, and its text only says who held it last.
 *
 * The lock file is removed on release, while still locked; a writer that
 * locked a file which was meanwhile removed (or replaced) notices it (the
 * folder's name no longer leads to the file it locked) and tries again, so
 * two writers never both believe they hold the folder.
 *
 * The folder is created (with its missing parents) when it does not exist;
 * io_lock_release() removes what it created when the folder is empty
 * afterwards, so a refused or failed command leaves no empty folder
 * behind.  No global state.
 */
#ifndef ALIGNSIM_IO_LOCK_H
#define ALIGNSIM_IO_LOCK_H

#include <stddef.h>

#include "base/status.h"

/* The lock file's name inside a locked folder. */
#define IO_LOCK_FILE ".alignsim.lock"

/* A held lock; opaque. */
typedef struct io_lock io_lock;

/*
 * Locks the folder dir for the writer `holder` (a short description
 * recorded in the lock file, e.g. "alignsim batch s.cfg -n 100"), creating
 * the folder and its parents if missing.  Returns AS_OK and *out; AS_EBUSY
 * when another process holds it ("DIR is being written by process PID
 * (HOLDER)..."); AS_EIO ("PATH: reason") when the folder cannot be created
 * or the lock file opened; AS_ENOMEM.  Nothing is left behind on failure
 * (a folder created here is removed again).
 */
int io_lock_acquire(const char *dir, const char *holder, io_lock **out, char *err, size_t errlen);

/*
 * Releases the lock: removes the lock file, unlocks and frees l.  If the
 * folder (or any of its parents) was created by io_lock_acquire and is
 * empty now, it is removed.  NULL is a no-op.
 */
void io_lock_release(io_lock *l);

#endif
