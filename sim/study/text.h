/*
 * text - a growing NUL-terminated string for the study commands' reports
 * (verdicts, tables, settings differences).
 *
 * Failure is sticky: after an allocation failure every call is a no-op and
 * `failed` stays set, so a caller checks once, at text_take().
 */
#ifndef ALIGNSIM_STUDY_TEXT_H
#define ALIGNSIM_STUDY_TEXT_H

#include <stddef.h>

typedef struct {
    char *s;      /* the text, NULL while nothing was written */
    size_t len;   /* bytes used, without the NUL */
    size_t cap;   /* bytes allocated */
    int failed;   /* non-zero after an allocation failure */
} text_buf;

/* Appends formatted text. */
void text_printf(text_buf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends a string as is. */
void text_puts(text_buf *t, const char *s);

/* Hands over the text ("" when empty) and empties t; NULL (everything
 * freed) when an allocation failed. */
char *text_take(text_buf *t);

/* Frees the text and empties t. */
void text_clear(text_buf *t);

#endif
