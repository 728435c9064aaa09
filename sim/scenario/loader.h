/*
 * loader - state and helpers shared by the parts of the scenario loader
 * (internal to sim/scenario/; the only headers besides scenario.c's that
 * include <libconfig.h>).
 *
 *   scenario.c  public API: reads the text, runs the passes below
 *   override.c  applies --set and -s to the libconfig tree
 *   check.c     validates a tree against the settings table and fills a spec
 *   emit.c      writes the resolved scenario text from a checked tree
 *
 * Where a setting came from: libconfig records the line and, for settings
 * of an @include'd file, the include name as written (libconfig 1.5 does not
 * join it with the include folder; ld_display_file() does).  Settings that
 * an override created or replaced carry an override_mark as their libconfig
 * hook; the mark names the override in diagnostics ("--set PATH").
 */
#ifndef ALIGNSIM_SCENARIO_LOADER_H
#define ALIGNSIM_SCENARIO_LOADER_H

#include <libconfig.h>
#include <stddef.h>

#include "model/spec.h"
#include "scenario/scenario.h"
#include "scenario/settings.h"
#include "scenario/strbuf.h"

/* Names the origin of settings made by one override. */
typedef struct {
    char label[SPEC_PATH_LEN + 16]; /* "--set model.w_threat" or "-s" */
} override_mark;

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
} loader;

/* Initialises L (no allocation); name, include_dir, diags and spec borrowed. */
void ld_init(loader *L, const char *name, const char *include_dir, scenario_diags *diags,
             model_spec *spec);

/* Frees what L allocated (the tables), not the borrowed objects. */
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
void ld_path(const config_setting_t *s, char *buf, size_t len);

/* Rewrites path in place for display: no "." components, "dir/.." pairs
 * removed ("tests/data/bad/../good/x.cfg" -> "tests/data/good/x.cfg"). */
void ld_normalise_path(char *path);

/* The file name to show for settings whose libconfig file is raw (NULL:
 * the main text), written into buf; see the header comment. */
const char *ld_display_file(const loader *L, const char *raw, char *buf, size_t len);

/* The folder relative to which a data file named in setting s is found,
 * written into buf (dir of the file in which s appears); NULL for the
 * working directory. */
const char *ld_setting_dir(const loader *L, const config_setting_t *s, char *buf, size_t len);

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
void ld_suggest_write(const ld_suggest *sg, strbuf *b);

/* Validates the tree of cfg and fills L->spec.  Returns L->nerrors. */
size_t ld_check(loader *L, const config_t *cfg);

/* Applies opt's --set and -s overrides to cfg; marks must have room for
 * opt->nsets + 1 entries and outlive cfg's use.  Errors go to L. */
void ld_override(loader *L, config_t *cfg, const scenario_options *opt, override_mark *marks);

/* The resolved scenario text of cfg, after ld_check() on it passed without
 * errors (uses L->spec and L->tables).  Heap string, or NULL on no memory. */
char *ld_emit(const loader *L, const config_t *cfg);

#endif
