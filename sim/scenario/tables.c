/*
 * tables - the `data` group: named tables of a scenario, from TSV files or
 * inline, become the series "TABLE.COLUMN" of the spec.
 *
 * Errors in a data file are reported at the file's own lines; at most
 * MAX_TABLE_ERRORS per table, since a binary file would give thousands.
 */
#include "scenario/check.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/tsv.h"
#include "scenario/read.h"

/* Most data-file errors reported per table. */
#define MAX_TABLE_ERRORS 20

/* ------------------------------------------------------------------ */
/* Data tables                                                        */
/* ------------------------------------------------------------------ */

/* A table being read: column names and a row-major grid of values. */
typedef struct {
    char **cols;
    size_t ncols;
    double *cells;
    size_t nrows, cap;
    size_t errors;
} grid;

static void grid_clear(grid *t)
{
    for (size_t i = 0; i < t->ncols; i++)
        free(t->cols[i]);
    free(t->cols);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

static int grid_set_cols(grid *t, size_t n)
{
    t->cols = calloc(n ? n : 1, sizeof *t->cols);
    if (!t->cols)
        return -1;
    t->ncols = n;
    return 0;
}

static int grid_set_col(grid *t, size_t i, const char *name)
{
    size_t len = strlen(name);
    t->cols[i] = malloc(len + 1);
    if (!t->cols[i])
        return -1;
    memcpy(t->cols[i], name, len + 1);
    return 0;
}

/* Appends a row of ncols values (uninitialised); returns it, or NULL. */
static double *grid_add_row(grid *t)
{
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        if (cap > ((size_t)-1) / sizeof(double) / t->ncols)
            return NULL;
        double *p = realloc(t->cells, cap * t->ncols * sizeof *p);
        if (!p)
            return NULL;
        t->cells = p;
        t->cap = cap;
    }
    return t->cells + t->nrows++ * t->ncols;
}

/*
 * Reads a table from a TSV file named by setting fs (relative to the folder
 * of the file in which fs appears).  Errors in the file are reported at the
 * file's own lines; returns 0 when the grid is usable.
 */
static int read_table_file(loader *L, const config_setting_t *fs, grid *t)
{
    int rc = -1;
    tsv_table *tab = NULL;
    char *err = NULL;
    char dirbuf[4096], full[4096], shown[4096];
    const char *file = config_setting_get_string(fs);
    const char *dir = ld_setting_dir(L, fs, dirbuf, sizeof dirbuf);
    if (file[0] == '/' || !dir)
        snprintf(full, sizeof full, "%s", file);
    else
        snprintf(full, sizeof full, "%s/%s", dir, file);
    snprintf(shown, sizeof shown, "%s", full);
    ld_normalise_path(shown);

    struct stat st;
    int serr = stat(full, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (serr) {
        ld_error(L, fs, "cannot read data file '%s': %s", shown, strerror(serr));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        /* A device or a pipe could be read without end (/dev/zero). */
        ld_error(L, fs, "cannot read data file '%s': not a regular file (a device, a pipe or a socket)",
                 shown);
        goto done;
    }
    size_t errlen = 16384;
    err = malloc(errlen);
    if (!err) {
        L->oom = 1;
        goto done;
    }
    tab = tsv_read(full, err, errlen);
    if (!tab) {
        /* Relay the reader's lines ("FULL:LINE: error: ..." or "FULL: reason"),
         * showing the normalised name. */
        size_t flen = strlen(full);
        for (char *line = err, *next; line && *line; line = next) {
            next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            if (strncmp(line, full, flen) == 0 && strncmp(line + flen, ": ", 2) == 0) {
                ld_error(L, fs, "cannot read data file '%s': %s", shown, line + flen + 2);
            } else if (strncmp(line, full, flen) == 0 && line[flen] == ':') {
                buf b = {0};
                buf_printf(&b, "%s%s", shown, line + flen);
                char *text = buf_take(&b);
                if (text)
                    ld_diag(L, text);
                else
                    L->oom = 1;
                free(text);
            } else {
                ld_error_at(L, shown, 0, "%s", line);
            }
        }
        goto done;
    }
    size_t nc = tsv_cols(tab), nr = tsv_rows(tab);
    if (nc < 2 || strcmp(tsv_colname(tab, 0), "year") != 0) {
        ld_error(L, fs, "data file '%s': expected a header line 'year<TAB>COLUMN...' with at "
                        "least one data column, found %zu column%s starting with '%s'",
                 shown, nc, nc == 1 ? "" : "s", nc ? tsv_colname(tab, 0) : "");
        goto done;
    }
    if (grid_set_cols(t, nc) != 0) {
        L->oom = 1;
        goto done;
    }
    for (size_t c = 0; c < nc; c++)
        if (grid_set_col(t, c, tsv_colname(tab, c)) != 0) {
            L->oom = 1;
            goto done;
        }
    size_t before = L->nerrors;
    for (size_t r = 0; r < nr; r++) {
        double *row = grid_add_row(t);
        if (!row) {
            L->oom = 1;
            goto done;
        }
        int line = (int)tsv_row_line(tab, r);
        for (size_t c = 0; c < nc; c++) {
            const char *cell = tsv_cell(tab, r, c);
            double v;
            int ok = tsv_parse_double(cell, &v) == 0 && !isinf(v) && !(c == 0 && isnan(v));
            if (ok && c == 0 && r > 0 && !(v > row[-(long)nc])) {
                if (t->errors++ < MAX_TABLE_ERRORS)
                    ld_error_at(L, shown, line,
                                "years must increase strictly: expected a year after %.15g, "
                                "found %s",
                                row[-(long)nc], cell);
            } else if (!ok && t->errors++ < MAX_TABLE_ERRORS) {
                ld_error_at(L, shown, line, "column '%s': expected %s, found '%.40s'",
                            tsv_colname(tab, c), c == 0 ? "a finite year" : "a finite number or NA",
                            cell);
            }
            row[c] = ok ? v : NAN;
        }
    }
    if (t->errors > MAX_TABLE_ERRORS)
        ld_error_at(L, shown, 0, "%zu more errors in this file not shown",
                    t->errors - MAX_TABLE_ERRORS);
    rc = L->nerrors == before ? 0 : -1;

done:
    free(err);
    tsv_free(tab);
    return rc;
}

/* Reads an inline table (columns + rows settings of group g). */
static int read_table_inline(loader *L, const config_setting_t *g, grid *t)
{
    const config_setting_t *cols;
    if (ld_get_strings(L, g, settings_key(SG_TABLE, TABLE_COLUMNS), &cols) != GOT_VALUE)
        return -1;
    size_t nc = (size_t)config_setting_length(cols);
    if (nc < 2 || strcmp(config_setting_get_string_elem(cols, 0), "year") != 0) {
        ld_error(L, cols, "expected [\"year\", COLUMN, ...] with at least one data column");
        return -1;
    }
    if (grid_set_cols(t, nc) != 0) {
        L->oom = 1;
        return -1;
    }
    for (size_t c = 0; c < nc; c++) {
        const char *name = config_setting_get_string_elem(cols, (int)c);
        for (size_t k = 0; k < c; k++)
            if (strcmp(t->cols[k], name) == 0) {
                ld_error(L, config_setting_get_elem(cols, (unsigned)c),
                         "duplicate column name \"%s\"", name);
                return -1;
            }
        if (grid_set_col(t, c, name) != 0) {
            L->oom = 1;
            return -1;
        }
    }
    const config_setting_t *rows = ld_member(g, "rows");
    if (!config_setting_is_list(rows) &&
        !(config_setting_is_array(rows) && config_setting_length(rows) == 0)) {
        buf b = {0};
        buf_puts(&b, "a list of rows ( (1946.0, 0.13, \"NA\"), ... )");
        ld_expect_error(L, rows, &b);
        return -1;
    }
    size_t before = L->nerrors;
    int nr = config_setting_length(rows);
    for (int r = 0; r < nr; r++) {
        const config_setting_t *row = config_setting_get_elem(rows, (unsigned)r);
        double *out = grid_add_row(t);
        if (!out) {
            L->oom = 1;
            return -1;
        }
        for (size_t c = 0; c < nc; c++)
            out[c] = NAN;
        if ((!config_setting_is_list(row) && !config_setting_is_array(row)) ||
            (size_t)config_setting_length(row) != nc) {
            if (t->errors++ < MAX_TABLE_ERRORS) {
                buf b = {0};
                buf_printf(&b, "a row of %zu cells (one per column)", nc);
                if (config_setting_is_aggregate(row))
                    buf_printf(&b, ", found %d cells", config_setting_length(row));
                if (config_setting_is_aggregate(row)) {
                    char *text = buf_take(&b);
                    ld_error(L, row, "expected %s", text ? text : "");
                    free(text);
                } else {
                    ld_expect_error(L, row, &b);
                }
            }
            continue;
        }
        for (size_t c = 0; c < nc; c++) {
            const config_setting_t *cell = config_setting_get_elem(row, (unsigned)c);
            double v = NAN;
            int ok = ld_as_number(cell, &v) ? isfinite(v)
                                         : config_setting_type(cell) == CONFIG_TYPE_STRING &&
                                               strcmp(config_setting_get_string(cell), "NA") == 0 &&
                                               c > 0;
            if (!ok) {
                if (t->errors++ < MAX_TABLE_ERRORS) {
                    buf b = {0};
                    buf_printf(&b, "%s in column '%s'",
                              c == 0 ? "a finite year" : "a finite number or \"NA\"", t->cols[c]);
                    ld_expect_error(L, cell, &b);
                }
                v = NAN;
            } else if (c == 0 && r > 0 && !(v > out[-(long)nc]) && !isnan(out[-(long)nc])) {
                if (t->errors++ < MAX_TABLE_ERRORS)
                    ld_error(L, cell, "years must increase strictly: expected a year after "
                                      "%.15g, found %.15g",
                             out[-(long)nc], v);
            }
            out[c] = v;
        }
    }
    if (t->errors > MAX_TABLE_ERRORS)
        ld_error(L, rows, "%zu more errors in this table not shown", t->errors - MAX_TABLE_ERRORS);
    return L->nerrors == before ? 0 : -1;
}

/* Adds the series "T.C" of grid t named tname; records the table. */
static void add_table_series(loader *L, const config_setting_t *g, const char *tname, grid *t)
{
    size_t n = t->nrows;
    double *years = malloc((n ? n : 1) * sizeof *years);
    double *vals = malloc((n ? n : 1) * sizeof *vals);
    loaded_table *tabs = realloc(L->tables, (L->ntables + 1) * sizeof *tabs);
    if (tabs)
        L->tables = tabs;
    if (!years || !vals || !tabs) {
        L->oom = 1;
        goto done;
    }
    loaded_table *rec = &L->tables[L->ntables];
    snprintf(rec->name, sizeof rec->name, "%s", tname);
    rec->first = L->spec->nseries;
    rec->ncols = 0;
    for (size_t r = 0; r < n; r++)
        years[r] = t->cells[r * t->ncols];
    for (size_t c = 1; c < t->ncols; c++) {
        char name[SPEC_PATH_LEN];
        int w = snprintf(name, sizeof name, "%s.%s", tname, t->cols[c]);
        if (w < 0 || (size_t)w >= sizeof name) {
            ld_error(L, g, "series name \"%s.%s\" is too long (at most %d characters)", tname,
                     t->cols[c], SPEC_PATH_LEN - 1);
            goto done;
        }
        if (model_spec_find_series(L->spec, name) >= 0) {
            ld_error(L, g, "series \"%s\" is defined twice", name);
            goto done;
        }
        for (size_t r = 0; r < n; r++)
            vals[r] = t->cells[r * t->ncols + c];
        if (model_spec_add_series(L->spec, name, years, vals, n, NULL) != 0) {
            L->oom = 1;
            goto done;
        }
        rec->ncols++;
    }
    L->ntables++;

done:
    free(years);
    free(vals);
}

void ld_check_data(loader *L, const config_setting_t *root)
{
    const setting_def *dd = settings_key(SG_ROOT, ROOT_DATA);
    const config_setting_t *data = ld_get_aggregate(L, root, dd);
    if (!data)
        return;
    for (int i = 0; i < config_setting_length(data); i++) {
        const config_setting_t *g = config_setting_get_elem(data, (unsigned)i);
        const char *tname = config_setting_name(g);
        grid t;
        memset(&t, 0, sizeof t);
        if (!settings_match(PAT_TABLE, tname)) {
            ld_error(L, g, "expected a table name of %s, found '%s'",
                     settings_pattern_doc(PAT_TABLE), tname);
            continue;
        }
        if (!config_setting_is_group(g)) {
            buf b = {0};
            buf_puts(&b, "a table { file = \"...\"; source = \"...\"; }");
            ld_expect_error(L, g, &b);
            continue;
        }
        ld_check_keys(L, g, dd->group, -1, -1);
        const char *src;
        ld_get_string(L, g, settings_key(SG_TABLE, TABLE_SOURCE), &src);
        const char *file;
        ld_got fst = ld_get_string(L, g, settings_key(SG_TABLE, TABLE_FILE), &file);
        int has_cols = ld_member(g, "columns") != NULL, has_rows = ld_member(g, "rows") != NULL;
        int rc = -1;
        if (fst != GOT_NONE && (has_cols || has_rows)) {
            ld_error(L, g, "expected either `file` or `columns` and `rows`, found both");
        } else if (fst == GOT_VALUE) {
            rc = read_table_file(L, ld_member(g, "file"), &t);
        } else if (fst == GOT_NONE && has_cols && has_rows) {
            rc = read_table_inline(L, g, &t);
        } else if (fst == GOT_NONE) {
            ld_error(L, g, "expected `file = \"data/T.tsv\";` or `columns` and `rows`, found %s",
                     has_cols ? "`columns` without `rows`"
                              : has_rows ? "`rows` without `columns`" : "neither");
        }
        if (rc == 0)
            add_table_series(L, g, tname, &t);
        grid_clear(&t);
    }
}
