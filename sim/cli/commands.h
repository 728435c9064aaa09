/*
 * commands - the alignsim commands implemented outside main.c, each taking
 * the parsed options and returning the process exit status (0 success, 1
 * runtime failure, 2 bad usage or bad scenario, 128 + N after signal N).
 */
#ifndef ALIGNSIM_CLI_COMMANDS_H
#define ALIGNSIM_CLI_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

#include "cli/options.h"
#include "model/spec.h"
#include "scenario/sweepfile.h"

/*
 * Loads the scenario named by o->positional[0] with o's --set overrides,
 * and the seed replaced when has_seed, into *spec (initialised here) and
 * its resolved text into *resolved (heap; the caller frees both with
 * model_spec_clear and free).  Prints every diagnostic to stderr unless
 * quiet_errors.  Returns the exit status: 0, 1 (unreadable file) or 2 (bad
 * scenario).
 */
int cli_load_scenario(const cli_options *o, int has_seed, uint64_t seed, int quiet_errors,
                      model_spec *spec, char **resolved);

/* The result folder: -o DIR, or out/NAME with the scenario's name (written
 * into buf of size len when needed).  Returns a borrowed string. */
const char *cli_out_dir(const cli_options *o, const model_spec *spec, char *buf, size_t len);

/* The --set overrides joined by spaces ("none" without any), as the
 * provenance line `# overrides:` records them. */
void cli_overrides_text(const cli_options *o, char *buf, size_t len);

/* alignsim batch SCENARIO [-n REPS] [-j THREADS] [-o DIR] [-s SEED]
 *                [--resume] [--only REP|FIRST-LAST] [-q] [--set PATH=VALUE]... */
int cmd_batch(const cli_options *o);

/* alignsim claim SCENARIO [-n REPS] [-j THREADS] [-o DIR] [-s SEED]
 *                [--resume] [-q] [--set PATH=VALUE]... */
int cmd_claim(const cli_options *o);

/* alignsim compare DIR_A DIR_B [DIR_C...] [-o DIR] [-j THREADS] [-q] */
int cmd_compare(const cli_options *o);

/*
 * Loads the sweep file named by o->positional[0] into *sf (initialised by
 * the caller), its scenario into *spec and *resolved, and checks the swept
 * parameter paths (need_range: each needs min and max).  Prints every
 * diagnostic.  Returns 0, 1 (unreadable file) or 2 (bad sweep file or
 * scenario); on 0 the caller clears sf and spec and frees *resolved.
 * (cmd_sweep.c)
 */
int cli_load_sweep(const cli_options *o, int need_range, sweep_file *sf, model_spec *spec,
                   char **resolved);

/* alignsim sweep SWEEP [-n REPS] [-j THREADS] [-o DIR] [--list] [-q] */
int cmd_sweep(const cli_options *o);

/* alignsim calibrate SCENARIO [-o DIR] [-n REPS] [-s SEED] [-j THREADS] [-q]
 *                    [--set PATH=VALUE]... */
int cmd_calibrate(const cli_options *o);

/* alignsim sensitivity SWEEP [-o DIR] [-n REPS] [-j THREADS] [-q] */
int cmd_sensitivity(const cli_options *o);

#endif
