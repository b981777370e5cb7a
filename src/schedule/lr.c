/* lr.c - the learning-rate formulas: lr(step) and momentum(step).
 *
 * Each function reproduces the arithmetic of the system its schedule comes
 * from, in the same order of operations where that matters, so that values
 * agree to rounding: PyTorch 1.13's torch.optim.lr_scheduler (the rate the
 * optimizer holds after `step` calls of scheduler.step()), Keras's
 * LearningRateSchedule.__call__(step), the CLR paper's policies and the
 * SGDRScheduler callback. Everything here is pure: no state, no allocation. */
#include <math.h>

#include "lrsweep/rng.h"
#include "internal.h"

#define LRS_PI 3.14159265358979323846

/* ------------------------------------------------------ PyTorch family */

static double constant_lr(const lrs_sched *s, long i)
{
	/* ConstantLR: factor until total_iters. With total_iters == 0 PyTorch
	 * applies the factor at step 0 and never removes it (its get_lr only
	 * undoes the factor at last_epoch == total_iters, and step 0 is handled
	 * first); the optimizer keeps lr*factor for good. Inside sequential,
	 * a restarted ConstantLR takes the closed form (step(0)), which has
	 * no such quirk. */
	double lr = s->u.constant.lr, factor = s->u.constant.factor;
	long total = s->u.constant.total_iters;

	if (total == 0 && !s->restarted)
		return lr * factor;
	return lr * (factor + (i >= total) * (1 - factor));
}

static double step_lr(const lrs_sched *s, long i)
{
	return s->u.step.lr * pow(s->u.step.gamma, (double)(i / s->u.step.step_size));
}

/* bisect_right: how many of the sorted values are <= x. */
static size_t count_le(const lrs_steps_list *l, long x)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (l->v[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static double multistep_lr(const lrs_sched *s, long i)
{
	size_t k = count_le(&s->u.multistep.milestones, i);
	return s->u.multistep.lr * pow(s->u.multistep.gamma, (double)k);
}

static double exponential_lr(const lrs_sched *s, long i)
{
	return s->u.exponential.lr * pow(s->u.exponential.gamma, (double)i);
}

static double linear_lr(const lrs_sched *s, long i)
{
	double sf = s->u.linear.start_factor, ef = s->u.linear.end_factor;
	long total = s->u.linear.total_iters;
	long t = i < total ? i : total;

	return s->u.linear.lr * (sf + (ef - sf) * (double)t / (double)total);
}

static double polynomial_lr(const lrs_sched *s, long i)
{
	long total = s->u.polynomial.total_iters;
	long t = i < total ? i : total;

	return s->u.polynomial.lr * pow(1.0 - (double)t / (double)total, s->u.polynomial.power);
}

static double cosine_lr(const lrs_sched *s, long i)
{
	/* CosineAnnealingLR's closed form; past T_max it rises again, as
	 * PyTorch's does (period 2*T_max). */
	double eta = s->u.cosine.eta_min, base = s->u.cosine.lr;

	return eta + (base - eta) * (1 + cos(LRS_PI * (double)i / (double)s->u.cosine.T_max)) / 2;
}

static double warm_restarts_lr(const lrs_sched *s, long i)
{
	long T_i = s->u.warm.T_0, T_cur = i;
	double eta = s->u.warm.eta_min, base = s->u.warm.lr;

	if (s->u.warm.T_mult == 1) {
		T_cur = i % T_i;
	} else {
		while (T_cur >= T_i) {   /* as step() does: T_cur -= T_i; T_i *= T_mult */
			T_cur -= T_i;
			T_i *= s->u.warm.T_mult;
		}
	}
	return eta + (base - eta) * (1 + cos(LRS_PI * (double)T_cur / (double)T_i)) / 2;
}

/* OneCycleLR: the phase containing `i` and the fraction done of it. */
typedef struct {
	double start_lr, end_lr;    /* rates at the phase's ends           */
	double start_m, end_m;      /* momenta at the phase's ends         */
	double pct;                 /* fraction of the phase completed     */
} one_cycle_point;

static double anneal(int strategy, double start, double end, double pct)
{
	if (strategy == ANNEAL_COS) {
		double cos_out = cos(LRS_PI * pct) + 1;
		return end + (start - end) / 2.0 * cos_out;
	}
	return (end - start) * pct + start;
}

static one_cycle_point one_cycle_at(const lrs_sched *s, long i)
{
	double T = (double)s->u.one_cycle.total_steps, p = s->u.one_cycle.pct_start;
	double initial = s->u.one_cycle.max_lr / s->u.one_cycle.div_factor;
	double peak = s->u.one_cycle.max_lr;
	double floor_lr = initial / s->u.one_cycle.final_div_factor;
	double mlo = s->u.one_cycle.base_momentum, mhi = s->u.one_cycle.max_momentum;
	double ends[3];            /* end_step of each phase, as PyTorch computes */
	one_cycle_point ph[3];
	int n;

	if (s->u.one_cycle.three_phase) {
		ends[0] = p * T - 1;
		ends[1] = 2 * p * T - 2;
		ends[2] = T - 1;
		ph[0] = (one_cycle_point){ initial, peak, mhi, mlo, 0 };
		ph[1] = (one_cycle_point){ peak, initial, mlo, mhi, 0 };
		ph[2] = (one_cycle_point){ initial, floor_lr, mhi, mhi, 0 };
		n = 3;
	} else {
		ends[0] = p * T - 1;
		ends[1] = T - 1;
		ph[0] = (one_cycle_point){ initial, peak, mhi, mlo, 0 };
		ph[1] = (one_cycle_point){ peak, floor_lr, mlo, mhi, 0 };
		n = 2;
	}
	double start = 0;
	for (int k = 0; k < n; k++) {
		if ((double)i <= ends[k] || k == n - 1) {
			ph[k].pct = ((double)i - start) / (ends[k] - start);
			return ph[k];
		}
		start = ends[k];
	}
	return ph[n - 1];   /* not reached */
}

static double one_cycle_lr(const lrs_sched *s, long i)
{
	one_cycle_point pt = one_cycle_at(s, i);
	return anneal(s->u.one_cycle.anneal_strategy, pt.start_lr, pt.end_lr, pt.pct);
}

static double one_cycle_momentum(const lrs_sched *s, long i)
{
	one_cycle_point pt = one_cycle_at(s, i);
	return anneal(s->u.one_cycle.anneal_strategy, pt.start_m, pt.end_m, pt.pct);
}

/* CyclicLR: the position in the cycle and the amplitude scale. */
static void cyclic_at(const lrs_sched *s, long i, double *scale_factor, double *scale)
{
	double up = (double)s->u.cyclic.step_size_up, down = (double)s->u.cyclic.step_size_down;
	double total_size = up + down;
	double step_ratio = up / total_size;
	double cycle = floor(1 + (double)i / total_size);
	double x = 1. + (double)i / total_size - cycle;

	*scale_factor = x <= step_ratio ? x / step_ratio : (x - 1) / (step_ratio - 1);
	switch (s->u.cyclic.mode) {
	case CYCLIC_TRIANGULAR2: *scale = 1 / pow(2., cycle - 1); break;
	case CYCLIC_EXP_RANGE:   *scale = pow(s->u.cyclic.gamma, (double)i); break;
	default:                 *scale = 1.; break;
	}
}

static double cyclic_lr(const lrs_sched *s, long i)
{
	double sf, scale;

	cyclic_at(s, i, &sf, &scale);
	double base_height = (s->u.cyclic.max_lr - s->u.cyclic.base_lr) * sf;
	return s->u.cyclic.base_lr + base_height * scale;
}

static double cyclic_momentum(const lrs_sched *s, long i)
{
	double sf, scale;

	cyclic_at(s, i, &sf, &scale);
	double base_height = (s->u.cyclic.max_momentum - s->u.cyclic.base_momentum) * sf;
	return s->u.cyclic.max_momentum - base_height * scale;
}

/* ------------------------------------------------------- CLR policies */

static double clr_lr(const lrs_sched *s, long i)
{
	double ss = (double)s->u.clr.step_size;
	double cycle = floor(1 + (double)i / (2 * ss));
	double x = fabs((double)i / ss - 2 * cycle + 1);
	double w, scale;

	switch (s->u.clr.window) {
	case WINDOW_WELCH: w = 1 - x * x; break;
	case WINDOW_HANN:  w = (1 + cos(LRS_PI * x)) / 2; break;
	default:           w = fmax(0, 1 - x); break;
	}
	if (s->type == LRS_SCHED_TRIANGULAR2)
		scale = 1 / pow(2, cycle - 1);
	else if (s->type == LRS_SCHED_EXP_RANGE)
		scale = pow(s->u.clr.gamma, (double)i);
	else
		scale = 1;
	return s->u.clr.base_lr + (s->u.clr.max_lr - s->u.clr.base_lr) * w * scale;
}

/* --------------------------------------------------------- Keras family */

static double exponential_decay_lr(const lrs_sched *s, long i)
{
	double p = (double)i / (double)s->u.decay.decay_steps;

	if (s->u.decay.staircase)
		p = floor(p);
	return s->u.decay.initial_learning_rate * pow(s->u.decay.decay_rate, p);
}

static double inverse_time_decay_lr(const lrs_sched *s, long i)
{
	double p = (double)i / (double)s->u.decay.decay_steps;

	if (s->u.decay.staircase)
		p = floor(p);
	return s->u.decay.initial_learning_rate / (1 + s->u.decay.decay_rate * p);
}

static double piecewise_lr(const lrs_sched *s, long i)
{
	/* values[0] while step <= boundaries[0]; values[k] while
	 * boundaries[k-1] < step <= boundaries[k]; the last value after. */
	const lrs_steps_list *b = &s->u.piecewise.boundaries;
	size_t k = 0;

	while (k < b->n && i > b->v[k])
		k++;
	return s->u.piecewise.values.v[k];
}

static double polynomial_decay_lr(const lrs_sched *s, long i)
{
	double step = (double)i, decay_steps = (double)s->u.poly_decay.decay_steps;
	double init = s->u.poly_decay.initial_learning_rate, end = s->u.poly_decay.end_learning_rate;

	if (s->u.poly_decay.cycle) {
		double multiplier = i == 0 ? 1.0 : ceil(step / decay_steps);
		decay_steps = decay_steps * multiplier;
	} else {
		step = fmin(step, decay_steps);
	}
	double p = step / decay_steps;
	return (init - end) * pow(1 - p, s->u.poly_decay.power) + end;
}

static double cosine_decay_lr(const lrs_sched *s, long i)
{
	double step = (double)i, decay_steps = (double)s->u.cos_decay.decay_steps;
	double alpha = s->u.cos_decay.alpha, init = s->u.cos_decay.initial_learning_rate;
	double from = init;

	if (!isnan(s->u.cos_decay.warmup_target)) {
		double warmup_steps = (double)s->u.cos_decay.warmup_steps;
		double target = s->u.cos_decay.warmup_target;
		step = fmin(step, decay_steps + warmup_steps);
		if (step < warmup_steps)
			return (target - init) * (step / warmup_steps) + init;
		step -= warmup_steps;
		from = target;
	} else {
		step = fmin(step, decay_steps);
	}
	double cosine_decayed = 0.5 * (1.0 + cos(LRS_PI * (step / decay_steps)));
	double decayed = (1 - alpha) * cosine_decayed + alpha;
	return from * decayed;
}

static double cosine_decay_restarts_lr(const lrs_sched *s, long i)
{
	double t_mul = s->u.restarts.t_mul, m_mul = s->u.restarts.m_mul, alpha = s->u.restarts.alpha;
	double f = (double)i / (double)s->u.restarts.first_decay_steps;
	double i_restart;

	if (t_mul == 1.0) {
		i_restart = floor(f);
		f -= i_restart;
	} else {
		i_restart = floor(log(1.0 - f * (1.0 - t_mul)) / log(t_mul));
		double sum_r = (1.0 - pow(t_mul, i_restart)) / (1.0 - t_mul);
		f = (f - sum_r) / pow(t_mul, i_restart);
	}
	double m_fac = pow(m_mul, i_restart);
	double cosine_decayed = 0.5 * m_fac * (1.0 + cos(LRS_PI * f));
	double decayed = (1 - alpha) * cosine_decayed + alpha;
	return s->u.restarts.initial_learning_rate * decayed;
}

static double linear_cosine_lr(const lrs_sched *s, long i)
{
	double decay_steps = (double)s->u.lin_cos.decay_steps;
	double step = fmin((double)i, decay_steps);
	double linear_decayed = (decay_steps - step) / decay_steps;

	if (s->type == LRS_SCHED_NOISY_LINEAR_COSINE_DECAY) {
		/* TF draws fresh N(0, variance) noise at every call; here the draw
		 * is a hash of (seed, step), so the schedule stays a function. */
		double variance = s->u.lin_cos.initial_variance /
		                  pow(1.0 + step, s->u.lin_cos.variance_decay);
		double z = lrs_rng_hash_normal((uint64_t)s->u.lin_cos.seed, (uint64_t)i);
		linear_decayed = linear_decayed + z * sqrt(variance);
	}
	double completed_fraction = step / decay_steps;
	double fraction = 2.0 * s->u.lin_cos.num_periods * completed_fraction;
	double cosine_decayed = 0.5 * (1.0 + cos(LRS_PI * fraction));
	double decayed = (s->u.lin_cos.alpha + linear_decayed) * cosine_decayed + s->u.lin_cos.beta;
	return s->u.lin_cos.initial_learning_rate * decayed;
}

/* ----------------------------------------------------------------- SGDR */

static double sgdr_lr(const lrs_sched *s, long i)
{
	double L = (double)s->u.sgdr.cycle_length;       /* cycle length, epochs */
	double spe = (double)s->u.sgdr.steps_per_epoch;
	double t = (double)i, max_k = s->u.sgdr.max_lr, min_lr = s->u.sgdr.min_lr;

	if (s->u.sgdr.mult_factor == 1) {   /* equal cycles: no walk */
		double k = floor(t / (spe * L));
		t -= k * spe * L;
		max_k *= pow(s->u.sgdr.lr_decay, k);
	}
	while (t >= spe * L) {   /* growing cycles: O(log step) of them */
		t -= spe * L;
		L = ceil(L * s->u.sgdr.mult_factor);
		max_k *= s->u.sgdr.lr_decay;
	}
	return min_lr + (max_k - min_lr) * (1 + cos(LRS_PI * t / (spe * L))) / 2;
}

/* ---------------------------------------------------------- sequential */

/* The inner schedule in force at step i and the step within it. */
static const lrs_sched *seq_at(const lrs_sched *s, long i, long *inner)
{
	size_t k = count_le(&s->u.seq.milestones, i);

	*inner = k ? i - s->u.seq.milestones.v[k - 1] : i;
	return s->u.seq.schedules[k];
}

/* -------------------------------------------------------------- dispatch */

double lrs_sched_lr(const lrs_sched *s, long i)
{
	switch (s->type) {
	case LRS_SCHED_CONSTANT:                 return constant_lr(s, i);
	case LRS_SCHED_STEP:                     return step_lr(s, i);
	case LRS_SCHED_MULTISTEP:                return multistep_lr(s, i);
	case LRS_SCHED_EXPONENTIAL:              return exponential_lr(s, i);
	case LRS_SCHED_LINEAR:                   return linear_lr(s, i);
	case LRS_SCHED_POLYNOMIAL:               return polynomial_lr(s, i);
	case LRS_SCHED_COSINE_ANNEALING:         return cosine_lr(s, i);
	case LRS_SCHED_COSINE_ANNEALING_WARM_RESTARTS: return warm_restarts_lr(s, i);
	case LRS_SCHED_ONE_CYCLE:                return one_cycle_lr(s, i);
	case LRS_SCHED_CYCLIC:                   return cyclic_lr(s, i);
	case LRS_SCHED_TRIANGULAR:
	case LRS_SCHED_TRIANGULAR2:
	case LRS_SCHED_EXP_RANGE:                return clr_lr(s, i);
	case LRS_SCHED_EXPONENTIAL_DECAY:        return exponential_decay_lr(s, i);
	case LRS_SCHED_INVERSE_TIME_DECAY:       return inverse_time_decay_lr(s, i);
	case LRS_SCHED_PIECEWISE_CONSTANT_DECAY: return piecewise_lr(s, i);
	case LRS_SCHED_POLYNOMIAL_DECAY:         return polynomial_decay_lr(s, i);
	case LRS_SCHED_COSINE_DECAY:             return cosine_decay_lr(s, i);
	case LRS_SCHED_COSINE_DECAY_RESTARTS:    return cosine_decay_restarts_lr(s, i);
	case LRS_SCHED_LINEAR_COSINE_DECAY:
	case LRS_SCHED_NOISY_LINEAR_COSINE_DECAY: return linear_cosine_lr(s, i);
	case LRS_SCHED_SGDR:                     return sgdr_lr(s, i);
	case LRS_SCHED_REDUCE_ON_PLATEAU:        return s->u.plateau.lr;
	case LRS_SCHED_SEQUENTIAL: {
		long inner;
		const lrs_sched *cur = seq_at(s, i, &inner);
		return lrs_sched_lr(cur, inner);
	}
	case LRS_SCHED__COUNT: break;
	}
	return NAN;
}

int lrs_sched_cycles_momentum(const lrs_sched *s)
{
	if (s->type == LRS_SCHED_ONE_CYCLE)
		return s->u.one_cycle.cycle_momentum;
	if (s->type == LRS_SCHED_CYCLIC)
		return s->u.cyclic.cycle_momentum;
	return 0;
}

double lrs_sched_momentum(const lrs_sched *s, long i)
{
	if (!lrs_sched_cycles_momentum(s))
		return NAN;
	return s->type == LRS_SCHED_ONE_CYCLE ? one_cycle_momentum(s, i) : cyclic_momentum(s, i);
}

long lrs_sched_step_limit(const lrs_sched *s)
{
	if (s->type == LRS_SCHED_ONE_CYCLE)
		return s->u.one_cycle.total_steps + 1;
	if (s->type == LRS_SCHED_SEQUENTIAL) {
		/* only the last inner schedule can run out */
		size_t last = s->u.seq.n_schedules - 1;
		long lim = lrs_sched_step_limit(s->u.seq.schedules[last]);
		long start = last ? s->u.seq.milestones.v[last - 1] : 0;
		return lim < 0 ? -1 : start + lim;
	}
	return -1;
}

lrs_sched_type lrs_sched_get_type(const lrs_sched *s) { return s->type; }

void lrs_sched_rates(double *lr, double *mom, const lrs_sched *s, long steps)
{
	int cycles = lrs_sched_cycles_momentum(s);

	for (long i = 0; i < steps; i++) {
		lr[i] = lrs_sched_lr(s, i);
		if (cycles)
			mom[i] = lrs_sched_momentum(s, i);
	}
}
