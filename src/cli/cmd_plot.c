/* cmd_plot.c - `lrsweep plot DB WHAT -o F.png|F.svg` (or --terminal):
 * the figures of the report module (report.h) for one experiment of a
 * results database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/outfile.h"
#include "lrsweep/report.h"
#include "lrsweep/store.h"
#include "cli.h"

#define CMD "plot"

typedef struct {
	const char *db, *what, *out, *experiment, *metric;
	int terminal, per_trial;
} plot_args;

static const char *const subjects[] = { "range-test", "curves", "schedules", "compare", "search" };

/* What search may take as its objective; losses are best low. */
static const char *const metrics[] = {
	"best_val_accuracy", "final_val_accuracy", "test_accuracy", "final_val_loss", "final_train_loss",
};
#define N_METRICS (sizeof metrics / sizeof metrics[0])
#define N_SUBJECTS (sizeof subjects / sizeof subjects[0])

static const char about[] =
	"WHAT:\n"
	"  range-test   loss (raw and smoothed) and accuracy against the rate, mean of\n"
	"               the repeats, the chosen bounds marked\n"
	"  curves       validation accuracy against the epoch: one line per\n"
	"               configuration with a band of +-1 sd over its seeds\n"
	"               (--per-trial: one per trial)\n"
	"  schedules    the learning rate of each configuration against the step\n"
	"  compare      mean and 95% interval of the best validation accuracy per\n"
	"               configuration: one row each, the best at the top\n"
	"  search       the objective (--metric) of each completed trial in plan order\n"
	"               with the best so far, and a panel per searched key: its value\n"
	"               against the objective (log axis for a log-uniform key)\n";

static const char epilog[] =
	"Each line has its own colour, then dash pattern (ten colours). The output\n"
	"is written beside F and renamed into place; F may not be the database, a\n"
	"symbolic link or a device.\n"
	"\n"
	"The experiment is --experiment (a name: its latest run; an id), else the\n"
	"latest.\n";

/* Parses plot's argv: 0, LRS_OPT_HELP (written to stdout) or an error. */
static int parse_args(int argc, char **argv, cli_globals *g, plot_args *a)
{
	int what = -1, metric = -1;
	const lrs_opt opts[] = {
		CLI_OPT_DB_FILE(&a->db),
		{ .metavar = "WHAT", .kind = LRS_OPT_ENUM, .dest = &what, .flags = LRS_OPT_OPERAND | LRS_OPT_REQUIRED,
		  .choices = subjects, .n_choices = N_SUBJECTS, .noun = "plot", .help = "what to plot" },
		{ .name = "output", .short_name = 'o', .kind = LRS_OPT_STRING, .dest = &a->out, .metavar = "F.png|F.svg",
		  .flags = LRS_OPT_REQUIRED | LRS_OPT_OR_NEXT,
		  .help = "the figure to write, PNG or SVG by its name" },
		CLI_OPT_TERMINAL(&a->terminal),
		CLI_OPT_EXPERIMENT(&a->experiment),
		{ .name = "per-trial", .kind = LRS_OPT_FLAG, .dest = &a->per_trial,
		  .help = "curves: one line per trial, not per configuration" },
		{ .name = "metric", .kind = LRS_OPT_ENUM, .dest = &metric, .choices = metrics, .n_choices = N_METRICS,
		  .metavar = "M", .help = "search: the objective: best_val_accuracy (default), final_val_accuracy, "
		                          "test_accuracy, final_val_loss, final_train_loss" },
		CLI_OPT_GLOBALS(g),
	};
	const lrs_opt_spec spec = { cli_program, CMD, opts, CLI_N_OPTS(opts), about, epilog, 0 };
	int rc = cli_parse(&spec, argc, argv, stdout);

	a->what = what >= 0 ? subjects[what] : NULL;
	a->metric = metric >= 0 ? metrics[metric] : NULL;
	return rc;
}

static int draw(lrs_store *st, const lrs_experiment_row *e, void *ctx)
{
	const plot_args *a = ctx;
	lrs_figure_request req = { a->db, e->id, e->name ? e->name : "", a->what, a->out, a->per_trial, NULL,
		                   a->metric };

	return lrs_report_figure(st, &req);
}

int cmd_plot(int argc, char **argv, cli_globals *g)
{
	plot_args a = { NULL, NULL, NULL, NULL, NULL, 0, 0 };
	int status, rc;

	if ((rc = parse_args(argc, argv, g, &a)) != 0)
		return cli_parsed(CMD, rc);
	cli_signals_output(CMD, NULL);   /* a signal leaves no temporary file behind */
	/* before anything: -o must not name the database, a link, a device */
	if (a.out && (rc = lrs_outfile_check_db(a.out, a.db, "the plot")) < 0)
		return cli_fail(CMD, rc);
	if ((status = cli_read(CMD, g, a.db, a.experiment, 1, draw, &a)) == EXIT_OK && a.out && !g->quiet)
		cli_wrote(CMD, a.out);
	return status;
}
