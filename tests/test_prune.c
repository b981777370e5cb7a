/* test_prune.c - the pruning rules (src/sweep/prune.c): the rung
 * arithmetic of ASHA exactly, when a trial is judged, who goes on. */
#include <check.h>
#include <limits.h>
#include <math.h>

#include "lrsweep/prune.h"
#include "suites.h"

START_TEST(asha_rungs)
{
	/* grace 1, eta 3: rungs at 1, 3, 9, 27 */
	static const long e13[] = { 1, 2, 3, 4, 8, 9, 10, 26, 27, 28, 81 };
	static const long k13[] = { 0, -1, 1, -1, -1, 2, -1, -1, 3, -1, 4 };
	for (size_t i = 0; i < sizeof e13 / sizeof e13[0]; i++)
		ck_assert_int_eq(lrs_asha_rung(e13[i], 1, 3), k13[i]);
	/* grace 2, eta 2: 2, 4, 8, 16 */
	static const long e22[] = { 1, 2, 3, 4, 6, 8, 12, 16 };
	static const long k22[] = { -1, 0, -1, 1, -1, 2, -1, 3 };
	for (size_t i = 0; i < sizeof e22 / sizeof e22[0]; i++)
		ck_assert_int_eq(lrs_asha_rung(e22[i], 2, 2), k22[i]);
	/* grace 5, eta 4: 5, 20, 80 */
	ck_assert_int_eq(lrs_asha_rung(20, 5, 4), 1);
	ck_assert_int_eq(lrs_asha_rung(80, 5, 4), 2);
	ck_assert_int_eq(lrs_asha_rung(40, 5, 4), -1);
	/* no overflow on the way to a huge epoch; nonsense settings */
	ck_assert_int_eq(lrs_asha_rung(LONG_MAX, 1, 3), -1);
	ck_assert_int_eq(lrs_asha_rung(3, 0, 3), -1);
	ck_assert_int_eq(lrs_asha_rung(3, 1, 1), -1);
}
END_TEST

START_TEST(when_judged)
{
	lrs_prune_config asha = { LRS_PRUNE_ASHA, 1, 3 };
	lrs_prune_config median = { LRS_PRUNE_MEDIAN, 2, 3 };
	lrs_prune_config none = { LRS_PRUNE_NONE, 1, 3 };
	long e;

	/* 9 epochs: asha judges after 1 and 3, not after 9 (the end) */
	for (e = 1; e <= 9; e++)
		ck_assert_int_eq(lrs_prune_judged(&asha, e, 9), e == 1 || e == 3);
	/* 10 epochs: 9 is a rung now */
	ck_assert(lrs_prune_judged(&asha, 9, 10));
	/* median from grace on, never after the last epoch */
	for (e = 1; e <= 5; e++)
		ck_assert_int_eq(lrs_prune_judged(&median, e, 5), e >= 2 && e < 5);
	for (e = 1; e <= 5; e++)
		ck_assert(!lrs_prune_judged(&none, e, 5));
}
END_TEST

START_TEST(asha_promotion)
{
	const double two[] = { 0.9, 0.8 }, five[] = { 0.9, 0.8, 0.7, 0.6, 0.5 };
	const double with_nan[] = { NAN, 0.4 };

	ck_assert(lrs_asha_promotes(0.1, NULL, 0, 3));            /* alone: goes on */
	/* 3 values, eta 3: only the best goes on */
	ck_assert(!lrs_asha_promotes(0.85, two, 2, 3));
	ck_assert(lrs_asha_promotes(0.95, two, 2, 3));
	/* 6 values, eta 3: the top 2 */
	ck_assert(lrs_asha_promotes(0.85, five, 5, 3));
	ck_assert(!lrs_asha_promotes(0.75, five, 5, 3));
	/* 6 values, eta 2: the top 3 */
	ck_assert(lrs_asha_promotes(0.75, five, 5, 2));
	ck_assert(!lrs_asha_promotes(0.65, five, 5, 2));
	/* ties go on; NAN never wins and never beats */
	ck_assert(lrs_asha_promotes(0.9, two, 1, 2));
	ck_assert(!lrs_asha_promotes(NAN, two, 0, 2));
	ck_assert(lrs_asha_promotes(0.5, with_nan, 2, 3));
}
END_TEST

START_TEST(median_rule)
{
	const double odd[] = { 0.5, 0.9, 0.7 }, even[] = { 0.7, 0.5 }, nan[] = { NAN, 0.8, NAN };

	ck_assert(lrs_median_continues(0.1, NULL, 0));
	ck_assert(!lrs_median_continues(0.69, odd, 3));
	ck_assert(lrs_median_continues(0.7, odd, 3));             /* at the median: goes on */
	ck_assert(!lrs_median_continues(0.59, even, 2));          /* median 0.6 */
	ck_assert(lrs_median_continues(0.61, even, 2));
	ck_assert(!lrs_median_continues(0.79, nan, 3));           /* NAN ignored: median 0.8 */
	ck_assert(lrs_median_continues(0.1, nan, 1));             /* only NAN: goes on */
}
END_TEST

Suite *suite_prune(void)
{
	Suite *s = suite_create("prune");
	TCase *tc = tcase_create("prune");

	tcase_add_test(tc, asha_rungs);
	tcase_add_test(tc, when_judged);
	tcase_add_test(tc, asha_promotion);
	tcase_add_test(tc, median_rule);
	suite_add_tcase(s, tc);
	return s;
}
