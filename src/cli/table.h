/* table.h - rows of text with types, printed as an aligned table, CSV or
 * JSON: what every `query` subject shows. Filled from the store's query
 * callback or row by row. */
#ifndef LRSWEEP_CLI_TABLE_H
#define LRSWEEP_CLI_TABLE_H

#include <stdio.h>

#include "lrsweep/store.h"
#include "lrsweep/util.h"

typedef enum { CLI_FMT_TABLE, CLI_FMT_CSV, CLI_FMT_JSON } cli_format;

typedef struct {
	int ncols;
	char **names;              /* (ncols)                                  */
	unsigned char *raw_json;   /* (ncols) 1: the column holds JSON text,
	                              embedded as is in JSON output            */
	size_t nrows;
	char **cells;              /* (nrows x ncols) text, NULL for NULL     */
	lrs_value_type *types;     /* (nrows x ncols)                          */
	int failed;                /* out of memory while filling              */
} cli_table;

/* "table", "csv" or "json"; -1 otherwise. */
int cli_format_parse(const char *s, cli_format *out);

/* An lrs_store_row_fn that fills the cli_table at ctx (zeroed first). */
int cli_table_collect(void *ctx, int ncols, const char *const *names, const char *const *values,
                      const lrs_value_type *types);

/* Runs one read-only SQL statement into a fresh table. */
int cli_table_fetch(cli_table *t, lrs_store *st, const char *sql);

/* Appends `s` as an SQL string literal (quotes doubled), whole. Returns 0
 * or LRS_ENOMEM (b->failed set). */
int cli_sql_quote(lrs_buf *b, const char *s);

/* Whether `s` names an experiment by id (digits, short enough for one). */
int cli_is_id(const char *s);

/* The experiments row (columns `cols`, SQL) that `spec` names: NULL for
 * the latest experiment, digits for an id, else a name (its latest run).
 * LRS_EINVALID "DB: no experiment 'spec'" when there is none. */
int cli_experiment_row(cli_table *t, lrs_store *st, const char *db, const char *spec, const char *cols);

/* Starts an empty table with the given column names. */
int cli_table_init(cli_table *t, int ncols, const char *const *names);

/* Appends a row (copied). */
int cli_table_add(cli_table *t, const char *const *values, const lrs_value_type *types);

/* Marks a column as JSON text. */
void cli_table_raw_json(cli_table *t, const char *name);

/* The cell at row r of column `name`, or NULL (also when no such column). */
const char *cli_table_get(const cli_table *t, size_t r, const char *name);

/* Prints the table. JSON: an array of objects keyed by the column names,
 * or (as_object) the first row alone as one object. */
void cli_table_print(FILE *f, const cli_table *t, cli_format fmt, int as_object);

void cli_table_free(cli_table *t);

/* A JSON object as people read it: "lr=0.05, factor=1" (strings unquoted,
 * numbers to 4 significant digits, nested values kept). Free it. */
char *cli_json_readable(const char *json);

/* Short names for n configurations (schedule type, params and hyper as
 * stored): the type and only the parameters and hyperparameters whose
 * values differ between the configurations ("constant lr=0.0324",
 * "one_cycle", "constant lr=0.0081; batch_size=64"). Returns n strings
 * (free each, then the array), or NULL out of memory. */
char **cli_config_labels(const char *const *schedule, const char *const *params, const char *const *hyper,
                         size_t n);

#endif
