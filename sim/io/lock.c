/*
 * io/lock - one writer per result folder (see lock.h).
 */
#include "io/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "io/atomic.h"

/* Attempts at locking a lock file that another writer removed meanwhile. */
#define MAX_TRIES 100

struct io_lock {
    int fd;
    char *dir;
    char *path;        /* DIR/IO_LOCK_FILE */
    char *created;     /* the shallowest folder created by acquire, or NULL */
};

/* The shallowest missing folder on the way to dir (a heap copy of a prefix
 * of dir), or NULL when dir exists (or on no memory: *oom set). */
static char *first_missing(const char *dir, int *oom)
{
    struct stat st;
    if (stat(dir, &st) == 0)
        return NULL;
    char *p = strdup(dir);
    if (!p) {
        *oom = 1;
        return NULL;
    }
    /* Cut components off the end while the parent is missing too. */
    for (;;) {
        size_t n = strlen(p);
        while (n > 1 && p[n - 1] == '/')
            p[--n] = '\0';
        char *slash = strrchr(p, '/');
        if (!slash || slash == p)
            return p;
        *slash = '\0';
        int missing = stat(p, &st) != 0;
        *slash = '/';
        if (!missing)
            return p;
        *slash = '\0';
    }
}

/* Removes the folders from dir up to top while they are empty. */
static void remove_created(const char *dir, const char *top)
{
    char *p = strdup(dir);
    if (!p)
        return;
    size_t top_len = strlen(top);
    for (;;) {
        size_t n = strlen(p);
        while (n > 1 && p[n - 1] == '/')
            p[--n] = '\0';
        if (n < top_len || rmdir(p) != 0)
            break;
        if (n == top_len)
            break;
        char *slash = strrchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
    }
    free(p);
}

/* The holder recorded in the lock file at path, into b ("process PID
 * (HOLDER)"), best effort. */
static void read_holder(int fd, buf *b)
{
    char text[1024];
    ssize_t n = 0;
    /* The holder writes its record right after it took the lock: give it a
     * moment (at most 0.1 s). */
    for (int tries = 0; tries < 50 && (n = pread(fd, text, sizeof text - 1, 0)) <= 0; tries++) {
        struct timespec ts = {0, 2000000L};
        nanosleep(&ts, NULL);
    }
    if (n <= 0) {
        buf_puts(b, "another process (it is just starting)");
        return;
    }
    text[n] = '\0';
    char *nl = strchr(text, '\n');
    if (nl)
        *nl = '\0';
    char *sp = strchr(text, ' ');
    if (sp) {
        *sp = '\0';
        buf_printf(b, "process %s (%s)", text, sp + 1);
    } else {
        buf_printf(b, "process %s", text);
    }
}

void io_lock_release(io_lock *l)
{
    if (!l)
        return;
    if (l->fd >= 0) {
        unlink(l->path);
        close(l->fd);
    }
    if (l->created)
        remove_created(l->dir, l->created);
    free(l->dir);
    free(l->path);
    free(l->created);
    free(l);
}

int io_lock_acquire(const char *dir, const char *holder, io_lock **out, char *err, size_t errlen)
{
    *out = NULL;
    int rc = AS_ENOMEM, oom = 0;
    io_lock *l = calloc(1, sizeof *l);
    buf b = {0};
    if (!l)
        goto nomem;
    l->fd = -1;
    l->dir = strdup(dir);
    l->created = first_missing(dir, &oom);
    buf_printf(&b, "%s/%s", dir, IO_LOCK_FILE);
    l->path = buf_take(&b);
    if (!l->dir || !l->path || oom)
        goto nomem;
    if ((rc = io_mkdir_p(dir, err, errlen)) != AS_OK)
        goto fail;
    for (int tries = 0;; tries++) {
        int fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0) {
            as_errf(err, errlen, "%s: %s", l->path, strerror(errno));
            rc = AS_EIO;
            goto fail;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            if (e == EWOULDBLOCK) {
                buf_reset(&b);
                read_holder(fd, &b);
                as_errf(err, errlen,
                        "%s is being written by %s; wait for it to finish or write to another folder",
                        dir, b.data ? buf_str(&b) : "another process");
                rc = AS_EBUSY;
            } else {
                as_errf(err, errlen, "%s: cannot lock: %s", l->path, strerror(e));
                rc = AS_EIO;
            }
            close(fd);
            goto fail;
        }
        /* Still the file the folder's name leads to?  A writer that just
         * finished may have removed it between our open and our flock. */
        struct stat a, p;
        if (fstat(fd, &a) == 0 && stat(l->path, &p) == 0 && a.st_dev == p.st_dev && a.st_ino == p.st_ino) {
            l->fd = fd;
            break;
        }
        close(fd);
        if (tries >= MAX_TRIES) {
            as_errf(err, errlen, "%s: cannot lock: the lock file keeps changing", l->path);
            rc = AS_EBUSY;
            goto fail;
        }
    }
    buf_reset(&b);
    buf_printf(&b, "%ld %s\n", (long)getpid(), holder);
    if (b.failed || ftruncate(l->fd, 0) != 0 || pwrite(l->fd, b.data, b.len, 0) != (ssize_t)b.len) {
        /* The record is only informative: the lock itself holds. */
    }
    buf_clear(&b);
    *out = l;
    return AS_OK;
nomem:
    as_errf(err, errlen, "out of memory");
    rc = AS_ENOMEM;
fail:
    buf_clear(&b);
    io_lock_release(l);
    return rc;
}
