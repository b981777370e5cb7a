/* pool.c - max and average pooling over square windows (PyTorch's
 * nn.MaxPool2d and nn.AvgPool2d: kernel, stride, padding, ceil_mode,
 * count_include_pad=True), forward and backward.
 *
 * Each output plane is computed from one input plane exactly as PyTorch's
 * CPU kernels do: a max window starts at its first element inside the
 * input and keeps the first maximum (a NaN wins); an average sums its
 * window row by row in float and divides by the window's size counted up
 * to the padded edge -- padding counts, the part of a ceil-mode window
 * beyond the padding does not. Outputs are channel-major (C, B, OH*OW);
 * inputs are any map layout (internal.h).
 *
 * Not here: shapes (shape.c). */
#include <math.h>
#include <string.h>

#include "internal.h"

/* The rows (or columns) [*lo, *hi) of output index o's window inside an
 * input of n, and the window's extent up to the padded edge. */
static size_t span(long *lo, long *hi, size_t o, size_t n, const lrs_window *g)
{
	long start = (long)(o * g->stride) - (long)g->pad;
	long end = start + (long)g->k, edge = (long)(n + g->pad);

	end = end < edge ? end : edge;
	*lo = start < 0 ? 0 : start;
	*hi = end < (long)n ? end : (long)n;
	return (size_t)(end - start);
}

/* The maximum of the k x k window at p (rows W apart) and, in *best,
 * its index from p's: the first maximum in row-major order, the last NaN
 * if any -- PyTorch's rule. Inlined with k a constant for the usual
 * kernels. */
static inline float window_max(const float *restrict p, long W, long k, long *best)
{
	float top = p[0];
	long at = 0;

	/* selects, not branches: where the maximum lies is anyone's guess */
	for (long i = 0; i < k; i++)
		for (long j = 0; j < k; j++) {
			float v = p[i * W + j];
			int take = (v > top) | (v != v);

			top = take ? v : top;
			at = take ? i * W + j : at;
		}
	*best = at;
	return top;
}

/* The same for a window clipped to rows [h0, h1) and columns [w0, w1). */
static float clipped_max(const float *restrict in, long W, long h0, long h1, long w0, long w1,
                         long *best)
{
	float top = -INFINITY;

	*best = h0 * W + w0;
	for (long ih = h0; ih < h1; ih++)
		for (long iw = w0; iw < w1; iw++) {
			float v = in[ih * W + iw];

			if (v > top || isnan(v)) {
				top = v;
				*best = ih * W + iw;
			}
		}
	return top;
}

/* One plane: out (OH*OW), argmax (OH*OW) from in (H*W). */
static void maxpool_plane(float *restrict out, int32_t *restrict argmax,
                          const float *restrict in, int relu, const lrs_window *g)
{
	long W = (long)g->W, k = (long)g->k, s = (long)g->stride, pad = (long)g->pad;

	for (size_t oh = 0; oh < g->OH; oh++) {
		long h0, h1;

		span(&h0, &h1, oh, g->H, g);
		for (size_t ow = 0; ow < g->OW; ow++) {
			long w0 = (long)ow * s - pad, best;
			float top;

			if (h1 - h0 == k && w0 >= 0 && w0 + k <= W) {
				const float *p = in + h0 * W + w0;

				top = k == 2 ? window_max(p, W, 2, &best)
				    : k == 3 ? window_max(p, W, 3, &best) : window_max(p, W, k, &best);
				best += h0 * W + w0;
			} else {
				long c0, c1;

				span(&c0, &c1, ow, g->W, g);
				top = clipped_max(in, W, h0, h1, c0, c1, &best);
			}
			out[oh * g->OW + ow] = relu && top < 0.0f ? 0.0f : top;
			argmax[oh * g->OW + ow] = (int32_t)best;
		}
	}
}

void lrs_maxpool_forward(float *out,         /* (C, B, OH*OW) */
                         int32_t *argmax,    /* (C, B, OH*OW) */
                         const float *inp,   /* as `in`       */
                         lrs_map_layout in, int relu, const lrs_window *g, size_t B)
{
	size_t ohw = g->OH * g->OW;

	for (size_t c = 0; c < g->C; c++)
		for (size_t b = 0; b < B; b++)
			maxpool_plane(out + (c * B + b) * ohw, argmax + (c * B + b) * ohw,
			              inp + b * in.sstride + c * in.cstride, relu, g);
}

void lrs_maxpool_backward(float *dinp,            /* as `in`       */
                          const float *dout,      /* (C, B, OH*OW) */
                          const int32_t *argmax,  /* (C, B, OH*OW) */
                          lrs_map_layout in, const lrs_window *g, size_t B)
{
	size_t ohw = g->OH * g->OW;

	memset(dinp, 0, g->C * B * g->H * g->W * sizeof *dinp);
	for (size_t c = 0; c < g->C; c++)
		for (size_t b = 0; b < B; b++) {
			float *restrict d = dinp + b * in.sstride + c * in.cstride;
			const float *restrict o = dout + (c * B + b) * ohw;
			const int32_t *restrict a = argmax + (c * B + b) * ohw;

			for (size_t i = 0; i < ohw; i++)
				d[a[i]] += o[i];
		}
}

/* One plane, forward when out is not NULL: out (OH*OW) = the window means
 * of in (H*W); else backward: d (H*W) += each of o (OH*OW) divided over
 * its window. */
static void avgpool_plane(float *restrict out, const float *restrict in, float *restrict d,
                          const float *restrict o, int relu, const lrs_window *g)
{
	for (size_t oh = 0; oh < g->OH; oh++) {
		long h0, h1;
		size_t rows = span(&h0, &h1, oh, g->H, g);

		for (size_t ow = 0; ow < g->OW; ow++) {
			long w0, w1;
			size_t count = rows * span(&w0, &w1, ow, g->W, g);
			float sum = 0.0f, share = out ? 0.0f : o[oh * g->OW + ow] / (float)count;

			for (long ih = h0; ih < h1; ih++)
				for (long iw = w0; iw < w1; iw++) {
					if (out)
						sum += in[ih * (long)g->W + iw];
					else
						d[ih * (long)g->W + iw] += share;
				}
			if (!out)
				continue;
			sum /= (float)count;
			out[oh * g->OW + ow] = relu && sum < 0.0f ? 0.0f : sum;
		}
	}
}

void lrs_avgpool_forward(float *out,        /* (C, B, OH*OW) */
                         const float *inp,  /* as `in`       */
                         lrs_map_layout in, int relu, const lrs_window *g, size_t B)
{
	size_t ohw = g->OH * g->OW;

	for (size_t c = 0; c < g->C; c++)
		for (size_t b = 0; b < B; b++)
			avgpool_plane(out + (c * B + b) * ohw, inp + b * in.sstride + c * in.cstride, NULL,
			              NULL, relu, g);
}

void lrs_avgpool_backward(float *dinp,        /* as `in`       */
                          const float *dout,  /* (C, B, OH*OW) */
                          lrs_map_layout in, const lrs_window *g, size_t B)
{
	size_t ohw = g->OH * g->OW;

	memset(dinp, 0, g->C * B * g->H * g->W * sizeof *dinp);
	for (size_t c = 0; c < g->C; c++)
		for (size_t b = 0; b < B; b++)
			avgpool_plane(NULL, NULL, dinp + b * in.sstride + c * in.cstride,
			              dout + (c * B + b) * ohw, 0, g);
}
