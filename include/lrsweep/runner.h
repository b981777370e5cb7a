/* runner.h - the one place where lrsweep starts threads: independent tasks
 * (range-test repeats, trials) on OpenMP threads, one task per thread,
 * handed out dynamically. Each task must be single-threaded and touch
 * nothing shared but read-only data, so that results do not depend on the
 * thread count. Nested parallel regions inside a task (none today) run
 * with one thread: OpenMP's nesting is off. */
#ifndef LRSWEEP_RUNNER_H
#define LRSWEEP_RUNNER_H

/* A task: returns 0 or a negative error code (its message set in the
 * thread's error slot). */
typedef int (*lrs_task_fn)(void *ctx, long index);

/* Runs fn(ctx, i) for i = 0..n-1 on `threads` threads (<= 0: one per
 * core). Tasks are handed out in increasing order of i, each to the first
 * free thread: when task i starts, every task before it has been taken by
 * a thread that runs it or has run it. All tasks run even if some fail;
 * returns 0, or the code of the failed task with the lowest index, its
 * message copied to the caller's thread. */
int lrs_run_tasks(long n, int threads, lrs_task_fn fn, void *ctx);

/* The number of threads `threads` means (<= 0: the cores available). */
int lrs_runner_threads(int threads);

/* The calling thread's number in the team of lrs_run_tasks running it
 * (0 .. threads - 1; 0 outside one). */
int lrs_runner_thread(void);

#endif
