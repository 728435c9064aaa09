/*
 * projector - the projector table of compare (see projector.h).
 */
#include "study/projector.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

static const int milestone_years[] = {1950, 1960, 1969, 1980, 1989, 1996, 2001, 2015, 2019, 2025};
static const char *const main_dyads[] = {"china-russia", "china-us", "russia-us"};

/* Row of folder A's sorted keys for (year, dyad), or -1. */
static long find_row(const resultdir *a, double year, const char *dyad)
{
    resultdir_key k = {year, dyad, 0};
    const resultdir_key *hit = bsearch(&k, a->keys, a->nkeys, sizeof *a->keys, resultdir_key_cmp);
    return hit ? (long)(hit - a->keys) : -1;
}

/* A number in 7 columns with its sign; differences too small for three
 * decimals but not zero keep one significant digit, so that a real but
 * tiny effect is not printed as a zero. */
static void signed3(buf *t, double v)
{
    if (isnan(v))
        buf_printf(t, "%7s", "NA");
    else if (v != 0.0 && fabs(v) < 0.0005)
        buf_printf(t, "%+7.0e", v);
    else
        buf_printf(t, "%+7.3f", v == 0.0 ? 0.0 : v);
}

/* A probability in 7 columns. */
static void prob3(buf *t, double v)
{
    if (isnan(v))
        buf_printf(t, "%7s", "NA");
    else
        buf_printf(t, "%7.3f", v);
}

static int excludes_zero(double lo, double hi)
{
    return !isnan(lo) && !isnan(hi) && (lo > 0.0 || hi < 0.0);
}

/* One block of the table: for dyad dy, the milestone years' values of
 * x (what = 0) or P(alliance) (what = 1) of every folder and the
 * differences from A. */
static void table_block(buf *t, const resultdir *a, size_t nf, int batches, const compare_series *sv, const char *dy,
                        int what, int pct)
{
    int wide = nf == 2 && batches;
    char title[96];
    snprintf(title, sizeof title, "%s%s", dy, what ? " P(alliance)" : "");
    buf_printf(t, "%-25s %4s", title, "year");
    for (size_t i = 0; i < nf; i++)
        buf_printf(t, "  %5c  ", (char)('A' + i));
    for (size_t i = 1; i < nf; i++)
        buf_printf(t, "   %c - A ", (char)('A' + i));
    if (wide)
        buf_printf(t, "  %d%% interval", pct);
    buf_puts(t, "\n");
    /* The milestone years, then the last year of the data if it is later. */
    size_t nm = sizeof milestone_years / sizeof milestone_years[0];
    int last = (int)a->keys[a->nkeys - 1].year;
    for (size_t m = 0; m <= nm; m++) {
        int year = m < nm ? milestone_years[m] : last;
        if (m == nm && last <= milestone_years[nm - 1])
            break;
        long r = find_row(a, year, dy);
        if (r < 0)
            continue;
        buf_printf(t, "%-25s %4d", "", year);
        for (size_t i = 0; i < nf; i++) {
            buf_puts(t, "  ");
            if (what)
                prob3(t, sv[i].p[r]);
            else
                signed3(t, sv[i].mean[r]);
        }
        for (size_t i = 1; i < nf; i++) {
            double d = what ? sv[i].pd[r] : sv[i].d[r];
            double lo = what ? sv[i].plo[r] : sv[i].lo[r], hi = what ? sv[i].phi[r] : sv[i].hi[r];
            buf_puts(t, "  ");
            signed3(t, d);
            buf_puts(t, excludes_zero(lo, hi) ? "*" : " ");
        }
        if (wide) {
            double lo = what ? sv[1].plo[r] : sv[1].lo[r], hi = what ? sv[1].phi[r] : sv[1].hi[r];
            buf_puts(t, "  [");
            signed3(t, lo);
            buf_puts(t, ",");
            signed3(t, hi);
            buf_puts(t, "]");
        }
        buf_puts(t, "\n");
    }
    buf_puts(t, "\n");
}

/* The table a class reads off a projector: x of the main dyads (or, when
 * none of them is present, the first three) at the milestone years, then
 * P(alliance) of those dyads in which it differs between the folders. */
char *compare_projector_table(const resultdir *fs, size_t nf, const compare_report *rep, const compare_series *sv,
                              double conf)
{
    buf t = {0};
    const resultdir *a = &fs[0];
    const char *dy[3];
    size_t ndy = 0;
    for (size_t i = 0; i < 3; i++)
        for (size_t k = 0; k < a->nkeys; k++)
            if (strcmp(a->keys[k].dyad, main_dyads[i]) == 0) {
                dy[ndy++] = main_dyads[i];
                break;
            }
    if (ndy == 0)
        for (size_t k = 0; k < a->nkeys && ndy < 3; k++) {
            int seen = 0;
            for (size_t q = 0; q < ndy; q++)
                seen |= strcmp(dy[q], a->keys[k].dyad) == 0;
            if (!seen)
                dy[ndy++] = a->keys[k].dyad;
        }
    int pct = (int)lround(conf * 100.0);
    for (size_t i = 0; i < nf; i++)
        buf_printf(&t, "%c = %s (scenario %s)\n", (char)('A' + i), fs[i].dir, fs[i].name ? fs[i].name : "?");
    if (rep->batches) {
        buf_printf(&t, "Means over %llu replications", (unsigned long long)fs[0].reps);
        for (size_t i = 1; i < nf; i++)
            buf_printf(&t, "; %c - A: %s", (char)('A' + i),
                        rep->method[i] == COMPARE_PAIRED ? "paired (same seeds)" : "Welch");
        buf_printf(&t, "; %d%% intervals.\n\n", pct);
    } else {
        buf_puts(&t, "x of single runs (no intervals).\n\n");
    }
    for (size_t d = 0; d < ndy; d++)
        table_block(&t, a, nf, rep->batches, sv, dy[d], 0, pct);
    for (size_t d = 0; d < ndy && rep->batches; d++) {
        int differs = 0;
        for (size_t k = 0; k < a->nkeys && !differs; k++)
            if (strcmp(a->keys[k].dyad, dy[d]) == 0)
                for (size_t i = 1; i < nf; i++)
                    differs |= sv[i].p[k] != sv[0].p[k];
        if (differs)
            table_block(&t, a, nf, rep->batches, sv, dy[d], 1, pct);
    }
    if (rep->batches)
        buf_printf(&t, "* the %d%% interval of the difference excludes zero\n", pct);
    return buf_take(&t);
}
