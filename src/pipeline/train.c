/* train.c - one training run outside trials (`lrsweep train`): its
 * schedule built from the caller's parameters, its one-trial plan, the
 * memory check, and the run stored as an experiment of one trial with its
 * epochs. The caller shows the epochs through its own hooks; nothing here
 * prints. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/pipeline.h"
#include "lrsweep/trials.h"
#include "lrsweep/util.h"

int lrs_single_prepare(lrs_single *s, const lrs_experiment *e, const lrs_dataset *ds, const lrs_single_options *o)
{
	lrs_sched *sched = NULL;
	int rc;

	memset(s, 0, sizeof *s);
	s->e = e;
	s->ds = ds;
	s->cfg = (lrs_train_config){ .model = e->model.net, .optim = e->optim, .batch_size = e->batch_size,
	                             .epochs = o->epochs ? o->epochs : e->trial.epochs,   /* default 10 */
	                             .seed = o->seed >= 0 ? (uint64_t)o->seed : e->seed, .eval_each_epoch = 1 };
	long spe = lrs_train_steps_per_epoch(ds, s->cfg.batch_size);
	lrs_sched_ctx sctx = { o->min_lr, o->max_lr, spe, spe * s->cfg.epochs };
	if ((rc = lrs_sched_build(&sched, o->schedule ? o->schedule : "constant", o->params, &sctx)) < 0)
		return rc;
	if (lrs_sched_step_limit(sched) >= 0 && lrs_sched_step_limit(sched) < sctx.total_steps) {
		rc = lrs_error_set(LRS_EINVALID, "%s is defined for %ld steps; the run has %ld",
		                   lrs_sched_type_name(lrs_sched_get_type(sched)), lrs_sched_step_limit(sched),
		                   sctx.total_steps);
		lrs_sched_free(sched);
		return rc;
	}
	if ((rc = lrs_plan_one(&s->plan, e, ds, sched, s->cfg.epochs, s->cfg.seed)) < 0)   /* owns sched now */
		return rc;
	s->cfg.sched = s->plan.items[0].sched;
	return lrs_train_check_memory(ds, &s->cfg, 1);
}

/* The run in the database: an experiment (its config, data sizes) with one
 * trial, begun before training starts (so that its times are the run's)... */
static int store_begin(lrs_single *s, lrs_store *st)
{
	lrs_experiment_info info = lrs_pipeline_experiment_info(s->e, s->ds, "train");
	const lrs_trial_spec *t = &s->plan.items[0];
	lrs_trial_plan plan = { t->key, t->type, t->params, t->hyper, t->seed, NULL, NULL };
	char worker[LRS_WORKER_SIZE];
	int err;

	lrs_worker_name(worker, sizeof worker, NULL, -1, 0);   /* one run, on this thread */
	if ((err = lrs_store_experiment_begin(&s->experiment_id, st, &info)) < 0)
		return err;
	if ((err = lrs_store_trials_add(&s->trial_id, st, s->experiment_id, &plan, 1)) < 0 ||
	    (err = lrs_store_trial_start(st, s->trial_id, worker)) < 0)
		lrs_store_experiment_finish(st, s->experiment_id, LRS_EXP_FAILED);
	return err;
}

/* ... and ended with its result and epochs (r NULL: it failed to run,
 * with `error`; r->status LRS_RUN_STOPPED: interrupted). An experiment
 * that cannot be ended is marked failed. */
static int store_end(lrs_single *s, lrs_store *st, const lrs_train_result *r, const char *error)
{
	int stopped = r && r->status == LRS_RUN_STOPPED;
	lrs_trial_outcome o = { r, s->epochs, s->n_epochs, stopped, 0, error };
	lrs_trial_result tr;
	lrs_epoch_row *rows = NULL;
	int err;

	if ((err = lrs_pipeline_trial_rows(&tr, &rows, &o, s->plan.items[0].sched)) == 0 &&
	    (err = lrs_store_trial_finish(st, s->trial_id, &tr, rows, s->n_epochs)) == 0)
		err = lrs_store_experiment_finish(st, s->experiment_id, !r ? LRS_EXP_FAILED : stopped ? LRS_EXP_INTERRUPTED
		                                                                                   : LRS_EXP_COMPLETED);
	else
		lrs_store_experiment_finish(st, s->experiment_id, LRS_EXP_FAILED);
	free(rows);
	return err;
}

/* Keeps each finished epoch for the store, then hands it to the caller. */
static int keep_epoch(void *ctx, const lrs_epoch_stats *e)
{
	lrs_single *s = ctx;

	if (s->n_epochs == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		lrs_epoch_stats *grown = realloc(s->epochs, cap * sizeof *grown);
		if (!grown) {
			s->failed = 1;
			return 1;   /* stops the run: it could not be stored */
		}
		s->epochs = grown;
		s->cap = cap;
	}
	s->epochs[s->n_epochs++] = *e;
	return s->hooks.on_epoch ? s->hooks.on_epoch(s->hooks.ctx, e) : 0;
}

static int pass_step(void *ctx, long step, double lr, double loss)
{
	const lrs_single *s = ctx;

	return s->hooks.on_step ? s->hooks.on_step(s->hooks.ctx, step, lr, loss) : 0;
}

int lrs_single_run(lrs_single *s, lrs_store *st, const lrs_train_hooks *hooks)
{
	lrs_train_hooks mine = { .ctx = s, .on_step = pass_step, .on_epoch = keep_epoch };
	int rc;

	s->hooks = *hooks;
	if ((rc = store_begin(s, st)) < 0)
		return rc;
	if ((rc = lrs_train_run(&s->result, s->ds, &s->cfg, &mine)) == 0 && s->failed)
		rc = lrs_error_set(LRS_ENOMEM, "out of memory keeping the epochs");
	if (rc < 0) {   /* stored as failed, with the reason */
		char why[512];
		snprintf(why, sizeof why, "%s", lrs_error_last());
		store_end(s, st, NULL, why);
		return lrs_error_set(rc, "%s", why);
	}
	return store_end(s, st, &s->result, NULL);
}

void lrs_single_free(lrs_single *s)
{
	lrs_plan_free(&s->plan);
	free(s->epochs);
	memset(s, 0, sizeof *s);
}
