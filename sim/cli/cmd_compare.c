/*
 * cmd_compare - `alignsim compare DIR_A DIR_B [DIR_C...]`: compares result
 * folders (study/compare.h), writes compare.tsv and prints the projector
 * table and the settings that differ on stdout.
 *
 * Exit status: 0; 1 runtime failure; 2 bad usage or folders that cannot be
 * compared (missing, different kinds, versions, dyads or years).
 */
#include "cli/commands.h"

#include <stdio.h>
#include <unistd.h>

#include "base/status.h"
#include "cli/progress.h"
#include "run/cluster.h"
#include "study/compare.h"

int cmd_compare(const cli_options *o)
{
    int root = cluster_rank() == 0;
    io_kv prov[] = {{"command", "compare"}};
    progress *pg = progress_alloc("compare (paired re-run)", root && !o->quiet && progress_stderr_is_terminal());
    engine *e = NULL;
    int rc = cli_engine(o, "compare", pg, &e);
    if (rc) {
        progress_free(pg);
        return rc;
    }
    compare_options co = {o->positional, o->npositional, o->out_dir, 0.95, prov, 1};
    compare_report rep;
    char err[4096];
    cli_signal_state sigs;
    (void)cli_catch_stop_signals(&sigs);
    int st = compare_run(e, &co, &rep, err, sizeof err);
    engine_free(e);
    progress_free(pg);
    cli_release_stop_signals(&sigs);
    rc = cli_exit_status(st, *cli_stop_flag());
    if (st != AS_OK) {
        if (root || err[0])
            fprintf(stderr, "alignsim compare: error: %s\n", err[0] ? err : "failed");
    } else if (root) {
        printf("%s\n%s\nwrote %s/compare.tsv\n", rep.table, rep.settings, rep.outdir);
        for (size_t i = 1; i < rep.ndirs; i++)
            if (rep.why[i][0])
                fprintf(stderr, "alignsim compare: note: %c: %s\n", (char)('A' + i), rep.why[i]);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "alignsim compare: error: cannot write to standard output\n");
            rc = 1;
        }
    }
    compare_report_clear(&rep);
    return rc;
}
