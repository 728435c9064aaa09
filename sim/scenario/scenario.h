/*
 * scenario - the scenario language: loads a libconfig scenario file, applies
 * command-line overrides, validates every setting against one settings table
 * and fills the plain-data model_spec the model reads.  The only module that
 * includes <libconfig.h>; docs/SCENARIO.md is the reference of the language.
 *
 * Diagnostics are collected, not printed: every error of a file is reported,
 * as a compiler does, each as one line
 *     FILE:LINE: error: what was expected, what was found, the valid choices
 *     FILE: error: ...           (no line: a required setting missing)
 *     --set PATH: error: ...     (the error is in a --set override)
 *     -s: error: ...             (the -s seed)
 *
 * Reproducibility: the loader writes the "resolved" scenario (includes
 * expanded, overrides applied, every setting present with defaults filled
 * in, the seed fixed, data tables inline, numbers in shortest round-trip
 * form), parses that text again and fills the spec from the re-parsed tree,
 * so the values a run uses are exactly those written in its scenario.cfg.
 * Loading a resolved text gives the same resolved text again.
 *
 * Numbers: where a number is expected an integer is accepted (`horizon =
 * 2030;`); libconfig's CONFIG_OPTION_AUTOCONVERT is not used.  libconfig 1.5
 * cannot write nan or inf; the loader rejects non-finite values (`1e999`).
 */
#ifndef ALIGNSIM_SCENARIO_SCENARIO_H
#define ALIGNSIM_SCENARIO_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "model/spec.h"

/* Diagnostics, one heap string per line (no trailing newline).  A zeroed
 * struct is empty; the loader appends to it. */
typedef struct {
    char **lines;
    size_t n;
} scenario_diags;

/* Frees every line and empties d; safe on an empty or already-cleared d. */
void scenario_diags_clear(scenario_diags *d);

/* Options from the command line.  All pointers are borrowed for the call. */
typedef struct {
    const char *const *sets; /* "PATH=VALUE" strings from --set, applied in order */
    size_t nsets;
    int has_seed;            /* non-zero: seed replaces the scenario's seed */
    uint64_t seed;           /* must be <= INT64_MAX */
    const char *posterior_table; /* --posterior: a posterior.tsv (relative to the working
                                    directory) replacing the scenario's `posterior`
                                    group; NULL: none */
} scenario_options;

/* Older names of the codes scenario_load() returns (sim/base/status.h),
 * kept until every caller uses the AS_* names. */
#define SCENARIO_OK AS_OK
#define SCENARIO_EIO AS_EIO
#define SCENARIO_EBAD AS_EUSAGE

/* Older name of SPEC_NO_PARAM (model/spec.h), kept for existing callers. */
#define SCENARIO_NO_PARAM SPEC_NO_PARAM

/*
 * Loads the scenario file at path, applies opt (may be NULL: no overrides),
 * validates it and fills *spec, which the caller initialised with
 * model_spec_init() (spec may be NULL to validate only).  @include paths and
 * data files are relative to the folder of path (libconfig 1.5 resolves
 * every @include, also inside included files, relative to that folder; data
 * files are relative to the file in which their setting appears).
 *
 * A file with `base = "PATH";` is a variant of another scenario (see
 * docs/SCENARIO.md, "Scenario variants"): the base is loaded as a file of
 * its own (PATH relative to the folder of the file naming it; its @include
 * and data files relative to its own folder), recursively up to 8 levels,
 * its top-level settings are merged under the derived file's (a derived
 * top-level setting replaces the base's whole), then `remove_events` and
 * `scale_events` apply, then the overrides.  Errors in a base are reported
 * at the base's FILE:LINE.
 *
 * On success returns AS_OK and, when resolved is not NULL, stores the
 * resolved scenario text in *resolved (heap; the caller frees it).  Events
 * get spec_event.file and .line = the file and line of their declaration
 * (copied: the spec holds no pointers into the loader), and .id = their id.
 *
 * On error *spec is left cleared (model_spec_clear) and *resolved NULL, and
 * the return value is
 *   AS_EIO     the file cannot be read ("PATH: error: <strerror>", also
 *              for a directory);
 *   AS_ENOMEM  memory ran out ("FILE: error: out of memory");
 *   AS_EUSAGE  the scenario or an override is bad: every diagnostic is
 *              appended to *diags.
 * diags may be NULL (diagnostics are then dropped).
 */
int scenario_load(const char *path, const scenario_options *opt, model_spec *spec,
                  char **resolved, scenario_diags *diags);

/*
 * As scenario_load(), from text in memory: name is used in diagnostics (the
 * FILE of "FILE:LINE: error:"), base_dir (may be NULL: the working
 * directory) is where @include and data files are looked up.  Text with a
 * NUL byte before its end cannot occur here; the whole C string is read.
 */
int scenario_load_string(const char *text, const char *name, const char *base_dir,
                         const scenario_options *opt, model_spec *spec, char **resolved,
                         scenario_diags *diags);

/*
 * The reference of the language generated from the settings table
 * (markdown: one table per group of keys with type, range, default and
 * meaning, and the table of event types).  docs/SCENARIO.md embeds it.
 * Returns a heap string the caller frees, or NULL when memory runs out.
 */
char *scenario_reference(void);

#endif
