/* cmd_train.c - `lrsweep train EXP.yaml`: one training run with the
 * experiment's data, model and optimizer and a schedule from the flags,
 * printing a line per epoch and the test accuracy at the end, and stored
 * as an experiment of one trial (with its epochs) in the database. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/blas.h"
#include "lrsweep/error.h"
#include "lrsweep/experiment.h"
#include "lrsweep/pipeline.h"
#include "lrsweep/plan.h"
#include "lrsweep/schedule.h"
#include "lrsweep/store.h"
#include "lrsweep/train.h"
#include "lrsweep/util.h"
#include "cli.h"

#define CMD "train"

typedef struct {
	const char *exp_path;      /* EXP.yaml                               */
	const char *type;          /* --schedule TYPE (NULL: constant --lr)  */
	const char *lr;            /* --lr X                                 */
	long epochs;               /* --epochs N (0: experiment's or 10)     */
	long seed;                 /* --seed S (-1: the experiment's)        */
	double min_lr, max_lr;     /* --min-lr, --max-lr (NAN: unknown)      */
	const char *db;            /* --db F                                 */
	lrs_node *params;          /* schedule parameters from the flags     */
} train_args;

static const char about[] =
	"Trains the experiment's model on its data once, printing a line per epoch\n"
	"(epoch, lr, train loss/accuracy, validation loss/accuracy, seconds) and the\n"
	"test accuracy at the end.\n";

static const char epilog[] =
	"The lr column is the rate of the epoch's last update. A run whose loss\n"
	"turns NaN or infinite stops there and says so (exit status 0). Ctrl-C\n"
	"(SIGINT, SIGTERM, SIGHUP) stops it after the current step: the epochs done\n"
	"are stored, the run as interrupted, exit status 130.\n";

/* Parses train's argv into `a`: 0, LRS_OPT_HELP (written to stdout) or an
 * error. */
static int parse_args(int argc, char **argv, cli_globals *g, train_args *a)
{
	int rc;

	if ((rc = lrs_node_new_map(&a->params, 0, 0)) < 0)
		return rc;
	const lrs_opt opts[] = {
		CLI_OPT_EXP_FILE(&a->exp_path),
		{ .name = "lr", .kind = LRS_OPT_STRING, .dest = &a->lr, .metavar = "X",
		  .help = "a constant learning rate (the default schedule), or the schedule's lr" },
		{ .name = "schedule", .kind = LRS_OPT_STRING, .dest = &a->type, .metavar = "TYPE", .flags = LRS_OPT_AND_NEXT,
		  .help = "any schedule of 'lrsweep schedule --help', with its parameters as --KEY VALUE" },
		CLI_OPT_PARAMS(a->params, "a parameter of the schedule (\"N epochs\" allowed)"),
		{ .name = "epochs", .kind = LRS_OPT_INT, .dest = &a->epochs, .metavar = "N", .min = 1, .max = 1e6,
		  .help = "epochs to train (default: trials.epochs, else 10)" },
		CLI_OPT_SEED(&a->seed),
		{ .name = "min-lr", .kind = LRS_OPT_DOUBLE, .dest = &a->min_lr, .metavar = "X", .min = 0, .max = INFINITY,
		  .flags = LRS_OPT_AND_NEXT, .help = "what @min stands for in the schedule" },
		{ .name = "max-lr", .kind = LRS_OPT_DOUBLE, .dest = &a->max_lr, .metavar = "Y", .min = 0, .max = INFINITY,
		  .help = "what @max stands for in the schedule" },
		CLI_OPT_DB(&a->db, "the database the run is stored in, as an experiment of one trial"),
		CLI_OPT_QUIET_HELP(g, "no summary line on stderr"),
		CLI_OPT_VERBOSE_HELP(g, "the model's shape table first; the resolved schedule and the BLAS library on "
		                     "stderr"),
	};
	const lrs_opt_spec spec = { cli_program, CMD, opts, CLI_N_OPTS(opts), about, epilog, 0 };

	if ((rc = cli_parse(&spec, argc, argv, stdout)) != 0)
		return rc;
	if (!a->type && a->params->n > 0) {
		const char *near = lrs_opt_nearest(&spec, a->params->keys[0]);
		return lrs_error_set(LRS_EINVALID, "unknown option '--%s' (%s%s%s)", a->params->keys[0],
		                     near ? "did you mean '--" : "schedule parameters go with --schedule TYPE",
		                     near ? near : "", near ? "'?" : "");
	}
	if (!a->type && !a->lr)
		return lrs_error_set(LRS_EINVALID, "give a learning rate: --lr X, or --schedule TYPE with its parameters");
	if (!isnan(a->min_lr) && !isnan(a->max_lr) && a->min_lr >= a->max_lr)
		return lrs_error_set(LRS_EINVALID, "--min-lr (%g) must be below --max-lr (%g)", a->min_lr, a->max_lr);
	return 0;
}

/* What the epoch lines need to introduce the table. */
typedef struct {
	const lrs_experiment *exp;
	const lrs_dataset *ds;
	int quiet;
} epoch_printer;

/* Stops the run after the current step once a signal asked for it. */
static int check_stop(void *ctx, long step, double lr, double loss)
{
	(void)ctx; (void)step; (void)lr; (void)loss;
	return cli_stop != 0;
}

static int print_epoch(void *ctx, const lrs_epoch_stats *e)
{
	const epoch_printer *p = ctx;

	if (e->epoch == 1 && !p->quiet)   /* once training is under way: a run that */
		cli_data_summary(CMD, p->exp, p->ds);   /* cannot start prints only its error */
	if (e->epoch == 1)
		printf("%5s  %-11s  %10s  %9s  %8s  %7s  %7s\n", "epoch", "lr", "train_loss", "train_acc",
		       "val_loss", "val_acc", "seconds");
	printf("%5ld  %-11.5g  %10.4f  %9.4f  %8.4f  %7.4f  %7.2f\n", e->epoch, e->lr, e->train_loss,
	       e->train_accuracy, e->val_loss, e->val_accuracy, e->seconds);
	fflush(stdout);
	return 0;
}

/* The run's last lines: how it ended, where it is stored. */
static int print_end(const lrs_single *s, const char *path)
{
	const lrs_train_result *r = &s->result;

	if (r->status == LRS_RUN_STOPPED) {
		fprintf(stderr, "%s %s: interrupted after %ld step%s: %zu finished epoch%s stored in %s "
		        "(experiment %lld, trial %lld, interrupted)\n", cli_program, CMD, r->steps, r->steps == 1 ? "" : "s",
		        s->n_epochs, s->n_epochs == 1 ? "" : "s", path, (long long)s->experiment_id,
		        (long long)s->trial_id);
		return EXIT_INTERRUPTED;
	}
	if (r->status == LRS_RUN_DIVERGED)
		printf("diverged at step %ld (loss not finite), after %ld epochs; no test evaluation\n",
		       r->diverged_at, r->epochs_done);
	else if (s->ds->test.n == 0)
		printf("no test data; best validation accuracy %.4f at epoch %ld, %.1f s\n",
		       r->best_val_accuracy, r->best_epoch, r->seconds);
	else
		printf("test_accuracy %.4f  test_loss %.4f  (%ld steps, %.1f s)\n", r->test_accuracy, r->test_loss,
		       r->steps, r->seconds);
	printf("stored in %s (experiment %lld, trial %lld)\n", path, (long long)s->experiment_id,
	       (long long)s->trial_id);
	return EXIT_OK;
}

/* From the data loaded to the last line. */
static int train(const train_args *a, const cli_globals *g, const lrs_experiment *e, const lrs_dataset *ds)
{
	lrs_single_options o = { a->type, a->params, a->epochs, a->seed, a->min_lr, a->max_lr };
	epoch_printer printer = { e, ds, g->quiet };
	lrs_train_hooks hooks = { .ctx = &printer, .on_step = check_stop, .on_epoch = print_epoch };
	lrs_store *st = NULL;
	lrs_single s;
	char dbbuf[512];
	int rc;

	/* what cannot fit in memory, then a database that cannot be written,
	 * fail before anything trains or is created */
	if ((rc = lrs_single_prepare(&s, e, ds, &o)) < 0)
		goto out;
	const char *path = cli_db_path(a->db, e, dbbuf, sizeof dbbuf);
	cli_signals_stoppable();   /* from here on, a signal stops after a step */
	if ((rc = lrs_store_open(&st, path, LRS_STORE_CREATE)) < 0)
		goto out;
	if (g->verbose) {
		cli_model_table(stdout, e, ds);
		printf("\n");
		fprintf(stderr, "%s train: BLAS %s\n", cli_program, lrs_blas_info());
		fprintf(stderr, "%s train: schedule %s %s\n", cli_program, s.plan.items[0].type, s.plan.items[0].params);
	}
	if ((rc = lrs_single_run(&s, st, &hooks)) == 0)
		rc = print_end(&s, path);
out:
	lrs_store_free(st);
	lrs_single_free(&s);
	return rc < 0 ? cli_fail(CMD, rc) : rc;
}

int cmd_train(int argc, char **argv, cli_globals *g)
{
	train_args a = { NULL, NULL, NULL, 0, -1, NAN, NAN, NULL, NULL };
	lrs_experiment *e = NULL;
	lrs_dataset *ds = NULL;
	int status, rc;

	if ((rc = parse_args(argc, argv, g, &a)) != 0) {
		status = cli_parsed(CMD, rc);
		goto out;
	}
	cli_signals_start(CMD);   /* until the store opens, a signal exits at once */
	if ((status = cli_load(CMD, a.exp_path, &e, &ds)) != 0)
		goto out;
	cli_data_warning(g, ds);
	if (a.lr) {   /* the constant's rate, or the schedule's own lr */
		lrs_node *lr;
		if ((rc = lrs_node_new_scalar(&lr, a.lr, 0, 0)) < 0 || (rc = lrs_node_append(a.params, "lr", lr)) < 0) {
			status = cli_fail(CMD, rc);
			goto out;
		}
	}
	status = train(&a, g, e, ds);
out:
	lrs_dataset_free(ds);
	lrs_experiment_free(e);
	lrs_node_free(a.params);
	return status;
}
