/* npz.c - NumPy .npz archives: a zip file of .npy members, as np.savez
 * (stored) and np.savez_compressed (deflated) write them. Finds the
 * member of one array by its key (`x_train` is the member
 * `x_train.npy`, as np.load's NpzFile names them) and reads it as a
 * stream of the .npy bytes it holds; npy.c parses those.
 *
 * The central directory is the archive's table of contents and is what
 * is trusted: names, methods, sizes, CRC-32s and offsets come from it;
 * the local header is only read to find where the member's data starts
 * (so the zip64 extra field NumPy writes into every local header, and a
 * data descriptor after the data, are simply skipped). Every size is
 * checked before it is used:
 *
 *   - the central directory and each member's data must lie within the
 *     file, before the directory;
 *   - a deflated member may claim no more than deflate can produce from
 *     its compressed size (1032:1), and inflating stops at the size the
 *     directory gives: a member that inflates past it (a zip bomb, or a
 *     corrupt archive) or ends before it is an error, as is a CRC-32 that
 *     does not match;
 *   - the .npy header inside must account for the member's size exactly
 *     (npy.c), and dataset.c's memory check sees the shape first.
 *
 * Not here: parsing the .npy bytes (npy.c); archives needing Zip64
 * (over 4 GiB or 65,535 members), split over several disks or encrypted,
 * and compression methods other than stored and deflated: each is an
 * error saying so. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "lrsweep/error.h"
#include "internal.h"

#define EOCD_SIG      0x06054b50u  /* end of central directory record      */
#define EOCD_SIZE     22u          /* ... without its comment              */
#define ZIP64_LOC_SIG 0x07064b50u  /* the Zip64 locator before the record  */
#define CDIR_SIG      0x02014b50u  /* a central directory entry            */
#define CDIR_SIZE     46u
#define LOCAL_SIG     0x04034b50u  /* a local file header                  */
#define LOCAL_SIZE    30u
#define MAX_COMMENT   65535u
#define DEFLATE_RATIO 1032u        /* deflate's most output per input byte */
#define IN_CHUNK      (1u << 16)   /* compressed bytes read at a time      */
#define KEYS_SHOWN    400          /* characters of the key list in errors */

struct lrs_npz_member {
	FILE *f;
	const char *path;               /* the archive, for messages             */
	char name[LRS_NPZ_NAME];        /* the member's name                     */
	int method;                     /* 0 stored, 8 deflated                  */
	uint32_t crc_want, crc;         /* the directory's CRC-32, and the data's */
	unsigned long long usize;       /* bytes it holds, uncompressed          */
	unsigned long long csize;       /* bytes it takes in the archive         */
	unsigned long long left_in;     /* compressed bytes not yet read         */
	unsigned long long left_out;    /* uncompressed bytes not yet produced   */
	z_stream z;
	int z_live;                     /* inflateInit2 succeeded                */
	int done;                       /* every byte produced and checked       */
	unsigned char in[IN_CHUNK];     /* compressed input                      */
};

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return le16(p) | le16(p + 2) << 16;
}

/* Reads len bytes at `off` of f into buf; 0, or -1 when the file is short. */
static int read_at(FILE *f, unsigned long long off, void *buf, size_t len)
{
	if (fseeko(f, (off_t)off, SEEK_SET) != 0)
		return -1;
	return fread(buf, 1, len, f) == len ? 0 : -1;
}

/* ------------------------------------------------------------- directory */

/* The end of central directory record: where the directory starts, its
 * size and entries. The record is the last 22 bytes unless the archive has
 * a comment, so it is searched for backwards over the last 64 KiB. */
static int find_directory(FILE *f, const char *path, unsigned long long size, unsigned long long *cd_off,
                          unsigned long long *cd_size, unsigned *entries)
{
	size_t tail = size < EOCD_SIZE + MAX_COMMENT ? (size_t)size : EOCD_SIZE + MAX_COMMENT;
	unsigned char *buf = malloc(tail ? tail : 1), *r = NULL;
	unsigned long long at = 0;      /* where the record is */
	int rc = 0;

	if (!buf)
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory", path);
	if (tail < EOCD_SIZE || read_at(f, size - tail, buf, tail) < 0) {
		rc = lrs_error_set(LRS_EINVALID, "%s: not a .npz archive (too short for a zip file)", path);
		goto out;
	}
	for (size_t i = tail - EOCD_SIZE + 1; i-- > 0;)
		if (le32(buf + i) == EOCD_SIG && i + EOCD_SIZE + le16(buf + i + 20) == tail) {
			r = buf + i;
			at = size - tail + i;
			break;
		}
	if (!r) {
		rc = lrs_error_set(LRS_EINVALID, "%s: not a .npz archive (no zip end of central directory record: "
		                   "not a zip file, or a truncated one)", path);
		goto out;
	}
	if ((r - buf >= 20 && le32(r - 20) == ZIP64_LOC_SIG) || le16(r + 10) == 0xffff || le32(r + 12) == 0xffffffffu ||
	    le32(r + 16) == 0xffffffffu) {
		rc = lrs_error_set(LRS_EINVALID, "%s: a Zip64 archive (over 4 GiB or 65,535 members) is not supported: "
		                   "save the arrays as separate .npy files", path);
		goto out;
	}
	if (le16(r + 4) != 0 || le16(r + 6) != 0 || le16(r + 8) != le16(r + 10)) {
		rc = lrs_error_set(LRS_EINVALID, "%s: an archive split over several disks is not supported", path);
		goto out;
	}
	*entries = le16(r + 10);
	*cd_size = le32(r + 12);
	*cd_off = le32(r + 16);
	if (*cd_off + *cd_size > at)
		rc = lrs_error_set(LRS_EINVALID, "%s: truncated or corrupt archive: its central directory (%llu bytes at "
		                   "%llu) does not fit before its end record at %llu", path, *cd_size, *cd_off, at);
out:
	free(buf);
	return rc;
}

/* Whether member `name` (len bytes) is the array `key`: "key.npy", or
 * "key" itself as np.load also finds it. */
static int names_key(const unsigned char *name, size_t len, const char *key)
{
	size_t k = strlen(key);

	return (len == k && memcmp(name, key, k) == 0) ||
	       (len == k + 4 && memcmp(name, key, k) == 0 && memcmp(name + k, ".npy", 4) == 0);
}

/* Appends member `name` to the list of keys an error shows. */
static void list_key(char *keys, size_t cap, const unsigned char *name, size_t len)
{
	size_t used = strlen(keys);

	if (len >= 4 && memcmp(name + len - 4, ".npy", 4) == 0)
		len -= 4;
	if (used + len + 8 >= cap) {
		if (used + 6 < cap && !strstr(keys, ", ..."))
			strcat(keys, ", ...");
		return;
	}
	snprintf(keys + used, cap - used, "%s%.*s", used ? ", " : "", (int)len, (const char *)name);
}

/* Checks the directory entry `e` of the member found and copies what
 * reading it needs into m; `cd_off` bounds its data. */
static int take_entry(lrs_npz_member *m, const unsigned char *e, unsigned long long *local)
{
	unsigned flags = le16(e + 8);

	m->method = (int)le16(e + 10);
	m->crc_want = le32(e + 16);
	m->csize = le32(e + 20);
	m->usize = le32(e + 24);
	*local = le32(e + 42);
	if (flags & 1)
		return lrs_error_set(LRS_EINVALID, "%s: member '%s' is encrypted: save it with np.savez, unencrypted",
		                     m->path, m->name);
	if (m->csize == 0xffffffffu || m->usize == 0xffffffffu || *local == 0xffffffffu)
		return lrs_error_set(LRS_EINVALID, "%s: member '%s' needs Zip64 (over 4 GiB): save the array as a .npy file",
		                     m->path, m->name);
	if (m->method != 0 && m->method != 8)
		return lrs_error_set(LRS_EINVALID, "%s: member '%s' uses compression method %d: only stored (np.savez) "
		                     "and deflated (np.savez_compressed) are read", m->path, m->name, m->method);
	if (m->method == 0 && m->csize != m->usize)
		return lrs_error_set(LRS_EINVALID, "%s: corrupt archive: stored member '%s' takes %llu bytes but holds %llu",
		                     m->path, m->name, m->csize, m->usize);
	if (m->method == 8 && m->usize / DEFLATE_RATIO > m->csize)
		return lrs_error_set(LRS_EINVALID, "%s: member '%s' claims %llu bytes from %llu compressed, more than "
		                     "deflate can produce (a zip bomb or a corrupt archive)", m->path, m->name,
		                     m->usize, m->csize);
	return 0;
}

/* Finds array `key` in the directory (cd_size bytes at cd_off, `entries`
 * of them); on success m holds its entry and *local its header's offset. */
static int find_member(lrs_npz_member *m, const char *key, unsigned long long cd_off, unsigned long long cd_size,
                       unsigned entries, unsigned long long *local)
{
	unsigned char *cd = malloc(cd_size ? cd_size : 1);
	char keys[KEYS_SHOWN] = "";
	size_t pos = 0;
	int rc = 1;                     /* 1: not found yet */

	if (!cd)
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory (%llu bytes for the zip directory)", m->path, cd_size);
	if (read_at(m->f, cd_off, cd, (size_t)cd_size) < 0)
		rc = lrs_error_set(LRS_EINVALID, "%s: read error in the zip directory", m->path);
	for (unsigned i = 0; rc == 1 && i < entries; i++) {
		const unsigned char *e = cd + pos;
		size_t nlen, skip;

		if (cd_size - pos < CDIR_SIZE || le32(e) != CDIR_SIG) {
			rc = lrs_error_set(LRS_EINVALID, "%s: corrupt archive: entry %u of the zip directory is broken",
			                   m->path, i + 1);
			break;
		}
		nlen = le16(e + 28);
		skip = CDIR_SIZE + nlen + le16(e + 30) + le16(e + 32);
		if (cd_size - pos < skip) {
			rc = lrs_error_set(LRS_EINVALID, "%s: corrupt archive: entry %u of the zip directory runs past it",
			                   m->path, i + 1);
			break;
		}
		if (names_key(e + CDIR_SIZE, nlen, key)) {
			snprintf(m->name, sizeof m->name, "%.*s", (int)nlen, (const char *)e + CDIR_SIZE);
			rc = take_entry(m, e, local);
		}
		list_key(keys, sizeof keys, e + CDIR_SIZE, nlen);
		pos += skip;
	}
	if (rc == 1)
		rc = lrs_error_set(LRS_EINVALID, "%s: no array '%s' in the archive (it holds: %s)", m->path, key,
		                   *keys ? keys : "nothing");
	free(cd);
	return rc;
}

/* Finds where the member's data starts from its local header, checks it
 * lies before the directory, and gets ready to read it. */
static int start_member(lrs_npz_member *m, unsigned long long local, unsigned long long cd_off)
{
	unsigned char h[LOCAL_SIZE];
	unsigned long long data;

	if (local + LOCAL_SIZE > cd_off || read_at(m->f, local, h, sizeof h) < 0 || le32(h) != LOCAL_SIG)
		return lrs_error_set(LRS_EINVALID, "%s: corrupt archive: no local header for member '%s' at %llu",
		                     m->path, m->name, local);
	data = local + LOCAL_SIZE + le16(h + 26) + le16(h + 28);
	if (data > cd_off || m->csize > cd_off - data)
		return lrs_error_set(LRS_EINVALID, "%s: truncated or corrupt archive: member '%s' (%llu bytes at %llu) runs "
		                     "past the archive's data", m->path, m->name, m->csize, data);
	if (fseeko(m->f, (off_t)data, SEEK_SET) != 0)
		return lrs_error_set(LRS_EINVALID, "%s: read error (%s)", m->path, strerror(errno));
	m->left_in = m->csize;
	m->left_out = m->usize;
	m->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	if (m->method == 8) {
		if (inflateInit2(&m->z, -MAX_WBITS) != Z_OK)   /* raw deflate, no zlib header */
			return lrs_error_set(LRS_ENOMEM, "%s: cannot allocate the inflater", m->path);
		m->z_live = 1;
	}
	return 0;
}

int lrs_npz_open(lrs_npz_member **out, const char *path, const char *key)
{
	lrs_npz_member *m;
	unsigned long long cd_off = 0, cd_size = 0, local = 0;
	unsigned entries = 0;
	struct stat st;
	int fd, rc;

	*out = NULL;
	if (!(m = calloc(1, sizeof *m)))
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory", path);
	m->path = path;
	*out = m;
	if ((fd = lrs_data_open(path, &st)) < 0)
		return lrs_error_set(LRS_EINVALID, errno == EINVAL ? "%s: not a regular file" : "%s: cannot open (%s)",
		                     path, strerror(errno));
	if (!(m->f = fdopen(fd, "rb"))) {
		close(fd);
		return lrs_error_set(LRS_ENOMEM, "%s: cannot open (%s)", path, strerror(errno));
	}
	if (st.st_size == 0)
		return lrs_error_set(LRS_EINVALID, "%s: empty file", path);
	if ((rc = find_directory(m->f, path, (unsigned long long)st.st_size, &cd_off, &cd_size, &entries)) < 0 ||
	    (rc = find_member(m, key, cd_off, cd_size, entries, &local)) < 0)
		return rc;
	return start_member(m, local, cd_off);
}

/* ------------------------------------------------------------------ data */

/* Reads the next compressed chunk when the inflater has used the last. */
static int refill(lrs_npz_member *m)
{
	size_t k = m->left_in < IN_CHUNK ? (size_t)m->left_in : IN_CHUNK;

	if (m->z.avail_in > 0 || k == 0)
		return 0;
	if (fread(m->in, 1, k, m->f) != k)
		return lrs_error_set(LRS_EINVALID, "%s: member '%s': read error or truncated archive", m->path, m->name);
	m->z.next_in = m->in;
	m->z.avail_in = (uInt)k;
	m->left_in -= k;
	return 0;
}

/* At the member's last byte: the deflate stream must end there (not go on:
 * a zip bomb's surplus), and the data must match its CRC-32. */
static int finish(lrs_npz_member *m)
{
	while (m->method == 8) {
		unsigned char spare;
		int zr, rc;

		if ((rc = refill(m)) < 0)
			return rc;
		m->z.next_out = &spare;
		m->z.avail_out = 1;
		zr = inflate(&m->z, Z_NO_FLUSH);
		if (m->z.avail_out == 0)
			return lrs_error_set(LRS_EINVALID, "%s: member '%s' inflates past the %llu bytes the zip directory "
			                     "gives (a zip bomb or a corrupt archive)", m->path, m->name, m->usize);
		if (zr == Z_STREAM_END)
			break;
		if (zr != Z_OK)
			return lrs_error_set(LRS_EINVALID, "%s: member '%s': corrupt deflate data (the stream does not end "
			                     "after %llu bytes)", m->path, m->name, m->usize);
	}
	if (m->crc != m->crc_want)
		return lrs_error_set(LRS_EINVALID, "%s: member '%s': CRC-32 mismatch (corrupt archive)", m->path, m->name);
	m->done = 1;
	return 0;
}

/* Inflates up to len bytes of the member into buf. */
static int inflate_some(lrs_npz_member *m, unsigned char *buf, size_t len, size_t *got)
{
	m->z.next_out = buf;
	m->z.avail_out = (uInt)len;
	while (m->z.avail_out > 0) {
		int zr, rc;

		if ((rc = refill(m)) < 0)
			return rc;
		zr = inflate(&m->z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END || (zr == Z_BUF_ERROR && m->z.avail_in == 0 && m->left_in == 0)) {
			if (m->z.avail_out > 0)
				return lrs_error_set(LRS_EINVALID, "%s: member '%s' ends after %llu of the %llu bytes the zip "
				                     "directory gives (truncated or corrupt)", m->path, m->name,
				                     m->usize - m->left_out + (len - m->z.avail_out), m->usize);
			break;
		}
		if (zr != Z_OK)
			return lrs_error_set(LRS_EINVALID, "%s: member '%s': corrupt deflate data (%s)", m->path, m->name,
			                     m->z.msg ? m->z.msg : "inflate failed");
	}
	*got = len - m->z.avail_out;
	return 0;
}

int lrs_npz_read(lrs_npz_member *m, void *buf, size_t len, size_t *got)
{
	int rc;

	*got = 0;
	if (m->done)
		return 0;
	if (len > m->left_out)
		len = (size_t)m->left_out;
	if (len > (1u << 30))
		len = 1u << 30;
	if (m->method == 0) {
		if (fread(buf, 1, len, m->f) != len)
			return lrs_error_set(LRS_EINVALID, "%s: member '%s': read error or truncated archive", m->path, m->name);
		*got = len;
	} else if ((rc = inflate_some(m, buf, len, got)) < 0) {
		return rc;
	}
	m->crc = (uint32_t)crc32(m->crc, buf, (uInt)*got);
	m->left_out -= *got;
	if (m->left_out == 0)
		return finish(m);
	return 0;
}

unsigned long long lrs_npz_size(const lrs_npz_member *m)
{
	return m->usize;
}

const char *lrs_npz_name(const lrs_npz_member *m)
{
	return m->name;
}

int lrs_npz_deflated(const lrs_npz_member *m)
{
	return m->method == 8;
}

void lrs_npz_close(lrs_npz_member *m)
{
	if (!m)
		return;
	if (m->z_live)
		inflateEnd(&m->z);
	if (m->f)
		fclose(m->f);
	free(m);
}
