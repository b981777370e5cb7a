/* plateau.c - reduce_on_plateau: PyTorch ReduceLROnPlateau's state machine.
 *
 * Fed one metric per epoch (validation accuracy with mode max, validation
 * loss with mode min), it cuts the rate by `factor` after more than
 * `patience` epochs without an improvement of more than `threshold`, then
 * waits `cooldown` epochs, never going below `min_lr`. */
#include <assert.h>
#include <math.h>

#include "lrsweep/error.h"
#include "internal.h"

int lrs_plateau_init(lrs_plateau *st, const lrs_sched *s)
{
	if (s->type != LRS_SCHED_REDUCE_ON_PLATEAU)
		return lrs_error_set(LRS_EINVALID, "not a reduce_on_plateau schedule");
	st->sched = s;
	st->lr = s->u.plateau.lr;
	st->best = s->u.plateau.mode == PLATEAU_MIN ? INFINITY : -INFINITY;
	st->num_bad_epochs = 0;
	st->cooldown_counter = 0;
	st->epochs = 0;
	return 0;
}

int lrs_plateau_minimizes(const lrs_plateau *st)
{
	return st->sched->u.plateau.mode == PLATEAU_MIN;
}

/* PyTorch's is_better, for the four mode/threshold_mode combinations. */
static int is_better(const lrs_sched *s, double a, double best)
{
	double th = s->u.plateau.threshold;

	if (s->u.plateau.mode == PLATEAU_MIN)
		return s->u.plateau.threshold_mode == THRESHOLD_REL ? a < best * (1. - th) : a < best - th;
	return s->u.plateau.threshold_mode == THRESHOLD_REL ? a > best * (th + 1.) : a > best + th;
}

double lrs_plateau_step(lrs_plateau *st, double metric)
{
	const lrs_sched *s = st->sched;

	st->epochs++;
	if (is_better(s, metric, st->best)) {
		st->best = metric;
		st->num_bad_epochs = 0;
	} else {
		st->num_bad_epochs++;
	}
	if (st->cooldown_counter > 0) {
		st->cooldown_counter--;
		st->num_bad_epochs = 0;   /* bad epochs in cooldown do not count */
	}
	if (st->num_bad_epochs > s->u.plateau.patience) {
		double new_lr = fmax(st->lr * s->u.plateau.factor, s->u.plateau.min_lr);
		if (st->lr - new_lr > s->u.plateau.eps)
			st->lr = new_lr;
		st->cooldown_counter = s->u.plateau.cooldown;
		st->num_bad_epochs = 0;
	}
	return st->lr;
}

long lrs_plateau_epochs_fed(long steps, long steps_per_epoch, size_t n_metrics)
{
	long fed = steps > 0 ? (steps - 1) / steps_per_epoch : 0;

	return (size_t)fed < n_metrics ? fed : (long)n_metrics;
}

int lrs_plateau_rates(double *lr, const lrs_sched *s, long steps, long steps_per_epoch, const double *metrics,
                      size_t n_metrics)
{
	lrs_plateau st = { 0 };
	double rate;
	int rc;

	assert(steps_per_epoch > 0);
	if ((rc = lrs_plateau_init(&st, s)) < 0)
		return rc;
	rate = st.lr;
	for (long i = 0; i < steps; i++) {
		long e = i / steps_per_epoch;   /* metrics fed before this step */
		while (st.epochs < e && (size_t)st.epochs < n_metrics)
			rate = lrs_plateau_step(&st, metrics[st.epochs]);
		lr[i] = rate;
	}
	return 0;
}
