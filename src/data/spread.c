/* spread.c - how far apart the spreads of a split's features are, and the
 * warning when features left on their own scales differ too much.
 *
 * A column whose values spread a thousand times wider than the others'
 * (a price in dollars next to ratios) dominates every pre-activation of
 * the first layer: the rates that train it well are not those of the
 * rest, and a range test's loss falls by collapse. Standardizing puts
 * every column at std 1; `normalize: none` and `scale` (one minimum and
 * maximum over every feature) keep the columns' own proportions. The
 * measure is each feature's population std as the model reads it, the
 * largest against the median of the features that vary: one wide column
 * among narrow ones shows, constant columns (std 0) do not count.
 *
 * Pure: arrays in, numbers and text out; the dataset keeps the warning
 * and the command line shows it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lrsweep/error.h"
#include "lrsweep/data.h"
#include "internal.h"

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void lrs_split_feature_stats(const lrs_split *s, double *mean, double *sd, float *row)
{
	size_t d = s->d;

	for (size_t j = 0; j < d; j++)
		mean[j] = sd[j] = 0;
	for (size_t i = 0; i < s->n; i++) {
		lrs_split_row(s, i, row);
		for (size_t j = 0; j < d; j++)
			mean[j] += row[j];
	}
	for (size_t j = 0; j < d; j++)
		mean[j] /= (double)s->n;
	for (size_t i = 0; i < s->n; i++) {
		lrs_split_row(s, i, row);
		for (size_t j = 0; j < d; j++) {
			double e = row[j] - mean[j];
			sd[j] += e * e;
		}
	}
	for (size_t j = 0; j < d; j++)
		sd[j] = sqrt(sd[j] / (double)s->n);
}

int lrs_feature_spread_measure(lrs_feature_spread *out, const lrs_split *s)
{
	size_t d = s->d;
	double *sd = malloc(2 * (d ? d : 1) * sizeof *sd);   /* (d) stds, then (d) means, then the varying stds */
	float *row = malloc((d ? d : 1) * sizeof *row);      /* (d) one row                                      */

	*out = (lrs_feature_spread){ .ratio = 1 };
	if (!sd || !row) {
		free(sd);
		free(row);
		return lrs_error_set(LRS_ENOMEM, "out of memory (%zu bytes for feature statistics)",
		                     d * (2 * sizeof *sd + sizeof *row));
	}
	if (s->n > 0)
		lrs_split_feature_stats(s, sd + d, sd, row);
	for (size_t j = 0; s->n > 0 && j < d; j++) {
		if (!(sd[j] > 0))
			continue;
		if (sd[j] > out->max_std) {
			out->max_std = sd[j];
			out->widest = j;
		}
		sd[d + out->varying++] = sd[j];   /* the means are spent: the varying stds */
	}
	if (out->varying > 0) {
		qsort(sd + d, out->varying, sizeof *sd, compare_doubles);
		out->median_std = sd[d + (out->varying - 1) / 2];
		out->ratio = out->max_std / out->median_std;
	}
	free(sd);
	free(row);
	return 0;
}

int lrs_feature_spread_warning(char *buf, size_t cap, const lrs_feature_spread *spread, lrs_normalize norm,
                               const char *name, const char *column)
{
	char col[64];

	if (cap)
		buf[0] = '\0';
	if ((norm != LRS_NORM_NONE && norm != LRS_NORM_SCALE) || !(spread->ratio > LRS_SPREAD_WARN_RATIO))
		return 0;
	if (column)
		snprintf(col, sizeof col, "'%.40s'", column);
	else
		snprintf(col, sizeof col, "%zu", spread->widest + 1);
	snprintf(buf, cap, "%s: features left on their own scales (normalize: %s) span %.1f decades of spread "
	         "(column %s std %.3g, median column std %.3g): one column dominates the first layer and its good "
	         "learning rates; normalize: standardize puts every column at std 1", name,
	         norm == LRS_NORM_NONE ? "none" : "scale", log10(spread->ratio), col, spread->max_std,
	         spread->median_std);
	return 1;
}
