/*
 * commands - the alignsim commands implemented outside main.c, each taking
 * the parsed options and returning the process exit status (0 success, 1
 * runtime failure, 2 bad usage or bad scenario, 128 + N after signal N).
 */
#ifndef ALIGNSIM_CLI_COMMANDS_H
#define ALIGNSIM_CLI_COMMANDS_H

#include "cli/options.h"

/* alignsim batch SCENARIO [-n REPS] [-j THREADS] [-o DIR] [-s SEED]
 *                [--resume] [--only REP|FIRST-LAST] [-q] [--set PATH=VALUE]... */
int cmd_batch(const cli_options *o);

#endif
