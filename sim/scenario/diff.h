/*
 * diff - the settings that differ between two resolved scenario texts (as
 * scenario.cfg files hold them), for `alignsim compare` and the report.
 *
 * The texts are flattened as the loader writes them (one setting per line,
 * groups and lists nested): leaves are compared by path, list elements
 * (events, targets, data rows) are matched as a line diff matches lines
 * (longest common subsequence).  Pure text processing: no libconfig, no
 * global state.
 */
#ifndef ALIGNSIM_SCENARIO_DIFF_H
#define ALIGNSIM_SCENARIO_DIFF_H

#include <stddef.h>

/*
 * The settings that differ between text_a and text_b, one per line:
 * "PATH: A_VALUE -> B_VALUE", "PATH: only in A = VALUE", "PATH: only in B =
 * VALUE"; elements of lists are shown as "LIST: - { ELEMENT }" (only in A)
 * and "LIST: + { ELEMENT }" (only in B).  At most max_lines lines, then a
 * count of the rest.  "" when the texts have the same settings.  Heap
 * string the caller frees, or NULL when memory runs out.
 */
char *scenario_settings_diff(const char *text_a, const char *text_b, size_t max_lines);

#endif
