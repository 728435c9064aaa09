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
#include "study/compare.h"

int cmd_compare(const cli_options *o)
{
    io_kv prov[] = {{"command", "compare"}};
    cli_session ss;
    int rc = cli_session_begin(o, "compare", &ss);
    if (rc)
        return rc;
    compare_options co = {o->positional, o->npositional, o->out_dir, 0.95, prov, 1};
    compare_report rep;
    char err[4096];
    int st = compare_run(ss.e, &co, &rep, err, sizeof err);
    cli_session_end(&ss);
    rc = cli_study_status("compare", st, err, NULL, NULL, ss.root);
    if (st == AS_OK && ss.root) {
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
