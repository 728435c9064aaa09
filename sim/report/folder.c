/*
 * report/folder - reading and checking result folders (see folder.h).
 *
 * The tables of each kind and the columns the report reads are listed once,
 * in the two tables below; everything else follows from them.
 */
#include "report/folder.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/status.h"
#include "report/util.h"
#include "io/atomic.h"
#include "io/folder.h"

/* The file of each table and the columns the report needs in it. */
static const struct {
    const char *file;
    const char *columns[11];
} tables[RT_COUNT] = {
    [RT_TRAJECTORY] = {"trajectory.tsv", {"year", "dyad", "x", "label", "label_name", "commitment"}},
    [RT_EVENTS] = {"events.tsv", {"time", "type", "actors", "detail"}},
    [RT_MILESTONES] = {"milestones.tsv", {"dyad", "target_year", "target_label", "sim_year", "error_years"}},
    [RT_LADDER] = {"ladder.tsv", {"label", "label_name", "x_min"}},
    [RT_SUMMARY] = {"summary.tsv",
                    {"year", "dyad", "mean", "sd", "ci_lo", "ci_hi", "q05", "q50", "q95", "p_alliance"}},
    [RT_REPLICATIONS] = {"replications.tsv", {"rep", "seed", "alliance_year", "reversal"}},
    [RT_CLAIM] = {"claim.tsv", {"condition", "reps", "p_alliance", "ci_lo", "ci_hi", "bound", "holds"}},
    [RT_CURVE] = {"claim_curve.tsv", {"strength", "reps", "p_alliance", "ci_lo", "ci_hi"}},
    [RT_COMPARE] = {"compare.tsv", {"year", "dyad", "mean_A", "mean_B", "diff", "ci_lo", "ci_hi"}},
    [RT_SWEEP] = {"sweep.tsv", {"point", "seed", "reps", "p_alliance", "ci_lo", "ci_hi"}},
    [RT_SENSITIVITY] = {"sensitivity.tsv", {"output", "parameter", "S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi"}},
    [RT_CALIBRATION] = {"calibration.tsv", {"start", "iteration", "evaluations", "loss"}},
    [RT_FIT] = {"fit.tsv", {"dyad", "target_year", "target_label", "fitted_median", "error_median", "within2"}},
    [RT_POSTERIOR] = {"posterior.tsv", {"particle", "weight"}},
    [RT_GENERATIONS] = {"generations.tsv", {"generation", "tolerance", "acceptance", "ess", "simulations"}},
    [RT_MODELS] = {"models.tsv", {"model", "scenario", "probability", "ci_lo", "ci_hi"}},
    [RT_PREDICTIVE] = {"predictive.tsv", {"dyad", "target_year", "median", "lo90", "hi90", "inside"}},
};

/* What each kind of folder holds: its defining table first, then the
 * other required tables; optional tables are read when present.  Lists end
 * at RT_COUNT. */
static const struct {
    const char *name;
    rf_table required[4];
    rf_table optional[4];
    int needs_scenario;
    int needs_verdict;
} kinds[RF_KIND_COUNT] = {
    [RF_RUN] = {"run", {RT_TRAJECTORY, RT_EVENTS, RT_MILESTONES, RT_COUNT}, {RT_LADDER, RT_COUNT}, 1, 0},
    [RF_BATCH] = {"batch", {RT_SUMMARY, RT_REPLICATIONS, RT_MILESTONES, RT_COUNT}, {RT_LADDER, RT_COUNT}, 1, 0},
    [RF_CLAIM] = {"claim", {RT_CLAIM, RT_CURVE, RT_COUNT}, {RT_SUMMARY, RT_MILESTONES, RT_LADDER, RT_COUNT}, 1, 1},
    [RF_COMPARE] = {"compare", {RT_COMPARE, RT_COUNT}, {RT_COUNT}, 0, 0},
    [RF_SWEEP] = {"sweep", {RT_SWEEP, RT_COUNT}, {RT_COUNT}, 1, 0},
    [RF_SENSITIVITY] = {"sensitivity", {RT_SENSITIVITY, RT_COUNT}, {RT_COUNT}, 1, 0},
    [RF_CALIBRATE] = {"calibrate", {RT_CALIBRATION, RT_FIT, RT_COUNT}, {RT_COUNT}, 1, 0},
    /* posterior.tsv is in a model choice's per-model folders, not its top. */
    [RF_INFER] = {"infer", {RT_GENERATIONS, RT_COUNT}, {RT_POSTERIOR, RT_MODELS, RT_PREDICTIVE, RT_COUNT}, 0, 0},
};


/* The checkpoint an interrupted batch leaves (run/batch.h, BATCH_CKPT_FILE). */
#define BATCH_CHECKPOINT ".batch.ckpt"

const char *rf_kind_name(rf_kind k)
{
    return (unsigned)k < RF_KIND_COUNT ? kinds[k].name : "?";
}

const char *rf_table_file(rf_table t)
{
    return (unsigned)t < RT_COUNT ? tables[t].file : "?";
}

rf_table rf_main_table(rf_kind k)
{
    return (unsigned)k < RF_KIND_COUNT ? kinds[k].required[0] : RT_COUNT;
}

/* dir/name as a new heap string, or NULL. */
static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* 1 if the file's last byte is a newline, 0 if not (or it is empty), -1
 * when it cannot be read. */
static int ends_with_newline(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    int r = 0;
    if (fseek(f, -1, SEEK_END) == 0)
        r = fgetc(f) == '\n';
    fclose(f);
    return r;
}

/*
 * Reads table t of folder f and checks it: complete last line, provenance
 * of the program, the needed columns.
 */
static int read_table(rf_folder *f, rf_table t, char *err, size_t errlen)
{
    int rc = AS_OK;
    char *path = join(f->path, tables[t].file);
    if (!path)
        return AS_ENOMEM;
    char msg[2048] = "";
    tsv_table *tab = tsv_read(path, msg, sizeof msg);
    if (!tab) {
        /* io/tsv reports content errors as PATH:LINE: error: ..., and
         * read errors as PATH: reason. */
        if (strstr(msg, ": error: ")) {
            report_errf(err, errlen, "%s", msg);
            rc = AS_EUSAGE;
        } else {
            report_errf(err, errlen, "%s: error: cannot read the table: %s", path, msg);
            rc = AS_EIO;
        }
        goto done;
    }
    f->t[t] = tab;
    int nl = ends_with_newline(path);
    if (nl < 0) {
        report_errf(err, errlen, "%s: error: cannot read the table: %s", path, strerror(errno));
        rc = AS_EIO;
        goto done;
    }
    if (!nl) {
        report_errf(err, errlen,
                "%s: error: truncated: the last line has no newline (the file was cut while being written or "
                "copied); write the folder again",
                path);
        rc = AS_EUSAGE;
        goto done;
    }
    const char *program = tsv_prov(tab, "program");
    if (!program || strncmp(program, "alignsim ", 9) != 0) {
        report_errf(err, errlen, "%s: error: no '# program: alignsim ...' line: not a table written by alignsim", path);
        rc = AS_EUSAGE;
        goto done;
    }
    for (size_t c = 0; c < sizeof tables[t].columns / sizeof tables[t].columns[0] && tables[t].columns[c]; c++) {
        if (tsv_column(tab, tables[t].columns[c]) < 0) {
            report_errf(err, errlen, "%s: error: no column '%s' (this report reads %s's columns as alignsim %s writes them)",
                    path, tables[t].columns[c], tables[t].file, ALIGNSIM_VERSION);
            rc = AS_EUSAGE;
            goto done;
        }
    }
done:
    free(path);
    return rc;
}

/* Reads the tables of list (ending at RT_COUNT): each must be there when
 * required, else it is read when present. */
static int read_tables(rf_folder *f, const rf_table *list, int required, char *err, size_t errlen)
{
    for (size_t i = 0; list[i] != RT_COUNT; i++) {
        rf_table t = list[i];
        char *p = join(f->path, tables[t].file);
        if (!p)
            return AS_ENOMEM;
        int present = is_file(p);
        free(p);
        if (!present && required) {
            report_errf(err, errlen, "%s/%s: error: missing: a %s folder holds %s; the folder is incomplete",
                        f->path, tables[t].file, kinds[f->kind].name, tables[t].file);
            return AS_EUSAGE;
        }
        int rc = present ? read_table(f, t, err, errlen) : AS_OK;
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}

/* A whole text file of the folder into *out; missing is an error when
 * required.  Returns AS_OK, AS_EUSAGE (missing and required), AS_EIO. */
static int read_text(const rf_folder *f, const char *name, int required, char **out, char *err, size_t errlen)
{
    char *path = join(f->path, name);
    if (!path)
        return AS_ENOMEM;
    int rc = AS_OK;
    if (!is_file(path)) {
        if (required) {
            report_errf(err, errlen, "%s: error: missing: a %s folder holds %s; the folder is incomplete", path,
                    kinds[f->kind].name, name);
            rc = AS_EUSAGE;
        }
        goto done;
    }
    *out = io_read_file(path, NULL);
    if (!*out) {
        report_errf(err, errlen, "%s: error: cannot read: %s", path, strerror(errno));
        rc = errno == ENOMEM ? AS_ENOMEM : AS_EIO;
    }
done:
    free(path);
    return rc;
}

/* The provenance value key of table t as a count; -1 when absent or not a
 * whole number. */
static long long prov_count(const tsv_table *t, const char *key)
{
    const char *v = tsv_prov(t, key);
    if (!v || !*v)
        return -1;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    return errno || *end || n < 0 ? -1 : n;
}

/* The checks that involve the row count of a table. */
static int check_counts(const rf_folder *f, char *err, size_t errlen)
{
    const tsv_table *r = f->t[RT_REPLICATIONS];
    if (r) {
        long long want = prov_count(r, "replications");
        if (want >= 0 && (size_t)want != tsv_rows(r)) {
            report_errf(err, errlen, "%s: error: truncated: %zu rows, but the batch ran %lld replications",
                    tsv_path(r), tsv_rows(r), want);
            return AS_EUSAGE;
        }
    }
    const tsv_table *s = f->t[RT_SWEEP];
    if (s) {
        long long want = prov_count(s, "points");
        if (want >= 0 && (size_t)want != tsv_rows(s)) {
            report_errf(err, errlen, "%s: error: truncated: %zu rows, but the sweep has %lld points", tsv_path(s),
                    tsv_rows(s), want);
            return AS_EUSAGE;
        }
    }
    const tsv_table *c = f->t[RT_CLAIM];
    if (c) {
        static const char *const need[] = {"no_reversal", "reversal", "claim"};
        for (size_t k = 0; k < 3; k++) {
            size_t i = 0;
            while (i < tsv_rows(c) && strcmp(rf_str(c, i, "condition"), need[k]) != 0)
                i++;
            if (i == tsv_rows(c)) {
                report_errf(err, errlen, "%s: error: truncated: no row for the condition '%s'", tsv_path(c), need[k]);
                return AS_EUSAGE;
            }
        }
    }
    const tsv_table *p = f->t[RT_POSTERIOR];
    if (p) {
        double sum = 0.0;
        for (size_t i = 0; i < tsv_rows(p); i++)
            sum += rf_num(p, i, "weight");
        if (!(fabs(sum - 1.0) <= 1e-6)) {
            report_errf(err, errlen, "%s: error: the weights sum to %.17g, not 1: truncated or not a posterior",
                    tsv_path(p), sum);
            return AS_EUSAGE;
        }
    }
    for (rf_table t = 0; t < RT_COUNT; t++) {
        /* Tables of results have rows; events, milestones and fits may be
         * empty (a scenario without events or targets). */
        if (f->t[t] && tsv_rows(f->t[t]) == 0 && t != RT_EVENTS && t != RT_MILESTONES && t != RT_FIT) {
            report_errf(err, errlen, "%s: error: no rows: truncated or not written by a finished command",
                    tsv_path(f->t[t]));
            return AS_EUSAGE;
        }
    }
    return AS_OK;
}

int rf_read(const char *path, rf_folder *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    int rc = AS_OK;
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    f->path = malloc(n + 1);
    if (!f->path)
        return AS_ENOMEM;
    memcpy(f->path, path, n);
    f->path[n] = '\0';

    struct stat st;
    if (stat(f->path, &st) != 0) {
        report_errf(err, errlen, "%s: error: %s", f->path, strerror(errno));
        rc = errno == ENOENT || errno == ENOTDIR ? AS_EUSAGE : AS_EIO;
        goto fail;
    }
    if (!S_ISDIR(st.st_mode)) {
        report_errf(err, errlen, "%s: error: not a folder: give the result folders a command wrote", f->path);
        rc = AS_EUSAGE;
        goto fail;
    }
    char *ckpt = join(f->path, BATCH_CHECKPOINT);
    if (!ckpt) {
        rc = AS_ENOMEM;
        goto fail;
    }
    int interrupted = is_file(ckpt);
    free(ckpt);
    if (interrupted) {
        report_errf(err, errlen,
                "%s/" BATCH_CHECKPOINT ": error: the folder holds an interrupted batch; finish it with --resume "
                "before reporting on it",
                f->path);
        rc = AS_EUSAGE;
        goto fail;
    }

    /* The kind is decided by io/folder's markers, the one table of which
     * files define which command's folder (the same the writing commands
     * check before they write). */
    const char *kname = io_folder_kind(f->path, NULL);
    size_t k;
    for (k = 0; kname && k < RF_KIND_COUNT; k++)
        if (strcmp(kinds[k].name, kname) == 0)
            break;
    if (!kname || k == RF_KIND_COUNT) {
        report_errf(err, errlen,
                "%s: error: not an alignsim result folder: expected trajectory.tsv (run), summary.tsv (batch), "
                "claim.tsv (claim), compare.tsv (compare), sweep.tsv (sweep), sensitivity.tsv (sensitivity), "
                "calibration.tsv (calibrate) or generations.tsv (infer)",
                f->path);
        rc = AS_EUSAGE;
        goto fail;
    }
    f->kind = (rf_kind)k;
    char *main = join(f->path, tables[kinds[k].required[0]].file);
    if (!main) {
        rc = AS_ENOMEM;
        goto fail;
    }
    if (stat(main, &st) == 0)
        f->written = st.st_mtime;
    free(main);

    if ((rc = read_tables(f, kinds[f->kind].required, 1, err, errlen)) != AS_OK ||
        (rc = read_tables(f, kinds[f->kind].optional, 0, err, errlen)) != AS_OK)
        goto fail;
    f->version = tsv_prov(f->t[rf_main_table(f->kind)], "program");

    if ((rc = read_text(f, "scenario.cfg", kinds[f->kind].needs_scenario, &f->scenario_cfg, err, errlen)) != AS_OK)
        goto fail;
    if (kinds[f->kind].needs_verdict &&
        (rc = read_text(f, "verdict.txt", 1, &f->verdict, err, errlen)) != AS_OK)
        goto fail;
    if ((rc = check_counts(f, err, errlen)) != AS_OK)
        goto fail;
    return AS_OK;
fail:
    rf_clear(f);
    return rc;
}

void rf_clear(rf_folder *f)
{
    for (size_t t = 0; t < RT_COUNT; t++)
        tsv_free(f->t[t]);
    free(f->path);
    free(f->verdict);
    free(f->scenario_cfg);
    memset(f, 0, sizeof *f);
}

int rf_check_versions(const rf_folder *const *fs, size_t n, char *err, size_t errlen)
{
    const char *first = NULL, *first_path = NULL;
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < RT_COUNT; t++) {
            const tsv_table *tab = fs[i]->t[t];
            if (!tab)
                continue;
            const char *v = tsv_prov(tab, "program");
            if (!first) {
                first = v;
                first_path = tsv_path(tab);
            } else if (strcmp(v, first) != 0) {
                report_errf(err, errlen,
                        "%s: error: written by %s, but %s by %s; a report does not mix program versions: write "
                        "the folders again with one version",
                        tsv_path(tab), v, first_path, first);
                return AS_EUSAGE;
            }
        }
    return AS_OK;
}

int rf_check_years(const rf_folder *f, double horizon, char *err, size_t errlen)
{
    static const rf_table year_tables[] = {RT_TRAJECTORY, RT_SUMMARY};
    for (size_t k = 0; k < sizeof year_tables / sizeof year_tables[0]; k++) {
        const tsv_table *t = f->t[year_tables[k]];
        if (!t)
            continue;
        /* The last year of each dyad, in order of first appearance. */
        size_t nd = 0, cap = 0;
        const char **dyad = NULL;
        double *last = NULL;
        double max_year = -INFINITY;
        int rc = AS_OK;
        for (size_t r = 0; r < tsv_rows(t); r++) {
            const char *d = rf_str(t, r, "dyad");
            double y = rf_num(t, r, "year");
            if (isnan(y)) {
                report_errf(err, errlen, "%s:%zu: error: the year is not a number", tsv_path(t), tsv_row_line(t, r));
                rc = AS_EUSAGE;
                break;
            }
            size_t i = 0;
            while (i < nd && strcmp(dyad[i], d) != 0)
                i++;
            if (i == nd) {
                if (nd == cap) {
                    size_t nc = cap ? 2 * cap : 64;
                    const char **nd_ = realloc(dyad, nc * sizeof *dyad);
                    if (nd_)
                        dyad = nd_;
                    double *nl = nd_ ? realloc(last, nc * sizeof *last) : NULL;
                    if (!nd_ || !nl) {
                        rc = AS_ENOMEM;
                        break;
                    }
                    last = nl;
                    cap = nc;
                }
                dyad[nd++] = d;
                last[i] = y;
            }
            if (y > last[i])
                last[i] = y;
            if (y > max_year)
                max_year = y;
        }
        for (size_t i = 0; rc == AS_OK && i < nd; i++)
            if (last[i] != max_year) {
                report_errf(err, errlen,
                        "%s: error: truncated: the rows of %s end in %g, those of %s in %g (the file lost its "
                        "last lines)",
                        tsv_path(t), dyad[i], last[i], dyad[0], max_year);
                rc = AS_EUSAGE;
            }
        /* Samples are taken at mid-year, up to the horizon. */
        if (rc == AS_OK && !isnan(horizon) && max_year + 0.5 + 1.0 <= horizon) {
            report_errf(err, errlen,
                    "%s: error: truncated: the last year is %g, but the scenario runs to %g (the file lost its "
                    "last lines)",
                    tsv_path(t), max_year, horizon);
            rc = AS_EUSAGE;
        }
        free(dyad);
        free(last);
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}

double rf_num(const tsv_table *t, size_t row, const char *col)
{
    long c = tsv_column(t, col);
    if (c < 0)
        return NAN;
    const char *s = tsv_cell(t, row, (size_t)c);
    double v;
    if (!s || tsv_parse_double(s, &v) != 0)
        return NAN;
    return v;
}

const char *rf_str(const tsv_table *t, size_t row, const char *col)
{
    long c = tsv_column(t, col);
    const char *s = c < 0 ? NULL : tsv_cell(t, row, (size_t)c);
    return s ? s : "";
}

int rf_same_rows(const tsv_table *a, const tsv_table *b)
{
    if (!a || !b || tsv_rows(a) != tsv_rows(b) || tsv_cols(a) != tsv_cols(b))
        return 0;
    for (size_t c = 0; c < tsv_cols(a); c++)
        if (strcmp(tsv_colname(a, c), tsv_colname(b, c)) != 0)
            return 0;
    for (size_t r = 0; r < tsv_rows(a); r++)
        for (size_t c = 0; c < tsv_cols(a); c++)
            if (strcmp(tsv_cell(a, r, c), tsv_cell(b, r, c)) != 0)
                return 0;
    return 1;
}
