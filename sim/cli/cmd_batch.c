/*
 * cmd_batch - `alignsim batch`: loads the scenario, turns the options into
 * a batch_options, installs the SIGINT/SIGTERM handlers that let a batch
 * stop cleanly, and reports the outcome.  With --only it replays single
 * replications of the batch as `alignsim run` folders instead.
 *
 * Exit status: 0; 1 runtime failure; 2 bad usage, bad scenario, nothing to
 * resume or a mismatched checkpoint; 130 / 143 after SIGINT / SIGTERM (the
 * batch saved a checkpoint; --resume continues it).
 */
#include "cli/commands.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/progress.h"
#include "model/spec.h"
#include "run/batch.h"
#include "base/status.h"
#include "run/cluster.h"
#include "run/replay.h"

/* Appends " s" to b, quoted for a POSIX shell when it needs it. */
static void append_arg(buf *b, const char *s)
{
    buf_puts(b, " ");
    buf_put_shell_word(b, s);
}

/* The command that continues this batch, into b. */
static void resume_command(const cli_options *o, uint64_t reps, unsigned threads, buf *b)
{
    char num[32];
    buf_puts(b, "alignsim batch");
    append_arg(b, o->positional[0]);
    snprintf(num, sizeof num, "%llu", (unsigned long long)reps);
    append_arg(b, "-n");
    append_arg(b, num);
    if (o->threads) {
        snprintf(num, sizeof num, "%u", threads);
        append_arg(b, "-j");
        append_arg(b, num);
    }
    if (o->out_dir) {
        append_arg(b, "-o");
        append_arg(b, o->out_dir);
    }
    if (o->has_seed) {
        snprintf(num, sizeof num, "%llu", (unsigned long long)o->seed);
        append_arg(b, "-s");
        append_arg(b, num);
    }
    for (size_t i = 0; i < o->nsets; i++) {
        append_arg(b, "--set");
        append_arg(b, o->sets[i]);
    }
    if (o->posterior_dir) {
        append_arg(b, "--posterior");
        append_arg(b, o->posterior_dir);
    }
    append_arg(b, "--resume");
}

/* --only: replays replications first..last as `alignsim run` folders
 * DIR/rep-R, each with the scenario's seed set to the replication's seed,
 * so that each folder is byte for byte what `alignsim run -s SEED` writes. */
static int run_only(const cli_options *o, const model_spec *spec, uint64_t reps, const char *dir)
{
    if (o->only_last >= reps) {
        fprintf(stderr,
                "alignsim batch: error: --only %llu is not a replication of this batch: -n %llu has "
                "replications 0 to %llu\n",
                (unsigned long long)o->only_last, (unsigned long long)reps, (unsigned long long)(reps - 1));
        return 2;
    }
    if (o->resume) {
        fprintf(stderr, "alignsim batch: error: --only and --resume cannot be combined\n");
        return 2;
    }
    char ov[4096];
    cli_overrides_text(o, ov, sizeof ov);
    io_kv prov[] = {{"command", "run"}, {"overrides", ov}};
    for (uint64_t r = o->only_first;; r++) {
        uint64_t seed = batch_rep_seed(spec->seed, r);
        model_spec one;
        char *resolved = NULL;
        int rc = cli_load_scenario(o, 1, seed, 0, &one, &resolved);
        if (rc)
            return rc;
        char sub[4200], err[4096];
        snprintf(sub, sizeof sub, "%s/rep-%llu", dir, (unsigned long long)r);
        replay_report rep;
        rc = replay_run(&one, resolved, seed, prov, 2, sub, &rep, err, sizeof err);
        free(resolved);
        model_spec_clear(&one);
        if (rc != AS_OK) {
            fprintf(stderr, "alignsim batch: error: %s\n", err);
            return cli_exit_status(rc, 0);
        }
        char line[512];
        replay_format_score(&rep.score, line, sizeof line);
        printf("%s\n", line);
        printf("wrote %s (replication %llu, seed %llu, %zu events)\n", sub, (unsigned long long)r,
               (unsigned long long)seed, rep.nevents);
        if (r == o->only_last)
            break;
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "alignsim batch: error: cannot write to standard output\n");
        return 1;
    }
    return 0;
}

int cmd_batch(const cli_options *o)
{
    int root = cluster_rank() == 0;
    model_spec spec;
    char *resolved = NULL;
    int rc = cli_load_scenario(o, o->has_seed, o->seed, !root, &spec, &resolved);
    if (rc)
        return rc;
    uint64_t reps = o->has_reps ? o->reps : BATCH_DEFAULT_REPS;
    char dirbuf[4096];
    const char *dir = cli_out_dir(o, &spec, dirbuf, sizeof dirbuf);
    if (o->has_only) {
        rc = root ? run_only(o, &spec, reps, dir) : 0;
        free(resolved);
        model_spec_clear(&spec);
        return rc;
    }

    char ov[4096];
    cli_overrides_text(o, ov, sizeof ov);
    io_kv prov[] = {{"command", "batch"}, {"overrides", ov}};
    unsigned threads = o->threads ? o->threads : cli_default_threads();
    progress *pg = progress_alloc("batch", root && !o->quiet && progress_stderr_is_terminal());
    engine *e = NULL;
    if ((rc = cli_engine(o, "batch", pg, &e)) != 0) {
        progress_free(pg);
        free(resolved);
        model_spec_clear(&spec);
        return rc;
    }
    batch_options bo = {reps, o->resume, dir, prov, 2, 0, 0, 0};

    cli_signal_state sigs;
    int handlers = cli_catch_stop_signals(&sigs) == 0;
    if (!handlers && root)
        fprintf(stderr, "alignsim batch: warning: cannot catch SIGINT/SIGTERM; an interruption loses the "
                        "work since the last checkpoint\n");

    batch_report rep;
    char err[4096];
    int st = batch_run(e, &spec, resolved, &bo, &rep, err, sizeof err);
    engine_free(e);
    progress_free(pg);
    cli_release_stop_signals(&sigs);

    rc = cli_exit_status(st, rep.stopped_by);
    if (st == AS_OK && root) {
        printf("wrote %s: %llu replications (summary.tsv, replications.tsv, milestones.tsv)\n", dir,
               (unsigned long long)rep.reps_done);
        if (fflush(stdout) != 0) {
            fprintf(stderr, "alignsim batch: error: cannot write to standard output\n");
            rc = 1;
        }
    } else if (st == AS_ESTOPPED && root) {
        buf cmd = {0};
        resume_command(o, reps, threads, &cmd);
        fprintf(stderr,
                "alignsim batch: interrupted (%s) after %llu of %llu replications; the work is saved in "
                "%s.\nContinue it with:\n  %s%s\n",
                rep.stopped_by == SIGTERM ? "SIGTERM" : "SIGINT", (unsigned long long)rep.reps_done,
                (unsigned long long)reps, dir, cluster_size() > 1 ? "mpirun ... " : "", buf_str(&cmd));
        buf_clear(&cmd);
    } else if (st != AS_OK && st != AS_ESTOPPED && (root || err[0])) {
        fprintf(stderr, "alignsim batch: error: %s\n", err[0] ? err : "failed");
    }
    free(resolved);
    model_spec_clear(&spec);
    return rc;
}
