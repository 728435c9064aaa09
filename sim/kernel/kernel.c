/*
 * kernel/kernel - clock, handler table and the dispatch loop.
 *
 * Invariants between calls:
 *   - now is finite and every event in q has time >= now (kernel_schedule
 *     refuses earlier times, and the loop only moves now to the time of the
 *     earliest pending event or to a horizon that precedes all of them);
 *   - floor == now, except during an advance callback, when it is the time
 *     the clock is about to move to: the earliest time kernel_schedule takes;
 *   - running is non-zero exactly while kernel_run() is on the stack.
 * The loop re-reads the head of the queue on every step, so whatever a
 * handler or advance callback schedules or cancels is seen at once.
 */
#include "kernel/kernel.h"

#include <math.h>
#include <stdlib.h>

struct kernel {
    evq *q;
    double now;
    double floor;                 /* earliest schedulable time */
    kernel_handler_fn *handlers;  /* ntypes entries, NULL when unset */
    size_t ntypes;
    kernel_advance_fn advance;
    uint64_t dispatched;
    int running;
};

kernel *kernel_alloc(size_t ntypes, size_t initial_capacity)
{
    if (ntypes == 0 || ntypes > INT32_MAX)
        return NULL;
    kernel *k = calloc(1, sizeof *k);
    if (k == NULL)
        return NULL;
    k->handlers = calloc(ntypes, sizeof *k->handlers);
    k->q = evq_alloc(initial_capacity);
    if (k->handlers == NULL || k->q == NULL)
        goto fail;
    k->ntypes = ntypes;
    return k;
fail:
    kernel_free(k);
    return NULL;
}

void kernel_free(kernel *k)
{
    if (k == NULL)
        return;
    evq_free(k->q);
    free(k->handlers);
    free(k);
}

int kernel_set_handler(kernel *k, int32_t type, kernel_handler_fn fn)
{
    if (type < 0 || (size_t)type >= k->ntypes)
        return EVQ_EINVAL;
    k->handlers[type] = fn;
    return EVQ_OK;
}

void kernel_set_advance(kernel *k, kernel_advance_fn fn)
{
    k->advance = fn;
}

void kernel_reset(kernel *k, double start_time)
{
    evq_clear(k->q);
    k->now = isfinite(start_time) ? start_time : 0.0;
    k->floor = k->now;
    k->dispatched = 0;
}

double kernel_now(const kernel *k)
{
    return k->now;
}

int kernel_schedule(kernel *k, double time, int32_t priority, int32_t type,
                    int64_t arg, evq_handle *out)
{
    if (out != NULL)
        *out = 0;
    /* !(time >= floor) also catches NaN. */
    if (!(time >= k->floor) || type < 0 || (size_t)type >= k->ntypes
        || k->handlers[type] == NULL)
        return EVQ_EINVAL;
    return evq_push(k->q, time, priority, type, arg, out);
}

int kernel_cancel(kernel *k, evq_handle h)
{
    return evq_cancel(k->q, h);
}

/*
 * Calls the advance callback for the move from now to `to` (> now) and moves
 * the clock if it succeeds.  While it runs, nothing may be scheduled in the
 * gap it is integrating over.
 */
static int advance_to(kernel *k, double to, void *ctx)
{
    if (k->advance != NULL) {
        k->floor = to;
        int rc = k->advance(k->now, to, ctx);
        k->floor = k->now;
        if (rc != 0)
            return rc;
    }
    k->now = to;
    k->floor = to;
    return 0;
}

/*
 * The loop.  Each step looks at the head of the queue and decides, in this
 * order: empty queue, head beyond the horizon, budget spent, clock must move
 * (advance, then look again: the callback may have changed the queue), and
 * only then pops and dispatches.  Checking the budget after the horizon means
 * BUDGET is reported only when dispatchable work remains.
 */
static int run_loop(kernel *k, double horizon, uint64_t max_events, void *ctx,
                    kernel_stop *why)
{
    uint64_t n = 0;
    evq_event ev;
    int rc;
    for (;;) {
        if (evq_peek(k->q, &ev) == EVQ_EMPTY || ev.time > horizon) {
            if (isfinite(horizon) && horizon > k->now) {
                if ((rc = advance_to(k, horizon, ctx)) != 0) {
                    *why = KERNEL_STOP_ERROR;
                    return rc;
                }
                continue;   /* advance may have scheduled at the horizon */
            }
            *why = evq_size(k->q) == 0 ? KERNEL_STOP_EMPTY : KERNEL_STOP_HORIZON;
            return 0;
        }
        if (max_events != 0 && n >= max_events) {
            *why = KERNEL_STOP_BUDGET;
            return 0;
        }
        kernel_handler_fn fn = k->handlers[ev.type];
        if (fn == NULL) {
            *why = KERNEL_STOP_ERROR;
            return EVQ_EINVAL;
        }
        if (ev.time > k->now) {
            if ((rc = advance_to(k, ev.time, ctx)) != 0) {
                *why = KERNEL_STOP_ERROR;
                return rc;
            }
            continue;
        }
        evq_pop(k->q, &ev);
        k->dispatched++;
        n++;
        if ((rc = fn(k, &ev, ctx)) != 0) {
            *why = KERNEL_STOP_ERROR;
            return rc;
        }
    }
}

int kernel_run(kernel *k, double horizon, uint64_t max_events, void *ctx,
               kernel_stop *why)
{
    kernel_stop stop = KERNEL_STOP_ERROR;
    int rc = EVQ_EINVAL;
    /* !(horizon >= now) also catches NaN. */
    if (!k->running && horizon >= k->now) {
        k->running = 1;
        rc = run_loop(k, horizon, max_events, ctx, &stop);
        k->running = 0;
    }
    if (why != NULL)
        *why = stop;
    return rc;
}

uint64_t kernel_dispatched(const kernel *k)
{
    return k->dispatched;
}

size_t kernel_pending(const kernel *k)
{
    return evq_size(k->q);
}

int kernel_peek(const kernel *k, evq_event *out)
{
    return evq_peek(k->q, out);
}
