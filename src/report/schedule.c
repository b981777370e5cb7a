/* schedule.c - one schedule's rates as `lrsweep schedule` shows them
 * (report.h): rows of step, rate and momentum as CSV, JSON or an aligned
 * table, or a plot of both against the step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lrsweep/error.h"
#include "lrsweep/plot.h"
#include "lrsweep/report.h"
#include "lrsweep/schedule.h"

/* %.17g, or null where JSON has no number (inf, nan). */
static void json_number(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.17g", v);
	else
		fprintf(f, "null");
}

static void rows_csv(FILE *f, const double *lr, const double *mom, long steps)
{
	fprintf(f, mom ? "step,lr,momentum\n" : "step,lr\n");
	for (long i = 0; i < steps; i++) {
		if (mom)
			fprintf(f, "%ld,%.17g,%.17g\n", i, lr[i], mom[i]);
		else
			fprintf(f, "%ld,%.17g\n", i, lr[i]);
	}
}

static void rows_json(FILE *f, const double *lr, const double *mom, long steps)
{
	fprintf(f, "[\n");
	for (long i = 0; i < steps; i++) {
		fprintf(f, "  {\"step\": %ld, \"lr\": ", i);
		json_number(f, lr[i]);
		if (mom) {
			fprintf(f, ", \"momentum\": ");
			json_number(f, mom[i]);
		}
		fprintf(f, "}%s\n", i + 1 < steps ? "," : "");
	}
	fprintf(f, "]\n");
}

static void rows_table(FILE *f, const double *lr, const double *mom, long steps)
{
	fprintf(f, mom ? "%10s  %-14s  %-10s\n" : "%10s  %-14s\n", "step", "lr", "momentum");
	for (long i = 0; i < steps; i++) {
		if (mom)
			fprintf(f, "%10ld  %-14.8g  %-10.6g\n", i, lr[i], mom[i]);
		else
			fprintf(f, "%10ld  %-14.8g\n", i, lr[i]);
	}
}

void lrs_report_schedule_rows(FILE *f, lrs_format fmt, const double *lr, const double *mom, long steps)
{
	if (fmt == LRS_FMT_CSV)
		rows_csv(f, lr, mom, steps);
	else if (fmt == LRS_FMT_JSON)
		rows_json(f, lr, mom, steps);
	else
		rows_table(f, lr, mom, steps);
}

int lrs_report_schedule_plot(const char *path, const lrs_sched *s, const double *lr, const double *mom, long steps)
{
	double *x = malloc((size_t)steps * sizeof *x);
	char title[256];
	int rc;

	if (!x)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (long i = 0; i < steps; i++)
		x[i] = (double)i;
	snprintf(title, sizeof title, "%s (%s), %ld steps", lrs_sched_type_name(lrs_sched_get_type(s)),
	         lrs_sched_type_origin(lrs_sched_get_type(s)), steps);
	lrs_plot_series series[2] = {
		{ .title = "learning rate", .x = x, .y = lr, .n = (size_t)steps },
		{ .title = "momentum", .x = x, .y = mom, .n = (size_t)steps, .right_axis = 1 },
	};
	lrs_plot_opts opts = { .title = title, .xlabel = "step", .ylabel = "learning rate", .y2label = "momentum" };
	rc = lrs_plot_lines(path, &opts, series, mom ? 2 : 1);
	free(x);
	return rc;
}
