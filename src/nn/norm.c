/* norm.c - batch normalisation and dropout (PyTorch's nn.BatchNorm1d/2d
 * and nn.Dropout), and the two map layouts' conversions.
 *
 * Batchnorm reduces each channel over the batch (and the map, for
 * BatchNorm2d): in training it normalises with the batch's mean and biased
 * variance, computed in double as PyTorch's CPU kernel does, and moves the
 * running mean and unbiased variance toward them by momentum; in
 * evaluation it normalises with the running statistics. Either way the
 * output is x * alpha + beta' per channel, alpha = gamma * invstd.
 * Running statistics are state, not parameters: no optimizer sees them.
 *
 * Dropout keeps each element with probability 1 - p and scales it by
 * 1/(1-p) (inverted dropout), with a mask drawn from the net's own stream
 * and kept for backward; in evaluation it is the identity. */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "internal.h"

lrs_map_layout lrs_map_layout_of(int cnhw, size_t B, size_t C, size_t HW)
{
	return cnhw ? (lrs_map_layout){ .sstride = HW, .cstride = B * HW }
	            : (lrs_map_layout){ .sstride = C * HW, .cstride = HW };
}

void lrs_cnhw_to_nchw(float *out, const float *inp, size_t B, size_t C, size_t HW)
{
	for (size_t c = 0; c < C; c++)
		for (size_t b = 0; b < B; b++)
			memcpy(out + (b * C + c) * HW, inp + (c * B + b) * HW, HW * sizeof *out);
}

void lrs_nchw_to_cnhw(float *out, const float *inp, size_t B, size_t C, size_t HW)
{
	for (size_t c = 0; c < C; c++)
		for (size_t b = 0; b < B; b++)
			memcpy(out + (c * B + b) * HW, inp + (b * C + c) * HW, HW * sizeof *out);
}

/* ------------------------------------------------------ batchnorm */

/* The mean and the biased variance of channel c, over B planes of HW. */
static void channel_stats(double *mean, double *var, const float *inp, lrs_map_layout in,
                          size_t c, size_t B, size_t HW)
{
	double sum = 0.0, sq = 0.0;

	for (size_t b = 0; b < B; b++)
		sum += lrs_sum(inp + b * in.sstride + c * in.cstride, HW);
	*mean = sum / (double)(B * HW);
	for (size_t b = 0; b < B; b++) {
		const float *p = inp + b * in.sstride + c * in.cstride;

		for (size_t i = 0; i < HW; i++) {
			double d = (double)p[i] - *mean;
			sq += d * d;
		}
	}
	*var = sq / (double)(B * HW);
}

/* out = inp * alpha + beta over channel c's planes. */
static void channel_affine(float *out, const float *inp, lrs_map_layout in, size_t c,
                           float alpha, float beta, size_t B, size_t HW)
{
	for (size_t b = 0; b < B; b++) {
		const float *restrict p = inp + b * in.sstride + c * in.cstride;
		float *restrict q = out + b * in.sstride + c * in.cstride;

		for (size_t i = 0; i < HW; i++)
			q[i] = p[i] * alpha + beta;
	}
}

void lrs_batchnorm_forward(float *out,          /* as `in`   */
                           float *mean,         /* (C)       */
                           float *invstd,       /* (C)       */
                           float *rmean,        /* (C)       */
                           float *rvar,         /* (C)       */
                           const float *inp,    /* as `in`   */
                           lrs_map_layout in,
                           const float *gamma,  /* (C)       */
                           const float *beta,   /* (C)       */
                           double momentum, double eps, int training,
                           size_t B, size_t C, size_t HW)
{
	size_t N = B * HW;

	for (size_t c = 0; c < C; c++) {
		double m = rmean[c], v;
		float is;

		if (training) {
			channel_stats(&m, &v, inp, in, c, B, HW);
			mean[c] = (float)m;
			invstd[c] = is = (float)(1.0 / sqrt(v + eps));
			rmean[c] = (float)(momentum * m + (1.0 - momentum) * rmean[c]);
			/* one value per channel has no unbiased variance (PyTorch
			 * refuses such a batch): the running variance stays */
			if (N > 1)
				rvar[c] = (float)(momentum * v * (double)N / (double)(N - 1) +
				                  (1.0 - momentum) * rvar[c]);
		} else {
			is = (float)(1.0 / sqrt((double)rvar[c] + eps));
		}
		float alpha = gamma[c] * is, shift = beta[c] - (float)m * alpha;

		channel_affine(out, inp, in, c, alpha, shift, B, HW);
	}
}

void lrs_batchnorm_backward(float *dinp,          /* as `in`, may be dout */
                            float *dgamma,        /* (C)                  */
                            float *dbeta,         /* (C)                  */
                            const float *dout,    /* as `in`              */
                            const float *inp,     /* as `in`              */
                            lrs_map_layout in,
                            const float *mean,    /* (C)                  */
                            const float *invstd,  /* (C)                  */
                            const float *gamma,   /* (C)                  */
                            size_t B, size_t C, size_t HW)
{
	double N = (double)(B * HW);

	for (size_t c = 0; c < C; c++) {
		double sum = 0.0, dotp = 0.0;   /* of dy, and of (x - mean) dy */
		float m = mean[c], is = invstd[c];

		for (size_t b = 0; b < B; b++) {
			const float *x = inp + b * in.sstride + c * in.cstride;
			const float *dy = dout + b * in.sstride + c * in.cstride;

			sum += lrs_sum(dy, HW);
			for (size_t i = 0; i < HW; i++)
				dotp += (double)(x[i] - m) * dy[i];
		}
		dgamma[c] += (float)(dotp * is);
		dbeta[c] += (float)sum;
		float k = (float)(dotp * is * is / N), mdy = (float)(sum / N), scale = is * gamma[c];
		for (size_t b = 0; b < B; b++) {
			const float *restrict x = inp + b * in.sstride + c * in.cstride;
			const float *dy = dout + b * in.sstride + c * in.cstride;
			float *dx = dinp + b * in.sstride + c * in.cstride;

			for (size_t i = 0; i < HW; i++)
				dx[i] = (dy[i] - mdy - (x[i] - m) * k) * scale;
		}
	}
}

/* ------------------------------------------------------ dropout */

void lrs_dropout_forward(float *out, float *mask, const float *inp, double p, lrs_rng *rng,
                         int training, size_t N)
{
	/* a draw keeps its element when its top 24 bits, as a fraction, are
	 * at least p */
	uint64_t cut = (uint64_t)ceil(p * (double)(1u << 24));
	float scale = 1.0f / (float)(1.0 - p);

	assert(p >= 0.0 && p < 1.0);
	if (!training) {
		if (out != inp)
			memcpy(out, inp, N * sizeof *out);
		return;
	}
	for (size_t i = 0; i < N; i++)
		mask[i] = (lrs_rng_next(rng) >> 40) >= cut ? scale : 0.0f;
	for (size_t i = 0; i < N; i++)
		out[i] = inp[i] * mask[i];
}

void lrs_dropout_backward(float *d, const float *mask, size_t N)
{
	for (size_t i = 0; i < N; i++)
		d[i] *= mask[i];
}
