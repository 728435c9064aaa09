/*
 * report - the seminar report (see report.h): reading the folders, the page
 * around the sections (head, policy, style, script, contents), and the
 * sections about the question, the scenarios and provenance.  The result
 * sections are in sections.c.
 *
 * Order of work: every folder is read and checked, every scenario.cfg
 * loaded, before the first figure is drawn, so that a bad folder fails in
 * a second with its name rather than after a minute of plotting; the page
 * is assembled in memory and written once, atomically.
 */
#include "report/report.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/status.h"
#include "io/atomic.h"
#include "report/html.h"
#include "report/page.h"
#include "report/sha256.h"

/* ------------------------------------------------------------------ */
/* Style and script                                                   */
/* ------------------------------------------------------------------ */

/* The style sheet.  Projector mode: the checkbox #projector, obeyed by CSS
 * alone (:has), so that it works with scripts off. */
static const char style_sheet[] =
    ":root{--fg:#111;--muted:#4a4a4a;--rule:#c8ccd2;--head:#eceff3;--accent:#1f4e8c;"
    "--ok:#0b6b2e;--bad:#a3161a;--undecided:#7a5300}\n"
    "*{box-sizing:border-box}\n"
    "html{font-family:system-ui,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;font-size:17px;"
    "line-height:1.45;color:var(--fg);background:#fff}\n"
    "body{margin:0 auto;max-width:72rem;padding:1rem 1.5rem 4rem}\n"
    "header h1{font-size:2rem;line-height:1.2;margin:.5rem 0 .25rem}\n"
    ".sub{color:var(--muted);margin:0}\n"
    ".controls{margin:.75rem 0;padding:.5rem .75rem;border:1px solid var(--rule);border-radius:.4rem;"
    "font-size:.9rem}\n"
    ".controls label{font-weight:600;margin-left:.3rem}\n"
    "nav ol{columns:2;padding-left:1.5rem;margin:.5rem 0}\n"
    "main>section{border-top:2px solid var(--rule);padding:1.5rem 0 1rem}\n"
    "h2{font-size:1.6rem;margin:0 0 .75rem}\n"
    "h3{font-size:1.2rem;margin:1.5rem 0 .5rem}\n"
    ".question{font-size:1.45rem;font-weight:600;max-width:52rem}\n"
    ".answer{font-size:1.2rem}\n"
    ".verdict{display:inline-block;padding:0 .5rem;border:2px solid currentColor;border-radius:.3rem;"
    "font-weight:700}\n"
    ".holds{color:var(--ok)}.fails{color:var(--bad)}.undecided{color:var(--undecided)}\n"
    ".readaloud{white-space:pre-wrap;font-family:inherit;font-size:1.05rem;border-left:4px solid var(--accent);"
    "padding:.5rem 1rem;margin:1rem 0}\n"
    ".scroll{overflow-x:auto}\n"
    "table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.92rem;font-variant-numeric:tabular-nums}\n"
    "caption{text-align:left;font-weight:600;padding:.25rem 0}\n"
    "th,td{border:1px solid var(--rule);padding:.2rem .5rem;text-align:left;vertical-align:top}\n"
    "tbody th{white-space:nowrap}\n"
    "thead th{background:var(--head)}\n"
    "td.num{text-align:right;white-space:nowrap}\n"
    "figure{margin:1rem 0 1.5rem}\n"
    "svg.plot{display:block;width:100%;height:auto;max-height:88vh;background:#fff}\n"
    "figcaption{color:var(--muted);font-size:.95rem;margin-top:.3rem}\n"
    ".note{color:var(--muted)}\n"
    "code{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:.92em}\n"
    "@media screen{\n"
    "html:has(#projector:checked){font-size:28px;scroll-snap-type:y proximity}\n"
    "html:has(#projector:checked) body{max-width:none;padding:0 3vw}\n"
    "html:has(#projector:checked) nav{display:none}\n"
    "html:has(#projector:checked) main>section{min-height:100vh;scroll-snap-align:start;padding:3vh 0}\n"
    "html:has(#projector:checked) table{font-size:.8rem}\n"
    "}\n"
    "@media print{\n"
    "html{font-size:10.5pt;color:#000;background:#fff}\n"
    "body{max-width:none;padding:0}\n"
    ".controls,nav{display:none}\n"
    "main>section{break-before:page;border-top:0;padding:0}\n"
    "main>section:first-child{break-before:auto}\n"
    "figure,tr,.readaloud{break-inside:avoid}\n"
    "thead th{background:#fff}\n"
    "svg.plot{max-height:23cm}\n"
    "}\n";

/* The projector mode's keys.  The page works without it. */
static const char key_script[] =
    "(function(){\n"
    "var d=document,box=d.getElementById('projector');\n"
    "d.documentElement.setAttribute('data-keys','on');\n"
    "if(location.hash==='#projector')box.checked=true;\n"
    "function sections(){return Array.prototype.slice.call(d.querySelectorAll('main>section'));}\n"
    "function current(s){var i=0;for(var k=0;k<s.length;k++)if(s[k].getBoundingClientRect().top<=8)i=k;"
    "return i;}\n"
    "function go(step){var s=sections();if(!s.length)return;"
    "var i=Math.max(0,Math.min(s.length-1,current(s)+step));s[i].scrollIntoView();}\n"
    "d.addEventListener('keydown',function(e){\n"
    "if(e.altKey||e.ctrlKey||e.metaKey)return;\n"
    "var k=e.key,on=box.checked;\n"
    "if(k==='p'||k==='P'){box.checked=!on;e.preventDefault();return;}\n"
    "if(k==='ArrowRight'||(on&&(k==='PageDown'||k===' '))){go(1);e.preventDefault();}\n"
    "else if(k==='ArrowLeft'||(on&&k==='PageUp')){go(-1);e.preventDefault();}\n"
    "});\n"
    "})();\n";

/* ------------------------------------------------------------------ */
/* Page helpers (page.h)                                              */
/* ------------------------------------------------------------------ */

void page_fail(page *pg, int rc, const char *fmt, ...)
{
    if (pg->rc != AS_OK)
        return;
    pg->rc = rc;
    if (pg->err && pg->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(pg->err, pg->errlen, fmt, ap);
        va_end(ap);
    }
}

void page_section(page *pg, const char *id, const char *title)
{
    buf_printf(&pg->body, "<section id=\"%s\" aria-labelledby=\"%s-h\">\n<h2 id=\"%s-h\">", id, id, id);
    html_text(&pg->body, title);
    buf_puts(&pg->body, "</h2>\n");
    buf_printf(&pg->nav, "<li><a href=\"#%s\">", id);
    html_text(&pg->nav, title);
    buf_puts(&pg->nav, "</a></li>\n");
    pg->nsections++;
}

void page_section_end(page *pg)
{
    buf_puts(&pg->body, "</section>\n");
}

void page_folder_name(buf *b, const rf_folder *f)
{
    buf_puts(b, "<code>");
    html_text(b, f->path);
    buf_printf(b, "</code> (%s)", rf_kind_name(f->kind));
}

/* Figures are queued while the sections are written and drawn together at
 * the end (several gnuplot processes at once): the body holds a marker,
 * FIGURE_MARK, the figure's index and FIGURE_MARK again, which
 * expand_figures() replaces.  html_text() never writes the marker byte. */
#define FIGURE_MARK '\x01'

void page_figure(page *pg, const rf_folder *f, const char *script, const char *assign, const char *image,
                 const char *title, const char *alt)
{
    if (pg->rc != AS_OK)
        return;
    char msg[4096] = "";
    size_t idx;
    int rc = plotter_add(pg->pl, script, f->path, assign, image, &idx, msg, sizeof msg);
    if (rc != AS_OK) {
        page_fail(pg, rc, "%s", msg);
        return;
    }
    if (idx >= pg->fig_cap) {
        size_t cap = pg->fig_cap ? 2 * pg->fig_cap : 16;
        char **t = realloc(pg->fig_title, cap * sizeof *t);
        if (t)
            pg->fig_title = t;
        char **a = t ? realloc(pg->fig_alt, cap * sizeof *a) : NULL;
        if (a)
            pg->fig_alt = a;
        char **w = a ? realloc(pg->fig_where, cap * sizeof *w) : NULL;
        if (!w) {
            page_fail(pg, AS_ENOMEM, "out of memory");
            return;
        }
        pg->fig_where = w;
        pg->fig_cap = cap;
    }
    buf where = {0};
    buf_printf(&where, "%s: error: analysis/%s", f->path, script);
    pg->fig_title[idx] = strdup(title);
    pg->fig_alt[idx] = strdup(alt);
    pg->fig_where[idx] = buf_take(&where);
    pg->nfigures = idx + 1;
    if (!pg->fig_title[idx] || !pg->fig_alt[idx] || !pg->fig_where[idx]) {
        page_fail(pg, AS_ENOMEM, "out of memory");
        return;
    }
    buf_printf(&pg->body, "%c%zu%c", FIGURE_MARK, idx, FIGURE_MARK);
}

/* The body with every figure marker replaced by its figure: the inlined
 * SVG and a caption with its title and text alternative. */
static void expand_figures(page *pg, buf *out)
{
    const char *p = buf_str(&pg->body);
    char msg[1024];
    while (*p && pg->rc == AS_OK) {
        const char *m = strchr(p, FIGURE_MARK);
        if (!m) {
            buf_puts(out, p);
            break;
        }
        buf_append(out, p, (size_t)(m - p));
        char *end;
        size_t idx = (size_t)strtoul(m + 1, &end, 10);
        p = end + 1;
        char prefix[32];
        snprintf(prefix, sizeof prefix, "fig%zu", idx + 1);
        buf_printf(out, "<figure id=\"%s\">\n", prefix);
        int rc = svg_inline(out, plotter_svg(pg->pl, idx), prefix, pg->fig_title[idx], pg->fig_alt[idx], msg,
                            sizeof msg);
        if (rc != AS_OK) {
            page_fail(pg, rc, "%s: %s", pg->fig_where[idx], msg);
            return;
        }
        buf_puts(out, "\n<figcaption><strong>");
        html_text(out, pg->fig_title[idx]);
        buf_puts(out, ".</strong> ");
        html_text(out, pg->fig_alt[idx]);
        buf_puts(out, "</figcaption>\n</figure>\n");
    }
}

const char **page_dyads(page *pg, const tsv_table *t, size_t *n)
{
    *n = 0;
    size_t rows = tsv_rows(t);
    const char **out = rows ? malloc(rows * sizeof *out) : NULL;
    if (!out) {
        if (rows)
            page_fail(pg, AS_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t r = 0; r < rows; r++) {
        const char *d = rf_str(t, r, "dyad");
        size_t i = 0;
        while (i < *n && strcmp(out[i], d) != 0)
            i++;
        if (i == *n)
            out[(*n)++] = d;
    }
    return out;
}

size_t page_main_dyads(page *pg, const tsv_table *t, const char *out[3])
{
    static const char *const preferred[3] = {"china-russia", "china-us", "russia-us"};
    size_t n = 0, nd = 0;
    const char **all = page_dyads(pg, t, &nd);
    if (!all)
        return 0;
    for (size_t k = 0; k < 3; k++)
        for (size_t i = 0; i < nd; i++)
            if (strcmp(all[i], preferred[k]) == 0)
                out[n++] = preferred[k];
    if (n == 0)
        for (size_t i = 0; i < nd && n < 3; i++)
            out[n++] = all[i];
    free(all);
    return n;
}

long page_last_row(const tsv_table *t, const char *dyad)
{
    long best = -1;
    double year = -INFINITY;
    for (size_t r = 0; r < tsv_rows(t); r++) {
        if (strcmp(rf_str(t, r, "dyad"), dyad) != 0)
            continue;
        double y = rf_num(t, r, "year");
        if (y > year) {
            year = y;
            best = (long)r;
        }
    }
    return best;
}

/* ------------------------------------------------------------------ */
/* Scenarios                                                          */
/* ------------------------------------------------------------------ */

void report_scenario_clear(report_scenario *s)
{
    for (size_t i = 0; i < s->nevents; i++) {
        free(s->events[i].date);
        free(s->events[i].type);
        free(s->events[i].actors);
        free(s->events[i].note);
    }
    free(s->events);
    free(s->name);
    free(s->description);
    free(s->outcome);
    memset(s, 0, sizeof *s);
}

/* The first folder of a kind, or NULL. */
static const rp_folder *first_of(const page *pg, rf_kind k)
{
    for (size_t i = 0; i < pg->nf; i++)
        if (pg->fs[i].f.kind == k)
            return &pg->fs[i];
    return NULL;
}

/* The provenance value key of a folder's main table, or NULL. */
static const char *main_prov(const rf_folder *f, const char *key)
{
    return tsv_prov(f->t[rf_main_table(f->kind)], key);
}

/* The replications of a folder, as its provenance states them. */
static void put_reps(buf *b, const rf_folder *f)
{
    const char *reps = main_prov(f, "replications");
    const char *per = main_prov(f, "replications_per_evaluation");
    if (reps)
        html_text(b, reps);
    else if (per) {
        html_text(b, per);
        buf_puts(b, " per evaluation");
    } else if (f->kind == RF_RUN)
        buf_puts(b, "1");
}

/* The scenario name of a folder: from its scenario.cfg, else from its
 * tables' provenance. */
static const char *scenario_name(const rp_folder *f)
{
    if (f->has_sc && f->sc.name)
        return f->sc.name;
    const char *s = main_prov(&f->f, "scenario");
    return s ? s : "";
}

/* The scenario of a folder for a table cell; a comparison's are its
 * folders', "A: NAME; B: NAME". */
static void put_scenario_name(buf *b, const rp_folder *f)
{
    if (f->f.kind != RF_COMPARE) {
        html_text(b, scenario_name(f));
        return;
    }
    for (char x = 'A'; x <= 'Z'; x++) {
        char key[16];
        snprintf(key, sizeof key, "scenario_%c", x);
        const char *name = tsv_prov(f->f.t[RT_COMPARE], key);
        if (!name)
            break;
        buf_printf(b, "%s%c: ", x == 'A' ? "" : "; ", x);
        html_text(b, name);
    }
}

/* "china russia" -> "china-russia" (the targets of a claim, as a dyad). */
static void dyad_of_targets(buf *b, const char *targets)
{
    for (const char *p = targets; *p; p++)
        buf_printf(b, "%c", *p == ' ' ? '-' : *p);
}

/* "china russia" -> "china and russia"; "a b c" -> "a, b and c". */
static void put_list(buf *b, const char *words)
{
    size_t n = 0, k = 0;
    for (const char *p = words; p && *p; p += strcspn(p, " "), p += strspn(p, " "))
        n += *p != ' ';
    for (const char *p = words; p && *p; k++) {
        size_t len = strcspn(p, " ");
        if (k)
            buf_puts(b, k + 1 == n ? " and " : ", ");
        html_textn(b, p, len);
        p += len;
        p += strspn(p, " ");
    }
}

static void section_question(page *pg)
{
    const rp_folder *claim = first_of(pg, RF_CLAIM);
    buf dyad = {0};
    if (claim && main_prov(&claim->f, "targets"))
        dyad_of_targets(&dyad, main_prov(&claim->f, "targets"));
    for (size_t i = 0; i < pg->nf && dyad.len == 0; i++)
        if (pg->fs[i].has_sc && pg->fs[i].sc.outcome)
            buf_puts(&dyad, pg->fs[i].sc.outcome);

    page_section(pg, "question", "The question");
    buf *b = &pg->body;
    buf_puts(b, "<p class=\"question\">Does the ");
    if (dyad.len) {
        html_text(b, buf_str(&dyad));
        buf_puts(b, " ");
    }
    buf_puts(b, "partnership stay below alliance unless the international situation reverses "
                "fundamentally?</p>\n");
    if (claim) {
        const rf_folder *f = &claim->f;
        const char *conf = main_prov(f, "confidence");
        double c = conf ? atof(conf) : NAN;
        buf_puts(b, "<p class=\"answer\">In this model the claim ");
        page_verdict(b, page_claim_holds(f));
        buf_puts(b, " at ");
        html_fixed(b, 100.0 * c, 0);
        buf_puts(b, "% confidence");
        const char *reps = main_prov(f, "replications");
        if (reps) {
            buf_puts(b, ", with ");
            html_text(b, reps);
            buf_puts(b, " replications per condition");
        }
        buf_puts(b, " (<a href=\"#claim\">the claim test</a>).</p>\n");
        buf_puts(b, "<p>Tested as two bounds: without a reversal, P(alliance by the horizon) &lt; ");
        html_text(b, main_prov(f, "bound_no_reversal"));
        buf_puts(b, "; with a reversal (");
        html_text(b, main_prov(f, "third_power"));
        buf_puts(b, " confronts ");
        put_list(b, main_prov(f, "targets"));
        buf_puts(b, " from ");
        html_text(b, main_prov(f, "at"));
        buf_puts(b, " for ");
        html_text(b, main_prov(f, "duration"));
        buf_puts(b, " years at strength ");
        html_text(b, main_prov(f, "strength"));
        buf_puts(b, "), P(alliance within ");
        html_text(b, main_prov(f, "window_years"));
        buf_puts(b, " years) &gt; ");
        html_text(b, main_prov(f, "bound_reversal"));
        buf_puts(b, ".</p>\n");
    } else {
        buf_puts(b, "<p class=\"note\">No claim test among these folders: run <code>alignsim claim</code> on the "
                    "scenario and add its folder for the verdict.</p>\n");
    }
    buf_printf(b, "<p>This report reads %zu result folder%s:</p>\n<ul>\n", pg->nf, pg->nf == 1 ? "" : "s");
    for (size_t i = 0; i < pg->nf; i++) {
        buf_puts(b, "<li>");
        page_folder_name(b, &pg->fs[i].f);
        const char *name = scenario_name(&pg->fs[i]);
        if (*name) {
            buf_puts(b, ", scenario ");
            html_text(b, name);
        }
        buf_puts(b, "</li>\n");
    }
    buf_puts(b, "</ul>\n");
    page_section_end(pg);
    buf_clear(&dyad);
}

/* One row of the settings-difference table from a line of the diff text. */
static void diff_row(buf *b, const char *line, size_t n)
{
    while (n && (*line == ' ' || *line == '\t')) {
        line++;
        n--;
    }
    if (n == 0)
        return;
    char text[4096];
    snprintf(text, sizeof text, "%.*s", (int)n, line);
    char *sep = strstr(text, ": ");
    if (!sep || strncmp(text, "... and ", 8) == 0) {
        buf_puts(b, "<tr><td colspan=\"3\">");
        html_text(b, text);
        buf_puts(b, "</td></tr>\n");
        return;
    }
    *sep = '\0';
    const char *rest = sep + 2;
    const char *a = "", *bv = "";
    char *arrow = NULL;
    if (strncmp(rest, "only in A = ", 12) == 0) {
        a = rest + 12;
        bv = "(not set)";
    } else if (strncmp(rest, "only in B = ", 12) == 0) {
        a = "(not set)";
        bv = rest + 12;
    } else if (strncmp(rest, "- ", 2) == 0) {
        a = rest + 2;
        bv = "(absent)";
    } else if (strncmp(rest, "+ ", 2) == 0) {
        a = "(absent)";
        bv = rest + 2;
    } else if ((arrow = strstr(sep + 2, " -> ")) != NULL) {
        *arrow = '\0';
        a = rest;
        bv = arrow + 4;
    } else {
        a = rest;
    }
    buf_puts(b, "<tr><th scope=\"row\"><code>");
    html_text(b, text);
    buf_puts(b, "</code></th><td><code>");
    html_text(b, a);
    buf_puts(b, "</code></td><td><code>");
    html_text(b, bv);
    buf_puts(b, "</code></td></tr>\n");
}

/* The table of the events of a scenario, in order of their (first) date;
 * events of one date keep the scenario's order. */
static void events_table(page *pg, const report_scenario *sc)
{
    buf *b = &pg->body;
    size_t *order = sc->nevents ? malloc(sc->nevents * sizeof *order) : NULL;
    if (sc->nevents && !order) {
        page_fail(pg, AS_ENOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < sc->nevents; i++) {
        /* Insertion sort: stable, and the files are nearly in order. */
        size_t j = i;
        while (j > 0 && sc->events[order[j - 1]].sort_year > sc->events[i].sort_year) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    buf_puts(b, "<div class=\"scroll\"><table>\n<caption>The events of scenario ");
    html_text(b, sc->name);
    buf_printf(b, " (%zu), by date</caption>\n<thead><tr><th scope=\"col\">Date</th><th scope=\"col\">Type</th>"
                  "<th scope=\"col\">Actors</th><th scope=\"col\">Note</th></tr></thead>\n<tbody>\n",
               sc->nevents);
    for (size_t k = 0; k < sc->nevents; k++) {
        const report_event *e = &sc->events[order[k]];
        buf_puts(b, "<tr><td>");
        html_text(b, e->date);
        if (e->once) {
            buf_puts(b, " (");
            html_month_year(b, e->sort_year);
            buf_puts(b, ")");
        }
        buf_puts(b, "</td><td>");
        html_text(b, e->type);
        buf_puts(b, "</td><td>");
        html_text(b, e->actors);
        buf_puts(b, "</td><td>");
        html_text(b, e->note);
        buf_puts(b, "</td></tr>\n");
    }
    buf_puts(b, "</tbody></table></div>\n");
    free(order);
}

/* A scenario text the report shows: from a folder, or from a folder a
 * compare.tsv names.  Sources with the same text form one group. */
typedef struct {
    const char *dir;           /* the folder (borrowed) */
    const char *label;         /* how the page names it (borrowed) */
    const char *text;          /* scenario.cfg text (borrowed) */
    const report_scenario *sc; /* borrowed */
    size_t group;              /* index of the first source with this text */
} source;

/* Two sources whose settings the page compares: a comparison's A and one
 * of its other folders (cmp its folder), or the first scenario and one no
 * comparison covers (cmp NULL). */
typedef struct {
    size_t a, x;
    const char *cmp;
} source_pair;

typedef struct {
    source *v;
    size_t n;
    source_pair *pairs;
    size_t npairs;
    char **texts;            /* loaded here, owned */
    report_scenario *scs;    /* loaded here, owned */
    char **labels;           /* owned */
    size_t nown;
    buf missing;             /* compared folders that could not be read */
} sources;

static void sources_clear(sources *s)
{
    for (size_t i = 0; i < s->nown; i++) {
        free(s->texts[i]);
        free(s->labels[i]);
        report_scenario_clear(&s->scs[i]);
    }
    free(s->texts);
    free(s->labels);
    free(s->scs);
    free(s->v);
    free(s->pairs);
    buf_clear(&s->missing);
    memset(s, 0, sizeof *s);
}

/* Whether two paths name the same folder (the same device and inode). */
static int same_folder(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static size_t add_source(sources *s, const char *dir, const char *label, const char *text,
                         const report_scenario *sc)
{
    source *src = &s->v[s->n];
    src->dir = dir;
    src->label = label;
    src->text = text;
    src->sc = sc;
    src->group = s->n;
    for (size_t j = 0; j < s->n; j++)
        if (strcmp(s->v[j].text, text) == 0) {
            src->group = s->v[j].group;
            break;
        }
    return s->n++;
}

/* Adds the pair (a, x) unless one with the same two groups is there, or
 * the two have the same settings. */
static void add_pair(sources *s, size_t a, size_t x, const char *cmp)
{
    size_t ga = s->v[a].group, gx = s->v[x].group;
    if (ga == gx)
        return;
    for (size_t i = 0; i < s->npairs; i++)
        if (s->v[s->pairs[i].a].group == ga && s->v[s->pairs[i].x].group == gx)
            return;
    s->pairs[s->npairs++] = (source_pair){a, x, cmp};
}

/* The scenario of folder dir, named by compare folder f as letter x: a
 * source already known, or one loaded now; -1 when it cannot be read. */
static long compared_source(page *pg, sources *s, const rf_folder *f, char x, const char *dir)
{
    for (size_t j = 0; j < s->n; j++)
        if (same_folder(s->v[j].dir, dir))
            return (long)j;
    buf path = {0};
    buf_printf(&path, "%s/scenario.cfg", dir);
    char *text = path.failed ? NULL : io_read_file(buf_str(&path), NULL);
    if (!text) {
        buf_printf(&s->missing, "%s<code>", s->missing.len ? ", " : "");
        html_text(&s->missing, dir);
        buf_puts(&s->missing, "</code>");
        buf_clear(&path);
        return -1;
    }
    size_t k = s->nown++;
    s->texts[k] = text;
    char msg[4096] = "";
    int rc = pg->o->scenarios.load(pg->o->scenarios.ctx, buf_str(&path), &s->scs[k], msg, sizeof msg);
    buf_clear(&path);
    if (rc != AS_OK) {
        page_fail(pg, rc, "%s", msg);
        return -1;
    }
    buf lab = {0};
    buf_printf(&lab, "%s (%c of %s)", dir, x, f->path);
    s->labels[k] = buf_take(&lab);
    if (!s->labels[k]) {
        page_fail(pg, AS_ENOMEM, "out of memory");
        return -1;
    }
    return (long)add_source(s, dir, s->labels[k], text, &s->scs[k]);
}

static void gather_sources(page *pg, sources *s)
{
    size_t cap = pg->nf;
    for (size_t i = 0; i < pg->nf; i++)
        if (pg->fs[i].f.kind == RF_COMPARE)
            cap += 26;
    s->v = calloc(cap ? cap : 1, sizeof *s->v);
    s->pairs = calloc(cap ? cap : 1, sizeof *s->pairs);
    s->texts = calloc(cap ? cap : 1, sizeof *s->texts);
    s->labels = calloc(cap ? cap : 1, sizeof *s->labels);
    s->scs = calloc(cap ? cap : 1, sizeof *s->scs);
    if (!s->v || !s->pairs || !s->texts || !s->labels || !s->scs) {
        page_fail(pg, AS_ENOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < pg->nf; i++)
        if (pg->fs[i].has_sc)
            add_source(s, pg->fs[i].f.path, pg->fs[i].f.path, pg->fs[i].f.scenario_cfg, &pg->fs[i].sc);
    /* Each comparison's folders, its A against each of the others. */
    for (size_t i = 0; i < pg->nf && pg->rc == AS_OK; i++) {
        const rf_folder *f = &pg->fs[i].f;
        if (f->kind != RF_COMPARE)
            continue;
        long a = -1;
        for (char x = 'A'; x <= 'Z' && pg->rc == AS_OK; x++) {
            char key[16];
            snprintf(key, sizeof key, "folder_%c", x);
            const char *dir = tsv_prov(f->t[RT_COMPARE], key);
            if (!dir)
                break;
            long k = compared_source(pg, s, f, x, dir);
            if (x == 'A')
                a = k;
            else if (a >= 0 && k >= 0)
                add_pair(s, (size_t)a, (size_t)k, f->path);
        }
    }
    /* Every other scenario no comparison covers, against the first. */
    for (size_t g = 1; g < s->n; g++) {
        if (s->v[g].group != g || s->v[g].group == s->v[0].group)
            continue;
        int covered = 0;
        for (size_t i = 0; i < s->npairs && !covered; i++)
            covered = s->v[s->pairs[i].a].group == g || s->v[s->pairs[i].x].group == g;
        if (!covered)
            add_pair(s, 0, g, NULL);
    }
}

/* The table of the settings that differ between sources a and x. */
static void pair_table(page *pg, const sources *s, const source_pair *p)
{
    buf *b = &pg->body;
    const source *a = &s->v[p->a], *x = &s->v[p->x];
    char *d = pg->o->scenarios.diff(pg->o->scenarios.ctx, a->text, x->text);
    if (!d) {
        page_fail(pg, AS_ENOMEM, "out of memory");
        return;
    }
    buf_puts(b, "<h3>Settings that differ: ");
    html_text(b, a->sc->name);
    buf_puts(b, " (A) and ");
    html_text(b, x->sc->name);
    buf_puts(b, " (B)</h3>\n<p>");
    if (p->cmp) {
        buf_puts(b, "Compared in <code>");
        html_text(b, p->cmp);
        buf_puts(b, "</code>: ");
    }
    buf_puts(b, "A is <code>");
    html_text(b, a->label);
    buf_puts(b, "</code>, B is <code>");
    html_text(b, x->label);
    buf_puts(b, "</code>");
    for (size_t j = 0; j < s->n; j++)
        if (j != p->x && s->v[j].group == x->group) {
            buf_puts(b, " (the same scenario as <code>");
            html_text(b, s->v[j].label);
            buf_puts(b, "</code>)");
        }
    buf_puts(b, ". Everything not listed is the same in both, events included.</p>\n");
    if (!*d) {
        buf_puts(b, "<p>None: the scenarios have the same settings.</p>\n");
    } else {
        buf_puts(b, "<div class=\"scroll\"><table>\n<caption>Settings that differ</caption>\n<thead><tr>"
                    "<th scope=\"col\">Setting</th><th scope=\"col\">A: ");
        html_text(b, a->sc->name);
        buf_puts(b, "</th><th scope=\"col\">B: ");
        html_text(b, x->sc->name);
        buf_puts(b, "</th></tr></thead>\n<tbody>\n");
        for (const char *line = d; *line;) {
            size_t n = strcspn(line, "\n");
            diff_row(b, line, n);
            line += n + (line[n] == '\n');
        }
        buf_puts(b, "</tbody></table></div>\n");
    }
    free(d);
}

static void section_scenario(page *pg)
{
    sources s = {0};
    gather_sources(pg, &s);
    int any_compare = first_of(pg, RF_COMPARE) != NULL;
    if (pg->rc != AS_OK || (s.n == 0 && !any_compare)) {
        sources_clear(&s);
        return;
    }
    page_section(pg, "scenario", "The scenario");
    buf *b = &pg->body;

    /* Every folder and its scenario. */
    buf_puts(b, "<div class=\"scroll\"><table>\n<caption>The folders and their scenarios</caption>\n"
                "<thead><tr><th scope=\"col\">Folder</th><th scope=\"col\">Scenario</th>"
                "<th scope=\"col\">Description</th><th scope=\"col\">Seed</th>"
                "<th scope=\"col\">Replications</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < pg->nf; i++) {
        const rp_folder *f = &pg->fs[i];
        buf_puts(b, "<tr><th scope=\"row\">");
        page_folder_name(b, &f->f);
        buf_puts(b, "</th><td>");
        put_scenario_name(b, f);
        buf_puts(b, "</td><td>");
        if (f->has_sc)
            html_text(b, f->sc.description);
        const char *seed = main_prov(&f->f, "seed");
        if (!seed)
            seed = main_prov(&f->f, "scenario_seed");
        buf_puts(b, "</td><td class=\"num\">");
        html_text(b, seed ? seed : "");
        buf_puts(b, "</td><td class=\"num\">");
        put_reps(b, &f->f);
        buf_puts(b, "</td></tr>\n");
    }
    buf_puts(b, "</tbody></table></div>\n");

    /* The first scenario's events; the others by their differences. */
    if (s.n > 0) {
        const source *first = &s.v[0];
        buf_puts(b, "<h3>Scenario ");
        html_text(b, first->sc->name);
        buf_puts(b, "</h3>\n");
        if (*first->sc->description) {
            buf_puts(b, "<p>");
            html_text(b, first->sc->description);
            buf_puts(b, "</p>\n");
        }
        buf_puts(b, "<p>From ");
        html_fixed(b, first->sc->start, 2);
        buf_puts(b, " (");
        html_month_year(b, first->sc->start);
        buf_puts(b, ") to ");
        html_fixed(b, first->sc->horizon, 2);
        buf_puts(b, "; as <code>");
        html_text(b, first->label);
        buf_puts(b, "/scenario.cfg</code> holds it.</p>\n");
        events_table(pg, first->sc);
        for (size_t i = 0; i < s.npairs && pg->rc == AS_OK; i++)
            pair_table(pg, &s, &s.pairs[i]);
    }
    if (s.missing.len) {
        buf_puts(b, "<p class=\"note\">The settings of the compared folders ");
        buf_puts(b, buf_str(&s.missing));
        buf_puts(b, " are not shown: those folders were not found where compare.tsv says they were. Add "
                    "them to the report's folders to list the settings that differ.</p>\n");
    }
    page_section_end(pg);
    sources_clear(&s);
}

static void section_provenance(page *pg)
{
    page_section(pg, "provenance", "Provenance");
    buf *b = &pg->body;
    buf_puts(b, "<div class=\"scroll\"><table>\n<caption>Where every number comes from</caption>\n<thead><tr>"
                "<th scope=\"col\">Folder</th><th scope=\"col\">Program</th><th scope=\"col\">Command</th>"
                "<th scope=\"col\">Scenario</th><th scope=\"col\">Seed</th><th scope=\"col\">Replications</th>"
                "<th scope=\"col\">Overrides</th><th scope=\"col\">Written</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < pg->nf; i++) {
        const rp_folder *f = &pg->fs[i];
        const char *cmd = main_prov(&f->f, "command");
        const char *seed = main_prov(&f->f, "seed");
        const char *ov = main_prov(&f->f, "overrides");
        buf_puts(b, "<tr><th scope=\"row\"><code>");
        html_text(b, f->f.path);
        buf_puts(b, "</code></th><td>");
        html_text(b, f->f.version);
        buf_puts(b, "</td><td>");
        html_text(b, cmd ? cmd : rf_kind_name(f->f.kind));
        buf_puts(b, "</td><td>");
        put_scenario_name(b, f);
        buf_puts(b, "</td><td class=\"num\">");
        html_text(b, seed ? seed : main_prov(&f->f, "scenario_seed"));
        buf_puts(b, "</td><td class=\"num\">");
        put_reps(b, &f->f);
        buf_puts(b, "</td><td>");
        html_text(b, ov ? ov : "");
        buf_puts(b, "</td><td>");
        html_utc(b, (long long)f->f.written);
        buf_puts(b, "</td></tr>\n");
    }
    buf_puts(b, "</tbody></table></div>\n<p>This report: alignsim ");
    html_text(b, pg->o->version);
    buf_puts(b, ", ");
    html_utc(b, pg->o->now);
    if (pg->o->command_line && *pg->o->command_line) {
        buf_puts(b, ", <code>");
        html_text(b, pg->o->command_line);
        buf_puts(b, "</code>");
    }
    buf_puts(b, ". The figures were drawn from the folders' tables by the gnuplot scripts in "
                "<code>analysis/</code>; the dates written are the times the tables were last written.</p>\n");
    page_section_end(pg);
}

/* ------------------------------------------------------------------ */
/* The page                                                           */
/* ------------------------------------------------------------------ */

/* The title: the user's, or the scenarios' names. */
static void page_title(const page *pg, buf *t)
{
    if (pg->o->title && *pg->o->title) {
        buf_puts(t, pg->o->title);
        return;
    }
    buf_puts(t, "alignsim: ");
    size_t shown = 0;
    for (size_t i = 0; i < pg->nf; i++) {
        const char *name = scenario_name(&pg->fs[i]);
        if (!*name)
            continue;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(scenario_name(&pg->fs[j]), name) == 0;
        if (seen)
            continue;
        if (shown == 3) {
            buf_puts(t, " and more");
            break;
        }
        buf_printf(t, "%s%s", shown ? " vs " : "", name);
        shown++;
    }
    if (!shown)
        buf_puts(t, "results");
}

static void assemble(const page *pg, const buf *body, buf *html)
{
    char style_hash[SHA256_BASE64_SIZE], script_hash[SHA256_BASE64_SIZE];
    sha256_base64(style_sheet, style_hash);
    sha256_base64(key_script, script_hash);
    buf title = {0};
    page_title(pg, &title);

    buf_puts(html, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    buf_printf(html,
               "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
               "style-src 'sha256-%s'; script-src 'sha256-%s'; base-uri 'none'; form-action 'none'\">\n",
               style_hash, script_hash);
    buf_puts(html, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    buf_puts(html, "<meta name=\"generator\" content=\"alignsim ");
    html_text(html, pg->o->version);
    buf_puts(html, "\">\n<title>");
    html_text(html, buf_str(&title));
    buf_puts(html, "</title>\n<style>");
    buf_puts(html, style_sheet);
    buf_puts(html, "</style>\n</head>\n<body>\n<header>\n<h1>");
    html_text(html, buf_str(&title));
    buf_printf(html, "</h1>\n<p class=\"sub\">The seminar report of %zu result folder%s, written by alignsim ",
               pg->nf, pg->nf == 1 ? "" : "s");
    html_text(html, pg->o->version);
    buf_puts(html, " on ");
    html_utc(html, pg->o->now);
    buf_puts(html, ".</p>\n</header>\n"
                   "<div class=\"controls\"><input type=\"checkbox\" id=\"projector\">"
                   "<label for=\"projector\">Projector mode</label>: large type, one section per screen "
                   "(P switches it; Left/Right, Page Up/Page Down move between sections).</div>\n"
                   "<nav aria-label=\"Contents\"><ol>\n");
    buf_puts(html, buf_str(&pg->nav));
    buf_puts(html, "</ol></nav>\n<main>\n");
    buf_puts(html, buf_str(body));
    buf_puts(html, "</main>\n<script>");
    buf_puts(html, key_script);
    buf_puts(html, "</script>\n</body>\n</html>\n");
    if (title.failed)
        html->failed = 1;
    buf_clear(&title);
}

/* Creates the folder of path, if it has one. */
static int make_parent(const char *path, char *err, size_t errlen)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return AS_OK;
    buf dir = {0};
    buf_append(&dir, path, (size_t)(slash - path));
    if (dir.failed)
        return AS_ENOMEM;
    char msg[1024];
    int rc = io_mkdir_p(buf_str(&dir), msg, sizeof msg) == AS_OK ? AS_OK : AS_EIO;
    if (rc != AS_OK)
        snprintf(err, errlen, "%s: error: cannot create the folder of the report: %s", path, msg);
    buf_clear(&dir);
    return rc;
}

int report_write(const report_options *o, report_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    if (err && errlen)
        err[0] = '\0';
    page pg = {0};
    pg.o = o;
    pg.err = err;
    pg.errlen = errlen;
    buf html = {0}, body = {0};
    pg.fs = calloc(o->ndirs ? o->ndirs : 1, sizeof *pg.fs);
    if (!pg.fs) {
        page_fail(&pg, AS_ENOMEM, "out of memory");
        goto done;
    }
    /* Everything is read and checked before anything is drawn. */
    for (size_t i = 0; i < o->ndirs; i++) {
        int rc = rf_read(o->dirs[i], &pg.fs[i].f, err, errlen);
        if (rc != AS_OK) {
            pg.rc = rc;
            goto done;
        }
        pg.nf++;
    }
    const rf_folder **all = malloc(pg.nf * sizeof *all);
    if (!all) {
        page_fail(&pg, AS_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < pg.nf; i++)
        all[i] = &pg.fs[i].f;
    int rc = rf_check_versions(all, pg.nf, err, errlen);
    free(all);
    if (rc != AS_OK) {
        pg.rc = rc;
        goto done;
    }
    for (size_t i = 0; i < pg.nf; i++) {
        rp_folder *f = &pg.fs[i];
        double horizon = NAN;
        if (f->f.scenario_cfg) {
            buf path = {0};
            buf_printf(&path, "%s/scenario.cfg", f->f.path);
            if (path.failed) {
                page_fail(&pg, AS_ENOMEM, "out of memory");
                goto done;
            }
            rc = o->scenarios.load(o->scenarios.ctx, buf_str(&path), &f->sc, err, errlen);
            buf_clear(&path);
            if (rc != AS_OK) {
                pg.rc = rc;
                goto done;
            }
            f->has_sc = 1;
            horizon = f->sc.horizon;
        }
        if ((rc = rf_check_years(&f->f, horizon, err, errlen)) != AS_OK) {
            pg.rc = rc;
            goto done;
        }
    }

    pg.pl = plotter_alloc(o->gnuplot, o->analysis_dir, err, errlen);
    if (!pg.pl) {
        pg.rc = AS_ERUNTIME;
        goto done;
    }
    section_question(&pg);
    section_scenario(&pg);
    section_replay(&pg);
    section_fans(&pg);
    section_claim(&pg);
    section_compare(&pg);
    section_sweep(&pg);
    section_sensitivity(&pg);
    section_calibrate(&pg);
    section_infer(&pg);
    section_provenance(&pg);
    if (pg.body.failed || pg.nav.failed)
        page_fail(&pg, AS_ENOMEM, "out of memory");
    if (pg.rc != AS_OK)
        goto done;
    rc = plotter_run(pg.pl, o->jobs ? o->jobs : 1, o->interrupt, err, errlen);
    if (rc == AS_ESTOPPED || (rc == AS_OK && o->interrupt && *o->interrupt)) {
        page_fail(&pg, AS_ESTOPPED, "alignsim report: stopped: no report written (the temporary figures are removed)");
        goto done;
    }
    if (rc != AS_OK) {
        pg.rc = rc;
        goto done;
    }
    expand_figures(&pg, &body);
    if (body.failed)
        page_fail(&pg, AS_ENOMEM, "out of memory");
    if (pg.rc != AS_OK)
        goto done;

    assemble(&pg, &body, &html);
    if (html.failed) {
        page_fail(&pg, AS_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = make_parent(o->out_path, err, errlen)) != AS_OK) {
        pg.rc = rc;
        goto done;
    }
    char msg[1024];
    if (io_write_file_atomic(o->out_path, html.data, html.len, msg, sizeof msg) != AS_OK) {
        page_fail(&pg, AS_EIO, "%s: error: cannot write the report: %s", o->out_path, msg);
        goto done;
    }
    res->nsections = pg.nsections;
    res->nfigures = pg.nfigures;
    res->bytes = html.len;
done:
    if (pg.pl) {
        size_t n = strlen(plotter_warnings(pg.pl)) + 1;
        res->warnings = malloc(n);
        if (res->warnings)
            memcpy(res->warnings, plotter_warnings(pg.pl), n);
    }
    plotter_free(pg.pl);
    for (size_t i = 0; pg.fs && i < o->ndirs; i++) {
        rf_clear(&pg.fs[i].f);
        report_scenario_clear(&pg.fs[i].sc);
    }
    free(pg.fs);
    for (size_t i = 0; i < pg.nfigures; i++) {
        free(pg.fig_title[i]);
        free(pg.fig_alt[i]);
        free(pg.fig_where[i]);
    }
    free(pg.fig_title);
    free(pg.fig_alt);
    free(pg.fig_where);
    buf_clear(&pg.body);
    buf_clear(&pg.nav);
    buf_clear(&body);
    buf_clear(&html);
    return pg.rc;
}

void report_result_clear(report_result *res)
{
    free(res->warnings);
    memset(res, 0, sizeof *res);
}
