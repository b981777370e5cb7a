/* cli.h - what the command implementations share: the global flags, the
 * command signature, exit codes and error printing. Only src/cli decides
 * exit statuses. */
#ifndef LRSWEEP_CLI_H
#define LRSWEEP_CLI_H

#include <math.h>
#include <signal.h>
#include <stdio.h>

#include "lrsweep/data.h"
#include "lrsweep/experiment.h"
#include "lrsweep/options.h"
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

/* "lrsweep CMD: wrote PATH" on stderr, one line: a newline or escape
 * of the path the user gave is shown escaped. */
void cli_wrote(const char *cmd, const char *path);

/* Prints "PROGRAM CMD: ..." to stderr and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The exit status for a library return code. */
int cli_exit_code(int rc);

/* Opens the database `db` for reading (query, plot, report): read-only, but
 * an older schema is upgraded first, with a note on stderr unless quiet.
 * Returns 0, or the exit status after printing why. */
int cli_open_read(lrs_store **st, const char *cmd, const cli_globals *g, const char *db);

/* The experiment `spec` names (NULL: the latest; digits: an id; else a
 * name: its latest run), as lrs_store_experiment_find, with "not found"
 * as bad input (LRS_EINVALID) pointing at 'lrsweep query DB experiments'. */
int cli_find_experiment(lrs_experiment_row *e, lrs_store *st, const char *db, const char *spec);

/* What a command reading a database does with it (and the experiment it
 * names, or NULL): 0 or an error code with the message set. */
typedef int (*cli_reader)(lrs_store *st, const lrs_experiment_row *e, void *ctx);

/* The reading commands (query, plot, report): database `db` opened
 * (cli_open_read), the experiment `spec` names found when `need` is set
 * (cli_find_experiment), fn called, the store closed. Returns the exit
 * status, after printing the error of any step that failed. */
int cli_read(const char *cmd, const cli_globals *g, const char *db, const char *spec, int need, cli_reader fn,
             void *ctx);

/* The program the user ran, as every message to stderr names it:
 * "lrsweep", or "lrsweep-mpi" when src/mpi runs the command line. */
extern const char *cli_program;

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

/* For the commands that write a file (report, plot, schedule --plot,
 * range-test's plot once the test is stored): SIGINT, SIGTERM and SIGHUP
 * (unless ignored, as under nohup) remove the temporary files of the
 * output in the making (outfile.h), leave the output as it was and exit
 * 130 with one line, "lrsweep CMD: interrupted; SAID" (NULL: "nothing
 * written"; at most 60 bytes). */
void cli_signals_output(const char *cmd, const char *said);


/* ------------------------------------------------ flags (options.h) */

/* The entries every command's table shares, so that a flag means and says
 * the same in each: -q and -v (in the help, not the usage line), the
 * experiment file and the database as operands, and the flags named so. */
#define CLI_OPT_QUIET_HELP(g, text) { .name = "quiet", .short_name = 'q', .kind = LRS_OPT_FLAG, \
	.dest = &(g)->quiet, .flags = LRS_OPT_NO_USAGE, .help = text }
#define CLI_OPT_VERBOSE_HELP(g, text) { .name = "verbose", .short_name = 'v', .kind = LRS_OPT_FLAG, \
	.dest = &(g)->verbose, .flags = LRS_OPT_NO_USAGE, .help = text }
#define CLI_OPT_GLOBALS(g) CLI_OPT_QUIET_HELP(g, "only errors on stderr"), \
	CLI_OPT_VERBOSE_HELP(g, "more detail on stderr")
#define CLI_OPT_EXP_FILE(to) { .metavar = "EXP.yaml", .kind = LRS_OPT_STRING, .dest = (to), \
	.flags = LRS_OPT_OPERAND | LRS_OPT_REQUIRED, .help = "the experiment file" }
#define CLI_OPT_DB_FILE(to) { .metavar = "DB", .kind = LRS_OPT_STRING, .dest = (to), \
	.flags = LRS_OPT_OPERAND | LRS_OPT_REQUIRED, .help = "the database" }
#define CLI_OPT_DB(to, what) { .name = "db", .kind = LRS_OPT_STRING, .dest = (to), .metavar = "F", \
	.help = what " (default: the experiment's db:, else results/<name>.db)" }
#define CLI_OPT_THREADS(to, what) { .name = "threads", .kind = LRS_OPT_INT, .dest = (to), .metavar = "N", \
	.min = 0, .max = LRS_MAX_THREADS, .help = what }
#define CLI_OPT_SEED(to) { .name = "seed", .kind = LRS_OPT_INT, .dest = (to), .metavar = "S", .min = 0, \
	.max = LRS_MAX_SEED, .help = "seed of initialisation and shuffling (default: the experiment's; the " \
	"validation split always uses the experiment's)" }
#define CLI_OPT_PICK(to, what) { .name = "pick", .kind = LRS_OPT_STRING, .dest = (to), .metavar = "RULE", \
	.set = cli_set_pick, .help = what }
#define CLI_OPT_EXPERIMENT(to) { .name = "experiment", .kind = LRS_OPT_STRING, .dest = (to), \
	.metavar = "NAME|ID", .help = "a name (its latest run) or an id; default: the latest experiment" }
#define CLI_OPT_TERMINAL(to) { .name = "terminal", .kind = LRS_OPT_FLAG, .dest = (to), \
	.help = "draw it in the terminal instead" }
#define CLI_OPT_PARAMS(to, what) { .name = "KEY", .kind = LRS_OPT_PARAMS, .dest = (to), .metavar = "VALUE", \
	.set = cli_set_param, .help = what }

#define CLI_N_OPTS(table) (sizeof(table) / sizeof(table)[0])

/* Parses a command's argv by its table (lrs_opt_parse); on LRS_OPT_HELP
 * writes the help to `help` unless it is NULL. Returns what the parse
 * returned. */
int cli_parse(const lrs_opt_spec *spec, int argc, char **argv, FILE *help);

/* The exit status of a parse that did not return 0: EXIT_OK after the
 * help, else the usage error printed as "lrsweep CMD: ...". */
int cli_parsed(const char *cmd, int rc);

/* --pick's setter: a rule name (lrs_pick_rule_parse) kept as given. */
int cli_set_pick(void *dest, const char *flag, const char *value);

/* The setter of `--KEY VALUE` schedule parameters (LRS_OPT_PARAMS): adds
 * the value to the map `params` (an lrs_node *); a key given twice is
 * refused. Returns 0 or an error code with the message set. */
int cli_set_param(void *params, const char *key, const char *value);

/* For lrsweep-mpi: the experiment file and --threads (-1 when not given)
 * of the `run` command line argv (after the program's own flags), parsed
 * by run's own table. 0, or < 0 when it does not parse (rank 0 says why). */
int cli_run_target(int argc, char **argv, const char **exp, long *threads, const char **db);

/* Loads experiment `path` and its data. On failure prints the error and
 * returns its exit status. */
int cli_load(const char *cmd, const char *path, lrs_experiment **exp, lrs_dataset **ds);

/* The data's warnings (lrs_dataset.spread_warning, then its
 * label_warnings), one line each on stderr as "lrsweep: warning: ..."
 * unless -q; for the commands that train on the data. */
void cli_data_warning(const cli_globals *g, const lrs_dataset *ds);

/* One line on stderr: the experiment's name and the sizes of its splits. */
void cli_data_summary(const char *cmd, const lrs_experiment *exp, const lrs_dataset *ds);

/* The shape table of exp's model on ds (lrs_report_model) to f, with what
 * one run at the experiment's batch size holds. */
void cli_model_table(FILE *f, const lrs_experiment *exp, const lrs_dataset *ds);

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

#endif
