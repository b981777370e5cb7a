/* test_net.c - the layer stack: lrs_net_shapes computes PyTorch's output
 * shapes and names the layer that does not fit, every layer type's
 * gradients agree with finite differences, a layer that applies the next
 * one in its own loop (fused) computes the bits of the two layers apart,
 * dropout's masks have the right statistics and backward uses them,
 * training is bitwise reproducible from a seed, also with nets training on
 * other threads, and lrs_net_bytes covers what build allocates.
 * (tests/torch_net_check.py compares the same layers with PyTorch;
 * test_nn.c checks the `hidden:` shorthand's stacks.) */
#include <check.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/net.h"
#include "lrsweep/optim.h"
#include "lrsweep/rng.h"
#include "suites.h"

static lrs_net_config clr_net(void)
{
	lrs_net_config c = { .channels = 1, .height = 28, .width = 28, .outputs = 10,
	                     .torch_init = 1, .n_layers = 10 };
	const lrs_layer L[] = {
		{ .type = LRS_LAYER_CONV, .size = 32, .kernel = 5, .stride = 1, .padding = 2 },
		{ .type = LRS_LAYER_MAXPOOL, .size = 3, .stride = 2, .ceil = 1 },
		{ .type = LRS_LAYER_RELU },
		{ .type = LRS_LAYER_CONV, .size = 32, .kernel = 5, .stride = 1, .padding = 2 },
		{ .type = LRS_LAYER_RELU },
		{ .type = LRS_LAYER_AVGPOOL, .size = 3, .stride = 2, .ceil = 1 },
		{ .type = LRS_LAYER_CONV, .size = 64, .kernel = 5, .stride = 1, .padding = 2 },
		{ .type = LRS_LAYER_RELU },
		{ .type = LRS_LAYER_AVGPOOL, .size = 3, .stride = 2, .ceil = 1 },
		{ .type = LRS_LAYER_LINEAR, .size = 10 },
	};

	memcpy(c.layer, L, sizeof L);
	return c;
}

/* Shapes as torch.nn gives them for the CLR paper's net on 1x28x28:
 * (32,28,28) (32,14,14) ... (64,3,3) (10). */
START_TEST(shapes_of_the_clr_net)
{
	static const size_t want[10][4] = {
		{ 32, 28, 28, 832 }, { 32, 14, 14, 0 }, { 32, 14, 14, 0 }, { 32, 14, 14, 25632 },
		{ 32, 14, 14, 0 }, { 32, 7, 7, 0 }, { 64, 7, 7, 51264 }, { 64, 7, 7, 0 },
		{ 64, 3, 3, 0 }, { 10, 1, 1, 5770 },
	};
	lrs_net_config c = clr_net();
	lrs_layer_shape s[LRS_NET_MAX_LAYERS];
	size_t bad = 0;

	ck_assert_int_eq(lrs_net_shapes(&c, s, &bad), 0);
	for (size_t l = 0; l < 10; l++) {
		ck_assert_uint_eq(s[l].c, want[l][0]);
		ck_assert_uint_eq(s[l].h, want[l][1]);
		ck_assert_uint_eq(s[l].w, want[l][2]);
		ck_assert_uint_eq(s[l].params, want[l][3]);
	}
}
END_TEST

/* ceil_mode drops a last window that would start in the right padding:
 * torch.nn.MaxPool2d(2, 2, padding=1, ceil_mode=True) on 5x5 gives 3x3,
 * on 4x4 gives 3x3; MaxPool2d(3, 2, ceil_mode=True) on 6x6 gives 3x3. */
START_TEST(ceil_mode_windows)
{
	static const size_t cases[][5] = {   /* in, kernel, stride, padding, out */
		{ 5, 2, 2, 1, 3 }, { 4, 2, 2, 1, 3 }, { 6, 3, 2, 0, 3 }, { 7, 3, 2, 0, 3 },
		{ 8, 3, 3, 1, 3 }, { 1, 1, 1, 0, 1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		lrs_net_config c = { .channels = 2, .height = cases[i][0], .width = cases[i][0],
		                     .outputs = 3, .n_layers = 2 };
		lrs_layer_shape s[2];
		size_t bad;

		c.layer[0] = (lrs_layer){ .type = LRS_LAYER_MAXPOOL, .size = cases[i][1],
		                          .stride = cases[i][2], .padding = cases[i][3], .ceil = 1 };
		c.layer[1] = (lrs_layer){ .type = LRS_LAYER_LINEAR, .size = 3 };
		ck_assert_int_eq(lrs_net_shapes(&c, s, &bad), 0);
		ck_assert_uint_eq(s[0].h, cases[i][4]);
		ck_assert_uint_eq(s[0].w, cases[i][4]);
	}
}
END_TEST

START_TEST(shape_errors_name_the_layer)
{
	lrs_net_config c = clr_net();
	lrs_layer_shape s[LRS_NET_MAX_LAYERS];
	size_t bad = 0;

	c.layer[9].size = 11;   /* not the class count */
	ck_assert_int_eq(lrs_net_shapes(&c, s, &bad), LRS_EINVALID);
	ck_assert_uint_eq(bad, 9);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "10 classes"));
	c = clr_net();
	c.height = c.width = 4;   /* the second conv's 5x5 kernel meets 2x2 */
	c.layer[0].padding = 0;
	ck_assert_int_eq(lrs_net_shapes(&c, s, &bad), LRS_EINVALID);
	ck_assert_uint_eq(bad, 0);
	c = clr_net();
	c.layer[1].padding = 2;   /* over half the pool's kernel */
	ck_assert_int_eq(lrs_net_shapes(&c, s, &bad), LRS_EINVALID);
	ck_assert_uint_eq(bad, 1);
	c = clr_net();
	c.layer[9].type = LRS_LAYER_RELU;   /* no linear at the end */
	ck_assert_int_eq(lrs_net_shapes(&c, s, &bad), LRS_EINVALID);
	ck_assert_uint_eq(bad, 9);
}
END_TEST

/* ------------------------------------------------ gradients and dropout */

#define L_CONV(n, k, s, p) { .type = LRS_LAYER_CONV, .size = n, .kernel = k, .stride = s, .padding = p }
#define L_POOL(t, k, s, p, c) { .type = t, .size = k, .stride = s, .padding = p, .ceil = c }
#define L_ONE(t) { .type = t, .p = 0.3, .momentum = 0.1, .eps = 1e-5 }
#define L_LINEAR(n) { .type = LRS_LAYER_LINEAR, .size = n }

/* Small stacks, each putting one layer type between layers with
 * parameters, so that its backward is on the gradient's path. */
static const struct {
	const char *name;
	size_t c, h, w, n_layers;
	lrs_layer layer[8];
} stacks[] = {
	{ "conv s2 p1, tanh", 2, 7, 6, 3,
	  { L_CONV(3, 3, 2, 1), L_ONE(LRS_LAYER_TANH), L_LINEAR(4) } },
	{ "conv 1x1 on maps, sigmoid", 2, 5, 5, 4,
	  { L_CONV(3, 3, 1, 1), L_CONV(4, 1, 1, 0), L_ONE(LRS_LAYER_SIGMOID), L_LINEAR(4) } },
	{ "maxpool ceil, relu", 2, 7, 7, 5,
	  { L_CONV(3, 3, 1, 1), L_POOL(LRS_LAYER_MAXPOOL, 3, 2, 1, 1), L_ONE(LRS_LAYER_RELU),
	    L_CONV(2, 2, 1, 0), L_LINEAR(4) } },
	{ "avgpool p1 ceil", 1, 8, 6, 4,
	  { L_CONV(3, 3, 1, 2), L_POOL(LRS_LAYER_AVGPOOL, 3, 2, 1, 1), L_ONE(LRS_LAYER_TANH),
	    L_LINEAR(4) } },
	{ "batchnorm 2d and 1d", 2, 5, 5, 7,
	  { L_CONV(3, 3, 1, 1), L_ONE(LRS_LAYER_TANH), L_ONE(LRS_LAYER_BATCHNORM), L_LINEAR(6),
	    L_ONE(LRS_LAYER_SIGMOID), L_ONE(LRS_LAYER_BATCHNORM), L_LINEAR(4) } },
	{ "conv to 32 channels (the weight gradient transposed)", 2, 5, 5, 3,
	  { L_CONV(32, 3, 1, 1), L_ONE(LRS_LAYER_TANH), L_LINEAR(4) } },
	{ "dropout on maps and features", 2, 5, 5, 6,
	  { L_CONV(3, 3, 1, 1), L_ONE(LRS_LAYER_DROPOUT), L_ONE(LRS_LAYER_TANH), L_LINEAR(6),
	    L_ONE(LRS_LAYER_DROPOUT), L_LINEAR(4) } },
};

static lrs_net_config stack_config(size_t i)
{
	lrs_net_config c = { .channels = stacks[i].c, .height = stacks[i].h, .width = stacks[i].w,
	                     .outputs = 4, .torch_init = 1, .n_layers = stacks[i].n_layers };

	memcpy(c.layer, stacks[i].layer, sizeof stacks[i].layer);
	return c;
}

/* The training loss with the dropout stream set back to `drop`, so that
 * every evaluation draws the same masks. */
static double loss_at(lrs_net *n, const lrs_rng *drop, const float *x, const int32_t *y, size_t B)
{
	n->drop = *drop;
	return lrs_net_forward(n, x, y, B, 1);
}

/* Every parameter's gradient against a central difference of the loss:
 * |g - fd| <= 5e-3 * max|g| + 5e-4 (h = 1e-3 on float parameters, the
 * loss rounded to float: about 1e-4 of noise in fd). Where a relu or a
 * max window's winner changes within h (a kink), the gradient is one of
 * the one-sided differences instead. */
START_TEST(gradients_match_finite_differences)
{
	enum { B = 5 };
	lrs_net_config c = stack_config((size_t)_i);
	lrs_net *n = NULL;
	lrs_rng rng, drop;
	size_t in = c.channels * c.height * c.width;
	float x[B * 7 * 7 * 2];
	int32_t y[B];
	float *g;
	double top = 0;

	ck_assert_int_eq(lrs_net_build(&n, &c, B), 0);
	lrs_rng_seed(&rng, 3 + (uint64_t)_i);
	lrs_net_init(n, &rng);
	for (size_t i = 0; i < B * in; i++)
		x[i] = (float)lrs_rng_normal(&rng);
	for (size_t b = 0; b < B; b++)
		y[b] = (int32_t)(lrs_rng_next(&rng) % 4);
	drop = n->drop;
	loss_at(n, &drop, x, y, B);
	lrs_net_zero_grad(n);
	lrs_net_backward(n, x, y, B);
	g = malloc(n->n_params * sizeof *g);
	memcpy(g, n->grads, n->n_params * sizeof *g);
	for (size_t i = 0; i < n->n_params; i++)
		top = fabs(g[i]) > top ? fabs(g[i]) : top;
	ck_assert(top > 0);
	for (size_t i = 0; i < n->n_params; i++) {
		float keep = n->params[i], hi = keep + 1e-3f, lo = keep - 1e-3f;
		double up, down, mid = loss_at(n, &drop, x, y, B), tol = 5e-3 * top + 5e-4;

		n->params[i] = hi;
		up = loss_at(n, &drop, x, y, B);
		n->params[i] = lo;
		down = loss_at(n, &drop, x, y, B);
		n->params[i] = keep;
		ck_assert_msg(fabs(g[i] - (up - down) / ((double)hi - lo)) <= tol ||
		              fabs(g[i] - (up - mid) / ((double)hi - keep)) <= 2 * tol ||
		              fabs(g[i] - (mid - down) / ((double)keep - lo)) <= 2 * tol,
		              "%s: parameter %zu: %g, differences %g %g %g", stacks[_i].name, i, g[i],
		              (up - down) / ((double)hi - lo), (up - mid) / ((double)hi - keep),
		              (mid - down) / ((double)keep - lo));
	}
	free(g);
	lrs_net_free(n);
}
END_TEST

/* Dropout p = 0.3 on 1x100x100 inputs: about 30% zeros, the rest scaled
 * by 1/0.7 exactly; in evaluation, and with p = 0, the identity. */
START_TEST(dropout_masks)
{
	enum { B = 2, F = 10000 };
	lrs_net_config c = { .channels = 1, .height = 100, .width = 100, .outputs = 3,
	                     .torch_init = 1, .n_layers = 2,
	                     .layer = { L_ONE(LRS_LAYER_DROPOUT), L_LINEAR(3) } };
	lrs_net *n = NULL;
	lrs_rng rng;
	float *x = malloc(B * F * sizeof *x);
	size_t zeros = 0;

	ck_assert_int_eq(lrs_net_build(&n, &c, B), 0);
	lrs_rng_seed(&rng, 5);
	lrs_net_init(n, &rng);
	for (size_t i = 0; i < B * F; i++)
		x[i] = (float)lrs_rng_normal(&rng);
	lrs_net_forward(n, x, NULL, B, 1);
	for (size_t i = 0; i < B * F; i++) {
		float m = n->aux[0].mask[i];

		ck_assert(m == 0.0f || m == 1.0f / 0.7f);
		ck_assert(n->act[0][i] == x[i] * m);
		zeros += m == 0.0f;
	}
	/* 0.3 of 20000, binomial sd 65: within 5 sd */
	ck_assert_msg(zeros > 6000 - 325 && zeros < 6000 + 325, "%zu zeros of 20000", zeros);
	lrs_net_forward(n, x, NULL, B, 0);
	ck_assert(memcmp(n->act[0], x, B * F * sizeof *x) == 0);
	n->cfg.layer[0].p = 0.0;
	lrs_net_forward(n, x, NULL, B, 1);
	ck_assert(memcmp(n->act[0], x, B * F * sizeof *x) == 0);
	free(x);
	lrs_net_free(n);
}
END_TEST

/* linear 8, dropout, linear: the first layer's bias gradient is zero
 * exactly where the forward's mask dropped the unit, and nonzero
 * elsewhere -- backward applies the forward's mask, not a new one. */
START_TEST(dropout_backward_uses_the_forward_mask)
{
	lrs_net_config c = { .channels = 6, .height = 1, .width = 1, .outputs = 3,
	                     .torch_init = 1, .n_layers = 3,
	                     .layer = { L_LINEAR(64), L_ONE(LRS_LAYER_DROPOUT), L_LINEAR(3) } };
	lrs_net *n = NULL;
	lrs_rng rng;
	float x[6];
	int32_t y[1] = { 1 };
	size_t dropped = 0;

	ck_assert_int_eq(lrs_net_build(&n, &c, 1), 0);
	lrs_rng_seed(&rng, 9);
	lrs_net_init(n, &rng);
	for (size_t i = 0; i < 6; i++)
		x[i] = (float)lrs_rng_normal(&rng);
	lrs_net_forward(n, x, y, 1, 1);
	lrs_net_zero_grad(n);
	lrs_net_backward(n, x, y, 1);
	for (size_t j = 0; j < 64; j++) {
		ck_assert((n->db[0][j] == 0.0f) == (n->aux[1].mask[j] == 0.0f));
		dropped += n->aux[1].mask[j] == 0.0f;
	}
	ck_assert(dropped > 5 && dropped < 40);
	lrs_net_free(n);
}
END_TEST

/* ------------------------------------------------ pooling */

/* The first maximum of the window of output (oh, ow) in plane p (H, W),
 * padding -inf, a NaN winning: PyTorch's rule, written plainly; its index
 * in *at. */
static float plain_window_max(const float *p, size_t H, size_t W, const lrs_layer *L, size_t oh,
                              size_t ow, int32_t *at)
{
	long h0 = (long)(oh * L->stride) - (long)L->padding, w0 = (long)(ow * L->stride) - (long)L->padding;
	float top = -INFINITY;

	*at = -1;
	for (long h = h0; h < h0 + (long)L->size; h++)
		for (long w = w0; w < w0 + (long)L->size; w++) {
			if (h < 0 || w < 0 || h >= (long)H || w >= (long)W)
				continue;
			if (*at < 0 || p[h * (long)W + w] > top || isnan(p[h * (long)W + w])) {
				top = p[h * (long)W + w];
				*at = (int32_t)(h * (long)W + w);
			}
		}
	return top;
}

/* Max pooling (then relu for odd cases) on maps with many ties, NaNs and
 * -inf, wide enough for the rows' vector path and narrow enough for the
 * planes' one (eight samples side by side, the other two alone): outputs
 * and winners as the plain loop's. */
START_TEST(maxpool_matches_a_plain_loop)
{
	static const size_t cases[][6] = {   /* H, W, kernel, stride, padding, ceil */
		{ 28, 28, 3, 2, 0, 1 }, { 28, 28, 2, 2, 0, 0 }, { 20, 37, 2, 2, 0, 0 },
		{ 17, 17, 3, 2, 1, 1 }, { 9, 30, 3, 1, 1, 0 }, { 12, 40, 5, 2, 2, 1 },
		{ 10, 10, 2, 2, 0, 0 }, { 13, 29, 4, 3, 1, 1 }, { 6, 26, 8, 2, 3, 0 },
		/* no padding, ceil windows clipped at the right and bottom
		 * edges; stride 1; rows of more than sixteen windows */
		{ 20, 34, 3, 2, 0, 1 }, { 11, 35, 3, 1, 0, 0 }, { 9, 41, 2, 1, 0, 0 },
	};
	enum { B = 10, C = 3 };
	size_t i = (size_t)_i / 2;
	int relu = _i % 2;
	lrs_net_config c = { .channels = C, .height = cases[i][0], .width = cases[i][1], .outputs = 2,
	                     .torch_init = 1, .n_layers = 2 + (size_t)relu };
	lrs_layer_shape sh[3];
	lrs_net *n = NULL;
	lrs_rng rng;
	size_t H = cases[i][0], W = cases[i][1], bad, ohw;
	float *x = malloc(B * C * H * W * sizeof *x);

	c.layer[0] = (lrs_layer){ .type = LRS_LAYER_MAXPOOL, .size = cases[i][2], .stride = cases[i][3],
	                          .padding = cases[i][4], .ceil = (int)cases[i][5] };
	c.layer[1] = (lrs_layer){ .type = LRS_LAYER_RELU };
	c.layer[1 + (size_t)relu] = (lrs_layer){ .type = LRS_LAYER_LINEAR, .size = 2 };
	ck_assert_int_eq(lrs_net_shapes(&c, sh, &bad), 0);
	ohw = sh[0].h * sh[0].w;
	ck_assert_int_eq(lrs_net_build(&n, &c, B), 0);
	lrs_rng_seed(&rng, 41 + (uint64_t)_i);
	lrs_net_init(n, &rng);
	for (size_t k = 0; k < B * C * H * W; k++) {
		uint64_t r = lrs_rng_next(&rng) % 64;

		x[k] = r == 0 ? NAN : r == 1 ? -INFINITY : (float)(r % 5) - 2.0f;
	}
	lrs_net_forward(n, x, NULL, B, 1);
	ck_assert_int_eq(n->aux[0].fused, relu);
	for (size_t ch = 0; ch < C; ch++)
		for (size_t b = 0; b < B; b++)
			for (size_t o = 0; o < ohw; o++) {
				int32_t at;
				float want = plain_window_max(x + (b * C + ch) * H * W, H, W, &c.layer[0],
				                              o / sh[0].w, o % sh[0].w, &at);
				size_t k = (ch * B + b) * ohw + o;

				want = relu && want < 0.0f ? 0.0f : want;
				ck_assert_msg(memcmp(&n->act[0][k], &want, sizeof want) == 0 &&
				              n->aux[0].argmax[k] == at,
				              "case %zu: output %zu: %g at %d, want %g at %d", i, k,
				              (double)n->act[0][k], n->aux[0].argmax[k], (double)want, at);
			}
	free(x);
	lrs_net_free(n);
}
END_TEST

/* SGD with momentum 0.9 over n_params parameters. */
static lrs_optim *momentum_sgd(size_t n_params)
{
	lrs_optim_config oc;
	lrs_optim *o = NULL;

	lrs_optim_defaults(&oc, LRS_OPTIM_SGD);
	oc.momentum = 0.9;
	ck_assert_int_eq(lrs_optim_build(&o, &oc, n_params), 0);
	return o;
}

/* ------------------------------------------------ fused layers */

/* Stacks whose layers apply the next one in their own output loop: a
 * linear its activation, a conv or pool a relu. */
static const struct {
	const char *name;
	size_t c, h, w, n_layers;
	lrs_layer layer[10];
} fused[] = {
	{ "linear, relu", 9, 1, 1, 5,
	  { L_LINEAR(17), L_ONE(LRS_LAYER_RELU), L_LINEAR(11), L_ONE(LRS_LAYER_RELU), L_LINEAR(4) } },
	{ "linear, tanh", 9, 1, 1, 3, { L_LINEAR(17), L_ONE(LRS_LAYER_TANH), L_LINEAR(4) } },
	{ "linear, sigmoid", 9, 1, 1, 3, { L_LINEAR(17), L_ONE(LRS_LAYER_SIGMOID), L_LINEAR(4) } },
	{ "conv, relu, maxpool, relu", 2, 11, 11, 8,
	  { L_CONV(5, 3, 1, 1), L_ONE(LRS_LAYER_RELU), L_POOL(LRS_LAYER_MAXPOOL, 3, 2, 0, 1),
	    L_ONE(LRS_LAYER_RELU), L_CONV(6, 3, 1, 1), L_POOL(LRS_LAYER_AVGPOOL, 3, 2, 1, 1),
	    L_ONE(LRS_LAYER_RELU), L_LINEAR(4) } },
	{ "lenet-like", 1, 12, 12, 9,
	  { L_CONV(6, 5, 1, 2), L_ONE(LRS_LAYER_RELU), L_POOL(LRS_LAYER_MAXPOOL, 2, 2, 0, 0),
	    L_CONV(8, 3, 1, 0), L_ONE(LRS_LAYER_RELU), L_POOL(LRS_LAYER_MAXPOOL, 2, 2, 0, 0),
	    L_LINEAR(12), L_ONE(LRS_LAYER_RELU), L_LINEAR(4) } },
};

/* fused[i] as a config; with `apart`, a dropout of p = 0 (the identity,
 * both ways) before each activation, so that no layer applies the next. */
static lrs_net_config fused_config(size_t i, int apart)
{
	lrs_net_config c = { .channels = fused[i].c, .height = fused[i].h, .width = fused[i].w,
	                     .outputs = 4, .torch_init = 1 };

	for (size_t l = 0; l < fused[i].n_layers; l++) {
		lrs_layer_type t = fused[i].layer[l].type;

		if (apart && (t == LRS_LAYER_RELU || t == LRS_LAYER_TANH || t == LRS_LAYER_SIGMOID))
			c.layer[c.n_layers++] = (lrs_layer){ .type = LRS_LAYER_DROPOUT, .p = 0.0 };
		c.layer[c.n_layers++] = fused[i].layer[l];
	}
	return c;
}

/* Three SGD steps of both forms of fused[_i] from one seed: the same
 * losses, gradients and parameters, bit for bit. */
START_TEST(fused_layers_are_bitwise_the_layers_apart)
{
	enum { B = 7, STEPS = 3 };
	lrs_net_config c[2] = { fused_config((size_t)_i, 0), fused_config((size_t)_i, 1) };
	size_t in = c[0].channels * c[0].height * c[0].width;
	lrs_net *n[2] = { NULL, NULL };
	lrs_optim *o[2] = { NULL, NULL };
	lrs_rng data;
	float x[B * 256];   /* the widest stack's input: 2 x 11 x 11 */
	int32_t y[B];

	for (int k = 0; k < 2; k++) {
		lrs_rng rng;

		ck_assert_int_eq(lrs_net_build(&n[k], &c[k], B), 0);
		o[k] = momentum_sgd(n[k]->n_params);
		lrs_rng_seed(&rng, 31);
		lrs_net_init(n[k], &rng);
	}
	ck_assert_uint_le(in, 256);
	ck_assert_uint_eq(n[0]->n_params, n[1]->n_params);
	for (int k = 0; k < 2; k++) {   /* the first form fuses, the second not */
		size_t count = 0;

		for (size_t l = 0; l < c[k].n_layers; l++)
			count += (size_t)n[k]->aux[l].fused;
		ck_assert_msg(k == 0 ? count > 0 : count == 0, "%s: %zu fused layers", fused[_i].name, count);
	}
	lrs_rng_seed(&data, 37);
	for (int s = 0; s < STEPS; s++) {
		double loss[2];

		for (size_t i = 0; i < B * in; i++)
			x[i] = (float)lrs_rng_normal(&data);
		for (size_t b = 0; b < B; b++)
			y[b] = (int32_t)(lrs_rng_next(&data) % 4);
		for (int k = 0; k < 2; k++) {
			loss[k] = lrs_net_forward(n[k], x, y, B, 1);
			lrs_net_zero_grad(n[k]);
			lrs_net_backward(n[k], x, y, B);
		}
		ck_assert_msg(memcmp(&loss[0], &loss[1], sizeof loss[0]) == 0, "%s: step %d loss %.17g, apart %.17g",
		              fused[_i].name, s, loss[0], loss[1]);
		ck_assert_msg(memcmp(n[0]->grads, n[1]->grads, n[0]->n_params * sizeof(float)) == 0,
		              "%s: step %d gradients differ", fused[_i].name, s);
		for (int k = 0; k < 2; k++)
			lrs_optim_step(o[k], n[k]->params, n[k]->grads, 0.05, NAN);
	}
	ck_assert(memcmp(n[0]->params, n[1]->params, n[0]->n_params * sizeof(float)) == 0);
	for (int k = 0; k < 2; k++) {
		lrs_optim_free(o[k]);
		lrs_net_free(n[k]);
	}
}
END_TEST

/* ------------------------------------------------ reproducibility */

/* Trains the CLR paper's net on 1x12x12 inputs (with batchnorm and
 * dropout added) for a few SGD steps from seed 21; the parameters and
 * running statistics into out. */
static void train_small_net(float *out, size_t *count)
{
	enum { B = 6, STEPS = 4 };
	lrs_net_config c = { .channels = 1, .height = 12, .width = 12, .outputs = 10,
	                     .torch_init = 1, .n_layers = 8,
	                     .layer = { L_CONV(8, 5, 1, 2), L_POOL(LRS_LAYER_MAXPOOL, 3, 2, 0, 1),
	                                L_ONE(LRS_LAYER_RELU), L_ONE(LRS_LAYER_BATCHNORM),
	                                L_CONV(8, 3, 1, 1), L_POOL(LRS_LAYER_AVGPOOL, 3, 2, 0, 1),
	                                L_ONE(LRS_LAYER_DROPOUT), L_LINEAR(10) } };
	lrs_net *n = NULL;
	lrs_optim *o;
	lrs_rng rng;
	float x[B * 144];
	int32_t y[B];

	ck_assert_int_eq(lrs_net_build(&n, &c, B), 0);
	o = momentum_sgd(n->n_params);
	lrs_rng_seed(&rng, 21);
	lrs_net_init(n, &rng);
	for (int s = 0; s < STEPS; s++) {
		for (size_t i = 0; i < B * 144; i++)
			x[i] = (float)lrs_rng_uniform(&rng);
		for (size_t b = 0; b < B; b++)
			y[b] = (int32_t)(lrs_rng_next(&rng) % 10);
		lrs_net_forward(n, x, y, B, 1);
		lrs_net_zero_grad(n);
		lrs_net_backward(n, x, y, B);
		lrs_optim_step(o, n->params, n->grads, 0.05, NAN);
	}
	memcpy(out, n->params, n->n_params * sizeof *out);
	memcpy(out + n->n_params, n->running, n->n_running * sizeof *out);
	*count = n->n_params + n->n_running;
	lrs_optim_free(o);
	lrs_net_free(n);
}

#define SMALL_NET_FLOATS 4096

typedef struct {
	float v[SMALL_NET_FLOATS];
	size_t n;
} trained;

static void *train_thread(void *arg)
{
	trained *t = arg;

	train_small_net(t->v, &t->n);
	return NULL;
}

/* The same seed gives the same bits, alone or with two more nets
 * training on other threads at the same time. */
START_TEST(training_is_bitwise_reproducible)
{
	static trained alone, side[2];
	pthread_t th[2];

	train_small_net(alone.v, &alone.n);
	ck_assert_uint_le(alone.n, SMALL_NET_FLOATS);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, train_thread, &side[i]), 0);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_uint_eq(side[i].n, alone.n);
		ck_assert(memcmp(side[i].v, alone.v, alone.n * sizeof(float)) == 0);
	}
}
END_TEST

/* lrs_net_bytes is what build asks the heap for: glibc's accounting (where
 * the allocator keeps one) shows the same, give or take its headers and
 * the rounding of each large block to whole pages. */
START_TEST(bytes_cover_the_build)
{
	lrs_net_config c = clr_net();
	struct mallinfo2 before, after;
	lrs_net *n = NULL;
	double bytes = 0, used;

	ck_assert_int_eq(lrs_net_bytes(&c, 100, &bytes), 0);
	ck_assert_int_eq(lrs_net_build(&n, &c, 1), 0);   /* BLAS loaded, not counted */
	lrs_net_free(n);
	before = mallinfo2();
	ck_assert_int_eq(lrs_net_build(&n, &c, 100), 0);
	after = mallinfo2();
	used = (double)(after.uordblks + after.hblkhd) - (double)(before.uordblks + before.hblkhd);
	if (used > 0) {   /* a sanitizer's allocator reports nothing */
		ck_assert_msg(bytes + 4 * 4096.0 >= used, "bytes %.0f, allocated %.0f", bytes, used);
		ck_assert_msg(bytes <= used, "bytes %.0f, allocated %.0f", bytes, used);
	}
	/* activations alone: 100 samples of (32,28,28) + (32,14,14) x 3 ... */
	ck_assert(bytes > 100.0 * (32 * 28 * 28 + 32 * 14 * 14) * sizeof(float));
	lrs_net_free(n);
}
END_TEST

Suite *suite_net(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("net");

	tcase_add_test(tc, shapes_of_the_clr_net);
	tcase_add_test(tc, ceil_mode_windows);
	tcase_add_test(tc, shape_errors_name_the_layer);
	tcase_add_loop_test(tc, gradients_match_finite_differences, 0,
	                    (int)(sizeof stacks / sizeof stacks[0]));
	tcase_add_test(tc, dropout_masks);
	tcase_add_test(tc, dropout_backward_uses_the_forward_mask);
	tcase_add_loop_test(tc, maxpool_matches_a_plain_loop, 0, 24);
	tcase_add_loop_test(tc, fused_layers_are_bitwise_the_layers_apart, 0,
	                    (int)(sizeof fused / sizeof fused[0]));
	tcase_add_test(tc, training_is_bitwise_reproducible);
	tcase_add_test(tc, bytes_cover_the_build);
	suite_add_tcase(s, tc);
	return s;
}
