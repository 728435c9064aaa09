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
    cli_session ss;
    if ((rc = cli_session_begin(o, "sensitivity", &ss)) != 0)
        goto done;
    if ((rc = cli_session_lock(&ss, o, dir, spec.name)) != 0) {
        cli_session_end(&ss);
        goto done;
    }
    sensitivity_options so = {reps, o->resume, dir, prov, 1};
    int st = sensitivity_run(ss.e, &sf, &spec, resolved, &so, err, sizeof err);
    cli_session_end(&ss);
    rc = cli_study_status("sensitivity", st, err, "the evaluations done are kept", dir, ss.root);
    if (st != AS_OK || !ss.root)
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
