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
 * The kernels are linear.c's. Everything is allocated by build: a training
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
#include "internal.h"

#define ALIGN_FLOATS 16   /* 64-byte alignment of each activation buffer */

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
		lrs_linear_forward(m->act[l], inp, m->W[l], B, m->in[l], m->out[l]);
		lrs_bias_act_forward(m->act[l], m->b[l], m->cfg.activation, B, m->out[l]);
		inp = m->act[l];
	}
	lrs_linear_forward(m->act[last], inp, m->W[last], B, m->in[last], m->out[last]);
	return lrs_softmax_xent_forward(m->act[last], m->b[last], y, B, m->out[last]);
}

size_t lrs_mlp_correct(const lrs_mlp *m, const int32_t *y, size_t B)
{
	assert(B <= m->max_batch);
	return lrs_softmax_correct(m->act[m->n_layers - 1], y, B, m->cfg.outputs);
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
	lrs_softmax_xent_backward(dout, m->act[last], y, B, m->out[last]);
	for (size_t l = last + 1; l-- > 0;) {
		const float *inp = l > 0 ? m->act[l - 1] : x;   /* (B, in[l]) */

		/* the input gradient of the first layer is not needed */
		lrs_linear_backward(l > 0 ? dinp : NULL, m->dW[l], m->db[l], dout, inp, m->W[l],
		                B, m->in[l], m->out[l]);
		if (l > 0) {
			float *t = dout;
			lrs_act_backward(dinp, m->act[l - 1], m->cfg.activation, B * m->in[l]);
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
