/* engine.c - an external trainer as an lrs_engine (external.h, SPEC §12):
 * one program per run, driven over the JSON-lines channel.
 *
 * A run is a small state machine: launch, wait for hello, send config,
 * then keep the program supplied with rates (up to LRS_EXTERNAL_WINDOW
 * steps ahead of the losses received, never past a step whose evaluation
 * is awaited, nor into an epoch whose rate depends on the last epoch's
 * metrics), hand each loss, evaluation and epoch to the caller's hooks,
 * answer each epoch with ack or prune, and end with done (a trial) or stop
 * (a range test, a divergence, a pruning, an interrupt). Anything else the
 * program does is a fault: the run ends with an error naming it and the
 * last lines of the program's log. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lrsweep/error.h"
#include "lrsweep/external.h"
#include "lrsweep/schedule.h"
#include "json.h"
#include "spawn.h"

typedef struct {
	lrs_engine base;           /* what callers hold; base.ctx is this      */
	const lrs_external_config *cfg;
	char *log_dir;
	char *params;              /* the experiment's params, JSON            */
} ext_engine;

typedef enum { PHASE_HELLO, PHASE_RUNNING, PHASE_ENDING, PHASE_DONE } phase;

typedef struct {
	const ext_engine *x;
	const lrs_train_config *cfg;
	const lrs_train_hooks *hooks;
	lrs_train_result *out;
	const lrs_dataset *ds;
	lrs_child child;
	char log[PATH_MAX];
	char *in;                  /* bytes read and not yet a whole line      */
	size_t in_len, in_cap;
	double last_heard;         /* lrs_child_now() of the last message      */
	double ending_since;       /* when stop or prune was sent              */
	phase ph;
	int probe;                 /* only the hello is wanted                 */
	int range;                 /* a range test: evaluations every k steps  */
	long spe;                  /* steps per epoch, from hello              */
	long total;                /* steps of the run                         */
	long sent, got;            /* lr sent for steps < sent; losses < got   */
	double *lrs;               /* (total) the rate sent for each step      */
	long next_eval;            /* the first evaluation step not answered   */
	double held_loss;          /* next_eval's loss, until its answer       */
	int holding;               /* a loss is held                           */
	long epochs;               /* epoch messages answered                  */
	double t_epoch;            /* when the current epoch began             */
	lrs_plateau plateau;
	int use_plateau, cycles;
	const char *stop_reason;   /* the stop sent, or NULL                   */
	int done;                  /* done received                            */
	int closed;                /* the channel reached its end              */
	int peer_gone;             /* a write found the program's end closed  */
	int non_finite;            /* a NaN or infinite loss was read: the run
	                              is diverged, the program ended at once  */
	char fault[600];           /* the first fault; "" none                 */
} session;

/* ---------------------------------------------------------------- faults */

static void fault(session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fault(session *s, const char *fmt, ...)
{
	va_list ap;

	if (s->fault[0] || s->non_finite)
		return;   /* after a non-finite loss nothing the program does counts */
	va_start(ap, fmt);
	vsnprintf(s->fault, sizeof s->fault, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------ the channel */

/* Writes all of text to the channel, waiting up to the silence timeout for
 * room: a program that never reads is a fault. */
static void send_text(session *s, const char *text, size_t len)
{
	double until = lrs_child_now() + s->x->cfg->timeout;

	while (len > 0 && !s->fault[0] && !s->peer_gone) {
		ssize_t n = send(s->child.fd, text, len, MSG_NOSIGNAL);
		if (n > 0) {
			text += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { s->child.fd, POLLOUT, 0 };
			if (lrs_child_now() > until)
				fault(s, "does not read its channel (nothing read for %.0f s)", s->x->cfg->timeout);
			else
				poll(&p, 1, 100);
		} else if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
			/* the program is gone: what it wrote before is still read
			 * (a NaN loss, done), then the channel's end says the rest */
			s->peer_gone = 1;
			return;
		} else {
			fault(s, "closed the channel (%s)", strerror(errno));
		}
	}
}

static void send_buf(session *s, lrs_buf *b)
{
	if (b->failed)
		fault(s, "out of memory");
	else if (b->len)
		send_text(s, b->data, b->len);
	lrs_buf_free(b);
}

/* lrsweep has nothing more to say after stop, prune or done: its end of
 * the channel is shut for writing, so that the program's next read, once
 * it has read what was sent, sees the end of the stream. A program that
 * cannot exit while a read is pending (Node's fs.createReadStream on
 * descriptor 3, a reader thread that is not a daemon) then exits at once
 * instead of being killed after trainer.grace. What it writes still goes
 * through, unread. */
static void end_sending(session *s)
{
	if (s->child.fd >= 0)
		shutdown(s->child.fd, SHUT_WR);
}

static void send_stop(session *s, const char *reason)
{
	lrs_buf b = { 0 };

	if (s->stop_reason)
		return;
	s->stop_reason = reason;
	lrs_buf_printf(&b, "{\"op\": \"stop\", \"reason\": \"%s\"}\n", reason);
	send_buf(s, &b);
	end_sending(s);
	s->ph = PHASE_ENDING;
	s->ending_since = lrs_child_now();
}

/* ------------------------------------------------------------- the rates */

static int eval_due(const session *s, long step)
{
	long k = s->cfg->eval_every;
	return s->range && (step % k == 0 || step == s->total - 1);
}

/* The first evaluation step at or after `from`, or total when none. */
static long next_eval_from(const session *s, long from)
{
	for (long i = from; i < s->total; i++)
		if (eval_due(s, i))
			return i;
	return s->total;
}

/* Sends every rate the window, the awaited evaluation and the plateau
 * allow. */
static void pump(session *s)
{
	const lrs_sched *sched = s->cfg->sched;
	lrs_buf b = { 0 };

	while (s->sent < s->total && s->sent < s->got + LRS_EXTERNAL_WINDOW) {
		long step = s->sent;
		if (s->range && step > s->next_eval)
			break;   /* the evaluation after next_eval must see its model */
		if (s->use_plateau && step / s->spe > s->epochs)
			break;   /* the rate waits for the last epoch's metrics */
		double lr = s->use_plateau ? s->plateau.lr : lrs_sched_lr(sched, step);
		s->lrs[step] = lr;
		lrs_buf_printf(&b, "{\"op\": \"lr\", \"step\": %ld, \"lr\": ", step);
		lrs_buf_printf(&b, "%.17g", lr);
		if (s->cycles)
			lrs_buf_printf(&b, ", \"momentum\": %.17g", lrs_sched_momentum(sched, step));
		lrs_buf_printf(&b, "}\n");
		s->sent++;
	}
	send_buf(s, &b);
}

/* ------------------------------------------------------------ the config */

static void config_json(lrs_buf *b, const session *s)
{
	const lrs_train_config *c = s->cfg;

	lrs_buf_printf(b, "\"mode\": \"%s\", \"trial_key\": ", s->range ? "range-test" : "trial");
	lrs_buf_json_string(b, c->run_key ? c->run_key : "");
	lrs_buf_printf(b, ", \"params\": %s, \"optimizer\": ", c->params ? c->params : s->x->params);
	lrs_optim_json(b, &c->optim);
	lrs_buf_printf(b, ", \"batch_size\": %ld, \"seed\": %llu, \"epochs\": %ld, \"max_steps\": %ld, "
	               "\"eval_every\": %ld, \"eval_samples\": %zu", c->batch_size, (unsigned long long)c->seed,
	               c->epochs, c->max_steps, s->range ? c->eval_every : 0L, c->eval_samples);
}

/* The params file: the config without "op", before the program starts. */
static int write_params_file(const session *s, const char *path)
{
	lrs_buf b = { 0 };
	FILE *f;
	int ok;

	lrs_buf_printf(&b, "{");
	config_json(&b, s);
	lrs_buf_printf(&b, "}\n");
	if (b.failed) {
		lrs_buf_free(&b);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	if (!(f = fopen(path, "w"))) {
		lrs_buf_free(&b);
		return lrs_error_set(LRS_ERROR, "%s: cannot write the params file: %s", path, strerror(errno));
	}
	ok = fwrite(b.data, 1, b.len, f) == b.len;
	ok = (fclose(f) == 0) && ok;
	lrs_buf_free(&b);
	return ok ? 0 : lrs_error_set(LRS_ERROR, "%s: cannot write the params file", path);
}

/* ------------------------------------------------------------- messages */

static const lrs_node *field(const lrs_node *m, const char *key)
{
	return lrs_node_get(m, key);
}

/* A number field; NAN when null (a loss then diverges, a metric is not
 * reported) or, if `optional`, absent; anything else a fault. */
static double number(session *s, const lrs_node *m, const char *op, const char *key, int optional)
{
	const lrs_node *v = field(m, key);
	double x;

	if (!v && optional)
		return NAN;
	if (lrs_json_value(v, &x) < 0) {
		fault(s, "sent '%s' without a number '%s'", op, key);
		return NAN;
	}
	return x;
}

/* An accuracy field: a number as number() reads it, a fault outside [0, 1]
 * (an accuracy is a fraction; 55 for 55% would rank above every trial). */
static double accuracy(session *s, const lrs_node *m, const char *op, const char *key, int optional)
{
	double x = number(s, m, op, key, optional);

	if (!isnan(x) && !(x >= 0 && x <= 1))
		fault(s, "sent '%s' with %s %g: an accuracy is a fraction in [0, 1]", op, key, x);
	return x;
}

static long whole(session *s, const lrs_node *m, const char *op, const char *key)
{
	long x = -1;

	if (lrs_json_long(field(m, key), &x) < 0)
		fault(s, "sent '%s' without a whole number '%s'", op, key);
	return x;
}

static void on_hello(session *s, const lrs_node *m)
{
	long protocol = whole(s, m, "hello", "protocol"), spe = whole(s, m, "hello", "steps_per_epoch");
	long want;

	if (s->fault[0])
		return;
	if (protocol != LRS_EXTERNAL_PROTOCOL) {
		fault(s, "speaks protocol %ld; this lrsweep speaks %d", protocol, LRS_EXTERNAL_PROTOCOL);
		return;
	}
	if (spe < 1 || spe > LRS_EXTERNAL_MAX_SPE) {
		fault(s, "said steps_per_epoch %ld; it must be at least 1 and at most %ld", spe, LRS_EXTERNAL_MAX_SPE);
		return;
	}
	s->spe = spe;
	if (s->probe) {   /* only its steps per epoch were wanted */
		send_stop(s, "done");
		return;
	}
	want = lrs_dataset_steps(s->ds, s->cfg->batch_size);
	if (want > 0 && want != spe) {
		fault(s, "said steps_per_epoch %ld at batch size %ld, where its first launch said %ld",
		             spe, s->cfg->batch_size, want);
		return;
	}
	s->total = s->cfg->epochs * spe;
	if (s->cfg->max_steps > 0 && s->cfg->max_steps < s->total)
		s->total = s->cfg->max_steps;
	if (!(s->lrs = calloc((size_t)s->total, sizeof *s->lrs))) {
		fault(s, "out of memory for %ld steps", s->total);
		return;
	}
	s->next_eval = next_eval_from(s, 0);
	lrs_buf b = { 0 };
	lrs_buf_printf(&b, "{\"op\": \"config\", ");
	config_json(&b, s);
	lrs_buf_printf(&b, ", \"steps_per_epoch\": %ld}\n", spe);
	send_buf(s, &b);
	s->ph = PHASE_RUNNING;
	s->t_epoch = lrs_child_now();
	pump(s);
}

/* Step `step` is complete (its loss, and its evaluation when one was due):
 * the hook, then the end of a range test, then more rates. */
static void step_done(session *s, long step, double loss)
{
	const lrs_train_hooks *h = s->hooks;
	volatile sig_atomic_t *stop = s->cfg->stop;

	if (h && h->on_step && h->on_step(h->ctx, step, s->lrs[step], loss)) {
		s->out->status = LRS_RUN_STOPPED;
		send_stop(s, stop && *stop ? "interrupted" : s->range ? "diverged" : "done");
		return;
	}
	if (s->range && step == s->total - 1) {
		send_stop(s, "done");
		return;
	}
	pump(s);
}

static void one_loss(session *s, long step, double loss)
{
	if (step != s->got || step >= s->sent || s->holding) {
		fault(s, "sent the loss of step %ld, expected step %ld (rates sent up to step %ld)", step,
		             s->got, s->sent - 1);
		return;
	}
	s->got++;
	if (!isfinite(loss)) {
		/* diverged now: the session ends and the program with it
		 * (SIGTERM, then SIGKILL after the grace), whether it obeys
		 * the stop, hangs or exits */
		s->out->status = LRS_RUN_DIVERGED;
		s->out->diverged_at = step;
		s->non_finite = 1;   /* first: a program already gone fails the stop's write, no fault */
		send_stop(s, "diverged");
		return;
	}
	if (s->range && step == s->next_eval) {
		lrs_buf b = { 0 };
		s->held_loss = loss;
		s->holding = 1;
		lrs_buf_printf(&b, "{\"op\": \"eval\", \"step\": %ld}\n", step);
		send_buf(s, &b);
		return;
	}
	step_done(s, step, loss);
}

static void on_loss(session *s, const lrs_node *m)
{
	const lrs_node *steps = field(m, "steps"), *losses = field(m, "losses");

	if (!steps && !losses) {
		long step = whole(s, m, "loss", "step");
		double loss = number(s, m, "loss", "loss", 0);
		if (!s->fault[0])
			one_loss(s, step, loss);
		return;
	}
	if (!steps || !losses || steps->kind != LRS_NODE_LIST || losses->kind != LRS_NODE_LIST ||
	    steps->n != losses->n) {
		fault(s, "sent 'loss' with 'steps' and 'losses' that are not two lists of one length");
		return;
	}
	for (size_t i = 0; i < steps->n && !s->fault[0] && s->ph == PHASE_RUNNING; i++) {
		long step;
		double loss;
		if (lrs_json_long(steps->items[i], &step) < 0 || lrs_json_value(losses->items[i], &loss) < 0) {
			fault(s, "sent 'loss' with an entry that is not a number");
			return;
		}
		one_loss(s, step, loss);
	}
}

static void on_eval(session *s, const lrs_node *m)
{
	long step = whole(s, m, "eval", "step");
	double vl = number(s, m, "eval", "val_loss", 1), va = accuracy(s, m, "eval", "val_accuracy", 0);
	const lrs_train_hooks *h = s->hooks;

	if (s->fault[0])
		return;
	if (!s->holding || step != s->next_eval) {
		fault(s, "sent an evaluation of step %ld, which was not asked for", step);
		return;
	}
	if (h && h->on_eval)
		h->on_eval(h->ctx, step, vl, va);
	s->holding = 0;
	s->next_eval = next_eval_from(s, step + 1);
	step_done(s, step, s->held_loss);
}

static void on_epoch(session *s, const lrs_node *m)
{
	lrs_epoch_stats e = { .epoch = whole(s, m, "epoch", "epoch") };
	lrs_train_result *out = s->out;
	const lrs_train_hooks *h = s->hooks;
	long expect = s->epochs + 1;   /* the end is computed from it: e.epoch is the program's, any size */
	long end = s->spe > 0 && expect <= s->total / s->spe ? expect * s->spe : s->total;
	lrs_buf b = { 0 };

	e.train_loss = number(s, m, "epoch", "train_loss", 1);
	e.train_accuracy = accuracy(s, m, "epoch", "train_accuracy", 1);
	e.val_loss = number(s, m, "epoch", "val_loss", 1);
	e.val_accuracy = accuracy(s, m, "epoch", "val_accuracy", 1);
	if (s->fault[0])
		return;
	if (e.epoch != expect || s->got != end || s->holding) {
		fault(s, "sent the end of epoch %ld after %ld steps; expected epoch %ld after step %ld", e.epoch,
		      s->got, s->epochs + 1, end - 1);
		return;
	}
	s->epochs = e.epoch;
	e.steps = s->got;
	e.lr = s->lrs[s->got - 1];
	e.seconds = lrs_child_now() - s->t_epoch;
	s->t_epoch = lrs_child_now();
	if (s->use_plateau) {
		int has_val = !isnan(e.val_accuracy);
		if (lrs_plateau_minimizes(&s->plateau))
			lrs_plateau_step(&s->plateau, has_val ? e.val_loss : e.train_loss);
		else
			lrs_plateau_step(&s->plateau, has_val ? e.val_accuracy : e.train_accuracy);
	}
	if (!s->range) {
		out->epochs_done = e.epoch;
		out->last = e;
		if (!isnan(e.val_accuracy) &&
		    (isnan(out->best_val_accuracy) || e.val_accuracy > out->best_val_accuracy)) {
			out->best_val_accuracy = e.val_accuracy;
			out->best_epoch = e.epoch;
		}
		if (h && h->on_epoch && h->on_epoch(h->ctx, &e)) {
			out->status = LRS_RUN_STOPPED;
			if (s->cfg->stop && *s->cfg->stop) {
				send_stop(s, "interrupted");
			} else {
				lrs_buf_printf(&b, "{\"op\": \"prune\", \"epoch\": %ld}\n", e.epoch);
				send_buf(s, &b);
				end_sending(s);
				s->stop_reason = "prune";
				s->ph = PHASE_ENDING;
				s->ending_since = lrs_child_now();
			}
			return;
		}
	}
	lrs_buf_printf(&b, "{\"op\": \"ack\", \"epoch\": %ld}\n", e.epoch);
	send_buf(s, &b);
	pump(s);
}

/* The epochs of the run: its last one may be cut short by max_steps. */
static long epochs_of(const session *s)
{
	return (s->total + s->spe - 1) / s->spe;
}

static void on_done(session *s, const lrs_node *m)
{
	double tl = number(s, m, "done", "test_loss", 1), ta = accuracy(s, m, "done", "test_accuracy", 1);

	if (s->fault[0])
		return;
	if (s->got < s->total) {
		fault(s, "sent done after %ld of %ld steps (%ld epochs)", s->got, s->total, s->epochs);
		return;
	}
	if (s->holding) {   /* a range test's last step, its evaluation asked for: storing
	                       the curve without it would lose the step silently */
		fault(s, "sent done while lrsweep waited for the eval answer of step %ld (it sent "
		      "{\"op\": \"eval\", \"step\": %ld}): a range test's program answers it, then reads on "
		      "until lrsweep's stop, its last message", s->next_eval, s->next_eval);
		return;
	}
	if (!s->range && s->epochs < epochs_of(s)) {
		fault(s, "sent done after all %ld steps but %ld of %ld epoch messages: a trial's program "
		      "ends each epoch with {\"op\": \"epoch\", \"epoch\": N, ...} and waits for its ack",
		      s->got, s->epochs, epochs_of(s));
		return;
	}
	if (!s->cfg->skip_test) {
		s->out->test_loss = tl;
		s->out->test_accuracy = ta;
	}
	s->done = 1;
	s->ph = PHASE_DONE;
	end_sending(s);
}

/* At most the first 60 bytes of `text` (`len` bytes, not NUL-terminated)
 * as an error quotes them: escaped by lrs_buf_printable, so the error
 * stays one line of text, and "..." when cut. */
static void quote(char *out, size_t size, const char *text, size_t len)
{
	char head[61];
	lrs_buf b = { 0 };
	size_t n = len < 60 ? len : 60;

	memcpy(head, text, n);
	head[n] = '\0';
	lrs_buf_printf(&b, "%s", "");
	lrs_buf_printable(&b, head, 0);
	snprintf(out, size, "%s%s", b.data ? b.data : "", len > 60 ? "..." : "");
	lrs_buf_free(&b);
}

/* One line from the program. */
static void on_line(session *s, const char *line, size_t len)
{
	char err[128], quoted[256];
	lrs_node *m = NULL;
	const lrs_node *op;

	s->last_heard = lrs_child_now();
	if (s->ph == PHASE_ENDING || s->ph == PHASE_DONE)
		return;   /* what it says after stop, prune or done does not count */
	if (len > LRS_EXTERNAL_MAX_LINE) {
		fault(s, "wrote a line of more than %d bytes", LRS_EXTERNAL_MAX_LINE);
		return;
	}
	if (len >= 3 && !memcmp(line, "\xef\xbb\xbf", 3)) {
		line += 3;   /* a UTF-8 byte-order mark (Windows' habit, .NET's
		                and PowerShell's UTF-8) is no part of the JSON */
		len -= 3;
	}
	size_t blank = 0;
	while (blank < len && (line[blank] == ' ' || line[blank] == '\t' || line[blank] == '\r'))
		blank++;
	if (blank == len)
		return;   /* a blank line (an extra "\n", "\r\n") is no message */
	if (lrs_json_parse(&m, line, len, err, sizeof err) < 0 || m->kind != LRS_NODE_MAP ||
	    !(op = lrs_node_get(m, "op")) || op->kind != LRS_NODE_SCALAR) {
		quote(quoted, sizeof quoted, line, len);
		fault(s, "wrote a malformed message (%s): '%s'", m ? "no op" : err, quoted);
		lrs_node_free(m);
		return;
	}
	quote(quoted, sizeof quoted, op->text, strlen(op->text));
	if (s->ph == PHASE_HELLO && strcmp(op->text, "hello"))
		fault(s, "sent '%s' before hello", quoted);
	else if (!strcmp(op->text, "hello"))
		s->ph == PHASE_HELLO ? on_hello(s, m) : fault(s, "sent hello twice");
	else if (!strcmp(op->text, "loss"))
		on_loss(s, m);
	else if (!strcmp(op->text, "eval"))
		on_eval(s, m);
	else if (!strcmp(op->text, "epoch"))
		on_epoch(s, m);
	else if (!strcmp(op->text, "done"))
		on_done(s, m);
	else
		fault(s, "sent an unknown op '%s'", quoted);
	lrs_node_free(m);
}

/* Reads what the channel holds and handles its whole lines. Returns 1 at
 * the end of the channel. */
static int read_channel(session *s)
{
	for (;;) {
		if (s->in_cap - s->in_len < 65536) {
			size_t cap = s->in_cap ? 2 * s->in_cap : 131072;
			char *grown = realloc(s->in, cap);
			if (!grown) {
				fault(s, "out of memory");
				return 1;
			}
			s->in = grown;
			s->in_cap = cap;
		}
		ssize_t n = recv(s->child.fd, s->in + s->in_len, s->in_cap - s->in_len, 0);
		if (n == 0) {   /* the end of the channel ends a last line without "\n" */
			if (s->in_len && !s->fault[0])
				on_line(s, s->in, s->in_len);
			s->in_len = 0;
			return 1;
		}
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : errno == EINTR ? read_channel(s) : 1;
		s->in_len += (size_t)n;
		size_t start = 0;
		char *nl;
		while (!s->fault[0] && !s->non_finite && (nl = memchr(s->in + start, '\n', s->in_len - start))) {
			on_line(s, s->in + start, (size_t)(nl - (s->in + start)));
			start = (size_t)(nl - s->in) + 1;
		}
		memmove(s->in, s->in + start, s->in_len - start);
		s->in_len -= start;
		if (s->in_len > LRS_EXTERNAL_MAX_LINE)
			fault(s, "wrote a line of more than %d bytes", LRS_EXTERNAL_MAX_LINE);
		if (s->fault[0] || s->non_finite)
			return 1;
	}
}

/* ------------------------------------------------------------- the run */

/* The silence fault, naming what lrsweep waits for before it sends the
 * next rate: a program that skips an eval answer, or an epoch message under
 * reduce_on_plateau, waits for a rate that never comes. */
static void fault_silent(session *s)
{
	char what[200] = "";

	if (s->holding)
		snprintf(what, sizeof what, " while lrsweep waited for the eval answer of step %ld", s->next_eval);
	else if (s->use_plateau && s->sent == s->got && s->sent < s->total && s->sent / s->spe > s->epochs)
		snprintf(what, sizeof what, " while lrsweep waited for the epoch message of epoch %ld", s->epochs + 1);
	else if (s->got < s->sent)   /* a slow step, or a buffered writer's losses waiting for rates that wait for them */
		snprintf(what, sizeof what, " while lrsweep waited for the loss of step %ld, whose rate it had sent "
		         "(a step slower than trainer.timeout, or a loss written but not flushed, which never arrives)",
		         s->got);
	fault(s, "was silent for %.0f s (trainer.timeout)%s", s->x->cfg->timeout, what);
}

/* The fault of a program whose channel closed (`verb` "ended") or that
 * exited ("exited") before the run's end, saying how far it got. A range
 * test's program sends no done: it trains until it reads stop. */
static void fault_early_end(session *s, const char *verb)
{
	if (s->ph == PHASE_HELLO)
		fault(s, "%s before hello", !strcmp(verb, "ended") ? "closed the channel" : verb);
	else if (s->range && s->holding)
		fault(s, "%s after %ld of %ld steps without the eval answer of step %ld that lrsweep asked for, "
		      "before lrsweep's stop: a range test's program answers each eval and trains until it reads "
		      "stop", verb, s->got, s->total, s->next_eval);
	else if (s->range)
		fault(s, "%s after %ld of %ld steps, before lrsweep's stop: a range test's program "
		      "trains until it reads stop", verb, s->got, s->total);
	else
		fault(s, "%s before done, after %ld of %ld steps and %ld of %ld epochs", verb, s->got, s->total,
		      s->epochs, epochs_of(s));
}

/* Waits for the channel or a tick, then reads; checks the clocks and the
 * stop flag. Returns 1 when the session is over. */
static int turn(session *s)
{
	const lrs_external_config *c = s->x->cfg;
	struct pollfd p = { s->child.fd, POLLIN, 0 };
	double now;

	if (poll(&p, 1, 100) > 0 && read_channel(s)) {
		if (s->non_finite)
			return 1;
		/* the channel closed: fine after done or a stop, else a fault */
		s->closed = !s->fault[0];
		if (!s->fault[0] && s->ph != PHASE_DONE && s->ph != PHASE_ENDING)
			fault_early_end(s, "ended");
		return 1;
	}
	if (s->fault[0] || s->non_finite || s->ph == PHASE_DONE)
		return 1;
	now = lrs_child_now();
	if (s->ph == PHASE_ENDING) {
		if (lrs_child_has_exited(&s->child))
			return 1;
		if (now - s->ending_since > c->grace) {
			if (strcmp(s->stop_reason, "interrupted"))
				fault(s, "did not exit within %.0f s of %s%s", c->grace,
				      strcmp(s->stop_reason, "prune") ? "stop: " : "", s->stop_reason);
			return 1;
		}
		return 0;
	}
	if (s->cfg->stop && *s->cfg->stop) {
		s->out->status = LRS_RUN_STOPPED;
		send_stop(s, "interrupted");
		return 0;
	}
	if (s->ph == PHASE_HELLO && now - s->child.started > c->startup_timeout)
		fault(s, "sent no hello within %.0f s (trainer.startup_timeout)%s", c->startup_timeout,
		      lrs_child_has_exited(&s->child) ? "" : "; it was running: a hello written but not "
		      "flushed is still in its output buffer");
	else if (s->ph == PHASE_RUNNING && now - s->last_heard > c->timeout)
		fault_silent(s);
	else if (lrs_child_has_exited(&s->child) && !(p.revents & POLLIN))
		fault_early_end(s, "exited");
	return s->fault[0] != 0;
}

/* The error of a failed run: the fault, how the program ended, its log. */
static int run_error(session *s)
{
	char how[128], tail[700];

	lrs_child_describe_exit(how, sizeof how, &s->child);
	lrs_log_tail(tail, sizeof tail, s->log, 5);
	return lrs_error_set(LRS_ERROR, "the trainer %s (%s); log %s%s%s", s->fault, how, s->log,
	                     tail[0] ? ": " : " (empty)", tail);
}

/* Replaces the placeholders of one argument; NULL when out of memory. */
static char *expand_one(const char *arg, const session *s, const char *params_file)
{
	static const char *const names[] = { "{params_file}", "{trial_key}", "{seed}", "{mode}" };
	char seed[32];
	const char *values[4] = { params_file, s->cfg->run_key ? s->cfg->run_key : "", seed,
	                          s->range ? "range-test" : "trial" };
	lrs_buf b = { 0 };

	snprintf(seed, sizeof seed, "%llu", (unsigned long long)s->cfg->seed);
	lrs_buf_printf(&b, "%s", "");
	while (*arg) {
		size_t k = 0;
		while (k < 4 && strncmp(arg, names[k], strlen(names[k])))
			k++;
		if (k < 4) {
			lrs_buf_printf(&b, "%s", values[k]);
			arg += strlen(names[k]);
		} else {
			lrs_buf_printf(&b, "%c", *arg++);
		}
	}
	return lrs_buf_take(&b);
}

/* "--key=value" for each param (nested keys dotted, lists as JSON). */
static int push_args(char ***argv, size_t *n, const lrs_node *m, const char *prefix)
{
	for (size_t i = 0; m && m->kind == LRS_NODE_MAP && i < m->n; i++) {
		lrs_buf b = { 0 };
		const lrs_node *v = m->items[i];
		if (v->kind == LRS_NODE_MAP) {
			lrs_buf_printf(&b, "%s%s.", prefix, m->keys[i]);
			int rc = b.failed ? -1 : push_args(argv, n, v, b.data);
			lrs_buf_free(&b);
			if (rc < 0)
				return -1;
			continue;
		}
		lrs_buf_printf(&b, "--%s%s=", prefix, m->keys[i]);
		if (v->kind == LRS_NODE_SCALAR)
			lrs_buf_printf(&b, "%s", v->text);
		else
			lrs_node_json(&b, v);
		char **grown = realloc(*argv, (*n + 2) * sizeof **argv);
		char *arg = lrs_buf_take(&b);
		if (!grown || !arg) {
			free(arg);
			if (grown)
				*argv = grown;
			return -1;
		}
		*argv = grown;
		(*argv)[(*n)++] = arg;
	}
	return 0;
}

static void free_argv(char **argv, size_t n)
{
	for (size_t i = 0; argv && i < n; i++)
		free(argv[i]);
	free(argv);
}

/* The command with its placeholders expanded, NULL-terminated. */
static int make_argv(char ***out, const session *s, const char *params_file)
{
	const lrs_external_config *c = s->x->cfg;
	char **argv = calloc(c->argc + 1, sizeof *argv);
	size_t n = 0;
	int rc = argv ? 0 : -1;
	char err[128] = "";   /* why the params did not read back */

	for (size_t i = 0; rc == 0 && i < c->argc; i++) {
		if (!strcmp(c->argv[i], "{args}")) {
			lrs_node *params = NULL;
			const char *json = s->cfg->params ? s->cfg->params : s->x->params;
			if (lrs_json_parse(&params, json, strlen(json), err, sizeof err) == 0)
				rc = push_args(&argv, &n, params, "");
			else
				rc = -2;   /* not silently without them */
			lrs_node_free(params);
		} else {
			char **grown = realloc(argv, (n + 2) * sizeof *argv);
			rc = grown ? 0 : -1;
			if (grown && !((argv = grown)[n] = expand_one(c->argv[i], s, params_file)))
				rc = -1;
			else if (grown)
				n++;
		}
	}
	if (rc < 0) {
		free_argv(argv, n);
		return rc == -2 ? lrs_error_set(LRS_ERROR, "the params cannot be passed as {args}: %s", err)
		                : lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	argv[n] = NULL;
	*out = argv;
	return 0;
}

void lrs_external_log_path(char *buf, size_t size, const lrs_engine *engine, const char *key)
{
	const ext_engine *x = engine->ctx;

	snprintf(buf, size, "%s/%s.log", x->log_dir, key && key[0] ? key : "run");
}

/* The params file beside the log (its ".log" made ".json"), as an
 * absolute path: the program runs in its own cwd, not lrsweep's. */
static int params_file_path(char *buf, size_t size, const char *log)
{
	char cwd[PATH_MAX];
	int relative = log[0] != '/' && getcwd(cwd, sizeof cwd);
	int n = snprintf(buf, size, "%s%s%.*s.json", relative ? cwd : "", relative ? "/" : "",
	                 (int)(strlen(log) - 4), log);

	return n >= 0 && (size_t)n < size ? 0 : lrs_error_set(LRS_ERROR, "%s: a path too long", log);
}

/* Launches the program for s and talks to it until the session ends;
 * always ends the program. 0, or the run's error. */
static int session_run(session *s)
{
	const lrs_external_config *c = s->x->cfg;
	char params_file[PATH_MAX], env_mode[64], env_key[128], env_params[PATH_MAX + 32];
	char *own_env[] = { "LRSWEEP_FD=3", "LRSWEEP_PROTOCOL=1", env_mode, env_key, env_params };
	char **argv = NULL;
	int err;

	lrs_external_log_path(s->log, sizeof s->log, &s->x->base, s->cfg->run_key);
	if ((err = params_file_path(params_file, sizeof params_file, s->log)) < 0)
		return err;
	snprintf(env_mode, sizeof env_mode, "LRSWEEP_MODE=%s", s->range ? "range-test" : "trial");
	snprintf(env_key, sizeof env_key, "LRSWEEP_TRIAL_KEY=%s", s->cfg->run_key ? s->cfg->run_key : "");
	snprintf(env_params, sizeof env_params, "LRSWEEP_PARAMS_FILE=%s", params_file);
	if ((err = write_params_file(s, params_file)) < 0 || (err = make_argv(&argv, s, params_file)) < 0)
		return err;
	err = lrs_child_spawn(&s->child, argv, c->cwd, c->env, c->n_env, own_env,
	                      sizeof own_env / sizeof *own_env, s->log);
	size_t argc = 0;
	while (argv[argc])
		argc++;
	free_argv(argv, argc);
	if (err < 0)
		return err;
	s->last_heard = lrs_child_now();
	while (!turn(s))
		;
	if ((s->ph == PHASE_DONE && !s->fault[0]) || s->closed)
		lrs_child_wait_exit(&s->child, c->grace);   /* it is ending: let it exit by itself */
	lrs_child_end(&s->child, c->grace);
	return s->fault[0] ? run_error(s) : 0;
}

static void session_free(session *s)
{
	free(s->in);
	free(s->lrs);
}

static int ext_run(const lrs_engine *engine, lrs_train_result *out, const lrs_dataset *ds,
                   const lrs_train_config *cfg, const lrs_train_hooks *hooks)
{
	session s = { .x = engine->ctx, .cfg = cfg, .hooks = hooks, .out = out, .ds = ds,
	              .range = cfg->eval_every > 0,
	              .use_plateau = lrs_sched_get_type(cfg->sched) == LRS_SCHED_REDUCE_ON_PLATEAU,
	              .cycles = lrs_sched_cycles_momentum(cfg->sched) };
	double t0 = lrs_child_now();
	int err;

	if (s.use_plateau)
		lrs_plateau_init(&s.plateau, cfg->sched);
	out->status = LRS_RUN_COMPLETED;
	err = session_run(&s);
	out->steps = s.got;
	if (out->status == LRS_RUN_COMPLETED && !s.done && !s.range)
		out->status = LRS_RUN_STOPPED;
	out->seconds = lrs_child_now() - t0;
	session_free(&s);
	return err;
}

int lrs_external_probe(long *steps_per_epoch, const lrs_engine *engine, const lrs_train_config *cfg)
{
	lrs_train_result out = { 0 };
	lrs_train_config c = *cfg;
	char key[64];
	session s = { .x = engine->ctx, .cfg = &c, .out = &out, .probe = 1 };
	int err;

	/* every rank of an MPI run probes for itself: one file each */
	snprintf(key, sizeof key, "probe-batch-%ld-%ld", cfg->batch_size, (long)getpid());
	c.run_key = key;
	c.eval_every = 0;
	if ((err = session_run(&s)) == 0 && s.spe < 1) {
		fault(&s, "sent no hello");
		err = run_error(&s);
	}
	*steps_per_epoch = s.spe;
	session_free(&s);
	return err;
}

/* mkdir -p for the log directory. */
static int make_dirs(const char *path)
{
	char tmp[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof tmp)
		return lrs_error_set(LRS_EINVALID, "%s: not a usable log directory", path);
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
				return lrs_error_set(LRS_ERROR, "%s: cannot make the trainer's log directory: %s", tmp,
				                     strerror(errno));
			if (!(*p = c))
				break;
		}
	}
	return 0;
}

int lrs_external_new(lrs_engine **out, const lrs_external_config *cfg, const char *log_dir,
                     const lrs_node *params)
{
	ext_engine *x = calloc(1, sizeof *x);
	lrs_buf b = { 0 };
	int err;

	*out = NULL;
	if (!x)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	if (params)
		lrs_node_json(&b, params);
	else
		lrs_buf_printf(&b, "{}");
	x->params = lrs_buf_take(&b);
	x->log_dir = strdup(log_dir);
	if (!x->params || !x->log_dir) {
		lrs_external_free(&x->base);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	if ((err = make_dirs(log_dir)) < 0) {
		lrs_external_free(&x->base);
		return err;
	}
	x->cfg = cfg;
	x->base = (lrs_engine){ "external", ext_run, NULL, x };
	*out = &x->base;
	return 0;
}

size_t lrs_external_end_leftovers(const lrs_engine *engine, void (*warn)(void *ctx, long pid, const char *command),
                                  void *ctx)
{
	const ext_engine *x = (const ext_engine *)engine;

	return engine ? lrs_child_end_leftovers(x->cfg ? x->cfg->grace : 10, warn, ctx) : 0;
}

void lrs_external_free(lrs_engine *engine)
{
	ext_engine *x;

	if (!engine)
		return;
	x = (ext_engine *)engine;
	lrs_external_end_leftovers(engine, NULL, NULL);
	free(x->params);
	free(x->log_dir);
	free(x);
}
