/* trials.c - a plan's trials on the runner (trials.h). Each task trains
 * one trial into its own buffers; the callbacks run under one mutex. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/runner.h"
#include "lrsweep/trials.h"

typedef struct {
	const lrs_plan *plan;
	const size_t *which;
	const lrs_dataset *ds;
	const lrs_trials_hooks *hooks;
	pthread_mutex_t lock;
	int failed;              /* a callback failed: start nothing more   */
} sweep_job;

/* What one running trial keeps. */
typedef struct {
	sweep_job *job;
	size_t i;                /* plan index                               */
	lrs_epoch_stats *epochs; /* (plan epochs)                            */
	size_t n_epochs;
} trial_run;

static int stopped(const sweep_job *job)
{
	return job->hooks->stop && *job->hooks->stop;
}

static int on_step(void *ctx, lrs_trainer *t, long step, double lr, double loss)
{
	const trial_run *r = ctx;
	(void)t; (void)step; (void)lr; (void)loss;
	return stopped(r->job);
}

static int on_epoch(void *ctx, lrs_trainer *t, const lrs_epoch_stats *e)
{
	trial_run *r = ctx;
	sweep_job *job = r->job;
	(void)t;

	if (r->n_epochs < (size_t)job->plan->items[r->i].epochs)
		r->epochs[r->n_epochs++] = *e;
	if (job->hooks->on_epoch) {
		pthread_mutex_lock(&job->lock);
		job->hooks->on_epoch(job->hooks->ctx, r->i, e);
		pthread_mutex_unlock(&job->lock);
	}
	/* a trial whose last epoch is done has finished, stop or not */
	return e->epoch < job->plan->items[r->i].epochs && stopped(job);
}

/* Calls a result callback under the lock; a failure stops the sweep. */
static int report(sweep_job *job, size_t i, const lrs_trial_outcome *o)
{
	int rc;

	pthread_mutex_lock(&job->lock);
	rc = job->hooks->on_finish ? job->hooks->on_finish(job->hooks->ctx, i, o) : 0;
	if (rc)
		job->failed = 1;
	pthread_mutex_unlock(&job->lock);
	return rc ? lrs_error_set(LRS_ERROR, "%s", lrs_error_last()) : 0;
}

static int run_one(void *ctx, long k)
{
	sweep_job *job = ctx;
	size_t i = job->which[k];
	const lrs_trial_spec *spec = &job->plan->items[i];
	trial_run r = { job, i, NULL, 0 };
	lrs_train_result res;
	lrs_trial_outcome o;
	int rc, skip;

	pthread_mutex_lock(&job->lock);
	skip = job->failed || stopped(job);
	rc = skip ? 0 : job->hooks->on_start ? job->hooks->on_start(job->hooks->ctx, i) : 0;
	if (rc)
		job->failed = 1;
	pthread_mutex_unlock(&job->lock);
	if (rc)
		return lrs_error_set(LRS_ERROR, "%s", lrs_error_last());
	if (skip)
		return 0;

	memset(&o, 0, sizeof o);
	r.epochs = calloc((size_t)spec->epochs, sizeof *r.epochs);
	if (!r.epochs) {
		o.error = "out of memory";
		return report(job, i, &o);
	}
	lrs_train_config cfg = { spec->model, spec->optim, spec->batch_size, spec->epochs, 0, spec->seed,
	                         spec->sched, 1, 0 };
	lrs_train_hooks hooks = { &r, on_step, on_epoch };
	if (lrs_train_run(&res, job->ds, &cfg, &hooks) < 0) {
		o.error = lrs_error_last();
	} else {
		o.result = &res;
		o.interrupted = res.status == LRS_RUN_STOPPED;
	}
	o.epochs = r.epochs;
	o.n_epochs = r.n_epochs;
	rc = report(job, i, &o);
	free(r.epochs);
	return rc;
}

int lrs_trials_run(const lrs_plan *plan, const size_t *which, size_t n, const lrs_dataset *ds,
                   int threads, const lrs_trials_hooks *hooks)
{
	sweep_job job = { plan, which, ds, hooks, PTHREAD_MUTEX_INITIALIZER, 0 };
	int rc = lrs_run_tasks((long)n, threads, run_one, &job);

	pthread_mutex_destroy(&job.lock);
	return rc;
}
