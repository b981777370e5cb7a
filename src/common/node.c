/* node.c - the parameter tree shared by config, cli and the modules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/node.h"
#include "lrsweep/number.h"

static int new_node(lrs_node **out, lrs_node_kind kind, int line, int column)
{
	lrs_node *n = calloc(1, sizeof *n);

	*out = NULL;
	if (!n)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	n->kind = kind;
	n->line = line;
	n->column = column;
	*out = n;
	return 0;
}

int lrs_node_new_scalar(lrs_node **out, const char *text, int line, int column)
{
	int rc = new_node(out, LRS_NODE_SCALAR, line, column);

	if (rc < 0)
		return rc;
	(*out)->text = strdup(text);
	if (!(*out)->text) {
		free(*out);
		*out = NULL;
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	return 0;
}

int lrs_node_new_list(lrs_node **out, int line, int column)
{
	return new_node(out, LRS_NODE_LIST, line, column);
}

int lrs_node_new_map(lrs_node **out, int line, int column)
{
	return new_node(out, LRS_NODE_MAP, line, column);
}

int lrs_node_append(lrs_node *parent, const char *key, lrs_node *child)
{
	char *k = NULL;

	if (parent->n == parent->cap) {
		size_t cap = parent->cap ? 2 * parent->cap : 4;
		lrs_node **items = realloc(parent->items, cap * sizeof *items);
		if (!items)
			return lrs_error_set(LRS_ENOMEM, "out of memory");
		parent->items = items;
		if (parent->kind == LRS_NODE_MAP) {
			char **keys = realloc(parent->keys, cap * sizeof *keys);
			if (!keys)
				return lrs_error_set(LRS_ENOMEM, "out of memory");
			parent->keys = keys;
		}
		parent->cap = cap;
	}
	if (parent->kind == LRS_NODE_MAP) {
		k = strdup(key ? key : "");
		if (!k)
			return lrs_error_set(LRS_ENOMEM, "out of memory");
		parent->keys[parent->n] = k;
	}
	parent->items[parent->n++] = child;
	return 0;
}

int lrs_node_clone(lrs_node **out, const lrs_node *src)
{
	lrs_node *n = NULL;
	int err;

	*out = NULL;
	if (src->kind == LRS_NODE_SCALAR)
		err = lrs_node_new_scalar(&n, src->text, src->line, src->column);
	else if (src->kind == LRS_NODE_LIST)
		err = lrs_node_new_list(&n, src->line, src->column);
	else
		err = lrs_node_new_map(&n, src->line, src->column);
	if (err < 0)
		return err;
	n->quoted = src->quoted;
	n->tag = src->tag;
	n->key_line = src->key_line;
	n->key_column = src->key_column;
	for (size_t i = 0; i < src->n; i++) {
		lrs_node *child;

		if ((err = lrs_node_clone(&child, src->items[i])) < 0 ||
		    (err = lrs_node_append(n, src->kind == LRS_NODE_MAP ? src->keys[i] : NULL, child)) < 0) {
			lrs_node_free(child);
			lrs_node_free(n);
			return err;
		}
	}
	*out = n;
	return 0;
}

int lrs_node_set(lrs_node *map, const char *key, lrs_node *child)
{
	for (size_t i = 0; i < map->n; i++) {
		if (strcmp(map->keys[i], key) == 0) {
			child->key_line = map->items[i]->key_line;
			child->key_column = map->items[i]->key_column;
			lrs_node_free(map->items[i]);
			map->items[i] = child;
			return 0;
		}
	}
	return lrs_node_append(map, key, child);
}

const lrs_node *lrs_node_get(const lrs_node *map, const char *key)
{
	if (!map || map->kind != LRS_NODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->keys[i], key) == 0)
			return map->items[i];
	return NULL;
}

void lrs_node_free(lrs_node *node)
{
	if (!node)
		return;
	for (size_t i = 0; i < node->n; i++) {
		lrs_node_free(node->items[i]);
		if (node->keys)
			free(node->keys[i]);
	}
	free(node->items);
	free(node->keys);
	free(node->text);
	free(node);
}

/* A float's JSON as Python's json.dumps tells it from an integer: "%.17g",
 * with ".0" when that reads as one (2 is 2.0, 1e16 10000000000000000.0). */
static void write_float(lrs_buf *b, double v)
{
	char text[64];

	snprintf(text, sizeof text, "%.17g", v);
	lrs_buf_printf(b, "%s%s", text, strpbrk(text, ".eE") ? "" : ".0");
}

/* Scalar n, tagged !!int, !!float, !!bool or !!null, as that type, as
 * PyYAML constructs it: 1 when written, 0 when its text does not fit the
 * tag (!!int 2.5, !!bool maybe: refused by the experiment file's checks;
 * then written as if untagged). */
static int write_tagged(lrs_buf *b, const lrs_node *n)
{
	size_t len = strlen(n->text);
	double v;
	int yes;

	switch (n->tag) {
	case LRS_NODE_TAG_NULL:
		lrs_buf_printf(b, "null");   /* PyYAML: None, whatever the text */
		return 1;
	case LRS_NODE_TAG_BOOL:
		if (lrs_parse_bool(n->text, &yes) < 0)
			return 0;
		lrs_buf_printf(b, "%s", yes ? "true" : "false");
		return 1;
	case LRS_NODE_TAG_INT:
		if (lrs_number_read(n->text, len, NULL, NULL) != LRS_NUMBER_INTEGER)
			return 0;
		lrs_number_read(n->text, len, NULL, b);   /* every digit */
		return 1;
	case LRS_NODE_TAG_FLOAT: {
		lrs_number_kind k = lrs_number_read(n->text, len, &v, NULL);
		if (k != LRS_NUMBER_INTEGER && k != LRS_NUMBER_REAL)
			return 0;
		write_float(b, v);
		return 1;
	}
	default:
		return 0;
	}
}

/* A YAML scalar as JSON: a quoted one ('1.10', "yes") as a string, as
 * PyYAML reads it; every boolean spelling the experiment file accepts
 * (lrs_parse_bool: yes, off, True) as true or false - a program's "off"
 * read as a string would be true in Python; YAML's nulls as null; the
 * numbers of number.h (0x1f, 1_000, 1e-3) as JSON numbers, integers with
 * every digit; the rest, and numbers JSON cannot hold (.inf, which the
 * experiment file refuses in params), as strings. */
static void write_scalar(lrs_buf *b, const lrs_node *n)
{
	const char *text = n->text;
	lrs_number_kind k;
	int yes;

	if (n->quoted) {
		lrs_buf_json_string(b, text);
		return;
	}
	if (n->tag != LRS_NODE_TAG_NONE && write_tagged(b, n))
		return;
	if (lrs_parse_bool(text, &yes) == 0) {
		lrs_buf_printf(b, "%s", yes ? "true" : "false");
		return;
	}
	if (!text[0] || !strcmp(text, "~") || !strcmp(text, "null") || !strcmp(text, "Null") || !strcmp(text, "NULL")) {
		lrs_buf_printf(b, "null");   /* YAML's nulls, as PyYAML reads them: None */
		return;
	}
	k = lrs_number_read(text, strlen(text), NULL, b);
	if (k != LRS_NUMBER_INTEGER && k != LRS_NUMBER_REAL)
		lrs_buf_json_string(b, text);
}

void lrs_node_json(lrs_buf *b, const lrs_node *n)
{
	if (!n) {
		lrs_buf_printf(b, "null");
		return;
	}
	switch (n->kind) {
	case LRS_NODE_SCALAR: write_scalar(b, n); break;
	case LRS_NODE_LIST:
	case LRS_NODE_MAP:
		lrs_buf_printf(b, n->kind == LRS_NODE_MAP ? "{" : "[");
		for (size_t i = 0; i < n->n; i++) {
			lrs_buf_printf(b, i ? ", " : "");
			if (n->kind == LRS_NODE_MAP) {
				lrs_buf_json_string(b, n->keys[i]);
				lrs_buf_printf(b, ": ");
			}
			lrs_node_json(b, n->items[i]);
		}
		lrs_buf_printf(b, n->kind == LRS_NODE_MAP ? "}" : "]");
		break;
	}
}
