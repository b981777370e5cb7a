/* range.c - the range test as the pipeline runs it, shared by `lrsweep
 * run` (one per group) and `lrsweep range-test`: the probe, the repeats,
 * the choice of rule with its fallback and caveats, and storing it all. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lrsweep/error.h"
#include "lrsweep/node.h"
#include "lrsweep/pipeline.h"
#include "lrsweep/runner.h"

lrs_experiment_info lrs_pipeline_experiment_info(const lrs_experiment *e, const lrs_dataset *ds,
                                                 const char *command)
{
	lrs_experiment_info info = { e->name, e->text, NULL, NULL, (long)ds->train.n, (long)ds->val.n,
	                             (long)ds->test.n, (long)ds->features, ds->classes, command, "" };
	if (!ds->external)   /* a trainer's data is its own: nothing to digest */
		lrs_dataset_digest(info.data_sha256, ds);
	return info;
}

void lrs_pipeline_range_settings(lrs_range_config *rc, lrs_train_config *base, const lrs_experiment *e,
                                 const lrs_dataset *ds, const lrs_net_config *model,
                                 const lrs_optim_config *optim, long batch_size)
{
	*rc = e->range.ramp;
	rc->trial_epochs = e->trial.epochs;
	if (rc->iterations == 0)
		rc->iterations = (long)llround(e->range.epochs * (double)lrs_train_steps_per_epoch(ds, batch_size));
	*base = (lrs_train_config){ .model = *model, .optim = *optim, .batch_size = batch_size, .epochs = 1,
	                            .seed = e->seed, .eval_each_epoch = 1 };
}

int lrs_pipeline_range_length(const lrs_experiment *e, const lrs_range_config *rc, const lrs_dataset *ds,
                              long batch_size)
{
	const lrs_node *n = e->range_test ? lrs_node_get(e->range_test, "epochs") : NULL;

	if (rc->iterations >= 2 || e->range.ramp.iterations)
		return 0;
	return lrs_error_set(LRS_EINVALID, "%s:%d:%d: range_test.epochs %g is %ld update%s (%ld an epoch of "
	                     "%ld training samples at batch_size %ld): a range test needs at least 2; give more "
	                     "epochs, or iterations", e->path, n ? n->line : 1, n ? n->column : 1, e->range.epochs,
	                     rc->iterations, rc->iterations == 1 ? "" : "s", lrs_train_steps_per_epoch(ds, batch_size),
	                     (long)ds->train.n, batch_size);
}

/* The chosen rule's caveats beyond its own: standing in for the rule asked
 * for, repeats that disagree. "" when there are none. */
static void choice_note(char *buf, size_t size, const lrs_range_outcome *o, const lrs_range_choice *ch)
{
	size_t len = 0;

	buf[0] = '\0';
	if (ch->chosen < 0)
		return;
	if (ch->chosen != (int)ch->preferred)
		len += (size_t)snprintf(buf, size, "chosen because %s could not pick (%s)",
		                        lrs_pick_rule_name(ch->preferred), o->picks[ch->preferred].why);
	double spread = fmax(o->min_spread[ch->chosen], o->max_spread[ch->chosen]);
	if (spread > LRS_RANGE_SPREAD && len < size)
		snprintf(buf + len, size - len, "%sthe repeats' picks spread %.2fx: more repeats "
		         "(range_test.repeats) would narrow it", len ? "; " : "", spread);
}

const char *lrs_range_note(char *buf, size_t size, const lrs_range_outcome *o, const lrs_range_choice *ch,
                           int k)
{
	char extra[1024];
	const char *why = o->picks[k].why;

	if (k != ch->chosen)
		return why;
	choice_note(extra, sizeof extra, o, ch);
	if (!extra[0])
		return why;
	snprintf(buf, size, "%s%s%s", extra, why[0] ? "; " : "", why);
	return buf;
}

const char *lrs_range_probe_note(char *buf, size_t size, const lrs_pick_result *probe)
{
	if (!probe->ok)
		snprintf(buf, size, "found no range (%s)", probe->why);
	else
		snprintf(buf, size, "%s", probe->why[0] ? probe->why : "the probe's loss is lowest there");
	return buf;
}

int lrs_pipeline_range(lrs_range_outcome *o, lrs_range_choice *ch, const lrs_dataset *ds,
                       const lrs_train_config *base, lrs_range_config *rc, int auto_range, long repeats,
                       int threads, const lrs_range_view *view)
{
	lrs_pick_result probe;
	char note[1024];
	int err;

	if (auto_range) {
		long probe_iterations;

		if ((err = lrs_range_auto(rc, &probe, &probe_iterations, ds, base)) < 0)
			return err;
		ch->probe_iterations = probe_iterations;
		lrs_range_probe_note(ch->probe_note, sizeof ch->probe_note, &probe);
		if (view && view->probed)
			view->probed(view->ctx, &probe, probe_iterations, rc);
	}
	long nt = lrs_runner_threads(threads) < repeats ? lrs_runner_threads(threads) : repeats;
	if (view && view->starting)
		view->starting(view->ctx, rc, repeats, rc->run_repeats ? 0 : nt);
	if (view && view->progress) {
		rc->progress = view->progress;
		rc->progress_ctx = view->ctx;
	}
	err = lrs_range_test(o, ds, base, rc, repeats, threads);
	rc->progress = NULL;
	rc->progress_ctx = NULL;
	if (view && view->ended)
		view->ended(view->ctx);
	if (err < 0)
		return err;
	ch->chosen = lrs_pick_choose(o->picks, ch->preferred);
	choice_note(note, sizeof note, o, ch);
	if (view && view->warn && note[0])
		view->warn(view->ctx, ch->chosen >= 0 ? lrs_pick_rule_name((lrs_pick_rule)ch->chosen) : "", note);
	return 0;
}

int lrs_pipeline_no_bounds(const lrs_range_outcome *o, const lrs_range_choice *ch, const lrs_range_config *rc)
{
	return lrs_error_set(LRS_ERROR, "no rule could pick bounds from the range test (%s: %s): lengthen the "
	                     "test (range_test.epochs or iterations), lower eval_every (now %ld), or widen the "
	                     "range (start_lr %g, end_lr %g); or give bounds with --min-lr/--max-lr or "
	                     "range_test.bounds", lrs_pick_rule_name(ch->preferred), o->picks[ch->preferred].why,
	                     rc->eval_every, rc->start_lr, rc->end_lr);
}

/* Repeat r's curve as stored, with the probe that set its range. */
static int store_curve(lrs_store *st, int64_t exp_id, const char *group_key, const lrs_range_outcome *o,
                       const lrs_range_config *rc, const lrs_range_choice *ch, long r)
{
	const lrs_range_curve *c = &o->curves[r];
	lrs_range_test_info ti = { (int)r, rc->mode == LRS_RAMP_EXPONENTIAL ? "exponential" : "linear",
	                           rc->start_lr, rc->end_lr, rc->iterations, c->stopped_at, o->seeds[r],
	                           c->wall_seconds, group_key, ch->probe_iterations,
	                           ch->probe_iterations > 0 ? ch->probe_note : NULL };
	lrs_range_point *pts = malloc((c->n > 0 ? (size_t)c->n : 1) * sizeof *pts);
	int err;

	if (!pts)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (long i = 0; i < c->n; i++)
		pts[i] = (lrs_range_point){ i, c->lr[i], c->loss[i], c->smoothed_loss[i], c->accuracy[i] };
	err = lrs_store_range_test_add(NULL, st, exp_id, &ti, pts, (size_t)c->n);
	free(pts);
	return err;
}

int lrs_pipeline_range_store(lrs_store *st, int64_t exp_id, const char *group_key, const lrs_range_outcome *o,
                             const lrs_range_config *rc, const lrs_range_choice *ch)
{
	char notes[LRS_PICK__COUNT][1600];
	lrs_bound_row rows[LRS_PICK__COUNT];
	int err = 0;

	for (long r = 0; r < o->repeats && err == 0; r++)
		err = store_curve(st, exp_id, group_key, o, rc, ch, r);
	if (err < 0)
		return err;
	/* with no pick at all the rule asked for stays marked, as it was */
	int marked = ch->chosen >= 0 ? ch->chosen : (int)ch->preferred;
	for (int k = 0; k < LRS_PICK__COUNT; k++) {
		const char *why = lrs_range_note(notes[k], sizeof notes[k], o, ch, k);
		rows[k] = (lrs_bound_row){ lrs_pick_rule_name((lrs_pick_rule)k),
		                           o->picks[k].ok ? o->picks[k].min_lr : NAN,
		                           o->picks[k].ok ? o->picks[k].max_lr : NAN,
		                           o->min_spread[k], o->max_spread[k], k == marked, why, group_key };
	}
	return lrs_store_bounds_add(st, exp_id, rows, LRS_PICK__COUNT);
}
