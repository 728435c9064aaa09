/*
 * io/atomic - write-to-temporary-then-rename result files, and mkdir -p.
 *
 * Invariants of an open io_atomic:
 *   - stream is an open stdio stream on the file named temp, created by this
 *     handle with O_EXCL, so no other writer shares it;
 *   - temp lives in the same folder as path, so rename() is atomic;
 *   - errnum is 0 until the first failed write, then that write's errno; it
 *     never changes afterwards, so the commit reports the first cause.
 * The final name is touched only by the rename() in io_atomic_commit().
 */
#include "io/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

struct io_atomic {
    FILE *stream;
    char *path;   /* final name, as given by the caller */
    char *temp;   /* temporary name in the same folder */
    int errnum;   /* errno of the first failed write, 0 if none */
};

/* Formats "PATH: strerror(errnum)" into err, if the caller gave a buffer. */
static void set_error(char *err, size_t errlen, const char *path, int errnum)
{
    if (err && errlen > 0)
        snprintf(err, errlen, "%s: %s", path, strerror(errnum));
}

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/*
 * Builds the temporary name for path: the same folder, "." + base name +
 * ".tmp." + PID, plus "." + attempt when attempt > 0.  Returns a heap
 * string, or NULL when out of memory.
 */
static char *temp_name(const char *path, unsigned attempt)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dirlen;
    /* 20 digits for the PID, 1 + 10 for the attempt, ".tmp." and the dot. */
    size_t n = dirlen + strlen(base) + 48;
    char *t = malloc(n);
    if (!t)
        return NULL;
    long pid = (long)getpid();
    if (attempt == 0)
        snprintf(t, n, "%.*s.%s.tmp.%ld", (int)dirlen, path, base, pid);
    else
        snprintf(t, n, "%.*s.%s.tmp.%ld.%u", (int)dirlen, path, base, pid,
                 attempt);
    return t;
}

/* The folder part of path ("." when there is none), as a heap string. */
static char *dir_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return dup_string(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, path, n);
        d[n] = '\0';
    }
    return d;
}

io_atomic *io_atomic_open(const char *path, char *err, size_t errlen)
{
    io_atomic *f = NULL;
    int fd = -1;
    int errnum = 0;

    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        errnum = EISDIR;
        goto fail;
    }

    f = calloc(1, sizeof *f);
    if (!f || !(f->path = dup_string(path))) {
        errnum = ENOMEM;
        goto fail;
    }

    /*
     * O_EXCL guarantees that the temporary file is ours alone.  A name that
     * is taken can only be a leftover of a crashed process with the same
     * PID (or a second writer of the same file in this process), so try a
     * few numbered variants before giving up.
     */
    for (unsigned attempt = 0; attempt < 100; attempt++) {
        f->temp = temp_name(path, attempt);
        if (!f->temp) {
            errnum = ENOMEM;
            goto fail;
        }
        fd = open(f->temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0)
            break;
        errnum = errno;
        free(f->temp);
        f->temp = NULL;
        if (errnum != EEXIST)
            goto fail;
    }
    if (fd < 0)
        goto fail;

    f->stream = fdopen(fd, "w");
    if (!f->stream) {
        errnum = errno;
        close(fd);
        unlink(f->temp);
        goto fail;
    }
    return f;

fail:
    set_error(err, errlen, path, errnum ? errnum : EIO);
    if (f) {
        free(f->temp);
        free(f->path);
        free(f);
    }
    return NULL;
}

int io_atomic_write(io_atomic *f, const void *data, size_t len)
{
    if (f->errnum)
        return AS_EIO;
    if (len == 0)
        return AS_OK;
    errno = 0;
    if (fwrite(data, 1, len, f->stream) != len) {
        f->errnum = errno ? errno : EIO;
        return AS_EIO;
    }
    return AS_OK;
}

int io_atomic_puts(io_atomic *f, const char *s)
{
    return io_atomic_write(f, s, strlen(s));
}

int io_atomic_status(const io_atomic *f)
{
    return f->errnum ? AS_EIO : AS_OK;
}

const char *io_atomic_path(const io_atomic *f)
{
    return f->path;
}

const char *io_atomic_temp_path(const io_atomic *f)
{
    return f->temp;
}

/* Frees the handle's memory; the stream must already be closed. */
static void release(io_atomic *f)
{
    free(f->temp);
    free(f->path);
    free(f);
}

char *io_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

void io_sync_folder(const char *path)
{
    char *dir = dir_name(path);
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

int io_atomic_commit(io_atomic *f, char *err, size_t errlen)
{
    int errnum = f->errnum;

    if (!errnum && fflush(f->stream) != 0)
        errnum = errno ? errno : EIO;
    if (!errnum && ferror(f->stream))
        errnum = EIO;
    /* EINVAL means the file system cannot sync at all; that is not a loss. */
    if (!errnum && fsync(fileno(f->stream)) != 0 && errno != EINVAL)
        errnum = errno;
    /* fclose() releases the stream even when it fails. */
    if (fclose(f->stream) != 0 && !errnum)
        errnum = errno ? errno : EIO;
    f->stream = NULL;
    if (!errnum && rename(f->temp, f->path) != 0)
        errnum = errno;

    if (errnum) {
        unlink(f->temp);
        set_error(err, errlen, f->path, errnum);
        release(f);
        return AS_EIO;
    }
    io_sync_folder(f->path);
    release(f);
    return AS_OK;
}

void io_atomic_abort(io_atomic *f)
{
    if (!f)
        return;
    if (f->stream)
        fclose(f->stream);
    unlink(f->temp);
    release(f);
}

/*
 * Creates one folder; an existing folder is fine.  Returns 0 or an errno.
 * Any mkdir() failure on a name that is already a folder counts as success,
 * so that read-only or unsearchable ancestors (EROFS, EACCES on "/home")
 * do not stop the creation of their writable descendants.
 */
static int make_one(const char *dir)
{
    if (mkdir(dir, 0777) == 0)
        return 0;
    int errnum = errno;
    struct stat st;
    if (stat(dir, &st) == 0)
        return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
    return errnum;
}

int io_mkdir_p(const char *path, char *err, size_t errlen)
{
    if (*path == '\0') {
        set_error(err, errlen, path, ENOENT);
        return AS_EIO;
    }
    char *buf = dup_string(path);
    if (!buf) {
        set_error(err, errlen, path, ENOMEM);
        return AS_EIO;
    }

    /*
     * Walk the components from the root down, cutting the string at each
     * slash in turn.  Runs of slashes and a trailing slash give empty or
     * repeated prefixes, which are skipped or harmlessly re-checked.
     */
    int errnum = 0;
    for (char *p = buf + 1; *p && !errnum; p++) {
        if (*p != '/' || p[-1] == '/')
            continue;
        *p = '\0';
        errnum = make_one(buf);
        if (errnum) {
            set_error(err, errlen, buf, errnum);
            break;
        }
        *p = '/';
    }
    if (!errnum) {
        errnum = make_one(buf);
        if (errnum)
            set_error(err, errlen, buf, errnum);
    }
    free(buf);
    return errnum ? AS_EIO : AS_OK;
}

int io_write_file_atomic(const char *path, const void *data, size_t len,
                         char *err, size_t errlen)
{
    io_atomic *f = io_atomic_open(path, err, errlen);
    if (!f)
        return AS_EIO;
    (void)io_atomic_write(f, data, len);
    return io_atomic_commit(f, err, errlen);
}

char *io_read_file_max(const char *path, size_t max, size_t *len)
{
    char *dst = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0)
        goto fail;
    if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        goto fail;
    }
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > (uintmax_t)max) {
        errno = EFBIG;
        goto fail;
    }
    size_t cap = 4096, n = 0;
    dst = malloc(cap);
    if (!dst)
        goto fail;
    for (;;) {
        if (cap - n < 2) {
            if (cap > SIZE_MAX / 2) {
                errno = ENOMEM;
                goto fail;
            }
            char *p = realloc(dst, cap * 2);
            if (!p)
                goto fail;
            dst = p;
            cap *= 2;
        }
        ssize_t r = read(fd, dst + n, cap - n - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            goto fail;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > max) { /* a pipe or a device: stop reading */
            errno = EFBIG;
            goto fail;
        }
    }
    dst[n] = '\0';
    close(fd);
    if (len)
        *len = n;
    return dst;

fail: {
    int e = errno;
    free(dst);
    close(fd);
    errno = e;
    return NULL;
}
}

char *io_read_file(const char *path, size_t *len)
{
    return io_read_file_max(path, SIZE_MAX - 1, len);
}
