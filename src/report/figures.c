/* figures.c - the pictures of a results database, drawn by `lrsweep plot`
 * and embedded in `lrsweep report` (figures.h). The data comes from
 * read-only SQL; the drawing from the plot module (gnuplot).
 *
 *   range-test  the mean curves of the repeats, the chosen bounds marked
 *   curves      validation accuracy per epoch: one line per configuration
 *               with a band of +-1 sd over seeds (per_trial: per trial)
 *   schedules   the rate each configuration used, step by step
 *   compare     mean and 95 % interval of the best validation accuracy per
 *               configuration, one row each (names of any length fit)
 *   (a linear range test over more than a decade is drawn on a log axis:
 *   docs/range-test.md, "The plot") */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/config.h"
#include "lrsweep/error.h"
#include "lrsweep/plot.h"
#include "lrsweep/schedule.h"
#include "lrsweep/stats.h"
#include "figures.h"
#include "range.h"
#include "table.h"

#define MAX_LINES 64     /* legends beyond this are unreadable */

/* What every figure needs besides the store. */
typedef struct {
	const char *db;          /* for messages                            */
	const char *out;         /* .png/.svg path, or NULL: the terminal   */
	int per_trial;
} figure_ctx;


/* The rows of a figure: none is "nothing to draw" (`none` says why), more
 * than MAX_LINES an unreadable legend; both LRS_EINVALID. */
static int fetch_lines(cli_table *t, lrs_store *st, const char *sql, const figure_ctx *a, const char *none,
                       const char *things)
{
	int rc;

	if ((rc = cli_table_fetch(t, st, sql)) < 0)
		return rc;
	if (t->nrows > 0 && t->nrows <= MAX_LINES)
		return 0;
	rc = t->nrows ? lrs_error_set(LRS_EINVALID, "%s: more than %d %s to draw", a->db, MAX_LINES, things)
	              : lrs_error_set(LRS_EINVALID, "%s: %s", a->db, none);
	cli_table_free(t);
	return rc;
}

/* Legends for the rows of t (ncols columns): the schedule, params and
 * hyper columns given (hyper < 0: none), named by what differs. */
static char **column_labels(const cli_table *t, int ncols, int sched, int params, int hyper)
{
	const char **s = calloc(t->nrows + 1, sizeof *s), **p = calloc(t->nrows + 1, sizeof *p);
	const char **h = calloc(t->nrows + 1, sizeof *h);
	char **labels = NULL;

	if (s && p && h) {
		for (size_t r = 0; r < t->nrows; r++) {
			s[r] = t->cells[r * (size_t)ncols + (size_t)sched];
			p[r] = t->cells[r * (size_t)ncols + (size_t)params];
			h[r] = hyper >= 0 ? t->cells[r * (size_t)ncols + (size_t)hyper] : NULL;
		}
		labels = cli_config_labels(s, p, hyper >= 0 ? h : NULL, t->nrows);
	}
	free(s);
	free(p);
	free(h);
	return labels;
}

static void free_labels(char **labels, size_t n)
{
	for (size_t i = 0; labels && i < n; i++)
		free(labels[i]);
	free(labels);
}

/* ------------------------------------------------------------ range-test */

static int plot_range_test(lrs_store *st, const figure_ctx *a, long long exp)
{
	char sql[512];
	cli_table b, r, pts;
	double *lr = NULL, *loss = NULL, *sm = NULL, *acc = NULL;
	long *count = NULL;
	size_t n = 0;
	int rc;

	snprintf(sql, sizeof sql, "SELECT min_lr, max_lr, rule FROM bounds WHERE experiment_id = %lld AND chosen = 1", exp);
	if ((rc = cli_table_fetch(&b, st, sql)) < 0)
		return rc;
	snprintf(sql, sizeof sql, "SELECT id, mode, (SELECT count(*) FROM range_points WHERE range_test_id = r.id) "
	         "FROM range_tests r WHERE experiment_id = %lld ORDER BY repeat", exp);
	if ((rc = cli_table_fetch(&r, st, sql)) < 0)
		goto out_b;
	if (r.nrows == 0) {
		rc = lrs_error_set(LRS_EINVALID, "%s: experiment %lld has no range test (its bounds were given)", a->db, exp);
		goto out_r;
	}
	/* the mean over repeats up to the shortest, as the test picked from */
	n = (size_t)atol(r.cells[2]);
	for (size_t k = 1; k < r.nrows; k++)
		if ((size_t)atol(r.cells[k * 3 + 2]) < n)
			n = (size_t)atol(r.cells[k * 3 + 2]);
	snprintf(sql, sizeof sql, "SELECT p.iteration, p.lr, p.loss, p.smoothed_loss, p.accuracy FROM range_points p "
	         "JOIN range_tests r ON r.id = p.range_test_id WHERE r.experiment_id = %lld "
	         "AND p.iteration >= 0 AND p.iteration < %zu",
	         exp, n);
	if ((rc = cli_table_fetch(&pts, st, sql)) < 0)
		goto out_r;
	lr = calloc(n + 1, sizeof *lr);
	loss = calloc(n + 1, sizeof *loss);
	sm = calloc(n + 1, sizeof *sm);
	acc = calloc(n + 1, sizeof *acc);
	count = calloc(n + 1, sizeof *count);
	if (!lr || !loss || !sm || !acc || !count) {
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < pts.nrows; k++) {
		char **c = &pts.cells[k * 5];
		size_t i = (size_t)atol(c[0]);
		lr[i] = atof(c[1]);
		loss[i] += c[2] ? atof(c[2]) : NAN;
		sm[i] += c[3] ? atof(c[3]) : NAN;
		acc[i] += c[4] ? atof(c[4]) : NAN;
		count[i]++;
	}
	for (size_t i = 0; i < n; i++) {
		loss[i] /= (double)count[i];
		sm[i] /= (double)count[i];
		acc[i] = count[i] == (long)r.nrows ? acc[i] / (double)count[i] : NAN;
	}
	cli_range_curves c = { !strcmp(r.cells[1], "exponential"), (long)r.nrows, n, lr, loss, sm, acc,
	                       b.nrows && b.cells[0] ? atof(b.cells[0]) : NAN,
	                       b.nrows && b.cells[1] ? atof(b.cells[1]) : NAN, b.nrows ? b.cells[2] : "none" };
	rc = cli_range_plot(a->out, &c);
out:
	free(lr);
	free(loss);
	free(sm);
	free(acc);
	free(count);
	cli_table_free(&pts);
out_r:
	cli_table_free(&r);
out_b:
	cli_table_free(&b);
	return rc;
}

/* ------------------------------------------------------------ curves */

/* One line of a curves plot: mean (and sd) per epoch. */
typedef struct {
	const char *schedule, *params, *hyper, *seed;  /* cells of the query */
	double x[1024], y[1024], lo[1024], hi[1024], sum[1024], sum2[1024];
	long n_at[1024];
	size_t n;
} line;

/* The legend of each line: what differs between the configurations, and
 * the seed when lines are trials. */
static int line_labels(const line *lines, size_t n, int per_trial, char ***out)
{
	const char **s = calloc(n + 1, sizeof *s), **p = calloc(n + 1, sizeof *p), **h = calloc(n + 1, sizeof *h);
	char **labels = NULL;

	for (size_t k = 0; s && p && h && k < n; k++) {
		s[k] = lines[k].schedule;
		p[k] = lines[k].params;
		h[k] = lines[k].hyper;
	}
	if (s && p && h)
		labels = cli_config_labels(s, p, h, n);
	free(s);
	free(p);
	free(h);
	if (!labels)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (size_t k = 0; per_trial && k < n; k++) {
		char buf[512];
		snprintf(buf, sizeof buf, "%s (seed %s)", labels[k], lines[k].seed);
		free(labels[k]);
		labels[k] = strdup(buf);
		if (!labels[k]) {
			free_labels(labels, n);
			return lrs_error_set(LRS_ENOMEM, "out of memory");
		}
	}
	*out = labels;
	return 0;
}

static int plot_curves(lrs_store *st, const figure_ctx *a, long long exp, const char *name)
{
	char sql[640], title[256], key[4096] = "", prev[4096] = "";
	lrs_plot_series *s = NULL;
	line *lines = NULL;
	char **labels = NULL;
	size_t nl = 0;
	cli_table t;
	int rc, bands = 0;

	snprintf(sql, sizeof sql, "SELECT t.id, t.schedule, t.params, t.hyper, t.seed, e.epoch, e.val_accuracy "
	         "FROM trials t JOIN epochs e ON e.trial_id = t.id WHERE t.experiment_id = %lld "
	         "AND t.status IN ('completed', 'pruned') AND e.val_accuracy IS NOT NULL "
	         "ORDER BY t.schedule, t.params, t.hyper, t.id, e.epoch", exp);
	if ((rc = cli_table_fetch(&t, st, sql)) < 0)
		return rc;
	if (t.nrows == 0) {
		cli_table_free(&t);
		return lrs_error_set(LRS_EINVALID, "%s: experiment %lld has no trial with a validation curve", a->db, exp);
	}
	lines = calloc(MAX_LINES, sizeof *lines);
	s = calloc(MAX_LINES, sizeof *s);
	if (!lines || !s) {
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t r = 0; r < t.nrows; r++) {
		char **c = &t.cells[r * 7];
		long epoch = atol(c[5]);
		if (a->per_trial)
			snprintf(key, sizeof key, "%s", c[0]);
		else
			snprintf(key, sizeof key, "%s|%s|%s", c[1], c[2], c[3]);
		if (strcmp(key, prev)) {
			if (nl == MAX_LINES) {
				rc = lrs_error_set(LRS_EINVALID, "%s: more than %d %s to draw; narrow it down with lrsweep "
				                   "query, or plot a smaller experiment", a->db, MAX_LINES,
				                   a->per_trial ? "trials" : "configurations");
				goto out;
			}
			line *l = &lines[nl++];
			l->schedule = c[1];
			l->params = c[2];
			l->hyper = c[3];
			l->seed = c[4];
			snprintf(prev, sizeof prev, "%s", key);
		}
		line *l = &lines[nl - 1];
		if (epoch < 1 || epoch > 1024)
			continue;
		l->sum[epoch - 1] += atof(c[6]);
		l->sum2[epoch - 1] += atof(c[6]) * atof(c[6]);
		l->n_at[epoch - 1]++;
		if ((size_t)epoch > l->n)
			l->n = (size_t)epoch;
	}
	if ((rc = line_labels(lines, nl, a->per_trial, &labels)) < 0)
		goto out;
	for (size_t k = 0; k < nl; k++) {
		line *l = &lines[k];
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
		s[k] = (lrs_plot_series){ .title = labels[k], .x = l->x, .y = l->y, .n = m,
		                          .lo = band ? l->lo : NULL, .hi = band ? l->hi : NULL };
		bands |= band;
	}
	snprintf(title, sizeof title, "%s: validation accuracy%s", name,
	         bands ? " (mean over seeds, band +-1 sd)" : "");
	lrs_plot_opts opts = { .title = title, .xlabel = "epoch", .ylabel = "validation accuracy", .key_below = 1,
	                       .whole_x = 1 };
	rc = lrs_plot_lines(a->out, &opts, s, nl);
out:
	free_labels(labels, nl);
	free(lines);
	free(s);
	cli_table_free(&t);
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
static int trial_rates(lrs_store *st, const char *trial_id, const char *schedule, const char *params, long steps,
                       double **x, double **y, size_t *n)
{
	lrs_node *node = NULL;
	lrs_sched *sched = NULL;
	int rc;

	*x = *y = NULL;
	*n = 0;
	if (!strcmp(schedule, "reduce_on_plateau")) {
		char sql[256];
		cli_table t;
		snprintf(sql, sizeof sql, "SELECT iteration, lr FROM epochs WHERE trial_id = %s ORDER BY epoch", trial_id);
		if ((rc = cli_table_fetch(&t, st, sql)) < 0)
			return rc;
		*x = calloc(t.nrows + 1, sizeof **x);
		*y = calloc(t.nrows + 1, sizeof **y);
		for (size_t r = 0; *x && *y && r < t.nrows; r++) {
			(*x)[r] = atof(t.cells[r * 2]);
			(*y)[r] = atof(t.cells[r * 2 + 1]);
		}
		*n = t.nrows;
		cli_table_free(&t);
		return *x && *y ? 0 : lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	if ((rc = lrs_config_parse_yaml(&node, params, strlen(params))) < 0)
		return lrs_error_set(rc, "trial %s: cannot read its stored parameters: %s", trial_id, lrs_error_last());
	lrs_sched_ctx ctx = { NAN, NAN, 0, steps };
	rc = lrs_sched_build(&sched, schedule, node, &ctx);
	lrs_node_free(node);
	if (rc < 0)
		return lrs_error_set(rc, "trial %s: cannot rebuild its schedule: %s", trial_id, lrs_error_last());
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

static int plot_schedules(lrs_store *st, const figure_ctx *a, long long exp, const char *name)
{
	char sql[512], title[400], none[64], **labels = NULL;
	lrs_plot_series *s = NULL;
	double **xs = NULL, **ys = NULL;
	size_t nl = 0;
	cli_table t;
	int rc;

	/* one trial per configuration: the rate does not depend on the seed */
	snprintf(sql, sizeof sql, "SELECT min(id), schedule, params, max(iterations) "
	         "FROM trials WHERE experiment_id = %lld GROUP BY schedule, params ORDER BY min(id)", exp);
	snprintf(none, sizeof none, "experiment %lld has no trials", exp);
	if ((rc = fetch_lines(&t, st, sql, a, none, "schedules")) < 0)
		return rc;
	s = calloc(t.nrows, sizeof *s);
	xs = calloc(t.nrows, sizeof *xs);
	ys = calloc(t.nrows, sizeof *ys);
	labels = column_labels(&t, 4, 1, 2, -1);
	if (!s || !xs || !ys || !labels) {
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t r = 0; r < t.nrows; r++) {
		char **c = &t.cells[r * 4];
		size_t n;
		/* the longest any of its trials ran (a completed one: all of it) */
		long steps = c[3] ? atol(c[3]) : 0;
		if (steps <= 0)
			continue;
		if ((rc = trial_rates(st, c[0], c[1], c[2], steps, &xs[nl], &ys[nl], &n)) < 0)
			goto out;
		s[nl] = (lrs_plot_series){ .title = labels[r], .x = xs[nl], .y = ys[nl], .n = n };
		nl++;
	}
	if (nl == 0) {
		rc = lrs_error_set(LRS_EINVALID, "%s: no trial of experiment %lld has run yet", a->db, exp);
		goto out;
	}
	snprintf(title, sizeof title, "%s: learning rate of each configuration", name);
	lrs_plot_opts opts = { .title = title, .xlabel = "step", .ylabel = "learning rate", .key_below = 1 };
	rc = lrs_plot_lines(a->out, &opts, s, nl);
out:
	for (size_t k = 0; k < t.nrows && xs && ys; k++) {
		free(xs[k]);
		free(ys[k]);
	}
	free(xs);
	free(ys);
	free(s);
	free_labels(labels, t.nrows);
	cli_table_free(&t);
	return rc;
}

/* ------------------------------------------------------------ compare */

static int plot_compare(lrs_store *st, const figure_ctx *a, long long exp, const char *name)
{
	char sql[512], title[400], none[64], **labels = NULL;
	const char **tics = NULL;
	double *x = NULL, *y = NULL, *lo = NULL, *hi = NULL;
	cli_table t;
	int rc;

	snprintf(sql, sizeof sql, "SELECT schedule, params, count(*), avg(best_val_accuracy), "
	         "sum(best_val_accuracy * best_val_accuracy), hyper FROM trials WHERE experiment_id = %lld "
	         "AND status = 'completed' GROUP BY schedule, params, hyper "
	         "ORDER BY avg(best_val_accuracy) DESC", exp);
	snprintf(none, sizeof none, "experiment %lld has no completed trial", exp);
	if ((rc = fetch_lines(&t, st, sql, a, none, "configurations")) < 0)
		return rc;
	x = calloc(t.nrows, sizeof *x);
	y = calloc(t.nrows, sizeof *y);
	lo = calloc(t.nrows, sizeof *lo);
	hi = calloc(t.nrows, sizeof *hi);
	tics = calloc(t.nrows, sizeof *tics);
	labels = column_labels(&t, 6, 0, 1, 5);
	if (!x || !y || !lo || !hi || !tics || !labels) {
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t r = 0; r < t.nrows; r++) {
		char **c = &t.cells[r * 6];
		size_t n = (size_t)atol(c[2]);
		double mean = atof(c[3]), s2 = atof(c[4]);
		double sd = n > 1 ? sqrt(fmax(0, (s2 - (double)n * mean * mean) / (double)(n - 1))) : NAN;
		double ci = lrs_ci95(sd, n);
		x[r] = (double)(r + 1);
		y[r] = mean;
		lo[r] = isnan(ci) ? mean : mean - ci;
		hi[r] = isnan(ci) ? mean : mean + ci;
		if (strlen(labels[r]) > 60)   /* (rows of their own: room for 60 characters) */
			strcpy(labels[r] + 57, "...");
		tics[r] = labels[r];
	}
	lrs_plot_series s = { .title = "mean best validation accuracy, 95% interval over seeds", .x = x, .y = y,
	                      .n = t.nrows, .lo = lo, .hi = hi, .points = 1 };
	snprintf(title, sizeof title, "%s: configurations, best first", name);
	lrs_plot_opts opts = { .title = title, .xlabel = "", .ylabel = "best validation accuracy",
	                       .categories = tics, .n_categories = t.nrows };
	rc = lrs_plot_lines(a->out, &opts, &s, 1);
out:
	free(x);
	free(y);
	free(lo);
	free(hi);
	free(tics);
	free_labels(labels, t.nrows);
	cli_table_free(&t);
	return rc;
}


int cli_figure(lrs_store *st, const char *db, long long exp, const char *name, const char *what, const char *path,
               int per_trial)
{
	figure_ctx a = { db, path, per_trial };

	if (!strcmp(what, "range-test"))
		return plot_range_test(st, &a, exp);
	if (!strcmp(what, "curves"))
		return plot_curves(st, &a, exp, name);
	if (!strcmp(what, "schedules"))
		return plot_schedules(st, &a, exp, name);
	if (!strcmp(what, "compare"))
		return plot_compare(st, &a, exp, name);
	return lrs_error_set(LRS_EINVALID, "unknown figure '%s'", what);
}
