/*
 * test_io - io/atomic and io/tsv: result files are complete or absent, say
 * where they failed, print doubles that read back exactly, and the reader
 * gives back what the writer wrote and points at bad lines.
 *
 * Every test runs in its own fresh temporary folder (setup/teardown).  The
 * crash, privilege and file-size tests run their risky part in a forked
 * child that reports through its exit status and a pipe, so that a failure
 * there cannot take the test runner down with it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "io/atomic.h"
#include "io/tsv.h"

#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define ERRLEN 1024

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
    testutil_rmtree(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

/* Number of entries in dir other than . and ..; the first name in *first. */
static size_t count_entries(const char *dir, char *first, size_t firstlen)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    if (first && firstlen)
        first[0] = '\0';
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == 0 && first && firstlen)
            snprintf(first, firstlen, "%s", e->d_name);
        n++;
    }
    closedir(d);
    return n;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/*
 * Ends a forked child: sends a one-byte verdict and a message to the parent
 * through fd, then dies by SIGKILL, so that no atexit handler, stdio flush or
 * leak checker (valgrind follows forks) runs in the copy of the test runner.
 */
static void child_report(int fd, char verdict, const char *msg)
{
    ssize_t w1 = write(fd, &verdict, 1);
    ssize_t w2 = write(fd, msg, strlen(msg));
    (void)w1;
    (void)w2;
    raise(SIGKILL);
    _exit(99);
}

/*
 * Collects what child_report() sent: returns the verdict byte ('?' if the
 * child sent nothing) and the message in msg, and reaps the child.
 */
static char child_collect(pid_t pid, int fd, char *msg, size_t msglen)
{
    char got_text[ERRLEN + 1];
    size_t n = 0;
    ssize_t got;
    while (n < sizeof got_text && (got = read(fd, got_text + n, sizeof got_text - n)) > 0)
        n += (size_t)got;
    close(fd);
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    if (n == 0) {
        snprintf(msg, msglen, "(child sent nothing)");
        return '?';
    }
    snprintf(msg, msglen, "%.*s", (int)(n - 1), got_text + 1);
    return got_text[0];
}

/* Expected message "PATH: reason" for a path under the test folder. */
static void expect_message(const char *err, const char *path, const char *why)
{
    char want[ERRLEN];
    snprintf(want, sizeof want, "%s: %s", path, why);
    assert_string_equal(err, want);
}

static const char *const traj_cols[] = {"year",  "dyad",       "x",
                                        "label", "label_name", "commitment"};

/* ------------------------------------------------------------------ */

static void test_roundtrip_keeps_provenance_header_and_cells(void **state)
{
    fixture *fx = *state;
    char err[ERRLEN] = "";
    char *path = testutil_path(fx->dir, "trajectory.tsv");
    io_kv prov[] = {
        {"program", "alignsim 0.1.0"},
        {"scenario", "historical\nwith a newline"},
        {"seed", "2385"},
        {"override", "actors.china.doctrine_cost=0.4"},
    };

    tsv_writer *w = tsv_open(path, prov, 4, traj_cols, 6, err, sizeof err);
    assert_non_null(w);
    assert_int_equal(tsv_fixed(w, 1969.5, 1), AS_OK);
    assert_int_equal(tsv_str(w, "china-russia"), AS_OK);
    assert_int_equal(tsv_double(w, -0.6125), AS_OK);
    assert_int_equal(tsv_int(w, -2), AS_OK);
    assert_int_equal(tsv_str(w, "armed\tclashes"), AS_OK);
    assert_int_equal(tsv_str(w, "none"), AS_OK);
    assert_int_equal(tsv_end_row(w), AS_OK);

    tsv_fixed(w, 2001.5, 1);
    tsv_str(w, "china-russia");
    tsv_double(w, 0.55);
    tsv_int(w, 4);
    tsv_str(w, "treaty-backed strategic partnership");
    tsv_str(w, "nonaggression,consultation");
    assert_int_equal(tsv_end_row(w), AS_OK);

    tsv_fixed(w, 1991.5, 1);
    tsv_str(w, NULL);
    tsv_na(w);
    tsv_int(w, INT64_MIN);
    tsv_str(w, "line\r\nbreak");
    tsv_str(w, "");
    assert_int_equal(tsv_end_row(w), AS_OK);
    assert_int_equal(tsv_rows_written(w), 3);
    assert_int_equal(tsv_commit(w, err, sizeof err), AS_OK);

    /* The exact bytes: what gnuplot and pandas will see. */
    char *text = testutil_slurp(path, NULL);
    assert_non_null(text);
    assert_string_equal(
        text,
        "# program: alignsim 0.1.0\n"
        "# scenario: historical with a newline\n"
        "# seed: 2385\n"
        "# override: actors.china.doctrine_cost=0.4\n"
        "year\tdyad\tx\tlabel\tlabel_name\tcommitment\n"
        "1969.5\tchina-russia\t-0.6125\t-2\tarmed clashes\tnone\n"
        "2001.5\tchina-russia\t0.55\t4\ttreaty-backed strategic partnership\t"
        "nonaggression,consultation\n"
        "1991.5\tNA\tNA\t-9223372036854775808\tline  break\t\n");
    free(text);

    tsv_table *t = tsv_read(path, err, sizeof err);
    assert_non_null(t);
    assert_string_equal(tsv_path(t), path);
    assert_int_equal(tsv_rows(t), 3);
    assert_int_equal(tsv_cols(t), 6);
    assert_int_equal(tsv_nprov(t), 4);
    assert_string_equal(tsv_prov(t, "program"), "alignsim 0.1.0");
    assert_string_equal(tsv_prov(t, "scenario"), "historical with a newline");
    assert_string_equal(tsv_prov(t, "override"),
                        "actors.china.doctrine_cost=0.4");
    assert_null(tsv_prov(t, "replications"));
    io_kv kv = tsv_prov_at(t, 2);
    assert_string_equal(kv.key, "seed");
    assert_string_equal(kv.value, "2385");
    assert_null(tsv_prov_at(t, 4).key);

    assert_int_equal(tsv_column(t, "year"), 0);
    assert_int_equal(tsv_column(t, "label_name"), 4);
    assert_int_equal(tsv_column(t, "commitment"), 5);
    assert_int_equal(tsv_column(t, "mean"), -1);
    assert_string_equal(tsv_colname(t, 2), "x");
    assert_null(tsv_colname(t, 6));

    assert_string_equal(tsv_cell(t, 0, 4), "armed clashes");
    assert_string_equal(tsv_cell(t, 1, 5), "nonaggression,consultation");
    assert_string_equal(tsv_cell(t, 2, 1), "NA");
    assert_string_equal(tsv_cell(t, 2, 5), "");
    assert_null(tsv_cell(t, 3, 0));
    assert_null(tsv_cell(t, 0, 6));
    assert_int_equal(tsv_row_line(t, 0), 6);
    assert_int_equal(tsv_row_line(t, 2), 8);
    assert_int_equal(tsv_row_line(t, 3), 0);

    double x = 0.0;
    assert_int_equal(tsv_parse_double(tsv_cell(t, 0, 2), &x), 0);
    assert_true(x == -0.6125);
    assert_int_equal(tsv_parse_double(tsv_cell(t, 2, 2), &x), 0);
    assert_true(isnan(x));
    tsv_free(t);
    tsv_free(NULL);
    free(path);
}

/* Writes and reads back enough rows to make every buffer grow. */
static void test_large_table_round_trips(void **state)
{
    fixture *fx = *state;
    char err[ERRLEN] = "";
    char *path = testutil_path(fx->dir, "summary.tsv");
    const char *cols[] = {"year", "dyad", "mean"};
    const size_t nrows = 5000;

    tsv_writer *w = tsv_open(path, NULL, 0, cols, 3, err, sizeof err);
    assert_non_null(w);
    for (size_t i = 0; i < nrows; i++) {
        tsv_fixed(w, 1949.5 + (double)(i / 3), 1);
        tsv_str(w, i % 3 == 0 ? "china-russia" : i % 3 == 1 ? "china-us"
                                                            : "russia-us");
        tsv_double(w, sin((double)i * 2.385));
        assert_int_equal(tsv_end_row(w), AS_OK);
    }
    assert_int_equal(tsv_commit(w, err, sizeof err), AS_OK);

    tsv_table *t = tsv_read(path, err, sizeof err);
    assert_non_null(t);
    assert_int_equal(tsv_rows(t), nrows);
    assert_int_equal(tsv_nprov(t), 0);
    for (size_t i = 0; i < nrows; i += 997) {
        double v = 0.0;
        assert_int_equal(tsv_parse_double(tsv_cell(t, i, 2), &v), 0);
        double want = sin((double)i * 2.385);
        assert_memory_equal(&v, &want, sizeof v);
        assert_int_equal(tsv_row_line(t, i), i + 2);
    }
    assert_string_equal(tsv_cell(t, nrows - 1, 1), "china-us");
    tsv_free(t);
    free(path);
}

static void test_doubles_print_shortest_round_trip(void **state)
{
    fixture *fx = *state;
    static const struct {
        double v;
        const char *text;
    } cases[] = {
        {0.1, "0.1"},
        {1.0 / 3.0, "0.3333333333333333"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1e-300, "1e-300"},
        {-0.0, "-0"},
        {0.0, "0"},
        {2.385, "2.385"},
        {1969.5, "1969.5"},
        {-0.6125, "-0.6125"},
        {DBL_MAX, "1.7976931348623157e+308"},
        {5e-324, "4.94065645841247e-324"},
        {NAN, "NA"},
        {INFINITY, "inf"},
        {-INFINITY, "-inf"},
    };
    const size_t n = sizeof cases / sizeof cases[0];

    for (size_t i = 0; i < n; i++) {
        char text[TSV_DOUBLE_BUFSIZE];
        int len = tsv_format_double(text, sizeof text, cases[i].v);
        assert_string_equal(text, cases[i].text);
        assert_int_equal(len, (int)strlen(cases[i].text));

        double back = 0.0;
        assert_int_equal(tsv_parse_double(text, &back), 0);
        if (isnan(cases[i].v)) {
            assert_true(isnan(back));
        } else {
            assert_memory_equal(&back, &cases[i].v, sizeof back);
            /* Plain strtod, as R or pandas would read it, agrees. */
            double viastrtod = strtod(text, NULL);
            assert_memory_equal(&viastrtod, &cases[i].v, sizeof back);
        }
    }

    /* The writer uses the same form in its cells. */
    char err[ERRLEN] = "";
    char *path = testutil_path(fx->dir, "doubles.tsv");
    const char *cols[] = {"v"};
    tsv_writer *w = tsv_open(path, NULL, 0, cols, 1, err, sizeof err);
    assert_non_null(w);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(tsv_double(w, cases[i].v), AS_OK);
        assert_int_equal(tsv_end_row(w), AS_OK);
    }
    assert_int_equal(tsv_commit(w, err, sizeof err), AS_OK);
    tsv_table *t = tsv_read(path, err, sizeof err);
    assert_non_null(t);
    assert_int_equal(tsv_rows(t), n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(tsv_cell(t, i, 0), cases[i].text);
    tsv_free(t);
    free(path);
}

static void test_parse_double_rejects_non_numbers(void **state)
{
    (void)state;
    double v = 2.385;
    assert_int_equal(tsv_parse_double("", &v), -1);
    assert_int_equal(tsv_parse_double(" 1", &v), -1);
    assert_int_equal(tsv_parse_double("1.5x", &v), -1);
    assert_int_equal(tsv_parse_double("china-russia", &v), -1);
    assert_int_equal(tsv_parse_double("1,5", &v), -1);
    assert_true(v == 2.385);
    assert_int_equal(tsv_parse_double("-inf", &v), 0);
    assert_true(isinf(v) && v < 0);
    assert_int_equal(tsv_parse_double("1969.50", &v), 0);
    assert_true(v == 1969.5);
}

static void test_fixed_decimals_for_years(void **state)
{
    fixture *fx = *state;
    char err[ERRLEN] = "";
    char *path = testutil_path(fx->dir, "years.tsv");
    const char *cols[] = {"a", "b", "c", "d", "e"};
    tsv_writer *w = tsv_open(path, NULL, 0, cols, 5, err, sizeof err);
    assert_non_null(w);
    tsv_fixed(w, 1969.5, 2);
    tsv_fixed(w, 1950.1234, 2);
    tsv_fixed(w, 2030.0, 0);
    tsv_fixed(w, NAN, 2);
    tsv_fixed(w, -INFINITY, 2);
    assert_int_equal(tsv_end_row(w), AS_OK);
    assert_int_equal(tsv_commit(w, err, sizeof err), AS_OK);
    char *text = testutil_slurp(path, NULL);
    assert_non_null(text);
    assert_string_equal(text, "a\tb\tc\td\te\n1969.50\t1950.12\t2030\tNA\t-inf\n");
    free(text);

    /* A nonsensical precision is a caller error that fails the table. */
    char *bad = testutil_path(fx->dir, "bad.tsv");
    w = tsv_open(bad, NULL, 0, cols, 1, err, sizeof err);
    assert_non_null(w);
    assert_int_equal(tsv_fixed(w, 1969.5, -1), AS_EUSAGE);
    assert_int_equal(tsv_commit(w, err, sizeof err), AS_EUSAGE);
    assert_non_null(strstr(err, "decimals must be 0..17, got -1"));
    assert_int_equal(strncmp(err, bad, strlen(bad)), 0);
    assert_false(testutil_exists(bad));
    free(bad);
    free(path);
}

static void test_abort_leaves_no_file_and_no_temp(void **state)
{
    fixture *fx = *state;
    char err[ERRLEN] = "";
    char *path = testutil_path(fx->dir, "x.tsv");
    const char *cols[] = {"a"};
    tsv_writer *w = tsv_open(path, NULL, 0, cols, 1, err, sizeof err);
    assert_non_null(w);

    /* The temporary file is ".NAME.tmp.PID" in the same folder. */
    char want[64];
    snprintf(want, sizeof want, ".x.tsv.tmp.%ld", (long)getpid());
    char *want_path = testutil_path(fx->dir, want);
    assert_string_equal(tsv_temp_path(w), want_path);
    assert_true(testutil_exists(want_path));
    free(want_path);

    tsv_int(w, 1);
    tsv_end_row(w);
    tsv_abort(w);
    tsv_abort(NULL);
    io_atomic_abort(NULL);
    assert_int_equal(count_entries(fx->dir, NULL, 0), 0);
    free(path);
}

/*
 * A process that dies between open and commit must leave the final name
 * absent; only its temporary file remains.  The child writes enough rows for
 * stdio to have flushed some of them, then exits without committing.
 */
static void test_crash_before_commit_leaves_only_temp(void **state)
{
    fixture *fx = *state;
    char *path = testutil_path(fx->dir, "trajectory.tsv");

    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char cerr[ERRLEN];
        tsv_writer *w = tsv_open(path, NULL, 0, traj_cols, 6, cerr, sizeof cerr);
        if (!w)
            _exit(3);
        for (int i = 0; i < 20000; i++) {
            tsv_fixed(w, 1949.5 + i, 1);
            tsv_str(w, "china-russia");
            tsv_double(w, 0.25);
            tsv_int(w, 2);
            tsv_str(w, "constructive partnership");
            tsv_str(w, "none");
            tsv_end_row(w);
        }
        raise(SIGKILL); /* the crash: no commit, no abort, no flush */
        _exit(99);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

    assert_false(testutil_exists(path));
    char name[256];
    assert_int_equal(count_entries(fx->dir, name, sizeof name), 1);
    char want[64];
    snprintf(want, sizeof want, ".trajectory.tsv.tmp.%ld", (long)pid);
    assert_string_equal(name, want);
    char *temp = testutil_path(fx->dir, name);
    struct stat sb;
    assert_int_equal(stat(temp, &sb), 0);
    assert_true(sb.st_size > 0);

    /* The leftover does not stop the next run from writing the table. */
    char err[ERRLEN] = "";
    tsv_writer *w = tsv_open(path, NULL, 0, traj_cols, 6, err, sizeof err);
    assert_non_null(w);
    assert_int_equal(tsv_commit(w, err, sizeof err), AS_OK);
    assert_true(testutil_exists(path));
    assert_true(testutil_exists(temp));
    free(temp);

    /*
     * A leftover whose PID is ours (the crashed process's PID reused) is
     * neither overwritten nor appended to: the writer takes the next name.
     */
    snprintf(want, sizeof want, ".trajectory.tsv.tmp.%ld", (long)getpid());
    char *stale = testutil_path(fx->dir, want);
    write_text(stale, "stale\n");
    w = tsv_open(path, NULL, 0, traj_cols, 6, err, sizeof err);
    assert_non_null(w);
    char *next = malloc(strlen(stale) + 3);
    assert_non_null(next);
    sprintf(next, "%s.1", stale);
    assert_string_equal(tsv_temp_path(w), next);
    assert_int_equal(tsv_commit(w, err, sizeof err), AS_OK);
    char *text = testutil_slurp(stale, NULL);
    assert_string_equal(text, "stale\n");
    free(text);
    free(next);
    free(stale);
    free(path);
}

/* Readers keep seeing the old complete file until the new one commits. */
static void test_commit_replaces_old_file_only_at_commit(void **state)
{
    fixture *fx = *state;
    char err[ERRLEN] = "";
    char *path = testutil_path(fx->dir, "summary.tsv");
    const char *old = "year\n1949.5\n";
    assert_int_equal(io_write_file_atomic(path, old, strlen(old), err, sizeof err),
                     AS_OK);

    const char *cols[] = {"year", "mean"};
    tsv_writer *w = tsv_open(path, NULL, 0, cols, 2, err, sizeof err);
    assert_non_null(w);
    for (int i = 0; i < 3000; i++) {
        tsv_fixed(w, 1949.5 + i, 1);
        tsv_double(w, 0.5);
        tsv_end_row(w);
    }
    char *text = testutil_slurp(path, NULL);
    assert_string_equal(text, old);
    free(text);

    assert_int_equal(tsv_commit(w, err, sizeof err), AS_OK);
    tsv_table *t = tsv_read(path, err, sizeof err);
    assert_non_null(t);
    assert_int_equal(tsv_rows(t), 3000);
    tsv_free(t);
    assert_int_equal(count_entries(fx->dir, NULL, 0), 1);
    free(path);
}

static void test_open_in_missing_folder_reports_path(void **state)
{
    fixture *fx = *state;
    char err[ERRLEN] = "";
    char *path = testutil_path(fx->dir, "no/such/summary.tsv");
    const char *cols[] = {"a"};
    assert_null(tsv_open(path, NULL, 0, cols, 1, err, sizeof err));
    expect_message(err, path, "No such file or directory");

    err[0] = '\0';
    assert_int_equal(io_write_file_atomic(path, "x", 1, err, sizeof err), AS_EIO);
    expect_message(err, path, "No such file or directory");

    /* A folder name is not a file name. */
    char *dirpath = testutil_path(fx->dir, "out/");
    assert_null(io_atomic_open(dirpath, err, sizeof err));
    expect_message(err, dirpath, "Is a directory");
    assert_int_equal(count_entries(fx->dir, NULL, 0), 0);
    free(dirpath);
    free(path);
}

static void test_open_below_a_file_reports_path(void **state)
{
    fixture *fx = *state;
    char err[ERRLEN] = "";
    char *plain = testutil_path(fx->dir, "plain");
    write_text(plain, "not a folder\n");
    char *path = testutil_path(plain, "summary.tsv");
    const char *cols[] = {"a"};
    assert_null(tsv_open(path, NULL, 0, cols, 1, err, sizeof err));
    expect_message(err, path, "Not a directory");
    free(path);
    free(plain);
}

/*
 * A read-only folder: root ignores permissions, so when the tests run as
 * root the attempt is made by a child that has dropped to nobody (65534).
 */
static void test_unwritable_folder_reports_path(void **state)
{
    fixture *fx = *state;
    char *ro = testutil_path(fx->dir, "readonly");
    assert_int_equal(mkdir(ro, 0755), 0);
    assert_int_equal(chmod(ro, 0555), 0);
    assert_int_equal(chmod(fx->dir, 0755), 0);
    char *path = testutil_path(ro, "summary.tsv");

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            child_report(fds[1], 's', "cannot drop root privileges");
        char cerr[ERRLEN] = "";
        const char *cols[] = {"a"};
        tsv_writer *w = tsv_open(path, NULL, 0, cols, 1, cerr, sizeof cerr);
        child_report(fds[1], w ? 'F' : 'o', cerr);
    }
    close(fds[1]);
    char msg[ERRLEN] = "";
    char verdict = child_collect(pid, fds[0], msg, sizeof msg);
    chmod(ro, 0755);
    if (verdict == 's') {
        free(path);
        free(ro);
        skip();
    }
    assert_int_equal(verdict, 'o');
    expect_message(msg, path, "Permission denied");
    assert_int_equal(count_entries(ro, NULL, 0), 0);
    free(path);
    free(ro);
}

/* The rename is the last step; its failure is reported and cleans up. */
static void test_commit_onto_a_folder_fails_and_removes_temp(void **state)
{
    fixture *fx = *state;
    char err[ERRLEN] = "";
    char *path = testutil_path(fx->dir, "summary.tsv");
    assert_int_equal(mkdir(path, 0755), 0);
    const char *cols[] = {"a"};
    tsv_writer *w = tsv_open(path, NULL, 0, cols, 1, err, sizeof err);
    assert_non_null(w);
    tsv_int(w, 7);
    tsv_end_row(w);
    assert_int_equal(tsv_commit(w, err, sizeof err), AS_EIO);
    expect_message(err, path, "Is a directory");
    assert_int_equal(count_entries(fx->dir, NULL, 0), 1);
    free(path);
}

/*
 * A full disk, simulated with a 4 KiB file-size limit in a child (SIGXFSZ
 * ignored, so write() fails with EFBIG instead of killing it).  The cell
 * writers notice once stdio flushes, the commit reports the first error with
 * the path, and neither the table nor its temporary file is left behind.
 */
static void test_write_error_is_reported_at_commit(void **state)
{
    fixture *fx = *state;
    char *path = testutil_path(fx->dir, "summary.tsv");
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit lim = {4096, 4096};
        if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
            child_report(fds[1], '1', "setrlimit failed");
        char cerr[ERRLEN] = "";
        const char *cols[] = {"year", "mean"};
        tsv_writer *w = tsv_open(path, NULL, 0, cols, 2, cerr, sizeof cerr);
        if (!w)
            child_report(fds[1], '2', cerr);
        int first_fail = -1;
        for (int i = 0; i < 10000; i++) {
            tsv_fixed(w, 1949.5 + i, 1);
            if (tsv_double(w, 1.0 / 3.0) != AS_OK && first_fail < 0)
                first_fail = i;
            tsv_end_row(w);
        }
        /* No failure may show before the limit, and one must show after. */
        if (first_fail < 100)
            child_report(fds[1], '3', "no write failure seen, or too early");
        int rc = tsv_commit(w, cerr, sizeof cerr);
        child_report(fds[1], rc == AS_EIO ? 'o' : '4', cerr);
    }
    close(fds[1]);
    char msg[ERRLEN] = "";
    char verdict = child_collect(pid, fds[0], msg, sizeof msg);
    if (verdict != 'o')
        print_error("child verdict %c: %s\n", verdict, msg);
    assert_int_equal(verdict, 'o');
    expect_message(msg, path, "File too large");
    assert_false(testutil_exists(path));
    assert_int_equal(count_entries(fx->dir, NULL, 0), 0);
    free(path);
}

static void test_wrong_cell_count_fails_the_table(void **state)
{
    fixture *fx = *state;
    char err[ERRLEN] = "";
    char *path = testutil_path(fx->dir, "milestones.tsv");
    const char *cols[] = {"dyad", "target_year", "sim_year"};

    /* Too few cells in the second row. */
    tsv_writer *w = tsv_open(path, NULL, 0, cols, 3, err, sizeof err);
    assert_non_null(w);
    tsv_str(w, "china-russia");
    tsv_fixed(w, 1950.12, 2);
    tsv_double(w, 1950.3);
    assert_int_equal(tsv_end_row(w), AS_OK);
    tsv_str(w, "china-russia");
    tsv_fixed(w, 1969.2, 2);
    assert_int_equal(tsv_end_row(w), AS_EUSAGE);
    /* Sticky: nothing more is accepted. */
    assert_int_equal(tsv_str(w, "x"), AS_EUSAGE);
    assert_int_equal(tsv_end_row(w), AS_EUSAGE);
    assert_int_equal(tsv_commit(w, err, sizeof err), AS_EUSAGE);
    expect_message(err, path, "row 2 (line 3): expected 3 cells, found 2");
    assert_int_equal(count_entries(fx->dir, NULL, 0), 0);

    /* Too many cells. */
    io_kv prov[] = {{"seed", "1"}};
    w = tsv_open(path, prov, 1, cols, 3, err, sizeof err);
    assert_non_null(w);
    tsv_str(w, "china-us");
    tsv_na(w);
    tsv_na(w);
    assert_int_equal(tsv_na(w), AS_EUSAGE);
    assert_int_equal(tsv_commit(w, err, sizeof err), AS_EUSAGE);
    expect_message(err, path,
                   "row 1 (line 3): expected 3 cells, found more than 3");
    assert_int_equal(count_entries(fx->dir, NULL, 0), 0);

    /* A row left unfinished at the commit. */
    w = tsv_open(path, NULL, 0, cols, 3, err, sizeof err);
    assert_non_null(w);
    tsv_str(w, "russia-us");
    assert_int_equal(tsv_commit(w, err, sizeof err), AS_EUSAGE);
    expect_message(err, path, "row 1 (line 2): expected 3 cells, found 1");
    assert_int_equal(count_entries(fx->dir, NULL, 0), 0);

    /* No columns at all. */
    assert_null(tsv_open(path, NULL, 0, cols, 0, err, sizeof err));
    expect_message(err, path, "a table needs at least one column");
    free(path);
}

static void test_reader_reports_ragged_rows_with_path_and_line(void **state)
{
    fixture *fx = *state;
    char err[ERRLEN] = "";
    char *path = testutil_path(fx->dir, "ragged.tsv");
    write_text(path, "# program: alignsim 0.1.0\n"
                     "year\tdyad\tx\n"
                     "1949.5\tchina-russia\t0.1\n"
                     "1950.5\tchina-russia\n"
                     "1951.5\tchina-russia\t0.2\textra\n"
                     "1952.5\tchina-russia\t0.3\n");
    assert_null(tsv_read(path, err, sizeof err));
    char want[ERRLEN];
    snprintf(want, sizeof want,
             "%s:4: error: expected 3 cells, found 2\n"
             "%s:5: error: expected 3 cells, found 4",
             path, path);
    assert_string_equal(err, want);

    /* A small buffer gets the first diagnostic, cut, still terminated. */
    char small[16];
    assert_null(tsv_read(path, small, sizeof small));
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_int_equal(strncmp(small, path, sizeof small - 1), 0);
    free(path);
}

static void test_reader_reports_missing_file_header_and_duplicates(void **state)
{
    fixture *fx = *state;
    char err[ERRLEN] = "";
    char *path = testutil_path(fx->dir, "absent.tsv");
    assert_null(tsv_read(path, err, sizeof err));
    expect_message(err, path, "No such file or directory");
    free(path);

    path = testutil_path(fx->dir, "noheader.tsv");
    write_text(path, "# program: alignsim 0.1.0\n# seed: 7\n");
    assert_null(tsv_read(path, err, sizeof err));
    char want[ERRLEN];
    snprintf(want, sizeof want,
             "%s:3: error: expected a header line of column names, found end "
             "of file",
             path);
    assert_string_equal(err, want);
    free(path);

    path = testutil_path(fx->dir, "empty.tsv");
    write_text(path, "");
    assert_null(tsv_read(path, err, sizeof err));
    snprintf(want, sizeof want,
             "%s:1: error: expected a header line of column names, found end "
             "of file",
             path);
    assert_string_equal(err, want);
    free(path);

    path = testutil_path(fx->dir, "dup.tsv");
    write_text(path, "# a: b\nyear\tx\tyear\n1949.5\t0\t1949.5\n");
    assert_null(tsv_read(path, err, sizeof err));
    snprintf(want, sizeof want,
             "%s:2: error: duplicate column name 'year' (columns 1 and 3)",
             path);
    assert_string_equal(err, want);
    free(path);
}

/* Files touched by spreadsheets and editors still read. */
static void test_reader_accepts_crlf_blank_and_comment_lines(void **state)
{
    fixture *fx = *state;
    char err[ERRLEN] = "";
    char *path = testutil_path(fx->dir, "edited.tsv");
    write_text(path, "#  scenario :  historical  \r\n"
                     "# a comment without a colon\n"
                     "\n"
                     "year\tdyad\tnote\r\n"
                     "1949.5\tchina-russia\t\r\n"
                     "\n"
                     "# a comment between rows, as gnuplot allows\n"
                     "1950.5\tchina-us\tlast line without newline");
    tsv_table *t = tsv_read(path, err, sizeof err);
    assert_non_null(t);
    assert_int_equal(tsv_nprov(t), 1);
    assert_string_equal(tsv_prov(t, "scenario"), "historical");
    assert_int_equal(tsv_cols(t), 3);
    assert_string_equal(tsv_colname(t, 2), "note");
    assert_int_equal(tsv_rows(t), 2);
    assert_string_equal(tsv_cell(t, 0, 2), "");
    assert_string_equal(tsv_cell(t, 1, 1), "china-us");
    assert_string_equal(tsv_cell(t, 1, 2), "last line without newline");
    assert_int_equal(tsv_row_line(t, 0), 5);
    assert_int_equal(tsv_row_line(t, 1), 8);
    tsv_free(t);
    free(path);
}

static void test_mkdir_p_creates_parents_and_rejects_files(void **state)
{
    fixture *fx = *state;
    char err[ERRLEN] = "";
    char *deep = testutil_path(fx->dir, "out/historical/run-1");
    assert_int_equal(io_mkdir_p(deep, err, sizeof err), AS_OK);
    struct stat st;
    assert_int_equal(stat(deep, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    /* Existing folders, and a trailing or doubled slash, are fine. */
    assert_int_equal(io_mkdir_p(deep, err, sizeof err), AS_OK);
    char *slashy = testutil_path(fx->dir, "out//historical/");
    assert_int_equal(io_mkdir_p(slashy, err, sizeof err), AS_OK);

    char *file = testutil_path(fx->dir, "out/results.tsv");
    write_text(file, "x\n");
    char *below = testutil_path(file, "sub/folder");
    assert_int_equal(io_mkdir_p(below, err, sizeof err), AS_EIO);
    expect_message(err, file, "Not a directory");
    assert_int_equal(io_mkdir_p(file, err, sizeof err), AS_EIO);
    expect_message(err, file, "Not a directory");
    assert_int_equal(io_mkdir_p("", err, sizeof err), AS_EIO);

    free(below);
    free(file);
    free(slashy);
    free(deep);
}

static void test_write_file_atomic_writes_exact_bytes(void **state)
{
    fixture *fx = *state;
    char err[ERRLEN] = "";
    char *path = testutil_path(fx->dir, "scenario.cfg");
    static const char data[] = "seed = 2385;\n\0binary\0tail";
    size_t len = sizeof data - 1;
    assert_int_equal(io_write_file_atomic(path, data, len, err, sizeof err),
                     AS_OK);
    size_t got = 0;
    char *text = testutil_slurp(path, &got);
    assert_int_equal(got, len);
    assert_memory_equal(text, data, len);
    free(text);

    assert_int_equal(io_write_file_atomic(path, "", 0, err, sizeof err), AS_OK);
    text = testutil_slurp(path, &got);
    assert_int_equal(got, 0);
    free(text);
    assert_int_equal(count_entries(fx->dir, NULL, 0), 1);

    /* Callers that do not want the message may pass no buffer. */
    char *missing = testutil_path(fx->dir, "no/scenario.cfg");
    assert_int_equal(io_write_file_atomic(missing, data, len, NULL, 0), AS_EIO);
    free(missing);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_roundtrip_keeps_provenance_header_and_cells),
        T(test_large_table_round_trips),
        T(test_doubles_print_shortest_round_trip),
        T(test_parse_double_rejects_non_numbers),
        T(test_fixed_decimals_for_years),
        T(test_abort_leaves_no_file_and_no_temp),
        T(test_crash_before_commit_leaves_only_temp),
        T(test_commit_replaces_old_file_only_at_commit),
        T(test_open_in_missing_folder_reports_path),
        T(test_open_below_a_file_reports_path),
        T(test_unwritable_folder_reports_path),
        T(test_commit_onto_a_folder_fails_and_removes_temp),
        T(test_write_error_is_reported_at_commit),
        T(test_wrong_cell_count_fails_the_table),
        T(test_reader_reports_ragged_rows_with_path_and_line),
        T(test_reader_reports_missing_file_header_and_duplicates),
        T(test_reader_accepts_crlf_blank_and_comment_lines),
        T(test_mkdir_p_creates_parents_and_rejects_files),
        T(test_write_file_atomic_writes_exact_bytes),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
