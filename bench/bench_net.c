/* bench_net.c - training throughput of lrsweep's conv nets (net.h) on
 * Fashion-MNIST, and the single-core sgemm rate, for bench_cnn.py.
 *
 *   bench_net train NET BATCH STEPS   samples/s of training steps
 *   bench_net flops NET               FLOPs of one training sample's
 *                                     products (forward, weight and input
 *                                     gradients; none for the first
 *                                     layer's input)
 *   bench_net sgemm                   GFLOP/s of a 1024^3 sgemm, median
 *   bench_net info                    the BLAS library and its kernel
 *   bench_net conv C OC HW K PAD B REPS
 *                                     seconds per call (median of REPS) of
 *                                     one conv layer's forward, weight
 *                                     gradient and input gradient (the
 *                                     backward with it less the backward
 *                                     without), stride 1, channel-major
 *                                     HWxHW maps, batch B: a layer's pieces
 *                                     on their own (LRSWEEP_PORTABLE=1
 *                                     times the im2col path)
 *
 * NET is `clr` (the CLR paper's CIFAR-10 network for 1x28x28, SPEC §13)
 * or `lenet` (LeNet-5: conv 6 k5 p2, relu, maxpool 2, conv 16 k5, relu,
 * maxpool 2, linear 120, relu, linear 84, relu, linear 10). A step is
 * gather, forward, backward, and an SGD step (momentum 0.9, lr 0.01) that
 * zeroes the gradients, over a shuffled in-memory training set scaled to
 * [0, 1]; one BLAS thread. Prints one number on stdout; loading is not
 * timed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lrsweep/blas.h"
#include "lrsweep/data.h"
#include "lrsweep/error.h"
#include "lrsweep/net.h"
#include "lrsweep/optim.h"
#include "lrsweep/rng.h"
#include "../src/nn/internal.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int net_config(lrs_net_config *c, const char *name)
{
	static const lrs_layer clr[] = {
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
	static const lrs_layer lenet[] = {
		{ .type = LRS_LAYER_CONV, .size = 6, .kernel = 5, .stride = 1, .padding = 2 },
		{ .type = LRS_LAYER_RELU },
		{ .type = LRS_LAYER_MAXPOOL, .size = 2, .stride = 2 },
		{ .type = LRS_LAYER_CONV, .size = 16, .kernel = 5, .stride = 1 },
		{ .type = LRS_LAYER_RELU },
		{ .type = LRS_LAYER_MAXPOOL, .size = 2, .stride = 2 },
		{ .type = LRS_LAYER_LINEAR, .size = 120 },
		{ .type = LRS_LAYER_RELU },
		{ .type = LRS_LAYER_LINEAR, .size = 84 },
		{ .type = LRS_LAYER_RELU },
		{ .type = LRS_LAYER_LINEAR, .size = 10 },
	};
	int is_clr = strcmp(name, "clr") == 0;

	if (!is_clr && strcmp(name, "lenet") != 0)
		return -1;
	*c = (lrs_net_config){ .channels = 1, .height = 28, .width = 28, .outputs = 10,
	                       .torch_init = 1 };
	c->n_layers = is_clr ? sizeof clr / sizeof clr[0] : sizeof lenet / sizeof lenet[0];
	memcpy(c->layer, is_clr ? clr : lenet, c->n_layers * sizeof(lrs_layer));
	return 0;
}

/* The FLOPs of one sample's training products. */
static double train_flops(const lrs_net_config *c)
{
	lrs_layer_shape s[LRS_NET_MAX_LAYERS];
	size_t bad, ch = c->channels, h = c->height, w = c->width;
	double total = 0;
	int first = 1;

	if (lrs_net_shapes(c, s, &bad) < 0)
		return 0;
	for (size_t l = 0; l < c->n_layers; l++) {
		double fwd = 0;

		if (c->layer[l].type == LRS_LAYER_CONV)
			fwd = 2.0 * (double)(s[l].c * s[l].h * s[l].w) * (double)(ch * c->layer[l].kernel * c->layer[l].kernel);
		else if (c->layer[l].type == LRS_LAYER_LINEAR)
			fwd = 2.0 * (double)s[l].c * (double)(ch * h * w);
		total += fwd * (first && fwd > 0 ? 2 : 3);
		first &= fwd == 0;
		ch = s[l].c, h = s[l].h, w = s[l].w;
	}
	return total;
}

static int run_train(const lrs_net_config *c, size_t batch, long steps)
{
	lrs_data_config dc = { 0 };
	lrs_dataset *ds = NULL;
	lrs_net *n = NULL;
	lrs_optim *o = NULL;
	lrs_optim_config oc;
	lrs_rng rng;
	uint32_t *idx = NULL;
	float *x = malloc(batch * 784 * sizeof *x);
	int32_t *y = malloc(batch * sizeof *y);
	double t0 = 0;

	dc.normalize = LRS_NORM_SCALE;
	lrs_optim_defaults(&oc, LRS_OPTIM_SGD);
	oc.momentum = 0.9;
	if (!x || !y || lrs_data_fashion_mnist(&dc.train, &dc.test) < 0 ||
	    lrs_dataset_load(&ds, &dc) < 0 || lrs_net_build(&n, c, batch) < 0 ||
	    lrs_optim_build(&o, &oc, n->n_params) < 0 ||
	    !(idx = malloc(ds->train.n * sizeof *idx))) {
		fprintf(stderr, "bench_net: %s\n", lrs_error_last());
		return 1;
	}
	lrs_rng_seed(&rng, 1);
	lrs_net_init(n, &rng);
	for (size_t i = 0; i < ds->train.n; i++)
		idx[i] = (uint32_t)i;
	for (size_t i = ds->train.n; i > 1; i--) {
		size_t j = lrs_rng_next(&rng) % i;
		uint32_t t = idx[i - 1];
		idx[i - 1] = idx[j], idx[j] = t;
	}
	lrs_net_zero_grad(n);
	for (long s = 0; s <= steps; s++) {   /* step 0 warms up, untimed */
		size_t first = ((size_t)s * batch) % (ds->train.n - batch);

		if (s == 1)
			t0 = now();
		lrs_split_gather(&ds->train, idx + first, batch, x, y);
		lrs_net_forward(n, x, y, batch, 1);
		lrs_net_backward(n, x, y, batch);
		lrs_optim_step_zero_grad(o, n->params, n->grads, 0.01, 0.9);
	}
	printf("%.1f\n", (double)steps * (double)batch / (now() - t0));
	free(idx), free(x), free(y);
	lrs_optim_free(o);
	lrs_net_free(n);
	lrs_dataset_free(ds);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The median rate of REPS square sgemms of 1024. */
static int run_sgemm(void)
{
	enum { N = 1024, REPS = 15 };
	float *A = malloc(N * N * sizeof *A), *B = malloc(N * N * sizeof *B), *C = malloc(N * N * sizeof *C);
	double t[REPS];

	for (size_t i = 0; i < (size_t)N * N; i++)
		A[i] = (float)(i % 7) * 0.1f, B[i] = (float)(i % 5) * 0.01f;
	lrs_sgemm(0, 0, N, N, N, 1.0f, A, N, B, N, 0.0f, C, N);
	for (int r = 0; r < REPS; r++) {
		double t0 = now();
		lrs_sgemm(0, 0, N, N, N, 1.0f, A, N, B, N, 0.0f, C, N);
		t[r] = now() - t0;
	}
	qsort(t, REPS, sizeof t[0], cmp_double);
	printf("%.2f\n", 2.0 * N * N * N / t[REPS / 2] / 1e9);
	free(A), free(B), free(C);
	return 0;
}

/* The median of REPS timings of one conv piece: 0 forward, 1 backward
 * without the input gradient, 2 with it. */
static double time_conv_piece(int piece, float **buf, const lrs_window *g, lrs_map_layout in,
                              size_t B, size_t chunk, int reps)
{
	double t[64];

	for (int r = 0; r < reps; r++) {
		double t0 = now();

		if (piece == 0)
			lrs_conv_forward(buf[2], buf[0], in, buf[1], buf[1], 1, buf[5], chunk, g, B);
		else
			lrs_conv_backward(piece == 2 ? buf[3] : NULL, buf[4], buf[4], buf[2], buf[0], in,
			                  buf[1], buf[5], chunk, g, B);
		t[r] = now() - t0;
	}
	qsort(t, (size_t)reps, sizeof t[0], cmp_double);
	return t[reps / 2];
}

/* Times one conv layer's forward, weight gradient and input gradient. */
static int run_conv(char **argv)
{
	size_t C = (size_t)atol(argv[0]), OC = (size_t)atol(argv[1]), HW = (size_t)atol(argv[2]);
	size_t k = (size_t)atol(argv[3]), pad = (size_t)atol(argv[4]), B = (size_t)atol(argv[5]);
	int reps = atoi(argv[6]);
	lrs_window g = { .C = C, .H = HW, .W = HW, .OC = OC, .k = k, .stride = 1, .pad = pad };
	lrs_map_layout in = lrs_map_layout_of(1, B, C, HW * HW);
	size_t chunk, n[6];
	float *buf[6];
	double f, dw, dwi;

	if (!C || !OC || !HW || !k || HW + 2 * pad < k || !B || reps < 1 || reps > 64)
		return 2;
	g.OH = g.OW = HW + 2 * pad - k + 1;
	chunk = (1u << 17) / lrs_conv_cols_per_sample(&g);
	chunk = chunk < 1 ? 1 : chunk < B ? chunk : B;
	n[0] = n[3] = B * C * HW * HW, n[1] = n[4] = OC * C * k * k + OC, n[2] = OC * B * g.OH * g.OW;
	n[5] = lrs_conv_scratch(&g, in, B, chunk) + 16;
	for (int i = 0; i < 6; i++) {
		if (!(buf[i] = malloc(n[i] * sizeof *buf[i])))
			return 1;
		for (size_t j = 0; j < n[i]; j++)
			buf[i][j] = (float)((j * 2654435761u) % 1000) * 1e-3f - 0.5f;
	}
	f = time_conv_piece(0, buf, &g, in, B, chunk, reps);
	dw = time_conv_piece(1, buf, &g, in, B, chunk, reps);
	dwi = time_conv_piece(2, buf, &g, in, B, chunk, reps);
	printf("forward %.5f  dweight %.5f  dinput %.5f\n", f, dw, dwi - dw);
	for (int i = 0; i < 6; i++)
		free(buf[i]);
	return 0;
}

int main(int argc, char **argv)
{
	lrs_net_config c;

	if (lrs_blas_init() < 0) {
		fprintf(stderr, "bench_net: %s\n", lrs_error_last());
		return 1;
	}
	if (argc == 2 && strcmp(argv[1], "info") == 0)
		return printf("%s\n", lrs_blas_info()) < 0;
	if (argc == 2 && strcmp(argv[1], "sgemm") == 0)
		return run_sgemm();
	if (argc == 3 && strcmp(argv[1], "flops") == 0 && net_config(&c, argv[2]) == 0)
		return printf("%.0f\n", train_flops(&c)) < 0;
	if (argc == 5 && strcmp(argv[1], "train") == 0 && net_config(&c, argv[2]) == 0 &&
	    atol(argv[3]) > 0 && atol(argv[4]) > 0)
		return run_train(&c, (size_t)atol(argv[3]), atol(argv[4]));
	if (argc == 9 && strcmp(argv[1], "conv") == 0)
		return run_conv(argv + 2);
	fprintf(stderr, "usage: bench_net train clr|lenet BATCH STEPS | flops clr|lenet | sgemm | info | "
	        "conv C OC HW K PAD B REPS\n");
	return 2;
}
