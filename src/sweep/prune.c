/* prune.c - the pruning rules (prune.h): pure arithmetic on values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/prune.h"

long lrs_asha_rung(long epoch, long grace, long eta)
{
	long r = grace, k = 0;

	if (grace < 1 || eta < 2)
		return -1;
	while (r < epoch) {
		if (r > epoch / eta)   /* r * eta > epoch, without overflow */
			return -1;
		r *= eta;
		k++;
	}
	return r == epoch ? k : -1;
}

int lrs_prune_judged(const lrs_prune_config *c, long epoch, long epochs)
{
	if (epoch >= epochs || epoch < c->grace_epochs)
		return 0;
	if (c->type == LRS_PRUNE_MEDIAN)
		return 1;
	if (c->type == LRS_PRUNE_ASHA)
		return lrs_asha_rung(epoch, c->grace_epochs, c->reduction_factor) >= 0;
	return 0;
}

int lrs_asha_promotes(double value, const double *others, size_t n, long eta)
{
	size_t better = 0, top = (n + 1) / (size_t)eta;

	if (isnan(value))
		return 0;
	if (top < 1)
		top = 1;
	for (size_t i = 0; i < n; i++)
		better += others[i] > value;   /* NAN is never better */
	return better < top;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int lrs_median_continues(double best, const double *others, size_t n)
{
	double *v, median;
	size_t m = 0;

	if (n == 0)
		return 1;
	v = malloc(n * sizeof *v);
	if (!v)
		return 1;   /* no memory to judge with: let it run */
	for (size_t i = 0; i < n; i++)
		if (!isnan(others[i]))
			v[m++] = others[i];
	if (m == 0) {
		free(v);
		return 1;
	}
	qsort(v, m, sizeof *v, cmp_double);
	median = m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
	free(v);
	return !(best < median);
}
