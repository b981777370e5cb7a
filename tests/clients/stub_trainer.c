/* stub_trainer.c - a training program for lrsweep's tests, built on the C
 * client (clients/c/lrsweep_client.h).
 *
 * It trains a toy model in microseconds: momentum SGD on a noisy quadratic
 * whose curvatures span 0.1..10 (times params.scale), so that a range test
 * sees the loss fall as the rate grows and blow up past about
 * 2 (1 + momentum) / (10 scale). Accuracy is exp(-loss). With --echo it
 * trains nothing and reports values the tests can predict instead.
 *
 * It can also misbehave on purpose, for the tests of lrsweep's side:
 *
 *   stub_trainer [--fault NAME[,NAME...]] [--fault-at STEP] [--echo]
 *                [--steps-per-epoch N] [--nan-at STEP] [--step-ms MS]
 *                [--flood-bytes N]
 *
 * Each option may also come from the environment: STUB_FAULT, STUB_FAULT_AT,
 * STUB_STEPS_PER_EPOCH, STUB_NAN_AT, STUB_STEP_MS, STUB_FLOOD_BYTES, STUB_ECHO=1
 * (the command line wins). Faults (at step --fault-at, default the middle
 * of the first epoch, unless said otherwise):
 *
 *   no-hello      never says hello; sleeps until killed
 *   crash         abort()s (SIGABRT) mid-epoch
 *   exit-early    exits 0 without done
 *   hang          stops talking; sleeps until killed
 *   garbage       writes a line that is not JSON, then trains on
 *   bad-step      reports a loss for a step lrsweep never sent
 *   out-of-order  reports step 0's loss a second time
 *   long-line     writes a 2 MiB line
 *   flood-stdout  prints --flood-bytes (default 8 MiB) of lines to stdout,
 *                 then trains on normally
 *   grandchild    forks a process that ignores SIGTERM and sleeps an hour
 *                 (keeping the channel, as a data-loader worker would), then
 *                 trains on normally
 *   ignore-prune  on prune, sleeps until killed instead of exiting
 *   ignore-stop   on stop, sleeps until killed instead of exiting
 *   ignore-term   ignores SIGTERM from the start (only SIGKILL ends it)
 *
 * Exit status: 0 when done, stopped or pruned; 1 when the channel closed
 * without a stop or the protocol failed; 2 for a bad option.
 */
#define _POSIX_C_SOURCE 200809L
#include "../../clients/c/lrsweep_client.h"

#include <signal.h>
#include <time.h>

enum {
	F_NO_HELLO = 1 << 0, F_CRASH = 1 << 1, F_EXIT_EARLY = 1 << 2, F_HANG = 1 << 3,
	F_GARBAGE = 1 << 4, F_BAD_STEP = 1 << 5, F_OUT_OF_ORDER = 1 << 6,
	F_LONG_LINE = 1 << 7, F_FLOOD = 1 << 8, F_GRANDCHILD = 1 << 9,
	F_IGNORE_PRUNE = 1 << 10, F_IGNORE_STOP = 1 << 11, F_IGNORE_TERM = 1 << 12
};

static const struct { const char *name; int bit; } faults[] = {
	{ "no-hello", F_NO_HELLO }, { "crash", F_CRASH }, { "exit-early", F_EXIT_EARLY },
	{ "hang", F_HANG }, { "garbage", F_GARBAGE }, { "bad-step", F_BAD_STEP },
	{ "out-of-order", F_OUT_OF_ORDER }, { "long-line", F_LONG_LINE },
	{ "flood-stdout", F_FLOOD }, { "grandchild", F_GRANDCHILD },
	{ "ignore-prune", F_IGNORE_PRUNE }, { "ignore-stop", F_IGNORE_STOP },
	{ "ignore-term", F_IGNORE_TERM },
};

typedef struct {
	int faults;		/* F_* bits */
	long fault_at;		/* step of the step-bound faults, -1: mid first epoch */
	long steps_per_epoch;
	long nan_at;		/* step whose loss is NaN, -1: none */
	long step_ms;		/* sleep per step */
	long flood_bytes;
	int echo;		/* report predictable values instead of training */
} options;

#define K 8			/* coordinates of the toy model */

typedef struct {
	double w[K], v[K];	/* weights and momentum buffers */
	double h[K];		/* curvatures */
	double noise;		/* gradient noise scale */
	unsigned long long rng;	/* splitmix64 state */
} model;

/* ---- options ----------------------------------------------------------- */

static int parse_faults(const char *list, int *out)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", list);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;
		for (i = 0; i < sizeof faults / sizeof faults[0]; i++)
			if (!strcmp(tok, faults[i].name))
				break;
		if (i == sizeof faults / sizeof faults[0]) {
			fprintf(stderr, "stub_trainer: unknown fault '%s'\n", tok);
			return -1;
		}
		*out |= faults[i].bit;
	}
	return 0;
}

static int parse_long(const char *text, const char *what, long *out)
{
	char *end;
	long v = strtol(text, &end, 10);
	if (end == text || *end) {
		fprintf(stderr, "stub_trainer: %s wants an integer, not '%s'\n", what, text);
		return -1;
	}
	*out = v;
	return 0;
}

/* One option by name, from argv's value or the environment's. */
static int set_option(options *o, const char *name, const char *value)
{
	if (!strcmp(name, "fault"))
		return parse_faults(value, &o->faults);
	if (!strcmp(name, "fault-at"))
		return parse_long(value, "--fault-at", &o->fault_at);
	if (!strcmp(name, "steps-per-epoch"))
		return parse_long(value, "--steps-per-epoch", &o->steps_per_epoch);
	if (!strcmp(name, "nan-at"))
		return parse_long(value, "--nan-at", &o->nan_at);
	if (!strcmp(name, "step-ms"))
		return parse_long(value, "--step-ms", &o->step_ms);
	if (!strcmp(name, "flood-bytes"))
		return parse_long(value, "--flood-bytes", &o->flood_bytes);
	fprintf(stderr, "stub_trainer: unknown option --%s\n", name);
	return -1;
}

static int parse_options(options *o, int argc, char **argv)
{
	static const char *env[][2] = {
		{ "STUB_FAULT", "fault" }, { "STUB_FAULT_AT", "fault-at" },
		{ "STUB_STEPS_PER_EPOCH", "steps-per-epoch" }, { "STUB_NAN_AT", "nan-at" },
		{ "STUB_STEP_MS", "step-ms" }, { "STUB_FLOOD_BYTES", "flood-bytes" },
	};
	*o = (options){ 0, -1, 10, -1, 0, 8 << 20, 0 };
	for (size_t i = 0; i < sizeof env / sizeof env[0]; i++)
		if (getenv(env[i][0]) && set_option(o, env[i][1], getenv(env[i][0])) < 0)
			return -1;
	o->echo = getenv("STUB_ECHO") && !strcmp(getenv("STUB_ECHO"), "1");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--echo")) {
			o->echo = 1;
			continue;
		}
		if (strncmp(argv[i], "--", 2) || i + 1 == argc) {
			fprintf(stderr, "stub_trainer: bad argument '%s' (see the file's top comment)\n", argv[i]);
			return -1;
		}
		if (set_option(o, argv[i] + 2, argv[i + 1]) < 0)
			return -1;
		i++;
	}
	if (o->steps_per_epoch < 1) {
		fprintf(stderr, "stub_trainer: --steps-per-epoch must be at least 1\n");
		return -1;
	}
	if (o->fault_at < 0)
		o->fault_at = o->steps_per_epoch / 2;
	return 0;
}

/* ---- the toy model ------------------------------------------------------ */

static double uniform(model *m)
{
	unsigned long long z = (m->rng += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

static void model_init(model *m, const lrsc_json *config)
{
	double scale = lrsc_json_number(config, "params.scale", 1.0);
	m->noise = lrsc_json_number(config, "params.noise", 0.1);
	m->rng = (unsigned long long)lrsc_json_number(config, "seed", 0);
	for (int i = 0; i < K; i++) {
		m->h[i] = scale * pow(10.0, -1.0 + 2.0 * i / (K - 1));
		m->w[i] = 1.0 + uniform(m);
		m->v[i] = 0;
	}
}

static double model_loss(const model *m)
{
	double sum = 0;
	for (int i = 0; i < K; i++)
		sum += 0.5 * m->h[i] * m->w[i] * m->w[i];
	return sum / K + 0.05;
}

/* One step of PyTorch's SGD with momentum; returns the loss before it. */
static double model_step(model *m, double lr, double momentum)
{
	double loss = model_loss(m) * (1 + m->noise * (uniform(m) - 0.5));
	for (int i = 0; i < K; i++) {
		double g = m->h[i] * m->w[i] + m->noise * (uniform(m) - 0.5);
		m->v[i] = momentum * m->v[i] + g;
		m->w[i] -= lr * m->v[i];
	}
	return loss;
}

/* ---- faults --------------------------------------------------------------- */

static void sleep_forever(const char *why)
{
	fprintf(stderr, "stub_trainer: %s; sleeping until killed\n", why);
	fflush(NULL);
	for (;;)
		sleep(60);
}

static void write_raw(int fd, const char *text, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, text, len);
		if (n <= 0)
			return;
		text += n;
		len -= (size_t)n;
	}
}

static void flood(long bytes)
{
	for (long n = 0, i = 0; n < bytes; i++)
		n += printf("flood line %ld: lrsweep keeps this program's output in its log file\n", i);
	fflush(stdout);
}

static void grandchild(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_IGN);
		for (int i = 0; i < 60; i++)
			sleep(60);
		_exit(0);
	}
	fprintf(stderr, "stub_trainer: forked grandchild %ld, which ignores SIGTERM\n", (long)pid);
}

/* The step-bound faults, at step s (before its loss is reported). */
static void step_faults(const options *o, lrsc_session *s)
{
	char line[128];
	if (s->step != o->fault_at)
		return;
	if (o->faults & F_CRASH) {
		fprintf(stderr, "stub_trainer: crashing at step %ld\n", s->step);
		fflush(NULL);
		abort();
	}
	if (o->faults & F_EXIT_EARLY) {
		fprintf(stderr, "stub_trainer: exiting at step %ld without done\n", s->step);
		lrsc_close(s);
		exit(0);
	}
	if (o->faults & F_HANG)
		sleep_forever("hanging silent");
	if (o->faults & F_GARBAGE)
		write_raw(s->fd, "this is not JSON {{{\n", 21);
	if (o->faults & (F_BAD_STEP | F_OUT_OF_ORDER)) {
		lrsc__flush(s);
		int n = snprintf(line, sizeof line, "{\"op\":\"loss\",\"step\":%ld,\"loss\":1}\n",
				 o->faults & F_BAD_STEP ? s->step + 100000 : 0L);
		write_raw(s->fd, line, (size_t)n);
	}
	if (o->faults & F_LONG_LINE) {
		size_t n = 2u << 20;
		char *big = malloc(n + 32);
		if (big) {
			int k = snprintf(big, n, "{\"op\":\"loss\",\"pad\":\"");
			memset(big + k, 'x', n - (size_t)k);
			memcpy(big + n, "\"}\n", 3);
			write_raw(s->fd, big, n + 3);
			free(big);
		}
	}
	if (o->faults & F_FLOOD)
		flood(o->flood_bytes);
	if (o->faults & F_GRANDCHILD)
		grandchild();
}

/* ---- training --------------------------------------------------------------- */

/* What the stub ends with for a code from the client; -1: carry on. */
static int outcome(const options *o, lrsc_session *s, int rc)
{
	if (rc >= 0)
		return -1;
	if (rc == LRSC_PRUNED) {
		printf("pruned at epoch %ld\n", s->epoch);
		if (o->faults & F_IGNORE_PRUNE)
			sleep_forever("ignoring prune");
		return 0;
	}
	if (rc == LRSC_STOP && strcmp(s->stop_reason, "closed") != 0) {
		printf("stop: %s\n", s->stop_reason);
		if (o->faults & F_IGNORE_STOP)
			sleep_forever("ignoring stop");
		return 0;
	}
	if (rc == LRSC_STOP)
		fprintf(stderr, "stub_trainer: lrsweep closed the channel\n");
	else
		fprintf(stderr, "stub_trainer: %s\n", s->error);
	return 1;
}

/* One step: takes the rate, trains, reports, evaluates when due. *loss gets
 * the training loss. Returns a client code. */
static int one_step(const options *o, lrsc_session *s, model *m, double *loss)
{
	double lr, mom;
	int rc;
	if ((rc = lrsc_lr(s, &lr, &mom)) < 0)
		return rc;
	if (o->step_ms > 0)
		nanosleep(&(struct timespec){ o->step_ms / 1000, (o->step_ms % 1000) * 1000000L }, NULL);
	step_faults(o, s);
	if (o->echo)
		*loss = lr * 1000 + (isnan(mom) ? 0 : mom);
	else
		*loss = model_step(m, lr, isnan(mom) ? lrsc_json_number(&s->config, "optimizer.momentum",
							     lrsc_json_number(&s->config, "optimizer.betas.0", 0)) : mom);
	if (s->step == o->nan_at)
		*loss = NAN;
	if ((rc = lrsc_loss(s, *loss)) < 0 || (rc = lrsc_eval_due(s)) <= 0)
		return rc;
	double vl = o->echo ? (double)(s->step - 1) : model_loss(m);
	return lrsc_eval(s, vl, o->echo ? 0.5 : exp(-vl));
}

static int train(const options *o, lrsc_session *s, model *m)
{
	double loss;
	int rc;
	int range_test = !strcmp(s->mode, "range-test");
	long epochs = s->epochs > 0 ? s->epochs : 1;
	for (long e = 1; range_test || e <= epochs; e++) {	/* a range test: until stop */
		double sum = 0;
		long n = 0;
		for (; n < o->steps_per_epoch && (range_test || s->max_steps == 0 || s->step < s->max_steps); n++) {
			if ((rc = one_step(o, s, m, &loss)) < 0)
				return rc;
			sum += loss;
		}
		double tl = n ? sum / (double)n : 0, vl = o->echo ? (double)e : model_loss(m);
		if ((rc = lrsc_epoch_end(s, tl, exp(-tl), vl, o->echo ? 0.25 : exp(-vl))) < 0)
			return rc;
		printf("epoch %ld: train_loss %.6g val_loss %.6g\n", e, tl, vl);
		if (!range_test && s->max_steps > 0 && s->step >= s->max_steps)
			break;
	}
	double test = o->echo ? 7.0 : model_loss(m);
	return lrsc_done(s, test, o->echo ? 0.75 : exp(-test));
}

int main(int argc, char **argv)
{
	options o;
	lrsc_session s;
	model m;
	if (parse_options(&o, argc, argv) < 0)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (o.faults & F_IGNORE_TERM)
		signal(SIGTERM, SIG_IGN);
	if (o.faults & F_NO_HELLO)
		sleep_forever("never saying hello");
	int rc = lrsc_connect(&s, o.steps_per_epoch);
	if (rc == LRSC_OK) {
		printf("config mode=%s key=%s seed=%.17g epochs=%ld width=%.17g\n", s.mode,
		       lrsc_json_string(&s.config, "trial_key", ""), lrsc_json_number(&s.config, "seed", 0),
		       s.epochs, lrsc_json_number(&s.config, "params.width", NAN));
		model_init(&m, &s.config);
		rc = train(&o, &s, &m);
	}
	int status = rc == LRSC_OK ? 0 : outcome(&o, &s, rc);
	lrsc_close(&s);
	return status;
}
