/*
 * check - the passes of the scenario checker (internal to sim/scenario/):
 * ld_check() (loader.h) runs them in order over a parsed tree, filling
 * L->spec and reporting every error into L.
 */
#ifndef ALIGNSIM_SCENARIO_CHECK_H
#define ALIGNSIM_SCENARIO_CHECK_H

#include <libconfig.h>

#include "scenario/loader.h"

/* `data`: reads every table (files or inline) into series of L->spec
 * (tables.c). */
void ld_check_data(loader *L, const config_setting_t *root);

/* `claim`: the claim test's settings into L->spec->claim, defaults filled
 * in (check_study.c). */
void ld_check_claim(loader *L, const config_setting_t *root);

/* `calibrate` (optional): free parameters, order targets and the fit's
 * settings into L->spec->calibrate (check_study.c).  Runs after everything
 * that adds parameters. */
void ld_check_calibrate(loader *L, const config_setting_t *root);

/* The index of the parameter at path, or -1 with an error at s listing
 * the near matches (check_study.c). */
long ld_param_by_path(loader *L, const config_setting_t *s, const char *path);

/* `infer` (optional): priors, the sampler's and the distance's settings
 * into L->spec->infer (infer.c).  Runs after the targets and everything
 * that adds parameters. */
void ld_check_infer(loader *L, const config_setting_t *root);
/* `posterior` (optional), or the table L->posterior_table names: the
 * particles into L->spec->posterior (posterior.c).  Runs after everything
 * that adds parameters. */
void ld_check_posterior(loader *L, const config_setting_t *root);

/* The loader's records of overrides and variants: only their form is
 * checked (check_study.c). */
void ld_check_records(loader *L, const config_setting_t *root);

/* The expected-event budget: a scenario whose timings ask for more than
 * max_events kernel events per replication is an error at the setting
 * that asks for most (check_budget.c).  Runs last, only on a spec read
 * without errors. */
void ld_check_budget(loader *L, const config_setting_t *root);

#endif
