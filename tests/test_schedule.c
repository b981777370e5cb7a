/* test_schedule.c - every schedule type of SPEC.md section 3, against
 * values derived independently of lrsweep.
 *
 * Where the expected numbers come from (each table says which):
 *   - PyTorch family (constant ... cyclic, reduce_on_plateau, sequential):
 *     torch 1.13 itself (/usr/lib/python3/dist-packages/torch), run with
 *     /usr/bin/python3: the `lr` (and `momentum`) the SGD optimizer holds
 *     after constructing the scheduler and calling scheduler.step() i times;
 *     printed with repr(), which round-trips a double.
 *   - Keras family: a float64 transcription into Python of Keras's
 *     optimizers/schedules/learning_rate_schedule.py (__call__ of each class;
 *     CosineDecay's warm-up branch as in Keras >= 2.13).
 *   - CLR policies and sgdr: the formulas of SPEC.md section 3, written
 *     out in Python.
 *   - hand-computed values at chosen steps (boundaries, phase ends, points
 *     where cos gives exact values), written as decimal literals.
 * No expected value was produced by running lrsweep.
 *
 * Tolerance: |got - want| <= REL_TOL * max(|got|, |want|) + ABS_TOL, with
 * REL_TOL 1e-12 (the formulas are double closed forms; PyTorch's chained
 * updates differ from them by a few ulps) and ABS_TOL 1e-15 for values that
 * reach zero (the peak rates here are <= 1).
 *
 * Parameter maps are built with the node API through build()/try_build(),
 * which parse "k=v k=v" strings: a value with a comma is a list ("3," is a
 * one-item list), a value in single quotes may hold blanks ('2 epochs').
 * Every test frees what it built, so the suite is clean under valgrind
 * (CK_FORK=no) and ASan; a failing table test frees before it asserts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/node.h"
#include "lrsweep/schedule.h"
#include "suites.h"

#define REL_TOL 1e-12
#define ABS_TOL 1e-15
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ helpers */

static lrs_sched_ctx ctx_of(double min_lr, double max_lr, long steps_per_epoch, long total_steps)
{
	lrs_sched_ctx c;

	c.min_lr = min_lr;
	c.max_lr = max_lr;
	c.steps_per_epoch = steps_per_epoch;
	c.total_steps = total_steps;
	return c;
}

/* Nothing known: no bounds, no epochs, no total. */
static lrs_sched_ctx ctx_none(void)
{
	return ctx_of(NAN, NAN, 0, 0);
}

/* A run with picked bounds [0.001, 0.1], 10 steps per epoch, 100 steps. */
static lrs_sched_ctx ctx_run(void)
{
	return ctx_of(0.001, 0.1, 10, 100);
}

static int close_to(double got, double want, double rel)
{
	if (isnan(want))
		return isnan(got);
	return fabs(got - want) <= rel * fmax(fabs(got), fabs(want)) + ABS_TOL;
}

/* A scalar holding a copy of text[0..len). */
static lrs_node *new_scalar(const char *text, size_t len, int line, int column)
{
	char buf[256];
	lrs_node *n = NULL;

	ck_assert_uint_lt(len, sizeof buf);
	memcpy(buf, text, len);
	buf[len] = '\0';
	ck_assert_int_eq(lrs_node_new_scalar(&n, buf, line, column), 0);
	return n;
}

/* The node of value text v[0..end): a list when it holds a comma (empty
 * items skipped, so "3," is a one-item list), else a scalar. */
static lrs_node *new_value(const char *v, const char *end, int line)
{
	lrs_node *list = NULL;
	int column = 3;

	if (!memchr(v, ',', (size_t)(end - v)))
		return new_scalar(v, (size_t)(end - v), line, 3);
	ck_assert_int_eq(lrs_node_new_list(&list, line, 3), 0);
	for (const char *item = v; item < end; column++) {
		const char *comma = memchr(item, ',', (size_t)(end - item));
		const char *stop = comma ? comma : end;
		if (stop > item)
			ck_assert_int_eq(lrs_node_append(list, NULL,
			                 new_scalar(item, (size_t)(stop - item), line, column)), 0);
		item = stop + (comma != NULL);
	}
	return list;
}

/* Parses "k=v k='a b' k=1,2,3" into a map. Parameter i (0-based) sits at
 * line i+2, column 3 (list items at columns 3, 4, ...), the map at 1:1, so
 * tests can check the position of an error. NULL or "" gives an empty map. */
static lrs_node *parse_params(const char *spec)
{
	lrs_node *map = NULL;
	const char *p = spec ? spec : "";
	int index = 0;

	ck_assert_int_eq(lrs_node_new_map(&map, 1, 1), 0);
	for (;;) {
		char key[64];
		const char *eq, *v, *end;
		size_t klen;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		eq = strchr(p, '=');
		ck_assert_msg(eq != NULL, "bad test spec '%s'", spec);
		klen = (size_t)(eq - p);
		ck_assert_uint_lt(klen, sizeof key);
		memcpy(key, p, klen);
		key[klen] = '\0';
		v = eq + 1;
		if (*v == '\'') {
			v++;
			end = strchr(v, '\'');
			ck_assert_msg(end != NULL, "unclosed quote in '%s'", spec);
			p = end + 1;
		} else {
			end = v + strcspn(v, " ");
			p = end;
		}
		ck_assert_int_eq(lrs_node_append(map, key, new_value(v, end, index + 2)), 0);
		index++;
	}
	return map;
}

/* Builds a schedule of `type` from a "k=v ..." string; returns the code.
 * *out is left to lrs_sched_build, which must set it (NULL on failure). */
static int try_build(lrs_sched **out, const char *type, const char *spec, const lrs_sched_ctx *ctx)
{
	lrs_node *map = parse_params(spec);
	int rc;

	rc = lrs_sched_build(out, type, map, ctx);
	lrs_node_free(map);
	return rc;
}

/* As try_build, asserting success. */
static lrs_sched *build(const char *type, const char *spec, const lrs_sched_ctx *ctx)
{
	lrs_sched *s = NULL;
	int rc = try_build(&s, type, spec, ctx);

	ck_assert_msg(rc == 0 && s != NULL, "building %s {%s} failed (%d): %s", type, spec, rc,
	              lrs_error_last());
	return s;
}

/* A sequential schedule: `inner` holds one "type=... k=v" string per inner
 * schedule; `milestones` is the list text ("3," for one milestone). */
static int try_build_sequential(lrs_sched **out, const char *const *inner, size_t n,
                                const char *milestones, const lrs_sched_ctx *ctx)
{
	lrs_node *map = NULL, *list = NULL;
	int rc;

	ck_assert_int_eq(lrs_node_new_map(&map, 1, 1), 0);
	ck_assert_int_eq(lrs_node_new_list(&list, 2, 3), 0);
	for (size_t k = 0; k < n; k++)
		ck_assert_int_eq(lrs_node_append(list, NULL, parse_params(inner[k])), 0);
	ck_assert_int_eq(lrs_node_append(map, "schedules", list), 0);
	ck_assert_int_eq(lrs_node_append(map, "milestones",
	                 new_value(milestones, milestones + strlen(milestones), 3)), 0);
	rc = lrs_sched_build(out, "sequential", map, ctx);
	lrs_node_free(map);
	return rc;
}

static lrs_sched *build_sequential(const char *const *inner, size_t n, const char *milestones,
                                   const lrs_sched_ctx *ctx)
{
	lrs_sched *s = NULL;
	int rc = try_build_sequential(&s, inner, n, milestones, ctx);

	ck_assert_msg(rc == 0 && s != NULL, "building sequential failed (%d): %s", rc,
	              lrs_error_last());
	return s;
}

/* One expected value at one step. */
typedef struct {
	long step;
	double value;
} point;

/* Checks lr(step) (momentum(step) when `momentum`) at each point, freeing
 * the schedule before asserting. */
static void check_points_of(lrs_sched *s, const char *what, const point *pts, size_t n,
                            int momentum)
{
	long bad = -1;
	double got = 0, want = 0;

	for (size_t i = 0; i < n && bad < 0; i++) {
		got = momentum ? lrs_sched_momentum(s, pts[i].step) : lrs_sched_lr(s, pts[i].step);
		want = pts[i].value;
		if (!close_to(got, want, REL_TOL))
			bad = pts[i].step;
	}
	lrs_sched_free(s);
	ck_assert_msg(bad < 0, "%s: %s(%ld) = %.17g, expected %.17g", what,
	              momentum ? "momentum" : "lr", bad, got, want);
}

static void check_points(const char *type, const char *spec, const lrs_sched_ctx *ctx,
                         const point *pts, size_t n)
{
	char what[256];

	snprintf(what, sizeof what, "%s {%s}", type, spec);
	check_points_of(build(type, spec, ctx), what, pts, n, 0);
}

#define CHECK_POINTS(type, spec, ctx, pts) check_points(type, spec, ctx, pts, COUNT(pts))

/* One table of lr(i) (and momentum(i)) for i = 0..n-1. */
typedef struct {
	const char *type;
	const char *params;
	long total_steps;        /* the run's total steps in the context (0: unknown) */
	const double *lr;
	const double *mom;       /* NULL: the schedule must not cycle momentum */
	size_t n;
} table_case;

#define TABLE(type, params, total, lr, mom) { type, params, total, lr, mom, COUNT(lr) }

static void check_table_of(lrs_sched *s, const table_case *c)
{
	long bad = -1;
	const char *what = "lr";
	double got = 0, want = 0;
	int cycles = lrs_sched_cycles_momentum(s);
	int nan_mom = 1;

	for (size_t i = 0; i < c->n && bad < 0; i++) {
		got = lrs_sched_lr(s, (long)i);
		want = c->lr[i];
		if (!close_to(got, want, REL_TOL))
			bad = (long)i;
	}
	for (size_t i = 0; c->mom && i < c->n && bad < 0; i++) {
		got = lrs_sched_momentum(s, (long)i);
		want = c->mom[i];
		if (!close_to(got, want, REL_TOL)) {
			bad = (long)i;
			what = "momentum";
		}
	}
	if (!c->mom)
		nan_mom = isnan(lrs_sched_momentum(s, 0));
	lrs_sched_free(s);
	ck_assert_msg(bad < 0, "%s {%s}: %s(%ld) = %.17g, expected %.17g", c->type, c->params, what,
	              bad, got, want);
	ck_assert_int_eq(cycles, c->mom != NULL);
	ck_assert_msg(nan_mom, "%s: momentum must be NAN when not cycled", c->type);
}

static void check_table(const table_case *c)
{
	lrs_sched_ctx ctx = ctx_of(NAN, NAN, 0, c->total_steps);

	check_table_of(build(c->type, c->params, &ctx), c);
}

/* The text of `key`'s value in a flat JSON object, or NULL. */
static const char *json_value(const char *json, const char *key)
{
	char pat[80];
	const char *at;

	snprintf(pat, sizeof pat, "\"%s\": ", key);
	at = strstr(json, pat);
	return at ? at + strlen(pat) : NULL;
}

static double json_number(const char *json, const char *key)
{
	const char *v = json_value(json, key);

	ck_assert_msg(v != NULL, "no \"%s\" in %s", key, json);
	return strtod(v, NULL);
}

/* 1 when `key`'s value starts with `text` (a string's quotes included). */
static int json_is(const char *json, const char *key, const char *text)
{
	const char *v = json_value(json, key);

	return v && strncmp(v, text, strlen(text)) == 0;
}

/* The resolved-parameter JSON of a schedule (caller frees). */
static char *params_json(const lrs_sched *s)
{
	char *json = NULL;

	ck_assert_int_eq(lrs_sched_params_json(&json, s), 0);
	ck_assert_ptr_nonnull(json);
	return json;
}

/* ====================================================== PyTorch family */

/* PyTorch 1.13 torch.optim.lr_scheduler: torch itself, e.g. for t_step
 *   p = torch.nn.Parameter(torch.zeros(1))
 *   o = torch.optim.SGD([p], lr=0.1, momentum=0.9)
 *   s = StepLR(o, step_size=3, gamma=0.5)
 *   row i = o.param_groups[0]["lr"] (and ["momentum"]) after i s.step() calls
 * with the constructor arguments given in the lrsweep parameters of each
 * case in torch_cases below (SGD lr=0.1; CyclicLR and OneCycleLR set it). */
static const double t_constant_lr[] = {
	0.05, 0.05, 0.05, 0.05, 0.1, 0.1, 0.1, 0.1
};
static const double t_constant0_lr[] = {
	0.05, 0.05, 0.05, 0.05, 0.05
};
static const double t_step_lr[] = {
	0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125
};
static const double t_step_dflt_lr[] = {
	0.1, 0.1, 0.010000000000000002, 0.010000000000000002, 0.0010000000000000002,
	0.0010000000000000002, 0.00010000000000000003
};
static const double t_multistep_lr[] = {
	0.1, 0.1, 0.05, 0.05, 0.05, 0.0125, 0.0125, 0.0125
};
static const double t_exponential_lr[] = {
	0.1, 0.09000000000000001, 0.08100000000000002, 0.07290000000000002,
	0.06561000000000002, 0.05904900000000002, 0.05314410000000002, 0.04782969000000002,
	0.043046721000000024, 0.03874204890000002, 0.03486784401000002, 0.03138105960900001,
	0.028242953648100012, 0.025418658283290013, 0.022876792454961013, 0.020589113209464913,
	0.01853020188851842, 0.01667718169966658, 0.015009463529699923, 0.013508517176729932,
	0.01215766545905694, 0.010941898913151246, 0.009847709021836121, 0.00886293811965251,
	0.007976644307687259, 0.007178979876918534, 0.006461081889226681, 0.005814973700304013,
	0.005233476330273611, 0.00471012869724625
};
static const double t_linear_lr[] = {
	0.025, 0.037500000000000006, 0.05, 0.0625, 0.075, 0.075, 0.075, 0.075
};
static const double t_linear_dflt_lr[] = {
	0.03333333333333333, 0.04666666666666667, 0.060000000000000005, 0.07333333333333335,
	0.08666666666666668, 0.1, 0.1, 0.1
};
static const double t_polynomial_lr[] = {
	0.1, 0.06944444444444446, 0.04444444444444447, 0.02500000000000001,
	0.011111111111111117, 0.0027777777777777775, 0.0, 0.0, 0.0
};
static const double t_cosine_lr[] = {
	0.1, 0.09757729755661011, 0.0905463412215599, 0.07959536998847742, 0.0657963412215599,
	0.0505, 0.03520365877844011, 0.02140463001152259, 0.010453658778440109,
	0.0034227024433899004, 0.001, 0.0034227024433899004, 0.01045365877844014,
	0.02140463001152267, 0.035203658778440255, 0.05050000000000022, 0.06579634122156018,
	0.07959536998847777, 0.09054634122156031, 0.09757729755661054, 0.10000000000000045,
	0.09757729755661054, 0.09054634122156033, 0.07959536998847778, 0.0657963412215602
};
static const double t_warm2_lr[] = {
	0.1, 0.07525000000000001, 0.025750000000000012, 0.1, 0.09336825748732973,
	0.07525000000000001, 0.0505, 0.025750000000000012, 0.007631742512670284, 0.1,
	0.09831332840130888, 0.09336825748732973, 0.0855017856687341, 0.07525000000000001,
	0.06331154273257478, 0.0505, 0.03768845726742523, 0.025750000000000012,
	0.0154982143312659, 0.007631742512670284, 0.0026866715986911243, 0.1,
	0.09957652063800362, 0.09831332840130888, 0.0962320368593087
};
static const double t_warm1_lr[] = {
	0.1, 0.08535533905932738, 0.05, 0.014644660940672627, 0.1, 0.08535533905932738, 0.05,
	0.014644660940672627, 0.1, 0.08535533905932738, 0.05, 0.014644660940672627
};
static const double t_1cyc_cos_lr[] = {
	0.0040000000000000036, 0.013167184270002533, 0.037167184270002526, 0.06683281572999747,
	0.09083281572999748, 0.1, 0.09874640062350874, 0.09504846320134738, 0.089091617757105,
	0.0811745653949763, 0.07169430017913009, 0.06112620219362893, 0.0500002,
	0.03887419780637107, 0.028306099820869922, 0.0188258346050237, 0.010908782242895003,
	0.004951936798652629, 0.0012539993764912555, 4e-07, 0.0012539993764912555
};
static const double t_1cyc_cos_mom[] = {
	0.95, 0.9404508497187474, 0.9154508497187474, 0.8845491502812526, 0.8595491502812526,
	0.85, 0.8512536043909088, 0.854951556604879, 0.8609084258765984, 0.8688255099070633,
	0.878305813044122, 0.8888739533021842, 0.8999999999999999, 0.9111260466978157,
	0.9216941869558779, 0.9311744900929366, 0.9390915741234015, 0.945048443395121,
	0.9487463956090911, 0.95, 0.9487463956090911
};
static const double t_1cyc_lin_lr[] = {
	0.01, 0.0325, 0.05500000000000001, 0.0775, 0.1, 0.09334, 0.08668000000000001,
	0.08002000000000001, 0.07336000000000001, 0.06670000000000001, 0.06004,
	0.053380000000000004, 0.046720000000000005, 0.040060000000000005, 0.03340000000000001,
	0.026740000000000014, 0.02008, 0.013420000000000001, 0.006760000000000002,
	0.00010000000000000286, -0.006559999999999996
};
static const double t_1cyc_lin_mom[] = {
	0.9, 0.875, 0.8500000000000001, 0.8250000000000001, 0.8, 0.8066666666666668,
	0.8133333333333334, 0.8200000000000001, 0.8266666666666667, 0.8333333333333334,
	0.8400000000000001, 0.8466666666666667, 0.8533333333333334, 0.86, 0.8666666666666667,
	0.8733333333333333, 0.88, 0.8866666666666667, 0.8933333333333333, 0.9,
	0.9066666666666667
};
static const double t_1cyc_3ph_lr[] = {
	0.0040000000000000036, 0.013167184270002533, 0.037167184270002526, 0.06683281572999747,
	0.09083281572999748, 0.1, 0.09083281572999748, 0.06683281572999748,
	0.037167184270002526, 0.013167184270002527, 0.004, 0.003879397303047659,
	0.0035321356773493316, 0.0030001, 0.0023474616256983273, 0.0016529383743016728,
	0.0010003000000000004, 0.000468264322650668, 0.00012100269695234054, 4e-07,
	0.00012100269695234031
};
static const double t_1cyc_3ph_mom[] = {
	0.95, 0.9404508497187474, 0.9154508497187474, 0.8845491502812526, 0.8595491502812526,
	0.85, 0.8595491502812526, 0.8845491502812526, 0.9154508497187474, 0.9404508497187474,
	0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95
};
static const double t_1cyc_3ph_lin_lr[] = {
	0.004, 0.017714285714285714, 0.03142857142857143, 0.04514285714285714,
	0.05885714285714286, 0.07257142857142858, 0.08628571428571429, 0.1, 0.0862857142857143,
	0.07257142857142858, 0.058857142857142865, 0.04514285714285715, 0.03142857142857143,
	0.017714285714285724, 0.0040000000000000036, 0.00320008, 0.00240016,
	0.0016002400000000002, 0.0008003200000000002, 4.0000000000022656e-07,
	-0.0007995199999999997
};
static const double t_1cyc_3ph_lin_mom[] = {
	0.95, 0.9357142857142857, 0.9214285714285714, 0.9071428571428571, 0.8928571428571428,
	0.8785714285714286, 0.8642857142857143, 0.85, 0.8642857142857142, 0.8785714285714286,
	0.8928571428571428, 0.9071428571428571, 0.9214285714285714, 0.9357142857142857, 0.95,
	0.95, 0.95, 0.95, 0.95, 0.95, 0.95
};
static const double t_cyc_tri_lr[] = {
	0.01, 0.0325, 0.05500000000000001, 0.0775, 0.1, 0.0775, 0.05500000000000001, 0.0325,
	0.01, 0.0325, 0.05500000000000001, 0.0775, 0.1, 0.0775, 0.05500000000000001, 0.0325,
	0.01, 0.0325, 0.05500000000000001, 0.0775
};
static const double t_cyc_tri_mom[] = {
	0.9, 0.875, 0.8500000000000001, 0.8250000000000001, 0.8, 0.8250000000000001,
	0.8500000000000001, 0.875, 0.9, 0.875, 0.8500000000000001, 0.8250000000000001, 0.8,
	0.8250000000000001, 0.8500000000000001, 0.875, 0.9, 0.875, 0.8500000000000001,
	0.8250000000000001
};
static const double t_cyc_tri2_lr[] = {
	0.01, 0.04, 0.07, 0.1, 0.082, 0.064, 0.046000000000000006, 0.028000000000000004, 0.01,
	0.025, 0.04, 0.05500000000000001, 0.046000000000000006, 0.037000000000000005,
	0.028000000000000004, 0.019000000000000003, 0.01, 0.0175, 0.025, 0.0325,
	0.028000000000000004, 0.0235, 0.019000000000000003, 0.0145, 0.01, 0.01375, 0.0175,
	0.02125, 0.019000000000000003, 0.01675
};
static const double t_cyc_tri2_mom[] = {
	0.95, 0.9166666666666666, 0.8833333333333333, 0.85, 0.87, 0.89, 0.9099999999999999,
	0.9299999999999999, 0.95, 0.9333333333333333, 0.9166666666666666, 0.8999999999999999,
	0.9099999999999999, 0.9199999999999999, 0.9299999999999999, 0.94, 0.95,
	0.9416666666666667, 0.9333333333333333, 0.9249999999999999, 0.9299999999999999,
	0.9349999999999999, 0.94, 0.945, 0.95, 0.9458333333333333, 0.9416666666666667, 0.9375,
	0.94, 0.9425
};
static const double t_cyc_exp_lr[] = {
	0.01, 0.030250000000000006, 0.046450000000000005, 0.05920750000000001,
	0.06904900000000001, 0.04985807500000001, 0.033914845000000006, 0.020761680250000004,
	0.01, 0.018716961002500004, 0.025690529804500005, 0.031182215236075006,
	0.035418658283290015, 0.027157594341220753, 0.020294556604732457, 0.014632550472129604,
	0.01, 0.01375236588242498, 0.016754258588364962, 0.019118249094292702
};
static const double t_cyc_exp_mom[] = {
	0.9, 0.8775000000000001, 0.8595, 0.845325, 0.8343900000000001, 0.85571325,
	0.8734279500000001, 0.8880425775, 0.9, 0.890314487775, 0.882566077995,
	0.87646420529325, 0.8717570463519, 0.8809360062875325, 0.8885616037725195,
	0.8948527216976337, 0.9, 0.8958307045750834, 0.89249526823515, 0.8898686121174526
};

static const table_case torch_cases[] = {
	TABLE("constant", "lr=0.1 factor=0.5 total_iters=4", 0, t_constant_lr, NULL),
	/* total_iters 0: PyTorch applies the factor at step 0 and never
	 * undoes it (get_lr returns group lr * factor at last_epoch 0 only) */
	TABLE("constant", "lr=0.1 factor=0.5 total_iters=0", 0, t_constant0_lr, NULL),
	TABLE("step", "lr=0.1 step_size=3 gamma=0.5", 0, t_step_lr, NULL),
	TABLE("step", "lr=0.1 step_size=2", 0, t_step_dflt_lr, NULL),
	/* milestones unsorted and repeated: MultiStepLR counts them */
	TABLE("multistep", "lr=0.1 milestones=5,2,5 gamma=0.5", 0, t_multistep_lr, NULL),
	TABLE("exponential", "lr=0.1 gamma=0.9", 0, t_exponential_lr, NULL),
	TABLE("linear", "lr=0.1 start_factor=0.25 end_factor=0.75 total_iters=4", 0, t_linear_lr, NULL),
	TABLE("linear", "lr=0.1", 0, t_linear_dflt_lr, NULL),
	TABLE("polynomial", "lr=0.1 total_iters=6 power=2", 0, t_polynomial_lr, NULL),
	/* past T_max the rate rises again, as PyTorch's does */
	TABLE("cosine_annealing", "lr=0.1 T_max=10 eta_min=0.001", 0, t_cosine_lr, NULL),
	TABLE("cosine_annealing_warm_restarts", "lr=0.1 T_0=3 T_mult=2 eta_min=0.001", 0, t_warm2_lr, NULL),
	TABLE("cosine_annealing_warm_restarts", "lr=0.1 T_0=4", 0, t_warm1_lr, NULL),
	/* one_cycle: rows 0..total_steps (PyTorch raises one step later) */
	TABLE("one_cycle", "max_lr=0.1 total_steps=20", 0, t_1cyc_cos_lr, t_1cyc_cos_mom),
	TABLE("one_cycle", "max_lr=0.1 total_steps=20 anneal_strategy=linear pct_start=0.25 "
	      "div_factor=10 final_div_factor=100 base_momentum=0.8 max_momentum=0.9", 0,
	      t_1cyc_lin_lr, t_1cyc_lin_mom),
	TABLE("one_cycle", "max_lr=0.1 total_steps=20 three_phase=true", 0, t_1cyc_3ph_lr, t_1cyc_3ph_mom),
	TABLE("one_cycle", "max_lr=0.1 total_steps=20 three_phase=true anneal_strategy=linear pct_start=0.4",
	      0, t_1cyc_3ph_lin_lr, t_1cyc_3ph_lin_mom),
	/* the total steps default: one_cycle's total_steps from the run */
	TABLE("one_cycle", "max_lr=0.1", 20, t_1cyc_cos_lr, t_1cyc_cos_mom),
	TABLE("cyclic", "base_lr=0.01 max_lr=0.1 step_size_up=4", 0, t_cyc_tri_lr, t_cyc_tri_mom),
	TABLE("cyclic", "base_lr=0.01 max_lr=0.1 step_size_up=3 step_size_down=5 mode=triangular2 "
	      "base_momentum=0.85 max_momentum=0.95", 0, t_cyc_tri2_lr, t_cyc_tri2_mom),
	TABLE("cyclic", "base_lr=0.01 max_lr=0.1 step_size_up=4 mode=exp_range gamma=0.9", 0,
	      t_cyc_exp_lr, t_cyc_exp_mom),
	TABLE("cyclic", "base_lr=0.01 max_lr=0.1 step_size_up=4 cycle_momentum=false", 0, t_cyc_tri_lr, NULL),
};

START_TEST(test_torch_table)
{
	check_table(&torch_cases[_i]);
}
END_TEST

/* Hand-computed: StepLR lr*gamma^floor(i/step_size); MultiStepLR counts
 * milestones <= i (a repeated one twice); ExponentialLR lr*gamma^i. */
START_TEST(test_step_family_hand)
{
	lrs_sched_ctx none = ctx_none();
	static const point step[] = {
		{ 0, 0.1 }, { 2, 0.1 }, { 3, 0.05 }, { 5, 0.05 }, { 6, 0.025 }, { 9, 0.0125 },
	};
	static const point multistep[] = {
		{ 0, 1 }, { 1, 1 }, { 2, 0.5 }, { 4, 0.5 }, { 5, 0.125 }, { 1000, 0.125 },
	};
	static const point exponential[] = {
		{ 0, 1 }, { 1, 0.5 }, { 3, 0.125 }, { 10, 1.0 / 1024 },
	};
	static const point constant[] = {
		{ 0, 0.025 }, { 3, 0.025 }, { 4, 0.05 }, { 50, 0.05 },
	};

	CHECK_POINTS("step", "lr=0.1 step_size=3 gamma=0.5", &none, step);
	CHECK_POINTS("multistep", "lr=1 milestones=5,2,5 gamma=0.5", &none, multistep);
	CHECK_POINTS("exponential", "lr=1 gamma=0.5", &none, exponential);
	CHECK_POINTS("constant", "lr=0.05 factor=0.5 total_iters=4", &none, constant);
}
END_TEST

/* Hand-computed: LinearLR lr*(sf + (ef-sf)*min(i,T)/T); PolynomialLR
 * lr*(1 - min(i,T)/T)^power; CosineAnnealingLR's closed form, whose cos
 * is exact at quarter periods (period 2*T_max). */
START_TEST(test_linear_poly_cosine_hand)
{
	lrs_sched_ctx none = ctx_none();
	static const point linear[] = {
		{ 0, 0.25 }, { 1, 0.375 }, { 2, 0.5 }, { 4, 0.75 }, { 9, 0.75 },
	};
	static const point poly[] = {
		{ 0, 1 }, { 2, 0.25 }, { 3, 0.0625 }, { 4, 0 }, { 8, 0 },
	};
	static const point cosine[] = {
		{ 0, 1 }, { 5, 0.55 }, { 10, 0.1 }, { 15, 0.55 }, { 20, 1 },
	};
	static const point cosine0[] = {
		{ 0, 2 }, { 4, 1 }, { 8, 0 },
	};

	CHECK_POINTS("linear", "lr=1 start_factor=0.25 end_factor=0.75 total_iters=4", &none, linear);
	CHECK_POINTS("polynomial", "lr=1 total_iters=4 power=2", &none, poly);
	CHECK_POINTS("cosine_annealing", "lr=1 T_max=10 eta_min=0.1", &none, cosine);
	/* eta_min defaults to 0 when no bounds are known */
	CHECK_POINTS("cosine_annealing", "lr=2 T_max=8", &none, cosine0);
}
END_TEST

/* Hand-computed: CosineAnnealingWarmRestarts with T_0=2, T_mult=2 restarts
 * at steps 2, 6, 14 (periods 2, 4, 8); with T_mult=1 every T_0 steps. */
START_TEST(test_warm_restarts_hand)
{
	lrs_sched_ctx none = ctx_none();
	static const point mult2[] = {
		{ 0, 1 }, { 1, 0.5 }, { 2, 1 }, { 4, 0.5 }, { 5, 0.14644660940672624 },
		{ 6, 1 }, { 10, 0.5 }, { 14, 1 }, { 22, 0.5 }, { 30, 1 },
	};
	static const point mult1[] = {
		{ 0, 1 }, { 2, 0.5 }, { 4, 1 }, { 6, 0.5 }, { 8, 1 },
	};

	CHECK_POINTS("cosine_annealing_warm_restarts", "lr=1 T_0=2 T_mult=2", &none, mult2);
	CHECK_POINTS("cosine_annealing_warm_restarts", "lr=1 T_0=4 T_mult=1", &none, mult1);
}
END_TEST

/* Hand-computed OneCycleLR, total_steps 20, pct_start 0.3: phases end at
 * steps 5 (= 0.3*20 - 1) and 19; initial = max_lr/25 = 0.04, floor =
 * 0.04/1e4 = 4e-6; step 12 is halfway down (pct 7/14), where cos annealing
 * and linear annealing agree. Three phases end at 5, 10 (= 2*6 - 2), 19. */
START_TEST(test_one_cycle_hand)
{
	lrs_sched_ctx none = ctx_none();
	lrs_sched *s;
	static const point lr2[] = {
		{ 0, 0.04 }, { 5, 1 }, { 12, 0.500002 }, { 19, 4e-6 },
	};
	static const point mom2[] = {
		{ 0, 0.95 }, { 5, 0.85 }, { 12, 0.9 }, { 19, 0.95 },
	};
	static const point lr3[] = {
		{ 0, 0.04 }, { 5, 1 }, { 10, 0.04 }, { 19, 4e-6 },
	};
	static const point mom3[] = {
		{ 0, 0.95 }, { 5, 0.85 }, { 10, 0.95 }, { 15, 0.95 }, { 19, 0.95 },
	};
	static const point lin[] = {
		{ 0, 0.04 }, { 1, 0.232 }, { 5, 1 }, { 12, 0.500002 }, { 19, 4e-6 },
	};

	CHECK_POINTS("one_cycle", "max_lr=1 total_steps=20", &none, lr2);
	s = build("one_cycle", "max_lr=1 total_steps=20", &none);
	check_points_of(s, "one_cycle momentum", mom2, COUNT(mom2), 1);
	CHECK_POINTS("one_cycle", "max_lr=1 total_steps=20 three_phase=true", &none, lr3);
	s = build("one_cycle", "max_lr=1 total_steps=20 three_phase=true", &none);
	check_points_of(s, "one_cycle three_phase momentum", mom3, COUNT(mom3), 1);
	CHECK_POINTS("one_cycle", "max_lr=1 total_steps=20 anneal_strategy=linear", &none, lin);
	/* defined for total_steps + 1 steps, as PyTorch raises past it */
	s = build("one_cycle", "max_lr=1 total_steps=20", &none);
	ck_assert_int_eq(lrs_sched_step_limit(s), 21);
	ck_assert_int_eq(lrs_sched_cycles_momentum(s), 1);
	lrs_sched_free(s);
	s = build("one_cycle", "max_lr=1 total_steps=20 cycle_momentum=false", &none);
	ck_assert_int_eq(lrs_sched_cycles_momentum(s), 0);
	ck_assert(isnan(lrs_sched_momentum(s, 3)));
	lrs_sched_free(s);
}
END_TEST

/* Hand-computed CyclicLR: triangular with step_size_up 4 peaks at 4, 12;
 * triangular2 with up 3, down 5 peaks at 3 (full) and 11 (half height);
 * momentum runs opposite, max_momentum at the troughs. */
START_TEST(test_cyclic_hand)
{
	lrs_sched_ctx none = ctx_none();
	lrs_sched *s;
	static const point tri[] = {
		{ 0, 0.01 }, { 2, 0.055 }, { 4, 0.1 }, { 6, 0.055 }, { 8, 0.01 }, { 12, 0.1 },
	};
	static const point tri2[] = {
		{ 0, 0.01 }, { 3, 0.1 }, { 8, 0.01 }, { 11, 0.055 }, { 16, 0.01 }, { 19, 0.0325 },
	};
	static const point tri2_mom[] = {
		{ 0, 0.95 }, { 3, 0.85 }, { 8, 0.95 }, { 11, 0.9 },
	};

	CHECK_POINTS("cyclic", "base_lr=0.01 max_lr=0.1 step_size_up=4", &none, tri);
	CHECK_POINTS("cyclic", "base_lr=0.01 max_lr=0.1 step_size_up=3 step_size_down=5 mode=triangular2",
	             &none, tri2);
	s = build("cyclic", "base_lr=0.01 max_lr=0.1 step_size_up=3 step_size_down=5 mode=triangular2 "
	          "base_momentum=0.85 max_momentum=0.95", &none);
	check_points_of(s, "cyclic momentum", tri2_mom, COUNT(tri2_mom), 1);
}
END_TEST

/* ========================================================== sequential */

/* PyTorch 1.13 SequentialLR: torch itself (as above), with
 *   t_seq_warm_cos: [LinearLR(o, start_factor=0.1, total_iters=3),
 *                    CosineAnnealingLR(o, T_max=10, eta_min=0.001)], [3]
 *   t_seq_three:    [ConstantLR(o, factor=0.5, total_iters=2),
 *                    ExponentialLR(o, gamma=0.9),
 *                    StepLR(o, step_size=2, gamma=0.5)], [2, 6]
 *   t_seq_restart:  [LinearLR(o, start_factor=0.5, total_iters=2),
 *                    CosineAnnealingWarmRestarts(o, T_0=3),
 *                    PolynomialLR(o, total_iters=4, power=1.0)], [4, 10]
 * and SGD lr 0.1. lrsweep leaves T_max and total_iters out: they default
 * to the segment's length (13 - 3 = 10 and 14 - 10 = 4). */
static const double t_seq_warm_cos_lr[] = {
	0.010000000000000002, 0.04, 0.07, 0.1, 0.09757729755661011, 0.0905463412215599,
	0.07959536998847742, 0.0657963412215599, 0.0505, 0.03520365877844011,
	0.02140463001152259, 0.010453658778440109, 0.0034227024433899004, 0.001,
	0.0034227024433899004, 0.01045365877844014
};
static const double t_seq_three_lr[] = {
	0.05, 0.05, 0.1, 0.09000000000000001, 0.08100000000000002, 0.07290000000000002, 0.1,
	0.1, 0.05, 0.05, 0.025, 0.025
};
static const double t_seq_restart_lr[] = {
	0.05, 0.07500000000000001, 0.1, 0.1, 0.1, 0.07500000000000001, 0.025000000000000012,
	0.1, 0.07500000000000001, 0.025000000000000012, 0.1, 0.07500000000000001, 0.05, 0.025,
	0.0, 0.0
};

static void check_sequential(const char *const *inner, size_t n, const char *milestones,
                             long total, const double *lr, size_t rows)
{
	lrs_sched_ctx ctx = ctx_of(NAN, NAN, 0, total);
	table_case c = { "sequential", milestones, total, lr, NULL, rows };

	check_table_of(build_sequential(inner, n, milestones, &ctx), &c);
}

START_TEST(test_sequential_warm_cos)
{
	static const char *const inner[] = {
		"type=linear lr=0.1 start_factor=0.1 total_iters=3",
		"type=cosine_annealing lr=0.1 eta_min=0.001",
	};

	check_sequential(inner, COUNT(inner), "3,", 13, t_seq_warm_cos_lr, COUNT(t_seq_warm_cos_lr));
}
END_TEST

START_TEST(test_sequential_three)
{
	static const char *const inner[] = {
		"type=constant lr=0.1 factor=0.5 total_iters=2",
		"type=exponential lr=0.1 gamma=0.9",
		"type=step lr=0.1 step_size=2 gamma=0.5",
	};

	check_sequential(inner, COUNT(inner), "2,6", 0, t_seq_three_lr, COUNT(t_seq_three_lr));
}
END_TEST

START_TEST(test_sequential_restart)
{
	static const char *const inner[] = {
		"type=linear lr=0.1 start_factor=0.5 total_iters=2",
		"type=cosine_annealing_warm_restarts lr=0.1 T_0=3",
		"type=polynomial lr=0.1",
	};

	check_sequential(inner, COUNT(inner), "4,10", 14, t_seq_restart_lr, COUNT(t_seq_restart_lr));
}
END_TEST

/* Each segment restarts its schedule at step 0 (hand-computed: a cosine
 * segment of 8 steps starting at 4 is at its half-way point at 8), and the
 * resolved parameters show the inner T_max defaults. */
START_TEST(test_sequential_defaults_json)
{
	static const char *const inner[] = {
		"type=constant lr=0.5 factor=0.2 total_iters=4",
		"type=cosine_annealing lr=1",
	};
	static const point pts[] = {
		{ 0, 0.1 }, { 3, 0.1 }, { 4, 1 }, { 8, 0.5 }, { 12, 0 },
	};
	lrs_sched_ctx ctx = ctx_of(NAN, NAN, 0, 12);
	lrs_sched *s = build_sequential(inner, COUNT(inner), "4,", &ctx);
	char *json = params_json(s);
	int has_tmax = strstr(json, "\"T_max\": 8") != NULL;
	int has_milestones = strstr(json, "\"milestones\": [4]") != NULL;
	int has_types = strstr(json, "\"constant\"") && strstr(json, "\"cosine_annealing\"");

	ck_assert_int_eq(lrs_sched_get_type(s), LRS_SCHED_SEQUENTIAL);
	ck_assert_int_eq(lrs_sched_step_limit(s), -1);
	ck_assert_int_eq(lrs_sched_cycles_momentum(s), 0);
	check_points_of(s, "sequential", pts, COUNT(pts), 0);
	ck_assert_msg(has_tmax && has_milestones && has_types, "sequential json: %s", json);
	free(json);
}
END_TEST

/* Inner schedules resolve @min/@max and "N epochs" through the run, and
 * their totals through their segment (hand-computed: a linear warm-up of
 * @max with the default 5 iterations from 0.1*@max, then cosine from @max
 * to @min over the 90 steps after the milestone at 1 epoch). */
START_TEST(test_sequential_bounds)
{
	static const char *const inner[] = {
		"type=linear start_factor=0.1",
		"type=cosine_annealing",
	};
	static const point pts[] = {
		{ 0, 0.01 }, { 1, 0.028 }, { 5, 0.1 }, { 9, 0.1 }, { 10, 0.1 }, { 55, 0.0505 }, { 100, 0.001 },
	};
	lrs_sched_ctx run = ctx_run();

	check_points_of(build_sequential(inner, COUNT(inner), "1 epoch,", &run), "sequential", pts,
	                COUNT(pts), 0);
}
END_TEST

/* A sequential schedule whose last part is one_cycle (without momentum)
 * is defined up to its last milestone + total_steps + 1. */
START_TEST(test_sequential_step_limit)
{
	static const char *const inner[] = {
		"type=constant lr=0.1",
		"type=one_cycle max_lr=0.1 total_steps=10 cycle_momentum=false",
	};
	lrs_sched_ctx none = ctx_none();
	lrs_sched *s = build_sequential(inner, COUNT(inner), "5,", &none);
	long limit = lrs_sched_step_limit(s);
	double at5 = lrs_sched_lr(s, 5);

	lrs_sched_free(s);
	ck_assert_int_eq(limit, 16);
	ck_assert(close_to(at5, 0.004, REL_TOL));   /* one_cycle step 0: max_lr/25 */
}
END_TEST

/* ==================================================== reduce_on_plateau */

/* PyTorch 1.13 ReduceLROnPlateau: torch itself; SGD lr 1.0 (1e-8 for
 * p_eps_dflt), scheduler.step(metric) for each metric of *_metric, row =
 * the lr after that step. Arguments, as in plateau_cases below:
 *   p_patience  mode=min factor=0.5 patience=2
 *   p_cooldown  mode=min factor=0.5 patience=1 cooldown=2
 *   p_minlr     mode=min factor=0.5 patience=0 min_lr=0.3
 *   p_max_rel   mode=max factor=0.1 patience=1 threshold=0.1 rel
 *   p_max_abs   the same with threshold_mode=abs
 *   p_min_rel   mode=min factor=0.5 patience=1 threshold=0.05 rel
 *   p_min_abs   the same with threshold_mode=abs
 *   p_eps_dflt  mode=min factor=0.5 patience=0 (eps 1e-8 > lr - lr/2)
 *   p_eps       mode=min factor=0.5 patience=0 eps=0.3 */
static const double p_patience_metric[] = {
	1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85
};
static const double p_patience_lr[] = {
	1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25
};
static const double p_cooldown_metric[] = {
	1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0
};
static const double p_cooldown_lr[] = {
	1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25
};
static const double p_minlr_metric[] = {
	5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0
};
static const double p_minlr_lr[] = {
	1.0, 0.5, 0.3, 0.3, 0.3, 0.3, 0.3
};
static const double p_max_rel_metric[] = {
	0.5, 0.58, 0.6, 0.65, 0.7, 0.71, 0.72, 0.9, 0.9
};
static const double p_max_rel_lr[] = {
	1.0, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1
};
static const double p_max_abs_metric[] = {
	0.5, 0.58, 0.6, 0.65, 0.7, 0.71, 0.72, 0.9, 0.9
};
static const double p_max_abs_lr[] = {
	1.0, 1.0, 0.1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002,
	0.010000000000000002, 0.010000000000000002
};
static const double p_min_rel_metric[] = {
	10.0, 9.0, 8.95, 8.5, 8.45, 8.44, 8.43, 7.0, 7.0
};
static const double p_min_rel_lr[] = {
	1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5
};
static const double p_min_abs_metric[] = {
	10.0, 9.0, 8.95, 8.5, 8.45, 8.44, 8.43, 7.0, 7.0
};
static const double p_min_abs_lr[] = {
	1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0
};
static const double p_eps_dflt_metric[] = {
	1.0, 1.0, 1.0
};
static const double p_eps_dflt_lr[] = {
	1e-08, 1e-08, 1e-08
};
static const double p_eps_metric[] = {
	1.0, 1.0, 1.0, 1.0, 1.0, 1.0
};
static const double p_eps_lr[] = {
	1.0, 0.5, 0.5, 0.5, 0.5, 0.5
};

typedef struct {
	const char *params;
	const double *metric;
	double lr0;              /* the schedule's lr, before any metric */
	const double *lr;
	size_t n;
} plateau_case;

#define PLATEAU(params, lr0, name) { params, name##_metric, lr0, name##_lr, COUNT(name##_lr) }

static const plateau_case plateau_cases[] = {
	PLATEAU("lr=1 mode=min factor=0.5 patience=2", 1.0, p_patience),
	PLATEAU("lr=1 mode=min factor=0.5 patience=1 cooldown=2", 1.0, p_cooldown),
	PLATEAU("lr=1 mode=min factor=0.5 patience=0 min_lr=0.3", 1.0, p_minlr),
	PLATEAU("lr=1 mode=max factor=0.1 patience=1 threshold=0.1 threshold_mode=rel", 1.0, p_max_rel),
	PLATEAU("lr=1 mode=max factor=0.1 patience=1 threshold=0.1 threshold_mode=abs", 1.0, p_max_abs),
	PLATEAU("lr=1 mode=min factor=0.5 patience=1 threshold=0.05 threshold_mode=rel", 1.0, p_min_rel),
	PLATEAU("lr=1 mode=min factor=0.5 patience=1 threshold=0.05 threshold_mode=abs", 1.0, p_min_abs),
	PLATEAU("lr=1e-8 mode=min factor=0.5 patience=0", 1e-8, p_eps_dflt),
	PLATEAU("lr=1 mode=min factor=0.5 patience=0 eps=0.3", 1.0, p_eps),
};

START_TEST(test_plateau_table)
{
	const plateau_case *c = &plateau_cases[_i];
	lrs_sched_ctx none = ctx_none();
	lrs_sched *s = build("reduce_on_plateau", c->params, &none);
	lrs_plateau st;
	long bad = -1;
	double got = 0, before;

	ck_assert_int_eq(lrs_plateau_init(&st, s), 0);
	before = lrs_sched_lr(s, 0);
	for (size_t i = 0; i < c->n && bad < 0; i++) {
		got = lrs_plateau_step(&st, c->metric[i]);
		if (!close_to(got, c->lr[i], REL_TOL) || !close_to(st.lr, got, 0))
			bad = (long)i;
	}
	lrs_sched_free(s);
	ck_assert_msg(bad < 0, "reduce_on_plateau {%s}: after metric %ld: lr %.17g, expected %.17g",
	              c->params, bad, got, bad >= 0 ? c->lr[bad] : 0.0);
	ck_assert_int_eq(st.epochs, (long)c->n);
	/* lr(step) is the rate before any metric: the schedule's lr */
	ck_assert(close_to(before, c->lr0, REL_TOL));
}
END_TEST

/* Hand-scripted: the default mode is max (for accuracy), patience 10:
 * the 11th epoch in a row without improvement cuts the rate by 10. */
START_TEST(test_plateau_defaults)
{
	lrs_sched_ctx run = ctx_run();
	lrs_sched *s = build("reduce_on_plateau", "", &run);
	lrs_plateau st;
	double lr[14];

	ck_assert_int_eq(lrs_plateau_init(&st, s), 0);
	ck_assert(close_to(st.lr, 0.1, REL_TOL));                /* lr = @max */
	lr[0] = lrs_plateau_step(&st, 0.50);
	lr[1] = lrs_plateau_step(&st, 0.60);                      /* rising: better in max mode */
	for (int i = 2; i < 14; i++)
		lr[i] = lrs_plateau_step(&st, 0.55);                  /* 12 bad epochs */
	lrs_sched_free(s);
	for (int i = 0; i < 12; i++)
		ck_assert_msg(close_to(lr[i], 0.1, REL_TOL), "epoch %d: lr %.17g", i, lr[i]);
	ck_assert_msg(close_to(lr[12], 0.01, REL_TOL), "epoch 12: lr %.17g", lr[12]);
	ck_assert_msg(close_to(lr[13], 0.01, REL_TOL), "epoch 13: lr %.17g", lr[13]);
}
END_TEST

/* lrs_plateau_rates over steps of 3-step epochs: each case's table, the
 * rate of epoch e's steps set by the metrics of the epochs before it; a
 * run longer than its metrics keeps the last rate. */
START_TEST(test_plateau_rates_by_step)
{
	const plateau_case *c = &plateau_cases[_i];
	lrs_sched_ctx none = ctx_none();
	lrs_sched *s = build("reduce_on_plateau", c->params, &none);
	long spe = 3, steps = (long)(c->n + 2) * spe;
	double lr[64];

	ck_assert_int_le(steps, 64);
	ck_assert_int_eq(lrs_plateau_epochs_fed(steps, spe, c->n), (long)c->n);
	ck_assert_int_eq(lrs_plateau_epochs_fed(2 * spe, spe, c->n), 1);
	ck_assert_int_eq(lrs_plateau_rates(lr, s, steps, spe, c->metric, c->n), 0);
	lrs_sched_free(s);
	for (long i = 0; i < steps; i++) {
		long e = i / spe;   /* metrics fed before step i */
		double want = e == 0 ? c->lr0 : c->lr[(e < (long)c->n ? e : (long)c->n) - 1];
		ck_assert_msg(close_to(lr[i], want, REL_TOL), "{%s} step %ld: lr %.17g, expected %.17g", c->params, i,
		              lr[i], want);
	}
}
END_TEST

/* lrs_plateau_rates refuses a schedule that is not reduce_on_plateau;
 * lrs_sched_rates is lr(step) and momentum(step) step by step. */
START_TEST(test_sched_rates)
{
	lrs_sched_ctx run = ctx_run();
	lrs_sched *s = build("one_cycle", "", &run);
	double lr[20], mom[20], m = 0.5;

	ck_assert_int_eq(lrs_plateau_rates(lr, s, 20, 2, &m, 1), LRS_EINVALID);
	ck_assert(lrs_sched_cycles_momentum(s));
	lrs_sched_rates(lr, mom, s, 20);
	for (long i = 0; i < 20; i++) {
		ck_assert(lr[i] == lrs_sched_lr(s, i));
		ck_assert(mom[i] == lrs_sched_momentum(s, i));
	}
	lrs_sched_free(s);
}
END_TEST

/* min_lr defaults to @min: cuts stop at the picked lower bound. */
START_TEST(test_plateau_min_lr_default)
{
	lrs_sched_ctx run = ctx_run();
	lrs_sched *s = build("reduce_on_plateau", "lr=0.1 patience=0 mode=min", &run);
	lrs_plateau st;
	double lr = 0;

	ck_assert_int_eq(lrs_plateau_init(&st, s), 0);
	for (int i = 0; i < 6; i++)
		lr = lrs_plateau_step(&st, 1.0);
	lrs_sched_free(s);
	ck_assert(close_to(lr, 0.001, REL_TOL));
}
END_TEST

START_TEST(test_plateau_init_wrong_type)
{
	lrs_sched_ctx none = ctx_none();
	lrs_sched *s = build("step", "lr=0.1 step_size=3", &none);
	lrs_plateau st;
	int rc = lrs_plateau_init(&st, s);

	lrs_sched_free(s);
	ck_assert_int_eq(rc, LRS_EINVALID);
	ck_assert_str_ne(lrs_error_last(), "");
}
END_TEST

/* ======================================================== Keras family */

/* Keras optimizers/schedules/learning_rate_schedule.py, transcribed to
 * Python floats (float64) and evaluated at step = 0, 1, ...:
 *   ExponentialDecay  ilr * rate^p, p = step/decay_steps (floored: staircase)
 *   InverseTimeDecay  ilr / (1 + rate*p), p as above
 *   PolynomialDecay   step = min(step, ds) or, cycle, ds *= (step == 0 ? 1 :
 *                     ceil(step/ds)); (ilr - end)*(1 - step/ds)^power + end
 *   CosineDecay       (1-alpha)*0.5*(1 + cos(pi*min(step,ds)/ds)) + alpha,
 *                     times ilr; with warmup_target: step = min(step, ds+ws),
 *                     step < ws ? (target - ilr)*step/ws + ilr
 *                               : decay of step - ws from target
 *   CosineDecayRestarts  i = floor(f) (t_mul 1) or floor(log(1 - f*(1 -
 *                     t_mul))/log(t_mul)); f = (f - (1 - t_mul^i)/(1 -
 *                     t_mul))/t_mul^i; ilr*((1-alpha)*0.5*m_mul^i*(1 +
 *                     cos(pi*f)) + alpha), f = step/first_decay_steps
 *   LinearCosineDecay step = min(step, ds); ilr*((alpha + (ds-step)/ds) *
 *                     0.5*(1 + cos(pi*2*num_periods*step/ds)) + beta)
 * with the parameters of keras_cases below. */
static const double k_exp_lr[] = {
	0.1, 0.08408964152537146, 0.07071067811865477, 0.05946035575013606, 0.05,
	0.04204482076268573, 0.03535533905932738, 0.02973017787506803, 0.025,
	0.021022410381342865
};
static const double k_exp_stair_lr[] = {
	0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025
};
static const double k_inv_lr[] = {
	0.1, 0.08888888888888889, 0.08, 0.07272727272727274, 0.06666666666666667,
	0.06153846153846154, 0.05714285714285715, 0.05333333333333334, 0.05,
	0.047058823529411764
};
static const double k_inv_stair_lr[] = {
	0.1, 0.1, 0.1, 0.1, 0.06666666666666667, 0.06666666666666667, 0.06666666666666667,
	0.06666666666666667, 0.05, 0.05
};
static const double k_poly_lr[] = {
	0.1, 0.060625000000000005, 0.0325, 0.015625, 0.01, 0.01, 0.01, 0.01
};
static const double k_poly_cycle_lr[] = {
	0.1, 0.060625000000000005, 0.0325, 0.015625, 0.01, 0.022656250000000003, 0.015625,
	0.01140625, 0.01, 0.015625, 0.012499999999999999, 0.010625, 0.01, 0.0131640625
};
static const double k_cos_lr[] = {
	0.1, 0.09779754323328192, 0.09140576474687263, 0.08145033635316129,
	0.06890576474687264, 0.05500000000000001, 0.04109423525312738, 0.02854966364683872,
	0.018594235253127374, 0.012202456766718092, 0.010000000000000002, 0.010000000000000002,
	0.010000000000000002, 0.010000000000000002
};
static const double k_cos_warm_lr[] = {
	0.02, 0.04, 0.06, 0.08, 0.1, 0.09619397662556434, 0.08535533905932738,
	0.0691341716182545, 0.05, 0.030865828381745515, 0.014644660940672627,
	0.0038060233744356634, 0.0, 0.0, 0.0, 0.0
};
static const double k_restarts1_lr[] = {
	1.0, 0.8535533905932737, 0.5, 0.14644660940672627, 1.0, 0.8535533905932737, 0.5,
	0.14644660940672627, 1.0, 0.8535533905932737, 0.5, 0.14644660940672627, 1.0
};
static const double k_restarts2_lr[] = {
	0.1, 0.08681980515339464, 0.05500000000000001, 0.023180194846605367,
	0.05500000000000001, 0.053287289481503956, 0.04840990257669732, 0.04111037722821453,
	0.0325, 0.023889622771785482, 0.016590097423302683, 0.01171271051849605, 0.0325,
	0.032283834404536346, 0.03164364474075198, 0.03060403313840364, 0.029204951288348657,
	0.027500165121470528, 0.02555518861410726, 0.023444766122681447, 0.021250000000000005,
	0.01905523387731856, 0.016944811385892742, 0.014999834878529478, 0.013295048711651342,
	0.011895966861596366, 0.010856355259248026, 0.010216165595463659, 0.021250000000000005,
	0.02122291408753111
};
static const double k_restarts15_lr[] = {
	0.1, 0.08535533905932738, 0.05, 0.014644660940672627, 0.1, 0.09330127018922195,
	0.07500000000000001, 0.05, 0.025000000000000012, 0.006698729810778065, 0.1,
	0.09698463103929543, 0.0883022221559489, 0.07500000000000001, 0.058682408883346526,
	0.041317591116653486, 0.025000000000000012, 0.011697777844051106,
	0.0030153689607045845, 0.1, 0.0986522435289912, 0.09468163201617062,
	0.0883022221559489, 0.07985792958513932, 0.06980398830195784
};
static const double k_lincos_lr[] = {
	0.1001, 0.08789754323328192, 0.07246067977499791, 0.055672483830236555,
	0.03937050983124843, 0.0251, 0.013919660112501054, 0.0062832212156129046,
	0.002009830056250527, 0.0003447174185242324, 0.0001, 0.0001, 0.0001, 0.0001
};
static const double k_lincos2_lr[] = {
	0.11100000000000002, 0.06645084971874737, 0.009594235253127371, 0.008639320225002097,
	0.04681559480312315, 0.061, 0.033725424859373694, 0.004819660112501056,
	0.0038647450843757856, 0.014090169943749474, 0.011000000000000001,
	0.011000000000000001, 0.011000000000000001, 0.011000000000000001
};

static const table_case keras_cases[] = {
	TABLE("exponential_decay", "initial_learning_rate=0.1 decay_steps=4 decay_rate=0.5", 0, k_exp_lr, NULL),
	TABLE("exponential_decay", "initial_learning_rate=0.1 decay_steps=4 decay_rate=0.5 staircase=true", 0,
	      k_exp_stair_lr, NULL),
	TABLE("inverse_time_decay", "initial_learning_rate=0.1 decay_steps=4 decay_rate=0.5 staircase=false", 0,
	      k_inv_lr, NULL),
	TABLE("inverse_time_decay", "initial_learning_rate=0.1 decay_steps=4 decay_rate=0.5 staircase=true", 0,
	      k_inv_stair_lr, NULL),
	TABLE("polynomial_decay", "initial_learning_rate=0.1 decay_steps=4 end_learning_rate=0.01 power=2", 0,
	      k_poly_lr, NULL),
	TABLE("polynomial_decay",
	      "initial_learning_rate=0.1 decay_steps=4 end_learning_rate=0.01 power=2 cycle=true", 0,
	      k_poly_cycle_lr, NULL),
	TABLE("cosine_decay", "initial_learning_rate=0.1 decay_steps=10 alpha=0.1", 0, k_cos_lr, NULL),
	TABLE("cosine_decay", "initial_learning_rate=0.02 decay_steps=8 warmup_target=0.1 warmup_steps=4", 0,
	      k_cos_warm_lr, NULL),
	/* decay_steps defaults to the run's steps minus the warm-up: 12 - 4 */
	TABLE("cosine_decay", "initial_learning_rate=0.02 warmup_target=0.1 warmup_steps=4", 12,
	      k_cos_warm_lr, NULL),
	TABLE("cosine_decay_restarts", "initial_learning_rate=1 first_decay_steps=4 t_mul=1", 0,
	      k_restarts1_lr, NULL),
	TABLE("cosine_decay_restarts", "initial_learning_rate=0.1 first_decay_steps=4 t_mul=2 m_mul=0.5 alpha=0.1",
	      0, k_restarts2_lr, NULL),
	TABLE("cosine_decay_restarts", "initial_learning_rate=0.1 first_decay_steps=4 t_mul=1.5", 0,
	      k_restarts15_lr, NULL),
	TABLE("linear_cosine_decay", "initial_learning_rate=0.1 decay_steps=10", 0, k_lincos_lr, NULL),
	TABLE("linear_cosine_decay", "initial_learning_rate=0.1 decay_steps=10 num_periods=2 alpha=0.1 beta=0.01",
	      0, k_lincos2_lr, NULL),
	/* the total steps default: decay_steps from the run */
	TABLE("linear_cosine_decay", "initial_learning_rate=0.1", 10, k_lincos_lr, NULL),
	TABLE("exponential_decay", "initial_learning_rate=0.1 decay_rate=0.5", 4, k_exp_lr, NULL),
};

START_TEST(test_keras_table)
{
	check_table(&keras_cases[_i]);
}
END_TEST

/* Hand-computed ExponentialDecay and InverseTimeDecay, ilr 0.1,
 * decay_steps 4, rate 0.5; sqrt(0.5) = 0.70710678118654752. */
START_TEST(test_exp_inverse_hand)
{
	lrs_sched_ctx none = ctx_none();
	static const point exp_smooth[] = {
		{ 0, 0.1 }, { 2, 0.070710678118654752 }, { 4, 0.05 }, { 8, 0.025 },
	};
	static const point exp_stair[] = {
		{ 0, 0.1 }, { 3, 0.1 }, { 4, 0.05 }, { 7, 0.05 }, { 8, 0.025 },
	};
	static const point inv_smooth[] = {
		{ 0, 0.1 }, { 2, 0.08 }, { 4, 0.1 / 1.5 }, { 8, 0.05 },
	};
	static const point inv_stair[] = {
		{ 0, 0.1 }, { 3, 0.1 }, { 4, 0.1 / 1.5 }, { 7, 0.1 / 1.5 }, { 8, 0.05 },
	};

	CHECK_POINTS("exponential_decay", "initial_learning_rate=0.1 decay_steps=4 decay_rate=0.5", &none,
	             exp_smooth);
	CHECK_POINTS("exponential_decay", "initial_learning_rate=0.1 decay_steps=4 decay_rate=0.5 staircase=true",
	             &none, exp_stair);
	CHECK_POINTS("inverse_time_decay", "initial_learning_rate=0.1 decay_steps=4 decay_rate=0.5", &none,
	             inv_smooth);
	CHECK_POINTS("inverse_time_decay", "initial_learning_rate=0.1 decay_steps=4 decay_rate=0.5 staircase=true",
	             &none, inv_stair);
}
END_TEST

/* PiecewiseConstantDecay: values[0] while step <= boundaries[0], values[k]
 * while boundaries[k-1] < step <= boundaries[k], the last value after. */
START_TEST(test_piecewise_hand)
{
	lrs_sched_ctx none = ctx_none();
	static const point two[] = {
		{ 0, 1 }, { 2, 1 }, { 3, 1 }, { 4, 0.5 }, { 6, 0.5 }, { 7, 0.1 }, { 1000000, 0.1 },
	};
	static const point one[] = {
		{ 0, 0.3 }, { 1, 0.2 }, { 5, 0.2 },
	};

	CHECK_POINTS("piecewise_constant_decay", "boundaries=3,6 values=1,0.5,0.1", &none, two);
	CHECK_POINTS("piecewise_constant_decay", "boundaries=0, values=0.3,0.2", &none, one);
}
END_TEST

/* PolynomialDecay, ilr 0.1, decay_steps 4, end 0.01, power 2:
 * 0.01 + 0.09*(1 - p)^2. cycle=false clamps at decay_steps; cycle=true
 * uses a multiplier of 1 at step 0 and ceil(step/4) after, so step 4 ends
 * the first period (0.01), step 5 is 5/8 into an 8-step one, step 9 is
 * 9/12 into a 12-step one. */
START_TEST(test_polynomial_decay_hand)
{
	lrs_sched_ctx none = ctx_none();
	static const point clamp[] = {
		{ 0, 0.1 }, { 2, 0.0325 }, { 4, 0.01 }, { 5, 0.01 }, { 100, 0.01 },
	};
	static const point cycle[] = {
		{ 0, 0.1 }, { 2, 0.0325 }, { 4, 0.01 }, { 5, 0.02265625 }, { 8, 0.01 }, { 9, 0.015625 },
	};

	CHECK_POINTS("polynomial_decay", "initial_learning_rate=0.1 decay_steps=4 end_learning_rate=0.01 power=2",
	             &none, clamp);
	CHECK_POINTS("polynomial_decay",
	             "initial_learning_rate=0.1 decay_steps=4 end_learning_rate=0.01 power=2 cycle=true",
	             &none, cycle);
}
END_TEST

/* CosineDecay: without warm-up (alpha 0.1: half-way 0.55 of ilr, then
 * alpha*ilr for good); with warm-up from 0.02 to 0.1 over 4 steps, then
 * decay from 0.1 over 8 steps; warmup_target with warmup_steps 0 decays
 * from the target at once (Keras takes the decay branch when step >= 0). */
START_TEST(test_cosine_decay_hand)
{
	lrs_sched_ctx none = ctx_none();
	static const point plain[] = {
		{ 0, 0.1 }, { 5, 0.055 }, { 10, 0.01 }, { 20, 0.01 },
	};
	static const point warm[] = {
		{ 0, 0.02 }, { 1, 0.04 }, { 2, 0.06 }, { 3, 0.08 }, { 4, 0.1 }, { 8, 0.05 }, { 12, 0 },
		{ 40, 0 },
	};
	static const point target_only[] = {
		{ 0, 0.1 }, { 4, 0.05 }, { 8, 0 },
	};

	CHECK_POINTS("cosine_decay", "initial_learning_rate=0.1 decay_steps=10 alpha=0.1", &none, plain);
	CHECK_POINTS("cosine_decay", "initial_learning_rate=0.02 decay_steps=8 warmup_target=0.1 warmup_steps=4",
	             &none, warm);
	CHECK_POINTS("cosine_decay", "initial_learning_rate=0.02 decay_steps=8 warmup_target=0.1", &none,
	             target_only);
}
END_TEST

/* CosineDecayRestarts. t_mul 1, first_decay_steps 4: restarts at 4, 8.
 * t_mul 2, m_mul 0.5, alpha 0.1, ilr 0.1: periods of 4, 8, 16 steps, so
 * restarts at steps 4, 12, 28, where f = 1, 3, 7 and the restart index
 * floor(log(1 + f)/log 2) = 1, 2, 3 (each quotient is exact in double);
 * at a restart the rate is ilr*((1-alpha)*m_mul^i + alpha). */
START_TEST(test_cosine_decay_restarts_hand)
{
	lrs_sched_ctx none = ctx_none();
	static const point mul1[] = {
		{ 0, 1 }, { 2, 0.5 }, { 3, 0.14644660940672624 }, { 4, 1 }, { 6, 0.5 }, { 8, 1 },
	};
	static const point mul2[] = {
		{ 0, 0.1 }, { 2, 0.055 }, { 4, 0.055 }, { 8, 0.0325 }, { 12, 0.0325 }, { 20, 0.02125 },
		{ 28, 0.02125 }, { 44, 0.015625 },
	};

	CHECK_POINTS("cosine_decay_restarts", "initial_learning_rate=1 first_decay_steps=4 t_mul=1", &none, mul1);
	CHECK_POINTS("cosine_decay_restarts",
	             "initial_learning_rate=0.1 first_decay_steps=4 t_mul=2 m_mul=0.5 alpha=0.1", &none, mul2);
}
END_TEST

/* t_mul 3, first_decay_steps 1, m_mul 0.5, alpha 0.1: restarts at 1, 4,
 * 13, 40, 121. Values from the Keras transcription above (Python float64,
 * the same glibc log). At 121, log(243)/log(3) = 4.999999999999999 in
 * double, so SPEC's formula puts step 121 at the end of period 4 (alpha =
 * 0.1) and the restart shows at 122: this pins lrsweep to the formula,
 * as SPEC.md 3 asks, at a boundary where the quotient is inexact. */
START_TEST(test_cosine_decay_restarts_t_mul3)
{
	lrs_sched_ctx none = ctx_none();
	static const point pts[] = {
		{ 0, 1.0 }, { 1, 0.55 }, { 2, 0.4375 }, { 3, 0.21250000000000008 }, { 4, 0.325 },
		{ 12, 0.10678458016158532 }, { 13, 0.21250000000000002 }, { 39, 0.10038034237701571 },
		{ 40, 0.15625 }, { 41, 0.15622884866418146 }, { 80, 0.12867038120608257 },
		{ 120, 0.10002115133581854 }, { 121, 0.1 }, { 122, 0.12812382479484208 },
	};

	CHECK_POINTS("cosine_decay_restarts",
	             "initial_learning_rate=1 first_decay_steps=1 t_mul=3 m_mul=0.5 alpha=0.1", &none, pts);
}
END_TEST

/* linear_cosine_decay, ilr 0.1, decay_steps 10, defaults (num_periods 0.5,
 * alpha 0, beta 0.001): 0.1*((10 - s)/10 * 0.5*(1 + cos(pi*s/10)) + 0.001). */
START_TEST(test_linear_cosine_hand)
{
	lrs_sched_ctx none = ctx_none();
	static const point pts[] = {
		{ 0, 0.1001 }, { 5, 0.0251 }, { 10, 0.0001 }, { 20, 0.0001 },
	};

	CHECK_POINTS("linear_cosine_decay", "initial_learning_rate=0.1 decay_steps=10", &none, pts);
}
END_TEST

/* noisy_linear_cosine_decay with initial_variance 0 is linear_cosine_decay
 * exactly (SPEC 3): the noise term is 0*z. */
START_TEST(test_noisy_zero_variance)
{
	lrs_sched_ctx none = ctx_none();
	lrs_sched *noisy = build("noisy_linear_cosine_decay",
	                         "initial_learning_rate=0.1 decay_steps=50 num_periods=2 alpha=0.1 "
	                         "initial_variance=0 seed=7", &none);
	lrs_sched *plain = build("linear_cosine_decay",
	                         "initial_learning_rate=0.1 decay_steps=50 num_periods=2 alpha=0.1", &none);
	long bad = -1;

	for (long i = 0; i < 80 && bad < 0; i++)
		if (lrs_sched_lr(noisy, i) != lrs_sched_lr(plain, i))
			bad = i;
	lrs_sched_free(noisy);
	lrs_sched_free(plain);
	ck_assert_msg(bad < 0, "noisy with initial_variance 0 differs from linear_cosine_decay at %ld", bad);
}
END_TEST

/* Same seed, same values (two builds); another seed, other values; and
 * lr(i) is a pure function: called twice, or in another order, it gives
 * the same value. */
START_TEST(test_noisy_seed_and_purity)
{
	lrs_sched_ctx none = ctx_none();
	const char *a_spec = "initial_learning_rate=0.1 decay_steps=100 seed=1";
	lrs_sched *a = build("noisy_linear_cosine_decay", a_spec, &none);
	lrs_sched *a2 = build("noisy_linear_cosine_decay", a_spec, &none);
	lrs_sched *b = build("noisy_linear_cosine_decay", "initial_learning_rate=0.1 decay_steps=100 seed=2", &none);
	lrs_sched *plain = build("linear_cosine_decay", "initial_learning_rate=0.1 decay_steps=100", &none);
	double fwd[100];
	long same_seed_bad = -1, impure = -1, differ = 0, noisy = 0;

	for (long i = 0; i < 100; i++)
		fwd[i] = lrs_sched_lr(a, i);
	for (long i = 99; i >= 0; i--) {
		if (lrs_sched_lr(a, i) != fwd[i] || lrs_sched_lr(a, i) != fwd[i])
			impure = i;
		if (lrs_sched_lr(a2, i) != fwd[i])
			same_seed_bad = i;
		differ += lrs_sched_lr(b, i) != fwd[i];
		noisy += fwd[i] != lrs_sched_lr(plain, i);
	}
	lrs_sched_free(a);
	lrs_sched_free(a2);
	lrs_sched_free(b);
	lrs_sched_free(plain);
	ck_assert_msg(impure < 0, "lr(%ld) changed between calls", impure);
	ck_assert_msg(same_seed_bad < 0, "same seed, different lr(%ld)", same_seed_bad);
	ck_assert_msg(differ >= 95, "seeds 1 and 2 agree at %ld of 100 steps", 100 - differ);
	ck_assert_msg(noisy >= 95, "no noise at %ld of 100 steps", 100 - noisy);
}
END_TEST

/* The noise is N(0, initial_variance / (1 + step)^variance_decay) added to
 * the linear term (Keras's NoisyLinearCosineDecay). With num_periods 0 the
 * cosine factor is 1, so eps = lr/ilr - beta - alpha - (ds - step)/ds;
 * standardised, 4000 draws must have mean ~0 and variance ~1 (the bounds
 * are over 6 standard errors wide; the seed is fixed, so this is
 * deterministic). */
START_TEST(test_noisy_distribution)
{
	lrs_sched_ctx none = ctx_none();
	const long n = 4000;
	lrs_sched *s = build("noisy_linear_cosine_decay",
	                     "initial_learning_rate=2 decay_steps=4000 num_periods=0 alpha=0.25 beta=0.5 "
	                     "initial_variance=4 variance_decay=0.55 seed=12345", &none);
	double sum = 0, sum2 = 0, mean, var;

	for (long i = 0; i < n; i++) {
		double eps = lrs_sched_lr(s, i) / 2 - 0.5 - 0.25 - (double)(n - i) / (double)n;
		double sd = sqrt(4 / pow(1.0 + (double)i, 0.55));
		double z = eps / sd;
		sum += z;
		sum2 += z * z;
	}
	lrs_sched_free(s);
	mean = sum / (double)n;
	var = sum2 / (double)n - mean * mean;
	ck_assert_msg(fabs(mean) < 0.1, "noise mean %g", mean);
	ck_assert_msg(var > 0.86 && var < 1.14, "noise variance %g", var);
}
END_TEST

/* ========================================================= CLR policies */

/* The CLR policies of SPEC.md 3, written out in Python for i = 0..25 with
 * base_lr 0.01, max_lr 0.1, step_size 4, gamma 0.95 (exp_range):
 *   cycle = floor(1 + i/(2*step_size)), x = |i/step_size - 2*cycle + 1|,
 *   lr = base + (max - base) * w(x) * s, w: triangular max(0, 1-x),
 *   welch 1 - x^2, hann (1 + cos(pi*x))/2; s: 1, 1/2^(cycle-1), gamma^i.
 * Tables are named c_<policy>_<window>_lr. */
static const double c_triangular_triangular_lr[] = {
	0.01, 0.0325, 0.05500000000000001, 0.0775, 0.1, 0.0775, 0.05500000000000001, 0.0325,
	0.01, 0.0325, 0.05500000000000001, 0.0775, 0.1, 0.0775, 0.05500000000000001, 0.0325,
	0.01, 0.0325, 0.05500000000000001, 0.0775, 0.1, 0.0775, 0.05500000000000001, 0.0325,
	0.01, 0.0325
};
static const double c_triangular_welch_lr[] = {
	0.01, 0.04937500000000001, 0.0775, 0.094375, 0.1, 0.094375, 0.0775,
	0.04937500000000001, 0.01, 0.04937500000000001, 0.0775, 0.094375, 0.1, 0.094375,
	0.0775, 0.04937500000000001, 0.01, 0.04937500000000001, 0.0775, 0.094375, 0.1,
	0.094375, 0.0775, 0.04937500000000001, 0.01, 0.04937500000000001
};
static const double c_triangular_hann_lr[] = {
	0.01, 0.023180194846605363, 0.05500000000000001, 0.08681980515339464, 0.1,
	0.08681980515339464, 0.05500000000000001, 0.023180194846605363, 0.01,
	0.023180194846605363, 0.05500000000000001, 0.08681980515339464, 0.1,
	0.08681980515339464, 0.05500000000000001, 0.023180194846605363, 0.01,
	0.023180194846605363, 0.05500000000000001, 0.08681980515339464, 0.1,
	0.08681980515339464, 0.05500000000000001, 0.023180194846605363, 0.01,
	0.023180194846605363
};
static const double c_triangular2_triangular_lr[] = {
	0.01, 0.0325, 0.05500000000000001, 0.0775, 0.1, 0.0775, 0.05500000000000001, 0.0325,
	0.01, 0.02125, 0.0325, 0.043750000000000004, 0.05500000000000001, 0.043750000000000004,
	0.0325, 0.02125, 0.01, 0.015625, 0.02125, 0.026875000000000003, 0.0325,
	0.026875000000000003, 0.02125, 0.015625, 0.01, 0.012812500000000001
};
static const double c_triangular2_welch_lr[] = {
	0.01, 0.04937500000000001, 0.0775, 0.094375, 0.1, 0.094375, 0.0775,
	0.04937500000000001, 0.01, 0.029687500000000006, 0.043750000000000004,
	0.052187500000000005, 0.05500000000000001, 0.052187500000000005, 0.043750000000000004,
	0.029687500000000006, 0.01, 0.01984375, 0.026875000000000003, 0.031093750000000003,
	0.0325, 0.031093750000000003, 0.026875000000000003, 0.01984375, 0.01,
	0.014921875000000001
};
static const double c_triangular2_hann_lr[] = {
	0.01, 0.023180194846605363, 0.05500000000000001, 0.08681980515339464, 0.1,
	0.08681980515339464, 0.05500000000000001, 0.023180194846605363, 0.01,
	0.016590097423302683, 0.0325, 0.048409902576697326, 0.05500000000000001,
	0.048409902576697326, 0.0325, 0.016590097423302683, 0.01, 0.013295048711651342,
	0.02125, 0.029204951288348664, 0.0325, 0.029204951288348664, 0.02125,
	0.013295048711651342, 0.01, 0.01164752435582567
};
static const double c_exp_range_triangular_lr[] = {
	0.01, 0.031375, 0.050612500000000005, 0.06787281249999999, 0.08330556249999999,
	0.06223021328124999, 0.043079135078125, 0.02571258916210937, 0.01, 0.02418061171880371,
	0.036943162265727046, 0.04839400622866103, 0.058632407889637306, 0.04465059062136658,
	0.03194537406019883, 0.020424052678594443, 0.01, 0.019407707542431485,
	0.02787464433061982, 0.03547136817113324, 0.04226373301676877, 0.03298790977444775,
	0.024559009523816906, 0.016915529523813033, 0.01, 0.01624126539524126
};
static const double c_exp_range_welch_lr[] = {
	0.01, 0.047406250000000004, 0.07091875, 0.08234101562499999, 0.08330556249999999,
	0.07528776660156249, 0.05961870261718749, 0.037497031033691404, 0.01,
	0.034816070507906485, 0.05041474339859057, 0.05799250778582629, 0.058632407889637306,
	0.053313238276708225, 0.04291806109029825, 0.02824209218754028, 0.01,
	0.0264634881992551, 0.03681196649592973, 0.04183921021391655, 0.04226373301676877,
	0.03873488721805969, 0.03183851428572536, 0.022102176666672805, 0.01,
	0.020922214441672207
};
static const double c_exp_range_hann_lr[] = {
	0.01, 0.022521185104275095, 0.050612500000000005, 0.07586338044339172,
	0.08330556249999999, 0.06944170085016102, 0.043079135078125, 0.019204221631167168,
	0.01, 0.01830681002212837, 0.036943162265727046, 0.05369511225991053,
	0.058632407889637306, 0.049434838814569254, 0.03194537406019883, 0.016106268684229038,
	0.01, 0.015510907487516705, 0.02787464433061982, 0.03898823022069383,
	0.04226373301676877, 0.036161877774176183, 0.024559009523816906, 0.014051023404058123,
	0.01, 0.013656048622162456
};

#define CLR_CASE(policy, window, extra) \
	TABLE(#policy, "base_lr=0.01 max_lr=0.1 step_size=4 window=" #window extra, 0, \
	      c_##policy##_##window##_lr, NULL)

static const table_case clr_cases[] = {
	CLR_CASE(triangular, triangular, ""),
	CLR_CASE(triangular, welch, ""),
	CLR_CASE(triangular, hann, ""),
	CLR_CASE(triangular2, triangular, ""),
	CLR_CASE(triangular2, welch, ""),
	CLR_CASE(triangular2, hann, ""),
	CLR_CASE(exp_range, triangular, " gamma=0.95"),
	CLR_CASE(exp_range, welch, " gamma=0.95"),
	CLR_CASE(exp_range, hann, " gamma=0.95"),
	/* the window defaults to triangular */
	TABLE("triangular", "base_lr=0.01 max_lr=0.1 step_size=4", 0, c_triangular_triangular_lr, NULL),
};

START_TEST(test_clr_table)
{
	check_table(&clr_cases[_i]);
}
END_TEST

/* Hand-computed at x = 1 (troughs), x = 0.5 (i = 2: triangular 0.5, welch
 * 0.75, hann 0.5) and x = 0 (peaks, i = 4, 12, 20); triangular2 halves the
 * height each cycle (cycle 2 at i = 12, cycle 3 at i = 20); exp_range
 * scales by gamma^i (0.5^4 = 0.0625 at the first peak). */
START_TEST(test_clr_hand)
{
	lrs_sched_ctx none = ctx_none();
	static const point tri[] = {
		{ 0, 0.01 }, { 2, 0.055 }, { 4, 0.1 }, { 6, 0.055 }, { 8, 0.01 }, { 12, 0.1 },
	};
	static const point welch[] = {
		{ 0, 0.01 }, { 2, 0.0775 }, { 4, 0.1 }, { 6, 0.0775 }, { 8, 0.01 },
	};
	static const point hann[] = {
		{ 0, 0.01 }, { 2, 0.055 }, { 4, 0.1 }, { 8, 0.01 },
	};
	static const point tri2[] = {
		{ 4, 0.1 }, { 8, 0.01 }, { 12, 0.055 }, { 20, 0.0325 }, { 22, 0.02125 },
	};
	static const point exp_range[] = {
		{ 0, 0.01 }, { 2, 0.02125 }, { 4, 0.015625 }, { 8, 0.01 },
	};

	CHECK_POINTS("triangular", "base_lr=0.01 max_lr=0.1 step_size=4", &none, tri);
	CHECK_POINTS("triangular", "base_lr=0.01 max_lr=0.1 step_size=4 window=welch", &none, welch);
	CHECK_POINTS("triangular", "base_lr=0.01 max_lr=0.1 step_size=4 window=hann", &none, hann);
	CHECK_POINTS("triangular2", "base_lr=0.01 max_lr=0.1 step_size=4", &none, tri2);
	CHECK_POINTS("exp_range", "base_lr=0.01 max_lr=0.1 step_size=4 gamma=0.5", &none, exp_range);
}
END_TEST

/* ================================================================ sgdr */

/* sgdr, SPEC.md 3, written out in Python as a list of cycles: cycle k
 * lasts steps_per_epoch*L_k steps, L_0 = cycle_length, L_{k+1} =
 * ceil(L_k*mult_factor), and step t of T in it is min_lr + (max_lr *
 * lr_decay^k - min_lr)*(1 + cos(pi*t/T))/2.
 *   s_sgdr_lr:      min 0.001, max 0.1, steps_per_epoch 2, cycle_length 2,
 *                   mult_factor 1.5, lr_decay 0.5 (cycles of 4, 6, 10, 16)
 *   s_sgdr_dflt_lr: min 0.001, max 0.1, steps_per_epoch 3, defaults
 *                   cycle_length 10, mult_factor 2, lr_decay 1 */
static const double s_sgdr_lr[] = {
	0.1, 0.0855017856687341, 0.0505, 0.0154982143312659, 0.05, 0.046717622392718754,
	0.037750000000000006, 0.025500000000000002, 0.013250000000000005, 0.004282377607281252,
	0.025, 0.024412678195541847, 0.02270820393249937, 0.02005342302750968,
	0.01670820393249937, 0.013000000000000001, 0.009291796067500632, 0.005946576972490324,
	0.003291796067500632, 0.0015873218044581577, 0.0125, 0.012389515362318575,
	0.012062307311939899, 0.011530950270739637, 0.010815863991822647, 0.009944528839862712,
	0.008950429736099268, 0.007871769351592738, 0.00675, 0.0056282306484072625,
	0.004549570263900734, 0.0035554711601372886, 0.002684136008177352,
	0.0019690497292603644, 0.0014376926880601013, 0.0011104846376814251, 0.00625,
	0.006227542761106253, 0.006160555294008804, 0.006050183772842128
};
static const double s_sgdr_dflt_lr[] = {
	0.1, 0.09972883382072953, 0.09891830623632339, 0.09757729755661011,
	0.09572050015330874, 0.09336825748732973, 0.0905463412215599, 0.08728566886113102,
	0.08362196501476349, 0.07959536998847742, 0.07525000000000001, 0.07063346383225212,
	0.0657963412215599, 0.060791628695479084, 0.05567415893174885, 0.05050000000000002,
	0.04532584106825117, 0.040208371304520915, 0.03520365877844011, 0.030366536167747902,
	0.025750000000000012, 0.021404630011522586, 0.017378034985236535, 0.013714331138868996,
	0.010453658778440109, 0.007631742512670284, 0.005279499846691252,
	0.0034227024433899004, 0.0020816937636766184, 0.0012711661792704667, 0.1,
	0.0999321619703514, 0.09972883382072953, 0.09939057285945932, 0.09891830623632339,
	0.09831332840130888, 0.09757729755661011, 0.09671223111161148, 0.09572050015330874,
	0.09460482294732421, 0.09336825748732973, 0.09201419311329849, 0.0905463412215599,
	0.08896872509212006, 0.08728566886113102, 0.0855017856687341, 0.08362196501476349,
	0.08165135935696696, 0.07959536998847742, 0.07745963223324386, 0.07525000000000001,
	0.07297252973710756, 0.07063346383225212, 0.06823921350249237, 0.0657963412215599,
	0.06331154273257478, 0.060791628695479084, 0.05824350601949144, 0.05567415893174885,
	0.05309062983402572, 0.05050000000000002, 0.0479093701659743, 0.04532584106825117,
	0.04275649398050858, 0.040208371304520915, 0.03768845726742523, 0.03520365877844011,
	0.03276078649750764, 0.030366536167747902, 0.02802747026289244
};

START_TEST(test_sgdr_table)
{
	static const table_case c = TABLE("sgdr", "min_lr=0.001 max_lr=0.1 steps_per_epoch=2 cycle_length=2 "
	                                  "mult_factor=1.5 lr_decay=0.5", 0, s_sgdr_lr, NULL);
	/* bounds and steps per epoch from the run: min_lr @min, max_lr @max */
	static const table_case d = TABLE("sgdr", "", 0, s_sgdr_dflt_lr, NULL);
	lrs_sched_ctx run = ctx_of(0.001, 0.1, 3, 0);

	check_table(&c);
	check_table_of(build("sgdr", "", &run), &d);
}
END_TEST

/* Hand-computed, same parameters as s_sgdr_lr: restarts at steps 4, 10,
 * 20, 36, each at max_lr*0.5^k; half-way through a cycle the rate is the
 * mean of its ends. */
START_TEST(test_sgdr_hand)
{
	lrs_sched_ctx none = ctx_none();
	static const point pts[] = {
		{ 0, 0.1 }, { 2, 0.0505 }, { 3, 0.015498214331265898 }, { 4, 0.05 }, { 7, 0.0255 },
		{ 10, 0.025 }, { 15, 0.013 }, { 20, 0.0125 }, { 28, 0.00675 }, { 36, 0.00625 },
	};

	CHECK_POINTS("sgdr", "min_lr=0.001 max_lr=0.1 steps_per_epoch=2 cycle_length=2 mult_factor=1.5 lr_decay=0.5",
	             &none, pts);
}
END_TEST

/* Hand-computed, equal cycles (mult_factor 1): 4 epochs of 5 steps = 20
 * steps each, peaks max_lr*0.5^k, so step 20k restarts at 0.1*0.5^k and
 * step 20k+10 is half-way: (0.1*0.5^k + 0)/2. Far steps check the closed
 * form that replaces the walk over cycles. */
START_TEST(test_sgdr_equal_cycles)
{
	lrs_sched_ctx none = ctx_none();
	static const point pts[] = {
		{ 0, 0.1 }, { 10, 0.05 }, { 20, 0.05 }, { 30, 0.025 }, { 40, 0.025 },
		{ 2000000, 0.1 * 7.8886090522101181e-31 }, /* 0.5^100 */
		{ 2000010, 0.05 * 7.8886090522101181e-31 },
	};

	CHECK_POINTS("sgdr", "min_lr=0 max_lr=0.1 steps_per_epoch=5 cycle_length=4 mult_factor=1 lr_decay=0.5",
	             &none, pts);
}
END_TEST

/* ========================================================== validation */

/* A build that must fail with LRS_EINVALID, no schedule, and a message
 * holding every one of `needles` (the parameter's name first). */
typedef struct {
	const char *type;        /* NULL: the map's "type" key names it */
	const char *params;
	int with_run;            /* 1: ctx_run() (bounds, epochs, total); 0: nothing known */
	const char *needles[3];
} bad_case;

static const bad_case bad_cases[] = {
	/* unknown parameter: the nearest name is suggested, else all listed */
	{ "step", "lr=0.1 step_size=3 gama=0.5", 0, { "'gama'", "did you mean 'gamma'" } },
	{ "cosine_annealing", "lr=0.1 T_max=10 etamin=0", 0, { "'etamin'", "'eta_min'" } },
	{ "step", "lr=0.1 step_size=3 zzzzzzzzzzzz=1", 0, { "zzzzzzzzzzzz", "step_size", "gamma" } },
	/* missing required parameters */
	{ "step", "lr=0.1", 0, { "step_size", "missing" } },
	{ "exponential", "lr=0.1", 0, { "gamma", "missing" } },
	{ "multistep", "lr=0.1", 0, { "milestones", "missing" } },
	{ "piecewise_constant_decay", "boundaries=3,", 0, { "values", "missing" } },
	{ "cosine_annealing_warm_restarts", "lr=0.1", 0, { "T_0", "missing" } },
	{ "cosine_decay_restarts", "initial_learning_rate=0.1", 0, { "first_decay_steps", "missing" } },
	{ "exponential_decay", "initial_learning_rate=0.1 decay_steps=4", 0, { "decay_rate", "missing" } },
	{ "exp_range", "base_lr=0.01 max_lr=0.1 step_size=4", 0, { "gamma", "missing" } },
	{ "sequential", "milestones=3,", 0, { "schedules", "missing" } },
	/* a peak rate, a total and steps per epoch that nothing can default */
	{ "step", "step_size=3", 0, { "'lr'", "@max" } },
	{ "cyclic", "max_lr=0.1", 0, { "base_lr", "@min" } },
	{ "one_cycle", "max_lr=0.1", 0, { "total_steps" } },
	{ "cosine_annealing", "lr=0.1", 0, { "T_max" } },
	{ "polynomial", "lr=0.1", 0, { "total_iters" } },
	{ "exponential_decay", "initial_learning_rate=0.1 decay_rate=0.5", 0, { "decay_steps" } },
	{ "sgdr", "min_lr=0.001 max_lr=0.1", 0, { "steps_per_epoch" } },
	{ "cosine_decay", "initial_learning_rate=0.1 decay_steps=10 warmup_steps=5", 0, { "warmup_target" } },
	/* cosine_decay derives these two in finish(), after the others */
	{ "cosine_decay", "decay_steps=10", 0, { "initial_learning_rate", "missing" } },
	{ "cosine_decay", "initial_learning_rate=0.1", 0, { "decay_steps", "missing" } },
	/* wrong type: text for a number, a list for a scalar */
	{ "step", "lr=abc step_size=3", 0, { "'lr'", "abc" } },
	{ "step", "lr=0.1 step_size=three", 0, { "'step_size'", "three" } },
	{ "step", "lr=0.1 step_size=2.5", 0, { "'step_size'", "2.5" } },
	/* past the longest run: said so, not "must be >= 1" */
	{ "step", "lr=0.1 step_size=1e20", 0, { "'step_size'", "at most 1e15 steps", "1e20" } },
	{ "step", "lr=0.1 step_size=3 gamma=fast", 0, { "'gamma'", "fast" } },
	{ "step", "lr=0.1 step_size=3 gamma=0.1,0.2", 0, { "'gamma'", "list" } },
	{ "step", "lr=0.1,0.2 step_size=3", 0, { "'lr'", "list" } },
	{ "multistep", "lr=0.1 milestones=a,b", 0, { "'milestones'" } },
	{ "exponential_decay", "initial_learning_rate=0.1 decay_steps=4 decay_rate=0.5 staircase=maybe", 0,
	  { "'staircase'", "maybe" } },
	{ "one_cycle", "max_lr=0.1 total_steps=20 anneal_strategy=cosine", 0, { "'anneal_strategy'", "cosine" } },
	{ "cyclic", "base_lr=0.01 max_lr=0.1 mode=triangular3", 0, { "'mode'", "triangular3" } },
	{ "triangular", "base_lr=0.01 max_lr=0.1 step_size=4 window=hamming", 0, { "'window'", "hamming" } },
	{ "reduce_on_plateau", "lr=0.1 patience=1.5", 0, { "'patience'", "1.5" } },
	{ "reduce_on_plateau", "lr=0.1 threshold_mode=relative", 0, { "'threshold_mode'" } },
	/* impossible values */
	{ "exponential_decay", "initial_learning_rate=0.1 decay_steps=0 decay_rate=0.5", 0, { "'decay_steps'" } },
	{ "exponential_decay", "initial_learning_rate=0.1 decay_steps=-5 decay_rate=0.5", 0, { "'decay_steps'" } },
	{ "inverse_time_decay", "initial_learning_rate=0.1 decay_steps=0 decay_rate=0.5", 0, { "'decay_steps'" } },
	{ "polynomial_decay", "initial_learning_rate=0.1 decay_steps=0", 0, { "'decay_steps'" } },
	{ "cosine_decay", "initial_learning_rate=0.1 decay_steps=0", 0, { "decay_steps" } },
	{ "linear_cosine_decay", "initial_learning_rate=0.1 decay_steps=0", 0, { "'decay_steps'" } },
	{ "cosine_decay_restarts", "initial_learning_rate=0.1 first_decay_steps=0", 0, { "'first_decay_steps'" } },
	{ "step", "lr=0.1 step_size=0", 0, { "'step_size'" } },
	{ "cosine_annealing", "lr=0.1 T_max=0", 0, { "'T_max'" } },
	{ "cosine_annealing_warm_restarts", "lr=0.1 T_0=3 T_mult=1.5", 0, { "'T_mult'", "1.5" } },
	{ "cosine_annealing_warm_restarts", "lr=0.1 T_0=3 T_mult=0", 0, { "'T_mult'" } },
	{ "cosine_annealing_warm_restarts", "lr=0.1 T_0=0", 0, { "'T_0'" } },
	{ "piecewise_constant_decay", "boundaries=3,6 values=1,0.5", 0, { "'values'", "one more" } },
	{ "piecewise_constant_decay", "boundaries=3,6 values=1,0.5,0.2,0.1", 0, { "'values'" } },
	{ "piecewise_constant_decay", "boundaries=6,3 values=1,0.5,0.1", 0, { "'boundaries'", "increasing" } },
	{ "piecewise_constant_decay", "boundaries=3,3 values=1,0.5,0.1", 0, { "'boundaries'", "increasing" } },
	{ "cyclic", "base_lr=0.2 max_lr=0.1", 0, { "'base_lr'", "max_lr" } },
	{ "triangular", "base_lr=0.2 max_lr=0.1 step_size=4", 0, { "'base_lr'", "max_lr" } },
	{ "exp_range", "base_lr=0.2 max_lr=0.1 step_size=4 gamma=0.9", 0, { "'base_lr'" } },
	{ "sgdr", "min_lr=0.2 max_lr=0.1 steps_per_epoch=2", 0, { "'min_lr'", "max_lr" } },
	{ "cyclic", "base_lr=0.01 max_lr=0.1 base_momentum=0.95 max_momentum=0.9", 0, { "'base_momentum'" } },
	{ "one_cycle", "max_lr=0.1 total_steps=20 base_momentum=0.95 max_momentum=0.9", 0, { "'base_momentum'" } },
	{ "one_cycle", "max_lr=0.1 total_steps=20 pct_start=0", 0, { "'pct_start'" } },
	{ "one_cycle", "max_lr=0.1 total_steps=20 pct_start=1", 0, { "'pct_start'" } },
	{ "one_cycle", "max_lr=0.1 total_steps=20 pct_start=1.5", 0, { "'pct_start'" } },
	{ "one_cycle", "max_lr=0.1 total_steps=20 pct_start=-0.3", 0, { "'pct_start'" } },
	/* a phase of zero length: 0.1*10 - 1 = 0 steps of warm-up */
	{ "one_cycle", "max_lr=0.1 total_steps=10 pct_start=0.1", 0, { "'pct_start'", "zero length" } },
	/* three phases: 2*0.55*10 - 2 = 9 = total_steps - 1 leaves no third */
	{ "one_cycle", "max_lr=0.1 total_steps=10 pct_start=0.55 three_phase=true", 0,
	  { "'pct_start'", "three_phase" } },
	{ "one_cycle", "max_lr=0.1 total_steps=1", 0, { "'total_steps'" } },
	{ "reduce_on_plateau", "lr=0.1 factor=1", 0, { "'factor'" } },
	{ "reduce_on_plateau", "lr=0.1 factor=1.5", 0, { "'factor'" } },
	{ "reduce_on_plateau", "lr=0.1 eps=-1", 0, { "'eps'" } },
	{ "reduce_on_plateau", "lr=0.1 mode=average", 0, { "'mode'" } },
	{ "constant", "lr=0.1 factor=1.5", 0, { "'factor'" } },
	{ "linear", "lr=0.1 start_factor=0", 0, { "'start_factor'" } },
	{ "linear", "lr=0.1 total_iters=0", 0, { "'total_iters'" } },
	{ "cosine_decay_restarts", "initial_learning_rate=0.1 first_decay_steps=4 t_mul=0.5", 0, { "'t_mul'" } },
	{ "sgdr", "min_lr=0.001 max_lr=0.1 steps_per_epoch=0", 0, { "'steps_per_epoch'" } },
	{ "sgdr", "min_lr=0.001 max_lr=0.1 steps_per_epoch=2 cycle_length=0", 0, { "'cycle_length'" } },
	{ "cosine_decay", "warmup_steps=100", 1, { "warmup_steps" } },
	/* negative rates */
	{ "step", "lr=-0.1 step_size=3", 0, { "'lr'", "-0.1" } },
	{ "cosine_annealing", "lr=0.1 T_max=10 eta_min=-0.001", 0, { "'eta_min'" } },
	{ "cyclic", "base_lr=-0.01 max_lr=0.1", 0, { "'base_lr'" } },
	{ "one_cycle", "max_lr=-1 total_steps=20", 0, { "'max_lr'" } },
	{ "exponential_decay", "initial_learning_rate=-1 decay_steps=4 decay_rate=0.5", 0,
	  { "'initial_learning_rate'" } },
	{ "polynomial_decay", "initial_learning_rate=0.1 decay_steps=4 end_learning_rate=-0.01", 0,
	  { "'end_learning_rate'" } },
	{ "piecewise_constant_decay", "boundaries=3, values=0.1,-0.1", 0, { "'values'" } },
	{ "reduce_on_plateau", "lr=0.1 min_lr=-1", 0, { "'min_lr'" } },
	/* @min/@max: unknown bounds, bad forms */
	{ "step", "lr=@max step_size=3", 0, { "'lr'", "bounds" } },
	{ "step", "lr=@mid step_size=3", 1, { "'lr'", "@mid" } },
	{ "step", "lr=@max*0 step_size=3", 1, { "'lr'", "@max*0" } },
	{ "step", "lr=@max/-2 step_size=3", 1, { "'lr'" } },
	{ "step", "lr=@maxx step_size=3", 1, { "'lr'" } },
	/* "N epochs": unknown steps per epoch, bad unit, negative */
	{ "step", "lr=0.1 step_size='2 epochs'", 0, { "'step_size'", "per epoch" } },
	{ "step", "lr=0.1 step_size='2 weeks'", 1, { "'step_size'" } },
	{ "step", "lr=0.1 step_size='-1 epochs'", 1, { "'step_size'" } },
	/* unknown types, with and without a suggestion */
	{ "cosine_anealing", "lr=0.1", 0, { "'cosine_anealing'", "did you mean 'cosine_annealing'" } },
	{ "qqqqqqqqqqqqqq", "lr=0.1", 0, { "'qqqqqqqqqqqqqq'" } },
	{ NULL, "type=stepp lr=0.1 step_size=3", 0, { "'stepp'", "'step'" } },
	{ NULL, "lr=0.1 step_size=3", 0, { "'type'" } },
};

START_TEST(test_bad_params)
{
	const bad_case *c = &bad_cases[_i];
	lrs_sched_ctx ctx = c->with_run ? ctx_run() : ctx_none();
	lrs_sched *s = (lrs_sched *)1;   /* not NULL: the build must reset it */
	int rc = try_build(&s, c->type, c->params, &ctx);
	const char *msg = lrs_error_last();

	if (rc == 0)
		lrs_sched_free(s);
	ck_assert_msg(rc == LRS_EINVALID, "%s {%s}: rc %d, expected LRS_EINVALID (message '%s')",
	              c->type ? c->type : "(map)", c->params, rc, msg);
	ck_assert_ptr_null(s);
	for (size_t k = 0; k < COUNT(c->needles) && c->needles[k]; k++)
		ck_assert_msg(strstr(msg, c->needles[k]) != NULL, "%s {%s}: message '%s' lacks \"%s\"",
		              c->type ? c->type : "(map)", c->params, msg, c->needles[k]);
}
END_TEST

/* Errors point at the offending node: parameter i of a test map sits at
 * line i+2, column 3. */
START_TEST(test_error_position)
{
	lrs_sched_ctx none = ctx_none();
	lrs_sched *s = NULL;

	ck_assert_int_eq(try_build(&s, "step", "lr=0.1 step_size=3 gama=0.5", &none), LRS_EINVALID);
	ck_assert_int_eq(lrs_error_line(), 4);
	ck_assert_int_eq(lrs_error_column(), 3);
	ck_assert_int_eq(try_build(&s, "step", "step_size=3 lr=abc", &none), LRS_EINVALID);
	ck_assert_int_eq(lrs_error_line(), 3);
	ck_assert_int_eq(try_build(&s, "piecewise_constant_decay", "values=1,2,3 boundaries=5,2", &none),
	                 LRS_EINVALID);
	ck_assert_int_eq(lrs_error_line(), 3);
	ck_assert_ptr_null(s);
}
END_TEST

/* A parameter map must be a map; NULL params means "no parameters". */
START_TEST(test_params_not_a_map)
{
	lrs_sched_ctx run = ctx_run();
	lrs_node *list = NULL;
	lrs_sched *s = NULL;
	int rc;

	ck_assert_int_eq(lrs_node_new_list(&list, 1, 1), 0);
	rc = lrs_sched_build(&s, "step", list, &run);
	lrs_node_free(list);
	ck_assert_int_eq(rc, LRS_EINVALID);
	ck_assert_ptr_null(s);
	/* NULL params and NULL ctx: every default; cosine_annealing then lacks
	 * its lr and T_max */
	ck_assert_int_eq(lrs_sched_build(&s, "cosine_annealing", NULL, NULL), LRS_EINVALID);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(lrs_sched_build(&s, "cosine_annealing", NULL, &run), 0);
	ck_assert(close_to(lrs_sched_lr(s, 0), 0.1, REL_TOL));
	lrs_sched_free(s);
}
END_TEST

/* A mapping where a scalar or a list is expected. */
START_TEST(test_map_values)
{
	lrs_sched_ctx none = ctx_none();
	lrs_node *map = parse_params("step_size=3"), *inner = NULL;
	lrs_sched *s = NULL;
	int rc;

	ck_assert_int_eq(lrs_node_new_map(&inner, 3, 5), 0);
	ck_assert_int_eq(lrs_node_append(map, "lr", inner), 0);
	rc = lrs_sched_build(&s, "step", map, &none);
	lrs_node_free(map);
	ck_assert_int_eq(rc, LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "'lr'"));
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "mapping"));
	ck_assert_int_eq(lrs_error_line(), 3);
	ck_assert_int_eq(lrs_error_column(), 5);

	map = parse_params("lr=0.1");
	inner = NULL;
	ck_assert_int_eq(lrs_node_new_map(&inner, 4, 2), 0);
	ck_assert_int_eq(lrs_node_append(map, "milestones", inner), 0);
	rc = lrs_sched_build(&s, "multistep", map, &none);
	lrs_node_free(map);
	ck_assert_int_eq(rc, LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "'milestones'"));
	ck_assert_ptr_null(s);
}
END_TEST

/* sequential: milestones one fewer than schedules, increasing; no inner
 * schedule that cycles momentum (the optimizer holds one momentum), and
 * no reduce_on_plateau or sequential inside; inner errors name the item. */
START_TEST(test_sequential_invalid)
{
	static const char *const two[] = {
		"type=linear lr=0.1 total_iters=3",
		"type=cosine_annealing lr=0.1 T_max=10",
	};
	static const char *const three[] = {
		"type=constant lr=0.1",
		"type=constant lr=0.2",
		"type=constant lr=0.3",
	};
	static const char *const cyclic[] = {
		"type=linear lr=0.1 total_iters=3",
		"type=cyclic base_lr=0.01 max_lr=0.1 step_size_up=4",
	};
	static const char *const cyclic_ok[] = {
		"type=linear lr=0.1 total_iters=3",
		"type=cyclic base_lr=0.01 max_lr=0.1 step_size_up=4 cycle_momentum=false",
	};
	static const char *const one_cycle[] = {
		"type=one_cycle max_lr=0.1 total_steps=20",
		"type=constant lr=0.1",
	};
	static const char *const plateau[] = {
		"type=constant lr=0.1",
		"type=reduce_on_plateau lr=0.1",
	};
	static const char *const inner_bad[] = {
		"type=constant lr=0.1",
		"type=step lr=0.1 step_size=3 gama=0.5",
	};
	static const char *const no_type[] = {
		"type=constant lr=0.1",
		"lr=0.1",
	};
	lrs_sched_ctx none = ctx_none();
	lrs_sched *s = NULL;

	ck_assert_int_eq(try_build_sequential(&s, two, 2, "3,5", &none), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "milestones"));
	ck_assert_int_eq(try_build_sequential(&s, three, 3, "3,", &none), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "milestones"));
	ck_assert_int_eq(try_build_sequential(&s, three, 3, "5,3", &none), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "milestones"));
	ck_assert_int_eq(try_build_sequential(&s, cyclic, 2, "3,", &none), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "momentum"));
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "cyclic"));
	ck_assert_int_eq(try_build_sequential(&s, one_cycle, 2, "10,", &none), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "momentum"));
	ck_assert_int_eq(try_build_sequential(&s, plateau, 2, "10,", &none), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "reduce_on_plateau"));
	ck_assert_int_eq(try_build_sequential(&s, inner_bad, 2, "10,", &none), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "schedules[1]"));
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "'gamma'"));
	ck_assert_int_eq(try_build_sequential(&s, no_type, 2, "10,", &none), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "schedules[1]"));
	ck_assert_ptr_null(s);
	ck_assert_int_eq(try_build_sequential(&s, cyclic_ok, 2, "3,", &none), 0);
	ck_assert_int_eq(lrs_sched_cycles_momentum(s), 0);
	lrs_sched_free(s);
}
END_TEST

/* A one_cycle that ends before its segment does: PyTorch would raise. */
START_TEST(test_sequential_one_cycle_too_short)
{
	static const char *const inner[] = {
		"type=one_cycle max_lr=0.1 total_steps=5 cycle_momentum=false",
		"type=constant lr=0.1",
	};
	lrs_sched_ctx none = ctx_none();
	lrs_sched *s = NULL;

	ck_assert_int_eq(try_build_sequential(&s, inner, 2, "10,", &none), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "schedules[0]"));
	ck_assert_ptr_null(s);
}
END_TEST

/* ========================================= @min/@max, epochs, defaults */

/* Rates written "@max/4", "@min*2", "@max" and step counts "N epochs" are
 * resolved through the context (bounds 0.001 and 0.1, 10 steps per
 * epoch); the values below follow by hand. */
START_TEST(test_rate_and_epoch_expressions)
{
	lrs_sched_ctx run = ctx_run();
	static const point step[] = {
		{ 0, 0.025 }, { 19, 0.025 }, { 20, 0.0025 }, { 40, 0.00025 },
	};
	static const point cyclic[] = {
		{ 0, 0.002 }, { 5, 0.05 }, { 10, 0.002 },
	};
	static const point cosine[] = {
		{ 0, 0.1 }, { 15, 0.001 },
	};
	static const point multistep[] = {
		{ 9, 0.1 }, { 10, 0.01 }, { 29, 0.01 }, { 30, 0.001 },
	};
	static const point piecewise[] = {
		{ 10, 0.1 }, { 11, 0.01 },
	};

	CHECK_POINTS("step", "lr=@max/4 step_size='2 epochs'", &run, step);
	CHECK_POINTS("cyclic", "base_lr=@min*2 max_lr=@max/2 step_size_up='0.5 epochs' cycle_momentum=false",
	             &run, cyclic);
	CHECK_POINTS("cosine_annealing", "lr=@max T_max='1.5 epochs' eta_min=@min", &run, cosine);
	CHECK_POINTS("multistep", "lr=@max milestones='1 epoch,3 epochs'", &run, multistep);
	CHECK_POINTS("piecewise_constant_decay", "boundaries='1 epoch,' values=@max,@max/10", &run, piecewise);
}
END_TEST

/* Omitted peak rates (lr, max_lr, initial_learning_rate) are @max, floor
 * rates (base_lr, min_lr, eta_min) @min, and total_steps, decay_steps,
 * T_max, total_iters (polynomial) the run's 100 steps; steps_per_epoch
 * the run's 10. Values by hand. */
START_TEST(test_default_bounds_and_totals)
{
	lrs_sched_ctx run = ctx_run();
	lrs_sched *s;
	static const point cosine[] = {
		{ 0, 0.1 }, { 50, 0.0505 }, { 100, 0.001 },
	};
	static const point cyclic[] = {
		{ 0, 0.001 }, { 5, 0.1 }, { 10, 0.001 },
	};
	static const point sgdr[] = {
		{ 0, 0.1 }, { 50, 0.0505 }, { 100, 0.1 }, { 200, 0.0505 },
	};
	static const point one_cycle[] = {
		{ 0, 0.004 }, { 29, 0.1 }, { 99, 4e-7 },
	};
	static const point step[] = {
		{ 0, 0.1 }, { 10, 0.01 },
	};
	static const point poly[] = {
		{ 0, 0.1 }, { 50, 0.05 }, { 100, 0 },
	};
	static const point exp_decay[] = {
		{ 0, 0.1 }, { 100, 0.05 },
	};
	static const point poly_decay[] = {
		{ 0, 0.1 }, { 100, 1e-4 },
	};
	static const point cos_decay[] = {
		{ 0, 0.1 }, { 50, 0.05 }, { 100, 0 },
	};
	static const point cos_warm[] = {
		{ 0, 0.001 }, { 5, 0.0505 }, { 10, 0.1 }, { 55, 0.05 }, { 100, 0 },
	};
	static const point lin_cos[] = {
		{ 0, 0.1001 }, { 100, 1e-4 },
	};
	static const point restarts[] = {
		{ 0, 0.1 }, { 5, 0.05 }, { 10, 0.1 },
	};
	static const point warm[] = {
		{ 0, 0.1 }, { 5, 0.0505 }, { 10, 0.1 },
	};

	CHECK_POINTS("cosine_annealing", "", &run, cosine);
	CHECK_POINTS("cyclic", "step_size_up=5", &run, cyclic);
	CHECK_POINTS("triangular", "step_size=5", &run, cyclic);
	CHECK_POINTS("triangular2", "step_size=5", &run, cyclic);
	CHECK_POINTS("exp_range", "step_size=5 gamma=1", &run, cyclic);
	CHECK_POINTS("sgdr", "", &run, sgdr);
	CHECK_POINTS("one_cycle", "", &run, one_cycle);
	CHECK_POINTS("step", "step_size=10", &run, step);
	CHECK_POINTS("polynomial", "", &run, poly);
	CHECK_POINTS("exponential_decay", "decay_rate=0.5", &run, exp_decay);
	CHECK_POINTS("polynomial_decay", "", &run, poly_decay);
	CHECK_POINTS("cosine_decay", "", &run, cos_decay);
	/* warming up: the ramp runs from @min to warmup_target = @max, and
	 * decay_steps is what the warm-up leaves of the run. (SPEC.md 3 lists
	 * initial_learning_rate among the peak rates; when warming up, build.c
	 * documents "@min when warming up", the start of the ramp: tested as
	 * documented.) */
	CHECK_POINTS("cosine_decay", "warmup_steps=10", &run, cos_warm);
	CHECK_POINTS("linear_cosine_decay", "", &run, lin_cos);
	CHECK_POINTS("cosine_decay_restarts", "first_decay_steps=10 t_mul=1", &run, restarts);
	CHECK_POINTS("cosine_annealing_warm_restarts", "T_0=10", &run, warm);
	s = build("one_cycle", "", &run);
	ck_assert_int_eq(lrs_sched_step_limit(s), 101);
	lrs_sched_free(s);
}
END_TEST

/* A minimal valid parameter set of every type but sequential, in a run
 * with bounds 0.001/0.1, 10 steps per epoch, 100 steps. */
static const struct {
	const char *type;
	const char *params;
} minimal[] = {
	{ "constant", "" },
	{ "step", "step_size=3" },
	{ "multistep", "milestones=3," },
	{ "exponential", "gamma=0.9" },
	{ "linear", "" },
	{ "polynomial", "" },
	{ "cosine_annealing", "" },
	{ "cosine_annealing_warm_restarts", "T_0=3" },
	{ "one_cycle", "" },
	{ "cyclic", "" },
	{ "triangular", "step_size=4" },
	{ "triangular2", "step_size=4" },
	{ "exp_range", "step_size=4 gamma=0.9" },
	{ "exponential_decay", "decay_rate=0.5" },
	{ "inverse_time_decay", "decay_rate=0.5" },
	{ "piecewise_constant_decay", "boundaries=3, values=0.1,0.01" },
	{ "polynomial_decay", "" },
	{ "cosine_decay", "" },
	{ "cosine_decay_restarts", "first_decay_steps=10" },
	{ "linear_cosine_decay", "" },
	{ "noisy_linear_cosine_decay", "" },
	{ "sgdr", "" },
	{ "reduce_on_plateau", "" },
};

/* The resolved-parameter JSON names every parameter of the type, in the
 * order lrs_sched_param_info documents them. */
START_TEST(test_params_json_complete)
{
	lrs_sched_ctx run = ctx_run();
	lrs_sched *s = build(minimal[_i].type, minimal[_i].params, &run);
	lrs_sched_type t = lrs_sched_get_type(s);
	char *json = params_json(s);
	const char *name, *def, *prev = json, *missing = NULL, *misplaced = NULL;
	char pat[80];

	lrs_sched_free(s);
	ck_assert_str_eq(lrs_sched_type_name(t), minimal[_i].type);
	for (size_t i = 0; lrs_sched_param_info(t, i, &name, &def) == 0; i++) {
		const char *at;
		snprintf(pat, sizeof pat, "\"%s\": ", name);
		at = strstr(json, pat);
		if (!at && !missing)
			missing = name;
		if (at && at < prev && !misplaced)
			misplaced = name;
		if (at)
			prev = at;
	}
	if (missing || misplaced) {
		char copy[1024];
		snprintf(copy, sizeof copy, "%s", json);
		free(json);
		ck_abort_msg("%s: parameter '%s' %s in %s", minimal[_i].type, missing ? missing : misplaced,
		             missing ? "missing" : "out of order", copy);
	}
	ck_assert_int_eq(json[0], '{');
	free(json);
}
END_TEST

/* Defaults of SPEC.md 3's table (and @min/@max/total steps/steps per
 * epoch from the run), read back from the resolved-parameter JSON. A
 * `text` default is compared as JSON text, else `number` numerically. */
typedef struct {
	int type;                /* index into minimal[] */
	const char *key;
	double number;
	const char *text;
} default_case;

static const default_case default_cases[] = {
	{ 0, "lr", 0.1, NULL }, { 0, "factor", 1.0, NULL }, { 0, "total_iters", 0, NULL },
	{ 1, "lr", 0.1, NULL }, { 1, "gamma", 0.1, NULL },
	{ 2, "gamma", 0.1, NULL }, { 2, "milestones", 0, "[3]" },
	{ 4, "start_factor", 1.0 / 3.0, NULL }, { 4, "end_factor", 1.0, NULL }, { 4, "total_iters", 5, NULL },
	{ 5, "total_iters", 100, NULL }, { 5, "power", 1.0, NULL },
	{ 6, "lr", 0.1, NULL }, { 6, "T_max", 100, NULL }, { 6, "eta_min", 0.001, NULL },
	{ 7, "T_mult", 1, NULL }, { 7, "eta_min", 0.001, NULL },
	{ 8, "max_lr", 0.1, NULL }, { 8, "total_steps", 100, NULL }, { 8, "pct_start", 0.3, NULL },
	{ 8, "anneal_strategy", 0, "\"cos\"" }, { 8, "div_factor", 25, NULL },
	{ 8, "final_div_factor", 1e4, NULL }, { 8, "three_phase", 0, "false" },
	{ 8, "cycle_momentum", 0, "true" }, { 8, "base_momentum", 0.85, NULL },
	{ 8, "max_momentum", 0.95, NULL },
	{ 9, "base_lr", 0.001, NULL }, { 9, "max_lr", 0.1, NULL }, { 9, "step_size_up", 2000, NULL },
	{ 9, "step_size_down", 2000, NULL }, { 9, "mode", 0, "\"triangular\"" }, { 9, "gamma", 1.0, NULL },
	{ 9, "cycle_momentum", 0, "true" }, { 9, "base_momentum", 0.8, NULL }, { 9, "max_momentum", 0.9, NULL },
	{ 10, "base_lr", 0.001, NULL }, { 10, "max_lr", 0.1, NULL }, { 10, "window", 0, "\"triangular\"" },
	{ 12, "gamma", 0.9, NULL },
	{ 13, "initial_learning_rate", 0.1, NULL }, { 13, "decay_steps", 100, NULL },
	{ 13, "staircase", 0, "false" },
	{ 14, "staircase", 0, "false" },
	{ 15, "boundaries", 0, "[3]" },
	{ 16, "decay_steps", 100, NULL }, { 16, "end_learning_rate", 1e-4, NULL }, { 16, "power", 1.0, NULL },
	{ 16, "cycle", 0, "false" },
	{ 17, "initial_learning_rate", 0.1, NULL }, { 17, "decay_steps", 100, NULL }, { 17, "alpha", 0, NULL },
	{ 17, "warmup_target", 0, "null" }, { 17, "warmup_steps", 0, NULL },
	{ 18, "t_mul", 2.0, NULL }, { 18, "m_mul", 1.0, NULL }, { 18, "alpha", 0, NULL },
	{ 19, "decay_steps", 100, NULL }, { 19, "num_periods", 0.5, NULL }, { 19, "alpha", 0, NULL },
	{ 19, "beta", 0.001, NULL },
	{ 20, "initial_variance", 1.0, NULL }, { 20, "variance_decay", 0.55, NULL },
	{ 21, "min_lr", 0.001, NULL }, { 21, "max_lr", 0.1, NULL }, { 21, "steps_per_epoch", 10, NULL },
	{ 21, "cycle_length", 10, NULL }, { 21, "mult_factor", 2, NULL }, { 21, "lr_decay", 1.0, NULL },
	{ 22, "lr", 0.1, NULL }, { 22, "mode", 0, "\"max\"" }, { 22, "factor", 0.1, NULL },
	{ 22, "patience", 10, NULL }, { 22, "threshold", 1e-4, NULL }, { 22, "threshold_mode", 0, "\"rel\"" },
	{ 22, "cooldown", 0, NULL }, { 22, "min_lr", 0.001, NULL },
};

START_TEST(test_defaults)
{
	const default_case *c = &default_cases[_i];
	lrs_sched_ctx run = ctx_run();
	lrs_sched *s = build(minimal[c->type].type, minimal[c->type].params, &run);
	char *json = params_json(s);
	const char *v = json_value(json, c->key);
	int ok = v && (c->text ? json_is(json, c->key, c->text) : close_to(strtod(v, NULL), c->number, REL_TOL));
	char copy[1024];

	lrs_sched_free(s);
	snprintf(copy, sizeof copy, "%s", json);
	free(json);
	ck_assert_msg(ok, "%s: %s should default to %s%.17g (json %s)", minimal[c->type].type, c->key,
	              c->text ? c->text : "", c->text ? 0.0 : c->number, copy);
}
END_TEST

/* The JSON holds resolved values, not what was written. */
START_TEST(test_params_json_resolved)
{
	lrs_sched_ctx run = ctx_run();
	lrs_sched *s = build("step", "lr=@max/4 step_size='2 epochs'", &run);
	char *json = params_json(s);
	double lr = json_number(json, "lr"), step_size = json_number(json, "step_size");
	int no_at = strchr(json, '@') == NULL && strstr(json, "epoch") == NULL;

	lrs_sched_free(s);
	free(json);
	ck_assert(close_to(lr, 0.025, REL_TOL));
	ck_assert(close_to(step_size, 20, 0));
	ck_assert(no_at);

	s = build("cosine_decay", "warmup_steps=10", &run);
	json = params_json(s);
	lr = json_number(json, "initial_learning_rate");
	{
		double target = json_number(json, "warmup_target");
		double decay = json_number(json, "decay_steps");
		lrs_sched_free(s);
		free(json);
		ck_assert(close_to(lr, 0.001, REL_TOL));
		ck_assert(close_to(target, 0.1, REL_TOL));
		ck_assert(close_to(decay, 90, 0));
	}

	s = build("cyclic", "base_lr=@min*2 step_size_up='0.5 epochs' mode=exp_range gamma=0.99", &run);
	json = params_json(s);
	{
		double base = json_number(json, "base_lr"), up = json_number(json, "step_size_up");
		double down = json_number(json, "step_size_down");
		int mode = json_is(json, "mode", "\"exp_range\"");
		lrs_sched_free(s);
		free(json);
		ck_assert(close_to(base, 0.002, REL_TOL));
		ck_assert(close_to(up, 5, 0));
		ck_assert(close_to(down, 5, 0));   /* step_size_down defaults to step_size_up */
		ck_assert(mode);
	}
}
END_TEST

/* ================================================================= API */

/* The 24 types of SPEC.md 3, in the order of lrs_sched_type. */
static const char *const spec_types[] = {
	"constant", "step", "multistep", "exponential", "linear", "polynomial", "cosine_annealing",
	"cosine_annealing_warm_restarts", "one_cycle", "cyclic", "triangular", "triangular2",
	"exp_range", "exponential_decay", "inverse_time_decay", "piecewise_constant_decay",
	"polynomial_decay", "cosine_decay", "cosine_decay_restarts", "linear_cosine_decay",
	"noisy_linear_cosine_decay", "sgdr", "reduce_on_plateau", "sequential",
};

START_TEST(test_type_names)
{
	lrs_sched_type t;

	ck_assert_int_eq(LRS_SCHED__COUNT, (int)COUNT(spec_types));
	for (int i = 0; i < LRS_SCHED__COUNT; i++) {
		ck_assert_str_eq(lrs_sched_type_name((lrs_sched_type)i), spec_types[i]);
		ck_assert_int_eq(lrs_sched_type_parse(&t, spec_types[i]), 0);
		ck_assert_int_eq(t, i);
		ck_assert_str_ne(lrs_sched_type_origin((lrs_sched_type)i), "");
		ck_assert_str_ne(lrs_sched_type_origin((lrs_sched_type)i), "?");
	}
	ck_assert_int_eq(lrs_sched_type_parse(&t, "Step"), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "'step'"));
	ck_assert_int_eq(lrs_sched_type_parse(&t, "triangular3"), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "triangular"));
	ck_assert_str_eq(lrs_sched_type_name(LRS_SCHED__COUNT), "?");
	ck_assert_ptr_nonnull(strstr(lrs_sched_type_origin(LRS_SCHED_STEP), "StepLR"));
	ck_assert_ptr_nonnull(strstr(lrs_sched_type_origin(LRS_SCHED_COSINE_DECAY), "Keras"));
}
END_TEST

START_TEST(test_param_info)
{
	const char *name = NULL, *def = NULL;
	size_t n;

	for (int t = 0; t < LRS_SCHED__COUNT; t++) {
		for (n = 0; lrs_sched_param_info((lrs_sched_type)t, n, &name, &def) == 0; n++) {
			ck_assert_ptr_nonnull(name);
			ck_assert_ptr_nonnull(def);
			ck_assert_str_ne(name, "");
		}
		ck_assert_msg(n > 0, "%s documents no parameter", spec_types[t]);
	}
	ck_assert_int_eq(lrs_sched_param_info(LRS_SCHED_STEP, 0, &name, &def), 0);
	ck_assert_str_eq(name, "lr");
	ck_assert_str_eq(def, "@max");
	ck_assert_int_eq(lrs_sched_param_info(LRS_SCHED_STEP, 1, &name, &def), 0);
	ck_assert_str_eq(name, "step_size");
	ck_assert_str_eq(def, "required");
	ck_assert_int_eq(lrs_sched_param_info(LRS_SCHED_STEP, 2, &name, &def), 0);
	ck_assert_str_eq(name, "gamma");
	ck_assert_str_eq(def, "0.1");
	ck_assert_int_eq(lrs_sched_param_info(LRS_SCHED_STEP, 3, &name, &def), LRS_ENOTFOUND);
	ck_assert_int_eq(lrs_sched_param_info(LRS_SCHED__COUNT, 0, &name, &def), LRS_ENOTFOUND);
	ck_assert_int_eq(lrs_sched_param_info(LRS_SCHED_CYCLIC, 0, &name, &def), 0);
	ck_assert_str_eq(name, "base_lr");
	ck_assert_str_eq(def, "@min");
}
END_TEST

/* A type given both as an argument and as the map's "type" key; the map
 * alone naming it; lrs_sched_free(NULL); momentum of a schedule that does
 * not cycle it; a plateau schedule's lr(step). */
START_TEST(test_build_misc)
{
	lrs_sched_ctx none = ctx_none();
	lrs_sched *s = NULL;

	lrs_sched_free(NULL);
	ck_assert_int_eq(try_build(&s, NULL, "type=step lr=0.1 step_size=3", &none), 0);
	ck_assert_int_eq(lrs_sched_get_type(s), LRS_SCHED_STEP);
	ck_assert(close_to(lrs_sched_lr(s, 3), 0.01, REL_TOL));
	ck_assert_int_eq(lrs_sched_cycles_momentum(s), 0);
	ck_assert(isnan(lrs_sched_momentum(s, 0)));
	ck_assert_int_eq(lrs_sched_step_limit(s), -1);
	lrs_sched_free(s);
	ck_assert_int_eq(try_build(&s, "step", "type=step lr=0.1 step_size=3", &none), 0);
	lrs_sched_free(s);
	s = build("reduce_on_plateau", "lr=0.3", &none);
	ck_assert(close_to(lrs_sched_lr(s, 0), 0.3, REL_TOL));
	ck_assert(close_to(lrs_sched_lr(s, 1000), 0.3, REL_TOL));
	ck_assert_int_eq(lrs_sched_get_type(s), LRS_SCHED_REDUCE_ON_PLATEAU);
	lrs_sched_free(s);
	/* YAML spellings of booleans */
	s = build("exponential_decay", "initial_learning_rate=1 decay_steps=2 decay_rate=0.5 staircase=True", &none);
	ck_assert(close_to(lrs_sched_lr(s, 1), 1, REL_TOL));
	lrs_sched_free(s);
}
END_TEST

/* ============================================================== suite */

Suite *suite_schedule(void)
{
	Suite *s = suite_create("schedule");
	TCase *tc;

	tc = tcase_create("pytorch");
	tcase_add_loop_test(tc, test_torch_table, 0, (int)COUNT(torch_cases));
	tcase_add_test(tc, test_step_family_hand);
	tcase_add_test(tc, test_linear_poly_cosine_hand);
	tcase_add_test(tc, test_warm_restarts_hand);
	tcase_add_test(tc, test_one_cycle_hand);
	tcase_add_test(tc, test_cyclic_hand);
	suite_add_tcase(s, tc);

	tc = tcase_create("sequential");
	tcase_add_test(tc, test_sequential_warm_cos);
	tcase_add_test(tc, test_sequential_three);
	tcase_add_test(tc, test_sequential_restart);
	tcase_add_test(tc, test_sequential_defaults_json);
	tcase_add_test(tc, test_sequential_bounds);
	tcase_add_test(tc, test_sequential_step_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("reduce_on_plateau");
	tcase_add_loop_test(tc, test_plateau_table, 0, (int)COUNT(plateau_cases));
	tcase_add_test(tc, test_plateau_defaults);
	tcase_add_loop_test(tc, test_plateau_rates_by_step, 0, (int)COUNT(plateau_cases));
	tcase_add_test(tc, test_sched_rates);
	tcase_add_test(tc, test_plateau_min_lr_default);
	tcase_add_test(tc, test_plateau_init_wrong_type);
	suite_add_tcase(s, tc);

	tc = tcase_create("keras");
	tcase_add_loop_test(tc, test_keras_table, 0, (int)COUNT(keras_cases));
	tcase_add_test(tc, test_exp_inverse_hand);
	tcase_add_test(tc, test_piecewise_hand);
	tcase_add_test(tc, test_polynomial_decay_hand);
	tcase_add_test(tc, test_cosine_decay_hand);
	tcase_add_test(tc, test_cosine_decay_restarts_hand);
	tcase_add_test(tc, test_cosine_decay_restarts_t_mul3);
	tcase_add_test(tc, test_linear_cosine_hand);
	tcase_add_test(tc, test_noisy_zero_variance);
	tcase_add_test(tc, test_noisy_seed_and_purity);
	tcase_add_test(tc, test_noisy_distribution);
	suite_add_tcase(s, tc);

	tc = tcase_create("clr");
	tcase_add_loop_test(tc, test_clr_table, 0, (int)COUNT(clr_cases));
	tcase_add_test(tc, test_clr_hand);
	suite_add_tcase(s, tc);

	tc = tcase_create("sgdr");
	tcase_add_test(tc, test_sgdr_table);
	tcase_add_test(tc, test_sgdr_hand);
	tcase_add_test(tc, test_sgdr_equal_cycles);
	suite_add_tcase(s, tc);

	tc = tcase_create("validation");
	tcase_add_loop_test(tc, test_bad_params, 0, (int)COUNT(bad_cases));
	tcase_add_test(tc, test_error_position);
	tcase_add_test(tc, test_params_not_a_map);
	tcase_add_test(tc, test_map_values);
	tcase_add_test(tc, test_sequential_invalid);
	tcase_add_test(tc, test_sequential_one_cycle_too_short);
	suite_add_tcase(s, tc);

	tc = tcase_create("resolution");
	tcase_add_test(tc, test_rate_and_epoch_expressions);
	tcase_add_test(tc, test_default_bounds_and_totals);
	tcase_add_loop_test(tc, test_params_json_complete, 0, (int)COUNT(minimal));
	tcase_add_loop_test(tc, test_defaults, 0, (int)COUNT(default_cases));
	tcase_add_test(tc, test_params_json_resolved);
	suite_add_tcase(s, tc);

	tc = tcase_create("api");
	tcase_add_test(tc, test_type_names);
	tcase_add_test(tc, test_param_info);
	tcase_add_test(tc, test_build_misc);
	suite_add_tcase(s, tc);

	return s;
}
