/*
 * loader - state and helpers shared by the parts of the scenario loader
 * (internal to sim/scenario/; the only headers besides scenario.c's that
 * include <libconfig.h>).
 *
 *   scenario.c     public API: reads the text, runs the passes below
 *   variant.c      resolves `base`, `remove_events` and `scale_events`
 *   override.c     applies --set and -s to the libconfig tree
 *   check.c        validates a tree against the settings table and fills a
 *                  spec: the model's settings (check.h: the passes)
 *   tables.c       the `data` tables
 *   check_study.c  the claim's and the calibration's settings
 *   read.c         typed getters of settings, shared by the passes and the
 *                  sweep file reader (read.h)
 *   emit.c         writes the resolved scenario text from a checked tree
 *   prescan.c      guards libconfig against inputs it handles badly
 *   settings.c     the settings table; literal.c: libconfig literals
 *
 * Where a setting came from: libconfig records the line and, for settings
 * of an @include'd file, the include name as written (libconfig 1.5 does not
 * join it with the include folder; ld_display_file() does).  Settings may
 * carry an ld_mark as their libconfig hook, which the nearest marked
 * ancestor applies to a whole subtree:
 *   MARK_PLACE  the setting was made by an override or a scale_events entry;
 *               diagnostics name the mark's label ("--set PATH", "-s",
 *               "FILE:LINE" of the scale_events entry) instead of a line;
 *   MARK_BASE   the setting was copied from a base scenario: its recorded
 *               line and include name are those of the base's tree, to be
 *               read relative to the base file (display name and folder in
 *               the mark).  variant.c copies settings with their line and
 *               file (see ld_copy_setting()).
 */
#ifndef ALIGNSIM_SCENARIO_LOADER_H
#define ALIGNSIM_SCENARIO_LOADER_H

#include <libconfig.h>
#include <stddef.h>

#include "model/spec.h"
#include "scenario/scenario.h"
#include "scenario/settings.h"
#include "base/buf.h"
#include "scenario/literal.h"

typedef enum { MARK_PLACE = 1, MARK_BASE } ld_mark_kind;

/* The origin of the settings below a hooked setting (see above). */
typedef struct {
    ld_mark_kind kind;
    char label[512]; /* MARK_PLACE: "--set model.w_threat", "-s", "FILE:LINE" */
    char *file;      /* MARK_BASE: display name of the base file (heap) */
    char *dir;       /* MARK_BASE: folder its raw names are relative to (heap), NULL: working dir */
} ld_mark;

/* A data table read by the check pass, for the resolved text: its columns
 * after `year` are the series first .. first + ncols - 1 of the spec. */
typedef struct {
    char name[SPEC_PATH_LEN];
    size_t first, ncols;
} loaded_table;

typedef struct {
    const char *name;        /* file name for settings of the main text */
    const char *include_dir; /* folder of @include files, NULL: working dir */
    scenario_diags *diags;   /* where diagnostics go (never NULL) */
    size_t nerrors;          /* diagnostics added */
    int oom;                 /* memory ran out somewhere */

    model_spec *spec;        /* filled by ld_check() */
    double start, horizon;   /* resolved dates */
    int dates_ok;            /* start < horizon, both valid */
    loaded_table *tables;    /* data tables, in file order */
    size_t ntables;

    ld_mark **marks;         /* hooks of the trees (owned; see ld_new_mark) */
    size_t nmarks;
    config_t **bases;        /* trees of base scenarios (owned): settings copied
                                from them point at their file names */
    size_t nbases;
    const char *posterior_table; /* --posterior: the table replacing the scenario's
                                    `posterior` (borrowed), NULL if none */
} loader;

/* Initialises L (no allocation); name, include_dir, diags and spec borrowed. */
void ld_init(loader *L, const char *name, const char *include_dir, scenario_diags *diags,
             model_spec *spec);

/* Frees what L allocated (tables, marks, base trees), not the borrowed
 * objects; call it after the trees that use the marks are destroyed. */
void ld_clear(loader *L);

/* Appends one finished diagnostic line (copied).  Sets L->oom on failure. */
void ld_diag(loader *L, const char *line);

/*
 * Reports an error at setting s: "FILE:LINE: error: PATH: MESSAGE" where
 * PATH is the setting's path in the tree (omitted for the root), or
 * "--set P: error: PATH: MESSAGE" for settings an override made.
 */
void ld_error(loader *L, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reports an error at an explicit place: "FILE:LINE: error: MESSAGE", or
 * "FILE: error: MESSAGE" when line is 0. */
void ld_error_at(loader *L, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Path of s in libconfig syntax ("events.[3].magnitude"; "" for the root). */
void ld_path(const config_setting_t *s, char *dst, size_t len);

/* Rewrites path in place for display: no "." components, "dir/.." pairs
 * removed ("tests/data/bad/../good/x.cfg" -> "tests/data/good/x.cfg"). */
void ld_normalise_path(char *path);

/* The file name to show for settings whose libconfig file is raw (NULL:
 * the main text) in the file `name` whose includes are relative to dir,
 * written into dst; see the header comment. */
const char *ld_display_file(const char *name, const char *dir, const char *raw, char *dst,
                            size_t len);

/*
 * Where setting s comes from, as diagnostics name it: writes the file (or
 * a mark's label) into buf and returns the line (0: none; always 0 for a
 * label).
 */
int ld_where(const loader *L, const config_setting_t *s, char *dst, size_t len);

/* A new zeroed mark owned by L (freed by ld_clear), or NULL (L->oom set). */
ld_mark *ld_new_mark(loader *L, ld_mark_kind kind);

/* Reports a libconfig parse error of cfg, read from text as the file name
 * (display name) whose includes are relative to dir. */
void ld_syntax_error(loader *L, const char *name, const char *dir, const config_t *cfg,
                     const char *text);

/* The largest scenario file (also an included file, a base or a sweep
 * file) the loader reads, in bytes: 8 MiB, 250 times the resolved
 * historical scenario with its data tables inline, and room for large data
 * tables in a resolved scenario.cfg.  Larger input is refused before
 * parsing: a checked scenario takes about 55 times its size in memory. */
#define LD_MAX_FILE_BYTES (8 * 1024 * 1024)

/* The most named settings one group may hold (see prescan.c). */
#define LD_MAX_GROUP_SETTINGS 1000

/* Reads a whole file; a NUL-terminated heap buffer and its length, or NULL
 * with errno set (EISDIR for a directory, EFBIG for more than
 * LD_MAX_FILE_BYTES, also from a pipe or a device). */
char *ld_slurp(const char *path, size_t *len);

/*
 * Looks at text (the file `name`, whose includes are relative to dir) before
 * libconfig parses it, for what libconfig 1.5 would handle badly: an
 * @include of a folder (libconfig's scanner would exit the process), of a
 * device or pipe, or of a file above LD_MAX_FILE_BYTES, and a group of more
 * than LD_MAX_GROUP_SETTINGS settings (parsing is quadratic in them).
 * Reports each at its FILE:LINE into L; returns the number reported.
 */
size_t ld_prescan(loader *L, const char *text, const char *name, const char *dir);

/*
 * Adds a deep copy of src to parent under name (NULL in lists and arrays).
 * keep_place also copies the line, the include name and the hooks of every
 * copied setting (libconfig 1.5 has no setter for a setting's place; its
 * config_setting_t is public and the copy writes `line` and `file`, whose
 * string belongs to src's config, which must outlive the copy).  Returns
 * the copy, or NULL when libconfig refused or memory ran out.
 */
config_setting_t *ld_copy_setting(config_setting_t *parent, const char *name,
                                  const config_setting_t *src, int keep_place);

/* Reads number s (an integer is accepted), finite and within [lo, hi]
 * (flags SF_LO_OPEN/SF_HI_OPEN); reports "expected a number in ..., found
 * ..." at s otherwise.  Returns 0, or -1 when reported. */
int ld_number(loader *L, const config_setting_t *s, double lo, double hi, unsigned flags,
              double *out);

/* The folder relative to which a data file named in setting s is found,
 * written into dst (dir of the file in which s appears); NULL for the
 * working directory. */
const char *ld_setting_dir(const loader *L, const config_setting_t *s, char *dst, size_t len);

/* Member of group g called name, or NULL (also when g is NULL). */
config_setting_t *ld_member(const config_setting_t *g, const char *name);

/* Candidate tracking for "did you mean 'X'?": the closest candidate within
 * about one edit per three letters of the word (Levenshtein distance). */
typedef struct {
    const char *word;
    const char *best;
    size_t dist;
} ld_suggest;

void ld_suggest_init(ld_suggest *sg, const char *word);
void ld_suggest_add(ld_suggest *sg, const char *candidate);

/* "; did you mean 'X'?" or "" (a static string or sg's candidate). */
void ld_suggest_write(const ld_suggest *sg, buf *b);

/* Validates the tree of cfg and fills L->spec.  Returns L->nerrors. */
size_t ld_check(loader *L, const config_t *cfg);

/*
 * Resolves the variant settings of cfg, read from the file path (NULL: not
 * a file) named L->name in folder L->include_dir: loads `base` scenarios
 * and merges them in, applies `remove_events` and `scale_events`, removes
 * these keys and records what was done in `derived_from`, `removed_events`
 * and `scaled_events`.  Base trees and marks are kept in L.  Errors go to
 * L; returns -1 when a base could not be loaded (the tree is then not worth
 * checking), else 0.
 */
int ld_variant(loader *L, config_t *cfg, const char *path);

/* Applies opt's --set and -s overrides to cfg (marks owned by L).  Errors
 * go to L. */
void ld_override(loader *L, config_t *cfg, const scenario_options *opt);

/* The resolved scenario text of cfg, after ld_check() on it passed without
 * errors (uses L->spec and L->tables).  Heap string, or NULL on no memory. */
char *ld_emit(const loader *L, const config_t *cfg);

#endif
