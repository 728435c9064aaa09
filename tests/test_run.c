/*
 * test_run - the `run` and `check` commands as a user meets them: the built
 * program is executed ($ALIGNSIM_BIN) and its files and exit codes checked.
 *
 * Golden files for tests/data/run/small.cfg at seed 2385 live in
 * tests/data/golden/small/ without the "# program:" line (the version); after
 * an intended change to the model or the output, regenerate them with
 * `make golden` and review the diff.
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
#include <unistd.h>

static const char *const result_files[] = {"scenario.cfg", "trajectory.tsv", "events.tsv", "milestones.tsv",
                                           "ladder.tsv"};
enum { NFILES = sizeof result_files / sizeof result_files[0] };

static int setup(void **state)
{
    *state = testutil_mkdtemp();
    return 0;
}

static int teardown(void **state)
{
    testutil_rmtree(*state);
    free(*state);
    return 0;
}

/* Runs alignsim with up to 8 arguments; returns the result. */
static testutil_result run8(const char *a0, const char *a1, const char *a2, const char *a3, const char *a4,
                            const char *a5, const char *a6, const char *a7)
{
    const char *args[] = {a0, a1, a2, a3, a4, a5, a6, a7, NULL};
    return testutil_run(args);
}

static void assert_same_file(const char *pa, const char *pb)
{
    size_t la, lb;
    char *a = testutil_slurp(pa, &la), *b = testutil_slurp(pb, &lb);
    assert_non_null(a);
    assert_non_null(b);
    if (la != lb || memcmp(a, b, la) != 0) {
        print_error("%s and %s differ\n", pa, pb);
        fail();
    }
    free(a);
    free(b);
}

static void assert_same_folders(const char *da, const char *db)
{
    for (size_t i = 0; i < NFILES; i++) {
        char *pa = testutil_path(da, result_files[i]), *pb = testutil_path(db, result_files[i]);
        assert_same_file(pa, pb);
        free(pa);
        free(pb);
    }
}

static void run_writes_every_result_file(void **state)
{
    char *out = testutil_path(*state, "out");
    testutil_result r = run8("run", "tests/data/run/small.cfg", "-o", out, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "replay score:"));
    for (size_t i = 0; i < NFILES; i++) {
        char *p = testutil_path(out, result_files[i]);
        assert_true(testutil_exists(p));
        free(p);
    }
    char *traj = testutil_path(out, "trajectory.tsv");
    char *text = testutil_slurp(traj, NULL);
    assert_non_null(strstr(text, "\nyear\tdyad\tx\tlabel\tlabel_name\tcommitment"));
    assert_non_null(strstr(text, "# seed: 2385\n"));
    /* 20 mid-year samples (1990.5 to 2009.5) x 3 dyads */
    size_t rows = 0;
    for (const char *p = strstr(text, "\nyear"); (p = strchr(p + 1, '\n')) != NULL && p[1];)
        rows++;
    assert_int_equal(rows, 20 * 3);
    free(text);
    free(traj);
    testutil_result_clear(&r);
    free(out);
}

/* Same seed, same bytes; another seed, other bytes. */
static void same_seed_same_bytes(void **state)
{
    char *a = testutil_path(*state, "a"), *b = testutil_path(*state, "b"), *c = testutil_path(*state, "c");
    testutil_result r1 = run8("run", "tests/data/run/small.cfg", "-o", a, "-s", "11", NULL, NULL);
    testutil_result r2 = run8("run", "tests/data/run/small.cfg", "-o", b, "-s", "11", NULL, NULL);
    testutil_result r3 = run8("run", "tests/data/run/small.cfg", "-o", c, "-s", "12", NULL, NULL);
    assert_int_equal(r1.status, 0);
    assert_int_equal(r2.status, 0);
    assert_int_equal(r3.status, 0);
    assert_same_folders(a, b);
    char *pa = testutil_path(a, "trajectory.tsv"), *pc = testutil_path(c, "trajectory.tsv");
    char *ta = testutil_slurp(pa, NULL), *tc = testutil_slurp(pc, NULL);
    assert_true(strcmp(ta, tc) != 0);
    free(ta);
    free(tc);
    free(pa);
    free(pc);
    testutil_result_clear(&r1);
    testutil_result_clear(&r2);
    testutil_result_clear(&r3);
    free(a);
    free(b);
    free(c);
}

/* scenario.cfg of a folder reproduces the folder, overrides included. */
static void resolved_scenario_reproduces_the_folder(void **state)
{
    char *a = testutil_path(*state, "a"), *b = testutil_path(*state, "b");
    testutil_result r1 =
        run8("run", "tests/data/run/small.cfg", "-o", a, "--set", "model.w_border=0.7", "-s", "99");
    assert_int_equal(r1.status, 0);
    char *cfg = testutil_path(a, "scenario.cfg");
    testutil_result r2 = run8("run", cfg, "-o", b, NULL, NULL, NULL, NULL);
    assert_int_equal(r2.status, 0);
    /* The provenance of the second run says overrides none while the
     * scenario it ran records the first run's; compare the data files and
     * the resolved scenario. */
    char *sa = testutil_path(a, "scenario.cfg"), *sb = testutil_path(b, "scenario.cfg");
    assert_same_file(sa, sb);
    char *text = testutil_slurp(sa, NULL);
    assert_non_null(strstr(text, "model.w_border=0.7"));
    free(text);
    static const char *const data[] = {"trajectory.tsv", "events.tsv", "milestones.tsv"};
    for (size_t i = 0; i < 3; i++) {
        char *pa = testutil_path(a, data[i]), *pb = testutil_path(b, data[i]);
        char *ta = testutil_slurp(pa, NULL), *tb = testutil_slurp(pb, NULL);
        /* skip the provenance block (it names the overrides of each run) */
        const char *ha = ta, *hb = tb;
        while (*ha == '#')
            ha = strchr(ha, '\n') + 1;
        while (*hb == '#')
            hb = strchr(hb, '\n') + 1;
        assert_string_equal(ha, hb);
        free(ta);
        free(tb);
        free(pa);
        free(pb);
    }
    free(sa);
    free(sb);
    free(cfg);
    testutil_result_clear(&r1);
    testutil_result_clear(&r2);
    free(a);
    free(b);
}

/* Text of file path without its "# program:" provenance line (the program's
 * version, which golden files leave out). */
static char *slurp_without_version(const char *path)
{
    size_t n;
    char *text = testutil_slurp(path, &n);
    assert_non_null(text);
    char *line = strstr(text, "# program:");
    if (line && (line == text || line[-1] == '\n')) {
        char *end = strchr(line, '\n');
        const char *rest = end ? end + 1 : line + strlen(line);
        memmove(line, rest, strlen(rest) + 1);
    }
    return text;
}

/* The outputs of a fixed-seed run match the reviewed golden files, which
 * only `make golden` rewrites. */
static void golden_outputs(void **state)
{
    char *out = testutil_path(*state, "g");
    testutil_result r = run8("run", "tests/data/run/small.cfg", "-o", out, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    static const char *const golden[] = {"trajectory.tsv", "events.tsv", "milestones.tsv"};
    for (size_t i = 0; i < 3; i++) {
        char *got = testutil_path(out, golden[i]);
        char *want = testutil_path("tests/data/golden/small", golden[i]);
        char *a = slurp_without_version(got), *b = testutil_slurp(want, NULL);
        assert_non_null(b);
        assert_null(strstr(b, "# program:"));
        if (strcmp(a, b) != 0) {
            print_error("%s differs from %s (after an intended change of results: make golden, "
                        "then review the diff)\n", got, want);
            fail();
        }
        free(a);
        free(b);
        free(got);
        free(want);
    }
    testutil_result_clear(&r);
    free(out);
}

static void check_prints_resolved_scenario(void **state)
{
    (void)state;
    testutil_result r = run8("check", "scenarios/historical.cfg", NULL, NULL, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "name = \"historical\";"));
    assert_non_null(strstr(r.out, "w_threat"));
    assert_non_null(strstr(r.err, "ok:"));
    testutil_result_clear(&r);
}

/* Every usage mistake exits 2 with a message naming the command. */
static void bad_usage_exits_2(void **state)
{
    (void)state;
    static const char *const cases[][5] = {
        {"run", NULL, NULL, NULL},
        {"run", "tests/data/run/small.cfg", "-s", "abc"},
        {"run", "tests/data/run/small.cfg", "-s", "-1"},
        {"run", "tests/data/run/small.cfg", "--bogus", NULL},
        {"run", "tests/data/run/small.cfg", "-o", NULL},
        {"run", "tests/data/run/small.cfg", "extra", NULL},
        {"run", "tests/data/run/small.cfg", "--set", "nopath"},
        {"run", "tests/data/run/small.cfg", "-n", "5"},
        {"frobnicate", NULL, NULL, NULL},
        {"help", "frobnicate", NULL, NULL},
        {"run", "tests/data/run/small.cfg", "--set", "model.w_thret=1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        testutil_result r = testutil_run(cases[i]);
        if (r.status != 2 || !strstr(r.err, "error")) {
            print_error("case %zu (%s %s %s): status %d, stderr: %s\n", i, cases[i][0],
                        cases[i][1] ? cases[i][1] : "", cases[i][2] ? cases[i][2] : "", r.status, r.err);
            fail();
        }
        assert_string_equal(r.out, "");
        testutil_result_clear(&r);
    }
}

static void bad_scenario_exits_2_with_file_line(void **state)
{
    char *bad = testutil_path(*state, "bad.cfg"), *out = testutil_path(*state, "o");
    FILE *f = fopen(bad, "w");
    assert_non_null(f);
    fputs("name = \"x\";\nstart = 1990.0;\nhorizon = 1980.0;\n", f);
    fclose(f);
    testutil_result r = run8("run", bad, "-o", out, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 2);
    char prefix[4200];
    snprintf(prefix, sizeof prefix, "%s:", bad);
    assert_non_null(strstr(r.err, prefix));
    assert_true(!testutil_exists(out));
    testutil_result_clear(&r);
    free(bad);
    free(out);
}

/* An output folder that cannot be created is an I/O failure: exit 1 with
 * the path, nothing written. */
static void unwritable_output_exits_1(void **state)
{
    char *file = testutil_path(*state, "plain"), *out = testutil_path(file, "sub");
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    testutil_result r = run8("run", "tests/data/run/small.cfg", "-o", out, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, file));
    assert_non_null(strstr(r.err, "Not a directory"));
    testutil_result_clear(&r);
    free(file);
    free(out);
}

static void missing_scenario_exits_1(void **state)
{
    (void)state;
    testutil_result r = run8("run", "tests/data/run/no-such-file.cfg", NULL, NULL, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "no-such-file.cfg"));
    testutil_result_clear(&r);
}

static void help_and_version(void **state)
{
    (void)state;
    testutil_result r = run8("--version", NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "alignsim "));
    testutil_result_clear(&r);
    r = run8("--help", NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "alignsim run SCENARIO"));
    testutil_result_clear(&r);
    r = run8("help", "run", NULL, NULL, NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "--set PATH=VALUE"));
    testutil_result_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(run_writes_every_result_file, setup, teardown),
        cmocka_unit_test_setup_teardown(same_seed_same_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(resolved_scenario_reproduces_the_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(golden_outputs, setup, teardown),
        cmocka_unit_test(check_prints_resolved_scenario),
        cmocka_unit_test(bad_usage_exits_2),
        cmocka_unit_test_setup_teardown(bad_scenario_exits_2_with_file_line, setup, teardown),
        cmocka_unit_test_setup_teardown(unwritable_output_exits_1, setup, teardown),
        cmocka_unit_test(missing_scenario_exits_1),
        cmocka_unit_test(help_and_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
