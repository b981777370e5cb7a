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

/* Repeats whose picks spread more than this factor get a warning. */
#define CLI_RANGE_SPREAD 2.0

/* Which rule's bounds feed the trials: the one asked for, or the first
 * of lrs_pick_fallback that picked when it could not (chosen = -1: none
 * did). */
typedef struct {
	lrs_pick_rule preferred;   /* range_test.pick or --pick              */
	int chosen;                /* the rule whose bounds are used, or -1  */
} cli_range_choice;

/* Runs the test (lrs_range_test) with a progress bar on a terminal; when
 * `auto_range`, a probe first sets rc's start_lr and end_lr (and at least
 * LRS_RANGE_AUTO_ITERATIONS updates). Fills ch->chosen and warns on
 * stderr when the preferred rule could not pick or the chosen rule's
 * repeats spread more than 2x. */
int cli_range_run(lrs_range_outcome *o, cli_range_choice *ch, const cli_globals *g, const lrs_dataset *ds,
                  const lrs_train_config *base, lrs_range_config *rc, int auto_range, long repeats, int threads);

/* Prints the repeats, every rule's bounds and spread, and the chosen ones. */
void cli_range_summary(const lrs_range_outcome *o, const lrs_range_config *rc, const cli_range_choice *ch,
                       long spe);

/* Stores the repeats' curves and every rule's bounds under experiment
 * `exp_id`, one transaction per write; the chosen rule's note says when
 * it stood in for another or its repeats spread. */
int cli_range_store(lrs_store *st, int64_t exp_id, const lrs_range_outcome *o, const lrs_range_config *rc,
                    const cli_range_choice *ch);

/* The error of a test where no rule picked, naming what to change. */
int cli_range_no_bounds(const lrs_range_outcome *o, const cli_range_choice *ch, const lrs_range_config *rc);

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
