/* test_store.c - the results database: schema, every write and read round
 * trip, the views' numbers, atomic trial results, refused files and
 * writes, and SHA-256 against the NIST vectors.
 *
 * Each test gets a fresh directory under /tmp (mkdtemp) that the fixture
 * removes. The test never includes sqlite3.h: it reads through
 * lrs_store_query, and crafts foreign or future files by writing bytes. */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lrsweep/error.h"
#include "lrsweep/sha256.h"
#include "lrsweep/store.h"
#include "suites.h"

/* --------------------------------------------------------------- fixture */

static char tmpdir[64];         /* this test's directory                  */
static char dbpath[128];        /* tmpdir/results.db                      */

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/lrs_store_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof dbpath, "%s/results.db", tmpdir);
}

static void remove_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	char path[512];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(tmpdir);
}

/* ------------------------------------------------------------ helpers */

/* A query's whole result, cells as strings (NULL for SQL NULL). */
typedef struct {
	int ncols;
	int nrows;
	int header_calls;
	char *names[32];
	char **cells;           /* (nrows, ncols) */
	lrs_value_type first_types[32]; /* the first row's types */
} rows;

static int collect(void *ctx, int ncols, const char *const *names, const char *const *values,
                   const lrs_value_type *types)
{
	rows *r = ctx;

	if (values == NULL) {
		ck_assert_ptr_null(types);
		r->header_calls++;
		r->ncols = ncols;
		for (int i = 0; i < ncols && i < 32; i++)
			r->names[i] = strdup(names[i]);
		return 0;
	}
	for (int i = 0; r->nrows == 0 && i < ncols && i < 32; i++)
		r->first_types[i] = types[i];
	r->cells = realloc(r->cells, (size_t)(r->nrows + 1) * (size_t)ncols * sizeof *r->cells);
	for (int i = 0; i < ncols; i++)
		r->cells[r->nrows * ncols + i] = values[i] ? strdup(values[i]) : NULL;
	r->nrows++;
	return 0;
}

static void rows_free(rows *r)
{
	for (int i = 0; i < r->nrows * r->ncols; i++)
		free(r->cells[i]);
	for (int i = 0; i < r->ncols && i < 32; i++)
		free(r->names[i]);
	free(r->cells);
	memset(r, 0, sizeof *r);
}

/* Runs `sql`, which must succeed, into r (zeroed first). */
static void run(rows *r, lrs_store *st, const char *sql)
{
	int rc;

	memset(r, 0, sizeof *r);
	rc = lrs_store_query(st, sql, collect, r);
	ck_assert_msg(rc == 0, "%s: %s", sql, lrs_error_last());
	ck_assert_int_eq(r->header_calls, 1);
}

static const char *cell(const rows *r, int row, int col)
{
	ck_assert_int_lt(row, r->nrows);
	ck_assert_int_lt(col, r->ncols);
	return r->cells[row * r->ncols + col];
}

/* The single value of a one-row, one-column query, copied into buf; "NULL"
 * for SQL NULL (tests never store that text). */
static const char *one(lrs_store *st, const char *sql, char *buf, size_t size)
{
	rows r;

	run(&r, st, sql);
	ck_assert_msg(r.nrows == 1 && r.ncols >= 1, "%s: %d rows", sql, r.nrows);
	snprintf(buf, size, "%s", cell(&r, 0, 0) ? cell(&r, 0, 0) : "NULL");
	rows_free(&r);
	return buf;
}

static long long one_int(lrs_store *st, const char *sql)
{
	char buf[64];

	return strtoll(one(st, sql, buf, sizeof buf), NULL, 10);
}

static int is_null(lrs_store *st, const char *sql)
{
	char buf[64];

	return strcmp(one(st, sql, buf, sizeof buf), "NULL") == 0;
}

static lrs_store *open_ok(const char *path, int flags)
{
	lrs_store *st = NULL;
	int rc = lrs_store_open(&st, path, flags);

	ck_assert_msg(rc == 0, "open %s: %s", path, lrs_error_last());
	ck_assert_ptr_nonnull(st);
	return st;
}

static void assert_error(int rc, int code, const char *part)
{
	ck_assert_int_eq(rc, code);
	ck_assert_msg(strstr(lrs_error_last(), part) != NULL,
	              "message '%s' lacks '%s'", lrs_error_last(), part);
}

static lrs_experiment_info sample_info(const char *name)
{
	lrs_experiment_info info = {
		.name = name, .config = "name: demo\nseed: 1\n", .tool_version = "9.9.9",
		.host = "testhost", .train_samples = 900, .val_samples = 100,
		.test_samples = -1, .features = 2, .classes = 3
	};
	return info;
}

static int64_t new_experiment(lrs_store *st, const char *name)
{
	lrs_experiment_info info = sample_info(name);
	int64_t id = 0;

	ck_assert_msg(lrs_store_experiment_begin(&id, st, &info) == 0, "%s", lrs_error_last());
	ck_assert_int_gt(id, 0);
	return id;
}

/* Adds one pending trial and returns its id. */
static int64_t new_trial(lrs_store *st, int64_t exp, const char *key, const char *schedule,
                         const char *params, uint64_t seed)
{
	lrs_trial_plan p = { key, schedule, params, NULL, seed, NULL, NULL };
	int64_t id = 0;

	ck_assert_msg(lrs_store_trials_add(&id, st, exp, &p, 1) == 0, "%s", lrs_error_last());
	return id;
}

static lrs_trial_result result_of(lrs_trial_status status, double best, double test)
{
	lrs_trial_result r = {
		.status = status, .epochs_done = 2, .iterations = 20,
		.best_val_accuracy = best, .best_epoch = 2, .final_val_accuracy = best,
		.final_val_loss = 0.5, .final_train_loss = 0.4, .test_accuracy = test,
		.diverged_at = -1, .wall_seconds = 1.5, .error = NULL
	};
	return r;
}

static void finish_trial(lrs_store *st, int64_t id, lrs_trial_status status,
                         double best, double test)
{
	lrs_trial_result r = result_of(status, best, test);

	ck_assert_msg(lrs_store_trial_start(st, id, "w0") == 0, "%s", lrs_error_last());
	ck_assert_msg(lrs_store_trial_finish(st, id, &r, NULL, 0) == 0, "%s", lrs_error_last());
}

/* Overwrites `len` bytes of a file at `offset`. */
static void patch_file(const char *path, long offset, const void *bytes, size_t len)
{
	FILE *f = fopen(path, "r+b");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, offset, SEEK_SET), 0);
	ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static int read_byte(const char *path, long offset)
{
	FILE *f = fopen(path, "rb");
	int c;

	ck_assert_ptr_nonnull(f);
	fseek(f, offset, SEEK_SET);
	c = fgetc(f);
	fclose(f);
	return c;
}

/* ---------------------------------------------------------------- sha256 */

START_TEST(sha256_nist_vectors)
{
	static const struct { const char *msg, *hex; } v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
		  "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	char hex[LRS_SHA256_HEX_SIZE];

	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		lrs_sha256_ctx ctx;
		uint8_t d[LRS_SHA256_SIZE];
		uint8_t whole[LRS_SHA256_SIZE];

		lrs_sha256_hex(hex, v[i].msg, strlen(v[i].msg));
		ck_assert_str_eq(hex, v[i].hex);
		/* byte by byte gives the same digest */
		lrs_sha256_init(&ctx);
		for (size_t j = 0; v[i].msg[j]; j++)
			lrs_sha256_update(&ctx, v[i].msg + j, 1);
		lrs_sha256_final(&ctx, d);
		lrs_sha256(whole, v[i].msg, strlen(v[i].msg));
		ck_assert_mem_eq(d, whole, sizeof d);
	}
}
END_TEST

START_TEST(sha256_million_a)
{
	static char block[1000];
	lrs_sha256_ctx ctx;
	uint8_t d[LRS_SHA256_SIZE];
	static const uint8_t want[LRS_SHA256_SIZE] = {
		0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7,
		0xe2, 0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97,
		0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0
	};

	memset(block, 'a', sizeof block);
	lrs_sha256_init(&ctx);
	for (int i = 0; i < 1000; i++)
		lrs_sha256_update(&ctx, block, sizeof block);
	lrs_sha256_final(&ctx, d);
	ck_assert_mem_eq(d, want, sizeof d);
}
END_TEST

/* ------------------------------------------------------------- open */

START_TEST(create_and_reopen)
{
	lrs_store *st = open_ok(dbpath, LRS_STORE_CREATE);
	char buf[64];
	int version = 0;
	rows r;

	ck_assert_str_eq(lrs_store_path(st), dbpath);
	ck_assert_int_eq(lrs_store_schema_version(&version, st), 0);
	ck_assert_int_eq(version, LRS_STORE_SCHEMA_VERSION);
	ck_assert_str_eq(one(st, "PRAGMA journal_mode", buf, sizeof buf), "wal");
	ck_assert_int_eq(one_int(st, "PRAGMA foreign_keys"), 1);
	ck_assert_int_eq(one_int(st, "PRAGMA application_id"), LRS_STORE_APPLICATION_ID);
	run(&r, st, "SELECT type, name FROM sqlite_master WHERE type IN ('table','view')"
	            " ORDER BY name");
	ck_assert_int_eq(r.nrows, 8);
	{
		static const char *const want[] = {
			"bounds", "epochs", "experiments", "leaderboard", "range_points",
			"range_tests", "schedule_summary", "trials"
		};
		for (int i = 0; i < 8; i++)
			ck_assert_str_eq(cell(&r, i, 1), want[i]);
	}
	rows_free(&r);
	new_experiment(st, "kept");
	lrs_store_free(st);

	/* read-write again, then read-only: same version, data still there */
	st = open_ok(dbpath, 0);
	ck_assert_int_eq(lrs_store_schema_version(&version, st), 0);
	ck_assert_int_eq(version, LRS_STORE_SCHEMA_VERSION);
	ck_assert_int_eq(one_int(st, "PRAGMA foreign_keys"), 1);
	lrs_store_free(st);
	st = open_ok(dbpath, LRS_STORE_READONLY);
	ck_assert_str_eq(one(st, "PRAGMA journal_mode", buf, sizeof buf), "wal");
	ck_assert_int_eq(one_int(st, "PRAGMA query_only"), 1);
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM experiments WHERE name = 'kept'"), 1);
	lrs_store_free(st);
	lrs_store_free(NULL);
}
END_TEST

START_TEST(empty_file_is_initialised)
{
	FILE *f;
	lrs_store *st = NULL;

	f = fopen(dbpath, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	assert_error(lrs_store_open(&st, dbpath, LRS_STORE_READONLY), LRS_EINVALID, "empty");
	ck_assert_ptr_null(st);
	st = open_ok(dbpath, 0);
	ck_assert_int_eq(one_int(st, "PRAGMA user_version"), LRS_STORE_SCHEMA_VERSION);
	lrs_store_free(st);
}
END_TEST

START_TEST(missing_paths_refused)
{
	lrs_store *st = (lrs_store *)1;
	char path[256];

	assert_error(lrs_store_open(&st, dbpath, LRS_STORE_READONLY), LRS_EINVALID, dbpath);
	ck_assert_ptr_null(st);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "no such database file"));
	assert_error(lrs_store_open(&st, dbpath, 0), LRS_EINVALID, "no such database file");
	snprintf(path, sizeof path, "%s/nodir/x.db", tmpdir);
	assert_error(lrs_store_open(&st, path, LRS_STORE_CREATE), LRS_EINVALID,
	             "does not exist");
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), path));
	assert_error(lrs_store_open(&st, tmpdir, LRS_STORE_CREATE), LRS_EINVALID,
	             "is a directory");
	ck_assert_int_ne(access(dbpath, F_OK), 0);     /* nothing was created */
}
END_TEST

START_TEST(newer_schema_refused)
{
	static const unsigned char v99[4] = { 0, 0, 0, 99 }; /* big-endian */
	lrs_store *st = open_ok(dbpath, LRS_STORE_CREATE);
	char want[256];

	lrs_store_free(st);
	st = NULL;
	patch_file(dbpath, 60, v99, sizeof v99);         /* user_version */
	snprintf(want, sizeof want, "%s: schema version 99 is newer than this lrsweep (%d)",
	         dbpath, LRS_STORE_SCHEMA_VERSION);
	ck_assert_int_eq(lrs_store_open(&st, dbpath, 0), LRS_EINVALID);
	ck_assert_str_eq(lrs_error_last(), want);
	ck_assert_ptr_null(st);
	ck_assert_int_eq(lrs_store_open(&st, dbpath, LRS_STORE_READONLY), LRS_EINVALID);
	ck_assert_str_eq(lrs_error_last(), want);
}
END_TEST

/* A 1024-byte SQLite file (page size 512) made by the sqlite3 shell with
 * `CREATE TABLE notes (x)`, as the runs of its non-zero bytes. */
static void write_foreign_db(const char *path)
{
	static const struct { int offset, len; const char *bytes; } runs[] = {
		{    0, 24, "SQLite format 3\0\x02\x00\x01\x01\x00\x40\x20\x20" },
		{   27,  1, "\x01" },
		{   31,  1, "\x02" },
		{   43,  1, "\x01" },
		{   47,  1, "\x04" },
		{   59,  1, "\x01" },
		{   95,  6, "\x01\x00\x2e\x63\x01\x0d" },
		{  104,  6, "\x01\x01\xd2\x00\x01\xd2" },
		{  466, 47, "\x2c\x01\x06\x17\x17\x17\x01\x39" "tablenotesnotes\x02"
		            "CREATE TABLE notes (x)\x0d" },
		{  517,  1, "\x02" },
	};
	unsigned char page[1024] = { 0 };
	FILE *f;

	for (size_t i = 0; i < sizeof runs / sizeof *runs; i++)
		memcpy(page + runs[i].offset, runs[i].bytes, (size_t)runs[i].len);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(page, 1, sizeof page, f), sizeof page);
	fclose(f);
}

START_TEST(foreign_sqlite_refused)
{
	static const unsigned char other_app[4] = { 0x12, 0x34, 0x56, 0x78 };
	lrs_store *st = NULL;

	write_foreign_db(dbpath);
	assert_error(lrs_store_open(&st, dbpath, LRS_STORE_CREATE), LRS_EINVALID,
	             "not an lrsweep database");
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), dbpath));
	ck_assert_ptr_null(st);
	assert_error(lrs_store_open(&st, dbpath, LRS_STORE_READONLY), LRS_EINVALID,
	             "no experiments table");
	ck_assert_int_eq(read_byte(dbpath, 18), 1);      /* left in rollback mode */

	/* an lrsweep-shaped file marked by another application */
	remove(dbpath);
	st = open_ok(dbpath, LRS_STORE_CREATE);
	lrs_store_free(st);
	st = NULL;
	patch_file(dbpath, 68, other_app, sizeof other_app); /* application_id */
	assert_error(lrs_store_open(&st, dbpath, 0), LRS_EINVALID, "not an lrsweep database");
}
END_TEST

START_TEST(non_sqlite_refused)
{
	lrs_store *st = NULL;
	FILE *f = fopen(dbpath, "w");

	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 64; i++)
		fputs("name: not a database, just some YAML text\n", f);
	fclose(f);
	assert_error(lrs_store_open(&st, dbpath, 0), LRS_EINVALID, "not an SQLite database");
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), dbpath));
	ck_assert_ptr_null(st);
	assert_error(lrs_store_open(&st, dbpath, LRS_STORE_READONLY), LRS_EINVALID,
	             "not an SQLite database");
}
END_TEST

/* The whole file, for comparing before and after; free() it. */
static unsigned char *slurp(const char *path, long *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)*len + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)*len, f), (size_t)*len);
	fclose(f);
	return buf;
}

/* A damaged page (the trials table's header overwritten with an
 * impossible page type): opening for writing is refused before anything
 * is written, the file is left byte for byte; a read-only store opens and
 * a query that reads the page fails with a one-line message naming the
 * file, never a crash. */
START_TEST(corrupt_file_refused)
{
	static const unsigned char ff[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	lrs_store *st = open_ok(dbpath, LRS_STORE_CREATE);
	int64_t exp = new_experiment(st, "corrupt");
	char buf[64];
	long page, root, len_before, len_after;
	unsigned char *before, *after;
	rows r;

	finish_trial(st, new_trial(st, exp, "k1", "constant", NULL, 1), LRS_TRIAL_COMPLETED, 0.5, 0.5);
	finish_trial(st, new_trial(st, exp, "k2", "constant", NULL, 2), LRS_TRIAL_COMPLETED, 0.6, 0.6);
	page = atol(one(st, "PRAGMA page_size", buf, sizeof buf));
	root = atol(one(st, "SELECT rootpage FROM sqlite_master WHERE name = 'trials'", buf, sizeof buf));
	lrs_store_free(st);
	st = NULL;
	ck_assert_int_gt(root, 1);
	patch_file(dbpath, (root - 1) * page, ff, sizeof ff);
	before = slurp(dbpath, &len_before);

	assert_error(lrs_store_open(&st, dbpath, 0), LRS_EINVALID, "the database file is corrupt");
	ck_assert_ptr_null(st);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), dbpath));
	ck_assert_ptr_null(strchr(lrs_error_last(), '\n'));
	assert_error(lrs_store_open(&st, dbpath, LRS_STORE_CREATE), LRS_EINVALID, "corrupt");

	st = open_ok(dbpath, LRS_STORE_READONLY);
	memset(&r, 0, sizeof r);
	assert_error(lrs_store_query(st, "SELECT * FROM trials", collect, &r), LRS_EINVALID,
	             "the database file is corrupt");
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), dbpath));
	ck_assert_ptr_null(strchr(lrs_error_last(), '\n'));
	rows_free(&r);
	lrs_store_free(st);

	after = slurp(dbpath, &len_after);
	ck_assert_int_eq(len_after, len_before);
	ck_assert_int_eq(memcmp(before, after, (size_t)len_before), 0);
	free(before);
	free(after);
}
END_TEST

/* ----------------------------------------------------------- round trips */

START_TEST(experiment_round_trip)
{
	lrs_store *st = open_ok(dbpath, LRS_STORE_CREATE);
	lrs_experiment_info info = sample_info("demo");
	lrs_experiment_record rec;
	char sha[LRS_SHA256_HEX_SIZE];
	char buf[128];
	int64_t first, second;
	rows r;

	first = new_experiment(st, "demo");
	second = new_experiment(st, "demo");
	new_experiment(st, "other");
	ck_assert_int_gt(second, first);
	lrs_sha256_hex(sha, info.config, strlen(info.config));
	run(&r, st, "SELECT name, config, config_sha256, status, created_at, finished_at,"
	            " tool_version, host, train_samples, val_samples, test_samples,"
	            " features, classes FROM experiments ORDER BY id LIMIT 1");
	ck_assert_str_eq(cell(&r, 0, 0), "demo");
	ck_assert_str_eq(cell(&r, 0, 1), info.config);
	ck_assert_str_eq(cell(&r, 0, 2), sha);
	ck_assert_str_eq(cell(&r, 0, 3), "running");
	ck_assert_int_eq(strlen(cell(&r, 0, 4)), 24);   /* 2024-01-02T03:04:05.678Z */
	ck_assert_int_eq(cell(&r, 0, 4)[10], 'T');
	ck_assert_int_eq(cell(&r, 0, 4)[23], 'Z');
	ck_assert_ptr_null(cell(&r, 0, 5));
	ck_assert_str_eq(cell(&r, 0, 6), "9.9.9");
	ck_assert_str_eq(cell(&r, 0, 7), "testhost");
	ck_assert_str_eq(cell(&r, 0, 8), "900");
	ck_assert_str_eq(cell(&r, 0, 9), "100");
	ck_assert_ptr_null(cell(&r, 0, 10));            /* -1: unknown */
	ck_assert_str_eq(cell(&r, 0, 11), "2");
	ck_assert_str_eq(cell(&r, 0, 12), "3");
	rows_free(&r);

	ck_assert_int_eq(lrs_store_experiment_latest(&rec, st, "demo"), 0);
	ck_assert_int_eq(rec.id, second);
	ck_assert_int_eq(rec.status, LRS_EXP_RUNNING);
	ck_assert_str_eq(rec.config_sha256, sha);
	ck_assert_int_eq(strlen(rec.created_at), 24);
	ck_assert_str_eq(rec.data_sha256, "");          /* none given: NULL, read as "" */
	ck_assert(is_null(st, "SELECT data_sha256 FROM experiments ORDER BY id DESC LIMIT 1"));
	assert_error(lrs_store_experiment_latest(&rec, st, "nope"), LRS_ENOTFOUND, "nope");

	ck_assert_int_eq(lrs_store_experiment_finish(st, second, LRS_EXP_INTERRUPTED), 0);
	ck_assert_int_eq(lrs_store_experiment_latest(&rec, st, "demo"), 0);
	ck_assert_int_eq(rec.status, LRS_EXP_INTERRUPTED);
	snprintf(buf, sizeof buf, "SELECT finished_at IS NOT NULL FROM experiments"
	         " WHERE id = %lld", (long long)second);
	ck_assert_int_eq(one_int(st, buf), 1);
	assert_error(lrs_store_experiment_finish(st, 999, LRS_EXP_COMPLETED), LRS_ENOTFOUND,
	             "999");
	assert_error(lrs_store_experiment_finish(st, first, LRS_EXP_RUNNING), LRS_EINVALID,
	             "not final");

	/* NULL host and version: the store fills them in */
	info.host = NULL;
	info.tool_version = NULL;
	ck_assert_int_eq(lrs_store_experiment_begin(&first, st, &info), 0);
	snprintf(buf, sizeof buf, "SELECT host IS NOT NULL AND tool_version <> ''"
	         " FROM experiments WHERE id = %lld", (long long)first);
	ck_assert_int_eq(one_int(st, buf), 1);
	lrs_store_free(st);
}
END_TEST

/* One live writer per experiment: a run's experiment is claimed as it is
 * begun, a second store (here in the same process: the claim is an open
 * file description lock) is refused naming the holder's pid, and the claim
 * ends with the store that held it. */
START_TEST(one_writer_per_experiment)
{
	lrs_store *a = open_ok(dbpath, LRS_STORE_CREATE);
	lrs_store *b = open_ok(dbpath, 0);
	lrs_experiment_info train = sample_info("demo");
	char holder[64], lock[160];
	int64_t mine, theirs, tr;
	struct stat sb;

	snprintf(holder, sizeof holder, "being written by another lrsweep process (pid %ld)", (long)getpid());
	mine = new_experiment(a, "demo");
	assert_error(lrs_store_experiment_claim(b, mine), LRS_ERROR, holder);
	theirs = new_experiment(b, "demo");
	assert_error(lrs_store_experiment_claim(a, theirs), LRS_ERROR, holder);
	ck_assert_int_eq(lrs_store_experiment_claim(a, mine), 0);   /* its own: again */
	/* train and range-test experiments are nobody's to resume: unclaimed */
	train.command = "train";
	ck_assert_int_eq(lrs_store_experiment_begin(&tr, a, &train), 0);
	ck_assert_msg(lrs_store_experiment_claim(b, tr) == 0, "%s", lrs_error_last());
	lrs_store_free(a);
	ck_assert_msg(lrs_store_experiment_claim(b, mine) == 0, "%s", lrs_error_last());
	lrs_store_free(b);
	snprintf(lock, sizeof lock, "%s-lock", dbpath);
	ck_assert_int_eq(stat(lock, &sb), 0);
	ck_assert_int_eq(sb.st_size, 0);   /* locks only, never written */
}
END_TEST

START_TEST(range_test_round_trip)
{
	lrs_store *st = open_ok(dbpath, LRS_STORE_CREATE);
	int64_t exp = new_experiment(st, "rt");
	lrs_range_test_info info = {
		.repeat = 0, .mode = "exponential", .start_lr = 1e-4, .end_lr = 1.0,
		.iterations = 100, .stopped_at = -1, .seed = 7, .wall_seconds = 2.25
	};
	lrs_range_point pts[3] = {
		{ 0, 1e-4, 2.3, 2.3, NAN },
		{ 1, 0.1, 2.1, 2.2, 0.5 },
		{ 2, 1.0, NAN, NAN, NAN },
	};
	int64_t id = 0, id2 = 0;
	rows r;

	ck_assert_int_eq(lrs_store_range_test_add(&id, st, exp, &info, pts, 3), 0);
	info.repeat = 1;
	info.mode = "linear";
	info.stopped_at = 42;
	info.seed = UINT64_MAX;                         /* stored as -1, read back */
	ck_assert_int_eq(lrs_store_range_test_add(&id2, st, exp, &info, pts, 2), 0);
	ck_assert_int_ne(id, id2);

	run(&r, st, "SELECT repeat, mode, start_lr, end_lr, iterations, stopped_at, seed,"
	            " wall_seconds, experiment_id FROM range_tests ORDER BY id");
	ck_assert_int_eq(r.nrows, 2);
	ck_assert_str_eq(cell(&r, 0, 0), "0");
	ck_assert_str_eq(cell(&r, 0, 1), "exponential");
	ck_assert_str_eq(cell(&r, 0, 2), "0.0001");
	ck_assert_str_eq(cell(&r, 0, 3), "1");
	ck_assert_str_eq(cell(&r, 0, 4), "100");
	ck_assert_ptr_null(cell(&r, 0, 5));
	ck_assert_str_eq(cell(&r, 0, 6), "7");
	ck_assert_str_eq(cell(&r, 0, 7), "2.25");
	ck_assert_int_eq(strtoll(cell(&r, 0, 8), NULL, 10), exp);
	ck_assert_str_eq(cell(&r, 1, 5), "42");
	ck_assert_uint_eq((uint64_t)strtoll(cell(&r, 1, 6), NULL, 10), UINT64_MAX);
	rows_free(&r);

	run(&r, st, "SELECT iteration, lr, loss, smoothed_loss, accuracy FROM range_points"
	            " WHERE range_test_id = (SELECT min(id) FROM range_tests) ORDER BY iteration");
	ck_assert_int_eq(r.nrows, 3);
	ck_assert_str_eq(cell(&r, 1, 1), "0.1");        /* shortest round trip */
	ck_assert_str_eq(cell(&r, 1, 2), "2.1");
	ck_assert_str_eq(cell(&r, 1, 4), "0.5");
	ck_assert_ptr_null(cell(&r, 0, 4));             /* between evaluations */
	ck_assert_ptr_null(cell(&r, 2, 2));
	ck_assert_ptr_null(cell(&r, 2, 3));
	rows_free(&r);
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM range_points"), 5);

	/* a duplicate iteration fails the whole call: no range test, no point */
	pts[1].iteration = 0;
	assert_error(lrs_store_range_test_add(&id, st, exp, &info, pts, 3), LRS_EINVALID,
	             "UNIQUE");
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM range_tests"), 2);
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM range_points"), 5);
	lrs_store_free(st);
}
END_TEST

/* A probed test's repeats carry the probe's length and note; a test with
 * no probe (probe_iterations 0) stores NULL for both, whatever the note. */
START_TEST(range_test_probe_round_trip)
{
	lrs_store *st = open_ok(dbpath, LRS_STORE_CREATE);
	int64_t exp = new_experiment(st, "probe");
	lrs_range_test_info info = {
		.repeat = 0, .mode = "linear", .start_lr = 0.00152, .end_lr = 0.152, .iterations = 300,
		.stopped_at = -1, .seed = 3, .wall_seconds = 1, .probe_iterations = 1000,
		.probe_note = "the probe's accuracy peaks there (0.91 at lr 0.152)"
	};
	lrs_range_point pt = { 0, 0.00152, 2.3, 2.3, 0.1 };
	lrs_range_test_rows rt;
	rows r;

	ck_assert_int_eq(lrs_store_range_test_add(NULL, st, exp, &info, &pt, 1), 0);
	info.repeat = 1;
	ck_assert_int_eq(lrs_store_range_test_add(NULL, st, exp, &info, &pt, 1), 0);
	info.repeat = 0;
	info.group_key = "batch_size=64";
	info.probe_iterations = 0;                      /* a range given */
	ck_assert_int_eq(lrs_store_range_test_add(NULL, st, exp, &info, &pt, 1), 0);

	run(&r, st, "SELECT probe_iterations, probe_note FROM range_tests ORDER BY id");
	ck_assert_int_eq(r.nrows, 3);
	for (int i = 0; i < 2; i++) {
		ck_assert_str_eq(cell(&r, i, 0), "1000");
		ck_assert_str_eq(cell(&r, i, 1), "the probe's accuracy peaks there (0.91 at lr 0.152)");
	}
	ck_assert_ptr_null(cell(&r, 2, 0));
	ck_assert_ptr_null(cell(&r, 2, 1));
	rows_free(&r);

	ck_assert_int_eq(lrs_store_range_tests_read(&rt, st, exp, 0), 0);
	ck_assert_uint_eq(rt.n, 3);
	ck_assert_int_eq(rt.items[0].probe_iterations, 1000);
	ck_assert_str_eq(rt.items[1].probe_note, "the probe's accuracy peaks there (0.91 at lr 0.152)");
	ck_assert_str_eq(rt.items[2].group_key, "batch_size=64");
	ck_assert_int_eq(rt.items[2].probe_iterations, -1);
	ck_assert_ptr_null(rt.items[2].probe_note);
	lrs_range_test_rows_free(&rt);
	lrs_store_free(st);
}
END_TEST

START_TEST(bounds_round_trip)
{
	lrs_store *st = open_ok(dbpath, LRS_STORE_CREATE);
	int64_t exp = new_experiment(st, "b");
	lrs_bound_row rows_in[2] = {
		{ "accuracy", 0.01, 0.2, 0.001, 0.02, 1, "a caveat", NULL },
		{ "loss-min10", 0.005, 0.05, NAN, NAN, 0, "", NULL },
	};
	lrs_bound_row dup = { "loss-steepest", 0.1, 0.3, NAN, NAN, 1, NULL, NULL };
	lrs_bound_row more[2] = {
		{ "loss-valley", 0.1, 0.3, NAN, NAN, 0, NULL, NULL },
		{ "accuracy", 0.1, 0.3, NAN, NAN, 0, NULL, NULL },
	};
	rows r;

	ck_assert_int_eq(lrs_store_bounds_add(st, exp, rows_in, 2), 0);
	run(&r, st, "SELECT rule, min_lr, max_lr, min_lr_spread, max_lr_spread, chosen, note"
	            " FROM bounds ORDER BY rule");
	ck_assert_int_eq(r.nrows, 2);
	ck_assert_str_eq(cell(&r, 0, 0), "accuracy");
	ck_assert_str_eq(cell(&r, 0, 1), "0.01");
	ck_assert_str_eq(cell(&r, 0, 2), "0.2");
	ck_assert_str_eq(cell(&r, 0, 3), "0.001");
	ck_assert_str_eq(cell(&r, 0, 4), "0.02");
	ck_assert_str_eq(cell(&r, 0, 5), "1");
	ck_assert_ptr_null(cell(&r, 1, 3));
	ck_assert_ptr_null(cell(&r, 1, 4));
	ck_assert_str_eq(cell(&r, 1, 5), "0");
	ck_assert_str_eq(cell(&r, 0, 6), "a caveat");
	ck_assert_ptr_null(cell(&r, 1, 6));                /* "" is no note */
	rows_free(&r);

	/* a second chosen rule, or a rule twice: refused, nothing of the call kept */
	assert_error(lrs_store_bounds_add(st, exp, &dup, 1), LRS_EINVALID, "UNIQUE");
	assert_error(lrs_store_bounds_add(st, exp, more, 2), LRS_EINVALID, "UNIQUE");
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM bounds"), 2);

	/* another group of the same experiment has its own rules and its own
	 * chosen one; the first group's rows are untouched */
	dup.group_key = "optimizer.type=adam";
	more[0].group_key = more[1].group_key = "optimizer.type=adam";
	ck_assert_int_eq(lrs_store_bounds_add(st, exp, more, 2), 0);
	ck_assert_int_eq(lrs_store_bounds_add(st, exp, &dup, 1), 0);
	assert_error(lrs_store_bounds_add(st, exp, &dup, 1), LRS_EINVALID, "UNIQUE");
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM bounds WHERE group_key = 'optimizer.type=adam'"), 3);
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM bounds WHERE group_key = '' AND chosen = 1"), 1);
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM bounds"), 5);
	ck_assert_int_eq(lrs_store_range_tests_clear(st, exp, NULL), 0);
	ck_assert_int_eq(lrs_store_bounds_add(st, exp, rows_in, 2), 0);

	/* clearing a cut-short test: its tests, points and bounds go, another
	 * experiment's stay */
	int64_t other = new_experiment(st, "other");
	lrs_range_test_info info = { 0, "linear", 1e-4, 1.0, 10, -1, 1, 0.5, NULL, 0, NULL };
	lrs_range_point pt = { 0, 1e-4, 2.3, 2.3, NAN };
	ck_assert_int_eq(lrs_store_range_test_add(NULL, st, exp, &info, &pt, 1), 0);
	ck_assert_int_eq(lrs_store_range_test_add(NULL, st, other, &info, &pt, 1), 0);
	ck_assert_int_eq(lrs_store_bounds_add(st, other, rows_in, 1), 0);
	ck_assert_int_eq(lrs_store_range_tests_clear(st, exp, NULL), 0);
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM bounds"), 1);
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM range_tests"), 1);
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM range_points"), 1);
	lrs_store_free(st);
}
END_TEST

START_TEST(trials_round_trip)
{
	lrs_store *st = open_ok(dbpath, LRS_STORE_CREATE);
	int64_t exp = new_experiment(st, "t");
	lrs_trial_plan plans[3] = {
		{ "k1", "constant", "{\"lr\":0.1}", "{\"batch_size\":128}", 1, NULL, NULL },
		{ "k2", "constant", "{\"lr\":0.1}", "{\"batch_size\":128}", 2, NULL, "logs/k2.log" },
		{ "k3", "one_cycle", NULL, NULL, 1, NULL, NULL },
	};
	lrs_trial_plan again[2] = {
		{ "k4", "constant", NULL, NULL, 3, NULL, NULL },
		{ "k1", "constant", NULL, NULL, 4, NULL, NULL },
	};
	lrs_epoch_row ep[2] = {
		{ 1, 10, 0.1, NAN, 1.2, 0.6, 1.1, 0.62, 0.75 },
		{ 2, 20, 0.05, 0.9, 0.8, 0.7, 0.9, 0.71, 0.5 },
	};
	lrs_trial_result res = result_of(LRS_TRIAL_COMPLETED, 0.71, NAN);
	lrs_trial_list list;
	int64_t ids[3] = { 0 };
	char sql[256];
	rows r;

	ck_assert_int_eq(lrs_store_trials_add(ids, st, exp, plans, 3), 0);
	ck_assert_int_lt(ids[0], ids[1]);
	ck_assert_int_lt(ids[1], ids[2]);
	assert_error(lrs_store_trials_add(NULL, st, exp, again, 2), LRS_EINVALID, "UNIQUE");
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM trials"), 3);   /* no k4 */

	ck_assert_int_eq(lrs_store_trial_list(&list, st, exp), 0);
	ck_assert_uint_eq(list.n, 3);
	ck_assert_str_eq(list.items[0].trial_key, "k1");
	ck_assert_str_eq(list.items[2].trial_key, "k3");
	ck_assert_int_eq(list.items[1].id, ids[1]);
	ck_assert_int_eq(list.items[1].seed, 2);
	ck_assert_int_eq(list.items[0].status, LRS_TRIAL_PENDING);
	lrs_trial_list_free(&list);

	ck_assert_int_eq(lrs_store_trial_start(st, ids[0], "host:0:3"), 0);
	snprintf(sql, sizeof sql, "SELECT status, worker, started_at IS NOT NULL"
	         " FROM trials WHERE id = %lld", (long long)ids[0]);
	run(&r, st, sql);
	ck_assert_str_eq(cell(&r, 0, 0), "running");
	ck_assert_str_eq(cell(&r, 0, 1), "host:0:3");
	ck_assert_str_eq(cell(&r, 0, 2), "1");
	rows_free(&r);

	res.best_epoch = 2;
	ck_assert_int_eq(lrs_store_trial_finish(st, ids[0], &res, ep, 2), 0);
	snprintf(sql, sizeof sql, "SELECT status, epochs_done, iterations, best_val_accuracy,"
	         " best_epoch, final_val_loss, test_accuracy, diverged_at, error, wall_seconds,"
	         " finished_at IS NOT NULL, params, hyper FROM trials WHERE id = %lld",
	         (long long)ids[0]);
	run(&r, st, sql);
	ck_assert_str_eq(cell(&r, 0, 0), "completed");
	ck_assert_str_eq(cell(&r, 0, 1), "2");
	ck_assert_str_eq(cell(&r, 0, 2), "20");
	ck_assert_str_eq(cell(&r, 0, 3), "0.71");
	ck_assert_str_eq(cell(&r, 0, 4), "2");
	ck_assert_str_eq(cell(&r, 0, 5), "0.5");
	ck_assert_ptr_null(cell(&r, 0, 6));
	ck_assert_ptr_null(cell(&r, 0, 7));
	ck_assert_ptr_null(cell(&r, 0, 8));
	ck_assert_str_eq(cell(&r, 0, 9), "1.5");
	ck_assert_str_eq(cell(&r, 0, 10), "1");
	ck_assert_str_eq(cell(&r, 0, 11), "{\"lr\":0.1}");
	ck_assert_str_eq(cell(&r, 0, 12), "{\"batch_size\":128}");
	rows_free(&r);
	run(&r, st, "SELECT epoch, iteration, lr, momentum, train_loss, train_accuracy,"
	            " val_loss, val_accuracy, wall_seconds FROM epochs ORDER BY epoch");
	ck_assert_int_eq(r.nrows, 2);
	ck_assert_str_eq(cell(&r, 0, 0), "1");
	ck_assert_str_eq(cell(&r, 0, 1), "10");
	ck_assert_ptr_null(cell(&r, 0, 3));
	ck_assert_str_eq(cell(&r, 1, 3), "0.9");
	ck_assert_str_eq(cell(&r, 1, 7), "0.71");
	ck_assert_str_eq(cell(&r, 1, 8), "0.5");
	rows_free(&r);
	snprintf(sql, sizeof sql, "SELECT params, hyper FROM trials WHERE id = %lld",
	         (long long)ids[2]);
	run(&r, st, sql);
	ck_assert_str_eq(cell(&r, 0, 0), "{}");
	ck_assert_str_eq(cell(&r, 0, 1), "{}");
	rows_free(&r);

	/* a diverged trial keeps its step and message */
	res = result_of(LRS_TRIAL_DIVERGED, NAN, NAN);
	res.diverged_at = 13;
	res.best_epoch = 0;
	res.error = "loss is nan";
	ck_assert_int_eq(lrs_store_trial_start(st, ids[1], NULL), 0);
	ck_assert_int_eq(lrs_store_trial_finish(st, ids[1], &res, NULL, 0), 0);
	snprintf(sql, sizeof sql, "SELECT diverged_at, error, best_epoch, worker FROM trials"
	         " WHERE id = %lld", (long long)ids[1]);
	run(&r, st, sql);
	ck_assert_str_eq(cell(&r, 0, 0), "13");
	ck_assert_str_eq(cell(&r, 0, 1), "loss is nan");
	ck_assert_ptr_null(cell(&r, 0, 2));
	ck_assert_ptr_null(cell(&r, 0, 3));
	rows_free(&r);

	ck_assert_int_eq(lrs_store_trial_list(&list, st, exp), 0);
	ck_assert_int_eq(list.items[0].status, LRS_TRIAL_COMPLETED);
	ck_assert_int_eq(list.items[1].status, LRS_TRIAL_DIVERGED);
	ck_assert_int_eq(list.items[2].status, LRS_TRIAL_PENDING);
	lrs_trial_list_free(&list);
	lrs_trial_list_free(&list);                     /* idempotent */

	/* unknown trials and non-final statuses */
	assert_error(lrs_store_trial_start(st, 999, NULL), LRS_ENOTFOUND, "999");
	assert_error(lrs_store_trial_finish(st, 999, &res, NULL, 0), LRS_ENOTFOUND, "999");
	res.status = LRS_TRIAL_RUNNING;
	assert_error(lrs_store_trial_finish(st, ids[2], &res, NULL, 0), LRS_EINVALID,
	             "not final");
	lrs_store_free(st);
}
END_TEST

START_TEST(trial_finish_is_atomic)
{
	lrs_store *st = open_ok(dbpath, LRS_STORE_CREATE);
	int64_t exp = new_experiment(st, "atomic");
	int64_t id = new_trial(st, exp, "k", "constant", NULL, 1);
	lrs_epoch_row ep[3] = {
		{ 1, 10, 0.1, NAN, 1.0, 0.5, 1.0, 0.5, 0.1 },
		{ 2, 20, 0.1, NAN, 0.9, 0.6, 0.9, 0.6, 0.1 },
		{ 2, 30, 0.1, NAN, 0.8, 0.7, 0.8, 0.7, 0.1 },  /* duplicate epoch */
	};
	lrs_trial_result res = result_of(LRS_TRIAL_COMPLETED, 0.7, 0.69);
	char sql[256];
	rows r;

	ck_assert_int_eq(lrs_store_trial_start(st, id, "w"), 0);
	assert_error(lrs_store_trial_finish(st, id, &res, ep, 3), LRS_EINVALID, dbpath);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "UNIQUE constraint failed"));
	snprintf(sql, sizeof sql, "SELECT status, finished_at, best_val_accuracy,"
	         " epochs_done FROM trials WHERE id = %lld", (long long)id);
	run(&r, st, sql);
	ck_assert_str_eq(cell(&r, 0, 0), "running");    /* the update rolled back */
	ck_assert_ptr_null(cell(&r, 0, 1));
	ck_assert_ptr_null(cell(&r, 0, 2));
	ck_assert_str_eq(cell(&r, 0, 3), "0");
	rows_free(&r);
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM epochs"), 0);

	/* the store is usable after the failure, and a retry stores it all */
	ep[2].epoch = 3;
	res.epochs_done = 3;
	ck_assert_int_eq(lrs_store_trial_finish(st, id, &res, ep, 3), 0);
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM epochs"), 3);

	/* a restart (after a crash) clears the earlier attempt */
	ck_assert_int_eq(lrs_store_trial_start(st, id, "w2"), 0);
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM epochs"), 0);
	ck_assert(is_null(st, "SELECT best_val_accuracy FROM trials"));
	ck_assert_int_eq(one_int(st, "SELECT epochs_done FROM trials"), 0);
	lrs_store_free(st);
}
END_TEST

START_TEST(foreign_keys_enforced)
{
	lrs_store *st = open_ok(dbpath, LRS_STORE_CREATE);
	lrs_trial_plan p = { "k", "constant", NULL, NULL, 1, NULL, NULL };
	lrs_range_test_info rt = { 0, "linear", 1e-3, 1, 10, -1, 1, 0, NULL, 0, NULL };
	lrs_bound_row b = { "accuracy", 0.1, 0.2, NAN, NAN, 1, NULL, NULL };
	lrs_trial_result res = result_of(LRS_TRIAL_COMPLETED, 0.5, 0.5);
	static const char *const children[] = { "range_tests", "range_points", "bounds",
	                                        "trials", "epochs" };
	char sql[256];

	assert_error(lrs_store_trials_add(NULL, st, 42, &p, 1), LRS_EINVALID, "FOREIGN KEY");
	assert_error(lrs_store_range_test_add(NULL, st, 42, &rt, NULL, 0), LRS_EINVALID,
	             "FOREIGN KEY");
	assert_error(lrs_store_bounds_add(st, 42, &b, 1), LRS_EINVALID, "FOREIGN KEY");
	assert_error(lrs_store_trial_finish(st, 42, &res, NULL, 0), LRS_ENOTFOUND, "42");
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM trials"), 0);
	for (size_t i = 0; i < sizeof children / sizeof *children; i++) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_foreign_key_list('%s')"
		         " WHERE on_delete = 'CASCADE'", children[i]);
		ck_assert_int_eq(one_int(st, sql), 1);
	}
	lrs_store_free(st);
}
END_TEST

/* ---------------------------------------------------------------- views */

START_TEST(views_numbers)
{
	lrs_store *st = open_ok(dbpath, LRS_STORE_CREATE);
	int64_t e1 = new_experiment(st, "v1");
	int64_t e2 = new_experiment(st, "v2");
	const char *pa = "{\"lr\":0.1}";
	/* schedule A, seeds 1..3: best 0.80 0.84 0.85, test 0.79 0.83 0.80 */
	double best_a[3] = { 0.80, 0.84, 0.85 }, test_a[3] = { 0.79, 0.83, 0.80 };
	double mean_v = 0.83, std_v = sqrt(0.0007);     /* by hand: (9+1+4)e-4 / 2 */
	double mean_t = 2.42 / 3;
	double std_t = sqrt(((0.79 - mean_t) * (0.79 - mean_t) + (0.83 - mean_t) *
	                     (0.83 - mean_t) + (0.80 - mean_t) * (0.80 - mean_t)) / 2);
	char key[16];
	rows r;

	ck_assert_double_eq_tol(std_t, 0.0208166599946613, 1e-15);
	for (int i = 0; i < 3; i++) {
		snprintf(key, sizeof key, "a%d", i);
		finish_trial(st, new_trial(st, e1, key, "constant", pa, (uint64_t)i + 1),
		             LRS_TRIAL_COMPLETED, best_a[i], test_a[i]);
	}
	/* B: one seed, no test data; C: two equal seeds; pruned and diverged
	 * trials stay out; a pending trial too */
	finish_trial(st, new_trial(st, e1, "b", "one_cycle", NULL, 1),
	             LRS_TRIAL_COMPLETED, 0.90, NAN);
	finish_trial(st, new_trial(st, e1, "c1", "cyclic", NULL, 1),
	             LRS_TRIAL_COMPLETED, 0.5, 0.5);
	finish_trial(st, new_trial(st, e1, "c2", "cyclic", NULL, 2),
	             LRS_TRIAL_COMPLETED, 0.5, 0.5);
	finish_trial(st, new_trial(st, e1, "p", "constant", pa, 9),
	             LRS_TRIAL_PRUNED, 0.99, 0.99);
	finish_trial(st, new_trial(st, e1, "d", "constant", pa, 10),
	             LRS_TRIAL_DIVERGED, NAN, NAN);
	new_trial(st, e1, "n", "constant", pa, 11);
	finish_trial(st, new_trial(st, e2, "x", "constant", pa, 1),
	             LRS_TRIAL_COMPLETED, 0.6, 0.6);

	run(&r, st, "SELECT experiment_id, experiment, rank, trial_key, best_val_accuracy"
	            " FROM leaderboard");
	ck_assert_int_eq(r.nrows, 7);
	{
		static const char *const keys[] = { "b", "a2", "a1", "a0", "c1", "c2", "x" };
		static const char *const ranks[] = { "1", "2", "3", "4", "5", "6", "1" };
		for (int i = 0; i < 7; i++) {
			ck_assert_str_eq(cell(&r, i, 3), keys[i]);
			ck_assert_str_eq(cell(&r, i, 2), ranks[i]);
		}
	}
	ck_assert_str_eq(cell(&r, 0, 1), "v1");
	ck_assert_str_eq(cell(&r, 6, 1), "v2");
	ck_assert_int_eq(strtoll(cell(&r, 6, 0), NULL, 10), e2);
	rows_free(&r);

	run(&r, st, "SELECT schedule, n, mean_best_val_accuracy, std_best_val_accuracy,"
	            " mean_test_accuracy, std_test_accuracy, params, hyper FROM schedule_summary"
	            " WHERE experiment_id = 1");
	ck_assert_int_eq(r.nrows, 3);
	ck_assert_str_eq(cell(&r, 0, 0), "one_cycle");  /* best mean first */
	ck_assert_str_eq(cell(&r, 0, 1), "1");
	ck_assert_str_eq(cell(&r, 0, 2), "0.9");
	ck_assert_ptr_null(cell(&r, 0, 3));             /* one seed: no std */
	ck_assert_ptr_null(cell(&r, 0, 4));             /* no test data */
	ck_assert_ptr_null(cell(&r, 0, 5));
	ck_assert_str_eq(cell(&r, 1, 0), "constant");
	ck_assert_str_eq(cell(&r, 1, 1), "3");
	ck_assert_str_eq(cell(&r, 1, 6), pa);
	ck_assert_str_eq(cell(&r, 1, 7), "{}");
	ck_assert_double_eq_tol(strtod(cell(&r, 1, 2), NULL), mean_v, 1e-15);
	ck_assert_double_eq_tol(strtod(cell(&r, 1, 3), NULL), std_v, 1e-14);
	ck_assert_double_eq_tol(strtod(cell(&r, 1, 3), NULL), 0.0264575131106459, 1e-14);
	ck_assert_double_eq_tol(strtod(cell(&r, 1, 4), NULL), mean_t, 1e-15);
	ck_assert_double_eq_tol(strtod(cell(&r, 1, 5), NULL), std_t, 1e-14);
	ck_assert_str_eq(cell(&r, 2, 0), "cyclic");
	ck_assert_str_eq(cell(&r, 2, 1), "2");
	ck_assert_str_eq(cell(&r, 2, 3), "0");          /* equal seeds: exactly 0 */
	rows_free(&r);
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM schedule_summary"), 4);
	lrs_store_free(st);
}
END_TEST

/* ------------------------------------------------------ query, read-only */

static int stop_after_one(void *ctx, int ncols, const char *const *names, const char *const *values,
                          const lrs_value_type *types)
{
	int *calls = ctx;

	(void)ncols; (void)names; (void)types;
	if (values == NULL)
		return 0;
	return ++*calls == 1 ? 7 : 0;
}

START_TEST(query_rows_and_nulls)
{
	lrs_store *st = open_ok(dbpath, LRS_STORE_CREATE);
	int calls = 0;
	rows r;

	run(&r, st, "SELECT 1 AS a, NULL AS b, 'NULL' AS c, 0.1 AS d, 1e308 * 10 AS e");
	ck_assert_int_eq(r.ncols, 5);
	ck_assert_str_eq(r.names[0], "a");
	ck_assert_str_eq(r.names[4], "e");
	ck_assert_str_eq(cell(&r, 0, 0), "1");
	ck_assert_ptr_null(cell(&r, 0, 1));
	ck_assert_str_eq(cell(&r, 0, 2), "NULL");
	ck_assert_str_eq(cell(&r, 0, 3), "0.1");
	ck_assert_str_eq(cell(&r, 0, 4), "inf");
	ck_assert_int_eq(r.first_types[0], LRS_VAL_INT);
	ck_assert_int_eq(r.first_types[1], LRS_VAL_NULL);
	ck_assert_int_eq(r.first_types[2], LRS_VAL_TEXT);
	ck_assert_int_eq(r.first_types[3], LRS_VAL_REAL);
	ck_assert_int_eq(r.first_types[4], LRS_VAL_REAL);
	rows_free(&r);

	run(&r, st, "SELECT id, name FROM experiments");    /* header without rows */
	ck_assert_int_eq(r.nrows, 0);
	ck_assert_int_eq(r.ncols, 2);
	ck_assert_str_eq(r.names[1], "name");
	rows_free(&r);
	run(&r, st, "  SELECT 2 ; -- trailing comment\n ");
	ck_assert_str_eq(cell(&r, 0, 0), "2");
	rows_free(&r);

	ck_assert_int_eq(lrs_store_query(st, "SELECT 1 UNION ALL SELECT 2", stop_after_one,
	                                 &calls), 7);
	ck_assert_int_eq(calls, 1);

	memset(&r, 0, sizeof r);
	assert_error(lrs_store_query(st, "SELEC 1", collect, &r), LRS_EINVALID, "syntax");
	assert_error(lrs_store_query(st, "   ", collect, &r), LRS_EINVALID, "no SQL");
	assert_error(lrs_store_query(st, "SELECT 1; SELECT 2", collect, &r), LRS_EINVALID,
	             "only one SQL statement");
	assert_error(lrs_store_query(st, "SELECT * FROM nope", collect, &r), LRS_EINVALID,
	             "no such table");
	/* even on a writable store the query is read-only */
	assert_error(lrs_store_query(st, "DELETE FROM experiments", collect, &r),
	             LRS_EINVALID, "read-only");
	assert_error(lrs_store_query(st, "PRAGMA foreign_keys = OFF", collect, &r),
	             LRS_EINVALID, "read-only");
	assert_error(lrs_store_query(st, "ATTACH 'x.db' AS x", collect, &r),
	             LRS_EINVALID, "read-only");
	rows_free(&r);
	ck_assert_int_eq(one_int(st, "PRAGMA foreign_keys"), 1);
	run(&r, st, "PRAGMA table_info(trials)");
	ck_assert_int_ge(r.nrows, 20);
	rows_free(&r);
	lrs_store_free(st);
}
END_TEST

START_TEST(readonly_refuses_writes)
{
	lrs_store *st = open_ok(dbpath, LRS_STORE_CREATE);
	lrs_store *ro;
	lrs_experiment_info info = sample_info("ro");
	lrs_trial_plan p = { "k", "constant", NULL, NULL, 1, NULL, NULL };
	lrs_bound_row b = { "accuracy", 0.1, 0.2, NAN, NAN, 1, NULL, NULL };
	lrs_range_test_info rt = { 0, "linear", 1e-3, 1, 10, -1, 1, 0, NULL, 0, NULL };
	lrs_trial_result res = result_of(LRS_TRIAL_COMPLETED, 0.5, 0.5);
	lrs_experiment_record rec;
	lrs_trial_list list;
	int64_t exp = new_experiment(st, "ro"), id = 0;
	rows r;

	new_trial(st, exp, "k0", "constant", NULL, 1);
	ro = open_ok(dbpath, LRS_STORE_READONLY);  /* while the writer is open */
	assert_error(lrs_store_experiment_begin(&id, ro, &info), LRS_EINVALID,
	             "the database is open read-only");
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), dbpath));
	assert_error(lrs_store_experiment_finish(ro, exp, LRS_EXP_COMPLETED), LRS_EINVALID,
	             "read-only");
	assert_error(lrs_store_trials_add(NULL, ro, exp, &p, 1), LRS_EINVALID, "read-only");
	assert_error(lrs_store_trial_start(ro, 1, NULL), LRS_EINVALID, "read-only");
	assert_error(lrs_store_trial_finish(ro, 1, &res, NULL, 0), LRS_EINVALID, "read-only");
	assert_error(lrs_store_bounds_add(ro, exp, &b, 1), LRS_EINVALID, "read-only");
	assert_error(lrs_store_range_test_add(NULL, ro, exp, &rt, NULL, 0), LRS_EINVALID,
	             "read-only");
	memset(&r, 0, sizeof r);
	assert_error(lrs_store_query(ro, "INSERT INTO experiments (name) VALUES ('x')",
	                             collect, &r), LRS_EINVALID, "read-only");
	assert_error(lrs_store_query(ro, "PRAGMA user_version = 7", collect, &r),
	             LRS_EINVALID, "read-only");
	rows_free(&r);

	/* reads work on it, and see what the writer commits */
	ck_assert_int_eq(lrs_store_experiment_latest(&rec, ro, "ro"), 0);
	ck_assert_int_eq(rec.id, exp);
	new_trial(st, exp, "k1", "constant", NULL, 2);
	ck_assert_int_eq(lrs_store_trial_list(&list, ro, exp), 0);
	ck_assert_uint_eq(list.n, 2);
	lrs_trial_list_free(&list);
	ck_assert_int_eq(one_int(ro, "PRAGMA user_version"), LRS_STORE_SCHEMA_VERSION);
	lrs_store_free(ro);
	lrs_store_free(st);
}
END_TEST

START_TEST(integrity_and_sqlite_shell)
{
	lrs_store *st = open_ok(dbpath, LRS_STORE_CREATE);
	int64_t exp = new_experiment(st, "shell");
	lrs_range_test_info rt = { 0, "linear", 1e-3, 1, 5, 4, 1, 0.5, NULL, 0, NULL };
	lrs_range_point pts[5];
	char buf[64], cmd[512], out[64] = "";
	FILE *f;

	for (int i = 0; i < 5; i++)
		pts[i] = (lrs_range_point){ i, 0.001 * (i + 1), 2.0 - 0.1 * i, NAN, NAN };
	ck_assert_int_eq(lrs_store_range_test_add(NULL, st, exp, &rt, pts, 5), 0);
	finish_trial(st, new_trial(st, exp, "k", "constant", NULL, 1),
	             LRS_TRIAL_COMPLETED, 0.5, 0.5);
	ck_assert_str_eq(one(st, "PRAGMA integrity_check", buf, sizeof buf), "ok");
	{
		rows r;

		run(&r, st, "PRAGMA foreign_key_check");
		ck_assert_int_eq(r.nrows, 0);
		rows_free(&r);
	}
	lrs_store_free(st);

	if (access("/usr/bin/sqlite3", X_OK) != 0) {
		fprintf(stderr, "test_store: /usr/bin/sqlite3 not found, shell check skipped\n");
		return;
	}
	snprintf(cmd, sizeof cmd, "/usr/bin/sqlite3 '%s' 'select count(*) from range_points;"
	         " select n from schedule_summary; select rank from leaderboard'"
	         " > '%s/out.txt' 2>&1", dbpath, tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s/out.txt", tmpdir);
	f = fopen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_gt(fread(out, 1, sizeof out - 1, f), 0);
	fclose(f);
	ck_assert_str_eq(out, "5\n1\n1\n");
}
END_TEST

/* A file of schema version 4 (before the probe's columns), made with the
 * sqlite3 shell from a current one: a writing open migrates it to the
 * current version, keeping its range tests with no probe (NULL); a
 * read-only open that may upgrade does the same. */
/* The data digest stored with an experiment is what --resume reads back. */
START_TEST(data_digest_round_trips)
{
	lrs_store *st = open_ok(dbpath, LRS_STORE_CREATE);
	lrs_experiment_info info = sample_info("digest");
	lrs_experiment_record rec;
	int64_t id = 0;

	memset(info.data_sha256, 'a', 64);
	info.data_sha256[64] = '\0';
	ck_assert_int_eq(lrs_store_experiment_begin(&id, st, &info), 0);
	ck_assert_int_eq(lrs_store_experiment_latest(&rec, st, "digest"), 0);
	ck_assert_int_eq(rec.id, id);
	ck_assert_str_eq(rec.data_sha256, info.data_sha256);
	lrs_store_free(st);
}
END_TEST

START_TEST(version_4_migrates)
{
	lrs_store *st = open_ok(dbpath, LRS_STORE_CREATE);
	int64_t exp = new_experiment(st, "old");
	lrs_range_test_info rt = { 0, "linear", 1e-3, 1, 5, -1, 9, 0.5, "", 200, "kept out of version 4" };
	lrs_range_point pts[2] = { { 0, 1e-3, 2.0, 2.0, 0.2 }, { 1, 1, 1.5, 1.9, NAN } };
	lrs_range_test_rows rows_read;
	char cmd[1024], path[256];
	int version = 0;

	ck_assert_int_eq(lrs_store_range_test_add(NULL, st, exp, &rt, pts, 2), 0);
	rt.repeat = 1;
	ck_assert_int_eq(lrs_store_range_test_add(NULL, st, exp, &rt, pts, 2), 0);
	lrs_store_free(st);
	ck_assert_msg(access("/usr/bin/sqlite3", X_OK) == 0, "/usr/bin/sqlite3 is needed to make a version 4 file");
	snprintf(cmd, sizeof cmd, "/usr/bin/sqlite3 '%s' 'ALTER TABLE experiments DROP COLUMN data_sha256;"
	         " ALTER TABLE range_tests DROP COLUMN probe_iterations;"
	         " ALTER TABLE range_tests DROP COLUMN probe_note; PRAGMA user_version = 4' >/dev/null", dbpath);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof path, "%s/copy.db", tmpdir);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", dbpath, path);
	ck_assert_int_eq(system(cmd), 0);

	st = open_ok(dbpath, 0);                        /* a writing open */
	ck_assert_int_eq(lrs_store_schema_version(&version, st), 0);
	ck_assert_int_eq(version, LRS_STORE_SCHEMA_VERSION);
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM range_tests"), 2);
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM range_points"), 4);
	ck_assert_int_eq(one_int(st, "SELECT count(*) FROM range_tests WHERE probe_iterations IS NULL"
	                             " AND probe_note IS NULL AND seed = 9 AND iterations = 5"), 2);
	ck_assert_int_eq(lrs_store_range_tests_read(&rows_read, st, exp, 1), 0);
	ck_assert_uint_eq(rows_read.n, 2);
	ck_assert_int_eq(rows_read.items[0].probe_iterations, -1);
	ck_assert_ptr_null(rows_read.items[0].probe_note);
	ck_assert_int_eq(rows_read.items[1].n_points, 2);
	lrs_range_test_rows_free(&rows_read);
	/* and a new test on the migrated file stores its probe */
	rt.repeat = 2;
	ck_assert_int_eq(lrs_store_range_test_add(NULL, st, exp, &rt, pts, 2), 0);
	ck_assert_int_eq(one_int(st, "SELECT probe_iterations FROM range_tests WHERE repeat = 2"), 200);
	lrs_store_free(st);

	st = open_ok(path, LRS_STORE_READONLY | LRS_STORE_UPGRADE);
	ck_assert_int_eq(lrs_store_upgraded_from(st), 4);
	ck_assert_int_eq(lrs_store_range_tests_read(&rows_read, st, exp, 0), 0);
	ck_assert_uint_eq(rows_read.n, 2);
	ck_assert_int_eq(rows_read.items[1].probe_iterations, -1);
	lrs_range_test_rows_free(&rows_read);
	lrs_store_free(st);
}
END_TEST

/* ----------------------------------------------------------------- suite */


Suite *suite_store(void)
{
	Suite *s = suite_create("store");
	TCase *sha = tcase_create("sha256");
	TCase *open = tcase_create("open");
	TCase *rw = tcase_create("round_trip");
	TCase *q = tcase_create("query");

	tcase_add_test(sha, sha256_nist_vectors);
	tcase_add_test(sha, sha256_million_a);
	suite_add_tcase(s, sha);

	tcase_add_checked_fixture(open, make_tmpdir, remove_tmpdir);
	tcase_add_test(open, create_and_reopen);
	tcase_add_test(open, empty_file_is_initialised);
	tcase_add_test(open, missing_paths_refused);
	tcase_add_test(open, newer_schema_refused);
	tcase_add_test(open, foreign_sqlite_refused);
	tcase_add_test(open, non_sqlite_refused);
	tcase_add_test(open, corrupt_file_refused);
	suite_add_tcase(s, open);

	tcase_add_checked_fixture(rw, make_tmpdir, remove_tmpdir);
	tcase_add_test(rw, experiment_round_trip);
	tcase_add_test(rw, one_writer_per_experiment);
	tcase_add_test(rw, range_test_round_trip);
	tcase_add_test(rw, range_test_probe_round_trip);
	tcase_add_test(rw, bounds_round_trip);
	tcase_add_test(rw, trials_round_trip);
	tcase_add_test(rw, trial_finish_is_atomic);
	tcase_add_test(rw, foreign_keys_enforced);
	tcase_add_test(rw, views_numbers);
	suite_add_tcase(s, rw);

	tcase_add_checked_fixture(q, make_tmpdir, remove_tmpdir);
	tcase_add_test(q, query_rows_and_nulls);
	tcase_add_test(q, readonly_refuses_writes);
	tcase_add_test(q, integrity_and_sqlite_shell);
	tcase_add_test(q, version_4_migrates);
	tcase_add_test(q, data_digest_round_trips);
	suite_add_tcase(s, q);
	return s;
}
