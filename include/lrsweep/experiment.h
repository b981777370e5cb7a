/* experiment.h - the experiment file (SPEC §11) as plain structs.
 *
 * The config module reads the YAML (only it includes yaml.h), checks every
 * key it knows against its type and allowed values, and reports each
 * problem as "file:line:column: message" — all of them, one per line, not
 * just the first. Sections that later stages interpret (range_test,
 * trials) are kept as node trees for them. Strings in the structs point
 * into the experiment's own storage and live as long as it does. */
#ifndef LRSWEEP_EXPERIMENT_H
#define LRSWEEP_EXPERIMENT_H

#include <stdint.h>

#include "lrsweep/data.h"
#include "lrsweep/nn.h"
#include "lrsweep/node.h"
#include "lrsweep/optim.h"
#include "lrsweep/rangetest.h"

/* The range_test: section (SPEC §11), defaults filled in. */
typedef struct {
	lrs_range_config ramp;     /* mode, start/end_lr, eval_every, eval_samples,
	                              smoothing, stop_factor; iterations 0 when
	                              the length is given in epochs            */
	double epochs;             /* length in epochs when iterations is 0    */
	long repeats;              /* independent tests (default 1)            */
	const char *pick;          /* rule name (default "accuracy")           */
	int has_bounds;            /* bounds: given, skip the test             */
	double min_lr, max_lr;     /* the given bounds                         */
} lrs_range_settings;

typedef struct {
	char *path;                /* the file as named on the command line   */
	char *text;                /* its contents, as given                  */
	lrs_node *root;            /* the parsed tree                         */
	const char *name;          /* name: letters, digits, - _ .            */
	uint64_t seed;             /* master seed (default 0)                 */
	const char *db;            /* db: path, or NULL for results/<name>.db */
	lrs_data_config data;      /* the data: section, resolved             */
	lrs_mlp_config model;      /* inputs/outputs are 0 until data loads   */
	lrs_optim_config optim;
	long batch_size;
	const lrs_node *range_test; /* range_test: section, or NULL           */
	lrs_range_settings range;   /* it, checked, with defaults             */
	const lrs_node *trials;     /* trials: section, or NULL               */
} lrs_experiment;

/* Reads and checks experiment file `path`. On failure returns LRS_EINVALID
 * with every problem found, one "file:line:column: message" per line (an
 * unreadable file too: it is bad input), or LRS_ENOMEM. */
int lrs_experiment_load(lrs_experiment **out, const char *path);

/* Frees an experiment; accepts NULL. */
void lrs_experiment_free(lrs_experiment *e);

#endif
