/*
 * model - the alignment model: actors, dyads, pressures, decisions, on the
 * event kernel.
 *
 * Invariants kept by this file:
 *  - x of every dyad is exact at the kernel clock: the advance callback moves
 *    it with the closed form x* + (x - x*) e^{-k dt} before the clock moves;
 *  - targets x* and gates are piecewise constant between events: they are
 *    re-evaluated from the current state after the events of a time point
 *    have been applied (lazily, before the clock next moves), and at least
 *    every model.review_every_years by the periodic review event;
 *  - labels change only in decide(), called at summits, treaties, clashes and
 *    crises; upgrades climb one rung and need both sides, a downgrade needs
 *    one side and may drop several rungs to the rung x supports;
 *  - every replication draws from four substreams keyed by its seed alone
 *    (parameters, timing, magnitudes, decisions: the Philox streams (seed,
 *    1) to (seed, 4) of stats/rng), so an extra draw in one
 *    mechanism never shifts the others, and a decision always uses exactly
 *    two uniform draws, whatever its outcome.
 */
#include "model/model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "base/buf.h"
#include "kernel/kernel.h"
#include "stats/rng.h"

/* Kernel event types of the model. */
enum {
    K_YEAR = 0,   /* capability data change at an integer year */
    K_SCENARIO,   /* an occurrence of scenario event `arg` */
    K_END,        /* pressure slot `arg` ends */
    K_EXPIRE,     /* commitments offered by treaty event `arg` lapse unless renewed */
    K_REVIEW,     /* periodic re-evaluation of targets */
    K_SAMPLE,     /* yearly mid-year sample */
    K_COUNT
};

/* Priorities at equal times: data first, then the scenario's events, then
 * reviews, and samples last so that a sample sees every event of its time. */
enum { PRI_DATA = 0, PRI_EVENT = 1, PRI_REVIEW = 2, PRI_SAMPLE = 3 };

/* Substreams of a replication. */
enum { STREAM_PARAMS = 1, STREAM_TIMING = 2, STREAM_MAGNITUDE = 3, STREAM_DECISION = 4, STREAM_POSTERIOR = 5 };

/* A hostile pressure in force: directed hostility input from src to dst. */
typedef struct {
    int src, dst;
    double amount;
    int live;
} pressure;

typedef struct {
    double x, target;
    int rung;
    unsigned commit;
    double border;      /* B: militarisation of the shared border */
    double dispute;     /* D: bloc-leadership rivalry */
    double economy;     /* E: economic and institutional complementarity */
    double bias;        /* Z: diplomatic openings and closings */
    double grievance[2];/* unequal-terms grievance of actor a (0) and b (1) */
    double threat, threat_exo, gate[2];
    double threat_gate; /* common threat at which both gates would open */
    unsigned signed_now; /* commitments accepted at the treaty being applied */
} dyad;

struct model {
    const model_spec *spec;
    kernel *k;
    int n;                  /* actors */
    size_t nd;              /* dyads */
    int alliance_rung;

    /* per replication */
    double *v;              /* parameter vector */
    unsigned char *per_occurrence; /* params drawn at each occurrence */
    gsl_rng *rng[6];      /* [STREAM_*]; [0] unused */
    dyad *d;
    int *pair_a, *pair_b;   /* actors of each dyad */
    /* Per actor, and per ordered pair of actors (k, i) at [k * n + i]. */
    double *cap;            /* capability, NaN while the actor does not exist */
    double *rel;            /* C_k / (C_k + C_i), 0 if either is missing */
    double *ideology;
    int *doctrine_on;
    double *hostility;      /* H[src][dst]: the pressures in force */
    /* Scratch of evaluate(), per pair and per actor. */
    double *X, *host, *theta, *theta_exo, *capk;
    int *exists;
    buf text;               /* scratch of the event texts for the observer */
    pressure *press;
    size_t npress, cap_press;
    uint64_t *occurrence;   /* TIMING_EVERY: index k of each event's next occurrence */
    double review_base;     /* reviews fall at review_base + m * review_every_years */
    uint64_t review_m;      /* m of the next review */
    double last_time;       /* time of the state (for decays) */
    /* What needs re-evaluation (docs/MODEL.md 1.3): every dyad, or the
     * dyads with at least one actor flagged. */
    int dirty;              /* something does */
    int dirty_all;          /* every dyad does */
    unsigned char *dirty_actor;
    const model_observer *obs;
    model_outcome out;
    double rev_since;       /* exogenous threat above T* since; NaN if below */
    int stop_code;
};

/* ---- seeds ---------------------------------------------------------- */

/* Substream `stream` of the replication with seed `seed` is the Philox
 * stream keyed (seed, stream) at its first output (stats/rng.h). */
static void seed_rng(gsl_rng *r, uint64_t seed, int stream)
{
    rng_set_key(r, seed, (uint64_t)stream);
}

/* ---- small helpers -------------------------------------------------- */

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static int actor_exists(const model *m, int i)
{
    return !isnan(m->cap[i]);
}

static double capv(const model *m, int i)
{
    return isnan(m->cap[i]) ? 0.0 : m->cap[i];
}

static double actor_param(const model *m, int i, spec_actor_param p)
{
    return m->v[m->spec->actors[i].param0 + (size_t)p];
}

static size_t didx(const model *m, int a, int b)
{
    return spec_dyad_index(m->n, a, b);
}

/* Draws from a parameter's distribution (truncated to its range). */
static double draw_param(const spec_param *p, gsl_rng *r)
{
    const spec_dist *d = &p->dist;
    double v = p->value;
    switch (d->kind) {
    case DIST_FIXED:
        return p->value;
    case DIST_UNIFORM:
        v = gsl_ran_flat(r, d->a, d->b);
        break;
    case DIST_NORMAL:
        /* Truncation by rejection; a distribution whose mass lies almost
         * entirely outside the range falls back to clamping. */
        for (int tries = 0; tries < 64; tries++) {
            v = d->a + gsl_ran_gaussian(r, d->b);
            if (v >= p->lo && v <= p->hi)
                break;
        }
        break;
    case DIST_BETA:
        v = d->c + (d->d - d->c) * gsl_ran_beta(r, d->a, d->b);
        break;
    case DIST_LOGNORMAL:
        v = gsl_ran_lognormal(r, d->a, d->b);
        break;
    }
    return clamp(v, p->lo, p->hi);
}

static void emit(model *m, const char *kind, const spec_event *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reports an applied event to the observer, formatting text only if asked:
 * the actors joined by '+' (in the model's scratch buffer, which keeps its
 * memory from one event to the next) and the detail. */
static void emit(model *m, const char *kind, const spec_event *e, const char *fmt, ...)
{
    if (!m->obs || !m->obs->event)
        return;
    buf_reset(&m->text);
    for (int i = 0; e && i < e->nactors; i++)
        buf_printf(&m->text, "%s%s", i ? "+" : "", m->spec->actors[e->actors[i]].id);
    char detail[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    m->obs->event(m->obs->ctx, kernel_now(m->k), kind, buf_str(&m->text), detail);
}

static void notify_change(model *m, size_t d)
{
    if (m->obs && m->obs->change)
        m->obs->change(m->obs->ctx, kernel_now(m->k), d, m->d[d].rung, m->d[d].commit);
}

/* ---- the mechanisms ------------------------------------------------- */

/* tanh through one exp: tanh(a) = sign(a) (1 - e^{-2|a|}) / (1 + e^{-2|a|}).
 * glibc's tanh goes through expm1 and costs twice as much; the absolute
 * error here is below 1e-16, and x only ever needs absolute accuracy. */
static double fast_tanh(double a)
{
    double t = exp(-2.0 * fabs(a));
    double r = (1.0 - t) / (1.0 + t);
    return a < 0.0 ? -r : r;
}

/*
 * Re-evaluates the target, common threat and gates of the dyads that need it
 * (every dyad, or those with a touched actor) from the current state.  See
 * docs/MODEL.md, "Target" and "Alliance gate".
 */
static void evaluate(model *m)
{
    const double *v = m->v;
    const int n = m->n;
    const size_t un = (size_t)n;
    /* Per ordered pair (k, i): the relation x, hostility of k toward i with
     * and without the relation's own hostility, k's relative capability
     * against i, and the threats they make.  Computed once, then read O(n)
     * times per dyad. */
    double *X = m->X, *host = m->host, *theta = m->theta, *theta_exo = m->theta_exo, *cap = m->capk;
    int *exists = m->exists;
    double capsum = 0.0;

    for (int k = 0; k < n; k++) {
        exists[k] = actor_exists(m, k);
        cap[k] = capv(m, k);
        capsum += cap[k];
        X[(size_t)k * un + (size_t)k] = 0.0;
    }
    for (size_t di = 0; di < m->nd; di++) {
        size_t a = (size_t)m->pair_a[di], b = (size_t)m->pair_b[di];
        X[a * un + b] = X[b * un + a] = m->d[di].x;
    }
    for (int k = 0; k < n; k++) {
        for (int i = 0; i < n; i++) {
            size_t ki = (size_t)k * un + (size_t)i;
            if (i == k || !exists[k] || !exists[i]) {
                host[ki] = theta[ki] = theta_exo[ki] = 0.0;
                continue;
            }
            double h_exo = m->hostility[ki] > 0.0 ? m->hostility[ki] : 0.0;
            double h = m->hostility[ki] + (X[ki] < 0.0 ? -X[ki] : 0.0);
            host[ki] = h > 0.0 ? h : 0.0;
            theta[ki] = m->rel[ki] * host[ki];
            theta_exo[ki] = m->rel[ki] * h_exo;
        }
    }

    for (size_t di = 0; di < m->nd; di++) {
        dyad *d = &m->d[di];
        int i = m->pair_a[di], j = m->pair_b[di];
        if (!m->dirty_all && !m->dirty_actor[i] && !m->dirty_actor[j])
            continue;
        if (!exists[i] || !exists[j]) {
            d->target = d->x;
            d->threat = d->threat_exo = 0.0;
            d->gate[0] = d->gate[1] = -INFINITY;
            continue;
        }
        double T = 0.0, Texo = 0.0, Ri = 0.0, Rj = 0.0, triad = 0.0;
        double wsum = capsum - cap[i] - cap[j];
        const size_t ui = (size_t)i, uj = (size_t)j;
        for (int k = 0; k < n; k++) {
            if (k == i || k == j || !exists[k])
                continue;
            const size_t ki = (size_t)k * un + ui, kj = (size_t)k * un + uj;
            T += theta[ki] < theta[kj] ? theta[ki] : theta[kj];
            Texo += theta_exo[ki] < theta_exo[kj] ? theta_exo[ki] : theta_exo[kj];
            /* Entrapment: the partner's conflicts that one does not share,
             * on hostility levels weighted by the rival's relative power. */
            double hi = host[ki], hj = host[kj];
            if (hj > hi)
                Ri += (hj - hi) * m->rel[kj];
            else
                Rj += (hi - hj) * m->rel[ki];
            triad += cap[k] * X[ui * un + (size_t)k] * X[kj];
        }
        if (wsum > 0.0)
            triad /= wsum;
        else
            triad = 0.0;
        double ci = capv(m, i), cj = capv(m, j), tot = ci + cj;
        double asym_i = tot > 0.0 && cj > ci ? (cj - ci) / tot : 0.0;
        double asym_j = tot > 0.0 && ci > cj ? (ci - cj) / tot : 0.0;
        double ai = actor_param(m, i, AP_AUTONOMY), aj = actor_param(m, j, AP_AUTONOMY);
        double Mi = asym_i + d->grievance[0], Mj = asym_j + d->grievance[1];
        double affinity = 1.0 - fabs(m->ideology[i] - m->ideology[j]) - v[MP_DISPUTE_WEIGHT] * d->dispute;
        double H = m->hostility[ui * un + uj] + m->hostility[uj * un + ui];

        double arg = v[MP_W_THREAT] * T + v[MP_W_IDEOLOGY] * affinity + v[MP_W_ECONOMY] * d->economy -
                     v[MP_W_BORDER] * d->border - v[MP_W_AUTONOMY] * (ai * Mi + aj * Mj) -
                     v[MP_W_HOSTILITY] * H + v[MP_W_RECIPROCITY] * d->x + v[MP_W_TRIAD] * triad + d->bias;
        d->target = fast_tanh(arg);
        d->threat = T;
        d->threat_exo = Texo;

        double ci_doc = m->doctrine_on[i] ? actor_param(m, i, AP_DOCTRINE_COST) : 0.0;
        double cj_doc = m->doctrine_on[j] ? actor_param(m, j, AP_DOCTRINE_COST) : 0.0;
        d->gate[0] = tot > 0.0 ? v[MP_GATE_SECURITY] * T * cj / tot - v[MP_GATE_ENTRAPMENT] * Ri - ai * Mi - ci_doc
                               : -INFINITY;
        d->gate[1] = tot > 0.0 ? v[MP_GATE_SECURITY] * T * ci / tot - v[MP_GATE_ENTRAPMENT] * Rj - aj * Mj - cj_doc
                               : -INFINITY;
        /* The common threat at which both gates would open, the other terms
         * held: the automatic reversal threshold T*. */
        double need_i = v[MP_GATE_ENTRAPMENT] * Ri + ai * Mi + ci_doc;
        double need_j = v[MP_GATE_ENTRAPMENT] * Rj + aj * Mj + cj_doc;
        double ti = cj > 0.0 && v[MP_GATE_SECURITY] > 0.0 ? need_i * tot / (v[MP_GATE_SECURITY] * cj) : INFINITY;
        double tj = ci > 0.0 && v[MP_GATE_SECURITY] > 0.0 ? need_j * tot / (v[MP_GATE_SECURITY] * ci) : INFINITY;
        d->threat_gate = ti > tj ? ti : tj;
    }
    m->dirty = m->dirty_all = 0;
    memset(m->dirty_actor, 0, (size_t)n);
}

/* Every dyad needs re-evaluation (new capabilities, a review, the start). */
static void touch_all(model *m)
{
    m->dirty = m->dirty_all = 1;
}

/* The dyads with actor a need re-evaluation. */
static void touch_actor(model *m, int a)
{
    m->dirty_actor[a] = 1;
    m->dirty = 1;
}

/* The dyads with at least one of event e's actors need re-evaluation: an
 * event changes only inputs of those (docs/MODEL.md 1.3). */
static void touch(model *m, const spec_event *e)
{
    for (int i = 0; i < e->nactors; i++)
        touch_actor(m, e->actors[i]);
}

/* The strongest pressure one third power puts on both actors a and b:
 * max over existing k other than a and b of min(H[k][a], H[k][b]), with
 * H the hostility of the pressures in force (sanctions, arms sales,
 * reversal events: inputs the scenario schedules, never model state). */
static double pressure_on_both(const model *m, int a, int b)
{
    const size_t un = (size_t)m->n;
    double best = 0.0;
    for (int k = 0; k < m->n; k++) {
        if (k == a || k == b || !actor_exists(m, k))
            continue;
        double ha = m->hostility[(size_t)k * un + (size_t)a], hb = m->hostility[(size_t)k * un + (size_t)b];
        double both = ha < hb ? ha : hb;
        if (both > best)
            best = both;
    }
    return best;
}

/* Tracks the reversal test of the outcome dyad (docs/MODEL.md 3.5): it
 * must hold continuously for model.reversal_min_years.  With a positive
 * model.reversal_threshold (the default) the test is on inputs only: one
 * third power's pressure on both partners at or above the threshold.  With
 * 0 it is the gate-based definition kept as an option: the common threat,
 * with an exogenous pressure in force, reaches the level at which the
 * alliance gate would open for both parties (a reversal and an open gate
 * then coincide by construction). */
static void track_reversal(model *m, double now)
{
    const model_spec *s = m->spec;
    if (s->outcome_a < 0 || m->out.reversal)
        return;
    const dyad *d = &m->d[didx(m, s->outcome_a, s->outcome_b)];
    double threshold = m->v[MP_REVERSAL_THRESHOLD];
    int above = threshold > 0.0 ? actor_exists(m, s->outcome_a) && actor_exists(m, s->outcome_b) &&
                                      pressure_on_both(m, s->outcome_a, s->outcome_b) >= threshold
                                : d->threat_exo > 0.0 && d->threat >= d->threat_gate;
    if (above) {
        if (isnan(m->rev_since))
            m->rev_since = now;
        if (now - m->rev_since >= m->v[MP_REVERSAL_MIN_YEARS]) {
            m->out.reversal = 1;
            m->out.reversal_onset = m->rev_since;
        }
    } else {
        m->rev_since = NAN;
    }
}

/* e^{-rate dt}, without calling exp for a zero rate. */
static double decay(double rate, double dt)
{
    return rate == 0.0 ? 1.0 : exp(-rate * dt);
}

/*
 * Kernel advance callback: moves every x exactly to the new time under the
 * targets in force, and decays disputes, grievances and militarisation.
 */
static int advance(double from, double to, void *ctx)
{
    model *m = ctx;
    if (m->dirty)
        evaluate(m);
    track_reversal(m, from);
    /* An alliance held while the clock passes alliance_after is dated
     * alliance_after: labels do not change between events. */
    const model_spec *s = m->spec;
    if (from < s->alliance_after && s->alliance_after <= to && s->outcome_a >= 0 && m->alliance_rung >= 0 &&
        isnan(m->out.alliance_year) && m->d[didx(m, s->outcome_a, s->outcome_b)].rung == m->alliance_rung)
        m->out.alliance_year = s->alliance_after;
    double dt = to - from;
    double ex = decay(m->v[MP_RELAX_RATE], dt);
    double ed = decay(m->v[MP_DISPUTE_DECAY], dt);
    double eg = decay(m->v[MP_GRIEVANCE_DECAY], dt);
    double eb = decay(m->v[MP_BORDER_DECAY], dt);
    double ez = decay(m->v[MP_BIAS_DECAY], dt);
    for (size_t i = 0; i < m->nd; i++) {
        dyad *d = &m->d[i];
        d->x = d->target + (d->x - d->target) * ex;
        d->dispute *= ed;
        d->grievance[0] *= eg;
        d->grievance[1] *= eg;
        d->border *= eb;
        d->bias *= ez;
    }
    /* The decays change the targets' inputs; they are re-read at the next
     * evaluation (an event or a periodic review), not continuously. */
    track_reversal(m, to);
    return 0;
}

/* Highest rung whose threshold x reaches, ignoring commitments and gates. */
static int rung_of_x(const model *m, double x)
{
    const model_spec *s = m->spec;
    int r = 0;
    for (int i = 1; i < s->nrungs; i++)
        if (x >= s->ladder[i].x_min)
            r = i;
    return r;
}

/* Highest rung at or below r whose commitment requirements are met. */
static int rung_allowed(const model *m, int r, unsigned commit)
{
    while (r > 0 && (m->spec->ladder[r].requires & ~commit))
        r--;
    return r;
}

/* Records the first time the outcome dyad holds the alliance rung at or
 * after spec.alliance_after, at a decision that concludes it.  An alliance
 * already in force when the clock reaches alliance_after is dated
 * alliance_after by advance(). */
static void check_alliance(model *m)
{
    const model_spec *s = m->spec;
    if (s->outcome_a < 0 || m->alliance_rung < 0 || !isnan(m->out.alliance_year))
        return;
    double now = kernel_now(m->k);
    if (now >= s->alliance_after && m->d[didx(m, s->outcome_a, s->outcome_b)].rung == m->alliance_rung)
        m->out.alliance_year = now;
}

/*
 * The decision rule at a decision event for dyad di.  Each side weighs
 * proposing up (if the next rung's commitments are in force, and for a gated
 * rung only if its own gate is open), holding, or down, with logit noise of
 * precision beta on the margin of x past the rung's threshold and the
 * hysteresis band.  Both must propose up for an upgrade; one proposing down
 * is enough for a downgrade, to the rung x supports (possibly several down).
 *
 * `consent` is the set of commitments both sides have just signed (at a
 * treaty): when the treaty signed at least one commitment the next rung
 * requires and every commitment it requires is now in force, the signature
 * is itself the parties' vote for that rung, so each side that could propose
 * it (its gate open, for a gated rung) does so without noise if x reaches
 * its threshold (the 1950 treaty was the declaration of the alliance; the
 * 2001 treaty that of a treaty-backed partnership).  The side's uniform is
 * drawn all the same, so a decision always takes two draws.
 */
static void decide(model *m, size_t di, unsigned consent)
{
    dyad *d = &m->d[di];
    const model_spec *s = m->spec;
    if (m->dirty)
        evaluate(m);
    double beta = m->v[MP_DECISION_PRECISION], h = m->v[MP_HYSTERESIS];
    int r = d->rung, top = s->nrungs - 1;
    /* The next rung's commitments must be in force, except on a gated
     * (alliance) rung: there the decision is the signing of the pact, and
     * each side's vote already requires its own gate to be open. */
    unsigned missing = r < top ? s->ladder[r + 1].requires & ~d->commit : 0;
    int up_struct = r < top && (!missing || s->ladder[r + 1].gate);
    /* Treaty consent: the treaty just signed at least one commitment the
     * next rung requires, and all of them are now in force. */
    int treaty_vote = r < top && !missing && (s->ladder[r + 1].requires & consent);
    int votes_up = 0, votes_down = 0;
    for (int side = 0; side < 2; side++) {
        double u = gsl_rng_uniform(m->rng[STREAM_DECISION]);
        int can_up = up_struct && (!s->ladder[r + 1].gate || d->gate[side] > 0.0);
        if (can_up && treaty_vote && d->x >= s->ladder[r + 1].x_min) {
            votes_up++;
            continue;
        }
        double w_up = can_up ? exp(clamp(beta * (d->x - s->ladder[r + 1].x_min - h), -50.0, 50.0)) : 0.0;
        double w_down = r > 0 ? exp(clamp(beta * (s->ladder[r].x_min - h - d->x), -50.0, 50.0)) : 0.0;
        double total = w_up + w_down + 1.0;
        if (u * total < w_up)
            votes_up++;
        else if (u * total < w_up + w_down)
            votes_down++;
    }
    int nr = r;
    if (votes_down > 0) {
        int rx = rung_of_x(m, d->x);
        nr = rx < r ? rx : r - 1;
    } else if (votes_up == 2) {
        nr = r + 1;
        if (missing) {
            /* Both sides voted for the alliance rung: they sign its pact. */
            d->commit |= missing;
            if (m->obs && m->obs->event) {
                char cbuf[64], actors[SPEC_ID_LEN * 2 + 2];
                spec_commitments_format(missing, cbuf, sizeof cbuf);
                snprintf(actors, sizeof actors, "%s+%s", s->actors[m->pair_a[di]].id, s->actors[m->pair_b[di]].id);
                char detail[128];
                snprintf(detail, sizeof detail, "signed at the decision: %s", cbuf);
                m->obs->event(m->obs->ctx, kernel_now(m->k), "pact", actors, detail);
            }
        }
    }
    /* A rung whose commitments lapsed cannot be held. */
    nr = rung_allowed(m, nr, d->commit);
    if (nr != r) {
        d->rung = nr;
        notify_change(m, di);
        if (m->obs && m->obs->event) {
            char name[SPEC_ID_LEN * 2 + 2], actors[SPEC_ID_LEN * 2 + 2], detail[256];
            model_spec_dyad_name(s, m->pair_a[di], m->pair_b[di], name, sizeof name);
            snprintf(actors, sizeof actors, "%s+%s", s->actors[m->pair_a[di]].id, s->actors[m->pair_b[di]].id);
            snprintf(detail, sizeof detail, "%s: %d %s -> %d %s (x=%.3f)", name, s->ladder[r].label,
                     s->ladder[r].name, s->ladder[nr].label, s->ladder[nr].name, d->x);
            m->obs->event(m->obs->ctx, kernel_now(m->k), "label", actors, detail);
        }
    }
    check_alliance(m);
}

/* Recomputes the hostility matrix from the live pressures (so that a
 * pressure's end removes exactly what its start added). */
static void rebuild_hostility(model *m)
{
    memset(m->hostility, 0, (size_t)m->n * (size_t)m->n * sizeof *m->hostility);
    for (size_t i = 0; i < m->npress; i++)
        if (m->press[i].live)
            m->hostility[(size_t)m->press[i].src * (size_t)m->n + (size_t)m->press[i].dst] += m->press[i].amount;
}

static int add_pressure(model *m, int src, int dst, double amount, double until)
{
    size_t slot = m->npress;
    for (size_t i = 0; i < m->npress; i++)
        if (!m->press[i].live) {
            slot = i;
            break;
        }
    if (slot == m->cap_press) {
        size_t nc = m->cap_press ? m->cap_press * 2 : 16;
        pressure *p = realloc(m->press, nc * sizeof *p);
        if (!p)
            return AS_ENOMEM;
        m->press = p;
        m->cap_press = nc;
    }
    if (slot == m->npress)
        m->npress++;
    m->press[slot] = (pressure){src, dst, amount, 1};
    rebuild_hostility(m);
    if (until < m->spec->horizon)
        return kernel_schedule(m->k, until, PRI_DATA, K_END, (int64_t)slot, NULL);
    return AS_OK;
}

/* Applies commitments offered by treaty event e to pair (a, b): defence
 * needs both gates open, the others a relation at least normal. */
static unsigned accepted_commitments(model *m, size_t di, unsigned offered)
{
    if (m->dirty)
        evaluate(m);
    const dyad *d = &m->d[di];
    unsigned ok = 0;
    if ((offered & SPEC_C_DEFENCE) && d->gate[0] > 0.0 && d->gate[1] > 0.0)
        ok |= SPEC_C_DEFENCE;
    if (d->x >= 0.0)
        ok |= offered & (SPEC_C_CONSULTATION | SPEC_C_NONAGGRESSION);
    return ok;
}

static double magnitude(model *m, const spec_event *e)
{
    size_t p = e->p_magnitude;
    if (m->per_occurrence[p])
        return draw_param(&m->spec->params[p], m->rng[STREAM_MAGNITUDE]);
    return m->v[p];
}

/*
 * Schedules the next occurrence of periodic event ei (docs/MODEL.md 3.4):
 * occurrence k is due at s_k = from + k * every (k = 0, 1, ... while
 * s_k <= until) and happens at s_k + U(-jitter, +jitter), one timing draw
 * per occurrence when jitter > 0.  An occurrence whose time falls before
 * the start is not simulated (the next one is tried); one after the
 * horizon ends the event.  The loader keeps jitter below every / 2, so
 * occurrences keep their order and each is later than the one before.
 */
static int schedule_every(model *m, size_t ei)
{
    const spec_event *e = &m->spec->events[ei];
    const double every = m->v[e->p_every];
    for (;;) {
        uint64_t k = m->occurrence[ei]++;
        double due = e->from + (double)k * every;
        if (!(due <= e->until))
            return AS_OK;
        double t = due;
        if (e->jitter_years > 0.0)
            t += gsl_ran_flat(m->rng[STREAM_TIMING], -e->jitter_years, e->jitter_years);
        if (t > m->spec->horizon)
            return AS_OK;
        if (t >= kernel_now(m->k) && t >= m->spec->start)
            return kernel_schedule(m->k, t, PRI_EVENT, K_SCENARIO, (int64_t)ei, NULL);
    }
}

/* Schedules the next occurrence of a recurring event after time t. */
static int schedule_next(model *m, size_t ei, double t)
{
    const spec_event *e = &m->spec->events[ei];
    double next = INFINITY;
    switch (e->timing) {
    case TIMING_AT:
        return AS_OK;
    case TIMING_EVERY:
        return schedule_every(m, ei);
    case TIMING_POISSON: {
        double rate = m->v[e->p_rate];
        if (rate <= 0.0)
            return AS_OK;
        next = t + gsl_ran_exponential(m->rng[STREAM_TIMING], 1.0 / rate);
        break;
    }
    case TIMING_SERIES: {
        const spec_series *sr = &m->spec->series[e->series];
        const double *years = m->spec->series_data + sr->first;
        for (size_t i = 0; i < sr->n; i++)
            if (years[i] > t) {
                next = years[i];
                break;
            }
        break;
    }
    }
    if (next < e->until && next <= m->spec->horizon)
        return kernel_schedule(m->k, next, PRI_EVENT, K_SCENARIO, (int64_t)ei, NULL);
    return AS_OK;
}

/* Calls f for every unordered pair of the event's actors. */
#define FOR_PAIRS(e, ia, ib)                                   \
    for (int ia = 0; ia < (e)->nactors; ia++)                  \
        for (int ib = ia + 1; ib < (e)->nactors; ib++)

/* Applies one occurrence of scenario event ei at the current time. */
static int apply_event(model *m, size_t ei)
{
    const model_spec *s = m->spec;
    const spec_event *e = &s->events[ei];
    const double now = kernel_now(m->k);
    const char *kind = spec_event_kind_name(e->kind);
    int rc = AS_OK;

    /* Events that involve an actor that does not exist yet are void. */
    for (int i = 0; i < e->nactors; i++)
        if (!actor_exists(m, e->actors[i])) {
            emit(m, kind, e, "skipped: %s does not exist yet", s->actors[e->actors[i]].id);
            return schedule_next(m, ei, now);
        }

    /* No evaluation here: the event changes state first, and whatever reads
     * targets or gates afterwards (decisions, treaty acceptance) brings them
     * up to date itself. */
    double mag = magnitude(m, e);
    if (e->timing == TIMING_SERIES) {
        /* A series event's magnitude is per unit of the series' value (0
         * where it is missing), kept within the magnitude's range as a
         * drawn one is. */
        const spec_param *mp = &s->params[e->p_magnitude];
        double sv = model_spec_series_at(s, e->series, now);
        mag = isnan(sv) ? 0.0 : clamp(mag * sv, mp->lo, mp->hi);
    }

    switch (e->kind) {
    case EV_SUMMIT:
        FOR_PAIRS(e, ia, ib) {
            size_t di = didx(m, e->actors[ia], e->actors[ib]);
            m->d[di].x = clamp(m->d[di].x + mag, -1.0, 1.0);
        }
        touch(m, e);
        FOR_PAIRS(e, ia, ib) decide(m, didx(m, e->actors[ia], e->actors[ib]), 0);
        emit(m, kind, e, "%s", e->note);
        break;
    case EV_TREATY: {
        FOR_PAIRS(e, ia, ib) {
            size_t di = didx(m, e->actors[ia], e->actors[ib]);
            unsigned ok = accepted_commitments(m, di, e->commitments);
            m->d[di].signed_now = ok;
            char cbuf[64];
            spec_commitments_format(ok, cbuf, sizeof cbuf);
            if (ok & ~m->d[di].commit) {
                m->d[di].commit |= ok;
                notify_change(m, di);
            }
            m->d[di].x = clamp(m->d[di].x + mag, -1.0, 1.0);
            emit(m, kind, e, "accepted: %s; %s", cbuf, e->note);
        }
        touch(m, e);
        FOR_PAIRS(e, ia, ib) {
            size_t di = didx(m, e->actors[ia], e->actors[ib]);
            decide(m, di, m->d[di].signed_now);
        }
        /* The loader allows `expires` with `at` timing only, after `at`. */
        if (isfinite(e->expires) && e->expires <= s->horizon && e->expires >= now)
            rc = kernel_schedule(m->k, e->expires, PRI_EVENT, K_EXPIRE, (int64_t)ei, NULL);
        break;
    }
    case EV_SANCTIONS:
    case EV_ARMS_SALES:
    case EV_REVERSAL: {
        double dur = m->v[e->p_duration];
        double until = dur > 0.0 ? now + dur : (e->kind == EV_ARMS_SALES ? now + 1.0 : INFINITY);
        double amount = mag;
        for (int t = 1; t < e->nactors && rc == AS_OK; t++)
            rc = add_pressure(m, e->actors[0], e->actors[t], amount, until);
        touch(m, e);
        emit(m, kind, e, "hostility %+.4g until %.2f; %s", amount, until, e->note);
        break;
    }
    case EV_FORCE_REDUCTION:
        /* The magnitude's range is [0, 1] (drawn values are clamped to it). */
        FOR_PAIRS(e, ia, ib) m->d[didx(m, e->actors[ia], e->actors[ib])].border *= 1.0 - mag;
        touch(m, e);
        emit(m, kind, e, "border militarisation x%.3g; %s", 1.0 - mag, e->note);
        break;
    case EV_CLASH:
    case EV_CRISIS: {
        size_t di = didx(m, e->actors[0], e->actors[1]);
        m->d[di].x = clamp(m->d[di].x - mag, -1.0, 1.0);
        if (e->kind == EV_CLASH)
            m->d[di].border += mag;
        touch(m, e);
        emit(m, kind, e, "x -%.3g; %s", mag, e->note);
        decide(m, di, 0);
        break;
    }
    case EV_UNEQUAL_PROPOSAL:
        for (int t = 1; t < e->nactors; t++) {
            int a = e->actors[0], b = e->actors[t];
            size_t di = didx(m, a, b);
            /* The grievance belongs to the side that received the proposal. */
            m->d[di].grievance[m->pair_a[di] == b ? 0 : 1] += mag;
        }
        touch(m, e);
        emit(m, kind, e, "grievance +%.3g; %s", mag, e->note);
        break;
    case EV_IDEOLOGY_DISPUTE:
        m->d[didx(m, e->actors[0], e->actors[1])].dispute += mag;
        touch(m, e);
        emit(m, kind, e, "dispute +%.3g; %s", mag, e->note);
        break;
    case EV_REGIME_CHANGE: {
        int a = e->actors[0];
        m->ideology[a] = e->ideology;
        for (int b = 0; b < m->n; b++)
            if (b != a) {
                dyad *d = &m->d[didx(m, a, b)];
                d->dispute = 0.0;
                d->grievance[0] = d->grievance[1] = 0.0;
            }
        touch(m, e);
        emit(m, kind, e, "ideology now %.3g; disputes reset; %s", e->ideology, e->note);
        break;
    }
    case EV_ORGANISATION:
    case EV_ECONOMY:
        FOR_PAIRS(e, ia, ib) {
            dyad *d = &m->d[didx(m, e->actors[ia], e->actors[ib])];
            d->economy = clamp(d->economy + mag, -1.0, 1.0);
        }
        touch(m, e);
        emit(m, kind, e, "economy +%.3g; %s", mag, e->note);
        break;
    case EV_DOCTRINE:
        m->doctrine_on[e->actors[0]] = e->active;
        touch(m, e);
        emit(m, kind, e, "doctrine %s (cost %.3g); %s", e->active ? "on" : "off",
             actor_param(m, e->actors[0], AP_DOCTRINE_COST), e->note);
        break;
    case EV_OPENING: {
        dyad *d = &m->d[didx(m, e->actors[0], e->actors[1])];
        d->bias += mag;
        touch(m, e);
        emit(m, kind, e, "bias %+.3g; %s", mag, e->note);
        break;
    }
    case EV_KIND_COUNT:
        return AS_ERUNTIME;
    }
    if (rc != AS_OK)
        return rc;
    return schedule_next(m, ei, now);
}

/* Treaty commitments lapse at expiry unless both sides renew them. */
static void expire_treaty(model *m, size_t ei)
{
    const spec_event *e = &m->spec->events[ei];
    if (m->dirty)
        evaluate(m);
    FOR_PAIRS(e, ia, ib) {
        size_t di = didx(m, e->actors[ia], e->actors[ib]);
        unsigned keep = accepted_commitments(m, di, e->commitments);
        unsigned lapse = e->commitments & ~keep & m->d[di].commit;
        char cbuf[64];
        spec_commitments_format(lapse, cbuf, sizeof cbuf);
        if (lapse) {
            m->d[di].commit &= ~lapse;
            notify_change(m, di);
            int nr = rung_allowed(m, m->d[di].rung, m->d[di].commit);
            if (nr != m->d[di].rung) {
                m->d[di].rung = nr;
                notify_change(m, di);
            }
        }
        emit(m, "treaty_expiry", e, "lapsed: %s; %s", cbuf, e->note);
    }
    touch(m, e);
}

/* Capabilities change only at data years: their relative values are
 * computed here once rather than at every evaluation. */
static void update_capabilities(model *m, double t)
{
    for (int i = 0; i < m->n; i++)
        m->cap[i] = model_spec_series_at(m->spec, m->spec->actors[i].capability, t);
    for (int k = 0; k < m->n; k++)
        for (int i = 0; i < m->n; i++) {
            double ck = m->cap[k], ci = m->cap[i];
            m->rel[(size_t)k * (size_t)m->n + (size_t)i] =
                i != k && !isnan(ck) && !isnan(ci) && ck + ci > 0.0 ? ck / (ck + ci) : 0.0;
        }
    touch_all(m);
}

/* Schedules review number m->review_m on the calendar grid and counts it. */
static int schedule_review(model *m)
{
    double t = m->review_base + (double)m->review_m * m->v[MP_REVIEW_EVERY];
    m->review_m++;
    if (t > m->spec->horizon)
        return AS_OK;
    return kernel_schedule(m->k, t, PRI_REVIEW, K_REVIEW, 0, NULL);
}

static int on_kernel_event(kernel *k, const evq_event *ev, void *ctx)
{
    model *m = ctx;
    double now = kernel_now(k);
    switch (ev->type) {
    case K_YEAR:
        update_capabilities(m, now);
        if (now + 1.0 <= m->spec->horizon)
            return kernel_schedule(k, floor(now) + 1.0, PRI_DATA, K_YEAR, 0, NULL);
        return 0;
    case K_SCENARIO:
        return apply_event(m, (size_t)ev->arg);
    case K_END:
        m->press[ev->arg].live = 0;
        rebuild_hostility(m);
        touch_actor(m, m->press[ev->arg].src);
        touch_actor(m, m->press[ev->arg].dst);
        return 0;
    case K_EXPIRE:
        expire_treaty(m, (size_t)ev->arg);
        return 0;
    case K_REVIEW:
        touch_all(m);
        evaluate(m);
        return schedule_review(m);
    case K_SAMPLE: {
        if (m->dirty)
            evaluate(m);
        /* An observer that asks to stop knows why; the run reports a
         * runtime failure, never the observer's own number. */
        if (m->obs && m->obs->sample && m->obs->sample(m->obs->ctx, (int)floor(now), m) != 0)
            return AS_ERUNTIME;
        if (now + 1.0 <= m->spec->horizon)
            return kernel_schedule(k, now + 1.0, PRI_SAMPLE, K_SAMPLE, 0, NULL);
        return 0;
    }
    default:
        return AS_ERUNTIME;
    }
}

/* ---- lifecycle ------------------------------------------------------ */

model *model_alloc(const model_spec *spec)
{
    if (!spec || spec->nactors < 2 || spec->nactors > SPEC_MAX_ACTORS || spec->nrungs < 2 ||
        spec->nparams < MP_COUNT)
        return NULL;
    model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->spec = spec;
    m->n = spec->nactors;
    m->nd = spec_ndyads(spec->nactors);
    m->alliance_rung = -1;
    for (int r = 0; r < spec->nrungs; r++)
        if (spec->ladder[r].gate)
            m->alliance_rung = r;
    m->k = kernel_alloc(K_COUNT, 1024);
    m->v = calloc(spec->nparams, sizeof *m->v);
    m->per_occurrence = calloc(spec->nparams, 1);
    m->d = calloc(m->nd, sizeof *m->d);
    m->pair_a = calloc(m->nd, sizeof *m->pair_a);
    m->pair_b = calloc(m->nd, sizeof *m->pair_b);
    m->occurrence = calloc(spec->nevents ? spec->nevents : 1, sizeof *m->occurrence);
    if (!m->k || !m->v || !m->per_occurrence || !m->d || !m->pair_a || !m->pair_b || !m->occurrence)
        goto fail;
    /* n <= SPEC_MAX_ACTORS: n * n cannot overflow. */
    const size_t n = (size_t)m->n, nn = n * n;
    m->cap = calloc(n, sizeof *m->cap);
    m->capk = calloc(n, sizeof *m->capk);
    m->ideology = calloc(n, sizeof *m->ideology);
    m->doctrine_on = calloc(n, sizeof *m->doctrine_on);
    m->exists = calloc(n, sizeof *m->exists);
    m->dirty_actor = calloc(n, sizeof *m->dirty_actor);
    m->rel = calloc(nn, sizeof *m->rel);
    m->hostility = calloc(nn, sizeof *m->hostility);
    m->X = calloc(nn, sizeof *m->X);
    m->host = calloc(nn, sizeof *m->host);
    m->theta = calloc(nn, sizeof *m->theta);
    m->theta_exo = calloc(nn, sizeof *m->theta_exo);
    if (!m->cap || !m->capk || !m->ideology || !m->doctrine_on || !m->exists || !m->dirty_actor || !m->rel ||
        !m->hostility ||
        !m->X || !m->host || !m->theta || !m->theta_exo)
        goto fail;
    for (int i = 1; i < 6; i++)
        if (!(m->rng[i] = rng_alloc(0, (uint64_t)i)))
            goto fail;
    for (int a = 0; a < m->n; a++)
        for (int b = a + 1; b < m->n; b++) {
            size_t di = didx(m, a, b);
            m->pair_a[di] = a;
            m->pair_b[di] = b;
        }
    for (size_t i = 0; i < spec->nparams; i++)
        m->per_occurrence[i] = (unsigned char)model_spec_param_per_occurrence(spec, i);
    for (int t = 0; t < K_COUNT; t++)
        if (kernel_set_handler(m->k, t, on_kernel_event) != 0)
            goto fail;
    kernel_set_advance(m->k, advance);
    return m;
fail:
    model_free(m);
    return NULL;
}

void model_free(model *m)
{
    if (!m)
        return;
    kernel_free(m->k);
    for (int i = 1; i < 6; i++)
        gsl_rng_free(m->rng[i]);
    free(m->v);
    free(m->per_occurrence);
    free(m->d);
    free(m->pair_a);
    free(m->pair_b);
    free(m->press);
    free(m->occurrence);
    free(m->cap);
    free(m->capk);
    free(m->ideology);
    free(m->doctrine_on);
    free(m->exists);
    free(m->dirty_actor);
    free(m->rel);
    free(m->hostility);
    free(m->X);
    free(m->host);
    free(m->theta);
    free(m->theta_exo);
    buf_clear(&m->text);
    free(m);
}

long model_draw_params(const model *m, uint64_t seed, double *v)
{
    const model_spec *s = m->spec;
    gsl_rng *r = m->rng[STREAM_PARAMS];
    seed_rng(r, seed, STREAM_PARAMS);
    for (size_t i = 0; i < s->nparams; i++)
        v[i] = m->per_occurrence[i] ? s->params[i].value : draw_param(&s->params[i], r);
    const spec_posterior *p = &s->posterior;
    if (p->n == 0)
        return -1;
    /* The particle comes from a substream of its own, after the scenario's
     * draws, so a posterior changes no other draw of the replication. */
    gsl_rng *rp = m->rng[STREAM_POSTERIOR];
    seed_rng(rp, seed, STREAM_POSTERIOR);
    size_t row = spec_posterior_pick(p, gsl_rng_uniform(rp));
    for (size_t c = 0; c < p->ncols; c++)
        v[p->param[c]] = p->value[row * p->ncols + c];
    return (long)row;
}

/* Sets the initial state of every actor and dyad from the spec. */
static void initial_state(model *m)
{
    const model_spec *s = m->spec;
    memset(m->d, 0, m->nd * sizeof *m->d);
    memset(m->hostility, 0, (size_t)m->n * (size_t)m->n * sizeof *m->hostility);
    m->npress = 0;
    for (int i = 0; i < m->n; i++) {
        m->ideology[i] = actor_param(m, i, AP_IDEOLOGY);
        m->doctrine_on[i] = 0;
    }
    update_capabilities(m, s->start);
    for (size_t i = 0; i < s->ninitial; i++) {
        const spec_initial *in = &s->initial[i];
        dyad *d = &m->d[didx(m, in->a, in->b)];
        d->x = clamp(m->v[in->p_x], -1.0, 1.0);
        d->border = in->border;
        d->economy = in->economy;
        d->commit = in->commitments;
    }
    /* The initial rung is the highest whose threshold x reaches and whose
     * commitments are in force, never a gated rung: an alliance must be
     * concluded by a decision.  The lowest rung is the fallback. */
    for (size_t i = 0; i < m->nd; i++) {
        dyad *d = &m->d[i];
        int r = rung_of_x(m, d->x);
        while (r > 0 && ((s->ladder[r].requires & ~d->commit) || s->ladder[r].gate))
            r--;
        d->rung = r;
    }
}

int model_run(model *m, uint64_t seed, const double *params, const model_observer *obs,
              model_outcome *out)
{
    const model_spec *s = m->spec;
    for (int i = 1; i < 5; i++)
        seed_rng(m->rng[i], seed, i);
    long particle = -1;
    if (params)
        memcpy(m->v, params, s->nparams * sizeof *m->v);
    else
        particle = model_draw_params(m, seed, m->v);

    m->obs = obs;
    m->out = (model_outcome){NAN, 0, NAN, 0, particle};
    m->rev_since = NAN;
    kernel_reset(m->k, s->start);
    initial_state(m);
    evaluate(m);
    for (size_t i = 0; i < m->nd; i++)
        notify_change(m, i);

    int rc = AS_OK;
    double first_year = floor(s->start) + 1.0;
    double first_sample = floor(s->start) + 0.5;
    if (first_sample < s->start)
        first_sample += 1.0;
    if (first_year <= s->horizon)
        rc = kernel_schedule(m->k, first_year, PRI_DATA, K_YEAR, 0, NULL);
    if (rc == AS_OK && first_sample <= s->horizon)
        rc = kernel_schedule(m->k, first_sample, PRI_SAMPLE, K_SAMPLE, 0, NULL);
    /* Reviews fall on the calendar grid floor(start) + m * review_every_years
     * (m = 1, 2, ...; the first grid point after the start), whatever the
     * start, so that they coincide with the data years and the mid-year
     * samples and share their evaluations.  Each time is computed from m,
     * not by adding periods, so no rounding error accumulates. */
    double every = m->v[MP_REVIEW_EVERY];
    m->review_base = floor(s->start);
    m->review_m = (uint64_t)floor((s->start - m->review_base) / every) + 1;
    if (rc == AS_OK)
        rc = schedule_review(m);
    /* The first occurrence of every event, in event order (the order of the
     * timing draws). */
    for (size_t i = 0; i < s->nevents && rc == 0; i++) {
        const spec_event *e = &s->events[i];
        double t = INFINITY;
        switch (e->timing) {
        case TIMING_AT:
            t = e->at;
            break;
        case TIMING_EVERY:
            m->occurrence[i] = 0;
            rc = schedule_every(m, i);
            continue;
        case TIMING_POISSON:
            if (m->v[e->p_rate] > 0.0)
                t = e->from + gsl_ran_exponential(m->rng[STREAM_TIMING], 1.0 / m->v[e->p_rate]);
            break;
        case TIMING_SERIES: {
            const spec_series *sr = &s->series[e->series];
            const double *years = s->series_data + sr->first;
            for (size_t j = 0; j < sr->n; j++)
                if (years[j] >= e->from) {
                    t = years[j];
                    break;
                }
            break;
        }
        }
        if (t >= s->start && t < e->until && t <= s->horizon)
            rc = kernel_schedule(m->k, t, PRI_EVENT, K_SCENARIO, (int64_t)i, NULL);
    }
    if (rc != AS_OK)
        return rc;

    kernel_stop why;
    rc = kernel_run(m->k, s->horizon, 0, m, &why);
    if (rc == 0) {
        /* Once more after the events at the horizon. */
        if (m->dirty)
            evaluate(m);
        track_reversal(m, s->horizon);
    }
    m->out.events = kernel_dispatched(m->k);
    if (out)
        *out = m->out;
    m->obs = NULL;
    return rc;
}

/* ---- accessors ------------------------------------------------------ */

const model_spec *model_get_spec(const model *m) { return m->spec; }
size_t model_ndyads(const model *m) { return m->nd; }

void model_dyad_actors(const model *m, size_t d, int *a, int *b)
{
    *a = m->pair_a[d];
    *b = m->pair_b[d];
}

double model_dyad_x(const model *m, size_t d) { return m->d[d].x; }
double model_dyad_target(const model *m, size_t d) { return m->d[d].target; }
int model_dyad_rung(const model *m, size_t d) { return m->d[d].rung; }
unsigned model_dyad_commitments(const model *m, size_t d) { return m->d[d].commit; }
int model_alliance_rung(const model *m) { return m->alliance_rung; }
double model_dyad_threat(const model *m, size_t d) { return m->d[d].threat; }
double model_dyad_threat_exogenous(const model *m, size_t d) { return m->d[d].threat_exo; }
double model_pressure_on_both(const model *m, int a, int b) { return pressure_on_both(m, a, b); }
double model_dyad_gate(const model *m, size_t d, int side) { return m->d[d].gate[side ? 1 : 0]; }

int model_dyad_active(const model *m, size_t d)
{
    return actor_exists(m, m->pair_a[d]) && actor_exists(m, m->pair_b[d]);
}
