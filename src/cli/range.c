/* range.c - the range test as the commands show and store it: shared by
 * `lrsweep range-test` and `lrsweep run`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "progress.h"
#include "range.h"

/* ------------------------------------------------------------ as it runs */

static void probed(void *ctx, const lrs_pick_result *p, const lrs_range_config *rc)
{
	if (((cli_range_view *)ctx)->quiet)
		return;
	if (!p->ok)
		fprintf(stderr, "lrsweep: warning: the probe (exponential %g -> %g, %d updates) found no range "
		        "(%s): the linear test runs %g -> %g\n", LRS_RANGE_PROBE_START, LRS_RANGE_PROBE_END,
		        LRS_RANGE_PROBE_ITERATIONS, p->why, rc->start_lr, rc->end_lr);
	else
		fprintf(stderr, "lrsweep: probe (exponential %g -> %g, %d updates): the loss is lowest near lr %.3g; "
		        "the linear test runs %.3g -> %.3g%s%s\n", LRS_RANGE_PROBE_START, LRS_RANGE_PROBE_END,
		        LRS_RANGE_PROBE_ITERATIONS, p->max_lr / LRS_PICK_PROBE_END, rc->start_lr, rc->end_lr,
		        p->why[0] ? ": " : "", p->why);
}

static void starting(void *ctx, const lrs_range_config *rc, long repeats, long threads)
{
	cli_range_view *v = ctx;
	/* evaluations at steps 0, eval_every, ... (and the last step, which a
	 * test that stops early never reaches: not counted) */
	long evals = (rc->iterations - 1) / rc->eval_every + 1;

	if (!v->quiet && threads == 0)   /* on other ranks: their threads */
		fprintf(stderr, "lrsweep: range test: %ld repeat%s of %ld iterations\n", repeats,
		        repeats > 1 ? "s" : "", rc->iterations);
	else if (!v->quiet)
		fprintf(stderr, "lrsweep: range test: %ld repeat%s of %ld iterations on %ld thread%s\n", repeats,
		        repeats > 1 ? "s" : "", rc->iterations, threads, threads > 1 ? "s" : "");
	if (!v->quiet && evals < LRS_PICK_MIN_EVALS)
		fprintf(stderr, "lrsweep: warning: eval_every %ld gives %ld accuracy evaluation%s over %ld "
		        "iterations (one more if the test runs to its end); the accuracy rule needs %d\n",
		        rc->eval_every, evals, evals == 1 ? "" : "s", rc->iterations, LRS_PICK_MIN_EVALS);
	cli_progress_start(&v->bar, "range test", repeats * rc->iterations, !v->quiet);
}

static void progress(void *ctx, long updates)
{
	cli_progress_add(&((cli_range_view *)ctx)->bar, updates);
}

static void ended(void *ctx)
{
	cli_progress_end(&((cli_range_view *)ctx)->bar);
}

static void warn(void *ctx, const char *rule, const char *text)
{
	if (!((cli_range_view *)ctx)->quiet)
		fprintf(stderr, "lrsweep: warning: %s: %s\n", rule, text);
}

lrs_range_view cli_range_view_of(cli_range_view *v, int quiet)
{
	memset(v, 0, sizeof *v);
	v->quiet = quiet;
	return (lrs_range_view){ v, probed, starting, progress, ended, warn };
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

void cli_range_summary(const lrs_range_outcome *o, const lrs_range_config *rc, const lrs_range_choice *ch,
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
		const char *why = lrs_range_note(note, sizeof note, o, ch, k);
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
