/* test_kernels.c - the AVX-512 layer kernels (src/nn/direct.c,
 * direct_mc.c, and their dispatch in conv.c, pool.c and net.c) against
 * the portable paths a CPU without AVX-512 takes (im2col and OpenBLAS,
 * pool.c's lanes), both run in one process through lrs_avx512_set.
 *
 * Sixteen hundred seeded random shapes inside and at the edges of each
 * kernel's domain (channels 1 to 40, kernels 1 to 7, strides 1 to 3,
 * padding 0 to 3, maps 1 to 33 wide and high, non-square, ceil mode on
 * and off, batches 1 to 9, scratch sized for a larger batch than the one
 * run, both map layouts): convs' outputs and gradients agree within float
 * rounding, max pooling's maxima and winners bit for bit (the kernels
 * promise the same selects). Every output buffer and the scratch start
 * as NaN, so a value left unwritten or a scratch float read before it is
 * written shows; a canary after the scratch catches writes past its size.
 * Whole nets (a conv pooled chunk by chunk, batchnorm before a
 * multi-channel conv) compare loss, probabilities and gradients the same
 * way, and the kernels give the same bits run on four threads at once.
 *
 * On a CPU without AVX-512 (valgrind's among them: it hides AVX-512, which
 * it cannot run), or with LRSWEEP_PORTABLE set, the suite says SKIPPED
 * and runs no test. */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/blas.h"
#include "lrsweep/net.h"
#include "lrsweep/rng.h"
#include "suites.h"
#include "../src/nn/internal.h"

#define CANARY 64                /* floats checked after each scratch       */
#define CANARY_BITS 0x7fc0dead   /* a NaN no kernel writes                  */

/* ------------------------------------------------------ helpers */

static size_t pick(lrs_rng *r, size_t lo, size_t hi)   /* in [lo, hi] */
{
	return lo + (size_t)(lrs_rng_next(r) % (hi - lo + 1));
}

static float *nan_floats(size_t n)
{
	float *p = malloc((n ? n : 1) * sizeof *p);

	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < n; i++)
		p[i] = NAN;
	return p;
}

static float *random_floats(lrs_rng *r, size_t n)
{
	float *p = nan_floats(n);

	for (size_t i = 0; i < n; i++)
		p[i] = (float)(2.0 * lrs_rng_uniform(r) - 1.0);
	return p;
}

static float *abs_copy(const float *x, size_t n)
{
	float *p = nan_floats(n);

	for (size_t i = 0; i < n; i++)
		p[i] = fabsf(x[i]);
	return p;
}

/* Scratch of n floats, NaN, then CANARY floats of CANARY_BITS. */
static float *scratch_of(size_t n)
{
	float *p = nan_floats(n + CANARY);
	uint32_t bits = CANARY_BITS;

	for (size_t i = 0; i < CANARY; i++)
		memcpy(p + n + i, &bits, sizeof bits);
	return p;
}

static void check_canary(const float *p, size_t n, const char *desc)
{
	for (size_t i = 0; i < CANARY; i++) {
		uint32_t bits;

		memcpy(&bits, p + n + i, sizeof bits);
		if (bits != CANARY_BITS)
			ck_abort_msg("%s: scratch of %zu floats written at +%zu", desc, n, i);
	}
}

/* The largest |a - b| / (rel * scale + 1e-6) seen in this test (each
 * runs in its own process), shown under LRS_KERNELS_VERBOSE. */
static double worst_ratio;

/* a and b (n) agree: |a - b| <= rel * scale + 1e-6 elementwise, scale
 * being the sum of the absolute values of each element's terms. (Checks
 * by hand: each ck_assert that passes costs Check a write to its pipe.) */
static void expect_close(const char *what, const char *desc, const float *a, const float *b,
                         const float *scale, size_t n, double rel)
{
	for (size_t i = 0; i < n; i++) {
		double tol = rel * scale[i] + 1e-6, d = fabs((double)a[i] - (double)b[i]);

		if (!(isfinite(a[i]) && isfinite(b[i]) && d <= tol))
			ck_abort_msg("%s: %s[%zu] avx512 %.9g portable %.9g (|terms| %.6g)", desc, what, i,
			             (double)a[i], (double)b[i], (double)scale[i]);
		worst_ratio = d / tol > worst_ratio ? d / tol : worst_ratio;
	}
}

/* ------------------------------------------------------ convolution */

/* One conv case: the window, the batch run and the one the scratch was
 * sized for, the chunk, the input's layout, relu. */
typedef struct {
	lrs_window g;
	size_t B, Bmax, chunk;
	int cnhw, relu;
	char desc[160];
} conv_case;

/* Relative tolerance of a sum against its terms' absolute sum: float32
 * sums in two orders of up to about 10^4 terms differ by a few 1e-7 of
 * it in practice; a dropped or doubled term moves it by at least
 * 1/terms, 1e-4 and more on these shapes. */
#define CONV_REL 2e-5

/* Conv case i: class i % 4 keeps to direct.c's one-channel kernel,
 * direct_mc.c's forward, its input gradient as a full convolution, or
 * anything in range; sizes straddle each domain's edges. */
static conv_case conv_case_of(size_t i)
{
	lrs_rng r;
	conv_case c = { 0 };
	lrs_window *g = &c.g;
	size_t cls = i % 4;

	lrs_rng_seed(&r, 0x6b65726eULL + i);
	for (;;) {
		g->k = cls == 3 || pick(&r, 0, 4) == 0 ? pick(&r, 1, 7) : 2 * pick(&r, 1, 3) + 1;
		g->stride = cls == 3 ? pick(&r, 1, 3) : pick(&r, 0, 9) == 0 ? 2 : 1;
		g->pad = pick(&r, 0, 3);
		g->C = cls == 0 ? 1 : cls == 3 ? pick(&r, 1, 40) : pick(&r, 2, 40);
		g->OC = pick(&r, 1, 40);
		if (cls == 2) {   /* full-convolution input gradient: OC <= C, pad >= (k-1)/2 */
			g->OC = pick(&r, 1, g->C);
			g->pad = pick(&r, (g->k - 1) / 2, g->k - 1 < 3 ? g->k - 1 : 3);
		}
		g->H = pick(&r, 1, 33);
		g->W = cls == 1 || cls == 2 ? pick(&r, 1, 18) : pick(&r, 1, 33);
		if (cls == 0 && pick(&r, 0, 2) == 0) {   /* rows of 29 to 33 outputs: two registers' edge */
			g->W = pick(&r, 29, 33) + g->k - 1 - 2 * g->pad;
			g->W = g->W < 33 ? g->W : 33;
		}
		if (g->H + 2 * g->pad < g->k || g->W + 2 * g->pad < g->k)
			continue;
		g->OH = (g->H + 2 * g->pad - g->k) / g->stride + 1;
		g->OW = (g->W + 2 * g->pad - g->k) / g->stride + 1;
		c.B = pick(&r, 1, 9);
		if (c.B * g->C * g->OC * g->k * g->k * g->OH * g->OW <= 4000000)
			break;
	}
	c.Bmax = c.B + (pick(&r, 0, 2) == 0 ? pick(&r, 1, 4) : 0);
	c.chunk = pick(&r, 1, c.Bmax);
	c.cnhw = (int)pick(&r, 0, 1);
	c.relu = (int)pick(&r, 0, 1);
	snprintf(c.desc, sizeof c.desc,
	         "conv case %zu: C %zu OC %zu k %zu stride %zu pad %zu %zux%zu->%zux%zu B %zu (of %zu) "
	         "chunk %zu %s relu %d", i, g->C, g->OC, g->k, g->stride, g->pad, g->H, g->W, g->OH,
	         g->OW, c.B, c.Bmax, c.chunk, c.cnhw ? "CNHW" : "NCHW", c.relu);
	return c;
}

/* What one run of a conv case gives. */
typedef struct {
	float *out, *dw, *db, *dinp, *dw0, *db0;   /* dw0, db0: without dinp */
} conv_result;

static void conv_result_free(conv_result *o)
{
	free(o->out), free(o->dw), free(o->db), free(o->dinp), free(o->dw0), free(o->db0);
}

/* Forward, backward without and with the input gradient, with the
 * kernels lrs_avx512 chooses now; dweight and dbias start from dw, db. */
static conv_result conv_run(const conv_case *c, const float *x, const float *w, const float *bias,
                            const float *dout, const float *dw, const float *db, int relu)
{
	const lrs_window *g = &c->g;
	size_t in_n = c->B * g->C * g->H * g->W, nw = g->OC * g->C * g->k * g->k;
	size_t out_n = g->OC * c->B * g->OH * g->OW;
	lrs_map_layout in = lrs_map_layout_of(c->cnhw, c->B, g->C, g->H * g->W);
	lrs_map_layout inmax = lrs_map_layout_of(c->cnhw, c->Bmax, g->C, g->H * g->W);
	size_t ns = lrs_conv_scratch(g, inmax, c->Bmax, c->chunk);
	float *work = scratch_of(ns);
	conv_result o = { .out = nan_floats(out_n), .dinp = nan_floats(in_n) };

	o.dw = malloc(nw * sizeof *o.dw), o.db = malloc(g->OC * sizeof *o.db);
	o.dw0 = malloc(nw * sizeof *o.dw), o.db0 = malloc(g->OC * sizeof *o.db);
	memcpy(o.dw, dw, nw * sizeof *dw), memcpy(o.dw0, dw, nw * sizeof *dw);
	memcpy(o.db, db, g->OC * sizeof *db), memcpy(o.db0, db, g->OC * sizeof *db);
	lrs_conv_forward(o.out, x, in, w, bias, relu, work, c->chunk, g, c->B);
	check_canary(work, ns, c->desc);
	for (size_t i = 0; i < ns; i++)
		work[i] = NAN;
	lrs_conv_backward(NULL, o.dw0, o.db0, dout, x, in, w, work, c->chunk, g, c->B);
	check_canary(work, ns, c->desc);
	for (size_t i = 0; i < ns; i++)
		work[i] = NAN;
	lrs_conv_backward(o.dinp, o.dw, o.db, dout, x, in, w, work, c->chunk, g, c->B);
	check_canary(work, ns, c->desc);
	free(work);
	return o;
}

/* Conv case i through both paths, compared. */
static void conv_check(size_t i)
{
	conv_case c = conv_case_of(i);
	const lrs_window *g = &c.g;
	size_t in_n = c.B * g->C * g->H * g->W, nw = g->OC * g->C * g->k * g->k;
	size_t out_n = g->OC * c.B * g->OH * g->OW;
	lrs_rng r;
	float *x, *w, *bias, *dout, *dw, *db, *ax, *aw, *ab, *ad, *zw, *zb;
	conv_result v, p, s;

	lrs_rng_seed(&r, 1000 + (uint64_t)i);
	x = random_floats(&r, in_n), w = random_floats(&r, nw), bias = random_floats(&r, g->OC);
	dout = random_floats(&r, out_n), dw = random_floats(&r, nw), db = random_floats(&r, g->OC);
	ax = abs_copy(x, in_n), aw = abs_copy(w, nw), ab = abs_copy(bias, g->OC);
	ad = abs_copy(dout, out_n), zw = abs_copy(dw, nw), zb = abs_copy(db, g->OC);

	lrs_avx512_set(1);
	v = conv_run(&c, x, w, bias, dout, dw, db, c.relu);
	lrs_avx512_set(0);
	p = conv_run(&c, x, w, bias, dout, dw, db, c.relu);
	s = conv_run(&c, ax, aw, ab, ad, zw, zb, 0);   /* the terms' absolute sums */

	expect_close("out", c.desc, v.out, p.out, s.out, out_n, CONV_REL);
	expect_close("dweight", c.desc, v.dw, p.dw, s.dw, nw, CONV_REL);
	expect_close("dbias", c.desc, v.db, p.db, s.db, g->OC, CONV_REL);
	expect_close("dinp", c.desc, v.dinp, p.dinp, s.dinp, in_n, CONV_REL);
	expect_close("dweight (no dinp)", c.desc, v.dw0, p.dw0, s.dw0, nw, CONV_REL);
	expect_close("dbias (no dinp)", c.desc, v.db0, p.db0, s.db0, g->OC, CONV_REL);
	conv_result_free(&v), conv_result_free(&p), conv_result_free(&s);
	free(x), free(w), free(bias), free(dout), free(dw), free(db);
	free(ax), free(aw), free(ab), free(ad), free(zw), free(zb);
	if (getenv("LRS_KERNELS_VERBOSE"))   /* how close the paths came */
		fprintf(stderr, "%s: worst |avx512 - portable| / tolerance %.3g\n", c.desc, worst_ratio);
	lrs_avx512_set(-1);
}

/* CASES_PER_TEST cases a test: fewer processes forked for as many. */
#define CASES_PER_TEST 4

START_TEST(conv_avx512_matches_portable)
{
	for (size_t j = 0; j < CASES_PER_TEST; j++)
		conv_check((size_t)_i * CASES_PER_TEST + j);
}
END_TEST

/* ------------------------------------------------------ max pooling */

/* Pool case i: kernels 2 and 3 at strides 1 and 2 (lrs_maxpool_row's)
 * three times in four, any kernel 1 to 7 and stride 1 to 3 else;
 * padding up to half the kernel, ceil mode on or off. */
static conv_case pool_case_of(size_t i)
{
	lrs_rng r;
	conv_case c = { 0 };
	lrs_window *g = &c.g;

	lrs_rng_seed(&r, 0x706f6f6cULL + i);
	for (;;) {
		int ceil;
		size_t eh, ew;

		g->k = i % 4 == 3 ? pick(&r, 1, 7) : pick(&r, 2, 3);
		g->stride = i % 4 == 3 ? pick(&r, 1, 3) : pick(&r, 1, 2);
		g->pad = pick(&r, 0, 1) ? 0 : pick(&r, 0, g->k / 2);
		ceil = (int)pick(&r, 0, 1);
		g->H = pick(&r, 1, 33), g->W = pick(&r, 1, 33);
		if (pick(&r, 0, 2) == 0)   /* rows of 15 to 17 stride-2 windows */
			g->W = pick(&r, 28, 33);
		if (g->H + 2 * g->pad < g->k || g->W + 2 * g->pad < g->k)
			continue;
		eh = g->H + 2 * g->pad - g->k, ew = g->W + 2 * g->pad - g->k;
		g->OH = (ceil ? (eh + g->stride - 1) / g->stride : eh / g->stride) + 1;
		g->OW = (ceil ? (ew + g->stride - 1) / g->stride : ew / g->stride) + 1;
		if (ceil && (g->OH - 1) * g->stride >= g->H + g->pad)   /* PyTorch's rule */
			g->OH--;
		if (ceil && (g->OW - 1) * g->stride >= g->W + g->pad)
			g->OW--;
		g->C = g->OC = pick(&r, 1, 40);
		c.B = pick(&r, 1, 9);
		c.cnhw = (int)pick(&r, 0, 1);
		c.relu = (int)pick(&r, 0, 1);
		snprintf(c.desc, sizeof c.desc,
		         "pool case %zu: C %zu k %zu stride %zu pad %zu ceil %d %zux%zu->%zux%zu B %zu %s "
		         "relu %d", i, g->C, g->k, g->stride, g->pad, ceil, g->H, g->W, g->OH, g->OW, c.B,
		         c.cnhw ? "CNHW" : "NCHW", c.relu);
		return c;
	}
}

/* x (n): few distinct values, so that windows tie, some -inf and, one
 * case in three, some NaN (PyTorch's rule: a NaN wins). */
static float *pool_input(lrs_rng *r, size_t n, int nans)
{
	float *x = nan_floats(n);

	for (size_t i = 0; i < n; i++) {
		size_t u = pick(r, 0, 99);

		x[i] = u < 2 ? -INFINITY : u < 3 && nans ? NAN : (float)pick(r, 0, 6) - 3.0f;
	}
	return x;
}

/* The maxima and winners of one pooling run with the kernels chosen now,
 * and the input gradient sent back through the winners. */
static void pool_run(const conv_case *c, const float *x, const float *dout, float *out,
                     int32_t *argmax, float *dinp)
{
	lrs_map_layout in = lrs_map_layout_of(c->cnhw, c->B, c->g.C, c->g.H * c->g.W);

	lrs_maxpool_forward(out, argmax, x, in, c->relu, &c->g, c->B);
	lrs_maxpool_backward(dinp, dout, argmax, in, &c->g, c->B);
}

/* Pool case i through both paths, compared bit for bit. */
static void pool_check(size_t i)
{
	conv_case c = pool_case_of(i);
	const lrs_window *g = &c.g;
	size_t in_n = c.B * g->C * g->H * g->W, out_n = g->C * c.B * g->OH * g->OW;
	lrs_rng r;
	float *x, *dout, *o[2], *d[2];
	int32_t *a[2];

	lrs_rng_seed(&r, 2000 + (uint64_t)i);
	x = pool_input(&r, in_n, i % 3 == 0), dout = random_floats(&r, out_n);
	for (int m = 0; m < 2; m++) {
		o[m] = nan_floats(out_n), d[m] = nan_floats(in_n);
		a[m] = malloc(out_n * sizeof *a[m]);
		memset(a[m], 0xa5, out_n * sizeof *a[m]);
		lrs_avx512_set(1 - m);
		pool_run(&c, x, dout, o[m], a[m], d[m]);
	}
	for (size_t e = 0; e < out_n; e++) {
		if (memcmp(&o[0][e], &o[1][e], sizeof(float)) != 0 || a[0][e] != a[1][e])
			ck_abort_msg("%s: out[%zu] avx512 %g at %d, portable %g at %d", c.desc, e,
			             (double)o[0][e], a[0][e], (double)o[1][e], a[1][e]);
		if (a[0][e] < 0 || (size_t)a[0][e] >= g->H * g->W)
			ck_abort_msg("%s: argmax[%zu] = %d", c.desc, e, a[0][e]);
	}
	ck_assert_msg(memcmp(d[0], d[1], in_n * sizeof(float)) == 0, "%s: dinp differs", c.desc);
	for (int m = 0; m < 2; m++)
		free(o[m]), free(d[m]), free(a[m]);
	free(x), free(dout);
	lrs_avx512_set(-1);
}

START_TEST(maxpool_avx512_matches_portable_bitwise)
{
	for (size_t j = 0; j < CASES_PER_TEST; j++)
		pool_check((size_t)_i * CASES_PER_TEST + j);
}
END_TEST

/* ------------------------------------------------------ whole nets */

#define L_CONV(oc, k, s, p)  { .type = LRS_LAYER_CONV, .size = (oc), .kernel = (k), .stride = (s), .padding = (p) }
#define L_MAX(k, s, p, c)    { .type = LRS_LAYER_MAXPOOL, .size = (k), .stride = (s), .padding = (p), .ceil = (c) }
#define L_RELU               { .type = LRS_LAYER_RELU }
#define L_BN                 { .type = LRS_LAYER_BATCHNORM, .momentum = 0.1, .eps = 1e-5 }
#define L_OUT                { .type = LRS_LAYER_LINEAR, .size = 0 }

/* Nets whose convs take the kernels and their dispatch in net.c: a
 * one-channel conv pooled chunk by chunk (chunks of 8 samples for 20
 * channels of 28x28, so that 9 samples cross a chunk), ceil-mode pools,
 * batchnorm before multi-channel convs (their input in PyTorch's layout,
 * the input gradient asked for). */
static const struct {
	size_t c, h, w, n_layers, max_batch;
	lrs_layer layer[8];
} nets[] = {
	{ 1, 28, 28, 5, 9, { L_CONV(20, 5, 1, 2), L_MAX(2, 2, 0, 0), L_RELU, L_CONV(8, 5, 1, 0), L_OUT } },
	{ 1, 17, 13, 5, 9, { L_CONV(7, 3, 1, 1), L_RELU, L_MAX(3, 2, 0, 1), L_CONV(5, 3, 1, 1), L_OUT } },
	{ 1, 32, 32, 4, 5, { L_CONV(6, 7, 1, 3), L_MAX(2, 2, 1, 1), L_CONV(9, 3, 1, 1), L_OUT } },
	{ 3, 9, 7, 5, 6, { L_BN, L_CONV(3, 5, 1, 2), L_RELU, L_CONV(4, 3, 1, 2), L_OUT } },
	{ 4, 1, 1, 4, 4, { L_BN, L_CONV(3, 5, 1, 2), L_RELU, L_OUT } },
	{ 5, 2, 3, 4, 4, { L_BN, L_CONV(5, 7, 1, 3), L_MAX(2, 1, 0, 0), L_OUT } },
};

/* loss, probabilities and gradients of net i on batches of 1 to
 * max_batch samples, with the kernels chosen now. */
static void net_run(size_t i, float *losses, float *probs, float *grads, size_t *n_probs,
                    size_t *n_grads)
{
	lrs_net_config cfg = { .channels = nets[i].c, .height = nets[i].h, .width = nets[i].w,
	                       .outputs = 3, .torch_init = 1, .n_layers = nets[i].n_layers };
	size_t M = nets[i].max_batch, f = nets[i].c * nets[i].h * nets[i].w;
	lrs_net *n;
	lrs_rng r;
	float *x;
	int32_t y[9];

	memcpy(cfg.layer, nets[i].layer, sizeof nets[i].layer);
	ck_assert_int_eq(lrs_net_build(&n, &cfg, M), 0);
	lrs_rng_seed(&r, 3000 + i);
	lrs_net_init(n, &r);
	x = random_floats(&r, M * f);
	for (size_t b = 0; b < M; b++)
		y[b] = (int32_t)pick(&r, 0, 2);
	*n_probs = *n_grads = 0;
	for (size_t B = 1; B <= M; B++) {
		lrs_net_zero_grad(n);
		losses[B - 1] = (float)lrs_net_forward(n, x, y, B, 1);
		memcpy(probs + *n_probs, n->act[cfg.n_layers - 1], B * 3 * sizeof(float));
		*n_probs += B * 3;
		lrs_net_backward(n, x, y, B);
		memcpy(grads + *n_grads, n->grads, n->n_params * sizeof(float));
		*n_grads += n->n_params;
	}
	free(x);
	lrs_net_free(n);
}

START_TEST(nets_avx512_match_portable)
{
	enum { CAP = 1 << 20 };
	float *loss[2], *prob[2], *grad[2], *ones = malloc(CAP * sizeof(float));
	size_t np = 0, ng = 0;
	char desc[64];

	snprintf(desc, sizeof desc, "net %d", _i);
	for (size_t i = 0; i < CAP; i++)
		ones[i] = 1.0f;
	for (int m = 0; m < 2; m++) {
		loss[m] = nan_floats(9), prob[m] = nan_floats(9 * 9 * 3), grad[m] = nan_floats(CAP);
		lrs_avx512_set(1 - m);
		net_run((size_t)_i, loss[m], prob[m], grad[m], &np, &ng);
		ck_assert_uint_le(ng, CAP);
	}
	/* small nets of random weights: the loss, probabilities and gradients
	 * are sums of modest terms, within 1e-4 of 1 */
	expect_close("loss", desc, loss[0], loss[1], ones, nets[_i].max_batch, 1e-4);
	expect_close("probs", desc, prob[0], prob[1], ones, np, 1e-4);
	expect_close("grads", desc, grad[0], grad[1], ones, ng, 1e-4);
	for (int m = 0; m < 2; m++)
		free(loss[m]), free(prob[m]), free(grad[m]);
	free(ones);
	lrs_avx512_set(-1);
}
END_TEST

/* ------------------------------------------------------ threads */

/* One thread's conv run of the case given. */
typedef struct {
	const conv_case *c;
	const float *x, *w, *bias, *dout, *dw, *db;
	conv_result res;
} thread_job;

static void *conv_thread(void *arg)
{
	thread_job *j = arg;

	j->res = conv_run(j->c, j->x, j->w, j->bias, j->dout, j->dw, j->db, j->c->relu);
	return NULL;
}

/* The kernels on four threads at once give each the bits of one run
 * alone: no shared scratch, no order that depends on the threads. */
START_TEST(kernels_are_bitwise_the_same_on_threads)
{
	static const size_t cases[] = { 0, 1, 2, 4, 5, 6 };   /* one-channel, forward mc, dinput mc */
	thread_job job[4];
	pthread_t t[4];

	lrs_avx512_set(1);
	for (size_t ci = 0; ci < sizeof cases / sizeof *cases; ci++) {
		conv_case c = conv_case_of(cases[ci]);
		const lrs_window *g = &c.g;
		size_t in_n = c.B * g->C * g->H * g->W, nw = g->OC * g->C * g->k * g->k;
		size_t out_n = g->OC * c.B * g->OH * g->OW;
		lrs_rng r;
		float *x, *w, *bias, *dout, *dw, *db;
		conv_result alone;

		lrs_rng_seed(&r, 4000 + ci);
		x = random_floats(&r, in_n), w = random_floats(&r, nw), bias = random_floats(&r, g->OC);
		dout = random_floats(&r, out_n), dw = random_floats(&r, nw), db = random_floats(&r, g->OC);
		alone = conv_run(&c, x, w, bias, dout, dw, db, c.relu);
		for (int k = 0; k < 4; k++) {
			job[k] = (thread_job){ &c, x, w, bias, dout, dw, db, { 0 } };
			ck_assert_int_eq(pthread_create(&t[k], NULL, conv_thread, &job[k]), 0);
		}
		for (int k = 0; k < 4; k++) {
			conv_result *o = &job[k].res;

			pthread_join(t[k], NULL);
			ck_assert_msg(memcmp(o->out, alone.out, out_n * sizeof(float)) == 0 &&
			              memcmp(o->dinp, alone.dinp, in_n * sizeof(float)) == 0 &&
			              memcmp(o->dw, alone.dw, nw * sizeof(float)) == 0 &&
			              memcmp(o->dw0, alone.dw0, nw * sizeof(float)) == 0 &&
			              memcmp(o->db0, alone.db0, g->OC * sizeof(float)) == 0,
			              "%s: thread %d differs from a run alone", c.desc, k);
			conv_result_free(o);
		}
		conv_result_free(&alone);
		free(x), free(w), free(bias), free(dout), free(dw), free(db);
	}
	lrs_avx512_set(-1);
}
END_TEST

/* OpenBLAS loaded in each test's process, before any conv runs. */
static void load_blas(void)
{
	ck_assert_int_eq(lrs_blas_init(), 0);
}

Suite *suite_kernels(void)
{
	Suite *s = suite_create("kernels");
	TCase *tc;
	const char *p = getenv("LRSWEEP_PORTABLE");

	if (p && *p && strcmp(p, "0") != 0) {
		fprintf(stderr, "kernels: SKIPPED (LRSWEEP_PORTABLE is set: no AVX-512 kernels run)\n");
		return s;
	}
	if (!lrs_avx512_set(-1)) {
		fprintf(stderr, "kernels: SKIPPED (no AVX-512 on this CPU, or valgrind's, which hides "
		                "it: only the portable paths run)\n");
		return s;
	}
	tc = tcase_create("avx512_vs_portable");   /* only now: a skipped suite has none to free */
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, load_blas, NULL);
	tcase_add_loop_test(tc, conv_avx512_matches_portable, 0, 800 / CASES_PER_TEST);
	tcase_add_loop_test(tc, maxpool_avx512_matches_portable_bitwise, 0, 800 / CASES_PER_TEST);
	tcase_add_loop_test(tc, nets_avx512_match_portable, 0, (int)(sizeof nets / sizeof *nets));
	tcase_add_test(tc, kernels_are_bitwise_the_same_on_threads);
	suite_add_tcase(s, tc);
	return s;
}
