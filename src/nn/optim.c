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

#include "lrsweep/error.h"
#include "lrsweep/optim.h"

/* The optimizer with the state optim.h does not show; `pub` comes first so
 * that an lrs_optim * made by build converts back to this. */
typedef struct {
	lrs_optim pub;   /* what callers see                                    */
	int buf_ready;   /* sgd: the momentum buffer holds a value; PyTorch
	                    creates it, as a copy of d_p, at the first step
	                    whose momentum is not 0                             */
} optim_state;

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
	optim_state *s = NULL;
	size_t arrays = cfg->type == LRS_OPTIM_SGD ? 1 : 2;   /* state arrays of n floats */
	int rc;

	*out = NULL;
	if ((rc = validate(cfg)) < 0)
		return rc;
	if (n == 0)
		return lrs_error_set(LRS_EINVALID, "optimizer: no parameters");
	if (n > SIZE_MAX / sizeof(float) / arrays)
		return lrs_error_set(LRS_ENOMEM, "optimizer: needs more than %zu bytes", (size_t)SIZE_MAX);
	if (!(s = calloc(1, sizeof *s)))
		goto no_memory;
	s->pub.cfg = *cfg;
	s->pub.n = n;
	/* sgd always gets a buffer: a cycling schedule may turn momentum on */
	if (!(s->pub.buf = calloc(n, sizeof(float))))
		goto no_memory;
	if (arrays == 2 && !(s->pub.sq = calloc(n, sizeof(float))))
		goto no_memory;
	*out = &s->pub;
	return 0;

no_memory:
	lrs_optim_free(s ? &s->pub : NULL);
	return lrs_error_set(LRS_ENOMEM, "optimizer: needs %zu bytes",
	                     sizeof *s + arrays * n * sizeof(float));
}

/* ----------------------------------------------------------------- sgd */

/* PyTorch's _single_tensor_sgd for one step (dampening 0, not maximize):
 *   d_p = g + wd p                      (if wd != 0)
 *   buf = clone(d_p) the first time, else buf = mu buf + d_p   (if mu != 0)
 *   d_p = d_p + mu buf if nesterov, else buf                  (if mu != 0)
 *   p   = p - lr d_p
 * Each line's variant is a flat loop of its own. */
static void sgd_update(float *restrict p,       /* (n) */
                       float *restrict buf,     /* (n) */
                       const float *restrict g, /* (n) */
                       double lr, double mu, double wd, int nesterov, int first, size_t n)
{
	float neg_lr = (float)-lr, muf = (float)mu, wdf = (float)wd;

	if (mu == 0) {
		if (wd == 0)
			for (size_t i = 0; i < n; i++)
				p[i] = p[i] + neg_lr * g[i];
		else
			for (size_t i = 0; i < n; i++)
				p[i] = p[i] + neg_lr * (g[i] + wdf * p[i]);
		return;
	}
	if (first) {
		for (size_t i = 0; i < n; i++) {
			float d = wd == 0 ? g[i] : g[i] + wdf * p[i];
			buf[i] = d;
			p[i] = p[i] + neg_lr * (nesterov ? d + muf * d : d);
		}
		return;
	}
	if (nesterov) {
		for (size_t i = 0; i < n; i++) {
			float d = wd == 0 ? g[i] : g[i] + wdf * p[i];
			float b = buf[i] * muf + d;
			buf[i] = b;
			p[i] = p[i] + neg_lr * (d + muf * b);
		}
	} else if (wd == 0) {
		for (size_t i = 0; i < n; i++) {
			float b = buf[i] * muf + g[i];
			buf[i] = b;
			p[i] = p[i] + neg_lr * b;
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			float b = buf[i] * muf + (g[i] + wdf * p[i]);
			buf[i] = b;
			p[i] = p[i] + neg_lr * b;
		}
	}
}

/* ---------------------------------------------------------- adam, adamw */

/* PyTorch's _single_tensor_adam (decoupled = 0) or _adamw (decoupled = 1)
 * for step t >= 1:
 *   adamw: p = p (1 - lr wd);  adam: g = g + wd p   (if wd != 0)
 *   m = m b1;  m = m + (1 - b1) g
 *   v = v b2;  v = v + (1 - b2) g g
 *   denom = sqrt(v) / sqrt(1 - b2^t) + eps
 *   p = p + (-lr / (1 - b1^t)) m / denom
 * with 1 - b^t, the step size and 1 - lr wd in double, cast to float. */
static void adam_update(float *restrict p,       /* (n) */
                        float *restrict m,       /* (n) exp_avg    */
                        float *restrict v,       /* (n) exp_avg_sq */
                        const float *restrict g, /* (n) */
                        double lr, double beta1, double beta2, double eps, double wd,
                        int decoupled, long t, size_t n)
{
	double bc1 = 1.0 - pow(beta1, (double)t), bc2 = 1.0 - pow(beta2, (double)t);
	float b1 = (float)beta1, b2 = (float)beta2;
	float one_b1 = (float)(1.0 - beta1), one_b2 = (float)(1.0 - beta2);
	float bc2_sqrt = (float)sqrt(bc2), epsf = (float)eps;
	float neg_step = (float)-(lr / bc1);
	float decay = (float)(1.0 - lr * wd), wdf = (float)wd;
	int l2 = !decoupled && wd != 0;   /* adam's weight decay, into g */

	for (size_t i = 0; i < n; i++) {
		float gi = l2 ? g[i] + wdf * p[i] : g[i];
		float pi = decoupled ? p[i] * decay : p[i];
		float mi = m[i] * b1;
		float vi = v[i] * b2;

		mi = mi + one_b1 * gi;
		vi = vi + one_b2 * gi * gi;
		m[i] = mi;
		v[i] = vi;
		p[i] = pi + neg_step * mi / (sqrtf(vi) / bc2_sqrt + epsf);
	}
}

/* -------------------------------------------------------------- verbs */

void lrs_optim_step(lrs_optim *o, float *params, const float *grads, double lr, double momentum)
{
	optim_state *s = (optim_state *)o;
	const lrs_optim_config *c = &o->cfg;
	double mu = isnan(momentum) ? (c->type == LRS_OPTIM_SGD ? c->momentum : c->beta1) : momentum;

	assert(mu >= 0 && (c->type == LRS_OPTIM_SGD || mu < 1));
	o->steps++;
	if (c->type == LRS_OPTIM_SGD) {
		sgd_update(params, o->buf, grads, lr, mu, c->weight_decay, c->nesterov,
		           !s->buf_ready, o->n);
		s->buf_ready |= mu != 0;
	} else {
		adam_update(params, o->buf, o->sq, grads, lr, mu, c->beta2, c->eps,
		            c->weight_decay, c->type == LRS_OPTIM_ADAMW, o->steps, o->n);
	}
}

void lrs_optim_free(lrs_optim *o)
{
	if (!o)
		return;
	free(o->buf);
	free(o->sq);
	free((optim_state *)o);
}
