/* range.c - the range test as the commands show and store it: shared by
 * `lrsweep range-test` and `lrsweep run`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lrsweep/error.h"
#include "lrsweep/plot.h"
#include "lrsweep/runner.h"
#include "progress.h"
#include "range.h"

lrs_experiment_info cli_experiment_info(const lrs_experiment *e, const lrs_dataset *ds, const char *command)
{
	lrs_experiment_info info = { e->name, e->text, NULL, NULL, (long)ds->train.n, (long)ds->val.n,
	                             (long)ds->test.n, (long)ds->features, ds->classes, command };
	return info;
}

/* The probe, when the experiment gives no range: the linear test's
 * start_lr and end_lr from a short exponential test. */
static int probe(lrs_range_config *rc, const cli_globals *g, const lrs_dataset *ds, const lrs_train_config *base)
{
	lrs_pick_result p;
	int err;

	if ((err = lrs_range_auto(rc, &p, ds, base)) < 0 || g->quiet)
		return err;
	if (!p.ok)
		fprintf(stderr, "lrsweep: warning: the probe (exponential %g -> %g, %d updates) found no range "
		        "(%s): the linear test runs %g -> %g\n", LRS_RANGE_PROBE_START, LRS_RANGE_PROBE_END,
		        LRS_RANGE_PROBE_ITERATIONS, p.why, rc->start_lr, rc->end_lr);
	else
		fprintf(stderr, "lrsweep: probe (exponential %g -> %g, %d updates): the loss is lowest near lr %.3g; "
		        "the linear test runs %.3g -> %.3g%s%s\n", LRS_RANGE_PROBE_START, LRS_RANGE_PROBE_END,
		        LRS_RANGE_PROBE_ITERATIONS, p.max_lr / LRS_PICK_PROBE_END, rc->start_lr, rc->end_lr,
		        p.why[0] ? ": " : "", p.why);
	return 0;
}

/* The chosen rule's caveats beyond its own: standing in for the rule asked
 * for, repeats that disagree. "" when there are none. */
static void choice_note(char *buf, size_t size, const lrs_range_outcome *o, const cli_range_choice *ch)
{
	size_t len = 0;

	buf[0] = '\0';
	if (ch->chosen < 0)
		return;
	if (ch->chosen != (int)ch->preferred)
		len += (size_t)snprintf(buf, size, "chosen because %s could not pick (%s)",
		                        lrs_pick_rule_name(ch->preferred), o->picks[ch->preferred].why);
	double spread = fmax(o->min_spread[ch->chosen], o->max_spread[ch->chosen]);
	if (spread > CLI_RANGE_SPREAD && len < size)
		snprintf(buf + len, size - len, "%sthe repeats' picks spread %.2fx: more repeats "
		         "(range_test.repeats) would narrow it", len ? "; " : "", spread);
}

/* Rule k's note as printed and stored: its own caveat or reason, after
 * the choice's note when k is the chosen rule. */
static const char *row_note(char *buf, size_t size, const lrs_range_outcome *o, const cli_range_choice *ch, int k)
{
	char extra[600];
	const char *why = o->picks[k].why;

	if (k != ch->chosen)
		return why;
	choice_note(extra, sizeof extra, o, ch);
	if (!extra[0])
		return why;
	snprintf(buf, size, "%s%s%s", extra, why[0] ? "; " : "", why);
	return buf;
}

int cli_range_run(lrs_range_outcome *o, cli_range_choice *ch, const cli_globals *g, const lrs_dataset *ds,
                  const lrs_train_config *base, lrs_range_config *rc, int auto_range, long repeats, int threads)
{
	cli_progress bar;
	char note[600];
	int err;

	if (auto_range && (err = probe(rc, g, ds, base)) < 0)
		return err;
	/* evaluations at steps 0, eval_every, ... (and the last step, which a
	 * test that stops early never reaches: not counted) */
	long evals = (rc->iterations - 1) / rc->eval_every + 1;
	long nt = lrs_runner_threads(threads) < repeats ? lrs_runner_threads(threads) : repeats;
	if (!g->quiet && rc->run_repeats)   /* on other ranks: their threads */
		fprintf(stderr, "lrsweep: range test: %ld repeat%s of %ld iterations\n", repeats,
		        repeats > 1 ? "s" : "", rc->iterations);
	else if (!g->quiet)
		fprintf(stderr, "lrsweep: range test: %ld repeat%s of %ld iterations on %ld thread%s\n", repeats,
		        repeats > 1 ? "s" : "", rc->iterations, nt, nt > 1 ? "s" : "");
	if (!g->quiet && evals < LRS_PICK_MIN_EVALS)
		fprintf(stderr, "lrsweep: warning: eval_every %ld gives %ld accuracy evaluation%s over %ld "
		        "iterations (one more if the test runs to its end); the accuracy rule needs %d\n",
		        rc->eval_every, evals, evals == 1 ? "" : "s", rc->iterations, LRS_PICK_MIN_EVALS);
	cli_progress_start(&bar, "range test", repeats * rc->iterations, !g->quiet);
	rc->progress = cli_progress_add;
	rc->progress_ctx = &bar;
	err = lrs_range_test(o, ds, base, rc, repeats, threads);
	cli_progress_end(&bar);
	rc->progress = NULL;
	rc->progress_ctx = NULL;
	if (err < 0)
		return err;
	ch->chosen = lrs_pick_choose(o->picks, ch->preferred);
	choice_note(note, sizeof note, o, ch);
	if (!g->quiet && note[0])
		fprintf(stderr, "lrsweep: warning: %s: %s\n", ch->chosen >= 0 ? lrs_pick_rule_name((lrs_pick_rule)ch->chosen) : "",
		        note);
	return 0;
}

int cli_range_no_bounds(const lrs_range_outcome *o, const cli_range_choice *ch, const lrs_range_config *rc)
{
	return lrs_error_set(LRS_ERROR, "no rule could pick bounds from the range test (%s: %s): lengthen the "
	                     "test (range_test.epochs or iterations), lower eval_every (now %ld), or widen the "
	                     "range (start_lr %g, end_lr %g); or give bounds with --min-lr/--max-lr or "
	                     "range_test.bounds", lrs_pick_rule_name(ch->preferred), o->picks[ch->preferred].why,
	                     rc->eval_every, rc->start_lr, rc->end_lr);
}

static void print_bound(double v)
{
	if (isnan(v))
		printf("  %11s", "-");
	else
		printf("  %11.4g", v);
}

static void print_spread(double v)
{
	if (isnan(v))
		printf("  %10s", "-");
	else
		printf("  %9.2fx", v);
}

void cli_range_summary(const lrs_range_outcome *o, const lrs_range_config *rc, const cli_range_choice *ch,
                       long spe)
{
	int chosen = ch->chosen;
	char note[900];

	printf("range test: %s %g -> %g over %ld iterations (%.3g epochs of %ld), %ld repeat%s in %.1f s\n\n",
	       rc->mode == LRS_RAMP_EXPONENTIAL ? "exponential" : "linear", rc->start_lr, rc->end_lr,
	       rc->iterations, (double)rc->iterations / (double)spe, spe, o->repeats, o->repeats > 1 ? "s" : "",
	       o->wall_seconds);
	printf("%6s  %20s  %10s  %10s  %8s\n", "repeat", "seed", "points", "stopped_at", "seconds");
	for (long r = 0; r < o->repeats; r++) {
		const lrs_range_curve *c = &o->curves[r];
		printf("%6ld  %20llu  %10ld  ", r, (unsigned long long)o->seeds[r], c->n);
		if (c->stopped_at >= 0)
			printf("%10ld", c->stopped_at);
		else
			printf("%10s", "-");
		printf("  %8.1f%s\n", c->wall_seconds, c->diverged ? "  (diverged)" : "");
	}
	printf("\n%-15s  %11s  %11s  %10s  %10s\n", "rule", "min_lr", "max_lr", "min_spread", "max_spread");
	for (int k = 0; k < LRS_PICK__COUNT; k++) {
		const lrs_pick_result *p = &o->picks[k];
		printf("%-13s%s", lrs_pick_rule_name((lrs_pick_rule)k), k == chosen ? " *" : "  ");
		print_bound(p->ok ? p->min_lr : NAN);
		print_bound(p->ok ? p->max_lr : NAN);
		print_spread(o->min_spread[k]);
		print_spread(o->max_spread[k]);
		const char *why = row_note(note, sizeof note, o, ch, k);
		if (why[0])
			printf("  (%s%s)", p->ok ? "" : "no pick: ", why);
		printf("\n");
	}
	if (chosen >= 0)
		printf("\nbounds (%s%s%s): min_lr %.4g, max_lr %.4g\n", lrs_pick_rule_name((lrs_pick_rule)chosen),
		       chosen != (int)ch->preferred ? ", in place of " : "",
		       chosen != (int)ch->preferred ? lrs_pick_rule_name(ch->preferred) : "", o->picks[chosen].min_lr,
		       o->picks[chosen].max_lr);
	else
		printf("\nno bounds: no rule could pick (%s: %s)\n", lrs_pick_rule_name(ch->preferred),
		       o->picks[ch->preferred].why);
}

int cli_range_store(lrs_store *st, int64_t exp_id, const lrs_range_outcome *o, const lrs_range_config *rc,
                    const cli_range_choice *ch)
{
	char note[900];
	lrs_range_point *pts = NULL;
	int err = 0;

	for (long r = 0; r < o->repeats && err == 0; r++) {
		const lrs_range_curve *c = &o->curves[r];
		lrs_range_test_info ti = { (int)r, rc->mode == LRS_RAMP_EXPONENTIAL ? "exponential" : "linear",
		                           rc->start_lr, rc->end_lr, rc->iterations, c->stopped_at, o->seeds[r],
		                           c->wall_seconds };
		free(pts);
		pts = malloc((c->n > 0 ? (size_t)c->n : 1) * sizeof *pts);
		if (!pts)
			return lrs_error_set(LRS_ENOMEM, "out of memory");
		for (long i = 0; i < c->n; i++)
			pts[i] = (lrs_range_point){ i, c->lr[i], c->loss[i], c->smoothed_loss[i], c->accuracy[i] };
		err = lrs_store_range_test_add(NULL, st, exp_id, &ti, pts, (size_t)c->n);
	}
	free(pts);
	if (err < 0)
		return err;
	lrs_bound_row rows[LRS_PICK__COUNT];
	/* with no pick at all the rule asked for stays marked, as it was */
	int marked = ch->chosen >= 0 ? ch->chosen : (int)ch->preferred;
	for (int k = 0; k < LRS_PICK__COUNT; k++) {
		const char *why = row_note(note, sizeof note, o, ch, k);
		rows[k] = (lrs_bound_row){ lrs_pick_rule_name((lrs_pick_rule)k),
		                           o->picks[k].ok ? o->picks[k].min_lr : NAN,
		                           o->picks[k].ok ? o->picks[k].max_lr : NAN,
		                           o->min_spread[k], o->max_spread[k], k == marked, why };
	}
	return lrs_store_bounds_add(st, exp_id, rows, LRS_PICK__COUNT);
}

int cli_range_plot(const char *path, const cli_range_curves *c)
{
	double *ax = malloc((c->n > 0 ? c->n : 1) * sizeof *ax);
	double *ay = malloc((c->n > 0 ? c->n : 1) * sizeof *ay);
	double marks[2] = { c->min_lr, c->max_lr }, top = 0;
	const char *labels[2] = { "min_lr", "max_lr" };
	char title[160];
	size_t m = 0;
	int err;

	if (!ax || !ay) {
		free(ax);
		free(ay);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < c->n; i++)
		if (!isnan(c->accuracy[i])) {
			ax[m] = c->lr[i];
			ay[m++] = c->accuracy[i];
		}
	lrs_plot_series s[3] = {
		{ .title = "training loss", .x = c->lr, .y = c->loss, .n = c->n },
		{ .title = "smoothed loss", .x = c->lr, .y = c->smoothed_loss, .n = c->n },
		{ .title = "validation accuracy", .x = ax, .y = ay, .n = m, .right_axis = 1 },
	};
	snprintf(title, sizeof title, "LR range test (%s), mean of %ld repeat%s, bounds: %s",
	         c->exponential ? "exponential" : "linear", c->repeats, c->repeats > 1 ? "s" : "", c->rule);
	/* the loss axis ends a little above the smoothed curve's start, so the
	 * spike where the test stops does not flatten everything else */
	for (size_t i = 0; i < c->n; i++)
		top = fmax(top, c->smoothed_loss[i]);
	/* a linear ramp over more than a decade is drawn on a log axis too: on
	 * a linear one the low rates, where the bounds usually are, get a
	 * sliver at the left (1e-4 to 1: bounds at 0.015 and 0.03 in its
	 * first 3 %); within a decade (the CLR paper's tests) it stays linear */
	double lo = HUGE_VAL, hi = 0;
	for (size_t i = 0; i < c->n; i++)
		if (isfinite(c->lr[i]) && c->lr[i] > 0) {
			lo = fmin(lo, c->lr[i]);
			hi = fmax(hi, c->lr[i]);
		}
	int logx = c->exponential || hi > 10 * lo;
	lrs_plot_opts opts = { .title = title, .xlabel = logx ? "learning rate (log scale)" : "learning rate",
	                       .ylabel = "loss", .y2label = "validation accuracy", .logx = logx, .marks = marks,
	                       .mark_labels = labels, .n_marks = isnan(c->max_lr) ? 0 : 2, .ymax = 1.5 * top,
	                       .key_below = 1 };
	err = lrs_plot_lines(path, &opts, s, 3);
	free(ax);
	free(ay);
	return err;
}
