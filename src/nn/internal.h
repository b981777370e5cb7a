/* internal.h - the layer kernels the models of src/nn share (linear.c).
 * Outputs first, dimensions last; buffers are row-major (B, features). */
#ifndef LRSWEEP_NN_INTERNAL_H
#define LRSWEEP_NN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "lrsweep/nn.h"

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

#endif
