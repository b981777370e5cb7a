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
#include "lrsweep/plot.h"
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

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: lrsweep schedule TYPE --steps N [--KEY VALUE ...] [--min-lr X --max-lr Y]\n"
	        "                        [--steps-per-epoch K] [--format csv|json|table]\n"
	        "                        [--plot F.png|F.svg | --terminal] [--metrics m0,m1,...]\n"
	        "\n"
	        "Prints the learning rate of each optimizer step 0..N-1 (row i is the rate of\n"
	        "update i), plus the momentum where the schedule cycles it.\n"
	        "\n"
	        "  --steps N             rows to print; also the run's total steps, the default\n"
	        "                        of total_steps, T_max, decay_steps, total_iters\n"
	        "  --KEY VALUE           a schedule parameter, named as in its source system:\n"
	        "                        --gamma 0.5, --T_0 10, --milestones 30,80,\n"
	        "                        --three_phase true, --step_size \"2 epochs\"\n"
	        "  --min-lr X --max-lr Y the bounds that @min and @max (and @max/4, @min*2)\n"
	        "                        stand for; omitted peak rates default to @max, floor\n"
	        "                        rates to @min\n"
	        "  --steps-per-epoch K   converts \"N epochs\" to steps\n"
	        "  --format F            csv (default), json or table\n"
	        "  --plot F              draw LR (and momentum) against the step to F.png/F.svg\n"
	        "  --terminal            draw it in the terminal instead\n"
	        "  --metrics LIST        reduce_on_plateau: the validation metric of each epoch\n"
	        "                        (needs --steps-per-epoch)\n"
	        "  --list                every type with its parameters, as a markdown table\n"
	        "\n"
	        "'lrsweep schedule TYPE --help' lists the parameters of TYPE. Types:\n");
	help_types(f);
}

/* ----------------------------------------------------------------- flags */

static int parse_bound(const char *flag, const char *v, double *out)
{
	if (lrs_parse_double(v, out) < 0 || *out < 0)
		return cli_usage_error(CMD, "%s must be a learning rate >= 0, got '%s'", flag, v);
	return 0;
}

static int parse_count(const char *flag, const char *v, long lo, long hi, long *out)
{
	if (lrs_parse_long(v, out) < 0 || *out < lo || *out > hi)
		return cli_usage_error(CMD, "%s must be an integer in [%ld, %ld], got '%s'", flag, lo, hi, v);
	return 0;
}

/* Parses argv into `a`; returns 0, EXIT_OK after --help (with *done set),
 * or EXIT_USAGE. */
static int parse_args(int argc, char **argv, cli_globals *g, schedule_args *a, int *done)
{
	int help = 0, rc;

	if ((rc = lrs_node_new_map(&a->params, 0, 0)) < 0)
		return cli_fail(CMD, rc);
	for (int i = 1; i < argc; i++) {
		char *arg = argv[i], key[128];
		const char *val;

		if (arg[0] != '-' || arg[1] == '\0') {
			if (a->type)
				return cli_usage_error(CMD, "unexpected argument '%s' (the type is '%s')", arg, a->type);
			a->type = arg;
			continue;
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			help = 1;
			continue;
		}
		if (cli_global_flag(arg, g))
			continue;
		if (arg[1] != '-')
			return cli_usage_error(CMD, "unknown option '%s' (see 'lrsweep schedule --help')", arg);
		if (!strcmp(arg, "--terminal")) {
			a->terminal = 1;
			continue;
		}
		if (!strcmp(arg, "--list")) {
			list_markdown(stdout);
			*done = 1;
			return EXIT_OK;
		}
		if ((rc = cli_flag(CMD, argc, argv, &i, key, sizeof key, &val)) != 0)
			return rc;
		if (!strcmp(key, "steps")) {
			if (parse_count("--steps", val, 1, MAX_ROWS, &a->steps))
				return EXIT_USAGE;
		} else if (!strcmp(key, "min-lr")) {
			if (parse_bound("--min-lr", val, &a->ctx.min_lr))
				return EXIT_USAGE;
		} else if (!strcmp(key, "max-lr")) {
			if (parse_bound("--max-lr", val, &a->ctx.max_lr))
				return EXIT_USAGE;
		} else if (!strcmp(key, "steps-per-epoch")) {
			if (parse_count("--steps-per-epoch", val, 1, MAX_ROWS, &a->ctx.steps_per_epoch))
				return EXIT_USAGE;
		} else if (!strcmp(key, "format")) {
			a->format_given = 1;
			if (!strcmp(val, "csv")) a->format = FMT_CSV;
			else if (!strcmp(val, "json")) a->format = FMT_JSON;
			else if (!strcmp(val, "table")) a->format = FMT_TABLE;
			else return cli_usage_error(CMD, "--format must be csv, json or table, got '%s'", val);
		} else if (!strcmp(key, "plot")) {
			a->plot_path = val;
		} else if (!strcmp(key, "metrics")) {
			a->metrics = val;
		} else if (!strcmp(key, "type")) {
			return cli_usage_error(CMD, "give the type as the first argument, not --type");
		} else {
			if ((rc = cli_add_param(CMD, a->params, key, val)) != 0)
				return rc;
		}
	}
	if (help) {
		lrs_sched_type t;
		if (a->type && lrs_sched_type_parse(&t, a->type) < 0)
			return cli_fail(CMD, LRS_EINVALID);
		if (a->type)
			help_params(stdout, t);
		else
			usage(stdout);
		*done = 1;
		return EXIT_OK;
	}
	if (!a->type)
		return cli_usage_error(CMD, "missing the schedule TYPE (see 'lrsweep schedule --help')");
	if (a->steps == 0)
		return cli_usage_error(CMD, "missing --steps N");
	if (!isnan(a->ctx.min_lr) && !isnan(a->ctx.max_lr) && a->ctx.min_lr >= a->ctx.max_lr)
		return cli_usage_error(CMD, "--min-lr (%g) must be below --max-lr (%g)", a->ctx.min_lr, a->ctx.max_lr);
	if (a->plot_path && a->terminal)
		return cli_usage_error(CMD, "give either --plot F or --terminal, not both");
	a->ctx.total_steps = a->steps;
	return 0;
}

/* ------------------------------------------------------------ the values */

/* Fills lr[] (and mom[] when cycling) for steps 0..n-1. For
 * reduce_on_plateau with metrics, epoch e's metric sets the rate of the
 * steps after it. */
static int compute(const lrs_sched *s, const schedule_args *a, double *lr, double *mom)
{
	int cycles = lrs_sched_cycles_momentum(s);

	if (a->metrics) {
		lrs_node *list = NULL;
		lrs_plateau st;
		double rate;
		int rc;

		if (lrs_sched_get_type(s) != LRS_SCHED_REDUCE_ON_PLATEAU)
			return lrs_error_set(LRS_EINVALID, "--metrics is only for reduce_on_plateau");
		if (a->ctx.steps_per_epoch <= 0)
			return lrs_error_set(LRS_EINVALID, "--metrics needs --steps-per-epoch");
		if ((rc = cli_value_node(&list, "metrics", a->metrics)) < 0)
			return rc;
		lrs_plateau_init(&st, s);
		rate = st.lr;
		size_t n_metrics = list->kind == LRS_NODE_LIST ? list->n : 1;
		for (long i = 0; i < a->steps; i++) {
			long e = i / a->ctx.steps_per_epoch;   /* metrics fed before this step */
			while (st.epochs < e && (size_t)st.epochs < n_metrics) {
				const lrs_node *m = list->kind == LRS_NODE_LIST ? list->items[st.epochs] : list;
				double v;
				if (m->kind != LRS_NODE_SCALAR || lrs_parse_double(m->text, &v) < 0) {
					rc = lrs_error_set(LRS_EINVALID, "--metrics: item %ld must be a number, got '%s'",
					                   st.epochs + 1, m->kind == LRS_NODE_SCALAR ? m->text : "a list");
					lrs_node_free(list);
					return rc;
				}
				rate = lrs_plateau_step(&st, v);
			}
			lr[i] = rate;
		}
		lrs_node_free(list);
		return 0;
	}
	for (long i = 0; i < a->steps; i++) {
		lr[i] = lrs_sched_lr(s, i);
		if (cycles)
			mom[i] = lrs_sched_momentum(s, i);
	}
	return 0;
}

/* -------------------------------------------------------------- printing */

/* %.17g, or null where JSON has no number (inf, nan). */
static void json_number(double v)
{
	if (isfinite(v))
		printf("%.17g", v);
	else
		printf("null");
}

static void print_rows(const schedule_args *a, const double *lr, const double *mom)
{
	switch (a->format) {
	case FMT_CSV:
		printf(mom ? "step,lr,momentum\n" : "step,lr\n");
		for (long i = 0; i < a->steps; i++) {
			if (mom)
				printf("%ld,%.17g,%.17g\n", i, lr[i], mom[i]);
			else
				printf("%ld,%.17g\n", i, lr[i]);
		}
		break;
	case FMT_JSON:
		printf("[\n");
		for (long i = 0; i < a->steps; i++) {
			printf("  {\"step\": %ld, \"lr\": ", i);
			json_number(lr[i]);
			if (mom) {
				printf(", \"momentum\": ");
				json_number(mom[i]);
			}
			printf("}%s\n", i + 1 < a->steps ? "," : "");
		}
		printf("]\n");
		break;
	case FMT_TABLE:
		printf(mom ? "%10s  %-14s  %-10s\n" : "%10s  %-14s\n", "step", "lr", "momentum");
		for (long i = 0; i < a->steps; i++) {
			if (mom)
				printf("%10ld  %-14.8g  %-10.6g\n", i, lr[i], mom[i]);
			else
				printf("%10ld  %-14.8g\n", i, lr[i]);
		}
		break;
	}
}

static int draw(const schedule_args *a, const lrs_sched *s, const double *lr, const double *mom)
{
	double *x = malloc((size_t)a->steps * sizeof *x);
	char title[256];
	int rc;

	if (!x)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	for (long i = 0; i < a->steps; i++)
		x[i] = (double)i;
	snprintf(title, sizeof title, "%s (%s), %ld steps", lrs_sched_type_name(lrs_sched_get_type(s)),
	         lrs_sched_type_origin(lrs_sched_get_type(s)), a->steps);
	lrs_plot_series series[2] = {
		{ .title = "learning rate", .x = x, .y = lr, .n = (size_t)a->steps },
		{ .title = "momentum", .x = x, .y = mom, .n = (size_t)a->steps, .right_axis = 1 },
	};
	lrs_plot_opts opts = { .title = title, .xlabel = "step", .ylabel = "learning rate", .y2label = "momentum" };
	rc = lrs_plot_lines(a->plot_path, &opts, series, mom ? 2 : 1);
	free(x);
	return rc;
}

int cmd_schedule(int argc, char **argv, cli_globals *g)
{
	schedule_args a = { NULL, 0, { NAN, NAN, 0, 0 }, FMT_CSV, 0, NULL, 0, NULL, NULL };
	lrs_sched *s = NULL;
	double *lr = NULL, *mom = NULL;
	int done = 0, status, rc;

	status = parse_args(argc, argv, g, &a, &done);
	if (status != 0 || done)
		goto out;
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
		if ((rc = draw(&a, s, lr, mom)) < 0) {
			status = cli_fail(CMD, rc);
			goto out;
		}
		if (a.plot_path && !g->quiet)
			fprintf(stderr, "lrsweep schedule: wrote %s\n", a.plot_path);
		if (!a.format_given)
			goto out;
	}
	print_rows(&a, lr, mom);
out:
	free(lr);
	free(mom);
	lrs_sched_free(s);
	lrs_node_free(a.params);
	return status;
}
