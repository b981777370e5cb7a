/* fuzz_experiment.c - the experiment loader: YAML (libyaml) into the
 * experiment's structs with every check of SPEC §11, then the trial plan
 * of its `trials:` section (schedules x grids or random samples x space x
 * seeds, each schedule resolved and checked), as `lrsweep run --dry-run`
 * does before anything runs.
 *
 * Input: the experiment file. Its model is fitted to a stand-in dataset
 * (1000 training samples of 8x8 images, 64 features, 3 classes: a
 * layers: stack's shapes are checked as at load) and the plan built
 * against it with the bounds 0.01 .. 0.1, so that @min, @max and "N
 * epochs" resolve. Data files the experiment names are not loaded.
 *
 * Property: every trial's JSON (its schedule's params, its hyper, a
 * trainer's params as chosen for it: what the store keeps and a program
 * reads) is valid JSON, whatever scalars the file held. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/data.h"
#include "lrsweep/experiment.h"
#include "lrsweep/plan.h"
#include "lrsweep/report.h"
#include "lrsweep/util.h"
#include "fuzz.h"

/* Aborts unless every JSON text of every trial of `plan` is valid. */
static void check_json(const lrs_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		const lrs_trial_spec *t = &plan->items[i];
		if (!lrs_json_valid(t->params) || !lrs_json_valid(t->hyper) || (t->xparams && !lrs_json_valid(t->xparams)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("exp.yaml", data, size);
	lrs_experiment *e = NULL;
	lrs_dataset ds;
	lrs_plan plan;

	if (!path || lrs_experiment_load(&e, path) < 0)
		return 0;
	memset(&ds, 0, sizeof ds);
	ds.train.n = 1000;
	ds.train.d = ds.features = 64;
	ds.rows = ds.cols = 8;
	ds.classes = 3;
	ds.norm_a = ds.norm_b = NAN;
	if (lrs_experiment_fit(e, &ds) < 0)
		goto out;
	FILE *null = fopen("/dev/null", "w");   /* the shape table, as data prints it */
	if (null) {
		lrs_report_model(null, &e->model, 0, e->batch_size);
		fclose(null);
	}
	if (lrs_plan_build(&plan, e, &ds, 0.01, 0.1) == 0) {
		check_json(&plan);
		lrs_plan_free(&plan);
	}
out:
	lrs_experiment_free(e);
	return 0;
}
