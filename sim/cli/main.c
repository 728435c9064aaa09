/*
 * main - the alignsim command line: parses argv, loads the scenario, calls
 * the engine, maps failures to exit codes (0 ok, 1 runtime, 2 usage or bad
 * scenario).  Only this layer prints usage errors and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli/help.h"
#include "cli/options.h"
#include "model/spec.h"
#include "run/replay.h"
#include "scenario/scenario.h"

/* Loads the scenario named by the first positional argument; prints the
 * diagnostics.  Returns 0, 1 or 2. */
static int load(const cli_options *o, model_spec *spec, char **resolved)
{
    scenario_diags diags = {NULL, 0};
    scenario_options so = {o->sets, o->nsets, o->has_seed, o->seed};
    model_spec_init(spec);
    int rc = scenario_load(o->positional[0], &so, spec, resolved, &diags);
    for (size_t i = 0; i < diags.n; i++)
        fprintf(stderr, "%s\n", diags.lines[i]);
    scenario_diags_clear(&diags);
    return rc == SCENARIO_OK ? 0 : rc == SCENARIO_EIO ? 1 : 2;
}

/* Default result folder out/NAME. */
static const char *out_dir(const cli_options *o, const model_spec *spec, char *buf, size_t len)
{
    if (o->out_dir)
        return o->out_dir;
    snprintf(buf, len, "out/%s", spec->name);
    return buf;
}

/* Joins the --set overrides into one provenance value. */
static void overrides_text(const cli_options *o, char *buf, size_t len)
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

static int cmd_run(const cli_options *o)
{
    model_spec spec;
    char *resolved = NULL;
    int rc = load(o, &spec, &resolved);
    if (rc)
        return rc;
    char dirbuf[4096], err[4096], ov[4096];
    const char *dir = out_dir(o, &spec, dirbuf, sizeof dirbuf);
    overrides_text(o, ov, sizeof ov);
    io_kv prov[] = {{"command", "run"}, {"overrides", ov}};
    replay_report rep;
    if (replay_run(&spec, resolved, spec.seed, prov, 2, dir, &rep, err, sizeof err) != 0) {
        fprintf(stderr, "alignsim run: error: %s\n", err);
        rc = 1;
    } else {
        char line[512];
        replay_format_score(&rep.score, line, sizeof line);
        printf("%s\n", line);
        printf("wrote %s (%zu events)\n", dir, rep.nevents);
    }
    free(resolved);
    model_spec_clear(&spec);
    return rc;
}

static int cmd_check(const cli_options *o)
{
    model_spec spec;
    char *resolved = NULL;
    int rc = load(o, &spec, &resolved);
    if (rc)
        return rc;
    fputs(resolved, stdout);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "alignsim check: error: cannot write to standard output\n");
        rc = 1;
    } else {
        fprintf(stderr, "%s: ok: %d actors, %zu events, %zu targets, %zu parameters\n", o->positional[0],
                spec.nactors, spec.nevents, spec.ntargets, spec.nparams);
    }
    free(resolved);
    model_spec_clear(&spec);
    return rc;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc < 2) {
        help_overview(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        help_overview(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("alignsim %s\n", ALIGNSIM_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc < 3) {
            help_overview(stdout);
            return 0;
        }
        if (argc > 3) {
            fprintf(stderr, "alignsim help: error: unexpected argument '%s'\n", argv[3]);
            return 2;
        }
        if (help_command(stdout, argv[2]) != 0) {
            fprintf(stderr, "alignsim help: error: no command '%s'\n", argv[2]);
            return 2;
        }
        return 0;
    }

    cli_options o;
    int rc;
    if (strcmp(cmd, "run") == 0) {
        if ((rc = cli_parse(argc, argv, 2, "run", OPT_OUT | OPT_SEED | OPT_SET | OPT_QUIET, 1, 1, &o)))
            return rc;
        rc = cmd_run(&o);
    } else if (strcmp(cmd, "check") == 0) {
        if ((rc = cli_parse(argc, argv, 2, "check", OPT_SET | OPT_SEED, 1, 1, &o)))
            return rc;
        rc = cmd_check(&o);
    } else {
        fprintf(stderr, "alignsim: error: unknown command '%s'\nTry 'alignsim --help'.\n", cmd);
        return 2;
    }
    cli_options_clear(&o);
    return rc;
}
