/*
 * report - the seminar report: one self-contained HTML file from any number
 * of result folders (`alignsim report DIR... [-o FILE] [--title TEXT]`).
 *
 * What the page holds, each section present when its data is:
 *   question     the claim in one sentence (and the verdict, with a claim)
 *   scenario     each folder's scenario, the events of a scenario with their
 *                dates and notes, the settings that differ between the
 *                folders' scenarios
 *   replay       the replay against the record: per milestone the
 *                historical date, the simulated (median) date, the error and
 *                the share of replications within two years
 *   fans         every dyad's fan chart and the all-dyads label map
 *   claim        the verdict read aloud, its intervals, the strength curve
 *   compare      the comparison tables with their (paired) intervals
 *   sweep, sensitivity, calibrate, infer
 *                the points, Sobol indices, fitted values, posterior and
 *                model probabilities
 *   provenance   program, command, seed, replications, overrides and date
 *                of each folder, and of the report
 *
 * The file needs nothing but a browser: styles are inline, figures are
 * inline SVG drawn by the analysis/ scripts (report/plot.h), and a
 * Content-Security-Policy forbids loading anything; the one script (the
 * projector mode's keys) and the one style sheet run only by their SHA-256
 * hashes.  The page reads fully without the script: projector mode (large
 * type, one section per screen) is a checkbox that CSS alone obeys; the
 * script adds the keys (P toggles the mode; Left/Right, and in projector
 * mode Page Up/Page Down and Space, move between sections).  Print gives
 * one section per page on white.
 *
 * Nothing lost: every folder is read and checked (report/folder.h) before
 * anything is written, and the file is written through io/atomic, so a
 * failure leaves no partial report.
 *
 * This layer reads result folders through io/ only; what it needs from the
 * scenario language (the events of a scenario.cfg, the settings that differ
 * between two) it asks of the caller through report_scenarios.
 */
#ifndef ALIGNSIM_REPORT_REPORT_H
#define ALIGNSIM_REPORT_REPORT_H

#include <signal.h>
#include <stddef.h>

/* One event of a scenario, as the report lists it.  Heap strings. */
typedef struct {
    char *date;       /* "1950.12" or "every 1 year, 1950.5 to 1991" */
    double sort_year; /* the (first) date: the report lists events by it */
    int once;         /* non-zero: the event happens once, at sort_year (the
                         report adds its month) */
    char *type;       /* "treaty", "summit", ... */
    char *actors;     /* "China, USSR/Russia" */
    char *note;       /* free text, may be "" */
} report_event;

/* What the report shows of a scenario.  Heap strings and array, owned by
 * the struct; free with report_scenario_clear(). */
typedef struct {
    char *name;
    char *description;
    double start, horizon;   /* decimal years */
    char *outcome;           /* the outcome dyad, "china-russia" */
    report_event *events;
    size_t nevents;
} report_scenario;

/* Frees everything s holds and zeroes it; safe on a zeroed struct. */
void report_scenario_clear(report_scenario *s);

/*
 * The scenario language, as the caller (cli/) gives it to the report.
 *   load  reads the scenario file at path (a folder's scenario.cfg) into
 *         *out (zeroed by the report before the call; the callee allocates
 *         its strings with malloc).  Returns 0, or an AS_* code with
 *         "PATH:LINE: error: ..." lines in err.
 *   diff  the settings that differ between two scenario texts, one per
 *         line, "PATH: A_VALUE -> B_VALUE", "PATH: only in A = VALUE",
 *         "PATH: only in B = VALUE", "LIST: - ELEMENT", "LIST: + ELEMENT",
 *         possibly ending with "... and N more differences"; "" when none;
 *         a heap string, or NULL when memory runs out.
 */
typedef struct {
    int (*load)(void *ctx, const char *path, report_scenario *out, char *err, size_t errlen);
    char *(*diff)(void *ctx, const char *text_a, const char *text_b);
    void *ctx;
} report_scenarios;

typedef struct {
    const char *const *dirs;  /* the result folders, in the order given */
    size_t ndirs;             /* at least 1 */
    const char *out_path;     /* the HTML file; its folder is created */
    const char *title;        /* NULL or "": a title from the folders */
    const char *command_line; /* how the report was asked for, shown in provenance */
    const char *version;      /* the program's version, e.g. "0.1.0" */
    long long now;            /* the report's date, seconds since 1970 UTC */
    const char *analysis_dir; /* folder of the gnuplot scripts */
    const char *gnuplot;      /* gnuplot program; NULL: "gnuplot" in PATH */
    unsigned jobs;            /* gnuplot processes at a time (0: 1); the file is
                                 the same for any number */
    report_scenarios scenarios;
    const volatile sig_atomic_t *interrupt; /* NULL, or a flag that becomes
                                 non-zero when the user asks to stop: the
                                 report then stops its gnuplot processes,
                                 removes its temporary files, writes nothing
                                 and returns AS_ESTOPPED */
} report_options;

/* What the caller learns.  Free with report_result_clear(). */
typedef struct {
    size_t nsections;         /* sections written */
    size_t nfigures;          /* inline SVG figures */
    size_t bytes;             /* size of the file */
    char *warnings;           /* what gnuplot printed (heap, "" if nothing) */
} report_result;

/*
 * Reads and checks every folder, draws the figures and writes the report
 * to o->out_path atomically.  Returns AS_OK; AS_EUSAGE when a folder is not
 * a complete result folder of this kind, the folders mix program versions,
 * or a scenario.cfg does not load ("PATH: error: ..." in err, naming the
 * file); AS_EIO when a file cannot be read or the report cannot be written;
 * AS_ERUNTIME when gnuplot fails; AS_ENOMEM.  On failure nothing is left at
 * out_path (an older file there is kept as it was).  *res is filled in
 * every case; the caller clears it.
 */
int report_write(const report_options *o, report_result *res, char *err, size_t errlen);

/* Frees what a result holds; safe on a zeroed result. */
void report_result_clear(report_result *res);

#endif
