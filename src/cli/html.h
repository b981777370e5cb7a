/* html.h - HTML text for `lrsweep report` (html.c): escaping of whatever
 * comes from the database, and the few elements the report repeats.
 * Everything appends to an lrs_buf; an allocation failure sets b->failed
 * and is seen once, by lrs_buf_take. */
#ifndef LRSWEEP_CLI_HTML_H
#define LRSWEEP_CLI_HTML_H

#include "lrsweep/util.h"

/* Appends `s` with & < > " ' escaped, so that it is safe as element text
 * and inside quoted attribute values alike; NULL appends `none` (escaped
 * too; NULL: nothing). */
void cli_html_text(lrs_buf *b, const char *s, const char *none);

/* Appends <TAG>escaped s</TAG>; tag may carry attributes ("td class='n'"),
 * closed by its first word. */
void cli_html_elem(lrs_buf *b, const char *tag, const char *s, const char *none);

/* Appends a table header row: <tr><th>name</th>...</tr>. */
void cli_html_head_row(lrs_buf *b, const char *const *names, int n);

#endif
