/*
 * status - the one error convention of alignsim.
 *
 * Every function that can fail returns an int: AS_OK (0) on success or one
 * of the negative AS_E* codes below, with a human-readable message in a
 * caller's (char *err, size_t errlen) buffer where the function takes one.
 * A module may add detail to the message but never invents codes of its
 * own, and never passes a lower layer's private number through: the
 * kernel's, an observer's or a library's failure is mapped to one of these
 * at the boundary where it is seen.
 *
 * Only sim/cli/ turns a code into an exit status (cli_exit_status()):
 *
 *   AS_OK          0
 *   AS_EUSAGE      2    bad input: command line, scenario, data or result
 *                       folder that is not what the command needs
 *   AS_EIO         1    a file or folder could not be read or written
 *   AS_ENOMEM      1    memory ran out
 *   AS_ELIMIT      1    a run exceeded a configured limit (event budget)
 *   AS_ERUNTIME    1    any other failure at run time (MPI, threads, a
 *                       failed replication)
 *   AS_ESTOPPED    130 or 143: stopped by SIGINT or SIGTERM after saving
 *                       what can be resumed
 *   AS_EBUSY       1    another process holds the output folder
 *
 * This header depends on nothing: every layer includes it.  Its one
 * function, as_errf(), is in status.c.
 */
#ifndef ALIGNSIM_BASE_STATUS_H
#define ALIGNSIM_BASE_STATUS_H

#include <stddef.h>

enum {
    AS_OK = 0,
    AS_EUSAGE = -1,
    AS_EIO = -2,
    AS_ENOMEM = -3,
    AS_ELIMIT = -4,
    AS_ERUNTIME = -5,
    AS_ESTOPPED = -6,
    AS_EBUSY = -7
};

/* Short name of a code ("usage", "io", ...), for messages and tests;
 * "unknown" for anything else. */
static inline const char *as_status_name(int code)
{
    switch (code) {
    case AS_OK: return "ok";
    case AS_EUSAGE: return "usage";
    case AS_EIO: return "io";
    case AS_ENOMEM: return "nomem";
    case AS_ELIMIT: return "limit";
    case AS_ERUNTIME: return "runtime";
    case AS_ESTOPPED: return "stopped";
    case AS_EBUSY: return "busy";
    default: return "unknown";
    }
}

/* Formats a message into a caller's (err, errlen) buffer, as snprintf
 * does; a no-op when err is NULL or errlen is 0. */
void as_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
