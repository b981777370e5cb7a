/* cmd_query.c - `lrsweep query DB WHAT`: answers from a results database
 * (SPEC §2, §8). The flags, then the database opened read-only and the
 * subject printed by the report module (query.h): a typed read of the
 * store or the results module's comparison, as a table, CSV or JSON. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/query.h"
#include "lrsweep/results.h"
#include "lrsweep/schedule.h"
#include "lrsweep/store.h"
#include "lrsweep/table.h"
#include "cli.h"

#define CMD "query"

typedef lrs_query query_args;

static const char *const subjects[] = {
	"experiments", "trials", "best", "compare", "curve", "range-test", "sql",
};
#define N_SUBJECTS (sizeof subjects / sizeof subjects[0])

/* Metrics a trial is ranked by; losses rank ascending. */
static const char *const metrics[] = {
	"best_val_accuracy", "final_val_accuracy", "test_accuracy", "final_val_loss", "final_train_loss",
};
#define N_METRICS (sizeof metrics / sizeof metrics[0])

static const char about[] =
	"WHAT:\n"
	"  experiments        one row each: command, status, trials by status, best\n"
	"                     accuracy, dates\n"
	"  trials             one row per trial of the experiment, parameters readable\n"
	"  best               the best trial (by --metric) and everything about it\n"
	"  compare            one row per configuration: n, mean, sd and 95% interval\n"
	"                     of the best validation and test accuracy over seeds,\n"
	"                     rank, and which configurations Welch's test cannot tell\n"
	"                     from the best (p >= 0.05); --target-accuracy A adds the\n"
	"                     mean iteration reaching A; --by KEY compares groups of\n"
	"                     trials that share KEY's value, whatever the rest\n"
	"  curve TRIAL_ID     the trial's epochs\n"
	"  range-test         the range test's repeats and every rule's bounds\n"
	"  sql \"SELECT ...\"   any read-only SQL statement\n";

static const char epilog[] =
	"--by takes schedule (the type), schedule.NAME (a schedule parameter), or a\n"
	"hyperparameter as the trials' hyper column holds it: batch_size,\n"
	"optimizer.type, optimizer.weight_decay, model.hidden, params.NAME (an\n"
	"external trainer's); repeated or comma-separated, the groups are the\n"
	"combinations. Each completed trial counts once in its group.\n"
	"\n"
	"The database is opened read-only; it may be written by a run at the same time.\n"
	"JSON rows are keyed by the column names of docs/schema.md.\n";

static const char *const formats[] = { "table", "csv", "json" };   /* by lrs_format */

static int set_status(void *dest, const char *flag, const char *value)
{
	if (lrs_trial_status_parse(value) < 0)
		return lrs_error_set(LRS_EINVALID, "%s must be pending, running, completed, pruned, diverged, failed or "
		                     "interrupted, got '%s'", flag, value);
	*(const char **)dest = value;
	return 0;
}

static int set_schedule(void *dest, const char *flag, const char *value)
{
	lrs_sched_type t;

	if (lrs_sched_type_parse(&t, value) < 0)
		return lrs_error_set(LRS_EINVALID, "%s: %s", flag, lrs_error_last());
	*(const char **)dest = value;
	return 0;
}

static int set_sort(void *dest, const char *flag, const char *value)
{
	char col[64];
	const char *dir = strchr(value, ':');

	snprintf(col, sizeof col, "%.*s", (int)strcspn(value, ":"), value);
	if (!lrs_query_is_trial_column(col) || (dir && strcmp(dir, ":desc") && strcmp(dir, ":asc")))
		return lrs_error_set(LRS_EINVALID, "%s must be a column of 'query trials' (optionally :desc), got '%s'",
		                     flag, value);
	*(const char **)dest = value;
	return 0;
}

/* The keys of --by, split at commas. */
typedef struct {
	char text[LRS_RESULTS_MAX_BY][128];
	const char *ptrs[LRS_RESULTS_MAX_BY];   /* what a->by points to */
} by_keys;

/* The keys of --by (each value split at commas) into keys, for a. */
static int split_by(const lrs_opt_list *by, by_keys *keys, query_args *a)
{
	for (size_t i = 0; i < by->n; i++)
		for (const char *p = by->items[i]; ; p += strcspn(p, ",") + 1) {
			size_t len = strcspn(p, ",");
			if (len == 0 || len >= 128)
				return lrs_error_set(LRS_EINVALID, "--by: %s key in '%s'", len ? "too long a" : "an empty",
				                     by->items[i]);
			if (a->n_by == LRS_RESULTS_MAX_BY)
				return lrs_error_set(LRS_EINVALID, "--by: at most %d keys", LRS_RESULTS_MAX_BY);
			snprintf(keys->text[a->n_by], sizeof keys->text[0], "%.*s", (int)len, p);
			for (size_t k = 0; k < a->n_by; k++)   /* a column twice would group by nothing more */
				if (!strcmp(keys->text[k], keys->text[a->n_by]))
					return lrs_error_set(LRS_EINVALID, "--by: '%s' given twice", keys->text[k]);
			keys->ptrs[a->n_by] = keys->text[a->n_by];
			a->n_by++;
			if (!p[len])
				break;
		}
	a->by = a->n_by ? keys->ptrs : NULL;
	if (a->n_by && strcmp(a->what, "compare"))
		return lrs_error_set(LRS_EINVALID, "--by is for compare, not %s", a->what);
	return 0;
}

/* Parses query's argv: 0, LRS_OPT_HELP (written to stdout) or an error;
 * a->by points into *keys. */
static int parse_args(int argc, char **argv, cli_globals *g, query_args *a, by_keys *keys)
{
	lrs_opt_list by = { { 0 }, 0 };
	int what = -1, format = LRS_FMT_TABLE, metric = -1;
	const lrs_opt opts[] = {
		CLI_OPT_DB_FILE(&a->db),
		{ .metavar = "WHAT", .kind = LRS_OPT_ENUM, .dest = &what, .flags = LRS_OPT_OPERAND | LRS_OPT_REQUIRED,
		  .choices = subjects, .n_choices = N_SUBJECTS, .noun = "subject", .help = "what to show" },
		{ .metavar = "ARG", .kind = LRS_OPT_STRING, .dest = &a->arg, .flags = LRS_OPT_OPERAND,
		  .help = "curve: the trial id; sql: the statement" },
		{ .name = "format", .kind = LRS_OPT_ENUM, .dest = &format, .choices = formats, .n_choices = 3,
		  .help = "table (default), csv, or json keyed by the column names" },
		CLI_OPT_EXPERIMENT(&a->experiment),
		{ .name = "status", .kind = LRS_OPT_STRING, .dest = &a->status, .set = set_status, .metavar = "S",
		  .help = "trials: pending, running, completed, pruned, diverged, failed or interrupted" },
		{ .name = "schedule", .kind = LRS_OPT_STRING, .dest = &a->schedule, .set = set_schedule,
		  .metavar = "TYPE", .help = "trials, compare: one schedule type" },
		{ .name = "sort", .kind = LRS_OPT_STRING, .dest = &a->sort, .set = set_sort, .metavar = "COLUMN[:desc]",
		  .help = "trials: by a column (add :desc to reverse); default id, or the metric best first with --top" },
		{ .name = "top", .kind = LRS_OPT_INT, .dest = &a->top, .metavar = "K", .min = 1, .max = INFINITY,
		  .help = "at most K rows" },
		{ .name = "metric", .kind = LRS_OPT_ENUM, .dest = &metric, .choices = metrics, .n_choices = N_METRICS,
		  .metavar = "M", .help = "best, trials --top, compare: best_val_accuracy (default), final_val_accuracy, "
		                          "test_accuracy, final_val_loss, final_train_loss" },
		{ .name = "target-accuracy", .kind = LRS_OPT_DOUBLE, .dest = &a->target, .metavar = "A", .min = 0, .max = 1,
		  .flags = LRS_OPT_MIN_OPEN, .help = "compare: the mean iteration at which validation accuracy first "
		                                     "reached A" },
		{ .name = "by", .kind = LRS_OPT_LIST, .dest = &by, .metavar = "KEY[,KEY]",
		  .help = "compare: groups of trials by KEY (schedule, batch_size, optimizer.type, ...), aggregated "
		          "over everything else" },
		CLI_OPT_GLOBALS(g),
	};
	const lrs_opt_spec spec = { cli_program, CMD, opts, CLI_N_OPTS(opts), about, epilog, 0 };
	int rc = cli_parse(&spec, argc, argv, stdout);

	a->what = what >= 0 ? subjects[what] : NULL;
	a->format = (lrs_format)format;
	a->metric = metric >= 0 ? metrics[metric] : NULL;
	if (rc != 0)
		return rc;
	int takes_arg = !strcmp(a->what, "curve") || !strcmp(a->what, "sql");
	if (takes_arg && !a->arg)
		return lrs_error_set(LRS_EINVALID, "%s needs %s", a->what,
		                     a->what[0] == 'c' ? "a trial id (query DB curve TRIAL_ID)"
		                                       : "a statement (query DB sql \"SELECT ...\")");
	if (!takes_arg && a->arg)
		return lrs_error_set(LRS_EINVALID, "unexpected argument '%s'", a->arg);
	return split_by(&by, keys, a);
}

static int print_subject(lrs_store *st, const lrs_experiment_row *e, void *ctx)
{
	return lrs_query_print(st, ctx, e);
}

int cmd_query(int argc, char **argv, cli_globals *g)
{
	query_args a = { stdout, NULL, NULL, NULL, LRS_FMT_TABLE, NULL, NULL, NULL, NULL, 0, NULL, NAN, NULL, 0 };
	by_keys keys;
	int rc;

	if ((rc = parse_args(argc, argv, g, &a, &keys)) != 0)
		return cli_parsed(CMD, rc);
	return cli_read(CMD, g, a.db, a.experiment, lrs_query_needs_experiment(a.what), print_subject, &a);
}
