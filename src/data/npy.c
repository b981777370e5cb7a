/* npy.c - NumPy .npy arrays, format versions 1.0, 2.0 and 3.0: a features
 * array (n, ...) flattened to (n, d), or (n) as one feature per sample,
 * and a labels array (n) or (n, 1), or one-hot rows (n, K) of 0s and a
 * single 1 (Keras' to_categorical), read as each row's column of 1. Each comes from a .npy file, raw or
 * gzip (detected by content, as .npy.gz), or from a member of a .npz
 * archive (npz.c reads the member's bytes).
 *
 * A .npy file is a magic string, a version, a header length (2 bytes in
 * 1.0, 4 in 2.0 and 3.0, little-endian), then a Python dict literal
 *
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (60000, 784), }
 *
 * padded with spaces to a newline, then the raw array. The dict is parsed
 * here, not evaluated: exactly those three keys, string / bool / tuple of
 * integers values. Every numeric dtype NumPy writes is read: float16/32/
 * 64, int8..int64, uint8..uint64 and bool, little- or big-endian ('<',
 * '>', and '|' or '=' for this machine's order), in C or Fortran order
 * (a Fortran-order array is transposed as it is read, into the rows the
 * model takes). Values become float32 as NumPy's a.astype(np.float32)
 * and PyTorch's torch.from_numpy(a).float() make them: float16 exactly,
 * float64 and integers rounded once to the nearest float32 (so integers
 * beyond 2^24 and int64/uint64 beyond 2^53 lose their low bits as they
 * do there), bool as 0 and 1. uint8 features stay bytes (images).
 *
 * The data length must match the shape exactly (checked against the
 * file's size, the member's size, or a gzip file's trailer, for overflow
 * too, before anything is allocated). Features must be finite; labels
 * must be whole numbers an int32 holds (float arrays holding them are
 * fine; dataset.c maps them to 0 .. K-1).
 * Every value is read and checked; only the first `limit` rows are kept.
 * The file is read in 64 KiB chunks straight into the loaded arrays: no
 * copy of the file is held.
 *
 * Not here: the zip archive (npz.c); complex, object, string, datetime
 * and structured dtypes, which are errors saying what to save instead. */
#include <errno.h>
#include <math.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "lrsweep/error.h"
#include "internal.h"

#define NPY_MAGIC      "\x93NUMPY"
#define MAX_HEADER     (1u << 20)  /* longer headers are not NumPy's       */
#define MAX_DIMS       32          /* NumPy's own limit                    */
#define CHUNK_BYTES    (1u << 16)  /* bytes read at a time: 64 KiB         */
#define DEFLATE_RATIO  1032u       /* deflate's most output per input byte */

/* The dtype's kind: how an element's bytes make a number. */
typedef enum { K_FLOAT, K_INT, K_UINT, K_BOOL } npy_kind;

/* One open .npy array, its header parsed and its length checked. */
typedef struct {
	const char *path;        /* what messages name: the file, or
	                            "archive: member"                        */
	char *owned;             /* path, when made here                     */
	gzFile gz;               /* a .npy file, raw or gzip; or NULL        */
	lrs_npz_member *zm;      /* an archive's member; or NULL             */
	int gzip;                /* 1: the file is gzip-compressed           */
	long long size;          /* bytes on disk                            */
	unsigned long long length; /* the .npy bytes: the file's or member's
	                            size; a gzip file's trailer, mod 2^32    */
	long long data_off;      /* where the array starts                   */
	char descr[24];          /* the dtype as written                     */
	npy_kind kind;
	size_t item;             /* bytes per element                        */
	int big;                 /* 1: elements are big-endian               */
	int fortran;             /* fortran_order                            */
	int ndim;
	size_t shape[MAX_DIMS];
	size_t count;            /* elements: the product of the shape       */
	size_t data_bytes;       /* count * item                             */
	unsigned seen;           /* keys found: 1 descr, 2 fortran, 4 shape  */
} npy_file;

/* --------------------------------------------------------------- header */

/* The header dict, as a cursor over its text. */
typedef struct {
	const char *s;           /* the text                                 */
	size_t pos, len;
} cursor;

static void skip_ws(cursor *c)
{
	while (c->pos < c->len && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t' ||
	                            c->s[c->pos] == '\n' || c->s[c->pos] == '\r'))
		c->pos++;
}

static int peek(cursor *c)
{
	skip_ws(c);
	return c->pos < c->len ? (unsigned char)c->s[c->pos] : -1;
}

static int broken(const npy_file *f, const cursor *c, const char *what)
{
	return lrs_error_set(LRS_EINVALID, "%s: broken header: %s at byte %zu of the dict", f->path, what, c->pos);
}

/* Expects character `ch`. */
static int expect(const npy_file *f, cursor *c, int ch, const char *what)
{
	if (peek(c) != ch)
		return broken(f, c, what);
	c->pos++;
	return 0;
}

/* A Python string literal ('...' or "...", no escapes) into buf. */
static int parse_string(const npy_file *f, cursor *c, char *buf, size_t size)
{
	int q = peek(c);
	size_t start, n;

	if (q != '\'' && q != '"')
		return broken(f, c, "expected a string");
	start = ++c->pos;
	while (c->pos < c->len && c->s[c->pos] != q)
		c->pos++;
	if (c->pos >= c->len)
		return broken(f, c, "unterminated string");
	n = c->pos - start;
	c->pos++;
	if (n >= size)
		n = size - 1;
	memcpy(buf, c->s + start, n);
	buf[n] = '\0';
	return 0;
}

/* The shape tuple: (), (n,), (n, m), ... with Python 2's L suffix allowed. */
static int parse_shape(npy_file *f, cursor *c)
{
	int rc;

	if ((rc = expect(f, c, '(', "expected '(' for the shape")) < 0)
		return rc;
	f->ndim = 0;
	while (peek(c) != ')') {
		size_t v = 0;

		if (peek(c) < '0' || peek(c) > '9')
			return broken(f, c, "expected a dimension in the shape");
		while (c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9') {
			if (v > (SIZE_MAX - 9) / 10)
				return lrs_error_set(LRS_EINVALID, "%s: broken header: a dimension of the shape overflows", f->path);
			v = 10 * v + (size_t)(c->s[c->pos++] - '0');
		}
		if (c->pos < c->len && c->s[c->pos] == 'L')
			c->pos++;
		if (f->ndim == MAX_DIMS)
			return broken(f, c, "more than 32 dimensions");
		f->shape[f->ndim++] = v;
		if (peek(c) == ',')
			c->pos++;
		else if (peek(c) != ')')
			return broken(f, c, "expected ',' or ')' in the shape");
	}
	c->pos++;
	return 0;
}

/* The dict's value for `key`. */
static int parse_value(npy_file *f, cursor *c, const char *key)
{
	if (strcmp(key, "descr") == 0) {
		if (peek(c) == '[')
			return lrs_error_set(LRS_EINVALID, "%s: structured dtype is not supported: save each field as its "
			                     "own array (a['name'])", f->path);
		f->seen |= 1;
		return parse_string(f, c, f->descr, sizeof f->descr);
	}
	if (strcmp(key, "fortran_order") == 0) {
		peek(c);
		if (c->len - c->pos >= 4 && memcmp(c->s + c->pos, "True", 4) == 0) {
			f->fortran = 1;
			c->pos += 4;
		} else if (c->len - c->pos >= 5 && memcmp(c->s + c->pos, "False", 5) == 0) {
			f->fortran = 0;
			c->pos += 5;
		} else {
			return broken(f, c, "fortran_order is not True or False");
		}
		f->seen |= 2;
		return 0;
	}
	if (strcmp(key, "shape") == 0) {
		f->seen |= 4;
		return parse_shape(f, c);
	}
	return lrs_error_set(LRS_EINVALID, "%s: broken header: unexpected key '%s'", f->path, key);
}

/* Parses the header dict `text` (len bytes) into f. */
static int parse_dict(npy_file *f, const char *text, size_t len)
{
	cursor c = { text, 0, len };
	char key[32];
	int rc;

	if ((rc = expect(f, &c, '{', "expected '{'")) < 0)
		return rc;
	while (peek(&c) != '}') {
		if ((rc = parse_string(f, &c, key, sizeof key)) < 0 ||
		    (rc = expect(f, &c, ':', "expected ':'")) < 0 ||
		    (rc = parse_value(f, &c, key)) < 0)
			return rc;
		if (peek(&c) == ',')
			c.pos++;
		else if (peek(&c) != '}')
			return broken(f, &c, "expected ',' or '}'");
	}
	c.pos++;
	if (peek(&c) != -1)
		return broken(f, &c, "text after the dict");
	if (f->seen != 7)
		return lrs_error_set(LRS_EINVALID, "%s: broken header: no '%s' key", f->path,
		                     !(f->seen & 1) ? "descr" : !(f->seen & 2) ? "fortran_order" : "shape");
	return 0;
}

/* Formats the shape as Python does: (3,) or (3, 4). */
static const char *shape_text(const npy_file *f, char *buf, size_t size)
{
	size_t used = (size_t)snprintf(buf, size, "(");

	for (int i = 0; i < f->ndim && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, i ? ", %zu" : "%zu", f->shape[i]);
	if (used < size)
		snprintf(buf + used, size - used, f->ndim == 1 ? ",)" : ")");
	return buf;
}

/* ---------------------------------------------------------------- dtype */

/* Why a dtype that is not a number cannot be read, and what to save. */
static int unsupported(const npy_file *f, char kind)
{
	const char *why = "is not supported (numeric dtypes are: float16/32/64 'f2' 'f4' 'f8', int8..int64 "
	                  "'i1'..'i8', uint8..uint64 'u1'..'u8', bool 'b1', either byte order)";

	switch (kind) {
	case 'c':
		why = "is not supported: complex numbers are not features (save a.real, or "
		      "np.stack([a.real, a.imag], axis=-1) for both parts)";
		break;
	case 'O':
		why = "is not supported: an object array holds pickled Python objects (save a numeric array: "
		      "np.asarray(a, dtype=np.float32))";
		break;
	case 'S': case 'a': case 'U':
		why = "is not supported: text labels belong in a CSV file's label column, or save them as numbers "
		      "(np.unique(a, return_inverse=True)[1])";
		break;
	case 'M': case 'm':
		why = "is not supported: convert dates and durations to numbers first (a.astype(np.int64))";
		break;
	case 'V':
		why = "is not supported: save each field of a structured array as its own array (a['name'])";
		break;
	case 'f':
		if (strstr(f->descr, "f16") || strstr(f->descr, "f12"))
			why = "is not supported: long double (np.longdouble) has no float32 counterpart; save "
			      "a.astype(np.float64)";
		break;
	}
	return lrs_error_set(LRS_EINVALID, "%s: dtype '%s' %s", f->path, f->descr, why);
}

/* The machine's byte order: 1 when big-endian. */
static int host_big(void)
{
	const uint16_t one = 1;
	unsigned char first;

	memcpy(&first, &one, 1);
	return first == 0;
}

/* Reads f->descr: an optional byte order ('<', '>', '|', '='), a kind
 * letter and a size in bytes, as NumPy's dtype.str writes it. */
static int parse_dtype(npy_file *f)
{
	const char *d = f->descr;
	char order = '=', kind;
	size_t size = 0;

	if (*d && strchr("<>|=", *d))
		order = *d++;
	kind = *d ? *d++ : '?';
	while (*d >= '0' && *d <= '9' && size < 100)
		size = 10 * size + (size_t)(*d++ - '0');
	if (*d != '\0' || !strchr("fiub", kind))
		return unsupported(f, kind);
	if ((kind == 'f' && size != 2 && size != 4 && size != 8) ||
	    ((kind == 'i' || kind == 'u') && size != 1 && size != 2 && size != 4 && size != 8) ||
	    (kind == 'b' && size != 1))
		return unsupported(f, kind);
	f->kind = kind == 'f' ? K_FLOAT : kind == 'i' ? K_INT : kind == 'u' ? K_UINT : K_BOOL;
	f->item = size;
	f->big = order == '>' || (order != '<' && host_big());
	return 0;
}

/* --------------------------------------------------------------- input */

/* Turns zlib's state after a short read into an error, or 0 at the end. */
static int gz_status(const npy_file *f)
{
	int errnum = Z_OK;
	const char *msg = gzerror(f->gz, &errnum);

	if (errnum == Z_OK)
		return 0;
	if (errnum == Z_ERRNO)
		return lrs_error_set(LRS_EINVALID, "%s: read error (%s)", f->path, strerror(errno));
	if (errnum == Z_BUF_ERROR)
		return lrs_error_set(LRS_EINVALID, "%s: corrupt gzip data (truncated stream)", f->path);
	return lrs_error_set(LRS_EINVALID, "%s: corrupt gzip data (%s)", f->path, msg ? msg : "");
}

/* Reads up to len bytes of the .npy bytes into buf; *got < len only at
 * their end. */
static int src_read(npy_file *f, void *buf, size_t len, size_t *got)
{
	*got = 0;
	if (f->zm)
		return lrs_npz_read(f->zm, buf, len, got);
	while (*got < len) {
		size_t want = len - *got;
		int r = gzread(f->gz, (unsigned char *)buf + *got, (unsigned)(want < CHUNK_BYTES ? want : CHUNK_BYTES));

		if (r <= 0) {
			int rc = gz_status(f);
			if (rc < 0 || r < 0)
				return rc < 0 ? rc : lrs_error_set(LRS_EINVALID, "%s: corrupt gzip data", f->path);
			break;
		}
		*got += (size_t)r;
	}
	return 0;
}

/* Opens .npy file `path`, raw or gzip: f->size, f->gzip and, for gzip,
 * the length its trailer gives (mod 2^32). */
static int open_file(npy_file *f, const char *path)
{
	unsigned char magic[2], tail[4];
	struct stat st;
	int fd;

	f->path = path;
	if ((fd = lrs_data_open(path, &st)) < 0)
		return lrs_error_set(LRS_EINVALID, errno == EINVAL ? "%s: not a regular file" : "%s: cannot open (%s)",
		                     path, strerror(errno));
	f->size = (long long)st.st_size;
	f->length = (unsigned long long)st.st_size;
	f->gzip = pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
	if (f->gzip && f->size >= 18 && pread(fd, tail, 4, (off_t)f->size - 4) == 4)
		f->length = (unsigned long long)tail[0] | (unsigned long long)tail[1] << 8 |
		            (unsigned long long)tail[2] << 16 | (unsigned long long)tail[3] << 24;
	if (!(f->gz = gzdopen(fd, "rb"))) {
		close(fd);
		return lrs_error_set(LRS_ENOMEM, "%s: cannot allocate the gzip reader", path);
	}
	gzbuffer(f->gz, CHUNK_BYTES);
	if (f->size == 0)
		return lrs_error_set(LRS_EINVALID, "%s: empty file", path);
	return 0;
}

/* Opens array `key` of archive `path`; messages then name "path: member". */
static int open_member(npy_file *f, const char *path, const char *key)
{
	int rc = lrs_npz_open(&f->zm, path, key);
	size_t len;

	f->path = path;
	if (rc < 0)
		return rc;
	len = strlen(path) + strlen(lrs_npz_name(f->zm)) + 3;
	if (!(f->owned = malloc(len)))
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory", path);
	snprintf(f->owned, len, "%s: %s", path, lrs_npz_name(f->zm));
	f->path = f->owned;
	f->length = lrs_npz_size(f->zm);
	if (f->length == 0)
		return lrs_error_set(LRS_EINVALID, "%s: empty member", f->path);
	return 0;
}

/* Checks the dtype, the order, the size arithmetic and the data length. */
static int check_array(npy_file *f)
{
	unsigned long long have;
	char shape[128];
	int rc;

	if ((rc = parse_dtype(f)) < 0)
		return rc;
	if (f->ndim < 2)
		f->fortran = 0;   /* one dimension: both orders are the same */
	f->count = 1;
	for (int k = 0; k < f->ndim; k++)
		if (lrs_data_mul(f->count, f->shape[k], &f->count) < 0)
			return lrs_error_set(LRS_EINVALID, "%s: shape %s overflows: its product does not fit in 64 bits",
			                     f->path, shape_text(f, shape, sizeof shape));
	if (lrs_data_mul(f->count, f->item, &f->data_bytes) < 0)
		return lrs_error_set(LRS_EINVALID, "%s: shape %s of '%s' overflows: its size does not fit in 64 bits",
		                     f->path, shape_text(f, shape, sizeof shape), f->descr);
	if (f->gzip) {   /* the trailer holds the length mod 2^32; deflate bounds it */
		if (f->data_bytes / DEFLATE_RATIO > (unsigned long long)f->size ||
		    ((unsigned long long)f->data_off + f->data_bytes) % (1ull << 32) != f->length)
			return lrs_error_set(LRS_EINVALID, "%s: truncated or corrupt gzip file: shape %s of '%s' needs %zu bytes "
			                     "of data, its gzip trailer says the file holds %llu bytes in all (mod 2^32)",
			                     f->path, shape_text(f, shape, sizeof shape), f->descr, f->data_bytes, f->length);
		return 0;
	}
	have = f->length - (unsigned long long)f->data_off;
	if (have < f->data_bytes)
		return lrs_error_set(LRS_EINVALID, "%s: truncated: shape %s of '%s' needs %zu bytes of data, the file holds %llu",
		                     f->path, shape_text(f, shape, sizeof shape), f->descr, f->data_bytes, have);
	if (have > f->data_bytes)
		return lrs_error_set(LRS_EINVALID, "%s: oversized: %llu bytes of data where shape %s of '%s' needs %zu (trailing bytes)",
		                     f->path, have, shape_text(f, shape, sizeof shape), f->descr, f->data_bytes);
	return 0;
}

/* Reads and checks the header at the start of f's stream, leaving it at
 * the start of the data. */
static int read_header(npy_file *f)
{
	unsigned char pre[12];
	size_t pre_len, hlen, got;
	char *text;
	int rc;

	if ((rc = src_read(f, pre, 10, &got)) < 0)
		return rc;
	if (got < 8 || memcmp(pre, NPY_MAGIC, 6) != 0)
		return lrs_error_set(LRS_EINVALID, "%s: not a .npy %s (no \\x93NUMPY magic)", f->path,
		                     f->zm ? "array" : "file");
	if (pre[6] < 1 || pre[6] > 3)
		return lrs_error_set(LRS_EINVALID, "%s: .npy format version %d.%d is not supported (1.0, 2.0, 3.0)",
		                     f->path, pre[6], pre[7]);
	pre_len = pre[6] == 1 ? 10 : 12;
	if (pre_len == 12 && got == 10 && (rc = src_read(f, pre + 10, 2, &got)) == 0)
		got += 10;
	if (rc < 0)
		return rc;
	if (got < pre_len)
		return lrs_error_set(LRS_EINVALID, "%s: broken header: the file ends in its length field", f->path);
	hlen = pre[6] == 1 ? (size_t)pre[8] | (size_t)pre[9] << 8
	                   : (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
	if (hlen > MAX_HEADER)
		return lrs_error_set(LRS_EINVALID, "%s: broken header: its length %zu is over %u bytes", f->path, hlen, MAX_HEADER);
	if (!f->gzip && f->length < pre_len + hlen)
		return lrs_error_set(LRS_EINVALID, "%s: broken header: it claims %zu bytes, the file has only %llu",
		                     f->path, hlen, f->length - pre_len);
	f->data_off = (long long)(pre_len + hlen);
	if (!(text = malloc(hlen + 1)))
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory (%zu bytes for the header)", f->path, hlen + 1);
	if ((rc = src_read(f, text, hlen, &got)) == 0 && got != hlen)
		rc = lrs_error_set(LRS_EINVALID, "%s: broken header: it claims %zu bytes, the file ends after %zu",
		                   f->path, hlen, got);
	if (rc == 0) {
		text[hlen] = '\0';
		rc = parse_dict(f, text, hlen);
	}
	free(text);
	return rc < 0 ? rc : check_array(f);
}

/* Opens array `name` of src (a .npy file, or a key of src->path's .npz
 * archive) and reads and checks its header. `f` is to be closed with
 * npy_close either way. */
static int npy_open(npy_file *f, const lrs_data_source *src, const char *name)
{
	int rc = src->format == LRS_DATA_NPZ ? open_member(f, src->path, name) : open_file(f, name);

	return rc < 0 ? rc : read_header(f);
}

static void npy_close(npy_file *f)
{
	if (f->gz)
		gzclose_r(f->gz);
	lrs_npz_close(f->zm);
	free(f->owned);
	memset(f, 0, sizeof *f);
}

/* After the last element: the stream must end there. */
static int check_end(npy_file *f)
{
	unsigned char extra;
	size_t got;
	int rc;

	if ((rc = src_read(f, &extra, 1, &got)) < 0)
		return rc;
	if (got)
		return lrs_error_set(LRS_EINVALID, "%s: oversized: data goes on past the %zu bytes its shape needs "
		                     "(trailing bytes)", f->path, f->data_bytes);
	return 0;
}

/* ----------------------------------------------------------------- data */

static uint64_t raw_bits(const unsigned char *p, size_t size, int big)
{
	uint64_t v = 0;

	for (size_t i = 0; i < size; i++)
		v = v << 8 | p[big ? i : size - 1 - i];
	return v;
}

/* IEEE half precision to float: exact (every half is a float). */
static float half_to_float(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = h >> 10 & 0x1fu, man = h & 0x3ffu, bits;
	float v;

	if (exp == 0) {   /* zero or subnormal: man * 2^-24 */
		v = (float)man * 0x1p-24f;
		return sign ? -v : v;
	}
	bits = sign | (exp == 0x1f ? 0x7f800000u : (exp + 112) << 23) | man << 13;
	memcpy(&v, &bits, sizeof v);
	return v;
}

static int64_t sign_extend(uint64_t b, size_t size)
{
	uint64_t sign = (uint64_t)1 << (8 * size - 1);

	return size == 8 ? (int64_t)b : (int64_t)(b ^ sign) - (int64_t)sign;
}

/* Element p of f as a double: exact, but for int64 and uint64 beyond 2^53. */
static double to_double(const npy_file *f, const unsigned char *p)
{
	uint64_t b = raw_bits(p, f->item, f->big);

	switch (f->kind) {
	case K_FLOAT:
		if (f->item == 2)
			return half_to_float((uint16_t)b);
		if (f->item == 4) {
			uint32_t b32 = (uint32_t)b;
			float v;
			memcpy(&v, &b32, sizeof v);
			return v;
		} else {
			double v;
			memcpy(&v, &b, sizeof v);
			return v;
		}
	case K_INT:
		return (double)sign_extend(b, f->item);
	case K_UINT:
		return (double)b;
	case K_BOOL:
		return b != 0;
	}
	return 0;
}

/* Element p of f as float32, as a.astype(np.float32) rounds it: once. */
static float to_float(const npy_file *f, const unsigned char *p)
{
	uint64_t b;

	switch (f->kind) {
	case K_INT:
		return (float)sign_extend(raw_bits(p, f->item, f->big), f->item);
	case K_UINT:
		b = raw_bits(p, f->item, f->big);
		return (float)b;
	default:
		return (float)to_double(f, p);
	}
}

/* Where read_elements puts features and labels. */
typedef struct {
	const npy_file *f;
	float *x;                /* (keep, d) features, or NULL (x8)          */
	uint8_t *x8;             /* (keep, d) features of a uint8 array       */
	int32_t *y;              /* (keep) labels                             */
	size_t d, keep;
	/* One-hot labels (n, width): each row's column of 1, as read. */
	size_t rows, width;      /* the labels array's shape                  */
	int32_t *hot;            /* (rows) the column of the row's 1; NO_ONE
	                            before one, SEVERAL_ONES after a second  */
	/* A Fortran-order array: where its next element goes in (n, d). */
	size_t next;             /* its flat index there                      */
	size_t idx[MAX_DIMS];    /* its index, the first dimension fastest    */
	size_t stride[MAX_DIMS]; /* in (n, d), per dimension                  */
} sink;

/* Reads the next `count` elements through `chunk`, calling back per
 * element with its bytes; shared by features and labels. */
static int read_elements(npy_file *f, size_t count, unsigned char *chunk,
                         int (*each)(sink *s, size_t index, const unsigned char *p), sink *s)
{
	size_t per = CHUNK_BYTES / f->item, done = 0;

	while (done < count) {
		size_t k = count - done < per ? count - done : per, got;
		int rc;

		if ((rc = src_read(f, chunk, k * f->item, &got)) < 0)
			return rc;
		if (got != k * f->item)
			return lrs_error_set(LRS_EINVALID, "%s: truncated: the data ends after %zu of its %zu bytes",
			                     f->path, done * f->item + got, f->data_bytes);
		for (size_t i = 0; i < k; i++)
			if ((rc = each(s, done + i, chunk + i * f->item)) < 0)
				return rc;
		done += k;
	}
	return check_end(f);
}

/* The place in (n, d) of a Fortran-order array's next element, whose
 * first index runs fastest: the transpose, one element at a time. */
static size_t fortran_next(sink *s)
{
	const npy_file *f = s->f;
	size_t at = s->next;

	for (int k = 0; k < f->ndim; k++) {
		s->next += s->stride[k];
		if (++s->idx[k] < f->shape[k])
			break;
		s->next -= s->stride[k] * f->shape[k];
		s->idx[k] = 0;
	}
	return at;
}

static int put_feature(sink *s, size_t i, const unsigned char *p)
{
	const npy_file *f = s->f;
	size_t at = f->fortran ? fortran_next(s) : i;
	float v;

	if (f->kind == K_FLOAT) {
		double dv = to_double(f, p);
		if (!isfinite(dv) || fabs(dv) > FLT_MAX)
			return lrs_error_set(LRS_EINVALID, "%s: element [%zu, %zu] is %s", f->path, at / s->d, at % s->d,
			                     isnan(dv) ? "NaN" : isinf(dv) ? "infinite" : "out of float32 range");
		v = (float)dv;
	} else {
		v = to_float(f, p);
	}
	if (at < s->keep * s->d) {
		if (s->x8)
			s->x8[at] = p[0];   /* a uint8 array's element */
		else
			s->x[at] = v;
	}
	return 0;
}

static int put_label(sink *s, size_t i, const unsigned char *p)
{
	double v = to_double(s->f, p);

	if (isnan(v) || v != floor(v))
		return lrs_error_set(LRS_EINVALID, "%s: label at index %zu is not an integer (%g): " LRS_BIN_HINT,
		                     s->f->path, i, v);
	if (v < INT32_MIN || v > INT32_MAX)
		return lrs_error_set(LRS_EINVALID, "%s: label at index %zu is out of range (%g): labels are 32-bit "
		                     "integers (-2147483648 .. 2147483647)", s->f->path, i, v);
	if (i < s->keep)
		s->y[i] = (int32_t)v;
	return 0;
}

#define NO_ONE (-1)
#define SEVERAL_ONES (-2)

/* How to turn labels that are not one class per sample into classes. */
#define ONE_CLASS_HINT "lrsweep trains one class per sample: save y.argmax(axis=1) (NumPy) or y.argmax(dim=1) (PyTorch)"

/* Element i of a one-hot labels array (rows, width): 0, or the row's one
 * 1, whose column is the row's class (as y.argmax(axis=1) finds it). Any
 * other value (soft labels, scores) is an error. */
static int put_hot(sink *s, size_t i, const unsigned char *p)
{
	const npy_file *f = s->f;
	size_t row = f->fortran ? i % s->rows : i / s->width, col = f->fortran ? i / s->rows : i % s->width;
	double v = to_double(f, p);

	if (v == 0)
		return 0;
	if (v != 1)
		return lrs_error_set(LRS_EINVALID, "%s: labels of shape (%zu, %zu) are read as one-hot rows (Keras' "
		                     "to_categorical), but [%zu, %zu] is %g, not 0 or 1: soft labels or scores; "
		                     ONE_CLASS_HINT, f->path, s->rows, s->width, row, col, v);
	s->hot[row] = s->hot[row] == NO_ONE ? (int32_t)col : SEVERAL_ONES;
	return 0;
}

/* The classes of one-hot rows into s->y (the kept ones), each row
 * checked to hold exactly one 1. */
static int take_hot(sink *s)
{
	for (size_t i = 0; i < s->rows; i++) {
		if (s->hot[i] < 0)
			return lrs_error_set(LRS_EINVALID, "%s: labels of shape (%zu, %zu) are read as one-hot rows (Keras' "
			                     "to_categorical), but row %zu has %s: %s; " ONE_CLASS_HINT, s->f->path,
			                     s->rows, s->width, i, s->hot[i] == NO_ONE ? "no 1" : "more than one 1",
			                     s->hot[i] == NO_ONE ? "no class" : "a multi-label row (several classes)");
		if (i < s->keep)
			s->y[i] = s->hot[i];
	}
	return 0;
}

/* The strides in (n, d) of a Fortran-order features array's dimensions:
 * d for the first (a sample), then the C-order strides of the rest. */
static void fortran_strides(sink *s)
{
	const npy_file *f = s->f;

	s->stride[0] = s->d;
	for (int k = f->ndim - 1; k >= 1; k--)
		s->stride[k] = k == f->ndim - 1 ? 1 : s->stride[k + 1] * f->shape[k + 1];
}

/* ---------------------------------------------------------------- load */

int lrs_data_shape_npy(const lrs_data_source *src, size_t *n, size_t *d, size_t *item)
{
	npy_file f = { 0 };
	int rc = npy_open(&f, src, src->features);

	if (rc == 0 && f.ndim >= 1 && f.shape[0] > 0) {
		*n = f.shape[0];
		*d = f.count / f.shape[0];
		*item = f.kind == K_UINT && f.item == 1 ? 1 : sizeof(float);
	}
	rc = rc < 0 || f.ndim < 1 || f.shape[0] == 0 ? -1 : 0;
	npy_close(&f);
	return rc;
}

/* One array's part of the `about` line: its file or member, dtype,
 * shape and order. */
static void describe(char *buf, size_t cap, const npy_file *f, const char *role)
{
	char shape[128];
	const char *name = f->zm ? lrs_npz_name(f->zm) : f->path;
	size_t used = strlen(buf);

	snprintf(buf + used, cap - used, "%s%s %s%s '%s'%s %s%s", buf[used - 1] == ' ' ? "" : "; ", role, name,
	         f->zm ? (lrs_npz_deflated(f->zm) ? " (deflated)" : " (stored)") : f->gzip ? " (gzip)" : "",
	         f->descr, f->item > 1 ? (f->big ? " big-endian" : " little-endian") : "",
	         shape_text(f, shape, sizeof shape),
	         f->fortran ? ", Fortran order (transposed on load)" : f->ndim > 1 ? ", C order" : "");
}

/* Checks the features' and labels' shapes against each other: n samples
 * of s->d features. */
static int check_shapes(const npy_file *fx, const npy_file *fy, sink *s, size_t *n)
{
	char shape[128];

	if (fx->ndim == 0)
		return lrs_error_set(LRS_EINVALID, "%s: features must be an array of samples, (n, ...) or (n,), "
		                     "got a 0-d array (shape ())", fx->path);
	*n = fx->shape[0];
	s->d = *n ? fx->count / *n : 0;
	if (s->d == 0)
		return lrs_error_set(LRS_EINVALID, "%s: no data (shape %s)", fx->path, shape_text(fx, shape, sizeof shape));
	if (!(fy->ndim == 1 || (fy->ndim == 2 && fy->shape[1] >= 1)))
		return lrs_error_set(LRS_EINVALID, "%s: labels must be 1-D (n,), or one-hot rows (n, K), got shape %s",
		                     fy->path, shape_text(fy, shape, sizeof shape));
	s->rows = fy->shape[0];
	s->width = fy->ndim == 2 ? fy->shape[1] : 1;
	if (fy->shape[0] != *n)
		return lrs_error_set(LRS_EINVALID, "%s: %zu labels, but %s has %zu samples", fy->path, fy->shape[0],
		                     fx->path, *n);
	return 0;
}

int lrs_data_load_npy(lrs_split *out, char about[LRS_DATA_ABOUT], const lrs_data_source *src, size_t limit)
{
	npy_file fx = { 0 }, fy = { 0 };
	unsigned char *chunk = NULL;   /* one read of raw elements */
	sink s = { 0 };
	size_t n = 0, xbytes;
	int rc, bytes;

	memset(out, 0, sizeof *out);
	about[0] = '\0';
	if ((rc = npy_open(&fx, src, src->features)) < 0 || (rc = npy_open(&fy, src, src->labels)) < 0 ||
	    (rc = check_shapes(&fx, &fy, &s, &n)) < 0)
		goto done;
	bytes = fx.kind == K_UINT && fx.item == 1;   /* uint8: images, kept as bytes */
	s.keep = limit && limit < n ? limit : n;
	xbytes = s.keep * s.d * (bytes ? 1 : sizeof *s.x);   /* within 4x the verified data size */
	if (!(chunk = malloc(CHUNK_BYTES)) || !(s.y = malloc(s.keep * sizeof *s.y)) ||
	    (bytes ? !(s.x8 = malloc(xbytes)) : !(s.x = malloc(xbytes)))) {
		rc = lrs_error_set(LRS_ENOMEM, "%s: out of memory (%zu bytes)", fx.path, xbytes + s.keep * sizeof *s.y);
		goto done;
	}
	s.f = &fy;
	if (s.width == 1)
		rc = read_elements(&fy, n, chunk, put_label, &s);
	else if (!(s.hot = malloc((n ? n : 1) * sizeof *s.hot)))
		rc = lrs_error_set(LRS_ENOMEM, "%s: out of memory (%zu bytes)", fy.path, n * sizeof *s.hot);
	else {
		for (size_t i = 0; i < n; i++)
			s.hot[i] = NO_ONE;
		if ((rc = read_elements(&fy, fy.count, chunk, put_hot, &s)) == 0)
			rc = take_hot(&s);
	}
	if (rc < 0)
		goto done;
	s.f = &fx;
	if (fx.fortran)
		fortran_strides(&s);
	if ((rc = read_elements(&fx, fx.count, chunk, put_feature, &s)) < 0)
		goto done;

	if (src->format == LRS_DATA_NPZ)
		snprintf(about, LRS_DATA_ABOUT, "npz %s: ", src->path);
	else
		snprintf(about, LRS_DATA_ABOUT, "npy: ");
	describe(about, LRS_DATA_ABOUT, &fx, "features");
	describe(about, LRS_DATA_ABOUT, &fy, "labels");
	if (s.width > 1)
		snprintf(about + strlen(about), LRS_DATA_ABOUT - strlen(about), "; one-hot labels: each row's 1 is its "
		         "class, as y.argmax(axis=1)");
	if (fx.ndim == 1)
		snprintf(about + strlen(about), LRS_DATA_ABOUT - strlen(about), "; 1-D features: one feature per sample");
	out->x = s.x;
	out->x8 = s.x8;
	out->y = s.y;
	out->n = s.keep;
	out->d = s.d;
	if (fx.ndim == 3 || fx.ndim == 4)
		for (int k = 1; k < fx.ndim; k++)
			out->shape[k - 1] = fx.shape[k];
	s.x = NULL;
	s.x8 = NULL;
	s.y = NULL;
done:
	npy_close(&fx);
	npy_close(&fy);
	free(chunk);
	free(s.x);
	free(s.x8);
	free(s.y);
	free(s.hot);
	return rc;
}
