/* write.c - every write of the store: experiments, range tests, bounds,
 * trials and their epochs.
 *
 * Each public function is one transaction (BEGIN IMMEDIATE ... COMMIT, or a
 * single statement): on any failure it rolls back, so nothing is ever half
 * written. Statements come prepared from lrs_store_open; each use is bind ->
 * step -> reset, with one exit label that resets and reports. */
#include <assert.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "lrsweep/error.h"
#include "lrsweep/sha256.h"
#include "lrsweep/version.h"
#include "internal.h"

/* The start of a write transaction: the store open for writing, then
 * BEGIN IMMEDIATE. */
static int write_begin(lrs_store *st, const char *what)
{
	int rc = store_writable(st, what);

	return rc < 0 ? rc : store_begin(st, what);
}

/* Steps statement `s` once all its binds held (b: the first failure,
 * reported as the error): 0 or the error; its bindings are cleared. */
static int write_step(lrs_store *st, sqlite3_stmt *s, int b, const char *what)
{
	if (b == SQLITE_OK)
		return store_exec_stmt(st, s, what);
	sqlite3_clear_bindings(s);
	return store_fail(st, b, what);
}

/* The one end of a write transaction: the commit when every step went
 * well (rc 0), else the rollback. Returns 0 or the error. */
static int write_end(lrs_store *st, int rc, const char *what)
{
	if (rc == 0 && (rc = store_commit(st, what)) == 0)
		return 0;
	store_rollback(st);
	return rc;
}

/* A column of the rows a parent owns (a range test's points, a trial's
 * epochs): where it is in the row's struct, and its type. */
typedef struct {
	size_t offset;
	int is_long;                    /* 1: a long, 0: a double (NAN: NULL); -1 ends a list */
} child_col;

#define LONG_COL(type, field) { offsetof(type, field), 1 }
#define REAL_COL(type, field) { offsetof(type, field), 0 }
static const child_col point_cols[] = {   /* SQ_RP_INSERT's ?2.. */
	LONG_COL(lrs_range_point, iteration), REAL_COL(lrs_range_point, lr), REAL_COL(lrs_range_point, loss),
	REAL_COL(lrs_range_point, smoothed_loss), REAL_COL(lrs_range_point, accuracy), { 0, -1 },
};
static const child_col epoch_cols[] = {   /* SQ_EPOCH_INSERT's ?2.. */
	LONG_COL(lrs_epoch_row, epoch), LONG_COL(lrs_epoch_row, iteration), REAL_COL(lrs_epoch_row, lr),
	REAL_COL(lrs_epoch_row, momentum), REAL_COL(lrs_epoch_row, train_loss),
	REAL_COL(lrs_epoch_row, train_accuracy), REAL_COL(lrs_epoch_row, val_loss),
	REAL_COL(lrs_epoch_row, val_accuracy), REAL_COL(lrs_epoch_row, wall_seconds), { 0, -1 },
};
#undef LONG_COL
#undef REAL_COL

/* Inserts rows[0..n) (each `size` bytes) with statement s: the parent's id
 * as parameter 1, then the columns `cols` (ended by is_long -1) in order.
 * 0 or the error. */
static int insert_rows(lrs_store *st, sqlite3_stmt *s, int64_t parent, const void *rows, size_t size, size_t n,
                       const child_col *cols, const char *what)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *row = (const char *)rows + i * size;
		int b = SQLITE_OK;

		store_bind_int(&b, s, 1, parent);
		for (int k = 0; cols[k].is_long >= 0; k++)
			if (cols[k].is_long)
				store_bind_int(&b, s, k + 2, *(const long *)(row + cols[k].offset));
			else
				store_bind_double(&b, s, k + 2, *(const double *)(row + cols[k].offset));
		rc = write_step(st, s, b, what);
	}
	return rc;
}

/* Binds one row (of the struct at `row`) under parent `id`. */
typedef void (*bind_row)(int *b, sqlite3_stmt *s, int64_t id, const void *row);

/* Inserts rows[0..n) (each `size` bytes) with statement `q` in one
 * transaction, each bound by `bind` under parent `id`; the new rows' ids
 * into ids[0..n) unless NULL. 0 or the error (nothing stored). */
static int insert_all(lrs_store *st, const char *what, int q, int64_t id, const void *rows, size_t size, size_t n,
                      bind_row bind, int64_t *ids)
{
	sqlite3_stmt *s = st->stmt[q];
	int rc = write_begin(st, what);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		int b = SQLITE_OK;

		bind(&b, s, id, (const char *)rows + i * size);
		if ((rc = write_step(st, s, b, what)) == 0 && ids != NULL)
			ids[i] = sqlite3_last_insert_rowid(st->db);
	}
	return write_end(st, rc, what);
}

/* ----------------------------------------------------------- experiments */

int lrs_store_experiment_begin(int64_t *out, lrs_store *st, const lrs_experiment_info *info)
{
	static const char what[] = "begin an experiment";
	sqlite3_stmt *s = NULL;
	char sha[LRS_SHA256_HEX_SIZE];  /* hex digest of the config text     */
	char host[256];                 /* gethostname() when none is given  */
	const char *host_name = info->host;
	int b = SQLITE_OK;              /* first bind failure                */
	int claim;                      /* a run's: claimed before commit    */
	int64_t id;                     /* the new row's                     */
	int rc;

	assert(out != NULL && st != NULL && info != NULL);
	assert(info->name != NULL && info->config != NULL);
	assert(!info->command || !strcmp(info->command, "run") || !strcmp(info->command, "range-test") ||
	       !strcmp(info->command, "train"));
	if ((rc = store_writable(st, what)) < 0)
		return rc;
	claim = !info->command || !strcmp(info->command, "run");
	if (claim && (rc = store_begin(st, what)) < 0)
		return rc;
	s = st->stmt[SQ_EXP_INSERT];
	lrs_sha256_hex(sha, info->config, strlen(info->config));
	if (host_name == NULL && gethostname(host, sizeof host) == 0) {
		host[sizeof host - 1] = '\0';
		host_name = host;
	}
	store_bind_text(&b, s, 1, info->name);
	store_bind_text(&b, s, 2, info->config);
	store_bind_text(&b, s, 3, sha);
	store_bind_text(&b, s, 4, info->tool_version ? info->tool_version : LRSWEEP_VERSION);
	store_bind_text(&b, s, 5, host_name);
	store_bind_int_or_null(&b, s, 6, info->train_samples, info->train_samples < 0);
	store_bind_int_or_null(&b, s, 7, info->val_samples, info->val_samples < 0);
	store_bind_int_or_null(&b, s, 8, info->test_samples, info->test_samples < 0);
	store_bind_int_or_null(&b, s, 9, info->features, info->features < 0);
	store_bind_int_or_null(&b, s, 10, info->classes, info->classes < 0);
	store_bind_text(&b, s, 11, info->command ? info->command : "run");
	store_bind_text(&b, s, 12, info->data_sha256[0] ? info->data_sha256 : NULL);
	if (b != SQLITE_OK) {
		rc = store_fail(st, b, what);
		sqlite3_clear_bindings(s);
		goto fail;
	}
	if ((rc = store_exec_stmt(st, s, what)) < 0)
		goto fail;
	id = sqlite3_last_insert_rowid(st->db);
	/* claimed while the row is invisible to others: no second process can
	 * resume it before this one holds it */
	if (claim && ((rc = lrs_store_experiment_claim(st, id)) < 0 || (rc = store_commit(st, what)) < 0)) {
		store_experiment_release(st, id);
		goto fail;
	}
	*out = id;
	return 0;
fail:
	if (claim)
		store_rollback(st);
	return rc;
}

int lrs_store_experiment_finish(lrs_store *st, int64_t id, lrs_experiment_status status)
{
	sqlite3_stmt *s;
	int b = SQLITE_OK;
	int rc;

	assert(st != NULL);
	if ((rc = store_writable(st, "finish an experiment")) < 0)
		return rc;
	if (status != LRS_EXP_COMPLETED && status != LRS_EXP_INTERRUPTED &&
	    status != LRS_EXP_FAILED)
		return lrs_error_set(LRS_EINVALID, "%s: finish experiment %lld: status %s is"
		                     " not final", st->path, (long long)id,
		                     lrs_experiment_status_name(status));
	s = st->stmt[SQ_EXP_FINISH];
	store_bind_int(&b, s, 1, id);
	store_bind_text(&b, s, 2, lrs_experiment_status_name(status));
	if (b != SQLITE_OK) {
		sqlite3_clear_bindings(s);
		return store_fail(st, b, "finish an experiment");
	}
	if ((rc = store_exec_stmt(st, s, "finish an experiment")) < 0)
		return rc;
	if (sqlite3_changes(st->db) == 0)
		return lrs_error_set(LRS_ENOTFOUND, "%s: no experiment with id %lld",
		                     st->path, (long long)id);
	return 0;
}

/* ----------------------------------------------------------- range tests */

int lrs_store_range_test_add(int64_t *out, lrs_store *st, int64_t experiment_id,
                             const lrs_range_test_info *info,
                             const lrs_range_point *points, size_t n)
{
	static const char what[] = "store a range test";
	sqlite3_stmt *s;
	int64_t id = 0;                 /* the new range test's id           */
	int b = SQLITE_OK;
	int rc;

	assert(st != NULL && info != NULL && info->mode != NULL);
	assert(points != NULL || n == 0);
	if ((rc = write_begin(st, what)) < 0)
		return rc;
	s = st->stmt[SQ_RT_INSERT];
	store_bind_int(&b, s, 1, experiment_id);
	store_bind_int(&b, s, 2, info->repeat);
	store_bind_text(&b, s, 3, info->mode);
	store_bind_double(&b, s, 4, info->start_lr);
	store_bind_double(&b, s, 5, info->end_lr);
	store_bind_int(&b, s, 6, info->iterations);
	store_bind_int_or_null(&b, s, 7, info->stopped_at, info->stopped_at < 0);
	store_bind_int(&b, s, 8, (sqlite3_int64)info->seed);
	store_bind_double(&b, s, 9, info->wall_seconds);
	store_bind_text(&b, s, 10, info->group_key ? info->group_key : "");
	store_bind_int_or_null(&b, s, 11, info->probe_iterations, info->probe_iterations <= 0);
	store_bind_text(&b, s, 12, info->probe_iterations > 0 ? info->probe_note : NULL);
	if ((rc = write_step(st, s, b, what)) < 0)
		goto end;
	id = sqlite3_last_insert_rowid(st->db);
	rc = insert_rows(st, st->stmt[SQ_RP_INSERT], id, points, sizeof *points, n, point_cols, what);
end:
	if ((rc = write_end(st, rc, what)) == 0 && out != NULL)
		*out = id;
	return rc;
}

/* ---------------------------------------------------------------- bounds */

/* One row of bounds into SQ_BOUND_INSERT. */
static void bind_bound(int *b, sqlite3_stmt *s, int64_t experiment_id, const void *row)
{
	const lrs_bound_row *r = row;

	assert(r->rule != NULL);
	store_bind_int(b, s, 1, experiment_id);
	store_bind_text(b, s, 2, r->rule);
	store_bind_double(b, s, 3, r->min_lr);
	store_bind_double(b, s, 4, r->max_lr);
	store_bind_double(b, s, 5, r->min_lr_spread);
	store_bind_double(b, s, 6, r->max_lr_spread);
	store_bind_int(b, s, 7, r->chosen != 0);
	store_bind_text(b, s, 8, r->note && r->note[0] ? r->note : NULL);
	store_bind_text(b, s, 9, r->group_key ? r->group_key : "");
}

int lrs_store_bounds_add(lrs_store *st, int64_t experiment_id,
                         const lrs_bound_row *rows, size_t n)
{
	assert(st != NULL && (rows != NULL || n == 0));
	return insert_all(st, "store bounds", SQ_BOUND_INSERT, experiment_id, rows, sizeof *rows, n, bind_bound, NULL);
}

/* ---------------------------------------------------------------- trials */

/* Steps `s` (binds b), which must change the row of trial `trial_id`: 0,
 * the error, or LRS_ENOTFOUND when there is no such trial. */
static int write_trial_row(lrs_store *st, sqlite3_stmt *s, int b, int64_t trial_id, const char *what)
{
	int rc = write_step(st, s, b, what);

	if (rc == 0 && sqlite3_changes(st->db) == 0)
		rc = lrs_error_set(LRS_ENOTFOUND, "%s: no trial with id %lld", st->path, (long long)trial_id);
	return rc;
}

/* One planned trial into SQ_TRIAL_INSERT. */
static void bind_trial(int *b, sqlite3_stmt *s, int64_t experiment_id, const void *row)
{
	const lrs_trial_plan *p = row;

	assert(p->trial_key != NULL && p->schedule != NULL);
	store_bind_int(b, s, 1, experiment_id);
	store_bind_text(b, s, 2, p->trial_key);
	store_bind_text(b, s, 3, p->schedule);
	store_bind_text(b, s, 4, p->params ? p->params : "{}");
	store_bind_text(b, s, 5, p->hyper ? p->hyper : "{}");
	store_bind_int(b, s, 6, (sqlite3_int64)p->seed);
	store_bind_text(b, s, 7, p->bounds_group);
	store_bind_text(b, s, 8, p->log);
}

int lrs_store_trials_add(int64_t *out_ids, lrs_store *st, int64_t experiment_id,
                         const lrs_trial_plan *plans, size_t n)
{
	assert(st != NULL && (plans != NULL || n == 0));
	return insert_all(st, "add trials", SQ_TRIAL_INSERT, experiment_id, plans, sizeof *plans, n, bind_trial,
	                  out_ids);
}

int lrs_store_range_tests_clear(lrs_store *st, int64_t experiment_id, const char *group_key)
{
	static const char what[] = "clear the range tests";
	int rc;

	assert(st != NULL);
	if ((rc = write_begin(st, what)) < 0)
		return rc;
	for (int k = 0; k < 2 && rc == 0; k++) {   /* points go with their test (cascade) */
		sqlite3_stmt *s = st->stmt[k ? SQ_BOUNDS_CLEAR : SQ_RT_CLEAR];
		int b = SQLITE_OK;

		store_bind_int(&b, s, 1, experiment_id);
		store_bind_text(&b, s, 2, group_key);
		rc = write_step(st, s, b, what);
	}
	return write_end(st, rc, what);
}

int lrs_store_trial_start(lrs_store *st, int64_t trial_id, const char *worker)
{
	static const char what[] = "start a trial";
	sqlite3_stmt *s = NULL;
	int b = SQLITE_OK;
	int rc;

	assert(st != NULL && trial_id > 0);
	if ((rc = write_begin(st, what)) < 0)
		return rc;
	s = st->stmt[SQ_TRIAL_START];
	store_bind_int(&b, s, 1, trial_id);
	store_bind_text(&b, s, 2, worker);
	if ((rc = write_trial_row(st, s, b, trial_id, what)) < 0)
		goto end;
	s = st->stmt[SQ_EPOCHS_CLEAR];
	store_bind_int(&b, s, 1, trial_id);
	rc = write_step(st, s, b, what);
end:
	return write_end(st, rc, what);
}

int lrs_store_trial_finish(lrs_store *st, int64_t trial_id, const lrs_trial_result *res,
                           const lrs_epoch_row *epochs, size_t n)
{
	static const char what[] = "finish a trial";
	sqlite3_stmt *s = NULL;
	int b = SQLITE_OK;
	int rc;

	assert(st != NULL && res != NULL && (epochs != NULL || n == 0));
	if ((rc = store_writable(st, what)) < 0)
		return rc;
	if (res->status == LRS_TRIAL_PENDING || res->status == LRS_TRIAL_RUNNING ||
	    lrs_trial_status_parse(lrs_trial_status_name(res->status)) < 0)
		return lrs_error_set(LRS_EINVALID, "%s: finish trial %lld: status %s is not final",
		                     st->path, (long long)trial_id,
		                     lrs_trial_status_name(res->status));
	if ((rc = store_begin(st, what)) < 0)
		return rc;
	s = st->stmt[SQ_TRIAL_FINISH];
	store_bind_int(&b, s, 1, trial_id);
	store_bind_text(&b, s, 2, lrs_trial_status_name(res->status));
	store_bind_int(&b, s, 3, res->epochs_done);
	store_bind_int(&b, s, 4, res->iterations);
	store_bind_double(&b, s, 5, res->best_val_accuracy);
	store_bind_int_or_null(&b, s, 6, res->best_epoch, res->best_epoch <= 0);
	store_bind_double(&b, s, 7, res->final_val_accuracy);
	store_bind_double(&b, s, 8, res->final_val_loss);
	store_bind_double(&b, s, 9, res->final_train_loss);
	store_bind_double(&b, s, 10, res->test_accuracy);
	store_bind_int_or_null(&b, s, 11, res->diverged_at, res->diverged_at < 0);
	store_bind_double(&b, s, 12, res->wall_seconds);
	store_bind_text(&b, s, 13, res->error);
	if ((rc = write_trial_row(st, s, b, trial_id, what)) < 0)
		goto end;
	rc = insert_rows(st, st->stmt[SQ_EPOCH_INSERT], trial_id, epochs, sizeof *epochs, n, epoch_cols, what);
end:
	return write_end(st, rc, what);
}
