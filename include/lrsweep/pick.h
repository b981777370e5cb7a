/* pick.h - learning-rate bounds from an LR range-test curve (SPEC §4).
 *
 * Five rules read one curve (one repeat, or the point-by-point mean of the
 * repeats) and answer min_lr and max_lr, or refuse with a reason when the
 * curve does not allow a pick:
 *
 *   accuracy       Smith's CLR paper: min_lr where the smoothed validation
 *                  accuracy starts to rise, max_lr where it stops rising,
 *                  turns ragged or falls.
 *   loss-steepest  max_lr at the steepest fall of the smoothed loss
 *                  (fastai's 'steep'); min_lr = max_lr / 10.
 *   loss-valley    fastai's 'valley': a point in the longest valley of the
 *                  smoothed loss; min_lr from the valley's start.
 *   loss-min10     max_lr = (lr of the minimum smoothed loss) / 10;
 *                  min_lr = max_lr / 10.
 *   combined       the accuracy and the loss evidence together: max_lr =
 *                  the geometric mean of accuracy's max_lr, loss-steepest's
 *                  max_lr and the rate of the loss's minimum / 3 (of those
 *                  that could be read), times (the trials' length over
 *                  the test's)^-1/4; min_lr = max_lr / 10. The
 *                  pipeline's default.
 *
 * Every definition, parameter and refusal is spelled out in
 * docs/range-test.md; the LRS_PICK_* constants below are its parameters.
 *
 * Everything here is pure: arrays and numbers in, numbers out. No I/O, no
 * globals, no allocation except the scratch that lrs_pick frees before it
 * returns; safe from any number of threads.
 *
 * Not here: running the test (rangetest.h), storing the bounds (store). */
#ifndef LRSWEEP_PICK_H
#define LRSWEEP_PICK_H

#include <stddef.h>

typedef enum {
	LRS_PICK_ACCURACY,
	LRS_PICK_LOSS_STEEPEST,
	LRS_PICK_LOSS_VALLEY,
	LRS_PICK_LOSS_MIN10,
	LRS_PICK_COMBINED,
	LRS_PICK__COUNT
} lrs_pick_rule;

/* ------------------------------------------------------------ parameters */

#define LRS_PICK_STOP_FACTOR  4.0   /* loss rules cut the curve where the
                                       smoothed loss exceeds this x its
                                       running minimum (the test's stop)  */
#define LRS_PICK_SKIP         0.10  /* loss rules skip this fraction of the
                                       usable points at the start (fastai) */
#define LRS_PICK_DESCENT      2.0   /* loss rules read the curve up to where
                                       the smoothed loss first exceeds this
                                       x its running minimum (the descent) */
#define LRS_PICK_MIN_POINTS   10    /* fewest loss points a loss rule reads */
#define LRS_PICK_MIN_FALL     0.05  /* a loss rule refuses unless the
                                       smoothed loss falls by this fraction
                                       of its level at the first kept point */
#define LRS_PICK_MIN_EVALS    5     /* fewest accuracy evaluations          */
#define LRS_PICK_ACC_LO       0.15  /* min_lr: accuracy crosses this
                                       fraction of its rise               */
#define LRS_PICK_ACC_HI       0.90  /* max_lr: accuracy crosses this
                                       fraction of its rise               */
#define LRS_PICK_MIN_RISE     0.02  /* accuracy rise below this (absolute)
                                       is "flat"                          */
#define LRS_PICK_RISE_NOISE   3.0   /* ... or below this x the noise      */
#define LRS_PICK_RAGGED       3.0   /* local scatter about the running median
                                       above this x the curve's quietest
                                       quarter is "ragged"                */
#define LRS_PICK_RAGGED_FLOOR 0.03  /* ... and above this fraction of the
                                       rise                               */
#define LRS_PICK_STILL_RISING 0.05 /* accuracy gaining more than this
                                       fraction of its rise over the last
                                       tenth of the evaluations is "still
                                       rising" (a caveat)                 */
#define LRS_PICK_ACC_RATIO    3.0   /* min_lr = max_lr / this when the
                                       accuracy rose before the test could
                                       see where (CLR paper's rule of thumb) */
#define LRS_PICK_DECADE       10.0  /* min_lr = max_lr / this, where a rule
                                       has no lower bound of its own      */
#define LRS_PICK_MIN_BACKOFF  3.0   /* combined reads the rate of the loss's
                                       minimum divided by this            */
#define LRS_PICK_HORIZON_POWER 0.25 /* combined's bounds x horizon^-this:
                                       a longer run trains best lower     */
#define LRS_PICK_HORIZON_CLAMP 10.0 /* ... the horizon read within
                                       [1/this, this]                     */

#define LRS_PICK_PROBE_END    1.0   /* the probe's linear range ends at
                                       this x the rate of its minimum loss */
#define LRS_PICK_PROBE_SPAN   100.0 /* ... and starts this many times lower */
#define LRS_PICK_PROBE_COLLAPSE 0.5 /* ... or at the accuracy's peak, when at
                                       the loss's minimum the accuracy has
                                       lost more than this fraction of its
                                       rise                               */
#define LRS_PICK_PROBE_SAMPLES  3.0 /* ... a rise and a fall of at least
                                       this many validation samples       */
#define LRS_PICK_PROBE_CHANCE   2.0 /* a probe whose smoothed loss stays
                                       above this many times a uniform
                                       guess's had not started to learn   */

/* ------------------------------------------------------------ types */

/* One range-test curve: point i is optimizer update i. The arrays belong to
 * the caller and are only read. */
typedef struct {
	const double *lr;            /* (n) rate of each update, increasing     */
	const double *loss;          /* (n) raw training loss; may end in
	                                NaN/inf where the run diverged          */
	const double *smoothed_loss; /* (n) bias-corrected EMA of loss (see
	                                lrs_pick_smooth)                        */
	const double *accuracy;      /* (n) validation accuracy, NAN where not
	                                evaluated; NULL = never evaluated       */
	size_t n;                    /* points                                  */
	int exponential;             /* 1: the ramp was geometric and rules
	                                work on log10(lr); 0: linear, on lr     */
	double stop_factor;          /* cut for the loss rules; <= 0 means
	                                LRS_PICK_STOP_FACTOR                    */
	double chance_loss;          /* a uniform guess's loss, ln(classes),
	                                read by lrs_pick_probe; 0: unknown      */
	double horizon;              /* the trials' updates over the ramp's
	                                (planned, not stopped early), read by
	                                combined; 0: unknown                    */
} lrs_pick_curve;

/* A rule's answer. When ok is 0 there is no pick and `why` says why (a
 * warning for the user); when ok is 1 `why` is "" or a caveat ("still
 * rising at the end of the test"). */
typedef struct {
	int ok;                /* 1 when min_lr/max_lr hold a pick            */
	double min_lr;         /* lower bound, or NAN                         */
	double max_lr;         /* upper bound, or NAN                         */
	char why[512];         /* reason for no pick, or a caveat, or ""      */
} lrs_pick_result;

/* ------------------------------------------------------------ functions */

/* The rule's name as SPEC spells it: "accuracy", "loss-steepest",
 * "loss-valley", "loss-min10". */
const char *lrs_pick_rule_name(lrs_pick_rule r);

/* Resolves a rule name. Returns 0, or LRS_EINVALID with a message listing
 * the valid names. */
int lrs_pick_rule_parse(lrs_pick_rule *out, const char *name);

/* The bias-corrected EMA of fastai and pytorch-lr-finder:
 * avg = beta*avg + (1-beta)*in[i], out[i] = avg / (1 - beta^(i+1)).
 * out may equal in. beta in [0, 1). A non-finite input makes every later
 * output non-finite, as in the test itself. */
void lrs_pick_smooth(double *out, const double *in, size_t n, double beta);

/* The point-by-point mean of `repeats` curves of n points each (callers
 * pass the shortest repeat's length): out[i] = mean of in[r][i]. NAN in any
 * repeat gives NAN (an accuracy point not evaluated everywhere is dropped;
 * a diverged repeat ends the mean). out may be one of the inputs. */
void lrs_pick_mean(double *out, const double *const *in, size_t repeats, size_t n);

/* Applies one rule to a curve; always fills `out`. */
void lrs_pick(lrs_pick_result *out, lrs_pick_rule rule, const lrs_pick_curve *c);

/* Applies every rule: out[r] is rule r's answer. */
void lrs_pick_all(lrs_pick_result out[LRS_PICK__COUNT], const lrs_pick_curve *c);

/* The order in which rules stand in for one that cannot pick: the rule the
 * experiment names first, then these (accuracy, loss-steepest, loss-min10,
 * loss-valley: their order on the bound-quality benchmark). */
extern const lrs_pick_rule lrs_pick_fallback[LRS_PICK__COUNT];

/* The rule whose bounds feed the trials: `preferred` when it picked, else
 * the first of lrs_pick_fallback that did. Returns the rule, or -1 when no
 * rule picked. */
int lrs_pick_choose(const lrs_pick_result picks[LRS_PICK__COUNT], lrs_pick_rule preferred);

/* Reads a short exponential probe and answers the range of the linear test
 * that follows it: max_lr = LRS_PICK_PROBE_END x the rate of the smoothed
 * loss's minimum on the descent (the loss rules' span), min_lr = max_lr /
 * LRS_PICK_PROBE_SPAN. When the probe evaluated the accuracy (at least 3
 * times up to that minimum) and, at the minimum, the accuracy has lost more
 * than LRS_PICK_PROBE_COLLAPSE of its rise from the first evaluation to
 * its peak (rise and fall each at least LRS_PICK_MIN_RISE and
 * LRS_PICK_PROBE_SAMPLES validation samples), the loss's minimum lies past
 * where the model learned -- a model whose initial loss is far above a
 * constant guess's (unnormalized features) "improves" by predicting one
 * class, or the smoothed loss lags a short probe: max_lr is then
 * LRS_PICK_PROBE_END x the rate of the accuracy's peak, and out->why says
 * so. Refuses like the loss rules. Returns LRS_PICK_PROBE_UNLEARNED when,
 * the guard silent, the smoothed loss's minimum is still above
 * LRS_PICK_PROBE_CHANCE x c->chance_loss (when known): the model has not
 * even come back to a uniform guess -- its loss only fell from a blown-up
 * start -- and a longer probe may see where it learns; the range is set
 * all the same, and out->why says so. Else returns 0. */
#define LRS_PICK_PROBE_UNLEARNED 1
int lrs_pick_probe(lrs_pick_result *out, const lrs_pick_curve *c);

/* The uncertainty of a rule's bounds from its per-repeat picks: the ratio
 * max/min of the per-repeat min_lr (and of max_lr) over the repeats that
 * picked. 1 means they all agree; 2 means they span a factor of two. Sets
 * both spreads to NAN when fewer than two repeats picked. Returns how many
 * repeats picked. */
size_t lrs_pick_spread(double *min_lr_spread, double *max_lr_spread,
                       const lrs_pick_result *per_repeat, size_t repeats);

#endif
