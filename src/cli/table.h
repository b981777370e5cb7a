/* table.h - typed rows printed as an aligned table, CSV or JSON: what
 * every `query` subject shows. Filled cell by cell from what the store
 * and the results module return, or from a user's SQL. */
#ifndef LRSWEEP_CLI_TABLE_H
#define LRSWEEP_CLI_TABLE_H

#include <stdio.h>

#include "lrsweep/store.h"
#include "lrsweep/util.h"

typedef enum { CLI_FMT_TABLE, CLI_FMT_CSV, CLI_FMT_JSON } cli_format;

typedef struct {
	lrs_value_type type;
	char *text;                /* as CSV prints it; NULL for NULL          */
	double real;               /* LRS_VAL_REAL: the number                 */
} cli_cell;

typedef struct {
	int ncols;
	char **names;              /* (ncols)                                  */
	unsigned char *raw_json;   /* (ncols) 1: the column holds JSON text,
	                              embedded as is in JSON output            */
	size_t nrows;
	cli_cell *cells;           /* (nrows x ncols)                          */
	int col;                   /* the next cell of the last row            */
	int failed;                /* out of memory while filling              */
} cli_table;

/* "table", "csv" or "json"; -1 otherwise. */
int cli_format_parse(const char *s, cli_format *out);

/* Runs one read-only SQL statement of the user's into a fresh table. */
int cli_table_query(cli_table *t, lrs_store *st, const char *sql);

/* The experiment `spec` names (NULL: the latest; digits: an id; else a
 * name: its latest run), as lrs_store_experiment_find, with "not found"
 * as bad input (LRS_EINVALID) pointing at 'lrsweep query DB experiments'. */
int cli_find_experiment(lrs_experiment_row *e, lrs_store *st, const char *db, const char *spec);

/* Starts an empty table with the given column names. */
int cli_table_init(cli_table *t, int ncols, const char *const *names);

/* Starts a row of NULLs; the cli_put functions fill it from the left.
 * Out of memory sets t->failed (seen by the caller once, at the end). */
int cli_table_row(cli_table *t);
void cli_put(cli_table *t, lrs_value_type type, const char *text, double real);
void cli_put_text(cli_table *t, const char *s);          /* NULL: NULL   */
void cli_put_int(cli_table *t, long long v);
void cli_put_count(cli_table *t, long v);                /* < 0: NULL    */
void cli_put_real(cli_table *t, double v);               /* NAN: NULL    */

/* Marks a column as JSON text. */
void cli_table_raw_json(cli_table *t, const char *name);

/* Prints the table. JSON: an array of objects keyed by the column names,
 * or (as_object) the first row alone as one object. */
void cli_table_print(FILE *f, const cli_table *t, cli_format fmt, int as_object);

void cli_table_free(cli_table *t);

#endif
