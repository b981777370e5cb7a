/* train.h - the trainer interface: range tests, trials and `train` all
 * run through it.
 *
 * A run trains a fresh, seeded model with an optimizer and a schedule that
 * lrsweep owns: the schedule gives the rate (and momentum) of every update;
 * after each epoch the validation split is evaluated, in a range test also
 * every eval_every updates; at the end the test split. A NaN or infinite
 * loss ends the run as diverged at that step. Callbacks after every step,
 * evaluation and epoch let the callers log, prune or stop.
 *
 * Who trains is an engine (lrs_engine): the built-in layer stack (net.h;
 * below, the default) or another implementation of the same contract. The
 * built-in engine trains with the model in training mode (dropout drops,
 * batchnorm uses batch statistics) and evaluates it in evaluation mode, as
 * PyTorch's model.train() and model.eval(); it reshuffles the training split every epoch from the run's own RNG
 * and keeps the last partial batch (PyTorch's drop_last=False); a run is
 * single-threaded and touches no globals, so runs go side by side on
 * threads; the dataset is only read. */
#ifndef LRSWEEP_TRAIN_H
#define LRSWEEP_TRAIN_H

#include <signal.h>
#include <stdint.h>

#include "lrsweep/data.h"
#include "lrsweep/net.h"
#include "lrsweep/optim.h"
#include "lrsweep/schedule.h"

typedef struct lrs_engine lrs_engine;

typedef struct {
	lrs_net_config model;      /* the layer stack; an input of 0 channels is
	                              the data's features (flat), 0 classes
	                              the data's                              */
	lrs_optim_config optim;
	long batch_size;
	long epochs;               /* epochs to train                           */
	long max_steps;            /* stop after this many updates (0 = none)   */
	uint64_t seed;             /* initialisation and shuffling              */
	const lrs_sched *sched;    /* the rate of every update (borrowed)       */
	int eval_each_epoch;       /* evaluate validation after each epoch      */
	int skip_test;             /* 1: no test evaluation at the end          */
	long eval_every;           /* > 0: evaluate the validation split after
	                              update s when s % eval_every == 0, and
	                              after the last of max_steps (range tests) */
	size_t eval_samples;       /* ... on its first eval_samples (0 = all)   */
	const lrs_engine *engine;  /* who trains; NULL: the built-in engine     */
	/* for engines that run a program (the built-in one ignores them): */
	const char *run_key;       /* names the run: trial key, "range-1-0"     */
	const char *params;        /* its params, a JSON object; NULL: the
	                              engine's default                        */
	volatile sig_atomic_t *stop; /* turns nonzero when the run must end
	                              (Ctrl-C); NULL: never                   */
} lrs_train_config;

typedef enum {
	LRS_RUN_COMPLETED,         /* all epochs (or max_steps) done            */
	LRS_RUN_DIVERGED,          /* the loss turned NaN or infinite           */
	LRS_RUN_STOPPED            /* a callback asked to stop                  */
} lrs_run_status;

typedef struct {
	long epoch;                /* 1-based epoch just finished               */
	long steps;                /* updates done so far                       */
	double lr;                 /* rate of the epoch's last update           */
	double train_loss;         /* mean over the epoch's samples             */
	double train_accuracy;     /* before each update, as PyTorch loops count */
	double val_loss;           /* NAN without a validation split            */
	double val_accuracy;
	double seconds;            /* wall time of the epoch, evaluation included */
	const lrs_net *model;      /* the built-in engine's model after the
	                              epoch (read only, for tests); NULL with
	                              other engines                           */
} lrs_epoch_stats;

typedef struct {
	void *ctx;                 /* handed to the callbacks                   */
	/* after update `step` (0-based) made at rate lr with batch loss `loss`;
	 * nonzero stops the run */
	int (*on_step)(void *ctx, long step, double lr, double loss);
	/* after update `step` when an evaluation was due (cfg->eval_every),
	 * before on_step of the same step */
	void (*on_eval)(void *ctx, long step, double val_loss, double val_accuracy);
	/* after each epoch; nonzero stops the run */
	int (*on_epoch)(void *ctx, const lrs_epoch_stats *e);
} lrs_train_hooks;

typedef struct {
	lrs_run_status status;
	long epochs_done;
	long steps;                /* updates made                              */
	long diverged_at;          /* the step whose loss was not finite, or -1 */
	lrs_epoch_stats last;      /* the last epoch's numbers                  */
	double best_val_accuracy;  /* NAN without validation                    */
	long best_epoch;           /* 1-based, 0 when none                      */
	double test_loss;          /* NAN without test data                     */
	double test_accuracy;
	double seconds;            /* wall time of the whole run                */
} lrs_train_result;

/* An engine: what trains. run() keeps lrs_train_run's contract (below);
 * bytes() is what one run holds in this process (lrs_train_check_memory),
 * NULL when nothing worth counting. */
struct lrs_engine {
	const char *name;
	int (*run)(const lrs_engine *engine, lrs_train_result *out, const lrs_dataset *ds,
	           const lrs_train_config *cfg, const lrs_train_hooks *hooks);
	double (*bytes)(const lrs_engine *engine, const lrs_dataset *ds, const lrs_train_config *cfg);
	void *ctx;                 /* the engine's own state                    */
};

/* The built-in engine (what cfg->engine == NULL means). */
extern const lrs_engine lrs_engine_builtin;

/* Steps in one epoch: ceil(train samples / batch size). */
long lrs_train_steps_per_epoch(const lrs_dataset *ds, long batch_size);

/* Runs training on cfg->engine. Returns 0 with `out` filled (a diverged
 * run is a result, not an error), or LRS_EINVALID / LRS_ENOMEM before
 * training starts. */
int lrs_train_run(lrs_train_result *out, const lrs_dataset *ds,
                  const lrs_train_config *cfg, const lrs_train_hooks *hooks);

/* The bytes one run of `cfg` on `ds` allocates: the model's parameters and
 * gradients, the optimizer's state, the activations and scratch (im2col
 * columns, pooling indices) for its largest batch (the training batch or
 * the evaluation chunk; lrs_net_bytes), the batch buffers and the epoch
 * order; 0 for a stack this build cannot train. The dataset itself is not counted
 * (it is shared and already loaded). A double: no overflow. */
double lrs_train_bytes(const lrs_dataset *ds, const lrs_train_config *cfg);

/* Checks that `runs` runs of `cfg` at once fit in memory
 * (lrs_memory_check): 0, or LRS_ENOMEM "the model (P parameters, batch B)
 * needs N MiB, only M MiB available (...)", or LRS_EINVALID for a stack
 * that does not fit the data or that this build cannot train. lrs_train_run checks one run
 * itself before it allocates; callers that run several at once check them
 * all before the first starts. */
int lrs_train_check_memory(const lrs_dataset *ds, const lrs_train_config *cfg, long runs);

#endif
