/* csv.c - delimited samples: one row per sample, every feature a number,
 * one column the label.
 *
 * Fields are separated by the source's `delimiter` (',' ';' tab '|', or
 * whitespace: any run of spaces and tabs, blanks around a line ignored,
 * as np.loadtxt reads np.savetxt's files) or, by default, by the one of
 * tab, ';' and ',' that the first row read holds most often; by
 * whitespace when it holds none of them but several blank-separated
 * fields (',' otherwise). `skip_rows` lines are skipped
 * before anything is read (scikit-learn's bundled CSVs start with a
 * "n_samples,n_features,names..." line). The first row is a header when
 * asked for or, in auto mode, when one of its features is not a number
 * (any of its fields, when the label is given by name), or when only its
 * label is not a number and the next row's label is one. The label column
 * is "first", "last", a 0-based index, or a header name; an all-digit
 * label is an index. The columns `drop` names (the same two ways) are
 * left out unread: an id, a text column.
 *
 * A field may be quoted as RFC 4180 and Python's csv module write it: a
 * delimiter inside the quotes is text, "" is one quote, and the quotes
 * are dropped ("3.5" is a number, "cat, black" a name). A line break
 * inside quotes is an error: rows are lines.
 *
 * Labels are either numbers - whole numbers an int32 holds, written as 3,
 * -1 or 3.0, kept as they are (dataset.c maps them to 0 .. K-1 if they
 * are not that already) - or names, any text that is not a number ("hen"): the
 * first data row decides, and a
 * column mixing the two is an error (a typo in a numeric column, most
 * often). Names are ranked in byte order, as Python's sorted() ranks
 * them, and y holds the ranks; the names come back in lrs_csv_info.
 *
 * Lines end in LF or CRLF, the last one may lack its newline, a UTF-8
 * byte-order mark is skipped and blank lines may end the file (nowhere
 * else). Every row is parsed and checked, even past `limit`; only the
 * first `limit` rows are kept (and only their names count).
 *
 * Error messages give the row as the file's line number (header and
 * skipped lines included) and the column from 1, as an editor or a
 * spreadsheet shows them.
 *
 * A gzip-compressed file (found by its magic bytes, whatever its name) is
 * read through zlib as if it were the text it holds, as the idx reader
 * reads .gz files; scikit-learn ships digits.csv.gz.
 *
 * A delimiter ending the first two rows ends every row: an empty last
 * column (some exporters write it), dropped. A header whose first name is
 * empty heads pandas' index (or R's row names): refused, as it would
 * train as a feature. Lines ending in CR alone are refused at row 1.
 *
 * Not here: missing values (an error that calls them so), line breaks
 * inside quoted fields. */
#define _GNU_SOURCE   /* fopencookie: a FILE * over zlib's reader */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "lrsweep/error.h"
#include "internal.h"

#define FIRST_ROWS 1024   /* rows allocated before the first doubling */
#define MAX_NAMES  LRS_DATA_MAX_CLASSES   /* distinct label names        */

typedef enum { FLD_OK, FLD_EMPTY, FLD_TEXT, FLD_NAN, FLD_INF } field_status;

/* The state of one read: the file, the current line, the kept samples. */
typedef struct {
	const char *path;
	FILE *f;
	char *line;            /* the current line, newline stripped           */
	size_t line_cap;       /* getline's allocation                         */
	char *ahead;           /* the next line, read ahead by peek_line (a
	                          gzip stream cannot seek back), as getline
	                          gave it                                      */
	size_t ahead_cap;
	ssize_t ahead_len;     /* its length, or -1 at the end of the file     */
	int has_ahead;         /* 1: next_line takes `ahead` before the file   */
	size_t row;            /* 1-based line number of `line`                */
	size_t cols;           /* fields per row, from the first row           */
	size_t label;          /* 0-based label column                         */
	size_t d;              /* features per row: cols less the label and the
	                          dropped columns                              */
	const lrs_data_drop *drop; /* (n_drop) the columns `drop:` names    */
	size_t n_drop;
	unsigned char *dropped; /* (cols) 1: a column left out unread, or NULL */
	char *head;            /* the header line, split in place; NULL if none */
	char **names;          /* (cols) header names into `head`, or NULL     */
	float *x;              /* (cap, d) kept features                       */
	int32_t *y;            /* (cap) kept labels                            */
	size_t n, cap;         /* rows kept, rows allocated                    */
	size_t first_cap;      /* rows to allocate at first: the file's lines
	                          (lrs_data_shape_csv), 0 when unknown         */
	size_t nul_row;        /* the first row holding a NUL byte, or 0       */
	char delim;            /* the field separator                          */
	int detected;          /* 1: delim was detected, not given (messages)  */
	int trailing;          /* 1: every row ends with the delimiter, cut off */
	int label_given;       /* 1: the source sets label: (else the last)    */
	size_t head_row;       /* the header's row, or 0                       */
	size_t first_data;     /* the first data row, or 0 before it           */
	int names_mode;        /* -1 before the first data row; 1: labels are
	                          names, 0: numbers                            */
	char **lab;            /* (n_lab) distinct kept label names, in the
	                          order first seen                             */
	size_t n_lab, lab_cap;
	uint32_t *slot;        /* (n_slot) 1 + index into lab; 0: free. A hash
	                          table, n_slot a power of two                 */
	size_t n_slot;
} csv_reader;

/* ------------------------------------------------------------- helpers */

/* Reads the next line into r->line without its line ending (the line
 * peek_line read ahead, if any); returns its length, or -1 at the end of
 * the file. */
static long next_line(csv_reader *r)
{
	ssize_t len;

	if (r->has_ahead) {   /* swap the buffers: the line read ahead is current */
		char *t = r->line;
		size_t cap = r->line_cap;

		r->line = r->ahead;
		r->line_cap = r->ahead_cap;
		r->ahead = t;
		r->ahead_cap = cap;
		r->has_ahead = 0;
		len = r->ahead_len;
	} else {
		len = getline(&r->line, &r->line_cap, r->f);
	}

	if (len < 0 || ferror(r->f))   /* a line cut by a read error is not one */
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

/* Whether c is a blank around a field: a space, or a tab unless the tab
 * is the delimiter. */
static int is_pad(char c, char delim)
{
	return c == ' ' || (c == '\t' && delim != '\t');
}

/* Whether c separates fields: the delimiter, or with whitespace any blank. */
static int is_sep(char c, char delim)
{
	return delim == LRS_DELIM_WHITESPACE ? c == ' ' || c == '\t' : c == delim;
}

/* Past the separator at s: one delimiter, or a whole run of blanks. */
static const char *skip_sep(const char *s, char delim)
{
	s++;
	while (delim == LRS_DELIM_WHITESPACE && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/* With whitespace as the delimiter, blanks starting or ending a line
 * separate nothing (np.savetxt's aligned columns, a line indented):
 * cut them off, in place. */
static void strip_blanks(char *line, char delim)
{
	size_t len = strlen(line), start = 0;

	if (delim != LRS_DELIM_WHITESPACE)
		return;
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		line[--len] = '\0';
	while (line[start] == ' ' || line[start] == '\t')
		start++;
	memmove(line, line + start, len - start + 1);
}

/* Where the field starting at s ends: its delimiter, or the line's end.
 * A field whose first non-blank is a double quote is quoted, as RFC 4180
 * and Python's csv module write it: delimiters inside the quotes are
 * text, and "" is one quote. *open is set when the quotes never close
 * (a line break inside them, which is not read). */
static const char *field_end(const char *s, char delim, int *open)
{
	const char *q = s;

	while (is_pad(*q, delim))
		q++;
	if (*q == '"') {
		for (q++; *q && !(*q == '"' && q[1] != '"'); q += 1 + (*q == '"'))
			;
		if (!*q) {
			*open = 1;
			return q;
		}
		s = q + 1;
	}
	while (*s && !is_sep(*s, delim))
		s++;
	return s;
}

/* The fields of line s; *open as field_end sets it. */
static size_t count_fields_open(const char *s, char delim, int *open)
{
	size_t n = 1;

	*open = 0;
	while (*(s = field_end(s, delim, open))) {
		n++;
		s = skip_sep(s, delim);
	}
	return n;
}

static size_t count_fields(const char *s, char delim)
{
	int open;

	return count_fields_open(s, delim, &open);
}

/* Cuts a delimiter ending `line` (an empty last field, blanks aside) off
 * it; returns 1 when there was one. */
static int cut_trailing(char *line, char delim)
{
	size_t len = strlen(line);

	while (len > 0 && is_pad(line[len - 1], delim))
		len--;
	if (len == 0 || line[len - 1] != delim)
		return 0;
	line[len - 1] = '\0';
	return 1;
}

/* The delimiter of counts[] (tab, ';', ','): the most frequent, earlier
 * on a tie; when none occurs, whitespace if the line has several
 * blank-separated `words`, else ','. */
static char pick_delimiter(const size_t counts[3], size_t words)
{
	static const char cand[3] = { '\t', ';', ',' };
	int best = 2;

	if (counts[0] + counts[1] + counts[2] == 0)
		return words >= 2 ? LRS_DELIM_WHITESPACE : ',';
	for (int i = 1; i >= 0; i--)
		if (counts[i] > 0 && counts[i] >= counts[best])
			best = i;
	return cand[best];
}

/* How many times `delim` separates the fields of line[0, len), reading
 * quotes as field_end does: only a quote that opens a field (after its
 * blanks) starts quoted text, so an inch mark (15") hides no delimiter
 * after it. A quote that never closes ends the count. */
static size_t count_separators(const char *line, size_t len, char delim)
{
	size_t n = 0, i = 0;

	for (;;) {
		while (i < len && is_pad(line[i], delim))
			i++;
		if (i < len && line[i] == '"') {
			for (i++; i < len && !(line[i] == '"' && (i + 1 == len || line[i + 1] != '"')); i += 1 + (line[i] == '"'))
				;
			if (i >= len)
				return n;
			i++;   /* the closing quote */
		}
		while (i < len && line[i] != delim)
			i++;
		if (i >= len)
			return n;
		n++;
		i++;
	}
}

char lrs_csv_detect_delimiter(const char *line, size_t len)
{
	size_t counts[3] = { count_separators(line, len, '\t'), count_separators(line, len, ';'),
	                     count_separators(line, len, ',') }, words = 0;

	int quoted = 0;   /* inside double quotes: one word */

	/* blank-separated words, for whitespace when none of the three occurs */
	for (size_t i = 0; i < len; i++) {
		int blank = line[i] == ' ' || line[i] == '\t';

		words += !quoted && !blank && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t');
		quoted ^= line[i] == '"';
	}
	return pick_delimiter(counts, words);
}

/* How a delimiter is written in messages. */
static const char *delim_name(char delim)
{
	return delim == '\t' ? "tab" : delim == ';' ? "';'" : delim == '|' ? "'|'" :
	       delim == LRS_DELIM_WHITESPACE ? "whitespace" : "','";
}

/* Cuts the field starting at *p at its delimiter (in place) and moves *p
 * past it; returns the field with surrounding blanks removed (a blank
 * that is the delimiter, a tab, is not removed: it was cut first) and,
 * when quoted, its quotes: "a, b" is a, b and "say ""hi""" is say "hi".
 * Text after the closing quote is kept as it is. */
static char *cut_field(char **p, char delim)
{
	int open = 0;
	char *s = *p, *end = (char *)field_end(s, delim, &open), *w, *q;

	if (*end) {
		*p = (char *)skip_sep(end, delim);
		*end = '\0';
	} else {
		*p = end;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (*s != '"' || open)
		return s;
	for (w = s, q = s + 1; *q && !(*q == '"' && q[1] != '"'); q += 1 + (*q == '"'))
		*w++ = *q;
	if (*q)   /* the closing quote: what follows it stays */
		memmove(w, q + 1, strlen(q + 1) + 1);
	else
		*w = '\0';
	return s;
}

/* Parses one trimmed field as a number into *v: decimal, as NumPy and
 * pandas read a CSV; strtod's hexadecimal ("0x1A", an id more often than
 * not) is text. */
static field_status parse_field(const char *s, double *v)
{
	char *end;

	if (*s == '\0')
		return FLD_EMPTY;
	if (strpbrk(s, "xX"))
		return FLD_TEXT;
	*v = strtod(s, &end);
	if (end == s || *end != '\0')
		return FLD_TEXT;
	if (isnan(*v))
		return FLD_NAN;
	if (isinf(*v))
		return FLD_INF;
	return FLD_OK;
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

/* Whether text field s is how a spreadsheet or pandas writes a missing
 * value. */
static int missing_token(const char *s)
{
	static const char *const tokens[] = { "NA", "N/A", "n/a", "na", "?", "null", "NULL", "None", "-", "#N/A" };

	for (size_t k = 0; k < sizeof tokens / sizeof tokens[0]; k++)
		if (strcmp(s, tokens[k]) == 0)
			return 1;
	return 0;
}

/* Whether s is a number written with a decimal comma ("1,5"), as a
 * spreadsheet in much of Europe saves it. */
static int decimal_comma(const char *s)
{
	const char *comma = strchr(s, ',');
	double v;
	char *copy;
	int yes;

	if (!comma || strchr(comma + 1, ',') || !(copy = strdup(s)))
		return 0;
	copy[comma - s] = '.';
	yes = parse_field(copy, &v) == FLD_OK;
	free(copy);
	return yes;
}

/* Text in feature column `col` of the first data row: a column of
 * names, most likely the label where label: was not set (it is not the
 * last column), else one to leave out. The hint says which key does
 * it, naming the column by its 0-based index, which is right with or
 * without a header. */
static const char *text_column_hint(const csv_reader *r, size_t col, char *buf, size_t size)
{
	if (!r->label_given)
		snprintf(buf, size, " (a column of text: the label is the last column unless set; if column %zu is the "
		         "label, set label: %zu (from 0); if it is not a feature, leave it out with drop: [%zu])", col + 1, col, col);
	else
		snprintf(buf, size, " (a column of text: if it is not a feature, leave it out with drop: [%zu])", col);
	return buf;
}

/* A field that is not a finite number: names the file, row and column,
 * and what it most likely is. */
static int field_error(const csv_reader *r, size_t col, const char *field, field_status st)
{
	static const char missing[] = " (a missing value: lrsweep fills none in; drop or fill them first, "
	                              "as pandas' dropna() or fillna() do)";
	const char *why = st == FLD_TEXT ? "is not a number" : st == FLD_NAN ? "is NaN" : "is infinite or out of range";
	const char *hint = "";
	char at[128], text[256];

	if (st == FLD_EMPTY || st == FLD_NAN || (st == FLD_TEXT && missing_token(field)))
		hint = missing;
	else if (st == FLD_TEXT && decimal_comma(field))
		hint = " (a decimal comma or a thousands separator: numbers are read as 1234.5; save the file with '.' "
		       "decimals and no grouping)";
	else if (st == FLD_TEXT && col != r->label && r->row == r->first_data)
		hint = text_column_hint(r, col, text, sizeof text);
	if (st == FLD_EMPTY)
		return lrs_error_set(LRS_EINVALID, "%s: %s: empty field%s", r->path, where(r, col, at, sizeof at), hint);
	return lrs_error_set(LRS_EINVALID, "%s: %s: '%.40s' %s%s", r->path, where(r, col, at, sizeof at), field, why,
	                     hint);
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

/* Keeps the first line as the header: its names, split in place. */
static int take_header(csv_reader *r)
{
	char *p;

	if (!(r->head = strdup(r->line)) || !(r->names = malloc(r->cols * sizeof *r->names)))
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory (%zu bytes for the header)",
		                     r->path, strlen(r->line) + r->cols * sizeof *r->names);
	p = r->head;
	for (size_t c = 0; c < r->cols; c++)
		r->names[c] = cut_field(&p, r->delim);
	r->head_row = r->row;
	return 0;
}

/* "it has: a, b, label" (cut to fit `size`): the header's names, for an
 * error about a column that is not there. */
static const char *header_list(const csv_reader *r, char *buf, size_t size)
{
	size_t used = (size_t)snprintf(buf, size, "it has:");

	for (size_t c = 0; c < r->cols && used < size; c++) {
		int more = snprintf(buf + used, size - used, "%s '%s'", c ? "," : "", r->names[c]);

		if (more < 0 || (size_t)more >= size - used - 5) {   /* room for " ..." */
			snprintf(buf + used, size - used, " ...");
			break;
		}
		used += (size_t)more;
	}
	return buf;
}

/* Resolves the label column `label` against the first row. */
static int find_label(csv_reader *r, const char *label)
{
	char list[320];

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
	return lrs_error_set(LRS_EINVALID, "%s: no column named '%s' in the header (%s)", r->path, label,
	                     header_list(r, list, sizeof list));
}

/* ---------------------------------------------------------------- drop */

static int is_dropped(const csv_reader *r, size_t col)
{
	return r->dropped && r->dropped[col];
}

/* Marks the columns `drop:` names, those given by 0-based index (before
 * the header is known: detect_header skips them) or by header name
 * (after it); an error, located at the experiment's item, for a column
 * that does not exist. */
static int mark_dropped(csv_reader *r, int by_name)
{
	char list[320];

	if (r->n_drop == 0)
		return 0;
	if (!r->dropped && !(r->dropped = calloc(r->cols, 1)))
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory", r->path);
	for (size_t k = 0; k < r->n_drop; k++) {
		const lrs_data_drop *dc = &r->drop[k];
		size_t c = 0;

		if (all_digits(dc->column) != !by_name)
			continue;
		if (!by_name) {
			if (strlen(dc->column) > 9 || (c = strtoul(dc->column, NULL, 10)) >= r->cols)
				return lrs_error_set_at(LRS_EINVALID, dc->line, dc->col, "%s: drop: column %s is out of range: rows "
				                        "have %zu columns (0 to %zu)", r->path, dc->column, r->cols, r->cols - 1);
		} else if (!r->names) {
			return lrs_error_set_at(LRS_EINVALID, dc->line, dc->col, "%s: drop: column '%s' is a name, but the file "
			                        "has no header row (give its 0-based index)", r->path, dc->column);
		} else {
			while (c < r->cols && strcmp(r->names[c], dc->column) != 0)
				c++;
			if (c == r->cols)
				return lrs_error_set_at(LRS_EINVALID, dc->line, dc->col, "%s: drop: no column named '%s' in the "
				                        "header (%s)", r->path, dc->column, header_list(r, list, sizeof list));
		}
		r->dropped[c] = 1;
	}
	return 0;
}

/* Whether `drop:` names a column by its header name. */
static int drops_by_name(const csv_reader *r)
{
	for (size_t k = 0; k < r->n_drop; k++)
		if (!all_digits(r->drop[k].column))
			return 1;
	return 0;
}

/* The item of `drop:` that names column `col` (one does). */
static const lrs_data_drop *drop_item(const csv_reader *r, size_t col)
{
	for (size_t k = 0; k < r->n_drop; k++) {
		const char *name = r->drop[k].column;

		if (all_digits(name) ? strlen(name) <= 9 && strtoul(name, NULL, 10) == col
		                     : r->names && strcmp(r->names[col], name) == 0)
			return &r->drop[k];
	}
	return &r->drop[0];
}

/* The features left once the label and the dropped columns are out;
 * the label itself may not be dropped. */
static int count_features(csv_reader *r)
{
	const lrs_data_drop *dc;

	r->d = 0;
	for (size_t c = 0; c < r->cols; c++)
		r->d += c != r->label && !is_dropped(r, c);
	if (is_dropped(r, r->label)) {
		dc = drop_item(r, r->label);
		return lrs_error_set_at(LRS_EINVALID, dc->line, dc->col, "%s: drop: column %s is the label column (%zu, "
		                        "from 0)", r->path, dc->column, r->label);
	}
	if (r->d == 0)
		return lrs_error_set_at(LRS_EINVALID, r->drop[0].line, r->drop[0].col, "%s: drop leaves no feature: every "
		                        "column but the label is dropped", r->path);
	return 0;
}

/* -------------------------------------------------------------- labels */

/* FNV-1a: the hash of a label name. */
static uint64_t hash_name(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Doubles the hash table (at least 64 slots) and puts every name back. */
static int rehash(csv_reader *r)
{
	size_t n = r->n_slot ? 2 * r->n_slot : 64;
	uint32_t *slot = calloc(n, sizeof *slot);

	if (!slot)
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory (%zu bytes for the label names)", r->path,
		                     n * sizeof *slot);
	for (size_t k = 0; k < r->n_lab; k++) {
		size_t i = (size_t)hash_name(r->lab[k]) & (n - 1);
		while (slot[i])
			i = (i + 1) & (n - 1);
		slot[i] = (uint32_t)(k + 1);
	}
	free(r->slot);
	r->slot = slot;
	r->n_slot = n;
	return 0;
}

/* The index of label name `name` among the distinct names (first seen
 * first), adding it when new; an error code past MAX_NAMES names. */
static long intern(csv_reader *r, size_t col, const char *name)
{
	size_t i;
	char at[128];
	int rc;

	if (2 * (r->n_lab + 1) > r->n_slot && (rc = rehash(r)) < 0)
		return rc;
	for (i = (size_t)hash_name(name) & (r->n_slot - 1); r->slot[i]; i = (i + 1) & (r->n_slot - 1))
		if (strcmp(r->lab[r->slot[i] - 1], name) == 0)
			return (long)r->slot[i] - 1;
	if (r->n_lab == MAX_NAMES)
		return lrs_error_set(LRS_EINVALID, "%s: %s: more than %d different label names: is column %zu the label?",
		                     r->path, where(r, col, at, sizeof at), MAX_NAMES, col + 1);
	if (r->n_lab == r->lab_cap) {
		size_t cap = r->lab_cap ? 2 * r->lab_cap : 16;
		char **lab = realloc(r->lab, cap * sizeof *lab);
		if (!lab)
			return lrs_error_set(LRS_ENOMEM, "%s: out of memory (the label names)", r->path);
		r->lab = lab;
		r->lab_cap = cap;
	}
	if (!(r->lab[r->n_lab] = strdup(name)))
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory (the label names)", r->path);
	r->slot[i] = (uint32_t)(r->n_lab + 1);
	return (long)r->n_lab++;
}

/* One name and where it was first seen, for the sort. */
typedef struct {
	char *name;
	uint32_t first;   /* its index in first-seen order */
} ranked_name;

static int by_name(const void *a, const void *b)
{
	return strcmp(((const ranked_name *)a)->name, ((const ranked_name *)b)->name);
}

/* Sorts the names in byte order, turns every kept y from a first-seen
 * index into a rank, and hands the sorted names to `info`. */
static int rank_names(csv_reader *r, lrs_csv_info *info)
{
	ranked_name *v = malloc(r->n_lab * sizeof *v);
	uint32_t *rank = malloc(r->n_lab * sizeof *rank);   /* first-seen index -> rank */

	if (!v || !rank) {
		free(v);
		free(rank);
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory (the label names)", r->path);
	}
	for (size_t k = 0; k < r->n_lab; k++)
		v[k] = (ranked_name){ r->lab[k], (uint32_t)k };
	qsort(v, r->n_lab, sizeof *v, by_name);
	for (size_t k = 0; k < r->n_lab; k++) {
		rank[v[k].first] = (uint32_t)k;
		r->lab[k] = v[k].name;
	}
	for (size_t i = 0; i < r->n; i++)
		r->y[i] = (int32_t)rank[r->y[i]];
	info->names = r->lab;
	info->n_names = r->n_lab;
	r->lab = NULL;
	r->n_lab = 0;
	free(v);
	free(rank);
	return 0;
}

/* Checks the label field of column `col` and, when `y`, stores it: a
 * number as itself, a name as its first-seen index. */
static int take_label(csv_reader *r, size_t col, char *field, int32_t *y)
{
	double v;
	field_status st = parse_field(field, &v);
	int is_name = st == FLD_TEXT;
	char at[128];
	long id;

	if (st == FLD_EMPTY || st == FLD_NAN)
		return field_error(r, col, field, st);
	if (r->names_mode < 0)
		r->names_mode = is_name;
	if (is_name && !r->names_mode && (missing_token(field) || decimal_comma(field)))
		return field_error(r, col, field, st);   /* NA or 1,5 among numbers: not a name */
	if (is_name != r->names_mode)
		return lrs_error_set(LRS_EINVALID, "%s: %s: label '%.40s' is %s, but the label of row %zu is %s: "
		                     "a label column holds numbers or names, not both", r->path,
		                     where(r, col, at, sizeof at), field, is_name ? "a name" : "a number",
		                     r->first_data, is_name ? "a number" : "a name");
	if (is_name) {
		if (y) {
			if ((id = intern(r, col, field)) < 0)
				return (int)id;
			*y = (int32_t)id;
		}
		return 0;
	}
	if (st != FLD_OK)
		return field_error(r, col, field, st);
	if (v != floor(v))
		return lrs_error_set(LRS_EINVALID, "%s: %s: label %.40s is not an integer: " LRS_BIN_HINT, r->path,
		                     where(r, col, at, sizeof at), field);
	if (v < INT32_MIN || v > INT32_MAX)
		return lrs_error_set(LRS_EINVALID, "%s: %s: label %.40s is out of range: labels are 32-bit integers "
		                     "(-2147483648 .. 2147483647)", r->path, where(r, col, at, sizeof at), field);
	if (y)
		*y = (int32_t)v;
	return 0;
}

/* ---------------------------------------------------------------- rows */

/* Makes room for one more kept row: at first for every line of the file
 * (one allocation, no more than the memory check counted), then, should
 * the file have grown, twice as many. */
static int grow(csv_reader *r)
{
	size_t d = r->d, bytes;
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

/* A data row with the wrong number of columns. The first one after a
 * header says what the header holds: a first line of another shape (a
 * title, scikit-learn's "n_samples,n_features,..." line) is skipped with
 * skip_rows. */
static int ragged(const csv_reader *r, size_t cols)
{
	if (r->first_data == r->row && r->head_row)
		return lrs_error_set(LRS_EINVALID, "%s: row %zu has %zu columns, expected %zu (ragged rows): the header, "
		                     "row %zu, has %zu; if row %zu is not the header, skip it with skip_rows: %zu",
		                     r->path, r->row, cols, r->cols, r->head_row, r->cols, r->head_row, r->head_row);
	return lrs_error_set(LRS_EINVALID, "%s: row %zu has %zu columns, expected %zu (ragged rows)",
	                     r->path, r->row, cols, r->cols);
}

/* A row whose quotes never close: its fields cannot be told apart. */
static int open_quote(const csv_reader *r)
{
	return lrs_error_set(LRS_EINVALID, "%s: row %zu: a quoted field has no closing quote (a line break inside "
	                     "quotes is not read)", r->path, r->row);
}

/* Parses r->line as a data row; keeps it when `keep`. */
static int parse_row(csv_reader *r, int keep)
{
	int open;              /* a quote left open */
	size_t d = r->d, cols;

	float *x = NULL;       /* (d) where the kept row goes */
	char *p = r->line, at[128];
	int rc;

	if (r->trailing)
		cut_trailing(r->line, r->delim);
	strip_blanks(r->line, r->delim);
	cols = count_fields_open(r->line, r->delim, &open);
	if (!r->first_data)
		r->first_data = r->row;
	if (open)
		return open_quote(r);
	if (cols != r->cols)
		return ragged(r, cols);
	if (keep) {
		if (r->n == r->cap && (rc = grow(r)) < 0)
			return rc;
		x = r->x + r->n * d;
	}
	for (size_t c = 0, j = 0; c < r->cols; c++) {
		char *field = cut_field(&p, r->delim);
		double v;
		field_status st;

		if (c == r->label) {
			if ((rc = take_label(r, c, field, keep ? &r->y[r->n] : NULL)) < 0)
				return rc;
			continue;
		}
		if (is_dropped(r, c))   /* left out unread: an id, a name */
			continue;
		if ((st = parse_field(field, &v)) != FLD_OK)
			return field_error(r, c, field, st);
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

/* The label column when `label` names it by position ("first", "last",
 * an index below cols): 0 and *col, or -1 (a header name, or out of
 * range: find_label says which). */
static int label_position(const char *label, size_t cols, size_t *col)
{
	if (!label || strcmp(label, "last") == 0) {
		*col = cols - 1;
		return 0;
	}
	if (strcmp(label, "first") == 0) {
		*col = 0;
		return 0;
	}
	if (all_digits(label) && strlen(label) < 10 && strtoul(label, NULL, 10) < cols) {
		*col = strtoul(label, NULL, 10);
		return 0;
	}
	return -1;
}

/* A copy of the line after the current one, without its line ending
 * (to be freed): read ahead and kept for next_line, so that a stream
 * that cannot seek back (gzip) is read as a plain file is. NULL at the
 * end of the file (or a line with a NUL byte: next_line says so). */
static char *peek_line(csv_reader *r)
{
	char *line;
	ssize_t len;

	if (!r->has_ahead) {
		r->ahead_len = getline(&r->ahead, &r->ahead_cap, r->f);
		r->has_ahead = 1;
	}
	len = r->ahead_len;
	if (len <= 0 || memchr(r->ahead, '\0', (size_t)len) || !(line = malloc((size_t)len + 1)))
		return NULL;
	memcpy(line, r->ahead, (size_t)len + 1);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	return line;
}

/* Whether the line after the current one has a number in column `col`.
 * 0 at the end of the file. */
static int next_label_is_number(csv_reader *r, size_t col)
{
	char *line = peek_line(r), *p = line, *field = NULL;
	double v;
	int number;

	if (line)
		strip_blanks(line, r->delim);
	if (line && count_fields(line, r->delim) > col)
		for (size_t c = 0; c <= col; c++)
			field = cut_field(&p, r->delim);
	number = field && parse_field(field, &v) == FLD_OK;
	free(line);
	return number;
}

/* Whether the first row and the next both end with the delimiter, as
 * some exporters write every row ("1,2,cat,"): an empty last column in
 * every row, not a last column to read. */
static int trailing_delimiter(csv_reader *r)
{
	char *next, *copy;
	int both;

	if (r->delim == LRS_DELIM_WHITESPACE)   /* blanks ending a line separate nothing */
		return 0;
	copy = strdup(r->line);
	if (!copy || !cut_trailing(copy, r->delim)) {
		free(copy);
		return 0;
	}
	free(copy);
	next = peek_line(r);
	both = next && cut_trailing(next, r->delim);
	free(next);
	return both;
}

/* Auto mode: whether the first row is a header. When the label is given
 * by position, a header is a row with a feature that is not a number, or
 * one whose only text is its label while the next row's label is a
 * number (names as labels make a data row with text in it); when it (or
 * a dropped column) is given by name, a row with any field that is not a
 * number. Columns dropped by index are not read. */
static int detect_header(csv_reader *r, const char *label)
{
	char *copy = strdup(r->line), *p = copy;
	int by_position, text_label = 0, header = 0;
	size_t col = 0;

	if (!copy)
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory", r->path);
	by_position = label_position(label, r->cols, &col) == 0 && !drops_by_name(r);
	for (size_t c = 0; c < r->cols && !header; c++) {
		double v;
		int text = parse_field(cut_field(&p, r->delim), &v) == FLD_TEXT;

		if (is_dropped(r, c))   /* by index: it may hold text (names) */
			continue;
		if (by_position && c == col)
			text_label = text;
		else
			header = text;
	}
	free(copy);
	if (!header && text_label)
		header = next_label_is_number(r, col);
	return header;
}

/* The first row: delimiter, column count, header, label column; returns 1
 * when the row is data, 0 when it is a header, or an error code. */
static int first_row(csv_reader *r, const char *label, int header, char delim)
{
	int rc, open;

	if (strchr(r->line, '\r'))
		return lrs_error_set(LRS_EINVALID, "%s: row %zu holds a carriage return: lines that end in CR alone (as "
		                     "old Mac programs save them) are not read; save the file with LF or CRLF line ends",
		                     r->path, r->row);
	r->detected = !delim;
	r->delim = delim ? delim : lrs_csv_detect_delimiter(r->line, strlen(r->line));
	strip_blanks(r->line, r->delim);
	r->trailing = trailing_delimiter(r);
	r->cols = count_fields_open(r->line, r->delim, &open) - (size_t)r->trailing;
	if (open)
		return open_quote(r);
	if (r->cols < 2)
		return lrs_error_set(LRS_EINVALID, "%s: row %zu has one column (no %s in it): "
		                     "need at least one feature and a label%s", r->path, r->row,
		                     r->detected ? "',', ';', tab or blank-separated fields" : delim_name(r->delim),
		                     r->detected ? "" : " (check the delimiter)");
	if ((rc = mark_dropped(r, 0)) < 0)
		return rc;
	if (header < 0 && (header = detect_header(r, label)) < 0)
		return header;
	if (header && (rc = take_header(r)) < 0)
		return rc;
	if ((rc = find_label(r, label)) < 0 || (rc = mark_dropped(r, 1)) < 0 || (rc = count_features(r)) < 0)
		return rc;
	if (header && r->names[0][0] == '\0' && r->label != 0 && !is_dropped(r, 0))
		return lrs_error_set(LRS_EINVALID, "%s: column 1 has no name in the header: the row index pandas' to_csv "
		                     "(or the row names R's write.csv) writes there would train as a feature; save the file "
		                     "with to_csv(..., index=False) (in R, row.names = FALSE), or leave it out with drop: [0]",
		                     r->path);
	return !header;
}

/* zlib returns what it inflated up to a truncated stream's end, then 0
 * with Z_BUF_ERROR: that end is a read error, not the end of the text. */
static ssize_t gz_cookie_read(void *gz, char *buf, size_t size)
{
	int got = gzread(gz, buf, size > (1u << 30) ? 1u << 30 : (unsigned)size), err = Z_OK;

	if (got == 0)
		gzerror(gz, &err);
	if (got < 0 || err != Z_OK) {
		errno = EIO;
		return -1;
	}
	return got;
}

static int gz_cookie_close(void *gz)
{
	return gzclose_r(gz) == Z_OK ? 0 : -1;
}

/* Opens a regular file for reading as text: *f is the file itself, or,
 * when it starts with gzip's magic bytes, a stream of what it inflates to.
 * Returns 0, or -1 with errno set (EINVAL: not a regular file). */
static int open_text(const char *path, FILE **f)
{
	static const cookie_io_functions_t gz_io = { .read = gz_cookie_read, .close = gz_cookie_close };
	unsigned char magic[2] = { 0, 0 };
	struct stat st;
	gzFile gz;
	int fd = lrs_data_open(path, &st);   /* a regular file, or errno */

	if (fd < 0)
		return -1;
	if (!(*f = fdopen(fd, "rb"))) {
		close(fd);
		return -1;
	}
	if (fread(magic, 1, 2, *f) < 2 || magic[0] != 0x1f || magic[1] != 0x8b) {
		rewind(*f);
		return 0;
	}
	/* the same file, not the path again: it may have been replaced */
	if ((fd = dup(fileno(*f))) < 0 || lseek(fd, 0, SEEK_SET) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		fclose(*f);
		errno = e;
		return -1;
	}
	fclose(*f);
	if (!(gz = gzdopen(fd, "rb"))) {
		close(fd);
		return -1;
	}
	if (!(*f = fopencookie(gz, "r", gz_io))) {
		gzclose_r(gz);
		return -1;
	}
	return 0;
}

int lrs_data_shape_csv(const char *path, char delim, size_t skip, size_t *n, size_t *d)
{
	FILE *f;
	char buf[1 << 16];
	size_t got, lines = 0;            /* newlines seen                       */
	size_t counts[4] = { 0, 0, 0, 0 }; /* tab ; , | in line `skip`          */
	size_t words = 0;                 /* its blank-separated fields          */
	int last = '\n';                  /* the last byte read                  */
	int blank = 1;                    /* the byte before was a blank         */

	if (open_text(path, &f) < 0)
		return -1;
	while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
		const char *p = buf, *end = buf + got, *nl;

		while (p < end) {
			if (lines == skip) {   /* the first line read: its fields */
				for (; p < end && *p != '\n'; p++) {
					words += blank && *p != ' ' && *p != '\t' && *p != '\r';
					blank = *p == ' ' || *p == '\t';
					counts[0] += *p == '\t';
					counts[1] += *p == ';';
					counts[2] += *p == ',';
					counts[3] += *p == '|';
				}
				if (p < end) {
					lines++;
					p++;
				}
				continue;
			}
			if (!(nl = memchr(p, '\n', (size_t)(end - p))))
				break;
			lines++;
			p = nl + 1;
		}
		last = (unsigned char)buf[got - 1];
	}
	lines += last != '\n';   /* a last line without its newline */
	if (ferror(f) || lines <= skip) {
		fclose(f);
		return -1;
	}
	fclose(f);
	if (!delim)
		delim = pick_delimiter(counts, words);
	*n = lines - skip;
	*d = delim == '\t' ? counts[0] : delim == ';' ? counts[1] : delim == ',' ? counts[2] : delim == '|' ? counts[3] :
	     delim == LRS_DELIM_WHITESPACE && words > 0 ? words - 1 : 0;
	return *d > 0 ? 0 : -1;   /* fields - 1: one field is no data */
}

void lrs_csv_info_free(lrs_csv_info *info)
{
	if (!info)
		return;
	for (size_t k = 0; k < info->n_names; k++)
		free(info->names[k]);
	free(info->names);
	free(info->head);
	free(info->columns);
	free(info->column);
	memset(info, 0, sizeof *info);
}

/* Opens `path` into r: a regular file, or the error. */
static int reader_open(csv_reader *r, const char *path)
{
	if (open_text(path, &r->f) == 0)
		return 0;
	r->f = NULL;
	if (errno == EINVAL)
		return lrs_error_set(LRS_EINVALID, "%s: not a regular file", path);
	return lrs_error_set(LRS_EINVALID, "%s: cannot open (%s)", path, strerror(errno));
}

/* Closes r's file and frees what it holds (the rows, unless handed over). */
static void reader_free(csv_reader *r)
{
	void *blocks[] = { r->line, r->ahead, r->head, r->names, r->x, r->y, r->lab, r->slot, r->dropped };   /* its allocations */

	if (r->f)
		fclose(r->f);
	for (size_t k = 0; k < r->n_lab; k++)
		free(r->lab[k]);
	for (size_t k = 0; k < sizeof blocks / sizeof blocks[0]; k++)
		free(blocks[k]);
}

static int nul_error(const csv_reader *r)
{
	return lrs_error_set(LRS_EINVALID, "%s: row %zu holds a NUL byte: not a CSV text file", r->path, r->nul_row);
}

static int read_error(const csv_reader *r)
{
	return lrs_error_set(LRS_EINVALID, "%s: read error after row %zu: the file ends early or is damaged",
	                     r->path, r->row);
}

static int blank_error(const csv_reader *r, size_t blank)
{
	return lrs_error_set(LRS_EINVALID, "%s: row %zu is blank (only the end of the file may have blank lines)",
	                     r->path, blank);
}

/* Skips `skip_rows` lines and reads the first row after them into
 * r->line: 0, or the error (nothing left, or a blank line before it). */
static int read_first(csv_reader *r, size_t skip_rows)
{
	size_t blank = 0;              /* the first blank row before it */
	long len = 0;

	for (size_t k = 0; k < skip_rows; k++)
		if (next_line(r) < 0)
			break;
	if (ferror(r->f))
		return read_error(r);
	if (r->row < skip_rows && !r->nul_row)
		return lrs_error_set(LRS_EINVALID, "%s: skip_rows %zu skips every line (the file has %zu)",
		                     r->path, skip_rows, r->row);
	while (!r->nul_row && (len = next_line(r)) >= 0 && is_blank(r->line))
		if (!blank)
			blank = r->row;
	if (r->nul_row)
		return nul_error(r);
	if (ferror(r->f))
		return read_error(r);
	if (len < 0)
		return skip_rows ? lrs_error_set(LRS_EINVALID, "%s: no rows after the %zu skipped", r->path, skip_rows)
		                 : lrs_error_set(LRS_EINVALID, "%s: empty file", r->path);
	return blank ? blank_error(r, blank) : 0;
}

/* Parses the rows after the first, keeping the first `limit` data rows
 * (0: all): 0, or the error. Blank lines may only end the file. */
static int read_rows(csv_reader *r, size_t limit)
{
	size_t blank = 0;              /* the first blank row since the last data row */
	int rc;

	while (next_line(r) >= 0) {
		if (is_blank(r->line)) {
			if (!blank)
				blank = r->row;
			continue;
		}
		if (blank)
			return blank_error(r, blank);
		if ((rc = parse_row(r, !limit || r->n < limit)) < 0)
			return rc;
	}
	if (ferror(r->f))
		return read_error(r);
	if (r->nul_row)
		return nul_error(r);
	if (r->n == 0)
		return lrs_error_set(LRS_EINVALID, "%s: no data rows", r->path);
	return 0;
}

/* Gives r's rows to `out` (their unused tail given back) and what the file
 * held to `info`, the header's feature names and the features' columns
 * included. */
static int hand_over(csv_reader *r, lrs_split *out, lrs_csv_info *info)
{
	if (!(info->column = malloc((r->d ? r->d : 1) * sizeof *info->column)))
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory (the columns)", r->path);
	for (size_t c = 0, j = 0; c < r->cols; c++)
		if (c != r->label && !is_dropped(r, c))
			info->column[j++] = c;
	info->label_column = r->label;
	if (r->n < r->cap) {   /* keep the old block if realloc fails */
		float *x = realloc(r->x, r->n * r->d * sizeof *x);
		int32_t *y = realloc(r->y, r->n * sizeof *y);

		r->x = x ? x : r->x;
		r->y = y ? y : r->y;
	}
	out->x = r->x;
	out->y = r->y;
	out->n = r->n;
	out->d = r->d;
	info->delimiter = r->delim;
	info->header = r->head_row != 0;
	r->x = NULL;
	r->y = NULL;
	if (r->names) {   /* the features' names (no label, none dropped): r->names in place */
		size_t j = 0;

		info->label_name = r->names[r->label];   /* in r->head */
		for (size_t c = 0; c < r->cols; c++)
			if (c != r->label && !is_dropped(r, c))
				r->names[j++] = r->names[c];
		info->head = r->head;
		info->columns = r->names;
		r->head = NULL;
		r->names = NULL;
	}
	return 0;
}

int lrs_data_load_csv(lrs_split *out, lrs_csv_info *info, const lrs_data_source *src, size_t limit)
{
	csv_reader r = { 0 };
	size_t unused;                 /* the shape pass's feature count */
	int rc;

	memset(out, 0, sizeof *out);
	memset(info, 0, sizeof *info);
	r.path = src->path;
	r.names_mode = -1;
	r.label_given = src->label != NULL;
	r.drop = src->drop;
	r.n_drop = src->n_drop;
	if ((rc = reader_open(&r, src->path)) < 0)
		return rc;
	if (lrs_data_shape_csv(src->path, src->delimiter, src->skip_rows, &r.first_cap, &unused) < 0)
		r.first_cap = 0;
	else if (limit && limit < r.first_cap)
		r.first_cap = limit;
	/* the first row says 1 when it is data, 0 when a header */
	if ((rc = read_first(&r, src->skip_rows)) == 0 &&
	    (rc = first_row(&r, src->label, src->header, src->delimiter)) == 1)
		rc = parse_row(&r, 1);
	if (rc >= 0 && (rc = read_rows(&r, limit)) == 0 && r.names_mode == 1)
		rc = rank_names(&r, info);
	if (rc >= 0)
		rc = hand_over(&r, out, info);
	reader_free(&r);
	if (rc < 0)
		lrs_csv_info_free(info);
	return rc;
}
