/* results.h - an experiment's trials compared (SPEC §2, "which schedule
 * won, by how much, over how many seeds?"): what `query compare`,
 * `query trials`, `plot`, `report` and `run`'s leaderboard all show, from
 * one place, so that they agree.
 *
 * A configuration is a trial but for its seed: the same schedule type,
 * resolved schedule parameters (params) and other hyperparameters (hyper),
 * as stored. Each configuration has
 *   - one label: its type and the values that tell it from the others
 *     (lrs_results_labels), computed over every configuration of the
 *     experiment, so that a configuration is named alike whatever a
 *     command shows of it;
 *   - one style: the line style (colour, then dash pattern) of plot.h,
 *     in the order the configurations were planned (their first trial),
 *     the same in every figure;
 *   - the comparison over its completed trials: n, mean, sample sd and
 *     Student's t 95 % half-width of a metric and of the test accuracy,
 *     its rank, and Welch's p against the best.
 *
 * The grouping, labels and statistics are pure (lrs_results_build); only
 * lrs_results_load reads the store. No globals; not thread-safe per
 * object. */
#ifndef LRSWEEP_RESULTS_H
#define LRSWEEP_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "lrsweep/store.h"

/* What the comparison ranks by, and which trials it takes. */
typedef struct {
	const char *metric;             /* best_val_accuracy (NULL), final_val_accuracy,
	                                   test_accuracy, final_val_loss,
	                                   final_train_loss; losses rank low first */
	const char *schedule;           /* compare only this type; NULL: all */
	double target_accuracy;         /* NAN, or the accuracy whose first
	                                   iteration is averaged (reach)     */
} lrs_results_opts;

/* One configuration. Every pointer is owned by the lrs_results. */
typedef struct {
	const char *schedule;           /* its trials' type                  */
	const char *params, *hyper;     /* JSON, as stored                   */
	char *label;                    /* lrs_results_labels' name          */
	int style;                      /* line style: its index in plan order */
	size_t *trials;                 /* (n_trials) indices in trials.items,
	                                   in id order                       */
	size_t n_trials;
	/* over its completed trials (compared ones only, else n = 0) */
	size_t n;                       /* values of the metric              */
	double mean, sd, ci95;          /* NAN: none (sd, ci95: n < 2)       */
	size_t n_test;
	double mean_test, sd_test, ci95_test;
	size_t n_reach;                 /* trials that reached the target    */
	double mean_reach;              /* mean iteration of reaching it     */
	double p;                       /* Welch's p against the best (1 for
	                                   the best; NAN: one seed)          */
	int same;                       /* best, or p >= 0.05                */
	size_t rank;                    /* 1 = best; 0: not compared         */
} lrs_result_config;

typedef struct {
	lrs_trial_rows trials;          /* every trial of the experiment, in id order */
	lrs_result_config *configs;     /* (n_configs) in plan order         */
	size_t n_configs;
	size_t *ranked;                 /* (n_ranked) indices in configs, best
	                                   first: the compared configurations */
	size_t n_ranked;
	const char *metric;             /* what ranks them                   */
	int ascending;                  /* 1: lower is better (a loss)       */
} lrs_results;

/* Groups `trials` (taken over: freed with *out) into configurations,
 * labels them and compares them as `opts` says (NULL: best validation
 * accuracy, every schedule, no target). An unknown metric is
 * LRS_EINVALID; on failure `trials` is freed too. */
int lrs_results_build(lrs_results *out, lrs_trial_rows *trials, const lrs_results_opts *opts);

/* Reads every trial of experiment `experiment_id` and builds the results. */
int lrs_results_load(lrs_results *out, lrs_store *st, int64_t experiment_id, const lrs_results_opts *opts);

void lrs_results_free(lrs_results *r);

/* The configuration that trial `trial_index` (in r->trials.items) belongs to. */
const lrs_result_config *lrs_results_config_of(const lrs_results *r, size_t trial_index);

/* The completed trials that have a value of r->metric, best first (ties:
 * the lower final validation loss, none first as SQL orders NULL, then the
 * earlier trial): up to `cap` of their indices in r->trials.items into
 * out. Returns how many. */
size_t lrs_results_best_trials(const lrs_results *r, size_t *out, size_t cap);

/* Whether `metric` is one lrs_results_opts takes. */
int lrs_results_metric_known(const char *metric);

/* The label of n configurations: the schedule type, then " k=v, k=v" for
 * the schedule parameters whose values tell it from another configuration
 * of the same type, then "; k=v" for the hyperparameters whose values
 * differ between any configurations: "constant lr=0.03238",
 * "one_cycle", "constant lr=0.008094; batch_size=64". Numbers are shown to
 * 4 significant digits. `hyper` may be NULL. Returns n strings (free each,
 * then the array), or NULL out of memory. */
char **lrs_results_labels(const char *const *schedule, const char *const *params, const char *const *hyper,
                          size_t n);

/* A stored JSON object as people read it: "lr=0.05, factor=1" (strings
 * unquoted, numbers to 4 significant digits, nested values kept). Free
 * it; NULL out of memory. */
char *lrs_results_readable(const char *json);

#endif
