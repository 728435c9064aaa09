/*
 * testutil - small helpers shared by the cmocka test programs.
 *
 * cmocka 1.1.5 has no double comparison with a relative tolerance, and the
 * command-line tests need to run the built program and read what it printed.
 * Include after <cmocka.h>.
 */
#ifndef ALIGNSIM_TESTUTIL_H
#define ALIGNSIM_TESTUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "model/spec.h"

/*
 * Fails the current test unless |actual - expected| <= rel * max(1, |expected|),
 * printing both values with full precision and the call site.
 */
#define assert_close(actual, expected, rel) \
    testutil_assert_close((actual), (expected), (rel), #actual, __FILE__, __LINE__)

void testutil_assert_close(double actual, double expected, double rel,
                           const char *expr, const char *file, int line);

/*
 * Fails the current test unless the string hay (may be NULL) contains
 * needle, printing both and the call site.
 */
#define assert_contains(hay, needle) testutil_assert_contains((hay), (needle), __FILE__, __LINE__)

void testutil_assert_contains(const char *hay, const char *needle, const char *file, int line);

/* Result of running the alignsim program: exit status and captured output. */
typedef struct {
    int status;     /* exit status, or 128 + signal number if killed */
    char *out;      /* everything written to stdout, NUL-terminated */
    char *err;      /* everything written to stderr, NUL-terminated */
} testutil_result;

/*
 * Runs the program named by $ALIGNSIM_BIN (default build/alignsim) with the
 * given NULL-terminated argument list (not including argv[0]), with stdin
 * from /dev/null.  The caller frees the result with testutil_result_clear().
 */
testutil_result testutil_run(const char *const *args);

/*
 * Starts the program of $ALIGNSIM_BIN with args (NULL-terminated, without
 * argv[0]) in the background, stdin from /dev/null, stdout and stderr into
 * the files outp and errp; returns its pid for the caller to signal and
 * wait for.
 */
pid_t testutil_spawn(const char *const *args, const char *outp, const char *errp);

/*
 * Runs any program: argv[0] (looked up in PATH) with the arguments
 * argv[1..] (NULL-terminated), stdin from /dev/null, output captured as
 * testutil_run() does.  Exit status 127 when it cannot be started.
 */
testutil_result testutil_exec(const char *const *argv);

/* Frees the buffers of a result; safe on a zeroed result. */
void testutil_result_clear(testutil_result *r);

/*
 * Creates a fresh empty directory under $TMPDIR (or /tmp) and returns its
 * path in a static-free heap string that the caller frees.  Fails the test
 * on error.
 */
char *testutil_mkdtemp(void);

/* cmocka fixtures: *state becomes a fresh temporary directory (its path),
 * removed with everything in it by the teardown. */
int testutil_setup_dir(void **state);
int testutil_teardown_dir(void **state);

/* A test that runs in such a directory. */
#define TESTUTIL_IN_DIR(f) cmocka_unit_test_setup_teardown(f, testutil_setup_dir, testutil_teardown_dir)

/*
 * Runs the program as testutil_run() does, for set-up code that cannot use
 * cmocka's assertions: returns 0 when it exited 0, else prints the
 * arguments and what it wrote on stderr and returns -1.
 */
int testutil_run_ok(const char *const *args);

/* Copies the folder src with everything in it to dst (cp -R); fails the
 * test on error. */
void testutil_copy_tree(const char *src, const char *dst);

/* Removes a directory tree (rm -rf); silent on errors. */
void testutil_rmtree(const char *path);

/* Reads a whole file into a NUL-terminated heap string; NULL if unreadable. */
char *testutil_slurp(const char *path, size_t *len);

/* Joins a directory and a file name into a new heap string. */
char *testutil_path(const char *dir, const char *name);

/* Non-zero if the file at path exists. */
int testutil_exists(const char *path);

/* Fails the current test unless file `name` is byte for byte the same in
 * folders a and b (both must exist), printing both paths. */
void testutil_assert_same_file(const char *a, const char *b, const char *name);

/*
 * Runs the program with args (as testutil_run) with the hidden test hook
 * ALIGNSIM_TEST_STOP_AFTER_BLOCKS=stop_after_blocks in its environment (0:
 * without it), and returns its exit status; prints its stderr when the
 * status is not `expect`.
 */
int testutil_run_stopping(const char *const *args, unsigned stop_after_blocks, int expect);

/*
 * The interruption test of a study command.  args: the command and its
 * arguments without -o, -j, -q or --resume (NULL-terminated, at most 16).
 * Runs it into dir/ref uninterrupted (-j 2); into dir/cut stopped by the
 * test hook after stop1 blocks (exit 130, and the hidden file `journal` of
 * the folder must exist); again without --resume (refused: exit 2); with
 * --resume and -j 1 stopped after stop2 blocks (exit 130; 0: not stopped);
 * with --resume and -j 3 to the end (exit 0).  Then the files named in
 * `files` (NULL-terminated) must be byte for byte the same in both folders,
 * and the journal gone.
 */
void testutil_check_resume(const char *const *args, const char *dir, const char *journal, unsigned stop1,
                           unsigned stop2, const char *const *files);

/*
 * Adds to s a dated event (TIMING_AT, at `at`) of kind `kind` among the n
 * actors (copied by the spec), with the fixed magnitude mag and the model's
 * default duration, period and rate parameters; fails the test if the spec
 * refuses it.  Returns the event in the spec, for further tuning.
 */
spec_event *testutil_add_event(model_spec *s, spec_event_kind kind, double at, double mag, const int *actors, int n);

/* Appends an actor named id with the constant capability cap and its three
 * parameters (ideology, autonomy, doctrine cost); fails the test on error. */
void testutil_add_actor(model_spec *s, const char *id, double cap, double ideology, double autonomy, double doctrine);

/* Appends a ladder rung; fails the test on error. */
void testutil_add_rung(model_spec *s, int label, const char *name, double x_min, unsigned requires, int gate);

/* Sets the starting x of dyad (a, b); fails the test on error. */
void testutil_set_initial(model_spec *s, int a, int b, double x);

#endif
