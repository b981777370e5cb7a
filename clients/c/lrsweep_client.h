/* lrsweep_client.h - the C client of lrsweep's external-trainer protocol.
 *
 * lrsweep starts a training program with one end of a socket on file
 * descriptor $LRSWEEP_FD (3). Over it lrsweep sends the run's configuration
 * and the learning rate of every step; the program reports losses,
 * evaluations and epochs (docs/trainers.md has the protocol). This one
 * header is the whole client: every function is static inline, so include
 * it wherever it is used; C11, libc and libm only, POSIX sockets.
 *
 *     lrsc_session s;
 *     if (lrsc_connect(&s, steps_per_epoch) != LRSC_OK) { report s.error; exit 1 }
 *     width = lrsc_json_number(&s.config, "params.width", 256);
 *     for each epoch, for each batch:
 *         rc = lrsc_lr(&s, &lr, &momentum);      momentum: NAN unless cycled
 *         ... train one step ...
 *         rc = lrsc_loss(&s, loss);              batched; NaN allowed
 *         if ((rc = lrsc_eval_due(&s)) > 0) rc = lrsc_eval(&s, vl, va);
 *     rc = lrsc_epoch_end(&s, tl, ta, vl, va);   LRSC_PRUNED when pruned
 *     lrsc_done(&s, test_loss, test_accuracy);   NAN omits a field
 *     lrsc_close(&s);
 *
 * Every call returns LRSC_OK (>= 0), LRSC_STOP (lrsweep stopped the run:
 * s.stop_reason is "done", "diverged", "interrupted", or "closed" when the
 * channel closed without a word), LRSC_PRUNED (epoch_end only) or
 * LRSC_ERROR (s.error says what). On STOP or PRUNED the program exits with
 * status 0 soon after (no done needed); on "closed" or ERROR it exits
 * nonzero. A step starts with lrsc_lr (callable again for the same step)
 * and ends with lrsc_loss; eval_due and eval refer to the step whose loss
 * was reported last.
 *
 * Also here: a small JSON reader (objects, arrays, strings with escapes,
 * numbers including NaN and Infinity, true, false, null) with lookups by
 * dotted path ("params.width", "optimizer.betas.0"). Not thread-safe: one
 * session per process. Compile with _POSIX_C_SOURCE 200809L (or
 * _DEFAULT_SOURCE) defined before the first include for strict C11 modes.
 */
#ifndef LRSWEEP_CLIENT_H
#define LRSWEEP_CLIENT_H

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
	LRSC_OK = 0,
	LRSC_ERROR = -1,	/* s.error says what */
	LRSC_STOP = -2,		/* s.stop_reason says why */
	LRSC_PRUNED = -3	/* lrsc_epoch_end: the trial was pruned */
};

#define LRSC_PROTOCOL 1
#define LRSC_MAX_LINE (1 << 20)	/* longest message line, either way */
#define LRSC_LOSS_BATCH 16	/* losses in one message at most */
#define LRSC_AHEAD 1024		/* lr messages this far ahead are kept */
#define LRSC_DEPTH 64		/* JSON nesting limit */

/* ==== JSON ============================================================= */

typedef enum {
	LRSC_JNULL, LRSC_JFALSE, LRSC_JTRUE, LRSC_JNUMBER,
	LRSC_JSTRING, LRSC_JARRAY, LRSC_JOBJECT
} lrsc_jtype;

typedef struct {
	lrsc_jtype type;
	double num;		/* LRSC_JNUMBER (also 1/0 for true/false) */
	const char *str;	/* LRSC_JSTRING: decoded, NUL-terminated */
	size_t len;		/* bytes of str (it may hold \u0000) */
	const char *key;	/* the member's name inside an object, else NULL */
	int child;		/* first element or member, -1 if none */
	int next;		/* next sibling, -1 at the end */
	int count;		/* elements or members */
} lrsc_jnode;

typedef struct {
	lrsc_jnode *nodes;	/* nodes[0] is the root */
	int n, cap;
	char *text;		/* a copy of the input; strings decoded in place */
	size_t textcap;
} lrsc_json;

typedef struct {
	lrsc_json *j;
	char *p, *end;
	char *err;
	size_t errsz;
} lrsc__jparser;

static inline int lrsc__jfail(lrsc__jparser *ps, const char *what)
{
	if (ps->err && ps->errsz)
		snprintf(ps->err, ps->errsz, "JSON at byte %ld: %s",
			 (long)(ps->p - ps->j->text), what);
	return -1;
}

static inline void lrsc__jspace(lrsc__jparser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
				   *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static inline int lrsc__jnew(lrsc__jparser *ps, lrsc_jtype type)
{
	lrsc_json *j = ps->j;
	if (j->n == j->cap) {
		int cap = j->cap ? 2 * j->cap : 64;
		lrsc_jnode *nodes = realloc(j->nodes, (size_t)cap * sizeof *nodes);
		if (!nodes)
			return lrsc__jfail(ps, "out of memory");
		j->nodes = nodes;
		j->cap = cap;
	}
	memset(&j->nodes[j->n], 0, sizeof j->nodes[0]);
	j->nodes[j->n].type = type;
	j->nodes[j->n].child = j->nodes[j->n].next = -1;
	return j->n++;
}

static inline int lrsc__jword(lrsc__jparser *ps, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return 0;
	ps->p += n;
	return 1;
}

static inline int lrsc__jhex4(const char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= c - '0';
		else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
		else return -1;
	}
	return v;
}

/* Decodes the string at ps->p (its opening quote) in place: *out points at
 * the NUL-terminated result, *len is its length. */
static inline int lrsc__jstring(lrsc__jparser *ps, const char **out, size_t *len)
{
	char *w = ++ps->p, *start = w;
	for (;;) {
		if (ps->p >= ps->end)
			return lrsc__jfail(ps, "unterminated string");
		unsigned char c = (unsigned char)*ps->p;
		if (c == '"')
			break;
		if (c < 0x20)
			return lrsc__jfail(ps, "control character in a string");
		if (c != '\\') {
			*w++ = *ps->p++;
			continue;
		}
		if (ps->end - ps->p < 2)
			return lrsc__jfail(ps, "unterminated escape");
		char e = ps->p[1];
		ps->p += 2;
		const char *simple = strchr("\"\\/bfnrt", e);
		if (e && simple) {
			*w++ = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
			continue;
		}
		if (e != 'u' || ps->end - ps->p < 4 || lrsc__jhex4(ps->p) < 0)
			return lrsc__jfail(ps, "bad escape in a string");
		long cp = lrsc__jhex4(ps->p);
		ps->p += 4;
		if (cp >= 0xD800 && cp < 0xDC00 && ps->end - ps->p >= 6 &&
		    ps->p[0] == '\\' && ps->p[1] == 'u') {
			long lo = lrsc__jhex4(ps->p + 2);
			if (lo >= 0xDC00 && lo < 0xE000) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				ps->p += 6;
			}
		}
		if (cp < 0x80) {
			*w++ = (char)cp;
		} else if (cp < 0x800) {
			*w++ = (char)(0xC0 | (cp >> 6));
			*w++ = (char)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			*w++ = (char)(0xE0 | (cp >> 12));
			*w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
			*w++ = (char)(0x80 | (cp & 0x3F));
		} else {
			*w++ = (char)(0xF0 | (cp >> 18));
			*w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
			*w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
			*w++ = (char)(0x80 | (cp & 0x3F));
		}
	}
	ps->p++;		/* the closing quote, now free for the NUL */
	*w = '\0';
	*out = start;
	*len = (size_t)(w - start);
	return 0;
}

/* A JSON number, or NaN, Infinity, -Infinity. */
static inline int lrsc__jnumber(lrsc__jparser *ps, double *out)
{
	char *p = ps->p;
	int neg = p < ps->end && *p == '-';
	if (neg)
		p++;
	ps->p = p;
	if (lrsc__jword(ps, "Infinity")) {
		*out = neg ? -INFINITY : INFINITY;
		return 0;
	}
	if (!neg && lrsc__jword(ps, "NaN")) {
		*out = NAN;
		return 0;
	}
#define LRSC__DIGITS(q) while ((q) < ps->end && *(q) >= '0' && *(q) <= '9') (q)++
	char *q = p;
	if (q < ps->end && *q == '0')
		q++;
	else if (q < ps->end && *q >= '1' && *q <= '9')
		LRSC__DIGITS(q);
	else
		return lrsc__jfail(ps, "expected a value");
	if (q < ps->end && *q == '.') {
		char *d = ++q;
		LRSC__DIGITS(q);
		if (q == d)
			return lrsc__jfail(ps, "expected a digit after '.'");
	}
	if (q < ps->end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < ps->end && (*q == '+' || *q == '-'))
			q++;
		char *d = q;
		LRSC__DIGITS(q);
		if (q == d)
			return lrsc__jfail(ps, "expected a digit in an exponent");
	}
#undef LRSC__DIGITS
	char saved = *q;	/* the text ends with a NUL, so q is valid */
	*q = '\0';
	*out = strtod(neg ? p - 1 : p, NULL);
	*q = saved;
	ps->p = q;
	return 0;
}

static inline int lrsc__jvalue(lrsc__jparser *ps, int depth);

/* The members (or elements) of the object (array) node at ps->p. */
static inline int lrsc__jcompound(lrsc__jparser *ps, int node, int depth)
{
	int object = *ps->p == '{', last = -1;
	char close = object ? '}' : ']';
	if (depth >= LRSC_DEPTH)
		return lrsc__jfail(ps, "nested too deeply");
	ps->p++;
	lrsc__jspace(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		const char *key = NULL;
		size_t klen;
		lrsc__jspace(ps);
		if (object) {
			if (ps->p >= ps->end || *ps->p != '"')
				return lrsc__jfail(ps, "expected a member name");
			if (lrsc__jstring(ps, &key, &klen) < 0)
				return -1;
			lrsc__jspace(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return lrsc__jfail(ps, "expected ':'");
			ps->p++;
		}
		int child = lrsc__jvalue(ps, depth + 1);
		if (child < 0)
			return -1;
		ps->j->nodes[child].key = key;
		if (last < 0)
			ps->j->nodes[node].child = child;
		else
			ps->j->nodes[last].next = child;
		last = child;
		ps->j->nodes[node].count++;
		lrsc__jspace(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return 0;
		}
		return lrsc__jfail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

/* One value at ps->p; returns its node, or -1. */
static inline int lrsc__jvalue(lrsc__jparser *ps, int depth)
{
	lrsc__jspace(ps);
	if (ps->p >= ps->end)
		return lrsc__jfail(ps, "expected a value");
	char c = *ps->p;
	int node;
	if (c == '{' || c == '[') {
		if ((node = lrsc__jnew(ps, c == '{' ? LRSC_JOBJECT : LRSC_JARRAY)) < 0 ||
		    lrsc__jcompound(ps, node, depth) < 0)
			return -1;
		return node;
	}
	if (c == '"') {
		const char *str;
		size_t len;
		if ((node = lrsc__jnew(ps, LRSC_JSTRING)) < 0 || lrsc__jstring(ps, &str, &len) < 0)
			return -1;
		ps->j->nodes[node].str = str;
		ps->j->nodes[node].len = len;
		return node;
	}
	if (lrsc__jword(ps, "true") || lrsc__jword(ps, "false") || lrsc__jword(ps, "null")) {
		lrsc_jtype t = ps->p[-1] == 'l' ? LRSC_JNULL : ps->p[-2] == 'u' ? LRSC_JTRUE : LRSC_JFALSE;
		if ((node = lrsc__jnew(ps, t)) < 0)
			return -1;
		ps->j->nodes[node].num = t == LRSC_JTRUE;
		return node;
	}
	double x = 0;
	if (lrsc__jnumber(ps, &x) < 0 || (node = lrsc__jnew(ps, LRSC_JNUMBER)) < 0)
		return -1;
	ps->j->nodes[node].num = x;
	return node;
}

/* Parses len bytes of text into j (whose earlier contents it replaces;
 * zero-initialise j before the first use). Returns 0, or -1 with a message
 * in err. */
static inline int lrsc_json_parse(lrsc_json *j, const char *text, size_t len,
				  char *err, size_t errsz)
{
	if (len + 1 > j->textcap) {
		char *t = realloc(j->text, len + 1);
		if (!t) {
			snprintf(err, errsz, "out of memory");
			return -1;
		}
		j->text = t;
		j->textcap = len + 1;
	}
	memcpy(j->text, text, len);
	j->text[len] = '\0';
	j->n = 0;
	lrsc__jparser ps = { j, j->text, j->text + len, err, errsz };
	if (lrsc__jvalue(&ps, 0) < 0)
		return -1;
	lrsc__jspace(&ps);
	if (ps.p != ps.end)
		return lrsc__jfail(&ps, "text after the value");
	return 0;
}

static inline void lrsc_json_free(lrsc_json *j)
{
	free(j->nodes);
	free(j->text);
	memset(j, 0, sizeof *j);
}

/* The node at a dotted path below the root ("" is the root itself): object
 * members by name, array elements by index. NULL when absent. */
static inline const lrsc_jnode *lrsc_json_get(const lrsc_json *j, const char *path)
{
	if (j->n == 0)
		return NULL;
	const lrsc_jnode *node = &j->nodes[0];
	while (*path) {
		size_t n = strcspn(path, ".");
		int i = node->child, k = 0;
		char *end;
		long index = strtol(path, &end, 10);
		for (; i >= 0; i = j->nodes[i].next, k++) {
			const lrsc_jnode *c = &j->nodes[i];
			if (node->type == LRSC_JOBJECT ? strlen(c->key) == n && !memcmp(c->key, path, n)
						       : end == path + n && n > 0 && k == index)
				break;
		}
		if (i < 0 || node->type < LRSC_JARRAY)
			return NULL;
		node = &j->nodes[i];
		path += n + (path[n] == '.');
	}
	return node;
}

/* The number (true: 1, false: 0) at path, or dflt. */
static inline double lrsc_json_number(const lrsc_json *j, const char *path, double dflt)
{
	const lrsc_jnode *n = lrsc_json_get(j, path);
	return n && (n->type == LRSC_JNUMBER || n->type == LRSC_JTRUE ||
		     n->type == LRSC_JFALSE) ? n->num : dflt;
}

/* The string at path, or dflt. */
static inline const char *lrsc_json_string(const lrsc_json *j, const char *path, const char *dflt)
{
	const lrsc_jnode *n = lrsc_json_get(j, path);
	return n && n->type == LRSC_JSTRING ? n->str : dflt;
}

/* ==== The session ====================================================== */

typedef struct {
	int fd;			/* the channel, -1 once closed */
	long steps_per_epoch;	/* as said in hello */
	lrsc_json config;	/* the config message ("mode", "params", ...) */
	const char *mode;	/* "trial" or "range-test" */
	long epochs, max_steps;	/* max_steps 0: none */
	long eval_every;	/* 0: no step evaluations */
	long step;		/* the current step: losses reported so far */
	long epoch;		/* epochs ended */
	long evaluated;		/* last step whose eval was sent, -1 */
	long asked;		/* last step lrsweep asked to evaluate, -1 */
	long answered;		/* epoch of the last ack or prune received, 0 */
	int pruned;		/* that answer was prune */
	int closed;		/* the channel reached EOF */
	int stopped;		/* a stop was received */
	char stop_reason[32];	/* its reason, or "closed" */
	char error[256];	/* what went wrong, for LRSC_ERROR */
	long lr_step[LRSC_AHEAD];	/* step held in each slot, -1 */
	double lr[LRSC_AHEAD], momentum[LRSC_AHEAD];	/* momentum NAN: not cycled */
	long loss_first;	/* step of losses[0] */
	int nloss;		/* losses buffered */
	double losses[LRSC_LOSS_BATCH];
	char *rbuf;		/* bytes read, not yet handled */
	size_t rlen;
	lrsc_json msg;		/* the message being handled */
} lrsc_session;

static inline int lrsc__error(lrsc_session *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->error, sizeof s->error, fmt, ap);
	va_end(ap);
	return LRSC_ERROR;
}

static inline int lrsc__stop(lrsc_session *s, const char *reason)
{
	if (!s->stopped)
		snprintf(s->stop_reason, sizeof s->stop_reason, "%s", reason);
	s->stopped = 1;
	return LRSC_STOP;
}

/* LRSC_STOP if a stop was received or the channel closed, else LRSC_OK. */
static inline int lrsc__stopped(lrsc_session *s)
{
	if (s->stopped)
		return LRSC_STOP;
	if (s->closed || s->fd < 0)
		return lrsc__stop(s, "closed");
	return LRSC_OK;
}

/* x as JSON: the shortest %g form that reads back exactly; NaN, Infinity. */
static inline char *lrsc__num(char *buf, size_t n, double x)
{
	if (isnan(x))
		snprintf(buf, n, "NaN");
	else if (isinf(x))
		snprintf(buf, n, x > 0 ? "Infinity" : "-Infinity");
	else
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(buf, n, "%.*g", prec, x);
			if (strtod(buf, NULL) == x)
				break;
		}
	return buf;
}

/* Writes one whole line; a closed channel is LRSC_STOP ("closed"). */
static inline int lrsc__send(lrsc_session *s, const char *line, size_t len)
{
	if (s->fd < 0 || s->closed)
		return lrsc__stopped(s);
	while (len > 0) {
#ifdef MSG_NOSIGNAL
		ssize_t n = send(s->fd, line, len, MSG_NOSIGNAL);
		if (n < 0 && errno == ENOTSOCK)
			n = write(s->fd, line, len);
#else
		ssize_t n = write(s->fd, line, len);
#endif
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
			s->closed = 1;
			return lrsc__stop(s, "closed");
		}
		if (n < 0)
			return lrsc__error(s, "writing to lrsweep: %s", strerror(errno));
		line += n;
		len -= (size_t)n;
	}
	return LRSC_OK;
}

/* Sends the buffered losses as one message. */
static inline int lrsc__flush(lrsc_session *s)
{
	char buf[64 + LRSC_LOSS_BATCH * 56], num[32];
	size_t k;
	if (s->nloss == 0)
		return LRSC_OK;
	if (s->nloss == 1) {
		k = (size_t)snprintf(buf, sizeof buf, "{\"op\":\"loss\",\"step\":%ld,\"loss\":%s}\n",
				     s->loss_first, lrsc__num(num, sizeof num, s->losses[0]));
	} else {
		k = (size_t)snprintf(buf, sizeof buf, "{\"op\":\"loss\",\"steps\":[");
		for (int i = 0; i < s->nloss; i++)
			k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%ld", i ? "," : "",
					      s->loss_first + i);
		k += (size_t)snprintf(buf + k, sizeof buf - k, "],\"losses\":[");
		for (int i = 0; i < s->nloss; i++)
			k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? "," : "",
					      lrsc__num(num, sizeof num, s->losses[i]));
		k += (size_t)snprintf(buf + k, sizeof buf - k, "]}\n");
	}
	s->nloss = 0;
	return lrsc__send(s, buf, k);
}

/* msg's integer field key into *out. */
static inline int lrsc__int(lrsc_session *s, const char *op, const char *key, long *out)
{
	const lrsc_jnode *n = lrsc_json_get(&s->msg, key);
	if (!n || n->type != LRSC_JNUMBER || n->num != floor(n->num) || fabs(n->num) > 1e15)
		return lrsc__error(s, "message \"%s\" from lrsweep: \"%s\" must be an integer", op, key);
	*out = (long)n->num;
	return LRSC_OK;
}

/* Files one message from lrsweep where the calls will find it. */
static inline int lrsc__handle(lrsc_session *s, const char *line, size_t len)
{
	char err[128];
	if (lrsc_json_parse(&s->msg, line, len, err, sizeof err) < 0)
		return lrsc__error(s, "malformed message from lrsweep: %s", err);
	const char *op = lrsc_json_string(&s->msg, "op", NULL);
	long step = 0, epoch = 0;
	if (!op || s->msg.nodes[0].type != LRSC_JOBJECT)
		return lrsc__error(s, "message from lrsweep without an \"op\"");
	if (!strcmp(op, "config")) {
		if (s->config.n)
			return lrsc__error(s, "a second config from lrsweep");
		return lrsc_json_parse(&s->config, line, len, err, sizeof err) < 0 ?
			lrsc__error(s, "config: %s", err) : LRSC_OK;
	}
	if (!strcmp(op, "lr")) {
		const lrsc_jnode *lr = lrsc_json_get(&s->msg, "lr");
		const lrsc_jnode *m = lrsc_json_get(&s->msg, "momentum");
		if (lrsc__int(s, op, "step", &step) < 0)
			return LRSC_ERROR;
		if (!lr || lr->type != LRSC_JNUMBER || (m && m->type != LRSC_JNUMBER))
			return lrsc__error(s, "message \"lr\" from lrsweep: \"lr\" and \"momentum\" must be numbers");
		if (step < s->step || step >= s->step + LRSC_AHEAD)
			return lrsc__error(s, "lr for step %ld while at step %ld", step, s->step);
		s->lr_step[step % LRSC_AHEAD] = step;
		s->lr[step % LRSC_AHEAD] = lr->num;
		s->momentum[step % LRSC_AHEAD] = m ? m->num : NAN;
		return LRSC_OK;
	}
	if (!strcmp(op, "eval")) {
		if (lrsc__int(s, op, "step", &step) < 0)
			return LRSC_ERROR;
		if (step > s->asked)
			s->asked = step;
		return LRSC_OK;
	}
	if (!strcmp(op, "ack") || !strcmp(op, "prune")) {
		if (lrsc__int(s, op, "epoch", &epoch) < 0)
			return LRSC_ERROR;
		s->answered = epoch;
		s->pruned = op[0] == 'p';
		return LRSC_OK;
	}
	if (!strcmp(op, "stop")) {
		lrsc__stop(s, lrsc_json_string(&s->msg, "reason", "done"));
		return LRSC_OK;
	}
	return lrsc__error(s, "unknown message from lrsweep: \"%.40s\"", op);
}

/* Reads what the channel holds - waiting for something when block - and
 * handles every whole line. *got tells whether anything was read. */
static inline int lrsc__fill(lrsc_session *s, int block, int *got)
{
	struct pollfd p = { s->fd, POLLIN, 0 };
	*got = 0;
	if (!block) {
		int r = poll(&p, 1, 0);
		if (r < 0 && errno != EINTR)
			return lrsc__error(s, "poll: %s", strerror(errno));
		if (r <= 0)
			return LRSC_OK;
	}
	size_t cap = LRSC_MAX_LINE + 65536;
	ssize_t n = read(s->fd, s->rbuf + s->rlen, cap - s->rlen);
	if (n < 0 && errno == EINTR)
		return LRSC_OK;
	if (n < 0 && errno != ECONNRESET)
		return lrsc__error(s, "reading from lrsweep: %s", strerror(errno));
	*got = 1;
	if (n <= 0) {
		s->closed = 1;
		return LRSC_OK;
	}
	s->rlen += (size_t)n;
	size_t start = 0;
	for (char *nl; (nl = memchr(s->rbuf + start, '\n', s->rlen - start)) != NULL;) {
		size_t len = (size_t)(nl - (s->rbuf + start));
		if (len > LRSC_MAX_LINE)
			return lrsc__error(s, "a message from lrsweep is longer than 1 MiB");
		if (lrsc__handle(s, s->rbuf + start, len) < 0)
			return LRSC_ERROR;
		start += len + 1;
	}
	memmove(s->rbuf, s->rbuf + start, s->rlen - start);
	s->rlen -= start;
	if (s->rlen > LRSC_MAX_LINE)
		return lrsc__error(s, "a message from lrsweep is longer than 1 MiB");
	return LRSC_OK;
}

/* Takes every message already waiting, without blocking. */
static inline int lrsc__poll(lrsc_session *s)
{
	int got = 1;
	while (got && !s->closed)
		if (lrsc__fill(s, 0, &got) < 0)
			return LRSC_ERROR;
	return LRSC_OK;
}

static inline int lrsc__has_lr(const lrsc_session *s)
{
	return s->lr_step[s->step % LRSC_AHEAD] == s->step;
}

static inline int lrsc__has_answer(const lrsc_session *s)
{
	return s->answered == s->epoch;
}

static inline int lrsc__has_config(const lrsc_session *s)
{
	return s->config.n > 0;
}

/* Reads until cond(s) holds, flushing the buffered losses before it blocks
 * so that lrsweep's window can move; a stop or a closed channel is
 * LRSC_STOP. */
static inline int lrsc__wait(lrsc_session *s, int (*cond)(const lrsc_session *))
{
	int rc, got;
	while (!cond(s)) {
		if ((rc = lrsc__stopped(s)) < 0 || (rc = lrsc__flush(s)) < 0 ||
		    (rc = lrsc__fill(s, 1, &got)) < 0)
			return rc;
	}
	return LRSC_OK;
}

/* Whether the step s is one the config says to evaluate. */
static inline int lrsc__due(const lrsc_session *s, long step)
{
	long k = s->eval_every;
	return k > 0 && (step % k == 0 || (s->max_steps > 0 && step == s->max_steps - 1));
}

/* Closes the channel (sending buffered losses when it can) and frees the
 * session; lrsweep then sees the program's end. Safe to call twice. */
static inline void lrsc_close(lrsc_session *s)
{
	if (s->fd >= 0) {
		if (!s->closed)
			lrsc__flush(s);
		close(s->fd);
		s->fd = -1;
	}
	free(s->rbuf);
	s->rbuf = NULL;
	lrsc_json_free(&s->msg);
	lrsc_json_free(&s->config);
	s->mode = "";
}

/* Says hello to lrsweep on $LRSWEEP_FD (steps_per_epoch: the steps of one
 * epoch of this program) and waits for the config, kept in s->config. */
static inline int lrsc_connect(lrsc_session *s, long steps_per_epoch)
{
	const char *fdtext = getenv("LRSWEEP_FD"), *proto = getenv("LRSWEEP_PROTOCOL");
	char *end, buf[128];
	int rc;
	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->evaluated = s->asked = -1;
	s->mode = "";
	for (int i = 0; i < LRSC_AHEAD; i++)
		s->lr_step[i] = -1;
	if (!fdtext)
		return lrsc__error(s, "LRSWEEP_FD is not set: this program expects to be started by "
				   "lrsweep (an experiment's trainer: section)");
	long fd = strtol(fdtext, &end, 10);
	if (end == fdtext || *end || fd < 0 || fd > 1 << 20 || fcntl((int)fd, F_GETFD) < 0)
		return lrsc__error(s, "LRSWEEP_FD=%.20s is not an open file descriptor", fdtext);
	if (proto && strcmp(proto, "1") != 0)
		return lrsc__error(s, "lrsweep speaks protocol %.20s; this client speaks %d",
				   proto, LRSC_PROTOCOL);
	if (steps_per_epoch < 1)
		return lrsc__error(s, "steps_per_epoch must be at least 1");
	if (!(s->rbuf = malloc(LRSC_MAX_LINE + 65536)))
		return lrsc__error(s, "out of memory");
	s->fd = (int)fd;
	fcntl(s->fd, F_SETFD, FD_CLOEXEC);	/* programs this one runs do not hold it */
	s->steps_per_epoch = steps_per_epoch;
	int k = snprintf(buf, sizeof buf, "{\"op\":\"hello\",\"protocol\":%d,\"steps_per_epoch\":%ld}\n",
			 LRSC_PROTOCOL, steps_per_epoch);
	if ((rc = lrsc__send(s, buf, (size_t)k)) < 0 || (rc = lrsc__wait(s, lrsc__has_config)) < 0)
		return rc;
	if (s->config.nodes[0].type != LRSC_JOBJECT)
		return lrsc__error(s, "config from lrsweep is not an object");
	s->mode = lrsc_json_string(&s->config, "mode", "trial");
	s->epochs = (long)lrsc_json_number(&s->config, "epochs", 0);
	s->max_steps = (long)lrsc_json_number(&s->config, "max_steps", 0);
	s->eval_every = (long)lrsc_json_number(&s->config, "eval_every", 0);
	return LRSC_OK;
}

/* The learning rate of the current step (and its momentum, NAN when the
 * schedule does not cycle it; momentum may be NULL), waiting for lrsweep
 * to send it. Checks for waiting messages first. */
static inline int lrsc_lr(lrsc_session *s, double *lr, double *momentum)
{
	int rc;
	*lr = NAN;
	if (momentum)
		*momentum = NAN;
	if ((rc = lrsc__poll(s)) < 0 || (rc = lrsc__stopped(s)) < 0)
		return rc;
	if (s->step > 0 && s->evaluated < s->step - 1 && lrsc__due(s, s->step - 1))
		return lrsc__error(s, "step %ld needs an evaluation (lrsc_eval_due was 1): "
				   "call lrsc_eval before the next step", s->step - 1);
	if ((rc = lrsc__wait(s, lrsc__has_lr)) < 0)
		return rc;
	*lr = s->lr[s->step % LRSC_AHEAD];
	if (momentum)
		*momentum = s->momentum[s->step % LRSC_AHEAD];
	return LRSC_OK;
}

/* Reports the current step's loss (NaN and infinities allowed: they mean
 * divergence) and moves on to the next step. */
static inline int lrsc_loss(lrsc_session *s, double loss)
{
	int rc;
	if ((rc = lrsc__poll(s)) < 0 || (rc = lrsc__stopped(s)) < 0)
		return rc;
	if (!lrsc__has_lr(s))
		return lrsc__error(s, "loss for step %ld before its rate: call lrsc_lr first", s->step);
	s->lr_step[s->step % LRSC_AHEAD] = -1;
	if (s->nloss == 0)
		s->loss_first = s->step;
	s->losses[s->nloss++] = loss;
	s->step++;
	return s->nloss == LRSC_LOSS_BATCH ? lrsc__flush(s) : LRSC_OK;
}

/* 1 when the step just reported is to be evaluated (every eval_every steps
 * and a range test's last step, or when lrsweep asked), 0 when not, or a
 * negative code. */
static inline int lrsc_eval_due(lrsc_session *s)
{
	int rc;
	long last = s->step - 1;
	if ((rc = lrsc__poll(s)) < 0 || (rc = lrsc__stopped(s)) < 0)
		return rc;
	return last >= 0 && s->evaluated < last && (lrsc__due(s, last) || s->asked == last);
}

/* Reports the evaluation of the model after the step just reported. */
static inline int lrsc_eval(lrsc_session *s, double val_loss, double val_accuracy)
{
	char buf[160], a[32], b[32];
	int rc;
	if (s->step == 0)
		return lrsc__error(s, "lrsc_eval before the first lrsc_loss");
	if ((rc = lrsc__flush(s)) < 0)
		return rc;
	int k = snprintf(buf, sizeof buf, "{\"op\":\"eval\",\"step\":%ld,\"val_loss\":%s,\"val_accuracy\":%s}\n",
			 s->step - 1, lrsc__num(a, sizeof a, val_loss), lrsc__num(b, sizeof b, val_accuracy));
	s->evaluated = s->step - 1;
	return lrsc__send(s, buf, (size_t)k);
}

/* Reports the epoch just ended and waits for lrsweep's answer:
 * LRSC_PRUNED when the trial is pruned here. In a range test, whose curve
 * is made of steps, it sends nothing and only looks for a stop. */
static inline int lrsc_epoch_end(lrsc_session *s, double train_loss, double train_accuracy,
				 double val_loss, double val_accuracy)
{
	char buf[256], a[32], b[32], c[32], d[32];
	int rc;
	if ((rc = lrsc__poll(s)) < 0 || (rc = lrsc__stopped(s)) < 0)
		return rc;
	if (!strcmp(s->mode, "range-test")) {
		s->epoch++;
		return LRSC_OK;
	}
	if ((rc = lrsc__flush(s)) < 0)
		return rc;
	int k = snprintf(buf, sizeof buf,
			 "{\"op\":\"epoch\",\"epoch\":%ld,\"train_loss\":%s,\"train_accuracy\":%s,"
			 "\"val_loss\":%s,\"val_accuracy\":%s}\n", s->epoch + 1,
			 lrsc__num(a, sizeof a, train_loss), lrsc__num(b, sizeof b, train_accuracy),
			 lrsc__num(c, sizeof c, val_loss), lrsc__num(d, sizeof d, val_accuracy));
	if ((rc = lrsc__send(s, buf, (size_t)k)) < 0)
		return rc;
	s->epoch++;
	if ((rc = lrsc__wait(s, lrsc__has_answer)) < 0)
		return rc;
	return s->pruned ? LRSC_PRUNED : LRSC_OK;
}

/* Reports the end of training (a NAN test metric is left out) and closes
 * the channel. After a stop it only closes. */
static inline int lrsc_done(lrsc_session *s, double test_loss, double test_accuracy)
{
	char buf[160], a[32], b[32];
	int rc = LRSC_OK;
	if (s->fd >= 0 && !s->stopped && !s->closed) {
		int k = snprintf(buf, sizeof buf, "{\"op\":\"done\"");
		if (!isnan(test_loss))
			k += snprintf(buf + k, sizeof buf - (size_t)k, ",\"test_loss\":%s",
				      lrsc__num(a, sizeof a, test_loss));
		if (!isnan(test_accuracy))
			k += snprintf(buf + k, sizeof buf - (size_t)k, ",\"test_accuracy\":%s",
				      lrsc__num(b, sizeof b, test_accuracy));
		k += snprintf(buf + k, sizeof buf - (size_t)k, "}\n");
		if ((rc = lrsc__flush(s)) == LRSC_OK)
			rc = lrsc__send(s, buf, (size_t)k);
	}
	lrsc_close(s);
	return rc;
}

#endif /* LRSWEEP_CLIENT_H */
