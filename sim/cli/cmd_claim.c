/*
 * cmd_claim - `alignsim claim`: loads the scenario, runs the claim test
 * (study/claim.h) into the result folder and prints the verdict on stdout.
 *
 * Exit status: 0 whatever the verdict (the verdict is a result, not a
 * failure); 1 runtime failure; 2 bad usage, bad scenario, a scenario that
 * names no claim.third_power, or an interrupted condition in the way;
 * 130 / 143 after SIGINT / SIGTERM (finished conditions are kept; the same
 * command with --resume continues).
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
#include "study/claim.h"

int cmd_claim(const cli_options *o)
{
    int root = cluster_rank() == 0;
    model_spec spec;
    char *resolved = NULL;
    int lrc = cli_load_scenario(o, o->has_seed, o->seed, !root, &spec, &resolved);
    if (lrc)
        return lrc;

    char dirbuf[4096];
    const char *dir = o->out_dir;
    if (!dir) {
        snprintf(dirbuf, sizeof dirbuf, "out/%s-claim", spec.name);
        dir = dirbuf;
    }
    char ov[4096];
    cli_overrides_text(o, ov, sizeof ov);
    io_kv prov[] = {{"command", "claim"}, {"overrides", ov}};
    cli_session ss;
    int erc = cli_session_begin(o, "claim", &ss);
    if (erc) {
        free(resolved);
        model_spec_clear(&spec);
        return erc;
    }
    if ((erc = cli_session_lock(&ss, o, dir, spec.name)) != 0) {
        cli_session_end(&ss);
        free(resolved);
        model_spec_clear(&spec);
        return erc;
    }
    claim_options co = {o->has_reps ? o->reps : BATCH_DEFAULT_REPS, o->resume, dir, prov, 2};
    claim_result res;
    char err[4096];
    int st = claim_run(ss.e, &spec, resolved, &co, &res, err, sizeof err);
    cli_session_end(&ss);

    int rc = cli_exit_status(st, res.stopped_by);
    switch (st) {
    case AS_OK:
        if (!res.root)
            break;
        {
            char *text = claim_verdict_text(&spec, &res);
            if (!text) {
                fprintf(stderr, "alignsim claim: error: out of memory\n");
                rc = 1;
                break;
            }
            fputs(text, stdout);
            free(text);
            printf("\nwrote %s (claim.tsv, claim_curve.tsv, verdict.txt; the batches in %s/conditions)\n", dir,
                   dir);
            if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "alignsim claim: error: cannot write to standard output\n");
                rc = 1;
            }
        }
        break;
    case AS_ESTOPPED:
        if (root)
            fprintf(stderr,
                    "alignsim claim: %s (%s); finished conditions are kept in %s/conditions.\n"
                    "Continue with the same command and --resume.\n",
                    err, res.stopped_by == SIGTERM ? "SIGTERM" : "SIGINT", dir);
        break;
    case AS_EUSAGE:
        /* A setting missing from the scenario is the file's error; a
         * condition's batch in the way is the command's. */
        if (root && spec.claim.third_power < 0)
            fprintf(stderr, "%s: error: %s\n", o->positional[0], err);
        else if (root)
            fprintf(stderr, "alignsim claim: error: %s\n", err);
        break;
    default:
        if (root || err[0])
            fprintf(stderr, "alignsim claim: error: %s\n", err[0] ? err : "failed");
        break;
    }
    free(resolved);
    model_spec_clear(&spec);
    return rc;
}
