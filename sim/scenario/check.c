/*
 * check - validates a libconfig tree against the settings table and fills a
 * model_spec from it.
 *
 * Every problem is reported (at the setting's file and line) and checking
 * goes on, so one run shows all errors of a file.  A value with an error is
 * replaced by its default so that later checks still have something to work
 * with; a spec filled with errors is never used (the caller clears it).
 *
 * Order matters where settings refer to each other: dates first (other
 * dates are checked against start and horizon), model parameters (their
 * indices must be MP_*), data tables (series that capabilities and event
 * timings name), actors, the ladder (labels that targets name), then the
 * dyad lists.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/tsv.h"
#include "scenario/loader.h"
#include "scenario/sweepfile.h"

#define BIT(i) (1u << (i))

/* What a getter found. */
typedef enum {
    GOT_BAD = -1,  /* present but wrong: reported, default returned */
    GOT_NONE = 0,  /* absent: default returned (or reported if required) */
    GOT_VALUE = 1  /* present and valid */
} got;

/* Most data-file errors reported per table; a binary file gives thousands. */
#define MAX_TABLE_ERRORS 20

/* ------------------------------------------------------------------ */
/* Messages                                                           */
/* ------------------------------------------------------------------ */

/* Appends a description of the value of s, as a user wrote it. */
static void write_found(strbuf *b, const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        sb_printf(b, "%d", config_setting_get_int(s));
        return;
    case CONFIG_TYPE_INT64:
        sb_printf(b, "%lldL", config_setting_get_int64(s));
        return;
    case CONFIG_TYPE_FLOAT:
        sb_num(b, config_setting_get_float(s));
        return;
    case CONFIG_TYPE_STRING: {
        const char *v = config_setting_get_string(s);
        if (strlen(v) > 60)
            sb_printf(b, "\"%.57s...\"", v);
        else
            sb_printf(b, "\"%s\"", v);
        return;
    }
    case CONFIG_TYPE_BOOL:
        sb_puts(b, config_setting_get_bool(s) ? "true" : "false");
        return;
    case CONFIG_TYPE_GROUP:
        sb_puts(b, "a group { }");
        return;
    case CONFIG_TYPE_LIST:
        sb_puts(b, "a list ( )");
        return;
    case CONFIG_TYPE_ARRAY:
        sb_puts(b, "an array [ ]");
        return;
    default:
        sb_puts(b, "nothing");
    }
}

/* Appends a range as [lo, hi], (lo, inf) etc. */
static void write_range(strbuf *b, double lo, double hi, unsigned flags)
{
    sb_puts(b, (flags & SF_LO_OPEN) || isinf(lo) ? "(" : "[");
    sb_num(b, lo);
    sb_puts(b, ", ");
    sb_num(b, hi);
    sb_puts(b, (flags & SF_HI_OPEN) || isinf(hi) ? ")" : "]");
}

static int in_range(double v, double lo, double hi, unsigned flags)
{
    if ((flags & SF_LO_OPEN) ? !(v > lo) : !(v >= lo))
        return 0;
    if ((flags & SF_HI_OPEN) ? !(v < hi) : !(v <= hi))
        return 0;
    return 1;
}

/* Reports "expected EXPECTED, found VALUE" at s; takes the text of b. */
static void expect_error(loader *L, const config_setting_t *s, strbuf *expected)
{
    sb_puts(expected, ", found ");
    write_found(expected, s);
    char *text = sb_take(expected);
    if (!text) {
        L->oom = 1;
        L->nerrors++;
        return;
    }
    ld_error(L, s, "expected %s", text);
    free(text);
}

/* Reports a required key missing from group g. */
static void missing(loader *L, const config_setting_t *g, const setting_def *d)
{
    ld_error(L, g, "missing required setting '%s' (%s)", d->name, settings_type_doc(d));
}

/* Writes "a, b, c" of the variants in mask, in table order. */
static void write_variants(strbuf *b, const setting_group *g, unsigned mask)
{
    int first = 1;
    for (size_t i = 0; i < g->nvariants; i++)
        if (mask & BIT(i)) {
            sb_printf(b, "%s%s", first ? "" : ", ", g->variants[i]);
            first = 0;
        }
}

/* Non-zero if key d is valid for this variant and timing (-1: unknown). */
static int valid_for(const setting_def *d, int variant, int timing)
{
    if (d->variants && variant >= 0 && !(d->variants & BIT(variant)))
        return 0;
    if (d->timings && timing >= 0 && !(d->timings & BIT(timing)))
        return 0;
    return 1;
}

/* Reports unknown key c of group grp, with a suggestion and the valid keys. */
static void unknown_key(loader *L, const config_setting_t *c, const setting_group *grp,
                        int variant, int timing)
{
    strbuf b = {0};
    const char *name = config_setting_name(c);
    ld_suggest sg;
    ld_suggest_init(&sg, name);
    for (size_t i = 0; i < grp->nkeys; i++)
        if (!(grp->keys[i].flags & SF_LOADER) && valid_for(&grp->keys[i], variant, -1))
            ld_suggest_add(&sg, grp->keys[i].name);
    ld_suggest_write(&sg, &b);
    char where[512];
    ld_path(config_setting_parent(c), where, sizeof where);
    sb_printf(&b, " (valid settings%s%s: ", where[0] ? " in " : " at the top level", where);
    int first = 1;
    for (size_t i = 0; i < grp->nkeys; i++) {
        const setting_def *d = &grp->keys[i];
        if ((d->flags & SF_LOADER) || !valid_for(d, variant, timing))
            continue;
        sb_printf(&b, "%s%s", first ? "" : ", ", d->name);
        first = 0;
    }
    sb_puts(&b, ")");
    char *text = sb_take(&b);
    ld_error(L, c, "unknown setting '%s'%s", name, text ? text : "");
    if (!text)
        L->oom = 1;
    free(text);
}

/*
 * Checks the names of the members of group g: each must be a key of grp
 * valid for the variant (and the event timing); -1 means unknown, and then
 * only unknown names are reported.
 */
static void check_keys(loader *L, const config_setting_t *g, const setting_group *grp,
                       int variant, int timing)
{
    int n = config_setting_length(g);
    for (int i = 0; i < n; i++) {
        const config_setting_t *c = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(c);
        const setting_def *d = settings_find(grp, name);
        if (!d) {
            unknown_key(L, c, grp, variant, timing);
        } else if (d->variants && variant >= 0 && !(d->variants & BIT(variant))) {
            strbuf b = {0};
            write_variants(&b, grp, d->variants);
            char *v = sb_take(&b);
            ld_error(L, c, "'%s' is only valid for %s %s, not for %s", name, v ? v : "?",
                     grp->variant_noun, grp->variants[variant]);
            free(v);
        } else if (d->timings && timing >= 0 && !(d->timings & BIT(timing))) {
            strbuf b = {0};
            int first = 1;
            for (int t = 0; t <= TIMING_SERIES; t++)
                if (d->timings & BIT(t)) {
                    sb_printf(&b, "%s%s", first ? "" : ", ", settings_timing_name((spec_timing)t));
                    first = 0;
                }
            char *v = sb_take(&b);
            ld_error(L, c, "'%s' is only valid with %s timing, not with %s", name, v ? v : "?",
                     settings_timing_name((spec_timing)timing));
            free(v);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Getters                                                            */
/* ------------------------------------------------------------------ */

static int as_number(const config_setting_t *s, double *v)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        *v = (double)config_setting_get_int(s);
        return 1;
    case CONFIG_TYPE_INT64:
        *v = (double)config_setting_get_int64(s);
        return 1;
    case CONFIG_TYPE_FLOAT:
        *v = config_setting_get_float(s);
        return 1;
    default:
        return 0;
    }
}

/*
 * Reads the number in s (an integer is accepted where a number is
 * expected), finite and within the range; what names it in messages ("a
 * number", "a year"), dist_ok adds "or a distribution group".
 */
static got read_number(loader *L, const config_setting_t *s, const char *what, double lo,
                       double hi, unsigned flags, int dist_ok, double *out)
{
    double v;
    strbuf b = {0};
    if (!as_number(s, &v) || !isfinite(v) || !in_range(v, lo, hi, flags)) {
        if (as_number(s, &v) && !isfinite(v))
            sb_printf(&b, "a finite %s", what + 2);
        else
            sb_puts(&b, what);
        if (!isinf(lo) || !isinf(hi)) {
            sb_puts(&b, " in ");
            write_range(&b, lo, hi, flags);
        }
        if (dist_ok)
            sb_puts(&b, " or a distribution group { dist = ...; }");
        expect_error(L, s, &b);
        return GOT_BAD;
    }
    *out = v;
    return GOT_VALUE;
}

int ld_number(loader *L, const config_setting_t *s, double lo, double hi, unsigned flags,
              double *out)
{
    return read_number(L, s, "a number", lo, hi, flags, 0, out) == GOT_VALUE ? 0 : -1;
}

/* Range of key d, with dates bounded by the scenario when it has sane dates. */
static void key_range(const loader *L, const setting_def *d, double *lo, double *hi)
{
    if (d->type == ST_DATE) {
        *lo = L->dates_ok ? L->start : -INFINITY;
        *hi = L->dates_ok ? L->horizon : INFINITY;
    } else {
        *lo = d->lo;
        *hi = d->hi;
    }
}

/* Number (ST_FLOAT, ST_DATE) key d of group g; *out = def when absent. */
static got get_number(loader *L, const config_setting_t *g, const setting_def *d, double def,
                      double *out)
{
    *out = def;
    const config_setting_t *s = ld_member(g, d->name);
    if (!s) {
        if (d->flags & SF_REQUIRED) {
            missing(L, g, d);
            return GOT_BAD;
        }
        return GOT_NONE;
    }
    double lo, hi;
    key_range(L, d, &lo, &hi);
    return read_number(L, s, d->type == ST_DATE ? "a year" : "a number", lo, hi, d->flags, 0, out);
}

/* Integer key d (ST_INT, ST_INT64) of group g. */
static got get_int(loader *L, const config_setting_t *g, const setting_def *d, long long *out)
{
    *out = (long long)d->def;
    const config_setting_t *s = ld_member(g, d->name);
    if (!s) {
        if (d->flags & SF_REQUIRED) {
            missing(L, g, d);
            return GOT_BAD;
        }
        return GOT_NONE;
    }
    int type = config_setting_type(s);
    long long v = 0;
    if (type == CONFIG_TYPE_INT)
        v = config_setting_get_int(s);
    else if (type == CONFIG_TYPE_INT64)
        v = config_setting_get_int64(s);
    if ((type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) || (double)v < d->lo ||
        (double)v > d->hi) {
        strbuf b = {0};
        sb_printf(&b, "an integer in [%lld, %lld]", (long long)d->lo,
                  d->hi >= 9223372036854775807.0 ? 9223372036854775807LL : (long long)d->hi);
        expect_error(L, s, &b);
        return GOT_BAD;
    }
    *out = v;
    return GOT_VALUE;
}

/* Checks that string s has d's pattern and length; reports at at. */
static got check_string(loader *L, const config_setting_t *at, const setting_def *d, const char *v)
{
    if (d->pattern != PAT_NONE && !settings_match(d->pattern, v)) {
        strbuf b = {0};
        sb_printf(&b, "%s", settings_pattern_doc(d->pattern));
        expect_error(L, at, &b);
        return GOT_BAD;
    }
    if (d->maxlen && strlen(v) > d->maxlen) {
        ld_error(L, at, "expected at most %zu characters, found %zu", d->maxlen, strlen(v));
        return GOT_BAD;
    }
    return GOT_VALUE;
}

/* String key d of group g; *out = its default ("" if none) when absent. */
static got get_string(loader *L, const config_setting_t *g, const setting_def *d, const char **out)
{
    *out = d->def_str ? d->def_str : "";
    const config_setting_t *s = ld_member(g, d->name);
    if (!s) {
        if (d->flags & SF_REQUIRED) {
            missing(L, g, d);
            return GOT_BAD;
        }
        return GOT_NONE;
    }
    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        strbuf b = {0};
        sb_puts(&b, "a string in double quotes");
        if (d->pattern != PAT_NONE)
            sb_printf(&b, " (%s)", settings_pattern_doc(d->pattern));
        expect_error(L, s, &b);
        return GOT_BAD;
    }
    const char *v = config_setting_get_string(s);
    if (check_string(L, s, d, v) != GOT_VALUE)
        return GOT_BAD;
    *out = v;
    return GOT_VALUE;
}

static got get_bool(loader *L, const config_setting_t *g, const setting_def *d, int *out)
{
    *out = d->def != 0.0;
    const config_setting_t *s = ld_member(g, d->name);
    if (!s)
        return GOT_NONE;
    if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
        strbuf b = {0};
        sb_puts(&b, "true or false");
        expect_error(L, s, &b);
        return GOT_BAD;
    }
    *out = config_setting_get_bool(s);
    return GOT_VALUE;
}

/*
 * String list key d of group g: an array or list of strings, each checked
 * against d's pattern.  *out is the setting (NULL when absent or bad).
 */
static got get_strings(loader *L, const config_setting_t *g, const setting_def *d,
                       const config_setting_t **out)
{
    *out = NULL;
    const config_setting_t *s = ld_member(g, d->name);
    if (!s) {
        if (d->flags & SF_REQUIRED) {
            missing(L, g, d);
            return GOT_BAD;
        }
        return GOT_NONE;
    }
    if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
        strbuf b = {0};
        sb_puts(&b, "a list of strings such as [\"a\", \"b\"]");
        expect_error(L, s, &b);
        return GOT_BAD;
    }
    got st = GOT_VALUE;
    int n = config_setting_length(s);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING) {
            strbuf b = {0};
            sb_puts(&b, "a string");
            expect_error(L, e, &b);
            st = GOT_BAD;
            continue;
        }
        const char *v = config_setting_get_string(e);
        if (d->pattern == PAT_COMMITMENT && !spec_commitment_from_name(v)) {
            strbuf b = {0};
            ld_suggest sg;
            ld_suggest_init(&sg, v);
            ld_suggest_add(&sg, "nonaggression");
            ld_suggest_add(&sg, "consultation");
            ld_suggest_add(&sg, "defence");
            ld_suggest_write(&sg, &b);
            char *hint = sb_take(&b);
            ld_error(L, e, "unknown commitment \"%s\"%s (valid: nonaggression, consultation, defence)",
                     v, hint ? hint : "");
            free(hint);
            st = GOT_BAD;
        } else if (check_string(L, e, d, v) != GOT_VALUE) {
            st = GOT_BAD;
        }
    }
    if (st == GOT_VALUE)
        *out = s;
    return st;
}

/*
 * Number list key d of group g (ST_NUMBERS): an array or list of at most
 * max numbers, each within d's range, copied into out[] with the count in
 * *n.  GOT_NONE (and *n = 0) when absent.
 */
static got get_numbers(loader *L, const config_setting_t *g, const setting_def *d, double *out,
                       size_t max, size_t *n)
{
    *n = 0;
    const config_setting_t *s = ld_member(g, d->name);
    if (!s)
        return GOT_NONE;
    if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
        strbuf b = {0};
        sb_puts(&b, "a list of numbers such as [1.0, 2.5]");
        expect_error(L, s, &b);
        return GOT_BAD;
    }
    int len = config_setting_length(s);
    if (len < 1 || (size_t)len > max) {
        ld_error(L, s, "expected 1 to %zu numbers, found %d", max, len);
        return GOT_BAD;
    }
    got st = GOT_VALUE;
    for (int i = 0; i < len; i++) {
        double v;
        if (read_number(L, config_setting_get_elem(s, (unsigned)i), "a number", d->lo, d->hi, d->flags,
                        0, &v) != GOT_VALUE)
            st = GOT_BAD;
        else
            out[*n] = v;
        (*n)++;
    }
    if (st != GOT_VALUE)
        *n = 0;
    return st;
}

/* Commitment list key d of group g as SPEC_C_* flags. */
static got get_commitments(loader *L, const config_setting_t *g, const setting_def *d,
                           unsigned *out)
{
    *out = 0;
    const config_setting_t *s;
    got st = get_strings(L, g, d, &s);
    if (st != GOT_VALUE)
        return st;
    for (int i = 0; i < config_setting_length(s); i++)
        *out |= spec_commitment_from_name(config_setting_get_string_elem(s, i));
    return GOT_VALUE;
}

/*
 * Aggregate key d of group g: a group for ST_GROUP and ST_MAP, a list for
 * ST_LIST (an empty array [] counts as an empty list), with an entry count
 * within [d->lo, d->hi] when d->hi > 0.  NULL when absent or wrong.
 */
static const config_setting_t *get_aggregate(loader *L, const config_setting_t *g,
                                             const setting_def *d)
{
    const config_setting_t *s = ld_member(g, d->name);
    if (!s) {
        if (d->flags & SF_REQUIRED)
            missing(L, g, d);
        return NULL;
    }
    int ok = d->type == ST_LIST
                 ? config_setting_is_list(s) ||
                       (config_setting_is_array(s) && config_setting_length(s) == 0)
                 : config_setting_is_group(s);
    if (!ok) {
        strbuf b = {0};
        sb_puts(&b, d->type == ST_LIST ? "a list of groups ( { ... }, { ... } )"
                                       : "a group { ... }");
        expect_error(L, s, &b);
        return NULL;
    }
    int n = config_setting_length(s);
    if (d->hi > 0.0 && ((double)n < d->lo || (double)n > d->hi))
        ld_error(L, s, "expected %.0f to %.0f entries, found %d", d->lo, d->hi, n);
    return s;
}

/* Element i of list s, which must be a group; NULL (reported) otherwise. */
static const config_setting_t *list_group(loader *L, const config_setting_t *s, int i)
{
    const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
    if (!config_setting_is_group(e)) {
        strbuf b = {0};
        sb_puts(&b, "a group { ... }");
        expect_error(L, e, &b);
        return NULL;
    }
    return e;
}

/* ------------------------------------------------------------------ */
/* Parameters and distributions                                       */
/* ------------------------------------------------------------------ */

/* Reads dist key name of group s (range from the dist table). */
static got dist_number(loader *L, const config_setting_t *s, const char *name, double *out)
{
    return get_number(L, s, settings_find(settings_dist(), name), NAN, out);
}

/* Checks that value v of dist key name in s lies within the setting's
 * range; path names the setting. */
static int dist_within(loader *L, const config_setting_t *s, const char *name, double v,
                       double lo, double hi, unsigned flags, const char *path)
{
    if (in_range(v, lo, hi, flags))
        return 1;
    strbuf b = {0};
    sb_puts(&b, "a value in ");
    write_range(&b, lo, hi, flags);
    sb_printf(&b, " (the range of %s)", path);
    const config_setting_t *at = ld_member(s, name);
    expect_error(L, at ? at : s, &b);
    return 0;
}

/*
 * Reads distribution group s for a setting with range [lo, hi] (flags give
 * open ends) into *p: dist and value (the mean, clamped to the range).
 */
static got read_dist(loader *L, const config_setting_t *s, const char *path, double lo,
                     double hi, unsigned flags, spec_param *p)
{
    const setting_group *dg = settings_dist();
    const config_setting_t *ds = ld_member(s, "dist");
    int variant = -1;
    if (!ds) {
        ld_error(L, s, "missing required setting 'dist' (uniform, normal, beta or lognormal)");
    } else if (config_setting_type(ds) != CONFIG_TYPE_STRING) {
        strbuf b = {0};
        sb_puts(&b, "\"uniform\", \"normal\", \"beta\" or \"lognormal\"");
        expect_error(L, ds, &b);
    } else if ((variant = settings_variant(dg, config_setting_get_string(ds))) < 0) {
        strbuf b = {0};
        ld_suggest sg;
        ld_suggest_init(&sg, config_setting_get_string(ds));
        for (size_t i = 0; i < dg->nvariants; i++)
            ld_suggest_add(&sg, dg->variants[i]);
        ld_suggest_write(&sg, &b);
        char *hint = sb_take(&b);
        ld_error(L, ds, "unknown distribution \"%s\"%s (valid: uniform, normal, beta, lognormal)",
                 config_setting_get_string(ds), hint ? hint : "");
        free(hint);
    }
    check_keys(L, s, dg, variant, -1);
    if (variant < 0)
        return GOT_BAD;

    got st = GOT_VALUE;
    double a = NAN, b = NAN, c = 0.0, d = 0.0, mean = NAN;
    switch ((spec_dist_kind)(variant + 1)) {
    case DIST_UNIFORM: {
        int ok = 1;
        if (!ld_member(s, "min")) {
            ld_error(L, s, "missing required setting 'min' (a number) of the uniform distribution");
            ok = 0;
        }
        if (!ld_member(s, "max")) {
            ld_error(L, s, "missing required setting 'max' (a number) of the uniform distribution");
            ok = 0;
        }
        if (!ok || dist_number(L, s, "min", &a) != GOT_VALUE ||
            dist_number(L, s, "max", &b) != GOT_VALUE)
            return GOT_BAD;
        if (!(a < b)) {
            ld_error(L, ld_member(s, "max"), "expected max > min, found min %.15g and max %.15g", a, b);
            return GOT_BAD;
        }
        if (!dist_within(L, s, "min", a, lo, hi, flags, path) ||
            !dist_within(L, s, "max", b, lo, hi, flags, path))
            st = GOT_BAD;
        mean = (a + b) / 2.0;
        break;
    }
    case DIST_NORMAL:
        if (dist_number(L, s, "mean", &a) != GOT_VALUE || dist_number(L, s, "sd", &b) != GOT_VALUE)
            return GOT_BAD;
        if (!dist_within(L, s, "mean", a, lo, hi, flags, path))
            st = GOT_BAD;
        mean = a;
        break;
    case DIST_BETA:
        if (dist_number(L, s, "a", &a) != GOT_VALUE || dist_number(L, s, "b", &b) != GOT_VALUE)
            return GOT_BAD;
        c = lo;
        d = hi;
        if (dist_number(L, s, "min", &c) == GOT_BAD || dist_number(L, s, "max", &d) == GOT_BAD)
            return GOT_BAD;
        if (!ld_member(s, "min"))
            c = lo;
        if (!ld_member(s, "max"))
            d = hi;
        if (!isfinite(c) || !isfinite(d)) {
            ld_error(L, s, "a beta distribution needs finite min and max; the range of %s is "
                           "unbounded, so give both", path);
            return GOT_BAD;
        }
        if (!(c < d)) {
            ld_error(L, s, "expected max > min, found min %.15g and max %.15g", c, d);
            return GOT_BAD;
        }
        if (!dist_within(L, s, "min", c, lo, hi, flags & ~(unsigned)SF_LO_OPEN, path) ||
            !dist_within(L, s, "max", d, lo, hi, flags & ~(unsigned)SF_HI_OPEN, path))
            st = GOT_BAD;
        mean = c + (d - c) * a / (a + b);
        break;
    case DIST_LOGNORMAL:
        if (dist_number(L, s, "mu", &a) != GOT_VALUE || dist_number(L, s, "sigma", &b) != GOT_VALUE)
            return GOT_BAD;
        /* Draws above a finite upper end are clamped to it by the model;
         * below a lower end of 0 or more there is nothing to clamp. */
        if (lo < 0.0) {
            strbuf r = {0};
            write_range(&r, lo, hi, flags);
            char *rt = sb_take(&r);
            ld_error(L, s, "a lognormal draws from (0, inf), so it needs a setting whose range "
                           "starts at 0 or above, not the range %s of %s; use a beta, a uniform "
                           "or a (truncated) normal", rt ? rt : "?", path);
            free(rt);
            return GOT_BAD;
        }
        mean = exp(a + b * b / 2.0);
        if (!isfinite(mean)) {
            ld_error(L, s, "the lognormal's mean exp(mu + sigma^2/2) is not a finite number");
            return GOT_BAD;
        }
        break;
    case DIST_FIXED:
        return GOT_BAD;
    }
    p->dist.kind = (spec_dist_kind)(variant + 1);
    p->dist.a = a;
    p->dist.b = b;
    p->dist.c = c;
    p->dist.d = d;
    p->value = mean < lo ? lo : mean > hi ? hi : mean;
    return st;
}

/*
 * Parameter key d of group g (a number or a distribution) with range
 * [lo, hi] and default def: always appended to the spec under path, with
 * the default when absent or bad, so that indices stay in table order.
 */
static got get_param(loader *L, const config_setting_t *g, const setting_def *d, const char *path,
                     double lo, double hi, double def, size_t *index)
{
    spec_param p;
    memset(&p, 0, sizeof p);
    p.value = def;
    p.dist.kind = DIST_FIXED;
    got st = GOT_NONE;
    const config_setting_t *s = ld_member(g, d->name);
    if (!s) {
        if (d->flags & SF_REQUIRED) {
            missing(L, g, d);
            st = GOT_BAD;
        }
    } else if (config_setting_is_group(s)) {
        st = read_dist(L, s, path, lo, hi, d->flags, &p);
        if (st != GOT_VALUE) {
            memset(&p.dist, 0, sizeof p.dist);
            p.value = def;
        }
    } else {
        st = read_number(L, s, "a number", lo, hi, d->flags, 1, &p.value);
    }
    if (model_spec_add_param(L->spec, path, p.value, lo, hi, index) != 0) {
        L->oom = 1;
        *index = 0;
        return GOT_BAD;
    }
    L->spec->params[*index].dist = p.dist;
    return st;
}

/* ------------------------------------------------------------------ */
/* References between settings                                        */
/* ------------------------------------------------------------------ */

/* Writes the actor ids, comma-separated. */
static void write_actor_ids(strbuf *b, const model_spec *spec)
{
    for (int i = 0; i < spec->nactors; i++)
        sb_printf(b, "%s%s", i ? ", " : "", spec->actors[i].id);
    if (spec->nactors == 0)
        sb_puts(b, "none");
}

/* Index of actor id, or -1 with an error at s listing the actors. */
static int find_actor(loader *L, const config_setting_t *s, const char *id, const char *context)
{
    int a = model_spec_find_actor(L->spec, id);
    if (a >= 0)
        return a;
    strbuf b = {0};
    ld_suggest sg;
    ld_suggest_init(&sg, id);
    for (int i = 0; i < L->spec->nactors; i++)
        ld_suggest_add(&sg, L->spec->actors[i].id);
    ld_suggest_write(&sg, &b);
    sb_puts(&b, " (valid actors: ");
    write_actor_ids(&b, L->spec);
    sb_puts(&b, ")");
    char *hint = sb_take(&b);
    ld_error(L, s, "unknown actor '%s'%s%s", id, context, hint ? hint : "");
    free(hint);
    return -1;
}

/* Index of series name, or -1 with an error at s listing the series. */
static int find_series(loader *L, const config_setting_t *s, const char *name)
{
    int i = model_spec_find_series(L->spec, name);
    if (i >= 0)
        return i;
    strbuf b = {0};
    ld_suggest sg;
    ld_suggest_init(&sg, name);
    for (size_t k = 0; k < L->spec->nseries; k++)
        ld_suggest_add(&sg, L->spec->series[k].name);
    ld_suggest_write(&sg, &b);
    sb_puts(&b, " (available series: ");
    size_t shown = 0;
    for (size_t k = 0; k < L->spec->nseries; k++) {
        /* Inline capabilities are series too, but naming them is an odd choice. */
        if (strncmp(L->spec->series[k].name, "actors.", 7) == 0)
            continue;
        sb_printf(&b, "%s%s", shown ? ", " : "", L->spec->series[k].name);
        shown++;
    }
    sb_puts(&b, shown ? ")" : "none: define tables in `data`)");
    char *hint = sb_take(&b);
    ld_error(L, s, "unknown series \"%s\"%s", name, hint ? hint : "");
    free(hint);
    return -1;
}

/*
 * Dyad key d ("a-b") of group g into actor indices *a < *b.  Returns
 * GOT_VALUE, or GOT_BAD (reported); GOT_NONE when absent and optional.
 */
static got get_dyad(loader *L, const config_setting_t *g, const setting_def *d, int *a, int *b)
{
    *a = *b = -1;
    const char *v;
    got st = get_string(L, g, d, &v);
    if (st != GOT_VALUE)
        return st;
    const config_setting_t *s = ld_member(g, d->name);
    const char *dash = strchr(v, '-');
    char ida[SPEC_ID_LEN], idb[SPEC_ID_LEN];
    if (!dash || dash == v || !dash[1] || strchr(dash + 1, '-') ||
        (size_t)(dash - v) >= sizeof ida || strlen(dash + 1) >= sizeof idb) {
        strbuf e = {0};
        sb_puts(&e, "a dyad \"a-b\" of two actor ids");
        expect_error(L, s, &e);
        return GOT_BAD;
    }
    snprintf(ida, sizeof ida, "%.*s", (int)(dash - v), v);
    snprintf(idb, sizeof idb, "%s", dash + 1);
    int ia = find_actor(L, s, ida, " in the dyad");
    int ib = find_actor(L, s, idb, " in the dyad");
    if (ia < 0 || ib < 0)
        return GOT_BAD;
    if (ia == ib) {
        ld_error(L, s, "expected two distinct actors, found the dyad \"%s\" of '%s' with itself", v,
                 ida);
        return GOT_BAD;
    }
    *a = ia < ib ? ia : ib;
    *b = ia < ib ? ib : ia;
    return GOT_VALUE;
}

/* ------------------------------------------------------------------ */
/* Top level                                                          */
/* ------------------------------------------------------------------ */

static void check_header(loader *L, const config_setting_t *root)
{
    const setting_group *g = settings_root();
    const char *name;
    if (get_string(L, root, settings_find(g, "name"), &name) == GOT_VALUE)
        snprintf(L->spec->name, sizeof L->spec->name, "%s", name);
    const char *desc;
    if (get_string(L, root, settings_find(g, "description"), &desc) == GOT_VALUE)
        snprintf(L->spec->description, sizeof L->spec->description, "%s", desc);

    const setting_def *ds = settings_find(g, "start"), *dh = settings_find(g, "horizon");
    got s1 = get_number(L, root, ds, ds->def, &L->start);
    got s2 = get_number(L, root, dh, dh->def, &L->horizon);
    L->dates_ok = s1 != GOT_BAD && s2 != GOT_BAD;
    if (L->dates_ok && !(L->start < L->horizon)) {
        const config_setting_t *at = ld_member(root, "horizon");
        if (!at)
            at = ld_member(root, "start");
        ld_error(L, at ? at : root,
                 "dates out of order: expected horizon after start, found start %.15g and "
                 "horizon %.15g",
                 L->start, L->horizon);
        L->dates_ok = 0;
    }
    L->spec->start = L->start;
    L->spec->horizon = L->horizon;

    long long seed;
    get_int(L, root, settings_find(g, "seed"), &seed);
    L->spec->seed = (uint64_t)seed;
}

static void check_model(loader *L, const config_setting_t *root)
{
    const setting_def *md = settings_find(settings_root(), "model");
    const config_setting_t *m = get_aggregate(L, root, md);
    if (m)
        check_keys(L, m, md->group, -1, -1);
    for (size_t i = 0; i < md->group->nkeys; i++) {
        const setting_def *d = &md->group->keys[i];
        char path[SPEC_PATH_LEN];
        snprintf(path, sizeof path, "model.%s", d->name);
        size_t index;
        get_param(L, m, d, path, d->lo, d->hi, d->def, &index);
        /* The table lists model parameters in spec_model_param order. */
        if (!L->oom && index != (size_t)d->index)
            ld_error(L, m, "internal error: parameter %s has index %zu, not %d", path, index,
                     d->index);
    }
}

/* ------------------------------------------------------------------ */
/* Data tables                                                        */
/* ------------------------------------------------------------------ */

/* A table being read: column names and a row-major grid of values. */
typedef struct {
    char **cols;
    size_t ncols;
    double *cells;
    size_t nrows, cap;
    size_t errors;
} grid;

static void grid_clear(grid *t)
{
    for (size_t i = 0; i < t->ncols; i++)
        free(t->cols[i]);
    free(t->cols);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

static int grid_set_cols(grid *t, size_t n)
{
    t->cols = calloc(n ? n : 1, sizeof *t->cols);
    if (!t->cols)
        return -1;
    t->ncols = n;
    return 0;
}

static int grid_set_col(grid *t, size_t i, const char *name)
{
    size_t len = strlen(name);
    t->cols[i] = malloc(len + 1);
    if (!t->cols[i])
        return -1;
    memcpy(t->cols[i], name, len + 1);
    return 0;
}

/* Appends a row of ncols values (uninitialised); returns it, or NULL. */
static double *grid_add_row(grid *t)
{
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        if (cap > ((size_t)-1) / sizeof(double) / t->ncols)
            return NULL;
        double *p = realloc(t->cells, cap * t->ncols * sizeof *p);
        if (!p)
            return NULL;
        t->cells = p;
        t->cap = cap;
    }
    return t->cells + t->nrows++ * t->ncols;
}

/*
 * Reads a table from a TSV file named by setting fs (relative to the folder
 * of the file in which fs appears).  Errors in the file are reported at the
 * file's own lines; returns 0 when the grid is usable.
 */
static int read_table_file(loader *L, const config_setting_t *fs, grid *t)
{
    int rc = -1;
    tsv_table *tab = NULL;
    char *err = NULL;
    char dirbuf[4096], full[4096], shown[4096];
    const char *file = config_setting_get_string(fs);
    const char *dir = ld_setting_dir(L, fs, dirbuf, sizeof dirbuf);
    if (file[0] == '/' || !dir)
        snprintf(full, sizeof full, "%s", file);
    else
        snprintf(full, sizeof full, "%s/%s", dir, file);
    snprintf(shown, sizeof shown, "%s", full);
    ld_normalise_path(shown);

    struct stat st;
    int serr = stat(full, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (serr) {
        ld_error(L, fs, "cannot read data file '%s': %s", shown, strerror(serr));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        /* A device or a pipe could be read without end (/dev/zero). */
        ld_error(L, fs, "cannot read data file '%s': not a regular file (a device, a pipe or a socket)",
                 shown);
        goto done;
    }
    size_t errlen = 16384;
    err = malloc(errlen);
    if (!err) {
        L->oom = 1;
        goto done;
    }
    tab = tsv_read(full, err, errlen);
    if (!tab) {
        /* Relay the reader's lines ("FULL:LINE: error: ..." or "FULL: reason"),
         * showing the normalised name. */
        size_t flen = strlen(full);
        for (char *line = err, *next; line && *line; line = next) {
            next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            if (strncmp(line, full, flen) == 0 && strncmp(line + flen, ": ", 2) == 0) {
                ld_error(L, fs, "cannot read data file '%s': %s", shown, line + flen + 2);
            } else if (strncmp(line, full, flen) == 0 && line[flen] == ':') {
                strbuf b = {0};
                sb_printf(&b, "%s%s", shown, line + flen);
                char *text = sb_take(&b);
                if (text)
                    ld_diag(L, text);
                else
                    L->oom = 1;
                free(text);
            } else {
                ld_error_at(L, shown, 0, "%s", line);
            }
        }
        goto done;
    }
    size_t nc = tsv_cols(tab), nr = tsv_rows(tab);
    if (nc < 2 || strcmp(tsv_colname(tab, 0), "year") != 0) {
        ld_error(L, fs, "data file '%s': expected a header line 'year<TAB>COLUMN...' with at "
                        "least one data column, found %zu column%s starting with '%s'",
                 shown, nc, nc == 1 ? "" : "s", nc ? tsv_colname(tab, 0) : "");
        goto done;
    }
    if (grid_set_cols(t, nc) != 0) {
        L->oom = 1;
        goto done;
    }
    for (size_t c = 0; c < nc; c++)
        if (grid_set_col(t, c, tsv_colname(tab, c)) != 0) {
            L->oom = 1;
            goto done;
        }
    size_t before = L->nerrors;
    for (size_t r = 0; r < nr; r++) {
        double *row = grid_add_row(t);
        if (!row) {
            L->oom = 1;
            goto done;
        }
        int line = (int)tsv_row_line(tab, r);
        for (size_t c = 0; c < nc; c++) {
            const char *cell = tsv_cell(tab, r, c);
            double v;
            int ok = tsv_parse_double(cell, &v) == 0 && !isinf(v) && !(c == 0 && isnan(v));
            if (ok && c == 0 && r > 0 && !(v > row[-(long)nc])) {
                if (t->errors++ < MAX_TABLE_ERRORS)
                    ld_error_at(L, shown, line,
                                "years must increase strictly: expected a year after %.15g, "
                                "found %s",
                                row[-(long)nc], cell);
            } else if (!ok && t->errors++ < MAX_TABLE_ERRORS) {
                ld_error_at(L, shown, line, "column '%s': expected %s, found '%.40s'",
                            tsv_colname(tab, c), c == 0 ? "a finite year" : "a finite number or NA",
                            cell);
            }
            row[c] = ok ? v : NAN;
        }
    }
    if (t->errors > MAX_TABLE_ERRORS)
        ld_error_at(L, shown, 0, "%zu more errors in this file not shown",
                    t->errors - MAX_TABLE_ERRORS);
    rc = L->nerrors == before ? 0 : -1;

done:
    free(err);
    tsv_free(tab);
    return rc;
}

/* Reads an inline table (columns + rows settings of group g). */
static int read_table_inline(loader *L, const config_setting_t *g, grid *t)
{
    const setting_group *tg = settings_find(settings_root(), "data")->group;
    const config_setting_t *cols;
    if (get_strings(L, g, settings_find(tg, "columns"), &cols) != GOT_VALUE)
        return -1;
    size_t nc = (size_t)config_setting_length(cols);
    if (nc < 2 || strcmp(config_setting_get_string_elem(cols, 0), "year") != 0) {
        ld_error(L, cols, "expected [\"year\", COLUMN, ...] with at least one data column");
        return -1;
    }
    if (grid_set_cols(t, nc) != 0) {
        L->oom = 1;
        return -1;
    }
    for (size_t c = 0; c < nc; c++) {
        const char *name = config_setting_get_string_elem(cols, (int)c);
        for (size_t k = 0; k < c; k++)
            if (strcmp(t->cols[k], name) == 0) {
                ld_error(L, config_setting_get_elem(cols, (unsigned)c),
                         "duplicate column name \"%s\"", name);
                return -1;
            }
        if (grid_set_col(t, c, name) != 0) {
            L->oom = 1;
            return -1;
        }
    }
    const config_setting_t *rows = ld_member(g, "rows");
    if (!config_setting_is_list(rows) &&
        !(config_setting_is_array(rows) && config_setting_length(rows) == 0)) {
        strbuf b = {0};
        sb_puts(&b, "a list of rows ( (1946.0, 0.13, \"NA\"), ... )");
        expect_error(L, rows, &b);
        return -1;
    }
    size_t before = L->nerrors;
    int nr = config_setting_length(rows);
    for (int r = 0; r < nr; r++) {
        const config_setting_t *row = config_setting_get_elem(rows, (unsigned)r);
        double *out = grid_add_row(t);
        if (!out) {
            L->oom = 1;
            return -1;
        }
        for (size_t c = 0; c < nc; c++)
            out[c] = NAN;
        if ((!config_setting_is_list(row) && !config_setting_is_array(row)) ||
            (size_t)config_setting_length(row) != nc) {
            if (t->errors++ < MAX_TABLE_ERRORS) {
                strbuf b = {0};
                sb_printf(&b, "a row of %zu cells (one per column)", nc);
                if (config_setting_is_aggregate(row))
                    sb_printf(&b, ", found %d cells", config_setting_length(row));
                if (config_setting_is_aggregate(row)) {
                    char *text = sb_take(&b);
                    ld_error(L, row, "expected %s", text ? text : "");
                    free(text);
                } else {
                    expect_error(L, row, &b);
                }
            }
            continue;
        }
        for (size_t c = 0; c < nc; c++) {
            const config_setting_t *cell = config_setting_get_elem(row, (unsigned)c);
            double v = NAN;
            int ok = as_number(cell, &v) ? isfinite(v)
                                         : config_setting_type(cell) == CONFIG_TYPE_STRING &&
                                               strcmp(config_setting_get_string(cell), "NA") == 0 &&
                                               c > 0;
            if (!ok) {
                if (t->errors++ < MAX_TABLE_ERRORS) {
                    strbuf b = {0};
                    sb_printf(&b, "%s in column '%s'",
                              c == 0 ? "a finite year" : "a finite number or \"NA\"", t->cols[c]);
                    expect_error(L, cell, &b);
                }
                v = NAN;
            } else if (c == 0 && r > 0 && !(v > out[-(long)nc]) && !isnan(out[-(long)nc])) {
                if (t->errors++ < MAX_TABLE_ERRORS)
                    ld_error(L, cell, "years must increase strictly: expected a year after "
                                      "%.15g, found %.15g",
                             out[-(long)nc], v);
            }
            out[c] = v;
        }
    }
    if (t->errors > MAX_TABLE_ERRORS)
        ld_error(L, rows, "%zu more errors in this table not shown", t->errors - MAX_TABLE_ERRORS);
    return L->nerrors == before ? 0 : -1;
}

/* Adds the series "T.C" of grid t named tname; records the table. */
static void add_table_series(loader *L, const config_setting_t *g, const char *tname, grid *t)
{
    size_t n = t->nrows;
    double *years = malloc((n ? n : 1) * sizeof *years);
    double *vals = malloc((n ? n : 1) * sizeof *vals);
    loaded_table *tabs = realloc(L->tables, (L->ntables + 1) * sizeof *tabs);
    if (tabs)
        L->tables = tabs;
    if (!years || !vals || !tabs) {
        L->oom = 1;
        goto done;
    }
    loaded_table *rec = &L->tables[L->ntables];
    snprintf(rec->name, sizeof rec->name, "%s", tname);
    rec->first = L->spec->nseries;
    rec->ncols = 0;
    for (size_t r = 0; r < n; r++)
        years[r] = t->cells[r * t->ncols];
    for (size_t c = 1; c < t->ncols; c++) {
        char name[SPEC_PATH_LEN];
        int w = snprintf(name, sizeof name, "%s.%s", tname, t->cols[c]);
        if (w < 0 || (size_t)w >= sizeof name) {
            ld_error(L, g, "series name \"%s.%s\" is too long (at most %d characters)", tname,
                     t->cols[c], SPEC_PATH_LEN - 1);
            goto done;
        }
        if (model_spec_find_series(L->spec, name) >= 0) {
            ld_error(L, g, "series \"%s\" is defined twice", name);
            goto done;
        }
        for (size_t r = 0; r < n; r++)
            vals[r] = t->cells[r * t->ncols + c];
        if (model_spec_add_series(L->spec, name, years, vals, n, NULL) != 0) {
            L->oom = 1;
            goto done;
        }
        rec->ncols++;
    }
    L->ntables++;

done:
    free(years);
    free(vals);
}

static void check_data(loader *L, const config_setting_t *root)
{
    const setting_def *dd = settings_find(settings_root(), "data");
    const config_setting_t *data = get_aggregate(L, root, dd);
    if (!data)
        return;
    for (int i = 0; i < config_setting_length(data); i++) {
        const config_setting_t *g = config_setting_get_elem(data, (unsigned)i);
        const char *tname = config_setting_name(g);
        grid t;
        memset(&t, 0, sizeof t);
        if (!settings_match(PAT_TABLE, tname)) {
            ld_error(L, g, "expected a table name of %s, found '%s'",
                     settings_pattern_doc(PAT_TABLE), tname);
            continue;
        }
        if (!config_setting_is_group(g)) {
            strbuf b = {0};
            sb_puts(&b, "a table { file = \"...\"; source = \"...\"; }");
            expect_error(L, g, &b);
            continue;
        }
        check_keys(L, g, dd->group, -1, -1);
        const char *src;
        get_string(L, g, settings_find(dd->group, "source"), &src);
        const char *file;
        got fst = get_string(L, g, settings_find(dd->group, "file"), &file);
        int has_cols = ld_member(g, "columns") != NULL, has_rows = ld_member(g, "rows") != NULL;
        int rc = -1;
        if (fst != GOT_NONE && (has_cols || has_rows)) {
            ld_error(L, g, "expected either `file` or `columns` and `rows`, found both");
        } else if (fst == GOT_VALUE) {
            rc = read_table_file(L, ld_member(g, "file"), &t);
        } else if (fst == GOT_NONE && has_cols && has_rows) {
            rc = read_table_inline(L, g, &t);
        } else if (fst == GOT_NONE) {
            ld_error(L, g, "expected `file = \"data/T.tsv\";` or `columns` and `rows`, found %s",
                     has_cols ? "`columns` without `rows`"
                              : has_rows ? "`rows` without `columns`" : "neither");
        }
        if (rc == 0)
            add_table_series(L, g, tname, &t);
        grid_clear(&t);
    }
}

/* ------------------------------------------------------------------ */
/* Actors                                                             */
/* ------------------------------------------------------------------ */

/* Inline capability: a list of (year, value) pairs; adds the series. */
static int read_capability_pairs(loader *L, const config_setting_t *s, const char *id)
{
    int rc = -1;
    int n = config_setting_length(s);
    double *years = malloc((size_t)(n > 0 ? n : 1) * sizeof *years);
    double *vals = malloc((size_t)(n > 0 ? n : 1) * sizeof *vals);
    if (!years || !vals) {
        L->oom = 1;
        goto done;
    }
    if (n == 0) {
        strbuf b = {0};
        sb_puts(&b, "at least one (year, value) pair");
        expect_error(L, s, &b);
        goto done;
    }
    size_t before = L->nerrors;
    for (int i = 0; i < n; i++) {
        const config_setting_t *p = config_setting_get_elem(s, (unsigned)i);
        double y = NAN, v = NAN;
        if ((!config_setting_is_list(p) && !config_setting_is_array(p)) ||
            config_setting_length(p) != 2) {
            strbuf b = {0};
            sb_puts(&b, "a pair (year, value)");
            expect_error(L, p, &b);
            continue;
        }
        const config_setting_t *ys = config_setting_get_elem(p, 0), *vs = config_setting_get_elem(p, 1);
        if (read_number(L, ys, "a year", -INFINITY, INFINITY, 0, 0, &y) != GOT_VALUE)
            continue;
        if (config_setting_type(vs) == CONFIG_TYPE_STRING &&
            strcmp(config_setting_get_string(vs), "NA") == 0)
            v = NAN;
        else if (read_number(L, vs, "a number", 0.0, INFINITY, 0, 0, &v) != GOT_VALUE)
            continue;
        if (i > 0 && L->nerrors == before && !(y > years[i - 1])) {
            ld_error(L, ys, "years must increase strictly: expected a year after %.15g, found %.15g",
                     years[i - 1], y);
            continue;
        }
        years[i] = y;
        vals[i] = v;
    }
    if (L->nerrors != before)
        goto done;
    char name[SPEC_PATH_LEN];
    snprintf(name, sizeof name, "actors.%s.capability", id);
    if (model_spec_find_series(L->spec, name) >= 0) {
        ld_error(L, s, "series \"%s\" is defined twice", name);
        goto done;
    }
    size_t index;
    if (model_spec_add_series(L->spec, name, years, vals, (size_t)n, &index) != 0) {
        L->oom = 1;
        goto done;
    }
    rc = (int)index;

done:
    free(years);
    free(vals);
    return rc;
}

static void check_actor(loader *L, const config_setting_t *g, const setting_group *ag)
{
    const char *id = config_setting_name(g);
    spec_actor *a = &L->spec->actors[L->spec->nactors];
    memset(a, 0, sizeof *a);
    a->capability = -1;
    if (!settings_match(PAT_ID, id) || strlen(id) >= SPEC_ID_LEN)
        ld_error(L, g, "expected an actor id of %s (at most %d characters), found '%s'",
                 settings_pattern_doc(PAT_ID), SPEC_ID_LEN - 1, id);
    snprintf(a->id, sizeof a->id, "%s", id);
    snprintf(a->name, sizeof a->name, "%s", id);
    const config_setting_t *body = g;
    if (!config_setting_is_group(g)) {
        strbuf b = {0};
        sb_puts(&b, "an actor { name = \"...\"; capability = ...; }");
        expect_error(L, g, &b);
        body = NULL;
    } else {
        check_keys(L, g, ag, -1, -1);
    }
    const char *name;
    if (get_string(L, body, settings_find(ag, "name"), &name) == GOT_VALUE)
        snprintf(a->name, sizeof a->name, "%s", name);

    const setting_def *cd = settings_find(ag, "capability");
    const config_setting_t *cap = ld_member(body, "capability");
    if (!cap) {
        if (body)
            missing(L, body, cd);
    } else if (config_setting_type(cap) == CONFIG_TYPE_STRING) {
        a->capability = find_series(L, cap, config_setting_get_string(cap));
    } else if (config_setting_is_list(cap) || config_setting_is_array(cap)) {
        a->capability = read_capability_pairs(L, cap, id);
    } else {
        strbuf b = {0};
        sb_puts(&b, "a series name \"table.column\" or a list of (year, value) pairs");
        expect_error(L, cap, &b);
    }

    for (size_t i = 0; i < ag->nkeys; i++) {
        const setting_def *d = &ag->keys[i];
        if (d->type != ST_PARAM)
            continue;
        char path[SPEC_PATH_LEN];
        snprintf(path, sizeof path, "actors.%s.%s", a->id, d->name);
        size_t index;
        get_param(L, body, d, path, d->lo, d->hi, d->def, &index);
        if (d->index == 0)
            a->param0 = index;
    }
    L->spec->nactors++;
}

static void check_actors(loader *L, const config_setting_t *root)
{
    const setting_def *ad = settings_find(settings_root(), "actors");
    const config_setting_t *actors = get_aggregate(L, root, ad);
    if (!actors)
        return;
    int n = config_setting_length(actors);
    for (int i = 0; i < n && i < SPEC_MAX_ACTORS; i++)
        check_actor(L, config_setting_get_elem(actors, (unsigned)i), ad->group);
}

/* ------------------------------------------------------------------ */
/* Ladder                                                             */
/* ------------------------------------------------------------------ */

static void check_ladder(loader *L, const config_setting_t *root)
{
    const setting_def *ld = settings_find(settings_root(), "ladder");
    const setting_group *rg = ld->group;
    const config_setting_t *ladder = get_aggregate(L, root, ld);
    if (!ladder)
        return;
    int n = config_setting_length(ladder);
    const spec_rung *prev = NULL;
    for (int i = 0; i < n && i < SPEC_MAX_LABELS; i++) {
        const config_setting_t *g = list_group(L, ladder, i);
        if (!g)
            continue;
        check_keys(L, g, rg, -1, -1);
        spec_rung *r = &L->spec->ladder[L->spec->nrungs];
        memset(r, 0, sizeof *r);
        long long label;
        got ls = get_int(L, g, settings_find(rg, "label"), &label);
        r->label = (int)label;
        const char *name;
        if (get_string(L, g, settings_find(rg, "name"), &name) == GOT_VALUE)
            snprintf(r->name, sizeof r->name, "%s", name);
        const setting_def *xd = settings_find(rg, "x_min");
        got xs = get_number(L, g, xd, -INFINITY, &r->x_min);
        if (xs == GOT_NONE && i > 0) {
            ld_error(L, g, "missing required setting 'x_min' (a number in [-1, 1]); only the "
                           "first rung may omit it");
            xs = GOT_BAD;
        }
        get_commitments(L, g, settings_find(rg, "requires"), &r->requires);
        get_bool(L, g, settings_find(rg, "gate"), &r->gate);
        if (prev && ls == GOT_VALUE && !(r->label > prev->label))
            ld_error(L, ld_member(g, "label"),
                     "labels must increase strictly down the ladder: expected a label above "
                     "%d, found %d",
                     prev->label, r->label);
        if (prev && xs == GOT_VALUE && !(r->x_min > prev->x_min))
            ld_error(L, ld_member(g, "x_min"),
                     "thresholds must increase strictly down the ladder: expected x_min above "
                     "%.15g, found %.15g",
                     prev->x_min, r->x_min);
        L->spec->nrungs++;
        prev = (ls == GOT_VALUE && xs != GOT_BAD) ? r : NULL;
    }
}

/* ------------------------------------------------------------------ */
/* Initial conditions                                                 */
/* ------------------------------------------------------------------ */

static void check_initial(loader *L, const config_setting_t *root)
{
    const setting_def *id = settings_find(settings_root(), "initial");
    const setting_group *ig = id->group;
    const config_setting_t *list = get_aggregate(L, root, id);
    if (!list)
        return;
    for (int i = 0; i < config_setting_length(list); i++) {
        const config_setting_t *g = list_group(L, list, i);
        if (!g)
            continue;
        check_keys(L, g, ig, -1, -1);
        spec_initial in;
        memset(&in, 0, sizeof in);
        got ds = get_dyad(L, g, settings_find(ig, "dyad"), &in.a, &in.b);
        if (ds == GOT_VALUE)
            for (size_t k = 0; k < L->spec->ninitial; k++)
                if (L->spec->initial[k].a == in.a && L->spec->initial[k].b == in.b) {
                    ld_error(L, ld_member(g, "dyad"),
                             "dyad \"%s-%s\" is listed twice (also initial.[%zu])",
                             L->spec->actors[in.a].id, L->spec->actors[in.b].id, k);
                    ds = GOT_BAD;
                    break;
                }
        const setting_def *xd = settings_find(ig, "x");
        char path[SPEC_PATH_LEN];
        snprintf(path, sizeof path, "initial.[%d].x", i);
        get_param(L, g, xd, path, xd->lo, xd->hi, xd->def, &in.p_x);
        const setting_def *bd = settings_find(ig, "border"), *ed = settings_find(ig, "economy");
        get_number(L, g, bd, bd->def, &in.border);
        get_number(L, g, ed, ed->def, &in.economy);
        get_commitments(L, g, settings_find(ig, "commitments"), &in.commitments);
        /* Keep list position = index so that paths "initial.[i]" match. */
        if (model_spec_add_initial(L->spec, &in) != 0)
            L->oom = 1;
    }
}

/* ------------------------------------------------------------------ */
/* Events                                                             */
/* ------------------------------------------------------------------ */

/* The timing of event g: the one of at/every/rate/series present, or -1
 * (reported) when none or several are. */
static int event_timing(loader *L, const config_setting_t *g)
{
    int timing = -1, count = 0;
    strbuf found = {0};
    for (int t = TIMING_AT; t <= TIMING_SERIES; t++) {
        const char *name = settings_timing_name((spec_timing)t);
        if (ld_member(g, name)) {
            sb_printf(&found, "%s%s", count ? " and " : "", name);
            timing = t;
            count++;
        }
    }
    char *text = sb_take(&found);
    if (count != 1)
        ld_error(L, g, "expected exactly one timing (at, every, rate or series), found %s",
                 count ? (text ? text : "several") : "none");
    free(text);
    return count == 1 ? timing : -1;
}

/* Event actors: known, distinct, as many as the kind needs. */
static void event_actors(loader *L, const config_setting_t *g, const setting_def *d, int kind,
                         spec_event *e)
{
    const config_setting_t *s;
    if (get_strings(L, g, d, &s) != GOT_VALUE)
        return;
    int n = config_setting_length(s);
    for (int i = 0; i < n && e->nactors < SPEC_MAX_EVENT_ACTORS; i++) {
        const config_setting_t *el = config_setting_get_elem(s, (unsigned)i);
        int a = find_actor(L, el, config_setting_get_string(el), "");
        if (a < 0)
            continue;
        int dup = 0;
        for (int k = 0; k < e->nactors; k++)
            dup |= e->actors[k] == a;
        if (dup) {
            ld_error(L, el, "actor '%s' is named twice", config_setting_get_string(el));
            continue;
        }
        e->actors[e->nactors++] = a;
    }
    if (kind < 0)
        return;
    const event_rule *r = settings_event_rule((spec_event_kind)kind);
    const char *kname = spec_event_kind_name((spec_event_kind)kind);
    if (n < r->min_actors || n > r->max_actors) {
        if (r->min_actors == r->max_actors)
            ld_error(L, s, "%s events need exactly %d actor%s, found %d", kname, r->min_actors,
                     r->min_actors == 1 ? "" : "s", n);
        else
            ld_error(L, s, "%s events need %d to %d actors (%s), found %d", kname, r->min_actors,
                     r->max_actors, r->actors_doc, n);
    }
}

/* Copies the file and line of event g's declaration into e; a name too
 * long for spec_event.file keeps its end, which tells files apart. */
static void where_of(const loader *L, const config_setting_t *g, spec_event *e)
{
    char file[4096];
    e->line = ld_where(L, g, file, sizeof file);
    size_t n = strlen(file), room = sizeof e->file - 1;
    if (n <= room)
        memcpy(e->file, file, n + 1);
    else
        snprintf(e->file, sizeof e->file, "...%s", file + n - (room - 3));
}

static void check_event(loader *L, const config_setting_t *g, int i, const setting_group *eg)
{
    spec_event e;
    memset(&e, 0, sizeof e);
    e.series = -1;
    e.expires = INFINITY;
    e.active = 1;
    e.p_every = e.p_rate = e.p_duration = SPEC_NO_PARAM;
    where_of(L, g, &e);

    /* The type selects the valid keys. */
    const char *type;
    int kind = -1;
    if (get_string(L, g, settings_find(eg, "type"), &type) == GOT_VALUE) {
        kind = spec_event_kind_from_name(type);
        if (kind < 0) {
            strbuf b = {0};
            ld_suggest sg;
            ld_suggest_init(&sg, type);
            for (size_t k = 0; k < eg->nvariants; k++)
                ld_suggest_add(&sg, eg->variants[k]);
            ld_suggest_write(&sg, &b);
            sb_puts(&b, " (valid types: ");
            write_variants(&b, eg, ~0u);
            sb_puts(&b, ")");
            char *hint = sb_take(&b);
            ld_error(L, ld_member(g, "type"), "unknown event type \"%s\"%s", type,
                     hint ? hint : "");
            free(hint);
        }
    }
    int timing = event_timing(L, g);
    check_keys(L, g, eg, kind, timing);
    e.kind = kind >= 0 ? (spec_event_kind)kind : EV_SUMMIT;
    e.timing = timing >= 0 ? (spec_timing)timing : TIMING_AT;

    event_actors(L, g, settings_find(eg, "actors"), kind, &e);

    char path[SPEC_PATH_LEN];
    const setting_def *d;
    got fs = GOT_NONE, us = GOT_NONE;
    switch (timing) {
    case TIMING_AT:
        get_number(L, g, settings_find(eg, "at"), L->start, &e.at);
        e.from = e.at;
        e.until = L->horizon;
        break;
    case TIMING_EVERY:
    case TIMING_POISSON:
    case TIMING_SERIES:
        fs = get_number(L, g, settings_find(eg, "from"), L->start, &e.from);
        us = get_number(L, g, settings_find(eg, "until"), L->horizon, &e.until);
        e.at = e.from;
        if (fs != GOT_BAD && us != GOT_BAD && L->dates_ok && !(e.from < e.until)) {
            const config_setting_t *at = ld_member(g, us == GOT_VALUE ? "until" : "from");
            ld_error(L, at, "dates out of order: expected from before until, found from %.15g "
                            "and until %.15g",
                     e.from, e.until);
        }
        break;
    default:
        break;
    }
    if (timing == TIMING_EVERY) {
        d = settings_find(eg, "every");
        snprintf(path, sizeof path, "events.[%d].every", i);
        get_param(L, g, d, path, d->lo, d->hi, 1.0, &e.p_every);
        get_number(L, g, settings_find(eg, "jitter"), 0.0, &e.jitter_years);
    } else if (timing == TIMING_POISSON) {
        d = settings_find(eg, "rate");
        snprintf(path, sizeof path, "events.[%d].rate", i);
        get_param(L, g, d, path, d->lo, d->hi, 0.0, &e.p_rate);
    } else if (timing == TIMING_SERIES) {
        const char *sname;
        if (get_string(L, g, settings_find(eg, "series"), &sname) == GOT_VALUE)
            e.series = find_series(L, ld_member(g, "series"), sname);
    }

    /* Magnitude: a summit without one uses model.summit_warmth. */
    d = settings_find(eg, "magnitude");
    if (kind >= 0 && settings_event_rule((spec_event_kind)kind)->magnitude_is_warmth &&
        !ld_member(g, "magnitude")) {
        e.p_magnitude = MP_SUMMIT_WARMTH;
    } else {
        double def = kind >= 0 ? settings_event_rule((spec_event_kind)kind)->magnitude : 0.0;
        double lo = (timing == TIMING_EVERY || timing == TIMING_POISSON) ? 0.0 : d->lo;
        snprintf(path, sizeof path, "events.[%d].magnitude", i);
        get_param(L, g, d, path, lo, d->hi, def, &e.p_magnitude);
    }
    d = settings_find(eg, "duration");
    if (kind >= 0 && (d->variants & BIT(kind))) {
        snprintf(path, sizeof path, "events.[%d].duration", i);
        get_param(L, g, d, path, d->lo, d->hi, d->def, &e.p_duration);
    }

    if (kind == EV_TREATY) {
        got cs = get_commitments(L, g, settings_find(eg, "commitments"), &e.commitments);
        if (cs == GOT_VALUE && e.commitments == 0)
            ld_error(L, ld_member(g, "commitments"),
                     "expected at least one commitment (nonaggression, consultation, defence), "
                     "found none");
        d = settings_find(eg, "expires");
        if (get_number(L, g, d, INFINITY, &e.expires) == GOT_VALUE && !(e.expires > e.at) &&
            timing >= 0)
            ld_error(L, ld_member(g, "expires"),
                     "dates out of order: expected expires after %s %.15g, found %.15g",
                     timing == TIMING_AT ? "at" : "from", e.at, e.expires);
    }
    if (kind == EV_REGIME_CHANGE) {
        d = settings_find(eg, "ideology");
        get_number(L, g, d, 0.0, &e.ideology);
    }
    if (kind == EV_DOCTRINE)
        get_bool(L, g, settings_find(eg, "active"), &e.active);
    const char *note;
    if (get_string(L, g, settings_find(eg, "note"), &note) == GOT_VALUE)
        snprintf(e.note, sizeof e.note, "%s", note);
    /* Its uniqueness is checked by check_events(). */
    const config_setting_t *ids = ld_member(g, "id");
    if (ids && config_setting_type(ids) == CONFIG_TYPE_STRING)
        snprintf(e.id, sizeof e.id, "%s", config_setting_get_string(ids));
    if (model_spec_add_event(L->spec, &e) != 0)
        L->oom = 1;
}

static void check_events(loader *L, const config_setting_t *root)
{
    const setting_def *ed = settings_find(settings_root(), "events");
    const config_setting_t *list = get_aggregate(L, root, ed);
    if (!list)
        return;
    int n = config_setting_length(list);
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = list_group(L, list, i);
        if (!g)
            continue;
        check_event(L, g, i, ed->group);
        /* Event ids are unique: counterfactuals and the event log name
         * events by them. */
        const char *id;
        if (get_string(L, g, settings_find(ed->group, "id"), &id) != GOT_VALUE)
            continue;
        for (int k = 0; k < i; k++) {
            const config_setting_t *other = ld_member(config_setting_get_elem(list, (unsigned)k), "id");
            if (other && config_setting_type(other) == CONFIG_TYPE_STRING &&
                strcmp(config_setting_get_string(other), id) == 0) {
                ld_error(L, ld_member(g, "id"), "event id \"%s\" is used twice (also events.[%d])",
                         id, k);
                break;
            }
        }
    }
}

/* ------------------------------------------------------------------ */
/* Targets and outcome                                                */
/* ------------------------------------------------------------------ */

static void check_target(loader *L, const config_setting_t *g, const setting_group *tg)
{
    spec_target t;
    memset(&t, 0, sizeof t);
    const char *kname;
    int variant = -1;
    if (get_string(L, g, settings_find(tg, "kind"), &kname) == GOT_VALUE) {
        variant = settings_variant(tg, kname);
        if (variant < 0) {
            strbuf b = {0};
            ld_suggest sg;
            ld_suggest_init(&sg, kname);
            for (size_t k = 0; k < tg->nvariants; k++)
                ld_suggest_add(&sg, tg->variants[k]);
            ld_suggest_write(&sg, &b);
            sb_puts(&b, " (valid kinds: ");
            write_variants(&b, tg, ~0u);
            sb_puts(&b, ")");
            char *hint = sb_take(&b);
            ld_error(L, ld_member(g, "kind"), "unknown target kind \"%s\"%s", kname,
                     hint ? hint : "");
            free(hint);
        }
    }
    check_keys(L, g, tg, variant, -1);
    t.kind = variant >= 0 ? settings_target_kind(variant) : TARGET_UP;
    get_dyad(L, g, settings_find(tg, "dyad"), &t.a, &t.b);
    got ys = get_number(L, g, settings_find(tg, "year"), L->start, &t.year);
    got as = get_number(L, g, settings_find(tg, "after"), L->start, &t.after);
    if (ys == GOT_VALUE && as != GOT_BAD && !(t.after <= t.year))
        ld_error(L, as == GOT_VALUE ? ld_member(g, "after") : ld_member(g, "year"),
                 "dates out of order: expected after <= year, found after %.15g and year %.15g",
                 t.after, t.year);
    const setting_def *ld = settings_find(tg, "label");
    if (variant >= 0 && (ld->variants & BIT(variant))) {
        long long label;
        if (get_int(L, g, ld, &label) == GOT_VALUE) {
            t.label = (int)label;
            int found = 0;
            for (int r = 0; r < L->spec->nrungs; r++)
                found |= L->spec->ladder[r].label == t.label;
            if (!found) {
                strbuf b = {0};
                for (int r = 0; r < L->spec->nrungs; r++)
                    sb_printf(&b, "%s%d", r ? ", " : "", L->spec->ladder[r].label);
                char *labels = sb_take(&b);
                ld_error(L, ld_member(g, "label"),
                         "expected a label of the ladder (%s), found %d",
                         labels && *labels ? labels : "none", t.label);
                free(labels);
            }
        }
    }
    const setting_def *cd = settings_find(tg, "commitment");
    if (variant >= 0 && (cd->variants & BIT(variant))) {
        const char *c;
        if (get_string(L, g, cd, &c) == GOT_VALUE)
            t.commitment = spec_commitment_from_name(c);
    }
    const char *note;
    if (get_string(L, g, settings_find(tg, "note"), &note) == GOT_VALUE)
        snprintf(t.note, sizeof t.note, "%s", note);
    if (model_spec_add_target(L->spec, &t) != 0)
        L->oom = 1;
}

static void check_targets(loader *L, const config_setting_t *root)
{
    const setting_def *td = settings_find(settings_root(), "targets");
    const config_setting_t *list = get_aggregate(L, root, td);
    if (!list)
        return;
    for (int i = 0; i < config_setting_length(list); i++) {
        const config_setting_t *g = list_group(L, list, i);
        if (g)
            check_target(L, g, td->group);
    }
}

static void check_outcome(loader *L, const config_setting_t *root)
{
    const setting_def *od = settings_find(settings_root(), "outcome");
    const config_setting_t *g = get_aggregate(L, root, od);
    if (g)
        check_keys(L, g, od->group, -1, -1);
    L->spec->outcome_a = L->spec->nactors >= 2 ? 0 : -1;
    L->spec->outcome_b = L->spec->nactors >= 2 ? 1 : -1;
    int a, b;
    if (get_dyad(L, g, settings_find(od->group, "dyad"), &a, &b) == GOT_VALUE) {
        L->spec->outcome_a = a;
        L->spec->outcome_b = b;
    }
    get_number(L, g, settings_find(od->group, "alliance_after"), L->start,
               &L->spec->alliance_after);
}

/* The loader's records (overrides and what a variant did): kept as they
 * are, only their form is checked. */
static void check_records(loader *L, const config_setting_t *root)
{
    const setting_group *rg = settings_root();
    const config_setting_t *s;
    get_strings(L, root, settings_find(rg, "overrides"), &s);
    get_strings(L, root, settings_find(rg, "derived_from"), &s);
    get_strings(L, root, settings_find(rg, "removed_events"), &s);
    const setting_def *sd = settings_find(rg, "scaled_events");
    const config_setting_t *list = get_aggregate(L, root, sd);
    for (int i = 0; list && i < config_setting_length(list); i++) {
        const config_setting_t *g = list_group(L, list, i);
        if (!g)
            continue;
        check_keys(L, g, sd->group, -1, -1);
        const char *id;
        double factor;
        get_string(L, g, settings_find(sd->group, "id"), &id);
        get_number(L, g, settings_find(sd->group, "factor"), 1.0, &factor);
    }
}

/*
 * The claim group: the reversal the claim command schedules and its bounds.
 * Absent keys take their defaults (targets: the outcome dyad; at: the
 * horizon less 6 years, not before the start); third_power stays -1 when
 * absent, and the claim command reports it.
 */
static void check_claim(loader *L, const config_setting_t *root)
{
    const setting_def *cd = settings_find(settings_root(), "claim");
    const setting_group *cg = cd->group;
    const config_setting_t *g = get_aggregate(L, root, cd);
    if (g)
        check_keys(L, g, cg, -1, -1);
    spec_claim *c = &L->spec->claim;
    model_spec *spec = L->spec;
    c->third_power = -1;
    const char *id;
    if (get_string(L, g, settings_find(cg, "third_power"), &id) == GOT_VALUE)
        c->third_power = find_actor(L, ld_member(g, "third_power"), id, " as claim's third power");

    c->ntargets = 0;
    const config_setting_t *ts;
    got tg = get_strings(L, g, settings_find(cg, "targets"), &ts);
    if (tg == GOT_VALUE) {
        int n = config_setting_length(ts);
        if (n < 1 || n > SPEC_MAX_EVENT_ACTORS - 1)
            ld_error(L, ts, "expected 1 to %d actor ids, found %d", SPEC_MAX_EVENT_ACTORS - 1, n);
        for (int i = 0; i < n && i < SPEC_MAX_EVENT_ACTORS - 1; i++) {
            const config_setting_t *e = config_setting_get_elem(ts, (unsigned)i);
            int a = find_actor(L, e, config_setting_get_string(e), " among claim's targets");
            if (a < 0)
                continue;
            for (int k = 0; k < c->ntargets; k++)
                if (c->targets[k] == a) {
                    ld_error(L, e, "actor '%s' is named twice", spec->actors[a].id);
                    a = -1;
                    break;
                }
            if (a >= 0 && a == c->third_power) {
                ld_error(L, e, "the third power '%s' cannot be one of its own targets", spec->actors[a].id);
                a = -1;
            }
            if (a >= 0)
                c->targets[c->ntargets++] = a;
        }
    } else if (tg == GOT_NONE && spec->outcome_a >= 0 && spec->outcome_b >= 0) {
        c->targets[c->ntargets++] = spec->outcome_a;
        c->targets[c->ntargets++] = spec->outcome_b;
        if (c->third_power == spec->outcome_a || c->third_power == spec->outcome_b)
            ld_error(L, ld_member(g, "third_power"),
                     "the third power '%s' is one of the outcome dyad, which the claim's reversal "
                     "confronts by default; name other `targets`",
                     spec->actors[c->third_power].id);
    }

    double at_default = L->horizon - 6.0;
    if (at_default < L->start)
        at_default = L->start;
    get_number(L, g, settings_find(cg, "at"), at_default, &c->at);
    get_number(L, g, settings_find(cg, "duration"), settings_find(cg, "duration")->def, &c->duration_years);
    get_number(L, g, settings_find(cg, "strength"), settings_find(cg, "strength")->def, &c->strength);
    get_number(L, g, settings_find(cg, "window_years"), settings_find(cg, "window_years")->def,
               &c->window_years);
    get_number(L, g, settings_find(cg, "bound_no_reversal"), settings_find(cg, "bound_no_reversal")->def,
               &c->bound_no_reversal);
    get_number(L, g, settings_find(cg, "bound_reversal"), settings_find(cg, "bound_reversal")->def,
               &c->bound_reversal);
    get_number(L, g, settings_find(cg, "confidence"), settings_find(cg, "confidence")->def, &c->confidence);

    const setting_def *sd = settings_find(cg, "strengths");
    got sg = get_numbers(L, g, sd, c->strengths, SPEC_MAX_CLAIM_STRENGTHS, &c->nstrengths);
    if (sg == GOT_NONE) {
        for (int i = 1; i <= 10; i++)
            c->strengths[c->nstrengths++] = 0.5 * i;
    } else if (sg == GOT_VALUE) {
        for (size_t i = 1; i < c->nstrengths; i++)
            if (!(c->strengths[i] > c->strengths[i - 1])) {
                ld_error(L, ld_member(g, "strengths"),
                         "expected strictly increasing strengths, found %.15g after %.15g",
                         c->strengths[i], c->strengths[i - 1]);
                break;
            }
    }
}

/*
 * The calibrate group (optional): free parameters by path, each a number
 * the scenario has (near matches listed otherwise), at most once, with a
 * search range inside the parameter's valid range; order targets by target
 * index.  Parameters are known once the whole scenario has been checked,
 * so this runs after everything that adds parameters.
 */
static void check_calibrate(loader *L, const config_setting_t *root)
{
    const setting_def *cd = settings_find(settings_root(), "calibrate");
    const setting_group *cg = cd->group;
    spec_calibrate *c = &L->spec->calibrate;
    model_spec *spec = L->spec;
    memset(c, 0, sizeof *c);
    c->fit_until = INFINITY;
    const config_setting_t *g = get_aggregate(L, root, cd);
    if (!g)
        return;
    c->present = 1;
    check_keys(L, g, cg, -1, -1);
    long long v;
    get_int(L, g, settings_find(cg, "reps"), &v);
    c->reps = (unsigned)v;
    get_int(L, g, settings_find(cg, "starts"), &v);
    c->starts = (unsigned)v;
    get_int(L, g, settings_find(cg, "max_iterations"), &v);
    c->max_iterations = (unsigned)v;
    get_number(L, g, settings_find(cg, "fit_until"), INFINITY, &c->fit_until);
    get_number(L, g, settings_find(cg, "cap_years"), settings_find(cg, "cap_years")->def, &c->cap_years);
    get_number(L, g, settings_find(cg, "tolerance"), settings_find(cg, "tolerance")->def, &c->tolerance);

    const setting_def *fd = settings_find(cg, "free");
    const config_setting_t *list = get_aggregate(L, g, fd);
    for (int i = 0; list && i < config_setting_length(list); i++) {
        const config_setting_t *e = list_group(L, list, i);
        if (!e)
            continue;
        check_keys(L, e, fd->group, -1, -1);
        const char *path;
        double mn, mx;
        got ps = get_string(L, e, settings_find(fd->group, "path"), &path);
        got ns = get_number(L, e, settings_find(fd->group, "min"), 0.0, &mn);
        got xs = get_number(L, e, settings_find(fd->group, "max"), 0.0, &mx);
        if (ps != GOT_VALUE)
            continue;
        long p = model_spec_find_param(spec, path);
        if (p < 0) {
            char near[1024];
            if (sweepfile_near_params(spec, path, near, sizeof near))
                ld_error(L, ld_member(e, "path"), "unknown parameter \"%s\"; near matches: %s", path, near);
            else
                ld_error(L, ld_member(e, "path"),
                         "unknown parameter \"%s\": expected the path of a number of this scenario, such as "
                         "model.w_threat or actors.china.doctrine_cost",
                         path);
            continue;
        }
        for (size_t j = 0; j < c->nfree; j++)
            if (c->free[j].param == (size_t)p) {
                ld_error(L, ld_member(e, "path"), "parameter \"%s\" is free twice", path);
                p = -1;
                break;
            }
        if (p < 0 || ns != GOT_VALUE || xs != GOT_VALUE)
            continue;
        const spec_param *sp = &spec->params[p];
        if (!(mn < mx)) {
            ld_error(L, ld_member(e, "max"), "expected max > min, found min %.15g and max %.15g", mn, mx);
            continue;
        }
        if (mn < sp->lo || mx > sp->hi) {
            ld_error(L, e, "the range [%.15g, %.15g] is not within the valid range [%.15g, %.15g] of %s", mn, mx,
                     sp->lo, sp->hi, path);
            continue;
        }
        if (c->nfree < SPEC_MAX_FREE)
            c->free[c->nfree++] = (spec_free_param){(size_t)p, mn, mx};
    }

    const setting_def *od = settings_find(cg, "orders");
    list = get_aggregate(L, g, od);
    for (int i = 0; list && i < config_setting_length(list); i++) {
        const config_setting_t *e = list_group(L, list, i);
        if (!e)
            continue;
        check_keys(L, e, od->group, -1, -1);
        long long a, b;
        got as = get_int(L, e, settings_find(od->group, "first"), &a);
        got bs = get_int(L, e, settings_find(od->group, "second"), &b);
        if (as != GOT_VALUE || bs != GOT_VALUE)
            continue;
        int bad = 0;
        const char *names[2] = {"first", "second"};
        long long idx[2] = {a, b};
        for (int k = 0; k < 2; k++)
            if ((size_t)idx[k] >= spec->ntargets) {
                ld_error(L, ld_member(e, names[k]), "expected a target index from 0 to %zu, found %lld",
                         spec->ntargets ? spec->ntargets - 1 : 0, idx[k]);
                bad = 1;
            }
        if (!bad && a == b) {
            ld_error(L, ld_member(e, "second"), "expected two different targets, found %lld twice", a);
            bad = 1;
        }
        if (!bad && c->norders < SPEC_MAX_ORDERS)
            c->orders[c->norders++] = (spec_order){(size_t)a, (size_t)b};
    }
}

size_t ld_check(loader *L, const config_t *cfg)
{
    const config_setting_t *root = config_root_setting(cfg);
    const setting_group *rg = settings_root();
    check_keys(L, root, rg, -1, -1);
    check_header(L, root);
    check_model(L, root);
    check_data(L, root);
    check_actors(L, root);
    check_ladder(L, root);
    check_initial(L, root);
    check_events(L, root);
    check_targets(L, root);
    check_outcome(L, root);
    check_claim(L, root);
    check_calibrate(L, root);
    check_records(L, root);
    return L->nerrors;
}
