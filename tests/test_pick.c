/* test_pick.c - the bound-picking rules of the LR range test on synthetic
 * curves whose answers are known in closed form (pick.h, SPEC §4).
 *
 * The curves:
 *   - accuracy: a + b sigma(k (x - c)), x = log10(lr) (exponential ramp) or
 *     lr (linear ramp), evaluated every EVERY steps. The rule's answers are
 *     the x where the curve crosses ACC_LO and ACC_HI of its rise between
 *     the first and the last evaluation: x = c + logit(t) / k. The centred
 *     moving average blurs a dense curve by up to ~0.05 decade, noise of
 *     0.01 by ~0.05 more, so clean picks must land within ACC_TOL = 0.1
 *     decade (a factor 1.26), noisy ones within ACC_NOISY_TOL = 0.15.
 *   - loss: L0 - D sigma(k (x - c)) + G exp(g (x - xd)): a fall whose
 *     steepest point is x = c (the growth term's slope there is < 1e-4 of
 *     the fall's), a minimum found here by a dense grid search of the
 *     formula, and a divergence. Clean tests pass this as the smoothed loss
 *     itself, so the answers are the formula's; noisy tests feed raw loss
 *     with noise through lrs_pick_smooth(beta 0.98) and compare against
 *     the same curve without noise (the EMA's lag is the rule's convention,
 *     not an error).
 * Noise is seeded (lrs_rng), so every run sees the same numbers.
 *
 * Stability, stated: over 20 seeds of noise (accuracy sd 0.01, raw loss
 * sd 0.05) on one curve, max_lr varies (max / min over the seeds) by less
 * than a factor 1.5 for accuracy and loss-steepest, 2.5 for loss-valley
 * and 4 for loss-min10 (see stable_under_noise).
 *
 * Every test frees what it allocates (valgrind clean with CK_FORK=no). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/pick.h"
#include "lrsweep/rng.h"
#include "suites.h"


#define N_STEPS        1600   /* points of the standard curve            */
#define EVERY          25     /* steps between accuracy evaluations      */
#define X0             (-6.0) /* log10 of start_lr (exponential curves)  */
#define X1             1.0    /* log10 of end_lr                         */
#define ACC_TOL        0.10   /* decades, clean accuracy curves          */
#define ACC_NOISY_TOL  0.15   /* decades, accuracy noise sd 0.01         */
#define BETA           0.98   /* EMA factor of noisy loss curves         */
#define LOSS_NOISE     0.05   /* sd of the raw loss's noise              */

/* ------------------------------------------------------------ synthetic curves */

typedef struct {
	double a, b, k, c;        /* accuracy a + b sigma(k (x - c))         */
} acc_shape;

typedef struct {
	double L0, D, k, c;       /* fall: L0 - D sigma(k (x - c))           */
	double G, g, xd;          /* growth: G exp(g (x - xd))               */
} loss_shape;

typedef struct {
	double *lr, *loss, *sm, *acc; /* (n) each; one allocation            */
	lrs_pick_curve c;
} synth;

static double sigm(double t)
{
	return 1 / (1 + exp(-t));
}

static double logit(double p)
{
	return log(p / (1 - p));
}

static double acc_at(const acc_shape *s, double x)
{
	return s->a + s->b * sigm(s->k * (x - s->c));
}

static double loss_at(const loss_shape *s, double x)
{
	return s->L0 - s->D * sigm(s->k * (x - s->c)) + s->G * exp(s->g * (x - s->xd));
}

/* A curve of n points ramping from lo to hi (log10 bounds when exponential,
 * rates when linear); loss 1, no accuracy. */
static void synth_init(synth *s, size_t n, int exponential, double lo, double hi)
{
	size_t i;

	s->lr = malloc(4 * n * sizeof *s->lr);
	ck_assert_ptr_nonnull(s->lr);
	s->loss = s->lr + n;
	s->sm = s->loss + n;
	s->acc = s->sm + n;
	for (i = 0; i < n; i++) {
		double t = n > 1 ? (double)i / (double)(n - 1) : 0;

		s->lr[i] = exponential ? pow(10, lo + (hi - lo) * t) : lo + (hi - lo) * t;
		s->loss[i] = s->sm[i] = 1;
		s->acc[i] = NAN;
	}
	s->c.lr = s->lr;
	s->c.loss = s->loss;
	s->c.smoothed_loss = s->sm;
	s->c.accuracy = s->acc;
	s->c.n = n;
	s->c.exponential = exponential;
	s->c.stop_factor = 0;
	s->c.chance_loss = 0;
	s->c.horizon = 0;
}

static void synth_free(synth *s)
{
	free(s->lr);
	s->lr = NULL;
}

static double x_at(const synth *s, size_t i)
{
	return s->c.exponential ? log10(s->lr[i]) : s->lr[i];
}

/* Accuracy from `shape` at every EVERY-th point and the last, plus noise of
 * sd `noise` (seeded). */
static void synth_acc(synth *s, const acc_shape *shape, double noise, uint64_t seed)
{
	lrs_rng rng;
	size_t i;

	lrs_rng_seed(&rng, seed);
	for (i = 0; i < s->c.n; i++) {
		s->acc[i] = NAN;
		if (i % EVERY == 0 || i == s->c.n - 1)
			s->acc[i] = acc_at(shape, x_at(s, i)) + noise * lrs_rng_normal(&rng);
	}
}

/* Loss from `shape`. noise < 0: the formula is the smoothed loss itself.
 * noise >= 0: raw = formula + noise sd (seeded), smoothed by EMA(BETA). */
static void synth_loss(synth *s, const loss_shape *shape, double noise, uint64_t seed)
{
	lrs_rng rng;
	size_t i;

	lrs_rng_seed(&rng, seed);
	for (i = 0; i < s->c.n; i++) {
		s->loss[i] = loss_at(shape, x_at(s, i));
		if (noise > 0)
			s->loss[i] += noise * lrs_rng_normal(&rng);
		s->sm[i] = s->loss[i];
	}
	if (noise >= 0)
		lrs_pick_smooth(s->sm, s->loss, s->c.n, BETA);
}

/* The x in [lo, hi] where the shape's loss is lowest, by a grid of 1e6. */
static double loss_argmin(const loss_shape *shape, double lo, double hi)
{
	double best = lo, x;
	int i;

	for (i = 0; i <= 1000000; i++) {
		x = lo + (hi - lo) * i / 1e6;
		if (loss_at(shape, x) < loss_at(shape, best))
			best = x;
	}
	return best;
}

/* |log10(got / want)| <= decades. */
static void assert_near_log(double got, double want, double decades, const char *what)
{
	ck_assert_msg(isfinite(got) && got > 0 && fabs(log10(got / want)) <= decades,
	              "%s: got %.6g, want %.6g (+- %.3g decades)", what, got, want, decades);
}

static void assert_pick(const lrs_pick_result *r, const char *what)
{
	ck_assert_msg(r->ok, "%s: no pick: %s", what, r->why);
	ck_assert_msg(r->min_lr > 0 && r->min_lr < r->max_lr, "%s: bounds %g %g", what,
	              r->min_lr, r->max_lr);
}

static void assert_refused(const lrs_pick_result *r, const char *needle, const char *what)
{
	ck_assert_msg(!r->ok, "%s: picked %g %g", what, r->min_lr, r->max_lr);
	ck_assert_msg(isnan(r->min_lr) && isnan(r->max_lr), "%s: bounds not NAN", what);
	ck_assert_msg(strstr(r->why, needle) != NULL, "%s: reason '%s' lacks '%s'", what, r->why,
	              needle);
}

/* The standard shapes: accuracy rising from 0.1 to 0.9 around 10^-2.5, over
 * about a decade; loss falling from 2.3 to 0.3 around 10^-3 and diverging
 * above 10^-0.5. */
static const acc_shape ACC = { 0.1, 0.8, 4.0, -2.5 };
static const loss_shape LOSS = { 2.3, 2.0, 3.0, -3.0, 0.05, 3.0, -0.5 };

/* The analytic accuracy crossing of fraction t of the rise between x0, x1. */
static double acc_cross(const acc_shape *s, double x0, double x1, double t)
{
	double lo = sigm(s->k * (x0 - s->c)), hi = sigm(s->k * (x1 - s->c));

	return s->c + logit(lo + t * (hi - lo)) / s->k;
}

/* ------------------------------------------------------------ names, helpers */

START_TEST(rule_names_round_trip)
{
	static const char *const want[] = { "accuracy", "loss-steepest", "loss-valley", "loss-min10", "combined" };
	lrs_pick_rule r, got;

	for (r = 0; r < LRS_PICK__COUNT; r++) {
		ck_assert_str_eq(lrs_pick_rule_name(r), want[r]);
		ck_assert_int_eq(lrs_pick_rule_parse(&got, want[r]), 0);
		ck_assert_int_eq(got, r);
	}
	ck_assert_int_eq(lrs_pick_rule_parse(&got, "loss-valey"), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "did you mean 'loss-valley'"));
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "loss-min10"));
	ck_assert_int_eq(lrs_pick_rule_parse(&got, "steepest-ever"), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "valid: combined, accuracy, loss-steepest"));
}
END_TEST

START_TEST(smooth_is_bias_corrected_ema)
{
	/* beta 0.5 by hand: avg 0.5, 1.25, 2.125 over 1 - 0.5^(i+1) */
	double in[3] = { 1, 2, 3 }, out[3], same[3] = { 1, 2, 3 };

	lrs_pick_smooth(out, in, 3, 0.5);
	ck_assert_double_eq_tol(out[0], 1.0, 1e-15);
	ck_assert_double_eq_tol(out[1], 1.25 / 0.75, 1e-15);
	ck_assert_double_eq_tol(out[2], 2.125 / 0.875, 1e-15);
	lrs_pick_smooth(same, same, 3, 0.0); /* beta 0: identity, in place */
	ck_assert_double_eq(same[2], 3.0);
	in[1] = NAN;
	lrs_pick_smooth(out, in, 3, 0.9);
	ck_assert(isfinite(out[0]) && isnan(out[1]) && isnan(out[2]));
}
END_TEST

START_TEST(mean_over_repeats)
{
	double r0[3] = { 1, NAN, 3 }, r1[3] = { 3, 0.5, 5 }, out[3];
	const double *in[2] = { r0, r1 };

	lrs_pick_mean(out, in, 2, 3);
	ck_assert_double_eq(out[0], 2.0);
	ck_assert(isnan(out[1]));
	ck_assert_double_eq(out[2], 4.0);
}
END_TEST

START_TEST(spread_is_max_over_min)
{
	lrs_pick_result r[4];
	double lo, hi;

	memset(r, 0, sizeof r);
	r[0] = (lrs_pick_result){ 1, 0.01, 0.1, "" };
	r[1] = (lrs_pick_result){ 1, 0.02, 0.15, "" };
	r[2] = (lrs_pick_result){ 0, NAN, NAN, "flat" };
	r[3] = (lrs_pick_result){ 1, 0.015, 0.3, "" };
	ck_assert_uint_eq(lrs_pick_spread(&lo, &hi, r, 4), 3);
	ck_assert_double_eq_tol(lo, 2.0, 1e-12);
	ck_assert_double_eq_tol(hi, 3.0, 1e-12);
	ck_assert_uint_eq(lrs_pick_spread(&lo, &hi, r, 1), 1);
	ck_assert(isnan(lo) && isnan(hi));
	ck_assert_uint_eq(lrs_pick_spread(&lo, &hi, r + 2, 1), 0);
	ck_assert(isnan(lo) && isnan(hi));
}
END_TEST

/* ------------------------------------------------------------ accuracy rule */

START_TEST(accuracy_clean_sigmoid)
{
	synth s;
	lrs_pick_result r;

	synth_init(&s, N_STEPS, 1, X0, X1);
	synth_acc(&s, &ACC, 0, 1);
	lrs_pick(&r, LRS_PICK_ACCURACY, &s.c);
	assert_pick(&r, "clean");
	assert_near_log(r.min_lr, pow(10, acc_cross(&ACC, X0, X1, LRS_PICK_ACC_LO)), ACC_TOL, "min_lr");
	assert_near_log(r.max_lr, pow(10, acc_cross(&ACC, X0, X1, LRS_PICK_ACC_HI)), ACC_TOL, "max_lr");
	ck_assert_str_eq(r.why, "");
	synth_free(&s);
}
END_TEST

START_TEST(accuracy_noisy_sigmoid)
{
	synth s;
	lrs_pick_result r;
	uint64_t seed;

	synth_init(&s, N_STEPS, 1, X0, X1);
	for (seed = 1; seed <= 5; seed++) {
		synth_acc(&s, &ACC, 0.01, seed);
		lrs_pick(&r, LRS_PICK_ACCURACY, &s.c);
		assert_pick(&r, "noisy");
		assert_near_log(r.min_lr, pow(10, acc_cross(&ACC, X0, X1, LRS_PICK_ACC_LO)),
		                ACC_NOISY_TOL, "min_lr");
		assert_near_log(r.max_lr, pow(10, acc_cross(&ACC, X0, X1, LRS_PICK_ACC_HI)),
		                ACC_NOISY_TOL, "max_lr");
	}
	synth_free(&s);
}
END_TEST

/* Rises around 10^-2.5, falls around 10^-1: max_lr is the analytic curve's
 * ACC_HI crossing between its first point and its peak, never past the
 * peak. */
START_TEST(accuracy_rises_then_falls)
{
	synth s;
	lrs_pick_result r;
	double peak = X0, lo_x, want, x;
	size_t i;
	int j;

	synth_init(&s, N_STEPS, 1, X0, X1);
	synth_acc(&s, &ACC, 0, 1);
	for (i = 0; i < N_STEPS; i++)
		if (isfinite(s.acc[i]))
			s.acc[i] -= 0.6 * sigm(4 * (x_at(&s, i) + 1));
	/* the analytic curve's peak and its ACC_HI crossing, by a dense grid */
	for (j = 0; j <= 700000; j++) {
		x = X0 + j * 1e-5;
		if (acc_at(&ACC, x) - 0.6 * sigm(4 * (x + 1)) >
		    acc_at(&ACC, peak) - 0.6 * sigm(4 * (peak + 1)))
			peak = x;
	}
	lo_x = acc_at(&ACC, X0) - 0.6 * sigm(4 * (X0 + 1));
	want = lo_x + LRS_PICK_ACC_HI * (acc_at(&ACC, peak) - 0.6 * sigm(4 * (peak + 1)) - lo_x);
	for (x = X0; acc_at(&ACC, x) - 0.6 * sigm(4 * (x + 1)) < want; x += 1e-5)
		;
	lrs_pick(&r, LRS_PICK_ACCURACY, &s.c);
	assert_pick(&r, "rise-fall");
	assert_near_log(r.max_lr, pow(10, x), ACC_TOL, "max_lr");
	ck_assert_msg(r.max_lr < pow(10, peak), "max_lr %g past the peak %g", r.max_lr, pow(10, peak));
	synth_free(&s);
}
END_TEST

/* A sigmoid with small noise (sd 0.005) that turns ragged (a zigzag of
 * +-0.06 between evaluations) from 10^-2 on, where it has done ~80% of its
 * rise: max_lr must be pulled back below 10^-2 (the clean curve's ACC_HI
 * point is 10^-1.77). */
START_TEST(accuracy_ragged_plateau)
{
	static const acc_shape shape = { 0.1, 0.8, 3.0, -2.5 };
	synth s;
	lrs_pick_result r;
	size_t i, k;

	synth_init(&s, N_STEPS, 1, X0, X1);
	synth_acc(&s, &shape, 0.005, 7);
	for (i = 0, k = 0; i < N_STEPS; i++)
		if (isfinite(s.acc[i]) && x_at(&s, i) >= -2)
			s.acc[i] += k++ % 2 ? 0.06 : -0.06;
	lrs_pick(&r, LRS_PICK_ACCURACY, &s.c);
	assert_pick(&r, "ragged");
	ck_assert_msg(r.max_lr < 1e-2, "max_lr %g not before the ragged part", r.max_lr);
	assert_near_log(r.min_lr, pow(10, acc_cross(&shape, X0, X1, LRS_PICK_ACC_LO)),
	                ACC_NOISY_TOL, "min_lr");
	ck_assert_ptr_nonnull(strstr(r.why, "ragged"));
	synth_free(&s);
}
END_TEST

/* The paper's own test: a linear ramp 0..0.5, accuracy rising around 0.2. */
START_TEST(accuracy_linear_ramp)
{
	static const acc_shape shape = { 0.1, 0.8, 30.0, 0.2 };
	synth s;
	lrs_pick_result r;
	uint64_t seed;

	synth_init(&s, N_STEPS, 0, 1e-4, 0.5);
	for (seed = 0; seed <= 3; seed++) {
		synth_acc(&s, &shape, seed ? 0.01 : 0, seed);
		lrs_pick(&r, LRS_PICK_ACCURACY, &s.c);
		assert_pick(&r, "linear");
		ck_assert_double_eq_tol(r.min_lr, acc_cross(&shape, 1e-4, 0.5, LRS_PICK_ACC_LO), 0.015);
		ck_assert_double_eq_tol(r.max_lr, acc_cross(&shape, 1e-4, 0.5, LRS_PICK_ACC_HI), 0.015);
	}
	synth_free(&s);
}
END_TEST

/* A linear test of a model that learns at once, as the MLP on Fashion-MNIST
 * does on a ramp from 1e-4 to 1: the accuracy jumps from 0.12 towards 0.8
 * within the first one or two evaluations (0.12 + 0.68 (1 - exp(-x/scale)),
 * 90 % of it at x = scale ln 10), then stays on a noisy plateau (sd 0.01) and
 * falls from 0.3 on. The sharp rise is not "ragged"; max_lr is the 90 %
 * point within one evaluation's spacing; the foot is unseen, so min_lr is
 * max_lr / ACC_RATIO - or the second evaluation's rate when max_lr / 3 lies
 * below it - and the pick says which. */
START_TEST(accuracy_rise_before_first_evaluation)
{
	static const double scale[] = { 0.012, 0.03, 0.004 }; /* the rise's rate scale */
	synth s;
	lrs_pick_result r;
	lrs_rng rng;
	size_t i, n = 1688, pass;
	double spacing = EVERY * (1 - 1e-4) / (double)(n - 1);

	for (pass = 0; pass < 3; pass++) {
		synth_init(&s, n, 0, 1e-4, 1);
		lrs_rng_seed(&rng, 11);
		for (i = 0; i < n; i++) {
			double x = s.lr[i];

			if (i % EVERY && i != n - 1)
				continue;
			s.acc[i] = 0.12 + 0.68 * (1 - exp(-x / scale[pass]));
			if (x > 0.3)
				s.acc[i] -= 0.8 * (x - 0.3);
			if (i > 0)
				s.acc[i] += 0.01 * lrs_rng_normal(&rng);
		}
		lrs_pick(&r, LRS_PICK_ACCURACY, &s.c);
		assert_pick(&r, "jump");
		/* 90 % of the rise: 1 - exp(-x / scale) = 0.9 - except when that
		 * lies before the second evaluation: the smoothed curve is at
		 * most 3/4 up there, so max_lr lands in the next gap */
		if (pass < 2)
			ck_assert_double_eq_tol(r.max_lr, scale[pass] * log(10), spacing);
		else
			ck_assert(r.max_lr > s.lr[EVERY] && r.max_lr < s.lr[2 * EVERY]);
		ck_assert_msg(strstr(r.why, "before the evaluation at lr") != NULL, "why: %s", r.why);
		if (pass != 1) {
			/* the curve is 71 % (pass 2: 98 %) up by the second evaluation (lr 0.0149;
			 * its smoothed value, which the rule reads, a little less);
			 * max_lr / 3 ~ 0.01 lies before it, where nothing was
			 * measured: min_lr is that evaluation's rate */
			ck_assert_double_eq_tol(r.min_lr, s.lr[EVERY], 1e-15);
			ck_assert_msg(strstr(r.why, "min_lr = that rate") != NULL, "why: %s", r.why);
		} else {
			/* 39 % up by lr 0.0149; max_lr / 3 ~ 0.023 lies after it */
			ck_assert_double_eq_tol(r.min_lr, r.max_lr / LRS_PICK_ACC_RATIO, 1e-12);
			ck_assert_msg(strstr(r.why, "min_lr = max_lr / 3") != NULL, "why: %s", r.why);
		}
		synth_free(&s);
	}
}
END_TEST

START_TEST(accuracy_still_rising_is_a_caveat)
{
	static const acc_shape shape = { 0.1, 0.8, 2.0, 0.0 };
	synth s;
	lrs_pick_result r;

	synth_init(&s, N_STEPS, 1, X0, X1);
	synth_acc(&s, &shape, 0, 1);
	lrs_pick(&r, LRS_PICK_ACCURACY, &s.c);
	assert_pick(&r, "still rising");
	ck_assert_ptr_nonnull(strstr(r.why, "still rising"));
	synth_free(&s);
}
END_TEST

START_TEST(accuracy_refusals)
{
	static const acc_shape flat = { 0.1, 0.0, 1.0, 0.0 }, falling = { 0.9, -0.8, 4.0, -2.5 };
	synth s;
	lrs_pick_result r;

	synth_init(&s, N_STEPS, 1, X0, X1);
	synth_acc(&s, &flat, 0.01, 3);
	lrs_pick(&r, LRS_PICK_ACCURACY, &s.c);
	assert_refused(&r, "never rises", "flat");
	synth_acc(&s, &falling, 0.01, 3);
	lrs_pick(&r, LRS_PICK_ACCURACY, &s.c);
	assert_refused(&r, "never rises", "falling");
	/* noise of 0.3 between evaluations: the bar is the noise's, and the
	 * message says so (not a bare "need 1.2") */
	synth_acc(&s, &flat, 0.3, 3);
	lrs_pick(&r, LRS_PICK_ACCURACY, &s.c);
	assert_refused(&r, "times its noise between evaluations", "noisy");
	ck_assert_msg(strstr(r.why, "more validation samples") != NULL, "why: %s", r.why);
	s.c.accuracy = NULL;
	lrs_pick(&r, LRS_PICK_ACCURACY, &s.c);
	assert_refused(&r, "only 0 accuracy evaluations", "no accuracy");
	/* diverged at once: only 3 evaluations before the NaN */
	synth_acc(&s, &ACC, 0, 1);
	s.c.accuracy = s.acc;
	s.loss[70] = s.sm[70] = NAN;
	lrs_pick(&r, LRS_PICK_ACCURACY, &s.c);
	assert_refused(&r, "before the loss diverged", "diverged");
	synth_free(&s);
}
END_TEST

/* Garbage after the first NaN loss must not change the pick. */
START_TEST(accuracy_nan_tail_ignored)
{
	synth s, t;
	lrs_pick_result r, want;
	size_t cut = 1300, i;

	synth_init(&s, N_STEPS, 1, X0, X1);
	synth_acc(&s, &ACC, 0.01, 5);
	synth_init(&t, cut, 1, X0, X0 + (X1 - X0) * (double)(cut - 1) / (N_STEPS - 1));
	memcpy(t.acc, s.acc, cut * sizeof *t.acc);
	lrs_pick(&want, LRS_PICK_ACCURACY, &t.c);
	for (i = cut; i < N_STEPS; i++) {
		s.loss[i] = s.sm[i] = i % 2 ? NAN : INFINITY;
		if (isfinite(s.acc[i]))
			s.acc[i] = 0.1;
	}
	lrs_pick(&r, LRS_PICK_ACCURACY, &s.c);
	assert_pick(&r, "nan tail");
	ck_assert_double_eq_tol(r.min_lr, want.min_lr, 1e-12 * want.min_lr);
	ck_assert_double_eq_tol(r.max_lr, want.max_lr, 1e-12 * want.max_lr);
	synth_free(&s);
	synth_free(&t);
}
END_TEST

/* ------------------------------------------------------------ loss rules */

START_TEST(steepest_clean_exponential)
{
	synth s;
	lrs_pick_result r;

	synth_init(&s, N_STEPS, 1, X0, X1);
	synth_loss(&s, &LOSS, -1, 0);
	lrs_pick(&r, LRS_PICK_LOSS_STEEPEST, &s.c);
	assert_pick(&r, "steepest");
	assert_near_log(r.max_lr, pow(10, LOSS.c), 0.02, "max_lr");
	ck_assert_double_eq_tol(r.min_lr, r.max_lr / 10, 1e-15);
	synth_free(&s);
}
END_TEST

START_TEST(steepest_linear_ramp)
{
	static const loss_shape shape = { 2.3, 2.0, 25.0, 0.2, 0.05, 12.0, 0.7 };
	synth s;
	lrs_pick_result r;

	synth_init(&s, N_STEPS, 0, 1e-4, 1.0);
	synth_loss(&s, &shape, -1, 0);
	lrs_pick(&r, LRS_PICK_LOSS_STEEPEST, &s.c);
	assert_pick(&r, "steepest linear");
	ck_assert_double_eq_tol(r.max_lr, 0.2, 0.005);
	synth_free(&s);
}
END_TEST

/* A loss that falls fastest right away (an exponential decay from the
 * start, as on a linear ramp from ~0 where the first updates do the most):
 * the steepest kept point is the first one, and the pick says the true
 * steepest fall may lie in the skipped head. */
START_TEST(steepest_at_first_kept_point_is_a_caveat)
{
	synth s;
	lrs_pick_result r;
	size_t i;

	synth_init(&s, N_STEPS, 0, 1e-4, 1.0);
	for (i = 0; i < N_STEPS; i++)
		s.loss[i] = s.sm[i] = 0.3 + 2 * exp(-(double)i / 300);
	lrs_pick(&r, LRS_PICK_LOSS_STEEPEST, &s.c);
	assert_pick(&r, "steepest at start");
	ck_assert_double_eq_tol(r.max_lr, s.lr[N_STEPS / 10], 1e-15);
	ck_assert_msg(strstr(r.why, "steepest at the first point the rule reads") != NULL &&
	              strstr(r.why, "skips the first 10%") != NULL, "caveat '%s'", r.why);
	/* a fall centred 50 points into the span: slopes there are fitted over
	 * windows cut at the span's start (h = 72), the answer is next to it */
	for (i = 0; i < N_STEPS; i++)
		s.loss[i] = s.sm[i] = 2.3 - 2 * sigm(0.05 * ((double)i - (N_STEPS / 10 + 50)));
	lrs_pick(&r, LRS_PICK_LOSS_STEEPEST, &s.c);
	assert_pick(&r, "steepest near start");
	ck_assert(r.max_lr > s.lr[N_STEPS / 10] && r.max_lr < s.lr[N_STEPS / 10 + 72]);
	ck_assert_msg(strstr(r.why, "steepest next to the first point the rule reads") != NULL,
	              "caveat '%s'", r.why);
	/* well inside the span: no caveat */
	for (i = 0; i < N_STEPS; i++)
		s.loss[i] = s.sm[i] = 2.3 - 2 * sigm(0.05 * ((double)i - 600));
	lrs_pick(&r, LRS_PICK_LOSS_STEEPEST, &s.c);
	assert_pick(&r, "steepest inside");
	ck_assert_str_eq(r.why, "");
	synth_free(&s);
}
END_TEST

/* min10: the formula's minimum over the kept points, over 10. */
START_TEST(min10_clean_exponential_and_linear)
{
	static const loss_shape lin = { 2.3, 2.0, 25.0, 0.2, 0.05, 12.0, 0.7 };
	synth s;
	lrs_pick_result r;
	double xmin, dx;

	synth_init(&s, N_STEPS, 1, X0, X1);
	synth_loss(&s, &LOSS, -1, 0);
	xmin = loss_argmin(&LOSS, X0, X1);
	dx = (X1 - X0) / (N_STEPS - 1);
	lrs_pick(&r, LRS_PICK_LOSS_MIN10, &s.c);
	assert_pick(&r, "min10");
	assert_near_log(r.max_lr, pow(10, xmin) / 10, dx, "max_lr");
	ck_assert_double_eq_tol(r.min_lr, r.max_lr / 10, 1e-15);
	ck_assert_str_eq(r.why, "");
	synth_free(&s);

	synth_init(&s, N_STEPS, 0, 1e-4, 1.0);
	synth_loss(&s, &lin, -1, 0);
	xmin = loss_argmin(&lin, 1e-4, 1.0);
	lrs_pick(&r, LRS_PICK_LOSS_MIN10, &s.c);
	assert_pick(&r, "min10 linear");
	ck_assert_double_eq_tol(r.max_lr, xmin / 10, 1.0 / (N_STEPS - 1) / 10);
	synth_free(&s);
}
END_TEST

START_TEST(min10_still_falling_is_a_caveat)
{
	static const loss_shape shape = { 2.3, 2.0, 1.0, 0.5, 0.0, 1.0, 0.0 };
	synth s;
	lrs_pick_result r;

	synth_init(&s, N_STEPS, 1, X0, X1);
	synth_loss(&s, &shape, -1, 0);
	lrs_pick(&r, LRS_PICK_LOSS_MIN10, &s.c);
	assert_pick(&r, "still falling");
	assert_near_log(r.max_lr, pow(10, X1) / 10, 1e-9, "max_lr");
	ck_assert_ptr_nonnull(strstr(r.why, "still falling"));
	synth_free(&s);
}
END_TEST

/* On a clean valley the loss falls strictly from the first kept point to
 * the minimum, so fastai's valley spans [start, argmin] and the pick is
 * start + floor(len/3) + floor(len/6), len = argmin - start. */
START_TEST(valley_clean_exponential_and_linear)
{
	static const loss_shape lin = { 2.3, 2.0, 25.0, 0.2, 0.05, 12.0, 0.7 };
	synth s;
	lrs_pick_result r;
	size_t end, start, imin, len, idx, pass;
	double xmin, x_lo, x_hi, dx;

	for (pass = 0; pass < 2; pass++) {
		const loss_shape *shape = pass ? &lin : &LOSS;

		x_lo = pass ? 1e-4 : X0;
		x_hi = pass ? 1.0 : X1;
		synth_init(&s, N_STEPS, !pass, x_lo, x_hi);
		synth_loss(&s, shape, -1, 0);
		dx = (x_hi - x_lo) / (N_STEPS - 1);
		xmin = loss_argmin(shape, x_lo, x_hi);
		imin = (size_t)floor((xmin - x_lo) / dx + 0.5);
		/* the end of the usable curve: smoothed loss > 4x its minimum */
		for (end = 0; end < N_STEPS && loss_at(shape, x_lo + end * dx) <=
		     4 * loss_at(shape, x_lo + (end < imin ? end : imin) * dx); end++)
			;
		start = end / 10;
		len = imin - start;
		idx = start + len / 3 + (size_t)((double)len / 3 / 2);
		lrs_pick(&r, LRS_PICK_LOSS_VALLEY, &s.c);
		assert_pick(&r, "valley");
		if (pass)
			ck_assert_double_eq_tol(r.max_lr, x_lo + idx * dx, 2.5 * dx);
		else
			assert_near_log(r.max_lr, pow(10, x_lo + idx * dx), 2.5 * dx, "max_lr");
		/* min_lr: the valley's start (the first kept point), but no lower
		 * than max_lr / 10 - the exponential valley spans 2 decades */
		ck_assert_double_eq_tol(r.min_lr, fmax(s.lr[start], r.max_lr / 10), 1e-15);
		if (!pass)
			ck_assert_double_eq_tol(r.min_lr, r.max_lr / 10, 1e-15);
		/* and it lies inside the fall, between start and minimum */
		ck_assert(r.max_lr > s.lr[start] && r.max_lr < s.lr[imin]);
		/* a valley that starts where the rule starts reading says so */
		ck_assert_msg(strstr(r.why, "the valley starts at the first point") != NULL &&
		              strstr(r.why, pass ? "exponential test" : "lower start_lr") != NULL,
		              "caveat '%s'", r.why);
		synth_free(&s);
	}
}
END_TEST

/* A short valley (the loss only starts falling near the end): min_lr is the
 * valley's start, less than a decade below max_lr. */
START_TEST(valley_min_lr_is_its_start)
{
	static const loss_shape shape = { 2.3, 2.0, 8.0, -0.4, 0.05, 6.0, 0.6 };
	synth s;
	lrs_pick_result r;

	synth_init(&s, N_STEPS, 1, X0, X1);
	synth_loss(&s, &shape, -1, 0);
	/* make the loss flat-rising before 10^-1.2 so the valley starts there */
	for (size_t i = 0; i < N_STEPS; i++)
		if (x_at(&s, i) < -1.2)
			s.sm[i] = s.loss[i] = loss_at(&shape, -1.2) + 1e-6 * (x_at(&s, i) + 1.2);
	lrs_pick(&r, LRS_PICK_LOSS_VALLEY, &s.c);
	assert_pick(&r, "short valley");
	ck_assert_msg(r.min_lr > r.max_lr / 10, "min_lr %g max_lr %g", r.min_lr, r.max_lr);
	assert_near_log(r.min_lr, pow(10, -1.2), 0.05, "min_lr");
	ck_assert_str_eq(r.why, "");
	synth_free(&s);
}
END_TEST

/* Noise of sd LOSS_NOISE in the raw loss, smoothed by the EMA: every loss
 * rule lands near its answer on the same curve without noise - within 0.1
 * decade for loss-steepest, 0.3 for loss-valley and 0.4 for loss-min10,
 * whose minimum moves along the flat bottom of the curve (docs). */
START_TEST(loss_rules_noisy)
{
	static const lrs_pick_rule rules[] = {
		LRS_PICK_LOSS_STEEPEST, LRS_PICK_LOSS_VALLEY, LRS_PICK_LOSS_MIN10
	};
	static const double tol[] = { 0.1, 0.3, 0.4 };
	synth s;
	lrs_pick_result clean, r;
	size_t k;
	uint64_t seed;

	synth_init(&s, N_STEPS, 1, X0, X1);
	for (k = 0; k < sizeof rules / sizeof rules[0]; k++) {
		synth_loss(&s, &LOSS, 0, 0);
		lrs_pick(&clean, rules[k], &s.c);
		assert_pick(&clean, lrs_pick_rule_name(rules[k]));
		for (seed = 1; seed <= 5; seed++) {
			synth_loss(&s, &LOSS, LOSS_NOISE, seed);
			lrs_pick(&r, rules[k], &s.c);
			assert_pick(&r, lrs_pick_rule_name(rules[k]));
			assert_near_log(r.max_lr, clean.max_lr, tol[k], lrs_pick_rule_name(rules[k]));
		}
	}
	synth_free(&s);
}
END_TEST

/* A spike of +5 on three early raw losses (1% into the run) moves no loss
 * rule's pick by more than 5%. */
START_TEST(loss_early_spike_ignored)
{
	synth s;
	lrs_pick_result clean[LRS_PICK__COUNT], r[LRS_PICK__COUNT];
	int k;

	synth_init(&s, N_STEPS, 1, X0, X1);
	synth_loss(&s, &LOSS, 0, 0);
	lrs_pick_all(clean, &s.c);
	s.loss[15] += 5;
	s.loss[16] += 5;
	s.loss[17] += 5;
	lrs_pick_smooth(s.sm, s.loss, N_STEPS, BETA);
	lrs_pick_all(r, &s.c);
	for (k = LRS_PICK_LOSS_STEEPEST; k < LRS_PICK__COUNT; k++) {
		assert_pick(&r[k], lrs_pick_rule_name((lrs_pick_rule)k));
		assert_near_log(r[k].max_lr, clean[k].max_lr, log10(1.05),
		                lrs_pick_rule_name((lrs_pick_rule)k));
	}
	synth_free(&s);
}
END_TEST

/* A NaN/inf tail from 10^-0.5 on (after the minimum) gives exactly the
 * picks of the curve cut there. */
START_TEST(loss_nan_tail_ignored)
{
	synth s, t;
	lrs_pick_result r[LRS_PICK__COUNT], want[LRS_PICK__COUNT];
	size_t cut = 1256, i;
	int k;

	synth_init(&s, N_STEPS, 1, X0, X1);
	synth_loss(&s, &LOSS, 0.1, 4);
	synth_acc(&s, &ACC, 0.01, 4);
	synth_init(&t, cut, 1, X0, X0 + (X1 - X0) * (double)(cut - 1) / (N_STEPS - 1));
	memcpy(t.loss, s.loss, cut * sizeof *t.loss);
	memcpy(t.sm, s.sm, cut * sizeof *t.sm);
	memcpy(t.acc, s.acc, cut * sizeof *t.acc);
	lrs_pick_all(want, &t.c);
	s.loss[cut] = NAN;
	lrs_pick_smooth(s.sm, s.loss, N_STEPS, BETA);
	for (i = cut + 1; i < N_STEPS; i++)
		s.loss[i] = i % 3 ? INFINITY : -1e300;
	lrs_pick_all(r, &s.c);
	for (k = 0; k < LRS_PICK__COUNT; k++) {
		assert_pick(&r[k], lrs_pick_rule_name((lrs_pick_rule)k));
		ck_assert_double_eq_tol(r[k].max_lr, want[k].max_lr, 1e-12 * want[k].max_lr);
		ck_assert_double_eq_tol(r[k].min_lr, want[k].min_lr, 1e-12 * want[k].min_lr);
	}
	synth_free(&s);
	synth_free(&t);
}
END_TEST

/* Past its minimum the loss blows up and recovers, staying under 4x the
 * minimum, as a diverging model does on Fashion-MNIST: the recovery's falls
 * are steeper and longer than the descent, but they are not learning, so
 * loss-steepest and loss-valley pick before the loss has doubled past its
 * minimum (LRS_PICK_DESCENT). The curve, in points of an exponential ramp (clean, so the
 * answers are exact):
 *   0..599     2.3 - 2 sigma(0.012 (i - 300)): the descent, steepest at
 *              300 (0.006 per point); its minimum, 0.354, at 599
 *   600..649   up to 1.3 (4x the minimum is 1.42)
 * then, for loss-steepest and loss-min10, 1.3 to 700, a drop to 0.3 over
 * 20 points and 0.3 to the end: a step of -1.0 (its windowed slope, ~3/(4h)
 * x 1.0 with h = 72, is 0.01 per point) to a new minimum, which loss-min10
 * must not take either; for loss-valley, a straight fall from 1.3 to 0.36
 * over the remaining 950 points (a decreasing run of 950 points joined to
 * the 140 points of the descent above 1.3, longer than the descent's 440
 * kept points). The descent ends where the loss first exceeds 2 x 0.354. */
START_TEST(loss_recovery_after_blow_up_ignored)
{
	synth s;
	lrs_pick_result r;
	size_t i, pass, start = N_STEPS / 10, len, idx;

	for (pass = 0; pass < 2; pass++) {
		synth_init(&s, N_STEPS, 1, X0, X1);
		for (i = 0; i < N_STEPS; i++) {
			double v;

			if (i < 600)
				v = 2.3 - 2 * sigm(0.012 * ((double)i - 300));
			else if (i < 650)
				v = 0.354 + (1.3 - 0.354) * (double)(i - 599) / 50;
			else if (pass == 0)
				v = i < 700 ? 1.3 : i < 720 ? 1.3 - 1.0 * (double)(i - 699) / 20 : 0.3;
			else
				v = 1.3 - (1.3 - 0.36) * (double)(i - 649) / (N_STEPS - 650);
			s.loss[i] = s.sm[i] = v;
		}
		if (pass == 0) {
			lrs_pick(&r, LRS_PICK_LOSS_STEEPEST, &s.c);
			assert_pick(&r, "steepest");
			assert_near_log(r.max_lr, s.lr[300], 2.5 * (X1 - X0) / (N_STEPS - 1),
			                "steepest max_lr");
			ck_assert_str_eq(r.why, "");
			lrs_pick(&r, LRS_PICK_LOSS_MIN10, &s.c);
			assert_pick(&r, "min10");
			ck_assert_double_eq_tol(r.max_lr, s.lr[599] / 10, 1e-12 * s.lr[599]);
		} else {
			/* fastai's formula on the descent: start..599, contiguous */
			len = 599 - start;
			idx = start + len / 3 + (size_t)((double)len / 3 / 2);
			lrs_pick(&r, LRS_PICK_LOSS_VALLEY, &s.c);
			assert_pick(&r, "valley");
			ck_assert_double_eq_tol(r.max_lr, s.lr[idx], 1e-12 * s.lr[idx]);
			ck_assert_double_eq_tol(r.min_lr, fmax(s.lr[start], r.max_lr / 10), 1e-15);
		}
		synth_free(&s);
	}
}
END_TEST

/* A loss whose floor is below zero (a shifted curve: 4x or 2x "its
 * minimum" means nothing there): nothing is cut, and loss-steepest finds
 * the same fall as on the curve above zero. */
START_TEST(loss_below_zero_is_not_cut)
{
	static const loss_shape shifted = { 1.3, 2.0, 3.0, -3.0, 0.05, 3.0, -0.5 };
	synth s;
	lrs_pick_result r, want;

	synth_init(&s, N_STEPS, 1, X0, X1);
	synth_loss(&s, &LOSS, -1, 0);
	lrs_pick(&want, LRS_PICK_LOSS_STEEPEST, &s.c);
	synth_loss(&s, &shifted, -1, 0);
	lrs_pick(&r, LRS_PICK_LOSS_STEEPEST, &s.c);
	assert_pick(&r, "steepest below zero");
	ck_assert_double_eq_tol(r.max_lr, want.max_lr, 1e-12 * want.max_lr);
	lrs_pick(&r, LRS_PICK_LOSS_VALLEY, &s.c);
	assert_pick(&r, "valley below zero");
	synth_free(&s);
}
END_TEST

START_TEST(loss_refusals)
{
	static const loss_shape flat = { 2.3, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0 };
	static const loss_shape rising = { 2.3, 0.0, 1.0, 0.0, 0.02, 1.0, -3.0 };
	synth s;
	lrs_pick_result r[LRS_PICK__COUNT];
	size_t i;
	int k;

	synth_init(&s, N_STEPS, 1, X0, X1);
	synth_loss(&s, &flat, 0.05, 1);  /* flat and noisy */
	lrs_pick_all(r, &s.c);
	for (k = LRS_PICK_LOSS_STEEPEST; k < LRS_PICK__COUNT; k++)
		assert_refused(&r[k], "never falls", "flat");
	synth_loss(&s, &rising, -1, 0); /* never falling, slowly rising */
	lrs_pick_all(r, &s.c);
	for (k = LRS_PICK_LOSS_STEEPEST; k < LRS_PICK__COUNT; k++)
		assert_refused(&r[k], "never falls", "rising");
	/* diverging at once: 4x the minimum at step 3 */
	for (i = 0; i < N_STEPS; i++)
		s.loss[i] = s.sm[i] = 2.3 * exp((double)i / 2);
	lrs_pick_all(r, &s.c);
	for (k = LRS_PICK_LOSS_STEEPEST; k < LRS_PICK__COUNT; k++)
		assert_refused(&r[k], "exceeded 4x its minimum at point 3", "diverging");
	/* NaN at step 6 */
	synth_loss(&s, &LOSS, -1, 0);
	s.loss[6] = NAN;
	lrs_pick_all(r, &s.c);
	for (k = 0; k < LRS_PICK__COUNT; k++)
		assert_refused(&r[k], k ? "non-finite at point 6" : "before the loss diverged", "nan");
	synth_free(&s);

	/* too few points: 8 */
	synth_init(&s, 8, 1, X0, X1);
	synth_loss(&s, &LOSS, -1, 0);
	synth_acc(&s, &ACC, 0, 1);
	lrs_pick_all(r, &s.c);
	for (k = 0; k < LRS_PICK__COUNT; k++)
		assert_refused(&r[k], k ? "too few points" : "accuracy evaluations", "few");
	synth_free(&s);
}
END_TEST

/* ------------------------------------------------------------ combined, choice, probe */

/* combined: max_lr is the geometric mean of three readings of the same
 * curve - accuracy's max_lr, loss-steepest's max_lr and the rate of the
 * loss's minimum / LRS_PICK_MIN_BACKOFF - min_lr a decade below; the
 * readings that can be made when the others cannot (a caveat naming their
 * reasons); a refusal with every reason when none can. */
START_TEST(combined_is_geometric_mean)
{
	lrs_pick_result acc, loss, min10, r;
	double at_min;   /* the rate of the loss's minimum */
	synth s;

	synth_init(&s, N_STEPS, 1, X0, X1);
	synth_loss(&s, &LOSS, -1, 0);
	synth_acc(&s, &ACC, 0, 0);
	lrs_pick(&acc, LRS_PICK_ACCURACY, &s.c);
	lrs_pick(&loss, LRS_PICK_LOSS_STEEPEST, &s.c);
	lrs_pick(&min10, LRS_PICK_LOSS_MIN10, &s.c);
	lrs_pick(&r, LRS_PICK_COMBINED, &s.c);
	assert_pick(&acc, "accuracy");
	assert_pick(&loss, "loss-steepest");
	assert_pick(&min10, "loss-min10");
	assert_pick(&r, "combined");
	at_min = 10 * min10.max_lr;
	assert_near_log(at_min, pow(10, loss_argmin(&LOSS, X0, X1)), (X1 - X0) / (N_STEPS - 1), "loss minimum");
	ck_assert_double_eq_tol(r.max_lr, cbrt(acc.max_lr * loss.max_lr * at_min / LRS_PICK_MIN_BACKOFF),
	                        1e-12 * r.max_lr);
	ck_assert_double_eq_tol(r.min_lr, r.max_lr / LRS_PICK_DECADE, 1e-12 * r.max_lr);
	/* the third reading moves the answer: the minimum / 3 lies well above
	 * the other two on these shapes */
	ck_assert_double_gt(r.max_lr, 1.5 * sqrt(acc.max_lr * loss.max_lr));
	ck_assert_str_eq(r.why, "");

	s.c.accuracy = NULL;                 /* no evaluations: the loss's two readings */
	lrs_pick(&r, LRS_PICK_COMBINED, &s.c);
	assert_pick(&r, "combined, loss alone");
	ck_assert_double_eq_tol(r.max_lr, sqrt(loss.max_lr * at_min / LRS_PICK_MIN_BACKOFF), 1e-12 * r.max_lr);
	ck_assert_ptr_nonnull(strstr(r.why, "from 2 of its 3 readings (accuracy: only 0 accuracy evaluations"));

	for (size_t i = 0; i < N_STEPS; i++)   /* a flat loss: accuracy alone */
		s.sm[i] = s.loss[i] = 1;
	s.c.accuracy = s.acc;
	lrs_pick(&r, LRS_PICK_COMBINED, &s.c);
	assert_pick(&r, "combined, accuracy alone");
	ck_assert_double_eq_tol(r.max_lr, acc.max_lr, 1e-12 * r.max_lr);
	/* the two loss readings fail for one reason, named once */
	ck_assert_ptr_nonnull(strstr(r.why, "from 1 of its 3 readings (loss-steepest and loss minimum: the "
	                                    "smoothed loss never falls"));
	ck_assert_ptr_null(strstr(r.why, "; loss minimum"));
	ck_assert_int_eq(r.why[strlen(r.why) - 1], ')');

	s.c.accuracy = NULL;                 /* none */
	lrs_pick(&r, LRS_PICK_COMBINED, &s.c);
	ck_assert_int_eq(r.ok, 0);
	ck_assert_ptr_nonnull(strstr(r.why, "accuracy: only 0 accuracy evaluations"));
	ck_assert_ptr_nonnull(strstr(r.why, "; loss-steepest and loss minimum: the smoothed loss never falls"));
	/* every reason whole, not cut at a buffer's end */
	ck_assert_ptr_nonnull(strstr(r.why, "flat or rising curve (widen the LR range)"));
	ck_assert_uint_lt(strlen(r.why), sizeof r.why - 1);
	synth_free(&s);
}
END_TEST

/* combined scales its bounds by the trials' length over the test's to the
 * -1/4 (LRS_PICK_HORIZON_POWER), read within [1/10, 10] (a million times
 * longer is ten times longer, and the note says so), and says so; the
 * other rules read the curve alone. Unknown (0), non-finite or equal
 * lengths leave it as it was, without a caveat. */
START_TEST(combined_scales_with_horizon)
{
	static const double h[] = { 5.0625, 16.0 / 81, 1e6, 1e-6, 1, 0, NAN, INFINITY, 1.01 };
	static const double f[] = { 2.0 / 3, 1.5, 0.5623413251903491, 1.7782794100389228, 1, 1, 1, 1,
	                            0.9975155087566253 };
	static const char *const note[] = { "x0.67 for trials 5.1x", "x1.50 for trials 0.2x",
	                                    "x0.56 for trials 1e+06x the test's length (read as 10x)",
	                                    "x1.78 for trials 1e-06x the test's length (read as 0.1x)", "", "", "", "",
	                                    "" /* x1.00: not worth saying */ };
	lrs_pick_result base, r, acc, acc_h;
	synth s;

	synth_init(&s, N_STEPS, 1, X0, X1);
	synth_loss(&s, &LOSS, -1, 0);
	synth_acc(&s, &ACC, 0, 0);
	lrs_pick(&base, LRS_PICK_COMBINED, &s.c);
	lrs_pick(&acc, LRS_PICK_ACCURACY, &s.c);
	assert_pick(&base, "combined");
	for (size_t k = 0; k < sizeof h / sizeof h[0]; k++) {
		s.c.horizon = h[k];
		lrs_pick(&r, LRS_PICK_COMBINED, &s.c);
		assert_pick(&r, "combined, horizon");
		ck_assert_double_eq_tol(r.max_lr, base.max_lr * f[k], 1e-12 * r.max_lr);
		ck_assert_double_eq_tol(r.min_lr, r.max_lr / LRS_PICK_DECADE, 1e-12 * r.max_lr);
		if (!note[k][0])
			ck_assert_str_eq(r.why, "");
		else
			ck_assert_ptr_nonnull(strstr(r.why, note[k]));
		lrs_pick(&acc_h, LRS_PICK_ACCURACY, &s.c);   /* the paper's rule as it was */
		ck_assert_double_eq(acc_h.max_lr, acc.max_lr);
	}
	s.c.horizon = 5.0625;
	lrs_pick(&r, LRS_PICK_COMBINED, &s.c);
	ck_assert_str_eq(r.why, "scaled x0.67 for trials 5.1x the test's length");
	s.c.accuracy = NULL;                 /* with a missing reading, both caveats */
	lrs_pick(&r, LRS_PICK_COMBINED, &s.c);
	ck_assert_ptr_nonnull(strstr(r.why, "from 2 of its 3 readings ("));
	ck_assert_ptr_nonnull(strstr(r.why, "; scaled x0.67 for trials 5.1x the test's length"));
	synth_free(&s);
}
END_TEST

/* The rule asked for when it picked, else the fallback order's first that
 * did; -1 when none did. */
START_TEST(choose_falls_back_in_order)
{
	lrs_pick_result p[LRS_PICK__COUNT];

	memset(p, 0, sizeof p);
	ck_assert_int_eq(lrs_pick_choose(p, LRS_PICK_ACCURACY), -1);
	p[LRS_PICK_LOSS_VALLEY].ok = 1;
	ck_assert_int_eq(lrs_pick_choose(p, LRS_PICK_ACCURACY), LRS_PICK_LOSS_VALLEY);
	p[LRS_PICK_LOSS_MIN10].ok = 1;
	ck_assert_int_eq(lrs_pick_choose(p, LRS_PICK_ACCURACY), LRS_PICK_LOSS_MIN10);
	ck_assert_int_eq(lrs_pick_choose(p, LRS_PICK_LOSS_VALLEY), LRS_PICK_LOSS_VALLEY);
	p[LRS_PICK_LOSS_STEEPEST].ok = 1;
	ck_assert_int_eq(lrs_pick_choose(p, LRS_PICK_COMBINED), LRS_PICK_LOSS_STEEPEST);
	p[LRS_PICK_ACCURACY].ok = 1;
	ck_assert_int_eq(lrs_pick_choose(p, LRS_PICK_COMBINED), LRS_PICK_ACCURACY);
	p[LRS_PICK_COMBINED].ok = 1;
	ck_assert_int_eq(lrs_pick_choose(p, LRS_PICK_COMBINED), LRS_PICK_COMBINED);
	ck_assert_int_eq(lrs_pick_choose(p, LRS_PICK_LOSS_MIN10), LRS_PICK_LOSS_MIN10);
	ck_assert_int_eq(lrs_pick_fallback[0], LRS_PICK_COMBINED);
}
END_TEST

/* The probe's range ends at LRS_PICK_PROBE_END x the rate of the loss's
 * minimum (found by the formula) and spans LRS_PICK_PROBE_SPAN; a flat
 * probe refuses. */
START_TEST(probe_ends_at_the_loss_minimum)
{
	lrs_pick_result r;
	synth s;

	synth_init(&s, 200, 1, -7, 1);
	synth_loss(&s, &LOSS, -1, 0);
	lrs_pick_probe(&r, &s.c);
	assert_pick(&r, "probe");
	assert_near_log(r.max_lr / LRS_PICK_PROBE_END, pow(10, loss_argmin(&LOSS, -7, 1)), 8.0 / 199, "probe");
	ck_assert_double_eq_tol(r.min_lr, r.max_lr / LRS_PICK_PROBE_SPAN, 1e-12 * r.max_lr);
	for (size_t i = 0; i < 200; i++)
		s.sm[i] = s.loss[i] = 1;
	lrs_pick_probe(&r, &s.c);
	ck_assert_int_eq(r.ok, 0);
	ck_assert_ptr_nonnull(strstr(r.why, "never falls"));
	synth_free(&s);
}
END_TEST

/* A probe whose loss falls to its end from far above a constant guess's
 * (unnormalized features) while its accuracy rises, peaks and falls back
 * to where it began (the model collapsed onto one class): the range ends
 * at the accuracy's peak, and why says so. The same loss with an accuracy
 * that keeps its rise, or loses less than LRS_PICK_PROBE_COLLAPSE of it,
 * ends at the loss's minimum as before. */
static void probe_accuracy(synth *s, double peak_x, double peak, double after)
{
	for (size_t i = 0; i < s->c.n; i++) {
		double x = log10(s->lr[i]);

		s->acc[i] = NAN;
		if (i % 10 == 0)
			s->acc[i] = x <= peak_x ? 0.4 + (peak - 0.4) * sigm(3 * (x + 3)) : after;
	}
}

START_TEST(probe_ends_at_the_accuracy_peak_on_collapse)
{
	const loss_shape fall = { 300, 299, 2, -1, 0, 0, 0 };
	lrs_pick_result r;
	synth s;
	size_t peak = 0;

	synth_init(&s, 200, 1, -7, 1);
	synth_loss(&s, &fall, -1, 0);
	probe_accuracy(&s, 0, 0.8, 0.4);
	for (size_t i = 0; i < s.c.n; i++)
		if (isfinite(s.acc[i]) && (!isfinite(s.acc[peak]) || s.acc[i] > s.acc[peak]))
			peak = i;
	lrs_pick_probe(&r, &s.c);
	assert_pick(&r, "probe, collapse");
	ck_assert_double_eq_tol(r.max_lr, LRS_PICK_PROBE_END * s.lr[peak], 1e-12 * r.max_lr);
	ck_assert(log10(r.max_lr) < -0.05 && log10(r.max_lr) > -0.2);
	ck_assert_ptr_nonnull(strstr(r.why, "had fallen to 0.4 where its smoothed loss is lowest"));

	probe_accuracy(&s, 1, 0.8, 0.8);               /* keeps its rise      */
	lrs_pick_probe(&r, &s.c);
	assert_pick(&r, "probe, no collapse");
	ck_assert_double_eq_tol(r.max_lr, LRS_PICK_PROBE_END * s.lr[199], 1e-12 * r.max_lr);
	ck_assert_ptr_null(strstr(r.why, "had fallen"));

	probe_accuracy(&s, 0, 0.8, 0.62);              /* loses 45% of it     */
	lrs_pick_probe(&r, &s.c);
	ck_assert_double_eq_tol(r.max_lr, LRS_PICK_PROBE_END * s.lr[199], 1e-12 * r.max_lr);
	probe_accuracy(&s, 0, 0.8, 0.58);              /* loses 55% of it     */
	lrs_pick_probe(&r, &s.c);
	ck_assert_double_eq_tol(r.max_lr, LRS_PICK_PROBE_END * s.lr[peak], 1e-12 * r.max_lr);

	/* 30 validation samples, the accuracy flickering by one: a bump of 2
	 * samples (0.0667, above LRS_PICK_MIN_RISE) is noise; one of 5 is a
	 * rise and a fall */
	for (int up = 2; up <= 5; up += 3) {
		for (size_t i = 0; i < s.c.n; i++)
			s.acc[i] = i % 10 ? NAN : (14.0 + (double)((i / 10 + 1) % 2) + (i == 100 ? up : 0)) / 30;
		lrs_pick_probe(&r, &s.c);
		ck_assert_double_eq_tol(r.max_lr, LRS_PICK_PROBE_END * s.lr[up == 2 ? 199 : 100], 1e-12 * r.max_lr);
	}

	/* the loss turns non-finite after point 150: the evaluation there, of
	 * the weights that update broke, is not read -- here it alone fell */
	probe_accuracy(&s, 1, 0.8, 0.8);
	s.acc[150] = 0.4;
	for (size_t i = 151; i < s.c.n; i++)
		s.loss[i] = s.sm[i] = NAN;
	lrs_pick_probe(&r, &s.c);
	ck_assert_double_eq_tol(r.max_lr, LRS_PICK_PROBE_END * s.lr[150], 1e-12 * r.max_lr);
	ck_assert_ptr_null(strstr(r.why, "had fallen"));
	synth_loss(&s, &fall, -1, 0);

	s.c.accuracy = NULL;                           /* never evaluated     */
	lrs_pick_probe(&r, &s.c);
	ck_assert_double_eq_tol(r.max_lr, LRS_PICK_PROBE_END * s.lr[199], 1e-12 * r.max_lr);
	synth_free(&s);
}
END_TEST

/* A probe whose smoothed loss, at its lowest, is still over
 * LRS_PICK_PROBE_CHANCE x a uniform guess's (chance_loss) had not seen the
 * model learn: lrs_pick_probe says so (LRS_PICK_PROBE_UNLEARNED, and why),
 * the range set all the same; below it (a loss just above chance's
 * included), or with chance_loss unknown (0), it answers as before; the
 * collapse guard, which reads the accuracy, comes first. */
START_TEST(probe_says_when_its_loss_never_beat_chance)
{
	const loss_shape fall = { 300, 299, 2, -1, 0, 0, 0 };
	lrs_pick_result r, plain;
	double lowest = INFINITY;
	synth s;

	synth_init(&s, 200, 1, -7, 1);
	synth_loss(&s, &fall, -1, 0);
	s.c.accuracy = NULL;
	ck_assert_int_eq(lrs_pick_probe(&plain, &s.c), 0);
	for (size_t i = 0; i < s.c.n; i++)
		lowest = fmin(lowest, s.sm[i]);

	s.c.chance_loss = lowest / (1.1 * LRS_PICK_PROBE_CHANCE);
	ck_assert_int_eq(lrs_pick_probe(&r, &s.c), LRS_PICK_PROBE_UNLEARNED);
	assert_pick(&r, "probe, unlearned");
	ck_assert_double_eq(r.max_lr, plain.max_lr);
	ck_assert_double_eq(r.min_lr, plain.min_lr);
	ck_assert_ptr_nonnull(strstr(r.why, "x a uniform guess's"));
	ck_assert_ptr_nonnull(strstr(r.why, "the model had not started to learn"));

	for (int k = 0; k < 2; k++) {   /* the lowest loss at 0.9x, then 1.8x chance's */
		s.c.chance_loss = lowest / (k ? 0.9 * LRS_PICK_PROBE_CHANCE : 0.9);
		ck_assert_int_eq(lrs_pick_probe(&r, &s.c), 0);
		ck_assert_str_eq(r.why, plain.why);
	}

	s.c.chance_loss = lowest / (1.1 * LRS_PICK_PROBE_CHANCE);   /* collapsed: the guard */
	probe_accuracy(&s, 0, 0.8, 0.4);
	s.c.accuracy = s.acc;
	ck_assert_int_eq(lrs_pick_probe(&r, &s.c), 0);
	ck_assert_ptr_nonnull(strstr(r.why, "had fallen to 0.4"));
	synth_free(&s);
}
END_TEST

/* ------------------------------------------------------------ stability */

/* 20 seeds of noise on one curve (accuracy sd 0.01, raw loss sd
 * LOSS_NOISE): each rule's max_lr varies by less than STABLE[rule] (max /
 * min over the seeds): 1.5 for accuracy, loss-steepest and combined (their
 * geometric mean); 2.5 for loss-valley and 4 for loss-min10, whose answers
 * follow the minimum of a flat-bottomed curve (measured: 1.32, 1.24, 1.85,
 * 3.63, 1.25). */
START_TEST(stable_under_noise)
{
	static const double stable[LRS_PICK__COUNT] = { 1.5, 1.5, 2.5, 4.0, 1.5 };
	double lo[LRS_PICK__COUNT], hi[LRS_PICK__COUNT];
	lrs_pick_result r[LRS_PICK__COUNT];
	synth s;
	uint64_t seed;
	int k;

	for (k = 0; k < LRS_PICK__COUNT; k++) {
		lo[k] = INFINITY;
		hi[k] = 0;
	}
	synth_init(&s, N_STEPS, 1, X0, X1);
	for (seed = 100; seed < 120; seed++) {
		synth_loss(&s, &LOSS, LOSS_NOISE, seed);
		synth_acc(&s, &ACC, 0.01, seed);
		lrs_pick_all(r, &s.c);
		for (k = 0; k < LRS_PICK__COUNT; k++) {
			assert_pick(&r[k], lrs_pick_rule_name((lrs_pick_rule)k));
			lo[k] = fmin(lo[k], r[k].max_lr);
			hi[k] = fmax(hi[k], r[k].max_lr);
		}
	}
	for (k = 0; k < LRS_PICK__COUNT; k++)
		if (getenv("PICK_DEBUG"))
			fprintf(stderr, "%s: max_lr %g..%g factor %g\n",
			        lrs_pick_rule_name((lrs_pick_rule)k), lo[k], hi[k], hi[k] / lo[k]);
	for (k = 0; k < LRS_PICK__COUNT; k++)
		ck_assert_msg(hi[k] / lo[k] < stable[k], "%s: max_lr spans a factor %g",
		              lrs_pick_rule_name((lrs_pick_rule)k), hi[k] / lo[k]);
	synth_free(&s);
}
END_TEST

/* ------------------------------------------------------------ loss-steepest, linear time */

/* loss-steepest as pick.c computed it before it took linear time, kept as
 * the reference its picks must equal bit for bit: the loss span, then a
 * fresh two-pass least-squares slope over +-h points at every point of the
 * descent, O(span x h). The index of the pick, or -1 for a refusal. */
static double ref_x(const lrs_pick_curve *c, size_t i)
{
	return c->exponential ? log10(c->lr[i]) : c->lr[i];
}

static double ref_slope(const lrs_pick_curve *c, size_t lo, size_t hi)
{
	double mx = 0, my = 0, sxy = 0, sxx = 0, k = (double)(hi - lo + 1);
	size_t i;

	for (i = lo; i <= hi; i++) {
		mx += ref_x(c, i);
		my += c->smoothed_loss[i];
	}
	mx /= k;
	my /= k;
	for (i = lo; i <= hi; i++) {
		double dx = ref_x(c, i) - mx;

		sxy += dx * (c->smoothed_loss[i] - my);
		sxx += dx * dx;
	}
	return sxx > 0 ? sxy / sxx : 0;
}

static size_t ref_cut_above(const double *sm, size_t from, size_t to, double factor)
{
	double best = INFINITY;
	size_t i;

	for (i = from; i < to; i++) {
		if (best > 0 && isfinite(best) && sm[i] > factor * best)
			break;
		if (sm[i] < best)
			best = sm[i];
	}
	return i;
}

static long ref_steepest(const lrs_pick_curve *c)
{
	const double *sm = c->smoothed_loss;
	double factor = c->stop_factor > 0 ? c->stop_factor : LRS_PICK_STOP_FACTOR, best_slope = INFINITY;
	size_t fin, end, start, descent, argmin, h, i, best = 0;

	for (fin = 0; fin < c->n; fin++)
		if (!isfinite(c->lr[fin]) || !isfinite(c->loss[fin]) || !isfinite(sm[fin]) ||
		    (c->exponential && c->lr[fin] <= 0))
			break;
	end = ref_cut_above(sm, 0, fin, factor);
	start = (size_t)((double)end * LRS_PICK_SKIP);
	if (end - start < LRS_PICK_MIN_POINTS)
		return -1;
	descent = ref_cut_above(sm, start, end, LRS_PICK_DESCENT);
	for (argmin = i = start; i < descent; i++)
		if (sm[i] < sm[argmin])
			argmin = i;
	if (sm[start] - sm[argmin] < LRS_PICK_MIN_FALL * fabs(sm[start]))
		return -1;
	h = (end - start) / 20 < 2 ? 2 : (end - start) / 20;
	for (i = start; i < descent; i++) {
		double s = ref_slope(c, i >= start + h ? i - h : start, i + h < end ? i + h : end - 1);

		if (s < best_slope) {
			best_slope = s;
			best = i;
		}
	}
	return best_slope < 0 ? (long)best : -1;
}

/* lrs_pick's loss-steepest equals the reference on s, bit for bit. */
static void assert_steepest_as_reference(const synth *s, const char *what)
{
	lrs_pick_result r;
	long want = ref_steepest(&s->c);

	lrs_pick(&r, LRS_PICK_LOSS_STEEPEST, &s->c);
	ck_assert_msg(r.ok == (want >= 0), "%s (%zu points): ok %d, the reference %s", what, s->c.n,
	              r.ok, want >= 0 ? "picks" : "refuses");
	if (want >= 0)
		ck_assert_msg(r.max_lr == s->lr[want] && r.min_lr == s->lr[want] / LRS_PICK_DECADE,
		              "%s (%zu points): max_lr %.17g, the reference's %.17g (point %ld)", what,
		              s->c.n, r.max_lr, s->lr[want], want);
}

/* Random curves: the standard fall-and-rise with random shape, ramp, noise
 * and length, smoothed or raw. */
START_TEST(steepest_as_reference_random)
{
	static const size_t lengths[] = { 2, 3, 9, 10, 11, 12, 13, 20, 41, 42, 100, 399, 1000, 1600, 5003 };
	lrs_rng rng;
	synth s;

	lrs_rng_seed(&rng, 20240611);
	for (int t = 0; t < 120; t++) {
		size_t n = lengths[t % (sizeof lengths / sizeof *lengths)];
		int expo = t % 2;
		double lo = expo ? -7 + 2 * lrs_rng_uniform(&rng) : 1e-4 * lrs_rng_uniform(&rng);
		double hi = expo ? lo + 2 + 6 * lrs_rng_uniform(&rng) : lo + 0.1 + 3 * lrs_rng_uniform(&rng);
		loss_shape sh = { 0.5 + 3 * lrs_rng_uniform(&rng), 0.2 + 2 * lrs_rng_uniform(&rng),
		                  (expo ? 1 : 3 / (hi - lo)) * (0.5 + 8 * lrs_rng_uniform(&rng)),
		                  lo + (hi - lo) * lrs_rng_uniform(&rng), 0.05 * lrs_rng_uniform(&rng),
		                  (expo ? 3 : 10 / (hi - lo)), lo + (hi - lo) * (0.5 + lrs_rng_uniform(&rng)) };
		double noise = t % 3 == 0 ? -1 : 0.2 * lrs_rng_uniform(&rng);

		synth_init(&s, n, expo, lo, hi);
		synth_loss(&s, &sh, noise, (uint64_t)t);
		if (t % 5 == 4)   /* raw, jagged: the noisy loss read as smoothed */
			memcpy(s.sm, s.loss, n * sizeof *s.sm);
		assert_steepest_as_reference(&s, "random");
		synth_free(&s);
	}
}
END_TEST

/* Adversarial curves: exact ties (integer rates and losses, so that every
 * sum is exact and equal windows have equal slopes), flat stretches
 * between equal drops, a straight fall (every slope equal up to rounding),
 * a staircase, losses far from 0 (1e6 + small changes), float-rounded
 * plateaus, and rates that repeat. */
START_TEST(steepest_as_reference_adversarial)
{
	static const size_t lengths[] = { 2, 12, 50, 333, 2000, 10007 };
	synth s;

	for (size_t li = 0; li < sizeof lengths / sizeof *lengths; li++) {
		size_t n = lengths[li];

		for (int kind = 0; kind < 8; kind++) {
			synth_init(&s, n, kind % 2, kind % 2 ? -6 : 1e-3, kind % 2 ? 1 : 2);
			for (size_t i = 0; i < n; i++) {
				double f = (double)i / (double)(n > 1 ? n - 1 : 1);

				switch (kind) {
				case 0: /* a straight integer fall on integer rates: ties everywhere */
					s.lr[i] = (double)(i + 1);
					s.sm[i] = (double)(3 * n - 2 * i);
					break;
				case 1: /* two equal drops between flat stretches (exact values) */
				case 2:
					s.lr[i] = kind == 2 ? (double)(i + 1) : s.lr[i];
					s.sm[i] = 4.0 - (f > 0.2 && f < 0.3 ? (f - 0.2) * 10 : f >= 0.3) -
					          (f > 0.6 && f < 0.7 ? (f - 0.6) * 10 : f >= 0.7);
					s.sm[i] = round(s.sm[i] * 1024) / 1024;
					break;
				case 3: /* a staircase: flat, then a step, again and again */
					s.sm[i] = 5.0 - floor(f * 8) / 4;
					break;
				case 4: /* far from 0: 1e6 plus a small fall */
					s.sm[i] = 1e6 + 1 - sigm(8 * (f - 0.4));
					break;
				case 5: /* a fall rounded to float: plateaus of equal values */
					s.sm[i] = (float)(2 - 1.5 * sigm(12 * (f - 0.5)) + 1e-3 * f);
					break;
				case 6: /* rates that repeat in pairs, a plain fall */
					s.lr[i] = 1e-3 + (double)(i / 2);
					s.sm[i] = 2 - sigm(10 * (f - 0.3));
					break;
				default: /* exponential decay: steepest at the start */
					s.sm[i] = 0.2 + exp(-6 * f);
					break;
				}
				s.loss[i] = s.sm[i];
			}
			assert_steepest_as_reference(&s, "adversarial");
			synth_free(&s);
		}
	}
}
END_TEST

/* Long curves, the reference still within its time: 30,000 points of an
 * exponential test, 100,000 of a linear one, both noisy. */
START_TEST(steepest_as_reference_long)
{
	static const loss_shape lin = { 2.3, 2.0, 25.0, 0.2, 0.05, 12.0, 0.7 };
	synth s;

	synth_init(&s, 30000, 1, X0, X1);
	synth_loss(&s, &LOSS, LOSS_NOISE, 3);
	assert_steepest_as_reference(&s, "long exponential");
	synth_free(&s);
	synth_init(&s, 100000, 0, 1e-4, 1.0);
	synth_loss(&s, &lin, LOSS_NOISE, 4);
	assert_steepest_as_reference(&s, "long linear");
	synth_free(&s);
}
END_TEST

/* 200,000 points (a long test that stopped by itself): the pick comes
 * within Check's default timeout, where windows of +-10,000 points read
 * afresh at every point took minutes. */
START_TEST(steepest_long_curve_in_linear_time)
{
	synth s;
	lrs_pick_result r;

	synth_init(&s, 200000, 1, X0, X1);
	synth_loss(&s, &LOSS, LOSS_NOISE, 5);
	lrs_pick(&r, LRS_PICK_LOSS_STEEPEST, &s.c);
	assert_pick(&r, "steepest, 200,000 points");
	assert_near_log(r.max_lr, pow(10, LOSS.c), 0.1, "max_lr");
	lrs_pick(&r, LRS_PICK_COMBINED, &s.c);
	assert_pick(&r, "combined, 200,000 points");
	synth_free(&s);
}
END_TEST

Suite *suite_pick(void)
{
	Suite *s = suite_create("pick");
	TCase *tc = tcase_create("helpers");

	tcase_add_test(tc, rule_names_round_trip);
	tcase_add_test(tc, smooth_is_bias_corrected_ema);
	tcase_add_test(tc, mean_over_repeats);
	tcase_add_test(tc, spread_is_max_over_min);
	suite_add_tcase(s, tc);

	tc = tcase_create("accuracy");
	tcase_add_test(tc, accuracy_clean_sigmoid);
	tcase_add_test(tc, accuracy_noisy_sigmoid);
	tcase_add_test(tc, accuracy_rises_then_falls);
	tcase_add_test(tc, accuracy_ragged_plateau);
	tcase_add_test(tc, accuracy_linear_ramp);
	tcase_add_test(tc, accuracy_rise_before_first_evaluation);
	tcase_add_test(tc, accuracy_still_rising_is_a_caveat);
	tcase_add_test(tc, accuracy_refusals);
	tcase_add_test(tc, accuracy_nan_tail_ignored);
	suite_add_tcase(s, tc);

	tc = tcase_create("loss");
	tcase_add_test(tc, steepest_clean_exponential);
	tcase_add_test(tc, steepest_linear_ramp);
	tcase_add_test(tc, steepest_at_first_kept_point_is_a_caveat);
	tcase_add_test(tc, min10_clean_exponential_and_linear);
	tcase_add_test(tc, min10_still_falling_is_a_caveat);
	tcase_add_test(tc, valley_clean_exponential_and_linear);
	tcase_add_test(tc, valley_min_lr_is_its_start);
	tcase_add_test(tc, loss_rules_noisy);
	tcase_add_test(tc, loss_early_spike_ignored);
	tcase_add_test(tc, loss_nan_tail_ignored);
	tcase_add_test(tc, loss_recovery_after_blow_up_ignored);
	tcase_add_test(tc, loss_below_zero_is_not_cut);
	tcase_add_test(tc, loss_refusals);
	suite_add_tcase(s, tc);

	tc = tcase_create("combined");
	tcase_add_test(tc, combined_is_geometric_mean);
	tcase_add_test(tc, combined_scales_with_horizon);
	tcase_add_test(tc, choose_falls_back_in_order);
	tcase_add_test(tc, probe_ends_at_the_loss_minimum);
	tcase_add_test(tc, probe_ends_at_the_accuracy_peak_on_collapse);
	tcase_add_test(tc, probe_says_when_its_loss_never_beat_chance);
	suite_add_tcase(s, tc);

	tc = tcase_create("steepest");    /* the reference is quadratic: it takes its time */
	tcase_add_test(tc, steepest_as_reference_random);
	tcase_add_test(tc, steepest_as_reference_adversarial);
	tcase_add_test(tc, steepest_as_reference_long);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);

	tc = tcase_create("steepest_long");  /* Check's default timeout */
	tcase_add_test(tc, steepest_long_curve_in_linear_time);
	suite_add_tcase(s, tc);

	tc = tcase_create("stability");
	tcase_add_test(tc, stable_under_noise);
	suite_add_tcase(s, tc);
	return s;
}
