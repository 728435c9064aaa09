/*
 * report/page - internal to sim/report/: the report being written, shared
 * by report.c (the page, the question, the scenario, provenance) and
 * sections.c (the result sections).  Not a public interface.
 *
 * A page is filled section by section into body (and its entry into nav);
 * the first failure is kept in rc and err and every later step is skipped,
 * so the writers need not check each call.
 */
#ifndef ALIGNSIM_REPORT_PAGE_H
#define ALIGNSIM_REPORT_PAGE_H

#include <stddef.h>

#include "base/buf.h"
#include "report/folder.h"
#include "report/plot.h"
#include "report/report.h"

/* A folder of the report with what the report knows of it. */
typedef struct {
    rf_folder f;
    report_scenario sc;  /* loaded from its scenario.cfg when has_sc */
    int has_sc;
} rp_folder;

typedef struct {
    const report_options *o;
    rp_folder *fs;
    size_t nf;
    plotter *pl;
    buf body;
    buf nav;
    size_t nsections, nfigures;
    char **fig_title, **fig_alt;  /* per figure queued: caption, text alternative */
    char **fig_where;             /* "FOLDER: error: analysis/SCRIPT", for messages */
    size_t fig_cap;
    int rc;
    char *err;
    size_t errlen;
} page;

/* Records the first failure (code and message); later calls are ignored. */
void page_fail(page *pg, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Opens a section with its heading and adds it to the contents. */
void page_section(page *pg, const char *id, const char *title);

/* Closes the section opened last. */
void page_section_end(page *pg);

/*
 * Queues analysis/script on folder f (assign: extra gnuplot assignments,
 * e.g. "dyad='china-us'"; image: the SVG file it writes) and appends its
 * place to the body; once every section is written, the figures are drawn
 * together and each place becomes a <figure> with the title and the text
 * alternative alt (its main number), both visible in the caption.  On
 * failure records it in pg.
 */
void page_figure(page *pg, const rf_folder *f, const char *script, const char *assign, const char *image,
                 const char *title, const char *alt);

/* A folder as the reader sees it: "<code>PATH</code> (KIND)". */
void page_folder_name(buf *b, const rf_folder *f);

/* The dyads of table t (column dyad) in order of first appearance, as
 * borrowed strings in a heap array; *n their number.  NULL when none or
 * out of memory (then pg fails). */
const char **page_dyads(page *pg, const tsv_table *t, size_t *n);

/* Up to three dyads to show in full: china-russia, china-us and russia-us
 * when the table has them, else its first three.  Returns how many. */
size_t page_main_dyads(page *pg, const tsv_table *t, const char *out[3]);

/* The row of t whose dyad is dyad and year the largest; -1 if none. */
long page_last_row(const tsv_table *t, const char *dyad);

/* The claim's overall verdict in a claim folder: the `holds` cell of its
 * row `claim` (1, 0, or NaN when undecided or absent). */
double page_claim_holds(const rf_folder *f);

/* Appends the verdict of holds as the page shows it: a badge reading
 * HOLDS, FAILS or "is UNDECIDED", classed holds/fails/undecided. */
void page_verdict(buf *b, double holds);

/* The result sections (sections.c), each writing nothing when the
 * folders have no data for it. */
void section_replay(page *pg);
void section_fans(page *pg);
void section_claim(page *pg);
void section_compare(page *pg);
void section_sweep(page *pg);
void section_sensitivity(page *pg);
void section_calibrate(page *pg);
void section_infer(page *pg);

#endif
