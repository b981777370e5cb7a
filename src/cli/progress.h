/* progress.h - a progress bar on stderr for long commands: drawn only when
 * stderr is a terminal and -q was not given, redrawn at most ten times a
 * second, fed from any number of worker threads. */
#ifndef LRSWEEP_CLI_PROGRESS_H
#define LRSWEEP_CLI_PROGRESS_H

#include <stdatomic.h>

typedef struct {
	const char *label;       /* "range test"                              */
	long total;              /* units of work in all                      */
	atomic_long done;        /* units finished                            */
	atomic_long drawn_ms;    /* when it was last drawn (ms since start)   */
	long t0_ms;              /* start, monotonic ms                       */
	int on;                  /* 1 when it draws                           */
	char note[96];           /* shown after the bar (cli_progress_note)   */
} cli_progress;

/* Starts a bar of `total` units; it draws only when `enabled` and stderr
 * is a terminal. */
void cli_progress_start(cli_progress *p, const char *label, long total, int enabled);

/* Adds `units` finished (ctx is the cli_progress); thread-safe. */
void cli_progress_add(void *ctx, long units);

/* Sets the text shown after the bar ("3/10 done, 2 running, best
 * 0.8712"). Not thread-safe: call it where the units are added from, under
 * the same lock. */
void cli_progress_note(cli_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Erases the bar, leaving the terminal line clean. */
void cli_progress_end(cli_progress *p);

#endif
