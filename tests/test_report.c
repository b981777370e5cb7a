/* test_report.c - the HTML text helpers of the report (src/report/html.c):
 * text from the database, an external trainer's error among it, is inert
 * markup-wise and bounded. The page itself is tests/e2e/report.sh's and
 * tests/e2e/report_ended.sh's. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/util.h"
#include "../src/report/internal.h"
#include "suites.h"

/* report_html_first_line(s, max) as a string (free it). */
static char *first_line(const char *s, size_t max)
{
	lrs_buf b = { 0 };

	lrs_buf_printf(&b, "%s", "");
	report_html_first_line(&b, s, max);
	return lrs_buf_take(&b);
}

START_TEST(first_line_cases)
{
	static const struct { const char *in; size_t max; const char *want; } cases[] = {
		/* markup and quotes escaped, as report_html_text does */
		{ "<script>alert(1)</script> & \"q\" 's", 200,
		  "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;s" },
		/* a real newline ends the line; so does a CRLF's */
		{ "first\nsecond", 200, "first" },
		{ "first\r\nsecond", 200, "first" },
		/* as do the two characters \n joining a trainer's log lines */
		{ "fault; log f.log: <b>\\nsecond <i>", 200, "fault; log f.log: &lt;b&gt;" },
		/* the earlier of both */
		{ "a\\nb\nc", 200, "a" },
		{ "a\nb\\nc", 200, "a" },
		/* control characters escaped, an ESC cannot reach a terminal or page */
		{ "x\x1b[31my\tz", 200, "x\\x1b[31my\\tz" },
		/* cut at max bytes, with an ellipsis; never inside a character */
		{ "abcdefghij", 10, "abcdefghij" },
		{ "abcdefghijk", 10, "abcdefghij&#8230;" },
		{ "abcdefgh\xc3\xa9z", 9, "abcdefgh&#8230;" },
		{ "abcdefgh\xc3\xa9z", 10, "abcdefgh\xc3\xa9&#8230;" },
		/* the cut counts the text, not its entities: 4 of "<<<<<<" */
		{ "<<<<<<", 4, "&lt;&lt;&lt;&lt;&#8230;" },
		/* a long first line and a second one: cut, the second never shown */
		{ "abcdefghijk\nsecond", 10, "abcdefghij&#8230;" },
		{ "", 10, "" },
		{ "\nsecond", 10, "" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *got = first_line(cases[i].in, cases[i].max);
		ck_assert_ptr_nonnull(got);
		ck_assert_msg(!strcmp(got, cases[i].want), "case %zu: got '%s', want '%s'", i, got, cases[i].want);
		free(got);
	}
}
END_TEST

Suite *suite_report(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("html");

	tcase_add_test(tc, first_line_cases);
	suite_add_tcase(s, tc);
	return s;
}
