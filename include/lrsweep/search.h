/* search.h - strategy tpe over an experiment (SPEC §5, docs/search.md):
 * the sampler's dimensions, proposals in rounds turned into plan points,
 * trials' results turned into observations.
 *
 * The dimensions: the schedule entry (a choice, when there are several
 * and the search is not shared), each entry's own searched parameters
 * (conditional: they apply to that entry's trials only), then the keys of
 * trials.space and an external trainer's params (shared by every entry).
 * With search.shared, a proposal is one draw of everything and becomes
 * one point per schedule entry, so that every schedule runs with the same
 * hyperparameters.
 *
 * Rounds: first search.startup proposals (drawn at random), then
 * search.batch at a time, until search.samples proposals are made. Each
 * proposal is drawn from its own stream of the experiment's seed and
 * sees the observations the caller has given so far, and (with
 * constant_liar) the round's earlier proposals as pending. The caller
 * gives every result of a round before asking for the next, in plan
 * order: what is proposed depends on the experiment alone, never on how
 * fast or where the trials ran. A proposal whose schedule refuses its
 * values makes trials that fail (plan.h): the caller gives no
 * observation of them, and they count in search.samples all the same.
 * Pure: no threads, no I/O. */
#ifndef LRSWEEP_SEARCH_H
#define LRSWEEP_SEARCH_H

#include <stddef.h>

#include "lrsweep/experiment.h"
#include "lrsweep/plan.h"
#include "lrsweep/tpe.h"

typedef struct lrs_search lrs_search;

/* The search of experiment e (strategy tpe). Free with lrs_search_free. */
int lrs_search_new(lrs_search **out, const lrs_experiment *e);
void lrs_search_free(lrs_search *s);

/* The next round's points (*points valid until the next call; *n = 0
 * once search.samples proposals have been made). 0, or LRS_ENOMEM. */
int lrs_search_next(lrs_search *s, const lrs_plan_point **points, size_t *n);

/* Point k of the last round ended one of its trials so (call once per
 * trial, the round's points in order, each point's seeds in order). A
 * trial that failed or did not finish is not an observation: not given. */
int lrs_search_observe(lrs_search *s, size_t k, lrs_tpe_state state, long step, double value);

/* How many dimensions the sampler searches, and proposals made. */
size_t lrs_search_dims(const lrs_search *s);
size_t lrs_search_proposed(const lrs_search *s);

#endif
