/* schema.c - opening the results database: checks that the file is ours,
 * the schema and its migrations, pragmas, and the statements prepared once.
 *
 * The schema version lives in PRAGMA user_version and the file is marked
 * with PRAGMA application_id ("LRSW"). migrations[k] takes a database from
 * version k to k+1, applied in one transaction each, so a file is always at
 * one version or the next, never between. Published migrations are never
 * edited: a change to the schema is a new entry at the end of the table and
 * a bump of LRS_STORE_SCHEMA_VERSION (docs/schema.md says what may change).
 *
 * Also here: the helpers every store file uses (error translation,
 * transactions, binding). Writes are in write.c, reads in read.c. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "lrsweep/error.h"
#include "lrsweep/outfile.h"
#include "internal.h"

#define BUSY_TIMEOUT_MS 5000    /* wait this long for another writer     */

/* ------------------------------------------------------------ migrations */

static const char *const migrations[LRS_STORE_SCHEMA_VERSION] = {
	/* 0 -> 1: the schema of SPEC §8 */
	"PRAGMA application_id = 1280463703;\n" /* LRS_STORE_APPLICATION_ID */
	"CREATE TABLE experiments (\n"
	"  id            INTEGER PRIMARY KEY,\n"
	"  name          TEXT NOT NULL,\n"
	"  config        TEXT NOT NULL,\n"
	"  config_sha256 TEXT NOT NULL,\n"
	"  status        TEXT NOT NULL DEFAULT 'running'\n"
	"                CHECK (status IN ('running','completed','interrupted','failed')),\n"
	"  created_at    TEXT NOT NULL,\n"
	"  finished_at   TEXT,\n"
	"  tool_version  TEXT NOT NULL,\n"
	"  host          TEXT,\n"
	"  train_samples INTEGER,\n"
	"  val_samples   INTEGER,\n"
	"  test_samples  INTEGER,\n"
	"  features      INTEGER,\n"
	"  classes       INTEGER\n"
	");\n"
	"CREATE INDEX experiments_by_name ON experiments (name, id);\n"
	"CREATE TABLE range_tests (\n"
	"  id            INTEGER PRIMARY KEY,\n"
	"  experiment_id INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,\n"
	"  repeat        INTEGER NOT NULL,\n"
	"  mode          TEXT NOT NULL CHECK (mode IN ('linear','exponential')),\n"
	"  start_lr      REAL NOT NULL,\n"
	"  end_lr        REAL NOT NULL,\n"
	"  iterations    INTEGER NOT NULL,\n"
	"  stopped_at    INTEGER,\n"
	"  seed          INTEGER NOT NULL,\n"
	"  wall_seconds  REAL\n"
	");\n"
	"CREATE INDEX range_tests_by_experiment ON range_tests (experiment_id, repeat);\n"
	"CREATE TABLE range_points (\n"
	"  range_test_id INTEGER NOT NULL REFERENCES range_tests (id) ON DELETE CASCADE,\n"
	"  iteration     INTEGER NOT NULL,\n"
	"  lr            REAL NOT NULL,\n"
	"  loss          REAL,\n"
	"  smoothed_loss REAL,\n"
	"  accuracy      REAL,\n"
	"  PRIMARY KEY (range_test_id, iteration)\n"
	");\n"
	"CREATE TABLE bounds (\n"
	"  experiment_id INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,\n"
	"  rule          TEXT NOT NULL,\n"
	"  min_lr        REAL,\n"
	"  max_lr        REAL,\n"
	"  min_lr_spread REAL,\n"
	"  max_lr_spread REAL,\n"
	"  chosen        INTEGER NOT NULL DEFAULT 0 CHECK (chosen IN (0, 1)),\n"
	"  PRIMARY KEY (experiment_id, rule)\n"
	");\n"
	"CREATE UNIQUE INDEX bounds_one_chosen ON bounds (experiment_id) WHERE chosen = 1;\n"
	"CREATE TABLE trials (\n"
	"  id                 INTEGER PRIMARY KEY,\n"
	"  experiment_id      INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,\n"
	"  trial_key          TEXT NOT NULL,\n"
	"  schedule           TEXT NOT NULL,\n"
	"  params             TEXT NOT NULL DEFAULT '{}',\n"
	"  hyper              TEXT NOT NULL DEFAULT '{}',\n"
	"  seed               INTEGER NOT NULL,\n"
	"  status             TEXT NOT NULL DEFAULT 'pending'\n"
	"                     CHECK (status IN ('pending','running','completed','pruned',\n"
	"                                       'diverged','failed','interrupted')),\n"
	"  epochs_done        INTEGER NOT NULL DEFAULT 0,\n"
	"  iterations         INTEGER NOT NULL DEFAULT 0,\n"
	"  best_val_accuracy  REAL,\n"
	"  best_epoch         INTEGER,\n"
	"  final_val_accuracy REAL,\n"
	"  final_val_loss     REAL,\n"
	"  final_train_loss   REAL,\n"
	"  test_accuracy      REAL,\n"
	"  diverged_at        INTEGER,\n"
	"  started_at         TEXT,\n"
	"  finished_at        TEXT,\n"
	"  wall_seconds       REAL,\n"
	"  worker             TEXT,\n"
	"  error              TEXT,\n"
	"  UNIQUE (experiment_id, trial_key)\n"
	");\n"
	"CREATE INDEX trials_by_status ON trials (experiment_id, status);\n"
	"CREATE TABLE epochs (\n"
	"  trial_id       INTEGER NOT NULL REFERENCES trials (id) ON DELETE CASCADE,\n"
	"  epoch          INTEGER NOT NULL,\n"
	"  iteration      INTEGER NOT NULL,\n"
	"  lr             REAL,\n"
	"  momentum       REAL,\n"
	"  train_loss     REAL,\n"
	"  train_accuracy REAL,\n"
	"  val_loss       REAL,\n"
	"  val_accuracy   REAL,\n"
	"  wall_seconds   REAL,\n"
	"  PRIMARY KEY (trial_id, epoch)\n"
	");\n"
	/* completed trials, best first within each experiment; ties go to the
	 * lower validation loss, then the earlier trial */
	"CREATE VIEW leaderboard AS\n"
	"SELECT t.experiment_id, e.name AS experiment,\n"
	"       row_number() OVER (PARTITION BY t.experiment_id\n"
	"                          ORDER BY t.best_val_accuracy DESC,\n"
	"                                   t.final_val_loss ASC, t.id ASC) AS rank,\n"
	"       t.id AS trial_id, t.trial_key, t.schedule, t.params, t.hyper, t.seed,\n"
	"       t.best_val_accuracy, t.best_epoch, t.final_val_accuracy,\n"
	"       t.final_val_loss, t.test_accuracy, t.epochs_done, t.wall_seconds\n"
	"FROM trials t JOIN experiments e ON e.id = t.experiment_id\n"
	"WHERE t.status = 'completed'\n"
	"ORDER BY t.experiment_id, rank;\n"
	/* per configuration: n, mean and sample std (n - 1) over seeds of the
	 * completed trials. The variance is a two-pass sum; SQLite has no
	 * sqrt() everywhere, so its root is 100 Newton steps from
	 * max(var, 1), enough for any variance down to 1e-40. */
	"CREATE VIEW schedule_summary AS\n"
	"WITH RECURSIVE\n"
	"done AS (\n"
	"  SELECT experiment_id, schedule, params, hyper,\n"
	"         best_val_accuracy AS v, test_accuracy AS t\n"
	"  FROM trials WHERE status = 'completed'),\n"
	"g AS (\n"
	"  SELECT experiment_id, schedule, params, hyper, count(*) AS n,\n"
	"         count(v) AS n_v, avg(v) AS mean_v, count(t) AS n_t, avg(t) AS mean_t\n"
	"  FROM done GROUP BY experiment_id, schedule, params, hyper),\n"
	"var AS (\n"
	"  SELECT g.experiment_id, g.schedule, g.params, g.hyper, g.n, g.mean_v, g.mean_t,\n"
	"         CASE WHEN g.n_v > 1 THEN sum((d.v - g.mean_v) * (d.v - g.mean_v))\n"
	"                                  / (g.n_v - 1) END AS var_v,\n"
	"         CASE WHEN g.n_t > 1 THEN sum((d.t - g.mean_t) * (d.t - g.mean_t))\n"
	"                                  / (g.n_t - 1) END AS var_t\n"
	"  FROM g JOIN done d ON d.experiment_id = g.experiment_id\n"
	"    AND d.schedule = g.schedule AND d.params = g.params AND d.hyper = g.hyper\n"
	"  GROUP BY g.experiment_id, g.schedule, g.params, g.hyper),\n"
	"root (experiment_id, schedule, params, hyper, n, mean_v, var_v, s_v,\n"
	"      mean_t, var_t, s_t, i) AS (\n"
	"  SELECT experiment_id, schedule, params, hyper, n, mean_v, var_v,\n"
	"         CASE WHEN var_v > 0 THEN max(var_v, 1.0) ELSE var_v END,\n"
	"         mean_t, var_t,\n"
	"         CASE WHEN var_t > 0 THEN max(var_t, 1.0) ELSE var_t END, 0\n"
	"  FROM var\n"
	"  UNION ALL\n"
	"  SELECT experiment_id, schedule, params, hyper, n, mean_v, var_v,\n"
	"         CASE WHEN var_v > 0 THEN (s_v + var_v / s_v) / 2 ELSE s_v END,\n"
	"         mean_t, var_t,\n"
	"         CASE WHEN var_t > 0 THEN (s_t + var_t / s_t) / 2 ELSE s_t END, i + 1\n"
	"  FROM root WHERE i < 100)\n"
	"SELECT experiment_id, schedule, params, hyper, n,\n"
	"       mean_v AS mean_best_val_accuracy, s_v AS std_best_val_accuracy,\n"
	"       mean_t AS mean_test_accuracy, s_t AS std_test_accuracy\n"
	"FROM root WHERE i = 100\n"
	"ORDER BY experiment_id, mean_best_val_accuracy DESC;\n",
	/* 1 -> 2: which command made an experiment, so that `run --resume`
	 * continues the latest sweep, not a `train` run or a range test that
	 * came after it; what version 1 stored counts as run */
	"ALTER TABLE experiments ADD COLUMN command TEXT NOT NULL DEFAULT 'run'\n"
	"  CHECK (command IN ('run','range-test','train'));\n"
	"DROP INDEX experiments_by_name;\n"
	"CREATE INDEX experiments_by_name ON experiments (name, command, id);\n",
	/* 2 -> 3: the rule's own words with its bounds - why it picked
	 * nothing, or the caveat it printed - so they outlive the terminal */
	"ALTER TABLE bounds ADD COLUMN note TEXT;\n",
	/* 3 -> 4: one range test per group of trials that differ in what sets
	 * the rate's scale (optimizer, batch size, model): each test and its
	 * bounds say their group, each trial the group whose bounds it got.
	 * '' is the one group of a run that tests once (all of version 3). */
	"ALTER TABLE range_tests ADD COLUMN group_key TEXT NOT NULL DEFAULT '';\n"
	"DROP INDEX range_tests_by_experiment;\n"
	"CREATE INDEX range_tests_by_experiment ON range_tests (experiment_id, group_key, repeat);\n"
	"CREATE TABLE bounds_v4 (\n"
	"  experiment_id INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,\n"
	"  rule          TEXT NOT NULL,\n"
	"  min_lr        REAL,\n"
	"  max_lr        REAL,\n"
	"  min_lr_spread REAL,\n"
	"  max_lr_spread REAL,\n"
	"  chosen        INTEGER NOT NULL DEFAULT 0 CHECK (chosen IN (0, 1)),\n"
	"  note          TEXT,\n"
	"  group_key     TEXT NOT NULL DEFAULT '',\n"
	"  PRIMARY KEY (experiment_id, group_key, rule)\n"
	");\n"
	"INSERT INTO bounds_v4 (experiment_id, rule, min_lr, max_lr, min_lr_spread, max_lr_spread, chosen, note)\n"
	"  SELECT experiment_id, rule, min_lr, max_lr, min_lr_spread, max_lr_spread, chosen, note FROM bounds;\n"
	"DROP TABLE bounds;\n"
	"ALTER TABLE bounds_v4 RENAME TO bounds;\n"
	"CREATE UNIQUE INDEX bounds_one_chosen ON bounds (experiment_id, group_key) WHERE chosen = 1;\n"
	"ALTER TABLE trials ADD COLUMN bounds_group TEXT;\n"
	/* an external trainer's log file of the trial (SPEC 12) */
	"ALTER TABLE trials ADD COLUMN log TEXT;\n",
	/* 4 -> 5: the probe that set a linear test's range when none was
	 * given - its length in updates and its answer in its own words, the
	 * same on every repeat of the test; NULL when no probe ran (a range
	 * given, an exponential test, or every test of version 4) */
	"ALTER TABLE range_tests ADD COLUMN probe_iterations INTEGER;\n"
	"ALTER TABLE range_tests ADD COLUMN probe_note TEXT;\n",
	/* 5 -> 6: a digest of the data an experiment loaded, so that --resume
	 * refuses to mix trials of other data under an unchanged file; NULL
	 * for an external trainer's data and every experiment of version 5 */
	"ALTER TABLE experiments ADD COLUMN data_sha256 TEXT;\n",
};

/* --------------------------------------------------------- the statements */

static const char *const stmt_sql[SQ_COUNT] = {
	[SQ_BEGIN] = "BEGIN IMMEDIATE",
	[SQ_COMMIT] = "COMMIT",
	[SQ_ROLLBACK] = "ROLLBACK",
	[SQ_EXP_LATEST] =
		"SELECT id, status, config_sha256, created_at, data_sha256 FROM experiments"
		" WHERE name = ?1 AND command = 'run' ORDER BY id DESC LIMIT 1",
	[SQ_TRIAL_LIST] =
		"SELECT id, trial_key, status, seed FROM trials"
		" WHERE experiment_id = ?1 ORDER BY id",
	[SQ_EXP_INSERT] =
		"INSERT INTO experiments (name, config, config_sha256, status,"
		" created_at, tool_version, host, train_samples, val_samples,"
		" test_samples, features, classes, command, data_sha256)"
		" VALUES (?1, ?2, ?3, 'running', " STORE_NOW ", ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[SQ_EXP_FINISH] =
		"UPDATE experiments SET status = ?2, finished_at = " STORE_NOW
		" WHERE id = ?1",
	[SQ_RT_INSERT] =
		"INSERT INTO range_tests (experiment_id, repeat, mode, start_lr, end_lr,"
		" iterations, stopped_at, seed, wall_seconds, group_key, probe_iterations, probe_note)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[SQ_RP_INSERT] =
		"INSERT INTO range_points (range_test_id, iteration, lr, loss,"
		" smoothed_loss, accuracy) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[SQ_RT_CLEAR] = "DELETE FROM range_tests WHERE experiment_id = ?1 AND (?2 IS NULL OR group_key = ?2)",
	[SQ_BOUNDS_CLEAR] = "DELETE FROM bounds WHERE experiment_id = ?1 AND (?2 IS NULL OR group_key = ?2)",
	[SQ_BOUND_INSERT] =
		"INSERT INTO bounds (experiment_id, rule, min_lr, max_lr,"
		" min_lr_spread, max_lr_spread, chosen, note, group_key)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[SQ_TRIAL_INSERT] =
		"INSERT INTO trials (experiment_id, trial_key, schedule, params, hyper,"
		" seed, bounds_group, log) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[SQ_TRIAL_START] =
		"UPDATE trials SET status = 'running', started_at = " STORE_NOW ","
		" worker = ?2, finished_at = NULL, epochs_done = 0, iterations = 0,"
		" best_val_accuracy = NULL, best_epoch = NULL, final_val_accuracy = NULL,"
		" final_val_loss = NULL, final_train_loss = NULL, test_accuracy = NULL,"
		" diverged_at = NULL, wall_seconds = NULL, error = NULL"
		" WHERE id = ?1",
	[SQ_EPOCHS_CLEAR] = "DELETE FROM epochs WHERE trial_id = ?1",
	[SQ_TRIAL_FINISH] =
		"UPDATE trials SET status = ?2, epochs_done = ?3, iterations = ?4,"
		" best_val_accuracy = ?5, best_epoch = ?6, final_val_accuracy = ?7,"
		" final_val_loss = ?8, final_train_loss = ?9, test_accuracy = ?10,"
		" diverged_at = ?11, wall_seconds = ?12, error = ?13,"
		" finished_at = " STORE_NOW " WHERE id = ?1",
	[SQ_EPOCH_INSERT] =
		"INSERT INTO epochs (trial_id, epoch, iteration, lr, momentum,"
		" train_loss, train_accuracy, val_loss, val_accuracy, wall_seconds)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
};

/* --------------------------------------------------------------- helpers */

/* SQLite does not always keep the errno of a failed write (a write cut
 * short by a file-size limit is EFBIG, then SIGXFSZ if not ignored). Says
 * whether the file or its -wal has reached RLIMIT_FSIZE, or the file
 * system has next to no room left; 1 with the reason in buf. */
static int full_disk(const lrs_store *st, char *buf, size_t cap)
{
	struct rlimit lim;
	struct statvfs vfs;
	struct stat sb;
	char side[4096];
	off_t largest = 0;

	if (stat(st->path, &sb) == 0)
		largest = sb.st_size;
	snprintf(side, sizeof side, "%s-wal", st->path);
	if (stat(side, &sb) == 0 && sb.st_size > largest)
		largest = sb.st_size;
	/* within a few pages of the limit: the next write would cross it */
	if (getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY &&
	    (unsigned long long)largest + 65536 >= (unsigned long long)lim.rlim_cur) {
		snprintf(buf, cap, "the file-size limit, ulimit -f, of %llu KiB is reached",
		         (unsigned long long)lim.rlim_cur / 1024);
		return 1;
	}
	if (statvfs(st->path, &vfs) == 0 &&
	    (unsigned long long)vfs.f_bavail * vfs.f_frsize < 1024 * 1024) {
		snprintf(buf, cap, "%llu KiB left on the file system",
		         (unsigned long long)vfs.f_bavail * vfs.f_frsize / 1024);
		return 1;
	}
	return 0;
}

/* SQLite's message made fit for one line: it may quote a damaged file's
 * bytes (a corrupt schema's text), which are neither printable nor one
 * line; those become '?', and the whole is cut at 200 characters. */
static const char *printable(char *out, size_t cap, const char *msg)
{
	size_t k = 0;

	for (; *msg && k + 4 < cap && k < 200; msg++)
		out[k++] = (unsigned char)*msg >= 0x20 && (unsigned char)*msg < 0x7f ? *msg : '?';
	if (*msg)
		out[k++] = '.', out[k++] = '.', out[k++] = '.';
	out[k] = '\0';
	return out;
}

int store_fail(lrs_store *st, int rc, const char *what)
{
	char clean[256];
	const char *why = printable(clean, sizeof clean, st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
	int sys = st->db ? sqlite3_system_errno(st->db) : 0;   /* the OS's errno */
	char full[160];                 /* why the disk counts as full       */

	switch (rc & 0xff) {
	case SQLITE_BUSY:
		return lrs_error_set(LRS_ERROR, "%s: %s: database is locked (another process kept it"
		                     " locked for more than %d s)", st->path, what, BUSY_TIMEOUT_MS / 1000);
	case SQLITE_LOCKED:
		return lrs_error_set(LRS_ERROR, "%s: %s: database is locked", st->path, what);
	case SQLITE_FULL:
		return lrs_error_set(LRS_ERROR, "%s: %s: disk full", st->path, what);
	case SQLITE_IOERR:
		/* a full disk often shows as a failed write, not SQLITE_FULL: a
		 * file-size limit (EFBIG), a quota, a -shm file that cannot grow */
		if (sys == ENOSPC || sys == EFBIG || sys == EDQUOT)
			return lrs_error_set(LRS_ERROR, "%s: %s: disk full (%s)", st->path, what, strerror(sys));
		if (full_disk(st, full, sizeof full))
			return lrs_error_set(LRS_ERROR, "%s: %s: disk full (%s)", st->path, what, full);
		if (sys != 0)
			return lrs_error_set(LRS_ERROR, "%s: %s: %s (%s)", st->path, what, why, strerror(sys));
		return lrs_error_set(LRS_ERROR, "%s: %s: %s", st->path, what, why);
	case SQLITE_NOMEM:
		return lrs_error_set(LRS_ENOMEM, "%s: %s: out of memory", st->path, what);
	case SQLITE_NOTADB:
		return lrs_error_set(LRS_EINVALID, "%s: not an SQLite database (%s)",
		                     st->path, why);
	case SQLITE_CORRUPT:
		return lrs_error_set(LRS_EINVALID, "%s: %s: the database file is corrupt (%s); lrsweep"
		                     " leaves it as it is: restore a copy, or salvage what is left with"
		                     " sqlite3's .recover", st->path, what, why);
	case SQLITE_READONLY:
		return lrs_error_set(LRS_ERROR, "%s: %s: the database cannot be written (%s%s%s)",
		                     st->path, what, why, sys ? ": " : "", sys ? strerror(sys) : "");
	case SQLITE_CANTOPEN:
		return lrs_error_set(LRS_ERROR, "%s: %s: cannot open the database or its -wal/-shm"
		                     " files (%s)", st->path, what, sys ? strerror(sys) : why);
	case SQLITE_CONSTRAINT:
		return lrs_error_set(LRS_EINVALID, "%s: %s: %s", st->path, what, why);
	default:
		return lrs_error_set(LRS_ERROR, "%s: %s: %s", st->path, what, why);
	}
}

int store_writable(lrs_store *st, const char *what)
{
	if (!st->readonly)
		return 0;
	return lrs_error_set(LRS_EINVALID, "%s: cannot %s: the database is open read-only",
	                     st->path, what);
}

int store_exec_stmt(lrs_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	rc = rc == SQLITE_DONE ? 0 : store_fail(st, rc, what);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

int store_begin(lrs_store *st, const char *what)
{
	return store_exec_stmt(st, st->stmt[SQ_BEGIN], what);
}

int store_commit(lrs_store *st, const char *what)
{
	return store_exec_stmt(st, st->stmt[SQ_COMMIT], what);
}

void store_rollback(lrs_store *st)
{
	if (sqlite3_get_autocommit(st->db))
		return;                 /* nothing open, or SQLite rolled back */
	sqlite3_step(st->stmt[SQ_ROLLBACK]);
	sqlite3_reset(st->stmt[SQ_ROLLBACK]);
}

void store_bind_int(int *rc, sqlite3_stmt *s, int i, sqlite3_int64 v)
{
	if (*rc == SQLITE_OK)
		*rc = sqlite3_bind_int64(s, i, v);
}

void store_bind_int_or_null(int *rc, sqlite3_stmt *s, int i, sqlite3_int64 v, int is_null)
{
	if (*rc == SQLITE_OK)
		*rc = is_null ? sqlite3_bind_null(s, i) : sqlite3_bind_int64(s, i, v);
}

void store_bind_double(int *rc, sqlite3_stmt *s, int i, double v)
{
	if (*rc == SQLITE_OK)
		*rc = isnan(v) ? sqlite3_bind_null(s, i) : sqlite3_bind_double(s, i, v);
}

void store_bind_text(int *rc, sqlite3_stmt *s, int i, const char *v)
{
	if (*rc == SQLITE_OK)
		*rc = v ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
}

/* ------------------------------------------------------------- open/close */

/* The code for a database path whose directory cannot be written, by
 * access()'s errno: the path is the user's input (LRS_EINVALID) when the
 * directory is not theirs to write, a runtime failure otherwise (a
 * read-only file system is a storage fault). */
static int unwritable(int e)
{
	return e == EACCES || e == EPERM ? LRS_EINVALID : LRS_ERROR;
}

/* Checks what the file system says before SQLite does, for messages that
 * name the real problem: a missing file or directory, a directory, a
 * FIFO or a device. */
static int check_path(const char *path, int flags)
{
	struct stat sb;
	char *dir = NULL;               /* copy of path cut at its last '/'  */
	char *slash;
	int rc = 0;

	if (stat(path, &sb) == 0) {
		if (S_ISDIR(sb.st_mode))
			return lrs_error_set(LRS_EINVALID, "%s: is a directory, not a database", path);
		/* SQLite would wait forever to open a FIFO nobody writes, or
		 * fail on it with "disk I/O error" */
		if (!S_ISREG(sb.st_mode))
			return lrs_error_set(LRS_EINVALID, "%s: not a regular file, so not a database", path);
		return 0;
	}
	if (errno == ENOTDIR || errno == ENAMETOOLONG)   /* a/b.db where a is a file */
		return lrs_error_set(LRS_EINVALID, "%s: not a database path (%s)", path, strerror(errno));
	if (errno != ENOENT)
		return lrs_error_set(LRS_ERROR, "%s: %s", path, strerror(errno));
	if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))
		/* a link to nothing: creating the database would create its
		 * target, wherever a link planted in a shared directory points */
		return lrs_error_set(LRS_EINVALID, "%s: a symbolic link to a missing file; lrsweep does not"
		                     " create a database through a link", path);
	if (!(flags & LRS_STORE_CREATE))
		return lrs_error_set(LRS_EINVALID, "%s: no such database file", path);
	if ((dir = strdup(path)) == NULL)
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory", path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		goto cwd;               /* the current directory */
	slash[slash == dir] = '\0';     /* keep "/" itself */
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		rc = lrs_error_set(LRS_EINVALID, "%s: directory %s does not exist", path, dir);
	else if (access(dir, W_OK) != 0)   /* the user's path: bad input, unless the disk failed */
		rc = lrs_error_set(unwritable(errno), "%s: cannot create the database in %s (%s)", path, dir,
		                   strerror(errno));
	goto out;
cwd:
	if (access(".", W_OK) != 0)
		rc = lrs_error_set(unwritable(errno), "%s: cannot create the database in the current"
		                   " directory (%s)", path, strerror(errno));
out:
	free(dir);
	return rc;
}

/* Runs a one-row, one-integer query (a PRAGMA, a count) into *out. */
static int query_int(lrs_store *st, const char *sql, sqlite3_int64 *out)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	if (rc != SQLITE_OK)
		goto fail;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		goto fail;
	*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
fail:
	rc = store_fail(st, rc, "reading the schema");
	sqlite3_finalize(s);
	return rc;
}

/* Decides whether the file is an lrsweep database this build can use and
 * sets *version to its schema version (0: empty, to be created). */
static int inspect(lrs_store *st, int *version)
{
	sqlite3_int64 objects, experiments, user_version, app_id;
	int rc;

	if ((rc = query_int(st, "SELECT count(*) FROM sqlite_master", &objects)) < 0 ||
	    (rc = query_int(st, "SELECT count(*) FROM sqlite_master"
	                        " WHERE type = 'table' AND name = 'experiments'", &experiments)) < 0 ||
	    (rc = query_int(st, "PRAGMA user_version", &user_version)) < 0 ||
	    (rc = query_int(st, "PRAGMA application_id", &app_id)) < 0)
		return rc;
	if (app_id != 0 && app_id != LRS_STORE_APPLICATION_ID)
		return lrs_error_set(LRS_EINVALID, "%s: not an lrsweep database"
		                     " (application_id %lld)", st->path, (long long)app_id);
	if (objects == 0 && user_version == 0) {
		if (st->readonly)
			/* also what a reader sees in the instant a run creates the
			 * file, before its first transaction commits the schema */
			return lrs_error_set(LRS_EINVALID, "%s: holds no lrsweep data yet (an empty database)",
			                     st->path);
		*version = 0;
		return 0;
	}
	if (experiments == 0 || user_version == 0)
		return lrs_error_set(LRS_EINVALID, "%s: not an lrsweep database (%s)", st->path,
		                     experiments == 0 ? "no experiments table" : "no schema version");
	if (user_version > LRS_STORE_SCHEMA_VERSION)
		return lrs_error_set(LRS_EINVALID, "%s: schema version %lld is newer than this"
		                     " lrsweep (%d)", st->path, (long long)user_version,
		                     LRS_STORE_SCHEMA_VERSION);
	*version = (int)user_version;
	return 0;
}

/* Applies migrations[version..] one transaction each. Another process may
 * migrate at the same time: the version is read again under the lock. */
static int migrate(lrs_store *st, int version)
{
	char *errmsg = NULL;            /* sqlite3_exec's message            */
	char bump[64];                  /* PRAGMA user_version = k + 1       */
	sqlite3_int64 now;              /* version seen inside the transaction */
	int rc = 0;

	for (int k = version; k < LRS_STORE_SCHEMA_VERSION; k++) {
		if ((rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK) {
			rc = store_fail(st, rc, "upgrading the schema");
			goto done;
		}
		if ((rc = query_int(st, "PRAGMA user_version", &now)) < 0)
			goto done;
		if (now > k) {          /* someone else did it */
			k = (int)now - 1;
		} else {
			snprintf(bump, sizeof bump, "PRAGMA user_version = %d", k + 1);
			if ((rc = sqlite3_exec(st->db, migrations[k], NULL, NULL, &errmsg)) != SQLITE_OK ||
			    (rc = sqlite3_exec(st->db, bump, NULL, NULL, &errmsg)) != SQLITE_OK) {
				rc = lrs_error_set(LRS_ERROR, "%s: upgrading the schema to version %d: %s",
				                   st->path, k + 1, errmsg ? errmsg : sqlite3_errstr(rc));
				goto done;
			}
		}
		if ((rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK) {
			rc = store_fail(st, rc, "upgrading the schema");
			goto done;
		}
	}
	rc = 0;
done:
	sqlite3_free(errmsg);
	if (rc < 0 && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* Before anything writes: a file that fails SQLite's integrity_check
 * (pages overwritten, a b-tree broken, an index that no longer matches its
 * table) is refused whole, never written to, so a run cannot spread the
 * damage nor hide it. quick_check would be cheaper but misses index/table
 * mismatches, and a write through a wrong index damages the file further.
 * Measured on bench/bench_query.sh's file (10,000 trials, 300,000 epoch
 * rows, 26 MB): 0.17 s of CPU against quick_check's 0.07 s, once per
 * writing command. Read-only opens skip it (a damaged page a query
 * touches is reported then, as SQLITE_CORRUPT). */
static int check_integrity(lrs_store *st)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "PRAGMA integrity_check(1)", -1, &s, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *res = (const char *)sqlite3_column_text(s, 0);

		if (res == NULL || strcmp(res, "ok") != 0) {
			char line[256];         /* the first problem, on one line   */
			size_t k = 0;

			/* "*** in database main ***\nPage 4: ..." */
			if (res && strncmp(res, "*** in database main ***\n", 25) == 0)
				res += 25;
			for (; res && *res && k + 1 < sizeof line; res++)
				line[k++] = *res == '\n' ? ' ' : *res;
			line[k] = '\0';
			rc = lrs_error_set(LRS_EINVALID, "%s: the database file is corrupt (integrity_check: %s);"
			                   " lrsweep leaves it as it is: restore a copy, or salvage what is"
			                   " left with sqlite3's .recover", st->path, k ? line : "no answer");
			sqlite3_finalize(s);
			return rc;
		}
		rc = SQLITE_OK;
	}
	rc = rc == SQLITE_OK ? 0 : store_fail(st, rc, "checking the file");
	sqlite3_finalize(s);
	return rc;
}

/* Whether this user may create files in the directory of `path`. */
static int dir_writable(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int ok;

	if (!slash)
		return access(".", W_OK | X_OK) == 0;
	if ((dir = strndup(path, slash == path ? 1 : (size_t)(slash - path))) == NULL)
		return 1;   /* (unknown: as before) */
	ok = access(dir, W_OK | X_OK) == 0;
	free(dir);
	return ok;
}

/* Whether `path` followed by `suffix` exists; with `empty_too` 0, an
 * empty file counts as absent. */
static int side_exists(const char *path, const char *suffix, int empty_too)
{
	size_t len = strlen(path) + strlen(suffix) + 1;
	char *side = malloc(len);
	struct stat sb;
	int there;

	if (side == NULL)
		return 1;   /* (unknown: as if there) */
	snprintf(side, len, "%s%s", path, suffix);
	there = lstat(side, &sb) == 0 && (empty_too || sb.st_size > 0);
	free(side);
	return there;
}

/* A WAL database cannot be read the usual way where SQLite cannot create
 * its -shm file beside it: on a read-only file system, or in a directory
 * this user may not write (another user's results, a directory of mode
 * 755). When no -shm file is there and no -wal file or an empty one
 * (every commit is in the main file, and no writer is at work on it: a
 * writer would have made them), the file is opened as immutable instead.
 * 1 when that applies, with the URI in *uri (free()). */
static int readonly_medium(const char *path, char **uri)
{
	struct statvfs vfs;
	size_t len = strlen(path), k = 0;
	char *u;

	*uri = NULL;
	if (side_exists(path, "-wal", 0) || side_exists(path, "-shm", 1))
		return 0;
	if (!(statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) && dir_writable(path))
		return 0;
	/* file:PATH?immutable=1, with %, ? and # escaped */
	if ((u = malloc(3 * len + 32)) == NULL)
		return 0;
	k = (size_t)sprintf(u, "file:");
	for (const char *c = path; *c; c++)
		k += (size_t)(*c == '%' || *c == '?' || *c == '#' ? sprintf(u + k, "%%%02X", (unsigned char)*c)
		                                                  : sprintf(u + k, "%c", *c));
	sprintf(u + k, "?immutable=1");
	*uri = u;
	return 1;
}

/* Runs a PRAGMA (or any statement) whose result rows do not matter. */
static int pragma(lrs_store *st, const char *sql)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(st, rc, sql);
}

static int prepare_all(lrs_store *st)
{
	for (int i = 0; i < SQ_COUNT; i++) {
		int rc;

		if (st->readonly && i >= SQ_FIRST_WRITE)
			break;
		rc = sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		                        &st->stmt[i], NULL);
		if (rc != SQLITE_OK)
			return store_fail(st, rc, "preparing statements");
	}
	return 0;
}

#define STORE_IN_PLACE (1 << 30)   /* private flag: create at `path` itself */
#define CLOSE_WAIT_MS 1000         /* how long a closing store waits for readers
                                      to fold the WAL in; if they outlast it,
                                      the WAL simply stays beside the file */

/* Creates the file beside `path` that create_whole fills: a name no one
 * can guess in advance, `path`.new-XXXXXXXXXXXX (48 random bits), made
 * here exclusively and never through a link (O_CREAT | O_EXCL |
 * O_NOFOLLOW), so that a link planted in a shared directory cannot send
 * the schema, and then the database, to a file of its choosing. The file
 * is left empty, open in *fd (for create_whole to check that the name
 * still names it). */
static int create_beside(char *tmp, size_t cap, const char *path, int *fd)
{
	for (int tries = 0; tries < 100; tries++) {
		unsigned char r[6];             /* the random part of the name  */
		struct timespec now;

		if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
			/* no entropy yet (early boot): the clock and pid, mixed */
			uint64_t x;

			clock_gettime(CLOCK_REALTIME, &now);
			x = ((uint64_t)now.tv_nsec << 20) ^ (uint64_t)now.tv_sec ^ ((uint64_t)getpid() << 40) ^
			    (uint64_t)tries * 0x9e3779b97f4a7c15u;
			x ^= x >> 31;
			x *= 0xbf58476d1ce4e5b9u;
			x ^= x >> 27;
			memcpy(r, &x, sizeof r);
		}
		snprintf(tmp, cap, "%s.new-%02x%02x%02x%02x%02x%02x", path, r[0], r[1], r[2], r[3], r[4], r[5]);
		*fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (*fd >= 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	return lrs_error_set(LRS_ERROR, "%s: cannot create the database beside it (%s)", path, strerror(errno));
}

/* Calls fn on the file beside a new database, its WAL and its index. */
static void side_files(const char *tmp, void (*fn)(const char *name))
{
	for (int k = 0; k < 3; k++) {
		char name[4200];
		snprintf(name, sizeof name, "%s%s", tmp, (const char *const[]){ "", "-wal", "-shm" }[k]);
		fn(name);
	}
}

static void remove_side_file(const char *name)
{
	unlink(name);
	lrs_outfile_untrack(name);
}

/* An error of making the file beside `path` (a disk full, a file-size
 * limit) names that file, whose name the user never gave: it is said of
 * `path` instead. */
static void name_the_database(int rc, const char *tmp, const char *path)
{
	const char *m = lrs_error_last();
	size_t n = strlen(tmp);
	char why[1024];                 /* the message after the name        */

	if (strncmp(m, tmp, n) != 0)
		return;
	snprintf(why, sizeof why, "%s", m + n);
	lrs_error_set(rc, "%s%s", path, why);
}

/* Creates a new database so that it appears whole: the schema is written
 * to a file beside `path` (create_beside: an unguessable name, created
 * exclusively, opened by SQLite without following links) and folded out
 * of its WAL, and the file is then linked into place. A reader (`sqlite3
 * DB 'select count(*) from trials'` as a run starts) sees either no file
 * or a complete one, never an empty file without tables. A crash on the
 * way leaves at most the file beside, never a half-made `path`. If another
 * process created `path` meanwhile, its file wins - unless what appeared
 * there is a link, which is refused (check_path says why). */
static int create_whole(const char *path)
{
	char tmp[4096];
	lrs_store *st = NULL;
	struct stat mine, now;          /* the file made, what tmp names now */
	int rc, fd;

	if ((rc = create_beside(tmp, sizeof tmp, path, &fd)) < 0)
		return rc;
	side_files(tmp, lrs_outfile_track);   /* removed if a signal ends the process */
	if ((rc = lrs_store_open(&st, tmp, LRS_STORE_CREATE | STORE_IN_PLACE)) == 0) {
		lrs_store_free(st);   /* checkpoints: the file alone holds the schema */
		if (fstat(fd, &mine) != 0 || lstat(tmp, &now) != 0 || mine.st_dev != now.st_dev ||
		    mine.st_ino != now.st_ino)
			rc = lrs_error_set(LRS_ERROR, "%s: cannot create: the file beside it, %s, was replaced"
			                   " while it was being made", path, tmp);
		else if (link(tmp, path) != 0 && errno != EEXIST)
			rc = lrs_error_set(LRS_ERROR, "%s: cannot create (%s)", path, strerror(errno));
		else if (lstat(path, &now) == 0 && S_ISLNK(now.st_mode))
			rc = lrs_error_set(LRS_EINVALID, "%s: a symbolic link appeared there while the database"
			                   " was being made; lrsweep does not write through it", path);
	} else {
		name_the_database(rc, tmp, path);
	}
	close(fd);
	side_files(tmp, remove_side_file);
	return rc;
}

/* A read-only open found an older schema: closes it, upgrades the file by
 * a writing open (which migrates), and opens it read-only again. If the
 * file cannot be written, the error is the read-only one, with why. */
static int upgrade_then_open(lrs_store **out, lrs_store *ro, const char *path, int flags, int version)
{
	lrs_store *w = NULL;
	int rc;

	lrs_store_free(ro);
	if (lrs_store_open(&w, path, 0) < 0) {
		char why[512];

		snprintf(why, sizeof why, "%s", lrs_error_last());
		return lrs_error_set(LRS_EINVALID, "%s: schema version %d is older than this lrsweep (%d)"
		                     " and cannot be upgraded: %s", path, version, LRS_STORE_SCHEMA_VERSION, why);
	}
	lrs_store_free(w);
	if ((rc = lrs_store_open(out, path, flags & ~LRS_STORE_UPGRADE)) == 0)
		(*out)->upgraded_from = version;
	return rc;
}

int lrs_store_open(lrs_store **out, const char *path, int flags)
{
	lrs_store *st = NULL;
	int oflags;                     /* sqlite3_open_v2 flags             */
	char *uri = NULL;               /* immutable URI on read-only media  */
	int version = 0;                /* schema version found              */
	int rc;

	assert(out != NULL && path != NULL);
	assert(!((flags & LRS_STORE_READONLY) && (flags & LRS_STORE_CREATE)));
	*out = NULL;
	if ((rc = check_path(path, flags)) < 0)
		return rc;
	if ((flags & LRS_STORE_CREATE) && !(flags & STORE_IN_PLACE) && access(path, F_OK) != 0 &&
	    (rc = create_whole(path)) < 0)
		return rc;
	if ((st = calloc(1, sizeof *st)) != NULL)
		st->lock_fd = -1;       /* no lock file open (lock.c)        */
	if (st == NULL || (st->path = strdup(path)) == NULL) {
		rc = lrs_error_set(LRS_ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	st->readonly = (flags & LRS_STORE_READONLY) != 0;
	oflags = st->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (flags & LRS_STORE_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	if (flags & STORE_IN_PLACE)
		oflags |= SQLITE_OPEN_NOFOLLOW;   /* create_beside's file, never a link */
	if (st->readonly && readonly_medium(path, &uri))
		rc = sqlite3_open_v2(uri, &st->db, oflags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL);
	else
		rc = sqlite3_open_v2(path, &st->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	free(uri);
	if (rc != SQLITE_OK) {
		int sys = st->db ? sqlite3_system_errno(st->db) : 0;

		rc = lrs_error_set(st->db ? LRS_ERROR : LRS_ENOMEM, "%s: cannot open: %s%s%s", path,
		                   st->db ? sqlite3_errmsg(st->db) : "out of memory",
		                   sys ? ": " : "", sys ? strerror(sys) : "");
		goto fail;
	}
	if (!st->readonly && sqlite3_db_readonly(st->db, "main") == 1) {
		/* say why: a read-only file system, an immutable file (chattr
		 * +i), or the permissions */
		rc = lrs_error_set(LRS_ERROR, "%s: cannot open for writing (%s)", path,
		                   access(path, W_OK) != 0 ? strerror(errno) : "no write permission");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	if ((rc = inspect(st, &version)) < 0) {
		if (st->readonly && rc == LRS_ERROR && !dir_writable(path))
			/* a -wal with commits, or a -shm this user cannot use */
			rc = lrs_error_set(LRS_ERROR, "%s: cannot be read in place: SQLite needs its -wal/-shm files"
			                   " beside it, and you may not write in its directory; query a copy (the"
			                   " database with its -wal file) in a directory of your own", path);
		goto fail;
	}
	if (st->readonly && version > 0 && version < LRS_STORE_SCHEMA_VERSION) {
		if (flags & LRS_STORE_UPGRADE)
			return upgrade_then_open(out, st, path, flags, version);
		rc = lrs_error_set(LRS_EINVALID, "%s: schema version %d is older than this lrsweep (%d);"
		                   " open it once for writing to upgrade it", path, version,
		                   LRS_STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (!st->readonly && version > 0 && (rc = check_integrity(st)) < 0)
		goto fail;
	if (st->readonly) {
		if ((rc = pragma(st, "PRAGMA query_only = 1")) < 0)
			goto fail;
	} else if ((rc = pragma(st, "PRAGMA journal_mode = WAL")) < 0 ||
	           /* WAL's usual setting: a commit waits for no fsync, so storing
	            * a trial costs next to nothing; a crashed process loses no
	            * commit, a power cut at most the last ones, and the file is
	            * consistent either way */
	           (rc = pragma(st, "PRAGMA synchronous = NORMAL")) < 0 ||
	           (rc = migrate(st, version)) < 0) {
		goto fail;
	}
	if ((rc = pragma(st, "PRAGMA foreign_keys = ON")) < 0 || (rc = prepare_all(st)) < 0)
		goto fail;
	*out = st;
	return 0;
fail:
	lrs_store_free(st);
	return rc;
}

void lrs_store_free(lrs_store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < SQ_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	if (st->db && !st->readonly) {
		/* Fold the WAL into the file now, waiting for readers rather than
		 * locking them out, and close without SQLite's own checkpoint,
		 * which takes the file exclusively for an instant: a reader in a
		 * loop (sqlite3 DB 'select ...') would fail with "database is
		 * locked" just as a run ends. The file alone then holds
		 * everything; the empty -wal and the -shm stay beside it. */
		sqlite3_busy_timeout(st->db, CLOSE_WAIT_MS);   /* not the full wait of a write */
		sqlite3_exec(st->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
		sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
	}
	sqlite3_close(st->db);
	if (st->lock_fd >= 0)
		close(st->lock_fd);     /* the claims end with it (lock.c)   */
	free(st->path);
	free(st);
}

int lrs_store_upgraded_from(const lrs_store *st)
{
	return st->upgraded_from;
}

const char *lrs_store_path(const lrs_store *st)
{
	return st->path;
}

int lrs_store_schema_version(int *out, lrs_store *st)
{
	sqlite3_int64 v;
	int rc = query_int(st, "PRAGMA user_version", &v);

	if (rc == 0)
		*out = (int)v;
	return rc;
}

/* ----------------------------------------------------------------- names */

static const char *const exp_status[] = { "running", "completed", "interrupted", "failed" };
static const char *const trial_status[] = {
	"pending", "running", "completed", "pruned", "diverged", "failed", "interrupted"
};

const char *lrs_experiment_status_name(lrs_experiment_status s)
{
	return (unsigned)s < sizeof exp_status / sizeof *exp_status ? exp_status[s] : "?";
}

const char *lrs_trial_status_name(lrs_trial_status s)
{
	return (unsigned)s < sizeof trial_status / sizeof *trial_status ? trial_status[s] : "?";
}

int lrs_trial_status_parse(const char *name)
{
	for (size_t i = 0; i < sizeof trial_status / sizeof *trial_status; i++)
		if (strcmp(name, trial_status[i]) == 0)
			return (int)i;
	return -1;
}

int store_experiment_status_parse(const char *name)
{
	for (size_t i = 0; i < sizeof exp_status / sizeof *exp_status; i++)
		if (strcmp(name, exp_status[i]) == 0)
			return (int)i;
	return -1;
}
