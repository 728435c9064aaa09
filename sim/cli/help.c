/*
 * help - usage texts.  Keep docs/alignsim.1 in step with this table.
 */
#include "cli/help.h"

#include <string.h>

static const struct {
    const char *name;
    const char *synopsis;
    const char *text;
} commands[] = {
    {"run", "run SCENARIO [-o DIR] [-s SEED] [--set PATH=VALUE]...",
     "Runs one replication of SCENARIO and writes a result folder (default\n"
     "out/NAME, NAME the scenario's name): scenario.cfg (the resolved scenario;\n"
     "running it again reproduces the folder), trajectory.tsv, events.tsv,\n"
     "milestones.tsv and ladder.tsv.  Prints the replay score: how many\n"
     "calibration targets the run hits within 1 and 2 years.\n"
     "\n"
     "  -o DIR             result folder\n"
     "  -s SEED            master seed (overrides the scenario's `seed`)\n"
     "  --set PATH=VALUE   override a setting by its libconfig path, e.g.\n"
     "                     --set actors.china.doctrine_cost=0.4; recorded in\n"
     "                     scenario.cfg\n"
     "  -q                 no progress or summary on stderr\n"},
    {"check", "check SCENARIO [--set PATH=VALUE]...",
     "Validates SCENARIO and prints the resolved settings (includes expanded,\n"
     "defaults filled in, overrides applied, data inlined) on stdout.  Every\n"
     "error of the file is reported as FILE:LINE: error: ... on stderr; the\n"
     "exit status is 2 if there is any.\n"},
    {"help", "help [COMMAND]", "Prints the help of a command, or the overview.\n"},
};

void help_overview(FILE *f)
{
    fputs("alignsim " ALIGNSIM_VERSION
          " - discrete-event simulation of states' alignment choices\n"
          "\n"
          "Usage:\n",
          f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  alignsim %s\n", commands[i].synopsis);
    fputs("  alignsim --help | --version\n"
          "\n"
          "Exit status: 0 success; 1 runtime failure (I/O, resources); 2 bad usage\n"
          "or bad scenario.  Results go to stdout, diagnostics to stderr.\n"
          "See 'alignsim help COMMAND' and the man page alignsim(1).\n",
          f);
}

int help_command(FILE *f, const char *command)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, command) == 0) {
            fprintf(f, "Usage: alignsim %s\n\n%s", commands[i].synopsis, commands[i].text);
            return 0;
        }
    return -1;
}
