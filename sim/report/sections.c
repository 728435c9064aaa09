/*
 * report/sections - the result sections of the seminar report (page.h):
 * the replay against the record, fan charts and label maps, the claim,
 * comparisons, sweeps, sensitivity, calibration and inference.
 *
 * Each section reads the tables of the folders that carry its data and
 * writes nothing when none does.  Two folders that reach the same data (a
 * batch and the no-reversal condition of a claim run with the same seeds)
 * show it once: tables are compared row by row (rf_same_rows).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/status.h"
#include "report/html.h"
#include "report/page.h"
#include "stats/stats.h"

/* ------------------------------------------------------------------ */
/* Small helpers                                                      */
/* ------------------------------------------------------------------ */

static const char *prov(const rf_folder *f, rf_table t, const char *key)
{
    const char *v = f->t[t] ? tsv_prov(f->t[t], key) : NULL;
    return v ? v : "";
}

/* Opens a table: caption and header cells (a NULL-terminated list). */
static void table_open(buf *b, const char *caption, const char *const *heads)
{
    buf_puts(b, "<div class=\"scroll\"><table>\n<caption>");
    html_text(b, caption);
    buf_puts(b, "</caption>\n<thead><tr>");
    for (size_t i = 0; heads[i]; i++) {
        buf_puts(b, "<th scope=\"col\">");
        html_text(b, heads[i]);
        buf_puts(b, "</th>");
    }
    buf_puts(b, "</tr></thead>\n<tbody>\n");
}

static void table_close(buf *b)
{
    buf_puts(b, "</tbody></table></div>\n");
}

/* A header cell of a row, with escaped text. */
static void row_head(buf *b, const char *text)
{
    buf_puts(b, "<tr><th scope=\"row\">");
    html_text(b, text);
    buf_puts(b, "</th>");
}

static void cell_text(buf *b, const char *text)
{
    buf_puts(b, "<td>");
    html_text(b, text);
    buf_puts(b, "</td>");
}

static void cell_fixed(buf *b, double v, int decimals)
{
    buf_puts(b, "<td class=\"num\">");
    html_fixed(b, v, decimals);
    buf_puts(b, "</td>");
}

static void cell_interval(buf *b, double lo, double hi, int decimals)
{
    buf_puts(b, "<td class=\"num\">");
    html_interval(b, lo, hi, decimals);
    buf_puts(b, "</td>");
}

/* A sub-heading naming the folder, with the scenario and replications. */
static void folder_heading(buf *b, const rf_folder *f, const char *what)
{
    const tsv_table *m = f->t[rf_main_table(f->kind)];
    buf_puts(b, "<h3>");
    if (what) {
        html_text(b, what);
        buf_puts(b, ": ");
    }
    page_folder_name(b, f);
    const char *sc = tsv_prov(m, "scenario");
    if (sc) {
        buf_puts(b, ", scenario ");
        html_text(b, sc);
    }
    const char *reps = tsv_prov(m, "replications");
    if (reps) {
        buf_puts(b, ", ");
        html_text(b, reps);
        buf_puts(b, f->kind == RF_CLAIM ? " replications per condition" : " replications");
    }
    buf_puts(b, "</h3>\n");
}

/* The name of label L on the folder's ladder, or "". */
static const char *label_name(const rf_folder *f, double label)
{
    const tsv_table *l = f->t[RT_LADDER];
    for (size_t r = 0; l && r < tsv_rows(l); r++)
        if (rf_num(l, r, "label") == label)
            return rf_str(l, r, "label_name");
    return "";
}

/* Whether an earlier folder (index < i) shows the same rows of table t;
 * its index in *same. */
static int shown_before(const page *pg, size_t i, rf_table t, size_t *same)
{
    for (size_t j = 0; j < i; j++)
        if (rf_same_rows(pg->fs[j].f.t[t], pg->fs[i].f.t[t])) {
            *same = j;
            return 1;
        }
    return 0;
}

static void note_same(buf *b, const rf_folder *f, const rf_folder *as)
{
    buf_puts(b, "<p class=\"note\">");
    page_folder_name(b, f);
    buf_puts(b, " holds the same rows as ");
    page_folder_name(b, as);
    buf_puts(b, ", shown above.</p>\n");
}

/* ------------------------------------------------------------------ */
/* The replay against the record                                      */
/* ------------------------------------------------------------------ */

/* What a milestone asks for, in words. */
static void milestone_target(buf *b, const rf_folder *f, const tsv_table *t, size_t r)
{
    const char *kind = rf_str(t, r, "kind");
    double label = rf_num(t, r, "target_label");
    const char *commit = rf_str(t, r, "commitment");
    if (strcmp(kind, "start") == 0 || strcmp(kind, "end") == 0) {
        buf_printf(b, "%s %s", commit, strcmp(kind, "start") == 0 ? "in force" : "lapses");
        return;
    }
    const char *prefix = strcmp(kind, "down") == 0          ? "down to "
                         : strcmp(kind, "stays_below") == 0 ? "stays below "
                         : strcmp(kind, "up") == 0          ? "up to "
                                                            : "";
    buf_puts(b, prefix);
    html_fixed(b, label, 0);
    const char *name = label_name(f, label);
    if (*name) {
        buf_puts(b, " ");
        html_text(b, name);
    }
}

static void milestone_table(page *pg, const rf_folder *f)
{
    buf *b = &pg->body;
    const tsv_table *t = f->t[RT_MILESTONES];
    int batch = f->kind != RF_RUN;
    size_t n = tsv_rows(t), within = 0;
    double share = 0.0;
    for (size_t r = 0; r < n; r++) {
        double sim = rf_num(t, r, "sim_year"), e = rf_num(t, r, "error_years");
        int ok = !isnan(e) && fabs(e) <= 2.0 &&
                 (!isnan(sim) || strcmp(rf_str(t, r, "kind"), "stays_below") == 0);
        within += (size_t)ok;
        share += rf_num(t, r, "within2");
    }
    if (n == 0) {
        buf_puts(b, "<p>The scenario has no calibration targets.</p>\n");
        return;
    }
    buf_printf(b, "<p>The %s date is within two years of the record for <strong>%zu of %zu</strong> milestones",
               batch ? "median simulated" : "simulated", within, n);
    if (batch && !isnan(share)) {
        buf_puts(b, "; on average <strong>");
        html_fixed(b, 100.0 * share / (double)n, 1);
        buf_puts(b, "%</strong> of the replications are within two years of each");
    }
    buf_puts(b, ".</p>\n");
    static const char *const heads_batch[] = {"Dyad",  "Milestone", "Target", "Historical date",
                                              "Simulated (median)", "Error (years)", "Within 2 years (share)",
                                              NULL};
    static const char *const heads_run[] = {"Dyad", "Milestone", "Target", "Historical date", "Simulated",
                                            "Error (years)", "Within 2 years", NULL};
    table_open(b, batch ? "Milestones: the record and the replications" : "Milestones: the record and the run",
               batch ? heads_batch : heads_run);
    for (size_t r = 0; r < n; r++) {
        double ty = rf_num(t, r, "target_year"), sim = rf_num(t, r, "sim_year");
        double e = rf_num(t, r, "error_years");
        int held = isnan(sim) && strcmp(rf_str(t, r, "kind"), "stays_below") == 0;
        row_head(b, rf_str(t, r, "dyad"));
        cell_text(b, rf_str(t, r, "note"));
        buf_puts(b, "<td>");
        milestone_target(b, f, t, r);
        buf_puts(b, "</td><td class=\"num\">");
        html_fixed(b, ty, 2);
        buf_puts(b, " (");
        html_month_year(b, ty);
        buf_puts(b, ")</td><td class=\"num\">");
        if (held)
            buf_puts(b, "held");
        else if (isnan(sim))
            buf_puts(b, "not reached");
        else
            html_fixed(b, sim, 2);
        buf_puts(b, "</td>");
        cell_fixed(b, held ? NAN : e, 2);
        if (batch)
            cell_fixed(b, rf_num(t, r, "within2"), 2);
        else
            cell_text(b, (!isnan(e) && fabs(e) <= 2.0 && (!isnan(sim) || held)) ? "yes" : "no");
        buf_puts(b, "</tr>\n");
    }
    table_close(b);
}

/* The main number of a run's trajectory: x of the first dyad shown in
 * the last year, with its label. */
static void trajectory_alt(page *pg, buf *alt, const rf_folder *f)
{
    const tsv_table *t = f->t[RT_TRAJECTORY];
    const char *dy[3];
    size_t nd = page_main_dyads(pg, t, dy);
    if (nd == 0)
        return;
    long r = page_last_row(t, dy[0]);
    if (r < 0)
        return;
    buf_printf(alt, "%s in ", dy[0]);
    html_fixed(alt, rf_num(t, (size_t)r, "year"), 0);
    buf_puts(alt, ": x = ");
    html_fixed(alt, rf_num(t, (size_t)r, "x"), 3);
    buf_printf(alt, ", label %s %s", rf_str(t, (size_t)r, "label"), rf_str(t, (size_t)r, "label_name"));
}

void section_replay(page *pg)
{
    int any = 0;
    for (size_t i = 0; i < pg->nf; i++)
        any |= pg->fs[i].f.t[RT_MILESTONES] != NULL;
    if (!any || pg->rc != AS_OK)
        return;
    page_section(pg, "replay", "The replay against the record");
    buf *b = &pg->body;
    buf_puts(b, "<p>Each milestone is a dated step of the historical record (a label reached, a commitment "
                "entered or ended, a ceiling kept); the error is the simulated date minus the historical one.</p>\n");
    for (size_t i = 0; i < pg->nf && pg->rc == AS_OK; i++) {
        const rf_folder *f = &pg->fs[i].f;
        if (!f->t[RT_MILESTONES])
            continue;
        size_t same;
        if (shown_before(pg, i, RT_MILESTONES, &same)) {
            note_same(b, f, &pg->fs[same].f);
            continue;
        }
        folder_heading(b, f, f->kind == RF_CLAIM ? "Without a reversal" : NULL);
        milestone_table(pg, f);
        if (f->kind == RF_RUN) {
            buf alt = {0};
            trajectory_alt(pg, &alt, f);
            page_figure(pg, f, "trajectory.gp", NULL, "trajectory.svg", "Alignment over time, with the milestones",
                        buf_str(&alt));
            buf_clear(&alt);
        }
    }
    page_section_end(pg);
}

/* ------------------------------------------------------------------ */
/* Fan charts and label maps                                          */
/* ------------------------------------------------------------------ */

static void fan_alt(buf *alt, const tsv_table *s, const char *dyad)
{
    long r = page_last_row(s, dyad);
    if (r < 0)
        return;
    size_t row = (size_t)r;
    buf_puts(alt, "In ");
    html_fixed(alt, rf_num(s, row, "year"), 0);
    buf_puts(alt, ", mean x = ");
    html_fixed(alt, rf_num(s, row, "mean"), 3);
    buf_puts(alt, " (5-95% of replications: ");
    html_fixed(alt, rf_num(s, row, "q05"), 3);
    buf_puts(alt, " to ");
    html_fixed(alt, rf_num(s, row, "q95"), 3);
    buf_puts(alt, "); P(alliance) = ");
    html_fixed(alt, rf_num(s, row, "p_alliance"), 3);
}

/* The main number of a label map: in the last year, how many dyads are on
 * the top rung (a run's declared label; a batch's median x). */
static void labelmap_alt(buf *alt, const rf_folder *f, size_t nd)
{
    const tsv_table *l = f->t[RT_LADDER];
    const tsv_table *t = f->t[RT_TRAJECTORY] ? f->t[RT_TRAJECTORY] : f->t[RT_SUMMARY];
    double top = -INFINITY, top_min = NAN, first = INFINITY, last = -INFINITY;
    for (size_t r = 0; l && r < tsv_rows(l); r++)
        if (rf_num(l, r, "label") > top) {
            top = rf_num(l, r, "label");
            top_min = rf_num(l, r, "x_min");
        }
    for (size_t r = 0; r < tsv_rows(t); r++) {
        double y = rf_num(t, r, "year");
        first = y < first ? y : first;
        last = y > last ? y : last;
    }
    buf_printf(alt, "%zu dyads from ", nd);
    html_fixed(alt, first, 0);
    buf_puts(alt, " to ");
    html_fixed(alt, last, 0);
    if (!isfinite(top))
        return;
    size_t on_top = 0;
    for (size_t r = 0; r < tsv_rows(t); r++) {
        if (rf_num(t, r, "year") != last)
            continue;
        on_top += f->t[RT_TRAJECTORY] ? rf_num(t, r, "label") == top : rf_num(t, r, "q50") >= top_min;
    }
    buf_puts(alt, "; in ");
    html_fixed(alt, last, 0);
    buf_printf(alt, ", %zu on the top rung (%s)", on_top, label_name(f, top));
}

void section_fans(page *pg)
{
    int any = 0;
    for (size_t i = 0; i < pg->nf; i++)
        any |= pg->fs[i].f.t[RT_SUMMARY] != NULL || pg->fs[i].f.t[RT_TRAJECTORY] != NULL;
    if (!any || pg->rc != AS_OK)
        return;
    page_section(pg, "fans", "Fan charts and the label map");
    buf *b = &pg->body;
    buf_puts(b, "<p>A fan chart shows how the replications spread: the band holds 5 to 95% of them, around "
                "the mean with its 95% interval. The label map shows every dyad at once: one row per dyad, one "
                "cell per year, coloured by its rung on the ladder.</p>\n");
    for (size_t i = 0; i < pg->nf && pg->rc == AS_OK; i++) {
        const rf_folder *f = &pg->fs[i].f;
        const tsv_table *s = f->t[RT_SUMMARY];
        if (s) {
            size_t same;
            if (shown_before(pg, i, RT_SUMMARY, &same)) {
                note_same(b, f, &pg->fs[same].f);
                continue;
            }
            folder_heading(b, f, f->kind == RF_CLAIM ? "Without a reversal" : NULL);
            const char *dy[3];
            size_t nmain = page_main_dyads(pg, s, dy);
            for (size_t k = 0; k < nmain && pg->rc == AS_OK; k++) {
                buf assign = {0}, image = {0}, title = {0}, alt = {0};
                buf_printf(&assign, "dyad='%s'", dy[k]);
                buf_printf(&image, "fan_%s.svg", dy[k]);
                buf_printf(&title, "Fan chart of %s", dy[k]);
                fan_alt(&alt, s, dy[k]);
                page_figure(pg, f, "fan.gp", buf_str(&assign), buf_str(&image), buf_str(&title), buf_str(&alt));
                buf_clear(&assign);
                buf_clear(&image);
                buf_clear(&title);
                buf_clear(&alt);
            }
            size_t nd = 0;
            const char **all = page_dyads(pg, s, &nd);
            if (all && nd > nmain) {
                /* Every dyad, small: the highest and lowest mean x in the
                 * last year as the main numbers. */
                buf alt = {0};
                long hi = -1, lo = -1;
                for (size_t k = 0; k < nd; k++) {
                    long r = page_last_row(s, all[k]);
                    if (r < 0)
                        continue;
                    if (hi < 0 || rf_num(s, (size_t)r, "mean") > rf_num(s, (size_t)hi, "mean"))
                        hi = r;
                    if (lo < 0 || rf_num(s, (size_t)r, "mean") < rf_num(s, (size_t)lo, "mean"))
                        lo = r;
                }
                buf_printf(&alt, "%zu dyads", nd);
                if (hi >= 0) {
                    buf_puts(&alt, "; in ");
                    html_fixed(&alt, rf_num(s, (size_t)hi, "year"), 0);
                    buf_printf(&alt, " the highest mean x is %s's, ", rf_str(s, (size_t)hi, "dyad"));
                    html_fixed(&alt, rf_num(s, (size_t)hi, "mean"), 3);
                    buf_printf(&alt, ", the lowest %s's, ", rf_str(s, (size_t)lo, "dyad"));
                    html_fixed(&alt, rf_num(s, (size_t)lo, "mean"), 3);
                }
                page_figure(pg, f, "fans.gp", NULL, "fans.svg", "Every dyad's fan chart", buf_str(&alt));
                buf_clear(&alt);
            }
            buf alt = {0};
            labelmap_alt(&alt, f, nd);
            page_figure(pg, f, "labelmap.gp", NULL, "labelmap.svg",
                        "The label map: the rung of every dyad's median x", buf_str(&alt));
            buf_clear(&alt);
            free(all);
        } else if (f->t[RT_TRAJECTORY]) {
            size_t same;
            if (shown_before(pg, i, RT_TRAJECTORY, &same)) {
                note_same(b, f, &pg->fs[same].f);
                continue;
            }
            folder_heading(b, f, NULL);
            size_t nd = 0;
            const char **all = page_dyads(pg, f->t[RT_TRAJECTORY], &nd);
            buf alt = {0};
            labelmap_alt(&alt, f, nd);
            page_figure(pg, f, "labelmap.gp", NULL, "labelmap.svg", "The label map: every dyad's declared label",
                        buf_str(&alt));
            buf_clear(&alt);
            free(all);
        }
    }
    page_section_end(pg);
}

/* ------------------------------------------------------------------ */
/* The claim                                                          */
/* ------------------------------------------------------------------ */

static const char *verdict_of(double holds)
{
    return isnan(holds) ? "undecided" : holds > 0.5 ? "holds" : "fails";
}

void page_verdict(buf *b, double holds)
{
    const char *v = verdict_of(holds);
    buf_printf(b, "<span class=\"verdict %s\">%s</span>", v,
               strcmp(v, "holds") == 0 ? "HOLDS" : strcmp(v, "fails") == 0 ? "FAILS" : "is UNDECIDED");
}

double page_claim_holds(const rf_folder *f)
{
    const tsv_table *c = f->t[RT_CLAIM];
    for (size_t r = 0; c && r < tsv_rows(c); r++)
        if (strcmp(rf_str(c, r, "condition"), "claim") == 0)
            return rf_num(c, r, "holds");
    return NAN;
}

void section_claim(page *pg)
{
    size_t nclaims = 0;
    for (size_t i = 0; i < pg->nf; i++)
        nclaims += pg->fs[i].f.kind == RF_CLAIM;
    if (!nclaims || pg->rc != AS_OK)
        return;
    page_section(pg, "claim", "The claim test");
    buf *b = &pg->body;
    for (size_t i = 0; i < pg->nf && pg->rc == AS_OK; i++) {
        const rf_folder *f = &pg->fs[i].f;
        if (f->kind != RF_CLAIM)
            continue;
        const tsv_table *c = f->t[RT_CLAIM], *curve = f->t[RT_CURVE];
        if (nclaims > 1)
            folder_heading(b, f, NULL);
        const char *conf = prov(f, RT_CLAIM, "confidence");
        double level = 100.0 * atof(conf);
        buf_puts(b, "<p class=\"answer\">Verdict: the claim ");
        page_verdict(b, page_claim_holds(f));
        buf_puts(b, " in this model at ");
        html_fixed(b, level, 0);
        buf_puts(b, "% confidence.</p>\n");
        buf_puts(b, "<div class=\"readaloud\" role=\"note\" aria-label=\"The verdict, read aloud\">");
        html_text(b, f->verdict);
        buf_puts(b, "</div>\n");

        char caption[128];
        snprintf(caption, sizeof caption, "The two conditions, with exact %.0f%% intervals", level);
        static const char *const heads[] = {"Condition", "Replications", "Alliances", "P(alliance)",
                                            "Interval", "The claim needs", "Verdict", NULL};
        table_open(b, caption, heads);
        static const char *const conds[] = {"no_reversal", "reversal"};
        for (size_t k = 0; k < 2; k++)
            for (size_t r = 0; r < tsv_rows(c); r++) {
                if (strcmp(rf_str(c, r, "condition"), conds[k]) != 0)
                    continue;
                const char *side = rf_str(c, r, "side");
                row_head(b, k == 0 ? "no reversal: P(alliance by the horizon)"
                                   : "reversal: P(alliance within the window)");
                cell_fixed(b, rf_num(c, r, "reps"), 0);
                cell_text(b, rf_str(c, r, "alliances"));
                cell_fixed(b, rf_num(c, r, "p_alliance"), 3);
                cell_interval(b, rf_num(c, r, "ci_lo"), rf_num(c, r, "ci_hi"), 3);
                buf_printf(b, "<td class=\"num\">%s ", strcmp(side, "above") == 0 ? "&gt;" : "&lt;");
                html_text(b, rf_str(c, r, "bound"));
                const char *v = verdict_of(rf_num(c, r, "holds"));
                buf_printf(b, "</td><td class=\"%s\">%s</td></tr>\n", v, v);
            }
        table_close(b);

        const char *hs = prov(f, RT_CURVE, "half_strength");
        buf alt = {0};
        buf_printf(&alt, "P(alliance within %s years of a reversal) ", prov(f, RT_CURVE, "window_years"));
        if (*hs && strcmp(hs, "NA") != 0) {
            buf_puts(&alt, "passes one half at strength ");
            html_text(&alt, hs);
            buf_puts(&alt, " (95%: between ");
            html_text(&alt, prov(f, RT_CURVE, "half_strength_lo"));
            buf_puts(&alt, " and ");
            html_text(&alt, prov(f, RT_CURVE, "half_strength_hi"));
            buf_puts(&alt, ")");
        } else {
            buf_puts(&alt, "does not pass one half at the strengths tried");
        }
        page_figure(pg, f, "claim.gp", NULL, "claim.svg", "The strength curve", buf_str(&alt));
        buf_clear(&alt);

        static const char *const cheads[] = {"Strength", "Replications", "Alliances", "P(alliance within the window)",
                                             "Interval", NULL};
        table_open(b, "The strength curve", cheads);
        for (size_t r = 0; r < tsv_rows(curve); r++) {
            buf_puts(b, "<tr><th scope=\"row\" class=\"num\">");
            html_text(b, rf_str(curve, r, "strength"));
            buf_puts(b, "</th>");
            cell_fixed(b, rf_num(curve, r, "reps"), 0);
            cell_text(b, rf_str(curve, r, "alliances"));
            cell_fixed(b, rf_num(curve, r, "p_alliance"), 3);
            cell_interval(b, rf_num(curve, r, "ci_lo"), rf_num(curve, r, "ci_hi"), 3);
            buf_puts(b, "</tr>\n");
        }
        table_close(b);
    }
    page_section_end(pg);
}

/* ------------------------------------------------------------------ */
/* Comparisons                                                        */
/* ------------------------------------------------------------------ */

/* Column name of folder letter x: base for B (the first comparison),
 * base_X for C, D, ... (compare.tsv's naming). */
static void cmp_col(char *out, size_t len, const char *base, char x)
{
    if (x == 'B')
        snprintf(out, len, "%s", base);
    else
        snprintf(out, len, "%s_%c", base, x);
}

/* Row of (year, dyad) in t, or -1. */
static long find_row(const tsv_table *t, double year, const char *dyad)
{
    for (size_t r = 0; r < tsv_rows(t); r++)
        if (rf_num(t, r, "year") == year && strcmp(rf_str(t, r, "dyad"), dyad) == 0)
            return (long)r;
    return -1;
}

/* The years a comparison table shows: every tenth year from the first
 * decade, and the last year. */
static size_t table_years(const tsv_table *t, const char *dyad, double *years, size_t cap)
{
    double first = INFINITY, last = -INFINITY;
    for (size_t r = 0; r < tsv_rows(t); r++)
        if (strcmp(rf_str(t, r, "dyad"), dyad) == 0) {
            double y = rf_num(t, r, "year");
            first = y < first ? y : first;
            last = y > last ? y : last;
        }
    size_t n = 0;
    if (!isfinite(first))
        return 0;
    for (double y = ceil(first / 10.0) * 10.0; y < last && n + 1 < cap; y += 10.0)
        if (find_row(t, y, dyad) >= 0)
            years[n++] = y;
    years[n++] = last;
    return n;
}

/* One table of a comparison: x (what = 0) or P(alliance) (what = 1) of
 * dyad for every folder, and each difference from A with its interval
 * (pct: its level; NULL: single runs, no intervals). */
static void compare_table(buf *b, const tsv_table *t, const char *dyad, size_t nx, int what, const char *pct)
{
    double years[32];
    size_t ny = table_years(t, dyad, years, 32);
    buf cap = {0};
    buf_printf(&cap, "%s: %s", dyad, what ? "P(alliance)" : "mean x");
    buf_puts(b, "<div class=\"scroll\"><table>\n<caption>");
    html_text(b, buf_str(&cap));
    buf_puts(b, "</caption>\n<thead><tr><th scope=\"col\">Year</th>");
    for (size_t i = 0; i < nx; i++)
        buf_printf(b, "<th scope=\"col\">%c</th>", (char)('A' + i));
    for (size_t i = 1; i < nx; i++) {
        buf_printf(b, "<th scope=\"col\">%c &minus; A</th>", (char)('A' + i));
        if (pct)
            buf_printf(b, "<th scope=\"col\">%s interval</th>", pct);
    }
    buf_puts(b, "</tr></thead>\n<tbody>\n");
    for (size_t k = 0; k < ny; k++) {
        long r = find_row(t, years[k], dyad);
        if (r < 0)
            continue;
        size_t row = (size_t)r;
        buf_puts(b, "<tr><th scope=\"row\">");
        html_fixed(b, years[k], 0);
        buf_puts(b, "</th>");
        for (size_t i = 0; i < nx; i++) {
            char col[32];
            snprintf(col, sizeof col, "%s_%c", what ? "p_alliance" : "mean", (char)('A' + i));
            cell_fixed(b, rf_num(t, row, col), 3);
        }
        for (size_t i = 1; i < nx; i++) {
            char x = (char)('A' + i), cd[32], cl[32], ch[32];
            cmp_col(cd, sizeof cd, what ? "p_diff" : "diff", x);
            cmp_col(cl, sizeof cl, what ? "p_ci_lo" : "ci_lo", x);
            cmp_col(ch, sizeof ch, what ? "p_ci_hi" : "ci_hi", x);
            double lo = rf_num(t, row, cl), hi = rf_num(t, row, ch);
            buf_puts(b, "<td class=\"num\">");
            html_signed(b, rf_num(t, row, cd));
            if (lo > 0.0 || hi < 0.0)
                buf_puts(b, " *");
            buf_puts(b, "</td>");
            if (pct) {
                buf_puts(b, "<td class=\"num\">[");
                html_signed(b, lo);
                buf_puts(b, ", ");
                html_signed(b, hi);
                buf_puts(b, "]</td>");
            }
        }
        buf_puts(b, "</tr>\n");
    }
    buf_puts(b, "</tbody></table></div>\n");
    buf_clear(&cap);
}

void section_compare(page *pg)
{
    size_t ncmp = 0;
    for (size_t i = 0; i < pg->nf; i++)
        ncmp += pg->fs[i].f.kind == RF_COMPARE;
    if (!ncmp || pg->rc != AS_OK)
        return;
    page_section(pg, "compare", "Comparisons");
    buf *b = &pg->body;
    for (size_t i = 0; i < pg->nf && pg->rc == AS_OK; i++) {
        const rf_folder *f = &pg->fs[i].f;
        if (f->kind != RF_COMPARE)
            continue;
        const tsv_table *t = f->t[RT_COMPARE];
        if (ncmp > 1)
            folder_heading(b, f, NULL);
        size_t nx = 0;
        buf_puts(b, "<ul>\n");
        for (char x = 'A'; x <= 'Z'; x++, nx++) {
            char key[32];
            snprintf(key, sizeof key, "folder_%c", x);
            const char *dir = tsv_prov(t, key);
            if (!dir)
                break;
            buf_printf(b, "<li><strong>%c</strong> = <code>", x);
            html_text(b, dir);
            snprintf(key, sizeof key, "scenario_%c", x);
            buf_puts(b, "</code>, scenario ");
            html_text(b, tsv_prov(t, key));
            snprintf(key, sizeof key, "replications_%c", x);
            if (tsv_prov(t, key)) {
                buf_puts(b, ", ");
                html_text(b, tsv_prov(t, key));
                buf_puts(b, " replications");
            }
            buf_puts(b, "</li>\n");
        }
        buf_puts(b, "</ul>\n");
        if (nx < 2)
            nx = 2;
        const char *method = tsv_prov(t, "method");
        double conf = atof(prov(f, RT_COMPARE, "confidence"));
        char pct[16];
        snprintf(pct, sizeof pct, "%.0f%%", 100.0 * (conf > 0.0 ? conf : 0.95));
        int batches = method && strcmp(method, "none") != 0;
        if (batches) {
            buf_puts(b, "<p>Differences from A with ");
            html_text(b, pct);
            buf_puts(b, " intervals, ");
            if (strcmp(method, "paired") == 0)
                buf_puts(b, "<strong>paired</strong>: the folders ran with the same seeds (common random "
                            "numbers), so each interval is that of the replication-by-replication differences");
            else
                buf_puts(b, "<strong>Welch</strong> intervals from the two summaries (the folders did not "
                            "share their seeds)");
            buf_puts(b, ". An asterisk marks a difference whose interval excludes zero.</p>\n");
        } else {
            buf_puts(b, "<p>Differences from A. The folders are single runs: they have no spread, so the "
                        "differences have no intervals.</p>\n");
        }

        const char *dy[3];
        size_t nmain = page_main_dyads(pg, t, dy);
        for (size_t k = 0; k < nmain && pg->rc == AS_OK; k++) {
            compare_table(b, t, dy[k], nx, 0, batches ? pct : NULL);
            int pdiffers = 0;
            for (size_t r = 0; batches && r < tsv_rows(t); r++)
                if (strcmp(rf_str(t, r, "dyad"), dy[k]) == 0 && fabs(rf_num(t, r, "p_diff")) > 0.0)
                    pdiffers = 1;
            if (pdiffers)
                compare_table(b, t, dy[k], nx, 1, batches ? pct : NULL);
            buf assign = {0}, image = {0}, title = {0}, alt = {0};
            buf_printf(&assign, "dyad='%s'", dy[k]);
            buf_printf(&image, "compare_%s.svg", dy[k]);
            buf_printf(&title, "%s compared", dy[k]);
            long r = page_last_row(t, dy[k]);
            if (r >= 0) {
                buf_puts(&alt, "In ");
                html_fixed(&alt, rf_num(t, (size_t)r, "year"), 0);
                buf_puts(&alt, ", B - A = ");
                html_signed(&alt, rf_num(t, (size_t)r, "diff"));
                if (batches) {
                    buf_puts(&alt, " (");
                    html_text(&alt, pct);
                    buf_puts(&alt, " interval [");
                    html_signed(&alt, rf_num(t, (size_t)r, "ci_lo"));
                    buf_puts(&alt, ", ");
                    html_signed(&alt, rf_num(t, (size_t)r, "ci_hi"));
                    buf_printf(&alt, "], %s)", method);
                }
            }
            page_figure(pg, f, "compare.gp", buf_str(&assign), buf_str(&image), buf_str(&title), buf_str(&alt));
            buf_clear(&assign);
            buf_clear(&image);
            buf_clear(&title);
            buf_clear(&alt);
        }
    }
    page_section_end(pg);
}

/* ------------------------------------------------------------------ */
/* Sweeps                                                             */
/* ------------------------------------------------------------------ */

void section_sweep(page *pg)
{
    int any = 0;
    for (size_t i = 0; i < pg->nf; i++)
        any |= pg->fs[i].f.kind == RF_SWEEP;
    if (!any || pg->rc != AS_OK)
        return;
    page_section(pg, "sweep", "Parameter sweeps");
    buf *b = &pg->body;
    for (size_t i = 0; i < pg->nf; i++) {
        const rf_folder *f = &pg->fs[i].f;
        if (f->kind != RF_SWEEP)
            continue;
        const tsv_table *t = f->t[RT_SWEEP];
        folder_heading(b, f, NULL);
        buf_puts(b, "<p>Design ");
        html_text(b, prov(f, RT_SWEEP, "design"));
        buf_puts(b, " with ");
        html_text(b, prov(f, RT_SWEEP, "points"));
        buf_puts(b, " points; P(alliance) of the outcome dyad with its exact interval.</p>\n");
        /* The swept parameters are the columns between point and seed. */
        size_t p0 = (size_t)tsv_column(t, "point") + 1, p1 = (size_t)tsv_column(t, "seed");
        int has_l5 = tsv_column(t, "l5_year") >= 0, has_score = tsv_column(t, "replay_score") >= 0;
        buf_puts(b, "<div class=\"scroll\"><table>\n<caption>The points of the sweep</caption>\n<thead><tr>"
                    "<th scope=\"col\">Point</th>");
        for (size_t c = p0; c < p1; c++) {
            buf_puts(b, "<th scope=\"col\"><code>");
            html_text(b, tsv_colname(t, c));
            buf_puts(b, "</code></th>");
        }
        buf_puts(b, "<th scope=\"col\">Replications</th><th scope=\"col\">P(alliance)</th>"
                    "<th scope=\"col\">Interval</th>");
        if (has_l5)
            buf_puts(b, "<th scope=\"col\">Year label 5 reached (mean)</th>");
        if (has_score)
            buf_puts(b, "<th scope=\"col\">Replay score</th>");
        buf_puts(b, "</tr></thead>\n<tbody>\n");
        for (size_t r = 0; r < tsv_rows(t); r++) {
            row_head(b, rf_str(t, r, "point"));
            for (size_t c = p0; c < p1; c++) {
                buf_puts(b, "<td class=\"num\">");
                html_text(b, tsv_cell(t, r, c));
                buf_puts(b, "</td>");
            }
            cell_fixed(b, rf_num(t, r, "reps"), 0);
            cell_fixed(b, rf_num(t, r, "p_alliance"), 3);
            cell_interval(b, rf_num(t, r, "ci_lo"), rf_num(t, r, "ci_hi"), 3);
            if (has_l5)
                cell_fixed(b, rf_num(t, r, "l5_year"), 1);
            if (has_score)
                cell_fixed(b, rf_num(t, r, "replay_score"), 3);
            buf_puts(b, "</tr>\n");
        }
        table_close(b);
    }
    page_section_end(pg);
}

/* ------------------------------------------------------------------ */
/* Sensitivity                                                        */
/* ------------------------------------------------------------------ */

void section_sensitivity(page *pg)
{
    int any = 0;
    for (size_t i = 0; i < pg->nf; i++)
        any |= pg->fs[i].f.kind == RF_SENSITIVITY;
    if (!any || pg->rc != AS_OK)
        return;
    page_section(pg, "sensitivity", "Sensitivity indices");
    buf *b = &pg->body;
    buf_puts(b, "<p>Sobol indices: the first-order index S1 is the share of an output's variance a parameter "
                "causes alone; the total-order index ST adds what it does through interactions. A parameter "
                "with a small ST can be fixed anywhere in its range.</p>\n");
    for (size_t i = 0; i < pg->nf && pg->rc == AS_OK; i++) {
        const rf_folder *f = &pg->fs[i].f;
        if (f->kind != RF_SENSITIVITY)
            continue;
        const tsv_table *t = f->t[RT_SENSITIVITY];
        folder_heading(b, f, NULL);
        double conf = atof(prov(f, RT_SENSITIVITY, "confidence"));
        char caption[160];
        snprintf(caption, sizeof caption, "Sobol indices with %.0f%% bootstrap intervals (%s base samples)",
                 100.0 * (conf > 0.0 ? conf : 0.95), prov(f, RT_SENSITIVITY, "base_samples"));
        static const char *const heads[] = {"Output", "Parameter", "S1", "S1 interval", "ST", "ST interval", NULL};
        table_open(b, caption, heads);
        long best = -1;
        for (size_t r = 0; r < tsv_rows(t); r++) {
            row_head(b, rf_str(t, r, "output"));
            buf_puts(b, "<td><code>");
            html_text(b, rf_str(t, r, "parameter"));
            buf_puts(b, "</code></td>");
            cell_fixed(b, rf_num(t, r, "S1"), 3);
            cell_interval(b, rf_num(t, r, "S1_lo"), rf_num(t, r, "S1_hi"), 3);
            cell_fixed(b, rf_num(t, r, "ST"), 3);
            cell_interval(b, rf_num(t, r, "ST_lo"), rf_num(t, r, "ST_hi"), 3);
            buf_puts(b, "</tr>\n");
            double st = rf_num(t, r, "ST");
            if (!isnan(st) && (best < 0 || st > rf_num(t, (size_t)best, "ST")))
                best = (long)r;
        }
        table_close(b);
        buf alt = {0};
        if (best >= 0) {
            size_t r = (size_t)best;
            buf_printf(&alt, "The largest total-order index: %s on %s, ST = ", rf_str(t, r, "parameter"),
                       rf_str(t, r, "output"));
            html_fixed(&alt, rf_num(t, r, "ST"), 3);
            buf_puts(&alt, " ");
            html_interval(&alt, rf_num(t, r, "ST_lo"), rf_num(t, r, "ST_hi"), 3);
        } else {
            buf_puts(&alt, "No output varied over the design: no indices");
        }
        page_figure(pg, f, "sensitivity.gp", NULL, "sensitivity.svg", "Sobol indices", buf_str(&alt));
        buf_clear(&alt);
    }
    page_section_end(pg);
}

/* ------------------------------------------------------------------ */
/* Calibration                                                        */
/* ------------------------------------------------------------------ */

void section_calibrate(page *pg)
{
    int any = 0;
    for (size_t i = 0; i < pg->nf; i++)
        any |= pg->fs[i].f.kind == RF_CALIBRATE;
    if (!any || pg->rc != AS_OK)
        return;
    page_section(pg, "calibrate", "Calibration");
    buf *b = &pg->body;
    for (size_t i = 0; i < pg->nf; i++) {
        const rf_folder *f = &pg->fs[i].f;
        if (f->kind != RF_CALIBRATE)
            continue;
        const tsv_table *t = f->t[RT_CALIBRATION], *fit = f->t[RT_FIT];
        folder_heading(b, f, NULL);
        buf_puts(b, "<p>Fitted loss ");
        html_fixed(b, atof(prov(f, RT_CALIBRATION, "fitted_loss")), 3);
        buf_puts(b, " (the scenario's own values: ");
        html_fixed(b, atof(prov(f, RT_CALIBRATION, "initial_loss")), 3);
        buf_puts(b, ") after ");
        html_text(b, prov(f, RT_CALIBRATION, "evaluations"));
        buf_puts(b, " evaluations of ");
        html_text(b, prov(f, RT_CALIBRATION, "replications_per_evaluation"));
        buf_puts(b, " replications; root mean square error of the fitted targets ");
        html_fixed(b, atof(prov(f, RT_CALIBRATION, "rmse_in_window_years")), 2);
        buf_puts(b, " years.</p>\n");
        /* The best row; the free parameters are the columns between
         * evaluations and loss. */
        size_t best = 0;
        for (size_t r = 1; r < tsv_rows(t); r++)
            if (rf_num(t, r, "loss") < rf_num(t, best, "loss"))
                best = r;
        size_t p0 = (size_t)tsv_column(t, "evaluations") + 1, p1 = (size_t)tsv_column(t, "loss");
        static const char *const heads[] = {"Parameter", "Fitted value", NULL};
        table_open(b, "The fitted values (the row of least loss)", heads);
        for (size_t c = p0; c < p1; c++) {
            buf_puts(b, "<tr><th scope=\"row\"><code>");
            html_text(b, tsv_colname(t, c));
            buf_puts(b, "</code></th>");
            cell_fixed(b, rf_num(t, best, tsv_colname(t, c)), 4);
            buf_puts(b, "</tr>\n");
        }
        table_close(b);
        static const char *const fheads[] = {"Dyad", "Milestone", "Historical date", "Fitted (median)",
                                             "Error (years)", "Within 2 years (share)", "Fitted", NULL};
        table_open(b, "The targets under the fitted values", fheads);
        for (size_t r = 0; r < tsv_rows(fit); r++) {
            double ty = rf_num(fit, r, "target_year");
            row_head(b, rf_str(fit, r, "dyad"));
            cell_text(b, rf_str(fit, r, "note"));
            buf_puts(b, "<td class=\"num\">");
            html_fixed(b, ty, 2);
            buf_puts(b, " (");
            html_month_year(b, ty);
            buf_puts(b, ")</td>");
            cell_fixed(b, rf_num(fit, r, "fitted_median"), 2);
            cell_fixed(b, rf_num(fit, r, "error_median"), 2);
            cell_fixed(b, rf_num(fit, r, "within2"), 2);
            double w = rf_num(fit, r, "in_window");
            cell_text(b, isnan(w) ? "" : w > 0.5 ? "yes" : "no (held out)");
            buf_puts(b, "</tr>\n");
        }
        table_close(b);
    }
    page_section_end(pg);
}

/* ------------------------------------------------------------------ */
/* Inference                                                          */
/* ------------------------------------------------------------------ */

static void posterior_table(page *pg, const tsv_table *t)
{
    buf *b = &pg->body;
    size_t n = tsv_rows(t);
    stats_weighted *s = malloc(n * sizeof *s);
    if (!s) {
        page_fail(pg, AS_ENOMEM, "out of memory");
        return;
    }
    double sw = 0.0, sw2 = 0.0;
    for (size_t r = 0; r < n; r++) {
        double w = rf_num(t, r, "weight");
        sw += w;
        sw2 += w * w;
    }
    buf_printf(b, "<p>%zu particles; effective sample size of the weights ", n);
    html_fixed(b, sw * sw / sw2, 1);
    buf_puts(b, ".</p>\n");
    static const char *const heads[] = {"Parameter", "Mean", "SD", "5%", "Median", "95%", NULL};
    table_open(b, "The posterior (weighted particles)", heads);
    for (size_t c = 0; c < tsv_cols(t); c++) {
        const char *name = tsv_colname(t, c);
        if (strcmp(name, "particle") == 0 || strcmp(name, "weight") == 0)
            continue;
        double m = 0.0, m2 = 0.0;
        for (size_t r = 0; r < n; r++) {
            s[r].v = rf_num(t, r, name);
            s[r].w = rf_num(t, r, "weight");
            m += s[r].w * s[r].v;
        }
        m /= sw;
        for (size_t r = 0; r < n; r++)
            m2 += s[r].w * (s[r].v - m) * (s[r].v - m);
        stats_weighted_sort(s, n);
        buf_puts(b, "<tr><th scope=\"row\"><code>");
        html_text(b, name);
        buf_puts(b, "</code></th>");
        cell_fixed(b, m, 4);
        cell_fixed(b, sqrt(m2 / sw), 4);
        cell_fixed(b, stats_weighted_quantile(s, n, sw, 0.05), 4);
        cell_fixed(b, stats_weighted_quantile(s, n, sw, 0.5), 4);
        cell_fixed(b, stats_weighted_quantile(s, n, sw, 0.95), 4);
        buf_puts(b, "</tr>\n");
    }
    table_close(b);
    free(s);
}

void section_infer(page *pg)
{
    int any = 0;
    for (size_t i = 0; i < pg->nf; i++)
        any |= pg->fs[i].f.kind == RF_INFER;
    if (!any || pg->rc != AS_OK)
        return;
    page_section(pg, "infer", "The posterior and the model probabilities");
    buf *b = &pg->body;
    for (size_t i = 0; i < pg->nf && pg->rc == AS_OK; i++) {
        const rf_folder *f = &pg->fs[i].f;
        if (f->kind != RF_INFER)
            continue;
        folder_heading(b, f, NULL);
        const tsv_table *m = f->t[RT_MODELS];
        if (m) {
            static const char *const heads[] = {"Model", "Scenario", "Probability", "95% interval", NULL};
            table_open(b, "Posterior probability of each model", heads);
            for (size_t r = 0; r < tsv_rows(m); r++) {
                row_head(b, rf_str(m, r, "model"));
                cell_text(b, rf_str(m, r, "scenario"));
                cell_fixed(b, rf_num(m, r, "probability"), 3);
                cell_interval(b, rf_num(m, r, "ci_lo"), rf_num(m, r, "ci_hi"), 3);
                buf_puts(b, "</tr>\n");
            }
            table_close(b);
        }
        if (f->t[RT_POSTERIOR]) {
            posterior_table(pg, f->t[RT_POSTERIOR]);
            /* The marginals against the prior: generation 0's draws
             * (prior.tsv, which alignsim infer writes next to it). */
            buf prior = {0};
            buf_printf(&prior, "%s/prior.tsv", f->path);
            if (!prior.failed && access(buf_str(&prior), R_OK) == 0)
                page_figure(pg, f, "posterior.gp", NULL, "posterior.svg", "The posterior marginals, prior outlined",
                            "Each parameter's weighted histogram of the posterior particles, with the histogram "
                            "of the prior draws outlined: a marginal like its prior is one the record does not "
                            "constrain");
            buf_clear(&prior);
        }
        const tsv_table *g = f->t[RT_GENERATIONS];
        static const char *const gheads[] = {"Generation", "Tolerance", "Acceptance", "ESS", "Simulations", NULL};
        table_open(b, "The generations of the sampler", gheads);
        for (size_t r = 0; r < tsv_rows(g); r++) {
            row_head(b, rf_str(g, r, "generation"));
            cell_fixed(b, rf_num(g, r, "tolerance"), 4);
            cell_fixed(b, rf_num(g, r, "acceptance"), 3);
            cell_fixed(b, rf_num(g, r, "ess"), 1);
            cell_fixed(b, rf_num(g, r, "simulations"), 0);
            buf_puts(b, "</tr>\n");
        }
        table_close(b);
        const tsv_table *p = f->t[RT_PREDICTIVE];
        if (p) {
            size_t inside = 0;
            for (size_t r = 0; r < tsv_rows(p); r++)
                inside += rf_num(p, r, "inside") > 0.5;
            buf_printf(b, "<p>Out-of-sample check: <strong>%zu of %zu</strong> held-out targets fall inside "
                          "their 90%% predictive interval.</p>\n",
                       inside, tsv_rows(p));
            static const char *const pheads[] = {"Dyad", "Historical date", "Predicted (median)", "90% interval",
                                                 "Inside", NULL};
            table_open(b, "The posterior predictive of the held-out targets", pheads);
            for (size_t r = 0; r < tsv_rows(p); r++) {
                double ty = rf_num(p, r, "target_year");
                row_head(b, rf_str(p, r, "dyad"));
                buf_puts(b, "<td class=\"num\">");
                html_fixed(b, ty, 2);
                buf_puts(b, " (");
                html_month_year(b, ty);
                buf_puts(b, ")</td>");
                cell_fixed(b, rf_num(p, r, "median"), 2);
                cell_interval(b, rf_num(p, r, "lo90"), rf_num(p, r, "hi90"), 2);
                cell_text(b, rf_num(p, r, "inside") > 0.5 ? "yes" : "no");
                buf_puts(b, "</tr>\n");
            }
            table_close(b);
        }
    }
    page_section_end(pg);
}
