/* net.c - a layer stack (net.h): build, init, forward, zero_grad,
 * backward, free.
 *
 * Parameter layout (also that of grads): the layers in order, each with
 * parameters storing its weight then its bias (batchnorm: scale then
 * shift), as PyTorch's model.parameters() lists them; no padding, so
 * optimizers run one flat loop. An MLP's layout is nn.h's.
 *
 * Activations: act[l] is layer l's output, B samples of c*h*w. Linear
 * layers write (B, features); conv and pools write channel-major maps
 * (C, B, H, W), so that one sgemm covers many samples and its result needs
 * no copy; element-wise layers keep their input's layout; a linear layer
 * after a channel-major map first copies it to PyTorch's flatten order.
 * An activation works in place on its input's buffer (its backward needs
 * only its output) unless that input is another activation's output; so a
 * layer must not rely on its own output after the next layer ran, and
 * what its backward needs beyond its input it keeps aside (pooling
 * winners, dropout masks, batch statistics). Backward passes the loss
 * gradient down through two scratch buffers, dcur and dnext, each as wide
 * as the widest layer, and stops at the first layer with parameters.
 *
 * A linear layer followed by an activation, and a conv or pool followed
 * by a relu, apply it in their own output loop; the arithmetic is that of
 * two passes. */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/blas.h"
#include "lrsweep/error.h"
#include "lrsweep/net.h"
#include "internal.h"

#define ALIGN_FLOATS 16       /* 64-byte alignment of each buffer          */
#define COLS_FLOATS  (1 << 17) /* a conv chunk's columns: 512 KiB, in L2    */
#define POOL_FLOATS  (1 << 17) /* a pooled conv chunk's output: the same    */

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

/* Layer l's input shape: the net's input or layer l-1's output. */
static lrs_layer_shape input_shape(const lrs_net_config *cfg, const lrs_layer_shape *shape, size_t l)
{
	return l == 0 ? (lrs_layer_shape){ .c = cfg->channels, .h = cfg->height, .w = cfg->width }
	              : shape[l - 1];
}

/* The input features of layer l. */
static size_t in_features(const lrs_net *n, size_t l)
{
	lrs_layer_shape s = input_shape(&n->cfg, n->shape, l);

	return features(&s);
}

/* Whether layer l writes into its input's buffer. */
static int in_place(const lrs_net_config *cfg, size_t l)
{
	return l > 0 && is_activation(cfg->layer[l].type) && !is_activation(cfg->layer[l - 1].type);
}

/* Whether layer l's forward also applies layer l+1. */
static int fuses_next(const lrs_net_config *cfg, size_t l)
{
	lrs_layer_type t = cfg->layer[l].type;

	if (l + 1 >= cfg->n_layers || !is_activation(cfg->layer[l + 1].type))
		return 0;
	if (t == LRS_LAYER_LINEAR)
		return 1;
	return cfg->layer[l + 1].type == LRS_LAYER_RELU &&
	       (t == LRS_LAYER_CONV || t == LRS_LAYER_MAXPOOL || t == LRS_LAYER_AVGPOOL);
}

/* Whether layer l writes a channel-major map, given its input's layout. */
static int writes_cnhw(lrs_layer_type t, int in_cnhw)
{
	if (t == LRS_LAYER_CONV || t == LRS_LAYER_MAXPOOL || t == LRS_LAYER_AVGPOOL)
		return 1;
	return t == LRS_LAYER_LINEAR ? 0 : in_cnhw;
}

/* The window of conv or pool layer l. */
static lrs_window window_of(const lrs_net_config *cfg, const lrs_layer_shape *shape, size_t l)
{
	const lrs_layer *L = &cfg->layer[l];
	lrs_layer_shape in = input_shape(cfg, shape, l);

	return (lrs_window){ .C = in.c, .H = in.h, .W = in.w, .OC = shape[l].c, .OH = shape[l].h,
	                     .OW = shape[l].w, .k = L->type == LRS_LAYER_CONV ? L->kernel : L->size,
	                     .stride = L->stride, .pad = L->padding };
}

/* ------------------------------------------------------ memory plan */

/* Floats of work (and running) that layer l needs beyond its output, with
 * its chunk; *cols raised to its columns. */
static size_t layer_scratch(const lrs_net_config *cfg, const lrs_layer_shape *shape, size_t l,
                            int in_cnhw, size_t max_batch, size_t *chunk, size_t *cols,
                            size_t *running)
{
	lrs_layer_shape in = input_shape(cfg, shape, l);
	size_t f = features(&shape[l]), B = max_batch;

	switch (cfg->layer[l].type) {
	case LRS_LAYER_CONV: {
		lrs_window g = window_of(cfg, shape, l);
		size_t per = lrs_conv_cols_per_sample(&g);

		size_t need;

		*chunk = per >= COLS_FLOATS ? 1 : COLS_FLOATS / per < B ? COLS_FLOATS / per : B;
		need = lrs_conv_scratch(&g, lrs_map_layout_of(in_cnhw, B, in.c, in.h * in.w), B, *chunk);
		*cols = need > *cols ? need : *cols;
		return 0;
	}
	case LRS_LAYER_LINEAR:
		return in_cnhw ? round_up(B * features(&in)) : 0;
	case LRS_LAYER_MAXPOOL:
	case LRS_LAYER_DROPOUT:
		return round_up(B * f);   /* winners (int32) or mask */
	case LRS_LAYER_BATCHNORM:
		*running += 2 * in.c;
		return 2 * round_up(in.c);
	default:
		return 0;
	}
}

/* The floats of work and running a net needs, and n_params; shapes
 * filled. 0 or an error with the message set (the layer named). */
static int plan(const lrs_net_config *cfg, size_t max_batch, lrs_layer_shape *shape,
                size_t *n_params, size_t *work_floats, size_t *running)
{
	size_t bad, widest = cfg->channels * cfg->height * cfg->width, params = 0, work = 0;
	size_t cols = 0, chunk = 0;
	int rc, cnhw = 0;

	if (max_batch == 0)
		return lrs_error_set(LRS_EINVALID, "net: max_batch must be at least 1");
	if ((rc = lrs_net_shapes(cfg, shape, &bad)) < 0) {
		if (bad < cfg->n_layers)
			return lrs_error_set(rc, "layer %zu: %s", bad + 1, lrs_error_last());
		return rc;
	}
	*running = 0;
	for (size_t l = 0; l < cfg->n_layers; l++) {
		size_t f = features(&shape[l]);

		if (f > SIZE_MAX / 8 / max_batch || params > SIZE_MAX / 4 - shape[l].params ||
		    work > SIZE_MAX / 16)
			return lrs_error_set(LRS_ENOMEM, "net: needs more than %zu bytes", (size_t)SIZE_MAX);
		params += shape[l].params;
		widest = f > widest ? f : widest;
		work += layer_scratch(cfg, shape, l, cnhw, max_batch, &chunk, &cols, running);
		if (!in_place(cfg, l))
			work += round_up(max_batch * f);
		cnhw = writes_cnhw(cfg->layer[l].type, cnhw);
	}
	if (widest > SIZE_MAX / 8 / max_batch || work > SIZE_MAX / 16 || cols > SIZE_MAX / 16)
		return lrs_error_set(LRS_ENOMEM, "net: needs more than %zu bytes", (size_t)SIZE_MAX);
	*n_params = params;
	*work_floats = work + 2 * round_up(max_batch * widest) + round_up(cols);
	return 0;
}

int lrs_net_bytes(const lrs_net_config *cfg, size_t max_batch, double *bytes)
{
	lrs_layer_shape shape[LRS_NET_MAX_LAYERS];
	size_t n_params = 0, work = 0, running = 0;
	int rc;

	if ((rc = plan(cfg, max_batch, shape, &n_params, &work, &running)) < 0)
		return rc;
	*bytes = ((double)n_params * 2.0 + (double)work + (double)running + 3.0) * sizeof(float) +
	         sizeof(lrs_net);
	return 0;
}

/* The samples at a time of conv layer l's forward run together with the
 * max pooling right after it (see lrs_net_layer.pooled), or 0. Only
 * where the conv goes through the direct kernels (one input channel, as
 * the CLR net's first conv) and nothing after the pooling's forward reads
 * the conv's output: max pooling's backward needs only its winners. Then
 * the conv's output, a chunk of samples at a time, stays in cache for the
 * pooling instead of going through memory and back (on the CLR net, 10
 * MB a step). */
static size_t pool_chunk(const lrs_net *n, size_t l)
{
	const lrs_net_config *cfg = &n->cfg;
	lrs_window g;
	size_t per;

	if (cfg->layer[l].type != LRS_LAYER_CONV || l + 1 >= cfg->n_layers ||
	    cfg->layer[l + 1].type != LRS_LAYER_MAXPOOL)
		return 0;
	g = window_of(cfg, n->shape, l);
	if (!lrs_conv_direct_ok(&g))
		return 0;
	per = features(&n->shape[l]);
	return per >= POOL_FLOATS ? 1 : POOL_FLOATS / per;
}

/* Points layer l's parameters, output and scratch into the blocks,
 * advancing *p (params), *a (work) and *r (running). */
static void carve_layer(lrs_net *n, size_t l, int in_cnhw, float **p, float **a, float **r)
{
	lrs_net_layer *x = &n->aux[l];
	lrs_layer_shape in = input_shape(&n->cfg, n->shape, l);
	size_t cols = 0, scratch = layer_scratch(&n->cfg, n->shape, l, in_cnhw, n->max_batch,
	                                         &x->chunk, &cols, &(size_t){ 0 });
	lrs_layer_type t = n->cfg.layer[l].type;

	if (n->shape[l].params) {
		size_t nb = t == LRS_LAYER_BATCHNORM ? in.c : n->shape[l].c;   /* biases */

		n->W[l] = *p, n->dW[l] = *p + n->n_params;
		*p += n->shape[l].params - nb;
		n->b[l] = *p, n->db[l] = *p + n->n_params;
		*p += nb;
	}
	x->cnhw = writes_cnhw(t, in_cnhw);
	x->fused = fuses_next(&n->cfg, l);
	x->pooled = pool_chunk(n, l);
	if (t == LRS_LAYER_LINEAR && scratch)
		x->flat = *a;
	else if (t == LRS_LAYER_MAXPOOL)
		x->argmax = (int32_t *)(void *)*a;
	else if (t == LRS_LAYER_DROPOUT)
		x->mask = *a;
	else if (t == LRS_LAYER_BATCHNORM) {
		x->mean = *a, x->invstd = *a + round_up(in.c);
		x->rmean = *r, x->rvar = *r + in.c;
		*r += 2 * in.c;
	}
	*a += scratch;
	if (in_place(&n->cfg, l)) {
		n->act[l] = n->act[l - 1];
	} else {
		n->act[l] = *a;
		*a += round_up(n->max_batch * features(&n->shape[l]));
	}
}

/* Points every layer's buffers into the blocks, then the shared scratch. */
static void carve(lrs_net *n, size_t work_floats)
{
	float *p = n->params, *a = n->work, *r = n->running;
	size_t widest = n->cfg.channels * n->cfg.height * n->cfg.width;
	int cnhw = 0;

	n->first_param = n->cfg.n_layers;
	for (size_t l = 0; l < n->cfg.n_layers; l++) {
		size_t f = features(&n->shape[l]);

		carve_layer(n, l, cnhw, &p, &a, &r);
		cnhw = n->aux[l].cnhw;
		widest = f > widest ? f : widest;
		if (n->shape[l].params && n->first_param == n->cfg.n_layers)
			n->first_param = l;
	}
	n->dcur = a;
	n->dnext = a + round_up(n->max_batch * widest);
	n->cols = n->dnext + round_up(n->max_batch * widest);
	assert(p == n->params + n->n_params);
	assert(r == n->running + n->n_running);
	assert(n->cols <= n->work + work_floats);
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
	if ((rc = plan(cfg, max_batch, n->shape, &n->n_params, &work_floats, &n->n_running)) < 0)
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
	if (!(n->running = calloc(n->n_running + 1, sizeof(float))))
		goto no_memory;
	memset(n->params, 0, 2 * n->n_params * sizeof(float));
	memset(n->work, 0, work_floats * sizeof(float));
	carve(n, work_floats);
	*out = n;
	return 0;

no_memory:
	rc = lrs_error_set(LRS_ENOMEM, "net: needs %.0f bytes",
	                   ((double)n->n_params * 2.0 + (double)work_floats + (double)n->n_running) *
	                   sizeof(float));
fail:
	lrs_net_free(n);
	return rc;
}

/* ------------------------------------------------------ init */

/* Fills w (count floats) with uniform draws in [-bound, bound]. */
static void uniform(float *w, size_t count, double bound, lrs_rng *rng)
{
	for (size_t i = 0; i < count; i++)
		w[i] = (float)(bound * (2.0 * lrs_rng_uniform(rng) - 1.0));
}

/* A linear or conv layer's weight (count floats) and bias (out floats). */
static void init_weights(lrs_net *n, size_t l, size_t count, size_t out, double fan_in,
                         double fan_out, lrs_rng *rng)
{
	if (n->cfg.torch_init) {
		uniform(n->W[l], count, 1.0 / sqrt(fan_in), rng);
		uniform(n->b[l], out, 1.0 / sqrt(fan_in), rng);
		return;
	}
	if (n->cfg.init == LRS_INIT_HE) {
		double std = sqrt(2.0 / fan_in);
		for (size_t i = 0; i < count; i++)
			n->W[l][i] = (float)(std * lrs_rng_normal(rng));
	} else {
		uniform(n->W[l], count, sqrt(6.0 / (fan_in + fan_out)), rng);
	}
	memset(n->b[l], 0, out * sizeof(float));
}

void lrs_net_init(lrs_net *n, lrs_rng *rng)
{
	int dropout = 0;

	for (size_t l = 0; l < n->cfg.n_layers; l++) {
		const lrs_layer *L = &n->cfg.layer[l];
		size_t in = in_features(n, l), out = n->shape[l].c;

		if (L->type == LRS_LAYER_LINEAR) {
			init_weights(n, l, in * out, out, (double)in, (double)out, rng);
		} else if (L->type == LRS_LAYER_CONV) {
			lrs_window g = window_of(&n->cfg, n->shape, l);
			size_t kk = g.k * g.k;

			init_weights(n, l, g.OC * g.C * kk, g.OC, (double)(g.C * kk), (double)(g.OC * kk), rng);
		} else if (L->type == LRS_LAYER_BATCHNORM) {
			for (size_t c = 0; c < n->shape[l].c; c++) {
				n->W[l][c] = 1.0f, n->b[l][c] = 0.0f;
				n->aux[l].rmean[c] = 0.0f, n->aux[l].rvar[c] = 1.0f;
			}
		}
		dropout |= L->type == LRS_LAYER_DROPOUT;
	}
	if (dropout)
		lrs_rng_seed(&n->drop, lrs_rng_next(rng));
}

/* ------------------------------------------------------ forward */

/* The layout of layer l's input for a batch of B. */
static lrs_map_layout input_layout(const lrs_net *n, size_t l, size_t B)
{
	lrs_layer_shape in = input_shape(&n->cfg, n->shape, l);

	return lrs_map_layout_of(l > 0 && n->aux[l - 1].cnhw, B, in.c, in.h * in.w);
}

/* Layer l's input as a linear layer reads it: (B, features). */
static const float *flat_input(lrs_net *n, size_t l, const float *inp, size_t B)
{
	lrs_layer_shape in = input_shape(&n->cfg, n->shape, l);

	if (!n->aux[l].flat)
		return inp;
	lrs_cnhw_to_nchw(n->aux[l].flat, inp, B, in.c, in.h * in.w);
	return n->aux[l].flat;
}

/* Layer l (other than the last) forward on inp; its output into act[l]. */
static void forward_layer(lrs_net *n, size_t l, const float *inp, size_t B, int training)
{
	const lrs_layer *L = &n->cfg.layer[l];
	lrs_net_layer *x = &n->aux[l];
	lrs_window g;
	size_t f = features(&n->shape[l]);
	lrs_map_layout in = input_layout(n, l, B);

	if (L->type == LRS_LAYER_CONV || L->type == LRS_LAYER_MAXPOOL || L->type == LRS_LAYER_AVGPOOL)
		g = window_of(&n->cfg, n->shape, l);
	switch (L->type) {
	case LRS_LAYER_LINEAR:
		lrs_linear_forward(n->act[l], flat_input(n, l, inp, B), n->W[l], B, in_features(n, l), f);
		if (x->fused)
			lrs_bias_act_forward(n->act[l], n->b[l], activation_of(n->cfg.layer[l + 1].type), B, f);
		else
			lrs_bias_forward(n->act[l], n->b[l], B, f);
		break;
	case LRS_LAYER_CONV:
		lrs_conv_forward(n->act[l], inp, in, n->W[l], n->b[l], x->fused, n->cols, x->chunk, &g, B);
		break;
	case LRS_LAYER_MAXPOOL:
		lrs_maxpool_forward(n->act[l], x->argmax, inp, in, x->fused, &g, B);
		break;
	case LRS_LAYER_AVGPOOL:
		lrs_avgpool_forward(n->act[l], inp, in, x->fused, &g, B);
		break;
	case LRS_LAYER_RELU:
	case LRS_LAYER_TANH:
	case LRS_LAYER_SIGMOID:
		if (inp != n->act[l])
			memcpy(n->act[l], inp, B * f * sizeof(float));
		lrs_act_forward(n->act[l], activation_of(L->type), B * f);
		break;
	case LRS_LAYER_DROPOUT:
		lrs_dropout_forward(n->act[l], x->mask, inp, L->p, &n->drop, training, B * f);
		break;
	case LRS_LAYER_BATCHNORM:
		lrs_batchnorm_forward(n->act[l], x->mean, x->invstd, x->rmean, x->rvar, inp, in, n->W[l],
		                      n->b[l], L->momentum, L->eps, training, B, n->shape[l].c,
		                      n->shape[l].h * n->shape[l].w);
		break;
	}
}

/* Conv layer l and the max pooling after it (and the relu the pooling
 * fuses), n->aux[l].pooled samples at a time: each chunk's conv output
 * into the start of act[l], as (C, nb, H*W), then pooled into act[l+1]. */
static void forward_conv_pool(lrs_net *n, size_t l, const float *inp, size_t B)
{
	lrs_window g = window_of(&n->cfg, n->shape, l), p = window_of(&n->cfg, n->shape, l + 1);
	lrs_map_layout in = input_layout(n, l, B);
	size_t hw = g.OH * g.OW, ohw = p.OH * p.OW, chunk = n->aux[l].pooled;

	for (size_t b0 = 0; b0 < B; b0 += chunk) {
		size_t nb = B - b0 < chunk ? B - b0 : chunk;

		lrs_conv_forward(n->act[l], inp + b0 * in.sstride, in, n->W[l], n->b[l], 0, n->cols,
		                 n->aux[l].chunk, &g, nb);
		lrs_maxpool_forward_part(n->act[l + 1] + b0 * ohw, n->aux[l + 1].argmax + b0 * ohw,
		                         B * ohw, n->act[l], lrs_map_layout_of(1, nb, g.OC, hw),
		                         n->aux[l + 1].fused, &p, nb);
	}
}

double lrs_net_forward(lrs_net *n, const float *x, const int32_t *y, size_t B, int training)
{
	size_t last = n->cfg.n_layers - 1;

	assert(B >= 1 && B <= n->max_batch);
	n->training = training;
	for (size_t l = 0; l < last; l++) {
		if (n->aux[l].pooled) {
			forward_conv_pool(n, l, l == 0 ? x : n->act[l - 1], B);
			l += 1 + n->aux[l + 1].fused;   /* the pooling and its relu are done */
			continue;
		}
		forward_layer(n, l, l == 0 ? x : n->act[l - 1], B, training);
		l += n->aux[l].fused;   /* the activation is done, in place */
	}
	assert(n->cfg.layer[last].type == LRS_LAYER_LINEAR);
	lrs_linear_forward(n->act[last], flat_input(n, last, last == 0 ? x : n->act[last - 1], B),
	                   n->W[last], B, in_features(n, last), n->shape[last].c);
	return lrs_softmax_xent_forward(n->act[last], n->b[last], y, B, n->shape[last].c);
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

/* ------------------------------------------------------ backward */

/* Layer l's backward: *dout (the gradient of its output) to its input's
 * gradient, in *dout again (the two buffers swap when it lands in the
 * other); none when l is the first layer with parameters. */
static void backward_layer(lrs_net *n, size_t l, const float *x, size_t B, float **dout,
                           float **dinp)
{
	const lrs_layer *L = &n->cfg.layer[l];
	lrs_net_layer *a = &n->aux[l];
	const float *inp = l > 0 ? n->act[l - 1] : x;
	lrs_layer_shape in = input_shape(&n->cfg, n->shape, l);
	lrs_map_layout lay = input_layout(n, l, B);
	float *d = l > n->first_param ? *dinp : NULL, *swap = *dout;
	lrs_window g;

	if (L->type == LRS_LAYER_CONV || L->type == LRS_LAYER_MAXPOOL || L->type == LRS_LAYER_AVGPOOL)
		g = window_of(&n->cfg, n->shape, l);
	switch (L->type) {
	case LRS_LAYER_LINEAR:
		lrs_linear_backward(d, n->dW[l], n->db[l], *dout, a->flat ? a->flat : inp, n->W[l], B,
		                    in_features(n, l), n->shape[l].c);
		if (d && a->flat) {   /* back to the map's channel-major layout */
			lrs_nchw_to_cnhw(*dout, d, B, in.c, in.h * in.w);
			return;
		}
		break;
	case LRS_LAYER_CONV:
		lrs_conv_backward(d, n->dW[l], n->db[l], *dout, inp, lay, n->W[l], n->cols, a->chunk, &g, B);
		break;
	case LRS_LAYER_MAXPOOL:
		if (d)
			lrs_maxpool_backward(d, *dout, a->argmax, lay, &g, B);
		break;
	case LRS_LAYER_AVGPOOL:
		if (d)
			lrs_avgpool_backward(d, *dout, lay, &g, B);
		break;
	case LRS_LAYER_RELU:
	case LRS_LAYER_TANH:
	case LRS_LAYER_SIGMOID:
		lrs_act_backward(*dout, n->act[l], activation_of(L->type), B * features(&n->shape[l]));
		return;
	case LRS_LAYER_DROPOUT:
		lrs_dropout_backward(*dout, a->mask, B * features(&n->shape[l]));
		return;
	case LRS_LAYER_BATCHNORM:
		lrs_batchnorm_backward(*dout, n->dW[l], n->db[l], *dout, inp, lay, a->mean, a->invstd,
		                       n->W[l], B, in.c, in.h * in.w);
		return;
	}
	*dout = *dinp;
	*dinp = swap;
}

void lrs_net_backward(lrs_net *n, const float *x, const int32_t *y, size_t B)
{
	size_t last = n->cfg.n_layers - 1;
	float *dout = n->dcur, *dinp = n->dnext;   /* (B, out), (B, in) */

	assert(B >= 1 && B <= n->max_batch);
	assert(n->training && "backward follows a training forward");
	lrs_softmax_xent_backward(dout, n->act[last], y, B, features(&n->shape[last]));
	for (size_t l = last + 1; l-- > n->first_param;)
		backward_layer(n, l, x, B, &dout, &dinp);
}

void lrs_net_free(lrs_net *n)
{
	if (!n)
		return;
	free(n->params);
	free(n->work);
	free(n->running);
	free(n);
}
