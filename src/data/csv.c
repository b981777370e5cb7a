/* csv.c - comma-separated samples: one row per sample, every column a
 * number, one of them the label.
 *
 * The first row is a header when asked for, or, in auto mode, when any of
 * its fields is not a number. The label column is "first", "last", a
 * 0-based index, or a header name; an all-digit label is an index. Labels
 * are non-negative integers, written as 3 or 3.0. Lines end in LF or CRLF,
 * the last one may lack its newline, a UTF-8 byte-order mark is skipped and
 * blank lines may end the file (nowhere else). Every row is parsed and
 * checked, even past `limit`; only the first `limit` rows are kept.
 *
 * Error messages give the row as the file's line number (header included)
 * and the column from 1, as an editor or a spreadsheet shows them.
 *
 * Not here: quoted fields, other separators, missing values. */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lrsweep/error.h"
#include "internal.h"

#define FIRST_ROWS 1024   /* rows allocated before the first doubling */

typedef enum { F_OK, F_EMPTY, F_TEXT, F_NAN, F_INF } field_status;

/* The state of one read: the file, the current line, the kept samples. */
typedef struct {
	const char *path;
	FILE *f;
	char *line;            /* the current line, newline stripped           */
	size_t line_cap;       /* getline's allocation                         */
	size_t row;            /* 1-based line number of `line`                */
	size_t cols;           /* fields per row, from the first row           */
	size_t label;          /* 0-based label column                         */
	char *head;            /* the header line, split in place; NULL if none */
	char **names;          /* (cols) header names into `head`, or NULL     */
	float *x;              /* (cap, cols - 1) kept features                */
	int32_t *y;            /* (cap) kept labels                            */
	size_t n, cap;         /* rows kept, rows allocated                    */
	size_t first_cap;      /* rows to allocate at first: the file's lines
	                          (lrs_data_shape_csv), 0 when unknown         */
	size_t nul_row;        /* the first row holding a NUL byte, or 0       */
} csv_reader;

/* ------------------------------------------------------------- helpers */

/* Reads the next line into r->line without its line ending; returns its
 * length, or -1 at the end of the file. */
static long next_line(csv_reader *r)
{
	ssize_t len = getline(&r->line, &r->line_cap, r->f);

	if (len < 0)
		return -1;
	r->row++;
	if (memchr(r->line, '\0', (size_t)len)) {   /* binary data: stop here */
		r->nul_row = r->row;
		return -1;
	}
	while (len > 0 && (r->line[len - 1] == '\n' || r->line[len - 1] == '\r'))
		r->line[--len] = '\0';
	if (r->row == 1 && strncmp(r->line, "\xEF\xBB\xBF", 3) == 0) {
		memmove(r->line, r->line + 3, (size_t)len - 2);
		len -= 3;
	}
	return (long)len;
}

static int is_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0';
}

static size_t count_fields(const char *s)
{
	size_t n = 1;

	for (; *s; s++)
		n += *s == ',';
	return n;
}

/* Cuts the field starting at *p at its comma (in place) and moves *p past
 * it; returns the field with surrounding blanks removed. */
static char *cut_field(char **p)
{
	char *s = *p, *end = strchr(s, ',');

	if (end) {
		*end = '\0';
		*p = end + 1;
	} else {
		*p = s + strlen(s);
	}
	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

/* Parses one trimmed field as a number into *v. */
static field_status parse_field(const char *s, double *v)
{
	char *end;

	if (*s == '\0')
		return F_EMPTY;
	*v = strtod(s, &end);
	if (end == s || *end != '\0')
		return F_TEXT;
	if (isnan(*v))
		return F_NAN;
	if (isinf(*v))
		return F_INF;
	return F_OK;
}

/* Writes "row R, column C" (with the header name when there is one). */
static const char *where(const csv_reader *r, size_t col, char *buf, size_t size)
{
	if (r->names)
		snprintf(buf, size, "row %zu, column %zu ('%.60s')", r->row, col + 1, r->names[col]);
	else
		snprintf(buf, size, "row %zu, column %zu", r->row, col + 1);
	return buf;
}

/* A field that is not a finite number: names the file, row and column. */
static int field_error(const csv_reader *r, size_t col, const char *field, field_status st)
{
	char at[128];

	if (st == F_EMPTY)
		return lrs_error_set(LRS_EINVALID, "%s: %s: empty field", r->path, where(r, col, at, sizeof at));
	return lrs_error_set(LRS_EINVALID, "%s: %s: '%.40s' %s", r->path, where(r, col, at, sizeof at), field,
	                     st == F_TEXT ? "is not a number" : st == F_NAN ? "is NaN" : "is infinite or out of range");
}

/* ------------------------------------------------------------- columns */

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* Strips one pair of surrounding double quotes from a header name. */
static char *unquote(char *s)
{
	size_t len = strlen(s);

	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s[len - 1] = '\0';
		return s + 1;
	}
	return s;
}

/* Keeps the first line as the header: its names, split in place. */
static int take_header(csv_reader *r)
{
	char *p;

	if (!(r->head = strdup(r->line)) || !(r->names = malloc(r->cols * sizeof *r->names)))
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory (%zu bytes for the header)",
		                     r->path, strlen(r->line) + r->cols * sizeof *r->names);
	p = r->head;
	for (size_t c = 0; c < r->cols; c++)
		r->names[c] = unquote(cut_field(&p));
	return 0;
}

/* Resolves the label column `label` against the first row. */
static int find_label(csv_reader *r, const char *label)
{
	if (!label || strcmp(label, "last") == 0) {
		r->label = r->cols - 1;
		return 0;
	}
	if (strcmp(label, "first") == 0) {
		r->label = 0;
		return 0;
	}
	if (all_digits(label)) {
		char *end;
		unsigned long long i;

		errno = 0;
		i = strtoull(label, &end, 10);
		if (errno || i >= r->cols)
			return lrs_error_set(LRS_EINVALID, "%s: label column %s is out of range: rows have %zu columns (0 to %zu)",
			                     r->path, label, r->cols, r->cols - 1);
		r->label = (size_t)i;
		return 0;
	}
	if (!r->names)
		return lrs_error_set(LRS_EINVALID, "%s: label column '%s' is a name, but the file has no header row",
		                     r->path, label);
	for (size_t c = 0; c < r->cols; c++) {
		if (strcmp(r->names[c], label) == 0) {
			r->label = c;
			return 0;
		}
	}
	return lrs_error_set(LRS_EINVALID, "%s: no column named '%s' in the header", r->path, label);
}

/* ---------------------------------------------------------------- rows */

/* Makes room for one more kept row: at first for every line of the file
 * (one allocation, no more than the memory check counted), then, should
 * the file have grown, twice as many. */
static int grow(csv_reader *r)
{
	size_t d = r->cols - 1, bytes;
	size_t cap = r->cap ? 2 * r->cap : r->first_cap ? r->first_cap : FIRST_ROWS;
	float *x;
	int32_t *y;

	if (cap < r->cap || lrs_data_mul(cap, d * sizeof *x, &bytes) < 0)
		return lrs_error_set(LRS_ENOMEM, "%s: too many rows to hold in memory", r->path);
	if (!(x = realloc(r->x, bytes)))
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory (%zu bytes for the features)", r->path, bytes);
	r->x = x;
	if (!(y = realloc(r->y, cap * sizeof *y)))
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory (%zu bytes for the labels)", r->path, cap * sizeof *y);
	r->y = y;
	r->cap = cap;
	return 0;
}

/* Parses r->line as a data row; keeps it when `keep`. */
static int parse_row(csv_reader *r, int keep)
{
	size_t d = r->cols - 1, cols = count_fields(r->line);
	float *x = NULL;       /* (d) where the kept row goes */
	char *p = r->line, at[128];
	int rc;

	if (cols != r->cols)
		return lrs_error_set(LRS_EINVALID, "%s: row %zu has %zu columns, expected %zu (ragged rows)",
		                     r->path, r->row, cols, r->cols);
	if (keep) {
		if (r->n == r->cap && (rc = grow(r)) < 0)
			return rc;
		x = r->x + r->n * d;
	}
	for (size_t c = 0, j = 0; c < r->cols; c++) {
		char *field = cut_field(&p);
		double v;
		field_status st = parse_field(field, &v);

		if (st != F_OK)
			return field_error(r, c, field, st);
		if (c == r->label) {
			if (v < 0 || v != floor(v))
				return lrs_error_set(LRS_EINVALID, "%s: %s: label %.40s is %s", r->path,
				                     where(r, c, at, sizeof at), field, v < 0 ? "negative" : "not an integer");
			if (v > LRS_DATA_MAX_LABEL)
				return lrs_error_set(LRS_EINVALID, "%s: %s: label %.40s is too large (at most %d)", r->path,
				                     where(r, c, at, sizeof at), field, LRS_DATA_MAX_LABEL);
			if (keep)
				r->y[r->n] = (int32_t)v;
			continue;
		}
		if (fabs(v) > FLT_MAX)
			return lrs_error_set(LRS_EINVALID, "%s: %s: %.40s is out of float32 range",
			                     r->path, where(r, c, at, sizeof at), field);
		if (keep)
			x[j] = (float)v;
		j++;
	}
	r->n += keep != 0;
	return 0;
}

/* --------------------------------------------------------------- entry */

/* The first row: column count, header, label column; returns 1 when the
 * row is data, 0 when it is a header, or an error code. */
static int first_row(csv_reader *r, const char *label, int header)
{
	int rc;

	r->cols = count_fields(r->line);
	if (header < 0) {
		char *copy = strdup(r->line), *p = copy;

		if (!copy)
			return lrs_error_set(LRS_ENOMEM, "%s: out of memory", r->path);
		header = 0;
		for (size_t c = 0; c < r->cols && !header; c++) {
			double v;
			header = parse_field(cut_field(&p), &v) == F_TEXT;
		}
		free(copy);
	}
	if (header && (rc = take_header(r)) < 0)
		return rc;
	if (r->cols < 2)
		return lrs_error_set(LRS_EINVALID, "%s: one column per row: need at least one feature and a label",
		                     r->path);
	if ((rc = find_label(r, label)) < 0)
		return rc;
	return !header;
}

int lrs_data_shape_csv(const char *path, size_t *n, size_t *d)
{
	FILE *f = fopen(path, "rb");
	char buf[1 << 16];
	size_t got, lines = 0, fields = 1;
	int first = 1, last = '\n';   /* in the first line; the last byte read */
	struct stat st;

	if (!f)
		return -1;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {   /* /dev/zero never ends */
		fclose(f);
		return -1;
	}
	while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
		const char *p = buf, *end = buf + got, *nl;

		for (; first && p < end && *p != '\n'; p++)
			fields += *p == ',';
		if (p < end)
			first = 0;
		for (; (nl = memchr(p, '\n', (size_t)(end - p))); p = nl + 1)
			lines++;
		last = (unsigned char)buf[got - 1];
	}
	if (ferror(f) || (lines == 0 && last == '\n') || fields < 2) {
		fclose(f);
		return -1;
	}
	fclose(f);
	*n = lines + (last != '\n');
	*d = fields - 1;
	return 0;
}

int lrs_data_load_csv(lrs_split *out, const char *path, const char *label, int header, size_t limit)
{
	csv_reader r = { 0 };
	size_t blank = 0;              /* first blank row since the last data row */
	size_t unused;                 /* the shape pass's feature count          */
	long len;
	int rc;

	memset(out, 0, sizeof *out);
	r.path = path;
	if (!(r.f = fopen(path, "rb")))
		return lrs_error_set(LRS_EINVALID, "%s: cannot open (%s)", path, strerror(errno));
	struct stat st;
	if (fstat(fileno(r.f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(r.f);
		return lrs_error_set(LRS_EINVALID, "%s: not a regular file", path);
	}

	if (lrs_data_shape_csv(path, &r.first_cap, &unused) < 0)
		r.first_cap = 0;
	else if (limit && limit < r.first_cap)
		r.first_cap = limit;
	while ((len = next_line(&r)) >= 0 && is_blank(r.line))
		if (!blank)
			blank = r.row;
	if (len < 0 && r.nul_row) {
		rc = lrs_error_set(LRS_EINVALID, "%s: row %zu holds a NUL byte: not a CSV text file", path, r.nul_row);
		goto done;
	}
	if (len < 0) {
		rc = lrs_error_set(LRS_EINVALID, "%s: empty file", path);
		goto done;
	}
	if (blank) {
		rc = lrs_error_set(LRS_EINVALID, "%s: row %zu is blank (only the end of the file may have blank lines)",
		                   path, blank);
		goto done;
	}
	if ((rc = first_row(&r, label, header)) < 0 ||
	    (rc == 1 && (rc = parse_row(&r, 1)) < 0))
		goto done;

	while ((len = next_line(&r)) >= 0) {
		if (is_blank(r.line)) {
			if (!blank)
				blank = r.row;
			continue;
		}
		if (blank) {
			rc = lrs_error_set(LRS_EINVALID, "%s: row %zu is blank (only the end of the file may have blank lines)",
			                   path, blank);
			goto done;
		}
		if ((rc = parse_row(&r, !limit || r.n < limit)) < 0)
			goto done;
	}
	if (ferror(r.f)) {
		rc = lrs_error_set(LRS_EINVALID, "%s: read error (%s)", path, strerror(errno));
		goto done;
	}
	if (r.nul_row) {
		rc = lrs_error_set(LRS_EINVALID, "%s: row %zu holds a NUL byte: not a CSV text file", path, r.nul_row);
		goto done;
	}
	if (r.n == 0) {
		rc = lrs_error_set(LRS_EINVALID, "%s: no data rows", path);
		goto done;
	}

	if (r.n < r.cap) {   /* give back the unused tail; keep the old block if that fails */
		float *x = realloc(r.x, r.n * (r.cols - 1) * sizeof *x);
		int32_t *y = realloc(r.y, r.n * sizeof *y);

		r.x = x ? x : r.x;
		r.y = y ? y : r.y;
	}
	out->x = r.x;
	out->y = r.y;
	out->n = r.n;
	out->d = r.cols - 1;
	r.x = NULL;
	r.y = NULL;
	rc = 0;
done:
	fclose(r.f);
	free(r.line);
	free(r.head);
	free(r.names);
	free(r.x);
	free(r.y);
	return rc;
}
