/* cmd_run.c - `lrsweep run`: the whole pipeline (SPEC §1, §5) as the
 * command line shows it. The flags, then src/pipeline does the work -
 * the plan checked, each group's range test and bounds, the trials run
 * and stored - while this file prints what it reports: the range tests,
 * a progress bar (or a line per trial when stderr is not a terminal),
 * and the leaderboard at the end. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lrsweep/error.h"
#include "lrsweep/experiment.h"
#include "lrsweep/pick.h"
#include "lrsweep/pipeline.h"
#include "lrsweep/plan.h"
#include "lrsweep/results.h"
#include "lrsweep/runner.h"
#include "lrsweep/store.h"
#include "lrsweep/report.h"
#include "lrsweep/util.h"
#include "cli.h"
#include "progress.h"
#include "range.h"

#define CMD "run"

typedef struct {
	const char *exp_path;
	const char *db;
	long threads;              /* --threads N; -1: trials.threads           */
	int resume, dry_run;
	double min_lr, max_lr;     /* --min-lr/--max-lr; NAN: not given         */
	const char *pick;          /* --pick RULE; NULL: range_test.pick        */
} run_args;

static const char about[] =
	"The whole pipeline: the range test (unless bounds are given by\n"
	"--min-lr/--max-lr or range_test.bounds), the bounds of the rule named by\n"
	"range_test.pick, then every trial of the trials: section - schedules x grids\n"
	"x space x seeds - on every core, each stored in the database (default\n"
	"results/<name>.db) as it ends, and the leaderboard at the end.\n";

static const char epilog[] =
	"Ctrl-C (SIGINT, SIGTERM, SIGHUP) stops the run at any phase: finished trials\n"
	"stay stored, running ones are stored as interrupted, a range test cut short\n"
	"is not kept, the experiment is marked interrupted, and the exit status is\n"
	"130; --resume goes on. Only one process at a time writes an experiment: a\n"
	"--resume of one that another lrsweep is writing is refused (exit status 1).\n";

/* Parses run's argv into `a` (-q, -v into g): 0, LRS_OPT_HELP (the help
 * written to `help` unless NULL), or LRS_EINVALID with the message set. */
static int parse_args(int argc, char **argv, cli_globals *g, run_args *a, FILE *help)
{
	const lrs_opt opts[] = {
		CLI_OPT_EXP_FILE(&a->exp_path),
		CLI_OPT_DB(&a->db, "the database"),
		CLI_OPT_THREADS(&a->threads, "trials at once (default trials.threads; 0 = one per core); results do "
		                "not depend on it"),
		{ .name = "resume", .kind = LRS_OPT_FLAG, .dest = &a->resume, .flags = LRS_OPT_OR_NEXT,
		  .help = "continue the latest experiment of this name in the database: completed, pruned and "
		          "diverged trials are kept, the rest run; refused if the experiment file changed" },
		{ .name = "dry-run", .kind = LRS_OPT_FLAG, .dest = &a->dry_run,
		  .help = "print the plan and stop: no training, nothing stored; a model.layers stack's shape table "
		          "first (with -v, an MLP's too)" },
		{ .name = "min-lr", .kind = LRS_OPT_DOUBLE, .dest = &a->min_lr, .metavar = "X", .min = 0,
		  .max = INFINITY, .flags = LRS_OPT_MIN_OPEN | LRS_OPT_AND_NEXT,
		  .help = "the lower bound; with --max-lr, the bounds: skip the range test" },
		{ .name = "max-lr", .kind = LRS_OPT_DOUBLE, .dest = &a->max_lr, .metavar = "Y", .min = 0,
		  .max = INFINITY, .flags = LRS_OPT_MIN_OPEN, .help = "the upper bound" },
		CLI_OPT_PICK(&a->pick, "the rule whose bounds feed the trials (default range_test.pick, else "
		             "combined): combined, accuracy, loss-steepest, loss-valley, loss-min10; when it cannot "
		             "pick, the next of combined, accuracy, loss-steepest, loss-min10, loss-valley that can "
		             "does, with a warning"),
		CLI_OPT_GLOBALS(g),
	};
	const lrs_opt_spec spec = { cli_program, CMD, opts, CLI_N_OPTS(opts), about, epilog, 0 };
	int rc = cli_parse(&spec, argc, argv, help);

	if (rc != 0)
		return rc;
	if (isnan(a->min_lr) != isnan(a->max_lr))
		return lrs_error_set(LRS_EINVALID, "give both --min-lr and --max-lr, or neither");
	if (!isnan(a->min_lr) && !(a->min_lr < a->max_lr))
		return lrs_error_set(LRS_EINVALID, "--min-lr must be below --max-lr, got %g and %g", a->min_lr, a->max_lr);
	return 0;
}

static const run_args no_args = { NULL, NULL, -1, 0, 0, NAN, NAN, NULL };

int cli_run_target(int argc, char **argv, const char **exp, long *threads, const char **db)
{
	run_args a = no_args;
	cli_globals g = { 0, 0, NULL };
	int rc = parse_args(argc, argv, &g, &a, NULL);

	*exp = rc == 0 ? a.exp_path : NULL;
	*threads = a.threads;
	*db = rc == 0 ? a.db : NULL;
	return rc == 0 ? 0 : LRS_EINVALID;
}

/* ------------------------------------------------------------ what the run shows */

typedef struct {
	const cli_globals *g;
	const lrs_pipeline *p;
	int threads;
	const lrs_plan *plan;
	cli_range_view range;
	lrs_range_view range_view;
	cli_progress bar;           /* epochs of the trials to run              */
	int lines;                  /* one line per finished trial (piped)     */
	size_t done, total;         /* trials finished / to run                 */
	size_t running;
	double best;                /* best validation accuracy so far          */
	char **labels;              /* (n_labels) each configuration's, as the
	                               leaderboard, query and report name it */
	size_t n_labels;
} run_view;

/* The plan's configurations labelled as the results module labels the
 * stored trials, so that a trial's line names it as the leaderboard does;
 * r->labels stays NULL out of memory (the plan's own labels then). */
static void label_configs(run_view *r, const lrs_plan *plan)
{
	size_t nc = plan->configs;
	const char **type = calloc(nc + 1, sizeof *type), **params = calloc(nc + 1, sizeof *params),
	           **hyper = calloc(nc + 1, sizeof *hyper);

	for (size_t i = 0; type && params && hyper && i < plan->n; i++) {
		size_t c = plan->items[i].config;
		if (c < nc && !type[c]) {
			type[c] = plan->items[i].type;
			params[c] = plan->items[i].params;
			hyper[c] = plan->items[i].hyper;
		}
	}
	if (type && params && hyper && (r->labels = lrs_results_labels(type, params, hyper, nc)))
		r->n_labels = nc;
	free(type);
	free(params);
	free(hyper);
}

static void on_note(void *ctx, const char *text)
{
	if (!((run_view *)ctx)->g->quiet)
		fprintf(stderr, "%s %s: %s\n", cli_program, CMD, text);
}

static void on_warn(void *ctx, const char *text)
{
	if (!((run_view *)ctx)->g->quiet)
		fprintf(stderr, "%s %s: warning: %s\n", cli_program, CMD, text);
}

static void on_range_group(void *ctx, const lrs_pipeline_group *g, size_t k, size_t n)
{
	if (n > 1 && !((run_view *)ctx)->g->quiet)
		fprintf(stderr, "%s %s: range test %zu of %zu: %s (%zu trial%s)\n", cli_program, CMD, k + 1, n, g->key, g->trials,
		        g->trials == 1 ? "" : "s");
}

static void on_range_done(void *ctx, const lrs_pipeline_group *g, const lrs_range_outcome *o,
                          const lrs_range_config *rc, const lrs_range_choice *ch, long spe)
{
	(void)ctx;
	if (g->key[0])
		printf("group: %s\n", g->key);
	lrs_report_range_summary(stdout, o, rc, ch, spe);
	if (g->key[0])
		printf("\n");
}

/* The live view's text: trials done, running and left, the best so far. */
static void note(run_view *r)
{
	if (isfinite(r->best))
		cli_progress_note(&r->bar, "%zu/%zu done, %zu running, best %.4f", r->done, r->total, r->running, r->best);
	else
		cli_progress_note(&r->bar, "%zu/%zu done, %zu running", r->done, r->total, r->running);
}

/* "bounds 0.01 .. 0.1", or "bounds per group" */
static void bounds_text(char *buf, size_t size, const lrs_pipeline *p)
{
	if (p->n_groups == 1)
		snprintf(buf, size, "bounds %.4g .. %.4g", p->groups[0].min_lr, p->groups[0].max_lr);
	else
		snprintf(buf, size, "bounds from %zu range tests, one per group", p->n_groups);
}

static void on_trials_start(void *ctx, const lrs_plan *plan, const size_t *which, size_t n, size_t kept)
{
	run_view *r = ctx;
	const lrs_experiment *e = r->p->e;
	long epochs_total = 0;
	int threads = lrs_runner_threads(r->threads);
	char btext[96], where[64];

	int round = r->plan != NULL;   /* strategy tpe: a later round of proposals */

	r->plan = plan;
	r->total = round ? r->total + n : n;
	for (size_t k = 0; k < r->n_labels; k++)
		free(r->labels[k]);
	free(r->labels);
	r->labels = NULL;
	r->n_labels = 0;
	label_configs(r, plan);
	bounds_text(btext, sizeof btext, r->p);
	if (r->g->executor)   /* the work goes elsewhere: this process's threads do not train */
		snprintf(where, sizeof where, "the %s worker ranks", r->g->executor->name);
	else
		snprintf(where, sizeof where, "%d thread%s", threads, threads > 1 ? "s" : "");
	if (!r->g->quiet && e->trial.tpe && !round)
		fprintf(stderr, "%s %s: strategy tpe: %ld proposals x %zu seed%s%s, %s; each round's trials (%ld at "
		        "random, then %ld a round) proposed from the rounds before, on %s\n", cli_program, CMD,
		        e->trial.samples, e->trial.n_seeds, e->trial.n_seeds == 1 ? "" : "s",
		        e->trial.shared ? " x every schedule entry" : "", btext, e->trial.sampler.startup, e->trial.batch,
		        where);
	else if (r->g->verbose && e->trial.tpe)
		fprintf(stderr, "%s %s: next round: %zu trials, %zu in the plan so far\n", cli_program, CMD, n, plan->n);
	if (!r->g->quiet && !e->trial.tpe)
		fprintf(stderr, "%s %s: %zu trial%s (%zu configuration%s x %zu seed%s), %s; %zu to run on %s%s\n",
		        cli_program, CMD, plan->n, plan->n == 1 ? "" : "s", plan->configs, plan->configs == 1 ? "" : "s",
		        e->trial.n_seeds, e->trial.n_seeds == 1 ? "" : "s", btext, n, where,
		        kept ? ", the others kept from before" : "");
	for (size_t k = 0; k < n; k++)
		epochs_total += plan->items[which[k]].epochs;
	cli_progress_start(&r->bar, "trials", epochs_total, !r->g->quiet);
	r->lines = !r->g->quiet && !r->bar.on;
}

static void on_trial_start(void *ctx, size_t i)
{
	run_view *r = ctx;
	(void)i;
	r->running++;
	note(r);
}

static void on_trial_epoch(void *ctx, size_t i, const lrs_epoch_stats *e)
{
	(void)i;
	(void)e;
	cli_progress_add(&((run_view *)ctx)->bar, 1);
}

static void on_trial_end(void *ctx, size_t i, const lrs_trial_result *tr, const lrs_trial_outcome *o)
{
	run_view *r = ctx;
	const lrs_trial_spec *t = &r->plan->items[i];

	r->done++;
	r->running--;
	if (tr->status == LRS_TRIAL_COMPLETED && tr->best_val_accuracy > r->best)
		r->best = tr->best_val_accuracy;
	note(r);
	/* the bar counts epochs; a trial that stopped early gives back the rest */
	cli_progress_add(&r->bar, t->epochs - (long)o->n_epochs);
	if (!r->lines)
		return;
	fprintf(stderr, "%s run: trial %zu/%zu done (%s): %s, seed %llu: ", cli_program, r->done, r->total,
	        lrs_trial_status_name(tr->status), t->config < r->n_labels ? r->labels[t->config] : t->label,
	        (unsigned long long)t->seed);
	if (tr->status == LRS_TRIAL_FAILED)
		fprintf(stderr, "%s\n", o->error ? o->error : "failed");
	else if (tr->status == LRS_TRIAL_DIVERGED)
		fprintf(stderr, "diverged at step %ld\n", tr->diverged_at);
	else if (tr->status == LRS_TRIAL_PRUNED)
		fprintf(stderr, "pruned after epoch %zu (val %.4f)\n", o->n_epochs,
		        o->n_epochs ? o->epochs[o->n_epochs - 1].val_accuracy : NAN);
	else {
		if (tr->status == LRS_TRIAL_INTERRUPTED && o->n_epochs == 0)
			fprintf(stderr, "stopped before its first epoch ended, ");
		else if (tr->status == LRS_TRIAL_INTERRUPTED)
			fprintf(stderr, "stopped after epoch %zu, ", o->n_epochs);
		if (!isnan(tr->best_val_accuracy))   /* an external trainer may report none */
			fprintf(stderr, "best val %.4f (epoch %ld), ", tr->best_val_accuracy, tr->best_epoch);
		else if (o->n_epochs > 0)
			fprintf(stderr, "no validation accuracy reported, ");
		if (!isnan(tr->test_accuracy))
			fprintf(stderr, "test %.4f, ", tr->test_accuracy);
		fprintf(stderr, "%.1f s\n", tr->wall_seconds);
	}
}

static void on_trials_end(void *ctx)
{
	cli_progress_end(&((run_view *)ctx)->bar);
}

/* ------------------------------------------------------------ the command */

/* Bounds given (--min-lr/--max-lr, or range_test.bounds) mean no range
 * test runs: one warning naming what was set for the test and is not used
 * - --pick, and the file's other range_test: keys when the file gives the
 * bounds (at the first of them). Flags alone leave a file's range_test:
 * settings be: they serve the runs without the flags. */
static void warn_unused_range(const cli_globals *g, const run_args *a, const lrs_experiment *e)
{
	int flags = !isnan(a->min_lr);
	const lrs_node *first = NULL;
	char keys[512] = "", at[600] = "";
	size_t n = 0, len;

	if (g->quiet || (!flags && !e->range.has_bounds))
		return;
	if (e->range.has_bounds && (n = lrs_experiment_range_keys(e, keys, sizeof keys, &first)) > 0)
		snprintf(at, sizeof at, "%s:%d:%d: ", e->path, first->key_line, first->key_column);
	if (a->pick && (len = strlen(keys)) < sizeof keys)
		snprintf(keys + len, sizeof keys - len, "%s--pick", n++ ? ", " : "");
	if (n > 0)
		fprintf(stderr, "%s %s: warning: %s%s %s given, so no range test runs: %s %s not used\n", cli_program, CMD, at,
		        flags ? "--min-lr/--max-lr" : "range_test.bounds", flags ? "are" : "is", keys, n > 1 ? "are" : "is");
}

/* After the trials: a warning when no completed trial's final validation
 * accuracy is above the share of the validation split's majority class
 * plus one sample - what always answering that class scores. The model
 * then learned nothing from the features (labels shuffled, or features
 * unrelated to them). Data loaded here only: an external trainer's labels
 * are its own. */
static int warn_majority(const cli_globals *g, lrs_store *st, const lrs_pipeline *p, const lrs_dataset *ds)
{
	lrs_trial_filter best = { "completed", NULL, "final_val_accuracy", 1, 1, NAN };
	lrs_trial_rows rows = { NULL, 0 };
	size_t *counts;
	int err, top = 0;

	if (g->quiet || p->e->has_trainer || ds->external || ds->val.n == 0 || ds->classes < 2)
		return 0;
	if (!(counts = calloc((size_t)ds->classes, sizeof *counts)))
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	lrs_split_class_counts(counts, &ds->val, ds->classes);
	for (int c = 1; c < ds->classes; c++)
		top = counts[c] > counts[top] ? c : top;
	if ((err = lrs_store_trials_read(&rows, st, p->experiment_id, &best)) == 0 && rows.n == 1 &&
	    !isnan(rows.items[0].final_val_accuracy) &&
	    rows.items[0].final_val_accuracy * (double)ds->val.n <= (double)counts[top] + 1 + 1e-6) {
		char name[80] = "";
		if (ds->class_names)
			snprintf(name, sizeof name, " \"%.60s\"", ds->class_names[top]);
		fprintf(stderr, "%s %s: warning: no trial beat always predicting the majority class (class %d%s, "
		        "%.2f of the validation samples): the model learned nothing from the features -- check the "
		        "labels and features (lrsweep data %s)\n", cli_program, CMD, top, name,
		        (double)counts[top] / (double)ds->val.n, p->e->path);
	}
	lrs_trial_rows_free(&rows);
	free(counts);
	return err;
}

/* `s` as one word of a POSIX shell's command line: as it is when every
 * byte is plain, else in single quotes. */
static void shell_word(lrs_buf *b, const char *s)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=@%+,-") == strlen(s)) {
		lrs_buf_printf(b, " %s", s);
		return;
	}
	lrs_buf_printf(b, " '");
	for (; *s; s++)
		lrs_buf_printf(b, *s == '\'' ? "'\\''" : "%c", *s);
	lrs_buf_printf(b, "'");
}

/* `v` with the fewest digits that read back as the same double. */
static void shortest(char *out, size_t size, double v)
{
	for (int digits = 1; digits <= 17; digits++) {
		snprintf(out, size, "%.*g", digits, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

/* The command that resumes this run: the same database and the same
 * --min-lr/--max-lr, which --resume requires (docs/run.md). */
static void resume_command(lrs_buf *b, const run_args *a)
{
	char num[32];

	lrs_buf_printf(b, "%s %s --resume", cli_program, CMD);
	shell_word(b, a->exp_path);
	if (a->db) {
		lrs_buf_printf(b, " --db");
		shell_word(b, a->db);
	}
	if (!isnan(a->min_lr)) {
		shortest(num, sizeof num, a->min_lr);
		lrs_buf_printf(b, " --min-lr %s", num);
		shortest(num, sizeof num, a->max_lr);
		lrs_buf_printf(b, " --max-lr %s", num);
	}
}

static int interrupted(const lrs_pipeline *p, const run_args *a)
{
	size_t done = 0;
	lrs_buf cmd = { 0 };

	for (int s = 0; s < LRS_TRIAL_INTERRUPTED; s++)
		done += p->counts[s];
	resume_command(&cmd, a);
	if (!p->experiment_id)
		fprintf(stderr, "%s %s: interrupted before anything was stored\n", cli_program, CMD);
	else if (p->swept)
		fprintf(stderr, "%s %s: interrupted: %zu trial%s finished and stored, the running ones stored as "
		        "interrupted; '%s' goes on\n", cli_program, CMD, done, done == 1 ? "" : "s",
		        cmd.data ? cmd.data : "");
	else
		fprintf(stderr, "%s %s: interrupted before the trials started (experiment %lld stored as "
		        "interrupted); '%s' goes on\n", cli_program, CMD, (long long)p->experiment_id,
		        cmd.data ? cmd.data : "");
	lrs_buf_free(&cmd);
	return EXIT_INTERRUPTED;
}

/* From the store's opening (a database that cannot be opened is the one
 * line printed) to the leaderboard and its warning. */
static int run_stored(lrs_pipeline *p, const run_args *a, cli_globals *g, const char *path,
                      const lrs_experiment *e, const lrs_dataset *ds)
{
	lrs_store *st = NULL;
	int err;

	if ((err = lrs_store_open(&st, path, LRS_STORE_CREATE)) < 0)
		return cli_fail(CMD, err);
	if (!g->quiet && !e->has_trainer)
		cli_data_summary(CMD, e, ds);
	err = lrs_pipeline_run(p, st, path);
	if (err == LRS_EINTERRUPT) {
		lrs_store_free(st);
		return interrupted(p, a);
	}
	if (err == 0 && g->verbose)
		fprintf(stderr, "%s %s: trials took %.3f s; %.4f s of it in SQLite (%.2f%%)\n", cli_program, CMD,
		        p->sweep_seconds, p->store_seconds,
		        p->sweep_seconds > 0 ? 100 * p->store_seconds / p->sweep_seconds : 0.0);
	if (err == 0 && (err = lrs_report_leaderboard(stdout, st, p->experiment_id)) == 0)
		lrs_report_run_totals(stdout, p, path);
	if (err == 0) {
		fflush(stdout);   /* the warning after the leaderboard, on a terminal too */
		err = warn_majority(g, st, p, ds);
	}
	lrs_store_free(st);
	return err < 0 ? cli_fail(CMD, err) : EXIT_OK;
}

int cmd_run(int argc, char **argv, cli_globals *g)
{
	run_args a = no_args;
	lrs_experiment *e = NULL;
	lrs_dataset *ds = NULL;
	lrs_pipeline p;
	run_view view;
	char dbbuf[512];
	int status, err;

	memset(&p, 0, sizeof p);
	memset(&view, 0, sizeof view);
	if ((err = parse_args(argc, argv, g, &a, stdout)) != 0)
		return cli_parsed(CMD, err);
	cli_signals_start(CMD);   /* until the store opens, a signal exits at once */
	if ((status = cli_load(CMD, a.exp_path, &e, &ds)) != 0)
		return status;
	cli_data_warning(g, ds);
	warn_unused_range(g, &a, e);
	view.g = g;
	view.p = &p;
	view.best = -INFINITY;
	view.range_view = cli_range_view_of(&view.range, g->quiet);
	lrs_pipeline_events ev = { &view, on_note, on_warn, on_range_group, &view.range_view, on_range_done,
	                           on_trials_start, on_trial_start, on_trial_epoch, on_trial_end, on_trials_end };
	char logs[600];
	lrs_pipeline_log_dir(logs, sizeof logs, e, a.db);
	lrs_pipeline_options opt = { a.resume, a.min_lr, a.max_lr, a.pick,
	                             (int)(a.threads >= 0 ? a.threads : e->trial.threads), &cli_stop, g->executor,
	                             &ev, logs };
	view.threads = opt.threads;
	if ((err = lrs_pipeline_prepare(&p, e, ds, &opt)) < 0) {
		status = cli_fail(CMD, err);
	} else if (a.dry_run) {
		if (e->trial.tpe)
			printf("strategy tpe: %ld proposals, %ld at random, then %ld a round, each round proposed from the "
			       "results of the rounds before; below, the stand-in plan that checks the file and finds the "
			       "range-test groups (every combination of the range-test keys' listed values, other searched "
			       "keys at their middle)\n", e->trial.samples, e->trial.sampler.startup, e->trial.batch);
		if (!e->has_trainer && (e->model.layers || g->verbose)) {   /* a stack's shapes; -v: an MLP's too */
			cli_model_table(stdout, e, ds);
			printf("\n");
		}
		lrs_report_plan(stdout, &p);
		if ((err = lrs_pipeline_check_memory(&p)) < 0)   /* what the run would refuse, the dry run says */
			status = cli_fail(CMD, err);
	} else if ((err = lrs_pipeline_check_memory(&p)) < 0) {
		status = cli_fail(CMD, err);
	} else if (g->executor && g->executor->same_data && (err = g->executor->same_data(g->executor, e, ds)) < 0) {
		status = cli_fail(CMD, err);   /* lrsweep-mpi: a rank without the data; nothing stored */
	} else {
		const char *path = cli_db_path(a.db, e, dbbuf, sizeof dbbuf);
		cli_signals_stoppable();   /* from here on, a signal stops at a safe point */
		status = run_stored(&p, &a, g, path, e, ds);
	}
	for (size_t k = 0; k < view.n_labels; k++)
		free(view.labels[k]);
	free(view.labels);
	lrs_pipeline_free(&p);
	lrs_dataset_free(ds);
	lrs_experiment_free(e);
	return status;
}
