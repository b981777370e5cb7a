/* prune.h - the pruning rules of SPEC §5 as pure functions: when a trial
 * is judged and whether it goes on. Validation accuracy is the measure
 * (higher is better). How lrsweep makes the decisions independent of the
 * thread count is in trials.c and docs/run.md. */
#ifndef LRSWEEP_PRUNE_H
#define LRSWEEP_PRUNE_H

#include <stddef.h>

/* The rules, as trials.pruning.type names them (the config module reads
 * the name into this). */
typedef enum { LRS_PRUNE_NONE, LRS_PRUNE_MEDIAN, LRS_PRUNE_ASHA } lrs_prune_type;

typedef struct {
	lrs_prune_type type;       /* none | median | asha                    */
	long grace_epochs;         /* no judgement before this epoch (>= 1)   */
	long reduction_factor;     /* asha's eta (>= 2)                       */
} lrs_prune_config;

/* Whether a trial is judged after `epoch` (1-based) of `epochs`: asha at
 * its rungs grace x eta^k (k = 0, 1, ...), median at every epoch from
 * grace on; never after the last epoch (a finished trial is not pruned). */
int lrs_prune_judged(const lrs_prune_config *c, long epoch, long epochs);

/* The asha rung index k of `epoch` (grace x eta^k == epoch), or -1. */
long lrs_asha_rung(long epoch, long grace, long eta);

/* ASHA: whether `value` goes on, against the `n` values `others` of the
 * trials judged at the same rung before it: it must be among the top
 * max(1, floor((n + 1) / eta)) of all n + 1 (ties go on). NAN loses. */
int lrs_asha_promotes(double value, const double *others, size_t n, long eta);

/* Median: whether a trial whose best value so far is `best` goes on,
 * against the `n` values of the trials judged at the same epoch before it:
 * it stops when best is below their median. With no others it goes on. */
int lrs_median_continues(double best, const double *others, size_t n);

#endif
