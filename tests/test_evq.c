/*
 * test_evq - the pending-event set pops in (time, priority, seq) order, with
 * ties first-in first-out, under any mix of pushes, pops and cancels; its
 * handles name one event and go stale when it leaves; it grows from any
 * capacity without losing events or handles; bad times are refused.
 *
 * Each test gets a fresh queue of capacity 1 (so growth happens at once) and
 * a mt19937 generator with a fixed seed (setup/teardown).  The property tests
 * replay random operations against a plain reference array: the reference
 * minimum is found by a linear scan and the final drain is compared with a
 * qsort of the reference by (time, priority, seq).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include "kernel/evq.h"

#include <float.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEED 20240611UL

typedef struct {
    evq *q;
    gsl_rng *r;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (fx == NULL)
        return -1;
    gsl_set_error_handler_off();
    fx->q = evq_alloc(1);
    fx->r = gsl_rng_alloc(gsl_rng_mt19937);
    if (fx->q == NULL || fx->r == NULL) {
        evq_free(fx->q);
        if (fx->r != NULL)
            gsl_rng_free(fx->r);
        free(fx);
        return -1;
    }
    gsl_rng_set(fx->r, SEED);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    evq_free(fx->q);
    gsl_rng_free(fx->r);
    free(fx);
    return 0;
}

/* ---- reference model ---------------------------------------------------- */

enum { REF_PENDING, REF_POPPED, REF_CANCELLED };

typedef struct {
    double time;
    int32_t priority;
    int32_t type;
    int64_t arg;
    uint64_t seq;
    evq_handle handle;
    int state;
} ref_event;

typedef struct {
    ref_event *ev;
    size_t n, cap;
} ref;

/*
 * Ten times with many exact ties, both zeros (equal as doubles, so they tie
 * too), negatives, the smallest subnormal and huge magnitudes: the queue must
 * order them exactly as double comparison does.
 */
static const double tie_times[10] = {
    2.385, -0.0, 0.0, -1.75, 5e-324, 1e300, -1e300, 0.125, 2.385000000000001, 17.0
};

static int ref_cmp(const void *pa, const void *pb)
{
    const ref_event *a = pa, *b = pb;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    if (a->priority != b->priority)
        return a->priority < b->priority ? -1 : 1;
    return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

static ref_event *ref_add(ref *rf)
{
    if (rf->n == rf->cap) {
        rf->cap = rf->cap ? 2 * rf->cap : 256;
        rf->ev = realloc(rf->ev, rf->cap * sizeof *rf->ev);
        assert_non_null(rf->ev);
    }
    return &rf->ev[rf->n++];
}

/* Index of the first pending event in total order, or SIZE_MAX if none. */
static size_t ref_min(const ref *rf)
{
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < rf->n; i++)
        if (rf->ev[i].state == REF_PENDING
            && (best == SIZE_MAX || ref_cmp(&rf->ev[i], &rf->ev[best]) < 0))
            best = i;
    return best;
}

static size_t ref_pending(const ref *rf)
{
    size_t n = 0;
    for (size_t i = 0; i < rf->n; i++)
        n += rf->ev[i].state == REF_PENDING;
    return n;
}

/* Pushes a random tied event into both the queue and the reference. */
static void push_random(fixture *fx, ref *rf, uint64_t seq)
{
    ref_event *e = ref_add(rf);
    e->time = tie_times[gsl_rng_uniform_int(fx->r, 10)];
    e->priority = (int32_t)gsl_rng_uniform_int(fx->r, 3) - 1;
    e->type = (int32_t)gsl_rng_uniform_int(fx->r, 7);
    e->arg = (int64_t)gsl_rng_get(fx->r) - 2000000000;
    e->seq = seq;
    e->state = REF_PENDING;
    assert_int_equal(evq_push(fx->q, e->time, e->priority, e->type, e->arg,
                              &e->handle), EVQ_OK);
    assert_true(e->handle != 0);
}

/* Asserts that a popped event is exactly the reference event. */
static void assert_same_event(const evq_event *got, const ref_event *want)
{
    assert_true(got->time == want->time);
    assert_int_equal(got->priority, want->priority);
    assert_int_equal(got->type, want->type);
    assert_int_equal(got->arg, want->arg);
    assert_int_equal(got->seq, want->seq);
    assert_int_equal(got->handle, want->handle);
}

/* Pops everything left and checks it against the sorted pending reference. */
static void drain_and_compare(fixture *fx, ref *rf)
{
    size_t n = 0;
    for (size_t i = 0; i < rf->n; i++)
        if (rf->ev[i].state == REF_PENDING)
            rf->ev[n++] = rf->ev[i];
    rf->n = n;
    qsort(rf->ev, n, sizeof *rf->ev, ref_cmp);
    assert_int_equal(evq_size(fx->q), n);
    evq_event got;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(evq_pop(fx->q, &got), EVQ_OK);
        assert_same_event(&got, &rf->ev[i]);
    }
    assert_int_equal(evq_pop(fx->q, &got), EVQ_EMPTY);
    assert_int_equal(evq_size(fx->q), 0);
}

/* ---- tests -------------------------------------------------------------- */

/*
 * 20,000 random operations (half pushes, a fifth cancels of any handle ever
 * issued, the rest pops) on ten tied times and three priorities.  Every pop
 * must return the reference minimum; every cancel must succeed exactly when
 * the reference says the event is pending; the size must agree throughout;
 * the final drain must equal the sorted reference.
 */
static void test_random_pushes_cancels_and_pops_match_sorted_reference(void **state)
{
    fixture *fx = *state;
    ref rf = { 0 };
    uint64_t seq = 0;
    evq_event got;
    for (int step = 0; step < 20000; step++) {
        double u = gsl_rng_uniform(fx->r);
        if (u < 0.5) {
            push_random(fx, &rf, seq++);
        } else if (u < 0.7) {
            if (rf.n == 0)
                continue;
            ref_event *e = &rf.ev[gsl_rng_uniform_int(fx->r, rf.n)];
            int want = e->state == REF_PENDING ? EVQ_OK : EVQ_ENOENT;
            assert_int_equal(evq_contains(fx->q, e->handle), want == EVQ_OK);
            assert_int_equal(evq_cancel(fx->q, e->handle), want);
            if (want == EVQ_OK)
                e->state = REF_CANCELLED;
        } else {
            size_t m = ref_min(&rf);
            if (m == SIZE_MAX) {
                assert_int_equal(evq_pop(fx->q, &got), EVQ_EMPTY);
                continue;
            }
            assert_int_equal(evq_pop(fx->q, &got), EVQ_OK);
            assert_same_event(&got, &rf.ev[m]);
            rf.ev[m].state = REF_POPPED;
        }
        assert_int_equal(evq_size(fx->q), ref_pending(&rf));
    }
    assert_true(ref_pending(&rf) > 1000);
    drain_and_compare(fx, &rf);
    free(rf.ev);
}

/*
 * Cancelling most of a large queue forces the lazy-cancel compaction to run
 * several times; the survivors must still drain in exact order.
 */
static void test_mass_cancel_keeps_survivors_in_order(void **state)
{
    fixture *fx = *state;
    ref rf = { 0 };
    for (uint64_t i = 0; i < 5000; i++)
        push_random(fx, &rf, i);
    for (size_t i = 0; i < rf.n; i++) {
        if (gsl_rng_uniform(fx->r) < 0.9) {
            assert_int_equal(evq_cancel(fx->q, rf.ev[i].handle), EVQ_OK);
            rf.ev[i].state = REF_CANCELLED;
        }
    }
    assert_int_equal(evq_size(fx->q), ref_pending(&rf));
    assert_true(ref_pending(&rf) > 300 && ref_pending(&rf) < 700);
    drain_and_compare(fx, &rf);
    free(rf.ev);
}

/* Equal time and priority pop in insertion order, whatever the priority. */
static void test_equal_keys_pop_first_in_first_out(void **state)
{
    fixture *fx = *state;
    for (int64_t i = 0; i < 300; i++)
        assert_int_equal(evq_push(fx->q, 3.75, (int32_t)(i % 2), 0, i, NULL), EVQ_OK);
    evq_event got;
    for (int64_t i = 0; i < 300; i++) {
        assert_int_equal(evq_pop(fx->q, &got), EVQ_OK);
        /* priority 0 first (even args in order), then priority 1 */
        int64_t want = i < 150 ? 2 * i : 2 * (i - 150) + 1;
        assert_int_equal(got.arg, want);
        assert_int_equal(got.seq, (uint64_t)want);
        assert_int_equal(got.priority, (int32_t)(want % 2));
    }
}

/* A hand-checked case: time first, then priority (signed), then seq. */
static void test_priority_breaks_time_ties_and_time_comes_first(void **state)
{
    fixture *fx = *state;
    assert_int_equal(evq_push(fx->q, 2.385, 1, 0, 10, NULL), EVQ_OK);
    assert_int_equal(evq_push(fx->q, 2.385, -3, 0, 11, NULL), EVQ_OK);
    assert_int_equal(evq_push(fx->q, 2.385, 1, 0, 12, NULL), EVQ_OK);
    assert_int_equal(evq_push(fx->q, 1.25, 7, 0, 13, NULL), EVQ_OK);
    assert_int_equal(evq_push(fx->q, 2.385, INT32_MIN, 0, 14, NULL), EVQ_OK);
    assert_int_equal(evq_push(fx->q, -0.5, INT32_MAX, 0, 15, NULL), EVQ_OK);
    static const int64_t want[] = { 15, 13, 14, 11, 10, 12 };
    evq_event got;
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(evq_pop(fx->q, &got), EVQ_OK);
        assert_int_equal(got.arg, want[i]);
    }
}

/*
 * Starting from capacity 1, 100,000 pushes grow both arrays many times.  The
 * handles of the first events must survive every growth (cancel works on
 * them), and the rest must drain sorted with nothing lost.
 */
static void test_growth_from_capacity_one_keeps_events_and_handles(void **state)
{
    fixture *fx = *state;
    enum { N = 100000 };
    evq_handle *h = malloc(N * sizeof *h);
    assert_non_null(h);
    for (int64_t i = 0; i < N; i++)
        assert_int_equal(evq_push(fx->q, gsl_ran_exponential(fx->r, 2.385),
                                  0, 0, i, &h[i]), EVQ_OK);
    assert_int_equal(evq_size(fx->q), N);
    /* Cancel every tenth event through handles issued long before growth. */
    for (size_t i = 0; i < N; i += 10) {
        assert_true(evq_contains(fx->q, h[i]));
        assert_int_equal(evq_cancel(fx->q, h[i]), EVQ_OK);
    }
    assert_int_equal(evq_size(fx->q), N - N / 10);
    evq_event got;
    double last = -INFINITY;
    size_t n = 0;
    while (evq_pop(fx->q, &got) == EVQ_OK) {
        assert_true(got.time >= last);
        assert_true(got.arg % 10 != 0);
        assert_int_equal(got.handle, h[got.arg]);
        last = got.time;
        n++;
    }
    assert_int_equal(n, N - N / 10);
    free(h);
}

static void test_cancel_of_popped_cancelled_stale_or_unknown_handle_is_enoent(void **state)
{
    fixture *fx = *state;
    evq_handle a, b, c, d;
    evq_event got;
    assert_int_equal(evq_push(fx->q, 1.5, 0, 0, 1, &a), EVQ_OK);
    assert_int_equal(evq_push(fx->q, 2.5, 0, 0, 2, &b), EVQ_OK);

    /* popped */
    assert_int_equal(evq_pop(fx->q, &got), EVQ_OK);
    assert_int_equal(got.handle, a);
    assert_int_equal(evq_cancel(fx->q, a), EVQ_ENOENT);

    /* cancelled once: fine; twice: gone */
    assert_int_equal(evq_cancel(fx->q, b), EVQ_OK);
    assert_int_equal(evq_cancel(fx->q, b), EVQ_ENOENT);
    assert_int_equal(evq_size(fx->q), 0);

    /* a new event reuses a's storage; a's handle must not reach it */
    assert_int_equal(evq_push(fx->q, 3.5, 0, 0, 3, &c), EVQ_OK);
    assert_true(c != a && c != b);
    assert_int_equal(evq_cancel(fx->q, a), EVQ_ENOENT);
    assert_int_equal(evq_cancel(fx->q, b), EVQ_ENOENT);
    assert_int_equal(evq_size(fx->q), 1);

    /* stale after clear, even once the storage is reused */
    evq_clear(fx->q);
    assert_int_equal(evq_push(fx->q, 4.5, 0, 0, 4, &d), EVQ_OK);
    assert_int_equal(evq_cancel(fx->q, c), EVQ_ENOENT);
    assert_int_equal(evq_size(fx->q), 1);

    /* unknown: 0, a slot never used, and forged generations of a live slot */
    assert_int_equal(evq_cancel(fx->q, 0), EVQ_ENOENT);
    assert_int_equal(evq_cancel(fx->q, (evq_handle)12345), EVQ_ENOENT);
    assert_int_equal(evq_cancel(fx->q, d + ((evq_handle)1 << 32)), EVQ_ENOENT);
    assert_int_equal(evq_cancel(fx->q, d + ((evq_handle)2 << 32)), EVQ_ENOENT);
    assert_int_equal(evq_cancel(fx->q, UINT64_MAX), EVQ_ENOENT);
    assert_int_equal(evq_size(fx->q), 1);

    /* a cancelled event whose entry is still in the heap (not at the head)
     * must not be reachable by a forged handle either */
    evq_handle e;
    assert_int_equal(evq_push(fx->q, 8.5, 0, 0, 5, &e), EVQ_OK);
    assert_int_equal(evq_cancel(fx->q, e), EVQ_OK);
    assert_int_equal(evq_cancel(fx->q, e + ((evq_handle)1 << 32)), EVQ_ENOENT);
    assert_int_equal(evq_size(fx->q), 1);

    /* and the live one still cancels */
    assert_int_equal(evq_cancel(fx->q, d), EVQ_OK);
    assert_int_equal(evq_pop(fx->q, &got), EVQ_EMPTY);
}

/* A cancelled event at the head must not be what peek or pop return. */
static void test_cancelled_head_is_skipped_by_peek_and_pop(void **state)
{
    fixture *fx = *state;
    evq_handle h1, h2;
    evq_event got;
    assert_int_equal(evq_push(fx->q, 1.0, 0, 0, 1, &h1), EVQ_OK);
    assert_int_equal(evq_push(fx->q, 1.0, 0, 0, 2, &h2), EVQ_OK);
    assert_int_equal(evq_push(fx->q, 9.25, 0, 0, 3, NULL), EVQ_OK);
    assert_int_equal(evq_cancel(fx->q, h1), EVQ_OK);
    assert_int_equal(evq_peek(fx->q, &got), EVQ_OK);
    assert_int_equal(got.arg, 2);
    assert_int_equal(evq_cancel(fx->q, h2), EVQ_OK);
    assert_int_equal(evq_peek(fx->q, &got), EVQ_OK);
    assert_int_equal(got.arg, 3);
    assert_int_equal(evq_pop(fx->q, &got), EVQ_OK);
    assert_int_equal(got.arg, 3);
    assert_int_equal(evq_peek(fx->q, &got), EVQ_EMPTY);
}

static void test_push_of_nan_or_infinite_time_is_einval(void **state)
{
    fixture *fx = *state;
    static const double bad[] = { NAN, INFINITY, -INFINITY };
    for (size_t i = 0; i < 3; i++) {
        evq_handle h = 99;
        assert_int_equal(evq_push(fx->q, bad[i], 0, 0, 0, &h), EVQ_EINVAL);
        assert_int_equal(h, 0);
        assert_int_equal(evq_size(fx->q), 0);
    }
    /* The largest finite times are fine and keep their order. */
    evq_event got;
    assert_int_equal(evq_push(fx->q, DBL_MAX, 0, 0, 1, NULL), EVQ_OK);
    assert_int_equal(evq_push(fx->q, -DBL_MAX, 0, 0, 2, NULL), EVQ_OK);
    assert_int_equal(evq_pop(fx->q, &got), EVQ_OK);
    assert_true(got.time == -DBL_MAX);
    assert_int_equal(evq_pop(fx->q, &got), EVQ_OK);
    assert_true(got.time == DBL_MAX);
}

/* peek returns exactly what the following pop returns, and never removes. */
static void test_peek_agrees_with_pop(void **state)
{
    fixture *fx = *state;
    ref rf = { 0 };
    for (uint64_t i = 0; i < 2000; i++)
        push_random(fx, &rf, i);
    evq_event peeked, popped;
    memset(&popped, 0x5a, sizeof popped);
    while (evq_peek(fx->q, &peeked) == EVQ_OK) {
        size_t before = evq_size(fx->q);
        evq_event again;
        assert_int_equal(evq_peek(fx->q, &again), EVQ_OK);
        assert_memory_equal(&peeked, &again, sizeof peeked);
        assert_int_equal(evq_size(fx->q), before);
        assert_int_equal(evq_pop(fx->q, &popped), EVQ_OK);
        assert_memory_equal(&peeked, &popped, sizeof peeked);
    }
    /* Empty: both say so and leave *out alone. */
    evq_event untouched = popped;
    assert_int_equal(evq_pop(fx->q, &popped), EVQ_EMPTY);
    assert_int_equal(evq_peek(fx->q, &popped), EVQ_EMPTY);
    assert_memory_equal(&untouched, &popped, sizeof popped);
    free(rf.ev);
}

/* clear empties, restarts seq at 0, and the queue works as new afterwards. */
static void test_clear_empties_and_restarts_sequence(void **state)
{
    fixture *fx = *state;
    ref rf = { 0 };
    for (uint64_t i = 0; i < 500; i++)
        push_random(fx, &rf, i);
    evq_clear(fx->q);
    assert_int_equal(evq_size(fx->q), 0);
    evq_event got;
    assert_int_equal(evq_pop(fx->q, &got), EVQ_EMPTY);
    for (size_t i = 0; i < rf.n; i++)
        assert_false(evq_contains(fx->q, rf.ev[i].handle));
    rf.n = 0;
    for (uint64_t i = 0; i < 700; i++)
        push_random(fx, &rf, i);
    drain_and_compare(fx, &rf);
    free(rf.ev);
}

/* Capacity 0 is allowed; free(NULL) is a no-op. */
static void test_zero_capacity_queue_works_and_free_null_is_noop(void **state)
{
    (void)state;
    evq_free(NULL);
    evq *q = evq_alloc(0);
    assert_non_null(q);
    evq_event got;
    assert_int_equal(evq_peek(q, &got), EVQ_EMPTY);
    assert_int_equal(evq_push(q, 0.75, 2, 5, -8, NULL), EVQ_OK);
    assert_int_equal(evq_pop(q, &got), EVQ_OK);
    assert_true(got.time == 0.75);
    assert_int_equal(got.priority, 2);
    assert_int_equal(got.type, 5);
    assert_int_equal(got.arg, -8);
    assert_int_equal(got.seq, 0);
    evq_free(q);
}

/* An absurd capacity fails cleanly instead of overflowing n * size. */
static void test_alloc_of_impossible_capacity_returns_null(void **state)
{
    (void)state;
    assert_null(evq_alloc(SIZE_MAX));
    assert_null(evq_alloc(SIZE_MAX / 16));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_random_pushes_cancels_and_pops_match_sorted_reference),
        T(test_mass_cancel_keeps_survivors_in_order),
        T(test_equal_keys_pop_first_in_first_out),
        T(test_priority_breaks_time_ties_and_time_comes_first),
        T(test_growth_from_capacity_one_keeps_events_and_handles),
        T(test_cancel_of_popped_cancelled_stale_or_unknown_handle_is_enoent),
        T(test_cancelled_head_is_skipped_by_peek_and_pop),
        T(test_push_of_nan_or_infinite_time_is_einval),
        T(test_peek_agrees_with_pop),
        T(test_clear_empties_and_restarts_sequence),
        cmocka_unit_test(test_zero_capacity_queue_works_and_free_null_is_noop),
        cmocka_unit_test(test_alloc_of_impossible_capacity_returns_null),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
