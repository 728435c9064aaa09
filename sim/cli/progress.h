/*
 * progress - a one-line progress display on stderr for long work:
 * "batch: 1234/10000 replications (12%), 2013/s, 1m05s left".
 *
 * Shown only when enabled (the command was not given -q and stderr is a
 * terminal), redrawn in place with a carriage return at most five times a
 * second, and erased by progress_free() so that later messages start on a
 * clean line.  Nothing is ever written to stdout.
 */
#ifndef ALIGNSIM_CLI_PROGRESS_H
#define ALIGNSIM_CLI_PROGRESS_H

#include <stdint.h>

typedef struct progress progress;

/*
 * Starts a display labelled `label` (copied).  With enabled zero the object
 * is silent.  Returns NULL only when memory runs out (callers may pass NULL
 * to the functions below, which then do nothing).
 */
progress *progress_alloc(const char *label, int enabled);

/*
 * Reports that `done` of `total` units are done.  The rate counts only the
 * units done since the first call (a resumed batch starts with some done).
 * Suitable as a batch_options.progress callback through progress_callback().
 */
void progress_update(progress *p, uint64_t done, uint64_t total);

/* Sets a note (copied, cut to 95 characters; NULL or "" for none) shown
 * after the counts from the next redraw on, e.g. an inference's
 * "generation 3, tolerance 0.81, acceptance 0.21". */
void progress_note(progress *p, const char *note);

/* The same with a void context, for batch_options.progress. */
void progress_callback(void *ctx, uint64_t done, uint64_t total);

/* Erases the line (if anything was shown) and frees p; NULL is a no-op. */
void progress_free(progress *p);

/* Non-zero when stderr is a terminal, i.e. progress should be shown. */
int progress_stderr_is_terminal(void);

#endif
