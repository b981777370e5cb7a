/* digest.c - a fingerprint of a loaded dataset: the SHA-256 of every
 * split's samples and labels as training sees them, its classes and their
 * names. Stored with an experiment, so that `run --resume` can tell that
 * the files behind an unchanged experiment file now hold other data.
 *
 * Not here: anything about files (the digest is of what was loaded, so a
 * re-compressed or re-ordered-header file with the same samples is the
 * same data). */
#include <stdint.h>
#include <string.h>

#include "lrsweep/data.h"
#include "lrsweep/sha256.h"

static void put_size(lrs_sha256_ctx *c, size_t v)
{
	uint64_t u = (uint64_t)v;   /* fixed width and byte order, whatever size_t is */
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(u >> (8 * i));
	lrs_sha256_update(c, b, sizeof b);
}

/* A split: its shape, features (bytes with their normalisation, or
 * float32) and labels. */
static void put_split(lrs_sha256_ctx *c, const lrs_split *s)
{
	size_t cells = s->n * s->d;

	put_size(c, s->n);
	put_size(c, s->d);
	put_size(c, s->x8 ? 1 : 0);
	if (s->x8) {
		lrs_sha256_update(c, s->x8, cells);
		put_size(c, s->shift ? 1 : 0);
		if (s->shift && s->scale) {
			lrs_sha256_update(c, s->shift, s->d * sizeof *s->shift);
			lrs_sha256_update(c, s->scale, s->d * sizeof *s->scale);
		}
	} else if (s->x) {
		lrs_sha256_update(c, s->x, cells * sizeof *s->x);
	}
	if (s->y)
		lrs_sha256_update(c, s->y, s->n * sizeof *s->y);
}

void lrs_dataset_digest(char out[LRS_SHA256_HEX_SIZE], const lrs_dataset *ds)
{
	lrs_sha256_ctx c;

	lrs_sha256_init(&c);
	put_split(&c, &ds->train);
	put_split(&c, &ds->val);
	put_split(&c, &ds->test);
	put_size(&c, (size_t)ds->classes);
	for (int k = 0; ds->class_names && k < ds->classes; k++)
		lrs_sha256_update(&c, ds->class_names[k], strlen(ds->class_names[k]) + 1);
	lrs_sha256_final_hex(&c, out);
}
