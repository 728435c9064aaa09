/*
 * journal - finished jobs of a study (see journal.h for the file layout).
 *
 * The whole file is read into memory at open (entries are replayed from
 * there); appends go through io/append at the end of the valid part.
 */
#include "run/journal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/status.h"
#include "io/append.h"
#include "io/atomic.h"

#define MAGIC "ASJOURN"
#define VERSION 1u
#define HEADER_BYTES 32u

struct journal {
    char *path;
    io_append *file;
    unsigned char *image;    /* the file as read at open (NULL if new) */
    journal_entry *entries;
    size_t n;
    size_t appended;         /* entries appended since the open */
};

static void header_of(uint64_t study_key, unsigned char h[HEADER_BYTES])
{
    memcpy(h, MAGIC, 8);
    buf_put_u64(h + 8, VERSION);
    buf_put_u64(h + 16, study_key);
    buf_put_u64(h + 24, buf_fnv1a(BUF_FNV_OFFSET, h, 24));
}

/* Parses the entries of image[HEADER_BYTES .. len) into j; returns the
 * length of the valid part. */
static size_t parse(journal *j, const unsigned char *image, size_t len, int *nomem)
{
    size_t pos = HEADER_BYTES, cap = 0;
    *nomem = 0;
    while (pos < len) {
        buf_reader r = buf_reader_of(image + pos, len - pos);
        journal_entry e;
        e.key = buf_read_u64(&r);
        uint64_t al = buf_read_u64(&r);
        e.acc = buf_read_bytes(&r, al);
        e.acc_len = (size_t)al;
        uint64_t rl = buf_read_u64(&r);
        e.rec = buf_read_bytes(&r, rl);
        e.rec_len = (size_t)rl;
        size_t body = r.pos;
        uint64_t h = buf_read_u64(&r);
        if (r.failed || h != buf_fnv1a(BUF_FNV_OFFSET, image + pos, body))
            break;
        if (j->n == cap) {
            size_t nc = cap ? 2 * cap : 16;
            journal_entry *ne = realloc(j->entries, nc * sizeof *ne);
            if (!ne) {
                *nomem = 1;
                break;
            }
            j->entries = ne;
            cap = nc;
        }
        j->entries[j->n++] = e;
        pos += r.pos;
    }
    return pos;
}

int journal_open(const char *path, uint64_t study_key, int resume, journal **out, char *err, size_t errlen)
{
    *out = NULL;
    unsigned char header[HEADER_BYTES];
    header_of(study_key, header);
    journal *j = calloc(1, sizeof *j);
    size_t plen = strlen(path) + 1;
    if (!j || !(j->path = malloc(plen))) {
        free(j);
        snprintf(err, errlen, "out of memory");
        return AS_ENOMEM;
    }
    memcpy(j->path, path, plen);
    int rc = AS_OK;
    size_t len = 0;
    j->image = (unsigned char *)io_read_file(path, &len);
    if (!j->image && errno != ENOENT) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        rc = AS_EIO;
        goto done;
    }
    if (j->image && len >= HEADER_BYTES && memcmp(j->image, MAGIC, 8) == 0 &&
        memcmp(j->image, header, HEADER_BYTES) != 0 &&
        buf_get_u64(j->image + 24) == buf_fnv1a(BUF_FNV_OFFSET, j->image, 24)) {
        snprintf(err, errlen,
                 "%s: the interrupted study there is not this one (another scenario, file or options); run it "
                 "with the same inputs, or delete %s to start over",
                 path, path);
        rc = AS_EUSAGE;
        goto done;
    }
    size_t valid = HEADER_BYTES;
    int ours = j->image && len >= HEADER_BYTES && memcmp(j->image, header, HEADER_BYTES) == 0;
    if (ours) {
        int nomem;
        valid = parse(j, j->image, len, &nomem);
        if (nomem) {
            snprintf(err, errlen, "out of memory");
            rc = AS_ENOMEM;
            goto done;
        }
    }
    if (!resume && j->n > 0) {
        snprintf(err, errlen,
                 "%s holds an interrupted study (%zu jobs done); continue it with --resume, or delete it to start "
                 "over",
                 path, j->n);
        rc = AS_EUSAGE;
        goto done;
    }
    if (resume && ours)
        j->file = io_append_reopen(path, valid, header, HEADER_BYTES, err, errlen);
    else
        j->file = io_append_create(path, header, HEADER_BYTES, err, errlen);
    if (!j->file) {
        rc = AS_EIO;
        goto done;
    }
    if (!resume)
        j->n = 0;
done:
    if (rc != AS_OK) {
        journal_close(j, 0, NULL, 0);
        return rc;
    }
    *out = j;
    return AS_OK;
}

size_t journal_count(const journal *j)
{
    return j->n;
}

size_t journal_total(const journal *j)
{
    return j->n + j->appended;
}

journal_entry journal_get(const journal *j, size_t k)
{
    return j->entries[k];
}

int journal_append(journal *j, uint64_t key, const void *acc, size_t acc_len, const void *rec, size_t rec_len,
                   char *err, size_t errlen)
{
    buf b = {0};
    buf_append_u64(&b, key);
    buf_append_u64(&b, acc_len);
    buf_append(&b, acc, acc_len);
    buf_append_u64(&b, rec_len);
    buf_append(&b, rec, rec_len);
    buf_append_u64(&b, buf_fnv1a(BUF_FNV_OFFSET, b.data, b.len));
    int rc = AS_ENOMEM;
    if (b.failed)
        snprintf(err, errlen, "out of memory");
    else if ((rc = io_append_write(j->file, b.data, b.len, err, errlen)) == AS_OK)
        rc = io_append_sync(j->file, err, errlen);
    if (rc == AS_OK)
        j->appended++;
    buf_clear(&b);
    return rc;
}

int journal_close(journal *j, int remove, char *err, size_t errlen)
{
    if (!j)
        return AS_OK;
    int rc = AS_OK;
    io_append_close(j->file);
    if (remove && unlink(j->path) != 0 && errno != ENOENT) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", j->path, strerror(errno));
        rc = AS_EIO;
    }
    free(j->path);
    free(j->image);
    free(j->entries);
    free(j);
    return rc;
}
