/* spawn.c - one training program's process: launched with posix_spawn in
 * a process group of its own, its output in a log file, the protocol
 * channel on descriptor 3; stopped with SIGTERM then SIGKILL to the whole
 * group, and reaped, with what it left behind. Nothing here knows the
 * protocol.
 *
 * Orphans: on Linux lrsweep makes itself a child subreaper before the
 * first launch, so a process a program forks and leaves (a data loader's
 * worker, a daemonised helper) becomes lrsweep's child when its parent
 * exits, instead of init's (which, in a container, may never reap it).
 * Each run reaps its own group after killing it (waitpid on the group's
 * id only: the trials of other threads, each waiting for its own program,
 * are never touched); what left the group is reaped when the engine is
 * freed, after the sweep.
 *
 * Leftovers: a process that left its program's group (setsid, setpgid)
 * outlives the group's kill. While trials run, such a process cannot be
 * told from a running trial's own, so it is left alone; once no program
 * runs (a phase of the run is over), every child of lrsweep that was not
 * there before the first launch is a leftover of some program, adopted as
 * its subreaper: lrs_child_end_leftovers ends and reaps it. */
#define _GNU_SOURCE   /* posix_spawn_file_actions_addchdir_np, _addclosefrom_np */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <time.h>
#include <unistd.h>

#include "lrsweep/error.h"
#include "lrsweep/util.h"
#include "spawn.h"

extern char **environ;

#define HIGH_FD 10   /* descriptors moved at or above this before dup2 */

double lrs_child_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Whether environment entry `entry` is one lrsweep sets or scrubs: MPI's
 * own (a program started under a rank must not think it is one) and
 * LRSWEEP_* of an outer run. */
static int scrubbed(const char *entry)
{
	static const char *const prefixes[] = { "OMPI_", "PMIX_", "PMI_", "LRSWEEP_" };

	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
		if (!strncmp(entry, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

/* environ without the scrubbed entries, then `extra` (n_extra), then
 * `own` (n_own); NULL-terminated. The strings are borrowed. */
static char **make_env(char *const *extra, size_t n_extra, char *const *own, size_t n_own)
{
	size_t n = 0, k = 0;

	while (environ[n])
		n++;
	char **env = calloc(n + n_extra + n_own + 1, sizeof *env);
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!scrubbed(environ[i]))
			env[k++] = environ[i];
	for (size_t i = 0; i < n_extra; i++)
		env[k++] = extra[i];
	for (size_t i = 0; i < n_own; i++)
		env[k++] = own[i];
	env[k] = NULL;
	return env;
}

/* fd moved to HIGH_FD or above, close-on-exec; the old one closed. */
static int raise_fd(int fd)
{
	int high;

	if (fd < 0 || fd >= HIGH_FD)
		return fd;
	high = fcntl(fd, F_DUPFD_CLOEXEC, HIGH_FD);
	close(fd);
	return high;
}

static int spawn_failed(const char *what, const char *argv0, int err)
{
	return lrs_error_set(LRS_ERROR, "cannot start %s: %s: %s", argv0, what, strerror(err));
}

/* ------------------------------------------------ this process's children */

#define MAX_CHILDREN 256   /* looked at in one pass */

static pid_t before[MAX_CHILDREN];   /* children before the first launch */
static size_t n_before;
static pthread_once_t before_once = PTHREAD_ONCE_INIT;

/* Process `pid`'s parent and state letter from /proc/PID/stat; -1 when gone. */
static int stat_of(pid_t pid, pid_t *ppid, char *state)
{
	char path[64], buf[512], *close_paren;
	FILE *f;
	size_t n;
	int parent;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "PID (COMM) S PPID ...": COMM may hold spaces and parentheses */
	if (!(close_paren = strrchr(buf, ')')) || sscanf(close_paren + 1, " %c %d", state, &parent) != 2)
		return -1;
	*ppid = (pid_t)parent;
	return 0;
}

/* This process's children (live ones, or zombies too), up to `cap`, into
 * out; how many. Linux (/proc) only: elsewhere none. */
static size_t children(pid_t *out, size_t cap, int live_only)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t self = getpid(), ppid;
	size_t n = 0;
	char state;

	if (!d)
		return 0;
	while (n < cap && (de = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || stat_of((pid_t)pid, &ppid, &state) < 0 || ppid != self)
			continue;
		if (!live_only || state != 'Z')
			out[n++] = (pid_t)pid;
	}
	closedir(d);
	return n;
}

static void note_children_before(void)
{
	n_before = children(before, MAX_CHILDREN, 0);
}

static int was_before(pid_t pid)
{
	for (size_t k = 0; k < n_before; k++)
		if (before[k] == pid)
			return 1;
	return 0;
}

/* ------------------------------------------------------------- launching */

int lrs_child_spawn(lrs_child *c, char *const *argv, const char *cwd, char *const *extra_env, size_t n_extra,
                    char *const *own_env, size_t n_own, const char *log_path)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, defaults;
	int sv[2] = { -1, -1 }, log_fd, null_fd, err;
	char **env;

	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->pid = -1;
	pthread_once(&before_once, note_children_before);   /* not ours to end: see the top */
#ifdef PR_SET_CHILD_SUBREAPER
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);   /* see the top of the file; idempotent */
#endif
	log_fd = raise_fd(open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
	if (log_fd < 0)
		return lrs_error_set(LRS_ERROR, "%s: cannot write the program's log: %s", log_path, strerror(errno));
	null_fd = raise_fd(open("/dev/null", O_RDONLY | O_CLOEXEC));
	if (null_fd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		err = errno;
		close(log_fd);
		if (null_fd >= 0)
			close(null_fd);
		return spawn_failed("no channel", argv[0], err);
	}
	sv[1] = raise_fd(sv[1]);
	if (!(env = make_env(extra_env, n_extra, own_env, n_own))) {
		close(log_fd), close(null_fd), close(sv[0]), close(sv[1]);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	/* stdin from /dev/null, stdout and stderr to the log, the channel on 3:
	 * every source is at HIGH_FD or above, so no dup2 clobbers another */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, null_fd, 0);
	posix_spawn_file_actions_adddup2(&fa, log_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, log_fd, 2);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
	posix_spawn_file_actions_addclosefrom_np(&fa, 4);   /* nothing else leaks in (glibc 2.34) */
	if (cwd)
		posix_spawn_file_actions_addchdir_np(&fa, cwd);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGINT);
	sigaddset(&defaults, SIGTERM);
	sigaddset(&defaults, SIGPIPE);
	sigaddset(&defaults, SIGHUP);
	sigaddset(&defaults, SIGXFSZ);   /* lrsweep ignores it: a program gets the default */
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setpgroup(&attr, 0);   /* a group of its own: pgid = pid */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	err = posix_spawnp(&c->pid, argv[0], &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(env);
	close(log_fd);
	close(null_fd);
	close(sv[1]);
	if (err) {
		close(sv[0]);
		c->pid = -1;
		return spawn_failed(cwd ? "not found or not executable (in its cwd)" : "not found or not executable",
		                    argv[0], err);
	}
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	c->fd = sv[0];
	c->started = lrs_child_now();
	return 0;
}

/* Whether the program (the group's leader) has exited; it stays a zombie
 * (not reaped) so that its pid, the group's id, cannot be reused. */
static int leader_exited(lrs_child *c)
{
	siginfo_t si;

	if (c->exited)
		return 1;
	memset(&si, 0, sizeof si);
	if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == c->pid)
		c->exited = 1;
	return c->exited;
}

int lrs_child_wait_exit(lrs_child *c, double seconds)
{
	double until = lrs_child_now() + seconds;

	while (!leader_exited(c)) {
		if (lrs_child_now() >= until)
			return 0;
		struct timespec ts = { 0, 20 * 1000000L };
		nanosleep(&ts, NULL);
	}
	return 1;
}

int lrs_child_has_exited(lrs_child *c)
{
	return c->pid > 0 && leader_exited(c);
}

/* Reaps the members of killed group `pgid` that became this process's
 * children (a subreaper's orphans), until none is left or `seconds` pass
 * (a member that left the group, or a zombie of another parent). */
static void reap_group(pid_t pgid, double seconds)
{
	double until = lrs_child_now() + seconds;
	struct timespec ts = { 0, 5 * 1000000L };
	int status;

	while (kill(-pgid, 0) == 0 && lrs_child_now() < until)
		if (waitpid(-pgid, &status, WNOHANG) <= 0)
			nanosleep(&ts, NULL);
}

void lrs_child_end(lrs_child *c, double grace)
{
	int status = 0;

	if (c->fd >= 0) {
		close(c->fd);   /* the clients exit when the channel closes */
		c->fd = -1;
	}
	if (c->pid <= 0)
		return;
	if (!leader_exited(c)) {
		c->terminated = 1;
		kill(-c->pid, SIGTERM);
		lrs_child_wait_exit(c, grace);
	}
	/* whatever is left of the group (the program ignoring SIGTERM, or
	 * children it left behind) ends now */
	kill(-c->pid, SIGKILL);
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	c->status = status;
	c->reaped = 1;
	reap_group(c->pid, grace);
	c->pid = -1;
}

void lrs_child_reap_orphans(void)
{
	int status;

	while (waitpid(-1, &status, WNOHANG) > 0)
		;
}

/* Process `pid`'s command line, arguments joined by spaces, printable. */
static void command_of(pid_t pid, char *buf, size_t size)
{
	char path[64], raw[512];
	size_t n = 0;
	FILE *f;
	lrs_buf b = { 0 };

	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	if ((f = fopen(path, "rb")) != NULL) {
		n = fread(raw, 1, sizeof raw - 1, f);
		fclose(f);
	}
	while (n > 0 && raw[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		if (raw[i] == '\0')
			raw[i] = ' ';
	raw[n] = '\0';
	lrs_buf_printf(&b, "%s", "");
	lrs_buf_printable(&b, n ? raw : "?", size > 1 ? size - 1 : 1);
	snprintf(buf, size, "%s", b.data ? b.data : "?");
	lrs_buf_free(&b);
}

/* Waits up to `seconds` for pids[0..n) (children of ours) to exit,
 * reaping them; the ones that exited become 0. */
static void reap_within(pid_t *pids, size_t n, double seconds)
{
	double until = lrs_child_now() + seconds;
	struct timespec ts = { 0, 20 * 1000000L };
	size_t left = n;
	int status;

	for (;;) {
		for (size_t k = 0; k < n; k++)
			if (pids[k] > 0 && waitpid(pids[k], &status, WNOHANG) == pids[k]) {
				pids[k] = 0;
				left--;
			}
		if (!left || lrs_child_now() >= until)
			return;
		nanosleep(&ts, NULL);
	}
}

size_t lrs_child_end_leftovers(double grace, void (*warn)(void *ctx, long pid, const char *command), void *ctx)
{
	pid_t pids[MAX_CHILDREN];
	size_t ended = 0;

	/* a leftover's own children come to us when it dies: a few rounds */
	for (int round = 0; round < 8; round++) {
		size_t n = children(pids, MAX_CHILDREN, 1), m = 0;
		for (size_t k = 0; k < n; k++) {
			char cmd[160];
			if (was_before(pids[k]))
				continue;
			command_of(pids[k], cmd, sizeof cmd);
			if (warn)
				warn(ctx, (long)pids[k], cmd);
			/* its group too when it leads one (a setsid daemon and
			 * its workers): the id stays its own until it is reaped */
			if (getpgid(pids[k]) == pids[k])
				kill(-pids[k], SIGTERM);
			kill(pids[k], SIGTERM);
			pids[m++] = pids[k];
		}
		if (!m)
			break;
		ended += m;
		reap_within(pids, m, grace);
		for (size_t k = 0; k < m; k++) {
			if (!pids[k])
				continue;
			if (getpgid(pids[k]) == pids[k])
				kill(-pids[k], SIGKILL);
			kill(pids[k], SIGKILL);
		}
		reap_within(pids, m, grace + 5);
	}
	lrs_child_reap_orphans();
	return ended;
}

void lrs_child_describe_exit(char *buf, size_t size, const lrs_child *c)
{
	if (!c->reaped)
		snprintf(buf, size, "still running");
	else if (WIFEXITED(c->status))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(c->status));
	else if (WIFSIGNALED(c->status) && c->terminated &&
	         (WTERMSIG(c->status) == SIGTERM || WTERMSIG(c->status) == SIGKILL))
		/* lrsweep's own ending of a program it gave up on, not a crash */
		snprintf(buf, size, "ended by lrsweep's %s", WTERMSIG(c->status) == SIGTERM ? "SIGTERM" : "SIGKILL");
	else if (WIFSIGNALED(c->status))
		snprintf(buf, size, "killed by signal %d (%s)", WTERMSIG(c->status), strsignal(WTERMSIG(c->status)));
	else
		snprintf(buf, size, "status %d", c->status);
}

void lrs_log_tail(char *buf, size_t size, const char *path, int lines)
{
	char raw[2048];
	FILE *f = fopen(path, "rb");
	size_t n = 0;
	long at = 0;

	buf[0] = '\0';
	if (!f)
		return;
	if (fseek(f, 0, SEEK_END) == 0 && (at = ftell(f)) > (long)sizeof raw - 1)
		fseek(f, at - (long)(sizeof raw - 1), SEEK_SET);
	else
		fseek(f, 0, SEEK_SET);
	n = fread(raw, 1, sizeof raw - 1, f);
	fclose(f);
	while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r'))
		n--;
	raw[n] = '\0';
	size_t start = n;
	for (int k = 0; start > 0; start--)
		if (raw[start - 1] == '\n' && ++k == lines)
			break;
	for (size_t i = start; i < n; i++)
		if (raw[i] == '\0')
			raw[i] = '?';
	lrs_buf b = { 0 };
	lrs_buf_printf(&b, "%s", "");
	lrs_buf_printable(&b, raw + start, size > 1 ? size - 1 : 1);
	snprintf(buf, size, "%s", b.data ? b.data : "");
	lrs_buf_free(&b);
}
