/*
 * sweepfile - reads and validates sweep files (see sweepfile.h).
 *
 * The file is parsed with libconfig and checked key by key against the
 * small tables below; every problem is reported through the scenario
 * loader's diagnostics (loader.h: ld_error gives FILE:LINE: error: PATH:
 * ...) and checking goes on, so one run shows all errors.  Only a fully
 * valid file fills the sweep_file.
 *
 * Invariants of a loaded sweep_file: 1 <= nparams <= SWEEP_MAX_PARAMS;
 * grid parameters have 1..SWEEP_MAX_VALUES values and points is the
 * product of their counts (<= SWEEP_MAX_POINTS); lhs and sobol parameters
 * have min < max and points >= 1; paths are distinct.
 */
#include "scenario/sweepfile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/num.h"
#include "scenario/read.h"

#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const design_names[] = {"grid", "lhs", "sobol"};

const char *sweepfile_design_name(sweep_design_kind k)
{
    return (unsigned)k < NKEYS(design_names) ? design_names[k] : "?";
}

void sweepfile_init(sweep_file *sf)
{
    memset(sf, 0, sizeof *sf);
}

void sweepfile_clear(sweep_file *sf)
{
    for (size_t i = 0; i < sf->nparams; i++)
        free(sf->params[i].values);
    free(sf->params);
    sweepfile_init(sf);
}

/* ------------------------------------------------------------------ */
/* Parameters                                                         */
/* ------------------------------------------------------------------ */

/* Rounds v to 12 significant digits (grid values from ranges). */
static double round12(double v)
{
    char dst[64];
    snprintf(dst, sizeof dst, "%.12g", v);
    double r = v;
    num_parse_double(dst, &r);
    return r;
}

/* Parses "start:step:end" at s into a new values array.  Returns 0, or -1
 * when reported. */
static int parse_range(loader *L, const config_setting_t *s, const char *text, double **values,
                       size_t *n)
{
    /* Three numbers separated by ':'. */
    double part[3];
    char piece[64];
    const char *p = text;
    for (int i = 0; i < 3; i++) {
        const char *end = i < 2 ? strchr(p, ':') : p + strlen(p);
        size_t len = end ? (size_t)(end - p) : 0;
        if (!end || len >= sizeof piece || (memcpy(piece, p, len), piece[len] = '\0',
                                           num_parse_double(piece, &part[i]) != 0) ||
            !isfinite(part[i])) {
            ld_error(L, s,
                     "expected a list of numbers or a range \"start:step:end\" (e.g. \"0.2:0.1:0.8\"), "
                     "found \"%s\"",
                     text);
            return -1;
        }
        p = end + 1;
    }
    double start = part[0], step = part[1], stop = part[2];
    if (step == 0.0 || (stop - start) / step < -1e-9) {
        ld_error(L, s,
                 "range \"%s\": the step must be non-zero and lead from start to end (start %.15g, step "
                 "%.15g, end %.15g)",
                 text, start, step, stop);
        return -1;
    }
    double count = floor((stop - start) / step + 1e-9) + 1.0;
    if (!(count >= 1.0) || count > (double)SWEEP_MAX_VALUES) {
        /* %.3g: a tiny step must not print a 300-digit count (issue 14). */
        ld_error(L, s, "range \"%s\" has %s%.3g values; at most %d are allowed", text, count < 1e6 ? "" : "about ",
                 count, SWEEP_MAX_VALUES);
        return -1;
    }
    size_t m = (size_t)count;
    double *v = malloc(m * sizeof *v);
    if (!v) {
        L->oom = 1;
        return -1;
    }
    for (size_t i = 0; i < m; i++)
        v[i] = round12(start + (double)i * step);
    *values = v;
    *n = m;
    return 0;
}

/* Reads `values` of a parameter entry: a list of distinct numbers or a
 * range "start:step:end".  Returns GOT_VALUE (values set), GOT_NONE
 * (absent) or GOT_BAD (reported). */
static ld_got get_values(loader *L, const config_setting_t *g, double **values, size_t *n)
{
    const config_setting_t *s = ld_member(g, "values");
    if (!s)
        return GOT_NONE;
    if (config_setting_type(s) == CONFIG_TYPE_STRING)
        return parse_range(L, s, config_setting_get_string(s), values, n) == 0 ? GOT_VALUE : GOT_BAD;
    if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
        buf b = {0};
        buf_puts(&b, "a list of numbers [0.1, 0.2] or a range \"start:step:end\"");
        ld_expect_error(L, s, &b);
        return GOT_BAD;
    }
    int len = config_setting_length(s);
    if (len < 1 || len > SWEEP_MAX_VALUES) {
        ld_error(L, s, "expected 1 to %d values, found %d", SWEEP_MAX_VALUES, len);
        return GOT_BAD;
    }
    double *v = malloc((size_t)len * sizeof *v);
    if (!v) {
        L->oom = 1;
        return GOT_BAD;
    }
    int bad = 0;
    for (int i = 0; i < len; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (ld_read_number(L, e, "a number", -INFINITY, INFINITY, 0, 0, &v[i]) != GOT_VALUE) {
            bad = 1;
            continue;
        }
        for (int j = 0; j < i && !bad; j++)
            if (v[j] == v[i]) {
                ld_error(L, e, "value %.15g is listed twice", v[i]);
                bad = 1;
            }
    }
    if (bad) {
        free(v);
        return GOT_BAD;
    }
    *values = v;
    *n = (size_t)len;
    return GOT_VALUE;
}

/* Checks one entry of `parameters` and fills p.  Returns 0 or -1. */
static int read_param(loader *L, const config_setting_t *g, sweep_design_kind design, sweep_param *p)
{
    memset(p, 0, sizeof *p);
    p->line = (int)config_setting_source_line(g);
    size_t errors0 = L->nerrors;
    ld_check_keys(L, g, settings_group(SG_SWEEP_PARAM), -1, -1);
    ld_read_fields(L, g, SG_SWEEP_PARAM, -1, -1, p, NULL);
    ld_got hv = get_values(L, g, &p->values, &p->nvalues);
    double mn = 0.0, mx = 0.0;
    ld_got hmin = ld_get_number(L, g, settings_key(SG_SWEEP_PARAM, SWP_MIN), 0.0, &mn);
    ld_got hmax = ld_get_number(L, g, settings_key(SG_SWEEP_PARAM, SWP_MAX), 0.0, &mx);
    if (hmin == GOT_VALUE && hmax == GOT_VALUE) {
        if (!(mn < mx))
            ld_error(L, ld_member(g, "max"), "expected max > min, found min %.15g and max %.15g", mn, mx);
        p->has_range = 1;
        p->min = mn;
        p->max = mx;
    } else if ((hmin == GOT_VALUE) != (hmax == GOT_VALUE) && hmin != GOT_BAD && hmax != GOT_BAD) {
        ld_error(L, g, "'min' and 'max' go together: give both or neither");
    }
    if (design == SWEEP_GRID) {
        if (hv == GOT_NONE)
            ld_error(L, g,
                     "a grid parameter needs 'values': a list [0.1, 0.2] or a range \"start:step:end\"");
        if (hmin != GOT_NONE || hmax != GOT_NONE)
            ld_error(L, ld_member(g, hmin != GOT_NONE ? "min" : "max"),
                     "'min' and 'max' are for designs \"lhs\" and \"sobol\"; a grid takes 'values'");
    } else {
        if (hv != GOT_NONE)
            ld_error(L, ld_member(g, "values"),
                     "'values' is for design \"grid\"; design \"%s\" takes 'min' and 'max'",
                     sweepfile_design_name(design));
        if (hmin == GOT_NONE && hmax == GOT_NONE)
            ld_error(L, g, "design \"%s\" needs 'min' and 'max' for every parameter",
                     sweepfile_design_name(design));
    }
    return L->nerrors == errors0 ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* The file                                                           */
/* ------------------------------------------------------------------ */

/* The file name without folder and extension, as a default name. */
static void default_name(const char *path, char *dst, size_t len)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n >= len)
        n = len - 1;
    memcpy(dst, base, n);
    dst[n] = '\0';
    char *dot = strrchr(dst, '.');
    if (dot && dot != dst)
        *dot = '\0';
}

static void check_root(loader *L, const config_setting_t *root, const char *dir, sweep_file *sf)
{
    ld_check_keys(L, root, settings_group(SG_SWEEP), -1, -1);
    default_name(sf->file, sf->name, sizeof sf->name);
    ld_got got[SWK_COUNT];
    ld_read_fields(L, root, SG_SWEEP, -1, -1, sf, got);
    const char *desc, *scen;
    ld_get_string(L, root, settings_key(SG_SWEEP, SWK_DESCRIPTION), &desc);
    if (ld_get_string(L, root, settings_key(SG_SWEEP, SWK_SCENARIO), &scen) == GOT_VALUE) {
        int n = scen[0] == '/' || !dir ? snprintf(sf->scenario, sizeof sf->scenario, "%s", scen)
                                        : snprintf(sf->scenario, sizeof sf->scenario, "%s/%s", dir, scen);
        if (n < 0 || (size_t)n >= sizeof sf->scenario)
            ld_error(L, ld_member(root, "scenario"), "path too long");
        else
            ld_normalise_path(sf->scenario);
    }
    int design = ld_get_choice(L, root, settings_key(SG_SWEEP, SWK_DESIGN), design_names, NKEYS(design_names),
                               "design");
    sf->design = design >= 0 ? (sweep_design_kind)design : SWEEP_GRID;
    if (sf->design != SWEEP_GRID && got[SWK_POINTS] == GOT_NONE)
        ld_error(L, root, "design \"%s\" needs 'points', the number of design points",
                 sweepfile_design_name(sf->design));
    if (sf->design == SWEEP_GRID && got[SWK_POINTS] == GOT_VALUE)
        ld_error(L, ld_member(root, "points"),
                 "'points' is for designs \"lhs\" and \"sobol\"; a grid has one point per combination");

    const setting_def *sd = settings_key(SG_SWEEP, SWK_SENSITIVITY);
    const config_setting_t *sg = ld_get_aggregate(L, root, sd);
    if (sg) {
        sf->sens_line = (int)config_setting_source_line(sg);
        ld_check_keys(L, sg, sd->group, -1, -1);
    }
    ld_read_fields(L, sg, SG_SWEEP_SENS, -1, -1, &sf->sens, NULL);

    const config_setting_t *list = ld_get_aggregate(L, root, settings_key(SG_SWEEP, SWK_PARAMETERS));
    if (!list)
        return;
    int n = config_setting_length(list);
    if (n < 1 || n > SWEEP_MAX_PARAMS)
        return; /* reported by ld_get_aggregate */
    sf->params = calloc((size_t)n, sizeof *sf->params);
    if (!sf->params) {
        L->oom = 1;
        return;
    }
    double product = 1.0;
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = ld_list_group(L, list, i);
        if (!g)
            continue;
        sweep_param *p = &sf->params[sf->nparams];
        if (read_param(L, g, sf->design, p) != 0) {
            free(p->values);
            memset(p, 0, sizeof *p);
            continue;
        }
        for (size_t j = 0; j < sf->nparams; j++)
            if (strcmp(sf->params[j].path, p->path) == 0)
                ld_error(L, ld_member(g, "path"), "parameter \"%s\" is swept twice (also at line %d)", p->path,
                         sf->params[j].line);
        product *= p->nvalues ? (double)p->nvalues : 1.0;
        sf->nparams++;
    }
    if (sf->design == SWEEP_GRID && L->nerrors == 0) {
        if (product > (double)SWEEP_MAX_POINTS)
            ld_error(L, list, "the grid has %.0f points; at most %d are allowed", product, SWEEP_MAX_POINTS);
        else
            sf->points = (size_t)product;
    }
}

int sweepfile_load(const char *path, sweep_file *sf, scenario_diags *diags)
{
    scenario_diags local = {NULL, 0};
    scenario_diags *dg = diags ? diags : &local;
    loader L;
    ld_init(&L, path, NULL, dg, NULL);
    char *text = NULL, *dir = NULL;
    int rc = AS_EUSAGE;
    config_t cfg;
    int have_cfg = 0;

    sweepfile_init(sf);
    size_t len = 0;
    text = io_read_file_max(path, LD_MAX_FILE_BYTES, &len);
    if (!text) {
        ld_error_at(&L, path, 0, "%s", strerror(errno));
        rc = AS_EIO;
        goto done;
    }
    if (memchr(text, '\0', len)) {
        ld_error_at(&L, path, 0, "expected a libconfig text file, found a NUL byte (binary data?)");
        goto done;
    }
    snprintf(sf->file, sizeof sf->file, "%s", path);
    const char *slash = strrchr(path, '/');
    if (slash) {
        size_t n = slash == path ? 1 : (size_t)(slash - path);
        dir = malloc(n + 1);
        if (!dir) {
            L.oom = 1;
            goto done;
        }
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    L.include_dir = dir;
    /* libconfig must not meet what it handles badly (see prescan.c). */
    if (ld_prescan(&L, text, path, dir) != 0 || L.oom)
        goto done;
    config_init(&cfg);
    have_cfg = 1;
    if (dir)
        config_set_include_dir(&cfg, dir);
    if (!config_read_string(&cfg, text)) {
        ld_syntax_error(&L, path, dir, &cfg, text);
        goto done;
    }
    check_root(&L, config_root_setting(&cfg), dir, sf);
    if (!L.oom && L.nerrors == 0)
        rc = AS_OK;

done:
    if (L.oom) {
        ld_error_at(&L, path, 0, "out of memory");
        rc = AS_ENOMEM;
    }
    if (rc != AS_OK)
        sweepfile_clear(sf);
    if (have_cfg)
        config_destroy(&cfg);
    ld_clear(&L);
    free(text);
    free(dir);
    scenario_diags_clear(&local);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Parameters against the scenario                                    */
/* ------------------------------------------------------------------ */

/* Levenshtein distance of two strings (any length; 999 on no memory). */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t *row = malloc((lb + 1) * sizeof *row);
    if (!row)
        return 999;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[lb];
    free(row);
    return d;
}

/* The part of a path after its last '.'. */
static const char *last_part(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot ? dot + 1 : path;
}

size_t sweepfile_near_params(const model_spec *spec, const char *path, char *dst, size_t len)
{
    enum { MAXN = 5 };
    size_t best[MAXN], bestd[MAXN], n = 0;
    size_t limit = strlen(path) / 4 + 2;
    for (size_t i = 0; i < spec->nparams; i++) {
        const char *cand = spec->params[i].path;
        size_t d = distance(path, cand);
        /* The same key under another prefix (a misplaced actor or group) is
         * as near as a two-letter typo. */
        if (d > 2 && strcmp(last_part(path), last_part(cand)) == 0)
            d = 2;
        if (d > limit)
            continue;
        size_t k = n < MAXN ? n++ : MAXN;
        if (k == MAXN) {
            if (d >= bestd[MAXN - 1])
                continue;
            k = MAXN - 1;
        }
        while (k > 0 && bestd[k - 1] > d) {
            best[k] = best[k - 1];
            bestd[k] = bestd[k - 1];
            k--;
        }
        best[k] = i;
        bestd[k] = d;
    }
    size_t used = 0;
    dst[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++) {
        int w = snprintf(dst + used, len - used, "%s%s", i ? ", " : "", spec->params[best[i]].path);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return n;
}

size_t sweepfile_check_params(const sweep_file *sf, const model_spec *spec, int need_range,
                              scenario_diags *diags)
{
    loader L;
    ld_init(&L, sf->file, NULL, diags, NULL);
    for (size_t i = 0; i < sf->nparams; i++) {
        const sweep_param *p = &sf->params[i];
        long idx = model_spec_find_param(spec, p->path);
        if (idx < 0) {
            char near[1024];
            size_t n = sweepfile_near_params(spec, p->path, near, sizeof near);
            if (n)
                ld_error_at(&L, sf->file, p->line,
                            "parameters.[%zu].path: unknown parameter \"%s\"; near matches: %s "
                            "(`alignsim check %s` shows every setting)",
                            i, p->path, near, sf->scenario);
            else
                ld_error_at(&L, sf->file, p->line,
                            "parameters.[%zu].path: unknown parameter \"%s\": expected the path of a "
                            "number of the scenario, such as model.w_threat or actors.china.doctrine_cost "
                            "(`alignsim check %s` shows every setting)",
                            i, p->path, sf->scenario);
            continue;
        }
        const spec_param *sp = &spec->params[idx];
        for (size_t k = 0; k < p->nvalues; k++)
            if (p->values[k] < sp->lo || p->values[k] > sp->hi) {
                ld_error_at(&L, sf->file, p->line,
                            "parameters.[%zu].values: %.15g is outside the valid range [%.15g, %.15g] of %s", i,
                            p->values[k], sp->lo, sp->hi, p->path);
                break;
            }
        if (p->has_range && (p->min < sp->lo || p->max > sp->hi))
            ld_error_at(&L, sf->file, p->line,
                        "parameters.[%zu]: the range [%.15g, %.15g] is not within the valid range [%.15g, "
                        "%.15g] of %s",
                        i, p->min, p->max, sp->lo, sp->hi, p->path);
        if (need_range && !p->has_range)
            ld_error_at(&L, sf->file, p->line,
                        "parameters.[%zu]: a sensitivity analysis needs 'min' and 'max' for %s (use design "
                        "\"sobol\" or \"lhs\" with ranges)",
                        i, p->path);
    }
    size_t n = L.nerrors;
    ld_clear(&L);
    return n;
}
