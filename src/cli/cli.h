/* cli.h - what the command implementations share: the global flags, the
 * command signature, exit codes and error printing. Only src/cli decides
 * exit statuses. */
#ifndef LRSWEEP_CLI_H
#define LRSWEEP_CLI_H

#include <signal.h>
#include <stdio.h>

#include "lrsweep/data.h"
#include "lrsweep/experiment.h"
#include "lrsweep/pipeline.h"
#include "lrsweep/plan.h"
#include "lrsweep/store.h"
#include "lrsweep/trials.h"

/* Exit statuses (SPEC §2). */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_RUNTIME = 1,   /* I/O, database, a trial crashed          */
	EXIT_USAGE = 2,             /* bad flag, bad YAML, bad data file       */
	EXIT_INTERRUPTED = 130      /* SIGINT/SIGTERM, everything so far saved */
};

typedef struct {
	int quiet;     /* -q: only errors on stderr  */
	int verbose;   /* -v: more detail on stderr  */
	const lrs_executor *executor;   /* run's, or NULL: local threads */
} cli_globals;

/* A command: gets argv after the command name (argv[0] is the command
 * name) and returns the process exit status. */
typedef int (*cli_fn)(int argc, char **argv, cli_globals *g);

typedef struct {
	const char *name;
	cli_fn fn;
	const char *summary;    /* one line for `lrsweep --help`        */
} cli_command;



/* Prints "lrsweep CMD: message" (with the thread's error position when
 * set) and returns the exit status for library code `rc`. */
int cli_fail(const char *cmd, int rc);

/* Prints "lrsweep CMD: ..." to stderr and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The exit status for a library return code. */
int cli_exit_code(int rc);

/* Opens the database `db` for reading (query, plot, report): read-only, but
 * an older schema is upgraded first, with a note on stderr unless quiet.
 * Returns 0, or the exit status after printing why. */
int cli_open_read(lrs_store **st, const char *cmd, const cli_globals *g, const char *db);

/* ------------------------------------------------ stopping by signal */

/* Set by SIGINT, SIGTERM and SIGHUP once cli_signals_stoppable() was
 * called: the commands that store as they go (run, train) poll it and stop
 * at the next safe point, exit status 130. */
extern volatile sig_atomic_t cli_stop;

/* For run and train, before anything else: installs the handlers of
 * SIGINT, SIGTERM and SIGHUP (SIGHUP stays ignored under nohup). Until
 * cli_signals_stoppable(), nothing is stored yet (the data is loading,
 * the plan checked): a signal ends the process at once with "lrsweep
 * CMD: interrupted before anything was stored" and exit status 130. Also
 * ignores SIGPIPE: output to a reader that went away (`lrsweep run ... |
 * head`) is dropped, and the work goes on to its end, every result
 * stored. */
void cli_signals_start(const char *cmd);

/* From here on (the store is about to open) a signal only sets cli_stop. */
void cli_signals_stoppable(void);

/* Refuses `out` as the output file (WHAT: "the plot", "the report") of a
 * command reading database `db`: the database itself or its -wal, -shm or
 * -journal file (compared as files: device and inode, whatever the name;
 * for an output not there yet, by directory and name), and whatever
 * lrs_outfile_check refuses (a link, a device, a directory). Returns 0 or
 * LRS_EINVALID (LRS_ERROR when `out` cannot be looked at). */
int cli_output_check(const char *out, const char *db, const char *what);

/* Handles -q/--quiet and -v/--verbose; returns 1 when argv[i] was one. */
int cli_global_flag(const char *arg, cli_globals *g);

struct lrs_node;

/* The parameter node of one `--KEY VALUE` flag: a YAML flow value when it
 * starts with [ or {, a list when it holds commas, else a scalar. */
int cli_value_node(struct lrs_node **out, const char *key, const char *text);

/* Reads the flag at argv[*i], "--key=value" or "--key value" (advancing
 * *i past a separate value): the key without dashes into key[cap], the
 * value into *val. Returns 0, or EXIT_USAGE after printing "--key needs a
 * value". */
int cli_flag(const char *cmd, int argc, char **argv, int *i, char *key, size_t cap, const char **val);

/* Adds `--key val` to a parameter map; a key given twice is a usage error.
 * Returns 0, or the exit status after printing the error. */
int cli_add_param(const char *cmd, struct lrs_node *params, const char *key, const char *val);

/* Reads the value of a --threads flag into *out: an integer in
 * [0, LRS_MAX_THREADS], 0 meaning one per core. Returns 0, or EXIT_USAGE
 * after printing why. */
int cli_threads_arg(const char *cmd, const char *val, long *out);

/* Loads experiment `path` and its data. On failure prints the error and
 * returns its exit status. */
int cli_load(const char *cmd, const char *path, lrs_experiment **exp, lrs_dataset **ds);

/* One line on stderr: the experiment's name and the sizes of its splits. */
void cli_data_summary(const char *cmd, const lrs_experiment *exp, const lrs_dataset *ds);

/* The database: `given` (--db), else the experiment's db:, else
 * results/<name>.db (creating results/). */
const char *cli_db_path(const char *given, const lrs_experiment *e, char *buf, size_t cap);

int cmd_run(int argc, char **argv, cli_globals *g);
int cmd_query(int argc, char **argv, cli_globals *g);
int cmd_plot(int argc, char **argv, cli_globals *g);
int cmd_schedule(int argc, char **argv, cli_globals *g);
int cmd_range_test(int argc, char **argv, cli_globals *g);
int cmd_train(int argc, char **argv, cli_globals *g);
int cmd_data(int argc, char **argv, cli_globals *g);
int cmd_report(int argc, char **argv, cli_globals *g);
int cmd_not_yet(int argc, char **argv, cli_globals *g);

#endif
