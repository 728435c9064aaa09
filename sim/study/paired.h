/*
 * paired - the paired re-run of `alignsim compare`: batches with the same
 * master seed and replications are re-run from their scenario.cfg,
 * replication by replication with the batches' seeds, as one job on the
 * executor, and the differences from folder A of x and of the alliance flag
 * are accumulated exactly (stats/cells) for paired t intervals.
 */
#ifndef ALIGNSIM_STUDY_PAIRED_H
#define ALIGNSIM_STUDY_PAIRED_H

#include <stddef.h>

#include "run/engine.h"
#include "study/compare.h"
#include "study/resultdir.h"

/*
 * Tries to pair every folder f with want[f] set with folder A (fs[0]):
 * loads the scenarios, re-runs them on e and fills sv[f]'s differences with
 * paired intervals at opt->confidence, setting rep->method[f] to
 * COMPARE_PAIRED; a folder that cannot be paired (its scenario does not
 * load, the re-run does not reproduce it) is left to Welch with rep->why[f]
 * saying why.  Returns AS_OK, or another AS_* code with err set (memory, a
 * model failure, a stop).  Collective under MPI; the intervals are filled on
 * the root.
 */
int compare_paired(engine *e, const compare_options *opt, const resultdir *fs, size_t nf, const int *want,
                   compare_series *sv, compare_report *rep, char *err, size_t errlen);

#endif
