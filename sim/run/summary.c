/*
 * summary - summary.tsv and milestones.tsv of a batch folder (see
 * summary.h).  The provenance is the caller's, extended by the resolution
 * of the statistics, in a list sized from the caller's.
 */
#include "run/summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"

size_t summary_years(const model_spec *spec)
{
    return (size_t)(floor(spec->horizon) - floor(spec->start) + 1);
}

int summary_first_year(const model_spec *spec)
{
    return (int)floor(spec->start);
}

/* Opens dir/name with the provenance prov followed by extra.  NULL with a
 * message in err. */
static tsv_writer *open_table(const char *dir, const char *name, const io_kv *prov, size_t nprov,
                              const io_kv *extra, size_t nextra, const char *const *cols, size_t ncol, char *err,
                              size_t errlen)
{
    io_kv *all = malloc((nprov + nextra) * sizeof *all);
    char *path = io_join(dir, name);
    tsv_writer *w = NULL;
    if (!all || !path) {
        snprintf(err, errlen, "out of memory");
    } else {
        memcpy(all, prov, nprov * sizeof *all);
        memcpy(all + nprov, extra, nextra * sizeof *all);
        w = tsv_open(path, all, nprov + nextra, cols, ncol, err, errlen);
    }
    free(all);
    free(path);
    return w;
}

void summary_target_head(tsv_writer *w, const model_spec *spec, size_t i)
{
    const spec_target *t = &spec->targets[i];
    char name[2 * SPEC_ID_LEN + 2];
    model_spec_dyad_name(spec, t->a, t->b, name, sizeof name);
    tsv_str(w, name);
    tsv_fixed(w, t->year, 2);
    if (t->kind == TARGET_COMMIT_START || t->kind == TARGET_COMMIT_END)
        tsv_na(w);
    else
        tsv_int(w, t->label);
}

void summary_target_tail(tsv_writer *w, const model_spec *spec, size_t i)
{
    const spec_target *t = &spec->targets[i];
    tsv_str(w, spec_target_kind_name(t->kind));
    if (t->kind == TARGET_COMMIT_START || t->kind == TARGET_COMMIT_END) {
        char cbuf[64];
        spec_commitments_format(t->commitment, cbuf, sizeof cbuf);
        tsv_str(w, cbuf);
    } else {
        tsv_na(w);
    }
    tsv_str(w, t->note);
}

int summary_write(const model_spec *spec, const stats_cells *cells, const char *dir, const io_kv *prov,
                  size_t nprov, char *err, size_t errlen)
{
    static const char *const cols[] = {"year", "dyad", "mean", "sd", "ci_lo", "ci_hi",
                                       "q05", "q50", "q95", "p_alliance"};
    char width[TSV_DOUBLE_BUFSIZE], conf[TSV_DOUBLE_BUFSIZE];
    tsv_format_double(width, sizeof width, stats_cells_bin_width(cells));
    tsv_format_double(conf, sizeof conf, SUMMARY_CONFIDENCE);
    io_kv extra[] = {{"quantile_bin_width", width}, {"confidence", conf}};
    tsv_writer *w = open_table(dir, "summary.tsv", prov, nprov, extra, 2, cols, 10, err, errlen);
    if (!w)
        return AS_EIO;
    size_t nd = spec_ndyads(spec->nactors), ny = summary_years(spec);
    int first = summary_first_year(spec);
    for (size_t y = 0; y < ny; y++) {
        for (int a = 0; a < spec->nactors; a++)
            for (int b = a + 1; b < spec->nactors; b++) {
                size_t d = spec_dyad_index(spec->nactors, a, b), cell = y * nd + d;
                stats_summary s;
                if (stats_cells_summary(cells, cell, SUMMARY_CONFIDENCE, &s) == AS_EUSAGE) {
                    tsv_abort(w);
                    snprintf(err, errlen, "%s/summary.tsv: cannot summarise cell %zu", dir, cell);
                    return AS_ERUNTIME;
                }
                if (s.n == 0)
                    continue;
                char name[2 * SPEC_ID_LEN + 2];
                model_spec_dyad_name(spec, a, b, name, sizeof name);
                tsv_int(w, first + (int64_t)y);
                tsv_str(w, name);
                tsv_double(w, s.mean);
                tsv_double(w, s.sd);
                tsv_double(w, s.ci_lo);
                tsv_double(w, s.ci_hi);
                tsv_double(w, s.q05);
                tsv_double(w, s.q50);
                tsv_double(w, s.q95);
                tsv_double(w, s.p_flag);
                tsv_end_row(w);
            }
    }
    return tsv_commit(w, err, errlen) == AS_OK ? AS_OK : AS_EIO;
}

int summary_write_milestones(const model_spec *spec, const msacc *ms, const char *dir, const io_kv *prov,
                             size_t nprov, char *err, size_t errlen)
{
    static const char *const cols[] = {"dyad", "target_year", "target_label", "sim_year", "error_years", "reached",
                                       "within1", "within2", "kind", "commitment", "note"};
    char res[TSV_DOUBLE_BUFSIZE];
    tsv_format_double(res, sizeof res, MSACC_STEP_YEARS);
    io_kv extra[] = {{"median_resolution_years", res}};
    tsv_writer *w = open_table(dir, "milestones.tsv", prov, nprov, extra, 1, cols, 11, err, errlen);
    if (!w)
        return AS_EIO;
    for (size_t i = 0; i < spec->ntargets; i++) {
        msacc_result r = msacc_get(ms, i);
        summary_target_head(w, spec, i);
        tsv_double(w, r.sim_year);
        tsv_double(w, r.error_years);
        tsv_double(w, r.reached);
        tsv_double(w, r.within1);
        tsv_double(w, r.within2);
        summary_target_tail(w, spec, i);
        tsv_end_row(w);
    }
    return tsv_commit(w, err, errlen) == AS_OK ? AS_OK : AS_EIO;
}
