/* node.h - a small document tree: scalars, lists and mappings of text.
 *
 * This is how parameters travel from the outside (YAML experiment files,
 * command-line flags) to the modules that interpret them (schedules, and
 * later the experiment runner). Scalars stay text as written; the consumer
 * decides their type and reports errors with the node's line:column. The tree
 * owns all its strings and children. It knows nothing of YAML itself. */
#ifndef LRSWEEP_NODE_H
#define LRSWEEP_NODE_H

#include <stddef.h>

#include "lrsweep/util.h"

typedef enum {
	LRS_NODE_SCALAR,
	LRS_NODE_LIST,
	LRS_NODE_MAP
} lrs_node_kind;

/* The type a YAML tag names for a scalar (!!int 3, !!float 2); !!str is
 * `quoted` instead. */
typedef enum {
	LRS_NODE_TAG_NONE,    /* no tag: the text decides                    */
	LRS_NODE_TAG_INT,
	LRS_NODE_TAG_FLOAT,
	LRS_NODE_TAG_BOOL,
	LRS_NODE_TAG_NULL
} lrs_node_tag;

typedef struct lrs_node lrs_node;

struct lrs_node {
	lrs_node_kind kind;
	char *text;        /* SCALAR: the text as written (never NULL)     */
	int quoted;        /* SCALAR: a string whatever it looks like (quoted
	                      or tagged !!str in YAML, a JSON string)       */
	lrs_node_tag tag;  /* SCALAR: the type a YAML tag named, if any     */
	char **keys;       /* MAP: keys[i] names items[i]                  */
	lrs_node **items;  /* LIST and MAP: children, in order             */
	size_t n;          /* LIST and MAP: number of children             */
	size_t cap;        /* allocated slots of items (and keys)          */
	int line, column;  /* 1-based source position, 0 when not from a file */
	int key_line;      /* position of this node's key in its parent map */
	int key_column;    /*   (0 when not in a map or not from a file)    */
};

/* Creates a scalar (a copy of `text`), an empty list or an empty map.
 * Returns 0, or LRS_ENOMEM. */
int lrs_node_new_scalar(lrs_node **out, const char *text, int line, int column);
int lrs_node_new_list(lrs_node **out, int line, int column);
int lrs_node_new_map(lrs_node **out, int line, int column);

/* Appends `child` to a list (key NULL) or a map (key copied). On success the
 * parent owns `child`; on failure (LRS_ENOMEM) the caller still does. */
int lrs_node_append(lrs_node *parent, const char *key, lrs_node *child);

/* The child of a map under `key`, or NULL. */
const lrs_node *lrs_node_get(const lrs_node *map, const char *key);

/* A deep copy of `src`, positions included. */
int lrs_node_clone(lrs_node **out, const lrs_node *src);

/* Puts `child` (taking ownership) under `key` of `map`, replacing and
 * freeing the child already there (whose key position it inherits), or
 * appending. On failure the caller still owns `child`. */
int lrs_node_set(lrs_node *map, const char *key, lrs_node *child);

/* The tree as JSON into b: quoted scalars as strings; other scalars that
 * read as numbers, and null, as such; the boolean spellings of
 * lrs_parse_bool (true, yes, on, off, False, ...) as true or false; the
 * rest as strings; lists and maps as arrays and objects. A tagged scalar
 * as its tag says, as PyYAML reads it: !!float 2 as 2.0, !!int "3" as 3,
 * !!null as null (text that does not fit its tag, which the experiment
 * file refuses, as a string). */
void lrs_node_json(lrs_buf *b, const lrs_node *n);

/* Frees a tree; accepts NULL. */
void lrs_node_free(lrs_node *node);

#endif
