/* test_external.c - the JSON reader of the external-trainer protocol
 * (src/external/json.c): what a program in any language may write. Numbers
 * of any length and form JSON allows (and NaN, Infinity, and inf, nan as
 * C's printf and Rust write them), strings with
 * escapes and surrogate pairs, and what it refuses; null as the NaN of a
 * measured value (JavaScript's JSON.stringify writes NaN so). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lrsweep/config.h"
#include "../src/external/json.h"
#include "suites.h"

/* The value of key "v" in the object `text`, as a number; -1 if unreadable. */
static int number_of(const char *text, double *out)
{
	lrs_node *n = NULL;
	char err[128];
	int rc = lrs_json_parse(&n, text, strlen(text), err, sizeof err) < 0 ? -1
	         : lrs_json_number(lrs_node_get(n, "v"), out);

	lrs_node_free(n);
	return rc;
}

START_TEST(numbers)
{
	static const struct { const char *text; double value; } cases[] = {
		{ "{\"v\": 1}", 1 }, { "{\"v\": 1.0}", 1 }, { "{\"v\": 1e-3}", 1e-3 },
		{ "{\"v\": 1E+2}", 100 }, { "{\"v\": -0}", 0 }, { "{\"v\":0.3E+1}", 3 },
		{ "{ \"v\" :\t2.5 }\r", 2.5 }, { "{\"v\": 1e999}", INFINITY }, { "{\"v\": -1e999}", -INFINITY },
		{ "{\"v\": 1e-999}", 0 }, { "{\"v\": Infinity}", INFINITY }, { "{\"v\": -Infinity}", -INFINITY },
	};
	double x;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		ck_assert_msg(number_of(cases[i].text, &x) == 0, "%s", cases[i].text);
		ck_assert_msg(x == cases[i].value, "%s: %g", cases[i].text, x);
	}
	ck_assert(number_of("{\"v\": NaN}", &x) == 0 && isnan(x));
}
END_TEST

/* Non-finite numbers as each language prints them: C's printf and Rust's
 * {} (inf, -inf, nan, -nan), Go's strconv (+Inf, NaN), Java (Infinity),
 * in any case: a loss that overflowed is a divergence, not a malformed
 * message that fails the run. */
START_TEST(non_finite_spellings)
{
	static const struct { const char *text; double value; } cases[] = {
		{ "{\"v\": inf}", INFINITY }, { "{\"v\": -inf}", -INFINITY }, { "{\"v\": +Inf}", INFINITY },
		{ "{\"v\": -Inf}", -INFINITY }, { "{\"v\": INF}", INFINITY }, { "{\"v\":infinity}", INFINITY },
		{ "{\"v\": -INFINITY }", -INFINITY },
	};
	static const char *const nans[] = { "{\"v\": nan}", "{\"v\": -nan}", "{\"v\": NAN}", "{\"v\": +NaN}" };
	double x;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		ck_assert_msg(number_of(cases[i].text, &x) == 0, "%s", cases[i].text);
		ck_assert_msg(x == cases[i].value, "%s: %g", cases[i].text, x);
	}
	for (size_t i = 0; i < sizeof nans / sizeof *nans; i++)
		ck_assert_msg(number_of(nans[i], &x) == 0 && isnan(x), "%s", nans[i]);
}
END_TEST

START_TEST(long_number)
{
	char text[400];
	double x;

	/* C's printf("%f", 1e70) and a 300-digit integer: JSON sets no length */
	snprintf(text, sizeof text, "{\"v\": %f}", 1e70);
	ck_assert_int_eq(number_of(text, &x), 0);
	ck_assert(x == 1e70);
	snprintf(text, sizeof text, "{\"v\": -%.300f}", 0.5);
	ck_assert_int_eq(number_of(text, &x), 0);
	ck_assert(x == -0.5);
}
END_TEST

START_TEST(not_numbers)
{
	static const char *const bad[] = {
		"{\"v\": 1e}", "{\"v\": 1.2.3}", "{\"v\": +1}", "{\"v\": .5}", "{\"v\": -}",
		"{\"v\": 0x10}", "{\"v\": 1 2}",
		/* words near the non-finite ones are not numbers */
		"{\"v\": info}", "{\"v\": in}", "{\"v\": nana}", "{\"v\": infinit}", "{\"v\": nan(1)}",
		"{\"v\": --inf}", "{\"v\": +-nan}", "{\"v\": inf1}", "{\"v\": Infinityy}", "{\"v\": naN0}",
	};
	double x;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ck_assert_msg(number_of(bad[i], &x) < 0, "%s read as %g", bad[i], x);
}
END_TEST

/* null is a measured value (NaN: a loss diverged, a metric not reported),
 * never a number of a count; true, false and strings other than NaN or
 * Infinity are neither. */
START_TEST(null_values)
{
	lrs_node *n = NULL;
	char err[128];
	const char *text = "{\"v\": null, \"t\": true, \"f\": false, \"s\": \"x\", \"x\": 2.5}";
	double x = 0;
	long l = 0;

	ck_assert_int_eq(lrs_json_parse(&n, text, strlen(text), err, sizeof err), 0);
	ck_assert_int_eq(lrs_json_value(lrs_node_get(n, "v"), &x), 0);
	ck_assert(isnan(x));
	ck_assert_int_eq(lrs_json_number(lrs_node_get(n, "v"), &x), -1);
	ck_assert_int_eq(lrs_json_long(lrs_node_get(n, "v"), &l), -1);
	ck_assert_int_eq(lrs_json_value(lrs_node_get(n, "t"), &x), -1);
	ck_assert_int_eq(lrs_json_value(lrs_node_get(n, "f"), &x), -1);
	ck_assert_int_eq(lrs_json_value(lrs_node_get(n, "s"), &x), -1);
	ck_assert_int_eq(lrs_json_value(lrs_node_get(n, "absent"), &x), -1);
	ck_assert_int_eq(lrs_json_value(lrs_node_get(n, "x"), &x), 0);
	ck_assert(x == 2.5);
	lrs_node_free(n);
}
END_TEST

/* The string value of key "s" in `text` after unescaping, "" if unreadable. */
static void string_of(const char *text, char *out, size_t size)
{
	lrs_node *n = NULL;
	char err[128];
	const lrs_node *s;

	out[0] = '\0';
	if (lrs_json_parse(&n, text, strlen(text), err, sizeof err) == 0 && (s = lrs_node_get(n, "s")))
		snprintf(out, size, "%s", s->text);
	lrs_node_free(n);
}

START_TEST(strings)
{
	static const struct { const char *text, *value; } cases[] = {
		{ "{\"s\": \"\\u00e9\"}", "\xc3\xa9" },                       /* é escaped */
		{ "{\"s\": \"\xc3\xa9\"}", "\xc3\xa9" },                      /* é raw */
		{ "{\"s\": \"\\ud83d\\ude00\"}", "\xf0\x9f\x98\x80" },        /* a surrogate pair */
		{ "{\"s\": \"\\ud83d\\u00e9\"}", "\xef\xbf\xbd\xc3\xa9" },    /* lone high, then é */
		{ "{\"s\": \"\\ude00x\"}", "\xef\xbf\xbd" "x" },              /* lone low */
		{ "{\"s\": \"a\\/b\\\"\\\\\"}", "a/b\"\\" },
		{ "{\"\\u0073\": \"key escaped\"}", "key escaped" },
	};
	char got[64];

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		string_of(cases[i].text, got, sizeof got);
		ck_assert_msg(!strcmp(got, cases[i].value), "%s gave '%s'", cases[i].text, got);
	}
	string_of("{\"s\": \"\\ud83d\\uZZZZ\"}", got, sizeof got);   /* a bad escape after a surrogate */
	ck_assert_str_eq(got, "");
}
END_TEST

/* `levels` lists nested in YAML ("[[[1]]]"), read as an experiment file
 * is, written as JSON as a trainer's params are and read back by the
 * protocol's reader, as "{args}" does: 0, -1 when the YAML is refused,
 * -2 when the JSON is. */
static int params_round_trip(int levels)
{
	char yaml[512], err[128];
	lrs_node *tree = NULL, *back = NULL;
	lrs_buf b = { 0 };
	int rc = -1;

	ck_assert(2 * levels + 2 < (int)sizeof yaml);
	snprintf(yaml, sizeof yaml, "%.*s1%.*s", levels, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
	         levels, "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
	if (lrs_config_parse_yaml(&tree, yaml, strlen(yaml)) == 0) {
		lrs_node_json(&b, tree);
		ck_assert(!b.failed);
		rc = lrs_json_parse(&back, b.data, b.len, err, sizeof err) == 0 ? 0 : -2;
	}
	lrs_buf_free(&b);
	lrs_node_free(tree);
	lrs_node_free(back);
	return rc;
}

/* A JSON real read back (the params "{args}" reads from the params file)
 * is written again as a real, as Python's json reads it: "2.0" stays 2.0,
 * not the int 2 (a !!float 2 param reached the file as 2.0 and "{args}"
 * as 2); integers, strings and non-finite words are written as before. */
START_TEST(json_reals_stay_reals)
{
	static const char *const in[] = { "2.0", "-0.5", "1e5", "1.0000000000000001e+300", "3", "-0", "\"2.0\"" };
	static const char *const out[] = { "2.0", "-0.5", "100000.0", "1.0000000000000001e+300", "3", "-0", "\"2.0\"" };
	char err[128];

	for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
		lrs_node *n = NULL;
		lrs_buf b = { 0 };

		ck_assert_int_eq(lrs_json_parse(&n, in[i], strlen(in[i]), err, sizeof err), 0);
		lrs_node_json(&b, n);
		ck_assert_msg(b.data && !strcmp(b.data, out[i]), "%s written back as %s, not %s", in[i],
		              b.data ? b.data : "(nothing)", out[i]);
		lrs_buf_free(&b);
		lrs_node_free(n);
	}
}
END_TEST

/* Any params an experiment file may hold, lrsweep reads back once written
 * (a params tree the reader refused gave a program no "{args}" at all);
 * a deeper line is still refused. */
START_TEST(params_as_deep_as_yaml)
{
	char line[256], err[128];
	lrs_node *n = NULL;
	int deep = 100;

	ck_assert_int_eq(params_round_trip(LRS_CONFIG_MAX_DEPTH), 0);
	ck_assert_int_eq(params_round_trip(LRS_CONFIG_MAX_DEPTH + 1), -1);   /* the file's own bound */
	snprintf(line, sizeof line, "%.*s%.*s", deep, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
	         deep, "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
	ck_assert_int_eq(lrs_json_parse(&n, line, strlen(line), err, sizeof err), -1);
	ck_assert_ptr_null(n);
	ck_assert(strstr(err, "nested too deep"));
}
END_TEST

Suite *suite_external(void)
{
	Suite *s = suite_create("external");
	TCase *tc = tcase_create("json");

	tcase_add_test(tc, numbers);
	tcase_add_test(tc, long_number);
	tcase_add_test(tc, non_finite_spellings);
	tcase_add_test(tc, not_numbers);
	tcase_add_test(tc, null_values);
	tcase_add_test(tc, strings);
	tcase_add_test(tc, params_as_deep_as_yaml);
	tcase_add_test(tc, json_reals_stay_reals);
	suite_add_tcase(s, tc);
	return s;
}
