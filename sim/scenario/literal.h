/*
 * literal - text of libconfig values on the one growable buffer (internal
 * to sim/scenario/): string literals as the resolved text writes them,
 * floats in a form libconfig reads back as the same double, and numbers as
 * diagnostics show them.
 */
#ifndef ALIGNSIM_SCENARIO_LITERAL_H
#define ALIGNSIM_SCENARIO_LITERAL_H

#include "base/buf.h"

/* Appends a libconfig string literal: s in double quotes, with \\, \" and
 * control bytes (\n, \t, \r, \f, \xNN) escaped. */
void lit_quoted(buf *b, const char *s);

/* Appends v in its shortest form that reads back to the same double
 * (num_format_double), in a form libconfig reads as a float (with a '.' or
 * an exponent: 2030.0, 1e-05).  v must be finite: libconfig 1.5 cannot
 * read nan or inf. */
void lit_float(buf *b, double v);

/* Appends v as a number for messages (%.15g; inf and -inf spelled out). */
void lit_num(buf *b, double v);

#endif
