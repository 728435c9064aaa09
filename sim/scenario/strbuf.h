/*
 * strbuf - a growing NUL-terminated string for the scenario module's
 * messages, resolved text and reference (internal to sim/scenario/).
 *
 * Errors are sticky: after an allocation failure every call is a no-op and
 * `failed` stays set, so a caller checks once at the end.
 */
#ifndef ALIGNSIM_SCENARIO_STRBUF_H
#define ALIGNSIM_SCENARIO_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
    char *s;      /* NUL-terminated text, or NULL while empty */
    size_t len;   /* bytes used, without the NUL */
    size_t cap;   /* bytes allocated */
    int failed;   /* non-zero after an allocation failure */
} strbuf;

/* Appends formatted text. */
void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(strbuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Appends a string as is. */
void sb_puts(strbuf *b, const char *s);

/* Appends a libconfig string literal: s in double quotes, with \\, \" and
 * control bytes (\n, \t, \r, \f, \xNN) escaped. */
void sb_quoted(strbuf *b, const char *s);

/* Appends v in its shortest form that reads back to the same double, in a
 * form libconfig reads as a float (with a '.' or an exponent: 2030.0,
 * 1e-05).  v must be finite. */
void sb_float(strbuf *b, double v);

/* Appends v as a number for messages (%.15g; inf and -inf spelled out). */
void sb_num(strbuf *b, double v);

/* Hands over the text (never NULL unless failed: an empty buffer gives "")
 * and empties b; returns NULL and frees everything if b failed. */
char *sb_take(strbuf *b);

/* Frees the text and empties b. */
void sb_clear(strbuf *b);

#endif
