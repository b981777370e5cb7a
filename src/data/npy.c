/* npy.c - NumPy .npy files, format versions 1.0, 2.0 and 3.0: a features
 * array (n, ...) flattened to (n, d) and a labels array (n) or (n, 1).
 *
 * A .npy file is a magic string, a version, a header length (2 bytes in
 * 1.0, 4 in 2.0 and 3.0, little-endian), then a Python dict literal
 *
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (60000, 784), }
 *
 * padded with spaces to a newline, then the raw array. The dict is parsed
 * here, not evaluated: exactly those three keys, string / bool / tuple of
 * integers values. Supported dtypes are the ones datasets come in:
 * little-endian float32, float64, int32, int64 and uint8. The data length
 * must match the shape exactly (checked against the file's size, for
 * overflow too, before anything is allocated). Features must be finite;
 * labels must be non-negative integers (float arrays holding integers are
 * fine). Every value is read and checked; only the first `limit` rows are
 * kept.
 *
 * Not here: big-endian or Fortran-order arrays, structured dtypes, .npz
 * archives, pickled object arrays. */
#include <errno.h>
#include <math.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lrsweep/error.h"
#include "internal.h"

#define NPY_MAGIC      "\x93NUMPY"
#define MAX_HEADER     (1u << 20)  /* longer headers are not NumPy's       */
#define MAX_DIMS       32          /* NumPy's own limit                    */
#define CHUNK_BYTES    (1u << 16)  /* bytes read per fread: 64 KiB         */

typedef enum { T_F4, T_F8, T_U1, T_I4, T_I8 } npy_type;

static const struct {
	const char *descr;
	npy_type type;
	size_t size;
} dtypes[] = {
	{ "<f4", T_F4, 4 }, { "<f8", T_F8, 8 }, { "|u1", T_U1, 1 }, { "<u1", T_U1, 1 },
	{ "<i4", T_I4, 4 }, { "<i8", T_I8, 8 },
};

/* One open .npy file, its header parsed and its length checked. */
typedef struct {
	const char *path;
	FILE *f;
	long long size;          /* bytes on disk                            */
	long long data_off;      /* where the array starts                   */
	char descr[24];          /* the dtype as written                     */
	npy_type type;
	size_t item;             /* bytes per element                        */
	int fortran;             /* fortran_order                            */
	int ndim;
	size_t shape[MAX_DIMS];
	size_t count;            /* elements: the product of the shape       */
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
			return lrs_error_set(LRS_EINVALID, "%s: structured dtype is not supported", f->path);
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

/* Checks the dtype, the order, the size arithmetic and the data length. */
static int check_array(npy_file *f)
{
	size_t bytes;
	unsigned long long have;
	char shape[128];
	size_t i;

	for (i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
		if (strcmp(f->descr, dtypes[i].descr) == 0)
			break;
	if (i == sizeof dtypes / sizeof dtypes[0]) {
		if (f->descr[0] == '>')
			return lrs_error_set(LRS_EINVALID, "%s: big-endian dtype '%s' is not supported "
			                     "(save it as little-endian: a.astype(a.dtype.newbyteorder('<')))",
			                     f->path, f->descr);
		return lrs_error_set(LRS_EINVALID, "%s: dtype '%s' is not supported "
		                     "(float32 '<f4', float64 '<f8', uint8 '|u1', int32 '<i4', int64 '<i8')",
		                     f->path, f->descr);
	}
	f->type = dtypes[i].type;
	f->item = dtypes[i].size;
	if (f->fortran)
		return lrs_error_set(LRS_EINVALID, "%s: Fortran-order arrays are not supported "
		                     "(save np.ascontiguousarray(a))", f->path);

	f->count = 1;
	for (int k = 0; k < f->ndim; k++)
		if (lrs_data_mul(f->count, f->shape[k], &f->count) < 0)
			return lrs_error_set(LRS_EINVALID, "%s: shape %s overflows: its product does not fit in 64 bits",
			                     f->path, shape_text(f, shape, sizeof shape));
	if (lrs_data_mul(f->count, f->item, &bytes) < 0)
		return lrs_error_set(LRS_EINVALID, "%s: shape %s of '%s' overflows: its size does not fit in 64 bits",
		                     f->path, shape_text(f, shape, sizeof shape), f->descr);
	have = (unsigned long long)(f->size - f->data_off);
	if (have < bytes)
		return lrs_error_set(LRS_EINVALID, "%s: truncated: shape %s of '%s' needs %zu bytes of data, the file holds %llu",
		                     f->path, shape_text(f, shape, sizeof shape), f->descr, bytes, have);
	if (have > bytes)
		return lrs_error_set(LRS_EINVALID, "%s: oversized: %llu bytes of data where shape %s of '%s' needs %zu (trailing bytes)",
		                     f->path, have, shape_text(f, shape, sizeof shape), f->descr, bytes);
	return 0;
}

/* Opens `path` and reads and checks its header; the stream is left at the
 * start of the data. `f` is to be closed with npy_close either way. */
static int npy_open(npy_file *f, const char *path)
{
	unsigned char pre[12];
	size_t pre_len, hlen, got;
	struct stat st;
	char *text;
	int fd, rc;

	f->path = path;
	if ((fd = lrs_data_open(path, &st)) < 0)
		return lrs_error_set(LRS_EINVALID, errno == EINVAL ? "%s: not a regular file" : "%s: cannot open (%s)",
		                     path, strerror(errno));
	if (!(f->f = fdopen(fd, "rb"))) {
		close(fd);
		return lrs_error_set(LRS_ENOMEM, "%s: cannot open (%s)", path, strerror(errno));
	}
	f->size = (long long)st.st_size;
	if (f->size == 0)
		return lrs_error_set(LRS_EINVALID, "%s: empty file", path);

	got = fread(pre, 1, 10, f->f);
	if (got < 8 || memcmp(pre, NPY_MAGIC, 6) != 0)
		return lrs_error_set(LRS_EINVALID, "%s: not a .npy file (no \\x93NUMPY magic)", path);
	if (pre[6] < 1 || pre[6] > 3)
		return lrs_error_set(LRS_EINVALID, "%s: .npy format version %d.%d is not supported (1.0, 2.0, 3.0)",
		                     path, pre[6], pre[7]);
	pre_len = pre[6] == 1 ? 10 : 12;
	if (pre_len == 12)
		got += fread(pre + 10, 1, 2, f->f);
	if (got < pre_len)
		return lrs_error_set(LRS_EINVALID, "%s: broken header: the file ends in its length field", path);
	hlen = pre[6] == 1 ? (size_t)pre[8] | (size_t)pre[9] << 8
	                   : (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
	if (hlen > MAX_HEADER)
		return lrs_error_set(LRS_EINVALID, "%s: broken header: its length %zu is over %u bytes", path, hlen, MAX_HEADER);
	if ((unsigned long long)f->size < pre_len + hlen)
		return lrs_error_set(LRS_EINVALID, "%s: broken header: it claims %zu bytes, the file has only %lld",
		                     path, hlen, f->size - (long long)pre_len);
	f->data_off = (long long)(pre_len + hlen);

	if (!(text = malloc(hlen + 1)))
		return lrs_error_set(LRS_ENOMEM, "%s: out of memory (%zu bytes for the header)", path, hlen + 1);
	if (fread(text, 1, hlen, f->f) != hlen) {
		free(text);
		return lrs_error_set(LRS_EINVALID, "%s: read error (%s)", path, strerror(errno));
	}
	text[hlen] = '\0';
	rc = parse_dict(f, text, hlen);
	free(text);
	if (rc < 0)
		return rc;
	return check_array(f);
}

static void npy_close(npy_file *f)
{
	if (f->f)
		fclose(f->f);
	f->f = NULL;
}

/* ----------------------------------------------------------------- data */

static uint64_t le_bits(const unsigned char *p, size_t size)
{
	uint64_t v = 0;

	for (size_t i = size; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* Element `p` of type t as a double. */
static double decode(const unsigned char *p, npy_type t)
{
	uint64_t bits;

	switch (t) {
	case T_F4: {
		uint32_t b = (uint32_t)le_bits(p, 4);
		float v;
		memcpy(&v, &b, sizeof v);
		return v;
	}
	case T_F8: {
		double v;
		bits = le_bits(p, 8);
		memcpy(&v, &bits, sizeof v);
		return v;
	}
	case T_U1:
		return p[0];
	case T_I4:
		return (double)(int32_t)(uint32_t)le_bits(p, 4);
	case T_I8:
		return (double)(int64_t)le_bits(p, 8);
	}
	return 0;
}

/* Reads the next `count` elements through `chunk`, calling back per chunk
 * with the decoded values; shared by features and labels. */
static int read_elements(const npy_file *f, size_t count, unsigned char *chunk,
                         int (*each)(void *ctx, size_t index, double v), void *ctx)
{
	size_t per = CHUNK_BYTES / f->item, done = 0;

	while (done < count) {
		size_t k = count - done < per ? count - done : per;
		int rc;

		if (fread(chunk, f->item, k, f->f) != k)
			return lrs_error_set(LRS_EINVALID, "%s: read error (%s)", f->path,
			                     ferror(f->f) ? strerror(errno) : "the file shrank");
		for (size_t i = 0; i < k; i++)
			if ((rc = each(ctx, done + i, decode(chunk + i * f->item, f->type))) < 0)
				return rc;
		done += k;
	}
	return 0;
}

/* Where read_elements puts features and labels. */
typedef struct {
	const npy_file *f;
	float *x;                /* (keep, d) features, or NULL (x8)          */
	uint8_t *x8;             /* (keep, d) features of a uint8 array       */
	int32_t *y;              /* (keep) labels                             */
	size_t d, keep;
} sink;

static int put_feature(void *ctx, size_t i, double v)
{
	sink *s = ctx;

	if (!isfinite(v) || fabs(v) > FLT_MAX)
		return lrs_error_set(LRS_EINVALID, "%s: element [%zu, %zu] is %s", s->f->path, i / s->d, i % s->d,
		                     isnan(v) ? "NaN" : isinf(v) ? "infinite" : "out of float32 range");
	if (i < s->keep * s->d) {
		if (s->x8)
			s->x8[i] = (uint8_t)v;   /* a uint8 array's element */
		else
			s->x[i] = (float)v;
	}
	return 0;
}

static int put_label(void *ctx, size_t i, double v)
{
	sink *s = ctx;

	if (isnan(v) || v != floor(v))
		return lrs_error_set(LRS_EINVALID, "%s: label at index %zu is not an integer (%g)", s->f->path, i, v);
	if (v < 0)
		return lrs_error_set(LRS_EINVALID, "%s: label at index %zu is negative (%g)", s->f->path, i, v);
	if (v > LRS_DATA_MAX_LABEL)
		return lrs_error_set(LRS_EINVALID, "%s: label at index %zu is too large (%g; at most %d)",
		                     s->f->path, i, v, LRS_DATA_MAX_LABEL);
	if (i < s->keep)
		s->y[i] = (int32_t)v;
	return 0;
}

int lrs_data_shape_npy(const char *features, size_t *n, size_t *d, size_t *item)
{
	npy_file f = { 0 };
	int rc = npy_open(&f, features);

	npy_close(&f);
	if (rc < 0 || f.ndim < 2 || f.shape[0] == 0)
		return -1;
	*n = f.shape[0];
	*d = f.count / f.shape[0];
	*item = f.type == T_U1 ? 1 : sizeof(float);
	return 0;
}

int lrs_data_load_npy(lrs_split *out, const char *features, const char *labels, size_t limit)
{
	npy_file fx = { 0 }, fy = { 0 };
	unsigned char *chunk = NULL;   /* one read of raw elements */
	sink s = { 0 };
	char shape[128];
	size_t n, xbytes;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = npy_open(&fx, features)) < 0 || (rc = npy_open(&fy, labels)) < 0)
		goto done;
	if (fx.ndim < 2) {
		rc = lrs_error_set(LRS_EINVALID, "%s: features must be 2-D or more (n, ...), got shape %s",
		                   features, shape_text(&fx, shape, sizeof shape));
		goto done;
	}
	n = fx.shape[0];
	s.d = n ? fx.count / n : 0;
	if (s.d == 0) {
		rc = lrs_error_set(LRS_EINVALID, "%s: no data (shape %s)", features, shape_text(&fx, shape, sizeof shape));
		goto done;
	}
	if (!(fy.ndim == 1 || (fy.ndim == 2 && fy.shape[1] == 1))) {
		rc = lrs_error_set(LRS_EINVALID, "%s: labels must be 1-D (n,), got shape %s",
		                   labels, shape_text(&fy, shape, sizeof shape));
		goto done;
	}
	if (fy.shape[0] != n) {
		rc = lrs_error_set(LRS_EINVALID, "%s: %zu labels, but %s has %zu samples", labels, fy.shape[0], features, n);
		goto done;
	}
	s.keep = limit && limit < n ? limit : n;
	xbytes = s.keep * s.d * (fx.type == T_U1 ? 1 : sizeof *s.x);   /* within the verified file size * 4 */
	if (!(chunk = malloc(CHUNK_BYTES)) || !(s.y = malloc(s.keep * sizeof *s.y)) ||
	    (fx.type == T_U1 ? !(s.x8 = malloc(xbytes)) : !(s.x = malloc(xbytes)))) {
		rc = lrs_error_set(LRS_ENOMEM, "%s: out of memory (%zu bytes)", features, xbytes + s.keep * sizeof *s.y);
		goto done;
	}
	s.f = &fy;
	if ((rc = read_elements(&fy, n, chunk, put_label, &s)) < 0)
		goto done;
	s.f = &fx;
	if ((rc = read_elements(&fx, n * s.d, chunk, put_feature, &s)) < 0)
		goto done;

	out->x = s.x;
	out->x8 = s.x8;
	out->y = s.y;
	out->n = s.keep;
	out->d = s.d;
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
	return rc;
}
