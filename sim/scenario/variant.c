/*
 * variant - scenario variants: `base`, `remove_events` and `scale_events`.
 *
 * A file with `base = "PATH";` is a variant of the scenario in PATH
 * (relative to the folder of the file that names it).  The base is parsed as
 * a libconfig file of its own, so its @include lines and data files resolve
 * relative to its own folder, and its own base is resolved first (at most
 * MAX_DEPTH levels; a file met twice on the way is a cycle).  Then, for the
 * file that names the base:
 *   1. merge: each top-level setting of the base that the file does not set
 *      is copied into the file's tree with its line and include name, and
 *      marked MARK_BASE, so diagnostics name the base's files and data files
 *      are found next to them; a top-level setting the file sets replaces
 *      the base's whole (a derived `model = {...}` drops every model key of
 *      the base);
 *   2. remove_events removes events by id from the merged `events`;
 *   3. scale_events multiplies the magnitudes of events (after 2);
 *   4. the three keys are removed and what was done is appended to the
 *      records derived_from, removed_events and scaled_events, so they list
 *      the deepest base's changes first, in the order applied.
 * The tree then goes through overrides and validation as any scenario.
 *
 * The base trees stay alive in the loader until the load ends: the copies
 * point at their file names.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "scenario/loader.h"
#include "scenario/read.h"

#define MAX_DEPTH 8

/* A file on the chain from the file loaded to the base being loaded. */
typedef struct {
    const char *name; /* display name */
    int has_id;       /* 0: text from memory, never met again */
    dev_t dev;
    ino_t ino;
} chain_link;

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

/* Replaces (or adds) member name of group g by the float v, marked m. */
static void set_float(loader *L, config_setting_t *g, const char *name, double v, ld_mark *m)
{
    if (config_setting_get_member(g, name))
        config_setting_remove(g, name);
    config_setting_t *s = config_setting_add(g, name, CONFIG_TYPE_FLOAT);
    if (!s || !config_setting_set_float(s, v)) {
        L->oom = 1;
        return;
    }
    config_setting_set_hook(s, m);
}

/* The record list key of root (created as an array, or a list when
 * is_list), or NULL when the file holds one of another form (the check
 * pass reports it). */
static config_setting_t *record(loader *L, config_setting_t *root, const char *key, int is_list)
{
    config_setting_t *r = config_setting_get_member(root, key);
    if (!r) {
        r = config_setting_add(root, key, is_list ? CONFIG_TYPE_LIST : CONFIG_TYPE_ARRAY);
        if (!r)
            L->oom = 1;
        return r;
    }
    if (config_setting_is_list(r) || (!is_list && config_setting_is_array(r)))
        return r;
    return NULL;
}

static void record_string(loader *L, config_setting_t *root, const char *key, const char *v)
{
    config_setting_t *r = record(L, root, key, 0);
    if (!r)
        return;
    config_setting_t *s = config_setting_add(r, NULL, CONFIG_TYPE_STRING);
    if (!s || !config_setting_set_string(s, v))
        L->oom = 1;
}

static void record_scale(loader *L, config_setting_t *root, const char *id, double factor)
{
    config_setting_t *r = record(L, root, "scaled_events", 1);
    if (!r)
        return;
    config_setting_t *g = config_setting_add(r, NULL, CONFIG_TYPE_GROUP);
    config_setting_t *i = g ? config_setting_add(g, "id", CONFIG_TYPE_STRING) : NULL;
    config_setting_t *f = g ? config_setting_add(g, "factor", CONFIG_TYPE_FLOAT) : NULL;
    if (!i || !f || !config_setting_set_string(i, id) || !config_setting_set_float(f, factor))
        L->oom = 1;
}

/* The id of event group e, or NULL. */
static const char *event_id(const config_setting_t *e)
{
    const config_setting_t *s = ld_member(e, "id");
    return s && config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
}

/* Index of the event with this id in list events, or -1. */
static int find_event(const config_setting_t *events, const char *id)
{
    if (!events || !config_setting_is_list(events))
        return -1;
    for (int i = 0; i < config_setting_length(events); i++) {
        const char *eid = event_id(config_setting_get_elem(events, (unsigned)i));
        if (eid && strcmp(eid, id) == 0)
            return i;
    }
    return -1;
}

/* Reports at s that no event has this id, with the ids there are. */
static void unknown_event(loader *L, const config_setting_t *s, const config_setting_t *events,
                          const char *id)
{
    buf b = {0};
    ld_suggest sg;
    ld_suggest_init(&sg, id);
    size_t n = 0;
    int len = events && config_setting_is_list(events) ? config_setting_length(events) : 0;
    for (int i = 0; i < len; i++) {
        const char *eid = event_id(config_setting_get_elem(events, (unsigned)i));
        if (!eid)
            continue;
        ld_suggest_add(&sg, eid);
        buf_printf(&b, "%s%s", n++ ? ", " : "", eid);
    }
    char *ids = buf_take(&b);
    buf h = {0};
    ld_suggest_write(&sg, &h);
    char *hint = buf_take(&h);
    if (n)
        ld_error(L, s, "no event has the id \"%s\"%s (valid ids: %s)", id, hint ? hint : "",
                 ids ? ids : "?");
    else
        ld_error(L, s, "no event has the id \"%s\" (no event of the scenario has an `id`: give "
                       "the event one in its file)", id);
    free(ids);
    free(hint);
}

/* ------------------------------------------------------------------ */
/* remove_events and scale_events                                     */
/* ------------------------------------------------------------------ */

static void remove_events(loader *L, config_setting_t *root)
{
    const config_setting_t *rm = config_setting_get_member(root, "remove_events");
    if (!rm)
        return;
    if (!config_setting_is_array(rm) && !config_setting_is_list(rm)) {
        ld_error(L, rm, "expected a list of event ids such as [\"sanctions_2014\"]");
        return;
    }
    config_setting_t *events = config_setting_get_member(root, "events");
    for (int i = 0; i < config_setting_length(rm); i++) {
        const config_setting_t *e = config_setting_get_elem(rm, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING) {
            ld_error(L, e, "expected an event id in double quotes");
            continue;
        }
        const char *id = config_setting_get_string(e);
        int twice = -1;
        for (int k = 0; k < i && twice < 0; k++) {
            const char *other = config_setting_get_string_elem(rm, k);
            if (other && strcmp(other, id) == 0)
                twice = k;
        }
        if (twice >= 0) {
            ld_error(L, e, "event \"%s\" is listed twice (also remove_events.[%d])", id, twice);
            continue;
        }
        int k = find_event(events, id);
        if (k < 0) {
            unknown_event(L, e, events, id);
            continue;
        }
        config_setting_remove_elem(events, (unsigned)k);
        record_string(L, root, "removed_events", id);
    }
}

/* Non-zero if remove_events of root lists id. */
static int removed_here(const config_setting_t *root, const char *id)
{
    const config_setting_t *rm = config_setting_get_member(root, "remove_events");
    for (int i = 0; rm && config_setting_is_aggregate(rm) && i < config_setting_length(rm); i++) {
        const char *v = config_setting_get_string_elem(rm, i);
        if (v && strcmp(v, id) == 0)
            return 1;
    }
    return 0;
}

/* Multiplies member name of distribution group g by f (a value that is
 * not a number is left for the check pass to report). */
static void scale_field(loader *L, config_setting_t *g, const char *name, double f, ld_mark *m)
{
    const config_setting_t *s = config_setting_get_member(g, name);
    if (s && ld_is_number(s))
        set_float(L, g, name, ld_number_of(s) * f, m);
}

/*
 * Multiplies the magnitude of event ev by f, as scale_events entry entry
 * asks; the settings it changes carry mark m, so that an error in them
 * names the entry.  Returns 0, or -1 when reported.  A magnitude of a form
 * the check pass will reject is left as it is.
 */
static int scale_magnitude(loader *L, config_setting_t *ev, const config_setting_t *entry,
                           const char *id, double f, ld_mark *m)
{
    config_setting_t *mag = config_setting_get_member(ev, "magnitude");
    if (!mag) {
        const config_setting_t *ts = ld_member(ev, "type");
        int kind = ts && config_setting_type(ts) == CONFIG_TYPE_STRING
                       ? spec_event_kind_from_name(config_setting_get_string(ts))
                       : -1;
        if (kind < 0)
            return 0;
        const event_rule *r = settings_event_rule((spec_event_kind)kind);
        if (r->magnitude_is_warmth) {
            ld_error(L, entry, "event \"%s\" is a %s without a magnitude: summit magnitude comes "
                               "from model.summit_warmth; set it explicitly to scale it",
                     id, config_setting_get_string(ts));
            return -1;
        }
        set_float(L, ev, "magnitude", r->magnitude * f, m);
        return 0;
    }
    if (ld_is_number(mag)) {
        set_float(L, ev, "magnitude", ld_number_of(mag) * f, m);
        return 0;
    }
    if (!config_setting_is_group(mag))
        return 0;
    /* Any distribution times 0 is the number 0. */
    if (f == 0.0) {
        set_float(L, ev, "magnitude", 0.0, m);
        return 0;
    }
    const config_setting_t *ds = config_setting_get_member(mag, "dist");
    int kind = ds && config_setting_type(ds) == CONFIG_TYPE_STRING
                   ? settings_variant(settings_dist(), config_setting_get_string(ds)) + 1
                   : DIST_FIXED;
    const char *mn = settings_key(SG_DIST, DISTK_MIN)->name, *mx = settings_key(SG_DIST, DISTK_MAX)->name;
    switch ((spec_dist_kind)kind) {
    case DIST_UNIFORM:
        scale_field(L, mag, mn, f, m);
        scale_field(L, mag, mx, f, m);
        break;
    case DIST_NORMAL:
        scale_field(L, mag, settings_key(SG_DIST, DISTK_MEAN)->name, f, m);
        scale_field(L, mag, settings_key(SG_DIST, DISTK_SD)->name, f, m);
        break;
    case DIST_BETA:
        if (!config_setting_get_member(mag, mn) || !config_setting_get_member(mag, mx)) {
            ld_error(L, entry, "event \"%s\" has a beta magnitude whose min and max default to "
                               "the ends of the range; write them in the event to scale it", id);
            return -1;
        }
        scale_field(L, mag, mn, f, m);
        scale_field(L, mag, mx, f, m);
        break;
    case DIST_LOGNORMAL: {
        /* f * exp(N(mu, sigma)) = exp(N(mu + log f, sigma)). */
        const char *mu_key = settings_key(SG_DIST, DISTK_MU)->name;
        const config_setting_t *mu = config_setting_get_member(mag, mu_key);
        if (mu && ld_is_number(mu))
            set_float(L, mag, mu_key, ld_number_of(mu) + log(f), m);
        break;
    }
    case DIST_FIXED:
        /* An unknown distribution: the check pass reports it. */
        break;
    }
    return 0;
}

static void scale_events(loader *L, config_setting_t *root)
{
    const config_setting_t *sc = config_setting_get_member(root, "scale_events");
    if (!sc)
        return;
    if (!config_setting_is_list(sc) &&
        !(config_setting_is_array(sc) && config_setting_length(sc) == 0)) {
        ld_error(L, sc, "expected a list of groups such as ( { id = \"arms_to_taiwan\"; factor "
                        "= 2.0; } )");
        return;
    }
    config_setting_t *events = config_setting_get_member(root, "events");
    for (int i = 0; i < config_setting_length(sc); i++) {
        const config_setting_t *g = config_setting_get_elem(sc, (unsigned)i);
        if (!config_setting_is_group(g)) {
            ld_error(L, g, "expected a group { id = \"...\"; factor = 2.0; }");
            continue;
        }
        int ok = 1;
        for (int k = 0; k < config_setting_length(g); k++) {
            const config_setting_t *c = config_setting_get_elem(g, (unsigned)k);
            const char *name = config_setting_name(c);
            if (strcmp(name, "id") != 0 && strcmp(name, "factor") != 0) {
                ld_error(L, c, "unknown setting '%s' (valid settings in scale_events.[%d]: id, "
                               "factor)", name, i);
                ok = 0;
            }
        }
        const config_setting_t *ids = config_setting_get_member(g, "id");
        const config_setting_t *fs = config_setting_get_member(g, "factor");
        const char *id = NULL;
        double f = 1.0;
        if (!ids)
            ld_error(L, g, "missing required setting 'id' (the id of an event)");
        else if (config_setting_type(ids) != CONFIG_TYPE_STRING)
            ld_error(L, ids, "expected an event id in double quotes");
        else
            id = config_setting_get_string(ids);
        if (!fs)
            ld_error(L, g, "missing required setting 'factor' (a number in [0, 100])");
        else if (ld_number(L, fs, 0.0, 100.0, 0, &f) != 0)
            ok = 0;
        if (!id || !fs || !ok)
            continue;
        int twice = -1;
        for (int k = 0; k < i && twice < 0; k++) {
            const config_setting_t *o = ld_member(config_setting_get_elem(sc, (unsigned)k), "id");
            if (o && config_setting_type(o) == CONFIG_TYPE_STRING &&
                strcmp(config_setting_get_string(o), id) == 0)
                twice = k;
        }
        if (twice >= 0) {
            ld_error(L, ids, "event \"%s\" is scaled twice (also scale_events.[%d]); multiply "
                             "the factors", id, twice);
            continue;
        }
        int k = find_event(events, id);
        if (k < 0) {
            if (removed_here(root, id))
                ld_error(L, ids, "event \"%s\" is removed by remove_events; it cannot be scaled",
                         id);
            else
                unknown_event(L, ids, events, id);
            continue;
        }
        ld_mark *m = ld_new_mark(L, MARK_PLACE);
        if (!m)
            return;
        char where[sizeof m->label];
        int line = ld_where(L, g, where, sizeof where);
        if (line > 0)
            snprintf(m->label, sizeof m->label, "%.480s:%d", where, line);
        else
            snprintf(m->label, sizeof m->label, "%s", where);
        config_setting_t *ev = config_setting_get_elem(events, (unsigned)k);
        if (scale_magnitude(L, ev, g, id, f, m) == 0)
            record_scale(L, root, id, f);
    }
}

/* ------------------------------------------------------------------ */
/* Bases                                                              */
/* ------------------------------------------------------------------ */

/* Writes "a -> b -> c" of chain[first..n-1], then last. */
static char *chain_text(const chain_link *chain, size_t first, size_t n, const char *last)
{
    buf b = {0};
    for (size_t i = first; i < n; i++)
        buf_printf(&b, "%s -> ", chain[i].name);
    buf_puts(&b, last);
    return buf_take(&b);
}

/*
 * Loads the base named by setting bs of the file chain[depth] (whose folder
 * is dir) into a new tree kept in L, every top-level setting marked with
 * the base's MARK_BASE (*mark), and sets chain[depth + 1].  Returns the
 * tree, or NULL when reported.
 */
static config_t *load_base(loader *L, const config_setting_t *bs, const char *dir,
                           chain_link *chain, size_t depth, ld_mark **mark)
{
    const char *given = config_setting_get_string(bs);
    char raw[4096], shown[4096];
    char *text = NULL;
    config_t *cfg = NULL;
    int w = given[0] == '/' || !dir ? snprintf(raw, sizeof raw, "%s", given)
                                    : snprintf(raw, sizeof raw, "%s/%s", dir, given);
    if (w < 0 || (size_t)w >= sizeof raw) {
        ld_error(L, bs, "base path too long");
        return NULL;
    }
    memcpy(shown, raw, (size_t)w + 1);
    ld_normalise_path(shown);

    struct stat st;
    if (stat(raw, &st) != 0) {
        ld_error(L, bs, "cannot read base scenario '%s' (looked for '%s'; base paths are "
                        "relative to the folder of the file that names them): %s",
                 given, shown, strerror(errno));
        return NULL;
    }
    for (size_t i = 0; i <= depth; i++)
        if (chain[i].has_id && chain[i].dev == st.st_dev && chain[i].ino == st.st_ino) {
            char *c = chain_text(chain, i, depth + 1, shown);
            ld_error(L, bs, "base scenario cycle: %s", c ? c : shown);
            free(c);
            return NULL;
        }
    if (depth + 1 > MAX_DEPTH) {
        char *c = chain_text(chain, 0, depth + 1, shown);
        ld_error(L, bs, "base scenarios nested more than %d deep: %s", MAX_DEPTH, c ? c : shown);
        free(c);
        return NULL;
    }
    size_t len = 0;
    text = io_read_file_max(raw, LD_MAX_FILE_BYTES, &len);
    if (!text) {
        ld_error(L, bs, "cannot read base scenario '%s': %s", shown, strerror(errno));
        return NULL;
    }
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        int line = 1;
        for (const char *p = text; p < nul; p++)
            line += *p == '\n';
        ld_error_at(L, shown, line,
                    "expected a libconfig text file, found a NUL byte (binary data?)");
        goto fail;
    }

    ld_mark *m = ld_new_mark(L, MARK_BASE);
    config_t **bases = realloc(L->bases, (L->nbases + 1) * sizeof *bases);
    if (bases)
        L->bases = bases;
    cfg = malloc(sizeof *cfg);
    if (!m || !bases || !cfg || !(m->file = strdup(shown)))
        goto oom;
    char *slash = strrchr(raw, '/');
    if (slash) {
        if (slash == raw)
            slash[1] = '\0';
        else
            *slash = '\0';
        if (!(m->dir = strdup(raw)))
            goto oom;
    }
    /* libconfig must not meet what it handles badly (see prescan.c). */
    if (ld_prescan(L, text, m->file, m->dir) != 0 || L->oom) {
        free(cfg);
        cfg = NULL;
        goto fail;
    }
    config_init(cfg);
    L->bases[L->nbases++] = cfg; /* from here on L frees it */
    if (m->dir)
        config_set_include_dir(cfg, m->dir);
    if (!config_read_string(cfg, text)) {
        ld_syntax_error(L, m->file, m->dir, cfg, text);
        cfg = NULL;
        goto fail;
    }
    free(text);
    config_setting_t *root = config_root_setting(cfg);
    for (int i = 0; i < config_setting_length(root); i++)
        config_setting_set_hook(config_setting_get_elem(root, (unsigned)i), m);
    chain[depth + 1].name = m->file;
    chain[depth + 1].has_id = 1;
    chain[depth + 1].dev = st.st_dev;
    chain[depth + 1].ino = st.st_ino;
    *mark = m;
    return cfg;

oom:
    L->oom = 1;
    free(cfg);
    cfg = NULL;
fail:
    free(text);
    return NULL;
}

/* Copies the top-level settings of broot that root lacks into root. */
static void merge(loader *L, config_setting_t *root, const config_setting_t *broot, ld_mark *bm)
{
    for (int i = 0; i < config_setting_length(broot); i++) {
        const config_setting_t *s = config_setting_get_elem(broot, (unsigned)i);
        const char *name = config_setting_name(s);
        const setting_def *d = settings_find(settings_root(), name);
        if ((d && (d->flags & SF_VARIANT)) || config_setting_get_member(root, name))
            continue;
        config_setting_t *c = ld_copy_setting(root, name, s, 1);
        if (!c) {
            L->oom = 1;
            return;
        }
        /* Records the base's own variant pass made have no mark yet. */
        if (!config_setting_get_hook(c))
            config_setting_set_hook(c, bm);
    }
}

/* Removes the variant keys from root. */
static void drop_variant_keys(config_setting_t *root)
{
    static const char *const keys[] = {"base", "remove_events", "scale_events"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (config_setting_get_member(root, keys[i]))
            config_setting_remove(root, keys[i]);
}

/*
 * Resolves the variant keys of cfg, the tree of chain[depth] whose raw
 * names are relative to dir.  Returns -1 when a base could not be loaded.
 */
static int resolve(loader *L, config_t *cfg, const char *dir, chain_link *chain, size_t depth)
{
    config_setting_t *root = config_root_setting(cfg);
    const config_setting_t *bs = config_setting_get_member(root, "base");
    int rc = 0;
    if (!bs) {
        static const char *const keys[] = {"remove_events", "scale_events"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            const config_setting_t *s = config_setting_get_member(root, keys[i]);
            if (s)
                ld_error(L, s, "needs a base scenario to apply to: add `base = \"FILE\";`");
        }
        goto done;
    }
    if (config_setting_type(bs) != CONFIG_TYPE_STRING) {
        ld_error(L, bs, "expected the base scenario's file name in double quotes");
        rc = -1;
        goto done;
    }
    if (!config_setting_get_member(root, "name"))
        ld_error(L, bs, "a scenario with a base must set its own `name` (results go to "
                        "out/NAME: reusing the base's would mix the two scenarios' results)");
    ld_mark *bm = NULL;
    config_t *bcfg = load_base(L, bs, dir, chain, depth, &bm);
    if (!bcfg || resolve(L, bcfg, bm->dir, chain, depth + 1) != 0) {
        rc = -1;
        goto done;
    }
    merge(L, root, config_root_setting(bcfg), bm);
    record_string(L, root, "derived_from", bm->file);
    remove_events(L, root);
    scale_events(L, root);

done:
    drop_variant_keys(root);
    return rc;
}

int ld_variant(loader *L, config_t *cfg, const char *path)
{
    chain_link chain[MAX_DEPTH + 1];
    memset(chain, 0, sizeof chain);
    chain[0].name = L->name;
    struct stat st;
    if (path && stat(path, &st) == 0) {
        chain[0].has_id = 1;
        chain[0].dev = st.st_dev;
        chain[0].ino = st.st_ino;
    }
    return resolve(L, cfg, L->include_dir, chain, 0);
}
