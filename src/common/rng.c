/* rng.c - xoshiro256** seeded by splitmix64; counter-based normal draws. */
#include <math.h>

#include "lrsweep/rng.h"

#define LRS_TWO_PI 6.283185307179586476925286766559

uint64_t lrs_rng_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void lrs_rng_seed(lrs_rng *rng, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		seed += 0x9e3779b97f4a7c15ULL;
		rng->s[i] = lrs_rng_mix(seed);
	}
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t lrs_rng_next(lrs_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

static double bits_to_unit(uint64_t bits) { return (double)(bits >> 11) * 0x1.0p-53; }

double lrs_rng_uniform(lrs_rng *rng) { return bits_to_unit(lrs_rng_next(rng)); }

/* Box-Muller on u1 in (0,1] and u2 in [0,1). */
static double box_muller(double u1, double u2)
{
	return sqrt(-2.0 * log(u1)) * cos(LRS_TWO_PI * u2);
}

double lrs_rng_normal(lrs_rng *rng)
{
	double u1 = 1.0 - lrs_rng_uniform(rng);
	double u2 = lrs_rng_uniform(rng);
	return box_muller(u1, u2);
}

double lrs_rng_hash_normal(uint64_t seed, uint64_t index)
{
	uint64_t a = lrs_rng_mix(lrs_rng_mix(seed) ^ (2 * index));
	uint64_t b = lrs_rng_mix(lrs_rng_mix(seed) ^ (2 * index + 1));
	return box_muller(1.0 - bits_to_unit(a), bits_to_unit(b));
}
