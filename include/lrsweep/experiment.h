/* experiment.h - the experiment file (SPEC §11) as plain structs.
 *
 * The config module reads the YAML (only it includes yaml.h), checks every
 * key it knows against its type and allowed values, and reports each
 * problem as "file:line:column: message" — all of them, one per line, not
 * just the first. Sections that later stages interpret (range_test,
 * trials) are kept as node trees for them. Strings in the structs point
 * into the experiment's own storage and live as long as it does. */
#ifndef LRSWEEP_EXPERIMENT_H
#define LRSWEEP_EXPERIMENT_H

#include <stdint.h>

#include "lrsweep/data.h"
#include "lrsweep/external.h"
#include "lrsweep/net.h"
#include "lrsweep/nn.h"
#include "lrsweep/node.h"
#include "lrsweep/optim.h"
#include "lrsweep/prune.h"
#include "lrsweep/rangetest.h"
#include "lrsweep/tpe.h"
#include "lrsweep/util.h"

/* The most threads trials.threads and every --threads flag allow: far
 * more than the cores of one machine, and few enough that starting them
 * cannot exhaust the process (libgomp fails, or crashes, past ~30000). */
#define LRS_MAX_THREADS 4096

/* The largest seed seed:, trials.seeds and --seed take: 2^53 - 1, below
 * which a double (a YAML number is read as one) holds every whole number
 * exactly; 2^53 + 1 would be read as 2^53 and silently run another seed. */
#define LRS_MAX_SEED 9007199254740991.0
#define LRS_MAX_NAME 100                 /* characters of an experiment name */

/* The range_test: section (SPEC §11), defaults filled in. */
typedef struct {
	lrs_range_config ramp;     /* mode, start/end_lr, eval_every, eval_samples,
	                              smoothing, stop_factor; iterations 0 when
	                              the length is given in epochs            */
	double epochs;             /* length in epochs when iterations is 0    */
	long repeats;              /* independent tests (default 1)            */
	const char *pick;          /* rule name (default "accuracy")           */
	int has_bounds;            /* bounds: given, skip the test             */
	int auto_range;            /* 1: a linear test whose start_lr and end_lr
	                              are not given: a probe sets them          */
	double min_lr, max_lr;     /* the given bounds                         */
	unsigned per;              /* range_test.per: the LRS_GROUP_* fields whose
	                              distinct values get their own range test
	                              (default LRS_GROUP_DEFAULT)               */
	int per_given;             /* 1: the file set range_test.per           */
	const lrs_node *per_node;  /* it, for messages; NULL when not given    */
} lrs_range_settings;

/* The model: section (SPEC §7, §13): the layer stack that trains, and
 * which of the two ways the file described it. */
typedef struct {
	lrs_net_config net;        /* the stack; its input (unless model.input
	                              gives it) and classes are 0 until the
	                              data is known (lrs_experiment_fit)      */
	int layers;                /* 1: model.layers; 0: the hidden: shorthand,
	                              net = lrs_net_from_mlp(mlp)             */
	lrs_mlp_config mlp;        /* the shorthand's hidden, activation, init */
} lrs_model_config;

/* The hyperparameters trials.space may vary, in this order (bit i of a
 * group mask is key i): batch_size, model.hidden, model.activation,
 * model.init, optimizer.type, optimizer.momentum, optimizer.nesterov,
 * optimizer.weight_decay, optimizer.betas, optimizer.eps. */
#define LRS_SPACE_KEYS 10
enum {
	LRS_GROUP_BATCH_SIZE = 1u << 0,
	LRS_GROUP_HIDDEN = 1u << 1,
	LRS_GROUP_ACTIVATION = 1u << 2,
	LRS_GROUP_INIT = 1u << 3,
	LRS_GROUP_OPTIM_TYPE = 1u << 4,
	LRS_GROUP_MOMENTUM = 1u << 5,
	LRS_GROUP_NESTEROV = 1u << 6,
	LRS_GROUP_WEIGHT_DECAY = 1u << 7,
	LRS_GROUP_BETAS = 1u << 8,
	LRS_GROUP_EPS = 1u << 9,
};
#define LRS_GROUP_MODEL (LRS_GROUP_HIDDEN | LRS_GROUP_ACTIVATION | LRS_GROUP_INIT)
/* What changes the scale of good rates (SPEC §4): the optimizer's type and
 * betas, the batch size, the model. */
#define LRS_GROUP_DEFAULT (LRS_GROUP_OPTIM_TYPE | LRS_GROUP_BETAS | LRS_GROUP_BATCH_SIZE | LRS_GROUP_MODEL)

/* The dotted name of space key i (0 <= i < LRS_SPACE_KEYS). */
const char *lrs_space_key_name(int i);

/* The trials: section, checked, with defaults. Schedules and space stay
 * node trees (their values may be grids or distributions); the trial plan
 * (plan.h) expands them. */
typedef struct {
	long epochs;               /* per trial (default 10)                  */
	uint64_t *seeds;           /* (n_seeds) seeds: list, or seed + 0..R-1
	                              for repeats: R; default the seed alone  */
	size_t n_seeds;
	long threads;              /* 0 = one per core; <= LRS_MAX_THREADS    */
	const lrs_node *schedules; /* list of maps with a known type, or NULL
	                              (then one constant schedule at @max)    */
	const lrs_node *space;     /* map of dotted keys to values, or NULL   */
	int random;                /* search.strategy: random                 */
	int tpe;                   /* search.strategy: tpe                    */
	long samples;              /* search.samples (random: per schedule
	                              entry; tpe: in all; grid: per grid
	                              point, when grid_draws; default 10)    */
	int grid_draws;            /* strategy grid with search.samples given:
	                              each grid point samples times, its
	                              distributions drawn (Ray Tune's
	                              grid_search with num_samples)          */
	int shared;                /* search.shared: one draw of the space and
	                              params for every schedule entry        */
	long batch;                /* search.batch (tpe): points per round (4) */
	int constant_liar;         /* search.constant_liar (tpe; default true) */
	lrs_tpe_config sampler;    /* search.startup, candidates, prior_weight
	                              (tpe; Optuna's defaults)               */
	char *note;                /* "file:line:column: ..." about search
	                              settings that work, but likely not as
	                              meant (tpe: samples <= startup), for the
	                              caller to warn with; NULL when none    */
	lrs_prune_type prune;      /* pruning.type (default none)             */
	long grace_epochs;         /* pruning.grace_epochs (default 1)        */
	long reduction_factor;     /* pruning.reduction_factor (default 3)    */
} lrs_trials_settings;

typedef struct {
	char *path;                /* the file as named on the command line   */
	char *text;                /* its contents, as given                  */
	lrs_node *root;            /* the parsed tree                         */
	const char *name;          /* name: letters, digits, - _ .            */
	uint64_t seed;             /* master seed (default 0)                 */
	const char *db;            /* db: path, or NULL for results/<name>.db */
	lrs_data_config data;      /* the data: section, resolved             */
	lrs_model_config model;    /* input and classes set by lrs_experiment_fit */
	const lrs_node *model_layers; /* model.layers (for errors at a layer),
	                               or NULL                                */
	const lrs_node *model_input;  /* model.input, or NULL                 */
	lrs_optim_config optim;
	long batch_size;
	const lrs_node *range_test; /* range_test: section, or NULL           */
	lrs_range_settings range;   /* it, checked, with defaults             */
	const lrs_node *trials;     /* trials: section, or NULL               */
	lrs_trials_settings trial;  /* it, checked, with defaults             */
	int has_trainer;            /* trainer: given (SPEC §12): an external
	                               program trains; no data:, no model:   */
	lrs_external_config trainer; /* it, checked, with defaults; cwd
	                               resolved against the file's directory */
	const lrs_node *params;     /* params: the program's free-form
	                               parameters, or NULL                   */
} lrs_experiment;

/* The model, optimizer and batch size of the experiment with `n` values of
 * a trial's search space applied: keys[i] is a dotted key of trials.space
 * (batch_size, model.hidden, model.activation, model.init, optimizer.type,
 * optimizer.momentum, ...), values[i] its value for this trial. Checked as
 * the experiment file is: an impossible value is LRS_EINVALID with
 * "file:line:column: message" at the value. The model's input and classes
 * are e->model's. */
int lrs_experiment_hyper(const lrs_experiment *e, const char *const *keys,
                         const lrs_node *const *values, size_t n, lrs_model_config *model,
                         lrs_optim_config *optim, long *batch_size);

/* Sets m's input and classes from dataset ds where they are 0: the input
 * (1, rows, cols) for images, (features, 1, 1) for flat data. */
void lrs_model_fit(lrs_model_config *m, const lrs_dataset *ds);

/* The model of e fitted to its data ds (lrs_model_fit) and checked before
 * anything trains: model.input must hold the data's features, and every
 * layer must fit its input (lrs_net_shapes). LRS_EINVALID with
 * "file:line:column: message" at model.input or at the layer at fault. */
int lrs_experiment_fit(lrs_experiment *e, const lrs_dataset *ds);

/* Layer L written compactly, without spaces: "conv32k5p2" (s2 for a
 * stride, p for padding), "maxpool3s2ceil", "linear10", "dropout0.5",
 * "batchnorm(momentum=0.2,eps=1e-05)", "relu"; settings at their defaults
 * left out. */
void lrs_model_layer_text(char *buf, size_t size, const lrs_layer *L);

/* The stack of cfg, its layers' texts separated by spaces, into b. */
void lrs_model_stack_text(lrs_buf *b, const lrs_net_config *cfg);

/* The keys of the file's range_test: section that only a range test
 * reads (every key but bounds), in file order, as "repeats, start_lr"
 * into buf (cut to fit); *first, unless first is NULL, the node of the
 * first of them (its key_line, key_column), NULL when none. Returns how
 * many: 0 without a range_test: section. */
size_t lrs_experiment_range_keys(const lrs_experiment *e, char *buf, size_t size, const lrs_node **first);

/* Whether `key` names a hyperparameter trials.space may vary. */
int lrs_experiment_space_key(const char *key);

/* Reads and checks experiment file `path`. On failure returns LRS_EINVALID
 * with every problem found, one "file:line:column: message" per line (an
 * unreadable file too: it is bad input), or LRS_ENOMEM. */
int lrs_experiment_load(lrs_experiment **out, const char *path);

/* Frees an experiment; accepts NULL. */
void lrs_experiment_free(lrs_experiment *e);

#endif
