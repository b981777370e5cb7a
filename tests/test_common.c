/* test_common.c - the shared pieces: error messages, number parsing,
 * nearest names, the JSON buffer, the RNG and the YAML reader. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/config.h"
#include "lrsweep/error.h"
#include "lrsweep/node.h"
#include "lrsweep/number.h"
#include "lrsweep/rng.h"
#include "lrsweep/util.h"
#include "number_table.h"
#include "suites.h"

/* ----------------------------------------------------------------- error */

START_TEST(error_message_and_position)
{
	int rc = lrs_error_set_at(LRS_EINVALID, 3, 7, "bad %s", "thing");

	ck_assert_int_eq(rc, LRS_EINVALID);
	ck_assert_str_eq(lrs_error_last(), "bad thing");
	ck_assert_int_eq(lrs_error_line(), 3);
	ck_assert_int_eq(lrs_error_column(), 7);
	lrs_error_set(LRS_ERROR, "plain");
	ck_assert_int_eq(lrs_error_line(), 0);
	lrs_error_clear();
	ck_assert_str_eq(lrs_error_last(), "");
}
END_TEST

/* ------------------------------------------------------------------ util */

START_TEST(parse_double_strict)
{
	double v;

	ck_assert_int_eq(lrs_parse_double("0.25", &v), 0);
	ck_assert_double_eq(v, 0.25);
	ck_assert_int_eq(lrs_parse_double(" 1e-3 ", &v), 0);
	ck_assert_double_eq(v, 1e-3);
	ck_assert_int_eq(lrs_parse_double("", &v), -1);
	ck_assert_int_eq(lrs_parse_double("0.1x", &v), -1);
	ck_assert_int_eq(lrs_parse_double("nan", &v), -1);
	ck_assert_int_eq(lrs_parse_double("inf", &v), -1);
	ck_assert_int_eq(lrs_parse_double("1e999", &v), -1);
}
END_TEST

/* lrsweep's own numbers read every form of number.h, as a trainer's params
 * do (batch_size: 0x80 is 128, epochs: 1_000 is 1000); what no double
 * holds is refused, never read as something else. */
START_TEST(parse_double_yaml_forms)
{
	static const struct { const char *text; double v; } ok[] = {
		{ "0x80", 128 }, { "1_000", 1000 }, { "0o17", 15 }, { "0b101", 5 }, { "-0x1f", -31 },
		{ "+7", 7 }, { "017", 17 }, { "1_000.5", 1000.5 }, { "1e-3", 1e-3 }, { " 0x10 ", 16 },
	};
	static const char *const bad[] = { ".inf", "-.Inf", ".nan", "1e-400", "1:30", "0X80", "0x", "1e400" };
	double v;

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		v = -1;
		ck_assert_msg(lrs_parse_double(ok[i].text, &v) == 0 && v == ok[i].v, "'%s' read as %g", ok[i].text, v);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(lrs_parse_double(bad[i], &v) == -1, "'%s' accepted as %g", bad[i], v);
}
END_TEST

/* An integer keeps every digit up to the 4300 Python reads, whatever its
 * base; longer is LRS_NUMBER_TOO_LONG, not a rounded number or a string. */
START_TEST(numbers_past_4300_digits_are_too_long)
{
	char text[20000];
	lrs_buf b = { 0 };
	double v;

	memset(text, '9', LRS_NUMBER_MAX_DIGITS);
	ck_assert_int_eq(lrs_number_read(text, LRS_NUMBER_MAX_DIGITS, &v, &b), LRS_NUMBER_INTEGER);
	ck_assert_uint_eq(b.len, LRS_NUMBER_MAX_DIGITS);   /* all of them, no exponent */
	ck_assert(isinf(v));
	lrs_buf_free(&b);
	memset(text + 200, '9', LRS_NUMBER_MAX_DIGITS);
	memset(text, '0', 200);   /* leading zeros do not count */
	ck_assert_int_eq(lrs_number_read(text, LRS_NUMBER_MAX_DIGITS + 200, NULL, &b), LRS_NUMBER_INTEGER);
	lrs_buf_free(&b);
	text[0] = '9';
	ck_assert_int_eq(lrs_number_read(text, LRS_NUMBER_MAX_DIGITS + 1, NULL, &b), LRS_NUMBER_TOO_LONG);
	ck_assert_ptr_null(b.data);
	/* 14284 binary digits are 4300 decimal ones; 14300 are more */
	memcpy(text, "0b", 2);
	memset(text + 2, '1', 14284);
	ck_assert_int_eq(lrs_number_read(text, 2 + 14284, NULL, &b), LRS_NUMBER_INTEGER);
	ck_assert_uint_eq(b.len, LRS_NUMBER_MAX_DIGITS);
	lrs_buf_free(&b);
	memset(text + 2, '1', 14300);
	ck_assert_int_eq(lrs_number_read(text, 2 + 14300, NULL, &b), LRS_NUMBER_TOO_LONG);
	/* 3600 hex digits are 4335 decimal ones */
	memcpy(text, "0x", 2);
	memset(text + 2, 'f', 3600);
	ck_assert_int_eq(lrs_number_read(text, 2 + 3600, NULL, &b), LRS_NUMBER_TOO_LONG);
	memset(text, '1', 5000);
	text[1] = '.';
	ck_assert_int_eq(lrs_number_read(text, 5000, NULL, &b), LRS_NUMBER_TOO_LONG);
	ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(parse_bool_yaml_spellings)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON" };
	static const char *const no[] = { "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF" };
	static const char *const bad[] = { "", "y", "n", "1", "0", "tRue", "~", "yes ", "null" };
	int v;

	for (size_t i = 0; i < 9; i++) {
		v = -1;
		ck_assert_msg(lrs_parse_bool(yes[i], &v) == 0 && v == 1, "%s", yes[i]);
		v = -1;
		ck_assert_msg(lrs_parse_bool(no[i], &v) == 0 && v == 0, "%s", no[i]);
		ck_assert_msg(lrs_parse_bool(bad[i], &v) == -1, "'%s' accepted", bad[i]);
	}
}
END_TEST

START_TEST(parse_long_strict)
{
	long v;

	ck_assert_int_eq(lrs_parse_long("42", &v), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(lrs_parse_long("-7", &v), 0);
	ck_assert_int_eq(v, -7);
	ck_assert_int_eq(lrs_parse_long("4.5", &v), -1);
	ck_assert_int_eq(lrs_parse_long("99999999999999999999999", &v), -1);
	ck_assert_int_eq(lrs_parse_long("abc", &v), -1);
	ck_assert_int_eq(lrs_parse_long("0x80", &v), 0);
	ck_assert_int_eq(v, 128);
	ck_assert_int_eq(lrs_parse_long("1_000", &v), 0);
	ck_assert_int_eq(v, 1000);
	ck_assert_int_eq(lrs_parse_long("9223372036854775807", &v), 0);
	ck_assert(v == 9223372036854775807L);   /* every digit: not 2^63 rounded */
	ck_assert_int_eq(lrs_parse_long("9223372036854775808", &v), -1);
	ck_assert_int_eq(lrs_parse_long("1e3", &v), -1);
}
END_TEST

START_TEST(nearest_name_suggests_typos_only)
{
	static const char *const names[] = { "gamma", "step_size", "lr" };

	ck_assert_str_eq(lrs_nearest_name("gama", names, 3), "gamma");
	ck_assert_str_eq(lrs_nearest_name("stepsize", names, 3), "step_size");
	ck_assert_ptr_null(lrs_nearest_name("momentum", names, 3));
}
END_TEST

START_TEST(buf_json)
{
	lrs_buf b = { 0 };
	char *s;

	lrs_buf_json_string(&b, "a\"b\\c\n");
	lrs_buf_printf(&b, " ");
	lrs_buf_json_number(&b, 0.1);
	lrs_buf_printf(&b, " ");
	lrs_buf_json_number(&b, NAN);
	s = lrs_buf_take(&b);
	ck_assert_str_eq(s, "\"a\\\"b\\\\c\\u000a\" 0.10000000000000001 null");
	free(s);
}
END_TEST

/* Control characters, C1 controls and bytes that are not UTF-8: escaped
 * in JSON (valid JSON) and in text for the terminal; UTF-8 kept. */
START_TEST(buf_escapes_control_characters)
{
	static const struct { const char *in, *json, *shown; } cases[] = {
		{ "a\x1b]0;t\x07", "\"a\\u001b]0;t\\u0007\"", "a\\x1b]0;t\\x07" },
		{ "x\ny\tz\r", "\"x\\u000ay\\u0009z\\u000d\"", "x\\ny\\tz\\r" },
		{ "del\x7f", "\"del\\u007f\"", "del\\x7f" },
		{ "c1\xc2\x9b[2J", "\"c1\\u009b[2J\"", "c1\\u009b[2J" },
		{ "bad\xff\xc3", "\"bad\\ufffd\\ufffd\"", "bad\\xff\\xc3" },
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"", "\\xed\\xa0\\x80" },   /* a surrogate */
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
		  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
		/* bidi overrides and isolates: JSON keeps them (it is data), a
		 * terminal is shown them; marks (U+200F) and U+202F stay text */
		{ "a\xe2\x80\xae" "b\xe2\x81\xa6" "c\xe2\x80\xaa" "d\xe2\x81\xa9",
		  "\"a\xe2\x80\xae" "b\xe2\x81\xa6" "c\xe2\x80\xaa" "d\xe2\x81\xa9\"",
		  "a\\u202eb\\u2066c\\u202ad\\u2069" },
		{ "\xe2\x80\x8f\xe2\x80\xaf", "\"\xe2\x80\x8f\xe2\x80\xaf\"", "\xe2\x80\x8f\xe2\x80\xaf" },
	};

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		lrs_buf j = { 0 }, t = { 0 };
		lrs_buf_json_string(&j, cases[k].in);
		ck_assert_uint_eq(lrs_buf_printable(&t, cases[k].in, 0), 0);
		ck_assert_str_eq(j.data, cases[k].json);
		ck_assert_str_eq(t.data, cases[k].shown);
		lrs_buf_free(&j);
		lrs_buf_free(&t);
	}
}
END_TEST

/* A limit cuts between characters, never inside one nor an escape. */
START_TEST(buf_printable_cuts_whole_characters)
{
	lrs_buf b = { 0 };

	ck_assert_uint_eq(lrs_buf_printable(&b, "ab\x1b", 4), 1);
	ck_assert_str_eq(b.data, "ab");
	lrs_buf_free(&b);
	ck_assert_uint_eq(lrs_buf_printable(&b, "a\xc3\xa9", 2), 2);
	ck_assert_str_eq(b.data, "a");
	lrs_buf_free(&b);
	ck_assert_uint_eq(lrs_buf_printable(&b, "abc", 3), 0);
	ck_assert_str_eq(b.data, "abc");
	lrs_buf_free(&b);
	ck_assert_uint_eq(lrs_utf8_len("\xe2\x82"), 0);
	ck_assert_uint_eq(lrs_utf8_len("\xf4\x90\x80\x80"), 0);   /* beyond U+10FFFF */
	ck_assert_uint_eq(lrs_utf8_len("\xc0\xaf"), 0);             /* overlong */
	ck_assert_uint_eq(lrs_utf8_len("\xf0\x9f\x98\x80"), 4);
}
END_TEST

/* ------------------------------------------------------------------- rng */

START_TEST(rng_is_seeded_and_deterministic)
{
	lrs_rng a, b, c;
	int same = 1, differ = 0;

	lrs_rng_seed(&a, 42);
	lrs_rng_seed(&b, 42);
	lrs_rng_seed(&c, 43);
	for (int i = 0; i < 100; i++) {
		uint64_t x = lrs_rng_next(&a), y = lrs_rng_next(&b), z = lrs_rng_next(&c);
		same &= x == y;
		differ |= x != z;
	}
	ck_assert(same);
	ck_assert(differ);
}
END_TEST

START_TEST(rng_normal_moments)
{
	lrs_rng r;
	double sum = 0, sq = 0;
	const int n = 200000;

	lrs_rng_seed(&r, 7);
	for (int i = 0; i < n; i++) {
		double z = lrs_rng_normal(&r);
		sum += z;
		sq += z * z;
	}
	/* standard errors: mean 1/sqrt(n) ~ 0.0022, variance sqrt(2/n) ~ 0.0032 */
	ck_assert_double_lt(fabs(sum / n), 0.01);
	ck_assert_double_lt(fabs(sq / n - 1), 0.015);
}
END_TEST

START_TEST(rng_hash_normal_is_pure)
{
	ck_assert_double_eq(lrs_rng_hash_normal(5, 123), lrs_rng_hash_normal(5, 123));
	ck_assert(lrs_rng_hash_normal(5, 123) != lrs_rng_hash_normal(6, 123));
	ck_assert(lrs_rng_hash_normal(5, 123) != lrs_rng_hash_normal(5, 124));
}
END_TEST

/* ------------------------------------------------------------------ YAML */

#define LISTS_OPEN  "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
#define LISTS_CLOSE "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"

static lrs_node *parse_ok(const char *text)
{
	lrs_node *n = NULL;
	int rc = lrs_config_parse_yaml(&n, text, strlen(text));

	ck_assert_msg(rc == 0, "parse failed: %s", lrs_error_last());
	return n;
}

/* Every form of tests/number_table.h (generated with PyYAML by
 * tests/data/make_number_table.py), read from YAML as the experiment file
 * is and written as a trainer's params are: the table's JSON; the forms it
 * refuses (.inf, .nan, 1e999) read as LRS_NUMBER_INFINITE. */
START_TEST(numbers_as_the_table_reads_them)
{
	const struct number_row *r = &number_table[_i];
	size_t len = strlen(r->form);
	char yaml[128], want[160];
	lrs_buf b = { 0 }, j = { 0 };
	lrs_number_kind k = lrs_number_read(r->form, len, NULL, &j);
	lrs_node *n;

	snprintf(yaml, sizeof yaml, "v: %s", r->form);
	n = parse_ok(yaml);
	lrs_node_json(&b, n);
	if (r->json) {
		snprintf(want, sizeof want, "{\"v\": %s}", r->json);
		ck_assert_msg(!strcmp(b.data, want), "%s: written %s, want %s (PyYAML: %s%s%s)", r->form, b.data, want,
		              r->pyyaml, r->why[0] ? "; " : "", r->why);
		if (r->json[0] == '"')
			ck_assert_msg(k == LRS_NUMBER_NONE && !j.data, "%s: read as a number", r->form);
		else
			ck_assert_msg((k == LRS_NUMBER_INTEGER || k == LRS_NUMBER_REAL) && !strcmp(j.data, r->json),
			              "%s: kind %d, JSON %s", r->form, (int)k, j.data ? j.data : "(none)");
	} else {
		ck_assert_msg(k == LRS_NUMBER_INFINITE && !j.data, "%s: kind %d, not refused", r->form, (int)k);
	}
	lrs_buf_free(&b);
	lrs_buf_free(&j);
	lrs_node_free(n);
}
END_TEST

START_TEST(yaml_tree_and_positions)
{
	lrs_node *n = parse_ok("a: 1\nb:\n  - x\n  - {c: 2}\n");
	const lrs_node *b;

	ck_assert_int_eq(n->kind, LRS_NODE_MAP);
	ck_assert_str_eq(lrs_node_get(n, "a")->text, "1");
	b = lrs_node_get(n, "b");
	ck_assert_int_eq(b->kind, LRS_NODE_LIST);
	ck_assert_uint_eq(b->n, 2);
	ck_assert_int_eq(b->items[0]->line, 3);
	ck_assert_int_eq(b->items[0]->column, 5);
	ck_assert_str_eq(lrs_node_get(b->items[1], "c")->text, "2");
	lrs_node_free(n);
}
END_TEST

START_TEST(yaml_flow_value)
{
	lrs_node *n = parse_ok("[{type: linear, total_iters: 5}, {type: cosine_annealing}]");

	ck_assert_int_eq(n->kind, LRS_NODE_LIST);
	ck_assert_uint_eq(n->n, 2);
	ck_assert_str_eq(lrs_node_get(n->items[1], "type")->text, "cosine_annealing");
	lrs_node_free(n);
}
END_TEST

START_TEST(yaml_aliases_copy)
{
	lrs_node *n = parse_ok("base: &b {lr: 0.1}\nother: *b\n");

	ck_assert_str_eq(lrs_node_get(lrs_node_get(n, "other"), "lr")->text, "0.1");
	lrs_node_free(n);
}
END_TEST

START_TEST(yaml_errors_have_positions)
{
	static const struct { const char *text; int line; const char *needle; } cases[] = {
		{ "a: 1\na: 2\n", 2, "duplicate key 'a'" },
		{ "a: [1, 2\n", 2, "YAML syntax error" },
		{ "a: *nope\n", 1, "unknown alias" },
		{ "a: 1\n---\nb: 2\n", 2, "more than one YAML document" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		lrs_node *n = NULL;
		int rc = lrs_config_parse_yaml(&n, cases[i].text, strlen(cases[i].text));
		ck_assert_int_eq(rc, LRS_EINVALID);
		ck_assert_ptr_null(n);
		ck_assert_msg(strstr(lrs_error_last(), cases[i].needle), "case %zu: %s", i, lrs_error_last());
		ck_assert_int_eq(lrs_error_line(), cases[i].line);
	}
}
END_TEST

START_TEST(yaml_alias_bomb_is_refused)
{
	const char *bomb =
		"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
	lrs_node *n = NULL;

	ck_assert_int_eq(lrs_config_parse_yaml(&n, bomb, strlen(bomb)), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "more than"));
	ck_assert_ptr_null(n);
}
END_TEST

/* An alias or a merge key copies a subtree where it is used: the copy
 * counts toward the nesting bound there, as if written out, so that no
 * tree deeper than LRS_CONFIG_MAX_DEPTH comes out of a file (a params
 * tree that deep would be written to a trainer and not read back). */
START_TEST(yaml_aliases_keep_the_depth_bound)
{
	static const struct { int anchored, used; const char *use; int ok; } cases[] = {
		{ 40, 40, "*a", 0 }, { 60, 10, "{<<: *a}", 0 }, { 32, 31, "{<<: [*a]}", 0 },
		{ 31, 31, "*a", 1 }, { 31, 31, "{<<: *a}", 1 }, { 31, 31, "{<<: [*a]}", 1 },
	};
	const int max = LRS_CONFIG_MAX_DEPTH;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[1024];
		lrs_node *n = NULL;
		int k = cases[i].anchored, u = cases[i].used;
		/* a: &a {k: [[...1]]} (k lists), then b: u lists around the use:
		 * the deepest container, k's last list, is at depth u + 1 + k
		 * under the root's 0 either way (a's map, or b's map of <<) */
		snprintf(text, sizeof text, "a: &a {k: %.*s1%.*s}\nb: %.*s%s%.*s\n", k, LISTS_OPEN, k, LISTS_CLOSE,
		         u, LISTS_OPEN, cases[i].use, u, LISTS_CLOSE);
		int rc = lrs_config_parse_yaml(&n, text, strlen(text));
		int deep = u + 1 + k >= max;
		ck_assert_msg(deep == !cases[i].ok, "case %zu: the case is not what it says", i);
		if (cases[i].ok) {
			ck_assert_msg(rc == 0, "case %zu: %s", i, lrs_error_last());
		} else {
			ck_assert_msg(rc == LRS_EINVALID, "case %zu: a tree deeper than %d read", i, max);
			ck_assert_msg(strstr(lrs_error_last(), "levels deep"), "case %zu: %s", i, lrs_error_last());
			ck_assert_int_eq(lrs_error_line(), 2);
		}
		lrs_node_free(n);
	}
}
END_TEST

START_TEST(yaml_merge_keys)
{
	/* explicit keys win over merged ones, whatever their order; of several
	 * merged maps the first wins (PyYAML's reading) */
	lrs_node *n = parse_ok("a: &a {x: 1, y: 2}\nb: &b {y: 3, z: 4}\n"
	                       "c: {x: 9, <<: [*a, *b]}\nd: {<<: *a, y: 8}\n");
	const lrs_node *c = lrs_node_get(n, "c"), *d = lrs_node_get(n, "d");

	ck_assert_uint_eq(c->n, 3);
	ck_assert_str_eq(lrs_node_get(c, "x")->text, "9");
	ck_assert_str_eq(lrs_node_get(c, "y")->text, "2");
	ck_assert_str_eq(lrs_node_get(c, "z")->text, "4");
	ck_assert_ptr_null(lrs_node_get(c, "<<"));
	ck_assert_uint_eq(d->n, 2);
	ck_assert_str_eq(lrs_node_get(d, "y")->text, "8");
	lrs_node_free(n);
	/* an anchor on a merge key's value (or inside it) names that value */
	n = parse_ok("a: {<<: &x {k: 1}, j: 2}\nb: *x\nc: {<<: [&y {p: 1}, *x]}\nd: *y\n");
	ck_assert_str_eq(lrs_node_get(lrs_node_get(n, "a"), "k")->text, "1");
	ck_assert_str_eq(lrs_node_get(lrs_node_get(n, "b"), "k")->text, "1");
	ck_assert_str_eq(lrs_node_get(lrs_node_get(n, "c"), "k")->text, "1");
	ck_assert_str_eq(lrs_node_get(lrs_node_get(n, "d"), "p")->text, "1");
	lrs_node_free(n);
	/* a quoted "<<" is an ordinary key */
	n = parse_ok("a: {'<<': 1}\n");
	ck_assert_str_eq(lrs_node_get(lrs_node_get(n, "a"), "<<")->text, "1");
	lrs_node_free(n);
}
END_TEST

START_TEST(yaml_alias_is_located_where_used)
{
	lrs_node *n = parse_ok("a: &m {k: 1}\n\nb: *m\n");
	const lrs_node *b = lrs_node_get(n, "b");

	ck_assert_int_eq(b->line, 3);
	ck_assert_int_eq(b->column, 4);
	ck_assert_int_eq(lrs_node_get(b, "k")->line, 1);   /* the values: where written */
	lrs_node_free(n);
}
END_TEST

START_TEST(yaml_refuses_what_it_cannot_keep)
{
	static const struct { const char *text; size_t len; int line, column; const char *needle; } cases[] = {
		{ "a: !!python/object:os.system 1\n", 0, 1, 4, "unsupported YAML tag '!!python/object:os.system'" },
		{ "a: !foo 1\n", 0, 1, 4, "unsupported YAML tag '!foo'" },
		{ "a: !foo [1]\n", 0, 1, 4, "unsupported YAML tag '!foo'" },
		{ "!foo k: 1\n", 0, 1, 1, "unsupported YAML tag '!foo'" },
		{ "a: \"x\\0y\"\n", 0, 1, 4, "a NUL character" },
		{ "\"x\\0y\": 1\n", 0, 1, 1, "a NUL character" },
		{ "a: {<<: 1}\n", 0, 1, 9, "a merge key '<<' takes a mapping" },
		{ "a: &a {x: 1}\nb: {<<: *a, <<: *a}\n", 0, 2, 13, "duplicate key '<<'" },
		{ "a: &a {x: 1}\nb: {x: 2, x: 3, <<: *a}\n", 0, 2, 11, "duplicate key 'x'" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		lrs_node *n = NULL;
		int rc = lrs_config_parse_yaml(&n, cases[i].text, strlen(cases[i].text));
		ck_assert_msg(rc == LRS_EINVALID, "case %zu: accepted", i);
		ck_assert_ptr_null(n);
		ck_assert_msg(strstr(lrs_error_last(), cases[i].needle), "case %zu: %s", i, lrs_error_last());
		ck_assert_msg(lrs_error_line() == cases[i].line && lrs_error_column() == cases[i].column,
		              "case %zu: at %d:%d", i, lrs_error_line(), lrs_error_column());
	}
}
END_TEST

/* Text that is not UTF-8 is read within its `len` bytes: a character cut
 * at the end of a buffer with no NUL after it is reported where it starts
 * (under SANITIZE=1 a read past the buffer fails here). */
START_TEST(yaml_bad_utf8_at_the_end_of_a_buffer)
{
	static const char text[] = { 'a', ':', ' ', 'x', '\xe2', '\x82' };
	char *copy = malloc(sizeof text);   /* exactly the text: no NUL after it */
	lrs_node *n = NULL;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, sizeof text);
	ck_assert_int_eq(lrs_config_parse_yaml(&n, copy, sizeof text), LRS_EINVALID);
	ck_assert_ptr_null(n);
	ck_assert_msg(strstr(lrs_error_last(), "0xe2"), "%s", lrs_error_last());
	ck_assert_int_eq(lrs_error_line(), 1);
	ck_assert_int_eq(lrs_error_column(), 5);
	free(copy);
}
END_TEST

START_TEST(yaml_core_tags_are_values)
{
	lrs_node *n = parse_ok("a: !!str 0.1\nb: !!float 2\nc: !!map {x: 1}\n");

	ck_assert_str_eq(lrs_node_get(n, "a")->text, "0.1");
	ck_assert_str_eq(lrs_node_get(n, "b")->text, "2");
	ck_assert_int_eq(lrs_node_get(n, "c")->kind, LRS_NODE_MAP);
	lrs_node_free(n);
}
END_TEST

/* A tree as JSON (a trainer's params file, its --key=value arguments):
 * every spelling of a boolean the experiment file accepts is a JSON
 * boolean, as PyYAML reads it; "off" as a string would be true in Python. */
START_TEST(yaml_booleans_as_json)
{
	lrs_node *n = parse_ok("{a: off, b: false, c: Yes, d: ON, e: no, f: True, g: x, h: 0.5, i: null, j: offer, "
	                       "k: ~, l: Null, m: NULL, o: , p: '~', q: nil}");
	lrs_buf b = { 0 };

	lrs_node_json(&b, n);   /* and YAML's nulls as null, as PyYAML reads them */
	ck_assert_str_eq(b.data, "{\"a\": false, \"b\": false, \"c\": true, \"d\": true, \"e\": false, "
	                         "\"f\": true, \"g\": \"x\", \"h\": 0.5, \"i\": null, \"j\": \"offer\", "
	                         "\"k\": null, \"l\": null, \"m\": null, \"o\": null, \"p\": \"~\", \"q\": \"nil\"}");
	lrs_buf_free(&b);
	lrs_node_free(n);
}
END_TEST

/* A quoted scalar, or one tagged !!str, is a string whatever it looks
 * like (as PyYAML reads it): "1.10" stays "1.10" for a trainer, not 1.1,
 * and 'yes' stays "yes"; a plain one is typed by its looks; one tagged
 * !!float, !!int, !!bool or !!null is of that type, as PyYAML makes it
 * (!!float '2' is 2.0, a float, not the int 2), through an alias too. */
START_TEST(yaml_quoted_scalars_are_json_strings)
{
	lrs_node *n = parse_ok("{a: '1.10', b: \"007\", c: 'yes', d: !!str on, e: \"null\", f: 1.10, g: yes, "
	                       "h: !!float '2', k: [\"1e3\", 1e3], m: &s '5', o: *s, p: !!int \"3\", "
	                       "q: !!float 1e16, r: &t !!float 16, s: *t, t: !!bool 'off', u: !!null x, v: !!str 5}");
	lrs_node *copy = NULL;
	lrs_buf b = { 0 }, c = { 0 };
	const char *want = "{\"a\": \"1.10\", \"b\": \"007\", \"c\": \"yes\", \"d\": \"on\", \"e\": \"null\", "
	                   "\"f\": 1.1000000000000001, \"g\": true, \"h\": 2.0, \"k\": [\"1e3\", 1000], "
	                   "\"m\": \"5\", \"o\": \"5\", \"p\": 3, \"q\": 10000000000000000.0, \"r\": 16.0, "
	                   "\"s\": 16.0, \"t\": false, \"u\": null, \"v\": \"5\"}";

	lrs_node_json(&b, n);
	ck_assert_str_eq(b.data, want);
	ck_assert_int_eq(lrs_node_clone(&copy, n), 0);   /* a search's chosen value is a clone */
	lrs_node_json(&c, copy);
	ck_assert_str_eq(c.data, want);
	lrs_buf_free(&b);
	lrs_buf_free(&c);
	lrs_node_free(copy);
	lrs_node_free(n);
}
END_TEST

START_TEST(yaml_empty_is_empty_map)
{
	lrs_node *n = parse_ok("");

	ck_assert_int_eq(n->kind, LRS_NODE_MAP);
	ck_assert_uint_eq(n->n, 0);
	lrs_node_free(n);
}
END_TEST

Suite *suite_common(void)
{
	Suite *s = suite_create("common");
	TCase *tc;

	tc = tcase_create("error");
	tcase_add_test(tc, error_message_and_position);
	suite_add_tcase(s, tc);

	tc = tcase_create("util");
	tcase_add_test(tc, parse_double_strict);
	tcase_add_test(tc, parse_long_strict);
	tcase_add_test(tc, parse_double_yaml_forms);
	tcase_add_test(tc, numbers_past_4300_digits_are_too_long);
	tcase_add_test(tc, parse_bool_yaml_spellings);
	tcase_add_test(tc, nearest_name_suggests_typos_only);
	tcase_add_test(tc, buf_json);
	tcase_add_test(tc, buf_escapes_control_characters);
	tcase_add_test(tc, buf_printable_cuts_whole_characters);
	suite_add_tcase(s, tc);

	tc = tcase_create("rng");
	tcase_add_test(tc, rng_is_seeded_and_deterministic);
	tcase_add_test(tc, rng_normal_moments);
	tcase_add_test(tc, rng_hash_normal_is_pure);
	suite_add_tcase(s, tc);

	tc = tcase_create("yaml");
	tcase_add_test(tc, yaml_tree_and_positions);
	tcase_add_test(tc, yaml_flow_value);
	tcase_add_test(tc, yaml_aliases_copy);
	tcase_add_test(tc, yaml_errors_have_positions);
	tcase_add_test(tc, yaml_alias_bomb_is_refused);
	tcase_add_test(tc, yaml_empty_is_empty_map);
	tcase_add_test(tc, yaml_merge_keys);
	tcase_add_test(tc, yaml_aliases_keep_the_depth_bound);
	tcase_add_test(tc, yaml_alias_is_located_where_used);
	tcase_add_test(tc, yaml_refuses_what_it_cannot_keep);
	tcase_add_test(tc, yaml_core_tags_are_values);
	tcase_add_test(tc, yaml_bad_utf8_at_the_end_of_a_buffer);
	tcase_add_test(tc, yaml_booleans_as_json);
	tcase_add_test(tc, yaml_quoted_scalars_are_json_strings);
	tcase_add_loop_test(tc, numbers_as_the_table_reads_them, 0, (int)(sizeof number_table / sizeof number_table[0]));
	suite_add_tcase(s, tc);
	return s;
}
