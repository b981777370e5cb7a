/* net.h - the model as a feed-forward layer stack (SPEC §13): linear,
 * conv, max/avg pooling, relu/tanh/sigmoid, dropout and batchnorm, with
 * PyTorch's semantics (NCHW, float32), ending in softmax cross-entropy.
 *
 * An MLP (`hidden:`) is the stack linear, act, linear, act, ..., linear.
 * A sample is a (C, H, W) map stored channel-major, as PyTorch stores a
 * contiguous NCHW tensor; flat data is (features, 1, 1). A linear layer
 * flattens its input implicitly (C*H*W features), as nn.Flatten would.
 *
 * All parameters live in one allocation with the gradients mirroring it,
 * so an optimizer runs one flat loop over n_params floats; activations
 * and scratch (im2col columns, pooling indices, batchnorm statistics) for
 * batches of up to max_batch are allocated at build; a training step
 * allocates nothing; single-threaded and free of globals. */
#ifndef LRSWEEP_NET_H
#define LRSWEEP_NET_H

#include <stddef.h>
#include <stdint.h>

#include "lrsweep/nn.h"
#include "lrsweep/rng.h"

#define LRS_NET_MAX_LAYERS 64

typedef enum {
	LRS_LAYER_LINEAR,
	LRS_LAYER_CONV,
	LRS_LAYER_MAXPOOL,
	LRS_LAYER_AVGPOOL,
	LRS_LAYER_RELU,
	LRS_LAYER_TANH,
	LRS_LAYER_SIGMOID,
	LRS_LAYER_DROPOUT,
	LRS_LAYER_BATCHNORM
} lrs_layer_type;

/* One layer as written in the experiment file, defaults filled in. */
typedef struct {
	lrs_layer_type type;
	size_t size;       /* linear: output features (0 = the class count,
	                      allowed for the last layer only: what hidden:
	                      gives); conv: output channels; pools: kernel    */
	size_t kernel;     /* conv: kernel height and width                  */
	size_t stride;     /* conv: default 1; pools: default the kernel     */
	size_t padding;    /* conv and pools: zero (pools: -inf / not counted
	                      as PyTorch's count_include_pad=True counts it)  */
	int ceil;          /* pools: PyTorch's ceil_mode                      */
	double p;          /* dropout: probability of zeroing (default 0.5)  */
	double momentum;   /* batchnorm: running statistics (default 0.1)    */
	double eps;        /* batchnorm: default 1e-5                        */
} lrs_layer;

typedef struct {
	size_t channels, height, width;  /* one input sample: C, H, W      */
	size_t outputs;                  /* classes                        */
	size_t n_layers;
	lrs_layer layer[LRS_NET_MAX_LAYERS];
	int torch_init;    /* 1: each layer's PyTorch default initialisation
	                      (layers:); 0: `init` for every linear and conv
	                      weight, biases zero (hidden:, and layers: with
	                      init: given)                                    */
	lrs_init init;
} lrs_net_config;

/* A layer's output shape and parameter count. */
typedef struct {
	size_t c, h, w;
	size_t params;
} lrs_layer_shape;

/* Fills shape[i] (n_layers entries) with layer i's output shape for one
 * sample and its parameters. Returns 0, or LRS_EINVALID with *bad = the
 * index of the first layer that does not fit its input (a kernel larger
 * than the padded map, padding over half the kernel in a pool, a zero
 * size, a last layer that is not a linear of `outputs` features) and a
 * message without location ("conv: kernel 5 is larger than the 3x3 input
 * (padding 0)"); *bad = n_layers when the stack as a whole is wrong (no
 * layers, sizes overflow). Pure: no allocation. */
int lrs_net_shapes(const lrs_net_config *cfg, lrs_layer_shape *shape, size_t *bad);

/* The layer's name as written in the experiment file ("conv", "relu"). */
const char *lrs_layer_name(lrs_layer_type type);

/* The MLP `m` (inputs, outputs, hidden, activation, init) as a stack:
 * (inputs, 1, 1) in, linear and activation per hidden layer, a last
 * linear of `outputs`. Returns 0, or LRS_EINVALID when m has more than
 * LRS_MLP_MAX_HIDDEN hidden layers or an unknown activation or init (cfg
 * is then an empty stack, which lrs_net_build refuses). Widths are
 * checked by lrs_net_shapes. */
int lrs_net_from_mlp(lrs_net_config *cfg, const lrs_mlp_config *m);

/* What a layer keeps beyond its output, private to src/nn. */
typedef struct {
	int cnhw;            /* its output is channel-major (C, B, H, W): conv
	                        and pools write it, element-wise layers keep
	                        their input's; else NCHW / (B, features)      */
	int fused;           /* its forward applies the next layer, a relu
	                        (conv, pools) or any activation (linear)      */
	size_t chunk;        /* conv: samples lowered per sgemm              */
	size_t pooled;       /* conv followed by max pooling whose forward
	                        runs with it, this many samples at a time
	                        (its output never leaves the cache); 0: no   */
	float *flat;         /* linear after a channel-major map: its input
	                        as (B, C*H*W), PyTorch's flatten order        */
	int32_t *argmax;     /* maxpool: (C, B, OH*OW) winners               */
	float *mask;         /* dropout: (B, features) 0 or 1/(1-p)          */
	float *mean, *invstd;   /* batchnorm: the batch's, (C) each         */
	float *rmean, *rvar;    /* batchnorm: running, (C) each, in running */
} lrs_net_layer;

/* A built stack. The public fields are read by optimizers and the
 * trainer; the rest is net.c's. */
typedef struct lrs_net lrs_net;
struct lrs_net {
	lrs_net_config cfg;
	size_t n_params;       /* floats in params (and grads)                 */
	size_t max_batch;      /* the largest batch forward() accepts          */
	float *params;         /* (n_params) every weight, bias, scale, shift  */
	float *grads;          /* (n_params) same layout as params             */
	size_t n_running;      /* floats in running                            */
	float *running;        /* (n_running) batchnorm's running statistics,
	                          each layer's mean (C) then variance (C):
	                          state, not parameters -- no optimizer or
	                          gradient touches them                        */
	/* private to src/nn: */
	lrs_layer_shape shape[LRS_NET_MAX_LAYERS];
	float *W[LRS_NET_MAX_LAYERS], *b[LRS_NET_MAX_LAYERS];    /* in params  */
	float *dW[LRS_NET_MAX_LAYERS], *db[LRS_NET_MAX_LAYERS];  /* in grads   */
	float *act[LRS_NET_MAX_LAYERS]; /* (B, out) output of layer l; the
	                                   last is the softmax probabilities */
	lrs_net_layer aux[LRS_NET_MAX_LAYERS];
	float *work;           /* activations and scratch, one block           */
	float *dcur, *dnext;   /* (B, widest) backward scratch, in work        */
	float *cols;           /* conv: im2col columns of one chunk, in work   */
	size_t first_param;    /* the first layer with parameters: backward
	                          stops there, without its input gradient      */
	lrs_rng drop;          /* the dropout masks' stream                    */
	int training;          /* lrs_net_forward's mode of the last call      */
};

/* Bytes lrs_net_build allocates for batches of up to max_batch: params,
 * grads, activations and scratch (for the memory check before training).
 * Returns 0, or LRS_EINVALID as lrs_net_shapes. */
int lrs_net_bytes(const lrs_net_config *cfg, size_t max_batch, double *bytes);

/* Builds a net for batches of up to max_batch samples (parameters not yet
 * initialised). Returns 0, LRS_EINVALID (as lrs_net_shapes; the message
 * names the layer), or LRS_ENOMEM with the bytes needed. */
int lrs_net_build(lrs_net **out, const lrs_net_config *cfg, size_t max_batch);

/* Seeded initialisation. cfg.torch_init: each layer's PyTorch default
 * (linear and conv weight and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
 * batchnorm scale 1, shift 0); else `init` for every linear and conv
 * weight -- He normal std sqrt(2/fan_in), Xavier uniform bound
 * sqrt(6/(fan_in+fan_out)) -- and zero biases. Layers draw in order, weight
 * then bias. A conv's fan_in is
 * C*k*k and its fan_out OC*k*k, as PyTorch counts them. Then, when the
 * stack has a dropout layer, one more draw seeds the net's dropout
 * stream; batchnorm's running statistics restart at mean 0, variance 1. */
void lrs_net_init(lrs_net *n, lrs_rng *rng);

/* Forward pass of B <= max_batch samples x: (B, C*H*W). training: 1 as
 * PyTorch's model.train() (dropout drops, batchnorm uses and updates batch
 * statistics), 0 as model.eval(). With labels y returns the mean softmax
 * cross-entropy, else 0. */
double lrs_net_forward(lrs_net *n, const float *x, const int32_t *y, size_t B, int training);

/* How many of the last forward's B samples have argmax == y. */
size_t lrs_net_correct(const lrs_net *n, const int32_t *y, size_t B);

/* Sets every gradient to zero. */
void lrs_net_zero_grad(lrs_net *n);

/* Backward pass of the last forward (same x, y, B; made with training
 * 1): accumulates the gradient of the mean loss into grads. */
void lrs_net_backward(lrs_net *n, const float *x, const int32_t *y, size_t B);

/* Frees a net; accepts NULL. */
void lrs_net_free(lrs_net *n);

#endif
