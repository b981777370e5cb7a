/* outfile.h - writing a file the user named (-o F, --plot F) without harm
 * to what is at that name now.
 *
 * The new content goes to a temporary file beside the output; only once it
 * is complete is it renamed into place, so a failure leaves the old file
 * as it was and a reader never sees half a file. An existing output must
 * be a regular file: a symbolic link is refused (its target is never
 * truncated nor written through), and so are devices, FIFOs, sockets and
 * directories (never removed nor replaced). A replaced file keeps its
 * permission bits; a new one gets 0666 less the umask, as fopen gives. */
#ifndef LRSWEEP_OUTFILE_H
#define LRSWEEP_OUTFILE_H

typedef struct {
	char *path;   /* the output as named                         */
	char *tmp;    /* the temporary file beside it, written first */
	int fd;       /* open on tmp for writing, or -1              */
	int mode;     /* permission bits for the finished file       */
} lrs_outfile;

/* Checks that `path` may be written as an output: a regular file, or
 * absent in a directory that exists and may be written. Returns 0, or
 * LRS_EINVALID "PATH: cannot write WHAT: ..." (what: "the plot", "the
 * report") naming what is in the way — the path is the user's input: a
 * link, a device, a missing or unwritable directory, a file where a
 * directory should be —, or LRS_ERROR when the name cannot be looked at
 * for another reason (an I/O error). */
int lrs_outfile_check(const char *path, const char *what);

/* Starts writing `path`: lrs_outfile_check, then a new empty temporary
 * file in the same directory, hidden, ending in the same extension (so a
 * program choosing its format by the name sees the output's), open on
 * o->fd. Returns 0, or LRS_EINVALID (refused, or the directory cannot be
 * written), LRS_ERROR (no room, an I/O error), LRS_ENOMEM; on failure *o
 * needs no lrs_outfile_abort. */
int lrs_outfile_begin(lrs_outfile *o, const char *path, const char *what);

/* Puts the written temporary file in place of the output (closing o->fd
 * first if open), after checking again that the output is still absent
 * or a regular file. Returns 0, or LRS_EINVALID/LRS_ERROR; the temporary
 * file is removed either way and *o released. */
int lrs_outfile_commit(lrs_outfile *o, const char *what);

/* Removes the temporary file and releases *o; the output is untouched.
 * Harmless after a failed begin, a commit or an earlier abort. */
void lrs_outfile_abort(lrs_outfile *o);

/* Refuses `out` as the output file (WHAT: "the plot", "the report") of a
 * command reading database `db`: the database itself or its -wal, -shm or
 * -journal file (compared as files: device and inode, whatever the name;
 * for an output not there yet, by directory and name), and whatever
 * lrs_outfile_check refuses (a link, a device, a directory). Returns 0 or
 * LRS_EINVALID (LRS_ERROR when `out` cannot be looked at). */
int lrs_outfile_check_db(const char *out, const char *db, const char *what);

/* Temporary files and directories to remove if a signal ends the
 * process before they are renamed or removed: lrs_outfile_begin tracks
 * its temporary file until commit or abort; other modules track theirs
 * (the report's directory of plots, a new database in the making). At
 * most 8 at once, paths under 4096 bytes (others are not tracked). */
void lrs_outfile_track(const char *path);

/* Stops tracking `path` (the latest entry of that name). */
void lrs_outfile_untrack(const char *path);

/* Removes every tracked path, the most recently tracked first (a file in
 * a tracked directory before the directory). Async-signal-safe: for a
 * signal handler that then ends the process. */
void lrs_outfile_remove_tracked(void);

#endif
