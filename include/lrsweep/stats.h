/* stats.h - the few statistics `query compare` needs: mean and sample
 * standard deviation, Student's t quantiles for confidence intervals, and
 * Welch's t-test for "indistinguishable from the best". Pure functions. */
#ifndef LRSWEEP_STATS_H
#define LRSWEEP_STATS_H

#include <stddef.h>

/* Mean of the n values (NAN when n == 0). */
double lrs_mean(const double *x, size_t n);

/* Sample standard deviation, divisor n - 1 (NAN when n < 2). */
double lrs_sd(const double *x, size_t n);

/* P(T <= t) for Student's t with df > 0 degrees of freedom. */
double lrs_t_cdf(double t, double df);

/* The p-quantile of Student's t with df degrees of freedom, 0 < p < 1. */
double lrs_t_quantile(double p, double df);

/* Half-width of the two-sided 95 % confidence interval of the mean of n
 * values with sample sd `sd`: t(0.975, n-1) sd / sqrt(n); NAN when n < 2. */
double lrs_ci95(double sd, size_t n);

/* Two-sided p-value of Welch's t-test of equal means for two samples given
 * by their means, sample sds and sizes; NAN when either n < 2. Two samples
 * without spread are equal (p = 1) or different (p = 0). */
double lrs_welch_p(double m1, double s1, size_t n1, double m2, double s2, size_t n2);

#endif
