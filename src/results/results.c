/* results.c - an experiment's trials grouped into configurations, each
 * labelled, given a line style and compared (results.h). The one place
 * where the comparison's statistics are computed; labels.c names the
 * configurations, factors.c groups trials by keys instead. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/results.h"
#include "lrsweep/stats.h"
#include "internal.h"

/* ------------------------------------------------------------ metrics */

static const char *const metrics[] = {
	"best_val_accuracy", "final_val_accuracy", "test_accuracy", "final_val_loss", "final_train_loss",
};
#define N_METRICS (sizeof metrics / sizeof metrics[0])

int lrs_results_metric_known(const char *metric)
{
	for (size_t i = 0; i < N_METRICS; i++)
		if (!strcmp(metric, metrics[i]))
			return 1;
	return 0;
}

/* The value of metric `m` (an index in metrics) of trial t. */
static double metric_of(const lrs_trial_row *t, int m)
{
	switch (m) {
	case 0: return t->best_val_accuracy;
	case 1: return t->final_val_accuracy;
	case 2: return t->test_accuracy;
	case 3: return t->final_val_loss;
	default: return t->final_train_loss;
	}
}

double lrs_results_metric(const lrs_results *r, const lrs_trial_row *t)
{
	int m = 0;

	while ((size_t)m < N_METRICS - 1 && strcmp(r->metric, metrics[m]))
		m++;
	return metric_of(t, m);
}

/* ------------------------------------------------------------ grouping */

/* A trial as sorted into configurations. */
typedef struct {
	const lrs_trial_row *t;
	size_t index;                   /* in the trials' array              */
} trial_ref;

static int same_config(const lrs_trial_row *a, const lrs_trial_row *b)
{
	return !strcmp(a->schedule, b->schedule) && !strcmp(a->params, b->params) && !strcmp(a->hyper, b->hyper);
}

static int cmp_key(const char *const a[3], const char *const b[3])
{
	int c = strcmp(a[0], b[0]);

	if (c == 0)
		c = strcmp(a[1], b[1]);
	if (c == 0)
		c = strcmp(a[2], b[2]);
	return c;
}

int results_cmp_config(const lrs_trial_row *a, const lrs_trial_row *b)
{
	const char *ka[3] = { a->schedule, a->params, a->hyper }, *kb[3] = { b->schedule, b->params, b->hyper };

	return cmp_key(ka, kb);
}

/* By configuration, then id. */
static int cmp_trial(const void *x, const void *y)
{
	const lrs_trial_row *a = ((const trial_ref *)x)->t, *b = ((const trial_ref *)y)->t;
	int c = results_cmp_config(a, b);

	return c ? c : (a->id > b->id) - (a->id < b->id);
}

/* By first trial id: the plan's order (configurations carry it in rank
 * while they are sorted). */
static int cmp_first(const void *x, const void *y)
{
	const lrs_result_config *a = x, *b = y;

	return (a->rank > b->rank) - (a->rank < b->rank);
}

/* Empty text for what NULL columns would leave missing. */
static int fill_missing(lrs_trial_rows *t)
{
	for (size_t i = 0; i < t->n; i++) {
		char **f[] = { &t->items[i].schedule, &t->items[i].params, &t->items[i].hyper };
		for (size_t k = 0; k < 3; k++)
			if (*f[k] == NULL && (*f[k] = strdup(k ? "{}" : "")) == NULL)
				return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	return 0;
}

void results_plan_order(lrs_results *r)
{
	qsort(r->configs, r->n_configs, sizeof *r->configs, cmp_first);
	for (size_t k = 0; k < r->n_configs; k++) {
		r->configs[k].style = (int)k;
		r->configs[k].rank = 0;
	}
}

/* The configurations of r->trials, each with its trials, in plan order. */
static int group(lrs_results *r)
{
	size_t n = r->trials.n;
	trial_ref *order = malloc((n + 1) * sizeof *order);

	if (!order || !(r->configs = calloc(n + 1, sizeof *r->configs)))
		goto nomem;
	for (size_t i = 0; i < n; i++)
		order[i] = (trial_ref){ &r->trials.items[i], i };
	qsort(order, n, sizeof *order, cmp_trial);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && same_config(order[i].t, order[j].t))
			j++;
		lrs_result_config *c = &r->configs[r->n_configs++];
		c->schedule = order[i].t->schedule;
		c->params = order[i].t->params;
		c->hyper = order[i].t->hyper;
		c->rank = (size_t)order[i].t->id;   /* the first trial's id, to sort by */
		if (!(c->trials = malloc((j - i) * sizeof *c->trials)))
			goto nomem;
		for (size_t k = i; k < j; k++)
			c->trials[k - i] = order[k].index;
		c->n_trials = j - i;
		c->n_distinct = 1;
		i = j;
	}
	results_plan_order(r);
	free(order);
	return 0;
nomem:
	free(order);
	return lrs_error_set(LRS_ENOMEM, "out of memory");
}

static int label(lrs_results *r)
{
	size_t n = r->n_configs;
	const char **s = calloc(n + 1, sizeof *s), **p = calloc(n + 1, sizeof *p), **h = calloc(n + 1, sizeof *h);
	char **labels = NULL;

	for (size_t k = 0; s && p && h && k < n; k++) {
		s[k] = r->configs[k].schedule;
		p[k] = r->configs[k].params;
		h[k] = r->configs[k].hyper;
	}
	if (s && p && h)
		labels = lrs_results_labels(s, p, h, n);
	free(s);
	free(p);
	free(h);
	if (!labels)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (size_t k = 0; k < n; k++)
		r->configs[k].label = labels[k];
	free(labels);
	return 0;
}

/* ------------------------------------------------------------ comparison */

/* Mean, sd and 95 % half-width of x[0..n). */
static void summary(const double *x, size_t n, double *mean, double *sd, double *ci)
{
	*mean = lrs_mean(x, n);
	*sd = lrs_sd(x, n);
	*ci = lrs_ci95(*sd, n);
}

/* The statistics of configuration c over its completed trials. */
static int describe(const lrs_results *r, lrs_result_config *c, int m)
{
	double *v = calloc(c->n_trials + 1, sizeof *v), *t = calloc(c->n_trials + 1, sizeof *t);
	double *reach = calloc(c->n_trials + 1, sizeof *reach);

	if (!v || !t || !reach) {
		free(v);
		free(t);
		free(reach);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < c->n_trials; i++) {
		const lrs_trial_row *tr = &r->trials.items[c->trials[i]];
		if (tr->status != LRS_TRIAL_COMPLETED)
			continue;
		if (!isnan(metric_of(tr, m)))
			v[c->n++] = metric_of(tr, m);
		if (!isnan(tr->test_accuracy))
			t[c->n_test++] = tr->test_accuracy;
		if (!isnan(tr->reach))
			reach[c->n_reach++] = tr->reach;
	}
	summary(v, c->n, &c->mean, &c->sd, &c->ci95);
	summary(t, c->n_test, &c->mean_test, &c->sd_test, &c->ci95_test);
	c->mean_reach = lrs_mean(reach, c->n_reach);
	free(v);
	free(t);
	free(reach);
	return 0;
}

/* Whether configuration c takes part: a completed trial, of the type asked
 * (groups by keys hold that type's trials alone already). */
static int compared(const lrs_results *r, const lrs_result_config *c, const lrs_results_opts *o)
{
	if (o && o->schedule && !r->n_by && strcmp(o->schedule, c->schedule))
		return 0;
	for (size_t i = 0; i < c->n_trials; i++)
		if (r->trials.items[c->trials[i]].status == LRS_TRIAL_COMPLETED)
			return 1;
	return 0;
}

/* A compared configuration as ranked. */
typedef struct {
	double key;                     /* the mean, negated for a loss: higher
	                                   is better; NAN last               */
	const lrs_result_config *c;
	size_t k;                       /* its index in configs              */
} rank_ref;

/* Best first: the mean in the metric's direction (none last), then the
 * configuration's key (a group's: its plan order), so that the order
 * never depends on the input's. */
static int cmp_rank(const void *x, const void *y)
{
	const rank_ref *a = x, *b = y;

	if (isnan(a->key) != isnan(b->key))
		return isnan(a->key) ? 1 : -1;
	if (!isnan(a->key) && a->key != b->key)
		return a->key > b->key ? -1 : 1;
	const char *ka[3] = { a->c->schedule, a->c->params, a->c->hyper };
	const char *kb[3] = { b->c->schedule, b->c->params, b->c->hyper };
	int c = cmp_key(ka, kb);
	return c ? c : (a->k > b->k) - (a->k < b->k);
}

static int compare(lrs_results *r, const lrs_results_opts *o, int m)
{
	rank_ref *refs = calloc(r->n_configs + 1, sizeof *refs);
	int rc = 0;

	if (!refs || !(r->ranked = calloc(r->n_configs + 1, sizeof *r->ranked))) {
		free(refs);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	for (size_t k = 0; k < r->n_configs && rc == 0; k++) {
		lrs_result_config *c = &r->configs[k];
		if (!compared(r, c, o))
			continue;
		if ((rc = describe(r, c, m)) == 0)
			refs[r->n_ranked++] = (rank_ref){ r->ascending ? -c->mean : c->mean, c, k };
	}
	qsort(refs, r->n_ranked, sizeof *refs, cmp_rank);
	for (size_t k = 0; rc == 0 && k < r->n_ranked; k++) {
		lrs_result_config *best = &r->configs[refs[0].k], *c = &r->configs[refs[k].k];
		r->ranked[k] = refs[k].k;
		c->rank = k + 1;
		c->p = k == 0 ? 1 : lrs_welch_p(best->mean, best->sd, best->n, c->mean, c->sd, c->n);
		assert(isnan(c->p) || (c->p >= 0 && c->p <= 1));
		c->same = k == 0 || (!isnan(c->p) && c->p >= 0.05);
	}
	free(refs);
	return rc;
}

/* ------------------------------------------------------------ the API */

int lrs_results_build(lrs_results *out, lrs_trial_rows *trials, const lrs_results_opts *opts)
{
	int m = 0, rc;

	assert(out != NULL && trials != NULL);
	memset(out, 0, sizeof *out);
	out->trials = *trials;
	memset(trials, 0, sizeof *trials);
	out->metric = opts && opts->metric ? opts->metric : metrics[0];
	while ((size_t)m < N_METRICS && strcmp(out->metric, metrics[m]))
		m++;
	if ((size_t)m == N_METRICS) {
		rc = lrs_error_set(LRS_EINVALID, "unknown metric '%s'", out->metric);
		goto fail;
	}
	out->metric = metrics[m];
	out->ascending = strstr(out->metric, "loss") != NULL;
	if ((rc = fill_missing(&out->trials)) < 0)
		goto fail;
	if (opts && opts->n_by)
		rc = results_group_by(out, opts);
	else if ((rc = group(out)) == 0)
		rc = label(out);
	if (rc < 0 || (rc = compare(out, opts, m)) < 0)
		goto fail;
	return 0;
fail:
	lrs_results_free(out);
	return rc;
}

int lrs_results_load(lrs_results *out, lrs_store *st, int64_t experiment_id, const lrs_results_opts *opts)
{
	lrs_trial_filter f = { .target_accuracy = opts ? opts->target_accuracy : NAN };
	lrs_trial_rows rows;
	int rc;

	assert(out != NULL && st != NULL);
	memset(out, 0, sizeof *out);
	if ((rc = lrs_store_trials_read(&rows, st, experiment_id, &f)) < 0)
		return rc;
	return lrs_results_build(out, &rows, opts);
}

void lrs_results_free(lrs_results *r)
{
	if (r == NULL)
		return;
	for (size_t k = 0; r->configs && k < r->n_configs; k++) {
		free(r->configs[k].label);
		free(r->configs[k].trials);
		for (size_t i = 0; r->configs[k].values && i < r->n_by; i++)
			free(r->configs[k].values[i]);
		free(r->configs[k].values);
	}
	for (size_t k = 0; k < r->n_by; k++)
		free(r->by[k]);
	free(r->by);
	free(r->configs);
	free(r->ranked);
	lrs_trial_rows_free(&r->trials);
	memset(r, 0, sizeof *r);
}

const lrs_result_config *lrs_results_config_of(const lrs_results *r, size_t trial_index)
{
	for (size_t k = 0; k < r->n_configs; k++)
		for (size_t i = 0; i < r->configs[k].n_trials; i++)
			if (r->configs[k].trials[i] == trial_index)
				return &r->configs[k];
	return NULL;
}

/* A trial as ranked by lrs_results_best_trials. */
typedef struct {
	double key;                     /* the metric, negated for a loss     */
	double loss;                    /* final validation loss; NAN first   */
	int64_t id;
	size_t index;
} trial_rank;

static int cmp_trial_rank(const void *x, const void *y)
{
	const trial_rank *a = x, *b = y;

	if (a->key != b->key)
		return a->key > b->key ? -1 : 1;
	if (isnan(a->loss) != isnan(b->loss))
		return isnan(a->loss) ? -1 : 1;
	if (!isnan(a->loss) && a->loss != b->loss)
		return a->loss < b->loss ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

size_t lrs_results_best_trials(const lrs_results *r, size_t *out, size_t cap)
{
	trial_rank *t = calloc(r->trials.n + 1, sizeof *t);
	size_t n = 0, m = 0;

	while (m < N_METRICS && strcmp(r->metric, metrics[m]))
		m++;
	if (!t || m == N_METRICS) {
		free(t);
		return 0;
	}
	for (size_t i = 0; i < r->trials.n; i++) {
		const lrs_trial_row *tr = &r->trials.items[i];
		double v = metric_of(tr, (int)m);
		if (tr->status == LRS_TRIAL_COMPLETED && !isnan(v))
			t[n++] = (trial_rank){ r->ascending ? -v : v, tr->final_val_loss, tr->id, i };
	}
	qsort(t, n, sizeof *t, cmp_trial_rank);
	for (size_t i = 0; i < n && i < cap; i++)
		out[i] = t[i].index;
	free(t);
	return n < cap ? n : cap;
}
