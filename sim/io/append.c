/*
 * io/append - the appendable file and stale temporary clean-up (see
 * append.h).  Plain POSIX calls: the file must be appended to at its end,
 * truncated on resume and renamed whole, which stdio streams do not offer.
 */
#include "io/append.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/status.h"
#include "io/atomic.h"

struct io_append {
    int fd;
    uint64_t len;
    uint64_t digest;   /* FNV-1a 64 of the file's len bytes */
    char *path;
};

static void set_err(char *err, size_t errlen, const char *path, int e)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", path, strerror(e));
}

static io_append *handle_new(const char *path)
{
    io_append *f = calloc(1, sizeof *f);
    size_t n = strlen(path) + 1;
    if (!f || !(f->path = malloc(n))) {
        free(f);
        return NULL;
    }
    memcpy(f->path, path, n);
    f->fd = -1;
    f->digest = BUF_FNV_OFFSET;
    return f;
}

void io_append_close(io_append *f)
{
    if (!f)
        return;
    if (f->fd >= 0)
        close(f->fd);
    free(f->path);
    free(f);
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

io_append *io_append_create(const char *path, const void *header, size_t len, char *err, size_t errlen)
{
    io_append *f = handle_new(path);
    if (!f) {
        set_err(err, errlen, path, ENOMEM);
        return NULL;
    }
    f->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (f->fd < 0) {
        set_err(err, errlen, path, errno);
        io_append_close(f);
        return NULL;
    }
    if (io_append_write(f, header, len, err, errlen) != AS_OK) {
        io_append_close(f);
        return NULL;
    }
    return f;
}

/* Non-zero when the file open on fd starts with the n bytes of want. */
static int starts_with(int fd, const unsigned char *want, size_t n)
{
    unsigned char chunk[4096];
    size_t off = 0;
    while (off < n) {
        size_t c = n - off < sizeof chunk ? n - off : sizeof chunk;
        ssize_t r = pread(fd, chunk, c, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || memcmp(chunk, want + off, (size_t)r) != 0)
            return 0;
        off += (size_t)r;
    }
    return 1;
}

/* FNV-1a 64 of the first len bytes of the file open at fd; 0 and errno
 * on a read error. */
static int digest_prefix(int fd, uint64_t len, uint64_t *out)
{
    unsigned char chunk[65536];
    uint64_t h = BUF_FNV_OFFSET, done = 0;
    while (done < len) {
        size_t want = len - done < sizeof chunk ? (size_t)(len - done) : sizeof chunk;
        ssize_t n = pread(fd, chunk, want, (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0 ? EIO : errno;
        h = buf_fnv1a(h, chunk, (size_t)n);
        done += (uint64_t)n;
    }
    *out = h;
    return 0;
}

io_append *io_append_reopen(const char *path, uint64_t len, const void *header, size_t hlen, char *err,
                            size_t errlen)
{
    io_append *f = handle_new(path);
    if (!f) {
        set_err(err, errlen, path, ENOMEM);
        return NULL;
    }
    struct stat sb;
    f->fd = open(path, O_RDWR | O_CLOEXEC);
    if (f->fd < 0 || fstat(f->fd, &sb) != 0) {
        set_err(err, errlen, path, errno);
        goto fail;
    }
    if ((uint64_t)sb.st_size < len) {
        snprintf(err, errlen, "%s: %llu bytes, but the checkpoint counts %llu (the file was damaged)", path,
                 (unsigned long long)sb.st_size, (unsigned long long)len);
        goto fail;
    }
    if (len < hlen || !starts_with(f->fd, header, hlen)) {
        snprintf(err, errlen, "%s: does not start with what this job writes first (another job's file?)", path);
        goto fail;
    }
    int de = digest_prefix(f->fd, len, &f->digest);
    if (de || ftruncate(f->fd, (off_t)len) != 0 || lseek(f->fd, 0, SEEK_END) < 0) {
        set_err(err, errlen, path, de ? de : errno);
        goto fail;
    }
    f->len = len;
    return f;
fail:
    io_append_close(f);
    return NULL;
}

int io_append_matches(const char *path, uint64_t len, const void *header, size_t hlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat sb;
    int ok = fstat(fd, &sb) == 0 && (uint64_t)sb.st_size >= len && len >= hlen && starts_with(fd, header, hlen);
    close(fd);
    return ok;
}

int io_append_write(io_append *f, const void *data, size_t len, char *err, size_t errlen)
{
    int e = write_all(f->fd, data, len);
    if (e) {
        set_err(err, errlen, f->path, e);
        return AS_EIO;
    }
    f->len += len;
    f->digest = buf_fnv1a(f->digest, data, len);
    return AS_OK;
}

uint64_t io_append_digest(const io_append *f)
{
    return f->digest;
}

uint64_t io_append_length(const io_append *f)
{
    return f->len;
}

int io_append_sync(io_append *f, char *err, size_t errlen)
{
    /* EINVAL: the file system cannot sync at all, which loses nothing here. */
    if (fsync(f->fd) != 0 && errno != EINVAL) {
        set_err(err, errlen, f->path, errno);
        return AS_EIO;
    }
    return AS_OK;
}

int io_append_commit(io_append *f, const char *final_path, char *err, size_t errlen)
{
    int rc = AS_EIO;
    if (io_append_sync(f, err, errlen) != AS_OK)
        goto done;
    int fd = f->fd;
    f->fd = -1;
    if (close(fd) != 0) {
        set_err(err, errlen, f->path, errno);
        goto done;
    }
    if (rename(f->path, final_path) != 0) {
        set_err(err, errlen, final_path, errno);
        goto done;
    }
    io_sync_folder(final_path);
    rc = AS_OK;
done:
    io_append_close(f);
    return rc;
}

void io_remove_stale_temps(const char *dir, const char *const *names, size_t nnames)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        for (size_t i = 0; i < nnames; i++) {
            char prefix[256];
            snprintf(prefix, sizeof prefix, "%s%s.tmp.", names[i][0] == '.' ? "" : ".", names[i]);
            size_t pl = strlen(prefix);
            if (strncmp(de->d_name, prefix, pl) != 0)
                continue;
            char *end = NULL;
            long pid = strtol(de->d_name + pl, &end, 10);
            if (end == de->d_name + pl || pid <= 0 || (*end && *end != '.'))
                continue;
            if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
                size_t n = strlen(dir) + strlen(de->d_name) + 2;
                char *path = malloc(n);
                if (path) {
                    snprintf(path, n, "%s/%s", dir, de->d_name);
                    (void)unlink(path);
                    free(path);
                }
            }
        }
    }
    closedir(d);
}
