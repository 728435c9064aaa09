/*
 * posterior_table - writes a result folder's copy of the posterior (see
 * posterior_table.h).  Values are written in shortest round-trip form, so
 * reading the copy back gives the spec's numbers exactly.
 */
#include "run/posterior_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"

int posterior_table_write(const model_spec *spec, const char *dir, const io_kv *prov, size_t nprov, char *err,
                          size_t errlen)
{
    const spec_posterior *p = &spec->posterior;
    if (p->n == 0)
        return AS_OK;
    int rc = AS_ENOMEM;
    const char **cols = calloc(p->ncols + 2, sizeof *cols);
    io_kv *kv = calloc(nprov + 1, sizeof *kv);
    size_t plen = strlen(dir) + sizeof "/posterior.tsv";
    char *path = malloc(plen);
    if (!cols || !kv || !path) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    snprintf(path, plen, "%s/posterior.tsv", dir);
    cols[0] = "particle";
    cols[1] = "weight";
    for (size_t c = 0; c < p->ncols; c++)
        cols[c + 2] = spec->params[p->param[c]].path;
    for (size_t i = 0; i < nprov; i++)
        kv[i] = prov[i];
    kv[nprov] = (io_kv){"posterior_source", p->source};
    tsv_writer *w = tsv_open(path, kv, nprov + 1, cols, p->ncols + 2, err, errlen);
    if (!w) {
        rc = AS_EIO;
        goto done;
    }
    for (size_t r = 0; r < p->n; r++) {
        tsv_int(w, p->id[r]);
        tsv_double(w, p->weight[r]);
        for (size_t c = 0; c < p->ncols; c++)
            tsv_double(w, p->value[r * p->ncols + c]);
        tsv_end_row(w);
    }
    rc = tsv_commit(w, err, errlen) == AS_OK ? AS_OK : AS_EIO;
done:
    free(cols);
    free(kv);
    free(path);
    return rc;
}
