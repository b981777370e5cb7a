/* query.c - the subjects of `lrsweep query` (query.h) as tables: each a
 * typed read of the store, or the results module's comparison (labels,
 * 95 % intervals, Welch's test against the best), put into rows
 * (table.h) and printed as a table, CSV or JSON keyed by the schema's
 * column names. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/number.h"
#include "lrsweep/query.h"
#include "lrsweep/report.h"
#include "lrsweep/results.h"
#include "lrsweep/store.h"
#include "lrsweep/table.h"
#include "lrsweep/util.h"

/* Columns `trials` shows in CSV and JSON, and may sort by. */
static const char *const trial_cols[] = {
	"id", "trial_key", "schedule", "params", "hyper", "seed", "status", "epochs_done", "iterations",
	"best_val_accuracy", "best_epoch", "final_val_accuracy", "final_val_loss", "final_train_loss",
	"test_accuracy", "diverged_at", "wall_seconds", "error",
};
#define N_TRIAL_COLS (sizeof trial_cols / sizeof trial_cols[0])

static int in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

int lrs_query_is_trial_column(const char *name)
{
	return in_list(name, trial_cols, N_TRIAL_COLS);
}

/* ------------------------------------------------------------ helpers */

/* Rewrites the JSON columns of a table readably (table format only). */
static void make_readable(lrs_table *t, const char *const *cols, size_t n)
{
	for (int c = 0; c < t->ncols; c++) {
		if (!in_list(t->names[c], cols, n))
			continue;
		for (size_t r = 0; r < t->nrows; r++) {
			lrs_table_cell *cell = &t->cells[r * (size_t)t->ncols + (size_t)c];
			if (cell->text) {
				char *s = lrs_results_readable(cell->text);
				if (s) {
					free(cell->text);
					cell->text = s;
				}
			}
		}
	}
}

static const char *const json_cols[] = { "params", "hyper" };

static int show(const lrs_query *a, lrs_table *t, int as_object)
{
	if (t->failed)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (size_t k = 0; k < 2; k++)
		lrs_table_raw_json(t, json_cols[k]);
	if (a->format == LRS_FMT_TABLE)
		make_readable(t, json_cols, 2);
	lrs_table_print(a->out, t, a->format, as_object);
	return 0;
}

static const char *metric_of(const lrs_query *a)
{
	return a->metric ? a->metric : "best_val_accuracy";
}

static int ascending(const char *metric)
{
	return strstr(metric, "loss") != NULL;
}

/* ------------------------------------------------------------ subjects */

static int q_experiments(lrs_store *st, const lrs_query *a)
{
	static const char *const names[] = { "id", "name", "command", "status", "trials", "completed", "pruned",
	                                     "diverged", "failed", "unfinished", "best_val_accuracy", "created_at",
	                                     "finished_at" };
	lrs_experiment_rows rows;
	lrs_table t;
	int rc;

	if ((rc = lrs_store_experiments_read(&rows, st, a->experiment, a->top)) < 0)
		return rc;
	if (a->experiment && rows.n == 0) {
		lrs_experiment_rows_free(&rows);
		size_t len = strlen(a->experiment);   /* a long name: its start, and how long */
		return len <= 80 ? lrs_error_set(LRS_EINVALID, "%s: no experiment '%s'", a->db, a->experiment)
		                 : lrs_error_set(LRS_EINVALID, "%s: no experiment '%.60s...' (%zu characters)", a->db,
		                                 a->experiment, len);
	}
	lrs_table_init(&t, 13, names);
	for (size_t i = 0; i < rows.n; i++) {
		const lrs_experiment_row *e = &rows.items[i];
		lrs_table_row(&t);
		lrs_table_put_int(&t, e->id);
		lrs_table_put_text(&t, e->name);
		lrs_table_put_text(&t, e->command);
		lrs_table_put_text(&t, e->status);
		lrs_table_put_int(&t, e->trials);
		lrs_table_put_int(&t, e->completed);
		lrs_table_put_int(&t, e->pruned);
		lrs_table_put_int(&t, e->diverged);
		lrs_table_put_int(&t, e->failed);
		lrs_table_put_int(&t, e->unfinished);
		lrs_table_put_real(&t, e->best_val_accuracy);
		lrs_table_put_text(&t, e->created_at);
		lrs_table_put_text(&t, e->finished_at);
	}
	rc = show(a, &t, 0);
	lrs_table_free(&t);
	lrs_experiment_rows_free(&rows);
	return rc;
}

/* A column of a trial: its name, how it is shown, where it is. */
typedef struct {
	const char *name;
	char kind;                  /* I int64, T text, C count (< 0 NULL), R real */
	size_t offset;              /* in lrs_trial_row                        */
} trial_field;

#define F(name, kind) { #name, kind, offsetof(lrs_trial_row, name) }
static const trial_field trial_fields[] = {
	F(id, 'I'), F(trial_key, 'T'), F(schedule, 'T'), F(params, 'T'), F(hyper, 'T'), F(seed, 'I'),
	F(epochs_done, 'C'), F(iterations, 'C'), F(best_val_accuracy, 'R'), F(best_epoch, 'C'),
	F(final_val_accuracy, 'R'), F(final_val_loss, 'R'), F(final_train_loss, 'R'), F(test_accuracy, 'R'),
	F(diverged_at, 'C'), F(started_at, 'T'), F(finished_at, 'T'), F(wall_seconds, 'R'), F(worker, 'T'),
	F(error, 'T'),
};
#undef F

/* One column of trial r: a field above, its status, or its experiment's. */
static void put_field(lrs_table *t, const lrs_trial_row *r, const lrs_experiment_row *e, const char *name)
{
	const char *base = (const char *)r;

	if (!strcmp(name, "status")) {
		lrs_table_put_text(t, lrs_trial_status_name(r->status));
		return;
	}
	if (!strcmp(name, "experiment") || !strcmp(name, "experiment_id")) {
		if (name[10])
			lrs_table_put_int(t, e->id);
		else
			lrs_table_put_text(t, e->name);
		return;
	}
	for (size_t k = 0; k < sizeof trial_fields / sizeof *trial_fields; k++) {   /* every column of trial_cols */
		const trial_field *f = &trial_fields[k];
		if (strcmp(name, f->name))
			continue;
		if (f->kind == 'I')
			lrs_table_put_int(t, *(const int64_t *)(base + f->offset));
		else if (f->kind == 'T')
			lrs_table_put_text(t, *(char *const *)(base + f->offset));
		else if (f->kind == 'C')
			lrs_table_put_count(t, *(const long *)(base + f->offset));
		else
			lrs_table_put_real(t, *(const double *)(base + f->offset));
		return;
	}
	lrs_table_put(t, LRS_VAL_NULL, NULL, NAN);   /* (names come from this file's lists) */
}

/* The columns `names` of trial r, in order. */
static void put_trial(lrs_table *t, const lrs_trial_row *r, const lrs_experiment_row *e,
                      const char *const *names, size_t n)
{
	for (size_t k = 0; k < n; k++)
		put_field(t, r, e, names[k]);
}

static int q_trials(lrs_store *st, const lrs_query *a, const lrs_experiment_row *e)
{
	/* a terminal gets the columns people read; csv and json everything */
	static const char *const short_cols[] = { "id", "schedule", "params", "seed", "status", "epochs_done",
	                                          "iterations", "best_val_accuracy", "best_epoch", "final_val_accuracy",
	                                          "test_accuracy", "wall_seconds", "error" };
	const char *const *cols = a->format == LRS_FMT_TABLE ? short_cols : trial_cols;
	size_t ncols = a->format == LRS_FMT_TABLE ? sizeof short_cols / sizeof *short_cols : N_TRIAL_COLS;
	lrs_trial_filter f = { a->status, a->schedule, NULL, 0, a->top, NAN };
	char order[64];
	lrs_trial_rows rows;
	lrs_table t;
	int rc;

	if (a->sort) {
		snprintf(order, sizeof order, "%.*s", (int)strcspn(a->sort, ":"), a->sort);
		f.order = order;
		f.descending = strchr(a->sort, ':') && !strcmp(strchr(a->sort, ':'), ":desc");
	} else if (a->top) {
		f.order = metric_of(a);
		f.descending = !ascending(metric_of(a));
	}
	if ((rc = lrs_store_trials_read(&rows, st, e->id, &f)) < 0)
		return rc;
	lrs_table_init(&t, (int)ncols, cols);
	for (size_t i = 0; i < rows.n; i++) {
		lrs_table_row(&t);
		put_trial(&t, &rows.items[i], e, cols, ncols);
	}
	rc = show(a, &t, 0);
	lrs_table_free(&t);
	lrs_trial_rows_free(&rows);
	return rc;
}

/* One trial as a column of fields: reals to 6 digits, JSON readable. */
static void print_fields(FILE *f, const lrs_table *t)
{
	static const char *const names[2] = { "field", "value" };
	lrs_table v;
	char num[32];

	lrs_table_init(&v, 2, names);
	for (int c = 0; c < t->ncols; c++) {
		const lrs_table_cell *x = &t->cells[c];
		lrs_table_row(&v);
		lrs_table_put_text(&v, t->names[c]);
		if (x->type == LRS_VAL_REAL && x->text) {
			snprintf(num, sizeof num, "%.6g", x->real);
			lrs_table_put_text(&v, num);
		} else {
			lrs_table_put_text(&v, x->text);
		}
	}
	lrs_table_print(f, &v, LRS_FMT_TABLE, 0);
	lrs_table_free(&v);
}

static int q_best(lrs_store *st, const lrs_query *a, const lrs_experiment_row *e)
{
	static const char *const cols[] = { "id", "experiment", "experiment_id", "trial_key", "schedule", "params",
	                                    "hyper", "seed", "status", "epochs_done", "iterations", "best_val_accuracy",
	                                    "best_epoch", "final_val_accuracy", "final_val_loss", "final_train_loss",
	                                    "test_accuracy", "started_at", "finished_at", "wall_seconds", "worker" };
	lrs_results_opts o = { .metric = metric_of(a), .target_accuracy = NAN };
	lrs_results r;
	size_t best;
	lrs_table t;
	int rc;

	if ((rc = lrs_results_load(&r, st, e->id, &o)) < 0)
		return rc;
	if (lrs_results_best_trials(&r, &best, 1) == 0) {
		lrs_results_free(&r);
		return lrs_error_set(LRS_EINVALID, "%s: experiment %lld has no completed trial", a->db, (long long)e->id);
	}
	lrs_table_init(&t, sizeof cols / sizeof *cols, cols);
	lrs_table_row(&t);
	put_trial(&t, &r.trials.items[best], e, cols, sizeof cols / sizeof *cols);
	if (a->format == LRS_FMT_TABLE && !t.failed) {   /* one trial: a column of fields */
		make_readable(&t, json_cols, 2);
		print_fields(a->out, &t);
	} else {
		rc = show(a, &t, 1);
	}
	lrs_table_free(&t);
	lrs_results_free(&r);
	return rc;
}

/* "0.8712 ± 0.0064", the mean alone without an interval, or "-". */
static void mean_ci(char *buf, size_t cap, double mean, double ci)
{
	if (isnan(mean))
		snprintf(buf, cap, "-");
	else if (isnan(ci))
		snprintf(buf, cap, "%.4f", mean);
	else
		snprintf(buf, cap, "%.4f ± %.4f", mean, ci);
}

/* The verdict against the best: "best", "same (p=0.62)", "worse (p=0.011)". */
static void verdict(char *buf, size_t cap, const lrs_result_config *c, size_t k)
{
	if (k == 0)
		snprintf(buf, cap, "best");
	else if (isnan(c->p))
		snprintf(buf, cap, "? (one seed)");
	else
		snprintf(buf, cap, "%s (p=%.2g)", c->same ? "same" : "worse", c->p);
}

/* The names of compare's first columns: rank, then what names a row (the
 * configuration, or each key grouped by), n, and the configurations a
 * group holds. Returns how many, up to 4 + r->n_by. */
static int compare_names(const char **names, const lrs_results *r, const char *label)
{
	int n = 0;

	names[n++] = "rank";
	if (!r->n_by)
		names[n++] = label;
	for (size_t k = 0; k < r->n_by; k++)
		names[n++] = r->by[k];
	names[n++] = "n";
	if (r->n_by)
		names[n++] = "configurations";
	return n;
}

/* The cells of compare_names' columns for configuration c: label, or each
 * key's value (`json`: as JSON; else readable, or plain with `exact`). */
static void put_name(lrs_table *t, const lrs_results *r, const lrs_result_config *c, int json, int exact)
{
	lrs_table_put_int(t, (long long)c->rank);
	if (!r->n_by)
		lrs_table_put_text(t, c->label);
	for (size_t k = 0; k < r->n_by; k++) {
		const char *v = c->values[k];
		size_t len = v ? strlen(v) : 0;
		double num = NAN;
		/* v is JSON: a number is bare, a string quoted ("0x10" is no number) */
		lrs_number_kind kind = v ? lrs_number_read(v, len, &num, NULL) : LRS_NUMBER_NONE;
		if (exact && !json && kind == LRS_NUMBER_INTEGER) {
			lrs_table_put_text(t, v);   /* every digit: 2^53 + 1 is not 2^53 */
		} else if (exact && !json && kind == LRS_NUMBER_REAL) {
			lrs_table_put_real(t, num);   /* a number as CSV prints numbers */
		} else if (json || (exact && (!v || v[0] != '"' || strchr(v, '\\')))) {
			lrs_table_put_text(t, v);   /* JSON as is: absent is NULL */
		} else if (exact) {
			char *plain = strndup(v + 1, len - 2);   /* a string unquoted */
			lrs_table_put_text(t, plain);
			free(plain);
		} else {
			char *s = lrs_results_value_text(v);
			lrs_table_put_text(t, s);
			free(s);
		}
	}
	lrs_table_put_int(t, (long long)c->n);
	if (r->n_by)
		lrs_table_put_int(t, (long long)c->n_distinct);
}

/* compare as a table for people: the configuration's label (or the keys'
 * values), mean ± 95 % interval, and the verdict against the best. */
static void print_compare_table(const lrs_results *r, const lrs_query *a)
{
	const char *names[LRS_RESULTS_MAX_BY + 8];
	int with_target = !isnan(a->target);
	char head[80];
	lrs_table v;

	snprintf(head, sizeof head, "%s (95%% CI)", r->metric);
	int n = compare_names(names, r, "configuration");
	names[n++] = head;
	names[n++] = "test accuracy (95% CI)";
	if (with_target)
		names[n++] = "to target";
	names[n++] = "vs best";
	lrs_table_init(&v, n, names);
	for (size_t k = 0; k < r->n_ranked && (!a->top || (long)k < a->top); k++) {
		const lrs_result_config *c = &r->configs[r->ranked[k]];
		char cell[64];

		lrs_table_row(&v);
		put_name(&v, r, c, 0, 0);
		mean_ci(cell, sizeof cell, c->mean, c->ci95);
		lrs_table_put_text(&v, cell);
		mean_ci(cell, sizeof cell, c->mean_test, c->ci95_test);
		lrs_table_put_text(&v, cell);
		if (with_target) {
			if (isnan(c->mean_reach))
				snprintf(cell, sizeof cell, "- (0/%zu)", c->n);
			else
				snprintf(cell, sizeof cell, "%.0f (%zu/%zu)", c->mean_reach, c->n_reach, c->n);
			lrs_table_put_text(&v, cell);
		}
		verdict(cell, sizeof cell, c, k);
		lrs_table_put_text(&v, cell);
	}
	lrs_table_print(a->out, &v, LRS_FMT_TABLE, 0);
	fprintf(a->out, "\nsame = Welch's t-test cannot tell it from the best (p >= 0.05); intervals: Student's t, 95%%\n");
	if (r->n_by)
		fprintf(a->out, "n = completed trials (every seed of every configuration of the group), each counted once\n");
	lrs_table_free(&v);
}

/* compare as rows of numbers (CSV, JSON), keyed like schedule_summary; a
 * grouping by keys has a column per key (its values as JSON in JSON). */
static int print_compare_rows(const lrs_results *r, const lrs_query *a)
{
	static const char *const stats[] = { "mean_test_accuracy", "std_test_accuracy", "ci95_test_accuracy",
	                                      "mean_iterations_to_target", "reached_target", "p_vs_best",
	                                      "same_as_best" };
	const char *names[LRS_RESULTS_MAX_BY + 16];
	char mean[64], sd[64], ci[64];
	int target = !isnan(a->target), json = a->format == LRS_FMT_JSON, n;
	lrs_table t;
	int rc;

	snprintf(mean, sizeof mean, "mean_%s", r->metric);
	snprintf(sd, sizeof sd, "std_%s", r->metric);
	snprintf(ci, sizeof ci, "ci95_%s", r->metric);
	n = compare_names(names, r, "schedule");
	if (!r->n_by) {   /* a configuration: its stored columns */
		names[n - 1] = "params";
		names[n++] = "hyper";
		names[n++] = "n";
	}
	names[n++] = mean;
	names[n++] = sd;
	names[n++] = ci;
	for (size_t k = 0; k < sizeof stats / sizeof *stats; k++)
		if (target || k < 3 || k > 4)   /* without a target, no target columns */
			names[n++] = stats[k];
	lrs_table_init(&t, n, names);
	for (size_t k = 0; json && k < r->n_by; k++)
		lrs_table_raw_json(&t, r->by[k]);
	for (size_t k = 0; k < r->n_ranked && (!a->top || (long)k < a->top); k++) {
		const lrs_result_config *c = &r->configs[r->ranked[k]];
		lrs_table_row(&t);
		if (r->n_by) {
			put_name(&t, r, c, json, 1);
		} else {
			lrs_table_put_int(&t, (long long)c->rank);
			lrs_table_put_text(&t, c->schedule);
			lrs_table_put_text(&t, c->params);
			lrs_table_put_text(&t, c->hyper);
			lrs_table_put_int(&t, (long long)c->n);
		}
		double v[] = { c->mean, c->sd, c->ci95, c->mean_test, c->sd_test, c->ci95_test };
		for (size_t i = 0; i < 6; i++)
			lrs_table_put_real(&t, v[i]);
		if (target) {
			lrs_table_put_real(&t, c->mean_reach);
			lrs_table_put_int(&t, (long long)c->n_reach);
		}
		lrs_table_put_real(&t, c->p);
		lrs_table_put_int(&t, c->same);
	}
	rc = show(a, &t, 0);
	lrs_table_free(&t);
	return rc;
}

static int q_compare(lrs_store *st, const lrs_query *a, const lrs_experiment_row *e)
{
	lrs_results_opts o = { metric_of(a), a->schedule, a->target, a->by, a->n_by };
	lrs_results r;
	int rc;

	if ((rc = lrs_results_load(&r, st, e->id, &o)) < 0)
		return rc;
	if (r.n_ranked == 0)
		rc = lrs_error_set(LRS_EINVALID, "%s: experiment %lld has no completed trial%s", a->db, (long long)e->id,
		                   a->schedule ? " of that schedule" : "");
	else if (a->format == LRS_FMT_TABLE)
		print_compare_table(&r, a);
	else
		rc = print_compare_rows(&r, a);
	lrs_results_free(&r);
	return rc;
}

static int q_curve(lrs_store *st, const lrs_query *a)
{
	static const char *const names[] = { "epoch", "iteration", "lr", "momentum", "train_loss", "train_accuracy",
	                                     "val_loss", "val_accuracy", "wall_seconds" };
	lrs_epoch_row *ep = NULL;
	size_t n = 0;
	long id;
	lrs_table t;
	int rc;

	if (!*a->arg || strspn(a->arg, "0123456789") != strlen(a->arg) || strlen(a->arg) >= 19 ||
	    lrs_parse_long(a->arg, &id) < 0)
		return lrs_error_set(LRS_EINVALID, "curve: a trial id is a number, got '%s'", a->arg);
	rc = lrs_store_epochs_read(&ep, &n, st, id);
	if (rc == LRS_ENOTFOUND)
		return lrs_error_set(LRS_EINVALID, "%s: no trial %s (see 'lrsweep query %s trials')", a->db, a->arg, a->db);
	if (rc < 0)
		return rc;
	lrs_table_init(&t, 9, names);
	for (size_t i = 0; i < n; i++) {
		lrs_table_row(&t);
		lrs_table_put_count(&t, ep[i].epoch);
		lrs_table_put_count(&t, ep[i].iteration);
		lrs_table_put_real(&t, ep[i].lr);
		lrs_table_put_real(&t, ep[i].momentum);
		lrs_table_put_real(&t, ep[i].train_loss);
		lrs_table_put_real(&t, ep[i].train_accuracy);
		lrs_table_put_real(&t, ep[i].val_loss);
		lrs_table_put_real(&t, ep[i].val_accuracy);
		lrs_table_put_real(&t, ep[i].wall_seconds);
	}
	free(ep);
	rc = show(a, &t, 0);
	lrs_table_free(&t);
	return rc;
}

/* How many range-test groups an experiment has: its range tests' and
 * bounds' distinct group keys. */
static size_t count_groups(const lrs_range_test_rows *r, const lrs_bound_rows *b)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n + b->n; i++) {
		const char *g = i < r->n ? r->items[i].group_key : b->items[i - r->n].group_key;
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(g, j < r->n ? r->items[j].group_key : b->items[j - r->n].group_key);
		n += !seen;
	}
	return n;
}

/* n reals in a row. */
static void put_reals(lrs_table *t, const double *v, size_t n)
{
	for (size_t k = 0; k < n; k++)
		lrs_table_put_real(t, v[k]);
}

/* A row of a range-test table: its group first when `grouped`. */
static void group_row(lrs_table *t, const char *group, int grouped)
{
	lrs_table_row(t);
	if (grouped)
		lrs_table_put_text(t, group);
}

/* The bounds table; `grouped`: a group_key column first. */
static void bounds_table(lrs_table *t, const lrs_bound_rows *b, int grouped)
{
	static const char *const names[] = { "group_key", "rule", "min_lr", "max_lr", "min_lr_spread",
	                                     "max_lr_spread", "chosen", "note" };

	lrs_table_init(t, grouped ? 8 : 7, names + !grouped);
	for (size_t i = 0; i < b->n; i++) {
		group_row(t, b->items[i].group_key, grouped);
		const lrs_bound_read *x = &b->items[i];
		lrs_table_put_text(t, x->rule);
		put_reals(t, (const double[]){ x->min_lr, x->max_lr, x->min_lr_spread, x->max_lr_spread }, 4);
		lrs_table_put_int(t, x->chosen);
		lrs_table_put_text(t, x->note);
	}
}

/* The repeats table; `probe`: the probe's columns last (CSV and JSON; a
 * table shows probe_lines instead). Seeds are 64-bit unsigned, stored as
 * SQLite's signed integers: shown as the range-test command printed them,
 * and as text in JSON (a double cannot hold them, so JSON readers would
 * round them). */
static void repeats_table(lrs_table *t, const lrs_range_test_rows *r, int grouped, int probe)
{
	static const char *const names[] = { "group_key", "id", "repeat", "mode", "start_lr", "end_lr", "iterations",
	                                     "stopped_at", "seed", "wall_seconds", "points", "max_accuracy",
	                                     "min_smoothed_loss", "probe_iterations", "probe_note" };
	char seed[32];

	lrs_table_init(t, (grouped ? 13 : 12) + (probe ? 2 : 0), names + !grouped);
	for (const lrs_range_test_row *x = r->items; x < r->items + r->n; x++) {
		group_row(t, x->group_key, grouped);
		lrs_table_put_int(t, x->id);
		lrs_table_put_int(t, x->repeat);
		lrs_table_put_text(t, x->mode);
		put_reals(t, (const double[]){ x->start_lr, x->end_lr }, 2);
		lrs_table_put_count(t, x->iterations);
		lrs_table_put_count(t, x->stopped_at);
		snprintf(seed, sizeof seed, "%llu", (unsigned long long)x->seed);
		lrs_table_put_text(t, seed);
		lrs_table_put_real(t, x->wall_seconds);
		lrs_table_put_count(t, x->n_points);
		lrs_table_put_real(t, x->max_accuracy);
		lrs_table_put_real(t, x->min_smoothed_loss);
		if (probe) {
			lrs_table_put_count(t, x->probe_iterations);
			lrs_table_put_text(t, x->probe_note);
		}
	}
}

/* A line per group (each group's first repeat: all carry the same probe):
 * the probe that set its range, or that none ran. */
static void probe_lines(FILE *out, const lrs_range_test_rows *r, int grouped)
{
	char line[LRS_RANGE_PROBE_NOTE + 128];

	for (size_t i = 0; i < r->n; i++) {
		const lrs_range_test_row *x = &r->items[i];
		if (i > 0 && !strcmp(x->group_key, r->items[i - 1].group_key))
			continue;
		lrs_report_probe_line(line, sizeof line, x->probe_iterations, x->probe_note, x->start_lr, x->end_lr);
		fprintf(out, "%s%s%s\n", grouped ? x->group_key : "", grouped ? ": " : "", line);
	}
}

static int q_range_test(lrs_store *st, const lrs_query *a, const lrs_experiment_row *e)
{
	lrs_range_test_rows rt;
	lrs_bound_rows bd;
	lrs_table b, r;
	int rc;

	if ((rc = lrs_store_bounds_read(&bd, st, e->id)) < 0)
		return rc;
	if ((rc = lrs_store_range_tests_read(&rt, st, e->id, 0)) < 0) {
		lrs_bound_rows_free(&bd);
		return rc;
	}
	if (bd.n == 0 && rt.n == 0) {
		lrs_bound_rows_free(&bd);
		lrs_range_test_rows_free(&rt);
		return lrs_error_set(LRS_EINVALID, "%s: experiment %lld has no range test (its bounds were given)",
		                     a->db, (long long)e->id);
	}
	int grouped = count_groups(&rt, &bd) > 1;   /* one group: as it always was */
	bounds_table(&b, &bd, grouped);
	repeats_table(&r, &rt, grouped, a->format != LRS_FMT_TABLE);
	lrs_bound_rows_free(&bd);
	if (b.failed || r.failed) {
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
	} else if (a->format == LRS_FMT_JSON) {
		fprintf(a->out, "{\"bounds\": ");
		lrs_table_print(a->out, &b, LRS_FMT_JSON, 0);
		fprintf(a->out, ", \"range_tests\": ");
		lrs_table_print(a->out, &r, LRS_FMT_JSON, 0);
		fprintf(a->out, "}\n");
	} else {
		if (a->format == LRS_FMT_TABLE)
			fprintf(a->out, grouped ? "bounds (by group, chosen first)\n\n" : "bounds (chosen first)\n\n");
		lrs_table_print(a->out, &b, a->format, 0);
		fprintf(a->out, a->format == LRS_FMT_TABLE ? "\nrepeats\n\n" : "\n");
		lrs_table_print(a->out, &r, a->format, 0);
		if (a->format == LRS_FMT_TABLE && rt.n > 0) {
			fprintf(a->out, "\n");
			probe_lines(a->out, &rt, grouped);
		}
	}
	lrs_range_test_rows_free(&rt);
	lrs_table_free(&b);
	lrs_table_free(&r);
	return rc;
}

static int q_sql(lrs_store *st, const lrs_query *a)
{
	lrs_table t;
	int rc;

	if ((rc = lrs_table_query(&t, st, a->arg)) < 0)
		return rc;
	lrs_table_print(a->out, &t, a->format, 0);
	lrs_table_free(&t);
	return 0;
}

int lrs_query_needs_experiment(const char *what)
{
	return strcmp(what, "experiments") && strcmp(what, "curve") && strcmp(what, "sql");
}

int lrs_query_print(lrs_store *st, const lrs_query *q, const lrs_experiment_row *e)
{
	if (!strcmp(q->what, "experiments"))
		return q_experiments(st, q);
	if (!strcmp(q->what, "curve"))
		return q_curve(st, q);
	if (!strcmp(q->what, "sql"))
		return q_sql(st, q);
	if (!strcmp(q->what, "trials"))
		return q_trials(st, q, e);
	if (!strcmp(q->what, "best"))
		return q_best(st, q, e);
	if (!strcmp(q->what, "compare"))
		return q_compare(st, q, e);
	return q_range_test(st, q, e);
}
