/* table.c - typed rows printed as an aligned table, CSV (RFC 4180) or
 * JSON (table.h). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/util.h"
#include "lrsweep/table.h"

#define MAX_CELL 60   /* table format: longer text is cut, with "..." (but
                         not in the last column) */

int lrs_format_parse(const char *s, lrs_format *out)
{
	static const char *const names[] = { "table", "csv", "json" };

	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i])) {
			*out = (lrs_format)i;
			return 0;
		}
	return -1;
}

int lrs_table_init(lrs_table *t, int ncols, const char *const *names)
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

int lrs_table_row(lrs_table *t)
{
	size_t n = t->nrows + 1, c = (size_t)t->ncols;
	lrs_table_cell *cells = realloc(t->cells, n * c * sizeof *cells + 1);

	if (!cells)
		return t->failed = 1, lrs_error_set(LRS_ENOMEM, "out of memory");
	t->cells = cells;
	for (size_t i = 0; i < c; i++)
		cells[t->nrows * c + i] = (lrs_table_cell){ LRS_VAL_NULL, NULL, NAN };
	t->nrows = n;
	t->col = 0;
	return 0;
}

/* The next cell of the last row, or NULL past its end. */
static lrs_table_cell *next_cell(lrs_table *t)
{
	if (t->nrows == 0 || t->col >= t->ncols)
		return NULL;
	return &t->cells[(t->nrows - 1) * (size_t)t->ncols + (size_t)t->col++];
}

void lrs_table_put(lrs_table *t, lrs_value_type type, const char *text, double real)
{
	lrs_table_cell *c = next_cell(t);

	if (!c || !text)
		return;
	if (!(c->text = strdup(text))) {
		t->failed = 1;
		return;
	}
	c->type = type;
	c->real = real;
}

void lrs_table_put_text(lrs_table *t, const char *s)
{
	lrs_table_put(t, LRS_VAL_TEXT, s, NAN);
}

void lrs_table_put_int(lrs_table *t, long long v)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%lld", v);
	lrs_table_put(t, LRS_VAL_INT, buf, NAN);
}

void lrs_table_put_count(lrs_table *t, long v)
{
	if (v < 0)
		lrs_table_put(t, LRS_VAL_NULL, NULL, NAN);
	else
		lrs_table_put_int(t, v);
}

void lrs_table_put_real(lrs_table *t, double v)
{
	char buf[LRS_DOUBLE_TEXT];

	if (isnan(v))
		lrs_table_put(t, LRS_VAL_NULL, NULL, NAN);
	else
		lrs_table_put(t, LRS_VAL_REAL, lrs_fmt_double(buf, v), v);
}

/* A row of a user's query, copied into the table. */
static int collect(void *ctx, int ncols, const char *const *names, const lrs_value *values)
{
	lrs_table *t = ctx;

	if (!values)
		return lrs_table_init(t, ncols, names) ? 1 : 0;
	if (lrs_table_row(t) < 0)
		return 1;
	for (int i = 0; i < ncols; i++)
		lrs_table_put(t, values[i].type, values[i].text, values[i].real);
	return t->failed;
}

int lrs_table_query(lrs_table *t, lrs_store *st, const char *sql)
{
	int rc;

	memset(t, 0, sizeof *t);
	rc = lrs_store_query_values(st, sql, collect, t);
	if (rc == 1 || t->failed)
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
	if (rc < 0)   /* what came before the error goes */
		lrs_table_free(t);
	return rc;
}

void lrs_table_raw_json(lrs_table *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (!strcmp(t->names[i], name))
			t->raw_json[i] = 1;
}

/* A cell as the table format shows it (free it): reals to 4 significant
 * digits, NULL as "-", text with its control characters escaped (stored
 * text must not drive the terminal: an ESC in an experiment's name would
 * set the title or clear the screen), long text cut unless `whole`. NULL
 * when out of memory. */
static char *shown(const char *v, lrs_value_type ty, double real, int whole)
{
	lrs_buf b = { 0 };

	if (!v)
		lrs_buf_printf(&b, "-");
	else if (ty == LRS_VAL_REAL)
		lrs_buf_printf(&b, "%.4g", real);
	else if (lrs_buf_printable(&b, v, whole ? 0 : MAX_CELL) > 0) {
		b.len = 0;   /* too long: again, shorter, with "..." */
		lrs_buf_printable(&b, v, MAX_CELL - 3);
		lrs_buf_printf(&b, "...");
	}
	return lrs_buf_take(&b);
}

static void print_aligned(FILE *f, const lrs_table *t)
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
		cell = shown(t->names[i], LRS_VAL_TEXT, NAN, 1);
		w[i] = cell ? strlen(cell) : 1;
		free(cell);
		right[i] = t->nrows > 0;
		for (size_t r = 0; r < t->nrows; r++) {
			const lrs_table_cell *x = &t->cells[r * c + i];
			lrs_value_type ty = x->type;
			if ((cell = shown(x->text, ty, x->real, 0)) && strlen(cell) > w[i])
				w[i] = strlen(cell);
			free(cell);
			if (ty == LRS_VAL_TEXT)
				right[i] = 0;
		}
	}
	for (size_t r = 0; r <= t->nrows; r++) {   /* row 0: the header */
		for (size_t i = 0; i < c; i++) {
			const lrs_table_cell *x = r ? &t->cells[(r - 1) * c + i] : NULL;
			const char *v = x ? x->text : t->names[i];
			lrs_value_type ty = x ? x->type : LRS_VAL_TEXT;

			/* text in the last column is shown whole: nothing to its
			 * right needs aligning (a rule's note, an error) */
			cell = shown(v, ty, x ? x->real : NAN, r == 0 || (i + 1 == c && !right[i] && ty != LRS_VAL_REAL));
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

static void print_csv(FILE *f, const lrs_table *t)
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
			csv_field(f, t->cells[r * c + i].text);
		}
		fputc('\n', f);
	}
}

static void json_row(lrs_buf *b, const lrs_table *t, size_t r, const char *indent)
{
	size_t c = (size_t)t->ncols;

	lrs_buf_printf(b, "{");
	for (size_t i = 0; i < c; i++) {
		const char *v = t->cells[r * c + i].text;
		lrs_value_type ty = t->cells[r * c + i].type;

		lrs_buf_printf(b, "%s\n%s  ", i ? "," : "", indent);
		lrs_buf_json_string(b, t->names[i]);
		lrs_buf_printf(b, ": ");
		if (!v)
			lrs_buf_printf(b, "null");
		else if (ty == LRS_VAL_INT || (ty == LRS_VAL_TEXT && t->raw_json[i] && lrs_json_valid(v)))
			lrs_buf_printf(b, "%s", v);   /* (JSON text that is not JSON goes as a string) */
		else if (ty == LRS_VAL_REAL)
			lrs_buf_json_number(b, t->cells[r * c + i].real);
		else
			lrs_buf_json_string(b, v);
	}
	lrs_buf_printf(b, "\n%s}", indent);
}

static void print_json(FILE *f, const lrs_table *t, int as_object)
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

void lrs_table_print(FILE *f, const lrs_table *t, lrs_format fmt, int as_object)
{
	if (fmt == LRS_FMT_CSV)
		print_csv(f, t);
	else if (fmt == LRS_FMT_JSON)
		print_json(f, t, as_object);
	else
		print_aligned(f, t);
}

void lrs_table_free(lrs_table *t)
{
	for (size_t i = 0; t->cells && i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i].text);
	for (int i = 0; t->names && i < t->ncols; i++)
		free(t->names[i]);
	free(t->cells);
	free(t->names);
	free(t->raw_json);
	memset(t, 0, sizeof *t);
}
