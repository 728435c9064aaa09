/*
 * report/plot - gnuplot into a private folder, and SVG fit for inlining
 * (see plot.h).
 *
 * Invariants of a plotter: tmp is a folder this process created with
 * mkdtemp() and nothing else writes to; it holds, for each job N started,
 * the folder tmp/N gnuplot draws into and its log tmp/N.log, and nothing
 * deeper, so plotter_free() removes it two levels deep.  A job's pid is
 * non-zero exactly while its gnuplot has not been waited for.
 */
#include "report/plot.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/status.h"
#include "report/util.h"
#include "io/atomic.h"
#include "report/html.h"

extern char **environ;

/* One figure to draw. */
typedef struct {
    char *script, *folder, *assign, *image; /* owned copies */
    char *svg;                              /* after plotter_run() */
    pid_t pid;                              /* while gnuplot runs, else 0 */
} job;

struct plotter {
    char *gnuplot;       /* program to run */
    char *analysis;      /* folder of the scripts */
    char *tmp;           /* private temporary folder: job N draws into tmp/N */
    job *jobs;
    size_t njobs, cap;
    buf warnings;        /* what gnuplot printed on success, in job order */
};

plotter *plotter_alloc(const char *gnuplot, const char *analysis_dir, char *err, size_t errlen)
{
    plotter *p = calloc(1, sizeof *p);
    buf path = {0};
    if (!p)
        goto nomem;
    p->gnuplot = strdup(gnuplot ? gnuplot : "gnuplot");
    p->analysis = strdup(analysis_dir);
    buf_printf(&path, "%s/common.gp", analysis_dir);
    if (!p->gnuplot || !p->analysis || path.failed)
        goto nomem;
    if (access(buf_str(&path), R_OK) != 0) {
        report_errf(err, errlen, "%s: error: the plot scripts are not there (%s); set ALIGNSIM_ANALYSIS to the "
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
        report_errf(err, errlen, "%s: error: cannot create a temporary folder: %s", buf_str(&path), strerror(errno));
        goto fail;
    }
    p->tmp = buf_take(&path);
    if (!p->tmp)
        goto nomem;
    return p;
nomem:
    report_errf(err, errlen, "out of memory");
fail:
    buf_clear(&path);
    plotter_free(p);
    return NULL;
}

/* Removes every file of folder dir and, depth levels down, its folders,
 * then dir itself. */
static void remove_tree(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        buf name = {0};
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            buf_reset(&name);
            buf_printf(&name, "%s/%s", dir, e->d_name);
            if (name.failed)
                continue;
            struct stat st;
            if (depth > 0 && lstat(buf_str(&name), &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(buf_str(&name), depth - 1);
            else
                unlink(buf_str(&name));
        }
        buf_clear(&name);
        closedir(d);
    }
    rmdir(dir);
}

void plotter_free(plotter *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->njobs; i++) {
        job *j = &p->jobs[i];
        if (j->pid > 0) {
            /* Only after a failure: let the child finish, then reap it. */
            int st;
            while (waitpid(j->pid, &st, 0) < 0 && errno == EINTR)
                ;
        }
        free(j->script);
        free(j->folder);
        free(j->assign);
        free(j->image);
        free(j->svg);
    }
    if (p->tmp)
        remove_tree(p->tmp, 1);
    free(p->jobs);
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

int plotter_add(plotter *p, const char *script, const char *folder, const char *assign, const char *image,
                size_t *index, char *err, size_t errlen)
{
    /* The assignments quote their values with single quotes. */
    if (strchr(folder, '\'')) {
        report_errf(err, errlen, "%s: error: a folder name with a single quote cannot be passed to gnuplot; "
                             "rename or link the folder",
                folder);
        return AS_EUSAGE;
    }
    if (p->njobs == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        job *nj = realloc(p->jobs, cap * sizeof *nj);
        if (!nj)
            goto nomem;
        p->jobs = nj;
        p->cap = cap;
    }
    job *j = &p->jobs[p->njobs];
    memset(j, 0, sizeof *j);
    j->script = strdup(script);
    j->folder = strdup(folder);
    j->assign = strdup(assign ? assign : "");
    j->image = strdup(image);
    p->njobs++;
    if (!j->script || !j->folder || !j->assign || !j->image)
        goto nomem;
    *index = p->njobs - 1;
    return AS_OK;
nomem:
    report_errf(err, errlen, "out of memory");
    return AS_ENOMEM;
}

/* Starts gnuplot for job i: draws into tmp/i, output into tmp/i.log. */
static int start_job(plotter *p, size_t i, char *err, size_t errlen)
{
    job *j = &p->jobs[i];
    buf expr = {0}, path = {0}, dir = {0}, log = {0};
    int rc = AS_OK;
    posix_spawn_file_actions_t fa;
    int fa_ok = posix_spawn_file_actions_init(&fa) == 0;
    buf_printf(&dir, "%s/%zu", p->tmp, i);
    buf_printf(&log, "%s/%zu.log", p->tmp, i);
    buf_printf(&expr, "dir='%s'; outdir='%s'; formats='svg'", j->folder, buf_str(&dir));
    if (*j->assign)
        buf_printf(&expr, "; %s", j->assign);
    buf_printf(&path, "%s/%s", p->analysis, j->script);
    if (!fa_ok || expr.failed || path.failed || dir.failed || log.failed) {
        report_errf(err, errlen, "out of memory");
        rc = AS_ENOMEM;
        goto done;
    }
    if (mkdir(buf_str(&dir), 0700) != 0) {
        report_errf(err, errlen, "%s: error: cannot create a temporary folder: %s", buf_str(&dir), strerror(errno));
        rc = AS_EIO;
        goto done;
    }
    if (posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 1, buf_str(&log), O_WRONLY | O_CREAT | O_TRUNC, 0600) != 0 ||
        posix_spawn_file_actions_adddup2(&fa, 1, 2) != 0) {
        report_errf(err, errlen, "out of memory");
        rc = AS_ENOMEM;
        goto done;
    }
    char *argv[] = {p->gnuplot, "-e", (char *)buf_str(&expr), (char *)buf_str(&path), NULL};
    int e = posix_spawnp(&j->pid, argv[0], &fa, NULL, argv, environ);
    if (e != 0) {
        j->pid = 0;
        report_errf(err, errlen, "%s: error: cannot run gnuplot: %s (make deps-plots installs it)", p->gnuplot,
                strerror(e));
        rc = AS_ERUNTIME;
    }
done:
    if (fa_ok)
        posix_spawn_file_actions_destroy(&fa);
    buf_clear(&expr);
    buf_clear(&path);
    buf_clear(&dir);
    buf_clear(&log);
    return rc;
}

/* Sends SIGTERM to every gnuplot still running and reaps them all. */
static void stop_jobs(plotter *p)
{
    for (size_t i = 0; i < p->njobs; i++)
        if (p->jobs[i].pid > 0)
            kill(p->jobs[i].pid, SIGTERM);
    for (size_t i = 0; i < p->njobs; i++) {
        int st;
        if (p->jobs[i].pid > 0)
            while (waitpid(p->jobs[i].pid, &st, 0) < 0 && errno == EINTR)
                ;
        p->jobs[i].pid = 0;
    }
}

/* Waits for job i and reads its image; gnuplot's words are kept as
 * warnings on success and returned in err on failure.  While it waits it
 * polls interrupt (every 20 ms: the signal handlers restart system calls,
 * so a blocking wait would not notice a stop request sent to this process
 * alone); a stop request stops every job and gives AS_ESTOPPED. */
static int finish_job(plotter *p, size_t i, const volatile sig_atomic_t *interrupt, char *err, size_t errlen)
{
    job *j = &p->jobs[i];
    int st = 0, rc = AS_OK;
    for (;;) {
        pid_t w = waitpid(j->pid, &st, interrupt ? WNOHANG : 0);
        if (w == j->pid)
            break;
        if (w < 0 && errno != EINTR) {
            st = -1;
            break;
        }
        if (interrupt && *interrupt) {
            stop_jobs(p);
            report_errf(err, errlen, "stopped");
            return AS_ESTOPPED;
        }
        if (w == 0)
            nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    }
    j->pid = 0;
    if (interrupt && *interrupt) {
        /* Ctrl-C on a terminal reaches gnuplot too: its failure is the
         * stop request, not a plotting error. */
        stop_jobs(p);
        report_errf(err, errlen, "stopped");
        return AS_ESTOPPED;
    }
    int status = st < 0 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    buf log = {0}, out = {0};
    buf_printf(&log, "%s/%zu.log", p->tmp, i);
    buf_printf(&out, "%s/%zu/%s", p->tmp, i, j->image);
    if (log.failed || out.failed) {
        report_errf(err, errlen, "out of memory");
        rc = AS_ENOMEM;
        goto done;
    }
    char *text = io_read_file(buf_str(&log), NULL);
    if (status != 0) {
        report_errf(err, errlen, "%s: error: gnuplot failed on %s/%s (status %d)%s%s", j->folder, p->analysis,
                j->script, status, text && *text ? ":\n" : "", text ? text : "");
        rc = AS_ERUNTIME;
    } else if ((j->svg = io_read_file(buf_str(&out), NULL)) == NULL) {
        report_errf(err, errlen, "%s: error: %s/%s wrote no %s: %s", j->folder, p->analysis, j->script, j->image,
                strerror(errno));
        rc = AS_ERUNTIME;
    } else if (text && *text) {
        buf_printf(&p->warnings, "gnuplot %s/%s on %s:\n%s%s", p->analysis, j->script, j->folder, text,
                   text[strlen(text) - 1] == '\n' ? "" : "\n");
    }
    free(text);
done:
    buf_clear(&log);
    buf_clear(&out);
    return rc;
}

int plotter_run(plotter *p, unsigned parallel, const volatile sig_atomic_t *interrupt, char *err, size_t errlen)
{
    if (parallel < 1)
        parallel = 1;
    int rc = AS_OK;
    size_t next = 0, done = 0;
    /* Keep up to `parallel` gnuplot processes going; wait for them in
     * queue order, so that the first failure reported is the first in the
     * page, whatever the number of processes. */
    while (done < p->njobs && rc == AS_OK) {
        while (rc == AS_OK && next < p->njobs && next - done < parallel)
            rc = start_job(p, next++, err, errlen);
        if (rc == AS_OK)
            rc = finish_job(p, done++, interrupt, err, errlen);
        if (rc == AS_OK && interrupt && *interrupt) {
            stop_jobs(p);
            report_errf(err, errlen, "stopped");
            rc = AS_ESTOPPED;
        }
    }
    return rc;
}

const char *plotter_svg(const plotter *p, size_t i)
{
    return i < p->njobs ? p->jobs[i].svg : NULL;
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
        report_errf(err, errlen, "the image is not an SVG (no <svg> element)");
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
            report_errf(err, errlen, "the SVG holds a <%.*s> element, which the report does not inline", (int)nlen,
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
                    report_errf(err, errlen, "the SVG has an unquoted value of %.*s", (int)an, aname);
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
                report_errf(err, errlen, "the SVG has a %.*s attribute, which the report's policy would block",
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
                    report_errf(err, errlen, "the SVG refers to '%.*s', outside the image", (int)(vn > 80 ? 80 : vn),
                            v);
                    return AS_ERUNTIME;
                }
                buf_printf(out, "#%s-", prefix);
                buf_append(out, v + 1, vn - 1);
            } else if (put_urls(out, v, vn, prefix) != 0) {
                report_errf(err, errlen, "the SVG's %.*s refers to a resource outside the image", (int)an, aname);
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
        report_errf(err, errlen, "the SVG has no <svg> start tag");
        return AS_ERUNTIME;
    }
    return out->failed ? AS_ENOMEM : AS_OK;
unterminated:
    report_errf(err, errlen, "the SVG is cut short or malformed near '%.40s'", p);
    return AS_ERUNTIME;
}
