/*
 * help - the usage texts of alignsim and its commands, kept in one table so
 * that --help, `alignsim help COMMAND` and the man page say the same.
 */
#ifndef ALIGNSIM_CLI_HELP_H
#define ALIGNSIM_CLI_HELP_H

#include <stdio.h>

/* Prints the overview of all commands. */
void help_overview(FILE *f);

/* Prints the help of one command; returns 0, or -1 if there is no such
 * command (nothing printed). */
int help_command(FILE *f, const char *command);

#endif
