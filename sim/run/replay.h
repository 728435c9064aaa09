/*
 * replay - one replication of a scenario with its full record: the yearly
 * trajectory of every dyad, the event log and the milestone scores, written
 * as a result folder (`alignsim run`).
 *
 * The folder holds scenario.cfg (the resolved scenario; running it again
 * with the same seed reproduces every file byte for byte), trajectory.tsv,
 * events.tsv, milestones.tsv and ladder.tsv (the rungs, for plots).  Each
 * file is written atomically: complete or absent.
 */
#ifndef ALIGNSIM_RUN_REPLAY_H
#define ALIGNSIM_RUN_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "io/tsv.h"
#include "model/milestones.h"
#include "model/model.h"
#include "model/spec.h"

/* What the caller learns from a replay. */
typedef struct {
    milestones_score score;  /* replay score over the targets */
    model_outcome outcome;
    size_t nevents;          /* rows of events.tsv */
} replay_report;

/*
 * Runs replication `seed` of spec and writes the result folder outdir
 * (created with its parents).  resolved is the resolved scenario text,
 * written as scenario.cfg.  prov/nprov are extra provenance lines (command,
 * overrides) added to every table after the program version, scenario name
 * and seed.  Returns AS_OK, or AS_EIO (path and reason), AS_ENOMEM or
 * AS_ERUNTIME (the model failed) with a message in err.  Nothing is left
 * half-written on failure.
 */
int replay_run(const model_spec *spec, const char *resolved, uint64_t seed,
               const io_kv *prov, size_t nprov, const char *outdir,
               replay_report *report, char *err, size_t errlen);

/*
 * Writes ladder.tsv (label, label_name, x_min) of spec into outdir.
 * Returns AS_OK or AS_EIO with a message in err.
 */
int replay_write_ladder(const model_spec *spec, const char *outdir,
                        const io_kv *prov, size_t nprov, char *err, size_t errlen);

/* Formats the replay score as one line (no newline) into buf. */
void replay_format_score(const milestones_score *sc, char *out, size_t len);

#endif
