/* check_main.c - the one runner of every Check suite (tests/test_*.c).
 *
 * Check forks each test by default, so a crash fails one test, not the run;
 * CK_FORK=no runs them in-process (for valgrind and debuggers). */
#include <check.h>
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(suite_common());
	int failed;

	srunner_add_suite(sr, suite_schedule());
	srunner_add_suite(sr, suite_data());
	srunner_add_suite(sr, suite_nn());
	srunner_add_suite(sr, suite_net());
	srunner_add_suite(sr, suite_optim());
	srunner_add_suite(sr, suite_train());
	srunner_add_suite(sr, suite_rangetest());
	srunner_add_suite(sr, suite_store());
	srunner_add_suite(sr, suite_pick());
	srunner_add_suite(sr, suite_plan());
	srunner_add_suite(sr, suite_prune());
	srunner_add_suite(sr, suite_stats());
	srunner_add_suite(sr, suite_options());
	srunner_add_suite(sr, suite_trials());
	srunner_add_suite(sr, suite_results());
	srunner_add_suite(sr, suite_tpe());
	srunner_add_suite(sr, suite_kernels());
	srunner_add_suite(sr, suite_external());
	srunner_add_suite(sr, suite_report());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
