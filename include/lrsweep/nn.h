/* nn.h - the `hidden:` shorthand of an experiment file: a multilayer
 * perceptron's widths, hidden activation and initialisation.
 *
 * The model itself is a layer stack (net.h): lrs_net_from_mlp writes the
 * shorthand as linear, act, linear, act, ..., linear, and lrs_net_build,
 * lrs_net_init, lrs_net_forward and lrs_net_backward train it. */
#ifndef LRSWEEP_NN_H
#define LRSWEEP_NN_H

#include <stddef.h>

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

#endif
