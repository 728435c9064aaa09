/*
 * cluster - the executor's view of a group of cooperating processes.
 *
 * Built with ALIGNSIM_MPI (make MPI=1) it speaks MPI over MPI_COMM_WORLD;
 * otherwise the group is this process alone (rank 0 of 1) and nothing here
 * needs MPI headers.  Rank 0 is the root: it writes every file.
 *
 * Only the thread that initialised MPI may call these functions (the engine
 * calls them from its coordinating thread; workers never do), so MPI needs
 * MPI_THREAD_FUNNELED only.
 *
 * Failures: MPI is switched to MPI_ERRORS_RETURN and every call is checked.
 * A failed collective leaves the ranks unable to agree on what comes next,
 * so after printing "alignsim: error: MPI: ..." the group is ended
 * with MPI_Abort rather than left to hang: this is the one place outside
 * main() that ends the program, and it only happens on MPI builds.
 */
#ifndef ALIGNSIM_RUN_CLUSTER_H
#define ALIGNSIM_RUN_CLUSTER_H

#include <stddef.h>

#include "base/buf.h"

/*
 * Starts MPI (MPI_Init_thread, asking for MPI_THREAD_FUNNELED) in an MPI
 * build; nothing otherwise.  *threads_ok is set to 0 when the library
 * cannot run alongside worker threads (the caller should then use one).
 * Returns AS_OK, or AS_ERUNTIME with a message in err.
 */
int cluster_init(int *threads_ok, char *err, size_t errlen);

/* Ends MPI (MPI_Finalize) in an MPI build.  AS_OK or AS_ERUNTIME. */
int cluster_finalize(void);

/* This process's rank and the number of processes (0 and 1 without MPI). */
int cluster_rank(void);
int cluster_size(void);

/* Root's len bytes of data are copied into every rank's data. */
void cluster_bcast(void *data, size_t len);

/* Root's buffer b (its length and bytes) replaces every other rank's b.
 * Running out of memory ends the group as a failed MPI call does. */
void cluster_bcast_buf(buf *b);

/*
 * Every rank passes its status code; every rank gets the first non-zero
 * one in rank order (0 if all are 0), and in *who (may be NULL) the rank it
 * came from.  Collective.
 */
int cluster_agree(int code, int *who);

/*
 * Non-root ranks: sends len bytes (any size) to the root.  Messages from one
 * rank arrive in the order they were sent.
 */
void cluster_send_root(const void *data, size_t len);

/*
 * Root: receives the next message sent by rank `from` with
 * cluster_send_root() into a heap buffer (*data, *len; the caller frees it).
 * Returns 0; -1 only in the one-process build, where there is no one to
 * receive from.  Running out of memory for a message ends the group as a
 * failed MPI call does (the protocol cannot skip a message).
 */
int cluster_recv(int from, unsigned char **data, size_t *len);

#endif
