/* optim.c - SGD, Adam and AdamW with PyTorch 1.13's update rules.
 *
 * Each update is one flat loop over the parameter buffer, reproducing
 * torch.optim's _single_tensor_sgd/_adam/_adamw (the default, non-foreach
 * path) operation by operation: every tensor op rounds to float32 and its
 * Python scalars are cast to float32 first, as PyTorch's CPU kernels do;
 * the bias corrections are computed in double, as PyTorch's Python code
 * does. Results then agree with PyTorch's to a few float32 ulps (PyTorch's
 * vector kernels may fuse a multiply-add where this code rounds twice).
 * Not here: learning-rate schedules (they give lr and momentum per step). */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE__
#include <xmmintrin.h>
#endif

#include "lrsweep/error.h"
#include "lrsweep/optim.h"

void lrs_optim_defaults(lrs_optim_config *cfg, lrs_optim_type type)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->type = type;
	cfg->beta1 = 0.9;
	cfg->beta2 = 0.999;
	cfg->eps = 1e-8;
	cfg->weight_decay = type == LRS_OPTIM_ADAMW ? 0.01 : 0.0;
}

/* 0, or LRS_EINVALID with the message set; the checks of PyTorch's
 * constructors plus nesterov's. */
static int validate(const lrs_optim_config *cfg)
{
	if ((unsigned)cfg->type > LRS_OPTIM_ADAMW)
		return lrs_error_set(LRS_EINVALID, "optimizer: unknown type %d", (int)cfg->type);
	if (!(cfg->weight_decay >= 0) || isinf(cfg->weight_decay))
		return lrs_error_set(LRS_EINVALID, "optimizer: invalid weight_decay %g", cfg->weight_decay);
	if (cfg->type == LRS_OPTIM_SGD) {
		if (!(cfg->momentum >= 0) || isinf(cfg->momentum))
			return lrs_error_set(LRS_EINVALID, "sgd: invalid momentum %g", cfg->momentum);
		if (cfg->nesterov && cfg->momentum == 0)
			return lrs_error_set(LRS_EINVALID, "sgd: nesterov needs a momentum > 0");
		return 0;
	}
	if (!(cfg->beta1 >= 0 && cfg->beta1 < 1))
		return lrs_error_set(LRS_EINVALID, "adam: invalid beta1 %g (needs 0 <= beta1 < 1)", cfg->beta1);
	if (!(cfg->beta2 >= 0 && cfg->beta2 < 1))
		return lrs_error_set(LRS_EINVALID, "adam: invalid beta2 %g (needs 0 <= beta2 < 1)", cfg->beta2);
	if (!(cfg->eps >= 0) || isinf(cfg->eps))
		return lrs_error_set(LRS_EINVALID, "adam: invalid eps %g", cfg->eps);
	return 0;
}

int lrs_optim_build(lrs_optim **out, const lrs_optim_config *cfg, size_t n)
{
	lrs_optim *o = NULL;
	size_t arrays = cfg->type == LRS_OPTIM_SGD ? 1 : 2;   /* state arrays of n floats */
	int rc;

	*out = NULL;
	if ((rc = validate(cfg)) < 0)
		return rc;
	if (n == 0)
		return lrs_error_set(LRS_EINVALID, "optimizer: no parameters");
	if (n > SIZE_MAX / sizeof(float) / arrays)
		return lrs_error_set(LRS_ENOMEM, "optimizer: needs more than %zu bytes", (size_t)SIZE_MAX);
	if (!(o = calloc(1, sizeof *o)))
		goto no_memory;
	o->cfg = *cfg;
	o->n = n;
	/* sgd always gets a buffer: a cycling schedule may turn momentum on */
	if (!(o->buf = calloc(n, sizeof(float))))
		goto no_memory;
	if (arrays == 2 && !(o->sq = calloc(n, sizeof(float))))
		goto no_memory;
	*out = o;
	return 0;

no_memory:
	lrs_optim_free(o);
	return lrs_error_set(LRS_ENOMEM, "optimizer: needs %zu bytes",
	                     sizeof *o + arrays * n * sizeof(float));
}

/* GCC at -O2 (its "very cheap" vectorizer cost model) vectorizes a loop
 * only when its trip count is a known multiple of the vector width. The
 * update loops are therefore written for a block of n elements and called
 * on blocks of VEC, then once on the remainder. */
#define VEC 16

/* ----------------------------------------------------------------- sgd */

/* d_p = g + wd p (if use_wd) else g, over n <= VEC elements. */
static inline void decayed_grad(float *restrict d, const float *restrict g,
                                const float *restrict p, float wd, int use_wd, size_t n)
{
	if (use_wd)
		for (size_t i = 0; i < n; i++)
			d[i] = g[i] + wd * p[i];
	else
		for (size_t i = 0; i < n; i++)
			d[i] = g[i];
}

/* The three forms of an SGD update, one loop each. */
typedef enum { SGD_PLAIN, SGD_MOMENTUM, SGD_NESTEROV } sgd_kind;

/* PyTorch's _single_tensor_sgd (dampening 0, not maximize) on n <= VEC
 * elements, then, if `zero`, g = 0 (zero_grad) in the same pass:
 *   d_p = g + wd p                          (if wd != 0)
 *   buf = mu buf + d_p                      (if mu != 0)
 *   d_p = d_p + mu buf if nesterov, else buf  (if mu != 0)
 *   p   = p + (-lr) d_p
 * with lr, mu and wd already cast to float, as PyTorch casts them.
 * PyTorch creates the buffer as a copy of d_p at the first step whose
 * momentum is not 0; with dampening 0 that is what mu buf + d_p gives on
 * the zeroed buffer that build allocates, so no step is special. One pass,
 * d_p kept in a register: the update is bound by memory traffic. */
static inline void sgd_block(float *restrict p, float *restrict buf, float *restrict g,
                             float neg_lr, float mu, float wd, int use_wd, sgd_kind kind,
                             int zero, size_t n)
{
	assert(n <= VEC);
	n = n < VEC ? n : VEC;   /* what the assert says, for GCC's loop analysis */
	for (size_t i = 0; i < n; i++) {
		float d = use_wd ? g[i] + wd * p[i] : g[i];   /* d_p */

		if (zero)
			g[i] = 0.0f;

		if (kind == SGD_PLAIN) {
			p[i] = p[i] + neg_lr * d;
		} else {
			buf[i] = buf[i] * mu + d;
			p[i] = p[i] + neg_lr * (kind == SGD_NESTEROV ? d + mu * buf[i] : buf[i]);
		}
	}
}

/* sgd_block over n elements. */
static inline __attribute__((always_inline)) void sgd_blocks(float *p, float *buf, float *g, float neg_lr, float mu,
                              float wd, int use_wd, sgd_kind kind, int zero, size_t n)
{
	size_t i = 0;

	for (; i + VEC <= n; i += VEC)
		sgd_block(p + i, buf + i, g + i, neg_lr, mu, wd, use_wd, kind, zero, VEC);
	sgd_block(p + i, buf + i, g + i, neg_lr, mu, wd, use_wd, kind, zero, n - i);
}

/* sgd_blocks with kind a constant in each call, as use_wd and zero are in
 * sgd_update's: inlined, each of the twelve forms becomes a loop free of
 * branches that vectorizes. (Choosing inside every block, through a copy
 * of d_p, made the update of the 784-256-10 MLP take 1.6 times as long;
 * always_inline, because at twelve forms GCC stops inlining on its own.) */
static inline __attribute__((always_inline)) void sgd_forms(float *p, float *buf, float *g, float neg_lr, float mu,
                             float wd, int use_wd, sgd_kind kind, int zero, size_t n)
{
	switch (kind) {
	case SGD_PLAIN: sgd_blocks(p, buf, g, neg_lr, mu, wd, use_wd, SGD_PLAIN, zero, n); break;
	case SGD_MOMENTUM: sgd_blocks(p, buf, g, neg_lr, mu, wd, use_wd, SGD_MOMENTUM, zero, n); break;
	case SGD_NESTEROV: sgd_blocks(p, buf, g, neg_lr, mu, wd, use_wd, SGD_NESTEROV, zero, n); break;
	}
}

static void sgd_update(float *p,       /* (n) */
                       float *buf,     /* (n) */
                       float *g,       /* (n), written only if zero */
                       double lr, double mu, double wd, int nesterov, int zero, size_t n)
{
	float neg_lr = (float)-lr, muf = (float)mu, wdf = (float)wd;
	sgd_kind kind = mu == 0 ? SGD_PLAIN : nesterov ? SGD_NESTEROV : SGD_MOMENTUM;

	if (wd != 0 && zero)
		sgd_forms(p, buf, g, neg_lr, muf, wdf, 1, kind, 1, n);
	else if (wd != 0)
		sgd_forms(p, buf, g, neg_lr, muf, wdf, 1, kind, 0, n);
	else if (zero)
		sgd_forms(p, buf, g, neg_lr, muf, wdf, 0, kind, 1, n);
	else
		sgd_forms(p, buf, g, neg_lr, muf, wdf, 0, kind, 0, n);
}

/* ---------------------------------------------------------- adam, adamw */

/* out = sqrt(x) over n <= VEC elements, correctly rounded as sqrtf. GCC
 * does not vectorize sqrtf (a libm call that may set errno); on full
 * blocks SSE's sqrtps computes the same IEEE square root four at a time. */
static inline void sqrt_block(float *restrict out, const float *restrict x, size_t n)
{
#ifdef __SSE__
	if (n == VEC) {
		for (size_t i = 0; i < VEC; i += 4)
			_mm_storeu_ps(out + i, _mm_sqrt_ps(_mm_loadu_ps(x + i)));
		return;
	}
#endif
	for (size_t i = 0; i < n; i++)
		out[i] = sqrtf(x[i]);
}

/* The scalars of one Adam(W) step, cast to float as PyTorch casts them. */
typedef struct {
	float b1, b2;          /* beta1, beta2                                */
	float one_b1, one_b2;  /* 1 - beta1, 1 - beta2 (computed in double)   */
	float bc2_sqrt;        /* sqrt(1 - beta2^t)                           */
	float eps;
	float neg_step;        /* -lr / (1 - beta1^t)                         */
	float decay;           /* adamw: 1 - lr wd                            */
	float wd;              /* adam: L2 factor                             */
	int l2;                /* adam with wd != 0: g = g + wd p             */
	int decoupled;         /* adamw: p = p (1 - lr wd) first              */
} adam_scalars;

/* PyTorch's _single_tensor_adam (decoupled = 0) or _adamw (decoupled = 1)
 * on n <= VEC elements, then, if `zero`, g = 0 (zero_grad):
 *   adamw: p = p (1 - lr wd);  adam: g = g + wd p   (if wd != 0)
 *   m = m b1;  m = m + (1 - b1) g
 *   v = v b2;  v = v + (1 - b2) g g
 *   denom = sqrt(v) / sqrt(1 - b2^t) + eps
 *   p = p + (-lr / (1 - b1^t)) m / denom
 * Every choice is made outside the loops, so that each loop vectorizes but
 * the one of sqrtf: a libm call that may set errno, which GCC does not
 * vectorize. */
static inline void adam_block(float *restrict p, float *restrict m, float *restrict v,
                              float *restrict g, const adam_scalars *restrict k,
                              int zero, size_t n)
{
	float b1 = k->b1, b2 = k->b2, one_b1 = k->one_b1, one_b2 = k->one_b2;
	float bc2_sqrt = k->bc2_sqrt, eps = k->eps, neg_step = k->neg_step;
	float d[VEC];      /* the gradient, with adam's L2 term */
	float root[VEC];   /* sqrt(v) */

	assert(n <= VEC);
	n = n < VEC ? n : VEC;   /* what the assert says, for GCC's loop analysis */
	decayed_grad(d, g, p, k->wd, k->l2, n);
	if (zero)
		for (size_t i = 0; i < n; i++)
			g[i] = 0.0f;
	if (k->decoupled)
		for (size_t i = 0; i < n; i++)
			p[i] = p[i] * k->decay;
	for (size_t i = 0; i < n; i++) {
		m[i] = m[i] * b1 + one_b1 * d[i];
		v[i] = v[i] * b2 + one_b2 * d[i] * d[i];
	}
	sqrt_block(root, v, n);
	for (size_t i = 0; i < n; i++)
		p[i] = p[i] + neg_step * m[i] / (root[i] / bc2_sqrt + eps);
}

/* One Adam(W) step t >= 1, the bias corrections in double. */
static void adam_update(float *p,       /* (n) */
                        float *m,       /* (n) exp_avg    */
                        float *v,       /* (n) exp_avg_sq */
                        float *g,       /* (n), written only if zero */
                        double lr, double beta1, double beta2, double eps, double wd,
                        int decoupled, long t, int zero, size_t n)
{
	double bc1 = 1.0 - pow(beta1, (double)t), bc2 = 1.0 - pow(beta2, (double)t);
	adam_scalars k = {
		.b1 = (float)beta1, .b2 = (float)beta2,
		.one_b1 = (float)(1.0 - beta1), .one_b2 = (float)(1.0 - beta2),
		.bc2_sqrt = (float)sqrt(bc2), .eps = (float)eps,
		.neg_step = (float)-(lr / bc1),
		.decay = (float)(1.0 - lr * wd), .wd = (float)wd,
		.l2 = !decoupled && wd != 0, .decoupled = decoupled,
	};
	size_t i = 0;

	for (; i + VEC <= n; i += VEC)
		adam_block(p + i, m + i, v + i, g + i, &k, zero, VEC);
	adam_block(p + i, m + i, v + i, g + i, &k, zero, n - i);
}

/* -------------------------------------------------------------- verbs */

/* The update runs with subnormal floats flushed to zero (MXCSR's FTZ and
 * DAZ bits, per thread, restored after). A parameter whose gradient stays
 * exactly 0 -- the weights of an image's always-blank border pixels --
 * has a momentum buffer (or exp_avg) that decays by mu every step and goes
 * subnormal after some 800 steps; x86 then takes a microcode assist on
 * every operation that touches it, which made a step 60 times slower.
 * Flushing changes values below 1.2e-38 only: the parameters, whose
 * updates by such amounts round away anyway, are the same as PyTorch's.
 * `grads` is written only when `zero` is set. */
static void step(lrs_optim *o, float *params, float *grads, double lr, double momentum, int zero)
{
	const lrs_optim_config *c = &o->cfg;
	double mu = isnan(momentum) ? (c->type == LRS_OPTIM_SGD ? c->momentum : c->beta1) : momentum;
#ifdef __SSE__
	unsigned int csr = _mm_getcsr();   /* the caller's MXCSR */

	_mm_setcsr(csr | _MM_FLUSH_ZERO_ON | 0x0040 /* DAZ */);
#endif
	assert(mu >= 0 && (c->type == LRS_OPTIM_SGD || mu < 1));
	o->steps++;
	if (c->type == LRS_OPTIM_SGD)
		sgd_update(params, o->buf, grads, lr, mu, c->weight_decay, c->nesterov, zero, o->n);
	else
		adam_update(params, o->buf, o->sq, grads, lr, mu, c->beta2, c->eps,
		            c->weight_decay, c->type == LRS_OPTIM_ADAMW, o->steps, zero, o->n);
#ifdef __SSE__
	_mm_setcsr(csr);
#endif
}

void lrs_optim_step(lrs_optim *o, float *params, const float *grads, double lr, double momentum)
{
	step(o, params, (float *)grads, lr, momentum, 0);   /* zero 0: grads only read */
}

void lrs_optim_step_zero_grad(lrs_optim *o, float *params, float *grads, double lr, double momentum)
{
	step(o, params, grads, lr, momentum, 1);
}

void lrs_optim_json(lrs_buf *b, const lrs_optim_config *o)
{
	static const char *const names[] = { "sgd", "adam", "adamw" };

	lrs_buf_printf(b, "{\"type\": \"%s\"", names[o->type]);
	if (o->type == LRS_OPTIM_SGD) {
		lrs_buf_printf(b, ", \"momentum\": ");
		lrs_buf_json_number(b, o->momentum);
		lrs_buf_printf(b, ", \"nesterov\": %s", o->nesterov ? "true" : "false");
	} else {
		lrs_buf_printf(b, ", \"betas\": [");
		lrs_buf_json_number(b, o->beta1);
		lrs_buf_printf(b, ", ");
		lrs_buf_json_number(b, o->beta2);
		lrs_buf_printf(b, "], \"eps\": ");
		lrs_buf_json_number(b, o->eps);
	}
	lrs_buf_printf(b, ", \"weight_decay\": ");
	lrs_buf_json_number(b, o->weight_decay);
	lrs_buf_printf(b, "}");
}

void lrs_optim_free(lrs_optim *o)
{
	if (!o)
		return;
	free(o->buf);
	free(o->sq);
	free(o);
}
