/*
 * report/sha256 - SHA-256 (FIPS 180-4) and base64 (RFC 4648), for the
 * Content-Security-Policy of the seminar report: a browser runs an inline
 * script or style only when the policy lists the base64 of its SHA-256
 * ('sha256-...').  Small, portable, no global state.
 */
#ifndef ALIGNSIM_REPORT_SHA256_H
#define ALIGNSIM_REPORT_SHA256_H

#include <stddef.h>

/* Bytes of a digest, and of the base64 text of a digest with its NUL. */
#define SHA256_BYTES 32
#define SHA256_BASE64_SIZE 45

/* The SHA-256 digest of len bytes at data (data may be NULL when len is 0). */
void sha256(const void *data, size_t len, unsigned char out[SHA256_BYTES]);

/*
 * Writes the base64 text (standard alphabet, '=' padding) of len bytes at
 * data into out, which holds 4 * ceil(len / 3) + 1 bytes, NUL-terminated.
 * Returns the length of the text.
 */
size_t base64_encode(const void *data, size_t len, char *out);

/* The base64 text of the SHA-256 of the string s, as a CSP hash source
 * takes it (without the 'sha256-' prefix), into out. */
void sha256_base64(const char *s, char out[SHA256_BASE64_SIZE]);

#endif
