/* schedule.h - learning-rate schedules as pure functions of the step.
 *
 * A schedule is built once from a parameter map (lrs_node), with every value
 * validated and resolved: "@min"/"@max" rates from the picked bounds, "N
 * epochs" to steps, defaults from the system the schedule comes from (PyTorch,
 * Keras, the CLR paper, the SGDR callback). After that, lrs_sched_lr(s, i)
 * is the rate of optimizer update i (step 0 is the first update) and is a
 * pure function: no state, no allocation, safe from any number of threads.
 *
 * reduce_on_plateau is the one schedule that reacts to training: its rate
 * changes through an lrs_plateau state fed one metric per epoch.
 *
 * Not here: reading YAML or flags (config, cli), and applying the rate to an
 * optimizer (train). */
#ifndef LRSWEEP_SCHEDULE_H
#define LRSWEEP_SCHEDULE_H

#include <stddef.h>
#include "lrsweep/node.h"

typedef enum {
	/* PyTorch torch.optim.lr_scheduler */
	LRS_SCHED_CONSTANT,
	LRS_SCHED_STEP,
	LRS_SCHED_MULTISTEP,
	LRS_SCHED_EXPONENTIAL,
	LRS_SCHED_LINEAR,
	LRS_SCHED_POLYNOMIAL,
	LRS_SCHED_COSINE_ANNEALING,
	LRS_SCHED_COSINE_ANNEALING_WARM_RESTARTS,
	LRS_SCHED_ONE_CYCLE,
	LRS_SCHED_CYCLIC,
	/* Smith's CLR paper policies */
	LRS_SCHED_TRIANGULAR,
	LRS_SCHED_TRIANGULAR2,
	LRS_SCHED_EXP_RANGE,
	/* Keras / TensorFlow */
	LRS_SCHED_EXPONENTIAL_DECAY,
	LRS_SCHED_INVERSE_TIME_DECAY,
	LRS_SCHED_PIECEWISE_CONSTANT_DECAY,
	LRS_SCHED_POLYNOMIAL_DECAY,
	LRS_SCHED_COSINE_DECAY,
	LRS_SCHED_COSINE_DECAY_RESTARTS,
	LRS_SCHED_LINEAR_COSINE_DECAY,
	LRS_SCHED_NOISY_LINEAR_COSINE_DECAY,
	/* the SGDRScheduler Keras callback */
	LRS_SCHED_SGDR,
	/* reacting and composite */
	LRS_SCHED_REDUCE_ON_PLATEAU,
	LRS_SCHED_SEQUENTIAL,
	LRS_SCHED__COUNT
} lrs_sched_type;

/* What a schedule's parameters may refer to. Unknown fields are 0 (steps)
 * or NAN (rates); a parameter that needs an unknown one is an error. */
typedef struct {
	double min_lr;          /* @min: the picked lower bound, or NAN          */
	double max_lr;          /* @max: the picked upper bound, or NAN          */
	long steps_per_epoch;   /* converts "N epochs" to steps; 0 = unknown     */
	long total_steps;       /* the run's length: default of total_steps,
	                           decay_steps, T_max, total_iters; 0 = unknown  */
} lrs_sched_ctx;

typedef struct lrs_sched lrs_sched;

/* Name <-> type. lrs_sched_type_parse returns LRS_EINVALID (with a message
 * listing the valid names) for an unknown name. */
const char *lrs_sched_type_name(lrs_sched_type type);
int lrs_sched_type_parse(lrs_sched_type *out, const char *name);

/* The system a type follows ("PyTorch StepLR", ...) and when to use it. */
const char *lrs_sched_type_origin(lrs_sched_type type);
const char *lrs_sched_type_use(lrs_sched_type type);

/* Builds a schedule. `type` names it; when NULL the map's "type" key does.
 * `params` is a map of parameter name -> value (NULL for none); a "type" key
 * in it is allowed. On failure returns LRS_EINVALID with a message naming the
 * parameter and what was expected, and the node's position in lrs_error_line()
 * and lrs_error_column(). The result is freed with lrs_sched_free(). */
int lrs_sched_build(lrs_sched **out, const char *type, const lrs_node *params,
                    const lrs_sched_ctx *ctx);

/* Frees a schedule; accepts NULL. */
void lrs_sched_free(lrs_sched *s);

lrs_sched_type lrs_sched_get_type(const lrs_sched *s);

/* The learning rate of update `step` (>= 0). For reduce_on_plateau this is
 * the rate before any metric arrived (its `lr`). */
double lrs_sched_lr(const lrs_sched *s, long step);

/* 1 when the schedule cycles momentum (cyclic, one_cycle with
 * cycle_momentum), else 0. */
int lrs_sched_cycles_momentum(const lrs_sched *s);

/* The momentum of update `step` where the schedule cycles it, else NAN. */
double lrs_sched_momentum(const lrs_sched *s, long step);

/* The rate (and the momentum, into mom, where the schedule cycles it) of
 * updates 0..steps-1: lr(steps), mom(steps). */
void lrs_sched_rates(double *lr, double *mom, const lrs_sched *s, long steps);

/* The number of steps the schedule is defined for (one_cycle: total_steps+1,
 * as PyTorch raises past it), or -1 when unlimited. */
long lrs_sched_step_limit(const lrs_sched *s);

/* The resolved parameters as a JSON object, every parameter included (the
 * defaults too), keys in the order of the schedule's documentation. The
 * string belongs to the caller (free()). Returns 0 or LRS_ENOMEM. */
int lrs_sched_params_json(char **out, const lrs_sched *s);

/* Parameter documentation, for --help and the README: for type `type`, the
 * i-th parameter's name and a text of its default ("required", "@max", ...).
 * Returns 0, or LRS_ENOTFOUND past the last parameter. */
int lrs_sched_param_info(lrs_sched_type type, size_t i, const char **name,
                         const char **default_text);

/* ---- reduce_on_plateau: the state machine of PyTorch ReduceLROnPlateau --- */

typedef struct {
	const lrs_sched *sched;  /* the reduce_on_plateau schedule (borrowed)   */
	double lr;               /* the current learning rate                   */
	double best;             /* best metric so far (+-inf before the first) */
	long num_bad_epochs;     /* epochs since the last improvement           */
	long cooldown_counter;   /* epochs of cooldown left                     */
	long epochs;             /* metrics received                            */
} lrs_plateau;

/* Starts the state machine of schedule `s`; LRS_EINVALID when `s` is not a
 * reduce_on_plateau schedule. */
int lrs_plateau_init(lrs_plateau *st, const lrs_sched *s);

/* 1 when the schedule's mode is min (it watches a loss), 0 for max (an
 * accuracy). */
int lrs_plateau_minimizes(const lrs_plateau *st);

/* Feeds the metric of one epoch; returns the learning rate from now on. */
double lrs_plateau_step(lrs_plateau *st, double metric);

/* The rate of updates 0..steps-1 (into lr(steps)) of reduce_on_plateau
 * schedule `s` fed metrics[0..n_metrics), one per epoch of
 * `steps_per_epoch` updates: epoch e's metric sets the rate of the steps
 * after it. LRS_EINVALID when `s` is not reduce_on_plateau. */
int lrs_plateau_rates(double *lr, const lrs_sched *s, long steps, long steps_per_epoch, const double *metrics,
                      size_t n_metrics);

/* How many of n_metrics metrics lrs_plateau_rates uses over `steps`. */
long lrs_plateau_epochs_fed(long steps, long steps_per_epoch, size_t n_metrics);

#endif
