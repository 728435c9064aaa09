/*
 * io/tsv - the tab-separated result tables of alignsim: writer and reader.
 *
 * File layout (what gnuplot, R, pandas and spreadsheets read as it is):
 *
 *     # program: alignsim 0.1.0          provenance lines, "# key: value"
 *     # seed: 2385
 *     year<TAB>dyad<TAB>x                exactly one header line
 *     1949.5<TAB>china-russia<TAB>0.42   rows, each with one cell per column
 *
 * Numbers are written in the C locale whatever the process locale is.
 * Doubles use the shortest of %.15g, %.16g and %.17g that strtod() reads
 * back to the same bits; NaN is written as NA, infinities as inf and -inf.
 * Tabs, carriage returns and newlines inside strings, column names and
 * provenance are replaced by spaces, so a cell can never break the layout.
 *
 * The writer sits on io/atomic: the table appears under its name only at
 * tsv_commit(), complete, or not at all.  Errors are sticky: after the first
 * failure (an I/O error, or a row with the wrong number of cells) every
 * further call returns that status and tsv_commit() reports it, removes the
 * temporary file and leaves the final name untouched.
 */
#ifndef ALIGNSIM_IO_TSV_H
#define ALIGNSIM_IO_TSV_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "io/atomic.h"

/* One provenance entry, "# key: value".  Both strings are borrowed. */
typedef struct {
    const char *key;
    const char *value;
} io_kv;

/* Size of a buffer that holds any double formatted by tsv_format_double(). */
#define TSV_DOUBLE_BUFSIZE 32

/*
 * Formats v as the writer does (shortest round-trip form in the C locale,
 * NA, inf, -inf) into buf, which should hold TSV_DOUBLE_BUFSIZE bytes.
 * Returns the length of the text, as snprintf() does.  Useful for doubles
 * that go into provenance values or other text files.
 */
int tsv_format_double(char *out, size_t size, double v);

/*
 * Parses a cell written by tsv_double() or tsv_fixed() in the C locale:
 * "NA" gives NaN, "inf" and "-inf" the infinities.  Returns 0 and stores the
 * value in *out, or -1 (leaving *out alone) when s is empty or not entirely
 * a number.
 */
int tsv_parse_double(const char *s, double *out);

/* ------------------------------------------------------------------ */
/* Writer                                                             */
/* ------------------------------------------------------------------ */

typedef struct tsv_writer tsv_writer;

/*
 * Starts the table path: creates its temporary file (see io_atomic_open();
 * the folder must exist), writes nprov provenance lines "# key: value" in
 * the order given and the header line of the ncol column names.  Keys
 * should be plain identifiers without ':'.  All strings are copied or
 * written at once; nothing is kept.  Returns the writer, or NULL with
 * "PATH: reason" in err (ncol == 0 is reported as a usage error).
 */
tsv_writer *tsv_open(const char *path, const io_kv *prov, size_t nprov,
                     const char *const *columns, size_t ncol, char *err,
                     size_t errlen);

/*
 * Cell writers: each appends one cell to the current row and returns AS_OK,
 * AS_EIO (a write failed) or AS_EUSAGE (the row already has ncol cells, or
 * a bad argument); see the sticky-error rule above.
 *   tsv_str    a string; tabs and newlines become spaces; NULL writes NA.
 *              A row's first cell should not start with '#', which gnuplot
 *              and tsv_read() would take for a comment line.
 *   tsv_int    a 64-bit integer in decimal.
 *   tsv_double shortest round-trip form (see tsv_format_double()).
 *   tsv_fixed  decimals (0..17) digits after the point ("%.*f"), for years
 *              such as 1969.50; NaN gives NA, infinities inf and -inf.
 *   tsv_na     the missing-value marker NA.
 */
int tsv_str(tsv_writer *w, const char *s);
int tsv_int(tsv_writer *w, int64_t v);
int tsv_double(tsv_writer *w, double v);
int tsv_fixed(tsv_writer *w, double v, int decimals);
int tsv_na(tsv_writer *w);

/*
 * Ends the current row.  Returns AS_OK, AS_EIO, or AS_EUSAGE when the row
 * does not have exactly ncol cells (the writer is then failed: the table
 * will not be committed).
 */
int tsv_end_row(tsv_writer *w);

/* Number of rows completed so far. */
size_t tsv_rows_written(const tsv_writer *w);

/* The temporary file the table is written to until the commit (borrowed). */
const char *tsv_temp_path(const tsv_writer *w);

/*
 * Finishes the table: if nothing failed and no row is left unfinished,
 * flushes, syncs, closes and renames it onto its name (io_atomic_commit()).
 * Frees w in every case.  Returns AS_OK; AS_EIO with "PATH: reason" in err;
 * or AS_EUSAGE with e.g. "PATH: row 3 (line 7): expected 6 cells, found 5".
 * On failure no file is left under the name or the temporary name.
 */
int tsv_commit(tsv_writer *w, char *err, size_t errlen);

/* Discards the table: removes the temporary file and frees w.  NULL no-op. */
void tsv_abort(tsv_writer *w);

/* ------------------------------------------------------------------ */
/* Rows as text, for tables appended across a checkpoint (io/append)  */
/* ------------------------------------------------------------------ */

/* Appends the provenance and header lines exactly as tsv_open() writes
 * them. */
void tsv_header_text(buf *out, const io_kv *prov, size_t nprov, const char *const *columns, size_t ncol);

/*
 * Cells of a row as text, formatted and cleaned as the writer's tsv_str(),
 * tsv_int() and tsv_double() write them: each appends the cell and a tab;
 * tsv_text_end_row() turns the row's last tab into the line end.
 */
void tsv_text_str(buf *out, const char *s);
void tsv_text_int(buf *out, int64_t v);
void tsv_text_double(buf *out, double v);
void tsv_text_end_row(buf *out);

/* ------------------------------------------------------------------ */
/* Reader                                                             */
/* ------------------------------------------------------------------ */

typedef struct tsv_table tsv_table;

/*
 * Reads a whole table into memory.  Before the header, lines "# key: value"
 * become provenance entries (other '#' lines are ignored); the first line
 * that is neither blank nor a '#' line is the header; every later line that
 * is neither blank nor a '#' line (gnuplot's comment rule) is a row, and
 * must have exactly as many tab-separated cells as the header.  A final
 * carriage return on a line is dropped, so CRLF files read as LF files.
 *
 * Returns the table, or NULL with diagnostics in err, one per line, each as
 *     PATH: No such file or directory
 *     PATH:LINE: error: expected N cells, found M
 *     PATH:LINE: error: expected a header line of column names, found end of file
 *     PATH:LINE: error: duplicate column name 'x' (also column C)
 * All ragged rows of a file are reported (as much as fits in errlen).
 */
tsv_table *tsv_read(const char *path, char *err, size_t errlen);

/* Frees a table and every string it handed out.  NULL is a no-op. */
void tsv_free(tsv_table *t);

/* Number of data rows and of columns. */
size_t tsv_rows(const tsv_table *t);
size_t tsv_cols(const tsv_table *t);

/* Index of the column called name, or -1 if there is none. */
long tsv_column(const tsv_table *t, const char *name);

/* Name of column col, or NULL when col >= tsv_cols(t).  Borrowed. */
const char *tsv_colname(const tsv_table *t, size_t col);

/* Text of a cell, or NULL when row or col is out of range.  Borrowed. */
const char *tsv_cell(const tsv_table *t, size_t row, size_t col);

/*
 * Line number (1-based) in the file of data row row, or 0 when out of
 * range, so that callers can report "PATH:LINE: error: ..." on bad cells.
 */
size_t tsv_row_line(const tsv_table *t, size_t row);

/* The path the table was read from.  Borrowed. */
const char *tsv_path(const tsv_table *t);

/* Value of the first provenance entry called key, or NULL.  Borrowed. */
const char *tsv_prov(const tsv_table *t, const char *key);

/* Number of provenance entries, and entry i in file order (borrowed
 * strings; both NULL when i is out of range). */
size_t tsv_nprov(const tsv_table *t);
io_kv tsv_prov_at(const tsv_table *t, size_t i);

#endif
