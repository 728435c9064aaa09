/*
 * xsum - exact sums of doubles (see xsum.h).
 *
 * A finite double is M * 2^(p - 1074) with an integer mantissa M < 2^53 and
 * p = max(biased exponent - 1, 0) in [0, 2045]; adding it adds M << p to
 * the fixed-point integer, touching two limbs plus a carry.  The integer
 * spans bits 0 .. 2303, the top one the sign.
 */
#include "stats/xsum.h"

#include <math.h>
#include <string.h>

void xsum_init(xsum *s)
{
    memset(s, 0, sizeof *s);
}

/* Adds (sub = 0) or subtracts (sub = 1) the 128-bit value hi:lo placed at
 * limb i, carrying through the limbs above. */
static void add_at(xsum *s, size_t i, uint64_t lo, uint64_t hi, int sub)
{
    uint64_t carry = 0;
    for (size_t k = i; k < XSUM_LIMBS; k++) {
        uint64_t v = k == i ? lo : k == i + 1 ? hi : 0;
        if (k > i + 1 && carry == 0)
            break;
        uint64_t old = s->limb[k];
        if (!sub) {
            uint64_t t = old + v;
            uint64_t c1 = t < old;
            uint64_t u = t + carry;
            uint64_t c2 = u < t;
            s->limb[k] = u;
            carry = c1 | c2;
        } else {
            uint64_t t = old - v;
            uint64_t b1 = old < v;
            uint64_t u = t - carry;
            uint64_t b2 = t < carry;
            s->limb[k] = u;
            carry = b1 | b2;
        }
    }
}

void xsum_add(xsum *s, double v)
{
    s->n++;
    if (isnan(v)) {
        s->nan++;
        return;
    }
    if (isinf(v)) {
        if (v > 0)
            s->pinf++;
        else
            s->ninf++;
        return;
    }
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int neg = (int)(bits >> 63);
    unsigned exp = (unsigned)((bits >> 52) & 0x7ff);
    uint64_t m = bits & ((UINT64_C(1) << 52) - 1);
    unsigned p = 0;
    if (exp != 0) {
        m |= UINT64_C(1) << 52;
        p = exp - 1;
    }
    if (m == 0)
        return;
    size_t i = p / 64;
    unsigned sh = p % 64;
    uint64_t lo = m << sh, hi = sh ? m >> (64 - sh) : 0;
    add_at(s, i, lo, hi, neg);
}

void xsum_merge(xsum *dst, const xsum *src)
{
    uint64_t carry = 0;
    for (size_t k = 0; k < XSUM_LIMBS; k++) {
        uint64_t a = dst->limb[k], t = a + src->limb[k];
        uint64_t c1 = t < a;
        uint64_t u = t + carry;
        uint64_t c2 = u < t;
        dst->limb[k] = u;
        carry = c1 | c2;
    }
    dst->n += src->n;
    dst->nan += src->nan;
    dst->pinf += src->pinf;
    dst->ninf += src->ninf;
}

/* Bit b of the magnitude a. */
static int bit_at(const uint64_t *a, size_t b)
{
    return (int)((a[b / 64] >> (b % 64)) & 1u);
}

double xsum_value(const xsum *s)
{
    if (s->nan || (s->pinf && s->ninf))
        return NAN;
    if (s->pinf)
        return INFINITY;
    if (s->ninf)
        return -INFINITY;
    uint64_t a[XSUM_LIMBS];
    memcpy(a, s->limb, sizeof a);
    int neg = (int)(a[XSUM_LIMBS - 1] >> 63);
    if (neg) {
        /* Two's complement negation: invert and add one. */
        uint64_t carry = 1;
        for (size_t k = 0; k < XSUM_LIMBS; k++) {
            a[k] = ~a[k] + carry;
            carry = carry && a[k] == 0;
        }
    }
    size_t top = XSUM_LIMBS;
    while (top > 0 && a[top - 1] == 0)
        top--;
    if (top == 0)
        return 0.0;
    size_t t = (top - 1) * 64 + (size_t)(63 - __builtin_clzll(a[top - 1]));
    double v;
    if (t < 53) {
        /* At most 53 bits: exact, as a subnormal or small normal. */
        v = ldexp((double)a[0], -1074);
    } else {
        /* The top 53 bits, rounded to nearest even on the rest. */
        uint64_t mant = 0;
        for (size_t b = t - 52; b <= t; b++)
            mant |= (uint64_t)bit_at(a, b) << (b - (t - 52));
        int round = bit_at(a, t - 53), sticky = 0;
        for (size_t b = 0; b + 53 < t && !sticky; b++)
            sticky = bit_at(a, b);
        if (round && (sticky || (mant & 1u))) {
            mant++;
            if (mant == UINT64_C(1) << 53) {
                mant >>= 1;
                t++;
            }
        }
        v = ldexp((double)mant, (int)t - 52 - 1074);
    }
    return neg ? -v : v;
}

double xsum_mean(const xsum *s)
{
    return s->n ? xsum_value(s) / (double)s->n : NAN;
}

void xsum_pack(const xsum *s, buf *out)
{
    for (size_t k = 0; k < XSUM_LIMBS; k++)
        buf_append_u64(out, s->limb[k]);
    buf_append_u64(out, s->n);
    buf_append_u64(out, s->nan);
    buf_append_u64(out, s->pinf);
    buf_append_u64(out, s->ninf);
}

void xsum_unpack(xsum *s, buf_reader *r)
{
    for (size_t k = 0; k < XSUM_LIMBS; k++)
        s->limb[k] = buf_read_u64(r);
    s->n = buf_read_u64(r);
    s->nan = buf_read_u64(r);
    s->pinf = buf_read_u64(r);
    s->ninf = buf_read_u64(r);
}
