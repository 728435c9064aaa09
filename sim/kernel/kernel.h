/*
 * kernel/kernel - clock and dispatch loop of the discrete-event simulation.
 *
 * A kernel owns a simulation clock and a pending-event set (kernel/evq) and
 * runs events in the queue's total order: time, then priority (lower number
 * first), then insertion sequence.  It knows nothing about what events mean:
 * a model registers one handler per event type (0 .. ntypes-1) and,
 * optionally, an advance callback that integrates continuous state across
 * the gaps between events.  All state hangs off the kernel handle; there are
 * no globals, and errors are return codes, never aborts.
 *
 * Invariants between calls: the clock never decreases except through
 * kernel_reset(); every pending event has time >= the clock and a type whose
 * handler was set when it was scheduled.
 *
 * Events scheduled at the current time, from inside a handler.
 *
 *   Such an event is dispatched in the same kernel_run() call, after the
 *   running handler returns, at its place in the total order among the events
 *   still pending.  Because it gets a larger sequence number than every event
 *   already pending, it runs after the pending events of the same time and
 *   the same priority (ties are first-in, first-out), and before the pending
 *   events of the same time with a larger priority number.  If its priority
 *   number is smaller than that of the event being handled, it still runs
 *   next: the kernel never holds an event back to restore a priority order
 *   among events that were not yet known when an earlier one ran.  So the
 *   dispatch sequence is in total order relative to what was pending at each
 *   step, which is the only order a model can rely on at decision time.
 *
 *   Why run it in the same call rather than defer it to the next pass, as
 *   Redis's ae.c does with timers created while timers are processed?  ae has
 *   wall-clock timers and must return to poll for input; here, time is
 *   simulated, and an event "at time t" that ran later than other events at
 *   t would be indistinguishable from one at a later time, so deferring would
 *   make the result depend on where kernel_run() calls happened to split the
 *   run.  The price is the one ae avoids: a handler that always schedules at
 *   the current time never lets the clock move; pass max_events to
 *   kernel_run() to bound such a run.
 *
 * The advance callback.
 *
 *   Before the clock moves from `from` to a later `to` (to an event's time,
 *   or to the horizon), the kernel calls advance(from, to, ctx); the clock
 *   moves only if it returns 0.  It is never called for events at the current
 *   time, so it sees strictly increasing, contiguous intervals:
 *   (t0, t1), (t1, t2), ... During the call kernel_now() is still `from`, and
 *   kernel_schedule() accepts only times >= `to` (an event inside the gap
 *   would already be late).  After it returns the kernel looks at the queue
 *   afresh, so events it scheduled at `to` or cancelled are honoured.
 */
#ifndef ALIGNSIM_KERNEL_KERNEL_H
#define ALIGNSIM_KERNEL_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/evq.h"

/* The simulation clock and its pending events; opaque. */
typedef struct kernel kernel;

/*
 * Handles one event.  ev is borrowed for the duration of the call (the event
 * has already left the queue, and its handle is stale).  ctx is the pointer
 * given to kernel_run().  Return 0 (AS_OK) to go on; any other value stops
 * the run with KERNEL_STOP_ERROR and is returned by kernel_run(), so a
 * handler returns a code of sim/base/status.h, as the kernel's own errors
 * are (EVQ_ENOMEM is AS_ENOMEM, EVQ_EINVAL AS_ERUNTIME).  A handler may
 * call kernel_schedule(), kernel_cancel(), kernel_now() and the other
 * queries; it must not call kernel_run() (refused) or kernel_free().
 */
typedef int (*kernel_handler_fn)(kernel *k, const evq_event *ev, void *ctx);

/*
 * Called before the clock moves forward, with to_time > from_time; see "The
 * advance callback" above.  Return 0 to go on; non-zero stops the run with
 * KERNEL_STOP_ERROR, the clock stays at from_time and the code is returned.
 */
typedef int (*kernel_advance_fn)(double from_time, double to_time, void *ctx);

/* Why kernel_run() returned. */
typedef enum {
    KERNEL_STOP_EMPTY,    /* no event left at or before the horizon, none at all */
    KERNEL_STOP_HORIZON,  /* the next event is later than the horizon */
    KERNEL_STOP_BUDGET,   /* max_events dispatched; an event <= horizon remains */
    KERNEL_STOP_ERROR     /* a handler, advance or the kernel reported an error */
} kernel_stop;

/*
 * Allocates a kernel for event types 0 .. ntypes-1 (no handlers set, no
 * advance callback), with its clock at 0 and room for initial_capacity
 * pending events before the queue first grows.  Returns NULL if ntypes is 0
 * or above INT32_MAX, or memory cannot be allocated (nothing is leaked).
 * Free with kernel_free().
 */
kernel *kernel_alloc(size_t ntypes, size_t initial_capacity);

/* Frees the kernel and its queue; NULL is a no-op.  Not from a handler. */
void kernel_free(kernel *k);

/*
 * Sets the handler for events of the given type (fn is borrowed; NULL
 * removes it).  Returns EVQ_OK, or EVQ_EINVAL if type is out of range.
 * Removing the handler of a type that has pending events makes kernel_run()
 * stop with KERNEL_STOP_ERROR and EVQ_EINVAL when it reaches one of them.
 */
int kernel_set_handler(kernel *k, int32_t type, kernel_handler_fn fn);

/* Sets the advance callback; NULL means none (the clock just moves). */
void kernel_set_advance(kernel *k, kernel_advance_fn fn);

/*
 * Empties the queue, sets the clock to start_time and the dispatch counter
 * and the sequence numbers to 0, keeping handlers, the advance callback and
 * all memory, so one kernel serves many replications without allocating.
 * Every handle issued before becomes stale.  A non-finite start_time is
 * treated as 0.  Must not be called from a handler or advance callback.
 */
void kernel_reset(kernel *k, double start_time);

/* The clock: the time of the event being (or last) dispatched, or the
 * horizon the last run advanced to, or the start time.  Decimal years. */
double kernel_now(const kernel *k);

/*
 * Schedules an event of the given type at time with the given priority and
 * payload arg; if out is not NULL, stores its handle (or 0 on error) there.
 * Returns EVQ_OK; EVQ_EINVAL if time is NaN or infinite, earlier than the
 * clock (or, inside the advance callback, earlier than the time the clock is
 * moving to), or type is out of range or has no handler; EVQ_ENOMEM if the
 * queue could not grow.  On error nothing is scheduled.
 */
int kernel_schedule(kernel *k, double time, int32_t priority, int32_t type,
                    int64_t arg, evq_handle *out);

/*
 * Cancels a pending event.  Returns EVQ_OK, or EVQ_ENOENT if h names no
 * pending event (already dispatched, already cancelled, issued before the
 * last kernel_reset(), or never issued).  Cancelling the event being handled
 * from its own handler returns EVQ_ENOENT: it has left the queue.
 */
int kernel_cancel(kernel *k, evq_handle h);

/*
 * Dispatches events in total order while the next event's time is <= horizon
 * and fewer than max_events (0: no limit) have been dispatched by this call.
 * Before dispatching an event later than the clock, calls the advance
 * callback (clock, event time) and then sets the clock to the event's time.
 * ctx is passed, borrowed, to every handler and advance call.  horizon may be
 * +INFINITY (run until the queue is empty).  Stops, storing the reason in
 * *why when why is not NULL:
 *
 *   KERNEL_STOP_EMPTY    the queue is empty.  If the horizon is finite and
 *                        later than the clock, advance(clock, horizon) is
 *                        called and the clock set to the horizon first, so
 *                        that a run always ends with its state at the horizon
 *                        whether or not events remained.  Returns 0.
 *   KERNEL_STOP_HORIZON  the next event is later than the horizon; it and
 *                        all later events stay pending.  The clock is
 *                        advanced to the horizon (with advance) as for EMPTY.
 *                        Returns 0.
 *   KERNEL_STOP_BUDGET   max_events have been dispatched and an event at or
 *                        before the horizon is still pending; the clock stays
 *                        at the last event's time.  Returns 0.  (If the
 *                        budget runs out exactly when the queue empties or
 *                        the next event is beyond the horizon, EMPTY or
 *                        HORIZON is reported instead: there is no work left.)
 *   KERNEL_STOP_ERROR    a handler returned non-zero (the event counts as
 *                        dispatched; the clock is at its time), or advance
 *                        returned non-zero (the event stays pending; the
 *                        clock stays at `from`): that value is returned.
 *                        Or the kernel refused to run: EVQ_EINVAL if horizon
 *                        is NaN or earlier than the clock, if kernel_run() is
 *                        called from a handler or advance callback, or if the
 *                        next event's type has no handler (it stays pending).
 *
 * A run may be continued by calling kernel_run() again with the same or a
 * later horizon.
 */
int kernel_run(kernel *k, double horizon, uint64_t max_events, void *ctx,
               kernel_stop *why);

/* Events dispatched since the last kernel_reset() (or kernel_alloc()). */
uint64_t kernel_dispatched(const kernel *k);

/* Number of pending events. */
size_t kernel_pending(const kernel *k);

/*
 * Copies the next event to be dispatched to *out without removing it.
 * Returns EVQ_OK, or EVQ_EMPTY (out untouched) if none is pending.
 */
int kernel_peek(const kernel *k, evq_event *out);

#endif
