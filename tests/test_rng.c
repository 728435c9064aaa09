/*
 * test_rng - stats/rng: the Philox4x64-10 generator type reproduces
 * Random123's published known-answer vectors, hands out its blocks word by
 * word as rng.h says, drives GSL's distributions correctly; the seed maps
 * are bijections (checked through their inverses); and the streams of a
 * million replications of one batch all differ, which the former mt19937
 * seeding (64-bit seeds folded to 32 bits) did not achieve.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "stats/rng.h"

/* ------------------------------------------------------------------ */
/* Known answers                                                      */
/* ------------------------------------------------------------------ */

typedef struct {
    uint64_t ctr[4], key[2], out[4];
} kat;

/*
 * Philox4x64-10 known-answer vectors.  The first three are those of
 * Random123's examples/kat_vectors (D. E. Shaw Research, Random123 1.09;
 * the same lines appear in every copy of that file); the others come from
 * the extended table of the Random123 manual's examples/kat_vectors
 * (github.com/girving/random123-manual), which varies one counter or key
 * word at a time.  Columns: counter (4 words), key (2 words), output.
 */
static const kat kats[] = {
    {{0, 0, 0, 0},
     {0, 0},
     {0x16554d9eca36314cULL, 0xdb20fe9d672d0fdcULL, 0xd7e772cee186176bULL, 0x7e68b68aec7ba23bULL}},
    {{~0ULL, ~0ULL, ~0ULL, ~0ULL},
     {~0ULL, ~0ULL},
     {0x87b092c3013fe90bULL, 0x438c3c67be8d0224ULL, 0x9cc7d7c69cd777b6ULL, 0xa09caebf594f0ba0ULL}},
    {{0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL, 0x082efa98ec4e6c89ULL},
     {0x452821e638d01377ULL, 0xbe5466cf34e90c6cULL},
     {0xa528f45403e61d95ULL, 0x38c72dbd566e9788ULL, 0xa5a1610e72fd18b5ULL, 0x57bd43b5e52b7fe6ULL}},
    {{1, 0, 0, 0},
     {1, 0},
     {0x4db6a27b756282dfULL, 0xd944fa03babe0e2fULL, 0x27f872e577060d32ULL, 0x07f697696a0482a2ULL}},
    {{0, 0, 0, 1},
     {0, 1},
     {0xc403b0ed4f4a56bcULL, 0x4c10205602338da5ULL, 0x44026cf45fd8c7b3ULL, 0xc85ab2577611200aULL}},
    {{0, 0x8000000000000000ULL, 0, 0},
     {0, 0x8000000000000000ULL},
     {0x237b3d9bab6c147bULL, 0x15cd10a376b3ba31ULL, 0xe9fca9f852456a7cULL, 0x011d03871fbcd351ULL}},
};

static void test_philox_block_matches_random123_known_answers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof kats / sizeof kats[0]; i++) {
        uint64_t out[4];
        rng_philox_block(kats[i].ctr, kats[i].key, out);
        for (int w = 0; w < 4; w++) {
            if (out[w] != kats[i].out[w])
                print_error("vector %zu word %d: %016llx, expected %016llx\n", i, w, (unsigned long long)out[w],
                            (unsigned long long)kats[i].out[w]);
            assert_true(out[w] == kats[i].out[w]);
        }
    }
}

/* The stream keyed (k0, k1): block c is philox(c, key), one word per draw,
 * get() its high 32 bits, get_double() its high 53 bits. */
static void test_stream_hands_out_blocks_word_by_word(void **state)
{
    (void)state;
    const uint64_t k0 = 0x452821e638d01377ULL, k1 = 3;
    gsl_rng *r = rng_alloc(k0, k1);
    assert_non_null(r);
    assert_string_equal(gsl_rng_name(r), "philox4x64_10");
    assert_true(gsl_rng_max(r) == 0xffffffffUL);
    assert_true(gsl_rng_min(r) == 0);
    const uint64_t key[2] = {k0, k1};
    for (uint64_t c = 0; c < 3; c++) {
        uint64_t ctr[4] = {c, 0, 0, 0}, out[4];
        rng_philox_block(ctr, key, out);
        /* Mixed kinds of draws: each consumes one word. */
        assert_true(gsl_rng_get(r) == (unsigned long)(out[0] >> 32));
        assert_true(gsl_rng_uniform(r) == (double)(out[1] >> 11) / 9007199254740992.0);
        assert_true(gsl_rng_get(r) == (unsigned long)(out[2] >> 32));
        assert_true(gsl_rng_uniform(r) == (double)(out[3] >> 11) / 9007199254740992.0);
    }
    /* Re-keying restarts the stream; gsl_rng_set(s) is the stream (s, 0). */
    rng_set_key(r, k0, k1);
    uint64_t ctr0[4] = {0, 0, 0, 0}, out[4];
    rng_philox_block(ctr0, key, out);
    assert_true(gsl_rng_get(r) == (unsigned long)(out[0] >> 32));
    gsl_rng_set(r, 77);
    gsl_rng *s = rng_alloc(77, 0);
    assert_non_null(s);
    for (int i = 0; i < 10; i++)
        assert_true(gsl_rng_get(r) == gsl_rng_get(s));
    /* A clone continues the same stream from where it is. */
    gsl_rng *c = gsl_rng_clone(r);
    assert_non_null(c);
    for (int i = 0; i < 9; i++)
        assert_true(gsl_rng_uniform(c) == gsl_rng_uniform(s));
    gsl_rng_free(c);
    gsl_rng_free(s);
    gsl_rng_free(r);
}

/* The counter is 256 bits: the first word wraps into the second. */
static void test_counter_carries_into_the_next_word(void **state)
{
    (void)state;
    gsl_rng *r = rng_alloc(5, 6);
    assert_non_null(r);
    /* Position the stream at block 2^64 - 1 by hand: the state is plain data
     * (key[2], ctr[4], out[4], used) as rng.c lays it out. */
    uint64_t *st = r->state;
    st[2] = ~0ULL;
    const uint64_t key[2] = {5, 6};
    uint64_t a[4], b[4], ca[4] = {~0ULL, 0, 0, 0}, cb[4] = {0, 1, 0, 0};
    rng_philox_block(ca, key, a);
    rng_philox_block(cb, key, b);
    for (int w = 0; w < 4; w++)
        assert_true(gsl_rng_get(r) == (unsigned long)(a[w] >> 32));
    for (int w = 0; w < 4; w++)
        assert_true(gsl_rng_get(r) == (unsigned long)(b[w] >> 32));
    gsl_rng_free(r);
}

/* GSL's distributions on the type: exact ranges and sample moments within
 * 5 standard errors (a fixed stream, so a failure reproduces). */
static void test_gsl_distributions_work_on_the_type(void **state)
{
    (void)state;
    enum { N = 200000 };
    gsl_rng *r = rng_alloc(2385, 9);
    assert_non_null(r);
    double su = 0.0, sg = 0.0, sg2 = 0.0, se = 0.0;
    unsigned long hist[7] = {0};
    for (int i = 0; i < N; i++) {
        double u = gsl_rng_uniform(r);
        assert_true(u >= 0.0 && u < 1.0);
        su += u;
        double g = gsl_ran_gaussian(r, 2.385);
        sg += g;
        sg2 += g * g;
        se += gsl_ran_exponential(r, 0.5);
        unsigned long k = gsl_rng_uniform_int(r, 7);
        assert_true(k < 7);
        hist[k]++;
        double p = gsl_rng_uniform_pos(r);
        assert_true(p > 0.0 && p < 1.0);
    }
    double n = N;
    assert_true(fabs(su / n - 0.5) < 5.0 * sqrt(1.0 / 12.0 / n));
    assert_true(fabs(sg / n) < 5.0 * 2.385 / sqrt(n));
    /* sd of the sample variance of a normal: sigma^2 sqrt(2 / n). */
    assert_true(fabs(sg2 / n - 2.385 * 2.385) < 5.0 * 2.385 * 2.385 * sqrt(2.0 / n));
    assert_true(fabs(se / n - 0.5) < 5.0 * 0.5 / sqrt(n));
    /* Chi-square of the 7 cells against uniform, at p = 1e-6. */
    double chi = 0.0, want = n / 7.0;
    for (int k = 0; k < 7; k++)
        chi += ((double)hist[k] - want) * ((double)hist[k] - want) / want;
    assert_true(chi < gsl_cdf_chisq_Qinv(1e-6, 6.0));
    gsl_rng_free(r);
}

/* ------------------------------------------------------------------ */
/* Seeds                                                              */
/* ------------------------------------------------------------------ */

static void test_mix64_is_inverted_by_unmix64(void **state)
{
    (void)state;
    /* splitmix64's finaliser at 0 is 0; its known value at 1. */
    assert_true(rng_mix64(0) == 0);
    assert_true(rng_mix64(1) == 0x5692161d100b05e5ULL);
    uint64_t x = 0x243f6a8885a308d3ULL;
    for (int i = 0; i < 100000; i++) {
        assert_true(rng_unmix64(rng_mix64(x)) == x);
        assert_true(rng_mix64(rng_unmix64(x)) == x);
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    }
}

/* For a fixed master, rep -> seed is a bijection of [0, 2^63): its inverse
 * recovers every rep, including the ends of the range, and every seed is a
 * valid scenario seed. */
static void test_rep_seed_is_a_bijection_of_63_bit_values(void **state)
{
    (void)state;
    const uint64_t masters[] = {0, 1, 2385, 19491001, RNG_SEED_MAX, ~0ULL};
    for (size_t m = 0; m < sizeof masters / sizeof masters[0]; m++) {
        uint64_t x = 12345;
        for (int i = 0; i < 200000; i++) {
            uint64_t rep = x & RNG_SEED_MAX;
            if (i < 1000)
                rep = (uint64_t)i;
            else if (i < 2000)
                rep = RNG_SEED_MAX - (uint64_t)(i - 1000);
            uint64_t s = rng_rep_seed(masters[m], rep);
            assert_true(s <= RNG_SEED_MAX);
            if (rng_rep_index(masters[m], s) != rep)
                print_error("master %llu rep %llu: seed %llu maps back to %llu\n", (unsigned long long)masters[m],
                            (unsigned long long)rep, (unsigned long long)s,
                            (unsigned long long)rng_rep_index(masters[m], s));
            assert_true(rng_rep_index(masters[m], s) == rep);
            /* ... and the other way round on arbitrary 63-bit seeds. */
            assert_true(rng_rep_seed(masters[m], rng_rep_index(masters[m], x & RNG_SEED_MAX)) == (x & RNG_SEED_MAX));
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        }
    }
    /* Masters differ in every replication, not by a shift of the index. */
    assert_true(rng_rep_seed(2385, 1) != rng_rep_seed(2386, 0));
    assert_true(rng_rep_seed(2385, 0) != rng_rep_seed(2386, 0));
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

typedef struct {
    double u[2];
} first_draws;

static int cmp_draws(const void *a, const void *b)
{
    const first_draws *x = a, *y = b;
    for (int i = 0; i < 2; i++)
        if (x->u[i] != y->u[i])
            return x->u[i] < y->u[i] ? -1 : 1;
    return 0;
}

/* The former seeding, restated to show what it did: replication seed
 * mix64(master ^ mix64(rep + golden)) & (2^63 - 1), substream seed
 * mix64(seed ^ mix64(stream * golden + 0x632be59bd9b4e019)), folded to the
 * 32 bits mt19937 keeps (0 replaced). */
static uint64_t old_mt19937_seed(uint64_t master, uint64_t rep, uint64_t stream)
{
    uint64_t seed = rng_mix64(master ^ rng_mix64(rep + 0x9e3779b97f4a7c15ULL)) & RNG_SEED_MAX;
    uint64_t sub = rng_mix64(seed ^ rng_mix64(stream * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL));
    uint64_t s = (sub ^ (sub >> 32)) & 0xffffffffULL;
    return s ? s : 0x9e3779b9ULL;
}

/*
 * The test: the first draws of 10^6 replications' streams (each of
 * the model's four substreams) are pairwise distinct.  With the former
 * mt19937 seeding about n^2 / 2^33 = 116 pairs of replications shared each
 * substream's generator outright (birthday bound on 32-bit seeds); the test
 * counts them, to show that it would have failed then.
 */
static void test_first_draws_of_a_million_replications_are_distinct(void **state)
{
    (void)state;
    enum { N = 1000000, STREAMS = 4 };
    const uint64_t master = 2385;
    first_draws *d = malloc((size_t)N * STREAMS * sizeof *d);
    uint64_t *old = malloc((size_t)N * sizeof *old);
    gsl_rng *r = rng_alloc(0, 0);
    assert_non_null(d);
    assert_non_null(old);
    assert_non_null(r);
    for (uint64_t rep = 0; rep < N; rep++) {
        uint64_t seed = rng_rep_seed(master, rep);
        for (uint64_t s = 1; s <= STREAMS; s++) {
            rng_set_key(r, seed, s);
            first_draws *f = &d[rep * STREAMS + (s - 1)];
            f->u[0] = gsl_rng_uniform(r);
            f->u[1] = gsl_rng_uniform(r);
        }
    }
    qsort(d, (size_t)N * STREAMS, sizeof *d, cmp_draws);
    size_t same = 0;
    for (size_t i = 1; i < (size_t)N * STREAMS; i++)
        same += cmp_draws(&d[i - 1], &d[i]) == 0;
    assert_int_equal(same, 0);

    size_t old_same = 0;
    for (uint64_t rep = 0; rep < N; rep++)
        old[rep] = old_mt19937_seed(master, rep, 1);
    qsort(old, N, sizeof *old, cmp_u64);
    for (size_t i = 1; i < N; i++)
        old_same += old[i] == old[i - 1];
    print_message("former mt19937 seeding: %zu pairs of the %d replications shared the parameter stream\n",
                  old_same, N);
    assert_true(old_same > 50 && old_same < 200);
    gsl_rng_free(r);
    free(old);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_philox_block_matches_random123_known_answers),
        cmocka_unit_test(test_stream_hands_out_blocks_word_by_word),
        cmocka_unit_test(test_counter_carries_into_the_next_word),
        cmocka_unit_test(test_gsl_distributions_work_on_the_type),
        cmocka_unit_test(test_mix64_is_inverted_by_unmix64),
        cmocka_unit_test(test_rep_seed_is_a_bijection_of_63_bit_values),
        cmocka_unit_test(test_first_draws_of_a_million_replications_are_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
