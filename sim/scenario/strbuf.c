/*
 * strbuf - a growing string with sticky allocation failure.
 *
 * Floats are formatted with snprintf in the C locale the program runs in
 * (alignsim never calls setlocale); the shortest of %.15g, %.16g and %.17g
 * that strtod reads back exactly is used, so a resolved scenario reproduces
 * every double bit for bit.
 */
#include "scenario/strbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for n more bytes plus the NUL. */
static int reserve(strbuf *b, size_t n)
{
    if (b->failed)
        return -1;
    if (b->cap - b->len > n)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= n) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    char *p = realloc(b->s, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->s = p;
    b->cap = cap;
    return 0;
}

void sb_vprintf(strbuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (reserve(b, (size_t)n) != 0)
        return;
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    b->len += (size_t)n;
}

void sb_printf(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(b, fmt, ap);
    va_end(ap);
}

void sb_puts(strbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (reserve(b, n) != 0)
        return;
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

void sb_quoted(strbuf *b, const char *s)
{
    sb_puts(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            sb_puts(b, "\\\"");
            break;
        case '\\':
            sb_puts(b, "\\\\");
            break;
        case '\n':
            sb_puts(b, "\\n");
            break;
        case '\t':
            sb_puts(b, "\\t");
            break;
        case '\r':
            sb_puts(b, "\\r");
            break;
        case '\f':
            sb_puts(b, "\\f");
            break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                sb_printf(b, "\\x%02X", (unsigned)*p);
            else
                sb_printf(b, "%c", *p);
        }
    }
    sb_puts(b, "\"");
}

void sb_float(strbuf *b, double v)
{
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    /* libconfig reads "2030" as an integer: make every float look like one. */
    if (!strpbrk(buf, ".eEn"))
        strcat(buf, ".0");
    sb_puts(b, buf);
}

void sb_num(strbuf *b, double v)
{
    if (isinf(v))
        sb_puts(b, v > 0 ? "inf" : "-inf");
    else
        sb_printf(b, "%.15g", v);
}

char *sb_take(strbuf *b)
{
    if (b->failed) {
        sb_clear(b);
        return NULL;
    }
    if (!b->s && reserve(b, 0) != 0)
        return NULL;
    if (b->len == 0)
        b->s[0] = '\0';
    char *s = b->s;
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void sb_clear(strbuf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}
