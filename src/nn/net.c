/* net.c - a layer stack (net.h): build, init, forward, zero_grad,
 * backward, free.
 *
 * Parameter layout (also that of grads): the layers in order, each with
 * parameters storing its weight then its bias, as PyTorch's
 * model.parameters() lists them; no padding, so optimizers run one flat
 * loop. An MLP's layout is nn.h's.
 *
 * Activations: act[l] is layer l's output, (B, c*h*w). An activation layer
 * works in place on its input's buffer (its backward needs only its
 * output), so a layer must not rely on its own output after the next layer
 * ran; what its backward needs beyond its input it keeps aside. Backward
 * passes the loss gradient down through two scratch buffers, dcur and
 * dnext, each as wide as the widest layer.
 *
 * A linear layer followed by an activation is one fused row loop after its
 * sgemm; the arithmetic is the same as two passes. */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/blas.h"
#include "lrsweep/error.h"
#include "lrsweep/net.h"
#include "internal.h"

#define ALIGN_FLOATS 16   /* 64-byte alignment of each activation buffer */

static size_t round_up(size_t n) { return (n + ALIGN_FLOATS - 1) / ALIGN_FLOATS * ALIGN_FLOATS; }

static size_t features(const lrs_layer_shape *s) { return s->c * s->h * s->w; }

static int is_activation(lrs_layer_type t)
{
	return t == LRS_LAYER_RELU || t == LRS_LAYER_TANH || t == LRS_LAYER_SIGMOID;
}

static lrs_activation activation_of(lrs_layer_type t)
{
	return t == LRS_LAYER_TANH ? LRS_ACT_TANH : t == LRS_LAYER_SIGMOID ? LRS_ACT_SIGMOID : LRS_ACT_RELU;
}

/* The input features of layer l. */
static size_t in_features(const lrs_net *n, size_t l)
{
	return l == 0 ? n->cfg.channels * n->cfg.height * n->cfg.width : features(&n->shape[l - 1]);
}

/* Whether layer l writes into its input's buffer. */
static int in_place(const lrs_net_config *cfg, size_t l)
{
	return l > 0 && is_activation(cfg->layer[l].type);
}

/* The floats of work a net needs, and n_params; shapes filled. 0 or an
 * error with the message set (the layer named). */
static int plan(const lrs_net_config *cfg, size_t max_batch, lrs_layer_shape *shape,
                size_t *n_params, size_t *work_floats)
{
	size_t bad, widest = cfg->channels * cfg->height * cfg->width, params = 0, work = 0;
	int rc;

	if (max_batch == 0)
		return lrs_error_set(LRS_EINVALID, "net: max_batch must be at least 1");
	if ((rc = lrs_net_shapes(cfg, shape, &bad)) < 0) {
		if (bad < cfg->n_layers)
			return lrs_error_set(rc, "layer %zu: %s", bad + 1, lrs_error_last());
		return rc;
	}
	for (size_t l = 0; l < cfg->n_layers; l++) {
		lrs_layer_type t = cfg->layer[l].type;
		size_t f = features(&shape[l]);

		if (t != LRS_LAYER_LINEAR && !is_activation(t))
			return lrs_error_set(LRS_EINVALID, "layer %zu: %s is not supported by this build",
			                     l + 1, lrs_layer_name(t));
		if (f > SIZE_MAX / 2 / max_batch || params > SIZE_MAX / 4 - shape[l].params)
			return lrs_error_set(LRS_ENOMEM, "net: sizes overflow");
		params += shape[l].params;
		widest = f > widest ? f : widest;
		if (!in_place(cfg, l))
			work += round_up(max_batch * f);
	}
	if (widest > SIZE_MAX / 4 / max_batch || work > SIZE_MAX / 8 - 2 * round_up(max_batch * widest))
		return lrs_error_set(LRS_ENOMEM, "net: sizes overflow");
	*n_params = params;
	*work_floats = work + 2 * round_up(max_batch * widest);
	return 0;
}

int lrs_net_bytes(const lrs_net_config *cfg, size_t max_batch, double *bytes)
{
	lrs_layer_shape shape[LRS_NET_MAX_LAYERS];
	size_t n_params = 0, work = 0;
	int rc;

	if ((rc = plan(cfg, max_batch, shape, &n_params, &work)) < 0)
		return rc;
	*bytes = ((double)n_params * 2.0 + (double)work) * sizeof(float) + sizeof(lrs_net);
	return 0;
}

/* Points W, b, dW, db and act of every layer into the blocks. */
static void carve(lrs_net *n, size_t work_floats)
{
	float *p = n->params, *a = n->work;
	size_t widest = n->cfg.channels * n->cfg.height * n->cfg.width;

	for (size_t l = 0; l < n->cfg.n_layers; l++) {
		const lrs_layer_shape *s = &n->shape[l];
		size_t f = features(s);

		if (n->cfg.layer[l].type == LRS_LAYER_LINEAR) {
			n->W[l] = p, n->dW[l] = p + n->n_params;
			p += f * in_features(n, l);
			n->b[l] = p, n->db[l] = p + n->n_params;
			p += f;
		}
		if (in_place(&n->cfg, l)) {
			n->act[l] = n->act[l - 1];
		} else {
			n->act[l] = a;
			a += round_up(n->max_batch * f);
		}
		widest = f > widest ? f : widest;
	}
	n->dcur = a;
	n->dnext = a + round_up(n->max_batch * widest);
	assert(p == n->params + n->n_params);
	assert(n->dnext + round_up(n->max_batch * widest) <= n->work + work_floats);
	(void)work_floats;
}

int lrs_net_build(lrs_net **out, const lrs_net_config *cfg, size_t max_batch)
{
	lrs_net *n = NULL;
	size_t work_floats = 0;
	void *block;
	int rc;

	*out = NULL;
	if ((rc = lrs_blas_init()) < 0)
		return rc;
	if (!(n = calloc(1, sizeof *n)))
		return lrs_error_set(LRS_ENOMEM, "net: needs %zu bytes", sizeof *n);
	n->cfg = *cfg;
	n->max_batch = max_batch;
	if ((rc = plan(cfg, max_batch, n->shape, &n->n_params, &work_floats)) < 0)
		goto fail;
	/* at least one float each, so an all-activation stack still has
	 * distinct, freeable blocks */
	if (posix_memalign(&block, 64, (2 * n->n_params + 1) * sizeof(float)) != 0)
		goto no_memory;
	n->params = block;
	n->grads = n->params + n->n_params;
	if (posix_memalign(&block, 64, (work_floats + 1) * sizeof(float)) != 0)
		goto no_memory;
	n->work = block;
	memset(n->params, 0, 2 * n->n_params * sizeof(float));
	memset(n->work, 0, work_floats * sizeof(float));
	carve(n, work_floats);
	*out = n;
	return 0;

no_memory:
	rc = lrs_error_set(LRS_ENOMEM, "net: needs %.0f bytes",
	                   ((double)n->n_params * 2.0 + (double)work_floats) * sizeof(float));
fail:
	lrs_net_free(n);
	return rc;
}

/* Fills w (count floats) with uniform draws in [-bound, bound]. */
static void uniform(float *w, size_t count, double bound, lrs_rng *rng)
{
	for (size_t i = 0; i < count; i++)
		w[i] = (float)(bound * (2.0 * lrs_rng_uniform(rng) - 1.0));
}

void lrs_net_init(lrs_net *n, lrs_rng *rng)
{
	for (size_t l = 0; l < n->cfg.n_layers; l++) {
		size_t in = in_features(n, l), out = features(&n->shape[l]), count = in * out;

		if (n->cfg.layer[l].type != LRS_LAYER_LINEAR)
			continue;
		if (n->cfg.torch_init) {
			uniform(n->W[l], count, 1.0 / sqrt((double)in), rng);
			uniform(n->b[l], out, 1.0 / sqrt((double)in), rng);
			continue;
		}
		if (n->cfg.init == LRS_INIT_HE) {
			double std = sqrt(2.0 / (double)in);
			for (size_t i = 0; i < count; i++)
				n->W[l][i] = (float)(std * lrs_rng_normal(rng));
		} else {
			uniform(n->W[l], count, sqrt(6.0 / (double)(in + out)), rng);
		}
		memset(n->b[l], 0, out * sizeof(float));
	}
}

double lrs_net_forward(lrs_net *n, const float *x, const int32_t *y, size_t B, int training)
{
	size_t last = n->cfg.n_layers - 1;

	assert(B >= 1 && B <= n->max_batch);
	n->training = training;
	for (size_t l = 0; l < n->cfg.n_layers; l++) {
		const float *inp = l == 0 ? x : n->act[l - 1];   /* (B, in) */
		lrs_layer_type t = n->cfg.layer[l].type;
		size_t f = features(&n->shape[l]);

		if (t == LRS_LAYER_LINEAR) {
			lrs_linear_forward(n->act[l], inp, n->W[l], B, in_features(n, l), f);
			if (l == last)
				return lrs_softmax_xent_forward(n->act[l], n->b[l], y, B, f);
			if (is_activation(n->cfg.layer[l + 1].type)) {
				lrs_bias_act_forward(n->act[l], n->b[l], activation_of(n->cfg.layer[l + 1].type), B, f);
				l++;   /* the activation is done, in place */
			} else {
				lrs_bias_forward(n->act[l], n->b[l], B, f);
			}
		} else if (is_activation(t)) {
			static const float zero[1] = { 0.0f };

			if (inp != n->act[l])
				memcpy(n->act[l], inp, B * f * sizeof(float));
			/* a zero bias of width 1 over B*f rows of one */
			lrs_bias_act_forward(n->act[l], zero, activation_of(t), B * f, 1);
		}
	}
	assert(!"a net ends in a linear layer");
	return 0.0;
}

size_t lrs_net_correct(const lrs_net *n, const int32_t *y, size_t B)
{
	size_t last = n->cfg.n_layers - 1;

	assert(B <= n->max_batch);
	return lrs_softmax_correct(n->act[last], y, B, features(&n->shape[last]));
}

void lrs_net_zero_grad(lrs_net *n)
{
	memset(n->grads, 0, n->n_params * sizeof(float));
}

void lrs_net_backward(lrs_net *n, const float *x, const int32_t *y, size_t B)
{
	size_t last = n->cfg.n_layers - 1;
	float *dout = n->dcur, *dinp = n->dnext;   /* (B, out), (B, in) */

	assert(B >= 1 && B <= n->max_batch);
	lrs_softmax_xent_backward(dout, n->act[last], y, B, features(&n->shape[last]));
	for (size_t l = last + 1; l-- > 0;) {
		lrs_layer_type t = n->cfg.layer[l].type;
		size_t f = features(&n->shape[l]);

		if (t == LRS_LAYER_LINEAR) {
			const float *inp = l > 0 ? n->act[l - 1] : x;
			float *tmp = dout;

			/* the input gradient of the first layer is not needed */
			lrs_linear_backward(l > 0 ? dinp : NULL, n->dW[l], n->db[l], dout, inp,
			                    n->W[l], B, in_features(n, l), f);
			dout = dinp;
			dinp = tmp;
		} else if (is_activation(t)) {
			lrs_act_backward(dout, n->act[l], activation_of(t), B * f);
		}
	}
}

void lrs_net_free(lrs_net *n)
{
	if (!n)
		return;
	free(n->params);
	free(n->work);
	free(n);
}
