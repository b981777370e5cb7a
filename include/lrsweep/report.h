/* report.h - the pictures and the page made from a results database:
 * what `lrsweep plot` draws, what `lrsweep report` writes, and the range
 * test figure `lrsweep range-test --plot` draws as it runs; and the text
 * the commands print, written to the FILE * the caller gives: the range
 * test's summary, a run's plan, leaderboard and totals, the model's shape
 * table, a schedule's rows
 * (the query subjects' rows are query.h's, on table.h).
 *
 * The data comes from the store's typed reads and the results module's
 * comparison (one label and one line style per configuration, so that a
 * configuration is named and coloured alike in every figure); the drawing
 * from the plot module (gnuplot). Nothing here decides exit codes: every
 * function returns 0 or a negative code of error.h with the message set.
 * LRS_EINVALID means the data does not allow a figure (none to draw, too
 * many lines): the report shows that message in place of the figure. */
#ifndef LRSWEEP_REPORT_H
#define LRSWEEP_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lrsweep/pipeline.h"
#include "lrsweep/schedule.h"
#include "lrsweep/store.h"
#include "lrsweep/table.h"

/* The mean curves of one range test (its repeats), as plotted. */
typedef struct {
	int exponential;
	long repeats;
	size_t n;
	const double *lr, *loss, *smoothed_loss, *accuracy;   /* (n); accuracy NAN between evaluations */
	double min_lr, max_lr;          /* the chosen bounds, NAN when none  */
	const char *rule;
	const char *group;              /* the group it tested; NULL or "": the only one */
	long probe_iterations;          /* the probe that set its range; 0 none */
} lrs_range_figure;

/* A range test's probe as one line, as `query range-test`, the report
 * and the plot show it: "probe: N updates -> linear A .. B: NOTE" (the
 * note left out when `note` is NULL), or "no probe (range given)" when
 * probe_iterations <= 0; A and B are the linear test's start_lr and
 * end_lr. Returns buf. */
const char *lrs_report_probe_line(char *buf, size_t size, long probe_iterations, const char *note,
                                  double start_lr, double end_lr);

/* Loss (raw and smoothed) and accuracy against the rate, the bounds
 * marked; `path` .png/.svg, or NULL for the terminal. */
int lrs_report_range_plot(const char *path, const lrs_range_figure *f);

/* The range test as text: the test, its repeats, every rule's bounds and
 * spread (the chosen rule starred, each rule's note), and the bounds
 * chosen or why there are none; spe: steps per epoch. */
void lrs_report_range_summary(FILE *f, const lrs_range_outcome *o, const lrs_range_config *rc,
                              const lrs_range_choice *ch, long spe);

/* One figure of an experiment. */
typedef struct {
	const char *db;                 /* the database's name, for messages  */
	int64_t experiment_id;
	const char *name;               /* the experiment's, for titles       */
	const char *what;               /* range-test | curves | schedules | compare
	                                   | search                          */
	const char *path;               /* .png/.svg, or NULL: the terminal   */
	int per_trial;                  /* curves: one line per trial         */
	const char *group;              /* range-test: that group alone; NULL:
	                                   every group (one figure; with more
	                                   than one, curves named by group)  */
	const char *metric;             /* search: the objective (results.h's
	                                   metrics; NULL: best_val_accuracy) */
} lrs_figure_request;

/* Draws the figure `req` asks for:
 *   range-test  the mean curves of the repeats, the chosen bounds marked
 *   curves      validation accuracy per epoch: one line per configuration
 *               with a band of +-1 sd over seeds (per_trial: per trial)
 *   schedules   the rate each configuration used, step by step
 *   compare     mean and 95 % interval of the best validation accuracy per
 *               configuration, one row each, best first
 *   search      the objective of each completed trial in plan order with
 *               the best so far, and a panel per key the experiment
 *               searched: its value against the objective (a log axis for
 *               a log-uniform key); LRS_EINVALID when it searched none */
int lrs_report_figure(lrs_store *st, const lrs_figure_request *req);

#define LRS_REPORT_TOP 20               /* leaderboard rows a report shows */
#define LRS_REPORT_NOT_COMPLETED 20     /* failed, diverged, pruned trials
                                           it lists, of each status   */
#define LRS_REPORT_ERROR_BYTES 200      /* of a failed trial's error  */

/* Writes the one self-contained HTML page about experiment `e` of database
 * `db` (no script, no fetch, the plots inline as SVG) to `path`: written
 * beside it, renamed into place at the end, nothing left on failure. A
 * `path` that cannot be created is LRS_EINVALID. */
int lrs_report_write(lrs_store *st, const char *db, const lrs_experiment_row *e, const char *path);

/* ------------------------------------------------------------ a run */

/* The plan of a run (a dry run prints it): its trials, configurations,
 * seeds and epochs, the bounds or where they will come from, the groups,
 * and one line per trial. */
void lrs_report_plan(FILE *f, const lrs_pipeline *p);

/* The leaderboard of experiment `exp_id`: its configurations as the
 * results module ranks and names them (`lrsweep query compare`), with mean
 * ± sd over their seeds of the best validation and the test accuracy. */
int lrs_report_leaderboard(FILE *f, lrs_store *st, int64_t exp_id);

/* The trials a finished run ran, by status, where they are stored, and the
 * epochs pruning saved. */
void lrs_report_run_totals(FILE *f, const lrs_pipeline *p, const char *path);

/* ------------------------------------------------------------ the model */

/* The model's shape table, as torchinfo's summary: one row per layer
 * (its text as lrs_model_layer_text writes it, its output shape for one
 * sample, its parameters), the input first; then the total parameters and
 * `run_bytes`, what one training run holds (lrs_train_bytes at batch
 * `batch_size`; 0 when this build cannot train the stack, said with the
 * reason). The model must be fitted to its data (lrs_experiment_fit). */
void lrs_report_model(FILE *f, const lrs_model_config *m, double run_bytes, long batch_size);

/* ------------------------------------------------------------ one schedule */

/* The rates of `steps` updates (lr, and mom where the schedule cycles
 * momentum; else NULL) as rows of step, lr and momentum: CSV and JSON
 * with every digit (%.17g; JSON null where not finite), the table to 8. */
void lrs_report_schedule_rows(FILE *f, lrs_format fmt, const double *lr, const double *mom, long steps);

/* The same rates of schedule `s` drawn against the step (momentum on the
 * right axis); `path` .png/.svg, or NULL for the terminal. */
int lrs_report_schedule_plot(const char *path, const lrs_sched *s, const double *lr, const double *mom,
                             long steps);

#endif
