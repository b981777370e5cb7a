/* fuzz_schedule.c - `lrsweep schedule`'s command line: flag parsing, the
 * values of --KEY VALUE (scalars, "N epochs", @min/@max expressions,
 * comma lists, YAML flow values for `sequential`), building every
 * schedule type and printing its rows in every format.
 *
 * Input: the arguments after `lrsweep schedule`, one a line (at most 64).
 * Inputs that would draw a plot (--plot, --terminal: gnuplot) or print
 * more than 4096 rows are skipped: the first is another program, the
 * second only time. What the command prints goes to /dev/null: stdout
 * and stderr are pointed at it for the call (sanitizer reports write to
 * file descriptor 2 directly and still show). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/util.h"
#include "../../src/cli/cli.h"
#include "fuzz.h"

#define MAX_ARGS 64
#define MAX_ROWS 4096

/* 1 when the --steps value `v` is a number above MAX_ROWS */
static int too_many_rows(const char *v)
{
	long n;
	return lrs_parse_long(v, &n) == 0 && n > MAX_ROWS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *argv[MAX_ARGS + 2];
	int argc = 0, skip = 0;
	cli_globals g;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	argv[argc++] = "schedule";
	for (char *p = text, *nl; p && argc <= MAX_ARGS; p = nl) {
		if ((nl = strchr(p, '\n')))
			*nl++ = '\0';
		argv[argc++] = p;
	}
	argv[argc] = NULL;
	for (int i = 1; i < argc && !skip; i++) {
		const char *a = argv[i];
		skip = !strncmp(a, "--plot", 6) || !strncmp(a, "--terminal", 10) ||
		       (!strcmp(a, "--steps") && i + 1 < argc && too_many_rows(argv[i + 1])) ||
		       (!strncmp(a, "--steps=", 8) && too_many_rows(a + 8));
	}
	static FILE *null;
	if (!null)
		null = fopen("/dev/null", "w");
	if (!skip && null) {
		FILE *out = stdout, *err = stderr;
		memset(&g, 0, sizeof g);
		stdout = stderr = null;
		cmd_schedule(argc, argv, &g);
		fflush(null);
		stdout = out;
		stderr = err;
	}
	free(text);
	return 0;
}
