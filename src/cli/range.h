/* range.h - the range test as the commands show and store it (range.c). */
#ifndef LRSWEEP_CLI_RANGE_H
#define LRSWEEP_CLI_RANGE_H

#include <stdint.h>

#include "lrsweep/experiment.h"
#include "lrsweep/pick.h"
#include "lrsweep/rangetest.h"
#include "lrsweep/store.h"
#include "cli.h"

/* The experiments row of `e` on `ds`, made by `command` (run, range-test,
 * train). */
lrs_experiment_info cli_experiment_info(const lrs_experiment *e, const lrs_dataset *ds, const char *command);

/* Runs the test (lrs_range_test) with a progress bar on a terminal. */
int cli_range_run(lrs_range_outcome *o, const cli_globals *g, const lrs_dataset *ds,
                  const lrs_train_config *base, lrs_range_config *rc, long repeats, int threads);

/* Prints the repeats, every rule's bounds and spread, and the chosen ones. */
void cli_range_summary(const lrs_range_outcome *o, const lrs_range_config *rc, lrs_pick_rule chosen, long spe);

/* Stores the repeats' curves and every rule's bounds under experiment
 * `exp_id`, one transaction per write. */
int cli_range_store(lrs_store *st, int64_t exp_id, const lrs_range_outcome *o, const lrs_range_config *rc,
                    lrs_pick_rule chosen);

/* The mean curves of a range test, as plotted. */
typedef struct {
	int exponential;
	long repeats;
	size_t n;
	const double *lr, *loss, *smoothed_loss, *accuracy;   /* (n); accuracy NAN between evaluations */
	double min_lr, max_lr;     /* the chosen bounds, NAN when none */
	const char *rule;
} cli_range_curves;

/* Loss (raw and smoothed) and accuracy against the rate, the bounds
 * marked; `path` .png/.svg, or NULL for the terminal. */
int cli_range_plot(const char *path, const cli_range_curves *c);

#endif
