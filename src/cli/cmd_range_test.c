/* cmd_range_test.c - `lrsweep range-test EXP.yaml`: the LR range test of
 * the experiment (SPEC §4): repeats in parallel, every bound rule on their
 * mean curve, a summary on stdout, everything stored in the database, and
 * optionally a plot of loss and accuracy against the rate. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/outfile.h"
#include "lrsweep/experiment.h"
#include "lrsweep/pick.h"
#include "lrsweep/plot.h"
#include "lrsweep/rangetest.h"
#include "lrsweep/report.h"
#include "lrsweep/runner.h"
#include "lrsweep/store.h"
#include "lrsweep/util.h"
#include "cli.h"
#include "range.h"

#define CMD "range-test"

typedef struct {
	const char *exp_path;      /* EXP.yaml                                  */
	const char *db;            /* --db F                                    */
	const char *mode;          /* --mode                                    */
	double start_lr, end_lr;   /* --start-lr, --end-lr (NAN: experiment's)  */
	double epochs;             /* --epochs (NAN: experiment's)              */
	long iterations;           /* --iterations (0: experiment's)            */
	long repeats;              /* --repeats (0: experiment's)               */
	const char *pick;          /* --pick RULE                               */
	const char *plot;          /* --plot F                                  */
	int terminal;              /* --terminal                                */
	long threads;              /* --threads N (0: all cores)                */
	long seed;                 /* --seed S (-1: the experiment's)           */
} range_args;

static const char about[] =
	"Trains while the learning rate ramps from start_lr to end_lr (the CLR paper's\n"
	"test), logging the loss at every step and the validation accuracy every\n"
	"eval_every steps; runs the repeats in parallel, picks bounds from their mean\n"
	"curve with every rule (combined, accuracy, loss-steepest, loss-valley,\n"
	"loss-min10), and stores the curves and bounds in the database (default\n"
	"results/<name>.db). Flags override the experiment's range_test: section;\n"
	"--pick names the rule whose bounds are marked chosen (default\n"
	"range_test.pick, else combined). --seed S seeds the repeats' initialisation\n"
	"and shuffling (default: the experiment's seed; the validation split always\n"
	"uses the experiment's). A progress bar shows on a terminal. See\n"
	"docs/range-test.md.\n";

static const char *const modes[] = { "linear", "exponential" };

/* Parses range-test's argv: 0, LRS_OPT_HELP (written to stdout) or an error. */
static int parse_args(int argc, char **argv, cli_globals *g, range_args *a)
{
	int mode = -1;
	const lrs_opt opts[] = {
		CLI_OPT_EXP_FILE(&a->exp_path),
		CLI_OPT_DB(&a->db, "the database"),
		{ .name = "mode", .kind = LRS_OPT_ENUM, .dest = &mode, .choices = modes, .n_choices = 2,
		  .help = "how the rate rises: linearly (the paper's test) or geometrically" },
		{ .name = "start-lr", .kind = LRS_OPT_DOUBLE, .dest = &a->start_lr, .metavar = "X", .min = 0,
		  .max = INFINITY, .flags = LRS_OPT_MIN_OPEN, .help = "the rate the ramp starts from" },
		{ .name = "end-lr", .kind = LRS_OPT_DOUBLE, .dest = &a->end_lr, .metavar = "Y", .min = 0,
		  .max = INFINITY, .flags = LRS_OPT_MIN_OPEN, .help = "the rate the ramp ends at" },
		{ .name = "epochs", .kind = LRS_OPT_DOUBLE, .dest = &a->epochs, .metavar = "E", .min = 0, .max = 1e6,
		  .flags = LRS_OPT_MIN_OPEN | LRS_OPT_OR_NEXT, .help = "the test's length in epochs (may be fractional)" },
		{ .name = "iterations", .kind = LRS_OPT_INT, .dest = &a->iterations, .metavar = "N", .min = 2,
		  .max = 1e9, .help = "the test's length in steps" },
		{ .name = "repeats", .kind = LRS_OPT_INT, .dest = &a->repeats, .metavar = "R", .min = 1, .max = 1e9,
		  .help = "independent tests, run in parallel; the bounds come from their mean curve" },
		CLI_OPT_PICK(&a->pick, "the rule whose bounds are marked chosen"),
		{ .name = "plot", .kind = LRS_OPT_STRING, .dest = &a->plot, .metavar = "F.png|F.svg",
		  .flags = LRS_OPT_OR_NEXT, .help = "draw loss and accuracy against the rate to F" },
		CLI_OPT_TERMINAL(&a->terminal),
		CLI_OPT_THREADS(&a->threads, "repeats at once (default: one per core)"),
		CLI_OPT_SEED(&a->seed),
		CLI_OPT_GLOBALS(g),
	};
	const lrs_opt_spec spec = { cli_program, CMD, opts, CLI_N_OPTS(opts), about, NULL, 0 };
	int rc = cli_parse(&spec, argc, argv, stdout);

	a->mode = mode >= 0 ? modes[mode] : NULL;
	return rc;
}

/* The effective test: the experiment's range_test: with the flags on top. */
static lrs_range_config settings(const range_args *a, const lrs_experiment *e, long spe, long *repeats,
                                 const char **pick)
{
	lrs_range_config rc = e->range.ramp;
	double epochs = isnan(a->epochs) ? e->range.epochs : a->epochs;

	rc.trial_epochs = e->trial.epochs;   /* for combined's horizon */

	if (a->mode)
		rc.mode = !strcmp(a->mode, "exponential") ? LRS_RAMP_EXPONENTIAL : LRS_RAMP_LINEAR;
	if (!isnan(a->start_lr))
		rc.start_lr = a->start_lr;
	if (!isnan(a->end_lr))
		rc.end_lr = a->end_lr;
	if (a->iterations)
		rc.iterations = a->iterations;
	else if (!isnan(a->epochs) || rc.iterations == 0)
		rc.iterations = (long)llround(epochs * (double)spe);
	*repeats = a->repeats ? a->repeats : e->range.repeats;
	*pick = a->pick ? a->pick : e->range.pick;
	return rc;
}

/* range_test.bounds is for `lrsweep run` (which then skips the test); this
 * command runs the test it is asked for, and says it leaves them unused. */
static void warn_bounds(const cli_globals *g, const lrs_experiment *e)
{
	const lrs_node *b = e->range.has_bounds ? lrs_node_get(e->range_test, "bounds") : NULL;

	if (b && !g->quiet)
		fprintf(stderr, "%s %s: warning: %s:%d:%d: range_test.bounds is not used: range-test runs the "
		        "test it is asked for (lrsweep run takes the bounds and skips the test)\n", cli_program, CMD, e->path,
		        b->key_line, b->key_column);
}

/* Everything of the test in the database, one transaction per write. */
static int store(lrs_store *st, const lrs_experiment *e, const lrs_dataset *ds, const lrs_range_outcome *o,
                 const lrs_range_config *rc, const lrs_range_choice *ch, int64_t *exp_id)
{
	lrs_experiment_info info = lrs_pipeline_experiment_info(e, ds, "range-test");
	int err;

	if ((err = lrs_store_experiment_begin(exp_id, st, &info)) == 0 &&
	    (err = lrs_pipeline_range_store(st, *exp_id, "", o, rc, ch)) == 0)
		err = lrs_store_experiment_finish(st, *exp_id, LRS_EXP_COMPLETED);
	return err;
}

static int draw(const range_args *a, const lrs_range_outcome *o, const lrs_range_config *rc,
                const lrs_range_choice *ch, lrs_pick_rule chosen)
{
	const lrs_pick_result *p = &o->picks[chosen];
	lrs_range_figure f = { rc->mode == LRS_RAMP_EXPONENTIAL, o->repeats, (size_t)o->n, o->lr, o->loss,
	                       o->smoothed_loss, o->accuracy, p->ok ? p->min_lr : NAN, p->ok ? p->max_lr : NAN,
	                       lrs_pick_rule_name(chosen), NULL, ch->probe_iterations };
	return lrs_report_range_plot(a->plot, &f);
}

int cmd_range_test(int argc, char **argv, cli_globals *g)
{
	range_args a = { NULL, NULL, NULL, NAN, NAN, NAN, 0, 0, NULL, NULL, 0, 0, -1 };
	lrs_experiment *e = NULL;
	lrs_dataset *ds = NULL;
	lrs_store *st = NULL;
	lrs_range_outcome o;
	char dbbuf[512];
	int status, err;
	int64_t exp_id = 0;

	memset(&o, 0, sizeof o);
	if ((err = parse_args(argc, argv, g, &a)) != 0)
		return cli_parsed(CMD, err);
	/* the test is stored whole at its end: until then a signal exits at
	 * once, storing nothing */
	cli_signals_start(CMD);
	if ((status = cli_load(CMD, a.exp_path, &e, &ds)) != 0)
		return status;
	cli_data_warning(g, ds);
	warn_bounds(g, e);

	long repeats, spe = lrs_train_steps_per_epoch(ds, e->batch_size);
	const char *pick_name;
	lrs_range_choice ch = { .preferred = LRS_PICK_ACCURACY, .chosen = -1 };
	lrs_range_config rc = settings(&a, e, spe, &repeats, &pick_name);
	int auto_range = e->range.auto_range && rc.mode == LRS_RAMP_LINEAR && isnan(a.start_lr) && isnan(a.end_lr);
	lrs_train_config base = { .model = e->model.net, .optim = e->optim, .batch_size = e->batch_size, .epochs = 1,
	                          .seed = a.seed >= 0 ? (uint64_t)a.seed : e->seed, .eval_each_epoch = 1 };
	lrs_pick_rule_parse(&ch.preferred, pick_name);
	if (!(rc.end_lr > rc.start_lr) && (!isnan(a.start_lr) || !isnan(a.end_lr))) {
		status = cli_usage_error(CMD, "end_lr %g (%s) must be above start_lr %g (%s)", rc.end_lr,
		                         isnan(a.end_lr) ? a.exp_path : "--end-lr", rc.start_lr,
		                         isnan(a.start_lr) ? a.exp_path : "--start-lr");
		goto out;
	}
	if (rc.iterations < 2 && !isnan(a.epochs) && !a.iterations) {
		status = cli_usage_error(CMD, "--epochs %g is %ld update%s (%ld an epoch): a range test needs at least 2",
		                         a.epochs, rc.iterations, rc.iterations == 1 ? "" : "s", spe);
		goto out;
	}
	if ((err = lrs_pipeline_range_length(e, &rc, ds, e->batch_size)) < 0 || (err = lrs_range_check(&rc)) < 0) {
		status = cli_fail(CMD, err);
		goto out;
	}
	/* a plot that cannot be drawn, then a database that cannot be
	 * written, fail before anything trains (as in run and train) */
	const char *path = cli_db_path(a.db, e, dbbuf, sizeof dbbuf);
	if ((a.plot || a.terminal) && ((err = lrs_plot_check(a.plot)) < 0 ||
	                               (a.plot && (err = lrs_outfile_check_db(a.plot, path, "the plot")) < 0))) {
		status = cli_fail(CMD, err);
		goto out;
	}
	if ((err = lrs_store_open(&st, path, LRS_STORE_CREATE)) < 0) {
		status = cli_fail(CMD, err);
		goto out;
	}
	if (!g->quiet)
		cli_data_summary(CMD, e, ds);
	cli_range_view view;
	lrs_range_view v = cli_range_view_of(&view, g->quiet);
	if ((err = lrs_pipeline_range(&o, &ch, ds, &base, &rc, auto_range, repeats, (int)a.threads, &v)) < 0) {
		status = cli_fail(CMD, err);
		goto out;
	}
	lrs_report_range_summary(stdout, &o, &rc, &ch, spe);
	if ((err = store(st, e, ds, &o, &rc, &ch, &exp_id)) < 0) {
		status = cli_fail(CMD, err);
		goto out;
	}
	printf("stored in %s (experiment %lld)\n", path, (long long)exp_id);
	cli_signals_output(CMD, "the range test is stored, the plot is not drawn");
	if (a.plot || a.terminal) {
		fflush(stdout);
		if ((a.plot && (err = lrs_outfile_check_db(a.plot, path, "the plot")) < 0) ||
		    (err = draw(&a, &o, &rc, &ch, ch.chosen >= 0 ? (lrs_pick_rule)ch.chosen : ch.preferred)) < 0) {
			status = cli_fail(CMD, err);
			goto out;
		}
		if (a.plot && !g->quiet)
			cli_wrote(CMD, a.plot);
	}
out:
	lrs_store_free(st);
	lrs_range_outcome_free(&o);
	lrs_dataset_free(ds);
	lrs_experiment_free(e);
	return status;
}
