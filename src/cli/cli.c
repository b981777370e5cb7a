/* cli.c - what every command shares: exit codes, error lines, the global
 * flags. Kept apart from main.c so that the tests can link the commands. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "lrsweep/config.h"
#include "lrsweep/data.h"
#include "lrsweep/error.h"
#include "lrsweep/experiment.h"
#include "lrsweep/node.h"
#include "lrsweep/outfile.h"
#include "lrsweep/pick.h"
#include "lrsweep/report.h"
#include "lrsweep/train.h"
#include "lrsweep/util.h"
#include "cli.h"

const char *cli_program = "lrsweep";

int cli_exit_code(int rc)
{
	switch (rc) {
	case LRS_OK:         return EXIT_OK;
	case LRS_EINVALID:   return EXIT_USAGE;
	case LRS_EINTERRUPT: return EXIT_INTERRUPTED;
	default:             return EXIT_FAILURE_RUNTIME;
	}
}

int cli_fail(const char *cmd, int rc)
{
	const char *p = lrs_error_last();

	/* a message may list several problems, one per line; control
	 * characters in it (from a file, a database) are shown escaped */
	do {
		size_t len = strcspn(p, "\n");
		char *line = strndup(p, len);
		lrs_buf b = { 0 };
		lrs_buf_printable(&b, line ? line : "(out of memory)", 0);
		fprintf(stderr, "%s %s: %s\n", cli_program, cmd, b.data ? b.data : "");
		lrs_buf_free(&b);
		free(line);
		p += len + (p[len] == '\n');
	} while (*p);
	return cli_exit_code(rc);
}

int cli_open_read(lrs_store **st, const char *cmd, const cli_globals *g, const char *db)
{
	int rc = lrs_store_open(st, db, LRS_STORE_READONLY | LRS_STORE_UPGRADE);

	if (rc < 0)
		return cli_fail(cmd, rc);
	if (lrs_store_upgraded_from(*st) && !g->quiet)
		fprintf(stderr, "%s %s: upgraded %s from schema version %d to %d\n", cli_program, cmd, db,
		        lrs_store_upgraded_from(*st), LRS_STORE_SCHEMA_VERSION);
	return 0;
}

void cli_wrote(const char *cmd, const char *path)
{
	lrs_buf b = { 0 };

	lrs_buf_printable(&b, path, 0);
	fprintf(stderr, "%s %s: wrote %s\n", cli_program, cmd, b.data ? b.data : path);
	lrs_buf_free(&b);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s %s: ", cli_program, cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int cli_find_experiment(lrs_experiment_row *e, lrs_store *st, const char *db, const char *spec)
{
	int rc = lrs_store_experiment_find(e, st, spec);

	/* not found is the user's mistake: bad input, with where to look */
	if (rc == LRS_ENOTFOUND && spec)
		return lrs_error_set(LRS_EINVALID, "%s (see 'lrsweep query %s experiments')", lrs_error_last(), db);
	return rc == LRS_ENOTFOUND ? lrs_error_set(LRS_EINVALID, "%s", lrs_error_last()) : rc;
}

int cli_read(const char *cmd, const cli_globals *g, const char *db, const char *spec, int need, cli_reader fn,
             void *ctx)
{
	lrs_experiment_row e;
	lrs_store *st = NULL;
	int status, rc;

	if ((status = cli_open_read(&st, cmd, g, db)) != 0)
		return status;
	if (!need) {
		rc = fn(st, NULL, ctx);
	} else if ((rc = cli_find_experiment(&e, st, db, spec)) == 0) {
		rc = fn(st, &e, ctx);
		lrs_experiment_row_free(&e);
	}
	lrs_store_free(st);
	return rc < 0 ? cli_fail(cmd, rc) : EXIT_OK;
}

/* ------------------------------------------------ stopping by signal */

volatile sig_atomic_t cli_stop;
static volatile sig_atomic_t stoppable;   /* 0: a signal exits at once     */
static char early_exit[96];               /* what that exit says            */

static void on_stop_signal(int sig)
{
	(void)sig;
	if (!stoppable) {               /* nothing stored yet: nothing to save */
		lrs_outfile_remove_tracked();   /* a database in the making */
		(void)!write(STDERR_FILENO, early_exit, strlen(early_exit));
		_exit(EXIT_INTERRUPTED);
	}
	cli_stop = 1;
}

void cli_signals_start(const char *cmd)
{
	struct sigaction sa;

	snprintf(early_exit, sizeof early_exit, "%s %s: interrupted before anything was stored\n", cli_program, cmd);
	cli_stop = 0;
	stoppable = 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESTART;       /* a slow call goes on; the flag is polled */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* under nohup a hang-up is meant to pass unnoticed: leave it ignored */
	if (signal(SIGHUP, SIG_IGN) != SIG_IGN)
		sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* A signal while an output is being made: its temporary files go, the
 * output stays as it was, and the process ends. */
static void on_output_signal(int sig)
{
	(void)sig;
	lrs_outfile_remove_tracked();
	(void)!write(STDERR_FILENO, early_exit, strlen(early_exit));
	_exit(EXIT_INTERRUPTED);
}

void cli_signals_output(const char *cmd, const char *said)
{
	struct sigaction sa;

	snprintf(early_exit, sizeof early_exit, "%s %s: interrupted; %s\n", cli_program, cmd, said ? said : "nothing written");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_output_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (signal(SIGHUP, SIG_IGN) != SIG_IGN)   /* as cli_signals_start */
		sigaction(SIGHUP, &sa, NULL);
}

void cli_signals_stoppable(void)
{
	stoppable = 1;
}

/* ------------------------------------------------------- flag values */

int cli_parse(const lrs_opt_spec *spec, int argc, char **argv, FILE *help)
{
	int rc = lrs_opt_parse(spec, argc, argv, NULL);

	if (rc == LRS_OPT_HELP && help)
		lrs_opt_help(help, spec);
	return rc;
}

int cli_parsed(const char *cmd, int rc)
{
	return rc == LRS_OPT_HELP ? EXIT_OK : cli_fail(cmd, rc);
}

int cli_set_pick(void *dest, const char *flag, const char *value)
{
	lrs_pick_rule r;

	if (lrs_pick_rule_parse(&r, value) < 0)
		return lrs_error_set(LRS_EINVALID, "%s: %s", flag, lrs_error_last());
	*(const char **)dest = value;
	return 0;
}

int cli_set_param(void *params, const char *key, const char *value)
{
	lrs_node *v;
	int rc;

	if (lrs_node_get(params, key))
		return lrs_error_set(LRS_EINVALID, "--%s given twice", key);
	if ((rc = lrs_config_flag_value(&v, key, value)) < 0)
		return rc;
	if ((rc = lrs_node_append(params, key, v)) < 0)
		lrs_node_free(v);
	return rc;
}

/* ------------------------------------------------- experiment and data */

int cli_load(const char *cmd, const char *path, lrs_experiment **exp, lrs_dataset **ds)
{
	int rc = lrs_pipeline_load(exp, ds, path);

	if (rc < 0)
		return cli_fail(cmd, rc);
	if ((*exp)->has_trainer && strcmp(cmd, "run")) {   /* the program has the model and the data */
		lrs_experiment_free(*exp);
		lrs_dataset_free(*ds);
		*exp = NULL;
		*ds = NULL;
		return cli_usage_error(cmd, "%s: its trainer: program trains, and `lrsweep run` drives it (the range "
		                       "test included); `lrsweep %s` is for the built-in model", path, cmd);
	}
	return 0;
}

void cli_data_warning(const cli_globals *g, const lrs_dataset *ds)
{
	if (g->quiet)
		return;
	if (ds->spread_warning)
		fprintf(stderr, "%s: warning: %s\n", cli_program, ds->spread_warning);
	for (size_t k = 0; k < ds->n_label_warnings; k++)
		fprintf(stderr, "%s: warning: %s\n", cli_program, ds->label_warnings[k]);
}

void cli_data_summary(const char *cmd, const lrs_experiment *exp, const lrs_dataset *ds)
{
	fprintf(stderr, "%s %s: %s: %zu train, %zu validation, %zu test samples of %zu features, %d classes\n", cli_program,
	        cmd, exp->name, ds->train.n, ds->val.n, ds->test.n, ds->features, ds->classes);
}

void cli_model_table(FILE *f, const lrs_experiment *exp, const lrs_dataset *ds)
{
	lrs_train_config c = { .model = exp->model.net, .optim = exp->optim, .batch_size = exp->batch_size,
	                       .epochs = 1, .eval_each_epoch = 1 };

	lrs_report_model(f, &exp->model, lrs_train_bytes(ds, &c), exp->batch_size);
}

const char *cli_db_path(const char *given, const lrs_experiment *e, char *buf, size_t cap)
{
	if (given)
		return given;
	if (e->db)
		return e->db;
	mkdir("results", 0777);   /* an error here shows when the store opens */
	snprintf(buf, cap, "results/%s.db", e->name);
	return buf;
}

