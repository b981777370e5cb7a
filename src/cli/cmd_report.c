/* cmd_report.c - `lrsweep report DB [--experiment E] -o F.html`: one
 * self-contained HTML page about an experiment (SPEC §2): its header and
 * YAML, the range test and every rule's bounds, the leaderboard, the
 * comparison of configurations, and the curves and schedules plots.
 *
 * The page needs nothing but itself: styles inline, no script at all, the
 * plots as inline SVG drawn by the plot module (the same calls as `lrsweep
 * plot`), and a Content-Security-Policy that forbids any fetch, so a
 * browser offline shows all of it. Every text that comes from the
 * database is HTML-escaped (html.h). The database is opened read-only. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lrsweep/error.h"
#include "lrsweep/outfile.h"
#include "lrsweep/stats.h"
#include "lrsweep/store.h"
#include "lrsweep/util.h"
#include "lrsweep/version.h"
#include "cli.h"
#include "html.h"
#include "figures.h"
#include "table.h"

#define CMD "report"
#define TOP 20           /* leaderboard rows shown */

typedef struct {
	const char *db, *out, *experiment;
} report_args;

/* What the sections share while the page is built. */
typedef struct {
	lrs_store *st;
	const report_args *a;
	long long exp;
	const char *name;
	char tmpdir[64];       /* private directory of the plots' SVG files */
	int n_plots;           /* plots embedded so far: their id prefix   */
	lrs_buf *b;
} report;

#define STR(x) #x
#define XSTR(x) STR(x)

static const char about[] =
	"Writes one self-contained HTML page about an experiment: no network needed,\n"
	"no script, the plots inline as SVG. It holds:\n"
	"  - the experiment: name, status, dates, host, lrsweep version, data sizes\n"
	"  - its YAML configuration as stored\n"
	"  - the range test: loss and accuracy against the rate, and every rule's bounds\n"
	"    (the chosen rule marked)\n"
	"  - the leaderboard: the best " XSTR(TOP) " completed trials\n"
	"  - the configurations compared: n, mean and 95% interval of the best\n"
	"    validation and test accuracy over seeds, and Welch's test against the best\n"
	"  - validation accuracy per epoch, and the learning rate of each configuration\n"
	"A section without data (bounds given, no completed trial) says so.\n";

static const char epilog[] = "The database is opened read-only; gnuplot draws the plots.\n";

/* Parses report's argv: 0, LRS_OPT_HELP (written to stdout) or an error. */
static int parse_args(int argc, char **argv, cli_globals *g, report_args *a)
{
	const lrs_opt opts[] = {
		CLI_OPT_DB_FILE(&a->db),
		{ .name = "output", .short_name = 'o', .kind = LRS_OPT_STRING, .dest = &a->out, .metavar = "F.html",
		  .flags = LRS_OPT_REQUIRED, .help = "the HTML file to write (written beside F, then renamed into place; "
		                                     "not the database, a link or a device)" },
		CLI_OPT_EXPERIMENT(&a->experiment),
		CLI_OPT_GLOBALS(g),
	};
	const lrs_opt_spec spec = { "lrsweep", CMD, opts, CLI_N_OPTS(opts), about, epilog, 0 };

	return cli_parse(&spec, argc, argv, stdout);
}

static const char *cell(const cli_table *t, size_t r, int c)
{
	return t->cells[r * (size_t)t->ncols + (size_t)c];
}

/* The experiments row the report is about: --experiment (a name: its
 * latest run; an id), else the latest. */
static int experiment_row(cli_table *t, lrs_store *st, const report_args *a)
{
	return cli_experiment_row(t, st, a->db, a->experiment,
	                          "id, name, status, created_at, finished_at, host, tool_version, train_samples, "
	                          "val_samples, test_samples, features, classes, config");
}

/* Short names of the configurations in columns sched, params, hyper of t. */
static char **config_labels(const cli_table *t, int sched, int params, int hyper)
{
	const char **s = calloc(t->nrows + 1, sizeof *s), **p = calloc(t->nrows + 1, sizeof *p);
	const char **h = calloc(t->nrows + 1, sizeof *h);
	char **labels = NULL;

	if (s && p && h) {
		for (size_t r = 0; r < t->nrows; r++) {
			s[r] = cell(t, r, sched);
			p[r] = cell(t, r, params);
			h[r] = hyper >= 0 ? cell(t, r, hyper) : NULL;
		}
		labels = cli_config_labels(s, p, hyper >= 0 ? h : NULL, t->nrows);
	}
	free(s);
	free(p);
	free(h);
	if (!labels)
		lrs_error_set(LRS_ENOMEM, "out of memory");
	return labels;
}

static void free_labels(char **labels, size_t n)
{
	for (size_t i = 0; labels && i < n; i++)
		free(labels[i]);
	free(labels);
}

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
	cli_html_text(r->b, why, NULL);
	lrs_buf_printf(r->b, "</p>\n");
}

/* A number cell: %.*g or %.*f of the text, "-" for NULL. */
static void num_cell(lrs_buf *b, const char *v, const char *fmt)
{
	if (!v) {
		lrs_buf_printf(b, "<td class=\"n\">-</td>");
		return;
	}
	lrs_buf_printf(b, "<td class=\"n\">");
	lrs_buf_printf(b, fmt, atof(v));
	lrs_buf_printf(b, "</td>");
}

/* Draws figure `what` of figures.c (what `lrsweep plot` draws) into the
 * page. A figure the data does not allow (none to draw, too many lines)
 * becomes a note saying why. */
static int embed_figure(report *r, const char *what)
{
	char path[96];
	int rc;

	plot_path(r, path, sizeof path);
	rc = cli_figure(r->st, r->a->db, r->exp, r->name, what, path, 0);
	if (rc == 0)
		rc = embed_svg(r, path);
	else if (rc == LRS_EINVALID) {
		const char *msg = lrs_error_last();
		size_t dl = strlen(r->a->db);
		char why[600];
		if (!strncmp(msg, r->a->db, dl) && !strncmp(msg + dl, ": ", 2))
			msg += dl + 2;   /* the page is about that database already */
		snprintf(why, sizeof why, "Not drawn: %s.", msg);
		none(r, why);
		rc = 0;
	}
	unlink(path);
	return rc;
}

/* ------------------------------------------------------------ header */

static int section_header(report *r, const cli_table *e)
{
	static const char *const labels[] = { "experiment id", "status", "started", "finished", "host",
	                                      "lrsweep version" };
	static const int cols[] = { 0, 2, 3, 4, 5, 6 };
	char sql[256];
	cli_table t;
	int rc;

	lrs_buf_printf(r->b, "<header>\n<p class=\"kicker\">lrsweep report</p>\n<h1>");
	cli_html_text(r->b, r->name, NULL);
	lrs_buf_printf(r->b, "</h1>\n<table class=\"kv\">\n");
	for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
		lrs_buf_printf(r->b, "<tr>");
		cli_html_elem(r->b, "th", labels[k], NULL);
		cli_html_elem(r->b, "td", cell(e, 0, cols[k]), cols[k] == 4 ? "- (not finished)" : "-");
		lrs_buf_printf(r->b, "</tr>\n");
	}
	/* the data sizes in one line: train / validation / test, features, classes */
	lrs_buf_printf(r->b, "<tr><th>data</th><td>");
	cli_html_text(r->b, cell(e, 0, 7), "?");
	lrs_buf_printf(r->b, " train, ");
	cli_html_text(r->b, cell(e, 0, 8), "?");
	lrs_buf_printf(r->b, " validation, ");
	cli_html_text(r->b, cell(e, 0, 9) && atol(cell(e, 0, 9)) > 0 ? cell(e, 0, 9) : "no", NULL);
	lrs_buf_printf(r->b, " test samples; ");
	cli_html_text(r->b, cell(e, 0, 10), "?");
	lrs_buf_printf(r->b, " features, ");
	cli_html_text(r->b, cell(e, 0, 11), "?");
	lrs_buf_printf(r->b, " classes</td></tr>\n");

	snprintf(sql, sizeof sql, "SELECT status, count(*) FROM trials WHERE experiment_id = %lld "
	         "GROUP BY status ORDER BY count(*) DESC, status", r->exp);
	if ((rc = cli_table_fetch(&t, r->st, sql)) < 0)
		return rc;
	long total = 0;
	for (size_t k = 0; k < t.nrows; k++)
		total += atol(cell(&t, k, 1));
	lrs_buf_printf(r->b, "<tr><th>trials</th><td>%ld", total);
	for (size_t k = 0; k < t.nrows; k++) {
		lrs_buf_printf(r->b, "%s%s ", k ? ", " : ": ", cell(&t, k, 1));
		cli_html_text(r->b, cell(&t, k, 0), NULL);
	}
	lrs_buf_printf(r->b, "</td></tr>\n</table>\n</header>\n");
	cli_table_free(&t);
	return 0;
}

static void section_config(report *r, const cli_table *e)
{
	lrs_buf_printf(r->b, "<section id=\"config\">\n<h2>Configuration</h2>\n"
	               "<p>The experiment file as stored with the results.</p>\n<pre>");
	cli_html_text(r->b, cell(e, 0, 12), "(not stored)");
	lrs_buf_printf(r->b, "</pre>\n</section>\n");
}

/* ------------------------------------------------------------ range test */

static void bounds_table(report *r, const cli_table *b)
{
	static const char *const head[] = { "rule", "min_lr", "max_lr", "min_lr spread", "max_lr spread", "",
		                            "the rule's note" };

	lrs_buf_printf(r->b, "<table>\n");
	cli_html_head_row(r->b, head, 7);
	for (size_t k = 0; k < b->nrows; k++) {
		int chosen = cell(b, k, 5) && atoi(cell(b, k, 5)) == 1;
		lrs_buf_printf(r->b, "<tr%s>", chosen ? " class=\"chosen\"" : "");
		cli_html_elem(r->b, "td", cell(b, k, 0), "-");
		num_cell(r->b, cell(b, k, 1), "%.4g");
		num_cell(r->b, cell(b, k, 2), "%.4g");
		num_cell(r->b, cell(b, k, 3), "%.2fx");
		num_cell(r->b, cell(b, k, 4), "%.2fx");
		lrs_buf_printf(r->b, "<td>%s</td>", chosen ? "&#9733; chosen" : "");
		cli_html_elem(r->b, "td", cell(b, k, 6), "");
		lrs_buf_printf(r->b, "</tr>\n");
	}
	lrs_buf_printf(r->b, "</table>\n<p class=\"note\">The chosen rule's bounds fed the trials; the spread "
	               "is the max/min ratio of the repeats' own picks (- when unknown: one repeat, or a rule that "
	               "did not pick on every repeat).</p>\n");
}

static int section_range_test(report *r)
{
	char sql[512];
	cli_table rt, b, chosen;
	int rc;

	lrs_buf_printf(r->b, "<section id=\"range-test\">\n<h2>LR range test</h2>\n");
	snprintf(sql, sizeof sql, "SELECT id, mode, (SELECT count(*) FROM range_points WHERE range_test_id = r.id), "
	         "repeat, start_lr, end_lr, iterations, stopped_at, wall_seconds "
	         "FROM range_tests r WHERE experiment_id = %lld ORDER BY repeat", r->exp);
	if ((rc = cli_table_fetch(&rt, r->st, sql)) < 0)
		return rc;
	snprintf(sql, sizeof sql, "SELECT rule, min_lr, max_lr, min_lr_spread, max_lr_spread, chosen, note "
	         "FROM bounds WHERE experiment_id = %lld ORDER BY chosen DESC, rule", r->exp);
	if ((rc = cli_table_fetch(&b, r->st, sql)) < 0)
		goto out_rt;
	snprintf(sql, sizeof sql, "SELECT min_lr, max_lr, rule FROM bounds WHERE experiment_id = %lld AND chosen = 1",
	         r->exp);
	if ((rc = cli_table_fetch(&chosen, r->st, sql)) < 0)
		goto out_b;
	if (rt.nrows == 0) {
		none(r, "No range test in this experiment: its bounds were given (--min-lr/--max-lr or "
		        "range_test.bounds).");
	} else {
		lrs_buf_printf(r->b, "<p>%s ramp from %.4g to %.4g over %s steps, %zu repeat%s; the plot shows "
		               "their mean, the chosen bounds dashed.</p>\n",
		               !strcmp(cell(&rt, 0, 1), "exponential") ? "Exponential" : "Linear",
		               atof(cell(&rt, 0, 4)), atof(cell(&rt, 0, 5)), cell(&rt, 0, 6), rt.nrows,
		               rt.nrows > 1 ? "s" : "");
		if ((rc = embed_figure(r, "range-test")) < 0)
			goto out;
	}
	if (b.nrows)
		bounds_table(r, &b);
	else if (rt.nrows)
		none(r, "No bounds were stored for this range test.");
	lrs_buf_printf(r->b, "</section>\n");
out:
	cli_table_free(&chosen);
out_b:
	cli_table_free(&b);
out_rt:
	cli_table_free(&rt);
	return rc;
}

/* ------------------------------------------------------------ leaderboard */

/* A configuration's cell: the short name, the full parameters on hover. */
static void config_cell(lrs_buf *b, const char *label, const char *params, const char *hyper)
{
	char *p = params ? cli_json_readable(params) : NULL, *h = hyper ? cli_json_readable(hyper) : NULL;

	lrs_buf_printf(b, "<td title=\"");
	cli_html_text(b, p ? p : params, NULL);
	if (h && *h)
		lrs_buf_printf(b, "; ");
	cli_html_text(b, h ? h : hyper, NULL);
	lrs_buf_printf(b, "\">");
	cli_html_text(b, label, NULL);
	lrs_buf_printf(b, "</td>");
	free(p);
	free(h);
}

static int section_leaderboard(report *r)
{
	static const char *const head[] = { "rank", "trial", "configuration", "seed", "best val acc",
	                                    "best epoch", "test acc", "seconds" };
	char sql[512], **labels;
	cli_table t;
	int rc;

	lrs_buf_printf(r->b, "<section id=\"leaderboard\">\n<h2>Leaderboard</h2>\n");
	snprintf(sql, sizeof sql, "SELECT rank, trial_id, schedule, params, hyper, seed, best_val_accuracy, "
	         "best_epoch, test_accuracy, wall_seconds FROM leaderboard WHERE experiment_id = %lld "
	         "ORDER BY rank LIMIT %d", r->exp, TOP);
	if ((rc = cli_table_fetch(&t, r->st, sql)) < 0)
		return rc;
	if (t.nrows == 0) {
		none(r, "No completed trial in this experiment yet.");
		lrs_buf_printf(r->b, "</section>\n");
		cli_table_free(&t);
		return 0;
	}
	if (!(labels = config_labels(&t, 2, 3, 4))) {
		cli_table_free(&t);
		return LRS_ENOMEM;
	}
	lrs_buf_printf(r->b, "<p>The best %zu completed trials, ranked by their best validation accuracy "
	               "(ties: lower final validation loss).</p>\n<table>\n", t.nrows);
	cli_html_head_row(r->b, head, 8);
	for (size_t k = 0; k < t.nrows; k++) {
		lrs_buf_printf(r->b, "<tr>");
		cli_html_elem(r->b, "td class=\"n\"", cell(&t, k, 0), "-");
		cli_html_elem(r->b, "td class=\"n\"", cell(&t, k, 1), "-");
		config_cell(r->b, labels[k], cell(&t, k, 3), cell(&t, k, 4));
		cli_html_elem(r->b, "td class=\"n\"", cell(&t, k, 5), "-");
		num_cell(r->b, cell(&t, k, 6), "%.4f");
		cli_html_elem(r->b, "td class=\"n\"", cell(&t, k, 7), "-");
		num_cell(r->b, cell(&t, k, 8), "%.4f");
		num_cell(r->b, cell(&t, k, 9), "%.1f");
		lrs_buf_printf(r->b, "</tr>\n");
	}
	lrs_buf_printf(r->b, "</table>\n</section>\n");
	free_labels(labels, t.nrows);
	cli_table_free(&t);
	return 0;
}

/* ------------------------------------------------------------ compare */

/* One configuration over its seeds, from the schedule_summary view. */
typedef struct {
	size_t n;
	double mv, sv, cv;     /* best validation accuracy: mean, sd, 95 % half-width */
	double mt, ct;         /* test accuracy: mean, 95 % half-width              */
	double p;              /* Welch's p against the best                        */
} config_row;

static double num_or_nan(const char *s)
{
	return s ? atof(s) : NAN;
}

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
static void verdict_cell(lrs_buf *b, size_t k, double p)
{
	if (k == 0)
		lrs_buf_printf(b, "<td class=\"best\">best</td>");
	else if (isnan(p))
		lrs_buf_printf(b, "<td>? (one seed)</td>");
	else
		lrs_buf_printf(b, "<td class=\"%s\">%s (p=%.2g)</td>", p >= 0.05 ? "same" : "worse",
		               p >= 0.05 ? "same" : "worse", p);
}

static int section_compare(report *r)
{
	static const char *const head[] = { "rank", "configuration", "n", "best val acc (95% CI)",
	                                    "test acc (95% CI)", "vs best" };
	char sql[512], **labels = NULL;
	config_row *c = NULL;
	cli_table t;
	int rc;

	lrs_buf_printf(r->b, "<section id=\"compare\">\n<h2>Configurations compared</h2>\n");
	snprintf(sql, sizeof sql, "SELECT schedule, params, hyper, n, mean_best_val_accuracy, std_best_val_accuracy, "
	         "mean_test_accuracy, std_test_accuracy FROM schedule_summary WHERE experiment_id = %lld "
	         "AND mean_best_val_accuracy IS NOT NULL ORDER BY mean_best_val_accuracy DESC, params, hyper", r->exp);
	if ((rc = cli_table_fetch(&t, r->st, sql)) < 0)
		return rc;
	if (t.nrows == 0) {
		none(r, "No completed trial in this experiment yet: nothing to compare.");
		lrs_buf_printf(r->b, "</section>\n");
		cli_table_free(&t);
		return 0;
	}
	c = calloc(t.nrows, sizeof *c);
	labels = config_labels(&t, 0, 1, 2);
	if (!c || !labels) {
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < t.nrows; k++) {
		c[k].n = (size_t)atol(cell(&t, k, 3));
		c[k].mv = num_or_nan(cell(&t, k, 4));
		c[k].sv = num_or_nan(cell(&t, k, 5));
		c[k].cv = lrs_ci95(c[k].sv, c[k].n);
		c[k].mt = num_or_nan(cell(&t, k, 6));
		/* test accuracy may be missing for some seeds; its n is that of
		 * the validation values, as the view counts completed trials */
		c[k].ct = lrs_ci95(num_or_nan(cell(&t, k, 7)), c[k].n);
		c[k].p = k == 0 ? 1 : lrs_welch_p(c[0].mv, c[0].sv, c[0].n, c[k].mv, c[k].sv, c[k].n);
	}
	lrs_buf_printf(r->b, "<p>One row per configuration (the same trial but for its seed), over its "
	               "completed seeds, best first.</p>\n<table>\n");
	cli_html_head_row(r->b, head, 6);
	for (size_t k = 0; k < t.nrows; k++) {
		lrs_buf_printf(r->b, "<tr><td class=\"n\">%zu</td>", k + 1);
		config_cell(r->b, labels[k], cell(&t, k, 1), cell(&t, k, 2));
		lrs_buf_printf(r->b, "<td class=\"n\">%zu</td>", c[k].n);
		mean_ci_cell(r->b, c[k].mv, c[k].cv);
		mean_ci_cell(r->b, c[k].mt, c[k].ct);
		verdict_cell(r->b, k, c[k].p);
		lrs_buf_printf(r->b, "</tr>\n");
	}
	lrs_buf_printf(r->b, "</table>\n<p class=\"note\">same = Welch's t-test cannot tell it from the best "
	               "(p &#8805; 0.05); intervals: Student's t, 95%%; no interval with one seed.</p>\n");
	rc = embed_figure(r, "compare");
	if (rc == 0)
		lrs_buf_printf(r->b, "</section>\n");
out:
	free(c);
	free_labels(labels, t.nrows);
	cli_table_free(&t);
	return rc;
}

/* ------------------------------------------------------------ curves, schedules */

static int section_figure(report *r, const char *id, const char *heading, const char *what)
{
	int rc;

	lrs_buf_printf(r->b, "<section id=\"%s\">\n<h2>%s</h2>\n", id, heading);
	if ((rc = embed_figure(r, what)) == 0)
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
	"footer{margin-top:3em;color:#888;font-size:.85em}\n"
	"p.kicker{margin:.5em 0 0;color:#777;text-transform:uppercase;letter-spacing:.08em;font-size:.8em}\n";

static int build_page(report *r, const cli_table *e)
{
	int rc;

	lrs_buf_printf(r->b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	               /* no fetch, no script: the page is complete as it is */
	               "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	               "style-src 'unsafe-inline'; img-src data:\">\n"
	               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	cli_html_text(r->b, r->name, NULL);
	lrs_buf_printf(r->b, " - lrsweep report</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
	if ((rc = section_header(r, e)) < 0)
		return rc;
	lrs_buf_printf(r->b, "<nav><a href=\"#range-test\">range test</a><a href=\"#leaderboard\">leaderboard</a>"
	               "<a href=\"#compare\">comparison</a><a href=\"#curves\">curves</a>"
	               "<a href=\"#schedules\">schedules</a><a href=\"#config\">configuration</a></nav>\n");
	/* results first, in the pipeline's order; the YAML, often long, last */
	if ((rc = section_range_test(r)) < 0 || (rc = section_leaderboard(r)) < 0 || (rc = section_compare(r)) < 0 ||
	    (rc = section_figure(r, "curves", "Validation accuracy per epoch", "curves")) < 0 ||
	    (rc = section_figure(r, "schedules", "Learning rate of each configuration", "schedules")) < 0)
		return rc;
	section_config(r, e);
	lrs_buf_printf(r->b, "<footer>Made by lrsweep %s from ", LRSWEEP_VERSION);
	cli_html_text(r->b, r->a->db, NULL);
	lrs_buf_printf(r->b, " (experiment %lld).</footer>\n</body>\n</html>\n", r->exp);
	return 0;
}

/* Starts the page's file before any work is done (outfile.h: written
 * beside, renamed into place at the end). An output that cannot be
 * written, or that is the database, a link or a device, is refused as bad
 * input. */
static int open_output(lrs_outfile *out, const char *path, const char *db)
{
	int rc;

	if ((rc = cli_output_check(path, db, "the report")) == 0)
		rc = lrs_outfile_begin(out, path, "the report");
	return rc == LRS_ERROR ? LRS_EINVALID : rc;
}

/* Writes the page into the output's temporary file and puts it in place. */
static int write_page(lrs_outfile *out, const char *html, size_t len)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = write(out->fd, html + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int rc = lrs_error_set(LRS_ERROR, "%s: writing the report failed (%s)", out->path,
			                       n < 0 ? strerror(errno) : "nothing written");
			lrs_outfile_abort(out);
			return rc;
		}
		done += (size_t)n;
	}
	return lrs_outfile_commit(out, "the report");
}

/* Builds the page of experiment row `e` and writes it to `out`, which is
 * committed or aborted here. */
static int make_report(lrs_store *st, const report_args *a, const cli_table *e, lrs_outfile *out)
{
	lrs_buf page = { 0 };
	report r = { st, a, atoll(cell(e, 0, 0)), cell(e, 0, 1), "/tmp/lrsweep-report-XXXXXX", 0, &page };
	int rc;

	if (!mkdtemp(r.tmpdir)) {
		lrs_outfile_abort(out);
		return lrs_error_set(LRS_ERROR, "cannot create a temporary directory for the plots (%s)", strerror(errno));
	}
	rc = build_page(&r, e);
	rmdir(r.tmpdir);
	if (rc == 0 && page.failed)
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
	if (rc == 0)
		rc = write_page(out, page.data, page.len);
	else
		lrs_outfile_abort(out);
	lrs_buf_free(&page);
	return rc;
}

int cmd_report(int argc, char **argv, cli_globals *g)
{
	report_args a = { NULL, NULL, NULL };
	lrs_outfile out;
	lrs_store *st = NULL;
	cli_table e;
	int status, rc;

	if ((rc = parse_args(argc, argv, g, &a)) != 0)
		return cli_parsed(CMD, rc);
	if ((status = cli_open_read(&st, CMD, g, a.db)) != 0)
		return status;
	if ((rc = experiment_row(&e, st, &a)) == 0) {
		if ((rc = open_output(&out, a.out, a.db)) == 0)
			rc = make_report(st, &a, &e, &out);
		cli_table_free(&e);
	}
	lrs_store_free(st);
	if (rc < 0)
		return cli_fail(CMD, rc);
	if (!g->quiet)
		fprintf(stderr, "lrsweep %s: wrote %s\n", CMD, a.out);
	return EXIT_OK;
}
