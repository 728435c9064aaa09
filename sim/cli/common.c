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

#include "base/num.h"
#include "base/status.h"
#include "run/cluster.h"
#include "scenario/scenario.h"

int cli_load_scenario(const cli_options *o, int has_seed, uint64_t seed, int quiet_errors,
                      model_spec *spec, char **resolved)
{
    scenario_diags diags = {NULL, 0};
    char table[4200];
    if (o->posterior_dir)
        snprintf(table, sizeof table, "%s/posterior.tsv", o->posterior_dir);
    scenario_options so = {o->sets, o->nsets, has_seed, seed, o->posterior_dir ? table : NULL};
    model_spec_init(spec);
    int rc = scenario_load(o->positional[0], &so, spec, resolved, &diags);
    for (size_t i = 0; i < diags.n && !quiet_errors; i++)
        fprintf(stderr, "%s\n", diags.lines[i]);
    scenario_diags_clear(&diags);
    return rc == SCENARIO_OK ? 0 : rc == SCENARIO_EIO ? 1 : 2;
}

const char *cli_out_dir(const cli_options *o, const model_spec *spec, char *out, size_t len)
{
    if (o->out_dir)
        return o->out_dir;
    snprintf(out, len, "out/%s", spec->name);
    return out;
}

void cli_overrides_text(const cli_options *o, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < o->nsets && used < len; i++) {
        int w = snprintf(out + used, len - used, "%s%s", i ? " " : "", o->sets[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    if (o->posterior_dir && used < len)
        snprintf(out + used, len - used, "%s--posterior %s", used ? " " : "", o->posterior_dir);
    if (!o->nsets && !o->posterior_dir)
        snprintf(out, len, "none");
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
    return n < 1 ? 1u : (unsigned long)n > CLI_MAX_THREADS ? CLI_MAX_THREADS : (unsigned)n;
}

/* A whole number from the environment; 0 when unset or malformed. */
static uint64_t env_u64(const char *name)
{
    const char *v = getenv(name);
    uint64_t n = 0;
    if (v && *v && num_parse_u64(v, UINT64_MAX, &n) != 0)
        n = 0;
    return n;
}

int cli_engine(const cli_options *o, const char *command, progress *pg, engine **out)
{
    engine_options eo;
    memset(&eo, 0, sizeof eo);
    eo.threads = o->threads ? o->threads : cli_default_threads();
    eo.interrupt = cli_stop_flag();
    eo.progress = pg ? progress_callback : NULL;
    eo.progress_ctx = pg;
    eo.stop_after_blocks = env_u64("ALIGNSIM_TEST_STOP_AFTER_BLOCKS");
    eo.pause_after_checkpoint = env_u64("ALIGNSIM_TEST_PAUSE_AFTER_CHECKPOINT") != 0;
    char err[512];
    int rc = engine_alloc(&eo, out, err, sizeof err);
    if (rc != AS_OK) {
        fprintf(stderr, "alignsim %s: error: %s\n", command, err);
        return cli_exit_status(rc, 0);
    }
    return 0;
}

int cli_exit_status(int code, int stopped_by)
{
    switch (code) {
    case AS_OK:
        return 0;
    case AS_EUSAGE:
        return 2;
    case AS_ESTOPPED:
        return 128 + (stopped_by > 0 ? stopped_by : SIGINT);
    default:
        return 1;
    }
}

int cli_session_begin(const cli_options *o, const char *command, cli_session *s)
{
    memset(s, 0, sizeof *s);
    s->root = cluster_rank() == 0;
    s->pg = progress_alloc(command, s->root && !o->quiet && progress_stderr_is_terminal());
    int rc = cli_engine(o, command, s->pg, &s->e);
    if (rc != 0) {
        progress_free(s->pg);
        s->pg = NULL;
        return rc;
    }
    /* Without the handlers an interruption only loses the work since the
     * last checkpoint or journal entry, so a failure to install them is
     * not an error. */
    (void)cli_catch_stop_signals(&s->sigs);
    return 0;
}

void cli_session_end(cli_session *s)
{
    engine_free(s->e);
    progress_free(s->pg);
    cli_release_stop_signals(&s->sigs);
    s->e = NULL;
    s->pg = NULL;
}

int cli_study_status(const char *command, int st, const char *err, const char *kept, const char *dir, int root)
{
    if (st == AS_ESTOPPED && root && kept)
        fprintf(stderr,
                "alignsim %s: interrupted; %s in %s.\nContinue with the same command and --resume.\n", command,
                kept, dir);
    else if (st == AS_ESTOPPED && root)
        fprintf(stderr, "alignsim %s: interrupted; nothing was written.\n", command);
    else if (st != AS_OK && st != AS_ESTOPPED && (root || (err && err[0]))) {
        const char *text = err && err[0] ? err : "failed";
        if (strstr(text, ": error: "))
            fprintf(stderr, "%s\n", text);
        else
            fprintf(stderr, "alignsim %s: error: %s\n", command, text);
    }
    return cli_exit_status(st, *cli_stop_flag());
}
