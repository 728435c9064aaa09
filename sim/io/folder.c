/*
 * io/folder - the kind and scenario of a result folder (see folder.h).
 */
#define _XOPEN_SOURCE 700
#include "io/folder.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/atomic.h"

/* A kind and its marker files (a name ending in '/' is a folder). */
typedef struct {
    const char *kind;
    const char *markers[6];
    const char *also;  /* another kind's marker this kind writes too, or NULL */
} kind_markers;

static const kind_markers kinds[] = {
    {"claim", {"claim.tsv", "claim_curve.tsv", "verdict.txt", "conditions/", NULL}, "summary.tsv"},
    {"compare", {"compare.tsv", NULL}, NULL},
    {"sweep", {"sweep.tsv", "sweep.cfg", ".sweep.journal", "points/", NULL}, NULL},
    {"sensitivity", {"sensitivity.tsv", "salib_problem.txt", "samples.tsv", ".sensitivity.journal", NULL}, NULL},
    {"calibrate", {"calibration.tsv", "fit.tsv", "calibrated.cfg", ".calibrate.journal", NULL}, NULL},
    {"infer", {"generations.tsv", "models.tsv", "predictive.tsv", NULL}, NULL},
    {"batch", {"summary.tsv", "replications.tsv", ".batch.ckpt", ".replications.tsv.partial", NULL}, NULL},
    {"run", {"trajectory.tsv", "events.tsv", NULL}, NULL},
};
enum { NKINDS = sizeof kinds / sizeof kinds[0] };

/* Result files several kinds write. */
static const char *const shared[] = {"scenario.cfg", "milestones.tsv", "ladder.tsv", "posterior.tsv", NULL};

/* Non-zero when the entry `name` of dir is the marker m (a file, or a
 * folder when m ends in '/'). */
static int is_marker(const char *dir, const char *name, const char *m)
{
    size_t n = strlen(m);
    int folder = n > 0 && m[n - 1] == '/';
    if (folder ? strncmp(name, m, n - 1) != 0 || name[n - 1] != '\0' : strcmp(name, m) != 0)
        return 0;
    if (!folder)
        return 1;
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* `batch --only` writes rep-N folders. */
static int is_rep_folder(const char *name)
{
    if (strncmp(name, "rep-", 4) != 0 || !name[4])
        return 0;
    for (const char *p = name + 4; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

const char *io_folder_kind(const char *dir, const char **marker)
{
    const char *found = NULL;
    size_t best = NKINDS;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        for (size_t k = 0; k < best; k++)
            for (size_t i = 0; kinds[k].markers[i]; i++)
                if (is_marker(dir, e->d_name, kinds[k].markers[i])) {
                    best = k;
                    found = kinds[k].markers[i];
                }
    closedir(d);
    if (marker)
        *marker = found;
    return best < NKINDS ? kinds[best].kind : NULL;
}

int io_scenario_name(const char *text, char *out, size_t len)
{
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, "name = \"", 8) != 0)
            continue;
        const char *v = p + 8, *end = strchr(v, '"');
        if (!end)
            return -1;
        snprintf(out, len, "%.*s", (int)(end - v), v);
        return 0;
    }
    return -1;
}

/* Marker of a kind other than `kind` found in dir, or NULL. */
static const char *other_kind(const char *dir, const char *kind, const char **which)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    const char *found = NULL;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        if (strcmp(kind, "batch") != 0 && is_rep_folder(e->d_name)) {
            found = "rep-N/";
            *which = "batch";
            continue;
        }
        int also = 0;
        for (size_t k = 0; k < NKINDS; k++)
            also |= strcmp(kinds[k].kind, kind) == 0 && kinds[k].also && strcmp(kinds[k].also, e->d_name) == 0;
        for (size_t k = 0; k < NKINDS && !found && !also; k++) {
            if (strcmp(kinds[k].kind, kind) == 0)
                continue;
            for (size_t i = 0; kinds[k].markers[i] && !found; i++)
                if (is_marker(dir, e->d_name, kinds[k].markers[i])) {
                    found = kinds[k].markers[i];
                    *which = kinds[k].kind;
                }
        }
    }
    closedir(d);
    return found;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 ? 0 : -1;
}

/* Removes every result file of every kind from dir. */
static int clear_results(const char *dir, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        as_errf(err, errlen, "%s: %s", dir, strerror(errno));
        return AS_EIO;
    }
    int rc = AS_OK;
    struct dirent *e;
    while (rc == AS_OK && (e = readdir(d)) != NULL) {
        int result = is_rep_folder(e->d_name);
        for (size_t k = 0; k < NKINDS && !result; k++)
            for (size_t i = 0; kinds[k].markers[i] && !result; i++)
                result = is_marker(dir, e->d_name, kinds[k].markers[i]);
        for (size_t i = 0; shared[i] && !result; i++)
            result = strcmp(e->d_name, shared[i]) == 0;
        if (!result)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        int bad = lstat(path, &st) != 0 ||
                  (S_ISDIR(st.st_mode) ? nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) : unlink(path)) != 0;
        if (bad) {
            as_errf(err, errlen, "%s: cannot remove: %s", path, strerror(errno));
            rc = AS_EIO;
        }
    }
    closedir(d);
    return rc;
}

int io_folder_prepare(const char *dir, const char *kind, const char *name, int force, char *err, size_t errlen)
{
    const char *which = NULL, *marker = other_kind(dir, kind, &which);
    char old[256] = "";
    if (!marker && name) {
        char path[4096];
        snprintf(path, sizeof path, "%s/scenario.cfg", dir);
        char *text = io_read_file(path, NULL);
        if (text && io_scenario_name(text, old, sizeof old) == 0 && strcmp(old, name) == 0)
            old[0] = '\0';
        free(text);
    }
    if (!marker && !old[0])
        return AS_OK;
    if (force)
        return clear_results(dir, err, errlen);
    if (marker)
        as_errf(err, errlen,
                "%s holds the results of `alignsim %s` (%s); write to another folder, or add --force to "
                "remove them first",
                dir, which, marker);
    else
        as_errf(err, errlen,
                "%s holds results of the scenario '%s', not '%s'; write to another folder, or add --force to "
                "remove them first",
                dir, old, name);
    return AS_EUSAGE;
}
