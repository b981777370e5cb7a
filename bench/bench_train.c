/* bench_train.c - training throughput of lrsweep on Fashion-MNIST, and the
 * raw sgemm rate of the same layer shapes, for bench_train.py.
 *
 *   bench_train train HIDDEN BATCH STEPS   samples/s of training steps
 *   bench_train sgemm HIDDEN BATCH REPS    GFLOP/s of the step's products
 *   bench_train range HIDDEN BATCH STEPS   seconds of a range test against
 *                                          plain training and training with
 *                                          the same evaluations
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
#include "lrsweep/rangetest.h"
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

static int on_step(void *ctx, long step, double lr, double loss)
{
	timing *tm = ctx;
	(void)lr; (void)loss;
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
	lrs_train_config cfg = { .batch_size = batch, .epochs = 1000, .seed = 1, .sched = s, .skip_test = 1 };
	lrs_net_from_mlp(&cfg.model, mc);
	lrs_optim_defaults(&cfg.optim, LRS_OPTIM_SGD);
	cfg.optim.momentum = 0.9;
	lrs_train_hooks hooks = { .ctx = &tm, .on_step = on_step };
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

/* ------------------------------------------------------------ range overhead */

#define RANGE_EVERY   25      /* the range test's default eval_every   */
#define RANGE_SAMPLES 2000    /* ... and eval_samples                  */
#define RANGE_REPS    5       /* alternating runs; medians reported    */

/* Times, RANGE_REPS times each in turn: plain training for `steps`
 * updates; the same with the range test's evaluations; the range test
 * itself (linear ramp, no early stop). Prints the three medians. */
static int run_range(const lrs_mlp_config *mc, long batch, long steps)
{
	lrs_data_config dc = { 0 };
	lrs_dataset *ds;
	lrs_sched *s;
	lrs_node *params, *lr;
	lrs_train_result r;
	double t[3][RANGE_REPS];

	dc.validation = 0.1;
	dc.seed = 42;
	dc.normalize = LRS_NORM_SCALE;
	if (lrs_data_fashion_mnist(&dc.train, &dc.test) < 0 || lrs_dataset_load(&ds, &dc) < 0) {
		fprintf(stderr, "bench_train: %s\n", lrs_error_last());
		return 1;
	}
	lrs_node_new_map(&params, 0, 0);
	lrs_node_new_scalar(&lr, "0.05", 0, 0);
	lrs_node_append(params, "lr", lr);
	if (lrs_sched_build(&s, "constant", params, NULL) < 0)
		return 1;
	lrs_train_config cfg = { .batch_size = batch, .epochs = 1000, .max_steps = steps, .seed = 1, .sched = s,
	                         .skip_test = 1 };
	lrs_net_from_mlp(&cfg.model, mc);
	lrs_optim_defaults(&cfg.optim, LRS_OPTIM_SGD);
	cfg.optim.momentum = 0.9;
	lrs_range_config rc = { LRS_RAMP_LINEAR, 1e-4, 0.1, steps, RANGE_EVERY, RANGE_SAMPLES, 0.98, 0,
	                        NULL, NULL, NULL, NULL, NULL, 0 };
	/* the same run evaluating as the range test does: every RANGE_EVERY
	 * steps and at the last */
	lrs_train_config with_evals = cfg;
	with_evals.eval_every = RANGE_EVERY;
	with_evals.eval_samples = RANGE_SAMPLES;
	for (int rep = 0; rep < RANGE_REPS; rep++) {
		lrs_range_curve c;
		double t0 = now();
		if (lrs_train_run(&r, ds, &cfg, NULL) < 0)
			goto fail;
		double t1 = now();
		if (lrs_train_run(&r, ds, &with_evals, NULL) < 0)
			goto fail;
		double t2 = now();
		if (lrs_range_run(&c, ds, &cfg, &rc) < 0)
			goto fail;
		double t3 = now();
		if (c.n != steps) {
			fprintf(stderr, "bench_train: the range test stopped at %ld of %ld\n", c.n, steps);
			return 1;
		}
		lrs_range_curve_free(&c);
		t[0][rep] = t1 - t0;
		t[1][rep] = t2 - t1;
		t[2][rep] = t3 - t2;
	}
	for (int k = 0; k < 3; k++)
		qsort(t[k], RANGE_REPS, sizeof t[k][0], cmp_double);
	printf("%.4f %.4f %.4f\n", t[0][RANGE_REPS / 2], t[1][RANGE_REPS / 2], t[2][RANGE_REPS / 2]);
	lrs_sched_free(s);
	lrs_node_free(params);
	lrs_dataset_free(ds);
	return 0;
fail:
	fprintf(stderr, "bench_train: %s\n", lrs_error_last());
	return 1;
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

	lrs_blas_init();   /* one BLAS thread, as every lrsweep run has */
	if (argc == 2 && strcmp(argv[1], "info") == 0) {
		printf("%s\n", lrs_blas_info());
		return 0;
	}
	if (argc != 5) {
		fprintf(stderr, "usage: bench_train train|sgemm|range HIDDEN BATCH STEPS | bench_train info\n");
		return 2;
	}
	parse_hidden(argv[2], &mc);
	if (strcmp(argv[1], "train") == 0)
		return run_train(&mc, atol(argv[3]), atol(argv[4]));
	if (strcmp(argv[1], "range") == 0)
		return run_range(&mc, atol(argv[3]), atol(argv[4]));
	return run_sgemm(&mc, atol(argv[3]), atol(argv[4]));
}
