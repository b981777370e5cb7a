/* error.c - the thread-local message behind every failing return code. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lrsweep/error.h"

static _Thread_local char message[4096];   /* last error text of this thread */
static _Thread_local int err_line, err_col; /* its position, 0 = none        */

const char *lrs_error_last(void) { return message; }
int lrs_error_line(void) { return err_line; }
int lrs_error_column(void) { return err_col; }

void lrs_error_clear(void)
{
	message[0] = '\0';
	err_line = err_col = 0;
}

/* Formats through a local buffer, so that the arguments may include the
 * current message itself (callers prefix context to a lower error). */
static void set_message(const char *fmt, va_list ap)
{
	char text[sizeof message];

	vsnprintf(text, sizeof text, fmt, ap);
	memcpy(message, text, sizeof message);
}

int lrs_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_message(fmt, ap);
	va_end(ap);
	err_line = err_col = 0;
	return code;
}

int lrs_error_set_at(int code, int line, int column, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_message(fmt, ap);
	va_end(ap);
	err_line = line;
	err_col = column;
	return code;
}
