/* test_plan.c - the trial plan (src/sweep/plan.c) and the trials: section
 * of the experiment file (src/config/experiment.c): grid expansion and its
 * order, seeds, stable and distinct keys, @min/@max and "N epochs"
 * resolved, the search space applied and checked, random search
 * reproducible and inside its ranges, and every error at its
 * file:line:column. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lrsweep/error.h"
#include "lrsweep/experiment.h"
#include "lrsweep/node.h"
#include "lrsweep/plan.h"
#include "lrsweep/schedule.h"
#include "lrsweep/util.h"
#include "suites.h"

#define HEAD "name: t\nseed: 3\ndata: {train: {format: synthetic, kind: blobs, samples: 200, classes: 3}}\n" \
             "batch_size: 50\n"   /* 180 train samples: 4 steps per epoch */

static char path[64];

/* Writes `text` to a temporary file and loads it; NULL (error kept) when
 * the load fails. */
static lrs_experiment *load(const char *text)
{
	lrs_experiment *e = NULL;
	FILE *f;
	int fd;

	strcpy(path, "/tmp/lrsweep-test-plan-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	lrs_experiment_load(&e, path);
	unlink(path);
	return e;
}

static lrs_dataset *data_of(const lrs_experiment *e)
{
	lrs_dataset *ds = NULL;

	ck_assert_msg(lrs_dataset_load(&ds, &e->data) == 0, "%s", lrs_error_last());
	return ds;
}

/* Builds the plan of `yaml` with bounds 0.01 .. 0.1; asserts success. */
static void plan_of(lrs_plan *p, const char *yaml, lrs_experiment **e, lrs_dataset **ds)
{
	*e = load(yaml);
	ck_assert_msg(*e != NULL, "%s", lrs_error_last());
	*ds = data_of(*e);
	ck_assert_msg(lrs_plan_build(p, *e, *ds, 0.01, 0.1) == 0, "%s", lrs_error_last());
}

static void done(lrs_plan *p, lrs_experiment *e, lrs_dataset *ds)
{
	lrs_plan_free(p);
	lrs_dataset_free(ds);
	lrs_experiment_free(e);
}

/* The plan's error for `yaml` (which must load) contains `needle`. */
static void assert_plan_error(const char *yaml, const char *needle)
{
	lrs_experiment *e = load(yaml);
	lrs_dataset *ds;
	lrs_plan p;

	ck_assert_msg(e != NULL, "load: %s", lrs_error_last());
	ds = data_of(e);
	ck_assert_int_eq(lrs_plan_build(&p, e, ds, 0.01, 0.1), LRS_EINVALID);
	ck_assert_msg(strstr(lrs_error_last(), needle) != NULL, "'%s' lacks '%s'", lrs_error_last(), needle);
	lrs_dataset_free(ds);
	lrs_experiment_free(e);
}

/* The load error for `yaml` contains `needle` (a position, a message). */
static void assert_load_error(const char *yaml, const char *needle)
{
	lrs_experiment *e = load(yaml);

	ck_assert_msg(e == NULL, "loaded, expected '%s'", needle);
	ck_assert_msg(strstr(lrs_error_last(), needle) != NULL, "'%s' lacks '%s'", lrs_error_last(), needle);
}

START_TEST(grid_order_seeds_and_keys)
{
	lrs_experiment *e;
	lrs_dataset *ds;
	lrs_plan p;

	plan_of(&p, HEAD "trials:\n  epochs: 3\n  seeds: [5, 6]\n  schedules:\n"
	        "    - type: constant\n"
	        "    - {type: triangular, step_size: {grid: [\"1 epochs\", 2]}}\n"
	        "  space:\n    batch_size: {grid: [50, 80]}\n", &e, &ds);
	/* (1 + 2) schedule points x 2 batch sizes x 2 seeds */
	ck_assert_uint_eq(p.n, 12);
	ck_assert_uint_eq(p.configs, 6);
	ck_assert_str_eq(p.items[0].label, "constant batch_size=50");
	ck_assert_uint_eq(p.items[0].seed, 5);
	ck_assert_uint_eq(p.items[1].seed, 6);
	ck_assert_str_eq(p.items[2].label, "constant batch_size=80");
	ck_assert_str_eq(p.items[4].label, "triangular step_size=1 epochs, batch_size=50");
	ck_assert_str_eq(p.items[8].label, "triangular step_size=2, batch_size=50");
	ck_assert_int_eq(p.items[2].batch_size, 80);
	ck_assert_int_eq(p.items[0].epochs, 3);
	/* constant lr defaults to @max; "1 epochs" is 4 steps at batch 50 and
	 * 3 at batch 80 (180 samples) */
	ck_assert_double_eq(lrs_sched_lr(p.items[0].sched, 0), 0.1);
	ck_assert_ptr_nonnull(strstr(p.items[4].params, "\"step_size\": 4"));
	ck_assert_ptr_nonnull(strstr(p.items[6].params, "\"step_size\": 3"));
	ck_assert_ptr_nonnull(strstr(p.items[4].params, "\"base_lr\": 0.01"));
	ck_assert_ptr_nonnull(strstr(p.items[6].hyper, "\"batch_size\": 80"));
	for (size_t i = 0; i < p.n; i++) {
		ck_assert_uint_eq(strlen(p.items[i].key), 16);
		ck_assert_uint_eq(p.items[i].config, i / 2);
		for (size_t j = 0; j < i; j++)
			ck_assert_str_ne(p.items[i].key, p.items[j].key);
	}
	/* the same file gives the same keys */
	lrs_plan q;
	ck_assert(lrs_plan_build(&q, e, ds, 0.01, 0.1) == 0);
	for (size_t i = 0; i < p.n; i++)
		ck_assert_str_eq(p.items[i].key, q.items[i].key);
	/* other bounds, other trials */
	lrs_plan_free(&q);
	ck_assert(lrs_plan_build(&q, e, ds, 0.02, 0.1) == 0);
	ck_assert_str_eq(p.items[0].key, q.items[0].key);    /* constant: @max only */
	ck_assert_str_ne(p.items[4].key, q.items[4].key);    /* triangular: @min too */
	lrs_plan_free(&q);
	done(&p, e, ds);
}
END_TEST

START_TEST(defaults_and_repeats)
{
	lrs_experiment *e;
	lrs_dataset *ds;
	lrs_plan p;

	/* no trials section: one constant schedule at @max, the experiment's
	 * seed, 10 epochs */
	plan_of(&p, HEAD, &e, &ds);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_str_eq(p.items[0].type, "constant");
	ck_assert_uint_eq(p.items[0].seed, 3);
	ck_assert_int_eq(p.items[0].epochs, 10);
	done(&p, e, ds);
	/* repeats: R is the seeds seed .. seed + R - 1 */
	plan_of(&p, HEAD "trials: {repeats: 3, schedules: [{type: one_cycle}]}\n", &e, &ds);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_uint_eq(p.items[2].seed, 5);
	ck_assert_ptr_nonnull(strstr(p.items[0].params, "\"total_steps\": 40"));
	done(&p, e, ds);
}
END_TEST

/* lrs_plan_one (lrsweep train's run) resolves and keys a run as
 * lrs_plan_build does the same trial: a one_cycle of 10 epochs with seed
 * 8, built from the same parameters, gets the plan's params, hyper and
 * key; another seed another key. */
START_TEST(plan_one_matches_the_plan)
{
	lrs_experiment *e;
	lrs_dataset *ds;
	lrs_plan p, one, other;
	lrs_node *params;
	lrs_sched *s;
	lrs_sched_ctx ctx = { 0.01, 0.1, 4, 40 };

	plan_of(&p, HEAD "trials: {epochs: 10, seeds: [8], schedules: [{type: one_cycle}]}\n", &e, &ds);
	ck_assert_int_eq(lrs_node_new_map(&params, 0, 0), 0);
	ck_assert_int_eq(lrs_sched_build(&s, "one_cycle", params, &ctx), 0);
	ck_assert_int_eq(lrs_plan_one(&one, e, ds, s, 10, 8), 0);
	ck_assert_uint_eq(one.n, 1);
	ck_assert_str_eq(one.items[0].type, "one_cycle");
	ck_assert_str_eq(one.items[0].params, p.items[0].params);
	ck_assert_str_eq(one.items[0].hyper, p.items[0].hyper);
	ck_assert_str_eq(one.items[0].key, p.items[0].key);
	ck_assert_int_eq(lrs_sched_build(&s, "one_cycle", params, &ctx), 0);
	ck_assert_int_eq(lrs_plan_one(&other, e, ds, s, 10, 9), 0);
	ck_assert_str_ne(other.items[0].key, p.items[0].key);
	lrs_plan_free(&one);
	lrs_plan_free(&other);
	lrs_node_free(params);
	done(&p, e, ds);
}
END_TEST

START_TEST(space_applies_and_checks)
{
	lrs_experiment *e;
	lrs_dataset *ds;
	lrs_plan p;

	plan_of(&p, HEAD "optimizer: {type: sgd, momentum: 0.9}\n"
	        "trials:\n  schedules: [{type: constant}]\n  space:\n"
	        "    optimizer.weight_decay: {grid: [0, 0.001]}\n    model.hidden: [8, 4]\n", &e, &ds);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_double_eq(p.items[1].optim.weight_decay, 0.001);
	ck_assert_double_eq(p.items[1].optim.momentum, 0.9);
	ck_assert_uint_eq(p.items[0].model.mlp.n_hidden, 2);
	ck_assert_uint_eq(p.items[0].model.mlp.hidden[1], 4);
	ck_assert_str_eq(p.items[1].label, "constant optimizer.weight_decay=0.001, model.hidden=[8, 4]");
	done(&p, e, ds);
	/* a bad value is reported where it is written */
	assert_plan_error(HEAD "trials:\n  space:\n    optimizer.momentum: {grid: [0.5, 2]}\n",
	                  ":7:38: 'momentum' must be in [0, 1], got '2'");
	/* switching to adam keeps sgd's momentum: a contradiction */
	assert_plan_error(HEAD "optimizer: {momentum: 0.9}\ntrials:\n  space:\n    optimizer.type: adam\n",
	                  "'momentum' is for sgd");
}
END_TEST

START_TEST(random_search)
{
	lrs_experiment *e;
	lrs_dataset *ds;
	lrs_plan p, q;

	plan_of(&p, HEAD "trials:\n  search: {strategy: random, samples: 20}\n  schedules:\n"
	        "    - {type: constant, lr: {log_uniform: [0.001, 0.1]}}\n"
	        "  space:\n    batch_size: {int_uniform: [16, 20]}\n"
	        "    optimizer.momentum: {choice: [0.5, 0.9]}\n", &e, &ds);
	ck_assert_uint_eq(p.n, 20);
	ck_assert(lrs_plan_build(&q, e, ds, 0.01, 0.1) == 0);
	int seen_batch[5] = { 0 }, mom9 = 0;
	for (size_t i = 0; i < p.n; i++) {
		double lr = lrs_sched_lr(p.items[i].sched, 0);
		ck_assert_msg(lr >= 0.001 && lr <= 0.1, "lr %g", lr);
		ck_assert_int_ge(p.items[i].batch_size, 16);
		ck_assert_int_le(p.items[i].batch_size, 20);
		seen_batch[p.items[i].batch_size - 16] = 1;
		mom9 += p.items[i].optim.momentum == 0.9;
		ck_assert_str_eq(p.items[i].key, q.items[i].key);    /* reproducible */
	}
	for (int k = 0; k < 5; k++)
		ck_assert_msg(seen_batch[k], "batch %d never drawn in 20", 16 + k);
	ck_assert(mom9 > 0 && mom9 < 20);
	lrs_plan_free(&q);
	done(&p, e, ds);
}
END_TEST

/* strategy grid with search.samples (SPEC's example file): every grid
 * point samples times, its distributions drawn (Ray Tune's grid_search
 * with num_samples); the grid's values each samples times, the draws in
 * range, distinct, and the same on every build. */
START_TEST(grid_with_draws)
{
	lrs_experiment *e;
	lrs_dataset *ds;
	lrs_plan p, q;

	plan_of(&p, HEAD "trials:\n  search: {strategy: grid, samples: 4}\n  schedules:\n"
	        "    - {type: constant, lr: {grid: [0.01, 0.1]}}\n    - {type: constant, lr: 0.05}\n"
	        "  space:\n    optimizer.weight_decay: {log_uniform: [1.0e-5, 1.0e-3]}\n"
	        "    batch_size: {grid: [16, 32, 64]}\n", &e, &ds);
	ck_assert_uint_eq(p.n, 4 * (2 * 3 + 3));
	ck_assert_uint_eq(p.configs, p.n);
	ck_assert(lrs_plan_build(&q, e, ds, 0.01, 0.1) == 0);
	int per_point[2][3] = { { 0 } };
	for (size_t i = 0; i < p.n; i++) {
		double wd = p.items[i].optim.weight_decay, lr = lrs_sched_lr(p.items[i].sched, 0);
		int b = p.items[i].batch_size == 16 ? 0 : p.items[i].batch_size == 32 ? 1 : 2;
		ck_assert_msg(wd >= 1e-5 && wd <= 1e-3, "weight decay %g", wd);
		ck_assert_str_eq(p.items[i].key, q.items[i].key);    /* reproducible */
		if (i < 24)   /* the first entry: lr slowest, then batch size, then the draws */
			per_point[lr > 0.05][b]++;
		static const int batches[3] = { 16, 32, 64 };
		ck_assert_int_eq(p.items[i].batch_size, batches[i < 24 ? (i / 4) % 3 : (i - 24) / 4]);
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(strcmp(p.items[i].key, p.items[j].key), "trials %zu and %zu alike", j, i);
	}
	for (int a = 0; a < 2; a++)
		for (int b = 0; b < 3; b++)
			ck_assert_int_eq(per_point[a][b], 4);
	lrs_plan_free(&q);
	done(&p, e, ds);
	/* without distributions, samples under grid has nothing to draw */
	assert_load_error(HEAD "trials: {search: {strategy: grid, samples: 3}, space: {batch_size: {grid: [8, 16]}}}\n",
	                  "'samples' under strategy grid draws each grid point's distributions");
	/* shared stays random's and tpe's */
	assert_load_error(HEAD "trials: {search: {strategy: grid, samples: 3, shared: true}, "
	                  "space: {batch_size: {int_uniform: [8, 16]}}}\n", "'shared' is for strategy: random or tpe");
}
END_TEST

START_TEST(errors_at_their_place)
{
	/* structure: caught when the file loads, every one */
	assert_load_error(HEAD "trials:\n  schedules:\n    - type: triangulr\n    - type: constant\n      lr: {grdi: [1]}\n",
	                  ":7:13: unknown schedule type 'triangulr' (did you mean 'triangular'?)");
	assert_load_error(HEAD "trials:\n  schedules:\n    - type: triangulr\n    - type: constant\n      lr: {grdi: [1]}\n",
	                  ":9:12: unknown key 'grdi' in lr (did you mean 'grid'?)");
	assert_load_error(HEAD "trials: {schedules: [{type: constant, lr: {uniform: [0.1, 1]}}]}\n",
	                  "uniform is a distribution: under strategy grid add search.samples");
	assert_load_error(HEAD "trials: {seeds: [1, 1]}\n", "seed 1 is listed twice");
	assert_load_error(HEAD "trials: {seeds: [1], repeats: 2}\n", "either 'seeds' or 'repeats'");
	assert_load_error(HEAD "trials: {space: {optimizer.lr: 0.1}}\n",
	                  "unknown key 'optimizer.lr' in space");
	assert_load_error(HEAD "trials: {search: {strategy: random, samples: 0}}\n", "'samples' must be");
	assert_load_error(HEAD "trials: {pruning: {type: asha, reduction_factor: 1}}\n", "'reduction_factor'");
	assert_load_error(HEAD "trials: {search: {strategy: random}, space: {batch_size: {log_uniform: [0, 8]}}}\n",
	                  "log_uniform needs lo > 0");
	assert_load_error(HEAD "trials: {schedules: []}\n", "non-empty list");
	/* parameters: caught when the plan is built (before anything runs) */
	assert_plan_error(HEAD "trials:\n  schedules:\n    - {type: step, gamma: 0.5}\n",
	                  ":7:7: step: missing parameter 'step_size'");
	assert_plan_error(HEAD "trials:\n  schedules:\n    - {type: constant, lr: {grid: [0.1, -1]}}\n",
	                  ":7:41: constant: parameter 'lr' must be a rate >= 0, got '-1'");
	/* a grid value listed twice: at the second one, before any plan */
	assert_load_error(HEAD "trials:\n  schedules:\n    - {type: constant, lr: {grid: [0.1, 0.1]}}\n",
	                  ":7:41: 'lr': the grid lists '0.1' twice (first at 7:36)");
}
END_TEST

/* Two trials alike are refused, the error naming the first trial (in
 * plan order) that has a twin and that twin, however the keys sort. */
/* Range-test groups: the keys that vary, the groups in plan order of their
 * first trials, each trial's @min/@max from its own group's bounds, a group
 * without bounds refused, and what a group's range test trains. */
START_TEST(groups_by_what_sets_the_scale)
{
	lrs_experiment *e;
	lrs_dataset *ds;
	lrs_plan p, g;
	lrs_plan_group *groups;
	size_t n;
	char names[128];
	const char *yaml = HEAD "optimizer: {type: sgd}\n"
	                   "trials:\n  seeds: [1, 2]\n  schedules: [{type: constant, lr: '@max'}]\n  space:\n"
	                   "    optimizer.type: {grid: [sgd, adam]}\n    batch_size: {grid: [25, 50]}\n"
	                   "    optimizer.weight_decay: {grid: [0, 0.01]}\n";

	plan_of(&p, yaml, &e, &ds);
	ck_assert_uint_eq(p.n, 16);
	/* weight decay varies too, but it is not a default grouping key */
	ck_assert_uint_eq(lrs_plan_varying(&p, LRS_GROUP_DEFAULT), LRS_GROUP_OPTIM_TYPE | LRS_GROUP_BATCH_SIZE);
	ck_assert_uint_eq(lrs_plan_varying(&p, LRS_GROUP_MODEL | LRS_GROUP_MOMENTUM), 0);
	lrs_plan_group_names(names, sizeof names, LRS_GROUP_OPTIM_TYPE | LRS_GROUP_BATCH_SIZE);
	ck_assert_str_eq(names, "batch_size, optimizer.type");
	ck_assert_int_eq(lrs_plan_groups(&groups, &n, &p, LRS_GROUP_OPTIM_TYPE | LRS_GROUP_BATCH_SIZE), 0);
	ck_assert_uint_eq(n, 4);
	size_t total = 0;
	for (size_t k = 0; k < n; k++) {
		ck_assert_uint_eq(groups[k].trials, 4);   /* 2 weight decays x 2 seeds */
		total += groups[k].trials;
		for (size_t j = 0; j < k; j++)
			ck_assert_uint_lt(groups[j].first, groups[k].first);
	}
	ck_assert_uint_eq(total, p.n);
	ck_assert_str_eq(groups[0].key, "batch_size=25, optimizer.type=sgd");
	/* no grouping key: one group named "" holding every trial */
	lrs_plan_group *one;
	size_t n1;
	ck_assert_int_eq(lrs_plan_groups(&one, &n1, &p, 0), 0);
	ck_assert_uint_eq(n1, 1);
	ck_assert_str_eq(one[0].key, "");
	ck_assert_uint_eq(one[0].trials, p.n);
	lrs_plan_groups_free(one, n1);

	/* each group gets its own bounds; @max is its max_lr */
	lrs_group_bounds b[4];
	for (size_t k = 0; k < n; k++)
		b[k] = (lrs_group_bounds){ groups[n - 1 - k].key, 0.001 * (double)(k + 1), 0.01 * (double)(k + 1) };
	unsigned fields = LRS_GROUP_OPTIM_TYPE | LRS_GROUP_BATCH_SIZE;
	ck_assert_msg(lrs_plan_build_grouped(&g, e, ds, fields, b, n) == 0, "%s", lrs_error_last());
	ck_assert_uint_eq(g.n, p.n);
	for (size_t i = 0; i < g.n; i++) {
		size_t k;
		ck_assert_uint_eq(g.items[i].config, p.items[i].config);   /* the same trials, in the same order */
		ck_assert_str_eq(g.items[i].label, p.items[i].label);
		for (k = 0; k < n && strcmp(b[k].key, g.items[i].group); k++)
			;
		ck_assert_msg(k < n, "trial %zu: group '%s' has no bounds", i, g.items[i].group);
		ck_assert_double_eq_tol(lrs_sched_lr(g.items[i].sched, 0), b[k].max_lr, 1e-15);
	}
	lrs_plan_free(&g);
	/* a group left without bounds is an error naming it */
	ck_assert_int_eq(lrs_plan_build_grouped(&g, e, ds, fields, b, n - 1), LRS_EINVALID);
	ck_assert_msg(strstr(lrs_error_last(), groups[0].key) != NULL, "%s", lrs_error_last());

	/* the range test of the adam group trains adam at that batch size,
	 * with the experiment's weight decay (not the first trial's) */
	size_t adam = 0;
	while (adam < n && !strstr(groups[adam].key, "optimizer.type=adam"))
		adam++;
	ck_assert_uint_lt(adam, n);
	lrs_model_config model;
	lrs_optim_config optim;
	long batch;
	lrs_plan_group_hyper(e, &p.items[groups[adam].first], fields, &model, &optim, &batch);
	ck_assert_int_eq(optim.type, LRS_OPTIM_ADAM);
	ck_assert_int_eq(batch, p.items[groups[adam].first].batch_size);
	ck_assert_double_eq(optim.weight_decay, e->optim.weight_decay);
	lrs_plan_groups_free(groups, n);
	done(&p, e, ds);
}
END_TEST

START_TEST(duplicates_named_in_plan_order)
{
	/* values written apart that resolve alike (bounds 0.01 and 0.1: @max,
	 * @min*10 and @max/1 are 0.1); a value written twice is the file's
	 * error, at the second one (errors_at_their_place) */
	assert_plan_error(HEAD "trials:\n  schedules:\n    - {type: constant, lr: {grid: [\"@max\", 0.2, 0.3, "
	                  "\"@min*10\"]}}\n",
	                  "trials 1 (constant lr=@max, seed 3) and 4 (constant lr=@min*10) are the same trial");
	assert_plan_error(HEAD "trials:\n  schedules:\n    - {type: constant, lr: {grid: [0.2, \"@max\", \"@min*10\", "
	                  "\"@max/1\"]}}\n",
	                  "trials 2 (constant lr=@max, seed 3) and 3 (constant lr=@min*10) are the same trial");
	/* a value equal to a default: lr defaults to @max (0.1) */
	assert_plan_error(HEAD "trials:\n  seeds: [1, 2]\n  schedules:\n    - {type: constant, lr: 0.05}\n"
	                  "    - {type: constant}\n    - {type: constant, lr: 0.1}\n",
	                  "trials 3 (constant, seed 1) and 5 (constant lr=0.1) are the same trial");
	/* located at the schedule entry of the second trial of the pair */
	assert_plan_error(HEAD "trials:\n  schedules:\n    - {type: constant}\n    - {type: constant, lr: 0.1}\n",
	                  ":8:7: trials 1 (constant, seed 3) and 2 (constant lr=0.1) are the same trial");
}
END_TEST

/* Values a search chose that the schedule refuses (a base_lr drawn above
 * max_lr, a step_size of 0) make trials that fail, with the reason at its
 * place and the values as drawn, and the other draws are the trials they
 * were; what the file itself gets wrong stays an error of the build. */
START_TEST(refused_draws_fail_alone)
{
	static const char yaml[] = HEAD "trials:\n  search: {strategy: random, samples: 20}\n  schedules:\n"
	                           "    - {type: triangular, base_lr: {log_uniform: [0.001, 1]}, max_lr: 0.1, "
	                           "step_size: {int_uniform: [0, 4]}}\n";
	lrs_experiment *e;
	lrs_dataset *ds;
	lrs_plan p, q;
	size_t above = 0, zero = 0, fine = 0;

	plan_of(&p, yaml, &e, &ds);
	ck_assert_uint_eq(p.n, 20);
	ck_assert(lrs_plan_build(&q, e, ds, 0.01, 0.1) == 0);
	for (size_t i = 0; i < p.n; i++) {
		const lrs_trial_spec *t = &p.items[i];
		ck_assert_str_eq(t->key, q.items[i].key);   /* reproducible, refused ones too */
		ck_assert_str_eq(t->type, "triangular");
		if (!t->error) {
			ck_assert_ptr_nonnull(t->sched);
			fine++;
			continue;
		}
		ck_assert_ptr_null(t->sched);
		ck_assert_msg(!strncmp(t->error, path, strlen(path)) && strstr(t->error, ":8:"), "%s", t->error);
		above += strstr(t->error, "must be <= max_lr (0.1)") != NULL;
		zero += strstr(t->error, "'step_size' must be >= 1") != NULL;
		ck_assert_msg(strstr(t->params, "\"base_lr\": ") && strstr(t->params, "\"step_size\": "), "%s", t->params);
	}
	ck_assert_msg(above > 0 && zero > 0 && fine > 0, "%zu above, %zu zero, %zu fine", above, zero, fine);
	ck_assert_uint_eq(above + zero + fine, p.n);
	lrs_plan_free(&q);
	done(&p, e, ds);
	/* the file's own mistakes: no draw mends them */
	assert_plan_error(HEAD "trials:\n  search: {strategy: random, samples: 5}\n  schedules:\n"
	                  "    - {type: triangular, base_lr: 0.5, max_lr: 0.1, step_size: {int_uniform: [1, 4]}}\n",
	                  "triangular: parameter 'base_lr' (0.5) must be <= max_lr (0.1)");
	assert_plan_error(HEAD "trials:\n  search: {strategy: random, samples: 5}\n  schedules:\n"
	                  "    - {type: triangular, base_lr: {uniform: [0.2, 0.3]}, max_lr: 0.1, step_size: 4}\n",
	                  ":8:35: triangular: parameter 'base_lr' (0.");
	assert_plan_error(HEAD "trials:\n  schedules:\n    - {type: triangular, base_lr: {grid: [0.01, 0.5]}, "
	                  "max_lr: 0.1, step_size: 4}\n", ":7:49: triangular: parameter 'base_lr' (0.5) must be <= max_lr (0.1)");
}
END_TEST

/* Strategy tpe: a proposal the schedule refuses is a configuration of
 * trials that fail (one per seed), repeated like any other; a stand-in
 * whose middle is refused is a stand-in still, unless nothing builds. */
START_TEST(refused_proposals_fail_alone)
{
	static const char yaml[] = HEAD "trials:\n  seeds: [1, 2]\n  search: {strategy: tpe}\n  schedules:\n"
	                           "    - {type: triangular, base_lr: {log_uniform: [0.001, 1]}, max_lr: 0.1, step_size: 4}\n";
	const double v[3] = { 0.5, 0.01, 0.5 };
	const lrs_plan_point pts[3] = { { 0, &v[0], 1 }, { 0, &v[1], 1 }, { 0, &v[2], 1 } };
	const lrs_group_bounds b = { "", 0.01, 0.1 };
	lrs_experiment *e;
	lrs_dataset *ds;
	lrs_plan p, q;
	long dup[3];

	plan_of(&p, yaml, &e, &ds);   /* the stand-in: base_lr at its middle, 0.0316 */
	ck_assert_uint_eq(p.n, 2);
	ck_assert_ptr_null(p.items[0].error);
	memset(&q, 0, sizeof q);
	ck_assert_msg(lrs_plan_add_points(&q, dup, e, ds, 0, &b, 1, pts, 3) == 0, "%s", lrs_error_last());
	ck_assert_uint_eq(q.n, 4);
	ck_assert_uint_eq(q.configs, 2);
	ck_assert(q.items[0].error && q.items[1].error && !q.items[2].error && !q.items[3].error);
	ck_assert_msg(strstr(q.items[0].error, ":9:35: triangular: parameter 'base_lr' (0.5) must be <= max_lr"), "%s",
	              q.items[0].error);
	ck_assert_uint_eq(q.items[1].seed, 2);
	ck_assert_str_ne(q.items[0].key, q.items[1].key);
	ck_assert(dup[0] == -1 && dup[1] == -1 && dup[2] == 0);   /* the third repeats the first */
	lrs_plan_free(&q);
	done(&p, e, ds);
	/* the middle (0.316) refused, other values build: a stand-in with failed trials */
	plan_of(&p, HEAD "trials:\n  search: {strategy: tpe}\n  schedules:\n"
	        "    - {type: triangular, base_lr: {log_uniform: [0.01, 10]}, max_lr: 0.1, step_size: 4}\n", &e, &ds);
	ck_assert(p.n == 1 && p.items[0].error && !p.items[0].sched);
	done(&p, e, ds);
	assert_plan_error(HEAD "trials:\n  search: {strategy: tpe}\n  schedules:\n"
	                  "    - {type: triangular, base_lr: {log_uniform: [0.5, 10]}, max_lr: 0.1, step_size: 4}\n",
	                  ":8:35: triangular: parameter 'base_lr' (");
}
END_TEST

/* The search: settings a new user gets wrong, each one line at its place;
 * tpe with samples <= startup loads with a note naming both values. */
START_TEST(search_settings_checked)
{
	lrs_experiment *e;

	e = load(HEAD "trials:\n  search: {strategy: TPE, samples: 20}\n" "  schedules: [{type: constant, lr: {log_uniform: [0.001, 0.1]}}]\n");
	ck_assert_ptr_null(e);
	ck_assert_msg(!strchr(lrs_error_last(), '\n'), "more than one line: %s", lrs_error_last());
	ck_assert_msg(strstr(lrs_error_last(), ":6:22: 'strategy' must be one of grid|random|tpe, got 'TPE'"), "%s",
	              lrs_error_last());
	assert_load_error(HEAD "trials:\n  search: {strategy: tpe, samples: 5, startup: 8}\n",
	                  ":6:48: 'startup' (8) is more than 'samples' (5): every proposal would be drawn at random");
	assert_load_error(HEAD "trials:\n  search: {strategy: tpe, startup: 12}\n",
	                  "'startup' (12) is more than 'samples' (10, the default)");
	assert_load_error(HEAD "trials:\n  search: {strategy: tpe, candidates: 0}\n", ":6:39: 'candidates' must be");
	assert_load_error(HEAD "trials:\n  search: {strategy: tpe, prior_weight: -1}\n", ":6:41: 'prior_weight' must be > 0");
	assert_load_error(HEAD "trials:\n  search: {strategy: tpe, sample: 20}\n",
	                  ":6:27: unknown key 'sample' in search (did you mean 'samples'?)");
	e = load(HEAD "trials:\n  search: {strategy: tpe}\n");
	ck_assert_msg(e && e->trial.note && strstr(e->trial.note, ":6:11: strategy tpe with samples 10 (the default) "
	              "and startup 10 (the default): every proposal is drawn at random"), "%s", e ? e->trial.note : "");
	lrs_experiment_free(e);
	e = load(HEAD "trials:\n  search: {strategy: tpe, samples: 6, startup: 6}\n");
	ck_assert_msg(e && e->trial.note && strstr(e->trial.note, ":6:36: strategy tpe with samples 6 and startup 6:"),
	              "%s", e ? e->trial.note : "");
	lrs_experiment_free(e);
	e = load(HEAD "trials:\n  search: {strategy: tpe, samples: 11}\n");
	ck_assert(e && !e->trial.note);
	lrs_experiment_free(e);
	/* a space range reaching past what its key takes: one line, under
	 * random search even when no draw reached it, under tpe before any */
	assert_plan_error(HEAD "trials:\n  search: {strategy: random, samples: 1}\n  space:\n"
	                  "    optimizer.momentum: {uniform: [0.5, 1.5]}\n", ":8:41: 'momentum' must be in [0, 1], got '1.5'");
	ck_assert_msg(!strchr(lrs_error_last(), '\n'), "more than one line: %s", lrs_error_last());
	assert_plan_error(HEAD "trials:\n  search: {strategy: tpe, samples: 11}\n  space:\n"
	                  "    optimizer.momentum: {choice: [0.9, 2]}\n", ":8:40: 'momentum' must be in [0, 1], got '2'");
}
END_TEST

/* The range_test: keys that go unused when the file gives bounds: every
 * key but bounds, in file order, the first one's key position, the list
 * cut to the buffer while the count stays whole. */
START_TEST(range_keys_beside_bounds)
{
	lrs_experiment *e = load(HEAD "range_test:\n  repeats: 3\n  bounds: {min_lr: 0.01, max_lr: 0.1}\n"
	                         "  pick: accuracy\n  start_lr: 0.001\n");
	const lrs_node *first = NULL;
	char buf[64], small[8];

	ck_assert_msg(e != NULL, "%s", lrs_error_last());
	ck_assert_int_eq(e->range.has_bounds, 1);
	ck_assert_uint_eq(lrs_experiment_range_keys(e, buf, sizeof buf, &first), 3);
	ck_assert_str_eq(buf, "repeats, pick, start_lr");
	ck_assert_ptr_nonnull(first);
	ck_assert_int_eq(first->key_line, 6);
	ck_assert_int_eq(first->key_column, 3);
	ck_assert_uint_eq(lrs_experiment_range_keys(e, small, sizeof small, NULL), 3);
	ck_assert_str_eq(small, "repeats");
	lrs_experiment_free(e);

	e = load(HEAD "range_test: {bounds: {min_lr: 0.01, max_lr: 0.1}}\n");
	ck_assert_msg(e != NULL, "%s", lrs_error_last());
	ck_assert_uint_eq(lrs_experiment_range_keys(e, buf, sizeof buf, &first), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_ptr_null(first);
	lrs_experiment_free(e);

	e = load(HEAD);
	ck_assert_msg(e != NULL, "%s", lrs_error_last());
	ck_assert_uint_eq(lrs_experiment_range_keys(e, buf, sizeof buf, &first), 0);
	ck_assert_ptr_null(first);
	lrs_experiment_free(e);
}
END_TEST

/* The plan's size counted from the file (lrs_plan_count) is the size of
 * the plan built, whatever makes it: schedule entries and their grids, the
 * space's grids, seeds or repeats, random samples, a grid's draws (of the
 * space, of one entry alone), tpe's stand-in. */
START_TEST(size_counted_as_built)
{
	static const char *const files[] = {
		HEAD "trials:\n  seeds: [1, 2, 3]\n  schedules:\n    - {type: constant, lr: {grid: [0.01, 0.02, 0.05]}}\n"
		"    - {type: step, step_size: {grid: [1, 2]}, gamma: {grid: [0.1, 0.5]}}\n    - {type: constant, lr: 0.03}\n"
		"  space:\n    batch_size: {grid: [16, 32]}\n    optimizer.momentum: {choice: [0.5, 0.9]}\n",
		HEAD "trials: {repeats: 4}\n",
		HEAD "trials:\n  repeats: 2\n  search: {strategy: random, samples: 7}\n  schedules:\n"
		"    - {type: constant, lr: {log_uniform: [0.001, 0.1]}}\n    - {type: exponential, gamma: {uniform: [0.9, 0.99]}}\n"
		"  space: {batch_size: {grid: [16, 32]}}\n",
		HEAD "trials:\n  search: {strategy: grid, samples: 4}\n  schedules:\n"
		"    - {type: constant, lr: {grid: [0.01, 0.1]}}\n    - {type: constant, lr: 0.05}\n"
		"  space:\n    optimizer.weight_decay: {log_uniform: [1.0e-5, 1.0e-3]}\n    batch_size: {grid: [16, 32, 64]}\n",
		HEAD "trials:\n  seeds: [5, 6]\n  search: {strategy: grid, samples: 3}\n  schedules:\n"
		"    - {type: constant, lr: {log_uniform: [0.01, 0.1]}}\n    - {type: constant, lr: 0.05}\n"
		"  space: {batch_size: {grid: [16, 32]}}\n",
		HEAD "trials:\n  repeats: 2\n  search: {strategy: tpe, samples: 2, startup: 1}\n  schedules:\n"
		"    - {type: constant, lr: {log_uniform: [0.01, 0.1]}}\n"
		"  space: {batch_size: {choice: [16, 32, 64]}, optimizer.momentum: {uniform: [0.5, 0.9]}}\n",
	};

	for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
		lrs_experiment *e;
		lrs_dataset *ds;
		lrs_plan p;
		lrs_plan_size size;

		plan_of(&p, files[k], &e, &ds);
		ck_assert_int_eq(lrs_plan_count(&size, e), 0);
		ck_assert_msg(size.trials == p.n, "file %zu: counted %llu (%s), built %zu", k,
		              (unsigned long long)size.trials, size.text, p.n);
		ck_assert_msg(p.n > 1, "file %zu: a plan of one trial tells nothing", k);
		done(&p, e, ds);
	}
}
END_TEST

/* A plan above LRS_PLAN_MAX_TRIALS is refused before it is built, at the
 * largest factor's place, its size and factors said; a product past 2^64
 * is "more than" that, and many factors are summed up. */
START_TEST(size_refused_before_building)
{
	lrs_buf y = { 0 }, v = { 0 };
	lrs_experiment *e;
	lrs_dataset *ds;
	lrs_plan p;
	lrs_plan_size size;
	char want[512], num[LRS_COUNT_TEXT];
	size_t n = 1;

	while (n * n * n <= LRS_PLAN_MAX_TRIALS)   /* three grids of n values: just over the limit */
		n++;
	for (size_t i = 0; i < n; i++)
		lrs_buf_printf(&v, "%s%zu", i ? ", " : "", i + 1);
	lrs_buf_printf(&y, HEAD "optimizer: {type: adam}\ntrials:\n  space:\n    optimizer.weight_decay: {grid: [%s]}\n"
	               "    optimizer.eps: {grid: [%s]}\n    batch_size: {grid: [%s]}\n", v.data, v.data, v.data);
	e = load(y.data);
	ck_assert_msg(e != NULL, "%s", lrs_error_last());
	ds = data_of(e);
	ck_assert_int_eq(lrs_plan_build(&p, e, ds, 0.01, 0.1), LRS_EINVALID);
	ck_assert_uint_eq(p.n, 0);
	const lrs_node *first = e->trial.space->items[0];
	snprintf(want, sizeof want, "%s:%d:%d: the plan has %s trials (%zu optimizer.weight_decay x %zu "
	         "optimizer.eps x %zu batch_size x 1 schedule x 1 seed), more than lrsweep's limit of ",
	         e->path, first->line, first->column, lrs_fmt_count(num, (unsigned long long)(n * n * n)), n, n, n);
	ck_assert_msg(strstr(lrs_error_last(), want) == lrs_error_last(), "'%s' is not '%s...'", lrs_error_last(), want);
	lrs_dataset_free(ds);
	lrs_experiment_free(e);
	lrs_buf_free(&y);

	/* 25 params of 10 values: 10^25 trials, past what 64 bits hold */
	lrs_buf_printf(&y, "name: t\ntrainer: {command: [/bin/true]}\nparams:\n");
	for (int i = 0; i < 25; i++)
		lrs_buf_printf(&y, "  p%02d: {grid: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}\n", i);
	lrs_buf_printf(&y, "trials: {repeats: 3}\n");
	e = load(y.data);
	ck_assert_msg(e != NULL, "%s", lrs_error_last());
	ck_assert_int_eq(lrs_plan_count(&size, e), 0);
	ck_assert(size.trials == UINT64_MAX);
	ck_assert_uint_eq(size.factors, 25 + 2);
	ck_assert_msg(strstr(size.text, "10 params.p00 x 10 params.p01 x ") == size.text, "%s", size.text);
	ck_assert_msg(strstr(size.text, " x ... (15 more)"), "%s", size.text);
	ck_assert_int_eq(lrs_plan_check_size(e), LRS_EINVALID);
	ck_assert_msg(strstr(lrs_error_last(), ": the plan has more than 18,446,744,073,709,551,615 trials (10 params.p00"),
	              "%s", lrs_error_last());
	lrs_experiment_free(e);
	lrs_buf_free(&y);
	lrs_buf_free(&v);
}
END_TEST

/* Long lists load and plan in a moment: a grid's repeats and the seeds'
 * were found by comparing each value with every earlier one, and every
 * point of a trainer's params grid copied the grid whole (a grid or a
 * seeds list of 100,000 took minutes to load, a params grid of 99,000 over
 * two minutes to plan). A repeat at the end is still found, at its place. */
START_TEST(long_lists_in_a_moment)
{
	enum { N = 20000 };
	lrs_buf v = { 0 }, y = { 0 };
	lrs_experiment *e;
	lrs_dataset *ds;
	lrs_plan p;
	lrs_plan_size size;
	char want[160];

	for (int i = 0; i < N; i++)
		lrs_buf_printf(&v, "%s%d", i ? ", " : "", i + 1);
	/* a schedule parameter's grid: loads; with 7 again at its end, refused there */
	lrs_buf_printf(&y, HEAD "trials:\n  schedules:\n    - {type: step, step_size: {grid: [%s]}}\n", v.data);
	e = load(y.data);
	ck_assert_msg(e != NULL, "%s", lrs_error_last());
	ck_assert_int_eq(lrs_plan_count(&size, e), 0);
	ck_assert(size.trials == N);
	lrs_experiment_free(e);
	lrs_buf_free(&y);
	lrs_buf_printf(&y, HEAD "trials:\n  schedules:\n    - {type: step, step_size: {grid: [%s, 0x7]}}\n", v.data);
	e = load(y.data);
	ck_assert_ptr_null(e);
	snprintf(want, sizeof want, ":7:%zu: 'step_size': the grid lists '7' twice ('7' at 7:%zu, '0x7' here)",
	         strlen("    - {type: step, step_size: {grid: [") + v.len + 3, strlen("    - {type: step, step_size: {grid: [") + 1 + 6 * 3);
	ck_assert_msg(strstr(lrs_error_last(), want), "'%s' lacks '%s'", lrs_error_last(), want);
	lrs_buf_free(&y);

	/* seeds: likewise */
	lrs_buf_printf(&y, HEAD "trials:\n  seeds: [%s]\n", v.data);
	e = load(y.data);
	ck_assert_msg(e != NULL, "%s", lrs_error_last());
	ck_assert_uint_eq(e->trial.n_seeds, N);
	lrs_experiment_free(e);
	lrs_buf_free(&y);
	lrs_buf_printf(&y, HEAD "trials:\n  seeds: [%s, 5]\n", v.data);
	e = load(y.data);
	ck_assert_ptr_null(e);
	snprintf(want, sizeof want, ":6:%zu: seed 5 is listed twice", strlen("  seeds: [") + v.len + 3);
	ck_assert_msg(strstr(lrs_error_last(), want), "'%s' lacks '%s'", lrs_error_last(), want);
	lrs_buf_free(&y);

	/* a trainer's params grid: one trial a value, each given its own */
	lrs_buf_printf(&y, "name: t\ntrainer: {command: [/bin/true]}\nparams:\n  width: 64\n  a: {grid: [%s]}\n"
	               "  depth: 2\n", v.data);
	e = load(y.data);
	ck_assert_msg(e != NULL, "%s", lrs_error_last());
	ck_assert_int_eq(lrs_dataset_new_external(&ds), 0);
	ck_assert_msg(lrs_plan_build(&p, e, ds, 0.01, 0.1) == 0, "%s", lrs_error_last());
	ck_assert_int_eq(lrs_plan_count(&size, e), 0);
	ck_assert(size.trials == p.n);
	ck_assert_uint_eq(p.n, N);
	snprintf(want, sizeof want, "{\"width\": 64, \"a\": %d, \"depth\": 2}", N);
	ck_assert_str_eq(p.items[N - 1].xparams, want);
	done(&p, e, ds);
	lrs_buf_free(&y);
	lrs_buf_free(&v);
}
END_TEST

Suite *suite_plan(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("plan");

	tcase_add_test(tc, grid_order_seeds_and_keys);
	tcase_add_test(tc, defaults_and_repeats);
	tcase_add_test(tc, plan_one_matches_the_plan);
	tcase_add_test(tc, space_applies_and_checks);
	tcase_add_test(tc, random_search);
	tcase_add_test(tc, grid_with_draws);
	tcase_add_test(tc, errors_at_their_place);
	tcase_add_test(tc, duplicates_named_in_plan_order);
	tcase_add_test(tc, groups_by_what_sets_the_scale);
	tcase_add_test(tc, refused_draws_fail_alone);
	tcase_add_test(tc, refused_proposals_fail_alone);
	tcase_add_test(tc, search_settings_checked);
	tcase_add_test(tc, range_keys_beside_bounds);
	tcase_add_test(tc, size_counted_as_built);
	tcase_add_test(tc, size_refused_before_building);
	tcase_add_test(tc, long_lists_in_a_moment);
	suite_add_tcase(s, tc);
	return s;
}
