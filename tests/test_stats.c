/* test_stats.c - mean, sd, Student's t and Welch's test (src/common/stats.c)
 * against closed forms (df 1: Cauchy, df 2) and printed tables. */
#include <check.h>
#include <math.h>

#include "lrsweep/stats.h"
#include "suites.h"

START_TEST(mean_sd)
{
	const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };

	ck_assert_double_eq_tol(lrs_mean(x, 8), 5, 1e-15);
	ck_assert_double_eq_tol(lrs_sd(x, 8), sqrt(32.0 / 7), 1e-15);
	ck_assert(isnan(lrs_mean(x, 0)));
	ck_assert(isnan(lrs_sd(x, 1)));
}
END_TEST

START_TEST(t_distribution)
{
	/* closed forms: df 1 is Cauchy, df 2 is 1/2 + t / (2 sqrt(2 + t^2)) */
	for (double t = -30; t <= 30; t += 0.37) {
		ck_assert_double_eq_tol(lrs_t_cdf(t, 1), 0.5 + atan(t) / M_PI, 1e-12);
		ck_assert_double_eq_tol(lrs_t_cdf(t, 2), 0.5 + t / (2 * sqrt(2 + t * t)), 1e-12);
	}
	/* t(0.975) from the usual tables, 4 decimals */
	const double df[] = { 1, 2, 4, 10, 30, 1000 }, q[] = { 12.7062, 4.3027, 2.7764, 2.2281, 2.0423, 1.9623 };
	for (int i = 0; i < 6; i++)
		ck_assert_double_eq_tol(lrs_t_quantile(0.975, df[i]), q[i], 5e-5);
	ck_assert_double_eq_tol(lrs_t_quantile(0.5, 7), 0, 1e-6);   /* ample for 4 printed decimals */
	ck_assert_double_eq_tol(lrs_t_quantile(0.025, 4), -2.7764, 5e-5);
	/* the 95 % interval of 3 values with sd 1: 4.3027 / sqrt 3 */
	ck_assert_double_eq_tol(lrs_ci95(1, 3), 4.3027 / sqrt(3), 5e-5);
	ck_assert(isnan(lrs_ci95(1, 1)));
}
END_TEST

START_TEST(welch)
{
	/* equal variances and n = 2 each: df = 2 exactly, p from the closed form */
	double t = (0.9 - 0.8) / sqrt(0.05 * 0.05 / 2 * 2);
	double want = 2 * (1 - (0.5 + t / (2 * sqrt(2 + t * t))));
	ck_assert_double_eq_tol(lrs_welch_p(0.9, 0.05, 2, 0.8, 0.05, 2), want, 1e-12);
	/* symmetric, and 1 for equal means */
	ck_assert_double_eq_tol(lrs_welch_p(0.8, 0.05, 2, 0.9, 0.05, 2), want, 1e-12);
	ck_assert_double_eq_tol(lrs_welch_p(0.8, 0.01, 5, 0.8, 0.03, 7), 1, 1e-12);
	/* far apart with small spread: tiny p; no spread at all: 0 or 1 */
	ck_assert(lrs_welch_p(0.9, 0.001, 5, 0.8, 0.001, 5) < 1e-6);
	ck_assert_double_eq(lrs_welch_p(0.9, 0, 3, 0.8, 0, 3), 0);
	ck_assert_double_eq(lrs_welch_p(0.9, 0, 3, 0.9, 0, 3), 1);
	ck_assert(isnan(lrs_welch_p(0.9, 0.1, 1, 0.8, 0.1, 3)));
}
END_TEST

Suite *suite_stats(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("stats");

	tcase_add_test(tc, mean_sd);
	tcase_add_test(tc, t_distribution);
	tcase_add_test(tc, welch);
	suite_add_tcase(s, tc);
	return s;
}
