/* cmd_plot.c - `lrsweep plot DB WHAT -o F.png|F.svg` (or --terminal):
 * the figures of the report module (report.h) for one experiment of a
 * results database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/report.h"
#include "lrsweep/store.h"
#include "cli.h"
#include "table.h"

#define CMD "plot"

typedef struct {
	const char *db, *what, *out, *experiment;
	int terminal, per_trial;
} plot_args;

static const char *const subjects[] = { "range-test", "curves", "schedules", "compare" };

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: lrsweep plot DB WHAT (-o F.png|F.svg | --terminal) [--experiment NAME|ID] [--per-trial]\n"
	        "\n"
	        "WHAT:\n"
	        "  range-test   loss (raw and smoothed) and accuracy against the rate, mean of the\n"
	        "               repeats, the chosen bounds marked\n"
	        "  curves       validation accuracy against the epoch: one line per configuration\n"
	        "               with a band of +-1 sd over its seeds (--per-trial: one per trial)\n"
	        "  schedules    the learning rate of each configuration against the step\n"
	        "  compare      mean and 95%% interval of the best validation accuracy per\n"
	        "               configuration: one row each, the best at the top\n"
	        "\n"
	        "Each line has its own colour, then dash pattern (ten colours). The output\n"
	        "is written beside F and renamed into place; F may not be the database, a\n"
	        "symbolic link or a device.\n"
	        "\n"
	        "The experiment is --experiment (a name: its latest run; an id), else the latest.\n");
}

static int parse_args(int argc, char **argv, cli_globals *g, plot_args *a, int *done)
{
	int pos = 0;

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
		if (!strcmp(arg, "--terminal") || !strcmp(arg, "--per-trial")) {
			*(arg[2] == 't' ? &a->terminal : &a->per_trial) = 1;
			continue;
		}
		if (!strcmp(arg, "-o")) {
			if (i + 1 >= argc)
				return cli_usage_error(CMD, "-o needs a file name (F.png or F.svg)");
			a->out = argv[++i];
			continue;
		}
		if (arg[0] != '-') {
			if (pos == 0)
				a->db = arg;
			else if (pos == 1)
				a->what = arg;
			else
				return cli_usage_error(CMD, "unexpected argument '%s'", arg);
			pos++;
			continue;
		}
		if (arg[1] != '-')
			return cli_usage_error(CMD, "unknown option '%s' (see 'lrsweep plot --help')", arg);
		if ((rc = cli_flag(CMD, argc, argv, &i, key, sizeof key, &val)) != 0)
			return rc;
		if (!strcmp(key, "experiment"))
			a->experiment = val;
		else if (!strcmp(key, "output"))
			a->out = val;
		else
			return cli_usage_error(CMD, "unknown option '--%s' (see 'lrsweep plot --help')", key);
	}
	if (!a->db)
		return cli_usage_error(CMD, "missing the database (lrsweep plot DB WHAT -o F.png)");
	if (!a->what)
		return cli_usage_error(CMD, "missing what to plot: range-test, curves, schedules or compare");
	int known = 0;
	for (size_t k = 0; k < 4; k++)
		known |= !strcmp(a->what, subjects[k]);
	if (!known)
		return cli_usage_error(CMD, "unknown plot '%s'; valid: range-test, curves, schedules, compare", a->what);
	if (!a->out && !a->terminal)
		return cli_usage_error(CMD, "give -o F.png|F.svg or --terminal");
	if (a->out && a->terminal)
		return cli_usage_error(CMD, "give either -o F or --terminal, not both");
	return 0;
}

int cmd_plot(int argc, char **argv, cli_globals *g)
{
	plot_args a = { NULL, NULL, NULL, NULL, 0, 0 };
	lrs_store *st = NULL;
	lrs_experiment_row e;
	int done = 0, status, rc;

	status = parse_args(argc, argv, g, &a, &done);
	if (status || done)
		return status;
	/* before anything: -o must not name the database, a link, a device */
	if (a.out && (rc = cli_output_check(a.out, a.db, "the plot")) < 0)
		return cli_fail(CMD, rc);
	if ((status = cli_open_read(&st, CMD, g, a.db)) != 0)
		return status;
	if ((rc = cli_find_experiment(&e, st, a.db, a.experiment)) == 0) {
		lrs_figure_request req = { a.db, e.id, e.name ? e.name : "", a.what, a.out, a.per_trial, NULL };
		rc = lrs_report_figure(st, &req);
		lrs_experiment_row_free(&e);
	}
	lrs_store_free(st);
	if (rc < 0)
		return cli_fail(CMD, rc);
	if (a.out && !g->quiet)
		fprintf(stderr, "lrsweep %s: wrote %s\n", CMD, a.out);
	return EXIT_OK;
}
