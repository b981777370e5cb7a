/* plan.h - the trial plan of an experiment (SPEC §5): every schedule entry
 * of trials.schedules x its parameter grid (or random samples) x the
 * search space x the seeds, each trial resolved - @min/@max from the
 * bounds, "N epochs" to steps, total steps from the trial's length - and
 * given a stable key. Pure: no threads, no I/O; the schedules are built
 * here, so a parameter error shows before anything trains.
 *
 * Order: schedule entries in file order; within one, the grid points with
 * the first gridded parameter varying slowest (schedule parameters, then
 * space keys, each in file order); seeds innermost. Random search draws
 * trials.search.samples points per schedule entry, each from its own RNG
 * stream of the experiment's seed, so a plan never depends on how it is
 * run. {choice: [...]} is a grid under grid search.
 *
 * Values a search chose (random draws, tpe's proposals) that the schedule
 * refuses - a base_lr drawn above max_lr, a step_size of 0 - make trials
 * that fail (lrs_trial_spec.error), as a trial that raises fails in
 * Optuna, and the search goes on; what the file itself gets wrong (a
 * grid's value, a literal parameter that no draw can mend, a space range
 * that reaches past what its key takes) is an error of the build. */
#ifndef LRSWEEP_PLAN_H
#define LRSWEEP_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "lrsweep/data.h"
#include "lrsweep/experiment.h"
#include "lrsweep/schedule.h"
#include "lrsweep/train.h"

#define LRS_TRIAL_KEY_SIZE 17   /* 16 hex digits and the NUL */

typedef struct {
	char key[LRS_TRIAL_KEY_SIZE]; /* SHA-256 (first 64 bits, hex) of the
	                                 resolved schedule, hyperparameters,
	                                 epochs and seed                     */
	size_t config;              /* index of its configuration: trials that
	                               differ only in the seed share it      */
	const char *type;           /* schedule type name (static)          */
	lrs_sched *sched;           /* the resolved schedule (owned)        */
	char *params;               /* its parameters, JSON                 */
	char *hyper;                /* optimizer, batch_size, model, JSON   */
	char *label;                /* what varies: "triangular2 step_size=4
	                               epochs, batch_size=64"               */
	char *xparams;              /* an external trainer's params, resolved
	                               (JSON); NULL for the built-in model  */
	char *group;                /* its range-test group: the values of the
	                               grouping keys, "optimizer.type=adam,
	                               batch_size=64"; "" with one group    */
	char *error;                /* why it cannot run - its schedule refused
	                               the values a search chose for it
	                               ("file:line:column: message"): sched is
	                               NULL, params the values as chosen, and
	                               the runner stores it failed without
	                               training; NULL for a trial that runs */
	lrs_model_config model;     /* fitted to the data: input and classes */
	lrs_optim_config optim;
	long batch_size;
	long epochs;
	uint64_t seed;
	int line, column;           /* where the file writes its schedule
	                               entry; 0 when not from a file        */
} lrs_trial_spec;

typedef struct {
	lrs_trial_spec *items;
	size_t n;
	size_t configs;             /* distinct configurations              */
	const lrs_engine *engine;   /* who trains them; NULL: the built-in
	                               model (set by the caller)            */
	struct lrs_plan_point *given; /* (n_given) a plan of given points
	                               (lrs_plan_add_points): each
	                               configuration's point, values owned;
	                               NULL otherwise                       */
	size_t n_given;
} lrs_plan;

/* Builds the plan of experiment `e` on dataset `ds` (for steps per epoch)
 * with bounds min_lr/max_lr (NAN when unknown: @min/@max are then errors).
 * Errors (LRS_EINVALID) read "file:line:column: message", one line per
 * schedule entry or space point that fails. */
int lrs_plan_build(lrs_plan *out, const lrs_experiment *e, const lrs_dataset *ds,
                   double min_lr, double max_lr);

/* The plan of one run outside trials (`lrsweep train`): experiment e's
 * model, optimizer and batch size with the schedule `sched` (built by the
 * caller; the plan owns it from now on, also on failure), `epochs` and
 * `seed`, resolved and keyed as lrs_plan_build would. One item, config 0. */
int lrs_plan_one(lrs_plan *out, const lrs_experiment *e, const lrs_dataset *ds, lrs_sched *sched,
                 long epochs, uint64_t seed);

void lrs_plan_free(lrs_plan *p);

/* ---- the plan's size, counted from the file before anything is built:
 * a grid of 10 keys of 10 values each (10^10 trials) is refused at once,
 * where building it would take minutes and all the memory there is. */

/* The most trials one plan may have. Measured (docs/run.md): a dry run
 * of 10^5 trials takes 8 s and 0.6 GB; of 10^6, 86 s and 5.9 GB, the
 * plan alone about 6 KB a trial. Plans of 300,000 planned in seconds
 * before the limit came (harden_misc.sh) and still do. */
#define LRS_PLAN_MAX_TRIALS 1000000

typedef struct {
	uint64_t trials;            /* how many; UINT64_MAX when more       */
	char text[1024];            /* its factors: "10 params.a x 3 seeds x
	                               2 schedules"                          */
	size_t factors;             /* how many factors                     */
	int line, column;           /* where the file writes its largest    */
	const char *fix;            /* how to make that one smaller: "give
	                               fewer seeds" (static)                 */
} lrs_plan_size;

/* Counts the trials lrs_plan_build makes of e - schedule entries x their
 * grids x the space's and params' listed values x draws x seeds - without
 * building anything. Strategy random: samples x entries x seeds;
 * strategy tpe: its proposals x seeds (x entries with search.shared), or
 * its stand-in plan when that is larger. 0, or LRS_ENOMEM. */
int lrs_plan_count(lrs_plan_size *out, const lrs_experiment *e);

/* LRS_EINVALID - "file:line:column: the plan has N trials (its factors),
 * more than lrsweep's limit of LRS_PLAN_MAX_TRIALS; how to make its
 * largest factor smaller" - when
 * e's plan would be larger than that; 0 otherwise. lrs_plan_build and
 * lrs_plan_build_grouped check it first. */
int lrs_plan_check_size(const lrs_experiment *e);

/* ---- range-test groups (SPEC §4): trials that differ in what sets the
 * scale of good rates (optimizer type or betas, batch size, model) get
 * their own range test and bounds. A group is named by the values of the
 * grouping keys that vary in the plan, in LRS_GROUP_* order:
 * "batch_size=64, optimizer.type=adam"; "" when none varies. */

/* The fields of mask `fields` (LRS_GROUP_*) whose values differ between
 * trials of plan p. */
unsigned lrs_plan_varying(const lrs_plan *p, unsigned fields);

/* The names of the keys of mask `fields`, ", "-separated, into buf. */
void lrs_plan_group_names(char *buf, size_t size, unsigned fields);

typedef struct {
	char *key;                  /* the group's name                     */
	size_t first;               /* plan index of its first trial        */
	size_t trials;              /* how many of the plan's are in it     */
} lrs_plan_group;

/* The groups of plan p by the keys of `fields`, in plan order of their
 * first trials. Free with lrs_plan_groups_free. */
int lrs_plan_groups(lrs_plan_group **out, size_t *n, const lrs_plan *p, unsigned fields);
void lrs_plan_groups_free(lrs_plan_group *g, size_t n);

/* What group g's range test trains: the experiment's model, optimizer and
 * batch size with the grouping keys' values of its first trial `first`. */
void lrs_plan_group_hyper(const lrs_experiment *e, const lrs_trial_spec *first, unsigned fields,
                          lrs_model_config *model, lrs_optim_config *optim, long *batch_size);

typedef struct {
	const char *key;            /* a group's name                       */
	double min_lr, max_lr;      /* its bounds                           */
} lrs_group_bounds;

/* lrs_plan_build with each trial's @min/@max from its group's bounds: the
 * group named by the keys of `fields` (lrs_plan_varying's answer on the
 * plan built with stand-in bounds). A group without bounds is an error. */
int lrs_plan_build_grouped(lrs_plan *out, const lrs_experiment *e, const lrs_dataset *ds, unsigned fields,
                           const lrs_group_bounds *bounds, size_t n);

/* ---- given points (strategy tpe, plan.c and search.c): a plan made of
 * values chosen elsewhere, one point at a time. */

/* The search axes of a schedule entry: its own parameters whose values
 * are {grid}, {choice} or distributions, then trials.space's, then an
 * external trainer's params' - the order a point's values follow. */
enum { LRS_AXIS_LIST, LRS_AXIS_UNIFORM, LRS_AXIS_LOG_UNIFORM, LRS_AXIS_INT_UNIFORM };

typedef struct {
	const char *key;            /* parameter or dotted space key (in e) */
	int where;                  /* 0 the entry's, 1 trials.space, 2 params: */
	int kind;                   /* LRS_AXIS_*                           */
	size_t n_values;            /* LIST: how many                       */
	double lo, hi;              /* distributions: the range             */
	int line, column;           /* where the file gives its values      */
} lrs_plan_axis;

/* How many schedule entries e has (1 with none: a constant at @max). */
size_t lrs_plan_entries(const lrs_experiment *e);

/* The axes of schedule entry `entry` of e (calloc'd: free it). */
int lrs_plan_axes(lrs_plan_axis **out, size_t *n, const lrs_experiment *e, size_t entry);

/* Whether axis a is a key of trials.space whose values get their own
 * range test by range_test.per (LRS_GROUP_* mask `per`). */
int lrs_plan_axis_grouping(const lrs_plan_axis *a, unsigned per);

typedef struct lrs_plan_point {
	size_t entry;               /* its schedule entry                   */
	const double *values;       /* (the entry's axes) a list's index, or
	                               the value of a distribution          */
	size_t n_values;            /* how many (lrs_plan_add_points sets it
	                               in plan->given; ignored in its input) */
} lrs_plan_point;

/* Appends the trials (one per seed) of points[0..n) to plan p, each a new
 * configuration (p->configs on), resolved with the groups' bounds as
 * lrs_plan_build_grouped does. A point whose trials the plan already has
 * (the same values as an earlier one) adds nothing: dup_of[k] is that
 * earlier configuration, else -1; the others are kept in p->given (a
 * plan made again from p->given is the same plan). Errors as
 * lrs_plan_build's (the plan freed). Under strategy tpe, lrs_plan_build_grouped makes a stand-in
 * plan this way: every combination of the listed values of the keys
 * range_test.per names, each other axis at its middle (a list's first
 * value) - what checks the file and finds the range-test groups before
 * any trial is proposed. */
int lrs_plan_add_points(lrs_plan *p, long *dup_of, const lrs_experiment *e, const lrs_dataset *ds,
                        unsigned fields, const lrs_group_bounds *bounds, size_t n_bounds,
                        const lrs_plan_point *points, size_t n);

#endif
