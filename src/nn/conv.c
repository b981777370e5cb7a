/* conv.c - 2-D convolution (PyTorch's nn.Conv2d: square kernel, stride,
 * zero padding, a bias per output channel) by im2col and one sgemm.
 *
 * The batch is lowered a chunk of samples at a time: the columns of a
 * chunk, (C*k*k, chunk*OH*OW), stay in cache while one sgemm multiplies
 * them by the weight (OC, C*k*k) into the chunk's part of the
 * channel-major output (OC, B, OH*OW) -- one product per chunk rather
 * than per sample, with no copy of the result. Backward recomputes each
 * chunk's columns for the weight gradient, then gets the input gradient
 * either as a full convolution of dout with the flipped kernel or as the
 * columns' gradient by one more sgemm added back (col2im), whichever
 * multiplies less (see backward_by_full_conv). A 1x1 convolution with
 * stride 1 and no padding over a channel-major input needs no columns:
 * the input is its own. The products' orientations and the columns'
 * copies are chosen by measurement: see dweight_transposed, im2col_plane
 * and lrs_sgemm's column blocks (blas.c).
 *
 * A conv of one input channel and stride 1 goes instead through
 * direct.c's kernels where the CPU has AVX-512 (lrs_conv_direct_ok):
 * forward, and the weight gradient when no input gradient is asked for.
 * A conv of several input channels, stride 1 and output rows of at most
 * 16 goes through direct_mc.c's kernel there (lrs_conv_mc_ok): forward,
 * and the input gradient where dinput_by_mc says so; its weight gradient
 * stays im2col and sgemm. There col2im of stride-1 convs with input rows
 * of at most 16 floats goes through direct_mc.c's lrs_col2im_rows.
 *
 * Not here: choosing the chunk (net.c), activations other than a fused
 * relu. */
#include <assert.h>
#include <string.h>

#include "lrsweep/blas.h"
#include "lrsweep/util.h"
#include "internal.h"

size_t lrs_conv_cols_per_sample(const lrs_window *g)
{
	return g->C * g->k * g->k * g->OH * g->OW;
}

int lrs_conv_needs_columns(const lrs_window *g, lrs_map_layout in, size_t B)
{
	return !(g->k == 1 && g->stride == 1 && g->pad == 0 &&
	       (in.cstride == B * g->H * g->W || g->C == 1) && in.sstride == g->H * g->W);
}

/* The floats of a plane with its padding: (H + 2 pad) * (W + 2 pad). */
static size_t padded_floats(const lrs_window *g)
{
	return (g->H + 2 * g->pad) * (g->W + 2 * g->pad);
}

void lrs_pad_plane(float *restrict pp, const float *restrict plane, const lrs_window *g)
{
	size_t wp = g->W + 2 * g->pad;

	memset(pp, 0, g->pad * wp * sizeof *pp);
	for (size_t h = 0; h < g->H; h++) {
		float *row = pp + (g->pad + h) * wp;

		memset(row, 0, g->pad * sizeof *row);
		memcpy(row + g->pad, plane + h * g->W, g->W * sizeof *row);
		memset(row + g->pad + g->W, 0, g->pad * sizeof *row);
	}
	memset(pp + (g->pad + g->H) * wp, 0, g->pad * wp * sizeof *pp);
}

/* Short row copies are most of im2col's work, and a library call per
 * row costs more than the copy; GCC turns a copy loop into a call to
 * memmove (its loop-distribution pass) unless told not to. */
#if defined(__GNUC__) && !defined(__clang__)
#define INLINE_COPIES __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define INLINE_COPIES
#endif

/* dst (n) = src (n), four floats at a time (16-byte moves, unaligned). */
INLINE_COPIES
static inline void copy_floats(float *restrict dst, const float *restrict src, size_t n)
{
	size_t i = 0;

	for (; i + 4 <= n; i += 4)
		for (size_t j = 0; j < 4; j++)
			dst[i + j] = src[i + j];
	for (; i < n; i++)
		dst[i] = src[i];
}

/* dst (n) += src (n), four floats at a time. */
static inline void add_floats(float *restrict dst, const float *restrict src, size_t n)
{
	size_t i = 0;

	for (; i + 4 <= n; i += 4)
		for (size_t j = 0; j < 4; j++)
			dst[i + j] += src[i + j];
	for (; i < n; i++)
		dst[i] += src[i];
}

/* dst (n rounded up to 16) = src (as many): whole 64-byte blocks, one
 * vector move each where the CPU has them. The floats past n are written
 * with what follows src, for the caller to overwrite. */
static inline void copy_blocks(float *restrict dst, const float *restrict src, size_t n)
{
	for (size_t i = 0; i < n; i += 16)
		memcpy(dst + i, src + i, 16 * sizeof *dst);
}

/* Every row of one sample's columns from its padded plane pp: row
 * (ki, kj) of the k*k at rows (stride n floats) = pp seen through that
 * kernel offset; `room` floats of each row are this sample's and the
 * later samples'. A row of stride 1 is copied in whole blocks of 16
 * floats where they fit in the room, spilling into the next output row or
 * the next sample's columns, both written after it; the blocks read up to
 * 15 floats past pp's plane (pp has them). Built for AVX2 and
 * AVX-512 too (LRS_SIMD_CLONES): a row of the CLR net's second conv is one
 * 64-byte move there, where four-float copies made im2col 18% of its
 * training step. */
LRS_SIMD_CLONES INLINE_COPIES
static void im2col_plane(float *rows, size_t n, const float *restrict pp, const lrs_window *g,
                         size_t room)
{
	size_t s = g->stride, wp = g->W + 2 * g->pad;

	for (size_t ki = 0; ki < g->k; ki++)
		for (size_t kj = 0; kj < g->k; kj++, rows += n) {
			float *restrict dst = rows;
			const float *src = pp + ki * wp + kj;

			for (size_t oh = 0; oh < g->OH; oh++, dst += g->OW, src += s * wp) {
				if (s == 1 && oh * g->OW + (g->OW + 15) / 16 * 16 <= room) {
					copy_blocks(dst, src, g->OW);
					continue;
				}
				if (s == 1) {
					copy_floats(dst, src, g->OW);
					continue;
				}
				for (size_t ow = 0; ow < g->OW; ow++)
					dst[ow] = src[ow * s];
			}
		}
}

/* cols (C*k*k, nb*OH*OW) = the columns of samples b0 .. b0+nb-1; pp is
 * scratch of padded_floats + 16. */
static void im2col(float *cols, float *pp, const float *inp, lrs_map_layout in,
                   const lrs_window *g, size_t b0, size_t nb)
{
	size_t ohw = g->OH * g->OW, n = nb * ohw, kk = g->k * g->k;

	for (size_t c = 0; c < g->C; c++)
		for (size_t b = 0; b < nb; b++) {
			lrs_pad_plane(pp, inp + (b0 + b) * in.sstride + c * in.cstride, g);
			im2col_plane(cols + c * kk * n + b * ohw, n, pp, g, n - b * ohw);
		}
}

/* The output columns [lo, hi) of row ki, kj whose input column
 * ow*stride - pad + kj lies inside [0, W). */
static void valid_columns(size_t *lo, size_t *hi, const lrs_window *g, size_t kj)
{
	size_t s = g->stride, first = 0, end;

	if (kj < g->pad)
		first = (g->pad - kj + s - 1) / s;
	/* ow*s + kj - pad < W  <=>  ow < (W + pad - kj) / s, rounded up */
	end = g->W + g->pad > kj ? (g->W + g->pad - kj + s - 1) / s : 0;
	*lo = first < g->OW ? first : g->OW;
	*hi = end < g->OW ? end : g->OW;
	if (*hi < *lo)
		*hi = *lo;
}

/* plane (H*W) += one row of a sample's column gradient, the inverse of
 * im2col_row. */
static void col2im_row(float *restrict plane, const float *restrict src, const lrs_window *g,
                       size_t ki, size_t kj, size_t lo, size_t hi)
{
	size_t s = g->stride, OW = g->OW;

	for (size_t oh = 0; oh < g->OH; oh++, src += OW) {
		size_t ih = oh * s + ki;

		if (ih < g->pad || ih - g->pad >= g->H || hi == lo)
			continue;
		float *dst = plane + (ih - g->pad) * g->W + lo * s + kj - g->pad;
		if (s == 1) {
			add_floats(dst, src + lo, hi - lo);
			continue;
		}
		for (size_t ow = lo; ow < hi; ow++)
			dst[(ow - lo) * s] += src[ow];
	}
}

/* dinp (laid out as `in`) += the column gradient of samples b0 ..
 * b0+nb-1. */
static void col2im(float *dinp, const float *cols, lrs_map_layout in, const lrs_window *g,
                   size_t b0, size_t nb)
{
	size_t ohw = g->OH * g->OW, n = nb * ohw;

	for (size_t c = 0; c < g->C; c++)
		for (size_t ki = 0; ki < g->k; ki++)
			for (size_t kj = 0; kj < g->k; kj++) {
				const float *row = cols + ((c * g->k + ki) * g->k + kj) * n;
				size_t lo, hi;

				valid_columns(&lo, &hi, g, kj);
				for (size_t b = 0; b < nb; b++)
					col2im_row(dinp + (b0 + b) * in.sstride + c * in.cstride, row + b * ohw, g,
					           ki, kj, lo, hi);
			}
}

/* Whether the input gradient is a stride-1 convolution of dout with the
 * flipped kernel (padding k-1-pad), written straight into a channel-major
 * dinp: one sgemm of depth OC*k*k instead of a product of depth OC and a
 * scatter back through col2im. Only where the input is no larger than
 * the output (padding at least (k-1)/2): else that convolution would
 * multiply more padding than col2im moves; and only where the output has
 * no more channels than the input: the full convolution's columns are
 * OC*k*k rows, col2im's C*k*k (on the CLR net's third conv, 32 to 64
 * channels on 7x7, col2im made training 1.06x as fast; on its second, 32
 * to 32 on 14x14, the full convolution stays 1.04x faster). */
static int backward_by_full_conv(const lrs_window *g, lrs_map_layout in, size_t B)
{
	return g->stride == 1 && g->pad < g->k && g->H * g->W <= g->OH * g->OW && g->OC <= g->C &&
	       in.sstride == g->H * g->W &&
	       (in.cstride == B * g->H * g->W || g->C == 1);
}

/* The window that takes dout (OC, OH, OW) to dinp (C, H, W). */
static lrs_window full_window(const lrs_window *g)
{
	return (lrs_window){ .C = g->OC, .H = g->OH, .W = g->OW, .OC = g->C, .OH = g->H,
	                     .OW = g->W, .k = g->k, .stride = 1, .pad = g->k - 1 - g->pad };
}

/* The parts of a conv's scratch: the flipped weight (backward by full
 * convolution), the weight gradient transposed (backward), one padded
 * plane, the columns of one chunk, direct_mc.c's packed weights and
 * shifted planes (see mc_size). */
typedef struct {
	float *flip, *dwt, *pp, *cols, *mc;
} scratch;

#define ROUND16(n) (((n) + 15) / 16 * 16)

/* Whether the input gradient goes through direct_mc.c as a full
 * convolution written straight into a channel-major dinp: only where
 * backward_by_full_conv would take the full convolution too -- the input
 * no larger than the output, the output no wider in channels than the
 * input. With OpenBLAS's SkylakeX kernels (bench_net conv, batch 100) the
 * CLR net's second conv's input gradient took 5.5-5.6 ms this way against
 * 6.0-6.1 for the sgemm of the full convolution's columns, while its
 * third (32 to 64 channels on 7x7) took 3.75 ms against col2im's 3.3-3.5,
 * and LeNet-5's second (no padding) as long as col2im. */
static int dinput_by_mc(const lrs_window *g, lrs_map_layout in, size_t B)
{
	lrs_window f;

	if (g->stride != 1 || g->pad >= g->k || g->H * g->W > g->OH * g->OW || g->OC > g->C ||
	    in.sstride != g->H * g->W ||
	    !(in.cstride == B * g->H * g->W || g->C == 1))
		return 0;
	f = full_window(g);
	return lrs_conv_mc_ok(&f);
}

/* The floats of direct_mc.c's scratch for conv g's forward and input
 * gradient: 0 where neither goes through it. */
static size_t mc_size(const lrs_window *g, lrs_map_layout in, size_t B)
{
	lrs_window f = full_window(g);
	size_t fw = lrs_conv_mc_ok(g) ? lrs_conv_mc_scratch(g) : 0;
	size_t bw = dinput_by_mc(g, in, B) ? lrs_conv_mc_scratch(&f) : 0;

	return fw > bw ? fw : bw;
}

/* The scratch's parts at `at` (NULL: just the floats needed); returns the
 * floats of the whole. */
static size_t carve_scratch(scratch *sc, float *at, const lrs_window *g, lrs_map_layout in,
                            size_t B, size_t chunk)
{
	lrs_window f = full_window(g);
	size_t per = lrs_conv_cols_per_sample(g), pp = padded_floats(g);
	size_t flip = ROUND16(g->OC * g->C * g->k * g->k);

	if (backward_by_full_conv(g, in, B)) {
		per = lrs_conv_cols_per_sample(&f) > per ? lrs_conv_cols_per_sample(&f) : per;
		pp = padded_floats(&f) > pp ? padded_floats(&f) : pp;
	}
	pp = ROUND16(pp) + 16;   /* what im2col_plane's blocks read past it */
	per *= chunk;
	if (lrs_conv_direct_ok(g) && lrs_conv_direct_scratch(g) > per)
		per = lrs_conv_direct_scratch(g);   /* the weight gradient's lanes */
	per = ROUND16(per);
	if (at)
		*sc = (scratch){ .flip = at, .dwt = at + flip, .pp = at + 2 * flip,
		                 .cols = at + 2 * flip + pp, .mc = at + 2 * flip + pp + per };
	return 2 * flip + pp + per + mc_size(g, in, B);
}

size_t lrs_conv_scratch(const lrs_window *g, lrs_map_layout in, size_t B, size_t chunk)
{
	if (!lrs_conv_needs_columns(g, in, B))
		return 0;
	return carve_scratch(NULL, NULL, g, in, B, chunk);
}

/* rows (OC, n, stride ld) = relu(row + bias) or row + bias. */
static void bias_rows(float *out, const float *bias, int relu, size_t OC, size_t n, size_t ld)
{
	for (size_t o = 0; o < OC; o++)
		lrs_bias_fill(out + o * ld, bias[o], relu, n);
}

void lrs_conv_forward(float *out,            /* (OC, B, OH*OW)       */
                      const float *inp,      /* (B, C, H, W) as `in` */
                      lrs_map_layout in,
                      const float *weight,   /* (OC, C*k*k)          */
                      const float *bias,     /* (OC)                 */
                      int relu, float *work, size_t chunk, const lrs_window *g, size_t B)
{
	size_t ohw = g->OH * g->OW, K = g->C * g->k * g->k, ld = B * ohw;
	scratch sc;

	assert(chunk >= 1);
	if (lrs_conv_direct_ok(g)) {
		carve_scratch(&sc, work, g, in, B, chunk);
		lrs_conv_direct_forward(out, inp, in, weight, bias, relu, sc.pp, g, B);
		return;
	}
	if (lrs_conv_mc_ok(g)) {
		carve_scratch(&sc, work, g, in, B, chunk);
		lrs_conv_mc_forward(out, ld, inp, in, weight, bias, relu, sc.mc, g, B);
		return;
	}
	if (!lrs_conv_needs_columns(g, in, B)) {
		lrs_sgemm(0, 0, g->OC, ld, K, 1.0f, weight, K, inp, ld, 0.0f, out, ld);
		bias_rows(out, bias, relu, g->OC, ld, ld);
		return;
	}
	carve_scratch(&sc, work, g, in, B, chunk);
	for (size_t b0 = 0; b0 < B; b0 += chunk) {
		size_t nb = B - b0 < chunk ? B - b0 : chunk, n = nb * ohw;

		im2col(sc.cols, sc.pp, inp, in, g, b0, nb);
		lrs_sgemm(0, 0, g->OC, n, K, 1.0f, weight, K, sc.cols, n, 0.0f, out + b0 * ohw, ld);
		bias_rows(out + b0 * ohw, bias, relu, g->OC, n, ld);
	}
}

/* dbias (OC) += the row sums of dout (OC, B*OH*OW). */
static void bias_backward(float *dbias, const float *dout, size_t OC, size_t n)
{
	for (size_t o = 0; o < OC; o++)
		dbias[o] += (float)lrs_sum(dout + o * n, n);
}

/* flip (C, OC, k, k) = weight (OC, C, k, k) with each kernel turned by
 * 180 degrees. */
static void flip_weights(float *flip, const float *weight, const lrs_window *g)
{
	size_t kk = g->k * g->k;

	for (size_t o = 0; o < g->OC; o++)
		for (size_t c = 0; c < g->C; c++)
			for (size_t i = 0; i < kk; i++)
				flip[(c * g->OC + o) * kk + i] = weight[(o * g->C + c) * kk + kk - 1 - i];
}

/* Whether the weight gradient is the product cols · doutᵀ, (C*k*k, OC),
 * kept transposed in scratch, rather than dout · colsᵀ added straight to
 * dweight: OpenBLAS (single thread) took the CLR net's second conv's (32
 * output channels, depth 196 a sample) at 203 GFLOP/s against 142, and
 * its training step went 1.10x as fast; with LeNet-5's 6 and 16 channels
 * the other way round was faster (its step 0.93x as fast transposed). */
static int dweight_transposed(const lrs_window *g)
{
	return g->OC >= 32;
}

/* The weight gradient of samples b0 .. b0+nb-1 into dweight or, when
 * dweight_transposed, into sc.dwt (set by the first chunk, added to by
 * the others), and, unless dinp is NULL, their input gradient (see
 * lrs_conv_backward); sc.flip NULL: through col2im. */
static void backward_chunk(float *dinp, float *dweight, const float *dout, const float *inp,
                           lrs_map_layout in, const float *weight, scratch sc,
                           const lrs_window *g, size_t B, size_t b0, size_t nb)
{
	size_t ohw = g->OH * g->OW, K = g->C * g->k * g->k, n = nb * ohw, ld = B * ohw;

	im2col(sc.cols, sc.pp, inp, in, g, b0, nb);
	if (dweight_transposed(g))
		lrs_sgemm(0, 1, K, g->OC, n, 1.0f, sc.cols, n, dout + b0 * ohw, ld, b0 ? 1.0f : 0.0f,
		          sc.dwt, g->OC);
	else
		lrs_sgemm(0, 1, g->OC, K, n, 1.0f, dout + b0 * ohw, ld, sc.cols, n, 1.0f, dweight, K);
	if (!dinp)
		return;
	if (sc.flip) {
		lrs_window f = full_window(g);
		lrs_map_layout d = { .sstride = ohw, .cstride = ld };
		size_t hw = g->H * g->W, K2 = g->OC * g->k * g->k;

		im2col(sc.cols, sc.pp, dout, d, &f, b0, nb);
		lrs_sgemm(0, 0, g->C, nb * hw, K2, 1.0f, sc.flip, K2, sc.cols, nb * hw, 0.0f,
		          dinp + b0 * hw, B * hw);
		return;
	}
	lrs_sgemm(1, 0, K, n, g->OC, 1.0f, weight, K, dout + b0 * ohw, ld, 0.0f, sc.cols, n);
	if (lrs_col2im_rows_ok(g))
		lrs_col2im_rows(dinp, sc.cols, in, g, b0, nb);
	else
		col2im(dinp, sc.cols, in, g, b0, nb);
}

/* The weight gradient, and the input gradient unless dinp is NULL,
 * through im2col columns chunk samples at a time. */
static void backward_columns(float *dinp, float *dweight, const float *dout, const float *inp,
                             lrs_map_layout in, const float *weight, scratch sc, size_t chunk,
                             const lrs_window *g, size_t B)
{
	size_t K = g->C * g->k * g->k;

	if (dinp && backward_by_full_conv(g, in, B)) {
		flip_weights(sc.flip, weight, g);
	} else {
		sc.flip = NULL;
		if (dinp && !lrs_col2im_rows_ok(g))   /* those rows overwrite */
			memset(dinp, 0, g->C * B * g->H * g->W * sizeof *dinp);
	}
	for (size_t b0 = 0; b0 < B; b0 += chunk)
		backward_chunk(dinp, dweight, dout, inp, in, weight, sc, g, B, b0,
		               B - b0 < chunk ? B - b0 : chunk);
	for (size_t o = 0; o < g->OC && dweight_transposed(g); o++)
		for (size_t i = 0; i < K; i++)
			dweight[o * K + i] += sc.dwt[i * g->OC + o];
}

/* dinp (C, B, H*W) = the input gradient as a full convolution of dout
 * by direct_mc.c (see dinput_by_mc). */
static void dinput_mc(float *dinp, const float *dout, const float *weight, scratch sc,
                      const lrs_window *g, size_t B)
{
	lrs_window f = full_window(g);
	lrs_map_layout d = { .sstride = g->OH * g->OW, .cstride = B * g->OH * g->OW };

	flip_weights(sc.flip, weight, g);
	lrs_conv_mc_forward(dinp, B * g->H * g->W, dout, d, sc.flip, NULL, 0, sc.mc, &f, B);
}

void lrs_conv_backward(float *dinp,          /* as `in`, or NULL     */
                       float *dweight,       /* (OC, C*k*k)          */
                       float *dbias,         /* (OC)                 */
                       const float *dout,    /* (OC, B, OH*OW)       */
                       const float *inp,     /* (B, C, H, W) as `in` */
                       lrs_map_layout in,
                       const float *weight,  /* (OC, C*k*k)          */
                       float *work, size_t chunk, const lrs_window *g, size_t B)
{
	size_t ld = B * g->OH * g->OW, K = g->C * g->k * g->k;
	scratch sc;
	int mc;   /* the input gradient by direct_mc.c */

	if (!dinp && lrs_conv_direct_ok(g)) {
		carve_scratch(&sc, work, g, in, B, chunk);
		lrs_conv_direct_dweight(dweight, dbias, dout, inp, in, sc.cols, sc.pp, g, B);
		return;
	}
	bias_backward(dbias, dout, g->OC, ld);
	if (!lrs_conv_needs_columns(g, in, B)) {
		lrs_sgemm(0, 1, g->OC, K, ld, 1.0f, dout, ld, inp, ld, 1.0f, dweight, K);
		if (dinp)
			lrs_sgemm(1, 0, K, ld, g->OC, 1.0f, weight, K, dout, ld, 0.0f, dinp, ld);
		return;
	}
	carve_scratch(&sc, work, g, in, B, chunk);
	mc = dinp && dinput_by_mc(g, in, B);
	backward_columns(mc ? NULL : dinp, dweight, dout, inp, in, weight, sc, chunk, g, B);
	if (mc)
		dinput_mc(dinp, dout, weight, sc, g, B);
}
