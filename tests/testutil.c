/*
 * testutil - helpers for the cmocka test programs: relative double
 * comparison, running the built program with captured output, temporary
 * directories and file reading.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void testutil_assert_close(double actual, double expected, double rel,
                           const char *expr, const char *file, int line)
{
    double scale = fabs(expected) > 1.0 ? fabs(expected) : 1.0;
    if (!(fabs(actual - expected) <= rel * scale)) {
        print_error("%s = %.17g, expected %.17g (rel tol %g)\n", expr, actual,
                    expected, rel);
        _fail(file, line);
    }
}

void testutil_assert_contains(const char *hay, const char *needle, const char *file, int line)
{
    if (!hay || !strstr(hay, needle)) {
        print_error("expected to find \"%s\" in:\n%s\n", needle, hay ? hay : "(null)");
        _fail(file, line);
    }
}

char *testutil_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return NULL;
    }
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n + 1 < cap)
            break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            fclose(f);
            return NULL;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

char *testutil_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

int testutil_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

char *testutil_mkdtemp(void)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    char *templ = testutil_path(tmp, "alignsim-test-XXXXXX");
    char *dir = mkdtemp(templ);
    assert_non_null(dir);
    return templ;
}

void testutil_rmtree(const char *path)
{
    pid_t pid = fork();
    if (pid == 0) {
        execlp("rm", "rm", "-rf", "--", path, (char *)NULL);
        _exit(127);
    }
    if (pid > 0) {
        int st;
        waitpid(pid, &st, 0);
    }
}

/* Starts argv (argv[0] looked up in PATH when search) with stdin from
 * /dev/null and stdout, stderr into outp, errp; returns the pid. */
static pid_t spawn_argv(char *const *argv, int search, const char *outp, const char *errp)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || o < 0 || e < 0)
            _exit(126);
        dup2(in, 0);
        dup2(o, 1);
        dup2(e, 2);
        if (search)
            execvp(argv[0], argv);
        else
            execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

pid_t testutil_spawn(const char *const *args, const char *outp, const char *errp)
{
    const char *bin = getenv("ALIGNSIM_BIN");
    if (!bin || !*bin)
        bin = "build/alignsim";
    size_t argc = 0;
    while (args[argc])
        argc++;
    char **argv = calloc(argc + 2, sizeof *argv);
    assert_non_null(argv);
    argv[0] = (char *)bin;
    for (size_t i = 0; i < argc; i++)
        argv[i + 1] = (char *)args[i];
    pid_t pid = spawn_argv(argv, 0, outp, errp);
    free(argv);
    return pid;
}

/* Waits for pid and collects its status and the two output files. */
static testutil_result collect(pid_t pid, char *dir, char *outp, char *errp)
{
    testutil_result r = {0, NULL, NULL};
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.out = testutil_slurp(outp, NULL);
    r.err = testutil_slurp(errp, NULL);
    if (!r.out)
        r.out = calloc(1, 1);
    if (!r.err)
        r.err = calloc(1, 1);
    testutil_rmtree(dir);
    free(outp);
    free(errp);
    free(dir);
    return r;
}

testutil_result testutil_run(const char *const *args)
{
    char *dir = testutil_mkdtemp();
    char *outp = testutil_path(dir, "stdout");
    char *errp = testutil_path(dir, "stderr");
    return collect(testutil_spawn(args, outp, errp), dir, outp, errp);
}

testutil_result testutil_exec(const char *const *argv)
{
    char *dir = testutil_mkdtemp();
    char *outp = testutil_path(dir, "stdout");
    char *errp = testutil_path(dir, "stderr");
    return collect(spawn_argv((char *const *)argv, 1, outp, errp), dir, outp, errp);
}

int testutil_run_ok(const char *const *args)
{
    testutil_result r = testutil_run(args);
    int ok = r.status == 0;
    if (!ok) {
        fprintf(stderr, "alignsim");
        for (size_t i = 0; args[i]; i++)
            fprintf(stderr, " %s", args[i]);
        fprintf(stderr, ": exit status %d:\n%s\n", r.status, r.err);
    }
    testutil_result_clear(&r);
    return ok ? 0 : -1;
}

void testutil_copy_tree(const char *src, const char *dst)
{
    const char *argv[] = {"cp", "-R", src, dst, NULL};
    testutil_result r = testutil_exec(argv);
    if (r.status != 0)
        print_error("cp -R %s %s: %s\n", src, dst, r.err);
    assert_int_equal(r.status, 0);
    testutil_result_clear(&r);
}

void testutil_result_clear(testutil_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

void testutil_assert_same_file(const char *a, const char *b, const char *name)
{
    char *pa = testutil_path(a, name), *pb = testutil_path(b, name);
    size_t la = 0, lb = 0;
    char *da = testutil_slurp(pa, &la), *db = testutil_slurp(pb, &lb);
    if (!da || !db)
        print_error("cannot read %s or %s\n", pa, pb);
    assert_non_null(da);
    assert_non_null(db);
    if (la != lb || memcmp(da, db, la) != 0)
        print_error("%s and %s differ (%zu and %zu bytes)\n", pa, pb, la, lb);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, la);
    free(da);
    free(db);
    free(pa);
    free(pb);
}

int testutil_run_stopping(const char *const *args, unsigned stop_after_blocks, int expect)
{
    char num[32];
    snprintf(num, sizeof num, "%u", stop_after_blocks);
    if (stop_after_blocks)
        setenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS", num, 1);
    testutil_result r = testutil_run(args);
    unsetenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS");
    if (r.status != expect)
        print_error("status %d, expected %d; stderr:\n%s\n", r.status, expect, r.err);
    int st = r.status;
    testutil_result_clear(&r);
    return st;
}

/* args, then "-o" out "-j" threads "-q" and --resume when resume, into argv. */
static void study_args(const char *const *args, const char *out, const char *threads, int resume,
                       const char **argv)
{
    size_t n = 0;
    for (; args[n] && n < 16; n++)
        argv[n] = args[n];
    argv[n++] = "-o";
    argv[n++] = out;
    argv[n++] = "-j";
    argv[n++] = threads;
    argv[n++] = "-q";
    if (resume)
        argv[n++] = "--resume";
    argv[n] = NULL;
}

void testutil_check_resume(const char *const *args, const char *dir, const char *journal, unsigned stop1,
                           unsigned stop2, const char *const *files)
{
    char *ref = testutil_path(dir, "ref"), *cut = testutil_path(dir, "cut"), *jpath = testutil_path(cut, journal);
    const char *argv[24];
    study_args(args, ref, "2", 0, argv);
    assert_int_equal(testutil_run_stopping(argv, 0, 0), 0);
    study_args(args, cut, "2", 0, argv);
    assert_int_equal(testutil_run_stopping(argv, stop1, 130), 130);
    assert_true(testutil_exists(jpath));
    /* Without --resume the interrupted work is in the way. */
    assert_int_equal(testutil_run_stopping(argv, 0, 2), 2);
    if (stop2) {
        study_args(args, cut, "1", 1, argv);
        assert_int_equal(testutil_run_stopping(argv, stop2, 130), 130);
    }
    study_args(args, cut, "3", 1, argv);
    assert_int_equal(testutil_run_stopping(argv, 0, 0), 0);
    for (size_t i = 0; files[i]; i++)
        testutil_assert_same_file(ref, cut, files[i]);
    assert_false(testutil_exists(jpath));
    free(jpath);
    free(ref);
    free(cut);
}

int testutil_setup_dir(void **state)
{
    *state = testutil_mkdtemp();
    return 0;
}

int testutil_teardown_dir(void **state)
{
    testutil_rmtree(*state);
    free(*state);
    return 0;
}

spec_event *testutil_add_event(model_spec *s, spec_event_kind kind, double at, double mag, const int *actors, int n)
{
    spec_event e;
    memset(&e, 0, sizeof e);
    e.kind = kind;
    e.timing = TIMING_AT;
    e.at = at;
    e.until = s->horizon;
    e.series = -1;
    e.expires = INFINITY;
    e.active = 1;
    assert_int_equal(model_spec_add_param(s, "events.magnitude", mag, -5, 5, &e.p_magnitude), 0);
    assert_int_equal(model_spec_add_param(s, "events.duration", 0.0, 0, 100, &e.p_duration), 0);
    assert_int_equal(model_spec_add_param(s, "events.every", 1.0, 0, 100, &e.p_every), 0);
    assert_int_equal(model_spec_add_param(s, "events.rate", 0.0, 0, 100, &e.p_rate), 0);
    e.actors = (int *)actors;
    e.nactors = n;
    assert_int_equal(model_spec_add_event(s, &e), 0);
    return &s->events[s->nevents - 1];
}

void testutil_add_actor(model_spec *s, const char *id, double cap, double ideology, double autonomy, double doctrine)
{
    spec_actor a;
    memset(&a, 0, sizeof a);
    snprintf(a.id, sizeof a.id, "%s", id);
    snprintf(a.name, sizeof a.name, "%s", id);
    double year = 1900.0;
    size_t idx;
    assert_int_equal(model_spec_add_series(s, id, &year, &cap, 1, &idx), 0);
    a.capability = (int)idx;
    a.param0 = s->nparams;
    assert_int_equal(model_spec_add_param(s, "ideology", ideology, -1, 1, NULL), 0);
    assert_int_equal(model_spec_add_param(s, "autonomy", autonomy, 0, 10, NULL), 0);
    assert_int_equal(model_spec_add_param(s, "doctrine", doctrine, 0, 10, NULL), 0);
    assert_int_equal(model_spec_add_actor(s, &a), 0);
}

void testutil_add_rung(model_spec *s, int label, const char *name, double x_min, unsigned requires, int gate)
{
    spec_rung r;
    memset(&r, 0, sizeof r);
    r.label = label;
    snprintf(r.name, sizeof r.name, "%s", name);
    r.x_min = x_min;
    r.requires = requires;
    r.gate = gate;
    assert_int_equal(model_spec_add_rung(s, &r), 0);
}

void testutil_set_initial(model_spec *s, int a, int b, double x)
{
    spec_initial in = {a, b, 0, 0.0, 0.0, 0};
    assert_int_equal(model_spec_add_param(s, "initial.x", x, -1, 1, &in.p_x), 0);
    assert_int_equal(model_spec_add_initial(s, &in), 0);
}
