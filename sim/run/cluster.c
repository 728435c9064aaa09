/*
 * cluster - MPI transport for the executor, or a one-process stand-in.
 *
 * Variable-length messages go as a u64 length followed by the bytes in
 * chunks of at most 1 GiB (MPI counts are int).  Every message uses one tag
 * on MPI_COMM_WORLD; MPI keeps messages between a pair of ranks in order,
 * which is all the engine protocol relies on.
 */
#include "run/cluster.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/status.h"

/* Written on the primitives below, so it needs no MPI call of its own. */
int cluster_agree(int code, int *who)
{
    int rank = cluster_rank(), n = cluster_size(), first = code, from = code ? rank : -1;
    unsigned char w[16];
    if (rank != 0) {
        buf_put_u64(w, (uint64_t)(int64_t)code);
        cluster_send_root(w, 8);
    } else {
        for (int k = 1; k < n; k++) {
            unsigned char *msg = NULL;
            size_t len = 0;
            cluster_recv(k, &msg, &len);
            int c = len == 8 ? (int)(int64_t)buf_get_u64(msg) : AS_ERUNTIME;
            free(msg);
            if (first == 0 && c != 0) {
                first = c;
                from = k;
            }
        }
    }
    buf_put_u64(w, (uint64_t)(int64_t)first);
    buf_put_u64(w + 8, (uint64_t)(int64_t)from);
    cluster_bcast(w, 16);
    if (who)
        *who = (int)(int64_t)buf_get_u64(w + 8);
    return (int)(int64_t)buf_get_u64(w);
}

#ifdef ALIGNSIM_MPI

#include <mpi.h>

#define TAG 7301
#define CHUNK ((size_t)1 << 30)

/* Reports a failed MPI call and ends the whole group (see cluster.h). */
static void check(int rc, const char *what)
{
    if (rc == MPI_SUCCESS)
        return;
    char text[MPI_MAX_ERROR_STRING];
    int n = 0;
    if (MPI_Error_string(rc, text, &n) != MPI_SUCCESS)
        snprintf(text, sizeof text, "error code %d", rc);
    fprintf(stderr, "alignsim: error: MPI: %s failed: %s\n", what, text);
    MPI_Abort(MPI_COMM_WORLD, 1);
}

/* Switches MPI_COMM_WORLD to returned errors.  Idempotent and cheap, so it
 * is simply done on every rank/size query rather than kept in a flag. */
static void errors_return(void)
{
    check(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
}

int cluster_init(int *threads_ok, char *err, size_t errlen)
{
    int provided = 0;
    *threads_ok = 1;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        snprintf(err, errlen, "MPI_Init_thread failed");
        return AS_ERUNTIME;
    }
    *threads_ok = provided >= MPI_THREAD_FUNNELED;
    return AS_OK;
}

int cluster_finalize(void)
{
    return MPI_Finalize() == MPI_SUCCESS ? AS_OK : AS_ERUNTIME;
}

int cluster_rank(void)
{
    int r = 0;
    errors_return();
    check(MPI_Comm_rank(MPI_COMM_WORLD, &r), "MPI_Comm_rank");
    return r;
}

int cluster_size(void)
{
    int n = 1;
    errors_return();
    check(MPI_Comm_size(MPI_COMM_WORLD, &n), "MPI_Comm_size");
    return n;
}

void cluster_bcast(void *data, size_t len)
{
    unsigned char *p = data;
    for (size_t off = 0; off < len; off += CHUNK) {
        size_t n = len - off < CHUNK ? len - off : CHUNK;
        check(MPI_Bcast(p + off, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD), "MPI_Bcast");
    }
}

void cluster_bcast_buf(buf *b)
{
    unsigned char w[8];
    buf_put_u64(w, b->len);
    cluster_bcast(w, 8);
    size_t n = (size_t)buf_get_u64(w);
    if (cluster_rank() != 0) {
        buf_reset(b);
        if (buf_reserve(b, n) != 0) {
            fprintf(stderr, "alignsim: error: out of memory receiving %zu bytes from the root\n", n);
            MPI_Abort(MPI_COMM_WORLD, 1);
            return;
        }
        b->len = n;
    }
    cluster_bcast(b->data, n);
}

void cluster_send_root(const void *data, size_t len)
{
    uint64_t n64 = len;
    check(MPI_Send(&n64, 1, MPI_UINT64_T, 0, TAG, MPI_COMM_WORLD), "MPI_Send");
    const unsigned char *p = data;
    for (size_t off = 0; off < len; off += CHUNK) {
        size_t n = len - off < CHUNK ? len - off : CHUNK;
        /* MPI_Send takes a non-const buffer in MPI 2; it does not write it. */
        check(MPI_Send((void *)(uintptr_t)(p + off), (int)n, MPI_BYTE, 0, TAG, MPI_COMM_WORLD), "MPI_Send");
    }
}

int cluster_recv(int from, unsigned char **data, size_t *len)
{
    uint64_t n64 = 0;
    check(MPI_Recv(&n64, 1, MPI_UINT64_T, from, TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
    size_t n = (size_t)n64;
    unsigned char *p = malloc(n ? n : 1);
    if (!p) {
        /* The message cannot be taken, and the protocol cannot skip it. */
        fprintf(stderr, "alignsim: error: out of memory receiving %zu bytes from rank %d\n", n, from);
        MPI_Abort(MPI_COMM_WORLD, 1);
        return -1;
    }
    for (size_t off = 0; off < n; off += CHUNK) {
        size_t c = n - off < CHUNK ? n - off : CHUNK;
        check(MPI_Recv(p + off, (int)c, MPI_BYTE, from, TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
    }
    *data = p;
    *len = n;
    return 0;
}

#else /* one process */

int cluster_init(int *threads_ok, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    *threads_ok = 1;
    return AS_OK;
}

int cluster_finalize(void)
{
    return AS_OK;
}

void cluster_bcast_buf(buf *b)
{
    (void)b;
}

int cluster_rank(void)
{
    return 0;
}

int cluster_size(void)
{
    return 1;
}

void cluster_bcast(void *data, size_t len)
{
    (void)data;
    (void)len;
}

void cluster_send_root(const void *data, size_t len)
{
    (void)data;
    (void)len;
}

int cluster_recv(int from, unsigned char **data, size_t *len)
{
    (void)from;
    *data = NULL;
    *len = 0;
    return -1;
}

#endif
