/*
 * settings - the one table of the scenario language (internal to
 * sim/scenario/).
 *
 * Every setting a scenario file may contain is described here once: its
 * name, type, valid range, default and a one-line meaning.  The loader
 * validates against this table, the resolved-text writer fills defaults from
 * it, --set walks it to check override paths, and docs/SCENARIO.md is
 * generated from it (scenario_reference()), so the four cannot drift apart.
 *
 * Groups whose valid keys depend on a "variant" (the event type, the timing
 * of an event, the kind of a distribution or target) list the variants'
 * names; a key then carries a bit mask of the variants it is valid for.
 * Adding a top-level group (say `claim`) is one setting_group with its keys
 * and one line in the root table, plus the code that reads the values.
 */
#ifndef ALIGNSIM_SCENARIO_SETTINGS_H
#define ALIGNSIM_SCENARIO_SETTINGS_H

#include <stddef.h>

#include "model/spec.h"

typedef enum {
    ST_STRING,   /* a string */
    ST_INT,      /* an integer */
    ST_INT64,    /* a 64-bit integer (write 5000000000L: libconfig 1.5 wraps
                    larger unsuffixed integers to 32 bits) */
    ST_FLOAT,    /* a number; an integer is accepted */
    ST_DATE,     /* a number: a decimal year, within [start, horizon] */
    ST_BOOL,     /* true or false */
    ST_PARAM,    /* a number or a distribution group: a spec parameter */
    ST_STRINGS,  /* an array or list of strings */
    ST_GROUP,    /* a group with fixed keys (`group`) */
    ST_MAP,      /* a group of freely named groups, each with `group`'s keys */
    ST_LIST,     /* a list of groups, each with `group`'s keys */
    ST_SERIES,   /* a series name, or a list of (year, value) pairs */
    ST_ROWS,     /* a list of rows, each a list of numbers or "NA" */
    ST_NUMBERS   /* an array or list of numbers, each within [lo, hi] */
} setting_type;

/* Flags of a setting. */
enum {
    SF_REQUIRED = 1u << 0,   /* must be present (when valid for the variant) */
    SF_LO_OPEN = 1u << 1,    /* the range excludes lo */
    SF_HI_OPEN = 1u << 2,    /* the range excludes hi */
    SF_NO_DEFAULT = 1u << 3, /* absent means "no value" (def_doc says which) */
    SF_LOADER = 1u << 4,     /* maintained by the loader, not settable by --set */
    SF_VARIANT = 1u << 5     /* read and removed by the variant pass (sim/scenario/
                                variant.c) before overrides and validation: not
                                settable by --set, never in the resolved text */
};

/* Defaults that depend on other settings. */
typedef enum {
    DD_NONE = 0,
    DD_START,         /* the scenario's start */
    DD_HORIZON,       /* the scenario's horizon */
    DD_ACTOR_ID,      /* the actor's id */
    DD_FIRST_DYAD,    /* the first two actors */
    DD_KIND,          /* depends on the event type (see the event table) */
    DD_CLAIM_AT,      /* the horizon less 6 years, not before the start */
    DD_OUTCOME_ACTORS /* the two actors of the outcome dyad */
} dynamic_default;

/* Name patterns checked on strings and on the names of map children. */
typedef enum {
    PAT_NONE = 0,
    PAT_NAME,         /* [A-Za-z0-9_-]+ */
    PAT_ID,           /* [a-z][a-z0-9_]* */
    PAT_TABLE,        /* [A-Za-z][A-Za-z0-9_]* */
    PAT_COMMITMENT    /* nonaggression, consultation, defence */
} name_pattern;

typedef struct setting_group setting_group;

typedef struct {
    const char *name;
    setting_type type;
    unsigned flags;             /* SF_* */
    double lo, hi;              /* range of numbers (and counts of lists) */
    double def;                 /* default of numbers and booleans */
    const char *def_str;        /* default of strings */
    dynamic_default dyn;        /* default computed from other settings */
    name_pattern pattern;       /* check on strings (elements for ST_STRINGS) */
    size_t maxlen;              /* longest string accepted (0: no limit) */
    unsigned variants;          /* bit mask of the group's variants, 0: all */
    unsigned timings;           /* events: bit mask of (1 << TIMING_*), 0: all */
    int index;                  /* MP_* or AP_* for parameters, else -1 */
    const setting_group *group; /* keys of a GROUP, MAP element, LIST element */
    const char *doc;            /* one line for docs/SCENARIO.md */
} setting_def;

struct setting_group {
    const char *path;           /* as docs show it: "model", "events.[i]" */
    const char *doc;            /* a paragraph for the reference */
    const setting_def *keys;
    size_t nkeys;
    const char *variant_key;    /* key that selects the variant ("type") */
    const char *const *variants;/* names of the variants, bit i = 1 << i */
    size_t nvariants;
    const char *variant_noun;   /* "events" in "only valid for treaty events" */
};

/* Top-level keys of a scenario file. */
const setting_group *settings_root(void);

/* Keys of a distribution group (variants: uniform, normal, beta, lognormal;
 * variant i is DIST_* i + 1). */
const setting_group *settings_dist(void);

/* Finds key name in group g, or NULL. */
const setting_def *settings_find(const setting_group *g, const char *name);

/* Index of a variant name in g, or -1. */
int settings_variant(const setting_group *g, const char *name);

/* What the language says about each event type. */
typedef struct {
    int min_actors, max_actors; /* valid counts of `actors` */
    double magnitude;           /* default magnitude */
    double magnitude_lo, magnitude_hi; /* valid range of the magnitude (drawn values are
                                          clamped to it); `every` and `rate` events raise a
                                          negative lower end to 0 */
    int magnitude_is_warmth;    /* default magnitude is model.summit_warmth */
    const char *actors_doc;     /* how the actors are read */
} event_rule;

/* Rule of event kind k (k < EV_KIND_COUNT). */
const event_rule *settings_event_rule(spec_event_kind k);

/* Names of the event timings, indexed by TIMING_* ("at", "every", "rate",
 * "series"); NULL when t is out of range. */
const char *settings_timing_name(spec_timing t);

/* Target kinds: spec kind of variant i of the target group. */
spec_target_kind settings_target_kind(int variant);

/* What type of value key d takes, for docs and messages ("number or
 * distribution"). */
const char *settings_type_doc(const setting_def *d);

/* Non-zero if s matches pattern p. */
int settings_match(name_pattern p, const char *s);

/* What pattern p accepts, for messages ("letters, digits, '_' and '-'"). */
const char *settings_pattern_doc(name_pattern p);

#endif
