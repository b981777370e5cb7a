/* rng.h - seeded random numbers, one state per user, never global.
 *
 * xoshiro256** seeded through splitmix64. A generator is a plain struct that
 * its owner passes by pointer; the same seed gives the same stream on every
 * platform. lrs_rng_hash_* are stateless (counter-based) draws for pure
 * functions that need noise at an arbitrary index. */
#ifndef LRSWEEP_RNG_H
#define LRSWEEP_RNG_H

#include <stdint.h>

typedef struct {
	uint64_t s[4]; /* xoshiro256** state; never all zero */
} lrs_rng;

/* Seeds `rng` from any 64-bit value (0 included). */
void lrs_rng_seed(lrs_rng *rng, uint64_t seed);

/* The next 64 random bits. */
uint64_t lrs_rng_next(lrs_rng *rng);

/* A double uniform in [0, 1) with 53 random bits. */
double lrs_rng_uniform(lrs_rng *rng);

/* A standard normal draw (Box-Muller on two uniforms). */
double lrs_rng_normal(lrs_rng *rng);

/* splitmix64's output function: a well-mixed hash of one 64-bit value. */
uint64_t lrs_rng_mix(uint64_t x);

/* A standard normal draw that depends only on (seed, index). */
double lrs_rng_hash_normal(uint64_t seed, uint64_t index);

#endif
