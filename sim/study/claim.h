/*
 * claim - the essay's claim as a statistical test (`alignsim claim`).
 *
 * The claim (docs/MODEL.md, "The claim, made testable"): China-Russia
 * partnership stays below alliance absent a fundamental reversal.  Over
 * many replications of a scenario it holds when
 *
 *   P(alliance by the horizon | no reversal)         < bound_no_reversal
 *   P(alliance within window_years | reversal)       > bound_reversal
 *
 * each decided by an exact (Clopper-Pearson) interval at the scenario's
 * confidence: a condition holds when its whole interval lies on the
 * claimed side of the bound, fails when the whole interval lies on the
 * other side, and is undecided otherwise.
 *
 * Conditions, all run with the same master seed so that replication r has
 * the same seed in every condition (common random numbers):
 *   no_reversal     the scenario as it is;
 *   reversal        plus one `reversal` event: claim.third_power confronts
 *                   claim.targets from claim.at for claim.duration at
 *                   magnitude claim.strength;
 *   strength_S      the same event at each magnitude S of claim.strengths
 *                   (a strength equal to claim.strength reuses "reversal").
 * Each is a batch (run/batch.h) in DIR/conditions/NAME, a complete batch
 * folder of its own; `alignsim compare` reads it.
 *
 * Counting, from each condition's replications.tsv:
 *   no_reversal  an alliance is a replication whose alliance_year is not NA
 *                (alliance_year counts alliances after outcome.alliance_after);
 *   reversal     an alliance is a replication in which the model detected a
 *                reversal (reversal = 1) and 0 <= alliance_year -
 *                reversal_onset <= window_years.  The denominator is every
 *                replication of the condition: a scheduled reversal too weak
 *                to be detected counts as "no alliance".
 *
 * Under a posterior (spec->posterior, the `posterior` group or --posterior
 * DIR) every condition's replications draw their particles as any batch's
 * do; the counts are then also kept per particle, and each condition (and
 * each point of the curve) gets the split of its uncertainty into
 * parameters and chance (claim_split.h), which claim.tsv, claim_curve.tsv
 * and the verdict report.  The reversal a replication detects is the
 * model's (docs/MODEL.md 3.5: by inputs, unless model.reversal_threshold is
 * 0, the gate-based definition, which the verdict flags).
 *
 * Result folder DIR (each file complete or absent):
 *   claim.tsv          one row per condition (condition, reps, p_alliance,
 *                      ci_lo, ci_hi, bound, holds, then side, strength,
 *                      alliances, reversals, allied_before, folder, then
 *                      the split: particles, between_var, within_var,
 *                      param_share, param_share_lo, param_share_hi,
 *                      between_sd, NA without a posterior) and a
 *                      last row `claim` with the overall verdict in `holds`;
 *                      the strength at which P crosses one half (and its
 *                      bracket) in its provenance
 *   claim_curve.tsv    P(alliance within window) against strength (strength,
 *                      reps, p_alliance, ci_lo, ci_hi, alliances, reversals,
 *                      condition, then the split's columns)
 *   posterior.tsv      under a posterior, the copy of its table
 *   verdict.txt        the verdict as printed
 *   scenario.cfg       the resolved scenario as given
 *   summary.tsv, milestones.tsv, ladder.tsv
 *                      copies of the no_reversal batch's files, so DIR is
 *                      also the batch folder of the scenario as it is
 *   conditions/NAME/   the batch of each condition
 */
#ifndef ALIGNSIM_STUDY_CLAIM_H
#define ALIGNSIM_STUDY_CLAIM_H

#include <stddef.h>
#include <stdint.h>

#include "io/tsv.h"
#include "model/spec.h"
#include "run/engine.h"
#include "study/claim_split.h"

/* A condition's `holds`: decided either way, or not at this confidence. */
enum { CLAIM_FAILS = 0, CLAIM_HOLDS = 1, CLAIM_UNDECIDED = -1 };

/* Which side of its bound a condition claims the probability lies on. */
typedef enum { CLAIM_BELOW = 0, CLAIM_ABOVE = 1 } claim_side;

/* One condition's counts and test.  Plain value data. */
typedef struct {
    char name[48];            /* "no_reversal", "reversal", "strength_2.5" */
    char folder[48];          /* its batch under DIR/conditions/ */
    double strength;          /* magnitude of its reversal; NaN for no_reversal */
    uint64_t reps;            /* replications */
    uint64_t alliances;       /* replications counted as an alliance */
    uint64_t reversals;       /* replications in which a reversal was detected */
    uint64_t allied_before;   /* reversal conditions: replications whose alliance
                                 formed before the reversal's onset (or before
                                 claim.at when none was detected); not counted */
    double p, ci_lo, ci_hi;   /* alliances / reps and its exact interval */
    double bound;             /* the bound it is tested against */
    claim_side side;          /* the claim: p < bound (BELOW) or p > bound (ABOVE) */
    int holds;                /* CLAIM_HOLDS, CLAIM_FAILS or CLAIM_UNDECIDED */
    claim_split split;        /* under a posterior: parameter uncertainty against
                                 chance (claim_split.h); particles 0 without one */
} claim_condition;

/*
 * Fills the counts and test of c from k alliances in n replications: p =
 * k/n, the Clopper-Pearson interval at level conf, and holds = HOLDS when
 * the interval lies strictly on the claimed side of bound (BELOW: ci_hi <
 * bound; ABOVE: ci_lo > bound), FAILS when it lies on the other side with
 * at most one end touching the bound (BELOW: ci_lo >= bound; ABOVE: ci_hi
 * <= bound), UNDECIDED otherwise.  c->name, folder and strength are left
 * alone.  Returns AS_OK, or AS_EUSAGE for n = 0, k > n, a bad conf or a
 * bound outside [0, 1] (c's numbers are then NaN and holds UNDECIDED).
 */
int claim_decide(uint64_t k, uint64_t n, double bound, claim_side side, double conf,
                 claim_condition *c);

/*
 * Replications (in total) that would likely decide an undecided condition:
 * those for which the interval's half-width equals the distance of the
 * estimate from the bound (stats_binom_reps_needed at the estimate; at an
 * estimate of 0 or 1, at the interval end nearest the bound).  Stores the
 * number in *reps and returns AS_OK; returns AS_EUSAGE (and *reps = 0)
 * when the estimate sits on the bound, so that no number of replications
 * is expected to decide it, or c is not undecided.
 */
int claim_reps_to_decide(const claim_condition *c, double conf, uint64_t *reps);

/* Where a probability curve crosses a level (one half), with an interval. */
typedef struct {
    int found;                /* 1: p crosses the level between two strengths */
    double strength;          /* interpolated strength at which p reaches the level */
    double lo, hi;            /* the interval: lo is the last strength tried
                                 (before p's interval first reaches the level)
                                 at which the whole interval of p lies below the
                                 level, hi the first at which it lies above;
                                 NaN when there is none */
    int below_first;          /* p already >= level at the first strength */
    int above_last;           /* p still < level at the last strength */
} claim_crossing;

/*
 * Finds the first strength at which curve[].p reaches `level`, by linear
 * interpolation between neighbouring strengths (curve sorted by increasing
 * strength, n >= 1), and brackets it with the strengths tried at which the
 * exact intervals are decided below and above the level (see
 * claim_crossing).  The curve is only measured at the strengths tried, so
 * the bracket is no narrower than their spacing.  Fills *out; never fails.
 */
void claim_find_crossing(const claim_condition *curve, size_t n, double level,
                         claim_crossing *out);

/* What a claim run is asked to do.  All pointers are borrowed for the call.
 * Threads, stop requests and progress (over all conditions) are the
 * executor's. */
typedef struct {
    uint64_t reps;             /* replications per condition, >= 1 */
    int resume;                /* reuse finished conditions, resume interrupted ones */
    const char *outdir;        /* result folder (created with its parents) */
    const io_kv *prov;         /* extra provenance: command, overrides */
    size_t nprov;
} claim_options;

/* What a claim run found. */
typedef struct {
    claim_condition no_reversal, reversal;
    claim_condition curve[SPEC_MAX_CLAIM_STRENGTHS];
    size_t ncurve;
    claim_crossing half;       /* where the curve crosses one half */
    int holds;                 /* overall: HOLDS when both hold, FAILS when
                                  either fails, else UNDECIDED */
    int stopped_by;            /* signal number if interrupted, else 0 */
    int root;                  /* non-zero in the process that wrote the files */
} claim_result;

/*
 * Runs the claim test of spec (borrowed, read-only), whose resolved scenario
 * text is `resolved`, with the settings spec->claim, on the executor e (each
 * condition a batch, run/batch.h), and writes the result
 * folder opt->outdir (see the header comment).  The conditions' scenarios
 * are the resolved text plus one `--set events.[N]={...}` override each,
 * reloaded with scenario_load_string(), so each condition's scenario.cfg
 * reproduces its batch.
 *
 * With opt->resume, a condition whose folder holds a finished batch of the
 * same scenario text and replications is reused, one with an interrupted
 * batch is resumed, and any other is run afresh; without it a condition
 * folder holding an interrupted batch is an error (CLAIM_EUSAGE), as for
 * `alignsim batch`.
 *
 * Returns AS_OK and fills *res; AS_EUSAGE when the scenario names no
 * claim.third_power, a condition's scenario is rejected or an interrupted
 * condition is in the way; AS_ESTOPPED when interrupted (res->stopped_by;
 * finished conditions are kept and a rerun with resume continues); another
 * AS_* code for I/O, memory or model failures.  err gets the message.
 * Under MPI every rank calls this with the same arguments; only the root
 * (res->root) reads and writes the files.
 */
int claim_run(engine *e, const model_spec *spec, const char *resolved, const claim_options *opt,
              claim_result *res, char *err, size_t errlen);

/*
 * Non-zero when spec uses the gate-based definition of a reversal
 * (model.reversal_threshold fixed at 0, not set by a posterior): a reversal
 * and an open alliance gate then coincide by construction (docs/MODEL.md
 * 3.5), which the verdict says.
 */
int claim_gate_based(const model_spec *spec);

/*
 * The verdict as text a seminar can read aloud: each condition with its
 * estimate, interval, bound and whether it holds and by what margin, the
 * replications that would decide an undecided one, the strength at which
 * P(alliance) passes one half, and the overall verdict; how the reversal is
 * defined (saying that the gate-based definition makes condition 2 true by
 * construction); under a posterior, for each condition the share of the
 * uncertainty that comes from the parameters (claim_split.h) and the
 * strength curve with its intervals.  Heap string the
 * caller frees, or NULL when memory runs out.
 */
char *claim_verdict_text(const model_spec *spec, const claim_result *res);

#endif
