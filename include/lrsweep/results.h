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
 * Grouped by factors instead (lrs_results_opts.by: "schedule",
 * "batch_size", "optimizer.type", "params.width", "schedule.step_size"),
 * a group is every trial that shares those keys' values, whatever the
 * rest: the same comparison then runs over the groups, each completed
 * trial counting once (the seeds and the other keys' values alike).
 *
 * The grouping, labels and statistics are pure (lrs_results_build); only
 * lrs_results_load reads the store. No globals; not thread-safe per
 * object. */
#ifndef LRSWEEP_RESULTS_H
#define LRSWEEP_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "lrsweep/store.h"

#define LRS_RESULTS_MAX_BY 8     /* keys a comparison may group by */

/* What the comparison ranks by, and which trials it takes. */
typedef struct {
	const char *metric;             /* best_val_accuracy (NULL), final_val_accuracy,
	                                   test_accuracy, final_val_loss,
	                                   final_train_loss; losses rank low first */
	const char *schedule;           /* compare only this type; NULL: all */
	double target_accuracy;         /* NAN, or the accuracy whose first
	                                   iteration is averaged (reach)     */
	const char *const *by;          /* (n_by <= LRS_RESULTS_MAX_BY) keys
	                                   to group by, as lrs_results_values
	                                   names them; none: by configuration */
	size_t n_by;
} lrs_results_opts;

/* One configuration, or one group of a grouping by factors. Every pointer
 * is owned by the lrs_results. */
typedef struct {
	const char *schedule;           /* its trials' type ("" for a group)  */
	const char *params, *hyper;     /* JSON, as stored ("{}" for a group) */
	char **values;                  /* a group: (n_by) each key's value as
	                                   JSON, NULL where its trials lack
	                                   the key; a configuration: NULL    */
	size_t n_distinct;              /* a group: the configurations among
	                                   its completed trials; else 1      */
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
	char **by;                      /* (n_by) the keys grouped by, or NULL */
	size_t n_by;
} lrs_results;

/* Groups `trials` (taken over: freed with *out) into configurations (or
 * by opts->by), labels them and compares them as `opts` says (NULL: best
 * validation accuracy, every schedule, no target). An unknown metric is
 * LRS_EINVALID, and so is a key of opts->by that no trial has ("unknown
 * key 'x' for --by; the trials have: schedule, batch_size, ..."); on
 * failure `trials` is freed too. A group's label is its value ("constant",
 * "64", "[32, 32]", "-" where absent), or "k=v, k=v" for several keys;
 * with opts->schedule, only the trials of that type are grouped. */
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

/* Trial t's value of r->metric (NAN: none). */
double lrs_results_metric(const lrs_results *r, const lrs_trial_row *t);

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

/* ------------------------------------------------------------ keys */

/* The values of `n_keys` keys in every trial of r: (r->trials.n x n_keys)
 * strings, row by row, each the value as JSON ("64", "\"sgd\"",
 * "[32, 32]"), NULL where the trial lacks the key. A key is "schedule"
 * (the type), "schedule.NAME" (a resolved schedule parameter), or a
 * dotted path into the stored hyperparameters: "batch_size",
 * "optimizer.weight_decay", "model.hidden", "params.NAME" (an external
 * trainer's). Free with lrs_results_values_free; NULL out of memory. */
char **lrs_results_values(const lrs_results *r, const char *const *keys, size_t n_keys);
void lrs_results_values_free(char **values, size_t n);

/* Every key some trial of r has, in the order first met, as one string
 * "schedule, schedule.lr, ..., batch_size, model.hidden" (free it; NULL
 * out of memory). */
char *lrs_results_keys(const lrs_results *r);

/* A value of lrs_results_values as people read it: strings unquoted,
 * numbers to 4 significant digits, "-" for NULL. Free it. */
char *lrs_results_value_text(const char *json);

/* A key the experiment searched (lrs_results_searched). */
typedef struct {
	char *key;                      /* as lrs_results_values names it    */
	int log;                        /* drawn log-uniformly: a log axis   */
} lrs_search_key;

/* The keys experiment file `config` (its text as stored) searches and
 * whose values differ between r's trials, in the file's order: every
 * trials.space key and external params: key, and every schedule
 * parameter, written as a grid or a distribution ({grid: ...},
 * {choice: ...}, {uniform: ...}, {log_uniform: ...}, ...), and
 * "schedule" first when the trials have several types (whatever the file
 * says: one that does not parse searches nothing else). *out is NULL and
 * *n 0 for none. Returns 0 or LRS_ENOMEM. */
int lrs_results_searched(lrs_search_key **out, size_t *n, const lrs_results *r, const char *config);
void lrs_search_keys_free(lrs_search_key *k, size_t n);

/* A stored JSON object as people read it: "lr=0.05, factor=1" (strings
 * unquoted, numbers to 4 significant digits, nested values kept). Free
 * it; NULL out of memory. */
char *lrs_results_readable(const char *json);

#endif
