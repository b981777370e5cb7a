/* internal.h - what the store's files share: the lrs_store struct, the
 * table of prepared statements, error translation and transactions.
 *
 * Not a public header: only the files of src/store include it (and with it
 * sqlite3.h, which nothing outside src/store sees). */
#ifndef LRSWEEP_STORE_INTERNAL_H
#define LRSWEEP_STORE_INTERNAL_H

#include <sqlite3.h>

#include "lrsweep/store.h"

/* Every statement the store runs more than once, prepared at open. */
enum store_stmt {
	SQ_BEGIN,               /* BEGIN IMMEDIATE                            */
	SQ_COMMIT,
	SQ_ROLLBACK,
	SQ_EXP_LATEST,          /* read statements first ...                  */
	SQ_TRIAL_LIST,
	SQ_FIRST_WRITE,         /* ... write statements from here on          */
	SQ_EXP_INSERT = SQ_FIRST_WRITE,
	SQ_EXP_FINISH,
	SQ_RT_INSERT,
	SQ_RP_INSERT,
	SQ_RT_CLEAR,
	SQ_BOUNDS_CLEAR,
	SQ_BOUND_INSERT,
	SQ_TRIAL_INSERT,
	SQ_TRIAL_START,
	SQ_EPOCHS_CLEAR,
	SQ_TRIAL_FINISH,
	SQ_EPOCH_INSERT,
	SQ_COUNT
};

struct lrs_store {
	sqlite3 *db;                    /* the connection                    */
	char *path;                     /* as given to lrs_store_open        */
	int readonly;                   /* opened with LRS_STORE_READONLY    */
	int upgraded_from;              /* schema version before, or 0       */
	int lock_fd;                    /* PATH-lock, once a claim opened it;
	                                   -1 before (lock.c)                */
	sqlite3_stmt *stmt[SQ_COUNT];   /* prepared once; write ones NULL when
	                                   read-only                         */
};

/* The "now" of every timestamp column: ISO-8601 UTC with milliseconds. */
#define STORE_NOW "strftime('%Y-%m-%dT%H:%M:%fZ','now')"

/* Translates SQLite result `rc` into a project code and sets the message
 * "PATH: WHAT: reason" (busy/locked -> "database is locked", full -> "disk
 * full", constraint -> LRS_EINVALID with SQLite's text). */
int store_fail(lrs_store *st, int rc, const char *what);

/* LRS_EINVALID "PATH: cannot WHAT: the database is open read-only" on a
 * read-only store, else 0. */
int store_writable(lrs_store *st, const char *what);

/* Transactions on the prepared BEGIN IMMEDIATE / COMMIT / ROLLBACK.
 * store_rollback does nothing when no transaction is open (SQLite may have
 * rolled back by itself) and never changes the error message. */
int store_begin(lrs_store *st, const char *what);
int store_commit(lrs_store *st, const char *what);
void store_rollback(lrs_store *st);

/* Steps a statement that returns no rows, then resets it and clears its
 * bindings; 0 or the translated error. */
int store_exec_stmt(lrs_store *st, sqlite3_stmt *s, const char *what);

/* Binding with the store's conventions; each keeps the first failure in
 * *rc and does nothing once *rc != SQLITE_OK. Text is bound SQLITE_STATIC:
 * it must live until the statement is reset. */
void store_bind_int(int *rc, sqlite3_stmt *s, int i, sqlite3_int64 v);
void store_bind_int_or_null(int *rc, sqlite3_stmt *s, int i, sqlite3_int64 v, int is_null);
void store_bind_double(int *rc, sqlite3_stmt *s, int i, double v);   /* NAN -> NULL */
void store_bind_text(int *rc, sqlite3_stmt *s, int i, const char *v); /* NULL -> NULL */

/* Gives up the claim on experiment `id` (lock.c); nothing when none. */
void store_experiment_release(lrs_store *st, int64_t id);

/* The experiment status of a stored name, -1 if unknown. */
int store_experiment_status_parse(const char *name);

#endif
