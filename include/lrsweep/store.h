/* store.h - the results database: one SQLite file holding experiments,
 * range tests, bounds, trials and their per-epoch curves (SPEC §8).
 *
 * The schema is a public interface, described in docs/schema.md: anything
 * written here can be read back with the stock `sqlite3` shell or pandas.
 * This module is the only one that includes sqlite3.h; it knows no model,
 * no YAML and no threads.
 *
 * Every write function is one transaction: it either stores everything it
 * was given or nothing (rolled back on failure). A trial's epoch rows commit
 * together with its final status, so a crash at any instant leaves a
 * consistent database; readers work while a writer writes (WAL mode).
 *
 * Thread-safety: an lrs_store belongs to one thread at a time (the runner
 * has a single writer). Different threads may each open their own store on
 * the same file. No globals.
 *
 * Every function returns 0 or a negative code from error.h with the message
 * set, on one line, naming the file: LRS_EINVALID for a file that is not an
 * lrsweep database, a corrupt file ("the database file is corrupt"), a
 * refused write or a violated constraint; LRS_ENOTFOUND for a missing
 * experiment or trial; LRS_ERROR "database is locked" (after waiting 5 s
 * for the other writer), "disk full" (also a write cut short by a
 * file-size limit), "cannot open for writing (Read-only file system)" and
 * other SQLite failures. Misuse (NULL store, NULL out) is asserted.
 *
 * Doubles given as NAN are stored as NULL; integers documented as "-1 =
 * none" likewise. Timestamps are ISO-8601 UTC text taken at the call. */
#ifndef LRSWEEP_STORE_H
#define LRSWEEP_STORE_H

#include <stddef.h>
#include <stdint.h>

#define LRS_STORE_SCHEMA_VERSION 6      /* PRAGMA user_version written    */
#define LRS_STORE_APPLICATION_ID 0x4c525357 /* PRAGMA application_id, "LRSW" */

/* Flags of lrs_store_open. */
enum {
	LRS_STORE_READONLY = 1 << 0,    /* never write; the file must exist  */
	LRS_STORE_CREATE   = 1 << 1,    /* create the file if it is missing  */
	LRS_STORE_UPGRADE  = 1 << 2     /* with READONLY: an older schema is
	                                   first upgraded by a writing open   */
};

typedef struct lrs_store lrs_store;

typedef enum {
	LRS_EXP_RUNNING,
	LRS_EXP_COMPLETED,
	LRS_EXP_INTERRUPTED,
	LRS_EXP_FAILED
} lrs_experiment_status;

typedef enum {
	LRS_TRIAL_PENDING,
	LRS_TRIAL_RUNNING,
	LRS_TRIAL_COMPLETED,
	LRS_TRIAL_PRUNED,
	LRS_TRIAL_DIVERGED,
	LRS_TRIAL_FAILED,
	LRS_TRIAL_INTERRUPTED
} lrs_trial_status;

/* ------------------------------------------------------------ open/close */

/* Opens (or with LRS_STORE_CREATE creates) the database at `path`, applying
 * any pending schema migrations unless read-only. A missing directory, a
 * missing file (without CREATE), a file that is not SQLite, an SQLite file
 * that is not lrsweep's, or a schema newer than this build are LRS_EINVALID
 * naming the file. Opening an existing file for writing first runs
 * SQLite's integrity_check: a corrupt file (an index that does not match
 * its table included) is refused (LRS_EINVALID) and never written to. Read-only, a file on a read-only file system with no -wal
 * or -shm beside it is opened as immutable. On failure *out is NULL. */
int lrs_store_open(lrs_store **out, const char *path, int flags);

/* The schema version a READONLY | UPGRADE open upgraded the file from, or
 * 0 when it was current. A file that cannot be opened for writing (read-only
 * medium, permissions) is not upgraded: the open fails as READONLY alone. */
int lrs_store_upgraded_from(const lrs_store *st);

/* Finalizes every statement and closes the file. Accepts NULL. */
void lrs_store_free(lrs_store *st);

/* The path given to lrs_store_open. */
const char *lrs_store_path(const lrs_store *st);

/* The schema version of the open file (PRAGMA user_version). */
int lrs_store_schema_version(int *out, lrs_store *st);

/* ----------------------------------------------------------- experiments */

typedef struct {
	const char *name;               /* experiment name                   */
	const char *config;             /* the YAML text as given            */
	const char *tool_version;       /* NULL = LRSWEEP_VERSION            */
	const char *host;               /* NULL = gethostname()              */
	long train_samples;             /* -1 = unknown (NULL), likewise below */
	long val_samples;
	long test_samples;
	long features;
	long classes;
	const char *command;            /* "run" (NULL), "range-test", "train" */
	char data_sha256[65];           /* lrs_dataset_digest; "" = none (NULL) */
} lrs_experiment_info;

/* What lrs_store_experiment_latest finds. */
typedef struct {
	int64_t id;
	lrs_experiment_status status;
	char config_sha256[65];         /* hex digest of the stored config   */
	char created_at[32];            /* ISO-8601 UTC                      */
	char data_sha256[65];           /* digest of its data; "" when none  */
} lrs_experiment_record;

/* Stores a new experiment, status running, created_at now; the store
 * computes config_sha256 from info->config. *out is its id. An experiment
 * of `lrsweep run` (command NULL or "run": what --resume continues) is
 * claimed (below) in the same transaction, before any other process can
 * see it. */
int lrs_store_experiment_begin(int64_t *out, lrs_store *st,
                               const lrs_experiment_info *info);

/* Claims experiment `id` for this store: one live writer per experiment.
 * Until the store is freed, or its process ends however it ends (even
 * SIGKILL), no other store - of this process or another - can claim it:
 * that is LRS_ERROR "PATH: experiment N is being written by another
 * lrsweep process (pid P)" (the pid when it can be known). The claim is a
 * lock the kernel holds on the file PATH-lock beside the database, which
 * is created if missing (never through a link) and stays empty. */
int lrs_store_experiment_claim(lrs_store *st, int64_t id);

/* Sets the final status (completed, interrupted or failed) and finished_at.
 * LRS_ENOTFOUND when no experiment has that id. */
int lrs_store_experiment_finish(lrs_store *st, int64_t id,
                                lrs_experiment_status status);

/* The experiment file's text stored with experiment `id` (malloc'd), or
 * LRS_ENOTFOUND. */
int lrs_store_experiment_config(char **text, lrs_store *st, int64_t id);

/* The most recent experiment called `name` that `lrsweep run` made (what
 * --resume continues), or LRS_ENOTFOUND. */
int lrs_store_experiment_latest(lrs_experiment_record *out, lrs_store *st,
                                const char *name);

/* ----------------------------------------------------------- range tests */

typedef struct {
	int repeat;                     /* 0-based repeat index              */
	const char *mode;               /* "linear" | "exponential"          */
	double start_lr, end_lr;
	long iterations;                /* planned iterations                */
	long stopped_at;                /* iteration of the early stop; -1 = none */
	uint64_t seed;
	double wall_seconds;
	const char *group_key;          /* the trials' group it tested (SPEC §4):
	                                   "optimizer.type=adam, batch_size=64";
	                                   NULL or "" = every trial    */
	long probe_iterations;          /* updates of the probe that set the
	                                   range; 0 = no probe ran (NULL)   */
	const char *probe_note;         /* the probe's answer (pipeline.h's
	                                   lrs_range_probe_note); NULL with
	                                   no probe                         */
} lrs_range_test_info;

typedef struct {
	long iteration;                 /* 0-based optimizer step            */
	double lr;                      /* rate of that step                 */
	double loss;                    /* raw training loss (NAN = NULL)    */
	double smoothed_loss;           /* bias-corrected EMA (NAN = NULL)   */
	double accuracy;                /* validation accuracy; NAN between evaluations */
} lrs_range_point;

/* Stores one range test and its `n` points in one transaction. *out (may
 * be NULL) is the range test's id. */
int lrs_store_range_test_add(int64_t *out, lrs_store *st, int64_t experiment_id,
                             const lrs_range_test_info *info,
                             const lrs_range_point *points, size_t n);

/* Deletes an experiment's range tests (with their points) and bounds of
 * group `group_key` (NULL: of every group), in one transaction: what a run
 * interrupted during a range test left before the run is resumed and the
 * test done again. */
int lrs_store_range_tests_clear(lrs_store *st, int64_t experiment_id, const char *group_key);

/* ---------------------------------------------------------------- bounds */

typedef struct {
	const char *rule;               /* accuracy | loss-steepest | ...    */
	double min_lr, max_lr;          /* NAN = the rule found nothing      */
	double min_lr_spread;           /* spread over repeats; NAN = NULL   */
	double max_lr_spread;
	int chosen;                     /* 1 for the rule that fed the trials */
	const char *note;               /* why no pick, or a caveat; NULL/"" none */
	const char *group_key;          /* the range test's group; NULL = ""  */
} lrs_bound_row;

/* Stores `n` bound rows of one experiment in one transaction. At most one
 * row per experiment and group may be chosen, one row per group and rule. */
int lrs_store_bounds_add(lrs_store *st, int64_t experiment_id,
                         const lrs_bound_row *rows, size_t n);

/* The chosen bounds of group `group_key` ("" with one group) of an
 * experiment, or LRS_ENOTFOUND. */
int lrs_store_bounds_chosen(double *min_lr, double *max_lr, lrs_store *st, int64_t experiment_id,
                            const char *group_key);

/* ---------------------------------------------------------------- trials */

typedef struct {
	const char *trial_key;          /* stable hash of config and seed     */
	const char *schedule;           /* schedule type                      */
	const char *params;             /* JSON object; NULL = "{}"           */
	const char *hyper;              /* JSON object; NULL = "{}"           */
	uint64_t seed;
	const char *bounds_group;       /* the range-test group whose bounds it
	                                   got; NULL = bounds given (NULL)    */
	const char *log;                /* an external trainer's log file of
	                                   it; NULL for the built-in model    */
} lrs_trial_plan;

typedef struct {
	lrs_trial_status status;        /* completed|pruned|diverged|failed|interrupted */
	long epochs_done;
	long iterations;                /* optimizer steps taken             */
	double best_val_accuracy;       /* NAN = NULL, likewise below        */
	long best_epoch;                /* 1-based; <= 0 = NULL              */
	double final_val_accuracy;
	double final_val_loss;
	double final_train_loss;
	double test_accuracy;
	long diverged_at;               /* step of the NaN/inf; -1 = NULL    */
	double wall_seconds;
	const char *error;              /* failure message; NULL = none      */
} lrs_trial_result;

typedef struct {
	long epoch;                     /* 1-based                           */
	long iteration;                 /* optimizer steps done at its end   */
	double lr;                      /* rate of the epoch's last update   */
	double momentum;                /* where the schedule cycles it; NAN = NULL */
	double train_loss, train_accuracy; /* NAN = NULL                     */
	double val_loss, val_accuracy;
	double wall_seconds;            /* the epoch's wall time             */
} lrs_epoch_row;

/* One row of lrs_store_trial_list. */
typedef struct {
	int64_t id;
	const char *trial_key;          /* owned by the list                 */
	lrs_trial_status status;
	uint64_t seed;
} lrs_trial_entry;

typedef struct {
	lrs_trial_entry *items;         /* in id order                       */
	size_t n;
	char *strings;                  /* storage of the keys               */
} lrs_trial_list;

/* Inserts `n` pending trials in one transaction; out_ids (may be NULL)
 * receives their ids in order. A trial_key already present in the
 * experiment is LRS_EINVALID and nothing is inserted. */
int lrs_store_trials_add(int64_t *out_ids, lrs_store *st, int64_t experiment_id,
                         const lrs_trial_plan *plans, size_t n);

/* Marks a trial running (started_at now, `worker` may be NULL) and clears
 * whatever an earlier, crashed attempt left: results and epoch rows. */
int lrs_store_trial_start(lrs_store *st, int64_t trial_id, const char *worker);

/* Stores the trial's result, finished_at now, and its `n` epoch rows, in one
 * transaction: all of it or nothing. */
int lrs_store_trial_finish(lrs_store *st, int64_t trial_id,
                           const lrs_trial_result *res,
                           const lrs_epoch_row *epochs, size_t n);

/* Every trial of an experiment with its status. Free with
 * lrs_trial_list_free. */
int lrs_store_trial_list(lrs_trial_list *out, lrs_store *st, int64_t experiment_id);

/* Calls fn for each epoch stored of the experiment's trials: its trial id,
 * epoch (1-based) and validation accuracy (NAN when NULL); a nonzero
 * return stops with that value. */
int lrs_store_val_curves(lrs_store *st, int64_t experiment_id,
                         int (*fn)(void *ctx, int64_t trial_id, long epoch, double val_accuracy), void *ctx);

void lrs_trial_list_free(lrs_trial_list *list);

/* ------------------------------------------------------ reading results */

/* What query, plot and report read: typed rows, each string owned by its
 * set (freed with it), NULL for SQL NULL; doubles NAN and integers -1 for
 * NULL unless said otherwise. Nothing here writes. */

/* An experiment with its trials counted by status. */
typedef struct {
	int64_t id;
	char *name;
	char *command;                  /* run | range-test | train          */
	char *status;                   /* running | completed | ...         */
	char *created_at, *finished_at; /* ISO-8601 UTC; finished_at NULL    */
	char *host, *tool_version;
	char *config;                   /* the YAML text as given            */
	long train_samples, val_samples, test_samples, features, classes;
	long trials;                    /* trials of it, and by status:      */
	long completed, pruned, diverged, failed;
	long unfinished;                /* pending, running or interrupted   */
	double best_val_accuracy;       /* best of the completed trials      */
} lrs_experiment_row;

typedef struct {
	lrs_experiment_row *items;      /* in id order                       */
	size_t n;
} lrs_experiment_rows;

/* The experiment `spec` names: NULL the latest, digits an id, else a name
 * (its latest run). LRS_ENOTFOUND "PATH: no experiment 'spec'" (a long
 * spec shown cut, with its length), or "PATH: holds no experiment yet". */
int lrs_store_experiment_find(lrs_experiment_row *out, lrs_store *st, const char *spec);

/* Experiments in id order: every one (spec NULL), the one of an id, or
 * every run of a name; at most `limit` (0: all). None is not an error. */
int lrs_store_experiments_read(lrs_experiment_rows *out, lrs_store *st, const char *spec, long limit);

void lrs_experiment_row_free(lrs_experiment_row *e);
void lrs_experiment_rows_free(lrs_experiment_rows *rows);

/* A trial as stored. */
typedef struct {
	int64_t id;
	char *trial_key;
	char *schedule;
	char *params, *hyper;           /* JSON objects                      */
	int64_t seed;                   /* as stored (SQLite's signed integer) */
	lrs_trial_status status;
	long epochs_done, iterations;
	double best_val_accuracy;
	long best_epoch;
	double final_val_accuracy, final_val_loss, final_train_loss, test_accuracy;
	long diverged_at;
	char *started_at, *finished_at;
	double wall_seconds;
	char *worker;
	char *bounds_group;             /* the range-test group of its bounds */
	char *error;                    /* why it failed; NULL when it did not */
	double reach;                   /* the first iteration whose validation
	                                   accuracy reached the filter's target;
	                                   NAN: never, or no target          */
} lrs_trial_row;

typedef struct {
	lrs_trial_row *items;
	size_t n;
} lrs_trial_rows;

/* Which trials lrs_store_trials_read returns, in which order. */
typedef struct {
	const char *status;             /* one status name; NULL: any        */
	const char *schedule;           /* one schedule type; NULL: any      */
	const char *order;              /* a column of the trials table (with
	                                   NULLs last); NULL: id             */
	int descending;                 /* order from the highest            */
	long limit;                     /* at most that many; 0: all         */
	double target_accuracy;         /* fills reach; NAN: not asked       */
} lrs_trial_filter;

/* The trials of an experiment (filter NULL: all of them, in id order). An
 * `order` that is no column of trials is LRS_EINVALID. */
int lrs_store_trials_read(lrs_trial_rows *out, lrs_store *st, int64_t experiment_id,
                          const lrs_trial_filter *filter);

void lrs_trial_rows_free(lrs_trial_rows *rows);

/* The epochs of trial `trial_id` in order, *out malloc'd (free it), *n
 * rows; NAN for NULL. LRS_ENOTFOUND "PATH: no trial ID" when there is no
 * such trial. */
int lrs_store_epochs_read(lrs_epoch_row **out, size_t *n, lrs_store *st, int64_t trial_id);

/* A range test as stored, with its points when asked for. */
typedef struct {
	int64_t id;
	int repeat;
	char *mode;                     /* linear | exponential              */
	double start_lr, end_lr;
	long iterations, stopped_at;
	int64_t seed;                   /* as stored (signed)                */
	double wall_seconds;
	char *group_key;                /* "" = the only group               */
	long probe_iterations;          /* the probe's updates; -1 = none ran */
	char *probe_note;               /* its answer; NULL when none ran    */
	long n_points;                  /* points stored                     */
	double max_accuracy;            /* over its points                   */
	double min_smoothed_loss;
	lrs_range_point *points;        /* (n_points) in iteration order, or
	                                   NULL when not asked for           */
} lrs_range_test_row;

typedef struct {
	lrs_range_test_row *items;      /* by group (in the order the groups
	                                   were tested), then repeat         */
	size_t n;
} lrs_range_test_rows;

/* An experiment's range tests, each with its points when `with_points`. */
int lrs_store_range_tests_read(lrs_range_test_rows *out, lrs_store *st, int64_t experiment_id,
                               int with_points);

void lrs_range_test_rows_free(lrs_range_test_rows *rows);

/* A bound row as stored. */
typedef struct {
	char *rule;
	double min_lr, max_lr;
	double min_lr_spread, max_lr_spread;
	int chosen;
	char *note;
	char *group_key;                /* "" = the only group               */
} lrs_bound_read;

typedef struct {
	lrs_bound_read *items;          /* by group (as range tests), then the
	                                   chosen rule first, then by rule   */
	size_t n;
} lrs_bound_rows;

int lrs_store_bounds_read(lrs_bound_rows *out, lrs_store *st, int64_t experiment_id);

void lrs_bound_rows_free(lrs_bound_rows *rows);

/* ----------------------------------------------------------------- query */

/* The type of a value lrs_store_query hands over (SQLite's storage class). */
typedef enum { LRS_VAL_NULL, LRS_VAL_INT, LRS_VAL_REAL, LRS_VAL_TEXT } lrs_value_type;

/* Receives the result of lrs_store_query: first once with values == NULL
 * (the column names, even when there are no rows), then once per row.
 * values[i] is the column as text (reals as the shortest text that reads
 * back the same double), or NULL for SQL NULL; types[i] its type (NULL on
 * the first call). Returning nonzero stops the query, which then returns
 * that value. */
typedef int (*lrs_store_row_fn)(void *ctx, int ncols, const char *const *names,
                                const char *const *values, const lrs_value_type *types);

/* Runs one read-only SQL statement (a SELECT, a read-only PRAGMA, ...).
 * More than one statement, or one that would write, is LRS_EINVALID. */
int lrs_store_query(lrs_store *st, const char *sql, lrs_store_row_fn fn, void *ctx);

/* One value of lrs_store_query_values: its type, its text as
 * lrs_store_query gives it (NULL for NULL), and for a real its number. */
typedef struct {
	lrs_value_type type;
	const char *text;
	double real;                    /* LRS_VAL_REAL: the value; else NAN */
} lrs_value;

/* As lrs_store_row_fn, with typed values (NULL on the first call). */
typedef int (*lrs_store_value_fn)(void *ctx, int ncols, const char *const *names, const lrs_value *values);

/* lrs_store_query with typed values: the same rules and errors. */
int lrs_store_query_values(lrs_store *st, const char *sql, lrs_store_value_fn fn, void *ctx);

/* ------------------------------------------------------------- names */

const char *lrs_experiment_status_name(lrs_experiment_status s);
const char *lrs_trial_status_name(lrs_trial_status s);

/* Parses a status name; -1 when unknown. */
int lrs_trial_status_parse(const char *name);

#endif
