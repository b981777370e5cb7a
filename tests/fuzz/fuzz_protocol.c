/* fuzz_protocol.c - the external-trainer protocol's JSON reader
 * (src/external/json.c), which reads every line a training program writes
 * on its channel: any bytes must be either refused with a message or read
 * into a tree; a tree written back as JSON (lrs_node_json) must read
 * again, and its text must then stay the same (strings stay strings,
 * but the first round may respell a number, 1.0 as 1, never more);
 * every scalar goes through the number readers.
 *
 * Input: one line as the program would write it (without the newline). */
#include <stdlib.h>
#include <string.h>

#include "lrsweep/node.h"
#include "lrsweep/util.h"
#include "../../src/external/json.h"
#include "fuzz.h"

static void numbers(const lrs_node *n)
{
	double d;
	long l;

	if (n->kind == LRS_NODE_SCALAR) {
		lrs_json_number(n, &d);
		lrs_json_long(n, &l);
		return;
	}
	for (size_t i = 0; i < n->n; i++)
		numbers(n->items[i]);
}

/* n written as JSON; NULL out of memory */
static char *text_of(const lrs_node *n)
{
	lrs_buf b = { 0 };

	lrs_node_json(&b, n);
	return lrs_buf_take(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128];
	lrs_node *n = NULL, *again = NULL, *third = NULL;
	char *t1 = NULL, *t2 = NULL;

	if (lrs_json_parse(&n, (const char *)data, size, err, sizeof err) < 0) {
		if (!err[0])
			abort();   /* a refusal always says why */
		return 0;
	}
	numbers(n);
	if (!(t1 = text_of(n)))
		goto out;
	if (lrs_json_parse(&again, t1, strlen(t1), err, sizeof err) < 0)
		abort();   /* what lrsweep writes, it reads */
	if (!(t2 = text_of(again)))
		goto out;
	if (lrs_json_parse(&third, t2, strlen(t2), err, sizeof err) < 0)
		abort();
	char *t3 = text_of(third);
	if (t3 && strcmp(t2, t3))
		abort();   /* stable after one round */
	free(t3);
out:
	free(t1);
	free(t2);
	lrs_node_free(n);
	lrs_node_free(again);
	lrs_node_free(third);
	return 0;
}
