/* mlp.c - the multilayer perceptron: build, init, forward, zero_grad,
 * backward, free.
 *
 * Layer l is a linear map z = x Wᵀ + b with W stored (out, in), as
 * PyTorch's nn.Linear stores it, followed by the hidden activation (relu,
 * tanh, sigmoid) or, for the last layer, a softmax whose probabilities are
 * kept in act[last]; the loss is the mean cross-entropy over the batch.
 *
 * Parameter layout (also that of grads, and of the files tests/tools/
 * nn_replay.c reads): for l = 0 .. n_layers-1, W[l] (out_l, in_l) row-major,
 * then b[l] (out_l); no padding, so optimizers run one flat loop.
 *
 * Forward and backward come in pairs with explicit buffers, outputs first
 * and dimensions last. The three matrix products of a layer (forward,
 * weight gradient, input gradient) are one sgemm each; bias, activation and
 * softmax are fused row loops. Everything is allocated by build: a training
 * step allocates nothing. Not here: the optimizer (optim.c), data, the
 * training loop. */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/blas.h"
#include "lrsweep/error.h"
#include "lrsweep/nn.h"

#define ALIGN_FLOATS 16   /* 64-byte alignment of each activation buffer */

/* GCC at -O2 (its "very cheap" vectorizer cost model) vectorizes a loop
 * only when its trip count is a known multiple of the vector width. The hot
 * element-wise loops below are therefore written for a block of n elements
 * and called on blocks of VEC, then once on the remainder: the same
 * arithmetic, but branch-free SIMD code for the blocks. */
#define VEC 16

/* ------------------------------------------------------ linear layer */

/* out = inp · weightᵀ (the bias is added by the row loop that follows). */
static void linear_forward(float *out,            /* (B, OC) */
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
static void linear_backward(float *dinp,           /* (B, C) or NULL */
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

/* In place: z = act(z + bias), row by row. */
static void bias_act_forward(float *z,          /* (B, OC) */
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
static void act_backward(float *dinp,      /* (N) */
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
static double softmax_xent_forward(float *restrict z,          /* (B, V) */
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
static void softmax_xent_backward(float *restrict dlogits,     /* (B, V) */
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

/* ------------------------------------------------------------- verbs */

/* *out = a * b + c, or 0 when that overflows size_t. */
static int mul_add(size_t *out, size_t a, size_t b, size_t c)
{
	if (b != 0 && a > (SIZE_MAX - c) / b)
		return 0;
	*out = a * b + c;
	return 1;
}

static size_t round_up(size_t n) { return (n + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS; }

/* Checks the sizes and fills m's dimensions, n_params and the floats of
 * work it needs; 0 or an error code with the message set. */
static int plan(lrs_mlp *m, const lrs_mlp_config *cfg, size_t max_batch, size_t *work_floats)
{
	size_t n_params = 0, work = 0, widest = 0;

	if (cfg->inputs == 0 || cfg->outputs == 0)
		return lrs_error_set(LRS_EINVALID, "mlp: %s must be at least 1",
		                     cfg->inputs == 0 ? "inputs" : "outputs");
	if (cfg->n_hidden > LRS_MLP_MAX_HIDDEN)
		return lrs_error_set(LRS_EINVALID, "mlp: %zu hidden layers, at most %d",
		                     cfg->n_hidden, LRS_MLP_MAX_HIDDEN);
	if (max_batch == 0)
		return lrs_error_set(LRS_EINVALID, "mlp: max_batch must be at least 1");
	if ((unsigned)cfg->activation > LRS_ACT_SIGMOID || (unsigned)cfg->init > LRS_INIT_XAVIER)
		return lrs_error_set(LRS_EINVALID, "mlp: unknown activation or init");
	for (size_t l = 0; l < cfg->n_hidden; l++)
		if (cfg->hidden[l] == 0)
			return lrs_error_set(LRS_EINVALID, "mlp: hidden layer %zu has width 0", l + 1);

	m->cfg = *cfg;
	m->n_layers = cfg->n_hidden + 1;
	m->max_batch = max_batch;
	for (size_t l = 0; l < m->n_layers; l++) {
		size_t act_floats;

		m->in[l] = l == 0 ? cfg->inputs : cfg->hidden[l - 1];
		m->out[l] = l == cfg->n_hidden ? cfg->outputs : cfg->hidden[l];
		widest = m->out[l] > widest ? m->out[l] : widest;
		if (m->in[l] == SIZE_MAX || !mul_add(&n_params, m->out[l], m->in[l] + 1, n_params) ||
		    !mul_add(&act_floats, max_batch, m->out[l], ALIGN_FLOATS) ||
		    !mul_add(&work, 1, act_floats / ALIGN_FLOATS * ALIGN_FLOATS, work))
			goto too_big;
	}
	/* dcur and dnext, each (max_batch, widest); b*n + ALIGN rounded down
	 * is at least round_up(b*n), what build carves, and cannot overflow */
	if (!mul_add(&widest, max_batch, widest, ALIGN_FLOATS) ||
	    !mul_add(&work, 2, widest / ALIGN_FLOATS * ALIGN_FLOATS, work))
		goto too_big;
	/* params and grads: 2 n_params floats; work: `work` floats */
	if (n_params > SIZE_MAX / 2 / sizeof(float) || work > SIZE_MAX / sizeof(float) ||
	    2 * n_params * sizeof(float) > SIZE_MAX - work * sizeof(float))
		goto too_big;
	m->n_params = n_params;
	*work_floats = work;
	return 0;

too_big:
	return lrs_error_set(LRS_ENOMEM, "mlp: needs more than %zu bytes", (size_t)SIZE_MAX);
}

int lrs_mlp_build(lrs_mlp **out, const lrs_mlp_config *cfg, size_t max_batch)
{
	lrs_mlp *m = NULL;
	size_t work_floats = 0, bytes = 0;  /* bytes: of params + grads + work */
	size_t widest = 0;                  /* the largest out[l]              */
	float *p, *a;                       /* next free float of each block   */
	void *block;
	int rc;

	*out = NULL;
	if ((rc = lrs_blas_init()) < 0)
		return rc;
	if (!(m = calloc(1, sizeof *m)))
		return lrs_error_set(LRS_ENOMEM, "mlp: needs %zu bytes", sizeof *m);
	if ((rc = plan(m, cfg, max_batch, &work_floats)) < 0)
		goto fail;
	bytes = (2 * m->n_params + work_floats) * sizeof(float);

	if (posix_memalign(&block, 64, 2 * m->n_params * sizeof(float)) != 0)
		goto no_memory;
	m->params = block;
	if (posix_memalign(&block, 64, work_floats * sizeof(float)) != 0)
		goto no_memory;
	m->work = block;
	memset(m->params, 0, 2 * m->n_params * sizeof(float));
	memset(m->work, 0, work_floats * sizeof(float));

	/* carve params and grads (same layout), then the activations */
	m->grads = m->params + m->n_params;
	p = m->params;
	a = m->work;
	for (size_t l = 0; l < m->n_layers; l++) {
		m->W[l] = p;
		m->dW[l] = p + m->n_params;
		p += m->out[l] * m->in[l];
		m->b[l] = p;
		m->db[l] = p + m->n_params;
		p += m->out[l];
		m->act[l] = a;
		a += round_up(max_batch * m->out[l]);
		widest = m->out[l] > widest ? m->out[l] : widest;
	}
	m->dcur = a;
	m->dnext = a + round_up(max_batch * widest);
	assert(p == m->params + m->n_params);
	assert(m->dnext + round_up(max_batch * widest) <= m->work + work_floats);
	*out = m;
	return 0;

no_memory:
	rc = lrs_error_set(LRS_ENOMEM, "mlp: needs %zu bytes", bytes);
fail:
	lrs_mlp_free(m);
	return rc;
}

void lrs_mlp_init(lrs_mlp *m, lrs_rng *rng)
{
	for (size_t l = 0; l < m->n_layers; l++) {
		size_t in = m->in[l], out = m->out[l], n = in * out;
		float *w = m->W[l];   /* (out, in) */

		if (m->cfg.init == LRS_INIT_HE) {
			double std = sqrt(2.0 / (double)in);
			for (size_t i = 0; i < n; i++)
				w[i] = (float)(std * lrs_rng_normal(rng));
		} else {
			double bound = sqrt(6.0 / (double)(in + out));
			for (size_t i = 0; i < n; i++)
				w[i] = (float)(bound * (2.0 * lrs_rng_uniform(rng) - 1.0));
		}
		memset(m->b[l], 0, out * sizeof(float));
	}
}

double lrs_mlp_forward(lrs_mlp *m, const float *x, const int32_t *y, size_t B)
{
	const float *inp = x;   /* (B, in[l]): the current layer's input */
	size_t last = m->n_layers - 1;

	assert(B >= 1 && B <= m->max_batch);
	for (size_t l = 0; l < last; l++) {
		linear_forward(m->act[l], inp, m->W[l], B, m->in[l], m->out[l]);
		bias_act_forward(m->act[l], m->b[l], m->cfg.activation, B, m->out[l]);
		inp = m->act[l];
	}
	linear_forward(m->act[last], inp, m->W[last], B, m->in[last], m->out[last]);
	return softmax_xent_forward(m->act[last], m->b[last], y, B, m->out[last]);
}

size_t lrs_mlp_correct(const lrs_mlp *m, const int32_t *y, size_t B)
{
	size_t V = m->cfg.outputs, hits = 0;
	const float *probs = m->act[m->n_layers - 1];   /* (B, V) */

	assert(B <= m->max_batch);
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

void lrs_mlp_zero_grad(lrs_mlp *m)
{
	memset(m->grads, 0, m->n_params * sizeof(float));
}

void lrs_mlp_backward(lrs_mlp *m, const float *x, const int32_t *y, size_t B)
{
	float *dout = m->dcur, *dinp = m->dnext;   /* (B, out[l]), (B, in[l]) */
	size_t last = m->n_layers - 1;

	assert(B >= 1 && B <= m->max_batch);
	softmax_xent_backward(dout, m->act[last], y, B, m->out[last]);
	for (size_t l = last + 1; l-- > 0;) {
		const float *inp = l > 0 ? m->act[l - 1] : x;   /* (B, in[l]) */

		/* the input gradient of the first layer is not needed */
		linear_backward(l > 0 ? dinp : NULL, m->dW[l], m->db[l], dout, inp, m->W[l],
		                B, m->in[l], m->out[l]);
		if (l > 0) {
			float *t = dout;
			act_backward(dinp, m->act[l - 1], m->cfg.activation, B * m->in[l]);
			dout = dinp;
			dinp = t;
		}
	}
}

void lrs_mlp_free(lrs_mlp *m)
{
	if (!m)
		return;
	free(m->params);
	free(m->work);
	free(m);
}
