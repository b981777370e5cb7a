/* cmd_schedule.c - `lrsweep schedule TYPE --steps N [--KEY VALUE ...]`:
 * builds one schedule from flags named after its parameters and prints it
 * (csv, json, table) or plots it, one row per optimizer step.
 *
 * A flag value is a scalar ("0.1", "@max/4", "2 epochs", "true"), a
 * comma-separated list ("30,80"), or a YAML flow value ("[{type: linear},
 * ...]") for the lists of mappings that `sequential` takes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/config.h"
#include "lrsweep/error.h"
#include "lrsweep/report.h"
#include "lrsweep/schedule.h"
#include "lrsweep/util.h"
#include "cli.h"

#define CMD "schedule"
#define MAX_ROWS 100000000L   /* 1e8 rows: more is a typo, not a schedule */

enum { FMT_CSV, FMT_JSON, FMT_TABLE };

typedef struct {
	const char *type;          /* schedule type name                 */
	long steps;                /* rows to print (0 = not given)       */
	lrs_sched_ctx ctx;         /* bounds, steps per epoch, total      */
	int format;                /* FMT_*                               */
	int format_given;          /* --format appeared                   */
	const char *plot_path;     /* --plot F                            */
	int terminal;              /* --terminal                          */
	const char *metrics;       /* --metrics m0,m1,... (plateau)       */
	lrs_node *params;          /* every other --KEY VALUE             */
} schedule_args;

/* ------------------------------------------------------------------ help */

static void help_types(FILE *f)
{
	for (int t = 0; t < LRS_SCHED__COUNT; t++)
		fprintf(f, "  %-31s %s\n", lrs_sched_type_name((lrs_sched_type)t),
		        lrs_sched_type_origin((lrs_sched_type)t));
}

static void help_params(FILE *f, lrs_sched_type t)
{
	const char *name, *def;

	fprintf(f, "%s (%s): %s.\n\nparameters, with defaults:\n", lrs_sched_type_name(t),
	        lrs_sched_type_origin(t), lrs_sched_type_use(t));
	for (size_t i = 0; lrs_sched_param_info(t, i, &name, &def) == 0; i++)
		fprintf(f, "  --%-24s %s\n", name, def);
}

/* Every type as a markdown table: the README's schedule table. */
static void list_markdown(FILE *f)
{
	const char *name, *def;

	fprintf(f, "| type | follows | parameters (default) | when to use it |\n");
	fprintf(f, "| --- | --- | --- | --- |\n");
	for (int t = 0; t < LRS_SCHED__COUNT; t++) {
		fprintf(f, "| `%s` | %s | ", lrs_sched_type_name((lrs_sched_type)t),
		        lrs_sched_type_origin((lrs_sched_type)t));
		for (size_t i = 0; lrs_sched_param_info((lrs_sched_type)t, i, &name, &def) == 0; i++)
			fprintf(f, "%s`%s` (%s)", i ? ", " : "", name, def);
		fprintf(f, " | %s |\n", lrs_sched_type_use((lrs_sched_type)t));
	}
}

static const char about[] =
	"Prints the learning rate of each optimizer step 0..N-1 (row i is the rate of\n"
	"update i), plus the momentum where the schedule cycles it.\n";

static const char epilog[] = "'lrsweep schedule TYPE --help' lists the parameters of TYPE. Types:\n";

static const char *const formats[] = { "csv", "json", "table" };   /* by FMT_* */
static const lrs_format by_choice[] = { LRS_FMT_CSV, LRS_FMT_JSON, LRS_FMT_TABLE };

/* --KEY VALUE: a parameter of the schedule; the type is not one. */
static int set_param(void *params, const char *key, const char *value)
{
	if (!strcmp(key, "type"))
		return lrs_error_set(LRS_EINVALID, "give the type as the first argument, not --type");
	return cli_set_param(params, key, value);
}

/* The help: of TYPE when one was named, else of the command. */
static int help(const lrs_opt_spec *spec, const char *type)
{
	lrs_sched_type t;

	if (type && lrs_sched_type_parse(&t, type) < 0)
		return LRS_EINVALID;
	if (type) {
		help_params(stdout, t);
	} else {
		lrs_opt_help(stdout, spec);
		help_types(stdout);
	}
	return LRS_OPT_HELP;
}

/* Parses schedule's argv into `a`: 0, LRS_OPT_HELP (written to stdout;
 * --list's table likewise) or an error. */
static int parse_args(int argc, char **argv, cli_globals *g, schedule_args *a)
{
	int format = -1, list = 0, rc;

	if ((rc = lrs_node_new_map(&a->params, 0, 0)) < 0)
		return rc;
	const lrs_opt opts[] = {
		{ .metavar = "TYPE", .kind = LRS_OPT_STRING, .dest = &a->type, .flags = LRS_OPT_OPERAND | LRS_OPT_REQUIRED,
		  .help = "the schedule type" },
		{ .name = "steps", .kind = LRS_OPT_INT, .dest = &a->steps, .metavar = "N", .min = 1, .max = MAX_ROWS,
		  .flags = LRS_OPT_REQUIRED, .help = "rows to print; also the run's total steps, the default of "
		                                     "total_steps, T_max, decay_steps, total_iters" },
		{ .name = "KEY", .kind = LRS_OPT_PARAMS, .dest = a->params, .set = set_param, .metavar = "VALUE",
		  .help = "a schedule parameter, named as in its source system: --gamma 0.5, --T_0 10, --milestones "
		          "30,80, --three_phase true, --step_size \"2 epochs\"" },
		{ .name = "min-lr", .kind = LRS_OPT_DOUBLE, .dest = &a->ctx.min_lr, .metavar = "X", .min = 0,
		  .max = INFINITY, .flags = LRS_OPT_AND_NEXT, .help = "what @min stands for (and @min*2); omitted floor "
		                                                      "rates default to @min" },
		{ .name = "max-lr", .kind = LRS_OPT_DOUBLE, .dest = &a->ctx.max_lr, .metavar = "Y", .min = 0,
		  .max = INFINITY, .help = "what @max stands for (and @max/4); omitted peak rates default to @max" },
		{ .name = "steps-per-epoch", .kind = LRS_OPT_INT, .dest = &a->ctx.steps_per_epoch, .metavar = "K",
		  .min = 1, .max = MAX_ROWS, .help = "converts \"N epochs\" to steps" },
		{ .name = "format", .kind = LRS_OPT_ENUM, .dest = &format, .choices = formats, .n_choices = 3,
		  .help = "csv (default), json or table" },
		{ .name = "plot", .kind = LRS_OPT_STRING, .dest = &a->plot_path, .metavar = "F.png|F.svg",
		  .flags = LRS_OPT_OR_NEXT, .help = "draw LR (and momentum) against the step to F.png/F.svg" },
		CLI_OPT_TERMINAL(&a->terminal),
		{ .name = "metrics", .kind = LRS_OPT_STRING, .dest = &a->metrics, .metavar = "m0,m1,...",
		  .help = "reduce_on_plateau: the validation metric of each epoch (needs --steps-per-epoch)" },
		{ .name = "list", .kind = LRS_OPT_FLAG, .dest = &list, .flags = LRS_OPT_ALONE,
		  .help = "every type with its parameters, as a markdown table" },
		CLI_OPT_GLOBALS(g),
	};
	const lrs_opt_spec spec = { cli_program, CMD, opts, CLI_N_OPTS(opts), about, epilog, 0 };

	rc = cli_parse(&spec, argc, argv, NULL);
	if (rc == LRS_OPT_HELP)
		return help(&spec, a->type);
	if (rc == 0 && list) {
		list_markdown(stdout);
		return LRS_OPT_HELP;
	}
	if (rc != 0)
		return rc;
	a->format_given = format >= 0;
	a->format = format >= 0 ? format : FMT_CSV;
	if (!isnan(a->ctx.min_lr) && !isnan(a->ctx.max_lr) && a->ctx.min_lr >= a->ctx.max_lr)
		return lrs_error_set(LRS_EINVALID, "--min-lr (%g) must be below --max-lr (%g)", a->ctx.min_lr,
		                     a->ctx.max_lr);
	a->ctx.total_steps = a->steps;
	return 0;
}

/* ------------------------------------------------------------ the values */

/* --metrics as numbers: the first `n` of them (those the steps reach),
 * into *out (free it); *n_out all there are. */
static int metric_values(double **out, size_t *n_out, const schedule_args *a, long steps)
{
	lrs_node *list = NULL;
	int rc;

	*out = NULL;
	if ((rc = lrs_config_flag_value(&list, "metrics", a->metrics)) < 0)
		return rc;
	*n_out = list->kind == LRS_NODE_LIST ? list->n : 1;
	long n = lrs_plateau_epochs_fed(steps, a->ctx.steps_per_epoch, *n_out);
	if (!(*out = calloc((size_t)n + 1, sizeof **out)))
		rc = lrs_error_set(LRS_ENOMEM, "out of memory");
	for (long k = 0; rc == 0 && k < n; k++) {
		const lrs_node *m = list->kind == LRS_NODE_LIST ? list->items[k] : list;
		if (m->kind != LRS_NODE_SCALAR || lrs_parse_double(m->text, &(*out)[k]) < 0)
			rc = lrs_error_set(LRS_EINVALID, "--metrics: item %ld must be a number, got '%s'", k + 1,
			                   m->kind == LRS_NODE_SCALAR ? m->text : "a list");
	}
	lrs_node_free(list);
	return rc;
}

/* Fills lr[] (and mom[] when cycling) for steps 0..n-1. For
 * reduce_on_plateau with metrics, epoch e's metric sets the rate of the
 * steps after it. */
static int compute(const lrs_sched *s, const schedule_args *a, double *lr, double *mom)
{
	double *metrics;
	size_t n;
	int rc;

	if (!a->metrics) {
		lrs_sched_rates(lr, mom, s, a->steps);
		return 0;
	}
	if (lrs_sched_get_type(s) != LRS_SCHED_REDUCE_ON_PLATEAU)
		return lrs_error_set(LRS_EINVALID, "--metrics is only for reduce_on_plateau");
	if (a->ctx.steps_per_epoch <= 0)
		return lrs_error_set(LRS_EINVALID, "--metrics needs --steps-per-epoch");
	if ((rc = metric_values(&metrics, &n, a, a->steps)) == 0)
		rc = lrs_plateau_rates(lr, s, a->steps, a->ctx.steps_per_epoch, metrics, n);
	free(metrics);
	return rc;
}

int cmd_schedule(int argc, char **argv, cli_globals *g)
{
	schedule_args a = { NULL, 0, { NAN, NAN, 0, 0 }, FMT_CSV, 0, NULL, 0, NULL, NULL };
	lrs_sched *s = NULL;
	double *lr = NULL, *mom = NULL;
	int status = EXIT_OK, rc;

	if ((rc = parse_args(argc, argv, g, &a)) != 0) {
		status = cli_parsed(CMD, rc);
		goto out;
	}
	if (a.plot_path)
		cli_signals_output(CMD, NULL);   /* a signal leaves no temporary file behind */
	if ((rc = lrs_sched_build(&s, a.type, a.params, &a.ctx)) < 0) {
		status = cli_fail(CMD, rc);
		goto out;
	}
	long limit = lrs_sched_step_limit(s);
	if (limit >= 0 && a.steps > limit) {
		status = cli_usage_error(CMD, "%s is defined for %ld steps (total_steps + 1), --steps is %ld",
		                         a.type, limit, a.steps);
		goto out;
	}
	if (g->verbose) {
		char *json = NULL;
		if (lrs_sched_params_json(&json, s) == 0)
			fprintf(stderr, "%s %s\n", a.type, json);
		free(json);
	}
	lr = malloc((size_t)a.steps * sizeof *lr);
	if (lrs_sched_cycles_momentum(s))
		mom = malloc((size_t)a.steps * sizeof *mom);
	if (!lr || (lrs_sched_cycles_momentum(s) && !mom)) {
		status = cli_fail(CMD, lrs_error_set(LRS_ENOMEM, "out of memory for %ld steps", a.steps));
		goto out;
	}
	if ((rc = compute(s, &a, lr, mom)) < 0) {
		status = cli_fail(CMD, rc);
		goto out;
	}
	if ((a.plot_path || a.terminal)) {
		if ((rc = lrs_report_schedule_plot(a.plot_path, s, lr, mom, a.steps)) < 0) {
			status = cli_fail(CMD, rc);
			goto out;
		}
		if (a.plot_path && !g->quiet)
			cli_wrote("schedule", a.plot_path);
		if (!a.format_given)
			goto out;
	}
	lrs_report_schedule_rows(stdout, by_choice[a.format], lr, mom, a.steps);
out:
	free(lr);
	free(mom);
	lrs_sched_free(s);
	lrs_node_free(a.params);
	return status;
}
