/* read.c - reading the store: the latest experiment of a name, the trials
 * of an experiment, and one read-only SQL statement of the user's.
 *
 * Nothing here writes. The generic query refuses anything that would
 * (sqlite3_stmt_readonly, and an authorizer that allows no ATTACH and
 * only the pragmas that read), and a read-only store also runs with query_only on a read-only
 * connection. Doubles come out as the shortest
 * text that reads back to the same value, not SQLite's 15 digits. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/util.h"
#include "internal.h"


/* ----------------------------------------------------------- experiments */

int lrs_store_experiment_latest(lrs_experiment_record *out, lrs_store *st, const char *name)
{
	sqlite3_stmt *s;
	const char *text;               /* a text column being copied        */
	int b = SQLITE_OK;
	int rc;

	assert(out != NULL && st != NULL && name != NULL);
	s = st->stmt[SQ_EXP_LATEST];
	store_bind_text(&b, s, 1, name);
	if (b != SQLITE_OK) {
		rc = store_fail(st, b, "find an experiment");
		goto done;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		rc = lrs_error_set(LRS_ENOTFOUND, "%s: no experiment named '%s'", st->path, name);
		goto done;
	}
	if (rc != SQLITE_ROW) {
		rc = store_fail(st, rc, "find an experiment");
		goto done;
	}
	memset(out, 0, sizeof *out);
	out->id = sqlite3_column_int64(s, 0);
	text = (const char *)sqlite3_column_text(s, 1);
	rc = store_experiment_status_parse(text ? text : "");
	out->status = rc < 0 ? LRS_EXP_FAILED : (lrs_experiment_status)rc;
	text = (const char *)sqlite3_column_text(s, 2);
	snprintf(out->config_sha256, sizeof out->config_sha256, "%s", text ? text : "");
	text = (const char *)sqlite3_column_text(s, 3);
	snprintf(out->created_at, sizeof out->created_at, "%s", text ? text : "");
	text = (const char *)sqlite3_column_text(s, 4);
	snprintf(out->data_sha256, sizeof out->data_sha256, "%s", text ? text : "");
	rc = 0;
done:
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* ---------------------------------------------------------------- trials */

void lrs_trial_list_free(lrs_trial_list *list)
{
	if (list == NULL)
		return;
	free(list->items);
	free(list->strings);
	list->items = NULL;
	list->strings = NULL;
	list->n = 0;
}

/* Keys are appended to one buffer while it may still move; items hold
 * offsets in trial_key until the end, then real pointers. */
int lrs_store_trial_list(lrs_trial_list *out, lrs_store *st, int64_t experiment_id)
{
	sqlite3_stmt *s;
	lrs_trial_list list = { 0 };
	size_t cap = 0, used = 0, str_cap = 0; /* items and string bytes     */
	int b = SQLITE_OK;
	int rc;

	assert(out != NULL && st != NULL);
	memset(out, 0, sizeof *out);
	s = st->stmt[SQ_TRIAL_LIST];
	store_bind_int(&b, s, 1, experiment_id);
	if (b != SQLITE_OK) {
		rc = store_fail(st, b, "list trials");
		goto done;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(s, 1);
		const char *status = (const char *)sqlite3_column_text(s, 2);
		size_t len = key ? strlen(key) + 1 : 1;
		int parsed = lrs_trial_status_parse(status ? status : "");

		if (list.n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			lrs_trial_entry *items = realloc(list.items, ncap * sizeof *items);

			if (items == NULL)
				goto nomem;
			list.items = items;
			cap = ncap;
		}
		if (used + len > str_cap) {
			size_t ncap = str_cap ? 2 * str_cap : 1024;
			char *strings;

			while (ncap < used + len)
				ncap *= 2;
			if ((strings = realloc(list.strings, ncap)) == NULL)
				goto nomem;
			list.strings = strings;
			str_cap = ncap;
		}
		memcpy(list.strings + used, key ? key : "", len);
		list.items[list.n].id = sqlite3_column_int64(s, 0);
		list.items[list.n].trial_key = (const char *)(uintptr_t)used;
		list.items[list.n].status = parsed < 0 ? LRS_TRIAL_FAILED : (lrs_trial_status)parsed;
		list.items[list.n].seed = (uint64_t)sqlite3_column_int64(s, 3);
		list.n++;
		used += len;
	}
	if (rc != SQLITE_DONE) {
		rc = store_fail(st, rc, "list trials");
		goto done;
	}
	for (size_t i = 0; i < list.n; i++)
		list.items[i].trial_key = list.strings + (uintptr_t)list.items[i].trial_key;
	*out = list;
	list = (lrs_trial_list){ 0 };
	rc = 0;
	goto done;
nomem:
	rc = lrs_error_set(LRS_ENOMEM, "%s: list trials: out of memory", st->path);
done:
	lrs_trial_list_free(&list);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* ----------------------------------------------------------------- query */

/* PRAGMAs a query may run: without an argument they read a setting or a
 * report; with one, only these that take a table or index name. Any other
 * pragma is refused, so that a query cannot change the connection
 * (foreign_keys = OFF, query_only = 0) nor the file (journal_mode). */
static const char *const pragma_reads[] = {
	"application_id", "auto_vacuum", "busy_timeout", "cache_size", "collation_list",
	"compile_options", "data_version", "database_list", "encoding", "foreign_key_check",
	"foreign_keys", "freelist_count", "function_list", "integrity_check", "journal_mode",
	"module_list", "page_count", "page_size", "pragma_list", "query_only", "quick_check",
	"schema_version", "synchronous", "table_list", "user_version"
};
static const char *const pragma_reads_arg[] = {
	"foreign_key_check", "foreign_key_list", "index_info", "index_list", "index_xinfo",
	"integrity_check", "quick_check", "table_info", "table_list", "table_xinfo"
};

static int name_in(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sqlite3_stricmp(name, list[i]) == 0)
			return 1;
	return 0;
}

/* The authorizer of user queries: no ATTACH/DETACH, only the pragmas
 * above. *ctx is set to 1 when an allowed pragma was seen (SQLite calls a
 * pragma that reports, such as journal_mode, a writing statement). */
static int authorize_query(void *ctx, int action, const char *a1, const char *a2,
                           const char *db, const char *trigger)
{
	(void)db; (void)trigger;
	if (action == SQLITE_ATTACH || action == SQLITE_DETACH)
		return SQLITE_DENY;
	if (action != SQLITE_PRAGMA)
		return SQLITE_OK;
	if (a2 == NULL ? name_in(a1, pragma_reads, sizeof pragma_reads / sizeof *pragma_reads)
	               : name_in(a1, pragma_reads_arg,
	                         sizeof pragma_reads_arg / sizeof *pragma_reads_arg)) {
		*(int *)ctx = 1;
		return SQLITE_OK;
	}
	return SQLITE_DENY;
}

/* True when `sql` holds no statement, only blanks and comments. */
static int nothing_left(lrs_store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	sqlite3_finalize(s);
	return rc == SQLITE_OK && s == NULL;
}

/* The checks of a user's statement: prepared (into *s), read-only, alone.
 * The authorizer stays installed, with *pragma (an allowed PRAGMA was
 * seen) as its context, until the caller removes it: SQLite may prepare
 * the statement again while it steps. 0, or LRS_EINVALID saying why. */
static int prepare_user_query(lrs_store *st, const char *sql, sqlite3_stmt **s, int *pragma)
{
	const char *tail = NULL;        /* SQL after the first statement     */
	int rc;

	*pragma = 0;
	sqlite3_set_authorizer(st->db, authorize_query, pragma);
	rc = sqlite3_prepare_v2(st->db, sql, -1, s, &tail);
	if ((rc & 0xff) == SQLITE_AUTH)
		return lrs_error_set(LRS_EINVALID, "%s: query: only read-only statements are"
		                     " allowed (%s)", st->path, sqlite3_errmsg(st->db));
	if (rc != SQLITE_OK)
		return (rc & 0xff) == SQLITE_ERROR
		       ? lrs_error_set(LRS_EINVALID, "%s: query: %s", st->path, sqlite3_errmsg(st->db))
		       : store_fail(st, rc, "query");
	if (*s == NULL)
		return lrs_error_set(LRS_EINVALID, "%s: query: no SQL statement given", st->path);
	if (!sqlite3_stmt_readonly(*s) && !*pragma)
		return lrs_error_set(LRS_EINVALID, "%s: query: only read-only statements are"
		                     " allowed (this one would modify the database)", st->path);
	if (!nothing_left(st, tail))
		return lrs_error_set(LRS_EINVALID, "%s: query: only one SQL statement is allowed",
		                     st->path);
	return 0;
}

/* A user's statement failed as it ran: what it asked is wrong (malformed
 * JSON, an integer overflow, a function not allowed, a string too big) -
 * bad input, as a syntax error is - or the file or the machine failed. */
static int user_query_fail(lrs_store *st, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_ERROR:
	case SQLITE_AUTH:
	case SQLITE_TOOBIG:
	case SQLITE_RANGE:
	case SQLITE_MISMATCH:
	case SQLITE_CONSTRAINT:
		return lrs_error_set(LRS_EINVALID, "%s: query: %s", st->path, sqlite3_errmsg(st->db));
	default:
		return store_fail(st, rc, "query");
	}
}

/* Column i of the current row as a value; reals' text in `number`. 0 or
 * the translated error. */
static int column_value(lrs_store *st, sqlite3_stmt *s, int i, lrs_value *v, char *number)
{
	v->real = NAN;
	switch (sqlite3_column_type(s, i)) {
	case SQLITE_NULL:
		v->type = LRS_VAL_NULL;
		v->text = NULL;
		return 0;
	case SQLITE_FLOAT:
		v->type = LRS_VAL_REAL;
		v->real = sqlite3_column_double(s, i);
		v->text = lrs_fmt_double(number, v->real);
		return 0;
	default:
		v->type = sqlite3_column_type(s, i) == SQLITE_INTEGER ? LRS_VAL_INT : LRS_VAL_TEXT;
		v->text = (const char *)sqlite3_column_text(s, i);
		return v->text ? 0 : store_fail(st, SQLITE_NOMEM, "query");
	}
}

int lrs_store_query_values(lrs_store *st, const char *sql, lrs_store_value_fn fn, void *ctx)
{
	sqlite3_stmt *s = NULL;
	const char **names = NULL;      /* (ncols) column names              */
	lrs_value *values = NULL;       /* (ncols) the row                   */
	char *numbers = NULL;           /* (ncols, LRS_DOUBLE_TEXT) float text */
	int pragma;                     /* the authorizer's: a PRAGMA allowed */
	int ncols;
	int rc;

	assert(st != NULL && sql != NULL && fn != NULL);
	if ((rc = prepare_user_query(st, sql, &s, &pragma)) < 0)
		goto done;
	ncols = sqlite3_column_count(s);
	names = calloc((size_t)ncols + 1, sizeof *names);
	values = calloc((size_t)ncols + 1, sizeof *values);
	numbers = calloc((size_t)ncols + 1, LRS_DOUBLE_TEXT);
	if (names == NULL || values == NULL || numbers == NULL) {
		rc = lrs_error_set(LRS_ENOMEM, "%s: query: out of memory", st->path);
		goto done;
	}
	for (int i = 0; i < ncols; i++)
		names[i] = sqlite3_column_name(s, i);
	if ((rc = fn(ctx, ncols, names, NULL)) != 0)
		goto done;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (int i = 0; i < ncols; i++)
			if ((rc = column_value(st, s, i, &values[i], numbers + (size_t)i * LRS_DOUBLE_TEXT)) < 0)
				goto done;
		if ((rc = fn(ctx, ncols, names, values)) != 0)
			goto done;
	}
	rc = rc == SQLITE_DONE ? 0 : user_query_fail(st, rc);
done:
	sqlite3_finalize(s);
	sqlite3_set_authorizer(st->db, NULL, NULL);
	free(names);
	free(values);
	free(numbers);
	return rc;
}

/* lrs_store_query's callback in lrs_store_query_values' terms. */
typedef struct {
	lrs_store_row_fn fn;
	void *ctx;
	const char **text;              /* (ncols) the row's text            */
	lrs_value_type *types;          /* (ncols)                           */
} as_text;

static int text_row(void *ctx, int ncols, const char *const *names, const lrs_value *values)
{
	as_text *a = ctx;

	if (values == NULL) {
		a->text = calloc((size_t)ncols + 1, sizeof *a->text);
		a->types = calloc((size_t)ncols + 1, sizeof *a->types);
		if (a->text == NULL || a->types == NULL)
			return lrs_error_set(LRS_ENOMEM, "query: out of memory");
		return a->fn(a->ctx, ncols, names, NULL, NULL);
	}
	for (int i = 0; i < ncols; i++) {
		a->text[i] = values[i].text;
		a->types[i] = values[i].type;
	}
	return a->fn(a->ctx, ncols, names, a->text, a->types);
}

int lrs_store_query(lrs_store *st, const char *sql, lrs_store_row_fn fn, void *ctx)
{
	as_text a = { fn, ctx, NULL, NULL };
	int rc;

	assert(st != NULL && sql != NULL && fn != NULL);
	rc = lrs_store_query_values(st, sql, text_row, &a);
	free(a.text);
	free(a.types);
	return rc;
}
