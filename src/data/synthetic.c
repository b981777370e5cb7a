/* synthetic.c - seeded toy datasets of any size: spirals, blobs and xor.
 *
 *   spirals  `classes` arms in 2-D: sample i belongs to arm k = i % classes,
 *            at radius t ~ U[0, 1) and angle 2*pi*k/classes + 4t, the angle
 *            jittered by a normal of std `noise` radians (so the jitter, in
 *            distance, grows with the radius).
 *   blobs    `classes` Gaussian clusters in `dims` dimensions: centres drawn
 *            uniformly in [-1, 1]^dims from the seed, then sample i of
 *            class i % classes is its centre plus normal noise of std
 *            `noise` per coordinate (sklearn's make_blobs, scaled by 1/10).
 *   xor      2-D points uniform in [-1, 1]^2, label 1 when x and y have
 *            opposite signs (sign(x)*sign(y) = -1), else 0; then each
 *            coordinate is jittered by a normal of std `noise`, which pushes
 *            points near the axes into the other quadrant with their
 *            original label: label noise near the boundary.
 *
 * Defaults for fields left 0: classes 3 (xor: always 2), dims 2 (spirals
 * and xor are 2-D only), noise 0.1 when NAN (noise 0 is noiseless data). The same seed gives the same data. Sample i draws
 * from its own generator, seeded from (seed, i), so any range of the
 * stream can be made alone: `limit` makes just the first N, and a test
 * split continues the training split's stream with fresh points from the
 * same distribution (the same blob centres).
 *
 * Not here: anything read from a file; normalisation (dataset.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/rng.h"
#include "internal.h"

#define DEFAULT_CLASSES 3
#define DEFAULT_DIMS    2
#define DEFAULT_NOISE   0.1
#define TWO_PI          6.283185307179586476925286766559
#define CENTRE_SALT     0xb10b5c3e7e5ULL   /* blob centres' stream: not the split's */

typedef enum { K_SPIRALS, K_BLOBS, K_XOR } kind;

/* The generator of sample `i` of the stream of `seed`. */
static void sample_rng(lrs_rng *rng, uint64_t seed, size_t i)
{
	lrs_rng_seed(rng, lrs_rng_mix(lrs_rng_mix(seed) ^ (uint64_t)i));
}

/* spirals: x (n, 2), y (n), samples first.. of the stream. */
static void make_spirals(float *x, int32_t *y, size_t n, size_t first, int classes, double noise,
                         uint64_t seed)
{
	for (size_t i = 0; i < n; i++) {
		lrs_rng r;
		int k = (int)((first + i) % (size_t)classes);
		double t, a;

		sample_rng(&r, seed, first + i);
		t = lrs_rng_uniform(&r);
		a = TWO_PI * k / classes + 4.0 * t + noise * lrs_rng_normal(&r);

		x[2 * i] = (float)(t * cos(a));
		x[2 * i + 1] = (float)(t * sin(a));
		y[i] = k;
	}
}

/* blobs: x (n, dims), y (n); `centres` (classes, dims) is scratch. */
static void make_blobs(float *x, int32_t *y, size_t n, size_t first, size_t dims, int classes,
                       double noise, double *centres, uint64_t seed)
{
	lrs_rng r;

	lrs_rng_seed(&r, seed ^ CENTRE_SALT);
	for (size_t j = 0; j < (size_t)classes * dims; j++)
		centres[j] = 2.0 * lrs_rng_uniform(&r) - 1.0;
	for (size_t i = 0; i < n; i++) {
		size_t k = (first + i) % (size_t)classes;

		sample_rng(&r, seed, first + i);
		for (size_t j = 0; j < dims; j++)
			x[i * dims + j] = (float)(centres[k * dims + j] + noise * lrs_rng_normal(&r));
		y[i] = (int32_t)k;
	}
}

/* xor: x (n, 2), y (n). */
static void make_xor(float *x, int32_t *y, size_t n, size_t first, double noise, uint64_t seed)
{
	for (size_t i = 0; i < n; i++) {
		lrs_rng r;
		double a, b;

		sample_rng(&r, seed, first + i);
		a = 2.0 * lrs_rng_uniform(&r) - 1.0;
		b = 2.0 * lrs_rng_uniform(&r) - 1.0;
		y[i] = (a < 0) != (b < 0);
		x[2 * i] = (float)(a + noise * lrs_rng_normal(&r));
		x[2 * i + 1] = (float)(b + noise * lrs_rng_normal(&r));
	}
}

int lrs_data_load_synthetic(lrs_split *out, const lrs_data_source *src, uint64_t seed,
                            size_t first, size_t limit, int *classes)
{
	const char *name = src->kind ? src->kind : "(none)";
	kind k;
	int nc = src->classes;                        /* classes after defaults */
	size_t dims = src->dims, n, bytes, cbytes;
	double noise = src->noise;
	float *x = NULL;                              /* (n, dims) */
	int32_t *y = NULL;                            /* (n)       */
	double *centres = NULL;                       /* (nc, dims) blobs only */

	memset(out, 0, sizeof *out);
	if (strcmp(name, "spirals") == 0)
		k = K_SPIRALS;
	else if (strcmp(name, "blobs") == 0)
		k = K_BLOBS;
	else if (strcmp(name, "xor") == 0)
		k = K_XOR;
	else
		return lrs_error_set(LRS_EINVALID, "synthetic: unknown kind '%s' (spirals, blobs, xor)", name);

	if (nc == 0)
		nc = k == K_XOR ? 2 : DEFAULT_CLASSES;
	if (dims == 0)
		dims = DEFAULT_DIMS;
	if (isnan(noise))
		noise = DEFAULT_NOISE;
	if (src->samples == 0)
		return lrs_error_set(LRS_EINVALID, "synthetic %s: samples must be at least 1", name);
	if (k == K_XOR && nc != 2)
		return lrs_error_set(LRS_EINVALID, "synthetic xor: classes is %d, xor has 2", nc);
	if (nc < 2 || nc > LRS_DATA_MAX_CLASSES)
		return lrs_error_set(LRS_EINVALID, "synthetic %s: classes is %d, must be 2 to %d",
		                     name, nc, LRS_DATA_MAX_CLASSES);
	if (k != K_BLOBS && dims != 2)
		return lrs_error_set(LRS_EINVALID, "synthetic %s: dims is %zu, %s are 2-D", name, dims, name);
	if (!(noise >= 0) || !isfinite(noise))
		return lrs_error_set(LRS_EINVALID, "synthetic %s: noise %g must be a finite number >= 0", name, noise);

	n = limit && limit < src->samples ? limit : src->samples;
	if (lrs_data_mul(n, dims, &bytes) < 0 || lrs_data_mul(bytes, sizeof *x, &bytes) < 0 ||
	    n > SIZE_MAX / sizeof *y || lrs_data_mul((size_t)nc * sizeof *centres, dims, &cbytes) < 0)
		return lrs_error_set(LRS_EINVALID, "synthetic %s: %zu samples of %zu features do not fit in memory",
		                     name, n, dims);
	if (!(x = malloc(bytes)) || !(y = malloc(n * sizeof *y)) ||
	    (k == K_BLOBS && !(centres = malloc(cbytes)))) {
		free(x);
		free(y);
		return lrs_error_set(LRS_ENOMEM, "synthetic %s: out of memory (%zu bytes)", name, bytes + n * sizeof *y);
	}

	if (k == K_SPIRALS)
		make_spirals(x, y, n, first, nc, noise, seed);
	else if (k == K_BLOBS)
		make_blobs(x, y, n, first, dims, nc, noise, centres, seed);
	else
		make_xor(x, y, n, first, noise, seed);
	free(centres);

	out->x = x;
	out->y = y;
	out->n = n;
	out->d = dims;
	*classes = nc;
	return 0;
}
