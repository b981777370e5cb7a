/* run.c - what `lrsweep run` prints on stdout (report.h): the plan of a
 * dry run, the leaderboard of the configurations as the results module
 * ranks and names them, and the totals of the trials run. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lrsweep/pipeline.h"
#include "lrsweep/report.h"
#include "lrsweep/results.h"
#include "lrsweep/util.h"

/* Stored or planned text (a label, a params value) as a table cell: its
 * tabs, newlines and escapes shown escaped, padded to `width` bytes. */
static void put_printable(FILE *f, const char *s, int width)
{
	lrs_buf b = { 0 };

	lrs_buf_printable(&b, s, 0);
	fprintf(f, "%-*s", width, b.data ? b.data : "?");
	lrs_buf_free(&b);
}

static size_t printable_len(const char *s)
{
	lrs_buf b = { 0 };
	size_t n;

	lrs_buf_printable(&b, s, 0);
	n = b.len;
	lrs_buf_free(&b);
	return n;
}

void lrs_report_plan(FILE *f, const lrs_pipeline *p)
{
	const lrs_plan *plan = &p->plan;
	const lrs_experiment *e = p->e;

	fprintf(f, "plan: %zu trial%s (%zu configuration%s x %zu seed%s), %ld epoch%s each, ", plan->n,
	       plan->n == 1 ? "" : "s", plan->configs, plan->configs == 1 ? "" : "s", e->trial.n_seeds,
	       e->trial.n_seeds == 1 ? "" : "s", e->trial.epochs, e->trial.epochs == 1 ? "" : "s");
	if (!p->planned && p->n_groups > 1)
		fprintf(f, "bounds from %zu range tests, one per group (not run in a dry run): the keys below are "
		       "provisional, they depend on the bounds they will pick\n\n", p->n_groups);
	else if (!p->planned)
		fprintf(f, "bounds from the range test (not run in a dry run): the keys below are provisional, they depend "
		       "on the bounds it will pick\n\n");
	else
		fprintf(f, "bounds %.4g .. %.4g\n\n", p->groups[0].min_lr, p->groups[0].max_lr);
	if (p->n_groups > 1) {
		fprintf(f, "%5s  %6s  %11s  %s\n", "group", "trials", "first trial", "range test for");
		for (size_t k = 0; k < p->n_groups; k++) {
			fprintf(f, "%5zu  %6zu  %11zu  ", k + 1, p->groups[k].trials, p->groups[k].first + 1);
			put_printable(f, p->groups[k].key, 0);
			fputc('\n', f);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "%5s  %-16s  %20s  %5s  %s\n", "trial", "key", "seed", "batch", "configuration");
	for (size_t i = 0; i < plan->n; i++) {
		fprintf(f, "%5zu  %-16s  %20llu  ", i + 1, plan->items[i].key, (unsigned long long)plan->items[i].seed);
		fprintf(f, "%5ld  ", plan->items[i].batch_size);
		put_printable(f, plan->items[i].label, 0);
		fputc('\n', f);
	}
}



/* "0.8712 ± 0.0021", "0.8712" alone (one seed), or "-" (no value);
 * padded to a column unless last. */
static void print_mean_sd(FILE *f, double mean, double sd, int last)
{
	char cell[40];

	if (isnan(mean))
		snprintf(cell, sizeof cell, "-");
	else if (isnan(sd))
		snprintf(cell, sizeof cell, "%.4f", mean);
	else
		snprintf(cell, sizeof cell, "%.4f ± %.4f", mean, sd);
	fprintf(f, last ? "%s" : "%-18s", cell);   /* ± is two bytes */
}

/* The configurations compared as `lrsweep query compare` ranks and names
 * them, with mean ± sd over their seeds. */
int lrs_report_leaderboard(FILE *f, lrs_store *st, int64_t exp_id)
{
	lrs_results r;
	int rc, width = 48;   /* the label column: wider for a longer label */

	if ((rc = lrs_results_load(&r, st, exp_id, NULL)) < 0)
		return rc;
	for (size_t k = 0; k < r.n_ranked; k++)
		if (printable_len(r.configs[r.ranked[k]].label) > (size_t)width)
			width = (int)printable_len(r.configs[r.ranked[k]].label);
	fprintf(f, "\nleaderboard (mean ± sd over seeds of completed trials; ranked by validation accuracy)\n\n");
	fprintf(f, "%4s  %-*s  %3s  %-17s  %s\n", "rank", width, "configuration", "n", "best val acc", "test acc");
	for (size_t k = 0; k < r.n_ranked; k++) {
		const lrs_result_config *c = &r.configs[r.ranked[k]];
		fprintf(f, "%4zu  ", c->rank);
		put_printable(f, c->label, width);
		fprintf(f, "  %3zu  ", c->n);
		print_mean_sd(f, c->mean, c->sd, 0);
		fprintf(f, "  ");
		print_mean_sd(f, c->mean_test, c->sd_test, 1);
		fprintf(f, "\n");
	}
	lrs_results_free(&r);
	return 0;
}

void lrs_report_run_totals(FILE *f, const lrs_pipeline *p, const char *path)
{
	size_t done = 0;

	for (int s = 0; s <= LRS_TRIAL_INTERRUPTED; s++)
		done += p->counts[s];
	fprintf(f, "\n%zu trial%s run: %zu completed, %zu pruned, %zu diverged, %zu failed", done, done == 1 ? "" : "s",
	       p->counts[LRS_TRIAL_COMPLETED], p->counts[LRS_TRIAL_PRUNED], p->counts[LRS_TRIAL_DIVERGED],
	       p->counts[LRS_TRIAL_FAILED]);
	if (p->kept)
		fprintf(f, "; %zu kept from before", p->kept);
	fprintf(f, "; stored in %s (experiment %lld)\n", path, (long long)p->experiment_id);
	if (p->counts[LRS_TRIAL_PRUNED])
		fprintf(f, "pruning saved %ld of %ld epochs (%.0f%%)\n", p->epochs_planned - p->epochs_run, p->epochs_planned,
		       100.0 * (double)(p->epochs_planned - p->epochs_run) / (double)p->epochs_planned);
}
