/*
 * test_batch - the batch engine as a user meets it: `alignsim batch` writes
 * the same bytes for any -j, continues an interrupted batch (test hook,
 * SIGINT, SIGTERM, kill -9) to exactly the uninterrupted result, never
 * leaves a half-written result file, refuses a mismatched resume, replays a
 * single replication as `alignsim run` would, and reports statistics that
 * agree with a direct computation over the same replications.  Also unit
 * tests of the parts: replication seeds, milestone accumulators, the
 * checkpoint image.
 *
 * Most tests run the built program ($ALIGNSIM_BIN) on the small scenario
 * tests/data/batch/small.cfg (three actors, inline capabilities, drawn
 * parameters), each in its own temporary folder (setup/teardown).
 */
#define _XOPEN_SOURCE 700 /* posix_openpt, for the progress-line test */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>

#include "io/tsv.h"
#include "model/milestones.h"
#include "model/model.h"
#include "run/batch.h"
#include "base/status.h"
#include "run/checkpoint.h"
#include "run/msacc.h"
#include "scenario/scenario.h"

#define SMALL "tests/data/batch/small.cfg"

static const char *const result_files[] = {"scenario.cfg", "summary.tsv", "replications.tsv", "milestones.tsv",
                                           "ladder.tsv", NULL};

typedef struct {
    char *dir;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    fx->dir = testutil_mkdtemp();
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    unsetenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS");
    testutil_rmtree(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

/* Runs the program; prints its stderr when the status is not `expect`. */
static testutil_result run_expect(int expect, const char *const *args)
{
    testutil_result r = testutil_run(args);
    if (r.status != expect)
        print_error("status %d, expected %d; stderr:\n%s\nstdout:\n%s\n", r.status, expect, r.err, r.out);
    assert_int_equal(r.status, expect);
    return r;
}

static void run_ok(const char *const *args)
{
    testutil_result r = run_expect(0, args);
    testutil_result_clear(&r);
}

/* Fails unless two batch folders hold the same result files and nothing
 * else (no checkpoint, partial or temporary file left). */
static void assert_same_batch(const char *a, const char *b)
{
    for (size_t i = 0; result_files[i]; i++)
        testutil_assert_same_file(a, b, result_files[i]);
    DIR *d = opendir(b);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        int known = 0;
        for (size_t i = 0; result_files[i]; i++)
            known |= strcmp(e->d_name, result_files[i]) == 0;
        if (!known)
            print_error("unexpected file %s/%s\n", b, e->d_name);
        assert_true(known);
    }
    closedir(d);
}

/* Non-zero if dir has a file whose name contains `part`. */
static int has_file_containing(const char *dir, const char *part)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, part))
            found = 1;
    closedir(d);
    return found;
}

/* The uninterrupted reference batch of SMALL with n replications, in dir. */
static void reference(const char *dir, const char *n)
{
    const char *args[] = {"batch", SMALL, "-n", n, "-j", "2", "-o", dir, "-q", NULL};
    run_ok(args);
}

/* Starts the program in the background, stdout and stderr into files in
 * logdir; returns its pid. */
static pid_t spawn(const char *const *args, const char *logdir)
{
    char *outp = testutil_path(logdir, "spawn.out"), *errp = testutil_path(logdir, "spawn.err");
    pid_t pid = testutil_spawn(args, outp, errp);
    free(outp);
    free(errp);
    return pid;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Waits up to `seconds` for path to exist; non-zero if it does. */
static int wait_for_file(const char *path, double seconds)
{
    for (double t = 0.0; t < seconds; t += 0.002) {
        if (testutil_exists(path))
            return 1;
        sleep_ms(2);
    }
    return testutil_exists(path);
}

/* Waits for the child (killing it after `seconds`); returns its exit status,
 * or 128 + the signal that ended it. */
static int wait_child(pid_t pid, double seconds)
{
    int st = 0;
    for (double t = 0.0;; t += 0.01) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid)
            break;
        assert_true(w == 0 || (w < 0 && errno == EINTR));
        if (t > seconds) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            fail_msg("the program did not end within %.0f s", seconds);
        }
        sleep_ms(10);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ------------------------------------------------------------------ */
/* Seeds                                                              */
/* ------------------------------------------------------------------ */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_rep_seeds_distinct_across_10000(void **state)
{
    (void)state;
    enum { N = 10000 };
    uint64_t *s = malloc(N * sizeof *s);
    assert_non_null(s);
    const uint64_t masters[] = {0, 1, 2385, 19491001, 0x7fffffffffffffffULL};
    for (size_t k = 0; k < sizeof masters / sizeof masters[0]; k++) {
        for (uint64_t r = 0; r < N; r++) {
            s[r] = batch_rep_seed(masters[k], r);
            /* A scenario seed is an int64: every seed must go back to -s. */
            assert_true(s[r] <= 0x7fffffffffffffffULL);
            /* Not the naive master + r. */
            assert_true(s[r] != masters[k] + r);
            assert_true(s[r] == batch_rep_seed(masters[k], r));
        }
        qsort(s, N, sizeof *s, cmp_u64);
        for (size_t i = 1; i < N; i++)
            assert_true(s[i] != s[i - 1]);
    }
    /* Neighbouring masters do not give shifted copies of each other. */
    assert_true(batch_rep_seed(2385, 1) != batch_rep_seed(2386, 0));
    assert_true(batch_rep_seed(2385, 0) != batch_rep_seed(2386, 0));
    free(s);
}

/* The seed column of replications.tsv in dir, as text. */
static char *seed_column(const char *dir)
{
    char *p = testutil_path(dir, "replications.tsv");
    char err[512];
    tsv_table *t = tsv_read(p, err, sizeof err);
    if (!t)
        print_error("%s\n", err);
    assert_non_null(t);
    long c = tsv_column(t, "seed");
    assert_true(c >= 0);
    size_t cap = tsv_rows(t) * 24 + 1, n = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    for (size_t r = 0; r < tsv_rows(t); r++)
        n += (size_t)snprintf(out + n, cap - n, "%s\n", tsv_cell(t, r, (size_t)c));
    tsv_free(t);
    free(p);
    return out;
}

static void test_same_rep_same_seed_under_two_scenarios(void **state)
{
    fixture *fx = *state;
    char *a = testutil_path(fx->dir, "a"), *b = testutil_path(fx->dir, "b");
    const char *args_a[] = {"batch", SMALL, "-n", "130", "-j", "2", "-o", a, "-q", NULL};
    const char *args_b[] = {"batch", SMALL, "-n", "130", "-j", "1", "-o", b, "-q",
                            "--set", "model.w_threat=3.5", NULL};
    run_ok(args_a);
    run_ok(args_b);
    char *sa = seed_column(a), *sb = seed_column(b);
    assert_string_equal(sa, sb);
    /* ... while the scenarios really differ. */
    char *pa = testutil_path(a, "summary.tsv"), *pb = testutil_path(b, "summary.tsv");
    char *ta = testutil_slurp(pa, NULL), *tb = testutil_slurp(pb, NULL);
    assert_true(strcmp(ta, tb) != 0);
    assert_non_null(strstr(tb, "# overrides: model.w_threat=3.5\n"));
    free(ta);
    free(tb);
    free(pa);
    free(pb);
    free(sa);
    free(sb);
    free(a);
    free(b);
}

/* ------------------------------------------------------------------ */
/* Determinism over threads                                           */
/* ------------------------------------------------------------------ */

static void test_threads_1_2_4_give_identical_folders(void **state)
{
    fixture *fx = *state;
    char *d1 = testutil_path(fx->dir, "j1"), *d2 = testutil_path(fx->dir, "j2"), *d4 = testutil_path(fx->dir, "j4");
    /* 1000 replications: 15 full blocks and a short one. */
    const char *a1[] = {"batch", SMALL, "-n", "1000", "-j", "1", "-o", d1, "-q", NULL};
    const char *a2[] = {"batch", SMALL, "-n", "1000", "-j", "2", "-o", d2, "-q", NULL};
    const char *a4[] = {"batch", SMALL, "-n", "1000", "-j", "4", "-o", d4, "-q", NULL};
    run_ok(a1);
    run_ok(a2);
    run_ok(a4);
    assert_same_batch(d1, d2);
    assert_same_batch(d1, d4);

    /* The folder has what INTERFACE.md promises. */
    char *p = testutil_path(d1, "summary.tsv");
    char err[512];
    tsv_table *t = tsv_read(p, err, sizeof err);
    assert_non_null(t);
    const char *cols[] = {"year", "dyad", "mean", "sd", "ci_lo", "ci_hi", "q05", "q50", "q95", "p_alliance"};
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(tsv_column(t, cols[i]), (long)i);
    assert_string_equal(tsv_prov(t, "replications"), "1000");
    assert_string_equal(tsv_prov(t, "seed"), "2385");
    assert_string_equal(tsv_prov(t, "command"), "batch");
    assert_string_equal(tsv_prov(t, "overrides"), "none");
    assert_string_equal(tsv_prov(t, "quantile_bin_width"), "0.002");
    assert_non_null(tsv_prov(t, "program"));
    tsv_free(t);
    free(p);
    p = testutil_path(d1, "replications.tsv");
    t = tsv_read(p, err, sizeof err);
    assert_non_null(t);
    assert_int_equal(tsv_rows(t), 1000);
    assert_string_equal(tsv_colname(t, 0), "rep");
    assert_string_equal(tsv_colname(t, 1), "seed");
    assert_string_equal(tsv_colname(t, 2), "alliance_year");
    assert_string_equal(tsv_colname(t, 3), "reversal");
    assert_string_equal(tsv_colname(t, 4), "reversal_onset");
    assert_true(tsv_column(t, "model.w_ideology") >= 5);
    assert_true(tsv_column(t, "actors.b.ideology") >= 5);
    /* Event magnitudes are drawn per occurrence, not per replication. */
    assert_int_equal(tsv_column(t, "events.[2].magnitude"), -1);
    for (size_t r = 0; r < 1000; r++) {
        char want[32];
        snprintf(want, sizeof want, "%zu", r);
        assert_string_equal(tsv_cell(t, r, 0), want);
    }
    tsv_free(t);
    free(p);
    free(d1);
    free(d2);
    free(d4);
}

/* ------------------------------------------------------------------ */
/* Interruptions and resume                                           */
/* ------------------------------------------------------------------ */

static void test_resume_after_test_hook_equals_uninterrupted(void **state)
{
    fixture *fx = *state;
    char *ref = testutil_path(fx->dir, "ref"), *dir = testutil_path(fx->dir, "cut");
    reference(ref, "1000");

    /* Stop after 3 blocks with 2 threads: the other thread is in the middle
     * of a block, so the checkpoint carries a partly done block. */
    setenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS", "3", 1);
    const char *a[] = {"batch", SMALL, "-n", "1000", "-j", "2", "-o", dir, NULL};
    testutil_result r = run_expect(130, a);
    assert_non_null(strstr(r.err, "interrupted"));
    assert_non_null(strstr(r.err, "--resume"));
    testutil_result_clear(&r);
    for (size_t i = 0; result_files[i]; i++) {
        char *p = testutil_path(dir, result_files[i]);
        assert_false(testutil_exists(p));
        free(p);
    }
    char *ck = testutil_path(dir, BATCH_CKPT_FILE);
    assert_true(testutil_exists(ck));

    /* Resume with other thread counts, interrupted once more. */
    setenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS", "2", 1);
    const char *b[] = {"batch", SMALL, "-n", "1000", "-j", "3", "-o", dir, "--resume", NULL};
    r = run_expect(130, b);
    testutil_result_clear(&r);
    unsetenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS");
    const char *c[] = {"batch", SMALL, "-n", "1000", "-j", "1", "-o", dir, "--resume", NULL};
    r = run_expect(0, c);
    assert_non_null(strstr(r.out, "1000 replications"));
    testutil_result_clear(&r);
    assert_same_batch(ref, dir);
    assert_false(testutil_exists(ck));
    free(ck);
    free(ref);
    free(dir);
}

static void test_many_interruptions_with_any_threads_equal_uninterrupted(void **state)
{
    fixture *fx = *state;
    char *ref = testutil_path(fx->dir, "ref"), *dir = testutil_path(fx->dir, "cut");
    reference(ref, "2500");
    /* Stops after 1 to 4 blocks with 1 to 4 threads leave blocks partly
     * done, and done blocks behind unfinished ones; each resume must pick
     * every one of them up. */
    unsigned rng = 12345;
    int finished = 0;
    for (int round = 0; round < 40 && !finished; round++) {
        rng = rng * 1103515245u + 12345u;
        char stop[8], threads[8];
        snprintf(stop, sizeof stop, "%u", 1 + (rng >> 16) % 4);
        snprintf(threads, sizeof threads, "%u", 1 + (rng >> 20) % 4);
        setenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS", stop, 1);
        const char *a[] = {"batch", SMALL, "-n", "2500", "-j", threads, "-o", dir, "-q",
                           round ? "--resume" : NULL, NULL};
        testutil_result r = testutil_run(a);
        if (r.status != 0 && r.status != 130)
            print_error("round %d: status %d: %s\n", round, r.status, r.err);
        assert_true(r.status == 0 || r.status == 130);
        finished = r.status == 0;
        testutil_result_clear(&r);
    }
    unsetenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS");
    if (!finished) {
        const char *a[] = {"batch", SMALL, "-n", "2500", "-o", dir, "-q", "--resume", NULL};
        run_ok(a);
    }
    assert_same_batch(ref, dir);
    free(ref);
    free(dir);
}

static void test_resume_cuts_rows_written_after_the_checkpoint(void **state)
{
    fixture *fx = *state;
    char *ref = testutil_path(fx->dir, "ref"), *dir = testutil_path(fx->dir, "cut");
    reference(ref, "700");
    setenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS", "4", 1);
    const char *a[] = {"batch", SMALL, "-n", "700", "-j", "2", "-o", dir, NULL};
    testutil_result r = run_expect(130, a);
    testutil_result_clear(&r);
    unsetenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS");
    /* A crash after rows were appended but before the next checkpoint
     * leaves rows the checkpoint does not count, here a torn one. */
    char *part = testutil_path(dir, BATCH_PARTIAL_FILE);
    FILE *f = fopen(part, "ab");
    assert_non_null(f);
    fputs("999\t123\tNA\t0\tNA\t0.5\t0.05\t0.4\t0.2\n1000\t77", f);
    assert_int_equal(fclose(f), 0);
    /* A checkpoint write killed half-way leaves its temporary file. */
    char *tmp = testutil_path(dir, ".batch.ckpt.tmp.999999999");
    f = fopen(tmp, "wb");
    assert_non_null(f);
    fputs("half a checkpoint", f);
    assert_int_equal(fclose(f), 0);
    const char *b[] = {"batch", SMALL, "-n", "700", "-j", "2", "-o", dir, "--resume", "-q", NULL};
    run_ok(b);
    /* Same files, and nothing else: the stale temporary file is gone. */
    assert_same_batch(ref, dir);
    free(tmp);
    free(part);
    free(ref);
    free(dir);
}

static void test_resume_after_a_crash_while_finishing(void **state)
{
    fixture *fx = *state;
    char *ref = testutil_path(fx->dir, "ref"), *dir = testutil_path(fx->dir, "cut");
    reference(ref, "500");
    setenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS", "3", 1);
    const char *a[] = {"batch", SMALL, "-n", "500", "-j", "1", "-o", dir, NULL};
    testutil_result r = run_expect(130, a);
    testutil_result_clear(&r);
    unsetenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS");
    /* As if the batch died after renaming the rows into place and before
     * removing its checkpoint: the rows are taken back and redone. */
    char *part = testutil_path(dir, BATCH_PARTIAL_FILE), *final = testutil_path(dir, "replications.tsv");
    assert_int_equal(rename(part, final), 0);
    const char *b[] = {"batch", SMALL, "-n", "500", "-o", dir, "--resume", "-q", NULL};
    run_ok(b);
    assert_same_batch(ref, dir);

    /* An unrelated replications.tsv is never taken for the rows. */
    char *other = testutil_path(fx->dir, "other");
    setenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS", "3", 1);
    const char *c[] = {"batch", SMALL, "-n", "500", "-j", "1", "-o", other, NULL};
    r = run_expect(130, c);
    testutil_result_clear(&r);
    unsetenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS");
    char *opart = testutil_path(other, BATCH_PARTIAL_FILE), *ofinal = testutil_path(other, "replications.tsv");
    assert_int_equal(unlink(opart), 0);
    FILE *f = fopen(ofinal, "wb");
    assert_non_null(f);
    fputs("# my own notes\nrep\tseed\n", f);
    assert_int_equal(fclose(f), 0);
    const char *d[] = {"batch", SMALL, "-n", "500", "-o", other, "--resume", "-q", NULL};
    r = run_expect(1, d);
    testutil_result_clear(&r);
    char *text = testutil_slurp(ofinal, NULL);
    assert_non_null(text);
    assert_string_equal(text, "# my own notes\nrep\tseed\n");
    free(text);
    free(opart);
    free(ofinal);
    free(other);
    free(part);
    free(final);
    free(ref);
    free(dir);
}

static void test_resume_after_kill_9_equals_uninterrupted(void **state)
{
    fixture *fx = *state;
    char *ref = testutil_path(fx->dir, "ref"), *dir = testutil_path(fx->dir, "cut");
    reference(ref, "8000");
    /* The hidden hook makes the batch sleep after its first checkpoint, so
     * that the kill surely lands in the middle of the batch. */
    setenv("ALIGNSIM_TEST_PAUSE_AFTER_CHECKPOINT", "1", 1);
    const char *a[] = {"batch", SMALL, "-n", "8000", "-j", "2", "-o", dir, "-q", NULL};
    pid_t pid = spawn(a, fx->dir);
    unsetenv("ALIGNSIM_TEST_PAUSE_AFTER_CHECKPOINT");
    char *ck = testutil_path(dir, BATCH_CKPT_FILE), *part = testutil_path(dir, BATCH_PARTIAL_FILE);
    assert_true(wait_for_file(ck, 60.0));
    kill(pid, SIGKILL);
    assert_int_equal(wait_child(pid, 60.0), 128 + SIGKILL);

    /* What the kill left: a checkpoint of a part of the batch, the rows it
     * counts in the partial file, and no result file. */
    ckpt_state st;
    char err[512];
    assert_int_equal(ckpt_read(ck, &st, err, sizeof err), AS_OK);
    assert_true(st.tasks_done > 0 && st.tasks_done < 8000);
    assert_int_equal(st.id.ntasks, 8000);
    uint64_t counted = st.tasks_done;
    /* Data rows in the partial file: lines after the provenance and the
     * column names. */
    size_t rows_before = 0;
    char *text = testutil_slurp(part, NULL);
    assert_non_null(text);
    for (char *p = text; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
        rows_before += *p != '#' && strncmp(p, "rep\t", 4) != 0;
    ckpt_state_clear(&st);
    free(text);
    for (size_t i = 0; result_files[i]; i++) {
        if (strcmp(result_files[i], "scenario.cfg") == 0)
            continue;
        char *p = testutil_path(dir, result_files[i]);
        assert_false(testutil_exists(p));
        free(p);
    }
    print_message("killed with %llu of 8000 replications in the checkpoint\n", (unsigned long long)counted);

    const char *b[] = {"batch", SMALL, "-n", "8000", "-j", "1", "-o", dir, "--resume", "-q", NULL};
    testutil_result r = run_expect(0, b);
    testutil_result_clear(&r);
    /* The resumed batch is complete: every replication, once, as the
     * uninterrupted one wrote it. */
    char *reps = testutil_path(dir, "replications.tsv");
    tsv_table *t = tsv_read(reps, err, sizeof err);
    assert_non_null(t);
    assert_int_equal(tsv_rows(t), 8000);
    tsv_free(t);
    assert_true(rows_before > 0 && rows_before < 8000);
    assert_same_batch(ref, dir);
    assert_false(testutil_exists(ck));
    free(reps);
    free(part);
    free(ck);
    free(ref);
    free(dir);
}

/* Sends sig to a long batch after its first checkpoint; checks the exit
 * status and that no result file (whole or partial) was written. */
static void interrupt_with(fixture *fx, int sig, int want_status)
{
    char *dir = testutil_path(fx->dir, "long");
    const char *a[] = {"batch", SMALL, "-n", "2000000", "-j", "2", "-o", dir, NULL};
    pid_t pid = spawn(a, fx->dir);
    char *ck = testutil_path(dir, BATCH_CKPT_FILE);
    assert_true(wait_for_file(ck, 60.0));
    sleep_ms(50);
    kill(pid, sig);
    assert_int_equal(wait_child(pid, 60.0), want_status);
    for (size_t i = 0; result_files[i]; i++) {
        char *p = testutil_path(dir, result_files[i]);
        if (testutil_exists(p))
            print_error("%s exists after the interruption\n", p);
        assert_false(testutil_exists(p));
        free(p);
    }
    assert_false(has_file_containing(dir, ".tmp."));
    assert_true(testutil_exists(ck));
    char *errp = testutil_path(fx->dir, "spawn.err");
    char *text = testutil_slurp(errp, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, sig == SIGINT ? "interrupted (SIGINT)" : "interrupted (SIGTERM)"));
    assert_non_null(strstr(text, "--resume"));
    free(text);
    free(errp);
    free(ck);
    free(dir);
}

static void test_sigint_exits_130_without_half_written_files(void **state)
{
    interrupt_with(*state, SIGINT, 130);
}

static void test_sigterm_exits_143_without_half_written_files(void **state)
{
    interrupt_with(*state, SIGTERM, 143);
}

/* Issue 14: a stop request reaches a replication that takes about ten
 * minutes (4e9 events, tests/data/batch/slow.cfg): the batch stops inside it, saves
 * its checkpoint and exits 130 (143) with its message; --resume accepts the
 * checkpoint and stops the same way.  Before the fix the first signal was
 * ignored until the replication ended (minutes: wait_child gives up). */
static void stop_inside_a_replication(const char *dir, const char *logdir, int resume, int sig, int want)
{
    const char *a[] = {"batch", "tests/data/batch/slow.cfg", "-n", "4", "-j", "2", "-o", dir,
                       resume ? "--resume" : NULL, NULL};
    pid_t pid = spawn(a, logdir);
    sleep_ms(1500);
    kill(pid, sig);
    assert_int_equal(wait_child(pid, 60.0), want);
    char *errp = testutil_path(logdir, "spawn.err");
    char *text = testutil_slurp(errp, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, sig == SIGINT ? "interrupted (SIGINT) after 0 of 4 replications"
                                               : "interrupted (SIGTERM) after 0 of 4 replications"));
    assert_non_null(strstr(text, "--resume"));
    free(text);
    free(errp);
    char *ck = testutil_path(dir, BATCH_CKPT_FILE), *reps = testutil_path(dir, "replications.tsv");
    assert_true(testutil_exists(ck));
    assert_false(testutil_exists(reps));
    free(ck);
    free(reps);
}

static void test_stop_is_noticed_inside_a_long_replication(void **state)
{
    fixture *fx = *state;
    char *dir = testutil_path(fx->dir, "slow");
    stop_inside_a_replication(dir, fx->dir, 0, SIGINT, 130);
    stop_inside_a_replication(dir, fx->dir, 1, SIGTERM, 143);
    free(dir);
}

static void test_resume_mismatch_exits_2_and_keeps_the_checkpoint(void **state)
{
    fixture *fx = *state;
    char *dir = testutil_path(fx->dir, "cut");
    setenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS", "2", 1);
    const char *a[] = {"batch", SMALL, "-n", "600", "-j", "1", "-o", dir, NULL};
    testutil_result r = run_expect(130, a);
    testutil_result_clear(&r);
    unsetenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS");

    const char *other_seed[] = {"batch", SMALL, "-n", "600", "-s", "7", "-o", dir, "--resume", NULL};
    r = run_expect(2, other_seed);
    assert_non_null(strstr(r.err, "cannot resume"));
    assert_non_null(strstr(r.err, "seed 2385"));
    testutil_result_clear(&r);
    const char *other_n[] = {"batch", SMALL, "-n", "601", "-o", dir, "--resume", NULL};
    r = run_expect(2, other_n);
    assert_non_null(strstr(r.err, "-n 600"));
    testutil_result_clear(&r);
    const char *other_set[] = {"batch", SMALL, "-n", "600", "-o", dir, "--resume", "--set", "model.w_threat=3.5",
                               NULL};
    r = run_expect(2, other_set);
    assert_non_null(strstr(r.err, "scenario differs"));
    testutil_result_clear(&r);
    /* Starting afresh over an interrupted batch is refused too. */
    const char *fresh[] = {"batch", SMALL, "-n", "600", "-o", dir, NULL};
    r = run_expect(2, fresh);
    assert_non_null(strstr(r.err, "--resume"));
    testutil_result_clear(&r);
    /* The checkpoint survived all that. */
    const char *good[] = {"batch", SMALL, "-n", "600", "-o", dir, "--resume", "-q", NULL};
    run_ok(good);
    char *ref = testutil_path(fx->dir, "ref");
    reference(ref, "600");
    assert_same_batch(ref, dir);
    free(ref);
    free(dir);
}

static void test_resume_without_checkpoint_exits_2(void **state)
{
    fixture *fx = *state;
    const char *a[] = {"batch", SMALL, "-n", "100", "-o", fx->dir, "--resume", NULL};
    testutil_result r = run_expect(2, a);
    assert_non_null(strstr(r.err, "no interrupted batch"));
    testutil_result_clear(&r);
}

static void test_damaged_checkpoint_is_refused(void **state)
{
    fixture *fx = *state;
    char *dir = testutil_path(fx->dir, "cut");
    setenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS", "2", 1);
    const char *a[] = {"batch", SMALL, "-n", "600", "-j", "1", "-o", dir, NULL};
    testutil_result r = run_expect(130, a);
    testutil_result_clear(&r);
    unsetenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS");
    char *ck = testutil_path(dir, BATCH_CKPT_FILE);
    FILE *f = fopen(ck, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, 200, SEEK_SET), 0);
    int c = fgetc(f);
    assert_int_equal(fseek(f, 200, SEEK_SET), 0);
    fputc(c ^ 0x5a, f);
    assert_int_equal(fclose(f), 0);
    const char *b[] = {"batch", SMALL, "-n", "600", "-o", dir, "--resume", NULL};
    r = run_expect(1, b);
    assert_non_null(strstr(r.err, "damaged"));
    testutil_result_clear(&r);
    free(ck);
    free(dir);
}

/* Issue 14: the rows file beside the checkpoint is checksummed too.  A
 * seed digit edited in .replications.tsv.partial used to pass --resume and
 * change replications.tsv; now --resume refuses it (exit 1) and names the
 * file, and the folder is left as it was. */
static void test_edited_partial_rows_are_refused_on_resume(void **state)
{
    fixture *fx = *state;
    char *dir = testutil_path(fx->dir, "cut");
    setenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS", "3", 1);
    const char *a[] = {"batch", SMALL, "-n", "600", "-j", "1", "-o", dir, NULL};
    testutil_result r = run_expect(130, a);
    testutil_result_clear(&r);
    unsetenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS");
    char *part = testutil_path(dir, BATCH_PARTIAL_FILE);
    size_t len = 0;
    char *text = testutil_slurp(part, &len);
    assert_non_null(text);
    /* The seed column of the first row: index TAB seed TAB ... */
    char *row = strstr(text, "\n0\t");
    assert_non_null(row);
    char *digit = row + 3;
    assert_true(*digit >= '0' && *digit <= '9');
    *digit = *digit == '9' ? '1' : (char)(*digit + 1);
    FILE *f = fopen(part, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    const char *b[] = {"batch", SMALL, "-n", "600", "-o", dir, "--resume", NULL};
    r = run_expect(1, b);
    assert_non_null(strstr(r.err, BATCH_PARTIAL_FILE ": changed since the checkpoint (its checksum differs)"));
    testutil_result_clear(&r);
    char *reps = testutil_path(dir, "replications.tsv"), *ck = testutil_path(dir, BATCH_CKPT_FILE);
    assert_false(testutil_exists(reps));
    assert_true(testutil_exists(ck));
    free(reps);
    free(ck);
    free(text);
    free(part);
    free(dir);
}

/* ------------------------------------------------------------------ */
/* --only and usage                                                   */
/* ------------------------------------------------------------------ */

static void test_only_3_equals_run_with_the_seed_of_rep_3(void **state)
{
    fixture *fx = *state;
    char *b = testutil_path(fx->dir, "b"), *u = testutil_path(fx->dir, "u");
    const char *batch[] = {"batch", SMALL, "-n", "10", "-o", b, "-q", NULL};
    run_ok(batch);
    /* The seed of replication 3, as the batch recorded it. */
    char *p = testutil_path(b, "replications.tsv");
    char err[512];
    tsv_table *t = tsv_read(p, err, sizeof err);
    assert_non_null(t);
    char seed[32];
    snprintf(seed, sizeof seed, "%s", tsv_cell(t, 3, 1));
    tsv_free(t);
    free(p);
    char want[32];
    snprintf(want, sizeof want, "%llu", (unsigned long long)batch_rep_seed(2385, 3));
    assert_string_equal(seed, want);

    const char *only[] = {"batch", SMALL, "-n", "10", "--only", "3", "-o", b, NULL};
    testutil_result r = run_expect(0, only);
    assert_non_null(strstr(r.out, "rep-3"));
    assert_non_null(strstr(r.out, seed));
    testutil_result_clear(&r);
    const char *run[] = {"run", SMALL, "-s", seed, "-o", u, NULL};
    run_ok(run);
    char *rep3 = testutil_path(b, "rep-3");
    const char *files[] = {"scenario.cfg", "trajectory.tsv", "events.tsv", "milestones.tsv", "ladder.tsv"};
    for (size_t i = 0; i < 5; i++)
        testutil_assert_same_file(u, rep3, files[i]);

    /* A range writes one folder per replication. */
    const char *range[] = {"batch", SMALL, "-n", "10", "--only", "8-9", "-o", b, NULL};
    run_ok(range);
    char *rep8 = testutil_path(b, "rep-8"), *rep9 = testutil_path(b, "rep-9");
    assert_true(testutil_exists(rep8));
    assert_true(testutil_exists(rep9));
    const char *beyond[] = {"batch", SMALL, "-n", "10", "--only", "10", "-o", b, NULL};
    r = run_expect(2, beyond);
    assert_non_null(strstr(r.err, "0 to 9"));
    testutil_result_clear(&r);
    free(rep8);
    free(rep9);
    free(rep3);
    free(b);
    free(u);
}

static void test_bad_usage_exits_2_with_a_message(void **state)
{
    fixture *fx = *state;
    static const struct {
        const char *opt, *value, *msg;
    } cases[] = {
        {"-n", "0", "-n must be a whole number"},    {"-n", "abc", "-n must be a whole number"},
        {"-n", "-5", "-n must be a whole number"},   {"-j", "0", "-j must be a whole number"},
        {"-j", "two", "-j must be a whole number"},  {"-s", "x1", "seed must be a whole number"},
        {"--only", "3-1", "--only needs"},           {"--list", NULL, "not valid for this command"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *a[] = {"batch", SMALL, "-o", fx->dir, cases[i].opt, cases[i].value, NULL};
        testutil_result r = run_expect(2, a);
        if (!strstr(r.err, cases[i].msg))
            print_error("for %s %s: %s\n", cases[i].opt, cases[i].value ? cases[i].value : "", r.err);
        assert_non_null(strstr(r.err, cases[i].msg));
        testutil_result_clear(&r);
    }
    const char *noscen[] = {"batch", NULL};
    testutil_result r = run_expect(2, noscen);
    testutil_result_clear(&r);
    const char *both[] = {"batch", SMALL, "-o", fx->dir, "--only", "1", "--resume", NULL};
    r = run_expect(2, both);
    assert_non_null(strstr(r.err, "cannot be combined"));
    testutil_result_clear(&r);
    const char *missing[] = {"batch", "tests/data/batch/no-such.cfg", "-o", fx->dir, NULL};
    r = run_expect(1, missing);
    testutil_result_clear(&r);
}

static void test_stdout_has_only_results_and_q_silences_progress(void **state)
{
    fixture *fx = *state;
    char *d = testutil_path(fx->dir, "b");
    const char *a[] = {"batch", SMALL, "-n", "200", "-o", d, NULL};
    testutil_result r = run_expect(0, a);
    /* Not a terminal: no progress line; stdout one result line. */
    assert_string_equal(r.err, "");
    char want[4200];
    snprintf(want, sizeof want, "wrote %s: 200 replications (summary.tsv, replications.tsv, milestones.tsv)\n", d);
    assert_string_equal(r.out, want);
    testutil_result_clear(&r);

    /* On a terminal the progress line shows, unless -q. */
    for (int quiet = 0; quiet < 2; quiet++) {
        int master = posix_openpt(O_RDWR | O_NOCTTY);
        if (master < 0) {
            print_message("no pseudo-terminal here (%s): progress line not checked\n", strerror(errno));
            break;
        }
        assert_int_equal(grantpt(master), 0);
        assert_int_equal(unlockpt(master), 0);
        char slave[256];
        snprintf(slave, sizeof slave, "%s", ptsname(master));
        const char *bin = getenv("ALIGNSIM_BIN");
        if (!bin || !*bin)
            bin = "build/alignsim";
        fflush(stdout);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            int s = open(slave, O_RDWR);
            int devnull = open("/dev/null", O_RDWR);
            if (s < 0 || devnull < 0)
                _exit(126);
            dup2(devnull, 0);
            dup2(devnull, 1);
            dup2(s, 2);
            if (quiet)
                execl(bin, bin, "batch", SMALL, "-n", "3000", "-j", "1", "-o", d, "-q", (char *)NULL);
            else
                execl(bin, bin, "batch", SMALL, "-n", "3000", "-j", "1", "-o", d, (char *)NULL);
            _exit(127);
        }
        char text[65536];
        size_t n = 0;
        for (;;) {
            ssize_t got = read(master, text + n, sizeof text - 1 - n);
            if (got <= 0)
                break; /* EIO once the child has closed the terminal */
            n += (size_t)got;
        }
        text[n] = '\0';
        assert_int_equal(wait_child(pid, 60.0), 0);
        close(master);
        if (quiet)
            assert_null(strstr(text, "replications"));
        else
            assert_non_null(strstr(text, "batch: "));
    }
    free(d);
}

/* ------------------------------------------------------------------ */
/* Statistics against a direct computation                            */
/* ------------------------------------------------------------------ */

/* Everything one replication shows, recorded by hand. */
typedef struct {
    size_t nd, nyears;
    int first_year, alliance;
    double *x;            /* nyears * nd */
    unsigned char *on;    /* sampled and active */
    unsigned char *ally;  /* on the alliance rung */
    milestones *ms;
} direct_rec;

static int direct_sample(void *ctx, int year, const model *m)
{
    direct_rec *r = ctx;
    if (year < r->first_year || (size_t)(year - r->first_year) >= r->nyears)
        return 0;
    size_t y = (size_t)(year - r->first_year);
    for (size_t d = 0; d < r->nd; d++) {
        if (!model_dyad_active(m, d))
            continue;
        r->x[y * r->nd + d] = model_dyad_x(m, d);
        r->on[y * r->nd + d] = 1;
        r->ally[y * r->nd + d] = model_dyad_rung(m, d) == model_alliance_rung(m);
    }
    return 0;
}

static void direct_change(void *ctx, double time, size_t dyad, int rung, unsigned c)
{
    direct_rec *r = ctx;
    milestones_change(r->ms, time, dyad, rung, c);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Median of n sorted keys in 0.01-year units, as a year. */
static double key_median(int64_t *k, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(k, n, sizeof *k, cmp_i64);
    return (double)(k[(n - 1) / 2] + k[n / 2]) / 200.0;
}

static double cell_number(const tsv_table *t, size_t row, const char *col)
{
    long c = tsv_column(t, col);
    assert_true(c >= 0);
    double v;
    assert_int_equal(tsv_parse_double(tsv_cell(t, row, (size_t)c), &v), 0);
    return v;
}

static void assert_same_double(double got, double want, const char *what, size_t row)
{
    if (!(got == want || (isnan(got) && isnan(want)))) {
        print_error("%s of row %zu: %.17g, expected %.17g\n", what, row, got, want);
        fail();
    }
}

static void test_statistics_match_a_direct_computation(void **state)
{
    fixture *fx = *state;
    enum { N = 333 };
    char *dir = testutil_path(fx->dir, "b");
    const char *a[] = {"batch", SMALL, "-n", "333", "-j", "2", "-o", dir, "-q", NULL};
    run_ok(a);

    model_spec spec;
    model_spec_init(&spec);
    char *resolved = NULL;
    scenario_diags diags = {NULL, 0};
    assert_int_equal(scenario_load(SMALL, NULL, &spec, &resolved, &diags), SCENARIO_OK);
    scenario_diags_clear(&diags);
    model *m = model_alloc(&spec);
    assert_non_null(m);
    direct_rec rec;
    rec.nd = model_ndyads(m);
    rec.first_year = (int)floor(spec.start);
    rec.nyears = (size_t)(floor(spec.horizon) - rec.first_year + 1);
    size_t ncells = rec.nd * rec.nyears;
    rec.ms = milestones_alloc(&spec);
    rec.x = malloc(ncells * sizeof *rec.x);
    rec.on = malloc(ncells);
    rec.ally = malloc(ncells);
    double *xs = malloc((size_t)N * ncells * sizeof *xs);
    unsigned char *on = calloc((size_t)N * ncells, 1), *ally = calloc((size_t)N * ncells, 1);
    double *alliance = malloc(N * sizeof *alliance), *onset = malloc(N * sizeof *onset);
    int *reversal = malloc(N * sizeof *reversal);
    double *params = malloc(N * spec.nparams * sizeof *params);
    double *sim = malloc((size_t)N * spec.ntargets * sizeof *sim), *errs = malloc((size_t)N * spec.ntargets * sizeof *errs);
    assert_non_null(rec.ms);
    assert_true(rec.x && rec.on && rec.ally && xs && on && ally && alliance && onset && reversal && params && sim && errs);
    model_observer obs = {&rec, NULL, direct_sample, direct_change};
    for (size_t r = 0; r < N; r++) {
        uint64_t seed = batch_rep_seed(spec.seed, r);
        memset(rec.on, 0, ncells);
        milestones_reset(rec.ms);
        model_outcome out;
        assert_int_equal(model_run(m, seed, NULL, &obs, &out), MODEL_OK);
        milestones_finish(rec.ms, spec.horizon);
        model_draw_params(m, seed, params + r * spec.nparams);
        memcpy(xs + r * ncells, rec.x, ncells * sizeof *xs);
        memcpy(on + r * ncells, rec.on, ncells);
        memcpy(ally + r * ncells, rec.ally, ncells);
        alliance[r] = out.alliance_year;
        onset[r] = out.reversal_onset;
        reversal[r] = out.reversal;
        for (size_t i = 0; i < spec.ntargets; i++) {
            sim[r * spec.ntargets + i] = milestones_sim_year(rec.ms, i);
            errs[r * spec.ntargets + i] = milestones_error(rec.ms, i);
        }
    }

    /* summary.tsv: one row per (year, dyad) sampled with both actors, with
     * the statistics of exactly those replications. */
    char err[512];
    char *p = testutil_path(dir, "summary.tsv");
    tsv_table *t = tsv_read(p, err, sizeof err);
    assert_non_null(t);
    double w = 0.0;
    assert_int_equal(tsv_parse_double(tsv_prov(t, "quantile_bin_width"), &w), 0);
    size_t row = 0, cells_seen = 0;
    double *v = malloc(N * sizeof *v);
    assert_non_null(v);
    for (size_t y = 0; y < rec.nyears; y++) {
        for (size_t d = 0; d < rec.nd; d++) {
            size_t c = y * rec.nd + d, n = 0, k = 0;
            double sum = 0.0;
            for (size_t r = 0; r < N; r++)
                if (on[r * ncells + c]) {
                    v[n++] = xs[r * ncells + c];
                    sum += xs[r * ncells + c];
                    k += ally[r * ncells + c];
                }
            if (n == 0)
                continue;
            cells_seen++;
            assert_true(row < tsv_rows(t));
            int a_, b_;
            model_dyad_actors(m, d, &a_, &b_);
            char name[80], year[16];
            model_spec_dyad_name(&spec, a_, b_, name, sizeof name);
            snprintf(year, sizeof year, "%d", rec.first_year + (int)y);
            assert_string_equal(tsv_cell(t, row, 0), year);
            assert_string_equal(tsv_cell(t, row, 1), name);
            double mean = sum / (double)n, ss = 0.0;
            for (size_t i = 0; i < n; i++)
                ss += (v[i] - mean) * (v[i] - mean);
            double sd = sqrt(ss / (double)(n - 1));
            /* Values are stored to 2^-32; the mean is within that. */
            assert_close(cell_number(t, row, "mean"), mean, 1e-9);
            assert_close(cell_number(t, row, "sd"), sd, 1e-7);
            double half = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sd / sqrt((double)n);
            assert_close(cell_number(t, row, "ci_lo"), mean - half, 1e-7);
            assert_close(cell_number(t, row, "ci_hi"), mean + half, 1e-7);
            assert_same_double(cell_number(t, row, "p_alliance"), (double)k / (double)n, "p_alliance", row);
            /* Histogram quantiles lie in the bin of the ceil(p n)-th value. */
            qsort(v, n, sizeof *v, cmp_double);
            const double ps[] = {0.05, 0.5, 0.95};
            const char *qn[] = {"q05", "q50", "q95"};
            for (int q = 0; q < 3; q++) {
                size_t idx = (size_t)ceil(ps[q] * (double)n);
                if (idx < 1)
                    idx = 1;
                double got = cell_number(t, row, qn[q]), want = v[idx - 1];
                if (!(fabs(got - want) <= w + 1e-9)) {
                    print_error("%s of %s %s: %.17g, the %zu-th of %zu values is %.17g (bin width %g)\n", qn[q],
                                year, name, got, idx, n, want, w);
                    fail();
                }
            }
            row++;
        }
    }
    assert_int_equal(row, tsv_rows(t));
    assert_true(cells_seen > rec.nyears); /* more than one dyad, c's dyads from mid-way */
    tsv_free(t);
    free(p);

    /* replications.tsv: outcomes and drawn parameters of each replication. */
    p = testutil_path(dir, "replications.tsv");
    t = tsv_read(p, err, sizeof err);
    assert_non_null(t);
    assert_int_equal(tsv_rows(t), N);
    for (size_t r = 0; r < N; r++) {
        assert_same_double(cell_number(t, r, "alliance_year"), alliance[r], "alliance_year", r);
        assert_same_double(cell_number(t, r, "reversal_onset"), onset[r], "reversal_onset", r);
        assert_same_double(cell_number(t, r, "reversal"), reversal[r], "reversal", r);
        for (size_t c = 5; c < tsv_cols(t); c++) {
            long pi = model_spec_find_param(&spec, tsv_colname(t, c));
            assert_true(pi >= 0);
            double got;
            assert_int_equal(tsv_parse_double(tsv_cell(t, r, c), &got), 0);
            assert_same_double(got, params[r * spec.nparams + (size_t)pi], tsv_colname(t, c), r);
        }
    }
    tsv_free(t);
    free(p);

    /* milestones.tsv: shares and medians (on the 0.01-year grid). */
    p = testutil_path(dir, "milestones.tsv");
    t = tsv_read(p, err, sizeof err);
    assert_non_null(t);
    assert_int_equal(tsv_rows(t), spec.ntargets);
    int64_t *keys = malloc(N * sizeof *keys), *ekeys = malloc(N * sizeof *ekeys);
    assert_true(keys && ekeys);
    for (size_t i = 0; i < spec.ntargets; i++) {
        size_t nk = 0, ne = 0, met = 0, w1 = 0, w2 = 0;
        int64_t yk = llround(spec.targets[i].year * 100.0);
        for (size_t r = 0; r < N; r++) {
            double sy = sim[r * spec.ntargets + i], e = errs[r * spec.ntargets + i];
            if (!isnan(sy))
                keys[nk++] = llround(sy * 100.0);
            if (isnan(e))
                continue;
            met++;
            w1 += fabs(e) <= 1.0;
            w2 += fabs(e) <= 2.0;
            ekeys[ne++] = !isnan(sy) ? llround(sy * 100.0) - yk : llround(e * 100.0);
        }
        assert_same_double(cell_number(t, i, "reached"), (double)met / N, "reached", i);
        assert_same_double(cell_number(t, i, "within1"), (double)w1 / N, "within1", i);
        assert_same_double(cell_number(t, i, "within2"), (double)w2 / N, "within2", i);
        assert_same_double(cell_number(t, i, "sim_year"), key_median(keys, nk), "sim_year", i);
        assert_same_double(cell_number(t, i, "error_years"), key_median(ekeys, ne), "error_years", i);
    }
    tsv_free(t);
    free(p);

    free(keys);
    free(ekeys);
    free(v);
    free(xs);
    free(on);
    free(ally);
    free(alliance);
    free(onset);
    free(reversal);
    free(params);
    free(sim);
    free(errs);
    free(rec.x);
    free(rec.on);
    free(rec.ally);
    milestones_free(rec.ms);
    model_free(m);
    model_spec_clear(&spec);
    free(resolved);
    free(dir);
}

/* ------------------------------------------------------------------ */
/* The parts                                                          */
/* ------------------------------------------------------------------ */

/* A spec with the time span and targets msacc needs, nothing else. */
static void tiny_spec(model_spec *s)
{
    model_spec_init(s);
    s->start = 1950.0;
    s->horizon = 1960.0;
    spec_target t;
    memset(&t, 0, sizeof t);
    t.a = 0;
    t.b = 1;
    t.kind = TARGET_UP;
    t.year = 1955.25;
    assert_int_equal(model_spec_add_target(s, &t), 0);
}

static void test_msacc_medians_are_exact_and_merge_in_any_order(void **state)
{
    (void)state;
    model_spec s;
    tiny_spec(&s);
    msacc *a = msacc_alloc(&s), *b = msacc_alloc(&s), *all = msacc_alloc(&s), *back = msacc_alloc(&s);
    assert_true(a && b && all && back);
    /* Feed replications through a milestones tracker driven by hand: the
     * dyad reaches rung 1 (the target label below is 1) at these dates. */
    s.nactors = 2;
    spec_rung rung;
    memset(&rung, 0, sizeof rung);
    for (int label = 0; label < 2; label++) {
        rung.label = label;
        assert_int_equal(model_spec_add_rung(&s, &rung), 0);
    }
    s.targets[0].label = 1;
    const double dates[] = {1956.37, 1953.5, 1957.125, 1955.0, NAN, 1958.9};
    milestones *ms = milestones_alloc(&s);
    assert_non_null(ms);
    for (size_t i = 0; i < 6; i++) {
        milestones_reset(ms);
        milestones_change(ms, 1950.0, 0, 0, 0);
        if (!isnan(dates[i]))
            milestones_change(ms, dates[i], 0, 1, 0);
        milestones_finish(ms, 1960.0);
        msacc_add(i % 2 ? a : b, ms);
        msacc_add(all, ms);
    }
    assert_int_equal(msacc_merge(a, b), 0);
    size_t len = msacc_packed_size(all);
    unsigned char *ia = malloc(len), *ib = malloc(len);
    assert_true(ia && ib);
    assert_int_equal(msacc_pack(a, ia, len), 0);
    assert_int_equal(msacc_pack(all, ib, len), 0);
    assert_memory_equal(ia, ib, len);
    msacc_result r = msacc_get(all, 0);
    assert_int_equal(r.n, 6);
    assert_same_double(r.reached, 5.0 / 6.0, "reached", 0);
    /* Errors: 1.12, -1.75, 1.875, -0.25, 3.65: within 1 year one, 2 four. */
    assert_same_double(r.within1, 1.0 / 6.0, "within1", 0);
    assert_same_double(r.within2, 4.0 / 6.0, "within2", 0);
    /* Dates on the 0.01 grid: 1953.50 1955.00 1956.37 1957.13 1958.90. */
    assert_same_double(r.sim_year, 1956.37, "sim_year", 0);
    assert_same_double(r.error_years, (195637 - 195525) / 100.0, "error_years", 0);
    /* Round trip, and a damaged image is refused without touching back. */
    assert_int_equal(msacc_unpack(back, ib, len), 0);
    assert_int_equal(msacc_pack(back, ia, len), 0);
    assert_memory_equal(ia, ib, len);
    ib[40] ^= 1;
    assert_int_equal(msacc_unpack(back, ib, len), AS_ERUNTIME);
    assert_int_equal(msacc_unpack(back, ib, len - 8), AS_ERUNTIME);
    assert_same_double(msacc_get(back, 0).sim_year, 1956.37, "sim_year", 0);
    /* An even count takes the mean of the two middle dates. */
    milestones_reset(ms);
    milestones_change(ms, 1950.0, 0, 0, 0);
    milestones_change(ms, 1959.0, 0, 1, 0);
    milestones_finish(ms, 1960.0);
    msacc_add(all, ms);
    assert_same_double(msacc_get(all, 0).sim_year, (195637 + 195713) / 200.0, "sim_year", 0);
    free(ia);
    free(ib);
    milestones_free(ms);
    msacc_free(a);
    msacc_free(b);
    msacc_free(all);
    msacc_free(back);
    model_spec_clear(&s);
}

static void test_checkpoint_round_trips_and_detects_damage(void **state)
{
    fixture *fx = *state;
    char *path = testutil_path(fx->dir, BATCH_CKPT_FILE);
    unsigned char acc[137];
    for (size_t i = 0; i < sizeof acc; i++)
        acc[i] = (unsigned char)(i * 7 + 3);
    const char *rows = "70\t1\tNA\t0\tNA\n71\t2\t1957.2\t1\t1960.5\n";
    ckpt_pending pend[2] = {{5, 2, (const unsigned char *)rows, strlen(rows)}, {7, 1, NULL, 0}};
    ckpt_state st = {{{11, 22}, 2385, 1000, 64}, 4, 12345, 0x0123456789abcdefULL, 263, pend, 2, acc, sizeof acc,
                     NULL, NULL};
    char err[512];
    assert_int_equal(ckpt_write(path, &st, err, sizeof err), AS_OK);
    ckpt_state in;
    assert_int_equal(ckpt_read(path, &in, err, sizeof err), AS_OK);
    assert_int_equal(in.id.identity[0], 11);
    assert_int_equal(in.id.identity[1], 22);
    assert_int_equal(in.id.master, 2385);
    assert_int_equal(in.id.ntasks, 1000);
    assert_int_equal(in.id.block_tasks, 64);
    assert_int_equal(in.prefix_blocks, 4);
    assert_int_equal(in.records_pos, 12345);
    assert_true(in.records_digest == 0x0123456789abcdefULL);
    assert_int_equal(in.tasks_done, 263);
    assert_int_equal(in.npending, 2);
    assert_int_equal(in.pending[0].block, 5);
    assert_int_equal(in.pending[0].done, 2);
    assert_int_equal(in.pending[0].records_len, strlen(rows));
    assert_memory_equal(in.pending[0].records, rows, strlen(rows));
    assert_int_equal(in.pending[1].block, 7);
    assert_int_equal(in.pending[1].records_len, 0);
    assert_int_equal(in.acc_len, sizeof acc);
    assert_memory_equal(in.acc, acc, sizeof acc);
    ckpt_state_clear(&in);

    /* Any flipped byte, or a cut, is caught. */
    size_t len = 0;
    char *img = testutil_slurp(path, &len);
    assert_non_null(img);
    for (size_t off = 0; off < len; off += 13) {
        img[off] ^= 0x10;
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(img, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(ckpt_read(path, &in, err, sizeof err), AS_ERUNTIME);
        img[off] ^= 0x10;
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(img, 1, len - 9, f), len - 9);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(ckpt_read(path, &in, err, sizeof err), AS_ERUNTIME);
    assert_non_null(strstr(err, "damaged"));
    free(img);
    unlink(path);
    assert_int_equal(ckpt_read(path, &in, err, sizeof err), AS_EIO);
    assert_non_null(strstr(err, "No such file"));
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_rep_seeds_distinct_across_10000),
        T(test_same_rep_same_seed_under_two_scenarios),
        T(test_threads_1_2_4_give_identical_folders),
        T(test_resume_after_test_hook_equals_uninterrupted),
        T(test_many_interruptions_with_any_threads_equal_uninterrupted),
        T(test_resume_cuts_rows_written_after_the_checkpoint),
        T(test_resume_after_a_crash_while_finishing),
        T(test_resume_after_kill_9_equals_uninterrupted),
        T(test_sigint_exits_130_without_half_written_files),
        T(test_sigterm_exits_143_without_half_written_files),
        T(test_stop_is_noticed_inside_a_long_replication),
        T(test_resume_mismatch_exits_2_and_keeps_the_checkpoint),
        T(test_resume_without_checkpoint_exits_2),
        T(test_damaged_checkpoint_is_refused),
        T(test_edited_partial_rows_are_refused_on_resume),
        T(test_only_3_equals_run_with_the_seed_of_rep_3),
        T(test_bad_usage_exits_2_with_a_message),
        T(test_stdout_has_only_results_and_q_silences_progress),
        T(test_statistics_match_a_direct_computation),
        T(test_msacc_medians_are_exact_and_merge_in_any_order),
        T(test_checkpoint_round_trips_and_detects_damage),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
