/* error.h - return codes and the per-thread error message.
 *
 * Every library function of lrsweep returns an int: 0 on success, one of the
 * negative codes below on failure. The human-readable message of the last
 * failure is kept in thread-local storage (trials fail concurrently), so the
 * caller reads it with lrs_error_last() right after a call returned < 0.
 * Only src/cli turns codes into exit statuses; nothing below it exits. */
#ifndef LRSWEEP_ERROR_H
#define LRSWEEP_ERROR_H

enum {
	LRS_OK          =  0,
	LRS_ERROR       = -1, /* anything not listed below (I/O, library failure) */
	LRS_EINVALID    = -2, /* bad input: a parameter, flag, file or value      */
	LRS_ENOTFOUND   = -3, /* a named thing does not exist                     */
	LRS_EDIVERGED   = -4, /* training produced NaN or inf                     */
	LRS_ENOMEM      = -5, /* an allocation failed                             */
	LRS_EINTERRUPT  = -6  /* stopped by SIGINT/SIGTERM                        */
};

/* The message of the last error of this thread ("" if none). */
const char *lrs_error_last(void);

/* Source position (1-based) attached to the last error, or 0 when none. */
int lrs_error_line(void);
int lrs_error_column(void);

/* Sets the thread's message printf-style and returns `code`, so that callers
 * can write `return lrs_error_set(LRS_EINVALID, "...", ...);`. */
int lrs_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* As lrs_error_set, recording a line:column position (0 = unknown). */
int lrs_error_set_at(int code, int line, int column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Forgets the thread's last error. */
void lrs_error_clear(void);

#endif
