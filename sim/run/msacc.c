/*
 * msacc - integer milestone accumulators (see msacc.h).
 *
 * Invariants: for every target, met <= n, within2 <= met, within1 <=
 * within2; the target's date bins sum to the number of replications with a
 * date, its error bins to met.  All updates are integer additions, so any
 * grouping of adds and merges gives the same state.
 *
 * Layout: one array `cnt` of 4 counters per target, one array `bins` of all
 * histogram counts; target i's date bins start at date_off[i] and cover bin
 * keys date_k0 .. date_k0 + ndate - 1 (the same for every target), its error
 * bins start at err_off[i] and cover err_k0[i] .. err_k0[i] + nerr[i] - 1.
 */
#include "run/msacc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/status.h"

#define BINS_PER_YEAR 100.0
#define MAX_BINS 10000000LL
#define PACK_MAGIC "ASMSACC"
#define PACK_VERSION 1u

enum { C_N = 0, C_MET, C_W1, C_W2, C_COUNT };

struct msacc {
    size_t ntargets;
    uint64_t *cnt;       /* C_COUNT per target */
    uint64_t *bins;      /* every histogram, see above */
    size_t nbins;        /* length of bins */
    int64_t date_k0;     /* key of the first date bin */
    size_t ndate;        /* date bins per target */
    int64_t *err_k0;     /* per target: key of the first error bin */
    size_t *nerr;        /* per target: error bins */
    size_t *date_off, *err_off;
    int64_t *year_k;     /* per target: key of the historical date */
};

static int64_t key_of(double years)
{
    return (int64_t)llround(years * BINS_PER_YEAR);
}

void msacc_free(msacc *a)
{
    if (!a)
        return;
    free(a->cnt);
    free(a->bins);
    free(a->err_k0);
    free(a->nerr);
    free(a->date_off);
    free(a->err_off);
    free(a->year_k);
    free(a);
}

msacc *msacc_alloc(const model_spec *spec)
{
    if (!(spec->horizon >= spec->start) || !isfinite(spec->start) || !isfinite(spec->horizon))
        return NULL;
    int64_t ks = key_of(spec->start), kh = key_of(spec->horizon);
    if (kh - ks + 1 > MAX_BINS)
        return NULL;
    size_t nt = spec->ntargets;
    msacc *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->ntargets = nt;
    a->date_k0 = ks;
    a->ndate = (size_t)(kh - ks + 1);
    size_t m = nt ? nt : 1;
    a->cnt = calloc(m * C_COUNT, sizeof *a->cnt);
    a->err_k0 = calloc(m, sizeof *a->err_k0);
    a->nerr = calloc(m, sizeof *a->nerr);
    a->date_off = calloc(m, sizeof *a->date_off);
    a->err_off = calloc(m, sizeof *a->err_off);
    a->year_k = calloc(m, sizeof *a->year_k);
    if (!a->cnt || !a->err_k0 || !a->nerr || !a->date_off || !a->err_off || !a->year_k)
        goto fail;
    size_t total = 0;
    for (size_t i = 0; i < nt; i++) {
        const spec_target *t = &spec->targets[i];
        if (!isfinite(t->year))
            goto fail;
        a->year_k[i] = key_of(t->year);
        /* Errors run from start - year to horizon - year; keep 0 inside
         * (a stays_below target that held has error 0) and a bin of slack
         * on each side for rounding. */
        int64_t lo = ks - a->year_k[i] - 1, hi = kh - a->year_k[i] + 1;
        if (lo > 0)
            lo = 0;
        if (hi < 0)
            hi = 0;
        if (hi - lo + 1 > MAX_BINS)
            goto fail;
        a->err_k0[i] = lo;
        a->nerr[i] = (size_t)(hi - lo + 1);
        a->date_off[i] = total;
        total += a->ndate;
        a->err_off[i] = total;
        total += a->nerr[i];
        if (total > (size_t)MAX_BINS * 64)
            goto fail;
    }
    a->nbins = total;
    a->bins = calloc(total ? total : 1, sizeof *a->bins);
    if (!a->bins)
        goto fail;
    return a;
fail:
    msacc_free(a);
    return NULL;
}

void msacc_reset(msacc *a)
{
    memset(a->cnt, 0, a->ntargets * C_COUNT * sizeof *a->cnt);
    memset(a->bins, 0, a->nbins * sizeof *a->bins);
}

/* Index of key k in a histogram of n bins starting at key k0, clamped. */
static size_t bin_index(int64_t k, int64_t k0, size_t n)
{
    if (k < k0)
        return 0;
    if ((uint64_t)(k - k0) >= n)
        return n - 1;
    return (size_t)(k - k0);
}

void msacc_add(msacc *a, const milestones *ms)
{
    for (size_t i = 0; i < a->ntargets; i++) {
        uint64_t *c = a->cnt + i * C_COUNT;
        double sy = milestones_sim_year(ms, i), e = milestones_error(ms, i);
        c[C_N]++;
        if (!isnan(sy))
            a->bins[a->date_off[i] + bin_index(key_of(sy), a->date_k0, a->ndate)]++;
        if (isnan(e))
            continue;
        c[C_MET]++;
        double ae = fabs(e);
        if (ae <= 1.0)
            c[C_W1]++;
        if (ae <= 2.0)
            c[C_W2]++;
        int64_t ke = !isnan(sy) ? key_of(sy) - a->year_k[i] : key_of(e);
        a->bins[a->err_off[i] + bin_index(ke, a->err_k0[i], a->nerr[i])]++;
    }
}

static int same_shape(const msacc *x, const msacc *y)
{
    if (x->ntargets != y->ntargets || x->nbins != y->nbins || x->date_k0 != y->date_k0 ||
        x->ndate != y->ndate)
        return 0;
    for (size_t i = 0; i < x->ntargets; i++)
        if (x->err_k0[i] != y->err_k0[i] || x->nerr[i] != y->nerr[i] || x->year_k[i] != y->year_k[i])
            return 0;
    return 1;
}

int msacc_merge(msacc *dst, const msacc *src)
{
    if (!same_shape(dst, src))
        return AS_ERUNTIME;
    for (size_t i = 0; i < dst->ntargets * C_COUNT; i++)
        dst->cnt[i] += src->cnt[i];
    for (size_t i = 0; i < dst->nbins; i++)
        dst->bins[i] += src->bins[i];
    return 0;
}

/* Key of the order statistic `rank` (0-based) of a histogram holding more
 * than rank observations. */
static int64_t order_key(const uint64_t *bins, size_t n, int64_t k0, uint64_t rank)
{
    uint64_t seen = 0;
    for (size_t j = 0; j < n; j++) {
        seen += bins[j];
        if (seen > rank)
            return k0 + (int64_t)j;
    }
    return k0 + (int64_t)n - 1;
}

/* Median of the binned values (NaN when empty). */
static double median(const uint64_t *bins, size_t n, int64_t k0)
{
    uint64_t count = 0;
    for (size_t j = 0; j < n; j++)
        count += bins[j];
    if (count == 0)
        return NAN;
    int64_t k1 = order_key(bins, n, k0, (count - 1) / 2);
    int64_t k2 = order_key(bins, n, k0, count / 2);
    return (double)(k1 + k2) / (2.0 * BINS_PER_YEAR);
}

msacc_result msacc_get(const msacc *a, size_t i)
{
    msacc_result r = {0, NAN, NAN, NAN, NAN, NAN};
    if (i >= a->ntargets)
        return r;
    const uint64_t *c = a->cnt + i * C_COUNT;
    r.n = c[C_N];
    if (r.n == 0)
        return r;
    double n = (double)r.n;
    r.reached = (double)c[C_MET] / n;
    r.within1 = (double)c[C_W1] / n;
    r.within2 = (double)c[C_W2] / n;
    r.sim_year = median(a->bins + a->date_off[i], a->ndate, a->date_k0);
    r.error_years = median(a->bins + a->err_off[i], a->nerr[i], a->err_k0[i]);
    return r;
}

size_t msacc_packed_size(const msacc *a)
{
    return 8 * (4 + a->ntargets * C_COUNT + a->nbins + 1);
}

int msacc_pack(const msacc *a, void *out, size_t len)
{
    if (len < msacc_packed_size(a))
        return AS_ERUNTIME;
    unsigned char *p = out;
    memcpy(p, PACK_MAGIC, 8);
    buf_put_u64(p + 8, PACK_VERSION);
    buf_put_u64(p + 16, a->ntargets);
    buf_put_u64(p + 24, a->nbins);
    size_t o = 32;
    for (size_t i = 0; i < a->ntargets * C_COUNT; i++, o += 8)
        buf_put_u64(p + o, a->cnt[i]);
    for (size_t i = 0; i < a->nbins; i++, o += 8)
        buf_put_u64(p + o, a->bins[i]);
    buf_put_u64(p + o, buf_fnv1a(BUF_FNV_OFFSET, p, o));
    return 0;
}

int msacc_unpack(msacc *a, const void *data, size_t len)
{
    const unsigned char *p = data;
    if (len != msacc_packed_size(a) || memcmp(p, PACK_MAGIC, 8) != 0 ||
        buf_get_u64(p + 8) != PACK_VERSION || buf_get_u64(p + 16) != a->ntargets ||
        buf_get_u64(p + 24) != a->nbins ||
        buf_get_u64(p + len - 8) != buf_fnv1a(BUF_FNV_OFFSET, p, len - 8))
        return AS_ERUNTIME;
    /* Check the invariants before touching a. */
    size_t o = 32;
    uint64_t *cnt = malloc((a->ntargets ? a->ntargets : 1) * C_COUNT * sizeof *cnt);
    if (!cnt)
        return AS_ERUNTIME;
    for (size_t i = 0; i < a->ntargets * C_COUNT; i++, o += 8)
        cnt[i] = buf_get_u64(p + o);
    for (size_t i = 0; i < a->ntargets; i++) {
        const uint64_t *c = cnt + i * C_COUNT;
        if (c[C_MET] > c[C_N] || c[C_W2] > c[C_MET] || c[C_W1] > c[C_W2]) {
            free(cnt);
            return AS_ERUNTIME;
        }
    }
    memcpy(a->cnt, cnt, a->ntargets * C_COUNT * sizeof *cnt);
    free(cnt);
    for (size_t i = 0; i < a->nbins; i++, o += 8)
        a->bins[i] = buf_get_u64(p + o);
    return 0;
}
