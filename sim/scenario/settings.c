/*
 * settings - the one table of the scenario language, and the reference
 * (docs/SCENARIO.md) generated from it.
 *
 * Invariants the loader relies on: the `model` keys are in spec_model_param
 * order with index = MP_*, the actor parameter keys in spec_actor_param order
 * with index = AP_*; variant bit i of a group is 1 << i; the event group's
 * variants are the spec_event_kind names in enum order.
 */
#include "scenario/settings.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"
#include "scenario/sweepfile.h"
#include "base/buf.h"
#include "scenario/literal.h"

#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(i) (1u << (i))

/*
 * Binds a key to member m of struct type t, whose type must be ctype: the
 * assignment inside sizeof is never evaluated, but the compiler checks that
 * &t.m converts to ctype *, so a misspelt or mistyped member is an error.
 */
#define BIND(kind, ctype, t, m) \
    .field = kind, .offset = offsetof(t, m) + 0 * sizeof(*(ctype **)0 = &((t *)0)->m)
#define BIND_DOUBLE(t, m) BIND(FIELD_DOUBLE, double, t, m)
#define BIND_INT(t, m) BIND(FIELD_INT, int, t, m)
#define BIND_UNSIGNED(t, m) BIND(FIELD_UNSIGNED, unsigned, t, m)
#define BIND_SIZE(t, m) BIND(FIELD_SIZE, size_t, t, m)
#define BIND_U64(t, m) BIND(FIELD_U64, uint64_t, t, m)
#define BIND_COMMITMENTS(t, m) BIND(FIELD_COMMITMENTS, unsigned, t, m)
/* A char array member: its size is the longest text plus the NUL. */
#define BIND_TEXT(t, m)                                                                   \
    .field = FIELD_TEXT, .offset = offsetof(t, m) + 0 * sizeof(*(char **)0 = &((t *)0)->m[0]), \
    .size = sizeof(((t *)0)->m), .maxlen = sizeof(((t *)0)->m) - 1

/* A model parameter: number or distribution, range [lo, hi], default d. */
#define MODEL_PARAM(n, i, l, h, d, text)                                           \
    {.name = n, .type = ST_PARAM, .lo = l, .hi = h, .def = d, .index = i, .doc = text}

/* ------------------------------------------------------------------ */
/* Distribution groups                                                */
/* ------------------------------------------------------------------ */

/* Variant i of a distribution group is spec_dist_kind i + 1. */
enum { DV_UNIFORM = BIT(0), DV_NORMAL = BIT(1), DV_BETA = BIT(2), DV_LOGNORMAL = BIT(3) };

static const setting_def dist_keys[DISTK_COUNT] = {
    [DISTK_DIST] = {.name = "dist", .type = ST_STRING, .flags = SF_REQUIRED,
     .doc = "the distribution: \"uniform\", \"normal\", \"beta\" or \"lognormal\""},
    [DISTK_MIN] = {.name = "min", .type = ST_FLOAT, .flags = SF_NO_DEFAULT, .lo = -INFINITY, .hi = INFINITY,
     .variants = DV_UNIFORM | DV_BETA,
     .doc = "uniform (required), beta (default: the low end of the setting's range): lower end, "
            "within the setting's range"},
    [DISTK_MAX] = {.name = "max", .type = ST_FLOAT, .flags = SF_NO_DEFAULT, .lo = -INFINITY, .hi = INFINITY,
     .variants = DV_UNIFORM | DV_BETA,
     .doc = "uniform (required), beta (default: the high end of the setting's range): upper end, "
            "> min, within the setting's range"},
    [DISTK_MEAN] = {.name = "mean", .type = ST_FLOAT, .flags = SF_REQUIRED, .lo = -INFINITY, .hi = INFINITY,
     .variants = DV_NORMAL, .doc = "normal: mean (within the setting's range); draws are truncated to the range"},
    [DISTK_SD] = {.name = "sd", .type = ST_FLOAT, .flags = SF_REQUIRED | SF_LO_OPEN, .lo = 0.0, .hi = INFINITY,
     .variants = DV_NORMAL, .doc = "normal: standard deviation"},
    [DISTK_A] = {.name = "a", .type = ST_FLOAT, .flags = SF_REQUIRED | SF_LO_OPEN, .lo = 0.0, .hi = INFINITY,
     .variants = DV_BETA, .doc = "beta: first shape parameter"},
    [DISTK_B] = {.name = "b", .type = ST_FLOAT, .flags = SF_REQUIRED | SF_LO_OPEN, .lo = 0.0, .hi = INFINITY,
     .variants = DV_BETA, .doc = "beta: second shape parameter"},
    [DISTK_MU] = {.name = "mu", .type = ST_FLOAT, .flags = SF_REQUIRED, .lo = -INFINITY, .hi = INFINITY,
     .variants = DV_LOGNORMAL,
     .doc = "lognormal: mean of the underlying normal; draws above the setting's range are "
            "clamped to its upper end"},
    [DISTK_SIGMA] = {.name = "sigma", .type = ST_FLOAT, .flags = SF_REQUIRED | SF_LO_OPEN, .lo = 0.0, .hi = INFINITY,
     .variants = DV_LOGNORMAL, .doc = "lognormal: sd of the underlying normal"},
};

/*
 * min and max serve the uniform (required there) and the beta (defaults: the
 * ends of the setting's range); the loader checks that one requirement.
 */
static const setting_group dist_group = {
    .path = "DIST",
    .doc = "Any setting of type *number or distribution* may instead be a group that "
           "draws it once per replication (event magnitudes: once per occurrence). "
           "The run uses the distribution's mean, clamped to the range, where a "
           "single value is needed. Its support must lie within the setting's range: "
           "a uniform or beta `min`/`max` outside the range is an error, a normal is "
           "truncated to the range and its mean must lie in it, and a lognormal "
           "(support (0, inf)) fits only settings whose range starts at 0 or above; "
           "where the range has an upper end, lognormal draws above it are clamped to it "
           "(mass beyond the end piles up there: choose mu and sigma to keep it small). "
           "A beta's `min` and `max` default to the ends of the setting's range.",
    .keys = dist_keys,
    .nkeys = NKEYS(dist_keys),
    .variant_key = "dist",
    .variants = spec_dist_kind_names + 1,
    .nvariants = DIST_COUNT - 1,
    .variant_noun = "distributions",
};

/* ------------------------------------------------------------------ */
/* model                                                              */
/* ------------------------------------------------------------------ */

static const setting_def model_keys[MP_COUNT] = {
    [MP_RELAX_RATE] = MODEL_PARAM("relax_rate_per_year", MP_RELAX_RATE, 0.01, 50.0, 1.03,
                "k: speed at which x relaxes toward its target, per year"),
    [MP_REVIEW_EVERY] = MODEL_PARAM("review_every_years", MP_REVIEW_EVERY, 0.02, 5.0, 0.5,
                "years between periodic re-evaluations of the targets"),
    [MP_W_THREAT] = MODEL_PARAM("w_threat", MP_W_THREAT, 0.0, 20.0, 1.08, "w_T: weight of the common threat"),
    [MP_W_IDEOLOGY] = MODEL_PARAM("w_ideology", MP_W_IDEOLOGY, 0.0, 20.0, 0.33, "w_I: weight of ideological affinity"),
    [MP_W_ECONOMY] = MODEL_PARAM("w_economy", MP_W_ECONOMY, 0.0, 20.0, 1.17, "w_E: weight of economic complementarity"),
    [MP_W_BORDER] = MODEL_PARAM("w_border", MP_W_BORDER, 0.0, 20.0, 0.34, "w_B: weight of border militarisation"),
    [MP_W_AUTONOMY] = MODEL_PARAM("w_autonomy", MP_W_AUTONOMY, 0.0, 20.0, 1.38, "w_M: weight of the autonomy cost"),
    [MP_W_HOSTILITY] = MODEL_PARAM("w_hostility", MP_W_HOSTILITY, 0.0, 20.0, 0.46,
                "w_H: weight of direct hostile pressure inside the dyad"),
    [MP_W_RECIPROCITY] = MODEL_PARAM("w_reciprocity", MP_W_RECIPROCITY, 0.0, 5.0, 0.18, "w_R: weight of the partner's x"),
    [MP_W_TRIAD] = MODEL_PARAM("w_triad", MP_W_TRIAD, 0.0, 20.0, 0.2, "w_3: weight of the strategic-triangle term"),
    [MP_DISPUTE_WEIGHT] = MODEL_PARAM("dispute_weight", MP_DISPUTE_WEIGHT, 0.0, 10.0, 0.9,
                "how much bloc-leadership rivalry lowers ideological affinity"),
    [MP_DISPUTE_DECAY] = MODEL_PARAM("dispute_decay_per_year", MP_DISPUTE_DECAY, 0.0, 10.0, 0.01,
                "decay of bloc rivalry, per year"),
    [MP_GRIEVANCE_DECAY] = MODEL_PARAM("grievance_decay_per_year", MP_GRIEVANCE_DECAY, 0.0, 10.0, 0.01,
                "decay of unequal-proposal grievance, per year"),
    [MP_BORDER_DECAY] = MODEL_PARAM("border_decay_per_year", MP_BORDER_DECAY, 0.0, 10.0, 0.0,
                "drift of border militarisation toward zero, per year"),
    [MP_BIAS_DECAY] = MODEL_PARAM("bias_decay_per_year", MP_BIAS_DECAY, 0.0, 10.0, 0.05,
                "fading of diplomatic openings and closings (the bias Z), per year"),
    [MP_GATE_SECURITY] = MODEL_PARAM("gate_security", MP_GATE_SECURITY, 0.0, 100.0, 4.0,
                "s: security benefit in the alliance gate"),
    [MP_GATE_ENTRAPMENT] = MODEL_PARAM("gate_entrapment", MP_GATE_ENTRAPMENT, 0.0, 100.0, 1.0,
                "e: entrapment cost in the alliance gate"),
    [MP_DECISION_PRECISION] = MODEL_PARAM("decision_precision", MP_DECISION_PRECISION, 0.1, 1e4, 40.0,
                "beta of the logit decision rule, per unit of x"),
    [MP_HYSTERESIS] = MODEL_PARAM("hysteresis", MP_HYSTERESIS, 0.0, 0.5, 0.02,
                "h: margin beyond a ladder threshold needed to move"),
    [MP_SUMMIT_WARMTH] = MODEL_PARAM("summit_warmth", MP_SUMMIT_WARMTH, -1.0, 1.0, 0.03,
                "default jump of x at a summit"),
    [MP_REVERSAL_THRESHOLD] = MODEL_PARAM("reversal_threshold", MP_REVERSAL_THRESHOLD, 0.0, 10.0, 2.0,
                "fundamental reversal, defined by inputs: one third power's pressures on both "
                "partners of the outcome dyad (min of its hostility toward each, summed over "
                "its sanctions, arms sales and reversal events in force) at or above this; 0 "
                "selects the gate-based definition (the common threat reaches the level that "
                "opens the alliance gate for both, which makes a reversal and an alliance "
                "coincide by construction)"),
    [MP_REVERSAL_MIN_YEARS] = MODEL_PARAM("reversal_min_years", MP_REVERSAL_MIN_YEARS, 0.0, 50.0, 1.0,
                "years the threat must stay above T* to count as a reversal"),
    [MP_GATE_PROTECTION] = MODEL_PARAM("gate_protection", MP_GATE_PROTECTION, 0.0, 100.0, 1.5,
                "s_p: in the alliance gate, the protection a partner gives against the threats "
                "one faces from third parties the partner is not friendly with (Morrow 1991)"),
    [MP_GATE_INFLUENCE] = MODEL_PARAM("gate_influence", MP_GATE_INFLUENCE, 0.0, 100.0, 0.5,
                "u: in the alliance gate, the influence the stronger partner gains over the "
                "weaker, per unit of capability asymmetry (Morrow 1991)"),
};

static const setting_group model_group = {
    .path = "model",
    .doc = "Model-wide parameters (all optional). Each is a number or a distribution group. "
           "Their parameter paths are `model.KEY`.",
    .keys = model_keys,
    .nkeys = NKEYS(model_keys),
};

/* ------------------------------------------------------------------ */
/* data                                                               */
/* ------------------------------------------------------------------ */

static const setting_def table_keys[TABLE_COUNT] = {
    [TABLE_FILE] = {.name = "file", .type = ST_STRING, .flags = SF_NO_DEFAULT,
     .doc = "TSV file, relative to the folder of the file in which this setting appears: "
            "a header line of column names, first column `year`, then numbers or `NA` "
            "(`#` lines are ignored); years strictly increasing. Not with `columns`/`rows`"},
    [TABLE_SOURCE] = {.name = "source", .type = ST_STRING, .def_str = "", .doc = "where the data come from"},
    [TABLE_COLUMNS] = {.name = "columns", .type = ST_STRINGS, .flags = SF_NO_DEFAULT,
     .doc = "inline form: column names, the first one \"year\" (with `rows`, not with `file`)"},
    [TABLE_ROWS] = {.name = "rows", .type = ST_ROWS, .flags = SF_NO_DEFAULT,
     .doc = "inline form: one list per row, `(1946.0, 0.13, \"NA\")`, as many cells as columns"},
};

static const setting_group table_group = {
    .path = "data.TABLE",
    .doc = "`data` holds named tables (names: a letter, then letters, digits or '_'). "
           "Column C of table T becomes the series `T.C` (piecewise constant from each year; "
           "`NA` is missing). The resolved scenario writes every table inline "
           "(`columns` and `rows`), so a result folder is self-contained.",
    .keys = table_keys,
    .nkeys = NKEYS(table_keys),
};

/* ------------------------------------------------------------------ */
/* actors                                                             */
/* ------------------------------------------------------------------ */

static const setting_def actor_keys[ACTOR_COUNT] = {
    [ACTOR_NAME] = {BIND_TEXT(spec_actor, name), .name = "name", .type = ST_STRING, .dyn = DD_ACTOR_ID,
     .doc = "display name"},
    [ACTOR_CAPABILITY] = {.name = "capability", .type = ST_SERIES, .flags = SF_REQUIRED,
     .doc = "CINC-like share of world power: a series name (\"cinc.china\") or inline "
            "(year, value) pairs `( (1946.0, 0.13), (1960.0, 0.12) )` (series "
            "`actors.ID.capability`)"},
    [ACTOR_IDEOLOGY] = {.name = "ideology", .type = ST_PARAM, .lo = -1.0, .hi = 1.0, .def = 0.0, .index = AP_IDEOLOGY,
     .doc = "ideological position (1 communist, -1 liberal)"},
    [ACTOR_AUTONOMY] = {.name = "autonomy", .type = ST_PARAM, .lo = 0.0, .hi = 10.0, .def = 0.5, .index = AP_AUTONOMY,
     .doc = "a_i: sensitivity to unequal terms"},
    [ACTOR_DOCTRINE_COST] = {.name = "doctrine_cost", .type = ST_PARAM, .lo = 0.0, .hi = 10.0, .def = 0.0,
     .index = AP_DOCTRINE_COST, .doc = "c_i: standing cost of any alliance once a doctrine event switches it on"},
};

static const setting_group actor_group = {
    .path = "actors.ID",
    .doc = "`actors` (required) holds 1 to 500 actors (the limit keeps memory, which grows as the "
           "square of the actors, and the time of a target evaluation, as their cube, in bounds); "
           "each setting name is the actor id "
           "(a lower-case letter, then lower-case letters, digits or '_'). Actor order is "
           "file order. Parameter paths are `actors.ID.KEY`.",
    .keys = actor_keys,
    .nkeys = NKEYS(actor_keys),
};

/* ------------------------------------------------------------------ */
/* ladder                                                             */
/* ------------------------------------------------------------------ */

static const setting_def rung_keys[RUNG_COUNT] = {
    [RUNG_LABEL] = {BIND_INT(spec_rung, label), .name = "label", .type = ST_INT, .flags = SF_REQUIRED, .lo = -1000.0, .hi = 1000.0,
     .doc = "ordinal label; strictly increasing down the list"},
    [RUNG_NAME] = {BIND_TEXT(spec_rung, name), .name = "name", .type = ST_STRING, .flags = SF_REQUIRED,
     .doc = "what the label is called"},
    [RUNG_X_MIN] = {BIND_DOUBLE(spec_rung, x_min), .name = "x_min", .type = ST_FLOAT, .flags = SF_NO_DEFAULT, .lo = -1.0, .hi = 1.0,
     .doc = "threshold on x; strictly increasing; may be omitted only on the first rung "
            "(then -inf, and the resolved scenario omits it)"},
    [RUNG_REQUIRES] = {BIND_COMMITMENTS(spec_rung, requires), .name = "requires", .type = ST_STRINGS, .pattern = PAT_COMMITMENT,
     .doc = "commitments needed to hold the rung (\"nonaggression\", \"consultation\", \"defence\")"},
    [RUNG_GATE] = {BIND_INT(spec_rung, gate), .name = "gate", .type = ST_BOOL, .def = 0.0,
     .doc = "the alliance gate must be open for both sides"},
};

static const setting_group rung_group = {
    .path = "ladder.[i]",
    .doc = "`ladder` (required) is a list of at least 2 rungs, lowest first.",
    .keys = rung_keys,
    .nkeys = NKEYS(rung_keys),
};

/* ------------------------------------------------------------------ */
/* initial                                                            */
/* ------------------------------------------------------------------ */

static const setting_def initial_keys[INIT_COUNT] = {
    [INIT_DYAD] = {.name = "dyad", .type = ST_STRING, .flags = SF_REQUIRED,
     .doc = "\"a-b\": two distinct actor ids, either order; each dyad at most once"},
    [INIT_X] = {.name = "x", .type = ST_PARAM, .lo = -1.0, .hi = 1.0, .def = 0.0,
     .doc = "x at start (parameter `initial.[i].x`)"},
    [INIT_BORDER] = {BIND_DOUBLE(spec_initial, border), .name = "border", .type = ST_FLOAT, .lo = 0.0, .hi = INFINITY, .def = 0.0,
     .doc = "border militarisation at start"},
    [INIT_ECONOMY] = {BIND_DOUBLE(spec_initial, economy), .name = "economy", .type = ST_FLOAT, .lo = -1.0, .hi = 1.0, .def = 0.0,
     .doc = "economic complementarity at start"},
    [INIT_COMMITMENTS] = {BIND_COMMITMENTS(spec_initial, commitments), .name = "commitments", .type = ST_STRINGS, .pattern = PAT_COMMITMENT,
     .doc = "commitments in force at start"},
};

static const setting_group initial_group = {
    .path = "initial.[i]",
    .doc = "`initial` lists the starting state of dyads; unlisted dyads start at x = 0.",
    .keys = initial_keys,
    .nkeys = NKEYS(initial_keys),
};

/* ------------------------------------------------------------------ */
/* events                                                             */
/* ------------------------------------------------------------------ */


#define T_AT BIT(TIMING_AT)
#define T_EVERY BIT(TIMING_EVERY)
#define T_RATE BIT(TIMING_POISSON)
#define T_SERIES BIT(TIMING_SERIES)

static const setting_def event_keys[EVK_COUNT] = {
    [EVK_TYPE] = {.name = "type", .type = ST_STRING, .flags = SF_REQUIRED, .doc = "the event type (table below)"},
    [EVK_ID] = {BIND_TEXT(spec_event, id), .name = "id", .type = ST_STRING, .flags = SF_NO_DEFAULT, .pattern = PAT_ID,
     .doc = "a name for the event, unique among the events (for counterfactuals to refer to it)"},
    [EVK_AT] = {BIND_DOUBLE(spec_event, at), .name = "at", .type = ST_DATE, .flags = SF_NO_DEFAULT, .timings = T_AT,
     .doc = "timing: once, at this year"},
    [EVK_EVERY] = {.name = "every", .type = ST_PARAM, .flags = SF_NO_DEFAULT | SF_LO_OPEN, .lo = 0.0,
     .hi = INFINITY, .timings = T_EVERY,
     .doc = "timing: every so many years from `from` until `until` (parameter `events.[i].every`)"},
    [EVK_RATE] = {.name = "rate", .type = ST_PARAM, .flags = SF_NO_DEFAULT, .lo = 0.0, .hi = INFINITY,
     .timings = T_RATE,
     .doc = "timing: Poisson process, events per year in [from, until) (parameter `events.[i].rate`)"},
    [EVK_SERIES] = {.name = "series", .type = ST_STRING, .flags = SF_NO_DEFAULT, .timings = T_SERIES,
     .doc = "timing: once at each year of this series in [from, until), magnitude per unit of its value"},
    [EVK_FROM] = {BIND_DOUBLE(spec_event, from), .name = "from", .type = ST_DATE, .dyn = DD_START, .timings = T_EVERY | T_RATE | T_SERIES,
     .doc = "first year of a recurring event"},
    [EVK_UNTIL] = {BIND_DOUBLE(spec_event, until), .name = "until", .type = ST_DATE, .dyn = DD_HORIZON, .timings = T_EVERY | T_RATE | T_SERIES,
     .doc = "end of a recurring event, after `from`"},
    [EVK_JITTER] = {BIND_DOUBLE(spec_event, jitter_years), .name = "jitter", .type = ST_FLOAT, .lo = 0.0, .hi = 100.0, .def = 0.0, .timings = T_EVERY,
     .doc = "each occurrence of an `every` event moves by its own U(-jitter, jitter) years "
            "around its schedule from + k * every; below every / 2. An occurrence moved before "
            "the start is skipped, and one moved beyond the horizon ends the event"},
    [EVK_ACTORS] = {.name = "actors", .type = ST_STRINGS, .flags = SF_REQUIRED,
     .doc = "actor ids, no duplicates; how many and what order means: table below"},
    [EVK_MAGNITUDE] = {.name = "magnitude", .type = ST_PARAM, .lo = -5.0, .hi = 5.0, .dyn = DD_KIND,
     .doc = "size of the effect (parameter `events.[i].magnitude`); range and default per type "
            "(table below), and >= 0 for `every` and `rate` timings; a drawn magnitude is clamped "
            "to the range"},
    [EVK_DURATION] = {.name = "duration", .type = ST_PARAM, .lo = 0.0, .hi = INFINITY, .def = 0.0,
     .variants = BIT(EV_SANCTIONS) | BIT(EV_ARMS_SALES) | BIT(EV_REVERSAL),
     .doc = "years the pressure lasts, 0 = until the horizon (arms sales: 1 year) "
            "(parameter `events.[i].duration`)"},
    [EVK_COMMITMENTS] = {BIND_COMMITMENTS(spec_event, commitments), .name = "commitments", .type = ST_STRINGS, .flags = SF_REQUIRED, .pattern = PAT_COMMITMENT,
     .variants = BIT(EV_TREATY), .doc = "commitments offered, at least one"},
    [EVK_EXPIRES] = {BIND_DOUBLE(spec_event, expires), .name = "expires", .type = ST_FLOAT, .flags = SF_NO_DEFAULT, .lo = -INFINITY, .hi = INFINITY,
     .variants = BIT(EV_TREATY), .timings = T_AT,
     .doc = "year the commitments lapse unless renewed, after `at` (may lie beyond the horizon); "
            "absent: never"},
    [EVK_TERM_YEARS] = {BIND_DOUBLE(spec_event, term_years), .name = "term_years", .type = ST_FLOAT, .lo = 0.0, .hi = INFINITY, .def = 0.0,
     .variants = BIT(EV_TREATY), .timings = T_AT,
     .doc = "after `expires`, the pairs that renewed face renewal again every so many years "
            "(the Collective Security Treaty's five-year terms); 0: one term only"},
    [EVK_IDEOLOGY] = {BIND_DOUBLE(spec_event, ideology), .name = "ideology", .type = ST_FLOAT, .flags = SF_REQUIRED, .lo = -1.0, .hi = 1.0,
     .variants = BIT(EV_REGIME_CHANGE), .doc = "the actor's new ideological position"},
    [EVK_ACTIVE] = {BIND_INT(spec_event, active), .name = "active", .type = ST_BOOL, .def = 1.0, .variants = BIT(EV_DOCTRINE),
     .doc = "true switches the actor's doctrine cost on, false off"},
    [EVK_NOTE] = {BIND_TEXT(spec_event, note), .name = "note", .type = ST_STRING, .def_str = "",
     .doc = "free text, shown in events.tsv"},
};

static const setting_group event_group = {
    .path = "events.[i]",
    .doc = "`events` is a list of pressures and opportunities. Each has exactly one timing: "
           "`at`, `every`, `rate` or `series`. Dates lie within [start, horizon] and "
           "`from` < `until`.",
    .keys = event_keys,
    .nkeys = NKEYS(event_keys),
    .variant_key = "type",
    .variants = spec_event_kind_names,
    .nvariants = EV_KIND_COUNT,
    .variant_noun = "events",
};

/* Magnitudes are in units of x (jumps, pressures, the inputs B, D, G, E,
 * Z) except the force reduction's, a fraction of the border militarisation
 * removed.  Clashes, crises, proposals and disputes only ever push one way
 * (B, D and G stay >= 0); pressures may be negative (an easing: see
 * docs/MODEL.md 3.2 for how hostility treats them). */
#define M_LO (-5.0)
#define M_HI 5.0
static const event_rule event_rules[EV_KIND_COUNT] = {
    [EV_SUMMIT] = {2, INT_MAX, 0.0, M_LO, M_HI, 1, "2 or more; every pair decides"},
    [EV_TREATY] = {2, INT_MAX, 0.05, M_LO, M_HI, 0,
                   "2 or more; every pair is offered the commitments"},
    [EV_SANCTIONS] = {2, INT_MAX, 0.3, M_LO, M_HI, 0, "2 or more; the first sanctions the others"},
    [EV_ARMS_SALES] = {2, INT_MAX, 0.0005, M_LO, M_HI, 0,
                       "2 or more; the first arms a stake hostile to the others (magnitude per unit of the series)"},
    [EV_FORCE_REDUCTION] = {2, INT_MAX, 0.3, 0.0, 1.0, 0,
                            "2 or more; every pair's border falls by this fraction"},
    [EV_CLASH] = {2, 2, 0.3, 0.0, M_HI, 0, "exactly 2"},
    [EV_CRISIS] = {2, 2, 0.2, 0.0, M_HI, 0, "exactly 2"},
    [EV_UNEQUAL_PROPOSAL] = {2, INT_MAX, 0.3, 0.0, M_HI, 0,
                             "2 or more; the first proposes to the others"},
    [EV_IDEOLOGY_DISPUTE] = {2, 2, 0.3, 0.0, M_HI, 0, "exactly 2"},
    [EV_REGIME_CHANGE] = {1, 1, 0.0, M_LO, M_HI, 0, "exactly 1; needs `ideology`"},
    [EV_ORGANISATION] = {2, INT_MAX, 0.1, M_LO, M_HI, 0, "2 or more; the members"},
    [EV_DOCTRINE] = {1, 1, 0.0, M_LO, M_HI, 0, "exactly 1; magnitude unused"},
    [EV_REVERSAL] = {2, INT_MAX, 1.0, M_LO, M_HI, 0, "2 or more; the first confronts the others"},
    [EV_OPENING] = {2, 2, 0.2, M_LO, M_HI, 0, "exactly 2"},
    [EV_ECONOMY] = {2, INT_MAX, 0.1, M_LO, M_HI, 0, "2 or more; every pair"},
    [EV_BASING] = {2, 2, 0.1, 0.0, 1.0, 0, "exactly 2: the power asking for a base, then the host"},
    [EV_TRADE] = {2, INT_MAX, 1.0, 0.0, M_HI, 0,
                  "2 or more; the first and each other: their trade tie becomes the magnitude "
                  "(times the series value for a series event)"},
};


/* ------------------------------------------------------------------ */
/* targets                                                            */
/* ------------------------------------------------------------------ */

/* The variants of a target are the spec_target_kind values. */
enum {
    TV_LABEL = BIT(TARGET_UP) | BIT(TARGET_DOWN) | BIT(TARGET_STAYS_BELOW),
    TV_COMMIT = BIT(TARGET_COMMIT_START) | BIT(TARGET_COMMIT_END)
};

static const setting_def target_keys[TGT_COUNT] = {
    [TGT_DYAD] = {.name = "dyad", .type = ST_STRING, .flags = SF_REQUIRED, .doc = "\"a-b\": two distinct actor ids"},
    [TGT_YEAR] = {BIND_DOUBLE(spec_target, year), .name = "year", .type = ST_DATE, .flags = SF_REQUIRED, .doc = "historical date"},
    [TGT_KIND] = {.name = "kind", .type = ST_STRING, .flags = SF_REQUIRED,
     .doc = "\"up\" (label first >= `label`), \"down\" (first <= `label`), \"stays_below\" "
            "(< `label` throughout [after, year]), \"start\" / \"end\" (`commitment` first in / out of force)"},
    [TGT_LABEL] = {BIND_INT(spec_target, label), .name = "label", .type = ST_INT, .flags = SF_REQUIRED, .lo = -1000.0, .hi = 1000.0,
     .variants = TV_LABEL, .doc = "a label of the ladder"},
    [TGT_COMMITMENT] = {.name = "commitment", .type = ST_STRING, .flags = SF_REQUIRED, .pattern = PAT_COMMITMENT,
     .variants = TV_COMMIT, .doc = "one commitment name"},
    [TGT_AFTER] = {BIND_DOUBLE(spec_target, after), .name = "after", .type = ST_DATE, .dyn = DD_START, .doc = "search from this date, <= `year`"},
    [TGT_NOTE] = {BIND_TEXT(spec_target, note), .name = "note", .type = ST_STRING, .def_str = "", .doc = "free text"},
};

static const setting_group target_group = {
    .path = "targets.[i]",
    .doc = "`targets` are calibration targets: data for scoring, never inputs to the dynamics.",
    .keys = target_keys,
    .nkeys = NKEYS(target_keys),
    .variant_key = "kind",
    .variants = spec_target_kind_names,
    .nvariants = TARGET_COUNT,
    .variant_noun = "targets",
};

/* ------------------------------------------------------------------ */
/* outcome                                                            */
/* ------------------------------------------------------------------ */

static const setting_def outcome_keys[OUT_COUNT] = {
    [OUT_DYAD] = {.name = "dyad", .type = ST_STRING, .dyn = DD_FIRST_DYAD,
     .doc = "the dyad whose alliance batches and the claim track"},
    [OUT_ALLIANCE_AFTER] = {BIND_DOUBLE(model_spec, alliance_after), .name = "alliance_after", .type = ST_DATE, .dyn = DD_START,
     .doc = "alliances count from this date"},
};

static const setting_group outcome_group = {
    .path = "outcome",
    .doc = "`outcome` names the dyad whose alliance is the result of a replication.",
    .keys = outcome_keys,
    .nkeys = NKEYS(outcome_keys),
};

/* ------------------------------------------------------------------ */
/* scenario variants                                                  */
/* ------------------------------------------------------------------ */

static const setting_def scale_keys[SCALE_COUNT] = {
    [SCALE_ID] = {.name = "id", .type = ST_STRING, .flags = SF_REQUIRED, .pattern = PAT_ID,
     .maxlen = SPEC_ID_LEN - 1, .doc = "the `id` of an event of the merged scenario"},
    [SCALE_FACTOR] = {.name = "factor", .type = ST_FLOAT, .flags = SF_REQUIRED, .lo = 0.0, .hi = 100.0,
     .doc = "the event's magnitude is multiplied by this"},
};

static const setting_group scale_group = {
    .path = "scale_events.[i]",
    .doc = "`scale_events` (in a file with a `base`) multiplies the magnitude of events; "
           "`scaled_events` in a resolved scenario records the same entries. An event "
           "without `magnitude` is scaled from its type's default (a summit's comes from "
           "`model.summit_warmth`: give it a magnitude to scale it). A distribution is "
           "scaled as the variable it draws: uniform `min`, `max`; normal `mean`, `sd`; "
           "beta `min`, `max` (which must then be written); lognormal `mu` += log(factor); "
           "any distribution times 0 is the number 0.",
    .keys = scale_keys,
    .nkeys = NKEYS(scale_keys),
};

/* ------------------------------------------------------------------ */
/* claim                                                              */
/* ------------------------------------------------------------------ */

static const setting_def claim_keys[CLK_COUNT] = {
    [CLK_THIRD_POWER] = {.name = "third_power", .type = ST_STRING, .flags = SF_NO_DEFAULT, .pattern = PAT_ID,
     .maxlen = SPEC_ID_LEN - 1,
     .doc = "actor id of the power whose confrontation with the targets is the fundamental "
            "reversal; `alignsim claim` needs it"},
    [CLK_TARGETS] = {.name = "targets", .type = ST_STRINGS, .dyn = DD_OUTCOME_ACTORS, .pattern = PAT_ID,
     .lo = 1, .hi = SPEC_MAX_CLAIM_TARGETS,
     .doc = "actor ids it confronts: 1 to 64 distinct actors, not the third power"},
    [CLK_AT] = {BIND_DOUBLE(spec_claim, at), .name = "at", .type = ST_DATE, .dyn = DD_CLAIM_AT, .doc = "year the scheduled reversal begins"},
    [CLK_DURATION] = {BIND_DOUBLE(spec_claim, duration_years), .name = "duration", .type = ST_FLOAT, .lo = 0.0, .hi = INFINITY, .def = 6.0,
     .doc = "years the reversal lasts, 0 = until the horizon"},
    [CLK_STRENGTH] = {BIND_DOUBLE(spec_claim, strength), .name = "strength", .type = ST_FLOAT, .flags = SF_LO_OPEN, .lo = 0.0, .hi = 5.0, .def = 3.0,
     .doc = "magnitude of the reversal event of the condition \"reversal\""},
    [CLK_STRENGTHS] = {.name = "strengths", .type = ST_NUMBERS, .flags = SF_LO_OPEN, .lo = 0.0, .hi = 5.0,
     .def_str = "[0.5, 1.0, ..., 5.0]",
     .doc = "magnitudes of the strength curve: 1 to 64, strictly increasing"},
    [CLK_WINDOW_YEARS] = {BIND_DOUBLE(spec_claim, window_years), .name = "window_years", .type = ST_FLOAT, .flags = SF_LO_OPEN, .lo = 0.0, .hi = INFINITY,
     .def = 5.0, .doc = "an alliance counts as following the reversal within this many years of its onset"},
    [CLK_BOUND_NO_REVERSAL] = {BIND_DOUBLE(spec_claim, bound_no_reversal), .name = "bound_no_reversal", .type = ST_FLOAT, .flags = SF_LO_OPEN, .lo = 0.0, .hi = 1.0,
     .def = 0.05, .doc = "the claim: without a reversal, P(alliance by the horizon) is below this"},
    [CLK_BOUND_REVERSAL] = {BIND_DOUBLE(spec_claim, bound_reversal), .name = "bound_reversal", .type = ST_FLOAT, .flags = SF_HI_OPEN, .lo = 0.0, .hi = 1.0,
     .def = 0.5, .doc = "the claim: with a reversal, P(alliance within window_years of its onset) is above this"},
    [CLK_CONFIDENCE] = {BIND_DOUBLE(spec_claim, confidence), .name = "confidence", .type = ST_FLOAT, .flags = SF_LO_OPEN | SF_HI_OPEN, .lo = 0.0, .hi = 1.0,
     .def = 0.95, .doc = "level of the exact (Clopper-Pearson) intervals that decide each condition"},
};

static const setting_group claim_group = {
    .path = "claim",
    .doc = "`claim` sets up `alignsim claim`, the test of the claim that the outcome dyad "
           "stays below alliance absent a fundamental reversal (docs/MODEL.md). Its conditions "
           "run the scenario as it is and with one added `reversal` event in which "
           "`third_power` confronts `targets` from `at` for `duration` years, at `strength` and "
           "at each of `strengths`. The group is optional and only the claim command reads it; "
           "the resolved scenario writes it with every default filled in.",
    .keys = claim_keys,
    .nkeys = NKEYS(claim_keys),
};

/* ------------------------------------------------------------------ */
/* posterior                                                          */
/* ------------------------------------------------------------------ */

static const setting_def posterior_keys[POST_COUNT] = {
    [POST_TABLE] = {.name = "table", .type = ST_STRING, .flags = SF_NO_DEFAULT,
     .doc = "TSV file, relative to the folder of the file in which this setting appears: `#` "
            "lines, then the header `particle weight PATH...`, then one row per particle (a "
            "whole number, strictly increasing; a weight >= 0, the weights summing to 1; "
            "one value per parameter path). Not with `columns`/`rows`"},
    [POST_SOURCE] = {.name = "source", .type = ST_STRING, .def_str = "", .doc = "where the table came from"},
    [POST_COLUMNS] = {.name = "columns", .type = ST_STRINGS, .flags = SF_NO_DEFAULT,
     .doc = "inline form: [\"particle\", \"weight\", PATH, ...] (with `rows`, not with `table`)"},
    [POST_ROWS] = {.name = "rows", .type = ST_ROWS, .flags = SF_NO_DEFAULT,
     .doc = "inline form: one list per particle, `(0, 0.25, 1.5)`, as many cells as columns"},
};

static const setting_group posterior_group = {
    .path = "posterior",
    .doc = "`posterior` makes every replication draw its parameters from a weighted table of "
           "particles (usually `alignsim infer`'s posterior.tsv; `--posterior DIR` adds "
           "`table = \"DIR/posterior.tsv\"`): each replication draws one particle with "
           "probability equal to its weight, from a random substream of its own, and sets "
           "every parameter of the table from it, overriding that parameter's value or "
           "distribution. A path must name a parameter that can be set per replication (not an "
           "event magnitude drawn at each occurrence); values must lie in its range. "
           "replications.tsv records the particle and the values. The resolved scenario writes "
           "the table inline (`columns` and `rows`), so a result folder is self-contained; the "
           "folder also keeps a copy as posterior.tsv.",
    .keys = posterior_keys,
    .nkeys = NKEYS(posterior_keys),
};

/* ------------------------------------------------------------------ */
/* calibrate                                                          */
/* ------------------------------------------------------------------ */

static const setting_def free_keys[FREE_COUNT] = {
    [FREE_PATH] = {.name = "path", .type = ST_STRING, .flags = SF_REQUIRED, .maxlen = SPEC_PATH_LEN - 1,
     .doc = "parameter path of a number of the scenario (`model.w_threat`, "
            "`actors.china.doctrine_cost`, `events.[3].magnitude`)"},
    [FREE_MIN] = {BIND_DOUBLE(spec_free_param, min), .name = "min", .type = ST_FLOAT, .flags = SF_REQUIRED, .lo = -INFINITY, .hi = INFINITY,
     .doc = "lower end of the search range, within the parameter's range"},
    [FREE_MAX] = {BIND_DOUBLE(spec_free_param, max), .name = "max", .type = ST_FLOAT, .flags = SF_REQUIRED, .lo = -INFINITY, .hi = INFINITY,
     .doc = "upper end of the search range, > min, within the parameter's range"},
};

static const setting_group free_group = {
    .path = "calibrate.free.[i]",
    .doc = "A free parameter of the calibration and its search range.",
    .keys = free_keys,
    .nkeys = NKEYS(free_keys),
};

static const setting_def order_keys[ORDER_COUNT] = {
    [ORDER_FIRST] = {BIND_SIZE(spec_order, first), .name = "first", .type = ST_INT, .flags = SF_REQUIRED, .lo = 0, .hi = 100000,
     .doc = "index i of the target `targets.[i]` that must be met first"},
    [ORDER_SECOND] = {BIND_SIZE(spec_order, second), .name = "second", .type = ST_INT, .flags = SF_REQUIRED, .lo = 0, .hi = 100000,
     .doc = "index of the target that must be met no earlier"},
};

static const setting_group order_group = {
    .path = "calibrate.orders.[i]",
    .doc = "An order target: two dated targets that must be met in this order "
           "(\"strategic partnership before the treaty\").",
    .keys = order_keys,
    .nkeys = NKEYS(order_keys),
};

static const setting_def calibrate_keys[CAL_COUNT] = {
    [CAL_FREE] = {.name = "free", .type = ST_LIST, .flags = SF_REQUIRED, .lo = 1, .hi = SPEC_MAX_FREE,
     .group = &free_group, .doc = "the free parameters, 1 to 16, each at most once"},
    [CAL_ORDERS] = {.name = "orders", .type = ST_LIST, .flags = SF_NO_DEFAULT, .lo = 0, .hi = SPEC_MAX_ORDERS,
     .group = &order_group, .doc = "order targets, 0 to 16"},
    [CAL_REPS] = {BIND_UNSIGNED(spec_calibrate, reps), .name = "reps", .type = ST_INT, .lo = 1, .hi = 100000, .def = 64,
     .doc = "replications per loss evaluation (the same seeds at every evaluation); -n overrides"},
    [CAL_STARTS] = {BIND_UNSIGNED(spec_calibrate, starts), .name = "starts", .type = ST_INT, .lo = 1, .hi = 1000, .def = 8,
     .doc = "Nelder-Mead starts: the scenario's own values, then points of a Sobol design over "
            "the ranges (and a final polish from the best point)"},
    [CAL_MAX_ITERATIONS] = {BIND_UNSIGNED(spec_calibrate, max_iterations), .name = "max_iterations", .type = ST_INT, .lo = 1, .hi = 1000000, .def = 400,
     .doc = "simplex iterations per start at most"},
    [CAL_FIT_UNTIL] = {BIND_DOUBLE(spec_calibrate, fit_until), .name = "fit_until", .type = ST_DATE, .flags = SF_NO_DEFAULT,
     .doc = "fit window: fit only the targets dated up to this year (default: all); the others "
            "are scored out of the window"},
    [CAL_CAP_YEARS] = {BIND_DOUBLE(spec_calibrate, cap_years), .name = "cap_years", .type = ST_FLOAT, .flags = SF_LO_OPEN, .lo = 0.0, .hi = 1000.0, .def = 8.0,
     .doc = "squared date errors are capped at cap_years^2; a missed target counts that much"},
    [CAL_TOLERANCE] = {BIND_DOUBLE(spec_calibrate, tolerance), .name = "tolerance", .type = ST_FLOAT, .flags = SF_LO_OPEN, .lo = 0.0, .hi = 10.0, .def = 0.01,
     .doc = "a start ends when the simplex size (in logit units) falls below this"},
};

static const setting_group calibrate_group = {
    .path = "calibrate",
    .doc = "`calibrate` sets up `alignsim calibrate`: the free parameters, their search ranges "
           "and the fit's options. The loss is the mean over a fixed set of replications of the "
           "squared date errors of the targets, each capped at `cap_years`^2, plus the order "
           "targets. The group is optional; only the calibrate command reads it, and the "
           "resolved scenario writes it only when present.",
    .keys = calibrate_keys,
    .nkeys = NKEYS(calibrate_keys),
};

/* ------------------------------------------------------------------ */
/* infer                                                              */
/* ------------------------------------------------------------------ */

static const setting_def prior_keys[PRIOR_COUNT] = {
    [PRIOR_PATH] = {.name = "path", .type = ST_STRING, .flags = SF_REQUIRED, .maxlen = SPEC_PATH_LEN - 1,
     .doc = "parameter path of a number of the scenario (`model.gate_security`, "
            "`actors.china.doctrine_cost`), at most once"},
    [PRIOR_VALUE] = {.name = "value", .type = ST_FLOAT, .flags = SF_NO_DEFAULT, .lo = -INFINITY, .hi = INFINITY,
     .doc = "a point mass: the parameter is held at this value (instead of `dist`)"},
    [PRIOR_DIST] = {.name = "dist", .type = ST_STRING, .flags = SF_NO_DEFAULT,
     .doc = "the prior: \"uniform\", \"normal\", \"beta\" or \"lognormal\", with the keys of a "
            "distribution group (DIST), truncated to the parameter's range"},
    [PRIOR_MIN] = {.name = "min", .type = ST_FLOAT, .flags = SF_NO_DEFAULT, .lo = -INFINITY, .hi = INFINITY,
     .variants = DV_UNIFORM | DV_BETA, .doc = "as in DIST"},
    [PRIOR_MAX] = {.name = "max", .type = ST_FLOAT, .flags = SF_NO_DEFAULT, .lo = -INFINITY, .hi = INFINITY,
     .variants = DV_UNIFORM | DV_BETA, .doc = "as in DIST"},
    [PRIOR_MEAN] = {.name = "mean", .type = ST_FLOAT, .flags = SF_NO_DEFAULT, .lo = -INFINITY, .hi = INFINITY,
     .variants = DV_NORMAL, .doc = "as in DIST"},
    [PRIOR_SD] = {.name = "sd", .type = ST_FLOAT, .flags = SF_NO_DEFAULT | SF_LO_OPEN, .lo = 0.0, .hi = INFINITY,
     .variants = DV_NORMAL, .doc = "as in DIST"},
    [PRIOR_A] = {.name = "a", .type = ST_FLOAT, .flags = SF_NO_DEFAULT | SF_LO_OPEN, .lo = 0.0, .hi = INFINITY,
     .variants = DV_BETA, .doc = "as in DIST"},
    [PRIOR_B] = {.name = "b", .type = ST_FLOAT, .flags = SF_NO_DEFAULT | SF_LO_OPEN, .lo = 0.0, .hi = INFINITY,
     .variants = DV_BETA, .doc = "as in DIST"},
    [PRIOR_MU] = {.name = "mu", .type = ST_FLOAT, .flags = SF_NO_DEFAULT, .lo = -INFINITY, .hi = INFINITY,
     .variants = DV_LOGNORMAL, .doc = "as in DIST"},
    [PRIOR_SIGMA] = {.name = "sigma", .type = ST_FLOAT, .flags = SF_NO_DEFAULT | SF_LO_OPEN, .lo = 0.0, .hi = INFINITY,
     .variants = DV_LOGNORMAL, .doc = "as in DIST"},
};

static const setting_group prior_group = {
    .path = "infer.priors.[i]",
    .doc = "The prior of one parameter the inference moves: `path` and either `value` (a point "
           "mass) or `dist` with the keys of that distribution. The prior is the distribution "
           "truncated to the parameter's valid range and renormalised (docs/MODEL.md 3.9), "
           "unlike a drawn setting, whose draws beyond the range are clamped.",
    .keys = prior_keys,
    .nkeys = NKEYS(prior_keys),
    .variant_key = "dist",
    .variants = spec_dist_kind_names + 1,
    .nvariants = DIST_COUNT - 1,
    .variant_noun = "priors",
};

static const setting_def infer_keys[INF_COUNT] = {
    [INF_PRIORS] = {.name = "priors", .type = ST_LIST, .flags = SF_REQUIRED, .lo = 1, .hi = SPEC_MAX_PRIORS,
     .group = &prior_group, .doc = "the priors, 1 to 64 parameters, each at most once"},
    [INF_PARTICLES] = {BIND_SIZE(spec_infer, particles), .name = "particles", .type = ST_INT, .lo = 2, .hi = 10000000,
     .def = 1000, .doc = "N, the particles of each generation"},
    [INF_QUANTILE] = {BIND_DOUBLE(spec_infer, quantile), .name = "quantile", .type = ST_FLOAT, .flags = SF_LO_OPEN,
     .lo = 0.0, .hi = 1.0, .def = 0.5,
     .doc = "each generation's tolerance is this weighted quantile of the previous generation's distances"},
    [INF_KERNEL] = {.name = "kernel", .type = ST_STRING, .def_str = "olcm",
     .doc = "the perturbation kernel: \"olcm\" (optimal local covariance) or \"cov2\" (twice the "
            "weighted covariance)"},
    [INF_MIN_TOLERANCE] = {BIND_DOUBLE(spec_infer, min_tolerance), .name = "min_tolerance", .type = ST_FLOAT,
     .lo = 0.0, .hi = INFINITY, .def = 0.0, .doc = "stop once a generation ran at or below this tolerance"},
    [INF_MIN_ACCEPTANCE] = {BIND_DOUBLE(spec_infer, min_acceptance), .name = "min_acceptance", .type = ST_FLOAT,
     .flags = SF_HI_OPEN, .lo = 0.0, .hi = 1.0, .def = 0.01,
     .doc = "stop when a generation cannot reach this acceptance rate (it is abandoned)"},
    [INF_MAX_SIMULATIONS] = {BIND_U64(spec_infer, max_simulations), .name = "max_simulations", .type = ST_INT64,
     .lo = 0.0, .hi = 9223372036854775807.0, .def = 0.0,
     .doc = "stop when the simulations reach this budget (0: no budget)"},
    [INF_MAX_GENERATIONS] = {BIND_UNSIGNED(spec_infer, max_generations), .name = "max_generations", .type = ST_INT,
     .lo = 1, .hi = 100000, .def = 30, .doc = "stop after this many generations"},
    [INF_MODEL_WEIGHT] = {BIND_DOUBLE(spec_infer, model_weight), .name = "model_weight", .type = ST_FLOAT,
     .flags = SF_LO_OPEN, .lo = 0.0, .hi = INFINITY, .def = 1.0,
     .doc = "prior weight of this scenario when several are compared (model choice)"},
    [INF_SCALE_YEARS] = {BIND_DOUBLE(spec_infer, scale_years), .name = "scale_years", .type = ST_FLOAT,
     .flags = SF_LO_OPEN, .lo = 0.0, .hi = 1000.0, .def = 1.0,
     .doc = "the distance's date scale sigma of every target (years)"},
    [INF_SCALES] = {.name = "scales", .type = ST_NUMBERS, .flags = SF_NO_DEFAULT | SF_LO_OPEN, .lo = 0.0,
     .hi = 1000.0, .doc = "one date scale per target, in the order of `targets` (replaces scale_years)"},
    [INF_CAP_YEARS] = {BIND_DOUBLE(spec_infer, cap_years), .name = "cap_years", .type = ST_FLOAT,
     .flags = SF_LO_OPEN, .lo = 0.0, .hi = 1000.0, .def = 8.0, .doc = "a date error counts at most this many years"},
    [INF_MISS_YEARS] = {BIND_DOUBLE(spec_infer, miss_years), .name = "miss_years", .type = ST_FLOAT,
     .flags = SF_LO_OPEN, .lo = 0.0, .hi = 1000.0, .def = 8.0,
     .doc = "a missed target (a violated stays_below) counts as an error of this many years"},
    [INF_FIT_UNTIL] = {BIND_DOUBLE(spec_infer, fit_until), .name = "fit_until", .type = ST_DATE,
     .flags = SF_NO_DEFAULT,
     .doc = "fit only the targets dated up to this year (default: all); the later ones are "
            "predicted (predictive.tsv); --fit-until overrides"},
};

static const setting_group infer_group = {
    .path = "infer",
    .doc = "`infer` sets up `alignsim infer`, approximate Bayesian computation by sequential Monte "
           "Carlo over the priors given here, with the scenario's `targets` as the data "
           "(docs/MODEL.md 3.9). Every setting of the scenario not given a prior keeps its value "
           "(or its distribution). The group is optional; only the infer command reads it, and "
           "the resolved scenario writes it only when present.",
    .keys = infer_keys,
    .nkeys = NKEYS(infer_keys),
};

/* ------------------------------------------------------------------ */
/* top level                                                          */
/* ------------------------------------------------------------------ */

static const setting_def root_keys[ROOT_COUNT] = {
    [ROOT_NAME] = {BIND_TEXT(model_spec, name), .name = "name", .type = ST_STRING, .flags = SF_REQUIRED, .pattern = PAT_NAME, .doc = "scenario name; results go to out/NAME"},
    [ROOT_DESCRIPTION] = {.name = "description", .type = ST_STRING, .def_str = "", .doc = "free text"},
    [ROOT_START] = {BIND_DOUBLE(model_spec, start), .name = "start", .type = ST_FLOAT, .lo = SPEC_YEAR_MIN, .hi = SPEC_YEAR_MAX, .def = 1949.75,
     .doc = "first instant simulated, a decimal year"},
    [ROOT_HORIZON] = {BIND_DOUBLE(model_spec, horizon), .name = "horizon", .type = ST_FLOAT, .lo = SPEC_YEAR_MIN, .hi = SPEC_YEAR_MAX, .def = 2030.0,
     .doc = "last instant simulated, after `start`"},
    [ROOT_SEED] = {BIND_U64(model_spec, seed), .name = "seed", .type = ST_INT64, .lo = 0.0, .hi = 9223372036854775807.0, .def = 1.0,
     .doc = "master seed; `-s` overrides it. Above 2147483647 write the L suffix (5000000000L)"},
    [ROOT_MAX_EVENTS] = {BIND_U64(model_spec, max_events), .name = "max_events", .type = ST_INT64, .lo = 1000.0, .hi = 1e12, .def = 1000000.0,
     .doc = "most kernel events (scenario events, reviews, data years, samples) one replication may "
            "run; `check` refuses a scenario whose expected count (its timings at their 0.999 "
            "quantile) exceeds it, and a replication that reaches it stops with an error naming "
            "the next event (exit 1). The shipped scenarios need under 1000"},
    [ROOT_MODEL] = {.name = "model", .type = ST_GROUP, .group = &model_group, .doc = "model parameters"},
    [ROOT_DATA] = {.name = "data", .type = ST_MAP, .group = &table_group, .doc = "data tables"},
    [ROOT_ACTORS] = {.name = "actors", .type = ST_MAP, .flags = SF_REQUIRED, .lo = 1, .hi = SPEC_MAX_ACTORS,
     .pattern = PAT_ID, .maxlen = SPEC_ID_LEN - 1, .group = &actor_group, .doc = "the states"},
    [ROOT_LADDER] = {.name = "ladder", .type = ST_LIST, .flags = SF_REQUIRED, .lo = 2, .hi = INFINITY,
     .group = &rung_group, .doc = "the label ladder"},
    [ROOT_INITIAL] = {.name = "initial", .type = ST_LIST, .group = &initial_group, .doc = "initial dyad states"},
    [ROOT_EVENTS] = {.name = "events", .type = ST_LIST, .group = &event_group, .doc = "pressures and opportunities"},
    [ROOT_TARGETS] = {.name = "targets", .type = ST_LIST, .group = &target_group, .doc = "calibration targets"},
    [ROOT_OUTCOME] = {.name = "outcome", .type = ST_GROUP, .group = &outcome_group, .doc = "the tracked dyad"},
    [ROOT_CLAIM] = {.name = "claim", .type = ST_GROUP, .group = &claim_group, .doc = "the claim test's settings"},
    [ROOT_CALIBRATE] = {.name = "calibrate", .type = ST_GROUP, .flags = SF_NO_DEFAULT, .group = &calibrate_group,
     .doc = "the calibration's settings (optional)"},
    [ROOT_INFER] = {.name = "infer", .type = ST_GROUP, .flags = SF_NO_DEFAULT, .group = &infer_group,
     .doc = "the inference's priors and settings (optional)"},
    [ROOT_POSTERIOR] = {.name = "posterior", .type = ST_GROUP, .flags = SF_NO_DEFAULT, .group = &posterior_group,
     .doc = "a weighted table of parameter vectors the replications draw from (optional)"},
    [ROOT_OVERRIDES] = {.name = "overrides", .type = ST_STRINGS, .flags = SF_LOADER,
     .doc = "--set overrides applied so far (written by the loader, kept on reload)"},
    [ROOT_BASE] = {.name = "base", .type = ST_STRING, .flags = SF_NO_DEFAULT | SF_VARIANT,
     .doc = "a base scenario file, relative to the folder of this file: this file's "
            "top-level settings replace the base's (see Scenario variants); needs `name`"},
    [ROOT_REMOVE_EVENTS] = {.name = "remove_events", .type = ST_STRINGS, .flags = SF_NO_DEFAULT | SF_VARIANT,
     .pattern = PAT_ID, .maxlen = SPEC_ID_LEN - 1,
     .doc = "ids of events of the merged scenario to remove (with `base` only)"},
    [ROOT_SCALE_EVENTS] = {.name = "scale_events", .type = ST_LIST, .flags = SF_NO_DEFAULT | SF_VARIANT,
     .group = &scale_group,
     .doc = "events whose magnitude to multiply, after the removals (with `base` only)"},
    [ROOT_DERIVED_FROM] = {.name = "derived_from", .type = ST_STRINGS, .flags = SF_LOADER | SF_NO_DEFAULT,
     .doc = "record of the base files, deepest base first (written by the loader, kept on reload)"},
    [ROOT_REMOVED_EVENTS] = {.name = "removed_events", .type = ST_STRINGS, .flags = SF_LOADER | SF_NO_DEFAULT,
     .pattern = PAT_ID, .maxlen = SPEC_ID_LEN - 1,
     .doc = "record of the events removed, deepest base first (written by the loader, kept on "
            "reload)"},
    [ROOT_SCALED_EVENTS] = {.name = "scaled_events", .type = ST_LIST, .flags = SF_LOADER | SF_NO_DEFAULT,
     .group = &scale_group,
     .doc = "record of the events scaled, deepest base first (written by the loader, kept on "
            "reload)"},
};

static const setting_group root_group = {
    .path = "(top level)",
    .doc = "A scenario is one libconfig file (it may `@include` others), or a variant of "
           "another scenario (`base`; see Scenario variants).",
    .keys = root_keys,
    .nkeys = NKEYS(root_keys),
};

/* ------------------------------------------------------------------ */
/* Sweep files (sim/scenario/sweepfile.c)                             */
/* ------------------------------------------------------------------ */

static const setting_def sweep_param_keys[SWP_COUNT] = {
    [SWP_PATH] = {BIND_TEXT(sweep_param, path), .name = "path", .type = ST_STRING, .flags = SF_REQUIRED,
                  .doc = "parameter path of a number of the scenario"},
    [SWP_VALUES] = {.name = "values", .type = ST_NUMBERS, .flags = SF_NO_DEFAULT, .lo = -INFINITY,
                    .hi = INFINITY,
                    .doc = "grid: the values, a list [0.1, 0.2] or a range \"start:step:end\""},
    [SWP_MIN] = {.name = "min", .type = ST_FLOAT, .flags = SF_NO_DEFAULT, .lo = -INFINITY, .hi = INFINITY,
                 .doc = "lhs, sobol, sensitivity: lower end of the range"},
    [SWP_MAX] = {.name = "max", .type = ST_FLOAT, .flags = SF_NO_DEFAULT, .lo = -INFINITY, .hi = INFINITY,
                 .doc = "lhs, sobol, sensitivity: upper end of the range, > min"},
};

static const setting_group sweep_param_group = {
    .path = "parameters.[i]",
    .doc = "A swept parameter: `values` for a grid, `min` and `max` otherwise.",
    .keys = sweep_param_keys,
    .nkeys = NKEYS(sweep_param_keys),
};

static const setting_def sweep_sens_keys[SWS_COUNT] = {
    [SWS_BASE_SAMPLES] = {BIND_SIZE(sweep_sensitivity, base_samples), .name = "base_samples", .type = ST_INT,
                          .lo = 2, .hi = 1e7, .def = 1024,
                          .doc = "N, the base samples of the Saltelli design"},
    [SWS_REPS] = {BIND_U64(sweep_sensitivity, reps), .name = "reps", .type = ST_INT, .lo = 1, .hi = 1e6, .def = 32,
                  .doc = "replications per model evaluation"},
    [SWS_BOOTSTRAP] = {BIND_SIZE(sweep_sensitivity, bootstrap), .name = "bootstrap", .type = ST_INT, .lo = 10,
                       .hi = 1e6, .def = 1000, .doc = "bootstrap resamples of the base samples"},
    [SWS_CONFIDENCE] = {BIND_DOUBLE(sweep_sensitivity, confidence), .name = "confidence", .type = ST_FLOAT,
                        .flags = SF_LO_OPEN, .lo = 0.5, .hi = 0.9999, .def = 0.95,
                        .doc = "level of the bootstrap intervals"},
};

static const setting_group sweep_sens_group = {
    .path = "sensitivity",
    .doc = "What `alignsim sensitivity` does with the sweep's parameters.",
    .keys = sweep_sens_keys,
    .nkeys = NKEYS(sweep_sens_keys),
};

static const setting_def sweep_keys[SWK_COUNT] = {
    [SWK_NAME] = {BIND_TEXT(sweep_file, name), .name = "name", .type = ST_STRING, .flags = SF_NO_DEFAULT,
                  .pattern = PAT_NAME, .doc = "results go to out/NAME (default: the file name)"},
    [SWK_DESCRIPTION] = {.name = "description", .type = ST_STRING, .def_str = "", .doc = "free text"},
    [SWK_SCENARIO] = {.name = "scenario", .type = ST_STRING, .flags = SF_REQUIRED,
                      .doc = "the scenario file, relative to the folder of the sweep file"},
    [SWK_DESIGN] = {.name = "design", .type = ST_STRING, .def_str = "grid",
                    .doc = "\"grid\", \"lhs\" or \"sobol\""},
    [SWK_POINTS] = {BIND_SIZE(sweep_file, points), .name = "points", .type = ST_INT, .flags = SF_NO_DEFAULT,
                    .lo = 1, .hi = SWEEP_MAX_POINTS, .doc = "lhs, sobol: the number of design points"},
    [SWK_SEED] = {BIND_U64(sweep_file, seed), .name = "seed", .type = ST_INT64, .lo = 0.0,
                  .hi = 9223372036854775807.0, .def = 1,
                  .doc = "seed of the Latin hypercube and the sensitivity bootstrap"},
    [SWK_REPS] = {BIND_U64(sweep_file, reps), .name = "reps", .type = ST_INT, .lo = 1, .hi = 1e9, .def = 100,
                  .doc = "replications per design point (-n overrides)"},
    [SWK_PARAMETERS] = {.name = "parameters", .type = ST_LIST, .flags = SF_REQUIRED, .lo = 1,
                        .hi = SWEEP_MAX_PARAMS, .group = &sweep_param_group, .doc = "the swept parameters"},
    [SWK_SENSITIVITY] = {.name = "sensitivity", .type = ST_GROUP, .group = &sweep_sens_group,
                         .doc = "settings of the sensitivity analysis"},
};

static const setting_group sweep_group = {
    .path = "(sweep file)",
    .doc = "A sweep file names a scenario and the parameters to vary.",
    .keys = sweep_keys,
    .nkeys = NKEYS(sweep_keys),
};

/* ------------------------------------------------------------------ */
/* Queries                                                            */
/* ------------------------------------------------------------------ */

static const setting_group *const all_groups[SG_COUNT] = {
    [SG_ROOT] = &root_group,         [SG_MODEL] = &model_group,
    [SG_DIST] = &dist_group,         [SG_TABLE] = &table_group,
    [SG_ACTOR] = &actor_group,       [SG_RUNG] = &rung_group,
    [SG_INITIAL] = &initial_group,   [SG_EVENT] = &event_group,
    [SG_TARGET] = &target_group,     [SG_OUTCOME] = &outcome_group,
    [SG_CLAIM] = &claim_group,       [SG_CALIBRATE] = &calibrate_group,
    [SG_POSTERIOR] = &posterior_group,
    [SG_FREE] = &free_group,         [SG_ORDER] = &order_group,
    [SG_INFER] = &infer_group,       [SG_PRIOR] = &prior_group,
    [SG_SCALE] = &scale_group,       [SG_SWEEP] = &sweep_group,
    [SG_SWEEP_PARAM] = &sweep_param_group, [SG_SWEEP_SENS] = &sweep_sens_group,
};

const setting_group *settings_group(setting_group_id g)
{
    assert((unsigned)g < SG_COUNT);
    return all_groups[g];
}

const setting_def *settings_key(setting_group_id g, unsigned k)
{
    const setting_group *sg = settings_group(g);
    assert(k < sg->nkeys);
    return &sg->keys[k];
}

const setting_group *settings_root(void)
{
    return &root_group;
}

const setting_group *settings_dist(void)
{
    return &dist_group;
}

const setting_def *settings_find(const setting_group *g, const char *name)
{
    for (size_t i = 0; i < g->nkeys; i++)
        if (strcmp(g->keys[i].name, name) == 0)
            return &g->keys[i];
    return NULL;
}

int settings_valid_for(const setting_def *d, int variant, int timing)
{
    if (d->variants && variant >= 0 && !(d->variants & BIT(variant)))
        return 0;
    if (d->timings && timing >= 0 && !(d->timings & BIT(timing)))
        return 0;
    return 1;
}

int settings_variant(const setting_group *g, const char *name)
{
    for (size_t i = 0; i < g->nvariants; i++)
        if (strcmp(g->variants[i], name) == 0)
            return (int)i;
    return -1;
}

const event_rule *settings_event_rule(spec_event_kind k)
{
    return &event_rules[k];
}

static int is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static int is_alpha(char c)
{
    return is_lower(c) || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int settings_match(name_pattern p, const char *s)
{
    switch (p) {
    case PAT_NONE:
        return 1;
    case PAT_NAME:
        if (!*s)
            return 0;
        for (; *s; s++)
            if (!is_alpha(*s) && !is_digit(*s) && *s != '_' && *s != '-')
                return 0;
        return 1;
    case PAT_ID:
        if (!is_lower(*s))
            return 0;
        for (s++; *s; s++)
            if (!is_lower(*s) && !is_digit(*s) && *s != '_')
                return 0;
        return 1;
    case PAT_TABLE:
        if (!is_alpha(*s))
            return 0;
        for (s++; *s; s++)
            if (!is_alpha(*s) && !is_digit(*s) && *s != '_')
                return 0;
        return 1;
    case PAT_COMMITMENT:
        return spec_commitment_from_name(s) != 0;
    }
    return 0;
}

const char *settings_pattern_doc(name_pattern p)
{
    switch (p) {
    case PAT_NONE:
        return "any string";
    case PAT_NAME:
        return "one or more letters, digits, '_' or '-'";
    case PAT_ID:
        return "a lower-case letter, then lower-case letters, digits or '_'";
    case PAT_TABLE:
        return "a letter, then letters, digits or '_'";
    case PAT_COMMITMENT:
        return "one of nonaggression, consultation, defence";
    }
    return "";
}

/* ------------------------------------------------------------------ */
/* Reference (docs/SCENARIO.md)                                       */
/* ------------------------------------------------------------------ */

const char *settings_type_doc(const setting_def *d)
{
    switch (d->type) {
    case ST_STRING:
        return "string";
    case ST_INT:
        return "integer";
    case ST_INT64:
        return "integer (64-bit)";
    case ST_FLOAT:
        return "number";
    case ST_DATE:
        return "year";
    case ST_BOOL:
        return "boolean";
    case ST_PARAM:
        return "number or distribution";
    case ST_STRINGS:
        return "list of strings";
    case ST_GROUP:
        return "group";
    case ST_MAP:
        return "group of named groups";
    case ST_LIST:
        return "list of groups";
    case ST_SERIES:
        return "series name or list of (year, value)";
    case ST_ROWS:
        return "list of rows";
    case ST_NUMBERS:
        return "list of numbers";
    }
    return "";
}

/* Writes the range column of key d. */
static void ref_range(buf *b, const setting_def *d)
{
    switch (d->type) {
    case ST_INT:
    case ST_INT64:
        buf_printf(b, "[%lld, %lld]", (long long)d->lo,
                  d->hi >= 9223372036854775807.0 ? 9223372036854775807LL : (long long)d->hi);
        return;
    case ST_FLOAT:
    case ST_PARAM:
    case ST_NUMBERS:
        if (isinf(d->lo) && isinf(d->hi)) {
            buf_printf(b, "finite");
            return;
        }
        buf_printf(b, "%s%.15g, %.15g%s", (d->flags & SF_LO_OPEN) || isinf(d->lo) ? "(" : "[",
                   d->lo, d->hi, (d->flags & SF_HI_OPEN) || isinf(d->hi) ? ")" : "]");
        return;
    case ST_DATE:
        buf_printf(b, "[start, horizon]");
        return;
    case ST_MAP:
    case ST_LIST:
        if (d->hi > 0.0 && isinf(d->hi))
            buf_printf(b, "at least %.0f entries", d->lo);
        else if (d->hi > 0.0)
            buf_printf(b, "%.0f to %.0f entries", d->lo, d->hi);
        return;
    case ST_STRING:
    case ST_STRINGS:
        if (d->pattern != PAT_NONE && d->pattern != PAT_COMMITMENT)
            buf_printf(b, "%s", settings_pattern_doc(d->pattern));
        else if (d->pattern == PAT_COMMITMENT)
            buf_printf(b, "commitment names");
        if (d->maxlen)
            buf_printf(b, "%sat most %zu characters", d->pattern ? "; " : "", d->maxlen);
        return;
    case ST_BOOL:
    case ST_GROUP:
    case ST_SERIES:
    case ST_ROWS:
        return;
    }
}

/* Writes the default column of key d. */
static void ref_default(buf *b, const setting_def *d)
{
    static const char *const dyn_doc[] = {
        [DD_NONE] = "", [DD_START] = "start", [DD_HORIZON] = "horizon",
        [DD_ACTOR_ID] = "the id", [DD_FIRST_DYAD] = "first two actors", [DD_KIND] = "per type",
        [DD_CLAIM_AT] = "horizon - 6 (not before start)",
        [DD_OUTCOME_ACTORS] = "the outcome dyad's actors"};
    if (d->flags & SF_REQUIRED) {
        buf_printf(b, "required");
        return;
    }
    if (d->dyn != DD_NONE) {
        buf_printf(b, "%s", dyn_doc[d->dyn]);
        return;
    }
    if (d->flags & SF_NO_DEFAULT) {
        buf_printf(b, "none");
        return;
    }
    if (d->flags & SF_LOADER) {
        buf_printf(b, "[]");
        return;
    }
    switch (d->type) {
    case ST_INT:
    case ST_INT64:
    case ST_FLOAT:
    case ST_PARAM:
    case ST_DATE:
        buf_printf(b, "%.15g", d->def);
        return;
    case ST_BOOL:
        buf_printf(b, "%s", d->def != 0.0 ? "true" : "false");
        return;
    case ST_STRING:
        buf_printf(b, "\"%s\"", d->def_str ? d->def_str : "");
        return;
    case ST_STRINGS:
        buf_printf(b, "[]");
        return;
    case ST_NUMBERS:
        buf_printf(b, "%s", d->def_str ? d->def_str : "[]");
        return;
    case ST_GROUP:
    case ST_MAP:
    case ST_LIST:
        buf_printf(b, "empty");
        return;
    case ST_SERIES:
    case ST_ROWS:
        return;
    }
}

/* Writes the variants key d is restricted to, if any. */
static void ref_only(buf *b, const setting_group *g, const setting_def *d)
{
    if (d->variants && g->variants) {
        buf_printf(b, " Only for");
        int first = 1;
        for (size_t i = 0; i < g->nvariants; i++)
            if (d->variants & BIT(i)) {
                buf_printf(b, "%s %s", first ? "" : ",", g->variants[i]);
                first = 0;
            }
        buf_printf(b, ".");
    }
    if (d->timings) {
        buf_printf(b, " With timing");
        int first = 1;
        for (size_t i = 0; i < TIMING_COUNT; i++)
            if (d->timings & BIT(i)) {
                buf_printf(b, "%s `%s`", first ? "" : ",", spec_timing_names[i]);
                first = 0;
            }
        buf_printf(b, ".");
    }
}

static void ref_group(buf *b, const setting_group *g)
{
    buf_printf(b, "### `%s`\n\n%s\n\n", g->path, g->doc);
    buf_printf(b, "| key | type | range | default | meaning |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < g->nkeys; i++) {
        const setting_def *d = &g->keys[i];
        buf_printf(b, "| `%s` | %s | ", d->name, settings_type_doc(d));
        ref_range(b, d);
        buf_printf(b, " | ");
        ref_default(b, d);
        buf_printf(b, " | %s.", d->doc);
        ref_only(b, g, d);
        buf_printf(b, " |\n");
    }
    buf_printf(b, "\n");
}

char *scenario_reference(void)
{
    buf b = {NULL, 0, 0, 0};
    buf_printf(&b, "<!-- Generated from sim/scenario/settings.c by scenario_reference(); "
                   "tests/test_scenario checks it is in step. -->\n\n");
    const setting_group *groups[] = {&root_group,    &model_group,   &dist_group,
                                     &table_group,   &actor_group,   &rung_group,
                                     &initial_group, &event_group,   &target_group,
                                     &outcome_group, &claim_group, &calibrate_group, &posterior_group,
                                     &free_group,    &order_group, &infer_group,
                                     &prior_group,   &scale_group};
    for (size_t i = 0; i < NKEYS(groups); i++) {
        ref_group(&b, groups[i]);
        if (groups[i] != &event_group)
            continue;
        buf_printf(&b, "#### Event types\n\n| type | actors | default magnitude | magnitude range |\n"
                      "|---|---|---|---|\n");
        for (int k = 0; k < EV_KIND_COUNT; k++) {
            const event_rule *r = &event_rules[k];
            buf_printf(&b, "| `%s` | %s | ", spec_event_kind_names[k], r->actors_doc);
            if (r->magnitude_is_warmth)
                buf_printf(&b, "`model.summit_warmth` (no parameter of its own) | ");
            else
                buf_printf(&b, "%.15g | ", r->magnitude);
            buf_printf(&b, "[%.15g, %.15g] |\n", r->magnitude_lo, r->magnitude_hi);
        }
        buf_printf(&b, "\n");
    }
    return buf_take(&b);
}
