/* pipeline.c - `lrsweep run` as library calls: prepare (the plan checked
 * with stand-in bounds, its range-test groups, pruning, memory), then run
 * (the experiment begun or resumed, each group's range test and bounds,
 * the plan with them, the trials registered, run and stored, the
 * experiment finished). One database connection: the trials' results
 * reach it one at a time through the sweep's hooks. */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lrsweep/error.h"
#include "lrsweep/external.h"
#include "lrsweep/pipeline.h"
#include "lrsweep/runner.h"
#include "lrsweep/search.h"
#include "lrsweep/sha256.h"

/* Placeholder bounds for checking the plan before the range test has
 * picked the real ones: far apart, so that no fixed rate a user writes
 * next to @min or @max breaks an ordering rule (base_lr < max_lr, ...). */
#define CHECK_MIN_LR 1e-12
#define CHECK_MAX_LR 1e6

/* warn_cycled_momentum's threshold: SGD's steps at a cycling schedule's
 * peak rate against the range test's, more than this ratio either way */
#define LRS_PIPELINE_MOMENTUM_RATIO 2.0

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void say(const lrs_pipeline *p, int warning, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A line for the caller's note or warn event. */
static void say(const lrs_pipeline *p, int warning, const char *fmt, ...)
{
	const lrs_pipeline_events *ev = p->opt.events;
	void (*fn)(void *, const char *) = !ev ? NULL : warning ? ev->warn : ev->note;
	char text[2048];
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	fn(ev->ctx, text);
}

static void leftover_warning(void *ctx, long pid, const char *command)
{
	say(ctx, 1, "pid %ld (%s) was left running by the trainer's program outside its process group: "
	            "ended (SIGTERM, then SIGKILL after trainer.grace)", pid, command);
}

/* An external trainer's leftovers (external.h), once no program runs. */
static void end_leftovers(const lrs_pipeline *p)
{
	if (p->engine)
		lrs_external_end_leftovers(p->engine, leftover_warning, (void *)p);
}

static int stopped(const lrs_pipeline *p)
{
	return p->opt.stop && *p->opt.stop;
}

/* ------------------------------------------------------------ prepare */

static int given_bounds(const lrs_pipeline *p, double *min_lr, double *max_lr)
{
	const lrs_experiment *e = p->e;

	if (isnan(p->opt.min_lr) && !e->range.has_bounds)
		return 0;
	*min_lr = isnan(p->opt.min_lr) ? e->range.min_lr : p->opt.min_lr;
	*max_lr = isnan(p->opt.max_lr) ? e->range.max_lr : p->opt.max_lr;
	return 1;
}

/* The groups of the stand-in plan by the grouping keys that vary, each
 * with the settings of its range test; a warning when keys that set the
 * rate's scale vary but range_test.per leaves them out. */
static int make_groups(lrs_pipeline *p)
{
	const lrs_experiment *e = p->e;
	lrs_plan_group *g;
	size_t n;
	int err;

	p->fields = lrs_plan_varying(&p->plan, e->range.per);
	unsigned left_out = lrs_plan_varying(&p->plan, LRS_GROUP_DEFAULT & ~e->range.per);
	if (left_out) {
		char names[256];
		lrs_plan_group_names(names, sizeof names, left_out);
		int one = !(left_out & (left_out - 1));
		say(p, 1, "%s: %s %s between trials but range_test.per leaves %s out: trials that differ in %s share "
		    "one range test's bounds, though their good rates may differ", e->path, names,
		    one ? "varies" : "vary", one ? "it" : "them", one ? "it" : "them");
	}
	if ((err = lrs_plan_groups(&g, &n, &p->plan, p->fields)) < 0)
		return err;
	if (!(p->groups = calloc(n + 1, sizeof *p->groups))) {
		lrs_plan_groups_free(g, n);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	for (size_t k = 0; k < n; k++) {
		lrs_pipeline_group *pg = &p->groups[k];
		lrs_model_config m;
		lrs_optim_config o;
		long batch;
		lrs_range_config rc;

		lrs_plan_group_hyper(e, &p->plan.items[g[k].first], p->fields, &m, &o, &batch);
		lrs_pipeline_range_settings(&rc, &pg->base, e, p->ds, &m.net, &o, batch);
		if ((err = lrs_pipeline_range_length(e, &rc, p->ds, batch)) < 0) {
			p->n_groups = k;
			lrs_plan_groups_free(g, n);
			return err;
		}
		pg->key = g[k].key;
		g[k].key = NULL;
		pg->first = g[k].first;
		pg->trials = g[k].trials;
		pg->min_lr = pg->max_lr = NAN;
		pg->rule = -1;
		pg->base.engine = p->engine;
		snprintf(pg->run_key, sizeof pg->run_key, "range-%zu", k + 1);
		const char *xp = p->plan.items[pg->first].xparams;
		if (xp && !(pg->params = strdup(xp))) {
			p->n_groups = k + 1;
			lrs_plan_groups_free(g, n);
			return lrs_error_set(LRS_ENOMEM, "out of memory");
		}
		pg->base.params = pg->params;
	}
	p->n_groups = n;
	lrs_plan_groups_free(g, n);
	return 0;
}

/* One group with the given bounds. */
static int one_given_group(lrs_pipeline *p, double min_lr, double max_lr)
{
	if (!(p->groups = calloc(1, sizeof *p->groups)) || !(p->groups[0].key = strdup(""))) {
		free(p->groups);
		p->groups = NULL;
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	p->n_groups = 1;
	p->groups[0].trials = p->plan.n;
	p->groups[0].min_lr = min_lr;
	p->groups[0].max_lr = max_lr;
	p->groups[0].rule = -1;
	return 0;
}

/* Before anything is stored or trained: the runs that go at once - the
 * range test's repeats, then the trials, as many as there are threads -
 * must fit in memory together, else LRS_ENOMEM saying how much they need. */
int lrs_pipeline_check_memory(const lrs_pipeline *p)
{
	const lrs_executor *x = p->opt.executor;
	long at_once = x ? x->runs_at_once : lrs_runner_threads(p->opt.threads);
	const lrs_trial_spec *largest = NULL;
	double most = -1;
	int err;

	for (size_t k = 0; !p->planned && k < p->n_groups; k++) {
		long repeats = p->e->range.repeats < at_once ? p->e->range.repeats : at_once;
		if ((err = lrs_train_check_memory(p->ds, &p->groups[k].base, repeats)) < 0)
			return lrs_error_set(err, "range test: %s", lrs_error_last());
	}
	for (size_t i = 0; i < p->plan.n; i++) {
		const lrs_trial_spec *t = &p->plan.items[i];
		lrs_train_config c = { .model = t->model.net, .optim = t->optim, .batch_size = t->batch_size, .epochs = 1,
		                       .eval_each_epoch = 1, .engine = p->engine };
		double b = lrs_train_bytes(p->ds, &c);

		if (b > most) {
			most = b;
			largest = t;
		}
	}
	if (largest) {
		lrs_train_config c = { .model = largest->model.net, .optim = largest->optim,
		                       .batch_size = largest->batch_size, .epochs = 1, .eval_each_epoch = 1,
		                       .engine = p->engine };
		long runs = (long)p->plan.n < at_once ? (long)p->plan.n : at_once;

		if ((err = lrs_train_check_memory(p->ds, &c, runs)) < 0)
			return lrs_error_set(err, "trials: %s", lrs_error_last());
	}
	return 0;
}

/* An external trainer's steps per epoch at batch size c->batch_size, from
 * one launch of its program (hello only), into ds. */
static int probe(lrs_pipeline *p, lrs_dataset *ds, const lrs_train_config *c)
{
	long spe;
	int err;

	if (lrs_dataset_steps(ds, c->batch_size) > 0)
		return 0;
	if ((err = lrs_external_probe(&spe, p->engine, c)) < 0 || (err = lrs_dataset_set_steps(ds, c->batch_size, spe)) < 0)
		return lrs_error_set(err, "%s: %s", p->e->path, lrs_error_last());
	return 0;
}

/* An external trainer: the engine; the plan with stand-in steps per epoch;
 * the program's steps at each batch size of it (launched with the first
 * trial of that size); the plan again with them. */
static int plan_for_trainer(lrs_pipeline *p, lrs_dataset *ds, double min_lr, double max_lr)
{
	const lrs_experiment *e = p->e;
	int err;

	if ((err = lrs_external_new(&p->engine, &e->trainer, p->opt.log_dir ? p->opt.log_dir : "lrsweep-logs",
	                            e->params)) < 0)
		return err;
	if ((err = lrs_plan_build(&p->plan, e, ds, min_lr, max_lr)) < 0)
		return err;
	for (size_t i = 0; i < p->plan.n; i++) {
		const lrs_trial_spec *t = &p->plan.items[i];
		lrs_train_config c = { .optim = t->optim, .batch_size = t->batch_size, .seed = t->seed,
		                       .params = t->xparams, .stop = p->opt.stop };
		if ((err = probe(p, ds, &c)) < 0)
			return err;
	}
	lrs_plan_free(&p->plan);
	if ((err = lrs_plan_build(&p->plan, e, ds, min_lr, max_lr)) < 0)
		return err;
	p->plan.engine = p->engine;
	return 0;
}

/* A warning when trials of the plan are refused (plan.h): they will be
 * stored as failed, the sweep going on. */
static void warn_refused(const lrs_pipeline *p)
{
	const lrs_plan *plan = &p->plan;
	size_t n = 0, first = 0;

	for (size_t i = 0; i < plan->n; i++)
		if (plan->items[i].error && !n++)
			first = i;
	if (n == 0)
		return;
	if (p->e->trial.tpe)
		say(p, 1, "strategy tpe: the stand-in trial %s, its searched values at their middle, cannot be built; "
		    "proposals like it will be stored as failed trials and the search goes on: %s",
		    plan->items[first].label, plan->items[first].error);
	else
		say(p, 1, "%zu of the plan's %zu trials cannot be built, their schedules refusing the values drawn: they "
		    "will be stored as failed and the others run; the first, %s: %s", n, plan->n,
		    plan->items[first].label, plan->items[first].error);
}

/* The lowest and highest momentum a cycling schedule reaches over a
 * trial's steps (the lowest where its rate peaks: one_cycle's and
 * cyclic's base_momentum, when the trial gets there). */
static void momentum_span(double *lo, double *hi, const lrs_trial_spec *t, const lrs_dataset *ds)
{
	long steps = lrs_train_steps_per_epoch(ds, t->batch_size) * t->epochs;
	long limit = lrs_sched_step_limit(t->sched);

	*lo = INFINITY;
	*hi = -INFINITY;
	if (limit > 0 && steps > limit)
		steps = limit;
	for (long s = 0; s < steps; s++) {
		double m = lrs_sched_momentum(t->sched, s);
		*lo = fmin(*lo, m);
		*hi = fmax(*hi, m);
	}
}

/* SGD's steady step at rate lr is lr / (1 - momentum). A schedule that
 * cycles momentum (one_cycle, cyclic; on by default, as in PyTorch)
 * replaces the momentum its trial's range test ran with (its group's
 * optimizer): a warning when where the schedule's rate peaks the steps
 * differ from the test's by more than LRS_PIPELINE_MOMENTUM_RATIO x either
 * way (momentum 0.99 against one_cycle's 0.85: 15x smaller; plain SGD:
 * 6.7x larger), quoting the configuration farthest off. Each
 * configuration is looked at once (its seeds share the schedule). */
static void warn_cycled_momentum(const lrs_pipeline *p)
{
	const lrs_plan *plan = &p->plan;
	const lrs_pipeline_events *ev = p->opt.events;
	size_t n = 0, worst = 0;
	double w_lo = NAN, w_hi = NAN, w_m = NAN, w_far = 0;
	unsigned char *seen;

	if (!ev || !ev->warn || !(seen = calloc(plan->configs ? plan->configs : 1, 1)))
		return;
	for (size_t i = 0; i < plan->n; i++) {
		const lrs_trial_spec *t = &plan->items[i];
		lrs_model_config m;
		lrs_optim_config o;
		long batch;
		double lo, hi;

		if (!t->sched || t->config >= plan->configs || seen[t->config]++ ||
		    t->optim.type != LRS_OPTIM_SGD || !lrs_sched_cycles_momentum(t->sched))
			continue;
		lrs_plan_group_hyper(p->e, t, p->fields, &m, &o, &batch);
		momentum_span(&lo, &hi, t, p->ds);
		double far = fabs(log((1 - o.momentum) / (1 - lo)));
		if (o.type != LRS_OPTIM_SGD || !(far > log(LRS_PIPELINE_MOMENTUM_RATIO)))
			continue;
		if (!n++ || far > w_far) {
			worst = i;
			w_lo = lo;
			w_hi = hi;
			w_m = o.momentum;
			w_far = far;
		}
	}
	free(seen);
	if (n == 0)
		return;
	const lrs_trial_spec *t = &plan->items[worst];
	double ratio = (1 - w_m) / (1 - w_lo);
	say(p, 1, "%s: %s cycles momentum between %.3g and %.3g (cycle_momentum), lowest where its rate peaks, but "
	    "the range test runs with optimizer.momentum %g: SGD's steps there are %.3gx %s than those the test "
	    "reads at the same rate (lr / (1 - momentum)), so its bounds may not hold; set the schedule's "
	    "base_momentum and max_momentum near %g, or cycle_momentum: false (%zu of the plan's %zu "
	    "configurations; the farthest off: %s)", p->e->path, t->type, w_lo, w_hi, w_m,
	    ratio > 1 ? ratio : 1 / ratio, ratio > 1 ? "larger" : "smaller", w_m, n, plan->configs, t->label);
}

/* Strategy tpe with range tests: a key that gets its own range test must
 * list its values (a range would make groups no test has run for). */
static int check_search_groups(const lrs_experiment *e)
{
	int err = 0;

	for (size_t k = 0; err == 0 && k < lrs_plan_entries(e); k++) {
		lrs_plan_axis *ax;
		size_t n;
		if ((err = lrs_plan_axes(&ax, &n, e, k)) < 0)
			return err;
		for (size_t i = 0; err == 0 && i < n; i++)
			if (ax[i].kind != LRS_AXIS_LIST && lrs_plan_axis_grouping(&ax[i], e->range.per))
				err = lrs_error_set(LRS_EINVALID, "%s:%d:%d: '%s': strategy tpe searches it over a range, but "
				                    "range_test.per gives each of its values its own range test: list its values "
				                    "({choice: [...]}), leave it out of range_test.per, or give range_test.bounds",
				                    e->path, ax[i].line, ax[i].column, ax[i].key);
		free(ax);
	}
	return err;
}

int lrs_pipeline_prepare(lrs_pipeline *p, const lrs_experiment *e, lrs_dataset *ds,
                         const lrs_pipeline_options *opt)
{
	const lrs_executor *x = opt->executor;
	double min_lr = CHECK_MIN_LR, max_lr = CHECK_MAX_LR;
	int err;

	memset(p, 0, sizeof *p);
	p->e = e;
	p->ds = ds;
	p->opt = *opt;
	if (e->trial.note)
		say(p, 1, "%s", e->trial.note);
	p->planned = given_bounds(p, &min_lr, &max_lr);
	if (e->trial.tpe && !p->planned && (err = check_search_groups(e)) < 0)
		return err;
	/* the plan is checked before anything runs, with stand-in bounds when
	 * the range tests have yet to pick them (and built again once they have) */
	if (e->has_trainer)
		err = plan_for_trainer(p, ds, min_lr, max_lr);
	else
		err = lrs_plan_build(&p->plan, e, ds, min_lr, max_lr);
	if (err < 0)
		return err;
	if ((err = p->planned ? one_given_group(p, min_lr, max_lr) : make_groups(p)) < 0)
		return err;
	if (p->planned || e->trial.tpe)   /* else the plan is built again with the range tests' bounds */
		warn_refused(p);
	if (!p->planned && !e->has_trainer)
		warn_cycled_momentum(p);
	if (e->trial.prune != LRS_PRUNE_NONE && x && !x->supports_pruning)
		return lrs_error_set(LRS_EINVALID, "%s: trials.pruning is not available in %s runs yet; run it with "
		                     "lrsweep run, or set pruning: {type: none}", e->path, x->name);
	if (e->trial.prune != LRS_PRUNE_NONE && ds->val.n == 0 && !e->has_trainer)
		return lrs_error_set(LRS_EINVALID, "%s: pruning judges trials by validation accuracy: it needs "
		                     "data.validation > 0", e->path);
	return 0;
}

void lrs_pipeline_log_dir(char *buf, size_t size, const lrs_experiment *e, const char *db)
{
	size_t stem;

	if (!db)
		db = e->db;
	if (!db) {
		snprintf(buf, size, "results/%s-logs", e->name);
		return;
	}
	stem = strlen(db);
	if (stem > 3 && !strcmp(db + stem - 3, ".db"))
		stem -= 3;
	snprintf(buf, size, "%.*s-logs", (int)stem, db);
}

void lrs_pipeline_free(lrs_pipeline *p)
{
	for (size_t k = 0; p->groups && k < p->n_groups; k++) {
		free(p->groups[k].key);
		free(p->groups[k].params);
	}
	free(p->groups);
	lrs_plan_free(&p->plan);
	end_leftovers(p);   /* of the programs probed for a dry run, say */
	lrs_external_free(p->engine);
	memset(p, 0, sizeof *p);
}

/* ------------------------------------------------------------ resuming */

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

/* The experiment to resume: the latest of that name, if its file is the
 * same and so is the data it loaded (`data_sha256`, "" for an external
 * trainer's; an experiment stored without one is not compared). *exp_id =
 * 0 when there is none (start one). */
static int find_resumable(const lrs_experiment *e, lrs_store *st, const char *db, const char *data_sha256,
                          int64_t *exp_id)
{
	lrs_experiment_record rec;
	char sha[LRS_SHA256_HEX_SIZE], change[256];
	char *old = NULL;
	int err;

	*exp_id = 0;
	if ((err = lrs_store_experiment_latest(&rec, st, e->name)) == LRS_ENOTFOUND)
		return 0;
	if (err < 0)
		return err;
	lrs_sha256_hex(sha, e->text, strlen(e->text));
	if (strcmp(sha, rec.config_sha256)) {
		if ((err = lrs_store_experiment_config(&old, st, rec.id)) < 0 && err != LRS_ENOTFOUND)
			return err;
		first_change(change, sizeof change, old ? old : "", e->text);
		free(old);
		return lrs_error_set(LRS_EINVALID, "%s: cannot resume experiment '%s' (id %lld in %s): the experiment "
		                     "file changed since (%s); run without --resume to start a new experiment",
		                     e->path, e->name, (long long)rec.id, db, change);
	}
	if (rec.data_sha256[0] && data_sha256[0] && strcmp(rec.data_sha256, data_sha256))
		return lrs_error_set(LRS_EINVALID, "%s: cannot resume experiment '%s' (id %lld in %s): its data changed "
		                     "since (the files it names now hold other samples, labels or classes: digest "
		                     "%.12s, was %.12s); run without --resume to start a new experiment",
		                     e->path, e->name, (long long)rec.id, db, data_sha256, rec.data_sha256);
	*exp_id = rec.id;
	return 0;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* How many of the stored trials `have` the plan lacks (the first in *first). */
static size_t missing_from_plan(const lrs_plan *plan, const lrs_trial_list *have, size_t *first)
{
	const char **keys = malloc((plan->n + 1) * sizeof *keys);
	size_t missing = 0;

	if (!keys)
		return 0;   /* no check without memory; the sweep will fail for want of it */
	for (size_t i = 0; i < plan->n; i++)
		keys[i] = plan->items[i].key;
	qsort(keys, plan->n, sizeof *keys, by_text);
	for (size_t k = have->n; k-- > 0;) {   /* backwards: *first ends as the first missing */
		if (!bsearch(&have->items[k].trial_key, keys, plan->n, sizeof *keys, by_text)) {
			missing++;
			*first = k;
		}
	}
	free(keys);
	return missing;
}

/* A resumed sweep must plan the trials the run it continues stored. The
 * bounds of --min-lr/--max-lr are not in the experiment file: resumed
 * with others, or without them, it would add a second set of trials, of
 * other rates, beside the first. Refused before anything is written. */
static int check_same_bounds(const lrs_pipeline *p, lrs_store *st, const char *db)
{
	const lrs_experiment *e = p->e;
	lrs_trial_list have;
	size_t missing = 0, first = 0;
	double lo, hi;
	int err;

	if ((err = lrs_store_trial_list(&have, st, p->experiment_id)) < 0)
		return err;
	if (have.n > 0 && !p->planned && p->n_groups > 0 &&
	    lrs_store_bounds_chosen(&lo, &hi, st, p->experiment_id, p->groups[0].key) == LRS_ENOTFOUND)
		err = lrs_error_set(LRS_EINVALID, "%s: cannot resume experiment '%s' (id %lld in %s): its trials were "
		                    "planned with bounds given by --min-lr and --max-lr; give the same ones again",
		                    e->path, e->name, (long long)p->experiment_id, db);
	else if (have.n > 0 && p->planned && !e->trial.tpe && (missing = missing_from_plan(&p->plan, &have, &first)))
		err = lrs_error_set(LRS_EINVALID, "%s: cannot resume experiment '%s' (id %lld in %s): %zu of its %zu "
		                    "stored trials (trial %lld first) are not in the plan the bounds %.4g .. %.4g make; "
		                    "give the --min-lr and --max-lr of the run that stored them (or none, if it had none); if "
		                    "those were the same, this lrsweep keys its trials otherwise than the one that stored "
		                    "them did: run it as a new experiment",
		                    e->path, e->name, (long long)p->experiment_id, db, missing, have.n,
		                    (long long)have.items[first].id, p->groups[0].min_lr, p->groups[0].max_lr);
	lrs_trial_list_free(&have);
	return err;
}

/* The experiment: resumed (claimed: one writer) or begun. */
static int begin(lrs_pipeline *p, lrs_store *st, const char *db)
{
	lrs_experiment_info info = lrs_pipeline_experiment_info(p->e, p->ds, "run");
	int err;

	if (p->opt.resume && (err = find_resumable(p->e, st, db, info.data_sha256, &p->experiment_id)) < 0)
		return err;
	p->resumed = p->experiment_id != 0;
	if (p->resumed && (err = lrs_store_experiment_claim(st, p->experiment_id)) < 0) {
		/* another process is writing it: refused, nothing written */
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", lrs_error_last());
		p->experiment_id = 0;
		return lrs_error_set(err, "cannot resume: %s; wait for it to end (or stop it), then resume", msg);
	}
	if (p->resumed && (err = check_same_bounds(p, st, db)) < 0) {
		p->experiment_id = 0;   /* refused: nothing of it is touched */
		return err;
	}
	if (stopped(p) && !p->resumed)   /* while the store opened: still nothing stored */
		return LRS_EINTERRUPT;
	if (!p->resumed && (err = lrs_store_experiment_begin(&p->experiment_id, st, &info)) < 0)
		return err;
	say(p, 0, "%s experiment %lld in %s", p->resumed ? "resuming" : "started", (long long)p->experiment_id, db);
	return 0;
}

/* ------------------------------------------------------------ bounds */

typedef struct {
	const lrs_executor *x;
	size_t group;
} repeats_ctx;

static int executor_repeats(void *ctx, const lrs_range_config *rc, long repeats, const uint64_t *seeds,
                            lrs_range_curve *curves)
{
	repeats_ctx *r = ctx;

	return r->x->repeats(r->x, r->group, rc, repeats, seeds, curves);
}

/* The error of group g's range test that did not run to its end: named
 * by its group when there are several, and, when the experiment's trainer
 * program ran it, by the experiment file, as the probe's faults are (the
 * program, its command and params are that file's). */
static int range_error(const lrs_pipeline *p, const lrs_pipeline_group *g, int err)
{
	if (err == LRS_EINTERRUPT)
		return err;
	if (p->n_groups > 1 && g->key[0])
		err = lrs_error_set(err, "range test of %s: %s", g->key, lrs_error_last());
	if (p->engine)
		err = lrs_error_set(err, "%s: %s", p->e->path, lrs_error_last());
	return err;
}

/* Group k's range test, run and stored; its bounds, or the error of a test
 * where no rule picked (after storing it). */
static int test_group(lrs_pipeline *p, lrs_store *st, size_t k)
{
	const lrs_experiment *e = p->e;
	const lrs_pipeline_events *ev = p->opt.events;
	lrs_pipeline_group *g = &p->groups[k];
	lrs_range_config rc;
	lrs_train_config base;
	lrs_range_outcome o;
	lrs_range_choice ch = { .preferred = LRS_PICK_COMBINED, .chosen = -1 };
	repeats_ctx rx = { p->opt.executor, k };
	int err;

	lrs_pipeline_range_settings(&rc, &base, e, p->ds, &g->base.model, &g->base.optim, g->base.batch_size);
	base.engine = p->engine;
	base.run_key = g->run_key;
	base.params = g->params;
	base.stop = p->opt.stop;
	if (p->opt.executor && p->opt.executor->repeats) {   /* lrsweep-mpi: on the ranks */
		rc.run_repeats = executor_repeats;
		rc.run_repeats_ctx = &rx;
	}
	rc.stop = p->opt.stop;
	lrs_pick_rule_parse(&ch.preferred, p->opt.pick ? p->opt.pick : e->range.pick);
	if ((err = lrs_range_check(&rc)) < 0)
		return err;
	if (ev && ev->range_group)
		ev->range_group(ev->ctx, g, k, p->n_groups);
	if ((err = lrs_pipeline_range(&o, &ch, p->ds, &base, &rc, e->range.auto_range, e->range.repeats,
	                              p->opt.threads, ev ? ev->range : NULL)) < 0)
		return range_error(p, g, err);
	if (stopped(p)) {   /* cut short: not kept, --resume runs it again */
		lrs_range_outcome_free(&o);
		return LRS_EINTERRUPT;
	}
	if (ev && ev->range_done)
		ev->range_done(ev->ctx, g, &o, &rc, &ch, lrs_train_steps_per_epoch(p->ds, base.batch_size));
	err = lrs_pipeline_range_store(st, p->experiment_id, g->key, &o, &rc, &ch);
	if (err == 0 && ch.chosen < 0)
		err = lrs_pipeline_no_bounds(&o, &ch, &rc);
	if (err == 0) {
		g->min_lr = o.picks[ch.chosen].min_lr;
		g->max_lr = o.picks[ch.chosen].max_lr;
		g->rule = ch.chosen;
	}
	lrs_range_outcome_free(&o);
	if (err < 0 && p->n_groups > 1 && g->key[0])
		err = lrs_error_set(err, "range test of %s: %s", g->key, lrs_error_last());
	return err;
}

/* Every group's bounds: given, stored by the run being resumed, or from a
 * range test run and stored now. */
static int get_bounds(lrs_pipeline *p, lrs_store *st)
{
	int err;

	for (size_t k = 0; !p->planned && k < p->n_groups && !stopped(p); k++) {
		lrs_pipeline_group *g = &p->groups[k];

		if (p->resumed) {
			err = lrs_store_bounds_chosen(&g->min_lr, &g->max_lr, st, p->experiment_id, g->key);
			if (err == 0) {
				say(p, 0, "bounds of the resumed run%s%s: %.4g .. %.4g", g->key[0] ? " for " : "", g->key,
				    g->min_lr, g->max_lr);
				continue;
			}
			if (err != LRS_ENOTFOUND)
				return err;
			/* a test cut short */
			if ((err = lrs_store_range_tests_clear(st, p->experiment_id, g->key)) < 0)
				return err;
		}
		if ((err = test_group(p, st, k)) < 0)
			return err;
	}
	return stopped(p) ? LRS_EINTERRUPT : 0;
}

/* The plan with each group's bounds (built again unless they were given). */
static int plan_with_bounds(lrs_pipeline *p)
{
	lrs_group_bounds *b;
	int err;

	if (p->planned)
		return 0;
	if (!(b = calloc(p->n_groups + 1, sizeof *b)))
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (size_t k = 0; k < p->n_groups; k++)
		b[k] = (lrs_group_bounds){ p->groups[k].key, p->groups[k].min_lr, p->groups[k].max_lr };
	lrs_plan_free(&p->plan);
	err = lrs_plan_build_grouped(&p->plan, p->e, p->ds, p->fields, b, p->n_groups);
	p->plan.engine = p->engine;
	free(b);
	p->planned = err == 0;
	if (err == 0)
		warn_refused(p);
	return err;
}

/* ------------------------------------------------------------ trials */

/* Adds the plan's trials from `from` on that the database lacks and lists
 * those to run: all but the completed, pruned and diverged ones. */
static int register_trials(lrs_pipeline *p, lrs_store *st, int64_t *ids, size_t *which, size_t from)
{
	const lrs_plan *plan = &p->plan;
	int given = !isnan(p->opt.min_lr) || p->e->range.has_bounds;
	lrs_trial_list have;
	lrs_trial_plan *add = calloc(plan->n + 1, sizeof *add);
	int64_t *new_ids = calloc(plan->n + 1, sizeof *new_ids);
	size_t *add_at = calloc(plan->n + 1, sizeof *add_at), n_add = 0;
	lrs_trial_status *status = calloc(plan->n + 1, sizeof *status);
	char (*logs)[PATH_MAX] = p->engine ? calloc(plan->n + 1, sizeof *logs) : NULL;
	int err;

	p->n_run = 0;
	p->kept = from ? p->kept : 0;
	if (!add || !new_ids || !add_at || !status || (p->engine && !logs)) {
		err = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto out;
	}
	if ((err = lrs_store_trial_list(&have, st, p->experiment_id)) < 0)
		goto out;
	for (size_t i = from; i < plan->n; i++) {
		const lrs_trial_spec *t = &plan->items[i];
		size_t k;
		for (k = 0; k < have.n && strcmp(have.items[k].trial_key, t->key); k++)
			;
		if (k < have.n) {
			ids[i] = have.items[k].id;
			status[i] = have.items[k].status;
			continue;
		}
		if (logs)   /* where its program's output goes */
			lrs_external_log_path(logs[n_add], sizeof logs[n_add], p->engine, t->key);
		add[n_add] = (lrs_trial_plan){ t->key, t->type, t->params, t->hyper, t->seed, given ? NULL : t->group,
		                               logs ? logs[n_add] : NULL };
		add_at[n_add++] = i;
		status[i] = LRS_TRIAL_PENDING;
	}
	lrs_trial_list_free(&have);
	if (n_add && (err = lrs_store_trials_add(new_ids, st, p->experiment_id, add, n_add)) < 0)
		goto out;
	for (size_t k = 0; k < n_add; k++)
		ids[add_at[k]] = new_ids[k];
	for (size_t i = from; i < plan->n; i++) {
		if (status[i] == LRS_TRIAL_COMPLETED || status[i] == LRS_TRIAL_PRUNED || status[i] == LRS_TRIAL_DIVERGED)
			p->kept++;
		else
			which[p->n_run++] = i;
	}
out:
	free(logs);
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
	char *keep;               /* (plan n) 1 for a kept trial              */
	long *epochs;             /* (plan n)                                 */
	double **val;             /* (plan n) each (plan epochs)              */
} prior_ctx;

static int prior_row(void *ctx, int64_t id, long epoch, double val_accuracy)
{
	prior_ctx *p = ctx;

	for (size_t i = 0; i < p->plan->n; i++) {
		if (p->ids[i] != id || !p->keep[i] || epoch < 1 || epoch > p->plan->items[i].epochs)
			continue;
		if (!p->val[i] && !(p->val[i] = calloc((size_t)p->plan->items[i].epochs, sizeof **p->val)))
			return lrs_error_set(LRS_ENOMEM, "out of memory");
		p->val[i][epoch - 1] = val_accuracy;
		if (epoch > p->epochs[i])
			p->epochs[i] = epoch;
	}
	return 0;
}

/* Loads the curves of the plan's trials not in which[0..n): those kept. */
static int load_prior(lrs_store *st, int64_t exp_id, const lrs_plan *plan, const int64_t *ids,
                      const size_t *which, size_t n, prior_ctx *p)
{
	p->plan = plan;
	p->ids = ids;
	p->keep = calloc(plan->n + 1, 1);
	p->epochs = calloc(plan->n + 1, sizeof *p->epochs);
	p->val = calloc(plan->n + 1, sizeof *p->val);
	if (!p->keep || !p->epochs || !p->val)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	memset(p->keep, 1, plan->n);
	for (size_t k = 0; k < n; k++)
		p->keep[which[k]] = 0;
	return n == plan->n ? 0 : lrs_store_val_curves(st, exp_id, prior_row, p);
}

static void prior_free(prior_ctx *p, size_t n)
{
	for (size_t i = 0; p->val && i < n; i++)
		free(p->val[i]);
	free(p->val);
	free(p->epochs);
	free(p->keep);
}

/* The sweep's hooks: store, count, tell the caller. */
typedef struct {
	lrs_pipeline *p;
	lrs_store *st;
	const int64_t *ids;
} sweep_ctx;

static int trial_started(void *ctx, size_t i, const char *worker)
{
	sweep_ctx *s = ctx;
	const lrs_pipeline_events *ev = s->p->opt.events;
	double t0 = now_seconds();
	int err = lrs_store_trial_start(s->st, s->ids[i], worker);

	s->p->store_seconds += now_seconds() - t0;
	if (ev && ev->trial_start)
		ev->trial_start(ev->ctx, i);
	return err < 0;
}

static void trial_epoch(void *ctx, size_t i, const lrs_epoch_stats *e)
{
	const lrs_pipeline_events *ev = ((sweep_ctx *)ctx)->p->opt.events;

	if (ev && ev->trial_epoch)
		ev->trial_epoch(ev->ctx, i, e);
}

static int trial_finished(void *ctx, size_t i, const lrs_trial_outcome *o)
{
	sweep_ctx *s = ctx;
	lrs_pipeline *p = s->p;
	const lrs_pipeline_events *ev = p->opt.events;
	const lrs_trial_spec *t = &p->plan.items[i];
	lrs_trial_result tr;
	lrs_epoch_row *rows;
	int err;

	if (lrs_pipeline_trial_rows(&tr, &rows, o, t->sched) < 0)
		return 1;
	double t0 = now_seconds();
	err = lrs_store_trial_finish(s->st, s->ids[i], &tr, rows, o->n_epochs);
	p->store_seconds += now_seconds() - t0;
	free(rows);
	if (err < 0)
		return 1;
	p->counts[tr.status]++;
	p->epochs_run += (long)o->n_epochs;
	p->epochs_planned += t->epochs;
	if (ev && ev->trial_end)
		ev->trial_end(ev->ctx, i, &tr, o);
	return 0;
}

/* The trials to run, on the executor or this process's threads. */
static int sweep(lrs_pipeline *p, lrs_store *st, const int64_t *ids, const size_t *which)
{
	const lrs_experiment *e = p->e;
	const lrs_executor *x = p->opt.executor;
	const lrs_pipeline_events *ev = p->opt.events;
	prior_ctx prior = { NULL, NULL, NULL, NULL, NULL };
	sweep_ctx s = { p, st, ids };
	lrs_trials_hooks hooks = { &s, trial_started, trial_epoch, trial_finished, p->opt.stop };
	lrs_prune_config prune = { e->trial.prune, e->trial.grace_epochs, e->trial.reduction_factor };
	lrs_group_bounds *b = calloc(p->n_groups + 1, sizeof *b);
	int err;

	if (!b)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (size_t k = 0; k < p->n_groups; k++)
		b[k] = (lrs_group_bounds){ p->groups[k].key, p->groups[k].min_lr, p->groups[k].max_lr };
	if ((err = load_prior(st, p->experiment_id, &p->plan, ids, which, p->n_run, &prior)) == 0) {
		lrs_trials_prior pr = { prior.epochs, (const double *const *)prior.val };
		double t0 = now_seconds();
		if (ev && ev->trials_start)
			ev->trials_start(ev->ctx, &p->plan, which, p->n_run, p->kept);
		p->swept = 1;
		if (x)
			err = x->sweep(x, &p->plan, which, p->n_run, p->ds, p->opt.threads, &hooks, p->fields, b,
			               p->n_groups);
		else
			err = lrs_trials_run(&p->plan, which, p->n_run, p->ds, p->opt.threads, &prune, &pr, &hooks);
		p->sweep_seconds = now_seconds() - t0;
		if (ev && ev->trials_end)
			ev->trials_end(ev->ctx);
	}
	prior_free(&prior, p->plan.n);
	free(b);
	return err;
}

/* ------------------------------------------------------------ strategy tpe */

/* The search's state between rounds: every trial's id and the round's
 * points' configurations. */
typedef struct {
	lrs_search *s;
	lrs_group_bounds *bounds;   /* (n_groups)                           */
	int64_t *ids;               /* (plan n) every trial's               */
	size_t *which;              /* (plan n) the round's to run          */
	long *config;               /* (round's points) each one's configuration */
} search_run;

static int by_id(const void *key, const void *row)
{
	int64_t a = *(const int64_t *)key, b = ((const lrs_trial_row *)row)->id;

	return (a > b) - (a < b);
}

/* Point k's trial `row` as the sampler sees it: completed ones by their
 * best validation accuracy, pruned ones by how far they got and their
 * last accuracy, diverged ones below all; others are no observation. */
static int observe_row(lrs_search *s, size_t k, const lrs_trial_row *row)
{
	switch (row->status) {
	case LRS_TRIAL_COMPLETED: return lrs_search_observe(s, k, LRS_TPE_COMPLETE, 0, row->best_val_accuracy);
	case LRS_TRIAL_PRUNED:
		return lrs_search_observe(s, k, LRS_TPE_PRUNED, row->epochs_done, row->final_val_accuracy);
	case LRS_TRIAL_DIVERGED: return lrs_search_observe(s, k, LRS_TPE_DIVERGED, row->epochs_done, NAN);
	default: return 0;
	}
}

/* The round's results, read back from the store (whether run now or
 * kept from before, the same numbers), given to the sampler point by
 * point, each point's seeds in plan order. */
static int observe_round(lrs_pipeline *p, lrs_store *st, search_run *r, size_t n_points)
{
	lrs_trial_rows rows;
	int err;

	if ((err = lrs_store_trials_read(&rows, st, p->experiment_id, NULL)) < 0)
		return err;
	for (size_t k = 0; err == 0 && k < n_points; k++)
		for (size_t i = 0; err == 0 && i < p->plan.n; i++) {
			const lrs_trial_row *row;
			if ((long)p->plan.items[i].config != r->config[k])
				continue;
			row = bsearch(&r->ids[i], rows.items, rows.n, sizeof *rows.items, by_id);
			if (row)
				err = observe_row(r->s, k, row);
		}
	lrs_trial_rows_free(&rows);
	return err;
}

/* Room in r for the plan's trials and n points. */
static int search_room(search_run *r, size_t trials, size_t n)
{
	int64_t *ids = realloc(r->ids, (trials + 1) * sizeof *ids);
	size_t *which = ids ? realloc(r->which, (trials + 1) * sizeof *which) : NULL;
	long *config = which ? realloc(r->config, (n + 1) * sizeof *config) : NULL;

	r->ids = ids ? ids : r->ids;
	r->which = which ? which : r->which;
	r->config = config ? config : r->config;
	return config ? 0 : lrs_error_set(LRS_ENOMEM, "out of memory");
}

/* One round: its points into the plan, their trials registered and run,
 * their results observed. *n = 0 once the search has made them all. */
static int search_round(lrs_pipeline *p, lrs_store *st, search_run *r, size_t *n)
{
	const lrs_plan_point *pts;
	size_t first = p->plan.n, configs = p->plan.configs, fresh = 0;
	int err;

	if ((err = lrs_search_next(r->s, &pts, n)) < 0 || *n == 0)
		return err;
	if ((err = search_room(r, p->plan.n, *n)) < 0 ||
	    (err = lrs_plan_add_points(&p->plan, r->config, p->e, p->ds, p->fields, r->bounds, p->n_groups, pts, *n)) < 0 ||
	    (err = search_room(r, p->plan.n, *n)) < 0)
		return err;
	for (size_t k = 0; k < *n; k++)   /* a repeated point observes its first's trials again */
		r->config[k] = r->config[k] >= 0 ? r->config[k] : (long)(configs + fresh++);
	if ((err = register_trials(p, st, r->ids, r->which, first)) < 0)
		return err;
	if (stopped(p))
		return LRS_EINTERRUPT;
	if ((err = sweep(p, st, r->ids, r->which)) < 0)
		return err;
	if (stopped(p))
		return LRS_EINTERRUPT;
	return observe_round(p, st, r, *n);
}

/* Strategy tpe: rounds of proposals, each run and observed before the
 * next is proposed, so the trials are those of a run one trial at a
 * time whatever the threads or ranks. */
static int run_search(lrs_pipeline *p, lrs_store *st)
{
	search_run r = { NULL, calloc(p->n_groups + 1, sizeof *r.bounds), NULL, NULL, NULL };
	size_t n = 1;
	int err;

	if (!r.bounds)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (size_t k = 0; k < p->n_groups; k++)
		r.bounds[k] = (lrs_group_bounds){ p->groups[k].key, p->groups[k].min_lr, p->groups[k].max_lr };
	lrs_plan_free(&p->plan);   /* the stand-in goes: the rounds make the plan */
	p->plan.engine = p->engine;
	p->planned = 1;
	err = lrs_search_new(&r.s, p->e);
	while (err == 0 && n > 0)
		err = search_round(p, st, &r, &n);
	lrs_search_free(r.s);
	free(r.bounds);
	free(r.ids);
	free(r.which);
	free(r.config);
	return err;
}

/* ------------------------------------------------------------ the run */

/* The bounds, the plan with them, the trials registered and run. */
static int run_stored(lrs_pipeline *p, lrs_store *st)
{
	int64_t *ids = NULL;
	size_t *which = NULL;
	int err;

	err = get_bounds(p, st);
	end_leftovers(p);   /* of the range tests */
	if (err < 0)
		return err;
	if (p->e->trial.tpe)
		return run_search(p, st);
	if ((err = plan_with_bounds(p)) < 0)
		return err;
	ids = calloc(p->plan.n + 1, sizeof *ids);
	which = calloc(p->plan.n + 1, sizeof *which);
	if (!ids || !which)
		err = lrs_error_set(LRS_ENOMEM, "out of memory");
	else if ((err = register_trials(p, st, ids, which, 0)) == 0 && stopped(p))
		err = LRS_EINTERRUPT;
	else if (err == 0 && (err = sweep(p, st, ids, which)) == 0 && stopped(p))
		err = LRS_EINTERRUPT;
	free(ids);
	free(which);
	return err;
}

int lrs_pipeline_run(lrs_pipeline *p, lrs_store *st, const char *db)
{
	int err;

	if ((err = begin(p, st, db)) < 0)
		return err;   /* nothing stored */
	err = stopped(p) ? LRS_EINTERRUPT : run_stored(p, st);
	end_leftovers(p);
	if (err == LRS_EINTERRUPT) {
		int fin = lrs_store_experiment_finish(st, p->experiment_id, LRS_EXP_INTERRUPTED);
		return fin < 0 ? fin : LRS_EINTERRUPT;
	}
	if (err < 0) {   /* keep the error's message over the finish's */
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", lrs_error_last());
		lrs_store_experiment_finish(st, p->experiment_id, LRS_EXP_FAILED);
		return lrs_error_set(err, "%s", msg);
	}
	return lrs_store_experiment_finish(st, p->experiment_id, LRS_EXP_COMPLETED);
}

/* ------------------------------------------------------------ stored form */

static lrs_trial_status status_of(const lrs_trial_outcome *o)
{
	if (!o->result || o->error)
		return LRS_TRIAL_FAILED;
	if (o->pruned)
		return LRS_TRIAL_PRUNED;
	if (o->interrupted)
		return LRS_TRIAL_INTERRUPTED;
	if (o->result->status == LRS_RUN_DIVERGED)
		return LRS_TRIAL_DIVERGED;
	return LRS_TRIAL_COMPLETED;
}

int lrs_pipeline_trial_rows(lrs_trial_result *tr, lrs_epoch_row **rows, const lrs_trial_outcome *o,
                            const lrs_sched *sched)
{
	const lrs_train_result *res = o->result;

	*tr = (lrs_trial_result){ status_of(o), (long)o->n_epochs, 0, NAN, 0, NAN, NAN, NAN, NAN, -1, 0, o->error };
	if (!(*rows = calloc(o->n_epochs + 1, sizeof **rows)))
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (size_t k = 0; k < o->n_epochs; k++) {
		const lrs_epoch_stats *e = &o->epochs[k];
		(*rows)[k] = (lrs_epoch_row){ e->epoch, e->steps, e->lr,
		                              lrs_sched_cycles_momentum(sched) && e->steps > 0
		                                      ? lrs_sched_momentum(sched, e->steps - 1) : NAN,
		                              e->train_loss, e->train_accuracy, e->val_loss, e->val_accuracy,
		                              e->seconds };
	}
	if (res) {
		tr->iterations = res->steps;
		tr->best_val_accuracy = res->best_val_accuracy;
		tr->best_epoch = res->best_epoch;
		tr->final_val_accuracy = o->n_epochs ? res->last.val_accuracy : NAN;
		tr->final_val_loss = o->n_epochs ? res->last.val_loss : NAN;
		tr->final_train_loss = o->n_epochs ? res->last.train_loss : NAN;
		tr->test_accuracy = tr->status == LRS_TRIAL_COMPLETED ? res->test_accuracy : NAN;
		tr->diverged_at = res->diverged_at;
		tr->wall_seconds = res->seconds;
	}
	return 0;
}
