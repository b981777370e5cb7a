/* test_optim.c - SGD, Adam and AdamW against values worked out by hand
 * from PyTorch 1.13's update rules (torch/optim/sgd.py, adam.py, adamw.py,
 * the _single_tensor_* functions), two or three steps on two or three
 * parameters; the momentum / beta1 override; blocks and tails of the
 * vectorised loops; build errors.
 *
 * The hand arithmetic is exact decimal (or double) arithmetic, written in
 * the comments; the optimizer computes in float32, so values are compared
 * within TOL = 2e-6 (parameters of size ~1, a few steps of float32
 * rounding: each op adds at most 6e-8 relative). The same numbers come out
 * of torch.optim on float32 tensors to within 1e-7. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE__
#include <xmmintrin.h>
#endif

#include "lrsweep/error.h"
#include "lrsweep/optim.h"
#include "suites.h"


#define TOL 2e-6

/* ---------------------------------------------------------- helpers */

/* Builds an optimizer of `type` for n parameters, with the defaults and
 * the given sgd / L2 settings. */
static lrs_optim *make(lrs_optim_type type, double momentum, int nesterov, double wd, size_t n)
{
	lrs_optim_config c;
	lrs_optim *o = NULL;

	lrs_optim_defaults(&c, type);
	c.momentum = momentum;
	c.nesterov = nesterov;
	c.weight_decay = wd;
	ck_assert_int_eq(lrs_optim_build(&o, &c, n), 0);
	ck_assert_ptr_nonnull(o);
	return o;
}

/* One step with gradient g, then p must equal want (n values). */
static void step_expect(lrs_optim *o, float *p, const float *g, double lr, double momentum,
                        const double *want, size_t n)
{
	lrs_optim_step(o, p, g, lr, momentum);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(fabs(p[i] - want[i]) <= TOL, "step %ld, p[%zu] = %.9g, expected %.9g",
		              o->steps, i, (double)p[i], want[i]);
}

/* The SGD examples share p0 = (1, -2, 0.5), g1 = (0.5, 0.25, -1),
 * g2 = (1, -0.5, 0.25), lr = 0.1. */
static const float sgd_g1[3] = { 0.5f, 0.25f, -1.0f };
static const float sgd_g2[3] = { 1.0f, -0.5f, 0.25f };

/* ------------------------------------------------------------------ sgd */

START_TEST(sgd_plain)
{
	lrs_optim *o = make(LRS_OPTIM_SGD, 0, 0, 0, 3);
	float p[3] = { 1.0f, -2.0f, 0.5f };
	/* p = p - lr g
	 * step 1: 1 - 0.1*0.5 = 0.95;  -2 - 0.1*0.25 = -2.025;  0.5 + 0.1 = 0.6
	 * step 2: 0.95 - 0.1 = 0.85;  -2.025 + 0.05 = -1.975;  0.6 - 0.025 = 0.575 */
	static const double s1[3] = { 0.95, -2.025, 0.6 };
	static const double s2[3] = { 0.85, -1.975, 0.575 };

	step_expect(o, p, sgd_g1, 0.1, NAN, s1, 3);
	step_expect(o, p, sgd_g2, 0.1, NAN, s2, 3);
	ck_assert_int_eq(o->steps, 2);
	ck_assert_ptr_null(o->sq);
	lrs_optim_free(o);
}
END_TEST

START_TEST(sgd_momentum_first_step_copies)
{
	lrs_optim *o = make(LRS_OPTIM_SGD, 0.9, 0, 0, 3);
	float p[3] = { 1.0f, -2.0f, 0.5f };
	/* step 1: buf = clone(g1) = (0.5, 0.25, -1): the first update is plain
	 *         SGD's: p = (0.95, -2.025, 0.6)
	 * step 2: buf = 0.9 buf + g2 = (0.45 + 1, 0.225 - 0.5, -0.9 + 0.25)
	 *             = (1.45, -0.275, -0.65)
	 *         p = p - 0.1 buf = (0.95 - 0.145, -2.025 + 0.0275, 0.6 + 0.065)
	 *           = (0.805, -1.9975, 0.665) */
	static const double s1[3] = { 0.95, -2.025, 0.6 };
	static const double s2[3] = { 0.805, -1.9975, 0.665 };
	static const double buf1[3] = { 0.5, 0.25, -1.0 };

	step_expect(o, p, sgd_g1, 0.1, NAN, s1, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_float_eq_tol(o->buf[i], buf1[i], TOL);
	step_expect(o, p, sgd_g2, 0.1, NAN, s2, 3);
	lrs_optim_free(o);
}
END_TEST

START_TEST(sgd_nesterov)
{
	lrs_optim *o = make(LRS_OPTIM_SGD, 0.9, 1, 0, 3);
	float p[3] = { 1.0f, -2.0f, 0.5f };
	/* step 1: buf = g1; d = g1 + 0.9 buf = 1.9 g1 = (0.95, 0.475, -1.9)
	 *         p = p - 0.1 d = (0.905, -2.0475, 0.69)
	 * step 2: buf = (1.45, -0.275, -0.65) as above
	 *         d = g2 + 0.9 buf = (1 + 1.305, -0.5 - 0.2475, 0.25 - 0.585)
	 *           = (2.305, -0.7475, -0.335)
	 *         p = (0.905 - 0.2305, -2.0475 + 0.07475, 0.69 + 0.0335)
	 *           = (0.6745, -1.97275, 0.7235) */
	static const double s1[3] = { 0.905, -2.0475, 0.69 };
	static const double s2[3] = { 0.6745, -1.97275, 0.7235 };

	step_expect(o, p, sgd_g1, 0.1, NAN, s1, 3);
	step_expect(o, p, sgd_g2, 0.1, NAN, s2, 3);
	lrs_optim_free(o);
}
END_TEST

START_TEST(sgd_weight_decay)
{
	lrs_optim *o = make(LRS_OPTIM_SGD, 0.9, 0, 0.1, 3);
	lrs_optim *plain = make(LRS_OPTIM_SGD, 0, 0, 0.1, 3);
	float p[3] = { 1.0f, -2.0f, 0.5f }, q[3] = { 1.0f, -2.0f, 0.5f };
	/* with momentum 0.9, weight decay 0.1:
	 * step 1: d = g1 + 0.1 p = (0.5 + 0.1, 0.25 - 0.2, -1 + 0.05)
	 *           = (0.6, 0.05, -0.95); buf = d
	 *         p = p - 0.1 d = (0.94, -2.005, 0.595)
	 * step 2: d = g2 + 0.1 p = (1.094, -0.7005, 0.3095)
	 *         buf = 0.9 (0.6, 0.05, -0.95) + d
	 *             = (0.54 + 1.094, 0.045 - 0.7005, -0.855 + 0.3095)
	 *             = (1.634, -0.6555, -0.5455)
	 *         p = (0.94 - 0.1634, -2.005 + 0.06555, 0.595 + 0.05455)
	 *           = (0.7766, -1.93945, 0.64955) */
	static const double s1[3] = { 0.94, -2.005, 0.595 };
	static const double s2[3] = { 0.7766, -1.93945, 0.64955 };
	/* without momentum: step 1 the same; step 2: p = p - 0.1 d
	 *   = (0.94 - 0.1094, -2.005 + 0.07005, 0.595 - 0.03095)
	 *   = (0.8306, -1.93495, 0.56405) */
	static const double q2[3] = { 0.8306, -1.93495, 0.56405 };

	step_expect(o, p, sgd_g1, 0.1, NAN, s1, 3);
	step_expect(o, p, sgd_g2, 0.1, NAN, s2, 3);
	step_expect(plain, q, sgd_g1, 0.1, NAN, s1, 3);
	step_expect(plain, q, sgd_g2, 0.1, NAN, q2, 3);
	lrs_optim_free(o);
	lrs_optim_free(plain);
}
END_TEST

START_TEST(sgd_momentum_override)
{
	lrs_optim *o = make(LRS_OPTIM_SGD, 0.9, 0, 0, 3);
	lrs_optim *off = make(LRS_OPTIM_SGD, 0, 0, 0, 3);
	float p[3] = { 1.0f, -2.0f, 0.5f }, q[3] = { 1.0f, -2.0f, 0.5f };
	static const float g3[3] = { 0.5f, 0.5f, 0.5f };
	/* configured 0.9, step 2 at momentum 0.5 (as a cycling schedule sets
	 * group['momentum']):
	 * step 1: p = (0.95, -2.025, 0.6), buf = g1
	 * step 2: buf = 0.5 g1 + g2 = (1.25, -0.375, -0.25)
	 *         p = (0.95 - 0.125, -2.025 + 0.0375, 0.6 + 0.025)
	 *           = (0.825, -1.9875, 0.625) */
	static const double s1[3] = { 0.95, -2.025, 0.6 };
	static const double s2[3] = { 0.825, -1.9875, 0.625 };
	/* configured 0 (plain), momentum 0.5 given from step 2 on: PyTorch
	 * creates the buffer at step 2 as a copy of d_p, so steps 1 and 2
	 * are plain SGD's (0.85, -1.975, 0.575), and
	 * step 3: buf = 0.5 g2 + g3 = (0.5 + 0.5, -0.25 + 0.5, 0.125 + 0.5)
	 *             = (1, 0.25, 0.625)
	 *         p = (0.85 - 0.1, -1.975 - 0.025, 0.575 - 0.0625)
	 *           = (0.75, -2.0, 0.5125) */
	static const double q2[3] = { 0.85, -1.975, 0.575 };
	static const double q3[3] = { 0.75, -2.0, 0.5125 };

	step_expect(o, p, sgd_g1, 0.1, NAN, s1, 3);
	step_expect(o, p, sgd_g2, 0.1, 0.5, s2, 3);
	step_expect(off, q, sgd_g1, 0.1, NAN, s1, 3);
	step_expect(off, q, sgd_g2, 0.1, 0.5, q2, 3);
	step_expect(off, q, g3, 0.1, 0.5, q3, 3);
	lrs_optim_free(o);
	lrs_optim_free(off);
}
END_TEST

/* ----------------------------------------------------------- adam(w) */

/* The Adam examples: p0 = (1, -0.5), g1 = (0.1, -0.2), g2 = (0.3, 0.1),
 * g3 = (-0.2, 0.4), lr = 0.01, betas (0.9, 0.999), eps 1e-8. Per step t:
 *   bc1 = 1 - 0.9^t:    0.1, 0.19, 0.271
 *   bc2 = 1 - 0.999^t:  0.001, 0.001999, 0.002997001
 *   sqrt(bc2):          0.0316227766, 0.04471017781, 0.05474487191
 *   step size lr/bc1:   0.1, 0.05263157895, 0.036900369 */
static const float adam_g[3][2] = { { 0.1f, -0.2f }, { 0.3f, 0.1f }, { -0.2f, 0.4f } };

START_TEST(adam_three_steps)
{
	lrs_optim *o = make(LRS_OPTIM_ADAM, 0, 0, 0, 2);
	float p[2] = { 1.0f, -0.5f };
	/* step 1: m = 0.1 g1 = (0.01, -0.02); v = 0.001 g1² = (1e-5, 4e-5)
	 *         denom = sqrt(v)/0.0316227766 + eps = (0.10000001, 0.20000001)
	 *         p -= 0.1 m/denom = (0.009999999, -0.0099999995)
	 *         p = (0.990000001, -0.4900000005)
	 * step 2: m = 0.9 m + 0.1 g2 = (0.009 + 0.03, -0.018 + 0.01) = (0.039, -0.008)
	 *         v = 0.999 v + 0.001 g2² = (0.999e-5 + 9e-5, 3.996e-5 + 1e-5)
	 *           = (9.999e-5, 4.996e-5)
	 *         denom = sqrt(v)/0.04471017781 + eps = (0.223651547, 0.1580901623)
	 *         p -= 0.05263157895 m/denom = (0.009177810779, -0.002663370228)
	 *         p = (0.9808221902, -0.4873366303)
	 * step 3: m = 0.9 m + 0.1 g3 = (0.0351 - 0.02, -0.0072 + 0.04) = (0.0151, 0.0328)
	 *         v = 0.999 v + 0.001 g3² = (0.00013989001, 0.00020991004)
	 *         denom = sqrt(v)/0.05474487191 + eps = (0.2160478391, 0.2646507799)
	 *         p -= 0.036900369 m/denom = (0.002579037932, 0.004573317727)
	 *         p = (0.9782431523, -0.491909948) */
	static const double want[3][2] = {
		{ 0.990000001, -0.4900000005 },
		{ 0.9808221902, -0.4873366303 },
		{ 0.9782431523, -0.491909948 },
	};

	for (int t = 0; t < 3; t++)
		step_expect(o, p, adam_g[t], 0.01, NAN, want[t], 2);
	ck_assert_float_eq_tol(o->buf[0], 0.0151, 1e-7);   /* exp_avg    */
	ck_assert_float_eq_tol(o->sq[1], 0.00020991004, 1e-10); /* exp_avg_sq */
	lrs_optim_free(o);
}
END_TEST

START_TEST(adam_weight_decay)
{
	lrs_optim *o = make(LRS_OPTIM_ADAM, 0, 0, 0.1, 2);
	float p[2] = { 1.0f, -0.5f };
	/* L2: g = g + 0.1 p before the moments
	 * step 1: g = (0.1 + 0.1, -0.2 - 0.05) = (0.2, -0.25)
	 *         m = (0.02, -0.025), v = (4e-5, 6.25e-5)
	 *         denom = (0.20000001, 0.25000001); p -= 0.1 m/denom
	 *         p = (0.9900000005, -0.4900000004)
	 * step 2: g = (0.3 + 0.099, 0.1 - 0.049) = (0.399, 0.051)
	 *         m = (0.018 + 0.0399, -0.0225 + 0.0051) = (0.0579, -0.0174)
	 *         v = (0.999*4e-5 + 0.001*0.159201, 0.999*6.25e-5 + 0.001*0.002601)
	 *           = (0.000199161, 6.50385e-5)
	 *         denom = (0.3156427118, 0.1803760554)
	 *         p -= 0.05263157895 m/denom = (0.009654486886, -0.005077112213)
	 *         p = (0.9803455136, -0.4849228882)
	 * step 3: g = (-0.2 + 0.09803455136, 0.4 - 0.04849228882)
	 *           = (-0.1019654486, 0.3515077112)
	 *         m = (0.04191345514, 0.01949077111)
	 *         v = (0.0002093587918, 0.0001885311325)
	 *         denom = (0.2643030496, 0.2508118847)
	 *         p = (0.9803455136 - 0.005851699265, -0.4849228882 - 0.002867554093)
	 *           = (0.9744938143, -0.4877904423) */
	static const double want[3][2] = {
		{ 0.9900000005, -0.4900000004 },
		{ 0.9803455136, -0.4849228882 },
		{ 0.9744938143, -0.4877904423 },
	};

	for (int t = 0; t < 3; t++)
		step_expect(o, p, adam_g[t], 0.01, NAN, want[t], 2);
	lrs_optim_free(o);
}
END_TEST

START_TEST(adamw_decoupled)
{
	lrs_optim *o = make(LRS_OPTIM_ADAMW, 0, 0, 0.1, 2);
	float p[2] = { 1.0f, -0.5f };
	/* p *= 1 - lr wd = 0.999 first; then Adam's update, whose moments do
	 * not see p (so the updates are those of adam_three_steps):
	 * step 1: p = (0.999, -0.4995) - (0.009999999, -0.0099999995)
	 *           = (0.989000001, -0.4895000005)
	 * step 2: p = (0.988011001, -0.4890105005) - (0.009177810779, -0.002663370228)
	 *           = (0.9788331902, -0.4863471303)
	 * step 3: p = (0.977854357, -0.4858607831) - (0.002579037932, 0.004573317727)
	 *           = (0.9752753191, -0.4904341009) */
	static const double want[3][2] = {
		{ 0.989000001, -0.4895000005 },
		{ 0.9788331902, -0.4863471303 },
		{ 0.9752753191, -0.4904341009 },
	};

	for (int t = 0; t < 3; t++)
		step_expect(o, p, adam_g[t], 0.01, NAN, want[t], 2);
	lrs_optim_free(o);
}
END_TEST

START_TEST(adam_beta1_override_and_lr)
{
	lrs_optim *o = make(LRS_OPTIM_ADAM, 0, 0, 0, 2);
	lrs_optim *s = make(LRS_OPTIM_ADAM, 0, 0, 0, 2);
	float p[2] = { 1.0f, -0.5f }, q[2] = { 1.0f, -0.5f };
	/* beta1 0.5 at step 2 only (NAN: the configured 0.9 again at step 3);
	 * the bias correction uses the step's beta1, as PyTorch's does:
	 * step 1: as adam_three_steps: (0.990000001, -0.4900000005)
	 * step 2: m = 0.5 (0.01, -0.02) + 0.5 (0.3, 0.1) = (0.155, 0.04)
	 *         bc1 = 1 - 0.5^2 = 0.75, step size 0.01/0.75 = 0.01333333333
	 *         v, denom as before: (0.223651547, 0.1580901623)
	 *         p -= (0.009240565041, 0.003373602289)
	 *         p = (0.980759436, -0.4933736028)
	 * step 3: m = 0.9 (0.155, 0.04) + 0.1 (-0.2, 0.4) = (0.1195, 0.076)
	 *         bc1 = 0.271; denom (0.2160478391, 0.2646507799)
	 *         p -= 0.036900369 m/denom = (0.02041026707, 0.01059671181)
	 *         p = (0.9603491689, -0.5039703146) */
	static const double want[3][2] = {
		{ 0.990000001, -0.4900000005 },
		{ 0.980759436, -0.4933736028 },
		{ 0.9603491689, -0.5039703146 },
	};
	/* lr 0.01, 0.02, 0.005 (a schedule), beta1 0.9:
	 * step 2: p -= 0.02/0.19 m/denom = (0.01835562156, -0.005326740456)
	 *         p = (0.9716443794, -0.48467326)
	 * step 3: p -= 0.005/0.271 m/denom = (0.001289518966, 0.002286658864)
	 *         p = (0.9703548605, -0.4869599189) */
	static const double lr[3] = { 0.01, 0.02, 0.005 };
	static const double sched[3][2] = {
		{ 0.990000001, -0.4900000005 },
		{ 0.9716443794, -0.48467326 },
		{ 0.9703548605, -0.4869599189 },
	};

	step_expect(o, p, adam_g[0], 0.01, NAN, want[0], 2);
	step_expect(o, p, adam_g[1], 0.01, 0.5, want[1], 2);
	step_expect(o, p, adam_g[2], 0.01, NAN, want[2], 2);
	for (int t = 0; t < 3; t++)
		step_expect(s, q, adam_g[t], lr[t], NAN, sched[t], 2);
	lrs_optim_free(o);
	lrs_optim_free(s);
}
END_TEST

/* ----------------------------------------- blocks of the vector loops */

/* Every rule, and for SGD each of its six loops (plain, momentum,
 * nesterov; with and without weight decay). */
static const struct { lrs_optim_type type; double mu; int nesterov; double wd; } loops[] = {
	{ LRS_OPTIM_SGD, 0, 0, 0 }, { LRS_OPTIM_SGD, 0, 0, 0.01 },
	{ LRS_OPTIM_SGD, 0.9, 0, 0 }, { LRS_OPTIM_SGD, 0.9, 0, 0.01 },
	{ LRS_OPTIM_SGD, 0.9, 1, 0 }, { LRS_OPTIM_SGD, 0.9, 1, 0.01 },
	{ LRS_OPTIM_ADAM, 0, 0, 0.01 }, { LRS_OPTIM_ADAMW, 0, 0, 0.01 },
};
#define N_LOOPS (sizeof loops / sizeof loops[0])

/* An optimizer of n parameters for loops[c]. */
static lrs_optim *make_case(size_t c, size_t n)
{
	return make(loops[c].type, loops[c].mu, loops[c].nesterov, loops[c].wd, n);
}

/* 37 identical parameters (two blocks of 16 and a tail of 5) end exactly
 * where a single one does, for every rule; for SGD, for each of its six
 * loops (plain, momentum, nesterov; with and without weight decay). */
START_TEST(blocks_and_tail_agree)
{
	enum { N = 37 };

	for (size_t c = 0; c < N_LOOPS; c++) {
		lrs_optim *many = make_case(c, N);
		lrs_optim *one = make_case(c, 1);
		float p[N], g[N], q = 0.75f, h;

		for (int i = 0; i < N; i++)
			p[i] = 0.75f;
		for (int t = 0; t < 4; t++) {
			h = 0.3f - 0.1f * (float)t;
			for (int i = 0; i < N; i++)
				g[i] = h;
			lrs_optim_step(many, p, g, 0.05, NAN);
			lrs_optim_step(one, &q, &h, 0.05, NAN);
		}
		for (int i = 0; i < N; i++)
			ck_assert_msg(p[i] == q, "case %zu, p[%d] = %.9g, alone %.9g", c, i,
			              (double)p[i], (double)q);
		ck_assert_float_ne(q, 0.75f);
		lrs_optim_free(many);
		lrs_optim_free(one);
	}
}
END_TEST

/* lrs_optim_step_zero_grad is lrs_optim_step then zero_grad: for every
 * rule and each SGD loop, over 37 parameters (blocks and a tail) and 5
 * steps with other gradients each time, the parameters and the state come
 * out bitwise the same as a step followed by a memset, and the gradients
 * are zero after each step. */
START_TEST(step_zero_grad_is_step_then_zero)
{
	enum { N = 37 };

	for (size_t c = 0; c < N_LOOPS; c++) {
		lrs_optim *a = make_case(c, N);
		lrs_optim *b = make_case(c, N);
		float pa[N], pb[N], ga[N], gb[N];

		for (int i = 0; i < N; i++)
			pa[i] = pb[i] = 0.5f - 0.03f * (float)i;
		for (int t = 0; t < 5; t++) {
			for (int i = 0; i < N; i++)
				ga[i] = gb[i] = 0.2f * sinf((float)(i + 7 * t));
			lrs_optim_step(a, pa, ga, 0.05, NAN);
			memset(ga, 0, sizeof ga);
			lrs_optim_step_zero_grad(b, pb, gb, 0.05, NAN);
			ck_assert_int_eq(memcmp(gb, ga, sizeof ga), 0);
		}
		ck_assert_int_eq(memcmp(pa, pb, sizeof pa), 0);
		ck_assert_int_eq(memcmp(a->buf, b->buf, N * sizeof *a->buf), 0);
		if (a->sq)
			ck_assert_int_eq(memcmp(a->sq, b->sq, N * sizeof *a->sq), 0);
		ck_assert_float_ne(pb[3], 0.5f - 0.09f);
		lrs_optim_free(a);
		lrs_optim_free(b);
	}
}
END_TEST

/* Whether setting MXCSR's FTZ/DAZ bits flushes here: not under valgrind,
 * which ignores them. */
static int flush_works(void)
{
#ifdef __SSE__
	unsigned int csr = _mm_getcsr();
	volatile float tiny = 1e-30f, r;

	_mm_setcsr(csr | 0x8040);
	r = tiny * 1e-10f;
	_mm_setcsr(csr);
	return r == 0.0f;
#else
	return 0;
#endif
}

/* A buffer that decays towards 0 is flushed to 0 once subnormal (the
 * update runs with FTZ/DAZ, see optim.c), and the caller's floating-point
 * mode is left as it was. */
START_TEST(subnormals_flushed_inside_only)
{
	lrs_optim *o = make(LRS_OPTIM_SGD, 0.9, 0, 0, 1);
	float p = 1.0f, g = 2e-38f;   /* FLT_MIN is 1.18e-38 */
	volatile float tiny = 1e-30f;

	/* buf = 2e-38 0.9^k after k steps with gradient 0: below FLT_MIN
	 * from k = 6 on, 7.7e-39 at k = 9 without flushing */
	lrs_optim_step(o, &p, &g, 0.1, NAN);
	g = 0;
	for (int k = 0; k < 9; k++)
		lrs_optim_step(o, &p, &g, 0.1, NAN);
	if (flush_works())
		ck_assert_float_eq(o->buf[0], 0.0f);
	ck_assert_float_eq(p, 1.0f);
	ck_assert(tiny * 1e-10f > 0.0f);   /* a subnormal product, out here */
	lrs_optim_free(o);
}
END_TEST

/* ------------------------------------------------------- build, errors */

START_TEST(defaults_are_pytorchs)
{
	lrs_optim_config c;

	lrs_optim_defaults(&c, LRS_OPTIM_SGD);
	ck_assert_int_eq(c.type, LRS_OPTIM_SGD);
	ck_assert_double_eq(c.momentum, 0);
	ck_assert_int_eq(c.nesterov, 0);
	ck_assert_double_eq(c.weight_decay, 0);
	lrs_optim_defaults(&c, LRS_OPTIM_ADAM);
	ck_assert_double_eq(c.beta1, 0.9);
	ck_assert_double_eq(c.beta2, 0.999);
	ck_assert_double_eq(c.eps, 1e-8);
	ck_assert_double_eq(c.weight_decay, 0);
	lrs_optim_defaults(&c, LRS_OPTIM_ADAMW);
	ck_assert_double_eq(c.weight_decay, 0.01);
}
END_TEST

START_TEST(build_errors)
{
	static const struct {
		lrs_optim_type type;
		double momentum, wd, beta1, beta2, eps;
		int nesterov;
		size_t n;
		const char *says;    /* part of the message */
	} bad[] = {
		{ LRS_OPTIM_SGD, 0, 0, 0.9, 0.999, 1e-8, 1, 4, "nesterov" },
		{ LRS_OPTIM_SGD, -0.1, 0, 0.9, 0.999, 1e-8, 0, 4, "momentum" },
		{ LRS_OPTIM_SGD, NAN, 0, 0.9, 0.999, 1e-8, 0, 4, "momentum" },
		{ LRS_OPTIM_SGD, 0.9, -1e-4, 0.9, 0.999, 1e-8, 0, 4, "weight_decay" },
		{ LRS_OPTIM_ADAM, 0, 0, 1.0, 0.999, 1e-8, 0, 4, "beta1" },
		{ LRS_OPTIM_ADAM, 0, 0, -0.1, 0.999, 1e-8, 0, 4, "beta1" },
		{ LRS_OPTIM_ADAMW, 0, 0, 0.9, 1.0, 1e-8, 0, 4, "beta2" },
		{ LRS_OPTIM_ADAMW, 0, 0, 0.9, NAN, 1e-8, 0, 4, "beta2" },
		{ LRS_OPTIM_ADAM, 0, 0, 0.9, 0.999, -1e-8, 0, 4, "eps" },
		{ LRS_OPTIM_ADAM, 0, INFINITY, 0.9, 0.999, 1e-8, 0, 4, "weight_decay" },
		{ LRS_OPTIM_SGD, 0, 0, 0.9, 0.999, 1e-8, 0, 0, "no parameters" },
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		static lrs_optim sentinel;
		lrs_optim_config c;
		lrs_optim *o = &sentinel;   /* build must reset it to NULL */

		lrs_optim_defaults(&c, bad[i].type);
		c.momentum = bad[i].momentum;
		c.weight_decay = bad[i].wd;
		c.beta1 = bad[i].beta1;
		c.beta2 = bad[i].beta2;
		c.eps = bad[i].eps;
		c.nesterov = bad[i].nesterov;
		ck_assert_int_eq(lrs_optim_build(&o, &c, bad[i].n), LRS_EINVALID);
		ck_assert_ptr_null(o);
		ck_assert_msg(strstr(lrs_error_last(), bad[i].says), "case %zu: \"%s\"", i,
		              lrs_error_last());
	}
}
END_TEST

START_TEST(build_too_big)
{
	lrs_optim_config c;
	lrs_optim *o = NULL;

	lrs_optim_defaults(&c, LRS_OPTIM_ADAM);
	ck_assert_int_eq(lrs_optim_build(&o, &c, SIZE_MAX / 4), LRS_ENOMEM);
	ck_assert_ptr_null(o);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "bytes"));
	lrs_optim_free(NULL);
}
END_TEST

START_TEST(build_state)
{
	lrs_optim *s = make(LRS_OPTIM_SGD, 0, 0, 0, 5);
	lrs_optim *a = make(LRS_OPTIM_ADAMW, 0, 0, 0, 5);

	ck_assert_int_eq(s->n, 5);
	ck_assert_int_eq(s->steps, 0);
	ck_assert_ptr_nonnull(s->buf);   /* a schedule may cycle momentum on */
	ck_assert_ptr_null(s->sq);
	ck_assert_ptr_nonnull(a->buf);
	ck_assert_ptr_nonnull(a->sq);
	for (int i = 0; i < 5; i++) {
		ck_assert_float_eq(a->buf[i], 0.0f);
		ck_assert_float_eq(a->sq[i], 0.0f);
	}
	lrs_optim_free(s);
	lrs_optim_free(a);
}
END_TEST

Suite *suite_optim(void)
{
	Suite *s = suite_create("optim");
	TCase *tc = tcase_create("sgd");

	tcase_add_test(tc, sgd_plain);
	tcase_add_test(tc, sgd_momentum_first_step_copies);
	tcase_add_test(tc, sgd_nesterov);
	tcase_add_test(tc, sgd_weight_decay);
	tcase_add_test(tc, sgd_momentum_override);
	suite_add_tcase(s, tc);

	tc = tcase_create("adam");
	tcase_add_test(tc, adam_three_steps);
	tcase_add_test(tc, adam_weight_decay);
	tcase_add_test(tc, adamw_decoupled);
	tcase_add_test(tc, adam_beta1_override_and_lr);
	tcase_add_test(tc, blocks_and_tail_agree);
	tcase_add_test(tc, step_zero_grad_is_step_then_zero);
	tcase_add_test(tc, subnormals_flushed_inside_only);
	suite_add_tcase(s, tc);

	tc = tcase_create("build");
	tcase_add_test(tc, defaults_are_pytorchs);
	tcase_add_test(tc, build_errors);
	tcase_add_test(tc, build_too_big);
	tcase_add_test(tc, build_state);
	suite_add_tcase(s, tc);
	return s;
}
