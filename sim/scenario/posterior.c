/*
 * posterior - the `posterior` group: a weighted table of parameter vectors
 * (docs/MODEL.md 3.5; the format is the one `alignsim infer` writes) that
 * the replications draw from.  Read from a TSV file (`table`, or the
 * command line's --posterior DIR) or inline (`columns` and `rows`, the form
 * the resolved scenario writes), checked, and stored in spec->posterior.
 *
 * Errors in a file are reported at the file's own lines, errors inline at
 * the row's setting; at most MAX_POSTERIOR_ERRORS per table.  The check runs
 * after everything that adds parameters, since the columns name them.
 */
#include "scenario/check.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/num.h"
#include "io/tsv.h"
#include "scenario/read.h"

/* Most row errors reported per table (a binary file would give thousands). */
#define MAX_POSTERIOR_ERRORS 20

/* Tolerance on the sum of the weights: a table written with shortest
 * round-trip numbers sums to 1 within a few ulps per row. */
#define WEIGHT_SUM_TOLERANCE 1e-6

/* Ids must be whole numbers that a double holds exactly. */
#define MAX_PARTICLE_ID 9007199254740992.0

/* The table being read, and where its parts came from for diagnostics. */
typedef struct {
    char **cols;                     /* ncols names */
    size_t ncols;
    double *cells;                   /* nrows * ncols; NaN where a cell was bad */
    size_t nrows;
    int *lines;                      /* file form: line of each row */
    const config_setting_t **rowset; /* inline form: setting of each row */
    const char *file;                /* file form: display name of the file */
    int header_line;                 /* file form: line of the header, 0 if unknown */
    const config_setting_t *at;      /* the setting table-wide errors go to (NULL: label) */
    const char *label;               /* "--posterior DIR" when the table came from there */
    size_t errors;
} ptable;

static void ptable_clear(ptable *t)
{
    for (size_t i = 0; i < t->ncols; i++)
        free(t->cols[i]);
    free(t->cols);
    free(t->cells);
    free(t->lines);
    free(t->rowset);
}

static void vreport(loader *L, const ptable *t, long row, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (row >= 0 && t->file)
        ld_error_at(L, t->file, t->lines[row], "%s", msg);
    else if (row >= 0)
        ld_error(L, t->rowset[row], "%s", msg);
    else if (t->file && t->header_line > 0)
        ld_error_at(L, t->file, t->header_line, "%s", msg);
    else if (t->at)
        ld_error(L, t->at, "%s", msg);
    else
        ld_error_at(L, t->label ? t->label : "posterior", 0, "%s", msg);
}

static void report(loader *L, const ptable *t, long row, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reports at row `row` (its file line or its setting), or for the whole
 * table (row -1: the header line, the group, or the command-line label). */
static void report(loader *L, const ptable *t, long row, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(L, t, row, fmt, ap);
    va_end(ap);
}

static void row_error(loader *L, ptable *t, size_t row, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* As report() for a row, counting towards MAX_POSTERIOR_ERRORS. */
static void row_error(loader *L, ptable *t, size_t row, const char *fmt, ...)
{
    if (t->errors++ >= MAX_POSTERIOR_ERRORS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vreport(L, t, (long)row, fmt, ap);
    va_end(ap);
}

/* Room for the header and nrows rows.  0, or -1 (L->oom set). */
static int ptable_alloc(loader *L, ptable *t, size_t ncols, size_t nrows, int inline_form)
{
    t->ncols = ncols;
    t->nrows = nrows;
    t->cols = calloc(ncols ? ncols : 1, sizeof *t->cols);
    size_t ncells = nrows && ncols > SIZE_MAX / sizeof(double) / nrows ? 0 : nrows * ncols;
    t->cells = nrows && ncells == 0 && ncols ? NULL : malloc((ncells ? ncells : 1) * sizeof *t->cells);
    if (inline_form)
        t->rowset = calloc(nrows ? nrows : 1, sizeof *t->rowset);
    else
        t->lines = calloc(nrows ? nrows : 1, sizeof *t->lines);
    if (!t->cols || !t->cells || (inline_form ? !t->rowset : !t->lines)) {
        t->ncols = 0;
        L->oom = 1;
        return -1;
    }
    for (size_t i = 0; i < nrows * ncols; i++)
        t->cells[i] = NAN;
    return 0;
}

static int set_col(loader *L, ptable *t, size_t c, const char *name)
{
    size_t n = strlen(name);
    if (!(t->cols[c] = malloc(n + 1))) {
        L->oom = 1;
        return -1;
    }
    memcpy(t->cols[c], name, n + 1);
    return 0;
}

/* Reads the TSV file at `full` (shown as `shown`) into t.  Reader errors
 * are relayed with their lines.  0, or -1 when reported. */
static int read_file(loader *L, const char *full, const char *shown, ptable *t)
{
    struct stat st;
    int serr = stat(full, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : S_ISREG(st.st_mode) ? 0 : -1;
    if (serr) {
        report(L, t, -1, "cannot read posterior table '%s': %s", shown,
               serr < 0 ? "not a regular file (a device, a pipe or a socket)" : strerror(serr));
        return -1;
    }
    size_t errlen = 16384;
    char *err = malloc(errlen);
    if (!err) {
        L->oom = 1;
        return -1;
    }
    int rc = -1;
    tsv_table *tab = tsv_read(full, err, errlen);
    if (!tab) {
        /* The reader's lines name the file and the line already. */
        for (char *line = err, *next; line && *line; line = next) {
            next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            if (strstr(line, ": error: "))
                ld_diag(L, line);
            else
                report(L, t, -1, "cannot read posterior table '%s': %s", shown, line);
        }
        goto done;
    }
    if (ptable_alloc(L, t, tsv_cols(tab), tsv_rows(tab), 0) != 0)
        goto done;
    t->file = shown;
    size_t first_line = tsv_rows(tab) ? tsv_row_line(tab, 0) : 0;
    t->header_line = first_line > 1 ? (int)first_line - 1 : 0;
    for (size_t c = 0; c < t->ncols; c++)
        if (set_col(L, t, c, tsv_colname(tab, c)) != 0)
            goto done;
    for (size_t r = 0; r < t->nrows; r++) {
        t->lines[r] = (int)tsv_row_line(tab, r);
        for (size_t c = 0; c < t->ncols; c++) {
            const char *cell = tsv_cell(tab, r, c);
            double v;
            if (num_parse_double(cell, &v) != 0 || !isfinite(v))
                row_error(L, t, r, "column '%s': expected a finite number, found '%.40s'", t->cols[c], cell);
            else
                t->cells[r * t->ncols + c] = v;
        }
    }
    rc = 0;
done:
    tsv_free(tab);
    free(err);
    return rc;
}

/* Reads the inline form (columns + rows of group g) into t.  0, or -1. */
static int read_inline(loader *L, const config_setting_t *g, ptable *t)
{
    const config_setting_t *cols, *rows = ld_member(g, "rows");
    if (ld_get_strings(L, g, settings_key(SG_POSTERIOR, POST_COLUMNS), &cols) != GOT_VALUE)
        return -1;
    if (!config_setting_is_list(rows) && !(config_setting_is_array(rows) && config_setting_length(rows) == 0)) {
        buf b = {0};
        buf_puts(&b, "a list of rows ( (0, 0.25, 1.5), ... )");
        ld_expect_error(L, rows, &b);
        return -1;
    }
    size_t nc = (size_t)config_setting_length(cols), nr = (size_t)config_setting_length(rows);
    if (ptable_alloc(L, t, nc, nr, 1) != 0)
        return -1;
    t->at = cols;
    for (size_t c = 0; c < nc; c++)
        if (set_col(L, t, c, config_setting_get_string_elem(cols, (int)c)) != 0)
            return -1;
    for (size_t r = 0; r < nr; r++) {
        const config_setting_t *row = config_setting_get_elem(rows, (unsigned)r);
        t->rowset[r] = row;
        if ((!config_setting_is_list(row) && !config_setting_is_array(row)) ||
            (size_t)config_setting_length(row) != nc) {
            row_error(L, t, r, "expected a row of %zu numbers (one per column), found %s%d cells", nc,
                      config_setting_is_aggregate(row) ? "" : "no list: ",
                      config_setting_is_aggregate(row) ? config_setting_length(row) : 0);
            continue;
        }
        for (size_t c = 0; c < nc; c++) {
            double v;
            if (ld_as_number(config_setting_get_elem(row, (unsigned)c), &v) && isfinite(v))
                t->cells[r * nc + c] = v;
            else
                row_error(L, t, r, "column '%s': expected a finite number", t->cols[c]);
        }
    }
    return 0;
}

/* Checks t and stores it in L->spec->posterior. */
static void check_and_store(loader *L, ptable *t, const char *source)
{
    model_spec *s = L->spec;
    size_t before = L->nerrors;
    if (t->ncols < 3 || strcmp(t->cols[0], "particle") != 0 || strcmp(t->cols[1], "weight") != 0) {
        report(L, t, -1,
               "expected the columns particle, weight and at least one parameter path, found %zu "
               "column%s starting with '%s'",
               t->ncols, t->ncols == 1 ? "" : "s", t->ncols ? t->cols[0] : "");
        return;
    }
    if (t->nrows == 0) {
        report(L, t, -1, "expected at least one particle, found an empty table");
        return;
    }
    size_t np = t->ncols - 2;
    size_t *param = malloc(np * sizeof *param);
    int64_t *id = malloc(t->nrows * sizeof *id);
    double *weight = malloc(t->nrows * sizeof *weight);
    double *value = t->nrows > SIZE_MAX / sizeof(double) / np ? NULL : malloc(t->nrows * np * sizeof *value);
    if (!param || !id || !weight || !value) {
        L->oom = 1;
        goto done;
    }
    for (size_t c = 0; c < np; c++)
        param[c] = SIZE_MAX; /* a column that names no parameter */
    for (size_t c = 0; c < np; c++) {
        const char *path = t->cols[c + 2];
        long p = model_spec_find_param(s, path);
        if (p < 0) {
            ld_suggest sg;
            ld_suggest_init(&sg, path);
            for (size_t i = 0; i < s->nparams; i++)
                ld_suggest_add(&sg, s->params[i].path);
            buf hint = {0};
            ld_suggest_write(&sg, &hint);
            report(L, t, -1, "column '%s': expected a parameter path of this scenario (model.KEY, "
                             "actors.ID.KEY, events.[i].KEY, initial.[i].x), found no such parameter%s",
                   path, hint.data ? (const char *)hint.data : "");
            buf_clear(&hint);
            continue;
        }
        if (model_spec_param_per_occurrence(s, (size_t)p)) {
            report(L, t, -1, "column '%s': this event magnitude is drawn afresh at every occurrence, so "
                             "a replication cannot set it; make it a number in the scenario",
                   path);
            continue;
        }
        for (size_t k = 0; k < c; k++)
            if (param[k] == (size_t)p)
                report(L, t, -1, "column '%s': the parameter appears twice (also column %zu)", path, k + 3);
        param[c] = (size_t)p;
    }
    if (L->nerrors != before)
        goto done;

    double sum = 0.0;
    for (size_t r = 0; r < t->nrows; r++) {
        const double *row = t->cells + r * t->ncols;
        if (isnan(row[0])) {
            id[r] = r ? id[r - 1] : 0;
        } else if (!(row[0] >= 0.0 && row[0] < MAX_PARTICLE_ID) || row[0] != floor(row[0])) {
            row_error(L, t, r, "column 'particle': expected a whole number from 0 to 2^53, found %.15g", row[0]);
            id[r] = r ? id[r - 1] : 0;
        } else {
            id[r] = (int64_t)row[0];
            if (r > 0 && id[r] <= id[r - 1] && !isnan(t->cells[(r - 1) * t->ncols]))
                row_error(L, t, r, "column 'particle': expected ids increasing strictly, found %lld after %lld",
                          (long long)id[r], (long long)id[r - 1]);
        }
        weight[r] = row[1];
        if (!isnan(row[1]) && !(row[1] >= 0.0))
            row_error(L, t, r, "column 'weight': expected a weight >= 0, found %.15g", row[1]);
        else if (!isnan(row[1]))
            sum += row[1];
        for (size_t c = 0; c < np; c++) {
            double v = row[c + 2];
            const spec_param *sp = &s->params[param[c]];
            value[r * np + c] = v;
            if (!isnan(v) && !(v >= sp->lo && v <= sp->hi))
                row_error(L, t, r, "column '%s': expected a value in [%.15g, %.15g] (the parameter's range), "
                                   "found %.15g",
                          t->cols[c + 2], sp->lo, sp->hi, v);
        }
    }
    if (t->errors > MAX_POSTERIOR_ERRORS)
        report(L, t, -1, "%zu more errors in this table not shown", t->errors - MAX_POSTERIOR_ERRORS);
    if (L->nerrors == before && !(fabs(sum - 1.0) <= WEIGHT_SUM_TOLERANCE))
        report(L, t, -1, "column 'weight': expected weights summing to 1 (within %g), found a sum of %.15g",
               WEIGHT_SUM_TOLERANCE, sum);
    if (L->nerrors == before &&
        model_spec_set_posterior(s, t->nrows, np, param, id, weight, value, source) != 0)
        L->oom = 1;
done:
    free(param);
    free(id);
    free(weight);
    free(value);
}

void ld_check_posterior(loader *L, const config_setting_t *root)
{
    ptable t;
    memset(&t, 0, sizeof t);
    char dirbuf[4096], full[4096], shown[4096], label[4200];
    const char *source = "";
    if (L->posterior_table) {
        /* --posterior DIR replaces any posterior of the scenario. */
        snprintf(full, sizeof full, "%s", L->posterior_table);
        snprintf(shown, sizeof shown, "%s", full);
        ld_normalise_path(shown);
        snprintf(label, sizeof label, "--posterior %s", shown);
        t.label = label;
        if (read_file(L, full, shown, &t) == 0)
            check_and_store(L, &t, shown);
        ptable_clear(&t);
        return;
    }
    const setting_def *pd = settings_key(SG_ROOT, ROOT_POSTERIOR);
    const config_setting_t *g = ld_get_aggregate(L, root, pd);
    if (!g)
        return;
    ld_check_keys(L, g, pd->group, -1, -1);
    ld_get_string(L, g, settings_key(SG_POSTERIOR, POST_SOURCE), &source);
    const char *file;
    ld_got fst = ld_get_string(L, g, settings_key(SG_POSTERIOR, POST_TABLE), &file);
    int has_cols = ld_member(g, "columns") != NULL, has_rows = ld_member(g, "rows") != NULL;
    if (fst != GOT_NONE && (has_cols || has_rows)) {
        ld_error(L, g, "expected either `table` or `columns` and `rows`, found both");
    } else if (fst == GOT_VALUE) {
        const config_setting_t *fs = ld_member(g, "table");
        const char *dir = ld_setting_dir(L, fs, dirbuf, sizeof dirbuf);
        if (file[0] == '/' || !dir)
            snprintf(full, sizeof full, "%s", file);
        else
            snprintf(full, sizeof full, "%s/%s", dir, file);
        snprintf(shown, sizeof shown, "%s", full);
        ld_normalise_path(shown);
        t.at = fs;
        if (read_file(L, full, shown, &t) == 0)
            check_and_store(L, &t, source[0] ? source : shown);
    } else if (fst == GOT_NONE && has_cols && has_rows) {
        if (read_inline(L, g, &t) == 0)
            check_and_store(L, &t, source);
    } else if (fst == GOT_NONE) {
        ld_error(L, g, "expected `table = \"posterior.tsv\";` or `columns` and `rows`, found %s",
                 has_cols ? "`columns` without `rows`" : has_rows ? "`rows` without `columns`" : "neither");
    }
    ptable_clear(&t);
}
