/* range.c - the range test's figure: the mean curves of its repeats, the
 * chosen bounds marked (report.h). Drawn as the test runs (`lrsweep
 * range-test --plot`) and from the database (`lrsweep plot range-test`,
 * the report), the same picture both ways. An experiment with one range
 * test per group (SPEC §4) gets a figure per group, or one figure with
 * each group's smoothed loss and accuracy named by the group.
 * (A linear range test over more than a decade is drawn on a log axis:
 * docs/range-test.md, "The plot".) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/pipeline.h"
#include "lrsweep/plot.h"
#include "internal.h"

/* ------------------------------------------------------------ one test */

/* Whether rates lr[0..n) are drawn on a log axis: an exponential ramp, or
 * a linear one over more than a decade (on a linear axis the low rates,
 * where the bounds usually are, get a sliver at the left: 1e-4 to 1 puts
 * bounds at 0.015 and 0.03 in its first 3 %; within a decade, the CLR
 * paper's tests, it stays linear). */
static int log_axis(int exponential, const double *lr, size_t n, double *lo, double *hi)
{
	for (size_t i = 0; i < n; i++)
		if (isfinite(lr[i]) && lr[i] > 0) {
			*lo = fmin(*lo, lr[i]);
			*hi = fmax(*hi, lr[i]);
		}
	return exponential || *hi > 10 * *lo;
}

int lrs_report_range_plot(const char *path, const lrs_range_figure *c)
{
	double *ax = malloc((c->n > 0 ? c->n : 1) * sizeof *ax);
	double *ay = malloc((c->n > 0 ? c->n : 1) * sizeof *ay);
	double marks[2] = { c->min_lr, c->max_lr }, top = 0, lo = HUGE_VAL, hi = 0;
	const char *labels[2] = { "min_lr", "max_lr" };
	char title[400];
	size_t m = 0;
	int err;

	if (!ax || !ay) {
		free(ax);
		free(ay);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < c->n; i++)
		if (!isnan(c->accuracy[i])) {
			ax[m] = c->lr[i];
			ay[m++] = c->accuracy[i];
		}
	lrs_plot_series s[3] = {
		{ .title = "training loss", .x = c->lr, .y = c->loss, .n = c->n },
		{ .title = "smoothed loss", .x = c->lr, .y = c->smoothed_loss, .n = c->n },
		{ .title = "validation accuracy", .x = ax, .y = ay, .n = m, .right_axis = 1 },
	};
	int k = snprintf(title, sizeof title, "LR range test (%s), mean of %ld repeat%s, bounds: %s%s%s",
	                 c->exponential ? "exponential" : "linear", c->repeats, c->repeats > 1 ? "s" : "", c->rule,
	                 c->group && *c->group ? "; group " : "", c->group ? c->group : "");
	if (c->probe_iterations > 0 && k > 0 && (size_t)k < sizeof title)
		snprintf(title + k, sizeof title - (size_t)k, "; range from a probe of %ld updates",
		         c->probe_iterations);
	/* the loss axis ends a little above the smoothed curve's start, so the
	 * spike where the test stops does not flatten everything else */
	for (size_t i = 0; i < c->n; i++)
		top = fmax(top, c->smoothed_loss[i]);
	int logx = log_axis(c->exponential, c->lr, c->n, &lo, &hi);
	lrs_plot_opts opts = { .title = title, .xlabel = logx ? "learning rate (log scale)" : "learning rate",
	                       .ylabel = "loss", .y2label = "validation accuracy", .logx = logx, .marks = marks,
	                       .mark_labels = labels, .n_marks = isnan(c->max_lr) ? 0 : 2, .ymax = 1.5 * top,
	                       .key_below = 1 };
	err = lrs_plot_lines(path, &opts, s, 3);
	free(ax);
	free(ay);
	return err;
}

/* ------------------------------------------------------------ from the store */

/* The mean curves of one group's repeats, up to the shortest (as the test
 * picked from), with its chosen bounds. */
typedef struct {
	const char *group;
	int exponential;
	long repeats;
	size_t n;
	double *lr, *loss, *sm, *acc;   /* (n)                               */
	double min_lr, max_lr;          /* chosen; NAN none                  */
	const char *rule;               /* the chosen rule, or "none"        */
	long probe_iterations;          /* the probe that set its range; -1 none */
	double *ax, *ay;                /* (n) the evaluated points          */
	size_t n_acc;
} group_curves;

/* The arrays of g, to allocate and free together. */
#define CURVES(g) { &(g)->lr, &(g)->loss, &(g)->sm, &(g)->acc, &(g)->ax, &(g)->ay }
#define N_CURVES 6

static void curves_free(group_curves *g)
{
	double **arrays[N_CURVES] = CURVES(g);

	for (size_t k = 0; k < N_CURVES; k++)
		free(*arrays[k]);
}

/* Means over the repeats of group g->group in rt; bounds from bd. */
static int mean_curves(group_curves *g, const lrs_range_test_rows *rt, const lrs_bound_rows *bd)
{
	long *count;
	int first = 1;

	g->n = 0;
	for (size_t k = 0; k < rt->n; k++) {
		const lrs_range_test_row *r = &rt->items[k];
		if (strcmp(r->group_key, g->group))
			continue;
		if (first) {
			g->exponential = !strcmp(r->mode, "exponential");
			g->probe_iterations = r->probe_iterations;
		}
		if (first || (size_t)r->n_points < g->n)
			g->n = (size_t)r->n_points;
		first = 0;
		g->repeats++;
	}
	double **arrays[N_CURVES] = CURVES(g);
	int oom = !(count = calloc(g->n + 1, sizeof *count));
	for (size_t k = 0; k < N_CURVES; k++)
		oom |= !(*arrays[k] = calloc(g->n + 1, sizeof **arrays[k]));
	if (oom) {
		free(count);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	for (size_t k = 0; k < rt->n; k++) {
		const lrs_range_test_row *r = &rt->items[k];
		for (long j = 0; !strcmp(r->group_key, g->group) && j < r->n_points; j++) {
			const lrs_range_point *p = &r->points[j];
			if (p->iteration < 0 || (size_t)p->iteration >= g->n)
				continue;
			size_t i = (size_t)p->iteration;
			g->lr[i] = p->lr;
			g->loss[i] += p->loss;
			g->sm[i] += p->smoothed_loss;
			g->acc[i] += p->accuracy;
			count[i]++;
		}
	}
	for (size_t i = 0; i < g->n; i++) {
		g->loss[i] /= (double)count[i];
		g->sm[i] /= (double)count[i];
		g->acc[i] = count[i] == g->repeats ? g->acc[i] / (double)count[i] : NAN;
		if (!isnan(g->acc[i])) {
			g->ax[g->n_acc] = g->lr[i];
			g->ay[g->n_acc++] = g->acc[i];
		}
	}
	free(count);
	g->min_lr = g->max_lr = NAN;
	g->rule = "none";
	for (size_t k = 0; k < bd->n; k++)
		if (bd->items[k].chosen && !strcmp(bd->items[k].group_key, g->group)) {
			g->min_lr = bd->items[k].min_lr;
			g->max_lr = bd->items[k].max_lr;
			g->rule = bd->items[k].rule;
		}
	return 0;
}

/* The groups of rt in their order: pointers into rt (n of them). */
static size_t groups_of(const lrs_range_test_rows *rt, const char **out)
{
	size_t n = 0;

	for (size_t k = 0; k < rt->n; k++) {
		int seen = 0;
		for (size_t j = 0; j < n && !seen; j++)
			seen = !strcmp(out[j], rt->items[k].group_key);
		if (!seen)
			out[n++] = rt->items[k].group_key;
	}
	return n;
}

/* Every group in one figure: each group's smoothed loss (solid) and
 * validation accuracy (dashed, right axis) in the group's colour, its
 * bounds marked "min_lr K", "max_lr K". */
static int plot_groups(const lrs_figure_request *req, group_curves *g, size_t n)
{
	lrs_plot_series *s = calloc(2 * n + 1, sizeof *s);
	double *marks = calloc(2 * n + 1, sizeof *marks), top = 0, lo = HUGE_VAL, hi = 0;
	char (*names)[300] = calloc(2 * n + 1, sizeof *names), (*marked)[32] = calloc(2 * n + 1, sizeof *marked);
	const char **mark_labels = calloc(2 * n + 1, sizeof *mark_labels);
	size_t nm = 0;
	int logx = 0, rc;
	char title[400];

	if (!s || !marks || !names || !marked || !mark_labels) {
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		snprintf(names[2 * k], sizeof names[0], "%zu: %s, smoothed loss", k + 1, g[k].group);
		snprintf(names[2 * k + 1], sizeof names[0], "%zu: %s, validation accuracy", k + 1, g[k].group);
		s[2 * k] = (lrs_plot_series){ .title = names[2 * k], .x = g[k].lr, .y = g[k].sm, .n = g[k].n,
		                              .style = (int)k + 1 };
		s[2 * k + 1] = (lrs_plot_series){ .title = names[2 * k + 1], .x = g[k].ax, .y = g[k].ay, .n = g[k].n_acc,
		                                  .right_axis = 1, .style = (int)k + 11 };
		for (size_t i = 0; i < g[k].n; i++)
			top = fmax(top, g[k].sm[i]);
		logx |= log_axis(g[k].exponential, g[k].lr, g[k].n, &lo, &hi);
	}
	/* every group's min_lr, then every max_lr: close marks of two groups
	 * come one after the other, at staggered heights */
	for (int b = 0; b < 2; b++)
		for (size_t k = 0; k < n; k++) {
			if (isnan(g[k].max_lr))
				continue;
			snprintf(marked[nm], sizeof marked[0], "%s %zu", b ? "max_lr" : "min_lr", k + 1);
			marks[nm] = b ? g[k].max_lr : g[k].min_lr;
			mark_labels[nm] = marked[nm];
			nm++;
		}
	snprintf(title, sizeof title, "LR range tests of %s, one per group (mean of their repeats; bounds marked)",
	         req->name);
	lrs_plot_opts opts = { .title = title, .xlabel = logx ? "learning rate (log scale)" : "learning rate",
	                       .ylabel = "smoothed loss", .y2label = "validation accuracy", .logx = logx,
	                       .marks = marks, .mark_labels = mark_labels, .n_marks = nm, .ymax = 1.5 * top,
	                       .key_below = 1 };
	rc = lrs_plot_lines(req->path, &opts, s, 2 * n);
out:
	free(s);
	free(marks);
	free(names);
	free(marked);
	free(mark_labels);
	return rc;
}

/* The figure of the groups asked for: one alone as lrs_report_range_plot
 * draws it, several together. */
static int draw(const lrs_figure_request *req, const lrs_range_test_rows *rt, const lrs_bound_rows *bd,
                const char **groups, size_t n)
{
	group_curves *g = calloc(n + 1, sizeof *g);
	int rc = 0;

	if (!g)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (size_t k = 0; k < n && rc == 0; k++) {
		g[k].group = groups[k];
		rc = mean_curves(&g[k], rt, bd);
	}
	if (rc == 0 && n == 1) {
		lrs_range_figure f = { g->exponential, g->repeats, g->n, g->lr, g->loss, g->sm, g->acc, g->min_lr,
		                       g->max_lr, g->rule, g->group, g->probe_iterations };
		rc = lrs_report_range_plot(req->path, &f);
	} else if (rc == 0) {
		rc = plot_groups(req, g, n);
	}
	for (size_t k = 0; k < n; k++)
		curves_free(&g[k]);
	free(g);
	return rc;
}

int report_range_figure(lrs_store *st, const lrs_figure_request *req)
{
	lrs_range_test_rows rt;
	lrs_bound_rows bd;
	const char **groups = NULL;
	size_t n = 0;
	int rc;

	if ((rc = lrs_store_bounds_read(&bd, st, req->experiment_id)) < 0)
		return rc;
	if ((rc = lrs_store_range_tests_read(&rt, st, req->experiment_id, 1)) < 0)
		goto out_bd;
	if (rt.n == 0) {
		rc = lrs_error_set(LRS_EINVALID, "%s: experiment %lld has no range test (its bounds were given)", req->db,
		                   (long long)req->experiment_id);
		goto out;
	}
	if (!(groups = calloc(rt.n + 1, sizeof *groups))) {
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto out;
	}
	n = groups_of(&rt, groups);
	if (req->group) {   /* that group alone */
		groups[0] = req->group;
		n = 1;
	}
	rc = draw(req, &rt, &bd, groups, n);
out:
	free(groups);
	lrs_range_test_rows_free(&rt);
out_bd:
	lrs_bound_rows_free(&bd);
	return rc;
}

/* ------------------------------------------------------------ as text */

const char *lrs_report_probe_line(char *buf, size_t size, long probe_iterations, const char *note,
                                  double start_lr, double end_lr)
{
	if (probe_iterations <= 0)
		snprintf(buf, size, "no probe (range given)");
	else
		snprintf(buf, size, "probe: %ld updates -> linear %.3g .. %.3g%s%s", probe_iterations, start_lr, end_lr,
		         note ? ": " : "", note ? note : "");
	return buf;
}

static void print_bound(FILE *f, double v)
{
	if (isnan(v))
		fprintf(f, "  %11s", "-");
	else
		fprintf(f, "  %11.4g", v);
}

static void print_spread(FILE *f, double v)
{
	if (isnan(v))
		fprintf(f, "  %10s", "-");
	else
		fprintf(f, "  %9.2fx", v);
}

void lrs_report_range_summary(FILE *f, const lrs_range_outcome *o, const lrs_range_config *rc,
                               const lrs_range_choice *ch, long spe)
{
	int chosen = ch->chosen;
	char note[1600];

	fprintf(f, "range test: %s %g -> %g over %ld iterations (%.3g epochs of %ld), %ld repeat%s in %.1f s\n\n",
	       rc->mode == LRS_RAMP_EXPONENTIAL ? "exponential" : "linear", rc->start_lr, rc->end_lr,
	       rc->iterations, (double)rc->iterations / (double)spe, spe, o->repeats, o->repeats > 1 ? "s" : "",
	       o->wall_seconds);
	fprintf(f, "%6s  %20s  %10s  %10s  %8s\n", "repeat", "seed", "points", "stopped_at", "seconds");
	for (long r = 0; r < o->repeats; r++) {
		const lrs_range_curve *c = &o->curves[r];
		fprintf(f, "%6ld  %20llu  %10ld  ", r, (unsigned long long)o->seeds[r], c->n);
		if (c->stopped_at >= 0)
			fprintf(f, "%10ld", c->stopped_at);
		else
			fprintf(f, "%10s", "-");
		fprintf(f, "  %8.1f%s\n", c->wall_seconds, c->diverged ? "  (diverged)" : "");
	}
	fprintf(f, "\n%-15s  %11s  %11s  %10s  %10s\n", "rule", "min_lr", "max_lr", "min_spread", "max_spread");
	for (int k = 0; k < LRS_PICK__COUNT; k++) {
		const lrs_pick_result *p = &o->picks[k];
		fprintf(f, "%-13s%s", lrs_pick_rule_name((lrs_pick_rule)k), k == chosen ? " *" : "  ");
		print_bound(f, p->ok ? p->min_lr : NAN);
		print_bound(f, p->ok ? p->max_lr : NAN);
		print_spread(f, o->min_spread[k]);
		print_spread(f, o->max_spread[k]);
		const char *why = lrs_range_note(note, sizeof note, o, ch, k);
		if (why[0])
			fprintf(f, "  (%s%s)", p->ok ? "" : "no pick: ", why);
		fprintf(f, "\n");
	}
	if (chosen >= 0)
		fprintf(f, "\nbounds (%s%s%s): min_lr %.4g, max_lr %.4g\n", lrs_pick_rule_name((lrs_pick_rule)chosen),
		       chosen != (int)ch->preferred ? ", in place of " : "",
		       chosen != (int)ch->preferred ? lrs_pick_rule_name(ch->preferred) : "", o->picks[chosen].min_lr,
		       o->picks[chosen].max_lr);
	else
		fprintf(f, "\nno bounds: no rule could pick (%s: %s)\n", lrs_pick_rule_name(ch->preferred),
		       o->picks[ch->preferred].why);
}
