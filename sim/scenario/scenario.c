/*
 * scenario - public entry points of the scenario loader and the helpers the
 * other parts share (diagnostics, places of settings, suggestions).
 *
 * A load runs in two passes over two libconfig trees:
 *   1. the scenario text is parsed (includes expanded by libconfig), its base
 *      scenarios are merged in (variant.c), the
 *      overrides are applied to the tree, the tree is checked against the
 *      settings table into a scratch spec (every error collected), and the
 *      resolved text is written from the tree, the table's defaults and the
 *      scratch spec (data tables inline);
 *   2. the resolved text is parsed again and checked into the caller's spec.
 * So the spec holds exactly the values written in the resolved text, and a
 * run can be reproduced from that text alone.  Pass 2 finding an error is a
 * bug of the loader; it is reported like any other diagnostic.
 */
#include "scenario/scenario.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario/loader.h"

/* ------------------------------------------------------------------ */
/* Diagnostics                                                        */
/* ------------------------------------------------------------------ */

void scenario_diags_clear(scenario_diags *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->lines[i]);
    free(d->lines);
    d->lines = NULL;
    d->n = 0;
}

void ld_init(loader *L, const char *name, const char *include_dir, scenario_diags *diags,
             model_spec *spec)
{
    memset(L, 0, sizeof *L);
    L->name = name;
    L->include_dir = include_dir;
    L->diags = diags;
    L->spec = spec;
    L->start = 1949.75;
    L->horizon = 2030.0;
}

void ld_clear(loader *L)
{
    free(L->tables);
    L->tables = NULL;
    L->ntables = 0;
    for (size_t i = 0; i < L->nbases; i++) {
        config_destroy(L->bases[i]);
        free(L->bases[i]);
    }
    free(L->bases);
    L->bases = NULL;
    L->nbases = 0;
    for (size_t i = 0; i < L->nmarks; i++) {
        free(L->marks[i]->file);
        free(L->marks[i]->dir);
        free(L->marks[i]);
    }
    free(L->marks);
    L->marks = NULL;
    L->nmarks = 0;
}

ld_mark *ld_new_mark(loader *L, ld_mark_kind kind)
{
    ld_mark **marks = NULL;
    ld_mark *m = calloc(1, sizeof *m);
    if (m && L->nmarks < ((size_t)-1) / sizeof *marks - 1)
        marks = realloc(L->marks, (L->nmarks + 1) * sizeof *marks);
    if (!m || !marks) {
        free(m);
        L->oom = 1;
        return NULL;
    }
    L->marks = marks;
    m->kind = kind;
    L->marks[L->nmarks++] = m;
    return m;
}

void ld_diag(loader *L, const char *line)
{
    L->nerrors++;
    scenario_diags *d = L->diags;
    if (d->n >= ((size_t)-1) / sizeof *d->lines - 1) {
        L->oom = 1;
        return;
    }
    char **lines = realloc(d->lines, (d->n + 1) * sizeof *lines);
    if (!lines) {
        L->oom = 1;
        return;
    }
    d->lines = lines;
    size_t n = strlen(line);
    char *copy = malloc(n + 1);
    if (!copy) {
        L->oom = 1;
        return;
    }
    memcpy(copy, line, n + 1);
    d->lines[d->n++] = copy;
}

/* Display only: data files are opened by their raw path, which stays right
 * when a folder on the way is a symbolic link. */
void ld_normalise_path(char *path)
{
    int absolute = path[0] == '/';
    char *parts[256];
    size_t n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(path, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (strcmp(tok, ".") == 0)
            continue;
        if (strcmp(tok, "..") == 0 && n > 0 && strcmp(parts[n - 1], "..") != 0) {
            n--;
            continue;
        }
        if (n == sizeof parts / sizeof parts[0])
            return; /* absurdly deep: leave the rest as strtok_r left it */
        parts[n++] = tok;
    }
    /* The parts point into path, in order, so copying forward is safe. */
    char *w = path;
    if (absolute)
        *w++ = '/';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *w++ = '/';
        size_t len = strlen(parts[i]);
        memmove(w, parts[i], len);
        w += len;
    }
    if (w == path)
        *w++ = '.';
    *w = '\0';
}

const char *ld_display_file(const char *name, const char *dir, const char *raw, char *dst,
                            size_t len)
{
    if (!raw)
        return name;
    if (raw[0] == '/' || !dir)
        snprintf(dst, len, "%s", raw);
    else
        snprintf(dst, len, "%s/%s", dir, raw);
    ld_normalise_path(dst);
    return dst;
}

/* Where a setting comes from: see find_origin(). */
typedef struct {
    const ld_mark *label;        /* a MARK_PLACE: report at its label */
    const config_setting_t *at;  /* else the nearest setting with a line (NULL: none) */
    const char *name, *dir;      /* ... in this file, whose raw names are relative to dir */
} origin;

/*
 * Walks from s to the root: the first MARK_PLACE met before a setting with
 * a line wins; otherwise the nearest line counts, in the base file of the
 * nearest MARK_BASE above it (none: the main file).
 */
static void find_origin(const loader *L, const config_setting_t *s, origin *o)
{
    o->label = NULL;
    o->at = NULL;
    o->name = L->name;
    o->dir = L->include_dir;
    for (const config_setting_t *p = s; p; p = config_setting_parent(p)) {
        const ld_mark *m = config_setting_get_hook(p);
        if (m && m->kind == MARK_PLACE && !o->at) {
            o->label = m;
            return;
        }
        if (!o->at && config_setting_source_line(p) > 0)
            o->at = p;
        if (m && m->kind == MARK_BASE) {
            o->name = m->file;
            o->dir = m->dir;
            return;
        }
    }
}

const char *ld_setting_dir(const loader *L, const config_setting_t *s, char *dst, size_t len)
{
    origin o;
    find_origin(L, s, &o);
    if (o.label)
        return L->include_dir; /* made on the command line: the main file's folder */
    const char *raw = o.at ? config_setting_source_file(o.at) : NULL;
    if (!raw)
        return o.dir;
    if (raw[0] == '/' || !o.dir)
        snprintf(dst, len, "%s", raw);
    else
        snprintf(dst, len, "%s/%s", o.dir, raw);
    char *slash = strrchr(dst, '/');
    if (!slash)
        return NULL;
    if (slash == dst)
        slash[1] = '\0';
    else
        *slash = '\0';
    return dst;
}

void ld_path(const config_setting_t *s, char *dst, size_t len)
{
    const config_setting_t *chain[64];
    size_t n = 0;
    for (const config_setting_t *p = s; p && !config_setting_is_root(p); p = config_setting_parent(p))
        if (n < sizeof chain / sizeof chain[0])
            chain[n++] = p;
    size_t used = 0;
    dst[0] = '\0';
    while (n-- > 0 && used < len) {
        const config_setting_t *p = chain[n];
        const config_setting_t *parent = config_setting_parent(p);
        int w;
        if (parent && (config_setting_is_list(parent) || config_setting_is_array(parent)))
            w = snprintf(dst + used, len - used, "%s[%d]", used ? "." : "", config_setting_index(p));
        else
            w = snprintf(dst + used, len - used, "%s%s", used ? "." : "",
                         config_setting_name(p) ? config_setting_name(p) : "?");
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

int ld_where(const loader *L, const config_setting_t *s, char *dst, size_t len)
{
    origin o;
    find_origin(L, s, &o);
    if (o.label) {
        snprintf(dst, len, "%s", o.label->label);
        return 0;
    }
    const char *raw = o.at ? config_setting_source_file(o.at) : NULL;
    const char *shown = ld_display_file(o.name, o.dir, raw, dst, len);
    if (shown != dst)
        snprintf(dst, len, "%s", shown);
    return o.at ? (int)config_setting_source_line(o.at) : 0;
}

/* Writes where setting s comes from: "FILE:LINE", "FILE" or a mark's label;
 * returns the MARK_PLACE, or NULL. */
static const ld_mark *write_where(const loader *L, const config_setting_t *s, buf *b)
{
    char file[4096];
    origin o;
    find_origin(L, s, &o);
    int line = ld_where(L, s, file, sizeof file);
    buf_puts(b, file);
    if (line > 0)
        buf_printf(b, ":%d", line);
    return o.label;
}

void ld_error(loader *L, const config_setting_t *s, const char *fmt, ...)
{
    buf b = {0};
    const ld_mark *m = write_where(L, s, &b);
    buf_puts(&b, ": error: ");
    char path[512];
    ld_path(s, path, sizeof path);
    /* "--set model.w_threat: error: model.w_threat: ..." says it twice. */
    if (path[0] && !(m && strncmp(m->label, "--set ", 6) == 0 && strcmp(m->label + 6, path) == 0))
        buf_printf(&b, "%s: ", path);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    char *line = buf_take(&b);
    if (!line) {
        L->nerrors++;
        L->oom = 1;
        return;
    }
    ld_diag(L, line);
    free(line);
}

void ld_error_at(loader *L, const char *file, int line, const char *fmt, ...)
{
    buf b = {0};
    if (line > 0)
        buf_printf(&b, "%s:%d: error: ", file, line);
    else
        buf_printf(&b, "%s: error: ", file);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    char *text = buf_take(&b);
    if (!text) {
        L->nerrors++;
        L->oom = 1;
        return;
    }
    ld_diag(L, text);
    free(text);
}

config_setting_t *ld_member(const config_setting_t *g, const char *name)
{
    if (!g || !config_setting_is_group(g))
        return NULL;
    return config_setting_get_member(g, name);
}

/* ------------------------------------------------------------------ */
/* Suggestions                                                        */
/* ------------------------------------------------------------------ */

/* Levenshtein distance, capped at 99 for long strings. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 60 || lb > 60)
        return 99;
    size_t row[61];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

void ld_suggest_init(ld_suggest *sg, const char *word)
{
    sg->word = word;
    sg->best = NULL;
    sg->dist = (size_t)-1;
}

void ld_suggest_add(ld_suggest *sg, const char *candidate)
{
    /* Allow about one edit per three letters (1 to 3), and never an edit
     * count that rewrites the whole candidate ('zz' is not a typo of 'a'). */
    size_t d = edit_distance(sg->word, candidate);
    size_t limit = (strlen(sg->word) + 2) / 3;
    limit = limit < 1 ? 1 : limit > 3 ? 3 : limit;
    if (d > 0 && d <= limit && d < strlen(candidate) && d < sg->dist) {
        sg->best = candidate;
        sg->dist = d;
    }
}

void ld_suggest_write(const ld_suggest *sg, buf *b)
{
    if (sg->best)
        buf_printf(b, "; did you mean '%s'?", sg->best);
}

/* ------------------------------------------------------------------ */
/* Reading                                                            */
/* ------------------------------------------------------------------ */

char *ld_slurp(const char *path, size_t *len)
{
    char *dst = NULL;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0)
        goto fail;
    if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        goto fail;
    }
    if (S_ISREG(st.st_mode) && st.st_size > LD_MAX_FILE_BYTES) {
        errno = EFBIG;
        goto fail;
    }
    size_t cap = 4096, n = 0;
    dst = malloc(cap);
    if (!dst)
        goto fail;
    for (;;) {
        if (cap - n < 2) {
            if (cap > ((size_t)-1) / 2) {
                errno = ENOMEM;
                goto fail;
            }
            char *p = realloc(dst, cap * 2);
            if (!p)
                goto fail;
            dst = p;
            cap *= 2;
        }
        ssize_t r = read(fd, dst + n, cap - n - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            goto fail;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > LD_MAX_FILE_BYTES) { /* a pipe or a device: stop reading */
            errno = EFBIG;
            goto fail;
        }
    }
    dst[n] = '\0';
    close(fd);
    *len = n;
    return dst;

fail: {
    int e = errno;
    free(dst);
    close(fd);
    errno = e;
    return NULL;
}
}

/* Copies line n (1-based) of text into dst; "" if there is none. */
static void text_line(const char *text, int n, char *dst, size_t len)
{
    dst[0] = '\0';
    for (int i = 1; text && *text; i++) {
        const char *eol = strchr(text, '\n');
        size_t l = eol ? (size_t)(eol - text) : strlen(text);
        if (i == n) {
            snprintf(dst, len, "%.*s", (int)(l < len ? l : len - 1), text);
            return;
        }
        if (!eol)
            return;
        text = eol + 1;
    }
}

/*
 * Reports a libconfig parse error with file and line, adding what a user
 * needs to fix it: libconfig's own texts are terse ("syntax error").
 */
void ld_syntax_error(loader *L, const char *name, const char *dir, const config_t *cfg,
                     const char *main_text)
{
    char file[4096];
    const char *raw = config_error_file(cfg);
    const char *shown = ld_display_file(name, dir, raw, file, sizeof file);
    int line = config_error_line(cfg);
    const char *text = config_error_text(cfg) ? config_error_text(cfg) : "parse error";

    if (strcmp(text, "cannot open include file") == 0) {
        /* Find the name on the offending line to say where it was looked for. */
        char src[1024] = "";
        char *other = NULL;
        if (!raw) {
            text_line(main_text, line, src, sizeof src);
        } else {
            size_t len;
            if ((other = ld_slurp(shown, &len)) != NULL)
                text_line(other, line, src, sizeof src);
        }
        free(other);
        char *q1 = strchr(src, '"');
        char *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
        if (q1 && q2) {
            *q2 = '\0';
            char looked[4096];
            ld_display_file(name, dir, q1 + 1, looked, sizeof looked);
            ld_error_at(L, shown, line,
                        "cannot open include file '%s' (looked for '%s'; @include paths are "
                        "relative to the folder of the scenario file, also inside included "
                        "files; a base scenario's, to the base file's folder)",
                        q1 + 1, looked);
            return;
        }
        ld_error_at(L, shown, line, "%s", text);
    } else if (strcmp(text, "include file nesting too deep") == 0) {
        ld_error_at(L, shown, line,
                    "include file nesting too deep: a file includes itself, directly or "
                    "through other files");
    } else if (strcmp(text, "duplicate setting name") == 0) {
        ld_error_at(L, shown, line,
                    "duplicate setting name: a name may appear once in a group (an actor id "
                    "or a key given twice, perhaps once in an @include'd file)");
    } else if (strcmp(text, "syntax error") == 0) {
        ld_error_at(L, shown, line,
                    "syntax error: expected settings `name = value;` with strings in double "
                    "quotes, groups in { }, lists in ( ), arrays in [ ] (nan and inf are not "
                    "numbers)");
    } else {
        ld_error_at(L, shown, line, "%s", text);
    }
}

/*
 * Splits diagnostic d into its place: the text before the line number (or
 * before ": error:") and the line (0 if none).  Returns the place's length.
 */
static size_t diag_place(const char *d, unsigned long *line)
{
    const char *e = strstr(d, ": error:");
    size_t n = e ? (size_t)(e - d) : strlen(d);
    *line = 0;
    const char *colon = NULL;
    for (size_t i = n; i > 0; i--)
        if (d[i - 1] == ':') {
            colon = d + i - 1;
            break;
        }
    if (colon && colon + 1 < d + n && strspn(colon + 1, "0123456789") == (size_t)(d + n - colon - 1)) {
        *line = strtoul(colon + 1, NULL, 10);
        return (size_t)(colon - d);
    }
    return n;
}

/* Sort key of a diagnostic: the rank of its place (file or override) in
 * order of first appearance, then its line. */
typedef struct {
    char *text;
    size_t rank;
    unsigned long line;
} diag_key;

/*
 * Orders diagnostics first..n-1 as a compiler would: grouped by file, files
 * in the order they first appear (overrides, applied first, come first),
 * then by line; stable, so messages on one line keep their order.  Without
 * memory for the keys the order is left as it is.
 */
static void sort_diags(scenario_diags *dg, size_t first)
{
    size_t n = dg->n - first;
    if (n < 2)
        return;
    diag_key *k = malloc(n * sizeof *k);
    if (!k)
        return;
    for (size_t i = 0; i < n; i++) {
        k[i].text = dg->lines[first + i];
        size_t len = diag_place(k[i].text, &k[i].line);
        k[i].rank = i;
        for (size_t j = 0; j < i; j++) {
            unsigned long lj;
            if (diag_place(k[j].text, &lj) == len && strncmp(k[j].text, k[i].text, len) == 0) {
                k[i].rank = k[j].rank;
                break;
            }
        }
    }
    for (size_t i = 1; i < n; i++) {
        diag_key cur = k[i];
        size_t j = i;
        while (j > 0 && (k[j - 1].rank > cur.rank ||
                         (k[j - 1].rank == cur.rank && k[j - 1].line > cur.line))) {
            k[j] = k[j - 1];
            j--;
        }
        k[j] = cur;
    }
    for (size_t i = 0; i < n; i++)
        dg->lines[first + i] = k[i].text;
    free(k);
}

/*
 * The load itself; see the file comment.  path is the file the text was
 * read from (NULL for text from memory), for detecting base cycles.  diags
 * is never NULL here.
 */
static int load_text(const char *text, const char *path, const char *name, const char *include_dir,
                     const scenario_options *opt, model_spec *spec, char **resolved,
                     scenario_diags *diags)
{
    int rc = AS_EUSAGE;
    size_t first_diag = diags->n;
    config_t c1, c2;
    int have_c1 = 0, have_c2 = 0;
    model_spec scratch, own;
    model_spec *out = spec ? spec : &own;
    char *text2 = NULL, *name2 = NULL;
    loader L1, L2;

    model_spec_init(&scratch);
    model_spec_init(&own);
    if (spec)
        model_spec_clear(spec);
    ld_init(&L1, name, include_dir, diags, &scratch);
    ld_init(&L2, name, NULL, diags, out);

    config_init(&c1);
    have_c1 = 1;
    if (include_dir)
        config_set_include_dir(&c1, include_dir);
    if (ld_prescan(&L1, text, name, include_dir) != 0 || L1.oom)
        goto done;
    if (!config_read_string(&c1, text)) {
        ld_syntax_error(&L1, name, include_dir, &c1, text);
        goto done;
    }
    /* A base that cannot be loaded leaves nothing worth checking. */
    if (ld_variant(&L1, &c1, path) != 0 || L1.oom)
        goto done;
    ld_override(&L1, &c1, opt);
    L1.posterior_table = opt ? opt->posterior_table : NULL;
    ld_check(&L1, &c1);
    if (L1.oom || L1.nerrors)
        goto done;

    text2 = ld_emit(&L1, &c1);
    size_t nlen = strlen(name) + sizeof " (resolved)";
    name2 = malloc(nlen);
    if (!text2 || !name2) {
        L1.oom = 1;
        goto done;
    }
    snprintf(name2, nlen, "%s (resolved)", name);
    L2.name = name2;
    config_init(&c2);
    have_c2 = 1;
    if (!config_read_string(&c2, text2)) {
        ld_syntax_error(&L2, name2, NULL, &c2, text2);
        goto done;
    }
    ld_check(&L2, &c2);
    if (L2.oom || L2.nerrors)
        goto done;
    /* Events keep the place of their declaration in the files the user wrote. */
    for (size_t i = 0; i < out->nevents && i < scratch.nevents; i++) {
        out->events[i].line = scratch.events[i].line;
        memcpy(out->events[i].file, scratch.events[i].file, sizeof out->events[i].file);
    }
    rc = AS_OK;
    if (resolved) {
        *resolved = text2;
        text2 = NULL;
    }

done:
    if (L1.oom || L2.oom) {
        rc = AS_ENOMEM;
        ld_error_at(&L1, name, 0, "out of memory");
    }
    sort_diags(diags, first_diag);
    if (rc != AS_OK)
        model_spec_clear(out);
    if (have_c2)
        config_destroy(&c2);
    if (have_c1)
        config_destroy(&c1);
    ld_clear(&L1);
    ld_clear(&L2);
    model_spec_clear(&scratch);
    model_spec_clear(&own);
    free(text2);
    free(name2);
    return rc;
}

int scenario_load_string(const char *text, const char *name, const char *base_dir,
                         const scenario_options *opt, model_spec *spec, char **resolved,
                         scenario_diags *diags)
{
    scenario_diags local = {NULL, 0};
    if (resolved)
        *resolved = NULL;
    int rc = load_text(text, NULL, name, base_dir, opt, spec, resolved, diags ? diags : &local);
    scenario_diags_clear(&local);
    return rc;
}

int scenario_load(const char *path, const scenario_options *opt, model_spec *spec,
                  char **resolved, scenario_diags *diags)
{
    scenario_diags local = {NULL, 0};
    scenario_diags *dg = diags ? diags : &local;
    char *dir = NULL;
    char *text = NULL;
    int rc = AS_EIO;
    loader L;
    ld_init(&L, path, NULL, dg, NULL);

    if (resolved)
        *resolved = NULL;
    size_t len = 0;
    text = ld_slurp(path, &len);
    if (!text && errno == EFBIG) {
        ld_error_at(&L, path, 0,
                    "expected a scenario file of at most %d bytes, found a larger file "
                    "(is this a scenario file?)",
                    LD_MAX_FILE_BYTES);
        rc = AS_EUSAGE;
        goto done;
    }
    if (!text) {
        ld_error_at(&L, path, 0, "%s", strerror(errno));
        goto done;
    }
    /* libconfig would stop at a NUL byte and read a truncated file. */
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        int line = 1;
        for (const char *p = text; p < nul; p++)
            line += *p == '\n';
        ld_error_at(&L, path, line,
                    "expected a libconfig text file, found a NUL byte (binary data?)");
        rc = AS_EUSAGE;
        goto done;
    }
    const char *slash = strrchr(path, '/');
    if (slash) {
        size_t n = slash == path ? 1 : (size_t)(slash - path);
        dir = malloc(n + 1);
        if (!dir) {
            ld_error_at(&L, path, 0, "out of memory");
            rc = AS_ENOMEM;
            goto done;
        }
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    rc = load_text(text, path, path, dir, opt, spec, resolved, dg);

done:
    if (rc != AS_OK && spec)
        model_spec_clear(spec);
    free(text);
    free(dir);
    scenario_diags_clear(&local);
    return rc;
}
