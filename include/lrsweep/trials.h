/* trials.h - runs trials of a plan on the runner's threads (SPEC §5): one
 * trial per thread, handed out dynamically, each with its own seeded
 * initialisation and shuffling, so results never depend on the thread
 * count. The callbacks are how results leave: they run one at a time
 * (under a lock of their own, never the one the pruning decisions wait
 * on), so a single database connection can store everything while the
 * other trials train, report epochs and are judged. */
#ifndef LRSWEEP_TRIALS_H
#define LRSWEEP_TRIALS_H

#include <signal.h>
#include <stddef.h>

#include "lrsweep/data.h"
#include "lrsweep/plan.h"
#include "lrsweep/prune.h"
#include "lrsweep/train.h"

/* How a trial ended. */
/* Who trains a trial, as trials.worker stores it: "HOST/thread T", or
 * "HOST/rank R/thread T" when rank >= 0. HOST is `host`, or this machine's
 * name (gethostname) when NULL. */
#define LRS_WORKER_SIZE 160
void lrs_worker_name(char *buf, size_t size, const char *host, int rank, int thread);

typedef struct {
	const lrs_train_result *result;  /* NULL when it never trained; with
	                                    error, what the run reached
	                                    before it failed                 */
	const lrs_epoch_stats *epochs;   /* (n_epochs) every finished epoch  */
	size_t n_epochs;
	int interrupted;                 /* stopped by *stop                 */
	int pruned;                      /* stopped by the pruning rule      */
	const char *error;               /* why it failed (status failed),
	                                    or NULL                          */
} lrs_trial_outcome;

typedef struct {
	void *ctx;
	/* Before plan trial `i` trains, with who trains it (`worker`:
	 * "HOST/thread T"; under lrsweep-mpi "HOST/rank R/thread T"); nonzero
	 * fails the sweep (LRS_ERROR with the thread's message) - no further
	 * trial starts. */
	int (*on_start)(void *ctx, size_t i, const char *worker);
	/* After each epoch of trial `i` (progress). */
	void (*on_epoch)(void *ctx, size_t i, const lrs_epoch_stats *e);
	/* After trial `i` ended, however; nonzero fails the sweep as above. */
	int (*on_finish)(void *ctx, size_t i, const lrs_trial_outcome *o);
	/* When *stop turns nonzero (a signal handler sets it) running trials
	 * stop after their current step and report interrupted; trials not yet
	 * started are skipped. May be NULL. */
	volatile sig_atomic_t *stop;
} lrs_trials_hooks;

/* What earlier runs left of the plan's other trials (resuming): per plan
 * trial, the validation accuracy of each epoch it finished (NULL: none).
 * Pruning judges against them as against trials of this sweep. */
typedef struct {
	const long *epochs;               /* (plan n) epochs stored          */
	const double *const *val_accuracy; /* (plan n) each (epochs[i])      */
} lrs_trials_prior;

/* Runs trials which[0..n) (in increasing plan order) of `plan` on
 * `threads` threads (<= 0: one per core), pruning by `prune` (NULL: none).
 * Trials start in the order of `which`. Each trial's callbacks come in
 * order from the thread that trains it: on_start, on_epoch per epoch,
 * on_finish once; a trial skipped (stopped or failed sweep) gets none. A trial judged at an epoch is
 * compared with the trials before it in the plan that reached that epoch,
 * waiting until each of those has reached it or ended: the decisions are
 * those of running the trials one after another, whatever the thread
 * count. Returns 0 when every trial ran (diverged and failed trials
 * included: they are outcomes, reported to on_finish), or the error of a
 * callback that failed. */
int lrs_trials_run(const lrs_plan *plan, const size_t *which, size_t n, const lrs_dataset *ds,
                   int threads, const lrs_prune_config *prune, const lrs_trials_prior *prior,
                   const lrs_trials_hooks *hooks);

#endif
