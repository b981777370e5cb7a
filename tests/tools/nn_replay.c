/* nn_replay.c - replays a recorded training run through lrsweep's model (a
 * layer stack, net.h) and optimizer, for tests/torch_nn_check.py and
 * tests/torch_net_check.py to compare with PyTorch.
 *
 * Usage: nn_replay DIR
 *
 * DIR holds:
 *   config        text, one `key value...` per line ('#' starts a comment):
 *                   layers 4 8 3        an MLP (the `hidden:` shorthand,
 *                                       lrs_net_from_mlp): inputs, hidden
 *                                       widths..., outputs
 *                   activation relu     relu | tanh | sigmoid
 *                 or a layer stack (net.h), PyTorch's default init given:
 *                   input 1 28 28       channels, height, width
 *                   classes 10
 *                   layer conv 6 kernel 5 stride 1 padding 2
 *                   layer maxpool 3 stride 2 padding 1 ceil 1
 *                   layer avgpool 2     (stride defaults to the kernel)
 *                   layer relu | tanh | sigmoid
 *                   layer dropout p 0.5
 *                   layer batchnorm momentum 0.1 eps 1e-5
 *                   layer linear 10     one line per layer, in order
 *                 and for either:
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
 *                 lrsweep's layout, which is PyTorch's model.parameters()
 *                 in order: for each layer with parameters, its weight
 *                 (a linear's (out, in) row-major), then its bias
 *   x.f32         float32 (steps, batch, inputs)
 *   y.i32         int32 (steps, batch)
 *
 * and receives:
 *   final.f32     the parameters after the last step, same layout
 *   losses.txt    the loss of every step (before its update), %.9g a line
 *   probs0.f32    (batch, classes) the first step's softmax output
 *   grads0.f32    the first step's gradients, the parameters' layout
 *   running.f32   batchnorm's running statistics after the last step
 *                 (each layer's mean, then variance)
 *   eval.f32      (batch, classes) the softmax output in evaluation mode
 *                 on the first step's batch, after the last step
 *
 * Each step is forward, zero_grad, backward, lrs_optim_step, as PyTorch's
 * loop does it. Exits 0, or 1 with a message on stderr. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/net.h"
#include "lrsweep/nn.h"
#include "lrsweep/optim.h"

#define MAX_STEPS 100000

typedef struct {
	lrs_mlp_config mlp;
	lrs_net_config net;
	int is_net;       /* `layer` lines given */
	lrs_optim_config opt;
	size_t batch, steps;
	double *lr;       /* (steps) */
	double *cycle;    /* (steps) NAN = configured value */
} replay_config;

/* The model under replay. */
typedef struct {
	lrs_net *net;
	float *params, *grads;
	size_t n_params, inputs, classes;
} model;

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

/* A `layer TYPE [SIZE] [KEY VALUE]...` line's remaining tokens into L. */
static int parse_layer(lrs_layer *L)
{
	static const char *const names[] = { "linear", "conv", "maxpool", "avgpool", "relu", "tanh",
	                                     "sigmoid", "dropout", "batchnorm" };
	char *tok = strtok(NULL, " \t\r\n"), *key;
	size_t t = 0;
	int stride_given = 0;

	while (tok && t < sizeof names / sizeof names[0] && strcmp(tok, names[t]))
		t++;
	if (!tok || t == sizeof names / sizeof names[0])
		return -1;
	*L = (lrs_layer){ .type = (lrs_layer_type)t, .stride = 1, .p = 0.5, .momentum = 0.1,
	                  .eps = 1e-5 };
	while ((key = strtok(NULL, " \t\r\n"))) {
		char *end, *val = key[0] >= '0' && key[0] <= '9' ? key : strtok(NULL, " \t\r\n");
		double v = val ? strtod(val, &end) : 0;

		if (!val || *end)
			return -1;
		if (val == key)
			L->size = (size_t)v;
		else if (!strcmp(key, "kernel"))
			L->kernel = (size_t)v;
		else if (!strcmp(key, "stride"))
			L->stride = (size_t)v, stride_given = 1;
		else if (!strcmp(key, "padding"))
			L->padding = (size_t)v;
		else if (!strcmp(key, "ceil"))
			L->ceil = v != 0;
		else if (!strcmp(key, "p"))
			L->p = v;
		else if (!strcmp(key, "momentum"))
			L->momentum = v;
		else if (!strcmp(key, "eps"))
			L->eps = v;
		else
			return -1;
	}
	if ((L->type == LRS_LAYER_MAXPOOL || L->type == LRS_LAYER_AVGPOOL) && !stride_given)
		L->stride = L->size;   /* PyTorch's default: the kernel */
	return 0;
}

/* The model's keys: layers, activation, input, classes, layer. 1 when
 * `key` is none of them, -1 on a bad line. */
static int parse_model_key(replay_config *c, const char *key, int *sizes)
{
	double v[2 + LRS_MLP_MAX_HIDDEN + 1];

	if (!strcmp(key, "layers")) {
		size_t n = 0;
		char *tok;
		while ((tok = strtok(NULL, " \t\r\n")) && n < sizeof v / sizeof v[0])
			v[n++] = strtod(tok, NULL);
		if (n < 2 || n > LRS_MLP_MAX_HIDDEN + 2)
			return -1;
		c->mlp.inputs = (size_t)v[0];
		c->mlp.outputs = (size_t)v[n - 1];
		c->mlp.n_hidden = n - 2;
		for (size_t i = 0; i + 2 < n; i++)
			c->mlp.hidden[i] = (size_t)v[i + 1];
		*sizes = 1;
	} else if (!strcmp(key, "activation")) {
		char *a = strtok(NULL, " \t\r\n");
		if (!a)
			return -1;
		c->mlp.activation = !strcmp(a, "tanh") ? LRS_ACT_TANH
		                  : !strcmp(a, "sigmoid") ? LRS_ACT_SIGMOID : LRS_ACT_RELU;
	} else if (!strcmp(key, "input")) {
		if (read_numbers(v, 3) < 0)
			return -1;
		c->net.channels = (size_t)v[0], c->net.height = (size_t)v[1], c->net.width = (size_t)v[2];
	} else if (!strcmp(key, "classes")) {
		if (read_numbers(v, 1) < 0)
			return -1;
		c->net.outputs = (size_t)v[0];
	} else if (!strcmp(key, "layer")) {
		if (c->net.n_layers == LRS_NET_MAX_LAYERS || parse_layer(&c->net.layer[c->net.n_layers++]) < 0)
			return -1;
		c->is_net = *sizes = 1;
	} else {
		return 1;
	}
	return 0;
}
static int parse_config(replay_config *c, const char *path)
{
	static char line[1 << 20];   /* a line: lr lists can be long */
	FILE *f = fopen(path, "r");
	int sizes = 0, rc;

	if (!f)
		return fail("cannot open %s", path);
	lrs_optim_defaults(&c->opt, LRS_OPTIM_SGD);
	while (fgets(line, sizeof line, f)) {
		char *hash = strchr(line, '#'), *key;
		double v[2];

		if (hash)
			*hash = '\0';
		if (!(key = strtok(line, " \t\r\n")))
			continue;
		if ((rc = parse_model_key(c, key, &sizes)) < 0)
			goto bad;
		if (rc == 0)
			continue;
		if (!strcmp(key, "optimizer")) {
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
	if (!sizes || !c->batch || !c->steps || (c->is_net && c->mlp.inputs))
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

/* Writes count floats to DIR/name. */
static int write_floats(const float *v, size_t count, const char *dir, const char *name)
{
	char path[4096];
	FILE *f;
	int bad;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "wb")))
		return fail("cannot write %s", path);
	bad = fwrite(v, sizeof *v, count, f) != count;
	if (fclose(f) != 0 || bad)
		return fail("cannot write %s", path);
	return 0;
}

static int model_build(model *m, replay_config *c)
{
	if (!c->is_net && lrs_net_from_mlp(&c->net, &c->mlp) < 0)
		return -1;
	c->net.torch_init = 1;
	if (lrs_net_build(&m->net, &c->net, c->batch) < 0)
		return -1;
	m->params = m->net->params, m->grads = m->net->grads, m->n_params = m->net->n_params;
	m->inputs = c->net.channels * c->net.height * c->net.width, m->classes = c->net.outputs;
	/* running statistics as PyTorch starts them, a dropout stream; the
	 * parameters drawn here are replaced by params.f32's */
	lrs_rng rng;
	lrs_rng_seed(&rng, 1);
	lrs_net_init(m->net, &rng);
	return 0;
}

/* One training step: forward, zero_grad, backward; the loss. */
static double model_step(model *m, const float *x, const int32_t *y, size_t B)
{
	double loss;

	loss = lrs_net_forward(m->net, x, y, B, 1);
	lrs_net_zero_grad(m->net);
	lrs_net_backward(m->net, x, y, B);
	return loss;
}

/* Trains c.steps steps, writing losses.txt, probs0.f32 and grads0.f32. */
static int replay(model *m, lrs_optim *o, const replay_config *c, const float *x,
                  const int32_t *y, const char *dir)
{
	char path[4096];
	FILE *out;
	int bad = 0;

	snprintf(path, sizeof path, "%s/losses.txt", dir);
	if (!(out = fopen(path, "w")))
		return fail("cannot write %s", path);
	for (size_t s = 0; s < c->steps && !bad; s++) {
		const float *xs = x + s * c->batch * m->inputs;   /* (batch, inputs) */
		const int32_t *ys = y + s * c->batch;             /* (batch)         */
		double loss = model_step(m, xs, ys, c->batch);

		if (s == 0)
			bad = write_floats(m->net->act[c->net.n_layers - 1], c->batch * m->classes, dir,
			                   "probs0.f32") ||
			      write_floats(m->grads, m->n_params, dir, "grads0.f32");
		lrs_optim_step(o, m->params, m->grads, c->lr[s], c->cycle[s]);
		fprintf(out, "%.9g\n", loss);
	}
	if (fclose(out) != 0 || bad)
		return bad ? 1 : fail("cannot write %s", path);
	return 0;
}

int main(int argc, char **argv)
{
	replay_config c = { 0 };
	model m = { 0 };
	lrs_optim *o = NULL;
	float *x = NULL;          /* (steps, batch, inputs) */
	int32_t *y = NULL;        /* (steps, batch)         */
	char path[4096];
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: nn_replay DIR\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/config", argv[1]);
	if (parse_config(&c, path))
		goto done;
	if (model_build(&m, &c) < 0 || lrs_optim_build(&o, &c.opt, m.n_params) < 0) {
		fail("%s", lrs_error_last());
		goto done;
	}
	x = malloc(c.steps * c.batch * m.inputs * sizeof *x);
	y = malloc(c.steps * c.batch * sizeof *y);
	if (!x || !y) {
		fail("%s", "out of memory");
		goto done;
	}
	if (read_file(m.params, m.n_params * sizeof(float), argv[1], "params.f32") ||
	    read_file(x, c.steps * c.batch * m.inputs * sizeof *x, argv[1], "x.f32") ||
	    read_file(y, c.steps * c.batch * sizeof *y, argv[1], "y.i32") ||
	    replay(&m, o, &c, x, y, argv[1]) ||
	    write_floats(m.params, m.n_params, argv[1], "final.f32"))
		goto done;
	lrs_net_forward(m.net, x, NULL, c.batch, 0);
	if (write_floats(m.net->running, m.net->n_running, argv[1], "running.f32") ||
	    write_floats(m.net->act[c.net.n_layers - 1], c.batch * m.classes, argv[1], "eval.f32"))
		goto done;
	rc = 0;

done:
	free(x);
	free(y);
	free(c.lr);
	free(c.cycle);
	lrs_net_free(m.net);
	lrs_optim_free(o);
	return rc;
}
