/* test_nn.c - the `hidden:` shorthand's model, an MLP as a layer stack
 * (lrs_net_from_mlp, net.h): gradients of every parameter against central
 * finite differences of a double-precision reference, the loss and its
 * gradient against a hand computation, argmax and correct, the
 * initialisations, the parameter layout and build errors.
 *
 * Gradient checks: the reference forward below recomputes the mean loss in
 * double from the model's (float) parameters, so the central difference
 * (L(p + h) - L(p - h)) / 2h with h = 1e-6 is accurate to ~1e-9; the
 * model's float32 gradient must agree within GRAD_ABS + GRAD_REL |fd|
 * (float32 sums over a batch and a layer: ~1e-6 relative). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/net.h"
#include "lrsweep/nn.h"
#include "lrsweep/rng.h"
#include "suites.h"


#define FD_H 1e-6
#define GRAD_ABS 2e-6
#define GRAD_REL 1e-3
#define REF_MAX_WIDTH 128

/* ---------------------------------------------------------- helpers */

static lrs_mlp_config config(size_t inputs, const size_t *hidden, size_t n_hidden,
                             size_t outputs, lrs_activation act, lrs_init init)
{
	lrs_mlp_config c = { .inputs = inputs, .outputs = outputs, .n_hidden = n_hidden,
	                     .activation = act, .init = init };

	for (size_t l = 0; l < n_hidden; l++)
		c.hidden[l] = hidden[l];
	return c;
}

/* The stack of c for batches of up to max_batch: 0 or lrs_net_build's
 * (or lrs_net_from_mlp's) error, *out NULL then. */
static int build(lrs_net **out, const lrs_mlp_config *c, size_t max_batch)
{
	lrs_net_config nc;
	int rc;

	*out = NULL;
	if ((rc = lrs_net_from_mlp(&nc, c)) < 0)
		return rc;
	return lrs_net_build(out, &nc, max_batch);
}

/* The MLP's linear layers: how many, and linear layer l's index in the
 * stack (each hidden linear is followed by its activation), inputs and
 * outputs. */
static size_t n_linear(const lrs_net *n) { return (n->cfg.n_layers + 1) / 2; }
static size_t lin(size_t l) { return 2 * l; }
static size_t in_of(const lrs_net *n, size_t l) { return l == 0 ? n->cfg.channels : n->shape[lin(l) - 2].c; }
static size_t out_of(const lrs_net *n, size_t l) { return n->shape[lin(l)].c; }

/* The softmax probabilities of the last forward: (B, outputs). */
static float *probs_of(lrs_net *n) { return n->act[n->cfg.n_layers - 1]; }

static double activate(lrs_activation act, double v)
{
	switch (act) {
	case LRS_ACT_RELU:
		return v < 0 ? 0 : v;
	case LRS_ACT_TANH:
		return tanh(v);
	case LRS_ACT_SIGMOID:
		return 1 / (1 + exp(-v));
	}
	return NAN;
}

/* The mean cross-entropy of m's architecture with parameters P (doubles in
 * m's layout) on x (B, inputs) and y, all in double. */
static double ref_loss(const lrs_net *m, lrs_activation act, const double *P, const float *x,
                       const int32_t *y, size_t B)
{
	double total = 0;

	for (size_t s = 0; s < B; s++) {
		double a[REF_MAX_WIDTH], z[REF_MAX_WIDTH] = { 0 };   /* layer input, output */
		size_t width = in_of(m, 0);

		ck_assert_uint_le(width, REF_MAX_WIDTH);
		for (size_t i = 0; i < width; i++)
			a[i] = x[s * width + i];
		for (size_t l = 0; l < n_linear(m); l++) {
			const double *W = P + (m->W[lin(l)] - m->params);   /* (out, in) */
			const double *b = P + (m->b[lin(l)] - m->params);   /* (out)     */
			size_t in = in_of(m, l), out = out_of(m, l);

			ck_assert_uint_le(out, REF_MAX_WIDTH);
			for (size_t o = 0; o < out; o++) {
				z[o] = b[o];
				for (size_t i = 0; i < in; i++)
					z[o] += W[o * in + i] * a[i];
			}
			width = out;
			if (l + 1 < n_linear(m))
				for (size_t o = 0; o < width; o++)
					a[o] = activate(act, z[o]);
		}
		double max = z[0], sum = 0;
		for (size_t o = 1; o < width; o++)
			max = z[o] > max ? z[o] : max;
		for (size_t o = 0; o < width; o++)
			sum += exp(z[o] - max);
		total += max + log(sum) - z[y[s]];
	}
	return total / (double)B;
}

/* A model with He weights, random biases, and a random batch of B. */
static lrs_net *random_model(const lrs_mlp_config *c, size_t max_batch, uint64_t seed,
                             float **x, int32_t **y, size_t B)
{
	lrs_net *m = NULL;
	lrs_rng rng;

	lrs_rng_seed(&rng, seed);
	ck_assert_int_eq(build(&m, c, max_batch), 0);
	lrs_net_init(m, &rng);
	for (size_t l = 0; l < n_linear(m); l++)
		for (size_t o = 0; o < out_of(m, l); o++)
			m->b[lin(l)][o] = (float)(0.3 * lrs_rng_normal(&rng));
	*x = malloc(B * c->inputs * sizeof **x);
	*y = malloc(B * sizeof **y);
	ck_assert_ptr_nonnull(*x);
	ck_assert_ptr_nonnull(*y);
	for (size_t i = 0; i < B * c->inputs; i++)
		(*x)[i] = (float)lrs_rng_normal(&rng);
	for (size_t s = 0; s < B; s++)
		(*y)[s] = (int32_t)(lrs_rng_next(&rng) % c->outputs);
	return m;
}

/* ------------------------------------------------------ gradient checks */

static const struct {
	const char *name;
	size_t inputs, outputs, n_hidden, hidden[3];
	lrs_activation act;
	size_t B, max_batch;   /* batch of the check, model's max */
	size_t stride;         /* check every stride-th parameter */
} grad_cases[] = {
	{ "softmax regression", 6, 4, 0, { 0 }, LRS_ACT_RELU, 5, 5, 1 },
	{ "relu 6-8-4", 6, 4, 1, { 8 }, LRS_ACT_RELU, 5, 7, 1 },
	{ "tanh 6-8-4", 6, 4, 1, { 8 }, LRS_ACT_TANH, 5, 5, 1 },
	{ "sigmoid 6-8-4", 6, 4, 1, { 8 }, LRS_ACT_SIGMOID, 5, 9, 1 },
	{ "relu 5-7-6-3", 5, 3, 2, { 7, 6 }, LRS_ACT_RELU, 4, 4, 1 },
	{ "tanh 5-7-6-3", 5, 3, 2, { 7, 6 }, LRS_ACT_TANH, 4, 6, 1 },
	{ "sigmoid 5-7-6-3", 5, 3, 2, { 7, 6 }, LRS_ACT_SIGMOID, 4, 4, 1 },
	/* blocks of 16 and tails everywhere; a dense sample of parameters */
	{ "relu 40-33-17-10", 40, 10, 2, { 33, 17 }, LRS_ACT_RELU, 19, 19, 7 },
	{ "tanh 9-20-18-12-5", 9, 5, 3, { 20, 18, 12 }, LRS_ACT_TANH, 11, 16, 3 },
	{ "sigmoid 33-48-10", 33, 10, 1, { 48 }, LRS_ACT_SIGMOID, 17, 20, 5 },
};

START_TEST(gradients_match_finite_differences)
{
	lrs_mlp_config c = config(grad_cases[_i].inputs, grad_cases[_i].hidden,
	                          grad_cases[_i].n_hidden, grad_cases[_i].outputs,
	                          grad_cases[_i].act, LRS_INIT_HE);
	size_t B = grad_cases[_i].B;
	float *x;
	int32_t *y;
	lrs_net *m = random_model(&c, grad_cases[_i].max_batch, 1000 + (uint64_t)_i, &x, &y, B);
	double *P = malloc(m->n_params * sizeof *P);
	double loss, ref;

	ck_assert_ptr_nonnull(P);
	for (size_t k = 0; k < m->n_params; k++)
		P[k] = m->params[k];
	loss = lrs_net_forward(m, x, y, B, 1);
	lrs_net_zero_grad(m);
	lrs_net_backward(m, x, y, B);
	ref = ref_loss(m, c.activation, P, x, y, B);
	ck_assert_msg(fabs(loss - ref) <= 1e-6 * ref, "%s: loss %.9g, reference %.9g",
	              grad_cases[_i].name, loss, ref);

	for (size_t k = 0; k < m->n_params; k += grad_cases[_i].stride) {
		double p = P[k], fd;

		P[k] = p + FD_H;
		fd = ref_loss(m, c.activation, P, x, y, B);
		P[k] = p - FD_H;
		fd = (fd - ref_loss(m, c.activation, P, x, y, B)) / (2 * FD_H);
		P[k] = p;
		ck_assert_msg(fabs(m->grads[k] - fd) <= GRAD_ABS + GRAD_REL * fabs(fd),
		              "%s: grad[%zu] = %.9g, finite difference %.9g",
		              grad_cases[_i].name, k, (double)m->grads[k], fd);
	}
	free(P);
	free(x);
	free(y);
	lrs_net_free(m);
}
END_TEST

START_TEST(backward_accumulates)
{
	static const size_t hidden[] = { 12 };
	lrs_mlp_config c = config(7, hidden, 1, 3, LRS_ACT_TANH, LRS_INIT_XAVIER);
	float *x, *g1;
	int32_t *y;
	lrs_net *m = random_model(&c, 6, 7, &x, &y, 6);

	g1 = malloc(m->n_params * sizeof *g1);
	ck_assert_ptr_nonnull(g1);
	lrs_net_forward(m, x, y, 6, 1);
	lrs_net_zero_grad(m);
	lrs_net_backward(m, x, y, 6);
	memcpy(g1, m->grads, m->n_params * sizeof *g1);
	lrs_net_backward(m, x, y, 6);
	for (size_t k = 0; k < m->n_params; k++)
		ck_assert_float_eq_tol(m->grads[k], 2 * g1[k], 1e-6f * (1 + fabsf(g1[k])));
	lrs_net_zero_grad(m);
	for (size_t k = 0; k < m->n_params; k++)
		ck_assert_float_eq(m->grads[k], 0.0f);
	free(g1);
	free(x);
	free(y);
	lrs_net_free(m);
}
END_TEST

/* ------------------------------------------------ loss by hand, stable */

/* Softmax regression, 2 inputs, 3 classes:
 *   W = [[1, 0], [0, 1], [0, 0]] (out, in), b = (0, 0, 1)
 *   x = [(1, 2), (0, 0)], y = (0, 2)
 * logits: sample 1 (1, 2, 1), sample 2 (0, 0, 1)
 *   lse1 = log(e + e² + e) = 1 + log(2 + e) = 2.551444714
 *   lse2 = log(1 + 1 + e) = log(2 + e)      = 1.551444714
 *   loss1 = lse1 - z[0] = 1.551444714;  loss2 = lse2 - z[2] = 0.551444714
 *   mean = 1.051444714
 * probs: sample 1 (1, e, 1)/(2 + e) = (0.2119415576, 0.5761168848, 0.2119415576)
 *        sample 2 (1, 1, e)/(2 + e) = (0.2119415576, 0.2119415576, 0.5761168848)
 * gradient, dz = (p - onehot)/2:
 *   dz1 = (0.2119415576 - 1, 0.5761168848, 0.2119415576)/2
 *       = (-0.3940292212, 0.2880584424, 0.1059707788)
 *   dz2 = (0.2119415576, 0.2119415576, 0.5761168848 - 1)/2
 *       = (0.1059707788, 0.1059707788, -0.2119415576)
 *   db = dz1 + dz2 = (-0.2880584424, 0.3940292212, -0.1059707788)
 *   dW = dz1ᵀ (1, 2) + dz2ᵀ (0, 0)
 *      = [[-0.3940292212, -0.7880584424], [0.2880584424, 0.5761168848],
 *         [0.1059707788, 0.2119415576]] */
START_TEST(loss_and_gradient_by_hand)
{
	lrs_mlp_config c = config(2, NULL, 0, 3, LRS_ACT_RELU, LRS_INIT_HE);
	lrs_net *m = NULL;
	static const float W[6] = { 1, 0, 0, 1, 0, 0 }, b[3] = { 0, 0, 1 };
	static const float x[4] = { 1, 2, 0, 0 };
	static const int32_t y[2] = { 0, 2 };
	static const double probs[6] = { 0.2119415576, 0.5761168848, 0.2119415576,
	                                 0.2119415576, 0.2119415576, 0.5761168848 };
	static const double dW[6] = { -0.3940292212, -0.7880584424, 0.2880584424,
	                              0.5761168848, 0.1059707788, 0.2119415576 };
	static const double db[3] = { -0.2880584424, 0.3940292212, -0.1059707788 };

	ck_assert_int_eq(build(&m, &c, 2), 0);
	memcpy(m->W[0], W, sizeof W);
	memcpy(m->b[0], b, sizeof b);
	ck_assert_double_eq_tol(lrs_net_forward(m, x, y, 2, 1), 1.051444714, 1e-7);
	for (int i = 0; i < 6; i++)
		ck_assert_float_eq_tol(probs_of(m)[i], probs[i], 1e-7);
	lrs_net_zero_grad(m);
	lrs_net_backward(m, x, y, 2);
	for (int i = 0; i < 6; i++)
		ck_assert_float_eq_tol(m->dW[0][i], dW[i], 1e-7);
	for (int i = 0; i < 3; i++)
		ck_assert_float_eq_tol(m->db[0][i], db[i], 1e-7);

	/* one sample of the batch: loss1 alone */
	ck_assert_double_eq_tol(lrs_net_forward(m, x, y, 1, 1), 1.551444714, 1e-7);
	/* without labels: the same probabilities, loss 0 */
	ck_assert_double_eq(lrs_net_forward(m, x, NULL, 2, 0), 0.0);
	for (int i = 0; i < 6; i++)
		ck_assert_float_eq_tol(probs_of(m)[i], probs[i], 1e-7);
	lrs_net_free(m);
}
END_TEST

/* Logits of ±1e4: the row maximum is subtracted, so the loss is finite. */
START_TEST(softmax_is_stable)
{
	lrs_mlp_config c = config(1, NULL, 0, 3, LRS_ACT_RELU, LRS_INIT_HE);
	lrs_net *m = NULL;
	static const float x[2] = { 1, -1 };
	static const int32_t y[2] = { 0, 1 };
	double loss;

	ck_assert_int_eq(build(&m, &c, 2), 0);
	m->W[0][0] = 1e4f;   /* logits (1e4, -1e4, 0) and (-1e4, 1e4, 0) */
	m->W[0][1] = -1e4f;
	m->W[0][2] = 0;
	/* sample 1: y = 0, the largest logit: loss ~ e^-1e4 = 0;
	 * sample 2: y = 1, the largest logit too; mean 0 */
	loss = lrs_net_forward(m, x, y, 2, 1);
	ck_assert(isfinite(loss));
	ck_assert_double_eq_tol(loss, 0.0, 1e-12);
	ck_assert_float_eq(probs_of(m)[0], 1.0f);
	ck_assert_float_eq(probs_of(m)[4], 1.0f);
	/* sample 1 labelled 2 instead: loss 1e4 - 0 = 1e4, halved by the mean */
	static const int32_t y2[2] = { 2, 1 };
	ck_assert_double_eq_tol(lrs_net_forward(m, x, y2, 2, 1), 5e3, 1e-3);
	lrs_net_free(m);
}
END_TEST

/* A NaN input reaches the loss through relu, as in PyTorch. */
START_TEST(nan_propagates)
{
	static const size_t hidden[] = { 4 };
	lrs_mlp_config c = config(3, hidden, 1, 2, LRS_ACT_RELU, LRS_INIT_HE);
	float *x;
	int32_t *y;
	lrs_net *m = random_model(&c, 2, 3, &x, &y, 2);

	x[1] = NAN;
	ck_assert(isnan(lrs_net_forward(m, x, y, 2, 1)));
	free(x);
	free(y);
	lrs_net_free(m);
}
END_TEST

/* ---------------------------------------------------------- correct */

START_TEST(correct_first_max_wins)
{
	lrs_mlp_config c = config(2, NULL, 0, 3, LRS_ACT_RELU, LRS_INIT_HE);
	lrs_net *m = NULL;
	static const float probs[15] = {
		0.2f, 0.5f, 0.3f,    /* argmax 1 */
		0.4f, 0.4f, 0.2f,    /* tie: 0   */
		0.1f, 0.1f, 0.8f,    /* 2        */
		0.3f, 0.35f, 0.35f,  /* tie: 1   */
		0.5f, 0.25f, 0.25f,  /* 0        */
	};
	static const int32_t y[5] = { 1, 1, 2, 2, 0 };
	static const int32_t all[5] = { 1, 0, 2, 1, 0 };

	ck_assert_int_eq(build(&m, &c, 5), 0);
	memcpy(probs_of(m), probs, sizeof probs);
	ck_assert_uint_eq(lrs_net_correct(m, y, 5), 3);
	ck_assert_uint_eq(lrs_net_correct(m, all, 5), 5);
	ck_assert_uint_eq(lrs_net_correct(m, all, 2), 2);
	lrs_net_free(m);
}
END_TEST

START_TEST(correct_after_forward)
{
	lrs_mlp_config c = config(2, NULL, 0, 2, LRS_ACT_RELU, LRS_INIT_HE);
	lrs_net *m = NULL;
	static const float x[6] = { 1, 0, 0, 1, 2, 3 };
	static const int32_t y[3] = { 0, 1, 0 };

	ck_assert_int_eq(build(&m, &c, 3), 0);
	m->W[0][0] = 1;   /* class 0 scores x0, class 1 scores x1 */
	m->W[0][3] = 1;
	lrs_net_forward(m, x, NULL, 3, 0);
	ck_assert_uint_eq(lrs_net_correct(m, y, 3), 2);   /* (2, 3) is class 1 */
	lrs_net_free(m);
}
END_TEST

/* ---------------------------------------------------------------- init */

/* Mean and standard deviation of n floats. */
static void moments(const float *v, size_t n, double *mean, double *std)
{
	double s = 0, ss = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i];
	*mean = s / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - *mean) * (v[i] - *mean);
	*std = sqrt(ss / (double)n);
}

START_TEST(init_he_normal)
{
	static const size_t hidden[] = { 300 };
	lrs_mlp_config c = config(400, hidden, 1, 50, LRS_ACT_RELU, LRS_INIT_HE);
	lrs_net *m = NULL;
	lrs_rng rng;

	lrs_rng_seed(&rng, 42);
	ck_assert_int_eq(build(&m, &c, 1), 0);
	for (size_t k = 0; k < m->n_params; k++)
		m->params[k] = 5.0f;   /* init must overwrite the biases too */
	lrs_net_init(m, &rng);
	for (size_t l = 0; l < 2; l++) {
		size_t n = out_of(m, l) * in_of(m, l), beyond = 0;
		double mean, std, want = sqrt(2.0 / (double)in_of(m, l));

		/* 120000 and 15000 draws: the mean within 4 standard errors, the
		 * std within 3% (its standard error is std/sqrt(2n) < 0.6%) */
		moments(m->W[lin(l)], n, &mean, &std);
		ck_assert_msg(fabs(mean) < 4 * want / sqrt((double)n), "layer %zu mean %g", l, mean);
		ck_assert_msg(fabs(std / want - 1) < 0.03, "layer %zu std %g, want %g", l, std, want);
		for (size_t i = 0; i < n; i++)
			beyond += fabs(m->W[lin(l)][i]) > 2 * want;
		/* normal, not uniform: ~4.55% beyond 2 std */
		ck_assert_msg(fabs((double)beyond / (double)n - 0.0455) < 0.01, "layer %zu tails %zu",
		              l, beyond);
		for (size_t o = 0; o < out_of(m, l); o++)
			ck_assert_float_eq(m->b[lin(l)][o], 0.0f);
	}
	lrs_net_free(m);
}
END_TEST

START_TEST(init_xavier_uniform)
{
	static const size_t hidden[] = { 300 };
	lrs_mlp_config c = config(400, hidden, 1, 50, LRS_ACT_TANH, LRS_INIT_XAVIER);
	lrs_net *m = NULL;
	lrs_rng rng;

	lrs_rng_seed(&rng, 43);
	ck_assert_int_eq(build(&m, &c, 1), 0);
	lrs_net_init(m, &rng);
	for (size_t l = 0; l < 2; l++) {
		size_t n = out_of(m, l) * in_of(m, l);
		double bound = sqrt(6.0 / (double)(in_of(m, l) + out_of(m, l)));
		double mean, std, lo = 0, hi = 0;

		moments(m->W[lin(l)], n, &mean, &std);
		for (size_t i = 0; i < n; i++) {
			ck_assert(fabs(m->W[lin(l)][i]) <= bound);
			lo = fmin(lo, m->W[lin(l)][i]);
			hi = fmax(hi, m->W[lin(l)][i]);
		}
		/* uniform on (-bound, bound): std bound/sqrt(3), the range filled */
		ck_assert_msg(fabs(mean) < 4 * bound / sqrt(3.0 * (double)n), "layer %zu mean %g", l, mean);
		ck_assert_msg(fabs(std / (bound / sqrt(3.0)) - 1) < 0.03, "layer %zu std %g", l, std);
		ck_assert(lo < -0.99 * bound && hi > 0.99 * bound);
		for (size_t o = 0; o < out_of(m, l); o++)
			ck_assert_float_eq(m->b[lin(l)][o], 0.0f);
	}
	lrs_net_free(m);
}
END_TEST

START_TEST(init_is_seeded)
{
	static const size_t hidden[] = { 9, 5 };
	lrs_mlp_config c = config(7, hidden, 2, 3, LRS_ACT_RELU, LRS_INIT_HE);
	lrs_net *a = NULL, *b = NULL;
	lrs_rng r1, r2;

	ck_assert_int_eq(build(&a, &c, 4), 0);
	ck_assert_int_eq(build(&b, &c, 8), 0);
	lrs_rng_seed(&r1, 5);
	lrs_rng_seed(&r2, 5);
	lrs_net_init(a, &r1);
	lrs_net_init(b, &r2);
	ck_assert_mem_eq(a->params, b->params, a->n_params * sizeof(float));
	lrs_rng_seed(&r2, 6);
	lrs_net_init(b, &r2);
	ck_assert(memcmp(a->params, b->params, a->n_params * sizeof(float)) != 0);
	lrs_net_free(a);
	lrs_net_free(b);
}
END_TEST

/* ------------------------------------------------------- build, layout */

START_TEST(layout_is_contiguous)
{
	static const size_t hidden[] = { 5, 4 };
	lrs_mlp_config c = config(3, hidden, 2, 2, LRS_ACT_SIGMOID, LRS_INIT_XAVIER);
	lrs_net *m = NULL;
	float *p;

	ck_assert_int_eq(build(&m, &c, 10), 0);
	/* (5*3 + 5) + (4*5 + 4) + (2*4 + 2) */
	ck_assert_uint_eq(m->n_params, 20 + 24 + 10);
	ck_assert_uint_eq(n_linear(m), 3);
	ck_assert_uint_eq(m->cfg.n_layers, 5);   /* linear, act, linear, act, linear */
	ck_assert_uint_eq(m->max_batch, 10);
	p = m->params;
	for (size_t l = 0; l < n_linear(m); l++) {
		ck_assert_ptr_eq(m->W[lin(l)], p);
		p += out_of(m, l) * in_of(m, l);
		ck_assert_ptr_eq(m->b[lin(l)], p);
		p += out_of(m, l);
		ck_assert_ptr_eq(m->dW[lin(l)], m->grads + (m->W[lin(l)] - m->params));
		ck_assert_ptr_eq(m->db[lin(l)], m->grads + (m->b[lin(l)] - m->params));
	}
	ck_assert_ptr_eq(p, m->params + m->n_params);
	ck_assert_uint_eq(in_of(m, 1), 5);
	ck_assert_uint_eq(out_of(m, 2), 2);
	lrs_net_free(m);
	lrs_net_free(NULL);
}
END_TEST

START_TEST(build_errors)
{
	static const size_t h3[] = { 4, 0, 4 };
	static const size_t h1[] = { 4 };
	lrs_mlp_config ok = config(3, h1, 1, 2, LRS_ACT_RELU, LRS_INIT_HE), c;
	lrs_net *m = NULL, sentinel;

	c = ok;
	c.inputs = 0;
	m = &sentinel;
	ck_assert_int_eq(build(&m, &c, 4), LRS_EINVALID);
	ck_assert_ptr_null(m);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "input (0, 1, 1)"));
	c = ok;
	c.outputs = 0;
	ck_assert_int_eq(build(&m, &c, 4), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "classes (0)"));
	c = config(3, h3, 3, 2, LRS_ACT_RELU, LRS_INIT_HE);
	ck_assert_int_eq(build(&m, &c, 4), LRS_EINVALID);
	/* the second hidden layer is the stack's third: linear, act, linear */
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "layer 3: linear: needs a width"));
	c = ok;
	c.n_hidden = LRS_MLP_MAX_HIDDEN + 1;
	ck_assert_int_eq(build(&m, &c, 4), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "hidden layers"));
	ck_assert_int_eq(build(&m, &ok, 0), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "max_batch"));
	c = ok;
	c.activation = (lrs_activation)7;
	ck_assert_int_eq(build(&m, &c, 4), LRS_EINVALID);
	ck_assert_ptr_null(m);

	/* sizes whose bytes overflow size_t: ENOMEM, nothing allocated */
	c = ok;
	c.inputs = SIZE_MAX / 8;
	ck_assert_int_eq(build(&m, &c, 4), LRS_ENOMEM);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "bytes"));
	ck_assert_int_eq(build(&m, &ok, SIZE_MAX / 2), LRS_ENOMEM);
	ck_assert_ptr_null(m);

	/* LRS_MLP_MAX_HIDDEN hidden layers are fine */
	c = ok;
	c.n_hidden = LRS_MLP_MAX_HIDDEN;
	for (size_t l = 0; l < LRS_MLP_MAX_HIDDEN; l++)
		c.hidden[l] = 3;
	ck_assert_int_eq(build(&m, &c, 4), 0);
	ck_assert_uint_eq(n_linear(m), LRS_MLP_MAX_HIDDEN + 1);
	lrs_net_free(m);
}
END_TEST

Suite *suite_nn(void)
{
	Suite *s = suite_create("nn");
	TCase *tc = tcase_create("gradients");

	tcase_add_loop_test(tc, gradients_match_finite_differences, 0,
	                    (int)(sizeof grad_cases / sizeof grad_cases[0]));
	tcase_add_test(tc, backward_accumulates);
	suite_add_tcase(s, tc);

	tc = tcase_create("loss");
	tcase_add_test(tc, loss_and_gradient_by_hand);
	tcase_add_test(tc, softmax_is_stable);
	tcase_add_test(tc, nan_propagates);
	tcase_add_test(tc, correct_first_max_wins);
	tcase_add_test(tc, correct_after_forward);
	suite_add_tcase(s, tc);

	tc = tcase_create("init");
	tcase_add_test(tc, init_he_normal);
	tcase_add_test(tc, init_xavier_uniform);
	tcase_add_test(tc, init_is_seeded);
	suite_add_tcase(s, tc);

	tc = tcase_create("build");
	tcase_add_test(tc, layout_is_contiguous);
	tcase_add_test(tc, build_errors);
	suite_add_tcase(s, tc);
	return s;
}
