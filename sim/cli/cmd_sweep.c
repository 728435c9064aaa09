/*
 * cmd_sweep - `alignsim sweep SWEEP [-n REPS] [-j THREADS] [-o DIR]
 * [--list] [-q]`: reads the sweep file, loads its scenario, checks the
 * swept paths, expands the design and either lists the points (--list,
 * stdout only) or runs them (study/sweep.h).
 *
 * Exit status: 0; 1 runtime failure or unreadable file; 2 bad usage, bad
 * sweep file or bad scenario (every diagnostic as FILE:LINE: error: ...).
 */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/status.h"
#include "cli/progress.h"
#include "io/tsv.h"
#include "run/batch.h"
#include "run/cluster.h"
#include "scenario/scenario.h"
#include "scenario/sweepfile.h"
#include "study/sweep.h"

/* Prints and frees the diagnostics. */
static void print_diags(scenario_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "%s\n", d->lines[i]);
    scenario_diags_clear(d);
}

/*
 * Loads the sweep file named by the first positional argument, its
 * scenario (into spec and resolved) and checks the swept paths against it
 * (need_range: every parameter needs min and max).  Prints the
 * diagnostics.  Returns 0, 1 or 2.  On success the caller clears sf and
 * spec and frees resolved.
 */
int cli_load_sweep(const cli_options *o, int need_range, sweep_file *sf, model_spec *spec, char **resolved)
{
    scenario_diags d = {NULL, 0};
    model_spec_init(spec);
    *resolved = NULL;
    int rc = sweepfile_load(o->positional[0], sf, &d);
    print_diags(&d);
    if (rc != SCENARIO_OK)
        return cli_exit_status(rc, 0);
    rc = scenario_load(sf->scenario, NULL, spec, resolved, &d);
    print_diags(&d);
    if (rc != SCENARIO_OK) {
        fprintf(stderr, "%s: error: the scenario \"%s\" of this sweep does not load (see above)\n",
                sf->file, sf->scenario);
        sweepfile_clear(sf);
        return cli_exit_status(rc, 0);
    }
    if (sweepfile_check_params(sf, spec, need_range, &d) != 0) {
        print_diags(&d);
        sweepfile_clear(sf);
        model_spec_clear(spec);
        free(*resolved);
        *resolved = NULL;
        return 2;
    }
    return 0;
}

/* --list: the design points as a table on stdout. */
static int list_points(const sweep_file *sf, const sweep_design *d, const model_spec *spec)
{
    printf("point");
    for (size_t j = 0; j < d->k; j++)
        printf("\t%s", sf->params[j].path);
    printf("\tseed\n");
    for (size_t p = 0; p < d->npoints; p++) {
        const double *v = d->x + p * d->k;
        printf("%zu", p);
        for (size_t j = 0; j < d->k; j++) {
            char num[TSV_DOUBLE_BUFSIZE];
            tsv_format_double(num, sizeof num, v[j]);
            printf("\t%s", num);
        }
        printf("\t%llu\n", (unsigned long long)sweep_point_seed(spec->seed, sf, v));
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "alignsim sweep: error: cannot write to standard output\n");
        return 1;
    }
    return 0;
}

int cmd_sweep(const cli_options *o)
{
    sweep_file sf;
    model_spec spec;
    char *resolved = NULL;
    sweepfile_init(&sf);
    int rc = cli_load_sweep(o, 0, &sf, &spec, &resolved);
    if (rc)
        return rc;
    sweep_design d;
    char err[4096] = "";
    if (sweep_design_expand(&sf, &d, err, sizeof err) != 0) {
        fprintf(stderr, "alignsim sweep: error: %s\n", err);
        rc = 1;
        goto done;
    }
    if (o->list) {
        rc = list_points(&sf, &d, &spec);
        goto done;
    }
    char dirbuf[4096];
    const char *dir = o->out_dir;
    if (!dir) {
        snprintf(dirbuf, sizeof dirbuf, "out/%s", sf.name);
        dir = dirbuf;
    }
    uint64_t reps = o->has_reps ? o->reps : sf.reps;
    io_kv prov[] = {{"command", "sweep"}};
    cli_session ss;
    if ((rc = cli_session_begin(o, "sweep", &ss)) != 0)
        goto done;
    if ((rc = cli_session_lock(&ss, o, dir, spec.name)) != 0) {
        cli_session_end(&ss);
        goto done;
    }
    sweep_options so = {reps, o->resume, dir, prov, 1};
    scenario_diags diags = {NULL, 0};
    int st = sweep_run(ss.e, &sf, &d, &spec, resolved, &so, &diags, err, sizeof err);
    cli_session_end(&ss);
    if (ss.root)
        print_diags(&diags);
    else
        scenario_diags_clear(&diags);
    /* A point whose scenario does not load was reported by its diagnostics. */
    rc = cli_study_status("sweep", st, st == AS_EUSAGE && !err[0] ? NULL : err, "finished points are kept", dir,
                          ss.root && !(st == AS_EUSAGE && !err[0]));
    if (st != AS_OK || !ss.root)
        goto done;
    printf("wrote %s: %zu points x %llu replications (sweep.tsv, points/*/summary.tsv)\n", dir, d.npoints,
           (unsigned long long)reps);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "alignsim sweep: error: cannot write to standard output\n");
        rc = 1;
    }
done:
    sweep_design_clear(&d);
    sweepfile_clear(&sf);
    model_spec_clear(&spec);
    free(resolved);
    return rc;
}
