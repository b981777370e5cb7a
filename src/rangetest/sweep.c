/* sweep.c - one LR range test on the shared training loop.
 *
 * The ramp is an ordinary schedule (PyTorch's LinearLR from start/end to 1,
 * or ExponentialLR with gamma = (end/start)^(1/(N-1))), so the test trains
 * exactly as a trial would. A per-step hook keeps the curve: the rate, the
 * batch loss, its bias-corrected exponential moving average, and every
 * eval_every steps the accuracy on the first eval_samples validation
 * samples. The run stops early when the smoothed loss exceeds stop_factor
 * times its minimum (the point that crossed is kept) or the loss is not
 * finite (the curve ends before that step: nothing NaN is recorded). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lrsweep/error.h"
#include "lrsweep/rangetest.h"

double lrs_range_lr(const lrs_range_config *rc, long i)
{
	double f = rc->iterations > 1 ? (double)i / (double)(rc->iterations - 1) : 0;

	if (rc->mode == LRS_RAMP_EXPONENTIAL)
		return rc->start_lr * pow(rc->end_lr / rc->start_lr, f);
	return rc->start_lr + (rc->end_lr - rc->start_lr) * f;
}

int lrs_range_check(const lrs_range_config *rc)
{
	if (!(rc->start_lr > 0) || !isfinite(rc->start_lr))
		return lrs_error_set(LRS_EINVALID, "range test: start_lr must be > 0, got %g", rc->start_lr);
	if (!(rc->end_lr > rc->start_lr) || !isfinite(rc->end_lr))
		return lrs_error_set(LRS_EINVALID, "range test: end_lr (%g) must be above start_lr (%g)",
		                     rc->end_lr, rc->start_lr);
	if (rc->iterations < 2)
		return lrs_error_set(LRS_EINVALID, "range test: needs at least 2 iterations, got %ld", rc->iterations);
	if (rc->eval_every < 1)
		return lrs_error_set(LRS_EINVALID, "range test: eval_every must be >= 1, got %ld", rc->eval_every);
	if (!(rc->smoothing >= 0 && rc->smoothing < 1))
		return lrs_error_set(LRS_EINVALID, "range test: smoothing must be in [0, 1), got %g", rc->smoothing);
	if (!(rc->stop_factor == 0 || rc->stop_factor > 1))
		return lrs_error_set(LRS_EINVALID, "range test: stop_factor must be > 1 (or 0: never), got %g",
		                     rc->stop_factor);
	return 0;
}

/* The ramp as a schedule of the training loop. */
static int ramp_schedule(lrs_sched **out, const lrs_range_config *rc)
{
	char a[40], b[40], c[40];
	const char *keys[3];
	const char *vals[3] = { a, b, c };
	size_t n = 0;
	lrs_node *map = NULL, *v;
	int err = lrs_node_new_map(&map, 0, 0);

	if (rc->mode == LRS_RAMP_EXPONENTIAL) {
		keys[0] = "lr";
		snprintf(a, sizeof a, "%.17g", rc->start_lr);
		keys[1] = "gamma";
		snprintf(b, sizeof b, "%.17g", pow(rc->end_lr / rc->start_lr, 1.0 / (double)(rc->iterations - 1)));
		n = 2;
	} else {
		keys[0] = "lr";
		snprintf(a, sizeof a, "%.17g", rc->end_lr);
		keys[1] = "start_factor";
		snprintf(b, sizeof b, "%.17g", rc->start_lr / rc->end_lr);
		keys[2] = "total_iters";
		snprintf(c, sizeof c, "%ld", rc->iterations - 1);
		n = 3;
	}
	for (size_t i = 0; err == 0 && i < n; i++) {
		if ((err = lrs_node_new_scalar(&v, vals[i], 0, 0)) == 0 && (err = lrs_node_append(map, keys[i], v)) < 0)
			lrs_node_free(v);
	}
	if (err == 0)
		err = lrs_sched_build(out, rc->mode == LRS_RAMP_EXPONENTIAL ? "exponential" : "linear", map, NULL);
	lrs_node_free(map);
	return err;
}

/* What the per-step hook needs. */
typedef struct {
	const lrs_range_config *rc;
	const lrs_dataset *ds;
	lrs_range_curve *c;
	double avg;        /* the EMA before bias correction        */
	double best;       /* lowest smoothed loss so far           */
	long told;         /* updates reported to rc->progress      */
} sweep_state;

/* Reports the updates done since the last report to rc->progress. */
static void tell(sweep_state *s, long done)
{
	if (s->rc->progress && done > s->told) {
		s->rc->progress(s->rc->progress_ctx, done - s->told);
		s->told = done;
	}
}

/* The accuracy after update `step`, before on_step of that step. */
static void on_eval(void *ctx, long step, double val_loss, double val_accuracy)
{
	sweep_state *s = ctx;
	(void)val_loss;
	if (step < s->rc->iterations)
		s->c->accuracy[step] = val_accuracy;
}

static int on_step(void *ctx, long step, double lr, double loss)
{
	sweep_state *s = ctx;
	lrs_range_curve *c = s->c;
	double beta = s->rc->smoothing, smoothed;

	s->avg = beta * s->avg + (1 - beta) * loss;
	smoothed = s->avg / (1 - pow(beta, (double)(step + 1)));
	c->lr[step] = lr;
	c->loss[step] = loss;
	c->smoothed_loss[step] = smoothed;
	c->n = step + 1;
	if (c->n % LRS_RANGE_PROGRESS_EVERY == 0)
		tell(s, c->n);
	if (smoothed < s->best)
		s->best = smoothed;
	if (s->rc->stop_factor > 0 && smoothed > s->rc->stop_factor * s->best) {
		c->stopped_at = step;
		return 1;
	}
	return s->rc->stop && *s->rc->stop;   /* interrupted: the curve ends here */
}

int lrs_range_run(lrs_range_curve *out, const lrs_dataset *ds, const lrs_train_config *base,
                  const lrs_range_config *rc)
{
	lrs_train_config cfg = *base;
	lrs_train_result r;
	lrs_sched *ramp = NULL;
	struct timespec t0, t1;
	size_t n;
	int err;

	memset(out, 0, sizeof *out);
	out->stopped_at = -1;
	if ((err = lrs_range_check(rc)) < 0)
		return err;
	if (ds->val.n == 0 && !ds->external)
		return lrs_error_set(LRS_EINVALID, "range test: needs a validation split (data.validation > 0): it holds"
		                     " none of the %zu samples (validation x samples rounds to 0)", ds->train.n);
	n = (size_t)rc->iterations;
	out->lr = malloc(n * sizeof *out->lr);
	out->loss = malloc(n * sizeof *out->loss);
	out->smoothed_loss = malloc(n * sizeof *out->smoothed_loss);
	out->accuracy = malloc(n * sizeof *out->accuracy);
	if (!out->lr || !out->loss || !out->smoothed_loss || !out->accuracy) {
		lrs_range_curve_free(out);
		return lrs_error_set(LRS_ENOMEM, "range test: out of memory for %ld points", rc->iterations);
	}
	for (size_t i = 0; i < n; i++)
		out->accuracy[i] = NAN;   /* between evaluations */
	if ((err = ramp_schedule(&ramp, rc)) < 0) {
		lrs_range_curve_free(out);
		return err;
	}
	long spe = lrs_train_steps_per_epoch(ds, cfg.batch_size);
	cfg.sched = ramp;
	cfg.max_steps = rc->iterations;
	cfg.epochs = (rc->iterations + spe - 1) / spe;
	cfg.eval_each_epoch = 0;
	cfg.skip_test = 1;
	cfg.eval_every = rc->eval_every;
	if (!cfg.stop)
		cfg.stop = rc->stop;
	cfg.eval_samples = rc->eval_samples;
	sweep_state st = { rc, ds, out, 0, INFINITY, 0 };
	lrs_train_hooks hooks = { .ctx = &st, .on_step = on_step, .on_eval = on_eval };

	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = lrs_train_run(&r, ds, &cfg, &hooks);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tell(&st, out->n);
	lrs_sched_free(ramp);
	if (err < 0) {
		lrs_range_curve_free(out);
		return err;
	}
	if (r.status == LRS_RUN_DIVERGED) {
		out->diverged = 1;
		out->stopped_at = r.diverged_at;
	}
	out->wall_seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	return 0;
}

void lrs_range_curve_free(lrs_range_curve *c)
{
	free(c->lr);
	free(c->loss);
	free(c->smoothed_loss);
	free(c->accuracy);
	memset(c, 0, sizeof *c);
	c->stopped_at = -1;
}
