/* functions.c - lrsweep's TPE sampler (src/sweep/tpe.c) on known test
 * functions, without any training: the shifted 6-D quadratic and Branin,
 * minimised, `trials` evaluations per search, `repeats` searches with
 * seeds 0.. repeats-1. Proposals come in batches of `batch` from the
 * evaluations finished before the batch (the pipeline's rule), the rest
 * of a batch as pending observations (the constant liar).
 *
 * usage: functions [--trials N] [--repeats R] [--batch B] [--random]
 * prints CSV: function,repeat,best (the best value found). --random draws
 * every point at random (the baseline). bench/search/functions.py runs
 * Optuna's TPESampler on the same functions and budget and compares. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/rng.h"
#include "lrsweep/tpe.h"

#define MAX_DIMS 6

/* sum (x_i - s_i)^2 on [-5, 5]^6, minimum 0 at s */
static double quadratic(const double *x)
{
	static const double shift[MAX_DIMS] = { 1.0, -2.0, 0.5, 3.0, -1.5, 2.5 };
	double f = 0;

	for (int i = 0; i < MAX_DIMS; i++)
		f += (x[i] - shift[i]) * (x[i] - shift[i]);
	return f;
}

/* Branin on [-5, 10] x [0, 15], minimum 0.397887 (three places) */
static double branin(const double *x)
{
	double a = 1, b = 5.1 / (4 * M_PI * M_PI), c = 5 / M_PI, r = 6, s = 10, t = 1 / (8 * M_PI);
	double u = x[1] - b * x[0] * x[0] + c * x[0] - r;

	return a * u * u + s * (1 - t) * cos(x[0]) + s;
}

typedef struct {
	const char *name;
	double (*f)(const double *x);
	size_t dims;
	lrs_tpe_dim space[MAX_DIMS];
} problem;

static const problem problems[] = {
	{ "quadratic6", quadratic, 6,
	  { { LRS_TPE_FLOAT, -5, 5, 0 }, { LRS_TPE_FLOAT, -5, 5, 0 }, { LRS_TPE_FLOAT, -5, 5, 0 },
	    { LRS_TPE_FLOAT, -5, 5, 0 }, { LRS_TPE_FLOAT, -5, 5, 0 }, { LRS_TPE_FLOAT, -5, 5, 0 } } },
	{ "branin", branin, 2, { { LRS_TPE_FLOAT, -5, 10, 0 }, { LRS_TPE_FLOAT, 0, 15, 0 } } },
};

/* One search: the best value found in `trials` evaluations. */
static double search(const problem *p, long trials, long batch, int random, uint64_t seed)
{
	double *x = calloc((size_t)trials * MAX_DIMS, sizeof *x);
	lrs_tpe_obs *obs = calloc((size_t)trials, sizeof *obs);
	double best = INFINITY;
	lrs_tpe_config c;

	if (!x || !obs) {
		fprintf(stderr, "functions: out of memory\n");
		exit(1);
	}
	lrs_tpe_defaults(&c);
	for (long start = 0; start < trials; start += batch) {
		long end = start + batch < trials ? start + batch : trials;
		for (long j = start; j < end; j++) {
			lrs_rng rng;
			lrs_rng_seed(&rng, lrs_rng_mix(seed * 1000003u + (uint64_t)j));
			for (long k = start; k < j; k++)   /* earlier ones of this batch: pending */
				obs[k] = (lrs_tpe_obs){ &x[k * MAX_DIMS], LRS_TPE_PENDING, 0, NAN };
			if (random) {
				for (size_t d = 0; d < p->dims; d++)
					x[j * MAX_DIMS + (long)d] = lrs_tpe_random(&p->space[d], &rng);
			} else if (lrs_tpe_propose(&x[j * MAX_DIMS], p->space, p->dims, obs, (size_t)j, &c, &rng) < 0) {
				fprintf(stderr, "functions: out of memory\n");
				exit(1);
			}
		}
		for (long j = start; j < end; j++) {   /* the batch finishes */
			double v = p->f(&x[j * MAX_DIMS]);
			obs[j] = (lrs_tpe_obs){ &x[j * MAX_DIMS], LRS_TPE_COMPLETE, 0, -v };
			if (v < best)
				best = v;
		}
	}
	free(x);
	free(obs);
	return best;
}

int main(int argc, char **argv)
{
	long trials = 100, repeats = 20, batch = 1;
	int random = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--trials") && i + 1 < argc)
			trials = atol(argv[++i]);
		else if (!strcmp(argv[i], "--repeats") && i + 1 < argc)
			repeats = atol(argv[++i]);
		else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
			batch = atol(argv[++i]);
		else if (!strcmp(argv[i], "--random"))
			random = 1;
		else {
			fprintf(stderr, "usage: functions [--trials N] [--repeats R] [--batch B] [--random]\n");
			return 2;
		}
	}
	if (trials < 1 || repeats < 1 || batch < 1) {
		fprintf(stderr, "functions: --trials, --repeats and --batch take numbers >= 1\n");
		return 2;
	}
	printf("function,repeat,best\n");
	for (size_t k = 0; k < sizeof problems / sizeof problems[0]; k++)
		for (long r = 0; r < repeats; r++)
			printf("%s,%ld,%.17g\n", problems[k].name, r, search(&problems[k], trials, batch, random, (uint64_t)r));
	return 0;
}
