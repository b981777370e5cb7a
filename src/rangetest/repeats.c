/* repeats.c - a range test with repeats: independent runs on the runner's
 * threads, their mean curve, and every bound rule on it.
 *
 * Repeat r trains from its own seed, so the curves differ in
 * initialisation and shuffles, and the outcome does not depend on the
 * thread count. The mean is taken point by point up to the shortest repeat
 * (a repeat that stopped early ends the mean there: nothing is averaged
 * with a missing or NaN point). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lrsweep/error.h"
#include "lrsweep/rangetest.h"
#include "lrsweep/rng.h"
#include "lrsweep/runner.h"

uint64_t lrs_range_seed(uint64_t seed, long r)
{
	return lrs_rng_mix(seed ^ lrs_rng_mix(0x72616e6765ULL + (uint64_t)r));   /* "range" + r */
}

typedef struct {
	const lrs_dataset *ds;
	const lrs_train_config *base;
	const lrs_range_config *rc;
	lrs_range_outcome *out;
} repeat_job;

static int run_repeat(void *ctx, long r)
{
	repeat_job *job = ctx;
	lrs_train_config cfg = *job->base;
	char key[96];

	cfg.seed = job->out->seeds[r];
	if (cfg.run_key) {   /* each repeat's program has a name of its own */
		snprintf(key, sizeof key, "%.80s-%ld", cfg.run_key, r);
		cfg.run_key = key;
	}
	return lrs_range_run(&job->out->curves[r], job->ds, &cfg, job->rc);
}

static lrs_pick_curve curve_of(const double *lr, const double *loss, const double *smoothed,
                               const double *acc, long n, const lrs_range_config *rc)
{
	lrs_pick_curve c = { lr, loss, smoothed, acc, (size_t)n, rc->mode == LRS_RAMP_EXPONENTIAL,
	                     rc->stop_factor, 0, 0 };
	return c;
}

/* The trials' updates over the ramp's: rc->trial_epochs at the test's batch
 * size, over rc->iterations. 0 when unknown: no trial length, or an
 * external program that has not said its steps per epoch. */
static double horizon_of(const lrs_dataset *ds, const lrs_train_config *base, const lrs_range_config *rc)
{
	if (rc->trial_epochs <= 0 || rc->iterations <= 0 || !ds)
		return 0;
	if (ds->external && lrs_dataset_steps(ds, base->batch_size) <= 0)
		return 0;
	return (double)rc->trial_epochs * (double)lrs_train_steps_per_epoch(ds, base->batch_size) /
	       (double)rc->iterations;
}

static void mean_curve(lrs_range_outcome *o)
{
	for (long i = 0; i < o->n; i++) {
		double loss = 0, sm = 0, acc = 0;
		for (long r = 0; r < o->repeats; r++) {
			loss += o->curves[r].loss[i];
			sm += o->curves[r].smoothed_loss[i];
			acc += o->curves[r].accuracy[i];   /* NAN if any repeat skipped it */
		}
		o->lr[i] = o->curves[0].lr[i];
		o->loss[i] = loss / (double)o->repeats;
		o->smoothed_loss[i] = sm / (double)o->repeats;
		o->accuracy[i] = acc / (double)o->repeats;
	}
}

int lrs_range_test(lrs_range_outcome *out, const lrs_dataset *ds, const lrs_train_config *base,
                   const lrs_range_config *rc, long repeats, int threads)
{
	repeat_job job = { ds, base, rc, out };
	lrs_pick_result *per = NULL;
	struct timespec t0, t1;
	int err;

	memset(out, 0, sizeof *out);
	if (repeats < 1)
		return lrs_error_set(LRS_EINVALID, "range test: repeats must be at least 1");
	if ((err = lrs_range_check(rc)) < 0)
		return err;
	out->repeats = repeats;
	out->curves = calloc((size_t)repeats, sizeof *out->curves);
	out->seeds = calloc((size_t)repeats, sizeof *out->seeds);
	per = calloc((size_t)repeats, sizeof *per);
	if (!out->curves || !out->seeds || !per) {
		err = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto fail;
	}
	for (long r = 0; r < repeats; r++)
		out->seeds[r] = lrs_range_seed(base->seed, r);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = rc->run_repeats ? rc->run_repeats(rc->run_repeats_ctx, rc, repeats, out->seeds, out->curves)
	                      : lrs_run_tasks(repeats, threads, run_repeat, &job);
	if (err < 0)
		goto fail;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out->wall_seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	if (rc->stop && *rc->stop) {   /* cut short: the caller keeps nothing of it, and reading a
	                                  long partial curve (loss-steepest's windows) took a minute */
		err = lrs_error_set(LRS_EINTERRUPT, "range test: interrupted");
		goto fail;
	}

	out->n = out->curves[0].n;
	for (long r = 1; r < repeats; r++)
		out->n = out->curves[r].n < out->n ? out->curves[r].n : out->n;
	size_t n = out->n > 0 ? (size_t)out->n : 1;
	out->lr = malloc(n * sizeof *out->lr);
	out->loss = malloc(n * sizeof *out->loss);
	out->smoothed_loss = malloc(n * sizeof *out->smoothed_loss);
	out->accuracy = malloc(n * sizeof *out->accuracy);
	if (!out->lr || !out->loss || !out->smoothed_loss || !out->accuracy) {
		err = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto fail;
	}
	mean_curve(out);
	lrs_pick_curve mean = curve_of(out->lr, out->loss, out->smoothed_loss, out->accuracy, out->n, rc);
	mean.horizon = horizon_of(ds, base, rc);
	lrs_pick_all(out->picks, &mean);
	for (int rule = 0; rule < LRS_PICK__COUNT; rule++) {
		for (long r = 0; r < repeats; r++) {
			const lrs_range_curve *c = &out->curves[r];
			lrs_pick_curve one = curve_of(c->lr, c->loss, c->smoothed_loss, c->accuracy, c->n, rc);
			one.horizon = mean.horizon;
			lrs_pick(&per[r], (lrs_pick_rule)rule, &one);
		}
		lrs_pick_spread(&out->min_spread[rule], &out->max_spread[rule], per, (size_t)repeats);
	}
	free(per);
	return 0;
fail:
	free(per);
	lrs_range_outcome_free(out);
	return err;
}

long lrs_range_probe_iterations(const lrs_optim_config *o)
{
	double beta = o->type == LRS_OPTIM_SGD ? o->momentum : o->beta1;
	double scale = beta < 1 ? 1 / (1 - beta) / LRS_RANGE_PROBE_MEMORY : LRS_RANGE_PROBE_MAX_SCALE;

	if (!(scale > 1))
		return LRS_RANGE_PROBE_ITERATIONS;
	if (scale > LRS_RANGE_PROBE_MAX_SCALE)
		scale = LRS_RANGE_PROBE_MAX_SCALE;
	return lround(LRS_RANGE_PROBE_ITERATIONS * scale);
}

int lrs_range_probe(lrs_pick_result *out, const lrs_dataset *ds, const lrs_train_config *base,
                    const lrs_range_config *linear, long iterations)
{
	lrs_range_config rc = *linear;
	lrs_range_curve c;
	int err;

	rc.mode = LRS_RAMP_EXPONENTIAL;
	rc.start_lr = LRS_RANGE_PROBE_START;
	rc.end_lr = LRS_RANGE_PROBE_END;
	rc.iterations = iterations;
	rc.eval_every = rc.iterations / LRS_RANGE_PROBE_EVALS;
	rc.progress = NULL;
	rc.run_repeats = NULL;
	if ((err = lrs_range_run(&c, ds, base, &rc)) < 0)
		return err;
	lrs_pick_curve pc = curve_of(c.lr, c.loss, c.smoothed_loss, c.accuracy, (size_t)c.n, &rc);
	pc.chance_loss = ds && !ds->external && ds->classes >= 2 ? log(ds->classes) : 0;
	int r = lrs_pick_probe(out, &pc);
	lrs_range_curve_free(&c);
	return r;
}

/* The retry's length after a probe of n updates found no range (or saw no
 * learning): LRS_RANGE_PROBE_RETRY x n, at most the longest probe; 0 (no
 * retry) when that is not at least twice n. */
static long probe_retry_iterations(long n)
{
	long longest = lround(LRS_RANGE_PROBE_ITERATIONS * LRS_RANGE_PROBE_MAX_SCALE);
	long retry = n * LRS_RANGE_PROBE_RETRY;

	if (retry > longest)
		retry = longest;
	return retry >= 2 * n ? retry : 0;
}

/* Appends to probe->why what the other probe of the pair found (each part
 * cut to fit: both are single sentences, well under). */
static void probe_note(lrs_pick_result *probe, const char *note)
{
	char why[sizeof probe->why];

	snprintf(why, sizeof why, "%.200s; %.290s",
	         probe->why[0] || !probe->ok ? probe->why : "the probe's loss is lowest there", note);
	memcpy(probe->why, why, sizeof why);
}

int lrs_range_auto(lrs_range_config *rc, lrs_pick_result *probe, long *iterations, const lrs_dataset *ds,
                   const lrs_train_config *base)
{
	long n = lrs_range_probe_iterations(&base->optim), retry;
	int r;

	if ((r = lrs_range_probe(probe, ds, base, rc, n)) < 0)
		return r;
	if ((!probe->ok || r == LRS_PICK_PROBE_UNLEARNED) && (retry = probe_retry_iterations(n)) > 0) {
		lrs_pick_result first = *probe;
		char note[sizeof probe->why];

		if ((r = lrs_range_probe(probe, ds, base, rc, retry)) < 0)
			return r;
		if (probe->ok) {                 /* the longer probe's range */
			snprintf(note, sizeof note, first.ok ? "a probe of %ld updates before it: %.200s" :
			         "a probe of %ld updates before it had found no range (%.200s)", n, first.why);
			n = retry;
		} else if (first.ok) {           /* the shorter probe's stands */
			snprintf(note, sizeof note, "a probe of %ld updates after it found no range (%.200s)", retry,
			         probe->why);
			*probe = first;
		} else {
			snprintf(note, sizeof note, "a probe of %ld updates before it had found none either", n);
			n = retry;
		}
		probe_note(probe, note);
	}
	if (iterations)
		*iterations = n;
	if (rc->iterations < LRS_RANGE_AUTO_ITERATIONS)
		rc->iterations = LRS_RANGE_AUTO_ITERATIONS;
	if (probe->ok) {
		rc->start_lr = probe->min_lr;
		rc->end_lr = probe->max_lr;
	}
	return 0;
}

void lrs_range_outcome_free(lrs_range_outcome *o)
{
	for (long r = 0; o->curves && r < o->repeats; r++)
		lrs_range_curve_free(&o->curves[r]);
	free(o->curves);
	free(o->seeds);
	free(o->lr);
	free(o->loss);
	free(o->smoothed_loss);
	free(o->accuracy);
	memset(o, 0, sizeof *o);
}
