/* table.c - typed rows printed as an aligned table, CSV (RFC 4180) or
 * JSON (table.h). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/config.h"
#include "lrsweep/error.h"
#include "lrsweep/util.h"
#include "table.h"

#define MAX_CELL 60   /* table format: longer text is cut, with "..." (but
                         not in the last column) */

int cli_format_parse(const char *s, cli_format *out)
{
	static const char *const names[] = { "table", "csv", "json" };

	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i])) {
			*out = (cli_format)i;
			return 0;
		}
	return -1;
}

int cli_table_init(cli_table *t, int ncols, const char *const *names)
{
	memset(t, 0, sizeof *t);
	t->ncols = ncols;
	t->names = calloc((size_t)ncols + 1, sizeof *t->names);
	t->raw_json = calloc((size_t)ncols + 1, 1);
	if (!t->names || !t->raw_json)
		return t->failed = 1, lrs_error_set(LRS_ENOMEM, "out of memory");
	for (int i = 0; i < ncols; i++)
		if (!(t->names[i] = strdup(names[i])))
			return t->failed = 1, lrs_error_set(LRS_ENOMEM, "out of memory");
	return 0;
}

int cli_table_add(cli_table *t, const char *const *values, const lrs_value_type *types)
{
	size_t n = t->nrows + 1, c = (size_t)t->ncols;
	char **cells = realloc(t->cells, n * c * sizeof *cells + 1);
	lrs_value_type *ty;

	if (!cells)
		return t->failed = 1, lrs_error_set(LRS_ENOMEM, "out of memory");
	t->cells = cells;
	ty = realloc(t->types, n * c * sizeof *ty + 1);
	if (!ty)
		return t->failed = 1, lrs_error_set(LRS_ENOMEM, "out of memory");
	t->types = ty;
	for (size_t i = 0; i < c; i++) {
		cells[t->nrows * c + i] = NULL;
		ty[t->nrows * c + i] = LRS_VAL_NULL;
	}
	t->nrows = n;   /* freeable from here on */
	for (size_t i = 0; i < c; i++) {
		if (!values[i])
			continue;
		if (!(cells[(n - 1) * c + i] = strdup(values[i])))
			return t->failed = 1, lrs_error_set(LRS_ENOMEM, "out of memory");
		ty[(n - 1) * c + i] = types[i];
	}
	return 0;
}

int cli_table_collect(void *ctx, int ncols, const char *const *names, const char *const *values,
                      const lrs_value_type *types)
{
	cli_table *t = ctx;

	if (!values)
		return cli_table_init(t, ncols, names) ? 1 : 0;
	return cli_table_add(t, values, types) ? 1 : 0;
}

int cli_table_fetch(cli_table *t, lrs_store *st, const char *sql)
{
	int rc;

	memset(t, 0, sizeof *t);
	rc = lrs_store_query(st, sql, cli_table_collect, t);
	if (rc == 1 || t->failed)
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
	if (rc < 0)   /* what came before the error goes */
		cli_table_free(t);
	return rc;
}

int cli_sql_quote(lrs_buf *b, const char *s)
{
	lrs_buf_printf(b, "'");
	for (; *s; s++)
		lrs_buf_printf(b, *s == '\'' ? "''" : "%c", *s);
	return lrs_buf_printf(b, "'");
}

int cli_is_id(const char *s)
{
	int digits = *s && strlen(s) < 19;

	for (; digits && *s; s++)
		digits = isdigit((unsigned char)*s) != 0;
	return digits;
}

/* `spec` for a message: whole, or its start and its length when long. */
static void spec_shown(char *out, size_t cap, const char *spec)
{
	size_t len = strlen(spec);

	if (len <= 80)
		snprintf(out, cap, "%s", spec);
	else
		snprintf(out, cap, "%.60s... (%zu characters)", spec, len);
}

int cli_experiment_row(cli_table *t, lrs_store *st, const char *db, const char *spec, const char *cols)
{
	lrs_buf sql = { 0 };   /* as long as the name needs: never cut */
	char shown_spec[128];
	int rc;

	lrs_buf_printf(&sql, "SELECT %s FROM experiments", cols);
	if (!spec) {
		lrs_buf_printf(&sql, " ORDER BY id DESC LIMIT 1");
	} else if (cli_is_id(spec)) {
		lrs_buf_printf(&sql, " WHERE id = %s", spec);
	} else {
		lrs_buf_printf(&sql, " WHERE name = ");
		cli_sql_quote(&sql, spec);
		lrs_buf_printf(&sql, " ORDER BY id DESC LIMIT 1");
	}
	if (sql.failed) {
		lrs_buf_free(&sql);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	rc = cli_table_fetch(t, st, sql.data);
	lrs_buf_free(&sql);
	if (rc < 0)
		return rc;
	if (t->nrows == 0) {
		cli_table_free(t);
		if (spec)
			spec_shown(shown_spec, sizeof shown_spec, spec);
		return spec ? lrs_error_set(LRS_EINVALID, "%s: no experiment '%s' (see 'lrsweep query %s experiments')",
		                            db, shown_spec, db)
		            : lrs_error_set(LRS_EINVALID, "%s: holds no experiment yet", db);
	}
	return 0;
}

void cli_table_raw_json(cli_table *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (!strcmp(t->names[i], name))
			t->raw_json[i] = 1;
}

const char *cli_table_get(const cli_table *t, size_t r, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (!strcmp(t->names[i], name))
			return r < t->nrows ? t->cells[r * (size_t)t->ncols + (size_t)i] : NULL;
	return NULL;
}

/* A cell as the table format shows it (free it): reals to 4 significant
 * digits, NULL as "-", text with its control characters escaped (stored
 * text must not drive the terminal: an ESC in an experiment's name would
 * set the title or clear the screen), long text cut unless `whole`. NULL
 * when out of memory. */
static char *shown(const char *v, lrs_value_type ty, int whole)
{
	lrs_buf b = { 0 };

	if (!v)
		lrs_buf_printf(&b, "-");
	else if (ty == LRS_VAL_REAL)
		lrs_buf_printf(&b, "%.4g", atof(v));
	else if (lrs_buf_printable(&b, v, whole ? 0 : MAX_CELL) > 0) {
		b.len = 0;   /* too long: again, shorter, with "..." */
		lrs_buf_printable(&b, v, MAX_CELL - 3);
		lrs_buf_printf(&b, "...");
	}
	return lrs_buf_take(&b);
}

static void print_aligned(FILE *f, const cli_table *t)
{
	size_t c = (size_t)t->ncols, *w = calloc(c + 1, sizeof *w);
	unsigned char *right = calloc(c + 1, 1);
	char *cell;

	if (!w || !right) {
		free(w);
		free(right);
		return;
	}
	for (size_t i = 0; i < c; i++) {
		cell = shown(t->names[i], LRS_VAL_TEXT, 1);
		w[i] = cell ? strlen(cell) : 1;
		free(cell);
		right[i] = t->nrows > 0;
		for (size_t r = 0; r < t->nrows; r++) {
			lrs_value_type ty = t->types[r * c + i];
			if ((cell = shown(t->cells[r * c + i], ty, 0)) && strlen(cell) > w[i])
				w[i] = strlen(cell);
			free(cell);
			if (ty == LRS_VAL_TEXT)
				right[i] = 0;
		}
	}
	for (size_t r = 0; r <= t->nrows; r++) {   /* row 0: the header */
		for (size_t i = 0; i < c; i++) {
			const char *v = r ? t->cells[(r - 1) * c + i] : t->names[i];
			lrs_value_type ty = r ? t->types[(r - 1) * c + i] : LRS_VAL_TEXT;

			/* text in the last column is shown whole: nothing to its
			 * right needs aligning (a rule's note, an error) */
			cell = shown(v, ty, r == 0 || (i + 1 == c && !right[i] && ty != LRS_VAL_REAL));
			const char *text = cell ? cell : "?";
			if (right[i])
				fprintf(f, "%s%*s", i ? "  " : "", (int)w[i], text);
			else if (i + 1 < c)
				fprintf(f, "%s%-*s", i ? "  " : "", (int)w[i], text);
			else
				fprintf(f, "%s%s", i ? "  " : "", text);   /* no trailing blanks */
			free(cell);
		}
		fputc('\n', f);
	}
	free(w);
	free(right);
}

static void csv_field(FILE *f, const char *v)
{
	if (!v)
		return;
	if (!strpbrk(v, ",\"\r\n")) {
		fputs(v, f);
		return;
	}
	fputc('"', f);
	for (; *v; v++) {
		if (*v == '"')
			fputc('"', f);
		fputc(*v, f);
	}
	fputc('"', f);
}

static void print_csv(FILE *f, const cli_table *t)
{
	size_t c = (size_t)t->ncols;

	for (size_t i = 0; i < c; i++) {
		fputs(i ? "," : "", f);
		csv_field(f, t->names[i]);
	}
	fputc('\n', f);
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t i = 0; i < c; i++) {
			fputs(i ? "," : "", f);
			csv_field(f, t->cells[r * c + i]);
		}
		fputc('\n', f);
	}
}

/* ------------------------------------------------- JSON validity check */

#define JSON_MAX_DEPTH 64

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* The end of the JSON value at p (RFC 8259), or NULL when there is none.
 * Strings must hold no raw control character (C0, DEL, C1: JSON forbids
 * the first, a terminal acts on all) and be UTF-8, so that a value that
 * passes is as safe to print as one lrs_buf_json_string wrote. */
static const char *json_value(const char *p, int depth)
{
	p = json_ws(p);
	if (depth > JSON_MAX_DEPTH)
		return NULL;
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		p = json_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				if (*(p = json_ws(p)) != '"' || !(p = json_value(p, depth + 1)) || *(p = json_ws(p)) != ':')
					return NULL;
				p++;
			}
			if (!(p = json_value(p, depth + 1)))
				return NULL;
			p = json_ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (*p == '"') {
		for (p++; *p != '"'; ) {
			const unsigned char *u = (const unsigned char *)p;
			size_t n = lrs_utf8_len(p);
			if (n == 0 || *u < 0x20 || *u == 0x7f || (u[0] == 0xc2 && u[1] <= 0x9f))
				return NULL;   /* raw control characters, not UTF-8 */
			if (*p == '\\') {
				if (p[1] == 'u') {
					for (int k = 2; k < 6; k++)
						if (!isxdigit((unsigned char)p[k]))
							return NULL;
					n = 6;
				} else if (p[1] && strchr("\"\\/bfnrt", p[1])) {
					n = 2;
				} else {
					return NULL;
				}
			}
			p += n;
		}
		return p + 1;
	}
	if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
	p += *p == '-';
	if (!isdigit((unsigned char)*p))
		return NULL;
	if (*p == '0')
		p++;
	else
		while (isdigit((unsigned char)*p))
			p++;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return NULL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p += p[1] == '+' || p[1] == '-' ? 2 : 1;
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return p;
}

/* Whether `s` is one JSON value, safe to embed as it is. */
static int json_ok(const char *s)
{
	const char *end = json_value(s, 0);
	return end && *json_ws(end) == '\0';
}

static void json_row(lrs_buf *b, const cli_table *t, size_t r, const char *indent)
{
	size_t c = (size_t)t->ncols;

	lrs_buf_printf(b, "{");
	for (size_t i = 0; i < c; i++) {
		const char *v = t->cells[r * c + i];
		lrs_value_type ty = t->types[r * c + i];

		lrs_buf_printf(b, "%s\n%s  ", i ? "," : "", indent);
		lrs_buf_json_string(b, t->names[i]);
		lrs_buf_printf(b, ": ");
		if (!v)
			lrs_buf_printf(b, "null");
		else if (ty == LRS_VAL_INT || (ty == LRS_VAL_TEXT && t->raw_json[i] && json_ok(v)))
			lrs_buf_printf(b, "%s", v);   /* (JSON text that is not JSON goes as a string) */
		else if (ty == LRS_VAL_REAL)
			lrs_buf_json_number(b, atof(v));
		else
			lrs_buf_json_string(b, v);
	}
	lrs_buf_printf(b, "\n%s}", indent);
}

static void print_json(FILE *f, const cli_table *t, int as_object)
{
	lrs_buf b = { 0 };

	if (as_object) {
		if (t->nrows)
			json_row(&b, t, 0, "");
		else
			lrs_buf_printf(&b, "null");
	} else {
		lrs_buf_printf(&b, "[");
		for (size_t r = 0; r < t->nrows; r++) {
			lrs_buf_printf(&b, "%s\n  ", r ? "," : "");
			json_row(&b, t, r, "  ");
		}
		lrs_buf_printf(&b, t->nrows ? "\n]" : "]");
	}
	if (b.data)
		fprintf(f, "%s\n", b.data);
	lrs_buf_free(&b);
}

void cli_table_print(FILE *f, const cli_table *t, cli_format fmt, int as_object)
{
	if (fmt == CLI_FMT_CSV)
		print_csv(f, t);
	else if (fmt == CLI_FMT_JSON)
		print_json(f, t, as_object);
	else
		print_aligned(f, t);
}

void cli_table_free(cli_table *t)
{
	for (size_t i = 0; t->cells && i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	for (int i = 0; t->names && i < t->ncols; i++)
		free(t->names[i]);
	free(t->cells);
	free(t->types);
	free(t->names);
	free(t->raw_json);
	memset(t, 0, sizeof *t);
}

/* A JSON object as "k=v, k=v": strings unquoted, numbers to 4
 * significant digits, nested values as "[...]" and "{k: v}". */
char *cli_json_readable(const char *json)
{
	lrs_buf b = { 0 };
	int depth = 0;

	for (const char *p = json; *p;) {
		if (*p == '"') {
			const char *end = p + 1;
			while (*end && *end != '"')
				end += *end == '\\' && end[1] ? 2 : 1;
			lrs_buf_printf(&b, "%.*s", (int)(end - p - 1), p + 1);
			p = *end ? end + 1 : end;
		} else if (*p == '-' || isdigit((unsigned char)*p)) {
			char *end;
			double v = strtod(p, &end);
			lrs_buf_printf(&b, "%.4g", v);
			p = end > p ? end : p + 1;
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
		for (size_t i = 0; i < n->n; i++)
			lrs_buf_printf(out, "%s%s", i ? ", " : "", n->items[i]->kind == LRS_NODE_SCALAR ? n->items[i]->text : "...");
		lrs_buf_printf(out, "]\n");
	} else {
		char *end;
		double v = strtod(n->text, &end);
		if (*n->text && !*end)
			lrs_buf_printf(out, "%s=%.4g\n", path, v);
		else
			lrs_buf_printf(out, "%s=%s\n", path, n->text);
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

/* Whether line `l` (up to its '\n') is one of the lines of `text`. */
static int line_in(const char *l, const char *text)
{
	size_t len = strcspn(l, "\n");

	for (const char *p = text; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n'))
		if (strncmp(p, l, len) == 0 && (p[len] == '\n' || p[len] == '\0'))
			return 1;
	return 0;
}

char **cli_config_labels(const char *const *schedule, const char *const *params, const char *const *hyper,
                         size_t n)
{
	char **flats = calloc(n + 1, sizeof *flats), **out = calloc(n + 1, sizeof *out);

	if (!flats || !out) {
		free(flats);
		free(out);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		flats[i] = flat(params[i], hyper ? hyper[i] : NULL);
	for (size_t i = 0; i < n; i++) {
		lrs_buf b = { 0 };
		int first = 1, hyper_first = 1;
		lrs_buf_printf(&b, "%s", schedule[i]);
		for (const char *l = flats[i] ? flats[i] : ""; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n')) {
			int differs = 0, hyp = *l == '#';
			/* a parameter differs when another configuration lacks this
			 * value: of the same schedule type for schedule parameters,
			 * of any type for hyperparameters */
			for (size_t j = 0; j < n && !differs; j++)
				if (j != i && (hyp || !strcmp(schedule[i], schedule[j])) && flats[j] && !line_in(l, flats[j]))
					differs = 1;
			if (!differs)
				continue;
			size_t len = strcspn(l, "\n");
			if (hyp)
				lrs_buf_printf(&b, "%s%.*s", hyper_first ? "; " : ", ", (int)len - 1, l + 1);
			else
				lrs_buf_printf(&b, "%s%.*s", first ? " " : ", ", (int)len, l);
			if (hyp)
				hyper_first = 0;
			else
				first = 0;
		}
		out[i] = lrs_buf_take(&b);
		if (!out[i])
			out[i] = strdup(schedule[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(flats[i]);
	free(flats);
	return out;
}
