/* figures.c - the pictures of an experiment's trials, drawn by `lrsweep
 * plot` and embedded in `lrsweep report` (report.h); range.c draws the
 * range test's.
 *
 *   curves      validation accuracy per epoch: one line per configuration
 *               with a band of +-1 sd over seeds (per_trial: per trial)
 *   schedules   the rate each configuration used, step by step
 *   compare     mean and 95 % interval of the best validation accuracy per
 *               configuration, one row each (names of any length fit)
 *
 * (search.c draws a search's figure.)
 *
 * Every line is a configuration of the results module: its label in the
 * legend and its style (colour, then dashes) the same in every figure;
 * the trials of one configuration share its colour. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/config.h"
#include "lrsweep/error.h"
#include "lrsweep/plot.h"
#include "lrsweep/results.h"
#include "lrsweep/schedule.h"
#include "internal.h"

#define MAX_LINES 64     /* legends beyond this are unreadable */
#define MAX_EPOCHS 1024  /* epochs a curve shows                */

/* The plot style of configuration c's j-th line: its colour, the dash
 * pattern moving on with j (the trials of one configuration). */
static int style_of(const lrs_result_config *c, size_t j)
{
	return c->style + 1 + 10 * (int)j;
}

/* ------------------------------------------------------------ curves */

/* One line of a curves plot: sums per epoch, for the mean and sd. */
typedef struct {
	const lrs_result_config *c;
	int64_t seed;
	size_t j;                       /* its place among its configuration's */
	double x[MAX_EPOCHS], y[MAX_EPOCHS], lo[MAX_EPOCHS], hi[MAX_EPOCHS];
	double sum[MAX_EPOCHS], sum2[MAX_EPOCHS];
	long n_at[MAX_EPOCHS];
	size_t n;
	char title[600];
} line;

typedef struct {
	const lrs_results *r;
	line *lines;
	size_t n;
	line **by_trial;                /* (trials) the line of each trial, or NULL */
	int per_trial;
	int too_many;
} curves_ctx;

/* The lines: one per configuration with a curve, or per such trial. */
static int make_lines(curves_ctx *cx)
{
	const lrs_results *r = cx->r;

	cx->lines = calloc(MAX_LINES, sizeof *cx->lines);
	cx->by_trial = calloc(r->trials.n + 1, sizeof *cx->by_trial);
	if (!cx->lines || !cx->by_trial)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (size_t k = 0; k < r->n_configs; k++) {   /* in plan order, as the schedules */
		const lrs_result_config *c = &r->configs[k];
		line *l = NULL;
		size_t j = 0;
		for (size_t i = 0; i < c->n_trials && !cx->too_many; i++) {
			const lrs_trial_row *t = &r->trials.items[c->trials[i]];
			if (t->status != LRS_TRIAL_COMPLETED && t->status != LRS_TRIAL_PRUNED)
				continue;
			if (!l || cx->per_trial) {
				if (cx->n == MAX_LINES) {
					cx->too_many = 1;
					break;
				}
				l = &cx->lines[cx->n++];
				l->c = c;
				l->seed = t->seed;
				l->j = j++;
			}
			cx->by_trial[c->trials[i]] = l;
		}
	}
	return 0;
}

/* The line a stored epoch of trial `id` adds to, or NULL (the trials are
 * in id order). */
static line *line_of(const curves_ctx *cx, int64_t id)
{
	size_t lo = 0, hi = cx->r->trials.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int64_t at = cx->r->trials.items[mid].id;
		if (at == id)
			return cx->by_trial[mid];
		if (at < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int add_epoch(void *ctx, int64_t trial_id, long epoch, double val)
{
	curves_ctx *cx = ctx;
	line *l;

	if (isnan(val) || epoch < 1 || epoch > MAX_EPOCHS || !(l = line_of(cx, trial_id)))
		return 0;
	l->sum[epoch - 1] += val;
	l->sum2[epoch - 1] += val * val;
	l->n_at[epoch - 1]++;
	if ((size_t)epoch > l->n)
		l->n = (size_t)epoch;
	return 0;
}

/* Line l as a series: the mean per epoch, a band of +-1 sd where there are
 * several seeds. Returns whether it has a band. */
static int line_series(line *l, lrs_plot_series *s, int per_trial)
{
	size_t m = 0;
	int band = 0;

	for (size_t e = 0; e < l->n; e++) {
		long n = l->n_at[e];
		if (n == 0)
			continue;
		double mean = l->sum[e] / (double)n;
		double var = n > 1 ? (l->sum2[e] - (double)n * mean * mean) / (double)(n - 1) : 0;
		double sd = sqrt(var > 0 ? var : 0);
		l->x[m] = (double)(e + 1);
		l->y[m] = mean;
		l->lo[m] = mean - sd;
		l->hi[m] = mean + sd;
		band |= n > 1;
		m++;
	}
	if (per_trial)
		snprintf(l->title, sizeof l->title, "%s (seed %lld)", l->c->label, (long long)l->seed);
	else
		snprintf(l->title, sizeof l->title, "%s", l->c->label);
	*s = (lrs_plot_series){ .title = l->title, .x = l->x, .y = l->y, .n = m, .lo = band ? l->lo : NULL,
	                        .hi = band ? l->hi : NULL, .style = style_of(l->c, l->j) };
	return band;
}

static int plot_curves(lrs_store *st, const lrs_figure_request *req, const lrs_results *r)
{
	curves_ctx cx = { r, NULL, 0, NULL, req->per_trial, 0 };
	lrs_plot_series *s = NULL;
	char title[256];
	size_t drawn = 0;
	int rc, bands = 0;

	if ((rc = make_lines(&cx)) < 0 || (rc = lrs_store_val_curves(st, req->experiment_id, add_epoch, &cx)) < 0)
		goto out;
	for (size_t k = 0; k < cx.n; k++)
		drawn += cx.lines[k].n > 0;
	if (drawn == 0) {
		rc = lrs_error_set(LRS_EINVALID, "%s: experiment %lld has no trial with a validation curve", req->db,
		                   (long long)req->experiment_id);
		goto out;
	}
	if (cx.too_many) {
		rc = lrs_error_set(LRS_EINVALID, "%s: more than %d %s to draw; narrow it down with lrsweep query, or "
		                   "plot a smaller experiment", req->db, MAX_LINES,
		                   req->per_trial ? "trials" : "configurations");
		goto out;
	}
	if (!(s = calloc(cx.n, sizeof *s))) {
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto out;
	}
	drawn = 0;
	for (size_t k = 0; k < cx.n; k++)
		if (cx.lines[k].n > 0)   /* a trial without a curve: no line */
			bands |= line_series(&cx.lines[k], &s[drawn++], req->per_trial);
	snprintf(title, sizeof title, "%s: validation accuracy%s", req->name,
	         bands ? " (mean over seeds, band +-1 sd)" : "");
	lrs_plot_opts opts = { .title = title, .xlabel = "epoch", .ylabel = "validation accuracy", .key_below = 1,
	                       .whole_x = 1 };
	rc = lrs_plot_lines(req->path, &opts, s, drawn);
out:
	free(cx.lines);
	free(cx.by_trial);
	free(s);
	return rc;
}

/* ------------------------------------------------------------ schedules */

/* How a schedule is drawn: its steps cut into RATE_BUCKETS equal spans,
 * each shown by its lowest and highest rate (a narrow peak stays
 * visible), from at most RATE_EVALS evaluations per line: every step of a
 * run of up to that many, evenly spaced steps of a longer one. So a trial
 * of any stored length costs the same bounded memory and time. */
#define RATE_BUCKETS 2000
#define RATE_EVALS 2000000L

/* The rate of one trial, step by step, as at most 2 * RATE_BUCKETS
 * points: its schedule rebuilt from the stored, fully resolved
 * parameters; reduce_on_plateau, which reacts to the metric, from the
 * stored rate of each epoch. */
static int trial_rates(lrs_store *st, int64_t trial_id, const char *schedule, const char *params, long steps,
                       double **x, double **y, size_t *n)
{
	lrs_node *node = NULL;
	lrs_sched *sched = NULL;
	int rc;

	*x = *y = NULL;
	*n = 0;
	if (!strcmp(schedule, "reduce_on_plateau")) {
		lrs_epoch_row *ep = NULL;
		size_t ne = 0;
		if ((rc = lrs_store_epochs_read(&ep, &ne, st, trial_id)) < 0)
			return rc;
		*x = calloc(ne + 1, sizeof **x);
		*y = calloc(ne + 1, sizeof **y);
		for (size_t r = 0; *x && *y && r < ne; r++) {
			(*x)[r] = (double)ep[r].iteration;
			(*y)[r] = ep[r].lr;
		}
		*n = ne;
		free(ep);
		return *x && *y ? 0 : lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	if ((rc = lrs_config_parse_yaml(&node, params, strlen(params))) < 0)
		return lrs_error_set(rc, "trial %lld: cannot read its stored parameters: %s", (long long)trial_id, lrs_error_last());
	lrs_sched_ctx ctx = { NAN, NAN, 0, steps };
	rc = lrs_sched_build(&sched, schedule, node, &ctx);
	lrs_node_free(node);
	if (rc < 0)
		return lrs_error_set(rc, "trial %lld: cannot rebuild its schedule: %s", (long long)trial_id, lrs_error_last());
	*x = calloc(2 * RATE_BUCKETS, sizeof **x);
	*y = calloc(2 * RATE_BUCKETS, sizeof **y);
	if (!*x || !*y) {
		lrs_sched_free(sched);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	long buckets = steps < RATE_BUCKETS ? steps : RATE_BUCKETS;
	long stride = steps <= RATE_EVALS ? 1 : (steps + RATE_EVALS - 1) / RATE_EVALS;
	for (long b = 0; b < buckets; b++) {
		/* steps [lo, hi) of the bucket, in long double: steps * b may
		 * not fit a long for a doctored count */
		long lo = (long)((long double)steps * b / buckets), hi = (long)((long double)steps * (b + 1) / buckets);
		long at_min = lo, at_max = lo;
		double v_min = lrs_sched_lr(sched, lo), v_max = v_min;
		for (long i = lo + stride; i < hi; i += stride) {
			double v = lrs_sched_lr(sched, i);
			if (v < v_min) { v_min = v; at_min = i; }
			if (v > v_max) { v_max = v; at_max = i; }
		}
		long first = at_min < at_max ? at_min : at_max, last = at_min < at_max ? at_max : at_min;
		(*x)[*n] = (double)first;
		(*y)[(*n)++] = lrs_sched_lr(sched, first);
		if (last != first) {
			(*x)[*n] = (double)last;
			(*y)[(*n)++] = lrs_sched_lr(sched, last);
		}
	}
	lrs_sched_free(sched);
	return 0;
}

/* The trial that stands for configuration c: the first, and the most
 * steps any of its trials ran (a completed one: all of them). */
static const lrs_trial_row *steps_of(const lrs_results *r, const lrs_result_config *c, long *steps)
{
	*steps = 0;
	for (size_t i = 0; i < c->n_trials; i++)
		if (r->trials.items[c->trials[i]].iterations > *steps)
			*steps = r->trials.items[c->trials[i]].iterations;
	return &r->trials.items[c->trials[0]];
}

/* One line per configuration (the rate does not depend on the seed). */
static int plot_schedules(lrs_store *st, const lrs_figure_request *req, const lrs_results *r)
{
	lrs_plot_series *s = NULL;
	double **xs = NULL, **ys = NULL;
	char title[400];
	size_t nl = 0;
	int rc = 0;

	if (r->n_configs == 0)
		return lrs_error_set(LRS_EINVALID, "%s: experiment %lld has no trials", req->db,
		                     (long long)req->experiment_id);
	if (r->n_configs > MAX_LINES)
		return lrs_error_set(LRS_EINVALID, "%s: more than %d schedules to draw", req->db, MAX_LINES);
	s = calloc(r->n_configs, sizeof *s);
	xs = calloc(r->n_configs, sizeof *xs);
	ys = calloc(r->n_configs, sizeof *ys);
	if (!s || !xs || !ys) {
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < r->n_configs; k++) {
		const lrs_result_config *c = &r->configs[k];
		long steps;
		size_t n;
		const lrs_trial_row *t = steps_of(r, c, &steps);
		if (steps <= 0)
			continue;
		if ((rc = trial_rates(st, t->id, c->schedule, c->params, steps, &xs[nl], &ys[nl], &n)) < 0)
			goto out;
		s[nl] = (lrs_plot_series){ .title = c->label, .x = xs[nl], .y = ys[nl], .n = n, .style = style_of(c, 0) };
		nl++;
	}
	if (nl == 0) {
		rc = lrs_error_set(LRS_EINVALID, "%s: no trial of experiment %lld has run yet", req->db,
		                   (long long)req->experiment_id);
		goto out;
	}
	snprintf(title, sizeof title, "%s: learning rate of each configuration", req->name);
	lrs_plot_opts opts = { .title = title, .xlabel = "step", .ylabel = "learning rate", .key_below = 1 };
	rc = lrs_plot_lines(req->path, &opts, s, nl);
out:
	for (size_t k = 0; k < nl && xs && ys; k++) {
		free(xs[k]);
		free(ys[k]);
	}
	free(xs);
	free(ys);
	free(s);
	return rc;
}

/* ------------------------------------------------------------ compare */

/* One row per compared configuration, best at the top, in its colour. */
static int plot_compare(const lrs_figure_request *req, const lrs_results *r)
{
	size_t n = 0;
	for (size_t k = 0; k < r->n_ranked; k++)
		n += !isnan(r->configs[r->ranked[k]].mean);
	if (n == 0)
		return lrs_error_set(LRS_EINVALID, "%s: experiment %lld has no completed trial", req->db,
		                     (long long)req->experiment_id);
	if (n > MAX_LINES)
		return lrs_error_set(LRS_EINVALID, "%s: more than %d configurations to draw", req->db, MAX_LINES);
	double *pt = calloc(4 * n, sizeof *pt);   /* x, y, lo, hi of each row */
	char (*tic)[64] = calloc(n, sizeof *tic);
	const char **tics = calloc(n, sizeof *tics);
	lrs_plot_series *s = calloc(n, sizeof *s);
	char title[400];
	int rc;

	if (!pt || !tic || !tics || !s) {
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		const lrs_result_config *c = &r->configs[r->ranked[k]];
		double *p = &pt[4 * k];
		p[0] = (double)(k + 1);
		p[1] = c->mean;
		p[2] = isnan(c->ci95) ? c->mean : c->mean - c->ci95;
		p[3] = isnan(c->ci95) ? c->mean : c->mean + c->ci95;
		/* rows of their own: room for 60 characters */
		snprintf(tic[k], sizeof tic[k], strlen(c->label) > 60 ? "%.57s..." : "%s", c->label);
		tics[k] = tic[k];
		s[k] = (lrs_plot_series){ .x = &p[0], .y = &p[1], .lo = &p[2], .hi = &p[3], .n = 1, .points = 1,
		                          .style = style_of(c, 0) };
	}
	snprintf(title, sizeof title, "%s: configurations, best first", req->name);
	lrs_plot_opts opts = { .title = title, .xlabel = "",
	                       .ylabel = "best validation accuracy (mean, 95% interval over seeds)",
	                       .categories = tics, .n_categories = n };
	rc = lrs_plot_lines(req->path, &opts, s, n);
out:
	free(pt);
	free(tic);
	free(tics);
	free(s);
	return rc;
}

/* ------------------------------------------------------------ the figure */

int lrs_report_figure(lrs_store *st, const lrs_figure_request *req)
{
	lrs_results r;
	int rc;

	if (!strcmp(req->what, "range-test"))
		return report_range_figure(st, req);
	if (!strcmp(req->what, "search"))
		return report_search_figure(st, req);
	if (strcmp(req->what, "curves") && strcmp(req->what, "schedules") && strcmp(req->what, "compare"))
		return lrs_error_set(LRS_EINVALID, "unknown figure '%s'", req->what);
	if ((rc = lrs_results_load(&r, st, req->experiment_id, NULL)) < 0)
		return rc;
	if (!strcmp(req->what, "curves"))
		rc = plot_curves(st, req, &r);
	else if (!strcmp(req->what, "schedules"))
		rc = plot_schedules(st, req, &r);
	else
		rc = plot_compare(req, &r);
	lrs_results_free(&r);
	return rc;
}
