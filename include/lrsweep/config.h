/* config.h - YAML text to lrs_node trees (the only libyaml user).
 *
 * For now this reads a YAML document or a flow value given on the command
 * line (`--schedules '[{type: linear}, {type: cosine_annealing}]'`); the
 * experiment file loader of SPEC §11 builds on the same reader. Positions
 * are kept on every node so later checks can report file:line:column. */
#ifndef LRSWEEP_CONFIG_H
#define LRSWEEP_CONFIG_H

#include <stddef.h>
#include "lrsweep/node.h"

/* The most nodes one document may expand to (aliases included): a bound
 * on "billion laughs" documents. */
#define LRS_CONFIG_MAX_NODES 100000

/* The deepest nesting of lists and mappings a document may have. */
#define LRS_CONFIG_MAX_DEPTH 64

/* Parses YAML `text` (`len` bytes) into a tree. Duplicate keys, more than
 * one document, nesting deeper than LRS_CONFIG_MAX_DEPTH and alias
 * expansion past LRS_CONFIG_MAX_NODES are errors.
 * On failure returns LRS_EINVALID with the message and line:column set
 * (lrs_error_line/column). An empty document gives an empty map. */
int lrs_config_parse_yaml(lrs_node **out, const char *text, size_t len);

/* The node of one command-line flag's value (`--KEY TEXT`): YAML flow
 * text when it starts with [ or {, a list when it holds commas, else a
 * scalar; without positions, so that errors name the flag (KEY), not a
 * line. */
int lrs_config_flag_value(lrs_node **out, const char *key, const char *text);

#endif
