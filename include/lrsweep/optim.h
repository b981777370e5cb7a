/* optim.h - optimizers with PyTorch's update rules: SGD (momentum,
 * dampening 0, nesterov, weight decay), Adam and AdamW.
 *
 * One flat loop over the parameter buffer (nn.h's layout). The learning
 * rate (and momentum, for schedules that cycle it) is given at every step,
 * as a scheduler would set it on a PyTorch optimizer. State is float32,
 * like PyTorch's. */
#ifndef LRSWEEP_OPTIM_H
#define LRSWEEP_OPTIM_H

#include <stddef.h>

#include "lrsweep/util.h"

typedef enum { LRS_OPTIM_SGD, LRS_OPTIM_ADAM, LRS_OPTIM_ADAMW } lrs_optim_type;

typedef struct {
	lrs_optim_type type;
	double momentum;       /* sgd: momentum factor (0 = plain SGD)        */
	int nesterov;          /* sgd: Nesterov momentum (needs momentum > 0) */
	double weight_decay;   /* sgd, adam: L2 added to the gradient;
	                          adamw: decoupled, p *= 1 - lr*weight_decay  */
	double beta1, beta2;   /* adam, adamw                                 */
	double eps;            /* adam, adamw                                 */
} lrs_optim_config;

typedef struct {
	lrs_optim_config cfg;
	size_t n;              /* parameters                                  */
	long steps;            /* updates made so far                         */
	float *buf;            /* sgd: momentum buffer; adam: exp_avg         */
	float *sq;             /* adam: exp_avg_sq; NULL for sgd              */
} lrs_optim;

/* Fills `cfg` with PyTorch's defaults for `type` (sgd: momentum 0,
 * weight_decay 0; adam: betas (0.9, 0.999), eps 1e-8, weight_decay 0;
 * adamw: the same with weight_decay 0.01). */
void lrs_optim_defaults(lrs_optim_config *cfg, lrs_optim_type type);

/* Builds an optimizer for n parameters. Returns 0, LRS_EINVALID (e.g.
 * nesterov without momentum, a beta outside [0, 1)), or LRS_ENOMEM. */
int lrs_optim_build(lrs_optim **out, const lrs_optim_config *cfg, size_t n);

/* One update of params from grads at learning rate lr. `momentum`, when
 * not NAN, replaces the configured momentum (sgd) or beta1 (adam, adamw)
 * for this step, as PyTorch's cycling schedulers do. */
void lrs_optim_step(lrs_optim *o, float *params, const float *grads, double lr, double momentum);

/* lrs_optim_step, then every gradient set to zero, ready for the next
 * backward -- PyTorch's opt.step(); opt.zero_grad() -- in the same pass
 * over memory: the parameters come out bitwise as lrs_optim_step's, and
 * the separate pass of lrs_net_zero_grad is saved (at batch 128 on the
 * 784-256-10 MLP, 3% of a training step). */
void lrs_optim_step_zero_grad(lrs_optim *o, float *params, float *grads, double lr, double momentum);

/* Frees an optimizer; accepts NULL. */
void lrs_optim_free(lrs_optim *o);

/* The settings as a JSON object, as stored with each trial and handed to
 * external trainers: {"type": "sgd", "momentum": ..., "nesterov": ...,
 * "weight_decay": ...} (adam, adamw: "betas" and "eps" instead of momentum
 * and nesterov). */
void lrs_optim_json(lrs_buf *b, const lrs_optim_config *o);

#endif
