/* suites.h - one Suite constructor per tests/test_<module>.c. */
#ifndef LRSWEEP_TESTS_SUITES_H
#define LRSWEEP_TESTS_SUITES_H

#include <check.h>

Suite *suite_common(void);     /* test_common.c: error, util, rng, node, YAML */
Suite *suite_schedule(void);   /* test_schedule.c: every schedule type        */

#endif
