/*
 * progress - the progress line on stderr (see progress.h).
 *
 * Invariants: `shown` is non-zero once a line has been drawn and not yet
 * erased; the rate is (done - done0) / (now - t0), where done0 and t0 are
 * those of the first update.
 */
#include "cli/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct progress {
    char label[64];
    char note[96];
    int enabled, started, shown;
    double t0, last;
    uint64_t done0;
};

static double now_seconds(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0.0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int progress_stderr_is_terminal(void)
{
    return isatty(STDERR_FILENO);
}

progress *progress_alloc(const char *label, int enabled)
{
    progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    snprintf(p->label, sizeof p->label, "%s", label);
    p->enabled = enabled;
    return p;
}

/* "45s", "3m05s", "2h07m". */
static void format_duration(double s, char *buf, size_t len)
{
    if (!(s >= 0.0) || s > 1e8) {
        snprintf(buf, len, "?");
        return;
    }
    unsigned long t = (unsigned long)(s + 0.5);
    if (t < 60)
        snprintf(buf, len, "%lus", t);
    else if (t < 3600)
        snprintf(buf, len, "%lum%02lus", t / 60, t % 60);
    else
        snprintf(buf, len, "%luh%02lum", t / 3600, (t % 3600) / 60);
}

void progress_update(progress *p, uint64_t done, uint64_t total)
{
    if (!p || !p->enabled)
        return;
    double now = now_seconds();
    if (!p->started) {
        p->started = 1;
        p->t0 = now;
        p->done0 = done;
        p->last = now - 1.0;
    }
    if (now - p->last < 0.2 && done < total)
        return;
    p->last = now;
    double secs = now - p->t0;
    double rate = secs > 0.0 ? (double)(done - p->done0) / secs : 0.0;
    char left[32] = "";
    if (rate > 0.0 && done < total)
        format_duration((double)(total - done) / rate, left, sizeof left);
    double pct = total ? 100.0 * (double)done / (double)total : 100.0;
    fprintf(stderr, "\r%s: %llu/%llu replications (%.0f%%)", p->label, (unsigned long long)done,
            (unsigned long long)total, pct);
    if (rate > 0.0)
        fprintf(stderr, ", %.0f/s", rate);
    if (left[0])
        fprintf(stderr, ", %s left", left);
    if (p->note[0])
        fprintf(stderr, "; %s", p->note);
    fputs("\033[K", stderr);
    fflush(stderr);
    p->shown = 1;
}

void progress_note(progress *p, const char *note)
{
    if (p)
        snprintf(p->note, sizeof p->note, "%s", note ? note : "");
}

void progress_callback(void *ctx, uint64_t done, uint64_t total)
{
    progress_update(ctx, done, total);
}

void progress_free(progress *p)
{
    if (!p)
        return;
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    free(p);
}
