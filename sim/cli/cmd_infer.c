/*
 * cmd_infer - `alignsim infer SCENARIO... [-o DIR] [-j N] [-s SEED]
 * [--resume] [--fit-until YEAR] [-q] [--set PATH=VALUE]...`: the posterior
 * of the parameters of each scenario's `infer` group given its targets
 * (study/infer.h); with several scenarios, a model choice between them.
 * --fit-until YEAR is --set infer.fit_until=YEAR on every scenario (so the
 * resolved scenario.cfg records it); -s the master seed (default: the
 * first scenario's seed).
 *
 * Exit status: 0; 1 runtime failure; 2 bad usage, bad scenario or a
 * scenario without priors; 128 + N after signal N (the rounds done are
 * kept: --resume continues).
 */
#include "cli/commands.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "cli/progress.h"
#include "study/infer.h"

/* Shows each completed generation on the progress line. */
static void on_generation(void *ctx, const infer_progress *p)
{
    char note[96];
    snprintf(note, sizeof note, "generation %zu: tolerance %.4g, acceptance %.3g, ESS %.0f", p->generation,
             p->tolerance, p->acceptance, p->ess);
    progress_note(ctx, note);
}

static void print_report(const infer_options *io, const infer_report *r, const char *dir)
{
    const model_spec *s0 = io->specs[0];
    printf("inferred %s from %zu targets: %zu generations, %llu simulations (%llu run), final tolerance %.4g, "
           "ESS %.0f (stopped: %s)\n",
           s0->name, s0->ntargets, r->generations, (unsigned long long)r->simulations,
           (unsigned long long)r->simulated, r->tolerance, r->ess, r->stop);
    if (r->nmodels > 1) {
        printf("posterior model probabilities (95%% bootstrap interval):\n");
        for (size_t m = 0; m < r->nmodels; m++)
            printf("  %-24s %.3f  [%.3f, %.3f]\n", io->specs[m]->name, r->probability[m], r->prob_lo[m],
                   r->prob_hi[m]);
    }
    printf("posterior of %s (weighted particles; sd ratio = posterior sd / prior sd, near 1: the record "
           "leaves the prior):\n",
           io->specs[r->best_model]->name);
    printf("  %-34s %10s %10s %10s %10s %10s %8s\n", "parameter", "prior mean", "mean", "5%", "median", "95%",
           "sd ratio");
    for (size_t j = 0; j < r->nparams; j++) {
        const infer_param_summary *p = &r->params[j];
        double ratio = p->prior_sd > 0.0 ? p->sd / p->prior_sd : NAN;
        printf("  %-34s %10.4g %10.4g %10.4g %10.4g %10.4g %8.2f\n", p->path, p->prior_mean, p->mean, p->q05,
               p->q50, p->q95, ratio);
    }
    if (r->npredicted)
        printf("out of sample: %zu of %zu later targets inside their 90%% posterior predictive interval\n",
               r->ninside, r->npredicted);
    printf("wrote %s (%s)\n", dir,
           r->nmodels > 1   ? "models.tsv, generations.tsv, one folder per model"
           : r->npredicted ? "posterior.tsv, posterior.cfg, generations.tsv, predictive.tsv"
                           : "posterior.tsv, posterior.cfg, generations.tsv");
}

int cmd_infer(const cli_options *o)
{
    size_t nm = o->npositional;
    model_spec *specs = calloc(nm, sizeof *specs);
    char **resolved = calloc(nm, sizeof *resolved);
    const model_spec **sp = calloc(nm, sizeof *sp);
    const char **sets = calloc(o->nsets + 1, sizeof *sets);
    char fit_set[128];
    size_t loaded = 0;
    int rc = 1;
    if (!specs || !resolved || !sp || !sets) {
        fprintf(stderr, "alignsim infer: error: out of memory\n");
        goto done;
    }
    cli_options lo = *o;
    memcpy(sets, o->sets, o->nsets * sizeof *sets);
    lo.sets = sets;
    if (o->fit_until) {
        snprintf(fit_set, sizeof fit_set, "infer.fit_until=%s", o->fit_until);
        sets[lo.nsets++] = fit_set;
    }
    /* The first scenario's seed (or -s) is every model's master seed. */
    uint64_t seed = o->seed;
    for (size_t m = 0; m < nm; m++) {
        lo.positional = o->positional + m;
        int has = m > 0 || o->has_seed;
        if ((rc = cli_load_scenario(&lo, has, seed, 0, &specs[m], &resolved[m])) != 0)
            goto done;
        loaded = m + 1;
        seed = specs[0].seed;
        sp[m] = &specs[m];
    }
    char dirbuf[4096], err[4096] = "", ov[4096];
    const char *dir = o->out_dir;
    if (!dir) {
        snprintf(dirbuf, sizeof dirbuf, "out/%s-%s", specs[0].name, nm > 1 ? "models" : "posterior");
        dir = dirbuf;
    }
    cli_overrides_text(&lo, ov, sizeof ov);
    io_kv prov[] = {{"command", "infer"}, {"overrides", ov}};
    cli_session ss;
    if ((rc = cli_session_begin(o, "infer", &ss)) != 0)
        goto done;
    /* One writer per folder; a model choice's folder holds several
     * scenarios, so only a single model's name is checked against it. */
    if ((rc = cli_session_lock(&ss, o, dir, nm > 1 ? NULL : specs[0].name)) != 0) {
        cli_session_end(&ss);
        goto done;
    }
    infer_options io = {nm, sp, (const char *const *)resolved, o->positional, seed, o->resume, dir, prov, 2,
                        on_generation, ss.pg, NULL};
    infer_report rep;
    int st = infer_run(ss.e, &io, &rep, err, sizeof err);
    cli_session_end(&ss);
    rc = cli_study_status("infer", st, err, "the rounds done are kept", dir, ss.root);
    if (st == AS_OK && ss.root) {
        print_report(&io, &rep, dir);
        if (fflush(stdout) != 0) {
            fprintf(stderr, "alignsim infer: error: cannot write to standard output\n");
            rc = 1;
        }
    }
    infer_report_clear(&rep);
done:
    for (size_t m = 0; m < loaded; m++) {
        model_spec_clear(&specs[m]);
        free(resolved[m]);
    }
    free(specs);
    free(resolved);
    free(sp);
    free(sets);
    return rc;
}
