/* search.c - the figure of a search (`lrsweep plot DB search`, and the
 * report's): what Optuna users look at first, in one figure of panels.
 *
 *   history   the objective of each completed trial against its number in
 *             plan order (the trials' id order), and the best so far as
 *             steps (Optuna's plot_optimization_history)
 *   one panel per key the experiment searched (results.h's
 *             lrs_results_searched): the key's value against the
 *             objective, each trial a point (plot_slice); a log axis for
 *             a key drawn log-uniformly, the values by name for a key
 *             that is not a number (a schedule type, a hidden-layer list)
 *
 * With several schedule types each type's points have their own colour,
 * the same in every panel, named in the history's legend. Pruned, failed
 * and unfinished trials are not drawn: their objective is not comparable. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/plot.h"
#include "lrsweep/results.h"
#include "lrsweep/store.h"
#include "internal.h"

#define MAX_KEY_PANELS 11   /* with the history, 12 panels: 4 rows of 3 */
#define MAX_TYPES 10        /* schedule types told apart by colour     */

/* The trials drawn, sorted by schedule type, then id, so that each
 * type's points are one stretch of every panel's arrays. */
typedef struct {
	const lrs_results *r;
	const char *metric;             /* r->metric: the objective          */
	size_t *used;                   /* (n) trial indices, by type then id */
	size_t n;
	const char *types[MAX_TYPES + 1]; /* in plan order; the last one "other" */
	size_t n_types;
	size_t start[MAX_TYPES + 2];    /* type t: used[start[t] .. start[t+1]) */
	lrs_search_key *keys;           /* the searched keys, drawn          */
	size_t n_keys, n_searched;      /* drawn, and searched in all        */
	char **values;                  /* (r->trials.n x n_searched)        */
} search;

/* The objective of trial t: the metric the results rank by. */
static double objective(const search *s, size_t i)
{
	return lrs_results_metric(s->r, &s->r->trials.items[i]);
}

/* The colour group of schedule `type`: its place among the types met so
 * far, a new one while there is room, else the last ("other"). */
static size_t type_of(search *s, const char *type)
{
	for (size_t t = 0; t < s->n_types; t++)
		if (!strcmp(s->types[t], type))
			return t;
	if (s->n_types < MAX_TYPES) {
		s->types[s->n_types] = type;
		return s->n_types++;
	}
	s->types[MAX_TYPES] = "other";
	s->n_types = MAX_TYPES + 1;
	return MAX_TYPES;
}

/* The completed trials with an objective, grouped by type (stable: each
 * type's in id order). */
static int pick_trials(search *s)
{
	const lrs_trial_rows *tr = &s->r->trials;
	size_t *type = calloc(tr->n + 1, sizeof *type);

	s->used = calloc(tr->n + 1, sizeof *s->used);
	if (!type || !s->used) {
		free(type);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < tr->n; i++)
		if (tr->items[i].status == LRS_TRIAL_COMPLETED && !isnan(objective(s, i)))
			type[i] = type_of(s, tr->items[i].schedule) + 1;   /* 0: not drawn */
	for (size_t t = 0; t < s->n_types; t++) {
		s->start[t] = s->n;
		for (size_t i = 0; i < tr->n; i++)
			if (type[i] == t + 1)
				s->used[s->n++] = i;
	}
	s->start[s->n_types] = s->n;
	free(type);
	return 0;
}

/* ------------------------------------------------------------ panels */

/* The names of a categorical key's values, as met. */
typedef struct {
	char **names;
	size_t n;
} category_names;

/* Room for the figure's panels and their points. */
typedef struct {
	lrs_plot_panel *panels;         /* (1 + n_keys)                      */
	lrs_plot_series *series;        /* (1 + n_keys) x (n_types + 1)      */
	double *x, *y;                  /* (1 + n_keys + 1) x n each: points;
	                                   y is in x's allocation            */
	char (*titles)[160];            /* (1 + n_keys) panel titles         */
	category_names *cats;           /* (n_keys) a categorical key's names */
} canvas;

static void canvas_free(canvas *c, size_t n_keys)
{
	for (size_t k = 0; c->cats && k < n_keys; k++) {
		for (size_t j = 0; j < c->cats[k].n; j++)
			free(c->cats[k].names[j]);
		free(c->cats[k].names);
	}
	free(c->cats);
	free(c->panels);
	free(c->series);
	free(c->x);
	free(c->titles);
}

static int canvas_init(canvas *c, const search *s)
{
	size_t np = 1 + s->n_keys, per = (np + 1) * (s->n + 1);

	memset(c, 0, sizeof *c);
	c->panels = calloc(np, sizeof *c->panels);
	c->series = calloc(np * (s->n_types + 1), sizeof *c->series);
	c->x = calloc(2 * per, sizeof *c->x);
	c->titles = calloc(np, sizeof *c->titles);
	c->cats = calloc(s->n_keys + 1, sizeof *c->cats);
	if (!c->panels || !c->series || !c->x || !c->titles || !c->cats)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	c->y = c->x + per;
	return 0;
}

/* Panel p's points, one series per schedule type over x[p], y[p] (type
 * t's first count[t] points of its stretch; all of them when count is
 * NULL; a type without a point has no series): the type's colour, its
 * name as the legend's entry when `named`. */
static void type_series(const search *s, canvas *c, size_t p, const size_t *count, int named)
{
	double *x = &c->x[p * (s->n + 1)], *y = &c->y[p * (s->n + 1)];
	lrs_plot_series *ser = &c->series[p * (s->n_types + 1)];
	size_t m = 0;

	for (size_t t = 0; t < s->n_types; t++) {
		size_t n = count ? count[t] : s->start[t + 1] - s->start[t];
		if (n > 0)
			ser[m++] = (lrs_plot_series){ .title = named ? s->types[t] : NULL, .x = &x[s->start[t]],
			                              .y = &y[s->start[t]], .n = n, .points = 1, .style = (int)t + 1 };
	}
	c->panels[p].series = ser;
	c->panels[p].n_series = m;
}

/* The history: each trial's objective at its number, and the best so far. */
static void history_panel(const search *s, canvas *c)
{
	const lrs_trial_rows *tr = &s->r->trials;
	double *bx = &c->x[(1 + s->n_keys) * (s->n + 1)], *by = &c->y[(1 + s->n_keys) * (s->n + 1)];
	double best = NAN;
	size_t nb = 0;

	for (size_t j = 0; j < s->n; j++) {   /* the points, grouped by type */
		c->x[j] = (double)(s->used[j] + 1);
		c->y[j] = objective(s, s->used[j]);
	}
	for (size_t i = 0; i < tr->n; i++) {   /* the best so far, in trial order */
		double v = objective(s, i);
		if (tr->items[i].status != LRS_TRIAL_COMPLETED || isnan(v))
			continue;
		if (isnan(best) || (s->r->ascending ? v < best : v > best))
			best = v;
		bx[nb] = (double)(i + 1);
		by[nb++] = best;
	}
	type_series(s, c, 0, NULL, s->n_types > 1);
	lrs_plot_series *ser = &c->series[s->n_types];   /* the slot after the types' */
	*ser = (lrs_plot_series){ .title = "best so far", .x = bx, .y = by, .n = nb, .steps = 1,
	                          .style = (int)s->n_types + 1 };
	if (s->n_types == 1)
		c->series[0].title = "objective";
	c->panels[0].n_series = s->n_types + 1;
	snprintf(c->titles[0], sizeof c->titles[0], "%s per trial", s->metric);
	c->panels[0].opts = (lrs_plot_opts){ .title = c->titles[0], .xlabel = "trial (plan order)",
	                                     .ylabel = s->metric, .whole_x = 1, .key_below = 1 };
}

/* Whether every value of key k among the drawn trials is a number. */
static int numeric(const search *s, size_t k)
{
	for (size_t j = 0; j < s->n; j++) {
		const char *v = s->values[s->used[j] * s->n_searched + k];
		char *end;
		if (v && (strtod(v, &end), *end || end == v))
			return 0;
	}
	return 1;
}

/* The place of value `name` among the values met in cats (from 1), a new
 * one appended. 0 out of memory. */
static double category(category_names *cats, const char *name)
{
	for (size_t i = 0; i < cats->n; i++)
		if (!strcmp(cats->names[i], name))
			return (double)(i + 1);
	char **grown = realloc(cats->names, (cats->n + 1) * sizeof *grown);
	if (!grown)
		return 0;
	cats->names = grown;
	if (!(grown[cats->n] = strdup(name)))
		return 0;
	return (double)++cats->n;
}

/* Category names as people read them, in place. */
static int readable_names(category_names *cats)
{
	for (size_t i = 0; i < cats->n; i++) {
		char *t = lrs_results_value_text(cats->names[i]);
		if (!t)
			return lrs_error_set(LRS_ENOMEM, "out of memory");
		free(cats->names[i]);
		cats->names[i] = t;
	}
	return 0;
}

/* x of value v of key k (NAN: the trial lacks it): the number, or for a
 * categorical key the place of its name among those met (from 1), a new
 * one appended to the panel's categories (0: out of memory). */
static double key_x(canvas *c, size_t k, int num, const char *v)
{
	if (!v)
		return NAN;
	return num ? strtod(v, NULL) : category(&c->cats[k], v);
}

/* Panel 1 + k: searched key k's value against the objective, the trials
 * that lack the key (another schedule type's parameter) left out. */
static int key_panel(const search *s, canvas *c, size_t k)
{
	size_t p = 1 + k, off = p * (s->n + 1), count[MAX_TYPES + 1];
	int num = numeric(s, k), logx = s->keys[k].log;
	double *x = &c->x[off], *y = &c->y[off];

	for (size_t t = 0; t < s->n_types; t++) {
		size_t w = s->start[t];   /* each type's points from the start of its stretch */
		for (size_t j = s->start[t]; j < s->start[t + 1]; j++) {
			double v = key_x(c, k, num, s->values[s->used[j] * s->n_searched + k]);
			if (v == 0 && !num)
				return lrs_error_set(LRS_ENOMEM, "out of memory");
			if (isnan(v))
				continue;
			logx &= !num || v > 0;   /* a log axis needs positive values */
			x[w] = v;
			y[w++] = objective(s, s->used[j]);
		}
		count[t] = w - s->start[t];
	}
	if (!num) {
		int rc = readable_names(&c->cats[k]);
		if (rc < 0)
			return rc;
	}
	type_series(s, c, p, count, 0);
	snprintf(c->titles[p], sizeof c->titles[p], "%s%s", s->keys[k].key, num && logx ? " (log scale)" : "");
	c->panels[p].opts = (lrs_plot_opts){ .title = c->titles[p], .xlabel = s->keys[k].key, .ylabel = s->metric,
	                                     .logx = num && logx,
	                                     .xcategories = num ? NULL : (const char *const *)c->cats[k].names,
	                                     .n_xcategories = num ? 0 : c->cats[k].n };
	return 0;
}

/* ------------------------------------------------------------ the figure */

static int draw_search(const lrs_figure_request *req, search *s)
{
	canvas c;
	char title[400];
	int rc;

	if ((rc = canvas_init(&c, s)) < 0)
		goto out;
	history_panel(s, &c);
	for (size_t k = 0; k < s->n_keys && rc == 0; k++)
		rc = key_panel(s, &c, k);
	if (rc < 0)
		goto out;
	size_t np = 1 + s->n_keys, cols = np <= 1 ? 1 : np <= 4 ? 2 : 3;
	if (s->n_keys < s->n_searched)
		snprintf(title, sizeof title, "%s: the search (%zu completed trials; the first %zu of %zu searched keys)",
		         req->name, s->n, s->n_keys, s->n_searched);
	else
		snprintf(title, sizeof title, "%s: the search (%zu completed trials)", req->name, s->n);
	rc = lrs_plot_panels(req->path, title, c.panels, np, cols);
out:
	canvas_free(&c, s->n_keys);
	return rc;
}

/* The keys to draw, and their values in every trial. */
static int searched_values(lrs_store *st, const lrs_figure_request *req, search *s)
{
	char *config = NULL;
	const char **names;
	int rc;

	if ((rc = lrs_store_experiment_config(&config, st, req->experiment_id)) < 0 && rc != LRS_ENOTFOUND)
		return rc;
	rc = lrs_results_searched(&s->keys, &s->n_searched, s->r, config);
	free(config);
	if (rc < 0)
		return rc;
	if (s->n_searched == 0)
		return lrs_error_set(LRS_EINVALID, "%s: experiment %lld searched nothing: no trials.space, params: or "
		                     "schedule parameter took a grid or a distribution, and one schedule type ran",
		                     req->db, (long long)req->experiment_id);
	s->n_keys = s->n_searched < MAX_KEY_PANELS ? s->n_searched : MAX_KEY_PANELS;
	if (!(names = calloc(s->n_searched, sizeof *names)))
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (size_t k = 0; k < s->n_searched; k++)
		names[k] = s->keys[k].key;
	s->values = lrs_results_values(s->r, names, s->n_searched);
	free(names);
	return s->values ? 0 : lrs_error_set(LRS_ENOMEM, "out of memory");
}

int report_search_figure(lrs_store *st, const lrs_figure_request *req)
{
	lrs_results_opts o = { .metric = req->metric, .target_accuracy = NAN };
	lrs_results r;
	search s = { 0 };
	int rc;

	if ((rc = lrs_results_load(&r, st, req->experiment_id, &o)) < 0)
		return rc;
	s.r = &r;
	s.metric = r.metric;
	if ((rc = searched_values(st, req, &s)) == 0 && (rc = pick_trials(&s)) == 0) {
		if (s.n == 0)
			rc = lrs_error_set(LRS_EINVALID, "%s: experiment %lld has no completed trial", req->db,
			                   (long long)req->experiment_id);
		else
			rc = draw_search(req, &s);
	}
	lrs_results_values_free(s.values, s.values ? r.trials.n * s.n_searched : 0);
	lrs_search_keys_free(s.keys, s.n_searched);
	free(s.used);
	lrs_results_free(&r);
	return rc;
}
