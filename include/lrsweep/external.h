/* external.h - external trainers (SPEC §12): any training program, driven
 * over a JSON-lines channel on its file descriptor 3, as an lrs_engine.
 *
 * lrsweep keeps the schedule, the range test's evaluations and stop, and
 * the pruning decisions; the program trains. Each run (a trial, a range
 * test's repeat) launches the program once: posix_spawn without a shell,
 * in a process group of its own, stdout and stderr to a log file of the
 * run, the channel on fd 3. Every fault (no hello, an exit before done,
 * silence, a malformed or out-of-order message, a stop or prune not
 * obeyed) ends the run with an error naming it and the log's last lines;
 * the program's process group then gets SIGTERM and, after the grace
 * period, SIGKILL, and is reaped. */
#ifndef LRSWEEP_EXTERNAL_H
#define LRSWEEP_EXTERNAL_H

#include <stddef.h>

#include "lrsweep/node.h"
#include "lrsweep/train.h"

#define LRS_EXTERNAL_PROTOCOL 1
#define LRS_EXTERNAL_MAX_SPE 1000000000L   /* steps_per_epoch a hello may say:
                                              epochs (<= 1e6) x this counts in a long */
#define LRS_EXTERNAL_WINDOW 64           /* lr messages ahead of the losses */
#define LRS_EXTERNAL_MAX_LINE (1 << 20)  /* bytes of one message            */

/* The trainer: section of an experiment. */
typedef struct {
	char **argv;               /* (argc) the command, placeholders unexpanded */
	size_t argc;
	char *cwd;                 /* where it runs (resolved), or NULL: here   */
	char **env;                /* (n_env) "NAME=value" added to the environment */
	size_t n_env;
	double startup_timeout;    /* seconds to the hello (default 180)        */
	double timeout;            /* seconds of silence allowed (default 600)  */
	double grace;              /* seconds to obey stop or prune, and between
	                              SIGTERM and SIGKILL (default 10)          */
} lrs_external_config;

/* A new engine for `cfg` (borrowed: it must outlive the engine). Logs,
 * and the parameter files handed to the programs, go to `log_dir`
 * (created when missing). `params` is the experiment's params: tree
 * (NULL: {}), the default of every run whose config names none. */
int lrs_external_new(lrs_engine **out, const lrs_external_config *cfg, const char *log_dir,
                     const lrs_node *params);
void lrs_external_free(lrs_engine *engine);

/* Ends every process the engine's programs left running outside their
 * process groups (a `setsid` daemon, and what it started): SIGTERM,
 * trainer.grace, SIGKILL, reaped; `warn` (may be NULL) is told each one's
 * pid and command line first. Call it only when no run of the engine is
 * going on (after a range test, after the trials): until then such a
 * process may be a running trial's own. lrs_external_free does it too,
 * without warnings. Returns how many were ended. */
size_t lrs_external_end_leftovers(const lrs_engine *engine, void (*warn)(void *ctx, long pid, const char *command),
                                  void *ctx);

/* Launches the program for cfg (a trial's settings) only to read its hello,
 * then stops it: the steps per epoch it trains at cfg->batch_size. */
int lrs_external_probe(long *steps_per_epoch, const lrs_engine *engine, const lrs_train_config *cfg);

/* The log file of run `key` of `engine` (a static-size path). */
void lrs_external_log_path(char *buf, size_t size, const lrs_engine *engine, const char *key);

#endif
