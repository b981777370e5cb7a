/* lock.c - one live writer per experiment: the claim of
 * lrs_store_experiment_claim.
 *
 * SQLite's own locks last one transaction; a run writes an experiment over
 * hours, one transaction per trial, and a second process continuing the
 * same experiment meanwhile (`run --resume` while the first run is live)
 * would run its trials again beside it. A claim is an open file
 * description lock (fcntl F_OFD_SETLK) on a file beside the database,
 * PATH-lock, which SQLite never opens: the kernel drops it when the store
 * closes the file or the process ends, however it ends (SIGKILL, a crash),
 * so no claim outlives its writer. Not on the database file itself: its
 * POSIX locks are SQLite's, and closing any other descriptor of that file
 * would drop them all.
 *
 * The lock file stays empty: experiment `id` is the byte at offset
 * id * SLOT, and the claimant also locks the byte SLOT_PID + its pid past
 * it, so that a refused process can say who holds the claim (an OFD lock
 * reports no pid of its own). Not a file to remove by hand while a run is
 * live; removing it otherwise is harmless. */
#define _GNU_SOURCE   /* F_OFD_SETLK, F_OFD_GETLK */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lrsweep/error.h"
#include "internal.h"

#define SLOT     ((off_t)1 << 23)   /* bytes per experiment id            */
#define SLOT_PID 1                  /* the pid's byte: at SLOT_PID + pid  */
#define MAX_PID  (SLOT - SLOT_PID)  /* Linux's pid_max is at most 2^22    */
#define MAX_ID   (((off_t)1 << 40) - 1)   /* id * SLOT stays below 2^63    */

/* Opens (creating) the lock file once per store, not through a link. */
static int lock_file(lrs_store *st, char *name, size_t cap)
{
	struct stat sb;
	mode_t mode = 0644;             /* the database's, where it can be read */

	snprintf(name, cap, "%s-lock", st->path);
	if (st->lock_fd >= 0)
		return 0;
	if (stat(st->path, &sb) == 0)
		mode = sb.st_mode & 0666;
	st->lock_fd = open(name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode);
	if (st->lock_fd < 0 && (errno == ENOSPC || errno == EDQUOT))
		return lrs_error_set(LRS_ERROR, "%s: disk full (creating the lock file %s: %s)", st->path, name,
		                     strerror(errno));
	if (st->lock_fd < 0)
		return lrs_error_set(LRS_ERROR, "%s: cannot open the lock file %s (%s)", st->path, name,
		                     strerror(errno));
	return 0;
}

/* An OFD lock of `len` bytes at `start`: F_WRLCK, F_UNLCK, or a probe
 * (F_OFD_GETLK: the first conflicting lock in *found, l_type F_UNLCK when
 * none). 0 or -1 with errno. */
static int ofd(int fd, int cmd, short type, off_t start, off_t len, struct flock *found)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);      /* l_pid must be 0 for OFD locks      */
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = start;
	fl.l_len = len;
	if (fcntl(fd, cmd, &fl) != 0)
		return -1;
	if (found)
		*found = fl;
	return 0;
}

int lrs_store_experiment_claim(lrs_store *st, int64_t id)
{
	char name[4200];                /* PATH-lock                          */
	off_t at;                       /* the experiment's byte              */
	long pid = (long)getpid();
	struct flock holder;
	int rc;

	assert(st != NULL && id > 0);
	if ((rc = store_writable(st, "claim an experiment")) < 0)
		return rc;
	if ((rc = lock_file(st, name, sizeof name)) < 0)
		return rc;
	at = (off_t)(id & MAX_ID) * SLOT;
	if (ofd(st->lock_fd, F_OFD_SETLK, F_WRLCK, at, 1, NULL) == 0) {
		/* who holds it, for the message of a refused claim; best effort */
		if (pid < MAX_PID)
			ofd(st->lock_fd, F_OFD_SETLK, F_WRLCK, at + SLOT_PID + pid, 1, NULL);
		return 0;
	}
	if (errno != EAGAIN && errno != EACCES)
		return lrs_error_set(LRS_ERROR, "%s: cannot lock %s (%s)", st->path, name, strerror(errno));
	if (ofd(st->lock_fd, F_OFD_GETLK, F_WRLCK, at + SLOT_PID, MAX_PID, &holder) == 0 &&
	    holder.l_type != F_UNLCK)
		return lrs_error_set(LRS_ERROR, "%s: experiment %lld is being written by another lrsweep"
		                     " process (pid %lld)", st->path, (long long)id,
		                     (long long)(holder.l_start - at - SLOT_PID));
	return lrs_error_set(LRS_ERROR, "%s: experiment %lld is being written by another lrsweep process",
	                     st->path, (long long)id);
}

void store_experiment_release(lrs_store *st, int64_t id)
{
	off_t at = (off_t)(id & MAX_ID) * SLOT;

	if (st->lock_fd < 0)
		return;
	ofd(st->lock_fd, F_OFD_SETLK, F_UNLCK, at, SLOT, NULL);
}
