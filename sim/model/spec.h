/*
 * spec - the plain-data description of one scenario, as the model reads it.
 *
 * The scenario loader (sim/scenario/) fills a model_spec from a libconfig file;
 * the model (sim/model/) reads it and never sees libconfig.  Everything here is
 * plain data with no pointers into other objects, so a loaded spec can be
 * handed to any number of threads read-only.
 *
 * Numbers that a user may fix, override with --set, sweep, calibrate or draw
 * per replication are "parameters": they live in one flat array
 * (model_spec.params) and the structures below refer to them by index.  A
 * replication copies the central values into its own vector and replaces the
 * ones declared as distributions with draws, so the model's hot path only
 * reads `double` values from an array.
 *
 * Times are decimal years (1950.12 is mid-February 1950).
 *
 * A spec owns its arrays (params, series, actors, ladder, events and each
 * event's actors, initial, targets, the claim's targets): build it with
 * the model_spec_add_* functions, which copy what they are given, and free
 * it with model_spec_clear().  A spec is not copied by assignment.
 */
#ifndef ALIGNSIM_MODEL_SPEC_H
#define ALIGNSIM_MODEL_SPEC_H

#include <stddef.h>
#include <stdint.h>

/*
 * Sizes.  The world is sized from the scenario: actors, rungs, the actors of
 * an event and the claim's targets are allocated.  The one limit on the
 * world is on the number of actors, where memory (each model holds
 * actors^2 / 2 dyads and a few actors^2 tables) and time (one evaluation of
 * the targets costs actors^3) would otherwise blow up; the loader reports
 * more at the `actors` setting.
 */
#define SPEC_MAX_ACTORS 500     /* actors in one scenario: a limit, see above */
#define SPEC_ID_LEN 32          /* actor ids, series names, event kinds */
#define SPEC_NAME_LEN 80        /* display names, label names */
/* The years a scenario may simulate (its start and horizon): a span of
 * centuries around the present, so that no timing can ask for billions of
 * years of reviews and samples. */
#define SPEC_YEAR_MIN 1000.0
#define SPEC_YEAR_MAX 3000.0

#define SPEC_PATH_LEN 96        /* libconfig paths of parameters */
#define SPEC_NOTE_LEN 120       /* free-text notes on events and targets */
#define SPEC_TEXT_LEN 512       /* the scenario's description (longer text is cut) */

/* Parameter index stored in spec_event.p_every, p_rate and p_duration when
 * the event has no such parameter (not that timing; a type without a
 * duration).  The model must not read those indices then. */
#define SPEC_NO_PARAM SIZE_MAX

/* Distribution of a parameter drawn per replication (or per occurrence). */
typedef enum {
    DIST_FIXED = 0, /* value only */
    DIST_UNIFORM,   /* a = min, b = max */
    DIST_NORMAL,    /* a = mean, b = sd; truncated to [lo, hi] of the setting */
    DIST_BETA,      /* a, b shape; scaled to [min, max] = [c, d] */
    DIST_LOGNORMAL  /* a = mu, b = sigma of the underlying normal */
} spec_dist_kind;
/* How many kinds (outside the enum, so that switches need no case for it). */
enum { DIST_COUNT = DIST_LOGNORMAL + 1 };

typedef struct {
    spec_dist_kind kind;
    double a, b, c, d;
} spec_dist;

/* One numeric parameter. */
typedef struct {
    char path[SPEC_PATH_LEN]; /* libconfig path, e.g. "model.w_threat",
                                 "actors.china.doctrine_cost", "events.[12].magnitude" */
    double value;             /* fixed value, or the distribution's centre */
    double lo, hi;            /* valid range from the settings table */
    spec_dist dist;           /* DIST_FIXED unless drawn */
} spec_param;

/* A piecewise-constant time series (year -> value), e.g. CINC capability or
 * SIPRI arms deliveries.  value[i] holds from year[i] (inclusive) until
 * year[i+1]; before year[0] the series is missing (NaN), after the last year it
 * keeps the last value.  NaN marks a missing value (the actor does not exist). */
typedef struct {
    char name[SPEC_PATH_LEN]; /* "cinc.china" */
    size_t n;
    size_t first;             /* offset into model_spec.series_data (years, then values) */
} spec_series;

/* Model-wide parameters: indices into model_spec.params. */
typedef enum {
    MP_RELAX_RATE = 0,        /* k, per year: speed of x toward its target */
    MP_REVIEW_EVERY,          /* years between periodic re-evaluations of targets */
    MP_W_THREAT,              /* w_T */
    MP_W_IDEOLOGY,            /* w_I */
    MP_W_ECONOMY,             /* w_E */
    MP_W_BORDER,              /* w_B */
    MP_W_AUTONOMY,            /* w_M */
    MP_W_HOSTILITY,           /* w_H: direct hostile pressure inside the dyad */
    MP_W_RECIPROCITY,         /* w_R */
    MP_W_TRIAD,               /* w_3 */
    MP_DISPUTE_WEIGHT,        /* how much bloc rivalry D lowers ideological affinity */
    MP_DISPUTE_DECAY,         /* per year */
    MP_GRIEVANCE_DECAY,       /* per year, unequal-proposal grievance */
    MP_BORDER_DECAY,          /* per year, militarisation drifts down by itself */
    MP_BIAS_DECAY,            /* per year, diplomatic openings fade unless renewed */
    MP_GATE_SECURITY,         /* s */
    MP_GATE_ENTRAPMENT,       /* e */
    MP_DECISION_PRECISION,    /* beta of the logit decision rule, per unit of x */
    MP_HYSTERESIS,            /* h: margin beyond a threshold needed to move */
    MP_SUMMIT_WARMTH,         /* default x jump at a summit */
    MP_REVERSAL_THRESHOLD,    /* T*: exogenous common threat that counts as a reversal */
    MP_REVERSAL_MIN_YEARS,    /* it must hold this long */
    MP_GATE_PROTECTION,       /* s_p: protection the stronger partner gives against threats to the weaker */
    MP_GATE_INFLUENCE,        /* u: influence the stronger partner gains over the weaker */
    MP_COUNT
} spec_model_param;

/* Per-actor parameters: index = actor.param0 + offset. */
typedef enum {
    AP_IDEOLOGY = 0,          /* position in [-1, 1] (1 communist, -1 liberal) */
    AP_AUTONOMY,              /* a_i: sensitivity to unequal terms */
    AP_DOCTRINE_COST,         /* c_i once a doctrine event switches it on */
    AP_COUNT
} spec_actor_param;

typedef struct {
    char id[SPEC_ID_LEN];         /* "china", "russia", ... (setting name) */
    char name[SPEC_NAME_LEN];     /* "China", "USSR/Russia" */
    int capability;               /* index into model_spec.series */
    size_t param0;                /* first of AP_COUNT parameters */
} spec_actor;

typedef struct {
    int label;                    /* ordinal, e.g. -2 .. 7 */
    char name[SPEC_NAME_LEN];
    double x_min;                 /* threshold on x; -INFINITY for the lowest rung */
    unsigned requires;            /* SPEC_C_* commitments needed to hold this rung */
    int gate;                     /* non-zero: the alliance gate must be open for both */
} spec_rung;

/* Treaty commitments (flags). */
enum {
    SPEC_C_NONAGGRESSION = 1u << 0,
    SPEC_C_CONSULTATION = 1u << 1,
    SPEC_C_DEFENCE = 1u << 2,
    SPEC_C_COUNT = 3              /* commitments: flag i is 1u << i */
};

typedef enum {
    EV_SUMMIT = 0,        /* decision event for every pair of actors; x += warmth */
    EV_TREATY,            /* offers commitments; accepted pairs get flags; may expire */
    EV_SANCTIONS,         /* actors[0] sanctions actors[1..]: hostility input while active */
    EV_ARMS_SALES,        /* actors[0] arms a stake hostile to actors[1]: hostility pulses */
    EV_FORCE_REDUCTION,   /* border militarisation of every pair falls by magnitude */
    EV_CLASH,             /* armed clash: x jumps down, border up, crisis decision */
    EV_CRISIS,            /* political rupture: x jumps down, crisis decision */
    EV_UNEQUAL_PROPOSAL,  /* actors[0] proposes unequal terms to actors[1]: grievance */
    EV_IDEOLOGY_DISPUTE,  /* bloc-leadership rivalry between the pair rises */
    EV_REGIME_CHANGE,     /* actors[0] takes a new ideology; its disputes reset */
    EV_ORGANISATION,      /* members gain institutional ties (economy term) */
    EV_DOCTRINE,          /* actors[0]'s doctrine cost switches on (or off) */
    EV_REVERSAL,          /* actors[0] confronts actors[1..]: exogenous hostility */
    EV_OPENING,           /* a diplomatic opening or closing: dyad bias += magnitude */
    EV_ECONOMY,           /* economic complementarity of the pairs += magnitude */
    EV_BASING,            /* actors[0] asks actors[1] (the host) for a base; accepted if x >= 0 */
    EV_TRADE,             /* trade tie of actors[0] with each other actor := magnitude (x series value) */
    EV_KIND_COUNT
} spec_event_kind;

/* How an event recurs. */
typedef enum {
    TIMING_AT = 0,        /* once, at `at` */
    TIMING_EVERY,         /* every `every` years from `from` until `until` */
    TIMING_POISSON,       /* Poisson process with `rate` per year in [from, until) */
    TIMING_SERIES         /* once at each point of a series, magnitude scaled by its value */
} spec_timing;
enum { TIMING_COUNT = TIMING_SERIES + 1 };

typedef struct {
    spec_event_kind kind;
    spec_timing timing;
    double at, from, until;       /* years; until may be the horizon */
    size_t p_every;               /* param index: period in years (TIMING_EVERY) */
    size_t p_rate;                /* param index: per year (TIMING_POISSON) */
    size_t p_magnitude;           /* param index; a DIST_* param is drawn per occurrence */
    size_t p_duration;            /* param index: years active (sanctions, reversal); 0 = until horizon */
    int series;                   /* TIMING_SERIES: index into series, else -1 */
    double jitter_years;          /* TIMING_EVERY: each occurrence moves by U(-j, j) */
    int nactors;
    int *actors;                  /* nactors indices into model_spec.actors, distinct; owned
                                     by the spec (model_spec_add_event copies them) */
    unsigned commitments;         /* EV_TREATY: SPEC_C_* offered */
    double expires;               /* EV_TREATY: year the commitments lapse unless renewed; +inf never */
    double term_years;            /* EV_TREATY: after `expires`, renewed pairs face renewal again every
                                     so many years; 0 = one term only */
    double ideology;              /* EV_REGIME_CHANGE: new position */
    int active;                   /* EV_DOCTRINE: 1 switches on, 0 off */
    char id[SPEC_ID_LEN];         /* the event's `id` in the scenario, "" if none */
    char note[SPEC_NOTE_LEN];
    char file[SPEC_PATH_LEN];     /* file in which it was declared ("--set events.[3]" for
                                     an override), "" if unknown; long names keep their end */
    int line;                     /* line of the declaration in that file, 0 if none */
} spec_event;

/* Initial condition of one dyad. */
typedef struct {
    int a, b;                     /* actor indices, a < b */
    size_t p_x;                   /* param index: x at start */
    double border;                /* border militarisation at start, >= 0 */
    double economy;               /* economic complementarity at start */
    unsigned commitments;         /* commitments in force at start */
} spec_initial;

/* A calibration target: data for scoring, never an input to the dynamics. */
typedef enum {
    TARGET_UP = 0,        /* first time label >= target label, after `after` */
    TARGET_DOWN,          /* first time label <= target label, after `after` */
    TARGET_COMMIT_START,  /* first time the commitment is in force, after `after` */
    TARGET_COMMIT_END,    /* first time the commitment is not in force, after `after` */
    TARGET_STAYS_BELOW    /* label < target label throughout [after, year]; sim_year = first violation */
} spec_target_kind;
enum { TARGET_COUNT = TARGET_STAYS_BELOW + 1 };

typedef struct {
    int a, b;                     /* dyad, a < b */
    spec_target_kind kind;
    double year;                  /* historical date */
    double after;                 /* search from this date */
    int label;                    /* for label targets */
    unsigned commitment;          /* for commitment targets (one SPEC_C_* flag) */
    char note[SPEC_NOTE_LEN];
} spec_target;

/*
 * The claim test (`alignsim claim`, docs/MODEL.md "The claim, made
 * testable"): the reversal its conditions schedule and the bounds the
 * alliance probabilities are tested against.  The loader fills it from the
 * scenario's optional `claim` group (defaults when absent); only the claim
 * command reads it, never the model.
 */
/* Limits of the claim command: each strength is a condition of its own
 * (time), and the targets are written into the override of each
 * condition and the provenance lines. */
#define SPEC_MAX_CLAIM_STRENGTHS 64
#define SPEC_MAX_CLAIM_TARGETS 64
typedef struct {
    int third_power;              /* actor index of the power that confronts the
                                     targets; -1 when the scenario names none */
    int ntargets;                 /* actors it confronts (default: the outcome dyad) */
    int *targets;                 /* ntargets actor indices, owned by the spec */
    double at;                    /* year the reversal begins */
    double duration_years;        /* years it lasts; 0 = until the horizon */
    double strength;              /* magnitude of the reversal of condition "reversal" */
    double strengths[SPEC_MAX_CLAIM_STRENGTHS]; /* the curve's magnitudes, increasing */
    size_t nstrengths;
    double window_years;          /* an alliance counts within this many years of the onset */
    double bound_no_reversal;     /* the claim: P(alliance | no reversal) < this */
    double bound_reversal;        /* the claim: P(alliance within window | reversal) > this */
    double confidence;            /* level of the exact intervals, in (0, 1) */
} spec_claim;

/*
 * Calibration (`alignsim calibrate`, sim/study/calibrate.h): the free
 * parameters with their search ranges, order targets and the fit's
 * settings.  The loader fills it from the scenario's optional `calibrate`
 * group (present = 0 when absent); only the calibrate command reads it.
 */
/* Limits of the calibrate command: the simplex search slows and loses its
 * way in more dimensions (time). */
#define SPEC_MAX_FREE 16
#define SPEC_MAX_ORDERS 16
typedef struct {
    size_t param;                 /* index into model_spec.params */
    double min, max;              /* search range, min < max, within the parameter's range */
} spec_free_param;

typedef struct {
    size_t first, second;         /* target indices: first must be met no later than second */
} spec_order;

typedef struct {
    int present;                  /* the scenario has a `calibrate` group */
    spec_free_param free[SPEC_MAX_FREE];
    size_t nfree;
    spec_order orders[SPEC_MAX_ORDERS];
    size_t norders;
    unsigned reps;                /* replications per loss evaluation (common random numbers) */
    unsigned starts;              /* Nelder-Mead starts from a Sobol design */
    unsigned max_iterations;      /* per start */
    double fit_until;             /* fit only targets dated <= this; +inf: all */
    double cap_years;             /* squared date errors are capped at cap_years^2 */
    double tolerance;             /* simplex size (logit space) at which a start ends */
} spec_calibrate;

/*
 * Inference (`alignsim infer`, sim/study/infer.h): the priors of the
 * parameters the sampler moves, the ABC-SMC settings and the distance's
 * settings (docs/MODEL.md 3.9).  The loader fills it from the scenario's
 * optional `infer` group (present = 0 when absent; sim/scenario/infer.c);
 * only the infer command reads it.
 */
/* Parameters one inference moves at most: the perturbation kernel's work
 * vectors live on the stack (study/abc_kernel.h ABC_KERNEL_MAX_DIM). */
#define SPEC_MAX_PRIORS 64
typedef struct {
    size_t param;                 /* index into model_spec.params */
    spec_dist dist;               /* DIST_FIXED: a point mass at value */
    double value;                 /* the fixed value, or the distribution's mean */
} spec_prior;

typedef enum { SPEC_KERNEL_OLCM = 0, SPEC_KERNEL_COV2 = 1 } spec_kernel;

typedef struct {
    int present;                  /* the scenario has an `infer` group */
    spec_prior priors[SPEC_MAX_PRIORS];
    size_t npriors;
    size_t particles;             /* N per generation */
    double quantile;              /* adaptive tolerance: this quantile of the last distances */
    int kernel;                   /* spec_kernel */
    double min_tolerance;         /* stop once a generation ran at or below it */
    double min_acceptance;        /* abandon a generation below this acceptance rate */
    uint64_t max_simulations;     /* budget over all generations; 0: none */
    unsigned max_generations;
    double model_weight;          /* prior weight of this scenario in a model choice */
    double scale_years;           /* the distance's date scale of every target ... */
    double *scales;               /* ... or one per target (ntargets values; NULL: none; owned) */
    double cap_years;             /* date errors count at most this */
    double miss_years;            /* a missed target counts this */
    double fit_until;             /* fit only targets dated <= this; +inf: all */
} spec_infer;

/*
 * The posterior (docs/MODEL.md 3.5, "The claim under the posterior"): a
 * weighted table of parameter vectors, usually written by `alignsim infer`.
 * Each replication draws ONE row with probability equal to its weight (from
 * its own random substream, id 5) and sets every parameter of the table
 * from it, after the scenario's own draws, so a table parameter's
 * distribution is overridden.  The loader fills it from the scenario's
 * optional `posterior` group (n = 0 when absent) and has checked it:
 * n >= 1, ncols >= 1, ids strictly increasing and >= 0, weights finite and
 * >= 0 with sum 1 (to 1e-6), values within their parameters' ranges, no
 * parameter twice, none an event magnitude drawn per occurrence.
 */
typedef struct {
    size_t n;                     /* particles (rows); 0: the scenario has none */
    size_t ncols;                 /* parameters the table sets */
    size_t *param;                /* [ncols] indices into model_spec.params */
    int64_t *id;                  /* [n] the table's `particle` column */
    double *weight;               /* [n] as given */
    double *cum;                  /* [n] running sums of weight; cum[n-1] is the total */
    double *value;                /* [n * ncols] row-major: value[r * ncols + c] */
    char source[SPEC_TEXT_LEN];   /* where the table came from (provenance only) */
} spec_posterior;

/* The whole scenario.  Arrays are owned by the spec (see model_spec_free). */
typedef struct {
    char name[SPEC_NAME_LEN];
    char description[SPEC_TEXT_LEN]; /* free text, shown by `alignsim report`; never read by the model */
    double start, horizon;        /* years */
    uint64_t seed;                /* master seed */
    uint64_t max_events;          /* kernel events one replication may dispatch
                                     (0: no limit); model_run stops with
                                     AS_ELIMIT beyond it */

    spec_param *params;  size_t nparams;
    double *series_data; size_t nseries_data;
    spec_series *series; size_t nseries;
    spec_actor *actors; int nactors;
    spec_rung *ladder; int nrungs;  /* ascending labels; at least 2 to run */
    spec_event *events; size_t nevents;
    spec_initial *initial; size_t ninitial;
    spec_target *targets; size_t ntargets;

    /* outcome: the dyad whose alliance the batch and the claim track */
    int outcome_a, outcome_b;
    double alliance_after;        /* alliance_year counts alliances from this date */

    spec_claim claim;             /* the claim test's settings */
    spec_calibrate calibrate;     /* the calibration's settings */
    spec_infer infer;             /* the inference's settings */
    spec_posterior posterior;     /* the posterior the replications draw from (n = 0: none) */
} model_spec;

/* Initialises an empty spec (no allocation). */
void model_spec_init(model_spec *s);

/* Frees the arrays of a spec and empties it; safe on an initialised or
 * already-cleared spec. */
void model_spec_clear(model_spec *s);

/*
 * Appends a parameter with its path, central value and valid range (fixed,
 * no distribution) and returns its index in *index.  Returns 0, or -1 when
 * memory runs out (the spec is unchanged).
 */
int model_spec_add_param(model_spec *s, const char *path, double value,
                         double lo, double hi, size_t *index);

/* Index of the parameter with this exact path, or -1 if none. */
long model_spec_find_param(const model_spec *s, const char *path);

/*
 * Appends a series of n (year, value) points, years strictly increasing,
 * copied from the arrays given; returns its index in *index.  Returns 0, or
 * -1 when memory runs out.
 */
int model_spec_add_series(model_spec *s, const char *name, const double *years,
                          const double *values, size_t n, size_t *index);

/* Index of the series with this name, or -1. */
int model_spec_find_series(const model_spec *s, const char *name);

/* Value of series i at time t (piecewise constant, see spec_series); NaN
 * before the first point or where the data are missing. */
double model_spec_series_at(const model_spec *s, int i, double t);

/* Appends an actor / a rung (copied); 0 or -1 on no memory (the spec is
 * unchanged). */
int model_spec_add_actor(model_spec *s, const spec_actor *a);
int model_spec_add_rung(model_spec *s, const spec_rung *r);

/* Appends an event (copied, with a copy of its e->nactors actors) / initial
 * condition / target; 0 or -1 on no memory (the spec is unchanged). */
int model_spec_add_event(model_spec *s, const spec_event *e);
int model_spec_add_initial(model_spec *s, const spec_initial *in);
int model_spec_add_target(model_spec *s, const spec_target *t);

/* Appends actor a to the claim's targets; 0 or -1 on no memory. */
int model_spec_add_claim_target(model_spec *s, int a);

/*
 * Gives the spec a posterior of n rows over ncols parameters, copying the
 * arrays (param[ncols], id[n], weight[n], value[n * ncols] row-major) and
 * source (cut to fit); a posterior it had is replaced.  The caller has
 * validated them (see spec_posterior).  Returns 0, or -1 when memory runs
 * out or n or ncols is 0 (the spec is then unchanged).
 */
int model_spec_set_posterior(model_spec *s, size_t n, size_t ncols, const size_t *param, const int64_t *id,
                             const double *weight, const double *value, const char *source);

/*
 * Row of the posterior drawn by a uniform u in [0, 1): the first row r with
 * cum[r] > u * total, so that row r comes with probability weight[r] /
 * total and a row of weight 0 never.  p->n must be >= 1.
 */
size_t spec_posterior_pick(const spec_posterior *p, double u);

/* Row of the particle with this id (binary search), or -1 when none. */
long spec_posterior_row(const spec_posterior *p, int64_t id);

/* Non-zero when parameter i is set by the posterior's table. */
int model_spec_param_in_posterior(const model_spec *s, size_t i);

/* Index of the actor with this id, or -1. */
int model_spec_find_actor(const model_spec *s, const char *id);

/* Number of dyads among n actors. */
static inline size_t spec_ndyads(int nactors)
{
    return (size_t)nactors * (size_t)(nactors - 1) / 2;
}

/* Index of dyad (a, b), a != b, among n actors (order of a and b free):
 * pairs are numbered (0,1), (0,2), ..., (0,n-1), (1,2), ... */
static inline size_t spec_dyad_index(int nactors, int a, int b)
{
    if (a > b) {
        int t = a;
        a = b;
        b = t;
    }
    return (size_t)a * (size_t)(2 * nactors - a - 1) / 2 + (size_t)(b - a - 1);
}

/*
 * Writes the dyad name "a-b" (actor ids in alphabetical order, as result
 * files name dyads) into buf of size len.
 */
void model_spec_dyad_name(const model_spec *s, int a, int b, char *buf, size_t len);

/*
 * Non-zero when parameter i is an event magnitude given as a distribution:
 * such a parameter is drawn at each occurrence of its event, not once per
 * replication (model parameters are always drawn per replication).
 */
int model_spec_param_per_occurrence(const model_spec *s, size_t i);

/* Non-zero when parameter i is drawn once per replication (a distribution
 * that is not drawn per occurrence, or a parameter of the posterior's
 * table); these are the drawn values a batch records in replications.tsv. */
int model_spec_param_per_replication(const model_spec *s, size_t i);

/*
 * The names of the enumerations as scenario files and result files write
 * them: one table each, indexed by the enum (immutable data).  The scenario
 * language's settings table takes its variants from them.
 */
extern const char *const spec_event_kind_names[EV_KIND_COUNT]; /* "summit", ... */
extern const char *const spec_timing_names[TIMING_COUNT];     /* "at", "every", "rate", "series" */
extern const char *const spec_dist_kind_names[DIST_COUNT];    /* "fixed", "uniform", ... */
extern const char *const spec_target_kind_names[TARGET_COUNT]; /* "up", "down", "start", ... */
extern const char *const spec_commitment_names[SPEC_C_COUNT]; /* of flag 1u << i */

/* Name of a target kind ("up", ...), or "?" out of range. */
const char *spec_target_kind_name(spec_target_kind k);

/* Name of an event kind ("summit", ...), or NULL out of range. */
const char *spec_event_kind_name(spec_event_kind k);

/* Kind for a name, or -1. */
int spec_event_kind_from_name(const char *name);

/* Comma-separated commitment names ("none" if zero) into buf. */
void spec_commitments_format(unsigned c, char *buf, size_t len);

/* Flag for one commitment name ("nonaggression", "consultation", "defence"), or 0. */
unsigned spec_commitment_from_name(const char *name);

#endif
