/* write.c - every write of the store: experiments, range tests, bounds,
 * trials and their epochs.
 *
 * Each public function is one transaction (BEGIN IMMEDIATE ... COMMIT, or a
 * single statement): on any failure it rolls back, so nothing is ever half
 * written. Statements come prepared from lrs_store_open; each use is bind ->
 * step -> reset, with one exit label that resets and reports. */
#include <assert.h>
#include <string.h>
#include <unistd.h>

#include "lrsweep/error.h"
#include "lrsweep/sha256.h"
#include "lrsweep/version.h"
#include "internal.h"

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
	int64_t id;                     /* the new range test's id           */
	int b = SQLITE_OK;
	int rc;

	assert(st != NULL && info != NULL && info->mode != NULL);
	assert(points != NULL || n == 0);
	if ((rc = store_writable(st, what)) < 0)
		return rc;
	if ((rc = store_begin(st, what)) < 0)
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
	if (b != SQLITE_OK || (rc = store_exec_stmt(st, s, what)) < 0)
		goto fail;
	id = sqlite3_last_insert_rowid(st->db);
	s = st->stmt[SQ_RP_INSERT];
	for (size_t i = 0; i < n; i++) {
		const lrs_range_point *p = &points[i];

		store_bind_int(&b, s, 1, id);
		store_bind_int(&b, s, 2, p->iteration);
		store_bind_double(&b, s, 3, p->lr);
		store_bind_double(&b, s, 4, p->loss);
		store_bind_double(&b, s, 5, p->smoothed_loss);
		store_bind_double(&b, s, 6, p->accuracy);
		if (b != SQLITE_OK || (rc = store_exec_stmt(st, s, what)) < 0)
			goto fail;
	}
	if ((rc = store_commit(st, what)) < 0)
		goto fail;
	if (out != NULL)
		*out = id;
	return 0;
fail:
	if (b != SQLITE_OK)
		rc = store_fail(st, b, what);
	sqlite3_clear_bindings(s);
	store_rollback(st);
	return rc;
}

/* ---------------------------------------------------------------- bounds */

int lrs_store_bounds_add(lrs_store *st, int64_t experiment_id,
                         const lrs_bound_row *rows, size_t n)
{
	static const char what[] = "store bounds";
	sqlite3_stmt *s = NULL;
	int b = SQLITE_OK;
	int rc;

	assert(st != NULL && (rows != NULL || n == 0));
	if ((rc = store_writable(st, what)) < 0)
		return rc;
	if ((rc = store_begin(st, what)) < 0)
		return rc;
	s = st->stmt[SQ_BOUND_INSERT];
	for (size_t i = 0; i < n; i++) {
		assert(rows[i].rule != NULL);
		store_bind_int(&b, s, 1, experiment_id);
		store_bind_text(&b, s, 2, rows[i].rule);
		store_bind_double(&b, s, 3, rows[i].min_lr);
		store_bind_double(&b, s, 4, rows[i].max_lr);
		store_bind_double(&b, s, 5, rows[i].min_lr_spread);
		store_bind_double(&b, s, 6, rows[i].max_lr_spread);
		store_bind_int(&b, s, 7, rows[i].chosen != 0);
		store_bind_text(&b, s, 8, rows[i].note && rows[i].note[0] ? rows[i].note : NULL);
		store_bind_text(&b, s, 9, rows[i].group_key ? rows[i].group_key : "");
		if (b != SQLITE_OK || (rc = store_exec_stmt(st, s, what)) < 0)
			goto fail;
	}
	if ((rc = store_commit(st, what)) < 0)
		goto fail;
	return 0;
fail:
	if (b != SQLITE_OK)
		rc = store_fail(st, b, what);
	sqlite3_clear_bindings(s);
	store_rollback(st);
	return rc;
}

/* ---------------------------------------------------------------- trials */

int lrs_store_trials_add(int64_t *out_ids, lrs_store *st, int64_t experiment_id,
                         const lrs_trial_plan *plans, size_t n)
{
	static const char what[] = "add trials";
	sqlite3_stmt *s = NULL;
	int b = SQLITE_OK;
	int rc;

	assert(st != NULL && (plans != NULL || n == 0));
	if ((rc = store_writable(st, what)) < 0)
		return rc;
	if ((rc = store_begin(st, what)) < 0)
		return rc;
	s = st->stmt[SQ_TRIAL_INSERT];
	for (size_t i = 0; i < n; i++) {
		const lrs_trial_plan *p = &plans[i];

		assert(p->trial_key != NULL && p->schedule != NULL);
		store_bind_int(&b, s, 1, experiment_id);
		store_bind_text(&b, s, 2, p->trial_key);
		store_bind_text(&b, s, 3, p->schedule);
		store_bind_text(&b, s, 4, p->params ? p->params : "{}");
		store_bind_text(&b, s, 5, p->hyper ? p->hyper : "{}");
		store_bind_int(&b, s, 6, (sqlite3_int64)p->seed);
		store_bind_text(&b, s, 7, p->bounds_group);
		if (b != SQLITE_OK || (rc = store_exec_stmt(st, s, what)) < 0)
			goto fail;
		if (out_ids != NULL)
			out_ids[i] = sqlite3_last_insert_rowid(st->db);
	}
	if ((rc = store_commit(st, what)) < 0)
		goto fail;
	return 0;
fail:
	if (b != SQLITE_OK)
		rc = store_fail(st, b, what);
	sqlite3_clear_bindings(s);
	store_rollback(st);
	return rc;
}

int lrs_store_range_tests_clear(lrs_store *st, int64_t experiment_id, const char *group_key)
{
	static const char what[] = "clear the range tests";
	sqlite3_stmt *s = NULL;
	int b = SQLITE_OK;
	int rc;

	assert(st != NULL);
	if ((rc = store_writable(st, what)) < 0)
		return rc;
	if ((rc = store_begin(st, what)) < 0)
		return rc;
	for (int k = 0; k < 2; k++) {   /* points go with their test (cascade) */
		s = st->stmt[k ? SQ_BOUNDS_CLEAR : SQ_RT_CLEAR];
		store_bind_int(&b, s, 1, experiment_id);
		store_bind_text(&b, s, 2, group_key);
		if (b != SQLITE_OK || (rc = store_exec_stmt(st, s, what)) < 0)
			goto fail;
	}
	if ((rc = store_commit(st, what)) < 0)
		goto fail;
	return 0;
fail:
	if (b != SQLITE_OK)
		rc = store_fail(st, b, what);
	sqlite3_clear_bindings(s);
	store_rollback(st);
	return rc;
}

int lrs_store_trial_start(lrs_store *st, int64_t trial_id, const char *worker)
{
	static const char what[] = "start a trial";
	sqlite3_stmt *s = NULL;
	int b = SQLITE_OK;
	int rc;

	assert(st != NULL);
	if ((rc = store_writable(st, what)) < 0)
		return rc;
	if ((rc = store_begin(st, what)) < 0)
		return rc;
	s = st->stmt[SQ_TRIAL_START];
	store_bind_int(&b, s, 1, trial_id);
	store_bind_text(&b, s, 2, worker);
	if (b != SQLITE_OK || (rc = store_exec_stmt(st, s, what)) < 0)
		goto fail;
	if (sqlite3_changes(st->db) == 0) {
		rc = lrs_error_set(LRS_ENOTFOUND, "%s: no trial with id %lld",
		                   st->path, (long long)trial_id);
		goto fail;
	}
	s = st->stmt[SQ_EPOCHS_CLEAR];
	store_bind_int(&b, s, 1, trial_id);
	if (b != SQLITE_OK || (rc = store_exec_stmt(st, s, what)) < 0)
		goto fail;
	if ((rc = store_commit(st, what)) < 0)
		goto fail;
	return 0;
fail:
	if (b != SQLITE_OK)
		rc = store_fail(st, b, what);
	sqlite3_clear_bindings(s);
	store_rollback(st);
	return rc;
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
	if (b != SQLITE_OK || (rc = store_exec_stmt(st, s, what)) < 0)
		goto fail;
	if (sqlite3_changes(st->db) == 0) {
		rc = lrs_error_set(LRS_ENOTFOUND, "%s: no trial with id %lld",
		                   st->path, (long long)trial_id);
		goto fail;
	}
	s = st->stmt[SQ_EPOCH_INSERT];
	for (size_t i = 0; i < n; i++) {
		const lrs_epoch_row *e = &epochs[i];

		store_bind_int(&b, s, 1, trial_id);
		store_bind_int(&b, s, 2, e->epoch);
		store_bind_int(&b, s, 3, e->iteration);
		store_bind_double(&b, s, 4, e->lr);
		store_bind_double(&b, s, 5, e->momentum);
		store_bind_double(&b, s, 6, e->train_loss);
		store_bind_double(&b, s, 7, e->train_accuracy);
		store_bind_double(&b, s, 8, e->val_loss);
		store_bind_double(&b, s, 9, e->val_accuracy);
		store_bind_double(&b, s, 10, e->wall_seconds);
		if (b != SQLITE_OK || (rc = store_exec_stmt(st, s, what)) < 0)
			goto fail;
	}
	if ((rc = store_commit(st, what)) < 0)
		goto fail;
	return 0;
fail:
	if (b != SQLITE_OK)
		rc = store_fail(st, b, what);
	sqlite3_clear_bindings(s);
	store_rollback(st);
	return rc;
}
