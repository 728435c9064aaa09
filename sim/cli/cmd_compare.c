/*
 * cmd_compare - `alignsim compare DIR_A DIR_B [DIR_C...]`: compares result
 * folders (study/compare.h), writes compare.tsv and prints the projector
 * table and the settings that differ on stdout.
 *
 * Exit status: 0; 1 runtime failure or -o DIR busy; 2 bad usage, folders
 * that cannot be compared (missing, mixed, different kinds, versions, dyads
 * or years), or -o naming one of the folders compared.
 *
 * With -o the output folder is locked for the run, as every writing
 * command's is (cli_lock_dir); without it compare writes its own
 * out/compare-A-B.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/status.h"
#include "cli/progress.h"
#include "study/compare.h"

/* Non-zero when paths a and b name the same existing folder. */
static int same_folder(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int cmd_compare(const cli_options *o)
{
    io_kv prov[] = {{"command", "compare"}};
    for (size_t i = 0; o->out_dir && i < o->npositional; i++)
        if (same_folder(o->out_dir, o->positional[i])) {
            fprintf(stderr,
                    "alignsim compare: error: -o %s is the folder compared as %c (%s): compare.tsv would "
                    "mix with its results; write it to another folder\n",
                    o->out_dir, (char)('A' + i), o->positional[i]);
            return 2;
        }
    cli_session ss;
    int rc = cli_session_begin(o, "compare", &ss);
    if (rc)
        return rc;
    if (o->out_dir && (rc = cli_session_lock(&ss, o, o->out_dir, NULL)) != 0) {
        cli_session_end(&ss);
        return rc;
    }
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
