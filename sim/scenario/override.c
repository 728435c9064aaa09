/*
 * override - applies --set PATH=VALUE and -s SEED to a parsed scenario tree.
 *
 * PATH is a libconfig path: names separated by dots, with list entries
 * written as an index, `events.[3].magnitude` (what config_lookup() in
 * libconfig 1.5 accepts), `events.3.magnitude` or `events[3].magnitude`.
 * Each part must be a key the settings table knows at that level (actors
 * and data tables are named freely); a missing group on the way is created
 * (`--set model.w_threat=2.5` with no `model` group), a missing list is not
 * (set the whole list), and an index one past the end appends an entry.
 *
 * VALUE is parsed by libconfig as the text of `v = VALUE;`, so numbers,
 * "strings", [arrays], (lists) and {groups} - distribution groups included -
 * all work.  The value replaces the setting at PATH; a group or list
 * replaced by one of the same type keeps its place (actor order matters).
 * Settings an override created carry its ld_mark (MARK_PLACE) as libconfig hook,
 * so that later diagnostics about them say "--set PATH: error: ...".
 * Every override applied is appended to the top-level `overrides` list.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/num.h"
#include "scenario/loader.h"

#define MAX_PARTS 16

/* One part of a path: a name, or a list index. */
typedef struct {
    char name[SPEC_PATH_LEN];
    long index;
    int is_index;
} path_part;

/* What the setting being walked holds. */
typedef enum {
    C_GROUP, /* fixed keys of g */
    C_MAP,   /* freely named groups, each with the keys of g */
    C_LIST,  /* list of groups, each with the keys of g */
} container;

/* Splits path into parts; -1 on a malformed path. */
static int split_path(const char *path, path_part *parts, size_t *n)
{
    *n = 0;
    const char *p = path;
    if (!*p)
        return -1;
    while (*p) {
        if (*n == MAX_PARTS)
            return -1;
        path_part *part = &parts[*n];
        memset(part, 0, sizeof *part);
        if (*p == '[') {
            const char *close = strchr(p, ']');
            size_t len = close ? (size_t)(close - p - 1) : 0;
            int64_t index;
            if (!close || len == 0 || len >= sizeof part->name)
                return -1;
            memcpy(part->name, p + 1, len);
            part->name[len] = '\0';
            if (num_parse_i64(part->name, 0, INT32_MAX, &index) != 0)
                return -1;
            part->name[0] = '\0';
            part->index = (long)index;
            part->is_index = 1;
            p = close + 1;
        } else {
            size_t len = strcspn(p, ".[");
            if (len == 0 || len >= sizeof part->name)
                return -1;
            memcpy(part->name, p, len);
            part->name[len] = '\0';
            p += len;
            int64_t index;
            if (strspn(part->name, "0123456789") == len) {
                if (num_parse_i64(part->name, 0, INT32_MAX, &index) != 0)
                    return -1;
                part->is_index = 1;
                part->index = (long)index;
            }
        }
        (*n)++;
        if (*p == '.') {
            p++;
            if (!*p || *p == '.')
                return -1;
        } else if (*p && *p != '[') {
            return -1;
        }
    }
    return 0;
}

/* Copies the value of src into dst, which has src's type (an aggregate dst
 * must be empty).  Returns 0, or -1 if libconfig refused. */
static int copy_value(config_setting_t *dst, const config_setting_t *src, int keep_place)
{
    switch (config_setting_type(src)) {
    case CONFIG_TYPE_INT:
        return config_setting_set_int(dst, config_setting_get_int(src)) ? 0 : -1;
    case CONFIG_TYPE_INT64:
        return config_setting_set_int64(dst, config_setting_get_int64(src)) ? 0 : -1;
    case CONFIG_TYPE_FLOAT:
        return config_setting_set_float(dst, config_setting_get_float(src)) ? 0 : -1;
    case CONFIG_TYPE_BOOL:
        return config_setting_set_bool(dst, config_setting_get_bool(src)) ? 0 : -1;
    case CONFIG_TYPE_STRING:
        return config_setting_set_string(dst, config_setting_get_string(src)) ? 0 : -1;
    case CONFIG_TYPE_GROUP:
    case CONFIG_TYPE_LIST:
    case CONFIG_TYPE_ARRAY:
        for (int i = 0; i < config_setting_length(src); i++) {
            const config_setting_t *c = config_setting_get_elem(src, (unsigned)i);
            if (!ld_copy_setting(dst, config_setting_is_group(src) ? config_setting_name(c) : NULL,
                                 c, keep_place))
                return -1;
        }
        return 0;
    default:
        return -1;
    }
}

config_setting_t *ld_copy_setting(config_setting_t *parent, const char *name,
                                  const config_setting_t *src, int keep_place)
{
    config_setting_t *s = config_setting_add(parent, name, config_setting_type(src));
    if (!s)
        return NULL;
    if (keep_place) {
        s->line = src->line;
        s->file = src->file;
        config_setting_set_hook(s, config_setting_get_hook(src));
    }
    if (copy_value(s, src, keep_place) != 0)
        return NULL;
    return s;
}

/*
 * Puts value at parent.name (parent a group) or at entry index of parent (a
 * list; index == length appends), replacing existing.  Returns the setting
 * that now holds the value, or NULL.
 */
static config_setting_t *place(config_setting_t *parent, const char *name,
                               config_setting_t *existing, const config_setting_t *value)
{
    if (existing && config_setting_type(existing) == config_setting_type(value)) {
        if (config_setting_is_aggregate(existing))
            while (config_setting_length(existing) > 0)
                config_setting_remove_elem(existing, 0);
        return copy_value(existing, value, 0) == 0 ? existing : NULL;
    }
    if (existing) {
        if (!config_setting_is_group(parent))
            return NULL;
        config_setting_remove(parent, name);
    }
    return ld_copy_setting(parent, config_setting_is_group(parent) ? name : NULL, value, 0);
}

/* Writes the keys of g (not the loader's own) as "a, b, c". */
static void write_keys(buf *b, const setting_group *g)
{
    int first = 1;
    for (size_t i = 0; i < g->nkeys; i++) {
        if (g->keys[i].flags & (SF_LOADER | SF_VARIANT))
            continue;
        buf_printf(b, "%s%s", first ? "" : ", ", g->keys[i].name);
        first = 0;
    }
}

/* Reports an unknown key name under prefix, with a suggestion. */
static void unknown_part(loader *L, const char *label, const char *prefix, const char *name,
                         const setting_group *g)
{
    buf b = {0};
    ld_suggest sg;
    ld_suggest_init(&sg, name);
    for (size_t i = 0; i < g->nkeys; i++)
        if (!(g->keys[i].flags & (SF_LOADER | SF_VARIANT)))
            ld_suggest_add(&sg, g->keys[i].name);
    ld_suggest_write(&sg, &b);
    buf_printf(&b, " (valid settings %s%s: ", prefix[0] ? "in " : "at the top level",
              prefix);
    write_keys(&b, g);
    buf_puts(&b, ")");
    char *hint = buf_take(&b);
    ld_error_at(L, label, 0, "unknown setting '%s'%s", name, hint ? hint : "");
    free(hint);
}

/* Appends "PATH=VALUE" to the top-level `overrides` list. */
static void record(loader *L, config_t *cfg, const char *text)
{
    config_setting_t *root = config_root_setting(cfg);
    config_setting_t *ov = config_setting_get_member(root, "overrides");
    if (!ov && !(ov = config_setting_add(root, "overrides", CONFIG_TYPE_ARRAY))) {
        L->oom = 1;
        return;
    }
    /* A wrong `overrides` in the file is reported by the check pass. */
    if (!config_setting_is_array(ov) && !config_setting_is_list(ov))
        return;
    config_setting_t *s = config_setting_add(ov, NULL, CONFIG_TYPE_STRING);
    if (s)
        config_setting_set_string(s, text);
}

/*
 * Walks the parts of path from the root, checking each against the table,
 * and places value at the end.  Errors are reported under the label.
 * Returns 0 when the value was placed.
 */
static int walk_and_place(loader *L, config_t *cfg, const path_part *parts, size_t n,
                          const config_setting_t *value, ld_mark *mark)
{
    const char *label = mark->label;
    config_setting_t *s = config_root_setting(cfg);
    const setting_group *g = settings_root();
    container kind = C_GROUP;
    char prefix[512] = "";

    for (size_t k = 0; k < n; k++) {
        const path_part *part = &parts[k];
        int last = k + 1 == n;
        const setting_def *d = NULL; /* NULL: an entry of a map or list */
        config_setting_t *child = NULL;
        long index = 0;

        if (kind == C_LIST) {
            if (!part->is_index) {
                ld_error_at(L, label, 0,
                            "expected an entry index after '%s' (%s.[0], %s.[1], ...), found '%s'",
                            prefix, prefix, prefix, part->name);
                return -1;
            }
            long len = config_setting_length(s);
            index = part->index;
            if (index > len || (index == len && !last)) {
                ld_error_at(L, label, 0,
                            "'%s' has %ld entr%s (indices 0 to %ld; %ld appends one), found index %ld",
                            prefix, len, len == 1 ? "y" : "ies", len - 1, len, index);
                return -1;
            }
            child = index < len ? config_setting_get_elem(s, (unsigned)index) : NULL;
        } else if (part->is_index) {
            ld_error_at(L, label, 0, "'%s' is a group, not a list: expected a setting name, found [%ld]",
                        prefix[0] ? prefix : "(top level)", part->index);
            return -1;
        } else if (kind == C_MAP) {
            child = config_setting_get_member(s, part->name);
        } else {
            d = settings_find(g, part->name);
            if (!d) {
                unknown_part(L, label, prefix, part->name, g);
                return -1;
            }
            if (d->flags & SF_LOADER) {
                ld_error_at(L, label, 0, "'%s' is written by the loader and cannot be set",
                            part->name);
                return -1;
            }
            if (d->flags & SF_VARIANT) {
                ld_error_at(L, label, 0,
                            "'%s' is resolved before the overrides apply and cannot be set "
                            "with --set; write it in a scenario file",
                            part->name);
                return -1;
            }
            child = config_setting_get_member(s, part->name);
        }

        char here[sizeof prefix + SPEC_PATH_LEN + 2];
        int w = part->is_index
                    ? snprintf(here, sizeof here, "%s.[%ld]", prefix, index)
                    : snprintf(here, sizeof here, "%s%s%s", prefix, prefix[0] ? "." : "", part->name);
        if (w < 0 || (size_t)w >= sizeof prefix) {
            ld_error_at(L, label, 0, "path too long");
            return -1;
        }

        if (last) {
            if (!d && !config_setting_is_group(value)) {
                buf b = {0};
                buf_printf(&b, "expected a group { ... } for '%s', found a value of another type", here);
                char *text = buf_take(&b);
                ld_error_at(L, label, 0, "%s", text ? text : "bad value");
                free(text);
                return -1;
            }
            config_setting_t *placed = place(s, part->name, child, value);
            if (!placed) {
                ld_error_at(L, label, 0, "cannot set '%s' (not a valid setting name?)", here);
                return -1;
            }
            config_setting_set_hook(placed, mark);
            return 0;
        }

        /* Descend: into the entry of a map or list, or by the key's type. */
        container next;
        const setting_group *ng = g;
        if (!d) {
            next = C_GROUP;
        } else if (d->type == ST_GROUP) {
            next = C_GROUP;
            ng = d->group;
        } else if (d->type == ST_MAP) {
            next = C_MAP;
            ng = d->group;
        } else if (d->type == ST_LIST) {
            next = C_LIST;
            ng = d->group;
            if (!child) {
                ld_error_at(L, label, 0, "'%s' does not exist: set the whole list, %s=( { ... } )",
                            here, here);
                return -1;
            }
        } else if (d->type == ST_PARAM) {
            next = C_GROUP;
            ng = settings_dist();
            if (!child || !config_setting_is_group(child)) {
                ld_error_at(L, label, 0,
                            "'%s' is not a distribution group: set it whole, e.g. "
                            "%s={ dist = \"uniform\"; min = 1.0; max = 2.0; }",
                            here, here);
                return -1;
            }
        } else {
            ld_error_at(L, label, 0, "'%s' is a %s, not a group: set it whole", here,
                        settings_type_doc(d));
            return -1;
        }
        if (!child) {
            child = config_setting_add(s, part->name, CONFIG_TYPE_GROUP);
            if (!child) {
                ld_error_at(L, label, 0, "cannot create '%s' (not a valid setting name)", here);
                return -1;
            }
            config_setting_set_hook(child, mark);
        } else if (next == C_LIST ? !config_setting_is_list(child) : !config_setting_is_group(child)) {
            ld_error_at(L, label, 0, "'%s' is not a %s in the scenario: set it whole", here,
                        next == C_LIST ? "list" : "group");
            return -1;
        }
        s = child;
        g = ng;
        kind = next;
        memcpy(prefix, here, (size_t)w + 1); /* w < sizeof prefix, checked above */
    }
    return -1;
}

/* Applies one "PATH=VALUE". */
static void apply_set(loader *L, config_t *cfg, const char *text, ld_mark *mark)
{
    config_t tmp;
    char *wrapped = NULL;
    const char *eq = strchr(text, '=');
    size_t plen = eq ? (size_t)(eq - text) : strlen(text);
    snprintf(mark->label, sizeof mark->label, "--set %.*s", (int)plen, text);
    config_init(&tmp);

    if (!eq || plen == 0) {
        ld_error_at(L, "--set", 0, "expected PATH=VALUE (e.g. model.w_threat=2.5), found '%s'",
                    text);
        goto done;
    }
    char path[512];
    snprintf(path, sizeof path, "%.*s", (int)plen, text);
    path_part parts[MAX_PARTS];
    size_t n;
    if (plen >= sizeof path || split_path(path, parts, &n) != 0) {
        ld_error_at(L, mark->label, 0,
                    "expected a path of setting names and entry indices such as "
                    "model.w_threat or events.[3].magnitude, found '%s'",
                    path);
        goto done;
    }
    size_t vlen = strlen(eq + 1);
    wrapped = malloc(vlen + 16);
    if (!wrapped) {
        L->oom = 1;
        goto done;
    }
    /* A bare integer beyond 32 bits gets the L suffix libconfig 1.5 needs
     * to read it as 64 bits rather than wrap it (issue 14: a sweep point
     * "rate=1000000000000" became -727379968). */
    const char *val = eq + 1;
    const char *mag = val + (*val == '-' || *val == '+');
    size_t digits = strspn(mag, "0123456789");
    int big = digits > 0 && mag[digits] == '\0' && (digits > 10 || (digits == 10 && strcmp(mag, "2147483647") > 0));
    snprintf(wrapped, vlen + 16, "v = %s%s\n;\n", val, big ? "L" : "");
    /* A value could hold an @include line: see prescan.c. */
    if (ld_prescan(L, wrapped, mark->label, NULL) != 0 || L->oom)
        goto done;
    if (!config_read_string(&tmp, wrapped)) {
        ld_error_at(L, mark->label, 0,
                    "cannot read the value '%s': %s (strings need double quotes, which the "
                    "shell needs quoted: --set 'name=\"x\"')",
                    eq + 1, config_error_text(&tmp) ? config_error_text(&tmp) : "parse error");
        goto done;
    }
    config_setting_t *root = config_root_setting(&tmp);
    const config_setting_t *v = config_setting_get_member(root, "v");
    if (!v || config_setting_length(root) != 1) {
        ld_error_at(L, mark->label, 0, "expected one value, found '%s'", eq + 1);
        goto done;
    }
    if (walk_and_place(L, cfg, parts, n, v, mark) == 0)
        record(L, cfg, text);

done:
    config_destroy(&tmp);
    free(wrapped);
}

/* Applies -s: the seed replaces the scenario's. */
static void apply_seed(loader *L, config_t *cfg, uint64_t seed, ld_mark *mark)
{
    snprintf(mark->label, sizeof mark->label, "-s");
    if (seed > (uint64_t)INT64_MAX) {
        ld_error_at(L, mark->label, 0, "expected a seed in [0, 9223372036854775807], found %llu",
                    (unsigned long long)seed);
        return;
    }
    config_setting_t *root = config_root_setting(cfg);
    if (config_setting_get_member(root, "seed"))
        config_setting_remove(root, "seed");
    config_setting_t *s = config_setting_add(root, "seed", CONFIG_TYPE_INT64);
    if (!s || !config_setting_set_int64(s, (long long)seed)) {
        L->oom = 1;
        return;
    }
    config_setting_set_hook(s, mark);
}

void ld_override(loader *L, config_t *cfg, const scenario_options *opt)
{
    if (!opt)
        return;
    for (size_t i = 0; i < opt->nsets; i++) {
        ld_mark *m = ld_new_mark(L, MARK_PLACE);
        if (!m)
            return;
        apply_set(L, cfg, opt->sets[i], m);
    }
    if (opt->has_seed) {
        ld_mark *m = ld_new_mark(L, MARK_PLACE);
        if (m)
            apply_seed(L, cfg, opt->seed, m);
    }
}
