/*
 * report/html - the small pieces of HTML the seminar report is made of,
 * appended to a growable buffer (base/buf.h): escaped text, numbers as a
 * reader sees them, dates from decimal years.  Numbers are written in the C
 * locale whatever the process's locale; a missing value (NaN) is "NA", as
 * in the result files.
 */
#ifndef ALIGNSIM_REPORT_HTML_H
#define ALIGNSIM_REPORT_HTML_H

#include <stddef.h>

#include "base/buf.h"

/* Appends s with &, <, >, " and ' escaped (safe in text and in quoted
 * attribute values) and control characters other than tab, newline and
 * carriage return replaced by U+FFFD.  NULL appends nothing. */
void html_text(buf *b, const char *s);

/* Appends at most n bytes of s, escaped as html_text(). */
void html_textn(buf *b, const char *s, size_t n);

/* Appends v with decimals digits after the point ("%.*f"), a minus sign
 * only when the rounded value is not zero, or "NA" for NaN. */
void html_fixed(buf *b, double v, int decimals);

/* Appends v with an explicit sign ("+0.123", "-0.050", "0.000"), three
 * decimals, or one significant digit ("-3e-07") for a value too small for
 * three decimals but not zero; "NA" for NaN. */
void html_signed(buf *b, double v);

/* Appends v in the shortest form that reads back exactly, or "NA". */
void html_exact(buf *b, double v);

/* Appends "[lo, hi]" with html_fixed(decimals), or "NA" when both are NaN. */
void html_interval(buf *b, double lo, double hi, int decimals);

/*
 * Appends the month and year of a decimal year, "Feb 1950" for 1950.12
 * (the month whose twelfth of the year holds the fraction), or "NA".
 */
void html_month_year(buf *b, double year);

/* Appends a UTC time as "2024-05-01 12:00 UTC". */
void html_utc(buf *b, long long epoch_seconds);

#endif
