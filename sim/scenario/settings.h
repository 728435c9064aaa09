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

/*
 * Where a setting's value goes: a field of one of the plain-data structs
 * the loader fills (model_spec, spec_event, spec_claim, sweep_file...).
 * The table stores the field's offset, checked against the member's type
 * when it is compiled (settings.c, BIND_*), so a key bound to a misspelt or
 * mistyped member does not compile; ld_read_fields() (read.h) then reads
 * every bound key of a group with one loop.
 */
typedef enum {
    FIELD_NONE = 0,   /* not bound: read by code of its own */
    FIELD_DOUBLE,     /* double (ST_FLOAT, ST_DATE) */
    FIELD_INT,        /* int (ST_INT; ST_BOOL as 0 or 1) */
    FIELD_UNSIGNED,   /* unsigned (ST_INT with lo >= 0) */
    FIELD_SIZE,       /* size_t (ST_INT with lo >= 0) */
    FIELD_U64,        /* uint64_t (ST_INT64, ST_INT with lo >= 0) */
    FIELD_TEXT,       /* char[size] (ST_STRING): at most size - 1 characters */
    FIELD_COMMITMENTS /* unsigned SPEC_C_* flags (ST_STRINGS of commitment names) */
} field_kind;

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
    field_kind field;           /* where ld_read_fields() stores the value */
    size_t offset;              /* of the field in its struct */
    size_t size;                /* FIELD_TEXT: bytes of the array */
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

/*
 * The groups of the table, and the keys of each in table order.  Code refers
 * to a key as settings_key(GROUP, KEY), so a misspelt key is a compile
 * error; names are looked up only for what a file contains.
 */
typedef enum {
    SG_ROOT,          /* the top level of a scenario file */
    SG_MODEL,         /* model: keys are spec_model_param (MP_*) */
    SG_DIST,          /* a distribution group (variant i is DIST_* i + 1) */
    SG_TABLE,         /* data.TABLE */
    SG_ACTOR,         /* actors.ID */
    SG_RUNG,          /* ladder.[i] */
    SG_INITIAL,       /* initial.[i] */
    SG_EVENT,         /* events.[i] (variants: spec_event_kind) */
    SG_TARGET,        /* targets.[i] (variants: target kinds) */
    SG_OUTCOME,       /* outcome */
    SG_CLAIM,         /* claim */
    SG_CALIBRATE,     /* calibrate */
    SG_POSTERIOR,     /* posterior */
    SG_FREE,          /* calibrate.free.[i] */
    SG_ORDER,         /* calibrate.orders.[i] */
    SG_INFER,         /* infer */
    SG_PRIOR,         /* infer.priors.[i] */
    SG_SCALE,         /* scale_events.[i], scaled_events.[i] */
    SG_SWEEP,         /* the top level of a sweep file */
    SG_SWEEP_PARAM,   /* parameters.[i] of a sweep file */
    SG_SWEEP_SENS,    /* sensitivity of a sweep file */
    SG_COUNT
} setting_group_id;

enum root_key {
    ROOT_NAME, ROOT_DESCRIPTION, ROOT_START, ROOT_HORIZON, ROOT_SEED, ROOT_MAX_EVENTS, ROOT_MODEL, ROOT_DATA,
    ROOT_ACTORS, ROOT_LADDER, ROOT_INITIAL, ROOT_EVENTS, ROOT_TARGETS, ROOT_OUTCOME, ROOT_CLAIM,
    ROOT_CALIBRATE, ROOT_INFER, ROOT_POSTERIOR, ROOT_OVERRIDES, ROOT_BASE, ROOT_REMOVE_EVENTS, ROOT_SCALE_EVENTS,
    ROOT_DERIVED_FROM, ROOT_REMOVED_EVENTS, ROOT_SCALED_EVENTS, ROOT_COUNT
};
enum dist_key {
    DISTK_DIST, DISTK_MIN, DISTK_MAX, DISTK_MEAN, DISTK_SD, DISTK_A, DISTK_B, DISTK_MU, DISTK_SIGMA,
    DISTK_COUNT
};
enum table_key { TABLE_FILE, TABLE_SOURCE, TABLE_COLUMNS, TABLE_ROWS, TABLE_COUNT };
enum actor_key {
    ACTOR_NAME, ACTOR_CAPABILITY, ACTOR_IDEOLOGY, ACTOR_AUTONOMY, ACTOR_DOCTRINE_COST, ACTOR_COUNT
};
enum rung_key { RUNG_LABEL, RUNG_NAME, RUNG_X_MIN, RUNG_REQUIRES, RUNG_GATE, RUNG_COUNT };
enum initial_key { INIT_DYAD, INIT_X, INIT_BORDER, INIT_ECONOMY, INIT_COMMITMENTS, INIT_COUNT };
enum event_key {
    EVK_TYPE, EVK_ID, EVK_AT, EVK_EVERY, EVK_RATE, EVK_SERIES, EVK_FROM, EVK_UNTIL, EVK_JITTER,
    EVK_ACTORS, EVK_MAGNITUDE, EVK_DURATION, EVK_COMMITMENTS, EVK_EXPIRES, EVK_TERM_YEARS, EVK_IDEOLOGY,
    EVK_ACTIVE, EVK_NOTE, EVK_COUNT
};
enum target_key {
    TGT_DYAD, TGT_YEAR, TGT_KIND, TGT_LABEL, TGT_COMMITMENT, TGT_AFTER, TGT_NOTE, TGT_COUNT
};
enum outcome_key { OUT_DYAD, OUT_ALLIANCE_AFTER, OUT_COUNT };
enum scale_key { SCALE_ID, SCALE_FACTOR, SCALE_COUNT };
enum claim_key {
    CLK_THIRD_POWER, CLK_TARGETS, CLK_AT, CLK_DURATION, CLK_STRENGTH, CLK_STRENGTHS,
    CLK_WINDOW_YEARS, CLK_BOUND_NO_REVERSAL, CLK_BOUND_REVERSAL, CLK_CONFIDENCE,
    CLK_COUNT
};
enum calibrate_key {
    CAL_FREE, CAL_ORDERS, CAL_REPS, CAL_STARTS, CAL_MAX_ITERATIONS, CAL_FIT_UNTIL, CAL_CAP_YEARS,
    CAL_TOLERANCE, CAL_COUNT
};
enum infer_key {
    INF_PRIORS, INF_PARTICLES, INF_QUANTILE, INF_KERNEL, INF_MIN_TOLERANCE, INF_MIN_ACCEPTANCE,
    INF_MAX_SIMULATIONS, INF_MAX_GENERATIONS, INF_MODEL_WEIGHT, INF_SCALE_YEARS, INF_SCALES,
    INF_CAP_YEARS, INF_MISS_YEARS, INF_FIT_UNTIL, INF_COUNT
};
/* A prior's distribution keys have the names and meanings of the
 * distribution group's (SG_DIST), so its reader is shared. */
enum prior_key {
    PRIOR_PATH, PRIOR_VALUE, PRIOR_DIST, PRIOR_MIN, PRIOR_MAX, PRIOR_MEAN, PRIOR_SD, PRIOR_A, PRIOR_B,
    PRIOR_MU, PRIOR_SIGMA, PRIOR_COUNT
};
enum posterior_key { POST_TABLE, POST_SOURCE, POST_COLUMNS, POST_ROWS, POST_COUNT };
enum free_key { FREE_PATH, FREE_MIN, FREE_MAX, FREE_COUNT };
enum order_key { ORDER_FIRST, ORDER_SECOND, ORDER_COUNT };
enum sweep_key {
    SWK_NAME, SWK_DESCRIPTION, SWK_SCENARIO, SWK_DESIGN, SWK_POINTS, SWK_SEED, SWK_REPS,
    SWK_PARAMETERS, SWK_SENSITIVITY, SWK_COUNT
};
enum sweep_param_key { SWP_PATH, SWP_VALUES, SWP_MIN, SWP_MAX, SWP_COUNT };
enum sweep_sens_key { SWS_BASE_SAMPLES, SWS_REPS, SWS_BOOTSTRAP, SWS_CONFIDENCE, SWS_COUNT };

/* Group g of the table. */
const setting_group *settings_group(setting_group_id g);

/* Key k (one of the group's enum) of group g. */
const setting_def *settings_key(setting_group_id g, unsigned k);

/* Top-level keys of a scenario file (settings_group(SG_ROOT)). */
const setting_group *settings_root(void);

/* Keys of a distribution group (settings_group(SG_DIST)). */
const setting_group *settings_dist(void);

/* Finds key name in group g, or NULL: for names read from a file, never
 * for a key the code knows (use settings_key). */
const setting_def *settings_find(const setting_group *g, const char *name);

/* Non-zero if key d is valid for variant and event timing (-1: unknown,
 * and then every key is). */
int settings_valid_for(const setting_def *d, int variant, int timing);

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

/* What type of value key d takes, for docs and messages ("number or
 * distribution"). */
const char *settings_type_doc(const setting_def *d);

/* Non-zero if s matches pattern p. */
int settings_match(name_pattern p, const char *s);

/* What pattern p accepts, for messages ("letters, digits, '_' and '-'"). */
const char *settings_pattern_doc(name_pattern p);

#endif
