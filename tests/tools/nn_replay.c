/* nn_replay.c - replays a recorded training run through lrsweep's model and
 * optimizer, for tests/torch_nn_check.py to compare with PyTorch.
 *
 * Usage: nn_replay DIR
 *
 * DIR holds:
 *   config        text, one `key value...` per line ('#' starts a comment):
 *                   layers 4 8 3        inputs, hidden widths..., outputs
 *                   activation relu     relu | tanh | sigmoid
 *                   optimizer sgd       sgd | adam | adamw
 *                   momentum 0.9        sgd      (default 0)
 *                   nesterov 1          sgd      (default 0)
 *                   weight_decay 0.01   all      (default PyTorch's)
 *                   betas 0.9 0.999     adam(w)  (default 0.9 0.999)
 *                   eps 1e-8            adam(w)  (default 1e-8)
 *                   batch 16            samples per step
 *                   steps 20            number of updates
 *                   lr L0 L1 ...        one rate per step
 *                   cycle M0 M1 ...     optional: momentum (sgd) or beta1
 *                                       (adam, adamw) per step, nan = none
 *   params.f32    the initial parameters, float32 little-endian in
 *                 lrsweep's layout: for each layer l, W[l] (out, in)
 *                 row-major, then b[l] (out)
 *   x.f32         float32 (steps, batch, inputs)
 *   y.i32         int32 (steps, batch)
 *
 * and receives:
 *   final.f32     the parameters after the last step, same layout
 *   losses.txt    the loss of every step (before its update), %.9g a line
 *
 * Each step is forward, zero_grad, backward, lrs_optim_step, as PyTorch's
 * loop does it. Exits 0, or 1 with a message on stderr. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/nn.h"
#include "lrsweep/optim.h"

#define MAX_STEPS 100000

typedef struct {
	lrs_mlp_config mlp;
	lrs_optim_config opt;
	size_t batch, steps;
	double *lr;       /* (steps) */
	double *cycle;    /* (steps) NAN = configured value */
} replay_config;

static int fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "nn_replay: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	return 1;
}

/* Reads `count` numbers from strtok's remaining tokens into out. */
static int read_numbers(double *out, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		char *tok = strtok(NULL, " \t\r\n"), *end;
		if (!tok)
			return -1;
		out[i] = strtod(tok, &end);
		if (*end)
			return -1;
	}
	return strtok(NULL, " \t\r\n") ? -1 : 0;
}

static int parse_config(replay_config *c, const char *path)
{
	static char line[1 << 20];   /* a line: lr lists can be long */
	FILE *f = fopen(path, "r");
	int sizes = 0;

	if (!f)
		return fail("cannot open %s", path);
	lrs_optim_defaults(&c->opt, LRS_OPTIM_SGD);
	while (fgets(line, sizeof line, f)) {
		char *hash = strchr(line, '#'), *key;
		double v[2 + LRS_MLP_MAX_HIDDEN + 1];

		if (hash)
			*hash = '\0';
		if (!(key = strtok(line, " \t\r\n")))
			continue;
		if (!strcmp(key, "layers")) {
			size_t n = 0;
			char *tok;
			while ((tok = strtok(NULL, " \t\r\n")) && n < sizeof v / sizeof v[0])
				v[n++] = strtod(tok, NULL);
			if (n < 2 || n > LRS_MLP_MAX_HIDDEN + 2)
				goto bad;
			c->mlp.inputs = (size_t)v[0];
			c->mlp.outputs = (size_t)v[n - 1];
			c->mlp.n_hidden = n - 2;
			for (size_t i = 0; i + 2 < n; i++)
				c->mlp.hidden[i] = (size_t)v[i + 1];
			sizes = 1;
		} else if (!strcmp(key, "activation")) {
			char *a = strtok(NULL, " \t\r\n");
			if (!a)
				goto bad;
			c->mlp.activation = !strcmp(a, "tanh") ? LRS_ACT_TANH
			                  : !strcmp(a, "sigmoid") ? LRS_ACT_SIGMOID : LRS_ACT_RELU;
		} else if (!strcmp(key, "optimizer")) {
			char *o = strtok(NULL, " \t\r\n");
			lrs_optim_type t;
			if (!o)
				goto bad;
			t = !strcmp(o, "adam") ? LRS_OPTIM_ADAM
			  : !strcmp(o, "adamw") ? LRS_OPTIM_ADAMW : LRS_OPTIM_SGD;
			lrs_optim_defaults(&c->opt, t);
		} else if (!strcmp(key, "momentum")) {
			if (read_numbers(v, 1) < 0)
				goto bad;
			c->opt.momentum = v[0];
		} else if (!strcmp(key, "nesterov")) {
			if (read_numbers(v, 1) < 0)
				goto bad;
			c->opt.nesterov = v[0] != 0;
		} else if (!strcmp(key, "weight_decay")) {
			if (read_numbers(v, 1) < 0)
				goto bad;
			c->opt.weight_decay = v[0];
		} else if (!strcmp(key, "betas")) {
			if (read_numbers(v, 2) < 0)
				goto bad;
			c->opt.beta1 = v[0];
			c->opt.beta2 = v[1];
		} else if (!strcmp(key, "eps")) {
			if (read_numbers(v, 1) < 0)
				goto bad;
			c->opt.eps = v[0];
		} else if (!strcmp(key, "batch")) {
			if (read_numbers(v, 1) < 0 || v[0] < 1)
				goto bad;
			c->batch = (size_t)v[0];
		} else if (!strcmp(key, "steps")) {
			if (read_numbers(v, 1) < 0 || v[0] < 1 || v[0] > MAX_STEPS)
				goto bad;
			c->steps = (size_t)v[0];
			c->lr = calloc(c->steps, sizeof *c->lr);
			c->cycle = calloc(c->steps, sizeof *c->cycle);
			if (!c->lr || !c->cycle)
				goto bad;
			for (size_t i = 0; i < c->steps; i++)
				c->cycle[i] = NAN;
		} else if (!strcmp(key, "lr") || !strcmp(key, "cycle")) {
			if (!c->steps || read_numbers(!strcmp(key, "lr") ? c->lr : c->cycle, c->steps) < 0)
				goto bad;
		} else {
			goto bad;
		}
	}
	fclose(f);
	if (!sizes || !c->batch || !c->steps)
		return fail("%s: needs layers, batch, steps and lr", path);
	return 0;

bad:
	fclose(f);
	return fail("%s: bad line (key, count or order: steps before lr/cycle)", path);
}

/* Reads exactly `bytes` bytes of DIR/name into buf. */
static int read_file(void *buf, size_t bytes, const char *dir, const char *name)
{
	char path[4096];
	FILE *f;
	size_t got;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "rb")))
		return fail("cannot open %s", path);
	got = fread(buf, 1, bytes, f);
	if (got != bytes || fgetc(f) != EOF) {
		fclose(f);
		return fail("%s: wrong size", path);
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	replay_config c = { 0 };
	lrs_mlp *m = NULL;
	lrs_optim *o = NULL;
	float *x = NULL;          /* (steps, batch, inputs) */
	int32_t *y = NULL;        /* (steps, batch)         */
	char path[4096];
	FILE *out = NULL;
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: nn_replay DIR\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/config", argv[1]);
	if (parse_config(&c, path))
		goto done;
	c.mlp.init = LRS_INIT_HE;
	if (lrs_mlp_build(&m, &c.mlp, c.batch) < 0 ||
	    lrs_optim_build(&o, &c.opt, m->n_params) < 0) {
		fail("%s", lrs_error_last());
		goto done;
	}
	x = malloc(c.steps * c.batch * c.mlp.inputs * sizeof *x);
	y = malloc(c.steps * c.batch * sizeof *y);
	if (!x || !y) {
		fail("%s", "out of memory");
		goto done;
	}
	if (read_file(m->params, m->n_params * sizeof(float), argv[1], "params.f32") ||
	    read_file(x, c.steps * c.batch * c.mlp.inputs * sizeof *x, argv[1], "x.f32") ||
	    read_file(y, c.steps * c.batch * sizeof *y, argv[1], "y.i32"))
		goto done;

	snprintf(path, sizeof path, "%s/losses.txt", argv[1]);
	if (!(out = fopen(path, "w"))) {
		fail("cannot write %s", path);
		goto done;
	}
	for (size_t s = 0; s < c.steps; s++) {
		const float *xs = x + s * c.batch * c.mlp.inputs;   /* (batch, inputs) */
		const int32_t *ys = y + s * c.batch;                /* (batch)         */
		double loss = lrs_mlp_forward(m, xs, ys, c.batch);

		lrs_mlp_zero_grad(m);
		lrs_mlp_backward(m, xs, ys, c.batch);
		lrs_optim_step(o, m->params, m->grads, c.lr[s], c.cycle[s]);
		fprintf(out, "%.9g\n", loss);
	}
	if (fclose(out) != 0) {
		out = NULL;
		fail("cannot write %s", path);
		goto done;
	}
	out = NULL;

	snprintf(path, sizeof path, "%s/final.f32", argv[1]);
	if (!(out = fopen(path, "wb")) ||
	    fwrite(m->params, sizeof(float), m->n_params, out) != m->n_params) {
		fail("cannot write %s", path);
		goto done;
	}
	rc = 0;

done:
	if (out && fclose(out) != 0 && rc == 0)
		rc = fail("cannot write %s", path);
	free(x);
	free(y);
	free(c.lr);
	free(c.cycle);
	lrs_mlp_free(m);
	lrs_optim_free(o);
	return rc;
}
