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
#ifdef ALIGNSIM_MPI
#include <mpi.h>
#endif

#include "cli/commands.h"
#include "cli/help.h"
#include "cli/options.h"
#include "model/spec.h"
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
    if (strcmp(cmd, "run") == 0) {
        if ((rc = cli_parse(argc, argv, 2, "run", OPT_OUT | OPT_SEED | OPT_SET | OPT_QUIET, 1, 1, &o)))
            return rc;
        rc = cmd_run(&o);
    } else if (strcmp(cmd, "batch") == 0) {
        if ((rc = cli_parse(argc, argv, 2, "batch",
                            OPT_OUT | OPT_SEED | OPT_SET | OPT_REPS | OPT_THREADS | OPT_RESUME | OPT_QUIET |
                                OPT_ONLY,
                            1, 1, &o)))
            return rc;
#ifdef ALIGNSIM_MPI
        /* Only the batch speaks MPI; its worker threads never call MPI. */
        int provided = 0;
        if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
            fprintf(stderr, "alignsim batch: error: MPI_Init_thread failed\n");
            cli_options_clear(&o);
            return 1;
        }
        if (provided < MPI_THREAD_FUNNELED && o.threads != 1)
            fprintf(stderr, "alignsim batch: warning: this MPI does not support threads; use -j 1\n");
#endif
        rc = cmd_batch(&o);
#ifdef ALIGNSIM_MPI
        if (MPI_Finalize() != MPI_SUCCESS && rc == 0)
            rc = 1;
#endif
    } else if (strcmp(cmd, "claim") == 0) {
        if ((rc = cli_parse(argc, argv, 2, "claim",
                            OPT_OUT | OPT_SEED | OPT_SET | OPT_REPS | OPT_THREADS | OPT_RESUME | OPT_QUIET, 1, 1,
                            &o)))
            return rc;
#ifdef ALIGNSIM_MPI
        /* The claim's conditions are batches: they speak MPI as `batch` does. */
        int provided = 0;
        if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
            fprintf(stderr, "alignsim claim: error: MPI_Init_thread failed\n");
            cli_options_clear(&o);
            return 1;
        }
#endif
        rc = cmd_claim(&o);
#ifdef ALIGNSIM_MPI
        if (MPI_Finalize() != MPI_SUCCESS && rc == 0)
            rc = 1;
#endif
    } else if (strcmp(cmd, "sweep") == 0) {
        if ((rc = cli_parse(argc, argv, 2, "sweep", OPT_OUT | OPT_REPS | OPT_THREADS | OPT_QUIET | OPT_LIST, 1, 1,
                            &o)))
            return rc;
#ifdef ALIGNSIM_MPI
        /* Each point is a batch, which speaks MPI; a sweep itself runs in
         * one process. */
        if (MPI_Init(NULL, NULL) != MPI_SUCCESS) {
            fprintf(stderr, "alignsim sweep: error: MPI_Init failed\n");
            cli_options_clear(&o);
            return 1;
        }
        int nranks = 1;
        MPI_Comm_size(MPI_COMM_WORLD, &nranks);
        if (nranks > 1) {
            fprintf(stderr, "alignsim sweep: error: a sweep runs in one process; under mpirun, run the "
                            "points' scenario.cfg files with `alignsim batch`\n");
            rc = 2;
        } else {
            rc = cmd_sweep(&o);
        }
        if (MPI_Finalize() != MPI_SUCCESS && rc == 0)
            rc = 1;
#else
        rc = cmd_sweep(&o);
#endif
    } else if (strcmp(cmd, "calibrate") == 0) {
        if ((rc = cli_parse(argc, argv, 2, "calibrate", OPT_OUT | OPT_SEED | OPT_SET | OPT_REPS | OPT_THREADS | OPT_QUIET,
                            1, 1, &o)))
            return rc;
        rc = cmd_calibrate(&o);
    } else if (strcmp(cmd, "sensitivity") == 0) {
        if ((rc = cli_parse(argc, argv, 2, "sensitivity", OPT_OUT | OPT_REPS | OPT_THREADS | OPT_QUIET, 1, 1, &o)))
            return rc;
        rc = cmd_sensitivity(&o);
    } else if (strcmp(cmd, "compare") == 0) {
        if ((rc = cli_parse(argc, argv, 2, "compare", OPT_OUT | OPT_THREADS | OPT_QUIET, 2, 26, &o)))
            return rc;
        rc = cmd_compare(&o);
    } else if (strcmp(cmd, "report") == 0) {
        if ((rc = cli_parse(argc, argv, 2, "report", OPT_OUT | OPT_TITLE | OPT_THREADS | OPT_QUIET, 1, SIZE_MAX, &o)))
            return rc;
        rc = cmd_report(&o);
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
