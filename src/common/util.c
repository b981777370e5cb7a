/* util.c - string buffer, strict number parsing, nearest-name suggestions. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/number.h"
#include "lrsweep/util.h"

/* ---------------------------------------------------------------- buffer */

static int buf_reserve(lrs_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	char *p;

	if (b->failed)
		return LRS_ENOMEM;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->failed = 1;
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int lrs_buf_printf(lrs_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) < 0)
		return LRS_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/* The length of the valid UTF-8 sequence at p (1 to 4), or 0 when p does
 * not start one (a stray continuation byte, an overlong form, a surrogate,
 * a code point above U+10FFFF, a sequence cut short). */
static size_t utf8_len(const unsigned char *p)
{
	/* (see lrs_utf8_len) */
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (size_t k = 1; k < n; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) || (p[0] == 0xf0 && p[1] < 0x90) ||
	    (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

size_t lrs_utf8_len(const char *s)
{
	return utf8_len((const unsigned char *)s);
}

/* A C1 control character (U+0080..U+009F) in UTF-8: terminals may act on
 * it as on ESC [. */
static int is_c1(const unsigned char *p)
{
	return p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f;
}

/* A bidirectional embedding, override or isolate (U+202A..U+202E,
 * U+2066..U+2069): shown raw, one in a name turns the rest of its line
 * around on a terminal, numbers of the other columns included. */
static int is_bidi_control(const unsigned char *p)
{
	return p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
	                        (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9));
}

int lrs_buf_json_string(lrs_buf *b, const char *s)
{
	int rc = lrs_buf_printf(b, "\"");

	for (const unsigned char *p = (const unsigned char *)s; *p && rc == 0;) {
		size_t n = utf8_len(p);
		if (*p == '"' || *p == '\\')
			rc = lrs_buf_printf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			rc = lrs_buf_printf(b, "\\u%04x", *p);
		else if (n == 0)   /* not UTF-8: JSON text must be */
			rc = lrs_buf_printf(b, "\\ufffd");
		else if (is_c1(p))
			rc = lrs_buf_printf(b, "\\u%04x", p[1]);
		else
			rc = lrs_buf_printf(b, "%.*s", (int)n, (const char *)p);
		p += n ? n : 1;
	}
	return rc ? rc : lrs_buf_printf(b, "\"");
}

size_t lrs_buf_printable(lrs_buf *b, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_len(p);
		char unit[8];

		if (*p == '\n' || *p == '\t' || *p == '\r')
			snprintf(unit, sizeof unit, "\\%c", *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r');
		else if (*p < 0x20 || *p == 0x7f || n == 0)
			snprintf(unit, sizeof unit, "\\x%02x", *p);
		else if (is_c1(p))
			snprintf(unit, sizeof unit, "\\u%04x", p[1]);
		else if (n == 3 && is_bidi_control(p))
			snprintf(unit, sizeof unit, "\\u%04x", ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu));
		else
			snprintf(unit, sizeof unit, "%.*s", (int)n, (const char *)p);
		if (max && b->len + strlen(unit) > max)
			break;
		lrs_buf_printf(b, "%s", unit);
		p += n ? n : 1;
	}
	return strlen((const char *)p);
}

int lrs_buf_json_number(lrs_buf *b, double v)
{
	return isfinite(v) ? lrs_buf_printf(b, "%.17g", v) : lrs_buf_printf(b, "null");
}

char *lrs_fmt_count(char *buf, unsigned long long n)
{
	char digits[LRS_COUNT_TEXT];
	int len = snprintf(digits, sizeof digits, "%llu", n), at = 0;

	for (int i = 0; i < len; i++) {   /* 20 digits and 6 commas at most */
		if (i > 0 && (len - i) % 3 == 0)
			buf[at++] = ',';
		buf[at++] = digits[i];
	}
	buf[at] = '\0';
	return buf;
}

char *lrs_buf_take(lrs_buf *b)
{
	char *s;

	if (b->failed || buf_reserve(b, 0) < 0) {
		lrs_buf_free(b);
		return NULL;
	}
	s = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void lrs_buf_free(lrs_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}

/* ------------------------------------------------------------------ JSON */

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

int lrs_json_valid(const char *s)
{
	const char *end = json_value(s, 0);
	return end && *json_ws(end) == '\0';
}

/* --------------------------------------------------------------- numbers */

char *lrs_fmt_double(char *buf, double v)
{
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(buf, LRS_DOUBLE_TEXT, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return buf;
}

/* The text of `s` without the blanks around it: *len bytes from the result. */
static const char *trimmed(const char *s, size_t *len)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	*len = n;
	return s;
}

int lrs_parse_double(const char *s, double *out)
{
	size_t len;
	lrs_number_kind k;
	double v;

	s = trimmed(s, &len);
	errno = 0;
	k = lrs_number_read(s, len, &v, NULL);
	if ((k != LRS_NUMBER_INTEGER && k != LRS_NUMBER_REAL) || !isfinite(v) || errno == ERANGE)
		return -1;   /* 1e-400 is refused as 1e400 is: neither is the number written */
	*out = v;
	return 0;
}

int lrs_parse_long(const char *s, long *out)
{
	lrs_buf digits = { 0 };   /* all of them: 2^53 + 1 must not read as 2^53 */
	size_t len;
	char *end;
	long v;
	int rc = -1;

	s = trimmed(s, &len);
	if (lrs_number_read(s, len, NULL, &digits) == LRS_NUMBER_INTEGER && digits.data) {
		errno = 0;
		v = strtol(digits.data, &end, 10);
		if (!*end && errno != ERANGE) {
			*out = v;
			rc = 0;
		}
	}
	lrs_buf_free(&digits);
	return rc;
}

int lrs_parse_bool(const char *s, int *out)
{
	static const char *const words[] = {
		"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF",   /* 0 */
		"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON",      /* 1 */
	};

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (!strcmp(s, words[i])) {
			*out = i >= 9;
			return 0;
		}
	}
	return -1;
}

/* ------------------------------------------------------- nearest name */

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];  /* one row of the DP table; long names never match */

	if (lb >= sizeof row / sizeof row[0] || la >= 64)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *lrs_nearest_name(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	size_t limit = strlen(word) / 3 + 1;  /* typos allowed: about 1 in 3 */

	if (limit < 2)
		limit = 2;
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, names[i]);
		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	return best_d <= limit ? best : NULL;
}
