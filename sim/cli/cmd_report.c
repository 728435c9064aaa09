/*
 * cmd_report - `alignsim report DIR... [-o FILE] [--title TEXT] [-q]`:
 * the seminar report (report/report.h).  This file gives the report what
 * it needs from the layers it does not see: the scenario language (a
 * folder's scenario.cfg as a list of events; the settings that differ
 * between two scenarios), where the plot scripts are, and the date.
 *
 * Exit status: 0; 1 I/O, gnuplot or memory failure; 2 bad usage or a folder
 * that is not a complete result folder of one program version.
 */
#include "cli/commands.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/num.h"
#include "base/status.h"
#include "report/report.h"
#include "scenario/diff.h"
#include "scenario/scenario.h"
#include "study/compare.h"

/* A decimal year as the scenario file writes it (1950.12). */
static void put_year(buf *b, double y)
{
    char t[NUM_DOUBLE_BUFSIZE];
    num_format_double(t, sizeof t, y);
    buf_puts(b, t);
}

/* When an event happens, in words: "1950.12", "every 2 years, from 1950 to
 * 1991", "at random, 0.5 per year, from 1950 to 1991", "yearly, scaled by
 * sipri.us_taiwan, from 1950". */
static void event_date(buf *b, const model_spec *s, const spec_event *e)
{
    switch (e->timing) {
    case TIMING_AT:
        put_year(b, e->at);
        return;
    case TIMING_EVERY:
        if (s->params[e->p_every].value == 1.0) {
            buf_puts(b, "every year");
        } else {
            buf_puts(b, "every ");
            put_year(b, s->params[e->p_every].value);
            buf_puts(b, " years");
        }
        break;
    case TIMING_POISSON:
        buf_puts(b, "at random, ");
        put_year(b, s->params[e->p_rate].value);
        buf_puts(b, " per year");
        break;
    case TIMING_SERIES:
        buf_printf(b, "yearly, scaled by %s", e->series >= 0 ? s->series[e->series].name : "a series");
        break;
    }
    buf_puts(b, ", from ");
    put_year(b, e->from);
    if (isfinite(e->until) && e->until < s->horizon) {
        buf_puts(b, " to ");
        put_year(b, e->until);
    }
}

/* report_scenarios.load: the scenario file at path as the report lists it. */
static int load_scenario(void *ctx, const char *path, report_scenario *out, char *err, size_t errlen)
{
    (void)ctx;
    model_spec spec;
    model_spec_init(&spec);
    scenario_diags diags = {NULL, 0};
    int st = scenario_load(path, NULL, &spec, NULL, &diags);
    int rc = AS_OK;
    if (st != SCENARIO_OK) {
        buf msg = {0};
        for (size_t i = 0; i < diags.n; i++)
            buf_printf(&msg, "%s%s", i ? "\n" : "", diags.lines[i]);
        if (diags.n == 0)
            buf_printf(&msg, "%s: error: cannot load the scenario", path);
        snprintf(err, errlen, "%s", buf_str(&msg));
        buf_clear(&msg);
        rc = st == SCENARIO_EIO ? AS_EIO : AS_EUSAGE;
        goto done;
    }
    char dyad[2 * SPEC_ID_LEN + 2] = "";
    if (spec.outcome_a >= 0 && spec.outcome_b >= 0)
        model_spec_dyad_name(&spec, spec.outcome_a, spec.outcome_b, dyad, sizeof dyad);
    out->name = strdup(spec.name);
    out->description = strdup(spec.description);
    out->outcome = strdup(dyad);
    out->start = spec.start;
    out->horizon = spec.horizon;
    out->events = spec.nevents ? calloc(spec.nevents, sizeof *out->events) : NULL;
    if (!out->name || !out->description || !out->outcome || (spec.nevents && !out->events)) {
        rc = AS_ENOMEM;
        goto nomem;
    }
    for (size_t i = 0; i < spec.nevents; i++) {
        const spec_event *e = &spec.events[i];
        report_event *r = &out->events[i];
        out->nevents = i + 1;
        buf date = {0}, actors = {0};
        event_date(&date, &spec, e);
        for (int k = 0; k < e->nactors; k++)
            buf_printf(&actors, "%s%s", k ? ", " : "", spec.actors[e->actors[k]].name);
        r->sort_year = e->timing == TIMING_AT ? e->at : e->from;
        r->once = e->timing == TIMING_AT;
        r->date = buf_take(&date);
        r->actors = buf_take(&actors);
        r->type = strdup(spec_event_kind_name(e->kind) ? spec_event_kind_name(e->kind) : "?");
        r->note = strdup(e->note);
        if (!r->date || !r->actors || !r->type || !r->note) {
            rc = AS_ENOMEM;
            goto nomem;
        }
    }
    goto done;
nomem:
    snprintf(err, errlen, "out of memory");
    report_scenario_clear(out);
done:
    scenario_diags_clear(&diags);
    model_spec_clear(&spec);
    return rc;
}

/* report_scenarios.diff: every differing setting, none cut off. */
static char *diff_scenarios(void *ctx, const char *a, const char *b)
{
    (void)ctx;
    return scenario_settings_diff(a, b, SIZE_MAX);
}

/* 1 if dir holds the plot scripts. */
static int has_scripts(const char *dir)
{
    buf p = {0};
    buf_printf(&p, "%s/common.gp", dir);
    int ok = !p.failed && access(buf_str(&p), R_OK) == 0;
    buf_clear(&p);
    return ok;
}

/*
 * The analysis/ folder: $ALIGNSIM_ANALYSIS; else next to the program, in a
 * source tree (build/alignsim, build/san/alignsim) or an installed tree
 * (PREFIX/bin and PREFIX/share/alignsim); else ./analysis.
 */
static void find_analysis(char *out, size_t len)
{
    const char *env = getenv("ALIGNSIM_ANALYSIS");
    if (env && *env) {
        snprintf(out, len, "%s", env);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const char *const rel[] = {"../analysis", "../../analysis", "../share/alignsim/analysis"};
            for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
                int w = snprintf(out, len, "%s/%s", exe, rel[i]);
                if (w > 0 && (size_t)w < len && has_scripts(out))
                    return;
            }
        }
    }
    snprintf(out, len, "analysis");
}

/* The report's date: $SOURCE_DATE_EPOCH (reproducible files) or now. */
static long long report_date(void)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    uint64_t v;
    if (s && num_parse_u64(s, (uint64_t)INT64_MAX, &v) == 0)
        return (long long)v;
    return (long long)time(NULL);
}

int cmd_report(const cli_options *o)
{
    char analysis[PATH_MAX];
    find_analysis(analysis, sizeof analysis);
    const char *out = o->out_dir ? o->out_dir : "out/report.html";

    buf cmdline = {0};
    buf_puts(&cmdline, "alignsim report");
    for (size_t i = 0; i < o->npositional; i++) {
        buf_puts(&cmdline, " ");
        buf_put_shell_word(&cmdline, o->positional[i]);
    }
    if (o->out_dir) {
        buf_puts(&cmdline, " -o ");
        buf_put_shell_word(&cmdline, o->out_dir);
    }
    if (o->title) {
        buf_puts(&cmdline, " --title ");
        buf_put_shell_word(&cmdline, o->title);
    }

    report_options ro = {
        .dirs = o->positional,
        .ndirs = o->npositional,
        .out_path = out,
        .title = o->title,
        .command_line = buf_str(&cmdline),
        .version = ALIGNSIM_VERSION,
        .now = report_date(),
        .analysis_dir = analysis,
        .gnuplot = getenv("ALIGNSIM_GNUPLOT"),
        .jobs = o->threads ? o->threads : cli_default_threads(),
        .scenarios = {load_scenario, diff_scenarios, NULL},
    };
    report_result res = {0};
    char err[8192] = "alignsim report: error: out of memory";
    /* Ctrl-C or SIGTERM while gnuplot draws: stop it, remove the temporary
     * figures, write nothing, exit 130 or 143. */
    cli_signal_state sig;
    int caught = cli_catch_stop_signals(&sig) == 0;
    ro.interrupt = caught ? cli_stop_flag() : NULL;
    int st = cmdline.failed ? AS_ENOMEM : report_write(&ro, &res, err, sizeof err);
    cli_release_stop_signals(&sig);
    int rc = 0;
    if (res.warnings && *res.warnings)
        fprintf(stderr, "alignsim report: warning: %s", res.warnings);
    if (st != AS_OK) {
        fprintf(stderr, "%s\n", err[0] ? err : "alignsim report: error: failed");
        rc = cli_exit_status(st, *cli_stop_flag());
    } else if (!o->quiet) {
        printf("wrote %s (%zu sections, %zu figures, %zu bytes)\n", out, res.nsections, res.nfigures, res.bytes);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, "alignsim report: error: cannot write to standard output\n");
            rc = 1;
        }
    }
    report_result_clear(&res);
    buf_clear(&cmdline);
    return rc;
}
