/*
 * io/folder - what a result folder holds: its kind (the command that wrote
 * it) and its scenario, so that a writing command never mixes its files
 * with another command's or another scenario's.
 *
 * A folder's kind is known from the files only one command writes (its
 * markers, io_folder_kinds below): trajectory.tsv and events.tsv for
 * `run`; summary.tsv, replications.tsv and the batch checkpoint for
 * `batch`; claim.tsv, claim_curve.tsv, verdict.txt and conditions/ for
 * `claim` (which writes a summary.tsv too); sweep.tsv, sweep.cfg, points/ and the sweep journal for `sweep`;
 * calibration.tsv, fit.tsv, calibrated.cfg and its journal for
 * `calibrate`; sensitivity.tsv, salib_problem.txt, samples.tsv and its
 * journal for `sensitivity`; compare.tsv for `compare`; generations.tsv for
 * `infer`.  scenario.cfg, milestones.tsv, ladder.tsv and posterior.tsv are
 * shared by several kinds.  Other files (a user's notes) are never looked
 * at or touched.
 *
 * Called by the command line while it holds the folder's lock (io/lock.h),
 * so nothing changes between the check and the writing.  No global state.
 */
#ifndef ALIGNSIM_IO_FOLDER_H
#define ALIGNSIM_IO_FOLDER_H

#include <stddef.h>

#include "base/status.h"

/*
 * Checks that the folder dir may receive the results of command `kind`
 * ("run", "batch", ...) for the scenario named `name` (the `name` of the
 * scenario.cfg it will write; NULL: not checked).  A missing or empty
 * folder, or one holding only files of this kind and this scenario (or
 * files that are no results), is fine.  Otherwise, without force, returns
 * AS_EUSAGE with "DIR holds the results of `alignsim OTHER` (FILE); ..."
 * or "DIR holds results of the scenario 'X', not 'Y'; ..." in err.  With
 * force, the result files of every kind (and the folders points/,
 * conditions/ and rep-N/ with everything in them) are removed first:
 * AS_OK, or AS_EIO with "PATH: reason".
 */
int io_folder_prepare(const char *dir, const char *kind, const char *name, int force, char *err, size_t errlen);

/*
 * The kind of the folder dir: the command whose marker files it holds
 * ("run", "batch", ...), NULL when it holds none; when it holds markers of
 * two kinds, the first in the table's order.  *marker (may be NULL) gets
 * the first marker found (a static string).
 */
const char *io_folder_kind(const char *dir, const char **marker);

/*
 * The value of the top-level `name = "..."` line of the resolved scenario
 * text (as every scenario.cfg writes it) into out[len]; non-zero when there
 * is none.
 */
int io_scenario_name(const char *text, char *out, size_t len);

#endif
