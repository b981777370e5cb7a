/* yaml.c - libyaml's event stream turned into an lrs_node tree.
 *
 * Scalars stay text; anchors are remembered and aliases copied, within a
 * node budget. Only this file includes yaml.h. */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lrsweep/config.h"
#include "lrsweep/error.h"
#include "lrsweep/util.h"

typedef struct {
	char *name;        /* anchor name          */
	lrs_node *node;    /* the anchored subtree (owned by the document) */
} anchor;

typedef struct {
	yaml_parser_t parser;
	const char *text;   /* the document, for positions of reader errors */
	size_t len;
	anchor *anchors;    /* every anchor seen, in order */
	size_t n_anchors, cap_anchors;
	size_t n_nodes;     /* nodes made so far, for the budget */
	lrs_node *kept;     /* the values of merge keys, merged by copy and
	                       kept to the end: an anchor may name them */
} reader;

static int count_node(reader *r, const yaml_mark_t *m)
{
	if (++r->n_nodes > LRS_CONFIG_MAX_NODES)
		return lrs_error_set_at(LRS_EINVALID, (int)m->line + 1, (int)m->column + 1,
		                        "document expands to more than %d nodes (an alias bomb, or a list too long "
		                        "for an experiment file)", LRS_CONFIG_MAX_NODES);
	return 0;
}

static int too_deep(const yaml_mark_t *m)
{
	return lrs_error_set_at(LRS_EINVALID, (int)m->line + 1, (int)m->column + 1, "nested more than %d levels deep",
	                        LRS_CONFIG_MAX_DEPTH);
}

/* A copy of `src` (an alias's or a merge key's subtree) placed at `depth`,
 * within the node budget and the nesting bound, as if written out there;
 * errors at mark m, where it is used. */
static int copy_node(reader *r, lrs_node **out, const lrs_node *src, const yaml_mark_t *m, int depth)
{
	int rc;

	*out = NULL;
	if ((rc = count_node(r, m)) < 0)
		return rc;
	if (src->kind == LRS_NODE_SCALAR) {
		if ((rc = lrs_node_new_scalar(out, src->text, src->line, src->column)) == 0) {
			(*out)->quoted = src->quoted;
			(*out)->tag = src->tag;
		}
		return rc;
	}
	if (depth >= LRS_CONFIG_MAX_DEPTH)
		return too_deep(m);
	rc = src->kind == LRS_NODE_LIST ? lrs_node_new_list(out, src->line, src->column)
	                                 : lrs_node_new_map(out, src->line, src->column);
	for (size_t i = 0; rc == 0 && i < src->n; i++) {
		lrs_node *child;
		if ((rc = copy_node(r, &child, src->items[i], m, depth + 1)) < 0)
			break;
		if ((rc = lrs_node_append(*out, src->keys ? src->keys[i] : NULL, child)) < 0)
			lrs_node_free(child);
	}
	if (rc < 0) {
		lrs_node_free(*out);
		*out = NULL;
	}
	return rc;
}

static int remember(reader *r, const char *name, lrs_node *node)
{
	if (r->n_anchors == r->cap_anchors) {
		size_t cap = r->cap_anchors ? 2 * r->cap_anchors : 8;
		anchor *a = realloc(r->anchors, cap * sizeof *a);
		if (!a)
			return lrs_error_set(LRS_ENOMEM, "out of memory");
		r->anchors = a;
		r->cap_anchors = cap;
	}
	r->anchors[r->n_anchors].name = strdup(name);
	if (!r->anchors[r->n_anchors].name)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	r->anchors[r->n_anchors++].node = node;
	return 0;
}

/* The 1-based line and column (in characters) of byte `offset`. */
static void position_of(const reader *r, size_t offset, int *line, int *col)
{
	*line = *col = 1;
	for (size_t i = 0; i < offset && i < r->len; i++) {
		if (r->text[i] == '\n') {
			++*line;
			*col = 1;
		} else if (((unsigned char)r->text[i] & 0xC0) != 0x80) {   /* not a UTF-8 continuation */
			++*col;
		}
	}
}

/* The offset of the first byte of `text` that starts no valid UTF-8
 * character, or len when there is none. Reads no byte past len: the text
 * need not end with a NUL. */
static size_t first_invalid_utf8(const char *text, size_t len)
{
	for (size_t i = 0; i < len;) {
		char c[5] = { 0 };   /* the character's bytes, within len */
		size_t n;
		memcpy(c, text + i, len - i < 4 ? len - i : 4);
		n = lrs_utf8_len(c);
		if (n == 0)   /* a character cut by the end reads a 0 there: invalid */
			return i;
		i += n;
	}
	return len;
}

static int next_event(reader *r, yaml_event_t *ev)
{
	const yaml_parser_t *p = &r->parser;
	int line, col;

	if (yaml_parser_parse(&r->parser, ev))
		return 0;
	if (p->error == YAML_READER_ERROR) {   /* bad bytes: libyaml gives an offset, no mark */
		size_t bad = first_invalid_utf8(r->text, r->len);
		/* where the bad character starts, not where libyaml noticed; unless
		 * libyaml stopped before it, at another problem (a control character) */
		if (bad < r->len && bad <= p->problem_offset) {
			position_of(r, bad, &line, &col);
			return lrs_error_set_at(LRS_EINVALID, line, col, "not UTF-8 text: byte 0x%02x starts no UTF-8 "
			                        "character (a Latin-1 file? save it as UTF-8)", (unsigned char)r->text[bad]);
		}
		position_of(r, p->problem_offset, &line, &col);
		return lrs_error_set_at(LRS_EINVALID, line, col, "not UTF-8 text: %s (byte 0x%02x)",
		                        p->problem ? p->problem : "unreadable", (unsigned)(p->problem_value & 0xff));
	}
	line = (int)p->problem_mark.line + 1;
	col = (int)p->problem_mark.column + 1;
	if (p->problem_mark.index < r->len && r->text[p->problem_mark.index] == '\t')
		return lrs_error_set_at(LRS_EINVALID, line, col, "a tab character where YAML allows none: "
		                        "YAML indents with spaces, not tabs");
	return lrs_error_set_at(LRS_EINVALID, line, col, "YAML syntax error: %s%s%s",
	                        p->problem ? p->problem : "unreadable", p->context ? " " : "",
	                        p->context ? p->context : "");
}

/* A scalar holding a NUL ("\0" in a quoted string) would be cut short at
 * it, silently: a path "a\0b" read as "a". Refused where it is written. */
static int check_scalar(const yaml_event_t *ev)
{
	if (strlen((const char *)ev->data.scalar.value) == ev->data.scalar.length)
		return 0;
	return lrs_error_set_at(LRS_EINVALID, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
	                        "a NUL character (\\0) in a string: no name, path or value can hold one");
}

/* A tag other than the YAML core schema's (`!!python/object`, `!foo`)
 * asks for a type lrsweep does not have: refused, as a safe loader does,
 * rather than dropped. Core tags (`!!str 0.1`) are accepted: values are
 * read as text and checked by what they configure. */
static int check_tag(const yaml_char_t *tag, const yaml_mark_t *m)
{
	static const char *const core[] = { "str", "int", "float", "bool", "null", "seq", "map" };
	static const char prefix[] = "tag:yaml.org,2002:";
	const char *t = (const char *)tag;
	size_t n = sizeof prefix - 1;
	int is_core = !strncmp(t ? t : "", prefix, n);   /* a tag:yaml.org one, written !!NAME */

	if (!t || !strcmp(t, "!"))
		return 0;
	for (size_t i = 0; is_core && i < sizeof core / sizeof core[0]; i++)
		if (!strcmp(t + n, core[i]))
			return 0;
	return lrs_error_set_at(LRS_EINVALID, (int)m->line + 1, (int)m->column + 1,
	                        "unsupported YAML tag '%s%s': only the core types (!!str, !!int, !!float, "
	                        "!!bool, !!null, !!seq, !!map) may be named", is_core ? "!!" : "", is_core ? t + n : t);
}

/* Whether scalar event ev is a string whatever its text looks like, as
 * PyYAML reads it: quoted ('1.10', "yes") and untagged, or tagged !!str. */
static int is_string(const yaml_event_t *ev)
{
	const char *tag = (const char *)ev->data.scalar.tag;

	if (tag && strcmp(tag, "!"))
		return !strcmp(tag, "tag:yaml.org,2002:str");
	return ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
}

/* The type scalar event ev's core tag names (!!int, !!float, !!bool,
 * !!null); none for !!str (is_string) or without a tag. */
static lrs_node_tag tag_of(const yaml_event_t *ev)
{
	static const struct { const char *name; lrs_node_tag tag; } tags[] = {
		{ "tag:yaml.org,2002:int", LRS_NODE_TAG_INT }, { "tag:yaml.org,2002:float", LRS_NODE_TAG_FLOAT },
		{ "tag:yaml.org,2002:bool", LRS_NODE_TAG_BOOL }, { "tag:yaml.org,2002:null", LRS_NODE_TAG_NULL },
	};
	const char *tag = (const char *)ev->data.scalar.tag;

	for (size_t i = 0; tag && i < sizeof tags / sizeof *tags; i++)
		if (!strcmp(tag, tags[i].name))
			return tags[i].tag;
	return LRS_NODE_TAG_NONE;
}

static int read_node(reader *r, yaml_event_t *ev, lrs_node **out, int depth);

/* Reads a mapping key (event `ev`, consumed) of `map` into *key: a scalar,
 * new in the map. *merge is set for the merge key `<<` (plain, as written). */
static int read_key(yaml_event_t *ev, const lrs_node *map, int seen_merge, char **key, int *merge)
{
	int kl = (int)ev->start_mark.line + 1, kc = (int)ev->start_mark.column + 1;
	const char *k = ev->type == YAML_SCALAR_EVENT ? (const char *)ev->data.scalar.value : NULL;
	int rc = 0;

	*key = NULL;
	*merge = k && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !strcmp(k, "<<");
	if (!k)
		rc = lrs_error_set_at(LRS_EINVALID, kl, kc, "mapping keys must be plain words");
	else if ((rc = check_scalar(ev)) < 0 || (rc = check_tag(ev->data.scalar.tag, &ev->start_mark)) < 0)
		;   /* the message is set */
	else if (*merge ? seen_merge : lrs_node_get(map, k) != NULL)
		rc = lrs_error_set_at(LRS_EINVALID, kl, kc, "duplicate key '%s'", k);
	else if (!(*key = strdup(k)))
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
	yaml_event_delete(ev);
	return rc;
}

/* Adds to `merged` copies of the keys of mapping `src` that it does not
 * have yet: the value of a merge key, `<<: *base` (or each of `<<: [*a,
 * *b]`, the first one winning), as PyYAML reads it. Copies (within the
 * node budget and the nesting bound: they go into a map at `depth`): an
 * anchor may name src or a part of it. */
static int merge_from(reader *r, lrs_node *merged, const lrs_node *src, int in_list, int depth)
{
	int rc = 0;

	if (src->kind == LRS_NODE_LIST && !in_list) {
		for (size_t i = 0; rc == 0 && i < src->n; i++)
			rc = merge_from(r, merged, src->items[i], 1, depth);
		return rc;
	}
	if (src->kind != LRS_NODE_MAP)
		return lrs_error_set_at(LRS_EINVALID, src->line, src->column,
		                        "a merge key '<<' takes a mapping (such as *name) or a list of them");
	for (size_t i = 0; rc == 0 && i < src->n; i++) {
		const lrs_node *v = src->items[i];
		yaml_mark_t m = { 0, (size_t)(v->line > 0 ? v->line - 1 : 0), (size_t)(v->column > 0 ? v->column - 1 : 0) };
		lrs_node *copy;
		if (lrs_node_get(merged, src->keys[i]))
			continue;
		if ((rc = copy_node(r, &copy, v, &m, depth + 1)) == 0 && (rc = lrs_node_append(merged, src->keys[i], copy)) < 0)
			lrs_node_free(copy);
	}
	return rc;
}

/* Moves into `map` the merged keys that it does not set itself. */
static int apply_merge(lrs_node *map, lrs_node *merged)
{
	for (size_t i = 0; merged && i < merged->n; i++) {
		if (lrs_node_get(map, merged->keys[i]))
			continue;
		if (lrs_node_append(map, merged->keys[i], merged->items[i]) < 0)
			return LRS_ENOMEM;
		merged->items[i] = NULL;   /* the map owns it now */
	}
	return 0;
}

/* Reads the children of list or map `parent` up to its end event. */
static int read_children(reader *r, lrs_node *parent, int depth)
{
	int is_map = parent->kind == LRS_NODE_MAP;
	yaml_event_type_t end = is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
	lrs_node *merged = NULL;   /* what merge keys bring, applied at the end */
	yaml_event_t ev;
	int rc = 0;

	while (rc == 0 && (rc = next_event(r, &ev)) == 0) {
		char *key = NULL;
		int merge = 0, key_line = 0, key_col = 0;   /* where the key was */
		lrs_node *child = NULL;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			rc = apply_merge(parent, merged);
			break;
		}
		if (is_map) {
			key_line = (int)ev.start_mark.line + 1;
			key_col = (int)ev.start_mark.column + 1;
			if ((rc = read_key(&ev, parent, merged != NULL, &key, &merge)) < 0 || (rc = next_event(r, &ev)) < 0) {
				free(key);
				break;
			}
		}
		/* what a merge key brings lands in this map: its value, a mapping
		 * or a list of them, is read one level up or two */
		int at = !merge ? depth + 1 : ev.type == YAML_SEQUENCE_START_EVENT ? depth - 1 : depth;
		if ((rc = read_node(r, &ev, &child, at)) == 0 && merge) {
			if ((rc = merged ? 0 : lrs_node_new_map(&merged, key_line, key_col)) == 0)
				rc = merge_from(r, merged, child, 0, depth);
			if ((r->kept || lrs_node_new_list(&r->kept, 0, 0) == 0) && lrs_node_append(r->kept, NULL, child) == 0)
				child = NULL;
			else
				rc = lrs_error_set(LRS_ENOMEM, "out of memory");
			lrs_node_free(child);
		} else if (rc == 0) {
			child->key_line = key_line;
			child->key_column = key_col;
			if ((rc = lrs_node_append(parent, key, child)) < 0)
				lrs_node_free(child);
		}
		free(key);
	}
	lrs_node_free(merged);
	return rc;
}

/* Reads the node that starts with event `ev` (consumed). */
static int read_node(reader *r, yaml_event_t *ev, lrs_node **out, int depth)
{
	const yaml_mark_t m = ev->start_mark;
	int line = (int)m.line + 1, col = (int)m.column + 1;
	const char *anchor_name = NULL;
	int rc;

	*out = NULL;
	switch (ev->type) {
	case YAML_ALIAS_EVENT: {
		const anchor *a = NULL;
		for (size_t i = r->n_anchors; i-- > 0 && !a;)
			if (strcmp(r->anchors[i].name, (const char *)ev->data.alias.anchor) == 0)
				a = &r->anchors[i];
		if (a && (rc = copy_node(r, out, a->node, &m, depth)) == 0) {
			(*out)->line = line;   /* a problem of the value as a whole: where it is used */
			(*out)->column = col;
		} else if (!a) {
			rc = lrs_error_set_at(LRS_EINVALID, line, col, "unknown alias '*%s'", ev->data.alias.anchor);
		}
		break;
	}
	case YAML_SCALAR_EVENT:
		if ((rc = count_node(r, &m)) < 0 || (rc = check_scalar(ev)) < 0 ||
		    (rc = check_tag(ev->data.scalar.tag, &m)) < 0)
			break;
		if ((rc = lrs_node_new_scalar(out, (const char *)ev->data.scalar.value, line, col)) == 0) {
			(*out)->quoted = is_string(ev);
			(*out)->tag = tag_of(ev);
		}
		anchor_name = (const char *)ev->data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		int is_map = ev->type == YAML_MAPPING_START_EVENT;
		if ((rc = count_node(r, &m)) < 0 ||
		    (rc = check_tag(is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag, &m)) < 0)
			break;
		if (depth >= LRS_CONFIG_MAX_DEPTH) {
			rc = too_deep(&m);
			break;
		}
		rc = is_map ? lrs_node_new_map(out, line, col) : lrs_node_new_list(out, line, col);
		if (rc == 0)
			rc = read_children(r, *out, depth);
		anchor_name = (const char *)(is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor);
		break;
	}
	default:
		rc = lrs_error_set_at(LRS_EINVALID, line, col, "unexpected YAML event");
		break;
	}
	if (rc == 0 && anchor_name)
		rc = remember(r, anchor_name, *out);
	if (rc < 0) {
		lrs_node_free(*out);
		*out = NULL;
	}
	yaml_event_delete(ev);
	return rc;
}

int lrs_config_parse_yaml(lrs_node **out, const char *text, size_t len)
{
	reader r;
	yaml_event_t ev;
	lrs_node *root = NULL;
	int rc, done = 0;

	*out = NULL;
	memset(&r, 0, sizeof r);
	if (!yaml_parser_initialize(&r.parser))
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);
	r.text = text;
	r.len = len;
	while (!done && (rc = next_event(&r, &ev)) == 0) {
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			yaml_event_delete(&ev);
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (root) {
				rc = lrs_error_set_at(LRS_EINVALID, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
				                      "more than one YAML document");
				yaml_event_delete(&ev);
				goto out;
			}
			yaml_event_delete(&ev);
			break;
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			done = 1;
			break;
		default:
			if ((rc = read_node(&r, &ev, &root, 0)) < 0)
				goto out;
			break;
		}
	}
	if (rc == 0 && !root)
		rc = lrs_node_new_map(&root, 1, 1);
out:
	if (rc < 0) {
		lrs_node_free(root);
		root = NULL;
	}
	for (size_t i = 0; i < r.n_anchors; i++)
		free(r.anchors[i].name);
	free(r.anchors);
	lrs_node_free(r.kept);
	yaml_parser_delete(&r.parser);
	*out = root;
	return rc;
}
