/*
 * cmd_calibrate - `alignsim calibrate SCENARIO [-o DIR] [-n REPS] [-s SEED]
 * [-j THREADS] [-q] [--set PATH=VALUE]...`: fits the free parameters of the
 * scenario's `calibrate` group to its targets (study/calibrate.h) and
 * prints the fit.  -n sets the replications per loss evaluation (default:
 * calibrate.reps); -s the master seed of those replications.
 *
 * Exit status: 0; 1 runtime failure; 2 bad usage, bad scenario or a
 * scenario without a `calibrate` group.
 */
#include "cli/commands.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/status.h"
#include "cli/progress.h"
#include "run/cluster.h"
#include "scenario/scenario.h"
#include "study/calibrate.h"

int cmd_calibrate(const cli_options *o)
{
    model_spec spec;
    char *resolved = NULL;
    int rc = cli_load_scenario(o, o->has_seed, o->seed, 0, &spec, &resolved);
    if (rc)
        return rc;
    char dirbuf[4096], err[4096] = "", ov[4096];
    const char *dir = o->out_dir;
    if (!dir) {
        snprintf(dirbuf, sizeof dirbuf, "out/%s-calibrated", spec.name);
        dir = dirbuf;
    }
    if (o->has_reps && o->reps > 100000) {
        fprintf(stderr, "alignsim calibrate: error: -n must be at most 100000 replications per evaluation\n");
        rc = 2;
        goto done;
    }
    cli_overrides_text(o, ov, sizeof ov);
    io_kv prov[] = {{"command", "calibrate"}, {"overrides", ov}};
    cli_session ss;
    if ((rc = cli_session_begin(o, "calibrate", &ss)) != 0)
        goto done;
    if ((rc = cli_session_lock(&ss, o, dir, spec.name)) != 0) {
        cli_session_end(&ss);
        goto done;
    }
    calibrate_options co = {o->positional[0], o->sets, o->nsets, o->has_seed, spec.seed,
                            o->has_reps ? (unsigned)o->reps : 0u, o->resume, dir, prov, 2};
    calibrate_report rep;
    scenario_diags diags = {NULL, 0};
    int st = calibrate_run(ss.e, &spec, resolved, &co, &rep, &diags, err, sizeof err);
    cli_session_end(&ss);
    for (size_t i = 0; ss.root && i < diags.n; i++)
        fprintf(stderr, "%s\n", diags.lines[i]);
    scenario_diags_clear(&diags);
    rc = cli_study_status("calibrate", st, err, "the evaluations done are kept", dir, ss.root);
    if (st != AS_OK || !ss.root)
        goto done;
    const spec_calibrate *cal = &spec.calibrate;
    unsigned reps = o->has_reps ? (unsigned)o->reps : cal->reps;
    printf("calibrated %zu free parameter%s of %s over %u replications (seed %llu): loss %.4g "
           "(the scenario's own values: %.4g), %zu evaluations\n",
           cal->nfree, cal->nfree == 1 ? "" : "s", spec.name, reps, (unsigned long long)spec.seed, rep.fit.loss,
           rep.fit.initial_loss, rep.fit.evaluations);
    for (size_t j = 0; j < cal->nfree; j++)
        printf("  %s = %.6g  (range %g to %g, was %g)\n", spec.params[cal->free[j].param].path, rep.fit.values[j],
               cal->free[j].min, cal->free[j].max, spec.params[cal->free[j].param].value);
    if (isinf(cal->fit_until)) {
        printf("fit: RMSE %.2f years per target over %zu targets; %.1f%% met within 2 years\n", rep.rmse_in,
               rep.n_in, 100.0 * rep.within2_in);
    } else {
        printf("in window (targets to %.2f): RMSE %.2f years over %zu targets; %.1f%% met within 2 years\n",
               cal->fit_until, rep.rmse_in, rep.n_in, 100.0 * rep.within2_in);
        printf("out of window (after %.2f, not fitted): RMSE %.2f years over %zu targets; %.1f%% met within 2 "
               "years\n",
               cal->fit_until, rep.rmse_out, rep.n_out, 100.0 * rep.within2_out);
    }
    printf("wrote %s (calibrated.cfg, calibration.tsv, fit.tsv)\n", dir);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "alignsim calibrate: error: cannot write to standard output\n");
        rc = 1;
    }
done:
    model_spec_clear(&spec);
    free(resolved);
    return rc;
}
