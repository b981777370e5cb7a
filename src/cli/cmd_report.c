/* cmd_report.c - `lrsweep report DB [--experiment E] -o F.html`: one
 * self-contained HTML page about an experiment (SPEC §2). The flags, the
 * experiment and the output checked; the report module (report.h) builds
 * and writes the page. The database is opened read-only. */
#include <stdio.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/outfile.h"
#include "lrsweep/report.h"
#include "lrsweep/store.h"
#include "cli.h"

#define CMD "report"
#define TOP LRS_REPORT_TOP   /* leaderboard rows shown */

typedef struct {
	const char *db, *out, *experiment;
} report_args;

#define STR(x) #x
#define XSTR(x) STR(x)

static const char about[] =
	"Writes one self-contained HTML page about an experiment: no network needed,\n"
	"no script, the plots inline as SVG. It holds:\n"
	"  - the experiment: name, status, dates, host, lrsweep version, data sizes,\n"
	"    the model its trials trained\n"
	"  - its YAML configuration as stored\n"
	"  - the range test: loss and accuracy against the rate, and every rule's bounds\n"
	"    (the chosen rule marked); a part per group with range_test.per\n"
	"  - the leaderboard: the best " XSTR(TOP) " completed trials\n"
	"  - the trials that did not complete, when some did not: failed (the first\n"
	"    line of the error), diverged (the step), pruned (the epoch), each with its\n"
	"    configuration, seed, epochs and steps reached; at most " XSTR(LRS_REPORT_NOT_COMPLETED) " of a status\n"
	"  - the configurations compared: n, mean and 95% interval of the best\n"
	"    validation and test accuracy over seeds, and Welch's test against the best\n"
	"    (also by schedule type when the sweep varied other keys too), with a plot\n"
	"  - the search, when the experiment searched keys: as 'lrsweep plot DB search'\n"
	"  - validation accuracy per epoch, and the learning rate of each configuration\n"
	"A section without data (bounds given, no completed trial) says so.\n";

static const char epilog[] = "The database is opened read-only; gnuplot draws the plots.\n";

/* Parses report's argv: 0, LRS_OPT_HELP (written to stdout) or an error. */
static int parse_args(int argc, char **argv, cli_globals *g, report_args *a)
{
	const lrs_opt opts[] = {
		CLI_OPT_DB_FILE(&a->db),
		{ .name = "output", .short_name = 'o', .kind = LRS_OPT_STRING, .dest = &a->out, .metavar = "F.html",
		  .flags = LRS_OPT_REQUIRED, .help = "the HTML file to write (written beside F, then renamed into place; "
		                                     "not the database, a link or a device)" },
		CLI_OPT_EXPERIMENT(&a->experiment),
		CLI_OPT_GLOBALS(g),
	};
	const lrs_opt_spec spec = { cli_program, CMD, opts, CLI_N_OPTS(opts), about, epilog, 0 };

	return cli_parse(&spec, argc, argv, stdout);
}

static int write_report(lrs_store *st, const lrs_experiment_row *e, void *ctx)
{
	const report_args *a = ctx;
	/* -o must not name the database, a link, a device, nor lie in a
	 * missing directory: bad input */
	int rc = lrs_outfile_check_db(a->out, a->db, "the report");

	return rc < 0 ? rc : lrs_report_write(st, a->db, e, a->out);
}

int cmd_report(int argc, char **argv, cli_globals *g)
{
	report_args a = { NULL, NULL, NULL };
	int status, rc;

	if ((rc = parse_args(argc, argv, g, &a)) != 0)
		return cli_parsed(CMD, rc);
	cli_signals_output(CMD, NULL);   /* a signal leaves no temporary file behind */
	if ((status = cli_read(CMD, g, a.db, a.experiment, 1, write_report, &a)) == EXIT_OK && !g->quiet)
		cli_wrote(CMD, a.out);
	return status;
}
