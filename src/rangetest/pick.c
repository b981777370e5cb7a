/* pick.c - the bound-picking rules of the LR range test (SPEC §4).
 *
 * Each rule reads one curve - the rates, the raw and smoothed loss and the
 * sparse validation accuracy of a range test - and answers min_lr and
 * max_lr, or refuses with a sentence for the user. The rules and the reasons
 * behind every parameter are in docs/range-test.md; this file follows it.
 *
 * Common ground of all rules:
 *   - everything from the first non-finite rate, loss or smoothed loss on is
 *     ignored (a diverged tail never poisons a pick);
 *   - the abscissa x is log10(lr) for an exponential ramp and lr for a
 *     linear one, so "steepest" and "interpolated" mean what the plot of
 *     the test shows.
 *
 * Pure: no I/O, no globals; the only allocation is scratch freed before
 * lrs_pick returns. Not here: running the test, storing or plotting. */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/pick.h"
#include "lrsweep/util.h"

static const char *const rule_names[LRS_PICK__COUNT] = {
	"accuracy", "loss-steepest", "loss-valley", "loss-min10", "combined"
};

/* ------------------------------------------------------------ names */

const char *lrs_pick_rule_name(lrs_pick_rule r)
{
	assert(r >= 0 && r < LRS_PICK__COUNT);
	return rule_names[r];
}

int lrs_pick_rule_parse(lrs_pick_rule *out, const char *name)
{
	const char *near;
	int r;

	assert(out && name);
	for (r = 0; r < LRS_PICK__COUNT; r++) {
		if (strcmp(name, rule_names[r]) == 0) {
			*out = (lrs_pick_rule)r;
			return 0;
		}
	}
	near = lrs_nearest_name(name, rule_names, LRS_PICK__COUNT);
	if (near)
		return lrs_error_set(LRS_EINVALID, "unknown pick rule '%s' (did you mean '%s'?); "
		                     "valid: combined, accuracy, loss-steepest, loss-valley, loss-min10", name, near);
	return lrs_error_set(LRS_EINVALID, "unknown pick rule '%s'; "
	                     "valid: combined, accuracy, loss-steepest, loss-valley, loss-min10", name);
}

/* ------------------------------------------------------------ curve helpers */

void lrs_pick_smooth(double *out, const double *in, size_t n, double beta)
{
	double avg = 0, decay = 1; /* EMA before correction; beta^(i+1) */
	size_t i;

	assert((out && in) || n == 0);
	assert(beta >= 0 && beta < 1);
	for (i = 0; i < n; i++) {
		avg = beta * avg + (1 - beta) * in[i];
		decay *= beta;
		out[i] = avg / (1 - decay);
	}
}

void lrs_pick_mean(double *out, const double *const *in, size_t repeats, size_t n)
{
	size_t i, r;

	assert(repeats > 0 && (out || n == 0));
	for (i = 0; i < n; i++) {
		double sum = 0;

		for (r = 0; r < repeats; r++)
			sum += in[r][i];
		out[i] = sum / (double)repeats; /* NAN/inf propagate */
	}
}

/* The abscissa of rate lr: log10 for an exponential ramp. */
static double x_of(const lrs_pick_curve *c, double lr)
{
	return c->exponential ? log10(lr) : lr;
}

/* The rate at abscissa x. */
static double lr_of(const lrs_pick_curve *c, double x)
{
	return c->exponential ? pow(10, x) : x;
}

/* The number of leading points whose rate, loss and smoothed loss are all
 * finite (and the rate positive, for an exponential ramp). */
static size_t finite_end(const lrs_pick_curve *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (!isfinite(c->lr[i]) || !isfinite(c->loss[i]) || !isfinite(c->smoothed_loss[i]))
			break;
		if (c->exponential && c->lr[i] <= 0)
			break;
	}
	return i;
}

/* Fills a "no pick" answer. */
static void refuse(lrs_pick_result *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void refuse(lrs_pick_result *out, const char *fmt, ...)
{
	va_list ap;

	out->ok = 0;
	out->min_lr = out->max_lr = NAN;
	va_start(ap, fmt);
	vsnprintf(out->why, sizeof out->why, fmt, ap);
	va_end(ap);
}

/* Fills a pick. */
static void accept(lrs_pick_result *out, double min_lr, double max_lr)
{
	out->ok = 1;
	out->min_lr = min_lr;
	out->max_lr = max_lr;
	out->why[0] = '\0';
}

/* ------------------------------------------------------------ loss rules */

/* The part of the curve the loss rules read: [start, end). */
typedef struct {
	size_t start;   /* first kept point (after the skipped head)     */
	size_t end;     /* one past the last usable point                */
	size_t descent; /* one past the last point the rules pick from: the
	                   first point above LRS_PICK_DESCENT x the running
	                   minimum since start, or end                   */
	size_t argmin;  /* the smoothed loss's minimum in [start, descent) */
} loss_span;

/* Finds the loss rules' span: the finite prefix, cut where the smoothed
 * loss exceeds stop_factor x its running minimum, minus the first
 * LRS_PICK_SKIP of it; and the descent within it, where the rules pick.
 * Refuses (returns -1) when fewer than
 * LRS_PICK_MIN_POINTS points remain or the loss does not fall by
 * LRS_PICK_MIN_FALL of its level at the first kept point. */
/* The first i in [from, to) where sm[i] exceeds factor x the running
 * minimum of sm[from..i), or `to`. A minimum at or below 0 never cuts. */
static size_t cut_above(const double *sm, size_t from, size_t to, double factor)
{
	double best = INFINITY;
	size_t i;

	for (i = from; i < to; i++) {
		if (best > 0 && isfinite(best) && sm[i] > factor * best)
			break;
		if (sm[i] < best)
			best = sm[i];
	}
	return i;
}

static int loss_span_find(loss_span *sp, lrs_pick_result *out, const lrs_pick_curve *c)
{
	const double *sm = c->smoothed_loss;
	double factor = c->stop_factor > 0 ? c->stop_factor : LRS_PICK_STOP_FACTOR;
	double level;                        /* the smoothed loss at start   */
	size_t fin = finite_end(c), end = cut_above(sm, 0, fin, factor), i;
	int cut = end < fin;                 /* 1 if stopped by the factor   */

	sp->end = end;
	sp->start = (size_t)((double)end * LRS_PICK_SKIP);
	if (end - sp->start < LRS_PICK_MIN_POINTS) {
		if (fin < c->n && !cut)
			refuse(out, "the loss turned non-finite at point %zu (lr %.3g): too few points "
			       "before it (%zu, need %d); lower start_lr or end_lr", fin, c->lr[fin],
			       end - sp->start, LRS_PICK_MIN_POINTS);
		else if (cut)
			refuse(out, "the loss exceeded %gx its minimum at point %zu (lr %.3g): too few "
			       "points before it (%zu, need %d); lower start_lr", factor, end,
			       c->lr[end], end - sp->start, LRS_PICK_MIN_POINTS);
		else
			refuse(out, "too few points: %zu after skipping the first %g%%, need %d",
			       end - sp->start, 100 * LRS_PICK_SKIP, LRS_PICK_MIN_POINTS);
		return -1;
	}
	sp->descent = cut_above(sm, sp->start, end, LRS_PICK_DESCENT);
	sp->argmin = sp->start;
	for (i = sp->start; i < sp->descent; i++)
		if (sm[i] < sm[sp->argmin])
			sp->argmin = i;
	level = sm[sp->start];
	if (level - sm[sp->argmin] < LRS_PICK_MIN_FALL * fabs(level)) {
		refuse(out, "the smoothed loss never falls %g%% below its level %.4g at lr %.3g: "
		       "flat or rising curve (widen the LR range)", 100 * LRS_PICK_MIN_FALL, level,
		       c->lr[sp->start]);
		return -1;
	}
	return 0;
}

/* What resolves the rates below a loss rule's first point, for a caveat. */
static const char *low_rates(const lrs_pick_curve *c)
{
	return c->exponential ? "lower start_lr" : "an exponential test resolves low rates";
}

/* The least-squares slope of smoothed loss against x over points [lo, hi]. */
static double slope(const lrs_pick_curve *c, size_t lo, size_t hi)
{
	double mx = 0, my = 0, sxy = 0, sxx = 0, k = (double)(hi - lo + 1);
	size_t i;

	for (i = lo; i <= hi; i++) {
		mx += x_of(c, c->lr[i]);
		my += c->smoothed_loss[i];
	}
	mx /= k;
	my /= k;
	for (i = lo; i <= hi; i++) {
		double dx = x_of(c, c->lr[i]) - mx;

		sxy += dx * (c->smoothed_loss[i] - my);
		sxx += dx * dx;
	}
	return sxx > 0 ? sxy / sxx : 0;
}

/* loss-steepest's window around point i of the span: [lo, hi]. */
static void steep_window(size_t *lo, size_t *hi, const loss_span *sp, size_t h, size_t i)
{
	*lo = i >= sp->start + h ? i - h : sp->start;
	*hi = i + h < sp->end ? i + h : sp->end - 1;
}

/* Running sums of a sliding window over the centred points of the span,
 * and what bounds their rounding error. slope() is two passes over its
 * window, O(h) a point; these sums give every window's slope in O(1), only
 * approximately, with a bound on the difference from slope()'s. */
typedef struct {
	const double *X, *Y;       /* (m) x and smoothed loss less their means  */
	size_t lo, hi;             /* the window [lo, hi), span-relative        */
	double sx, sy, sxx, sxy, syy; /* sums of X, Y, X^2, XY, Y^2 over it      */
	double e1, e2, ey, exy;    /* bounds on the error of sx, sxx, sy, sxy/syy */
	double mx, my;             /* max |x|, max |loss| on the span           */
	double gk;                 /* (ops + a few) x unit roundoff, ops <= 2m  */
} steep_sums;

/* Moves s's window to [lo, hi) (both no lower than before). */
static void steep_slide(steep_sums *s, size_t lo, size_t hi)
{
	for (; s->hi < hi; s->hi++) {
		double X = s->X[s->hi], Y = s->Y[s->hi];

		s->sx += X; s->sy += Y; s->sxx += X * X; s->sxy += X * Y; s->syy += Y * Y;
	}
	for (; s->lo < lo; s->lo++) {
		double X = s->X[s->lo], Y = s->Y[s->lo];

		s->sx -= X; s->sy -= Y; s->sxx -= X * X; s->sxy -= X * Y; s->syy -= Y * Y;
	}
}

/* The window's slope from s's sums, and in *err a bound on its distance
 * from slope()'s answer on the same window (both rounded; INFINITY when
 * the sums cannot tell). Each sum of terms t over <= 2m additions and
 * removals is off by at most gk sum|t| over the span (the e*); the
 * centred products then lose the first order of those errors; slope()'s
 * own rounding is gamma_k (|sum dx dy| + |slope| sum dx^2), its means'
 * error second order. */
static double steep_approx(const steep_sums *s, double *err)
{
	const double u = 0x1p-53;
	double k = (double)(s->hi - s->lo);
	double n = s->sxy - s->sx * s->sy / k, d = s->sxx - s->sx * s->sx / k;
	double dyy = s->syy - s->sy * s->sy / k;
	double ax = fabs(s->sx) + s->e1, ay = fabs(s->sy) + s->ey;
	double en = s->exy + (ax * s->ey + ay * s->e1) / k + 4 * u * (fabs(s->sxy) + ax * ay / k);
	double ed = s->e2 + 2 * ax * s->e1 / k + 4 * u * (s->sxx + ax * ax / k);
	double eyy = s->exy + 2 * ay * s->ey / k + 4 * u * (s->syy + ay * ay / k);
	double sl, gk = 1.01 * (k + 4) * u, dmx, dmy, e_own, e_sums;

	if (!(d - ed > 0)) {
		*err = INFINITY;
		return 0;
	}
	sl = n / d;
	dmx = gk * s->mx;     /* slope()'s error on its means */
	dmy = gk * s->my;
	e_sums = (en + fabs(sl) * ed) / (d - ed) + 2 * u * fabs(sl);
	e_own = (gk * (sqrt((d + ed) * (fmax(dyy, 0) + eyy)) + fabs(sl) * (d + ed))
	         + k * dmx * (dmy + fabs(sl) * dmx) + 4 * u * fabs(sl) * (d + ed)) / (d - ed);
	*err = 2 * (e_sums + e_own) + 1e-6 * fabs(sl);
	return sl;
}

/* loss-steepest's index and slope, by slope() on every point of the
 * descent: O(span x h). */
static size_t steepest_exact(double *best_slope, const lrs_pick_curve *c, const loss_span *sp,
                             size_t h, const unsigned char *only)
{
	size_t i, lo, hi, best = 0;

	*best_slope = INFINITY;
	for (i = sp->start; i < sp->descent; i++) {
		double s;

		if (only && !only[i - sp->start])
			continue;
		steep_window(&lo, &hi, sp, h, i);
		s = slope(c, lo, hi);
		if (s < *best_slope) {
			*best_slope = s;
			best = i;
		}
	}
	return best;
}

/* The same answer, bit for bit, in O(span): every window's slope
 * approximately from running sums (steep_approx), then slope() only on
 * the points whose approximate slope is within both error bounds of the
 * least - the exact steepest is among them - in index order with the same
 * strict <. A flat or straight curve makes every point a candidate, and
 * that is the exact scan. Any non-finite sum, or no memory, scans
 * exactly. */
static size_t steepest(double *best_slope, const lrs_pick_curve *c, const loss_span *sp, size_t h)
{
	const double u = 0x1p-53;
	size_t m = sp->end - sp->start, nd = sp->descent - sp->start, i, lo, hi, best;
	double *X = malloc(2 * m * sizeof *X), cx = 0, cy = 0; /* X then Y; their centres */
	double tx = 0, ty = 0, txx = 0, txy = 0, tyy = 0;  /* sums of |X|, |Y|, X^2, |XY|, Y^2 */
	double ax = 0, ay = 0;     /* max |X|, max |Y|                        */
	double thr = INFINITY;     /* the least approximate slope + its bound */
	unsigned char *cand = malloc(nd ? nd : 1);
	steep_sums s = { 0 };
	int finite = X && cand;

	for (i = 0; finite && i < m; i++) {
		cx += x_of(c, c->lr[sp->start + i]);
		cy += c->smoothed_loss[sp->start + i];
	}
	cx /= (double)m;
	cy /= (double)m;
	for (i = 0; finite && i < m; i++) {
		double x = x_of(c, c->lr[sp->start + i]), y = c->smoothed_loss[sp->start + i];

		X[i] = x - cx;
		X[m + i] = y - cy;
		tx += fabs(X[i]);
		ty += fabs(X[m + i]);
		txx += X[i] * X[i];
		txy += fabs(X[i] * X[m + i]);
		tyy += X[m + i] * X[m + i];
		s.mx = fmax(s.mx, fabs(x));
		s.my = fmax(s.my, fabs(y));
		ax = fmax(ax, fabs(X[i]));
		ay = fmax(ay, fabs(X[m + i]));
	}
	if (finite) {
		double g = 1.01 * (2 * (double)m + 8) * u, dm = (double)m;

		s.X = X;
		s.Y = X + m;
		/* the sums' rounding, then what rounding X and Y (by u|X|, u|Y|
		 * each) moves the centred sums by */
		s.e1 = g * tx;
		s.ey = g * ty;
		s.e2 = g * txx + 4 * u * dm * ax * ax;
		s.exy = g * (txy + tyy) + 4 * u * dm * (ax * ay + ay * ay);
		finite = isfinite(s.e1 + s.ey + s.e2 + s.exy);
	}
	for (int pass = 0; pass < 2 && finite; pass++) {
		s.lo = s.hi = 0;
		s.sx = s.sy = s.sxx = s.sxy = s.syy = 0;
		for (i = 0; i < nd; i++) {
			double a, e;

			steep_window(&lo, &hi, sp, h, sp->start + i);
			steep_slide(&s, lo - sp->start, hi + 1 - sp->start);
			a = steep_approx(&s, &e);
			if (!isfinite(a) || isnan(e)) {
				finite = 0;
				break;
			}
			if (pass == 0)
				thr = fmin(thr, a + e);
			else
				cand[i] = a - e <= thr;
		}
	}
	best = steepest_exact(best_slope, c, sp, h, finite ? cand : NULL);
	free(X);
	free(cand);
	return best;
}

/* loss-steepest: max_lr at the most negative slope of the smoothed loss
 * among the points before sp.descent (once the loss has doubled its
 * running minimum, a fall is recovery from a blow-up), each slope a least-squares
 * fit over +-h points of the span (h = max(2, span/20)); min_lr one decade
 * below. */
static void pick_steepest(lrs_pick_result *out, const lrs_pick_curve *c)
{
	loss_span sp;
	size_t h, best;
	double best_slope;

	if (loss_span_find(&sp, out, c) < 0)
		return;
	h = (sp.end - sp.start) / 20;
	if (h < 2)
		h = 2;
	best = steepest(&best_slope, c, &sp, h);
	if (!(best_slope < 0)) {
		refuse(out, "the smoothed loss never falls (flat or rising curve)");
		return;
	}
	accept(out, c->lr[best] / LRS_PICK_DECADE, c->lr[best]);
	if (best < sp.start + h)  /* its slope window reaches the span's start */
		snprintf(out->why, sizeof out->why, "steepest %s the first point the rule reads "
		         "(lr %.3g; it skips the first %g%% of the test): the steepest fall may lie "
		         "below it (%s)", best == sp.start ? "at" : "next to", c->lr[sp.start],
		         100 * LRS_PICK_SKIP, low_rates(c));
}

/* loss-valley: fastai's valley. lds[i] is the length of the longest
 * strictly decreasing subsequence of the smoothed loss ending at i, for i
 * before sp.descent (as for loss-steepest); the
 * valley ends at the first i with the largest lds and starts at that
 * subsequence's first point (fastai: end - lds, the same point less one on
 * a clean curve, but later on a noisy one); with len = end - start the pick
 * is start + floor(len/3) + floor(len/6), as fastai's code computes it.
 * min_lr = lr at the valley's start, but no lower than max_lr / 10.
 * O(n log n) by patience sorting. */
static void pick_valley(lrs_pick_result *out, const lrs_pick_curve *c)
{
	const double *sm = c->smoothed_loss;
	loss_span sp;
	double *tails = NULL;     /* tails[k]: the largest last value of a
	                             decreasing subsequence of length k+1     */
	size_t *tail_at, *prev;   /* its index; each point's predecessor     */
	size_t len = 0, i, end_i = 0, best_len = 0, start_i, idx, m;
	double sections, min_lr, max_lr;

	if (loss_span_find(&sp, out, c) < 0)
		return;
	m = sp.descent - sp.start;
	tails = malloc(m * (sizeof *tails + 2 * sizeof *tail_at));
	if (!tails) {
		refuse(out, "out of memory");
		return;
	}
	tail_at = (size_t *)(tails + m);
	prev = tail_at + m;
	for (i = sp.start; i < sp.descent; i++) {
		size_t lo = 0, hi = len;  /* first k with tails[k] <= sm[i] */

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (tails[mid] > sm[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		tails[lo] = sm[i];
		tail_at[lo] = i;
		prev[i - sp.start] = lo > 0 ? tail_at[lo - 1] : i;
		if (lo == len)
			len++;
		if (lo + 1 > best_len) {  /* lds[i] = lo + 1; first maximum wins */
			best_len = lo + 1;
			end_i = i;
		}
	}
	for (start_i = end_i; prev[start_i - sp.start] != start_i; start_i = prev[start_i - sp.start])
		;
	free(tails);
	if (best_len < 3) {
		refuse(out, "no valley: the smoothed loss never falls for 3 points");
		return;
	}
	sections = (double)(end_i - start_i) / 3;
	idx = start_i + (size_t)sections + (size_t)(sections / 2);
	max_lr = c->lr[idx];
	min_lr = c->lr[start_i];
	if (!(min_lr >= max_lr / LRS_PICK_DECADE && min_lr < max_lr))
		min_lr = max_lr / LRS_PICK_DECADE;
	accept(out, min_lr, max_lr);
	if (start_i == sp.start)
		snprintf(out->why, sizeof out->why, "the valley starts at the first point the rule "
		         "reads (lr %.3g; it skips the first %g%% of the test): the loss was falling "
		         "before it (%s)", c->lr[sp.start], 100 * LRS_PICK_SKIP, low_rates(c));
}

/* The rate of the smoothed loss's minimum on the loss rules' span, in
 * out->max_lr (out->min_lr = max_lr / 10), with the caveat when the
 * minimum is the last point of a test that ran to its end. Refuses like
 * the loss rules. */
static void loss_minimum(lrs_pick_result *out, const lrs_pick_curve *c)
{
	loss_span sp;
	double lr;

	if (loss_span_find(&sp, out, c) < 0)
		return;
	lr = c->lr[sp.argmin];
	accept(out, lr / LRS_PICK_DECADE, lr);
	if (sp.argmin == sp.end - 1 && sp.end == c->n)
		snprintf(out->why, sizeof out->why, "the loss was still falling at the end of the "
		         "test: its minimum may lie beyond end_lr");
}

/* loss-min10: max_lr = lr of the minimum smoothed loss / 10, min_lr one
 * decade lower. */
static void pick_min10(lrs_pick_result *out, const lrs_pick_curve *c)
{
	loss_minimum(out, c);
	if (out->ok) {
		out->max_lr /= 10;
		out->min_lr = out->max_lr / LRS_PICK_DECADE;
	}
}

/* ------------------------------------------------------------ accuracy rule */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The x where s first reaches `level` after index `from` (s[from] < level,
 * some s[k] >= level for k <= to), linearly interpolated. */
static double crossing(const double *s, const double *x, size_t from, size_t to, double level)
{
	size_t k;

	for (k = from + 1; k <= to; k++)
		if (s[k] >= level)
			return x[k - 1] + (level - s[k - 1]) / (s[k] - s[k - 1]) * (x[k] - x[k - 1]);
	return x[to];
}

/* The index of the largest s in [0, end), first on ties. */
static size_t argmax(const double *s, size_t end)
{
	size_t k, best = 0;

	for (k = 1; k < end; k++)
		if (s[k] > s[best])
			best = k;
	return best;
}

/* The index of the smallest s in [0, end], first on ties. */
static size_t argmin_to(const double *s, size_t end)
{
	size_t k, best = 0;

	for (k = 1; k <= end; k++)
		if (s[k] < s[best])
			best = k;
	return best;
}

/* The median of v[0..n) (n odd or even: the lower middle), sorting v. */
static double median_of(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return v[(n - 1) / 2];
}

/* The evaluated points of a curve and the accuracy rule's working arrays,
 * (m) each, in one allocation (x). */
typedef struct {
	size_t m;                  /* evaluations with a finite accuracy        */
	size_t h;                  /* half width of the running windows         */
	double *x;                 /* (m) where each was made (x_of its lr)     */
	double *a;                 /* (m) its accuracy                          */
	double *med;               /* (m) running median of a                   */
	double *s;                 /* (m) med smoothed by the hanning weights   */
	double *rho;               /* (m) scatter of a about med                */
	double *tmp;               /* (m) scratch                               */
} acc_curve;

/* What the rule measured and decided. */
typedef struct {
	size_t p, lo;              /* the peak of s and the low before it       */
	size_t r;                  /* the ragged onset, or m: none              */
	double rise;               /* s[p] - s[lo]                              */
	double x_lo, x_hi;         /* min_lr and max_lr, as x                   */
	int unseen;                /* the rise began before the 2nd evaluation  */
	int third, gap;            /* min_lr became max_lr / 3; the 2nd rate    */
} acc_pick;

/* The evaluated points of c into k; -1 (out refused) when there are too
 * few or no memory. */
static int acc_load(lrs_pick_result *out, acc_curve *k, const lrs_pick_curve *c)
{
	size_t fin = finite_end(c), m = 0, i, j;

	if (c->accuracy)
		for (i = 0; i < fin; i++)
			m += isfinite(c->accuracy[i]) != 0;
	if (m < LRS_PICK_MIN_EVALS) {
		refuse(out, "only %zu accuracy evaluation%s%s (need %d): lower eval_every or "
		       "lengthen the test", m, m == 1 ? "" : "s",
		       fin < c->n ? " before the loss diverged" : "", LRS_PICK_MIN_EVALS);
		return -1;
	}
	if (!(k->x = malloc(6 * m * sizeof *k->x))) {
		refuse(out, "out of memory");
		return -1;
	}
	k->m = m;
	k->h = m / 20 > 1 ? m / 20 : 1;
	k->a = k->x + m;
	k->med = k->a + m;
	k->s = k->med + m;
	k->rho = k->s + m;
	k->tmp = k->rho + m;
	for (i = 0, j = 0; i < fin; i++) {
		if (isfinite(c->accuracy[i])) {
			k->x[j] = x_of(c, c->lr[i]);
			k->a[j++] = c->accuracy[i];
		}
	}
	return 0;
}

/* 1. smoothing: running median, then hanning. */
static void acc_smooth(acc_curve *k)
{
	size_t m = k->m;

	for (size_t i = 0; i < m; i++) {
		size_t j = k->h;

		if (j > i)
			j = i;
		if (j > m - 1 - i)
			j = m - 1 - i;
		memcpy(k->tmp, k->a + i - j, (2 * j + 1) * sizeof *k->tmp);
		k->med[i] = median_of(k->tmp, 2 * j + 1);
	}
	k->s[0] = k->med[0];
	k->s[m - 1] = k->med[m - 1];
	for (size_t i = 1; i + 1 < m; i++)
		k->s[i] = 0.25 * k->med[i - 1] + 0.5 * k->med[i] + 0.25 * k->med[i + 1];
}

/* 2. noise: sigma0 from the second differences; the scatter rho about the
 * median, and rho0 its lower quartile. */
static void acc_noise(acc_curve *k, double *sigma0, double *rho0)
{
	size_t m = k->m, h = k->h;
	const double *a = k->a, *med = k->med;

	for (size_t i = 1; i + 1 < m; i++)
		k->tmp[i - 1] = fabs(a[i - 1] - 2 * a[i] + a[i + 1]);
	qsort(k->tmp, m - 2, sizeof *k->tmp, cmp_double);
	*sigma0 = k->tmp[(m - 2) / 4] / (0.31864 * sqrt(6)); /* |N(0,1)|'s quartile */
	for (size_t i = 0; i < m; i++) {
		size_t j0 = i >= h ? i - h : 0, j1 = i + h < m ? i + h : m - 1;
		double sum = 0;

		for (size_t j = j0; j <= j1; j++)
			sum += (a[j] - med[j]) * (a[j] - med[j]);
		k->rho[i] = sqrt(sum / (double)(j1 - j0 + 1));
		k->tmp[i] = k->rho[i];
	}
	qsort(k->tmp, m, sizeof *k->tmp, cmp_double);
	*rho0 = k->tmp[m / 4];
}

/* 3. the rise of s over [0, end): its peak, the low before it. */
static void acc_rise(acc_pick *q, const acc_curve *k, size_t end)
{
	q->p = argmax(k->s, end);
	q->lo = argmin_to(k->s, q->p);
	q->rise = k->s[q->p] - k->s[q->lo];
}

/* 5. the first evaluation at or after x_lo whose scatter passes `limit`,
 * or m. */
static size_t acc_ragged_from(const acc_curve *k, size_t lo, double x_lo, double limit)
{
	size_t r;

	for (r = lo; r < k->m && k->x[r] < x_lo; r++)
		;
	for (; r < k->m; r++)
		if (k->rho[r] > limit)
			return r;
	return k->m;
}

/* 7. the rise began before the second evaluation: the paper's max_lr / 3,
 * but never inside the gap between the first two evaluations, where
 * nothing was measured. max_lr is past that gap unless the curve falls
 * right after its first rise: the hanning weights put s[1] at most 3/4 of
 * the way from s[0] to the largest running median. */
static void acc_unseen(acc_pick *q, const acc_curve *k, const lrs_pick_curve *c)
{
	double x_third = x_of(c, lr_of(c, q->x_hi) / LRS_PICK_ACC_RATIO);

	if (x_third > q->x_lo) {
		q->x_lo = x_third;
		q->third = 1;
	}
	if (q->x_lo < k->x[1] && k->x[1] < q->x_hi) {
		q->x_lo = k->x[1];
		q->gap = 1;
	}
}

/* The accepted pick's caveat, if it has one. */
static void acc_note(lrs_pick_result *out, const acc_pick *q, const acc_curve *k, const lrs_pick_curve *c)
{
	size_t m = k->m;
	const double *s = k->s;

	if (q->unseen) {
		char then[96] = "";   /* what min_lr became */

		if (q->gap)
			snprintf(then, sizeof then, ": min_lr = that rate, not max_lr / %g below it (a "
			         "lower eval_every measures lower rates)", LRS_PICK_ACC_RATIO);
		else if (q->third)
			snprintf(then, sizeof then, ": min_lr = max_lr / %g", LRS_PICK_ACC_RATIO);
		snprintf(out->why, sizeof out->why, "%.0f%% of the accuracy's rise came before the "
		         "evaluation at lr %.3g, so where it began was not measured%s",
		         100 * (s[1] - s[0]) / q->rise, lr_of(c, k->x[1]), then);
	} else if (q->r < m)
		snprintf(out->why, sizeof out->why, "the accuracy turns ragged from lr %.3g on: "
		         "max_lr is %.0f%% of its rise before that", lr_of(c, k->x[q->r]),
		         100 * LRS_PICK_ACC_HI);
	else if (q->p == m - 1 && s[m - 1] - s[m - 1 - m / 10] > LRS_PICK_STILL_RISING * q->rise)
		snprintf(out->why, sizeof out->why, "the accuracy was still rising at its last "
		         "evaluation: max_lr may be low (raise end_lr)");
}

/* accuracy: the CLR paper's rule on the evaluated points.
 *   1. med = running median of the accuracy over +-j evaluations,
 *      j = min(h, k, m-1-k), h = max(1, m/20) (symmetric, shrinking at the
 *      ends so that the end points stay put); s = med smoothed by the
 *      hanning weights 1/4 1/2 1/4. A median follows a sharp rise exactly
 *      (on a monotone stretch it is the curve itself), and ignores a lone
 *      outlier; the hanning pass removes its steps.
 *   2. noise: sigma0 from the second differences of the raw accuracy (lower
 *      quartile of |d| / (0.31864 sqrt 6)); scatter rho_k = rms of a - med
 *      over +-h, rho0 its lower quartile over the curve.
 *   3. peak p = argmax s; low = argmin s up to p; rise R = s[p] - s[low];
 *      refuse when R < max(MIN_RISE, RISE_NOISE sigma0).
 *   4. min_lr where s first crosses low + ACC_LO R (interpolated in x).
 *   5. ragged onset r = the first evaluation at or after min_lr with
 *      rho_k > max(RAGGED rho0, RAGGED_FLOOR R); if there is one, p, low
 *      and R are recomputed on s[0, r) (refusing if R is now too small).
 *   6. max_lr where s first crosses low + ACC_HI R (interpolated in x).
 *   7. When more than ACC_LO of the rise happened between the first two
 *      evaluations, the test did not see where the rise began: min_lr =
 *      max(its crossing, max_lr / ACC_RATIO), raised to the second
 *      evaluation's rate if it lies below it (between the first two
 *      evaluations nothing was measured), with a caveat. */
static void pick_accuracy(lrs_pick_result *out, const lrs_pick_curve *c)
{
	acc_curve k;
	acc_pick q = { 0 };
	double sigma0, rho0, need;

	if (acc_load(out, &k, c) < 0)
		return;
	acc_smooth(&k);
	acc_noise(&k, &sigma0, &rho0);

	/* 3. the rise */
	need = fmax(LRS_PICK_MIN_RISE, LRS_PICK_RISE_NOISE * sigma0);
	acc_rise(&q, &k, k.m);
	if (q.rise < need && need > LRS_PICK_MIN_RISE) {
		/* the noise set the bar (a small validation set, a trainer's
		 * noisy accuracy): say so, "need 1.24" alone reads as nonsense */
		refuse(out, "the smoothed accuracy never rises by more than %.3g (need %.3g, %g times its noise "
		       "between evaluations): flat, falling or noisy curve (widen the LR range, or evaluate on "
		       "more validation samples)", q.rise, need, LRS_PICK_RISE_NOISE);
		goto done;
	}
	if (q.rise < need) {
		refuse(out, "the smoothed accuracy never rises by more than %.3g (need %.3g): "
		       "flat or falling curve (widen the LR range)", q.rise, need);
		goto done;
	}

	/* 4. min_lr; 5. raggedness from there on */
	q.x_lo = crossing(k.s, k.x, q.lo, q.p, k.s[q.lo] + LRS_PICK_ACC_LO * q.rise);
	q.unseen = q.lo == 0 && k.s[1] >= k.s[0] + LRS_PICK_ACC_LO * q.rise;
	q.r = acc_ragged_from(&k, q.lo, q.x_lo, fmax(LRS_PICK_RAGGED * rho0, LRS_PICK_RAGGED_FLOOR * q.rise));
	if (q.r == 0) {
		refuse(out, "the accuracy is ragged from its first evaluation");
		goto done;
	}
	if (q.r < k.m) {
		acc_rise(&q, &k, q.r);
		if (q.rise < need) {
			refuse(out, "the accuracy turns ragged at lr %.3g before it rises by %.3g",
			       lr_of(c, k.x[q.r]), need);
			goto done;
		}
	}

	/* 6. max_lr from the rise before r; min_lr stays that of the whole
	 * rise (raggedness later on does not move where the rise began) */
	q.x_hi = crossing(k.s, k.x, q.lo, q.p, k.s[q.lo] + LRS_PICK_ACC_HI * q.rise);
	if (q.unseen)
		acc_unseen(&q, &k, c);
	if (!(q.x_lo < q.x_hi)) {
		refuse(out, "the accuracy's rise is not resolved: it spans less than one "
		       "evaluation (lower eval_every)");
		goto done;
	}
	accept(out, lr_of(c, q.x_lo), lr_of(c, q.x_hi));
	acc_note(out, &q, &k, c);
done:
	free(k.x);
}

/* ------------------------------------------------------------ combined rule */

/* The readings of combined that failed, each with its reason, readings
 * failing for the same reason named together: "loss-steepest and loss
 * minimum: the smoothed loss never falls ...". */
static void combined_missing(char *buf, size_t size, const lrs_pick_result r[3], const char *const names[3])
{
	size_t len = 0;

	buf[0] = '\0';
	for (int k = 0; k < 3 && len < size; k++) {
		int same = -1;

		if (r[k].ok)
			continue;
		for (int j = 0; j < k && same < 0; j++)
			if (!r[j].ok && !strcmp(r[j].why, r[k].why))
				same = j;
		if (same >= 0)
			continue;   /* named with the first reading of that reason */
		len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "; " : "", names[k]);
		for (int j = k + 1; j < 3 && len < size; j++)
			if (!r[j].ok && !strcmp(r[j].why, r[k].why))
				len += (size_t)snprintf(buf + len, size - len, " and %s", names[j]);
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, ": %s", r[k].why);
	}
}

/* The factor on combined's bounds for trials c->horizon times the ramp's
 * length: horizon^-LRS_PICK_HORIZON_POWER, the horizon read within
 * [1/LRS_PICK_HORIZON_CLAMP, LRS_PICK_HORIZON_CLAMP]; 1 when unknown. A
 * test reads how fast a rate trains over its few hundred updates; a run
 * many times longer does best at a lower one, a shorter run at a higher. */
static double horizon_factor(const lrs_pick_curve *c)
{
	double h = c->horizon;

	if (!(h > 0) || !isfinite(h))
		return 1;
	h = fmin(fmax(h, 1 / LRS_PICK_HORIZON_CLAMP), LRS_PICK_HORIZON_CLAMP);
	return pow(h, -LRS_PICK_HORIZON_POWER);
}

/* Three readings of one test, each with its own noise: where the accuracy
 * stops rising (the paper's max_lr), where the loss falls fastest, and
 * where the loss stops falling (its minimum) backed off by
 * LRS_PICK_MIN_BACKOFF. The combined max_lr is the geometric mean of those
 * that could be read, scaled for the trials' length (horizon_factor); the
 * range below it is a decade, as the loss rules'. Refuses when none
 * could. */
static void pick_combined(lrs_pick_result *out, const lrs_pick_curve *c)
{
	static const char *const names[3] = { "accuracy", "loss-steepest", "loss minimum" };
	lrs_pick_result r[3];
	double log_sum = 0;       /* sum of log(max_lr) over the readings */
	char missing[sizeof out->why - 48];   /* room for "from N of its 3 readings ()" */
	int k, read = 0;

	lrs_pick(&r[0], LRS_PICK_ACCURACY, c);
	lrs_pick(&r[1], LRS_PICK_LOSS_STEEPEST, c);
	loss_minimum(&r[2], c);
	if (r[2].ok)
		r[2].max_lr /= LRS_PICK_MIN_BACKOFF;
	for (k = 0; k < 3; k++) {
		if (r[k].ok) {
			log_sum += log(r[k].max_lr);
			read++;
		}
	}
	combined_missing(missing, sizeof missing, r, names);
	if (read == 0) {
		refuse(out, "%s", missing);
		return;
	}
	double f = horizon_factor(c), max_lr = exp(log_sum / read) * f;
	size_t len = 0;

	accept(out, max_lr / LRS_PICK_DECADE, max_lr);
	if (read < 3)
		len = (size_t)snprintf(out->why, sizeof out->why, "from %d of its 3 readings (%s)", read, missing);
	if (fabs(f - 1) >= 0.005 && len < sizeof out->why) {   /* said when it shows at 2 decimals */
		double h = fmin(fmax(c->horizon, 1 / LRS_PICK_HORIZON_CLAMP), LRS_PICK_HORIZON_CLAMP);
		len += (size_t)snprintf(out->why + len, sizeof out->why - len, "%sscaled x%.2f for trials %.2gx the "
		                        "test's length", len ? "; " : "", f, c->horizon);
		if (h != c->horizon && len < sizeof out->why)   /* clamped: the factor is read at the clamp */
			snprintf(out->why + len, sizeof out->why - len, " (read as %gx)", h);
	}
}

/* ------------------------------------------------------------ the probe */

/* The smallest step between two of the probe's accuracies over points
 * [0, end): one validation sample (accuracies are counts over the same
 * samples), or more when no two evaluations differ by one. INFINITY when
 * all agree. */
static double probe_quantum(const lrs_pick_curve *c, size_t end)
{
	double q = INFINITY;

	for (size_t i = 0; i < end; i++)
		for (size_t j = i + 1; isfinite(c->accuracy[i]) && j < end; j++) {
			double d = fabs(c->accuracy[j] - c->accuracy[i]);

			if (isfinite(d) && d > 1e-12 && d < q)
				q = d;
		}
	return q;
}

/* The probe's accuracy guard: the index of the accuracy's peak among the
 * evaluations up to point `argmin`, when at argmin (its last evaluation)
 * the accuracy has lost more than LRS_PICK_PROBE_COLLAPSE of its rise from
 * the first evaluation to that peak; else -1. Needs 3 evaluations, and a
 * rise and a fall of at least LRS_PICK_MIN_RISE and of
 * LRS_PICK_PROBE_SAMPLES validation samples. An evaluation after the
 * update that made the loss non-finite is not read. *fallen is the
 * accuracy at that last evaluation. */
static long probe_collapse(const lrs_pick_curve *c, size_t argmin, double *fallen)
{
	long first = -1, peak = -1, last = -1;
	size_t end = argmin + 1, fin = finite_end(c);
	int evals = 0;

	if (!c->accuracy)
		return -1;
	if (end == fin && fin < c->n)
		end--;
	for (size_t i = 0; i < end && i < c->n; i++) {
		if (!isfinite(c->accuracy[i]))
			continue;
		if (first < 0)
			first = (long)i;
		if (peak < 0 || c->accuracy[i] > c->accuracy[peak])
			peak = (long)i;
		last = (long)i;
		evals++;
	}
	if (evals < 3 || peak == last)
		return -1;
	double need = fmax(LRS_PICK_MIN_RISE, LRS_PICK_PROBE_SAMPLES * probe_quantum(c, end));
	double rise = c->accuracy[peak] - c->accuracy[first], fall = c->accuracy[peak] - c->accuracy[last];
	if (!(rise >= need && fall >= need))
		return -1;
	*fallen = c->accuracy[last];
	return fall > LRS_PICK_PROBE_COLLAPSE * rise ? peak : -1;
}

int lrs_pick_probe(lrs_pick_result *out, const lrs_pick_curve *c)
{
	loss_span sp;
	double end_lr, fallen;
	long peak;

	assert(out && c && c->exponential);
	memset(out, 0, sizeof *out);
	if (loss_span_find(&sp, out, c) < 0)
		return 0;
	if ((peak = probe_collapse(c, sp.argmin, &fallen)) >= 0) {
		end_lr = LRS_PICK_PROBE_END * c->lr[peak];
		accept(out, end_lr / LRS_PICK_PROBE_SPAN, end_lr);
		snprintf(out->why, sizeof out->why, "the probe's accuracy peaks there (%.3g at lr %.3g) and "
		         "had fallen to %.3g where its smoothed loss is lowest (lr %.3g)", c->accuracy[peak],
		         c->lr[peak], fallen, c->lr[sp.argmin]);
		return 0;
	}
	end_lr = LRS_PICK_PROBE_END * c->lr[sp.argmin];
	accept(out, end_lr / LRS_PICK_PROBE_SPAN, end_lr);
	if (c->chance_loss > 0 && c->smoothed_loss[sp.argmin] > LRS_PICK_PROBE_CHANCE * c->chance_loss) {
		snprintf(out->why, sizeof out->why, "the probe's smoothed loss is lowest at lr %.3g, at %.4g, over %gx a "
		         "uniform guess's %.4g: the model had not started to learn", c->lr[sp.argmin],
		         c->smoothed_loss[sp.argmin], LRS_PICK_PROBE_CHANCE, c->chance_loss);
		return LRS_PICK_PROBE_UNLEARNED;
	}
	if (sp.argmin == sp.end - 1 && sp.end == c->n)
		snprintf(out->why, sizeof out->why, "the probe's loss is lowest there, still falling at its end (lr %.3g)",
		         c->lr[c->n - 1]);
	return 0;
}

/* ------------------------------------------------------------ all rules */

void lrs_pick(lrs_pick_result *out, lrs_pick_rule rule, const lrs_pick_curve *c)
{
	assert(out && c);
	assert(c->n == 0 || (c->lr && c->loss && c->smoothed_loss));
	memset(out, 0, sizeof *out);
	switch (rule) {
	case LRS_PICK_ACCURACY:      pick_accuracy(out, c); break;
	case LRS_PICK_LOSS_STEEPEST: pick_steepest(out, c); break;
	case LRS_PICK_LOSS_VALLEY:   pick_valley(out, c); break;
	case LRS_PICK_LOSS_MIN10:    pick_min10(out, c); break;
	case LRS_PICK_COMBINED:      pick_combined(out, c); break;
	default: assert(!"unknown pick rule"); refuse(out, "unknown rule"); break;
	}
}

void lrs_pick_all(lrs_pick_result out[LRS_PICK__COUNT], const lrs_pick_curve *c)
{
	int r;

	for (r = 0; r < LRS_PICK__COUNT; r++)
		lrs_pick(&out[r], (lrs_pick_rule)r, c);
}

const lrs_pick_rule lrs_pick_fallback[LRS_PICK__COUNT] = {
	LRS_PICK_COMBINED, LRS_PICK_ACCURACY, LRS_PICK_LOSS_STEEPEST, LRS_PICK_LOSS_MIN10, LRS_PICK_LOSS_VALLEY,
};

int lrs_pick_choose(const lrs_pick_result picks[LRS_PICK__COUNT], lrs_pick_rule preferred)
{
	assert(picks && preferred < LRS_PICK__COUNT);
	if (picks[preferred].ok)
		return (int)preferred;
	for (int k = 0; k < LRS_PICK__COUNT; k++)
		if (picks[lrs_pick_fallback[k]].ok)
			return (int)lrs_pick_fallback[k];
	return -1;
}

size_t lrs_pick_spread(double *min_lr_spread, double *max_lr_spread,
                       const lrs_pick_result *per_repeat, size_t repeats)
{
	double lo_min = INFINITY, lo_max = 0, hi_min = INFINITY, hi_max = 0;
	size_t r, picked = 0;

	assert(min_lr_spread && max_lr_spread && (per_repeat || repeats == 0));
	for (r = 0; r < repeats; r++) {
		const lrs_pick_result *p = &per_repeat[r];

		if (!p->ok)
			continue;
		picked++;
		lo_min = fmin(lo_min, p->min_lr);
		lo_max = fmax(lo_max, p->min_lr);
		hi_min = fmin(hi_min, p->max_lr);
		hi_max = fmax(hi_max, p->max_lr);
	}
	*min_lr_spread = picked >= 2 ? lo_max / lo_min : NAN;
	*max_lr_spread = picked >= 2 ? hi_max / hi_min : NAN;
	return picked;
}
