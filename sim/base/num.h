/*
 * num - the one numeric-literal parser and double formatter of alignsim.
 *
 * Everything here works in the C locale whatever the process's locale (a
 * per-thread uselocale() switch), so "0.5" is never read or written as
 * "0,5" inside a host that set LC_NUMERIC.
 *
 * Parsers are strict: the whole string must be the number, with no leading
 * or trailing blanks, and a value out of the type's range is an error, not
 * a silent clamp.
 */
#ifndef ALIGNSIM_BASE_NUM_H
#define ALIGNSIM_BASE_NUM_H

#include <stddef.h>
#include <stdint.h>

/* Bytes that always hold num_format_double()'s text with its NUL. */
#define NUM_DOUBLE_BUFSIZE 32

/*
 * Writes v in the shortest of %.15g, %.16g and %.17g that reads back to the
 * same bits (so -0.0 keeps its sign), "nan" for NaN and "inf"/"-inf".
 * Returns what snprintf returns.
 */
int num_format_double(char *out, size_t size, double v);

/*
 * Writes v with `decimals` digits after the point ("%.*f", decimals 0..17)
 * in the C locale, for dates such as 1969.50; "nan", "inf", "-inf" as
 * num_format_double.  Returns what snprintf returns.
 */
int num_format_fixed(char *out, size_t size, double v, int decimals);

/*
 * Parses a decimal floating-point literal (as strtod reads it, including
 * "inf" and "nan") filling the whole of s.  Returns 0, or -1 when s is
 * empty, has other characters, or overflows to infinity from a finite
 * literal (1e999).  Underflow to zero or a denormal is accepted.
 */
int num_parse_double(const char *s, double *out);

/*
 * Parses an unsigned decimal integer filling the whole of s (no sign, no
 * blanks).  Returns 0, or -1 when s is not such a number or exceeds max.
 */
int num_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* Parses a signed decimal integer (optional '-' or '+') in [min, max]
 * filling the whole of s.  Returns 0 or -1. */
int num_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
