/* resume.c - the reads a resumed run needs: the experiment file it was
 * started from, each group's chosen bounds, the validation curves of the
 * trials it kept (for pruning to judge against). Typed: the callers get
 * numbers and strings, never SQL or text to parse. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "internal.h"

/* Prepares `sql` with ?1 bound to `id`; 0 or the translated error. */
static int prepare(lrs_store *st, sqlite3_stmt **s, const char *sql, int64_t id, const char *what)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);

	if (rc != SQLITE_OK)
		return store_fail(st, rc, what);
	sqlite3_bind_int64(*s, 1, id);
	return 0;
}

int lrs_store_experiment_config(char **text, lrs_store *st, int64_t id)
{
	static const char what[] = "read an experiment's file";
	sqlite3_stmt *s = NULL;
	int rc;

	assert(text != NULL && st != NULL);
	*text = NULL;
	if ((rc = prepare(st, &s, "SELECT config FROM experiments WHERE id = ?1", id, what)) < 0)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		rc = (*text = strdup(t ? t : "")) ? 0 : lrs_error_set(LRS_ENOMEM, "out of memory");
	} else if (rc == SQLITE_DONE) {
		rc = lrs_error_set(LRS_ENOTFOUND, "%s: no experiment %lld", st->path, (long long)id);
	} else {
		rc = store_fail(st, rc, what);
	}
	sqlite3_finalize(s);
	return rc;
}

int lrs_store_bounds_chosen(double *min_lr, double *max_lr, lrs_store *st, int64_t experiment_id,
                            const char *group_key)
{
	static const char what[] = "read the chosen bounds";
	sqlite3_stmt *s = NULL;
	int rc;

	assert(st != NULL && group_key != NULL);
	if ((rc = prepare(st, &s, "SELECT min_lr, max_lr FROM bounds WHERE experiment_id = ?1 AND group_key = ?2"
	                  " AND chosen = 1 AND min_lr IS NOT NULL AND max_lr IS NOT NULL", experiment_id, what)) < 0)
		return rc;
	sqlite3_bind_text(s, 2, group_key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*min_lr = sqlite3_column_double(s, 0);
		*max_lr = sqlite3_column_double(s, 1);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? LRS_ENOTFOUND : store_fail(st, rc, what);
	}
	sqlite3_finalize(s);
	return rc;
}

int lrs_store_val_curves(lrs_store *st, int64_t experiment_id,
                         int (*fn)(void *ctx, int64_t trial_id, long epoch, double val_accuracy), void *ctx)
{
	static const char what[] = "read the trials' curves";
	sqlite3_stmt *s = NULL;
	int rc;

	assert(st != NULL && fn != NULL);
	if ((rc = prepare(st, &s, "SELECT e.trial_id, e.epoch, e.val_accuracy FROM epochs e JOIN trials t"
	                  " ON t.id = e.trial_id WHERE t.experiment_id = ?1 ORDER BY e.trial_id, e.epoch",
	                  experiment_id, what)) < 0)
		return rc;
	int stop = 0;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		double v = sqlite3_column_type(s, 2) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 2);
		stop = fn(ctx, sqlite3_column_int64(s, 0), (long)sqlite3_column_int64(s, 1), v);
	}
	rc = stop ? stop : rc == SQLITE_DONE ? 0 : store_fail(st, rc, what);
	sqlite3_finalize(s);
	return rc;
}
