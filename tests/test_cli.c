/*
 * test_cli - bad input as a user meets it at the command line: every
 * command that main.c dispatches answers bad usage (unknown options,
 * missing arguments and values, non-numeric or out-of-range counts, seeds
 * and threads) with exit status 2, a message on stderr naming the command,
 * and nothing on stdout; every file of tests/data/bad/ given to `run` exits
 * 2 with its FILE:LINE: diagnostic and writes no result folder; a folder, a
 * missing file, a device, a 50 MB file and a file of a million settings are
 * refused quickly, in little memory, with a clean message.
 *
 * The built program is executed ($ALIGNSIM_BIN).  Interruptions of a batch
 * are tests/test_batch.c's; write failures are tests/test_faults.c's.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SCENARIO "tests/data/run/small.cfg"
#define SWEEP "scenarios/sweeps/doctrine_gate.cfg"

/* Limits of the loader (sim/scenario/loader.h), as a user reads them. */
#define MAX_FILE_TEXT "at most 8388608 bytes"

/* The fixture: a temporary folder; out is a result folder inside it that
 * no failing command may create. */
typedef struct {
    char *dir, *out;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    fx->dir = testutil_mkdtemp();
    fx->out = testutil_path(fx->dir, "out");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    testutil_rmtree(fx->dir);
    free(fx->dir);
    free(fx->out);
    free(fx);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Bad command lines                                                  */
/* ------------------------------------------------------------------ */

/* Options as cli/options.c knows them. */
enum { O_OUT = 1, O_SEED = 2, O_SET = 4, O_REPS = 8, O_THREADS = 16, O_ONLY = 32 };

/* Every command main.c dispatches, its positional arguments and options. */
static const struct {
    const char *name;
    const char *pos[2];
    unsigned opts;
} commands[] = {
    {"run", {SCENARIO, NULL}, O_OUT | O_SEED | O_SET},
    {"batch", {SCENARIO, NULL}, O_OUT | O_SEED | O_SET | O_REPS | O_THREADS | O_ONLY},
    {"claim", {SCENARIO, NULL}, O_OUT | O_SEED | O_SET | O_REPS | O_THREADS},
    {"sweep", {SWEEP, NULL}, O_OUT | O_REPS | O_THREADS},
    {"calibrate", {SCENARIO, NULL}, O_OUT | O_SEED | O_SET | O_REPS | O_THREADS},
    {"sensitivity", {SWEEP, NULL}, O_OUT | O_REPS | O_THREADS},
    {"compare", {"tests/data/run", "tests/data/good"}, O_OUT | O_THREADS},
    {"check", {SCENARIO, NULL}, O_SEED | O_SET},
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

/* A bad option and its value (NULL: none), the option it needs (0: any
 * command), and what the message says when the command takes the option. */
static const struct {
    const char *opt, *value;
    unsigned needs;
    const char *msg;
} bad_options[] = {
    {"--frobnicate", NULL, 0, "unknown option '--frobnicate'"},
    {"-x", NULL, 0, "unknown option '-x'"},
    {"--", "--", 0, "unexpected argument"}, /* after --, "--" is one more positional */
    {"-n", "abc", O_REPS, "-n must be a whole number of replications from 1 to 1000000000, not 'abc'"},
    {"-n", "-1", O_REPS, "-n must be a whole number of replications from 1 to 1000000000, not '-1'"},
    {"-n", "0", O_REPS, "-n must be a whole number of replications from 1 to 1000000000, not '0'"},
    {"-n", "2.5", O_REPS, "-n must be a whole number"},
    {"-n", "", O_REPS, "-n must be a whole number"},
    {"-n", "1000000001", O_REPS, "-n must be a whole number"},
    {"-n", "99999999999999999999999", O_REPS, "-n must be a whole number"},
    {"-n", " 5", O_REPS, "-n must be a whole number"},
    {"-n", "5x", O_REPS, "-n must be a whole number"},
    {"-j", "0", O_THREADS, "-j must be a whole number of threads from 1 to 1024, not '0'"},
    {"-j", "two", O_THREADS, "-j must be a whole number of threads from 1 to 1024, not 'two'"},
    {"-j", "-2", O_THREADS, "-j must be a whole number of threads"},
    {"-j", "1025", O_THREADS, "-j must be a whole number of threads"},
    {"-s", "junk", O_SEED, "seed must be a whole number from 0 to 9223372036854775807, not 'junk'"},
    /* Issue 14: one range for -s, the scenario's seed's. */
    {"-s", "18446744073709551615", O_SEED,
     "seed must be a whole number from 0 to 9223372036854775807, not '18446744073709551615'"},
    {"-s", "9223372036854775808", O_SEED, "seed must be a whole number from 0 to 9223372036854775807"},
    {"-s", "-1", O_SEED, "seed must be a whole number"},
    {"-s", "1e5", O_SEED, "seed must be a whole number"},
    {"-s", "0x10", O_SEED, "seed must be a whole number"},
    {"-s", "18446744073709551616", O_SEED, "seed must be a whole number"},
    {"--set", "nopath", O_SET, "--set needs PATH=VALUE, not 'nopath'"},
    {"--set", "=3", O_SET, "--set needs PATH=VALUE, not '=3'"},
    {"-o", "", O_OUT, "option '-o' needs a folder name"},
    {"--only", "x", O_ONLY, "--only needs REP or FIRST-LAST"},
    {"--only", "5-2", O_ONLY, "--only needs REP or FIRST-LAST (FIRST <= LAST)"},
};
enum { NBAD = sizeof bad_options / sizeof bad_options[0] };

/*
 * Runs argv (NULL-terminated) and checks a usage error of cmd: status 2, a
 * message "alignsim CMD: error: ..." containing msg on stderr, nothing on
 * stdout, no result folder.  Returns 0, or prints what differs and returns
 * -1 (so that one test reports every failing case).
 */
static int expect_usage_error(const fixture *fx, const char *cmd, const char *const *argv, const char *msg)
{
    testutil_result r = testutil_run(argv);
    char prefix[128];
    snprintf(prefix, sizeof prefix, "alignsim %s: error: ", cmd);
    int ok = r.status == 2 && strstr(r.err, prefix) && strstr(r.err, msg) && r.out[0] == '\0' &&
             !testutil_exists(fx->out);
    if (!ok) {
        print_error("alignsim");
        for (size_t i = 0; argv[i]; i++)
            print_error(" '%s'", argv[i]);
        print_error("\n  status %d (want 2), stdout '%s', stderr '%s'\n  wanted stderr with '%s' and '%s'%s\n",
                    r.status, r.out, r.err, prefix, msg,
                    testutil_exists(fx->out) ? "; and the result folder was created" : "");
        testutil_rmtree(fx->out);
    }
    testutil_result_clear(&r);
    return ok ? 0 : -1;
}

static void test_bad_options_exit_2_for_every_command(void **state)
{
    fixture *fx = *state;
    size_t failures = 0, cases = 0;
    for (size_t c = 0; c < NCOMMANDS; c++) {
        for (size_t b = 0; b < NBAD; b++) {
            const char *argv[12];
            size_t n = 0;
            argv[n++] = commands[c].name;
            for (size_t p = 0; p < 2 && commands[c].pos[p]; p++)
                argv[n++] = commands[c].pos[p];
            if (commands[c].opts & O_OUT) {
                argv[n++] = "-o";
                argv[n++] = fx->out;
            }
            /* A valid -n keeps a command that wrongly accepted the bad option
             * short. */
            if ((commands[c].opts & O_REPS) && strcmp(bad_options[b].opt, "-n") != 0) {
                argv[n++] = "-n";
                argv[n++] = "2";
            }
            argv[n++] = bad_options[b].opt;
            if (bad_options[b].value)
                argv[n++] = bad_options[b].value;
            argv[n] = NULL;
            unsigned needs = bad_options[b].needs;
            const char *msg = needs == 0 || (commands[c].opts & needs) ? bad_options[b].msg
                                                                        : "is not valid for this command";
            if (needs == O_OUT && !(commands[c].opts & O_OUT))
                continue; /* covered: -o is refused by commands without it below */
            if (commands[c].pos[1] && strcmp(bad_options[b].opt, "--") == 0)
                continue; /* compare takes more folders */
            failures += expect_usage_error(fx, commands[c].name, argv, msg) != 0;
            cases++;
        }
    }
    print_message("%zu bad command lines checked\n", cases);
    assert_int_equal(failures, 0);
}

static void test_missing_arguments_and_values_exit_2(void **state)
{
    fixture *fx = *state;
    size_t failures = 0;
    for (size_t c = 0; c < NCOMMANDS; c++) {
        const char *cmd = commands[c].name;
        /* No positional argument at all. */
        const char *none[] = {cmd, NULL};
        failures += expect_usage_error(fx, cmd, none, "missing argument") != 0;
        /* compare needs two folders. */
        if (strcmp(cmd, "compare") == 0) {
            const char *one[] = {cmd, "tests/data/run", NULL};
            failures += expect_usage_error(fx, cmd, one, "missing arguments") != 0;
        }
        /* An option without its value, at the end of the line. */
        const char *opt = (commands[c].opts & O_OUT) ? "-o" : "-s";
        const char *noval[] = {cmd, commands[c].pos[0], opt, NULL};
        failures += expect_usage_error(fx, cmd, noval, "needs a value") != 0;
        /* One positional argument too many. */
        const char *extra[5] = {cmd, commands[c].pos[0], "surplus", NULL, NULL};
        if (commands[c].pos[1]) {
            /* compare takes up to 26 folders: the 27th is one too many. */
            continue;
        }
        failures += expect_usage_error(fx, cmd, extra, "unexpected argument 'surplus'") != 0;
        /* -o where the command writes nothing. */
        if (!(commands[c].opts & O_OUT)) {
            const char *o[] = {cmd, commands[c].pos[0], "-o", fx->out, NULL};
            failures += expect_usage_error(fx, cmd, o, "option '-o' is not valid for this command") != 0;
        }
    }
    /* compare with 27 folders. */
    const char *many[30];
    many[0] = "compare";
    for (size_t i = 1; i <= 27; i++)
        many[i] = "tests/data/run";
    many[28] = NULL;
    failures += expect_usage_error(fx, "compare", many, "unexpected argument") != 0;
    assert_int_equal(failures, 0);
}

/* Without a command, with an unknown one, or with a bad `help`: exit 2, a
 * message on stderr, nothing on stdout. */
static void test_unknown_commands_and_bad_help_exit_2(void **state)
{
    (void)state;
    static const struct {
        const char *args[4];
        const char *msg;
    } cases[] = {
        {{NULL}, "alignsim run SCENARIO"},
        {{"frobnicate", NULL}, "alignsim: error: unknown command 'frobnicate'"},
        {{"--frobnicate", NULL}, "alignsim: error: unknown command '--frobnicate'"},
        {{"", NULL}, "alignsim: error: unknown command ''"},
        {{"RUN", SCENARIO, NULL}, "alignsim: error: unknown command 'RUN'"},
        {{"help", "frobnicate", NULL}, "alignsim help: error: no command 'frobnicate'"},
        {{"help", "run", "batch", NULL}, "alignsim help: error: unexpected argument 'batch'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        testutil_result r = testutil_run(cases[i].args);
        if (r.status != 2 || !strstr(r.err, cases[i].msg) || r.out[0]) {
            print_error("case %zu: status %d, stdout '%s', stderr '%s'; wanted 2 and '%s'\n", i, r.status, r.out,
                        r.err, cases[i].msg);
            fail();
        }
        testutil_result_clear(&r);
    }
}

/* ------------------------------------------------------------------ */
/* Bad files through the command line                                 */
/* ------------------------------------------------------------------ */

/* Non-zero if the first line of err is "PATH:LINE: error: " or "PATH:
 * error: " for a PATH under tests/data/bad/ (an included file's diagnostic
 * names that file). */
static int starts_with_place(const char *err)
{
    if (strncmp(err, "tests/data/bad/", 15) != 0)
        return 0;
    const char *e = strstr(err, ": error: ");
    const char *nl = strchr(err, '\n');
    return e && (!nl || e < nl);
}

static void test_every_bad_file_exits_2_through_run_and_writes_nothing(void **state)
{
    fixture *fx = *state;
    DIR *d = opendir("tests/data/bad");
    assert_non_null(d);
    size_t n = 0, failures = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".cfg") != 0)
            continue;
        char *path = testutil_path("tests/data/bad", e->d_name);
        const char *argv[] = {"run", path, "-o", fx->out, NULL};
        testutil_result r = testutil_run(argv);
        int ok = r.status == 2 && starts_with_place(r.err) && r.out[0] == '\0' && !testutil_exists(fx->out) &&
                 !strstr(r.err, "flex");
        if (!ok) {
            print_error("alignsim run %s: status %d (want 2), stdout '%s', stderr '%s'%s\n", path, r.status,
                        r.out, r.err, testutil_exists(fx->out) ? "; the result folder was written" : "");
            testutil_rmtree(fx->out);
            failures++;
        }
        testutil_result_clear(&r);
        free(path);
        n++;
    }
    closedir(d);
    print_message("%zu bad files run\n", n);
    assert_true(n >= 60);
    assert_int_equal(failures, 0);
}

/* The same diagnostics from every command that loads a scenario. */
static void test_bad_files_exit_2_from_every_scenario_command(void **state)
{
    fixture *fx = *state;
    static const struct {
        const char *file, *place, *msg;
    } cases[] = {
        {"syntax.cfg", "tests/data/bad/syntax.cfg:3: error: ", "syntax error"},
        {"unknown_key.cfg", "tests/data/bad/unknown_key.cfg:3: error: ", "did you mean 'horizon'?"},
        {"negative_rate.cfg", "tests/data/bad/negative_rate.cfg:4: error: ", "expected a number in [0, inf)"},
        {"include_directory.cfg", "tests/data/bad/include_directory.cfg:2: error: ", "is a folder, not a file"},
        {"self_include.cfg", "tests/data/bad/self_include.cfg:2: error: ", "an @include cycle"},
        {"empty.cfg", "tests/data/bad/empty.cfg: error: ", "missing required setting 'name'"},
    };
    static const char *const cmds[] = {"run", "batch", "claim", "calibrate", "check"};
    size_t failures = 0;
    for (size_t c = 0; c < sizeof cmds / sizeof cmds[0]; c++) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            char *path = testutil_path("tests/data/bad", cases[i].file);
            int writes = strcmp(cmds[c], "check") != 0;
            const char *argv[] = {cmds[c], path, writes ? "-o" : NULL, fx->out, NULL};
            testutil_result r = testutil_run(argv);
            if (r.status != 2 || strncmp(r.err, cases[i].place, strlen(cases[i].place)) != 0 ||
                !strstr(r.err, cases[i].msg) || r.out[0] || testutil_exists(fx->out)) {
                print_error("alignsim %s %s: status %d, stdout '%s', stderr '%s'; wanted 2 and '%s...%s'\n",
                            cmds[c], path, r.status, r.out, r.err, cases[i].place, cases[i].msg);
                testutil_rmtree(fx->out);
                failures++;
            }
            testutil_result_clear(&r);
            free(path);
        }
    }
    assert_int_equal(failures, 0);
}

/* A folder, a missing file: I/O failures, exit 1, with the path and the
 * system's reason. */
static void test_folder_or_missing_file_as_scenario_exits_1(void **state)
{
    fixture *fx = *state;
    static const char *const cmds[] = {"run", "batch", "claim", "calibrate", "check"};
    static const struct {
        const char *path, *msg;
    } cases[] = {
        {"tests/data/good", "tests/data/good: error: Is a directory"},
        {"tests/data/bad/no_such_file.cfg", "tests/data/bad/no_such_file.cfg: error: No such file or directory"},
    };
    for (size_t c = 0; c < sizeof cmds / sizeof cmds[0]; c++) {
        for (size_t i = 0; i < 2; i++) {
            int writes = strcmp(cmds[c], "check") != 0;
            const char *argv[] = {cmds[c], cases[i].path, writes ? "-o" : NULL, fx->out, NULL};
            testutil_result r = testutil_run(argv);
            if (r.status != 1 || !strstr(r.err, cases[i].msg) || r.out[0] || testutil_exists(fx->out)) {
                print_error("alignsim %s %s: status %d, stderr '%s'; wanted 1 and '%s'\n", cmds[c],
                            cases[i].path, r.status, r.err, cases[i].msg);
                fail();
            }
            testutil_result_clear(&r);
        }
    }
}

/*
 * libconfig 1.5's scanner exits the process ("input in flex scanner
 * failed") when an @include names a folder.  The loader refuses such an
 * @include with its place wherever libconfig reads text: a scenario (the
 * bad files above), a base, a sweep file and a --set value.
 */
static void test_include_of_a_folder_is_an_error_in_sweeps_and_overrides(void **state)
{
    fixture *fx = *state;
    char *sweep = testutil_path(fx->dir, "sweep.cfg");
    FILE *f = fopen(sweep, "w");
    assert_non_null(f);
    fputs("# a sweep file\n@include \".\"\n", f);
    assert_int_equal(fclose(f), 0);
    static const char *const cmds[] = {"sweep", "sensitivity"};
    for (size_t i = 0; i < 2; i++) {
        const char *argv[] = {cmds[i], sweep, "-o", fx->out, NULL};
        testutil_result r = testutil_run(argv);
        char want[4300];
        snprintf(want, sizeof want, "%s:2: error: cannot include '.': '%s' is a folder, not a file", sweep,
                 fx->dir);
        if (r.status != 2 || !strstr(r.err, want) || r.out[0] || testutil_exists(fx->out))
            fail_msg("alignsim %s: status %d, stderr '%s'; wanted 2 and '%s'", cmds[i], r.status, r.err, want);
        testutil_result_clear(&r);
    }
    free(sweep);

    const char *set[] = {"check", SCENARIO, "--set", "model.w_threat=1\n@include \"tests\"", NULL};
    testutil_result r = testutil_run(set);
    if (r.status != 2 ||
        !strstr(r.err, "--set model.w_threat:2: error: cannot include 'tests': 'tests' is a folder, not a file") ||
        r.out[0])
        fail_msg("check --set with an @include: status %d, stdout '%.100s', stderr '%s'", r.status, r.out, r.err);
    testutil_result_clear(&r);
}

/* ------------------------------------------------------------------ */
/* Large and endless input                                            */
/* ------------------------------------------------------------------ */

/* Result of a measured run: status, stderr, seconds, peak memory. */
typedef struct {
    int status;
    char *err;
    double seconds;
    long maxrss_kb;
} measured;

/* Runs the program with argv (NULL-terminated, without argv[0]) and stdin
 * from /dev/null, and measures its wall time and (an upper bound of) its
 * peak resident memory. */
static measured run_measured(const fixture *fx, const char *const *args)
{
    measured m = {0, NULL, 0.0, 0};
    const char *bin = getenv("ALIGNSIM_BIN");
    if (!bin || !*bin)
        bin = "build/alignsim";
    const char *argv[16];
    size_t n = 0;
    argv[n++] = bin;
    while (args[n - 1] && n < 15) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    char *errp = testutil_path(fx->dir, "stderr");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        int out = open("/dev/null", O_WRONLY);
        int err = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || err < 0)
            _exit(126);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* POSIX has no wait4(): the peak over all children waited for so far
     * bounds this child's from above, which is what the tests assert. */
    struct rusage ru;
    assert_int_equal(getrusage(RUSAGE_CHILDREN, &ru), 0);
    m.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    m.seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    m.maxrss_kb = ru.ru_maxrss;
    m.err = testutil_slurp(errp, NULL);
    if (!m.err)
        m.err = calloc(1, 1);
    free(errp);
    return m;
}

/*
 * Writes a file of about `bytes` bytes: a scenario head, then distinct
 * settings `kN = 1;` (libconfig 1.5 parses these in quadratic time: a
 * minute for 80 000 of them).
 */
static char *write_settings_file(const fixture *fx, const char *name, size_t bytes)
{
    char *path = testutil_path(fx->dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    size_t written = (size_t)fprintf(f, "name = \"big\";\n");
    static char chunk[1 << 16];
    for (size_t k = 0; written < bytes;) {
        size_t used = 0;
        while (used + 32 < sizeof chunk)
            used += (size_t)snprintf(chunk + used, sizeof chunk - used, "k%zu = 1;\n", k++);
        assert_int_equal(fwrite(chunk, 1, used, f), used);
        written += used;
    }
    assert_int_equal(fclose(f), 0);
    return path;
}

/* Time and memory that any refusal must stay within, even under the
 * sanitizers (whose shadow memory adds tens of MB) on a loaded machine. */
#define SANE_SECONDS 20.0
#define SANE_KB (256L * 1024)

static void expect_sane_refusal(const measured *m, int status, const char *what, const char *msg)
{
    print_message("%s: exit %d in %.2f s, peak %ld KB\n", what, m->status, m->seconds, m->maxrss_kb);
    if (m->status != status || !strstr(m->err, msg)) {
        print_error("%s: status %d (want %d), stderr '%.500s'; wanted '%s'\n", what, m->status, status, m->err,
                    msg);
        fail();
    }
    assert_true(m->seconds < SANE_SECONDS);
    assert_true(m->maxrss_kb < SANE_KB);
}

/* A 50 MB file, made here and never committed, is refused before it is
 * parsed: quickly, in little memory, with the size limit in the message. */
static void test_50_mb_file_is_refused_quickly_with_a_clean_error(void **state)
{
    fixture *fx = *state;
    char *big = write_settings_file(fx, "big.cfg", 50u * 1024 * 1024);
    struct stat st;
    assert_int_equal(stat(big, &st), 0);
    assert_true(st.st_size >= 50L * 1024 * 1024);

    const char *run[] = {"run", big, "-o", fx->out, NULL};
    measured m = run_measured(fx, run);
    char want[4200];
    snprintf(want, sizeof want, "%s: error: expected a scenario file of %s, found a larger file", big,
             MAX_FILE_TEXT);
    expect_sane_refusal(&m, 2, "run on a 50 MB file", want);
    assert_false(testutil_exists(fx->out));
    free(m.err);

    const char *check[] = {"check", big, NULL};
    m = run_measured(fx, check);
    expect_sane_refusal(&m, 2, "check on a 50 MB file", want);
    free(m.err);
    unlink(big);
    free(big);
}

/* Just under the size limit, a million settings in one group: refused by
 * the loader's scan before libconfig's quadratic parse. */
static void test_a_million_settings_are_refused_quickly(void **state)
{
    fixture *fx = *state;
    char *big = write_settings_file(fx, "many.cfg", 8u * 1024 * 1024 - 4096);
    const char *run[] = {"run", big, "-o", fx->out, NULL};
    measured m = run_measured(fx, run);
    char want[4200];
    /* line 1 is the name; the 1001st setting of the top level is k999. */
    snprintf(want, sizeof want, "%s:1001: error: more than 1000 settings in one group", big);
    expect_sane_refusal(&m, 2, "run on a million settings", want);
    assert_false(testutil_exists(fx->out));
    free(m.err);
    unlink(big);
    free(big);
}

/* A device that never ends is read only up to the size limit. */
static void test_endless_device_is_refused(void **state)
{
    fixture *fx = *state;
    const char *check[] = {"check", "/dev/zero", NULL};
    measured m = run_measured(fx, check);
    expect_sane_refusal(&m, 2, "check /dev/zero",
                        "/dev/zero: error: expected a scenario file of " MAX_FILE_TEXT);
    free(m.err);
    const char *run[] = {"run", "/dev/null", "-o", fx->out, NULL};
    m = run_measured(fx, run);
    expect_sane_refusal(&m, 2, "run /dev/null", "/dev/null: error: missing required setting 'name'");
    assert_false(testutil_exists(fx->out));
    free(m.err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bad_options_exit_2_for_every_command, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_arguments_and_values_exit_2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_commands_and_bad_help_exit_2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_bad_file_exits_2_through_run_and_writes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_files_exit_2_from_every_scenario_command, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder_or_missing_file_as_scenario_exits_1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_include_of_a_folder_is_an_error_in_sweeps_and_overrides, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_50_mb_file_is_refused_quickly_with_a_clean_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_million_settings_are_refused_quickly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_endless_device_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
