/* range.c - the range test as it runs, on stderr: the probe's answer, the
 * repeats and threads, the progress bar, the choice's warnings; shared by
 * `lrsweep range-test` and `lrsweep run` (the summary after it is
 * report.h's lrs_report_range_summary). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "progress.h"
#include "range.h"

/* ------------------------------------------------------------ as it runs */

static void probed(void *ctx, const lrs_pick_result *p, long iterations, const lrs_range_config *rc)
{
	char note[LRS_RANGE_PROBE_NOTE];

	if (((cli_range_view *)ctx)->quiet)
		return;
	if (!p->ok)
		fprintf(stderr, "%s: warning: the probe (exponential %g -> %g, %ld updates) found no range "
		        "(%s): the linear test runs %g -> %g\n", cli_program, LRS_RANGE_PROBE_START, LRS_RANGE_PROBE_END,
		        iterations, p->why, rc->start_lr, rc->end_lr);
	else
		fprintf(stderr, "%s: probe (exponential %g -> %g, %ld updates): the linear test runs %.3g -> "
		        "%.3g: %s\n", cli_program, LRS_RANGE_PROBE_START, LRS_RANGE_PROBE_END, iterations,
		        rc->start_lr, rc->end_lr, lrs_range_probe_note(note, sizeof note, p));
}

static void starting(void *ctx, const lrs_range_config *rc, long repeats, long threads)
{
	cli_range_view *v = ctx;
	/* evaluations at steps 0, eval_every, ... (and the last step, which a
	 * test that stops early never reaches: not counted) */
	long evals = (rc->iterations - 1) / rc->eval_every + 1;

	if (!v->quiet && threads == 0)   /* on other ranks: their threads */
		fprintf(stderr, "%s: range test: %ld repeat%s of %ld iterations\n", cli_program, repeats,
		        repeats > 1 ? "s" : "", rc->iterations);
	else if (!v->quiet)
		fprintf(stderr, "%s: range test: %ld repeat%s of %ld iterations on %ld thread%s\n", cli_program, repeats,
		        repeats > 1 ? "s" : "", rc->iterations, threads, threads > 1 ? "s" : "");
	if (!v->quiet && evals < LRS_PICK_MIN_EVALS)
		fprintf(stderr, "%s: warning: eval_every %ld gives %ld accuracy evaluation%s over %ld "
		        "iterations (one more if the test runs to its end); the accuracy rule needs %d\n", cli_program,
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
		fprintf(stderr, "%s: warning: %s: %s\n", cli_program, rule, text);
}

lrs_range_view cli_range_view_of(cli_range_view *v, int quiet)
{
	memset(v, 0, sizeof *v);
	v->quiet = quiet;
	return (lrs_range_view){ v, probed, starting, progress, ended, warn };
}
