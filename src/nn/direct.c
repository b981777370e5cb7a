/* direct.c - the AVX-512 kernels of src/nn, used only where the CPU has
 * it (lrs_avx512): direct (non-im2col) convolutions of one input channel
 * (a net's first conv on grey images: LeNet-5's and the CLR net's), and
 * rows of max pooling windows sixteen at a time.
 *
 * With one input channel, im2col copies each input float k*k times to
 * feed an sgemm of depth k*k (25), too shallow for OpenBLAS to run well:
 * on this project's machine LeNet-5's first conv took 23% of its training
 * step that way. Here an output row of up to 32 floats is two 16-float
 * registers, and each kernel tap is one fused multiply-add per register
 * and output channel straight from the padded input plane; the weight
 * gradient of a tap is the sum over the batch of output gradient rows
 * times the tap's shifted input rows, kept in sixteen lanes per weight
 * until the batch ends. Sums run in a fixed order (taps in row-major
 * order; lanes over samples and rows in order, then added up lane by
 * lane), so results do not depend on the thread count; they differ from
 * the im2col path's only by float rounding, as any other BLAS kernel's
 * would.
 *
 * Max pooling's rows give the same bits as pool.c's window_max: the
 * same selects on the same candidates in the same order, sixteen windows
 * side by side (stride 2 reads the even and odd floats of a row by two
 * permutes); on LeNet-5's second pooling (rows of five windows, which
 * pool.c's eight-wide lanes could not take) forward took half the time.
 *
 * Not here: the input gradient of a conv (a first conv needs none;
 * conv.c's im2col path gives it when asked), CPUs without AVX-512
 * (conv.c's im2col path, pool.c's lanes). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HAVE_DIRECT 1
#include <immintrin.h>
#define AVX512 __attribute__((target("avx512f")))
#define AVX512_INLINE static inline __attribute__((always_inline, target("avx512f")))
/* Loops over a group's registers: unrolled whole, so that the
 * accumulators stay in registers (GCC at -O2 keeps such arrays in memory). */
#define UNROLL _Pragma("GCC unroll 32")
#else
#define HAVE_DIRECT 0
#endif

#define GROUP 6      /* output channels per forward pass: 12 accumulators */
#define DGROUP 3     /* output channels per weight-gradient pass           */

size_t lrs_conv_direct_scratch(const lrs_window *g)
{
	return g->OC * (g->k * g->k + 1) * 16;   /* weights', then biases' lanes */
}

#if HAVE_DIRECT
/* What lrs_avx512 returns: -1 until decided, then 0 or 1. */
static _Atomic int avx512_use = -1;

/* Whether this CPU has AVX-512 (F). */
static int cpu_has_avx512(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f");
}
#endif

/* 1 when the AVX-512 kernels run: the CPU has them and the environment
 * does not set LRSWEEP_PORTABLE (non-empty, not "0"), which runs the
 * portable paths as a CPU without AVX-512 would -- so that the tests check
 * both on one machine. Decided once per process (or by lrs_avx512_set). */
int lrs_avx512(void)
{
#if HAVE_DIRECT
	int use = avx512_use;

	if (use < 0) {
		const char *p = getenv("LRSWEEP_PORTABLE");

		use = cpu_has_avx512() && !(p && *p && strcmp(p, "0") != 0);
		avx512_use = use;
	}
	return use;
#else
	return 0;
#endif
}

int lrs_avx512_set(int on)
{
#if HAVE_DIRECT
	int has = cpu_has_avx512();

	avx512_use = on < 0 ? -1 : on && has;
	return has;
#else
	(void)on;
	return 0;
#endif
}

int lrs_conv_direct_ok(const lrs_window *g)
{
	return lrs_avx512() && g->C == 1 && g->stride == 1 && g->OW <= 32 &&
	       (g->k == 3 || g->k == 5 || g->k == 7) && g->W + 2 * g->pad >= g->OW + g->k - 1;
}

#if HAVE_DIRECT

/* The lanes of a row of n floats (n <= 32) in its first and second
 * register. */
static void row_masks(__mmask16 *m0, __mmask16 *m1, size_t n)
{
	*m0 = (__mmask16)(n >= 16 ? 0xffff : (1u << n) - 1);
	*m1 = (__mmask16)(n <= 16 ? 0 : n >= 32 ? 0xffff : (1u << (n - 16)) - 1);
}

/* ------------------------------------------------------ max pooling */

/* The first n lanes. */
static __mmask16 first_lanes(size_t n)
{
	return (__mmask16)(n >= 16 ? 0xffff : (1u << n) - 1);
}

/* top, at (16 lanes) after candidate v at indices idx: the selects of
 * pool.c's take_max -- v wins when greater or NaN. */
AVX512_INLINE void take(__m512 *top, __m512i *at, __m512 v, __m512i idx)
{
	__mmask16 win = _mm512_cmp_ps_mask(v, *top, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);

	*top = _mm512_mask_mov_ps(*top, win, v);
	*at = _mm512_mask_mov_epi32(*at, win, idx);
}

/* Up to 16 outputs of one row of windows, k and s constants: out,
 * argmax (n) from the windows whose first starts at in + first (rows W
 * apart), n at most 15 for k 3 and s 2; candidates row by row, left to
 * right, as window_max. Only
 * `rows` rows of the windows and `avail` floats of each row from the
 * first lie inside the input: the rest, beyond the right or bottom edge
 * of a ceil-mode pooling, are -inf, which never wins a select -- the
 * result of pool.c's clipped_max. */
AVX512_INLINE void max_row16(float *out, int32_t *argmax, const float *in, long W, long first,
                             size_t n, size_t avail, size_t rows, int relu, long k, long s)
{
	const __m512i lane = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
	__m512i even = _mm512_slli_epi32(lane, 1), odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
	__m512i even1 = _mm512_min_epi32(_mm512_add_epi32(even, _mm512_set1_epi32(2)),
	                                 _mm512_set1_epi32(31));   /* lane 15: unused */
	size_t need = (n - 1) * (size_t)s + (size_t)k;   /* floats a row of windows reads */
	__m512 ninf = _mm512_set1_ps(-INFINITY), top = ninf, zero = _mm512_setzero_ps();
	__m512i step = _mm512_mullo_epi32(lane, _mm512_set1_epi32((int)s));
	__m512i at = _mm512_add_epi32(_mm512_set1_epi32((int)first), step);
	__mmask16 m0, m1;

	need = need < avail ? need : avail;
	m0 = first_lanes(need), m1 = first_lanes(need > 16 ? need - 16 : 0);
	UNROLL
	for (long i = 0; i < k; i++) {
		const float *q = in + first + i * W;
		__m512i base = _mm512_add_epi32(_mm512_set1_epi32((int)(first + i * W)), step);

		if ((size_t)i >= rows)
			break;
		if (s == 1) {
			UNROLL
			for (long jj = 0; jj < k; jj++)
				take(&top, &at, _mm512_mask_loadu_ps(ninf, first_lanes(need - (size_t)jj), q + jj),
				     _mm512_add_epi32(base, _mm512_set1_epi32((int)jj)));
			continue;
		}
		__m512 lo = _mm512_mask_loadu_ps(ninf, m0, q), hi = _mm512_mask_loadu_ps(ninf, m1, q + 16);

		take(&top, &at, _mm512_permutex2var_ps(lo, even, hi), base);
		take(&top, &at, _mm512_permutex2var_ps(lo, odd, hi), _mm512_add_epi32(base, _mm512_set1_epi32(1)));
		if (k == 3)
			take(&top, &at, _mm512_permutex2var_ps(lo, even1, hi),
			     _mm512_add_epi32(base, _mm512_set1_epi32(2)));
	}
	if (relu)   /* top < 0 ? 0 : top, NaN kept */
		top = _mm512_mask_mov_ps(top, _mm512_cmp_ps_mask(top, zero, _CMP_LT_OQ), zero);
	_mm512_mask_storeu_ps(out, first_lanes(n), top);
	_mm512_mask_storeu_epi32(argmax, first_lanes(n), at);
}

int lrs_maxpool_row_ok(const lrs_window *g)
{
	return lrs_avx512() && (g->k == 2 || g->k == 3) && (g->stride == 1 || g->stride == 2);
}

AVX512 void lrs_maxpool_row(float *out, int32_t *argmax, const float *in, const lrs_window *g,
                            long first, size_t n, size_t avail, size_t rows, int relu)
{
	long W = (long)g->W, s = (long)g->stride;
	size_t w = g->k == 3 && s == 2 ? 15 : 16;   /* 16 windows of 3 would read 33 floats */

	for (size_t o = 0; o < n; o += w, first += (long)w * s, avail -= w * (size_t)s) {
		size_t m = n - o < w ? n - o : w;

		if (g->k == 2 && s == 2)
			max_row16(out + o, argmax + o, in, W, first, m, avail, rows, relu, 2, 2);
		else if (g->k == 3 && s == 2)
			max_row16(out + o, argmax + o, in, W, first, m, avail, rows, relu, 3, 2);
		else if (g->k == 2)
			max_row16(out + o, argmax + o, in, W, first, m, avail, rows, relu, 2, 1);
		else
			max_row16(out + o, argmax + o, in, W, first, m, avail, rows, relu, 3, 1);
		if (o + w >= n)
			break;
	}
}

/* ------------------------------------------------- direct convolution */

/* Output rows of og (constant) channels from one padded plane: out
 * (og planes `ld` apart, rows of OW) = relu(conv + bias) or conv + bias,
 * w (og, k*k). */
AVX512_INLINE void forward_group(float *out, size_t ld, const float *pp, const float *w,
                                 const float *bias, int relu, const lrs_window *g, size_t og)
{
	size_t wp = g->W + 2 * g->pad, k = g->k, kk = k * k, OW = g->OW;
	__mmask16 m0, m1;

	row_masks(&m0, &m1, OW);
	for (size_t oh = 0; oh < g->OH; oh++) {
		__m512 acc[2 * GROUP];

		UNROLL
		for (size_t o = 0; o < og; o++)
			acc[2 * o] = acc[2 * o + 1] = _mm512_setzero_ps();
		for (size_t ki = 0; ki < k; ki++)
			for (size_t kj = 0; kj < k; kj++) {
				const float *src = pp + (oh + ki) * wp + kj;
				__m512 x0 = _mm512_maskz_loadu_ps(m0, src), x1 = _mm512_maskz_loadu_ps(m1, src + 16);

				UNROLL
				for (size_t o = 0; o < og; o++) {
					__m512 wv = _mm512_set1_ps(w[o * kk + ki * k + kj]);

					acc[2 * o] = _mm512_fmadd_ps(wv, x0, acc[2 * o]);
					acc[2 * o + 1] = _mm512_fmadd_ps(wv, x1, acc[2 * o + 1]);
				}
			}
		UNROLL
		for (size_t o = 0; o < og; o++) {
			__m512 b = _mm512_set1_ps(bias[o]), zero = _mm512_setzero_ps();
			__m512 z0 = _mm512_add_ps(acc[2 * o], b), z1 = _mm512_add_ps(acc[2 * o + 1], b);
			float *dst = out + o * ld + oh * OW;

			if (relu) {   /* z < 0 ? 0 : z, as lrs_bias_fill: NaN and -0 kept */
				z0 = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(z0, zero, _CMP_LT_OQ), z0, zero);
				z1 = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(z1, zero, _CMP_LT_OQ), z1, zero);
			}
			_mm512_mask_storeu_ps(dst, m0, z0);
			_mm512_mask_storeu_ps(dst + 16, m1, z1);
		}
	}
}

/* One sample's output channels, GROUP at a time. */
AVX512 static void forward_sample(float *out, size_t ld, const float *pp, const float *w,
                                  const float *bias, int relu, const lrs_window *g)
{
	size_t o = 0, kk = g->k * g->k;

	for (; o + GROUP <= g->OC; o += GROUP)
		forward_group(out + o * ld, ld, pp, w + o * kk, bias + o, relu, g, GROUP);
	switch (g->OC - o) {
	case 5: forward_group(out + o * ld, ld, pp, w + o * kk, bias + o, relu, g, 5); break;
	case 4: forward_group(out + o * ld, ld, pp, w + o * kk, bias + o, relu, g, 4); break;
	case 3: forward_group(out + o * ld, ld, pp, w + o * kk, bias + o, relu, g, 3); break;
	case 2: forward_group(out + o * ld, ld, pp, w + o * kk, bias + o, relu, g, 2); break;
	case 1: forward_group(out + o * ld, ld, pp, w + o * kk, bias + o, relu, g, 1); break;
	default: break;
	}
}

/* lanes (og, k, 16) += the products of dout rows (og planes `ld` apart)
 * and kernel row ki's shifted rows of one padded plane, summed over the
 * output rows in order, and, when `bias`, blanes (og, 16) += the dout
 * rows themselves; k, og and bias constants. */
AVX512_INLINE void dweight_row(float *lanes, float *blanes, const float *dout, size_t ld,
                               const float *pp, size_t ki, const lrs_window *g, size_t k,
                               size_t og, int bias)
{
	size_t wp = g->W + 2 * g->pad, OW = g->OW;
	__m512 acc[DGROUP * 7], bacc[DGROUP];
	__mmask16 m0, m1;

	row_masks(&m0, &m1, OW);
	UNROLL
	for (size_t i = 0; i < og * k; i++)
		acc[i] = _mm512_loadu_ps(lanes + 16 * i);
	UNROLL
	for (size_t o = 0; o < og && bias; o++)
		bacc[o] = _mm512_loadu_ps(blanes + 16 * o);
	for (size_t oh = 0; oh < g->OH; oh++) {
		__m512 d0[DGROUP], d1[DGROUP];

		UNROLL
		for (size_t o = 0; o < og; o++) {
			d0[o] = _mm512_maskz_loadu_ps(m0, dout + o * ld + oh * OW);
			d1[o] = _mm512_maskz_loadu_ps(m1, dout + o * ld + oh * OW + 16);
			if (bias)
				bacc[o] = _mm512_add_ps(_mm512_add_ps(bacc[o], d0[o]), d1[o]);
		}
		UNROLL
		for (size_t kj = 0; kj < k; kj++) {
			const float *src = pp + (oh + ki) * wp + kj;
			__m512 x0 = _mm512_maskz_loadu_ps(m0, src), x1 = _mm512_maskz_loadu_ps(m1, src + 16);

			UNROLL
			for (size_t o = 0; o < og; o++) {
				acc[o * k + kj] = _mm512_fmadd_ps(d0[o], x0, acc[o * k + kj]);
				acc[o * k + kj] = _mm512_fmadd_ps(d1[o], x1, acc[o * k + kj]);
			}
		}
	}
	UNROLL
	for (size_t i = 0; i < og * k; i++)
		_mm512_storeu_ps(lanes + 16 * i, acc[i]);
	UNROLL
	for (size_t o = 0; o < og && bias; o++)
		_mm512_storeu_ps(blanes + 16 * o, bacc[o]);
}

/* dweight_row for og channels (1 to DGROUP) with og and k constants, the
 * biases' lanes with kernel row 0. */
AVX512_INLINE void dweight_rows_og(float *lanes, float *blanes, const float *dout, size_t ld,
                                   const float *pp, const lrs_window *g, size_t k, size_t og)
{
	dweight_row(lanes, blanes, dout, ld, pp, 0, g, k, og, 1);
	for (size_t ki = 1; ki < k; ki++)
		dweight_row(lanes + 16 * ki * k * og, blanes, dout, ld, pp, ki, g, k, og, 0);
}

/* dweight_rows_og with k a constant. */
AVX512_INLINE void dweight_rows_k(float *lanes, float *blanes, const float *dout, size_t ld,
                                  const float *pp, const lrs_window *g, size_t k, size_t og)
{
	if (og == 3)
		dweight_rows_og(lanes, blanes, dout, ld, pp, g, k, 3);
	else if (og == 2)
		dweight_rows_og(lanes, blanes, dout, ld, pp, g, k, 2);
	else
		dweight_rows_og(lanes, blanes, dout, ld, pp, g, k, 1);
}

/* One sample's weight and bias gradient lanes: lanes (OC, k*k, 16)
 * grouped as DGROUP channels by kernel row (see add_lanes), then (OC,
 * 16) for the biases. */
AVX512 static void dweight_sample(float *lanes, const float *dout, size_t ld, const float *pp,
                                  const lrs_window *g)
{
	size_t kk = g->k * g->k;
	float *blanes = lanes + 16 * g->OC * kk;

	for (size_t o = 0; o < g->OC; o += DGROUP) {
		size_t og = g->OC - o < DGROUP ? g->OC - o : DGROUP;
		float *l = lanes + 16 * o * kk, *bl = blanes + 16 * o;

		if (g->k == 3)
			dweight_rows_k(l, bl, dout + o * ld, ld, pp, g, 3, og);
		else if (g->k == 5)
			dweight_rows_k(l, bl, dout + o * ld, ld, pp, g, 5, og);
		else
			dweight_rows_k(l, bl, dout + o * ld, ld, pp, g, 7, og);
	}
}

/* The sum of sixteen lanes, in order. */
static float lanes_sum(const float *v)
{
	float sum = 0.0f;

	for (size_t j = 0; j < 16; j++)
		sum += v[j];
	return sum;
}

/* dweight (OC, k*k), dbias (OC) += the lanes' sums. The lanes of channel
 * group o0 (og channels) lie by kernel row ki, then channel, then kernel
 * column; the biases' after all of them. */
static void add_lanes(float *dweight, float *dbias, const float *lanes, const lrs_window *g)
{
	size_t k = g->k, kk = k * k;

	for (size_t o = 0; o < g->OC; o++)
		dbias[o] += lanes_sum(lanes + 16 * (g->OC * kk + o));

	for (size_t o0 = 0; o0 < g->OC; o0 += DGROUP) {
		size_t og = g->OC - o0 < DGROUP ? g->OC - o0 : DGROUP;
		const float *l = lanes + 16 * o0 * kk;

		for (size_t ki = 0; ki < k; ki++)
			for (size_t o = 0; o < og; o++)
				for (size_t kj = 0; kj < k; kj++)
					dweight[(o0 + o) * kk + ki * k + kj] +=
						lanes_sum(l + 16 * ((ki * og + o) * k + kj));
	}
}

void lrs_conv_direct_forward(float *out,            /* (OC, B, OH*OW)       */
                             const float *inp,      /* (B, 1, H, W) as `in` */
                             lrs_map_layout in,
                             const float *weight,   /* (OC, k*k)            */
                             const float *bias,     /* (OC)                 */
                             int relu, float *pp, const lrs_window *g, size_t B)
{
	size_t ohw = g->OH * g->OW;

	for (size_t b = 0; b < B; b++) {
		lrs_pad_plane(pp, inp + b * in.sstride, g);
		forward_sample(out + b * ohw, B * ohw, pp, weight, bias, relu, g);
	}
}

void lrs_conv_direct_dweight(float *dweight,        /* (OC, k*k)            */
                             float *dbias,          /* (OC)                 */
                             const float *dout,     /* (OC, B, OH*OW)       */
                             const float *inp,      /* (B, 1, H, W) as `in` */
                             lrs_map_layout in, float *lanes, float *pp,
                             const lrs_window *g, size_t B)
{
	size_t ohw = g->OH * g->OW;

	memset(lanes, 0, lrs_conv_direct_scratch(g) * sizeof *lanes);
	for (size_t b = 0; b < B; b++) {
		lrs_pad_plane(pp, inp + b * in.sstride, g);
		dweight_sample(lanes, dout + b * ohw, B * ohw, pp, g);
	}
	add_lanes(dweight, dbias, lanes, g);
}

#else

int lrs_maxpool_row_ok(const lrs_window *g)
{
	(void)g;
	return 0;
}

void lrs_maxpool_row(float *out, int32_t *argmax, const float *in, const lrs_window *g,
                     long first, size_t n, size_t avail, size_t rows, int relu)
{
	(void)out, (void)argmax, (void)in, (void)g, (void)first, (void)n, (void)avail, (void)rows,
	(void)relu;
}

void lrs_conv_direct_forward(float *out, const float *inp, lrs_map_layout in,
                             const float *weight, const float *bias, int relu, float *pp,
                             const lrs_window *g, size_t B)
{
	(void)out, (void)inp, (void)in, (void)weight, (void)bias, (void)relu, (void)pp, (void)g,
	(void)B;
}

void lrs_conv_direct_dweight(float *dweight, float *dbias, const float *dout, const float *inp,
                             lrs_map_layout in, float *lanes, float *pp, const lrs_window *g,
                             size_t B)
{
	(void)dweight, (void)dbias, (void)dout, (void)inp, (void)in, (void)lanes, (void)pp, (void)g, (void)B;
}

#endif
