/* test_train.c - the training loop: determinism, batches, divergence,
 * hooks, reduce_on_plateau and evaluation (per epoch and every k steps),
 * engines other than the built-in one, on small synthetic data. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/data.h"
#include "lrsweep/error.h"
#include "lrsweep/schedule.h"
#include "lrsweep/train.h"
#include "suites.h"

/* Blobs: 4 classes in 5 dimensions, 250 samples, 20% held out, 100 test. */
static lrs_dataset *blobs(void)
{
	lrs_data_config dc = { 0 };
	lrs_dataset *ds = NULL;

	dc.train = (lrs_data_source){ .format = LRS_DATA_SYNTHETIC, .kind = "blobs", .samples = 250,
	                              .classes = 4, .dims = 5, .noise = NAN };
	dc.test = dc.train;
	dc.test.samples = 100;
	dc.has_test = 1;
	dc.validation = 0.2;
	dc.normalize = LRS_NORM_STANDARDIZE;
	dc.seed = 3;
	ck_assert_msg(lrs_dataset_load(&ds, &dc) == 0, "%s", lrs_error_last());
	return ds;
}

static lrs_sched *sched(const char *type, const char *k1, const char *v1, const char *k2, const char *v2)
{
	lrs_node *map, *v;
	lrs_sched *s = NULL;

	lrs_node_new_map(&map, 0, 0);
	lrs_node_new_scalar(&v, v1, 0, 0);
	lrs_node_append(map, k1, v);
	if (k2) {
		lrs_node_new_scalar(&v, v2, 0, 0);
		lrs_node_append(map, k2, v);
	}
	ck_assert_msg(lrs_sched_build(&s, type, map, NULL) == 0, "%s", lrs_error_last());
	lrs_node_free(map);
	return s;
}

static lrs_train_config config(const lrs_sched *s, long batch, long epochs)
{
	lrs_train_config c;

	memset(&c, 0, sizeof c);
	lrs_net_from_mlp(&c.model, &(lrs_mlp_config){ .n_hidden = 1, .hidden = { 16 }, .activation = LRS_ACT_RELU,
	                                              .init = LRS_INIT_HE });
	lrs_optim_defaults(&c.optim, LRS_OPTIM_SGD);
	c.optim.momentum = 0.9;
	c.batch_size = batch;
	c.epochs = epochs;
	c.seed = 11;
	c.sched = s;
	c.eval_each_epoch = 1;
	return c;
}

/* What the hooks saw. */
typedef struct {
	long steps;                /* on_step calls                */
	long epochs;               /* on_epoch calls               */
	double lrs[64];            /* lr of each epoch             */
	double losses[4096];       /* loss of each step            */
	float *params;             /* a copy of the final params   */
	size_t n_params;
	long stop_at_step;         /* stop when reached (-1 never) */
} seen;

static int on_step(void *ctx, long step, double lr, double loss)
{
	seen *s = ctx;
	(void)lr;
	ck_assert_int_eq(step, s->steps);
	if (step < 4096)
		s->losses[step] = loss;
	s->steps++;
	return step == s->stop_at_step;
}

static int on_epoch(void *ctx, const lrs_epoch_stats *e)
{
	seen *s = ctx;
	const lrs_net *m = e->model;

	ck_assert_int_eq(e->epoch, s->epochs + 1);
	s->lrs[s->epochs++ % 64] = e->lr;
	free(s->params);
	s->n_params = m->n_params;
	s->params = malloc(m->n_params * sizeof *s->params);
	memcpy(s->params, m->params, m->n_params * sizeof *s->params);
	return 0;
}

static lrs_train_result train(const lrs_dataset *ds, const lrs_train_config *c, seen *s)
{
	lrs_train_hooks h = { .ctx = s, .on_step = on_step, .on_epoch = on_epoch };
	lrs_train_result r;

	ck_assert_msg(lrs_train_run(&r, ds, c, &h) == 0, "%s", lrs_error_last());
	return r;
}

START_TEST(same_seed_same_bits)
{
	lrs_dataset *ds = blobs();
	lrs_sched *s = sched("constant", "lr", "0.05", NULL, NULL);
	lrs_train_config c = config(s, 32, 3);
	seen a = { .stop_at_step = -1 }, b = { .stop_at_step = -1 }, d = { .stop_at_step = -1 };
	lrs_train_result ra = train(ds, &c, &a), rb = train(ds, &c, &b);

	ck_assert_int_eq(a.steps, b.steps);
	ck_assert_mem_eq(a.losses, b.losses, (size_t)a.steps * sizeof(double));
	ck_assert_mem_eq(a.params, b.params, a.n_params * sizeof(float));
	ck_assert_mem_eq(&ra.last, &rb.last, offsetof(lrs_epoch_stats, seconds));
	ck_assert(memcmp(&ra.test_accuracy, &rb.test_accuracy, sizeof(double)) == 0);
	c.seed = 12;
	train(ds, &c, &d);
	ck_assert(memcmp(a.params, d.params, a.n_params * sizeof(float)) != 0);
	free(a.params); free(b.params); free(d.params);
	lrs_sched_free(s);
	lrs_dataset_free(ds);
}
END_TEST

START_TEST(partial_last_batch_is_kept)
{
	lrs_dataset *ds = blobs();   /* 200 training samples */
	lrs_sched *s = sched("constant", "lr", "0.05", NULL, NULL);
	lrs_train_config c = config(s, 64, 2);
	seen a = { .stop_at_step = -1 };
	lrs_train_result r = train(ds, &c, &a);

	ck_assert_uint_eq(ds->train.n, 200);
	ck_assert_int_eq(lrs_train_steps_per_epoch(ds, 64), 4);   /* 64+64+64+8 */
	ck_assert_int_eq(r.steps, 8);
	ck_assert_int_eq(a.steps, 8);
	ck_assert_int_eq(r.epochs_done, 2);
	ck_assert_int_eq(r.status, LRS_RUN_COMPLETED);
	free(a.params);
	lrs_sched_free(s);
	lrs_dataset_free(ds);
}
END_TEST

START_TEST(learns_and_evaluates)
{
	lrs_dataset *ds = blobs();
	lrs_sched *s = sched("constant", "lr", "0.05", NULL, NULL);
	lrs_train_config c = config(s, 16, 10);
	seen a = { .stop_at_step = -1 };
	lrs_train_result r = train(ds, &c, &a);

	/* blobs are separable: the run must learn them */
	ck_assert_double_gt(r.test_accuracy, 0.9);
	ck_assert_double_gt(r.best_val_accuracy, 0.9);
	ck_assert_int_ge(r.best_epoch, 1);
	ck_assert(!isnan(r.test_loss));
	ck_assert_double_lt(a.losses[a.steps - 1], a.losses[0]);
	free(a.params);
	lrs_sched_free(s);
	lrs_dataset_free(ds);
}
END_TEST

START_TEST(divergence_stops_at_its_step)
{
	lrs_dataset *ds = blobs();
	lrs_sched *s = sched("exponential", "lr", "0.01", "gamma", "10");
	lrs_train_config c = config(s, 32, 50);
	seen a = { .stop_at_step = -1 };
	lrs_train_result r = train(ds, &c, &a);

	ck_assert_int_eq(r.status, LRS_RUN_DIVERGED);
	ck_assert_int_ge(r.diverged_at, 1);
	/* the diverging step is not an update: hooks saw the steps before it */
	ck_assert_int_eq(a.steps, r.diverged_at);
	ck_assert_int_eq(r.steps, r.diverged_at);
	ck_assert(isnan(r.test_accuracy));
	free(a.params);
	lrs_sched_free(s);
	lrs_dataset_free(ds);
}
END_TEST

START_TEST(hooks_and_max_steps_stop)
{
	lrs_dataset *ds = blobs();
	lrs_sched *s = sched("constant", "lr", "0.05", NULL, NULL);
	lrs_train_config c = config(s, 32, 10);
	seen a = { .stop_at_step = 9 }, b = { .stop_at_step = -1 };
	lrs_train_result r = train(ds, &c, &a);

	ck_assert_int_eq(r.status, LRS_RUN_STOPPED);
	ck_assert_int_eq(a.steps, 10);
	c.max_steps = 13;
	r = train(ds, &c, &b);
	ck_assert_int_eq(r.status, LRS_RUN_COMPLETED);
	ck_assert_int_eq(r.steps, 13);
	free(a.params); free(b.params);
	lrs_sched_free(s);
	lrs_dataset_free(ds);
}
END_TEST

START_TEST(plateau_cuts_the_rate)
{
	lrs_dataset *ds = blobs();
	/* threshold 1 (relative, mode max): no epoch improves on the first by
	 * 100%, so with patience 0 every epoch after the first halves the rate */
	lrs_node *map, *v;
	lrs_sched *s = NULL;
	const char *kv[][2] = { { "lr", "0.08" }, { "patience", "0" }, { "factor", "0.5" }, { "threshold", "1" } };

	lrs_node_new_map(&map, 0, 0);
	for (size_t i = 0; i < 4; i++) {
		lrs_node_new_scalar(&v, kv[i][1], 0, 0);
		lrs_node_append(map, kv[i][0], v);
	}
	ck_assert(lrs_sched_build(&s, "reduce_on_plateau", map, NULL) == 0);
	lrs_train_config c = config(s, 32, 4);
	seen a = { .stop_at_step = -1 };
	train(ds, &c, &a);
	ck_assert_double_eq(a.lrs[0], 0.08);
	ck_assert_double_eq(a.lrs[1], 0.08);
	ck_assert_double_eq(a.lrs[2], 0.04);
	ck_assert_double_eq(a.lrs[3], 0.02);
	free(a.params);
	lrs_node_free(map);
	lrs_sched_free(s);
	lrs_dataset_free(ds);
}
END_TEST

/* Step evaluations (eval_every): at steps 0, k, 2k, ... and the last of
 * max_steps, each before that step's on_step, on the model after the
 * update (the same accuracy an evaluation at the epoch's end gives when
 * the step ends the epoch); training itself unchanged by them. */
typedef struct {
	long evals[64], n_evals;
	long last_step;            /* on_step's last step          */
	int order_ok;              /* each eval before its on_step */
	double last_acc;
} eval_seen;

static void eval_hook(void *ctx, long step, double val_loss, double val_accuracy)
{
	eval_seen *s = ctx;
	ck_assert(isfinite(val_loss));
	if (step != s->last_step + 1)
		s->order_ok = 0;
	if (s->n_evals < 64)
		s->evals[s->n_evals++] = step;
	s->last_acc = val_accuracy;
}

static int eval_step(void *ctx, long step, double lr, double loss)
{
	eval_seen *s = ctx;
	(void)lr; (void)loss;
	s->last_step = step;
	return 0;
}

START_TEST(step_evaluations)
{
	lrs_dataset *ds = blobs();
	lrs_sched *s = sched("constant", "lr", "0.05", NULL, NULL);
	lrs_train_config c = config(s, 20, 10);   /* 200 train samples: 10 steps per epoch */
	eval_seen seen_evals = { .last_step = -1, .order_ok = 1 };
	lrs_train_hooks h = { .ctx = &seen_evals, .on_step = eval_step, .on_eval = eval_hook };
	lrs_train_result plain, with;

	c.max_steps = 20;
	ck_assert_int_eq(lrs_train_run(&plain, ds, &c, NULL), 0);
	c.eval_every = 7;
	c.eval_samples = 0;
	ck_assert_int_eq(lrs_train_run(&with, ds, &c, &h), 0);
	ck_assert_int_eq(seen_evals.n_evals, 4);
	ck_assert_int_eq(seen_evals.evals[0], 0);
	ck_assert_int_eq(seen_evals.evals[1], 7);
	ck_assert_int_eq(seen_evals.evals[2], 14);
	ck_assert_int_eq(seen_evals.evals[3], 19);   /* the last of max_steps */
	ck_assert(seen_evals.order_ok);
	/* the last step ends epoch 2: its evaluation saw the epoch's model */
	ck_assert_double_eq(seen_evals.last_acc, with.last.val_accuracy);
	ck_assert_double_eq(with.last.train_loss, plain.last.train_loss);
	ck_assert_double_eq(with.last.val_loss, plain.last.val_loss);
	lrs_sched_free(s);
	lrs_dataset_free(ds);
}
END_TEST

/* Another engine: lrs_train_run hands it the run, and the memory check
 * asks it what a run holds. */
static int fake_runs;

static int fake_run(const lrs_engine *engine, lrs_train_result *out, const lrs_dataset *ds,
                    const lrs_train_config *cfg, const lrs_train_hooks *hooks)
{
	(void)ds; (void)hooks;
	fake_runs++;
	ck_assert_ptr_eq(cfg->engine, engine);
	out->status = LRS_RUN_COMPLETED;
	out->epochs_done = cfg->epochs;
	out->best_val_accuracy = *(const double *)engine->ctx;
	return 0;
}

static double fake_bytes(const lrs_engine *engine, const lrs_dataset *ds, const lrs_train_config *cfg)
{
	(void)engine; (void)ds; (void)cfg;
	return 1e18;   /* more than any machine has */
}

START_TEST(engines)
{
	lrs_dataset *ds = blobs();
	lrs_sched *s = sched("constant", "lr", "0.05", NULL, NULL);
	lrs_train_config c = config(s, 20, 3);
	double acc = 0.75;
	lrs_engine fake = { "fake", fake_run, fake_bytes, &acc };
	lrs_train_result r;

	c.engine = &fake;
	ck_assert_int_eq(lrs_train_run(&r, ds, &c, NULL), 0);
	ck_assert_int_eq(fake_runs, 1);
	ck_assert_int_eq(r.epochs_done, 3);
	ck_assert_double_eq(r.best_val_accuracy, 0.75);
	ck_assert_int_eq(r.diverged_at, -1);   /* lrs_train_run's defaults, then the engine's */
	ck_assert_int_eq(lrs_train_check_memory(ds, &c, 2), LRS_ENOMEM);
	ck_assert_msg(strstr(lrs_error_last(), "fake trainer") != NULL, "%s", lrs_error_last());
	/* an engine that counts nothing passes the check */
	fake.bytes = NULL;
	ck_assert_int_eq(lrs_train_check_memory(ds, &c, 2), 0);
	/* the built-in engine named outright is the default */
	c.engine = &lrs_engine_builtin;
	ck_assert_int_eq(lrs_train_run(&r, ds, &c, NULL), 0);
	ck_assert_int_eq(fake_runs, 1);
	ck_assert_int_eq(r.epochs_done, 3);
	ck_assert(lrs_train_bytes(ds, &c) > 0);
	lrs_sched_free(s);
	lrs_dataset_free(ds);
}
END_TEST

START_TEST(bad_config_is_refused)
{
	lrs_dataset *ds = blobs();
	lrs_sched *s = sched("constant", "lr", "0.05", NULL, NULL);
	lrs_train_config c = config(s, 0, 1);
	lrs_train_result r;

	ck_assert_int_eq(lrs_train_run(&r, ds, &c, NULL), LRS_EINVALID);
	c.batch_size = 8;
	c.optim.nesterov = 1;
	c.optim.momentum = 0;
	ck_assert_int_eq(lrs_train_run(&r, ds, &c, NULL), LRS_EINVALID);
	lrs_sched_free(s);
	lrs_dataset_free(ds);
}
END_TEST

Suite *suite_train(void)
{
	Suite *s = suite_create("train");
	TCase *tc = tcase_create("loop");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, same_seed_same_bits);
	tcase_add_test(tc, partial_last_batch_is_kept);
	tcase_add_test(tc, learns_and_evaluates);
	tcase_add_test(tc, divergence_stops_at_its_step);
	tcase_add_test(tc, hooks_and_max_steps_stop);
	tcase_add_test(tc, plateau_cuts_the_rate);
	tcase_add_test(tc, bad_config_is_refused);
	tcase_add_test(tc, step_evaluations);
	tcase_add_test(tc, engines);
	suite_add_tcase(s, tc);
	return s;
}
