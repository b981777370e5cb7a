/* table.h - typed rows printed as an aligned table, CSV or JSON to a
 * FILE * the caller gives: what every `query` subject shows. Filled cell
 * by cell from what the store and the results module return, or from a
 * user's SQL. Part of the report module (src/report/table.c). */
#ifndef LRSWEEP_TABLE_H
#define LRSWEEP_TABLE_H

#include <stdio.h>

#include "lrsweep/store.h"
#include "lrsweep/util.h"

typedef enum { LRS_FMT_TABLE, LRS_FMT_CSV, LRS_FMT_JSON } lrs_format;

typedef struct {
	lrs_value_type type;
	char *text;                /* as CSV prints it; NULL for NULL          */
	double real;               /* LRS_VAL_REAL: the number                 */
} lrs_table_cell;

typedef struct {
	int ncols;
	char **names;              /* (ncols)                                  */
	unsigned char *raw_json;   /* (ncols) 1: the column holds JSON text,
	                              embedded as is in JSON output            */
	size_t nrows;
	lrs_table_cell *cells;     /* (nrows x ncols)                          */
	int col;                   /* the next cell of the last row            */
	int failed;                /* out of memory while filling              */
} lrs_table;

/* "table", "csv" or "json"; -1 otherwise. */
int lrs_format_parse(const char *s, lrs_format *out);

/* Runs one read-only SQL statement of the user's into a fresh table. */
int lrs_table_query(lrs_table *t, lrs_store *st, const char *sql);

/* Starts an empty table with the given column names. */
int lrs_table_init(lrs_table *t, int ncols, const char *const *names);

/* Starts a row of NULLs; the lrs_table_put functions fill it from the left.
 * Out of memory sets t->failed (seen by the caller once, at the end). */
int lrs_table_row(lrs_table *t);
void lrs_table_put(lrs_table *t, lrs_value_type type, const char *text, double real);
void lrs_table_put_text(lrs_table *t, const char *s);   /* NULL: NULL   */
void lrs_table_put_int(lrs_table *t, long long v);
void lrs_table_put_count(lrs_table *t, long v);         /* < 0: NULL    */
void lrs_table_put_real(lrs_table *t, double v);        /* NAN: NULL    */

/* Marks a column as JSON text. */
void lrs_table_raw_json(lrs_table *t, const char *name);

/* Prints the table. JSON: an array of objects keyed by the column names,
 * or (as_object) the first row alone as one object. */
void lrs_table_print(FILE *f, const lrs_table *t, lrs_format fmt, int as_object);

void lrs_table_free(lrs_table *t);

#endif
