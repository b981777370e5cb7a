/* conv.c - 2-D convolution (PyTorch's nn.Conv2d: square kernel, stride,
 * zero padding, a bias per output channel) by im2col and one sgemm.
 *
 * The batch is lowered a chunk of samples at a time: the columns of a
 * chunk, (C*k*k, chunk*OH*OW), stay in cache while one sgemm multiplies
 * them by the weight (OC, C*k*k) into the chunk's part of the
 * channel-major output (OC, B, OH*OW) -- one product per chunk rather
 * than per sample, with no copy of the result. Backward recomputes each
 * chunk's columns for the weight gradient, then the columns' gradient by
 * one more sgemm and adds them back (col2im). A 1x1 convolution with
 * stride 1 and no padding over a channel-major input needs no columns:
 * the input is its own.
 *
 * Not here: choosing the chunk (net.c), activations other than a fused
 * relu. */
#include <assert.h>
#include <string.h>

#include "lrsweep/blas.h"
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

/* One row of a sample's columns: dst (OH*OW) = the input plane seen
 * through kernel offset (ki, kj), zero where it falls in the padding. */
static void im2col_row(float *restrict dst, const float *restrict plane, const lrs_window *g,
                       size_t ki, size_t kj, size_t lo, size_t hi)
{
	size_t s = g->stride, OW = g->OW;

	for (size_t oh = 0; oh < g->OH; oh++, dst += OW) {
		size_t ih = oh * s + ki;   /* + pad: compared before subtracting */

		if (ih < g->pad || ih - g->pad >= g->H) {
			memset(dst, 0, OW * sizeof *dst);
			continue;
		}
		memset(dst, 0, lo * sizeof *dst);
		memset(dst + hi, 0, (OW - hi) * sizeof *dst);
		if (hi == lo)
			continue;
		const float *src = plane + (ih - g->pad) * g->W + lo * s + kj - g->pad;
		if (s == 1)
			memcpy(dst + lo, src, (hi - lo) * sizeof *dst);
		else
			for (size_t ow = lo; ow < hi; ow++)
				dst[ow] = src[(ow - lo) * s];
	}
}

/* cols (C*k*k, nb*OH*OW) = the columns of samples b0 .. b0+nb-1. */
static void im2col(float *cols, const float *inp, lrs_map_layout in, const lrs_window *g,
                   size_t b0, size_t nb)
{
	size_t ohw = g->OH * g->OW, n = nb * ohw;

	for (size_t c = 0; c < g->C; c++)
		for (size_t ki = 0; ki < g->k; ki++)
			for (size_t kj = 0; kj < g->k; kj++) {
				float *row = cols + ((c * g->k + ki) * g->k + kj) * n;
				size_t lo, hi;

				valid_columns(&lo, &hi, g, kj);
				for (size_t b = 0; b < nb; b++)
					im2col_row(row + b * ohw, inp + (b0 + b) * in.sstride + c * in.cstride,
					           g, ki, kj, lo, hi);
			}
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
                      int relu, float *cols, size_t chunk, const lrs_window *g, size_t B)
{
	size_t ohw = g->OH * g->OW, K = g->C * g->k * g->k, ld = B * ohw;

	assert(chunk >= 1);
	if (!lrs_conv_needs_columns(g, in, B)) {
		lrs_sgemm(0, 0, g->OC, ld, K, 1.0f, weight, K, inp, ld, 0.0f, out, ld);
		bias_rows(out, bias, relu, g->OC, ld, ld);
		return;
	}
	for (size_t b0 = 0; b0 < B; b0 += chunk) {
		size_t nb = B - b0 < chunk ? B - b0 : chunk, n = nb * ohw;

		im2col(cols, inp, in, g, b0, nb);
		lrs_sgemm(0, 0, g->OC, n, K, 1.0f, weight, K, cols, n, 0.0f, out + b0 * ohw, ld);
		bias_rows(out + b0 * ohw, bias, relu, g->OC, n, ld);
	}
}

/* dbias (OC) += the row sums of dout (OC, B*OH*OW). */
static void bias_backward(float *dbias, const float *dout, size_t OC, size_t n)
{
	for (size_t o = 0; o < OC; o++)
		dbias[o] += (float)lrs_sum(dout + o * n, n);
}

void lrs_conv_backward(float *dinp,          /* as `in`, or NULL     */
                       float *dweight,       /* (OC, C*k*k)          */
                       float *dbias,         /* (OC)                 */
                       const float *dout,    /* (OC, B, OH*OW)       */
                       const float *inp,     /* (B, C, H, W) as `in` */
                       lrs_map_layout in,
                       const float *weight,  /* (OC, C*k*k)          */
                       float *cols, size_t chunk, const lrs_window *g, size_t B)
{
	size_t ohw = g->OH * g->OW, K = g->C * g->k * g->k, ld = B * ohw;

	bias_backward(dbias, dout, g->OC, ld);
	if (!lrs_conv_needs_columns(g, in, B)) {
		lrs_sgemm(0, 1, g->OC, K, ld, 1.0f, dout, ld, inp, ld, 1.0f, dweight, K);
		if (dinp)
			lrs_sgemm(1, 0, K, ld, g->OC, 1.0f, weight, K, dout, ld, 0.0f, dinp, ld);
		return;
	}
	if (dinp)
		memset(dinp, 0, g->C * B * g->H * g->W * sizeof *dinp);
	for (size_t b0 = 0; b0 < B; b0 += chunk) {
		size_t nb = B - b0 < chunk ? B - b0 : chunk, n = nb * ohw;

		im2col(cols, inp, in, g, b0, nb);
		lrs_sgemm(0, 1, g->OC, K, n, 1.0f, dout + b0 * ohw, ld, cols, n, 1.0f, dweight, K);
		if (!dinp)
			continue;
		lrs_sgemm(1, 0, K, n, g->OC, 1.0f, weight, K, dout + b0 * ohw, ld, 0.0f, cols, n);
		col2im(dinp, cols, in, g, b0, nb);
	}
}
