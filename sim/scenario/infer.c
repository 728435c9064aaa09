/*
 * infer - the `infer` group of a scenario (alignsim infer): the priors of
 * the parameters the sampler moves, the ABC-SMC settings and the
 * distance's settings, into model_spec.infer.  The keys are in the settings
 * table (settings.c, SG_INFER and SG_PRIOR); this file checks what refers
 * to the rest of the scenario (parameter paths, the targets).
 */
#include "scenario/check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/read.h"

/* The kernel names, in spec_kernel order. */
static const char *const kernel_names[] = {"olcm", "cov2"};

/* The parameter a prior's `path` names, or -1 (reported). */
static long prior_param(loader *L, const config_setting_t *e, const spec_infer *inf)
{
    const char *path;
    if (ld_get_string(L, e, settings_key(SG_PRIOR, PRIOR_PATH), &path) != GOT_VALUE)
        return -1;
    long p = ld_param_by_path(L, ld_member(e, "path"), path);
    if (p < 0)
        return -1;
    for (size_t j = 0; j < inf->npriors; j++)
        if (inf->priors[j].param == (size_t)p) {
            ld_error(L, ld_member(e, "path"), "parameter \"%s\" has a prior twice", path);
            return -1;
        }
    return p;
}

/* One prior, or -1 (reported): a point mass (`value`) or a distribution
 * (`dist` and its keys) within the parameter's range. */
static int read_prior(loader *L, const config_setting_t *e, const spec_infer *inf, spec_prior *out)
{
    const setting_group *pg = settings_group(SG_PRIOR);
    const config_setting_t *dist = ld_member(e, "dist"), *value = ld_member(e, "value");
    if (!dist)
        ld_check_keys(L, e, pg, -1, -1);
    long p = prior_param(L, e, inf);
    if (dist && value) {
        ld_error(L, value, "expected either `value` (a point mass) or `dist` (a distribution), found both");
        return -1;
    }
    if (!dist && !value) {
        ld_error(L, e, "expected `value` (a point mass) or `dist` (a distribution) in the prior");
        return -1;
    }
    if (!dist) {
        /* A point mass has no shape: name the first shape key found. */
        for (unsigned k = PRIOR_MIN; k < PRIOR_COUNT; k++) {
            const config_setting_t *s = ld_member(e, pg->keys[k].name);
            if (s) {
                ld_error(L, s, "'%s' needs `dist`; a prior with `value` is a point mass", pg->keys[k].name);
                return -1;
            }
        }
    }
    if (p < 0) {
        if (dist) /* still check the distribution's own keys */
            ld_check_keys(L, e, pg, -1, -1);
        return -1;
    }
    const spec_param *sp = &L->spec->params[p];
    spec_param tmp;
    memset(&tmp, 0, sizeof tmp);
    if (dist) {
        if (ld_read_dist(L, e, pg, sp->path, sp->lo, sp->hi, 0, &tmp) != GOT_VALUE)
            return -1;
    } else if (ld_read_number(L, value, "a number", sp->lo, sp->hi, 0, 0, &tmp.value) != GOT_VALUE) {
        return -1;
    }
    out->param = (size_t)p;
    out->dist = tmp.dist;
    out->value = tmp.value;
    return 0;
}

/*
 * The infer group (optional): settings by the table, the kernel by name,
 * per-target scales (one per target), priors by parameter path.  Runs
 * after the targets and everything that adds parameters.
 */
void ld_check_infer(loader *L, const config_setting_t *root)
{
    const setting_def *id = settings_key(SG_ROOT, ROOT_INFER);
    spec_infer *inf = &L->spec->infer;
    free(inf->scales);
    memset(inf, 0, sizeof *inf);
    inf->fit_until = INFINITY;
    const config_setting_t *g = ld_get_aggregate(L, root, id);
    if (!g)
        return;
    inf->present = 1;
    ld_check_keys(L, g, id->group, -1, -1);
    ld_read_fields(L, g, SG_INFER, -1, -1, inf, NULL);

    int k = ld_get_choice(L, g, settings_key(SG_INFER, INF_KERNEL), kernel_names,
                          sizeof kernel_names / sizeof kernel_names[0], "kernel");
    inf->kernel = k < 0 ? SPEC_KERNEL_OLCM : k;

    double *v = NULL;
    size_t n = 0;
    size_t nt = L->spec->ntargets;
    if (ld_get_numbers(L, g, settings_key(SG_INFER, INF_SCALES), (size_t)1 << 20, &v, &n) == GOT_VALUE) {
        if (n != nt)
            ld_error(L, ld_member(g, "scales"), "expected one scale per target (%zu), found %zu", nt, n);
        else
            inf->scales = v, v = NULL;
    }
    free(v);

    const config_setting_t *list = ld_get_aggregate(L, g, settings_key(SG_INFER, INF_PRIORS));
    for (int i = 0; list && i < config_setting_length(list); i++) {
        const config_setting_t *e = ld_list_group(L, list, i);
        spec_prior pr;
        memset(&pr, 0, sizeof pr);
        if (e && read_prior(L, e, inf, &pr) == 0 && inf->npriors < SPEC_MAX_PRIORS)
            inf->priors[inf->npriors++] = pr;
    }
}
