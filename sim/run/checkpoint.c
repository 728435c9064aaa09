/*
 * checkpoint - the batch checkpoint image and the partial replications file
 * (see checkpoint.h for the layout and the invariant that ties them).
 *
 * The image is written through io/atomic in pieces while an FNV-1a hash is
 * carried along, so no second copy of the (megabytes of) packed
 * accumulators is made.  Reading loads the whole file, checks the trailing
 * hash first and then parses with a bounds-checked cursor, so a truncated or
 * foreign file is reported, never trusted.
 */
#include "run/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "io/atomic.h"
#include "run/wire.h"

#define CKPT_MAGIC "ASBATCK"
#define CKPT_VERSION 1u

uint64_t ckpt_hash_text(const char *text)
{
    return wire_fnv1a(WIRE_FNV_OFFSET, text, strlen(text));
}

/* Writes bytes to the atomic file and folds them into the hash. */
static void put(io_atomic *f, uint64_t *h, const void *data, size_t len)
{
    *h = wire_fnv1a(*h, data, len);
    (void)io_atomic_write(f, data, len);
}

static void put_u64(io_atomic *f, uint64_t *h, uint64_t v)
{
    unsigned char w[8];
    wire_put_u64(w, v);
    put(f, h, w, 8);
}

int ckpt_write(const char *path, const ckpt_state *st, char *err, size_t errlen)
{
    io_atomic *f = io_atomic_open(path, err, errlen);
    if (!f)
        return CKPT_EIO;
    uint64_t h = WIRE_FNV_OFFSET;
    put(f, &h, CKPT_MAGIC, 8);
    put_u64(f, &h, CKPT_VERSION);
    put_u64(f, &h, st->id.scenario_hash);
    put_u64(f, &h, st->id.prov_hash);
    put_u64(f, &h, st->id.seed);
    put_u64(f, &h, st->id.reps);
    put_u64(f, &h, st->id.block_reps);
    put_u64(f, &h, st->prefix_blocks);
    put_u64(f, &h, st->partial_len);
    put_u64(f, &h, st->reps_done);
    put_u64(f, &h, st->npending);
    for (size_t i = 0; i < st->npending; i++) {
        const ckpt_pending *p = &st->pending[i];
        put_u64(f, &h, p->block);
        put_u64(f, &h, p->done);
        put_u64(f, &h, p->rows_len);
        put(f, &h, p->rows, p->rows_len);
    }
    put_u64(f, &h, st->ms_len);
    put(f, &h, st->ms, st->ms_len);
    put_u64(f, &h, st->cells_len);
    put(f, &h, st->cells, st->cells_len);
    unsigned char w[8];
    wire_put_u64(w, h);
    (void)io_atomic_write(f, w, 8);
    return io_atomic_commit(f, err, errlen) == IO_OK ? CKPT_OK : CKPT_EIO;
}

void ckpt_state_clear(ckpt_state *st)
{
    free(st->owned_image);
    free(st->owned_pending);
    memset(st, 0, sizeof *st);
}

/* Reads the whole file; NULL with errno set on failure. */
static unsigned char *slurp(const char *path, size_t *len)
{
    unsigned char *buf = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        goto fail;
    if (!S_ISREG(sb.st_mode)) {
        errno = EISDIR;
        goto fail;
    }
    size_t n = (size_t)sb.st_size, got = 0;
    buf = malloc(n ? n : 1);
    if (!buf) {
        errno = ENOMEM;
        goto fail;
    }
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = EIO;
            goto fail;
        }
        got += (size_t)r;
    }
    close(fd);
    *len = n;
    return buf;
fail: {
    int e = errno;
    free(buf);
    close(fd);
    errno = e;
    return NULL;
}
}

int ckpt_read(const char *path, ckpt_state *st, char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    size_t len = 0;
    unsigned char *img = slurp(path, &len);
    if (!img) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        return e == ENOENT ? CKPT_ENOENT : CKPT_EIO;
    }
    st->owned_image = img;
    if (len < 16 || memcmp(img, CKPT_MAGIC, 8) != 0)
        goto corrupt;
    if (wire_get_u64(img + len - 8) != wire_fnv1a(WIRE_FNV_OFFSET, img, len - 8))
        goto corrupt;
    wire_reader r = {img, len - 8, 8, 0};
    if (wire_read_u64(&r) != CKPT_VERSION)
        goto corrupt;
    st->id.scenario_hash = wire_read_u64(&r);
    st->id.prov_hash = wire_read_u64(&r);
    st->id.seed = wire_read_u64(&r);
    st->id.reps = wire_read_u64(&r);
    st->id.block_reps = wire_read_u64(&r);
    st->prefix_blocks = wire_read_u64(&r);
    st->partial_len = wire_read_u64(&r);
    st->reps_done = wire_read_u64(&r);
    uint64_t np = wire_read_u64(&r);
    if (r.failed || np > len / 24)
        goto corrupt;
    st->npending = (size_t)np;
    st->owned_pending = calloc(np ? (size_t)np : 1, sizeof *st->owned_pending);
    if (!st->owned_pending) {
        snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
        ckpt_state_clear(st);
        return CKPT_EIO;
    }
    st->pending = st->owned_pending;
    for (size_t i = 0; i < st->npending; i++) {
        ckpt_pending *p = &st->owned_pending[i];
        p->block = wire_read_u64(&r);
        p->done = wire_read_u64(&r);
        uint64_t rl = wire_read_u64(&r);
        p->rows = wire_read_bytes(&r, rl);
        p->rows_len = (size_t)rl;
    }
    uint64_t ml = wire_read_u64(&r);
    st->ms = wire_read_bytes(&r, ml);
    st->ms_len = (size_t)ml;
    uint64_t cl = wire_read_u64(&r);
    st->cells = wire_read_bytes(&r, cl);
    st->cells_len = (size_t)cl;
    if (r.failed || r.pos != r.len)
        goto corrupt;
    return CKPT_OK;
corrupt:
    snprintf(err, errlen, "%s: not a complete alignsim batch checkpoint (truncated or damaged)", path);
    ckpt_state_clear(st);
    return CKPT_ECORRUPT;
}

/* ---- the partial replications file ------------------------------- */

struct partial {
    int fd;
    uint64_t len;
    char *path;
};

static void set_err(char *err, size_t errlen, const char *path, int e)
{
    snprintf(err, errlen, "%s: %s", path, strerror(e));
}

static partial *partial_new(const char *path)
{
    partial *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->fd = -1;
    p->path = malloc(strlen(path) + 1);
    if (!p->path) {
        free(p);
        return NULL;
    }
    strcpy(p->path, path);
    return p;
}

void partial_close(partial *p)
{
    if (!p)
        return;
    if (p->fd >= 0)
        close(p->fd);
    free(p->path);
    free(p);
}

/* Writes all of data at the current end; 0 or an errno. */
static int write_all(int fd, const unsigned char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return errno;
        if (w == 0)
            return EIO;
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

partial *partial_create(const char *path, const void *header, size_t len, char *err, size_t errlen)
{
    partial *p = partial_new(path);
    if (!p) {
        set_err(err, errlen, path, ENOMEM);
        return NULL;
    }
    p->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (p->fd < 0) {
        set_err(err, errlen, path, errno);
        partial_close(p);
        return NULL;
    }
    if (partial_append(p, header, len, err, errlen) != 0) {
        partial_close(p);
        return NULL;
    }
    return p;
}

/* Non-zero when the file open on fd starts with the n bytes of want. */
static int starts_with(int fd, const unsigned char *want, size_t n)
{
    unsigned char buf[4096];
    size_t off = 0;
    while (off < n) {
        size_t chunk = n - off < sizeof buf ? n - off : sizeof buf;
        ssize_t r = pread(fd, buf, chunk, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || memcmp(buf, want + off, (size_t)r) != 0)
            return 0;
        off += (size_t)r;
    }
    return 1;
}

partial *partial_reopen(const char *path, uint64_t len, const void *header, size_t hlen, char *err,
                        size_t errlen)
{
    partial *p = partial_new(path);
    if (!p) {
        set_err(err, errlen, path, ENOMEM);
        return NULL;
    }
    struct stat sb;
    p->fd = open(path, O_RDWR | O_CLOEXEC);
    if (p->fd < 0) {
        set_err(err, errlen, path, errno);
        goto fail;
    }
    if (fstat(p->fd, &sb) != 0) {
        set_err(err, errlen, path, errno);
        goto fail;
    }
    if ((uint64_t)sb.st_size < len) {
        snprintf(err, errlen, "%s: %llu bytes, but the checkpoint counts %llu (the file was damaged)", path,
                 (unsigned long long)sb.st_size, (unsigned long long)len);
        goto fail;
    }
    if (len < hlen || !starts_with(p->fd, header, hlen)) {
        snprintf(err, errlen, "%s: does not start with the provenance and columns of this batch", path);
        goto fail;
    }
    if (ftruncate(p->fd, (off_t)len) != 0 || lseek(p->fd, 0, SEEK_END) < 0) {
        set_err(err, errlen, path, errno);
        goto fail;
    }
    p->len = len;
    return p;
fail:
    partial_close(p);
    return NULL;
}

int partial_matches(const char *path, uint64_t len, const void *header, size_t hlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat sb;
    int ok = fstat(fd, &sb) == 0 && (uint64_t)sb.st_size >= len && len >= hlen && starts_with(fd, header, hlen);
    close(fd);
    return ok;
}

int partial_append(partial *p, const void *data, size_t len, char *err, size_t errlen)
{
    int e = write_all(p->fd, data, len);
    if (e) {
        set_err(err, errlen, p->path, e);
        return -1;
    }
    p->len += len;
    return 0;
}

uint64_t partial_length(const partial *p)
{
    return p->len;
}

int partial_sync(partial *p, char *err, size_t errlen)
{
    /* EINVAL: the file system cannot sync at all, which loses nothing here. */
    if (fsync(p->fd) != 0 && errno != EINVAL) {
        set_err(err, errlen, p->path, errno);
        return -1;
    }
    return 0;
}

/* Makes a rename durable by syncing the folder (best effort: some file
 * systems refuse fsync on a folder, and the data itself is synced). */
static void sync_folder(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash == path ? 1 : slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

int partial_commit(partial *p, const char *final_path, char *err, size_t errlen)
{
    int rc = -1;
    if (partial_sync(p, err, errlen) != 0)
        goto done;
    int fd = p->fd;
    p->fd = -1;
    if (close(fd) != 0) {
        set_err(err, errlen, p->path, errno);
        goto done;
    }
    if (rename(p->path, final_path) != 0) {
        set_err(err, errlen, final_path, errno);
        goto done;
    }
    sync_folder(final_path);
    rc = 0;
done:
    partial_close(p);
    return rc;
}
