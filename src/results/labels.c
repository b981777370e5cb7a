/* labels.c - the names of configurations (results.h): one label per
 * configuration, "the type and what tells it from the others", used by
 * every command that shows one, and stored JSON made readable.
 *
 * Values come from the stored, resolved parameters (the numbers that
 * trained), so that any reader of the database names a configuration
 * alike: a rate written "@max/4" in the experiment file is shown as the
 * rate it resolved to. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/config.h"
#include "lrsweep/number.h"
#include "lrsweep/results.h"
#include "lrsweep/util.h"

/* Whether a string's text would be read as something else shown bare: a
 * number ("16", "0x10", "1e-3"), a boolean or null spelling, or nothing. */
static int looks_typed(const char *text, size_t len)
{
	static const char *const words[] = { "true", "false", "null" };

	if (len == 0 || lrs_number_read(text, len, NULL, NULL) != LRS_NUMBER_NONE)
		return 1;
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strlen(words[i]) == len && !strncmp(text, words[i], len))
			return 1;
	return 0;
}

/* A string value as people read it: bare, or quoted ('16', '0x10') when it
 * would pass for a number (or a boolean, null) that it is not. */
static void put_string(lrs_buf *b, const char *text, size_t len)
{
	if (looks_typed(text, len))
		lrs_buf_printf(b, "'%.*s'", (int)len, text);
	else
		lrs_buf_printf(b, "%.*s", (int)len, text);
}

/* A stored JSON number as people read it: an integer with every digit
 * (9007199254740993 and ...992 are two values, 10000 is not 1e+04), a
 * real to 4 significant digits. */
static void put_number(lrs_buf *b, const char *text, size_t len)
{
	double v = 0;

	if (lrs_number_read(text, len, &v, NULL) == LRS_NUMBER_INTEGER)
		lrs_buf_printf(b, "%.*s", (int)len, text);
	else
		lrs_buf_printf(b, "%.4g", v);
}

/* A JSON object as "k=v, k=v": strings unquoted (but those that look like
 * a number: '16'), integers whole, reals to 4 significant digits, nested
 * values as "[...]" and "{k: v}". */
char *lrs_results_readable(const char *json)
{
	lrs_buf b = { 0 };
	int depth = 0;

	for (const char *p = json; *p;) {
		if (*p == '"') {
			const char *end = p + 1;
			while (*end && *end != '"')
				end += *end == '\\' && end[1] ? 2 : 1;
			put_string(&b, p + 1, (size_t)(end - p - 1));
			p = *end ? end + 1 : end;
		} else if (*p == '-' || isdigit((unsigned char)*p)) {
			size_t len = strspn(p, "-+0123456789.eE");   /* a JSON number's characters */
			put_number(&b, p, len);
			p += len;
		} else if (*p == ':') {
			lrs_buf_printf(&b, depth == 1 ? "=" : ": ");
			p += p[1] == ' ' ? 2 : 1;
		} else {
			if (*p == '}' || *p == ']')
				depth--;
			if (!(depth == 0 && (*p == '{' || *p == '}')))   /* the outer braces go */
				lrs_buf_printf(&b, "%c", *p);
			if (*p == '{' || *p == '[')
				depth++;
			p++;
		}
	}
	return lrs_buf_take(&b);
}


/* A scalar of a parsed JSON tree as people read it (lrs_results_readable's
 * way): the stored text itself, never strtod's reading of it ("0x10", a
 * string, is not 16). */
static void put_scalar(lrs_buf *out, const lrs_node *n)
{
	size_t len = strlen(n->text);

	if (n->quoted)
		put_string(out, n->text, len);
	else if (lrs_number_read(n->text, len, NULL, NULL) != LRS_NUMBER_NONE)
		put_number(out, n->text, len);
	else
		lrs_buf_printf(out, "%s", n->text);   /* true, false, null */
}

/* The scalar leaves of a parsed JSON tree as "path=value" lines of out. */
static void leaves(lrs_buf *out, const lrs_node *n, const char *path)
{
	if (n->kind == LRS_NODE_MAP) {
		for (size_t i = 0; i < n->n; i++) {
			char sub[256];
			/* "#" alone marks a hyperparameter: no "." after it */
			snprintf(sub, sizeof sub, "%s%s%s", path, *path && strcmp(path, "#") ? "." : "", n->keys[i]);
			leaves(out, n->items[i], sub);
		}
	} else if (n->kind == LRS_NODE_LIST) {
		lrs_buf_printf(out, "%s=[", path);
		for (size_t i = 0; i < n->n; i++) {
			lrs_buf_printf(out, "%s", i ? ", " : "");
			if (n->items[i]->kind == LRS_NODE_SCALAR)
				put_scalar(out, n->items[i]);
			else
				lrs_buf_printf(out, "...");
		}
		lrs_buf_printf(out, "]\n");
	} else {
		lrs_buf_printf(out, "%s=", path);
		put_scalar(out, n);
		lrs_buf_printf(out, "\n");
	}
}

/* "k=v\n" lines of one configuration's params (prefix "") and hyper. */
static char *flat(const char *params, const char *hyper)
{
	lrs_buf b = { 0 };
	const char *src[2] = { params, hyper };

	for (int k = 0; k < 2; k++) {
		lrs_node *n = NULL;
		if (src[k] && lrs_config_parse_yaml(&n, src[k], strlen(src[k])) == 0) {
			leaves(&b, n, k ? "#" : "");   /* # marks a hyperparameter */
			lrs_node_free(n);
		}
	}
	return b.data ? lrs_buf_take(&b) : strdup("");
}

/* One line of a configuration's flat text, as the labels weigh it. */
typedef struct {
	const char *group;       /* schedule type for its parameters, "" for a
	                            hyperparameter (compared across types)  */
	const char *line;        /* "k=v" (or "#k=v"), up to its '\n'        */
	size_t len;
	size_t config;           /* whose line                               */
	size_t having;           /* configurations of its group that have it */
} flat_line;

/* qsort order of flat_line pointers: group, line, configuration. */
static int by_group_line(const void *pa, const void *pb)
{
	const flat_line *a = *(const flat_line *const *)pa, *b = *(const flat_line *const *)pb;
	int c = strcmp(a->group, b->group);
	size_t m = a->len < b->len ? a->len : b->len;

	if (c == 0 && (c = memcmp(a->line, b->line, m)) == 0)
		c = (a->len > b->len) - (a->len < b->len);
	return c ? c : (a->config > b->config) - (a->config < b->config);
}

/* A configuration's schedule type, to count those of each type. */
typedef struct {
	const char *type;
	size_t config;
} typed;

/* qsort order of typed: type, configuration. */
static int by_type(const void *pa, const void *pb)
{
	const typed *a = pa, *b = pb;
	int c = strcmp(a->type, b->type);

	return c ? c : (a->config > b->config) - (a->config < b->config);
}

static int same_line(const flat_line *a, const flat_line *b)
{
	return a->len == b->len && !memcmp(a->line, b->line, a->len) && !strcmp(a->group, b->group);
}

/* The lines of every configuration's flat text (flats), in order, each
 * with how many configurations of its group have it; *n_out lines. Sorts
 * pointers to them, O(L log L) for L lines in all: comparing every line
 * with every other configuration's took minutes past a few thousand. */
static flat_line *weigh_lines(size_t *n_out, char *const *flats, const char *const *schedule, size_t n)
{
	size_t total = 0, k = 0;
	flat_line *lines, **order;

	for (size_t i = 0; i < n; i++)
		for (const char *l = flats[i] ? flats[i] : ""; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n'))
			total++;
	lines = calloc(total + 1, sizeof *lines);
	order = calloc(total + 1, sizeof *order);
	if (!lines || !order) {
		free(lines);
		free(order);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		for (const char *l = flats[i] ? flats[i] : ""; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n')) {
			lines[k] = (flat_line){ *l == '#' ? "" : schedule[i], l, strcspn(l, "\n"), i, 0 };
			order[k] = &lines[k];
			k++;
		}
	qsort(order, total, sizeof *order, by_group_line);
	for (size_t a = 0, b; a < total; a = b) {   /* a run of one line of one group: its configurations */
		size_t having = 0;
		for (b = a; b < total && same_line(order[b], order[a]); b++)
			having += b == a || order[b]->config != order[b - 1]->config;
		for (size_t c = a; c < b; c++)
			order[c]->having = having;
	}
	free(order);
	*n_out = total;
	return lines;
}

char **lrs_results_labels(const char *const *schedule, const char *const *params, const char *const *hyper,
                          size_t n)
{
	char **flats = calloc(n + 1, sizeof *flats), **out = calloc(n + 1, sizeof *out);
	typed *by = calloc(n + 1, sizeof *by);
	size_t *same_type = calloc(n + 1, sizeof *same_type);
	size_t n_lines = 0, valid = 0;
	flat_line *lines = NULL;

	if (!flats || !out || !by || !same_type)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		flats[i] = flat(params[i], hyper ? hyper[i] : NULL);
		valid += flats[i] != NULL;
		by[i] = (typed){ schedule[i], i };
	}
	/* how many configurations (with their text) share each one's type */
	qsort(by, n, sizeof *by, by_type);
	for (size_t a = 0, b; a < n; a = b) {
		size_t count = 0;
		for (b = a; b < n && !strcmp(by[b].type, by[a].type); b++)
			count += flats[by[b].config] != NULL;
		for (size_t c = a; c < b; c++)
			same_type[by[c].config] = count;
	}
	if (!(lines = weigh_lines(&n_lines, flats, schedule, n)))
		goto fail;
	for (size_t i = 0, k = 0; i < n; i++) {
		lrs_buf b = { 0 };
		int first = 1, hyper_first = 1;
		lrs_buf_printf(&b, "%s", schedule[i]);
		/* a parameter differs when another configuration lacks this
		 * value: of the same schedule type for schedule parameters, of
		 * any type for hyperparameters */
		for (; k < n_lines && lines[k].config == i; k++) {
			const flat_line *l = &lines[k];
			int hyp = *l->line == '#';
			if (l->having >= (hyp ? valid : same_type[i]))
				continue;
			if (hyp)
				lrs_buf_printf(&b, "%s%.*s", hyper_first ? "; " : ", ", (int)l->len - 1, l->line + 1);
			else
				lrs_buf_printf(&b, "%s%.*s", first ? " " : ", ", (int)l->len, l->line);
			if (hyp)
				hyper_first = 0;
			else
				first = 0;
		}
		out[i] = lrs_buf_take(&b);
		if (!out[i])
			out[i] = strdup(schedule[i]);
	}
	free(lines);
	for (size_t i = 0; i < n; i++)
		free(flats[i]);
	free(flats);
	free(by);
	free(same_type);
	return out;
fail:
	for (size_t i = 0; flats && i < n; i++)
		free(flats[i]);
	free(flats);
	free(out);
	free(by);
	free(same_type);
	return NULL;
}
