/*
 * test_setup - scripts/ensure-deps.sh, the set-up check that `make test`
 * and `make run` start with.
 *
 * On a fresh Debian, gcc without the C library headers used to pass the
 * check and fail the build with "stdio.h: No such file or directory".  The
 * check now compiles and links a small program against each library and
 * names what is missing.  These tests run it in --check mode (it never
 * installs anything here) with compilers that fail the way a half-set-up
 * machine fails: one without C library headers, one without GSL's headers,
 * none at all.  Each must be reported by name and package, never as the
 * compiler's own error text, with the exact install command.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ENSURE "scripts/ensure-deps.sh"

/* The group's set-up: the tests run ensure-deps.sh by its path. */
static int at_top_of_tree(void **state)
{
    (void)state;
    if (!testutil_exists(ENSURE)) {
        fprintf(stderr, "test_setup: run from the top of the source tree\n");
        return -1;
    }
    return 0;
}

/* Writes an executable shell script name into the scratch folder. */
static char *script(const char *tmp, const char *name, const char *body)
{
    char *path = testutil_path(tmp, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n%s", body);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0755), 0);
    return path;
}

/* Runs ensure-deps.sh --check [want] with CC=cc (NULL: as it is). */
static testutil_result check(const char *cc, const char *want)
{
    const char *argv[8];
    size_t n = 0;
    char ccvar[4096];
    if (cc) {
        snprintf(ccvar, sizeof ccvar, "CC=%s", cc);
        argv[n++] = "env";
        argv[n++] = ccvar;
    }
    argv[n++] = ENSURE;
    argv[n++] = "--check";
    if (want)
        argv[n++] = want;
    argv[n] = NULL;
    return testutil_exec(argv);
}

static void test_this_machine_has_everything(void **state)
{
    (void)state;
    testutil_result r = check(NULL, NULL);
    if (r.status != 0)
        print_error("%s\n", r.err);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    assert_string_equal(r.out, "");
    testutil_result_clear(&r);
}

/* gcc installed without libc6-dev: it runs, but cannot build a program. */
static void test_compiler_without_c_headers_is_named(void **state)
{
    const char *tmp = *state;
    char *cc = script(tmp, "cc-no-headers",
                      "for a; do case $a in *.c) echo \"$a:1:10: fatal error: stdio.h: No such file or "
                      "directory\" >&2; exit 1;; esac; done\nexit 1\n");
    testutil_result r = check(cc, NULL);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, "the C library headers (");
    assert_contains(r.err, "cannot build a program) (build-essential)");
    assert_contains(r.err, "apt-get install -y --no-install-recommends build-essential");
    /* Named, not shown as the compiler's error. */
    assert_null(strstr(r.err, "stdio.h"));
    assert_null(strstr(r.err, "fatal error"));
    testutil_result_clear(&r);
    free(cc);
}

/* A compiler that works but finds no GSL: only GSL is missing. */
static void test_missing_library_is_named_with_its_package(void **state)
{
    const char *tmp = *state;
    char *cc = script(tmp, "cc-no-gsl",
                      "for a; do case $a in *.c) if grep -q 'gsl/' \"$a\"; then echo \"$a:1:10: fatal error: "
                      "gsl/gsl_rng.h: No such file or directory\" >&2; exit 1; fi;; esac; done\nexec cc \"$@\"\n");
    testutil_result r = check(cc, NULL);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, "alignsim: missing:\n  GSL, the GNU Scientific Library (libgsl-dev)\n");
    assert_contains(r.err, "sudo apt-get install -y --no-install-recommends libgsl-dev\n");
    assert_null(strstr(r.err, "libconfig"));
    assert_null(strstr(r.err, "cmocka"));
    assert_null(strstr(r.err, "gsl_rng.h"));
    testutil_result_clear(&r);

    /* The same for cmocka, found by what the program includes. */
    char *cc2 = script(tmp, "cc-no-cmocka",
                       "for a; do case $a in *.c) if grep -q 'cmocka.h' \"$a\"; then exit 1; fi;; esac; done\n"
                       "exec cc \"$@\"\n");
    r = check(cc2, NULL);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, "cmocka, the unit-test library (libcmocka-dev)");
    assert_null(strstr(r.err, "libgsl-dev"));
    testutil_result_clear(&r);
    free(cc2);
    free(cc);
}

/* A compiler that links nothing (a library found at compile time but not
 * at link time fails the check too): every library is named. */
static void test_link_failures_count(void **state)
{
    const char *tmp = *state;
    char *cc = script(tmp, "cc-no-link",
                      "case \" $* \" in *\" -l\"*) echo \"/usr/bin/ld: cannot find -lsomething\" >&2; exit 1;; esac\n"
                      "exec cc \"$@\"\n");
    testutil_result r = check(cc, NULL);
    assert_int_equal(r.status, 1);
    /* The first program links with -lm too: the compiler is named first. */
    assert_contains(r.err, "(build-essential)");
    assert_null(strstr(r.err, "/usr/bin/ld"));
    testutil_result_clear(&r);
    free(cc);
}

static void test_no_compiler_at_all(void **state)
{
    const char *tmp = *state;
    char *cc = testutil_path(tmp, "no-such-cc");
    testutil_result r = check(cc, NULL);
    assert_int_equal(r.status, 1);
    char want[4200];
    snprintf(want, sizeof want, "a C compiler (%s) (build-essential)", cc);
    assert_contains(r.err, want);
    testutil_result_clear(&r);
    free(cc);
}

static void test_unknown_want_is_a_usage_error(void **state)
{
    (void)state;
    testutil_result r = check(NULL, "gnuplots");
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "unknown option 'gnuplots'");
    testutil_result_clear(&r);
    /* The wants this machine has pass. */
    r = check(NULL, "plots");
    assert_int_equal(r.status, 0);
    testutil_result_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) TESTUTIL_IN_DIR(f)
        T(test_this_machine_has_everything),
        T(test_compiler_without_c_headers_is_named),
        T(test_missing_library_is_named_with_its_package),
        T(test_link_failures_count),
        T(test_no_compiler_at_all),
        T(test_unknown_want_is_a_usage_error),
#undef T
    };
    return cmocka_run_group_tests(tests, at_top_of_tree, NULL);
}
