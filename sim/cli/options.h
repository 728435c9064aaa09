/*
 * options - the command line of alignsim: one parser for every command, with
 * strict numbers and clear messages.  Only cli/ parses argv.
 */
#ifndef ALIGNSIM_CLI_OPTIONS_H
#define ALIGNSIM_CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

/* The largest -j: the executor has no cap of its own, but a thread costs a
 * model and accumulators (megabytes for a batch), so a typing slip such as
 * -j 5000 is refused rather than run out of memory. */
#define CLI_MAX_THREADS 1024u

/* Options a command accepts (bit set). */
enum {
    OPT_OUT = 1u << 0,      /* -o DIR */
    OPT_SEED = 1u << 1,     /* -s SEED */
    OPT_SET = 1u << 2,      /* --set PATH=VALUE (repeatable) */
    OPT_REPS = 1u << 3,     /* -n REPS */
    OPT_THREADS = 1u << 4,  /* -j THREADS */
    OPT_RESUME = 1u << 5,   /* --resume */
    OPT_QUIET = 1u << 6,    /* -q */
    OPT_ONLY = 1u << 7,     /* --only REP or FIRST-LAST */
    OPT_LIST = 1u << 8,     /* --list */
    OPT_TITLE = 1u << 9,    /* --title TEXT */
    OPT_POSTERIOR = 1u << 10, /* --posterior DIR */
    OPT_FORCE = 1u << 11,     /* --force */
    OPT_FIT_UNTIL = 1u << 12  /* --fit-until YEAR */
};

typedef struct {
    const char *command;
    const char **positional;   /* borrowed from argv */
    size_t npositional;
    const char *out_dir;
    int has_seed;
    uint64_t seed;
    const char **sets;         /* borrowed from argv */
    size_t nsets;
    int has_reps;
    uint64_t reps;
    unsigned threads;          /* 0 = not given */
    int resume, quiet, list;
    int force;                 /* --force: replace another kind's or scenario's results */
    int has_only;
    uint64_t only_first, only_last;
    const char *title;         /* --title, borrowed from argv; NULL if not given */
    const char *fit_until;     /* --fit-until YEAR (a number), borrowed; NULL if not given */
    const char *posterior_dir; /* --posterior, borrowed from argv; NULL if not given */
} cli_options;

/*
 * Parses argv[first..argc) for a command that accepts `allowed` options and
 * between min_pos and max_pos positional arguments.  Returns 0, or 2 after
 * printing "alignsim COMMAND: error: ..." to stderr.  The caller frees with
 * cli_options_clear().
 */
int cli_parse(int argc, char **argv, int first, const char *command, unsigned allowed,
              size_t min_pos, size_t max_pos, cli_options *o);

/* Frees the arrays of parsed options. */
void cli_options_clear(cli_options *o);


#endif
