/*
 * io/tsv - writer and reader of alignsim's tab-separated result tables.
 *
 * Writer invariants: the provenance and header are written by tsv_open();
 * `cell` counts the cells of the unfinished row (0 <= cell <= ncol); the
 * file receives a tab before every cell but the first of a row and a newline
 * at tsv_end_row(), so every finished row has exactly ncol cells; `status`
 * is AS_OK until the first failure and never changes after that, and a
 * failed writer writes nothing more and is never committed.
 *
 * Reader invariants: the whole file is held in one buffer in which every tab
 * and line end has been replaced by a NUL, so that every name, cell and
 * provenance string handed out is a pointer into that buffer; freeing the
 * table frees them all.  cells holds nrow * ncol pointers, row-major.
 *
 * Numbers are formatted and parsed by base/num, in the C locale whatever
 * the process's locale, so a caller's setlocale() (or a host program such
 * as R that sets LC_NUMERIC) can never turn 0.5 into "0,5".
 */
#include "io/tsv.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/num.h"

/* ------------------------------------------------------------------ */
/* Numbers: base/num in the C locale, with NA for NaN                 */
/* ------------------------------------------------------------------ */

int tsv_format_double(char *out, size_t size, double v)
{
    if (isnan(v))
        return snprintf(out, size, "NA");
    return num_format_double(out, size, v);
}

int tsv_parse_double(const char *s, double *out)
{
    if (strcmp(s, "NA") == 0) {
        *out = NAN;
        return 0;
    }
    return num_parse_double(s, out);
}

/* ------------------------------------------------------------------ */
/* Writer                                                             */
/* ------------------------------------------------------------------ */

struct tsv_writer {
    io_atomic *file;
    size_t ncol;
    size_t nprov;      /* provenance lines, to turn rows into line numbers */
    size_t cell;       /* cells written in the unfinished row */
    size_t rows;       /* rows finished */
    int status;        /* AS_OK, or the first failure */
    char usage[160];   /* what the caller did wrong, for AS_EUSAGE */
};

/* Line number in the file of the current (unfinished) row. */
static size_t current_line(const tsv_writer *w)
{
    return w->nprov + 1 + w->rows + 1;
}

/* Marks the writer failed by a caller error; the message says where. */
static int usage_failure(tsv_writer *w, size_t found, int more)
{
    if (w->status == AS_OK) {
        w->status = AS_EUSAGE;
        snprintf(w->usage, sizeof w->usage,
                 "row %zu (line %zu): expected %zu cells, found %s%zu",
                 w->rows + 1, current_line(w), w->ncol, more ? "more than " : "",
                 found);
    }
    return w->status;
}

/* Picks up an I/O failure of the underlying file, once. */
static int sync_status(tsv_writer *w)
{
    if (w->status == AS_OK && io_atomic_status(w->file) != AS_OK)
        w->status = AS_EIO;
    return w->status;
}

/*
 * Appends s with every tab, carriage return and newline replaced by a
 * space, so that text can never add a cell or a line.
 */
static void text_clean(buf *out, const char *s)
{
    while (*s) {
        size_t n = strcspn(s, "\t\r\n");
        buf_append(out, s, n);
        s += n;
        if (*s) {
            buf_append(out, " ", 1);
            s++;
        }
    }
}

/* Writes s cleaned (see text_clean). */
static void put_clean(io_atomic *f, const char *s)
{
    while (*s) {
        size_t n = strcspn(s, "\t\r\n");
        io_atomic_write(f, s, n);
        s += n;
        if (*s) {
            io_atomic_write(f, " ", 1);
            s++;
        }
    }
}

void tsv_header_text(buf *out, const io_kv *prov, size_t nprov, const char *const *columns, size_t ncol)
{
    for (size_t i = 0; i < nprov; i++) {
        buf_puts(out, "# ");
        text_clean(out, prov[i].key ? prov[i].key : "");
        buf_puts(out, ":");
        if (prov[i].value && prov[i].value[0]) {
            buf_puts(out, " ");
            text_clean(out, prov[i].value);
        }
        buf_puts(out, "\n");
    }
    for (size_t i = 0; i < ncol; i++) {
        if (i > 0)
            buf_puts(out, "\t");
        text_clean(out, columns[i] ? columns[i] : "");
    }
    buf_puts(out, "\n");
}

void tsv_text_str(buf *out, const char *s)
{
    text_clean(out, s ? s : "NA");
    buf_puts(out, "\t");
}

void tsv_text_int(buf *out, int64_t v)
{
    buf_printf(out, "%" PRId64 "\t", v);
}

void tsv_text_double(buf *out, double v)
{
    char text[TSV_DOUBLE_BUFSIZE];
    tsv_format_double(text, sizeof text, v);
    buf_puts(out, text);
    buf_puts(out, "\t");
}

void tsv_text_end_row(buf *out)
{
    if (out->len > 0 && out->data[out->len - 1] == '\t')
        out->data[out->len - 1] = '\n';
    else
        buf_puts(out, "\n");
}

tsv_writer *tsv_open(const char *path, const io_kv *prov, size_t nprov,
                     const char *const *columns, size_t ncol, char *err,
                     size_t errlen)
{
    if (ncol == 0 || !columns) {
        if (err && errlen > 0)
            snprintf(err, errlen, "%s: a table needs at least one column",
                     path);
        return NULL;
    }
    tsv_writer *w = calloc(1, sizeof *w);
    if (!w) {
        if (err && errlen > 0)
            snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
        return NULL;
    }
    w->file = io_atomic_open(path, err, errlen);
    if (!w->file) {
        free(w);
        return NULL;
    }
    w->ncol = ncol;
    w->nprov = nprov;

    buf head = {0};
    tsv_header_text(&head, prov, nprov, columns, ncol);
    if (head.failed) {
        if (err && errlen > 0)
            snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
        buf_clear(&head);
        io_atomic_abort(w->file);
        free(w);
        return NULL;
    }
    io_atomic_write(w->file, head.data, head.len);
    buf_clear(&head);
    sync_status(w);
    return w;
}

/* Checks that another cell fits in the row and writes its separator. */
static int begin_cell(tsv_writer *w)
{
    if (w->status != AS_OK)
        return w->status;
    if (w->cell >= w->ncol)
        return usage_failure(w, w->ncol, 1);
    if (w->cell > 0)
        io_atomic_write(w->file, "\t", 1);
    return AS_OK;
}

static int end_cell(tsv_writer *w)
{
    w->cell++;
    return sync_status(w);
}

/* Writes one cell whose text needs no cleaning. */
static int put_cell(tsv_writer *w, const char *text)
{
    int rc = begin_cell(w);
    if (rc != AS_OK)
        return rc;
    io_atomic_puts(w->file, text);
    return end_cell(w);
}

int tsv_str(tsv_writer *w, const char *s)
{
    if (!s)
        return put_cell(w, "NA");
    int rc = begin_cell(w);
    if (rc != AS_OK)
        return rc;
    put_clean(w->file, s);
    return end_cell(w);
}

int tsv_int(tsv_writer *w, int64_t v)
{
    char text[32];
    snprintf(text, sizeof text, "%" PRId64, v);
    return put_cell(w, text);
}

int tsv_double(tsv_writer *w, double v)
{
    char text[TSV_DOUBLE_BUFSIZE];
    tsv_format_double(text, sizeof text, v);
    return put_cell(w, text);
}

int tsv_fixed(tsv_writer *w, double v, int decimals)
{
    if (w->status != AS_OK)
        return w->status;
    if (decimals < 0 || decimals > 17) {
        w->status = AS_EUSAGE;
        snprintf(w->usage, sizeof w->usage,
                 "row %zu (line %zu): tsv_fixed: decimals must be 0..17, got %d",
                 w->rows + 1, current_line(w), decimals);
        return w->status;
    }
    if (!isfinite(v))
        return tsv_double(w, v);
    /* 309 digits before the point at most, 17 after, sign, point, NUL. */
    char text[330];
    num_format_fixed(text, sizeof text, v, decimals);
    return put_cell(w, text);
}

int tsv_na(tsv_writer *w)
{
    return put_cell(w, "NA");
}

int tsv_end_row(tsv_writer *w)
{
    if (w->status != AS_OK)
        return w->status;
    if (w->cell != w->ncol)
        return usage_failure(w, w->cell, 0);
    io_atomic_write(w->file, "\n", 1);
    w->cell = 0;
    w->rows++;
    return sync_status(w);
}

size_t tsv_rows_written(const tsv_writer *w)
{
    return w->rows;
}

const char *tsv_temp_path(const tsv_writer *w)
{
    return io_atomic_temp_path(w->file);
}

int tsv_commit(tsv_writer *w, char *err, size_t errlen)
{
    /* A started row that was never ended would leave a ragged last line. */
    if (w->status == AS_OK && w->cell != 0)
        usage_failure(w, w->cell, 0);

    int rc;
    if (w->status == AS_EUSAGE) {
        if (err && errlen > 0)
            snprintf(err, errlen, "%s: %s", io_atomic_path(w->file), w->usage);
        io_atomic_abort(w->file);
        rc = AS_EUSAGE;
    } else {
        /* An I/O failure is kept by the file itself and reported here. */
        rc = io_atomic_commit(w->file, err, errlen);
    }
    free(w);
    return rc;
}

void tsv_abort(tsv_writer *w)
{
    if (!w)
        return;
    io_atomic_abort(w->file);
    free(w);
}

/* ------------------------------------------------------------------ */
/* Reader                                                             */
/* ------------------------------------------------------------------ */

struct tsv_table {
    char *path;
    char *text;        /* file contents, separators replaced by NULs */
    io_kv *prov;
    size_t nprov, prov_cap;
    char **colnames;
    size_t ncol;
    char **cells;      /* nrow * ncol, row-major */
    size_t *lines;     /* file line of each row */
    size_t nrow, row_cap;
};

/* Diagnostics collected while reading, one per line, as a compiler does. */
typedef struct {
    char *buf;
    size_t size;
    size_t used;
    size_t count;
} diag_list;

static void diag_add(diag_list *d, const char *msg)
{
    d->count++;
    if (!d->buf || d->size == 0 || d->used + 1 >= d->size)
        return;
    int n = snprintf(d->buf + d->used, d->size - d->used, "%s%s",
                     d->used > 0 ? "\n" : "", msg);
    if (n > 0) {
        size_t wrote = (size_t)n;
        d->used = d->used + wrote < d->size ? d->used + wrote : d->size - 1;
    }
}

/* Number of tab-separated cells in a line. */
static size_t count_cells(const char *line)
{
    size_t n = 1;
    for (const char *p = line; (p = strchr(p, '\t')) != NULL; p++)
        n++;
    return n;
}

/* Cuts line at its tabs, storing the n cell pointers in out. */
static void split_cells(char *line, char **out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = line;
        char *tab = strchr(line, '\t');
        if (tab) {
            *tab = '\0';
            line = tab + 1;
        }
    }
}

/* Strips blanks at both ends in place; returns the new start. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* Records "# key: value" (line without the '#'); other comments ignored. */
static int add_prov(tsv_table *t, char *body)
{
    char *colon = strchr(body, ':');
    if (!colon)
        return 0;
    *colon = '\0';
    char *key = trim(body);
    char *value = trim(colon + 1);
    if (*key == '\0')
        return 0;
    if (t->nprov == t->prov_cap) {
        size_t ncap = t->prov_cap ? t->prov_cap * 2 : 16;
        if (ncap > SIZE_MAX / sizeof *t->prov)
            return -1;
        io_kv *np = realloc(t->prov, ncap * sizeof *np);
        if (!np)
            return -1;
        t->prov = np;
        t->prov_cap = ncap;
    }
    t->prov[t->nprov].key = key;
    t->prov[t->nprov].value = value;
    t->nprov++;
    return 0;
}

static int set_header(tsv_table *t, char *line, size_t lineno, diag_list *d)
{
    size_t n = count_cells(line);
    t->colnames = malloc(n * sizeof *t->colnames);
    if (!t->colnames)
        return -1;
    split_cells(line, t->colnames, n);
    t->ncol = n;
    for (size_t i = 1; i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(t->colnames[i], t->colnames[j]) == 0) {
                char msg[512];
                snprintf(msg, sizeof msg,
                         "%s:%zu: error: duplicate column name '%.200s' "
                         "(columns %zu and %zu)",
                         t->path, lineno, t->colnames[i], j + 1, i + 1);
                diag_add(d, msg);
                break;
            }
        }
    }
    return 0;
}

static int add_row(tsv_table *t, char *line, size_t lineno, diag_list *d)
{
    size_t n = count_cells(line);
    if (n != t->ncol) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s:%zu: error: expected %zu cells, found %zu",
                 t->path, lineno, t->ncol, n);
        diag_add(d, msg);
        return 0;
    }
    /* lines and cells grow together; row_cap counts rows for both. */
    if (t->nrow == t->row_cap) {
        size_t ncap = t->row_cap ? t->row_cap * 2 : 64;
        if (ncap > SIZE_MAX / sizeof *t->lines
            || ncap > SIZE_MAX / t->ncol / sizeof *t->cells)
            return -1;
        size_t *nl = realloc(t->lines, ncap * sizeof *nl);
        if (!nl)
            return -1;
        t->lines = nl;
        char **nc = realloc(t->cells, ncap * t->ncol * sizeof *nc);
        if (!nc)
            return -1;
        t->cells = nc;
        t->row_cap = ncap;
    }
    split_cells(line, t->cells + t->nrow * t->ncol, n);
    t->lines[t->nrow] = lineno;
    t->nrow++;
    return 0;
}

tsv_table *tsv_read(const char *path, char *err, size_t errlen)
{
    diag_list d = {err, errlen, 0, 0};
    if (err && errlen > 0)
        err[0] = '\0';
    int errnum = 0;

    tsv_table *t = calloc(1, sizeof *t);
    if (!t || !(t->path = malloc(strlen(path) + 1))) {
        errnum = ENOMEM;
        goto fail;
    }
    strcpy(t->path, path);

    size_t len = 0;
    t->text = io_read_file(path, &len);
    if (!t->text) {
        errnum = errno;
        goto fail;
    }

    /*
     * Walk the lines, cutting each at its end.  io_read_file() put a NUL after the
     * last byte, so a last line without a newline is cut there.
     */
    char *end = t->text + len;
    size_t lineno = 0;
    int have_header = 0;
    for (char *p = t->text; p < end;) {
        char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        *eol = '\0';
        lineno++;
        size_t n = (size_t)(eol - p);
        char *line = p;
        p = eol + 1;

        if (strlen(line) != n) {
            char msg[256];
            snprintf(msg, sizeof msg, "%s:%zu: error: NUL byte in a text line",
                     path, lineno);
            diag_add(&d, msg);
            continue;
        }
        if (n > 0 && line[n - 1] == '\r')
            line[--n] = '\0';
        if (n == 0)
            continue;

        int rc = 0;
        if (line[0] == '#') {
            if (!have_header)
                rc = add_prov(t, line + 1);
        } else if (!have_header) {
            rc = set_header(t, line, lineno, &d);
            have_header = 1;
        } else {
            rc = add_row(t, line, lineno, &d);
        }
        if (rc != 0) {
            errnum = ENOMEM;
            goto fail;
        }
    }
    if (!have_header) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "%s:%zu: error: expected a header line of column names, "
                 "found end of file",
                 path, lineno + 1);
        diag_add(&d, msg);
    }
    if (d.count > 0) {
        tsv_free(t);
        return NULL;
    }
    return t;

fail:
    if (err && errlen > 0)
        snprintf(err, errlen, "%s: %s", path, strerror(errnum ? errnum : EIO));
    tsv_free(t);
    return NULL;
}

void tsv_free(tsv_table *t)
{
    if (!t)
        return;
    free(t->path);
    free(t->text);
    free(t->prov);
    free(t->colnames);
    free(t->cells);
    free(t->lines);
    free(t);
}

size_t tsv_rows(const tsv_table *t)
{
    return t->nrow;
}

size_t tsv_cols(const tsv_table *t)
{
    return t->ncol;
}

long tsv_column(const tsv_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncol; i++)
        if (strcmp(t->colnames[i], name) == 0)
            return (long)i;
    return -1;
}

const char *tsv_colname(const tsv_table *t, size_t col)
{
    return col < t->ncol ? t->colnames[col] : NULL;
}

const char *tsv_cell(const tsv_table *t, size_t row, size_t col)
{
    if (row >= t->nrow || col >= t->ncol)
        return NULL;
    return t->cells[row * t->ncol + col];
}

size_t tsv_row_line(const tsv_table *t, size_t row)
{
    return row < t->nrow ? t->lines[row] : 0;
}

const char *tsv_path(const tsv_table *t)
{
    return t->path;
}

const char *tsv_prov(const tsv_table *t, const char *key)
{
    for (size_t i = 0; i < t->nprov; i++)
        if (strcmp(t->prov[i].key, key) == 0)
            return t->prov[i].value;
    return NULL;
}

size_t tsv_nprov(const tsv_table *t)
{
    return t->nprov;
}

io_kv tsv_prov_at(const tsv_table *t, size_t i)
{
    io_kv kv = {NULL, NULL};
    if (i < t->nprov)
        kv = t->prov[i];
    return kv;
}
