/*
 * text - growing string (see text.h).  Invariant: when s is not NULL it
 * holds len bytes and a NUL, and len < cap.
 */
#include "study/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for extra more bytes plus the NUL; sets failed on no memory. */
static int reserve(text_buf *t, size_t extra)
{
    if (t->failed)
        return -1;
    if (t->s && t->len + extra < t->cap)
        return 0;
    size_t ncap = t->cap ? t->cap : 256;
    while (ncap <= t->len + extra) {
        if (ncap > ((size_t)-1) / 2) {
            t->failed = 1;
            return -1;
        }
        ncap *= 2;
    }
    char *ns = realloc(t->s, ncap);
    if (!ns) {
        t->failed = 1;
        return -1;
    }
    if (!t->s)
        ns[0] = '\0';
    t->s = ns;
    t->cap = ncap;
    return 0;
}

void text_printf(text_buf *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (w < 0) {
        t->failed = 1;
        return;
    }
    if (reserve(t, (size_t)w) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)w;
}

void text_puts(text_buf *t, const char *s)
{
    size_t n = strlen(s);
    if (reserve(t, n) != 0)
        return;
    memcpy(t->s + t->len, s, n + 1);
    t->len += n;
}

char *text_take(text_buf *t)
{
    if (t->failed) {
        text_clear(t);
        return NULL;
    }
    if (!t->s && reserve(t, 0) != 0)
        return NULL;
    char *s = t->s;
    t->s = NULL;
    t->len = t->cap = 0;
    return s;
}

void text_clear(text_buf *t)
{
    free(t->s);
    t->s = NULL;
    t->len = t->cap = 0;
    t->failed = 0;
}
