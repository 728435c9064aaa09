/*
 * rng - Philox4x64-10 as a GSL generator type, and the seed bijections
 * (see rng.h).
 *
 * The block function is Random123's own (header-only philox.h, Debian
 * librandom123-dev); this file only keeps the counter and hands out the
 * block's words one by one.  The state is plain data, so GSL's memcpy and
 * clone copy a stream exactly.
 */
#include "stats/rng.h"

#include <assert.h>
#include <string.h>

#include <Random123/philox.h>

#define M63 RNG_SEED_MAX

typedef struct {
    uint64_t key[2];
    uint64_t ctr[4];  /* the block that the next refill computes */
    uint64_t out[4];  /* the current block */
    unsigned used;    /* words of out handed out (4: compute the next block) */
} philox_state;

void rng_philox_block(const uint64_t ctr[4], const uint64_t key[2], uint64_t out[4])
{
    philox4x64_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
    philox4x64_key_t k = {{key[0], key[1]}};
    philox4x64_ctr_t r = philox4x64_R(10, c, k);
    for (int i = 0; i < 4; i++)
        out[i] = r.v[i];
}

/* The next 64-bit word of the stream. */
static uint64_t next_word(philox_state *s)
{
    if (s->used == 4) {
        rng_philox_block(s->ctr, s->key, s->out);
        /* A 256-bit increment; the first word alone lasts 2^64 blocks. */
        for (int i = 0; i < 4 && ++s->ctr[i] == 0; i++)
            ;
        s->used = 0;
    }
    return s->out[s->used++];
}

static unsigned long philox_get(void *vs)
{
    return (unsigned long)(next_word(vs) >> 32);
}

static double philox_get_double(void *vs)
{
    return (double)(next_word(vs) >> 11) * (1.0 / 9007199254740992.0);
}

static void key_state(philox_state *s, uint64_t k0, uint64_t k1)
{
    memset(s, 0, sizeof *s);
    s->key[0] = k0;
    s->key[1] = k1;
    s->used = 4;
}

static void philox_set(void *vs, unsigned long seed)
{
    key_state(vs, (uint64_t)seed, 0);
}

static const gsl_rng_type philox_type = {
    "philox4x64_10", 0xffffffffUL, 0, sizeof(philox_state), philox_set, philox_get, philox_get_double};

const gsl_rng_type *rng_philox(void)
{
    return &philox_type;
}

gsl_rng *rng_alloc(uint64_t k0, uint64_t k1)
{
    gsl_rng *r = gsl_rng_alloc(&philox_type);
    if (r)
        rng_set_key(r, k0, k1);
    return r;
}

void rng_set_key(gsl_rng *r, uint64_t k0, uint64_t k1)
{
    assert(r->type == &philox_type);
    key_state(r->state, k0, k1);
}

/* ---- seeds ----------------------------------------------------------- */

/* The constants of splitmix64's finaliser (Steele, Lea and Flood 2014;
 * Vigna's splitmix64.c); both multipliers are odd, hence invertible. */
#define MIX_C1 0xbf58476d1ce4e5b9ULL
#define MIX_C2 0x94d049bb133111ebULL

/* The inverse of an odd a modulo 2^64 (Newton's iteration doubles the
 * correct low bits each step: 3, 6, 12, 24, 48, 96). */
static uint64_t inverse_odd(uint64_t a)
{
    uint64_t x = a;
    for (int i = 0; i < 5; i++)
        x *= 2 - a * x;
    return x;
}

/* Inverts y = x ^ (x >> s) for x < 2^bits (bits <= 64). */
static uint64_t unxorshift(uint64_t y, unsigned s)
{
    uint64_t x = y;
    for (unsigned done = s; done < 64; done += s)
        x = y ^ (x >> s);
    return x;
}

uint64_t rng_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= MIX_C1;
    x ^= x >> 27;
    x *= MIX_C2;
    x ^= x >> 31;
    return x;
}

uint64_t rng_unmix64(uint64_t x)
{
    x = unxorshift(x, 31);
    x *= inverse_odd(MIX_C2);
    x = unxorshift(x, 27);
    x *= inverse_odd(MIX_C1);
    return unxorshift(x, 30);
}

/* The same construction on 63-bit words: x < 2^63 stays below 2^63 through
 * every step (right shifts, products taken modulo 2^63), and each step is
 * invertible modulo 2^63 (an odd multiplier's inverse modulo 2^64 is also
 * its inverse modulo 2^63). */
static uint64_t mix63(uint64_t x)
{
    x ^= x >> 31;
    x = (x * MIX_C1) & M63;
    x ^= x >> 29;
    x = (x * MIX_C2) & M63;
    x ^= x >> 32;
    return x;
}

static uint64_t unmix63(uint64_t x)
{
    x = unxorshift(x, 32);
    x = (x * inverse_odd(MIX_C2)) & M63;
    x = unxorshift(x, 29);
    x = (x * inverse_odd(MIX_C1)) & M63;
    return unxorshift(x, 31);
}

/* The two round keys of a master seed. */
static void rep_keys(uint64_t master, uint64_t *ka, uint64_t *kb)
{
    *ka = rng_mix64(master) & M63;
    *kb = rng_mix64(master ^ 0x9e3779b97f4a7c15ULL) & M63;
}

uint64_t rng_rep_seed(uint64_t master, uint64_t rep)
{
    uint64_t ka, kb;
    rep_keys(master, &ka, &kb);
    uint64_t x = mix63((rep & M63) ^ ka);
    return mix63((x + kb) & M63);
}

uint64_t rng_rep_index(uint64_t master, uint64_t seed)
{
    uint64_t ka, kb;
    rep_keys(master, &ka, &kb);
    uint64_t x = (unmix63(seed & M63) - kb) & M63;
    return unmix63(x) ^ ka;
}
