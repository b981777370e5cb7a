/* cli.c - what every command shares: exit codes, error lines, the global
 * flags. Kept apart from main.c so that the tests can link the commands. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lrsweep/error.h"
#include "cli.h"

int cli_exit_code(int rc)
{
	switch (rc) {
	case LRS_OK:         return EXIT_OK;
	case LRS_EINVALID:   return EXIT_USAGE;
	case LRS_EINTERRUPT: return EXIT_INTERRUPTED;
	default:             return EXIT_FAILURE_RUNTIME;
	}
}

int cli_fail(const char *cmd, int rc)
{
	fprintf(stderr, "lrsweep %s: %s\n", cmd, lrs_error_last());
	return cli_exit_code(rc);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lrsweep %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int cli_global_flag(const char *arg, cli_globals *g)
{
	if (!strcmp(arg, "-q") || !strcmp(arg, "--quiet")) {
		g->quiet = 1;
		return 1;
	}
	if (!strcmp(arg, "-v") || !strcmp(arg, "--verbose")) {
		g->verbose = 1;
		return 1;
	}
	return 0;
}
