/*
 * buf - the one growable buffer of alignsim: bytes or text.
 *
 * A zero-initialised buf is empty and valid.  The contents are always
 * followed by a NUL byte once anything was appended, so text built with
 * buf_printf()/buf_puts() can be used as a C string (buf_str()).  Failure
 * is sticky: after an allocation failure every append is a no-op and
 * `failed` stays set, so a caller checks once at the end.
 *
 * Binary helpers append and read unsigned 64-bit words little-endian, for
 * packed images (checkpoints, MPI messages), whatever the host's order.
 *
 * No global state; one thread at a time per buffer.
 */
#ifndef ALIGNSIM_BASE_BUF_H
#define ALIGNSIM_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    unsigned char *data; /* contents, NUL-terminated; NULL while nothing was appended */
    size_t len;          /* bytes used, without the NUL */
    size_t cap;          /* bytes allocated */
    int failed;          /* non-zero after an allocation failure */
} buf;

/* Makes room for n more bytes (plus the NUL).  Returns 0, or -1 and sets
 * failed when memory runs out or the size would overflow. */
int buf_reserve(buf *b, size_t n);

/* Appends n bytes (data may be NULL when n is 0). */
void buf_append(buf *b, const void *data, size_t n);

/* Appends a string as it is. */
void buf_puts(buf *b, const char *s);

/* Appends s as one word for a POSIX shell: as it is when it is made only of
 * characters no shell treats specially, otherwise in single quotes (each
 * quote inside written as '\''); the empty string becomes ''. */
void buf_put_shell_word(buf *b, const char *s);

/* Appends formatted text (the C library's printf, in the current locale:
 * use num_format_double() for doubles that must round-trip). */
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Appends v as 8 bytes, little-endian. */
void buf_append_u64(buf *b, uint64_t v);

/* Appends the IEEE-754 bits of x as buf_append_u64 does (every bit kept:
 * NaN payloads, -0.0, infinities). */
void buf_append_double(buf *b, double x);

/* The contents as a C string: "" when empty (never NULL). */
const char *buf_str(const buf *b);

/* Hands over the contents as a heap string ("" when empty) and empties b;
 * returns NULL (everything freed) when b failed or memory runs out. */
char *buf_take(buf *b);

/* Empties b, keeping its memory for reuse (failed is cleared). */
void buf_reset(buf *b);

/* Frees the memory and empties b; safe on a zeroed or cleared buffer. */
void buf_clear(buf *b);

/* Little-endian words at p (8 bytes). */
void buf_put_u64(unsigned char *p, uint64_t v);
uint64_t buf_get_u64(const unsigned char *p);

/* FNV-1a 64-bit hash of len bytes, continuing from h (start with
 * BUF_FNV_OFFSET): checksums of packed images and checkpoints. */
#define BUF_FNV_OFFSET 0xcbf29ce484222325ULL
uint64_t buf_fnv1a(uint64_t h, const void *data, size_t len);

/* A cursor over borrowed bytes.  Reading past the end sets failed and
 * returns 0 / NULL; check failed once at the end. */
typedef struct {
    const unsigned char *p;
    size_t len, pos;
    int failed;
} buf_reader;

/* A reader over len bytes at p (borrowed). */
buf_reader buf_reader_of(const void *p, size_t len);

/* The next 8 bytes as a little-endian word. */
uint64_t buf_read_u64(buf_reader *r);

/* The next 8 bytes as the bits of a double (buf_append_double's); 0.0
 * past the end. */
double buf_read_double(buf_reader *r);

/* A pointer to the next n bytes, which are skipped; NULL when fewer remain. */
const unsigned char *buf_read_bytes(buf_reader *r, uint64_t n);

#endif
