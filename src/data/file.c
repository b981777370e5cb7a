/* file.c - opening a data file: a regular file, or the reason it is not.
 *
 * The loaders read their files to the end and check lengths against
 * fstat, so only a regular file will do. The check must come before the
 * first read, and the open itself must not wait: opening a FIFO that no
 * process writes blocks forever, and the user would see a hang instead
 * of "not a regular file". So the file is opened non-blocking, checked,
 * and only then made blocking again for the reads.
 *
 * Not here: reading (csv.c, idx.c, npy.c). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int lrs_data_open(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	int flags;

	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) ||
	    (flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		close(fd);
		errno = EINVAL;   /* the callers' "not a regular file" */
		return -1;
	}
	return fd;
}
