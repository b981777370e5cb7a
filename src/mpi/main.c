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
 * Messages (rank 0 <-> worker thread; a thread's tag is its index):
 *   worker -> 0   TAG_ASK        nothing: "give me a trial"
 *   0 -> worker   TAG_TRIAL      long: a plan index, or -1: no more
 *   worker -> 0   TAG_RESULT     bytes: the trial's outcome (packed below)
 * Before any of it, rank 0 broadcasts double[3] {go, min_lr, max_lr}; go 0
 * (the run ended before its trials: a bad file, a failed range test) sends
 * the workers home. */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lrsweep/blas.h"
#include "lrsweep/error.h"
#include "lrsweep/experiment.h"
#include "lrsweep/plan.h"
#include "lrsweep/runner.h"
#include "lrsweep/trials.h"
#include "../cli/cli.h"

enum { TAG_ASK = 1, TAG_TRIAL = 2, TAG_RESULT = 3 };

#define POLL_NS 500000L   /* rank 0 looks for messages every 0.5 ms */

static int rank, ranks, threads_ok;   /* MPI_THREAD_MULTIPLE granted */
static int released;                  /* rank 0: the bounds went out   */

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

static void release(double go, double min_lr, double max_lr)
{
	double msg[3] = { go, min_lr, max_lr };

	if (released)
		return;
	released = 1;
	MPI_Bcast(msg, 3, MPI_DOUBLE, 0, MPI_COMM_WORLD);
}

/* The distributed sweep: rank 0 serves trial indices and stores results
 * until every worker thread has been told there are no more. */
static int mpi_sweep(const lrs_plan *plan, const size_t *which, size_t n, const lrs_dataset *ds, int threads,
                     const lrs_trials_hooks *hooks, double min_lr, double max_lr)
{
	size_t next = 0;
	int asking, failed = 0, rc = 0, workers = 0;
	(void)plan;
	(void)ds;
	(void)threads;

	release(1, min_lr, max_lr);
	/* every worker thread asks once more after its last trial */
	MPI_Allreduce(&workers, &asking, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	while (asking > 0) {
		MPI_Status st;
		int len, arrived;

		/* rank 0 waits most of the time: poll gently rather than spin in
		 * MPI_Probe, which would take a core from the workers */
		MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &st);
		if (!arrived) {
			nanosleep(&(struct timespec){ 0, POLL_NS }, NULL);
			continue;
		}
		MPI_Get_count(&st, MPI_BYTE, &len);
		char *buf = malloc(len > 0 ? (size_t)len : 1);
		if (!buf) {
			rc = lrs_error_set(LRS_ENOMEM, "out of memory for a result from rank %d", st.MPI_SOURCE);
			MPI_Abort(MPI_COMM_WORLD, 1);
		}
		MPI_Recv(buf, len, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		if (st.MPI_TAG % 4 == TAG_ASK) {
			long idx = -1;
			int stop = hooks->stop && *hooks->stop;
			if (next < n && !failed && !stop) {
				idx = (long)which[next++];
				if (hooks->on_start && hooks->on_start(hooks->ctx, (size_t)idx)) {
					failed = 1;
					rc = lrs_error_set(LRS_ERROR, "%s", lrs_error_last());
				}
			}
			if (idx < 0)
				asking--;
			MPI_Send(&idx, 1, MPI_LONG, st.MPI_SOURCE, st.MPI_TAG - TAG_ASK + TAG_TRIAL, MPI_COMM_WORLD);
		} else {
			lrs_trial_outcome o;
			lrs_train_result res;
			long idx = unpack(buf, (size_t)len, &o, &res);
			if (idx < 0 || (size_t)idx >= plan->n) {
				failed = 1;
				rc = lrs_error_set(LRS_ERROR, "a malformed result from rank %d", st.MPI_SOURCE);
			} else if (hooks->on_finish && hooks->on_finish(hooks->ctx, (size_t)idx, &o) && !failed) {
				failed = 1;
				rc = lrs_error_set(LRS_ERROR, "%s", lrs_error_last());
			}
		}
		free(buf);
	}
	return rc;
}

static const cli_run_driver driver = { "MPI", 0, mpi_sweep };

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
} worker_job;

/* One worker thread: ask, train, send, until told there is no more. */
static int serve(void *ctx, long thread)
{
	const worker_job *job = ctx;
	worker_slot w = { job->plan, job->ds, (int)thread * 4, NULL, 0, -1 };
	lrs_trials_hooks hooks = { &w, NULL, NULL, send_result, NULL };

	for (;;) {
		char none = 0;
		long idx;
		size_t at;

		MPI_Send(&none, 0, MPI_BYTE, 0, w.tag + TAG_ASK, MPI_COMM_WORLD);
		MPI_Recv(&idx, 1, MPI_LONG, 0, w.tag + TAG_TRIAL, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		if (idx < 0)
			return 0;
		w.index = idx;
		at = (size_t)idx;
		if (lrs_trials_run(job->plan, &at, 1, job->ds, 1, NULL, NULL, &hooks) < 0 || !w.buf) {
			lrs_trial_outcome o = { NULL, NULL, 0, 0, 0, lrs_error_last() };
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

/* The experiment file and --threads of `run` in argv (the rest is rank
 * 0's business). */
static void run_args(int argc, char **argv, const char **exp, long *threads)
{
	static const char *const with_value[] = { "--db", "--threads", "--min-lr", "--max-lr" };
	int i = 1;

	*exp = NULL;
	while (i < argc && strcmp(argv[i], "run"))
		i++;
	for (i++; i < argc; i++) {
		int takes = 0;
		for (size_t k = 0; k < 4; k++)
			takes |= !strcmp(argv[i], with_value[k]);
		if (takes && i + 1 < argc && !strcmp(argv[i], "--threads"))
			*threads = atol(argv[i + 1]);
		if (takes)
			i++;
		else if (argv[i][0] != '-' && !*exp)
			*exp = argv[i];
	}
}

static int worker(int argc, char **argv)
{
	const char *path;
	long threads = 1;
	double msg[3];
	lrs_experiment *e = NULL;
	lrs_dataset *ds = NULL;
	lrs_plan plan = { 0 };
	int err = 0;

	run_args(argc, argv, &path, &threads);
	if (path && lrs_experiment_load(&e, path) == 0)
		err = lrs_dataset_load(&ds, &e->data);
	MPI_Bcast(msg, 3, MPI_DOUBLE, 0, MPI_COMM_WORLD);
	if (msg[0] == 0)
		goto out;   /* the run ended before its trials; rank 0 said why */
	if (!e || !ds || err < 0 || lrs_plan_build(&plan, e, ds, msg[1], msg[2]) < 0) {
		fprintf(stderr, "lrsweep-mpi: rank %d: %s\n", rank, lrs_error_last());
		MPI_Abort(MPI_COMM_WORLD, 1);
	}
	if (threads > 1 && !threads_ok)
		fprintf(stderr, "lrsweep-mpi: rank %d: this MPI lacks MPI_THREAD_MULTIPLE: one thread per rank\n", rank);
	if (!threads_ok || threads < 1)
		threads = 1;
	int mine = (int)threads, total;
	MPI_Allreduce(&mine, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	lrs_blas_set_threads(1);
	worker_job job = { &plan, ds };
	lrs_run_tasks(threads, (int)threads, serve, &job);
out:
	lrs_plan_free(&plan);
	lrs_dataset_free(ds);
	lrs_experiment_free(e);
	return 0;
}

int main(int argc, char **argv)
{
	int provided, status = 0;

	MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
	threads_ok = provided >= MPI_THREAD_MULTIPLE;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &ranks);
	if (rank == 0) {
		if (ranks < 2) {
			fprintf(stderr, "lrsweep-mpi: needs at least 2 ranks (rank 0 stores, the others train); "
			                "on one process use lrsweep\n");
			status = 2;
		} else {
			cli_driver = &driver;
			status = cli_main(argc, argv);
			release(0, NAN, NAN);   /* no-op once the trials ran */
		}
	} else {
		status = worker(argc, argv);
	}
	MPI_Finalize();
	return status;
}
