/* cmd_data.c - `lrsweep data EXP.yaml`: loads the data as the experiment
 * configures it (split, normalised) and describes each split: samples,
 * features, classes, class balance, value range; and says how it was
 * read: the normalisation applied and why (and the warning when columns
 * left on their own scales differ widely in spread), how the labels became classes
 * (with the label each class stands for when they were mapped), a CSV
 * file's delimiter and header, the dtypes, shapes, order and archive
 * members of npy and npz arrays; and the model's shape table on it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/data.h"
#include "lrsweep/error.h"
#include "lrsweep/experiment.h"
#include "cli.h"

#define CMD "data"
#define MAX_LABEL_WIDTH 40   /* longer label names are cut in the class table */

static const char *const norm_names[] = { "scale", "standardize", "none", "auto" };   /* by lrs_normalize */

static const char about[] =
	"Loads the experiment's data as configured (limit, validation split,\n"
	"normalisation) and prints, for train, validation and test: samples,\n"
	"features, classes, the samples per class and the range of the values;\n"
	"then the normalisation applied and why, how the labels became class\n"
	"numbers (and the label of each class when they were mapped), and a\n"
	"CSV file's delimiter and header, and the dtype, shape, order and archive\n"
	"member of each npy or npz array; last, the model's shape table on this\n"
	"data: each layer's output shape and parameters, the totals, and the\n"
	"memory one training run holds.\n";

/* Parses data's argv: 0, LRS_OPT_HELP (written to stdout) or an error. */
static int parse_args(int argc, char **argv, cli_globals *g, const char **path)
{
	const lrs_opt opts[] = { CLI_OPT_EXP_FILE(path), CLI_OPT_GLOBALS(g) };
	const lrs_opt_spec spec = { cli_program, CMD, opts, CLI_N_OPTS(opts), about, NULL, 0 };

	return cli_parse(&spec, argc, argv, stdout);
}

/* Prints the split's line; `row` is scratch for one row. */
static void describe(const char *name, const lrs_split *s, float *row)
{
	double lo = INFINITY, hi = -INFINITY, sum = 0, sq = 0;
	size_t count = s->n * s->d;

	for (size_t i = 0; i < s->n; i++) {
		lrs_split_row(s, i, row);
		for (size_t j = 0; j < s->d; j++) {
			double v = row[j];
			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
			sum += v;
			sq += v * v;
		}
	}
	if (count == 0) {
		printf("%-10s  %8zu  %8s\n", name, s->n, "-");
		return;
	}
	double mean = sum / (double)count;
	printf("%-10s  %8zu  %8zu  %10.4g  %10.4g  %10.4g  %10.4g\n", name, s->n, s->d, lo, hi, mean,
	       sqrt(fmax(0, sq / (double)count - mean * mean)));
}

/* How the data was read: normalisation, labels, CSV layout. */
static void describe_reading(const lrs_experiment *e, const lrs_dataset *ds)
{
	const char *delim = ds->delimiter == '\t' ? "tab" : ds->delimiter == ';' ? "';'" :
	                    ds->delimiter == '|' ? "'|'" :
	                    ds->delimiter == LRS_DELIM_WHITESPACE ? "whitespace (runs of blanks)" : "','";

	printf("normalize %s: %s\n", norm_names[ds->normalize], ds->normalize_why);
	if (ds->normalize != LRS_NORM_STANDARDIZE && ds->spread.varying > 0)   /* standardized: all at 1 */
		printf("feature spread: the largest std (feature %zu) %.3g is %.3gx the median %.3g of %zu varying "
		       "features (a warning above %gx unless standardized)\n", ds->spread.widest + 1, ds->spread.max_std,
		       ds->spread.ratio, ds->spread.median_std, ds->spread.varying, LRS_SPREAD_WARN_RATIO);
	if (ds->spread_warning)
		printf("warning: %s\n", ds->spread_warning);
	switch (ds->labels) {
	case LRS_LABELS_AS_GIVEN:
		printf("labels: numbers 0 .. %d, used as the class numbers\n", ds->classes - 1);
		break;
	case LRS_LABELS_NUMBERS:
		printf("labels: numbers %s .. %s, not 0 .. %d: mapped to classes 0 .. %d in increasing order "
		       "(the label column below)\n", ds->class_names[0], ds->class_names[ds->classes - 1],
		       ds->classes - 1, ds->classes - 1);
		break;
	case LRS_LABELS_NAMES:
		printf("labels: %d names, mapped to classes 0 .. %d in sorted (byte) order (the label column below)\n",
		       ds->classes, ds->classes - 1);
		break;
	}
	if (ds->delimiter)
		printf("csv: delimiter %s (%s), %s\n", delim, e->data.train.delimiter ? "as set" : "detected",
		       ds->header ? "a header row" : "no header row");
	if (ds->read_train)
		printf("train %s\n", ds->read_train);
	if (ds->read_test)
		printf("test %s\n", ds->read_test);
	for (size_t k = 0; k < ds->n_label_warnings; k++)
		printf("warning: %s\n", ds->label_warnings[k]);
}

int cmd_data(int argc, char **argv, cli_globals *g)
{
	const char *path = NULL;
	lrs_experiment *e = NULL;
	lrs_dataset *ds = NULL;
	size_t *counts = NULL;
	float *row = NULL;      /* (features) one row, for describe */
	int status;

	if ((status = parse_args(argc, argv, g, &path)) != 0)
		return cli_parsed(CMD, status);
	if ((status = cli_load(CMD, path, &e, &ds)) != 0)
		return status;

	printf("%s: %zu features, %d classes, normalize: %s\n", e->name, ds->features, ds->classes,
	       norm_names[ds->normalize]);
	describe_reading(e, ds);
	printf("\n");
	counts = calloc(3 * (size_t)ds->classes, sizeof *counts);
	row = malloc(ds->features * sizeof *row);
	if (!counts || !row) {
		status = cli_fail(CMD, lrs_error_set(LRS_ENOMEM, "out of memory"));
		goto out;
	}
	printf("%-10s  %8s  %8s  %10s  %10s  %10s  %10s\n", "split", "samples", "features", "min", "max", "mean", "std");
	describe("train", &ds->train, row);
	describe("validation", &ds->val, row);
	describe("test", &ds->test, row);

	lrs_split_class_counts(counts, &ds->train, ds->classes);
	lrs_split_class_counts(counts + ds->classes, &ds->val, ds->classes);
	lrs_split_class_counts(counts + 2 * ds->classes, &ds->test, ds->classes);
	if (!ds->class_names) {
		printf("\nsamples per class\n%-6s  %8s  %10s  %8s\n", "class", "train", "validation", "test");
		for (int c = 0; c < ds->classes; c++)
			printf("%-6d  %8zu  %10zu  %8zu\n", c, counts[c], counts[ds->classes + c],
			       counts[2 * ds->classes + c]);
		goto model;
	}
	int width = 5;   /* of the label column: the longest name, at most MAX_LABEL_WIDTH */
	for (int c = 0; c < ds->classes; c++) {
		lrs_buf name = { 0 };   /* as shown: escaped, cut at a whole character */
		lrs_buf_printable(&name, ds->class_names[c], MAX_LABEL_WIDTH);
		width = name.len > (size_t)width ? (int)name.len : width;
		lrs_buf_free(&name);
	}
	printf("\nsamples per class\n%-6s  %-*s  %8s  %10s  %8s\n", "class", width, "label", "train", "validation", "test");
	for (int c = 0; c < ds->classes; c++) {
		lrs_buf name = { 0 };   /* a label of the file may hold an escape or a tab */
		lrs_buf_printable(&name, ds->class_names[c], MAX_LABEL_WIDTH);
		printf("%-6d  %-*s  %8zu  %10zu  %8zu\n", c, width, name.data ? name.data : "?", counts[c],
		       counts[ds->classes + c], counts[2 * ds->classes + c]);
		lrs_buf_free(&name);
	}
model:
	printf("\n");
	cli_model_table(stdout, e, ds);
out:
	free(counts);
	free(row);
	lrs_dataset_free(ds);
	lrs_experiment_free(e);
	return status;
}
