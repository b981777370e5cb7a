/* stats.c - mean, sd, Student's t and Welch's test (stats.h). The t
 * distribution's CDF comes from the regularised incomplete beta function,
 * evaluated by its continued fraction (Lentz's method), as in every
 * numerical library; quantiles by bisection on the CDF. */
#include <math.h>

#include "lrsweep/stats.h"

double lrs_mean(const double *x, size_t n)
{
	double s = 0;

	if (n == 0)
		return NAN;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	return s / (double)n;
}

double lrs_sd(const double *x, size_t n)
{
	double m = lrs_mean(x, n), s = 0;

	if (n < 2)
		return NAN;
	for (size_t i = 0; i < n; i++)
		s += (x[i] - m) * (x[i] - m);
	return sqrt(s / (double)(n - 1));
}

/* The continued fraction of the incomplete beta function I_x(a, b). */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 300; m++) {
		double m2 = 2.0 * m, aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));

		d = 1 + aa * d;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + aa * d;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		double del = d * c;
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

/* The regularised incomplete beta function I_x(a, b). */
static double beta_inc(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double lrs_t_cdf(double t, double df)
{
	double tail = 0.5 * beta_inc(df / 2, 0.5, df / (df + t * t));   /* P(T > |t|) */

	return t >= 0 ? 1 - tail : tail;
}

double lrs_t_quantile(double p, double df)
{
	double lo = -1e4, hi = 1e4;

	for (int i = 0; i < 200 && hi - lo > 1e-12 * (1 + fabs(lo)); i++) {
		double mid = (lo + hi) / 2;

		if (lrs_t_cdf(mid, df) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

double lrs_ci95(double sd, size_t n)
{
	if (n < 2 || isnan(sd))
		return NAN;
	return lrs_t_quantile(0.975, (double)(n - 1)) * sd / sqrt((double)n);
}

double lrs_welch_p(double m1, double s1, size_t n1, double m2, double s2, size_t n2)
{
	double v1, v2, se2, t, df;

	if (n1 < 2 || n2 < 2 || isnan(s1) || isnan(s2))
		return NAN;
	v1 = s1 * s1 / (double)n1;
	v2 = s2 * s2 / (double)n2;
	se2 = v1 + v2;
	if (se2 == 0)
		return m1 == m2 ? 1 : 0;
	t = (m1 - m2) / sqrt(se2);
	df = se2 * se2 / (v1 * v1 / (double)(n1 - 1) + v2 * v2 / (double)(n2 - 1));
	return 2 * (1 - lrs_t_cdf(fabs(t), df));
}
