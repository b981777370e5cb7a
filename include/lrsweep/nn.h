/* nn.h - the model: a multilayer perceptron with softmax cross-entropy.
 *
 * float32 everywhere, as PyTorch uses. All parameters live in one
 * allocation carved into per-layer weights and biases; the gradients mirror
 * that layout, so an optimizer is one flat loop over n_params floats.
 * Activations for a batch of up to max_batch samples are allocated once at
 * build time. A model has a fixed set of verbs: build, init, forward,
 * zero_grad, backward, free. Single-threaded and free of globals: trials run
 * side by side, each with its own model. Matrix products go through the
 * BLAS wrapper (blas.h). */
#ifndef LRSWEEP_NN_H
#define LRSWEEP_NN_H

#include <stddef.h>
#include <stdint.h>

#include "lrsweep/rng.h"

#define LRS_MLP_MAX_HIDDEN 16

typedef enum { LRS_ACT_RELU, LRS_ACT_TANH, LRS_ACT_SIGMOID } lrs_activation;
typedef enum { LRS_INIT_HE, LRS_INIT_XAVIER } lrs_init;

typedef struct {
	size_t inputs;                       /* features per sample           */
	size_t outputs;                      /* classes                       */
	size_t n_hidden;                     /* 0 = softmax regression        */
	size_t hidden[LRS_MLP_MAX_HIDDEN];   /* width of each hidden layer    */
	lrs_activation activation;           /* of the hidden layers          */
	lrs_init init;
} lrs_mlp_config;

typedef struct {
	lrs_mlp_config cfg;
	size_t n_layers;       /* linear layers: n_hidden + 1                   */
	size_t n_params;       /* floats in params (and grads)                  */
	size_t max_batch;      /* the largest batch forward() accepts           */
	float *params;         /* (n_params) every weight and bias              */
	float *grads;          /* (n_params) same layout as params              */
	float *W[LRS_MLP_MAX_HIDDEN + 1];  /* W[l]: (out_l, in_l), in params    */
	float *b[LRS_MLP_MAX_HIDDEN + 1];  /* b[l]: (out_l), in params          */
	float *dW[LRS_MLP_MAX_HIDDEN + 1]; /* gradients, in grads               */
	float *db[LRS_MLP_MAX_HIDDEN + 1];
	size_t in[LRS_MLP_MAX_HIDDEN + 1];  /* in_l                             */
	size_t out[LRS_MLP_MAX_HIDDEN + 1]; /* out_l                            */
	float *act[LRS_MLP_MAX_HIDDEN + 1]; /* act[l]: (B, out_l) output of
	                                       layer l after its activation;
	                                       the last is the softmax probs    */
	float *work;           /* activations and backward scratch, one block   */
	float *dcur, *dnext;   /* (B, max width) backward scratch, in work      */
} lrs_mlp;

/* Builds a model for batches of up to max_batch samples (parameters not
 * yet initialised). Returns 0, LRS_EINVALID (a zero size, too many layers),
 * or LRS_ENOMEM with the bytes needed in the message. */
int lrs_mlp_build(lrs_mlp **out, const lrs_mlp_config *cfg, size_t max_batch);

/* Seeded initialisation: He (Kaiming) normal, std sqrt(2/in), or Xavier
 * (Glorot) uniform, bound sqrt(6/(in+out)); biases zero. */
void lrs_mlp_init(lrs_mlp *m, lrs_rng *rng);

/* Forward pass of B <= max_batch samples x: (B, inputs). Fills act[]; with
 * labels y returns the mean softmax cross-entropy (computed stably), else
 * 0. */
double lrs_mlp_forward(lrs_mlp *m, const float *x, const int32_t *y, size_t B);

/* How many of the last forward's B samples have argmax(probs) == y. */
size_t lrs_mlp_correct(const lrs_mlp *m, const int32_t *y, size_t B);

/* Sets every gradient to zero. */
void lrs_mlp_zero_grad(lrs_mlp *m);

/* Backward pass of the last forward (same x, y, B): accumulates the
 * gradient of the mean loss into grads (call zero_grad first). */
void lrs_mlp_backward(lrs_mlp *m, const float *x, const int32_t *y, size_t B);

/* Frees a model; accepts NULL. */
void lrs_mlp_free(lrs_mlp *m);

#endif
