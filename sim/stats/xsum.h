/*
 * xsum - exact sums of doubles, mergeable in any order.
 *
 * A floating-point sum depends on the order of its terms; the executor
 * merges workers' and ranks' partial results in whatever grouping a run
 * happens to have, so a study that sums doubles (losses, dates) needs a sum
 * that does not.  An xsum holds the exact sum of every finite double added,
 * as a two's complement fixed-point integer in units of 2^-1074 (the
 * smallest subnormal) over XSUM_LIMBS 64-bit limbs: 2^-1074 .. 2^1024 with
 * 2^126 of headroom, so up to 2^62 terms of any magnitude never overflow.
 * Adding and merging are integer additions (associative, commutative), and
 * xsum_value() rounds the exact sum once, to nearest with ties to even.  So
 * any order and grouping of the same terms gives the same bits, and the
 * value is the correctly rounded sum (more accurate than any summation
 * order in double).
 *
 * Non-finite terms are not summed: they are counted (NaN, +inf, -inf) and
 * make the value NaN, +inf or -inf as IEEE addition would.
 *
 * Plain value data (no pointers): zero-initialised (or xsum_init) it is the
 * empty sum; copy it with assignment.  No global state.
 */
#ifndef ALIGNSIM_STATS_XSUM_H
#define ALIGNSIM_STATS_XSUM_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define XSUM_LIMBS 36

typedef struct {
    uint64_t limb[XSUM_LIMBS];  /* little-endian two's complement, unit 2^-1074 */
    uint64_t n;                 /* terms added (finite or not) */
    uint64_t nan, pinf, ninf;   /* non-finite terms */
} xsum;

/* Bytes of a packed xsum. */
#define XSUM_PACKED_BYTES (8u * (XSUM_LIMBS + 4u))

/* Empties s. */
void xsum_init(xsum *s);

/* Adds v exactly. */
void xsum_add(xsum *s, double v);

/* Adds src into dst exactly. */
void xsum_merge(xsum *dst, const xsum *src);

/* The sum rounded once to the nearest double (ties to even); NaN when a NaN
 * or both infinities were added, +-inf when one infinity was or the exact
 * sum is beyond the largest double; 0.0 for the empty sum. */
double xsum_value(const xsum *s);

/* The mean (the rounded exact sum divided by n), NaN for n = 0. */
double xsum_mean(const xsum *s);

/* Appends the XSUM_PACKED_BYTES little-endian words of s to out. */
void xsum_pack(const xsum *s, buf *out);

/* Reads one packed xsum from r (sets r->failed when too short). */
void xsum_unpack(xsum *s, buf_reader *r);

#endif
