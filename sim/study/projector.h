/*
 * projector - the table `alignsim compare` prints for a seminar's
 * projector: China-Russia, China-US and Russia-US at the milestone years
 * and the last year, each folder's mean x and its difference from A (a
 * star when the interval excludes zero), and P(alliance) where it differs.
 */
#ifndef ALIGNSIM_STUDY_PROJECTOR_H
#define ALIGNSIM_STUDY_PROJECTOR_H

#include <stddef.h>

#include "study/compare.h"
#include "study/resultdir.h"

/* The table for the nf folders fs (A first) and their series sv, with the
 * intervals at confidence conf.  Heap string the caller frees, or NULL when
 * memory runs out. */
char *compare_projector_table(const resultdir *fs, size_t nf, const compare_report *rep, const compare_series *sv,
                              double conf);

#endif
