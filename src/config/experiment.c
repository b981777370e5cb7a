/* experiment.c - the experiment file of SPEC §11: YAML to lrs_experiment.
 *
 * Every key is checked: unknown keys (with the nearest valid one
 * suggested), wrong types and impossible values are collected as
 * "file:line:column: message" lines, and the load fails with all of them.
 * Relative paths inside the file are taken relative to the current
 * directory, like every path on the command line. The range_test and
 * trials sections are left to the stages that run them. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/config.h"
#include "lrsweep/error.h"
#include "lrsweep/experiment.h"
#include "lrsweep/number.h"
#include "lrsweep/schedule.h"
#include "lrsweep/util.h"
#include "internal.h"

#define MAX_FILE_BYTES (16 << 20)   /* an experiment file is text, not data */

/* Adds one problem as one line: a newline or other control character in
 * what the file says (a value quoted back) is written escaped, "\n". */
static void problem_at(checker *ck, int line, int column, const char *fmt, va_list ap)
{
	char msg[512];
	lrs_buf shown = { 0 };

	vsnprintf(msg, sizeof msg, fmt, ap);
	lrs_buf_printable(&shown, msg, 0);
	lrs_buf_printf(&ck->errors, "%s%s:%d:%d: %s", ck->count ? "\n" : "", ck->path,
	               line ? line : 1, column ? column : 1, shown.data ? shown.data : "");
	lrs_buf_free(&shown);
	ck->count++;
}

/* A problem with a value, reported at the value. */
void cfg_problem(checker *ck, const lrs_node *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problem_at(ck, at ? at->line : 1, at ? at->column : 1, fmt, ap);
	va_end(ap);
}

/* A problem with a key (unknown, misplaced), reported at the key. */
void cfg_key_problem(checker *ck, const lrs_node *value, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problem_at(ck, value->key_line ? value->key_line : value->line,
	           value->key_line ? value->key_column : value->column, fmt, ap);
	va_end(ap);
}

static void sort_problems(checker *ck);

const char *cfg_kind_name(const lrs_node *n)
{
	return n->kind == LRS_NODE_MAP ? "a mapping" : n->kind == LRS_NODE_LIST ? "a list" : "a single value";
}

/* Every key of `map` must be in `allowed`. */
void cfg_check_keys(checker *ck, const lrs_node *map, const char *section,
                    const char *const *allowed, size_t n)
{
	for (size_t k = 0; k < map->n; k++) {
		int ok = 0;
		for (size_t i = 0; i < n && !ok; i++)
			ok = strcmp(map->keys[k], allowed[i]) == 0;
		if (ok)
			continue;
		const char *near = lrs_nearest_name(map->keys[k], allowed, n);
		if (near)
			cfg_key_problem(ck, map->items[k], "unknown key '%s'%s%s (did you mean '%s'?)", map->keys[k],
			                section ? " in " : "", section ? section : "", near);
		else
			cfg_key_problem(ck, map->items[k], "unknown key '%s'%s%s", map->keys[k],
			                section ? " in " : "", section ? section : "");
	}
}

int cfg_is_scalar(checker *ck, const lrs_node *n, const char *key)
{
	if (n->kind == LRS_NODE_SCALAR)
		return 1;
	cfg_problem(ck, n, "'%s' must be a single value, got %s", key, cfg_kind_name(n));
	return 0;
}

int cfg_is_map(checker *ck, const lrs_node *n, const char *key)
{
	if (n->kind == LRS_NODE_MAP)
		return 1;
	cfg_problem(ck, n, "'%s' must be a mapping, got %s", key, cfg_kind_name(n));
	return 0;
}

/* The scalar at `key` of map read as a number into *v: 1; 0 when absent;
 * -1 when it is not a scalar (reported); -2 when it is not a number (the
 * caller reports what it wanted). *node: the node, or NULL. */
static int number_at(checker *ck, const lrs_node *map, const char *key, const lrs_node **node, double *v)
{
	const lrs_node *n = lrs_node_get(map, key);

	*node = n;
	if (!n)
		return 0;
	if (!cfg_is_scalar(ck, n, key))
		return -1;
	return lrs_parse_double(n->text, v) < 0 ? -2 : 1;
}

/* A number in [lo, hi] (open ends when lo_open / hi_open). */
int cfg_get_number(checker *ck, const lrs_node *map, const char *key, double lo, int lo_open,
                   double hi, int hi_open, double *out)
{
	const lrs_node *n;
	double v;
	int rc = number_at(ck, map, key, &n, &v);

	if (rc == -2)
		cfg_problem(ck, n, "'%s' must be a number, got '%s'", key, n->text);
	if (rc != 1)
		return rc < 0 ? -1 : 0;
	if (v < lo || (lo_open && v == lo) || v > hi || (hi_open && v == hi)) {
		if (isinf(hi))
			cfg_problem(ck, n, "'%s' must be %s %g, got '%s'", key, lo_open ? ">" : ">=", lo, n->text);
		else
			cfg_problem(ck, n, "'%s' must be in %c%g, %g%c, got '%s'", key, lo_open ? '(' : '[', lo, hi,
			            hi_open ? ')' : ']', n->text);
		return -1;
	}
	*out = v;
	return 1;
}

/* A whole number in [lo, hi]. */
int cfg_get_integer(checker *ck, const lrs_node *map, const char *key, double lo, double hi, long *out)
{
	const lrs_node *n;
	double v = 0;
	int rc = number_at(ck, map, key, &n, &v);

	if (rc == -2 || (rc == 1 && (v != floor(v) || v < lo || v > hi))) {
		cfg_problem(ck, n, "'%s' must be a whole number in [%.0f, %.0f], got '%s'", key, lo, hi, n->text);
		return -1;
	}
	if (rc == 1)
		*out = (long)v;
	return rc;
}

int cfg_get_bool(checker *ck, const lrs_node *map, const char *key, int *out)
{
	const lrs_node *n = lrs_node_get(map, key);

	if (!n)
		return 0;
	if (!cfg_is_scalar(ck, n, key))
		return -1;
	if (lrs_parse_bool(n->text, out) < 0) {
		cfg_problem(ck, n, "'%s' must be true or false, got '%s'", key, n->text);
		return -1;
	}
	return 1;
}

/* One of the words of `choices` ("a|b|c"): its index. */
int cfg_get_choice(checker *ck, const lrs_node *map, const char *key, const char *choices, int *out)
{
	const lrs_node *n = lrs_node_get(map, key);
	const char *c = choices;

	if (!n)
		return 0;
	if (!cfg_is_scalar(ck, n, key))
		return -1;
	for (int i = 0; *c; i++) {
		size_t len = strcspn(c, "|");
		if (strlen(n->text) == len && strncmp(n->text, c, len) == 0) {
			*out = i;
			return 1;
		}
		c += len + (c[len] == '|');
	}
	cfg_problem(ck, n, "'%s' must be one of %s, got '%s'", key, choices, n->text);
	return -1;
}

static const char *get_text(checker *ck, const lrs_node *map, const char *key)
{
	const lrs_node *n = lrs_node_get(map, key);

	if (!n || !cfg_is_scalar(ck, n, key))
		return NULL;
	if (n->text[0] == '\0') {
		cfg_problem(ck, n, "'%s' must not be empty", key);
		return NULL;
	}
	return n->text;
}

/* ------------------------------------------------------------------ data */

/* A csv source's `delimiter`: one of , ; | or a tab (written "\t", the
 * word tab, or '\t' as YAML's single quotes keep it), whitespace (also
 * written \s+ as pandas' sep=r"\s+", or " " as np.savetxt's default
 * delimiter: runs of blanks are one separator either way), or auto (0:
 * detected from the file). */
static void get_delimiter(checker *ck, const lrs_node *map, char *out)
{
	const lrs_node *n = lrs_node_get(map, "delimiter");
	const char *t;

	if (!n || !cfg_is_scalar(ck, n, "delimiter"))
		return;
	t = n->text;
	if (!strcmp(t, "auto"))
		*out = 0;
	else if (!strcmp(t, "tab") || !strcmp(t, "\t") || !strcmp(t, "\\t"))
		*out = '\t';
	else if (!strcmp(t, "whitespace") || !strcmp(t, "\\s+") || !strcmp(t, " "))
		*out = LRS_DELIM_WHITESPACE;
	else if (strlen(t) == 1 && strchr(",;|", t[0]))
		*out = t[0];
	else
		cfg_problem(ck, n, "'delimiter' must be \",\", \";\", \"|\", tab (or \"\\t\"), whitespace or auto, got '%s'", t);
}

/* A csv source's `drop`: one column or a list of them, each a header
 * name or a 0-based index, as pandas' df.drop(columns=...) takes them;
 * their positions kept for the loader's error about a column that does
 * not exist. The array is the experiment's (freed with it). */
static void get_drop(checker *ck, const lrs_node *map, lrs_data_source *src)
{
	const lrs_node *n = lrs_node_get(map, "drop");
	const lrs_node *const *items = n && n->kind == LRS_NODE_LIST ? (const lrs_node *const *)n->items : &n;
	size_t count = n && n->kind == LRS_NODE_LIST ? n->n : 1;
	lrs_data_drop *drop;

	if (!n)
		return;
	if (n->kind == LRS_NODE_MAP || count == 0) {
		cfg_problem(ck, n, "'drop' must be a column or a list of columns (header names or 0-based indices), "
		            "e.g. [id, name]");
		return;
	}
	if (!(drop = calloc(count, sizeof *drop))) {
		cfg_problem(ck, n, "out of memory");
		return;
	}
	src->drop = drop;
	src->n_drop = count;
	for (size_t k = 0; k < count; k++) {
		const lrs_node *c = items[k];

		if (c->kind != LRS_NODE_SCALAR || c->text[0] == '\0') {
			cfg_problem(ck, c, "each column of 'drop' must be a header name or a 0-based index, got %s",
			            c->kind == LRS_NODE_SCALAR ? "an empty value" : cfg_kind_name(c));
			continue;
		}
		drop[k] = (lrs_data_drop){ c->text, c->line, c->column };
	}
}

/* A key of data.train/test that another format reads would be ignored
 * silently (`features: 16` on synthetic blobs): an error naming the formats
 * that read it. Bit f of a key's mask: lrs_data_format f reads it. */
static void check_format_keys(checker *ck, const lrs_node *n, int fmt)
{
	static const struct {
		const char *key;
		unsigned formats;
		const char *hint;
	} own[] = {
		{ "images", 1u << LRS_DATA_IDX, "" },
		{ "labels", 1u << LRS_DATA_IDX | 1u << LRS_DATA_NPY | 1u << LRS_DATA_NPZ, "" },
		{ "path", 1u << LRS_DATA_CSV | 1u << LRS_DATA_NPZ, "" },
		{ "label", 1u << LRS_DATA_CSV, "" },
		{ "header", 1u << LRS_DATA_CSV, "" },
		{ "delimiter", 1u << LRS_DATA_CSV, "" },
		{ "skip_rows", 1u << LRS_DATA_CSV, "" },
		{ "drop", 1u << LRS_DATA_CSV, "" },
		{ "features", 1u << LRS_DATA_NPY | 1u << LRS_DATA_NPZ,
		  " (a features file or key; synthetic blobs take their feature count as 'dims')" },
		{ "kind", 1u << LRS_DATA_SYNTHETIC, "" },
		{ "samples", 1u << LRS_DATA_SYNTHETIC, " (to use fewer samples of a file, give data.limit)" },
		{ "classes", 1u << LRS_DATA_SYNTHETIC, " (a file's classes are its labels)" },
		{ "dims", 1u << LRS_DATA_SYNTHETIC, "" },
		{ "noise", 1u << LRS_DATA_SYNTHETIC, "" },
	};
	static const char *const names[] = { "idx", "csv", "npy", "synthetic", "npz" };   /* by lrs_data_format */

	for (size_t k = 0; k < sizeof own / sizeof own[0]; k++) {
		const lrs_node *at = lrs_node_get(n, own[k].key);
		char which[64] = "";

		if (!at || own[k].formats & 1u << fmt)
			continue;
		for (int f = 0; f < 5; f++)
			if (own[k].formats & 1u << f)
				snprintf(which + strlen(which), sizeof which - strlen(which), "%s%s", *which ? " and " : "", names[f]);
		cfg_key_problem(ck, at, "'%s' applies to format %s only, not %s%s", own[k].key, which, names[fmt], own[k].hint);
	}
}

static void read_source(checker *ck, const lrs_node *n, const char *which, lrs_data_source *src)
{
	static const char *const keys[] = {
		"format", "images", "labels", "path", "label", "header", "delimiter", "skip_rows", "drop", "features",
		"kind", "samples", "classes", "dims", "noise",
	};
	char section[32];
	int fmt = -1, header;
	long v;
	double noise;

	snprintf(section, sizeof section, "data.%s", which);
	if (!cfg_is_map(ck, n, section))
		return;
	cfg_check_keys(ck, n, section, keys, sizeof keys / sizeof keys[0]);
	if (!lrs_node_get(n, "format")) {
		cfg_problem(ck, n, "%s needs a 'format' (idx, csv, npy, npz or synthetic)", section);
		return;
	}
	if (cfg_get_choice(ck, n, "format", "idx|csv|npy|synthetic|npz", &fmt) <= 0)
		return;
	src->format = (lrs_data_format)fmt;
	src->header = -1;
	src->noise = NAN;
	src->label = NULL;   /* the last column, unless set: a hint of csv.c tells the two apart */
	/* which keys each format needs */
	static const char *const need[][3] = {
		{ "images", "labels", NULL }, { "path", NULL, NULL }, { "features", "labels", NULL }, { "kind", NULL, NULL },
		{ "path", NULL, NULL },
	};
	for (int i = 0; i < 3 && need[fmt][i]; i++)
		if (!lrs_node_get(n, need[fmt][i]))
			cfg_problem(ck, n, "%s with format %s needs '%s'", section, lrs_node_get(n, "format")->text, need[fmt][i]);
	src->images = get_text(ck, n, "images");
	src->labels = get_text(ck, n, "labels");
	src->path = get_text(ck, n, "path");
	src->features = get_text(ck, n, "features");
	if (fmt == LRS_DATA_NPZ) {   /* np.savez(f, x_train=..., y_train=..., x_test=..., y_test=...), as Keras' mnist.npz */
		int test = strcmp(which, "test") == 0;
		src->features = src->features ? src->features : test ? "x_test" : "x_train";
		src->labels = src->labels ? src->labels : test ? "y_test" : "y_train";
	}
	for (int k = 0; k < 4; k++) {   /* for messages about the files */
		const lrs_node *f = lrs_node_get(n, (const char *const[]){ "images", "labels", "path", "features" }[k]);
		src->file_line[k] = f ? f->line : 0;
		src->file_column[k] = f ? f->column : 0;
	}
	if (lrs_node_get(n, "label"))
		src->label = get_text(ck, n, "label");
	if (cfg_get_bool(ck, n, "header", &header) > 0)
		src->header = header;
	check_format_keys(ck, n, fmt);
	get_delimiter(ck, n, &src->delimiter);
	if (cfg_get_integer(ck, n, "skip_rows", 0, 1e9, &v) > 0)
		src->skip_rows = (size_t)v;
	if (fmt == LRS_DATA_CSV)
		get_drop(ck, n, src);
	int kind = -1;
	if (lrs_node_get(n, "kind") && cfg_get_choice(ck, n, "kind", "spirals|blobs|xor", &kind) > 0)
		src->kind = lrs_node_get(n, "kind")->text;
	src->samples = 1000;
	if (cfg_get_integer(ck, n, "samples", 1, 1e9, &v) > 0)
		src->samples = (size_t)v;
	if (cfg_get_integer(ck, n, "classes", 2, 1000, &v) > 0)
		src->classes = (int)v;
	if (cfg_get_integer(ck, n, "dims", 1, 1e6, &v) > 0) {
		src->dims = (size_t)v;
		if (kind >= 0 && kind != 1 && v != 2)
			cfg_problem(ck, lrs_node_get(n, "dims"), "'dims' must be 2 for %s (only blobs take other sizes)", src->kind);
	}
	if (kind == 2 && lrs_node_get(n, "classes") && src->classes != 2)
		cfg_problem(ck, lrs_node_get(n, "classes"), "'classes' must be 2 for xor");
	if (cfg_get_number(ck, n, "noise", 0, 0, HUGE_VAL, 0, &noise) > 0)
		src->noise = noise;
}

static void read_data(checker *ck, const lrs_node *n, lrs_data_config *d, uint64_t seed)
{
	static const char *const keys[] = { "source", "train", "test", "validation", "stratify", "normalize", "limit" };
	const lrs_node *src = lrs_node_get(n, "source");
	int norm;
	long limit;

	d->validation = 0.1;
	d->normalize = LRS_NORM_AUTO;   /* chosen by source: lrs_dataset_load */
	d->seed = seed;
	if (!cfg_is_map(ck, n, "data"))
		return;
	cfg_check_keys(ck, n, "data", keys, sizeof keys / sizeof keys[0]);
	if (src) {
		if (cfg_is_scalar(ck, src, "source")) {
			if (strcmp(src->text, "fashion-mnist") != 0)
				cfg_problem(ck, src, "'source' must be fashion-mnist, got '%s' (or give train: and test:)", src->text);
			else if (lrs_node_get(n, "train") || lrs_node_get(n, "test"))
				cfg_problem(ck, src, "give either 'source' or 'train'/'test', not both");
			else if (lrs_data_fashion_mnist(&d->train, &d->test) < 0)
				cfg_problem(ck, src, "%s", lrs_error_last());
			else
				d->has_test = 1;
		}
	} else if (!lrs_node_get(n, "train")) {
		cfg_problem(ck, n, "data needs 'source: fashion-mnist' or a 'train' mapping");
	}
	if (lrs_node_get(n, "train"))
		read_source(ck, lrs_node_get(n, "train"), "train", &d->train);
	if (lrs_node_get(n, "test")) {
		read_source(ck, lrs_node_get(n, "test"), "test", &d->test);
		d->has_test = 1;
	}
	cfg_get_number(ck, n, "validation", 0, 0, 1, 1, &d->validation);
	cfg_get_bool(ck, n, "stratify", &d->stratify);
	if (cfg_get_choice(ck, n, "normalize", "scale|standardize|none", &norm) > 0)
		d->normalize = (lrs_normalize)norm;
	if (cfg_get_integer(ck, n, "limit", 0, 1e12, &limit) > 0)
		d->limit = (size_t)limit;
}

/* ------------------------------------------------------------- optimizer */

static void read_optimizer(checker *ck, const lrs_node *n, lrs_optim_config *o)
{
	static const char *const keys[] = { "type", "momentum", "nesterov", "weight_decay", "betas", "eps" };
	int type = LRS_OPTIM_SGD;

	lrs_optim_defaults(o, LRS_OPTIM_SGD);
	if (!n || !cfg_is_map(ck, n, "optimizer"))
		return;
	cfg_check_keys(ck, n, "optimizer", keys, sizeof keys / sizeof keys[0]);
	if (cfg_get_choice(ck, n, "type", "sgd|adam|adamw", &type) > 0)
		lrs_optim_defaults(o, (lrs_optim_type)type);
	if (type == LRS_OPTIM_SGD) {
		for (const char *const *k = (const char *const[]){ "betas", "eps", NULL }; *k; k++)
			if (lrs_node_get(n, *k))
				cfg_key_problem(ck, lrs_node_get(n, *k), "'%s' is for adam and adamw, not sgd", *k);
		int bad_momentum = cfg_get_number(ck, n, "momentum", 0, 0, 1, 0, &o->momentum) < 0;
		cfg_get_bool(ck, n, "nesterov", &o->nesterov);
		if (o->nesterov && o->momentum <= 0 && !bad_momentum)   /* one problem, one line */
			cfg_problem(ck, lrs_node_get(n, "nesterov"), "nesterov needs momentum > 0");
	} else {
		const lrs_node *betas = lrs_node_get(n, "betas");
		for (const char *const *k = (const char *const[]){ "momentum", "nesterov", NULL }; *k; k++)
			if (lrs_node_get(n, *k))
				cfg_key_problem(ck, lrs_node_get(n, *k), "'%s' is for sgd; adam and adamw take betas", *k);
		if (betas) {
			double b[2];
			if (betas->kind != LRS_NODE_LIST || betas->n != 2) {
				cfg_problem(ck, betas, "'betas' must be a list of two numbers, e.g. [0.9, 0.999]");
			} else {
				for (int i = 0; i < 2; i++) {
					const lrs_node *bn = betas->items[i];
					if (bn->kind != LRS_NODE_SCALAR || lrs_parse_double(bn->text, &b[i]) < 0 ||
					    b[i] < 0 || b[i] >= 1)
						cfg_problem(ck, bn, "betas must be numbers in [0, 1), got %s",
						        bn->kind == LRS_NODE_SCALAR ? bn->text : cfg_kind_name(bn));
				}
				o->beta1 = b[0];
				o->beta2 = b[1];
			}
		}
		cfg_get_number(ck, n, "eps", 0, 1, HUGE_VAL, 0, &o->eps);
	}
	cfg_get_number(ck, n, "weight_decay", 0, 0, HUGE_VAL, 0, &o->weight_decay);
}

/* ------------------------------------------------------------ range test */

static const char *const space_keys[] = {
	"batch_size", "model.hidden", "model.activation", "model.init", "optimizer.type",
	"optimizer.momentum", "optimizer.nesterov", "optimizer.weight_decay", "optimizer.betas",
	"optimizer.eps",
};
#define N_SPACE_KEYS (sizeof space_keys / sizeof space_keys[0])

const char *lrs_space_key_name(int i)
{
	return i >= 0 && i < (int)N_SPACE_KEYS ? space_keys[i] : "?";
}

/* range_test.per: a list of space keys, or model / optimizer for all of
 * theirs; [] for one range test whatever varies. */
static void read_per(checker *ck, const lrs_node *n, lrs_range_settings *r)
{
	const lrs_node *per = lrs_node_get(n, "per");

	if (!per)
		return;
	r->per_given = 1;
	r->per_node = per;
	r->per = 0;
	if (per->kind != LRS_NODE_LIST) {
		cfg_problem(ck, per, "'per' must be a list of keys (e.g. [optimizer.type, batch_size]; [] for one test), "
		            "not %s", cfg_kind_name(per));
		return;
	}
	for (size_t i = 0; i < per->n; i++) {
		const lrs_node *k = per->items[i];
		unsigned bits = 0;

		if (k->kind == LRS_NODE_SCALAR && !strcmp(k->text, "model"))
			bits = LRS_GROUP_MODEL;
		else if (k->kind == LRS_NODE_SCALAR && !strcmp(k->text, "optimizer"))
			bits = (1u << N_SPACE_KEYS) - LRS_GROUP_OPTIM_TYPE;
		for (size_t j = 0; k->kind == LRS_NODE_SCALAR && j < N_SPACE_KEYS; j++)
			if (!strcmp(k->text, space_keys[j]))
				bits = 1u << j;
		if (!bits)
			cfg_problem(ck, k, "'per' lists '%s': the keys are model, optimizer, batch_size, model.hidden, "
			            "model.activation, model.init, optimizer.type, optimizer.momentum, optimizer.nesterov, "
			            "optimizer.weight_decay, optimizer.betas, optimizer.eps",
			            k->kind == LRS_NODE_SCALAR ? k->text : cfg_kind_name(k));
		r->per |= bits;
	}
}


static void read_range_test(checker *ck, const lrs_node *n, lrs_range_settings *r)
{
	static const char *const keys[] = {
		"mode", "start_lr", "end_lr", "epochs", "iterations", "eval_every", "eval_samples",
		"repeats", "smoothing", "stop_factor", "pick", "bounds", "per",
	};
	const lrs_node *bounds;
	int mode = 0, pick;
	long v;

	r->ramp = (lrs_range_config){ .mode = LRS_RAMP_LINEAR, .start_lr = 1e-4, .end_lr = 1.0, .eval_every = 25,
	                              .eval_samples = 2000, .smoothing = 0.98, .stop_factor = 4.0 };
	r->epochs = 4;
	r->repeats = 1;
	r->pick = "combined";
	r->auto_range = 1;
	r->per = LRS_GROUP_DEFAULT;
	if (!n || !cfg_is_map(ck, n, "range_test"))
		return;
	read_per(ck, n, r);
	cfg_check_keys(ck, n, "range_test", keys, sizeof keys / sizeof keys[0]);
	if (cfg_get_choice(ck, n, "mode", "linear|exponential", &mode) > 0)
		r->ramp.mode = (lrs_ramp)mode;
	cfg_get_number(ck, n, "start_lr", 0, 1, HUGE_VAL, 0, &r->ramp.start_lr);
	cfg_get_number(ck, n, "end_lr", 0, 1, HUGE_VAL, 0, &r->ramp.end_lr);
	r->auto_range = r->ramp.mode == LRS_RAMP_LINEAR && !lrs_node_get(n, "start_lr") && !lrs_node_get(n, "end_lr");
	if (lrs_node_get(n, "start_lr") && lrs_node_get(n, "end_lr") && r->ramp.start_lr >= r->ramp.end_lr)
		cfg_problem(ck, lrs_node_get(n, "end_lr"), "'end_lr' (%g) must be above 'start_lr' (%g)",
		            r->ramp.end_lr, r->ramp.start_lr);
	if (lrs_node_get(n, "epochs") && lrs_node_get(n, "iterations"))
		cfg_key_problem(ck, lrs_node_get(n, "iterations"), "give either 'epochs' or 'iterations', not both");
	cfg_get_number(ck, n, "epochs", 0, 1, 1e6, 0, &r->epochs);
	if (cfg_get_integer(ck, n, "iterations", 2, 1e9, &v) > 0)
		r->ramp.iterations = v;
	cfg_get_integer(ck, n, "eval_every", 1, 1e9, &r->ramp.eval_every);
	if (cfg_get_integer(ck, n, "eval_samples", 0, 1e12, &v) > 0)
		r->ramp.eval_samples = (size_t)v;
	cfg_get_integer(ck, n, "repeats", 1, 1000, &r->repeats);
	cfg_get_number(ck, n, "smoothing", 0, 0, 1, 1, &r->ramp.smoothing);
	cfg_get_number(ck, n, "stop_factor", 1, 1, HUGE_VAL, 0, &r->ramp.stop_factor);
	if (cfg_get_choice(ck, n, "pick", "combined|accuracy|loss-steepest|loss-valley|loss-min10", &pick) > 0)
		r->pick = lrs_node_get(n, "pick")->text;
	if ((bounds = lrs_node_get(n, "bounds")) && cfg_is_map(ck, bounds, "bounds")) {
		static const char *const bkeys[] = { "min_lr", "max_lr" };
		cfg_check_keys(ck, bounds, "range_test.bounds", bkeys, 2);
		if (!lrs_node_get(bounds, "min_lr") || !lrs_node_get(bounds, "max_lr")) {
			cfg_problem(ck, bounds, "'bounds' needs both min_lr and max_lr");
		} else if (cfg_get_number(ck, bounds, "min_lr", 0, 0, HUGE_VAL, 0, &r->min_lr) > 0 &&
		           cfg_get_number(ck, bounds, "max_lr", 0, 1, HUGE_VAL, 0, &r->max_lr) > 0) {
			if (r->min_lr >= r->max_lr)
				cfg_problem(ck, lrs_node_get(bounds, "max_lr"), "'max_lr' (%g) must be above 'min_lr' (%g)",
				            r->max_lr, r->min_lr);
			else
				r->has_bounds = 1;
		}
	}
}

size_t lrs_experiment_range_keys(const lrs_experiment *e, char *buf, size_t size, const lrs_node **first)
{
	const lrs_node *n = e->range_test;
	size_t count = 0, used = 0;

	if (size)
		buf[0] = '\0';
	if (first)
		*first = NULL;
	for (size_t i = 0; n && n->kind == LRS_NODE_MAP && i < n->n; i++) {
		if (!strcmp(n->keys[i], "bounds"))
			continue;
		if (first && !*first)
			*first = n->items[i];
		if (used < size) {
			int w = snprintf(buf + used, size - used, "%s%s", count ? ", " : "", n->keys[i]);
			used += w > 0 ? (size_t)w : 0;
		}
		count++;
	}
	return count;
}

/* ------------------------------------------------------------------ file */

/* ---------------------------------------------------------------- trials */


int lrs_experiment_space_key(const char *key)
{
	for (size_t i = 0; i < N_SPACE_KEYS; i++)
		if (!strcmp(key, space_keys[i]))
			return 1;
	return 0;
}

/* Reports grid value v, a repeat of `first`, at v's line:column; each
 * shown as written ('0.1', '1e-1'), a list as JSON. */
static void grid_repeat(checker *ck, const lrs_node *first, const lrs_node *v, const char *name)
{
	lrs_buf a = { 0 }, b = { 0 };

	if (v->kind == LRS_NODE_SCALAR) {
		lrs_buf_printf(&a, "'%s'", first->text);
		lrs_buf_printf(&b, "'%s'", v->text);
	} else {
		lrs_node_json(&a, first);
		lrs_node_json(&b, v);
	}
	if (a.data && b.data && strcmp(a.data, b.data))
		cfg_problem(ck, v, "'%s': the grid lists %s twice (%s at %d:%d, %s here): each of its trials would run "
		            "twice", name, a.data, a.data, first->line, first->column, b.data);
	else
		cfg_problem(ck, v, "'%s': the grid lists %s twice (first at %d:%d): each of its trials would run twice",
		            name, b.data ? b.data : "a value", first->line, first->column);
	lrs_buf_free(&a);
	lrs_buf_free(&b);
}

/* A key that two values of a grid of lrsweep's own keys share when they
 * are one: numbers by the JSON a trial holds them as (0.1, 0.10 and 1e-1
 * alike, 0x10 and 16 alike, but not 2^53 and 2^53 + 1, one double apart),
 * quoted or not (the keys read '16' as 16), other scalars by text, lists
 * item by item (each item's key length-prefixed), a mapping (or a list
 * holding one) by its place: no two alike. Values that resolve alike only
 * later ("@max" and the bound's number, "2 epochs" and the steps) are the
 * plan's to find. NULL out of memory. */
static char *value_key(const lrs_node *v, size_t place)
{
	lrs_buf b = { 0 };

	if (v->kind == LRS_NODE_SCALAR) {
		lrs_buf x = { 0 };
		lrs_number_read(v->text, strlen(v->text), NULL, &x);   /* JSON for numbers only */
		lrs_buf_printf(&b, x.data ? "n%s" : "s%s", x.data ? x.data : v->text);
		lrs_buf_free(&x);
	} else if (v->kind == LRS_NODE_LIST) {
		lrs_buf_printf(&b, "l%zu", v->n);
		for (size_t i = 0; i < v->n; i++) {
			char *k = value_key(v->items[i], place);
			if (!k || !v->items[i] || v->items[i]->kind == LRS_NODE_MAP) {   /* a list holding a mapping: unique */
				free(k);
				lrs_buf_free(&b);
				lrs_buf_printf(&b, "m%zu", place);
				break;
			}
			lrs_buf_printf(&b, ":%zu:%s", strlen(k), k);
			free(k);
		}
	} else {
		lrs_buf_printf(&b, "m%zu", place);
	}
	return lrs_buf_take(&b);
}

/* An item of a list by its key, for finding repeats. */
typedef struct {
	const char *key;
	size_t i;
} keyed_item;

static int by_key_then_place(const void *pa, const void *pb)
{
	const keyed_item *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);

	return c ? c : (a->i > b->i) - (a->i < b->i);
}

/* first[i]: the first item of keys[0..n) with the key of item i, when that
 * is an earlier one; SIZE_MAX otherwise (or when a key is NULL). Sorts,
 * O(n log n): comparing each with every earlier one took minutes for a
 * list of 100,000. 0, or -1 out of memory. */
static int find_repeats(size_t *first, char *const *keys, size_t n)
{
	keyed_item *k = malloc((n + 1) * sizeof *k);
	size_t m = 0;

	if (!k)
		return -1;
	for (size_t i = 0; i < n; i++) {
		first[i] = SIZE_MAX;
		if (keys[i])
			k[m++] = (keyed_item){ keys[i], i };
	}
	qsort(k, m, sizeof *k, by_key_then_place);
	for (size_t a = 1, run = 0; a < m; a++) {
		if (strcmp(k[a].key, k[run].key))
			run = a;
		else
			first[k[a].i] = k[run].i;
	}
	free(k);
	return 0;
}

/* A grid's value listed again: it would make each of its trials twice.
 * `params`: a trainer's params grid, whose values are what its program
 * gets, compared as JSON ('16' quoted, a string, and 16, a number, are
 * two; 0x10 and 16, yes and true, are one); else by value_key. */
static void check_grid_repeats(checker *ck, const lrs_node *list, const char *name, int params)
{
	char **keys = calloc(list->n + 1, sizeof *keys);
	size_t *first = calloc(list->n + 1, sizeof *first);

	for (size_t i = 0; keys && i < list->n; i++) {
		if (params) {
			lrs_buf b = { 0 };
			lrs_node_json(&b, list->items[i]);
			keys[i] = lrs_buf_take(&b);
		} else {
			keys[i] = value_key(list->items[i], i);
		}
	}
	if (!keys || !first || find_repeats(first, keys, list->n) < 0)
		cfg_problem(ck, list, "out of memory");
	for (size_t i = 0; keys && first && i < list->n; i++)
		if (first[i] != SIZE_MAX)
			grid_repeat(ck, list->items[first[i]], list->items[i], name);
	for (size_t i = 0; keys && i < list->n; i++)
		free(keys[i]);
	free(keys);
	free(first);
}

/* A value of a schedule parameter, of the space or of a trainer's params
 * (`params`): a literal, or a map {grid: [...]} | {choice: [...]} |
 * {uniform|log_uniform|int_uniform: [lo, hi]}. Distributions need
 * search.strategy random. */
static void check_search_value(checker *ck, const lrs_node *v, const char *name, int random, int params)
{
	static const char *const kinds[] = { "grid", "choice", "uniform", "log_uniform", "int_uniform" };
	const lrs_node *list;
	double lo, hi;
	size_t k;

	if (v->kind != LRS_NODE_MAP)
		return;
	if (v->n != 1) {
		cfg_problem(ck, v, "'%s': a search value is one of {grid: [...]}, {choice: [...]}, {uniform: [lo, hi]}, "
		            "{log_uniform: [lo, hi]}, {int_uniform: [lo, hi]}", name);
		return;
	}
	for (k = 0; k < 5 && strcmp(v->keys[0], kinds[k]); k++)
		;
	if (k == 5) {
		cfg_check_keys(ck, v, name, kinds, 5);
		return;
	}
	list = v->items[0];
	if (list->kind != LRS_NODE_LIST || list->n == 0) {
		cfg_problem(ck, list, "'%s': %s takes a non-empty list", name, kinds[k]);
		return;
	}
	if (k < 2) {
		for (size_t i = 0; i < list->n; i++)
			if (list->items[i]->kind == LRS_NODE_MAP)
				cfg_problem(ck, list->items[i], "'%s': %s values must be plain values, not mappings", name,
				            kinds[k]);
		if (k == 0)
			check_grid_repeats(ck, list, name, params);
		return;
	}
	ck->distributions++;
	if (!random && !ck->bad_strategy) {
		cfg_key_problem(ck, list, "'%s': %s is a distribution: under strategy grid add search.samples: N (N draws "
		            "at each grid point), or search: {strategy: random, samples: N} (or tpe), or use "
		            "{grid: [...]}", name, kinds[k]);
		return;
	}
	if (list->n != 2 || list->items[0]->kind != LRS_NODE_SCALAR || list->items[1]->kind != LRS_NODE_SCALAR ||
	    lrs_parse_double(list->items[0]->text, &lo) < 0 || lrs_parse_double(list->items[1]->text, &hi) < 0) {
		cfg_problem(ck, list, "'%s': %s takes [lo, hi], two numbers", name, kinds[k]);
		return;
	}
	if (!(lo < hi))
		cfg_problem(ck, list, "'%s': %s needs lo < hi, got [%g, %g]", name, kinds[k], lo, hi);
	else if (k == 3 && !(lo > 0))
		cfg_problem(ck, list, "'%s': log_uniform needs lo > 0, got %g", name, lo);
	else if (k == 4 && (lo != floor(lo) || hi != floor(hi)))
		cfg_problem(ck, list, "'%s': int_uniform needs whole numbers, got [%g, %g]", name, lo, hi);
}

static void read_schedules(checker *ck, const lrs_node *n, lrs_trials_settings *t)
{
	if (n->kind != LRS_NODE_LIST || n->n == 0) {
		cfg_problem(ck, n, "'schedules' must be a non-empty list of schedules, e.g. [{type: triangular}]");
		return;
	}
	t->schedules = n;
	for (size_t i = 0; i < n->n; i++) {
		const lrs_node *s = n->items[i], *type;
		lrs_sched_type st;

		if (s->kind != LRS_NODE_MAP) {
			cfg_problem(ck, s, "a schedule must be a mapping with a 'type', got %s", cfg_kind_name(s));
			continue;
		}
		type = lrs_node_get(s, "type");
		if (!type) {
			cfg_problem(ck, s, "a schedule needs a 'type' (see 'lrsweep schedule --help')");
			continue;
		}
		if (cfg_is_scalar(ck, type, "type") && lrs_sched_type_parse(&st, type->text) < 0)
			cfg_problem(ck, type, "%s", lrs_error_last());
		for (size_t k = 0; k < s->n; k++)
			if (strcmp(s->keys[k], "type"))
				check_search_value(ck, s->items[k], s->keys[k], t->random || t->tpe || t->grid_draws, 0);
	}
}

static void read_space(checker *ck, const lrs_node *n, lrs_trials_settings *t)
{
	if (!cfg_is_map(ck, n, "space"))
		return;
	t->space = n;
	cfg_check_keys(ck, n, "space", space_keys, N_SPACE_KEYS);
	for (size_t k = 0; k < n->n; k++)
		check_search_value(ck, n->items[k], n->keys[k], t->random || t->tpe || t->grid_draws, 0);
}

/* *out = seed s as decimal text (malloc'd); 0, or -1 out of memory. */
static int seed_text(char **out, uint64_t s)
{
	char text[24];

	snprintf(text, sizeof text, "%llu", (unsigned long long)s);
	*out = strdup(text);
	return *out ? 0 : -1;
}

static void read_seeds(checker *ck, const lrs_node *n, lrs_trials_settings *t, uint64_t seed)
{
	const lrs_node *seeds = lrs_node_get(n, "seeds");
	long repeats = 1;
	size_t count, *first = NULL;   /* a listed seed's first listing, if earlier */
	char **keys = NULL;            /* each listed seed's number, as text */

	if (seeds && lrs_node_get(n, "repeats"))
		cfg_key_problem(ck, lrs_node_get(n, "repeats"), "give either 'seeds' or 'repeats', not both");
	cfg_get_integer(ck, n, "repeats", 1, 100000, &repeats);
	if (seeds && (seeds->kind != LRS_NODE_LIST || seeds->n == 0)) {
		cfg_problem(ck, seeds, "'seeds' must be a non-empty list of whole numbers, e.g. [1, 2, 3]");
		seeds = NULL;
	}
	count = seeds ? seeds->n : (size_t)repeats;
	t->seeds = calloc(count, sizeof *t->seeds);
	if (!t->seeds) {
		cfg_problem(ck, n, "out of memory");
		return;
	}
	t->n_seeds = count;
	keys = seeds ? calloc(count + 1, sizeof *keys) : NULL;
	for (size_t i = 0; i < count; i++) {
		double v;

		t->seeds[i] = seed + i;
		if (!seeds)
			continue;
		const lrs_node *s = seeds->items[i];
		if (s->kind != LRS_NODE_SCALAR || lrs_parse_double(s->text, &v) < 0 || v != floor(v) || v < 0 ||
		    v > LRS_MAX_SEED) {
			cfg_problem(ck, s, "seeds must be whole numbers in [0, %.17g], got %s", LRS_MAX_SEED,
			            s->kind == LRS_NODE_SCALAR ? s->text : cfg_kind_name(s));
			continue;
		}
		t->seeds[i] = (uint64_t)v;
		if (keys && seed_text(&keys[i], t->seeds[i]) < 0)
			cfg_problem(ck, s, "out of memory");
	}
	if (seeds && (!keys || !(first = calloc(count + 1, sizeof *first)) || find_repeats(first, keys, count) < 0))
		cfg_problem(ck, seeds, "out of memory");
	for (size_t i = 0; first && i < count; i++)
		if (first[i] != SIZE_MAX)
			cfg_problem(ck, seeds->items[i], "seed %s is listed twice", seeds->items[i]->text);
	for (size_t i = 0; keys && i < count; i++)
		free(keys[i]);
	free(keys);
	free(first);
}

/* Complains about each key of search: that `strategy` (grid 0, random 1,
 * tpe 2) does not use. */
static void search_misfits(checker *ck, const lrs_node *search, int strategy)
{
	static const char *const tpe_only[] = { "startup", "batch", "candidates", "prior_weight", "constant_liar" };

	if (strategy == 0 && lrs_node_get(search, "shared"))
		cfg_key_problem(ck, lrs_node_get(search, "shared"), "'shared' is for strategy: random or tpe (a grid already "
		            "runs every schedule on every point)");
	for (size_t k = 0; strategy != 2 && k < sizeof tpe_only / sizeof tpe_only[0]; k++)
		if (lrs_node_get(search, tpe_only[k]))
			cfg_key_problem(ck, lrs_node_get(search, tpe_only[k]), "'%s' is for strategy: tpe", tpe_only[k]);
}

/* Strategy tpe's samples against its startup: a startup given above
 * samples is a problem; samples <= startup otherwise (the defaults, 10
 * and 10, or samples below the default startup) a note - every proposal
 * would be a random one. */
static void check_startup(checker *ck, const lrs_node *search, lrs_trials_settings *t)
{
	const lrs_node *samples = lrs_node_get(search, "samples"), *startup = lrs_node_get(search, "startup");
	const lrs_node *at = samples ? samples : startup ? startup : search;
	char note[512];

	if (t->samples > t->sampler.startup)
		return;
	if (startup && t->sampler.startup > t->samples) {
		cfg_problem(ck, startup, "'startup' (%ld) is more than 'samples' (%ld%s): every proposal would be drawn at "
		            "random; give samples above startup", t->sampler.startup, t->samples,
		            samples ? "" : ", the default");
		return;
	}
	snprintf(note, sizeof note, "%s:%d:%d: strategy tpe with samples %ld%s and startup %ld%s: every proposal is "
	         "drawn at random (the model proposes only after startup trials); give samples above startup for a "
	         "search that learns", ck->path, at->line, at->column, t->samples, samples ? "" : " (the default)",
	         t->sampler.startup, startup ? "" : " (the default)");
	free(t->note);
	t->note = strdup(note);
}

/* trials.search: the strategy and its settings (docs/search.md). */
static void read_search(checker *ck, const lrs_node *search, lrs_trials_settings *t)
{
	static const char *const keys[] = { "strategy", "samples", "shared", "startup", "batch",
	                                    "candidates", "prior_weight", "constant_liar" };
	int strategy = 0;

	cfg_check_keys(ck, search, "search", keys, sizeof keys / sizeof keys[0]);
	ck->bad_strategy = cfg_get_choice(ck, search, "strategy", "grid|random|tpe", &strategy) < 0;
	cfg_get_integer(ck, search, "samples", 1, 1e6, &t->samples);
	cfg_get_bool(ck, search, "shared", &t->shared);
	cfg_get_integer(ck, search, "startup", 0, 1e6, &t->sampler.startup);
	cfg_get_integer(ck, search, "batch", 1, 1e6, &t->batch);
	cfg_get_integer(ck, search, "candidates", 1, 1e6, &t->sampler.candidates);
	cfg_get_number(ck, search, "prior_weight", 0, 1, INFINITY, 0, &t->sampler.prior_weight);
	cfg_get_bool(ck, search, "constant_liar", &t->constant_liar);
	if (!ck->bad_strategy)
		search_misfits(ck, search, strategy);
	t->random = strategy == 1;
	t->tpe = strategy == 2;
	t->grid_draws = strategy == 0 && !ck->bad_strategy && lrs_node_get(search, "samples");
	if (t->tpe)
		check_startup(ck, search, t);
}

static void read_trials(checker *ck, const lrs_node *n, lrs_trials_settings *t, uint64_t seed)
{
	static const char *const keys[] = {
		"epochs", "seeds", "repeats", "threads", "schedules", "space", "search", "pruning",
	};

	static const char *const pruning_keys[] = { "type", "grace_epochs", "reduction_factor" };
	const lrs_node *search, *pruning;
	int prune = 0;

	t->epochs = 10;
	t->samples = 10;
	t->batch = 4;
	t->constant_liar = 1;
	lrs_tpe_defaults(&t->sampler);
	t->grace_epochs = 1;
	t->reduction_factor = 3;
	if (!n || !cfg_is_map(ck, n, "trials")) {
		read_seeds(ck, NULL, t, seed);
		return;
	}
	cfg_check_keys(ck, n, "trials", keys, sizeof keys / sizeof keys[0]);
	cfg_get_integer(ck, n, "epochs", 1, 1e6, &t->epochs);
	cfg_get_integer(ck, n, "threads", 0, LRS_MAX_THREADS, &t->threads);
	read_seeds(ck, n, t, seed);
	if ((search = lrs_node_get(n, "search")) != NULL && cfg_is_map(ck, search, "search"))
		read_search(ck, search, t);
	if ((pruning = lrs_node_get(n, "pruning")) != NULL && cfg_is_map(ck, pruning, "pruning")) {
		cfg_check_keys(ck, pruning, "pruning", pruning_keys, 3);
		cfg_get_choice(ck, pruning, "type", "none|median|asha", &prune);
		cfg_get_integer(ck, pruning, "grace_epochs", 1, 1e6, &t->grace_epochs);
		cfg_get_integer(ck, pruning, "reduction_factor", 2, 1e6, &t->reduction_factor);
		t->prune = (lrs_prune_type)prune;
	}
	if (lrs_node_get(n, "schedules"))
		read_schedules(ck, lrs_node_get(n, "schedules"), t);
	if (lrs_node_get(n, "space"))
		read_space(ck, lrs_node_get(n, "space"), t);
}

/* ---------------------------------------------------- a trial's hyperparameters */

/* A copy of section `name` of the experiment (an empty map when absent)
 * with `value` under `key`. */
static int section_with(lrs_node **out, const lrs_node *root, const char *name)
{
	const lrs_node *sec = lrs_node_get(root, name);

	if (sec && sec->kind == LRS_NODE_MAP)
		return lrs_node_clone(out, sec);
	return lrs_node_new_map(out, sec ? sec->line : 0, sec ? sec->column : 0);
}

int lrs_experiment_hyper(const lrs_experiment *e, const char *const *keys,
                         const lrs_node *const *values, size_t n, lrs_model_config *model,
                         lrs_optim_config *optim, long *batch_size)
{
	checker ck = { e->path, { 0 }, 0, 0, 0 };
	lrs_node *sec[2] = { NULL, NULL }, *top = NULL;   /* model, optimizer; batch_size holder */
	int err;

	if ((err = section_with(&sec[0], e->root, "model")) < 0 ||
	    (err = section_with(&sec[1], e->root, "optimizer")) < 0 ||
	    (err = lrs_node_new_map(&top, 0, 0)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		lrs_node *v, *into = !strncmp(keys[i], "model.", 6) ? sec[0] : !strncmp(keys[i], "optimizer.", 10) ? sec[1] : top;
		const char *key = into == top ? keys[i] : strchr(keys[i], '.') + 1;

		if (!lrs_experiment_space_key(keys[i])) {
			err = lrs_error_set(LRS_EINVALID, "%s: '%s' is not a key of trials.space", e->path, keys[i]);
			goto out;
		}
		if ((err = lrs_node_clone(&v, values[i])) < 0)
			goto out;
		if ((err = lrs_node_set(into, key, v)) < 0) {
			lrs_node_free(v);
			goto out;
		}
	}
	cfg_read_model(&ck, sec[0], model);
	/* the input and classes the experiment's model has (from the data) */
	if (!model->layers) {
		model->mlp.inputs = e->model.mlp.inputs;
		model->mlp.outputs = e->model.mlp.outputs;
		lrs_net_from_mlp(&model->net, &model->mlp);
	} else {
		model->net.channels = e->model.net.channels;
		model->net.height = e->model.net.height;
		model->net.width = e->model.net.width;
		model->net.outputs = e->model.net.outputs;
	}
	read_optimizer(&ck, sec[1], optim);
	*batch_size = e->batch_size;
	cfg_get_integer(&ck, top, "batch_size", 1, 1e7, batch_size);
	if (ck.count) {
		sort_problems(&ck);
		err = lrs_error_set(LRS_EINVALID, "%s", ck.errors.data ? ck.errors.data : "");
	}
out:
	lrs_buf_free(&ck.errors);
	lrs_node_free(sec[0]);
	lrs_node_free(sec[1]);
	lrs_node_free(top);
	return err;
}

/* Position of one "path:line:col: message" line, for sorting. */
typedef struct {
	char *text;     /* the line, in the checker's buffer */
	long line, col;
} located;

static int by_position(const void *a, const void *b)
{
	const located *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return (x->col > y->col) - (x->col < y->col);
}

/* Rewrites the problems in file order, so they read top to bottom. */
static void sort_problems(checker *ck)
{
	size_t n = (size_t)ck->count, plen = strlen(ck->path), i = 0;
	located *ls;
	lrs_buf out = { 0 };

	if (n < 2 || !ck->errors.data || !(ls = calloc(n, sizeof *ls)))
		return;
	for (char *p = ck->errors.data; p && i < n; i++) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		ls[i].text = p;
		sscanf(p + plen, ":%ld:%ld:", &ls[i].line, &ls[i].col);
		p = nl ? nl + 1 : NULL;
	}
	qsort(ls, i, sizeof *ls, by_position);
	for (size_t k = 0; k < i; k++)
		lrs_buf_printf(&out, "%s%s", k ? "\n" : "", ls[k].text);
	free(ls);
	if (!out.failed) {
		lrs_buf_free(&ck->errors);
		ck->errors = out;
	} else {
		lrs_buf_free(&out);
	}
}

static int read_file(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f)
		return lrs_error_set(LRS_EINVALID, "%s: cannot read the experiment file (%s)", path, strerror(errno));
	buf = malloc(MAX_FILE_BYTES + 1);
	if (!buf) {
		fclose(f);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	errno = 0;
	n = fread(buf, 1, MAX_FILE_BYTES + 1, f);
	if (ferror(f) || n > MAX_FILE_BYTES) {
		int too_big = n > MAX_FILE_BYTES, e = errno;   /* a directory: EISDIR */
		fclose(f);
		free(buf);
		if (too_big)
			return lrs_error_set(LRS_EINVALID, "%s: experiment file larger than 16 MiB", path);
		return lrs_error_set(LRS_EINVALID, "%s: cannot read the experiment file (%s)", path,
		                     e ? strerror(e) : "read error");
	}
	fclose(f);
	buf[n] = '\0';
	if (memchr(buf, '\0', n))
		return free(buf), lrs_error_set(LRS_EINVALID, "%s: not a text file (NUL byte)", path);
	*out = buf;
	*len = n;
	return 0;
}

/* ------------------------------------------------------------- trainer */

/* A duration: seconds, or a number (any form of number.h: 1e3, 1_800)
 * with s, min or h after it. */
static void get_seconds(checker *ck, const lrs_node *map, const char *key, double *out)
{
	static const struct { const char *name; double seconds; } units[] = { { "min", 60 }, { "h", 3600 }, { "s", 1 } };
	const lrs_node *n = lrs_node_get(map, key);
	char number[64];    /* the text before the unit */
	double unit = 1, v;
	size_t len;

	if (!n || !cfg_is_scalar(ck, n, key))
		return;
	len = strlen(n->text);
	for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) {
		size_t u = strlen(units[k].name);
		if (len > u && !strcmp(n->text + len - u, units[k].name)) {
			unit = units[k].seconds;
			len -= u;
			break;
		}
	}
	if (len >= sizeof number || (snprintf(number, sizeof number, "%.*s", (int)len, n->text),
	                             lrs_parse_double(number, &v) < 0) || !(v > 0) || !isfinite(v * unit))
		cfg_problem(ck, n, "'%s' must be a positive duration (seconds, or e.g. '30 s', '5 min'), got '%s'", key,
		            n->text);
	else
		*out = v * unit;
}

/* Allocated copies into `trainer`: the command, the environment. */
/* The placeholders of one argument of trainer.command: a {word} that is
 * none of them (a typo, {param_file}) would reach the program as written,
 * and {args} inside a longer argument would stay text; both are errors. A
 * brace not around a lowercase word ('{"a": 1}') is the argument's own. */
static void check_placeholders(checker *ck, const lrs_node *a)
{
	static const char *const names[] = { "params_file", "trial_key", "seed", "mode", "args" };
	const size_t n_names = sizeof names / sizeof names[0];

	for (const char *p = strchr(a->text, '{'); p; p = strchr(p + 1, '{')) {
		size_t len = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz_");
		char word[64];
		size_t k = 0;
		if (len == 0 || len >= sizeof word || p[1 + len] != '}')
			continue;
		snprintf(word, sizeof word, "%.*s", (int)len, p + 1);
		while (k < n_names && strcmp(word, names[k]))
			k++;
		if (k == n_names) {
			const char *near = lrs_nearest_name(word, names, n_names);
			cfg_problem(ck, a, "unknown placeholder '{%s}' in 'command'%s%s%s (placeholders: {params_file}, "
			            "{trial_key}, {seed}, {mode}, {args})", word, near ? " (did you mean '{" : "",
			            near ? near : "", near ? "}'?)" : "");
		} else if (!strcmp(word, "args") && strcmp(a->text, "{args}")) {
			cfg_problem(ck, a, "'{args}' must be an argument of its own in 'command' (it becomes one "
			            "argument --key=value per param), got '%s'", a->text);
		}
	}
}

static void read_command(checker *ck, const lrs_node *cmd, lrs_external_config *t)
{
	if (!cmd)
		return;
	if (cmd->kind != LRS_NODE_LIST || cmd->n == 0) {
		cfg_problem(ck, cmd, "'command' must be a list: the program and its arguments, e.g. "
		            "[/usr/bin/python3, train.py, --params, \"{params_file}\"] (no shell)");
		return;
	}
	if (!(t->argv = calloc(cmd->n + 1, sizeof *t->argv))) {
		cfg_problem(ck, cmd, "out of memory");
		return;
	}
	for (size_t i = 0; i < cmd->n; i++) {
		const lrs_node *a = cmd->items[i];
		if (a->kind != LRS_NODE_SCALAR || (i == 0 && !a->text[0])) {
			cfg_problem(ck, a, "'command' entries must be single values%s", i == 0 ? " (the program first)" : "");
			continue;
		}
		check_placeholders(ck, a);
		t->argv[t->argc++] = strdup(a->text);
	}
}

static void read_env(checker *ck, const lrs_node *env, lrs_external_config *t)
{
	if (!env || !cfg_is_map(ck, env, "env"))
		return;
	if (!(t->env = calloc(env->n + 1, sizeof *t->env)))
		return;
	for (size_t i = 0; i < env->n; i++) {
		const lrs_node *v = env->items[i];
		const char *k = env->keys[i];
		if (v->kind != LRS_NODE_SCALAR || !k[0] || strchr(k, '=')) {
			cfg_key_problem(ck, v, "'env' maps names (without '=') to single values");
			continue;
		}
		size_t len = strlen(k) + strlen(v->text) + 2;
		if ((t->env[t->n_env] = malloc(len)))
			snprintf(t->env[t->n_env++], len, "%s=%s", k, v->text);
	}
}

static void read_trainer(checker *ck, const lrs_node *n, lrs_experiment *e)
{
	static const char *const keys[] = { "command", "cwd", "env", "startup_timeout", "timeout", "grace" };
	lrs_external_config *t = &e->trainer;
	const char *cwd;

	*t = (lrs_external_config){ .startup_timeout = 180, .timeout = 600, .grace = 10 };
	if (!n || !cfg_is_map(ck, n, "trainer"))
		return;
	e->has_trainer = 1;
	cfg_check_keys(ck, n, "trainer", keys, sizeof keys / sizeof keys[0]);
	read_command(ck, lrs_node_get(n, "command"), t);
	if (!lrs_node_get(n, "command"))
		cfg_problem(ck, n, "'trainer' needs a 'command': the program and its arguments, as a list");
	read_env(ck, lrs_node_get(n, "env"), t);
	get_seconds(ck, n, "startup_timeout", &t->startup_timeout);
	get_seconds(ck, n, "timeout", &t->timeout);
	get_seconds(ck, n, "grace", &t->grace);
	if (lrs_node_get(n, "cwd") && (cwd = get_text(ck, n, "cwd"))) {
		/* relative to the experiment file's directory */
		const char *slash = strrchr(e->path, '/');
		int dir = cwd[0] != '/' && slash ? (int)(slash - e->path) : 0;
		size_t len = (size_t)dir + strlen(cwd) + 2;
		if ((t->cwd = malloc(len)))
			snprintf(t->cwd, len, "%.*s%s%s", dir, e->path, dir ? "/" : "", cwd);
	}
	if (lrs_node_get(e->root, "data"))
		cfg_key_problem(ck, lrs_node_get(e->root, "data"), "'data' is for the built-in model: with 'trainer' "
		                "the program loads its own data");
	if (lrs_node_get(e->root, "model"))
		cfg_key_problem(ck, lrs_node_get(e->root, "model"), "'model' is for the built-in model: with 'trainer' "
		                "the program builds its own (put its settings under 'params')");
}

static void free_trainer(lrs_external_config *t)
{
	for (size_t i = 0; i < t->argc; i++)
		free(t->argv[i]);
	free(t->argv);
	for (size_t i = 0; i < t->n_env; i++)
		free(t->env[i]);
	free(t->env);
	free(t->cwd);
}

/* The model: section, and the space keys a layers: stack leaves out. */
static void read_model_section(checker *ck, lrs_experiment *e)
{
	const lrs_node *model = e->has_trainer ? NULL : lrs_node_get(e->root, "model");
	const lrs_node *space = e->trial.space;

	cfg_read_model(ck, model, &e->model);
	if (!e->model.layers)
		return;
	e->model_layers = lrs_node_get(model, "layers");
	e->model_input = lrs_node_get(model, "input");
	for (size_t k = 0; space && k < space->n; k++)
		if (!strncmp(space->keys[k], "model.", 6))
			cfg_key_problem(ck, space->items[k], "'%s' varies the hidden: shorthand; this model is a layers: "
			                "stack (model.layers), which trials.space cannot vary", space->keys[k]);
}

/* The experiment's name: letters, digits, - _ . as SPEC says, and also
 * what it becomes: it starts with a letter or a digit (".x" would make a
 * hidden results/.x.db, "-x" reads as a flag on the command line), it is
 * not all digits (queries read "7" as experiment id 7), and at most
 * LRS_MAX_NAME characters ("results/NAME.db-journal" and "NAME-logs" are
 * file names, at most 255 bytes). */
static void check_name(checker *ck, const lrs_node *name)
{
	const char *p = name->text;
	size_t len = strlen(p), digits = 0;
	int ok = len > 0;

	for (; *p; p++) {
		ok &= isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.';
		digits += isdigit((unsigned char)*p) != 0;
	}
	if (!ok)
		cfg_problem(ck, name, "'name' must be letters, digits, - _ or ., got '%s'", name->text);
	else if (!isalnum((unsigned char)name->text[0]))
		cfg_problem(ck, name, "'name' must start with a letter or a digit, got '%s'", name->text);
	else if (digits == len)
		cfg_problem(ck, name, "'name' must not be all digits (queries would read '%s' as an experiment id)",
		            name->text);
	else if (len > LRS_MAX_NAME)
		cfg_problem(ck, name, "'name' is %zu characters long, at most %d are allowed", len, LRS_MAX_NAME);
}


/* Whether scalar n's text is not of the type its tag names (!!int 2.5,
 * !!float abc, !!bool maybe): PyYAML fails on such a file, and lrsweep
 * would have to guess. k: the text's number kind. */
static int tag_misfit(const lrs_node *n, lrs_number_kind k)
{
	int yes;

	switch (n->tag) {
	case LRS_NODE_TAG_INT: return k != LRS_NUMBER_INTEGER && k != LRS_NUMBER_TOO_LONG;
	case LRS_NODE_TAG_FLOAT: return k == LRS_NUMBER_NONE || k == LRS_NUMBER_TOO_LONG;
	case LRS_NODE_TAG_BOOL: return lrs_parse_bool(n->text, &yes) < 0;
	default: return 0;
	}
}

/* A trainer reads its params as JSON, which has no form for some numbers
 * YAML has: .inf, -.Inf, .nan, 1e999 (past the doubles), an integer of
 * more than 4300 digits (Python's int() refuses it). Sent as strings they
 * would make the program fail or misread them, so each is a problem at
 * its place, naming the way out. `path`: the dotted keys down to n. The
 * bounds of {uniform: [lo, hi]} and the like are checked as numbers. */
static void check_params_numbers(checker *ck, const lrs_node *n, const char *path)
{
	static const char *const ranges[] = { "uniform", "log_uniform", "int_uniform" };
	double v = 0;

	if (n->kind == LRS_NODE_SCALAR) {
		lrs_number_kind k = n->quoted ? LRS_NUMBER_NONE : lrs_number_read(n->text, strlen(n->text), &v, NULL);
		if (!n->quoted && tag_misfit(n, k))
			cfg_problem(ck, n, "'%s': '%s' is not %s, as its tag %s says (PyYAML refuses it too)", path, n->text,
			            n->tag == LRS_NODE_TAG_INT ? "an integer" : n->tag == LRS_NODE_TAG_FLOAT ? "a number"
			                                                                                  : "a boolean",
			            n->tag == LRS_NODE_TAG_INT ? "!!int" : n->tag == LRS_NODE_TAG_FLOAT ? "!!float" : "!!bool");
		else if (k == LRS_NUMBER_INFINITE)
			cfg_problem(ck, n, "'%s': %s is a number JSON has no form for (the program reads its params as "
			            "JSON): write a finite number such as %s1e308, or the string '%s' (quoted), which "
			            "Python's float() reads", path, n->text, v < 0 ? "-" : "", isnan(v) ? "nan" : v < 0 ?
			            "-inf" : "inf");
		else if (k == LRS_NUMBER_TOO_LONG)
			cfg_problem(ck, n, "'%s': a number of more than %d digits, which Python's int() refuses: quote it "
			            "to pass it as a string", path, LRS_NUMBER_MAX_DIGITS);
		return;
	}
	int search = n->kind == LRS_NODE_MAP && n->n == 1 && (!strcmp(n->keys[0], "grid") || !strcmp(n->keys[0], "choice"));

	for (size_t j = 0; n->kind == LRS_NODE_MAP && n->n == 1 && j < 3; j++)
		if (!strcmp(n->keys[0], ranges[j]))
			return;
	for (size_t i = 0; i < n->n; i++) {
		lrs_buf sub = { 0 };
		if (n->kind == LRS_NODE_MAP && !search)   /* a value of {grid: [...]} is the key's */
			lrs_buf_printf(&sub, "%s%s%s", path, *path ? "." : "", n->keys[i]);
		check_params_numbers(ck, n->items[i], sub.data ? sub.data : path);
		lrs_buf_free(&sub);
	}
}

static void read_top(checker *ck, lrs_experiment *e)
{
	static const char *const keys[] = {
		"name", "seed", "db", "data", "model", "optimizer", "batch_size", "range_test", "trials",
		"trainer", "params",
	};
	const lrs_node *root = e->root;
	const lrs_node *name = lrs_node_get(root, "name");
	long seed = 0, batch = 128;

	cfg_check_keys(ck, root, NULL, keys, sizeof keys / sizeof keys[0]);
	if (!name) {
		cfg_problem(ck, root, "missing 'name' (letters, digits, - _ .)");
	} else if (cfg_is_scalar(ck, name, "name")) {
		check_name(ck, name);
		e->name = name->text;
	}
	cfg_get_integer(ck, root, "seed", 0, LRS_MAX_SEED, &seed);
	e->seed = (uint64_t)seed;
	if (lrs_node_get(root, "db"))
		e->db = get_text(ck, root, "db");
	read_trainer(ck, lrs_node_get(root, "trainer"), e);
	if ((e->params = lrs_node_get(root, "params")) && !e->has_trainer)
		cfg_key_problem(ck, e->params, "'params' is for a 'trainer' program (the built-in model's settings are "
		                "under 'model')");
	else if (e->params)
		cfg_is_map(ck, e->params, "params");
	if (!e->has_trainer && !lrs_node_get(root, "data"))
		cfg_problem(ck, root, "missing 'data' section");
	else if (!e->has_trainer)
		read_data(ck, lrs_node_get(root, "data"), &e->data, e->seed);
	read_optimizer(ck, lrs_node_get(root, "optimizer"), &e->optim);
	cfg_get_integer(ck, root, "batch_size", 1, 1e7, &batch);
	e->batch_size = batch;
	e->range_test = lrs_node_get(root, "range_test");
	e->trials = lrs_node_get(root, "trials");
	read_range_test(ck, e->range_test, &e->range);
	read_trials(ck, e->trials, &e->trial, e->seed);
	read_model_section(ck, e);
	/* params: are free-form: a mapping is searched only when it is one */
	for (size_t k = 0; e->has_trainer && e->params && e->params->kind == LRS_NODE_MAP && k < e->params->n; k++) {
		const lrs_node *v = e->params->items[k];
		static const char *const kinds[] = { "grid", "choice", "uniform", "log_uniform", "int_uniform" };
		for (size_t j = 0; v->kind == LRS_NODE_MAP && v->n == 1 && j < 5; j++)
			if (!strcmp(v->keys[0], kinds[j]))
				check_search_value(ck, v, e->params->keys[k],
				                   e->trial.random || e->trial.tpe || e->trial.grid_draws, 1);
	}
	if (e->has_trainer && e->params)
		check_params_numbers(ck, e->params, "params");
	if (e->trial.grid_draws && !ck->distributions)
		cfg_key_problem(ck, lrs_node_get(lrs_node_get(e->trials, "search"), "samples"), "'samples' under strategy "
		            "grid draws each grid point's distributions ({uniform}, {log_uniform}, {int_uniform}) that "
		            "many times, and this file has none: drop it, or use strategy: random");
}

int lrs_experiment_load(lrs_experiment **out, const char *path)
{
	lrs_experiment *e = calloc(1, sizeof *e);
	checker ck = { path, { 0 }, 0, 0, 0 };
	size_t len = 0;
	int rc;

	*out = NULL;
	if (!e)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	e->path = strdup(path);
	if (!e->path) {
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = read_file(path, &e->text, &len)) < 0)
		goto fail;
	if ((rc = lrs_config_parse_yaml(&e->root, e->text, len)) < 0) {
		rc = lrs_error_set(rc, "%s:%d:%d: %s", path, lrs_error_line(), lrs_error_column(), lrs_error_last());
		goto fail;
	}
	if (e->root->kind != LRS_NODE_MAP) {
		rc = lrs_error_set(LRS_EINVALID, "%s:%d:%d: an experiment must be a mapping of keys (name:, data:, ...)",
		                   path, e->root->line, e->root->column);
		goto fail;
	}
	read_top(&ck, e);
	if (ck.count) {
		sort_problems(&ck);
		rc = lrs_error_set(LRS_EINVALID, "%s", ck.errors.data ? ck.errors.data : "");
		goto fail;
	}
	lrs_buf_free(&ck.errors);
	*out = e;
	return 0;
fail:
	lrs_buf_free(&ck.errors);
	lrs_experiment_free(e);
	return rc;
}

void lrs_experiment_free(lrs_experiment *e)
{
	if (!e)
		return;
	lrs_node_free(e->root);
	free((void *)e->data.train.drop);
	free((void *)e->data.test.drop);
	free_trainer(&e->trainer);
	free(e->trial.seeds);
	free(e->trial.note);
	free(e->text);
	free(e->path);
	free(e);
}
