/* runner.c - independent tasks on OpenMP threads (see runner.h).
 *
 * One mechanism hands out the tasks: a shared counter that each thread of
 * the team takes its next index from. The order in which indices are taken
 * is thus the order of the tasks, which the trials' pruning relies on
 * (OpenMP's own dynamic schedule promises no such order). Errors are per
 * thread (lrs_error_*), so each failed task's message is kept here and the
 * lowest-indexed one is handed to the caller's thread. */
#include <omp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/blas.h"
#include "lrsweep/error.h"
#include "lrsweep/runner.h"

int lrs_runner_threads(int threads)
{
	return threads > 0 ? threads : omp_get_num_procs();
}

int lrs_runner_thread(void)
{
	return omp_get_thread_num();
}

int lrs_run_tasks(long n, int threads, lrs_task_fn fn, void *ctx)
{
	int *codes = calloc(n > 0 ? (size_t)n : 1, sizeof *codes);
	char (*msgs)[512] = calloc(n > 0 ? (size_t)n : 1, sizeof *msgs);
	atomic_long next;          /* the next task to hand out */
	int rc = 0;

	if (!codes || !msgs) {
		free(codes);
		free(msgs);
		return lrs_error_set(LRS_ENOMEM, "out of memory for %ld tasks", n);
	}
	atomic_init(&next, 0);
	/* the tasks train: BLAS loads here, before there are threads (loading
	 * may set an environment variable, see blas.c); a task that finds it
	 * missing reports that itself */
	lrs_blas_init();
	/* no more threads than tasks: the others would only start and idle */
	int team = lrs_runner_threads(threads);
	if (team > n)
		team = n > 0 ? (int)n : 1;
	#pragma omp parallel num_threads(team)
	for (long i = atomic_fetch_add(&next, 1); i < n; i = atomic_fetch_add(&next, 1)) {
		codes[i] = fn(ctx, i);
		if (codes[i] < 0) {
			strncpy(msgs[i], lrs_error_last(), sizeof msgs[i] - 1);
			msgs[i][sizeof msgs[i] - 1] = '\0';
		}
	}
	for (long i = 0; i < n && rc == 0; i++)
		if (codes[i] < 0)
			rc = lrs_error_set(codes[i], "%s", msgs[i]);
	free(codes);
	free(msgs);
	return rc;
}
