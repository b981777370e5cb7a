/* test_tpe.c - the TPE sampler (src/sweep/tpe.c) on synthetic objectives
 * with known optima: it finds them (continuous, log-scaled, integer,
 * categorical and conditional dimensions), better than random draws on
 * the same budget; pruned, diverged and pending observations rank as
 * documented; the startup is random; the same seed proposes the same. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/tpe.h"
#include "suites.h"

#define MAX_DIMS 6

typedef double (*objective)(const double *x);   /* lower is better */

/* The best value of `trials` sequential evaluations of f over dims
 * (seeded by `seed`); random: every point drawn at random instead. The
 * points go to xs (trials x MAX_DIMS) when it is not NULL. */
static double minimise(objective f, const lrs_tpe_dim *dims, size_t n_dims, long trials, uint64_t seed, int random,
                       double *xs)
{
	double *x = calloc((size_t)trials * MAX_DIMS, sizeof *x), best = INFINITY;
	lrs_tpe_obs *obs = calloc((size_t)trials, sizeof *obs);
	lrs_tpe_config c;

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(obs);
	lrs_tpe_defaults(&c);
	for (long j = 0; j < trials; j++) {
		double *p = &x[j * MAX_DIMS];
		lrs_rng rng;
		lrs_rng_seed(&rng, seed * 7919u + (uint64_t)j);
		if (random)
			for (size_t d = 0; d < n_dims; d++)
				p[d] = lrs_tpe_random(&dims[d], &rng);
		else
			ck_assert_int_eq(lrs_tpe_propose(p, dims, n_dims, obs, (size_t)j, &c, &rng), 0);
		double v = f(p);
		obs[j] = (lrs_tpe_obs){ p, LRS_TPE_COMPLETE, 0, -v };
		best = v < best ? v : best;
	}
	if (xs)
		memcpy(xs, x, (size_t)trials * MAX_DIMS * sizeof *x);
	free(x);
	free(obs);
	return best;
}

/* The mean best of five searches (seeds 1..5). */
static double mean_best(objective f, const lrs_tpe_dim *dims, size_t n_dims, long trials, int random)
{
	double sum = 0;

	for (uint64_t s = 1; s <= 5; s++)
		sum += minimise(f, dims, n_dims, trials, s, random, NULL);
	return sum / 5;
}

static double quadratic6(const double *x)
{
	static const double shift[6] = { 1.0, -2.0, 0.5, 3.0, -1.5, 2.5 };
	double f = 0;

	for (int i = 0; i < 6; i++)
		f += (x[i] - shift[i]) * (x[i] - shift[i]);
	return f;
}

static double branin(const double *x)
{
	double b = 5.1 / (4 * M_PI * M_PI), c = 5 / M_PI, t = 1 / (8 * M_PI);
	double u = x[1] - b * x[0] * x[0] + c * x[0] - 6;

	return u * u + 10 * (1 - t) * cos(x[0]) + 10;
}

static double near3(const double *x) { return (x[0] - 3) * (x[0] - 3); }
static double decade(const double *x) { return (log10(x[0]) + 3) * (log10(x[0]) + 3); }
static double seven(const double *x) { return (x[0] - 7) * (x[0] - 7); }
static double third(const double *x) { return x[0] == 3 ? 0 : 1; }

/* choice 0 uses a (best at a = 1); choice 1 uses b and is worse by 5 */
static double conditional(const double *x)
{
	ck_assert(x[0] == 0 || x[0] == 1);
	return x[0] == 0 ? (x[1] - 1) * (x[1] - 1) : 5 + (x[2] - 1) * (x[2] - 1);
}

START_TEST(gamma_and_defaults)
{
	static const long n[] = { 0, 1, 9, 10, 11, 100, 240, 241, 250, 10000 };
	static const long g[] = { 0, 1, 1, 1, 2, 10, 24, 25, 25, 25 };
	lrs_tpe_config c;

	for (size_t i = 0; i < sizeof n / sizeof n[0]; i++)
		ck_assert_int_eq(lrs_tpe_gamma(n[i]), g[i]);
	lrs_tpe_defaults(&c);
	ck_assert_int_eq(c.startup, 10);
	ck_assert_int_eq(c.candidates, 24);
	ck_assert(c.prior_weight == 1.0);
	ck_assert_int_eq(c.magic_clip, 1);
	ck_assert_int_eq(c.endpoints, 0);
}
END_TEST

/* Until `startup` observations finished (pending ones do not count) the
 * proposal is the random draw itself, in range and of the right kind. */
START_TEST(startup_is_random)
{
	static const lrs_tpe_dim dims[4] = { { LRS_TPE_FLOAT, -1, 2, 0 }, { LRS_TPE_LOG, 1e-5, 1e-1, 0 },
	                                     { LRS_TPE_INT, 3, 9, 0 }, { LRS_TPE_CHOICE, 0, 0, 4 } };
	double xs[20][4], x[4], r[4];
	lrs_tpe_obs obs[20];
	lrs_tpe_config c;

	lrs_tpe_defaults(&c);
	for (int j = 0; j < 20; j++) {
		lrs_rng a, b;
		lrs_rng_seed(&a, (uint64_t)j);
		lrs_rng_seed(&b, (uint64_t)j);
		ck_assert_int_eq(lrs_tpe_propose(x, dims, 4, obs, (size_t)j, &c, &a), 0);
		for (int d = 0; d < 4; d++)
			r[d] = lrs_tpe_random(&dims[d], &b);
		if (j < 15)   /* 9 finished, then 6 pending, are still the startup */
			ck_assert_mem_eq(x, r, sizeof x);
		ck_assert(x[0] >= -1 && x[0] <= 2);
		ck_assert(x[1] >= 1e-5 && x[1] <= 1e-1);
		ck_assert(x[2] >= 3 && x[2] <= 9 && x[2] == floor(x[2]));
		ck_assert(x[3] >= 0 && x[3] <= 3 && x[3] == floor(x[3]));
		memcpy(xs[j], x, sizeof x);
		obs[j] = (lrs_tpe_obs){ xs[j], j < 9 ? LRS_TPE_COMPLETE : j < 15 ? LRS_TPE_PENDING : LRS_TPE_COMPLETE, 0,
		                        x[0] };
	}
}
END_TEST

/* The good ones: completed by value, then pruned by how far they got,
 * then by value; diverged below those; pending never; ties: older. */
static int below_ones(const lrs_tpe_obs *obs, size_t n, int *idx)
{
	char below[64];
	int m = 0;

	ck_assert_int_eq(lrs_tpe_split(below, obs, n), 0);
	for (size_t i = 0; i < n; i++)
		if (below[i])
			idx[m++] = (int)i;
	return m;
}

START_TEST(ranking)
{
	double x = 0;
	lrs_tpe_obs obs[30];
	int idx[30];

	/* 30 finished: gamma 3 */
	for (int i = 0; i < 30; i++)
		obs[i] = (lrs_tpe_obs){ &x, LRS_TPE_PRUNED, 1, 0.99 };   /* pruned early, high value */
	obs[20] = (lrs_tpe_obs){ &x, LRS_TPE_COMPLETE, 0, 0.5 };
	obs[7] = (lrs_tpe_obs){ &x, LRS_TPE_COMPLETE, 0, 0.1 };
	obs[25] = (lrs_tpe_obs){ &x, LRS_TPE_PRUNED, 4, 0.2 };      /* got further */
	obs[26] = (lrs_tpe_obs){ &x, LRS_TPE_PRUNED, 4, 0.3 };
	ck_assert_int_eq(below_ones(obs, 30, idx), 3);
	ck_assert_int_eq(idx[0], 7);
	ck_assert_int_eq(idx[1], 20);
	ck_assert_int_eq(idx[2], 26);
	/* NaN is the worst of completed ones; diverged below every pruned
	 * one; a pending one never counts as good */
	for (int i = 0; i < 30; i++)
		obs[i] = (lrs_tpe_obs){ &x, LRS_TPE_DIVERGED, 0, 1.0 };
	obs[3] = (lrs_tpe_obs){ &x, LRS_TPE_COMPLETE, 0, NAN };
	obs[4] = (lrs_tpe_obs){ &x, LRS_TPE_PRUNED, 1, NAN };
	obs[5] = (lrs_tpe_obs){ &x, LRS_TPE_PENDING, 0, 2.0 };
	ck_assert_int_eq(below_ones(obs, 30, idx), 3);
	ck_assert_int_eq(idx[0], 0);   /* ties among the diverged: the oldest */
	ck_assert_int_eq(idx[1], 3);
	ck_assert_int_eq(idx[2], 4);
	/* gamma counts finished ones only: 11 finished of 30 make 2 */
	for (int i = 0; i < 30; i++)
		obs[i] = (lrs_tpe_obs){ &x, i < 11 ? LRS_TPE_COMPLETE : LRS_TPE_PENDING, 0, (double)i };
	ck_assert_int_eq(below_ones(obs, 30, idx), 2);
	ck_assert_int_eq(idx[0], 9);
	ck_assert_int_eq(idx[1], 10);
}
END_TEST

/* The known optima of the test functions, and better than random. */
START_TEST(known_optima)
{
	static const lrs_tpe_dim box6[6] = { { LRS_TPE_FLOAT, -5, 5, 0 }, { LRS_TPE_FLOAT, -5, 5, 0 },
	                                     { LRS_TPE_FLOAT, -5, 5, 0 }, { LRS_TPE_FLOAT, -5, 5, 0 },
	                                     { LRS_TPE_FLOAT, -5, 5, 0 }, { LRS_TPE_FLOAT, -5, 5, 0 } };
	static const lrs_tpe_dim box_branin[2] = { { LRS_TPE_FLOAT, -5, 10, 0 }, { LRS_TPE_FLOAT, 0, 15, 0 } };
	static const lrs_tpe_dim line[1] = { { LRS_TPE_FLOAT, -10, 10, 0 } };
	double q_tpe = mean_best(quadratic6, box6, 6, 100, 0), q_rand = mean_best(quadratic6, box6, 6, 100, 1);
	double b_tpe = mean_best(branin, box_branin, 2, 100, 0), b_rand = mean_best(branin, box_branin, 2, 100, 1);

	/* the minimum 0 of the quadratic, 0.397887 of Branin */
	ck_assert_msg(q_tpe < 4 && q_tpe < q_rand / 2, "quadratic: tpe %g, random %g", q_tpe, q_rand);
	ck_assert_msg(b_tpe < 0.55 && b_tpe < b_rand, "branin: tpe %g, random %g", b_tpe, b_rand);
	double n3 = mean_best(near3, line, 1, 50, 0), n3r = mean_best(near3, line, 1, 50, 1);
	ck_assert_msg(n3 < 0.02 && n3 < n3r / 4, "x = 3 not found: tpe %g, random %g", n3, n3r);
}
END_TEST

/* Log-scaled, integer and categorical dimensions. */
START_TEST(kinds_of_dimension)
{
	static const lrs_tpe_dim lg[1] = { { LRS_TPE_LOG, 1e-6, 1, 0 } };
	static const lrs_tpe_dim in[1] = { { LRS_TPE_INT, 0, 20, 0 } };
	static const lrs_tpe_dim ch[1] = { { LRS_TPE_CHOICE, 0, 0, 5 } };
	double xs[40 * MAX_DIMS];
	int hits = 0;

	/* 1e-3 within 10 % (0.04 decades) */
	ck_assert(minimise(decade, lg, 1, 50, 1, 0, NULL) < 0.04 * 0.04);
	ck_assert(mean_best(decade, lg, 1, 50, 0) < mean_best(decade, lg, 1, 50, 1));
	/* 7 itself, and 7 far more often than at random (30 / 21 times) once
	 * the model takes over */
	ck_assert(minimise(seven, in, 1, 40, 2, 0, xs) == 0);
	for (int j = 10; j < 40; j++)
		hits += xs[j * MAX_DIMS] == 7;
	ck_assert_msg(hits >= 5, "7 proposed %d times of 30", hits);
	for (int j = 0; j < 40; j++)
		ck_assert(xs[j * MAX_DIMS] == floor(xs[j * MAX_DIMS]));
	/* choice 3 of 5 */
	minimise(third, ch, 1, 40, 3, 0, xs);
	hits = 0;
	for (int j = 10; j < 40; j++)
		hits += xs[j * MAX_DIMS] == 3;
	ck_assert_msg(hits >= 20, "choice 3 proposed %d times of 30", hits);
}
END_TEST

/* A dimension that applies to some observations only (NAN in the
 * others): the better branch and its optimum are found. */
START_TEST(conditional_dimensions)
{
	static const lrs_tpe_dim dims[3] = { { LRS_TPE_CHOICE, 0, 0, 2 }, { LRS_TPE_FLOAT, -4, 4, 0 },
	                                     { LRS_TPE_FLOAT, -4, 4, 0 } };
	double x[60][3], best = INFINITY;
	lrs_tpe_obs obs[60];
	lrs_tpe_config c;
	int first = 0;

	lrs_tpe_defaults(&c);
	for (int j = 0; j < 60; j++) {
		lrs_rng rng;
		lrs_rng_seed(&rng, 99 + (uint64_t)j);
		ck_assert_int_eq(lrs_tpe_propose(x[j], dims, 3, obs, (size_t)j, &c, &rng), 0);
		x[j][x[j][0] == 0 ? 2 : 1] = NAN;   /* the other branch's value does not apply */
		double v = conditional(x[j]);
		best = v < best ? v : best;
		first += j >= 20 && x[j][0] == 0;
		obs[j] = (lrs_tpe_obs){ x[j], LRS_TPE_COMPLETE, 0, -v };
	}
	ck_assert_msg(first >= 30, "branch 0 proposed %d times of 40", first);
	ck_assert_msg(best < 0.01, "best %g", best);
}
END_TEST

/* Pruned observations inform: with none completed, the ones that got
 * furthest mark the good region. */
START_TEST(pruned_inform)
{
	static const lrs_tpe_dim dims[1] = { { LRS_TPE_FLOAT, 0, 10, 0 } };
	double x[40];
	lrs_tpe_obs obs[40];
	lrs_tpe_config c;
	int near = 0;

	lrs_tpe_defaults(&c);
	for (int j = 0; j < 40; j++) {
		lrs_rng rng;
		lrs_rng_seed(&rng, 5 + (uint64_t)j);
		ck_assert_int_eq(lrs_tpe_propose(&x[j], dims, 1, obs, (size_t)j, &c, &rng), 0);
		near += j >= 15 && fabs(x[j] - 8) < 1.5;
		/* the closer to 8, the further it gets; its value says nothing */
		obs[j] = (lrs_tpe_obs){ &x[j], LRS_TPE_PRUNED, 10 - (long)fabs(x[j] - 8), 0.5 };
	}
	ck_assert_msg(near >= 15, "%d of 25 proposals near 8", near);
}
END_TEST

/* The same seed and observations give the same proposal; others not. */
START_TEST(deterministic)
{
	static const lrs_tpe_dim box_branin[2] = { { LRS_TPE_FLOAT, -5, 10, 0 }, { LRS_TPE_FLOAT, 0, 15, 0 } };
	double a[30 * MAX_DIMS], b[30 * MAX_DIMS], c[30 * MAX_DIMS];

	minimise(branin, box_branin, 2, 30, 4, 0, a);
	minimise(branin, box_branin, 2, 30, 4, 0, b);
	minimise(branin, box_branin, 2, 30, 5, 0, c);
	ck_assert_mem_eq(a, b, sizeof a);
	ck_assert(memcmp(a, c, sizeof a) != 0);
}
END_TEST

Suite *suite_tpe(void)
{
	Suite *s = suite_create("tpe");
	TCase *tc = tcase_create("tpe");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, gamma_and_defaults);
	tcase_add_test(tc, startup_is_random);
	tcase_add_test(tc, ranking);
	tcase_add_test(tc, known_optima);
	tcase_add_test(tc, kinds_of_dimension);
	tcase_add_test(tc, conditional_dimensions);
	tcase_add_test(tc, pruned_inform);
	tcase_add_test(tc, deterministic);
	suite_add_tcase(s, tc);
	return s;
}
