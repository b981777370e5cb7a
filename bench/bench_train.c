/* bench_train.c - training throughput of lrsweep on Fashion-MNIST, and the
 * raw sgemm rate of the same layer shapes, for bench_train.py.
 *
 *   bench_train train HIDDEN BATCH STEPS   samples/s of training steps
 *   bench_train sgemm HIDDEN BATCH REPS    GFLOP/s of the step's products
 *   bench_train info                       the BLAS library and its kernel
 *
 * HIDDEN is "-" (softmax regression) or widths like "256" or "512,256".
 * One BLAS thread. Prints one number on stdout; the data load is not
 * timed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lrsweep/blas.h"
#include "lrsweep/data.h"
#include "lrsweep/error.h"
#include "lrsweep/train.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void parse_hidden(const char *s, lrs_mlp_config *m)
{
	m->n_hidden = 0;
	if (strcmp(s, "-") == 0)
		return;
	for (const char *p = s; *p; ) {
		m->hidden[m->n_hidden++] = strtoul(p, NULL, 10);
		p += strcspn(p, ",");
		p += *p == ',';
	}
}

typedef struct {
	long stop_at;       /* steps to time                  */
	double t_first;     /* time after the first step      */
	double t_last;      /* time after the last timed step */
} timing;

static int on_step(void *ctx, lrs_trainer *t, long step, double lr, double loss)
{
	timing *tm = ctx;
	(void)t; (void)lr; (void)loss;
	if (step == 0)
		tm->t_first = now();
	if (step == tm->stop_at) {
		tm->t_last = now();
		return 1;
	}
	return 0;
}

static int run_train(const lrs_mlp_config *mc, long batch, long steps)
{
	lrs_data_config dc = { 0 };
	lrs_dataset *ds;
	lrs_sched *s;
	lrs_node *params;
	lrs_train_result r;
	timing tm = { steps, 0, 0 };

	dc.validation = 0;
	dc.normalize = LRS_NORM_SCALE;
	if (lrs_data_fashion_mnist(&dc.train, &dc.test) < 0 || lrs_dataset_load(&ds, &dc) < 0) {
		fprintf(stderr, "bench_train: %s\n", lrs_error_last());
		return 1;
	}
	ds->test.n = 0;   /* no test evaluation at the end: not timed anyway */
	lrs_node_new_map(&params, 0, 0);
	lrs_node *lr;
	lrs_node_new_scalar(&lr, "0.05", 0, 0);
	lrs_node_append(params, "lr", lr);
	if (lrs_sched_build(&s, "constant", params, NULL) < 0)
		return 1;
	lrs_train_config cfg = { *mc, { 0 }, batch, 1000, 0, 1, s, 0, 1 };
	lrs_optim_defaults(&cfg.optim, LRS_OPTIM_SGD);
	cfg.optim.momentum = 0.9;
	lrs_train_hooks hooks = { &tm, on_step, NULL };
	if (lrs_train_run(&r, ds, &cfg, &hooks) < 0) {
		fprintf(stderr, "bench_train: %s\n", lrs_error_last());
		return 1;
	}
	printf("%.1f\n", (double)(steps * batch) / (tm.t_last - tm.t_first));
	lrs_sched_free(s);
	lrs_node_free(params);
	lrs_dataset_free(ds);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The products of one training step: per layer forward X·Wᵀ, dW = dZᵀ·X,
 * and dX = dZ·W for all but the first layer. */
static int run_sgemm(const lrs_mlp_config *mc, long batch, long reps)
{
	size_t widths[LRS_MLP_MAX_HIDDEN + 2], L = mc->n_hidden + 1, B = (size_t)batch, maxw = 784;
	widths[0] = 784;
	for (size_t i = 0; i < mc->n_hidden; i++)
		widths[i + 1] = mc->hidden[i];
	widths[L] = 10;
	for (size_t i = 0; i <= L; i++)
		maxw = widths[i] > maxw ? widths[i] : maxw;
	float *A = calloc(B * maxw, sizeof(float)), *W = calloc(maxw * maxw, sizeof(float));
	float *C = calloc(B * maxw, sizeof(float)), *D = calloc(maxw * maxw, sizeof(float));
	double flops = 0, *times = calloc((size_t)reps, sizeof(double));
	for (size_t i = 0; i < B * maxw; i++)
		A[i] = (float)(i % 7) * 0.1f;
	for (size_t i = 0; i < maxw * maxw; i++)
		W[i] = (float)(i % 5) * 0.01f;
	for (long rep = 0; rep < reps; rep++) {
		double t = now();
		flops = 0;
		for (size_t l = 0; l < L; l++) {
			size_t in = widths[l], out = widths[l + 1];
			lrs_sgemm(0, 1, B, out, in, 1.f, A, in, W, in, 0.f, C, out);
			lrs_sgemm(1, 0, out, in, B, 1.f, C, out, A, in, 1.f, D, in);
			flops += 4.0 * (double)(B * in * out);
			if (l > 0) {
				lrs_sgemm(0, 0, B, in, out, 1.f, C, out, W, in, 0.f, A, in);
				flops += 2.0 * (double)(B * in * out);
			}
		}
		times[rep] = now() - t;
	}
	qsort(times, (size_t)reps, sizeof *times, cmp_double);
	/* the median rate, and the FLOPs of one step */
	printf("%.2f %.0f\n", flops / times[reps / 2] / 1e9, flops);
	free(A); free(W); free(C); free(D); free(times);
	return 0;
}

int main(int argc, char **argv)
{
	lrs_mlp_config mc = { 784, 10, 0, { 0 }, LRS_ACT_RELU, LRS_INIT_HE };

	lrs_blas_set_threads(1);
	if (argc == 2 && strcmp(argv[1], "info") == 0) {
		printf("%s\n", lrs_blas_info());
		return 0;
	}
	if (argc != 5) {
		fprintf(stderr, "usage: bench_train train|sgemm HIDDEN BATCH STEPS | bench_train info\n");
		return 2;
	}
	parse_hidden(argv[2], &mc);
	if (strcmp(argv[1], "train") == 0)
		return run_train(&mc, atol(argv[3]), atol(argv[4]));
	return run_sgemm(&mc, atol(argv[3]), atol(argv[4]));
}
