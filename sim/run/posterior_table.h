/*
 * posterior_table - the copy of a scenario's posterior that a result
 * folder keeps next to its scenario.cfg (PLAN decision 9).
 *
 * The scenario.cfg of a folder carries the posterior inline, so it
 * reproduces the run by itself; posterior.tsv is the same table in the
 * format `alignsim infer` writes (particle, weight, one column per
 * parameter path), for plots, `alignsim report` and `--posterior DIR`.
 */
#ifndef ALIGNSIM_RUN_POSTERIOR_TABLE_H
#define ALIGNSIM_RUN_POSTERIOR_TABLE_H

#include <stddef.h>

#include "io/tsv.h"
#include "model/spec.h"

/*
 * Writes dir/posterior.tsv from spec->posterior (borrowed) with the
 * provenance lines prov[nprov] and `posterior_source` (atomically: complete
 * or absent).  Does nothing when the spec has no posterior.  Returns AS_OK,
 * or AS_EIO / AS_ENOMEM with a message in err.
 */
int posterior_table_write(const model_spec *spec, const char *dir, const io_kv *prov, size_t nprov, char *err,
                          size_t errlen);

#endif
