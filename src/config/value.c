/* value.c - the value of a command-line flag as a node, as the
 * experiment file would hold it: `--milestones 30,80` a list,
 * `--schedulers "[{type: linear}]"` YAML flow text (parsed by yaml.c),
 * anything else a scalar (config.h). */
#include <stdio.h>
#include <string.h>

#include "lrsweep/config.h"
#include "lrsweep/error.h"

/* Clears positions: errors in flag values name the parameter, not a line. */
static void forget_positions(lrs_node *n)
{
	n->line = n->column = 0;
	for (size_t i = 0; i < n->n; i++)
		forget_positions(n->items[i]);
}

int lrs_config_flag_value(lrs_node **out, const char *key, const char *text)
{
	int rc;

	if (text[0] == '[' || text[0] == '{') {
		rc = lrs_config_parse_yaml(out, text, strlen(text));
		if (rc < 0)
			return lrs_error_set(rc, "--%s: %s (line %d, column %d of its value)", key,
			                     lrs_error_last(), lrs_error_line(), lrs_error_column());
		forget_positions(*out);
		return 0;
	}
	if (!strchr(text, ','))
		return lrs_node_new_scalar(out, text, 0, 0);
	if ((rc = lrs_node_new_list(out, 0, 0)) < 0)
		return rc;
	for (const char *p = text;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char item[256];
		lrs_node *child;
		snprintf(item, sizeof item, "%.*s", (int)(len < sizeof item ? len : sizeof item - 1), p);
		if ((rc = lrs_node_new_scalar(&child, item, 0, 0)) < 0 ||
		    (rc = lrs_node_append(*out, NULL, child)) < 0)
			break;
		if (!comma)
			break;
		p = comma + 1;
	}
	if (rc < 0) {
		lrs_node_free(*out);
		*out = NULL;
	}
	return rc;
}
