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
 * inputs are any map layout (internal.h). Max pooling runs eight windows
 * side by side -- along a row, or the same window of eight samples --
 * with the same selects, so every path gives the same bits; on AVX-512
 * CPUs the rows of full windows of 2 or 3 go sixteen at a time
 * (direct.c's lrs_maxpool_row), the same selects again.
 *
 * Not here: shapes (shape.c). */
#include <math.h>
#include <string.h>

#include "lrsweep/util.h"
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

/* Full windows of stride 1 or 2 up to this wide go LANES outputs of a row
 * at a time; the rest (edges, long strides) one by one. */
#define LANES 8
#define LANE_MAX_K 8

/* A window's loops, unrolled whole where k is a constant (lanes_of):
 * GCC at -O2 keeps them loops otherwise, with the lanes in memory. */
#define UNROLL _Pragma("GCC unroll 8")

/* The running first maximum of LANES windows, top and its index at, after
 * one more candidate of each, v (LANES) at indices idx + j*s: the same
 * selects as window_max, lane by lane. */
static inline __attribute__((always_inline)) void take_max(float *restrict top,
                                                           int32_t *restrict at,
                                                           const float *restrict v, int32_t idx,
                                                           int32_t s)
{
	for (size_t j = 0; j < LANES; j++) {
		int take = (v[j] > top[j]) | (v[j] != v[j]);

		top[j] = take ? v[j] : top[j];
		at[j] = take ? idx + (int32_t)j * s : at[j];
	}
}

/* e, o = the even and odd elements of q (2 LANES - 2 + k of them, k >= 2):
 * stride-2 windows read contiguous runs of these. */
static inline __attribute__((always_inline)) void deinterleave(float *restrict e, float *restrict o,
                                                               const float *restrict q, long k)
{
	for (size_t x = 0; x < LANES; x++) {
		e[x] = q[2 * x];
		o[x] = q[2 * x + 1];
	}
	for (long t = 2 * LANES; t < 2 * LANES - 2 + k; t++)
		(t & 1 ? o : e)[t / 2] = q[t];
}

/* out, argmax (LANES) = the maxima of the k x k windows (stride s, 1 or
 * 2) whose first lies at in + first (rows W apart), relu applied. */
static inline __attribute__((always_inline)) void max_lanes(float *restrict out,
                                                            int32_t *restrict argmax,
                                                            const float *restrict in, long W,
                                                            long k, long s, long first, int relu)
{
	float top[LANES], e[LANES + LANE_MAX_K], o[LANES + LANE_MAX_K];
	int32_t at[LANES];

	for (size_t j = 0; j < LANES; j++)
		top[j] = -INFINITY, at[j] = (int32_t)(first + (long)j * s);
	UNROLL
	for (long i = 0; i < k; i++) {
		const float *q = in + first + i * W;

		if (s == 2)
			deinterleave(e, o, q, k);
		UNROLL
		for (long jj = 0; jj < k; jj++)
			take_max(top, at, s == 1 ? q + jj : (jj & 1 ? o : e) + jj / 2,
			         (int32_t)(first + i * W + jj), (int32_t)s);
	}
	for (size_t j = 0; j < LANES; j++) {
		out[j] = relu && top[j] < 0.0f ? 0.0f : top[j];
		argmax[j] = at[j];
	}
}

/* max_lanes with the usual windows' k and s as constants, so that its
 * loops unroll and its lanes stay in registers: with k and s read at run
 * time, the CLR net's 3x3 windows of stride 2 took four times as long. */
static inline __attribute__((always_inline)) void lanes_of(float *restrict out,
                                                           int32_t *restrict argmax,
                                                           const float *restrict in, long W,
                                                           long k, long s, long first, int relu)
{
	if (k == 2 && s == 2)
		max_lanes(out, argmax, in, W, 2, 2, first, relu);
	else if (k == 3 && s == 2)
		max_lanes(out, argmax, in, W, 3, 2, first, relu);
	else if (k == 2 && s == 1)
		max_lanes(out, argmax, in, W, 2, 1, first, relu);
	else if (k == 3 && s == 1)
		max_lanes(out, argmax, in, W, 3, 1, first, relu);
	else
		max_lanes(out, argmax, in, W, k, s, first, relu);
}

/* The output columns [*lo, *hi) whose windows lie wholly inside a row of
 * W: column ow's starts at ow*stride - pad. */
static void full_columns(size_t *lo, size_t *hi, const lrs_window *g)
{
	size_t s = g->stride;

	*lo = (g->pad + s - 1) / s;
	*hi = g->W + g->pad >= g->k ? (g->W + g->pad - g->k) / s + 1 : 0;
	*hi = *hi < g->OW ? *hi : g->OW;
	*lo = *lo < *hi ? *lo : *hi;
}

/* One output of a plane, window by window. */
static void maxpool_one(float *restrict out, int32_t *restrict argmax, const float *restrict in,
                        int relu, const lrs_window *g, size_t oh, size_t ow)
{
	long W = (long)g->W, k = (long)g->k, s = (long)g->stride, pad = (long)g->pad;
	long h0, h1, w0 = (long)ow * s - pad, best;
	float top;

	span(&h0, &h1, oh, g->H, g);
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

/* Whether g's rows of full windows go LANES at a time (max_lanes). */
static int row_lanes(const lrs_window *g)
{
	size_t lo, hi;

	full_columns(&lo, &hi, g);
	if (lrs_maxpool_row_ok(g))
		return hi > lo;
	return (g->stride == 1 || (g->stride == 2 && g->k >= 2)) && g->k <= LANE_MAX_K &&
	       hi - lo >= LANES;
}

/* Whether lrs_maxpool_row takes every output of g's planes, edges too:
 * no padding, so only ceil mode's windows at the right and bottom edges
 * are clipped. */
static int whole_rows(const lrs_window *g)
{
	return g->pad == 0 && lrs_maxpool_row_ok(g);
}

/* Whether output (oh, ow) is one of the rows' lanes (max_lanes): a
 * column in [lo, hi) of a row of full windows, when g has them. */
static int in_row_lanes(const lrs_window *g, int lanes, size_t lo, size_t hi, size_t oh,
                        size_t ow)
{
	long h0 = (long)(oh * g->stride) - (long)g->pad;

	return lanes && h0 >= 0 && h0 + (long)g->k <= (long)g->H && ow >= lo && ow < hi;
}

/* One plane: out (OH*OW), argmax (OH*OW) from in (H*W); with `edges` 0
 * only the rows' lanes, the rest being maxpool_planes'. Rows of full
 * windows at least LANES wide go LANES at a time, the last block
 * overlapping the one before; the same selects, so the same bits. Built
 * for AVX2 and AVX-512 too (LRS_SIMD_CLONES): one by one, the maximum's
 * chain of selects made pooling a fifth of the CLR net's training step. */
LRS_SIMD_CLONES
static void maxpool_plane(float *restrict out, int32_t *restrict argmax,
                          const float *restrict in, int relu, const lrs_window *g, int edges)
{
	long W = (long)g->W, k = (long)g->k, s = (long)g->stride, pad = (long)g->pad;
	size_t lo, hi;
	int lanes = row_lanes(g), row16 = lrs_maxpool_row_ok(g);

	if (whole_rows(g)) {
		for (size_t oh = 0; oh < g->OH; oh++) {
			long h0 = (long)oh * s;

			lrs_maxpool_row(out + oh * g->OW, argmax + oh * g->OW, in, g, h0 * W, g->OW,
			                (size_t)W, (size_t)(h0 + k <= (long)g->H ? k : (long)g->H - h0), relu);
		}
		return;
	}
	full_columns(&lo, &hi, g);
	for (size_t oh = 0; oh < g->OH; oh++) {
		long h0 = (long)oh * s - pad;
		size_t ow = 0;

		if (lanes && h0 >= 0 && h0 + k <= (long)g->H) {
			for (; ow < lo && edges; ow++)
				maxpool_one(out, argmax, in, relu, g, oh, ow);
			if (row16)
				lrs_maxpool_row(out + oh * g->OW + lo, argmax + oh * g->OW + lo, in, g,
				                h0 * W + (long)lo * s - pad, hi - lo,
				                (size_t)(W - (long)lo * s + pad), (size_t)k, relu);
			for (size_t b = lo; b < hi && !row16; b += LANES) {
				size_t at = b + LANES <= hi ? b : hi - LANES;

				lanes_of(out + oh * g->OW + at, argmax + oh * g->OW + at, in, W, k, s,
				         h0 * W + (long)at * s - pad, relu);
			}
			ow = hi;
		}
		for (; ow < g->OW && edges; ow++)
			maxpool_one(out, argmax, in, relu, g, oh, ow);
	}
}

/* LANES planes side by side, for maps too narrow for max_lanes and for
 * the other maps' edges (the outputs not in_row_lanes): out, argmax
 * (LANES planes ohw apart) from in (LANES planes pstride apart), each
 * window's candidates gathered from the planes, then the same selects as
 * window_max (and clipped_max, at the edges). */
LRS_SIMD_CLONES
static void maxpool_planes(float *restrict out, int32_t *restrict argmax,
                           const float *restrict in, size_t pstride, int relu,
                           const lrs_window *g)
{
	size_t ohw = g->OH * g->OW, lo, hi;
	long W = (long)g->W;
	int lanes = row_lanes(g);

	full_columns(&lo, &hi, g);

	for (size_t oh = 0; oh < g->OH; oh++) {
		long h0, h1;

		span(&h0, &h1, oh, g->H, g);
		for (size_t ow = 0; ow < g->OW; ow++) {
			float top[LANES], v[LANES];
			int32_t at[LANES];
			long w0, w1;
			size_t o = oh * g->OW + ow;

			if (in_row_lanes(g, lanes, lo, hi, oh, ow))
				continue;
			span(&w0, &w1, ow, g->W, g);
			for (size_t j = 0; j < LANES; j++)
				top[j] = -INFINITY, at[j] = (int32_t)(h0 * W + w0);
			for (long ih = h0; ih < h1; ih++)
				for (long iw = w0; iw < w1; iw++) {
					for (size_t j = 0; j < LANES; j++)
						v[j] = in[j * pstride + (size_t)(ih * W + iw)];
					take_max(top, at, v, (int32_t)(ih * W + iw), 0);
				}
			for (size_t j = 0; j < LANES; j++) {
				out[j * ohw + o] = relu && top[j] < 0.0f ? 0.0f : top[j];
				argmax[j * ohw + o] = at[j];
			}
		}
	}
}

void lrs_maxpool_forward_part(float *out,         /* (C, nb, OH*OW), ld apart */
                              int32_t *argmax,    /* the same                 */
                              size_t ld,
                              const float *inp,   /* as `in`                  */
                              lrs_map_layout in, int relu, const lrs_window *g, size_t nb)
{
	size_t ohw = g->OH * g->OW, group = nb / LANES * LANES;

	for (size_t c = 0; c < g->C; c++) {
		for (size_t b = 0; b < nb; b++)   /* the rows' lanes; all of a tail plane */
			maxpool_plane(out + c * ld + b * ohw, argmax + c * ld + b * ohw,
			              inp + b * in.sstride + c * in.cstride, relu, g, b >= group);
		for (size_t b = 0; b < group && !whole_rows(g); b += LANES)
			maxpool_planes(out + c * ld + b * ohw, argmax + c * ld + b * ohw,
			               inp + b * in.sstride + c * in.cstride, in.sstride, relu, g);
	}
}

void lrs_maxpool_forward(float *out,         /* (C, B, OH*OW) */
                         int32_t *argmax,    /* (C, B, OH*OW) */
                         const float *inp,   /* as `in`       */
                         lrs_map_layout in, int relu, const lrs_window *g, size_t B)
{
	lrs_maxpool_forward_part(out, argmax, B * g->OH * g->OW, inp, in, relu, g, B);
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

/* The sum of the k x k window at p (rows W apart), row by row in float:
 * the order of avgpool_plane's clipped windows. Inlined with k a
 * constant for the usual kernels. */
static inline __attribute__((always_inline)) float window_sum(const float *restrict p, long W,
                                                              long k)
{
	float sum = 0.0f;

	for (long i = 0; i < k; i++)
		for (long j = 0; j < k; j++)
			sum += p[i * W + j];
	return sum;
}

/* d's k x k window at p (rows W apart) += share, row by row. */
static inline __attribute__((always_inline)) void window_spread(float *restrict p, long W,
                                                                long k, float share)
{
	for (long i = 0; i < k; i++)
		for (long j = 0; j < k; j++)
			p[i * W + j] += share;
}

/* Whether output (oh, ow)'s window lies wholly inside the input: then its
 * count is k*k and its first element is at *first. */
static int full_window(long *first, const lrs_window *g, size_t oh, size_t ow)
{
	long h0 = (long)(oh * g->stride) - (long)g->pad, w0 = (long)(ow * g->stride) - (long)g->pad;
	long k = (long)g->k;

	*first = h0 * (long)g->W + w0;
	return h0 >= 0 && w0 >= 0 && h0 + k <= (long)g->H && w0 + k <= (long)g->W;
}

/* One plane, forward when out is not NULL: out (OH*OW) = the window means
 * of in (H*W); else backward: d (H*W) += each of o (OH*OW) divided over
 * its window, in output order. Full windows of 2 or 3 go through
 * window_sum or window_spread with k a constant (the same additions in
 * the same order; with k read at run time they took 2.5 times as long on
 * the CLR net's 3x3 windows); the rest element by element. */
static void avgpool_plane(float *restrict out, const float *restrict in, float *restrict d,
                          const float *restrict o, int relu, const lrs_window *g)
{
	long W = (long)g->W, k = (long)g->k, first;

	for (size_t oh = 0; oh < g->OH; oh++) {
		long h0, h1;
		size_t rows = span(&h0, &h1, oh, g->H, g);

		for (size_t ow = 0; ow < g->OW; ow++) {
			long w0, w1;
			size_t count = rows * span(&w0, &w1, ow, g->W, g);
			float sum = 0.0f, share = out ? 0.0f : o[oh * g->OW + ow] / (float)count;

			if ((k == 2 || k == 3) && full_window(&first, g, oh, ow)) {
				if (out)
					sum = k == 2 ? window_sum(in + first, W, 2) : window_sum(in + first, W, 3);
				else if (k == 2)
					window_spread(d + first, W, 2, share);
				else
					window_spread(d + first, W, 3, share);
			} else {
				for (long ih = h0; ih < h1; ih++)
					for (long iw = w0; iw < w1; iw++) {
						if (out)
							sum += in[ih * W + iw];
						else
							d[ih * W + iw] += share;
					}
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
