/* idx.c - MNIST-style idx files: uint8 images (n, rows, cols) under magic
 * 0x00000803 and uint8 labels (n) under 0x00000801, raw or gzip.
 *
 * zlib's gzread reads both kinds (an uncompressed file passes through), so
 * there is one code path. Every size is checked before it is trusted:
 *
 *   - a raw file's length is known from fstat and must equal the header's
 *     promise exactly, before anything is allocated;
 *   - a .gz file's real length is only known while inflating: its promise
 *     is first bounded by what deflate can produce from the compressed
 *     size, the feature buffer then grows with the data actually read, and
 *     the stream must end exactly where the header said.
 *
 * Images stay bytes (lrs_split's x8), inflated one chunk at a time
 * straight into the feature buffer, so loading costs the images' own
 * size plus a few hundred KiB; dataset.c normalises them as they are
 * read.
 *
 * Not here: normalisation (dataset.c), idx element types other than
 * unsigned byte (the only one MNIST-style datasets use). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "lrsweep/error.h"
#include "internal.h"

#define IDX_IMAGES      0x00000803u  /* uint8, 3 dimensions                  */
#define IDX_LABELS      0x00000801u  /* uint8, 1 dimension                   */
#define CHUNK           (1u << 18)   /* bytes inflated per read: 256 KiB      */
#define DEFLATE_RATIO   1032         /* deflate's largest expansion factor    */
#define GZ_FIRST_BYTES  (16u << 20)  /* first feature buffer of a .gz: 16 MiB */

/* One open idx file, its header read. */
typedef struct {
	const char *path;
	gzFile gz;            /* NULL once closed                            */
	int direct;           /* 1: not compressed, so `size` is exact       */
	long long size;       /* bytes on disk                               */
	uint32_t dims[3];     /* n, then rows and cols for images            */
	size_t n;             /* samples the header promises                 */
	size_t d;             /* bytes per sample (rows * cols, or 1)        */
	size_t data_bytes;    /* n * d: the bytes that must follow the header */
} idx_file;

/* ------------------------------------------------------------- reading */

/* Turns zlib's state after a failed or short read into an error; returns 0
 * when the stream merely ended cleanly. */
static int gz_status(const idx_file *f)
{
	int errnum;
	const char *msg = gzerror(f->gz, &errnum);

	if (errnum == Z_OK)
		return 0;
	if (strncmp(msg, "<fd:", 4) == 0 && strstr(msg, ": "))   /* gzdopen's name */
		msg = strstr(msg, ": ") + 2;
	if (errnum == Z_ERRNO)
		return lrs_error_set(LRS_EINVALID, "%s: read error (%s)", f->path, strerror(errno));
	if (errnum == Z_MEM_ERROR)
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory while inflating", f->path);
	if (errnum == Z_BUF_ERROR)
		return lrs_error_set(LRS_EINVALID, "%s: corrupt gzip data (truncated stream: %s)", f->path, msg);
	return lrs_error_set(LRS_EINVALID, "%s: corrupt gzip data (%s)", f->path, msg);
}

/* Reads up to `len` bytes; `*got` < len means the data ended. Returns 0 or
 * an error code (corrupt or truncated gzip, I/O error). */
static int gz_read_some(const idx_file *f, unsigned char *buf, size_t len, size_t *got)
{
	*got = 0;
	while (*got < len) {
		size_t want = len - *got;
		int r = gzread(f->gz, buf + *got, (unsigned)(want < CHUNK ? want : CHUNK));

		if (r <= 0) {
			int rc = gz_status(f);
			if (r < 0 && rc == 0)
				rc = lrs_error_set(LRS_EINVALID, "%s: corrupt gzip data", f->path);
			return rc;
		}
		*got += (size_t)r;
	}
	return 0;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Checks that the data ended exactly after `got` bytes: not before (a
 * truncated file), not after (trailing bytes). */
static int idx_check_end(const idx_file *f, size_t got)
{
	unsigned char extra;
	size_t more;
	int rc;

	if (got < f->data_bytes)
		return lrs_error_set(LRS_EINVALID,
		                     "%s: truncated: the header promises %zu bytes of data, the file holds %zu",
		                     f->path, f->data_bytes, got);
	if ((rc = gz_read_some(f, &extra, 1, &more)) < 0)
		return rc;
	if (more)
		return lrs_error_set(LRS_EINVALID,
		                     "%s: oversized: data goes on past the %zu bytes the header promises (trailing bytes)",
		                     f->path, f->data_bytes);
	return 0;
}

/* ------------------------------------------------------------- headers */

/* Opens `path`, reads and checks its header against `magic` (`ndims`
 * dimensions) and its length against the header. Returns 0 or an error
 * code; `f` is to be closed with idx_close either way. */
static int idx_open(idx_file *f, const char *path, uint32_t magic, int ndims)
{
	unsigned char head[16];
	size_t want = 4 + 4 * (size_t)ndims, got;
	struct stat st;
	uint32_t m;
	int fd, rc;

	f->path = path;
	if ((fd = lrs_data_open(path, &st)) < 0)
		return lrs_error_set(LRS_EINVALID, errno == EINVAL ? "%s: not a regular file" : "%s: cannot open (%s)",
		                     path, strerror(errno));
	f->size = (long long)st.st_size;
	if (!(f->gz = gzdopen(fd, "rb"))) {
		close(fd);
		return lrs_error_set(LRS_ENOMEM, "%s: cannot allocate the gzip reader", path);
	}
	gzbuffer(f->gz, CHUNK);
	if ((rc = gz_read_some(f, head, want, &got)) < 0)
		return rc;
	f->direct = gzdirect(f->gz);
	if (got == 0)
		return lrs_error_set(LRS_EINVALID, "%s: empty file", path);
	if (got < 4)
		return lrs_error_set(LRS_EINVALID, "%s: truncated header (%zu bytes)", path, got);

	m = be32(head);
	if (m != magic) {
		const char *what = magic == IDX_IMAGES ? "images" : "labels";
		if (m == IDX_IMAGES || m == IDX_LABELS)
			return lrs_error_set(LRS_EINVALID, "%s: wrong magic 0x%08" PRIx32 ": an idx %s file where %s were expected",
			                     path, m, m == IDX_IMAGES ? "images" : "labels", what);
		return lrs_error_set(LRS_EINVALID, "%s: wrong magic 0x%08" PRIx32 ", expected 0x%08" PRIx32 " (idx uint8 %s)",
		                     path, m, magic, what);
	}
	if (got < want)
		return lrs_error_set(LRS_EINVALID, "%s: truncated header (%zu of %zu bytes)", path, got, want);

	f->d = 1;
	for (int i = 0; i < ndims; i++)
		f->dims[i] = be32(head + 4 + 4 * i);
	f->n = f->dims[0];
	if ((ndims == 3 && lrs_data_mul(f->dims[1], f->dims[2], &f->d) < 0) ||
	    lrs_data_mul(f->n, f->d, &f->data_bytes) < 0)
		return lrs_error_set(LRS_EINVALID, "%s: dimensions %" PRIu32 " x %" PRIu32 " x %" PRIu32
		                     " overflow: their product does not fit in 64 bits",
		                     path, f->dims[0], f->dims[1], f->dims[2]);

	/* The promise against what the file can hold: exactly for a raw file,
	 * an upper bound for a compressed one. */
	if (f->direct) {
		unsigned long long have = (unsigned long long)f->size - want;
		if (have < f->data_bytes)
			return lrs_error_set(LRS_EINVALID,
			                     "%s: truncated: the header promises %zu bytes of data, the file holds %llu",
			                     path, f->data_bytes, have);
		if (have > f->data_bytes)
			return lrs_error_set(LRS_EINVALID,
			                     "%s: oversized: %llu bytes of data where the header promises %zu (trailing bytes)",
			                     path, have, f->data_bytes);
	} else if (f->data_bytes / DEFLATE_RATIO > (unsigned long long)f->size) {
		return lrs_error_set(LRS_EINVALID,
		                     "%s: truncated: the header promises %zu bytes of data, more than a %lld-byte gzip file can hold",
		                     path, f->data_bytes, f->size);
	}
	return 0;
}

static void idx_close(idx_file *f)
{
	if (f->gz)
		gzclose_r(f->gz);
	f->gz = NULL;
}

/* ---------------------------------------------------------------- data */

/* Reads every label, keeping the first `keep` in y (keep). */
static int read_labels(const idx_file *f, int32_t *y, size_t keep, unsigned char *chunk)
{
	size_t pos = 0, want, got;
	int rc;

	do {
		want = f->data_bytes - pos < CHUNK ? f->data_bytes - pos : CHUNK;
		if ((rc = gz_read_some(f, chunk, want, &got)) < 0)
			return rc;
		for (size_t i = 0; i < got && pos + i < keep; i++)
			y[pos + i] = chunk[i];
		pos += got;
	} while (got == want && pos < f->data_bytes);
	return idx_check_end(f, pos);
}

/* Reads every image, keeping the bytes of the first `keep` in *xp
 * (keep, d), which this allocates: at once for a raw file (its length is
 * verified), growing with the data for a .gz (its length is not). */
static int read_images(const idx_file *f, uint8_t **xp, size_t keep, unsigned char *chunk)
{
	size_t keep_bytes = keep * f->d;     /* n*d fits, so keep*d does     */
	size_t cap, pos = 0, want, got;      /* cap: bytes allocated         */
	uint8_t *x;
	int rc;

	cap = keep_bytes;
	if (!f->direct && cap > GZ_FIRST_BYTES)
		cap = GZ_FIRST_BYTES;
	if (!(x = malloc(cap)))
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory (%zu bytes for the images)", f->path, cap);
	*xp = x;

	do {
		size_t k;                        /* bytes of this chunk kept     */

		want = f->data_bytes - pos < CHUNK ? f->data_bytes - pos : CHUNK;
		if ((rc = gz_read_some(f, chunk, want, &got)) < 0)
			return rc;
		k = pos < keep_bytes ? (got < keep_bytes - pos ? got : keep_bytes - pos) : 0;
		/* past the kept bytes (k == 0) nothing is stored: growing
		 * to hold `pos` would never end, cap stops at keep_bytes */
		while (k > 0 && pos + k > cap) {
			size_t grown = cap > keep_bytes / 2 ? keep_bytes : 2 * cap;
			uint8_t *bigger = realloc(x, grown);
			if (!bigger)
				return lrs_error_set(LRS_ENOMEM, "%s: out of memory (%zu bytes for the images)",
				                     f->path, grown);
			*xp = x = bigger;
			cap = grown;
		}
		if (k > 0)
			memcpy(x + pos, chunk, k);
		pos += got;
	} while (got == want && pos < f->data_bytes);
	return idx_check_end(f, pos);
}

int lrs_data_load_idx(lrs_split *out, const char *images, const char *labels, size_t limit)
{
	idx_file im = { 0 }, lb = { 0 };
	unsigned char *chunk = NULL;   /* one inflated chunk        */
	uint8_t *x = NULL;             /* (keep, d) features        */
	int32_t *y = NULL;             /* (keep) labels             */
	size_t keep;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = idx_open(&im, images, IDX_IMAGES, 3)) < 0 ||
	    (rc = idx_open(&lb, labels, IDX_LABELS, 1)) < 0)
		goto done;
	if (lb.n != im.n) {
		rc = lrs_error_set(LRS_EINVALID, "%s: %zu labels, but %s has %zu images", labels, lb.n, images, im.n);
		goto done;
	}
	if (im.n == 0 || im.d == 0) {
		rc = lrs_error_set(LRS_EINVALID, "%s: no data (%zu images of %" PRIu32 " x %" PRIu32 " pixels)",
		                   images, im.n, im.dims[1], im.dims[2]);
		goto done;
	}
	keep = limit && limit < im.n ? limit : im.n;
	if (!(chunk = malloc(CHUNK)) || !(y = malloc(keep * sizeof *y))) {
		rc = lrs_error_set(LRS_ENOMEM, "%s: out of memory (%zu bytes)", labels, CHUNK + keep * sizeof *y);
		goto done;
	}
	if ((rc = read_labels(&lb, y, keep, chunk)) < 0 || (rc = read_images(&im, &x, keep, chunk)) < 0)
		goto done;

	out->x8 = x;
	out->y = y;
	out->n = keep;
	out->d = im.d;
	out->rows = im.dims[1];
	out->cols = im.dims[2];
	x = NULL;
	y = NULL;
done:
	idx_close(&im);
	idx_close(&lb);
	free(chunk);
	free(x);
	free(y);
	return rc;
}
