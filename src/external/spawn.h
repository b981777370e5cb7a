/* spawn.h - a training program's process (spawn.c). Private to
 * src/external. */
#ifndef LRSWEEP_EXTERNAL_SPAWN_H
#define LRSWEEP_EXTERNAL_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

typedef struct {
	pid_t pid;                 /* the program, leader of its group; -1 after end */
	int fd;                    /* lrsweep's end of the channel (nonblocking) */
	int exited;                /* the leader has exited (not yet reaped)   */
	int reaped;                /* lrs_child_end reaped it: status is valid */
	int status;                /* waitpid's status                         */
	int terminated;            /* lrs_child_end sent the group SIGTERM     */
	double started;            /* lrs_child_now() at launch                */
} lrs_child;

/* Seconds on a monotonic clock. */
double lrs_child_now(void);

/* Launches argv (argv[0] looked up in PATH when it has no '/') in cwd
 * (NULL: here) with the environment minus OMPI_*, PMIX_*, PMI_* and
 * LRSWEEP_*, plus extra_env and own_env ("NAME=value"), stdin from
 * /dev/null, stdout and stderr to log_path (truncated), one end of a
 * socketpair on descriptor 3. */
int lrs_child_spawn(lrs_child *c, char *const *argv, const char *cwd, char *const *extra_env, size_t n_extra,
                    char *const *own_env, size_t n_own, const char *log_path);

/* Waits up to `seconds` for the program to exit: 1 when it has. */
int lrs_child_wait_exit(lrs_child *c, double seconds);

/* Whether it has exited, without waiting. */
int lrs_child_has_exited(lrs_child *c);

/* Closes the channel; SIGTERM to the group when the program still runs,
 * up to `grace` seconds for it to exit, then SIGKILL to whatever is left
 * of the group; reaps the program and the group's members that became
 * this process's children. */
void lrs_child_end(lrs_child *c, double grace);

/* Reaps, without waiting, every child of this process that has ended:
 * orphans of the programs (see spawn.c). Only when no run is going on. */
void lrs_child_reap_orphans(void);

/* Ends what the programs left running outside their groups (a setsid
 * daemon): every live child of this process but those it had before its
 * first launch gets SIGTERM (its group too when it leads one), `grace`
 * seconds, then SIGKILL, and is reaped; then its own orphans, the same
 * way. warn (may be NULL) is told each one's pid and command line first.
 * Only when no program runs: a running trial's helpers are children too.
 * Returns how many were ended. */
size_t lrs_child_end_leftovers(double grace, void (*warn)(void *ctx, long pid, const char *command), void *ctx);

/* "exit status 3", "killed by signal 9 (Killed)" after lrs_child_end;
 * "ended by lrsweep's SIGTERM" (or SIGKILL) when that signal was
 * lrs_child_end's own. */
void lrs_child_describe_exit(char *buf, size_t size, const lrs_child *c);

/* The last `lines` lines of file `path` (at most ~2 KiB), printable. */
void lrs_log_tail(char *buf, size_t size, const char *path, int lines);

#endif
