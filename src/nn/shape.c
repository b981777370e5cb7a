/* shape.c - what a layer stack computes before anything is built: each
 * layer's output shape and parameter count, with PyTorch's arithmetic, and
 * the first layer that does not fit its input.
 *
 * conv:  out = (in + 2 padding - kernel) / stride + 1          (floor)
 * pools: the same, rounded up with ceil, except that a last window
 *        starting in the right padding is dropped (PyTorch's ceil_mode);
 *        padding may be at most half the kernel, as PyTorch requires. */
#include <stdint.h>

#include "lrsweep/error.h"
#include "lrsweep/net.h"

const char *lrs_layer_name(lrs_layer_type type)
{
	static const char *const names[] = {
		[LRS_LAYER_LINEAR] = "linear", [LRS_LAYER_CONV] = "conv",
		[LRS_LAYER_MAXPOOL] = "maxpool", [LRS_LAYER_AVGPOOL] = "avgpool",
		[LRS_LAYER_RELU] = "relu", [LRS_LAYER_TANH] = "tanh",
		[LRS_LAYER_SIGMOID] = "sigmoid", [LRS_LAYER_DROPOUT] = "dropout",
		[LRS_LAYER_BATCHNORM] = "batchnorm",
	};

	return (unsigned)type < sizeof names / sizeof names[0] ? names[type] : "?";
}

_Static_assert(2 * LRS_MLP_MAX_HIDDEN + 1 <= LRS_NET_MAX_LAYERS, "an MLP fits a stack");

int lrs_net_from_mlp(lrs_net_config *cfg, const lrs_mlp_config *m)
{
	static const lrs_layer_type act[] = {
		[LRS_ACT_RELU] = LRS_LAYER_RELU, [LRS_ACT_TANH] = LRS_LAYER_TANH,
		[LRS_ACT_SIGMOID] = LRS_LAYER_SIGMOID,
	};
	size_t n = 0;

	*cfg = (lrs_net_config){ .channels = m->inputs, .height = 1, .width = 1,
	                         .outputs = m->outputs, .init = m->init };
	if (m->n_hidden > LRS_MLP_MAX_HIDDEN)
		return lrs_error_set(LRS_EINVALID, "mlp: %zu hidden layers, at most %d", m->n_hidden,
		                     LRS_MLP_MAX_HIDDEN);
	if ((unsigned)m->activation > LRS_ACT_SIGMOID || (unsigned)m->init > LRS_INIT_XAVIER)
		return lrs_error_set(LRS_EINVALID, "mlp: unknown activation or init");
	for (size_t l = 0; l < m->n_hidden; l++) {
		cfg->layer[n++] = (lrs_layer){ .type = LRS_LAYER_LINEAR, .size = m->hidden[l] };
		cfg->layer[n++] = (lrs_layer){ .type = act[m->activation] };
	}
	cfg->layer[n++] = (lrs_layer){ .type = LRS_LAYER_LINEAR, .size = 0 };
	cfg->n_layers = n;
	return 0;
}

/* a * b, or SIZE_MAX when that overflows. */
static size_t mul(size_t a, size_t b)
{
	return b != 0 && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

/* One spatial dimension of a conv or pool: 0 with *out set, or -1 when
 * the kernel does not fit (the message is the caller's). */
static int window(size_t *out, size_t in, size_t kernel, size_t stride, size_t padding,
                  int ceil_mode)
{
	size_t span = in + 2 * padding, n;

	if (kernel > span)
		return -1;
	n = (span - kernel) / stride;
	if (ceil_mode && (span - kernel) % stride != 0) {
		n++;
		/* PyTorch: the last window must start inside the input or the
		 * left padding */
		if (n * stride >= in + padding)
			n--;
	}
	*out = n + 1;
	return 0;
}

/* Layer `l` applied to a (c, h, w) input: its shape into *s. */
static int layer_shape(const lrs_net_config *cfg, size_t l, size_t c, size_t h, size_t w,
                       lrs_layer_shape *s)
{
	const lrs_layer *L = &cfg->layer[l];
	const char *name = lrs_layer_name(L->type);
	int last = l + 1 == cfg->n_layers;
	size_t in = mul(mul(c, h), w);

	*s = (lrs_layer_shape){ .c = c, .h = h, .w = w, .params = 0 };
	switch (L->type) {
	case LRS_LAYER_LINEAR: {
		size_t out = L->size ? L->size : last ? cfg->outputs : 0;

		if (out == 0)
			return lrs_error_set(LRS_EINVALID, "linear: needs a width of at least 1");
		if (last && out != cfg->outputs)
			return lrs_error_set(LRS_EINVALID,
			                     "linear: the last layer has %zu outputs, the data %zu classes",
			                     out, cfg->outputs);
		*s = (lrs_layer_shape){ .c = out, .h = 1, .w = 1,
		                        .params = mul(out, in) == SIZE_MAX ? SIZE_MAX : out * in + out };
		return 0;
	}
	case LRS_LAYER_CONV:
	case LRS_LAYER_MAXPOOL:
	case LRS_LAYER_AVGPOOL: {
		int conv = L->type == LRS_LAYER_CONV;
		size_t k = conv ? L->kernel : L->size, oc = conv ? L->size : c;

		if (k == 0 || L->stride == 0 || oc == 0)
			return lrs_error_set(LRS_EINVALID, "%s: %s must be at least 1", name,
			                     k == 0 ? "kernel" : L->stride == 0 ? "stride" : "the channel count");
		if (!conv && 2 * L->padding > k)
			return lrs_error_set(LRS_EINVALID,
			                     "%s: padding %zu is more than half the kernel %zu", name,
			                     L->padding, k);
		if (window(&s->h, h, k, L->stride, L->padding, !conv && L->ceil) < 0 ||
		    window(&s->w, w, k, L->stride, L->padding, !conv && L->ceil) < 0)
			return lrs_error_set(LRS_EINVALID,
			                     "%s: kernel %zu is larger than the %zux%zu input (padding %zu)",
			                     name, k, h, w, L->padding);
		s->c = oc;
		if (conv)
			s->params = mul(mul(mul(oc, c), k), k) == SIZE_MAX ? SIZE_MAX
			            : oc * c * k * k + oc;
		return 0;
	}
	case LRS_LAYER_DROPOUT:
		if (!(L->p >= 0.0 && L->p < 1.0))
			return lrs_error_set(LRS_EINVALID, "dropout: p must be in [0, 1)");
		return 0;
	case LRS_LAYER_BATCHNORM:
		if (!(L->eps > 0.0) || !(L->momentum >= 0.0 && L->momentum <= 1.0))
			return lrs_error_set(LRS_EINVALID,
			                     "batchnorm: eps must be above 0, momentum in [0, 1]");
		s->params = 2 * c;
		return 0;
	case LRS_LAYER_RELU:
	case LRS_LAYER_TANH:
	case LRS_LAYER_SIGMOID:
		return 0;
	}
	return lrs_error_set(LRS_EINVALID, "unknown layer type %d", (int)L->type);
}

int lrs_net_shapes(const lrs_net_config *cfg, lrs_layer_shape *shape, size_t *bad)
{
	size_t c = cfg->channels, h = cfg->height, w = cfg->width;
	int rc;

	*bad = cfg->n_layers;
	if (cfg->n_layers == 0 || cfg->n_layers > LRS_NET_MAX_LAYERS)
		return lrs_error_set(LRS_EINVALID, "layers: between 1 and %d layers, not %zu",
		                     LRS_NET_MAX_LAYERS, cfg->n_layers);
	if (c == 0 || h == 0 || w == 0 || cfg->outputs == 0)
		return lrs_error_set(LRS_EINVALID, "the input (%zu, %zu, %zu) and classes (%zu) must be at least 1",
		                     c, h, w, cfg->outputs);
	for (size_t l = 0; l < cfg->n_layers; l++) {
		if ((rc = layer_shape(cfg, l, c, h, w, &shape[l])) < 0 ||
		    (l + 1 == cfg->n_layers && cfg->layer[l].type != LRS_LAYER_LINEAR &&
		     (rc = lrs_error_set(LRS_EINVALID, "%s: the last layer must be a linear of %zu outputs",
		                         lrs_layer_name(cfg->layer[l].type), cfg->outputs)) < 0)) {
			*bad = l;
			return rc;
		}
		c = shape[l].c, h = shape[l].h, w = shape[l].w;
		if (shape[l].params == SIZE_MAX || mul(mul(c, h), w) == SIZE_MAX) {
			*bad = l;
			return lrs_error_set(LRS_EINVALID, "%s: sizes overflow",
			                     lrs_layer_name(cfg->layer[l].type));
		}
	}
	return 0;
}
