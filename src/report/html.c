/* html.c - HTML escaping and small elements for the report (internal.h). */
#include <string.h>

#include "internal.h"

void report_html_text(lrs_buf *b, const char *s, const char *none)
{
	if (!s)
		s = none;
	/* runs of plain bytes in one append, the five specials as entities */
	while (s && *s) {
		size_t plain = strcspn(s, "&<>\"'");
		if (plain)
			lrs_buf_printf(b, "%.*s", (int)plain, s);
		s += plain;
		switch (*s) {
		case '&':  lrs_buf_printf(b, "&amp;");  break;
		case '<':  lrs_buf_printf(b, "&lt;");   break;
		case '>':  lrs_buf_printf(b, "&gt;");   break;
		case '"':  lrs_buf_printf(b, "&quot;"); break;
		case '\'': lrs_buf_printf(b, "&#39;");  break;
		default:   return;   /* the end of s */
		}
		s++;
	}
}

void report_html_elem(lrs_buf *b, const char *tag, const char *s, const char *none)
{
	lrs_buf_printf(b, "<%s>", tag);
	report_html_text(b, s, none);
	lrs_buf_printf(b, "</%.*s>", (int)strcspn(tag, " "), tag);
}

void report_html_head_row(lrs_buf *b, const char *const *names, int n)
{
	lrs_buf_printf(b, "<tr>");
	for (int i = 0; i < n; i++)
		report_html_elem(b, "th", names[i], NULL);
	lrs_buf_printf(b, "</tr>\n");
}
