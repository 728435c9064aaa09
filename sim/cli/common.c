/*
 * common - what every command of the command line does the same way:
 * loading the scenario named by the first positional argument with the
 * --set overrides and -s seed, the default result folder, and the overrides
 * as one provenance value.
 */
#include "cli/commands.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/cluster.h"

#include "scenario/scenario.h"

int cli_load_scenario(const cli_options *o, int has_seed, uint64_t seed, int quiet_errors,
                      model_spec *spec, char **resolved)
{
    scenario_diags diags = {NULL, 0};
    scenario_options so = {o->sets, o->nsets, has_seed, seed};
    model_spec_init(spec);
    int rc = scenario_load(o->positional[0], &so, spec, resolved, &diags);
    for (size_t i = 0; i < diags.n && !quiet_errors; i++)
        fprintf(stderr, "%s\n", diags.lines[i]);
    scenario_diags_clear(&diags);
    return rc == SCENARIO_OK ? 0 : rc == SCENARIO_EIO ? 1 : 2;
}

const char *cli_out_dir(const cli_options *o, const model_spec *spec, char *buf, size_t len)
{
    if (o->out_dir)
        return o->out_dir;
    snprintf(buf, len, "out/%s", spec->name);
    return buf;
}

void cli_overrides_text(const cli_options *o, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < o->nsets && used < len; i++) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? " " : "", o->sets[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    if (!o->nsets)
        snprintf(buf, len, "none");
}

/*
 * The one mutable global of the program: the number of the signal that
 * asked a long command to stop, 0 until then.  A signal handler can reach
 * nothing else (it gets no context pointer), and volatile sig_atomic_t is
 * the only object type C guarantees a handler may write; the engines only
 * read it, through their options' `interrupt` pointer.
 */
static volatile sig_atomic_t stop_signal;

/* First SIGINT/SIGTERM: ask the work to stop after the current
 * replications.  A second one ends the program at once the default way
 * (the last checkpoint is still good). */
static void on_stop_signal(int sig)
{
    if (stop_signal) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    stop_signal = sig;
}

int cli_catch_stop_signals(cli_signal_state *saved)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESTART;
    saved->installed = 0;
    if (sigemptyset(&sa.sa_mask) != 0 || sigaction(SIGINT, &sa, &saved->old_int) != 0)
        return -1;
    if (sigaction(SIGTERM, &sa, &saved->old_term) != 0) {
        sigaction(SIGINT, &saved->old_int, NULL);
        return -1;
    }
    saved->installed = 1;
    return 0;
}

void cli_release_stop_signals(const cli_signal_state *saved)
{
    if (!saved->installed)
        return;
    sigaction(SIGINT, &saved->old_int, NULL);
    sigaction(SIGTERM, &saved->old_term, NULL);
}

const volatile sig_atomic_t *cli_stop_flag(void)
{
    return &stop_signal;
}

unsigned cli_default_threads(void)
{
    if (cluster_size() > 1)
        return 1;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > 1024 ? 1024u : (unsigned)n;
}

uint64_t cli_test_stop_after_blocks(void)
{
    const char *v = getenv("ALIGNSIM_TEST_STOP_AFTER_BLOCKS");
    uint64_t n = 0;
    if (v && *v && cli_parse_u64(v, UINT64_MAX, &n) != 0)
        n = 0;
    return n;
}
