/* outfile.c - an output file written beside its name and renamed into
 * place (outfile.h). Nothing here follows a link at the output's name or
 * opens what is there: the old file is only ever replaced whole. The
 * temporary files in the making are tracked, so that a signal ending the
 * process can remove them. */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lrsweep/error.h"
#include "lrsweep/outfile.h"

#define MAX_STEM 200   /* of the output's name, in the temporary one's */

/* What lstat found at an output's name that must not be written. */
static const char *not_regular(mode_t m)
{
	if (S_ISLNK(m))
		return "it is a symbolic link (lrsweep does not write through links: give the target's own path)";
	if (S_ISDIR(m))
		return "it is a directory";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "it is a device, not a regular file";
	if (S_ISFIFO(m))
		return "it is a FIFO, not a regular file";
	if (S_ISSOCK(m))
		return "it is a socket, not a regular file";
	return S_ISREG(m) ? NULL : "it is not a regular file";
}

/* ------------------------------------------------ removed on a signal */

#define MAX_TRACKED 8      /* nested at most: report, its directory, a plot */
#define TRACKED_LEN 4096

static char tracked[MAX_TRACKED][TRACKED_LEN];     /* the paths           */
static volatile sig_atomic_t in_use[MAX_TRACKED];  /* 1: tracked[k] is set */

void lrs_outfile_track(const char *path)
{
	if (strlen(path) >= TRACKED_LEN)
		return;         /* too long to have been made here anyway */
	for (int k = 0; k < MAX_TRACKED; k++) {
		if (in_use[k])
			continue;
		memcpy(tracked[k], path, strlen(path) + 1);
		atomic_signal_fence(memory_order_seq_cst);   /* the path before the flag */
		in_use[k] = 1;
		return;
	}
}

void lrs_outfile_untrack(const char *path)
{
	for (int k = MAX_TRACKED - 1; k >= 0; k--) {
		if (in_use[k] && strcmp(tracked[k], path) == 0) {
			in_use[k] = 0;
			return;
		}
	}
}

void lrs_outfile_remove_tracked(void)
{
	for (int k = MAX_TRACKED - 1; k >= 0; k--) {   /* the newest, inside, first */
		if (!in_use[k])
			continue;
		if (unlink(tracked[k]) != 0)
			rmdir(tracked[k]);   /* a directory, emptied by now */
		in_use[k] = 0;
	}
}

/* ------------------------------------------------------------ outputs */

/* Whether a file cannot be made at a path for a reason of the path the
 * user gave (a missing directory or one not theirs to write, a file where
 * a directory should be): bad input, exit 2. Others (a full disk, a
 * read-only file system, no descriptors left, an I/O error) are runtime
 * failures, as the store has them. */
static int path_at_fault(int e)
{
	return e == ENOENT || e == ENOTDIR || e == EACCES || e == EPERM || e == ENAMETOOLONG || e == ELOOP ||
	       e == EISDIR;
}

/* LRS_EINVALID or LRS_ERROR "PATH: cannot write WHAT (strerror(e))". */
static int cannot_write(const char *path, const char *what, int e)
{
	return lrs_error_set(path_at_fault(e) ? LRS_EINVALID : LRS_ERROR, "%s: cannot write %s (%s)", path, what,
	                     strerror(e));
}

/* The output's directory exists and may be written (the temporary file
 * goes there), so that a command fails before its work, not after. */
static int check_dir(const char *path, const char *what)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	struct stat st;
	int rc = 0;

	if (!dir)
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	if (stat(dir, &st) != 0)
		rc = errno == ENOENT ? lrs_error_set(LRS_EINVALID, "%s: cannot write %s: directory %s does not exist",
		                                     path, what, dir)
		                     : cannot_write(path, what, errno);
	else if (!S_ISDIR(st.st_mode))
		rc = lrs_error_set(LRS_EINVALID, "%s: cannot write %s: %s is not a directory", path, what, dir);
	else if (access(dir, W_OK | X_OK) != 0)
		rc = lrs_error_set(path_at_fault(errno) ? LRS_EINVALID : LRS_ERROR,
		                   "%s: cannot write %s: directory %s is not writable (%s)", path, what, dir,
		                   strerror(errno));
	free(dir);
	return rc;
}

int lrs_outfile_check(const char *path, const char *what)
{
	struct stat st;
	const char *why;

	if (!*path)
		return lrs_error_set(LRS_EINVALID, "cannot write %s: the file name is empty", what);
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return check_dir(path, what);
		return cannot_write(path, what, errno);
	}
	if ((why = not_regular(st.st_mode)) != NULL)
		return lrs_error_set(LRS_EINVALID, "%s: cannot write %s: %s", path, what, why);
	return check_dir(path, what);
}

int lrs_outfile_begin(lrs_outfile *o, const char *path, const char *what)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t dir_len = (size_t)(base - path);
	size_t stem_len, ext_len, cap;
	struct stat st;
	int rc;

	o->path = o->tmp = NULL;
	o->fd = -1;
	if ((rc = lrs_outfile_check(path, what)) < 0)
		return rc;
	if (!dot || dot == base)
		dot = base + strlen(base);   /* no extension */
	stem_len = (size_t)(dot - base);
	ext_len = strlen(dot);
	if (stem_len > MAX_STEM)
		stem_len = MAX_STEM;         /* the temporary name only */
	cap = dir_len + stem_len + ext_len + 32;
	if (!(o->path = strdup(path)) || !(o->tmp = malloc(cap))) {
		lrs_outfile_abort(o);
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	}
	/* DIR/.STEM.tmp-XXXXXX.EXT */
	snprintf(o->tmp, cap, "%.*s.%.*s.tmp-XXXXXX%s", (int)dir_len, path, (int)stem_len, base, dot);
	if ((o->fd = mkstemps(o->tmp, (int)ext_len)) < 0) {
		int e = errno;
		free(o->tmp);
		o->tmp = NULL;
		lrs_outfile_abort(o);
		return cannot_write(path, what, e);
	}
	lrs_outfile_track(o->tmp);
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		o->mode = (int)(st.st_mode & 07777);
	} else {
		/* as fopen would: 0666 less the umask (read by setting it back;
		 * the commands call this from their one thread) */
		mode_t mask = umask(022);
		umask(mask);
		o->mode = (int)(0666 & ~mask);
	}
	return 0;
}

int lrs_outfile_commit(lrs_outfile *o, const char *what)
{
	struct stat st;
	const char *why;
	int rc = 0;

	if (o->fd >= 0) {
		if (fchmod(o->fd, (mode_t)o->mode) != 0)
			rc = lrs_error_set(LRS_ERROR, "%s: cannot write %s (%s)", o->path, what, strerror(errno));
		if (close(o->fd) != 0 && rc == 0)
			rc = lrs_error_set(LRS_ERROR, "%s: writing %s failed (%s)", o->path, what, strerror(errno));
		o->fd = -1;
	}
	/* what was checked at the start may have changed since */
	if (rc == 0 && lstat(o->path, &st) == 0 && (why = not_regular(st.st_mode)) != NULL)
		rc = lrs_error_set(LRS_EINVALID, "%s: cannot write %s: %s", o->path, what, why);
	if (rc == 0 && rename(o->tmp, o->path) != 0)
		rc = lrs_error_set(LRS_ERROR, "%s: cannot write %s (%s)", o->path, what, strerror(errno));
	if (rc == 0) {
		lrs_outfile_untrack(o->tmp);
		free(o->tmp);
		o->tmp = NULL;   /* it is the output now */
	}
	lrs_outfile_abort(o);
	return rc;
}

void lrs_outfile_abort(lrs_outfile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	if (o->tmp) {
		unlink(o->tmp);
		lrs_outfile_untrack(o->tmp);
	}
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	o->fd = -1;
}

/* ------------------------------------------------ beside a database */

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

int lrs_outfile_check_db(const char *out, const char *db, const char *what)
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
