/* cli.h - what the command implementations share: the global flags, the
 * command signature, exit codes and error printing. Only src/cli decides
 * exit statuses. */
#ifndef LRSWEEP_CLI_H
#define LRSWEEP_CLI_H

#include <stdio.h>

/* Exit statuses (SPEC §2). */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_RUNTIME = 1,   /* I/O, database, a trial crashed          */
	EXIT_USAGE = 2,             /* bad flag, bad YAML, bad data file       */
	EXIT_INTERRUPTED = 130      /* SIGINT/SIGTERM, everything so far saved */
};

typedef struct {
	int quiet;     /* -q: only errors on stderr  */
	int verbose;   /* -v: more detail on stderr  */
} cli_globals;

/* A command: gets argv after the command name (argv[0] is the command
 * name) and returns the process exit status. */
typedef int (*cli_fn)(int argc, char **argv, cli_globals *g);

typedef struct {
	const char *name;
	cli_fn fn;
	const char *summary;    /* one line for `lrsweep --help`        */
} cli_command;

/* Prints "lrsweep CMD: message" (with the thread's error position when
 * set) and returns the exit status for library code `rc`. */
int cli_fail(const char *cmd, int rc);

/* Prints "lrsweep CMD: ..." to stderr and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The exit status for a library return code. */
int cli_exit_code(int rc);

/* Handles -q/--quiet and -v/--verbose; returns 1 when argv[i] was one. */
int cli_global_flag(const char *arg, cli_globals *g);

int cmd_schedule(int argc, char **argv, cli_globals *g);
int cmd_not_yet(int argc, char **argv, cli_globals *g);

#endif
