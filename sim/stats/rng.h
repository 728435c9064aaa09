/*
 * rng - the random streams of alignsim: Random123's Philox4x64-10
 * counter-based generator (Salmon et al., "Parallel random numbers: as easy
 * as 1, 2, 3", SC11) wrapped as a GSL generator type, so that every GSL
 * distribution draws from it unchanged.
 *
 * A stream is a key of two 64-bit words.  The generator has no other state
 * than the key, a 256-bit counter and the block it last computed: output
 * block c of stream (k0, k1) is philox4x64_10(counter c, key (k0, k1)), four
 * 64-bit words.  Every call of get() or get_double() consumes one word:
 *
 *   get()         the word's high 32 bits: an integer in [0, 0xffffffff]
 *                 (the type's max), so gsl_rng_uniform_int and the integer
 *                 distributions see 32 random bits;
 *   get_double()  the word's high 53 bits times 2^-53: a double in [0, 1)
 *                 with every bit of its mantissa random;
 *
 * and the counter advances by one block after every four calls.  Distinct
 * keys give statistically independent streams with no seeding step at all
 * (a key change costs nothing): the replication seed and a substream id key
 * a replication's streams directly, so two replications share a stream only
 * if they share their seed, and a batch's seeds are all distinct by
 * construction (rng_rep_seed).  A stream has 2^64 blocks before its counter
 * wraps into the next word of the counter (it does not repeat for 2^256).
 *
 * gsl_rng_set(r, s) keys the stream (s, 0) at block 0; rng_set_key() keys
 * (k0, k1).  gsl_rng_memcpy/clone work (the state is plain data).
 *
 * Seeds: rng_mix64() is the splitmix64 finaliser (a bijection of 64-bit
 * words), rng_rep_seed() the bijection from replication index to 63-bit
 * replication seed.
 *
 * No global state: rng_philox() returns a pointer to a constant type
 * description; generators belong to their callers, one thread at a time.
 */
#ifndef ALIGNSIM_STATS_RNG_H
#define ALIGNSIM_STATS_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* Substream ids used outside the model (the model's are 1 to 4): the Latin
 * hypercube of a sweep and the bootstrap of a sensitivity analysis.  They
 * key (seed, id) streams, so they never meet a replication's streams even
 * when a seed coincides. */
#define RNG_STREAM_LHS 0x4c4853u         /* "LHS" */
#define RNG_STREAM_BOOTSTRAP 0x424f4f54u /* "BOOT" */

/* The GSL generator type "philox4x64_10" (a constant; never freed). */
const gsl_rng_type *rng_philox(void);

/*
 * Allocates a Philox generator keyed (k0, k1) at block 0, or NULL when
 * memory runs out.  Free it with gsl_rng_free().
 */
gsl_rng *rng_alloc(uint64_t k0, uint64_t k1);

/*
 * Restarts r (which must be of type rng_philox()) as stream (k0, k1) at its
 * first output.  Costs a few stores: no block is computed until the next
 * draw.
 */
void rng_set_key(gsl_rng *r, uint64_t k0, uint64_t k1);

/* One Philox4x64-10 block: out = philox(ctr, key) (the bare function, for
 * known-answer tests and for callers that want whole blocks). */
void rng_philox_block(const uint64_t ctr[4], const uint64_t key[2], uint64_t out[4]);

/* The splitmix64 finaliser: a bijection of 64-bit words that spreads every
 * input bit over the output (seed derivation, hashing). */
uint64_t rng_mix64(uint64_t x);

/* The inverse of rng_mix64. */
uint64_t rng_unmix64(uint64_t x);

/* Replication seeds are 63-bit: a scenario's seed is a libconfig int64, so
 * any replication seed can be given back to `alignsim run -s`. */
#define RNG_SEED_MAX UINT64_C(0x7fffffffffffffff)

/*
 * The seed of replication rep (rep <= RNG_SEED_MAX) of a study with master
 * seed master: for a fixed master a bijection of [0, 2^63) onto itself, so
 * no two replications of one batch can share a seed (and hence a stream).
 * Two keyed rounds of a 63-bit xorshift-multiply mixer (each step invertible
 * modulo 2^63), with keys derived from the master by rng_mix64; see rng.c.
 */
uint64_t rng_rep_seed(uint64_t master, uint64_t rep);

/* The inverse: the replication whose seed under master is seed
 * (seed <= RNG_SEED_MAX).  rng_rep_index(m, rng_rep_seed(m, r)) == r. */
uint64_t rng_rep_index(uint64_t master, uint64_t seed);

#endif
