/* report.c - the one self-contained HTML page about an experiment
 * (`lrsweep report`, SPEC §2; report.h): its header and YAML, the range
 * test of each group with every rule's bounds, the leaderboard, the
 * comparison of configurations (and by schedule type, when other keys
 * varied too), the search figure when the experiment searched keys, and
 * the curves and schedules plots.
 *
 * The page needs nothing but itself: styles inline, no script at all, the
 * plots as inline SVG drawn by figures.c and range.c (the same calls as
 * `lrsweep plot`), and a Content-Security-Policy that forbids any fetch,
 * so a browser offline shows all of it. Every text that comes from the
 * database is HTML-escaped (html.c). Labels, statistics and verdicts are
 * the results module's, as `lrsweep query compare` prints them. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lrsweep/error.h"
#include "lrsweep/outfile.h"
#include "lrsweep/results.h"
#include "lrsweep/store.h"
#include "lrsweep/version.h"
#include "internal.h"

#define TOP LRS_REPORT_TOP

/* What the sections share while the page is built. */
typedef struct {
	lrs_store *st;
	const char *db;
	const lrs_experiment_row *e;
	const lrs_results *res;
	char tmpdir[64];       /* private directory of the plots' SVG files */
	int n_plots;           /* plots embedded so far: their id prefix   */
	lrs_buf *b;
	const char *out;       /* the report's file, as the user named it  */
} report;

/* Text without the `report_` prefix of the helpers' names. */
#define text report_html_text
#define elem report_html_elem

/* ------------------------------------------------------------ plots */

/* Reads the SVG gnuplot wrote to `path` into the page. The XML prolog
 * goes (invalid inside HTML), and every id, with the references to it,
 * gets the prefix "pK-": gnuplot names its markers and clip paths alike in
 * every plot, and the first of equal ids would win for all of them. */
static int embed_svg(report *r, const char *path)
{
	static const char *const refs[] = { " id='", " id=\"", "href='#", "href=\"#", "url(#" };
	FILE *f = fopen(path, "rb");
	lrs_buf svg = { 0 };
	char chunk[8192];
	size_t got;
	int k = ++r->n_plots;

	if (!f)
		return lrs_error_set(LRS_ERROR, "%s: cannot read the plot (%s)", path, strerror(errno));
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		lrs_buf_printf(&svg, "%.*s", (int)got, chunk);
	fclose(f);
	if (svg.failed)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	const char *p = svg.data ? strstr(svg.data, "<svg") : NULL;
	if (!p || memchr(svg.data, '\0', svg.len)) {
		lrs_buf_free(&svg);
		return lrs_error_set(LRS_ERROR, "%s: gnuplot wrote no SVG", path);
	}
	lrs_buf_printf(r->b, "<figure>\n");
	while (*p) {
		const char *next = NULL;
		size_t len = 0;
		for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
			const char *q = strstr(p, refs[i]);
			if (q && (!next || q < next)) {
				next = q;
				len = strlen(refs[i]);
			}
		}
		if (!next) {
			lrs_buf_printf(r->b, "%s", p);
			break;
		}
		lrs_buf_printf(r->b, "%.*sp%d-", (int)(next + len - p), p, k);
		p = next + len;
	}
	lrs_buf_printf(r->b, "</figure>\n");
	lrs_buf_free(&svg);
	return 0;
}

/* The file a plot is drawn into: one per plot, in the report's private
 * directory, so that no other process can put anything in its place. */
static void plot_path(const report *r, char *out, size_t cap)
{
	snprintf(out, cap, "%s/plot%d.svg", r->tmpdir, r->n_plots + 1);
}

/* A section's note that it has nothing to show, and why. */
static void none(report *r, const char *why)
{
	lrs_buf_printf(r->b, "<p class=\"none\">");
	text(r->b, why, NULL);
	lrs_buf_printf(r->b, "</p>\n");
}

/* A number cell: `fmt` of v, "-" for NAN. */
static void num_cell(lrs_buf *b, double v, const char *fmt)
{
	if (isnan(v)) {
		lrs_buf_printf(b, "<td class=\"n\">-</td>");
		return;
	}
	lrs_buf_printf(b, "<td class=\"n\">");
	lrs_buf_printf(b, fmt, v);
	lrs_buf_printf(b, "</td>");
}

/* Draws figure `what` (of group `group` for a range test) into the page.
 * A figure the data does not allow (none to draw, too many lines) becomes
 * a note saying why. */
static int embed_figure(report *r, const char *what, const char *group)
{
	char path[96];
	int rc;

	plot_path(r, path, sizeof path);
	lrs_outfile_track(path);   /* removed if a signal ends the report */
	lrs_figure_request req = { r->db, r->e->id, r->e->name, what, path, 0, group, NULL };
	rc = lrs_report_figure(r->st, &req);
	if (rc == 0)
		rc = embed_svg(r, path);
	else if (rc == LRS_EINVALID) {
		const char *msg = lrs_error_last();
		size_t dl = strlen(r->db);
		char why[600];
		if (!strncmp(msg, r->db, dl) && !strncmp(msg + dl, ": ", 2))
			msg += dl + 2;   /* the page is about that database already */
		snprintf(why, sizeof why, "Not drawn: %s.", msg);
		none(r, why);
		rc = 0;
	} else if (rc < 0 && !strncmp(lrs_error_last(), path, strlen(path)) &&
	           !strncmp(lrs_error_last() + strlen(path), ": ", 2)) {
		/* a full disk: said of the report, not of its private file */
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", lrs_error_last() + strlen(path) + 2);
		rc = lrs_error_set(rc, "%s: drawing the report's plots: %s", r->out, msg);
	}
	unlink(path);
	lrs_outfile_untrack(path);
	return rc;
}

/* ------------------------------------------------------------ header */

/* "N: a completed, b pruned": the trials by status, the most first. */
static void trial_counts(report *r)
{
	const lrs_trial_rows *t = &r->res->trials;
	size_t count[LRS_TRIAL_INTERRUPTED + 1] = { 0 }, shown[LRS_TRIAL_INTERRUPTED + 1] = { 0 };

	for (size_t i = 0; i < t->n; i++)
		count[t->items[i].status]++;
	lrs_buf_printf(r->b, "<tr><th>trials</th><td>%zu", t->n);
	for (int k = 0; ; k++) {   /* by count, then by name, as SQL ordered them */
		int best = -1;
		for (int s = 0; s <= LRS_TRIAL_INTERRUPTED; s++)
			if (count[s] && !shown[s] && (best < 0 || count[s] > count[best] ||
			    (count[s] == count[best] && strcmp(lrs_trial_status_name((lrs_trial_status)s),
			                                       lrs_trial_status_name((lrs_trial_status)best)) < 0)))
				best = s;
		if (best < 0)
			break;
		shown[best] = 1;
		lrs_buf_printf(r->b, "%s%zu ", k ? ", " : ": ", count[best]);
		text(r->b, lrs_trial_status_name((lrs_trial_status)best), NULL);
	}
	lrs_buf_printf(r->b, "</td></tr>\n");
}

/* A size of the data, "?" when not stored. */
static void size_text(lrs_buf *b, long v)
{
	if (v < 0)
		lrs_buf_printf(b, "?");
	else
		lrs_buf_printf(b, "%ld", v);
}

static int cmp_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The model the trials trained, as their stored hyper holds it
 * ("input=[1, 28, 28], layers=conv6k5p2 relu ..., init=torch"; an MLP's
 * hidden widths), or how many when the sweep varied it; nothing for a
 * trainer that keeps its model to itself. */
static void model_row(report *r)
{
	static const char *const key[] = { "model" };
	size_t n = r->res ? r->res->trials.n : 0, m = 0, models = 0;
	char **v = n ? lrs_results_values(r->res, key, 1) : NULL;

	for (size_t i = 0; v && i < n; i++)   /* the trials that have one, first */
		if (v[i]) {
			char *t = v[m];
			v[m++] = v[i];
			v[i] = t;
		}
	if (m)
		qsort(v, m, sizeof *v, cmp_text);
	for (size_t i = 0; i < m; i++)
		models += i == 0 || strcmp(v[i - 1], v[i]) != 0;
	if (models) {
		char *readable = lrs_results_readable(v[0]);
		lrs_buf_printf(r->b, "<tr><th>model</th><td>");
		if (models > 1)
			lrs_buf_printf(r->b, "%zu models (the leaderboard names each trial's)", models);
		else
			text(r->b, readable ? readable : v[0], NULL);
		lrs_buf_printf(r->b, "</td></tr>\n");
		free(readable);
	}
	lrs_results_values_free(v, n);
}

static void section_header(report *r)
{
	const lrs_experiment_row *e = r->e;
	const char *labels[] = { "status", "started", "finished", "host", "lrsweep version" };
	const char *values[] = { e->status, e->created_at, e->finished_at, e->host, e->tool_version };

	lrs_buf_printf(r->b, "<header>\n<p class=\"kicker\">lrsweep report</p>\n<h1>");
	text(r->b, e->name, NULL);
	lrs_buf_printf(r->b, "</h1>\n<table class=\"kv\">\n<tr><th>experiment id</th><td>%lld</td></tr>\n",
	               (long long)e->id);
	for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++) {
		lrs_buf_printf(r->b, "<tr>");
		elem(r->b, "th", labels[k], NULL);
		elem(r->b, "td", values[k], k == 2 ? "- (not finished)" : "-");
		lrs_buf_printf(r->b, "</tr>\n");
	}
	/* the data sizes in one line: train / validation / test, features, classes */
	const long sizes[] = { e->train_samples, e->val_samples, e->test_samples, e->features, e->classes };
	const char *const after[] = { " train, ", " validation, ", " test samples; ", " features, ", " classes" };
	lrs_buf_printf(r->b, "<tr><th>data</th><td>");
	for (size_t k = 0; k < 5; k++) {
		if (k == 2 && sizes[k] <= 0)
			lrs_buf_printf(r->b, "no");   /* no test data */
		else
			size_text(r->b, sizes[k]);
		lrs_buf_printf(r->b, "%s", after[k]);
	}
	lrs_buf_printf(r->b, "</td></tr>\n");
	model_row(r);
	trial_counts(r);
	lrs_buf_printf(r->b, "</table>\n</header>\n");
}

static void section_config(report *r)
{
	lrs_buf_printf(r->b, "<section id=\"config\">\n<h2>Configuration</h2>\n"
	               "<p>The experiment file as stored with the results.</p>\n<pre>");
	text(r->b, r->e->config, "(not stored)");
	lrs_buf_printf(r->b, "</pre>\n</section>\n");
}

/* ------------------------------------------------------------ range test */

/* The bounds of group `group`: every rule's, the chosen one marked. */
static void bounds_table(report *r, const lrs_bound_rows *b, const char *group)
{
	static const char *const head[] = { "rule", "min_lr", "max_lr", "min_lr spread", "max_lr spread", "",
		                            "the rule's note" };

	lrs_buf_printf(r->b, "<table>\n");
	report_html_head_row(r->b, head, 7);
	for (size_t k = 0; k < b->n; k++) {
		const lrs_bound_read *x = &b->items[k];
		if (strcmp(x->group_key, group))
			continue;
		lrs_buf_printf(r->b, "<tr%s>", x->chosen ? " class=\"chosen\"" : "");
		elem(r->b, "td", x->rule, "-");
		num_cell(r->b, x->min_lr, "%.4g");
		num_cell(r->b, x->max_lr, "%.4g");
		num_cell(r->b, x->min_lr_spread, "%.2fx");
		num_cell(r->b, x->max_lr_spread, "%.2fx");
		lrs_buf_printf(r->b, "<td>%s</td>", x->chosen ? "&#9733; chosen" : "");
		elem(r->b, "td", x->note, "");
		lrs_buf_printf(r->b, "</tr>\n");
	}
	lrs_buf_printf(r->b, "</table>\n<p class=\"note\">The chosen rule's bounds fed the trials; the spread "
	               "is the max/min ratio of the repeats' own picks (- when unknown: one repeat, or a rule that "
	               "did not pick on every repeat).</p>\n");
}

/* Where the test's range came from: the probe that chose it (its length,
 * the linear range and the probe's own words), or that it was given. */
static void probe_note(report *r, const lrs_range_test_row *t)
{
	char line[LRS_RANGE_PROBE_NOTE + 128];

	lrs_buf_printf(r->b, "<p class=\"note probe\">");
	text(r->b, lrs_report_probe_line(line, sizeof line, t->probe_iterations, t->probe_note, t->start_lr,
	                                 t->end_lr), NULL);
	lrs_buf_printf(r->b, "</p>\n");
}

/* One group's test: its ramp, where it came from, its figure, its bounds.
 * `grouped`: a heading naming the group, and its own figure. */
static int range_group(report *r, const lrs_range_test_rows *rt, const lrs_bound_rows *b, const char *group,
                       int grouped)
{
	const lrs_range_test_row *first = NULL;
	size_t repeats = 0, bounds = 0;
	int rc;

	for (size_t k = 0; k < rt->n; k++)
		if (!strcmp(rt->items[k].group_key, group)) {
			first = first ? first : &rt->items[k];
			repeats++;
		}
	for (size_t k = 0; k < b->n; k++)
		bounds += !strcmp(b->items[k].group_key, group);
	if (grouped) {
		lrs_buf_printf(r->b, "<h3>Group: ");
		text(r->b, group, NULL);
		lrs_buf_printf(r->b, "</h3>\n");
	}
	if (first) {
		lrs_buf_printf(r->b, "<p>%s ramp from %.4g to %.4g over %ld steps, %zu repeat%s; the plot shows "
		               "their mean, the chosen bounds dashed.</p>\n",
		               !strcmp(first->mode, "exponential") ? "Exponential" : "Linear", first->start_lr,
		               first->end_lr, first->iterations, repeats, repeats > 1 ? "s" : "");
		probe_note(r, first);
		if ((rc = embed_figure(r, "range-test", grouped ? group : NULL)) < 0)
			return rc;
	}
	if (bounds)
		bounds_table(r, b, group);
	else if (first)
		none(r, "No bounds were stored for this range test.");
	return 0;
}

static int section_range_test(report *r)
{
	lrs_range_test_rows rt;
	lrs_bound_rows b;
	size_t n = 0;
	const char **groups = NULL;
	int rc;

	lrs_buf_printf(r->b, "<section id=\"range-test\">\n<h2>LR range test</h2>\n");
	if ((rc = lrs_store_range_tests_read(&rt, r->st, r->e->id, 0)) < 0)
		return rc;
	if ((rc = lrs_store_bounds_read(&b, r->st, r->e->id)) < 0)
		goto out_rt;
	if (!(groups = calloc(rt.n + b.n + 1, sizeof *groups))) {
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < rt.n + b.n; k++) {   /* the groups, as tested */
		const char *g = k < rt.n ? rt.items[k].group_key : b.items[k - rt.n].group_key;
		size_t j = 0;
		while (j < n && strcmp(groups[j], g))
			j++;
		if (j == n)
			groups[n++] = g;
	}
	if (rt.n == 0)
		none(r, "No range test in this experiment: its bounds were given (--min-lr/--max-lr or "
		        "range_test.bounds).");
	if (n > 1)
		lrs_buf_printf(r->b, "<p>One range test per group of trials (range_test.per): %zu groups, each with "
		               "its own bounds.</p>\n", n);
	for (size_t k = 0; k < n && rc == 0; k++)
		rc = range_group(r, &rt, &b, groups[k], n > 1);
	if (rc == 0)
		lrs_buf_printf(r->b, "</section>\n");
out:
	free(groups);
	lrs_bound_rows_free(&b);
out_rt:
	lrs_range_test_rows_free(&rt);
	return rc;
}

/* ------------------------------------------------------------ leaderboard */

/* A configuration's cell: its label, the full parameters on hover. */
static void config_cell(lrs_buf *b, const lrs_result_config *c)
{
	char *p = lrs_results_readable(c->params), *h = lrs_results_readable(c->hyper);

	lrs_buf_printf(b, "<td title=\"");
	text(b, p ? p : c->params, NULL);
	if (h && *h)
		lrs_buf_printf(b, "; ");
	text(b, h ? h : c->hyper, NULL);
	lrs_buf_printf(b, "\">");
	text(b, c->label, NULL);
	lrs_buf_printf(b, "</td>");
	free(p);
	free(h);
}

static int section_leaderboard(report *r)
{
	static const char *const head[] = { "rank", "trial", "configuration", "seed", "best val acc",
	                                    "best epoch", "test acc", "seconds" };
	size_t top[TOP], n = lrs_results_best_trials(r->res, top, TOP);

	lrs_buf_printf(r->b, "<section id=\"leaderboard\">\n<h2>Leaderboard</h2>\n");
	if (n == 0) {
		none(r, "No completed trial in this experiment yet.");
		lrs_buf_printf(r->b, "</section>\n");
		return 0;
	}
	lrs_buf_printf(r->b, "<p>The best %zu completed trials, ranked by their best validation accuracy "
	               "(ties: lower final validation loss).</p>\n<table>\n", n);
	report_html_head_row(r->b, head, 8);
	for (size_t k = 0; k < n; k++) {
		const lrs_trial_row *t = &r->res->trials.items[top[k]];
		lrs_buf_printf(r->b, "<tr><td class=\"n\">%zu</td><td class=\"n\">%lld</td>", k + 1, (long long)t->id);
		config_cell(r->b, lrs_results_config_of(r->res, top[k]));
		lrs_buf_printf(r->b, "<td class=\"n\">%lld</td>", (long long)t->seed);
		num_cell(r->b, t->best_val_accuracy, "%.4f");
		num_cell(r->b, t->best_epoch < 0 ? NAN : (double)t->best_epoch, "%.0f");
		num_cell(r->b, t->test_accuracy, "%.4f");
		num_cell(r->b, t->wall_seconds, "%.1f");
		lrs_buf_printf(r->b, "</tr>\n");
	}
	lrs_buf_printf(r->b, "</table>\n</section>\n");
	return 0;
}

/* ------------------------------------------------------------ did not complete */

/* The statuses of trials that ended before their last epoch, as listed:
 * the faults first, then divergence, then pruning (a decision, not a
 * fault). Interrupted, pending and running trials are unfinished, not
 * ended: the header counts them. */
static const lrs_trial_status ended_early[] = { LRS_TRIAL_FAILED, LRS_TRIAL_DIVERGED, LRS_TRIAL_PRUNED };
#define N_ENDED_EARLY (sizeof ended_early / sizeof ended_early[0])

/* What happened to trial t, in its row: a failed trial's error (its first
 * line, cut), the step whose loss a diverged one could not compute, the
 * epoch after which a pruned one was stopped. */
static void what_happened(lrs_buf *b, const lrs_trial_row *t)
{
	lrs_buf_printf(b, "<td>");
	if (t->status == LRS_TRIAL_DIVERGED) {
		if (t->diverged_at >= 0)
			lrs_buf_printf(b, "loss NaN or infinite at step %ld", t->diverged_at);
		else
			lrs_buf_printf(b, "loss NaN or infinite");
	} else if (t->status == LRS_TRIAL_PRUNED) {
		lrs_buf_printf(b, "pruned after epoch %ld", t->epochs_done);
	}
	if (t->error && *t->error) {   /* a failed trial's, an external diverged one's */
		lrs_buf_printf(b, "%s", t->status == LRS_TRIAL_FAILED ? "" : ": ");
		report_html_first_line(b, t->error, LRS_REPORT_ERROR_BYTES);
	} else if (t->status == LRS_TRIAL_FAILED) {
		lrs_buf_printf(b, "-");
	}
	lrs_buf_printf(b, "</td>");
}

/* The rows of the trials of status `s`, in id order: at most
 * LRS_REPORT_NOT_COMPLETED of them, then a row saying how many more. */
static void ended_early_rows(report *r, lrs_trial_status s, size_t count)
{
	const lrs_trial_rows *t = &r->res->trials;
	size_t shown = 0;

	for (size_t i = 0; i < t->n && shown < LRS_REPORT_NOT_COMPLETED; i++) {
		const lrs_trial_row *x = &t->items[i];
		if (x->status != s)
			continue;
		shown++;
		lrs_buf_printf(r->b, "<tr><td class=\"n\">%lld</td>", (long long)x->id);
		elem(r->b, "td", lrs_trial_status_name(s), NULL);
		config_cell(r->b, lrs_results_config_of(r->res, i));
		lrs_buf_printf(r->b, "<td class=\"n\">%lld</td>", (long long)x->seed);
		num_cell(r->b, x->epochs_done < 0 ? NAN : (double)x->epochs_done, "%.0f");
		num_cell(r->b, x->iterations < 0 ? NAN : (double)x->iterations, "%.0f");
		what_happened(r->b, x);
		lrs_buf_printf(r->b, "</tr>\n");
	}
	if (count > shown) {
		lrs_buf_printf(r->b, "<tr class=\"more\"><td colspan=\"7\">and %zu more ", count - shown);
		text(r->b, lrs_trial_status_name(s), NULL);
		lrs_buf_printf(r->b, " trial%s (<code>lrsweep query DB trials --status ", count - shown > 1 ? "s" : "");
		text(r->b, lrs_trial_status_name(s), NULL);
		lrs_buf_printf(r->b, "</code>)</td></tr>\n");
	}
}

/* How many trials of each status of ended_early, and in all (the page's
 * menu links the section only when there are some). */
static void count_ended_early(const report *r, size_t count[N_ENDED_EARLY], size_t *total)
{
	const lrs_trial_rows *t = &r->res->trials;

	*total = 0;
	for (size_t k = 0; k < N_ENDED_EARLY; k++) {
		count[k] = 0;
		for (size_t i = 0; i < t->n; i++)
			count[k] += t->items[i].status == ended_early[k];
		*total += count[k];
	}
}

/* The failed, diverged and pruned trials: what they reached and why they
 * stopped; nothing at all when every trial completed (or none ended). */
static void section_ended_early(report *r)
{
	static const char *const head[] = { "trial", "status", "configuration", "seed", "epochs", "steps",
	                                    "what happened" };
	size_t count[N_ENDED_EARLY], total;

	count_ended_early(r, count, &total);
	if (total == 0)
		return;
	lrs_buf_printf(r->b, "<section id=\"ended-early\">\n<h2>Trials that did not complete</h2>\n<p>%zu of "
	               "%zu trials ended before their last epoch:", total, r->res->trials.n);
	for (size_t k = 0, said = 0; k < N_ENDED_EARLY; k++)
		if (count[k]) {
			lrs_buf_printf(r->b, "%s %zu ", said++ ? "," : "", count[k]);
			text(r->b, lrs_trial_status_name(ended_early[k]), NULL);
		}
	lrs_buf_printf(r->b, ". The first %d of each status, in trial order.</p>\n<table>\n",
	               LRS_REPORT_NOT_COMPLETED);
	report_html_head_row(r->b, head, 7);
	for (size_t k = 0; k < N_ENDED_EARLY; k++)
		if (count[k])
			ended_early_rows(r, ended_early[k], count[k]);
	lrs_buf_printf(r->b, "</table>\n<p class=\"note\">Epochs and steps: those the trial finished before "
	               "it stopped (a failed trial's steps: the losses its trainer reported).");
	if (count[1])   /* diverged trials: step k is the (k+1)-th */
		lrs_buf_printf(r->b, " &#8220;At step N&#8221; numbers steps from 0, as <code>diverged_at</code> "
		               "does: the step after the N a diverged trial took.");
	if (count[0])   /* failed trials: where their whole error is */
		lrs_buf_printf(r->b, " An error is shown up to its first line break, at most %d bytes; the whole "
		               "of it, with the last lines of an external trainer's log: <code>lrsweep query DB "
		               "trials --status failed</code>.", LRS_REPORT_ERROR_BYTES);
	lrs_buf_printf(r->b, "</p>\n</section>\n");
}

/* ------------------------------------------------------------ compare */

/* mean ± ci, or the mean alone without an interval, or "-". */
static void mean_ci_cell(lrs_buf *b, double mean, double ci)
{
	if (isnan(mean))
		lrs_buf_printf(b, "<td class=\"n\">-</td>");
	else if (isnan(ci))
		lrs_buf_printf(b, "<td class=\"n\">%.4f</td>", mean);
	else
		lrs_buf_printf(b, "<td class=\"n\">%.4f &#177; %.4f</td>", mean, ci);
}

/* The verdict of `lrsweep query compare`: Welch's test against the best. */
static void verdict_cell(lrs_buf *b, const lrs_result_config *c)
{
	if (c->rank == 1)
		lrs_buf_printf(b, "<td class=\"best\">best</td>");
	else if (isnan(c->p))
		lrs_buf_printf(b, "<td>? (one seed)</td>");
	else
		lrs_buf_printf(b, "<td class=\"%s\">%s (p=%.2g)</td>", c->same ? "same" : "worse",
		               c->same ? "same" : "worse", c->p);
}

/* The rows of a comparison: by configuration (its cell with the full
 * parameters on hover), or by the groups of a grouping by keys (their
 * label, and how many configurations each holds). */
static void compare_table(report *r, const lrs_results *res)
{
	static const char *const head[] = { "rank", "configuration", "n", "best val acc (95% CI)",
	                                    "test acc (95% CI)", "vs best" };
	static const char *const group_head[] = { "rank", "", "n (trials)", "configurations", "best val acc (95% CI)",
	                                          "test acc (95% CI)", "vs best" };
	const char *gh[7];

	memcpy(gh, group_head, sizeof gh);
	gh[1] = res->n_by ? res->by[0] : "";
	lrs_buf_printf(r->b, "<table>\n");
	if (res->n_by)
		report_html_head_row(r->b, gh, 7);
	else
		report_html_head_row(r->b, head, 6);
	for (size_t k = 0; k < res->n_ranked; k++) {
		const lrs_result_config *c = &res->configs[res->ranked[k]];
		if (isnan(c->mean))
			continue;
		lrs_buf_printf(r->b, "<tr><td class=\"n\">%zu</td>", c->rank);
		if (res->n_by)
			elem(r->b, "td", c->label, NULL);
		else
			config_cell(r->b, c);
		lrs_buf_printf(r->b, "<td class=\"n\">%zu</td>", c->n);
		if (res->n_by)
			lrs_buf_printf(r->b, "<td class=\"n\">%zu</td>", c->n_distinct);
		mean_ci_cell(r->b, c->mean, c->ci95);
		mean_ci_cell(r->b, c->mean_test, c->ci95_test);
		verdict_cell(r->b, c);
		lrs_buf_printf(r->b, "</tr>\n");
	}
	lrs_buf_printf(r->b, "</table>\n");
}

/* Whether the configurations compared differ in more than their schedule
 * type, and there are several types: then a table by schedule says which
 * type won over the rest. */
static int varied_beyond_schedule(const lrs_results *res)
{
	int types = 0, beyond = 0;

	for (size_t k = 0; k < res->n_ranked; k++) {
		const lrs_result_config *c = &res->configs[res->ranked[k]];
		size_t j = 0;
		while (j < k && strcmp(res->configs[res->ranked[j]].schedule, c->schedule))
			j++;
		if (j == k)
			types++;
		else
			beyond = 1;
	}
	return types > 1 && beyond;
}

/* The comparison by schedule type, when the sweep varied other keys too. */
static int compare_by_schedule(report *r)
{
	static const char *const by[] = { "schedule" };
	lrs_results_opts o = { .target_accuracy = NAN, .by = by, .n_by = 1 };
	lrs_results res;
	int rc;

	if (!varied_beyond_schedule(r->res))
		return 0;
	if ((rc = lrs_results_load(&res, r->st, r->e->id, &o)) < 0)
		return rc;
	lrs_buf_printf(r->b, "<h3>By schedule</h3>\n<p>The trials of each schedule type together, whatever "
	               "their other settings (<code>lrsweep query DB compare --by schedule</code>): n counts "
	               "every completed trial once.</p>\n");
	compare_table(r, &res);
	lrs_results_free(&res);
	return 0;
}

static int section_compare(report *r)
{
	const lrs_results *res = r->res;
	int rc;

	lrs_buf_printf(r->b, "<section id=\"compare\">\n<h2>Configurations compared</h2>\n");
	if (res->n_ranked == 0 || isnan(res->configs[res->ranked[0]].mean)) {
		none(r, "No completed trial in this experiment yet: nothing to compare.");
		lrs_buf_printf(r->b, "</section>\n");
		return 0;
	}
	lrs_buf_printf(r->b, "<p>One row per configuration (the same trial but for its seed), over its "
	               "completed seeds, best first.</p>\n");
	compare_table(r, res);
	lrs_buf_printf(r->b, "<p class=\"note\">same = Welch's t-test cannot tell it from the best "
	               "(p &#8805; 0.05); intervals: Student's t, 95%%; no interval with one seed.</p>\n");
	if ((rc = compare_by_schedule(r)) < 0)
		return rc;
	rc = embed_figure(r, "compare", NULL);
	if (rc == 0)
		lrs_buf_printf(r->b, "</section>\n");
	return rc;
}

/* ------------------------------------------------------------ curves, schedules */

static int section_figure(report *r, const char *id, const char *heading, const char *what)
{
	int rc;

	lrs_buf_printf(r->b, "<section id=\"%s\">\n<h2>%s</h2>\n", id, heading);
	if ((rc = embed_figure(r, what, NULL)) == 0)
		lrs_buf_printf(r->b, "</section>\n");
	return rc;
}

/* ------------------------------------------------------------ search */

/* Whether the experiment searched a key beyond the schedule type (a
 * trials.space or params: key, a schedule parameter): then the page has
 * a section with the search figure. */
static int searched(const report *r, int *out)
{
	lrs_search_key *keys;
	size_t n;
	int rc;

	*out = 0;
	if ((rc = lrs_results_searched(&keys, &n, r->res, r->e->config)) < 0)
		return rc;
	for (size_t k = 0; k < n; k++)
		*out |= strcmp(keys[k].key, "schedule") != 0;
	lrs_search_keys_free(keys, n);
	return 0;
}

static int section_search(report *r)
{
	int rc;

	lrs_buf_printf(r->b, "<section id=\"search\">\n<h2>The search</h2>\n<p>Each completed trial's best "
	               "validation accuracy in plan order with the best so far, then one panel per searched key: "
	               "its value against the accuracy, each trial a point coloured by schedule type "
	               "(<code>lrsweep plot DB search</code>).</p>\n");
	if ((rc = embed_figure(r, "search", NULL)) == 0)
		lrs_buf_printf(r->b, "</section>\n");
	return rc;
}

/* ------------------------------------------------------------ the page */

/* Styles for screen and print; system fonts only, so nothing is fetched. */
static const char style[] =
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#222;"
	"max-width:1000px;margin:0 auto;padding:1em 1.5em 3em;background:#fff}\n"
	"h1{font-size:1.7em;margin:.3em 0 .4em;word-break:break-all}\n"
	"h2{font-size:1.3em;margin:1.6em 0 .5em;padding-bottom:.2em;border-bottom:2px solid #dde}\n"
	"nav a{margin-right:1em}\n"
	"table{border-collapse:collapse;margin:.5em 0 1em;font-variant-numeric:tabular-nums}\n"
	"th,td{padding:.25em .7em;border-bottom:1px solid #e4e4e8;text-align:left;vertical-align:top}\n"
	"th{background:#f3f3f7;font-weight:600}\n"
	"table.kv th{background:none;color:#555;font-weight:500;padding-left:0}\n"
	"td.n{text-align:right;white-space:nowrap}\n"
	"tr.chosen td{background:#fff6d6;font-weight:600}\n"
	"td.best{color:#0a6b2e;font-weight:600}td.same{color:#0a6b2e}td.worse{color:#a32020}\n"
	"pre{background:#f6f6f9;border:1px solid #e4e4e8;padding:.8em 1em;overflow-x:auto;font-size:13px}\n"
	"figure{margin:.5em 0 1em}figure svg{max-width:100%;height:auto;display:block}\n"
	"p.none{color:#666;font-style:italic}p.note{color:#666;font-size:.9em}\n"
	"tr.more td{color:#666;font-style:italic}\n"
	"footer{margin-top:3em;color:#888;font-size:.85em}\n"
	"p.kicker{margin:.5em 0 0;color:#777;text-transform:uppercase;letter-spacing:.08em;font-size:.8em}\n";

static int build_page(report *r)
{
	size_t ended[N_ENDED_EARLY], n_ended;
	int rc, search;

	if ((rc = searched(r, &search)) < 0)
		return rc;
	lrs_buf_printf(r->b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	               /* no fetch, no script: the page is complete as it is */
	               "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	               "style-src 'unsafe-inline'; img-src data:\">\n"
	               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	text(r->b, r->e->name, NULL);
	lrs_buf_printf(r->b, " - lrsweep report</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
	section_header(r);
	count_ended_early(r, ended, &n_ended);
	lrs_buf_printf(r->b, "<nav><a href=\"#range-test\">range test</a><a href=\"#leaderboard\">leaderboard</a>"
	               "%s<a href=\"#compare\">comparison</a>%s<a href=\"#curves\">curves</a>"
	               "<a href=\"#schedules\">schedules</a><a href=\"#config\">configuration</a></nav>\n",
	               n_ended ? "<a href=\"#ended-early\">did not complete</a>" : "",
	               search ? "<a href=\"#search\">search</a>" : "");
	/* results first, in the pipeline's order; the YAML, often long, last */
	if ((rc = section_range_test(r)) < 0 || (rc = section_leaderboard(r)) < 0)
		return rc;
	section_ended_early(r);
	if ((rc = section_compare(r)) < 0 ||
	    (search && (rc = section_search(r)) < 0) ||
	    (rc = section_figure(r, "curves", "Validation accuracy per epoch", "curves")) < 0 ||
	    (rc = section_figure(r, "schedules", "Learning rate of each configuration", "schedules")) < 0)
		return rc;
	section_config(r);
	lrs_buf_printf(r->b, "<footer>Made by lrsweep %s from ", LRSWEEP_VERSION);
	text(r->b, r->db, NULL);
	lrs_buf_printf(r->b, " (experiment %lld).</footer>\n</body>\n</html>\n", (long long)r->e->id);
	return 0;
}

/* Writes the page into the output's temporary file and puts it in place. */
static int write_page(lrs_outfile *out, const char *html, size_t len)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = write(out->fd, html + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : 0;
			int rc = lrs_error_set(LRS_ERROR, "%s: writing the report failed: %s%s%s", out->path,
			                       e == ENOSPC || e == EFBIG || e == EDQUOT ? "disk full (" : "(",
			                       e ? strerror(e) : "nothing written", ")");
			lrs_outfile_abort(out);
			return rc;
		}
		done += (size_t)n;
	}
	return lrs_outfile_commit(out, "the report");
}

/* Builds the page into `page`, its plots drawn in a private directory. */
static int make_page(report *r)
{
	int rc;

	if (!mkdtemp(r->tmpdir))
		return lrs_error_set(LRS_ERROR, "cannot create a temporary directory for the plots (%s)", strerror(errno));
	lrs_outfile_track(r->tmpdir);
	rc = build_page(r);
	rmdir(r->tmpdir);
	lrs_outfile_untrack(r->tmpdir);
	if (rc == 0 && r->b->failed)
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
	return rc;
}

int lrs_report_write(lrs_store *st, const char *db, const lrs_experiment_row *e, const char *path)
{
	lrs_results res;
	lrs_outfile out;
	lrs_buf page = { 0 };
	report r = { st, db, e, &res, "/tmp/lrsweep-report-XXXXXX", 0, &page, path };
	int rc;

	/* the file is started before any work is done (a path that cannot be
	 * written is bad input: LRS_EINVALID) */
	if ((rc = lrs_outfile_begin(&out, path, "the report")) < 0)
		return rc;
	if ((rc = lrs_results_load(&res, st, e->id, NULL)) < 0) {
		lrs_outfile_abort(&out);
		return rc;
	}
	rc = make_page(&r);
	if (rc == 0)
		rc = write_page(&out, page.data, page.len);
	else
		lrs_outfile_abort(&out);
	lrs_buf_free(&page);
	lrs_results_free(&res);
	return rc;
}
