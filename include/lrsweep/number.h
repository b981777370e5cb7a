/* number.h - which plain scalars of an experiment file are numbers, and
 * their value and JSON.
 *
 * One reading for the whole file and for flags: lrsweep's own keys
 * (batch_size: 0x80), grid and distribution values, and a trainer's params,
 * which reach the program as JSON (SPEC §12). The forms are YAML 1.2's core
 * schema (1e-3, 0o17, .inf) with PyYAML's binary integers (0b101) and
 * underscores (1_000, 0x_ff), a sign allowed before any of them:
 *
 *   integer   [-+]? ( [0-9][0-9_]* | 0x[0-9a-fA-F_]+ | 0o[0-7_]+ | 0b[01_]+ )
 *             (at least one digit after 0x, 0o, 0b; leading zeros are
 *             decimal: 017 is 17, as YAML 1.2 reads it, not PyYAML's 15)
 *   real      [-+]? ( [0-9][0-9_]* (\.[0-9_]*)? | \.[0-9][0-9_]* )
 *             ( [eE][-+]?[0-9]+ )?   with a point or an exponent
 *   infinite  [-+]? \.(inf|Inf|INF)  and  \.(nan|NaN|NAN)
 *
 * Everything else is not a number: 0X1F, 1:30 (YAML 1.1's base 60, which
 * YAML 1.2 dropped), inf, nan, -.nan, 1e, 1e1_0, a blank (1_e3 is 1000,
 * an underscore before the exponent; tests/number_table.h). The reader does not
 * know YAML's booleans, nulls or quoting: callers decide those first. */
#ifndef LRSWEEP_NUMBER_H
#define LRSWEEP_NUMBER_H

#include <stddef.h>

#include "lrsweep/util.h"

/* Python reads no integer of more digits (int_max_str_digits), and no one
 * writes a longer number: more digits than this is LRS_NUMBER_TOO_LONG. */
#define LRS_NUMBER_MAX_DIGITS 4300

typedef enum {
	LRS_NUMBER_NONE,      /* not a number: text for whoever reads it      */
	LRS_NUMBER_INTEGER,   /* a whole number of any size                   */
	LRS_NUMBER_REAL,      /* a finite number with a point or an exponent  */
	LRS_NUMBER_INFINITE,  /* .inf, -.Inf, .nan, or a real past 1.8e308:
	                         a number, but not one JSON can hold          */
	LRS_NUMBER_TOO_LONG   /* more than LRS_NUMBER_MAX_DIGITS digits (in
	                         decimal, for 0x, 0o and 0b)                  */
} lrs_number_kind;

/* Reads the `len` bytes at `s` (nothing around them: no blanks) as one of
 * the forms above and returns its kind. For INTEGER and REAL, *value (when
 * value is not NULL) is the nearest double and, when json is not NULL, the
 * number's JSON text is appended to it: an integer with all its digits
 * (9007199254740993 stays that, 0x1f is 31), a real as "%.17g" (0.1 is
 * 0.10000000000000001, 1e3 is 1000) - integers below 2^53 too, as
 * lrs_buf_json_number writes them. INFINITE sets *value to +-inf or NaN;
 * nothing is appended but for INTEGER and REAL. */
lrs_number_kind lrs_number_read(const char *s, size_t len, double *value, lrs_buf *json);

#endif
