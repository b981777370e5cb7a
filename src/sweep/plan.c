/* plan.c - the trial plan (plan.h): expands trials.schedules x grids (or
 * random samples) x trials.space x seeds into resolved trials.
 *
 * A "point" is one choice of a value for every axis - every schedule
 * parameter or space key whose value is a {grid}, {choice} or
 * distribution. A point becomes one trial per seed: its schedule built
 * with the bounds and the steps per epoch of its batch size, its
 * hyperparameters checked by the config module as the file's own are. */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/number.h"
#include "lrsweep/plan.h"
#include "lrsweep/rng.h"
#include "lrsweep/sha256.h"
#include "lrsweep/train.h"
#include "lrsweep/util.h"

enum { AX_LIST, AX_UNIFORM, AX_LOG_UNIFORM, AX_INT_UNIFORM };

typedef struct {
	const char *key;         /* parameter name or dotted space key        */
	int space;               /* 0: the schedule's, 1: trials.space's, 2: params: */
	int kind;                /* AX_*                                      */
	const lrs_node *spec;    /* the {grid: ...} map, for positions        */
	const lrs_node *values;  /* AX_LIST: the list                         */
	double lo, hi;           /* distributions                             */
} axis;

typedef struct {
	const lrs_experiment *e;
	const lrs_dataset *ds;
	double min_lr, max_lr;
	unsigned fields;                 /* grouping keys (LRS_GROUP_*)      */
	const lrs_group_bounds *bounds;  /* (n_bounds) per group, or NULL    */
	size_t n_bounds;
	lrs_plan *plan;
	size_t cap;
	lrs_buf errors;          /* one line per failing entry                */
	int failed;
	int lenient;             /* a schedule refusing a point's values makes
	                            failed trials, not an error (random, tpe) */
} builder;

/* The axis a value makes, if it is a search value; 0 when literal. */
static int axis_of(axis *a, const char *key, int space, const lrs_node *v)
{
	static const char *const kinds[] = { "grid", "choice", "uniform", "log_uniform", "int_uniform" };
	const lrs_node *list;

	if (v->kind != LRS_NODE_MAP || v->n != 1)
		return 0;
	list = v->items[0];
	memset(a, 0, sizeof *a);
	a->key = key;
	a->space = space;
	a->spec = v;
	for (int k = 0; k < 5; k++) {
		if (strcmp(v->keys[0], kinds[k]))
			continue;
		if (k < 2) {
			a->kind = AX_LIST;
			a->values = list;
		} else {
			a->kind = k == 2 ? AX_UNIFORM : k == 3 ? AX_LOG_UNIFORM : AX_INT_UNIFORM;
			lrs_parse_double(list->items[0]->text, &a->lo);   /* checked at load */
			lrs_parse_double(list->items[1]->text, &a->hi);
		}
		return 1;
	}
	return 0;
}

/* The node of value v of an axis: a list's item v (an index), or the
 * number v. *made is set when the node is new (the caller frees it). */
static const lrs_node *axis_node(const axis *a, double v, lrs_node **made)
{
	char text[64];

	*made = NULL;
	if (a->kind == AX_LIST) {
		size_t i = v > 0 ? (size_t)v : 0;
		return a->values->items[i < a->values->n ? i : a->values->n - 1];
	}
	if (v == 0)
		v = 0;   /* a proposal's -0 is 0 */
	snprintf(text, sizeof text, a->kind == AX_INT_UNIFORM ? "%.0f" : "%.17g", v);
	if (lrs_node_new_scalar(made, text, a->spec->line, a->spec->column) < 0)
		return NULL;
	return *made;
}

/* The value an axis takes for uniform draw u in [0, 1) (random search), or
 * at grid index i (grid search, u < 0); see axis_node. */
static const lrs_node *axis_value(const axis *a, double u, size_t i, lrs_node **made)
{
	double v;

	if (a->kind == AX_LIST)
		v = u >= 0 ? floor(u * (double)a->values->n) : (double)i;
	else if (a->kind == AX_UNIFORM)
		v = a->lo + u * (a->hi - a->lo);
	else if (a->kind == AX_LOG_UNIFORM)
		v = exp(log(a->lo) + u * (log(a->hi) - log(a->lo)));
	else
		v = a->lo + floor(u * (a->hi - a->lo + 1));
	return axis_node(a, v, made);
}

/* A value as a label shows it: scalars as written (numbers drawn at
 * random to 4 digits; a quoted string that reads as a number quoted, as
 * the file writes it: '16' is not 16), lists in brackets. */
static void label_value(lrs_buf *b, const lrs_node *v, int drawn)
{
	double d;

	if (v->kind == LRS_NODE_SCALAR) {
		if (drawn && lrs_parse_double(v->text, &d) == 0)
			lrs_buf_printf(b, "%.4g", d);
		else if (v->quoted && lrs_number_read(v->text, strlen(v->text), NULL, NULL) != LRS_NUMBER_NONE)
			lrs_buf_printf(b, "'%s'", v->text);
		else
			lrs_buf_printf(b, "%s", v->text);
		return;
	}
	lrs_buf_printf(b, v->kind == LRS_NODE_MAP ? "{" : "[");
	for (size_t i = 0; i < v->n; i++) {
		lrs_buf_printf(b, i ? ", " : "");
		if (v->kind == LRS_NODE_MAP)
			lrs_buf_printf(b, "%s: ", v->keys[i]);
		label_value(b, v->items[i], drawn);
	}
	lrs_buf_printf(b, v->kind == LRS_NODE_MAP ? "}" : "]");
}

static const char *const act_names[] = { "relu", "tanh", "sigmoid" };
static const char *const init_names[] = { "he", "xavier" };
static const char *const optim_names[] = { "sgd", "adam", "adamw" };

/* The model as stored: the shorthand's {"hidden": [...], "activation":
 * ..., "init": ...}; a stack's {"input": [C, H, W], "layers": "conv6k5p2
 * relu ...", "init": "torch" | "he" | "xavier"}. */
static void model_json(lrs_buf *b, const lrs_model_config *m)
{
	const lrs_net_config *n = &m->net;

	if (m->layers) {
		lrs_buf_printf(b, "{\"input\": [%zu, %zu, %zu], \"layers\": \"", n->channels, n->height, n->width);
		lrs_model_stack_text(b, n);
		lrs_buf_printf(b, "\", \"init\": \"%s\"}", n->torch_init ? "torch" : init_names[n->init]);
		return;
	}
	lrs_buf_printf(b, "{\"hidden\": [");
	for (size_t i = 0; i < m->mlp.n_hidden; i++)
		lrs_buf_printf(b, "%s%zu", i ? ", " : "", m->mlp.hidden[i]);
	lrs_buf_printf(b, "], \"activation\": \"%s\", \"init\": \"%s\"}", act_names[m->mlp.activation],
	               init_names[m->mlp.init]);
}

/* {"optimizer": {...}, "batch_size": B, "model": {...}} */
static char *hyper_json(const lrs_trial_spec *t)
{
	lrs_buf b = { 0 };

	lrs_buf_printf(&b, "{\"optimizer\": ");
	lrs_optim_json(&b, &t->optim);
	if (t->xparams) {   /* an external trainer: its params stand for the model */
		lrs_buf_printf(&b, ", \"batch_size\": %ld, \"params\": %s}", t->batch_size, t->xparams);
		return lrs_buf_take(&b);
	}
	lrs_buf_printf(&b, ", \"batch_size\": %ld, \"model\": ", t->batch_size);
	model_json(&b, &t->model);
	lrs_buf_printf(&b, "}");
	return lrs_buf_take(&b);
}

/* The trial key: the first 64 bits of SHA-256 over everything that makes
 * the trial what it is. */
static void trial_key(lrs_trial_spec *t)
{
	lrs_buf b = { 0 };
	char hex[LRS_SHA256_HEX_SIZE];

	lrs_buf_printf(&b, "schedule=%s\nparams=%s\nhyper=%s\nepochs=%ld\nseed=%llu\n", t->type, t->params,
	               t->hyper, t->epochs, (unsigned long long)t->seed);
	lrs_sha256_hex(hex, b.data ? b.data : "", b.len);
	memcpy(t->key, hex, LRS_TRIAL_KEY_SIZE - 1);
	t->key[LRS_TRIAL_KEY_SIZE - 1] = '\0';
	lrs_buf_free(&b);
}

static void spec_free(lrs_trial_spec *t)
{
	free(t->error);
	lrs_sched_free(t->sched);
	free(t->params);
	free(t->hyper);
	free(t->label);
	free(t->group);
	free(t->xparams);
}

/* ------------------------------------------------------------ groups */

/* A model key's value (LRS_GROUP_HIDDEN, _ACTIVATION or _INIT) as text;
 * "-" for a layers: stack, which the shorthand's keys do not describe
 * (and trials.space cannot vary). */
static void model_value(lrs_buf *b, const lrs_model_config *m, unsigned key)
{
	if (m->layers) {
		lrs_buf_printf(b, "-");
	} else if (key == LRS_GROUP_HIDDEN) {
		lrs_buf_printf(b, "[");
		for (size_t k = 0; k < m->mlp.n_hidden; k++)
			lrs_buf_printf(b, "%s%zu", k ? ", " : "", m->mlp.hidden[k]);
		lrs_buf_printf(b, "]");
	} else {
		lrs_buf_printf(b, "%s", key == LRS_GROUP_ACTIVATION ? act_names[m->mlp.activation] : init_names[m->mlp.init]);
	}
}

/* Space key i's value in trial t as text; "-" where it does not apply
 * (an SGD setting of an Adam trial, or the reverse). */
static void group_value(lrs_buf *b, const lrs_trial_spec *t, int i)
{
	const lrs_optim_config *o = &t->optim;
	int sgd = o->type == LRS_OPTIM_SGD;

	switch (1u << i) {
	case LRS_GROUP_BATCH_SIZE: lrs_buf_printf(b, "%ld", t->batch_size); break;
	case LRS_GROUP_HIDDEN:
	case LRS_GROUP_ACTIVATION:
	case LRS_GROUP_INIT:
		model_value(b, &t->model, 1u << i);
		break;
	case LRS_GROUP_OPTIM_TYPE: lrs_buf_printf(b, "%s", optim_names[o->type]); break;
	case LRS_GROUP_MOMENTUM: sgd ? lrs_buf_printf(b, "%g", o->momentum) : lrs_buf_printf(b, "-"); break;
	case LRS_GROUP_NESTEROV: lrs_buf_printf(b, "%s", !sgd ? "-" : o->nesterov ? "true" : "false"); break;
	case LRS_GROUP_WEIGHT_DECAY: lrs_buf_printf(b, "%g", o->weight_decay); break;
	case LRS_GROUP_BETAS: sgd ? lrs_buf_printf(b, "-") : lrs_buf_printf(b, "[%g, %g]", o->beta1, o->beta2); break;
	default: sgd ? lrs_buf_printf(b, "-") : lrs_buf_printf(b, "%g", o->eps); break;
	}
}

/* Trial t's group name by the keys of `fields`; "" for none. A key that
 * does not apply to t's optimizer ("-": betas for sgd, momentum for adam)
 * is left out: the type already tells those groups apart. NULL when out
 * of memory. */
static char *group_key(const lrs_trial_spec *t, unsigned fields)
{
	lrs_buf b = { 0 };

	lrs_buf_printf(&b, "%s", "");
	for (int i = 0; i < LRS_SPACE_KEYS; i++)
		if (fields & (1u << i)) {
			size_t mark = b.len;
			lrs_buf_printf(&b, "%s%s=", b.len ? ", " : "", lrs_space_key_name(i));
			size_t at = b.len;
			group_value(&b, t, i);
			if (b.data && !strcmp(b.data + at, "-"))
				b.data[b.len = mark] = '\0';
		}
	return lrs_buf_take(&b);
}

/* Key i varies when two trials it applies to differ in it. */
unsigned lrs_plan_varying(const lrs_plan *p, unsigned fields)
{
	unsigned varying = 0;

	for (int i = 0; i < LRS_SPACE_KEYS; i++) {
		char *first = NULL;
		if (!(fields & (1u << i)))
			continue;
		for (size_t k = 0; k < p->n && !(varying & (1u << i)); k++) {
			char *v = group_key(&p->items[k], 1u << i);
			if (v && *v && !first) {
				first = v;
				continue;
			}
			if (v && *v && strcmp(v, first))
				varying |= 1u << i;
			free(v);
		}
		free(first);
	}
	return varying;
}

void lrs_plan_group_names(char *buf, size_t size, unsigned fields)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < LRS_SPACE_KEYS && len < size; i++)
		if (fields & (1u << i))
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", lrs_space_key_name(i));
}

int lrs_plan_groups(lrs_plan_group **out, size_t *n, const lrs_plan *p, unsigned fields)
{
	lrs_plan_group *g = calloc(p->n + 1, sizeof *g);
	size_t m = 0;

	*out = NULL;
	*n = 0;
	if (!g)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->n; i++) {
		char *key = group_key(&p->items[i], fields);
		size_t k;
		if (!key) {
			lrs_plan_groups_free(g, m);
			return lrs_error_set(LRS_ENOMEM, "out of memory");
		}
		for (k = 0; k < m && strcmp(g[k].key, key); k++)
			;
		if (k < m) {
			free(key);
		} else {
			g[m++] = (lrs_plan_group){ key, i, 0 };
		}
		g[k].trials++;
	}
	*out = g;
	*n = m;
	return 0;
}

void lrs_plan_groups_free(lrs_plan_group *g, size_t n)
{
	for (size_t i = 0; g && i < n; i++)
		free(g[i].key);
	free(g);
}

void lrs_plan_group_hyper(const lrs_experiment *e, const lrs_trial_spec *first, unsigned fields,
                          lrs_model_config *model, lrs_optim_config *optim, long *batch_size)
{
	const lrs_optim_config *o = &first->optim;

	*model = e->model;
	*optim = e->optim;
	*batch_size = fields & LRS_GROUP_BATCH_SIZE ? first->batch_size : e->batch_size;
	if (!model->layers) {   /* the shorthand's keys; a stack has none */
		if (fields & LRS_GROUP_HIDDEN) {
			memcpy(model->mlp.hidden, first->model.mlp.hidden, sizeof model->mlp.hidden);
			model->mlp.n_hidden = first->model.mlp.n_hidden;
		}
		if (fields & LRS_GROUP_ACTIVATION)
			model->mlp.activation = first->model.mlp.activation;
		if (fields & LRS_GROUP_INIT)
			model->mlp.init = first->model.mlp.init;
		lrs_net_from_mlp(&model->net, &model->mlp);
	}
	if ((fields & LRS_GROUP_OPTIM_TYPE) && o->type != optim->type) {
		/* another family: its own settings come with it */
		double wd = optim->weight_decay;
		*optim = *o;
		optim->weight_decay = wd;
	}
	if (fields & LRS_GROUP_MOMENTUM)
		optim->momentum = o->momentum;
	if (fields & LRS_GROUP_NESTEROV)
		optim->nesterov = o->nesterov;
	if (fields & LRS_GROUP_WEIGHT_DECAY)
		optim->weight_decay = o->weight_decay;
	if (fields & LRS_GROUP_BETAS) {
		optim->beta1 = o->beta1;
		optim->beta2 = o->beta2;
	}
	if (fields & LRS_GROUP_EPS)
		optim->eps = o->eps;
}

/* The current error as "file:line:column: message" when it has a place. */
static void located_error(char *line, size_t size, const lrs_experiment *e)
{
	const char *msg = lrs_error_last();

	if (lrs_error_line() > 0 && strncmp(msg, e->path, strlen(e->path)))
		snprintf(line, size, "%s:%d:%d: %s", e->path, lrs_error_line(), lrs_error_column(), msg);
	else
		snprintf(line, size, "%s", msg);
}

/* Records the current error as one line of the build's errors (once). */
static void note_error(builder *b)
{
	char line[4200];
	lrs_buf shown = { 0 };   /* the line, a newline of a value escaped */

	located_error(line, sizeof line, b->e);
	lrs_buf_printable(&shown, line, 0);
	if (shown.data && (!b->errors.data || !strstr(b->errors.data, shown.data)))
		lrs_buf_printf(&b->errors, "%s%s", b->failed ? "\n" : "", shown.data);
	lrs_buf_free(&shown);
	b->failed++;
}

/* One point of a schedule entry as it is resolved into trials. */
typedef struct {
	lrs_node *params;          /* the schedule's parameters, literal or chosen */
	const char **skeys;        /* (ns) the space keys it sets ...            */
	const lrs_node **svals;    /* (ns) ... and their values                  */
	size_t ns;
	lrs_buf label;             /* every value the file sets: "triangular
	                              step_size=4 epochs, batch_size=64"         */
	lrs_trial_spec base;       /* what its trials share; no seed yet         */
	char *group;               /* its range-test group                       */
	lrs_node *xparams;         /* an external trainer's params, chosen       */
} point;

static void point_free(point *pt)
{
	free(pt->group);
	lrs_node_free(pt->xparams);
	lrs_buf_free(&pt->label);
	lrs_node_free(pt->params);
	free(pt->skeys);
	free(pt->svals);
}

/* The parameters and space values of the point, literal or chosen (axis
 * i's value is chosen[i]), and its label, which names every one the file
 * sets. */
static int point_values(point *pt, const lrs_node *entry, const lrs_node *space, const axis *axes,
                        size_t n_axes, const lrs_node *const *chosen, const int *drawn)
{
	size_t n_space = space ? space->n : 0;
	lrs_node *v;
	int err;

	lrs_buf_printf(&pt->label, "%s", lrs_node_get(entry, "type")->text);
	for (size_t k = 0, first = 1; k < entry->n + n_space; k++) {
		int in_space = k >= entry->n;
		const char *key = in_space ? space->keys[k - entry->n] : entry->keys[k];
		const lrs_node *value = in_space ? space->items[k - entry->n] : entry->items[k];
		int is_drawn = 0;

		if (!in_space && !strcmp(key, "type"))
			continue;
		for (size_t i = 0; i < n_axes; i++) {
			if (axes[i].space == in_space && !strcmp(axes[i].key, key)) {
				value = chosen[i];
				is_drawn = drawn[i];
			}
		}
		lrs_buf_printf(&pt->label, "%s%s=", first ? " " : ", ", key);
		label_value(&pt->label, value, is_drawn);
		first = 0;
		if (in_space) {
			pt->skeys[pt->ns] = key;
			pt->svals[pt->ns++] = value;
		} else {
			if ((err = lrs_node_clone(&v, value)) < 0)
				return err;
			if ((err = lrs_node_set(pt->params, key, v)) < 0) {
				lrs_node_free(v);
				return err;
			}
		}
	}
	return 0;
}

/* An external trainer's params with each searched one's chosen value; the
 * label names those ("params.dropout=0.2"). Each key is copied once, a
 * searched one as its chosen value: copying the params whole, grids
 * included, for every point made a grid of n values n^2 nodes to copy
 * (minutes for 100,000). */
static int point_xparams(point *pt, const lrs_node *params, const axis *axes, size_t n_axes,
                         const lrs_node *const *chosen, const int *drawn)
{
	size_t next = 0;   /* the next params axis, in key order as collect_axes takes them */
	int err;

	if (!params || params->kind != LRS_NODE_MAP)
		return params ? lrs_node_clone(&pt->xparams, params) : lrs_node_new_map(&pt->xparams, 0, 0);
	if ((err = lrs_node_new_map(&pt->xparams, params->line, params->column)) < 0)
		return err;
	while (next < n_axes && axes[next].space != 2)
		next++;
	for (size_t k = 0; k < params->n; k++) {
		const lrs_node *v = params->items[k];
		lrs_node *copy;
		if (next < n_axes && axes[next].spec == v) {
			lrs_buf_printf(&pt->label, "%sparams.%s=", pt->label.len && strchr(pt->label.data, '=') ? ", " : " ",
			               axes[next].key);
			label_value(&pt->label, chosen[next], drawn[next]);
			v = chosen[next];
			for (next++; next < n_axes && axes[next].space != 2; next++)
				;
		}
		if ((err = lrs_node_clone(&copy, v)) < 0)
			return err;
		copy->key_line = params->items[k]->key_line;
		copy->key_column = params->items[k]->key_column;
		if ((err = lrs_node_append(pt->xparams, params->keys[k], copy)) < 0) {
			lrs_node_free(copy);
			return err;
		}
	}
	return 0;
}

/* The point's model, optimizer, batch size and epochs (configuration
 * `config`), its group, and that group's bounds in *gb. */
static int point_base(builder *b, point *pt, size_t config, const lrs_group_bounds **gb)
{
	const lrs_experiment *e = b->e;
	lrs_trial_spec *base = &pt->base;
	int err;

	base->model = e->model;
	if ((err = lrs_experiment_hyper(e, pt->skeys, pt->svals, pt->ns, &base->model, &base->optim,
	                                &base->batch_size)) < 0)
		return err;
	lrs_model_fit(&base->model, b->ds);
	base->epochs = e->trial.epochs;
	base->config = config;
	*gb = NULL;
	pt->group = group_key(base, b->fields);
	for (size_t k = 0; pt->group && k < b->n_bounds && !*gb; k++)
		if (!strcmp(b->bounds[k].key, pt->group))
			*gb = &b->bounds[k];
	if (!pt->group)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	if (!*gb)
		return lrs_error_set(LRS_ERROR, "no bounds for the range-test group '%s'", pt->group);
	return 0;
}

/* Trial t, whose schedule `type` refused `params` (the current error): a
 * trial that fails, with the error located and the parameters as chosen
 * (its key made of those). 0, or LRS_ENOMEM. */
static int refused(lrs_trial_spec *t, const lrs_experiment *e, const char *type, const lrs_node *params)
{
	char why[4200];
	lrs_sched_type st;
	lrs_buf b = { 0 };

	located_error(why, sizeof why, e);
	lrs_sched_type_parse(&st, type);   /* checked at load */
	t->type = lrs_sched_type_name(st);
	t->sched = NULL;
	lrs_node_json(&b, params);
	t->params = lrs_buf_take(&b);
	t->error = strdup(why);
	return t->params && t->error ? 0 : lrs_error_set(LRS_ENOMEM, "out of memory");
}

/* Appends the point's trial with `seed`, its schedule of `entry` resolved
 * in ctx (or refused: a trial that fails, when the build is lenient), and
 * keys it. */
static int add_seed(builder *b, const lrs_node *entry, const point *pt, const lrs_sched_ctx *ctx, uint64_t seed)
{
	lrs_trial_spec *t;
	int err;

	if (b->plan->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 16;
		lrs_trial_spec *items = realloc(b->plan->items, cap * sizeof *items);
		if (!items)
			return lrs_error_set(LRS_ENOMEM, "out of memory");
		b->plan->items = items;
		b->cap = cap;
	}
	t = &b->plan->items[b->plan->n];
	*t = pt->base;
	t->seed = seed;
	t->line = entry->line;
	t->column = entry->column;
	err = lrs_sched_build(&t->sched, lrs_node_get(entry, "type")->text, pt->params, ctx);
	if (err == LRS_EINVALID && b->lenient)
		err = refused(t, b->e, lrs_node_get(entry, "type")->text, pt->params);
	else if (err == 0)
		t->type = lrs_sched_type_name(lrs_sched_get_type(t->sched));
	if (err < 0) {
		spec_free(t);
		return err;
	}
	t->xparams = NULL;
	if (pt->xparams) {
		lrs_buf xb = { 0 };
		lrs_node_json(&xb, pt->xparams);
		t->xparams = lrs_buf_take(&xb);
	}
	t->hyper = hyper_json(t);
	t->label = strdup(pt->label.data);
	t->group = strdup(pt->group);
	if ((!t->error && (err = lrs_sched_params_json(&t->params, t->sched)) < 0) || !t->params || !t->hyper ||
	    !t->label || !t->group || (pt->xparams && !t->xparams)) {
		spec_free(t);
		return err < 0 ? err : lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	trial_key(t);
	b->plan->n++;
	return 0;
}

/* Adds the trials (one per seed) of one point of schedule entry `entry`:
 * chosen[i] is axis i's value. Returns 0, or -1 after noting an error. */
static int add_point(builder *b, const lrs_node *entry, const axis *axes, size_t n_axes,
                     const lrs_node *const *chosen, const int *drawn, size_t config)
{
	const lrs_experiment *e = b->e;
	size_t n_space = e->trial.space ? e->trial.space->n : 0;
	const lrs_group_bounds *gb;
	point pt;
	int err = 0;

	memset(&pt, 0, sizeof pt);
	pt.skeys = calloc(n_space + 1, sizeof *pt.skeys);
	pt.svals = calloc(n_space + 1, sizeof *pt.svals);
	if (!pt.skeys || !pt.svals || lrs_node_new_map(&pt.params, entry->line, entry->column) < 0) {
		err = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto out;
	}
	if ((err = point_values(&pt, entry, e->trial.space, axes, n_axes, chosen, drawn)) < 0 ||
	    (e->has_trainer && (err = point_xparams(&pt, e->params, axes, n_axes, chosen, drawn)) < 0) ||
	    (err = point_base(b, &pt, config, &gb)) < 0)
		goto out;
	long spe = lrs_train_steps_per_epoch(b->ds, pt.base.batch_size);
	lrs_sched_ctx ctx = { gb->min_lr, gb->max_lr, spe, spe * pt.base.epochs };
	for (size_t s = 0; s < e->trial.n_seeds && err == 0; s++)
		err = add_seed(b, entry, &pt, &ctx, e->trial.seeds[s]);
out:
	if (err < 0)
		note_error(b);
	point_free(&pt);
	return err < 0 ? -1 : 0;
}

/* The axes of a schedule entry: its search-valued parameters, then the
 * space's, then an external trainer's params'. Returns the count, or -1
 * out of memory. */
static long collect_axes(axis **out, const lrs_node *entry, const lrs_node *space, const lrs_node *params)
{
	size_t cap = entry->n + (space ? space->n : 0) + (params ? params->n : 0) + 1, n = 0;
	axis *a = calloc(cap, sizeof *a);

	*out = a;
	if (!a)
		return -1;
	for (size_t k = 0; k < entry->n; k++)
		if (strcmp(entry->keys[k], "type"))
			n += (size_t)axis_of(&a[n], entry->keys[k], 0, entry->items[k]);
	for (size_t k = 0; space && k < space->n; k++)
		n += (size_t)axis_of(&a[n], space->keys[k], 1, space->items[k]);
	for (size_t k = 0; params && params->kind == LRS_NODE_MAP && k < params->n; k++)
		n += (size_t)axis_of(&a[n], params->keys[k], 2, params->items[k]);
	return (long)n;
}

/* The values one point takes, axis by axis: chosen[i] (drawn[i] when
 * drawn at random, made[i] when made for it), and a grid's indices. */
typedef struct {
	const lrs_node **chosen;
	int *drawn;
	lrs_node **made;
	size_t *idx;
} choices;

static void choices_free(choices *c)
{
	free(c->chosen);
	free(c->drawn);
	free(c->made);
	free(c->idx);
}

/* 0, or -1 after noting the error. */
static int choices_new(choices *c, builder *b, size_t n_axes)
{
	c->chosen = calloc(n_axes + 1, sizeof *c->chosen);
	c->drawn = calloc(n_axes + 1, sizeof *c->drawn);
	c->made = calloc(n_axes + 1, sizeof *c->made);
	c->idx = calloc(n_axes + 1, sizeof *c->idx);
	if (c->chosen && c->drawn && c->made && c->idx)
		return 0;
	choices_free(c);
	lrs_error_set(LRS_ENOMEM, "out of memory");
	note_error(b);
	return -1;
}

static void check_refused(builder *b, size_t first, const lrs_node *entry, const axis *axes, size_t n_axes);

/* Grid point g of entry `which`: its list axes at c->idx, and with
 * search.samples under strategy grid (grid_draws) its distributions drawn,
 * draw j of that point's, from a stream of their own. NULL axes on out of
 * memory. */
static int grid_values(choices *c, const builder *b, size_t which, size_t g, long j, const axis *axes,
                       size_t n_axes)
{
	lrs_rng rng;
	int bad = 0;

	lrs_rng_seed(&rng, lrs_rng_mix(b->e->seed ^ lrs_rng_mix(0x6772696400000000ULL + which * 1000003u +
	                                                         g * 7919u + (uint64_t)j)));   /* "grid" */
	for (size_t i = 0; i < n_axes; i++) {
		lrs_node_free(c->made[i]);
		c->made[i] = NULL;
		c->drawn[i] = axes[i].kind != AX_LIST;
		c->chosen[i] = axis_value(&axes[i], c->drawn[i] ? lrs_rng_uniform(&rng) : -1, c->idx[i], &c->made[i]);
		bad |= c->chosen[i] == NULL;
	}
	return bad ? -1 : 0;
}

/* Every grid point of one entry, the first list axis varying slowest; with
 * grid_draws, each point search.samples times, its distributions drawn. */
static void expand_grid(builder *b, const lrs_node *entry, size_t which, const axis *axes, size_t n_axes,
                        size_t *config)
{
	size_t first = b->plan->n, g = 0;
	int drawing = 0;
	long draws = 1;
	choices c;

	for (size_t i = 0; i < n_axes; i++)
		drawing |= axes[i].kind != AX_LIST;   /* only under grid_draws: checked at load */
	if (drawing)
		draws = b->e->trial.samples;
	b->lenient = drawing;   /* drawn values a schedule refuses: failed trials, as under random */
	if (choices_new(&c, b, n_axes) < 0)
		return;
	for (int stop = 0; !stop; g++) {
		size_t i;

		for (long j = 0; j < draws && !stop; j++)
			stop = grid_values(&c, b, which, g, j, axes, n_axes) < 0
			           ? (lrs_error_set(LRS_ENOMEM, "out of memory"), note_error(b), 1)
			           : add_point(b, entry, axes, n_axes, c.chosen, c.drawn, (*config)++) < 0;
		for (i = n_axes; i > 0; i--) {
			if (axes[i - 1].kind != AX_LIST)
				continue;
			if (++c.idx[i - 1] < axes[i - 1].values->n)
				break;
			c.idx[i - 1] = 0;
		}
		stop |= i == 0;
	}
	for (size_t i = 0; i < n_axes; i++)
		lrs_node_free(c.made[i]);
	choices_free(&c);
	if (drawing && !b->failed)
		check_refused(b, first, entry, axes, n_axes);
}

/* Whether any values of an entry's axes make trials that run: the middle
 * of every axis, then PROBES draws of a stream of their own. None does
 * when what the schedule refuses is the file's own (a literal gamma: -1),
 * not the values a search chose. */
#define PROBES 64
static int entry_builds(const builder *b, const lrs_node *entry, const axis *axes, size_t n_axes)
{
	lrs_plan scratch = { 0 };
	builder sb = { b->e, b->ds, NAN, NAN, b->fields, b->bounds, b->n_bounds, &scratch, 0, { 0 }, 0, 1 };
	lrs_rng rng;
	choices c;
	int ok = 0;

	if (choices_new(&c, &sb, n_axes) < 0)
		return 1;   /* out of memory: let the trials say so */
	lrs_rng_seed(&rng, lrs_rng_mix(b->e->seed ^ 0x70726f6265000000ULL));   /* "probe" */
	for (int j = 0; j <= PROBES && !ok && !sb.failed; j++) {
		size_t before = scratch.n;
		for (size_t i = 0; i < n_axes; i++) {
			c.chosen[i] = axis_value(&axes[i], j ? lrs_rng_uniform(&rng) : 0.5, 0, &c.made[i]);
			sb.failed |= c.chosen[i] == NULL;
		}
		if (!sb.failed && add_point(&sb, entry, axes, n_axes, c.chosen, c.drawn, 0) == 0)
			ok = scratch.n > before && !scratch.items[before].error;
		for (size_t i = 0; i < n_axes; i++) {
			lrs_node_free(c.made[i]);
			c.made[i] = NULL;
		}
	}
	ok |= sb.failed;   /* out of memory, or a space value the build reports anyway */
	choices_free(&c);
	lrs_plan_free(&scratch);
	lrs_buf_free(&sb.errors);
	return ok;
}

/* After the points of an entry, items [first, b->plan->n): when every one
 * of them was refused and no other values of the entry build either, the
 * first one's reason is an error of the file. */
static void check_refused(builder *b, size_t first, const lrs_node *entry, const axis *axes, size_t n_axes)
{
	const lrs_plan *p = b->plan;

	for (size_t i = first; i < p->n; i++)
		if (!p->items[i].error)
			return;
	if (p->n > first && !entry_builds(b, entry, axes, n_axes)) {
		lrs_error_set(LRS_EINVALID, "%s", p->items[first].error);
		note_error(b);
	}
}

/* trials.search.samples random points of one entry. */
static void expand_random(builder *b, const lrs_node *entry, size_t which, const axis *axes, size_t n_axes,
                          size_t *config)
{
	size_t first = b->plan->n;
	choices c;

	if (choices_new(&c, b, n_axes) < 0)
		return;
	for (long j = 0; j < b->e->trial.samples; j++) {
		lrs_rng rng;
		int bad = 0, stop;

		lrs_rng shared;   /* search.shared: the space's and params' draws, alike for every entry */

		lrs_rng_seed(&rng, lrs_rng_mix(b->e->seed ^ lrs_rng_mix(0x706c616e00000000ULL + which * 1000003u +
		                                                         (uint64_t)j)));   /* "plan" */
		lrs_rng_seed(&shared, lrs_rng_mix(b->e->seed ^ lrs_rng_mix(0x7368617265640000ULL + (uint64_t)j)));
		for (size_t i = 0; i < n_axes; i++) {
			lrs_rng *from = b->e->trial.shared && axes[i].space != 0 ? &shared : &rng;
			c.chosen[i] = axis_value(&axes[i], lrs_rng_uniform(from), 0, &c.made[i]);
			c.drawn[i] = axes[i].kind != AX_LIST;
			bad |= c.chosen[i] == NULL;
		}
		stop = bad ? (lrs_error_set(LRS_ENOMEM, "out of memory"), note_error(b), 1)
		           : add_point(b, entry, axes, n_axes, c.chosen, c.drawn, (*config)++) < 0;
		for (size_t i = 0; i < n_axes; i++) {
			lrs_node_free(c.made[i]);
			c.made[i] = NULL;
		}
		if (stop)
			break;
	}
	choices_free(&c);
	if (!b->failed)
		check_refused(b, first, entry, axes, n_axes);
}

typedef struct {
	const char *key;         /* the item's trial key                      */
	size_t i;                /* its index in the plan                     */
} keyed;

/* qsort order: by key, then by plan index, so equal keys sit side by
 * side with the one planned first ahead. */
static int by_key(const void *pa, const void *pb)
{
	const keyed *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);

	return c ? c : (a->i > b->i) - (a->i < b->i);
}

/* Strategy random drew one point twice: few distinct points to draw from
 * (choices, a narrow int_uniform, or nothing searched at all). The error
 * is at search.samples (else search), where the fix is. */
static int random_twins(const lrs_plan *p, const lrs_experiment *e, size_t first, size_t twin)
{
	const lrs_node *search = lrs_node_get(e->trials, "search");
	const lrs_node *at = lrs_node_get(search, "samples");

	at = at ? at : search;
	return lrs_error_set(LRS_EINVALID, "%s:%d:%d: strategy random drew one point twice, trials %zu and %zu (%s): "
	                     "the space has too few distinct points for %ld samples; give fewer samples, a wider "
	                     "space, or strategy grid", e->path, at ? at->line : 1, at ? at->column : 1, first + 1,
	                     twin + 1, p->items[twin].label, e->trial.samples);
}

/* LRS_EINVALID when two items of plan p share a key: the error names the
 * first item (in plan order) that has a twin, and its first twin. Sorts a
 * copy of the keys, O(n log n); the plan is left as it is. */
static int check_distinct(const lrs_plan *p, const lrs_experiment *e)
{
	keyed *k = malloc((p->n + 1) * sizeof *k);
	size_t first = SIZE_MAX, twin = 0;

	if (!k)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->n; i++)
		k[i] = (keyed){ p->items[i].key, i };
	qsort(k, p->n, sizeof *k, by_key);
	for (size_t i = 1; i < p->n; i++)
		if (!strcmp(k[i - 1].key, k[i].key) && (i < 2 || strcmp(k[i - 2].key, k[i].key)) &&
		    k[i - 1].i < first) {
			first = k[i - 1].i;   /* the first of its run: the least index */
			twin = k[i].i;
		}
	free(k);
	if (first == SIZE_MAX)
		return 0;
	if (e->trial.random || e->trial.grid_draws)
		return random_twins(p, e, first, twin);
	if (p->items[twin].line > 0)   /* at the schedule entry of the second one */
		return lrs_error_set(LRS_EINVALID, "%s:%d:%d: trials %zu (%s, seed %llu) and %zu (%s) are the same trial: "
		                     "a grid lists a value twice or a value equals a default", e->path, p->items[twin].line,
		                     p->items[twin].column, first + 1, p->items[first].label,
		                     (unsigned long long)p->items[first].seed, twin + 1, p->items[twin].label);
	return lrs_error_set(LRS_EINVALID, "%s: trials %zu (%s, seed %llu) and %zu (%s) are the same trial: a grid "
	                     "lists a value twice or a value equals a default", e->path, first + 1, p->items[first].label,
	                     (unsigned long long)p->items[first].seed, twin + 1, p->items[twin].label);
}

int lrs_plan_build(lrs_plan *out, const lrs_experiment *e, const lrs_dataset *ds, double min_lr, double max_lr)
{
	return lrs_plan_build_grouped(out, e, ds, 0, &(lrs_group_bounds){ "", min_lr, max_lr }, 1);
}

static int stand_in(lrs_plan *out, const lrs_experiment *e, const lrs_dataset *ds, unsigned fields,
                    const lrs_group_bounds *bounds, size_t n);

/* The schedule entries of e: trials.schedules, or (*fallback, freed by
 * the caller) one constant rate at @max when there are none. */
static int schedule_list(const lrs_node **list, lrs_node **fallback, const lrs_experiment *e)
{
	lrs_node *entry = NULL, *type = NULL;
	int err;

	*fallback = NULL;
	*list = e->trial.schedules;
	if (*list)
		return 0;
	if ((err = lrs_node_new_list(fallback, 0, 0)) < 0)
		return err;
	if ((err = lrs_node_new_map(&entry, 0, 0)) < 0 || (err = lrs_node_append(*fallback, NULL, entry)) < 0 ||
	    (err = lrs_node_new_scalar(&type, "constant", 0, 0)) < 0 || (err = lrs_node_append(entry, "type", type)) < 0) {
		lrs_node_free(type);
		lrs_node_free(*fallback);
		*fallback = NULL;
		return err;
	}
	*list = *fallback;
	return 0;
}

/* Random and tpe search: every value a key of trials.space may take -
 * each listed one, both ends of a range - checked as the file's own are,
 * so that a draw or proposal can never reach one its key refuses
 * (momentum: {uniform: [0.5, 1.5]}) after trials have run. */
static void check_space(builder *b)
{
	const lrs_node *space = b->e->trial.space;

	for (size_t k = 0; space && k < space->n; k++) {
		const lrs_node *v = space->items[k];
		axis a;
		if (!axis_of(&a, space->keys[k], 1, v))
			continue;
		const lrs_node *list = v->items[0];
		for (size_t i = 0; i < list->n; i++) {
			const char *key = space->keys[k];
			const lrs_node *value = list->items[i];
			lrs_model_config m = b->e->model;
			lrs_optim_config o;
			long batch;
			if (lrs_experiment_hyper(b->e, &key, &value, 1, &m, &o, &batch) < 0)
				note_error(b);
		}
	}
}

/* The end of a build: the errors noted, if any, as one LRS_EINVALID (the
 * plan freed). */
static int build_errors(builder *b)
{
	int err;

	if (!b->failed)
		return 0;
	err = lrs_error_set(LRS_EINVALID, "%s", b->errors.data ? b->errors.data : "invalid trials");
	lrs_buf_free(&b->errors);
	lrs_plan_free(b->plan);
	return err;
}

int lrs_plan_build_grouped(lrs_plan *out, const lrs_experiment *e, const lrs_dataset *ds, unsigned fields,
                           const lrs_group_bounds *bounds, size_t n)
{
	builder b = { e, ds, NAN, NAN, fields, bounds, n, out, 0, { 0 }, 0, 0 };
	lrs_node *fallback;
	const lrs_node *list;
	size_t config = 0;
	int err = 0;

	memset(out, 0, sizeof *out);
	if ((err = lrs_plan_check_size(e)) < 0)   /* before a grid of 10^10 points takes all the memory */
		return err;
	if (e->trial.tpe)
		return stand_in(out, e, ds, fields, bounds, n);
	b.lenient = e->trial.random;
	if (b.lenient || e->trial.grid_draws)
		check_space(&b);
	if (b.failed)   /* one line per value, not one per draw as well */
		return build_errors(&b);
	if ((err = schedule_list(&list, &fallback, e)) < 0)
		return err;
	for (size_t i = 0; i < list->n; i++) {
		const lrs_node *entry = list->items[i];
		axis *axes;
		long n_axes = collect_axes(&axes, entry, e->trial.space, e->has_trainer ? e->params : NULL);

		if (n_axes < 0) {
			lrs_error_set(LRS_ENOMEM, "out of memory");
			note_error(&b);
			break;
		}
		if (e->trial.random)
			expand_random(&b, entry, i, axes, (size_t)n_axes, &config);
		else
			expand_grid(&b, entry, i, axes, (size_t)n_axes, &config);
		free(axes);
	}
	lrs_node_free(fallback);
	out->configs = config;
	if ((err = build_errors(&b)) < 0)
		return err;
	/* two configurations that resolve alike (a grid that repeats itself)
	 * would be one trial twice: refuse */
	if ((err = check_distinct(out, e)) < 0) {
		lrs_plan_free(out);
		return err;
	}
	return 0;
}

/* ------------------------------------------------------------ the plan's size */

/* a * b, or UINT64_MAX when it would not fit */
static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

/* The size being counted: the product of its factors. */
typedef struct {
	lrs_plan_size *out;
	lrs_buf text;            /* the factors so far, "10 params.a x ..." */
	size_t shown;            /* factors in text                        */
	uint64_t largest;        /* the largest factor so far, and where   */
} counter;

#define GRID_FIX "give fewer values, or search: {strategy: random, samples: N} to draw N points of the space"
#define SHOWN_FACTORS 12   /* more are summed up as "x ... (N more)" */

/* Multiplies the count by factor n, named "N name(s)" (plural unless n is
 * 1), written at `at` (NULL: the trials: section, else line 1); `fix`
 * says how to make it smaller. */
static void factor(counter *c, uint64_t n, const char *name, const char *plural, const lrs_node *at,
                   const lrs_experiment *e, const char *fix)
{
	char num[LRS_COUNT_TEXT];

	c->out->trials = mul_sat(c->out->trials, n);
	c->out->factors++;
	if (c->shown < SHOWN_FACTORS)
		lrs_buf_printf(&c->text, "%s%s %s%s", c->shown ? " x " : "", lrs_fmt_count(num, n), name,
		               n == 1 ? "" : plural);
	c->shown++;
	at = at ? at : e->trials;
	if (n > c->largest || c->out->factors == 1) {
		c->largest = n;
		c->out->line = at ? at->line : 1;
		c->out->column = at ? at->column : 1;
		c->out->fix = fix;
	}
}

/* The seeds factor: trials.seeds' length, or repeats. */
static void seeds_factor(counter *c, const lrs_experiment *e)
{
	const lrs_node *at = lrs_node_get(e->trials, "seeds");

	factor(c, e->trial.n_seeds, "seed", "s", at ? at : lrs_node_get(e->trials, "repeats"), e, "give fewer seeds");
}

/* search.samples, or search: when its default is taken. */
static const lrs_node *samples_node(const lrs_experiment *e)
{
	const lrs_node *search = lrs_node_get(e->trials, "search");
	const lrs_node *at = lrs_node_get(search, "samples");

	return at ? at : search;
}

/* The schedules factor: `n` schedule settings - each entry's own grid
 * points (times its draws) summed - over `entries` entries. */
static void schedules_factor(counter *c, uint64_t n, size_t entries, const lrs_experiment *e)
{
	char name[96];

	if (n == entries)
		factor(c, n, "schedule", "s", e->trial.schedules, e, "give fewer schedules");
	else {
		snprintf(name, sizeof name, "schedule setting%s (of %zu schedule%s and their grids)", n == 1 ? "" : "s",
		         entries, entries == 1 ? "" : "s");
		factor(c, n, name, "", e->trial.schedules, e, GRID_FIX);
	}
}

/* The factors of strategy grid: the space's and params' listed values,
 * their draws (search.samples, with a distribution among them), the
 * schedule entries with their own grids (and draws), the seeds. tpe_only:
 * strategy tpe's stand-in plan - only the listed values of the keys that
 * range_test.per names, one schedule point per entry. */
static int count_grid(counter *c, const lrs_experiment *e, const lrs_node *list, int stand_in)
{
	uint64_t settings = 0;
	int shared_draws = 0;

	for (size_t k = 0; k < list->n; k++) {
		axis *axes;
		long n = collect_axes(&axes, list->items[k], e->trial.space, e->has_trainer ? e->params : NULL);
		uint64_t points = 1;
		int draws = 0;

		if (n < 0)
			return lrs_error_set(LRS_ENOMEM, "out of memory");
		for (long i = 0; i < n; i++) {
			const axis *a = &axes[i];
			if (a->kind != AX_LIST) {
				draws |= !stand_in;
				shared_draws |= a->space != 0 && !stand_in;
			} else if (a->space == 0 && !stand_in) {
				points = mul_sat(points, a->values->n);
			} else if (k == 0 && (!stand_in || (a->space == 1 && lrs_plan_axis_grouping(
			                      &(lrs_plan_axis){ a->key, a->space, LRS_AXIS_LIST, 0, 0, 0, 0, 0 }, e->range.per)))) {
				char name[300];   /* the space's and params' axes are every entry's: counted once */
				snprintf(name, sizeof name, "%s%.256s", a->space == 2 ? "params." : "", a->key);
				factor(c, a->values->n, name, "", a->spec, e, GRID_FIX);
			}
		}
		free(axes);
		settings = add_sat(settings, draws && e->trial.grid_draws && !shared_draws ? mul_sat(points, (uint64_t)e->trial.samples)
		                                                                           : points);
	}
	if (shared_draws && e->trial.grid_draws)
		factor(c, (uint64_t)e->trial.samples, "sample", "s", samples_node(e), e, "give fewer samples");
	schedules_factor(c, settings, list->n, e);
	seeds_factor(c, e);
	return 0;
}

int lrs_plan_count(lrs_plan_size *out, const lrs_experiment *e)
{
	counter c = { out, { 0 }, 0, 0 };
	const lrs_node *list;
	lrs_node *fallback;
	int err;

	memset(out, 0, sizeof *out);
	out->trials = 1;
	if ((err = schedule_list(&list, &fallback, e)) < 0)
		return err;
	if (e->trial.random) {   /* samples points per entry */
		factor(&c, (uint64_t)e->trial.samples, "sample", "s", samples_node(e), e, "give fewer samples");
		schedules_factor(&c, list->n, list->n, e);
		seeds_factor(&c, e);
	} else if (e->trial.tpe) {   /* samples proposals in all; its stand-in plan, if larger */
		lrs_plan_size proposals;
		counter s = { &proposals, { 0 }, 0, 0 };
		memset(&proposals, 0, sizeof proposals);
		proposals.trials = 1;
		factor(&s, (uint64_t)e->trial.samples, "proposal", "s", samples_node(e), e, "give fewer samples");
		if (e->trial.shared)   /* each for every entry */
			schedules_factor(&s, list->n, list->n, e);
		seeds_factor(&s, e);
		if ((err = count_grid(&c, e, list, 1)) == 0 && proposals.trials >= out->trials) {
			*out = proposals;
			lrs_buf_free(&c.text);
			c.text = s.text;
			s.text = (lrs_buf){ 0 };
		}
		lrs_buf_free(&s.text);
	} else {
		err = count_grid(&c, e, list, 0);
	}
	lrs_node_free(fallback);
	if (c.shown > SHOWN_FACTORS)
		lrs_buf_printf(&c.text, " x ... (%zu more)", c.shown - SHOWN_FACTORS);
	snprintf(out->text, sizeof out->text, "%s", c.text.data ? c.text.data : "");
	lrs_buf_free(&c.text);
	return err < 0 ? err : c.text.failed ? lrs_error_set(LRS_ENOMEM, "out of memory") : 0;
}

int lrs_plan_check_size(const lrs_experiment *e)
{
	char num[LRS_COUNT_TEXT], cap[LRS_COUNT_TEXT];
	lrs_plan_size size;
	int err;

	if ((err = lrs_plan_count(&size, e)) < 0)
		return err;
	if (size.trials <= LRS_PLAN_MAX_TRIALS)
		return 0;
	lrs_fmt_count(num, size.trials);
	lrs_fmt_count(cap, LRS_PLAN_MAX_TRIALS);
	return lrs_error_set(LRS_EINVALID, "%s:%d:%d: the plan has %s%s trials (%s), more than lrsweep's limit of %s; %s",
	                     e->path, size.line, size.column, size.trials == UINT64_MAX ? "more than " : "", num,
	                     size.text, cap, size.fix);
}

/* ------------------------------------------------------------ given points */

size_t lrs_plan_entries(const lrs_experiment *e)
{
	return e->trial.schedules ? e->trial.schedules->n : 1;
}

/* Entry k's node and its axes (*axes to free); -1 out of memory. */
static long entry_axes(const lrs_node **entry, axis **axes, const lrs_node *list, const lrs_experiment *e, size_t k)
{
	*entry = list->items[k];
	return collect_axes(axes, *entry, e->trial.space, e->has_trainer ? e->params : NULL);
}

int lrs_plan_axes(lrs_plan_axis **out, size_t *n, const lrs_experiment *e, size_t entry)
{
	const lrs_node *list, *node;
	lrs_node *fallback;
	axis *a = NULL;
	long m;
	int err;

	*out = NULL;
	*n = 0;
	assert(entry < lrs_plan_entries(e));
	if ((err = schedule_list(&list, &fallback, e)) < 0)
		return err;
	m = entry_axes(&node, &a, list, e, entry);
	if (m >= 0 && !(*out = calloc((size_t)m + 1, sizeof **out)))
		m = -1;
	for (long i = 0; i < m; i++)
		(*out)[i] = (lrs_plan_axis){ a[i].key, a[i].space, a[i].kind == AX_LIST ? LRS_AXIS_LIST
		                             : a[i].kind == AX_UNIFORM ? LRS_AXIS_UNIFORM
		                             : a[i].kind == AX_LOG_UNIFORM ? LRS_AXIS_LOG_UNIFORM : LRS_AXIS_INT_UNIFORM,
		                             a[i].kind == AX_LIST ? a[i].values->n : 0, a[i].lo, a[i].hi, a[i].spec->line,
		                             a[i].spec->column };
	free(a);
	lrs_node_free(fallback);
	if (m < 0)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	*n = (size_t)m;
	return 0;
}

/* The configuration of plan p whose first trial has key `key`, before
 * item `before`; -1 when none. */
static long config_with_key(const lrs_plan *p, const char *key, size_t before)
{
	for (size_t i = 0; i < before; i++)
		if (!strcmp(p->items[i].key, key))
			return (long)p->items[i].config;
	return -1;
}

/* Records point pt (n values) as the given point of p's next
 * configuration. */
static int keep_given(lrs_plan *p, const lrs_plan_point *pt, size_t n)
{
	lrs_plan_point *g = realloc(p->given, (p->n_given + 1) * sizeof *g);
	double *v = malloc((n + 1) * sizeof *v);

	if (g)
		p->given = g;
	if (!g || !v) {
		free(v);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	memcpy(v, pt->values, n * sizeof *v);
	p->given[p->n_given++] = (lrs_plan_point){ pt->entry, v, n };
	return 0;
}

/* Adds point pt of entry `entry` (axes[0..n_axes)) to b's plan;
 * *dup = the configuration it repeats (then nothing is added), else -1. */
static void add_given(builder *b, const lrs_node *entry, const axis *axes, size_t n_axes, const lrs_plan_point *pt,
                      choices *c, long *dup)
{
	lrs_plan *p = b->plan;
	size_t before = p->n;
	int bad = 0;

	*dup = -1;
	for (size_t i = 0; i < n_axes; i++) {
		c->chosen[i] = axis_node(&axes[i], pt->values[i], &c->made[i]);
		c->drawn[i] = axes[i].kind != AX_LIST;
		bad |= c->chosen[i] == NULL;
	}
	if (bad) {
		lrs_error_set(LRS_ENOMEM, "out of memory");
		note_error(b);
	} else if (add_point(b, entry, axes, n_axes, c->chosen, c->drawn, p->configs) == 0 && p->n > before) {
		if ((*dup = config_with_key(p, p->items[before].key, before)) >= 0) {
			while (p->n > before)   /* the same trials as an earlier point's: not twice */
				spec_free(&p->items[--p->n]);
		} else if (keep_given(p, pt, n_axes) < 0) {
			note_error(b);
		} else {
			p->configs++;
		}
	}
	for (size_t i = 0; i < n_axes; i++) {
		lrs_node_free(c->made[i]);
		c->made[i] = NULL;
	}
}

int lrs_plan_add_points(lrs_plan *p, long *dup_of, const lrs_experiment *e, const lrs_dataset *ds, unsigned fields,
                        const lrs_group_bounds *bounds, size_t n_bounds, const lrs_plan_point *points, size_t n)
{
	builder b = { e, ds, NAN, NAN, fields, bounds, n_bounds, p, p->n, { 0 }, 0, 1 };
	const lrs_node *list;
	lrs_node *fallback;
	int err;

	if ((err = schedule_list(&list, &fallback, e)) < 0)
		return err;
	for (size_t k = 0; k < n && !b.failed; k++) {
		const lrs_node *entry;
		axis *axes;
		choices c;
		long n_axes;

		assert(points[k].entry < list->n);
		if ((n_axes = entry_axes(&entry, &axes, list, e, points[k].entry)) < 0) {
			lrs_error_set(LRS_ENOMEM, "out of memory");
			note_error(&b);
		} else if (choices_new(&c, &b, (size_t)n_axes) == 0) {
			add_given(&b, entry, axes, (size_t)n_axes, &points[k], &c, &dup_of[k]);
			choices_free(&c);
		}
		free(axes);
	}
	lrs_node_free(fallback);
	return build_errors(&b);
}

/* The value an axis stands in with: a list's first, a range's middle
 * (geometric for log_uniform, whole for int_uniform). */
static double middle(const lrs_plan_axis *a)
{
	if (a->kind == LRS_AXIS_LIST)
		return 0;
	if (a->kind == LRS_AXIS_LOG_UNIFORM)
		return sqrt(a->lo * a->hi);
	return a->kind == LRS_AXIS_INT_UNIFORM ? floor(0.5 * (a->lo + a->hi)) : 0.5 * (a->lo + a->hi);
}

/* Whether space axis a is a key whose values get their own range test. */
int lrs_plan_axis_grouping(const lrs_plan_axis *a, unsigned per)
{
	for (int i = 0; a->where == 1 && i < LRS_SPACE_KEYS; i++)
		if ((per & (1u << i)) && !strcmp(lrs_space_key_name(i), a->key))
			return 1;
	return 0;
}

/* The points of entry k for strategy tpe's stand-in: every combination
 * of the grouping keys' listed values, each other axis at its middle. */
static int stand_in_entry(lrs_plan_point **pts, size_t *n_pts, double **vals, const lrs_experiment *e, size_t k)
{
	lrs_plan_axis *ax;
	size_t n_ax, combos = 1;
	int err;

	if ((err = lrs_plan_axes(&ax, &n_ax, e, k)) < 0)
		return err;
	for (size_t i = 0; i < n_ax; i++)
		combos *= ax[i].kind == LRS_AXIS_LIST && lrs_plan_axis_grouping(&ax[i], e->range.per) ? ax[i].n_values : 1;
	lrs_plan_point *np = realloc(*pts, (*n_pts + combos) * sizeof *np);
	double *nv = malloc((combos * n_ax + 1) * sizeof *nv);
	if (np)
		*pts = np;
	if (!np || !nv) {
		free(nv);
		free(ax);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	*vals = nv;
	for (size_t c = 0; c < combos; c++) {
		size_t rest = c;
		for (size_t i = n_ax; i-- > 0;) {   /* the first axis varying slowest */
			int grid = ax[i].kind == LRS_AXIS_LIST && lrs_plan_axis_grouping(&ax[i], e->range.per);
			nv[c * n_ax + i] = grid ? (double)(rest % ax[i].n_values) : middle(&ax[i]);
			rest /= grid ? ax[i].n_values : 1;
		}
		(*pts)[(*n_pts)++] = (lrs_plan_point){ k, nv + c * n_ax, n_ax };
	}
	free(ax);
	return 0;
}

/* Strategy tpe's stand-in plan p: when the schedule of entry k refused
 * every trial of it and no other values of the entry build either, the
 * first one's reason is an error of the file (p freed). */
static int stand_in_refused(lrs_plan *p, const lrs_experiment *e, const lrs_dataset *ds, unsigned fields,
                            const lrs_group_bounds *bounds, size_t n, size_t k)
{
	builder b = { e, ds, NAN, NAN, fields, bounds, n, p, p->n, { 0 }, 0, 1 };
	const lrs_node *list, *entry;
	lrs_node *fallback;
	axis *axes;
	size_t first = SIZE_MAX;
	long n_axes;
	int err;

	for (size_t i = 0; i < p->n; i++) {
		if (p->given[p->items[i].config].entry != k)
			continue;
		if (!p->items[i].error)
			return 0;
		first = first < i ? first : i;
	}
	if (first == SIZE_MAX || (err = schedule_list(&list, &fallback, e)) < 0)
		return first == SIZE_MAX ? 0 : err;
	if ((n_axes = entry_axes(&entry, &axes, list, e, k)) >= 0 && !entry_builds(&b, entry, axes, (size_t)n_axes)) {
		lrs_error_set(LRS_EINVALID, "%s", p->items[first].error);
		note_error(&b);
	}
	free(axes);
	lrs_node_free(fallback);
	return build_errors(&b);
}

/* Strategy tpe's plan before any proposal: what checks the file and finds
 * the range-test groups (stand_in_entry for every entry). */
static int stand_in(lrs_plan *out, const lrs_experiment *e, const lrs_dataset *ds, unsigned fields,
                    const lrs_group_bounds *bounds, size_t n)
{
	size_t entries = lrs_plan_entries(e), n_pts = 0;
	lrs_plan_point *pts = NULL;
	double **vals = calloc(entries, sizeof *vals);
	long *dup = NULL;
	int err = vals ? 0 : lrs_error_set(LRS_ENOMEM, "out of memory");

	builder b = { e, ds, NAN, NAN, fields, bounds, n, out, 0, { 0 }, 0, 1 };

	check_space(&b);
	if (err == 0)
		err = build_errors(&b);
	for (size_t k = 0; err == 0 && k < entries; k++)
		err = stand_in_entry(&pts, &n_pts, &vals[k], e, k);
	if (err == 0 && !(dup = calloc(n_pts + 1, sizeof *dup)))
		err = lrs_error_set(LRS_ENOMEM, "out of memory");
	if (err == 0)
		err = lrs_plan_add_points(out, dup, e, ds, fields, bounds, n, pts, n_pts);
	for (size_t k = 0; err == 0 && k < entries; k++)
		err = stand_in_refused(out, e, ds, fields, bounds, n, k);
	for (size_t k = 0; vals && k < entries; k++)
		free(vals[k]);
	free(vals);
	free(pts);
	free(dup);
	return err;
}

int lrs_plan_one(lrs_plan *out, const lrs_experiment *e, const lrs_dataset *ds, lrs_sched *sched,
                 long epochs, uint64_t seed)
{
	lrs_trial_spec *t;
	int err = 0;

	memset(out, 0, sizeof *out);
	if (!(t = calloc(1, sizeof *t))) {
		lrs_sched_free(sched);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	out->items = t;
	out->n = out->configs = 1;
	t->sched = sched;
	t->type = lrs_sched_type_name(lrs_sched_get_type(sched));
	t->model = e->model;
	lrs_model_fit(&t->model, ds);
	t->optim = e->optim;
	t->batch_size = e->batch_size;
	t->epochs = epochs;
	t->seed = seed;
	t->hyper = hyper_json(t);
	t->label = strdup(t->type);
	t->group = strdup("");
	if ((err = lrs_sched_params_json(&t->params, sched)) == 0 && (!t->hyper || !t->label || !t->group))
		err = lrs_error_set(LRS_ENOMEM, "out of memory");
	if (err < 0) {
		lrs_plan_free(out);
		return err;
	}
	trial_key(t);
	return 0;
}

void lrs_plan_free(lrs_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		spec_free(&p->items[i]);
	for (size_t k = 0; k < p->n_given; k++)
		free((double *)p->given[k].values);
	free(p->given);
	free(p->items);
	memset(p, 0, sizeof *p);
}
