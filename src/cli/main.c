/* main.c - the lrsweep command line: global flags, the command table, and
 * the exit status (the only place that decides it, with the commands).
 * main() itself is in entry.c, so that lrsweep-mpi can run the same
 * command line under its own main. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lrsweep/error.h"
#include "lrsweep/version.h"
#include "lrsweep/cli.h"
#include "cli.h"

static const cli_command commands[] = {
	{ "run",        cmd_run,      "the whole pipeline: range test, bounds, all trials, all stored" },
	{ "range-test", cmd_range_test,  "the LR range test alone; prints the curve summary and the bounds" },
	{ "train",      cmd_train,    "one trial, printing a line per epoch" },
	{ "schedule",   cmd_schedule, "print or plot a learning-rate schedule, one row per step" },
	{ "query",      cmd_query,    "query a results database (experiments, trials, best, compare, ...)" },
	{ "plot",       cmd_plot,     "plot range tests, curves, schedules or comparisons from a database" },
	{ "report",     cmd_report,   "one self-contained HTML report of an experiment" },
	{ "data",       cmd_data,     "load the data of an experiment and describe it" },
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: lrsweep [--version] [-q|--quiet] [-v|--verbose] COMMAND [ARGS...]\n"
	        "\n"
	        "Find learning-rate bounds with the LR range test, race schedules and\n"
	        "hyperparameters in parallel, and keep every result in SQLite.\n"
	        "\n"
	        "commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
	        "\n"
	        "'lrsweep COMMAND --help' describes a command. Exit status: 0 success,\n"
	        "1 runtime failure, 2 usage or input error, 130 interrupted.\n");
}

static int dispatch(int argc, char **argv, const lrs_executor *executor)
{
	cli_globals g = { 0, 0, executor };
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--version")) {
			printf("lrsweep %s\n", LRSWEEP_VERSION);
			return EXIT_OK;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return EXIT_OK;
		}
		if (!cli_global_flag(argv[i], &g)) {
			fprintf(stderr, "lrsweep: unknown option '%s' (see 'lrsweep --help')\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t c = 0; c < N_COMMANDS; c++)
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].fn(argc - i, argv + i, &g);
	fprintf(stderr, "lrsweep: unknown command '%s' (see 'lrsweep --help')\n", argv[i]);
	return EXIT_USAGE;
}

/* Whether stdout is a pipe whose reader went away (`lrsweep run | head`):
 * poll() says POLLERR for its write end. */
static int reader_gone(void)
{
	struct pollfd p = { STDOUT_FILENO, 0, 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

int lrs_cli_main(int argc, char **argv, const lrs_executor *executor)
{
	int status;

	/* a write past `ulimit -f` fails with EFBIG, which the store reports
	 * as a full disk, instead of killing the process half-way */
	signal(SIGXFSZ, SIG_IGN);
	status = dispatch(argc, argv, executor);
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		/* run and train ignore SIGPIPE and finish their work when the
		 * reader goes away: what they stored is the result, not a failure */
		if (errno == EPIPE || reader_gone())
			return status;
		perror("lrsweep: writing output");
		return status ? status : EXIT_FAILURE_RUNTIME;
	}
	return status;
}
