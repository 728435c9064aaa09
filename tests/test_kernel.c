/*
 * test_kernel - the dispatch loop runs events in total order, keeps the
 * documented order for events scheduled at the current time from inside a
 * handler, calls the advance callback with contiguous (from, to) intervals
 * and never for same-time events, stops at the horizon, the budget, an empty
 * queue or an error exactly as kernel.h says, and refuses bad input with
 * return codes.
 *
 * Every test gets a fresh kernel with NTYPES event types and a recorder
 * (setup/teardown); the recorder logs every dispatch and advance call, and
 * the test installs the handlers it needs.  Random cases use mt19937 with a
 * fixed seed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include "kernel/kernel.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

#define SEED 97531UL
#define NTYPES 4
#define MAXLOG 4096

/* Event types used by the tests. */
enum { T_RECORD, T_SCRIPT, T_SPARE, T_UNSET };

typedef struct {
    double time;
    int32_t priority;
    int32_t type;
    int64_t arg;
    uint64_t seq;
} dispatch_rec;

typedef struct {
    kernel *k;
    dispatch_rec log[MAXLOG];
    size_t nlog;
    double adv_from[MAXLOG], adv_to[MAXLOG], adv_now[MAXLOG];
    size_t nadv;
    int64_t fail_arg;          /* record_handler returns fail_code on this arg */
    int fail_code;
    size_t adv_fail_at;        /* advance returns adv_fail_code on this call */
    int adv_fail_code;
    int adv_schedule;          /* advance tries to schedule inside and at `to` */
    int adv_rc_inside, adv_rc_at_to;
    int adv_cancel;            /* advance cancels victim */
    evq_handle victim;         /* what script handlers cancel */
    int rc_cancel_victim, rc_cancel_self, rc_nested_run;
    evq_handle self;           /* handle of the event being handled */
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (fx == NULL)
        return -1;
    fx->k = kernel_alloc(NTYPES, 4);
    if (fx->k == NULL) {
        free(fx);
        return -1;
    }
    fx->fail_arg = -1;
    fx->adv_fail_at = SIZE_MAX;
    kernel_reset(fx->k, 0.0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    kernel_free(fx->k);
    free(fx);
    return 0;
}

static void record(fixture *fx, const evq_event *ev)
{
    assert_true(fx->nlog < MAXLOG);
    dispatch_rec *r = &fx->log[fx->nlog++];
    r->time = ev->time;
    r->priority = ev->priority;
    r->type = ev->type;
    r->arg = ev->arg;
    r->seq = ev->seq;
}

/* Logs the event; fails with fail_code when it carries fail_arg. */
static int record_handler(kernel *k, const evq_event *ev, void *ctx)
{
    fixture *fx = ctx;
    assert_ptr_equal(k, fx->k);
    assert_true(kernel_now(k) == ev->time);
    record(fx, ev);
    return ev->arg == fx->fail_arg ? fx->fail_code : 0;
}

/* Logs the interval, the clock during the call, and fails on request. */
static int record_advance(double from, double to, void *ctx)
{
    fixture *fx = ctx;
    assert_true(fx->nadv < MAXLOG);
    assert_true(to > from);
    fx->adv_from[fx->nadv] = from;
    fx->adv_to[fx->nadv] = to;
    fx->adv_now[fx->nadv] = kernel_now(fx->k);
    if (fx->adv_schedule) {
        double mid = from + 0.5 * (to - from);
        fx->adv_rc_inside = kernel_schedule(fx->k, mid, 0, T_RECORD, 900, NULL);
        fx->adv_rc_at_to = kernel_schedule(fx->k, to, -5, T_RECORD, 901, NULL);
        fx->adv_schedule = 0;
    }
    if (fx->adv_cancel) {
        fx->rc_cancel_victim = kernel_cancel(fx->k, fx->victim);
        fx->adv_cancel = 0;
    }
    return fx->nadv++ == fx->adv_fail_at ? fx->adv_fail_code : 0;
}

static void use_recorders(fixture *fx)
{
    assert_int_equal(kernel_set_handler(fx->k, T_RECORD, record_handler), EVQ_OK);
    kernel_set_advance(fx->k, record_advance);
}

static void sched(fixture *fx, double t, int32_t prio, int32_t type, int64_t arg)
{
    assert_int_equal(kernel_schedule(fx->k, t, prio, type, arg, NULL), EVQ_OK);
}

static void assert_log_args(const fixture *fx, const int64_t *want, size_t n)
{
    assert_int_equal(fx->nlog, n);
    for (size_t i = 0; i < n; i++) {
        if (fx->log[i].arg != want[i])
            fail_msg("dispatch %zu: arg %lld, expected %lld", i,
                     (long long)fx->log[i].arg, (long long)want[i]);
    }
}

/* ---- tests -------------------------------------------------------------- */

/* Random events on tied times and priorities come out in total order. */
static void test_run_dispatches_in_time_priority_fifo_order(void **state)
{
    fixture *fx = *state;
    use_recorders(fx);
    gsl_set_error_handler_off();
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(r);
    gsl_rng_set(r, SEED);
    enum { N = 1500 };
    for (int64_t i = 0; i < N; i++)
        sched(fx, 0.25 * (double)gsl_rng_uniform_int(r, 12),
              (int32_t)gsl_rng_uniform_int(r, 3), T_RECORD, i);
    gsl_rng_free(r);

    kernel_stop why;
    assert_int_equal(kernel_run(fx->k, INFINITY, 0, fx, &why), 0);
    assert_int_equal(why, KERNEL_STOP_EMPTY);
    assert_int_equal(fx->nlog, N);
    assert_int_equal(kernel_dispatched(fx->k), N);
    assert_int_equal(kernel_pending(fx->k), 0);
    for (size_t i = 1; i < N; i++) {
        const dispatch_rec *a = &fx->log[i - 1], *b = &fx->log[i];
        int ordered = a->time < b->time
                   || (a->time == b->time && (a->priority < b->priority
                   || (a->priority == b->priority && a->seq < b->seq)));
        if (!ordered)
            fail_msg("dispatch %zu (t=%g p=%d seq=%llu) after (t=%g p=%d seq=%llu)",
                     i, b->time, (int)b->priority, (unsigned long long)b->seq,
                     a->time, (int)a->priority, (unsigned long long)a->seq);
    }
    /* An infinite horizon leaves the clock at the last event. */
    assert_true(kernel_now(fx->k) == fx->log[N - 1].time);
}

/*
 * At t = 2.5, A (prio 1), B (prio 1) and C (prio 5) are pending.  A's
 * handler schedules, at the current time, X (prio 1), Y (prio 0) and Z
 * (prio 5).  Documented order: Y first (smallest priority among pending),
 * then B (pending before X, same priority), X, then C, Z (same reasoning).
 * The clock does not move, so advance is called once, for (0, 2.5).
 */
static int script_same_time(kernel *k, const evq_event *ev, void *ctx)
{
    fixture *fx = ctx;
    record(fx, ev);
    if (ev->arg == 'A') {
        double now = kernel_now(k);
        if (kernel_schedule(k, now, 1, T_SCRIPT, 'X', NULL) != 0
            || kernel_schedule(k, now, 0, T_SCRIPT, 'Y', NULL) != 0
            || kernel_schedule(k, now, 5, T_SCRIPT, 'Z', NULL) != 0)
            return -100;
    }
    return 0;
}

static void test_same_time_events_from_handler_keep_documented_order(void **state)
{
    fixture *fx = *state;
    use_recorders(fx);
    assert_int_equal(kernel_set_handler(fx->k, T_SCRIPT, script_same_time), EVQ_OK);
    sched(fx, 2.5, 5, T_SCRIPT, 'C');
    sched(fx, 2.5, 1, T_SCRIPT, 'A');
    sched(fx, 2.5, 1, T_SCRIPT, 'B');
    sched(fx, 3.0, -9, T_SCRIPT, 'L');

    kernel_stop why;
    assert_int_equal(kernel_run(fx->k, 10.0, 0, fx, &why), 0);
    assert_int_equal(why, KERNEL_STOP_EMPTY);
    static const int64_t want[] = { 'A', 'Y', 'B', 'X', 'C', 'Z', 'L' };
    assert_log_args(fx, want, 7);
    for (size_t i = 0; i < 6; i++)
        assert_true(fx->log[i].time == 2.5);
    assert_int_equal(fx->nadv, 3);
    assert_true(fx->adv_from[0] == 0.0 && fx->adv_to[0] == 2.5);
    assert_true(fx->adv_from[1] == 2.5 && fx->adv_to[1] == 3.0);
    assert_true(fx->adv_from[2] == 3.0 && fx->adv_to[2] == 10.0);
}

/* A handler cancels a later event; cancelling itself is ENOENT. */
static int script_cancel(kernel *k, const evq_event *ev, void *ctx)
{
    fixture *fx = ctx;
    record(fx, ev);
    if (ev->arg == 1) {
        fx->rc_cancel_victim = kernel_cancel(k, fx->victim);
        fx->rc_cancel_self = kernel_cancel(k, ev->handle);
    }
    return 0;
}

static void test_cancel_from_handler_removes_pending_event(void **state)
{
    fixture *fx = *state;
    use_recorders(fx);
    assert_int_equal(kernel_set_handler(fx->k, T_SCRIPT, script_cancel), EVQ_OK);
    sched(fx, 1.0, 0, T_SCRIPT, 1);
    assert_int_equal(kernel_schedule(fx->k, 2.0, 0, T_SCRIPT, 2, &fx->victim), EVQ_OK);
    sched(fx, 3.0, 0, T_SCRIPT, 3);
    fx->rc_cancel_victim = fx->rc_cancel_self = 12345;

    kernel_stop why;
    assert_int_equal(kernel_run(fx->k, INFINITY, 0, fx, &why), 0);
    assert_int_equal(why, KERNEL_STOP_EMPTY);
    static const int64_t want[] = { 1, 3 };
    assert_log_args(fx, want, 2);
    assert_int_equal(fx->rc_cancel_victim, EVQ_OK);
    assert_int_equal(fx->rc_cancel_self, EVQ_ENOENT);
    assert_int_equal(kernel_cancel(fx->k, fx->victim), EVQ_ENOENT);
    /* The cancelled event's time is never visited. */
    assert_int_equal(fx->nadv, 2);
    assert_true(fx->adv_to[0] == 1.0 && fx->adv_to[1] == 3.0);
}

/*
 * Events at 1.25, 1.25, 3.0 from a start of 0.5, horizon 4.75: advance sees
 * (0.5, 1.25), (1.25, 3.0), (3.0, 4.75) - contiguous, never for the second
 * event at 1.25 - and the clock is still `from` during each call.
 */
static void test_advance_gets_contiguous_intervals_and_skips_same_time(void **state)
{
    fixture *fx = *state;
    use_recorders(fx);
    kernel_reset(fx->k, 0.5);
    sched(fx, 3.0, 0, T_RECORD, 3);
    sched(fx, 1.25, 0, T_RECORD, 1);
    sched(fx, 1.25, 0, T_RECORD, 2);

    kernel_stop why;
    assert_int_equal(kernel_run(fx->k, 4.75, 0, fx, &why), 0);
    assert_int_equal(why, KERNEL_STOP_EMPTY);
    static const double from[] = { 0.5, 1.25, 3.0 }, to[] = { 1.25, 3.0, 4.75 };
    assert_int_equal(fx->nadv, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_close(fx->adv_from[i], from[i], 0.0);
        assert_close(fx->adv_to[i], to[i], 0.0);
        assert_close(fx->adv_now[i], from[i], 0.0);
    }
    assert_close(kernel_now(fx->k), 4.75, 0.0);
}

/*
 * During advance the clock is committed to `to`: scheduling inside the gap
 * is refused, scheduling at `to` is accepted and dispatched in order (its
 * priority -5 puts it before the event that triggered the advance).
 */
static void test_advance_may_schedule_at_destination_only(void **state)
{
    fixture *fx = *state;
    use_recorders(fx);
    sched(fx, 2.0, 0, T_RECORD, 1);
    fx->adv_schedule = 1;
    kernel_stop why;
    assert_int_equal(kernel_run(fx->k, INFINITY, 0, fx, &why), 0);
    assert_int_equal(fx->adv_rc_inside, EVQ_EINVAL);
    assert_int_equal(fx->adv_rc_at_to, EVQ_OK);
    static const int64_t want[] = { 901, 1 };
    assert_log_args(fx, want, 2);
    assert_int_equal(fx->nadv, 1);
}

/*
 * The advance callback cancels the very event whose time it is advancing
 * to: the kernel must look at the queue again and not dispatch the next
 * event (at 4.0) with the clock at 2.0.
 */
static void test_advance_may_cancel_the_event_it_precedes(void **state)
{
    fixture *fx = *state;
    use_recorders(fx);
    assert_int_equal(kernel_schedule(fx->k, 2.0, 0, T_RECORD, 1, &fx->victim), EVQ_OK);
    sched(fx, 4.0, 0, T_RECORD, 2);
    fx->adv_cancel = 1;
    kernel_stop why;
    assert_int_equal(kernel_run(fx->k, INFINITY, 0, fx, &why), 0);
    assert_int_equal(fx->rc_cancel_victim, EVQ_OK);
    static const int64_t want[] = { 2 };
    assert_log_args(fx, want, 1);
    assert_int_equal(fx->nadv, 2);
    assert_close(fx->adv_from[1], 2.0, 0.0);
    assert_close(fx->adv_to[1], 4.0, 0.0);
    assert_close(kernel_now(fx->k), 4.0, 0.0);
}

/*
 * Horizon 3: events at 1, 2 and exactly 3 run (the horizon is inclusive),
 * 5 and 7 stay pending, and the clock ends at 3 with no further advance
 * call since it is already there.  Then horizon 6: the event at 5 runs and
 * the clock advances on to 6.
 */
static void test_horizon_stop_leaves_later_events_pending(void **state)
{
    fixture *fx = *state;
    use_recorders(fx);
    sched(fx, 7.0, 0, T_RECORD, 7);
    sched(fx, 1.0, 0, T_RECORD, 1);
    sched(fx, 5.0, 0, T_RECORD, 5);
    sched(fx, 2.0, 0, T_RECORD, 2);
    sched(fx, 3.0, 0, T_RECORD, 3);

    kernel_stop why = KERNEL_STOP_ERROR;
    assert_int_equal(kernel_run(fx->k, 3.0, 0, fx, &why), 0);
    assert_int_equal(why, KERNEL_STOP_HORIZON);
    static const int64_t first[] = { 1, 2, 3 };
    assert_log_args(fx, first, 3);
    assert_int_equal(kernel_pending(fx->k), 2);
    assert_close(kernel_now(fx->k), 3.0, 0.0);
    assert_int_equal(fx->nadv, 3);

    assert_int_equal(kernel_run(fx->k, 6.0, 0, fx, &why), 0);
    assert_int_equal(why, KERNEL_STOP_HORIZON);
    assert_close(kernel_now(fx->k), 6.0, 0.0);
    assert_int_equal(kernel_pending(fx->k), 1);
    assert_int_equal(fx->nadv, 5);
    assert_close(fx->adv_from[4], 5.0, 0.0);
    assert_close(fx->adv_to[4], 6.0, 0.0);

    evq_event next;
    assert_int_equal(kernel_peek(fx->k, &next), EVQ_OK);
    assert_int_equal(next.arg, 7);
}

/* No events and a finite horizon: the clock still advances to it. */
static void test_empty_queue_with_finite_horizon_advances_clock(void **state)
{
    fixture *fx = *state;
    use_recorders(fx);
    kernel_reset(fx->k, 1.5);
    kernel_stop why = KERNEL_STOP_ERROR;
    assert_int_equal(kernel_run(fx->k, 4.25, 0, fx, &why), 0);
    assert_int_equal(why, KERNEL_STOP_EMPTY);
    assert_close(kernel_now(fx->k), 4.25, 0.0);
    assert_int_equal(fx->nadv, 1);
    assert_close(fx->adv_from[0], 1.5, 0.0);
    assert_close(fx->adv_to[0], 4.25, 0.0);
    /* Same horizon again: nothing to advance over. */
    assert_int_equal(kernel_run(fx->k, 4.25, 0, fx, &why), 0);
    assert_int_equal(why, KERNEL_STOP_EMPTY);
    assert_int_equal(fx->nadv, 1);
    /* Infinite horizon on an empty queue: the clock stays put. */
    assert_int_equal(kernel_run(fx->k, INFINITY, 0, fx, &why), 0);
    assert_int_equal(why, KERNEL_STOP_EMPTY);
    assert_close(kernel_now(fx->k), 4.25, 0.0);
}

/* max_events bounds one call; the next call goes on from there. */
static void test_event_budget_stops_and_resumes(void **state)
{
    fixture *fx = *state;
    use_recorders(fx);
    for (int64_t i = 0; i < 10; i++)
        sched(fx, 0.5 * (double)(i + 1), 0, T_RECORD, i);
    kernel_stop why;
    assert_int_equal(kernel_run(fx->k, 100.0, 4, fx, &why), 0);
    assert_int_equal(why, KERNEL_STOP_BUDGET);
    assert_int_equal(fx->nlog, 4);
    assert_int_equal(kernel_dispatched(fx->k), 4);
    assert_int_equal(kernel_pending(fx->k), 6);
    assert_close(kernel_now(fx->k), 2.0, 0.0);

    /* Exactly the remaining six: the queue is empty, so EMPTY, not BUDGET. */
    assert_int_equal(kernel_run(fx->k, 100.0, 6, fx, &why), 0);
    assert_int_equal(why, KERNEL_STOP_EMPTY);
    assert_int_equal(kernel_dispatched(fx->k), 10);
    assert_close(kernel_now(fx->k), 100.0, 0.0);
}

/* A handler's non-zero code stops the run and comes back unchanged. */
static void test_handler_error_propagates_with_stop_error(void **state)
{
    fixture *fx = *state;
    use_recorders(fx);
    for (int64_t i = 0; i < 5; i++)
        sched(fx, 1.0 + (double)i, 0, T_RECORD, i);
    fx->fail_arg = 2;
    fx->fail_code = 42;
    kernel_stop why = KERNEL_STOP_EMPTY;
    assert_int_equal(kernel_run(fx->k, INFINITY, 0, fx, &why), 42);
    assert_int_equal(why, KERNEL_STOP_ERROR);
    assert_int_equal(fx->nlog, 3);
    assert_int_equal(kernel_dispatched(fx->k), 3);
    assert_int_equal(kernel_pending(fx->k), 2);
    assert_close(kernel_now(fx->k), 3.0, 0.0);
}

/* An advance error stops before the clock moves; the event stays pending. */
static void test_advance_error_stops_before_event(void **state)
{
    fixture *fx = *state;
    use_recorders(fx);
    sched(fx, 1.0, 0, T_RECORD, 1);
    sched(fx, 2.0, 0, T_RECORD, 2);
    fx->adv_fail_at = 1;
    fx->adv_fail_code = -77;
    kernel_stop why = KERNEL_STOP_EMPTY;
    assert_int_equal(kernel_run(fx->k, INFINITY, 0, fx, &why), -77);
    assert_int_equal(why, KERNEL_STOP_ERROR);
    assert_int_equal(fx->nlog, 1);
    assert_close(kernel_now(fx->k), 1.0, 0.0);
    assert_int_equal(kernel_pending(fx->k), 1);
}

static void test_schedule_rejects_past_nonfinite_and_bad_types(void **state)
{
    fixture *fx = *state;
    use_recorders(fx);
    kernel_reset(fx->k, 2.0);
    evq_handle h = 7;
    assert_int_equal(kernel_schedule(fx->k, 1.999, 0, T_RECORD, 0, &h), EVQ_EINVAL);
    assert_int_equal(h, 0);
    assert_int_equal(kernel_schedule(fx->k, NAN, 0, T_RECORD, 0, NULL), EVQ_EINVAL);
    assert_int_equal(kernel_schedule(fx->k, INFINITY, 0, T_RECORD, 0, NULL), EVQ_EINVAL);
    assert_int_equal(kernel_schedule(fx->k, 3.0, 0, -1, 0, NULL), EVQ_EINVAL);
    assert_int_equal(kernel_schedule(fx->k, 3.0, 0, NTYPES, 0, NULL), EVQ_EINVAL);
    assert_int_equal(kernel_schedule(fx->k, 3.0, 0, T_UNSET, 0, NULL), EVQ_EINVAL);
    assert_int_equal(kernel_set_handler(fx->k, NTYPES, record_handler), EVQ_EINVAL);
    assert_int_equal(kernel_set_handler(fx->k, -1, record_handler), EVQ_EINVAL);
    assert_int_equal(kernel_pending(fx->k), 0);
    /* The present is allowed. */
    assert_int_equal(kernel_schedule(fx->k, 2.0, 0, T_RECORD, 0, &h), EVQ_OK);
    assert_true(h != 0);
    assert_int_equal(kernel_pending(fx->k), 1);
}

/* Runs with a bad horizon, from inside a handler, or to a removed handler. */
static int script_nested(kernel *k, const evq_event *ev, void *ctx)
{
    fixture *fx = ctx;
    record(fx, ev);
    kernel_stop why = KERNEL_STOP_EMPTY;
    fx->rc_nested_run = kernel_run(k, INFINITY, 0, ctx, &why);
    return why == KERNEL_STOP_ERROR ? 0 : -1;
}

static void test_run_refuses_bad_horizon_nesting_and_missing_handler(void **state)
{
    fixture *fx = *state;
    use_recorders(fx);
    kernel_reset(fx->k, 5.0);
    kernel_stop why = KERNEL_STOP_EMPTY;
    assert_int_equal(kernel_run(fx->k, NAN, 0, fx, &why), EVQ_EINVAL);
    assert_int_equal(why, KERNEL_STOP_ERROR);
    assert_int_equal(kernel_run(fx->k, 4.0, 0, fx, NULL), EVQ_EINVAL);
    assert_close(kernel_now(fx->k), 5.0, 0.0);

    assert_int_equal(kernel_set_handler(fx->k, T_SCRIPT, script_nested), EVQ_OK);
    sched(fx, 6.0, 0, T_SCRIPT, 1);
    assert_int_equal(kernel_run(fx->k, INFINITY, 0, fx, &why), 0);
    assert_int_equal(fx->rc_nested_run, EVQ_EINVAL);
    assert_int_equal(fx->nlog, 1);

    /* Removing a handler while its events are pending stops the run there. */
    sched(fx, 7.0, 0, T_SCRIPT, 2);
    assert_int_equal(kernel_set_handler(fx->k, T_SCRIPT, NULL), EVQ_OK);
    assert_int_equal(kernel_run(fx->k, INFINITY, 0, fx, &why), EVQ_EINVAL);
    assert_int_equal(why, KERNEL_STOP_ERROR);
    assert_int_equal(kernel_pending(fx->k), 1);
    assert_close(kernel_now(fx->k), 6.0, 0.0);
}

/* A reset kernel behaves as a new one: same run, same log, seq from 0. */
static void test_reset_reuses_kernel_for_identical_replications(void **state)
{
    fixture *fx = *state;
    use_recorders(fx);
    dispatch_rec first[8];
    evq_handle stale = 0;
    for (int rep = 0; rep < 2; rep++) {
        kernel_reset(fx->k, 10.0);
        assert_close(kernel_now(fx->k), 10.0, 0.0);
        assert_int_equal(kernel_dispatched(fx->k), 0);
        assert_int_equal(kernel_pending(fx->k), 0);
        if (rep == 1)
            assert_int_equal(kernel_cancel(fx->k, stale), EVQ_ENOENT);
        fx->nlog = 0;
        for (int64_t i = 0; i < 8; i++)
            sched(fx, 10.0 + 0.375 * (double)(i % 3), (int32_t)(i % 2), T_RECORD, i);
        assert_int_equal(kernel_schedule(fx->k, 99.0, 0, T_RECORD, 99, &stale), EVQ_OK);
        kernel_stop why;
        assert_int_equal(kernel_run(fx->k, 20.0, 0, fx, &why), 0);
        assert_int_equal(why, KERNEL_STOP_HORIZON);
        assert_int_equal(kernel_dispatched(fx->k), 8);
        if (rep == 0) {
            for (size_t i = 0; i < 8; i++)
                first[i] = fx->log[i];
        } else {
            for (size_t i = 0; i < 8; i++) {
                assert_true(fx->log[i].time == first[i].time);
                assert_int_equal(fx->log[i].arg, first[i].arg);
                assert_int_equal(fx->log[i].seq, first[i].seq);
            }
        }
    }
    /* seq restarted: the first event scheduled in a replication has seq 0. */
    for (size_t i = 0; i < 8; i++)
        if (fx->log[i].arg == 0)
            assert_int_equal(fx->log[i].seq, 0);
}

static void test_alloc_rejects_zero_types_and_free_null_is_noop(void **state)
{
    (void)state;
    kernel_free(NULL);
    assert_null(kernel_alloc(0, 16));
    assert_null(kernel_alloc((size_t)INT32_MAX + 1, 16));
    kernel *k = kernel_alloc(1, 0);
    assert_non_null(k);
    assert_close(kernel_now(k), 0.0, 0.0);
    assert_int_equal(kernel_pending(k), 0);
    kernel_free(k);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_run_dispatches_in_time_priority_fifo_order),
        T(test_same_time_events_from_handler_keep_documented_order),
        T(test_cancel_from_handler_removes_pending_event),
        T(test_advance_gets_contiguous_intervals_and_skips_same_time),
        T(test_advance_may_schedule_at_destination_only),
        T(test_advance_may_cancel_the_event_it_precedes),
        T(test_horizon_stop_leaves_later_events_pending),
        T(test_empty_queue_with_finite_horizon_advances_clock),
        T(test_event_budget_stops_and_resumes),
        T(test_handler_error_propagates_with_stop_error),
        T(test_advance_error_stops_before_event),
        T(test_schedule_rejects_past_nonfinite_and_bad_types),
        T(test_run_refuses_bad_horizon_nesting_and_missing_handler),
        T(test_reset_reuses_kernel_for_identical_replications),
        cmocka_unit_test(test_alloc_rejects_zero_types_and_free_null_is_noop),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
