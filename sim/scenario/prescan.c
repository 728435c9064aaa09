/*
 * prescan - a look at a scenario text before libconfig 1.5 parses it, for
 * the inputs libconfig handles badly:
 *
 *   - an @include that names a folder: fopen() succeeds, the first read
 *     fails with EISDIR and libconfig's flex scanner calls exit(2) with
 *     "input in flex scanner failed" (no file, no line, the process gone);
 *     a device or a pipe (/dev/zero) would be read without end;
 *   - an @include'd file larger than LD_MAX_FILE_BYTES;
 *   - a group with very many named settings: libconfig 1.5 looks for a
 *     duplicate name by a linear search at each new setting, so parsing is
 *     quadratic (80 000 settings take a minute, a 50 MB file days).  No
 *     group of a scenario needs more than a few dozen;
 *   - groups, lists and arrays nested thousands deep, which end in bison's
 *     terse "memory exhausted"; a scenario nests five or six levels.
 *
 * The scan follows libconfig 1.5's scanner (lib/scanner.l) closely enough
 * to find what it would find: `@include "PATH"` only at the start of a line
 * (spaces and tabs before it allowed) outside strings and comments, with
 * \\ and \" the only escapes in PATH (the scan refuses any backslash in
 * PATH: libconfig echoes a stray one to standard output); comments `#...` and `//...` to the end
 * of the line and `/ * ... * /` across lines; strings in double quotes with
 * backslash escapes; `=` or `:` after each setting name; `{ }` around
 * groups, `( )` and `[ ]` around lists and arrays.  Included text is scanned where it is included, with the same
 * group stack, as libconfig reads it; included files are opened as
 * libconfig opens them (the include folder, "/", the path as written - also
 * for an absolute path) down to libconfig's nesting limit of 10.  What the
 * scan does not flag (a missing include, a syntax error) is left to
 * libconfig, which reports it with its file and line.
 */
#include "scenario/loader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
    MAX_INCLUDE_DEPTH = 10, /* libconfig 1.5's MAX_INCLUDE_DEPTH */
    MAX_NESTING = 100       /* groups, lists and arrays inside each other */
};

typedef struct {
    loader *L;
    const char *dir;                  /* include folder, NULL: working dir */
    size_t count[MAX_NESTING + 1];    /* named settings of each open group */
    size_t depth;                     /* open brackets; 0 = the top level */
    size_t group;                     /* index in count of the innermost group */
    size_t group_at[MAX_NESTING + 1]; /* for each open bracket, the group outside it */
    int flagged;                      /* the settings limit was reported */
    int stop;                         /* nesting too deep: the scan ends */
    /* The included files being scanned, outermost first: a file met again
     * on this chain is an @include cycle. */
    dev_t chain_dev[MAX_INCLUDE_DEPTH + 1];
    ino_t chain_ino[MAX_INCLUDE_DEPTH + 1];
    int nchain;
} prescan;

/* The path libconfig 1.5 opens for an @include of raw: it always prefixes
 * the include folder, even to an absolute path. */
static char *include_path(const char *dir, const char *raw)
{
    size_t n = (dir ? strlen(dir) + 1 : 0) + strlen(raw) + 1;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s%s%s", dir ? dir : "", dir ? "/" : "", raw);
    return p;
}

static void scan_text(prescan *ps, const char *text, const char *file, int nesting);

/*
 * Checks the file an @include on line `line` of `file` names (raw, as
 * written) and scans it in turn.  Files that cannot be opened are left to
 * libconfig, which reports them.
 */
static void scan_include(prescan *ps, const char *raw, const char *file, int line, int nesting)
{
    loader *L = ps->L;
    if (nesting >= MAX_INCLUDE_DEPTH)
        return; /* libconfig refuses it: "include file nesting too deep" */
    char *full = include_path(ps->dir, raw);
    char shown[4096];
    ld_display_file(L->name, ps->dir, raw, shown, sizeof shown);
    struct stat st;
    if (!full) {
        L->oom = 1;
    } else if (stat(full, &st) != 0) {
        /* missing or unreadable: libconfig says so with the place */
    } else if (S_ISDIR(st.st_mode)) {
        ld_error_at(L, file, line, "cannot include '%s': '%s' is a folder, not a file", raw, shown);
    } else if (!S_ISREG(st.st_mode)) {
        ld_error_at(L, file, line,
                    "cannot include '%s': '%s' is not a regular file (a device, a pipe or a "
                    "socket)",
                    raw, shown);
    } else {
        for (int i = 0; i < ps->nchain; i++)
            if (ps->chain_dev[i] == st.st_dev && ps->chain_ino[i] == st.st_ino) {
                /* Issue 14: libconfig would include it again until its depth
                 * limit and then report a "duplicate setting name". */
                ld_error_at(L, file, line,
                            "cannot include '%s': '%s' is already being included (an @include cycle)", raw,
                            shown);
                ps->stop = 1;
                free(full);
                return;
            }
        size_t len;
        char *sub = io_read_file_max(full, LD_MAX_FILE_BYTES, &len);
        if (!sub && errno == EFBIG) {
            ld_error_at(L, file, line,
                        "cannot include '%s': '%s' is larger than %d bytes, the most a "
                        "scenario file may hold",
                        raw, shown, LD_MAX_FILE_BYTES);
        } else if (!sub && errno == ENOMEM) {
            L->oom = 1;
        } else if (sub) {
            char *name = malloc(strlen(shown) + 1);
            if (name) {
                strcpy(name, shown);
                ps->chain_dev[ps->nchain] = st.st_dev;
                ps->chain_ino[ps->nchain] = st.st_ino;
                ps->nchain++;
                scan_text(ps, sub, name, nesting + 1);
                ps->nchain--;
                free(name);
            } else {
                L->oom = 1;
            }
            free(sub);
        }
    }
    free(full);
}

/*
 * Matches `[ \t]*@include[ \t]+"` at p (the start of a line); returns the
 * position after the quote, or NULL.
 */
static const char *include_open(const char *p)
{
    p += strspn(p, " \t");
    if (strncmp(p, "@include", 8) != 0)
        return NULL;
    p += 8;
    size_t ws = strspn(p, " \t");
    if (ws == 0 || p[ws] != '"')
        return NULL;
    return p + ws + 1;
}

static int is_word_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' ||
           c == '-' || c == '+';
}

/*
 * A decimal integer literal at p: libconfig 1.5 reads one beyond 64 bits
 * as -1 or a wrapped value without a word (issue 14: a huge seed was
 * clamped silently), and one above 2147483647 without the L suffix wrapped
 * to 32 bits, so both are refused here with the digits as written.
 * Returns the first character after the number.
 */
static const char *scan_integer(prescan *ps, const char *p, const char *file, int line)
{
    const char *q = p;
    while (*q >= '0' && *q <= '9')
        q++;
    size_t n = (size_t)(q - p);
    if (*q == '.' || *q == 'e' || *q == 'E' || *q == 'x' || *q == 'X')
        return q; /* a float, or hexadecimal */
    static const char max[] = "9223372036854775807";
    while (n > 1 && *p == '0') {
        p++;
        n--;
    }
    static const char max32[] = "2147483647";
    if (n > sizeof max - 1 || (n == sizeof max - 1 && strncmp(p, max, n) > 0))
        ld_error_at(ps->L, file, line,
                    "expected an integer of at most 9223372036854775807, found %.*s (beyond 64 bits: "
                    "libconfig cannot read it)",
                    (int)(n > 60 ? 60 : n), p);
    else if (*q != 'L' && (n > sizeof max32 - 1 || (n == sizeof max32 - 1 && strncmp(p, max32, n) > 0)))
        ld_error_at(ps->L, file, line,
                    "expected the L suffix on an integer above 2147483647, found %.*s: write %.*sL "
                    "(libconfig 1.5 reads it wrapped to 32 bits without it)",
                    (int)n, p, (int)n, p);
    return q;
}

/* Scans one file's text (the main text at nesting 0); see the file comment. */
static void scan_text(prescan *ps, const char *text, const char *file, int nesting)
{
    loader *L = ps->L;
    int line = 1;
    const char *p = text;
    while (*p && !L->oom && !ps->stop) {
        const char *after;
        if ((p == text || p[-1] == '\n') && (after = include_open(p)) != NULL) {
            /* The path: every character up to the closing quote, with \\ and
             * \" unescaped.  libconfig's scanner echoes any other backslash
             * to standard output; a backslash is refused here. */
            int at = line, backslash = 0;
            buf path = {0};
            for (p = after; *p && *p != '"'; p++) {
                if (*p == '\\') {
                    backslash = 1;
                    if (p[1] == '\\' || p[1] == '"')
                        p++;
                }
                buf_printf(&path, "%c", *p);
                line += *p == '\n';
            }
            char *raw = buf_take(&path);
            if (!raw) {
                L->oom = 1;
                return;
            }
            if (backslash)
                ld_error_at(L, file, at,
                            "cannot include '%s': expected a path with '/' between folders, "
                            "found a backslash",
                            raw);
            else if (*p == '"')
                scan_include(ps, raw, file, at, nesting);
            p += *p == '"';
            free(raw);
            continue;
        }
        switch (*p) {
        case '\n':
            line++;
            p++;
            break;
        case '#':
            p += strcspn(p, "\n");
            break;
        case '/':
            if (p[1] == '/') {
                p += strcspn(p, "\n");
            } else if (p[1] == '*') {
                for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
                    line += *p == '\n';
                p += *p ? 2 : 0;
            } else {
                p++;
            }
            break;
        case '"':
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1])
                    p++;
                line += *p == '\n';
            }
            p += *p ? 1 : 0;
            break;
        case '{':
        case '(':
        case '[':
            if (ps->depth == MAX_NESTING) {
                ld_error_at(L, file, line,
                            "groups, lists and arrays nested more than %d deep: a scenario "
                            "needs a few levels (is this a scenario file?)",
                            MAX_NESTING);
                ps->stop = 1;
                break;
            }
            ps->group_at[++ps->depth] = ps->group;
            if (*p == '{') {
                ps->group = ps->depth;
                ps->count[ps->group] = 0;
            }
            p++;
            break;
        case '}':
        case ')':
        case ']':
            /* An unbalanced bracket is libconfig's syntax error to report. */
            if (ps->depth > 0)
                ps->group = ps->group_at[ps->depth--];
            p++;
            break;
        case '=':
        case ':':
            if (++ps->count[ps->group] > LD_MAX_GROUP_SETTINGS && !ps->flagged) {
                ps->flagged = 1;
                ld_error_at(L, file, line,
                            "more than %d settings in one group: a scenario needs far fewer, "
                            "and libconfig slows down quadratically with them (is this a "
                            "scenario file?)",
                            LD_MAX_GROUP_SETTINGS);
            }
            p++;
            break;
        default:
            if (*p >= '0' && *p <= '9' && (p == text || !is_word_char(p[-1])))
                p = scan_integer(ps, p, file, line);
            else
                p++;
            break;
        }
    }
}

size_t ld_prescan(loader *L, const char *text, const char *name, const char *dir)
{
    prescan *ps = calloc(1, sizeof *ps);
    if (!ps) {
        L->oom = 1;
        return 0;
    }
    size_t before = L->nerrors;
    ps->L = L;
    ps->dir = dir;
    scan_text(ps, text, name, 0);
    free(ps);
    return L->nerrors - before;
}
