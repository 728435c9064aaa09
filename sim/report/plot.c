/*
 * report/plot - gnuplot into a private folder, and SVG fit for inlining
 * (see plot.h).
 *
 * Invariants of a plotter: tmp is a folder this process created with
 * mkdtemp() and nothing else writes to; after every plotter_draw() it holds
 * no file but the gnuplot log, so plotter_free() can remove it entry by
 * entry without recursion.
 */
#include "report/plot.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/status.h"
#include "io/atomic.h"
#include "report/html.h"

extern char **environ;

struct plotter {
    char *gnuplot;       /* program to run */
    char *analysis;      /* folder of the scripts */
    char *tmp;           /* private temporary folder */
    buf warnings;        /* what gnuplot printed on success */
};

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

plotter *plotter_alloc(const char *gnuplot, const char *analysis_dir, char *err, size_t errlen)
{
    plotter *p = calloc(1, sizeof *p);
    buf path = {0};
    if (!p)
        goto nomem;
    p->gnuplot = dup_string(gnuplot ? gnuplot : "gnuplot");
    p->analysis = dup_string(analysis_dir);
    buf_printf(&path, "%s/common.gp", analysis_dir);
    if (!p->gnuplot || !p->analysis || path.failed)
        goto nomem;
    if (access(buf_str(&path), R_OK) != 0) {
        set_err(err, errlen, "%s: error: the plot scripts are not there (%s); set ALIGNSIM_ANALYSIS to the "
                             "analysis/ folder of alignsim",
                analysis_dir, strerror(errno));
        goto fail;
    }
    const char *root = getenv("TMPDIR");
    buf_reset(&path);
    buf_printf(&path, "%s/alignsim-report-XXXXXX", root && *root ? root : "/tmp");
    if (path.failed)
        goto nomem;
    if (!mkdtemp((char *)path.data)) {
        set_err(err, errlen, "%s: error: cannot create a temporary folder: %s", buf_str(&path), strerror(errno));
        goto fail;
    }
    p->tmp = buf_take(&path);
    if (!p->tmp)
        goto nomem;
    return p;
nomem:
    set_err(err, errlen, "out of memory");
fail:
    buf_clear(&path);
    plotter_free(p);
    return NULL;
}

void plotter_free(plotter *p)
{
    if (!p)
        return;
    if (p->tmp) {
        DIR *d = opendir(p->tmp);
        if (d) {
            struct dirent *e;
            buf name = {0};
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                buf_reset(&name);
                buf_printf(&name, "%s/%s", p->tmp, e->d_name);
                if (!name.failed)
                    unlink(buf_str(&name));
            }
            buf_clear(&name);
            closedir(d);
        }
        rmdir(p->tmp);
    }
    free(p->gnuplot);
    free(p->analysis);
    free(p->tmp);
    buf_clear(&p->warnings);
    free(p);
}

const char *plotter_warnings(const plotter *p)
{
    return buf_str(&p->warnings);
}

/* Runs argv with stdin from /dev/null and stdout and stderr into log.
 * Returns the exit status, 128 + signal, or -1 (errno set) when the
 * program cannot be started. */
static int run_logged(char *const argv[], const char *log)
{
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return -1;
    int rc = -1;
    pid_t pid;
    if (posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600) != 0 ||
        posix_spawn_file_actions_adddup2(&fa, 1, 2) != 0)
        goto done;
    int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    if (e != 0) {
        errno = e;
        goto done;
    }
    int st;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR)
            goto done;
    }
    rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
done:
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

int plotter_draw(plotter *p, const char *script, const char *folder, const char *assign, const char *image,
                 char **svg, char *err, size_t errlen)
{
    *svg = NULL;
    /* The assignments quote their values with single quotes. */
    if (strchr(folder, '\'')) {
        set_err(err, errlen, "%s: error: a folder name with a single quote cannot be passed to gnuplot; "
                             "rename or link the folder",
                folder);
        return AS_EUSAGE;
    }
    int rc = AS_OK;
    buf expr = {0}, path = {0}, log = {0}, out = {0};
    char *text = NULL;
    buf_printf(&expr, "dir='%s'; outdir='%s'; formats='svg'", folder, p->tmp);
    if (assign && *assign)
        buf_printf(&expr, "; %s", assign);
    buf_printf(&path, "%s/%s", p->analysis, script);
    buf_printf(&log, "%s/.gnuplot.log", p->tmp);
    buf_printf(&out, "%s/%s", p->tmp, image);
    if (expr.failed || path.failed || log.failed || out.failed) {
        rc = AS_ENOMEM;
        goto done;
    }
    char *argv[] = {p->gnuplot, "-e", (char *)buf_str(&expr), (char *)buf_str(&path), NULL};
    int st = run_logged(argv, buf_str(&log));
    text = io_read_file(buf_str(&log), NULL);
    if (st < 0) {
        set_err(err, errlen, "%s: error: cannot run gnuplot: %s (make deps-plots installs it)", p->gnuplot,
                strerror(errno));
        rc = AS_ERUNTIME;
        goto done;
    }
    if (st != 0) {
        set_err(err, errlen, "%s: error: gnuplot failed on %s (status %d)%s%s", folder, buf_str(&path), st,
                text && *text ? ":\n" : "", text ? text : "");
        rc = AS_ERUNTIME;
        goto done;
    }
    *svg = io_read_file(buf_str(&out), NULL);
    if (!*svg) {
        set_err(err, errlen, "%s: error: %s wrote no %s: %s", folder, buf_str(&path), image, strerror(errno));
        rc = AS_ERUNTIME;
        goto done;
    }
    unlink(buf_str(&out));
    if (text && *text)
        buf_printf(&p->warnings, "gnuplot %s on %s:\n%s%s", buf_str(&path), folder, text,
                   text[strlen(text) - 1] == '\n' ? "" : "\n");
done:
    free(text);
    buf_clear(&expr);
    buf_clear(&path);
    buf_clear(&log);
    buf_clear(&out);
    return rc;
}

/* ------------------------------------------------------------------ */
/* SVG for inlining                                                   */
/* ------------------------------------------------------------------ */

static int starts(const char *p, const char *prefix)
{
    return strncmp(p, prefix, strlen(prefix)) == 0;
}

static int name_is(const char *name, size_t n, const char *want)
{
    return strlen(want) == n && strncmp(name, want, n) == 0;
}

/* Elements that load, run or style something, which the page's policy
 * would block or which would reach outside the image. */
static int forbidden_element(const char *name, size_t n)
{
    static const char *const bad[] = {"script", "image", "foreignObject", "style", "iframe",
                                      "object", "embed", "a", "audio", "video"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (strlen(bad[i]) == n && strncasecmp(name, bad[i], n) == 0)
            return 1;
    return 0;
}

/* Appends the value v (n bytes) with every "url(#" made "url(#PREFIX-".
 * Returns 0, or -1 when v has a url() that is not a local reference. */
static int put_urls(buf *out, const char *v, size_t n, const char *prefix)
{
    size_t start = 0;
    for (size_t i = 0; i + 4 <= n; i++) {
        if (strncasecmp(v + i, "url(", 4) != 0)
            continue;
        if (i + 5 > n || v[i + 4] != '#')
            return -1;
        buf_append(out, v + start, i + 5 - start);
        buf_printf(out, "%s-", prefix);
        start = i + 5;
    }
    buf_append(out, v + start, n - start);
    return 0;
}

int svg_inline(buf *out, const char *svg, const char *prefix, const char *title, const char *desc, char *err,
               size_t errlen)
{
    const char *p = strstr(svg, "<svg");
    if (!p) {
        set_err(err, errlen, "the image is not an SVG (no <svg> element)");
        return AS_ERUNTIME;
    }
    int root_done = 0, children = 0;
    while (*p) {
        if (*p != '<') {
            const char *lt = strchr(p, '<');
            size_t n = lt ? (size_t)(lt - p) : strlen(p);
            buf_append(out, p, n);
            p += n;
            continue;
        }
        if (starts(p, "<!--") || starts(p, "<?") || starts(p, "<!")) {
            const char *close = starts(p, "<!--") ? "-->" : ">";
            const char *e = strstr(p + 2, close);
            if (!e)
                goto unterminated;
            p = e + strlen(close);
            continue;
        }
        int end_tag = p[1] == '/';
        const char *name = p + 1 + end_tag;
        size_t nlen = strcspn(name, " \t\r\n/>");
        if (nlen == 0)
            goto unterminated;
        if (forbidden_element(name, nlen)) {
            set_err(err, errlen, "the SVG holds a <%.*s> element, which the report does not inline", (int)nlen,
                    name);
            return AS_ERUNTIME;
        }
        /* gnuplot's own title and description of the whole image are
         * replaced by the report's. */
        if (!end_tag && root_done && !children && (name_is(name, nlen, "title") || name_is(name, nlen, "desc"))) {
            char close[16];
            snprintf(close, sizeof close, "</%.*s>", (int)nlen, name);
            const char *e = strstr(p, close);
            if (!e)
                goto unterminated;
            p = e + strlen(close);
            continue;
        }
        if (!end_tag && root_done)
            children = 1;
        buf_append(out, p, (size_t)(name + nlen - p));
        const char *q = name + nlen;
        int is_root = !end_tag && !root_done && name_is(name, nlen, "svg");
        if (is_root)
            buf_printf(out, " role=\"img\" class=\"plot\" aria-labelledby=\"%s-title %s-desc\"", prefix, prefix);
        for (;;) {
            while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
                q++;
            if (*q == '>') {
                buf_puts(out, ">");
                q++;
                break;
            }
            if (q[0] == '/' && q[1] == '>') {
                buf_puts(out, "/>");
                q += 2;
                break;
            }
            if (!*q)
                goto unterminated;
            size_t an = strcspn(q, " \t\r\n=/>");
            if (an == 0)
                goto unterminated;
            const char *aname = q;
            const char *v = NULL;
            size_t vn = 0;
            char quote = '"';
            q += an;
            /* gnuplot writes some attributes as name = 'value'. */
            const char *eq = q;
            while (*eq == ' ' || *eq == '\t' || *eq == '\r' || *eq == '\n')
                eq++;
            if (*eq == '=') {
                q = eq + 1;
                while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
                    q++;
                quote = *q;
                if (quote != '\'' && quote != '"') {
                    set_err(err, errlen, "the SVG has an unquoted value of %.*s", (int)an, aname);
                    return AS_ERUNTIME;
                }
                v = q + 1;
                const char *ve = strchr(v, quote);
                if (!ve)
                    goto unterminated;
                vn = (size_t)(ve - v);
                q = ve + 1;
            }
            if (name_is(aname, an, "xmlns") || (an > 6 && strncmp(aname, "xmlns:", 6) == 0))
                continue;
            if ((an > 2 && strncasecmp(aname, "on", 2) == 0) || name_is(aname, an, "style")) {
                set_err(err, errlen, "the SVG has a %.*s attribute, which the report's policy would block",
                        (int)an, aname);
                return AS_ERUNTIME;
            }
            buf_printf(out, " %.*s", (int)an, aname);
            if (!v)
                continue;
            buf_printf(out, "=%c", quote);
            if (name_is(aname, an, "id")) {
                buf_printf(out, "%s-", prefix);
                buf_append(out, v, vn);
            } else if (name_is(aname, an, "href") || name_is(aname, an, "xlink:href")) {
                if (vn == 0 || v[0] != '#') {
                    set_err(err, errlen, "the SVG refers to '%.*s', outside the image", (int)(vn > 80 ? 80 : vn),
                            v);
                    return AS_ERUNTIME;
                }
                buf_printf(out, "#%s-", prefix);
                buf_append(out, v + 1, vn - 1);
            } else if (put_urls(out, v, vn, prefix) != 0) {
                set_err(err, errlen, "the SVG's %.*s refers to a resource outside the image", (int)an, aname);
                return AS_ERUNTIME;
            }
            buf_printf(out, "%c", quote);
        }
        if (is_root) {
            root_done = 1;
            buf_printf(out, "\n<title id=\"%s-title\">", prefix);
            html_text(out, title);
            buf_printf(out, "</title>\n<desc id=\"%s-desc\">", prefix);
            html_text(out, desc);
            buf_puts(out, "</desc>");
        }
        p = q;
    }
    if (!root_done) {
        set_err(err, errlen, "the SVG has no <svg> start tag");
        return AS_ERUNTIME;
    }
    return out->failed ? AS_ENOMEM : AS_OK;
unterminated:
    set_err(err, errlen, "the SVG is cut short or malformed near '%.40s'", p);
    return AS_ERUNTIME;
}
