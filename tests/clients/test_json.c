/* test_json.c - the C client's JSON reader (clients/c/lrsweep_client.h):
 * values of every kind, escapes, NaN and Infinity, lookups by dotted path,
 * and the malformed texts it must refuse. Prints "ok - ..." or
 * "not ok - ..." per case and "N passed, M failed"; exits 1 on a failure.
 */
#define _POSIX_C_SOURCE 200809L
#include "../../clients/c/lrsweep_client.h"

static int passed, failed;

static void check(int cond, const char *name, const char *detail)
{
	if (cond) {
		passed++;
		printf("ok - json: %s\n", name);
	} else {
		failed++;
		printf("not ok - json: %s: %s\n", name, detail);
	}
}

static const char config[] =
	"{\"op\":\"config\",\"mode\":\"range-test\",\"params\":{\"width\":256,\"dropout\":0.25,"
	"\"name\":\"caf\\u00e9 \\\"x\\\"\\n\",\"deep\":{\"list\":[1,[2,3],{\"k\":-4.5e-3}]},"
	"\"on\":true,\"off\":false,\"none\":null,\"clef\":\"\\ud834\\udd1e\"},"
	"\"optimizer\":{\"type\":\"adam\",\"betas\":[0.9,0.999]},\"nan\":NaN,"
	"\"inf\":Infinity,\"ninf\":-Infinity,\"empty\":{},\"none\":[],\"seed\":7}";

static void lookups(void)
{
	lrsc_json j = { 0 };
	char err[128] = "";
	int rc = lrsc_json_parse(&j, config, strlen(config), err, sizeof err);
	check(rc == 0, "a config parses", err);
	if (rc != 0)
		return;
	static const struct { const char *path; double want; } nums[] = {
		{ "params.width", 256 }, { "params.dropout", 0.25 }, { "params.deep.list.0", 1 },
		{ "params.deep.list.1.1", 3 }, { "params.deep.list.2.k", -4.5e-3 },
		{ "optimizer.betas.1", 0.999 }, { "params.on", 1 }, { "params.off", 0 }, { "seed", 7 },
	};
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		char d[96];
		double got = lrsc_json_number(&j, nums[i].path, -1e300);
		snprintf(d, sizeof d, "got %.17g, want %.17g", got, nums[i].want);
		check(got == nums[i].want, nums[i].path, d);
	}
	check(isnan(lrsc_json_number(&j, "nan", 0)), "NaN", "not NaN");
	check(lrsc_json_number(&j, "inf", 0) == INFINITY, "Infinity", "not +inf");
	check(lrsc_json_number(&j, "ninf", 0) == -INFINITY, "-Infinity", "not -inf");
	check(!strcmp(lrsc_json_string(&j, "mode", ""), "range-test"), "a string", "mode");
	check(!strcmp(lrsc_json_string(&j, "params.name", ""), "caf\xc3\xa9 \"x\"\n"),
	      "escapes and \\u00e9 in UTF-8", lrsc_json_string(&j, "params.name", ""));
	check(!strcmp(lrsc_json_string(&j, "params.clef", ""), "\xf0\x9d\x84\x9e"),
	      "a surrogate pair in UTF-8", lrsc_json_string(&j, "params.clef", ""));
	const lrsc_jnode *n = lrsc_json_get(&j, "params.none");
	check(n && n->type == LRSC_JNULL, "null", "params.none");
	n = lrsc_json_get(&j, "params.deep.list");
	check(n && n->type == LRSC_JARRAY && n->count == 3, "an array's count", "params.deep.list");
	n = lrsc_json_get(&j, "empty");
	check(n && n->type == LRSC_JOBJECT && n->count == 0 && n->child < 0, "an empty object", "empty");
	static const char *absent[] = {
		"params.height", "params.width.x", "params.deep.list.3", "params.deep.list.x",
		"optimizer.betas.-1", "params.deep.list.01x", "none.0", "mode.0", "nope",
	};
	for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
		check(lrsc_json_number(&j, absent[i], 42) == 42 && lrsc_json_string(&j, absent[i], NULL) == NULL,
		      absent[i], "found, should be absent");
	check(lrsc_json_number(&j, "mode", 42) == 42, "a string is not a number", "mode");
	check(lrsc_json_get(&j, "") == &j.nodes[0], "the empty path is the root", "");
	lrsc_json_free(&j);
}

static void malformed(void)
{
	static const char *bad[] = {
		"", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[1 2]", "01", "1.", ".5",
		"1e", "-", "+1", "nan", "inf", "-NaN", "NaNx", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12g4\"",
		"\"a\tb\"", "{\"a\":1} x", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	};
	lrsc_json j = { 0 };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char err[128] = "", name[96];
		int rc = lrsc_json_parse(&j, bad[i], strlen(bad[i]), err, sizeof err);
		snprintf(name, sizeof name, "refuses '%.40s'", bad[i]);
		check(rc < 0 && strstr(err, "JSON at byte") != NULL, name, "accepted");
	}
	static const char *good[] = { "0", "-0.5e+3", "1E2", " [ ] ", "\"\"", "{\"\":{}}", "[NaN,-Infinity]" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		char err[128] = "", name[96];
		snprintf(name, sizeof name, "accepts '%s'", good[i]);
		check(lrsc_json_parse(&j, good[i], strlen(good[i]), err, sizeof err) == 0, name, err);
	}
	lrsc_json_free(&j);
}

/* Numbers written by the client read back exactly. */
static void numbers(void)
{
	static const double xs[] = { 0.1, 1.0 / 3, 1e-300, 123456789.125, -2.5e17, 5e-324 };
	for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
		char buf[40], name[64];
		lrsc__num(buf, sizeof buf, xs[i]);
		snprintf(name, sizeof name, "%s reads back exactly", buf);
		check(strtod(buf, NULL) == xs[i], name, buf);
	}
	char buf[40];
	check(!strcmp(lrsc__num(buf, sizeof buf, 0.1), "0.1"), "0.1 is written 0.1", buf);
	check(!strcmp(lrsc__num(buf, sizeof buf, NAN), "NaN"), "NaN is written NaN", buf);
	check(!strcmp(lrsc__num(buf, sizeof buf, -INFINITY), "-Infinity"), "-inf is written -Infinity", buf);
}

int main(void)
{
	lookups();
	malformed();
	numbers();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
