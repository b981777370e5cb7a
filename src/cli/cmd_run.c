/* cmd_run.c - `lrsweep run`: the whole pipeline (SPEC §1, §5). Loads the
 * experiment and its data, checks the trial plan, runs the range test
 * (unless bounds are given), builds the plan with the picked bounds, runs
 * the trials on every core and stores each as it ends, then prints the
 * leaderboard. One database connection: the trials' results reach it one
 * at a time through the sweep's callbacks. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lrsweep/blas.h"
#include "lrsweep/error.h"
#include "lrsweep/experiment.h"
#include "lrsweep/pick.h"
#include "lrsweep/plan.h"
#include "lrsweep/runner.h"
#include "lrsweep/sha256.h"
#include "lrsweep/store.h"
#include "lrsweep/trials.h"
#include "lrsweep/util.h"
#include "cli.h"
#include "progress.h"
#include "range.h"

#define CMD "run"

/* Placeholder bounds for checking the plan before the range test has
 * picked the real ones: far apart, so that no fixed rate a user writes
 * next to @min or @max breaks an ordering rule (base_lr < max_lr, ...). */
#define CHECK_MIN_LR 1e-12
#define CHECK_MAX_LR 1e6

typedef struct {
	const char *exp_path;
	const char *db;
	long threads;              /* --threads N; -1: trials.threads           */
	int resume, dry_run;
	double min_lr, max_lr;     /* --min-lr/--max-lr; NAN: not given         */
	const char *pick;          /* --pick RULE; NULL: range_test.pick        */
} run_args;

const cli_run_driver *cli_driver;

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: lrsweep run EXP.yaml [--db F] [--threads N] [--resume] [--dry-run]\n"
	        "                   [--min-lr X --max-lr Y] [--pick RULE]\n"
	        "\n"
	        "The whole pipeline: the range test (unless bounds are given by --min-lr/--max-lr\n"
	        "or range_test.bounds), the bounds of the rule named by range_test.pick, then\n"
	        "every trial of the trials: section - schedules x grids x space x seeds - on\n"
	        "every core, each stored in the database (default results/<name>.db) as it\n"
	        "ends, and the leaderboard at the end.\n"
	        "\n"
	        "  --db F         the database (default: the experiment's db:, else\n"
	        "                 results/<name>.db)\n"
	        "  --threads N    trials at once (default trials.threads; 0 = one per core);\n"
	        "                 results do not depend on it\n"
	        "  --resume       continue the latest experiment of this name in the database:\n"
	        "                 completed, pruned and diverged trials are kept, the rest\n"
	        "                 run; refused if the experiment file changed\n"
	        "  --dry-run      print the plan and stop: no training, nothing stored\n"
	        "  --min-lr X --max-lr Y   the bounds: skip the range test\n"
	        "  --pick RULE    the rule whose bounds feed the trials (default range_test.pick):\n"
	        "                 accuracy, loss-steepest, loss-valley, loss-min10; when it cannot\n"
	        "                 pick, the next of accuracy, loss-steepest, loss-min10, loss-valley\n"
	        "                 that can does, with a warning\n"
	        "\n"
	        "Ctrl-C (SIGINT, SIGTERM, SIGHUP) stops the run at any phase: finished trials\n"
	        "stay stored, running ones are stored as interrupted, a range test cut short\n"
	        "is not kept, the experiment is marked interrupted, and the exit status is\n"
	        "130; --resume goes on. Only one process at a time writes an experiment: a\n"
	        "--resume of one that another lrsweep is writing is refused (exit status 1).\n");
}

static int parse_args(int argc, char **argv, cli_globals *g, run_args *a, int *done)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val;
		char key[64];
		int rc;
		double v;

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage(stdout);
			*done = 1;
			return EXIT_OK;
		}
		if (cli_global_flag(arg, g))
			continue;
		if (!strcmp(arg, "--resume") || !strcmp(arg, "--dry-run")) {
			*(arg[2] == 'r' ? &a->resume : &a->dry_run) = 1;
			continue;
		}
		if (arg[0] != '-') {
			if (a->exp_path)
				return cli_usage_error(CMD, "unexpected argument '%s'", arg);
			a->exp_path = arg;
			continue;
		}
		if (arg[1] != '-')
			return cli_usage_error(CMD, "unknown option '%s' (see 'lrsweep run --help')", arg);
		if ((rc = cli_flag(CMD, argc, argv, &i, key, sizeof key, &val)) != 0)
			return rc;
		if (!strcmp(key, "db")) {
			a->db = val;
		} else if (!strcmp(key, "threads")) {
			if ((rc = cli_threads_arg(CMD, val, &a->threads)) != 0)
				return rc;
		} else if (!strcmp(key, "min-lr") || !strcmp(key, "max-lr")) {
			if (lrs_parse_double(val, &v) < 0 || !(v > 0) || !isfinite(v))
				return cli_usage_error(CMD, "--%s must be a rate > 0, got '%s'", key, val);
			*(key[1] == 'i' ? &a->min_lr : &a->max_lr) = v;
		} else if (!strcmp(key, "pick")) {
			lrs_pick_rule r;
			if (lrs_pick_rule_parse(&r, val) < 0)
				return cli_usage_error(CMD, "--pick: %s", lrs_error_last());
			a->pick = val;
		} else {
			return cli_usage_error(CMD, "unknown option '--%s' (see 'lrsweep run --help')", key);
		}
	}
	if (!a->exp_path)
		return cli_usage_error(CMD, "missing the experiment file (lrsweep run EXP.yaml)");
	if (isnan(a->min_lr) != isnan(a->max_lr))
		return cli_usage_error(CMD, "give both --min-lr and --max-lr, or neither");
	if (!isnan(a->min_lr) && !(a->min_lr < a->max_lr))
		return cli_usage_error(CMD, "--min-lr must be below --max-lr, got %g and %g", a->min_lr, a->max_lr);
	if (a->resume && a->dry_run)
		return cli_usage_error(CMD, "give either --resume or --dry-run, not both");
	return 0;
}

/* ------------------------------------------------------------ the plan */

static void print_plan(const lrs_plan *p, const lrs_experiment *e, double min_lr, double max_lr)
{
	printf("plan: %zu trial%s (%zu configuration%s x %zu seed%s), %ld epoch%s each, ", p->n,
	       p->n == 1 ? "" : "s", p->configs, p->configs == 1 ? "" : "s", e->trial.n_seeds,
	       e->trial.n_seeds == 1 ? "" : "s", e->trial.epochs, e->trial.epochs == 1 ? "" : "s");
	if (isnan(max_lr))
		printf("bounds from the range test (not run in a dry run): the keys below are provisional, they depend "
		       "on the bounds it will pick\n\n");
	else
		printf("bounds %.4g .. %.4g\n\n", min_lr, max_lr);
	printf("%5s  %-16s  %20s  %5s  %s\n", "trial", "key", "seed", "batch", "configuration");
	for (size_t i = 0; i < p->n; i++)
		printf("%5zu  %-16s  %20llu  %5ld  %s\n", i + 1, p->items[i].key,
		       (unsigned long long)p->items[i].seed, p->items[i].batch_size, p->items[i].label);
}

/* ------------------------------------------------------------ storing trials */

typedef struct {
	lrs_store *st;
	const lrs_plan *plan;
	int64_t *ids;               /* (plan n) trial ids in the database      */
	cli_progress bar;           /* epochs of the trials to run              */
	int lines;                  /* one line per finished trial (piped)     */
	size_t done, total;         /* trials finished / to run                 */
	size_t running;
	double sql_seconds;         /* spent in the store's calls               */
	size_t counts[LRS_TRIAL_INTERRUPTED + 1]; /* finished now, by status       */
	long epochs_run, epochs_planned;  /* of the trials run now             */
	double best;                /* best validation accuracy so far          */
} run_ctx;

/* The live view's text: trials done, running and left, the best so far. */
static void note(run_ctx *r)
{
	if (isfinite(r->best))
		cli_progress_note(&r->bar, "%zu/%zu done, %zu running, best %.4f", r->done, r->total, r->running, r->best);
	else
		cli_progress_note(&r->bar, "%zu/%zu done, %zu running", r->done, r->total, r->running);
}

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int trial_started(void *ctx, size_t i)
{
	run_ctx *r = ctx;
	double t0 = now_seconds();
	int err;

	r->running++;
	note(r);
	err = lrs_store_trial_start(r->st, r->ids[i], NULL);
	r->sql_seconds += now_seconds() - t0;
	return err < 0;
}

static void trial_epoch(void *ctx, size_t i, const lrs_epoch_stats *e)
{
	(void)i;
	(void)e;
	cli_progress_add(&((run_ctx *)ctx)->bar, 1);
}

static int trial_finished(void *ctx, size_t i, const lrs_trial_outcome *o)
{
	run_ctx *r = ctx;
	const lrs_trial_spec *t = &r->plan->items[i];
	lrs_trial_result tr;
	lrs_epoch_row *rows;
	int err;

	if (cli_trial_rows(&tr, &rows, o, t->sched) < 0)
		return 1;
	double t0 = now_seconds();
	err = lrs_store_trial_finish(r->st, r->ids[i], &tr, rows, o->n_epochs);
	r->sql_seconds += now_seconds() - t0;
	free(rows);
	if (err < 0)
		return 1;
	r->done++;
	r->running--;
	r->counts[tr.status]++;
	r->epochs_run += (long)o->n_epochs;
	r->epochs_planned += t->epochs;
	if (tr.status == LRS_TRIAL_COMPLETED && tr.best_val_accuracy > r->best)
		r->best = tr.best_val_accuracy;
	note(r);
	/* the bar counts epochs; a trial that stopped early gives back the rest */
	cli_progress_add(&r->bar, t->epochs - (long)o->n_epochs);
	if (r->lines) {
		fprintf(stderr, "lrsweep run: trial %zu/%zu done (%s): %s, seed %llu: ", r->done, r->total,
		        lrs_trial_status_name(tr.status), t->label, (unsigned long long)t->seed);
		if (tr.status == LRS_TRIAL_FAILED)
			fprintf(stderr, "%s\n", o->error ? o->error : "failed");
		else if (tr.status == LRS_TRIAL_DIVERGED)
			fprintf(stderr, "diverged at step %ld\n", tr.diverged_at);
		else if (tr.status == LRS_TRIAL_PRUNED)
			fprintf(stderr, "pruned after epoch %zu (val %.4f)\n", o->n_epochs,
			        o->n_epochs ? o->epochs[o->n_epochs - 1].val_accuracy : NAN);
		else {
			fprintf(stderr, "best val %.4f (epoch %ld), ", tr.best_val_accuracy, tr.best_epoch);
			if (!isnan(tr.test_accuracy))
				fprintf(stderr, "test %.4f, ", tr.test_accuracy);
			fprintf(stderr, "%.1f s\n", tr.wall_seconds);
		}
	}
	return 0;
}

/* ------------------------------------------------------------ the leaderboard */

typedef struct {
	const lrs_plan *plan;
	int rank;
} board_ctx;

/* "0.8712 ± 0.0021", "0.8712" alone (one seed), or "-" (no value);
 * padded to a column unless last. */
static void print_mean_sd(const char *mean, const char *sd, int last)
{
	char cell[40];

	if (!mean)
		snprintf(cell, sizeof cell, "-");
	else if (!sd)
		snprintf(cell, sizeof cell, "%.4f", atof(mean));
	else
		snprintf(cell, sizeof cell, "%.4f ± %.4f", atof(mean), atof(sd));
	printf(last ? "%s" : "%-18s", cell);   /* ± is two bytes */
}

/* One row of schedule_summary: the plan's label for it, and the numbers. */
static int board_row(void *ctx, int ncols, const char *const *names, const char *const *v,
                     const lrs_value_type *types)
{
	board_ctx *b = ctx;
	const char *label = NULL;
	(void)names;
	(void)types;

	if (!v) {
		printf("%4s  %-48s  %3s  %-17s  %s\n", "rank", "configuration", "n", "best val acc", "test acc");
		return 0;
	}
	if (ncols < 8)
		return 0;
	for (size_t i = 0; i < b->plan->n && !label; i++)
		if (!strcmp(b->plan->items[i].type, v[0]) && !strcmp(b->plan->items[i].params, v[1]) &&
		    !strcmp(b->plan->items[i].hyper, v[2]))
			label = b->plan->items[i].label;
	printf("%4d  %-48s  %3s  ", ++b->rank, label ? label : v[0], v[3]);
	print_mean_sd(v[4], v[5], 0);
	printf("  ");
	print_mean_sd(v[6], v[7], 1);
	printf("\n");
	return 0;
}

static int leaderboard(lrs_store *st, int64_t exp_id, const lrs_plan *plan)
{
	char sql[512];
	board_ctx b = { plan, 0 };

	snprintf(sql, sizeof sql,
	         "SELECT schedule, params, hyper, n, mean_best_val_accuracy, std_best_val_accuracy, "
	         "mean_test_accuracy, std_test_accuracy FROM schedule_summary WHERE experiment_id = %lld "
	         "ORDER BY mean_best_val_accuracy DESC, schedule", (long long)exp_id);
	printf("\nleaderboard (mean ± sd over seeds of completed trials; ranked by validation accuracy)\n\n");
	return lrs_store_query(st, sql, board_row, &b);
}

/* ------------------------------------------------------------ resuming */

typedef struct {
	char *text;
} text_ctx;

static int first_text(void *ctx, int ncols, const char *const *names, const char *const *v,
                      const lrs_value_type *types)
{
	text_ctx *t = ctx;
	(void)names;
	(void)types;
	if (v && ncols > 0 && v[0] && !t->text)
		t->text = strdup(v[0]);
	return 0;
}

/* "line N was '...', is now '...'" for the first line that differs,
 * showing at most 60 characters of each from a little before the first
 * character that differs. */
static void first_change(char *out, size_t cap, const char *old, const char *now)
{
	int line = 1;

	while (*old && *now) {
		size_t lo = strcspn(old, "\n"), ln = strcspn(now, "\n"), c = 0;
		if (lo != ln || strncmp(old, now, lo)) {
			while (c < lo && c < ln && old[c] == now[c])
				c++;
			c = c > 20 ? c - 20 : 0;
			snprintf(out, cap, "line %d was '%s%.*s', is now '%s%.*s'", line, c ? "..." : "",
			         (int)(lo - c > 60 ? 60 : lo - c), old + c, c ? "..." : "", (int)(ln - c > 60 ? 60 : ln - c),
			         now + c);
			return;
		}
		old += lo + (old[lo] == '\n');
		now += ln + (now[ln] == '\n');
		line++;
	}
	snprintf(out, cap, "the file %s at line %d", *old ? "ends earlier" : "goes on", line);
}

/* The experiment to resume: the latest of that name, if its config is the
 * same. *exp_id = 0 when there is none (start one). */
static int find_resumable(lrs_store *st, const lrs_experiment *e, const char *db, int64_t *exp_id)
{
	lrs_experiment_record rec;
	char sha[LRS_SHA256_HEX_SIZE], sql[128], change[256];
	text_ctx old = { NULL };
	int err;

	*exp_id = 0;
	if ((err = lrs_store_experiment_latest(&rec, st, e->name)) == LRS_ENOTFOUND)
		return 0;
	if (err < 0)
		return err;
	lrs_sha256_hex(sha, e->text, strlen(e->text));
	if (strcmp(sha, rec.config_sha256)) {
		snprintf(sql, sizeof sql, "SELECT config FROM experiments WHERE id = %lld", (long long)rec.id);
		lrs_store_query(st, sql, first_text, &old);
		first_change(change, sizeof change, old.text ? old.text : "", e->text);
		free(old.text);
		return lrs_error_set(LRS_EINVALID, "%s: cannot resume experiment '%s' (id %lld in %s): the experiment "
		                     "file changed since (%s); run without --resume to start a new experiment",
		                     e->path, e->name, (long long)rec.id, db, change);
	}
	*exp_id = rec.id;
	return 0;
}

typedef struct {
	double min_lr, max_lr;
	int found;
} bounds_ctx;

static int chosen_bounds(void *ctx, int ncols, const char *const *names, const char *const *v,
                         const lrs_value_type *types)
{
	bounds_ctx *b = ctx;
	(void)names;
	(void)types;
	if (v && ncols >= 2 && v[0] && v[1]) {
		b->min_lr = atof(v[0]);
		b->max_lr = atof(v[1]);
		b->found = 1;
	}
	return 0;
}

/* ------------------------------------------------------------ the pipeline */

/* The bounds: given, stored by the run being resumed, or from a range test
 * run and stored now. */
static int get_bounds(const run_args *a, const cli_globals *g, const lrs_experiment *e, const lrs_dataset *ds,
                      lrs_store *st, int64_t exp_id, int resumed, int threads, double *min_lr, double *max_lr)
{
	bounds_ctx b = { NAN, NAN, 0 };
	char sql[160];
	int err;

	if (!isnan(a->min_lr) || e->range.has_bounds) {
		*min_lr = isnan(a->min_lr) ? e->range.min_lr : a->min_lr;
		*max_lr = isnan(a->max_lr) ? e->range.max_lr : a->max_lr;
		return 0;
	}
	if (resumed) {
		snprintf(sql, sizeof sql, "SELECT min_lr, max_lr FROM bounds WHERE experiment_id = %lld AND chosen = 1",
		         (long long)exp_id);
		if ((err = lrs_store_query(st, sql, chosen_bounds, &b)) < 0)
			return err;
		if (b.found) {
			*min_lr = b.min_lr;
			*max_lr = b.max_lr;
			if (!g->quiet)
				fprintf(stderr, "lrsweep %s: bounds of the resumed run: %.4g .. %.4g\n", CMD, *min_lr, *max_lr);
			return 0;
		}
	}
	if (resumed && (err = lrs_store_range_tests_clear(st, exp_id)) < 0)   /* a test cut short */
		return err;
	long spe = lrs_train_steps_per_epoch(ds, e->batch_size), repeats = e->range.repeats;
	lrs_range_config rc = e->range.ramp;
	lrs_range_outcome o;
	cli_range_choice ch = { LRS_PICK_ACCURACY, -1 };
	lrs_train_config base = { e->model, e->optim, e->batch_size, 1, 0, e->seed, NULL, 0, 1 };

	if (rc.iterations == 0)
		rc.iterations = (long)llround(e->range.epochs * (double)spe);
	if (cli_driver && cli_driver->run_repeats)   /* lrsweep-mpi: on the ranks */
		rc.run_repeats = cli_driver->run_repeats;
	rc.stop = &cli_stop;
	lrs_pick_rule_parse(&ch.preferred, a->pick ? a->pick : e->range.pick);
	if ((err = lrs_range_check(&rc)) < 0)
		return err;
	if ((err = cli_range_run(&o, &ch, g, ds, &base, &rc, e->range.auto_range, repeats, threads)) < 0)
		return err;
	if (cli_stop) {   /* cut short: not kept, --resume runs it again */
		lrs_range_outcome_free(&o);
		return lrs_error_set(LRS_EINTERRUPT, "interrupted during the range test");
	}
	cli_range_summary(&o, &rc, &ch, spe);
	err = cli_range_store(st, exp_id, &o, &rc, &ch);
	if (err == 0 && ch.chosen < 0)
		err = cli_range_no_bounds(&o, &ch, &rc);
	*min_lr = ch.chosen >= 0 ? o.picks[ch.chosen].min_lr : NAN;
	*max_lr = ch.chosen >= 0 ? o.picks[ch.chosen].max_lr : NAN;
	lrs_range_outcome_free(&o);
	return err;
}

/* Adds the plan's trials the database lacks and lists those to run: all
 * but the completed, pruned and diverged ones. */
static int register_trials(lrs_store *st, int64_t exp_id, const lrs_plan *p, int64_t *ids, size_t *which,
                           size_t *n_run, size_t *kept)
{
	lrs_trial_list have;
	lrs_trial_plan *add = calloc(p->n + 1, sizeof *add);
	int64_t *new_ids = calloc(p->n + 1, sizeof *new_ids);
	size_t *add_at = calloc(p->n + 1, sizeof *add_at), n_add = 0;
	lrs_trial_status *status = calloc(p->n + 1, sizeof *status);
	int err;

	*n_run = *kept = 0;
	if (!add || !new_ids || !add_at || !status) {
		err = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto out;
	}
	if ((err = lrs_store_trial_list(&have, st, exp_id)) < 0)
		goto out;
	for (size_t i = 0; i < p->n; i++) {
		size_t k;
		for (k = 0; k < have.n && strcmp(have.items[k].trial_key, p->items[i].key); k++)
			;
		if (k < have.n) {
			ids[i] = have.items[k].id;
			status[i] = have.items[k].status;
			continue;
		}
		add[n_add] = (lrs_trial_plan){ p->items[i].key, p->items[i].type, p->items[i].params,
		                               p->items[i].hyper, p->items[i].seed };
		add_at[n_add++] = i;
		status[i] = LRS_TRIAL_PENDING;
	}
	lrs_trial_list_free(&have);
	if (n_add && (err = lrs_store_trials_add(new_ids, st, exp_id, add, n_add)) < 0)
		goto out;
	for (size_t k = 0; k < n_add; k++)
		ids[add_at[k]] = new_ids[k];
	for (size_t i = 0; i < p->n; i++) {
		if (status[i] == LRS_TRIAL_COMPLETED || status[i] == LRS_TRIAL_PRUNED || status[i] == LRS_TRIAL_DIVERGED)
			(*kept)++;
		else
			which[(*n_run)++] = i;
	}
out:
	free(add);
	free(new_ids);
	free(add_at);
	free(status);
	return err;
}

/* The validation curves of the trials kept from an earlier run, for the
 * pruning rule to judge against. */
typedef struct {
	const lrs_plan *plan;
	const int64_t *ids;
	const char *keep;         /* (plan n) 1 for a kept trial              */
	long *epochs;             /* (plan n)                                 */
	double **val;             /* (plan n) each (plan epochs)              */
} prior_ctx;

static int prior_row(void *ctx, int ncols, const char *const *names, const char *const *v,
                     const lrs_value_type *types)
{
	prior_ctx *p = ctx;
	int64_t id;
	long epoch;
	(void)names;
	(void)types;

	if (!v || ncols < 3 || !v[0] || !v[1])
		return 0;
	id = strtoll(v[0], NULL, 10);
	epoch = strtol(v[1], NULL, 10);
	for (size_t i = 0; i < p->plan->n; i++) {
		if (p->ids[i] != id || !p->keep[i] || epoch < 1 || epoch > p->plan->items[i].epochs)
			continue;
		if (!p->val[i] && !(p->val[i] = calloc((size_t)p->plan->items[i].epochs, sizeof **p->val)))
			return lrs_error_set(LRS_ENOMEM, "out of memory"), 1;
		p->val[i][epoch - 1] = v[2] ? atof(v[2]) : NAN;
		if (epoch > p->epochs[i])
			p->epochs[i] = epoch;
	}
	return 0;
}

/* Loads the curves of the plan's trials not in which[0..n): those kept. */
static int load_prior(lrs_store *st, int64_t exp_id, const lrs_plan *plan, const int64_t *ids,
                      const size_t *which, size_t n, prior_ctx *p)
{
	char sql[256], *keep = calloc(plan->n + 1, 1);

	p->plan = plan;
	p->ids = ids;
	p->keep = keep;
	p->epochs = calloc(plan->n + 1, sizeof *p->epochs);
	p->val = calloc(plan->n + 1, sizeof *p->val);
	if (!keep || !p->epochs || !p->val)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	memset(keep, 1, plan->n);
	for (size_t k = 0; k < n; k++)
		keep[which[k]] = 0;
	if (n == plan->n)
		return 0;
	snprintf(sql, sizeof sql, "SELECT e.trial_id, e.epoch, e.val_accuracy FROM epochs e JOIN trials t"
	         " ON t.id = e.trial_id WHERE t.experiment_id = %lld", (long long)exp_id);
	return lrs_store_query(st, sql, prior_row, p);
}

static void prior_free(prior_ctx *p, size_t n)
{
	for (size_t i = 0; p->val && i < n; i++)
		free(p->val[i]);
	free(p->val);
	free(p->epochs);
	free((char *)p->keep);
}

/* Before anything is stored or trained: the runs that go at once - the
 * range test's repeats, then the trials, as many as there are threads -
 * must fit in memory together, else LRS_ENOMEM saying how much they need.
 * Under lrsweep-mpi the trials train on the ranks, one at a time each. */
static int check_memory(const lrs_experiment *e, const lrs_dataset *ds, const lrs_plan *plan, int range_test,
                        int threads)
{
	long at_once = cli_driver ? 1 : lrs_runner_threads(threads);
	const lrs_trial_spec *largest = NULL;
	double most = -1;
	int err;

	if (range_test) {
		lrs_train_config base = { e->model, e->optim, e->batch_size, 1, 0, e->seed, NULL, 0, 1 };
		long repeats = e->range.repeats < at_once ? e->range.repeats : at_once;

		if ((err = lrs_train_check_memory(ds, &base, repeats)) < 0)
			return lrs_error_set(err, "range test: %s", lrs_error_last());
	}
	for (size_t i = 0; i < plan->n; i++) {
		lrs_train_config c = { plan->items[i].model, plan->items[i].optim, plan->items[i].batch_size, 1, 0, 0,
		                       NULL, 0, 1 };
		double b = lrs_train_bytes(ds, &c);

		if (b > most) {
			most = b;
			largest = &plan->items[i];
		}
	}
	if (largest) {
		lrs_train_config c = { largest->model, largest->optim, largest->batch_size, 1, 0, 0, NULL, 0, 1 };
		long runs = (long)plan->n < at_once ? (long)plan->n : at_once;

		if ((err = lrs_train_check_memory(ds, &c, runs)) < 0)
			return lrs_error_set(err, "trials: %s", lrs_error_last());
	}
	return 0;
}

/* Runs the sweep, stopped by cli_stop; returns the sweep's error. */
static int sweep(const lrs_plan *plan, const size_t *which, size_t n, const lrs_dataset *ds, int threads,
                 const lrs_prune_config *prune, const lrs_trials_prior *prior, run_ctx *r, double min_lr,
                 double max_lr)
{
	lrs_trials_hooks hooks = { r, trial_started, trial_epoch, trial_finished, &cli_stop };

	if (cli_driver)
		return cli_driver->sweep(plan, which, n, ds, threads, &hooks, min_lr, max_lr);
	return lrs_trials_run(plan, which, n, ds, threads, prune, prior, &hooks);
}

int cmd_run(int argc, char **argv, cli_globals *g)
{
	run_args a = { NULL, NULL, -1, 0, 0, NAN, NAN, NULL };
	lrs_experiment *e = NULL;
	lrs_dataset *ds = NULL;
	lrs_store *st = NULL;
	lrs_plan plan = { 0 };
	run_ctx r;
	prior_ctx prior = { NULL, NULL, NULL, NULL, NULL };
	int64_t exp_id = 0, *ids = NULL;
	size_t *which = NULL, n_run = 0, kept = 0;
	double min_lr = NAN, max_lr = NAN;
	char dbbuf[512];
	int done = 0, status, err = 0, resumed = 0, swept = 0;

	memset(&r, 0, sizeof r);
	status = parse_args(argc, argv, g, &a, &done);
	if (status || done)
		return status;
	cli_signals_start(CMD);   /* until the store opens, a signal exits at once */
	if ((status = cli_load(CMD, a.exp_path, &e, &ds)) != 0)
		return status;
	int threads = (int)(a.threads >= 0 ? a.threads : e->trial.threads);
	lrs_blas_set_threads(1);   /* each trial is single-threaded */
	if (!isnan(a.min_lr) || e->range.has_bounds) {
		min_lr = isnan(a.min_lr) ? e->range.min_lr : a.min_lr;
		max_lr = isnan(a.max_lr) ? e->range.max_lr : a.max_lr;
	}
	/* the plan is checked before anything runs, with stand-in bounds when
	 * the range test has yet to pick them (and built again once it has) */
	int planned = !isnan(max_lr);
	if ((err = lrs_plan_build(&plan, e, ds, isnan(max_lr) ? CHECK_MIN_LR : min_lr,
	                          isnan(max_lr) ? CHECK_MAX_LR : max_lr)) < 0) {
		status = cli_fail(CMD, err);
		goto out;
	}
	if (e->trial.prune != LRS_PRUNE_NONE && cli_driver && !cli_driver->supports_pruning) {
		status = cli_fail(CMD, lrs_error_set(LRS_EINVALID, "%s: trials.pruning is not available in %s runs yet; "
		                                     "run it with lrsweep run, or set pruning: {type: none}",
		                                     e->path, cli_driver->name));
		goto out;
	}
	if (e->trial.prune != LRS_PRUNE_NONE && ds->val.n == 0) {
		status = cli_fail(CMD, lrs_error_set(LRS_EINVALID, "%s: pruning judges trials by validation accuracy: "
		                                     "it needs data.validation > 0", e->path));
		goto out;
	}
	if (a.dry_run) {
		print_plan(&plan, e, min_lr, max_lr);
		goto out;
	}
	if ((err = check_memory(e, ds, &plan, isnan(max_lr), threads)) < 0) {
		status = cli_fail(CMD, err);
		goto out;
	}
	if (!g->quiet)
		cli_data_summary(CMD, e, ds);
	const char *path = cli_db_path(a.db, e, dbbuf, sizeof dbbuf);
	cli_signals_stoppable();   /* from here on, a signal stops at a safe point */
	if ((err = lrs_store_open(&st, path, LRS_STORE_CREATE)) < 0)
		goto fail;
	if (a.resume && (err = find_resumable(st, e, path, &exp_id)) < 0)
		goto fail;
	resumed = exp_id != 0;
	if (resumed && (err = lrs_store_experiment_claim(st, exp_id)) < 0) {
		/* another process is writing it: refused, nothing written */
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", lrs_error_last());
		err = lrs_error_set(err, "cannot resume: %s; wait for it to end (or stop it), then resume", msg);
		goto fail;
	}
	if (cli_stop && !resumed) {   /* while the store opened: still nothing stored */
		fprintf(stderr, "lrsweep %s: interrupted before anything was stored\n", CMD);
		status = EXIT_INTERRUPTED;
		goto out;
	}
	if (!resumed) {
		lrs_experiment_info info = cli_experiment_info(e, ds, "run");
		if ((err = lrs_store_experiment_begin(&exp_id, st, &info)) < 0)
			goto fail;
	}
	if (!g->quiet)
		fprintf(stderr, "lrsweep %s: %s experiment %lld in %s\n", CMD, resumed ? "resuming" : "started",
		        (long long)exp_id, path);
	if (cli_stop)
		goto interrupted;
	if ((err = get_bounds(&a, g, e, ds, st, exp_id, resumed, threads, &min_lr, &max_lr)) == LRS_EINTERRUPT)
		goto interrupted;
	if (err < 0)
		goto fail_stored;
	if (cli_stop)   /* the bounds are stored: --resume starts from them */
		goto interrupted;
	if (!planned) {   /* the stand-in bounds' plan, now with the picked ones */
		lrs_plan_free(&plan);
		if ((err = lrs_plan_build(&plan, e, ds, min_lr, max_lr)) < 0)
			goto fail_stored;
	}
	ids = calloc(plan.n + 1, sizeof *ids);
	which = calloc(plan.n + 1, sizeof *which);
	if (!ids || !which) {
		err = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto fail_stored;
	}
	if ((err = register_trials(st, exp_id, &plan, ids, which, &n_run, &kept)) < 0)
		goto fail_stored;
	if (cli_stop)
		goto interrupted;
	if (!g->quiet)
		fprintf(stderr, "lrsweep %s: %zu trials (%zu configuration%s x %zu seed%s), bounds %.4g .. %.4g; "
		        "%zu to run on %d thread%s%s\n", CMD, plan.n, plan.configs, plan.configs == 1 ? "" : "s",
		        e->trial.n_seeds, e->trial.n_seeds == 1 ? "" : "s", min_lr, max_lr,
		        n_run, lrs_runner_threads(threads), lrs_runner_threads(threads) > 1 ? "s" : "",
		        kept ? ", the others kept from before" : "");
	r.st = st;
	r.plan = &plan;
	r.ids = ids;
	r.total = n_run;
	r.best = -INFINITY;
	long epochs_total = 0;
	for (size_t k = 0; k < n_run; k++)
		epochs_total += plan.items[which[k]].epochs;
	cli_progress_start(&r.bar, "trials", epochs_total, !g->quiet);
	r.lines = !g->quiet && !r.bar.on;
	lrs_prune_config prune = { e->trial.prune, e->trial.grace_epochs, e->trial.reduction_factor };
	if ((err = load_prior(st, exp_id, &plan, ids, which, n_run, &prior)) < 0)
		goto fail_stored;
	lrs_trials_prior pr = { prior.epochs, (const double *const *)prior.val };
	double t_sweep = now_seconds();
	swept = 1;
	err = sweep(&plan, which, n_run, ds, threads, &prune, &pr, &r, min_lr, max_lr);
	t_sweep = now_seconds() - t_sweep;
	cli_progress_end(&r.bar);
	if (g->verbose)
		fprintf(stderr, "lrsweep %s: trials took %.3f s; %.4f s of it in SQLite (%.2f%%)\n", CMD, t_sweep,
		        r.sql_seconds, t_sweep > 0 ? 100 * r.sql_seconds / t_sweep : 0.0);
	if (err < 0)
		goto fail_stored;
	if (cli_stop)
		goto interrupted;
	if ((err = lrs_store_experiment_finish(st, exp_id, LRS_EXP_COMPLETED)) < 0 ||
	    (err = leaderboard(st, exp_id, &plan)) < 0)
		goto fail;
	printf("\n%zu trials run: %zu completed, %zu pruned, %zu diverged, %zu failed", r.done,
	       r.counts[LRS_TRIAL_COMPLETED], r.counts[LRS_TRIAL_PRUNED], r.counts[LRS_TRIAL_DIVERGED],
	       r.counts[LRS_TRIAL_FAILED]);
	if (kept)
		printf("; %zu kept from before", kept);
	printf("; stored in %s (experiment %lld)\n", path, (long long)exp_id);
	if (r.counts[LRS_TRIAL_PRUNED])
		printf("pruning saved %ld of %ld epochs (%.0f%%)\n", r.epochs_planned - r.epochs_run, r.epochs_planned,
		       100.0 * (double)(r.epochs_planned - r.epochs_run) / (double)r.epochs_planned);
	goto out;
interrupted:
	if ((err = lrs_store_experiment_finish(st, exp_id, LRS_EXP_INTERRUPTED)) < 0)
		goto fail;
	if (swept)
		fprintf(stderr, "lrsweep %s: interrupted: %zu trials finished and stored, the running ones stored as "
		        "interrupted; 'lrsweep run --resume %s' goes on\n", CMD, r.done - r.counts[LRS_TRIAL_INTERRUPTED],
		        a.exp_path);
	else
		fprintf(stderr, "lrsweep %s: interrupted before the trials started (experiment %lld stored as "
		        "interrupted); 'lrsweep run --resume %s' goes on\n", CMD, (long long)exp_id, a.exp_path);
	status = EXIT_INTERRUPTED;
	goto out;
fail_stored:
	if (st && exp_id) {   /* keep the error's message over the finish's */
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", lrs_error_last());
		lrs_store_experiment_finish(st, exp_id, LRS_EXP_FAILED);
		lrs_error_set(err, "%s", msg);
	}
fail:
	status = cli_fail(CMD, err);
out:
	prior_free(&prior, plan.n);
	free(ids);
	free(which);
	lrs_plan_free(&plan);
	lrs_store_free(st);
	lrs_dataset_free(ds);
	lrs_experiment_free(e);
	return status;
}
