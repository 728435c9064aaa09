/*
 * buf - growable buffer (see buf.h).  Invariant: data is NULL and len, cap
 * are 0, or data holds cap bytes with len < cap and data[len] == '\0'.
 */
#include "base/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int buf_reserve(buf *b, size_t n)
{
    if (b->failed)
        return -1;
    if (b->cap > b->len && n < b->cap - b->len)
        return 0;
    if (n > SIZE_MAX / 2 - b->len - 1) {
        b->failed = 1;
        return -1;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= n)
        cap *= 2;
    unsigned char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    if (!b->data)
        p[0] = '\0';
    b->data = p;
    b->cap = cap;
    return 0;
}

void buf_append(buf *b, const void *data, size_t n)
{
    if (buf_reserve(b, n) != 0)
        return;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_put_shell_word(buf *b, const char *s)
{
    static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%";
    if (*s && strspn(s, plain) == strlen(s)) {
        buf_puts(b, s);
        return;
    }
    buf_puts(b, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            buf_puts(b, "'\\''");
        else
            buf_append(b, p, 1);
    }
    buf_puts(b, "'");
}

void buf_vprintf(buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (buf_reserve(b, (size_t)n) != 0)
        return;
    vsnprintf((char *)b->data + b->len, b->cap - b->len, fmt, ap);
    b->len += (size_t)n;
}

void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

uint64_t buf_get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

void buf_append_u64(buf *b, uint64_t v)
{
    unsigned char w[8];
    buf_put_u64(w, v);
    buf_append(b, w, 8);
}

void buf_append_double(buf *b, double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    buf_append_u64(b, u);
}

const char *buf_str(const buf *b)
{
    return b->data ? (const char *)b->data : "";
}

char *buf_take(buf *b)
{
    if (b->failed || buf_reserve(b, 0) != 0) {
        buf_clear(b);
        return NULL;
    }
    char *s = (char *)b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void buf_reset(buf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->data)
        b->data[0] = '\0';
}

void buf_clear(buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

uint64_t buf_fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

buf_reader buf_reader_of(const void *p, size_t len)
{
    buf_reader r = {p, len, 0, 0};
    return r;
}

uint64_t buf_read_u64(buf_reader *r)
{
    if (r->failed || r->len - r->pos < 8) {
        r->failed = 1;
        return 0;
    }
    uint64_t v = buf_get_u64(r->p + r->pos);
    r->pos += 8;
    return v;
}

double buf_read_double(buf_reader *r)
{
    uint64_t u = buf_read_u64(r);
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

const unsigned char *buf_read_bytes(buf_reader *r, uint64_t n)
{
    if (r->failed || n > r->len - r->pos) {
        r->failed = 1;
        return NULL;
    }
    const unsigned char *p = r->p + r->pos;
    r->pos += (size_t)n;
    return p;
}
