/* query.h - the subjects of `lrsweep query` (SPEC §2, §8) as rows printed
 * to a FILE *: experiments, trials, best, compare, curve, range-test and a
 * user's read-only SQL. Part of the report module (src/report/query.c);
 * the rows are table.h's, the comparison the results module's. Returns 0
 * or a negative code of error.h with the message set; what the user asked
 * for that the database does not hold is LRS_EINVALID. */
#ifndef LRSWEEP_QUERY_H
#define LRSWEEP_QUERY_H

#include <stdio.h>

#include "lrsweep/store.h"
#include "lrsweep/table.h"

typedef struct {
	FILE *out;                  /* where the rows go                        */
	const char *db;             /* the database's name, for messages        */
	const char *what;           /* the subject                              */
	const char *arg;            /* curve TRIAL_ID, sql "SELECT ..."         */
	lrs_format format;
	const char *experiment;     /* experiments: that one alone (NULL: all)  */
	const char *status;         /* trials: that status alone                */
	const char *schedule;       /* trials, compare: that schedule type alone */
	const char *sort;           /* trials: COLUMN[:desc|:asc]               */
	long top;                   /* at most this many rows (0: all)          */
	const char *metric;         /* what ranks trials (NULL: best_val_accuracy) */
	double target;              /* compare: the accuracy to reach (NAN: none) */
	const char *const *by;      /* compare: (n_by) keys to group by instead of
	                               configurations (results.h)               */
	size_t n_by;
} lrs_query;

/* Whether `name` is a column of the trials subject (what --sort takes). */
int lrs_query_is_trial_column(const char *name);

/* Whether subject `what` is about one experiment (trials, best, compare,
 * range-test): lrs_query_print then needs its row. */
int lrs_query_needs_experiment(const char *what);

/* Prints subject q->what of store `st`; `e` is the experiment for the
 * subjects that need one (else NULL). */
int lrs_query_print(lrs_store *st, const lrs_query *q, const lrs_experiment_row *e);

#endif
