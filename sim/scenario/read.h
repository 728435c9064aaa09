/*
 * read - typed getters of settings against the settings table (internal to
 * sim/scenario/): the one way the check passes (check.c, check_study.c,
 * tables.c) and the sweep file reader read a value from a libconfig tree.
 *
 * Every getter takes the key's table entry (settings_key(GROUP, KEY)),
 * checks the value's type, range, pattern and length, reports what is wrong
 * at the setting's FILE:LINE as "expected ..., found ..." (ld_error) and
 * returns what it found; a wrong or absent value leaves the default in
 * *out, so checking can go on.  The group g may be NULL (absent group):
 * every key is then absent.
 *
 * ld_read_fields() reads every key of a group that the table binds to a
 * struct field (setting_def.field) in one loop; the check passes call it
 * and add code only for the keys that refer to other settings.
 */
#ifndef ALIGNSIM_SCENARIO_READ_H
#define ALIGNSIM_SCENARIO_READ_H

#include <libconfig.h>
#include <stddef.h>

#include "base/buf.h"
#include "scenario/loader.h"
#include "scenario/settings.h"

/* What a getter found. */
typedef enum {
    GOT_BAD = -1,  /* present but wrong: reported, default returned */
    GOT_NONE = 0,  /* absent: default returned (or reported if required) */
    GOT_VALUE = 1  /* present and valid */
} ld_got;

/* Reports "expected EXPECTED, found VALUE" at s; takes and frees the text
 * of expected. */
void ld_expect_error(loader *L, const config_setting_t *s, buf *expected);

/* Reports required key d missing from group g. */
void ld_missing(loader *L, const config_setting_t *g, const setting_def *d);

/* Appends "a, b, c": the names of the variants of g in mask, in table order. */
void ld_write_variants(buf *b, const setting_group *g, unsigned mask);

/*
 * Checks the names of the members of group g: each must be a key of grp
 * valid for the variant and the event timing (-1: unknown, and then only
 * names that are no key at all are reported, with the nearest valid one).
 */
void ld_check_keys(loader *L, const config_setting_t *g, const setting_group *grp, int variant,
                   int timing);

/* The value of s as a double when it is an integer or a float (1), else 0. */
int ld_as_number(const config_setting_t *s, double *v);

/* Non-zero when s is an integer or a float. */
int ld_is_number(const config_setting_t *s);

/* The number in s (an integer or a float), 0 when s is not a number. */
double ld_number_of(const config_setting_t *s);

/*
 * Reads number s, finite and within [lo, hi] (flags SF_LO_OPEN, SF_HI_OPEN:
 * open ends); `what` names it in messages ("a number", "a year"), dist_ok
 * adds "or a distribution group" to them.
 */
ld_got ld_read_number(loader *L, const config_setting_t *s, const char *what, double lo,
                      double hi, unsigned flags, int dist_ok, double *out);

/* The default of number key d: d->def, or the dynamic default (the start,
 * the horizon, the claim's horizon less 6 years) from L's dates. */
double ld_default(const loader *L, const setting_def *d);

/* Number key d (ST_FLOAT, ST_DATE: within [start, horizon]) of group g;
 * *out = def when absent. */
ld_got ld_get_number(loader *L, const config_setting_t *g, const setting_def *d, double def,
                     double *out);

/* Integer key d (ST_INT, ST_INT64) of group g, within [d->lo, d->hi]. */
ld_got ld_get_int(loader *L, const config_setting_t *g, const setting_def *d, long long *out);

/* String key d of group g with d's pattern and length; *out = its default
 * ("" if none) when absent.  The string belongs to the tree. */
ld_got ld_get_string(loader *L, const config_setting_t *g, const setting_def *d, const char **out);

/*
 * String key d of group g naming one of names[0..n-1]: returns its index,
 * or -1 when absent (reported if required) or unknown (reported as
 * "unknown NOUN \"x\"; did you mean 'y'? (valid: a, b, c)").
 */
int ld_get_choice(loader *L, const config_setting_t *g, const setting_def *d, const char *const *names,
                  size_t n, const char *noun);

/* Boolean key d of group g; *out = the default when absent. */
ld_got ld_get_bool(loader *L, const config_setting_t *g, const setting_def *d, int *out);

/* String list key d of group g (array or list, each element checked
 * against d's pattern); *out is the setting, NULL when absent or bad. */
ld_got ld_get_strings(loader *L, const config_setting_t *g, const setting_def *d,
                      const config_setting_t **out);

/*
 * Number list key d of group g (ST_NUMBERS): 1 to max numbers, each within
 * d's range, into a heap array *out (caller frees; NULL when absent or
 * bad) with the count in *n.
 */
ld_got ld_get_numbers(loader *L, const config_setting_t *g, const setting_def *d, size_t max,
                      double **out, size_t *n);

/* Commitment list key d of group g as SPEC_C_* flags (0 when absent). */
ld_got ld_get_commitments(loader *L, const config_setting_t *g, const setting_def *d,
                          unsigned *out);

/*
 * Aggregate key d of group g: a group for ST_GROUP and ST_MAP, a list for
 * ST_LIST (an empty array [] counts as an empty list), with an entry count
 * within [d->lo, d->hi] when d->hi > 0.  NULL when absent or wrong.
 */
const config_setting_t *ld_get_aggregate(loader *L, const config_setting_t *g, const setting_def *d);

/* Element i of list s, which must be a group; NULL (reported) otherwise. */
const config_setting_t *ld_list_group(loader *L, const config_setting_t *s, int i);

/*
 * Reads distribution group s (the keys of SG_DIST: `dist` and its shape)
 * for a setting with range [lo, hi] (flags give open ends) into p->dist and
 * p->value (the mean, clamped to the range).  The names of s's members are
 * checked against keys (settings_dist(), or a group that adds keys of its
 * own to the distribution's, such as an inference prior's `path`).
 */
ld_got ld_read_dist(loader *L, const config_setting_t *s, const setting_group *keys, const char *path,
                    double lo, double hi, unsigned flags, spec_param *p);

/*
 * Parameter key d of group g (a number or a distribution group) with range
 * [lo, hi] and default def: always appended to the spec under path (with
 * the default when absent or bad, so that indices stay in order); its
 * index in *index.
 */
ld_got ld_get_param(loader *L, const config_setting_t *g, const setting_def *d, const char *path,
                    double lo, double hi, double def, size_t *index);

/* Index of actor id in the spec, or -1 with an error at s listing the
 * actors (context is added to the message: " in the dyad"). */
int ld_find_actor(loader *L, const config_setting_t *s, const char *id, const char *context);

/* Index of series name in the spec, or -1 with an error at s listing them. */
int ld_find_series(loader *L, const config_setting_t *s, const char *name);

/* Dyad key d ("a-b") of group g into actor indices *a < *b. */
ld_got ld_get_dyad(loader *L, const config_setting_t *g, const setting_def *d, int *a, int *b);

/*
 * Reads every key of group grp bound to a field (setting_def.field) from g
 * into the struct at dest: the value, or the key's default when it is
 * absent or wrong.  Keys restricted to variants or timings are read only
 * for a known variant and timing they are valid for (-1: unknown).  The
 * field keeps what the caller put there when the key is absent and has no
 * default (SF_NO_DEFAULT), or when its default depends on the caller
 * (an actor's name: its id) and no valid value came.  status, if not NULL,
 * receives what was found for each key of the group (GOT_NONE for keys
 * not read).  Returns the number of keys that were present and wrong.
 */
size_t ld_read_fields(loader *L, const config_setting_t *g, setting_group_id grp, int variant,
                      int timing, void *dest, ld_got *status);

#endif
