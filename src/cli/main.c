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
#include "lrsweep/options.h"
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

static const char about[] =
	"Find learning-rate bounds with the LR range test, race schedules and\n"
	"hyperparameters in parallel, and keep every result in SQLite.\n";

static const char epilog[] =
	"'lrsweep COMMAND --help' describes a command. Exit status: 0 success,\n"
	"1 runtime failure, 2 usage or input error, 130 interrupted.\n";

#define N_PROGRAM_OPTS 5   /* the entries of program_spec's table */

/* The program's own flags, before the command, in opts[N_PROGRAM_OPTS];
 * *version set by --version. */
static lrs_opt_spec program_spec(lrs_opt *opts, cli_globals *g, int *version)
{
	const lrs_opt table[] = {
		{ .name = "version", .kind = LRS_OPT_FLAG, .dest = version, .flags = LRS_OPT_ALONE,
		  .help = "print the version and stop" },
		CLI_OPT_GLOBALS(g),
		{ .metavar = "COMMAND", .kind = LRS_OPT_STRING, .flags = LRS_OPT_OPERAND | LRS_OPT_REQUIRED,
		  .help = "one of the commands below" },
		{ .metavar = "ARGS...", .kind = LRS_OPT_STRING, .flags = LRS_OPT_OPERAND,
		  .help = "its operands and flags (they may include -q and -v)" },
	};

	_Static_assert(CLI_N_OPTS(table) == N_PROGRAM_OPTS, "opts[] holds the table");
	memcpy(opts, table, sizeof table);
	opts[1].flags = opts[2].flags = 0;   /* in the usage line here */
	return (lrs_opt_spec){ "lrsweep", NULL, opts, CLI_N_OPTS(table), about, NULL, 1 };
}

/* The usage line, the flags, then the commands. */
static void usage(FILE *f, const lrs_opt_spec *spec)
{
	lrs_opt_help(f, spec);
	fprintf(f, "\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n%s", epilog);
}

/* The index in commands[] of the command argv[*at] names (the program's
 * flags before it parsed into g), or -1 after printing why not: *status
 * is then the exit status (EXIT_OK after --version or --help). */
static int command_of(int argc, char **argv, cli_globals *g, int *at, int *status)
{
	lrs_opt opts[N_PROGRAM_OPTS];
	int version = 0, i, rc;
	lrs_opt_spec spec = program_spec(opts, g, &version);

	*status = EXIT_USAGE;
	if ((rc = lrs_opt_parse(&spec, argc, argv, &i)) == LRS_OPT_HELP || (rc == 0 && version)) {
		if (version)
			printf("lrsweep %s\n", LRSWEEP_VERSION);
		else
			usage(stdout, &spec);
		*status = EXIT_OK;
		return -1;
	}
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", cli_program, lrs_error_last());
	else if (i == argc)
		usage(stderr, &spec);
	for (size_t c = 0; rc == 0 && i < argc && c < N_COMMANDS; c++)
		if (!strcmp(argv[i], commands[c].name)) {
			*at = i;
			return (int)c;
		}
	if (rc == 0 && i < argc)
		fprintf(stderr, "%s: unknown command '%s' (see 'lrsweep --help')\n", cli_program, argv[i]);
	return -1;
}

static int dispatch(int argc, char **argv, const lrs_executor *executor)
{
	cli_globals g = { 0, 0, executor };
	int at, status, c = command_of(argc, argv, &g, &at, &status);

	/* the command's argv starts at its name */
	return c < 0 ? status : commands[c].fn(argc - at, argv + at, &g);
}

int lrs_cli_run_args(int argc, char **argv, const char **exp, long *threads, const char **db)
{
	lrs_opt opts[N_PROGRAM_OPTS];
	cli_globals g = { 0, 0, NULL };
	int version = 0, i;
	lrs_opt_spec spec = program_spec(opts, &g, &version);

	*exp = NULL;
	*threads = -1;
	*db = NULL;
	if (lrs_opt_parse(&spec, argc, argv, &i) != 0 || i == argc || strcmp(argv[i], "run"))
		return LRS_EINVALID;
	return cli_run_target(argc - i, argv + i, exp, threads, db);
}

/* Whether stdout is a pipe whose reader went away (`lrsweep run | head`):
 * poll() says POLLERR for its write end. */
static int reader_gone(void)
{
	struct pollfd p = { STDOUT_FILENO, 0, 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

int lrs_cli_main(int argc, char **argv, const char *program, const lrs_executor *executor)
{
	int status;

	cli_program = program;

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
		if (errno)
			fprintf(stderr, "%s: writing output: %s\n", cli_program, strerror(errno));
		else            /* an earlier write failed; its errno is gone */
			fprintf(stderr, "%s: writing output failed (stdout is full or closed)\n", cli_program);
		return status ? status : EXIT_FAILURE_RUNTIME;
	}
	return status;
}
