/* model.c - the model: section of an experiment (SPEC §7, §13): the
 * hidden: shorthand of an MLP, or a layer stack (layers:) with PyTorch's
 * names and defaults, every layer and setting checked at its
 * line:column; once the data is known, the input and the stack's fit to
 * it (lrs_net_shapes), a misfit reported at the layer at fault; and a
 * layer's compact text, as stored with trials and shown in tables:
 * "conv32k5p2" (stride s, padding p where not the default),
 * "maxpool3s2ceil", "linear10", "dropout0.5", "batchnorm" (or
 * "batchnorm(momentum=0.2,eps=1e-05)"), "relu".
 *
 * A layer is written as its name (`relu`, `dropout`, `batchnorm`) or as a
 * mapping whose one layer-name key holds its size, beside its settings:
 * {conv: 32, kernel: 5, stride: 1, padding: 2}, {maxpool: 3, stride: 2,
 * padding: 0, ceil: true}, {linear: 10}, {dropout: 0.3} (or {dropout, p:
 * 0.3}), {batchnorm, momentum: 0.1, eps: 1.0e-5}. What the file does not
 * set has PyTorch's default: conv stride 1, padding 0; a pool's stride
 * its kernel; dropout p 0.5. */
#include <stdio.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/experiment.h"
#include "internal.h"

#define MAX_SIZE 1e6   /* the largest width, channel count, kernel, stride, input side */

/* The layer names in lrs_layer_type order, as get_choice takes them. */
static const char layer_names[] = "linear|conv|maxpool|avgpool|relu|tanh|sigmoid|dropout|batchnorm";
static const char *const layer_list[] = {
	"linear", "conv", "maxpool", "avgpool", "relu", "tanh", "sigmoid", "dropout", "batchnorm",
};
#define N_LAYER_NAMES (sizeof layer_list / sizeof layer_list[0])

/* The layer type named `word`, or -1. */
static int layer_type(const char *word)
{
	for (size_t i = 0; i < N_LAYER_NAMES; i++)
		if (!strcmp(word, layer_list[i]))
			return (int)i;
	return -1;
}

/* Whether a layer of type t takes a size (width, channels, kernel). */
static int sized(int t)
{
	return t == LRS_LAYER_LINEAR || t == LRS_LAYER_CONV || t == LRS_LAYER_MAXPOOL || t == LRS_LAYER_AVGPOOL;
}

/* A YAML null: nothing written, ~ or null. */
static int empty(const lrs_node *v)
{
	return v->kind == LRS_NODE_SCALAR && (!v->text[0] || !strcmp(v->text, "~") || !strcmp(v->text, "null"));
}

/* The settings each layer type takes beside its name. */
static size_t settings_of(int t, const char *keys[4])
{
	static const char *const conv[] = { "kernel", "stride", "padding" };
	static const char *const pool[] = { "stride", "padding", "ceil" };
	static const char *const dropout[] = { "p" };
	static const char *const batchnorm[] = { "momentum", "eps" };
	const char *const *k = NULL;
	size_t n = 0;

	switch (t) {
	case LRS_LAYER_CONV: k = conv, n = 3; break;
	case LRS_LAYER_MAXPOOL: case LRS_LAYER_AVGPOOL: k = pool, n = 3; break;
	case LRS_LAYER_DROPOUT: k = dropout, n = 1; break;
	case LRS_LAYER_BATCHNORM: k = batchnorm, n = 2; break;
	default: break;
	}
	keys[0] = layer_list[t];
	for (size_t i = 0; i < n; i++)
		keys[i + 1] = k[i];
	return n + 1;
}

/* Other frameworks' names of the layers (PyTorch's modules, Keras's
 * layers, common spellings), folded as fold() folds: the layer each is
 * here, or NULL with why none is needed. */
static const struct {
	const char *folded, *ours, *why;
} foreign_names[] = {
	{ "conv2d", "conv", NULL },
	{ "convolution2d", "conv", NULL },
	{ "dense", "linear", NULL },
	{ "fc", "linear", NULL },
	{ "fullyconnected", "linear", NULL },
	{ "maxpool2d", "maxpool", NULL },
	{ "maxpooling2d", "maxpool", NULL },
	{ "avgpool2d", "avgpool", NULL },
	{ "averagepool2d", "avgpool", NULL },
	{ "averagepooling2d", "avgpool", NULL },
	{ "batchnorm1d", "batchnorm", NULL },
	{ "batchnorm2d", "batchnorm", NULL },
	{ "batchnormalization", "batchnorm", NULL },
	{ "bn", "batchnorm", NULL },
	{ "flatten", NULL, "a linear layer flattens its input itself" },
	{ "softmax", NULL, "the loss is cross-entropy on the last linear layer's outputs and applies the softmax itself" },
	{ "logsoftmax", NULL, "the loss is cross-entropy on the last linear layer's outputs and applies the softmax itself" },
};

/* `word` in lower case without '_' and '-' ("Max_Pool2d" -> "maxpool2d"). */
static void fold(char *out, size_t size, const char *word)
{
	size_t n = 0;

	for (; *word && n + 1 < size; word++)
		if (*word != '_' && *word != '-')
			out[n++] = (char)(*word >= 'A' && *word <= 'Z' ? *word - 'A' + 'a' : *word);
	out[n] = 0;
}

/* Reports `word`, not a layer name here, at node `at` (at its key when
 * `key`): the layer it likely means, PyTorch's and Keras's names
 * included, or why a layer of that name is not needed. */
static void unknown_layer(checker *ck, const lrs_node *at, int key, const char *word)
{
	char folded[64];
	const char *near = NULL, *why = NULL;

	fold(folded, sizeof folded, word);
	if (layer_type(folded) >= 0)
		near = layer_list[layer_type(folded)];
	for (size_t i = 0; !near && !why && i < sizeof foreign_names / sizeof foreign_names[0]; i++)
		if (!strcmp(folded, foreign_names[i].folded))
			near = foreign_names[i].ours, why = foreign_names[i].why;
	if (!near && !why)
		near = lrs_nearest_name(word, layer_list, N_LAYER_NAMES);
	char msg[512];
	if (why)
		snprintf(msg, sizeof msg, "'%s' is not a layer here: %s (drop it)", word, why);
	else if (near)
		snprintf(msg, sizeof msg, "unknown layer '%s' (did you mean '%s'?); the layers: %s", word, near, layer_names);
	else
		snprintf(msg, sizeof msg, "unknown layer '%s'; the layers: %s", word, layer_names);
	if (key)
		cfg_key_problem(ck, at, "%s", msg);
	else
		cfg_problem(ck, at, "%s", msg);
}

/* A layer written as a name alone. */
static void read_named_layer(checker *ck, const lrs_node *v, lrs_layer *L)
{
	int t = layer_type(v->text);

	if (t < 0) {
		unknown_layer(ck, v, 0, v->text);
		return;
	}
	L->type = (lrs_layer_type)t;
	if (sized(t))
		cfg_problem(ck, v, "'%s' needs its %s, e.g. {%s: %s}", v->text,
		            t == LRS_LAYER_LINEAR ? "width" : t == LRS_LAYER_CONV ? "output channels" : "kernel size",
		            v->text, t == LRS_LAYER_LINEAR ? "10" : t == LRS_LAYER_CONV ? "32, kernel: 5" : "2");
}

/* Whether `key` is a setting of some layer (kernel, stride, p, ...). */
static int any_setting(const char *key)
{
	const char *keys[4];

	for (size_t t = 0; t < N_LAYER_NAMES; t++) {
		size_t n = settings_of((int)t, keys);
		for (size_t i = 1; i < n; i++)
			if (!strcmp(key, keys[i]))
				return 1;
	}
	return 0;
}

/* The one key of map m that names a layer: its index, or -1 (reported:
 * a first key that is no layer's setting is taken for a layer's name). */
static long name_key(checker *ck, const lrs_node *m)
{
	long at = -1;

	for (size_t k = 0; k < m->n; k++) {
		if (layer_type(m->keys[k]) < 0)
			continue;
		if (at >= 0) {
			cfg_key_problem(ck, m->items[k], "one layer per item: '%s' and '%s' are two (write them as two items "
			                "of the list)", m->keys[at], m->keys[k]);
			return -1;
		}
		at = (long)k;
	}
	if (at < 0 && m->n && !any_setting(m->keys[0]))
		unknown_layer(ck, m->items[0], 1, m->keys[0]);
	else if (at < 0)
		cfg_problem(ck, m, "a layer is a name (relu) or a mapping with a layer's name as its first key, e.g. "
		            "{conv: 32, kernel: 5}; the layers: %s", layer_names);
	return at;
}

/* PyTorch's and Keras's names of the settings, by the layers they are
 * written in (a mask of 1 << lrs_layer_type): what to write here. */
#define POOLS ((1u << LRS_LAYER_MAXPOOL) | (1u << LRS_LAYER_AVGPOOL))
static const struct {
	unsigned types;
	const char *key, *hint;
} foreign_settings[] = {
	{ 1u << LRS_LAYER_CONV, "kernel_size", "did you mean 'kernel'?" },
	{ 1u << LRS_LAYER_CONV, "out_channels", "the output channels are conv's value, e.g. {conv: 32, kernel: 5}" },
	{ 1u << LRS_LAYER_CONV, "filters", "the output channels are conv's value, e.g. {conv: 32, kernel: 5}" },
	{ 1u << LRS_LAYER_CONV, "in_channels", "the input's channels come from the layer before" },
	{ POOLS, "kernel", "a pool's kernel is its value, e.g. {maxpool: 3, stride: 2}" },
	{ POOLS, "kernel_size", "a pool's kernel is its value, e.g. {maxpool: 3, stride: 2}" },
	{ POOLS, "pool_size", "a pool's kernel is its value, e.g. {maxpool: 3, stride: 2}" },
	{ POOLS, "ceil_mode", "did you mean 'ceil'?" },
	{ 1u << LRS_LAYER_LINEAR, "out_features", "the width is linear's value, e.g. {linear: 10}" },
	{ 1u << LRS_LAYER_LINEAR, "units", "the width is linear's value, e.g. {linear: 10}" },
	{ 1u << LRS_LAYER_LINEAR, "in_features", "the input's features come from the layer before" },
};

/* The keys of a layer's map m of type t: its name and settings, and
 * other frameworks' names of them reported with what to write. */
static void check_settings(checker *ck, const lrs_node *m, int t, const char *name)
{
	const char *keys[4 + sizeof foreign_settings / sizeof foreign_settings[0]];
	size_t n = settings_of(t, keys);

	for (size_t i = 0; i < sizeof foreign_settings / sizeof foreign_settings[0]; i++) {
		const lrs_node *v = lrs_node_get(m, foreign_settings[i].key);
		if (!(foreign_settings[i].types & (1u << t)))
			continue;
		keys[n++] = foreign_settings[i].key;   /* reported here, not as unknown */
		if (v)
			cfg_key_problem(ck, v, "unknown key '%s' in %s (%s)", foreign_settings[i].key, name,
			                foreign_settings[i].hint);
	}
	cfg_check_keys(ck, m, name, keys, n);
}

/* A kernel, stride or padding `key` of map m: a whole number in [lo,
 * MAX_SIZE], or PyTorch's (height, width) pair of two equal ones ([3, 3]
 * is 3; windows are square here). > 0 when given and good. */
static int get_side(checker *ck, const lrs_node *m, const char *key, double lo, long *out)
{
	const lrs_node *v = lrs_node_get(m, key);
	long side[2];

	if (!v || v->kind != LRS_NODE_LIST || v->n != 2)
		return cfg_get_integer(ck, m, key, lo, MAX_SIZE, out);
	for (size_t i = 0; i < 2; i++) {
		char *k = (char *)key;
		lrs_node *item = v->items[i];
		lrs_node one = { .kind = LRS_NODE_MAP, .keys = &k, .items = &item, .n = 1 };   /* {key: item} */
		if (cfg_get_integer(ck, &one, key, lo, MAX_SIZE, &side[i]) <= 0)
			return -1;
	}
	if (side[0] != side[1]) {
		cfg_problem(ck, v, "'%s' [%ld, %ld]: height and width differ, and windows are square here: give one "
		            "number", key, side[0], side[1]);
		return -1;
	}
	*out = side[0];
	return 1;
}

/* The size held by a layer's name key (the value of `conv:`), and the
 * settings of a sized layer. */
static void read_sized(checker *ck, const lrs_node *m, int t, lrs_layer *L)
{
	const char *name = layer_list[t];
	long v;

	if ((t == LRS_LAYER_MAXPOOL || t == LRS_LAYER_AVGPOOL ? get_side(ck, m, name, 1, &v)
	                                                       : cfg_get_integer(ck, m, name, 1, MAX_SIZE, &v)) > 0)
		L->size = (size_t)v;
	if (t == LRS_LAYER_CONV) {
		const lrs_node *size = lrs_node_get(m, name);
		if (!lrs_node_get(m, "kernel") && !lrs_node_get(m, "kernel_size"))   /* that is reported as a key */
			cfg_problem(ck, m, "a conv layer needs its 'kernel', e.g. {conv: %s, kernel: 5}",
			            size->kind == LRS_NODE_SCALAR ? size->text : "32");   /* a list has no text */
		else if (get_side(ck, m, "kernel", 1, &v) > 0)
			L->kernel = (size_t)v;
	}
	L->stride = t == LRS_LAYER_CONV ? 1 : L->size;   /* PyTorch's: a pool's stride is its kernel */
	if (get_side(ck, m, "stride", 1, &v) > 0)
		L->stride = (size_t)v;
	if (get_side(ck, m, "padding", 0, &v) > 0)
		L->padding = (size_t)v;
	cfg_get_bool(ck, m, "ceil", &L->ceil);
}

/* A layer written as a mapping. */
static void read_mapped_layer(checker *ck, const lrs_node *m, lrs_layer *L)
{
	long at = name_key(ck, m);
	int t;

	if (at < 0)
		return;
	t = layer_type(m->keys[at]);
	L->type = (lrs_layer_type)t;
	check_settings(ck, m, t, m->keys[at]);
	if (sized(t)) {
		read_sized(ck, m, t, L);
		return;
	}
	const lrs_node *v = m->items[at];
	if (t == LRS_LAYER_DROPOUT && !empty(v)) {
		if (lrs_node_get(m, "p"))
			cfg_key_problem(ck, lrs_node_get(m, "p"), "give dropout's p once: {dropout: 0.3} or {dropout, p: 0.3}");
		else
			cfg_get_number(ck, m, "dropout", 0, 0, 1, 1, &L->p);
	} else if (!empty(v)) {
		cfg_problem(ck, v, "'%s' takes no value%s", m->keys[at],
		            t == LRS_LAYER_BATCHNORM ? " (its settings: {batchnorm, momentum: 0.1, eps: 1.0e-5})" : "");
	}
	cfg_get_number(ck, m, "p", 0, 0, 1, 1, &L->p);
	cfg_get_number(ck, m, "momentum", 0, 0, 1, 0, &L->momentum);
	cfg_get_number(ck, m, "eps", 0, 1, 1, 0, &L->eps);
}

static void read_layers(checker *ck, const lrs_node *list, lrs_net_config *net)
{
	if (list->kind != LRS_NODE_LIST || list->n == 0) {
		cfg_problem(ck, list, "'layers' must be a non-empty list of layers, e.g. [{conv: 6, kernel: 5}, relu, "
		            "{maxpool: 2}, {linear: 10}]");
		return;
	}
	if (list->n > LRS_NET_MAX_LAYERS) {
		cfg_problem(ck, list, "'layers' has %zu layers; at most %d", list->n, LRS_NET_MAX_LAYERS);
		return;
	}
	net->n_layers = list->n;
	for (size_t i = 0; i < list->n; i++) {
		const lrs_node *v = list->items[i];
		lrs_layer *L = &net->layer[i];

		*L = (lrs_layer){ .type = LRS_LAYER_RELU, .p = 0.5, .momentum = 0.1, .eps = 1e-5 };
		if (v->kind == LRS_NODE_SCALAR)
			read_named_layer(ck, v, L);
		else if (v->kind == LRS_NODE_MAP)
			read_mapped_layer(ck, v, L);
		else
			cfg_problem(ck, v, "a layer is a name (relu) or a mapping ({conv: 32, kernel: 5}), not a list");
	}
}

/* model.input: [channels, height, width], or [features]. */
static void read_input(checker *ck, const lrs_node *in, lrs_net_config *net)
{
	size_t v[3] = { 1, 1, 1 };
	double d;

	if (in->kind != LRS_NODE_LIST || (in->n != 1 && in->n != 3)) {
		cfg_problem(ck, in, "'input' must be [channels, height, width] (e.g. [1, 28, 28]) or [features]");
		return;
	}
	for (size_t i = 0; i < in->n; i++) {
		const lrs_node *x = in->items[i];
		/* the range first: (size_t)d of 1e80 or -1 is undefined behaviour */
		if (x->kind != LRS_NODE_SCALAR || lrs_parse_double(x->text, &d) < 0 || d < 1 || d > MAX_SIZE ||
		    d != (double)(size_t)d) {
			cfg_problem(ck, x, "'input' sizes must be whole numbers in [1, 1000000], got %s",
			            x->kind == LRS_NODE_SCALAR ? x->text : cfg_kind_name(x));
			return;
		}
		v[i] = (size_t)d;
	}
	net->channels = v[0], net->height = v[1], net->width = v[2];
}

/* hidden: and activation: (the shorthand). */
static void read_hidden(checker *ck, const lrs_node *n, lrs_mlp_config *m)
{
	const lrs_node *hidden = lrs_node_get(n, "hidden");
	int act = LRS_ACT_RELU;

	if (hidden) {
		if (hidden->kind != LRS_NODE_LIST) {
			cfg_problem(ck, hidden, "'hidden' must be a list of layer widths, e.g. [256] or [] (got %s)",
			            cfg_kind_name(hidden));
		} else if (hidden->n > LRS_MLP_MAX_HIDDEN) {
			cfg_problem(ck, hidden, "'hidden' has %zu layers; at most %d", hidden->n, LRS_MLP_MAX_HIDDEN);
		} else {
			m->n_hidden = hidden->n;
			for (size_t i = 0; i < hidden->n; i++) {
				double v;
				const lrs_node *w = hidden->items[i];
				if (w->kind != LRS_NODE_SCALAR || lrs_parse_double(w->text, &v) < 0 || v < 1 || v > MAX_SIZE ||
				    v != (double)(size_t)v)   /* the range first, as above */
					cfg_problem(ck, w, "layer widths must be whole numbers in [1, 1000000], got %s",
					            w->kind == LRS_NODE_SCALAR ? w->text : cfg_kind_name(w));
				else
					m->hidden[i] = (size_t)v;
			}
		}
	}
	cfg_get_choice(ck, n, "activation", "relu|tanh|sigmoid", &act);
	m->activation = (lrs_activation)act;
}

/* What layers: excludes: the shorthand's keys. */
static void check_exclusive(checker *ck, const lrs_node *n)
{
	static const char *const shorthand[] = { "hidden", "activation" };

	for (size_t i = 0; i < 2; i++)
		if (lrs_node_get(n, shorthand[i]))
			cfg_key_problem(ck, lrs_node_get(n, shorthand[i]), "give either 'hidden' (with 'activation') or "
			                "'layers', not both: with layers:, write the activations as layers (relu, tanh, "
			                "sigmoid)");
}

void cfg_read_model(checker *ck, const lrs_node *n, lrs_model_config *m)
{
	static const char *const keys[] = { "hidden", "activation", "init", "input", "layers" };
	const lrs_node *layers = n ? lrs_node_get(n, "layers") : NULL;
	int init = -1;

	memset(m, 0, sizeof *m);
	m->mlp.n_hidden = 1;
	m->mlp.hidden[0] = 256;
	if (n && cfg_is_map(ck, n, "model")) {
		cfg_check_keys(ck, n, "model", keys, sizeof keys / sizeof keys[0]);
		cfg_get_choice(ck, n, "init", "he|xavier", &init);
		if (layers) {
			check_exclusive(ck, n);
			read_layers(ck, layers, &m->net);
			m->layers = 1;
		} else {
			read_hidden(ck, n, &m->mlp);
		}
		if (lrs_node_get(n, "input") && !layers)
			cfg_key_problem(ck, lrs_node_get(n, "input"), "'input' is for a 'layers' stack (hidden: takes the "
			                "data's features as they come)");
		else if (lrs_node_get(n, "input"))
			read_input(ck, lrs_node_get(n, "input"), &m->net);
	}
	if (m->layers) {
		m->net.torch_init = init < 0;   /* each layer's PyTorch default */
		m->net.init = init < 0 ? LRS_INIT_HE : (lrs_init)init;
		return;
	}
	m->mlp.init = init >= 0 ? (lrs_init)init : m->mlp.activation == LRS_ACT_RELU ? LRS_INIT_HE : LRS_INIT_XAVIER;
	lrs_net_from_mlp(&m->net, &m->mlp);
}

/* ------------------------------------------------------------ the data */

void lrs_model_fit(lrs_model_config *m, const lrs_dataset *ds)
{
	if (!m->layers) {
		m->mlp.inputs = ds->features;
		m->mlp.outputs = (size_t)ds->classes;
		lrs_net_from_mlp(&m->net, &m->mlp);
		return;
	}
	if (m->net.channels == 0 && ds->rows && ds->rows * ds->cols == ds->features)
		m->net.channels = 1, m->net.height = ds->rows, m->net.width = ds->cols;
	else if (m->net.channels == 0)
		m->net.channels = ds->features, m->net.height = m->net.width = 1;
	m->net.outputs = (size_t)ds->classes;
}

/* "[1, 28, 28]", or "[784]" for a flat input. */
static void input_text(char *buf, size_t size, const lrs_net_config *c)
{
	if (c->height == 1 && c->width == 1)
		snprintf(buf, size, "[%zu]", c->channels);
	else
		snprintf(buf, size, "[%zu, %zu, %zu]", c->channels, c->height, c->width);
}

/* A conv or pooling layer whose input is flat, as PyTorch's Conv2d and
 * MaxPool2d refuse a (batch, features) tensor: the data's features (flat
 * data and no model.input, or an input of [features]) or a linear
 * layer's outputs. The stack holds them as (features, 1, 1) maps, which
 * a 1x1 kernel would fit without a word. Reported at the layer. */
static int flat_misfit(const lrs_experiment *e, const lrs_dataset *ds, const char *in)
{
	const lrs_net_config *c = &e->model.net;
	int image = e->model_input ? e->model_input->n == 3 : ds->rows && ds->rows * ds->cols == ds->features;
	int after = 0;   /* a linear layer flattened it */

	for (size_t l = 0; l < c->n_layers; l++) {
		const lrs_layer *L = &c->layer[l];
		if (L->type == LRS_LAYER_LINEAR)
			after = 1;
		if (L->type != LRS_LAYER_CONV && L->type != LRS_LAYER_MAXPOOL && L->type != LRS_LAYER_AVGPOOL)
			continue;
		if (image && !after)
			continue;
		const lrs_node *at = e->model_layers && l < e->model_layers->n ? e->model_layers->items[l] : e->model_layers;
		const char *text = lrs_layer_name(L->type);
		if (after)
			return lrs_error_set(LRS_EINVALID, "%s:%d:%d: %s: its input is a linear layer's flat output, not a "
			                     "[channels, height, width] map (put conv and pooling layers before the first "
			                     "linear one)", e->path, at ? at->line : 1, at ? at->column : 1, text);
		return lrs_error_set(LRS_EINVALID, "%s:%d:%d: %s: the input %s is flat, not a [channels, height, width] "
		                     "map%s", e->path, at ? at->line : 1, at ? at->column : 1, text, in,
		                     e->model_input ? "" : "; the data is flat: give model.input as [channels, height, width]");
	}
	return 0;
}

/* A model.input [C, H, W] given for an array whose samples are (H, W, C),
 * channels last as Keras and TensorFlow keep images: the counts agree,
 * but every map would read interleaved channels as rows, and the model
 * would train on scrambled images without a word. (H, W, 1) is the same
 * memory as (1, H, W): fine. */
static int channels_last(const lrs_experiment *e, const lrs_dataset *ds)
{
	const lrs_net_config *c = &e->model.net;
	const size_t *s = ds->shape;   /* the array's sample shape, or 0s */

	if (!e->model_input || e->model_input->n != 3 || c->channels < 2 || !s[2])
		return 0;
	if (s[0] != c->height || s[1] != c->width || s[2] != c->channels ||
	    (s[0] == c->channels && s[1] == c->height && s[2] == c->width))
		return 0;
	return lrs_error_set(LRS_EINVALID, "%s:%d:%d: model.input [%zu, %zu, %zu] is [channels, height, width], but the "
	                     "array's samples are (%zu, %zu, %zu), channels last (as Keras and TensorFlow keep images): "
	                     "save it channels first, a.transpose(0, 3, 1, 2), as PyTorch's Conv2d reads it", e->path,
	                     e->model_input->line, e->model_input->column, c->channels, c->height, c->width, s[0], s[1],
	                     s[2]);
}

int lrs_experiment_fit(lrs_experiment *e, const lrs_dataset *ds)
{
	lrs_net_config *c = &e->model.net;
	lrs_layer_shape shape[LRS_NET_MAX_LAYERS];
	const lrs_node *at;
	char in[96];
	size_t bad;

	if (e->has_trainer)
		return 0;
	lrs_model_fit(&e->model, ds);
	input_text(in, sizeof in, c);
	if (e->model_input && c->channels * c->height * c->width != ds->features)
		return lrs_error_set(LRS_EINVALID, "%s:%d:%d: model.input %s is %zu features; the data has %zu%s", e->path,
		                     e->model_input->line, e->model_input->column, in, c->channels * c->height * c->width,
		                     ds->features, ds->rows ? " (images of that many pixels)" : "");
	if (channels_last(e, ds) < 0)
		return LRS_EINVALID;
	if (lrs_net_shapes(c, shape, &bad) == 0)
		return flat_misfit(e, ds, in);
	at = e->model_layers && bad < e->model_layers->n ? e->model_layers->items[bad] : e->model_layers;
	int flat = e->model.layers && !e->model_input && c->height == 1 && c->width == 1 && bad < c->n_layers &&
	           (c->layer[bad].type == LRS_LAYER_CONV || c->layer[bad].type == LRS_LAYER_MAXPOOL ||
	            c->layer[bad].type == LRS_LAYER_AVGPOOL);
	return lrs_error_set(LRS_EINVALID, "%s:%d:%d: %s (the input is %s)%s", e->path, at ? at->line : 1,
	                     at ? at->column : 1, lrs_error_last(), in,
	                     flat ? "; the data is flat: give model.input as [channels, height, width]" : "");
}

/* ------------------------------------------------------------ text */

void lrs_model_layer_text(char *buf, size_t size, const lrs_layer *L)
{
	const char *name = lrs_layer_name(L->type);
	int n = 0;

	switch (L->type) {
	case LRS_LAYER_LINEAR:
		n = L->size ? snprintf(buf, size, "linear%zu", L->size) : snprintf(buf, size, "linear");
		break;
	case LRS_LAYER_CONV:
		n = snprintf(buf, size, "conv%zuk%zu", L->size, L->kernel);
		if (L->stride != 1 && n >= 0 && (size_t)n < size)
			n += snprintf(buf + n, size - (size_t)n, "s%zu", L->stride);
		if (L->padding && n >= 0 && (size_t)n < size)
			snprintf(buf + n, size - (size_t)n, "p%zu", L->padding);
		break;
	case LRS_LAYER_MAXPOOL:
	case LRS_LAYER_AVGPOOL:
		n = snprintf(buf, size, "%s%zu", name, L->size);
		if (L->stride != L->size && n >= 0 && (size_t)n < size)
			n += snprintf(buf + n, size - (size_t)n, "s%zu", L->stride);
		if (L->padding && n >= 0 && (size_t)n < size)
			n += snprintf(buf + n, size - (size_t)n, "p%zu", L->padding);
		if (L->ceil && n >= 0 && (size_t)n < size)
			snprintf(buf + n, size - (size_t)n, "ceil");
		break;
	case LRS_LAYER_DROPOUT:
		snprintf(buf, size, "dropout%g", L->p);
		break;
	case LRS_LAYER_BATCHNORM:
		if (L->momentum != 0.1 || L->eps != 1e-5)
			snprintf(buf, size, "batchnorm(momentum=%g,eps=%g)", L->momentum, L->eps);
		else
			snprintf(buf, size, "batchnorm");
		break;
	default:
		snprintf(buf, size, "%s", name);
		break;
	}
}

void lrs_model_stack_text(lrs_buf *b, const lrs_net_config *cfg)
{
	char one[96];

	for (size_t l = 0; l < cfg->n_layers; l++) {
		lrs_model_layer_text(one, sizeof one, &cfg->layer[l]);
		lrs_buf_printf(b, "%s%s", l ? " " : "", one);
	}
}
