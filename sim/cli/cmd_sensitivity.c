/*
 * cmd_sensitivity - `alignsim sensitivity SWEEP [-o DIR] [-n REPS]
 * [-j THREADS] [-q]`: Sobol indices of the sweep file's parameters (each
 * with min and max) for P(alliance), the label-5 year and the replay score
 * (study/sensitivity.h).  -n sets the replications per model evaluation
 * (default: the sweep file's sensitivity.reps).
 *
 * Exit status: 0; 1 runtime failure or unreadable file; 2 bad usage, bad
 * sweep file or bad scenario.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/status.h"
#include "cli/progress.h"
#include "run/cluster.h"
#include "scenario/sweepfile.h"
#include "study/sensitivity.h"

int cmd_sensitivity(const cli_options *o)
{
    sweep_file sf;
    model_spec spec;
    char *resolved = NULL;
    sweepfile_init(&sf);
    int rc = cli_load_sweep(o, 1, &sf, &spec, &resolved);
    if (rc)
        return rc;
    char dirbuf[4096], err[4096] = "";
    const char *dir = o->out_dir;
    if (!dir) {
        snprintf(dirbuf, sizeof dirbuf, "out/%s-sensitivity", sf.name);
        dir = dirbuf;
    }
    uint64_t reps = o->has_reps ? o->reps : sf.sens.reps;
    size_t rows = (sf.nparams + 2) * sf.sens.base_samples;
    if (reps > 1000000) {
        fprintf(stderr, "alignsim sensitivity: error: -n must be at most 1000000 replications per evaluation\n");
        rc = 2;
        goto done;
    }
    io_kv prov[] = {{"command", "sensitivity"}};
    int root = cluster_rank() == 0;
    progress *pg = progress_alloc("sensitivity", root && !o->quiet && progress_stderr_is_terminal());
    engine *e = NULL;
    if ((rc = cli_engine(o, "sensitivity", pg, &e)) != 0) {
        progress_free(pg);
        goto done;
    }
    sensitivity_options so = {reps, o->resume, dir, prov, 1};
    cli_signal_state sigs;
    (void)cli_catch_stop_signals(&sigs);
    int st = sensitivity_run(e, &sf, &spec, resolved, &so, err, sizeof err);
    engine_free(e);
    progress_free(pg);
    cli_release_stop_signals(&sigs);
    rc = cli_exit_status(st, *cli_stop_flag());
    if (st == AS_ESTOPPED) {
        if (root)
            fprintf(stderr, "alignsim sensitivity: interrupted; the evaluations done are kept in %s.\n"
                            "Continue with the same command and --resume.\n",
                    dir);
        goto done;
    }
    if (st != AS_OK) {
        /* A sweep file's mistake comes as FILE:LINE: error: ... already. */
        int located = strncmp(err, sf.file, strlen(sf.file)) == 0;
        if (root || err[0])
            fprintf(stderr, "%s%s\n", located ? "" : "alignsim sensitivity: error: ", err);
        goto done;
    }
    if (!root)
        goto done;
    printf("wrote %s: %zu parameters, %zu base samples, %zu evaluations x %llu replications "
           "(sensitivity.tsv, salib_problem.txt, samples.tsv)\n",
           dir, sf.nparams, sf.sens.base_samples, rows, (unsigned long long)reps);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "alignsim sensitivity: error: cannot write to standard output\n");
        rc = 1;
    }
done:
    sweepfile_clear(&sf);
    model_spec_clear(&spec);
    free(resolved);
    return rc;
}
