/*
 * report/plot - the report's figures: the gnuplot scripts of analysis/ run
 * on a result folder with outdir set to a private temporary folder and
 * formats='svg' (so the result folders are never written to), and their
 * SVG made fit to be inlined in an HTML page under a strict
 * Content-Security-Policy.
 *
 * Why redraw rather than inline the SVGs a folder may already hold: a
 * folder's images may be older than its tables (plots are drawn by a
 * separate step), and the report must show the numbers it prints.
 *
 * A plotter owns its temporary folder, created under $TMPDIR (or /tmp) by
 * plotter_alloc() and removed with everything in it by plotter_free().
 * Figures are queued (plotter_add) and then drawn together (plotter_run),
 * several gnuplot processes at a time: gnuplot runs as a child process
 * (posix_spawnp) with stdin from /dev/null and its output captured;
 * anything it prints on success is kept as a warning for the caller.
 */
#ifndef ALIGNSIM_REPORT_PLOT_H
#define ALIGNSIM_REPORT_PLOT_H

#include <signal.h>
#include <stddef.h>

#include "base/buf.h"

typedef struct plotter plotter;

/*
 * Creates a plotter that runs the program gnuplot (looked up in PATH when
 * it has no slash; NULL means "gnuplot") on the scripts in analysis_dir.
 * Returns NULL with "PATH: error: ..." in err when the temporary folder
 * cannot be created, analysis_dir has no plot scripts, or memory runs out.
 */
plotter *plotter_alloc(const char *gnuplot, const char *analysis_dir, char *err, size_t errlen);

/* Removes the temporary folder and frees p.  NULL is a no-op. */
void plotter_free(plotter *p);

/*
 * Queues a figure: analysis_dir/script run with dir='folder' and the extra
 * gnuplot assignments assign (may be NULL or "", e.g. "dyad='china-us'"),
 * whose SVG image it writes under the name image (e.g.
 * "fan_china-us.svg").  Stores its index in *index.  Returns AS_OK,
 * AS_EUSAGE when folder holds a single quote (gnuplot could not be given
 * it), AS_ENOMEM.  Strings are copied.
 */
int plotter_add(plotter *p, const char *script, const char *folder, const char *assign, const char *image,
                size_t *index, char *err, size_t errlen);

/*
 * Draws every queued figure, with at most `parallel` gnuplot processes
 * at a time (each job draws into its own folder, so the images are the
 * same for any number).  interrupt is NULL or a flag polled while gnuplot
 * runs: once it is non-zero no figure is started, the running gnuplot
 * processes are sent SIGTERM and reaped, and AS_ESTOPPED is returned.
 * Returns AS_OK, AS_ESTOPPED, or for the first figure in queue order that
 * failed: AS_ERUNTIME when gnuplot cannot be started, fails or writes no
 * image (err holds its messages), AS_EIO, AS_ENOMEM.
 */
int plotter_run(plotter *p, unsigned parallel, const volatile sig_atomic_t *interrupt, char *err, size_t errlen);

/* The SVG text of figure i after a successful plotter_run() (borrowed), or
 * NULL. */
const char *plotter_svg(const plotter *p, size_t i);

/* What gnuplot printed while succeeding (warnings), one block per run,
 * "" when nothing.  Borrowed. */
const char *plotter_warnings(const plotter *p);

/*
 * Appends the SVG text svg to out as an inline <svg> element fit for an
 * HTML page: the XML prologue, DOCTYPE and comments dropped; the xmlns
 * attributes dropped (HTML gives inline SVG its namespace); every id and
 * every reference to one (href="#x", url(#x)) prefixed with "PREFIX-", so
 * that many figures share a page; the root given role="img", class="plot"
 * and aria-labelledby its title and description; gnuplot's first <title>
 * and <desc> replaced by title and desc (escaped), with ids PREFIX-title
 * and PREFIX-desc.  Refuses (AS_ERUNTIME, with what was found in err)
 * anything a strict Content-Security-Policy would block or that loads a
 * resource: <script>, <image>, <foreignObject>, <style>, event-handler
 * attributes, style attributes, references other than to ids of the image
 * itself.  Returns AS_OK, AS_ERUNTIME or AS_ENOMEM.
 */
int svg_inline(buf *out, const char *svg, const char *prefix, const char *title, const char *desc, char *err,
               size_t errlen);

#endif
