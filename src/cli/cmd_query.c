/* cmd_query.c - `lrsweep query DB WHAT`: answers from a results database
 * (SPEC §2, §8). The database is opened read-only; every subject is one
 * or two SQL statements, printed as a table, CSV or JSON (keyed by the
 * schema's column names). `compare` adds what SQL cannot: 95 % intervals
 * and Welch's test against the best configuration. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/schedule.h"
#include "lrsweep/stats.h"
#include "lrsweep/store.h"
#include "lrsweep/util.h"
#include "cli.h"
#include "table.h"

#define CMD "query"
#define SQL_CAP 2048

typedef struct {
	const char *db;
	const char *what;
	const char *arg;            /* curve TRIAL_ID, sql "SELECT ..."         */
	cli_format format;
	const char *experiment;     /* --experiment NAME|ID (NULL: the latest)  */
	const char *status;         /* --status                                  */
	const char *schedule;       /* --schedule                                */
	const char *sort;           /* --sort COLUMN[:desc]                      */
	long top;                   /* --top K (0: all)                          */
	const char *metric;         /* --metric                                  */
	double target;              /* --target-accuracy (NAN: none)             */
} query_args;

static const char *const subjects[] = {
	"experiments", "trials", "best", "compare", "curve", "range-test", "sql",
};
#define N_SUBJECTS (sizeof subjects / sizeof subjects[0])

/* Metrics a trial is ranked by; losses rank ascending. */
static const char *const metrics[] = {
	"best_val_accuracy", "final_val_accuracy", "test_accuracy", "final_val_loss", "final_train_loss",
};
#define N_METRICS (sizeof metrics / sizeof metrics[0])

/* Columns `trials` shows, and may sort by. */
static const char *const trial_cols[] = {
	"id", "trial_key", "schedule", "params", "hyper", "seed", "status", "epochs_done", "iterations",
	"best_val_accuracy", "best_epoch", "final_val_accuracy", "final_val_loss", "final_train_loss",
	"test_accuracy", "diverged_at", "wall_seconds",
};
#define N_TRIAL_COLS (sizeof trial_cols / sizeof trial_cols[0])

static const char about[] =
	"WHAT:\n"
	"  experiments        one row each: command, status, trials by status, best\n"
	"                     accuracy, dates\n"
	"  trials             one row per trial of the experiment, parameters readable\n"
	"  best               the best trial (by --metric) and everything about it\n"
	"  compare            one row per configuration: n, mean, sd and 95% interval\n"
	"                     of the best validation and test accuracy over seeds,\n"
	"                     rank, and which configurations Welch's test cannot tell\n"
	"                     from the best (p >= 0.05); --target-accuracy A adds the\n"
	"                     mean iteration reaching A\n"
	"  curve TRIAL_ID     the trial's epochs\n"
	"  range-test         the range test's repeats and every rule's bounds\n"
	"  sql \"SELECT ...\"   any read-only SQL statement\n";

static const char epilog[] =
	"The database is opened read-only; it may be written by a run at the same time.\n"
	"JSON rows are keyed by the column names of docs/schema.md.\n";

static const char *const formats[] = { "table", "csv", "json" };   /* by cli_format */

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

static int set_status(void *dest, const char *flag, const char *value)
{
	if (lrs_trial_status_parse(value) < 0)
		return lrs_error_set(LRS_EINVALID, "%s must be pending, running, completed, pruned, diverged, failed or "
		                     "interrupted, got '%s'", flag, value);
	*(const char **)dest = value;
	return 0;
}

static int set_schedule(void *dest, const char *flag, const char *value)
{
	lrs_sched_type t;

	if (lrs_sched_type_parse(&t, value) < 0)
		return lrs_error_set(LRS_EINVALID, "%s: %s", flag, lrs_error_last());
	*(const char **)dest = value;
	return 0;
}

static int set_sort(void *dest, const char *flag, const char *value)
{
	char col[64];
	const char *dir = strchr(value, ':');

	snprintf(col, sizeof col, "%.*s", (int)strcspn(value, ":"), value);
	if (!in_list(col, trial_cols, N_TRIAL_COLS) || (dir && strcmp(dir, ":desc") && strcmp(dir, ":asc")))
		return lrs_error_set(LRS_EINVALID, "%s must be a column of 'query trials' (optionally :desc), got '%s'",
		                     flag, value);
	*(const char **)dest = value;
	return 0;
}

/* Parses query's argv: 0, LRS_OPT_HELP (written to stdout) or an error. */
static int parse_args(int argc, char **argv, cli_globals *g, query_args *a)
{
	int what = -1, format = CLI_FMT_TABLE, metric = -1;
	const lrs_opt opts[] = {
		CLI_OPT_DB_FILE(&a->db),
		{ .metavar = "WHAT", .kind = LRS_OPT_ENUM, .dest = &what, .flags = LRS_OPT_OPERAND | LRS_OPT_REQUIRED,
		  .choices = subjects, .n_choices = N_SUBJECTS, .noun = "subject", .help = "what to show" },
		{ .metavar = "ARG", .kind = LRS_OPT_STRING, .dest = &a->arg, .flags = LRS_OPT_OPERAND,
		  .help = "curve: the trial id; sql: the statement" },
		{ .name = "format", .kind = LRS_OPT_ENUM, .dest = &format, .choices = formats, .n_choices = 3,
		  .help = "table (default), csv, or json keyed by the column names" },
		CLI_OPT_EXPERIMENT(&a->experiment),
		{ .name = "status", .kind = LRS_OPT_STRING, .dest = &a->status, .set = set_status, .metavar = "S",
		  .help = "trials: pending, running, completed, pruned, diverged, failed or interrupted" },
		{ .name = "schedule", .kind = LRS_OPT_STRING, .dest = &a->schedule, .set = set_schedule,
		  .metavar = "TYPE", .help = "trials, compare: one schedule type" },
		{ .name = "sort", .kind = LRS_OPT_STRING, .dest = &a->sort, .set = set_sort, .metavar = "COLUMN[:desc]",
		  .help = "trials: by a column (add :desc to reverse); default id, or the metric best first with --top" },
		{ .name = "top", .kind = LRS_OPT_INT, .dest = &a->top, .metavar = "K", .min = 1, .max = INFINITY,
		  .help = "at most K rows" },
		{ .name = "metric", .kind = LRS_OPT_ENUM, .dest = &metric, .choices = metrics, .n_choices = N_METRICS,
		  .metavar = "M", .help = "best, trials --top, compare: best_val_accuracy (default), final_val_accuracy, "
		                          "test_accuracy, final_val_loss, final_train_loss" },
		{ .name = "target-accuracy", .kind = LRS_OPT_DOUBLE, .dest = &a->target, .metavar = "A", .min = 0, .max = 1,
		  .flags = LRS_OPT_MIN_OPEN, .help = "compare: the mean iteration at which validation accuracy first "
		                                     "reached A" },
		CLI_OPT_GLOBALS(g),
	};
	const lrs_opt_spec spec = { "lrsweep", CMD, opts, CLI_N_OPTS(opts), about, epilog, 0 };
	int rc = cli_parse(&spec, argc, argv, stdout);

	a->what = what >= 0 ? subjects[what] : NULL;
	a->format = (cli_format)format;
	a->metric = metric >= 0 ? metrics[metric] : NULL;
	if (rc != 0)
		return rc;
	int takes_arg = !strcmp(a->what, "curve") || !strcmp(a->what, "sql");
	if (takes_arg && !a->arg)
		return lrs_error_set(LRS_EINVALID, "%s needs %s", a->what,
		                     a->what[0] == 'c' ? "a trial id (query DB curve TRIAL_ID)"
		                                       : "a statement (query DB sql \"SELECT ...\")");
	if (!takes_arg && a->arg)
		return lrs_error_set(LRS_EINVALID, "unexpected argument '%s'", a->arg);
	return 0;
}

/* ------------------------------------------------------------ helpers */

/* The experiment a query is about: --experiment (a name: its latest run;
 * an id), else the latest. */
static int resolve_experiment(lrs_store *st, const query_args *a, long long *id)
{
	cli_table t;
	int rc;

	if ((rc = cli_experiment_row(&t, st, a->db, a->experiment, "id")) < 0)
		return rc;
	*id = atoll(t.cells[0]);
	cli_table_free(&t);
	return 0;
}

/* Rewrites the JSON columns of a table readably (table format only). */
static void make_readable(cli_table *t, const char *const *cols, size_t n)
{
	for (int c = 0; c < t->ncols; c++) {
		if (!in_list(t->names[c], cols, n))
			continue;
		for (size_t r = 0; r < t->nrows; r++) {
			char **cell = &t->cells[r * (size_t)t->ncols + (size_t)c];
			if (*cell) {
				char *s = cli_json_readable(*cell);
				if (s) {
					free(*cell);
					*cell = s;
				}
			}
		}
	}
}

static int show(const query_args *a, cli_table *t, int as_object)
{
	static const char *const json_cols[] = { "params", "hyper" };

	for (size_t k = 0; k < 2; k++)
		cli_table_raw_json(t, json_cols[k]);
	if (a->format == CLI_FMT_TABLE)
		make_readable(t, json_cols, 2);
	cli_table_print(stdout, t, a->format, as_object);
	return 0;
}

static const char *metric_of(const query_args *a)
{
	return a->metric ? a->metric : "best_val_accuracy";
}

static int ascending(const char *metric)
{
	return strstr(metric, "loss") != NULL;
}

/* ------------------------------------------------------------ subjects */

static int q_experiments(lrs_store *st, const query_args *a)
{
	lrs_buf sql = { 0 };   /* a --experiment name of any length: never cut */
	cli_table t;
	int rc;

	lrs_buf_printf(&sql,
	         "SELECT e.id, e.name, e.command, e.status, count(t.id) AS trials,"
	         " coalesce(sum(t.status = 'completed'), 0) AS completed,"
	         " coalesce(sum(t.status = 'pruned'), 0) AS pruned,"
	         " coalesce(sum(t.status = 'diverged'), 0) AS diverged,"
	         " coalesce(sum(t.status = 'failed'), 0) AS failed,"
	         " coalesce(sum(t.status IN ('pending', 'running', 'interrupted')), 0) AS unfinished,"
	         " max(CASE WHEN t.status = 'completed' THEN t.best_val_accuracy END) AS best_val_accuracy,"
	         " e.created_at, e.finished_at"
	         " FROM experiments e LEFT JOIN trials t ON t.experiment_id = e.id");
	if (a->experiment && cli_is_id(a->experiment)) {
		lrs_buf_printf(&sql, " WHERE e.id = %s", a->experiment);
	} else if (a->experiment) {
		lrs_buf_printf(&sql, " WHERE e.name = ");
		cli_sql_quote(&sql, a->experiment);
	}
	lrs_buf_printf(&sql, " GROUP BY e.id ORDER BY e.id");
	if (a->top)
		lrs_buf_printf(&sql, " LIMIT %ld", a->top);
	if (sql.failed) {
		lrs_buf_free(&sql);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	rc = cli_table_fetch(&t, st, sql.data);
	lrs_buf_free(&sql);
	if (rc < 0)
		return rc;
	if (a->experiment && t.nrows == 0) {
		cli_table_free(&t);
		size_t len = strlen(a->experiment);   /* a long name: its start, and how long */
		return len <= 80 ? lrs_error_set(LRS_EINVALID, "%s: no experiment '%s'", a->db, a->experiment)
		                 : lrs_error_set(LRS_EINVALID, "%s: no experiment '%.60s...' (%zu characters)", a->db,
		                                 a->experiment, len);
	}
	show(a, &t, 0);
	cli_table_free(&t);
	return 0;
}

static int q_trials(lrs_store *st, const query_args *a, long long exp)
{
	char sql[SQL_CAP], order[128];
	size_t len;
	cli_table t;
	int rc;

	/* a terminal gets the columns people read; csv and json everything */
	len = (size_t)snprintf(sql, sizeof sql, a->format == CLI_FMT_TABLE
	                       ? "SELECT id, schedule, params, seed, status, epochs_done, best_val_accuracy, "
	                         "best_epoch, final_val_accuracy, test_accuracy, wall_seconds "
	                         "FROM trials WHERE experiment_id = %lld"
	                       : "SELECT id, trial_key, schedule, params, hyper, seed, status, "
	                         "epochs_done, iterations, best_val_accuracy, best_epoch, final_val_accuracy, "
	                         "final_val_loss, final_train_loss, test_accuracy, diverged_at, wall_seconds "
	                         "FROM trials WHERE experiment_id = %lld", exp);
	if (a->status)
		len += (size_t)snprintf(sql + len, sizeof sql - len, " AND status = '%s'", a->status);
	if (a->schedule)
		len += (size_t)snprintf(sql + len, sizeof sql - len, " AND schedule = '%s'", a->schedule);
	if (a->sort) {
		const char *dir = strchr(a->sort, ':');
		snprintf(order, sizeof order, "%.*s %s NULLS LAST, id", (int)strcspn(a->sort, ":"), a->sort,
		         dir && !strcmp(dir, ":desc") ? "DESC" : "ASC");
	} else if (a->top) {
		snprintf(order, sizeof order, "%s %s NULLS LAST, id", metric_of(a), ascending(metric_of(a)) ? "ASC" : "DESC");
	} else {
		snprintf(order, sizeof order, "id");
	}
	len += (size_t)snprintf(sql + len, sizeof sql - len, " ORDER BY %s", order);
	if (a->top)
		snprintf(sql + len, sizeof sql - len, " LIMIT %ld", a->top);
	if ((rc = cli_table_fetch(&t, st, sql)) < 0)
		return rc;
	show(a, &t, 0);
	cli_table_free(&t);
	return 0;
}

static int q_best(lrs_store *st, const query_args *a, long long exp)
{
	char sql[SQL_CAP];
	const char *m = metric_of(a);
	cli_table t;
	int rc;

	snprintf(sql, sizeof sql,
	         "SELECT t.id, e.name AS experiment, t.experiment_id, t.trial_key, t.schedule, t.params, t.hyper, "
	         "t.seed, t.status, t.epochs_done, t.iterations, t.best_val_accuracy, t.best_epoch, "
	         "t.final_val_accuracy, t.final_val_loss, t.final_train_loss, t.test_accuracy, t.started_at, "
	         "t.finished_at, t.wall_seconds, t.worker "
	         "FROM trials t JOIN experiments e ON e.id = t.experiment_id "
	         "WHERE t.experiment_id = %lld AND t.status = 'completed' AND t.%s IS NOT NULL "
	         "ORDER BY t.%s %s, t.final_val_loss ASC, t.id LIMIT 1", exp, m, m, ascending(m) ? "ASC" : "DESC");
	if ((rc = cli_table_fetch(&t, st, sql)) < 0)
		return rc;
	if (t.nrows == 0) {
		cli_table_free(&t);
		return lrs_error_set(LRS_EINVALID, "%s: experiment %lld has no completed trial", a->db, exp);
	}
	if (a->format == CLI_FMT_TABLE) {   /* one trial: a column of fields */
		cli_table v;
		const char *names[2] = { "field", "value" };
		cli_table_init(&v, 2, names);
		make_readable(&t, (const char *const[]){ "params", "hyper" }, 2);
		for (int c = 0; c < t.ncols; c++) {
			const char *row[2] = { t.names[c], t.cells[c] };
			lrs_value_type ty[2] = { LRS_VAL_TEXT, LRS_VAL_TEXT };
			char num[32];
			if (t.types[c] == LRS_VAL_REAL && t.cells[c]) {
				snprintf(num, sizeof num, "%.6g", atof(t.cells[c]));
				row[1] = num;
			}
			cli_table_add(&v, row, ty);
		}
		cli_table_print(stdout, &v, CLI_FMT_TABLE, 0);
		cli_table_free(&v);
	} else {
		show(a, &t, 1);
	}
	cli_table_free(&t);
	return 0;
}

/* One configuration of `compare`. */
typedef struct {
	const char *schedule, *params, *hyper;
	double *val, *test, *reach;  /* per trial; reach: iteration or NAN   */
	size_t n, n_test, n_reach;
	double mv, sv, cv, mt, st, ct, mr, p;
} config_stats;

static int cmp_config(const void *x, const void *y)
{
	const config_stats *a = x, *b = y;

	if (a->mv != b->mv)
		return a->mv > b->mv ? -1 : 1;
	return strcmp(a->params, b->params);
}

/* compare as a table for people: the configuration in words, mean ± 95 %
 * interval, and the verdict against the best. */
static void print_compare_table(const cli_table *c, const char *metric, int with_target)
{
	const char *names[] = { "rank", "configuration", "n", "", "test accuracy (95% CI)", "to target", "vs best" };
	char head[80];
	const char **s = calloc(c->nrows + 1, sizeof *s), **p = calloc(c->nrows + 1, sizeof *p);
	const char **h = calloc(c->nrows + 1, sizeof *h);
	char **labels = NULL;
	cli_table v;

	for (size_t r = 0; s && p && h && r < c->nrows; r++) {
		s[r] = cli_table_get(c, r, "schedule");
		p[r] = cli_table_get(c, r, "params");
		h[r] = cli_table_get(c, r, "hyper");
	}
	if (s && p && h)
		labels = cli_config_labels(s, p, h, c->nrows);
	free(s);
	free(p);
	free(h);
	if (!labels)
		return;
	snprintf(head, sizeof head, "%s (95%% CI)", metric);
	names[3] = head;
	if (!with_target)
		names[5] = names[6];
	cli_table_init(&v, with_target ? 7 : 6, names);
	for (size_t r = 0; r < c->nrows; r++) {
		char conf[512], val[64], test[64], reach[64], verdict[64], mean[64], sd[64], ci[64];
		const char *row[7];
		lrs_value_type ty[7] = { LRS_VAL_INT, LRS_VAL_TEXT, LRS_VAL_INT, LRS_VAL_TEXT, LRS_VAL_TEXT,
		                         LRS_VAL_TEXT, LRS_VAL_TEXT };
		const char *pv = cli_table_get(c, r, "p_vs_best");
		int col = 0;

		snprintf(conf, sizeof conf, "%s", labels[r]);
		free(labels[r]);
		snprintf(mean, sizeof mean, "mean_%s", metric);
		snprintf(ci, sizeof ci, "ci95_%s", metric);
		snprintf(sd, sizeof sd, "%s", cli_table_get(c, r, ci) ? cli_table_get(c, r, ci) : "");
		if (cli_table_get(c, r, ci))
			snprintf(val, sizeof val, "%.4f ± %.4f", atof(cli_table_get(c, r, mean)), atof(sd));
		else
			snprintf(val, sizeof val, "%.4f", atof(cli_table_get(c, r, mean)));
		if (!cli_table_get(c, r, "mean_test_accuracy"))
			snprintf(test, sizeof test, "-");
		else if (cli_table_get(c, r, "ci95_test_accuracy"))
			snprintf(test, sizeof test, "%.4f ± %.4f", atof(cli_table_get(c, r, "mean_test_accuracy")),
			         atof(cli_table_get(c, r, "ci95_test_accuracy")));
		else
			snprintf(test, sizeof test, "%.4f", atof(cli_table_get(c, r, "mean_test_accuracy")));
		if (r == 0)
			snprintf(verdict, sizeof verdict, "best");
		else if (!pv)
			snprintf(verdict, sizeof verdict, "? (one seed)");
		else
			snprintf(verdict, sizeof verdict, "%s (p=%.2g)", atof(pv) >= 0.05 ? "same" : "worse", atof(pv));
		row[col++] = cli_table_get(c, r, "rank");
		row[col++] = conf;
		row[col++] = cli_table_get(c, r, "n");
		row[col++] = val;
		row[col++] = test;
		if (with_target) {
			const char *mr = cli_table_get(c, r, "mean_iterations_to_target");
			snprintf(reach, sizeof reach, "%s%.0f (%s/%s)", mr ? "" : "-", mr ? atof(mr) : 0.0,
			         cli_table_get(c, r, "reached_target"), cli_table_get(c, r, "n"));
			if (!mr)
				snprintf(reach, sizeof reach, "- (0/%s)", cli_table_get(c, r, "n"));
			row[col++] = reach;
		}
		row[col++] = verdict;
		cli_table_add(&v, row, ty);
	}
	free(labels);
	cli_table_print(stdout, &v, CLI_FMT_TABLE, 0);
	printf("\nsame = Welch's t-test cannot tell it from the best (p >= 0.05); intervals: Student's t, 95%%\n");
	cli_table_free(&v);
}

static int q_compare(lrs_store *st, const query_args *a, long long exp)
{
	char sql[SQL_CAP], target[160] = "NULL";
	const char *m = metric_of(a);
	cli_table t, out;
	config_stats *cs = NULL;
	size_t nc = 0;
	int rc;

	if (!isnan(a->target))
		snprintf(target, sizeof target, "(SELECT min(iteration) FROM epochs WHERE trial_id = t.id AND "
		         "val_accuracy >= %.17g)", a->target);
	size_t len = (size_t)snprintf(sql, sizeof sql,
	         "SELECT schedule, params, hyper, %s AS value, test_accuracy, %s AS reach FROM trials t "
	         "WHERE experiment_id = %lld AND status = 'completed'", m, target, exp);
	if (a->schedule)
		len += (size_t)snprintf(sql + len, sizeof sql - len, " AND schedule = '%s'", a->schedule);
	snprintf(sql + len, sizeof sql - len, " ORDER BY schedule, params, hyper, id");
	if ((rc = cli_table_fetch(&t, st, sql)) < 0)
		return rc;
	if (t.nrows == 0) {
		cli_table_free(&t);
		return lrs_error_set(LRS_EINVALID, "%s: experiment %lld has no completed trial%s", a->db, exp,
		                     a->schedule ? " of that schedule" : "");
	}
	cs = calloc(t.nrows + 1, sizeof *cs);
	if (!cs) {
		cli_table_free(&t);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	for (size_t r = 0; r < t.nrows; r++) {   /* rows come grouped */
		const char *const *row = (const char *const *)&t.cells[r * 6];
		config_stats *c = nc ? &cs[nc - 1] : NULL;
		if (!c || strcmp(c->schedule, row[0]) || strcmp(c->params, row[1]) || strcmp(c->hyper, row[2])) {
			c = &cs[nc++];
			c->schedule = row[0];
			c->params = row[1];
			c->hyper = row[2];
			c->val = calloc(t.nrows, sizeof *c->val);
			c->test = calloc(t.nrows, sizeof *c->test);
			c->reach = calloc(t.nrows, sizeof *c->reach);
			if (!c->val || !c->test || !c->reach) {
				rc = lrs_error_set(LRS_ENOMEM, "out of memory");
				goto out;
			}
		}
		if (row[3])
			c->val[c->n++] = atof(row[3]);
		if (row[4])
			c->test[c->n_test++] = atof(row[4]);
		if (row[5])
			c->reach[c->n_reach++] = atof(row[5]);
	}
	for (size_t k = 0; k < nc; k++) {
		config_stats *c = &cs[k];
		c->mv = lrs_mean(c->val, c->n);
		c->sv = lrs_sd(c->val, c->n);
		c->cv = lrs_ci95(c->sv, c->n);
		c->mt = lrs_mean(c->test, c->n_test);
		c->st = lrs_sd(c->test, c->n_test);
		c->ct = lrs_ci95(c->st, c->n_test);
		c->mr = lrs_mean(c->reach, c->n_reach);
		if (ascending(m))   /* rank losses low first: sort on the negation */
			c->mv = -c->mv;
	}
	qsort(cs, nc, sizeof *cs, cmp_config);
	for (size_t k = 0; k < nc; k++) {
		if (ascending(m))
			cs[k].mv = -cs[k].mv;
		cs[k].p = k == 0 ? 1 : lrs_welch_p(cs[0].mv, cs[0].sv, cs[0].n, cs[k].mv, cs[k].sv, cs[k].n);
	}
	{
		char mean_name[64], sd_name[64], ci_name[64];
		snprintf(mean_name, sizeof mean_name, "mean_%s", m);
		snprintf(sd_name, sizeof sd_name, "std_%s", m);
		snprintf(ci_name, sizeof ci_name, "ci95_%s", m);
		const char *names[] = { "rank", "schedule", "params", "hyper", "n", mean_name, sd_name, ci_name,
		                        "mean_test_accuracy", "std_test_accuracy", "ci95_test_accuracy",
		                        "mean_iterations_to_target", "reached_target", "p_vs_best", "same_as_best" };
		int ncols = isnan(a->target) ? 11 : 13;
		const char *use[15];
		for (int i = 0; i < 15; i++)
			use[i] = names[i];
		if (isnan(a->target)) {   /* without a target, no target columns */
			use[11] = names[13];
			use[12] = names[14];
		}
		cli_table_init(&out, ncols + 2, use);
		for (size_t k = 0; k < nc && (!a->top || (long)k < a->top); k++) {
			config_stats *c = &cs[k];
			char txt[13][40];
			const char *row[15];
			lrs_value_type ty[15];
			double nums[] = { c->mv, c->sv, c->cv, c->mt, c->st, c->ct };
			int col = 0;
			snprintf(txt[0], 40, "%zu", k + 1);
			row[col] = txt[0]; ty[col++] = LRS_VAL_INT;
			row[col] = c->schedule; ty[col++] = LRS_VAL_TEXT;
			row[col] = c->params; ty[col++] = LRS_VAL_TEXT;
			row[col] = c->hyper; ty[col++] = LRS_VAL_TEXT;
			snprintf(txt[1], 40, "%zu", c->n);
			row[col] = txt[1]; ty[col++] = LRS_VAL_INT;
			for (int i = 0; i < 6; i++) {
				snprintf(txt[2 + i], 40, "%.17g", nums[i]);
				row[col] = isnan(nums[i]) ? NULL : txt[2 + i];
				ty[col++] = LRS_VAL_REAL;
			}
			if (!isnan(a->target)) {
				snprintf(txt[8], 40, "%.17g", c->mr);
				row[col] = isnan(c->mr) ? NULL : txt[8];
				ty[col++] = LRS_VAL_REAL;
				snprintf(txt[9], 40, "%zu", c->n_reach);
				row[col] = txt[9];
				ty[col++] = LRS_VAL_INT;
			}
			snprintf(txt[10], 40, "%.17g", c->p);
			row[col] = isnan(c->p) ? NULL : txt[10];
			ty[col++] = LRS_VAL_REAL;
			snprintf(txt[11], 40, "%d", k == 0 || (!isnan(c->p) && c->p >= 0.05));
			row[col] = txt[11];
			ty[col++] = LRS_VAL_INT;
			cli_table_add(&out, row, ty);
		}
	}
	if (a->format == CLI_FMT_TABLE)
		print_compare_table(&out, m, !isnan(a->target));
	else
		show(a, &out, 0);
	cli_table_free(&out);
out:
	for (size_t k = 0; k < nc; k++) {
		free(cs[k].val);
		free(cs[k].test);
		free(cs[k].reach);
	}
	free(cs);
	cli_table_free(&t);
	return rc;
}

static int q_curve(lrs_store *st, const query_args *a)
{
	char sql[SQL_CAP];
	cli_table t;
	int rc;

	if (!cli_is_id(a->arg))
		return lrs_error_set(LRS_EINVALID, "curve: a trial id is a number, got '%s'", a->arg);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM trials WHERE id = %s", a->arg);
	if ((rc = cli_table_fetch(&t, st, sql)) < 0)
		return rc;
	int found = t.nrows && atoll(t.cells[0]) > 0;
	cli_table_free(&t);
	if (!found)
		return lrs_error_set(LRS_EINVALID, "%s: no trial %s (see 'lrsweep query %s trials')", a->db, a->arg, a->db);
	snprintf(sql, sizeof sql, "SELECT epoch, iteration, lr, momentum, train_loss, train_accuracy, val_loss, "
	         "val_accuracy, wall_seconds FROM epochs WHERE trial_id = %s ORDER BY epoch", a->arg);
	if ((rc = cli_table_fetch(&t, st, sql)) < 0)
		return rc;
	show(a, &t, 0);
	cli_table_free(&t);
	return 0;
}

/* Seeds are 64-bit unsigned, stored as SQLite's signed integers: shown
 * as the range-test command printed them, and as text in JSON (a double
 * cannot hold them, so JSON readers would round them). */
static void unsigned_seeds(cli_table *t)
{
	for (int c = 0; c < t->ncols; c++) {
		if (strcmp(t->names[c], "seed"))
			continue;
		for (size_t r = 0; r < t->nrows; r++) {
			char **cell = &t->cells[r * (size_t)t->ncols + (size_t)c];
			char buf[32];
			if (!*cell)
				continue;
			snprintf(buf, sizeof buf, "%llu", (unsigned long long)strtoll(*cell, NULL, 10));
			char *s = strdup(buf);
			if (s) {
				free(*cell);
				*cell = s;
				t->types[r * (size_t)t->ncols + (size_t)c] = LRS_VAL_TEXT;   /* beyond JSON's integers */
			}
		}
	}
}

static int q_range_test(lrs_store *st, const query_args *a, long long exp)
{
	char sql[SQL_CAP];
	cli_table b, r;
	int rc;

	snprintf(sql, sizeof sql, "SELECT rule, min_lr, max_lr, min_lr_spread, max_lr_spread, chosen, note "
	         "FROM bounds WHERE experiment_id = %lld ORDER BY chosen DESC, rule", exp);
	if ((rc = cli_table_fetch(&b, st, sql)) < 0)
		return rc;
	snprintf(sql, sizeof sql, "SELECT r.id, r.repeat, r.mode, r.start_lr, r.end_lr, r.iterations, r.stopped_at, "
	         "r.seed, r.wall_seconds, count(p.iteration) AS points, max(p.accuracy) AS max_accuracy, "
	         "min(p.smoothed_loss) AS min_smoothed_loss FROM range_tests r LEFT JOIN range_points p "
	         "ON p.range_test_id = r.id WHERE r.experiment_id = %lld GROUP BY r.id ORDER BY r.repeat", exp);
	if ((rc = cli_table_fetch(&r, st, sql)) < 0) {
		cli_table_free(&b);
		return rc;
	}
	unsigned_seeds(&r);
	if (b.nrows == 0 && r.nrows == 0) {
		cli_table_free(&b);
		cli_table_free(&r);
		return lrs_error_set(LRS_EINVALID, "%s: experiment %lld has no range test (its bounds were given)",
		                     a->db, exp);
	}
	if (a->format == CLI_FMT_JSON) {
		printf("{\"bounds\": ");
		cli_table_print(stdout, &b, CLI_FMT_JSON, 0);
		printf(", \"range_tests\": ");
		cli_table_print(stdout, &r, CLI_FMT_JSON, 0);
		printf("}\n");
	} else {
		if (a->format == CLI_FMT_TABLE)
			printf("bounds (chosen first)\n\n");
		cli_table_print(stdout, &b, a->format, 0);
		printf(a->format == CLI_FMT_TABLE ? "\nrepeats\n\n" : "\n");
		cli_table_print(stdout, &r, a->format, 0);
	}
	cli_table_free(&b);
	cli_table_free(&r);
	return 0;
}

static int q_sql(lrs_store *st, const query_args *a)
{
	cli_table t;
	int rc;

	if ((rc = cli_table_fetch(&t, st, a->arg)) < 0)
		return rc;
	cli_table_print(stdout, &t, a->format, 0);
	cli_table_free(&t);
	return 0;
}

int cmd_query(int argc, char **argv, cli_globals *g)
{
	query_args a = { NULL, NULL, NULL, CLI_FMT_TABLE, NULL, NULL, NULL, NULL, 0, NULL, NAN };
	lrs_store *st = NULL;
	long long exp = 0;
	int status, rc;

	if ((rc = parse_args(argc, argv, g, &a)) != 0)
		return cli_parsed(CMD, rc);
	if ((status = cli_open_read(&st, CMD, g, a.db)) != 0)
		return status;
	if (!strcmp(a.what, "experiments"))
		rc = q_experiments(st, &a);
	else if (!strcmp(a.what, "curve"))
		rc = q_curve(st, &a);
	else if (!strcmp(a.what, "sql"))
		rc = q_sql(st, &a);
	else if ((rc = resolve_experiment(st, &a, &exp)) == 0) {
		if (!strcmp(a.what, "trials"))
			rc = q_trials(st, &a, exp);
		else if (!strcmp(a.what, "best"))
			rc = q_best(st, &a, exp);
		else if (!strcmp(a.what, "compare"))
			rc = q_compare(st, &a, exp);
		else
			rc = q_range_test(st, &a, exp);
	}
	lrs_store_free(st);
	return rc < 0 ? cli_fail(CMD, rc) : EXIT_OK;
}
