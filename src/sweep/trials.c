/* trials.c - a plan's trials on the runner (trials.h). Each task trains
 * one trial into its own buffers.
 *
 * Two locks, never held together:
 *   - the table lock guards the pruning table (what each trial reached,
 *     its accuracy per epoch, whether it ended); held only to read or
 *     write it, or while waiting on it;
 *   - the hand-off lock runs the callbacks one at a time (they may commit
 *     to a database), and guards `failed`.
 * A trial takes the table lock, writes, releases it, then hands its news
 * to the callbacks: a slow commit never keeps another trial from
 * reporting an epoch or being judged.
 *
 * Pruning without dependence on the thread count: trial i, judged after
 * epoch e, waits until every trial before it in the plan has reached e or
 * ended, then compares itself with those that reached e - exactly what it
 * would meet if the trials ran one after another. The runner hands out
 * tasks in order, so every trial before a running one has started, and
 * the earliest running trial never waits: no deadlock. The callbacks
 * decide nothing the table is made of, so when they run changes no
 * decision. */
#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lrsweep/error.h"
#include "lrsweep/runner.h"
#include "lrsweep/trials.h"

typedef struct {
	const lrs_plan *plan;
	const size_t *which;
	const lrs_dataset *ds;
	const lrs_prune_config *prune;
	const lrs_trials_hooks *hooks;
	pthread_mutex_t lock;    /* the table: val, reached, ended; changed  */
	pthread_cond_t changed;  /* a trial reported an epoch or ended      */
	long max_epochs;
	double *val;             /* (plan n x max_epochs) accuracy per epoch */
	long *reached;           /* (plan n) epochs reported                 */
	char *ended;             /* (plan n) 1 once a trial can go no further */
	pthread_mutex_t handoff; /* the callbacks, one at a time; failed     */
	int failed;              /* a callback failed: start nothing more   */
} sweep_job;

/* What one running trial keeps. */
typedef struct {
	sweep_job *job;
	size_t i;                /* plan index                               */
	lrs_epoch_stats *epochs; /* (plan epochs)                            */
	size_t n_epochs;
	double best;             /* best validation accuracy so far          */
	int pruned;
} trial_run;

static int stopped(const sweep_job *job)
{
	return job->hooks->stop && *job->hooks->stop;
}

/* ------------------------------------------------------------ the table */

/* Trial i reported epoch e with validation accuracy `value`. */
static void table_epoch(sweep_job *job, size_t i, long e, double value)
{
	pthread_mutex_lock(&job->lock);
	if (e <= job->max_epochs)
		job->val[i * (size_t)job->max_epochs + (size_t)(e - 1)] = value;
	job->reached[i] = e;
	pthread_cond_broadcast(&job->changed);
	pthread_mutex_unlock(&job->lock);
}

/* Trial i will report no more epochs. */
static void table_end(sweep_job *job, size_t i)
{
	pthread_mutex_lock(&job->lock);
	job->ended[i] = 1;
	pthread_cond_broadcast(&job->changed);
	pthread_mutex_unlock(&job->lock);
}

/* Waits (table lock held) until every trial before i has reached epoch e
 * or ended, or a stop is asked for; returns 0, or 1 when stopped. */
static int wait_for_earlier(sweep_job *job, size_t i, long e)
{
	for (;;) {
		size_t j;

		for (j = 0; j < i && (job->ended[j] || job->reached[j] >= e); j++)
			;
		if (j == i)
			return 0;
		if (stopped(job))
			return 1;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100 * 1000000L;   /* wake to look at the stop flag */
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&job->changed, &job->lock, &until);
	}
}

/* Judges trial r after epoch e (table lock held): 1 when it is pruned. */
static int judge(sweep_job *job, trial_run *r, long e, double value)
{
	double *others = malloc((r->i + 1) * sizeof *others);
	size_t n = 0;
	int goes_on;

	assert(e >= 1 && e <= job->max_epochs);   /* judged before a trial's last epoch */
	if (!others)
		return 0;   /* no memory to judge with: let it run */
	for (size_t j = 0; j < r->i; j++)
		if (job->reached[j] >= e)
			others[n++] = job->val[j * (size_t)job->max_epochs + (size_t)(e - 1)];
	if (job->prune->type == LRS_PRUNE_ASHA)
		goes_on = lrs_asha_promotes(value, others, n, job->prune->reduction_factor);
	else
		goes_on = lrs_median_continues(r->best, others, n);
	free(others);
	return !goes_on;
}

/* Trial r after epoch e, once the trials before it have caught up:
 * 0 goes on, 1 pruned, 2 stopped while waiting. */
static int decide(sweep_job *job, trial_run *r, long e, double value)
{
	int verdict;

	pthread_mutex_lock(&job->lock);
	verdict = wait_for_earlier(job, r->i, e) ? 2 : judge(job, r, e, value);
	pthread_mutex_unlock(&job->lock);
	return verdict;
}

/* ------------------------------------------------------------ hand-off */

void lrs_worker_name(char *buf, size_t size, const char *host, int rank, int thread)
{
	char name[128] = "?";

	if (!host && gethostname(name, sizeof name) == 0)
		name[sizeof name - 1] = '\0';
	if (!host)
		host = name;
	if (rank >= 0)
		snprintf(buf, size, "%s/rank %d/thread %d", host, rank, thread);
	else
		snprintf(buf, size, "%s/thread %d", host, thread);
}

/* Whether trial i starts: 1 to skip it (the sweep failed or is stopping),
 * 0 to train it once on_start has taken it, or an error when on_start
 * failed. */
static int hand_start(sweep_job *job, size_t i)
{
	int skip, rc = 0;

	char worker[LRS_WORKER_SIZE];

	lrs_worker_name(worker, sizeof worker, NULL, -1, lrs_runner_thread());
	pthread_mutex_lock(&job->handoff);
	skip = job->failed || stopped(job);
	if (!skip && job->hooks->on_start && (rc = job->hooks->on_start(job->hooks->ctx, i, worker)) != 0)
		job->failed = 1;
	pthread_mutex_unlock(&job->handoff);
	return rc ? lrs_error_set(LRS_ERROR, "%s", lrs_error_last()) : skip;
}

static void hand_epoch(sweep_job *job, size_t i, const lrs_epoch_stats *e)
{
	if (!job->hooks->on_epoch)
		return;
	pthread_mutex_lock(&job->handoff);
	job->hooks->on_epoch(job->hooks->ctx, i, e);
	pthread_mutex_unlock(&job->handoff);
}

/* Trial i's outcome to on_finish; its failure stops the sweep. */
static int hand_finish(sweep_job *job, size_t i, const lrs_trial_outcome *o)
{
	int rc = 0;

	pthread_mutex_lock(&job->handoff);
	if (job->hooks->on_finish && (rc = job->hooks->on_finish(job->hooks->ctx, i, o)) != 0)
		job->failed = 1;
	pthread_mutex_unlock(&job->handoff);
	return rc ? lrs_error_set(LRS_ERROR, "%s", lrs_error_last()) : 0;
}

/* ------------------------------------------------------------ one trial */

static int on_step(void *ctx, long step, double lr, double loss)
{
	const trial_run *r = ctx;
	(void)step; (void)lr; (void)loss;
	return stopped(r->job);
}

static int on_epoch(void *ctx, const lrs_epoch_stats *e)
{
	trial_run *r = ctx;
	sweep_job *job = r->job;
	long epochs = job->plan->items[r->i].epochs;
	int stop = 0;

	if (r->n_epochs < (size_t)epochs)
		r->epochs[r->n_epochs++] = *e;
	if (e->val_accuracy > r->best)
		r->best = e->val_accuracy;
	table_epoch(job, r->i, e->epoch, e->val_accuracy);
	hand_epoch(job, r->i, e);
	if (job->prune && lrs_prune_judged(job->prune, e->epoch, epochs)) {
		int verdict = decide(job, r, e->epoch, e->val_accuracy);
		r->pruned = verdict == 1;
		stop = verdict != 0;
	}
	/* a trial whose last epoch is done has finished, stop or not */
	return stop || (e->epoch < epochs && stopped(job));
}

/* Trains trial i of the plan into o (o->epochs is r's buffer). */
static void train_one(sweep_job *job, trial_run *r, lrs_train_result *res, lrs_trial_outcome *o)
{
	const lrs_trial_spec *spec = &job->plan->items[r->i];
	lrs_train_config cfg = { .model = spec->model.net, .optim = spec->optim, .batch_size = spec->batch_size,
	                         .epochs = spec->epochs, .seed = spec->seed, .sched = spec->sched,
	                         .eval_each_epoch = 1, .engine = job->plan->engine, .run_key = spec->key, .params = spec->xparams,
	                         .stop = job->hooks->stop };
	lrs_train_hooks hooks = { .ctx = r, .on_step = on_step, .on_epoch = on_epoch };

	/* a run that failed keeps what it reached (an external program's steps,
	 * epochs and time before its fault): the failed trial stores them */
	o->result = res;
	if (lrs_train_run(res, job->ds, &cfg, &hooks) < 0) {
		o->error = lrs_error_last();
	} else {
		o->pruned = r->pruned;
		o->interrupted = res->status == LRS_RUN_STOPPED && !r->pruned;
	}
	o->epochs = r->epochs;
	o->n_epochs = r->n_epochs;
}

/* Task k: the k-th trial of which, in plan order. */
static int run_one(void *ctx, long k)
{
	sweep_job *job = ctx;
	size_t i = job->which[k];
	trial_run r = { job, i, NULL, 0, -INFINITY, 0 };
	lrs_train_result res;
	lrs_trial_outcome o;
	int rc = hand_start(job, i);

	if (rc != 0) {   /* skipped or refused: it will never report an epoch */
		table_end(job, i);
		return rc < 0 ? rc : 0;
	}
	memset(&o, 0, sizeof o);
	if (!(r.epochs = calloc((size_t)job->plan->items[i].epochs, sizeof *r.epochs)))
		o.error = "out of memory";
	else if (job->plan->items[i].error) {   /* its schedule refused its values: failed, never trained */
		o.error = job->plan->items[i].error;
		o.epochs = r.epochs;
	} else
		train_one(job, &r, &res, &o);
	table_end(job, i);
	rc = hand_finish(job, i, &o);
	free(r.epochs);
	return rc;
}

/* ------------------------------------------------------------ the sweep */

/* The pruning table: trials of this sweep start empty; the others are
 * ended, with what the prior says they reached. */
static int table_init(sweep_job *job, const size_t *which, size_t n, const lrs_trials_prior *prior)
{
	const lrs_plan *p = job->plan;

	for (size_t i = 0; i < p->n; i++)
		if (p->items[i].epochs > job->max_epochs)
			job->max_epochs = p->items[i].epochs;
	job->val = malloc((p->n * (size_t)job->max_epochs + 1) * sizeof *job->val);
	job->reached = calloc(p->n + 1, sizeof *job->reached);
	job->ended = malloc(p->n + 1);
	if (!job->val || !job->reached || !job->ended)
		return lrs_error_set(LRS_ENOMEM, "out of memory for the pruning table of %zu trials", p->n);
	for (size_t k = 0; k < p->n * (size_t)job->max_epochs; k++)
		job->val[k] = NAN;
	memset(job->ended, 1, p->n + 1);
	for (size_t k = 0; k < n; k++)
		job->ended[which[k]] = 0;
	for (size_t i = 0; prior && i < p->n; i++) {
		if (!job->ended[i] || !prior->val_accuracy[i])
			continue;
		job->reached[i] = prior->epochs[i] < job->max_epochs ? prior->epochs[i] : job->max_epochs;
		for (long e = 0; e < job->reached[i]; e++)
			job->val[i * (size_t)job->max_epochs + (size_t)e] = prior->val_accuracy[i][e];
	}
	return 0;
}

int lrs_trials_run(const lrs_plan *plan, const size_t *which, size_t n, const lrs_dataset *ds,
                   int threads, const lrs_prune_config *prune, const lrs_trials_prior *prior,
                   const lrs_trials_hooks *hooks_in)
{
	sweep_job job;
	int rc;

	memset(&job, 0, sizeof job);
	job.plan = plan;
	job.which = which;
	job.ds = ds;
	job.prune = prune && prune->type != LRS_PRUNE_NONE ? prune : NULL;
	job.hooks = hooks_in;
	pthread_mutex_init(&job.lock, NULL);
	pthread_cond_init(&job.changed, NULL);
	pthread_mutex_init(&job.handoff, NULL);
	rc = table_init(&job, which, n, prior);
	if (rc == 0)
		rc = lrs_run_tasks((long)n, threads, run_one, &job);
	free(job.val);
	free(job.reached);
	free(job.ended);
	pthread_mutex_destroy(&job.handoff);
	pthread_cond_destroy(&job.changed);
	pthread_mutex_destroy(&job.lock);
	return rc;
}
