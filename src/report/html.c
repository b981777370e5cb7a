/* html.c - HTML escaping and small elements for the report (internal.h). */
#include <assert.h>
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

void report_html_first_line(lrs_buf *b, const char *s, size_t max)
{
	const char *nl = strchr(s, '\n'), *esc = strstr(s, "\\n");
	size_t len = strlen(s);
	lrs_buf line = { 0 }, shown = { 0 };
	size_t cut;

	assert(max > 0);
	if (nl && (size_t)(nl - s) < len)
		len = (size_t)(nl - s);
	if (esc && (size_t)(esc - s) < len)
		len = (size_t)(esc - s);
	if (len && s[len - 1] == '\r' && s + len == nl)
		len--;   /* a CRLF line's end, not a character of it */
	if (len > max + 1)
		len = max + 1;   /* enough to be cut: a huge text is not copied */
	lrs_buf_printf(&line, "%.*s", (int)len, s);
	lrs_buf_printf(&shown, "%s", "");
	cut = line.data ? lrs_buf_printable(&shown, line.data, max) : 0;
	if (line.failed || shown.failed)
		b->failed = 1;   /* seen once, as every append's failure is */
	report_html_text(b, shown.data, NULL);
	if (cut)
		lrs_buf_printf(b, "&#8230;");
	lrs_buf_free(&line);
	lrs_buf_free(&shown);
}
