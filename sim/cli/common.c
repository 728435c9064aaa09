/*
 * common - what every command of the command line does the same way:
 * loading the scenario named by the first positional argument with the
 * --set overrides and -s seed, the default result folder, and the overrides
 * as one provenance value.
 */
#include "cli/commands.h"

#include <stdio.h>

#include "scenario/scenario.h"

int cli_load_scenario(const cli_options *o, int has_seed, uint64_t seed, int quiet_errors,
                      model_spec *spec, char **resolved)
{
    scenario_diags diags = {NULL, 0};
    scenario_options so = {o->sets, o->nsets, has_seed, seed};
    model_spec_init(spec);
    int rc = scenario_load(o->positional[0], &so, spec, resolved, &diags);
    for (size_t i = 0; i < diags.n && !quiet_errors; i++)
        fprintf(stderr, "%s\n", diags.lines[i]);
    scenario_diags_clear(&diags);
    return rc == SCENARIO_OK ? 0 : rc == SCENARIO_EIO ? 1 : 2;
}

const char *cli_out_dir(const cli_options *o, const model_spec *spec, char *buf, size_t len)
{
    if (o->out_dir)
        return o->out_dir;
    snprintf(buf, len, "out/%s", spec->name);
    return buf;
}

void cli_overrides_text(const cli_options *o, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < o->nsets && used < len; i++) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? " " : "", o->sets[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    if (!o->nsets)
        snprintf(buf, len, "none");
}
