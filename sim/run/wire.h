/*
 * wire - byte-level helpers for the batch engine's binary images
 * (checkpoints, milestone accumulators, MPI messages): little-endian u64
 * words independent of the host, a growable byte buffer, and the FNV-1a
 * 64-bit hash that seals images and identifies scenario texts.
 *
 * A wire_buf grows by doubling; a failed allocation makes it "failed"
 * (sticky), after which appends do nothing, so a writer can append freely
 * and check wire_buf.failed once at the end.  A wire_reader reads from a
 * borrowed byte range and turns "failed" (sticky) on any read past its end.
 */
#ifndef ALIGNSIM_RUN_WIRE_H
#define ALIGNSIM_RUN_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WIRE_FNV_OFFSET 0xcbf29ce484222325ULL
#define WIRE_FNV_PRIME 0x100000001b3ULL

/* Continues an FNV-1a 64-bit hash h over len bytes. */
static inline uint64_t wire_fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= WIRE_FNV_PRIME;
    }
    return h;
}

static inline void wire_put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint64_t wire_get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* A growable byte buffer (zero-initialise it; free data when done). */
typedef struct {
    unsigned char *data;
    size_t len, cap;
    int failed;
} wire_buf;

/* Makes room for n more bytes; 0, or -1 (and failed) when memory runs out. */
static inline int wire_reserve(wire_buf *b, size_t n)
{
    if (b->failed)
        return -1;
    if (n <= b->cap - b->len)
        return 0;
    if (n > SIZE_MAX / 2 - b->len) {
        b->failed = 1;
        return -1;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n)
        cap *= 2;
    unsigned char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

static inline void wire_append(wire_buf *b, const void *data, size_t n)
{
    if (n && wire_reserve(b, n) == 0) {
        memcpy(b->data + b->len, data, n);
        b->len += n;
    }
}

static inline void wire_append_u64(wire_buf *b, uint64_t v)
{
    unsigned char w[8];
    wire_put_u64(w, v);
    wire_append(b, w, 8);
}

/* Frees the buffer's memory and empties it. */
static inline void wire_buf_free(wire_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

/* A cursor over borrowed bytes. */
typedef struct {
    const unsigned char *p;
    size_t len, pos;
    int failed;
} wire_reader;

static inline uint64_t wire_read_u64(wire_reader *r)
{
    if (r->failed || r->len - r->pos < 8) {
        r->failed = 1;
        return 0;
    }
    uint64_t v = wire_get_u64(r->p + r->pos);
    r->pos += 8;
    return v;
}

/* Returns a pointer to the next n bytes and skips them, or NULL (failed). */
static inline const unsigned char *wire_read_bytes(wire_reader *r, uint64_t n)
{
    if (r->failed || n > r->len - r->pos) {
        r->failed = 1;
        return NULL;
    }
    const unsigned char *p = r->p + r->pos;
    r->pos += (size_t)n;
    return p;
}

#endif
