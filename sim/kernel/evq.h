/*
 * kernel/evq - the pending-event set of the discrete-event kernel.
 *
 * An evq holds future events and hands them back in one total order:
 * earliest time first; at equal time, lower priority number first; at equal
 * time and priority, the event pushed first (lower seq) first.  seq is a
 * per-queue insertion counter, so the order is a pure function of the
 * sequence of calls: no ties are left to the heap's layout, and two runs that
 * make the same calls pop the same events in the same order.
 *
 * Every push returns a handle that names that one event until it is popped,
 * cancelled or the queue is cleared; after that the handle is stale, and
 * evq_cancel() reports it as EVQ_ENOENT rather than cancelling some other
 * event that reuses the storage.  Handle 0 is never issued, so callers may use
 * it as "no event".  (A handle is a slot index and a 32-bit generation
 * counter of that slot; a stale handle could only be mistaken for a live one
 * after the same slot had been reused 2^31 times while the caller held it.)
 *
 * Costs, with n pending events: push and pop O(log n), peek and cancel O(1)
 * (cancellation is lazy, and its cost is repaid when the cancelled entry
 * reaches the top of the heap or by an O(n) compaction once cancelled entries
 * outnumber live ones, so it is O(1) amortised).  Memory grows geometrically
 * and is kept by evq_clear(): in steady state no call allocates.
 *
 * The queue knows nothing of what events mean: type and arg are opaque
 * payload.  Time is a double (decimal years for alignsim); it must be finite,
 * and times compare as doubles do (-0.0 equals 0.0 and pops as 0.0).
 * There is no global state; a queue is not safe for concurrent use, but
 * distinct queues may be used from distinct threads.
 */
#ifndef ALIGNSIM_KERNEL_EVQ_H
#define ALIGNSIM_KERNEL_EVQ_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

/* A queue of pending events; opaque. */
typedef struct evq evq;

/* Names one pushed event; 0 is never a valid handle. */
typedef uint64_t evq_handle;

/* One event, as returned by evq_pop() and evq_peek(). */
typedef struct {
    double time;        /* simulation time, decimal years */
    int32_t priority;   /* lower runs first at equal time */
    int32_t type;       /* event type, meaning owned by the caller */
    int64_t arg;        /* caller payload */
    uint64_t seq;       /* insertion sequence number, assigned by push */
    evq_handle handle;  /* the handle push returned */
} evq_event;

/*
 * Status codes.  The errors are codes of the one convention
 * (sim/base/status.h), so they may travel up unchanged; the two answers
 * that are not errors are positive and never leave a caller that asked.
 */
enum {
    EVQ_OK = AS_OK,
    EVQ_EMPTY = 1,            /* pop or peek on an empty queue (not an error) */
    EVQ_ENOENT = 2,           /* cancel: the handle names no pending event (not an error) */
    EVQ_ENOMEM = AS_ENOMEM,   /* an allocation failed or a size would overflow */
    EVQ_EINVAL = AS_ERUNTIME  /* an argument is invalid (e.g. non-finite time): a
                                 programmer's error, never bad input */
};

/*
 * Allocates an empty queue with room for initial_capacity events before its
 * first growth (0 is allowed: storage is then allocated by the first push).
 * Returns NULL if memory cannot be allocated or the capacity is too large
 * (above 2^32 - 1 events, or n * size would overflow); nothing is leaked on
 * failure.  The caller owns the queue; free it with evq_free().
 */
evq *evq_alloc(size_t initial_capacity);

/* Frees the queue and all its storage.  NULL is a no-op. */
void evq_free(evq *q);

/*
 * Removes every pending event and resets the sequence counter to 0, keeping
 * the allocated memory for reuse.  Every handle issued before the call
 * becomes stale (evq_cancel() returns EVQ_ENOENT for it).  O(capacity).
 */
void evq_clear(evq *q);

/*
 * Inserts an event with the given time, priority, type and arg, assigns it
 * the next sequence number and, if out is not NULL, stores its handle in
 * *out.  Returns EVQ_OK; EVQ_EINVAL if time is NaN or infinite (the queue is
 * unchanged and *out is set to 0); EVQ_ENOMEM if the storage had to grow and
 * could not, the queue already holds 2^32 - 1 entries, or 2^64 - 1 events
 * were pushed since the last clear (unchanged, *out = 0).  O(log n); allocates only when the number of pending plus lazily
 * cancelled events reaches the capacity, which then doubles.
 */
int evq_push(evq *q, double time, int32_t priority, int32_t type, int64_t arg,
             evq_handle *out);

/*
 * Removes the first event in (time, priority, seq) order and copies it to
 * *out.  Returns EVQ_OK, or EVQ_EMPTY (and leaves *out untouched) when no
 * event is pending.  The popped event's handle becomes stale.  O(log n).
 */
int evq_pop(evq *q, evq_event *out);

/*
 * Copies the event evq_pop() would return to *out without removing it.
 * Returns EVQ_OK, or EVQ_EMPTY (leaving *out untouched).  O(1).
 */
int evq_peek(const evq *q, evq_event *out);

/*
 * Cancels the pending event named by h, which then never pops.  Returns
 * EVQ_OK, or EVQ_ENOENT if h names no pending event: 0, a handle that was
 * already popped or cancelled, one issued before an evq_clear(), or one
 * this queue never issued.  O(1) amortised.
 */
int evq_cancel(evq *q, evq_handle h);

/* Number of pending events (cancelled events are not counted). */
size_t evq_size(const evq *q);

/*
 * Non-zero if h names an event that is still pending in q (pushed and not yet
 * popped, cancelled or cleared).  O(1).
 */
int evq_contains(const evq *q, evq_handle h);

#endif
