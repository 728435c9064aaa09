/*
 * main - the alignsim command line: parses argv, loads the scenario, calls
 * the engine, maps failures to exit codes (0 ok, 1 runtime, 2 usage or bad
 * scenario).  Only this layer prints usage errors and exits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "base/status.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "cli/options.h"
#include "model/spec.h"
#include "run/cluster.h"
#include "run/replay.h"
#include "scenario/scenario.h"

static int cmd_run(const cli_options *o)
{
    model_spec spec;
    char *resolved = NULL;
    int rc = cli_load_scenario(o, o->has_seed, o->seed, 0, &spec, &resolved);
    if (rc)
        return rc;
    char dirbuf[4096], err[4096], ov[4096];
    const char *dir = cli_out_dir(o, &spec, dirbuf, sizeof dirbuf);
    cli_overrides_text(o, ov, sizeof ov);
    io_kv prov[] = {{"command", "run"}, {"overrides", ov}};
    replay_report rep;
    io_lock *lock = NULL;
    if ((rc = cli_lock_dir(o, dir, spec.name, 1, NULL, &lock)) != 0) {
        free(resolved);
        model_spec_clear(&spec);
        return rc;
    }
    int st = replay_run(&spec, resolved, spec.seed, prov, 2, dir, &rep, err, sizeof err);
    io_lock_release(lock);
    if (st != AS_OK) {
        fprintf(stderr, "alignsim run: error: %s\n", err);
        rc = cli_exit_status(st, 0);
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
    int rc = cli_load_scenario(o, o->has_seed, o->seed, 0, &spec, &resolved);
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
    /* The commands that run replications on the executor, with their
     * options; under MPI each of them runs on every rank (run/engine.h). */
    static const struct {
        const char *name;
        unsigned options;
        size_t min_pos, max_pos;
        int (*run)(const cli_options *);
    } studies[] = {
        {"batch", OPT_OUT | OPT_FORCE | OPT_SEED | OPT_SET | OPT_REPS | OPT_THREADS | OPT_RESUME | OPT_QUIET | OPT_ONLY | OPT_POSTERIOR,
         1, 1, cmd_batch},
        {"claim", OPT_OUT | OPT_FORCE | OPT_SEED | OPT_SET | OPT_REPS | OPT_THREADS | OPT_RESUME | OPT_QUIET | OPT_POSTERIOR, 1, 1,
         cmd_claim},
        {"sweep", OPT_OUT | OPT_FORCE | OPT_REPS | OPT_THREADS | OPT_RESUME | OPT_QUIET | OPT_LIST, 1, 1, cmd_sweep},
        {"calibrate", OPT_OUT | OPT_FORCE | OPT_SEED | OPT_SET | OPT_REPS | OPT_THREADS | OPT_RESUME | OPT_QUIET, 1, 1,
         cmd_calibrate},
        {"infer", OPT_OUT | OPT_FORCE | OPT_SEED | OPT_SET | OPT_THREADS | OPT_RESUME | OPT_QUIET | OPT_FIT_UNTIL, 1, 16,
         cmd_infer},
        {"sensitivity", OPT_OUT | OPT_FORCE | OPT_REPS | OPT_THREADS | OPT_RESUME | OPT_QUIET, 1, 1, cmd_sensitivity},
        {"compare", OPT_OUT | OPT_FORCE | OPT_THREADS | OPT_QUIET, 2, 26, cmd_compare},
    };
    for (size_t i = 0; i < sizeof studies / sizeof studies[0]; i++) {
        if (strcmp(cmd, studies[i].name) != 0)
            continue;
        if ((rc = cli_parse(argc, argv, 2, cmd, studies[i].options, studies[i].min_pos, studies[i].max_pos, &o)))
            return rc;
        char err[256];
        int threads_ok = 1;
        if (cluster_init(&threads_ok, err, sizeof err) != AS_OK) {
            fprintf(stderr, "alignsim %s: error: %s\n", cmd, err);
            cli_options_clear(&o);
            return 1;
        }
        if (!threads_ok && o.threads != 1)
            fprintf(stderr, "alignsim %s: warning: this MPI does not support threads; use -j 1\n", cmd);
        rc = studies[i].run(&o);
        if (cluster_finalize() != AS_OK && rc == 0)
            rc = 1;
        cli_options_clear(&o);
        return rc;
    }
    if (strcmp(cmd, "run") == 0) {
        if ((rc = cli_parse(argc, argv, 2, "run", OPT_OUT | OPT_SEED | OPT_SET | OPT_QUIET | OPT_POSTERIOR | OPT_FORCE, 1,
                            1, &o)))
            return rc;
        rc = cmd_run(&o);
    } else if (strcmp(cmd, "report") == 0) {
        if ((rc = cli_parse(argc, argv, 2, "report", OPT_OUT | OPT_TITLE | OPT_THREADS | OPT_QUIET, 1, SIZE_MAX, &o)))
            return rc;
        rc = cmd_report(&o);
    } else if (strcmp(cmd, "check") == 0) {
        if ((rc = cli_parse(argc, argv, 2, "check", OPT_SET | OPT_SEED | OPT_POSTERIOR, 1, 1, &o)))
            return rc;
        rc = cmd_check(&o);
    } else {
        fprintf(stderr, "alignsim: error: unknown command '%s'\nTry 'alignsim --help'.\n", cmd);
        return 2;
    }
    cli_options_clear(&o);
    return rc;
}
