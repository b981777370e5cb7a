/* internal.h - the layer kernels the models of src/nn share: linear.c
 * (linear layers, activations, softmax), conv.c (convolutions), pool.c
 * (max and average pooling), norm.c (batchnorm, dropout, layouts).
 * Outputs first, dimensions last; a linear layer's buffers are row-major
 * (B, features).
 *
 * Maps (the input and output of conv, pools, batchnorm) are planes of
 * H*W floats, one per (sample b, channel c), found at
 * b * sstride + c * cstride: PyTorch's NCHW has sstride C*H*W and cstride
 * H*W, the channel-major (C, B, H, W) that conv and pools write has
 * sstride H*W and cstride B*H*W. */
#ifndef LRSWEEP_NN_INTERNAL_H
#define LRSWEEP_NN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "lrsweep/nn.h"
#include "lrsweep/rng.h"

/* out (B, OC) = inp (B, C) · weight (OC, C)ᵀ; the bias comes after. */
void lrs_linear_forward(float *out, const float *inp, const float *weight,
                        size_t B, size_t C, size_t OC);

/* dweight += doutᵀ · inp, dbias += column sums of dout, and, unless dinp
 * is NULL, dinp = dout · weight (overwritten, not accumulated). */
void lrs_linear_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                         const float *inp, const float *weight, size_t B, size_t C, size_t OC);

/* In place, row by row: z (B, OC) = act(z + bias). */
void lrs_bias_act_forward(float *z, const float *bias, lrs_activation act, size_t B, size_t OC);

/* In place, row by row: z (B, OC) += bias. */
void lrs_bias_forward(float *z, const float *bias, size_t B, size_t OC);

/* In place: z (N) = act(z), element by element. */
void lrs_act_forward(float *z, lrs_activation act, size_t N);

/* In place: dinp (N) *= act'(z), written through out = act(z). */
void lrs_act_backward(float *dinp, const float *out, lrs_activation act, size_t N);

/* In place: z (B, V) = softmax(z + bias) row by row; with labels y the
 * mean cross-entropy, else 0. */
double lrs_softmax_xent_forward(float *z, const float *bias, const int32_t *y, size_t B, size_t V);

/* dlogits (B, V) = (probs - onehot(y)) / B. */
void lrs_softmax_xent_backward(float *dlogits, const float *probs, const int32_t *y,
                               size_t B, size_t V);

/* How many rows of probs (B, V) have their first maximum at y[b]. */
size_t lrs_softmax_correct(const float *probs, const int32_t *y, size_t B, size_t V);

/* ------------------------------------------------ element-wise loops */

/* The sum of x (n) in sixteen float lanes, added up in double at the end:
 * vectorised, and closer to the exact sum than one running float. */
double lrs_sum(const float *x, size_t n);

/* The same for the sum of x*y. */
double lrs_dot(const float *x, const float *y, size_t n);

/* In place: x (n) = relu(x + v), or x + v when relu is 0. */
void lrs_bias_fill(float *x, float v, int relu, size_t n);

/* ------------------------------------------------------ maps */

/* Where the planes of a map lie: plane (b, c) at p + b*sstride + c*cstride. */
typedef struct {
	size_t sstride, cstride;
} lrs_map_layout;

/* A conv's or pool's window over its input: (C, H, W) to (OC, OH, OW).
 * Pools have OC = C. */
typedef struct {
	size_t C, H, W;
	size_t OC, OH, OW;
	size_t k, stride, pad;
} lrs_window;

/* The layout of a (B, C, H, W) batch stored as NCHW (cnhw 0) or as
 * (C, B, H, W) (cnhw 1). */
lrs_map_layout lrs_map_layout_of(int cnhw, size_t B, size_t C, size_t HW);

/* out (B, C*HW) = the (C, B, HW) map inp in NCHW order (flattening for a
 * linear layer), and its inverse. */
void lrs_cnhw_to_nchw(float *out, const float *inp, size_t B, size_t C, size_t HW);
void lrs_nchw_to_cnhw(float *out, const float *inp, size_t B, size_t C, size_t HW);

/* ------------------------------------------------------ convolution */

/* The im2col columns one sample of conv g needs: C*k*k rows by OH*OW. */
size_t lrs_conv_cols_per_sample(const lrs_window *g);

/* The floats of cols scratch conv g needs to lower chunk samples at a
 * time (0: none, see lrs_conv_needs_columns). */
size_t lrs_conv_scratch(const lrs_window *g, lrs_map_layout in, size_t B, size_t chunk);

/* Whether conv g lowers its input to columns (cols scratch): all but a
 * 1x1 convolution with stride 1 and no padding over an input whose
 * planes lie like channel-major ones. */
int lrs_conv_needs_columns(const lrs_window *g, lrs_map_layout in, size_t B);

/* out (OC, B, OH*OW) = conv(inp) + bias, then relu when relu is set.
 * work is scratch of lrs_conv_scratch floats; the batch is lowered chunk
 * samples at a time, each chunk one sgemm. */
void lrs_conv_forward(float *out, const float *inp, lrs_map_layout in, const float *weight,
                      const float *bias, int relu, float *work, size_t chunk,
                      const lrs_window *g, size_t B);

/* dweight (OC, C, k, k) += the weight gradient, dbias (OC) += the bias
 * gradient, and, unless dinp is NULL, dinp = the input gradient
 * (overwritten), laid out as the input. dout is (OC, B, OH*OW); work as
 * in forward. */
void lrs_conv_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                       const float *inp, lrs_map_layout in, const float *weight,
                       float *work, size_t chunk, const lrs_window *g, size_t B);

/* pp ((H + 2 pad) * (W + 2 pad)) = plane (H*W) of window g framed by
 * zeros. */
void lrs_pad_plane(float *restrict pp, const float *restrict plane, const lrs_window *g);

/* Whether the CPU has AVX-512 (F): the kernels of direct.c run only then. */
int lrs_avx512(void);

/* For tests, which compare the AVX-512 kernels with the portable paths in
 * one process: from now on lrs_avx512 returns on (0 or 1; 1 only where
 * the CPU has AVX-512), or decides again as at start (on -1). Returns
 * whether the CPU has AVX-512. Buffers sized (lrs_conv_scratch,
 * lrs_net_build) under one setting must be used under the same. */
int lrs_avx512_set(int on);

/* Whether max pooling g takes its rows of full windows through
 * lrs_maxpool_row: kernel 2 or 3, stride 1 or 2, on a CPU with AVX-512. */
int lrs_maxpool_row_ok(const lrs_window *g);

/* out, argmax (n) = the maxima, relu applied when relu is set, and
 * winners of n windows of one row whose first starts at in + first
 * (rows W apart), of which only `rows` rows and `avail` floats of each
 * row from the first lie inside the input (the rest: beyond its right or
 * bottom edge): sixteen windows at a time, with the selects of pool.c's
 * window_max and clipped_max, so the same bits. */
void lrs_maxpool_row(float *out, int32_t *argmax, const float *in, const lrs_window *g,
                     long first, size_t n, size_t avail, size_t rows, int relu);

/* Whether conv g goes through the direct kernels below rather than
 * im2col and sgemm: one input channel, stride 1, kernel 3, 5 or 7, output
 * rows of at most 32, on a CPU with AVX-512 (direct.c). */
int lrs_conv_direct_ok(const lrs_window *g);

/* The floats of the weight and bias gradients' lanes: OC*(k*k+1)*16. */
size_t lrs_conv_direct_scratch(const lrs_window *g);

/* lrs_conv_forward by the direct kernel; pp is scratch of one padded
 * plane. */
void lrs_conv_direct_forward(float *out, const float *inp, lrs_map_layout in,
                             const float *weight, const float *bias, int relu, float *pp,
                             const lrs_window *g, size_t B);

/* dweight (OC, k*k) += the weight gradient and dbias (OC) += the bias
 * gradient by the direct kernel, in one pass over dout; lanes is scratch
 * of lrs_conv_direct_scratch floats, pp of one padded plane. */
void lrs_conv_direct_dweight(float *dweight, float *dbias, const float *dout, const float *inp,
                             lrs_map_layout in, float *lanes, float *pp, const lrs_window *g,
                             size_t B);

/* Whether conv g goes forward through direct_mc.c's kernel: more than
 * one input channel, stride 1, kernel up to 7, output rows of at most 16,
 * on a CPU with AVX-512. */
int lrs_conv_mc_ok(const lrs_window *g);

/* The floats of lrs_conv_mc_forward's work: packed weights and one
 * sample's shifted planes. */
size_t lrs_conv_mc_scratch(const lrs_window *g);

/* out (OC, B, OH*OW; channels ld floats apart) = conv(inp) + bias (none
 * when NULL), then relu when relu is set, by direct_mc.c's kernel; work
 * is scratch of lrs_conv_mc_scratch floats. */
void lrs_conv_mc_forward(float *out, size_t ld, const float *inp, lrs_map_layout in,
                         const float *weight, const float *bias, int relu, float *work,
                         const lrs_window *g, size_t B);

/* Whether col2im of conv g (its input gradient from the columns'
 * gradient) goes through lrs_col2im_rows: stride 1, input rows of at
 * most 16 floats, padding below the kernel, on a CPU with AVX-512. */
int lrs_col2im_rows_ok(const lrs_window *g);

/* dinp (laid out as `in`) = the column gradient cols (C*k*k, nb*OH*OW)
 * of samples b0 .. b0+nb-1 put back, overwriting their planes (no
 * zeroing first): each input row summed in a register, its terms in
 * conv.c's col2im order, so the same bits. cols must not be the start of
 * its allocation: the loads of kernel columns kj > pad start up to
 * kj - pad floats before a row (those lanes masked off). */
void lrs_col2im_rows(float *dinp, const float *cols, lrs_map_layout in, const lrs_window *g,
                     size_t b0, size_t nb);

/* ------------------------------------------------------ pooling */

/* out (C, B, OH*OW) = max over each window (padding is -inf; a NaN wins
 * as in PyTorch), argmax (same shape) = the winner's index in its plane;
 * relu applied to the maximum when relu is set. */
void lrs_maxpool_forward(float *out, int32_t *argmax, const float *inp, lrs_map_layout in,
                         int relu, const lrs_window *g, size_t B);

/* The same for nb samples of a larger batch: out and argmax point at
 * their first sample's plane of channel 0, channels ld floats apart. */
void lrs_maxpool_forward_part(float *out, int32_t *argmax, size_t ld, const float *inp,
                              lrs_map_layout in, int relu, const lrs_window *g, size_t nb);

/* dinp (laid out as the input, `in`) = dout (C, B, OH*OW) sent back to
 * each argmax. */
void lrs_maxpool_backward(float *dinp, const float *dout, const int32_t *argmax,
                          lrs_map_layout in, const lrs_window *g, size_t B);

/* out (C, B, OH*OW) = the mean of each window with PyTorch's divisor
 * (count_include_pad=True: padding counts, the part of a ceil-mode window
 * beyond the padding does not); relu after when relu is set. */
void lrs_avgpool_forward(float *out, const float *inp, lrs_map_layout in, int relu,
                         const lrs_window *g, size_t B);

/* dinp (laid out as the input, `in`) = dout (C, B, OH*OW) spread over
 * each window. */
void lrs_avgpool_backward(float *dinp, const float *dout, lrs_map_layout in,
                          const lrs_window *g, size_t B);

/* ------------------------------------------- batchnorm and dropout */

/* Batchnorm over C channels of B planes of HW floats (layout `in`, out in
 * the same layout). training: normalise with the batch's mean and biased
 * variance, keep mean and invstd (C each) for backward, and move rmean,
 * rvar (C each) toward the mean and the unbiased variance by momentum;
 * else normalise with rmean and rvar. */
void lrs_batchnorm_forward(float *out, float *mean, float *invstd, float *rmean, float *rvar,
                           const float *inp, lrs_map_layout in, const float *gamma,
                           const float *beta, double momentum, double eps, int training,
                           size_t B, size_t C, size_t HW);

/* dgamma, dbeta (C) += their gradients; dinp = the input gradient (may be
 * dout itself: in place). */
void lrs_batchnorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
                            const float *inp, lrs_map_layout in, const float *mean,
                            const float *invstd, const float *gamma, size_t B, size_t C,
                            size_t HW);

/* training: mask (N) = 1/(1-p) with probability 1-p, else 0, drawn from
 * rng, and out = inp * mask; else out = inp. */
void lrs_dropout_forward(float *out, float *mask, const float *inp, double p, lrs_rng *rng,
                         int training, size_t N);

/* In place: d (N) *= mask, the forward's. */
void lrs_dropout_backward(float *d, const float *mask, size_t N);

#endif
