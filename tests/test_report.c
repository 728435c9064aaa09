/*
 * test_report - `alignsim report`: the seminar HTML file.
 *
 * Known answers first: SHA-256 and base64 on the FIPS 180-2 and RFC 4648
 * vectors (the page's Content-Security-Policy runs its script and style by
 * these hashes), the reader-facing number formats, and the SVG rewriting
 * that lets many gnuplot figures share one page.
 *
 * Then the program: the group set-up runs alignsim for every kind of
 * result folder (run, batch, claim, two rival batches, their comparison, a
 * sweep, a sensitivity analysis, a calibration; the infer folder is the
 * hand-made fixture tests/data/report/infer), and the tests build reports
 * from them and check what a seminar would notice: every expected section,
 * the claim's numbers and the milestone rows as the folders hold them,
 * both scenarios' names and every setting that differs, nothing that
 * would load a resource, figures with titles and text alternatives, the
 * same bytes from the same folders, and, for a folder that is not a
 * complete result folder, an error naming the file (exit 2) and no report.
 *
 * Last, the report in a real browser (Debian's chromium, headless): the DOM
 * after the script ran has every section and number, the script ran under
 * the policy, the browser logged no console message, and a screenshot is
 * a picture of the expected size with more in it than a blank page.
 * Without chromium those tests are skipped with a message saying so; CI
 * installs it (scripts/ensure-deps.sh browser).
 */
#define _XOPEN_SOURCE 700 /* realpath, for the browser's file:// address */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/status.h"
#include "io/tsv.h"
#include "report/html.h"
#include "report/plot.h"
#include "report/sha256.h"
#include "scenario/diff.h"
#include "scenario/scenario.h"
#include "study/compare.h"

#define HISTORICAL "scenarios/historical.cfg"
#define INFER_FIXTURE "tests/data/report/infer"

/* ------------------------------------------------------------------ */
/* Known answers                                                      */
/* ------------------------------------------------------------------ */

static void hex(const unsigned char *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_sha256_fips_vectors(void **state)
{
    (void)state;
    unsigned char d[SHA256_BYTES];
    char h[2 * SHA256_BYTES + 1];
    sha256("abc", 3, d);
    hex(d, sizeof d, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha256("", 0, d);
    hex(d, sizeof d, h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    /* 448 bits: the padding needs a second block. */
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256(m, strlen(m), d);
    hex(d, sizeof d, h);
    assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* One million 'a': many blocks. */
    char *a = malloc(1000000);
    assert_non_null(a);
    memset(a, 'a', 1000000);
    sha256(a, 1000000, d);
    free(a);
    hex(d, sizeof d, h);
    assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_base64_rfc4648_vectors(void **state)
{
    (void)state;
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        char b[16];
        assert_int_equal(base64_encode(in[i], strlen(in[i]), b), strlen(out[i]));
        assert_string_equal(b, out[i]);
    }
    /* The form a Content-Security-Policy hash source takes (the value
     * chromium itself prints for this script). */
    char h[SHA256_BASE64_SIZE];
    sha256_base64("abc", h);
    assert_string_equal(h, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
}

static char *take(buf *b)
{
    char *s = buf_take(b);
    assert_non_null(s);
    return s;
}

static void test_html_text_and_numbers(void **state)
{
    (void)state;
    buf b = {0};
    html_text(&b, "a<b & 'c' \"d\">");
    html_textn(&b, "xyz", 2);
    html_text(&b, "\x01\t\x7f.");
    char *s = take(&b);
    assert_string_equal(s, "a&lt;b &amp; &#39;c&#39; &quot;d&quot;&gt;xy\xef\xbf\xbd\t\xef\xbf\xbd.");
    free(s);

    html_fixed(&b, 0.0876, 3);
    buf_puts(&b, " ");
    html_fixed(&b, -0.0004, 3); /* rounds to zero: no minus sign */
    buf_puts(&b, " ");
    html_fixed(&b, NAN, 2);
    buf_puts(&b, " ");
    html_fixed(&b, 2016.2049, 2);
    s = take(&b);
    assert_string_equal(s, "0.088 0.000 NA 2016.20");
    free(s);

    html_signed(&b, 0.0333);
    buf_puts(&b, " ");
    html_signed(&b, -3.1e-7);
    buf_puts(&b, " ");
    html_signed(&b, 0.0);
    buf_puts(&b, " ");
    html_signed(&b, -0.25);
    s = take(&b);
    assert_string_equal(s, "+0.033 -3e-07 0.000 -0.250");
    free(s);

    html_interval(&b, 0.0, 0.08809730287880235, 3);
    buf_puts(&b, " ");
    html_interval(&b, NAN, NAN, 3);
    s = take(&b);
    assert_string_equal(s, "[0.000, 0.088] NA");
    free(s);

    /* Decimal years: 1950.12 is in February, 1969.17 in March, 1992.96 in
     * December. */
    html_month_year(&b, 1950.12);
    buf_puts(&b, ", ");
    html_month_year(&b, 1969.17);
    buf_puts(&b, ", ");
    html_month_year(&b, 1992.96);
    buf_puts(&b, ", ");
    html_month_year(&b, 2001.0);
    s = take(&b);
    assert_string_equal(s, "Feb 1950, Mar 1969, Dec 1992, Jan 2001");
    free(s);

    html_utc(&b, 86400LL * 365);
    s = take(&b);
    assert_string_equal(s, "1971-01-01 00:00 UTC");
    free(s);
}

/* gnuplot's SVG, inlined: prologue gone, ids and references prefixed, the
 * report's title and description in, namespaces dropped. */
static void test_svg_inline_rewrites_ids_and_titles(void **state)
{
    (void)state;
    const char *svg = "<?xml version=\"1.0\" encoding=\"utf-8\"  standalone=\"no\"?>\n"
                      "<!DOCTYPE svg>\n"
                      "<svg \n viewBox=\"0 0 10 10\"\n xmlns=\"http://www.w3.org/2000/svg\"\n"
                      " xmlns:xlink=\"http://www.w3.org/1999/xlink\"\n>\n"
                      "<title>Gnuplot</title>\n<desc>Produced by GNUPLOT</desc>\n"
                      "<!-- a comment -->"
                      "<g id=\"gnuplot_canvas\"><defs><path id='gpPt0' d='M0,0'/></defs>"
                      "<use xlink:href='#gpPt0' fill = 'url(#grad)'/>"
                      "<g><title>china-russia</title><text>x &lt; 1</text></g></g>\n</svg>\n";
    buf b = {0};
    char err[256] = "";
    assert_int_equal(svg_inline(&b, svg, "fig7", "Fan <chart>", "In 2029, x = 0.8", err, sizeof err), AS_OK);
    char *s = take(&b);
    assert_string_equal(s,
                        "<svg role=\"img\" class=\"plot\" aria-labelledby=\"fig7-title fig7-desc\" "
                        "viewBox=\"0 0 10 10\">\n"
                        "<title id=\"fig7-title\">Fan &lt;chart&gt;</title>\n"
                        "<desc id=\"fig7-desc\">In 2029, x = 0.8</desc>\n\n\n"
                        "<g id=\"fig7-gnuplot_canvas\"><defs><path id='fig7-gpPt0' d='M0,0'/></defs>"
                        "<use xlink:href='#fig7-gpPt0' fill='url(#fig7-grad)'/>"
                        "<g><title>china-russia</title><text>x &lt; 1</text></g></g>\n</svg>\n");
    free(s);
}

/* What a strict policy would block or what reaches outside the image is
 * refused, with what was found. */
static void test_svg_inline_refuses_what_would_load_or_run(void **state)
{
    (void)state;
    static const struct {
        const char *svg, *why;
    } bad[] = {
        {"<svg><script>alert(1)</script></svg>", "<script>"},
        {"<svg onload='x()'></svg>", "onload attribute"},
        {"<svg><rect style='fill:red'/></svg>", "style attribute"},
        {"<svg><use href='http://example.org/a.svg#x'/></svg>", "outside the image"},
        {"<svg><use xlink:href='data:image/png;base64,AAAA'/></svg>", "outside the image"},
        {"<svg><image xlink:href='#x'/></svg>", "<image>"},
        {"<svg><rect fill='url(http://example.org/p)'/></svg>", "resource outside the image"},
        {"<svg><rect fill=red/></svg>", "unquoted"},
        {"<svg><rect fill='red", "cut short"},
        {"no svg here", "not an SVG"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        buf b = {0};
        char err[256] = "";
        assert_int_equal(svg_inline(&b, bad[i].svg, "f", "t", "d", err, sizeof err), AS_ERUNTIME);
        assert_contains(err, bad[i].why);
        buf_clear(&b);
    }
}

/* ------------------------------------------------------------------ */
/* Result folders made by the program                                 */
/* ------------------------------------------------------------------ */

typedef struct {
    char *root;
    char *all_path;   /* the report of every folder, made once */
    char *all;        /* its text */
} group;

typedef struct {
    const group *g;
    char *tmp;
} fixture;

static int group_setup(void **state)
{
    if (!testutil_exists(HISTORICAL) || !testutil_exists(INFER_FIXTURE)) {
        fprintf(stderr, "test_report: run from the top of the source tree\n");
        return -1;
    }
    group *g = calloc(1, sizeof *g);
    if (!g)
        return -1;
    g->root = testutil_mkdtemp();
    *state = g;
    char top[PATH_MAX], d[PATH_MAX], e[PATH_MAX], f[PATH_MAX], sweep[PATH_MAX];
    if (!getcwd(top, sizeof top))
        return -1;
#define DIR_OF(buf, name) snprintf(buf, sizeof buf, "%s/%s", g->root, name)
    DIR_OF(d, "run");
    const char *run[] = {"run", HISTORICAL, "-o", d, NULL};
    if (testutil_run_ok(run))
        return -1;
    DIR_OF(d, "batch");
    const char *batch[] = {"batch", HISTORICAL, "-n", "20", "-q", "-o", d, NULL};
    if (testutil_run_ok(batch))
        return -1;
    /* The same seeds and replications as the batch: its no-reversal
     * condition is the batch itself. */
    DIR_OF(d, "claim");
    const char *claim[] = {"claim", HISTORICAL, "-n", "20", "-q", "-o", d, NULL};
    if (testutil_run_ok(claim))
        return -1;
    DIR_OF(d, "opposite");
    DIR_OF(e, "precursor");
    DIR_OF(f, "compare");
    const char *ba[] = {"batch", "scenarios/rivals/opposite.cfg", "-n", "10", "-q", "-o", d, NULL};
    const char *bb[] = {"batch", "scenarios/rivals/precursor.cfg", "-n", "10", "-q",
                        "--set", "model.w_triad=0.31", "-o", e, NULL};
    const char *cmp[] = {"compare", d, e, "-q", "-o", f, NULL};
    if (testutil_run_ok(ba) || testutil_run_ok(bb) || testutil_run_ok(cmp))
        return -1;

    snprintf(sweep, sizeof sweep, "%s/tiny.cfg", g->root);
    FILE *fp = fopen(sweep, "w");
    if (!fp)
        return -1;
    fprintf(fp,
            "name = \"tiny\";\nscenario = \"%s/" HISTORICAL "\";\ndesign = \"sobol\";\npoints = 3;\nreps = 4;\n"
            "parameters = ( { path = \"model.gate_security\"; min = 1.0; max = 10.0; },\n"
            "               { path = \"model.w_threat\"; min = 0.5; max = 2.0; } );\n"
            "sensitivity = { base_samples = 8; reps = 2; bootstrap = 20; confidence = 0.9; };\n",
            top);
    if (fclose(fp) != 0)
        return -1;
    DIR_OF(d, "sweep");
    const char *sw[] = {"sweep", sweep, "-q", "-o", d, NULL};
    DIR_OF(e, "sensitivity");
    const char *se[] = {"sensitivity", sweep, "-q", "-o", e, NULL};
    if (testutil_run_ok(sw) || testutil_run_ok(se))
        return -1;
    DIR_OF(d, "calibrate");
    const char *ca[] = {"calibrate", "scenarios/calibrate/opposite.cfg", "-n", "2", "-q",
                        "--set", "calibrate.starts=1", "--set", "calibrate.max_iterations=3", "-o", d, NULL};
    if (testutil_run_ok(ca))
        return -1;
#undef DIR_OF

    /* One report of every kind of folder, read by most tests below. */
    char infer[PATH_MAX + 32];
    snprintf(infer, sizeof infer, "%s/" INFER_FIXTURE, top);
    static const char *const kinds[] = {"run", "batch", "claim", "opposite", "precursor", "compare",
                                        "sweep", "sensitivity", "calibrate"};
    const char *args[32] = {"report"};
    char paths[9][PATH_MAX];
    size_t n = 1;
    for (size_t i = 0; i < 9; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", g->root, kinds[i]);
        args[n++] = paths[i];
    }
    args[n++] = infer;
    g->all_path = testutil_path(g->root, "all.html");
    args[n++] = "-o";
    args[n++] = g->all_path;
    args[n] = NULL;
    testutil_result r = testutil_run(args);
    if (r.status != 0 || r.err[0])
        fprintf(stderr, "test_report: alignsim report of every folder: status %d\n%s\n", r.status, r.err);
    int ok = r.status == 0 && !r.err[0];
    testutil_result_clear(&r);
    g->all = ok ? testutil_slurp(g->all_path, NULL) : NULL;
    return g->all ? 0 : -1;
}

static int group_teardown(void **state)
{
    group *g = *state;
    if (g) {
        testutil_rmtree(g->root);
        free(g->root);
        free(g->all_path);
        free(g->all);
        free(g);
    }
    return 0;
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    fx->g = *state;
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

/* The path of the group's folder name (a static buffer per call site is
 * not needed: the caller frees). */
static char *folder(const fixture *fx, const char *name)
{
    return testutil_path(fx->g->root, name);
}

/* Copies the group's folder name into the scratch folder. */
static char *copy_folder(const fixture *fx, const char *name)
{
    char *src = folder(fx, name);
    char *dst = testutil_path(fx->tmp, name);
    testutil_copy_tree(src, dst);
    free(src);
    return dst;
}

/* Runs `alignsim report` on the folders (NULL-terminated) into out, with
 * -j jobs unless jobs is NULL. */
static testutil_result report_j(const char *out, const char *const *dirs, const char *title, const char *jobs)
{
    const char *args[64] = {"report"};
    size_t n = 1;
    if (jobs) {
        args[n++] = "-j";
        args[n++] = jobs;
    }
    for (size_t i = 0; dirs[i]; i++)
        args[n++] = dirs[i];
    args[n++] = "-o";
    args[n++] = out;
    if (title) {
        args[n++] = "--title";
        args[n++] = title;
    }
    args[n] = NULL;
    return testutil_run(args);
}

static testutil_result report(const char *out, const char *const *dirs, const char *title)
{
    return report_j(out, dirs, title, NULL);
}

/* Reports the folders and returns the page (heap); asserts success with
 * nothing on stderr. */
static char *report_ok(const fixture *fx, const char *const *names, const char *title)
{
    const char *dirs[32];
    char *paths[32];
    size_t n = 0;
    for (; names[n]; n++) {
        paths[n] = strcmp(names[n], "infer") == 0 ? strdup(INFER_FIXTURE) : folder(fx, names[n]);
        dirs[n] = paths[n];
    }
    dirs[n] = NULL;
    char *out = testutil_path(fx->tmp, "report.html");
    testutil_result r = report(out, dirs, title);
    if (r.status != 0 || r.err[0])
        print_error("alignsim report: status %d\n%s\n", r.status, r.err);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    assert_contains(r.out, "wrote ");
    char *html = testutil_slurp(out, NULL);
    assert_non_null(html);
    testutil_result_clear(&r);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(out);
    return html;
}

static tsv_table *table(const fixture *fx, const char *dir, const char *file)
{
    char *d = folder(fx, dir);
    char *p = testutil_path(d, file);
    char err[1024];
    tsv_table *t = tsv_read(p, err, sizeof err);
    if (!t)
        print_error("%s\n", err);
    assert_non_null(t);
    free(p);
    free(d);
    return t;
}

static double num(const tsv_table *t, size_t row, const char *col)
{
    long c = tsv_column(t, col);
    assert_true(c >= 0);
    double v;
    assert_int_equal(tsv_parse_double(tsv_cell(t, row, (size_t)c), &v), 0);
    return v;
}

static const char *str(const tsv_table *t, size_t row, const char *col)
{
    long c = tsv_column(t, col);
    assert_true(c >= 0);
    return tsv_cell(t, row, (size_t)c);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The text between <tag> and </tag> of the first such element. */
static char *element(const char *html, const char *open, const char *close)
{
    const char *a = strstr(html, open);
    assert_non_null(a);
    a += strlen(open);
    const char *b = strstr(a, close);
    assert_non_null(b);
    char *s = malloc((size_t)(b - a) + 1);
    assert_non_null(s);
    memcpy(s, a, (size_t)(b - a));
    s[b - a] = '\0';
    return s;
}

/*
 * The file references nothing outside itself: no src attribute, every
 * href a fragment (#...), no @import, no url() but url(#...), no
 * http(s):, file: or protocol-relative // reference in an attribute.
 */
static void assert_self_contained(const char *html)
{
    assert_null(strstr(html, " src="));
    assert_null(strstr(html, "@import"));
    for (const char *p = strstr(html, "href="); p; p = strstr(p + 1, "href=")) {
        char q = p[5];
        if (q != '"' && q != '\'') {
            print_error("unquoted href near: %.60s\n", p);
            fail();
        }
        if (p[6] != '#') {
            print_error("href to something outside the file: %.80s\n", p);
            fail();
        }
    }
    for (const char *p = strstr(html, "url("); p; p = strstr(p + 1, "url(")) {
        if (p[4] != '#') {
            print_error("url() outside the file: %.80s\n", p);
            fail();
        }
    }
    static const char *const schemes[] = {"=\"http:", "='http:", "=\"https:", "='https:", "=\"file:", "='file:",
                                          "=\"//", "='//", "=\"data:", "='data:"};
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        assert_null(strstr(html, schemes[i]));
    assert_null(strstr(html, "http://"));
    assert_null(strstr(html, "https://"));
}

/* The policy: nothing loads; the one style and the one script run by the
 * hashes of their exact text. */
static void assert_policy(const char *html)
{
    char *style = element(html, "<style>", "</style>");
    char *script = element(html, "<script>", "</script>");
    char hs[SHA256_BASE64_SIZE], hj[SHA256_BASE64_SIZE], want[512];
    sha256_base64(style, hs);
    sha256_base64(script, hj);
    snprintf(want, sizeof want,
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-%s'; "
             "script-src 'sha256-%s'; base-uri 'none'; form-action 'none'\">",
             hs, hj);
    assert_contains(html, want);
    assert_int_equal(count(html, "<style>"), 1);
    assert_int_equal(count(html, "<script>"), 1);
    /* Inline style attributes and handlers would be blocked: none. */
    assert_null(strstr(html, " style="));
    assert_null(strstr(html, " onclick="));
    assert_null(strstr(html, " onload="));
    free(style);
    free(script);
}

/* Every figure has a title and a text alternative, and every table header
 * cells. */
static void assert_accessible(const char *html)
{
    size_t figures = count(html, "<figure id=");
    assert_true(figures > 0);
    assert_int_equal(count(html, "<svg role=\"img\" class=\"plot\" aria-labelledby=\""), figures);
    assert_int_equal(count(html, "<figcaption><strong>"), figures);
    for (size_t i = 1; i <= figures; i++) {
        char want[64];
        snprintf(want, sizeof want, "<title id=\"fig%zu-title\">", i);
        assert_contains(html, want);
        snprintf(want, sizeof want, "<desc id=\"fig%zu-desc\">", i);
        assert_contains(html, want);
        /* The text alternative is not empty. */
        const char *d = strstr(html, want) + strlen(want);
        assert_true(strncmp(d, "</desc>", 7) != 0);
    }
    assert_int_equal(count(html, "<table>"), count(html, "<thead><tr><th scope=\"col\">"));
    assert_contains(html, "<html lang=\"en\">");
}

/* ------------------------------------------------------------------ */

static void test_report_of_every_kind_has_every_section(void **state)
{
    fixture *fx = *state;
    const char *html = fx->g->all;
    static const char *const sections[] = {"question", "scenario", "replay", "fans", "claim", "compare",
                                           "sweep", "sensitivity", "calibrate", "infer", "provenance"};
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        char want[128];
        snprintf(want, sizeof want, "<section id=\"%s\" aria-labelledby=\"%s-h\">", sections[i], sections[i]);
        assert_contains(html, want);
        snprintf(want, sizeof want, "<li><a href=\"#%s\">", sections[i]);
        assert_contains(html, want);
    }
    assert_self_contained(html);
    assert_policy(html);
    assert_accessible(html);
    /* Every folder is in the provenance table, with its program. */
    assert_contains(html, "<td>alignsim " ALIGNSIM_VERSION "</td><td>sweep</td>");
    assert_contains(html, "<td>calibrate</td><td>calibrate_opposite</td>");
}

/* The verdict and the two conditions' rows hold claim.tsv's numbers. */
static void test_claim_numbers_are_those_of_the_folder(void **state)
{
    fixture *fx = *state;
    const char *html = fx->g->all;
    tsv_table *c = table(fx, "claim", "claim.tsv");
    static const char *const conds[] = {"no_reversal", "reversal"};
    static const char *const heads[] = {"no reversal: P(alliance by the horizon)",
                                        "reversal: P(alliance within the window)"};
    for (size_t k = 0; k < 2; k++) {
        size_t r = 0;
        while (strcmp(str(c, r, "condition"), conds[k]) != 0)
            r++;
        char want[512];
        snprintf(want, sizeof want,
                 "<tr><th scope=\"row\">%s</th><td class=\"num\">%.0f</td><td>%s</td><td class=\"num\">%.3f</td>"
                 "<td class=\"num\">[%.3f, %.3f]</td><td class=\"num\">%s %s</td>",
                 heads[k], num(c, r, "reps"), str(c, r, "alliances"), num(c, r, "p_alliance"), num(c, r, "ci_lo"),
                 num(c, r, "ci_hi"), strcmp(str(c, r, "side"), "above") == 0 ? "&gt;" : "&lt;", str(c, r, "bound"));
        assert_contains(html, want);
    }
    /* The overall verdict, from the last row. */
    size_t last = tsv_rows(c) - 1;
    assert_string_equal(str(c, last, "condition"), "claim");
    const char *holds = str(c, last, "holds");
    const char *v = strcmp(holds, "1") == 0 ? "holds\">HOLDS" : strcmp(holds, "0") == 0 ? "fails\">FAILS"
                                                                                         : "undecided\">is UNDECIDED";
    char want[128];
    snprintf(want, sizeof want, "<span class=\"verdict %s</span>", v);
    assert_int_equal(count(html, want), 2); /* the question and the claim section */
    /* The program's own words, read aloud, and the crossing strength. */
    char *verdict_path = testutil_path(fx->g->root, "claim/verdict.txt");
    char *verdict = testutil_slurp(verdict_path, NULL);
    assert_non_null(verdict);
    char *line = strtok(verdict, "\n");
    assert_contains(html, line);
    tsv_table *curve = table(fx, "claim", "claim_curve.tsv");
    const char *half = tsv_prov(curve, "half_strength");
    assert_non_null(half);
    if (strcmp(half, "NA") != 0) {
        snprintf(want, sizeof want, "passes one half at strength %s", half);
        assert_contains(html, want);
    }
    tsv_free(curve);
    free(verdict);
    free(verdict_path);
    tsv_free(c);
}

/* Every milestone of the batch is a row: its note, historical date and
 * the share of replications within two years; the claim's identical
 * no-reversal batch is not shown twice. */
static void test_milestone_rows_are_those_of_the_batch(void **state)
{
    fixture *fx = *state;
    /* The batch's table: from its heading to the end of the table. */
    char *dir = folder(fx, "batch"), head[PATH_MAX + 64];
    snprintf(head, sizeof head, "<h3><code>%s</code> (batch)", dir);
    const char *start = strstr(fx->g->all, head);
    assert_non_null(start);
    const char *stop = strstr(start, "</table>");
    assert_non_null(stop);
    char *html = strndup(start, (size_t)(stop - start));
    assert_non_null(html);
    tsv_table *m = table(fx, "batch", "milestones.tsv");
    assert_true(tsv_rows(m) > 10);
    for (size_t r = 0; r < tsv_rows(m); r++) {
        char want[512];
        snprintf(want, sizeof want, "<tr><th scope=\"row\">%s</th><td>%s</td>", str(m, r, "dyad"),
                 str(m, r, "note"));
        assert_contains(html, want);
        assert_int_equal(count(html, want), 1);
        const char *row = strstr(html, want);
        double share = num(m, r, "within2");
        snprintf(want, sizeof want, "<td class=\"num\">%.2f</td></tr>", share);
        const char *end = strstr(row, "</tr>");
        const char *cell = strstr(row, want);
        assert_non_null(cell);
        assert_true(cell + strlen(want) - 5 == end);
        snprintf(want, sizeof want, "<td class=\"num\">%.2f (", num(m, r, "target_year"));
        cell = strstr(row, want);
        assert_true(cell && cell < end);
    }
    assert_int_equal(count(html, "<tr><th scope=\"row\">"), tsv_rows(m));
    free(html);
    free(dir);
    /* The claim's no-reversal batch ran with the same seeds: not twice. */
    html = strdup(fx->g->all);
    assert_contains(html, "holds the same rows as");
    tsv_free(m);
    free(html);
}

/* Two compared folders: both scenarios' names and every setting that
 * differs between them, among them the --set override of B. */
static void test_compared_folders_show_both_scenarios_and_every_difference(void **state)
{
    fixture *fx = *state;
    const char *html = fx->g->all;
    assert_contains(html, "<th scope=\"col\">A: rivals_opposite</th><th scope=\"col\">B: rivals_precursor</th>");
    assert_contains(html, "<td>A: rivals_opposite; B: rivals_precursor</td>");
    /* Settings known to differ, with both values. */
    assert_contains(html, "<tr><th scope=\"row\"><code>model.gate_entrapment</code></th><td><code>1.0</code></td>"
                          "<td><code>0.0</code></td></tr>");
    assert_contains(html, "<tr><th scope=\"row\"><code>model.w_triad</code></th><td><code>0.2</code></td>"
                          "<td><code>0.31</code></td></tr>");
    /* And every line the settings diff finds, by its setting. */
    char *pa = testutil_path(fx->g->root, "opposite/scenario.cfg");
    char *pb = testutil_path(fx->g->root, "precursor/scenario.cfg");
    char *ta = testutil_slurp(pa, NULL), *tb = testutil_slurp(pb, NULL);
    assert_non_null(ta);
    assert_non_null(tb);
    char *d = scenario_settings_diff(ta, tb, SIZE_MAX);
    assert_non_null(d);
    size_t lines = 0;
    for (char *line = strtok(d, "\n"); line; line = strtok(NULL, "\n")) {
        while (*line == ' ')
            line++;
        char *sep = strstr(line, ": ");
        assert_non_null(sep);
        char want[512];
        snprintf(want, sizeof want, "<tr><th scope=\"row\"><code>%.*s</code></th>", (int)(sep - line), line);
        assert_contains(html, want);
        lines++;
    }
    assert_true(lines >= 5);
    /* The comparison names its method and both folders. */
    assert_contains(html, "<strong>paired</strong>");
    assert_contains(html, "<strong>A</strong> = <code>");
    assert_contains(html, "<strong>B</strong> = <code>");
    free(d);
    free(ta);
    free(tb);
    free(pa);
    free(pb);
}

/* The scenario's events, as its scenario.cfg holds them: every one listed
 * with its type, actors and note, in order of date. */
static void test_scenario_events_are_listed_by_date(void **state)
{
    fixture *fx = *state;
    char *cfg = testutil_path(fx->g->root, "run/scenario.cfg");
    model_spec spec;
    model_spec_init(&spec);
    assert_int_equal(scenario_load(cfg, NULL, &spec, NULL, NULL), SCENARIO_OK);
    assert_true(spec.nevents > 20);
    const char *html = fx->g->all;
    char want[512];
    snprintf(want, sizeof want, "<caption>The events of scenario %s (%zu), by date</caption>", spec.name,
             spec.nevents);
    assert_contains(html, want);
    const char *table = strstr(html, want);
    const char *end = strstr(table, "</table>");
    double last = -INFINITY;
    for (size_t i = 0; i < spec.nevents; i++) {
        const spec_event *e = &spec.events[i];
        if (e->timing != TIMING_AT || strchr(e->note, '\'') || strchr(e->note, '&'))
            continue;
        /* "1950.12 (Feb 1950)</td><td>treaty</td><td>China, USSR/Russia</td><td>NOTE</td>" */
        char actors[256] = "";
        for (int k = 0; k < e->nactors; k++)
            snprintf(actors + strlen(actors), sizeof actors - strlen(actors), "%s%s", k ? ", " : "",
                     spec.actors[e->actors[k]].name);
        snprintf(want, sizeof want, "</td><td>%s</td><td>%s</td><td>%s</td></tr>", spec_event_kind_name(e->kind),
                 actors, e->note);
        const char *row = strstr(table, want);
        if (!row || row > end)
            print_error("event %zu not listed: %s\n", i, want);
        assert_true(row && row < end);
    }
    /* Dates never go back down the table. */
    for (const char *p = strstr(table, "<tr><td>"); p && p < end; p = strstr(p + 1, "<tr><td>")) {
        double y = last;
        const char *d = p + 8;
        if (strncmp(d, "every", 5) == 0 || strncmp(d, "at random", 9) == 0 || strncmp(d, "yearly", 6) == 0)
            y = strtod(strstr(d, ", from ") + 7, NULL);
        else
            y = strtod(d, NULL);
        assert_true(y >= last);
        last = y;
    }
    model_spec_clear(&spec);
    free(cfg);
}

/* A compare folder alone still names both scenarios; without the compared
 * folders at hand the missing settings are said to be missing. */
static void test_compare_folder_alone(void **state)
{
    fixture *fx = *state;
    char *cmp = copy_folder(fx, "compare");
    /* Point folder_A and folder_B somewhere that does not exist. */
    char *path = testutil_path(cmp, "compare.tsv");
    char *text = testutil_slurp(path, NULL);
    assert_non_null(text);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "# folder_", 9) == 0)
            fprintf(f, "# folder_%c: /nonexistent/%c\n", line[9], line[9]);
        else
            fprintf(f, "%s\n", line);
    }
    assert_int_equal(fclose(f), 0);
    free(text);
    free(path);
    const char *dirs[] = {cmp, NULL};
    char *out = testutil_path(fx->tmp, "r.html");
    testutil_result r = report(out, dirs, NULL);
    assert_int_equal(r.status, 0);
    testutil_result_clear(&r);
    char *html = testutil_slurp(out, NULL);
    assert_non_null(html);
    assert_contains(html, "A: rivals_opposite; B: rivals_precursor");
    assert_contains(html, "<section id=\"compare\"");
    assert_contains(html, "<code>/nonexistent/A</code>, <code>/nonexistent/B</code> are not shown");
    free(html);
    free(out);
    free(cmp);
}

/* A comparison of two single runs: the differences without intervals. */
static void test_compare_of_runs_has_no_intervals(void **state)
{
    fixture *fx = *state;
    char *a = folder(fx, "run");
    char *b = testutil_path(fx->tmp, "run-opposite");
    char *c = testutil_path(fx->tmp, "runs-compare");
    const char *run[] = {"run", "scenarios/rivals/opposite.cfg", "-o", b, NULL};
    const char *cmp[] = {"compare", a, b, "-q", "-o", c, NULL};
    assert_int_equal(testutil_run_ok(run), 0);
    assert_int_equal(testutil_run_ok(cmp), 0);
    const char *dirs[] = {c, NULL};
    char *out = testutil_path(fx->tmp, "r.html");
    testutil_result r = report(out, dirs, NULL);
    if (r.status != 0 || r.err[0])
        print_error("%s\n", r.err);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    char *html = testutil_slurp(out, NULL);
    assert_non_null(html);
    assert_contains(html, "The folders are single runs: they have no spread");
    assert_contains(html, "<caption>china-russia: mean x</caption>\n<thead><tr><th scope=\"col\">Year</th>"
                          "<th scope=\"col\">A</th><th scope=\"col\">B</th><th scope=\"col\">B &minus; A</th>"
                          "</tr></thead>");
    assert_null(strstr(html, "interval</th>"));
    assert_contains(html, "differences from A: single runs, no intervals");
    testutil_result_clear(&r);
    free(html);
    free(out);
    free(c);
    free(b);
    free(a);
}

/* The infer section's numbers, known from the fixture (its README). */
static void test_infer_fixture_known_answers(void **state)
{
    fixture *fx = *state;
    const char *names[] = {"infer", NULL};
    char *html = report_ok(fx, names, "Posterior");
    assert_contains(html, "<title>Posterior</title>");
    assert_contains(html, "<tr><th scope=\"row\"><code>model.w_threat</code></th><td class=\"num\">1.8750</td>"
                          "<td class=\"num\">1.0533</td><td class=\"num\">1.0000</td><td class=\"num\">1.0000</td>"
                          "<td class=\"num\">4.0000</td></tr>");
    assert_contains(html, "4 particles; effective sample size of the weights 2.9.");
    assert_contains(html, "<tr><th scope=\"row\">opposite</th><td>rivals_opposite</td><td class=\"num\">0.625</td>"
                          "<td class=\"num\">[0.480, 0.750]</td></tr>");
    assert_contains(html, "<strong>2 of 3</strong> held-out targets");
    assert_contains(html, "<tr><th scope=\"row\">2</th><td class=\"num\">1.1250</td>");
    free(html);
}

/* The same folders give the same bytes (the date from SOURCE_DATE_EPOCH)
 * whatever the number of gnuplot processes, and reporting writes nothing
 * into the folders. */
static void test_same_folders_same_bytes_and_folders_untouched(void **state)
{
    fixture *fx = *state;
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    char *dir = copy_folder(fx, "batch");
    char *run = copy_folder(fx, "run");
    const char *ls[] = {"ls", "-a", dir, NULL};
    testutil_result before = testutil_exec(ls);
    const char *dirs[] = {dir, run, NULL};
    /* One output name: the command line is part of the page. */
    char *out = testutil_path(fx->tmp, "r.html");
    testutil_result r1 = report_j(out, dirs, NULL, "1");
    size_t la = 0, lb = 0;
    char *ta = testutil_slurp(out, &la);
    testutil_result r2 = report_j(out, dirs, NULL, "3");
    char *tb = testutil_slurp(out, &lb);
    unsetenv("SOURCE_DATE_EPOCH");
    assert_int_equal(r1.status, 0);
    assert_int_equal(r2.status, 0);
    assert_non_null(ta);
    assert_non_null(tb);
    assert_int_equal(la, lb);
    assert_memory_equal(ta, tb, la);
    assert_contains(ta, "2023-11-14 22:13 UTC");
    testutil_result after = testutil_exec(ls);
    assert_string_equal(before.out, after.out);
    testutil_result_clear(&before);
    testutil_result_clear(&after);
    testutil_result_clear(&r1);
    testutil_result_clear(&r2);
    free(ta);
    free(tb);
    free(out);
    free(run);
    free(dir);
}

/* ------------------------------------------------------------------ */
/* Nothing lost                                                       */
/* ------------------------------------------------------------------ */

/* Rewrites dir/file by f(text) (heap in, heap out). */
static void rewrite(const char *dir, const char *file, char *(*f)(char *))
{
    char *path = testutil_path(dir, file);
    char *text = testutil_slurp(path, NULL);
    assert_non_null(text);
    text = f(text);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
    free(text);
    free(path);
}

/* The last line cut in the middle (no newline at the end). */
static char *cut_mid_line(char *t)
{
    size_t n = strlen(t);
    t[n - 5] = '\0';
    return t;
}

/* The last 30 lines dropped, at line boundaries. */
static char *drop_last_lines(char *t)
{
    size_t n = strlen(t);
    for (int k = 0; k <= 30 && n > 0; n--)
        if (t[n - 1] == '\n' && ++k > 30)
            break;
    t[n] = '\0';
    return t;
}

static char *drop_one_line(char *t)
{
    char *last = strrchr(t, '\n');
    *last = '\0';
    last = strrchr(t, '\n');
    last[1] = '\0';
    return t;
}

static char *other_version(char *t)
{
    char *p = strstr(t, "# program: alignsim ");
    assert_non_null(p);
    size_t n = strlen("# program: alignsim ");
    memmove(p + n + 5, p + n + strcspn(p + n, "\n"), strlen(p + n + strcspn(p + n, "\n")) + 1);
    memcpy(p + n, "9.9.9", 5);
    return t;
}

static char *break_scenario(char *t)
{
    char *p = strstr(t, "w_threat = ");
    assert_non_null(p);
    memcpy(p + strlen("w_threat = "), "\"x\"", 3);
    return t;
}

/*
 * Runs the report on dirs and asserts exit 2 with a message naming want
 * and why, and that the output file keeps its old content (no partial
 * report, no temporary file beside it).
 */
static void assert_refused(const fixture *fx, const char *const *dirs, const char *want, const char *why)
{
    char *outdir = testutil_path(fx->tmp, "out");
    mkdir(outdir, 0755);
    char *out = testutil_path(outdir, "report.html");
    FILE *f = fopen(out, "w");
    assert_non_null(f);
    fputs("the old report\n", f);
    assert_int_equal(fclose(f), 0);
    testutil_result r = report(out, dirs, NULL);
    if (r.status != 2)
        print_error("status %d, stderr:\n%s\n", r.status, r.err);
    assert_int_equal(r.status, 2);
    assert_contains(r.err, want);
    assert_contains(r.err, why);
    assert_contains(r.err, ": error: ");
    assert_string_equal(r.out, "");
    char *text = testutil_slurp(out, NULL);
    assert_string_equal(text, "the old report\n");
    free(text);
    const char *ls[] = {"ls", "-A", outdir, NULL};
    testutil_result l = testutil_exec(ls);
    assert_string_equal(l.out, "report.html\n");
    testutil_result_clear(&l);
    testutil_result_clear(&r);
    free(out);
    free(outdir);
}

static void refuse_one(const fixture *fx, const char *dir, const char *want, const char *why)
{
    const char *dirs[] = {dir, NULL};
    assert_refused(fx, dirs, want, why);
}

static void test_bad_folders_are_refused_naming_the_file(void **state)
{
    fixture *fx = *state;
    char *good = folder(fx, "run");

    /* Not a result folder. */
    char *empty = testutil_path(fx->tmp, "notes");
    assert_int_equal(mkdir(empty, 0755), 0);
    const char *d1[] = {good, empty, NULL};
    assert_refused(fx, d1, empty, "not an alignsim result folder");
    char *missing = testutil_path(fx->tmp, "no-such-folder");
    const char *d1b[] = {missing, NULL};
    assert_refused(fx, d1b, missing, "No such file or directory");

    /* Truncated: the last line cut short; the last year lost; a
     * replication missing. */
    char *b1 = copy_folder(fx, "batch");
    rewrite(b1, "summary.tsv", cut_mid_line);
    refuse_one(fx, b1, "batch/summary.tsv", "");
    testutil_rmtree(b1);
    free(b1);

    b1 = copy_folder(fx, "batch");
    rewrite(b1, "summary.tsv", drop_last_lines);
    refuse_one(fx, b1, "batch/summary.tsv", "truncated");
    testutil_rmtree(b1);
    free(b1);

    b1 = copy_folder(fx, "batch");
    rewrite(b1, "replications.tsv", drop_one_line);
    refuse_one(fx, b1, "batch/replications.tsv", "truncated: 19 rows, but the batch ran 20 replications");
    testutil_rmtree(b1);
    free(b1);

    /* A file of the folder missing; an interrupted batch. */
    b1 = copy_folder(fx, "batch");
    char *rep = testutil_path(b1, "replications.tsv");
    assert_int_equal(unlink(rep), 0);
    refuse_one(fx, b1, "batch/replications.tsv", "missing");
    free(rep);
    testutil_rmtree(b1);
    free(b1);
    b1 = copy_folder(fx, "batch");
    char *ck = testutil_path(b1, ".batch.ckpt");
    FILE *f = fopen(ck, "w");
    assert_non_null(f);
    assert_int_equal(fclose(f), 0);
    refuse_one(fx, b1, "batch/.batch.ckpt", "interrupted batch");
    free(ck);
    testutil_rmtree(b1);
    free(b1);

    /* Mixed versions: one table of one folder from another program. */
    b1 = copy_folder(fx, "batch");
    rewrite(b1, "milestones.tsv", other_version);
    const char *d3[] = {good, b1, NULL};
    assert_refused(fx, d3, "batch/milestones.tsv", "written by alignsim 9.9.9");
    testutil_rmtree(b1);
    free(b1);

    /* A scenario.cfg that does not load: its file and line. */
    b1 = copy_folder(fx, "batch");
    rewrite(b1, "scenario.cfg", break_scenario);
    refuse_one(fx, b1, "batch/scenario.cfg:", "error");
    testutil_rmtree(b1);
    free(b1);

    /* A file where a folder should be. */
    char *file = testutil_path(good, "events.tsv");
    const char *d4[] = {file, NULL};
    assert_refused(fx, d4, file, "not a folder");
    free(file);
    free(missing);
    free(empty);
    free(good);
}

/* Without gnuplot (or with a script that fails) the report fails with
 * exit 1, saying what to install, and writes nothing. */
static void test_missing_gnuplot_fails_cleanly(void **state)
{
    fixture *fx = *state;
    char *run = folder(fx, "run");
    char *out = testutil_path(fx->tmp, "r.html");
    const char *argv[] = {"env", "ALIGNSIM_GNUPLOT=no-such-gnuplot", getenv("ALIGNSIM_BIN") ? getenv("ALIGNSIM_BIN")
                                                                                               : "build/alignsim",
                          "report", run, "-o", out, NULL};
    testutil_result r = testutil_exec(argv);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, "no-such-gnuplot: error: cannot run gnuplot");
    assert_contains(r.err, "make deps-plots");
    assert_false(testutil_exists(out));
    testutil_result_clear(&r);
    free(out);
    free(run);
}

/* Number of entries of folder dir other than . and .. (-1: unreadable). */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* SIGTERM (or Ctrl-C) while gnuplot draws: gnuplot is stopped, the
 * temporary figures are removed, no report is written, exit 143 with a
 * message.  The gnuplot here writes its pid and then sleeps, so the signal
 * always arrives mid-figure. */
static void test_stop_signal_leaves_nothing_behind(void **state)
{
    fixture *fx = *state;
    char *run = folder(fx, "run");
    char *out = testutil_path(fx->tmp, "r.html");
    char *tmpdir = testutil_path(fx->tmp, "tmp");
    char *fake = testutil_path(fx->tmp, "slow-gnuplot");
    char *marker = testutil_path(fx->tmp, "gnuplot.pid");
    char *errp = testutil_path(fx->tmp, "err.txt");
    char *outp = testutil_path(fx->tmp, "out.txt");
    assert_int_equal(mkdir(tmpdir, 0700), 0);
    FILE *f = fopen(fake, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\necho $$ > '%s.part' && mv '%s.part' '%s'\nexec sleep 60\n", marker, marker, marker);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(fake, 0755), 0);

    setenv("ALIGNSIM_GNUPLOT", fake, 1);
    setenv("TMPDIR", tmpdir, 1);
    const char *args[] = {"report", run, "-o", out, "-j", "1", NULL};
    pid_t pid = testutil_spawn(args, outp, errp);
    unsetenv("ALIGNSIM_GNUPLOT");
    unsetenv("TMPDIR");
    assert_true(pid > 0);
    for (int i = 0; i < 1000 && !testutil_exists(marker); i++)
        nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    assert_true(testutil_exists(marker));
    assert_int_equal(entries(tmpdir), 1); /* the report's temporary folder */
    assert_int_equal(kill(pid, SIGTERM), 0);
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 143);

    char *err = testutil_slurp(errp, NULL);
    assert_contains(err, "alignsim report: stopped: no report written");
    assert_false(testutil_exists(out));
    assert_int_equal(entries(tmpdir), 0);
    char *gp = testutil_slurp(marker, NULL);
    long gpid = strtol(gp, NULL, 10);
    assert_true(gpid > 0);
    assert_int_equal(kill((pid_t)gpid, 0), -1); /* gnuplot is gone (reaped) */
    assert_int_equal(errno, ESRCH);
    free(gp);
    free(err);
    free(outp);
    free(errp);
    free(marker);
    free(fake);
    free(tmpdir);
    free(out);
    free(run);
}

/* ------------------------------------------------------------------ */
/* In a real browser                                                  */
/* ------------------------------------------------------------------ */

static int have_chromium(void)
{
    return system("command -v chromium >/dev/null 2>&1") == 0;
}

#define NEED_CHROMIUM()                                                                   \
    do {                                                                                  \
        if (!have_chromium()) {                                                           \
            fprintf(stderr, "test_report: SKIPPED: chromium is not installed, so the "    \
                            "report was NOT tested in a browser (scripts/ensure-deps.sh " \
                            "browser installs it; CI must have it)\n");                   \
            skip();                                                                       \
        }                                                                                 \
    } while (0)

/* Runs headless chromium on file with one action (--dump-dom or
 * --screenshot=PATH) and a fresh profile; the closed network and a root
 * user need the flags below.  Returns its result (stdout: the DOM). */
static testutil_result chromium(const fixture *fx, const char *file, const char *action, const char *size)
{
    char *profile = testutil_path(fx->tmp, "profile");
    char udd[PATH_MAX + 32], url[PATH_MAX + 16], win[64], abs[PATH_MAX];
    assert_non_null(realpath(file, abs));
    snprintf(udd, sizeof udd, "--user-data-dir=%s", profile);
    snprintf(url, sizeof url, "file://%s", abs);
    snprintf(win, sizeof win, "--window-size=%s", size);
    const char *argv[] = {"chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                          "--no-first-run", "--disable-background-networking", "--disable-component-update",
                          "--disable-sync", "--enable-logging=stderr", "--v=0", udd, win, action, url, NULL};
    testutil_result r = testutil_exec(argv);
    testutil_rmtree(profile);
    free(profile);
    return r;
}

/* The lines of chromium's log that are console messages of the page. */
static void assert_no_console_message(const testutil_result *r)
{
    const char *c = strstr(r->err, ":CONSOLE");
    if (c) {
        const char *start = c;
        while (start > r->err && start[-1] != '\n')
            start--;
        print_error("the browser logged: %.400s\n", start);
        fail();
    }
}

static void test_browser_dom_has_every_section_and_number(void **state)
{
    NEED_CHROMIUM();
    fixture *fx = *state;
    const char *file = fx->g->all_path;
    testutil_result r = chromium(fx, file, "--dump-dom", "1280,800");
    if (r.status != 0)
        print_error("chromium: %d\n%s\n", r.status, r.err);
    assert_int_equal(r.status, 0);
    assert_no_console_message(&r);
    /* The script ran under the policy: it marks the page. */
    assert_contains(r.out, "<html lang=\"en\" data-keys=\"on\">");
    static const char *const sections[] = {"question", "scenario", "replay", "fans", "claim", "compare",
                                           "sweep", "sensitivity", "calibrate", "infer", "provenance"};
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        char want[96];
        snprintf(want, sizeof want, "<section id=\"%s\"", sections[i]);
        assert_contains(r.out, want);
    }
    /* The verdict's probability and the milestone rows, as the browser
     * parsed them. */
    tsv_table *c = table(fx, "claim", "claim.tsv");
    char want[256];
    snprintf(want, sizeof want, "<td class=\"num\">%.3f</td><td class=\"num\">[%.3f, %.3f]</td>",
             num(c, 1, "p_alliance"), num(c, 1, "ci_lo"), num(c, 1, "ci_hi"));
    assert_contains(r.out, want);
    tsv_table *m = table(fx, "batch", "milestones.tsv");
    for (size_t k = 0; k < tsv_rows(m); k++) {
        snprintf(want, sizeof want, "<td>%s</td>", str(m, k, "note"));
        assert_contains(r.out, want);
    }
    assert_true(count(r.out, "<svg role=\"img\"") >= 8);
    tsv_free(c);
    tsv_free(m);
    testutil_result_clear(&r);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Screenshot of file at 1280x800 into png; returns its size in bytes. */
static size_t screenshot(const fixture *fx, const char *file, const char *png)
{
    char action[PATH_MAX + 16];
    snprintf(action, sizeof action, "--screenshot=%s", png);
    testutil_result r = chromium(fx, file, action, "1280,800");
    if (r.status != 0)
        print_error("chromium: %d\n%s\n", r.status, r.err);
    assert_int_equal(r.status, 0);
    assert_no_console_message(&r);
    testutil_result_clear(&r);
    size_t len = 0;
    char *data = testutil_slurp(png, &len);
    assert_non_null(data);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    assert_true(len > 24);
    assert_memory_equal(data, sig, sizeof sig);
    const unsigned char *u = (const unsigned char *)data;
    assert_memory_equal(u + 12, "IHDR", 4);
    assert_int_equal(be32(u + 16), 1280);
    assert_int_equal(be32(u + 20), 800);
    free(data);
    return len;
}

static void test_browser_screenshot_is_not_blank(void **state)
{
    NEED_CHROMIUM();
    fixture *fx = *state;
    const char *file = fx->g->all_path;
    char *blank = testutil_path(fx->tmp, "blank.html");
    FILE *f = fopen(blank, "w");
    assert_non_null(f);
    fputs("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>blank</title></head>"
          "<body></body></html>\n",
          f);
    assert_int_equal(fclose(f), 0);
    char *png = testutil_path(fx->tmp, "report.png");
    char *png0 = testutil_path(fx->tmp, "blank.png");
    size_t n0 = screenshot(fx, blank, png0);
    size_t n = screenshot(fx, file, png);
    /* A white page compresses to a few KB; a page of text, tables and a
     * border to far more. */
    if (!(n > 4 * n0 && n > 20000))
        print_error("screenshot %zu bytes, blank page %zu bytes\n", n, n0);
    assert_true(n > 4 * n0 && n > 20000);
    free(png);
    free(png0);
    free(blank);
}

/* Print mode starts every section on a new page: a short report (the
 * infer fixture: three sections that would share one or two pages)
 * prints on at least as many pages as it has sections. */
static void test_browser_print_gives_each_section_a_page(void **state)
{
    NEED_CHROMIUM();
    fixture *fx = *state;
    const char *names[] = {"infer", NULL};
    char *html = report_ok(fx, names, NULL);
    size_t sections = count(html, "<section id=");
    assert_int_equal(sections, 3);
    char *file = testutil_path(fx->tmp, "report.html");
    char *pdf = testutil_path(fx->tmp, "report.pdf");
    char action[PATH_MAX + 32];
    snprintf(action, sizeof action, "--print-to-pdf=%s", pdf);
    testutil_result r = chromium(fx, file, action, "1280,800");
    assert_int_equal(r.status, 0);
    assert_no_console_message(&r);
    size_t len = 0;
    char *data = testutil_slurp(pdf, &len);
    assert_non_null(data);
    assert_true(len > 4 && memcmp(data, "%PDF", 4) == 0);
    /* Count the page objects ("/Type /Page", not "/Type /Pages"). */
    size_t pages = 0;
    for (size_t i = 0; i + 11 < len; i++)
        if (memcmp(data + i, "/Type /Page", 11) == 0 && data[i + 11] != 's')
            pages++;
    if (pages < sections)
        print_error("%zu pages for %zu sections\n", pages, sections);
    assert_true(pages >= sections);
    free(data);
    testutil_result_clear(&r);
    free(pdf);
    free(file);
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_fips_vectors),
        cmocka_unit_test(test_base64_rfc4648_vectors),
        cmocka_unit_test(test_html_text_and_numbers),
        cmocka_unit_test(test_svg_inline_rewrites_ids_and_titles),
        cmocka_unit_test(test_svg_inline_refuses_what_would_load_or_run),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_report_of_every_kind_has_every_section),
        T(test_claim_numbers_are_those_of_the_folder),
        T(test_milestone_rows_are_those_of_the_batch),
        T(test_compared_folders_show_both_scenarios_and_every_difference),
        T(test_scenario_events_are_listed_by_date),
        T(test_compare_folder_alone),
        T(test_compare_of_runs_has_no_intervals),
        T(test_infer_fixture_known_answers),
        T(test_same_folders_same_bytes_and_folders_untouched),
        T(test_bad_folders_are_refused_naming_the_file),
        T(test_missing_gnuplot_fails_cleanly),
        T(test_stop_signal_leaves_nothing_behind),
        T(test_browser_dom_has_every_section_and_number),
        T(test_browser_screenshot_is_not_blank),
        T(test_browser_print_gives_each_section_a_page),
#undef T
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
