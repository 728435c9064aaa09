/*
 * report/util - what the report's modules share and nothing else in
 * alignsim needs: a formatted message into a caller's (err, errlen).
 */
#ifndef ALIGNSIM_REPORT_UTIL_H
#define ALIGNSIM_REPORT_UTIL_H

#include <stddef.h>

/* Formats a message into err (errlen bytes, NUL-terminated, cut to fit);
 * nothing when err is NULL or errlen 0. */
void report_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
