/* json.c - the JSON of the external-trainer protocol (SPEC §12): one
 * message per line read into an lrs_node tree, and parameter trees written
 * out as JSON.
 *
 * Reading keeps every scalar as its text (strings unquoted and unescaped,
 * numbers as written), which is all the protocol needs: `op` and `reason`
 * are compared as text, numbers go through lrs_json_number. NaN, Infinity
 * and -Infinity are numbers, as Python's json module writes them, and so
 * are the other languages' spellings of them, in any case and with a sign
 * (C's printf and Rust write inf, -inf, nan and -nan, Go +Inf): a program
 * whose loss overflowed diverged, whatever its language; a measured value
 * may also be null, the NaN of JavaScript's JSON.stringify
 * (lrs_json_value). Nesting
 * is limited so that a hostile line cannot exhaust the stack, and allowed
 * as deep as an experiment file's params may be: "{args}" reads them back
 * from the JSON lrsweep wrote. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lrsweep/config.h"
#include "lrsweep/error.h"
#include "json.h"

#define MAX_DEPTH LRS_CONFIG_MAX_DEPTH   /* the YAML reader's bound */

typedef struct {
	const char *begin, *p, *end;
	char *err;
	size_t errsize;
	int failed;
} reader;

static void fail(reader *r, const char *what)
{
	if (!r->failed)
		snprintf(r->err, r->errsize, "%s at byte %td", what, r->p - r->begin + 1);
	r->failed = 1;
}

static void skip_space(reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\r' || *r->p == '\n'))
		r->p++;
}

static int take(reader *r, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(r->end - r->p) >= n && !memcmp(r->p, word, n)) {
		r->p += n;
		return 1;
	}
	return 0;
}

static void put_utf8(lrs_buf *b, unsigned long c)
{
	if (c < 0x80)
		lrs_buf_printf(b, "%c", (int)c);
	else if (c < 0x800)
		lrs_buf_printf(b, "%c%c", (int)(0xc0 | c >> 6), (int)(0x80 | (c & 0x3f)));
	else if (c < 0x10000)
		lrs_buf_printf(b, "%c%c%c", (int)(0xe0 | c >> 12), (int)(0x80 | (c >> 6 & 0x3f)),
		               (int)(0x80 | (c & 0x3f)));
	else
		lrs_buf_printf(b, "%c%c%c%c", (int)(0xf0 | c >> 18), (int)(0x80 | (c >> 12 & 0x3f)),
		               (int)(0x80 | (c >> 6 & 0x3f)), (int)(0x80 | (c & 0x3f)));
}

static int hex4(reader *r, unsigned long *out)
{
	*out = 0;
	for (int i = 0; i < 4; i++, r->p++) {
		char c = r->p < r->end ? *r->p : 0;
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (v < 0)
			return -1;
		*out = *out << 4 | (unsigned long)v;
	}
	return 0;
}

/* After a high surrogate's escape: takes the low surrogate's "\uDC00" to
 * "\uDFFF" that follows into *lo and returns 1; else consumes nothing (the
 * next escape is read on its own) and returns 0. */
static int low_surrogate(reader *r, unsigned long *lo)
{
	reader peek = *r;

	if (take(&peek, "\\u") && hex4(&peek, lo) == 0 && *lo >= 0xdc00 && *lo < 0xe000) {
		r->p = peek.p;
		return 1;
	}
	return 0;
}

/* A string after its opening quote, unescaped into a new text (NUL-free). */
static char *read_string(reader *r)
{
	lrs_buf b = { 0 };

	lrs_buf_printf(&b, "%s", "");
	while (r->p < r->end && *r->p != '"') {
		unsigned char c = (unsigned char)*r->p++;
		unsigned long u, lo;
		if (c < 0x20) {
			fail(r, "a control character in a string");
			break;
		}
		if (c != '\\') {
			lrs_buf_printf(&b, "%c", c);
			continue;
		}
		c = r->p < r->end ? (unsigned char)*r->p++ : 0;
		switch (c) {
		case '"': case '\\': case '/': lrs_buf_printf(&b, "%c", c); break;
		case 'b': lrs_buf_printf(&b, "\b"); break;
		case 'f': lrs_buf_printf(&b, "\f"); break;
		case 'n': lrs_buf_printf(&b, "\n"); break;
		case 'r': lrs_buf_printf(&b, "\r"); break;
		case 't': lrs_buf_printf(&b, "\t"); break;
		case 'u':
			if (hex4(r, &u) < 0) {
				fail(r, "a bad \\u escape");
				break;
			}
			if (u >= 0xd800 && u < 0xdc00 && low_surrogate(r, &lo))
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			if (u == 0 || (u >= 0xd800 && u < 0xe000))
				u = 0xfffd;   /* no NUL inside a C string; lone surrogates replaced */
			put_utf8(&b, u);
			break;
		default: fail(r, "a bad escape"); break;
		}
		if (r->failed)
			break;
	}
	if (!r->failed && !take(r, "\""))
		fail(r, "an unterminated string");
	if (r->failed) {
		lrs_buf_free(&b);
		return NULL;
	}
	return lrs_buf_take(&b);
}

/* Takes a non-finite number's word: nan, inf or infinity in any case,
 * after an optional sign, as a whole word ("info" is none). */
static int take_non_finite(reader *r)
{
	static const char *const words[] = { "nan", "inf", "infinity" };
	const char *p = r->p;
	size_t n = 0;

	if (p < r->end && (*p == '-' || *p == '+'))
		p++;
	while (p + n < r->end && isalpha((unsigned char)p[n]))
		n++;
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (n == strlen(words[i]) && !strncasecmp(p, words[i], n)) {
			r->p = p + n;
			return 1;
		}
	return 0;
}

/* A number's text, checked against JSON's grammar (plus the non-finite
 * words) by strtod, as a new C string of any length (C's "%f" of 1e70 is
 * 77 digits long); NULL when it is not a number or out of memory. */
static char *number_text(reader *r)
{
	const char *p = r->p;
	char *text, *end;

	if (!take_non_finite(r)) {
		if (r->p < r->end && *r->p == '-')
			r->p++;
		if (r->p >= r->end || *r->p < '0' || *r->p > '9')
			return NULL;
		while (r->p < r->end && ((*r->p >= '0' && *r->p <= '9') || *r->p == '.' || *r->p == 'e' ||
		                         *r->p == 'E' || *r->p == '+' || *r->p == '-'))
			r->p++;
	}
	if (!(text = malloc((size_t)(r->p - p) + 1)))
		return NULL;
	memcpy(text, p, (size_t)(r->p - p));
	text[r->p - p] = '\0';
	strtod(text, &end);
	if (*end) {   /* "1e", "1.2.3", "1-2" */
		free(text);
		return NULL;
	}
	return text;
}

static lrs_node *read_value(reader *r, int depth);

static lrs_node *read_container(reader *r, int depth, int is_map)
{
	lrs_node *n = NULL;
	char close = is_map ? '}' : ']';

	if ((is_map ? lrs_node_new_map(&n, 0, 0) : lrs_node_new_list(&n, 0, 0)) < 0) {
		fail(r, "out of memory");
		return NULL;
	}
	skip_space(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return n;
	}
	for (;;) {
		char *key = NULL;
		skip_space(r);
		if (is_map) {
			if (!take(r, "\"") || !(key = read_string(r))) {
				fail(r, "a key expected");
				break;
			}
			skip_space(r);
			if (!take(r, ":")) {
				free(key);
				fail(r, "':' expected");
				break;
			}
		}
		lrs_node *v = read_value(r, depth + 1);
		if (!v || (is_map ? lrs_node_set(n, key, v) : lrs_node_append(n, NULL, v)) < 0) {
			lrs_node_free(v);
			free(key);
			fail(r, "out of memory");
			break;
		}
		free(key);
		skip_space(r);
		if (take(r, ","))
			continue;
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return n;
		}
		fail(r, is_map ? "',' or '}' expected" : "',' or ']' expected");
		break;
	}
	lrs_node_free(n);
	return NULL;
}

static lrs_node *read_value(reader *r, int depth)
{
	lrs_node *n = NULL;
	const char *start;

	if (depth > MAX_DEPTH) {
		fail(r, "nested too deep");
		return NULL;
	}
	skip_space(r);
	if (r->p >= r->end) {
		fail(r, "a value expected");
		return NULL;
	}
	if (take(r, "{"))
		return read_container(r, depth, 1);
	if (take(r, "["))
		return read_container(r, depth, 0);
	if (take(r, "\"")) {
		char *s = read_string(r);
		if (s && lrs_node_new_scalar(&n, s, 0, 0) < 0)
			fail(r, "out of memory");
		else if (s)
			n->quoted = 1;   /* written back as a string: "1" stays "1" */
		free(s);
		return n;
	}
	if (take(r, "true") || take(r, "false") || take(r, "null")) {
		start = r->p[-1] == 'e' && r->p[-2] == 'u' ? "true" : r->p[-1] == 'e' ? "false" : "null";
		if (lrs_node_new_scalar(&n, start, 0, 0) < 0)
			fail(r, "out of memory");
		return n;
	}
	char *number = number_text(r);
	if (!number) {
		fail(r, "not JSON");
		return NULL;
	}
	if (lrs_node_new_scalar(&n, number, 0, 0) < 0)
		fail(r, "out of memory");
	else if (isdigit((unsigned char)number[number[0] == '-']) && strpbrk(number, ".eE"))
		n->tag = LRS_NODE_TAG_FLOAT;   /* a real, as Python's json reads 2.0 and 1e5: written
		                                * back (the params of "{args}") as 2.0, not the int 2 */
	free(number);
	return n;
}

int lrs_json_parse(lrs_node **out, const char *text, size_t len, char *err, size_t errsize)
{
	reader r = { text, text, text + len, err, errsize, 0 };
	lrs_node *n;

	*out = NULL;
	err[0] = '\0';
	n = read_value(&r, 0);
	skip_space(&r);
	if (n && r.p != r.end)
		fail(&r, "text after the value");
	if (r.failed || !n) {
		lrs_node_free(n);
		if (!r.failed)
			fail(&r, "not JSON");
		return -1;
	}
	*out = n;
	return 0;
}

int lrs_json_number(const lrs_node *n, double *out)
{
	char *end;

	if (!n || n->kind != LRS_NODE_SCALAR || !n->text[0])
		return -1;
	if (!strcmp(n->text, "NaN")) {
		*out = NAN;
		return 0;
	}
	if (!strcmp(n->text, "Infinity") || !strcmp(n->text, "-Infinity")) {
		*out = n->text[0] == '-' ? -INFINITY : INFINITY;
		return 0;
	}
	*out = strtod(n->text, &end);
	return *end ? -1 : 0;
}

int lrs_json_value(const lrs_node *n, double *out)
{
	if (n && n->kind == LRS_NODE_SCALAR && !strcmp(n->text, "null")) {
		*out = NAN;
		return 0;
	}
	return lrs_json_number(n, out);
}

int lrs_json_long(const lrs_node *n, long *out)
{
	double v;

	if (lrs_json_number(n, &v) < 0 || !(v >= -9.0e15 && v <= 9.0e15) || v != floor(v))
		return -1;
	*out = (long)v;
	return 0;
}
