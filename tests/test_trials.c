/* test_trials.c - the trials runner (src/sweep/trials.c, runner.c) on
 * small synthetic data: every trial's outcome, epoch by epoch, and every
 * pruning decision the same on 1, 2 and 4 threads and equal to the
 * trials judged one after another; the callbacks one at a time, once per
 * trial and in order; a stop leaves the trials not started pending; a
 * failing callback starts nothing more.
 *
 * The runner starts OpenMP threads: each test runs in Check's forked
 * child (or, with CK_FORK=no, in one process that never forks), so no
 * OpenMP runtime is started before a fork. */
#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lrsweep/error.h"
#include "lrsweep/experiment.h"
#include "lrsweep/plan.h"
#include "lrsweep/prune.h"
#include "lrsweep/trials.h"
#include "suites.h"

/* Noisy spirals; constant rates from far too low to far too high (the
 * last diverges), each on a slow model and then a fast one: 14 trials
 * whose accuracies differ, so that the rules prune some and keep others,
 * and whose speeds differ, so that on several threads a later trial
 * reaches an epoch before an earlier one. */
#define EXPERIMENT \
	"name: trials\nseed: 7\n" \
	"data: {train: {format: synthetic, kind: spirals, samples: 300, classes: 3, noise: 0.3}, " \
	"validation: 0.2, normalize: standardize}\n" \
	"optimizer: {type: sgd, momentum: 0.9}\n" \
	"batch_size: 32\n" \
	"trials:\n  epochs: 6\n  seeds: [1]\n  schedules:\n" \
	"    - {type: constant, lr: {grid: [0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 1.0e12]}}\n" \
	"  space:\n    model.hidden: {grid: [[96, 96], [4]]}\n"

#define MAX_TRIALS 16
#define MAX_EPOCHS 8

/* What the callbacks saw of one trial. */
typedef struct {
	long start_seq, finish_seq;  /* callback sequence numbers, -1: none   */
	int starts, finishes;        /* calls of on_start, on_finish          */
	long epoch_calls;            /* calls of on_epoch                     */
	int out_of_order;            /* a callback came when it should not    */
	char worker[LRS_WORKER_SIZE]; /* who on_start said trains it          */
	int has_result, pruned, interrupted, failed;
	lrs_train_result res;        /* a copy of *o->result                  */
	lrs_epoch_stats epochs[MAX_EPOCHS];  /* (n_epochs) from on_finish     */
	size_t n_epochs;
} trial_log;

/* What the callbacks saw of a sweep. */
typedef struct {
	trial_log t[MAX_TRIALS];
	atomic_int inside;           /* callbacks running now                 */
	int overlapped;              /* two callbacks ran at once             */
	long seq;                    /* callbacks so far                      */
	volatile sig_atomic_t stop;  /* the sweep's stop flag                 */
	int stop_at_epoch;           /* set stop at the first on_epoch        */
	long stop_seq;               /* the callback that set it, or -1       */
	long stop_trial;             /* whose epoch it was                    */
	int fail_finish;             /* the first on_finish fails             */
	long fail_seq;               /* the callback that failed, or -1       */
} sweep_log;

static void log_init(sweep_log *l)
{
	memset(l, 0, sizeof *l);
	atomic_init(&l->inside, 0);
	l->stop_seq = l->fail_seq = l->stop_trial = -1;
	for (size_t i = 0; i < MAX_TRIALS; i++)
		l->t[i].start_seq = l->t[i].finish_seq = -1;
}

/* Enters a callback: notes an overlap; widens the window for one by a
 * short sleep, as a database commit would. */
static long enter(sweep_log *l)
{
	struct timespec nap = { 0, 200 * 1000L };

	if (atomic_fetch_add(&l->inside, 1) != 0)
		l->overlapped = 1;
	nanosleep(&nap, NULL);
	return l->seq++;
}

static void leave(sweep_log *l)
{
	atomic_fetch_sub(&l->inside, 1);
}

static int on_start(void *ctx, size_t i, const char *worker)
{
	sweep_log *l = ctx;
	trial_log *t = &l->t[i];

	t->start_seq = enter(l);
	t->out_of_order |= t->starts > 0 || t->finishes > 0;
	snprintf(t->worker, sizeof t->worker, "%s", worker ? worker : "");
	t->starts++;
	leave(l);
	return 0;
}

static void on_epoch(void *ctx, size_t i, const lrs_epoch_stats *e)
{
	sweep_log *l = ctx;
	trial_log *t = &l->t[i];
	long seq = enter(l);

	t->out_of_order |= t->starts != 1 || t->finishes > 0 || e->epoch != t->epoch_calls + 1;
	t->epoch_calls++;
	if (l->stop_at_epoch && !l->stop) {
		l->stop = 1;
		l->stop_seq = seq;
		l->stop_trial = (long)i;
	}
	leave(l);
}

static int on_finish(void *ctx, size_t i, const lrs_trial_outcome *o)
{
	sweep_log *l = ctx;
	trial_log *t = &l->t[i];
	int rc = 0;

	t->finish_seq = enter(l);
	t->out_of_order |= t->starts != 1 || t->finishes > 0 || (long)o->n_epochs != t->epoch_calls;
	t->finishes++;
	t->has_result = o->result != NULL;
	if (o->result)
		t->res = *o->result;
	t->pruned = o->pruned;
	t->interrupted = o->interrupted;
	t->failed = o->error != NULL;
	t->n_epochs = o->n_epochs < MAX_EPOCHS ? o->n_epochs : MAX_EPOCHS;
	memcpy(t->epochs, o->epochs, t->n_epochs * sizeof *t->epochs);
	if (l->fail_finish && l->fail_seq < 0) {
		l->fail_seq = t->finish_seq;
		rc = lrs_error_set(LRS_ERROR, "the store is full") != 0;
	}
	leave(l);
	return rc;
}

/* ------------------------------------------------------------ fixtures */

typedef struct {
	lrs_experiment *e;
	lrs_dataset *ds;
	lrs_plan plan;
	size_t all[MAX_TRIALS];      /* 0 .. plan.n - 1 */
} fixture;

static void fixture_load(fixture *f)
{
	char path[64] = "/tmp/lrsweep-test-trials-XXXXXX";
	int fd = mkstemp(path);
	FILE *file;

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(file = fdopen(fd, "w"));
	fputs(EXPERIMENT, file);
	fclose(file);
	memset(f, 0, sizeof *f);
	ck_assert_msg(lrs_experiment_load(&f->e, path) == 0, "%s", lrs_error_last());
	unlink(path);
	ck_assert_msg(lrs_dataset_load(&f->ds, &f->e->data) == 0, "%s", lrs_error_last());
	ck_assert_msg(lrs_plan_build(&f->plan, f->e, f->ds, 0.01, 0.1) == 0, "%s", lrs_error_last());
	ck_assert_uint_le(f->plan.n, MAX_TRIALS);
	ck_assert_int_lt(f->plan.items[0].epochs, MAX_EPOCHS);
	for (size_t i = 0; i < f->plan.n; i++)
		f->all[i] = i;
}

static void fixture_free(fixture *f)
{
	lrs_plan_free(&f->plan);
	lrs_dataset_free(f->ds);
	lrs_experiment_free(f->e);
}

/* Runs which[0..n) on `threads` threads with `prune` (NULL: none) into l
 * (set up by the caller); returns lrs_trials_run's code. */
static int sweep(sweep_log *l, const fixture *f, const size_t *which, size_t n, int threads,
                 const lrs_prune_config *prune, const lrs_trials_prior *prior)
{
	lrs_trials_hooks hooks = { l, on_start, on_epoch, on_finish, &l->stop };

	return lrs_trials_run(&f->plan, which, n, f->ds, threads, prune, prior, &hooks);
}

/* Every callback one at a time, each trial started and finished once, in
 * order. */
static void assert_well_ordered(const sweep_log *l, size_t n)
{
	ck_assert_msg(!l->overlapped, "two callbacks ran at once");
	for (size_t i = 0; i < n; i++) {
		const trial_log *t = &l->t[i];
		ck_assert_msg(!t->out_of_order, "trial %zu: a callback out of order", i);
		/* who trains it: this host, one of the sweep's threads */
		ck_assert_msg(strstr(t->worker, "/thread ") && t->worker[0] != '/', "trial %zu: worker '%s'", i,
		              t->worker);
		ck_assert_int_eq(t->starts, 1);
		ck_assert_int_eq(t->finishes, 1);
		ck_assert_int_lt(t->start_seq, t->finish_seq);
	}
}

static int same_number(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

/* Two epochs alike in every number but the wall time. */
static int same_epoch(const lrs_epoch_stats *a, const lrs_epoch_stats *b)
{
	return a->epoch == b->epoch && a->steps == b->steps && same_number(a->lr, b->lr) &&
	       same_number(a->train_loss, b->train_loss) && same_number(a->train_accuracy, b->train_accuracy) &&
	       same_number(a->val_loss, b->val_loss) && same_number(a->val_accuracy, b->val_accuracy);
}

/* Trial i of a and b alike in every outcome and stored number but the
 * wall times. */
static void assert_same_trial(const sweep_log *a, const sweep_log *b, size_t i, const char *what)
{
	const trial_log *x = &a->t[i], *y = &b->t[i];

	ck_assert_msg(x->has_result == y->has_result && x->pruned == y->pruned &&
	              x->interrupted == y->interrupted && x->failed == y->failed,
	              "%s: trial %zu: outcome differs (pruned %d/%d)", what, i, x->pruned, y->pruned);
	ck_assert_msg(x->n_epochs == y->n_epochs, "%s: trial %zu: %zu epochs against %zu", what, i,
	              x->n_epochs, y->n_epochs);
	for (size_t k = 0; k < x->n_epochs; k++)
		ck_assert_msg(same_epoch(&x->epochs[k], &y->epochs[k]), "%s: trial %zu: epoch %zu differs",
		              what, i, k + 1);
	ck_assert(x->res.status == y->res.status && x->res.epochs_done == y->res.epochs_done);
	ck_assert(x->res.steps == y->res.steps && x->res.diverged_at == y->res.diverged_at);
	ck_assert(x->res.best_epoch == y->res.best_epoch);
	ck_assert(same_number(x->res.best_val_accuracy, y->res.best_val_accuracy));
	ck_assert(same_number(x->res.test_loss, y->res.test_loss));
	ck_assert(same_number(x->res.test_accuracy, y->res.test_accuracy));
	ck_assert(x->res.epochs_done == 0 || same_epoch(&x->res.last, &y->res.last));
}

/* The decisions of judging the trials one after another in plan order,
 * from their unpruned curves `full`: stop[i] is the epoch after which
 * trial i is pruned, 0 when it is not. */
static void sequential_decisions(long *stop, const sweep_log *full, const lrs_plan *plan,
                                 const lrs_prune_config *pc)
{
	long reached[MAX_TRIALS];
	double others[MAX_TRIALS];

	for (size_t i = 0; i < plan->n; i++) {
		const trial_log *t = &full->t[i];
		double best = -INFINITY;

		stop[i] = 0;
		reached[i] = (long)t->n_epochs;
		for (long e = 1; e <= (long)t->n_epochs && !stop[i]; e++) {
			double v = t->epochs[e - 1].val_accuracy;
			size_t n = 0;
			int goes_on;

			if (v > best)
				best = v;
			if (!lrs_prune_judged(pc, e, plan->items[i].epochs))
				continue;
			for (size_t j = 0; j < i; j++)
				if (reached[j] >= e)
					others[n++] = full->t[j].epochs[e - 1].val_accuracy;
			goes_on = pc->type == LRS_PRUNE_ASHA ? lrs_asha_promotes(v, others, n, pc->reduction_factor)
			                                     : lrs_median_continues(best, others, n);
			if (!goes_on)
				reached[i] = stop[i] = e;
		}
	}
}

/* ------------------------------------------------------------ tests */

/* The thread counts every sweep is compared on. */
static const int thread_counts[3] = { 1, 2, 4 };

/* The whole plan, pruned by pc (NULL: not), on each of thread_counts into
 * logs[0..3), each sweep's callbacks well ordered. */
static void sweep_on_each(sweep_log logs[3], const fixture *f, const lrs_prune_config *pc)
{
	for (int k = 0; k < 3; k++) {
		log_init(&logs[k]);
		ck_assert_msg(sweep(&logs[k], f, f->all, f->plan.n, thread_counts[k], pc, NULL) == 0, "%s",
		              lrs_error_last());
		assert_well_ordered(&logs[k], f->plan.n);
	}
}

/* Without pruning: the same outcome of every trial on 1, 2 and 4 threads;
 * the plan has trials that complete and trials that diverge. */
START_TEST(same_results_on_any_thread_count)
{
	static sweep_log logs[3];
	fixture f;
	size_t completed = 0, diverged = 0;

	fixture_load(&f);
	sweep_on_each(logs, &f, NULL);
	for (size_t i = 0; i < f.plan.n; i++) {
		const trial_log *t = &logs[0].t[i];
		ck_assert(t->has_result && !t->pruned && !t->interrupted);
		completed += t->res.status == LRS_RUN_COMPLETED && t->n_epochs == (size_t)f.plan.items[i].epochs;
		diverged += t->res.status == LRS_RUN_DIVERGED;
		assert_same_trial(&logs[0], &logs[1], i, "2 threads");
		assert_same_trial(&logs[0], &logs[2], i, "4 threads");
	}
	ck_assert_uint_gt(completed, 0);
	ck_assert_uint_gt(diverged, 0);
	fixture_free(&f);
}
END_TEST

/* Pruning by `pc`: on 1, 2 and 4 threads, the trials pruned after the
 * epochs of judging them one after another, and every number of every
 * trial the unpruned run's up to there. */
static void check_pruning(const lrs_prune_config *pc)
{
	static sweep_log full, logs[3];
	long stop[MAX_TRIALS];
	size_t pruned = 0;
	fixture f;

	fixture_load(&f);
	log_init(&full);
	ck_assert(sweep(&full, &f, f.all, f.plan.n, 1, NULL, NULL) == 0);
	sequential_decisions(stop, &full, &f.plan, pc);
	sweep_on_each(logs, &f, pc);
	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < f.plan.n; i++) {
			const trial_log *t = &logs[k].t[i];
			size_t epochs = stop[i] ? (size_t)stop[i] : full.t[i].n_epochs;

			ck_assert_msg(t->pruned == (stop[i] != 0), "%d threads: trial %zu pruned %d, expected after "
			              "epoch %ld", thread_counts[k], i, t->pruned, stop[i]);
			ck_assert_uint_eq(t->n_epochs, epochs);
			ck_assert(!t->interrupted && t->has_result);
			for (size_t e = 0; e < epochs; e++)
				ck_assert(same_epoch(&t->epochs[e], &full.t[i].epochs[e]));
			if (k > 0)
				assert_same_trial(&logs[0], &logs[k], i, "pruned");
		}
	}
	for (size_t i = 0; i < f.plan.n; i++)
		pruned += stop[i] != 0;
	ck_assert_uint_gt(pruned, 0);   /* the rule had something to decide */
	fixture_free(&f);
}

START_TEST(asha_decisions_on_any_thread_count)
{
	lrs_prune_config asha = { LRS_PRUNE_ASHA, 1, 2 };   /* rungs after epochs 1, 2, 4 */

	check_pruning(&asha);
}
END_TEST

START_TEST(median_decisions_on_any_thread_count)
{
	lrs_prune_config median = { LRS_PRUNE_MEDIAN, 2, 3 };

	check_pruning(&median);
}
END_TEST

/* A resumed sweep: the trials kept from before, handed in as the prior,
 * are judged against as if they had run in this sweep. */
START_TEST(prior_judged_as_if_run)
{
	static sweep_log whole, first, rest;
	lrs_prune_config asha = { LRS_PRUNE_ASHA, 1, 2 };
	long epochs[MAX_TRIALS] = { 0 };
	const double *val[MAX_TRIALS] = { NULL };
	double curves[MAX_TRIALS][MAX_EPOCHS];
	fixture f;
	size_t half;

	fixture_load(&f);
	half = f.plan.n / 2;
	log_init(&whole);
	ck_assert(sweep(&whole, &f, f.all, f.plan.n, 2, &asha, NULL) == 0);
	log_init(&first);
	ck_assert(sweep(&first, &f, f.all, half, 2, &asha, NULL) == 0);
	for (size_t i = 0; i < half; i++) {
		epochs[i] = (long)first.t[i].n_epochs;
		for (size_t e = 0; e < first.t[i].n_epochs; e++)
			curves[i][e] = first.t[i].epochs[e].val_accuracy;
		val[i] = curves[i];
	}
	lrs_trials_prior prior = { epochs, val };
	log_init(&rest);
	ck_assert(sweep(&rest, &f, f.all + half, f.plan.n - half, 2, &asha, &prior) == 0);
	for (size_t i = 0; i < f.plan.n; i++)
		assert_same_trial(&whole, i < half ? &first : &rest, i, "resumed");
	fixture_free(&f);
}
END_TEST

/* A stop: no trial starts after it, the running ones end interrupted (or
 * completed, past their last epoch), the rest get no callback at all. */
static void check_stop(int threads)
{
	static sweep_log l;
	size_t started = 0;
	fixture f;

	fixture_load(&f);
	log_init(&l);
	l.stop_at_epoch = 1;
	ck_assert_int_eq(sweep(&l, &f, f.all, f.plan.n, threads, NULL, NULL), 0);
	ck_assert(!l.overlapped);
	ck_assert_int_ge(l.stop_trial, 0);
	ck_assert(l.t[l.stop_trial].interrupted);
	ck_assert_uint_eq(l.t[l.stop_trial].n_epochs, 1);
	for (size_t i = 0; i < f.plan.n; i++) {
		const trial_log *t = &l.t[i];
		ck_assert(!t->out_of_order);
		ck_assert_int_eq(t->starts, t->finishes);
		if (!t->starts)
			continue;
		started++;
		ck_assert_int_lt(t->start_seq, l.stop_seq);
		ck_assert(t->interrupted || t->n_epochs == (size_t)f.plan.items[i].epochs ||
		          t->res.status == LRS_RUN_DIVERGED);
	}
	ck_assert_uint_le(started, (size_t)threads);
	if (threads == 1)   /* the first trial alone ran */
		ck_assert_int_eq(l.t[0].starts, 1);
	fixture_free(&f);
}

START_TEST(stop_leaves_the_rest_pending)
{
	check_stop(1);
	check_stop(2);
}
END_TEST

/* A callback that fails: the sweep returns its error and starts nothing
 * after it; what had started still finishes. */
START_TEST(failing_callback_stops_the_sweep)
{
	static sweep_log l;
	fixture f;

	fixture_load(&f);
	log_init(&l);
	l.fail_finish = 1;
	ck_assert_int_eq(sweep(&l, &f, f.all, f.plan.n, 2, NULL, NULL), LRS_ERROR);
	ck_assert_str_eq(lrs_error_last(), "the store is full");
	ck_assert_int_ge(l.fail_seq, 0);
	for (size_t i = 0; i < f.plan.n; i++) {
		ck_assert_int_eq(l.t[i].starts, l.t[i].finishes);
		ck_assert(l.t[i].start_seq < l.fail_seq);
	}
	ck_assert_int_eq(l.t[f.plan.n - 1].starts, 0);
	fixture_free(&f);
}
END_TEST

/* A trial the plan marks refused (its schedule refused the values a
 * search chose) is started and finished as failed with that reason,
 * without an epoch; with ASHA on, the others are judged as if it were
 * not there - the same outcomes on 1 and 4 threads. */
START_TEST(refused_trial_fails_untrained)
{
	static sweep_log l[2];
	const lrs_prune_config asha = { LRS_PRUNE_ASHA, 1, 2 };
	const int threads[2] = { 1, 4 };
	fixture f;

	fixture_load(&f);
	f.plan.items[2].error = strdup("exp.yaml:9:7: triangular: parameter 'base_lr' (0.5) must be <= max_lr (0.1)");
	ck_assert_ptr_nonnull(f.plan.items[2].error);
	for (int k = 0; k < 2; k++) {
		log_init(&l[k]);
		ck_assert_msg(sweep(&l[k], &f, f.all, f.plan.n, threads[k], &asha, NULL) == 0, "%s", lrs_error_last());
		assert_well_ordered(&l[k], f.plan.n);
		ck_assert(l[k].t[2].failed && !l[k].t[2].has_result);
		ck_assert_int_eq(l[k].t[2].epoch_calls, 0);
		for (size_t i = 0; i < f.plan.n; i++)
			ck_assert_msg(i == 2 || l[k].t[i].has_result, "trial %zu", i);
	}
	for (size_t i = 0; i < f.plan.n; i++)
		assert_same_trial(&l[0], &l[1], i, "1 and 4 threads, one trial refused");
	fixture_free(&f);
}
END_TEST

Suite *suite_trials(void)
{
	Suite *s = suite_create("trials");
	TCase *tc = tcase_create("trials");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, same_results_on_any_thread_count);
	tcase_add_test(tc, asha_decisions_on_any_thread_count);
	tcase_add_test(tc, median_decisions_on_any_thread_count);
	tcase_add_test(tc, prior_judged_as_if_run);
	tcase_add_test(tc, stop_leaves_the_rest_pending);
	tcase_add_test(tc, failing_callback_stops_the_sweep);
	tcase_add_test(tc, refused_trial_fails_untrained);
	suite_add_tcase(s, tc);
	return s;
}
