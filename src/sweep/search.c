/* search.c - strategy tpe over an experiment (search.h): the plan's axes
 * as the sampler's dimensions, each round's proposals as plan points, the
 * trials' results as observations. What a point observes is the whole
 * proposal with the dimensions of other schedule entries left out (NAN):
 * an entry's own parameters learn from its trials only, the space's from
 * every trial. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/search.h"

typedef struct {
	size_t point;              /* index into pts (every point made)     */
	lrs_tpe_state state;
	long step;
	double value;
} observed;

struct lrs_search {
	const lrs_experiment *e;
	size_t entries;
	int entry_dim;             /* the dimension of the schedule entry, or -1 */
	lrs_tpe_dim *dims;         /* (n_dims)                              */
	size_t n_dims;
	size_t **map;              /* (entries) each (its axes): axis -> dimension */
	size_t *n_axes;            /* (entries)                             */
	lrs_tpe_config cfg;
	size_t proposed;           /* proposals made                        */
	/* every point made, in order: its entry and observation vector */
	size_t *pt_entry;
	double *pt_x;              /* (n_pts x n_dims)                      */
	size_t n_pts, cap_pts;
	size_t round_first;        /* the last round's first point          */
	observed *obs;             /* (n_obs) every observation given       */
	size_t n_obs, cap_obs;
	/* the last round's points as the plan takes them */
	lrs_plan_point *round;
	double *round_values;
};

static lrs_tpe_dim dim_of(const lrs_plan_axis *a)
{
	switch (a->kind) {
	case LRS_AXIS_LIST: return (lrs_tpe_dim){ LRS_TPE_CHOICE, 0, 0, a->n_values };
	case LRS_AXIS_LOG_UNIFORM: return (lrs_tpe_dim){ LRS_TPE_LOG, a->lo, a->hi, 0 };
	case LRS_AXIS_INT_UNIFORM: return (lrs_tpe_dim){ LRS_TPE_INT, a->lo, a->hi, 0 };
	default: return (lrs_tpe_dim){ LRS_TPE_FLOAT, a->lo, a->hi, 0 };
	}
}

typedef struct {
	int where;                 /* 1 trials.space, 2 params:             */
	const char *key;           /* (in the experiment)                   */
	size_t dim;
} shared_dim;

/* Entry k's axes as dimensions: its own ones new, the space's and the
 * params' the ones an earlier entry made for the same key. */
static int map_entry(lrs_search *s, size_t k, const lrs_plan_axis *ax, size_t n, shared_dim *shared,
                     size_t *n_shared)
{
	lrs_tpe_dim *d = realloc(s->dims, (s->n_dims + n + 1) * sizeof *d);

	if (d)
		s->dims = d;
	if (!d || !(s->map[k] = calloc(n + 1, sizeof **s->map)))
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	s->n_axes[k] = n;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < *n_shared && !(shared[j].where == ax[i].where && !strcmp(shared[j].key, ax[i].key)))
			j++;
		if (ax[i].where != 0 && j < *n_shared) {   /* the same key as an earlier entry's */
			s->map[k][i] = shared[j].dim;
			continue;
		}
		if (ax[i].where != 0)
			shared[(*n_shared)++] = (shared_dim){ ax[i].where, ax[i].key, s->n_dims };
		s->map[k][i] = s->n_dims;
		s->dims[s->n_dims++] = dim_of(&ax[i]);
	}
	return 0;
}

/* The dimensions: the entry (when several and not shared), then each
 * entry's axes. */
static int make_dims(lrs_search *s)
{
	shared_dim *shared = NULL;
	size_t n_shared = 0;
	int err = 0;

	s->entry_dim = -1;
	if (s->entries > 1 && !s->e->trial.shared) {
		if (!(s->dims = malloc(sizeof *s->dims)))
			return lrs_error_set(LRS_ENOMEM, "out of memory");
		s->dims[0] = (lrs_tpe_dim){ LRS_TPE_CHOICE, 0, 0, s->entries };
		s->entry_dim = 0;
		s->n_dims = 1;
	}
	for (size_t k = 0; err == 0 && k < s->entries; k++) {
		lrs_plan_axis *ax;
		size_t n;
		if ((err = lrs_plan_axes(&ax, &n, s->e, k)) < 0)
			break;
		shared_dim *more = realloc(shared, (n_shared + n + 1) * sizeof *more);
		if (!more)
			err = lrs_error_set(LRS_ENOMEM, "out of memory");
		else
			err = map_entry(s, k, ax, n, shared = more, &n_shared);
		free(ax);
	}
	free(shared);
	return err;
}

int lrs_search_new(lrs_search **out, const lrs_experiment *e)
{
	lrs_search *s = calloc(1, sizeof *s);
	int err;

	*out = NULL;
	if (!s)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	s->e = e;
	s->entries = lrs_plan_entries(e);
	s->cfg = e->trial.sampler;
	s->map = calloc(s->entries, sizeof *s->map);
	s->n_axes = calloc(s->entries, sizeof *s->n_axes);
	if (!s->map || !s->n_axes)
		err = lrs_error_set(LRS_ENOMEM, "out of memory");
	else
		err = make_dims(s);
	if (err < 0) {
		lrs_search_free(s);
		return err;
	}
	*out = s;
	return 0;
}

void lrs_search_free(lrs_search *s)
{
	if (!s)
		return;
	void *owned[] = { s->map, s->n_axes, s->dims, s->pt_entry, s->pt_x, s->obs, s->round, s->round_values, s };

	for (size_t k = 0; s->map && k < s->entries; k++)
		free(s->map[k]);
	for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
		free(owned[i]);
}

size_t lrs_search_dims(const lrs_search *s) { return s->n_dims; }
size_t lrs_search_proposed(const lrs_search *s) { return s->proposed; }

/* ------------------------------------------------------------ proposals */

/* Room for `more` points. */
static int grow_points(lrs_search *s, size_t more)
{
	size_t cap = s->cap_pts ? s->cap_pts : 16;

	while (cap < s->n_pts + more)
		cap *= 2;
	if (cap == s->cap_pts)
		return 0;
	size_t *pe = realloc(s->pt_entry, cap * sizeof *pe);
	if (pe)
		s->pt_entry = pe;
	double *px = realloc(s->pt_x, cap * (s->n_dims + 1) * sizeof *px);
	if (px)
		s->pt_x = px;
	if (!pe || !px)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	s->cap_pts = cap;
	return 0;
}

/* The sampler's observations: every one given, then (constant liar) the
 * points of this round made so far as pending. obs[i].x points into
 * s->pt_x, which does not move until the round's points are made. */
static lrs_tpe_obs *observations(const lrs_search *s, size_t *n)
{
	size_t pending = s->e->trial.constant_liar ? s->n_pts - s->round_first : 0;
	lrs_tpe_obs *o = malloc((s->n_obs + pending + 1) * sizeof *o);

	*n = 0;
	if (!o)
		return NULL;
	for (size_t i = 0; i < s->n_obs; i++)
		o[(*n)++] = (lrs_tpe_obs){ s->pt_x + s->obs[i].point * s->n_dims, s->obs[i].state, s->obs[i].step,
		                           s->obs[i].value };
	for (size_t p = s->round_first; p < s->round_first + pending; p++)
		o[(*n)++] = (lrs_tpe_obs){ s->pt_x + p * s->n_dims, LRS_TPE_PENDING, 0, NAN };
	return o;
}

/* Proposal j's point for entry k: x with the other entries' own
 * dimensions left out. */
static void add_point(lrs_search *s, const double *x, size_t k)
{
	double *px = s->pt_x + s->n_pts * s->n_dims;

	for (size_t d = 0; d < s->n_dims; d++)
		px[d] = NAN;
	if (s->entry_dim >= 0)
		px[s->entry_dim] = (double)k;
	for (size_t i = 0; i < s->n_axes[k]; i++)
		px[s->map[k][i]] = x[s->map[k][i]];
	s->pt_entry[s->n_pts++] = k;
}

/* Proposal number s->proposed, as one point (or one per entry, shared). */
static int propose(lrs_search *s, double *x)
{
	size_t n;
	lrs_rng rng;
	lrs_tpe_obs *o = observations(s, &n);
	int err;

	if (!o)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	lrs_rng_seed(&rng, lrs_rng_mix(s->e->seed ^ lrs_rng_mix(0x7470650000000000ULL + s->proposed)));   /* "tpe" */
	err = lrs_tpe_propose(x, s->dims, s->n_dims, o, n, &s->cfg, &rng);
	free(o);
	if (err < 0)
		return err;
	if (s->e->trial.shared) {
		for (size_t k = 0; k < s->entries; k++)
			add_point(s, x, k);
	} else {
		add_point(s, x, s->entry_dim >= 0 ? (size_t)x[s->entry_dim] : 0);
	}
	s->proposed++;
	return 0;
}

/* The round's points as the plan takes them. */
static int round_points(lrs_search *s, size_t *n)
{
	size_t m = s->n_pts - s->round_first, total = 0;

	for (size_t p = s->round_first; p < s->n_pts; p++)
		total += s->n_axes[s->pt_entry[p]];
	free(s->round);
	free(s->round_values);
	s->round = calloc(m + 1, sizeof *s->round);
	s->round_values = calloc(total + 1, sizeof *s->round_values);
	if (!s->round || !s->round_values)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	total = 0;
	for (size_t p = s->round_first; p < s->n_pts; p++) {
		size_t k = s->pt_entry[p];
		double *v = s->round_values + total;
		for (size_t i = 0; i < s->n_axes[k]; i++)
			v[i] = s->pt_x[p * s->n_dims + s->map[k][i]];
		s->round[p - s->round_first] = (lrs_plan_point){ k, v, s->n_axes[k] };
		total += s->n_axes[k];
	}
	*n = m;
	return 0;
}

int lrs_search_next(lrs_search *s, const lrs_plan_point **points, size_t *n)
{
	size_t budget = (size_t)s->e->trial.samples, startup = (size_t)s->cfg.startup;
	size_t size = s->proposed == 0 && startup > 0 ? startup : (size_t)s->e->trial.batch;
	size_t per = s->e->trial.shared ? s->entries : 1;
	double *x = malloc((s->n_dims + 1) * sizeof *x);
	int err = x ? 0 : lrs_error_set(LRS_ENOMEM, "out of memory");

	*points = NULL;
	*n = 0;
	if (size > budget - s->proposed)
		size = budget - s->proposed;
	if (err == 0)
		err = grow_points(s, size * per);
	s->round_first = s->n_pts;
	for (size_t j = 0; err == 0 && j < size; j++)
		err = propose(s, x);
	free(x);
	if (err == 0 && (err = round_points(s, n)) == 0)
		*points = s->round;
	return err;
}

int lrs_search_observe(lrs_search *s, size_t k, lrs_tpe_state state, long step, double value)
{
	observed *o = s->n_obs < s->cap_obs ? s->obs : realloc(s->obs, (2 * s->cap_obs + 64) * sizeof *o);

	if (!o)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	if (o != s->obs || s->n_obs == s->cap_obs) {   /* grown */
		s->obs = o;
		s->cap_obs = 2 * s->cap_obs + 64;
	}
	s->obs[s->n_obs++] = (observed){ s->round_first + k, state, step, value };
	return 0;
}
