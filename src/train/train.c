/* train.c - the trainer interface's entry points, and the built-in
 * engine: the training loop shared by range tests and trials, on a layer
 * stack (net.h; an MLP is one).
 *
 * One run = one seeded model, one optimizer, one schedule, one RNG for the
 * epoch shuffles. Updates run the model in training mode, evaluations in
 * evaluation mode. Batches are gathered into a contiguous buffer from a
 * shuffled index; nothing is allocated once training starts. The run knows
 * no database and no YAML: callers watch it through the hooks. */
#include <assert.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lrsweep/error.h"
#include "lrsweep/rng.h"
#include "lrsweep/train.h"

#define EVAL_BATCH 1000   /* samples per forward pass when evaluating ... */
#define EVAL_BYTES (64.0 * 1024 * 1024)   /* ... fewer when a stack with
                             conv, pooling, dropout or batchnorm layers
                             would need more than this for them         */

typedef struct {
	const lrs_dataset *ds;     /* the shared, read-only data              */
	lrs_net *model;
	size_t chunk;              /* samples per evaluation pass             */
	lrs_optim *optim;
	lrs_rng rng;               /* epoch shuffles                          */
	uint32_t *order;           /* (n_train) sample order of this epoch    */
	float *xb;                 /* (batch, features) gathered batch        */
	int32_t *yb;               /* (batch) its labels                      */
	float *rows;               /* (chunk, features) evaluation rows
	                              converted from bytes; NULL when every
	                              split keeps floats                      */
} trainer;

/* Whether some split of ds keeps its features as bytes (and evaluations
 * need rows converted to float32). */
static int has_bytes(const lrs_dataset *ds)
{
	return ds->train.x8 || ds->val.x8 || ds->test.x8;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

long lrs_train_steps_per_epoch(const lrs_dataset *ds, long batch_size)
{
	if (ds->external) {
		/* what the program said; until it has, an estimate from another
		 * batch size it told (its samples are about steps x batch), or
		 * 1000: long enough for any schedule to resolve */
		long steps = lrs_dataset_steps(ds, batch_size);
		if (steps > 0 || ds->n_steps == 0)
			return steps > 0 ? steps : 1000;
		return (ds->step_count[0] * ds->step_batch[0] + batch_size - 1) / batch_size;
	}
	return ((long)ds->train.n + batch_size - 1) / batch_size;
}

/* Mean loss and accuracy of the current model on the first `limit`
 * samples of `split` (0 = all). */
static void evaluate(trainer *t, const lrs_split *split, size_t limit, double *loss, double *accuracy)
{
	size_t n = limit && limit < split->n ? limit : split->n;
	size_t chunk = t->chunk;
	double total = 0;
	size_t correct = 0;

	if (n == 0) {
		*loss = *accuracy = NAN;
		return;
	}
	assert(split->x || t->rows);   /* a split of the trainer's dataset */
	for (size_t i = 0; i < n; i += chunk) {
		size_t B = n - i < chunk ? n - i : chunk;
		const float *x = lrs_split_rows(split, i, B, t->rows);
		total += lrs_net_forward(t->model, x, split->y + i, B, 0) * (double)B;
		correct += lrs_net_correct(t->model, split->y + i, B);
	}
	*loss = total / (double)n;
	*accuracy = (double)correct / (double)n;
}

static int builtin(const lrs_train_config *cfg)
{
	return !cfg->engine || cfg->engine == &lrs_engine_builtin;
}

/* cfg's stack with the data's input and classes where it leaves them 0:
 * 0, or LRS_EINVALID when its input does not hold the data's features. */
static int fit(lrs_net_config *nc, const lrs_dataset *ds, const lrs_train_config *cfg)
{
	*nc = cfg->model;
	if (nc->channels == 0)
		nc->channels = ds->features, nc->height = nc->width = 1;
	if (nc->outputs == 0)
		nc->outputs = (size_t)ds->classes;
	if (nc->channels * nc->height * nc->width != ds->features)
		return lrs_error_set(LRS_EINVALID, "the model's input (%zu, %zu, %zu) is %zu features; the data has %zu",
		                     nc->channels, nc->height, nc->width, nc->channels * nc->height * nc->width,
		                     ds->features);
	return 0;
}

/* Whether the stack is linear and activation layers alone (an MLP). */
static int plain(const lrs_net_config *nc)
{
	for (size_t l = 0; l < nc->n_layers; l++)
		if (nc->layer[l].type != LRS_LAYER_LINEAR && nc->layer[l].type != LRS_LAYER_RELU &&
		    nc->layer[l].type != LRS_LAYER_TANH && nc->layer[l].type != LRS_LAYER_SIGMOID)
			return 0;
	return 1;
}

/* The samples of one evaluation pass: EVAL_BATCH, or for a stack with
 * conv, pooling, dropout or batchnorm layers as many as EVAL_BYTES of
 * activations hold, but at least B (the training batch fits anyway). */
static size_t eval_chunk(const lrs_net_config *nc, size_t B)
{
	double one, two;
	size_t chunk = EVAL_BATCH;

	if (!plain(nc) && lrs_net_bytes(nc, 1, &one) == 0 && lrs_net_bytes(nc, 2, &two) == 0 && two > one) {
		double fit_in = EVAL_BYTES / (two - one);
		chunk = fit_in < EVAL_BATCH ? (size_t)(fit_in < 1 ? 1 : fit_in) : EVAL_BATCH;
		chunk = chunk > B ? chunk : B < EVAL_BATCH ? B : EVAL_BATCH;
	}
	return chunk;
}

/* The largest batch a run's net takes: the training batch B or the
 * evaluation chunk. */
static size_t max_batch(size_t B, size_t chunk)
{
	return B > chunk ? B : chunk;
}

/* The parameters of a stack (0 when it does not fit its input). */
static size_t count_params(const lrs_net_config *nc)
{
	lrs_layer_shape shape[LRS_NET_MAX_LAYERS];
	size_t bad, n = 0;

	if (lrs_net_shapes(nc, shape, &bad) < 0)
		return 0;
	for (size_t l = 0; l < nc->n_layers; l++)
		n += shape[l].params;
	return n;
}

/* The rows a run's training batch holds: the batch size, or the training
 * samples when there are fewer (an epoch is then one batch of them all,
 * as a PyTorch DataLoader or Keras' fit makes it). A batch_size of 10^7
 * on 300 samples asked for 10^7 rows of activations: refused as needing
 * 300 GB, or allocated for nothing. */
static size_t batch_rows(const lrs_dataset *ds, const lrs_train_config *cfg)
{
	size_t B = (size_t)(cfg->batch_size > 0 ? cfg->batch_size : 1);

	return ds->train.n > 0 && ds->train.n < B ? ds->train.n : B;
}

/* One run's bytes into *bytes: 0, or the error of a stack that does not
 * fit the data or cannot be built. */
static int run_bytes(const lrs_dataset *ds, const lrs_train_config *cfg, double *bytes)
{
	lrs_net_config nc;
	size_t B = (size_t)(cfg->batch_size > 0 ? cfg->batch_size : 1), chunk;
	double net, d = (double)ds->features;
	int rc;

	if ((rc = fit(&nc, ds, cfg)) < 0)
		return rc;
	chunk = eval_chunk(&nc, B);   /* of the batch size as given: evaluation stays as it was */
	B = batch_rows(ds, cfg);
	if ((rc = lrs_net_bytes(&nc, max_batch(B, chunk), &net)) < 0)
		return rc;
	*bytes = net                                                                    /* net.h's block */
	         + sizeof(float) * ((cfg->optim.type == LRS_OPTIM_SGD ? 1 : 2) * (double)count_params(&nc) /* state */
	                            + (double)B * d                                     /* batch features */
	                            + (has_bytes(ds) ? (double)chunk * d : 0))          /* evaluation rows */
	         + sizeof(int32_t) * (double)B + sizeof(uint32_t) * (double)ds->train.n;   /* labels, order */
	return 0;
}

static double builtin_bytes(const lrs_engine *engine, const lrs_dataset *ds, const lrs_train_config *cfg)
{
	double bytes = 0;

	(void)engine;
	return run_bytes(ds, cfg, &bytes) < 0 ? 0 : bytes;
}

double lrs_train_bytes(const lrs_dataset *ds, const lrs_train_config *cfg)
{
	if (builtin(cfg))
		return builtin_bytes(&lrs_engine_builtin, ds, cfg);
	return cfg->engine->bytes ? cfg->engine->bytes(cfg->engine, ds, cfg) : 0;
}

int lrs_train_check_memory(const lrs_dataset *ds, const lrs_train_config *cfg, long runs)
{
	double per_run = 0;
	long n = runs < 1 ? 1 : runs;   /* runs counted; runs 0: no margins */
	lrs_net_config nc;
	char what[256];
	int rc;

	if (!builtin(cfg)) {
		per_run = lrs_train_bytes(ds, cfg);
		if (per_run <= 0)
			return 0;
		snprintf(what, sizeof what, "%ld run%s of the %s trainer", n, n == 1 ? "" : "s", cfg->engine->name);
		return lrs_memory_check(per_run * (double)n, runs, what);
	}
	if ((rc = run_bytes(ds, cfg, &per_run)) < 0 || (rc = fit(&nc, ds, cfg)) < 0)
		return rc;
	if (n > 1)
		snprintf(what, sizeof what, "training %ld runs at once of the model (%zu parameters, batch %ld: "
		         "%.0f MiB each)", n, count_params(&nc), cfg->batch_size, ceil(per_run / (1024.0 * 1024.0)));
	else
		snprintf(what, sizeof what, "training the model (%zu parameters, batch %ld)", count_params(&nc),
		         cfg->batch_size);
	return lrs_memory_check(per_run * (double)n, runs, what);
}

static void trainer_free(trainer *t)
{
	lrs_net_free(t->model);
	lrs_optim_free(t->optim);
	free(t->order);
	free(t->xb);
	free(t->yb);
	free(t->rows);
}

static int trainer_init(trainer *t, const lrs_dataset *ds, const lrs_train_config *cfg)
{
	lrs_net_config nc;
	size_t B = (size_t)cfg->batch_size, d = ds->features;
	lrs_rng init_rng;
	int rc;

	memset(t, 0, sizeof *t);
	t->ds = ds;
	if (ds->train.n == 0)
		return lrs_error_set(LRS_EINVALID, "no training samples");
	if (ds->train.n > UINT32_MAX)
		return lrs_error_set(LRS_EINVALID, "more than %u training samples", UINT32_MAX);
	if ((rc = fit(&nc, ds, cfg)) < 0)
		return rc;
	if ((rc = lrs_train_check_memory(ds, cfg, 0)) < 0)   /* before allocating; runs 0: margins checked before */
		return rc;
	t->chunk = eval_chunk(&nc, B);   /* of the batch size as given: evaluation stays as it was */
	B = batch_rows(ds, cfg);
	if ((rc = lrs_net_build(&t->model, &nc, max_batch(B, t->chunk))) < 0)
		return rc;
	if ((rc = lrs_optim_build(&t->optim, &cfg->optim, t->model->n_params)) < 0)
		return rc;
	t->order = malloc(ds->train.n * sizeof *t->order);
	t->xb = malloc(B * d * sizeof *t->xb);
	t->yb = malloc(B * sizeof *t->yb);
	if (has_bytes(ds))
		t->rows = malloc(t->chunk * d * sizeof *t->rows);
	if (!t->order || !t->xb || !t->yb || (has_bytes(ds) && !t->rows))
		return lrs_error_set(LRS_ENOMEM, "out of memory for batches of %zu x %zu", B, d);
	/* two independent streams from the run's seed: weights, then shuffles */
	lrs_rng_seed(&init_rng, lrs_rng_mix(cfg->seed ^ 0x696e6974ULL));       /* "init" */
	lrs_rng_seed(&t->rng, lrs_rng_mix(cfg->seed ^ 0x73687566ULL));        /* "shuf" */
	lrs_net_init(t->model, &init_rng);
	for (size_t i = 0; i < ds->train.n; i++)
		t->order[i] = (uint32_t)i;
	return 0;
}

static void shuffle(trainer *t)
{
	size_t n = t->ds->train.n;

	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)(lrs_rng_uniform(&t->rng) * (double)(i + 1));
		uint32_t tmp = t->order[i];
		t->order[i] = t->order[j];
		t->order[j] = tmp;
	}
}

/* What one run of the built-in engine carries from update to update. */
typedef struct {
	trainer t;
	const lrs_dataset *ds;
	const lrs_train_config *cfg;
	const lrs_train_hooks *hooks;
	lrs_train_result *out;
	lrs_plateau plateau;
	int use_plateau;           /* reduce_on_plateau: rates from `plateau`  */
	int cycles;                /* the schedule cycles momentum             */
	long step;                 /* updates made                             */
} run_state;

/* The range test's evaluation after update `step`, when one is due. */
static void step_eval(run_state *r, long step)
{
	const lrs_train_config *cfg = r->cfg;
	double loss, accuracy;

	if (cfg->eval_every <= 0 || !(step % cfg->eval_every == 0 || step == cfg->max_steps - 1))
		return;
	evaluate(&r->t, &r->ds->val, cfg->eval_samples, &loss, &accuracy);
	if (r->hooks && r->hooks->on_eval)
		r->hooks->on_eval(r->hooks->ctx, step, loss, accuracy);
}

/* One epoch's updates; fills e's training numbers and returns the samples
 * trained on. Sets out->status when the run diverges or a hook stops it. */
static size_t run_epoch(run_state *r, lrs_epoch_stats *e)
{
	const lrs_train_config *cfg = r->cfg;
	const lrs_train_hooks *hooks = r->hooks;
	trainer *t = &r->t;
	size_t n = r->ds->train.n, B = (size_t)cfg->batch_size, correct = 0, seen = 0;
	double loss_sum = 0, lr = 0;

	shuffle(t);
	for (size_t start = 0; start < n; start += B) {
		size_t nb = n - start < B ? n - start : B;
		double loss;

		if (cfg->max_steps > 0 && r->step >= cfg->max_steps)
			break;
		lrs_split_gather(&r->ds->train, t->order + start, nb, t->xb, t->yb);
		loss = lrs_net_forward(t->model, t->xb, t->yb, nb, 1);
		if (!isfinite(loss)) {
			r->out->status = LRS_RUN_DIVERGED;
			r->out->diverged_at = r->step;
			break;
		}
		correct += lrs_net_correct(t->model, t->yb, nb);
		loss_sum += loss * (double)nb;
		seen += nb;
		lrs_net_backward(t->model, t->xb, t->yb, nb);
		lr = r->use_plateau ? r->plateau.lr : lrs_sched_lr(cfg->sched, r->step);
		/* zeroes the gradients for the next backward as it reads them */
		lrs_optim_step_zero_grad(t->optim, t->model->params, t->model->grads, lr,
		                         r->cycles ? lrs_sched_momentum(cfg->sched, r->step) : NAN);
		step_eval(r, r->step);
		r->step++;
		if (hooks && hooks->on_step && hooks->on_step(hooks->ctx, r->step - 1, lr, loss)) {
			r->out->status = LRS_RUN_STOPPED;
			break;
		}
	}
	e->steps = r->step;
	e->lr = lr;
	e->train_loss = seen ? loss_sum / (double)seen : NAN;
	e->train_accuracy = seen ? (double)correct / (double)seen : NAN;
	return seen;
}

/* After epoch e's updates (begun at t_epoch): validation, the plateau's
 * step, the epoch's time, the result's best, the hook. */
static void end_epoch(run_state *r, lrs_epoch_stats *e, double t_epoch)
{
	lrs_train_result *out = r->out;

	e->val_loss = e->val_accuracy = NAN;
	if (r->cfg->eval_each_epoch)
		evaluate(&r->t, &r->ds->val, 0, &e->val_loss, &e->val_accuracy);
	if (r->use_plateau) {
		/* mode max watches accuracy, mode min the loss; without a
		 * validation split, the training numbers */
		int has_val = !isnan(e->val_accuracy);
		if (lrs_plateau_minimizes(&r->plateau))
			lrs_plateau_step(&r->plateau, has_val ? e->val_loss : e->train_loss);
		else
			lrs_plateau_step(&r->plateau, has_val ? e->val_accuracy : e->train_accuracy);
	}
	e->seconds = now_seconds() - t_epoch;
	e->model = r->t.model;
	out->epochs_done = e->epoch;
	out->last = *e;
	out->last.model = NULL;
	if (!isnan(e->val_accuracy) && (isnan(out->best_val_accuracy) || e->val_accuracy > out->best_val_accuracy)) {
		out->best_val_accuracy = e->val_accuracy;
		out->best_epoch = e->epoch;
	}
	if (r->hooks && r->hooks->on_epoch && r->hooks->on_epoch(r->hooks->ctx, e))
		out->status = LRS_RUN_STOPPED;
}

/* A cycled momentum is Adam's beta1, which must stay below 1. */
static int check_cycled_momentum(const lrs_dataset *ds, const lrs_train_config *cfg)
{
	long total = lrs_train_steps_per_epoch(ds, cfg->batch_size) * cfg->epochs;

	if (!lrs_sched_cycles_momentum(cfg->sched) || cfg->optim.type == LRS_OPTIM_SGD)
		return 0;
	for (long i = 0; i < total; i++)
		if (!(lrs_sched_momentum(cfg->sched, i) < 1))
			return lrs_error_set(LRS_EINVALID, "%s cycles momentum up to %g, but with %s it is beta1, "
			                     "which must be below 1 (lower max_momentum)",
			                     lrs_sched_type_name(lrs_sched_get_type(cfg->sched)),
			                     lrs_sched_momentum(cfg->sched, i),
			                     cfg->optim.type == LRS_OPTIM_ADAM ? "adam" : "adamw");
	return 0;
}

static int builtin_run(const lrs_engine *engine, lrs_train_result *out, const lrs_dataset *ds,
                       const lrs_train_config *cfg, const lrs_train_hooks *hooks)
{
	run_state r = { .ds = ds, .cfg = cfg, .hooks = hooks, .out = out,
	                .use_plateau = lrs_sched_get_type(cfg->sched) == LRS_SCHED_REDUCE_ON_PLATEAU,
	                .cycles = lrs_sched_cycles_momentum(cfg->sched) };
	double t_run = now_seconds();
	int rc;

	(void)engine;
	if ((rc = check_cycled_momentum(ds, cfg)) < 0)
		return rc;
	if ((rc = trainer_init(&r.t, ds, cfg)) < 0) {
		trainer_free(&r.t);
		return rc;
	}
	if (r.use_plateau)
		lrs_plateau_init(&r.plateau, cfg->sched);
	out->status = LRS_RUN_COMPLETED;
	lrs_net_zero_grad(r.t.model);   /* then each update leaves them zeroed */
	for (long epoch = 1; epoch <= cfg->epochs && out->status == LRS_RUN_COMPLETED; epoch++) {
		double t_epoch = now_seconds();
		lrs_epoch_stats e = { .epoch = epoch };

		if (run_epoch(&r, &e) == 0 || out->status == LRS_RUN_DIVERGED)
			break;
		end_epoch(&r, &e, t_epoch);
		if (cfg->max_steps > 0 && r.step >= cfg->max_steps)
			break;
	}
	out->steps = r.step;
	if (out->status != LRS_RUN_DIVERGED && ds->test.n > 0 && !cfg->skip_test)
		evaluate(&r.t, &ds->test, 0, &out->test_loss, &out->test_accuracy);
	out->seconds = now_seconds() - t_run;
	trainer_free(&r.t);
	return 0;
}

const lrs_engine lrs_engine_builtin = { "built-in", builtin_run, builtin_bytes, NULL };

int lrs_train_run(lrs_train_result *out, const lrs_dataset *ds,
                  const lrs_train_config *cfg, const lrs_train_hooks *hooks)
{
	memset(out, 0, sizeof *out);
	out->diverged_at = -1;
	out->best_val_accuracy = out->test_loss = out->test_accuracy = NAN;
	if (cfg->batch_size < 1 || cfg->epochs < 1)
		return lrs_error_set(LRS_EINVALID, "batch size and epochs must be at least 1");
	const lrs_engine *engine = builtin(cfg) ? &lrs_engine_builtin : cfg->engine;
	return engine->run(engine, out, ds, cfg, hooks);
}
