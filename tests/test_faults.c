/*
 * test_faults - the program when its result folder cannot be written: a
 * folder without write permission and a full disk (a file-size limit,
 * RLIMIT_FSIZE, with SIGXFSZ ignored so that write() fails with EFBIG as
 * on a full file system) give exit status 1, a message naming the file or
 * folder and the system's reason, nothing on stdout, and no partial file:
 * every file left in the folder is byte for byte the file a run without the
 * fault writes, and no temporary file remains.  Checked for `run` and
 * `batch`; a full standard output for `check`.
 *
 * The faulty runs happen in a forked child that sets the limit or drops
 * root privileges (root ignores permissions: tests run as root in CI, and
 * the child becomes nobody, 65534) and then executes the program.  So that
 * nobody can execute and read them, the program and a self-contained
 * scenario (the resolved text of tests/data/run/small.cfg) are copied into
 * the test's temporary folder.  Interrupted batches are tests/test_batch.c's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/status.h"
#include "model/model.h"
#include "run/rep.h"
#include "scenario/scenario.h"

/* Exit status of the child when it cannot drop root privileges. */
#define NO_DROP 125

typedef struct {
    char *dir;      /* temporary folder, readable by everyone */
    char *bin;      /* copy of the program in dir */
    char *scenario; /* self-contained scenario in dir */
} fixture;

/* Copies file from to to with the given mode. */
static void copy_file(const char *from, const char *to, mode_t mode)
{
    size_t n;
    char *data = testutil_slurp(from, &n);
    if (!data)
        fail_msg("cannot read %s", from);
    int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    assert_int_equal(close(fd), 0);
    assert_int_equal(chmod(to, mode), 0);
    free(data);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    fx->dir = testutil_mkdtemp();
    if (chmod(fx->dir, 0755) != 0)
        return -1;
    const char *bin = getenv("ALIGNSIM_BIN");
    fx->bin = testutil_path(fx->dir, "alignsim");
    copy_file(bin && *bin ? bin : "build/alignsim", fx->bin, 0755);

    /* A 40-year horizon makes trajectory.tsv larger than scenario.cfg, so
     * that a size limit can fall between the two. */
    const char *args[] = {"check", "tests/data/run/small.cfg", "--set", "horizon=2030.0", NULL};
    testutil_result r = testutil_run(args);
    assert_int_equal(r.status, 0);
    fx->scenario = testutil_path(fx->dir, "small.cfg");
    FILE *f = fopen(fx->scenario, "w");
    assert_non_null(f);
    fputs(r.out, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(fx->scenario, 0644), 0);
    testutil_result_clear(&r);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    testutil_rmtree(fx->dir);
    free(fx->dir);
    free(fx->bin);
    free(fx->scenario);
    free(fx);
    return 0;
}

/* A fault the child sets before it executes the program. */
typedef struct {
    int as_nobody;          /* drop root privileges (when root) */
    long fsize_limit;       /* RLIMIT_FSIZE in bytes; 0: none */
    const char *stdout_to;  /* file for stdout; NULL: captured */
    long as_limit;          /* RLIMIT_AS in bytes; 0: none */
} fault;

/*
 * Runs fx's program with args (NULL-terminated, without argv[0]) under the
 * fault and returns its status and output, as testutil_run() does; status
 * NO_DROP when root privileges could not be dropped.
 */
static testutil_result run_faulty(const fixture *fx, const fault *ft, const char *const *args)
{
    testutil_result r = {0, NULL, NULL};
    char *outp = testutil_path(fx->dir, "run.stdout");
    char *errp = testutil_path(fx->dir, "run.stderr");
    const char *argv[16];
    size_t n = 0;
    argv[n++] = fx->bin;
    for (size_t i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;

    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        int o = open(ft->stdout_to ? ft->stdout_to : outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || o < 0 || e < 0)
            _exit(126);
        dup2(in, 0);
        dup2(o, 1);
        dup2(e, 2);
        if (ft->as_nobody && geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(NO_DROP);
        if (ft->fsize_limit > 0) {
            /* An ignored signal stays ignored across exec. */
            signal(SIGXFSZ, SIG_IGN);
            struct rlimit lim = {(rlim_t)ft->fsize_limit, (rlim_t)ft->fsize_limit};
            if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
                _exit(126);
        }
        if (ft->as_limit > 0) {
            struct rlimit lim = {(rlim_t)ft->as_limit, (rlim_t)ft->as_limit};
            if (setrlimit(RLIMIT_AS, &lim) != 0)
                _exit(126);
        }
        execv(fx->bin, (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.out = ft->stdout_to ? NULL : testutil_slurp(outp, NULL);
    r.err = testutil_slurp(errp, NULL);
    if (!r.out)
        r.out = calloc(1, 1);
    if (!r.err)
        r.err = calloc(1, 1);
    unlink(outp);
    unlink(errp);
    free(outp);
    free(errp);
    return r;
}

/*
 * Checks that every file in dir is complete: named as a result file (no
 * temporary ".NAME.tmp.PID"), and byte for byte the file of the same name
 * in ref, the folder of a run without fault.  Returns the number of files.
 */
static size_t assert_only_complete_files(const char *dir, const char *ref)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0; /* no folder: nothing partial */
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (strstr(e->d_name, ".tmp"))
            fail_msg("temporary file %s/%s was left behind", dir, e->d_name);
        char *p = testutil_path(dir, e->d_name), *q = testutil_path(ref, e->d_name);
        if (!testutil_exists(q))
            fail_msg("%s was left behind: a run without fault leaves no such file (a batch that "
                     "failed must leave its state resumable, with a checkpoint, or nothing)",
                     p);
        size_t lp, lq;
        char *a = testutil_slurp(p, &lp), *b = testutil_slurp(q, &lq);
        if (!a || !b || lp != lq || memcmp(a, b, lp) != 0)
            fail_msg("%s is not the complete file (%zu bytes, %zu in a run without fault)", p, a ? lp : 0,
                     b ? lq : 0);
        free(a);
        free(b);
        free(p);
        free(q);
        n++;
    }
    closedir(d);
    return n;
}

/* The size of file name in dir. */
static long file_size(const char *dir, const char *name)
{
    char *p = testutil_path(dir, name);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    free(p);
    return (long)st.st_size;
}

/* ------------------------------------------------------------------ */
/* No write permission                                                */
/* ------------------------------------------------------------------ */

/*
 * Runs args (with -o DIR appended) as nobody, where DIR is either a new
 * folder inside a read-only one, or the read-only folder itself.
 */
static void expect_permission_failure(const fixture *fx, const char *const *args, int inside)
{
    char *ro = testutil_path(fx->dir, "readonly");
    assert_int_equal(mkdir(ro, 0755), 0);
    assert_int_equal(chmod(ro, 0555), 0);
    char *out = inside ? testutil_path(ro, "results") : strdup(ro);

    const char *argv[16];
    size_t n = 0;
    for (; args[n]; n++)
        argv[n] = args[n];
    argv[n++] = "-o";
    argv[n++] = out;
    argv[n] = NULL;
    fault ft = {1, 0, NULL, 0};
    testutil_result r = run_faulty(fx, &ft, argv);
    chmod(ro, 0755);
    if (r.status == NO_DROP) {
        testutil_result_clear(&r);
        free(out);
        free(ro);
        skip();
    }
    print_message("%s: %s", args[0], r.err);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    /* The folder that could not be made, or the file that could not be
     * created in it, with the reason. */
    assert_non_null(strstr(r.err, inside ? out : ro));
    assert_non_null(strstr(r.err, "Permission denied"));
    DIR *d = opendir(ro);
    assert_non_null(d);
    size_t entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    assert_int_equal(entries, 0);
    testutil_result_clear(&r);
    testutil_rmtree(ro);
    free(out);
    free(ro);
}

static void test_run_into_unwritable_folder_exits_1_with_path(void **state)
{
    fixture *fx = *state;
    const char *args[] = {"run", fx->scenario, NULL};
    expect_permission_failure(fx, args, 1);
}

static void test_run_into_existing_readonly_folder_exits_1_with_path(void **state)
{
    fixture *fx = *state;
    const char *args[] = {"run", fx->scenario, NULL};
    expect_permission_failure(fx, args, 0);
}

static void test_batch_into_unwritable_folder_exits_1_with_path(void **state)
{
    fixture *fx = *state;
    const char *args[] = {"batch", fx->scenario, "-n", "4", "-j", "1", "-q", NULL};
    expect_permission_failure(fx, args, 1);
}

static void test_batch_into_existing_readonly_folder_exits_1_with_path(void **state)
{
    fixture *fx = *state;
    const char *args[] = {"batch", fx->scenario, "-n", "4", "-j", "1", "-q", NULL};
    expect_permission_failure(fx, args, 0);
}

/* ------------------------------------------------------------------ */
/* A full disk                                                        */
/* ------------------------------------------------------------------ */

/*
 * Runs args (with -o appended) once without fault into ref, then under a
 * file-size limit of `limit` bytes into out: exit 1, "PATH: File too large"
 * for big_file (the first file bigger than the limit), nothing on stdout,
 * big_file absent and only complete files left.  Returns how many complete
 * files were left.
 */
static size_t expect_full_disk_failure(const fixture *fx, const char *const *args, const char *ref,
                                       long limit, const char *big_file)
{
    char *out = testutil_path(fx->dir, "full");
    testutil_rmtree(out);
    const char *argv[16];
    size_t n = 0;
    for (; args[n]; n++)
        argv[n] = args[n];
    argv[n++] = "-o";
    argv[n++] = out;
    argv[n] = NULL;
    fault ft = {0, limit, NULL, 0};
    testutil_result r = run_faulty(fx, &ft, argv);
    print_message("%s, limit %ld bytes: %s", args[0], limit, r.err);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    char want[4300];
    snprintf(want, sizeof want, "%s/%s: File too large", out, big_file);
    if (!strstr(r.err, want))
        fail_msg("stderr '%s' does not say '%s'", r.err, want);
    char *failed = testutil_path(out, big_file);
    assert_false(testutil_exists(failed));
    size_t left = assert_only_complete_files(out, ref);
    testutil_result_clear(&r);
    free(failed);
    free(out);
    return left;
}

static void test_run_on_a_full_disk_exits_1_and_leaves_no_partial_file(void **state)
{
    fixture *fx = *state;
    char *ref = testutil_path(fx->dir, "ref");
    const char *ok[] = {"run", fx->scenario, "-o", ref, NULL};
    fault none = {0, 0, NULL, 0};
    testutil_result r = run_faulty(fx, &none, ok);
    assert_int_equal(r.status, 0);
    testutil_result_clear(&r);
    long cfg = file_size(ref, "scenario.cfg"), traj = file_size(ref, "trajectory.tsv");
    assert_true(traj > cfg + 512);

    const char *args[] = {"run", fx->scenario, NULL};
    /* The first file written, scenario.cfg, does not fit. */
    assert_int_equal(expect_full_disk_failure(fx, args, ref, 1024, "scenario.cfg"), 0);
    /* scenario.cfg fits, trajectory.tsv does not: a run is all its files or
     * none, so scenario.cfg is taken back too (issue 14). */
    assert_int_equal(expect_full_disk_failure(fx, args, ref, cfg + 256, "trajectory.tsv"), 0);
    free(ref);
}

static void test_batch_on_a_full_disk_exits_1_and_leaves_no_partial_file(void **state)
{
    fixture *fx = *state;
    char *ref = testutil_path(fx->dir, "ref");
    const char *ok[] = {"batch", fx->scenario, "-n", "8", "-j", "1", "-q", "-o", ref, NULL};
    fault none = {0, 0, NULL, 0};
    testutil_result r = run_faulty(fx, &none, ok);
    assert_int_equal(r.status, 0);
    testutil_result_clear(&r);
    long cfg = file_size(ref, "scenario.cfg"), summary = file_size(ref, "summary.tsv");
    assert_true(summary > cfg + 512);

    const char *args[] = {"batch", fx->scenario, "-n", "8", "-j", "1", "-q", NULL};
    assert_int_equal(expect_full_disk_failure(fx, args, ref, 1024, "scenario.cfg"), 0);
    /* Issue 14: no result file is left (the folder that the failed batch
     * created is gone too). */
    assert_int_equal(expect_full_disk_failure(fx, args, ref, cfg + 256, "summary.tsv"), 0);
    free(ref);
}

/* `check` prints the resolved scenario: a full standard output is a
 * runtime failure too (/dev/full fails every write with ENOSPC). */
static void test_check_to_a_full_stdout_exits_1(void **state)
{
    fixture *fx = *state;
    if (!testutil_exists("/dev/full"))
        skip();
    const char *args[] = {"check", fx->scenario, NULL};
    fault ft = {0, 0, "/dev/full", 0};
    testutil_result r = run_faulty(fx, &ft, args);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "alignsim check: error: cannot write to standard output"));
    testutil_result_clear(&r);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ------------------------------------------------------------------ */
/* One writer per folder, one kind of result per folder (issue 14)    */
/* ------------------------------------------------------------------ */

#define BATCH_A "tests/data/batch/small.cfg" /* name "batch-small" */
#define BATCH_B "tests/data/run/small.cfg"   /* name "small" */

/* Lists the names in dir, sorted, one per line, into a heap string. */
static char *listing(const char *dir)
{
    char *names[64];
    size_t n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return strdup("");
    for (struct dirent *e; (e = readdir(d)) != NULL && n < 64;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            names[n++] = strdup(e->d_name);
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(names[i]) + 1;
    char *out = calloc(len, 1);
    for (size_t i = 0; i < n; i++) {
        strcat(out, names[i]);
        strcat(out, "\n");
        free(names[i]);
    }
    return out;
}

/* Fails unless folders a and b hold the same names and the same bytes. */
static void assert_same_folder(const char *a, const char *b)
{
    char *la = listing(a), *lb = listing(b);
    if (strcmp(la, lb) != 0)
        fail_msg("%s holds\n%sbut %s holds\n%s", a, la, b, lb);
    for (char *p = la, *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
        *nl = '\0';
        testutil_assert_same_file(a, b, p);
    }
    free(la);
    free(lb);
}

static int wait_status(pid_t pid)
{
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * Two writers started together into one folder, many times: a batch of one
 * scenario against a batch of another, and against a run of the same
 * scenario.  Exactly one succeeds; the other is refused, at once as the
 * folder is busy (exit 1, the holder named) or, if it came second, as the
 * folder holds other results (exit 2); and the folder is byte for byte the
 * winner's folder of a run alone: never mixed, never a stale checkpoint.
 */
static void test_two_writers_never_mix_their_files(void **state)
{
    fixture *fx = *state;
    char *ref_a = testutil_path(fx->dir, "ref_a"), *ref_b = testutil_path(fx->dir, "ref_b"),
         *ref_r = testutil_path(fx->dir, "ref_r");
    const char *ra[] = {"batch", BATCH_A, "-n", "300", "-j", "1", "-q", "-o", ref_a, NULL};
    const char *rb[] = {"batch", BATCH_B, "-n", "300", "-j", "1", "-q", "-o", ref_b, NULL};
    const char *rr[] = {"run", BATCH_A, "-q", "-o", ref_r, NULL};
    assert_int_equal(testutil_run_ok(ra), 0);
    assert_int_equal(testutil_run_ok(rb), 0);
    assert_int_equal(testutil_run_ok(rr), 0);
    size_t busy = 0, other = 0;
    for (int trial = 0; trial < 24; trial++) {
        char name[32];
        snprintf(name, sizeof name, "shared%d", trial);
        char *dir = testutil_path(fx->dir, name);
        char *o1 = testutil_path(fx->dir, "w1.out"), *e1 = testutil_path(fx->dir, "w1.err");
        char *o2 = testutil_path(fx->dir, "w2.out"), *e2 = testutil_path(fx->dir, "w2.err");
        const char *a[] = {"batch", BATCH_A, "-n", "300", "-j", "1", "-q", "-o", dir, NULL};
        const char *b[] = {"batch", BATCH_B, "-n", "300", "-j", "1", "-q", "-o", dir, NULL};
        const char *r[] = {"run", BATCH_A, "-q", "-o", dir, NULL};
        const char *const *second = trial % 2 ? r : b;
        const char *second_ref = trial % 2 ? ref_r : ref_b;
        /* Alternate who starts first. */
        pid_t p1 = testutil_spawn(trial % 4 < 2 ? a : second, o1, e1);
        pid_t p2 = testutil_spawn(trial % 4 < 2 ? second : a, o2, e2);
        int s1 = wait_status(p1), s2 = wait_status(p2);
        int sa = trial % 4 < 2 ? s1 : s2, sb = trial % 4 < 2 ? s2 : s1;
        char *ea = testutil_slurp(trial % 4 < 2 ? e1 : e2, NULL), *eb = testutil_slurp(trial % 4 < 2 ? e2 : e1, NULL);
        if (!((sa == 0) ^ (sb == 0)))
            fail_msg("trial %d: exit %d and %d; stderr:\n%s\n%s", trial, sa, sb, ea, eb);
        const char *loser_err = sa == 0 ? eb : ea;
        int loser = sa == 0 ? sb : sa;
        if (loser == 1) {
            testutil_assert_contains(loser_err, "is being written by", __FILE__, __LINE__);
            busy++;
        } else {
            assert_int_equal(loser, 2);
            testutil_assert_contains(loser_err, "holds", __FILE__, __LINE__);
            testutil_assert_contains(loser_err, "--force", __FILE__, __LINE__);
            other++;
        }
        assert_same_folder(sa == 0 ? ref_a : second_ref, dir);
        free(ea);
        free(eb);
        free(o1);
        free(e1);
        free(o2);
        free(e2);
        free(dir);
    }
    print_message("24 trials: %zu refused as busy, %zu as holding other results\n", busy, other);
    free(ref_a);
    free(ref_b);
    free(ref_r);
}

/* A writer refuses a folder of another kind or another scenario (exit 2,
 * nothing touched); --force clears the old results first. */
static void test_a_folder_of_other_results_is_refused_unless_force(void **state)
{
    fixture *fx = *state;
    char *ref = testutil_path(fx->dir, "ref"), *dir = testutil_path(fx->dir, "mixed");
    const char *batch_ref[] = {"batch", BATCH_A, "-n", "50", "-q", "-o", ref, NULL};
    assert_int_equal(testutil_run_ok(batch_ref), 0);
    const char *run[] = {"run", BATCH_A, "-q", "-o", dir, NULL};
    assert_int_equal(testutil_run_ok(run), 0);
    char *before = listing(dir);

    const char *batch[] = {"batch", BATCH_A, "-n", "50", "-q", "-o", dir, NULL};
    testutil_result r = testutil_run(batch);
    assert_int_equal(r.status, 2);
    testutil_assert_contains(r.err, "holds the results of `alignsim run` (", __FILE__, __LINE__);
    testutil_assert_contains(r.err, "add --force to remove them first", __FILE__, __LINE__);
    testutil_result_clear(&r);
    char *after = listing(dir);
    assert_string_equal(before, after);
    free(after);

    const char *other[] = {"run", BATCH_B, "-q", "-o", dir, NULL};
    r = testutil_run(other);
    assert_int_equal(r.status, 2);
    testutil_assert_contains(r.err, "holds results of the scenario 'batch-small', not 'small'", __FILE__,
                             __LINE__);
    testutil_result_clear(&r);
    /* The same scenario and kind again is fine. */
    assert_int_equal(testutil_run_ok(run), 0);

    const char *forced[] = {"batch", BATCH_A, "-n", "50", "-q", "--force", "-o", dir, NULL};
    assert_int_equal(testutil_run_ok(forced), 0);
    assert_same_folder(ref, dir);
    /* --force and --resume exclude each other. */
    const char *both[] = {"batch", BATCH_A, "-n", "50", "--force", "--resume", "-o", dir, NULL};
    r = testutil_run(both);
    assert_int_equal(r.status, 2);
    testutil_assert_contains(r.err, "--force and --resume exclude each other", __FILE__, __LINE__);
    testutil_result_clear(&r);
    free(before);
    free(ref);
    free(dir);
}

/* A refused or failed command leaves no folder it created behind. */
static void test_a_refused_command_leaves_no_empty_folder(void **state)
{
    fixture *fx = *state;
    char *never = testutil_path(fx->dir, "never"), *deep = testutil_path(never, "x/y");
    const char *resume[] = {"batch", BATCH_A, "-n", "50", "--resume", "-o", deep, NULL};
    testutil_result r = testutil_run(resume);
    assert_int_equal(r.status, 2);
    testutil_assert_contains(r.err, "no interrupted batch", __FILE__, __LINE__);
    testutil_result_clear(&r);
    assert_false(testutil_exists(never));
    const char *claim[] = {"claim", BATCH_A, "-n", "10", "--resume", "-o", deep, NULL};
    r = testutil_run(claim);
    assert_true(r.status != 0);
    testutil_result_clear(&r);
    assert_false(testutil_exists(never));
    free(deep);
    free(never);
}

/* The message of a busy folder names the process that holds it. */
static void test_a_busy_folder_names_its_writer(void **state)
{
    fixture *fx = *state;
    char *dir = testutil_path(fx->dir, "busy"), *lock = testutil_path(dir, ".alignsim.lock");
    char *o = testutil_path(fx->dir, "slow.out"), *e = testutil_path(fx->dir, "slow.err");
    const char *slow[] = {"batch", "tests/data/batch/slow.cfg", "-n", "2", "-j", "1", "-o", dir, NULL};
    pid_t pid = testutil_spawn(slow, o, e);
    for (int i = 0; i < 3000 && !testutil_exists(lock); i++)
        sleep_ms(10);
    sleep_ms(100); /* the holder's record is written just after the lock */
    const char *run[] = {"run", BATCH_A, "-o", dir, NULL};
    testutil_result r = testutil_run(run);
    char want[64];
    snprintf(want, sizeof want, "is being written by process %ld (alignsim batch", (long)pid);
    int st = r.status;
    char *err = strdup(r.err);
    testutil_result_clear(&r);
    /* infer takes the same lock. */
    const char *infer[] = {"infer", "tests/data/study/infer_synth.cfg", "-q", "-o", dir, NULL};
    r = testutil_run(infer);
    int ist = r.status;
    char *ierr = strdup(r.err);
    testutil_result_clear(&r);
    kill(pid, SIGTERM);
    assert_int_equal(wait_status(pid), 143);
    assert_int_equal(st, 1);
    testutil_assert_contains(err, want, __FILE__, __LINE__);
    assert_int_equal(ist, 1);
    testutil_assert_contains(ierr, want, __FILE__, __LINE__);
    free(ierr);
    testutil_assert_contains(err, "tests/data/batch/slow.cfg)", __FILE__, __LINE__);
    /* Released at the end, and the lock file is gone. */
    assert_false(testutil_exists(lock));
    free(err);
    free(o);
    free(e);
    free(lock);
    free(dir);
}

/* Replaces the first occurrence of `from` in file path by `to`. */
static void edit_file(const char *path, const char *from, const char *to)
{
    char *text = testutil_slurp(path, NULL);
    assert_non_null(text);
    char *at = strstr(text, from);
    assert_non_null(at);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fwrite(text, 1, (size_t)(at - text), f);
    fputs(to, f);
    fputs(at + strlen(from), f);
    assert_int_equal(fclose(f), 0);
    free(text);
}

/* compare refuses a folder whose files disagree (a run's beside a batch's,
 * a table of another scenario than scenario.cfg, NA or nan in a mean), and
 * -o naming one of its inputs (issue 14). */
static void test_compare_refuses_mixed_folders_and_its_inputs_as_output(void **state)
{
    fixture *fx = *state;
    char *a = testutil_path(fx->dir, "a"), *b = testutil_path(fx->dir, "b"), *run = testutil_path(fx->dir, "r");
    const char *ba[] = {"batch", BATCH_A, "-n", "40", "-q", "-o", a, NULL};
    const char *bb[] = {"batch", BATCH_A, "-n", "40", "-s", "7", "-q", "-o", b, NULL};
    const char *rr[] = {"run", BATCH_B, "-q", "-o", run, NULL};
    assert_int_equal(testutil_run_ok(ba), 0);
    assert_int_equal(testutil_run_ok(bb), 0);
    assert_int_equal(testutil_run_ok(rr), 0);

    const char *into_a[] = {"compare", a, b, "-o", a, NULL};
    testutil_result r = testutil_run(into_a);
    assert_int_equal(r.status, 2);
    testutil_assert_contains(r.err, "is the folder compared as A", __FILE__, __LINE__);
    testutil_result_clear(&r);
    char *cmp = testutil_path(a, "compare.tsv");
    assert_false(testutil_exists(cmp));
    free(cmp);

    /* A run's trajectory beside the batch's summary. */
    char *traj_from = testutil_path(run, "trajectory.tsv"), *traj_to = testutil_path(b, "trajectory.tsv");
    char *text = testutil_slurp(traj_from, NULL);
    FILE *f = fopen(traj_to, "w");
    fputs(text, f);
    fclose(f);
    free(text);
    char *cmp_out = testutil_path(fx->dir, "cmp");
    const char *ab[] = {"compare", a, b, "-o", cmp_out, NULL};
    r = testutil_run(ab);
    assert_int_equal(r.status, 2);
    testutil_assert_contains(r.err, "a mixed folder: it holds the results of a batch (summary.tsv) and of a run",
                             __FILE__, __LINE__);
    testutil_result_clear(&r);
    unlink(traj_to);

    /* scenario.cfg of another scenario than the tables. */
    char *cfg_b = testutil_path(b, "scenario.cfg");
    edit_file(cfg_b, "name = \"batch-small\"", "name = \"other\"");
    const char *ab2[] = {"compare", a, b, "-o", cmp_out, NULL};
    r = testutil_run(ab2);
    assert_int_equal(r.status, 2);
    testutil_assert_contains(r.err, "summary.tsv is of the scenario 'batch-small' but scenario.cfg of 'other'",
                             __FILE__, __LINE__);
    testutil_result_clear(&r);
    edit_file(cfg_b, "name = \"other\"", "name = \"batch-small\"");

    /* NA and nan in the mean column. */
    static const char *const bad[] = {"NA", "nan"};
    char *sum_b = testutil_path(b, "summary.tsv");
    for (size_t i = 0; i < 2; i++) {
        char *orig = testutil_slurp(sum_b, NULL);
        char *row = strstr(orig, "\n1950\ta-b\t");
        assert_non_null(row);
        char *end = strchr(row + 10, '\t');
        char from[128], to[128];
        snprintf(from, sizeof from, "%.*s", (int)(end - row), row);
        snprintf(to, sizeof to, "\n1950\ta-b\t%s", bad[i]);
        edit_file(sum_b, from, to);
        r = testutil_run(ab2);
        assert_int_equal(r.status, 2);
        testutil_assert_contains(r.err, "summary.tsv:10: error: expected finite numbers in the columns year and mean",
                                 __FILE__, __LINE__);
        testutil_result_clear(&r);
        f = fopen(sum_b, "w");
        fputs(orig, f);
        fclose(f);
        free(orig);
    }
    r = testutil_run(ab2);
    assert_int_equal(r.status, 0);
    testutil_result_clear(&r);
    free(sum_b);
    free(cfg_b);
    free(cmp_out);
    free(traj_from);
    free(traj_to);
    free(a);
    free(b);
    free(run);
}

/* A sweep point with a runaway timing is refused by the scenario's event
 * budget, at the point's --set, exit 2 (the points before it are kept
 * for --resume, as for any sweep that stops). */
static void test_a_runaway_sweep_point_is_refused(void **state)
{
    fixture *fx = *state;
    char *sweep = testutil_path(fx->dir, "runaway.cfg"), *dir = testutil_path(fx->dir, "sw");
    char *cwd = getcwd(NULL, 0);
    FILE *f = fopen(sweep, "w");
    assert_non_null(f);
    fprintf(f,
            "name = \"runaway\";\nscenario = \"%s/tests/data/good/minimal.cfg\";\ndesign = \"grid\";\nreps = 2;\n"
            "parameters = ( { path = \"events.[3].rate\"; values = [0.1, 1e12]; } );\n",
            cwd);
    assert_int_equal(fclose(f), 0);
    const char *a[] = {"sweep", sweep, "-j", "1", "-q", "-o", dir, NULL};
    testutil_result r = testutil_run(a);
    assert_int_equal(r.status, 2);
    testutil_assert_contains(r.err,
                             "--set events.[3].rate: error: expected at most max_events = 1000000 kernel events "
                             "per replication, found about 1.01e+14",
                             __FILE__, __LINE__);
    testutil_result_clear(&r);
    free(cwd);
    free(sweep);
    free(dir);
}

/* calibrate without a target to fit is refused at once (exit 2), leaving
 * no folder; it used to run thousands of evaluations to "RMSE nan". */
static void test_calibrate_without_targets_is_refused(void **state)
{
    fixture *fx = *state;
    char *dir = testutil_path(fx->dir, "cal");
    const char *a[] = {"calibrate", "tests/data/run/small.cfg", "-n", "2", "-o", dir, "--set", "targets=()",
                       "--set", "calibrate={ free = ( { path = \"model.w_threat\"; min = 0.5; max = 2.0; } ); }",
                       NULL};
    testutil_result r = testutil_run(a);
    assert_int_equal(r.status, 2);
    testutil_assert_contains(r.err, "the scenario has no calibration targets: nothing to fit", __FILE__, __LINE__);
    testutil_result_clear(&r);
    assert_false(testutil_exists(dir));
    free(dir);
}

/*
 * Out of memory is a runtime failure, exit status 1, everywhere (it was
 * exit 2 from the scenario loader, and libconfig's scanner exits 2 by
 * itself): `check` of a scenario with a 7 MB description under address
 * space limits from 12 MB to 80 MB exits 0 or 1, never 2 or a crash, and
 * says "memory" when it fails.
 */
static void test_out_of_memory_exits_1(void **state)
{
    fixture *fx = *state;
    char *path = testutil_path(fx->dir, "big.cfg");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("name = \"big\";\nladder = ( { label = 0; name = \"n\"; }, { label = 1; name = \"p\"; x_min = 0.2; } );\n"
          "actors = { a = { capability = ( (1940.0, 0.2) ); }; b = { capability = ( (1940.0, 0.1) ); }; };\n"
          "description = \"",
          f);
    for (int i = 0; i < 75000; i++)
        fputs("The description of a scenario may be long, but not longer than the machine can parse. ", f);
    fputs("\";\n", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0644), 0);
    /* Under AddressSanitizer (make SAN=1) the program reserves terabytes of
     * shadow memory and cannot start under any such limit: nothing to test. */
    const char *args[] = {"check", path, NULL};
    fault roomy = {0, 0, "/dev/null", 80L << 20};
    testutil_result probe = run_faulty(fx, &roomy, args);
    int cannot_start = probe.status == 127 || (probe.status != 0 && strstr(probe.err, "AddressSanitizer"));
    testutil_result_clear(&probe);
    if (cannot_start) {
        free(path);
        skip();
    }
    size_t failed = 0;
    for (long mb = 12; mb <= 80; mb += 4) {
        fault ft = {0, 0, "/dev/null", mb << 20};
        testutil_result r = run_faulty(fx, &ft, args);
        if (r.status == 127 && strstr(r.err, "while loading shared libraries")) {
            testutil_result_clear(&r); /* too small to start at all */
            continue;
        }
        if (r.status != 0 && r.status != 1) {
            print_error("check under a %ld MB limit: exit %d: %s", mb, r.status, r.err);
            testutil_result_clear(&r);
            free(path);
            fail();
        }
        if (r.status == 1) {
            int says = strstr(r.err, "memory") != NULL;
            if (!says)
                print_error("check under a %ld MB limit: exit 1 without saying so: %s", mb, r.err);
            assert_true(says);
            failed++;
        }
        testutil_result_clear(&r);
    }
    print_message("out of memory (exit 1) under %zu of 18 limits\n", failed);
    assert_true(failed > 0);
    free(path);
}

/* Issue 14: the run-time event limit.  A replication that reaches the
 * scenario's max_events stops with AS_ELIMIT (exit 1) and a message naming
 * the limit and the next event, rather than running on; and a stop flag set
 * before the run stops it at once with AS_ESTOPPED.  The spec's limit is
 * lowered after loading, as a replication beyond the check-time budget
 * (scenario/check_budget.c) would meet it. */
static void test_event_limit_stops_a_replication_with_a_message(void **state)
{
    (void)state;
    model_spec spec;
    memset(&spec, 0, sizeof spec);
    scenario_diags diags = {0};
    char *resolved = NULL;
    assert_int_equal(scenario_load("tests/data/batch/slow.cfg", NULL, &spec, &resolved, &diags), AS_OK);
    spec.max_events = 5000;
    rep_worker *w = rep_worker_alloc(&spec);
    assert_non_null(w);
    rep_outcome out;
    char err[512] = "";
    assert_int_equal(rep_run(w, 1, NULL, NULL, 0, NULL, NULL, &out, err, sizeof err), AS_ELIMIT);
    testutil_assert_contains(err, "more than 5000 events in one replication (the scenario's max_events)",
                             __FILE__, __LINE__);
    testutil_assert_contains(err, "the next was the event events.[0] (summit) at 1950.00005", __FILE__, __LINE__);
    /* The same worker runs on after a failure, and a stop flag ends a run. */
    atomic_int stop = 1;
    rep_worker_set_stop(w, &stop);
    spec.max_events = 0;
    assert_int_equal(rep_run(w, 1, NULL, NULL, 0, NULL, NULL, &out, err, sizeof err), AS_ESTOPPED);
    rep_worker_free(w);
    free(resolved);
    model_spec_clear(&spec);
    scenario_diags_clear(&diags);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_run_into_unwritable_folder_exits_1_with_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_run_into_existing_readonly_folder_exits_1_with_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_into_unwritable_folder_exits_1_with_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_into_existing_readonly_folder_exits_1_with_path, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_run_on_a_full_disk_exits_1_and_leaves_no_partial_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_batch_on_a_full_disk_exits_1_and_leaves_no_partial_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_check_to_a_full_stdout_exits_1, setup, teardown),
        cmocka_unit_test(test_event_limit_stops_a_replication_with_a_message),
        cmocka_unit_test_setup_teardown(test_two_writers_never_mix_their_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_folder_of_other_results_is_refused_unless_force, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_refused_command_leaves_no_empty_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_busy_folder_names_its_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compare_refuses_mixed_folders_and_its_inputs_as_output, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_calibrate_without_targets_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_runaway_sweep_point_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_memory_exits_1, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
