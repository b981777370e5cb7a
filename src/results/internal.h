/* internal.h - what the files of src/results share: results.c's ordering
 * of configurations, and factors.c's grouping by keys. Not a public
 * header. */
#ifndef LRSWEEP_RESULTS_INTERNAL_H
#define LRSWEEP_RESULTS_INTERNAL_H

#include "lrsweep/results.h"

/* Orders two trials by their configuration (schedule, params, hyper). */
int results_cmp_config(const lrs_trial_row *a, const lrs_trial_row *b);

/* Puts r's configurations in plan order (each carries its first trial's
 * id in rank until then) and gives each its line style; ranks go to 0. */
void results_plan_order(lrs_results *r);

/* r's trials grouped by o->by (o->n_by > 0) as its configurations, in
 * plan order, labelled; LRS_EINVALID for a key no trial has. */
int results_group_by(lrs_results *r, const lrs_results_opts *o);

#endif
