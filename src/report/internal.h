/* internal.h - what the files of src/report share: HTML text (html.c),
 * the range-test figure of a stored experiment (range.c) and the search
 * figure (search.c). Not a public header. */
#ifndef LRSWEEP_REPORT_INTERNAL_H
#define LRSWEEP_REPORT_INTERNAL_H

#include "lrsweep/report.h"
#include "lrsweep/util.h"

/* Appends `s` with & < > " ' escaped, so that it is safe as element text
 * and inside quoted attribute values alike; NULL appends `none` (escaped
 * too; NULL: nothing). Everything appends to an lrs_buf; an allocation
 * failure sets b->failed and is seen once, by lrs_buf_take. */
void report_html_text(lrs_buf *b, const char *s, const char *none);

/* Appends <TAG>escaped s</TAG>; tag may carry attributes ("td class='n'"),
 * closed by its first word. */
void report_html_elem(lrs_buf *b, const char *tag, const char *s, const char *none);

/* Appends the first line of `s` as report_html_text does: the text up to
 * a newline, or up to the two characters \n that stand for one in a
 * stored error (a trainer's log lines are joined so, lrs_buf_printable's
 * escape), its control characters escaped as lrs_buf_printable escapes
 * them; at most `max` (> 0) bytes of that (never inside a character), then an
 * ellipsis when it was longer. An error's text is whatever a trainer
 * wrote: this keeps one line of it, of bounded length, inert. */
void report_html_first_line(lrs_buf *b, const char *s, size_t max);

/* Appends a table header row: <tr><th>name</th>...</tr>. */
void report_html_head_row(lrs_buf *b, const char *const *names, int n);

/* The range-test figure of req (lrs_report_figure's "range-test"). */
int report_range_figure(lrs_store *st, const lrs_figure_request *req);

/* The search figure of req (lrs_report_figure's "search", search.c). */
int report_search_figure(lrs_store *st, const lrs_figure_request *req);

#endif
