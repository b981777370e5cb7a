/* main.c - bin/lrsweep-mpi: `lrsweep run` across MPI ranks (SPEC §9), the
 * only file that knows MPI (built by `make mpi` with mpicc).
 *
 * Rank 0 runs the ordinary command line. When `run` reaches its trials it
 * calls this driver's sweep() instead of running them on its own threads:
 * rank 0 broadcasts the bounds, then hands out trial indices - the next
 * one to whichever worker thread asks - and stores each result as it comes
 * back through run's own callbacks, so rank 0 is the only writer and the
 * database is the one a single-machine run makes. Every other rank loads
 * the experiment and its data itself, builds the same plan from the
 * broadcast bounds (the plan is a pure function of the file and the
 * bounds), and serves: ask, train, send the result, on each of its
 * threads. A trial trains the same on any rank, so the stored numbers are
 * those of `lrsweep run`.
 *
 * The range tests' repeats go out the same way when rank 0 runs them.
 *
 * Before anything, the ranks compare the SHA-256 of the experiment file
 * each was given (an MPMD command line, or hosts whose copies differ):
 * workers that trained another experiment would have their results stored
 * under rank 0's. Any difference ends every rank with exit status 2.
 * Once its data is loaded and its plan checked, before the database
 * opens, rank 0 likewise gathers each worker's load: an error (a data file
 * missing on that host) or a SHA-256 of the samples and labels it loaded
 * (PHASE_DATA); a failed load or another digest ends the run, exit 2.
 *
 * A worker rank that is sent SIGINT, SIGTERM or SIGHUP stops its running
 * trial or repeat after the current step and sends it back marked
 * interrupted; rank 0 stores it and stops the run as if it had been
 * signalled itself (mpirun's Ctrl-C signals every rank). Rank 0, stopped
 * by a signal of its own or by such a worker, tells every worker rank to
 * stop too (TAG_STOP, heard by a listening thread on each worker rank,
 * which then acts as that rank's signal would), so that no rank trains on
 * after the run has stopped. Every rank meets the others at the end
 * before it finalizes, so a worker never leaves before rank 0 has stored
 * everything.
 *
 * Rank 0 opens each phase with a broadcast of double[3] {phase, a, b}:
 * PHASE_RANGE {group} (the repeats of that range-test group's test; the
 * groups are those lrs_pipeline_prepare lists, the same on every rank;
 * after the threads' count, its ramp: double[3] {start_lr, end_lr,
 * iterations}, as rank 0's probe set them),
 * PHASE_TRIALS {groups, fields} followed by a broadcast of each group's
 * bounds (double[2 x groups]), PHASE_POINTS {groups, fields} (strategy
 * tpe: one round of trials) followed by the bounds and the plan's given
 * points so far (a long, their length, then double[]: per point its
 * entry, its count of values and the values), from which every rank makes
 * the same plan, PHASE_DATA (each worker's data_report, gathered), or
 * PHASE_HOME (the run ended: before its trials - a bad
 * file, a range test that picked nothing - or after its rounds). After
 * PHASE_POINTS the workers wait for the next phase. Then the worker
 * threads' count is summed, and
 * within a phase (rank 0 <-> worker thread; a thread's tag base is 4 x its
 * index):
 *   worker -> 0   TAG_ASK        nothing: "give me work"
 *   0 -> worker   TAG_TRIAL      long[2]: a plan index or repeat and its
 *                                seed; -1: no more in this phase
 *   worker -> 0   TAG_RESULT     bytes: a trial's outcome or a repeat's
 *                                curve (packed below)
 * and, at most once in a run, to every worker rank (tag TAG_STOP, which
 * no thread's tags use):
 *   0 -> rank     TAG_STOP       nothing: stop after the current step */
#include <errno.h>
#include <math.h>
#include <mpi.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lrsweep/cli.h"
#include "lrsweep/error.h"
#include "lrsweep/experiment.h"
#include "lrsweep/pipeline.h"
#include "lrsweep/plan.h"
#include "lrsweep/rangetest.h"
#include "lrsweep/runner.h"
#include "lrsweep/sha256.h"
#include "lrsweep/trials.h"

enum { TAG_STOP = 0, TAG_ASK = 1, TAG_TRIAL = 2, TAG_RESULT = 3 };

#define POLL_NS 500000L   /* rank 0 looks for messages every 0.5 ms */
#define STOP_POLL_NS 2000000L   /* a worker rank looks for TAG_STOP every 2 ms */

enum { PHASE_HOME = 0, PHASE_RANGE = 1, PHASE_TRIALS = 2, PHASE_POINTS = 3, PHASE_DATA = 4 };

static int rank, ranks, threads_ok;   /* MPI_THREAD_MULTIPLE granted */
static char (*rank_hosts)[MPI_MAX_PROCESSOR_NAME];   /* rank 0: each rank's host,
                                                       from PHASE_DATA; NULL before */
static const char *host_of(int r);
static int trials_announced;          /* rank 0: phase 2 or 3 went out */
static int rounds_announced;          /* rank 0: phase 3 went out      */
static volatile sig_atomic_t worker_stop;   /* a worker rank was signalled
                                               or told to stop by rank 0 */
static int stop_sent;                 /* rank 0: TAG_STOP went out     */

/* ------------------------------------------------------------ packing */

/* The fixed part of a result message; epochs and error text follow. */
typedef struct {
	long index;
	int has_result, interrupted, pruned;
	size_t n_epochs, error_len;
	lrs_train_result result;
} packed_head;

static char *pack(const lrs_trial_outcome *o, long index, size_t *len)
{
	packed_head h;
	size_t elen = o->error ? strlen(o->error) + 1 : 0;
	char *buf;

	memset(&h, 0, sizeof h);
	h.index = index;
	h.has_result = o->result != NULL;
	h.interrupted = o->interrupted;
	h.pruned = o->pruned;
	h.n_epochs = o->n_epochs;
	h.error_len = elen;
	if (o->result)
		h.result = *o->result;
	*len = sizeof h + o->n_epochs * sizeof *o->epochs + elen;
	buf = malloc(*len);
	if (!buf)
		return NULL;
	memcpy(buf, &h, sizeof h);
	memcpy(buf + sizeof h, o->epochs, o->n_epochs * sizeof *o->epochs);
	if (elen)
		memcpy(buf + sizeof h + o->n_epochs * sizeof *o->epochs, o->error, elen);
	return buf;
}

/* Reads a result message back into an outcome pointing into buf. */
static long unpack(char *buf, size_t len, lrs_trial_outcome *o, lrs_train_result *res)
{
	packed_head h;

	memset(o, 0, sizeof *o);
	if (len < sizeof h)
		return -1;
	memcpy(&h, buf, sizeof h);
	if (sizeof h + h.n_epochs * sizeof *o->epochs + h.error_len != len)
		return -1;
	*res = h.result;
	o->result = h.has_result ? res : NULL;
	o->interrupted = h.interrupted;
	o->pruned = h.pruned;
	o->n_epochs = h.n_epochs;
	o->epochs = (const lrs_epoch_stats *)(buf + sizeof h);   /* malloc'd: aligned */
	o->error = h.error_len ? buf + sizeof h + h.n_epochs * sizeof *o->epochs : NULL;
	return h.index;
}

/* ------------------------------------------------------------ rank 0 */

/* The given points of plan p as PHASE_POINTS sends them. */
static double *pack_points(const lrs_plan *p, long *len)
{
	double *buf;
	long n = 0;

	for (size_t k = 0; k < p->n_given; k++)
		n += 2 + (long)p->given[k].n_values;
	if (!(buf = malloc(((size_t)n + 1) * sizeof *buf)))
		MPI_Abort(MPI_COMM_WORLD, 1);
	n = 0;
	for (size_t k = 0; k < p->n_given; k++) {
		buf[n++] = (double)p->given[k].entry;
		buf[n++] = (double)p->given[k].n_values;
		for (size_t i = 0; i < p->given[k].n_values; i++)
			buf[n++] = p->given[k].values[i];
	}
	*len = n;
	return buf;
}

/* Sends plan p's given points (PHASE_POINTS). */
static void send_points(const lrs_plan *p)
{
	long len;
	double *buf = pack_points(p, &len);

	MPI_Bcast(&len, 1, MPI_LONG, 0, MPI_COMM_WORLD);
	MPI_Bcast(buf, (int)len, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	free(buf);
	rounds_announced = 1;
}

/* Opens a phase on every rank; returns the number of worker threads.
 * PHASE_TRIALS and PHASE_POINTS send the groups' bounds after the
 * opening (PHASE_POINTS: then the points, send_points). */
static int announce(int phase, double a, double b, const lrs_group_bounds *bounds, const lrs_plan *plan)
{
	double msg[3] = { phase, a, b };
	int none = 0, threads = 0;

	MPI_Bcast(msg, 3, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	if (phase == PHASE_TRIALS || phase == PHASE_POINTS) {
		size_t n = (size_t)a;
		double *lr = malloc((2 * n + 1) * sizeof *lr);
		if (!lr)
			MPI_Abort(MPI_COMM_WORLD, 1);
		for (size_t k = 0; k < n; k++) {
			lr[2 * k] = bounds[k].min_lr;
			lr[2 * k + 1] = bounds[k].max_lr;
		}
		MPI_Bcast(lr, (int)(2 * n), MPI_DOUBLE, 0, MPI_COMM_WORLD);
		free(lr);
		trials_announced = 1;
		if (phase == PHASE_POINTS)
			send_points(plan);
	}
	if (phase != PHASE_HOME)
		MPI_Allreduce(&none, &threads, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	return threads;
}

/* Rank 0, once its run has stopped (a signal here, or an interrupted
 * result from a signalled worker): every worker rank stops its running
 * trial or repeat after the current step, as a signal to it would. */
static void tell_workers_to_stop(void)
{
	char none = 0;

	if (stop_sent || !threads_ok)   /* no rank listens without threads */
		return;
	stop_sent = 1;
	for (int r = 1; r < ranks; r++)
		MPI_Send(&none, 0, MPI_BYTE, r, TAG_STOP, MPI_COMM_WORLD);
}

/* Waits for the next message from any worker (polling gently: rank 0
 * spinning in MPI_Probe would take a core from the workers) and receives
 * it into a fresh buffer. Meanwhile, once *stop turns nonzero, tells the
 * workers to stop. */
static char *next_message(MPI_Status *st, int *len, volatile sig_atomic_t *stop)
{
	int arrived = 0;
	char *buf;

	for (;;) {
		if (stop && *stop)
			tell_workers_to_stop();
		MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, st);
		if (arrived)
			break;
		nanosleep(&(struct timespec){ 0, POLL_NS }, NULL);
	}
	MPI_Get_count(st, MPI_BYTE, len);
	buf = malloc(*len > 0 ? (size_t)*len : 1);
	if (!buf)
		MPI_Abort(MPI_COMM_WORLD, 1);
	MPI_Recv(buf, *len, MPI_BYTE, st->MPI_SOURCE, st->MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	return buf;
}

/* Answers an ask: work item `item` (with `seed`), or -1: no more. */
static void answer(const MPI_Status *st, long item, uint64_t seed)
{
	long msg[2] = { item, (long)seed };

	MPI_Send(msg, 2, MPI_LONG, st->MPI_SOURCE, st->MPI_TAG - TAG_ASK + TAG_TRIAL, MPI_COMM_WORLD);
}

/* Rank 0's side of a phase: answers every worker thread's ask with
 * next(ctx) (an item and its seed; -1 when there are no more, which that
 * thread hears once) and hands every other message to result(ctx), until
 * `asking` threads have been told there are no more. */
typedef struct {
	void *ctx;
	long (*next)(void *ctx, uint64_t *seed, const MPI_Status *asker);
	void (*result)(void *ctx, const char *buf, int len, const MPI_Status *st);
	volatile sig_atomic_t *stop;   /* the run's stop flag, or NULL        */
} serving;

static void serve_phase(int asking, const serving *sv)
{
	while (asking > 0) {
		MPI_Status st;
		int len;
		char *buf = next_message(&st, &len, sv->stop);

		if (st.MPI_TAG % 4 == TAG_ASK) {
			uint64_t seed = 0;
			long item = sv->next(sv->ctx, &seed, &st);
			if (item < 0)
				asking--;
			answer(&st, item, seed);
		} else {
			sv->result(sv->ctx, buf, len, &st);
		}
		free(buf);
	}
}

/* ------------------------------------------------------------ the range test */

/* A repeat's curve as a message: the fixed part, then lr, loss, smoothed
 * loss and accuracy (n each), then an error text when it failed (n < 0;
 * CURVE_INTERRUPTED: the worker was signalled, the curve is cut short). */
#define CURVE_INTERRUPTED (-2L)

typedef struct {
	long r, n, stopped_at;
	int diverged;
	double wall_seconds;
	size_t error_len;
} curve_head;

static char *pack_curve(const lrs_range_curve *c, long r, const char *error, size_t *len)
{
	curve_head h = { r, error ? -1 : worker_stop ? CURVE_INTERRUPTED : c->n, c->stopped_at, c->diverged,
	                 c->wall_seconds, error ? strlen(error) + 1 : 0 };
	size_t n = h.n > 0 ? (size_t)h.n : 0;
	char *buf;

	*len = sizeof h + 4 * n * sizeof(double) + h.error_len;
	if (!(buf = malloc(*len)))
		return NULL;
	memcpy(buf, &h, sizeof h);
	const double *arrays[4] = { c->lr, c->loss, c->smoothed_loss, c->accuracy };
	for (int k = 0; k < 4; k++)
		if (n)
			memcpy(buf + sizeof h + (size_t)k * n * sizeof(double), arrays[k], n * sizeof(double));
	if (error)
		memcpy(buf + sizeof h + 4 * n * sizeof(double), error, h.error_len);
	return buf;
}

/* Rank 0's range test: what it hands out and gets back. */
typedef struct {
	const lrs_range_config *rc;
	long repeats, next, got;
	const uint64_t *seeds;
	lrs_range_curve *curves;
	int err;
} repeats_state;

static long next_repeat(void *ctx, uint64_t *seed, const MPI_Status *asker)
{
	repeats_state *r = ctx;

	(void)asker;
	if (r->next >= r->repeats || r->err || (r->rc->stop && *r->rc->stop))
		return -1;
	*seed = r->seeds[r->next];
	return r->next++;
}

static void repeat_result(void *ctx, const char *buf, int len, const MPI_Status *st)
{
	repeats_state *r = ctx;
	curve_head h;

	(void)len;
	memcpy(&h, buf, sizeof h);
	if (h.n == CURVE_INTERRUPTED) {   /* that rank was signalled: the run stops */
		if (r->rc->stop)
			*r->rc->stop = 1;
		return;
	}
	if (h.n < 0 || h.r < 0 || h.r >= r->repeats) {
		if (!r->err)
			r->err = lrs_error_set(LRS_ERROR, "range test repeat %ld on rank %d: %s", h.r, st->MPI_SOURCE,
			                       h.n < 0 ? buf + sizeof h : "a malformed curve");
		return;
	}
	lrs_range_curve *c = &r->curves[h.r];
	size_t n = (size_t)h.n;
	double **arrays[4] = { &c->lr, &c->loss, &c->smoothed_loss, &c->accuracy };
	for (int k = 0; k < 4; k++) {
		*arrays[k] = malloc((n ? n : 1) * sizeof(double));
		if (!*arrays[k])
			MPI_Abort(MPI_COMM_WORLD, 1);
		memcpy(*arrays[k], buf + sizeof h + (size_t)k * n * sizeof(double), n * sizeof(double));
	}
	c->n = h.n;
	c->stopped_at = h.stopped_at;
	c->diverged = h.diverged;
	c->wall_seconds = h.wall_seconds;
	if (r->rc->progress)
		r->rc->progress(r->rc->progress_ctx, r->rc->iterations);   /* a repeat done */
	r->got++;
}

/* Rank 0: the repeats of group `group`'s range test on the workers. */
static int mpi_repeats(const lrs_executor *x, size_t group, const lrs_range_config *rc, long repeats,
                       const uint64_t *seeds, lrs_range_curve *curves)
{
	repeats_state r = { rc, repeats, 0, 0, seeds, curves, 0 };
	serving sv = { &r, next_repeat, repeat_result, rc->stop };
	double ramp[3] = { rc->start_lr, rc->end_lr, (double)rc->iterations };
	int threads;
	(void)x;

	threads = announce(PHASE_RANGE, (double)group, 0, NULL, NULL);
	MPI_Bcast(ramp, 3, MPI_DOUBLE, 0, MPI_COMM_WORLD);   /* range_settings */
	serve_phase(threads, &sv);
	if (!r.err && rc->stop && *rc->stop)   /* cut short: not kept, --resume runs it again */
		r.err = lrs_error_set(LRS_EINTERRUPT, "interrupted");
	if (!r.err && r.got < repeats)
		r.err = lrs_error_set(LRS_ERROR, "range test: %ld of %ld repeats came back", r.got, repeats);
	return r.err;
}

/* Rank 0's sweep: what it hands out and gets back. */
typedef struct {
	const lrs_plan *plan;
	const size_t *which;
	size_t n, next;
	const lrs_trials_hooks *hooks;
	int failed, rc;
} sweep_state;

static long next_trial(void *ctx, uint64_t *seed, const MPI_Status *asker)
{
	sweep_state *s = ctx;
	const lrs_trials_hooks *hooks = s->hooks;
	char worker[LRS_WORKER_SIZE];
	long idx = -1;

	(void)seed;
	/* the asking rank's thread: its tag is thread * 4 + TAG_ASK */
	lrs_worker_name(worker, sizeof worker, host_of(asker->MPI_SOURCE), asker->MPI_SOURCE, asker->MPI_TAG / 4);
	if (s->next < s->n && !s->failed && !(hooks->stop && *hooks->stop)) {
		idx = (long)s->which[s->next++];
		if (hooks->on_start && hooks->on_start(hooks->ctx, (size_t)idx, worker)) {
			s->failed = 1;
			s->rc = lrs_error_set(LRS_ERROR, "%s", lrs_error_last());
		}
	}
	return idx;
}

static void trial_result(void *ctx, const char *buf, int len, const MPI_Status *st)
{
	sweep_state *s = ctx;
	const lrs_trials_hooks *hooks = s->hooks;
	lrs_trial_outcome o;
	lrs_train_result res;
	long idx = unpack((char *)buf, (size_t)len, &o, &res);

	if (idx < 0 || (size_t)idx >= s->plan->n) {
		s->failed = 1;
		s->rc = lrs_error_set(LRS_ERROR, "a malformed result from rank %d", st->MPI_SOURCE);
	} else if (hooks->on_finish && hooks->on_finish(hooks->ctx, (size_t)idx, &o) && !s->failed) {
		s->failed = 1;
		s->rc = lrs_error_set(LRS_ERROR, "%s", lrs_error_last());
	}
	/* only a signal interrupts a trial: the one that reached a worker rank
	 * stops the whole run, as it would on one machine */
	if (idx >= 0 && o.interrupted && hooks->stop)
		*hooks->stop = 1;
}

/* The distributed sweep: rank 0 serves trial indices and stores results
 * until every worker thread has been told there are no more. */
static int mpi_sweep(const lrs_executor *x, const lrs_plan *plan, const size_t *which, size_t n,
                     const lrs_dataset *ds, int threads, const lrs_trials_hooks *hooks, unsigned fields,
                     const lrs_group_bounds *bounds, size_t n_bounds)
{
	sweep_state s = { plan, which, n, 0, hooks, 0, 0 };
	serving sv = { &s, next_trial, trial_result, hooks->stop };
	(void)x;
	(void)ds;
	(void)threads;

	/* every worker thread asks once more after its last trial */
	serve_phase(announce(plan->given ? PHASE_POINTS : PHASE_TRIALS, (double)n_bounds, (double)fields, bounds, plan),
	            &sv);
	return s.rc;
}

/* ------------------------------------------------------------ the same data */

/* What a rank says of the data it loaded (PHASE_DATA). */
typedef struct {
	int err;                          /* its load's code: 0 or < 0        */
	char sha[LRS_SHA256_HEX_SIZE];    /* of the data as loaded            */
	char host[MPI_MAX_PROCESSOR_NAME];   /* MPI_Get_processor_name writes up to this */
	char why[512];                    /* its load's error                 */
} data_report;

/* This rank's report: its load's error, or the digest of every sample
 * and label it trains and judges on, as normalised and split. */
static void report_of(data_report *d, int err, const lrs_dataset *ds)
{
	memset(d, 0, sizeof *d);
	MPI_Get_processor_name(d->host, &(int){ 0 });
	d->host[sizeof d->host - 1] = 0;
	d->err = err < 0 ? err : 0;
	if (err < 0 || !ds) {
		snprintf(d->why, sizeof d->why, "%s", err < 0 ? lrs_error_last() : "no data");
		return;
	}
	lrs_dataset_digest(d->sha, ds);   /* what run --resume compares, too */
}

/* The data files experiment e names, for a message: "a.csv" or
 * "train-images..., train-labels..." (cut to fit). */
static void data_files(char *buf, size_t size, const lrs_experiment *e)
{
	const lrs_data_source *src[2] = { &e->data.train, e->data.has_test ? &e->data.test : NULL };
	size_t at = 0;

	buf[0] = 0;
	for (int k = 0; k < 2 && src[k]; k++) {
		const char *f[4] = { src[k]->images, src[k]->labels, src[k]->path, src[k]->features };
		for (int j = 0; j < 4; j++)
			if (f[j] && at < size)
				at += (size_t)snprintf(buf + at, size - at, "%s%s", at ? ", " : "", f[j]);
	}
}

/* Rank 0, before the database opens: every worker rank must have loaded
 * the data rank 0 did - a worker that trained on other data would have
 * its results stored under rank 0's. */
static int mpi_same_data(const lrs_executor *x, const lrs_experiment *e, const lrs_dataset *ds)
{
	double msg[3] = { PHASE_DATA, 0, 0 };
	data_report *all = calloc((size_t)ranks, sizeof *all);
	char files[300];
	int err = 0;
	(void)x;

	if (!all)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	MPI_Bcast(msg, 3, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	report_of(&all[0], 0, ds);
	MPI_Gather(MPI_IN_PLACE, (int)sizeof *all, MPI_BYTE, all, (int)sizeof *all, MPI_BYTE, 0, MPI_COMM_WORLD);
	data_files(files, sizeof files, e);
	free(rank_hosts);   /* kept for trials.worker */
	if ((rank_hosts = calloc((size_t)ranks, sizeof *rank_hosts)))
		for (int r = 0; r < ranks; r++)
			snprintf(rank_hosts[r], sizeof rank_hosts[r], "%s", all[r].host);
	for (int r = 1; r < ranks && err == 0; r++) {
		if (all[r].err < 0)
			err = lrs_error_set(all[r].err == LRS_EINVALID ? LRS_EINVALID : LRS_ERROR, "rank %d (host %s): %s",
			                    r, all[r].host, all[r].why);
		else if (strcmp(all[r].sha, all[0].sha))
			err = lrs_error_set(LRS_EINVALID, "rank %d (host %s) loaded other data than rank 0 (host %s) from "
			                    "%s%s%s (sha256 %.12s... there, %.12s... here); every rank must read the same "
			                    "data files", r, all[r].host, all[0].host, files[0] ? files : "", files[0] ? " of " : "",
			                    e->path, all[r].sha, all[0].sha);
	}
	free(all);
	return err;
}

/* Rank r's host as it said in PHASE_DATA, or "?" before. */
static const char *host_of(int r)
{
	return rank_hosts && r >= 0 && r < ranks && rank_hosts[r][0] ? rank_hosts[r] : "?";
}

/* A worker's side of PHASE_DATA. */
static void send_data_report(int err, const lrs_dataset *ds)
{
	data_report d;

	report_of(&d, err, ds);
	MPI_Gather(&d, (int)sizeof d, MPI_BYTE, NULL, 0, MPI_BYTE, 0, MPI_COMM_WORLD);
}

static const lrs_executor executor = { .name = "MPI", .runs_at_once = 1, .repeats = mpi_repeats,
                                       .sweep = mpi_sweep, .same_data = mpi_same_data };

/* ------------------------------------------------------------ workers */

typedef struct {
	const lrs_plan *plan;
	const lrs_dataset *ds;
	int tag;                 /* this thread's tag base                  */
	char *buf;               /* the packed result to send               */
	size_t len;
	long index;
} worker_slot;

static int send_result(void *ctx, size_t i, const lrs_trial_outcome *o)
{
	worker_slot *w = ctx;

	(void)i;
	w->buf = pack(o, w->index, &w->len);
	return w->buf ? 0 : (lrs_error_set(LRS_ENOMEM, "out of memory"), 1);
}

typedef struct {
	const lrs_plan *plan;
	const lrs_dataset *ds;
	const lrs_range_config *rc;      /* the range test's, in PHASE_RANGE */
	const lrs_train_config *base;
} worker_job;

/* One worker thread in the range test: ask, run a repeat, send its curve. */
static int serve_repeats(void *ctx, long thread)
{
	const worker_job *job = ctx;
	int tag = (int)thread * 4;

	for (;;) {
		char none = 0, *buf;
		long msg[2];
		size_t len;
		lrs_range_curve c;

		MPI_Send(&none, 0, MPI_BYTE, 0, tag + TAG_ASK, MPI_COMM_WORLD);
		MPI_Recv(msg, 2, MPI_LONG, 0, tag + TAG_TRIAL, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		if (msg[0] < 0)
			return 0;
		lrs_train_config cfg = *job->base;
		char key[104];
		cfg.seed = (uint64_t)msg[1];
		if (cfg.run_key) {   /* an external program's name, as lrs_range_repeats gives it */
			snprintf(key, sizeof key, "%.80s-%ld", cfg.run_key, msg[0]);
			cfg.run_key = key;
		}
		if (lrs_range_run(&c, job->ds, &cfg, job->rc) < 0)
			buf = pack_curve(&c, msg[0], lrs_error_last(), &len);
		else
			buf = pack_curve(&c, msg[0], NULL, &len);
		lrs_range_curve_free(&c);
		if (!buf)
			MPI_Abort(MPI_COMM_WORLD, 1);
		MPI_Send(buf, (int)len, MPI_BYTE, 0, tag + TAG_RESULT, MPI_COMM_WORLD);
		free(buf);
	}
}

/* One worker thread: ask, train, send, until told there is no more. */
static int serve(void *ctx, long thread)
{
	const worker_job *job = ctx;
	worker_slot w = { job->plan, job->ds, (int)thread * 4, NULL, 0, -1 };
	lrs_trials_hooks hooks = { .ctx = &w, .on_finish = send_result, .stop = &worker_stop };

	for (;;) {
		char none = 0;
		long idx;
		size_t at;

		long msg[2];

		MPI_Send(&none, 0, MPI_BYTE, 0, w.tag + TAG_ASK, MPI_COMM_WORLD);
		MPI_Recv(msg, 2, MPI_LONG, 0, w.tag + TAG_TRIAL, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		idx = msg[0];
		if (idx < 0)
			return 0;
		w.index = idx;
		at = (size_t)idx;
		if (lrs_trials_run(job->plan, &at, 1, job->ds, 1, NULL, NULL, &hooks) < 0 || !w.buf) {
			/* no outcome: the trial failed, or a signal came before it began */
			lrs_train_result unrun = { LRS_RUN_STOPPED, 0, 0, -1, { 0 }, NAN, 0, NAN, NAN, 0 };
			lrs_trial_outcome o = { NULL, NULL, 0, 0, 0, lrs_error_last() };
			if (worker_stop)
				o = (lrs_trial_outcome){ &unrun, NULL, 0, 1, 0, NULL };
			free(w.buf);
			w.buf = pack(&o, idx, &w.len);
			if (!w.buf)
				MPI_Abort(MPI_COMM_WORLD, 1);
		}
		MPI_Send(w.buf, (int)w.len, MPI_BYTE, 0, w.tag + TAG_RESULT, MPI_COMM_WORLD);
		free(w.buf);
		w.buf = NULL;
	}
}

/* Group g's range test as rank 0 runs it in `run` (no flags change it
 * there), with the ramp rank 0 broadcast (its probe's range and length:
 * a worker does not run the probe again). */
static int range_settings(const lrs_pipeline *p, size_t g, lrs_range_config *rc, lrs_train_config *base)
{
	const lrs_pipeline_group *pg = &p->groups[g];
	double ramp[3];

	MPI_Bcast(ramp, 3, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	if (g >= p->n_groups)
		return lrs_error_set(LRS_ERROR, "range test group %zu of %zu", g, p->n_groups);
	lrs_pipeline_range_settings(rc, base, p->e, p->ds, &pg->base.model, &pg->base.optim, pg->base.batch_size);
	base->engine = p->engine;
	base->run_key = pg->run_key;
	base->params = pg->params;
	rc->stop = &worker_stop;   /* a signal here cuts the repeat short */
	base->stop = &worker_stop;
	rc->start_lr = ramp[0];
	rc->end_lr = ramp[1];
	rc->iterations = (long)ramp[2];
	return 0;
}

/* The plan of the points rank 0 broadcasts after PHASE_POINTS' bounds. */
static int plan_of_points(lrs_plan *plan, const lrs_pipeline *p, unsigned fields, const lrs_group_bounds *b, size_t n)
{
	long len = 0, at = 0;
	size_t m = 0;
	double *buf;
	lrs_plan_point *pts;
	long *dup;
	int err;

	MPI_Bcast(&len, 1, MPI_LONG, 0, MPI_COMM_WORLD);
	buf = malloc(((size_t)len + 1) * sizeof *buf);
	pts = calloc((size_t)len + 1, sizeof *pts);
	dup = calloc((size_t)len + 1, sizeof *dup);
	if (!buf || !pts || !dup)
		MPI_Abort(MPI_COMM_WORLD, 1);
	MPI_Bcast(buf, (int)len, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	while (at + 2 <= len) {
		pts[m++] = (lrs_plan_point){ (size_t)buf[at], buf + at + 2, (size_t)buf[at + 1] };
		at += 2 + (long)buf[at + 1];
	}
	memset(plan, 0, sizeof *plan);
	err = lrs_plan_add_points(plan, dup, p->e, p->ds, fields, b, n, pts, m);
	for (size_t k = 0; err == 0 && k < m; k++)
		if (dup[k] >= 0)   /* rank 0 sends each configuration once */
			err = lrs_error_set(LRS_ERROR, "point %zu of rank 0's plan repeats point %ld here", k, dup[k]);
	free(buf);
	free(pts);
	free(dup);
	return err;
}

/* The plan with the groups' bounds rank 0 broadcast after PHASE_TRIALS
 * (or PHASE_POINTS: then of the points that follow). */
static int plan_of(lrs_plan *plan, const lrs_pipeline *p, size_t n, unsigned fields, int points)
{
	double *lr = malloc((2 * n + 1) * sizeof *lr);
	lrs_group_bounds *b = calloc(n + 1, sizeof *b);
	lrs_plan_group *g = NULL;
	size_t ng = 0;
	int err;

	if (!lr || !b)
		MPI_Abort(MPI_COMM_WORLD, 1);
	MPI_Bcast(lr, (int)(2 * n), MPI_DOUBLE, 0, MPI_COMM_WORLD);
	if ((err = lrs_plan_groups(&g, &ng, &p->plan, fields)) == 0 && ng != n)
		err = lrs_error_set(LRS_ERROR, "%zu range-test groups here, %zu on rank 0", ng, n);
	for (size_t k = 0; err == 0 && k < n; k++)
		b[k] = (lrs_group_bounds){ g[k].key, lr[2 * k], lr[2 * k + 1] };
	if (err == 0 && !points)
		err = lrs_plan_build_grouped(plan, p->e, p->ds, fields, b, n);
	else if (err == 0)
		err = plan_of_points(plan, p, fields, b, n);
	if (err == 0)
		plan->engine = p->engine;
	lrs_plan_groups_free(g, ng);
	free(b);
	free(lr);
	return err;
}

/* Rank 0 could not go on: say why here too, and end every rank. */
static void give_up(void)
{
	fprintf(stderr, "lrsweep-mpi: rank %d: %s\n", rank, lrs_error_last());
	MPI_Abort(MPI_COMM_WORLD, 1);
}

static void on_worker_signal(int sig)
{
	(void)sig;
	worker_stop = 1;
}

/* SIGINT, SIGTERM and SIGHUP (unless ignored, as under nohup) stop a
 * worker rank at a safe point, as they stop lrsweep run: its running
 * trial or repeat ends after its current step and goes to rank 0, which
 * stores it interrupted and stops the run. Killed at once instead, the
 * rank would leave rank 0 waiting for it until mpirun kills the job, with
 * nothing marked. */
static void worker_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_worker_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (signal(SIGHUP, SIG_IGN) != SIG_IGN)
		sigaction(SIGHUP, &sa, NULL);
}

/* ------------------------------------------------------------ stopping */

/* A worker rank's thread that listens for rank 0's TAG_STOP while the
 * rank works (MPI_THREAD_MULTIPLE only: without it a worker rank hears
 * of a stop only through a signal of its own). */
static struct {
	pthread_t thread;
	atomic_int done;     /* the run is over on every rank: stop listening */
	int started;
} listener;

static void *listen_for_stop(void *arg)
{
	MPI_Request req;
	char none;
	int got = 0;

	(void)arg;
	MPI_Irecv(&none, 0, MPI_BYTE, 0, TAG_STOP, MPI_COMM_WORLD, &req);
	for (;;) {
		MPI_Test(&req, &got, MPI_STATUS_IGNORE);
		if (got || atomic_load(&listener.done))
			break;
		nanosleep(&(struct timespec){ 0, STOP_POLL_NS }, NULL);
	}
	if (got)
		worker_stop = 1;   /* as a signal to this rank would */
	else {
		MPI_Cancel(&req);
		MPI_Wait(&req, MPI_STATUS_IGNORE);
	}
	return NULL;
}

static void start_listening(void)
{
	atomic_init(&listener.done, 0);
	listener.started = threads_ok && pthread_create(&listener.thread, NULL, listen_for_stop, NULL) == 0;
}

static void stop_listening(void)
{
	if (!listener.started)
		return;
	atomic_store(&listener.done, 1);
	pthread_join(listener.thread, NULL);
	listener.started = 0;
}

/* Every rank, at its end: waits (gently, like next_message) until every
 * rank is here, so that no worker rank ends - and has mpirun end the job -
 * before rank 0 has stored everything, and rank 0 has sent its last
 * TAG_STOP before the workers stop listening. */
static void meet_at_end(void)
{
	MPI_Request req;
	int all = 0;

	MPI_Ibarrier(MPI_COMM_WORLD, &req);
	for (;;) {
		MPI_Test(&req, &all, MPI_STATUS_IGNORE);
		if (all)
			break;
		nanosleep(&(struct timespec){ 0, POLL_NS }, NULL);
	}
}

static int worker(int argc, char **argv)
{
	const char *path, *db;
	long threads = 1;
	lrs_experiment *e = NULL;
	lrs_dataset *ds = NULL;
	lrs_pipeline p;
	lrs_plan plan = { 0 };
	lrs_range_config rc;
	lrs_train_config base;
	int err = LRS_ERROR, prepared = 0;

	memset(&p, 0, sizeof p);
	char logs[600];

	worker_signals();
	start_listening();   /* rank 0's stop, stopped in main() */

	lrs_cli_run_args(argc, argv, &path, &threads, &db);   /* NULL when it does not parse */
	/* the experiment, its data and its model fitted to them, as rank 0
	 * loads them; an external trainer: this rank launches its programs
	 * itself, logging beside the database path as rank 0 does */
	if (path && (err = lrs_pipeline_load(&e, &ds, path)) == 0)
		lrs_pipeline_log_dir(logs, sizeof logs, e, db);
	if (threads > 1 && !threads_ok)
		fprintf(stderr, "lrsweep-mpi: rank %d: this MPI lacks MPI_THREAD_MULTIPLE: one thread per rank\n", rank);
	if (!threads_ok || threads < 1)
		threads = 1;
	for (;;) {
		double msg[3];
		int mine = (int)threads, total;

		MPI_Bcast(msg, 3, MPI_DOUBLE, 0, MPI_COMM_WORLD);
		if (msg[0] == PHASE_HOME)
			break;   /* the run ended before its trials; rank 0 said why */
		if (msg[0] == PHASE_DATA) {   /* rank 0 says what is wrong, if anything */
			send_data_report(err, ds);
			continue;
		}
		if (err < 0)
			give_up();
		if (!prepared) {   /* the plan and groups rank 0 has */
			lrs_pipeline_options opt = { 0, NAN, NAN, NULL, 1, NULL, NULL, NULL, logs };
			if (lrs_pipeline_prepare(&p, e, ds, &opt) < 0)
				give_up();
			prepared = 1;
		}
		if (msg[0] == PHASE_TRIALS || msg[0] == PHASE_POINTS) {
			lrs_plan_free(&plan);
			if (plan_of(&plan, &p, (size_t)msg[1], (unsigned)msg[2], msg[0] == PHASE_POINTS) < 0)
				give_up();
		}
		MPI_Allreduce(&mine, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
		if (msg[0] == PHASE_RANGE) {
			if (range_settings(&p, (size_t)msg[1], &rc, &base) < 0)
				give_up();
			worker_job job = { NULL, ds, &rc, &base };
			lrs_run_tasks(threads, (int)threads, serve_repeats, &job);
			continue;
		}
		worker_job job = { &plan, ds, NULL, NULL };
		lrs_run_tasks(threads, (int)threads, serve, &job);
		if (msg[0] == PHASE_TRIALS)
			break;   /* strategy tpe: wait for the next round */
	}
	lrs_plan_free(&plan);
	lrs_pipeline_free(&p);
	lrs_dataset_free(ds);
	lrs_experiment_free(e);
	return 0;
}

/* ------------------------------------------------------------ the same experiment */

/* What a rank says of its experiment file. */
typedef struct {
	int state;                       /* FILE_NONE, FILE_READ, FILE_UNREADABLE */
	char sha[LRS_SHA256_HEX_SIZE];   /* of its bytes, when read               */
	char path[200];                  /* as given (cut)                        */
	char why[80];                    /* why it could not be read              */
} file_digest;

enum { FILE_NONE, FILE_READ, FILE_UNREADABLE };

static void digest_file(file_digest *d, const char *path)
{
	lrs_sha256_ctx ctx;
	char buf[65536];
	size_t n;
	FILE *f;

	memset(d, 0, sizeof *d);
	if (!path)
		return;
	snprintf(d->path, sizeof d->path, "%s", path);
	if (!(f = fopen(path, "rb"))) {
		d->state = FILE_UNREADABLE;
		snprintf(d->why, sizeof d->why, "%s", strerror(errno));
		return;
	}
	lrs_sha256_init(&ctx);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		lrs_sha256_update(&ctx, buf, n);
	if (ferror(f)) {
		d->state = FILE_UNREADABLE;
		snprintf(d->why, sizeof d->why, "%s", strerror(errno));
	} else {
		d->state = FILE_READ;
		lrs_sha256_final_hex(&ctx, d->sha);
	}
	fclose(f);
}

/* Every rank's experiment file against rank 0's, on every rank alike: 0
 * when they agree (or rank 0 has none it can read: its own command line
 * says why), else 2 after rank 0 printed the first difference. */
static int same_experiment(int argc, char **argv)
{
	const char *path, *db;
	long threads = 1;
	file_digest mine, *all = calloc((size_t)ranks, sizeof *all);
	int bad = 0, first = 0;

	if (!all)
		MPI_Abort(MPI_COMM_WORLD, 1);
	lrs_cli_run_args(argc, argv, &path, &threads, &db);
	digest_file(&mine, path);
	MPI_Allgather(&mine, (int)sizeof mine, MPI_BYTE, all, (int)sizeof mine, MPI_BYTE, MPI_COMM_WORLD);
	for (int r = 1; r < ranks && all[0].state == FILE_READ; r++)
		if (all[r].state != FILE_READ || strcmp(all[r].sha, all[0].sha)) {
			bad++;
			first = first ? first : r;
		}
	if (bad && rank == 0) {
		const file_digest *o = &all[first];
		char more[48] = "";

		if (bad > 1)
			snprintf(more, sizeof more, " (and %d other rank%s)", bad - 1, bad > 2 ? "s" : "");
		if (o->state == FILE_READ)
			fprintf(stderr, "lrsweep-mpi: rank %d%s runs another experiment: %s (sha256 %.12s...) where rank 0 "
			        "runs %s (sha256 %.12s...); every rank must be given the same experiment file\n", first, more,
			        o->path, o->sha, all[0].path, all[0].sha);
		else if (o->state == FILE_UNREADABLE)
			fprintf(stderr, "lrsweep-mpi: rank %d%s cannot read its experiment file %s (%s); every rank must "
			        "read the same experiment file as rank 0 (%s)\n", first, more, o->path, o->why, all[0].path);
		else
			fprintf(stderr, "lrsweep-mpi: rank %d%s was given no experiment file; every rank must be given the "
			        "same one as rank 0 (%s)\n", first, more, all[0].path);
	}
	free(all);
	return bad ? 2 : 0;
}

int main(int argc, char **argv)
{
	int provided, status = 0;

	MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
	threads_ok = provided >= MPI_THREAD_MULTIPLE;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &ranks);
	if (ranks >= 2 && (status = same_experiment(argc, argv)) != 0) {
		MPI_Finalize();
		return status;
	}
	if (rank == 0) {
		if (ranks < 2) {
			fprintf(stderr, "lrsweep-mpi: needs at least 2 ranks (rank 0 stores, the others train); "
			                "on one process use lrsweep\n");
			status = 2;
		} else {
			status = lrs_cli_main(argc, argv, "lrsweep-mpi", &executor);
			if (!trials_announced || rounds_announced)
				announce(PHASE_HOME, 0, 0, NULL, NULL);
			free(rank_hosts);
		}
	} else {
		status = worker(argc, argv);
	}
	if (ranks >= 2) {
		meet_at_end();
		stop_listening();
	}
	MPI_Finalize();
	return status;
}
