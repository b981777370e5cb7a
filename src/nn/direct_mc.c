/* direct_mc.c - direct AVX-512 convolutions of many input channels,
 * stride 1, on small maps (output rows of at most 16 floats): the CLR
 * net's second and third convs (5x5, 32 to 32 channels on 14x14 and 32
 * to 64 on 7x7, padding 2): forward, and the input gradient where
 * conv.c's dinput_by_mc takes it. Used only where the CPU has AVX-512
 * (lrs_avx512).
 *
 * im2col copies each input float k*k times before its sgemm; here each
 * input plane is copied k times instead, once per kernel column kj,
 * shifted left by kj and packed in rows of OW floats ("shifted planes",
 * (C, k, H + 2 pad, OW), padding included). A sample's output plane of
 * channel o, flattened to OH*OW floats, is then
 *
 *     out[o][p] = sum over c, ki, kj of w[o][c][ki][kj] * S[c][kj][p + ki*OW]
 *
 * a product whose right-hand rows are contiguous runs of the shifted
 * planes at offset ki*OW: no k-fold copy for the kernel rows, and whole
 * 16-float registers of outputs even where a row is 7 floats (a 7x7
 * plane is four registers, 49 of 64 lanes used, where a row per register
 * would use 7 of 16). A tile of og output channels by nv registers of
 * outputs sums over the taps in the weights' order (c, ki, kj): og*nv
 * accumulators, each loaded input register feeding og of them, each
 * weight broadcast feeding nv. The weights are packed so that a group's
 * og weights of one tap are adjacent.
 *
 * The input gradient of a stride-1 conv is a full convolution of dout
 * with the flipped, transposed kernel (padding k-1-pad): the same kernel
 * with conv.c's full_window and flipped weights, no bias.
 *
 * The weight gradient stays im2col and sgemm (conv.c): a direct one on
 * these shifted planes (tiles of 4 channels by 5 taps, sixteen lanes per
 * weight folded to four after each chunk of samples) took 6.9-7.5 ms on
 * the CLR net's second conv and 4.8 on its third at batch 100, against
 * 6.5 and 2.9-3.0 for OpenBLAS's SkylakeX kernels.
 *
 * Also here: col2im for stride-1 convs with input rows of at most 16
 * floats (lrs_col2im_rows), each input row summed in a register.
 *
 * Sums run in a fixed order whatever the thread count (taps in the
 * weights' order); they differ from the im2col path's by float rounding
 * only. Not here: the weight and bias gradients (conv.c), strides above
 * 1, CPUs without AVX-512 (conv.c's im2col path). */
#include <stdint.h>
#include <string.h>

#include "internal.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HAVE_MC 1
#include <immintrin.h>
#define AVX512 __attribute__((target("avx512f")))
#define AVX512_INLINE static inline __attribute__((always_inline, target("avx512f")))
#define UNROLL _Pragma("GCC unroll 32")
#else
#define HAVE_MC 0
#endif

#define MC_OG 8   /* output channels per tile                   */
#define MC_NV 3   /* output registers (16 floats each) per tile */

int lrs_conv_mc_ok(const lrs_window *g)
{
	return lrs_avx512() && g->C > 1 && g->stride == 1 && g->OW <= 16 && g->k >= 3 && g->k <= 7 &&
	       g->OH + g->k - 1 == g->H + 2 * g->pad && g->OW + g->k - 1 == g->W + 2 * g->pad;
}

/* The floats of one sample's shifted planes: C * k * (H + 2 pad) * OW. */
static size_t shifted_floats(const lrs_window *g)
{
	return g->C * g->k * (g->H + 2 * g->pad) * g->OW;
}

size_t lrs_conv_mc_scratch(const lrs_window *g)
{
	return (g->OC * g->C * g->k * g->k + 15) / 16 * 16 + shifted_floats(g);
}

/* The channels of the group starting at o: MC_OG, or the largest power of
 * two left. */
static size_t group_of(size_t o, size_t OC)
{
	size_t og = MC_OG;

	while (og > OC - o)
		og /= 2;
	return og;
}

/* pack (OC, K) = weight (OC, K) grouped: group o0 of og channels at pack
 * + o0*K, tap by tap, its og weights of a tap adjacent. */
static void pack_weights(float *pack, const float *weight, size_t OC, size_t K)
{
	for (size_t o0 = 0, og; o0 < OC; o0 += og) {
		og = group_of(o0, OC);
		for (size_t t = 0; t < K; t++)
			for (size_t o = 0; o < og; o++)
				pack[o0 * K + t * og + o] = weight[(o0 + o) * K + t];
	}
}

#if HAVE_MC

/* S (C, k, H + 2 pad, OW) = sample b's shifted planes (see the top), one
 * masked load and store a row: lanes [lo, hi) of a row expanded from the
 * input row's floats from column lo + kj - pad on, the others zero (a
 * memset and a float-by-float copy a row took 7% of LeNet-5's training
 * step). */
AVX512 static void shift_planes(float *S, const float *inp, lrs_map_layout in,
                                const lrs_window *g, size_t b)
{
	size_t k = g->k, R = g->H + 2 * g->pad, OW = g->OW, p = g->pad;
	__mmask16 row = (__mmask16)((1u << OW) - 1);

	for (size_t c = 0; c < g->C; c++) {
		const float *plane = inp + b * in.sstride + c * in.cstride;

		for (size_t kj = 0; kj < k; kj++) {
			/* ow + kj - p inside [0, W) for ow in [lo, hi); none when the
			 * kernel column lies wholly past the right edge (kj >= W + p,
			 * maps narrower than the kernel) */
			size_t lo = kj < p ? p - kj : 0, end = g->W + p > kj ? g->W + p - kj : 0;
			size_t hi = end < OW ? end : OW;
			__mmask16 m = (__mmask16)(hi > lo ? ((1u << hi) - 1) & ~((1u << lo) - 1) : 0);
			float *dst = S + (c * k + kj) * R * OW;

			for (size_t r = 0; r < R; r++, dst += OW) {
				__m512 v = _mm512_setzero_ps();

				if (r >= p && r - p < g->H)
					v = _mm512_maskz_expandloadu_ps(m, plane + (r - p) * g->W + lo + kj - p);
				_mm512_mask_storeu_ps(dst, row, v);
			}
		}
	}
}

/* One tile: og output channels (planes ld apart) by nv registers of
 * outputs from register v0 of the plane (P floats), og and nv constants;
 * w is the group's packed weights. */
AVX512_INLINE void mc_tile(float *out, size_t ld, const float *S, const float *w,
                           const float *bias, int relu, const lrs_window *g, size_t v0,
                           size_t og, size_t nv)
{
	size_t k = g->k, OW = g->OW, P = g->OH * OW, plane = (g->H + 2 * g->pad) * OW;
	__m512 acc[MC_OG * MC_NV], zero = _mm512_setzero_ps();
	__mmask16 m[MC_NV];

	UNROLL
	for (size_t v = 0; v < nv; v++) {
		size_t left = P - (v0 + v) * 16;

		m[v] = (__mmask16)(left >= 16 ? 0xffff : (1u << left) - 1);
	}
	UNROLL
	for (size_t i = 0; i < og * nv; i++)
		acc[i] = zero;
	for (size_t c = 0; c < g->C; c++)
		for (size_t ki = 0; ki < k; ki++)
			for (size_t kj = 0; kj < k; kj++, w += og) {
				const float *x = S + (c * k + kj) * plane + ki * OW + v0 * 16;
				__m512 xv[MC_NV];

				UNROLL
				for (size_t v = 0; v < nv; v++)
					xv[v] = _mm512_maskz_loadu_ps(m[v], x + 16 * v);
				UNROLL
				for (size_t o = 0; o < og; o++) {
					__m512 wv = _mm512_set1_ps(w[o]);

					UNROLL
					for (size_t v = 0; v < nv; v++)
						acc[o * nv + v] = _mm512_fmadd_ps(wv, xv[v], acc[o * nv + v]);
				}
			}
	UNROLL
	for (size_t o = 0; o < og; o++) {
		__m512 b = bias ? _mm512_set1_ps(bias[o]) : zero;

		UNROLL
		for (size_t v = 0; v < nv; v++) {
			__m512 z = _mm512_add_ps(acc[o * nv + v], b);

			if (relu)   /* z < 0 ? 0 : z, as lrs_bias_fill: NaN and -0 kept */
				z = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(z, zero, _CMP_LT_OQ), z, zero);
			_mm512_mask_storeu_ps(out + o * ld + (v0 + v) * 16, m[v], z);
		}
	}
}

/* mc_tile with og a constant, nv (1 to MC_NV) made one. */
AVX512_INLINE void mc_tile_og(float *out, size_t ld, const float *S, const float *w,
                              const float *bias, int relu, const lrs_window *g, size_t v0,
                              size_t og, size_t nv)
{
	if (nv == 3)
		mc_tile(out, ld, S, w, bias, relu, g, v0, og, 3);
	else if (nv == 2)
		mc_tile(out, ld, S, w, bias, relu, g, v0, og, 2);
	else
		mc_tile(out, ld, S, w, bias, relu, g, v0, og, 1);
}

/* One sample's output planes (OC, planes ld apart) from its shifted
 * planes: channel groups by tiles of registers, the registers spread
 * evenly over the tiles. */
AVX512 static void mc_sample(float *out, size_t ld, const float *S, const float *pack,
                             const float *bias, int relu, const lrs_window *g)
{
	size_t K = g->C * g->k * g->k, nvec = (g->OH * g->OW + 15) / 16;
	size_t tiles = (nvec + MC_NV - 1) / MC_NV;

	for (size_t o0 = 0, og; o0 < g->OC; o0 += og) {
		const float *w = pack + o0 * K, *b = bias ? bias + o0 : NULL;
		float *dst = out + o0 * ld;

		og = group_of(o0, g->OC);
		for (size_t t = 0, v0 = 0; t < tiles; t++) {
			size_t nv = (nvec - v0) / (tiles - t);

			if (og == 8)
				mc_tile_og(dst, ld, S, w, b, relu, g, v0, 8, nv);
			else if (og == 4)
				mc_tile_og(dst, ld, S, w, b, relu, g, v0, 4, nv);
			else if (og == 2)
				mc_tile_og(dst, ld, S, w, b, relu, g, v0, 2, nv);
			else
				mc_tile_og(dst, ld, S, w, b, relu, g, v0, 1, nv);
			v0 += nv;
		}
	}
}

void lrs_conv_mc_forward(float *out,            /* (OC, B, OH*OW), channels ld apart */
                         size_t ld,
                         const float *inp,      /* (B, C, H, W) as `in`              */
                         lrs_map_layout in,
                         const float *weight,   /* (OC, C*k*k)                       */
                         const float *bias,     /* (OC) or NULL                      */
                         int relu, float *work, const lrs_window *g, size_t B)
{
	size_t K = g->C * g->k * g->k, ohw = g->OH * g->OW;
	float *pack = work, *S = work + (g->OC * K + 15) / 16 * 16;

	pack_weights(pack, weight, g->OC, K);
	for (size_t b = 0; b < B; b++) {
		shift_planes(S, inp, in, g, b);
		mc_sample(out + b * ohw, ld, S, pack, bias, relu, g);
	}
}

/* ------------------------------------------------------ col2im */

#define C2I_ROWS 8   /* input rows summed side by side: 8 add chains */

/* Rows ih0 .. ih0+C2I_ROWS-1 (those below H) of one input plane (rows W
 * apart) = the sums of the column gradient rows that land on them; rows
 * is the plane's (c, 0, 0) row of the chunk's columns (rows n floats
 * apart) at its sample, m[kj] and the load offsets d = pad - kj pick the
 * lanes of kernel column kj. */
AVX512_INLINE void col2im_rows8(float *plane, const float *rows, size_t n, const __mmask16 *m,
                                const lrs_window *g, size_t ih0)
{
	size_t k = g->k, OW = g->OW, pad = g->pad;
	__m512 acc[C2I_ROWS];

	UNROLL
	for (size_t r = 0; r < C2I_ROWS; r++)
		acc[r] = _mm512_setzero_ps();
	for (size_t ki = 0; ki < k; ki++)
		for (size_t kj = 0; kj < k; kj++) {
			const float *row = rows + (ki * k + kj) * n + pad - kj;

			UNROLL
			for (size_t r = 0; r < C2I_ROWS; r++) {
				size_t oh = ih0 + r + pad - ki;   /* wraps when above the first */

				if (ih0 + r < g->H && oh < g->OH)
					acc[r] = _mm512_add_ps(acc[r], _mm512_maskz_loadu_ps(m[kj], row + oh * OW));
			}
		}
	UNROLL
	for (size_t r = 0; r < C2I_ROWS; r++)
		if (ih0 + r < g->H)
			_mm512_mask_storeu_ps(plane + (ih0 + r) * g->W, (__mmask16)((1u << g->W) - 1), acc[r]);
}

int lrs_col2im_rows_ok(const lrs_window *g)
{
	return lrs_avx512() && g->stride == 1 && g->W <= 16 && g->k <= 16 && g->pad < g->k;
}

AVX512 void lrs_col2im_rows(float *dinp, const float *cols, lrs_map_layout in,
                            const lrs_window *g, size_t b0, size_t nb)
{
	size_t k = g->k, ohw = g->OH * g->OW, n = nb * ohw;
	__mmask16 m[16];

	for (size_t kj = 0; kj < k; kj++) {
		/* lanes iw of input columns iw = ow + kj - pad, ow in [0, OW);
		 * none when the kernel column lies wholly left of the map
		 * (OW + kj <= pad: outputs narrower than the padding) */
		size_t lo = kj > g->pad ? kj - g->pad : 0, hi = g->OW + kj > g->pad ? g->OW + kj - g->pad : 0;

		hi = hi < g->W ? hi : g->W;
		m[kj] = (__mmask16)(hi > lo ? ((1u << hi) - 1) & ~((1u << lo) - 1) : 0);
	}
	for (size_t c = 0; c < g->C; c++)
		for (size_t b = 0; b < nb; b++) {
			float *plane = dinp + (b0 + b) * in.sstride + c * in.cstride;
			const float *rows = cols + c * k * k * n + b * ohw;

			for (size_t ih0 = 0; ih0 < g->H; ih0 += C2I_ROWS)
				col2im_rows8(plane, rows, n, m, g, ih0);
		}
}

#else

int lrs_col2im_rows_ok(const lrs_window *g)
{
	(void)g;
	return 0;
}

void lrs_col2im_rows(float *dinp, const float *cols, lrs_map_layout in, const lrs_window *g,
                     size_t b0, size_t nb)
{
	(void)dinp, (void)cols, (void)in, (void)g, (void)b0, (void)nb;
}

void lrs_conv_mc_forward(float *out, size_t ld, const float *inp, lrs_map_layout in,
                         const float *weight, const float *bias, int relu, float *work,
                         const lrs_window *g, size_t B)
{
	(void)out, (void)ld, (void)inp, (void)in, (void)weight, (void)bias, (void)relu, (void)work,
	(void)g, (void)B;
	(void)pack_weights;
}

#endif
