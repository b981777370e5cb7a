/* factors.c - the keys of trials (results.h): what "schedule",
 * "schedule.NAME" or a dotted hyperparameter path holds in each trial,
 * the trials grouped by such keys (lrs_results_opts.by: `query compare
 * --by`), and the keys an experiment file searched (`plot search`).
 *
 * Everything is read from the stored, resolved JSON of each trial (params
 * and hyper), parsed with the config module's reader (JSON is YAML), so a
 * key means the same whichever command asks. Pure: no store, no globals.
 * The statistics of the groups are results.c's, as for configurations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/config.h"
#include "lrsweep/error.h"
#include "lrsweep/results.h"
#include "lrsweep/util.h"
#include "internal.h"

/* ------------------------------------------------------------ values */

/* The node at dotted `path` under map n, or NULL. */
static const lrs_node *path_get(const lrs_node *n, const char *path)
{
	char part[256];

	while (n && *path) {
		size_t len = strcspn(path, ".");
		if (n->kind != LRS_NODE_MAP || len == 0 || len >= sizeof part)
			return NULL;
		memcpy(part, path, len);
		part[len] = '\0';
		n = lrs_node_get(n, part);
		path += len + (path[len] == '.');
	}
	return n;
}

/* Stored JSON as a tree; NULL when there is none or it does not parse. */
static lrs_node *parse_json(const char *text)
{
	lrs_node *n = NULL;

	if (!text || lrs_config_parse_yaml(&n, text, strlen(text)) < 0)
		return NULL;
	return n;
}

/* The JSON of `key` in trial t (its parsed params and hyper), or NULL when
 * it lacks the key; *nomem set when memory ran out. */
static char *value_of(const lrs_trial_row *t, const lrs_node *params, const lrs_node *hyper, const char *key,
                      int *nomem)
{
	lrs_buf b = { 0 };
	char *s;

	if (!strcmp(key, "schedule")) {
		lrs_buf_json_string(&b, t->schedule ? t->schedule : "");
	} else {
		const lrs_node *n = !strncmp(key, "schedule.", 9) ? path_get(params, key + 9) : path_get(hyper, key);
		if (!n)
			return NULL;
		lrs_node_json(&b, n);
	}
	if (!(s = lrs_buf_take(&b)))
		*nomem = 1;
	return s;
}

char **lrs_results_values(const lrs_results *r, const char *const *keys, size_t n_keys)
{
	size_t n = r->trials.n;
	char **out = calloc(n * n_keys + 1, sizeof *out);
	int nomem = !out;

	for (size_t i = 0; i < n && !nomem; i++) {
		const lrs_trial_row *t = &r->trials.items[i];
		lrs_node *params = parse_json(t->params), *hyper = parse_json(t->hyper);
		for (size_t k = 0; k < n_keys; k++)
			out[i * n_keys + k] = value_of(t, params, hyper, keys[k], &nomem);
		lrs_node_free(params);
		lrs_node_free(hyper);
	}
	if (nomem) {
		lrs_results_values_free(out, n * n_keys);
		return NULL;
	}
	return out;
}

void lrs_results_values_free(char **values, size_t n)
{
	for (size_t i = 0; values && i < n; i++)
		free(values[i]);
	free(values);
}

char *lrs_results_value_text(const char *json)
{
	return json ? lrs_results_readable(json) : strdup("-");
}

/* ------------------------------------------------------------ known keys */

/* Appends `key` to the ", "-separated list b unless it is there. */
static void add_key(lrs_buf *b, const char *key)
{
	size_t len = strlen(key);

	for (const char *p = b->data; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] ? 2 : 0))
		if (strcspn(p, ",") == len && !strncmp(p, key, len))
			return;
	lrs_buf_printf(b, "%s%s", b->len ? ", " : "", key);
}

/* The leaf paths of map n (prefix `path`) into b: maps are walked, lists
 * and scalars are values. */
static void add_leaves(lrs_buf *b, const lrs_node *n, const char *path)
{
	for (size_t i = 0; n && n->kind == LRS_NODE_MAP && i < n->n; i++) {
		char sub[512];
		snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", n->keys[i]);
		if (n->items[i]->kind == LRS_NODE_MAP && n->items[i]->n > 0)
			add_leaves(b, n->items[i], sub);
		else
			add_key(b, sub);
	}
}

char *lrs_results_keys(const lrs_results *r)
{
	lrs_buf b = { 0 };

	add_key(&b, "schedule");
	for (size_t i = 0; i < r->trials.n; i++) {   /* the hyperparameters, then the schedules' */
		lrs_node *hyper = parse_json(r->trials.items[i].hyper);
		add_leaves(&b, hyper, "");
		lrs_node_free(hyper);
	}
	for (size_t i = 0; i < r->trials.n; i++) {
		lrs_node *params = parse_json(r->trials.items[i].params);
		for (size_t k = 0; params && params->kind == LRS_NODE_MAP && k < params->n; k++) {
			char key[300];
			snprintf(key, sizeof key, "schedule.%s", params->keys[k]);
			add_key(&b, key);
		}
		lrs_node_free(params);
	}
	return lrs_buf_take(&b);
}

/* ------------------------------------------------------------ groups */

/* A trial as sorted into groups: its row of values. */
typedef struct {
	char **v;                       /* (n) its values                    */
	size_t n;
	int64_t id;
	size_t index;                   /* in r->trials                      */
} value_ref;

static int cmp_values(char *const *a, char *const *b, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (!a[k] != !b[k])
			return a[k] ? 1 : -1;   /* absent first */
		int c = a[k] ? strcmp(a[k], b[k]) : 0;
		if (c)
			return c;
	}
	return 0;
}

/* By values, then id. */
static int cmp_ref(const void *x, const void *y)
{
	const value_ref *a = x, *b = y;
	int c = cmp_values(a->v, b->v, a->n);

	return c ? c : (a->id > b->id) - (a->id < b->id);
}

/* Configurations of trials by their stored key, for counting. */
static int cmp_row(const void *x, const void *y)
{
	return results_cmp_config(*(const lrs_trial_row *const *)x, *(const lrs_trial_row *const *)y);
}

/* How many configurations the completed trials of group c belong to. */
static int count_distinct(const lrs_results *r, lrs_result_config *c)
{
	const lrs_trial_row **rows = calloc(c->n_trials + 1, sizeof *rows);
	size_t m = 0;

	if (!rows)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (size_t i = 0; i < c->n_trials; i++)
		if (r->trials.items[c->trials[i]].status == LRS_TRIAL_COMPLETED)
			rows[m++] = &r->trials.items[c->trials[i]];
	qsort(rows, m, sizeof *rows, cmp_row);
	c->n_distinct = 0;
	for (size_t i = 0; i < m; i++)
		c->n_distinct += i == 0 || results_cmp_config(rows[i - 1], rows[i]) != 0;
	free(rows);
	return 0;
}

/* Group c's label: its value, or "k=v, k=v" for several keys. */
static char *group_label(const lrs_results *r, const lrs_result_config *c)
{
	lrs_buf b = { 0 };

	for (size_t k = 0; k < r->n_by; k++) {
		char *v = lrs_results_value_text(c->values[k]);
		if (r->n_by == 1)
			lrs_buf_printf(&b, "%s", v ? v : "");
		else
			lrs_buf_printf(&b, "%s%s=%s", k ? ", " : "", r->by[k], v ? v : "");
		if (!v)
			b.failed = 1;
		free(v);
	}
	return lrs_buf_take(&b);
}

/* The known key `key` likely means, from the ", "-separated list
 * `known` (edited in place): the same but for case ("Schedule"), one it
 * is the last part of ("layers" for "model.layers"), or the nearest by
 * spelling; NULL when none is near. */
static const char *nearest_key(char *known, const char *key)
{
	const char *names[256];
	size_t n = 0, len = strlen(key);

	for (char *p = known; *p && n < sizeof names / sizeof names[0];) {
		size_t m = strcspn(p, ",");
		names[n++] = p;
		if (!p[m])
			break;
		p[m] = '\0';
		for (p += m + 1; *p == ' '; p++)
			;
	}
	for (size_t i = 0; i < n; i++) {
		size_t m = strlen(names[i]), same = m == len;
		for (size_t j = 0; same && j < m; j++)
			same = (names[i][j] | 0x20) == (key[j] | 0x20);
		if (same || (m > len && names[i][m - len - 1] == '.' && !strcmp(names[i] + m - len, key)))
			return names[i];
	}
	return lrs_nearest_name(key, names, n);
}

/* The error for a key no trial has, naming the ones they have. */
static int unknown_key(const lrs_results *r, const char *key)
{
	char *known = lrs_results_keys(r), *copy = known ? strdup(known) : NULL;
	const char *near = copy ? nearest_key(copy, key) : NULL;
	int rc = lrs_error_set(LRS_EINVALID, "unknown key '%s' for --by; the trials have: %s%s%s%s", key,
	                       known ? known : "(out of memory)", near ? "; did you mean '" : "", near ? near : "",
	                       near ? "'?" : "");

	free(copy);
	free(known);
	return rc;
}

/* Copies opts' keys into r, and fails on one that no trial has. */
static int take_keys(lrs_results *r, const lrs_results_opts *o, char **values)
{
	if (o->n_by > LRS_RESULTS_MAX_BY)
		return lrs_error_set(LRS_EINVALID, "at most %d keys for --by, got %zu", LRS_RESULTS_MAX_BY, o->n_by);
	if (!(r->by = calloc(o->n_by, sizeof *r->by)))
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (size_t k = 0; k < o->n_by; k++)
		if (!(r->by[r->n_by++] = strdup(o->by[k])))
			return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (size_t k = 0; k < o->n_by; k++) {
		size_t i = 0;
		while (i < r->trials.n && !values[i * o->n_by + k])
			i++;
		if (i == r->trials.n && r->trials.n > 0)
			return unknown_key(r, o->by[k]);
	}
	return 0;
}

/* The groups of `refs` (n, sorted by cmp_ref) as r's configurations,
 * each taking its values from its first trial's row. */
static int make_groups(lrs_results *r, value_ref *refs, size_t n)
{
	if (!(r->configs = calloc(n + 1, sizeof *r->configs)))
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && cmp_values(refs[i].v, refs[j].v, r->n_by) == 0)
			j++;
		lrs_result_config *c = &r->configs[r->n_configs++];
		c->schedule = "";
		c->params = c->hyper = "{}";
		c->rank = (size_t)refs[i].id;   /* the first trial's id, to sort by */
		c->values = calloc(r->n_by, sizeof *c->values);
		c->trials = malloc((j - i) * sizeof *c->trials);
		if (!c->values || !c->trials)
			return lrs_error_set(LRS_ENOMEM, "out of memory");
		for (size_t k = 0; k < r->n_by; k++) {   /* taken from the first row */
			c->values[k] = refs[i].v[k];
			refs[i].v[k] = NULL;
		}
		for (size_t k = i; k < j; k++)
			c->trials[k - i] = refs[k].index;
		c->n_trials = j - i;
		i = j;
	}
	return 0;
}

/* Labels and counts of r's groups, now in plan order. */
static int finish_groups(lrs_results *r)
{
	for (size_t k = 0; k < r->n_configs; k++) {
		lrs_result_config *c = &r->configs[k];
		int rc;
		if (!(c->label = group_label(r, c)))
			return lrs_error_set(LRS_ENOMEM, "out of memory");
		if ((rc = count_distinct(r, c)) < 0)
			return rc;
	}
	return 0;
}

int results_group_by(lrs_results *r, const lrs_results_opts *o)
{
	size_t nt = r->trials.n, n = 0;
	char **values = lrs_results_values(r, o->by, o->n_by);
	value_ref *refs = calloc(nt + 1, sizeof *refs);
	int rc;

	if (!values || !refs) {
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = take_keys(r, o, values)) < 0)
		goto out;
	for (size_t i = 0; i < nt; i++)   /* --schedule: that type's trials alone */
		if (!o->schedule || !strcmp(o->schedule, r->trials.items[i].schedule))
			refs[n++] = (value_ref){ &values[i * o->n_by], o->n_by, r->trials.items[i].id, i };
	qsort(refs, n, sizeof *refs, cmp_ref);
	if ((rc = make_groups(r, refs, n)) < 0)
		goto out;
	results_plan_order(r);
	rc = finish_groups(r);
out:
	lrs_results_values_free(values, values ? nt * o->n_by : 0);
	free(refs);
	return rc;
}

/* ------------------------------------------------------------ searched keys */

/* Whether a value in an experiment file is searched: a one-key map of a
 * list ({grid: [...]}, {log_uniform: [lo, hi]}, ...); *log when its kind
 * draws on a log scale (log_uniform, and any kind named log...). */
static int searched_value(const lrs_node *v, int *log)
{
	if (v->kind != LRS_NODE_MAP || v->n != 1 || v->items[0]->kind != LRS_NODE_LIST)
		return 0;
	*log = !strncmp(v->keys[0], "log", 3);
	return 1;
}

/* Appends key (prefix + name) to out unless it is there. */
static int add_searched(lrs_search_key *out, size_t *n, const char *prefix, const char *name, int log)
{
	char key[300];

	snprintf(key, sizeof key, "%s%s", prefix, name);
	for (size_t k = 0; k < *n; k++)
		if (!strcmp(out[k].key, key))
			return 0;
	if (!(out[*n].key = strdup(key)))
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	out[(*n)++].log = log;
	return 0;
}

/* The searched values of map m (keys but `skip`) under `prefix`. */
static int add_map(lrs_search_key *out, size_t *n, const lrs_node *m, const char *prefix, const char *skip)
{
	int log, rc = 0;

	for (size_t k = 0; m && m->kind == LRS_NODE_MAP && k < m->n && rc == 0; k++)
		if ((!skip || strcmp(m->keys[k], skip)) && searched_value(m->items[k], &log))
			rc = add_searched(out, n, prefix, m->keys[k], log);
	return rc;
}

/* How many nodes a tree has: a bound on the keys it can search. */
static size_t count_nodes(const lrs_node *n)
{
	size_t c = 1;

	for (size_t i = 0; n->kind != LRS_NODE_SCALAR && i < n->n; i++)
		c += count_nodes(n->items[i]);
	return c;
}

/* "schedule" when the trials have several types, then every key the
 * file (root, or NULL) writes as a search value, in the file's order. */
static int candidates(lrs_search_key **out, size_t *n, const lrs_node *root, int types)
{
	const lrs_node *trials = root ? lrs_node_get(root, "trials") : NULL;
	const lrs_node *sched = trials && trials->kind == LRS_NODE_MAP ? lrs_node_get(trials, "schedules") : NULL;
	int rc = 0;

	if (!(*out = calloc((root ? count_nodes(root) : 0) + 2, sizeof **out)))
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	if (types > 1)
		rc = add_searched(*out, n, "", "schedule", 0);
	if (rc == 0 && trials && trials->kind == LRS_NODE_MAP)
		rc = add_map(*out, n, lrs_node_get(trials, "space"), "", NULL);
	if (rc == 0 && root)
		rc = add_map(*out, n, lrs_node_get(root, "params"), "params.", NULL);
	for (size_t i = 0; rc == 0 && sched && sched->kind == LRS_NODE_LIST && i < sched->n; i++)
		rc = add_map(*out, n, sched->items[i], "schedule.", "type");
	return rc;
}

/* How many different values column k of values (rows of m) holds, up to 2. */
static int varies(char **values, size_t rows, size_t m, size_t k)
{
	const char *first = NULL;

	for (size_t i = 0; i < rows; i++) {
		const char *v = values[i * m + k];
		if (v && !first)
			first = v;
		else if (v && strcmp(v, first))
			return 1;
	}
	return 0;
}

/* How many schedule types r's trials have, up to 2. */
static int schedule_types(const lrs_results *r)
{
	for (size_t i = 1; i < r->trials.n; i++)
		if (strcmp(r->trials.items[i].schedule, r->trials.items[0].schedule))
			return 2;
	return r->trials.n > 0;
}

int lrs_results_searched(lrs_search_key **out, size_t *n, const lrs_results *r, const char *config)
{
	lrs_node *root = NULL;
	lrs_search_key *c = NULL;
	size_t nc = 0, nv = 0;          /* candidates; values held          */
	char **values = NULL;
	const char **keys = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if (!config || lrs_config_parse_yaml(&root, config, strlen(config)) < 0 || root->kind != LRS_NODE_MAP) {
		lrs_node_free(root);   /* a file that does not parse searches nothing */
		root = NULL;
	}
	if ((rc = candidates(&c, &nc, root, schedule_types(r))) < 0 || nc == 0)
		goto out;
	if (!(keys = calloc(nc, sizeof *keys))) {
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < nc; k++)
		keys[k] = c[k].key;
	if (!(values = lrs_results_values(r, keys, nc))) {
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto out;
	}
	nv = r->trials.n * nc;
	for (size_t k = 0; k < nc; k++) {   /* those whose values differ, moved to the front */
		if (!varies(values, r->trials.n, nc, k)) {
			free(c[k].key);
			continue;
		}
		c[(*n)++] = c[k];
	}
	nc = 0;
	*out = *n ? c : NULL;
	if (!*n)
		free(c);
	c = NULL;
out:
	lrs_results_values_free(values, nv);
	free(keys);
	lrs_search_keys_free(c, nc);
	lrs_node_free(root);
	return rc;
}

void lrs_search_keys_free(lrs_search_key *k, size_t n)
{
	for (size_t i = 0; k && i < n; i++)
		free(k[i].key);
	free(k);
}
