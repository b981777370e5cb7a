/* tpe.h - the tree-structured Parzen estimator (Bergstra et al. 2011), the
 * sampler of `search: {strategy: tpe}` (SPEC §5, docs/search.md).
 *
 * It follows Optuna 3.1's TPESampler with its defaults: univariate Parzen
 * estimators, n_startup_trials 10, n_ei_candidates 24, gamma(n) =
 * min(ceil(0.1 n), 25), prior_weight 1, consider_magic_clip on,
 * consider_endpoints off, the default weights' ramp; log-scaled, integer
 * and categorical dimensions; conditional dimensions (a value that does
 * not apply to an observation is NAN in it); pruned observations ranked
 * by how far they got, then by their last value, as Optuna ranks them.
 *
 * Pure: observations and a seeded generator in, one point out; no
 * threads, no I/O, no globals. The caller decides which observations
 * exist when, which is what makes a search reproducible (the pipeline
 * proposes in fixed batches from the trials finished before them). */
#ifndef LRSWEEP_TPE_H
#define LRSWEEP_TPE_H

#include <stddef.h>

#include "lrsweep/rng.h"

/* A dimension of the search space. */
typedef enum {
	LRS_TPE_FLOAT,             /* uniform in [lo, hi]                       */
	LRS_TPE_LOG,               /* log-uniform in [lo, hi], 0 < lo           */
	LRS_TPE_INT,               /* whole numbers lo..hi                      */
	LRS_TPE_CHOICE             /* index 0..choices-1                        */
} lrs_tpe_kind;

typedef struct {
	lrs_tpe_kind kind;
	double lo, hi;             /* FLOAT, LOG, INT: the range, ends included */
	size_t choices;            /* CHOICE: how many (>= 1)                   */
} lrs_tpe_dim;

/* How an observation ended, which sets its rank: completed ones by value,
 * then pruned ones by the step they reached (further is better), then by
 * their last value; diverged ones below all of those; pending ones (the
 * constant liar: proposed, not finished) always among the worse. */
typedef enum {
	LRS_TPE_COMPLETE,
	LRS_TPE_PRUNED,
	LRS_TPE_DIVERGED,
	LRS_TPE_PENDING
} lrs_tpe_state;

typedef struct {
	const double *x;           /* (n_dims) its values (CHOICE: the index);
	                              NAN where a dimension does not apply    */
	lrs_tpe_state state;
	long step;                 /* PRUNED: the last step it reported       */
	double value;              /* higher is better; NAN ranks last of its
	                              state                                   */
} lrs_tpe_obs;

typedef struct {
	long startup;              /* finished observations before the model
	                              takes over from random draws (10)       */
	long candidates;           /* draws from l(x) per dimension (24)      */
	double prior_weight;       /* weight of the prior component (1.0)     */
	int magic_clip;            /* consider_magic_clip (1)                 */
	int endpoints;             /* consider_endpoints (0)                  */
} lrs_tpe_config;

/* Optuna's defaults. */
void lrs_tpe_defaults(lrs_tpe_config *c);

/* Optuna's default gamma: how many of n finished observations are the
 * good ones, min(ceil(0.1 n), 25). */
long lrs_tpe_gamma(long n);

/* Proposes x[0..n_dims) from obs[0..n) (in the order they were proposed,
 * which sets the weights' ramp): uniformly at random while fewer than
 * c->startup of them have finished (pending ones do not count); after
 * that, for each dimension on its own, the candidate of c->candidates
 * drawn from l(x) (the good observations' estimator) with the highest
 * l(x)/g(x). Draws only from rng. 0, or LRS_ENOMEM. */
int lrs_tpe_propose(double *x, const lrs_tpe_dim *dims, size_t n_dims, const lrs_tpe_obs *obs, size_t n,
                    const lrs_tpe_config *c, lrs_rng *rng);

/* Which of obs[0..n) are the good ones: below[i] = 1 for the best
 * gamma(finished) of them by the ranking above (ties: the older first). 0,
 * or LRS_ENOMEM. */
int lrs_tpe_split(char *below, const lrs_tpe_obs *obs, size_t n);

/* One value of dimension d drawn at random (the startup's draws). */
double lrs_tpe_random(const lrs_tpe_dim *d, lrs_rng *rng);

#endif
