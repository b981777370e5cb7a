/* test_results.c - the results module (src/results): trials grouped into
 * configurations, one label each, line styles in plan order, and the
 * comparison (mean, sd, Student's t 95 % interval, Welch's test against
 * the best) against numbers worked out by hand. No store: the trials are
 * built here as lrs_store_trials_read would return them. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/results.h"
#include "suites.h"

/* One trial of the fixture. */
typedef struct {
	int64_t id;
	const char *schedule, *params, *hyper;
	lrs_trial_status status;
	double val, test, loss;
} fixture;

/* Four configurations, ids interleaved as a plan runs them:
 *   A  constant lr=0.1,   batch 32: val 0.80, 0.84; test 0.70, 0.72
 *   B  constant lr=0.025, batch 32: val 0.70, 0.74; test 0.60, - (none)
 *   C  one_cycle,         batch 64: val 0.50 (one seed)
 *   D  constant lr=0.5,   batch 32: pruned only (never compared) */
#define P_A "{\"lr\": 0.1, \"factor\": 1}"
#define P_B "{\"lr\": 0.025, \"factor\": 1}"
#define P_C "{\"max_lr\": 0.1}"
#define P_D "{\"lr\": 0.5, \"factor\": 1}"
#define H32 "{\"batch_size\": 32}"
#define H64 "{\"batch_size\": 64}"
static const fixture trials[] = {
	{ 1, "constant", P_A, H32, LRS_TRIAL_COMPLETED, 0.80, 0.70, 0.60 },
	{ 2, "constant", P_B, H32, LRS_TRIAL_COMPLETED, 0.70, 0.60, 0.90 },
	{ 3, "one_cycle", P_C, H64, LRS_TRIAL_COMPLETED, 0.50, NAN, 1.20 },
	{ 4, "constant", P_A, H32, LRS_TRIAL_COMPLETED, 0.84, 0.72, 0.50 },
	{ 5, "constant", P_B, H32, LRS_TRIAL_COMPLETED, 0.74, NAN, 0.80 },
	{ 6, "constant", P_D, H32, LRS_TRIAL_PRUNED, NAN, NAN, NAN },
};
#define N_TRIALS (sizeof trials / sizeof trials[0])

/* The fixture's trials in the order `order` gives (indices). */
static lrs_trial_rows make_rows(const size_t *order)
{
	lrs_trial_rows rows = { calloc(N_TRIALS, sizeof *rows.items), N_TRIALS };

	ck_assert_ptr_nonnull(rows.items);
	for (size_t i = 0; i < N_TRIALS; i++) {
		const fixture *f = &trials[order ? order[i] : i];
		lrs_trial_row *t = &rows.items[i];
		t->id = f->id;
		t->schedule = strdup(f->schedule);
		t->params = strdup(f->params);
		t->hyper = strdup(f->hyper);
		t->seed = f->id;
		t->status = f->status;
		t->best_val_accuracy = f->val;
		t->test_accuracy = f->test;
		t->final_val_loss = f->loss;
		t->final_val_accuracy = t->final_train_loss = t->wall_seconds = t->reach = NAN;
	}
	return rows;
}

static lrs_results build(const size_t *order, const lrs_results_opts *o)
{
	lrs_trial_rows rows = make_rows(order);
	lrs_results r;

	ck_assert_int_eq(lrs_results_build(&r, &rows, o), 0);
	ck_assert_int_eq(r.n_configs, 4);
	return r;
}

/* The configuration of the given params. */
static const lrs_result_config *config(const lrs_results *r, const char *params)
{
	for (size_t k = 0; k < r->n_configs; k++)
		if (!strcmp(r->configs[k].params, params))
			return &r->configs[k];
	ck_abort_msg("no configuration %s", params);
	return NULL;
}

START_TEST(grouping_and_plan_order)
{
	lrs_results r = build(NULL, NULL);

	/* in the order of each one's first trial: A (1), B (2), C (3), D (6) */
	const char *order[] = { P_A, P_B, P_C, P_D };
	for (size_t k = 0; k < 4; k++) {
		ck_assert_str_eq(r.configs[k].params, order[k]);
		ck_assert_int_eq(r.configs[k].style, (int)k);
	}
	ck_assert_int_eq(config(&r, P_A)->n_trials, 2);
	ck_assert_int_eq(config(&r, P_C)->n_trials, 1);
	/* trial 4 (index 3) belongs to A */
	ck_assert_ptr_eq(lrs_results_config_of(&r, 3), config(&r, P_A));
	lrs_results_free(&r);
}
END_TEST

START_TEST(labels)
{
	lrs_results r = build(NULL, NULL);

	/* the type, the schedule parameters that differ within it (lr, not
	 * factor), the hyperparameters that differ anywhere (batch_size) */
	ck_assert_str_eq(config(&r, P_A)->label, "constant lr=0.1; batch_size=32");
	ck_assert_str_eq(config(&r, P_B)->label, "constant lr=0.025; batch_size=32");
	ck_assert_str_eq(config(&r, P_C)->label, "one_cycle; batch_size=64");
	ck_assert_str_eq(config(&r, P_D)->label, "constant lr=0.5; batch_size=32");
	lrs_results_free(&r);

	/* the labelling function alone: nothing differs, the type alone */
	const char *s[] = { "constant", "one_cycle" }, *p[] = { P_A, P_C }, *h[] = { H32, H32 };
	char **l = lrs_results_labels(s, p, h, 2);
	ck_assert_ptr_nonnull(l);
	ck_assert_str_eq(l[0], "constant");
	ck_assert_str_eq(l[1], "one_cycle");
	free(l[0]);
	free(l[1]);
	free(l);
}
END_TEST

START_TEST(statistics)
{
	lrs_results r = build(NULL, NULL);
	const lrs_result_config *a = config(&r, P_A), *b = config(&r, P_B), *c = config(&r, P_C);
	/* t(0.975, 1) = tan(0.475 pi): the Cauchy quantile */
	const double t1 = tan(0.475 * M_PI);

	/* A: 0.80, 0.84: mean 0.82, sd sqrt(0.0008), 95 % half-width t1 * sd / sqrt 2 = t1 * 0.02 */
	ck_assert_int_eq(a->n, 2);
	ck_assert_double_eq_tol(a->mean, 0.82, 1e-12);
	ck_assert_double_eq_tol(a->sd, sqrt(0.0008), 1e-12);
	ck_assert_double_eq_tol(a->ci95, t1 * 0.02, 1e-6);
	ck_assert_double_eq_tol(a->mean_test, 0.71, 1e-12);
	ck_assert_double_eq_tol(a->ci95_test, t1 * 0.01, 1e-6);
	/* B: the test accuracy of one seed only: a mean without an interval */
	ck_assert_int_eq(b->n_test, 1);
	ck_assert_double_eq_tol(b->mean_test, 0.60, 1e-12);
	ck_assert(isnan(b->ci95_test));
	/* C: one seed: no sd, no interval */
	ck_assert(isnan(c->sd) && isnan(c->ci95));
	lrs_results_free(&r);
}
END_TEST

START_TEST(ranking_and_welch)
{
	lrs_results r = build(NULL, NULL);
	const lrs_result_config *a = config(&r, P_A), *b = config(&r, P_B), *c = config(&r, P_C);

	ck_assert_int_eq(r.n_ranked, 3);   /* D has no completed trial */
	ck_assert_int_eq(config(&r, P_D)->rank, 0);
	ck_assert_ptr_eq(&r.configs[r.ranked[0]], a);
	ck_assert_int_eq(a->rank, 1);
	ck_assert_int_eq(b->rank, 2);
	ck_assert_int_eq(c->rank, 3);
	ck_assert_double_eq(a->p, 1);
	ck_assert(a->same);
	/* B against A: equal sd, n = 2 each, so Welch's df is exactly 2;
	 * t^2 = 0.1^2 / (0.0008/2 + 0.0008/2) = 12.5, and with df 2
	 * p = 1 - t / sqrt(2 + t^2) = 1 - sqrt(25/29) */
	ck_assert_double_eq_tol(b->p, 1 - sqrt(25.0 / 29), 1e-9);
	ck_assert(b->same);   /* p = 0.0715 >= 0.05 */
	/* C: one seed, no test */
	ck_assert(isnan(c->p));
	ck_assert(!c->same);
	lrs_results_free(&r);
}
END_TEST

START_TEST(loss_ranks_low_first)
{
	lrs_results_opts o = { .metric = "final_val_loss", .target_accuracy = NAN };
	lrs_results r = build(NULL, &o);

	/* mean losses: A 0.55, B 0.85, C 1.2 */
	ck_assert_str_eq(r.configs[r.ranked[0]].params, P_A);
	ck_assert_double_eq_tol(r.configs[r.ranked[0]].mean, 0.55, 1e-12);
	ck_assert_str_eq(r.configs[r.ranked[2]].params, P_C);
	lrs_results_free(&r);

	lrs_results_opts only = { .schedule = "one_cycle", .target_accuracy = NAN };
	r = build(NULL, &only);
	ck_assert_int_eq(r.n_ranked, 1);
	ck_assert_str_eq(r.configs[r.ranked[0]].schedule, "one_cycle");
	lrs_results_free(&r);

	lrs_results_opts bad = { .metric = "speed", .target_accuracy = NAN };
	lrs_trial_rows rows = make_rows(NULL);
	ck_assert_int_eq(lrs_results_build(&r, &rows, &bad), LRS_EINVALID);
	ck_assert_ptr_null(rows.items);   /* taken over and freed */
}
END_TEST

START_TEST(styles_and_labels_stable)
{
	/* the same trials in another order: every configuration keeps its
	 * label, style and rank */
	static const size_t shuffled[N_TRIALS] = { 5, 3, 0, 4, 2, 1 };
	lrs_results r = build(NULL, NULL), s = build(shuffled, NULL);

	for (size_t k = 0; k < r.n_configs; k++) {
		const lrs_result_config *x = &r.configs[k], *y = config(&s, x->params);
		ck_assert_str_eq(x->label, y->label);
		ck_assert_int_eq(x->style, y->style);
		ck_assert_int_eq(x->rank, y->rank);
	}
	lrs_results_free(&r);
	lrs_results_free(&s);
}
END_TEST

START_TEST(best_trials)
{
	lrs_results r = build(NULL, NULL);
	size_t top[8], n = lrs_results_best_trials(&r, top, 8);

	/* completed trials by validation accuracy: 4 (0.84), 1, 5, 2, 3 */
	const int64_t want[] = { 4, 1, 5, 2, 3 };
	ck_assert_int_eq(n, 5);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(r.trials.items[top[i]].id, want[i]);
	ck_assert_int_eq(lrs_results_best_trials(&r, top, 2), 2);
	lrs_results_free(&r);
}
END_TEST

START_TEST(readable)
{
	char *s = lrs_results_readable("{\"lr\": 0.0080937, \"mode\": \"cos\", \"milestones\": [1, 2]}");

	ck_assert_str_eq(s, "lr=0.008094, mode=cos, milestones=[1, 2]");
	free(s);
	/* stored text, not strtod's reading of it: an integer past 2^53 with
	 * every digit, a string that looks like a number quoted */
	s = lrs_results_readable("{\"big\": 9007199254740993, \"h\": \"0x10\", \"q\": \"16\", \"n\": 10000, "
	                         "\"neg\": -12345678901234567890, \"x\": 1e-05}");
	ck_assert_str_eq(s, "big=9007199254740993, h='0x10', q='16', n=10000, neg=-12345678901234567890, x=1e-05");
	free(s);
}
END_TEST

/* Configurations that differ only in a value strtod misreads are told
 * apart: 2^53 and 2^53 + 1, the string "0x10" and the number 16. */
START_TEST(labels_exact_values)
{
	const char *s[] = { "constant", "constant", "constant", "constant" };
	const char *p[] = { "{\"lr\": 0.1}", "{\"lr\": 0.1}", "{\"lr\": 0.1}", "{\"lr\": 0.1}" };
	const char *h[] = { "{\"params\": {\"big\": 9007199254740992, \"h\": 16}}",
	                    "{\"params\": {\"big\": 9007199254740993, \"h\": 16}}",
	                    "{\"params\": {\"big\": 9007199254740992, \"h\": \"0x10\"}}",
	                    "{\"params\": {\"big\": 9007199254740992, \"h\": [\"16\", 1]}}" };
	char **l = lrs_results_labels(s, p, h, 4);

	ck_assert_ptr_nonnull(l);
	ck_assert_str_eq(l[0], "constant; params.big=9007199254740992, params.h=16");
	ck_assert_str_eq(l[1], "constant; params.big=9007199254740993, params.h=16");
	ck_assert_str_eq(l[2], "constant; params.big=9007199254740992, params.h='0x10'");
	ck_assert_str_eq(l[3], "constant; params.big=9007199254740992, params.h=['16', 1]");
	for (int i = 0; i < 4; i++)
		free(l[i]);
	free(l);
}
END_TEST

/* ------------------------------------------------------------ by keys */

static lrs_results build_by(const size_t *order, const char *const *keys, size_t n_keys, const char *schedule)
{
	lrs_results_opts o = { .target_accuracy = NAN, .schedule = schedule, .by = keys, .n_by = n_keys };
	lrs_trial_rows rows = make_rows(order);
	lrs_results r;

	ck_assert_int_eq(lrs_results_build(&r, &rows, &o), 0);
	return r;
}

/* The group labelled `label`. */
static const lrs_result_config *group(const lrs_results *r, const char *label)
{
	for (size_t k = 0; k < r->n_configs; k++)
		if (!strcmp(r->configs[k].label, label))
			return &r->configs[k];
	ck_abort_msg("no group %s", label);
	return NULL;
}

START_TEST(by_schedule)
{
	static const char *const keys[] = { "schedule" };
	lrs_results r = build_by(NULL, keys, 1, NULL);
	const lrs_result_config *c = group(&r, "constant"), *o = group(&r, "one_cycle");
	const double t3 = 3.182446305284263;   /* t(0.975, 3) */

	/* constant: trials 1, 2, 4, 5 completed (A and B), 6 pruned; each
	 * completed trial once: 0.80, 0.70, 0.84, 0.74 */
	ck_assert_int_eq(r.n_configs, 2);
	ck_assert_int_eq(c->n_trials, 5);
	ck_assert_int_eq(c->n, 4);
	ck_assert_int_eq(c->n_distinct, 2);
	ck_assert_double_eq_tol(c->mean, 0.77, 1e-12);
	ck_assert_double_eq_tol(c->sd, sqrt(0.0116 / 3), 1e-12);
	ck_assert_double_eq_tol(c->ci95, t3 * sqrt(0.0116 / 3) / 2, 1e-6);
	ck_assert_int_eq(c->n_test, 3);   /* B's second seed has none */
	ck_assert_double_eq_tol(c->mean_test, (0.70 + 0.60 + 0.72) / 3, 1e-12);
	ck_assert_int_eq(c->rank, 1);
	ck_assert_int_eq(o->n, 1);
	ck_assert_int_eq(o->rank, 2);
	ck_assert(isnan(o->p));   /* one trial: no test */
	ck_assert_str_eq(c->values[0], "\"constant\"");
	ck_assert_int_eq(c->style, 0);   /* plan order: constant's first trial is 1 */
	ck_assert_int_eq(o->style, 1);
	ck_assert_str_eq(r.by[0], "schedule");
	lrs_results_free(&r);
}
END_TEST

START_TEST(by_keys_and_absent_values)
{
	static const char *const two[] = { "schedule", "batch_size" }, *lr[] = { "schedule.lr" };
	lrs_results r = build_by(NULL, two, 2, NULL);

	ck_assert_int_eq(r.n_configs, 2);
	ck_assert_int_eq(group(&r, "schedule=constant, batch_size=32")->n, 4);
	ck_assert_int_eq(group(&r, "schedule=one_cycle, batch_size=64")->n, 1);
	lrs_results_free(&r);

	/* one_cycle has no lr: its trials form the group "-"; D (lr 0.5) was
	 * pruned: a group, never compared */
	r = build_by(NULL, lr, 1, NULL);
	ck_assert_int_eq(r.n_configs, 4);
	ck_assert_int_eq(r.n_ranked, 3);
	ck_assert_ptr_null(group(&r, "-")->values[0]);
	ck_assert_double_eq_tol(group(&r, "0.1")->mean, 0.82, 1e-12);   /* = configuration A */
	ck_assert_int_eq(group(&r, "0.5")->rank, 0);
	lrs_results_free(&r);
}
END_TEST

START_TEST(by_with_schedule_filter)
{
	static const char *const keys[] = { "batch_size" };
	lrs_results r = build_by(NULL, keys, 1, "constant");

	/* only constant's trials are grouped: batch 32 alone */
	ck_assert_int_eq(r.n_configs, 1);
	ck_assert_int_eq(r.n_ranked, 1);
	ck_assert_str_eq(r.configs[0].label, "32");
	ck_assert_int_eq(r.configs[0].n, 4);
	lrs_results_free(&r);
}
END_TEST

START_TEST(by_unknown_key)
{
	static const char *const keys[] = { "optimizer.typo" };
	lrs_results_opts o = { .target_accuracy = NAN, .by = keys, .n_by = 1 };
	lrs_trial_rows rows = make_rows(NULL);
	lrs_results r;

	ck_assert_int_eq(lrs_results_build(&r, &rows, &o), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "unknown key 'optimizer.typo'"));
	/* the keys the trials have, to choose from */
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "schedule, batch_size, schedule.lr, schedule.factor, "
	                                               "schedule.max_lr"));
	ck_assert_ptr_null(rows.items);
}
END_TEST

START_TEST(by_stable_order)
{
	static const size_t shuffled[N_TRIALS] = { 5, 3, 0, 4, 2, 1 };
	static const char *const keys[] = { "schedule.lr" };
	lrs_results r = build_by(NULL, keys, 1, NULL), s = build_by(shuffled, keys, 1, NULL);

	for (size_t k = 0; k < r.n_configs; k++) {
		const lrs_result_config *x = &r.configs[k], *y = group(&s, x->label);
		ck_assert_int_eq(x->style, y->style);
		ck_assert_int_eq(x->rank, y->rank);
		ck_assert_int_eq(x->n, y->n);
	}
	lrs_results_free(&r);
	lrs_results_free(&s);
}
END_TEST

START_TEST(values_of_keys)
{
	static const char *const keys[] = { "schedule", "batch_size", "schedule.lr", "model.hidden" };
	lrs_results r = build(NULL, NULL);
	char **v = lrs_results_values(&r, keys, 4);

	ck_assert_ptr_nonnull(v);
	/* trial 3 (index 2): one_cycle, batch 64, no lr, no model */
	ck_assert_str_eq(v[2 * 4 + 0], "\"one_cycle\"");
	ck_assert_str_eq(v[2 * 4 + 1], "64");
	ck_assert_ptr_null(v[2 * 4 + 2]);
	ck_assert_ptr_null(v[2 * 4 + 3]);
	ck_assert_double_eq(strtod(v[0 * 4 + 2], NULL), 0.1);   /* as JSON writes it */
	lrs_results_values_free(v, r.trials.n * 4);
	char *t = lrs_results_value_text("\"sgd\"");
	ck_assert_str_eq(t, "sgd");
	free(t);
	t = lrs_results_value_text(NULL);
	ck_assert_str_eq(t, "-");
	free(t);
	lrs_results_free(&r);
}
END_TEST

START_TEST(searched_keys)
{
	static const char config[] =
		"name: x\n"
		"params: {width: 8}\n"
		"trials:\n"
		"  schedules:\n"
		"    - {type: constant, lr: {log_uniform: [0.01, 1]}}\n"
		"    - type: one_cycle\n"
		"  space:\n"
		"    batch_size: {grid: [32, 64]}\n"
		"    optimizer.momentum: {uniform: [0.8, 0.99]}\n";
	lrs_results r = build(NULL, NULL);
	lrs_search_key *k;
	size_t n;

	/* schedule (two types), then the file's order; momentum is searched
	 * but no trial holds it, width is no search value */
	ck_assert_int_eq(lrs_results_searched(&k, &n, &r, config), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(k[0].key, "schedule");
	ck_assert_str_eq(k[1].key, "batch_size");
	ck_assert_int_eq(k[1].log, 0);
	ck_assert_str_eq(k[2].key, "schedule.lr");
	ck_assert_int_eq(k[2].log, 1);
	lrs_search_keys_free(k, n);
	/* a file that searches nothing, or does not parse: the types alone */
	ck_assert_int_eq(lrs_results_searched(&k, &n, &r, "name: x\n"), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(k[0].key, "schedule");
	lrs_search_keys_free(k, n);
	ck_assert_int_eq(lrs_results_searched(&k, &n, &r, "a: [\n"), 0);
	ck_assert_int_eq(n, 1);
	lrs_search_keys_free(k, n);
	lrs_results_free(&r);

	/* one type: nothing varies but what the file searched */
	lrs_trial_rows rows = make_rows(NULL);
	for (size_t i = 0; i < rows.n; i++) {
		free(rows.items[i].schedule);
		rows.items[i].schedule = strdup("constant");
	}
	ck_assert_int_eq(lrs_results_build(&r, &rows, NULL), 0);
	ck_assert_int_eq(lrs_results_searched(&k, &n, &r, "name: x\n"), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_ptr_null(k);
	lrs_results_free(&r);
}
END_TEST

/* ------------------------------------------------------------ labels at scale */

/* A generated configuration: its type, and its lines as the label rule
 * reads them ("k=v"; hyperparameters marked by hyp). */
typedef struct {
	const char *type;
	char params[256], hyper[256];   /* JSON */
	char lines[5][40];
	int hyp[5], n;
} gen_config;

/* Configuration i of a seeded mix: two types, parameters that repeat or
 * are left out, hyperparameters shared across types, and values every
 * configuration has (a resolved schedule's defaults, the model): named by
 * no label, each line of them compared with every configuration. */
#define SHARED_PARAMS "\"pct_start\": 0.3, \"div_factor\": 25, \"three_phase\": false, \"base_momentum\": 0.85"
#define SHARED_HYPER "\"model\": {\"hidden\": [64, 64], \"activation\": \"relu\", \"init\": \"he\"}, \"eps\": 1e-08"
static void generate(gen_config *c, unsigned seed)
{
	static const char *const lrs[] = { "0.1", "0.025", "0.5" }, *const gammas[] = { "0.1", "0.5" };
	static const char *const batches[] = { "16", "32", "64" }, *const moms[] = { "0.9", "0.5" };
	unsigned r = seed * 2654435761u;
	int step = (r >> 3) & 1;
	const char *a = step ? gammas[(r >> 5) % 2] : lrs[(r >> 5) % 3], *b = batches[(r >> 9) % 3];
	const char *m = moms[(r >> 13) % 2];
	int with_factor = (r >> 17) % 3 != 0, with_mom = (r >> 19) % 4 != 0;

	memset(c, 0, sizeof *c);
	c->type = step ? "step" : "constant";
	snprintf(c->params, sizeof c->params, "{\"%s\": %s%s, %s}", step ? "gamma" : "lr", a,
	         with_factor ? (step ? ", \"step_size\": 2" : ", \"factor\": 1") : "", SHARED_PARAMS);
	snprintf(c->lines[c->n++], 40, "%s=%s", step ? "gamma" : "lr", a);
	if (with_factor)
		snprintf(c->lines[c->n++], 40, "%s", step ? "step_size=2" : "factor=1");
	snprintf(c->hyper, sizeof c->hyper, "{\"batch_size\": %s%s%s%s, %s}", b,
	         with_mom ? ", \"optimizer\": {\"momentum\": " : "", with_mom ? m : "", with_mom ? "}" : "", SHARED_HYPER);
	c->hyp[c->n] = 1;
	snprintf(c->lines[c->n++], 40, "batch_size=%s", b);
	if (with_mom) {
		c->hyp[c->n] = 1;
		snprintf(c->lines[c->n++], 40, "optimizer.momentum=%s", m);
	}
}

static int has_line(const gen_config *c, const char *line, int hyp)
{
	for (int k = 0; k < c->n; k++)
		if (c->hyp[k] == hyp && !strcmp(c->lines[k], line))
			return 1;
	return 0;
}

/* The label rule, as results.h states it, the slow way: a value is named
 * when another configuration (of the same type, for a schedule's
 * parameters) lacks it. */
static void reference_label(char *out, size_t size, const gen_config *c, size_t n, size_t i)
{
	int first = 1, hyper_first = 1;
	size_t len = (size_t)snprintf(out, size, "%s", c[i].type);

	for (int k = 0; k < c[i].n; k++) {
		int hyp = c[i].hyp[k], differs = 0;
		for (size_t j = 0; j < n && !differs; j++)
			differs = j != i && (hyp || !strcmp(c[i].type, c[j].type)) && !has_line(&c[j], c[i].lines[k], hyp);
		if (!differs)
			continue;
		len += (size_t)snprintf(out + len, size - len, "%s%s", hyp ? (hyper_first ? "; " : ", ") : (first ? " " : ", "),
		                        c[i].lines[k]);
		*(hyp ? &hyper_first : &first) = 0;
	}
}

/* Labels of a few hundred mixed configurations are the rule's, one by
 * one; thousands are labelled in a moment (comparing every line with
 * every other configuration's took 3 s for 1,000 and 27 s for 3,000:
 * a run of a 10,000-point grid sat minutes before its first trial). */
START_TEST(labels_at_scale)
{
	const size_t sizes[] = { 7, 300, 20000 };

	for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++) {
		size_t n = sizes[t];
		gen_config *c = calloc(n, sizeof *c);
		const char **sch = calloc(n, sizeof *sch), **par = calloc(n, sizeof *par), **hyp = calloc(n, sizeof *hyp);
		char want[256];

		ck_assert(c && sch && par && hyp);
		for (size_t i = 0; i < n; i++) {
			generate(&c[i], (unsigned)(i + 1 + 1000 * t));
			sch[i] = c[i].type;
			par[i] = c[i].params;
			hyp[i] = c[i].hyper;
		}
		char **l = lrs_results_labels(sch, par, hyp, n);
		ck_assert_ptr_nonnull(l);
		for (size_t i = 0; i < n; i++) {
			if (n <= 300 || i < 50) {   /* the rule the slow way: on the large set, the first few */
				reference_label(want, sizeof want, c, n, i);
				ck_assert_msg(!strcmp(l[i], want), "%zu of %zu: '%s', the rule says '%s'", i, n, l[i], want);
			}
			free(l[i]);
		}
		free(l);
		free(c);
		free(sch);
		free(par);
		free(hyp);
	}
}
END_TEST

Suite *suite_results(void)
{
	Suite *s = suite_create("results");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, grouping_and_plan_order);
	tcase_add_test(tc, labels);
	tcase_add_test(tc, labels_at_scale);
	tcase_add_test(tc, statistics);
	tcase_add_test(tc, ranking_and_welch);
	tcase_add_test(tc, loss_ranks_low_first);
	tcase_add_test(tc, styles_and_labels_stable);
	tcase_add_test(tc, best_trials);
	tcase_add_test(tc, readable);
	tcase_add_test(tc, labels_exact_values);
	tcase_add_test(tc, by_schedule);
	tcase_add_test(tc, by_keys_and_absent_values);
	tcase_add_test(tc, by_with_schedule_filter);
	tcase_add_test(tc, by_unknown_key);
	tcase_add_test(tc, by_stable_order);
	tcase_add_test(tc, values_of_keys);
	tcase_add_test(tc, searched_keys);
	suite_add_tcase(s, tc);
	return s;
}
