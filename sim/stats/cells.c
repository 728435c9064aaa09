/*
 * stats/cells - exact, mergeable accumulators (see cells.h for the model).
 *
 * Invariants of every stats_cells, kept by add, merge and unpack:
 *   - for each cell, n <= STATS_CELLS_MAX_N, n_flag <= n, n_clamped <= n;
 *   - the cell's nbins bin counts sum to n;
 *   - S1 and S2 are the sums of q and q^2 over the cell's observations,
 *     with every q in [qlo, qhi]; hence |S1| < 2^72 and S2 < 2^112, so
 *     the 128-bit sums never overflow and integer addition keeps them exact.
 * Nothing but integers is accumulated, and floating point is used only to
 * map a value to its q (a pure function of the value) and to summarise.
 *
 * Memory: one array of per-cell sums and one array of ncells * nbins uint32
 * bin counts (cell-major), both sized once at allocation.  stats_cells_add
 * never allocates.
 *
 * Needs a compiler with __int128 (gcc and clang on 64-bit targets).
 */
#include "stats/cells.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 128-bit integers; __extension__ keeps -Wpedantic quiet (gcc and clang). */
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

/* Bits of quantisation: q = llround(v * 2^QBITS). */
#define QBITS 32

/* Packed image layout (see cells.h). */
#define PACK_MAGIC "ASCELLS"   /* 7 characters and the terminating 0 */
#define PACK_VERSION 1u
#define PACK_HEADER 48u
#define PACK_CELL_FIXED 64u
#define PACK_TRAILER 8u

/* The exact sums of one cell. */
typedef struct {
    uint64_t n;           /* finite observations */
    uint64_t n_flag;      /* observations with the flag set */
    uint64_t n_nonfinite; /* rejected NaN / infinite values */
    uint64_t n_clamped;   /* observations clamped into [lo, hi] */
    i128 s1;              /* sum of q */
    i128 s2;              /* sum of q^2 */
} cell_sums;

struct stats_cells {
    size_t ncells;
    size_t nbins;
    double lo, hi;
    int64_t qlo, qhi;     /* quantised lo and hi; qlo < qhi */
    cell_sums *cells;     /* ncells entries */
    uint32_t *counts;     /* ncells * nbins bin counts, cell after cell */
};

/* ------------------------------------------------------------------ */
/* Shape                                                              */
/* ------------------------------------------------------------------ */

static int64_t quantise(double v)
{
    return (int64_t)llround(ldexp(v, QBITS));
}

/*
 * Size of the packed image for a shape, or 0 if it would overflow size_t.
 * nbins is at most STATS_CELLS_MAX_BINS, so one cell record cannot overflow.
 */
static size_t packed_size_for(size_t ncells, size_t nbins)
{
    size_t rec = PACK_CELL_FIXED + 4u * nbins;
    if (ncells > (SIZE_MAX - PACK_HEADER - PACK_TRAILER) / rec)
        return 0;
    return PACK_HEADER + ncells * rec + PACK_TRAILER;
}

/* The checks stats_cells_alloc() and an image header share. */
static int shape_ok(size_t ncells, double lo, double hi, size_t nbins)
{
    if (ncells == 0 || nbins == 0 || nbins > STATS_CELLS_MAX_BINS)
        return 0;
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi))
        return 0;
    if (fabs(lo) > STATS_CELLS_ABS_MAX || fabs(hi) > STATS_CELLS_ABS_MAX)
        return 0;
    /* A range narrower than the quantum would leave every q equal. */
    if (quantise(lo) >= quantise(hi))
        return 0;
    if (ncells > SIZE_MAX / sizeof(cell_sums) ||
        ncells > SIZE_MAX / sizeof(uint32_t) / nbins)
        return 0;
    return packed_size_for(ncells, nbins) != 0;
}

static uint64_t double_bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static double bits_double(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static int same_shape(const stats_cells *a, size_t ncells, double lo,
                      double hi, size_t nbins)
{
    return a->ncells == ncells && a->nbins == nbins &&
           double_bits(a->lo) == double_bits(lo) &&
           double_bits(a->hi) == double_bits(hi);
}

stats_cells *stats_cells_alloc(size_t ncells, double lo, double hi,
                               size_t nbins)
{
    if (!shape_ok(ncells, lo, hi, nbins))
        return NULL;
    stats_cells *c = calloc(1, sizeof *c);
    if (!c)
        goto fail;
    c->ncells = ncells;
    c->nbins = nbins;
    c->lo = lo;
    c->hi = hi;
    c->qlo = quantise(lo);
    c->qhi = quantise(hi);
    c->cells = calloc(ncells, sizeof *c->cells);
    if (!c->cells)
        goto fail;
    c->counts = calloc(ncells * nbins, sizeof *c->counts);
    if (!c->counts)
        goto fail;
    return c;
fail:
    stats_cells_free(c);
    return NULL;
}

void stats_cells_free(stats_cells *c)
{
    if (!c)
        return;
    free(c->cells);
    free(c->counts);
    free(c);
}

void stats_cells_reset(stats_cells *c)
{
    assert(c);
    memset(c->cells, 0, c->ncells * sizeof *c->cells);
    memset(c->counts, 0, c->ncells * c->nbins * sizeof *c->counts);
}

size_t stats_cells_count(const stats_cells *c)
{
    assert(c);
    return c->ncells;
}

size_t stats_cells_nbins(const stats_cells *c)
{
    assert(c);
    return c->nbins;
}

double stats_cells_lo(const stats_cells *c)
{
    assert(c);
    return c->lo;
}

double stats_cells_hi(const stats_cells *c)
{
    assert(c);
    return c->hi;
}

double stats_cells_bin_width(const stats_cells *c)
{
    assert(c);
    return (c->hi - c->lo) / (double)c->nbins;
}

/* ------------------------------------------------------------------ */
/* Accumulation                                                       */
/* ------------------------------------------------------------------ */

/*
 * Bin of a quantised value, in integer arithmetic so that it is the same on
 * every machine: floor((q - qlo) * nbins / (qhi - qlo)), with qhi itself in
 * the last bin.  (q - qlo) * nbins < 2^41 * 2^24 fits easily in 128 bits.
 */
static size_t bin_of(const stats_cells *c, int64_t q)
{
    i128 num = (i128)(q - c->qlo) * (i128)c->nbins;
    i128 b = num / (i128)(c->qhi - c->qlo);
    if (b >= (i128)c->nbins)
        b = (i128)c->nbins - 1;
    return (size_t)b;
}

int stats_cells_add(stats_cells *c, size_t cell, double value, int flag)
{
    assert(c);
    if (cell >= c->ncells)
        return AS_EUSAGE;
    cell_sums *s = &c->cells[cell];
    if (!isfinite(value)) {
        s->n_nonfinite++;
        return AS_ERUNTIME;
    }
    if (s->n >= STATS_CELLS_MAX_N)
        return AS_ELIMIT;
    /*
     * Clamping before quantising keeps q within [qlo, qhi] (llround is
     * monotone), which the overflow bounds in the file comment rely on.
     */
    int64_t q = quantise(value < c->lo ? c->lo : value > c->hi ? c->hi : value);
    if (value < c->lo || value > c->hi)
        s->n_clamped++;
    s->n++;
    if (flag)
        s->n_flag++;
    s->s1 += q;
    s->s2 += (i128)q * q;
    c->counts[cell * c->nbins + bin_of(c, q)]++;
    return AS_OK;
}

int stats_cells_merge(stats_cells *dst, const stats_cells *src)
{
    assert(dst && src);
    if (!same_shape(dst, src->ncells, src->lo, src->hi, src->nbins))
        return AS_EUSAGE;
    /* Check every cell first so that a refused merge changes nothing. */
    for (size_t i = 0; i < dst->ncells; i++)
        if (dst->cells[i].n + src->cells[i].n > STATS_CELLS_MAX_N)
            return AS_ELIMIT;
    for (size_t i = 0; i < dst->ncells; i++) {
        cell_sums *d = &dst->cells[i];
        const cell_sums *s = &src->cells[i];
        d->n += s->n;
        d->n_flag += s->n_flag;
        d->n_nonfinite += s->n_nonfinite;
        d->n_clamped += s->n_clamped;
        d->s1 += s->s1;
        d->s2 += s->s2;
    }
    /*
     * Bin counts cannot wrap: each is at most its cell's n, which was just
     * checked to stay within UINT32_MAX.
     */
    size_t total = dst->ncells * dst->nbins;
    for (size_t k = 0; k < total; k++)
        dst->counts[k] += src->counts[k];
    return AS_OK;
}

/* ------------------------------------------------------------------ */
/* Summaries                                                          */
/* ------------------------------------------------------------------ */

/*
 * The exact part of a cell's moments (n >= 1), in units of q.  Writing
 * S1 = a n + b with |b| < n (C's truncating division),
 *     R = S2 - a^2 n - 2 a b = sum (q_i - a)^2   (an exact integer >= 0),
 *     mean = a + b/n,   SSD = sum (q_i - mean)^2 = R - b^2/n.
 * Every term stays far inside 128 bits (|a| <= 2^40, n < 2^32, S2 < 2^112).
 * Returns R and stores a and b.
 */
static i128 centred_sums(i128 s1, i128 s2, uint64_t n, i128 *a, i128 *b)
{
    i128 ni = (i128)n;
    *a = s1 / ni;
    *b = s1 % ni;
    return s2 - *a * *a * ni - 2 * *a * *b;
}

/*
 * Mean and sum of squared deviations of a cell (n >= 1), in units of q.
 * The integer parts are exact, so plain double suffices: a (|a| <= 2^40)
 * is exact, b/n and b^2/n (|b| < n <= 2^32) carry one rounding each, R
 * one conversion, so both results are within a few ulps; R is centred on
 * a, so there is no cancellation, and a constant sample gives SSD exactly
 * 0.  long double is deliberately not used: its width differs between
 * platforms (and valgrind emulates x87 only at double precision), while
 * IEEE double with correctly rounded + - * / and sqrt gives the same bits
 * everywhere.
 */
static void cell_moments(const cell_sums *s, double *mean, double *ssd)
{
    i128 a, b;
    i128 r = centred_sums(s->s1, s->s2, s->n, &a, &b);
    double bd = (double)b;
    double nd = (double)s->n;
    *mean = (double)a + bd / nd;
    double d = (double)r - bd * bd / nd;
    *ssd = d > 0.0 ? d : 0.0;
}

/* The histogram quantile of cells.h for a non-empty cell and p in [0, 1]. */
static double cell_quantile(const stats_cells *c, size_t cell, double p)
{
    const uint32_t *h = c->counts + cell * c->nbins;
    /* t <= n: the product rounds to at most n because p <= 1. */
    double t = p * (double)c->cells[cell].n;
    uint64_t cum = 0;
    size_t j = 0;
    for (; j < c->nbins; j++) {
        if (h[j] == 0)
            continue;
        if ((double)(cum + h[j]) >= t)
            break;
        cum += h[j];
    }
    /*
     * The counts sum to n >= t, so the loop always stops at a bin; this
     * guards the invariant only.
     */
    if (j == c->nbins)
        return c->hi;
    double frac = (t - (double)cum) / (double)h[j];
    if (frac < 0.0)
        frac = 0.0;
    if (frac > 1.0)
        frac = 1.0;
    double x = c->lo + (c->hi - c->lo) * (((double)j + frac) / (double)c->nbins);
    return x > c->hi ? c->hi : x;
}

int stats_cells_quantile(const stats_cells *c, size_t cell, double p,
                         double *out)
{
    assert(c && out);
    *out = NAN;
    if (cell >= c->ncells || !(p >= 0.0 && p <= 1.0))
        return AS_EUSAGE;
    if (c->cells[cell].n > 0)
        *out = cell_quantile(c, cell, p);
    return AS_OK;
}

int stats_cells_summary(const stats_cells *c, size_t cell, double conf,
                        stats_summary *out)
{
    assert(c && out);
    out->n = out->n_flag = out->n_nonfinite = out->n_clamped = 0;
    out->mean = out->sd = out->ci_lo = out->ci_hi = NAN;
    out->q05 = out->q50 = out->q95 = NAN;
    out->p_flag = out->flag_lo = out->flag_hi = NAN;
    if (cell >= c->ncells || !(conf > 0.0 && conf < 1.0))
        return AS_EUSAGE;

    const cell_sums *s = &c->cells[cell];
    out->n = s->n;
    out->n_flag = s->n_flag;
    out->n_nonfinite = s->n_nonfinite;
    out->n_clamped = s->n_clamped;
    if (s->n == 0)
        return AS_OK;

    int status = AS_OK;
    double mean, ssd;
    cell_moments(s, &mean, &ssd);
    out->mean = ldexp(mean, -QBITS);
    if (s->n >= 2) {
        out->sd = ldexp(sqrt(ssd / (double)(s->n - 1)), -QBITS);
        if (stats_mean_ci(s->n, out->mean, out->sd, conf, &out->ci_lo,
                          &out->ci_hi) != AS_OK)
            status = AS_ERUNTIME;
    }
    out->q05 = cell_quantile(c, cell, 0.05);
    out->q50 = cell_quantile(c, cell, 0.50);
    out->q95 = cell_quantile(c, cell, 0.95);
    out->p_flag = (double)s->n_flag / (double)s->n;
    if (stats_clopper_pearson(s->n_flag, s->n, conf, &out->flag_lo,
                              &out->flag_hi) != AS_OK)
        status = AS_ERUNTIME;
    return status;
}

/* ------------------------------------------------------------------ */
/* Packed images                                                      */
/* ------------------------------------------------------------------ */

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_i128(unsigned char *p, i128 v)
{
    u128 u = (u128)v;
    for (int i = 0; i < 16; i++)
        p[i] = (unsigned char)(u >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Two's complement to signed without relying on implementation behaviour. */
static i128 get_i128(const unsigned char *p)
{
    u128 u = 0;
    for (int i = 15; i >= 0; i--)
        u = u << 8 | p[i];
    if (u >> 127) {
        u128 mag = ~u + 1; /* |v|; for the minimum this is 2^127 */
        if (mag >> 127)
            return -(i128)((u128)1 << 126) - (i128)((u128)1 << 126);
        return -(i128)mag;
    }
    return (i128)u;
}

/* FNV-1a, 64 bits: any single changed byte changes the hash. */
static uint64_t fnv1a64(const unsigned char *p, size_t len)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3u;
    }
    return h;
}

size_t stats_cells_packed_size(const stats_cells *c)
{
    assert(c);
    return packed_size_for(c->ncells, c->nbins);
}

int stats_cells_pack(const stats_cells *c, void *buf, size_t len)
{
    assert(c && buf);
    size_t size = stats_cells_packed_size(c);
    if (len < size)
        return AS_EUSAGE;
    unsigned char *p = buf;
    memcpy(p, PACK_MAGIC, 8);
    put_u32(p + 8, PACK_VERSION);
    put_u32(p + 12, QBITS);
    put_u64(p + 16, (uint64_t)c->ncells);
    put_u64(p + 24, (uint64_t)c->nbins);
    put_u64(p + 32, double_bits(c->lo));
    put_u64(p + 40, double_bits(c->hi));
    p += PACK_HEADER;
    for (size_t i = 0; i < c->ncells; i++) {
        const cell_sums *s = &c->cells[i];
        put_u64(p, s->n);
        put_u64(p + 8, s->n_flag);
        put_u64(p + 16, s->n_nonfinite);
        put_u64(p + 24, s->n_clamped);
        put_i128(p + 32, s->s1);
        put_i128(p + 48, s->s2);
        p += PACK_CELL_FIXED;
        const uint32_t *h = c->counts + i * c->nbins;
        for (size_t j = 0; j < c->nbins; j++, p += 4)
            put_u32(p, h[j]);
    }
    put_u64(p, fnv1a64(buf, size - PACK_TRAILER));
    return AS_OK;
}

/*
 * Parses and checks the fixed header of an image: magic, version,
 * quantisation, a valid shape, and len equal to the size it implies.
 */
static int parse_header(const unsigned char *p, size_t len, size_t *ncells,
                        double *lo, double *hi, size_t *nbins)
{
    if (len < PACK_HEADER + PACK_TRAILER || memcmp(p, PACK_MAGIC, 8) != 0 ||
        get_u32(p + 8) != PACK_VERSION || get_u32(p + 12) != QBITS)
        return AS_ERUNTIME;
    uint64_t nc = get_u64(p + 16), nb = get_u64(p + 24);
    double l = bits_double(get_u64(p + 32)), h = bits_double(get_u64(p + 40));
    if (nc > SIZE_MAX || nb > SIZE_MAX || !shape_ok((size_t)nc, l, h, (size_t)nb))
        return AS_ERUNTIME;
    if (packed_size_for((size_t)nc, (size_t)nb) != len)
        return AS_ERUNTIME;
    *ncells = (size_t)nc;
    *nbins = (size_t)nb;
    *lo = l;
    *hi = h;
    return AS_OK;
}

int stats_cells_packed_shape(const void *buf, size_t len, size_t *ncells,
                             double *lo, double *hi, size_t *nbins)
{
    assert(buf && ncells && lo && hi && nbins);
    return parse_header(buf, len, ncells, lo, hi, nbins);
}

/*
 * Checks one packed cell record against the invariants (cells.c header):
 * counts summing to n, n_flag and n_clamped within n, and sums that n
 * values in [qlo, qhi] can produce:
 *     qlo n <= S1 <= qhi n,
 *     S2 <= (qlo + qhi) S1 - qlo qhi n   (from sum (q - qlo)(qhi - q) >= 0),
 *     sum (q - mean)^2 >= 0              (Cauchy-Schwarz).
 */
static int check_cell(const stats_cells *c, const unsigned char *p)
{
    uint64_t n = get_u64(p);
    if (n > STATS_CELLS_MAX_N)
        return AS_ELIMIT;
    if (get_u64(p + 8) > n || get_u64(p + 24) > n)
        return AS_ERUNTIME;
    uint64_t sum = 0;
    for (size_t j = 0; j < c->nbins; j++)
        sum += get_u32(p + PACK_CELL_FIXED + 4 * j);
    if (sum != n)
        return AS_ERUNTIME;

    i128 s1 = get_i128(p + 32), s2 = get_i128(p + 48);
    i128 ni = (i128)n, qlo = c->qlo, qhi = c->qhi;
    if (s1 < qlo * ni || s1 > qhi * ni || s2 < 0 ||
        s2 > (qlo + qhi) * s1 - qlo * qhi * ni)
        return AS_ERUNTIME;
    if (n > 0) {
        i128 a, b;
        i128 r = centred_sums(s1, s2, n, &a, &b);
        /* SSD = R - b^2/n >= 0, i.e. R >= ceil(b^2 / n), with b^2 < 2^64. */
        if (r < (b * b + ni - 1) / ni)
            return AS_ERUNTIME;
    }
    return AS_OK;
}

int stats_cells_unpack(stats_cells *c, const void *buf, size_t len)
{
    assert(c && buf);
    const unsigned char *p = buf;
    size_t ncells, nbins;
    double lo, hi;
    int status = parse_header(p, len, &ncells, &lo, &hi, &nbins);
    if (status != AS_OK)
        return status;
    if (get_u64(p + len - PACK_TRAILER) != fnv1a64(p, len - PACK_TRAILER))
        return AS_ERUNTIME;
    if (!same_shape(c, ncells, lo, hi, nbins))
        return AS_EUSAGE;

    size_t rec = PACK_CELL_FIXED + 4 * nbins;
    for (size_t i = 0; i < ncells; i++) {
        status = check_cell(c, p + PACK_HEADER + i * rec);
        if (status != AS_OK)
            return status;
    }
    /* The whole image is valid: only now overwrite c. */
    const unsigned char *q = p + PACK_HEADER;
    for (size_t i = 0; i < ncells; i++) {
        cell_sums *s = &c->cells[i];
        s->n = get_u64(q);
        s->n_flag = get_u64(q + 8);
        s->n_nonfinite = get_u64(q + 16);
        s->n_clamped = get_u64(q + 24);
        s->s1 = get_i128(q + 32);
        s->s2 = get_i128(q + 48);
        q += PACK_CELL_FIXED;
        uint32_t *h = c->counts + i * nbins;
        for (size_t j = 0; j < nbins; j++, q += 4)
            h[j] = get_u32(q);
    }
    return AS_OK;
}
