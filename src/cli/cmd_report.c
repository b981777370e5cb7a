/* cmd_report.c - `lrsweep report DB [--experiment E] -o F.html`: one
 * self-contained HTML page about an experiment (SPEC §2). The flags, the
 * experiment and the output checked; the report module (report.h) builds
 * and writes the page. The database is opened read-only. */
#include <stdio.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/report.h"
#include "lrsweep/store.h"
#include "cli.h"
#include "table.h"

#define CMD "report"
#define TOP LRS_REPORT_TOP   /* leaderboard rows shown */

typedef struct {
	const char *db, *out, *experiment;
} report_args;

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: lrsweep report DB -o F.html [--experiment NAME|ID]\n"
	        "\n"
	        "Writes one self-contained HTML page about an experiment: no network needed,\n"
	        "no script, the plots inline as SVG. It holds:\n"
	        "  - the experiment: name, status, dates, host, lrsweep version, data sizes\n"
	        "  - its YAML configuration as stored\n"
	        "  - the range test: loss and accuracy against the rate, and every rule's bounds\n"
	        "    (the chosen rule marked)\n"
	        "  - the leaderboard: the best %d completed trials\n"
	        "  - the configurations compared: n, mean and 95%% interval of the best validation\n"
	        "    and test accuracy over seeds, and Welch's test against the best\n"
	        "  - validation accuracy per epoch, and the learning rate of each configuration\n"
	        "A section without data (bounds given, no completed trial) says so.\n"
	        "\n"
	        "  -o, --output F      the HTML file to write (written beside F, then renamed\n"
	        "                      into place; not the database, a link or a device)\n"
	        "  --experiment E      a name (its latest run) or an id; default: the latest\n"
	        "\n"
	        "The database is opened read-only; gnuplot draws the plots.\n", TOP);
}

static int parse_args(int argc, char **argv, cli_globals *g, report_args *a, int *done)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val;
		char key[64];
		int rc;

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage(stdout);
			*done = 1;
			return EXIT_OK;
		}
		if (cli_global_flag(arg, g))
			continue;
		if (!strcmp(arg, "-o")) {
			if (i + 1 >= argc)
				return cli_usage_error(CMD, "-o needs a file name (F.html)");
			a->out = argv[++i];
			continue;
		}
		if (arg[0] != '-') {
			if (a->db)
				return cli_usage_error(CMD, "unexpected argument '%s'", arg);
			a->db = arg;
			continue;
		}
		if (arg[1] != '-')
			return cli_usage_error(CMD, "unknown option '%s' (see 'lrsweep report --help')", arg);
		if ((rc = cli_flag(CMD, argc, argv, &i, key, sizeof key, &val)) != 0)
			return rc;
		if (!strcmp(key, "experiment"))
			a->experiment = val;
		else if (!strcmp(key, "output"))
			a->out = val;
		else
			return cli_usage_error(CMD, "unknown option '--%s' (see 'lrsweep report --help')", key);
	}
	if (!a->db)
		return cli_usage_error(CMD, "missing the database (lrsweep report DB -o F.html)");
	if (!a->out || !*a->out)
		return cli_usage_error(CMD, "give the page to write: -o F.html");
	return 0;
}

int cmd_report(int argc, char **argv, cli_globals *g)
{
	report_args a = { NULL, NULL, NULL };
	lrs_experiment_row e;
	lrs_store *st = NULL;
	int done = 0, status, rc;

	status = parse_args(argc, argv, g, &a, &done);
	if (status || done)
		return status;
	if ((status = cli_open_read(&st, CMD, g, a.db)) != 0)
		return status;
	if ((rc = cli_find_experiment(&e, st, a.db, a.experiment)) == 0) {
		/* -o must not name the database, a link, a device: bad input */
		if ((rc = cli_output_check(a.out, a.db, "the report")) == LRS_ERROR)
			rc = LRS_EINVALID;
		if (rc == 0)
			rc = lrs_report_write(st, a.db, &e, a.out);
		lrs_experiment_row_free(&e);
	}
	lrs_store_free(st);
	if (rc < 0)
		return cli_fail(CMD, rc);
	if (!g->quiet)
		fprintf(stderr, "lrsweep %s: wrote %s\n", CMD, a.out);
	return EXIT_OK;
}
