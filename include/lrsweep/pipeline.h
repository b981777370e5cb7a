/* pipeline.h - `lrsweep run` as library calls (SPEC §1, §4, §5): the
 * plan checked with stand-in bounds, the experiment begun or resumed, one
 * range test per group of trials that differ in what sets the scale of
 * good rates, each group's bounds picked (with the fallback order of
 * lrs_pick_fallback), the plan built with them, the trials registered and
 * run, every result stored as it ends.
 *
 * Who trains is below the pipeline (train.h's lrs_engine: the built-in
 * model, or an external program); where the work runs is the executor's
 * business (this process's threads, or MPI ranks: lrsweep-mpi supplies
 * its own). What users see is the caller's: the pipeline reports through
 * lrs_pipeline_events and prints nothing. */
#ifndef LRSWEEP_PIPELINE_H
#define LRSWEEP_PIPELINE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "lrsweep/data.h"
#include "lrsweep/experiment.h"
#include "lrsweep/pick.h"
#include "lrsweep/plan.h"
#include "lrsweep/rangetest.h"
#include "lrsweep/store.h"
#include "lrsweep/trials.h"

/* Repeats whose picks spread more than this factor get a warning. */
#define LRS_RANGE_SPREAD 2.0

/* Room for the probe's note: its pick's why and a few words around it. */
#define LRS_RANGE_PROBE_NOTE (sizeof ((lrs_pick_result *)0)->why + 32)

/* Loads experiment file `path` and its data (an external trainer's:
 * lrs_dataset_new_external's stand-in). A problem of a data file is
 * located at the line:column of the experiment where it is named, one of
 * the data as configured names the experiment file. 0, or the error with
 * *exp and *ds NULL. */
int lrs_pipeline_load(lrs_experiment **exp, lrs_dataset **ds, const char *path);

/* ------------------------------------------------------------ executors */

typedef struct lrs_executor lrs_executor;

/* Where the range tests' repeats and the trials run when not on this
 * process's threads. */
struct lrs_executor {
	const char *name;            /* "MPI", for messages                  */
	int supports_pruning;
	int runs_at_once;            /* runs this process holds at once (the
	                                memory check): 1 when they run elsewhere */
	/* The repeats of group `group`'s range test (groups in plan order, as
	 * lrs_plan_groups lists them): fills curves[r] as lrs_range_run would
	 * from seeds[r]. */
	int (*repeats)(const lrs_executor *x, size_t group, const lrs_range_config *rc, long repeats,
	               const uint64_t *seeds, lrs_range_curve *curves);
	/* The trials which[0..n) of plan, behaving as lrs_trials_run and
	 * calling the hooks from this thread; called once the bounds are known,
	 * also with n == 0. bounds[0..n_bounds) are the groups' bounds by the
	 * keys of `fields` (lrs_plan_build_grouped). */
	int (*sweep)(const lrs_executor *x, const lrs_plan *plan, const size_t *which, size_t n,
	             const lrs_dataset *ds, int threads, const lrs_trials_hooks *hooks, unsigned fields,
	             const lrs_group_bounds *bounds, size_t n_bounds);
	/* Optional: called by run once its data is loaded and its plan
	 * checked, before the database opens: 0 when every place the work
	 * goes has loaded the same data, else the error (LRS_EINVALID: a
	 * data file missing, unreadable or different there). */
	int (*same_data)(const lrs_executor *x, const lrs_experiment *e, const lrs_dataset *ds);
	void *ctx;
};

/* ------------------------------------------------------------ the range test */

/* What was decided around a range test: which rule's bounds feed the
 * trials - the one asked for, or the first of lrs_pick_fallback that
 * picked when it could not (chosen = -1: none did) - and, when a probe
 * set the linear test's range, its length and answer (stored with the
 * test's repeats). */
typedef struct {
	lrs_pick_rule preferred;     /* range_test.pick or --pick            */
	int chosen;                  /* the rule whose bounds are used, or -1 */
	long probe_iterations;       /* the probe's updates; 0 = none ran    */
	char probe_note[LRS_RANGE_PROBE_NOTE];   /* lrs_range_probe_note's   */
} lrs_range_choice;

/* The probe's answer in words, as stored (range_tests.probe_note) and
 * printed after "the linear test runs A -> B: ": why it chose that range,
 * or "found no range (why)". Returns buf. */
const char *lrs_range_probe_note(char *buf, size_t size, const lrs_pick_result *probe);

/* What the caller shows of a range test as it goes. */
typedef struct {
	void *ctx;
	/* the probe (of probe_iterations updates, planned: it may stop
	 * early) found (probe->ok) or did not find a range: rc is the linear
	 * test that follows */
	void (*probed)(void *ctx, const lrs_pick_result *probe, long probe_iterations, const lrs_range_config *rc);
	/* the test starts: `threads` of this process, 0 when elsewhere */
	void (*starting)(void *ctx, const lrs_range_config *rc, long repeats, long threads);
	/* updates done since the last call; from any thread */
	void (*progress)(void *ctx, long updates);
	/* the test ended (also cut short or failed) */
	void (*ended)(void *ctx);
	/* a warning: the chosen rule stood in for another, or its repeats
	 * spread (the text of lrs_range_note) */
	void (*warn)(void *ctx, const char *rule, const char *text);
} lrs_range_view;

/* One range test as the pipeline runs it: when `auto_range`, a probe
 * first sets rc's start_lr and end_lr (lrs_range_auto) and ch's probe
 * fields; then `repeats` repeats of `base` on `threads` threads
 * (elsewhere when rc->run_repeats is set), every rule, and ch->chosen.
 * `view` may be NULL. */
int lrs_pipeline_range(lrs_range_outcome *o, lrs_range_choice *ch, const lrs_dataset *ds,
                       const lrs_train_config *base, lrs_range_config *rc, int auto_range, long repeats,
                       int threads, const lrs_range_view *view);

/* Rule k's note as printed and stored: its own caveat or reason, after
 * the choice's ("chosen because ... could not pick", "the repeats' picks
 * spread 2.4x ...") when k is the chosen rule. Returns buf or the rule's
 * own text. */
const char *lrs_range_note(char *buf, size_t size, const lrs_range_outcome *o, const lrs_range_choice *ch,
                           int k);

/* Stores the repeats' curves (each with ch's probe, if one ran) and every
 * rule's bounds of group `group_key` ("" with one group) under experiment
 * `exp_id`, one transaction per write; with no pick at all the preferred
 * rule stays marked chosen. */
int lrs_pipeline_range_store(lrs_store *st, int64_t exp_id, const char *group_key, const lrs_range_outcome *o,
                             const lrs_range_config *rc, const lrs_range_choice *ch);

/* The error of a test where no rule picked, naming what to change. */
int lrs_pipeline_no_bounds(const lrs_range_outcome *o, const lrs_range_choice *ch, const lrs_range_config *rc);

/* The range test's settings of experiment e for a run: its ramp with the
 * length in updates, and `base` trained with e's seed and the given model,
 * optimizer and batch size. */
void lrs_pipeline_range_settings(lrs_range_config *rc, lrs_train_config *base, const lrs_experiment *e,
                                 const lrs_dataset *ds, const lrs_net_config *model,
                                 const lrs_optim_config *optim, long batch_size);

/* 0, or an error at range_test.epochs of e's file (exit 2) when that many
 * epochs of batch_size are fewer than the 2 updates a range test needs:
 * a fraction of an epoch on a small data set rounds to 0 or 1. */
int lrs_pipeline_range_length(const lrs_experiment *e, const lrs_range_config *rc, const lrs_dataset *ds,
                              long batch_size);

/* ------------------------------------------------------------ a run */

/* A range-test group of a run, with its bounds once picked. */
typedef struct {
	char *key;                   /* "" with one group                    */
	size_t first, trials;        /* its first trial (stand-in plan), count */
	lrs_train_config base;       /* what its range test trains           */
	double min_lr, max_lr;       /* NAN until picked                     */
	int rule;                    /* the chosen rule, -1 when given/none  */
	char run_key[32];            /* "range-1": its programs' names (an
	                                external trainer's logs)             */
	char *params;                /* an external trainer's params for its
	                                test: its first trial's (JSON)       */
} lrs_pipeline_group;

/* What the caller shows of a run as it goes. Every callback may be NULL. */
typedef struct {
	void *ctx;
	/* a line for the user ("started experiment 3 in results/x.db") */
	void (*note)(void *ctx, const char *text);
	/* a warning that does not stop the run */
	void (*warn)(void *ctx, const char *text);
	/* group g's range test is about to run (k of n) */
	void (*range_group)(void *ctx, const lrs_pipeline_group *g, size_t k, size_t n);
	const lrs_range_view *range;
	/* group g's test ended with outcome o; spe: its steps per epoch */
	void (*range_done)(void *ctx, const lrs_pipeline_group *g, const lrs_range_outcome *o,
	                   const lrs_range_config *rc, const lrs_range_choice *ch, long spe);
	/* the trials start: which[0..n) of plan run, `kept` are kept */
	void (*trials_start)(void *ctx, const lrs_plan *plan, const size_t *which, size_t n, size_t kept);
	void (*trial_start)(void *ctx, size_t i);
	void (*trial_epoch)(void *ctx, size_t i, const lrs_epoch_stats *e);
	/* plan trial i ended and is stored as r */
	void (*trial_end)(void *ctx, size_t i, const lrs_trial_result *r, const lrs_trial_outcome *o);
	void (*trials_end)(void *ctx);
} lrs_pipeline_events;

typedef struct {
	int resume;                  /* continue the latest run of this name */
	double min_lr, max_lr;       /* given bounds; NAN: from range tests  */
	const char *pick;            /* rule name; NULL: range_test.pick     */
	int threads;                 /* <= 0: one per core                   */
	volatile sig_atomic_t *stop; /* a signal handler sets it; may be NULL */
	const lrs_executor *executor;   /* NULL: this process's threads      */
	const lrs_pipeline_events *events;
	const char *log_dir;         /* an external trainer's logs and params
	                                files; NULL: "lrsweep-logs"          */
} lrs_pipeline_options;

typedef struct {
	const lrs_experiment *e;
	const lrs_dataset *ds;
	lrs_pipeline_options opt;
	lrs_plan plan;               /* with stand-in bounds until run picks  */
	int planned;                 /* 1: plan has the real bounds          */
	unsigned fields;             /* the grouping keys that vary          */
	lrs_pipeline_group *groups;  /* (n_groups) in plan order             */
	size_t n_groups;
	lrs_engine *engine;          /* the experiment's trainer: program;
	                                NULL: the built-in model             */
	/* after lrs_pipeline_run */
	int64_t experiment_id;
	int resumed, swept;
	size_t n_run, kept;          /* trials run now / kept from before    */
	size_t counts[LRS_TRIAL_INTERRUPTED + 1];   /* run now, by status    */
	long epochs_run, epochs_planned;
	double sweep_seconds, store_seconds;
} lrs_pipeline;

/* Everything before the store opens: the plan checked (stand-in bounds
 * when the range tests have yet to pick them), its groups, pruning and the
 * executor, and the memory the runs at once need. With an external
 * trainer (trainer: in e), its program is launched once per batch size of
 * the plan to learn its steps per epoch (into ds, the stand-in dataset of
 * lrs_dataset_new_external). Free with lrs_pipeline_free, also on
 * failure. */
int lrs_pipeline_prepare(lrs_pipeline *p, const lrs_experiment *e, lrs_dataset *ds,
                         const lrs_pipeline_options *opt);

/* The runs that go at once - a range test's repeats, then the trials, as
 * many as there are threads (one under an executor that runs them
 * elsewhere) - must fit in memory together: 0, or LRS_ENOMEM saying how
 * much they need. */
int lrs_pipeline_check_memory(const lrs_pipeline *p);

/* The run on store `st` (`db` names it in messages): the experiment begun
 * or resumed, the range tests, bounds, plan, trials, the experiment
 * finished. LRS_EINTERRUPT when *opt.stop turned nonzero (the experiment
 * is stored as interrupted); on another error after the experiment began
 * it is stored as failed. */
int lrs_pipeline_run(lrs_pipeline *p, lrs_store *st, const char *db);

void lrs_pipeline_free(lrs_pipeline *p);

/* Where an external trainer's logs go: beside the database (`db`, the
 * --db flag; NULL: e's db:, else results/NAME.db), its name without .db
 * and with -logs: results/NAME-logs. */
void lrs_pipeline_log_dir(char *buf, size_t size, const lrs_experiment *e, const char *db);

/* The experiments row of e on ds, made by `command` (run, range-test,
 * train). */
lrs_experiment_info lrs_pipeline_experiment_info(const lrs_experiment *e, const lrs_dataset *ds,
                                                 const char *command);

/* The stored form of a trial's outcome: its result in *tr (error points
 * into o) and its epoch rows in *rows (o->n_epochs of them, calloc'd: the
 * caller frees), each epoch's momentum from `sched` where it cycles it. */
int lrs_pipeline_trial_rows(lrs_trial_result *tr, lrs_epoch_row **rows, const lrs_trial_outcome *o,
                            const lrs_sched *sched);

/* ------------------------------------------------------------ one run */

/* One training run outside trials (`lrsweep train`). */
typedef struct {
	const char *schedule;        /* its type; NULL: constant             */
	const lrs_node *params;      /* its parameters (lr among them)       */
	long epochs;                 /* 0: trials.epochs when a number, else 10 */
	long seed;                   /* < 0: the experiment's                */
	double min_lr, max_lr;       /* what @min and @max stand for; NAN: unknown */
} lrs_single_options;

typedef struct {
	const lrs_experiment *e;
	const lrs_dataset *ds;
	lrs_train_config cfg;        /* what trains                          */
	lrs_plan plan;               /* its one trial                        */
	lrs_train_hooks hooks;       /* the caller's                         */
	lrs_epoch_stats *epochs;     /* (n_epochs) every finished epoch      */
	size_t n_epochs, cap;
	int failed;                  /* out of memory keeping them           */
	/* after lrs_single_run */
	int64_t experiment_id, trial_id;
	lrs_train_result result;
} lrs_single;

/* Everything before the store opens: the schedule built (a schedule
 * defined for fewer steps than the run has is LRS_EINVALID), the plan of
 * one trial, the memory it needs. Free with lrs_single_free, also on
 * failure. */
int lrs_single_prepare(lrs_single *s, const lrs_experiment *e, const lrs_dataset *ds,
                       const lrs_single_options *o);

/* Trains and stores the run on `st`: an experiment of one trial begun
 * before training, ended with the result and epochs (interrupted when
 * hooks->on_step stopped it: result.status LRS_RUN_STOPPED). A run that
 * fails is stored as failed with the reason, which is also the error
 * returned. The hooks see each step and epoch. */
int lrs_single_run(lrs_single *s, lrs_store *st, const lrs_train_hooks *hooks);

void lrs_single_free(lrs_single *s);

#endif
