/* split.c - reading the rows of a split as float32, whichever way its
 * features are kept: float32 (x) or bytes normalised on the way (x8,
 * shift, scale; see lrs_split in data.h). One row, a run of rows (the
 * evaluations), a gathered batch (training); the labels counted by class.
 *
 * Not here: loading, splitting and normalising (dataset.c). */
#include <string.h>

#include "lrsweep/data.h"
#include "lrsweep/util.h"

/* GCC at -O2 (its "very cheap" vectorizer cost model) vectorizes a loop
 * only when its trip count is a known multiple of the vector width, so the
 * conversion runs on blocks of VEC features, then once on the rest: SIMD
 * code for the blocks, the same arithmetic. 64 bytes in, so that the AVX
 * clones fill whole 256-bit registers. */
#define VEC 64
#define PREFETCH_ROWS 2   /* how far a gather fetches ahead, in rows */
#define CACHE_LINE 64     /* bytes; the step of the prefetches        */

/* out = (in - shift) * scale over n <= VEC features (in float: the same
 * rounding as normalising a float32 copy in place). */
static inline void convert_block(float *restrict out, const uint8_t *restrict in,
                                 const float *restrict shift, const float *restrict scale, size_t n)
{
	for (size_t j = 0; j < n; j++)
		out[j] = ((float)in[j] - shift[j]) * scale[j];
}

/* out = in over n <= VEC features (no normalisation). */
static inline void widen_block(float *restrict out, const uint8_t *restrict in, size_t n)
{
	for (size_t j = 0; j < n; j++)
		out[j] = (float)in[j];
}

/* One row of bytes into d floats; on AVX2 and AVX-512 CPUs their clone
 * (LRS_SIMD_CLONES): at batch 32 of softmax regression the conversion
 * was half of the gather in the SSE2 build. */
LRS_SIMD_CLONES
static void convert_row(const lrs_split *s, const uint8_t *in, float *out)
{
	size_t j = 0, d = s->d;

	if (s->shift && s->scale) {
		for (; j + VEC <= d; j += VEC)
			convert_block(out + j, in + j, s->shift + j, s->scale + j, VEC);
		convert_block(out + j, in + j, s->shift + j, s->scale + j, d - j);
	} else {
		for (; j + VEC <= d; j += VEC)
			widen_block(out + j, in + j, VEC);
		widen_block(out + j, in + j, d - j);
	}
}

void lrs_split_row(const lrs_split *s, size_t i, float *out)
{
	if (s->x)
		memcpy(out, s->x + i * s->d, s->d * sizeof *out);
	else
		convert_row(s, s->x8 + i * s->d, out);
}

const float *lrs_split_rows(const lrs_split *s, size_t first, size_t count, float *scratch)
{
	if (s->x)
		return s->x + first * s->d;
	for (size_t i = 0; i < count; i++)
		convert_row(s, s->x8 + (first + i) * s->d, scratch + i * s->d);
	return scratch;
}

/* Asks for the `bytes` at p to be brought into cache, without waiting. */
static void prefetch(const void *p, size_t bytes)
{
	const char *c = p;

	for (size_t b = 0; b < bytes; b += CACHE_LINE)
		__builtin_prefetch(c + b, 0, 3);
}

/* The rows lie scattered over the whole split, so each comes from memory,
 * and a copy alone waits for them one at a time; fetching the row
 * PREFETCH_ROWS ahead while this one is copied overlaps those waits (a
 * fifth less time at batch 128 for float rows; further ahead gains
 * nothing more). Byte rows are a quarter of the lines to wait for. */
void lrs_split_gather(const lrs_split *s, const uint32_t *idx, size_t count, float *x, int32_t *y)
{
	size_t d = s->d;

	if (s->x) {
		for (size_t i = 0; i < count; i++) {
			if (i + PREFETCH_ROWS < count)
				prefetch(s->x + (size_t)idx[i + PREFETCH_ROWS] * d, d * sizeof *s->x);
			memcpy(x + i * d, s->x + (size_t)idx[i] * d, d * sizeof *x);
			y[i] = s->y[idx[i]];
		}
		return;
	}
	for (size_t i = 0; i < count; i++) {
		if (i + PREFETCH_ROWS < count)
			prefetch(s->x8 + (size_t)idx[i + PREFETCH_ROWS] * d, d);
		convert_row(s, s->x8 + (size_t)idx[i] * d, x + i * d);
		y[i] = s->y[idx[i]];
	}
}

void lrs_split_class_counts(size_t *counts, const lrs_split *s, int classes)
{
	memset(counts, 0, (size_t)classes * sizeof *counts);
	for (size_t i = 0; i < s->n; i++)
		counts[s->y[i]]++;
}
