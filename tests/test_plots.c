/*
 * test_plots - scripts/plots.sh and the gnuplot scripts in analysis/ on the
 * fixture folders in tests/data/plots/ (a run and a batch of synthetic but
 * realistic China-Russia/US data, 1949-2030).
 *
 * Each test copies a fixture into a fresh temporary folder, runs plots.sh
 * there (from the top of the source tree, as `make test` does) and checks
 * what a user would notice: the exit status, the list of files printed, that
 * the images are real 1200x700 PNGs and SVGs with the expected text, that
 * the ladder comes from ladder.tsv, and that failures leave no image behind.
 * Tests are skipped only when gnuplot is not installed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLOTS_SH "scripts/plots.sh"
#define FIXTURES "tests/data/plots"

typedef struct {
    char *tmp;   /* scratch folder, removed by teardown */
} fixture;

typedef struct {
    int status;
    char *out;
    char *err;
} run_result;

/* Runs argv (argv[0] looked up in PATH) with stdout and stderr captured. */
static run_result run_cmd(const char *scratch, char *const argv[])
{
    run_result r = {0, NULL, NULL};
    char *outp = testutil_path(scratch, ".stdout");
    char *errp = testutil_path(scratch, ".stderr");
    fflush(NULL);
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
        execvp(argv[0], argv);
        _exit(127);
    }
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
    unlink(outp);
    unlink(errp);
    free(outp);
    free(errp);
    return r;
}

static void run_clear(run_result *r)
{
    free(r->out);
    free(r->err);
}

static int have_gnuplot(void)
{
    return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

static int setup(void **state)
{
    if (!testutil_exists(PLOTS_SH) || !testutil_exists(FIXTURES)) {
        fprintf(stderr, "test_plots: run from the top of the source tree "
                        "(%s and %s not found)\n",
                PLOTS_SH, FIXTURES);
        return -1;
    }
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    fx->tmp = testutil_mkdtemp();
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    testutil_rmtree(fx->tmp);
    free(fx->tmp);
    free(fx);
    return 0;
}

/* Copies fixture folder name into the scratch folder; returns its path. */
static char *copy_fixture(const fixture *fx, const char *name)
{
    char *src = testutil_path(FIXTURES, name);
    char *dst = testutil_path(fx->tmp, name);
    char *argv[] = {"cp", "-R", src, dst, NULL};
    run_result r = run_cmd(fx->tmp, argv);
    assert_int_equal(r.status, 0);
    run_clear(&r);
    free(src);
    return dst;
}

static run_result run_plots(const fixture *fx, const char *dir)
{
    char *argv[] = {PLOTS_SH, (char *)dir, NULL};
    return run_cmd(fx->tmp, argv);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

/*
 * Asserts that dir/name is a PNG of 1200x700 pixels with more than a blank
 * canvas in it (a plot with bands and lines compresses to tens of KB; an
 * empty 1200x700 canvas to a few hundred bytes).
 */
static void assert_chart_png(const char *dir, const char *name)
{
    char *path = testutil_path(dir, name);
    size_t len = 0;
    char *data = testutil_slurp(path, &len);
    if (!data)
        print_error("%s: not written\n", path);
    assert_non_null(data);
    assert_true(len > 20000);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    assert_memory_equal(data, sig, sizeof sig);
    const unsigned char *u = (const unsigned char *)data;
    assert_memory_equal(u + 12, "IHDR", 4);
    assert_int_equal(be32(u + 16), 1200);
    assert_int_equal(be32(u + 20), 700);
    free(data);
    free(path);
}

/* Reads dir/name, an SVG image, and returns its text. */
static char *read_svg(const char *dir, const char *name)
{
    char *path = testutil_path(dir, name);
    char *text = testutil_slurp(path, NULL);
    if (!text)
        print_error("%s: not written\n", path);
    assert_non_null(text);
    assert_non_null(strstr(text, "<svg"));
    assert_non_null(strstr(text, "</svg>"));
    free(path);
    return text;
}


/* Writes text to dir/name. */
static void write_file(const char *dir, const char *name, const char *text)
{
    char *path = testutil_path(dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
    free(path);
}

static int exists_in(const char *dir, const char *name)
{
    char *path = testutil_path(dir, name);
    int e = testutil_exists(path);
    free(path);
    return e;
}

/* ------------------------------------------------------------------ */

static void test_run_folder_draws_trajectory(void **state)
{
    if (!have_gnuplot())
        skip();
    fixture *fx = *state;
    char *dir = copy_fixture(fx, "run");
    run_result r = run_plots(fx, dir);
    if (r.status != 0)
        print_error("plots.sh stderr:\n%s\n", r.err);
    assert_int_equal(r.status, 0);

    char want[4096];
    snprintf(want, sizeof want, "%s/trajectory.png\n%s/trajectory.svg\n", dir,
             dir);
    assert_string_equal(r.out, want);
    assert_chart_png(dir, "trajectory.png");

    char *svg = read_svg(dir, "trajectory.svg");
    /* Legend: the three default dyads, not the fourth dyad of the run. */
    assert_contains(svg, "china-russia");
    assert_contains(svg, "china-us");
    assert_contains(svg, "russia-us");
    assert_null(strstr(svg, "china-kazakhstan"));
    /* Ladder band names, the milestone marks and the unmet target. */
    assert_contains(svg, "7 alliance");
    assert_contains(svg, "-2 armed clashes");
    assert_contains(svg, "4 treaty-backed strategic partnership");
    assert_contains(svg, "milestone, historical");
    assert_contains(svg, "not reached");
    assert_contains(svg, "scenario historical, seed 2385");
    free(svg);

    assert_false(exists_in(dir, ".trajectory.png.tmp"));
    assert_false(exists_in(dir, ".trajectory.svg.tmp"));
    run_clear(&r);
    free(dir);
}

static void test_batch_folder_draws_fan_per_dyad(void **state)
{
    if (!have_gnuplot())
        skip();
    fixture *fx = *state;
    char *dir = copy_fixture(fx, "batch");
    run_result r = run_plots(fx, dir);
    if (r.status != 0)
        print_error("plots.sh stderr:\n%s\n", r.err);
    assert_int_equal(r.status, 0);

    static const char *const dyads[] = {"china-russia", "china-us", "russia-us"};
    char want[4096] = "";
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(want);
        snprintf(want + n, sizeof want - n, "%s/fan_%s.png\n%s/fan_%s.svg\n",
                 dir, dyads[i], dir, dyads[i]);
    }
    assert_string_equal(r.out, want);

    for (size_t i = 0; i < 3; i++) {
        char name[64];
        snprintf(name, sizeof name, "fan_%s.png", dyads[i]);
        assert_chart_png(dir, name);
        snprintf(name, sizeof name, "fan_%s.svg", dyads[i]);
        char *svg = read_svg(dir, name);
        char title[128];
        snprintf(title, sizeof title, "%s: 200 replications, scenario historical",
                 dyads[i]);
        assert_contains(svg, title);
        assert_contains(svg, "5-95% of replications");
        assert_contains(svg, "95% CI of the mean");
        assert_contains(svg, "P(alliance)");
        /* No ladder.tsv in the batch fixture: the default ladder is drawn. */
        assert_contains(svg, "3 strategic partnership");
        free(svg);
    }
    /* The batch has no trajectory, so no trajectory plot. */
    assert_false(exists_in(dir, "trajectory.png"));
    run_clear(&r);
    free(dir);
}

/* Only the default dyads that the summary has get a fan chart. */
static void test_fan_only_for_dyads_in_summary(void **state)
{
    if (!have_gnuplot())
        skip();
    fixture *fx = *state;
    char *dir = testutil_path(fx->tmp, "only-china-us");
    assert_int_equal(mkdir(dir, 0755), 0);
    char *src = testutil_slurp(FIXTURES "/batch/summary.tsv", NULL);
    assert_non_null(src);
    /* Keep provenance, header and the china-us rows. */
    size_t cap = strlen(src) + 1, n = 0;
    char *dst = malloc(cap);
    assert_non_null(dst);
    for (char *line = strtok(src, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || strncmp(line, "year\t", 5) == 0 ||
            strstr(line, "\tchina-us\t")) {
            n += (size_t)snprintf(dst + n, cap - n, "%s\n", line);
        }
    }
    write_file(dir, "summary.tsv", dst);
    free(dst);
    free(src);

    run_result r = run_plots(fx, dir);
    if (r.status != 0)
        print_error("plots.sh stderr:\n%s\n", r.err);
    assert_int_equal(r.status, 0);
    char want[4096];
    snprintf(want, sizeof want, "%s/fan_china-us.png\n%s/fan_china-us.svg\n",
             dir, dir);
    assert_string_equal(r.out, want);
    assert_chart_png(dir, "fan_china-us.png");
    assert_false(exists_in(dir, "fan_china-russia.png"));
    assert_false(exists_in(dir, "fan_russia-us.png"));
    run_clear(&r);
    free(dir);
}

/* A seminar's own ladder.tsv replaces the default bands. */
static void test_ladder_file_sets_the_bands(void **state)
{
    if (!have_gnuplot())
        skip();
    fixture *fx = *state;
    char *dir = copy_fixture(fx, "run");
    /* Rows out of order on purpose: the scripts sort by label. */
    write_file(dir, "ladder.tsv",
               "# scenario: seminar\n"
               "label\tlabel_name\tx_min\n"
               "2\tseminar hot band\t0.5\n"
               "0\tseminar cold band\tNA\n"
               "1\tseminar warm band\t-0.1\n");
    run_result r = run_plots(fx, dir);
    if (r.status != 0)
        print_error("plots.sh stderr:\n%s\n", r.err);
    assert_int_equal(r.status, 0);
    char *svg = read_svg(dir, "trajectory.svg");
    assert_contains(svg, "0 seminar cold band");
    assert_contains(svg, "1 seminar warm band");
    assert_contains(svg, "2 seminar hot band");
    assert_null(strstr(svg, "treaty-backed"));
    assert_null(strstr(svg, "armed clashes"));
    free(svg);
    run_clear(&r);
    free(dir);
}

static void test_folder_without_data_fails_with_message(void **state)
{
    if (!have_gnuplot())
        skip();
    fixture *fx = *state;
    char *dir = testutil_path(fx->tmp, "empty");
    assert_int_equal(mkdir(dir, 0755), 0);
    write_file(dir, "events.tsv", "time\ttype\tactors\tdetail\n");
    run_result r = run_plots(fx, dir);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_contains(r.err, dir);
    assert_contains(r.err, "nothing to plot");
    assert_contains(r.err, "trajectory.tsv");
    run_clear(&r);

    char *missing = testutil_path(fx->tmp, "no-such-folder");
    r = run_plots(fx, missing);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, "no such folder");
    run_clear(&r);

    char *argv[] = {PLOTS_SH, NULL};
    r = run_cmd(fx->tmp, argv);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "usage");
    run_clear(&r);
    free(missing);
    free(dir);
}

/*
 * A table gnuplot cannot draw (a header and no rows) makes plots.sh fail,
 * and neither a final image nor a temporary one is left in the folder.
 */
static void test_unusable_table_fails_and_leaves_no_image(void **state)
{
    if (!have_gnuplot())
        skip();
    fixture *fx = *state;
    char *dir = testutil_path(fx->tmp, "broken");
    assert_int_equal(mkdir(dir, 0755), 0);
    write_file(dir, "trajectory.tsv",
               "# program: alignsim 0.1.0\n"
               "year\tdyad\tx\tlabel\tlabel_name\tcommitment\n");
    run_result r = run_plots(fx, dir);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, "gnuplot failed on analysis/trajectory.gp");
    assert_false(exists_in(dir, "trajectory.png"));
    assert_false(exists_in(dir, "trajectory.svg"));
    assert_false(exists_in(dir, ".trajectory.png.tmp"));
    run_clear(&r);
    free(dir);
}

/* The scripts also run by hand, with the dyads of the user's choice. */
static void test_trajectory_script_takes_dyads(void **state)
{
    if (!have_gnuplot())
        skip();
    fixture *fx = *state;
    char *dir = copy_fixture(fx, "run");
    char expr[4096];
    snprintf(expr, sizeof expr, "dir='%s'; dyads='china-kazakhstan china-russia'",
             dir);
    char *argv[] = {"gnuplot", "-e", expr, "analysis/trajectory.gp", NULL};
    run_result r = run_cmd(fx->tmp, argv);
    if (r.status != 0)
        print_error("gnuplot stderr:\n%s\n", r.err);
    assert_int_equal(r.status, 0);
    char *svg = read_svg(dir, "trajectory.svg");
    assert_contains(svg, "china-kazakhstan");
    assert_null(strstr(svg, "russia-us"));
    free(svg);
    assert_chart_png(dir, "trajectory.png");
    run_clear(&r);

    /* Without dir the script says how to call it. */
    char *argv2[] = {"gnuplot", "analysis/trajectory.gp", NULL};
    r = run_cmd(fx->tmp, argv2);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, "usage");
    run_clear(&r);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_run_folder_draws_trajectory),
        T(test_batch_folder_draws_fan_per_dyad),
        T(test_fan_only_for_dyads_in_summary),
        T(test_ladder_file_sets_the_bands),
        T(test_folder_without_data_fails_with_message),
        T(test_unusable_table_fails_and_leaves_no_image),
        T(test_trajectory_script_takes_dyads),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
