/*
 * test_stats - stats/cells and stats/stats: the exact accumulators give the
 * mean, sd and intervals a direct computation gives, histogram quantiles
 * within a bin of the sample quantiles, bit-identical results however the
 * observations are split and merged, a fixed portable packed image that
 * survives a round trip and is refused when truncated, corrupt or of
 * another shape; and the interval estimators agree with published values
 * and with direct computation from their definitions.
 *
 * Every random sample comes from a GSL mt19937 with a fixed seed, so a
 * failure reproduces.  Objects live in the fixture and are freed by the
 * teardown, so a failing test leaks nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "stats/cells.h"
#include "stats/stats.h"
#include "stats/xsum.h"

#include <float.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#define SEED 2385u
#define NOBJ 9       /* accumulators a test may keep in the fixture */
#define NBUF 4       /* byte buffers a test may keep in the fixture */

/* Packed image layout, restated from cells.h so the tests pin it. */
#define HDR 48u
#define CELL_FIXED 64u
#define TRAILER 8u

typedef struct {
    gsl_rng *rng;
    stats_cells *obj[NOBJ];
    unsigned char *buf[NBUF];
    double *data;
    void *scratch;
} fixture;

static int setup(void **state)
{
    gsl_set_error_handler_off();
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    fx->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!fx->rng) {
        free(fx);
        return -1;
    }
    gsl_rng_set(fx->rng, SEED);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    for (int i = 0; i < NOBJ; i++)
        stats_cells_free(fx->obj[i]);
    for (int i = 0; i < NBUF; i++)
        free(fx->buf[i]);
    free(fx->data);
    free(fx->scratch);
    gsl_rng_free(fx->rng);
    free(fx);
    return 0;
}

/* Allocates fx->obj[slot]; fails the test if the allocation fails. */
static stats_cells *new_cells(fixture *fx, int slot, size_t ncells, double lo,
                              double hi, size_t nbins)
{
    assert_null(fx->obj[slot]);
    fx->obj[slot] = stats_cells_alloc(ncells, lo, hi, nbins);
    assert_non_null(fx->obj[slot]);
    return fx->obj[slot];
}

/* Packs c into a fresh fx->buf[slot] and returns it, with its size. */
static unsigned char *pack_into(fixture *fx, int slot, const stats_cells *c,
                                size_t *len)
{
    free(fx->buf[slot]);
    *len = stats_cells_packed_size(c);
    fx->buf[slot] = malloc(*len);
    assert_non_null(fx->buf[slot]);
    assert_int_equal(stats_cells_pack(c, fx->buf[slot], *len), AS_OK);
    return fx->buf[slot];
}

/* Asserts that two objects hold the same state (equal packed images). */
static void assert_same_state(fixture *fx, const stats_cells *a,
                              const stats_cells *b)
{
    size_t la, lb;
    unsigned char *pa = pack_into(fx, 2, a, &la);
    unsigned char *pb = pack_into(fx, 3, b, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(pa, pb, la);
}

/* A value in (-1, 1) from a skewed, non-trivial distribution. */
static double draw_value(gsl_rng *r)
{
    return tanh(0.137 + gsl_ran_gaussian(r, 0.61) +
                0.2 * gsl_ran_exponential(r, 0.5));
}

/* Little-endian helpers and FNV-1a, written independently of cells.c. */
static void le_put(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t le_get(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint64_t fnv1a(const unsigned char *p, size_t len)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 1099511628211u;
    return h;
}

/* Recomputes the hash trailer after a deliberate edit. */
static void rehash(unsigned char *image, size_t len)
{
    le_put(image + len - TRAILER, fnv1a(image, len - TRAILER), 8);
}

/* Writes a signed 128-bit value given as high and low 64-bit halves. */
static void put_i128(unsigned char *p, int64_t high, uint64_t low)
{
    le_put(p, low, 8);
    le_put(p + 8, (uint64_t)high, 8);
}

/* Offset of cell i's record in an image with nbins bins per cell. */
static size_t cell_offset(size_t i, size_t nbins)
{
    return HDR + i * (CELL_FIXED + 4 * nbins);
}

/* ------------------------------------------------------------------ */
/* Summaries                                                          */
/* ------------------------------------------------------------------ */

static void test_summary_matches_direct_double_computation(void **state)
{
    fixture *fx = *state;
    const size_t n = 2385;
    stats_cells *c = new_cells(fx, 0, 3, -1.0, 1.0, 1000);
    fx->data = malloc(n * sizeof *fx->data);
    assert_non_null(fx->data);
    uint64_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double v = draw_value(fx->rng);
        int flag = v > 0.3;
        fx->data[i] = v;
        k += (uint64_t)flag;
        assert_int_equal(stats_cells_add(c, 1, v, flag), AS_OK);
    }

    /* Two-pass reference in double. */
    double mean = gsl_stats_mean(fx->data, 1, n);
    double sd = gsl_stats_sd_m(fx->data, 1, n, mean);
    double half = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sd / sqrt((double)n);
    double cp_lo, cp_hi;
    assert_int_equal(stats_clopper_pearson(k, n, 0.95, &cp_lo, &cp_hi), AS_OK);

    stats_summary s;
    assert_int_equal(stats_cells_summary(c, 1, 0.95, &s), AS_OK);
    assert_int_equal(s.n, n);
    assert_int_equal(s.n_flag, k);
    assert_int_equal(s.n_nonfinite, 0);
    assert_int_equal(s.n_clamped, 0);
    /* Quantisation moves each value by at most 2^-33. */
    assert_close(s.mean, mean, 1e-9);
    assert_close(s.sd, sd, 1e-9);
    assert_close(s.ci_lo, mean - half, 1e-9);
    assert_close(s.ci_hi, mean + half, 1e-9);
    assert_close(s.p_flag, (double)k / (double)n, 1e-15);
    assert_close(s.flag_lo, cp_lo, 1e-15);
    assert_close(s.flag_hi, cp_hi, 1e-15);
    assert_true(s.q05 < s.q50 && s.q50 < s.q95);

    /* The neighbouring cells saw nothing. */
    assert_int_equal(stats_cells_summary(c, 0, 0.95, &s), AS_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(stats_cells_summary(c, 2, 0.95, &s), AS_OK);
    assert_int_equal(s.n, 0);
}

static void test_constant_sample_has_exactly_zero_sd(void **state)
{
    fixture *fx = *state;
    stats_cells *c = new_cells(fx, 0, 1, -1.0, 1.0, 100);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(stats_cells_add(c, 0, 0.4172, i % 3 == 0), AS_OK);
    stats_summary s;
    assert_int_equal(stats_cells_summary(c, 0, 0.95, &s), AS_OK);
    double quantised = ldexp((double)llround(ldexp(0.4172, 32)), -32);
    assert_true(s.mean == quantised);
    assert_true(s.sd == 0.0);
    assert_true(s.ci_lo == s.mean && s.ci_hi == s.mean);
    assert_int_equal(s.n_flag, 334);
}

static void test_empty_and_single_observation_cells_give_nan(void **state)
{
    fixture *fx = *state;
    stats_cells *c = new_cells(fx, 0, 2, -1.0, 1.0, 10);
    stats_summary s;
    assert_int_equal(stats_cells_summary(c, 0, 0.95, &s), AS_OK);
    assert_int_equal(s.n, 0);
    assert_true(isnan(s.mean) && isnan(s.sd) && isnan(s.ci_lo) &&
                isnan(s.ci_hi) && isnan(s.q05) && isnan(s.q50) &&
                isnan(s.q95) && isnan(s.p_flag) && isnan(s.flag_lo) &&
                isnan(s.flag_hi));

    assert_int_equal(stats_cells_add(c, 1, -0.615, 1), AS_OK);
    assert_int_equal(stats_cells_summary(c, 1, 0.95, &s), AS_OK);
    assert_int_equal(s.n, 1);
    assert_close(s.mean, -0.615, 1e-9);
    assert_true(isnan(s.sd) && isnan(s.ci_lo) && isnan(s.ci_hi));
    assert_true(s.q50 >= -0.8 && s.q50 <= -0.6);
    assert_true(s.p_flag == 1.0);
    assert_close(s.flag_lo, 0.025, 1e-12);
    assert_true(s.flag_hi == 1.0);
}

static void test_nonfinite_values_are_counted_apart_and_out_of_range_clamped(
    void **state)
{
    fixture *fx = *state;
    stats_cells *c = new_cells(fx, 0, 1, -1.0, 1.0, 8);
    assert_int_equal(stats_cells_add(c, 0, NAN, 1), AS_ERUNTIME);
    assert_int_equal(stats_cells_add(c, 0, INFINITY, 1), AS_ERUNTIME);
    assert_int_equal(stats_cells_add(c, 0, -INFINITY, 0), AS_ERUNTIME);
    assert_int_equal(stats_cells_add(c, 0, 1.5, 1), AS_OK);
    assert_int_equal(stats_cells_add(c, 0, -7.25, 0), AS_OK);
    assert_int_equal(stats_cells_add(c, 0, 0.25, 0), AS_OK);
    stats_summary s;
    assert_int_equal(stats_cells_summary(c, 0, 0.95, &s), AS_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.n_flag, 1);
    assert_int_equal(s.n_nonfinite, 3);
    assert_int_equal(s.n_clamped, 2);
    /* 1.5 counts as 1 and -7.25 as -1. */
    assert_close(s.mean, 0.25 / 3.0, 1e-12);
    double q;
    assert_int_equal(stats_cells_quantile(c, 0, 1.0, &q), AS_OK);
    assert_true(q == 1.0);
    assert_int_equal(stats_cells_quantile(c, 0, 0.0, &q), AS_OK);
    assert_true(q == -1.0);
}

/* ------------------------------------------------------------------ */
/* Quantiles                                                          */
/* ------------------------------------------------------------------ */

static void test_quantile_follows_the_documented_interpolation(void **state)
{
    fixture *fx = *state;
    stats_cells *c = new_cells(fx, 0, 2, 0.0, 1.0, 10);
    const double v[] = {0.05, 0.15, 0.25, 0.35};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(stats_cells_add(c, 0, v[i], 0), AS_OK);
    /*
     * One observation in each of bins 0..3, so C_j = j: t = p n is reached
     * in bin ceil(t) - 1 and interpolated linearly across it.
     */
    const double p[] = {0.0, 0.25, 0.5, 0.6, 0.9, 1.0};
    const double want[] = {0.0, 0.1, 0.2, 0.24, 0.36, 0.4};
    for (size_t i = 0; i < 6; i++) {
        double q;
        assert_int_equal(stats_cells_quantile(c, 0, p[i], &q), AS_OK);
        assert_close(q, want[i], 1e-12);
    }
    /* Empty bins between the observations are skipped. */
    assert_int_equal(stats_cells_add(c, 1, 0.05, 0), AS_OK);
    assert_int_equal(stats_cells_add(c, 1, 0.95, 0), AS_OK);
    double q;
    assert_int_equal(stats_cells_quantile(c, 1, 0.5, &q), AS_OK);
    assert_close(q, 0.1, 1e-12);
    assert_int_equal(stats_cells_quantile(c, 1, 0.75, &q), AS_OK);
    assert_close(q, 0.95, 1e-12);
    assert_int_equal(stats_cells_quantile(c, 1, 0.0, &q), AS_OK);
    assert_close(q, 0.0, 1e-12);
    /* p = 0 and 1 give the outer edges of the outermost non-empty bins. */
    stats_cells_reset(c);
    assert_int_equal(stats_cells_add(c, 1, 0.35, 0), AS_OK);
    assert_int_equal(stats_cells_add(c, 1, 0.45, 0), AS_OK);
    assert_int_equal(stats_cells_quantile(c, 1, 0.0, &q), AS_OK);
    assert_close(q, 0.3, 1e-12);
    assert_int_equal(stats_cells_quantile(c, 1, 1.0, &q), AS_OK);
    assert_close(q, 0.5, 1e-12);
}

static void test_quantiles_within_one_bin_of_sample_quantiles(void **state)
{
    fixture *fx = *state;
    const size_t n = 10000;
    stats_cells *c = new_cells(fx, 0, 1, -1.0, 1.0, 1000);
    fx->data = malloc(n * sizeof *fx->data);
    assert_non_null(fx->data);
    for (size_t i = 0; i < n; i++) {
        double v = 0.137 + gsl_ran_gaussian(fx->rng, 0.21);
        assert_int_equal(stats_cells_add(c, 0, v, 0), AS_OK);
        /* The reference sees what the cell sees: clamped values. */
        fx->data[i] = v < -1.0 ? -1.0 : v > 1.0 ? 1.0 : v;
    }
    gsl_sort(fx->data, 1, n);
    double w = stats_cells_bin_width(c);
    assert_close(w, 0.002, 1e-15);
    const double p[] = {0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99};
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
        double want = gsl_stats_quantile_from_sorted_data(fx->data, 1, n, p[i]);
        double got;
        assert_int_equal(stats_cells_quantile(c, 0, p[i], &got), AS_OK);
        if (!(fabs(got - want) <= w)) {
            print_error("p = %g: histogram %.10g, sample %.10g, bin %g\n",
                        p[i], got, want, w);
            fail();
        }
    }
    stats_summary s;
    assert_int_equal(stats_cells_summary(c, 0, 0.95, &s), AS_OK);
    double q;
    assert_int_equal(stats_cells_quantile(c, 0, 0.05, &q), AS_OK);
    assert_true(s.q05 == q);
    assert_int_equal(stats_cells_quantile(c, 0, 0.5, &q), AS_OK);
    assert_true(s.q50 == q);
    assert_int_equal(stats_cells_quantile(c, 0, 0.95, &q), AS_OK);
    assert_true(s.q95 == q);
}

/* ------------------------------------------------------------------ */
/* Merging                                                            */
/* ------------------------------------------------------------------ */

#define MERGE_CELLS 40
#define MERGE_OBS 3000

/* A fixed list of observations: cell, value and flag. */
typedef struct {
    size_t cell[MERGE_OBS];
    double value[MERGE_OBS];
    int flag[MERGE_OBS];
} obs_list;

static void make_obs(gsl_rng *r, obs_list *o)
{
    for (size_t i = 0; i < MERGE_OBS; i++) {
        o->cell[i] = (size_t)gsl_rng_uniform_int(r, MERGE_CELLS);
        o->value[i] = draw_value(r);
        /* A few out-of-range and non-finite values exercise every count. */
        if (i % 97 == 0)
            o->value[i] = 1.25;
        if (i % 331 == 0)
            o->value[i] = NAN;
        o->flag[i] = gsl_rng_uniform(r) < 0.3;
    }
}

/* Fills order[0..n) with a random permutation of 0..n-1. */
static void shuffled(gsl_rng *r, size_t *order, size_t n)
{
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    gsl_ran_shuffle(r, order, n, sizeof *order);
}

/*
 * Splits the observations into nparts random parts, adds each part's
 * observations in a shuffled order into fx->obj[1..nparts], and merges the
 * parts in a shuffled order into fx->obj[0] (if tree, pairwise first).
 */
static void split_and_merge(fixture *fx, const obs_list *o, size_t nparts,
                            int tree)
{
    for (size_t k = 0; k <= nparts; k++) {
        stats_cells_free(fx->obj[k]);
        fx->obj[k] = NULL;
        new_cells(fx, (int)k, MERGE_CELLS, -1.0, 1.0, 1000);
    }
    size_t order[MERGE_OBS], part[MERGE_OBS];
    for (size_t i = 0; i < MERGE_OBS; i++)
        part[i] = (size_t)gsl_rng_uniform_int(fx->rng, (unsigned long)nparts);
    shuffled(fx->rng, order, MERGE_OBS);
    for (size_t i = 0; i < MERGE_OBS; i++) {
        size_t j = order[i];
        int st = stats_cells_add(fx->obj[1 + part[j]], o->cell[j], o->value[j],
                                 o->flag[j]);
        assert_true(st == AS_OK || st == AS_ERUNTIME);
    }
    /* A tree: fold part k into part k+1 pairwise, leaving k empty. */
    if (tree)
        for (size_t k = 1; k < nparts; k += 2) {
            assert_int_equal(stats_cells_merge(fx->obj[k + 1], fx->obj[k]),
                             AS_OK);
            stats_cells_reset(fx->obj[k]);
        }
    size_t morder[NOBJ];
    shuffled(fx->rng, morder, nparts);
    for (size_t k = 0; k < nparts; k++)
        assert_int_equal(stats_cells_merge(fx->obj[0], fx->obj[1 + morder[k]]),
                         AS_OK);
}

static void test_merge_in_any_grouping_is_bit_identical(void **state)
{
    fixture *fx = *state;
    obs_list *o = malloc(sizeof *o);
    assert_non_null(o);
    fx->scratch = o;
    make_obs(fx->rng, o);

    /* Reference: every observation added in order to one accumulator. */
    stats_cells *ref = new_cells(fx, 8, MERGE_CELLS, -1.0, 1.0, 1000);
    for (size_t i = 0; i < MERGE_OBS; i++)
        (void)stats_cells_add(ref, o->cell[i], o->value[i], o->flag[i]);
    size_t ref_len;
    unsigned char *ref_img = pack_into(fx, 0, ref, &ref_len);

    const size_t parts[] = {1, 2, 7, 7};
    const int tree[] = {0, 0, 0, 1};
    for (size_t t = 0; t < 4; t++) {
        split_and_merge(fx, o, parts[t], tree[t]);
        size_t len;
        unsigned char *img = pack_into(fx, 1, fx->obj[0], &len);
        assert_int_equal(len, ref_len);
        assert_memory_equal(img, ref_img, len);
        for (size_t cell = 0; cell < MERGE_CELLS; cell++) {
            stats_summary a, b;
            assert_int_equal(stats_cells_summary(ref, cell, 0.95, &a), AS_OK);
            assert_int_equal(stats_cells_summary(fx->obj[0], cell, 0.95, &b),
                             AS_OK);
            assert_memory_equal(&a, &b, sizeof a);
        }
    }

    /* The comparison is sensitive: leaving one part out is noticed. */
    split_and_merge(fx, o, 2, 0);
    stats_cells_reset(fx->obj[0]);
    assert_int_equal(stats_cells_merge(fx->obj[0], fx->obj[1]), AS_OK);
    size_t len;
    unsigned char *img = pack_into(fx, 1, fx->obj[0], &len);
    assert_int_equal(len, ref_len);
    assert_memory_not_equal(img, ref_img, len);
}

static void test_merge_refuses_mismatched_shapes_and_leaves_dst_alone(
    void **state)
{
    fixture *fx = *state;
    stats_cells *dst = new_cells(fx, 0, 5, -1.0, 1.0, 100);
    stats_cells *copy = new_cells(fx, 1, 5, -1.0, 1.0, 100);
    for (int i = 0; i < 50; i++) {
        double v = draw_value(fx->rng);
        (void)stats_cells_add(dst, (size_t)i % 5, v, i & 1);
        (void)stats_cells_add(copy, (size_t)i % 5, v, i & 1);
    }
    new_cells(fx, 2, 6, -1.0, 1.0, 100);
    new_cells(fx, 3, 5, -1.0, 1.0, 101);
    new_cells(fx, 4, 5, -2.0, 1.0, 100);
    new_cells(fx, 5, 5, -1.0, 2.0, 100);
    for (int k = 2; k <= 5; k++) {
        (void)stats_cells_add(fx->obj[k], 0, 0.5, 1);
        assert_int_equal(stats_cells_merge(dst, fx->obj[k]), AS_EUSAGE);
    }
    assert_same_state(fx, dst, copy);
    /* Merging an object into itself doubles it, as merging a copy does. */
    assert_int_equal(stats_cells_merge(copy, dst), AS_OK);
    assert_int_equal(stats_cells_merge(dst, dst), AS_OK);
    assert_same_state(fx, dst, copy);
}

static void test_reset_returns_to_the_empty_state(void **state)
{
    fixture *fx = *state;
    stats_cells *c = new_cells(fx, 0, 4, -1.0, 1.0, 50);
    stats_cells *fresh = new_cells(fx, 1, 4, -1.0, 1.0, 50);
    for (int i = 0; i < 100; i++)
        (void)stats_cells_add(c, (size_t)i % 4, i % 10 ? draw_value(fx->rng) : NAN,
                              1);
    stats_cells_reset(c);
    assert_same_state(fx, c, fresh);
}

/* ------------------------------------------------------------------ */
/* Packed images                                                      */
/* ------------------------------------------------------------------ */

static void test_pack_unpack_round_trip_restores_everything(void **state)
{
    fixture *fx = *state;
    stats_cells *a = new_cells(fx, 0, 7, -2.0, 2.0, 64);
    stats_cells *b = new_cells(fx, 1, 7, -2.0, 2.0, 64);
    for (int i = 0; i < 500; i++)
        (void)stats_cells_add(a, (size_t)gsl_rng_uniform_int(fx->rng, 7),
                              i % 50 ? 2.0 * draw_value(fx->rng) : -3.0, i % 3 == 0);
    (void)stats_cells_add(a, 6, NAN, 0);
    size_t len;
    unsigned char *img = pack_into(fx, 0, a, &len);
    assert_int_equal(len, HDR + 7 * (CELL_FIXED + 4 * 64) + TRAILER);

    size_t ncells, nbins;
    double lo, hi;
    assert_int_equal(stats_cells_packed_shape(img, len, &ncells, &lo, &hi, &nbins),
                     AS_OK);
    assert_int_equal(ncells, 7);
    assert_int_equal(nbins, 64);
    assert_true(lo == -2.0 && hi == 2.0);

    assert_int_equal(stats_cells_unpack(b, img, len), AS_OK);
    assert_same_state(fx, a, b);
    for (size_t cell = 0; cell < 7; cell++) {
        stats_summary sa, sb;
        assert_int_equal(stats_cells_summary(a, cell, 0.9, &sa), AS_OK);
        assert_int_equal(stats_cells_summary(b, cell, 0.9, &sb), AS_OK);
        assert_memory_equal(&sa, &sb, sizeof sa);
    }
    /* pack refuses a short buffer. */
    assert_int_equal(stats_cells_pack(a, img, len - 1), AS_EUSAGE);
}

static void test_pack_layout_is_fixed_little_endian(void **state)
{
    fixture *fx = *state;
    stats_cells *c = new_cells(fx, 0, 1, -1.0, 1.0, 4);
    assert_int_equal(stats_cells_add(c, 0, 0.5, 1), AS_OK);
    assert_int_equal(stats_cells_add(c, 0, -0.25, 0), AS_OK);
    const unsigned char want[] = {
        'A', 'S', 'C', 'E', 'L', 'L', 'S', 0,           /* magic */
        1, 0, 0, 0,                                     /* version */
        32, 0, 0, 0,                                    /* quantisation bits */
        1, 0, 0, 0, 0, 0, 0, 0,                         /* ncells */
        4, 0, 0, 0, 0, 0, 0, 0,                         /* nbins */
        0, 0, 0, 0, 0, 0, 0xf0, 0xbf,                   /* lo = -1.0 */
        0, 0, 0, 0, 0, 0, 0xf0, 0x3f,                   /* hi = 1.0 */
        2, 0, 0, 0, 0, 0, 0, 0,                         /* n */
        1, 0, 0, 0, 0, 0, 0, 0,                         /* n_flag */
        0, 0, 0, 0, 0, 0, 0, 0,                         /* n_nonfinite */
        0, 0, 0, 0, 0, 0, 0, 0,                         /* n_clamped */
        0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* S1 = 2^30 */
        0, 0, 0, 0, 0, 0, 0, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, /* S2 = 2^62+2^60 */
        0, 0, 0, 0,  1, 0, 0, 0,  0, 0, 0, 0,  1, 0, 0, 0, /* bins [-1,-.5) .. [.5,1] */
    };
    size_t len;
    unsigned char *img = pack_into(fx, 0, c, &len);
    assert_int_equal(len, sizeof want + TRAILER);
    assert_memory_equal(img, want, sizeof want);
    assert_true(le_get(img + sizeof want, 8) == fnv1a(want, sizeof want));

    /* A negative S1 is stored in two's complement. */
    stats_cells_reset(c);
    assert_int_equal(stats_cells_add(c, 0, -1.0, 0), AS_OK);
    img = pack_into(fx, 0, c, &len);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(img[HDR + 32 + i], 0);
    for (size_t i = 4; i < 16; i++)
        assert_int_equal(img[HDR + 32 + i], 0xff);
}

static void test_unpack_rejects_truncated_and_oversized_buffers(void **state)
{
    fixture *fx = *state;
    stats_cells *a = new_cells(fx, 0, 3, -1.0, 1.0, 16);
    stats_cells *b = new_cells(fx, 1, 3, -1.0, 1.0, 16);
    stats_cells *orig = new_cells(fx, 2, 3, -1.0, 1.0, 16);
    for (int i = 0; i < 30; i++) {
        (void)stats_cells_add(a, (size_t)i % 3, draw_value(fx->rng), 1);
        double v = draw_value(fx->rng);
        (void)stats_cells_add(b, (size_t)i % 3, v, 0);
        (void)stats_cells_add(orig, (size_t)i % 3, v, 0);
    }
    size_t len;
    unsigned char *img = pack_into(fx, 0, a, &len);
    fx->buf[1] = calloc(1, len + 1);
    assert_non_null(fx->buf[1]);
    memcpy(fx->buf[1], img, len);
    const size_t bad[] = {0, 8, HDR, HDR + TRAILER, len / 2, len - 1, len + 1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(stats_cells_unpack(b, fx->buf[1], bad[i]), AS_ERUNTIME);
        size_t nc, nb;
        double lo, hi;
        assert_int_equal(stats_cells_packed_shape(fx->buf[1], bad[i], &nc, &lo,
                                                  &hi, &nb),
                         AS_ERUNTIME);
    }
    assert_same_state(fx, b, orig);
}

static void test_unpack_rejects_every_single_corrupted_byte(void **state)
{
    fixture *fx = *state;
    stats_cells *a = new_cells(fx, 0, 2, -1.0, 1.0, 4);
    stats_cells *b = new_cells(fx, 1, 2, -1.0, 1.0, 4);
    stats_cells *orig = new_cells(fx, 2, 2, -1.0, 1.0, 4);
    for (int i = 0; i < 9; i++)
        (void)stats_cells_add(a, (size_t)i % 2, draw_value(fx->rng), i & 1);
    (void)stats_cells_add(b, 1, 0.3, 1);
    (void)stats_cells_add(orig, 1, 0.3, 1);
    size_t len;
    unsigned char *img = pack_into(fx, 0, a, &len);
    for (size_t off = 0; off < len; off++) {
        for (unsigned bit = 0; bit < 8; bit += 3) {
            img[off] ^= (unsigned char)(1u << bit);
            int st = stats_cells_unpack(b, img, len);
            img[off] ^= (unsigned char)(1u << bit);
            if (st != AS_ERUNTIME) {
                print_error("flipping bit %u of byte %zu gave %d (%s)\n", bit,
                            off, st, as_status_name(st));
                fail();
            }
        }
    }
    assert_same_state(fx, b, orig);
    /* The untouched image is still accepted. */
    img = pack_into(fx, 0, a, &len);
    assert_int_equal(stats_cells_unpack(b, img, len), AS_OK);
    assert_same_state(fx, a, b);
}

/*
 * A cell of two observations, 0.5 and -0.25, in a 1-cell, 4-bin, [-1, 1]
 * image in fx->buf[0]: S1 = 2^30, S2 = 2^62 + 2^60.
 */
static unsigned char *two_value_image(fixture *fx, size_t *len)
{
    stats_cells *c = new_cells(fx, 0, 1, -1.0, 1.0, 4);
    assert_int_equal(stats_cells_add(c, 0, 0.5, 1), AS_OK);
    assert_int_equal(stats_cells_add(c, 0, -0.25, 0), AS_OK);
    return pack_into(fx, 0, c, len);
}

static void test_unpack_rejects_inconsistent_cells_even_with_valid_hash(
    void **state)
{
    fixture *fx = *state;
    size_t len;
    unsigned char *img = two_value_image(fx, &len);
    stats_cells *b = new_cells(fx, 1, 1, -1.0, 1.0, 4);
    stats_cells *empty = new_cells(fx, 2, 1, -1.0, 1.0, 4);
    unsigned char *p = img + cell_offset(0, 4);
    fx->buf[1] = malloc(len);
    assert_non_null(fx->buf[1]);
    memcpy(fx->buf[1], img, len);
    const unsigned char *good = fx->buf[1];

    struct {
        const char *what;
        size_t off;
        int bytes;
        int64_t high;
        uint64_t low;
    } edits[] = {
        {"bin counts sum to 3, n is 2", CELL_FIXED + 4, 4, 0, 2},
        {"n_flag 3 > n 2", 8, 8, 0, 3},
        {"n_clamped 3 > n 2", 24, 8, 0, 3},
        {"S1 above n * 2^32", 32, 16, 0, (uint64_t)1 << 33 | 1},
        {"S1 below -n * 2^32", 32, 16, -1, ~((uint64_t)1 << 33)},
        {"S2 negative", 48, 16, -1, UINT64_MAX},
        {"S2 below S1^2 / n", 48, 16, 0, ((uint64_t)1 << 59) - 1},
        {"S2 above n * 2^64", 48, 16, 2, 1},
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        memcpy(img, good, len);
        if (edits[i].bytes == 16)
            put_i128(p + edits[i].off, edits[i].high, edits[i].low);
        else
            le_put(p + edits[i].off, edits[i].low, edits[i].bytes);
        rehash(img, len);
        int st = stats_cells_unpack(b, img, len);
        if (st != AS_ERUNTIME) {
            print_error("%s: got %d (%s)\n", edits[i].what, st,
                        as_status_name(st));
            fail();
        }
    }
    /*
     * S1 = 2^30 + 1 and S2 = 2^59 + 2^30: sum (q - a)^2 = 0 for a = 2^29,
     * but the remainder b = 1 makes sum (q - mean)^2 = -1/2 < 0.
     */
    memcpy(img, good, len);
    put_i128(p + 32, 0, ((uint64_t)1 << 30) + 1);
    put_i128(p + 48, 0, ((uint64_t)1 << 59) + ((uint64_t)1 << 30));
    rehash(img, len);
    assert_int_equal(stats_cells_unpack(b, img, len), AS_ERUNTIME);
    assert_same_state(fx, b, empty);
    /* The boundary S2 = S1^2 / n (zero variance) is consistent. */
    memcpy(img, good, len);
    put_i128(p + 48, 0, (uint64_t)1 << 59);
    rehash(img, len);
    assert_int_equal(stats_cells_unpack(b, img, len), AS_OK);
}

static void test_unpack_rejects_foreign_images_and_other_shapes(void **state)
{
    fixture *fx = *state;
    size_t len;
    unsigned char *img = two_value_image(fx, &len);
    fx->buf[1] = malloc(len);
    assert_non_null(fx->buf[1]);
    memcpy(fx->buf[1], img, len);
    const unsigned char *good = fx->buf[1];

    /* Well-formed images of another shape. */
    stats_cells *other_lo = new_cells(fx, 1, 1, -2.0, 1.0, 4);
    stats_cells *other_bins = new_cells(fx, 2, 1, -1.0, 1.0, 5);
    stats_cells *other_cells = new_cells(fx, 3, 2, -1.0, 1.0, 4);
    assert_int_equal(stats_cells_unpack(other_lo, img, len), AS_EUSAGE);
    assert_int_equal(stats_cells_unpack(other_bins, img, len), AS_EUSAGE);
    assert_int_equal(stats_cells_unpack(other_cells, img, len), AS_EUSAGE);

    /* Other magic, version or quantisation, even with a valid hash. */
    stats_cells *same = new_cells(fx, 4, 1, -1.0, 1.0, 4);
    const size_t off[] = {0, 7, 8, 12};
    for (size_t i = 0; i < 4; i++) {
        memcpy(img, good, len);
        img[off[i]] ^= 0x02;
        rehash(img, len);
        assert_int_equal(stats_cells_unpack(same, img, len), AS_ERUNTIME);
    }
    /* A header whose shape is invalid in itself (lo > hi). */
    memcpy(img, good, len);
    le_put(img + 32, 0x4000000000000000u, 8); /* lo = 2.0 */
    rehash(img, len);
    assert_int_equal(stats_cells_unpack(same, img, len), AS_ERUNTIME);

    memcpy(img, good, len);
    assert_int_equal(stats_cells_unpack(same, img, len), AS_OK);
}

static void test_full_cell_refuses_more_observations(void **state)
{
    fixture *fx = *state;
    size_t len;
    unsigned char *img = two_value_image(fx, &len);
    unsigned char *p = img + cell_offset(0, 4);
    /* 2^32 - 1 observations of 0 (bin 2), no flags. */
    le_put(p, STATS_CELLS_MAX_N, 8);
    le_put(p + 8, 0, 8);
    put_i128(p + 32, 0, 0);
    put_i128(p + 48, 0, 0);
    le_put(p + CELL_FIXED, 0, 4);
    le_put(p + CELL_FIXED + 4, 0, 4);
    le_put(p + CELL_FIXED + 8, STATS_CELLS_MAX_N, 4);
    le_put(p + CELL_FIXED + 12, 0, 4);
    rehash(img, len);

    stats_cells *full = new_cells(fx, 1, 1, -1.0, 1.0, 4);
    assert_int_equal(stats_cells_unpack(full, img, len), AS_OK);
    stats_summary s;
    assert_int_equal(stats_cells_summary(full, 0, 0.95, &s), AS_OK);
    assert_int_equal(s.n, STATS_CELLS_MAX_N);
    assert_true(s.mean == 0.0 && s.sd == 0.0);
    assert_int_equal(stats_cells_add(full, 0, 0.1, 0), AS_ELIMIT);

    /* One more observation from another accumulator: refused, unchanged. */
    stats_cells *one = new_cells(fx, 2, 1, -1.0, 1.0, 4);
    stats_cells *copy = new_cells(fx, 3, 1, -1.0, 1.0, 4);
    assert_int_equal(stats_cells_unpack(copy, img, len), AS_OK);
    assert_int_equal(stats_cells_merge(full, one), AS_OK);
    assert_int_equal(stats_cells_add(one, 0, 0.1, 0), AS_OK);
    assert_int_equal(stats_cells_merge(full, one), AS_ELIMIT);
    assert_same_state(fx, full, copy);

    /* An image claiming 2^32 observations is refused as full. */
    le_put(p, (uint64_t)STATS_CELLS_MAX_N + 1, 8);
    le_put(p + CELL_FIXED + 12, 1, 4);
    rehash(img, len);
    assert_int_equal(stats_cells_unpack(one, img, len), AS_ELIMIT);
}

/* ------------------------------------------------------------------ */
/* Bad arguments to the accumulators                                  */
/* ------------------------------------------------------------------ */

static void test_alloc_rejects_bad_shapes(void **state)
{
    (void)state;
    assert_null(stats_cells_alloc(0, -1.0, 1.0, 10));
    assert_null(stats_cells_alloc(10, -1.0, 1.0, 0));
    assert_null(stats_cells_alloc(10, 1.0, 1.0, 10));
    assert_null(stats_cells_alloc(10, 1.0, -1.0, 10));
    assert_null(stats_cells_alloc(10, NAN, 1.0, 10));
    assert_null(stats_cells_alloc(10, -1.0, INFINITY, 10));
    assert_null(stats_cells_alloc(10, -1.0, 257.0, 10));
    assert_null(stats_cells_alloc(10, 0.0, 1e-12, 10));
    assert_null(stats_cells_alloc(10, -1.0, 1.0, (size_t)STATS_CELLS_MAX_BINS + 1));
    assert_null(stats_cells_alloc(SIZE_MAX / 2, -1.0, 1.0, 1000));
    assert_null(stats_cells_alloc(SIZE_MAX / 64, -1.0, 1.0, 1));
    stats_cells_free(NULL);

    stats_cells *c = stats_cells_alloc(1722, -1.0, 1.0, 1000);
    assert_non_null(c);
    assert_int_equal(stats_cells_count(c), 1722);
    assert_int_equal(stats_cells_nbins(c), 1000);
    assert_true(stats_cells_lo(c) == -1.0 && stats_cells_hi(c) == 1.0);
    assert_close(stats_cells_bin_width(c), 0.002, 1e-15);
    assert_int_equal(stats_cells_packed_size(c),
                     HDR + 1722 * (CELL_FIXED + 4000) + TRAILER);
    stats_cells_free(c);
}

static void test_bad_cell_conf_and_p_are_rejected(void **state)
{
    fixture *fx = *state;
    stats_cells *c = new_cells(fx, 0, 3, -1.0, 1.0, 10);
    stats_cells *empty = new_cells(fx, 1, 3, -1.0, 1.0, 10);
    assert_int_equal(stats_cells_add(c, 3, 0.5, 1), AS_EUSAGE);
    assert_same_state(fx, c, empty);
    for (int i = 0; i < 5; i++)
        assert_int_equal(stats_cells_add(c, 2, 0.1 * i, 1), AS_OK);

    stats_summary s;
    assert_int_equal(stats_cells_summary(c, 3, 0.95, &s), AS_EUSAGE);
    assert_int_equal(s.n, 0);
    assert_true(isnan(s.mean));
    const double bad_conf[] = {0.0, 1.0, -0.5, 1.5, NAN};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(stats_cells_summary(c, 2, bad_conf[i], &s), AS_EUSAGE);
        assert_true(isnan(s.mean) && isnan(s.ci_lo));
    }
    double q;
    const double bad_p[] = {-0.01, 1.01, NAN};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(stats_cells_quantile(c, 2, bad_p[i], &q), AS_EUSAGE);
        assert_true(isnan(q));
    }
    assert_int_equal(stats_cells_quantile(c, 3, 0.5, &q), AS_EUSAGE);
    assert_int_equal(stats_cells_quantile(c, 0, 0.5, &q), AS_OK);
    assert_true(isnan(q));
}

/* ------------------------------------------------------------------ */
/* Interval estimators                                                */
/* ------------------------------------------------------------------ */

static void test_clopper_pearson_matches_published_values(void **state)
{
    (void)state;
    /*
     * Reference values computed independently with mpmath (40 digits) by
     * bisection on the exact binomial distribution function; the first
     * three are the textbook examples (Clopper and Pearson 1934 tables).
     */
    const struct {
        uint64_t k, n;
        double conf, lo, hi;
    } t[] = {
        {0, 10, 0.95, 0.0, 0.30849710781876082},
        {5, 10, 0.95, 0.18708602844739853, 0.81291397155260147},
        {1, 20, 0.95, 0.0012650894979498037, 0.24873276277202778},
        {10, 10, 0.95, 0.69150289218123918, 1.0},
        {3, 7, 0.95, 0.098988278442507865, 0.81594843235991699},
        {17, 50, 0.95, 0.21205471343538172, 0.48765248772158836},
        {0, 1, 0.95, 0.0, 0.975},
        {1, 1, 0.95, 0.025, 1.0},
        {123, 1000, 0.95, 0.10327690964141771, 0.14497223867356845},
        {2, 15, 0.90, 0.024225732468536621, 0.36344176554140211},
        {2, 15, 0.99, 0.0071165057331950443, 0.48633000660764622},
        /* Batch-sized n, where GSL 2.7's beta quantile does not converge. */
        {1996, 2000, 0.99, 0.99371647132042185, 0.9996637009630842},
        {5000, 10000, 0.99, 0.4870733351558211, 0.5129266648441789},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        double lo, hi;
        assert_int_equal(stats_clopper_pearson(t[i].k, t[i].n, t[i].conf, &lo, &hi),
                         AS_OK);
        assert_close(lo, t[i].lo, 1e-9);
        assert_close(hi, t[i].hi, 1e-9);
    }
    /* The conventions at the edges are exact. */
    double lo, hi;
    assert_int_equal(stats_clopper_pearson(0, 37, 0.95, &lo, &hi), AS_OK);
    assert_true(lo == 0.0);
    assert_int_equal(stats_clopper_pearson(37, 37, 0.95, &lo, &hi), AS_OK);
    assert_true(hi == 1.0);
}

static void test_clopper_pearson_bounds_solve_the_binomial_tail_equations(
    void **state)
{
    (void)state;
    /*
     * lo solves P(X >= k | lo) = alpha/2 and hi solves P(X <= k | hi) =
     * alpha/2, X ~ Binomial(n, p); this includes batch-sized n.
     */
    const uint64_t kn[][2] = {{1, 3},      {7, 19},      {50, 100},
                              {3, 2000},   {1996, 2000}, {123, 100000},
                              {3, 1000000}, {500000, 1000000}};
    const double conf[] = {0.8, 0.95, 0.99, 0.999};
    for (size_t i = 0; i < sizeof kn / sizeof kn[0]; i++)
        for (size_t j = 0; j < 4; j++) {
            uint64_t k = kn[i][0], n = kn[i][1];
            double lo, hi, half_alpha = 0.5 * (1.0 - conf[j]);
            assert_int_equal(stats_clopper_pearson(k, n, conf[j], &lo, &hi),
                             AS_OK);
            assert_true(0.0 < lo && lo < (double)k / (double)n && (double)k / (double)n < hi && hi < 1.0);
            double upper_tail = gsl_cdf_binomial_Q((unsigned)(k - 1), lo, (unsigned)n);
            double lower_tail = gsl_cdf_binomial_P((unsigned)k, hi, (unsigned)n);
            assert_close(upper_tail / half_alpha, 1.0, 1e-6);
            assert_close(lower_tail / half_alpha, 1.0, 1e-6);
        }
    /* No success in a full cell: P(X = 0 | hi) = (1 - hi)^n = alpha/2. */
    double lo, hi;
    assert_int_equal(stats_clopper_pearson(0, STATS_CELLS_MAX_N, 0.95, &lo, &hi),
                     AS_OK);
    assert_true(lo == 0.0);
    assert_close(hi / -expm1(log(0.025) / (double)STATS_CELLS_MAX_N), 1.0, 1e-6);
}

static void test_mean_ci_matches_the_student_t_interval(void **state)
{
    (void)state;
    double lo, hi;
    assert_int_equal(stats_mean_ci(17, 0.2385, 0.1234, 0.95, &lo, &hi), AS_OK);
    /* t(0.975; 16) = 2.1199052992212542 (mpmath). */
    double half = 2.1199052992212542 * 0.1234 / sqrt(17.0);
    assert_close(lo, 0.2385 - half, 1e-12);
    assert_close(hi, 0.2385 + half, 1e-12);

    const uint64_t n[] = {2, 5, 30, 1000, 250000};
    const double conf[] = {0.5, 0.9, 0.95, 0.999};
    for (size_t i = 0; i < 5; i++)
        for (size_t j = 0; j < 4; j++) {
            double t = gsl_cdf_tdist_Pinv(1.0 - 0.5 * (1.0 - conf[j]),
                                          (double)(n[i] - 1));
            double h = t * 0.417 / sqrt((double)n[i]);
            assert_int_equal(stats_mean_ci(n[i], -0.0731, 0.417, conf[j], &lo, &hi),
                             AS_OK);
            assert_close(lo, -0.0731 - h, 1e-12);
            assert_close(hi, -0.0731 + h, 1e-12);
        }
}

static void test_welch_ci_matches_direct_computation(void **state)
{
    (void)state;
    const double ma = 0.4172, sa = 0.2385, mb = 0.3071, sb = 0.0912;
    const uint64_t na = 23, nb = 41;
    double diff, lo, hi, df;
    assert_int_equal(stats_welch_ci(ma, sa, na, mb, sb, nb, 0.95, &diff, &lo, &hi,
                                    &df),
                     AS_OK);
    double va = sa * sa / 23.0, vb = sb * sb / 41.0;
    double want_df = (va + vb) * (va + vb) / (va * va / 22.0 + vb * vb / 40.0);
    double half = gsl_cdf_tdist_Pinv(0.975, want_df) * sqrt(va + vb);
    assert_close(diff, ma - mb, 1e-15);
    assert_close(df, want_df, 1e-12);
    assert_close(lo, ma - mb - half, 1e-12);
    assert_close(hi, ma - mb + half, 1e-12);
    assert_true(df >= 22.0 && df <= 62.0);

    /* Equal sizes and sds give the pooled df 2(n - 1). */
    assert_int_equal(stats_welch_ci(0.1, 0.3, 12, 0.2, 0.3, 12, 0.9, &diff, &lo,
                                    &hi, &df),
                     AS_OK);
    assert_close(df, 22.0, 1e-12);
    assert_close(diff, -0.1, 1e-15);

    /* No spread at all: the interval is the point and df is na + nb - 2. */
    assert_int_equal(stats_welch_ci(0.5, 0.0, 10, 0.25, 0.0, 20, 0.95, &diff, &lo,
                                    &hi, &df),
                     AS_OK);
    assert_true(lo == 0.25 && hi == 0.25 && df == 28.0);
}

static void test_paired_ci_from_accumulated_differences(void **state)
{
    fixture *fx = *state;
    const size_t n = 613;
    stats_cells *d = new_cells(fx, 0, 1, -2.0, 2.0, 400);
    fx->data = malloc(n * sizeof *fx->data);
    assert_non_null(fx->data);
    for (size_t i = 0; i < n; i++) {
        /* Strongly correlated pairs, as common random numbers give. */
        double common = draw_value(fx->rng);
        double a = common;
        double b = tanh(atanh(common) + 0.05 + gsl_ran_gaussian(fx->rng, 0.02));
        fx->data[i] = a - b;
        assert_int_equal(stats_cells_add(d, 0, a - b, a > b), AS_OK);
    }
    double mean = gsl_stats_mean(fx->data, 1, n);
    double sd = gsl_stats_sd_m(fx->data, 1, n, mean);
    double half = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sd / sqrt((double)n);

    stats_summary s;
    assert_int_equal(stats_cells_summary(d, 0, 0.95, &s), AS_OK);
    double lo, hi;
    assert_int_equal(stats_paired_ci(s.n, s.mean, s.sd, 0.95, &lo, &hi), AS_OK);
    assert_close(lo, mean - half, 1e-9);
    assert_close(hi, mean + half, 1e-9);
    assert_true(hi < 0.0); /* b is shifted up, so the difference is negative */
}

static void test_reps_needed_matches_the_wald_formula(void **state)
{
    (void)state;
    uint64_t reps;
    /* The textbook 385 for +-5 points at 95% and p = 1/2. */
    assert_int_equal(stats_binom_reps_needed(0.5, 0.05, 0.95, &reps), AS_OK);
    assert_int_equal(reps, 385);
    assert_int_equal(stats_binom_reps_needed(0.1, 0.01, 0.95, &reps), AS_OK);
    assert_int_equal(reps, 3458);

    const double p[] = {0.03, 0.2385, 0.5, 0.9};
    const double h[] = {0.005, 0.02, 0.1};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 3; j++) {
            double z = gsl_cdf_ugaussian_Pinv(0.995);
            assert_int_equal(stats_binom_reps_needed(p[i], h[j], 0.99, &reps),
                             AS_OK);
            double half = z * sqrt(p[i] * (1 - p[i]) / (double)reps);
            double half_fewer = z * sqrt(p[i] * (1 - p[i]) / (double)(reps - 1));
            assert_true(half <= h[j] * (1 + 1e-12));
            assert_true(half_fewer > h[j] * (1 - 1e-12));
        }
    assert_int_equal(stats_binom_reps_needed(0.0, 0.05, 0.95, &reps), AS_OK);
    assert_int_equal(reps, 1);
}

static void test_interval_functions_reject_bad_arguments(void **state)
{
    (void)state;
    double lo, hi, diff, df;
    uint64_t reps;
    const double bad_conf[] = {0.0, 1.0, -0.5, 1.5, NAN};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(stats_mean_ci(10, 0.1, 0.2, bad_conf[i], &lo, &hi),
                         AS_EUSAGE);
        assert_true(isnan(lo) && isnan(hi));
        assert_int_equal(stats_clopper_pearson(3, 10, bad_conf[i], &lo, &hi),
                         AS_EUSAGE);
        assert_true(isnan(lo) && isnan(hi));
        assert_int_equal(stats_welch_ci(0.1, 0.2, 10, 0.3, 0.2, 10, bad_conf[i],
                                        &diff, &lo, &hi, &df),
                         AS_EUSAGE);
        assert_true(isnan(diff) && isnan(df));
        assert_int_equal(stats_paired_ci(10, 0.1, 0.2, bad_conf[i], &lo, &hi),
                         AS_EUSAGE);
        assert_int_equal(stats_binom_reps_needed(0.3, 0.05, bad_conf[i], &reps),
                         AS_EUSAGE);
        assert_int_equal(reps, 0);
    }
    assert_int_equal(stats_mean_ci(0, 0.1, 0.2, 0.95, &lo, &hi), AS_EUSAGE);
    assert_int_equal(stats_mean_ci(1, 0.1, 0.2, 0.95, &lo, &hi), AS_EUSAGE);
    assert_int_equal(stats_mean_ci(10, NAN, 0.2, 0.95, &lo, &hi), AS_EUSAGE);
    assert_int_equal(stats_mean_ci(10, 0.1, -0.2, 0.95, &lo, &hi), AS_EUSAGE);
    assert_int_equal(stats_mean_ci(10, 0.1, INFINITY, 0.95, &lo, &hi), AS_EUSAGE);
    assert_int_equal(stats_paired_ci(0, 0.1, 0.2, 0.95, &lo, &hi), AS_EUSAGE);
    assert_int_equal(stats_clopper_pearson(0, 0, 0.95, &lo, &hi), AS_EUSAGE);
    assert_int_equal(stats_clopper_pearson(11, 10, 0.95, &lo, &hi), AS_EUSAGE);
    assert_int_equal(stats_welch_ci(0.1, 0.2, 1, 0.3, 0.2, 10, 0.95, &diff, &lo,
                                    &hi, &df),
                     AS_EUSAGE);
    assert_int_equal(stats_welch_ci(0.1, 0.2, 10, 0.3, 0.2, 0, 0.95, &diff, &lo,
                                    &hi, &df),
                     AS_EUSAGE);
    assert_int_equal(stats_welch_ci(0.1, -0.2, 10, 0.3, 0.2, 10, 0.95, &diff, &lo,
                                    &hi, &df),
                     AS_EUSAGE);
    assert_int_equal(stats_welch_ci(0.1, 0.2, 10, NAN, 0.2, 10, 0.95, &diff, &lo,
                                    &hi, &df),
                     AS_EUSAGE);
    assert_int_equal(stats_binom_reps_needed(-0.1, 0.05, 0.95, &reps), AS_EUSAGE);
    assert_int_equal(stats_binom_reps_needed(1.1, 0.05, 0.95, &reps), AS_EUSAGE);
    assert_int_equal(stats_binom_reps_needed(0.5, 0.0, 0.95, &reps), AS_EUSAGE);
    assert_int_equal(stats_binom_reps_needed(0.5, NAN, 0.95, &reps), AS_EUSAGE);
    assert_int_equal(stats_binom_reps_needed(0.5, 1e-12, 0.95, &reps), AS_EUSAGE);
    assert_int_equal(reps, 0);
}

/* ---- stats/xsum --------------------------------------------------- */

static double xsum_of(const double *v, size_t n)
{
    xsum s;
    xsum_init(&s);
    for (size_t i = 0; i < n; i++)
        xsum_add(&s, v[i]);
    return xsum_value(&s);
}

static void test_xsum_is_the_correctly_rounded_exact_sum(void **state)
{
    (void)state;
    /* Ten tenths: the naive sum is 0.9999999999999999; the exact sum of the
     * ten doubles nearest 0.1 is 1 + 5.55e-17, which rounds to 1. */
    double tenths[10];
    for (int i = 0; i < 10; i++)
        tenths[i] = 0.1;
    assert_true(xsum_of(tenths, 10) == 1.0);
    /* Overflow and cancellation in the middle do not matter. */
    double big[] = {1e308, 1e308, -1e308};
    assert_true(xsum_of(big, 3) == 1e308);
    double tiny[] = {1.0, 1e-300, -1.0};
    assert_true(xsum_of(tiny, 3) == 1e-300);
    double sub[] = {DBL_TRUE_MIN, DBL_TRUE_MIN, DBL_TRUE_MIN};
    assert_true(xsum_of(sub, 3) == 3 * DBL_TRUE_MIN);
    /* 2^53 + 1 + 1 is exact; left to right in double it stays 2^53. */
    double p53 = 9007199254740992.0;
    double ones[] = {p53, 1.0, 1.0};
    assert_true(xsum_of(ones, 3) == p53 + 2.0);
    /* Ties go to even: 2^53 + 1 -> 2^53, 2^53 + 3 -> 2^53 + 4. */
    double tie1[] = {p53, 1.0}, tie3[] = {p53 + 2.0, 1.0};
    assert_true(xsum_of(tie1, 2) == p53);
    assert_true(xsum_of(tie3, 2) == p53 + 4.0);
    double neg[] = {-0.5, 0.25};
    assert_true(xsum_of(neg, 2) == -0.25);
    assert_true(xsum_of(NULL, 0) == 0.0);
    /* Non-finite terms behave as IEEE addition. */
    double withnan[] = {1.0, NAN}, pinf[] = {1.0, INFINITY}, both[] = {INFINITY, -INFINITY};
    assert_true(isnan(xsum_of(withnan, 2)));
    assert_true(xsum_of(pinf, 2) == INFINITY);
    assert_true(isnan(xsum_of(both, 2)));
    double huge[] = {DBL_MAX, DBL_MAX};
    assert_true(xsum_of(huge, 2) == INFINITY);
}

static void test_xsum_is_the_same_in_any_order_and_grouping(void **state)
{
    fixture *fx = *state;
    enum { N = 20000, M = 3 * N };
    fx->data = malloc(M * sizeof *fx->data);
    assert_non_null(fx->data);
    double *v = fx->data;
    /* Pairs x, -x over 600 binary orders of magnitude, and small integers
     * k: the exact total is the integer sum of the k, although every
     * partial sum in double loses the small terms next to the large ones. */
    long want = 0;
    for (size_t i = 0; i < N; i++) {
        double x = ldexp(gsl_rng_uniform_pos(fx->rng), (int)gsl_rng_uniform_int(fx->rng, 600) - 300);
        long k = (long)gsl_rng_uniform_int(fx->rng, 2001) - 1000;
        v[3 * i] = x;
        v[3 * i + 1] = (double)k;
        v[3 * i + 2] = -x;
        want += k;
    }
    /* Shuffle so that the pairs are far apart. */
    gsl_ran_shuffle(fx->rng, v, M, sizeof *v);
    xsum fwd, back, parts[7], merged;
    xsum_init(&fwd);
    xsum_init(&back);
    xsum_init(&merged);
    double naive = 0.0;
    for (size_t i = 0; i < M; i++) {
        xsum_add(&fwd, v[i]);
        naive += v[i];
    }
    for (size_t i = M; i-- > 0;)
        xsum_add(&back, v[i]);
    for (int p = 0; p < 7; p++)
        xsum_init(&parts[p]);
    for (size_t i = 0; i < M; i++)
        xsum_add(&parts[gsl_rng_uniform_int(fx->rng, 7)], v[i]);
    for (int p = 6; p >= 0; p--)
        xsum_merge(&merged, &parts[p]);
    assert_memory_equal(&fwd, &back, sizeof fwd);
    assert_memory_equal(&fwd, &merged, sizeof fwd);
    assert_true(xsum_value(&fwd) == (double)want);
    /* (The naive sum is not: it would fail this test.) */
    assert_true(naive != (double)want);
    /* Pack and unpack keep every bit. */
    buf b = {0};
    xsum_pack(&fwd, &b);
    assert_int_equal(b.len, XSUM_PACKED_BYTES);
    xsum u;
    buf_reader r = buf_reader_of(b.data, b.len);
    xsum_unpack(&u, &r);
    assert_false(r.failed);
    assert_memory_equal(&u, &fwd, sizeof u);
    buf_clear(&b);
}

/* Weighted quantiles (the posterior's summaries): the smallest value whose
 * cumulative weight reaches q; weights 0.5, 0.25, 0.125, 0.125 are exact in
 * binary, so every boundary is hit exactly. */
static void test_weighted_quantile_is_the_first_value_reaching_q(void **state)
{
    (void)state;
    stats_weighted s[] = {{4.0, 0.125}, {2.0, 0.25}, {1.0, 0.5}, {3.0, 0.125}};
    stats_weighted_sort(s, 4);
    for (size_t i = 0; i < 4; i++)
        assert_true(s[i].v == (double)(i + 1));
    assert_true(stats_weighted_quantile(s, 4, 1.0, 0.05) == 1.0);
    assert_true(stats_weighted_quantile(s, 4, 1.0, 0.5) == 1.0);   /* 0.5 reached at 1 */
    assert_true(stats_weighted_quantile(s, 4, 1.0, 0.5001) == 2.0);
    assert_true(stats_weighted_quantile(s, 4, 1.0, 0.75) == 2.0);
    assert_true(stats_weighted_quantile(s, 4, 1.0, 0.875) == 3.0);
    assert_true(stats_weighted_quantile(s, 4, 1.0, 0.95) == 4.0);
    /* unnormalised weights: the total scales q */
    for (size_t i = 0; i < 4; i++)
        s[i].w *= 8.0;
    assert_true(stats_weighted_quantile(s, 4, 8.0, 0.75) == 2.0);
    /* a total the weights never reach returns the largest value */
    assert_true(stats_weighted_quantile(s, 4, 9.0, 1.0) == 4.0);
    assert_true(isnan(stats_weighted_quantile(s, 0, 1.0, 0.5)));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_summary_matches_direct_double_computation),
        T(test_constant_sample_has_exactly_zero_sd),
        T(test_empty_and_single_observation_cells_give_nan),
        T(test_nonfinite_values_are_counted_apart_and_out_of_range_clamped),
        T(test_quantile_follows_the_documented_interpolation),
        T(test_quantiles_within_one_bin_of_sample_quantiles),
        T(test_merge_in_any_grouping_is_bit_identical),
        T(test_merge_refuses_mismatched_shapes_and_leaves_dst_alone),
        T(test_reset_returns_to_the_empty_state),
        T(test_pack_unpack_round_trip_restores_everything),
        T(test_pack_layout_is_fixed_little_endian),
        T(test_unpack_rejects_truncated_and_oversized_buffers),
        T(test_unpack_rejects_every_single_corrupted_byte),
        T(test_unpack_rejects_inconsistent_cells_even_with_valid_hash),
        T(test_unpack_rejects_foreign_images_and_other_shapes),
        T(test_full_cell_refuses_more_observations),
        T(test_alloc_rejects_bad_shapes),
        T(test_bad_cell_conf_and_p_are_rejected),
        T(test_clopper_pearson_matches_published_values),
        T(test_clopper_pearson_bounds_solve_the_binomial_tail_equations),
        T(test_mean_ci_matches_the_student_t_interval),
        T(test_welch_ci_matches_direct_computation),
        T(test_paired_ci_from_accumulated_differences),
        T(test_reps_needed_matches_the_wald_formula),
        T(test_interval_functions_reject_bad_arguments),
        T(test_xsum_is_the_correctly_rounded_exact_sum),
        T(test_xsum_is_the_same_in_any_order_and_grouping),
        T(test_weighted_quantile_is_the_first_value_reaching_q),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
