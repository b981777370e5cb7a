/* fuzz_params.c - a trainer's params written as JSON (lrs_node_json,
 * src/common/node.c): lrsweep reads the experiment file's `params:` with
 * its YAML reader and hands them to the program as JSON, in the params
 * file, in the config message and (read back by the protocol's reader)
 * as the "--key=value" arguments of "{args}" (SPEC §12). Whatever YAML
 * scalar a value came from, what lrsweep writes must be valid JSON that
 * its own reader reads back to the same shape:
 *
 *   - the text is one RFC 8259 value whose strings are UTF-8 without raw
 *     control characters (lrs_json_valid);
 *   - the protocol's reader (lrs_json_parse) reads it, as "{args}" does,
 *     into a tree of the same kinds, sizes and keys (no two keys written
 *     the same), every quoted scalar the same string, every plain boolean
 *     spelling (yes, Off, ...) a JSON true or false;
 *   - written again from what was read, the text is the same: a value's
 *     JSON type is decided once, when lrsweep first writes it.
 *
 * Input: a YAML document (a params: mapping, or any value), read as the
 * experiment file is (lrs_config_parse_yaml: tags, merge keys, aliases,
 * the nesting and size bounds). */
#include <stdlib.h>
#include <string.h>

#include "lrsweep/config.h"
#include "lrsweep/node.h"
#include "lrsweep/util.h"
#include "../../src/external/json.h"
#include "fuzz.h"

/* n written as JSON; NULL out of memory */
static char *text_of(const lrs_node *n)
{
	lrs_buf b = { 0 };

	lrs_node_json(&b, n);
	return lrs_buf_take(&b);
}

/* Whether `back`, read from the JSON of `yaml`, is the same tree. */
static int same_shape(const lrs_node *yaml, const lrs_node *back)
{
	int yes;

	if (yaml->kind != back->kind)
		return 0;
	if (yaml->kind == LRS_NODE_SCALAR) {
		if (yaml->quoted)   /* '1.10', "yes", !!str on: the string as written */
			return back->quoted && !strcmp(yaml->text, back->text);
		if (lrs_parse_bool(yaml->text, &yes) == 0)
			return !strcmp(back->text, yes ? "true" : "false");
		return 1;   /* a string, a number (perhaps respelled) or null */
	}
	if (yaml->n != back->n)
		return 0;   /* two keys written the same collapse into one */
	for (size_t i = 0; i < yaml->n; i++)
		if ((yaml->keys && strcmp(yaml->keys[i], back->keys[i])) || !same_shape(yaml->items[i], back->items[i]))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128];
	lrs_node *yaml = NULL, *back = NULL;
	char *t1 = NULL, *t2 = NULL;

	if (lrs_config_parse_yaml(&yaml, (const char *)data, size) < 0)
		return 0;
	if (!(t1 = text_of(yaml)))
		goto out;
	if (!lrs_json_valid(t1))
		abort();   /* not JSON, or not UTF-8, or a raw control character */
	if (lrs_json_parse(&back, t1, strlen(t1), err, sizeof err) < 0)
		abort();   /* "{args}" would find no params */
	if (!same_shape(yaml, back))
		abort();
	if ((t2 = text_of(back)) && strcmp(t1, t2))
		abort();   /* each value's type was decided at the first writing */
out:
	free(t1);
	free(t2);
	lrs_node_free(yaml);
	lrs_node_free(back);
	return 0;
}
