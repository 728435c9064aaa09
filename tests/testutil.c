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
