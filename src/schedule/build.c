/* build.c - schedules from parameter maps: the table of every schedule type
 * and its parameters, validation, resolution of @min/@max and "N epochs",
 * defaults, and the JSON of the resolved parameters.
 *
 * The table below is the one place that says which parameters a schedule
 * has, their types, defaults and allowed ranges; --help, the README's
 * schedule table and the stored trial parameters all come from it. The
 * formulas themselves are in lr.c. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/util.h"
#include "internal.h"

/* ------------------------------------------------------ parameter table */

typedef enum {
	K_RATE,        /* learning rate: number >= 0, or @min/@max[*x|/x]   */
	K_REAL,        /* any number in range                                */
	K_STEPS,       /* step count: integer, or "N epochs"                 */
	K_INT,         /* plain integer                                      */
	K_BOOL,        /* true | false                                       */
	K_ENUM,        /* one of `choices`, stored as its index              */
	K_STEPS_LIST,  /* list of step counts                                */
	K_RATE_LIST,   /* list of rates                                      */
	K_SCHEDULES    /* list of schedule maps (sequential; built by finish) */
} param_kind;

typedef enum {
	D_REQUIRED,    /* must be given                                      */
	D_TEXT,        /* `def` is the default, parsed as if written          */
	D_PEAK,        /* @max when the bounds are known, else required      */
	D_FLOOR,       /* @min when known, else `def` (required if NULL)     */
	D_TOTAL,       /* the run's total steps, else required               */
	D_SPE,         /* the run's steps per epoch, else required           */
	D_DERIVED      /* set by the type's finish(); `doc` says how          */
} param_default;

typedef struct {
	const char *name;       /* the parameter's name, as the source system spells it */
	param_kind kind;
	param_default dflt;
	const char *def;        /* default text (D_TEXT, D_FLOOR)            */
	const char *choices;    /* K_ENUM: "a|b|c"                           */
	double lo, hi;          /* allowed range of the number (list items)  */
	unsigned char lo_open;  /* 1: lo itself is not allowed               */
	unsigned char hi_open;  /* 1: hi itself is not allowed               */
	size_t off;             /* offset of the value in struct lrs_sched   */
	const char *doc;        /* default as documented, when not derivable */
} param_spec;

typedef struct {
	const char *name;
	const char *origin;     /* the system whose semantics it follows     */
	const char *use;        /* when to use it, one line                  */
	const param_spec *params;
	size_t n_params;
	/* cross-field checks and derived defaults, after every parameter
	 * was parsed; returns 0 or an error code with the message set */
	int (*finish)(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx);
} type_spec;

#define INF HUGE_VAL
#define MAX_STEPS 1000000000000000L   /* 1e15: no run is longer */
#define OFF(field) offsetof(struct lrs_sched, u.field)

#define RATE_PEAK(n, f)        { n, K_RATE, D_PEAK, NULL, NULL, 0, INF, 0, 0, OFF(f), NULL }
#define RATE_REQ(n, f)         { n, K_RATE, D_REQUIRED, NULL, NULL, 0, INF, 0, 0, OFF(f), NULL }
#define RATE_FLOOR(n, d, doc, f) { n, K_RATE, D_FLOOR, d, NULL, 0, INF, 0, 0, OFF(f), doc }
#define RATE_DEF(n, d, f)      { n, K_RATE, D_TEXT, d, NULL, 0, INF, 0, 0, OFF(f), NULL }
#define RATE_DERIVED(n, doc, f) { n, K_RATE, D_DERIVED, NULL, NULL, 0, INF, 0, 0, OFF(f), doc }
#define REAL(n, dflt, d, lo, hi, lo_open, hi_open, f) \
	{ n, K_REAL, dflt, d, NULL, lo, hi, lo_open, hi_open, OFF(f), NULL }
#define STEPS(n, dflt, d, lo, f) { n, K_STEPS, dflt, d, NULL, lo, (double)MAX_STEPS, 0, 0, OFF(f), NULL }
#define STEPS_DERIVED(n, lo, doc, f) { n, K_STEPS, D_DERIVED, NULL, NULL, lo, (double)MAX_STEPS, 0, 0, OFF(f), doc }
#define INT(n, dflt, d, lo, hi, f) { n, K_INT, dflt, d, NULL, lo, hi, 0, 0, OFF(f), NULL }
#define BOOL(n, d, f)          { n, K_BOOL, D_TEXT, d, "false|true", 0, 0, 0, 0, OFF(f), NULL }
#define ENUM(n, d, c, f)       { n, K_ENUM, D_TEXT, d, c, 0, 0, 0, 0, OFF(f), NULL }
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const param_spec constant_p[] = {
	RATE_PEAK("lr", constant.lr),
	REAL("factor", D_TEXT, "1.0", 0, 1, 1, 0, constant.factor),
	STEPS("total_iters", D_TEXT, "0", 0, constant.total_iters),
};
static const param_spec step_p[] = {
	RATE_PEAK("lr", step.lr),
	STEPS("step_size", D_REQUIRED, NULL, 1, step.step_size),
	REAL("gamma", D_TEXT, "0.1", 0, INF, 0, 0, step.gamma),
};
static const param_spec multistep_p[] = {
	RATE_PEAK("lr", multistep.lr),
	{ "milestones", K_STEPS_LIST, D_REQUIRED, NULL, NULL, 0, (double)MAX_STEPS, 0, 0, OFF(multistep.milestones), NULL },
	REAL("gamma", D_TEXT, "0.1", 0, INF, 0, 0, multistep.gamma),
};
static const param_spec exponential_p[] = {
	RATE_PEAK("lr", exponential.lr),
	REAL("gamma", D_REQUIRED, NULL, 0, INF, 0, 0, exponential.gamma),
};
static const param_spec linear_p[] = {
	RATE_PEAK("lr", linear.lr),
	{ "start_factor", K_REAL, D_TEXT, "0.33333333333333331", NULL, 0, 1, 1, 0, OFF(linear.start_factor), "1/3" },
	REAL("end_factor", D_TEXT, "1.0", 0, 1, 0, 0, linear.end_factor),
	STEPS("total_iters", D_TEXT, "5", 1, linear.total_iters),
};
static const param_spec polynomial_p[] = {
	RATE_PEAK("lr", polynomial.lr),
	STEPS("total_iters", D_TOTAL, NULL, 1, polynomial.total_iters),
	REAL("power", D_TEXT, "1.0", 0, INF, 0, 0, polynomial.power),
};
static const param_spec cosine_p[] = {
	RATE_PEAK("lr", cosine.lr),
	STEPS("T_max", D_TOTAL, NULL, 1, cosine.T_max),
	RATE_FLOOR("eta_min", "0", "@min, else 0", cosine.eta_min),
};
static const param_spec warm_p[] = {
	RATE_PEAK("lr", warm.lr),
	STEPS("T_0", D_REQUIRED, NULL, 1, warm.T_0),
	INT("T_mult", D_TEXT, "1", 1, 1e6, warm.T_mult),
	RATE_FLOOR("eta_min", "0", "@min, else 0", warm.eta_min),
};
static const param_spec one_cycle_p[] = {
	RATE_PEAK("max_lr", one_cycle.max_lr),
	STEPS("total_steps", D_TOTAL, NULL, 2, one_cycle.total_steps),
	REAL("pct_start", D_TEXT, "0.3", 0, 1, 1, 1, one_cycle.pct_start),
	ENUM("anneal_strategy", "cos", "cos|linear", one_cycle.anneal_strategy),
	REAL("div_factor", D_TEXT, "25", 0, INF, 1, 0, one_cycle.div_factor),
	REAL("final_div_factor", D_TEXT, "1e4", 0, INF, 1, 0, one_cycle.final_div_factor),
	BOOL("three_phase", "false", one_cycle.three_phase),
	BOOL("cycle_momentum", "true", one_cycle.cycle_momentum),
	REAL("base_momentum", D_TEXT, "0.85", 0, 1, 0, 0, one_cycle.base_momentum),
	REAL("max_momentum", D_TEXT, "0.95", 0, 1, 0, 0, one_cycle.max_momentum),
};
static const param_spec cyclic_p[] = {
	RATE_FLOOR("base_lr", NULL, "@min", cyclic.base_lr),
	RATE_PEAK("max_lr", cyclic.max_lr),
	STEPS("step_size_up", D_TEXT, "2000", 1, cyclic.step_size_up),
	STEPS_DERIVED("step_size_down", 1, "step_size_up", cyclic.step_size_down),
	ENUM("mode", "triangular", "triangular|triangular2|exp_range", cyclic.mode),
	REAL("gamma", D_TEXT, "1.0", 0, INF, 1, 0, cyclic.gamma),
	BOOL("cycle_momentum", "true", cyclic.cycle_momentum),
	REAL("base_momentum", D_TEXT, "0.8", 0, 1, 0, 0, cyclic.base_momentum),
	REAL("max_momentum", D_TEXT, "0.9", 0, 1, 0, 0, cyclic.max_momentum),
};
#define CLR_COMMON \
	RATE_FLOOR("base_lr", NULL, "@min", clr.base_lr), \
	RATE_PEAK("max_lr", clr.max_lr), \
	STEPS("step_size", D_REQUIRED, NULL, 1, clr.step_size)
#define CLR_WINDOW ENUM("window", "triangular", "triangular|welch|hann", clr.window)
static const param_spec triangular_p[] = { CLR_COMMON, CLR_WINDOW };
static const param_spec exp_range_p[] = {
	CLR_COMMON,
	REAL("gamma", D_REQUIRED, NULL, 0, INF, 1, 0, clr.gamma),
	CLR_WINDOW,
};
#define DECAY_P(name) \
	static const param_spec name[] = { \
		RATE_PEAK("initial_learning_rate", decay.initial_learning_rate), \
		STEPS("decay_steps", D_TOTAL, NULL, 1, decay.decay_steps), \
		REAL("decay_rate", D_REQUIRED, NULL, 0, INF, 0, 0, decay.decay_rate), \
		BOOL("staircase", "false", decay.staircase), \
	}
DECAY_P(exponential_decay_p);
DECAY_P(inverse_time_decay_p);
static const param_spec piecewise_p[] = {
	{ "boundaries", K_STEPS_LIST, D_REQUIRED, NULL, NULL, 0, (double)MAX_STEPS, 0, 0, OFF(piecewise.boundaries), NULL },
	{ "values", K_RATE_LIST, D_REQUIRED, NULL, NULL, 0, INF, 0, 0, OFF(piecewise.values), NULL },
};
static const param_spec poly_decay_p[] = {
	RATE_PEAK("initial_learning_rate", poly_decay.initial_learning_rate),
	STEPS("decay_steps", D_TOTAL, NULL, 1, poly_decay.decay_steps),
	RATE_DEF("end_learning_rate", "1e-4", poly_decay.end_learning_rate),
	REAL("power", D_TEXT, "1.0", 0, INF, 0, 0, poly_decay.power),
	BOOL("cycle", "false", poly_decay.cycle),
};
static const param_spec cos_decay_p[] = {
	RATE_DERIVED("initial_learning_rate", "@max; @min when warming up", cos_decay.initial_learning_rate),
	STEPS_DERIVED("decay_steps", 1, "total steps - warmup_steps", cos_decay.decay_steps),
	REAL("alpha", D_TEXT, "0", 0, 1, 0, 0, cos_decay.alpha),
	RATE_DERIVED("warmup_target", "none; @max when warmup_steps > 0", cos_decay.warmup_target),
	STEPS("warmup_steps", D_TEXT, "0", 0, cos_decay.warmup_steps),
};
static const param_spec restarts_p[] = {
	RATE_PEAK("initial_learning_rate", restarts.initial_learning_rate),
	STEPS("first_decay_steps", D_REQUIRED, NULL, 1, restarts.first_decay_steps),
	REAL("t_mul", D_TEXT, "2.0", 1, INF, 0, 0, restarts.t_mul),
	REAL("m_mul", D_TEXT, "1.0", 0, INF, 0, 0, restarts.m_mul),
	REAL("alpha", D_TEXT, "0", 0, 1, 0, 0, restarts.alpha),
};
#define LIN_COS_COMMON \
	RATE_PEAK("initial_learning_rate", lin_cos.initial_learning_rate), \
	STEPS("decay_steps", D_TOTAL, NULL, 1, lin_cos.decay_steps), \
	REAL("num_periods", D_TEXT, "0.5", 0, INF, 0, 0, lin_cos.num_periods), \
	REAL("alpha", D_TEXT, "0", 0, INF, 0, 0, lin_cos.alpha), \
	REAL("beta", D_TEXT, "0.001", 0, INF, 0, 0, lin_cos.beta)
static const param_spec lin_cos_p[] = { LIN_COS_COMMON };
static const param_spec noisy_p[] = {
	LIN_COS_COMMON,
	REAL("initial_variance", D_TEXT, "1.0", 0, INF, 0, 0, lin_cos.initial_variance),
	REAL("variance_decay", D_TEXT, "0.55", 0, INF, 0, 0, lin_cos.variance_decay),
	INT("seed", D_TEXT, "0", 0, 9.2e18, lin_cos.seed),
};
static const param_spec sgdr_p[] = {
	RATE_FLOOR("min_lr", NULL, "@min", sgdr.min_lr),
	RATE_PEAK("max_lr", sgdr.max_lr),
	INT("steps_per_epoch", D_SPE, NULL, 1, (double)MAX_STEPS, sgdr.steps_per_epoch),
	INT("cycle_length", D_TEXT, "10", 1, 1e9, sgdr.cycle_length),
	REAL("mult_factor", D_TEXT, "2", 1, INF, 0, 0, sgdr.mult_factor),
	REAL("lr_decay", D_TEXT, "1.0", 0, INF, 1, 0, sgdr.lr_decay),
};
static const param_spec plateau_p[] = {
	RATE_PEAK("lr", plateau.lr),
	ENUM("mode", "max", "max|min", plateau.mode),
	REAL("factor", D_TEXT, "0.1", 0, 1, 0, 1, plateau.factor),
	INT("patience", D_TEXT, "10", 0, 1e9, plateau.patience),
	REAL("threshold", D_TEXT, "1e-4", 0, INF, 0, 0, plateau.threshold),
	ENUM("threshold_mode", "rel", "rel|abs", plateau.threshold_mode),
	INT("cooldown", D_TEXT, "0", 0, 1e9, plateau.cooldown),
	RATE_FLOOR("min_lr", "0", "@min, else 0", plateau.min_lr),
	REAL("eps", D_TEXT, "1e-8", 0, INF, 0, 0, plateau.eps),
};
static const param_spec seq_p[] = {
	{ "schedules", K_SCHEDULES, D_REQUIRED, NULL, NULL, 0, 0, 0, 0, OFF(seq.schedules), NULL },
	{ "milestones", K_STEPS_LIST, D_REQUIRED, NULL, NULL, 1, (double)MAX_STEPS, 0, 0, OFF(seq.milestones), NULL },
};

static int finish_none(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx);
static int finish_multistep(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx);
static int finish_one_cycle(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx);
static int finish_cyclic(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx);
static int finish_clr(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx);
static int finish_piecewise(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx);
static int finish_cos_decay(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx);
static int finish_sgdr(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx);
static int finish_sequential(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx);

#define TYPE(name, origin, use, params, finish) { name, origin, use, params, COUNT(params), finish }

/* Indexed by lrs_sched_type. */
static const type_spec types[LRS_SCHED__COUNT] = {
	TYPE("constant", "PyTorch ConstantLR",
	     "a fixed rate (scaled by factor for the first total_iters steps): the baseline every schedule must beat",
	     constant_p, finish_none),
	TYPE("step", "PyTorch StepLR",
	     "multiply the rate by gamma every step_size steps: the classic recipe when you know when to decay",
	     step_p, finish_none),
	TYPE("multistep", "PyTorch MultiStepLR",
	     "decay by gamma at chosen milestones, e.g. at 50% and 75% of training",
	     multistep_p, finish_multistep),
	TYPE("exponential", "PyTorch ExponentialLR",
	     "decay by gamma at every step: smooth, but gamma must suit the run's length",
	     exponential_p, finish_none),
	TYPE("linear", "PyTorch LinearLR",
	     "ramp linearly between two factors of lr: the usual warm-up (first in a sequential)",
	     linear_p, finish_none),
	TYPE("polynomial", "PyTorch PolynomialLR",
	     "decay to 0 by a power of the steps left; power 1 is a straight line to 0",
	     polynomial_p, finish_none),
	TYPE("cosine_annealing", "PyTorch CosineAnnealingLR",
	     "half a cosine from lr down to eta_min over T_max steps: a strong default with nothing to tune",
	     cosine_p, finish_none),
	TYPE("cosine_annealing_warm_restarts", "PyTorch CosineAnnealingWarmRestarts",
	     "cosine decays restarted every T_0 steps, periods growing by T_mult: long runs, snapshot ensembles",
	     warm_p, finish_none),
	TYPE("one_cycle", "PyTorch OneCycleLR",
	     "Smith's 1cycle: up to max_lr and far below, momentum inverted; fast training when max_lr comes from a range test",
	     one_cycle_p, finish_one_cycle),
	TYPE("cyclic", "PyTorch CyclicLR",
	     "PyTorch's CLR: rate between base_lr and max_lr with uneven up/down phases and momentum cycled opposite",
	     cyclic_p, finish_cyclic),
	TYPE("triangular", "CLR paper, triangular policy",
	     "the CLR paper's policy: the rate bounces linearly between base_lr and max_lr; step_size 2-10 epochs",
	     triangular_p, finish_clr),
	TYPE("triangular2", "CLR paper, triangular2 policy",
	     "triangular with the amplitude halved every cycle: settles down as training goes on",
	     triangular_p, finish_clr),
	TYPE("exp_range", "CLR paper, exp_range policy",
	     "triangular with the amplitude shrinking as gamma^step",
	     exp_range_p, finish_clr),
	TYPE("exponential_decay", "Keras ExponentialDecay",
	     "multiply by decay_rate every decay_steps, smoothly or as a staircase",
	     exponential_decay_p, finish_none),
	TYPE("inverse_time_decay", "Keras InverseTimeDecay",
	     "rate / (1 + decay_rate*step/decay_steps): a slow, long-tailed decay",
	     inverse_time_decay_p, finish_none),
	TYPE("piecewise_constant_decay", "Keras PiecewiseConstantDecay",
	     "hand-written rates for step intervals",
	     piecewise_p, finish_piecewise),
	TYPE("polynomial_decay", "Keras PolynomialDecay",
	     "decay to end_learning_rate by a power of the steps left; cycle restarts it every decay_steps",
	     poly_decay_p, finish_none),
	TYPE("cosine_decay", "Keras CosineDecay",
	     "cosine decay to alpha*rate, optionally after a linear warm-up to warmup_target",
	     cos_decay_p, finish_cos_decay),
	TYPE("cosine_decay_restarts", "Keras CosineDecayRestarts",
	     "Keras SGDR: cosine restarts, periods growing by t_mul, peaks scaled by m_mul",
	     restarts_p, finish_none),
	TYPE("linear_cosine_decay", "TF linear_cosine_decay",
	     "a linear decay times a cosine of num_periods periods (neural optimizer search)",
	     lin_cos_p, finish_none),
	TYPE("noisy_linear_cosine_decay", "TF noisy_linear_cosine_decay",
	     "linear cosine decay plus seeded Gaussian noise that fades: more exploration early",
	     noisy_p, finish_none),
	TYPE("sgdr", "SGDRScheduler Keras callback",
	     "cosine cycles counted in epochs, growing by mult_factor, peaks decaying by lr_decay",
	     sgdr_p, finish_sgdr),
	TYPE("reduce_on_plateau", "PyTorch ReduceLROnPlateau",
	     "cut the rate by factor when the validation metric stalls for patience epochs",
	     plateau_p, finish_none),
	TYPE("sequential", "PyTorch SequentialLR",
	     "chain schedules at milestones, e.g. a linear warm-up then cosine annealing",
	     seq_p, finish_sequential),
};

/* ------------------------------------------------------------ type names */

const char *lrs_sched_type_name(lrs_sched_type type)
{
	return (unsigned)type < LRS_SCHED__COUNT ? types[type].name : "?";
}

const char *lrs_sched_type_origin(lrs_sched_type type)
{
	return (unsigned)type < LRS_SCHED__COUNT ? types[type].origin : "?";
}

const char *lrs_sched_type_use(lrs_sched_type type)
{
	return (unsigned)type < LRS_SCHED__COUNT ? types[type].use : "?";
}

int lrs_sched_type_parse(lrs_sched_type *out, const char *name)
{
	const char *names[LRS_SCHED__COUNT];

	for (int t = 0; t < LRS_SCHED__COUNT; t++) {
		names[t] = types[t].name;
		if (strcmp(name, types[t].name) == 0) {
			*out = (lrs_sched_type)t;
			return 0;
		}
	}
	const char *near = lrs_nearest_name(name, names, LRS_SCHED__COUNT);
	if (near)
		return lrs_error_set(LRS_EINVALID, "unknown schedule type '%s' (did you mean '%s'?)", name, near);
	return lrs_error_set(LRS_EINVALID, "unknown schedule type '%s' (see 'lrsweep schedule --help' for the list)", name);
}

int lrs_sched_param_info(lrs_sched_type type, size_t i, const char **name, const char **def)
{
	const param_spec *p;

	if ((unsigned)type >= LRS_SCHED__COUNT || i >= types[type].n_params)
		return LRS_ENOTFOUND;
	p = &types[type].params[i];
	*name = p->name;
	if (p->doc)
		*def = p->doc;
	else switch (p->dflt) {
	case D_REQUIRED: *def = "required"; break;
	case D_TEXT:     *def = p->def; break;
	case D_PEAK:     *def = "@max"; break;
	case D_FLOOR:    *def = "@min"; break;
	case D_TOTAL:    *def = "total steps"; break;
	case D_SPE:      *def = "steps per epoch"; break;
	case D_DERIVED:  *def = "derived"; break;
	}
	return 0;
}

/* ------------------------------------------------------ value parsing */

/* Context of one build, for error messages. */
typedef struct {
	const char *type;            /* schedule type name                 */
	const lrs_sched_ctx *ctx;
} build_ctx;

static int bad(const build_ctx *b, const lrs_node *at, const char *param, const char *fmt, const char *got)
{
	char what[256];

	snprintf(what, sizeof what, fmt, got);
	return lrs_error_set_at(LRS_EINVALID, at ? at->line : 0, at ? at->column : 0,
	                        "%s: parameter '%s' %s", b->type, param, what);
}

/* "> 0", "in (0, 1]", ... for messages. */
static void range_text(const param_spec *p, char *out, size_t cap)
{
	int has_hi = p->hi < INF && p->hi < (double)MAX_STEPS;

	if (has_hi)
		snprintf(out, cap, "in %c%g, %g%c", p->lo_open ? '(' : '[', p->lo, p->hi, p->hi_open ? ')' : ']');
	else
		snprintf(out, cap, "%s %g", p->lo_open ? ">" : ">=", p->lo);
}

static int in_range(const param_spec *p, double v)
{
	if (v < p->lo || (p->lo_open && v == p->lo))
		return 0;
	if (v > p->hi || (p->hi_open && v == p->hi))
		return 0;
	return 1;
}

/* A rate: "0.1", "@max", "@min", "@max/4", "@min*2". */
static int parse_rate(const build_ctx *b, const param_spec *p, const lrs_node *n, double *out)
{
	const char *t = n->text;
	double v, k;

	while (*t == ' ')
		t++;
	if (t[0] == '@') {
		int is_max = strncmp(t, "@max", 4) == 0, is_min = strncmp(t, "@min", 4) == 0;
		if (!is_max && !is_min)
			return bad(b, n, p->name, "must be a rate: a number, @min or @max (optionally *x or /x), got '%s'", n->text);
		v = is_max ? b->ctx->max_lr : b->ctx->min_lr;
		if (isnan(v))
			return bad(b, n, p->name, "is '%s' but the bounds are not known here (run a range test or give --min-lr/--max-lr)", n->text);
		t += 4;
		while (*t == ' ')
			t++;
		if (*t == '*' || *t == '/') {
			char op = *t;
			if (lrs_parse_double(t + 1, &k) < 0 || k <= 0)
				return bad(b, n, p->name, "must be @min or @max scaled by a positive number (@max/4, @min*2), got '%s'", n->text);
			v = op == '*' ? v * k : v / k;
		} else if (*t != '\0') {
			return bad(b, n, p->name, "must be @min or @max scaled by a positive number (@max/4, @min*2), got '%s'", n->text);
		}
	} else if (lrs_parse_double(t, &v) < 0) {
		return bad(b, n, p->name, "must be a rate: a number, @min or @max (optionally *x or /x), got '%s'", n->text);
	}
	if (!(v >= 0) || !isfinite(v))
		return bad(b, n, p->name, "must be a rate >= 0, got '%s'", n->text);
	*out = v;
	return 0;
}

/* A step count: "2000", "1e4", or "N epochs" (N may be fractional; the
 * product is rounded to the nearest step). */
static int parse_steps(const build_ctx *b, const param_spec *p, const lrs_node *n, long *out)
{
	char num[64], rng[64];
	const char *t = n->text, *unit;
	double v;
	size_t len;

	range_text(p, rng, sizeof rng);
	unit = strstr(t, "epoch");
	len = unit ? (size_t)(unit - t) : strlen(t);
	if (len >= sizeof num)
		return bad(b, n, p->name, "must be a step count or \"N epochs\", got '%s'", t);
	memcpy(num, t, len);
	num[len] = '\0';
	if (lrs_parse_double(num, &v) < 0 || (unit && strcmp(unit, "epoch") && strcmp(unit, "epochs")))
		return bad(b, n, p->name, "must be a step count or \"N epochs\", got '%s'", t);
	if (unit) {
		if (b->ctx->steps_per_epoch <= 0)
			return bad(b, n, p->name, "is '%s' but the number of steps per epoch is not known here (--steps-per-epoch)", t);
		if (v < 0)
			return bad(b, n, p->name, "must be a number of epochs >= 0, got '%s'", t);
		v = round(v * (double)b->ctx->steps_per_epoch);
	} else if (v != floor(v)) {
		return bad(b, n, p->name, "must be a whole number of steps (or \"N epochs\"), got '%s'", t);
	}
	if (v > p->hi && p->hi >= (double)MAX_STEPS)   /* a range text leaves this bound out */
		return bad(b, n, p->name, "must be at most 1e15 steps (no run is longer), got '%s'", t);
	if (!in_range(p, v)) {
		char what[160];
		snprintf(what, sizeof what, "must be %s steps, got '%%s'", rng);
		return bad(b, n, p->name, what, t);
	}
	*out = (long)v;
	return 0;
}

static int parse_number(const build_ctx *b, const param_spec *p, const lrs_node *n, double *out)
{
	char rng[64], what[160];
	double v;

	range_text(p, rng, sizeof rng);
	if (lrs_parse_double(n->text, &v) < 0 || !in_range(p, v) ||
	    (p->kind == K_INT && v != floor(v))) {
		snprintf(what, sizeof what, "must be %s %s, got '%%s'",
		         p->kind == K_INT ? "an integer" : "a number", rng);
		return bad(b, n, p->name, what, n->text);
	}
	*out = v;
	return 0;
}

static int parse_choice(const build_ctx *b, const param_spec *p, const lrs_node *n, int *out)
{
	const char *c = p->choices, *t = n->text;
	size_t len = strlen(t);
	char what[200];

	for (int i = 0; *c; i++) {
		const char *bar = strchr(c, '|');
		size_t clen = bar ? (size_t)(bar - c) : strlen(c);
		if (clen == len && strncmp(c, t, len) == 0) {
			*out = i;
			return 0;
		}
		c += clen + (bar != NULL);
	}
	/* YAML spellings of booleans */
	if (p->kind == K_BOOL) {
		if (lrs_parse_bool(t, out) == 0)
			return 0;
	}
	snprintf(what, sizeof what, "must be one of %s, got '%%s'", p->choices);
	return bad(b, n, p->name, what, t);
}

/* Parses scalar `n` (or one list item) of parameter p into the slot. */
static int parse_scalar(const build_ctx *b, const param_spec *p, param_kind kind,
                        const lrs_node *n, void *slot)
{
	double v;
	int rc;

	if (n->kind != LRS_NODE_SCALAR)
		return bad(b, n, p->name, "must be a single value, got a %s", n->kind == LRS_NODE_LIST ? "list" : "mapping");
	switch (kind) {
	case K_RATE:
		return parse_rate(b, p, n, slot);
	case K_STEPS:
		return parse_steps(b, p, n, slot);
	case K_REAL:
		return parse_number(b, p, n, slot);
	case K_INT:
		rc = parse_number(b, p, n, &v);
		if (rc == 0)
			*(long *)slot = (long)v;
		return rc;
	case K_BOOL:
	case K_ENUM:
		return parse_choice(b, p, n, slot);
	default:
		return LRS_ERROR;
	}
}

/* Lists: a YAML/flag list, or a single scalar taken as a one-item list. */
static int parse_list(const build_ctx *b, const param_spec *p, const lrs_node *n, void *slot)
{
	int is_steps = p->kind == K_STEPS_LIST;
	size_t count = n->kind == LRS_NODE_LIST ? n->n : 1;
	size_t size = is_steps ? sizeof(long) : sizeof(double);
	char *v;

	if (n->kind == LRS_NODE_MAP)
		return bad(b, n, p->name, "must be a list, got a %s", "mapping");
	v = calloc(count ? count : 1, size);
	if (!v)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	/* store first, so that the schedule owns the array even on error */
	if (is_steps) {
		((lrs_steps_list *)slot)->v = (long *)(void *)v;
		((lrs_steps_list *)slot)->n = count;
	} else {
		((lrs_rates_list *)slot)->v = (double *)(void *)v;
		((lrs_rates_list *)slot)->n = count;
	}
	for (size_t i = 0; i < count; i++) {
		const lrs_node *item = n->kind == LRS_NODE_LIST ? n->items[i] : n;
		int rc = parse_scalar(b, p, is_steps ? K_STEPS : K_RATE, item, v + i * size);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The default of a rate when omitted: @max, @min, or the system default. */
static int default_rate(const build_ctx *b, const param_spec *p, const lrs_node *map, int peak, double *out)
{
	double v = peak ? b->ctx->max_lr : b->ctx->min_lr;

	if (!isnan(v)) {
		*out = v;
		return 0;
	}
	if (!peak && p->def) {
		lrs_parse_double(p->def, out);
		return 0;
	}
	return lrs_error_set_at(LRS_EINVALID, map ? map->line : 0, map ? map->column : 0,
	                        "%s: missing parameter '%s' (a rate; it defaults to %s only when the bounds are known)",
	                        b->type, p->name, peak ? "@max" : "@min");
}

static int missing(const build_ctx *b, const param_spec *p, const lrs_node *map, const char *why)
{
	return lrs_error_set_at(LRS_EINVALID, map ? map->line : 0, map ? map->column : 0,
	                        "%s: missing parameter '%s'%s", b->type, p->name, why);
}

/* Fills parameter p from node n, or from its default when n is NULL. */
static int resolve_param(const build_ctx *b, const param_spec *p, const lrs_node *map,
                         const lrs_node *n, lrs_sched *s)
{
	void *slot = (char *)s + p->off;
	lrs_node fake = { .kind = LRS_NODE_SCALAR };

	if (p->kind == K_SCHEDULES)
		return n || p->dflt != D_REQUIRED ? 0 : missing(b, p, map, "");
	if (n) {
		if (p->kind == K_STEPS_LIST || p->kind == K_RATE_LIST)
			return parse_list(b, p, n, slot);
		return parse_scalar(b, p, p->kind, n, slot);
	}
	switch (p->dflt) {
	case D_REQUIRED:
		return missing(b, p, map, "");
	case D_PEAK:
		return default_rate(b, p, map, 1, slot);
	case D_FLOOR:
		return default_rate(b, p, map, 0, slot);
	case D_TOTAL:
		if (b->ctx->total_steps <= 0)
			return missing(b, p, map, " (it defaults to the run's total steps, not known here)");
		*(long *)slot = b->ctx->total_steps;
		return 0;
	case D_SPE:
		if (b->ctx->steps_per_epoch <= 0)
			return missing(b, p, map, " (it defaults to the steps per epoch, not known here)");
		*(long *)slot = b->ctx->steps_per_epoch;
		return 0;
	case D_DERIVED:
		if (p->kind == K_RATE)
			*(double *)slot = NAN;
		else
			*(long *)slot = -1;
		return 0;
	case D_TEXT:
		fake.text = (char *)p->def;
		return parse_scalar(b, p, p->kind, &fake, slot);
	}
	return LRS_ERROR;
}

/* Every key of the map must be a parameter of the type (or "type"). */
static int check_keys(const build_ctx *b, const type_spec *t, const lrs_node *map)
{
	const char *names[16];

	for (size_t i = 0; i < t->n_params; i++)
		names[i] = t->params[i].name;
	for (size_t k = 0; map && k < map->n; k++) {
		const char *key = map->keys[k];
		int known = strcmp(key, "type") == 0;
		for (size_t i = 0; i < t->n_params && !known; i++)
			known = strcmp(key, names[i]) == 0;
		if (known)
			continue;
		const char *near = lrs_nearest_name(key, names, t->n_params);
		lrs_buf list = { 0 };
		for (size_t i = 0; i < t->n_params; i++)
			lrs_buf_printf(&list, "%s%s", i ? ", " : "", names[i]);
		/* reported at the key, as every unknown key is */
		const lrs_node *at = map->items[k];
		int line = at->key_line ? at->key_line : at->line, col = at->key_line ? at->key_column : at->column;
		if (near)
			lrs_error_set_at(LRS_EINVALID, line, col, "%s: unknown parameter '%s' (did you mean '%s'?)",
			                 b->type, key, near);
		else
			lrs_error_set_at(LRS_EINVALID, line, col, "%s: unknown parameter '%s' (it takes: %s)", b->type,
			                 key, list.data ? list.data : "");
		lrs_buf_free(&list);
		return LRS_EINVALID;
	}
	return 0;
}

/* Position of parameter `name` in the map (or of the map) for messages. */
static int fail_at(const lrs_sched *s, const lrs_node *map, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_at(const lrs_sched *s, const lrs_node *map, const char *name, const char *fmt, ...)
{
	const lrs_node *n = name ? lrs_node_get(map, name) : NULL;
	char msg[512];
	va_list ap;

	if (!n)
		n = map;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return lrs_error_set_at(LRS_EINVALID, n ? n->line : 0, n ? n->column : 0, "%s: %s",
	                        types[s->type].name, msg);
}

/* ----------------------------------------------- cross-field checks */

static int finish_none(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx)
{
	(void)s; (void)map; (void)ctx;
	return 0;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

static int finish_multistep(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx)
{
	(void)map; (void)ctx;
	/* PyTorch counts milestones in a Counter: order does not matter and a
	 * repeated milestone applies gamma twice. */
	qsort(s->u.multistep.milestones.v, s->u.multistep.milestones.n, sizeof(long), cmp_long);
	return 0;
}

static int finish_one_cycle(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx)
{
	double T = (double)s->u.one_cycle.total_steps, p = s->u.one_cycle.pct_start;

	(void)ctx;
	/* every phase must span at least one step, or PyTorch divides by zero */
	if (p * T - 1 <= 0 || T - 1 - (p * T - 1) <= 0)
		return fail_at(s, map, "pct_start", "parameter 'pct_start' (%g) leaves a phase of zero length with total_steps %ld: "
		               "need 1 < pct_start*total_steps < total_steps", p, s->u.one_cycle.total_steps);
	if (s->u.one_cycle.three_phase && (p * T - 1 <= 0 || T - 1 - (2 * p * T - 2) <= 0))
		return fail_at(s, map, "pct_start", "parameter 'pct_start' (%g) leaves a phase of zero length with three_phase and total_steps %ld: "
		               "need 1 < pct_start*total_steps < (total_steps+1)/2", p, s->u.one_cycle.total_steps);
	if (s->u.one_cycle.base_momentum > s->u.one_cycle.max_momentum)
		return fail_at(s, map, "base_momentum", "parameter 'base_momentum' (%g) must be <= max_momentum (%g)",
		               s->u.one_cycle.base_momentum, s->u.one_cycle.max_momentum);
	return 0;
}

static int finish_cyclic(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx)
{
	(void)ctx;
	if (s->u.cyclic.step_size_down < 0)
		s->u.cyclic.step_size_down = s->u.cyclic.step_size_up;
	if (s->u.cyclic.base_lr > s->u.cyclic.max_lr)
		return fail_at(s, map, "base_lr", "parameter 'base_lr' (%g) must be <= max_lr (%g)",
		               s->u.cyclic.base_lr, s->u.cyclic.max_lr);
	if (s->u.cyclic.base_momentum > s->u.cyclic.max_momentum)
		return fail_at(s, map, "base_momentum", "parameter 'base_momentum' (%g) must be <= max_momentum (%g)",
		               s->u.cyclic.base_momentum, s->u.cyclic.max_momentum);
	return 0;
}

static int finish_clr(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx)
{
	(void)ctx;
	if (s->type != LRS_SCHED_EXP_RANGE)
		s->u.clr.gamma = 1.0;
	if (s->u.clr.base_lr > s->u.clr.max_lr)
		return fail_at(s, map, "base_lr", "parameter 'base_lr' (%g) must be <= max_lr (%g)",
		               s->u.clr.base_lr, s->u.clr.max_lr);
	return 0;
}

static int finish_piecewise(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx)
{
	const lrs_steps_list *b = &s->u.piecewise.boundaries;

	(void)ctx;
	for (size_t i = 1; i < b->n; i++)
		if (b->v[i] <= b->v[i - 1])
			return fail_at(s, map, "boundaries", "parameter 'boundaries' must be strictly increasing (%ld then %ld)",
			               b->v[i - 1], b->v[i]);
	if (s->u.piecewise.values.n != b->n + 1)
		return fail_at(s, map, "values", "parameter 'values' must have one more item than boundaries (%zu boundaries, %zu values)",
		               b->n, s->u.piecewise.values.n);
	return 0;
}

static int finish_cos_decay(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx)
{
	long warm = s->u.cos_decay.warmup_steps;

	/* Warm-up happens when warmup_target is set (Keras); when only
	 * warmup_steps is given, the target is @max and the ramp starts at @min. */
	if (isnan(s->u.cos_decay.warmup_target) && warm > 0) {
		if (isnan(ctx->max_lr))
			return fail_at(s, map, "warmup_steps", "warmup_steps > 0 needs parameter 'warmup_target' (it defaults to @max only when the bounds are known)");
		s->u.cos_decay.warmup_target = ctx->max_lr;
	}
	if (isnan(s->u.cos_decay.initial_learning_rate)) {
		int warming = !isnan(s->u.cos_decay.warmup_target);
		double v = warming ? ctx->min_lr : ctx->max_lr;
		if (isnan(v))
			return fail_at(s, map, NULL, "missing parameter 'initial_learning_rate' (a rate; it defaults to %s only when the bounds are known)",
			               warming ? "@min" : "@max");
		s->u.cos_decay.initial_learning_rate = v;
	}
	if (s->u.cos_decay.decay_steps < 0) {
		long left = ctx->total_steps - (isnan(s->u.cos_decay.warmup_target) ? 0 : warm);
		if (ctx->total_steps <= 0)
			return fail_at(s, map, NULL, "missing parameter 'decay_steps' (it defaults to the run's total steps, not known here)");
		if (left < 1)
			return fail_at(s, map, "warmup_steps", "warmup_steps (%ld) leaves no steps to decay in a run of %ld", warm, ctx->total_steps);
		s->u.cos_decay.decay_steps = left;
	}
	return 0;
}

static int finish_sgdr(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx)
{
	(void)ctx;
	if (s->u.sgdr.min_lr > s->u.sgdr.max_lr)
		return fail_at(s, map, "min_lr", "parameter 'min_lr' (%g) must be <= max_lr (%g)",
		               s->u.sgdr.min_lr, s->u.sgdr.max_lr);
	return 0;
}

static int finish_sequential(lrs_sched *s, const lrs_node *map, const lrs_sched_ctx *ctx)
{
	const lrs_node *list = lrs_node_get(map, "schedules");
	const lrs_steps_list *m = &s->u.seq.milestones;
	size_t n;

	if (list->kind != LRS_NODE_LIST || list->n == 0)
		return fail_at(s, map, "schedules", "parameter 'schedules' must be a non-empty list of schedules");
	n = list->n;
	if (m->n != n - 1)
		return fail_at(s, map, "milestones", "parameter 'milestones' must have one item fewer than schedules (%zu schedules, %zu milestones)",
		               n, m->n);
	for (size_t i = 1; i < m->n; i++)
		if (m->v[i] <= m->v[i - 1])
			return fail_at(s, map, "milestones", "parameter 'milestones' must be strictly increasing (%ld then %ld)",
			               m->v[i - 1], m->v[i]);
	if (ctx->total_steps > 0 && m->n > 0 && m->v[m->n - 1] >= ctx->total_steps)
		return fail_at(s, map, "milestones", "milestone %ld is not before the end of the run (%ld steps)",
		               m->v[m->n - 1], ctx->total_steps);
	s->u.seq.schedules = calloc(n, sizeof *s->u.seq.schedules);
	if (!s->u.seq.schedules)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	s->u.seq.n_schedules = n;
	for (size_t k = 0; k < n; k++) {
		const lrs_node *item = list->items[k];
		long start = k ? m->v[k - 1] : 0;
		long end = k < m->n ? m->v[k] : ctx->total_steps;
		lrs_sched_ctx inner = *ctx;   /* each segment is its own run */
		int rc;

		inner.total_steps = end > start ? end - start : 0;
		if (item->kind != LRS_NODE_MAP || !lrs_node_get(item, "type"))
			return lrs_error_set_at(LRS_EINVALID, item->line, item->column,
			                        "sequential: schedules[%zu] must be a mapping with a 'type'", k);
		rc = lrs_sched_build(&s->u.seq.schedules[k], NULL, item, &inner);
		if (rc < 0)
			return lrs_error_set_at(rc, lrs_error_line(), lrs_error_column(),
			                        "sequential: schedules[%zu]: %s", k, lrs_error_last());
		lrs_sched *c = s->u.seq.schedules[k];
		/* SequentialLR starts every schedule after the first with
		 * step(0), which takes PyTorch's closed form */
		c->restarted = k > 0;
		if (c->type == LRS_SCHED_SEQUENTIAL || c->type == LRS_SCHED_REDUCE_ON_PLATEAU)
			return lrs_error_set_at(LRS_EINVALID, item->line, item->column,
			                        "sequential: schedules[%zu] cannot be %s", k, types[c->type].name);
		if (lrs_sched_cycles_momentum(c))
			return lrs_error_set_at(LRS_EINVALID, item->line, item->column,
			                        "sequential: schedules[%zu] (%s) cycles momentum; set cycle_momentum: false inside sequential",
			                        k, types[c->type].name);
		long lim = lrs_sched_step_limit(c);
		if (k < m->n && lim >= 0 && lim < end - start)
			return lrs_error_set_at(LRS_EINVALID, item->line, item->column,
			                        "sequential: schedules[%zu] (%s) is defined for %ld steps but runs for %ld",
			                        k, types[c->type].name, lim, end - start);
	}
	return 0;
}

/* --------------------------------------------------------------- build */

int lrs_sched_build(lrs_sched **out, const char *type, const lrs_node *params,
                    const lrs_sched_ctx *ctx)
{
	lrs_sched_ctx none = { NAN, NAN, 0, 0 };
	lrs_sched_type t;
	lrs_sched *s = NULL;
	build_ctx b;
	int rc;

	*out = NULL;
	if (!ctx)
		ctx = &none;
	if (params && params->kind != LRS_NODE_MAP)
		return lrs_error_set_at(LRS_EINVALID, params->line, params->column,
		                        "a schedule must be a mapping of parameters");
	if (!type) {
		const lrs_node *tn = lrs_node_get(params, "type");
		if (!tn || tn->kind != LRS_NODE_SCALAR)
			return lrs_error_set_at(LRS_EINVALID, params ? params->line : 0, params ? params->column : 0,
			                        "a schedule needs a 'type'");
		type = tn->text;
		if ((rc = lrs_sched_type_parse(&t, type)) < 0)
			return lrs_error_set_at(rc, tn->line, tn->column, "%s", lrs_error_last());
	} else if ((rc = lrs_sched_type_parse(&t, type)) < 0) {
		return rc;
	}
	b.type = types[t].name;
	b.ctx = ctx;
	if ((rc = check_keys(&b, &types[t], params)) < 0)
		return rc;
	s = calloc(1, sizeof *s);
	if (!s)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	s->type = t;
	for (size_t i = 0; i < types[t].n_params; i++) {
		const param_spec *p = &types[t].params[i];
		rc = resolve_param(&b, p, params, lrs_node_get(params, p->name), s);
		if (rc < 0)
			goto fail;
	}
	if ((rc = types[t].finish(s, params, ctx)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	lrs_sched_free(s);
	return rc;
}

void lrs_sched_free(lrs_sched *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < types[s->type].n_params; i++) {
		const param_spec *p = &types[s->type].params[i];
		void *slot = (char *)s + p->off;
		if (p->kind == K_STEPS_LIST)
			free(((lrs_steps_list *)slot)->v);
		else if (p->kind == K_RATE_LIST)
			free(((lrs_rates_list *)slot)->v);
	}
	if (s->type == LRS_SCHED_SEQUENTIAL) {
		for (size_t k = 0; k < s->u.seq.n_schedules; k++)
			lrs_sched_free(s->u.seq.schedules[k]);
		free(s->u.seq.schedules);
	}
	free(s);
}

/* ---------------------------------------------------------------- JSON */

static int choice_text(const char *choices, int index, char *out, size_t cap)
{
	const char *c = choices;

	for (int i = 0; *c; i++) {
		const char *bar = strchr(c, '|');
		size_t len = bar ? (size_t)(bar - c) : strlen(c);
		if (i == index) {
			snprintf(out, cap, "%.*s", (int)len, c);
			return 0;
		}
		c += len + (bar != NULL);
	}
	return -1;
}

static void params_json(lrs_buf *out, const lrs_sched *s)
{
	const type_spec *t = &types[s->type];

	lrs_buf_printf(out, "{");
	for (size_t i = 0; i < t->n_params; i++) {
		const param_spec *p = &t->params[i];
		const void *slot = (const char *)s + p->off;
		char word[64];

		lrs_buf_printf(out, "%s", i ? ", " : "");
		lrs_buf_json_string(out, p->name);
		lrs_buf_printf(out, ": ");
		switch (p->kind) {
		case K_RATE:
		case K_REAL:
			lrs_buf_json_number(out, *(const double *)slot);
			break;
		case K_STEPS:
		case K_INT:
			lrs_buf_printf(out, "%ld", *(const long *)slot);
			break;
		case K_BOOL:
			lrs_buf_printf(out, "%s", *(const int *)slot ? "true" : "false");
			break;
		case K_ENUM:
			choice_text(p->choices, *(const int *)slot, word, sizeof word);
			lrs_buf_json_string(out, word);
			break;
		case K_STEPS_LIST: {
			const lrs_steps_list *l = slot;
			lrs_buf_printf(out, "[");
			for (size_t k = 0; k < l->n; k++)
				lrs_buf_printf(out, "%s%ld", k ? ", " : "", l->v[k]);
			lrs_buf_printf(out, "]");
			break;
		}
		case K_RATE_LIST: {
			const lrs_rates_list *l = slot;
			lrs_buf_printf(out, "[");
			for (size_t k = 0; k < l->n; k++) {
				lrs_buf_printf(out, "%s", k ? ", " : "");
				lrs_buf_json_number(out, l->v[k]);
			}
			lrs_buf_printf(out, "]");
			break;
		}
		case K_SCHEDULES:
			lrs_buf_printf(out, "[");
			for (size_t k = 0; k < s->u.seq.n_schedules; k++) {
				const lrs_sched *c = s->u.seq.schedules[k];
				lrs_buf_printf(out, "%s{\"type\": ", k ? ", " : "");
				lrs_buf_json_string(out, types[c->type].name);
				lrs_buf_printf(out, ", \"params\": ");
				params_json(out, c);
				lrs_buf_printf(out, "}");
			}
			lrs_buf_printf(out, "]");
			break;
		}
	}
	lrs_buf_printf(out, "}");
}

int lrs_sched_params_json(char **out, const lrs_sched *s)
{
	lrs_buf b = { 0 };

	params_json(&b, s);
	*out = lrs_buf_take(&b);
	return *out ? 0 : lrs_error_set(LRS_ENOMEM, "out of memory");
}
