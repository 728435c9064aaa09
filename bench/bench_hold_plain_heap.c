/*
 * bench_hold_plain_heap - the hold model on the plain binary heap that the
 * kernel's benchmark target was stated against (a 40-line heap keyed by
 * time and insertion sequence), so that `make bench` shows the kernel's
 * queue and this reference side by side on the same machine.  Same
 * workload as bench_hold: N pending events; pop the earliest and reschedule
 * it after an exponential delay (mean 1) from GSL's mt19937.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

typedef struct {
    double t;
    unsigned long seq;
} item;

typedef struct {
    item *h;
    size_t n;
} heap;

static int less(const item *a, const item *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void push(heap *q, item e)
{
    size_t i = q->n++;
    q->h[i] = e;
    while (i) {
        size_t p = (i - 1) / 2;
        if (!less(&q->h[i], &q->h[p]))
            break;
        item t = q->h[i];
        q->h[i] = q->h[p];
        q->h[p] = t;
        i = p;
    }
}

static item pop(heap *q)
{
    item r = q->h[0];
    q->h[0] = q->h[--q->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < q->n && less(&q->h[l], &q->h[m]))
            m = l;
        if (l + 1 < q->n && less(&q->h[l + 1], &q->h[m]))
            m = l + 1;
        if (m == i)
            break;
        item t = q->h[i];
        q->h[i] = q->h[m];
        q->h[m] = t;
        i = m;
    }
    return r;
}

int main(void)
{
    static const size_t sizes[] = {10, 1000, 100000};
    const long events = 10000000;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        heap q = {malloc(sizes[k] * sizeof(item)), 0};
        if (!r || !q.h) {
            fprintf(stderr, "bench_hold_plain_heap: out of memory\n");
            return 1;
        }
        gsl_rng_set(r, 1);
        unsigned long seq = 0;
        for (size_t i = 0; i < sizes[k]; i++)
            push(&q, (item){gsl_ran_exponential(r, 1.0), seq++});
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (long i = 0; i < events; i++) {
            item e = pop(&q);
            push(&q, (item){e.t + gsl_ran_exponential(r, 1.0), seq++});
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
        printf("bench hold_plain_heap n=%zu events=%ld seconds=%.2f events_per_s=%.0f\n", sizes[k], events, s,
               (double)events / s);
        free(q.h);
        gsl_rng_free(r);
    }
    return 0;
}
