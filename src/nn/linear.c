/* linear.c - the kernels of linear layers, hidden activations and the
 * softmax cross-entropy, shared by every model (nn/internal.h).
 *
 * Forward and backward come in pairs with explicit buffers, outputs first
 * and dimensions last. The three matrix products of a linear layer
 * (forward, weight gradient, input gradient) are one sgemm each; bias,
 * activation and softmax are fused row loops. */
#include <assert.h>
#include <math.h>
#include <stdint.h>

#include "lrsweep/blas.h"
#include "internal.h"

/* GCC at -O2 (its "very cheap" vectorizer cost model) vectorizes a loop
 * only when its trip count is a known multiple of the vector width. The hot
 * element-wise loops below are therefore written for a block of n elements
 * and called on blocks of VEC, then once on the remainder: the same
 * arithmetic, but branch-free SIMD code for the blocks. */
#define VEC 16

/* lane (16) += x (16). */
static inline void add_lanes(float *restrict lane, const float *restrict x)
{
	for (size_t j = 0; j < 16; j++)
		lane[j] += x[j];
}

/* ------------------------------------------------ element-wise loops */

#define LANES 16   /* partial sums of lrs_sum and lrs_dot */

double lrs_sum(const float *x, size_t n)
{
	float lane[LANES] = { 0 };
	double total = 0.0;
	size_t i = 0;

	for (; i + LANES <= n; i += LANES)
		add_lanes(lane, x + i);
	for (size_t j = 0; j < LANES; j++)
		total += lane[j];
	for (; i < n; i++)
		total += x[i];
	return total;
}

double lrs_dot(const float *x, const float *y, size_t n)
{
	float lane[LANES] = { 0 };
	double total = 0.0;
	size_t i = 0;

	for (; i + LANES <= n; i += LANES)
		for (size_t j = 0; j < LANES; j++)
			lane[j] += x[i + j] * y[i + j];
	for (size_t j = 0; j < LANES; j++)
		total += lane[j];
	for (; i < n; i++)
		total += (double)x[i] * y[i];
	return total;
}

/* x = relu(x + v) or x + v over n elements. */
static inline void bias_fill_block(float *restrict x, float v, int relu, size_t n)
{
	if (relu)
		for (size_t i = 0; i < n; i++) {
			float z = x[i] + v;
			x[i] = z < 0.0f ? 0.0f : z;
		}
	else
		for (size_t i = 0; i < n; i++)
			x[i] += v;
}

void lrs_bias_fill(float *x, float v, int relu, size_t n)
{
	size_t i = 0;

	for (; i + VEC <= n; i += VEC)
		bias_fill_block(x + i, v, relu, VEC);
	bias_fill_block(x + i, v, relu, n - i);
}

/* ------------------------------------------------------ linear layer */

/* out = inp · weightᵀ (the bias is added by the row loop that follows). */
void lrs_linear_forward(float *out,            /* (B, OC) */
                           const float *inp,      /* (B, C)  */
                           const float *weight,   /* (OC, C) */
                           size_t B, size_t C, size_t OC)
{
	lrs_sgemm(0, 1, B, OC, C, 1.0f, inp, C, weight, C, 0.0f, out, OC);
}

/* acc += row, element-wise. */
static inline void add_block(float *restrict acc, const float *restrict row, size_t n)
{
	for (size_t i = 0; i < n; i++)
		acc[i] += row[i];
}

/* dweight += doutᵀ · inp, dbias += column sums of dout, and, unless dinp
 * is NULL, dinp = dout · weight (overwritten, not accumulated). */
void lrs_linear_backward(float *dinp,           /* (B, C) or NULL */
                            float *dweight,        /* (OC, C)        */
                            float *dbias,          /* (OC)           */
                            const float *dout,     /* (B, OC)        */
                            const float *inp,      /* (B, C)         */
                            const float *weight,   /* (OC, C)        */
                            size_t B, size_t C, size_t OC)
{
	lrs_sgemm(1, 0, OC, C, B, 1.0f, dout, OC, inp, C, 1.0f, dweight, C);
	for (size_t b = 0; b < B; b++) {
		const float *row = dout + b * OC;   /* (OC) */
		size_t o = 0;
		for (; o + VEC <= OC; o += VEC)
			add_block(dbias + o, row + o, VEC);
		add_block(dbias + o, row + o, OC - o);
	}
	if (dinp)
		lrs_sgemm(0, 0, B, C, OC, 1.0f, dout, OC, weight, C, 0.0f, dinp, C);
}

/* ------------------------------------------------- hidden activations */

/* z = act(z + bias) over n elements. relu is written `v < 0 ? 0 : v`,
 * which keeps a NaN as torch.relu does; tanh and sigmoid call libm. */
static inline void bias_act_block(float *restrict z, const float *restrict bias,
                                  lrs_activation act, size_t n)
{
	switch (act) {
	case LRS_ACT_RELU:
		for (size_t i = 0; i < n; i++) {
			float v = z[i] + bias[i];
			z[i] = v < 0.0f ? 0.0f : v;
		}
		break;
	case LRS_ACT_TANH:
		for (size_t i = 0; i < n; i++)
			z[i] = tanhf(z[i] + bias[i]);
		break;
	case LRS_ACT_SIGMOID:
		for (size_t i = 0; i < n; i++)
			z[i] = 1.0f / (1.0f + expf(-(z[i] + bias[i])));
		break;
	}
}

/* In place: z += bias, row by row. */
void lrs_bias_forward(float *z,          /* (B, OC) */
                      const float *bias, /* (OC)    */
                      size_t B, size_t OC)
{
	for (size_t b = 0; b < B; b++) {
		float *row = z + b * OC;   /* (OC) */
		size_t o = 0;
		for (; o + VEC <= OC; o += VEC)
			add_block(row + o, bias + o, VEC);
		add_block(row + o, bias + o, OC - o);
	}
}

/* In place: z (N) = act(z), as one flat row. */
void lrs_act_forward(float *z, lrs_activation act, size_t N)
{
	static const float zero[VEC] = { 0 };
	size_t i = 0;

	for (; i + VEC <= N; i += VEC)
		bias_act_block(z + i, zero, act, VEC);
	bias_act_block(z + i, zero, act, N - i);
}

/* In place: z = act(z + bias), row by row. */
void lrs_bias_act_forward(float *z,          /* (B, OC) */
                             const float *bias, /* (OC)    */
                             lrs_activation act, size_t B, size_t OC)
{
	for (size_t b = 0; b < B; b++) {
		float *row = z + b * OC;   /* (OC) */
		size_t o = 0;
		for (; o + VEC <= OC; o += VEC)
			bias_act_block(row + o, bias + o, act, VEC);
		bias_act_block(row + o, bias + o, act, OC - o);
	}
}

/* d *= act'(z) over n elements, written through the activation's output
 * a = act(z) as PyTorch's backward kernels do: relu (a > 0), tanh 1 - a²,
 * sigmoid (1 - a) a. */
static inline void act_backward_block(float *restrict d, const float *restrict a,
                                      lrs_activation act, size_t n)
{
	switch (act) {
	case LRS_ACT_RELU:
		for (size_t i = 0; i < n; i++)
			d[i] = a[i] > 0.0f ? d[i] : 0.0f;
		break;
	case LRS_ACT_TANH:
		for (size_t i = 0; i < n; i++)
			d[i] = d[i] * (1.0f - a[i] * a[i]);
		break;
	case LRS_ACT_SIGMOID:
		for (size_t i = 0; i < n; i++)
			d[i] = d[i] * (1.0f - a[i]) * a[i];
		break;
	}
}

/* In place: dinp *= act'(z), where out = act(z). */
void lrs_act_backward(float *dinp,      /* (N) */
                         const float *out, /* (N) */
                         lrs_activation act, size_t N)
{
	size_t i = 0;

	for (; i + VEC <= N; i += VEC)
		act_backward_block(dinp + i, out + i, act, VEC);
	act_backward_block(dinp + i, out + i, act, N - i);
}

/* ------------------------------------------ softmax cross-entropy */

/* In place: z = softmax(z + bias) row by row, subtracting the row maximum;
 * with labels y returns the mean of log-sum-exp(z) - z[y] (each term in
 * float, the sum in double), else 0. */
double lrs_softmax_xent_forward(float *restrict z,          /* (B, V) */
                                   const float *restrict bias, /* (V)    */
                                   const int32_t *y,           /* (B) or NULL */
                                   size_t B, size_t V)
{
	double total = 0.0;   /* sum of the per-sample losses */

	for (size_t b = 0; b < B; b++) {
		float *row = z + b * V;   /* (V) */
		float max = -INFINITY, sum = 0.0f;

		for (size_t v = 0; v < V; v++) {
			row[v] += bias[v];
			max = row[v] > max ? row[v] : max;
		}
		if (y) {
			assert(y[b] >= 0 && (size_t)y[b] < V);
			total += (double)(max - row[y[b]]);   /* then + log(sum) */
		}
		for (size_t v = 0; v < V; v++) {
			row[v] = expf(row[v] - max);
			sum += row[v];
		}
		for (size_t v = 0; v < V; v++)
			row[v] = row[v] / sum;
		if (y)
			total += (double)logf(sum);
	}
	return y ? total / (double)B : 0.0;
}

/* dlogits = (probs - onehot(y)) / B: the gradient of the mean loss. */
void lrs_softmax_xent_backward(float *restrict dlogits,     /* (B, V) */
                                  const float *restrict probs, /* (B, V) */
                                  const int32_t *y,            /* (B)    */
                                  size_t B, size_t V)
{
	float inv_b = 1.0f / (float)B;

	for (size_t b = 0; b < B; b++) {
		const float *p = probs + b * V;   /* (V) */
		float *d = dlogits + b * V;       /* (V) */

		for (size_t v = 0; v < V; v++)
			d[v] = p[v] * inv_b;
		d[y[b]] = (p[y[b]] - 1.0f) * inv_b;
	}
}

size_t lrs_softmax_correct(const float *probs, const int32_t *y, size_t B, size_t V)
{
	size_t hits = 0;

	for (size_t b = 0; b < B; b++) {
		const float *row = probs + b * V;   /* (V) */
		size_t best = 0;
		float top = row[0];

		/* strict: the first maximum wins; written to select, not
		 * branch, as the classes of a batch are anyone's guess */
		for (size_t v = 1; v < V; v++) {
			int above = row[v] > top;
			best = above ? v : best;
			top = above ? row[v] : top;
		}
		hits += y[b] >= 0 && best == (size_t)y[b];
	}
	return hits;
}
