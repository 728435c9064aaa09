/*
 * bench_hold - the classic "hold" benchmark of the pending-event set.
 *
 * N events are pending, with initial times drawn from an exponential
 * distribution of mean 1.  Each hold pops the earliest event and pushes it
 * back at its time plus an exponential delay of mean 1, so the queue size
 * stays N and the distribution of pending times settles into the hold
 * model's steady state.  The workload includes the GSL draw (mt19937 plus a
 * log), as specified, so the figures are per simulated event, not per queue
 * operation.  Before timing, min(N, 1,000,000) holds warm the queue up, so
 * the first timed holds do not see the unrepresentative initial layout.
 *
 * One line per case, to stdout:
 *   bench hold n=1000 events=10000000 seconds=0.79 events_per_s=12600000
 * Cases "hold" use kernel/evq directly; the case "hold_kernel" runs the same
 * model through kernel_run() with a handler that reschedules its own event,
 * to show what the dispatch loop adds.  Seeds are fixed: runs are repeatable
 * up to timing noise.
 */
#include "kernel/evq.h"
#include "kernel/kernel.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

#define BENCH_SEED 20240611UL
#define TIMED_EVENTS 10000000ULL
#define WARMUP_MAX 1000000ULL

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void report(const char *name, size_t n, uint64_t events, double secs)
{
    double rate = secs > 0.0 ? (double)events / secs : 0.0;
    printf("bench %s n=%zu events=%" PRIu64 " seconds=%.2f events_per_s=%.0f\n",
           name, n, events, secs, rate);
    fflush(stdout);
}

/* Pops and re-pushes `count` times; returns 0, or an EVQ_* error. */
static int hold_loop(evq *q, gsl_rng *r, uint64_t count)
{
    evq_event ev;
    for (uint64_t i = 0; i < count; i++) {
        if (evq_pop(q, &ev) != EVQ_OK)
            return EVQ_EMPTY;
        int rc = evq_push(q, ev.time + gsl_ran_exponential(r, 1.0),
                          ev.priority, ev.type, ev.arg, NULL);
        if (rc != EVQ_OK)
            return rc;
    }
    return EVQ_OK;
}

/* The hold model on a bare evq with n pending events. */
static int bench_evq(size_t n, gsl_rng *r)
{
    int rc = 1;
    evq *q = evq_alloc(n);
    if (q == NULL) {
        fprintf(stderr, "bench_hold: cannot allocate a queue of %zu events\n", n);
        return 1;
    }
    gsl_rng_set(r, BENCH_SEED);
    for (size_t i = 0; i < n; i++)
        if (evq_push(q, gsl_ran_exponential(r, 1.0), 0, 0, (int64_t)i, NULL) != EVQ_OK)
            goto fail;
    uint64_t warm = n < WARMUP_MAX ? n : WARMUP_MAX;
    if (hold_loop(q, r, warm) != EVQ_OK)
        goto fail;
    double t0 = seconds_now();
    if (hold_loop(q, r, TIMED_EVENTS) != EVQ_OK)
        goto fail;
    report("hold", n, TIMED_EVENTS, seconds_now() - t0);
    rc = 0;
fail:
    if (rc != 0)
        fprintf(stderr, "bench_hold: queue operation failed at n=%zu\n", n);
    evq_free(q);
    return rc;
}

/* The same model through the kernel: each event reschedules itself. */
static int on_hold(kernel *k, const evq_event *ev, void *ctx)
{
    gsl_rng *r = ctx;
    return kernel_schedule(k, ev->time + gsl_ran_exponential(r, 1.0),
                           ev->priority, ev->type, ev->arg, NULL);
}

static int bench_kernel(size_t n, gsl_rng *r)
{
    int rc = 1;
    kernel_stop why;
    kernel *k = kernel_alloc(1, n);
    if (k == NULL || kernel_set_handler(k, 0, on_hold) != EVQ_OK) {
        fprintf(stderr, "bench_hold: cannot allocate a kernel of %zu events\n", n);
        goto fail;
    }
    kernel_reset(k, 0.0);
    gsl_rng_set(r, BENCH_SEED);
    for (size_t i = 0; i < n; i++)
        if (kernel_schedule(k, gsl_ran_exponential(r, 1.0), 0, 0, (int64_t)i, NULL) != EVQ_OK)
            goto fail;
    uint64_t warm = n < WARMUP_MAX ? n : WARMUP_MAX;
    if (kernel_run(k, HUGE_VAL, warm, r, &why) != 0 || why != KERNEL_STOP_BUDGET)
        goto fail;
    double t0 = seconds_now();
    if (kernel_run(k, HUGE_VAL, TIMED_EVENTS, r, &why) != 0 || why != KERNEL_STOP_BUDGET)
        goto fail;
    report("hold_kernel", n, TIMED_EVENTS, seconds_now() - t0);
    rc = 0;
fail:
    if (rc != 0)
        fprintf(stderr, "bench_hold: kernel run failed at n=%zu\n", n);
    kernel_free(k);
    return rc;
}

int main(void)
{
    static const size_t sizes[] = { 10, 1000, 100000, 10000000 };
    gsl_set_error_handler_off();
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r == NULL) {
        fprintf(stderr, "bench_hold: cannot allocate the generator\n");
        return 1;
    }
    int rc = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0] && rc == 0; i++)
        rc = bench_evq(sizes[i], r);
    if (rc == 0)
        rc = bench_kernel(1000, r);
    gsl_rng_free(r);
    return rc;
}
