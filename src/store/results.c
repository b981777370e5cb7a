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

/* Column i as a long, -1 for NULL. */
static long col_long(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(s, i);
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

/* Whether the file has range-test groups (schema version 4 and later). */
static int has_groups(lrs_store *st)
{
	int v = 0;

	return lrs_store_schema_version(&v, st) == 0 && v >= 4;
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

static int nomem(lrs_store *st, const char *what)
{
	return lrs_error_set(LRS_ENOMEM, "%s: %s: out of memory", st->path, what);
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
static int read_experiment(lrs_experiment_row *e, sqlite3_stmt *s)
{
	int oom = 0;

	e->id = sqlite3_column_int64(s, 0);
	e->name = col_text(s, 1, &oom);
	e->command = col_text(s, 2, &oom);
	e->status = col_text(s, 3, &oom);
	e->created_at = col_text(s, 4, &oom);
	e->finished_at = col_text(s, 5, &oom);
	e->host = col_text(s, 6, &oom);
	e->tool_version = col_text(s, 7, &oom);
	e->config = col_text(s, 8, &oom);
	e->train_samples = col_long(s, 9);
	e->val_samples = col_long(s, 10);
	e->test_samples = col_long(s, 11);
	e->features = col_long(s, 12);
	e->classes = col_long(s, 13);
	e->trials = col_long(s, 14);
	e->completed = col_long(s, 15);
	e->pruned = col_long(s, 16);
	e->diverged = col_long(s, 17);
	e->failed = col_long(s, 18);
	e->unfinished = col_long(s, 19);
	e->best_val_accuracy = col_real(s, 20);
	return oom;
}

typedef struct {
	lrs_experiment_rows *rows;
	size_t cap;
} exp_ctx;

static int exp_row(void *ctx, sqlite3_stmt *s)
{
	exp_ctx *c = ctx;
	lrs_experiment_row *e = grow((void **)&c->rows->items, &c->cap, c->rows->n, sizeof *e);

	if (e == NULL)
		return 1;
	c->rows->n++;
	return read_experiment(e, s);
}

/* Runs an experiments read: EXP_COLUMNS, then `where` with ?1 bound to
 * spec (as an id when `by_id`), then the grouping and `tail`. */
static int read_experiments(lrs_experiment_rows *out, lrs_store *st, const char *where, const char *spec,
                            int by_id, const char *tail, long limit)
{
	static const char what[] = "read experiments";
	lrs_buf sql = { 0 };
	sqlite3_stmt *s = NULL;
	exp_ctx c = { out, 0 };
	int rc;

	memset(out, 0, sizeof *out);
	lrs_buf_printf(&sql, "%s%s GROUP BY e.id %s LIMIT ?2", EXP_COLUMNS, where, tail);
	if (sql.failed)
		return nomem(st, what);
	rc = prepare(st, &s, sql.data, what);
	lrs_buf_free(&sql);
	if (rc < 0)
		return rc;
	if (spec && by_id)
		sqlite3_bind_int64(s, 1, strtoll(spec, NULL, 10));
	else if (spec)
		sqlite3_bind_text(s, 1, spec, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, limit > 0 ? limit : -1);
	rc = each_row(st, s, exp_row, &c, what);
	if (rc == 1)
		rc = nomem(st, what);
	if (rc < 0)
		lrs_experiment_rows_free(out);
	return rc;
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
	free(e->name);
	free(e->command);
	free(e->status);
	free(e->created_at);
	free(e->finished_at);
	free(e->host);
	free(e->tool_version);
	free(e->config);
	memset(e, 0, sizeof *e);
}

void lrs_experiment_rows_free(lrs_experiment_rows *rows)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < rows->n; i++)
		lrs_experiment_row_free(&rows->items[i]);
	free(rows->items);
	memset(rows, 0, sizeof *rows);
}

/* ---------------------------------------------------------------- trials */

/* Columns a trials read may be ordered by. */
static const char *const trial_columns[] = {
	"id", "trial_key", "schedule", "params", "hyper", "seed", "status", "epochs_done", "iterations",
	"best_val_accuracy", "best_epoch", "final_val_accuracy", "final_val_loss", "final_train_loss",
	"test_accuracy", "diverged_at", "wall_seconds", "started_at", "finished_at", "worker",
};

static int trial_column(const char *name)
{
	for (size_t i = 0; i < sizeof trial_columns / sizeof *trial_columns; i++)
		if (!strcmp(name, trial_columns[i]))
			return 1;
	return 0;
}

typedef struct {
	lrs_trial_rows *rows;
	size_t cap;
} trial_ctx;

static int trial_row(void *ctx, sqlite3_stmt *s)
{
	trial_ctx *c = ctx;
	lrs_trial_row *t = grow((void **)&c->rows->items, &c->cap, c->rows->n, sizeof *t);
	const char *status;
	int oom = 0, parsed;

	if (t == NULL)
		return 1;
	c->rows->n++;
	t->id = sqlite3_column_int64(s, 0);
	t->trial_key = col_text(s, 1, &oom);
	t->schedule = col_text(s, 2, &oom);
	t->params = col_text(s, 3, &oom);
	t->hyper = col_text(s, 4, &oom);
	t->seed = sqlite3_column_int64(s, 5);
	status = (const char *)sqlite3_column_text(s, 6);
	parsed = lrs_trial_status_parse(status ? status : "");
	t->status = parsed < 0 ? LRS_TRIAL_FAILED : (lrs_trial_status)parsed;
	t->epochs_done = col_long(s, 7);
	t->iterations = col_long(s, 8);
	t->best_val_accuracy = col_real(s, 9);
	t->best_epoch = col_long(s, 10);
	t->final_val_accuracy = col_real(s, 11);
	t->final_val_loss = col_real(s, 12);
	t->final_train_loss = col_real(s, 13);
	t->test_accuracy = col_real(s, 14);
	t->diverged_at = col_long(s, 15);
	t->started_at = col_text(s, 16, &oom);
	t->finished_at = col_text(s, 17, &oom);
	t->wall_seconds = col_real(s, 18);
	t->worker = col_text(s, 19, &oom);
	t->bounds_group = col_text(s, 20, &oom);
	t->reach = col_real(s, 21);
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
	               " WHERE trial_id = t.id AND val_accuracy >= ?4) END"
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
	trial_ctx c = { out, 0 };
	int rc;

	assert(out != NULL && st != NULL);
	memset(out, 0, sizeof *out);
	if (f && f->order && !trial_column(f->order))
		return lrs_error_set(LRS_EINVALID, "%s: trials have no column '%s'", st->path, f->order);
	trials_sql(&sql, f, has_groups(st));
	if (sql.failed)
		return nomem(st, what);
	rc = prepare(st, &s, sql.data, what);
	lrs_buf_free(&sql);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(s, 1, experiment_id);
	if (f && f->status)
		sqlite3_bind_text(s, 2, f->status, -1, SQLITE_STATIC);
	if (f && f->schedule)
		sqlite3_bind_text(s, 3, f->schedule, -1, SQLITE_STATIC);
	if (f && !isnan(f->target_accuracy))
		sqlite3_bind_double(s, 4, f->target_accuracy);
	sqlite3_bind_int64(s, 5, f && f->limit > 0 ? f->limit : -1);
	rc = each_row(st, s, trial_row, &c, what);
	if (rc == 1)
		rc = nomem(st, what);
	if (rc < 0)
		lrs_trial_rows_free(out);
	return rc;
}

void lrs_trial_rows_free(lrs_trial_rows *rows)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < rows->n; i++) {
		lrs_trial_row *t = &rows->items[i];
		free(t->trial_key);
		free(t->schedule);
		free(t->params);
		free(t->hyper);
		free(t->started_at);
		free(t->finished_at);
		free(t->worker);
		free(t->bounds_group);
	}
	free(rows->items);
	memset(rows, 0, sizeof *rows);
}

/* ---------------------------------------------------------------- epochs */

typedef struct {
	lrs_epoch_row *items;
	size_t n, cap;
} epoch_ctx;

static int epoch_row(void *ctx, sqlite3_stmt *s)
{
	epoch_ctx *c = ctx;
	lrs_epoch_row *e = grow((void **)&c->items, &c->cap, c->n, sizeof *e);

	if (e == NULL)
		return 1;
	c->n++;
	e->epoch = col_long(s, 0);
	e->iteration = col_long(s, 1);
	e->lr = col_real(s, 2);
	e->momentum = col_real(s, 3);
	e->train_loss = col_real(s, 4);
	e->train_accuracy = col_real(s, 5);
	e->val_loss = col_real(s, 6);
	e->val_accuracy = col_real(s, 7);
	e->wall_seconds = col_real(s, 8);
	return 0;
}

int lrs_store_epochs_read(lrs_epoch_row **out, size_t *n, lrs_store *st, int64_t trial_id)
{
	static const char what[] = "read a trial's epochs";
	sqlite3_stmt *s = NULL;
	epoch_ctx c = { NULL, 0, 0 };
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
	if ((rc = prepare(st, &s, "SELECT epoch, iteration, lr, momentum, train_loss, train_accuracy, val_loss,"
	                  " val_accuracy, wall_seconds FROM epochs WHERE trial_id = ?1 ORDER BY epoch", what)) < 0)
		return rc;
	sqlite3_bind_int64(s, 1, trial_id);
	rc = each_row(st, s, epoch_row, &c, what);
	if (rc == 1)
		rc = nomem(st, what);
	if (rc < 0) {
		free(c.items);
		return rc;
	}
	*out = c.items;
	*n = c.n;
	return 0;
}

/* ------------------------------------------------------------ range tests */

/* Groups in the order they were tested: by the first id of each. */
#define GROUP_ORDER(table, id) \
	"(SELECT min(" id ") FROM " table " x WHERE x.experiment_id = ?1 AND x.group_key = g.group_key)"

typedef struct {
	lrs_range_test_rows *rows;
	size_t cap;
} rt_ctx;

static int rt_row(void *ctx, sqlite3_stmt *s)
{
	rt_ctx *c = ctx;
	lrs_range_test_row *r = grow((void **)&c->rows->items, &c->cap, c->rows->n, sizeof *r);
	int oom = 0;

	if (r == NULL)
		return 1;
	c->rows->n++;
	r->id = sqlite3_column_int64(s, 0);
	r->repeat = (int)sqlite3_column_int64(s, 1);
	r->mode = col_text(s, 2, &oom);
	r->start_lr = col_real(s, 3);
	r->end_lr = col_real(s, 4);
	r->iterations = col_long(s, 5);
	r->stopped_at = col_long(s, 6);
	r->seed = sqlite3_column_int64(s, 7);
	r->wall_seconds = col_real(s, 8);
	r->group_key = col_text(s, 9, &oom);
	r->n_points = col_long(s, 10);
	r->max_accuracy = col_real(s, 11);
	r->min_smoothed_loss = col_real(s, 12);
	if (r->group_key == NULL && !oom)
		oom = (r->group_key = strdup("")) == NULL;
	return oom;
}

typedef struct {
	lrs_range_point *p;
	size_t n, cap;
} pt_ctx;

static int pt_row(void *ctx, sqlite3_stmt *s)
{
	pt_ctx *c = ctx;
	lrs_range_point *p = grow((void **)&c->p, &c->cap, c->n, sizeof *p);

	if (p == NULL)
		return 1;
	c->n++;
	p->iteration = col_long(s, 0);
	p->lr = col_real(s, 1);
	p->loss = col_real(s, 2);
	p->smoothed_loss = col_real(s, 3);
	p->accuracy = col_real(s, 4);
	return 0;
}

/* The points of range test `r`, in iteration order. */
static int read_points(lrs_store *st, lrs_range_test_row *r)
{
	static const char what[] = "read a range test's points";
	sqlite3_stmt *s = NULL;
	pt_ctx c = { NULL, 0, 0 };
	int rc;

	if ((rc = prepare(st, &s, "SELECT iteration, lr, loss, smoothed_loss, accuracy FROM range_points"
	                  " WHERE range_test_id = ?1 ORDER BY iteration", what)) < 0)
		return rc;
	sqlite3_bind_int64(s, 1, r->id);
	rc = each_row(st, s, pt_row, &c, what);
	if (rc == 1)
		rc = nomem(st, what);
	if (rc < 0) {
		free(c.p);
		return rc;
	}
	r->points = c.p;
	r->n_points = (long)c.n;
	return 0;
}

int lrs_store_range_tests_read(lrs_range_test_rows *out, lrs_store *st, int64_t experiment_id, int with_points)
{
	static const char what[] = "read range tests";
	sqlite3_stmt *s = NULL;
	rt_ctx c = { out, 0 };
	int rc;

	assert(out != NULL && st != NULL);
	memset(out, 0, sizeof *out);
	rc = prepare(st, &s, has_groups(st)
	             ? "SELECT g.id, g.repeat, g.mode, g.start_lr, g.end_lr, g.iterations, g.stopped_at, g.seed,"
	               " g.wall_seconds, g.group_key, count(p.iteration), max(p.accuracy), min(p.smoothed_loss)"
	               " FROM range_tests g LEFT JOIN range_points p ON p.range_test_id = g.id"
	               " WHERE g.experiment_id = ?1 GROUP BY g.id ORDER BY " GROUP_ORDER("range_tests", "id")
	               ", g.repeat, g.id"
	             : "SELECT g.id, g.repeat, g.mode, g.start_lr, g.end_lr, g.iterations, g.stopped_at, g.seed,"
	               " g.wall_seconds, '', count(p.iteration), max(p.accuracy), min(p.smoothed_loss)"
	               " FROM range_tests g LEFT JOIN range_points p ON p.range_test_id = g.id"
	               " WHERE g.experiment_id = ?1 GROUP BY g.id ORDER BY g.repeat, g.id", what);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(s, 1, experiment_id);
	rc = each_row(st, s, rt_row, &c, what);
	if (rc == 1)
		rc = nomem(st, what);
	for (size_t i = 0; rc == 0 && with_points && i < out->n; i++)
		rc = read_points(st, &out->items[i]);
	if (rc < 0)
		lrs_range_test_rows_free(out);
	return rc;
}

void lrs_range_test_rows_free(lrs_range_test_rows *rows)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < rows->n; i++) {
		free(rows->items[i].mode);
		free(rows->items[i].group_key);
		free(rows->items[i].points);
	}
	free(rows->items);
	memset(rows, 0, sizeof *rows);
}

/* ---------------------------------------------------------------- bounds */

typedef struct {
	lrs_bound_rows *rows;
	size_t cap;
} bound_ctx;

static int bound_row(void *ctx, sqlite3_stmt *s)
{
	bound_ctx *c = ctx;
	lrs_bound_read *b = grow((void **)&c->rows->items, &c->cap, c->rows->n, sizeof *b);
	int oom = 0;

	if (b == NULL)
		return 1;
	c->rows->n++;
	b->rule = col_text(s, 0, &oom);
	b->min_lr = col_real(s, 1);
	b->max_lr = col_real(s, 2);
	b->min_lr_spread = col_real(s, 3);
	b->max_lr_spread = col_real(s, 4);
	b->chosen = sqlite3_column_int(s, 5);
	b->note = col_text(s, 6, &oom);
	b->group_key = col_text(s, 7, &oom);
	if (b->group_key == NULL && !oom)
		oom = (b->group_key = strdup("")) == NULL;
	return oom;
}

int lrs_store_bounds_read(lrs_bound_rows *out, lrs_store *st, int64_t experiment_id)
{
	static const char what[] = "read bounds";
	sqlite3_stmt *s = NULL;
	bound_ctx c = { out, 0 };
	int rc;

	assert(out != NULL && st != NULL);
	memset(out, 0, sizeof *out);
	/* groups as their range tests came; bounds given alone come after */
	rc = prepare(st, &s, has_groups(st)
	             ? "SELECT rule, min_lr, max_lr, min_lr_spread, max_lr_spread, chosen, note, group_key"
	               " FROM bounds g WHERE experiment_id = ?1 ORDER BY coalesce("
	               GROUP_ORDER("range_tests", "id") ", 1e18), group_key, chosen DESC, rule"
	             : "SELECT rule, min_lr, max_lr, min_lr_spread, max_lr_spread, chosen, note, ''"
	               " FROM bounds WHERE experiment_id = ?1 ORDER BY chosen DESC, rule", what);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(s, 1, experiment_id);
	rc = each_row(st, s, bound_row, &c, what);
	if (rc == 1)
		rc = nomem(st, what);
	if (rc < 0)
		lrs_bound_rows_free(out);
	return rc;
}

void lrs_bound_rows_free(lrs_bound_rows *rows)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < rows->n; i++) {
		free(rows->items[i].rule);
		free(rows->items[i].note);
		free(rows->items[i].group_key);
	}
	free(rows->items);
	memset(rows, 0, sizeof *rows);
}
