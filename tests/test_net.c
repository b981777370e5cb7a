/* test_net.c - the layer stack: an MLP written as layers trains bitwise as
 * nn.h's MLP (same draws, same arithmetic), and lrs_net_shapes computes
 * PyTorch's output shapes and names the layer that does not fit. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/net.h"
#include "lrsweep/nn.h"
#include "lrsweep/optim.h"
#include "lrsweep/rng.h"
#include "suites.h"

/* Trains an MLP and the same stack as a net for `steps` SGD steps from
 * one seed on random data; the parameters must agree bit for bit. */
static void mlp_and_net_agree(lrs_activation act, lrs_init init, size_t n_hidden)
{
	enum { IN = 37, OUT = 7, B = 13, STEPS = 5 };
	lrs_mlp_config mc = { .inputs = IN, .outputs = OUT, .n_hidden = n_hidden,
	                      .hidden = { 19, 11, 5 }, .activation = act, .init = init };
	lrs_net_config nc;
	lrs_mlp *m = NULL;
	lrs_net *n = NULL;
	lrs_optim *om = NULL, *on = NULL;
	lrs_optim_config oc;
	lrs_rng r1, r2, data;
	float x[B * IN];
	int32_t y[B];

	lrs_net_from_mlp(&nc, &mc);
	ck_assert_int_eq(lrs_mlp_build(&m, &mc, B), 0);
	ck_assert_int_eq(lrs_net_build(&n, &nc, B), 0);
	ck_assert_uint_eq(m->n_params, n->n_params);
	lrs_optim_defaults(&oc, LRS_OPTIM_SGD);
	oc.momentum = 0.9;
	ck_assert_int_eq(lrs_optim_build(&om, &oc, m->n_params), 0);
	ck_assert_int_eq(lrs_optim_build(&on, &oc, n->n_params), 0);
	lrs_rng_seed(&r1, 7);
	lrs_rng_seed(&r2, 7);
	lrs_mlp_init(m, &r1);
	lrs_net_init(n, &r2);
	ck_assert(memcmp(m->params, n->params, m->n_params * sizeof(float)) == 0);
	lrs_rng_seed(&data, 11);
	for (int s = 0; s < STEPS; s++) {
		for (size_t i = 0; i < B * IN; i++)
			x[i] = (float)lrs_rng_normal(&data);
		for (size_t b = 0; b < B; b++)
			y[b] = (int32_t)(lrs_rng_next(&data) % OUT);
		double lm = lrs_mlp_forward(m, x, y, B), ln = lrs_net_forward(n, x, y, B, 1);
		ck_assert(memcmp(&lm, &ln, sizeof lm) == 0);
		ck_assert_uint_eq(lrs_mlp_correct(m, y, B), lrs_net_correct(n, y, B));
		lrs_mlp_zero_grad(m);
		lrs_net_zero_grad(n);
		lrs_mlp_backward(m, x, y, B);
		lrs_net_backward(n, x, y, B);
		ck_assert(memcmp(m->grads, n->grads, m->n_params * sizeof(float)) == 0);
		lrs_optim_step(om, m->params, m->grads, 0.05, NAN);
		lrs_optim_step(on, n->params, n->grads, 0.05, NAN);
	}
	ck_assert(memcmp(m->params, n->params, m->n_params * sizeof(float)) == 0);
	lrs_optim_free(om);
	lrs_optim_free(on);
	lrs_mlp_free(m);
	lrs_net_free(n);
}

START_TEST(mlp_as_layers_is_bitwise_the_mlp)
{
	static const lrs_activation acts[] = { LRS_ACT_RELU, LRS_ACT_TANH, LRS_ACT_SIGMOID };

	mlp_and_net_agree(acts[_i % 3], _i % 2 ? LRS_INIT_XAVIER : LRS_INIT_HE, (size_t)_i % 4);
}
END_TEST

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

Suite *suite_net(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("net");

	tcase_add_loop_test(tc, mlp_as_layers_is_bitwise_the_mlp, 0, 12);
	tcase_add_test(tc, shapes_of_the_clr_net);
	tcase_add_test(tc, ceil_mode_windows);
	tcase_add_test(tc, shape_errors_name_the_layer);
	suite_add_tcase(s, tc);
	return s;
}
