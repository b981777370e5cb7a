/* rangetest.h - the LR range test of Smith's CLR paper (SPEC §4): one run
 * of the training loop while the rate ramps from start_lr to end_lr,
 * logging the rate, the raw and smoothed training loss at every step and
 * the validation accuracy every eval_every steps, stopping early when the
 * smoothed loss exceeds stop_factor times its minimum or the loss is no
 * longer finite. The model it trains is its own and is discarded: nothing
 * it does changes what a later run starts from. Picking bounds from the
 * curve is pick.h's job; running repeats in parallel is the runner's. */
#ifndef LRSWEEP_RANGETEST_H
#define LRSWEEP_RANGETEST_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "lrsweep/data.h"
#include "lrsweep/pick.h"
#include "lrsweep/train.h"

typedef enum { LRS_RAMP_LINEAR, LRS_RAMP_EXPONENTIAL } lrs_ramp;

typedef struct {
	long n;                 /* points recorded                             */
	double *lr;             /* (n) rate of the update                      */
	double *loss;           /* (n) training loss of its batch              */
	double *smoothed_loss;  /* (n) bias-corrected EMA of loss              */
	double *accuracy;       /* (n) validation accuracy after the update,
	                           NAN between evaluations                     */
	long stopped_at;        /* the update where it stopped early, or -1    */
	int diverged;           /* 1 when the loss turned NaN or infinite      */
	double wall_seconds;
} lrs_range_curve;

typedef struct lrs_range_config lrs_range_config;

struct lrs_range_config {
	lrs_ramp mode;          /* linear (the paper's) or exponential (fastai's) */
	double start_lr;        /* rate of the first update                    */
	double end_lr;          /* rate of the last update                     */
	long iterations;        /* updates in the whole ramp                   */
	long eval_every;        /* steps between accuracy evaluations          */
	size_t eval_samples;    /* validation samples per evaluation (0 = all) */
	double smoothing;       /* EMA factor beta of the loss, in [0, 1)      */
	double stop_factor;     /* stop once smoothed loss > this x its minimum;
	                           0 = never stop early                        */
	/* Optional: told of progress, from the thread running the repeat, every
	 * LRS_RANGE_PROGRESS_EVERY updates and when the repeat ends, with the
	 * updates done since its previous call. Must be thread-safe. */
	void (*progress)(void *ctx, long updates);
	void *progress_ctx;
	/* Optional: runs the repeats elsewhere (lrsweep-mpi hands them to its
	 * ranks) instead of on this process's threads: must fill curves[r] as
	 * lrs_range_run would from seeds[r], for r in [0, repeats). */
	int (*run_repeats)(void *ctx, const lrs_range_config *rc, long repeats, const uint64_t *seeds,
	                   lrs_range_curve *curves);
	void *run_repeats_ctx;
	/* Optional: when *stop turns nonzero (a signal handler sets it), every
	 * repeat ends after its current update, its curve cut short there, and
	 * lrs_range_test returns LRS_EINTERRUPT without reading the curves. */
	volatile sig_atomic_t *stop;
	/* The trials' length in epochs: with the training set's steps per epoch
	 * at the test's batch size it gives combined the trials' length against
	 * the ramp's (lrs_pick_curve.horizon). 0: unknown, no correction. */
	long trial_epochs;
};

#define LRS_RANGE_PROGRESS_EVERY 16

/* One test's curve: point i is update i. */

/* The rate of update i of the ramp: linear interpolation, or geometric for
 * exponential, from start_lr (i = 0) to end_lr (i = iterations - 1). */
double lrs_range_lr(const lrs_range_config *rc, long i);

/* Checks a configuration: LRS_EINVALID with a message naming the field. */
int lrs_range_check(const lrs_range_config *rc);

/* Runs one range test with the model, optimizer, batch size and seed of
 * `base` (its schedule, epochs and max_steps are replaced by the ramp).
 * Returns 0 with `out` filled (free it with lrs_range_curve_free), or an
 * error before training starts. */
int lrs_range_run(lrs_range_curve *out, const lrs_dataset *ds, const lrs_train_config *base,
                  const lrs_range_config *rc);

/* Frees the arrays of a curve; accepts a zeroed curve. */
void lrs_range_curve_free(lrs_range_curve *c);

/* ---- repeats: independent tests, their mean curve and every rule's pick */

typedef struct {
	long repeats;
	lrs_range_curve *curves;   /* (repeats) one per repeat                  */
	uint64_t *seeds;           /* (repeats) the seed of each                */
	long n;                    /* points of the mean curve: the shortest
	                              repeat's                                 */
	double *lr;                /* (n) the ramp                              */
	double *loss;              /* (n) mean over repeats                     */
	double *smoothed_loss;     /* (n) mean over repeats                     */
	double *accuracy;          /* (n) mean where every repeat evaluated     */
	lrs_pick_result picks[LRS_PICK__COUNT];   /* each rule on the mean curve */
	double min_spread[LRS_PICK__COUNT];       /* max/min ratio of the
	                                             per-repeat picks; NAN with
	                                             fewer than 2 picks          */
	double max_spread[LRS_PICK__COUNT];
	double wall_seconds;       /* of the whole test, repeats in parallel    */
} lrs_range_outcome;

/* Runs `repeats` independent range tests (repeat r trains from seed
 * lrs_range_seed(base->seed, r)) on `threads` threads, averages their
 * curves point by point up to the shortest, and runs every rule on the mean
 * curve and on each repeat (for the spread). Free with
 * lrs_range_outcome_free. LRS_EINTERRUPT (and nothing in *out) when
 * rc->stop turned nonzero. */
int lrs_range_test(lrs_range_outcome *out, const lrs_dataset *ds, const lrs_train_config *base,
                   const lrs_range_config *rc, long repeats, int threads);

/* The seed of repeat r. */
uint64_t lrs_range_seed(uint64_t seed, long r);

void lrs_range_outcome_free(lrs_range_outcome *o);

/* ---- the probe: where the linear test should look, when no range is given */

#define LRS_RANGE_PROBE_START       1e-7  /* fastai's lr_find range       */
#define LRS_RANGE_PROBE_END         10.0
#define LRS_RANGE_PROBE_ITERATIONS  200   /* updates of the probe, at
                                             least                        */
#define LRS_RANGE_PROBE_EVALS       20    /* its accuracy evaluations     */
#define LRS_RANGE_PROBE_MEMORY      10.0  /* the probe lengthens when the
                                             momentum's memory, 1/(1-beta)
                                             updates, exceeds this ...    */
#define LRS_RANGE_PROBE_MAX_SCALE   10.0  /* ... by that ratio, up to this
                                             many times                   */
#define LRS_RANGE_PROBE_RETRY       5     /* a probe that found no range,
                                             or no learning, runs again
                                             this many times longer (at
                                             most the longest probe,
                                             MAX_SCALE x 200; not when
                                             that is under twice it)      */
#define LRS_RANGE_AUTO_ITERATIONS   500   /* fewest updates of the linear
                                             test that follows a probe    */

/* The probe's length for an optimizer: LRS_RANGE_PROBE_ITERATIONS, times
 * the momentum's memory (1/(1 - momentum) for SGD, 1/(1 - beta1) for
 * Adam and AdamW) over LRS_RANGE_PROBE_MEMORY when that is above 1 (at
 * most LRS_RANGE_PROBE_MAX_SCALE times). A momentum buffer applies the
 * current rate to gradients of the last 1/(1-beta) updates: over a ramp
 * that climbs a decade in fewer updates than that, it overshoots at rates
 * a constant-rate run trains at. */
long lrs_range_probe_iterations(const lrs_optim_config *o);

/* Runs one short exponential test (LRS_RANGE_PROBE_START to _END over
 * `iterations` updates, the accuracy evaluated every twentieth of them;
 * smoothing, stop_factor and eval_samples of `linear`, the model,
 * optimizer, batch size and seed of `base`) and reads it with
 * lrs_pick_probe, a uniform guess's loss being ln(ds->classes):
 * out->min_lr/max_lr is the range of the linear test, or out->ok is 0 with
 * the reason. Returns lrs_pick_probe's answer (LRS_PICK_PROBE_UNLEARNED
 * when the loss stayed far above a uniform guess's), or an error when
 * training could not start. */
int lrs_range_probe(lrs_pick_result *out, const lrs_dataset *ds, const lrs_train_config *base,
                    const lrs_range_config *linear, long iterations);

/* The probe applied: runs lrs_range_probe over
 * lrs_range_probe_iterations updates; when that finds no range (a loss
 * that never fell: a model slow to start, such as a LeNet with SGD, moves
 * only once the ramp has passed its rates) or a loss that stayed over
 * LRS_PICK_PROBE_CHANCE x a uniform guess's (it only fell from a blown-up
 * start, as with unnormalized features), once more over LRS_RANGE_PROBE_RETRY times as
 * many updates (at most the longest probe). The longer probe's range is
 * used when it found one, else the shorter's. When a probe found a range,
 * sets rc's start_lr and end_lr to it; in every case raises rc's
 * iterations to at least LRS_RANGE_AUTO_ITERATIONS. `probe` receives the
 * answer used, its why saying what the other probe of a retry found,
 * `iterations` (may be NULL) the length of its probe. Deterministic (the
 * probes are seeded): lrsweep-mpi's rank 0 calls it and broadcasts rc's
 * range and length. */
int lrs_range_auto(lrs_range_config *rc, lrs_pick_result *probe, long *iterations, const lrs_dataset *ds,
                   const lrs_train_config *base);

#endif
