/*
 * num - strict number parsing and round-trip formatting in the C locale
 * (see num.h).
 */
#include "base/num.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    locale_t c;
    locale_t old;
} c_locale_scope;

/* Switches the calling thread to the C locale.  If the locale object cannot
 * be made (out of memory) the current locale stays; alignsim never calls
 * setlocale(), so that is the C locale there too. */
static void c_locale_enter(c_locale_scope *s)
{
    s->c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    s->old = s->c ? uselocale(s->c) : (locale_t)0;
}

static void c_locale_leave(c_locale_scope *s)
{
    if (s->c) {
        uselocale(s->old);
        freelocale(s->c);
    }
}

int num_format_double(char *out, size_t size, double v)
{
    if (isnan(v))
        return snprintf(out, size, "nan");
    if (isinf(v))
        return snprintf(out, size, "%s", v < 0 ? "-inf" : "inf");
    /* %.17g always reads back to the same double; fewer digits often do too
     * and are what a reader expects (0.1, not 0.10000000000000001).  Compare
     * bits, not values, so that -0.0 keeps its sign. */
    char tmp[NUM_DOUBLE_BUFSIZE];
    c_locale_scope loc;
    c_locale_enter(&loc);
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        double back = strtod(tmp, NULL);
        if (memcmp(&back, &v, sizeof v) == 0)
            break;
    }
    c_locale_leave(&loc);
    return snprintf(out, size, "%s", tmp);
}

int num_format_fixed(char *out, size_t size, double v, int decimals)
{
    if (!isfinite(v))
        return num_format_double(out, size, v);
    c_locale_scope loc;
    c_locale_enter(&loc);
    int n = snprintf(out, size, "%.*f", decimals, v);
    c_locale_leave(&loc);
    return n;
}

int num_parse_double(const char *s, double *out)
{
    /* strtod() would skip leading blanks; a literal with them is malformed. */
    if (!s || *s == '\0' || strchr(" \t\n\v\f\r", *s))
        return -1;
    c_locale_scope loc;
    c_locale_enter(&loc);
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    int overflow = errno == ERANGE && isinf(v);
    c_locale_leave(&loc);
    if (end == s || *end != '\0' || overflow)
        return -1;
    *out = v;
    return 0;
}

int num_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

int num_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s)
        return -1;
    int neg = *s == '-';
    const char *digits = (*s == '-' || *s == '+') ? s + 1 : s;
    uint64_t mag;
    /* The magnitude of INT64_MIN is INT64_MAX + 1. */
    if (num_parse_u64(digits, (uint64_t)INT64_MAX + (neg ? 1u : 0u), &mag) != 0)
        return -1;
    int64_t v = neg ? (mag == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}
