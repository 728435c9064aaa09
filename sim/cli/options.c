/*
 * options - strict parsing of alignsim's command line.
 *
 * getopt_long is a GNU extension; the grammar here is small enough to parse
 * by hand, and doing so lets every message name the command and the valid
 * choices.
 */
#include "cli/options.h"

#include "base/num.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(cli_options *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints a usage error for the command, frees the options, returns 2. */
static int fail(cli_options *o, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "alignsim %s: error: ", o->command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'alignsim help %s'.\n", o->command);
    cli_options_clear(o);
    return 2;
}

/* Option table: name, flag, whether it takes a value. */
static const struct {
    const char *name;
    unsigned flag;
    int has_value;
    const char *metavar;
} table[] = {
    {"-o", OPT_OUT, 1, "DIR"},         {"-s", OPT_SEED, 1, "SEED"},
    {"--set", OPT_SET, 1, "PATH=VALUE"}, {"-n", OPT_REPS, 1, "REPS"},
    {"-j", OPT_THREADS, 1, "THREADS"}, {"--resume", OPT_RESUME, 0, NULL},
    {"-q", OPT_QUIET, 0, NULL},        {"--only", OPT_ONLY, 1, "REP"},
    {"--list", OPT_LIST, 0, NULL},     {"--title", OPT_TITLE, 1, "TEXT"},
    {"--fit-until", OPT_FIT_UNTIL, 1, "YEAR"},
    {"--posterior", OPT_POSTERIOR, 1, "DIR"},
    {"--force", OPT_FORCE, 0, NULL},
};

int cli_parse(int argc, char **argv, int first, const char *command, unsigned allowed, size_t min_pos,
              size_t max_pos, cli_options *o)
{
    memset(o, 0, sizeof *o);
    o->command = command;
    size_t cap = (size_t)(argc > 0 ? argc : 1);
    o->positional = calloc(cap, sizeof *o->positional);
    o->sets = calloc(cap, sizeof *o->sets);
    if (!o->positional || !o->sets) {
        cli_options_clear(o);
        fprintf(stderr, "alignsim: error: out of memory\n");
        return 1;
    }
    int only_opts = 1;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (only_opts && strcmp(a, "--") == 0) {
            only_opts = 0;
            continue;
        }
        if (!only_opts || a[0] != '-' || a[1] == '\0') {
            o->positional[o->npositional++] = a;
            continue;
        }
        /* Accept --set=PATH=VALUE and -n100 forms too. */
        const char *value = NULL;
        size_t k, nt = sizeof table / sizeof table[0];
        for (k = 0; k < nt; k++) {
            size_t len = strlen(table[k].name);
            if (strcmp(a, table[k].name) == 0)
                break;
            if (table[k].has_value && strncmp(a, table[k].name, len) == 0 &&
                ((len == 2 && a[len] != '\0') || (len > 2 && a[len] == '='))) {
                value = a + len + (len > 2 ? 1 : 0);
                break;
            }
        }
        if (k == nt)
            return fail(o, "unknown option '%s'", a);
        if (!(allowed & table[k].flag))
            return fail(o, "option '%s' is not valid for this command", a);
        if (table[k].has_value && !value) {
            if (i + 1 >= argc)
                return fail(o, "option '%s' needs a value (%s)", a, table[k].metavar);
            value = argv[++i];
        }
        uint64_t u;
        switch (table[k].flag) {
        case OPT_OUT:
            if (!*value)
                return fail(o, "option '-o' needs a folder name");
            o->out_dir = value;
            break;
        case OPT_SEED:
            /* The one range of a seed, as the scenario's `seed` (issue 14:
             * -s used to report two different ranges). */
            if (num_parse_u64(value, (uint64_t)INT64_MAX, &u))
                return fail(o, "seed must be a whole number from 0 to 9223372036854775807, not '%s'", value);
            o->has_seed = 1;
            o->seed = u;
            break;
        case OPT_SET:
            if (!strchr(value, '=') || value[0] == '=')
                return fail(o, "--set needs PATH=VALUE, not '%s'", value);
            o->sets[o->nsets++] = value;
            break;
        case OPT_REPS:
            if (num_parse_u64(value, 1000000000ULL, &u) || u == 0)
                return fail(o, "-n must be a whole number of replications from 1 to 1000000000, not '%s'", value);
            o->has_reps = 1;
            o->reps = u;
            break;
        case OPT_THREADS:
            if (num_parse_u64(value, CLI_MAX_THREADS, &u) || u == 0)
                return fail(o, "-j must be a whole number of threads from 1 to %u, not '%s'", CLI_MAX_THREADS,
                            value);
            o->threads = (unsigned)u;
            break;
        case OPT_RESUME:
            o->resume = 1;
            break;
        case OPT_QUIET:
            o->quiet = 1;
            break;
        case OPT_LIST:
            o->list = 1;
            break;
        case OPT_FORCE:
            o->force = 1;
            break;
        case OPT_TITLE:
            o->title = value;
            break;
        case OPT_FIT_UNTIL: {
            double y;
            if (num_parse_double(value, &y) || !isfinite(y))
                return fail(o, "--fit-until needs a year (a number such as 2001.6), not '%s'", value);
            o->fit_until = value;
            break;
        }
        case OPT_POSTERIOR:
            if (!*value)
                return fail(o, "option '--posterior' needs a folder holding posterior.tsv");
            o->posterior_dir = value;
            break;
        case OPT_ONLY: {
            const char *dash = strchr(value, '-');
            uint64_t lo, hi;
            if (dash) {
                char head[64];
                size_t n = (size_t)(dash - value);
                if (n >= sizeof head)
                    n = sizeof head - 1;
                memcpy(head, value, n);
                head[n] = '\0';
                if (num_parse_u64(head, UINT64_MAX, &lo) || num_parse_u64(dash + 1, UINT64_MAX, &hi) || hi < lo)
                    return fail(o, "--only needs REP or FIRST-LAST (FIRST <= LAST), not '%s'", value);
            } else if (num_parse_u64(value, UINT64_MAX, &lo)) {
                return fail(o, "--only needs REP or FIRST-LAST, not '%s'", value);
            } else {
                hi = lo;
            }
            o->has_only = 1;
            o->only_first = lo;
            o->only_last = hi;
            break;
        }
        }
    }
    if (o->force && o->resume)
        return fail(o, "--force and --resume exclude each other: --force removes what --resume would continue");
    if (o->npositional < min_pos)
        return fail(o, "missing argument%s", min_pos > 1 ? "s" : "");
    if (o->npositional > max_pos)
        return fail(o, "unexpected argument '%s'", o->positional[max_pos]);
    return 0;
}

void cli_options_clear(cli_options *o)
{
    free(o->positional);
    free(o->sets);
    o->positional = NULL;
    o->sets = NULL;
}
