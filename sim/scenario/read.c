/*
 * read - typed getters of settings, against the settings table; see read.h.
 *
 * Messages name what was expected and what was found ("expected a number
 * in [0, 20], found 25"), with the valid choices and the nearest valid name
 * where there is a list of them.
 */
#include "scenario/read.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/literal.h"

#define BIT(i) (1u << (i))

/* ------------------------------------------------------------------ */
/* Messages                                                           */
/* ------------------------------------------------------------------ */

/* Appends a description of the value of s, as a user wrote it. */
static void write_found(buf *b, const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        buf_printf(b, "%d", config_setting_get_int(s));
        return;
    case CONFIG_TYPE_INT64:
        buf_printf(b, "%lldL", config_setting_get_int64(s));
        return;
    case CONFIG_TYPE_FLOAT:
        lit_num(b, config_setting_get_float(s));
        return;
    case CONFIG_TYPE_STRING: {
        const char *v = config_setting_get_string(s);
        if (strlen(v) > 60)
            buf_printf(b, "\"%.57s...\"", v);
        else
            buf_printf(b, "\"%s\"", v);
        return;
    }
    case CONFIG_TYPE_BOOL:
        buf_puts(b, config_setting_get_bool(s) ? "true" : "false");
        return;
    case CONFIG_TYPE_GROUP:
        buf_puts(b, "a group { }");
        return;
    case CONFIG_TYPE_LIST:
        buf_puts(b, "a list ( )");
        return;
    case CONFIG_TYPE_ARRAY:
        buf_puts(b, "an array [ ]");
        return;
    default:
        buf_puts(b, "nothing");
    }
}

/* Appends a range as [lo, hi], (lo, inf) etc. */
static void write_range(buf *b, double lo, double hi, unsigned flags)
{
    buf_puts(b, (flags & SF_LO_OPEN) || isinf(lo) ? "(" : "[");
    lit_num(b, lo);
    buf_puts(b, ", ");
    lit_num(b, hi);
    buf_puts(b, (flags & SF_HI_OPEN) || isinf(hi) ? ")" : "]");
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
void ld_expect_error(loader *L, const config_setting_t *s, buf *expected)
{
    buf_puts(expected, ", found ");
    write_found(expected, s);
    char *text = buf_take(expected);
    if (!text) {
        L->oom = 1;
        L->nerrors++;
        return;
    }
    ld_error(L, s, "expected %s", text);
    free(text);
}

/* Reports a required key missing from group g. */
void ld_missing(loader *L, const config_setting_t *g, const setting_def *d)
{
    ld_error(L, g, "missing required setting '%s' (%s)", d->name, settings_type_doc(d));
}

/* Writes "a, b, c" of the variants in mask, in table order. */
void ld_write_variants(buf *b, const setting_group *g, unsigned mask)
{
    int first = 1;
    for (size_t i = 0; i < g->nvariants; i++)
        if (mask & BIT(i)) {
            buf_printf(b, "%s%s", first ? "" : ", ", g->variants[i]);
            first = 0;
        }
}


/* Reports unknown key c of group grp, with a suggestion and the valid keys. */
static void unknown_key(loader *L, const config_setting_t *c, const setting_group *grp,
                        int variant, int timing)
{
    buf b = {0};
    const char *name = config_setting_name(c);
    ld_suggest sg;
    ld_suggest_init(&sg, name);
    for (size_t i = 0; i < grp->nkeys; i++)
        if (!(grp->keys[i].flags & SF_LOADER) && settings_valid_for(&grp->keys[i], variant, -1))
            ld_suggest_add(&sg, grp->keys[i].name);
    ld_suggest_write(&sg, &b);
    char where[512];
    ld_path(config_setting_parent(c), where, sizeof where);
    buf_printf(&b, " (valid settings%s%s: ", where[0] ? " in " : " at the top level", where);
    int first = 1;
    for (size_t i = 0; i < grp->nkeys; i++) {
        const setting_def *d = &grp->keys[i];
        if ((d->flags & SF_LOADER) || !settings_valid_for(d, variant, timing))
            continue;
        buf_printf(&b, "%s%s", first ? "" : ", ", d->name);
        first = 0;
    }
    buf_puts(&b, ")");
    char *text = buf_take(&b);
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
void ld_check_keys(loader *L, const config_setting_t *g, const setting_group *grp,
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
            buf b = {0};
            ld_write_variants(&b, grp, d->variants);
            char *v = buf_take(&b);
            ld_error(L, c, "'%s' is only valid for %s %s, not for %s", name, v ? v : "?",
                     grp->variant_noun, grp->variants[variant]);
            free(v);
        } else if (d->timings && timing >= 0 && !(d->timings & BIT(timing))) {
            buf b = {0};
            int first = 1;
            for (int t = 0; t < TIMING_COUNT; t++)
                if (d->timings & BIT(t)) {
                    buf_printf(&b, "%s%s", first ? "" : ", ", spec_timing_names[t]);
                    first = 0;
                }
            char *v = buf_take(&b);
            ld_error(L, c, "'%s' is only valid with %s timing, not with %s", name, v ? v : "?",
                     spec_timing_names[timing]);
            free(v);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Getters                                                            */
/* ------------------------------------------------------------------ */

int ld_as_number(const config_setting_t *s, double *v)
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
int ld_is_number(const config_setting_t *s)
{
    double v;
    return ld_as_number(s, &v);
}

double ld_number_of(const config_setting_t *s)
{
    double v = 0.0;
    ld_as_number(s, &v);
    return v;
}

ld_got ld_read_number(loader *L, const config_setting_t *s, const char *what, double lo,
                       double hi, unsigned flags, int dist_ok, double *out)
{
    double v;
    buf b = {0};
    if (!ld_as_number(s, &v) || !isfinite(v) || !in_range(v, lo, hi, flags)) {
        if (ld_as_number(s, &v) && !isfinite(v))
            buf_printf(&b, "a finite %s", what + 2);
        else
            buf_puts(&b, what);
        if (!isinf(lo) || !isinf(hi)) {
            buf_puts(&b, " in ");
            write_range(&b, lo, hi, flags);
        }
        if (dist_ok)
            buf_puts(&b, " or a distribution group { dist = ...; }");
        ld_expect_error(L, s, &b);
        return GOT_BAD;
    }
    *out = v;
    return GOT_VALUE;
}

int ld_number(loader *L, const config_setting_t *s, double lo, double hi, unsigned flags,
              double *out)
{
    return ld_read_number(L, s, "a number", lo, hi, flags, 0, out) == GOT_VALUE ? 0 : -1;
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
ld_got ld_get_number(loader *L, const config_setting_t *g, const setting_def *d, double def,
                      double *out)
{
    *out = def;
    const config_setting_t *s = ld_member(g, d->name);
    if (!s) {
        if (d->flags & SF_REQUIRED) {
            ld_missing(L, g, d);
            return GOT_BAD;
        }
        return GOT_NONE;
    }
    double lo, hi;
    key_range(L, d, &lo, &hi);
    return ld_read_number(L, s, d->type == ST_DATE ? "a year" : "a number", lo, hi, d->flags, 0, out);
}

/* Integer key d (ST_INT, ST_INT64) of group g. */
ld_got ld_get_int(loader *L, const config_setting_t *g, const setting_def *d, long long *out)
{
    *out = (long long)d->def;
    const config_setting_t *s = ld_member(g, d->name);
    if (!s) {
        if (d->flags & SF_REQUIRED) {
            ld_missing(L, g, d);
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
        buf b = {0};
        buf_printf(&b, "an integer in [%lld, %lld]", (long long)d->lo,
                  d->hi >= 9223372036854775807.0 ? 9223372036854775807LL : (long long)d->hi);
        ld_expect_error(L, s, &b);
        return GOT_BAD;
    }
    *out = v;
    return GOT_VALUE;
}

/* Checks that string s has d's pattern and length; reports at at. */
static ld_got check_string(loader *L, const config_setting_t *at, const setting_def *d, const char *v)
{
    if (d->pattern != PAT_NONE && !settings_match(d->pattern, v)) {
        buf b = {0};
        buf_printf(&b, "%s", settings_pattern_doc(d->pattern));
        ld_expect_error(L, at, &b);
        return GOT_BAD;
    }
    if (d->maxlen && strlen(v) > d->maxlen) {
        ld_error(L, at, "expected at most %zu characters, found %zu", d->maxlen, strlen(v));
        return GOT_BAD;
    }
    return GOT_VALUE;
}

/* String key d of group g; *out = its default ("" if none) when absent. */
ld_got ld_get_string(loader *L, const config_setting_t *g, const setting_def *d, const char **out)
{
    *out = d->def_str ? d->def_str : "";
    const config_setting_t *s = ld_member(g, d->name);
    if (!s) {
        if (d->flags & SF_REQUIRED) {
            ld_missing(L, g, d);
            return GOT_BAD;
        }
        return GOT_NONE;
    }
    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        buf b = {0};
        buf_puts(&b, "a string in double quotes");
        if (d->pattern != PAT_NONE)
            buf_printf(&b, " (%s)", settings_pattern_doc(d->pattern));
        ld_expect_error(L, s, &b);
        return GOT_BAD;
    }
    const char *v = config_setting_get_string(s);
    if (check_string(L, s, d, v) != GOT_VALUE)
        return GOT_BAD;
    *out = v;
    return GOT_VALUE;
}

ld_got ld_get_bool(loader *L, const config_setting_t *g, const setting_def *d, int *out)
{
    *out = d->def != 0.0;
    const config_setting_t *s = ld_member(g, d->name);
    if (!s)
        return GOT_NONE;
    if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
        buf b = {0};
        buf_puts(&b, "true or false");
        ld_expect_error(L, s, &b);
        return GOT_BAD;
    }
    *out = config_setting_get_bool(s);
    return GOT_VALUE;
}


/* Reports v at s as an unknown NOUN with the nearest of names[0..n-1] and
 * all of them: "unknown NOUN \"v\"; did you mean 'x'? (valid: a, b, c)". */
static void unknown_name(loader *L, const config_setting_t *s, const char *noun, const char *v,
                         const char *const *names, size_t n)
{
    buf b = {0};
    ld_suggest sg;
    ld_suggest_init(&sg, v);
    for (size_t i = 0; i < n; i++)
        ld_suggest_add(&sg, names[i]);
    ld_suggest_write(&sg, &b);
    buf_puts(&b, " (valid: ");
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
    buf_puts(&b, ")");
    char *hint = buf_take(&b);
    ld_error(L, s, "unknown %s \"%s\"%s", noun, v, hint ? hint : "");
    free(hint);
}

/*
 * String list key d of group g: an array or list of strings, each checked
 * against d's pattern.  *out is the setting (NULL when absent or bad).
 */
ld_got ld_get_strings(loader *L, const config_setting_t *g, const setting_def *d,
                       const config_setting_t **out)
{
    *out = NULL;
    const config_setting_t *s = ld_member(g, d->name);
    if (!s) {
        if (d->flags & SF_REQUIRED) {
            ld_missing(L, g, d);
            return GOT_BAD;
        }
        return GOT_NONE;
    }
    if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
        buf b = {0};
        buf_puts(&b, "a list of strings such as [\"a\", \"b\"]");
        ld_expect_error(L, s, &b);
        return GOT_BAD;
    }
    ld_got st = GOT_VALUE;
    int n = config_setting_length(s);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING) {
            buf b = {0};
            buf_puts(&b, "a string");
            ld_expect_error(L, e, &b);
            st = GOT_BAD;
            continue;
        }
        const char *v = config_setting_get_string(e);
        if (d->pattern == PAT_COMMITMENT && !spec_commitment_from_name(v)) {
            unknown_name(L, e, "commitment", v, spec_commitment_names, SPEC_C_COUNT);
            st = GOT_BAD;
        } else if (check_string(L, e, d, v) != GOT_VALUE) {
            st = GOT_BAD;
        }
    }
    if (st == GOT_VALUE)
        *out = s;
    return st;
}

ld_got ld_get_numbers(loader *L, const config_setting_t *g, const setting_def *d, size_t max,
                      double **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const config_setting_t *s = ld_member(g, d->name);
    if (!s)
        return GOT_NONE;
    if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
        buf b = {0};
        buf_puts(&b, "a list of numbers such as [1.0, 2.5]");
        ld_expect_error(L, s, &b);
        return GOT_BAD;
    }
    int len = config_setting_length(s);
    if (len < 1 || (size_t)len > max) {
        ld_error(L, s, "expected 1 to %zu numbers, found %d", max, len);
        return GOT_BAD;
    }
    double *v = malloc((size_t)len * sizeof *v);
    if (!v) {
        L->oom = 1;
        return GOT_BAD;
    }
    ld_got st = GOT_VALUE;
    for (int i = 0; i < len; i++)
        if (ld_read_number(L, config_setting_get_elem(s, (unsigned)i), "a number", d->lo, d->hi, d->flags, 0,
                           &v[i]) != GOT_VALUE)
            st = GOT_BAD;
    if (st != GOT_VALUE) {
        free(v);
        return st;
    }
    *out = v;
    *n = (size_t)len;
    return GOT_VALUE;
}

int ld_get_choice(loader *L, const config_setting_t *g, const setting_def *d, const char *const *names,
                  size_t n, const char *noun)
{
    const char *v;
    if (ld_get_string(L, g, d, &v) != GOT_VALUE)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], v) == 0)
            return (int)i;
    unknown_name(L, ld_member(g, d->name), noun, v, names, n);
    return -1;
}

/* Commitment list key d of group g as SPEC_C_* flags. */
ld_got ld_get_commitments(loader *L, const config_setting_t *g, const setting_def *d,
                           unsigned *out)
{
    *out = 0;
    const config_setting_t *s;
    ld_got st = ld_get_strings(L, g, d, &s);
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
const config_setting_t *ld_get_aggregate(loader *L, const config_setting_t *g,
                                             const setting_def *d)
{
    const config_setting_t *s = ld_member(g, d->name);
    if (!s) {
        if (d->flags & SF_REQUIRED)
            ld_missing(L, g, d);
        return NULL;
    }
    int ok = d->type == ST_LIST
                 ? config_setting_is_list(s) ||
                       (config_setting_is_array(s) && config_setting_length(s) == 0)
                 : config_setting_is_group(s);
    if (!ok) {
        buf b = {0};
        buf_puts(&b, d->type == ST_LIST ? "a list of groups ( { ... }, { ... } )"
                                       : "a group { ... }");
        ld_expect_error(L, s, &b);
        return NULL;
    }
    int n = config_setting_length(s);
    if (d->hi > 0.0 && isinf(d->hi) && (double)n < d->lo)
        ld_error(L, s, "expected at least %.0f entries, found %d", d->lo, n);
    else if (d->hi > 0.0 && ((double)n < d->lo || (double)n > d->hi))
        ld_error(L, s, "expected %.0f to %.0f entries, found %d", d->lo, d->hi, n);
    return s;
}

/* Element i of list s, which must be a group; NULL (reported) otherwise. */
const config_setting_t *ld_list_group(loader *L, const config_setting_t *s, int i)
{
    const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
    if (!config_setting_is_group(e)) {
        buf b = {0};
        buf_puts(&b, "a group { ... }");
        ld_expect_error(L, e, &b);
        return NULL;
    }
    return e;
}

/* ------------------------------------------------------------------ */
/* Parameters and distributions                                       */
/* ------------------------------------------------------------------ */

/* Reads dist key name of group s (range from the dist table). */
static ld_got dist_number(loader *L, const config_setting_t *s, unsigned key, double *out)
{
    return ld_get_number(L, s, settings_key(SG_DIST, key), NAN, out);
}

/* Checks that value v of dist key name in s lies within the setting's
 * range; path names the setting. */
static int dist_within(loader *L, const config_setting_t *s, const char *name, double v,
                       double lo, double hi, unsigned flags, const char *path)
{
    if (in_range(v, lo, hi, flags))
        return 1;
    buf b = {0};
    buf_puts(&b, "a value in ");
    write_range(&b, lo, hi, flags);
    buf_printf(&b, " (the range of %s)", path);
    const config_setting_t *at = ld_member(s, name);
    ld_expect_error(L, at ? at : s, &b);
    return 0;
}

ld_got ld_read_dist(loader *L, const config_setting_t *s, const setting_group *keys, const char *path,
                    double lo, double hi, unsigned flags, spec_param *p)
{
    const setting_group *dg = settings_dist();
    int variant = ld_get_choice(L, s, settings_key(SG_DIST, DISTK_DIST), dg->variants, dg->nvariants,
                                "distribution");
    ld_check_keys(L, s, keys, variant, -1);
    if (variant < 0)
        return GOT_BAD;

    ld_got st = GOT_VALUE;
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
        if (!ok || dist_number(L, s, DISTK_MIN, &a) != GOT_VALUE ||
            dist_number(L, s, DISTK_MAX, &b) != GOT_VALUE)
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
        if (dist_number(L, s, DISTK_MEAN, &a) != GOT_VALUE || dist_number(L, s, DISTK_SD, &b) != GOT_VALUE)
            return GOT_BAD;
        if (!dist_within(L, s, "mean", a, lo, hi, flags, path))
            st = GOT_BAD;
        mean = a;
        break;
    case DIST_BETA:
        if (dist_number(L, s, DISTK_A, &a) != GOT_VALUE || dist_number(L, s, DISTK_B, &b) != GOT_VALUE)
            return GOT_BAD;
        c = lo;
        d = hi;
        if (dist_number(L, s, DISTK_MIN, &c) == GOT_BAD || dist_number(L, s, DISTK_MAX, &d) == GOT_BAD)
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
        if (dist_number(L, s, DISTK_MU, &a) != GOT_VALUE || dist_number(L, s, DISTK_SIGMA, &b) != GOT_VALUE)
            return GOT_BAD;
        /* Draws above a finite upper end are clamped to it by the model;
         * below a lower end of 0 or more there is nothing to clamp. */
        if (lo < 0.0) {
            buf r = {0};
            write_range(&r, lo, hi, flags);
            char *rt = buf_take(&r);
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
ld_got ld_get_param(loader *L, const config_setting_t *g, const setting_def *d, const char *path,
                     double lo, double hi, double def, size_t *index)
{
    spec_param p;
    memset(&p, 0, sizeof p);
    p.value = def;
    p.dist.kind = DIST_FIXED;
    ld_got st = GOT_NONE;
    const config_setting_t *s = ld_member(g, d->name);
    if (!s) {
        if (d->flags & SF_REQUIRED) {
            ld_missing(L, g, d);
            st = GOT_BAD;
        }
    } else if (config_setting_is_group(s)) {
        st = ld_read_dist(L, s, settings_dist(), path, lo, hi, d->flags, &p);
        if (st != GOT_VALUE) {
            memset(&p.dist, 0, sizeof p.dist);
            p.value = def;
        }
    } else {
        st = ld_read_number(L, s, "a number", lo, hi, d->flags, 1, &p.value);
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
static void write_actor_ids(buf *b, const model_spec *spec)
{
    for (int i = 0; i < spec->nactors; i++)
        buf_printf(b, "%s%s", i ? ", " : "", spec->actors[i].id);
    if (spec->nactors == 0)
        buf_puts(b, "none");
}

/* Index of actor id, or -1 with an error at s listing the actors. */
int ld_find_actor(loader *L, const config_setting_t *s, const char *id, const char *context)
{
    int a = model_spec_find_actor(L->spec, id);
    if (a >= 0)
        return a;
    buf b = {0};
    ld_suggest sg;
    ld_suggest_init(&sg, id);
    for (int i = 0; i < L->spec->nactors; i++)
        ld_suggest_add(&sg, L->spec->actors[i].id);
    ld_suggest_write(&sg, &b);
    buf_puts(&b, " (valid actors: ");
    write_actor_ids(&b, L->spec);
    buf_puts(&b, ")");
    char *hint = buf_take(&b);
    ld_error(L, s, "unknown actor '%s'%s%s", id, context, hint ? hint : "");
    free(hint);
    return -1;
}

/* Index of series name, or -1 with an error at s listing the series. */
int ld_find_series(loader *L, const config_setting_t *s, const char *name)
{
    int i = model_spec_find_series(L->spec, name);
    if (i >= 0)
        return i;
    buf b = {0};
    ld_suggest sg;
    ld_suggest_init(&sg, name);
    for (size_t k = 0; k < L->spec->nseries; k++)
        ld_suggest_add(&sg, L->spec->series[k].name);
    ld_suggest_write(&sg, &b);
    buf_puts(&b, " (available series: ");
    size_t shown = 0;
    for (size_t k = 0; k < L->spec->nseries; k++) {
        /* Inline capabilities are series too, but naming them is an odd choice. */
        if (strncmp(L->spec->series[k].name, "actors.", 7) == 0)
            continue;
        buf_printf(&b, "%s%s", shown ? ", " : "", L->spec->series[k].name);
        shown++;
    }
    buf_puts(&b, shown ? ")" : "none: define tables in `data`)");
    char *hint = buf_take(&b);
    ld_error(L, s, "unknown series \"%s\"%s", name, hint ? hint : "");
    free(hint);
    return -1;
}

/*
 * Dyad key d ("a-b") of group g into actor indices *a < *b.  Returns
 * GOT_VALUE, or GOT_BAD (reported); GOT_NONE when absent and optional.
 */
ld_got ld_get_dyad(loader *L, const config_setting_t *g, const setting_def *d, int *a, int *b)
{
    *a = *b = -1;
    const char *v;
    ld_got st = ld_get_string(L, g, d, &v);
    if (st != GOT_VALUE)
        return st;
    const config_setting_t *s = ld_member(g, d->name);
    const char *dash = strchr(v, '-');
    char ida[SPEC_ID_LEN], idb[SPEC_ID_LEN];
    if (!dash || dash == v || !dash[1] || strchr(dash + 1, '-') ||
        (size_t)(dash - v) >= sizeof ida || strlen(dash + 1) >= sizeof idb) {
        buf e = {0};
        buf_puts(&e, "a dyad \"a-b\" of two actor ids");
        ld_expect_error(L, s, &e);
        return GOT_BAD;
    }
    snprintf(ida, sizeof ida, "%.*s", (int)(dash - v), v);
    snprintf(idb, sizeof idb, "%s", dash + 1);
    int ia = ld_find_actor(L, s, ida, " in the dyad");
    int ib = ld_find_actor(L, s, idb, " in the dyad");
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
/* Fields bound by the table                                          */
/* ------------------------------------------------------------------ */

double ld_default(const loader *L, const setting_def *d)
{
    switch (d->dyn) {
    case DD_START:
        return L->start;
    case DD_HORIZON:
        return L->horizon;
    case DD_CLAIM_AT:
        return L->horizon - 6.0 < L->start ? L->start : L->horizon - 6.0;
    default:
        return d->def;
    }
}

/* Stores v into the field of d in the struct at dest. */
static void store(const setting_def *d, void *dest, double v, long long i, const char *text)
{
    unsigned char *p = (unsigned char *)dest + d->offset;
    switch (d->field) {
    case FIELD_NONE:
        return;
    case FIELD_DOUBLE:
        memcpy(p, &v, sizeof v);
        return;
    case FIELD_INT: {
        int x = (int)i;
        memcpy(p, &x, sizeof x);
        return;
    }
    case FIELD_UNSIGNED:
    case FIELD_COMMITMENTS: {
        unsigned x = (unsigned)i;
        memcpy(p, &x, sizeof x);
        return;
    }
    case FIELD_SIZE: {
        size_t x = (size_t)i;
        memcpy(p, &x, sizeof x);
        return;
    }
    case FIELD_U64: {
        uint64_t x = (uint64_t)i;
        memcpy(p, &x, sizeof x);
        return;
    }
    case FIELD_TEXT:
        snprintf((char *)p, d->size, "%s", text);
        return;
    }
}

/* Non-zero when the reader can compute d's default (ld_default). */
static int has_own_default(const setting_def *d)
{
    return d->dyn == DD_NONE || d->dyn == DD_START || d->dyn == DD_HORIZON || d->dyn == DD_CLAIM_AT;
}

size_t ld_read_fields(loader *L, const config_setting_t *g, setting_group_id grp, int variant,
                      int timing, void *dest, ld_got *status)
{
    const setting_group *sg = settings_group(grp);
    size_t bad = 0;
    for (size_t k = 0; k < sg->nkeys; k++) {
        const setting_def *d = &sg->keys[k];
        if (status)
            status[k] = GOT_NONE;
        /* Keys of other variants and timings, or of an unknown one, are
         * not read (ld_check_keys reports them). */
        if (d->field == FIELD_NONE || (d->variants && (variant < 0 || !(d->variants & BIT(variant)))) ||
            (d->timings && (timing < 0 || !(d->timings & BIT(timing)))))
            continue;
        /* An absent key without a default keeps what the caller put there. */
        if ((d->flags & SF_NO_DEFAULT) && !(d->flags & SF_REQUIRED) && !ld_member(g, d->name))
            continue;
        ld_got st = GOT_NONE;
        double v = 0.0;
        long long i = 0;
        const char *text = "";
        unsigned flags = 0;
        switch (d->type) {
        case ST_FLOAT:
        case ST_DATE:
            st = ld_get_number(L, g, d, ld_default(L, d), &v);
            break;
        case ST_INT:
        case ST_INT64:
            st = ld_get_int(L, g, d, &i);
            break;
        case ST_BOOL: {
            int b;
            st = ld_get_bool(L, g, d, &b);
            i = b;
            break;
        }
        case ST_STRING:
            st = ld_get_string(L, g, d, &text);
            break;
        case ST_STRINGS:
            st = ld_get_commitments(L, g, d, &flags);
            i = flags;
            break;
        default:
            continue;
        }
        bad += st == GOT_BAD;
        if (status)
            status[k] = st;
        /* A default that depends on the caller (an actor's name is its id)
         * is the caller's to set: it stays unless a valid value came. */
        if (st == GOT_VALUE || has_own_default(d))
            store(d, dest, v, i, text);
    }
    return bad;
}
