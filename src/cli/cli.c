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
#include "lrsweep/util.h"
#include "cli.h"

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
		fprintf(stderr, "lrsweep %s: %s\n", cmd, b.data ? b.data : "");
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
		fprintf(stderr, "lrsweep %s: upgraded %s from schema version %d to %d\n", cmd, db,
		        lrs_store_upgraded_from(*st), LRS_STORE_SCHEMA_VERSION);
	return 0;
}

/* The directory part of `path` ("." when none) as dev+inode, and its last
 * component in *base. 0, or -1 when the directory cannot be looked at. */
static int dir_of(const char *path, struct stat *dir, const char **base)
{
	const char *slash = strrchr(path, '/');
	char *d;
	int rc;

	*base = slash ? slash + 1 : path;
	if (!slash)
		return stat(".", dir);
	if ((d = strndup(path, slash == path ? 1 : (size_t)(slash - path))) == NULL)
		return -1;
	rc = stat(d, dir);
	free(d);
	return rc;
}

int cli_output_check(const char *out, const char *db, const char *what)
{
	static const char *const sides[] = { "", "-wal", "-shm", "-journal" };
	struct stat so, sd, dir_o, dir_d;
	const char *base_o, *base_d;
	int rc, have_out, have_dirs;

	if ((rc = lrs_outfile_check(out, what)) < 0)
		return rc;
	have_out = stat(out, &so) == 0;
	have_dirs = !have_out && dir_of(out, &dir_o, &base_o) == 0 && dir_of(db, &dir_d, &base_d) == 0 &&
	            dir_o.st_dev == dir_d.st_dev && dir_o.st_ino == dir_d.st_ino;
	for (size_t k = 0; k < sizeof sides / sizeof sides[0]; k++) {
		size_t len = strlen(db) + strlen(sides[k]) + 1;
		char *side = malloc(len);
		int same;

		if (!side)
			return lrs_error_set(LRS_ENOMEM, "out of memory");
		snprintf(side, len, "%s%s", db, sides[k]);
		/* the same file under any name; or, for an output not there yet,
		 * the name SQLite would give that file in the same directory */
		same = have_out ? stat(side, &sd) == 0 && sd.st_dev == so.st_dev && sd.st_ino == so.st_ino
		                : have_dirs && strlen(base_o) == strlen(base_d) + strlen(sides[k]) &&
		                          !strncmp(base_o, base_d, strlen(base_d)) &&
		                          !strcmp(base_o + strlen(base_d), sides[k]);
		free(side);
		if (same)
			return lrs_error_set(LRS_EINVALID, "%s: is the database%s%s%s; give another file to -o", out,
			                     k ? "'s " : "", sides[k], k ? " file" : "");
	}
	return 0;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lrsweep %s: ", cmd);
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

/* ------------------------------------------------ stopping by signal */

volatile sig_atomic_t cli_stop;
static volatile sig_atomic_t stoppable;   /* 0: a signal exits at once     */
static char early_exit[96];               /* what that exit says            */

static void on_stop_signal(int sig)
{
	(void)sig;
	if (!stoppable) {               /* nothing stored yet: nothing to save */
		(void)!write(STDERR_FILENO, early_exit, strlen(early_exit));
		_exit(EXIT_INTERRUPTED);
	}
	cli_stop = 1;
}

void cli_signals_start(const char *cmd)
{
	struct sigaction sa;

	snprintf(early_exit, sizeof early_exit, "lrsweep %s: interrupted before anything was stored\n", cmd);
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

void cli_signals_stoppable(void)
{
	stoppable = 1;
}

/* ------------------------------------------------------- flag values */

/* Clears positions: errors in flag values name the parameter, not a line. */
static void forget_positions(lrs_node *n)
{
	n->line = n->column = 0;
	for (size_t i = 0; i < n->n; i++)
		forget_positions(n->items[i]);
}

/* The node for one flag value: YAML flow text, a comma list, or a scalar. */
int cli_value_node(lrs_node **out, const char *key, const char *text)
{
	int rc;

	if (text[0] == '[' || text[0] == '{') {
		rc = lrs_config_parse_yaml(out, text, strlen(text));
		if (rc < 0)
			return lrs_error_set(rc, "--%s: %s (line %d, column %d of its value)", key,
			                     lrs_error_last(), lrs_error_line(), lrs_error_column());
		forget_positions(*out);
		return 0;
	}
	if (!strchr(text, ','))
		return lrs_node_new_scalar(out, text, 0, 0);
	if ((rc = lrs_node_new_list(out, 0, 0)) < 0)
		return rc;
	for (const char *p = text;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char item[256];
		lrs_node *child;
		snprintf(item, sizeof item, "%.*s", (int)(len < sizeof item ? len : sizeof item - 1), p);
		if ((rc = lrs_node_new_scalar(&child, item, 0, 0)) < 0 ||
		    (rc = lrs_node_append(*out, NULL, child)) < 0)
			break;
		if (!comma)
			break;
		p = comma + 1;
	}
	if (rc < 0) {
		lrs_node_free(*out);
		*out = NULL;
	}
	return rc;
}

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
	if ((rc = cli_value_node(&v, key, value)) < 0)
		return rc;
	if ((rc = lrs_node_append(params, key, v)) < 0)
		lrs_node_free(v);
	return rc;
}

/* ------------------------------------------------- experiment and data */

/* Which of the source's files `msg` starts with (0..3: images, labels,
 * path, features), or -1. */
static int names_a_file(const char *msg, const lrs_data_source *src)
{
	const char *files[] = { src->images, src->labels, src->path, src->features };

	for (int i = 0; i < 4; i++)
		if (files[i] && strncmp(msg, files[i], strlen(files[i])) == 0 && msg[strlen(files[i])] == ':')
			return i;
	return -1;
}

int cli_load(const char *cmd, const char *path, lrs_experiment **exp, lrs_dataset **ds)
{
	int rc;

	*exp = NULL;
	*ds = NULL;
	if ((rc = lrs_experiment_load(exp, path)) < 0)
		return cli_fail(cmd, rc);
	if ((*exp)->has_trainer) {   /* the program has the data; lrsweep a stand-in */
		if ((rc = lrs_dataset_new_external(ds)) < 0) {
			lrs_experiment_free(*exp);
			*exp = NULL;
			return cli_fail(cmd, rc);
		}
		return 0;
	}
	if ((rc = lrs_dataset_load(ds, &(*exp)->data)) < 0) {
		const lrs_data_config *dc = &(*exp)->data;
		const lrs_data_source *src = &dc->train;
		int f = names_a_file(lrs_error_last(), src);
		if (f < 0 && dc->has_test && (f = names_a_file(lrs_error_last(), &dc->test)) >= 0)
			src = &dc->test;
		/* a problem of a data file: say where the experiment names it;
		 * of the data as configured: name the experiment file */
		if (f >= 0 && src->file_line[f] > 0)
			lrs_error_set(rc, "%s:%d:%d: %s", path, src->file_line[f], src->file_column[f], lrs_error_last());
		else if (f < 0)
			lrs_error_set(rc, "%s: data: %s", path, lrs_error_last());
		lrs_experiment_free(*exp);
		*exp = NULL;
		return cli_fail(cmd, rc);
	}
	return 0;
}

void cli_data_summary(const char *cmd, const lrs_experiment *exp, const lrs_dataset *ds)
{
	fprintf(stderr, "lrsweep %s: %s: %zu train, %zu validation, %zu test samples of %zu features, %d classes\n",
	        cmd, exp->name, ds->train.n, ds->val.n, ds->test.n, ds->features, ds->classes);
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

