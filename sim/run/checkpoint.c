/*
 * checkpoint - the job checkpoint image (see checkpoint.h for the layout).
 *
 * The image is written through io/atomic in pieces while an FNV-1a hash is
 * carried along, so no second copy of the (megabytes of) packed
 * accumulator is made.  Reading loads the whole file, checks the trailing
 * hash first and then parses with a bounds-checked cursor, so a truncated or
 * foreign file is reported, never trusted.
 */
#include "run/checkpoint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/status.h"
#include "io/atomic.h"

#define CKPT_MAGIC "ASJOBCK"
#define CKPT_VERSION 3u

/* Writes bytes to the atomic file and folds them into the hash. */
static void put(io_atomic *f, uint64_t *h, const void *data, size_t len)
{
    *h = buf_fnv1a(*h, data, len);
    (void)io_atomic_write(f, data, len);
}

static void put_u64(io_atomic *f, uint64_t *h, uint64_t v)
{
    unsigned char w[8];
    buf_put_u64(w, v);
    put(f, h, w, 8);
}

int ckpt_write(const char *path, const ckpt_state *st, char *err, size_t errlen)
{
    io_atomic *f = io_atomic_open(path, err, errlen);
    if (!f)
        return AS_EIO;
    uint64_t h = BUF_FNV_OFFSET;
    put(f, &h, CKPT_MAGIC, 8);
    put_u64(f, &h, CKPT_VERSION);
    put_u64(f, &h, st->id.identity[0]);
    put_u64(f, &h, st->id.identity[1]);
    put_u64(f, &h, st->id.master);
    put_u64(f, &h, st->id.ntasks);
    put_u64(f, &h, st->id.block_tasks);
    put_u64(f, &h, st->prefix_blocks);
    put_u64(f, &h, st->records_pos);
    put_u64(f, &h, st->records_digest);
    put_u64(f, &h, st->tasks_done);
    put_u64(f, &h, st->npending);
    for (size_t i = 0; i < st->npending; i++) {
        const ckpt_pending *p = &st->pending[i];
        put_u64(f, &h, p->block);
        put_u64(f, &h, p->done);
        put_u64(f, &h, p->records_len);
        put(f, &h, p->records, p->records_len);
    }
    put_u64(f, &h, st->acc_len);
    put(f, &h, st->acc, st->acc_len);
    unsigned char w[8];
    buf_put_u64(w, h);
    (void)io_atomic_write(f, w, 8);
    return io_atomic_commit(f, err, errlen) == AS_OK ? AS_OK : AS_EIO;
}

void ckpt_state_clear(ckpt_state *st)
{
    free(st->owned_image);
    free(st->owned_pending);
    memset(st, 0, sizeof *st);
}

int ckpt_read(const char *path, ckpt_state *st, char *err, size_t errlen)
{
    memset(st, 0, sizeof *st);
    size_t len = 0;
    unsigned char *img = (unsigned char *)io_read_file(path, &len);
    if (!img) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return AS_EIO;
    }
    st->owned_image = img;
    if (len < 16 || memcmp(img, CKPT_MAGIC, 8) != 0)
        goto corrupt;
    if (buf_get_u64(img + len - 8) != buf_fnv1a(BUF_FNV_OFFSET, img, len - 8))
        goto corrupt;
    buf_reader r = buf_reader_of(img, len - 8);
    r.pos = 8;
    if (buf_read_u64(&r) != CKPT_VERSION)
        goto corrupt;
    st->id.identity[0] = buf_read_u64(&r);
    st->id.identity[1] = buf_read_u64(&r);
    st->id.master = buf_read_u64(&r);
    st->id.ntasks = buf_read_u64(&r);
    st->id.block_tasks = buf_read_u64(&r);
    st->prefix_blocks = buf_read_u64(&r);
    st->records_pos = buf_read_u64(&r);
    st->records_digest = buf_read_u64(&r);
    st->tasks_done = buf_read_u64(&r);
    uint64_t np = buf_read_u64(&r);
    if (r.failed || np > len / 24)
        goto corrupt;
    st->npending = (size_t)np;
    st->owned_pending = calloc(np ? (size_t)np : 1, sizeof *st->owned_pending);
    if (!st->owned_pending) {
        snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
        ckpt_state_clear(st);
        return AS_ENOMEM;
    }
    st->pending = st->owned_pending;
    for (size_t i = 0; i < st->npending; i++) {
        ckpt_pending *p = &st->owned_pending[i];
        p->block = buf_read_u64(&r);
        p->done = buf_read_u64(&r);
        uint64_t rl = buf_read_u64(&r);
        p->records = buf_read_bytes(&r, rl);
        p->records_len = (size_t)rl;
    }
    uint64_t al = buf_read_u64(&r);
    st->acc = buf_read_bytes(&r, al);
    st->acc_len = (size_t)al;
    if (r.failed || r.pos != r.len)
        goto corrupt;
    return AS_OK;
corrupt:
    snprintf(err, errlen, "%s: not a complete alignsim checkpoint (truncated or damaged)", path);
    ckpt_state_clear(st);
    return AS_ERUNTIME;
}
