/* json.h - JSON lines of the external-trainer protocol (json.c). Private to
 * src/external. */
#ifndef LRSWEEP_EXTERNAL_JSON_H
#define LRSWEEP_EXTERNAL_JSON_H

#include <stddef.h>

#include "lrsweep/node.h"
#include "lrsweep/util.h"

/* Parses one JSON value of `len` bytes into a tree of scalars (as text),
 * lists and maps. On failure returns -1 with what and where in err. */
int lrs_json_parse(lrs_node **out, const char *text, size_t len, char *err, size_t errsize);

/* A scalar as a number (NaN, Infinity, -Infinity included): 0, or -1 when
 * it is missing or not a number. */
int lrs_json_number(const lrs_node *n, double *out);

/* A measured value (a loss, an accuracy): a number as lrs_json_number
 * reads it, or null read as NaN — JavaScript's JSON.stringify and other
 * encoders write NaN and the infinities as null. 0, or -1 when missing or
 * neither. */
int lrs_json_value(const lrs_node *n, double *out);

/* ... as a whole number (null is not one). */
int lrs_json_long(const lrs_node *n, long *out);

#endif
