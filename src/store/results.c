/* results.c - typed reads of what a run stored, for query, plot and report:
 * experiments with their trials counted, trials, epochs, range tests with
 * their points, bounds (store.h, "reading results").
 *
 * Every value leaves this file as a number or an owned string: callers see
 * no SQL and parse no text. Statements are prepared per call (each read is
 * one statement run once). A file of a schema older than range-test
 * groups (version 4) that could not be upgraded reads as one group, "".
 * Nothing here writes. */
#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/util.h"
#include "internal.h"

/* ------------------------------------------------------------ helpers */

/* Prepares `sql`; 0 or the translated error. */
static int prepare(lrs_store *st, sqlite3_stmt **s, const char *sql, const char *what)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(st, rc, what);
}

/* Prepares the SQL built in `sql` (freed here); 0 or the error. */
static int prepare_built(lrs_store *st, sqlite3_stmt **s, lrs_buf *sql, const char *what)
{
	int rc = sql->failed ? lrs_error_set(LRS_ENOMEM, "%s: %s: out of memory", st->path, what)
	                     : prepare(st, s, sql->data, what);

	lrs_buf_free(sql);
	return rc;
}

/* Column i as an owned string, NULL for NULL; *nomem set when a copy fails. */
static char *col_text(sqlite3_stmt *s, int i, int *nomem)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	char *copy;

	if (t == NULL)
		return NULL;
	if ((copy = strdup(t)) == NULL)
		*nomem = 1;
	return copy;
}

/* Column i as a double, NAN for NULL. */
static double col_real(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

/* Columns first.. first+n-1 as doubles into *out[0..n), NAN for NULL. */
static void col_reals(sqlite3_stmt *s, int first, double *const *out, int n)
{
	for (int k = 0; k < n; k++)
		*out[k] = col_real(s, first + k);
}

/* Column i as a long, -1 for NULL. */
static long col_long(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(s, i);
}

/* Columns first.. first+n-1 as longs into *out[0..n), -1 for NULL. */
static void col_longs(sqlite3_stmt *s, int first, long *const *out, int n)
{
	for (int k = 0; k < n; k++)
		*out[k] = col_long(s, first + k);
}

/* Columns first.. first+n-1 as owned strings into *out[0..n). */
static void col_texts(sqlite3_stmt *s, int first, char **const *out, int n, int *nomem)
{
	for (int k = 0; k < n; k++)
		*out[k] = col_text(s, first + k, nomem);
}

/* Room for one more item of `size` bytes in *items (n used of *cap),
 * zeroed; NULL when out of memory. */
static void *grow(void **items, size_t *cap, size_t n, size_t size)
{
	if (n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 16;
		void *p = realloc(*items, ncap * size);
		if (p == NULL)
			return NULL;
		*items = p;
		*cap = ncap;
	}
	return memset((char *)*items + n * size, 0, size);
}

/* Whether the file's schema is version `v` or later. */
static int schema_at_least(lrs_store *st, int v)
{
	int have = 0;

	return lrs_store_schema_version(&have, st) == 0 && have >= v;
}

/* Whether the file has range-test groups (schema version 4 and later). */
static int has_groups(lrs_store *st)
{
	return schema_at_least(st, 4);
}

/* Whether `s` names an experiment by id: digits, short enough for one. */
static int is_id(const char *s)
{
	int digits = *s && strlen(s) < 19;

	for (; digits && *s; s++)
		digits = isdigit((unsigned char)*s) != 0;
	return digits;
}

/* Steps a prepared read to its end, handing each row to fn; 0, fn's
 * nonzero return, or the translated error. The statement is finalized. */
static int each_row(lrs_store *st, sqlite3_stmt *s, int (*fn)(void *ctx, sqlite3_stmt *s), void *ctx,
                    const char *what)
{
	int rc, stop = 0;

	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW)
		stop = fn(ctx, s);
	rc = stop ? stop : rc == SQLITE_DONE ? 0 : store_fail(st, rc, what);
	sqlite3_finalize(s);
	return rc;
}

/* Column i as an owned string, "" for NULL (a group key). */
static char *col_key(sqlite3_stmt *s, int i, int *nomem)
{
	char *t = col_text(s, i, nomem);

	if (t == NULL && !*nomem && (t = strdup("")) == NULL)
		*nomem = 1;
	return t;
}

/* Frees the n strings *fields[k] of a row. */
static void free_fields(char **const *fields, size_t n)
{
	for (size_t k = 0; k < n; k++)
		free(*fields[k]);
}

static int nomem(lrs_store *st, const char *what)
{
	return lrs_error_set(LRS_ENOMEM, "%s: %s: out of memory", st->path, what);
}

/* Rows of one read into a growing array of structs: `fill` sets one from
 * the statement's current row (0, or 1 out of memory). */
typedef struct {
	void **items;                   /* the array, grown here             */
	size_t *n;                      /* rows in it                        */
	size_t cap;
	size_t size;                    /* of one struct                     */
	int (*fill)(void *item, sqlite3_stmt *s);
	void (*clear)(void *item);      /* frees what fill allocated; NULL: nothing */
} collector;

/* Frees the n items of *items (clear on each) and the array. */
static void free_rows(void **items, size_t *n, size_t size, void (*clear)(void *item))
{
	for (size_t i = 0; clear && *items && i < *n; i++)
		clear((char *)*items + i * size);
	free(*items);
	*items = NULL;
	*n = 0;
}

static int collect(void *ctx, sqlite3_stmt *s)
{
	collector *c = ctx;
	void *item = grow(c->items, &c->cap, *c->n, c->size);

	if (item == NULL)
		return 1;
	++*c->n;
	return c->fill(item, s);
}

/* Runs prepared statement s (finalized here) into c; LRS_ENOMEM named
 * after `what` when a row cannot be kept. On failure nothing is kept. */
static int collect_all(lrs_store *st, sqlite3_stmt *s, collector *c, const char *what)
{
	int rc = each_row(st, s, collect, c, what);

	if (rc == 1)
		rc = nomem(st, what);
	if (rc < 0)
		free_rows(c->items, c->n, c->size, c->clear);
	return rc;
}

/* Prepares `sql`, binds ?1 to `id` and collects its rows into c (empty
 * first). */
static int collect_by_id(lrs_store *st, const char *sql, int64_t id, collector *c, const char *what)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*c->items = NULL;
	*c->n = 0;
	if ((rc = prepare(st, &s, sql, what)) < 0)
		return rc;
	sqlite3_bind_int64(s, 1, id);
	return collect_all(st, s, c, what);
}

/* ------------------------------------------------------------ experiments */

#define EXP_COLUMNS \
	"SELECT e.id, e.name, e.command, e.status, e.created_at, e.finished_at, e.host, e.tool_version," \
	" e.config, e.train_samples, e.val_samples, e.test_samples, e.features, e.classes," \
	" count(t.id), coalesce(sum(t.status = 'completed'), 0), coalesce(sum(t.status = 'pruned'), 0)," \
	" coalesce(sum(t.status = 'diverged'), 0), coalesce(sum(t.status = 'failed'), 0)," \
	" coalesce(sum(t.status IN ('pending', 'running', 'interrupted')), 0)," \
	" max(CASE WHEN t.status = 'completed' THEN t.best_val_accuracy END)" \
	" FROM experiments e LEFT JOIN trials t ON t.experiment_id = e.id"

/* One experiments row from the columns of EXP_COLUMNS; 0 or 1 out of memory. */
static int read_experiment(void *item, sqlite3_stmt *s)
{
	lrs_experiment_row *e = item;
	int oom = 0;

	char **const text[] = { &e->name, &e->command, &e->status, &e->created_at, &e->finished_at, &e->host,
	                        &e->tool_version, &e->config };
	long *const num[] = { &e->train_samples, &e->val_samples, &e->test_samples, &e->features, &e->classes,
	                      &e->trials, &e->completed, &e->pruned, &e->diverged, &e->failed, &e->unfinished };

	e->id = sqlite3_column_int64(s, 0);
	col_texts(s, 1, text, 8, &oom);
	col_longs(s, 9, num, 11);
	e->best_val_accuracy = col_real(s, 20);
	return oom;
}

static void clear_experiment(void *item)
{
	lrs_experiment_row_free(item);
}

/* Runs an experiments read: EXP_COLUMNS, then `where` with ?1 bound to
 * spec (as an id when `by_id`), then the grouping and `tail`. */
static int read_experiments(lrs_experiment_rows *out, lrs_store *st, const char *where, const char *spec,
                            int by_id, const char *tail, long limit)
{
	static const char what[] = "read experiments";
	lrs_buf sql = { 0 };
	sqlite3_stmt *s = NULL;
	collector c = { (void **)&out->items, &out->n, 0, sizeof *out->items, read_experiment, clear_experiment };
	int rc;

	memset(out, 0, sizeof *out);
	lrs_buf_printf(&sql, "%s%s GROUP BY e.id %s LIMIT ?2", EXP_COLUMNS, where, tail);
	if ((rc = prepare_built(st, &s, &sql, what)) < 0)
		return rc;
	if (spec && by_id)
		sqlite3_bind_int64(s, 1, strtoll(spec, NULL, 10));
	else if (spec)
		sqlite3_bind_text(s, 1, spec, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, limit > 0 ? limit : -1);
	return collect_all(st, s, &c, what);
}

int lrs_store_experiments_read(lrs_experiment_rows *out, lrs_store *st, const char *spec, long limit)
{
	assert(out != NULL && st != NULL);
	memset(out, 0, sizeof *out);
	if (spec == NULL)
		return read_experiments(out, st, "", NULL, 0, "ORDER BY e.id", limit);
	return read_experiments(out, st, is_id(spec) ? " WHERE e.id = ?1" : " WHERE e.name = ?1", spec,
	                        is_id(spec), "ORDER BY e.id", limit);
}

int lrs_store_experiment_find(lrs_experiment_row *out, lrs_store *st, const char *spec)
{
	lrs_experiment_rows rows;
	size_t len = spec ? strlen(spec) : 0;
	int rc;

	assert(out != NULL && st != NULL);
	memset(out, 0, sizeof *out);
	if (spec == NULL)
		rc = read_experiments(&rows, st, "", NULL, 0, "ORDER BY e.id DESC", 1);
	else
		rc = read_experiments(&rows, st, is_id(spec) ? " WHERE e.id = ?1" : " WHERE e.name = ?1", spec,
		                      is_id(spec), "ORDER BY e.id DESC", 1);
	if (rc < 0)
		return rc;
	if (rows.n == 0) {
		free(rows.items);
		if (spec == NULL)
			return lrs_error_set(LRS_ENOTFOUND, "%s: holds no experiment yet", st->path);
		/* a long spec: its start, and how long it is */
		return len <= 80 ? lrs_error_set(LRS_ENOTFOUND, "%s: no experiment '%s'", st->path, spec)
		                 : lrs_error_set(LRS_ENOTFOUND, "%s: no experiment '%.60s...' (%zu characters)",
		                                 st->path, spec, len);
	}
	*out = rows.items[0];
	free(rows.items);
	return 0;
}

void lrs_experiment_row_free(lrs_experiment_row *e)
{
	if (e == NULL)
		return;
	char **f[] = { &e->name, &e->command, &e->status, &e->created_at, &e->finished_at, &e->host,
	               &e->tool_version, &e->config };
	free_fields(f, sizeof f / sizeof *f);
	memset(e, 0, sizeof *e);
}

void lrs_experiment_rows_free(lrs_experiment_rows *rows)
{
	if (rows != NULL)
		free_rows((void **)&rows->items, &rows->n, sizeof *rows->items, clear_experiment);
}

/* ---------------------------------------------------------------- trials */

/* Columns a trials read may be ordered by. */
static const char *const trial_columns[] = {
	"id", "trial_key", "schedule", "params", "hyper", "seed", "status", "epochs_done", "iterations",
	"best_val_accuracy", "best_epoch", "final_val_accuracy", "final_val_loss", "final_train_loss",
	"test_accuracy", "diverged_at", "wall_seconds", "started_at", "finished_at", "worker", "error",
};

static int trial_column(const char *name)
{
	for (size_t i = 0; i < sizeof trial_columns / sizeof *trial_columns; i++)
		if (!strcmp(name, trial_columns[i]))
			return 1;
	return 0;
}

static void clear_trial(void *item)
{
	lrs_trial_row *t = item;
	char **f[] = { &t->trial_key, &t->schedule, &t->params, &t->hyper, &t->started_at, &t->finished_at,
	               &t->worker, &t->bounds_group, &t->error };

	free_fields(f, sizeof f / sizeof *f);
}

static int trial_row(void *item, sqlite3_stmt *s)
{
	lrs_trial_row *t = item;
	const char *status;
	int oom = 0, parsed;

	t->id = sqlite3_column_int64(s, 0);
	col_texts(s, 1, (char **const[]){ &t->trial_key, &t->schedule, &t->params, &t->hyper }, 4, &oom);
	t->seed = sqlite3_column_int64(s, 5);
	status = (const char *)sqlite3_column_text(s, 6);
	parsed = lrs_trial_status_parse(status ? status : "");
	t->status = parsed < 0 ? LRS_TRIAL_FAILED : (lrs_trial_status)parsed;
	col_longs(s, 7, (long *const[]){ &t->epochs_done, &t->iterations }, 2);
	t->best_val_accuracy = col_real(s, 9);
	t->best_epoch = col_long(s, 10);
	col_reals(s, 11, (double *const[]){ &t->final_val_accuracy, &t->final_val_loss, &t->final_train_loss,
	                                    &t->test_accuracy }, 4);
	t->diverged_at = col_long(s, 15);
	col_texts(s, 16, (char **const[]){ &t->started_at, &t->finished_at }, 2, &oom);
	t->wall_seconds = col_real(s, 18);
	col_texts(s, 19, (char **const[]){ &t->worker, &t->bounds_group }, 2, &oom);
	t->reach = col_real(s, 21);
	col_texts(s, 22, (char **const[]){ &t->error }, 1, &oom);
	return oom;
}

/* The SQL of a trials read: filters as parameters ?1 experiment, ?2
 * status, ?3 schedule, ?4 target, ?5 limit; the order a checked column. */
static int trials_sql(lrs_buf *sql, const lrs_trial_filter *f, int groups)
{
	lrs_buf_printf(sql, "SELECT id, trial_key, schedule, params, hyper, seed, status, epochs_done, iterations,"
	               " best_val_accuracy, best_epoch, final_val_accuracy, final_val_loss, final_train_loss,"
	               " test_accuracy, diverged_at, started_at, finished_at, wall_seconds, worker, %s,"
	               " CASE WHEN ?4 IS NULL THEN NULL ELSE (SELECT min(iteration) FROM epochs"
	               " WHERE trial_id = t.id AND val_accuracy >= ?4) END, error"
	               " FROM trials t WHERE experiment_id = ?1 AND (?2 IS NULL OR status = ?2)"
	               " AND (?3 IS NULL OR schedule = ?3)", groups ? "bounds_group" : "NULL");
	if (f && f->order)
		lrs_buf_printf(sql, " ORDER BY %s %s NULLS LAST, id", f->order, f->descending ? "DESC" : "ASC");
	else
		lrs_buf_printf(sql, " ORDER BY id");
	return lrs_buf_printf(sql, " LIMIT ?5");
}

int lrs_store_trials_read(lrs_trial_rows *out, lrs_store *st, int64_t experiment_id, const lrs_trial_filter *f)
{
	static const char what[] = "read trials";
	lrs_buf sql = { 0 };
	sqlite3_stmt *s = NULL;
	collector c = { (void **)&out->items, &out->n, 0, sizeof *out->items, trial_row, clear_trial };
	int rc;

	assert(out != NULL && st != NULL);
	memset(out, 0, sizeof *out);
	if (f && f->order && !trial_column(f->order))
		return lrs_error_set(LRS_EINVALID, "%s: trials have no column '%s'", st->path, f->order);
	trials_sql(&sql, f, has_groups(st));
	if ((rc = prepare_built(st, &s, &sql, what)) < 0)
		return rc;
	sqlite3_bind_int64(s, 1, experiment_id);
	if (f && f->status)
		sqlite3_bind_text(s, 2, f->status, -1, SQLITE_STATIC);
	if (f && f->schedule)
		sqlite3_bind_text(s, 3, f->schedule, -1, SQLITE_STATIC);
	if (f && !isnan(f->target_accuracy))
		sqlite3_bind_double(s, 4, f->target_accuracy);
	sqlite3_bind_int64(s, 5, f && f->limit > 0 ? f->limit : -1);
	return collect_all(st, s, &c, what);
}

void lrs_trial_rows_free(lrs_trial_rows *rows)
{
	if (rows != NULL)
		free_rows((void **)&rows->items, &rows->n, sizeof *rows->items, clear_trial);
}

/* ---------------------------------------------------------------- epochs */

static int epoch_row(void *item, sqlite3_stmt *s)
{
	lrs_epoch_row *e = item;

	e->epoch = col_long(s, 0);
	e->iteration = col_long(s, 1);
	double *const v[] = { &e->lr, &e->momentum, &e->train_loss, &e->train_accuracy, &e->val_loss,
	                      &e->val_accuracy, &e->wall_seconds };
	col_reals(s, 2, v, 7);
	return 0;
}

int lrs_store_epochs_read(lrs_epoch_row **out, size_t *n, lrs_store *st, int64_t trial_id)
{
	static const char what[] = "read a trial's epochs";
	sqlite3_stmt *s = NULL;
	lrs_epoch_row *items = NULL;
	size_t count = 0;
	collector c = { (void **)&items, &count, 0, sizeof *items, epoch_row, NULL };
	int rc;

	assert(out != NULL && n != NULL && st != NULL);
	*out = NULL;
	*n = 0;
	if ((rc = prepare(st, &s, "SELECT count(*) FROM trials WHERE id = ?1", what)) < 0)
		return rc;
	sqlite3_bind_int64(s, 1, trial_id);
	rc = sqlite3_step(s);
	int found = rc == SQLITE_ROW && sqlite3_column_int64(s, 0) > 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, what);
	if (!found)
		return lrs_error_set(LRS_ENOTFOUND, "%s: no trial %lld", st->path, (long long)trial_id);
	rc = collect_by_id(st, "SELECT epoch, iteration, lr, momentum, train_loss, train_accuracy, val_loss,"
	                   " val_accuracy, wall_seconds FROM epochs WHERE trial_id = ?1 ORDER BY epoch", trial_id, &c, what);
	if (rc < 0)
		return rc;
	*out = items;
	*n = count;
	return 0;
}

/* ------------------------------------------------------------ range tests */

/* Groups in the order they were tested: by the first id of each. */
#define GROUP_ORDER(table, id) \
	"(SELECT min(" id ") FROM " table " x WHERE x.experiment_id = ?1 AND x.group_key = g.group_key)"

static void clear_rt(void *item)
{
	lrs_range_test_row *r = item;

	free(r->points);
	free_fields((char **const[]){ &r->mode, &r->group_key, &r->probe_note }, 3);
}

static int rt_row(void *item, sqlite3_stmt *s)
{
	lrs_range_test_row *r = item;
	int oom = 0;

	r->id = sqlite3_column_int64(s, 0);
	r->repeat = (int)sqlite3_column_int64(s, 1);
	r->mode = col_text(s, 2, &oom);
	col_reals(s, 3, (double *const[]){ &r->start_lr, &r->end_lr }, 2);
	col_longs(s, 5, (long *const[]){ &r->iterations, &r->stopped_at }, 2);
	r->seed = sqlite3_column_int64(s, 7);
	r->wall_seconds = col_real(s, 8);
	r->group_key = col_key(s, 9, &oom);
	r->n_points = col_long(s, 10);
	r->max_accuracy = col_real(s, 11);
	r->min_smoothed_loss = col_real(s, 12);
	r->probe_iterations = col_long(s, 13);
	r->probe_note = col_text(s, 14, &oom);
	return oom;
}

static int pt_row(void *item, sqlite3_stmt *s)
{
	lrs_range_point *p = item;

	p->iteration = col_long(s, 0);
	col_reals(s, 1, (double *const[]){ &p->lr, &p->loss, &p->smoothed_loss, &p->accuracy }, 4);
	return 0;
}

/* The points of range test `r`, in iteration order. */
static int read_points(lrs_store *st, lrs_range_test_row *r)
{
	size_t n = 0;
	collector c = { (void **)&r->points, &n, 0, sizeof *r->points, pt_row, NULL };
	int rc = collect_by_id(st, "SELECT iteration, lr, loss, smoothed_loss, accuracy FROM range_points"
	                       " WHERE range_test_id = ?1 ORDER BY iteration", r->id, &c, "read a range test's points");

	r->n_points = (long)n;
	return rc;
}

int lrs_store_range_tests_read(lrs_range_test_rows *out, lrs_store *st, int64_t experiment_id, int with_points)
{
	/* the columns an older schema lacks read as their defaults: one
	 * group, no probe */
	static const char *const group[2] = { "'', ", "g.group_key, " };
	static const char *const order[2] = { "", GROUP_ORDER("range_tests", "id") ", " };
	static const char *const probe[2] = { ", NULL, NULL", ", g.probe_iterations, g.probe_note" };
	collector c = { (void **)&out->items, &out->n, 0, sizeof *out->items, rt_row, clear_rt };
	int grouped = has_groups(st), probed = schema_at_least(st, 5);
	char sql[1024];
	int rc;

	assert(out != NULL && st != NULL);
	snprintf(sql, sizeof sql,
	         "SELECT g.id, g.repeat, g.mode, g.start_lr, g.end_lr, g.iterations, g.stopped_at, g.seed,"
	         " g.wall_seconds, %scount(p.iteration), max(p.accuracy), min(p.smoothed_loss)%s"
	         " FROM range_tests g LEFT JOIN range_points p ON p.range_test_id = g.id"
	         " WHERE g.experiment_id = ?1 GROUP BY g.id ORDER BY %sg.repeat, g.id",
	         group[grouped], probe[probed], order[grouped]);
	rc = collect_by_id(st, sql, experiment_id, &c, "read range tests");
	for (size_t i = 0; rc == 0 && with_points && i < out->n; i++)
		rc = read_points(st, &out->items[i]);
	if (rc < 0)
		lrs_range_test_rows_free(out);
	return rc;
}

void lrs_range_test_rows_free(lrs_range_test_rows *rows)
{
	if (rows != NULL)
		free_rows((void **)&rows->items, &rows->n, sizeof *rows->items, clear_rt);
}

/* ---------------------------------------------------------------- bounds */

static void clear_bound(void *item)
{
	lrs_bound_read *b = item;

	free_fields((char **const[]){ &b->rule, &b->note, &b->group_key }, 3);
}

static int bound_row(void *item, sqlite3_stmt *s)
{
	lrs_bound_read *b = item;
	int oom = 0;

	b->rule = col_text(s, 0, &oom);
	col_reals(s, 1, (double *const[]){ &b->min_lr, &b->max_lr, &b->min_lr_spread, &b->max_lr_spread }, 4);
	b->chosen = sqlite3_column_int(s, 5);
	b->note = col_text(s, 6, &oom);
	b->group_key = col_key(s, 7, &oom);
	return oom;
}

int lrs_store_bounds_read(lrs_bound_rows *out, lrs_store *st, int64_t experiment_id)
{
	static const char *const sql[2] = {
		"SELECT rule, min_lr, max_lr, min_lr_spread, max_lr_spread, chosen, note, ''"
		" FROM bounds WHERE experiment_id = ?1 ORDER BY chosen DESC, rule",
		/* groups as their range tests came; bounds given alone come after */
		"SELECT rule, min_lr, max_lr, min_lr_spread, max_lr_spread, chosen, note, group_key"
		" FROM bounds g WHERE experiment_id = ?1 ORDER BY coalesce(" GROUP_ORDER("range_tests", "id") ", 1e18),"
		" group_key, chosen DESC, rule",
	};
	collector c = { (void **)&out->items, &out->n, 0, sizeof *out->items, bound_row, clear_bound };

	assert(out != NULL && st != NULL);
	return collect_by_id(st, sql[has_groups(st)], experiment_id, &c, "read bounds");
}

void lrs_bound_rows_free(lrs_bound_rows *rows)
{
	if (rows != NULL)
		free_rows((void **)&rows->items, &rows->n, sizeof *rows->items, clear_bound);
}
