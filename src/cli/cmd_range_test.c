/* cmd_range_test.c - `lrsweep range-test EXP.yaml`: the LR range test of
 * the experiment (SPEC §4): repeats in parallel, every bound rule on their
 * mean curve, a summary on stdout, everything stored in the database, and
 * optionally a plot of loss and accuracy against the rate. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/blas.h"
#include "lrsweep/error.h"
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

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: lrsweep range-test EXP.yaml [--db F] [--mode linear|exponential] [--start-lr X]\n"
	        "                          [--end-lr Y] [--epochs E | --iterations N] [--repeats R]\n"
	        "                          [--pick RULE] [--plot F.png|F.svg | --terminal] [--threads N]\n"
	        "                          [--seed S]\n"
	        "\n"
	        "Trains while the learning rate ramps from start_lr to end_lr (the CLR paper's\n"
	        "test), logging the loss at every step and the validation accuracy every\n"
	        "eval_every steps; runs the repeats in parallel, picks bounds from their mean\n"
	        "curve with every rule (accuracy, loss-steepest, loss-valley, loss-min10), and\n"
	        "stores the curves and bounds in the database (default results/<name>.db).\n"
	        "Flags override the experiment's range_test: section; --pick names the rule\n"
	        "whose bounds are marked chosen. --seed S seeds the repeats' initialisation\n"
	        "and shuffling (default: the experiment's seed; the validation split always\n"
	        "uses the experiment's). A progress bar shows on a terminal. See\n"
	        "docs/range-test.md.\n");
}

static int parse_args(int argc, char **argv, cli_globals *g, range_args *a, int *done)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val;
		char key[64];

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage(stdout);
			*done = 1;
			return EXIT_OK;
		}
		if (cli_global_flag(arg, g))
			continue;
		if (!strcmp(arg, "--terminal")) {
			a->terminal = 1;
			continue;
		}
		if (arg[0] != '-') {
			if (a->exp_path)
				return cli_usage_error(CMD, "unexpected argument '%s'", arg);
			a->exp_path = arg;
			continue;
		}
		int rc;
		if (arg[1] != '-' || (rc = cli_flag(CMD, argc, argv, &i, key, sizeof key, &val)) != 0)
			return arg[1] != '-' ? cli_usage_error(CMD, "unknown option '%s' (see 'lrsweep range-test --help')", arg)
			                     : rc;
		double v;
		long n;
		if (!strcmp(key, "db")) {
			a->db = val;
		} else if (!strcmp(key, "mode")) {
			if (strcmp(val, "linear") && strcmp(val, "exponential"))
				return cli_usage_error(CMD, "--mode must be linear or exponential, got '%s'", val);
			a->mode = val;
		} else if (!strcmp(key, "start-lr") || !strcmp(key, "end-lr")) {
			if (lrs_parse_double(val, &v) < 0 || !(v > 0))
				return cli_usage_error(CMD, "--%s must be a rate > 0, got '%s'", key, val);
			*(key[0] == 's' ? &a->start_lr : &a->end_lr) = v;
		} else if (!strcmp(key, "epochs")) {
			if (lrs_parse_double(val, &v) < 0 || !(v > 0) || v > 1e6)
				return cli_usage_error(CMD, "--epochs must be a number in (0, 1000000], got '%s'", val);
			a->epochs = v;
		} else if (!strcmp(key, "threads")) {
			if ((rc = cli_threads_arg(CMD, val, &a->threads)) != 0)
				return rc;
		} else if (!strcmp(key, "iterations") || !strcmp(key, "repeats")) {
			long lo = !strcmp(key, "iterations") ? 2 : 1;
			if (lrs_parse_long(val, &n) < 0 || n < lo || n > 1000000000)
				return cli_usage_error(CMD, "--%s must be an integer >= %ld, got '%s'", key, lo, val);
			*(key[0] == 'i' ? &a->iterations : &a->repeats) = n;
		} else if (!strcmp(key, "seed")) {
			if (lrs_parse_long(val, &a->seed) < 0 || a->seed < 0)
				return cli_usage_error(CMD, "--seed must be an integer >= 0, got '%s'", val);
		} else if (!strcmp(key, "pick")) {
			lrs_pick_rule r;
			if (lrs_pick_rule_parse(&r, val) < 0)
				return cli_fail(CMD, LRS_EINVALID);
			a->pick = val;
		} else if (!strcmp(key, "plot")) {
			a->plot = val;
		} else {
			return cli_usage_error(CMD, "unknown option '--%s' (see 'lrsweep range-test --help')", key);
		}
	}
	if (!a->exp_path)
		return cli_usage_error(CMD, "missing the experiment file (lrsweep range-test EXP.yaml)");
	if (!isnan(a->epochs) && a->iterations)
		return cli_usage_error(CMD, "give either --epochs or --iterations, not both");
	if (a->plot && a->terminal)
		return cli_usage_error(CMD, "give either --plot F or --terminal, not both");
	return 0;
}

/* The effective test: the experiment's range_test: with the flags on top. */
static lrs_range_config settings(const range_args *a, const lrs_experiment *e, long spe, long *repeats,
                                 const char **pick)
{
	lrs_range_config rc = e->range.ramp;
	double epochs = isnan(a->epochs) ? e->range.epochs : a->epochs;

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

static int draw(const range_args *a, const lrs_range_outcome *o, const lrs_range_config *rc, lrs_pick_rule chosen)
{
	const lrs_pick_result *p = &o->picks[chosen];
	lrs_range_figure f = { rc->mode == LRS_RAMP_EXPONENTIAL, o->repeats, (size_t)o->n, o->lr, o->loss,
	                       o->smoothed_loss, o->accuracy, p->ok ? p->min_lr : NAN, p->ok ? p->max_lr : NAN,
	                       lrs_pick_rule_name(chosen), NULL };
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
	int done = 0, status, err;
	int64_t exp_id = 0;

	memset(&o, 0, sizeof o);
	status = parse_args(argc, argv, g, &a, &done);
	if (status || done)
		return status;
	if ((status = cli_load(CMD, a.exp_path, &e, &ds)) != 0)
		return status;

	long repeats, spe = lrs_train_steps_per_epoch(ds, e->batch_size);
	const char *pick_name;
	lrs_range_choice ch = { LRS_PICK_ACCURACY, -1 };
	lrs_range_config rc = settings(&a, e, spe, &repeats, &pick_name);
	int auto_range = e->range.auto_range && rc.mode == LRS_RAMP_LINEAR && isnan(a.start_lr) && isnan(a.end_lr);
	lrs_train_config base = { .model = e->model, .optim = e->optim, .batch_size = e->batch_size, .epochs = 1,
	                          .seed = a.seed >= 0 ? (uint64_t)a.seed : e->seed, .eval_each_epoch = 1 };
	lrs_pick_rule_parse(&ch.preferred, pick_name);
	if (!(rc.end_lr > rc.start_lr) && (!isnan(a.start_lr) || !isnan(a.end_lr))) {
		status = cli_usage_error(CMD, "end_lr %g (%s) must be above start_lr %g (%s)", rc.end_lr,
		                         isnan(a.end_lr) ? a.exp_path : "--end-lr", rc.start_lr,
		                         isnan(a.start_lr) ? a.exp_path : "--start-lr");
		goto out;
	}
	if ((err = lrs_range_check(&rc)) < 0) {
		status = cli_fail(CMD, err);
		goto out;
	}
	/* a plot that cannot be drawn, then a database that cannot be
	 * written, fail before anything trains (as in run and train) */
	const char *path = cli_db_path(a.db, e, dbbuf, sizeof dbbuf);
	if ((a.plot || a.terminal) && ((err = lrs_plot_check(a.plot)) < 0 ||
	                               (a.plot && (err = cli_output_check(a.plot, path, "the plot")) < 0))) {
		status = cli_fail(CMD, err);
		goto out;
	}
	if ((err = lrs_store_open(&st, path, LRS_STORE_CREATE)) < 0) {
		status = cli_fail(CMD, err);
		goto out;
	}
	lrs_blas_set_threads(1);   /* each repeat is single-threaded */
	if (!g->quiet)
		cli_data_summary(CMD, e, ds);
	cli_range_view view;
	lrs_range_view v = cli_range_view_of(&view, g->quiet);
	if ((err = lrs_pipeline_range(&o, &ch, ds, &base, &rc, auto_range, repeats, (int)a.threads, &v)) < 0) {
		status = cli_fail(CMD, err);
		goto out;
	}
	cli_range_summary(&o, &rc, &ch, spe);
	if ((err = store(st, e, ds, &o, &rc, &ch, &exp_id)) < 0) {
		status = cli_fail(CMD, err);
		goto out;
	}
	printf("stored in %s (experiment %lld)\n", path, (long long)exp_id);
	if (a.plot || a.terminal) {
		fflush(stdout);
		if ((a.plot && (err = cli_output_check(a.plot, path, "the plot")) < 0) ||
		    (err = draw(&a, &o, &rc, ch.chosen >= 0 ? (lrs_pick_rule)ch.chosen : ch.preferred)) < 0) {
			status = cli_fail(CMD, err);
			goto out;
		}
		if (a.plot && !g->quiet)
			fprintf(stderr, "lrsweep %s: wrote %s\n", CMD, a.plot);
	}
out:
	lrs_store_free(st);
	lrs_range_outcome_free(&o);
	lrs_dataset_free(ds);
	lrs_experiment_free(e);
	return status;
}
