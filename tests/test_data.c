/* test_data.c - the data module: every loader's good path on small files
 * written here into a temporary directory, the real Fashion-MNIST files
 * (skipped with a message when dataset-fashion-mnist is not installed),
 * the validation split, normalisation, limit, synthetic data, and the
 * malformed corpus of tests/data/bad/ (made by tests/data/make_bad.py,
 * listed in its README.md) where every file must fail with LRS_EINVALID
 * and a message naming the file and the problem.
 *
 * Expected values are written out by hand from the bytes each test writes;
 * none comes from running lrsweep. Paths are relative to the repository's
 * root, where `make unit` runs the suite (BAD_DIR overrides). Every test
 * frees what it loaded, so the suite is clean under valgrind (CK_FORK=no)
 * and ASan. */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "lrsweep/data.h"
#include "lrsweep/rng.h"
#include "lrsweep/error.h"
#include "suites.h"

#ifndef BAD_DIR
#define BAD_DIR "tests/data/bad/"
#define NPY_DIR "tests/data/npy/"   /* NumPy's own files: tests/data/make_npy.py */
#endif
#define FASHION "/usr/share/datasets/fashion-mnist/"

/* ------------------------------------------------------------- fixture */

static char tmpdir[64];   /* this test's scratch directory */

static void make_tmpdir(void)
{
	strcpy(tmpdir, "/tmp/lrsweep-test-data-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	DIR *dir = opendir(tmpdir);
	struct dirent *e;
	char path[512];

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
		unlink(path);
	}
	closedir(dir);
	rmdir(tmpdir);
}

/* ------------------------------------------------------------- writers */

/* The path of `name` in the scratch directory (in one of 8 rotating
 * buffers, so a call can name several files). */
static const char *tmp(const char *name)
{
	static char bufs[8][512];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, 512, "%s/%s", tmpdir, name);
	return b;
}

static const char *write_file(const char *name, const void *data, size_t len)
{
	const char *path = tmp(name);
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static const char *write_text(const char *name, const char *text)
{
	return write_file(name, text, strlen(text));
}

static const char *write_gz(const char *name, const void *data, size_t len)
{
	const char *path = tmp(name);
	gzFile g = gzopen(path, "wb9");

	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(gzwrite(g, data, (unsigned)len), (int)len);
	ck_assert_int_eq(gzclose(g), Z_OK);
	return path;
}

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Writes idx images (n, rows, cols) with pixel (i, j) = (7i + 3j) % 256 and
 * labels i % 10, raw or gzip, as <stem>.idx3[.gz] and <stem>.idx1[.gz]. */
static void write_idx(const char *stem, uint32_t n, uint32_t rows, uint32_t cols, int gz,
                      const char **images, const char **labels)
{
	size_t d = (size_t)rows * cols, ilen = 16 + n * d, llen = 8 + n;
	unsigned char *im = malloc(ilen), *lb = malloc(llen);
	char iname[128], lname[128];

	put_be32(im, 0x803);
	put_be32(im + 4, n);
	put_be32(im + 8, rows);
	put_be32(im + 12, cols);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < d; j++)
			im[16 + i * d + j] = (unsigned char)((7 * i + 3 * j) % 256);
	put_be32(lb, 0x801);
	put_be32(lb + 4, n);
	for (size_t i = 0; i < n; i++)
		lb[8 + i] = (unsigned char)(i % 10);
	snprintf(iname, sizeof iname, "%s.idx3%s", stem, gz ? ".gz" : "");
	snprintf(lname, sizeof lname, "%s.idx1%s", stem, gz ? ".gz" : "");
	*images = gz ? write_gz(iname, im, ilen) : write_file(iname, im, ilen);
	*labels = gz ? write_gz(lname, lb, llen) : write_file(lname, lb, llen);
	free(im);
	free(lb);
}

/* Writes a .npy file of format `version` (1, 2 or 3), its data in
 * Fortran order when `fortran`. */
static const char *write_npy_order(const char *name, int version, const char *descr, int fortran, const char *shape,
                                   const void *data, size_t len)
{
	char head[256];
	unsigned char *buf;
	size_t pre = version == 1 ? 10 : 12, hlen;
	const char *path;

	hlen = (size_t)snprintf(head, sizeof head, "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }",
	                        descr, fortran ? "True" : "False", shape);
	while ((pre + hlen + 1) % 64)
		head[hlen++] = ' ';
	head[hlen++] = '\n';
	buf = malloc(pre + hlen + len);
	memcpy(buf, "\x93NUMPY", 6);
	buf[6] = (unsigned char)version;
	buf[7] = 0;
	for (size_t i = 0; i < pre - 8; i++)
		buf[8 + i] = (unsigned char)(hlen >> (8 * i));
	memcpy(buf + pre, head, hlen);
	memcpy(buf + pre + hlen, data, len);
	path = write_file(name, buf, pre + hlen + len);
	free(buf);
	return path;
}

/* Writes a .npy file of format `version` (1, 2 or 3), C order. */
static const char *write_npy(const char *name, int version, const char *descr, const char *shape,
                             const void *data, size_t len)
{
	return write_npy_order(name, version, descr, 0, shape, data, len);
}

/* ----------------------------------------------------------------- idx */

START_TEST(idx_raw_and_gz)
{
	for (int gz = 0; gz <= 1; gz++) {
		const char *im, *lb;
		lrs_split s;

		write_idx(gz ? "g" : "r", 25, 3, 5, gz, &im, &lb);
		ck_assert_int_eq(lrs_data_load_source(&s, &(lrs_data_source){ .format = LRS_DATA_IDX,
		                                       .images = im, .labels = lb }, 0), 0);
		ck_assert_uint_eq(s.n, 25);
		ck_assert_uint_eq(s.d, 15);
		ck_assert_ptr_null(s.x);   /* images stay bytes */
		for (size_t i = 0; i < 25; i++) {
			ck_assert_int_eq(s.y[i], (int)(i % 10));
			for (size_t j = 0; j < 15; j++)
				ck_assert_int_eq(s.x8[i * 15 + j], (7 * i + 3 * j) % 256);
		}
		lrs_split_free(&s);
		ck_assert_ptr_null(s.x8);
	}
}
END_TEST

/* Bigger than the 16 MiB first buffer of a .gz, so the buffer grows. */
START_TEST(idx_gz_grows_its_buffer)
{
	const char *im, *lb;
	lrs_split s;

	write_idx("big", 5000, 30, 30, 1, &im, &lb);
	ck_assert_int_eq(lrs_data_load_source(&s, &(lrs_data_source){ .format = LRS_DATA_IDX,
	                                       .images = im, .labels = lb }, 0), 0);
	ck_assert_uint_eq(s.n, 5000);
	ck_assert_int_eq(s.x8[4999 * 900 + 899], (7 * 4999 + 3 * 899) % 256);
	lrs_split_free(&s);
}
END_TEST

/* The digest of a dataset follows its data: the same load gives the same
 * digest, another seed (another split and spiral) or one label changed
 * another one. */
START_TEST(digest_follows_the_data)
{
	lrs_data_config cfg = { .normalize = LRS_NORM_STANDARDIZE, .validation = 0.2, .seed = 4 };
	lrs_dataset *a, *b;
	char da[LRS_SHA256_HEX_SIZE], db[LRS_SHA256_HEX_SIZE];

	cfg.train = (lrs_data_source){ .format = LRS_DATA_SYNTHETIC, .kind = "spirals", .samples = 200, .classes = 3,
	                               .noise = 0.2 };
	ck_assert_int_eq(lrs_dataset_load(&a, &cfg), 0);
	ck_assert_int_eq(lrs_dataset_load(&b, &cfg), 0);
	lrs_dataset_digest(da, a);
	lrs_dataset_digest(db, b);
	ck_assert_uint_eq(strlen(da), 64);
	ck_assert_str_eq(da, db);
	b->val.y[3] = (b->val.y[3] + 1) % 3;   /* one label of the validation split */
	lrs_dataset_digest(db, b);
	ck_assert_str_ne(da, db);
	lrs_dataset_free(b);
	cfg.seed = 5;
	ck_assert_int_eq(lrs_dataset_load(&b, &cfg), 0);
	lrs_dataset_digest(db, b);
	ck_assert_str_ne(da, db);
	lrs_dataset_free(a);
	lrs_dataset_free(b);
}
END_TEST

/* limit keeps the first rows; the rest of the file is still checked. */
START_TEST(idx_limit)
{
	const char *im, *lb;
	lrs_data_config cfg = { .normalize = LRS_NORM_NONE, .limit = 7 };
	lrs_dataset *ds;

	write_idx("l", 40, 2, 2, 1, &im, &lb);
	cfg.train = (lrs_data_source){ .format = LRS_DATA_IDX, .images = im, .labels = lb };
	ck_assert_int_eq(lrs_dataset_load(&ds, &cfg), 0);
	ck_assert_uint_eq(ds->train.n, 7);
	ck_assert_int_eq(ds->classes, 7);   /* labels 0..6 */
	for (size_t i = 0; i < 7; i++) {
		float row[4];

		lrs_split_row(&ds->train, i, row);
		ck_assert_int_eq(ds->train.y[i], (int)i);
		ck_assert_float_eq(row[3], (float)((7 * i + 9) % 256));
	}
	lrs_dataset_free(ds);
}
END_TEST

/* A limit below the file's count when the images span several 256 KiB
 * read chunks: the reader goes on past the kept bytes to check the rest
 * (it used to loop forever there, raw and gzip alike; the suite's
 * timeout turns a regression into a failure). */
START_TEST(idx_limit_past_the_first_chunk)
{
	for (int gz = 0; gz <= 1; gz++) {
		const char *im, *lb;
		lrs_data_config cfg = { .normalize = LRS_NORM_NONE, .limit = 20 };
		lrs_dataset *ds = NULL;
		float row[784];

		write_idx(gz ? "cg" : "cr", 1000, 28, 28, gz, &im, &lb);   /* 784,000 bytes */
		cfg.train = (lrs_data_source){ .format = LRS_DATA_IDX, .images = im, .labels = lb };
		ck_assert_msg(lrs_dataset_load(&ds, &cfg) == 0, "%s", lrs_error_last());
		ck_assert_uint_eq(ds->train.n, 20);
		ck_assert_int_eq(ds->classes, 10);
		lrs_split_row(&ds->train, 19, row);
		ck_assert_int_eq(ds->train.y[19], 9);
		ck_assert_float_eq(row[783], (float)((7 * 19 + 3 * 783) % 256));
		lrs_dataset_free(ds);
	}
}
END_TEST

START_TEST(idx_wrong_kind_and_missing)
{
	const char *im, *lb;
	lrs_split s;

	write_idx("k", 4, 2, 2, 0, &im, &lb);
	ck_assert_int_eq(lrs_data_load_source(&s, &(lrs_data_source){ .format = LRS_DATA_IDX,
	                                       .images = lb, .labels = im }, 0), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "idx labels file where images were expected"));
	ck_assert_int_eq(lrs_data_load_source(&s, &(lrs_data_source){ .format = LRS_DATA_IDX,
	                                       .images = tmp("none.idx3"), .labels = lb }, 0), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "none.idx3: cannot open"));
	ck_assert_ptr_null(s.x);
}
END_TEST

/* ----------------------------------------------------------------- csv */

static lrs_split load_csv_ok(const char *path, const char *label, int header)
{
	lrs_split s;
	int rc = lrs_data_load_source(&s, &(lrs_data_source){ .format = LRS_DATA_CSV, .path = path,
	                                    .label = label, .header = header }, 0);

	ck_assert_msg(rc == 0, "%s", lrs_error_last());
	return s;
}

START_TEST(csv_label_forms_and_header)
{
	/* a quoted header name, CRLF, a label written 2.0, blank lines at the end */
	const char *p = write_text("h.csv", "a,b,\"lab\",c\r\n1,2,0,3\r\n4,5,1,6\r\n7,8,2.0,9\r\n\r\n\n");
	static const struct { const char *label; int header; float x0[3]; int32_t y2; } cases[] = {
		{ "lab", -1, { 1, 2, 3 }, 2 },   /* by name, header detected     */
		{ "2",    1, { 1, 2, 3 }, 2 },   /* 0-based index, header given  */
		{ "first", -1, { 2, 0, 3 }, 7 },
		{ "last", -1, { 1, 2, 0 }, 9 },
		{ NULL,   -1, { 1, 2, 0 }, 9 },  /* default last                 */
		{ "b",   -1, { 1, 0, 3 }, 8 },
	};

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		lrs_split s = load_csv_ok(p, cases[k].label, cases[k].header);

		ck_assert_uint_eq(s.n, 3);
		ck_assert_uint_eq(s.d, 3);
		for (int j = 0; j < 3; j++)
			ck_assert_float_eq(s.x[j], cases[k].x0[j]);
		ck_assert_int_eq(s.y[2], cases[k].y2);
		lrs_split_free(&s);
	}
}
END_TEST

START_TEST(csv_without_header)
{
	const char *p = write_text("n.csv", "\xEF\xBB\xBF" "0.5, -1e-3 ,3\n2,1e2,0");
	lrs_split s = load_csv_ok(p, "last", -1);

	ck_assert_uint_eq(s.n, 2);
	ck_assert_float_eq(s.x[0], 0.5f);
	ck_assert_float_eq(s.x[1], -1e-3f);
	ck_assert_float_eq(s.x[3], 100.0f);
	ck_assert_int_eq(s.y[0], 3);
	ck_assert_int_eq(s.y[1], 0);
	lrs_split_free(&s);

	s = load_csv_ok(p, "2", 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_int_eq(s.y[0], 3);
	lrs_split_free(&s);

	/* header 1 on a numeric first row: it is taken as names */
	s = load_csv_ok(p, "last", 1);
	ck_assert_uint_eq(s.n, 1);
	lrs_split_free(&s);
}
END_TEST

START_TEST(csv_label_column_errors)
{
	lrs_split s;
	static const struct { const char *file, *label, *frag; } cases[] = {
		{ "l.csv", "3", "label column 3 is out of range" },
		{ "l.csv", "label", "is a name, but the file has no header row" },
		{ "lh.csv", "z", "no column named 'z'" },
	};

	write_text("l.csv", "1,2,0\n3,4,1\n");
	write_text("lh.csv", "x,y,label\n1,2,0\n");
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		const char *path = tmp(cases[k].file);
		int rc = lrs_data_load_source(&s, &(lrs_data_source){ .format = LRS_DATA_CSV, .path = path,
		                                    .label = cases[k].label, .header = -1 }, 0);

		ck_assert_int_eq(rc, LRS_EINVALID);
		ck_assert_ptr_nonnull(strstr(lrs_error_last(), path));
		ck_assert_msg(strstr(lrs_error_last(), cases[k].frag), "%s", lrs_error_last());
	}
}
END_TEST

/* ----------------------------------------------------------------- npy */

/* The 24 values 0, 1, ..., 23 (shape (4, 2, 3)) as `descr`, in this
 * machine's byte order (the test assumes little-endian, as .npy's '<'). */
static size_t encode(const char *descr, unsigned char *buf)
{
	size_t size = (size_t)(descr[2] - '0');

	for (int i = 0; i < 24; i++) {
		float f = (float)i;
		double d = i;
		int32_t l = i;
		int64_t q = i;
		uint8_t b = (uint8_t)i;
		const void *v = descr[1] == 'f' ? (size == 4 ? (const void *)&f : (const void *)&d)
		              : descr[1] == 'i' ? (size == 4 ? (const void *)&l : (const void *)&q)
		              : (const void *)&b;

		memcpy(buf + (size_t)i * size, v, size);
	}
	return 24 * size;
}

START_TEST(npy_dtypes_and_versions)
{
	static const char *const descrs[] = { "<f4", "<f8", "|u1", "<u1", "<i4", "<i8" };
	unsigned char xb[192], yb[192];   /* 24 values of up to 8 bytes */

	for (int v = 1; v <= 3; v++)
		for (size_t t = 0; t < 6; t++) {
			char fx[32], fy[32];
			size_t lx = encode(descrs[t], xb), ly;
			const char *px, *py;
			lrs_split s;
			int rc;

			/* labels: the first 4 of 0..23, in a dtype cycling through the list */
			ly = encode(descrs[(t + 1) % 6], yb) / 6;
			snprintf(fx, sizeof fx, "x%d%zu.npy", v, t);
			snprintf(fy, sizeof fy, "y%d%zu.npy", v, t);
			px = write_npy(fx, v, descrs[t], "(4, 2, 3)", xb, lx);
			py = write_npy(fy, v, descrs[(t + 1) % 6], "(4,)", yb, ly);
			rc = lrs_data_load_source(&s, &(lrs_data_source){ .format = LRS_DATA_NPY,
			                                 .features = px, .labels = py }, 0);
			ck_assert_msg(rc == 0, "%s", lrs_error_last());
			ck_assert_uint_eq(s.n, 4);
			ck_assert_uint_eq(s.d, 6);
			/* uint8 stays bytes, the rest becomes float32 */
			ck_assert(strstr(descrs[t], "u1") ? s.x8 && !s.x : s.x && !s.x8);
			for (size_t i = 0; i < 4; i++) {
				float row[6];

				lrs_split_row(&s, i, row);
				for (size_t j = 0; j < 6; j++)
					ck_assert_float_eq(row[j], (float)(6 * i + j));
			}
			for (int i = 0; i < 4; i++)
				ck_assert_int_eq(s.y[i], i);
			lrs_split_free(&s);
		}
}
END_TEST

START_TEST(npy_labels_column_vector)
{
	float x[6] = { 1, 2, 3, 4, 5, 6 };
	double y[3] = { 2, 0, 1 };
	const char *px = write_npy("x.npy", 1, "<f4", "(3, 2)", x, sizeof x);
	const char *py = write_npy("y.npy", 1, "<f8", "(3, 1)", y, sizeof y);
	lrs_split s;

	ck_assert_int_eq(lrs_data_load_source(&s, &(lrs_data_source){ .format = LRS_DATA_NPY,
	                                       .features = px, .labels = py }, 0), 0);
	ck_assert_int_eq(s.y[0], 2);
	ck_assert_float_eq(s.x[5], 6.0f);
	lrs_split_free(&s);
}
END_TEST

static lrs_dataset *load_ok(const lrs_data_config *cfg);

/* Loads arrays `x` and `y` of archive `path` (format npz). */
static lrs_split load_npz(const char *path, const char *x, const char *y)
{
	lrs_split s;
	int rc = lrs_data_load_source(&s, &(lrs_data_source){ .format = LRS_DATA_NPZ, .path = path,
	                                     .features = x, .labels = y }, 0);

	ck_assert_msg(rc == 0, "%s %s %s: %s", path, x, y, lrs_error_last());
	return s;
}

/* Every dtype NumPy writes, in both byte orders and both memory orders,
 * becomes bitwise the float32 rows NumPy's a.reshape(n, -1).astype(
 * np.float32) makes of it (ref_D, stored as '<f4': the reader's oldest
 * path); uint8 stays bytes. 42 arrays, from NumPy itself. */
START_TEST(npy_every_dtype_as_numpy_converts)
{
	static const char *const dtypes[] = { "f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1" };
	const char *npz = NPY_DIR "dtypes.npz";
	int loaded = 0;

	for (size_t t = 0; t < sizeof dtypes / sizeof dtypes[0]; t++) {
		const char *d = dtypes[t];
		int one_byte = d[1] == '1', is_bool = d[0] == 'b';
		char key[32], ykey[32];
		lrs_split ref;

		snprintf(key, sizeof key, "ref_%s", d);
		snprintf(ykey, sizeof ykey, "y_%s_le", d);
		ref = load_npz(npz, key, ykey);
		ck_assert_ptr_nonnull(ref.x);
		for (int o = 0; o < (one_byte ? 1 : 2); o++)
			for (int m = 0; m < 2; m++) {
				lrs_split s;

				snprintf(key, sizeof key, "x_%s_%s_%s", d, o ? "be" : "le", m ? "f" : "c");
				snprintf(ykey, sizeof ykey, "y_%s_%s", d, o ? "be" : "le");
				s = load_npz(npz, key, ykey);
				ck_assert_uint_eq(s.n, 3);
				ck_assert_uint_eq(s.d, 4);
				ck_assert_msg(strcmp(d, "u1") == 0 ? s.x8 && !s.x : s.x && !s.x8, "%s: bytes or floats", key);
				for (size_t i = 0; i < 12; i++) {
					float v = s.x8 ? (float)s.x8[i] : s.x[i];
					ck_assert_msg(memcmp(&v, &ref.x[i], sizeof v) == 0, "%s element %zu: %.9g, NumPy %.9g",
					              key, i, (double)v, (double)ref.x[i]);
				}
				ck_assert_int_eq(s.y[0], is_bool ? 1 : 2);
				ck_assert_int_eq(s.y[1], 0);
				ck_assert_int_eq(s.y[2], 1);
				lrs_split_free(&s);
				loaded++;
			}
		lrs_split_free(&ref);
	}
	ck_assert_int_eq(loaded, 42);
}
END_TEST

/* The same big-endian Fortran-order array as a .npy file, gzip-compressed
 * (found by content) and in an archive written with data descriptors:
 * arange(-6, 6).reshape(3, 2, 2) / 4, read back as its C-order rows. */
START_TEST(npy_containers_read_the_same)
{
	const lrs_data_source srcs[] = {
		{ .format = LRS_DATA_NPY, .features = NPY_DIR "x-f8-be-f.npy", .labels = NPY_DIR "y-i2-be.npy" },
		{ .format = LRS_DATA_NPY, .features = NPY_DIR "x-f8-be-f.npy.gz", .labels = NPY_DIR "y-i2-be.npy" },
		{ .format = LRS_DATA_NPZ, .path = NPY_DIR "descriptor.npz", .features = "x_train", .labels = "y_train" },
	};

	for (size_t k = 0; k < sizeof srcs / sizeof srcs[0]; k++) {
		lrs_split s;
		int rc = lrs_data_load_source(&s, &srcs[k], 0);

		ck_assert_msg(rc == 0, "%zu: %s", k, lrs_error_last());
		ck_assert_uint_eq(s.n, 3);
		ck_assert_uint_eq(s.d, 4);
		for (size_t i = 0; i < 12; i++)
			ck_assert_float_eq(s.x[i], (float)((double)i - 6) / 4);
		ck_assert_int_eq(s.y[0], 2);
		ck_assert_int_eq(s.y[2], 1);
		lrs_split_free(&s);
	}
}
END_TEST

/* A 1-D features array is one feature per sample (its reshape(-1, 1));
 * a limit keeps the first rows of a Fortran-order array too. */
START_TEST(npy_one_feature_and_limit)
{
	lrs_split s;
	int rc = lrs_data_load_source(&s, &(lrs_data_source){ .format = LRS_DATA_NPY,
	                                     .features = NPY_DIR "one-feature.npy", .labels = NPY_DIR "y-i2-be.npy" }, 0);

	ck_assert_msg(rc == 0, "%s", lrs_error_last());
	ck_assert_uint_eq(s.n, 3);
	ck_assert_uint_eq(s.d, 1);
	ck_assert_float_eq(s.x[0], 0.5f);
	ck_assert_float_eq(s.x[1], -1.0f);
	ck_assert_float_eq(s.x[2], 2.0f);
	lrs_split_free(&s);

	lrs_data_config cfg = { .train = { .format = LRS_DATA_NPY, .features = NPY_DIR "x-f8-be-f.npy",
	                                   .labels = NPY_DIR "y-i2-be.npy" },
	                        .normalize = LRS_NORM_NONE, .limit = 2 };
	lrs_dataset *ds = load_ok(&cfg);
	ck_assert_uint_eq(ds->train.n, 2);
	for (size_t i = 0; i < 8; i++)
		ck_assert_float_eq(ds->train.x[i], (float)((double)i - 6) / 4);
	ck_assert_ptr_nonnull(ds->read_train);
	ck_assert_msg(strstr(ds->read_train, "'>f8' big-endian (3, 2, 2), Fortran order (transposed on load)"), "%s",
	              ds->read_train);
	lrs_dataset_free(ds);
}
END_TEST

/* Train and test from one archive laid out as Keras' mnist.npz
 * (np.savez_compressed, uint8): bytes stay bytes, scaled by default. */
START_TEST(npz_train_and_test_from_one_archive)
{
	lrs_data_config cfg = {
		.train = { .format = LRS_DATA_NPZ, .path = NPY_DIR "mnist-like.npz", .features = "x_train", .labels = "y_train" },
		.test = { .format = LRS_DATA_NPZ, .path = NPY_DIR "mnist-like.npz", .features = "x_test", .labels = "y_test" },
		.has_test = 1, .normalize = LRS_NORM_AUTO,
	};
	lrs_dataset *ds = load_ok(&cfg);

	ck_assert_uint_eq(ds->train.n, 3);
	ck_assert_uint_eq(ds->test.n, 2);
	ck_assert_uint_eq(ds->features, 4);
	ck_assert_ptr_nonnull(ds->train.x8);
	ck_assert_int_eq(ds->normalize, LRS_NORM_SCALE);
	ck_assert_int_eq(ds->classes, 3);
	ck_assert_int_eq(ds->test.x8[0], (12 * 37) % 256);   /* pixel 12, the test split's first */
	ck_assert_msg(strstr(ds->read_test, "x_test.npy (deflated) '|u1' (2, 2, 2), C order"), "%s", ds->read_test);
	lrs_dataset_free(ds);
}
END_TEST

/* ----------------------------------------------------------- synthetic */

static lrs_split synth(const char *kind, size_t samples, int classes, size_t dims, uint64_t seed)
{
	lrs_split s;
	int rc = lrs_data_load_source(&s, &(lrs_data_source){ .format = LRS_DATA_SYNTHETIC, .kind = kind,
	                                    .samples = samples, .classes = classes, .dims = dims,
	                                    .noise = NAN /* the default */ }, seed);

	ck_assert_msg(rc == 0, "%s", lrs_error_last());
	return s;
}

START_TEST(synthetic_shapes_and_determinism)
{
	static const struct { const char *kind; int classes; size_t dims, d; int top; } cases[] = {
		{ "spirals", 0, 0, 2, 2 }, { "spirals", 5, 2, 2, 4 },
		{ "blobs", 0, 0, 2, 2 },   { "blobs", 4, 7, 7, 3 },
		{ "xor", 0, 0, 2, 1 },     { "xor", 2, 2, 2, 1 },
	};

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		lrs_split a = synth(cases[k].kind, 1000, cases[k].classes, cases[k].dims, 7);
		lrs_split b = synth(cases[k].kind, 1000, cases[k].classes, cases[k].dims, 7);
		lrs_split c = synth(cases[k].kind, 1000, cases[k].classes, cases[k].dims, 8);
		int top = 0, finite = 1;

		ck_assert_uint_eq(a.n, 1000);
		ck_assert_uint_eq(a.d, cases[k].d);
		ck_assert_int_eq(memcmp(a.x, b.x, a.n * a.d * sizeof *a.x), 0);
		ck_assert_int_eq(memcmp(a.y, b.y, a.n * sizeof *a.y), 0);
		ck_assert_int_ne(memcmp(a.x, c.x, a.n * a.d * sizeof *a.x), 0);
		for (size_t i = 0; i < a.n; i++) {
			ck_assert_int_ge(a.y[i], 0);
			top = a.y[i] > top ? a.y[i] : top;
			for (size_t j = 0; j < a.d; j++)
				finite &= isfinite(a.x[i * a.d + j]) != 0;
		}
		ck_assert_int_eq(top, cases[k].top);
		ck_assert(finite);
		lrs_split_free(&a);
		lrs_split_free(&b);
		lrs_split_free(&c);
	}
}
END_TEST

START_TEST(synthetic_xor_quadrants)
{
	lrs_split s = synth("xor", 2000, 0, 0, 3);
	size_t agree = 0;

	for (size_t i = 0; i < s.n; i++)
		agree += ((s.x[2 * i] < 0) != (s.x[2 * i + 1] < 0)) == s.y[i];
	/* noise 0.1 flips only points within ~0.1 of an axis */
	ck_assert_uint_gt(agree, 1700);
	ck_assert_uint_lt(agree, 2000);
	lrs_split_free(&s);
}
END_TEST

START_TEST(synthetic_errors)
{
	static const struct { lrs_data_source src; const char *frag; } cases[] = {
		{ { .format = LRS_DATA_SYNTHETIC, .kind = "moons", .samples = 10 }, "unknown kind 'moons'" },
		{ { .format = LRS_DATA_SYNTHETIC, .kind = "xor", .samples = 10, .classes = 3 }, "xor has 2" },
		{ { .format = LRS_DATA_SYNTHETIC, .kind = "spirals", .samples = 0 }, "samples must be" },
		{ { .format = LRS_DATA_SYNTHETIC, .kind = "spirals", .samples = 10, .dims = 3 }, "are 2-D" },
		{ { .format = LRS_DATA_SYNTHETIC, .kind = "blobs", .samples = 10, .classes = 1 }, "must be 2 to" },
		{ { .format = LRS_DATA_SYNTHETIC, .kind = "blobs", .samples = 10, .noise = -1 }, "noise -1" },
	};

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		lrs_split s;

		ck_assert_int_eq(lrs_data_load_source(&s, &cases[k].src, 1), LRS_EINVALID);
		ck_assert_msg(strstr(lrs_error_last(), cases[k].frag), "%s", lrs_error_last());
		ck_assert_ptr_null(s.x);
	}
}
END_TEST

/* ------------------------------------------------------------- dataset */

/* A csv of n rows "i, i % 7 * 0.5, i % 3": feature 0 tells the row. */
static const char *write_rows(const char *name, size_t n)
{
	char *text = malloc(n * 40 + 1), *p = text;
	const char *path;

	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%zu,%g,%zu\n", i, (double)(i % 7) * 0.5, i % 3);
	path = write_file(name, text, (size_t)(p - text));
	free(text);
	return path;
}

static lrs_data_config csv_config(const char *path, double validation, lrs_normalize norm, uint64_t seed)
{
	return (lrs_data_config){
		.train = { .format = LRS_DATA_CSV, .path = path, .label = "last", .header = -1 },
		.validation = validation, .normalize = norm, .seed = seed,
	};
}

static lrs_dataset *load_ok(const lrs_data_config *cfg)
{
	lrs_dataset *ds = NULL;
	int rc = lrs_dataset_load(&ds, cfg);

	ck_assert_msg(rc == 0, "%s", lrs_error_last());
	return ds;
}

START_TEST(split_sizes_and_determinism)
{
	const char *p = write_rows("r.csv", 1000);
	lrs_data_config cfg = csv_config(p, 0.15, LRS_NORM_NONE, 11);
	lrs_dataset *a = load_ok(&cfg), *b = load_ok(&cfg), *c;
	char seen[1000] = { 0 };

	ck_assert_uint_eq(a->val.n, 150);
	ck_assert_uint_eq(a->train.n, 850);
	ck_assert_uint_eq(a->test.n, 0);
	ck_assert_ptr_null(a->test.x);
	ck_assert_uint_eq(a->features, 2);
	ck_assert_int_eq(a->classes, 3);
	ck_assert(isnan(a->norm_a));
	/* same seed: the same rows in the same places */
	ck_assert_int_eq(memcmp(a->val.x, b->val.x, 150 * 2 * sizeof(float)), 0);
	ck_assert_int_eq(memcmp(a->train.y, b->train.y, 850 * sizeof(int32_t)), 0);
	/* every row exactly once, labels still with their rows */
	for (size_t i = 0; i < 1000; i++) {
		const lrs_split *s = i < 150 ? &a->val : &a->train;
		size_t r = i < 150 ? i : i - 150, row = (size_t)s->x[2 * r];

		ck_assert_int_eq(seen[row], 0);
		seen[row] = 1;
		ck_assert_int_eq(s->y[r], (int)(row % 3));
		ck_assert_float_eq(s->x[2 * r + 1], (float)(row % 7) * 0.5f);
	}
	/* another seed: another split */
	cfg.seed = 12;
	c = load_ok(&cfg);
	ck_assert_int_ne(memcmp(a->val.x, c->val.x, 150 * 2 * sizeof(float)), 0);
	lrs_dataset_free(a);
	lrs_dataset_free(b);
	lrs_dataset_free(c);
	lrs_dataset_free(NULL);
}
END_TEST

START_TEST(split_without_validation_keeps_order)
{
	const char *p = write_rows("r.csv", 10);
	lrs_data_config cfg = csv_config(p, 0, LRS_NORM_NONE, 1);
	lrs_dataset *ds = load_ok(&cfg);

	ck_assert_uint_eq(ds->val.n, 0);
	ck_assert_ptr_null(ds->val.x);
	ck_assert_uint_eq(ds->train.n, 10);
	for (size_t i = 0; i < 10; i++)
		ck_assert_float_eq(ds->train.x[2 * i], (float)i);
	lrs_dataset_free(ds);
}
END_TEST

START_TEST(limit_takes_the_first_rows)
{
	const char *p = write_rows("r.csv", 100);
	lrs_data_config cfg = csv_config(p, 0.2, LRS_NORM_NONE, 5);
	lrs_dataset *ds;

	cfg.limit = 30;
	ds = load_ok(&cfg);
	ck_assert_uint_eq(ds->val.n, 6);
	ck_assert_uint_eq(ds->train.n, 24);
	for (size_t i = 0; i < 24; i++)
		ck_assert_float_lt(ds->train.x[2 * i], 30.0f);
	lrs_dataset_free(ds);
	cfg.limit = 1000;   /* more than there is: all */
	ds = load_ok(&cfg);
	ck_assert_uint_eq(ds->train.n + ds->val.n, 100);
	lrs_dataset_free(ds);
}
END_TEST

/* Scale: min and max over every feature of the training rows only,
 * applied to every split. */
/* A range whose factor, rounded to float, would take the maximum to
 * 1.0000001: the factor steps down a ulp and the split stays in [0, 1]. */
START_TEST(scale_never_passes_one)
{
	const char *p = write_text("edge.csv", "-3.5207796,0\n78.45993,1\n1.0,2\n");
	lrs_data_config cfg = csv_config(p, 0, LRS_NORM_SCALE, 1);
	lrs_dataset *ds = load_ok(&cfg);
	float hi = 78.45993f - -3.5207796f;

	ck_assert(hi * (float)(1.0 / (78.45993 - -3.5207796)) > 1.0f);   /* the unguarded factor */
	ck_assert_float_eq(ds->train.x[0], 0.0f);
	ck_assert(ds->train.x[1] <= 1.0f && ds->train.x[1] >= nextafterf(1.0f, 0.0f));
	ck_assert_double_eq(ds->norm_b, nextafterf((float)(1.0 / ((double)78.45993f - (double)-3.5207796f)), 0.0f));
	lrs_dataset_free(ds);
}
END_TEST

START_TEST(scale_uses_train_only)
{
	const char *p = write_rows("r.csv", 40);
	const char *t = write_text("t.csv", "-10,1,0\n50,2,1\n");
	lrs_data_config cfg = csv_config(p, 0.5, LRS_NORM_SCALE, 3);
	lrs_dataset *ds, *raw;
	float lo = INFINITY, hi = -INFINITY, all_lo, all_hi;

	cfg.test = (lrs_data_source){ .format = LRS_DATA_CSV, .path = t, .header = -1 };
	cfg.has_test = 1;
	ds = load_ok(&cfg);
	cfg.normalize = LRS_NORM_NONE;
	raw = load_ok(&cfg);   /* the same split, unnormalised */
	for (size_t i = 0; i < raw->train.n * 2; i++) {
		lo = fminf(lo, raw->train.x[i]);
		hi = fmaxf(hi, raw->train.x[i]);
	}
	all_lo = lo;
	all_hi = hi;
	for (size_t i = 0; i < raw->val.n * 2; i++) {
		all_lo = fminf(all_lo, raw->val.x[i]);
		all_hi = fmaxf(all_hi, raw->val.x[i]);
	}
	/* with seed 3 the validation rows widen the range: the test can tell */
	ck_assert(all_lo < lo || all_hi > hi);
	ck_assert_double_eq(ds->norm_a, lo);
	ck_assert_double_eq(ds->norm_b, (float)(1.0 / (hi - lo)));
	for (size_t i = 0; i < ds->train.n * 2; i++) {
		ck_assert_float_ge(ds->train.x[i], 0.0f);
		ck_assert_float_le(ds->train.x[i], 1.0f);
	}
	for (size_t i = 0; i < ds->val.n * 2; i++)
		ck_assert_float_eq_tol(ds->val.x[i], (float)((raw->val.x[i] - lo) / (hi - lo)), 1e-6);
	ck_assert_float_eq_tol(ds->test.x[0], (float)((-10 - lo) / (hi - lo)), 1e-6);
	ck_assert_float_eq_tol(ds->test.x[2], (float)((50 - lo) / (hi - lo)), 1e-6);
	lrs_dataset_free(ds);
	lrs_dataset_free(raw);
}
END_TEST

/* Standardize: per-feature mean and population std of the training rows. */
START_TEST(standardize_uses_train_only)
{
	const char *p = write_rows("r.csv", 200);
	const char *t = write_text("t.csv", "100,1.5,0\n");
	lrs_data_config cfg = csv_config(p, 0.3, LRS_NORM_STANDARDIZE, 9);
	lrs_dataset *raw, *ds;
	double mean[2] = { 0, 0 }, sd[2] = { 0, 0 };

	cfg.test = (lrs_data_source){ .format = LRS_DATA_CSV, .path = t, .header = -1 };
	cfg.has_test = 1;
	ds = load_ok(&cfg);
	cfg.normalize = LRS_NORM_NONE;
	raw = load_ok(&cfg);   /* the same split, unnormalised */
	for (size_t i = 0; i < raw->train.n; i++)
		for (int j = 0; j < 2; j++)
			mean[j] += raw->train.x[2 * i + j] / (double)raw->train.n;
	for (size_t i = 0; i < raw->train.n; i++)
		for (int j = 0; j < 2; j++)
			sd[j] += pow(raw->train.x[2 * i + j] - mean[j], 2) / (double)raw->train.n;
	for (int j = 0; j < 2; j++) {
		double m = 0, v = 0;

		sd[j] = sqrt(sd[j]);
		for (size_t i = 0; i < ds->train.n; i++)
			m += ds->train.x[2 * i + j] / (double)ds->train.n;
		for (size_t i = 0; i < ds->train.n; i++)
			v += pow(ds->train.x[2 * i + j] - m, 2) / (double)ds->train.n;
		ck_assert_double_lt(fabs(m), 1e-6);
		ck_assert_double_lt(fabs(v - 1), 1e-5);
		for (size_t i = 0; i < ds->val.n; i++)
			ck_assert_float_eq_tol(ds->val.x[2 * i + j], (float)((raw->val.x[2 * i + j] - mean[j]) / sd[j]), 1e-5);
	}
	ck_assert_float_eq_tol(ds->test.x[0], (float)((100 - mean[0]) / sd[0]), 1e-5);
	ck_assert_float_eq_tol(ds->test.x[1], (float)((1.5 - mean[1]) / sd[1]), 1e-5);
	ck_assert(isnan(ds->norm_b));
	lrs_dataset_free(ds);
	lrs_dataset_free(raw);
}
END_TEST

/* A constant feature: scale and standardize leave it finite. */
START_TEST(constant_features_are_guarded)
{
	const char *p = write_text("c.csv", "5,5,0\n5,5,1\n5,5,0\n5,5,1\n");
	lrs_data_config cfg = csv_config(p, 0, LRS_NORM_SCALE, 1);
	lrs_dataset *ds = load_ok(&cfg);

	ck_assert_double_eq(ds->norm_b, 1.0);
	ck_assert_float_eq(ds->train.x[0], 0.0f);
	lrs_dataset_free(ds);
	cfg.normalize = LRS_NORM_STANDARDIZE;
	ds = load_ok(&cfg);
	ck_assert_float_eq(ds->train.x[3], 0.0f);
	lrs_dataset_free(ds);
}
END_TEST

START_TEST(classes_over_all_splits)
{
	const char *p = write_text("a.csv", "1,0\n2,1\n3,0\n");
	const char *t = write_text("b.csv", "1,4\n");
	const char *wide = write_text("w.csv", "1,2,4\n");
	const char *one = write_text("o.csv", "1,0\n2,0\n");
	lrs_data_config cfg = csv_config(p, 0, LRS_NORM_NONE, 1);
	lrs_dataset *ds;

	ds = load_ok(&cfg);
	ck_assert_int_eq(ds->classes, 2);
	ck_assert_int_eq(ds->labels, LRS_LABELS_AS_GIVEN);
	ck_assert_ptr_null(ds->class_names);
	lrs_dataset_free(ds);
	/* the test split's label 4 is a class too; labels 0, 1, 4 are not
	 * 0 .. K-1, so they become classes 0, 1, 2 (it used to make 5
	 * classes, two of them empty) */
	cfg.test = (lrs_data_source){ .format = LRS_DATA_CSV, .path = t, .header = -1 };
	cfg.has_test = 1;
	ds = load_ok(&cfg);
	ck_assert_int_eq(ds->classes, 3);
	ck_assert_int_eq(ds->labels, LRS_LABELS_NUMBERS);
	ck_assert_str_eq(ds->class_names[0], "0");
	ck_assert_str_eq(ds->class_names[1], "1");
	ck_assert_str_eq(ds->class_names[2], "4");
	ck_assert_int_eq(ds->test.y[0], 2);
	ck_assert_int_eq(ds->train.y[1], 1);
	lrs_dataset_free(ds);

	cfg.test.path = wide;
	ck_assert_int_eq(lrs_dataset_load(&ds, &cfg), LRS_EINVALID);
	ck_assert_ptr_null(ds);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), wide));
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "2 features"));

	cfg.has_test = 0;
	cfg.train.path = one;
	ck_assert_int_eq(lrs_dataset_load(&ds, &cfg), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "at least 2 classes"));
}
END_TEST

START_TEST(validation_must_leave_training_data)
{
	const char *p = write_text("s.csv", "1,0\n2,1\n");
	lrs_data_config cfg = csv_config(p, 0.8, LRS_NORM_NONE, 1);
	lrs_dataset *ds;

	ck_assert_int_eq(lrs_dataset_load(&ds, &cfg), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "leaves none to train on"));
	cfg.validation = 1.0;
	ck_assert_int_eq(lrs_dataset_load(&ds, &cfg), LRS_EINVALID);
	ck_assert_ptr_nonnull(strstr(lrs_error_last(), "not in [0, 1)"));
}
END_TEST

START_TEST(synthetic_dataset_and_test_stream)
{
	lrs_data_config cfg = {
		.train = { .format = LRS_DATA_SYNTHETIC, .kind = "blobs", .samples = 300, .classes = 4, .dims = 3, .noise = NAN },
		.test = { .format = LRS_DATA_SYNTHETIC, .kind = "blobs", .samples = 100, .classes = 4, .dims = 3, .noise = NAN },
		.has_test = 1, .validation = 0.1, .normalize = LRS_NORM_NONE, .seed = 77,
	};
	lrs_dataset *ds = load_ok(&cfg);
	lrs_split all = synth("blobs", 400, 4, 3, 77);

	ck_assert_int_eq(ds->classes, 4);
	ck_assert_uint_eq(ds->features, 3);
	ck_assert_uint_eq(ds->val.n, 30);
	ck_assert_uint_eq(ds->train.n, 270);
	ck_assert_uint_eq(ds->test.n, 100);
	/* the test split is samples 300..399 of the same stream */
	ck_assert_int_eq(memcmp(ds->test.x, all.x + 300 * 3, 100 * 3 * sizeof(float)), 0);
	ck_assert_int_eq(memcmp(ds->test.y, all.y + 300, 100 * sizeof(int32_t)), 0);
	lrs_split_free(&all);
	lrs_dataset_free(ds);

	/* limit makes the first N of the same stream */
	cfg.has_test = 0;
	cfg.validation = 0;
	cfg.limit = 50;
	ds = load_ok(&cfg);
	all = synth("blobs", 300, 4, 3, 77);
	ck_assert_uint_eq(ds->train.n, 50);
	ck_assert_int_eq(memcmp(ds->train.x, all.x, 50 * 3 * sizeof(float)), 0);
	lrs_split_free(&all);
	lrs_dataset_free(ds);
}
END_TEST

/* ------------------------------------------- labels, delimiters, defaults */

/* Labels 1 .. K (and codes with gaps: 2 and 4) are not class numbers:
 * they become 0 .. K-1 in increasing order, the values kept as the class
 * names; the same for npy labels. */
START_TEST(numeric_labels_not_from_zero_are_mapped)
{
	const char *p = write_text("one.csv", "0.5,1\n1.5,2\n2.5,3\n3.5,1\n");
	const char *g = write_text("gap.csv", "x,class\n1,4\n2,2\n3,4\n");
	float x[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	int64_t y[4] = { 10, 20, 10, 30 };
	lrs_data_config cfg = csv_config(p, 0, LRS_NORM_NONE, 1);
	lrs_dataset *ds = load_ok(&cfg);

	ck_assert_int_eq(ds->classes, 3);   /* not 4 with an empty class 0 */
	ck_assert_int_eq(ds->labels, LRS_LABELS_NUMBERS);
	ck_assert_str_eq(ds->class_names[0], "1");
	ck_assert_str_eq(ds->class_names[2], "3");
	ck_assert_int_eq(ds->train.y[0], 0);
	ck_assert_int_eq(ds->train.y[2], 2);
	ck_assert_int_eq(ds->train.y[3], 0);
	lrs_dataset_free(ds);

	cfg.train.path = g;
	ds = load_ok(&cfg);
	ck_assert_int_eq(ds->classes, 2);
	ck_assert_str_eq(ds->class_names[0], "2");
	ck_assert_str_eq(ds->class_names[1], "4");
	ck_assert_int_eq(ds->train.y[0], 1);
	ck_assert_int_eq(ds->train.y[1], 0);
	lrs_dataset_free(ds);

	cfg.train = (lrs_data_source){ .format = LRS_DATA_NPY, .features = write_npy("x.npy", 1, "<f4", "(4, 2)", x, sizeof x),
	                               .labels = write_npy("y.npy", 1, "<i8", "(4,)", y, sizeof y) };
	ds = load_ok(&cfg);
	ck_assert_int_eq(ds->classes, 3);
	ck_assert_str_eq(ds->class_names[1], "20");
	ck_assert_int_eq(ds->train.y[3], 2);
	lrs_dataset_free(ds);
}
END_TEST

/* A csv of n rows "i,label": labels first, first + step, ... */
static const char *write_label_rows(const char *name, size_t n, long first, long step)
{
	char *text = malloc(n * 40 + 1), *p = text;
	const char *path;

	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%zu,%ld\n", i, first + (long)i * step);
	path = write_file(name, text, (size_t)(p - text));
	free(text);
	return path;
}

/* Any whole number an int32 holds is a label, as scikit-learn's
 * LabelEncoder takes it: -1/+1 (SVMs), negative codes, codes far apart;
 * the distinct values over train and test, sorted, become 0 .. K-1. */
START_TEST(labels_any_int32_as_label_encoder)
{
	const char *svm = write_text("svm.csv", "0.5,-1\n1.5,1\n2.5,-1\n3.5,+1\n");
	const char *far = write_text("far.csv", "1,2147483647\n2,-2147483648\n3,1000000\n4,-2147483648\n");
	float x[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	int8_t y1[4] = { -1, 1, -1, 1 };
	int32_t y4[4] = { 0, 1, -1, 2 };
	lrs_data_config cfg = csv_config(svm, 0, LRS_NORM_NONE, 1);
	lrs_dataset *ds = load_ok(&cfg);

	ck_assert_int_eq(ds->classes, 2);
	ck_assert_int_eq(ds->labels, LRS_LABELS_NUMBERS);
	ck_assert_str_eq(ds->class_names[0], "-1");
	ck_assert_str_eq(ds->class_names[1], "1");
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(ds->train.y[i], i % 2);
	lrs_dataset_free(ds);

	cfg.train.path = far;   /* a span past the table: sorted */
	ds = load_ok(&cfg);
	ck_assert_int_eq(ds->classes, 3);
	ck_assert_str_eq(ds->class_names[0], "-2147483648");
	ck_assert_str_eq(ds->class_names[1], "1000000");
	ck_assert_str_eq(ds->class_names[2], "2147483647");
	ck_assert_int_eq(ds->train.y[0], 2);
	ck_assert_int_eq(ds->train.y[1], 0);
	ck_assert_int_eq(ds->train.y[2], 1);
	ck_assert_int_eq(ds->train.y[3], 0);
	lrs_dataset_free(ds);

	/* train -1/+1, test +1/+3: one list of classes over both */
	cfg.train.path = svm;
	cfg.test = (lrs_data_source){ .format = LRS_DATA_CSV, .path = write_text("t.csv", "1,3\n2,1\n"), .header = -1 };
	cfg.has_test = 1;
	ds = load_ok(&cfg);
	ck_assert_int_eq(ds->classes, 3);
	ck_assert_str_eq(ds->class_names[2], "3");
	ck_assert_int_eq(ds->train.y[1], 1);
	ck_assert_int_eq(ds->test.y[0], 2);
	ck_assert_int_eq(ds->test.y[1], 1);
	lrs_dataset_free(ds);
	cfg.has_test = 0;

	cfg.train = (lrs_data_source){ .format = LRS_DATA_NPY, .features = write_npy("x.npy", 1, "<f4", "(4, 2)", x, sizeof x),
	                               .labels = write_npy("y1.npy", 1, "|i1", "(4,)", y1, sizeof y1) };
	ds = load_ok(&cfg);
	ck_assert_int_eq(ds->classes, 2);
	ck_assert_str_eq(ds->class_names[0], "-1");
	ck_assert_int_eq(ds->train.y[0], 0);
	ck_assert_int_eq(ds->train.y[1], 1);
	lrs_dataset_free(ds);
	cfg.train.labels = write_npy("y4.npy", 1, "<i4", "(4,)", y4, sizeof y4);
	ds = load_ok(&cfg);
	ck_assert_int_eq(ds->classes, 4);
	ck_assert_str_eq(ds->class_names[0], "-1");
	ck_assert_int_eq(ds->train.y[0], 1);
	ck_assert_int_eq(ds->train.y[2], 0);
	ck_assert_int_eq(ds->train.y[3], 3);
	lrs_dataset_free(ds);
}
END_TEST

/* At most LRS_DATA_MAX_CLASSES distinct labels: 65,536 of them load, one
 * more is an error naming the count, whether the values are close
 * (0 .. 65535 and -1) or far apart. */
START_TEST(labels_bounded_in_count)
{
	lrs_data_config cfg = csv_config(write_label_rows("k.csv", 65536, 0, 1), 0, LRS_NORM_NONE, 1);
	lrs_dataset *ds = load_ok(&cfg);

	ck_assert_int_eq(ds->classes, 65536);
	ck_assert_int_eq(ds->labels, LRS_LABELS_AS_GIVEN);
	lrs_dataset_free(ds);
	for (int far = 0; far <= 1; far++) {
		cfg.train.path = write_label_rows("k1.csv", 65537, -1000 * far - 1, far ? 1000 : 1);
		ck_assert_int_eq(lrs_dataset_load(&ds, &cfg), LRS_EINVALID);
		ck_assert_ptr_null(ds);
		ck_assert_msg(strstr(lrs_error_last(), "65537 different labels over train and test, more than 65536 classes"),
		              "%s", lrs_error_last());
	}
}
END_TEST

/* A csv of classes of `sizes` rows (class c's rows: feature 1000 c + i):
 * interleaved, so that no class sits in one block of the file. */
static const char *write_class_rows(const char *name, const size_t *sizes, int k)
{
	size_t left[8], total = 0, n = 0;
	char *text, *p;
	const char *path;

	for (int c = 0; c < k; c++)
		total += left[c] = sizes[c];
	p = text = malloc(total * 32 + 1);
	while (n < total)
		for (int c = 0; c < k; c++)
			if (left[c]) {
				p += sprintf(p, "%zu,%d\n", (size_t)c * 1000 + sizes[c] - left[c], c);
				left[c]--;
				n++;
			}
	path = write_file(name, text, (size_t)(p - text));
	free(text);
	return path;
}

/* stratify: the validation split takes each class's share, rounded down
 * and the remainder to the largest fractions, as scikit-learn's
 * train_test_split(stratify=y); a class of one sample stays in training;
 * every row keeps its label; the seed decides which rows. */
START_TEST(stratified_validation_split)
{
	static const size_t sizes[4] = { 60, 30, 9, 1 };
	static const size_t tiny[3] = { 1, 1, 2 };
	lrs_data_config cfg = csv_config(write_class_rows("s.csv", sizes, 4), 0.2, LRS_NORM_NONE, 5);
	size_t val[4], train[4];
	lrs_dataset *ds;

	cfg.stratify = 1;
	ds = load_ok(&cfg);
	lrs_split_class_counts(val, &ds->val, 4);
	lrs_split_class_counts(train, &ds->train, 4);
	ck_assert_uint_eq(ds->val.n, 20);
	ck_assert_uint_eq(val[0], 12);
	ck_assert_uint_eq(val[1], 6);
	ck_assert_uint_eq(val[2], 2);   /* 1.8: the largest remainder */
	ck_assert_uint_eq(val[3], 0);   /* 0.2, and its only sample */
	ck_assert_uint_eq(train[3], 1);
	for (size_t i = 0; i < ds->val.n; i++)
		ck_assert_int_eq((int)ds->val.x[i] / 1000, ds->val.y[i]);
	for (size_t i = 0; i < ds->train.n; i++)
		ck_assert_int_eq((int)ds->train.x[i] / 1000, ds->train.y[i]);
	lrs_dataset_free(ds);

	/* another seed, other rows, the same counts */
	cfg.seed = 6;
	ds = load_ok(&cfg);
	lrs_split_class_counts(val, &ds->val, 4);
	ck_assert_uint_eq(val[0], 12);
	ck_assert_uint_eq(val[2], 2);
	lrs_dataset_free(ds);

	/* classes of 1, 1 and 2 samples, half held out: no class loses its
	 * every sample, so one row (not two) is held out */
	cfg = csv_config(write_class_rows("t.csv", tiny, 3), 0.5, LRS_NORM_NONE, 1);
	cfg.stratify = 1;
	ds = load_ok(&cfg);
	lrs_split_class_counts(train, &ds->train, 3);
	ck_assert_uint_eq(ds->val.n, 1);
	ck_assert_uint_eq(train[0], 1);
	ck_assert_uint_eq(train[1], 1);
	ck_assert_uint_eq(train[2], 1);
	lrs_dataset_free(ds);
}
END_TEST

/* Names as labels: ranked in byte order (as Python's sorted: capitals
 * first), one pair of quotes dropped; the class names are the names. */
START_TEST(csv_label_names)
{
	const char *p = write_text("hens.csv", "x,y,species\n1,2,hen\n3,4,\"cock\"\n5,6,hen\n7,8,Duck\n");
	const char *bare = write_text("bare.csv", "1,2,hen\n3,4,cock\n");
	lrs_data_config cfg = csv_config(p, 0, LRS_NORM_NONE, 1);
	lrs_dataset *ds;
	lrs_split s;

	for (int by_name = 0; by_name <= 1; by_name++) {
		cfg.train.label = by_name ? "species" : "last";
		ds = load_ok(&cfg);
		ck_assert_int_eq(ds->classes, 3);
		ck_assert_int_eq(ds->labels, LRS_LABELS_NAMES);
		ck_assert_str_eq(ds->class_names[0], "Duck");
		ck_assert_str_eq(ds->class_names[1], "cock");
		ck_assert_str_eq(ds->class_names[2], "hen");
		ck_assert_uint_eq(ds->train.n, 4);
		ck_assert_int_eq(ds->train.y[0], 2);
		ck_assert_int_eq(ds->train.y[1], 1);
		ck_assert_int_eq(ds->train.y[3], 0);
		ck_assert_float_eq(ds->train.x[0], 1.0f);
		ck_assert_int_eq(ds->header, 1);
		lrs_dataset_free(ds);
	}
	/* no header: a first row whose only text is its label is data when
	 * the next row's label is text too */
	s = load_csv_ok(bare, "last", -1);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_int_eq(s.y[0], 1);   /* hen after cock */
	ck_assert_int_eq(s.y[1], 0);
	lrs_split_free(&s);
	/* and a header when the next label is a number (pandas' header of
	 * numbered columns "0,1,label") */
	s = load_csv_ok(write_text("num.csv", "0,1,label\n1,2,0\n3,4,1\n"), "last", -1);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_int_eq(s.y[1], 1);
	lrs_split_free(&s);
	/* with a limit, only the kept rows' names are classes */
	cfg.train.label = "last";
	cfg.limit = 2;
	ds = load_ok(&cfg);
	ck_assert_int_eq(ds->classes, 2);
	ck_assert_str_eq(ds->class_names[0], "cock");
	lrs_dataset_free(ds);
}
END_TEST

/* Train and test names are one list of classes: their union, sorted; a
 * split of names beside a split of numbers is refused. */
START_TEST(label_names_over_train_and_test)
{
	const char *p = write_text("tr.csv", "1,hen\n2,cock\n3,hen\n");
	const char *t = write_text("te.csv", "4,duck\n5,hen\n");
	const char *numbers = write_text("tn.csv", "4,0\n5,1\n");
	lrs_data_config cfg = csv_config(p, 0, LRS_NORM_NONE, 1);
	lrs_dataset *ds;

	cfg.test = (lrs_data_source){ .format = LRS_DATA_CSV, .path = t, .header = -1 };
	cfg.has_test = 1;
	ds = load_ok(&cfg);
	ck_assert_int_eq(ds->classes, 3);
	ck_assert_str_eq(ds->class_names[1], "duck");
	ck_assert_int_eq(ds->train.y[0], 2);
	ck_assert_int_eq(ds->train.y[1], 0);
	ck_assert_int_eq(ds->test.y[0], 1);
	ck_assert_int_eq(ds->test.y[1], 2);
	lrs_dataset_free(ds);

	cfg.test.path = numbers;
	ck_assert_int_eq(lrs_dataset_load(&ds, &cfg), LRS_EINVALID);
	ck_assert_ptr_null(ds);
	ck_assert_msg(strstr(lrs_error_last(), "are names ('cock', ...), but those of") &&
	              strstr(lrs_error_last(), numbers), "%s", lrs_error_last());
}
END_TEST

/* A label column holds numbers or names: whichever comes second is an
 * error at its row and column. */
START_TEST(csv_mixed_labels_are_refused)
{
	static const struct { const char *text, *frag; } cases[] = {
		{ "1,2,0\n3,4,hen\n", "row 2, column 3: label 'hen' is a name, but the label of row 1 is a number" },
		{ "a,b,c\n1,2,hen\n3,4,1.5\n", "row 3, column 3 ('c'): label '1.5' is a number, but the label of row 2 is a name" },
		{ "1,2,hen\n3,4,\n", "row 2, column 3: empty field" },
	};

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		const char *path = write_text("mix.csv", cases[k].text);
		lrs_split s;
		int rc = lrs_data_load_source(&s, &(lrs_data_source){ .format = LRS_DATA_CSV, .path = path,
		                                    .header = -1 }, 0);

		ck_assert_int_eq(rc, LRS_EINVALID);
		ck_assert_msg(strstr(lrs_error_last(), cases[k].frag), "%s", lrs_error_last());
	}
}
END_TEST

/* Delimiters: detected from the first row (tab, ';', ',': the most
 * frequent, in that order on a tie) or given; the dataset says which. */
START_TEST(csv_delimiters)
{
	static const struct { const char *text; char given, used; } ok[] = {
		{ "a;b;label\n1.5;2;0\n3;4;1\n", 0, ';' },
		{ "1.5\t2\t0\n3\t4\t1\n", 0, '\t' },
		{ "a|b|label\n1.5|2|0\n3|4|1\n", '|', '|' },
		{ "a,b,label\n1.5,2,0\n3,4,1\n", ',', ',' },
		{ "a;b,c;label\n1.5;2;0\n3;4;1\n", ';', ';' },   /* a comma inside a name */
		/* blanks, as np.savetxt writes them: runs are one separator, and
		 * blanks around a line separate nothing */
		{ "1.5 2 0\n3 4 1\n", 0, ' ' },
		{ "a b\tc d\tlabel\n1.5\t2\t0\n3\t4\t1\n", 0, '\t' },   /* names with blanks: tab first */
		{ "  a   b  label  \n 1.5  2   0\n\t3 4  1 \n", 0, ' ' },
		{ "\"a b\"  b label\n1.5 2 0\n3 4 \t 1\n", ' ', ' ' },      /* a quoted name with a blank */
		{ "1.5e+00 2.0e+00 0.0e+00\n3.0e+00 4.0e+00 1.0e+00\n", 0, ' ' },
		/* a quote inside a field is text, not the start of quoted text
		 * hiding the delimiters after it: detected as the rows are read */
		{ "screen 15\";weight;label\n1.5;2;0\n3;4;1\n", 0, ';' },
		{ "a\"b\tc\tlabel\n1.5\t2\t0\n3\t4\t1\n", 0, '\t' },
		{ "\"a,b\";\"c;\";label\n1.5;2;0\n3;4;1\n", 0, ';' },   /* quoted fields: their delimiters are text */
		{ "\"a;b\" , \"c\"\"d;\",label\n1.5,2,0\n3,4,1\n", 0, ',' },
	};
	static const struct { const char *text; char given; const char *frag; } bad[] = {
		{ "a;b;c\n1,5;2,5;0\n", 0, "row 2, column 1 ('a'): '1,5' is not a number" },   /* decimal commas: ';' */
		{ "1,2,0\n3,4,1\n", ';', "row 1 has one column (no ';' in it)" },
		{ "120\n", 0, "row 1 has one column (no ',', ';', tab or blank-separated fields in it)" },
		{ "  120  \n", ' ', "row 1 has one column (no whitespace in it)" },
		{ "1 2 0\n3 4\n", 0, "row 2 has 2 columns, expected 3 (ragged rows)" },   /* a missing value */
	};

	for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
		lrs_data_config cfg = csv_config(write_text("d.csv", ok[k].text), 0, LRS_NORM_NONE, 1);
		lrs_dataset *ds;

		cfg.train.delimiter = ok[k].given;
		ds = load_ok(&cfg);
		ck_assert_uint_eq(ds->train.n, 2);
		ck_assert_uint_eq(ds->features, 2);
		ck_assert_float_eq(ds->train.x[0], 1.5f);
		ck_assert_int_eq(ds->train.y[1], 1);
		ck_assert_int_eq(ds->delimiter, ok[k].used);
		lrs_dataset_free(ds);
	}
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		lrs_data_config cfg = csv_config(write_text("d.csv", bad[k].text), 0, LRS_NORM_NONE, 1);
		lrs_dataset *ds;

		cfg.train.delimiter = bad[k].given;
		ck_assert_int_eq(lrs_dataset_load(&ds, &cfg), LRS_EINVALID);
		ck_assert_msg(strstr(lrs_error_last(), bad[k].frag), "%s", lrs_error_last());
	}
}
END_TEST

/* drop: columns left out unread, by header name or 0-based index (an id,
 * a text column); a column that does not exist is an error carrying the
 * experiment's position of the item. */
START_TEST(csv_drop_columns)
{
	const char *p = write_text("people.csv", "id,name,a,b,species\n1,alice,0.5,2,cat\n2,bob,1.5,3,dog\n"
	                                         "3,\"carol, jr\",2.5,,cat\n");
	const char *bare = write_text("bare.csv", "1,alice,0.5,2,cat\n2,bob,1.5,3,dog\n");
	lrs_data_drop by_name[] = { { "id", 3, 5 }, { "name", 3, 9 }, { "b", 3, 15 } };
	lrs_data_drop by_index[] = { { "0", 4, 1 }, { "1", 4, 4 }, { "3", 4, 7 } };
	lrs_data_config cfg = csv_config(p, 0, LRS_NORM_NONE, 1);
	lrs_dataset *ds;

	for (int k = 0; k < 2; k++) {
		cfg.train.path = p;
		cfg.train.drop = k ? by_index : by_name;
		cfg.train.n_drop = 3;
		ds = load_ok(&cfg);
		ck_assert_uint_eq(ds->features, 1);   /* a: the empty b is not read */
		ck_assert_uint_eq(ds->train.n, 3);
		ck_assert_float_eq(ds->train.x[2], 2.5f);
		ck_assert_int_eq(ds->train.y[1], 1);
		lrs_dataset_free(ds);
	}
	/* by index, a file without a header: its text column is not read, nor
	 * taken for a header */
	cfg.train.path = bare;
	cfg.train.n_drop = 2;
	ds = load_ok(&cfg);
	ck_assert_uint_eq(ds->features, 2);
	ck_assert_uint_eq(ds->train.n, 2);
	ck_assert_int_eq(ds->header, 0);
	ck_assert_float_eq(ds->train.x[3], 3.0f);
	lrs_dataset_free(ds);

	static const struct { const char *column, *frag; int header; } bad[] = {
		{ "idx", "drop: no column named 'idx' in the header (it has: 'id', 'name', 'a', 'b', 'species')", -1 },
		{ "5", "drop: column 5 is out of range: rows have 5 columns (0 to 4)", -1 },
		{ "species", "drop: column species is the label column (4, from 0)", -1 },
		{ "4", "drop: column 4 is the label column (4, from 0)", -1 },
		{ "name", "drop: column 'name' is a name, but the file has no header row", 0 },
	};
	cfg.train.path = p;
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		lrs_data_drop one[2] = { { "0", 7, 2 }, { bad[k].column, 7, 20 } };

		cfg.train.drop = one;
		cfg.train.n_drop = 2;
		cfg.train.header = bad[k].header;
		ck_assert_int_eq(lrs_dataset_load(&ds, &cfg), LRS_EINVALID);
		ck_assert_msg(strstr(lrs_error_last(), bad[k].frag), "%s", lrs_error_last());
		ck_assert_int_eq(lrs_error_line(), 7);
		ck_assert_int_eq(lrs_error_column(), 20);
	}
	cfg.train.header = -1;
	cfg.train.drop = (lrs_data_drop[]){ { "0", 2, 3 }, { "name", 2, 6 }, { "a", 2, 9 }, { "b", 2, 12 } };
	cfg.train.n_drop = 4;
	ck_assert_int_eq(lrs_dataset_load(&ds, &cfg), LRS_EINVALID);
	ck_assert_msg(strstr(lrs_error_last(), "drop leaves no feature"), "%s", lrs_error_last());
}
END_TEST

/* Text in a feature column of the first data row is a column of names:
 * the label where label: was not set (it is not the last column), else
 * a column to drop; the error says which key to set. Text further down
 * is a typo: no such hint. */
START_TEST(csv_text_column_hint)
{
	static const struct { const char *text, *label, *frag; } cases[] = {
		{ "species,a,b\ndog,1,2\ncat,3,4\n", NULL, "row 2, column 1 ('species'): 'dog' is not a number (a column of "
		  "text: the label is the last column unless set; if column 1 is the label, set label: 0 (from 0); if it is "
		  "not a feature, leave it out with drop: [0])" },
		{ "1,dog,2\n3,cat,4\n", NULL, "row 2, column 2 ('dog'): 'cat' is not a number (a column of text: the label is "
		  "the last column unless set; if column 2 is the label, set label: 1 (from 0)" },
		{ "species,a,b\ndog,1,2\n", "last", "'dog' is not a number (a column of text: if it is not a feature, leave "
		  "it out with drop: [0])" },
		{ "a,b,label\n1,2,0\n3,abc,1\n", NULL, "row 3, column 2 ('b'): 'abc' is not a number" },
	};

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		lrs_split s;
		int rc = lrs_data_load_source(&s, &(lrs_data_source){ .format = LRS_DATA_CSV, .header = -1,
		                                    .path = write_text("t.csv", cases[k].text), .label = cases[k].label }, 0);

		ck_assert_int_eq(rc, LRS_EINVALID);
		ck_assert_msg(strstr(lrs_error_last(), cases[k].frag), "%s", lrs_error_last());
		if (k == 3)   /* a typo further down: no hint */
			ck_assert_msg(!strstr(lrs_error_last(), "label:"), "%s", lrs_error_last());
	}
}
END_TEST

/* What the reader learns from the line after the first (a delimiter
 * ending every row, a header over numeric labels) it learns from a gzip
 * file too, which cannot seek back: the same samples as the plain file. */
START_TEST(csv_gzip_reads_ahead_as_plain)
{
	static const char *const texts[] = {
		"a,b,label,\n1.5,2,cat,\n3,4,dog,\n5,6,cat,\n",   /* trailing delimiter, header */
		"1.5,2,cat,\n3,4,dog,\n5,6,cat,\n",               /* trailing delimiter, no header */
		"0,1,label\n1.5,2,0\n3,4,1\n5,6,0\n",             /* a header whose only text is its label */
		"1.5 2 cat\n3 4 dog\n5 6 cat\n",                   /* whitespace, names as labels */
	};

	for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
		lrs_split plain = load_csv_ok(write_text("p.csv", texts[k]), "last", -1);
		lrs_split gz = load_csv_ok(write_gz("p.csv.gz", texts[k], strlen(texts[k])), "last", -1);

		ck_assert_uint_eq(plain.n, 3);
		ck_assert_uint_eq(plain.d, 2);
		ck_assert_uint_eq(gz.n, plain.n);
		ck_assert_uint_eq(gz.d, plain.d);
		ck_assert_float_eq(plain.x[0], 1.5f);
		ck_assert_mem_eq(gz.x, plain.x, plain.n * plain.d * sizeof *plain.x);
		ck_assert_mem_eq(gz.y, plain.y, plain.n * sizeof *plain.y);
		lrs_split_free(&plain);
		lrs_split_free(&gz);
	}
}
END_TEST

/* skip_rows: scikit-learn's bundled CSVs open with "n_samples,n_features,
 * names..."; skipped, the rows load, and line numbers stay the file's. */
START_TEST(csv_skip_rows)
{
	const char *p = write_text("sk.csv", "3,2,a,b\n1,2,0\n3,4,1\n5,x,0\n");
	lrs_data_config cfg = csv_config(p, 0, LRS_NORM_NONE, 1);
	lrs_dataset *ds;

	ck_assert_int_eq(lrs_dataset_load(&ds, &cfg), LRS_EINVALID);
	ck_assert_msg(strstr(lrs_error_last(), "skip it with skip_rows: 1"), "%s", lrs_error_last());
	cfg.train.skip_rows = 1;
	ck_assert_int_eq(lrs_dataset_load(&ds, &cfg), LRS_EINVALID);
	ck_assert_msg(strstr(lrs_error_last(), "row 4, column 2: 'x' is not a number"), "%s", lrs_error_last());
	cfg.limit = 2;   /* still checked past the limit */
	ck_assert_int_eq(lrs_dataset_load(&ds, &cfg), LRS_EINVALID);

	p = write_text("sk.csv", "3,2,a,b\n1,2,0\n3,4,1\n5,6,0\n");
	cfg.train.path = p;
	cfg.limit = 0;
	ds = load_ok(&cfg);
	ck_assert_uint_eq(ds->train.n, 3);
	ck_assert_int_eq(ds->header, 0);
	ck_assert_float_eq(ds->train.x[0], 1.0f);
	lrs_dataset_free(ds);
	cfg.train.skip_rows = 4;
	ck_assert_int_eq(lrs_dataset_load(&ds, &cfg), LRS_EINVALID);
	ck_assert_msg(strstr(lrs_error_last(), "no rows after the 4 skipped"), "%s", lrs_error_last());
	cfg.train.skip_rows = 9;
	ck_assert_int_eq(lrs_dataset_load(&ds, &cfg), LRS_EINVALID);
	ck_assert_msg(strstr(lrs_error_last(), "skip_rows 9 skips every line (the file has 4)"), "%s", lrs_error_last());
}
END_TEST

/* The default normalisation by source: csv and npy floats are
 * standardized per feature, bytes (idx, npy u1) and synthetic data keep
 * the global scale; each bitwise what the explicit choice gives. */
START_TEST(normalize_default_by_source)
{
	const char *im, *lb;
	float x[8] = { 1, 1000, 2, 3000, 3, 2000, 4, 5000 };
	uint8_t x8[8] = { 0, 10, 20, 30, 255, 50, 60, 70 };
	int64_t y[4] = { 0, 1, 0, 1 };
	lrs_data_config cfgs[5] = {
		csv_config(write_rows("r.csv", 50), 0.2, LRS_NORM_AUTO, 3),
		{ .train = { .format = LRS_DATA_NPY, .features = write_npy("f.npy", 1, "<f4", "(4, 2)", x, sizeof x),
		             .labels = write_npy("l.npy", 1, "<i8", "(4,)", y, sizeof y) } },
		{ .train = { .format = LRS_DATA_NPY, .features = write_npy("b.npy", 1, "|u1", "(4, 2)", x8, sizeof x8),
		             .labels = write_npy("l8.npy", 1, "<i8", "(4,)", y, sizeof y) } },
		{ .train = { .format = LRS_DATA_IDX } },
		{ .train = { .format = LRS_DATA_SYNTHETIC, .kind = "blobs", .samples = 60, .classes = 3, .noise = NAN },
		  .validation = 0.1 },
	};
	static const lrs_normalize want[5] = { LRS_NORM_STANDARDIZE, LRS_NORM_STANDARDIZE, LRS_NORM_SCALE,
	                                       LRS_NORM_SCALE, LRS_NORM_SCALE };

	write_idx("n", 30, 4, 4, 1, &im, &lb);
	cfgs[3].train.images = im;
	cfgs[3].train.labels = lb;
	for (int k = 0; k < 5; k++) {
		lrs_dataset *a, *b;
		float ra[16], rb[16];

		cfgs[k].normalize = LRS_NORM_AUTO;
		a = load_ok(&cfgs[k]);
		cfgs[k].normalize = want[k];
		b = load_ok(&cfgs[k]);
		ck_assert_int_eq(a->normalize, want[k]);
		ck_assert_int_eq(b->normalize, want[k]);
		ck_assert_ptr_nonnull(strstr(a->normalize_why, "default"));
		ck_assert_ptr_nonnull(strstr(b->normalize_why, "as the experiment sets it"));
		for (size_t i = 0; i < a->train.n; i++) {
			lrs_split_row(&a->train, i, ra);
			lrs_split_row(&b->train, i, rb);
			ck_assert_int_eq(memcmp(ra, rb, a->features * sizeof *ra), 0);
		}
		lrs_dataset_free(a);
		lrs_dataset_free(b);
	}
	/* the default on a mixed-scale csv: every feature gets mean 0, std 1
	 * (one global min and max would leave feature 1 in a sliver of [0, 1]) */
	lrs_dataset *ds = load_ok(&cfgs[1]);
	for (int j = 0; j < 2; j++) {
		double m = 0, v = 0;
		for (size_t i = 0; i < 4; i++)
			m += ds->train.x[2 * i + j] / 4.0;
		for (size_t i = 0; i < 4; i++)
			v += pow(ds->train.x[2 * i + j] - m, 2) / 4.0;
		ck_assert_double_lt(fabs(m), 1e-6);
		ck_assert_double_lt(fabs(v - 1), 1e-5);
	}
	lrs_dataset_free(ds);
}
END_TEST

/* ------------------------------------------------------- fashion-mnist */

START_TEST(fashion_mnist_real_files)
{
	lrs_data_config cfg = { .validation = 0, .normalize = LRS_NORM_SCALE, .seed = 0, .has_test = 1 };
	lrs_dataset *ds;
	size_t count[10] = { 0 }, tcount[10] = { 0 };
	float lo = 1, hi = 0;

	if (access(FASHION "train-images-idx3-ubyte.gz", R_OK) != 0) {
		lrs_data_source a, b;

		fprintf(stderr, "fashion_mnist_real_files: SKIPPED (install dataset-fashion-mnist)\n");
		ck_assert_int_eq(lrs_data_fashion_mnist(&a, &b), LRS_EINVALID);
		ck_assert_ptr_nonnull(strstr(lrs_error_last(), "apt-get install dataset-fashion-mnist"));
		return;
	}
	ck_assert_int_eq(lrs_data_fashion_mnist(&cfg.train, &cfg.test), 0);
	ds = load_ok(&cfg);
	ck_assert_uint_eq(ds->train.n, 60000);
	ck_assert_uint_eq(ds->train.d, 784);
	ck_assert_uint_eq(ds->test.n, 10000);
	ck_assert_uint_eq(ds->features, 784);
	ck_assert_int_eq(ds->classes, 10);
	ck_assert_double_eq(ds->norm_a, 0.0);
	ck_assert_double_eq(ds->norm_b, (float)(1.0 / 255));
	ck_assert_ptr_null(ds->train.x);   /* the images stay bytes */
	ck_assert_ptr_nonnull(ds->train.x8);
	for (size_t i = 0; i < 60000; i++)
		count[ds->train.y[i]]++;
	for (size_t i = 0; i < 10000; i++)
		tcount[ds->test.y[i]]++;
	for (int k = 0; k < 10; k++) {
		ck_assert_uint_eq(count[k], 6000);
		ck_assert_uint_eq(tcount[k], 1000);
	}
	for (size_t i = 0; i < 60000; i++) {
		float row[784];

		lrs_split_row(&ds->train, i, row);
		for (size_t j = 0; j < 784; j++) {
			lo = row[j] < lo ? row[j] : lo;
			hi = row[j] > hi ? row[j] : hi;
		}
	}
	ck_assert_float_eq(lo, 0.0f);
	ck_assert_float_eq(hi, 1.0f);
	lrs_dataset_free(ds);
}
END_TEST

/* ------------------------------------------------------- the bad corpus */

typedef enum { B_IDX_IMAGES, B_IDX_LABELS, B_CSV, B_NPY_X, B_NPY_Y, B_NPZ } bad_role;

/* One malformed file: the role it plays (the companion files are good),
 * and a fragment of the message. README.md in tests/data/bad lists them. */
static const struct {
	const char *file;
	bad_role role;
	const char *frag;
} bad_files[] = {
	{ "truncated.idx3",           B_IDX_IMAGES, "truncated: the header promises 48 bytes" },
	{ "oversized.idx3",           B_IDX_IMAGES, "oversized" },
	{ "wrong-magic.idx3",         B_IDX_IMAGES, "wrong magic 0x00000804" },
	{ "overflow.idx3",            B_IDX_IMAGES, "overflow" },
	{ "empty.idx3",               B_IDX_IMAGES, "empty file" },
	{ "truncated-data.idx3.gz",   B_IDX_IMAGES, "truncated: the header promises 48 bytes" },
	{ "oversized-data.idx3.gz",   B_IDX_IMAGES, "oversized" },
	{ "corrupt.idx3.gz",          B_IDX_IMAGES, "corrupt gzip data" },
	{ "truncated-stream.idx3.gz", B_IDX_IMAGES, "corrupt gzip data (truncated stream" },
	{ "overpromise.idx3.gz",      B_IDX_IMAGES, "more than a 33-byte gzip file can hold" },
	{ "count-mismatch.idx1",      B_IDX_LABELS, "4 labels, but" },
	{ "empty.idx1",               B_IDX_LABELS, "empty file" },
	{ "ragged.csv",               B_CSV,        "row 3 has 2 columns, expected 3" },
	{ "non-numeric.csv",          B_CSV,        "row 2, column 2: 'abc' is not a number" },
	{ "nan.csv",                  B_CSV,        "row 2, column 2: 'nan' is NaN" },
	{ "inf.csv",                  B_CSV,        "row 2, column 2: '-inf' is infinite" },
	{ "out-of-range-label.csv",   B_CSV,        "row 3, column 3 ('label'): label 2147483648 is out of range" },
	{ "fractional-label.csv",     B_CSV,        "label 1.5 is not an integer" },
	{ "empty-field.csv",          B_CSV,        "row 2, column 2: empty field" },
	{ "blank-middle.csv",         B_CSV,        "row 2 is blank" },
	{ "mixed-labels.csv",         B_CSV,        "row 3, column 3 ('label'): label 'hen' is a name, but the label of row 2 is a number" },
	{ "ragged-first-line.csv",    B_CSV,        "row 2 has 3 columns, expected 4 (ragged rows): the header, row 1, has 4; if row 1 is not the header, skip it with skip_rows: 1" },
	{ "header-only.csv",          B_CSV,        "no data rows" },
	{ "empty.csv",                B_CSV,        "empty file" },
	{ "complex.npy",              B_NPY_X,      "dtype '<c8' is not supported" },
	{ "object.npy",               B_NPY_X,      "dtype '|O' is not supported: an object array" },
	{ "datetime.npy",             B_NPY_X,      "dtype '<M8[ns]' is not supported: convert dates" },
	{ "long-double.npy",          B_NPY_X,      "dtype '<f16' is not supported: long double" },
	{ "structured.npy",           B_NPY_X,      "structured dtype is not supported" },
	{ "zero-d-features.npy",      B_NPY_X,      "got a 0-d array" },
	{ "big-endian-nan.npy",       B_NPY_X,      "element [1, 2] is NaN" },
	{ "fortran-inf.npy",          B_NPY_X,      "element [2, 1] is infinite" },
	{ "truncated.npy.gz",         B_NPY_X,      "truncated or corrupt gzip file: shape (4, 3) of '<f4' needs 48 bytes" },
	{ "cut.npy.gz",               B_NPY_X,      "corrupt gzip data (truncated stream)" },
	{ "broken-header.npy",        B_NPY_X,      "broken header" },
	{ "truncated.npy",            B_NPY_X,      "truncated: shape (4, 3) of '<f4' needs 48 bytes" },
	{ "oversized.npy",            B_NPY_X,      "oversized" },
	{ "shape-overflow.npy",       B_NPY_X,      "overflows" },
	{ "bad-magic.npy",            B_NPY_X,      "not a .npy file" },
	{ "nan-features.npy",         B_NPY_X,      "element [2, 1] is NaN" },
	{ "empty.npy",                B_NPY_X,      "empty file" },
	{ "out-of-range-labels.npy",  B_NPY_Y,      "label at index 2 is out of range (-2.14748e+09)" },
	{ "fractional-labels.npy",    B_NPY_Y,      "label at index 2 is not an integer" },
	{ "count-mismatch.npy",       B_NPY_Y,      "5 labels, but" },
	{ "empty.npy",                B_NPY_Y,      "empty file" },
	{ "string-labels.npy",        B_NPY_Y,      "dtype '<U3' is not supported: text labels" },
	{ "huge-u8-labels.npy",       B_NPY_Y,      "label at index 2 is out of range" },
	{ "missing-key.npz",          B_NPZ,        "no array 'x_train' in the archive (it holds: x, y)" },
	{ "not-npy-member.npz",       B_NPZ,        "x_train: not a .npy array" },
	{ "zip64.npz",                B_NPZ,        "Zip64 archive" },
	{ "encrypted.npz",            B_NPZ,        "member 'x_train.npy' is encrypted" },
	{ "bzip2-member.npz",         B_NPZ,        "compression method 12" },
	{ "truncated.npz",            B_NPZ,        "no zip end of central directory record" },
	{ "crc-mismatch.npz",         B_NPZ,        "CRC-32 mismatch" },
	{ "bomb.npz",                 B_NPZ,        "inflates past the 176 bytes the zip directory gives" },
	{ "overclaim.npz",            B_NPZ,        "more than deflate can produce" },
	{ "short-member.npz",         B_NPZ,        "ends after 168 of the 176 bytes" },
};

static void load_bad(size_t k, size_t limit)
{
	char path[256], other[256];
	lrs_data_config cfg = { .normalize = LRS_NORM_NONE, .limit = limit };
	lrs_data_source *src = &cfg.train;
	static lrs_dataset dummy;
	lrs_dataset *ds = &dummy;                /* must come back NULL */
	int rc;

	snprintf(path, sizeof path, BAD_DIR "%s", bad_files[k].file);
	ck_assert_msg(access(path, R_OK) == 0, "%s is missing: run from the repository root", path);
	switch (bad_files[k].role) {
	case B_IDX_IMAGES:
	case B_IDX_LABELS:
		src->format = LRS_DATA_IDX;
		snprintf(other, sizeof other, BAD_DIR "%s", bad_files[k].role == B_IDX_IMAGES ? "ok.idx1" : "ok.idx3");
		src->images = bad_files[k].role == B_IDX_IMAGES ? path : other;
		src->labels = bad_files[k].role == B_IDX_IMAGES ? other : path;
		break;
	case B_CSV:
		src->format = LRS_DATA_CSV;
		src->path = path;
		src->header = -1;
		break;
	case B_NPY_X:
	case B_NPY_Y:
		src->format = LRS_DATA_NPY;
		snprintf(other, sizeof other, BAD_DIR "%s", bad_files[k].role == B_NPY_X ? "ok-labels.npy" : "ok-features.npy");
		src->features = bad_files[k].role == B_NPY_X ? path : other;
		src->labels = bad_files[k].role == B_NPY_X ? other : path;
		break;
	case B_NPZ:
		src->format = LRS_DATA_NPZ;
		src->path = path;
		src->features = "x_train";
		src->labels = "y_train";
		break;
	}
	rc = lrs_dataset_load(&ds, &cfg);
	ck_assert_msg(rc == LRS_EINVALID, "%s: rc %d (%s)", path, rc, lrs_error_last());
	ck_assert_ptr_null(ds);
	ck_assert_msg(strstr(lrs_error_last(), path), "%s: the message does not name it: %s", path, lrs_error_last());
	ck_assert_msg(strstr(lrs_error_last(), bad_files[k].frag), "%s: expected '%s' in: %s",
	              path, bad_files[k].frag, lrs_error_last());
}

START_TEST(bad_file_fails_with_its_name)
{
	load_bad((size_t)_i, 0);
	load_bad((size_t)_i, 1);   /* a limit does not skip the checks */
}
END_TEST

START_TEST(bad_corpus_companions_are_good)
{
	lrs_split s;

	ck_assert_int_eq(lrs_data_load_source(&s, &(lrs_data_source){ .format = LRS_DATA_IDX,
	                                       .images = BAD_DIR "ok.idx3", .labels = BAD_DIR "ok.idx1" }, 0), 0);
	ck_assert_uint_eq(s.n, 3);
	lrs_split_free(&s);
	ck_assert_int_eq(lrs_data_load_source(&s, &(lrs_data_source){ .format = LRS_DATA_NPY,
	                                       .features = BAD_DIR "ok-features.npy",
	                                       .labels = BAD_DIR "ok-labels.npy" }, 0), 0);
	ck_assert_uint_eq(s.n, 4);
	lrs_split_free(&s);
}
END_TEST

/* Writes the pixels of write_idx(stem, n, R, C) as a <f4 npy features file
 * and <i8 labels: the same data as float32. */
static void write_idx_as_npy(const char *stem, size_t n, size_t d, const char **px, const char **py)
{
	float *x = malloc(n * d * sizeof *x);
	int64_t *y = malloc(n * sizeof *y);
	char fx[64], fy[64], shape[64];

	for (size_t i = 0; i < n; i++) {
		y[i] = (int64_t)(i % 10);
		for (size_t j = 0; j < d; j++)
			x[i * d + j] = (float)((7 * i + 3 * j) % 256);
	}
	snprintf(fx, sizeof fx, "%sx.npy", stem);
	snprintf(fy, sizeof fy, "%sy.npy", stem);
	snprintf(shape, sizeof shape, "(%zu, %zu)", n, d);
	*px = write_npy(fx, 1, "<f4", shape, x, n * d * sizeof *x);
	snprintf(shape, sizeof shape, "(%zu,)", n);
	*py = write_npy(fy, 1, "<i8", shape, y, n * sizeof *y);
	free(x);
	free(y);
}

/* The same pixels kept as bytes (idx) and as float32 (npy <f4), with a
 * test source: every normalisation gives bitwise the same rows in every
 * split, read one at a time, as a run of rows and as a gathered batch;
 * the split, labels and statistics agree. 130 features: two whole blocks
 * of the conversion's vector loop and a tail. */
START_TEST(bytes_and_floats_read_the_same)
{
	enum { N = 60, NT = 25, R = 10, C = 13, D = R * C };
	const char *im, *lb, *tim, *tlb, *px, *py, *tpx, *tpy;
	float a[D], b[D];
	float *scratch = malloc(N * D * sizeof *scratch), *ga = malloc(8 * D * sizeof *ga), *gb = malloc(8 * D * sizeof *gb);
	int32_t ya[8], yb[8];
	uint32_t idx[8] = { 3, 40, 0, 17, 17, 29, 8, 31 };

	write_idx("same", N, R, C, 1, &im, &lb);
	write_idx("samet", NT, R, C, 0, &tim, &tlb);
	write_idx_as_npy("same", N, D, &px, &py);
	write_idx_as_npy("samet", NT, D, &tpx, &tpy);
	for (int norm = LRS_NORM_SCALE; norm <= LRS_NORM_NONE; norm++) {
		lrs_data_config cfg = { .train = { .format = LRS_DATA_IDX, .images = im, .labels = lb },
		                        .test = { .format = LRS_DATA_IDX, .images = tim, .labels = tlb }, .has_test = 1,
		                        .validation = 0.25, .normalize = (lrs_normalize)norm, .seed = 9 };
		lrs_dataset *bytes = load_ok(&cfg), *floats;
		const lrs_split *sb[3] = { &bytes->train, &bytes->val, &bytes->test }, *sf[3];

		cfg.train = (lrs_data_source){ .format = LRS_DATA_NPY, .features = px, .labels = py };
		cfg.test = (lrs_data_source){ .format = LRS_DATA_NPY, .features = tpx, .labels = tpy };
		floats = load_ok(&cfg);
		sf[0] = &floats->train;
		sf[1] = &floats->val;
		sf[2] = &floats->test;
		ck_assert_ptr_nonnull(bytes->train.x8);
		ck_assert_ptr_nonnull(bytes->test.x8);
		ck_assert_ptr_nonnull(floats->train.x);
		ck_assert(isnan(bytes->norm_b) ? isnan(floats->norm_b) : bytes->norm_b == floats->norm_b);
		for (int k = 0; k < 3; k++) {
			const float *rb = lrs_split_rows(sb[k], 0, sb[k]->n, scratch);

			ck_assert_uint_eq(sb[k]->n, k == 2 ? NT : k == 1 ? 15 : 45);
			ck_assert_uint_eq(sb[k]->n, sf[k]->n);
			ck_assert_int_eq(memcmp(sb[k]->y, sf[k]->y, sb[k]->n * sizeof *sb[k]->y), 0);
			ck_assert_int_eq(memcmp(rb, lrs_split_rows(sf[k], 0, sf[k]->n, NULL),
			                        sb[k]->n * D * sizeof *rb), 0);
			for (size_t i = 0; i < sb[k]->n; i++) {
				lrs_split_row(sb[k], i, a);
				lrs_split_row(sf[k], i, b);
				ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
			}
		}
		lrs_split_gather(&bytes->train, idx, 8, ga, ya);
		lrs_split_gather(&floats->train, idx, 8, gb, yb);
		ck_assert_int_eq(memcmp(ga, gb, 8 * D * sizeof *ga), 0);
		ck_assert_int_eq(memcmp(ya, yb, sizeof ya), 0);
		for (size_t i = 0; i < 8; i++) {
			lrs_split_row(&bytes->train, idx[i], a);
			ck_assert_int_eq(memcmp(ga + i * D, a, sizeof a), 0);
			ck_assert_int_eq(ya[i], bytes->train.y[idx[i]]);
		}
		if (norm == LRS_NORM_SCALE) {   /* pixels become x * (float)(1/max) */
			lrs_split_row(&bytes->train, 0, a);
			for (size_t j = 0; j < D; j++) {
				ck_assert_float_eq(a[j], (float)bytes->train.x8[j] * (float)bytes->norm_b);
				ck_assert(a[j] >= 0 && a[j] <= 1);
			}
		}
		lrs_dataset_free(bytes);
		lrs_dataset_free(floats);
	}
	free(scratch);
	free(ga);
	free(gb);
}
END_TEST

/* ------------------------------------------------------------- spread */

/* Four rows of three varying columns (std 0.5, 1 and k / 2) and a
 * constant one: the spread as measured, and whether it warns. */
static int spread_of(lrs_feature_spread *sp, float k, lrs_normalize norm, char *buf, size_t cap)
{
	float x[16] = { 0, 0, 1e6f, 0, 1, 2, 1e6f, k, 0, 0, 1e6f, 0, 1, 2, 1e6f, k };   /* (4, 4) */
	int32_t y[4] = { 0, 1, 0, 1 };
	lrs_split s = { .x = x, .y = y, .n = 4, .d = 4 };

	ck_assert_int_eq(lrs_feature_spread_measure(sp, &s), 0);
	return lrs_feature_spread_warning(buf, cap, sp, norm, "t.csv", NULL);
}

/* The pure part: the constant column is left out of the median (counted,
 * its std 0 would make the median 0.5 and the ratio twice as high), the
 * threshold is strict, and only none and scale warn. */
START_TEST(spread_threshold_and_constant_columns)
{
	lrs_feature_spread sp;
	char buf[512];

	/* k = 20: the widest std 10 is exactly 10x the median 1: no warning */
	ck_assert_int_eq(spread_of(&sp, 20, LRS_NORM_NONE, buf, sizeof buf), 0);
	ck_assert_uint_eq(sp.varying, 3);
	ck_assert_uint_eq(sp.widest, 3);
	ck_assert_double_eq(sp.max_std, 10);
	ck_assert_double_eq(sp.median_std, 1);
	ck_assert_double_eq(sp.ratio, LRS_SPREAD_WARN_RATIO);
	ck_assert_str_eq(buf, "");
	/* k = 20.25: 10.125x, just above */
	ck_assert_int_eq(spread_of(&sp, 20.25f, LRS_NORM_NONE, buf, sizeof buf), 1);
	ck_assert_double_eq(sp.ratio, 10.125);
	ck_assert_msg(strstr(buf, "t.csv: ") == buf && strstr(buf, "normalize: none") && strstr(buf, "column 4 std 10.1") &&
	              strstr(buf, "median column std 1)") && strstr(buf, "1.0 decades") &&
	              strstr(buf, "normalize: standardize puts every column at std 1") && !strchr(buf, '\n'), "%s", buf);
	ck_assert_int_eq(spread_of(&sp, 20.25f, LRS_NORM_SCALE, buf, sizeof buf), 1);
	ck_assert_ptr_nonnull(strstr(buf, "normalize: scale"));
	ck_assert_int_eq(spread_of(&sp, 20.25f, LRS_NORM_STANDARDIZE, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
	/* a header name names the column */
	ck_assert_int_eq(lrs_feature_spread_warning(buf, sizeof buf, &sp, LRS_NORM_NONE, "t.csv", "price"), 1);
	ck_assert_msg(strstr(buf, "column 'price' std 10.1"), "%s", buf);
}
END_TEST

/* Bytes are measured as the model reads them: shift and scale applied. */
START_TEST(spread_of_bytes_as_normalised)
{
	uint8_t x8[8] = { 0, 0, 2, 200, 0, 0, 2, 200 };   /* (4, 2): raw stds 1 and 100 */
	int32_t y[4] = { 0, 1, 0, 1 };
	float shift[2] = { 0, 0 }, scale[2] = { 1, 0.01f };
	lrs_split s = { .x8 = x8, .y = y, .n = 4, .d = 2 };
	lrs_feature_spread sp;

	ck_assert_int_eq(lrs_feature_spread_measure(&sp, &s), 0);
	ck_assert_double_eq(sp.ratio, 100);   /* two columns: the median is the lower one */
	s.shift = shift;
	s.scale = scale;
	ck_assert_int_eq(lrs_feature_spread_measure(&sp, &s), 0);
	ck_assert_double_lt(fabs(sp.ratio - 1), 1e-6);
}
END_TEST

/* Through lrs_dataset_load: a csv with one wide column warns under none
 * and scale (naming the file and the header's column), not standardized
 * (set or by default); images and synthetic data by default do not. */
START_TEST(spread_warning_by_normalisation)
{
	char text[4096], *p = text;
	const char *im, *lb;

	p += sprintf(p, "a,b,price,label\n");
	for (int i = 0; i < 40; i++)
		p += sprintf(p, "%g,%g,%g,%d\n", (double)(i % 5) * 0.1, (double)(i % 3) * 0.2, 1000.0 + 900.0 * (i % 7), i % 2);
	const char *path = write_text("wide.csv", text);
	lrs_data_config cfg = csv_config(path, 0.25, LRS_NORM_NONE, 5);
	static const lrs_normalize norms[4] = { LRS_NORM_NONE, LRS_NORM_SCALE, LRS_NORM_STANDARDIZE, LRS_NORM_AUTO };

	for (int k = 0; k < 4; k++) {
		cfg.normalize = norms[k];
		lrs_dataset *ds = load_ok(&cfg);
		if (k < 2) {
			ck_assert_ptr_nonnull(ds->spread_warning);
			ck_assert_msg(strstr(ds->spread_warning, path) == ds->spread_warning &&
			              strstr(ds->spread_warning, "column 'price' std "), "%s", ds->spread_warning);
			ck_assert_uint_eq(ds->spread.widest, 2);
			ck_assert_double_gt(ds->spread.ratio, 1000);
		} else {
			ck_assert_ptr_null(ds->spread_warning);
			ck_assert_double_lt(fabs(ds->spread.ratio - 1), 1e-5);
		}
		lrs_dataset_free(ds);
	}
	lrs_data_config others[2] = {
		{ .train = { .format = LRS_DATA_IDX }, .normalize = LRS_NORM_AUTO },
		{ .train = { .format = LRS_DATA_SYNTHETIC, .kind = "blobs", .samples = 200, .classes = 3, .dims = 5,
		             .noise = NAN }, .normalize = LRS_NORM_AUTO },
	};
	write_idx("s", 50, 4, 4, 1, &im, &lb);
	others[0].train.images = im;
	others[0].train.labels = lb;
	for (int k = 0; k < 2; k++) {
		lrs_dataset *ds = load_ok(&others[k]);
		ck_assert_int_eq(ds->normalize, LRS_NORM_SCALE);
		ck_assert_ptr_null(ds->spread_warning);
		ck_assert_uint_gt(ds->spread.varying, 1);
		lrs_dataset_free(ds);
	}
}
END_TEST

/* Samples per class: every class counted, absent ones 0, the counts
 * zeroed first (what was in them before does not add up). */
START_TEST(class_counts)
{
	int32_t y[] = { 2, 0, 2, 2, 0, 2 };
	lrs_split s = { .y = y, .n = 6, .d = 1 };
	size_t counts[4] = { 9, 9, 9, 9 };

	lrs_split_class_counts(counts, &s, 4);
	ck_assert_uint_eq(counts[0], 2);
	ck_assert_uint_eq(counts[1], 0);
	ck_assert_uint_eq(counts[2], 4);
	ck_assert_uint_eq(counts[3], 0);
	s.n = 0;
	lrs_split_class_counts(counts, &s, 4);
	ck_assert_uint_eq(counts[0] + counts[1] + counts[2] + counts[3], 0);
}
END_TEST

/* -------------------------------------------------------- label checks */

/* Exact one-hot label rows (Keras' to_categorical), in any dtype and
 * either memory order, are their argmax; soft labels, multi-label rows
 * and rows without a 1 are refused with the argmax to save instead. */
START_TEST(npy_one_hot_labels)
{
	float x[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const int cls[4] = { 2, 0, 1, 2 };
	float hot[12] = { 0 }, hot_f[12] = { 0 };    /* (4, 3) C order; the same, Fortran order */
	unsigned char hot8[12] = { 0 };
	const char *px = write_npy("x.npy", 1, "<f4", "(4, 2)", x, sizeof x);
	lrs_data_source src = { .format = LRS_DATA_NPY, .features = px };
	lrs_split s;

	for (int i = 0; i < 4; i++) {
		hot[i * 3 + cls[i]] = 1;
		hot8[i * 3 + cls[i]] = 1;
		hot_f[cls[i] * 4 + i] = 1;
	}
	const char *files[3] = {
		write_npy("yc.npy", 1, "<f4", "(4, 3)", hot, sizeof hot),
		write_npy_order("yf.npy", 1, "<f4", 1, "(4, 3)", hot_f, sizeof hot_f),
		write_npy("yb.npy", 1, "|b1", "(4, 3)", hot8, sizeof hot8),
	};
	for (int k = 0; k < 3; k++) {
		src.labels = files[k];
		ck_assert_msg(lrs_data_load_source(&s, &src, 0) == 0, "%s: %s", files[k], lrs_error_last());
		ck_assert_uint_eq(s.n, 4);
		for (int i = 0; i < 4; i++)
			ck_assert_int_eq(s.y[i], cls[i]);
		ck_assert_float_eq(s.x[7], 8.0f);
		lrs_split_free(&s);
	}
	/* through the dataset: 3 classes, and `lrsweep data` says how they were read */
	lrs_data_config cfg = { .train = src, .normalize = LRS_NORM_NONE, .limit = 3 };
	cfg.train.labels = files[0];
	lrs_dataset *ds = load_ok(&cfg);
	ck_assert_int_eq(ds->classes, 3);
	ck_assert_uint_eq(ds->train.n, 3);
	ck_assert_ptr_nonnull(strstr(ds->read_train, "one-hot labels"));
	lrs_dataset_free(ds);

	/* refused: a soft label, two 1s in a row, no 1, a 3-D array */
	float soft[12], multi[12], none[12];
	memcpy(soft, hot, sizeof hot);
	soft[3] = 0.75f;   /* row 1: 0.75 0 0 */
	memcpy(multi, hot, sizeof hot);
	multi[8] = 1;      /* row 2: 0 1 1 */
	memcpy(none, hot, sizeof hot);
	none[11] = 0;      /* row 3: 0 0 0 */
	const struct { const char *path, *needle; } bad[4] = {
		{ write_npy("ys.npy", 1, "<f4", "(4, 3)", soft, sizeof soft), "[1, 0] is 0.75, not 0 or 1" },
		{ write_npy("ym.npy", 1, "<f4", "(4, 3)", multi, sizeof multi), "row 2 has more than one 1" },
		{ write_npy("yn.npy", 1, "<f4", "(4, 3)", none, sizeof none), "row 3 has no 1" },
		{ write_npy("y3.npy", 1, "<f4", "(4, 3, 1)", hot, sizeof hot), "labels must be 1-D (n,)" },
	};
	for (int k = 0; k < 4; k++) {
		src.labels = bad[k].path;
		ck_assert_int_eq(lrs_data_load_source(&s, &src, 0), LRS_EINVALID);
		ck_assert_msg(strstr(lrs_error_last(), bad[k].path) && strstr(lrs_error_last(), bad[k].needle) &&
		              (k == 3 || strstr(lrs_error_last(), "y.argmax(axis=1)")), "%s", lrs_error_last());
	}
}
END_TEST

/* Fractional labels are refused with what a continuous target needs. */
START_TEST(fractional_labels_say_to_bin)
{
	float x[2] = { 1, 2 };
	double y[2] = { 0, 21.5 };
	lrs_split s;
	const char *csv = write_text("f.csv", "1,0\n2,21.5\n");
	lrs_data_source src = { .format = LRS_DATA_NPY, .features = write_npy("x.npy", 1, "<f4", "(2,)", x, sizeof x),
	                        .labels = write_npy("y.npy", 1, "<f8", "(2,)", y, sizeof y) };

	ck_assert_int_eq(lrs_data_load_source(&s, &src, 0), LRS_EINVALID);
	ck_assert_msg(strstr(lrs_error_last(), "is not an integer (21.5): lrsweep trains classifiers") &&
	              strstr(lrs_error_last(), "quantiles"), "%s", lrs_error_last());
	ck_assert_int_eq(lrs_data_load_source(&s, &(lrs_data_source){ .format = LRS_DATA_CSV, .path = csv,
	                                       .header = -1 }, 0), LRS_EINVALID);
	ck_assert_msg(strstr(lrs_error_last(), "label 21.5 is not an integer: lrsweep trains classifiers") &&
	              strstr(lrs_error_last(), "qcut"), "%s", lrs_error_last());
}
END_TEST

/* A regression target given as labels: many values, few rows each, gaps
 * between them. Class codes (0 .. K-1, 1 .. K) cut short and labels with
 * rows enough per class are classes. */
START_TEST(regression_target_warns)
{
	int32_t v[40];
	char buf[LRS_LABEL_WARNING];

	for (int k = 0; k < 40; k++)
		v[k] = 25 + 7 * k;   /* 25, 32, ..., 298: gaps */
	ck_assert_int_eq(lrs_labels_regression_warning(buf, sizeof buf, "d.csv", 80, v, 40), 1);
	ck_assert_msg(strstr(buf, "d.csv: 40 different labels over 80 rows (2.0 a class), numbers from 25 to 298") == buf &&
	              strstr(buf, "regression target") && strstr(buf, "quantiles"), "%s", buf);
	ck_assert_int_eq(lrs_labels_regression_warning(buf, sizeof buf, "d.csv", 5 * 40, v, 40), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(lrs_labels_regression_warning(buf, sizeof buf, "d.csv", 18, v, LRS_REGRESSION_CLASSES - 1), 0);
	for (int k = 0; k < 40; k++)
		v[k] = k + 1;        /* 1 .. 40: a code */
	ck_assert_int_eq(lrs_labels_regression_warning(buf, sizeof buf, "d.csv", 80, v, 40), 0);

	/* through the dataset: a warning, the classes as before */
	char text[4096], *p = text;
	for (int i = 0; i < 60; i++)
		p += sprintf(p, "%d,%d,%d\n", i, (i * 7) % 11, 100 + 3 * (i % 25));
	lrs_data_config cfg = csv_config(write_text("r.csv", text), 0, LRS_NORM_NONE, 1);
	lrs_dataset *ds = load_ok(&cfg);
	ck_assert_int_eq(ds->classes, 25);
	ck_assert_uint_eq(ds->n_label_warnings, 1);
	ck_assert_ptr_nonnull(strstr(ds->label_warnings[0], "regression target"));
	lrs_dataset_free(ds);
}
END_TEST

/* Class codes 1 .. K (or 0 .. K-1) of many classes with few rows each -
 * a face-recognition set of 100 people, 4 photos each - with a class or a
 * few absent (one person left out, a `limit` on shuffled rows) are
 * classes, not a regression target: they warned as "numbers from 1 to 100
 * with gaps". Codes with most numbers absent still warn. */
START_TEST(class_codes_with_absent_classes_do_not_warn)
{
	int32_t v[100];
	char buf[LRS_LABEL_WARNING];
	size_t k = 0;

	for (int c = 1; c <= 100; c++)
		if (c != 37)
			v[k++] = c;   /* 1 .. 100 but 37 */
	ck_assert_int_eq(lrs_labels_regression_warning(buf, sizeof buf, "faces.csv", 4 * k, v, k), 0);
	ck_assert_str_eq(buf, "");
	k = 0;
	for (int c = 0; c < 100; c++)
		if (c % 10 != 3)
			v[k++] = c;   /* 0 .. 99, a tenth absent */
	ck_assert_int_eq(lrs_labels_regression_warning(buf, sizeof buf, "faces.csv", 3 * k, v, k), 0);
	k = 0;
	for (int c = 1; c <= 100; c += 2)
		v[k++] = c;       /* 1, 3, .., 99: half the numbers absent */
	ck_assert_int_eq(lrs_labels_regression_warning(buf, sizeof buf, "d.csv", 2 * k, v, k), 1);

	/* through the dataset: 99 people of 100, 4 rows each */
	char text[8192], *p = text;
	for (int i = 0; i < 400; i++)
		if (i % 100 + 1 != 37)
			p += sprintf(p, "%d,%d,%d\n", (i * 7) % 13, (i * 11) % 17, i % 100 + 1);
	lrs_data_config cfg = csv_config(write_text("faces.csv", text), 0, LRS_NORM_NONE, 1);
	lrs_dataset *ds = load_ok(&cfg);
	ck_assert_int_eq(ds->classes, 99);
	for (size_t w = 0; w < ds->n_label_warnings; w++)
		ck_assert_msg(!strstr(ds->label_warnings[w], "regression target"), "%s", ds->label_warnings[w]);
	lrs_dataset_free(ds);
}
END_TEST

/* Names equal but for ASCII case and blanks around them are named, in
 * groups; others are not. */
START_TEST(lookalike_names_warn)
{
	char *const names[6] = { "Cat", "Dog", " dog", "cat", "cat ", "eel" };   /* byte order, as the loader's */
	char *const apart[3] = { "cat", "cats", "dog" };
	char buf[LRS_LABEL_WARNING];

	ck_assert_int_eq(lrs_labels_lookalike_warning(buf, sizeof buf, "a.csv", apart, 3), 0);
	ck_assert_int_eq(lrs_labels_lookalike_warning(buf, sizeof buf, "a.csv", names, 6), 1);
	ck_assert_msg(strstr(buf, "a.csv: ") == buf && strstr(buf, "'Cat', 'cat' and 'cat '") &&
	              strstr(buf, "'Dog' and ' dog'") && strstr(buf, "2 look-alike groups, 5 classes") &&
	              !strstr(buf, "eel"), "%s", buf);

	/* through the dataset: the classes stay apart, as they were */
	const char *path = write_text("a.csv", "x,animal\n1,cat\n2,Cat\n3,\"cat \"\n4,dog\n5,cat\n6,dog\n");
	lrs_data_config cfg = csv_config(path, 0, LRS_NORM_NONE, 1);
	lrs_dataset *ds = load_ok(&cfg);
	ck_assert_int_eq(ds->classes, 4);
	ck_assert_uint_eq(ds->n_label_warnings, 1);
	ck_assert_msg(strstr(ds->label_warnings[0], "'Cat', 'cat' and 'cat '"), "%s", ds->label_warnings[0]);
	lrs_dataset_free(ds);
}
END_TEST

/* Classes the test data holds and the training data does not are named
 * with their rows; test data within the training classes is quiet. */
START_TEST(unseen_test_classes_warn)
{
	const size_t train[5] = { 10, 10, 10, 0, 0 }, test[5] = { 4, 3, 3, 2, 8 }, within[5] = { 4, 3, 3, 0, 0 };
	char *const names[5] = { "ant", "bee", "cat", "dog", "eel" };
	char buf[LRS_LABEL_WARNING];

	ck_assert_int_eq(lrs_labels_unseen_warning(buf, sizeof buf, "t.csv", "the test data", "the training data",
	                                           train, within, 5, NULL, 0, NULL), 0);
	ck_assert_int_eq(lrs_labels_unseen_warning(buf, sizeof buf, "t.csv", "the test data", "the training data",
	                                           train, test, 5, NULL, 0, NULL), 1);
	ck_assert_msg(strstr(buf, "t.csv: the test data has labels 3 and 4 (10 of its 20 rows)") == buf &&
	              strstr(buf, "at most 50.0%"), "%s", buf);
	ck_assert_int_eq(lrs_labels_unseen_warning(buf, sizeof buf, "t.csv", "the test data", "the training data",
	                                           train, test, 5, names, 1, "fix it"), 1);
	ck_assert_msg(strstr(buf, "labels 'dog' and 'eel'") && strstr(buf, "; fix it"), "%s", buf);

	/* through the dataset: train 0 .. 2, test 0 .. 4 */
	char text[2048], *p = text;
	for (int i = 0; i < 30; i++)
		p += sprintf(p, "%d,%d,%d\n", i, (i * 5) % 7, i % 3);
	lrs_data_config cfg = csv_config(write_text("train.csv", text), 0, LRS_NORM_NONE, 1);
	const char *t = write_text("test.csv", "1,2,0\n2,3,3\n3,4,4\n4,5,4\n5,6,1\n");
	cfg.test = (lrs_data_source){ .format = LRS_DATA_CSV, .path = t, .header = -1 };
	cfg.has_test = 1;
	lrs_dataset *ds = load_ok(&cfg);
	ck_assert_int_eq(ds->classes, 5);
	ck_assert_uint_eq(ds->n_label_warnings, 1);
	ck_assert_msg(strstr(ds->label_warnings[0], t) == ds->label_warnings[0] &&
	              strstr(ds->label_warnings[0], "labels 3 and 4 (3 of its 5 rows)"), "%s", ds->label_warnings[0]);
	lrs_dataset_free(ds);
	cfg.test.path = write_text("test2.csv", "1,2,0\n2,3,2\n");
	ds = load_ok(&cfg);
	ck_assert_uint_eq(ds->n_label_warnings, 0);
	lrs_dataset_free(ds);
}
END_TEST

/* A class of one row that an unstratified split puts in validation is
 * named, with stratify: true as the fix; whichever seed, the warning
 * comes exactly when the class has no training row, and stratified
 * splits never warn. */
START_TEST(validation_split_empties_a_class)
{
	char text[2048], *p = text;
	int warned = 0;

	for (int i = 0; i < 40; i++)
		p += sprintf(p, "%d,%d,%d\n", i, (i * 5) % 7, i == 17 ? 9 : i % 2);
	lrs_data_config cfg = csv_config(write_text("v.csv", text), 0.5, LRS_NORM_NONE, 1);
	for (uint64_t seed = 1; seed <= 12; seed++) {
		size_t counts[3];
		cfg.seed = seed;
		lrs_dataset *ds = load_ok(&cfg);
		lrs_split_class_counts(counts, &ds->train, ds->classes);
		ck_assert_uint_eq(ds->n_label_warnings, counts[2] == 0);
		if (counts[2] == 0) {
			warned++;
			ck_assert_msg(strstr(ds->label_warnings[0], "the validation split has a label 9 (1 of its 20 rows)") &&
			              strstr(ds->label_warnings[0], "stratify: true"), "%s", ds->label_warnings[0]);
		}
		lrs_dataset_free(ds);
		cfg.stratify = 1;
		ds = load_ok(&cfg);
		ck_assert_uint_eq(ds->n_label_warnings, 0);
		lrs_dataset_free(ds);
		cfg.stratify = 0;
	}
	ck_assert_int_gt(warned, 0);   /* half the seeds, about */
}
END_TEST

/* Features that give the label away: one-hot columns beside a 0/1 label
 * column (before it or after it, with a header or without), a copy or a
 * recoding of the label; ordinary features, and too few rows to tell,
 * are quiet. */
START_TEST(leaky_columns_warn)
{
	char text[8192], *p = text;
	lrs_dataset *ds;

	/* features a, b, then one-hot columns c0 c1 c2, the label the last */
	p += sprintf(p, "a,b,c0,c1,c2\n");
	for (int i = 0; i < 30; i++)
		p += sprintf(p, "%d,%d,%d,%d,%d\n", i, (i * 5) % 7, i % 3 == 0, i % 3 == 1, i % 3 == 2);
	lrs_data_config cfg = csv_config(write_text("h.csv", text), 0, LRS_NORM_NONE, 1);
	ds = load_ok(&cfg);
	ck_assert_int_eq(ds->classes, 2);
	ck_assert_uint_eq(ds->n_label_warnings, 1);
	ck_assert_msg(strstr(ds->label_warnings[0], "the label column 'c2' and the feature columns 'c0' and 'c1' are "
	                     "one-hot") && strstr(ds->label_warnings[0], "not 3"), "%s", ds->label_warnings[0]);
	lrs_dataset_free(ds);
	/* no header, the label the first of the one-hot columns: after it */
	cfg.train.path = write_text("h2.csv", strchr(text, '\n') + 1);
	cfg.train.label = "2";
	ds = load_ok(&cfg);
	ck_assert_uint_eq(ds->n_label_warnings, 1);
	ck_assert_msg(strstr(ds->label_warnings[0], "the label column 3 and the feature columns 4 and 5 (from 1)"),
	              "%s", ds->label_warnings[0]);
	lrs_dataset_free(ds);

	/* a recoding of names: code 10, 20, 30 for ant, bee, cat */
	p = text;
	p += sprintf(p, "a,code,b,label\n");
	for (int i = 0; i < 30; i++)
		p += sprintf(p, "%d,%d,%d,%s\n", i, 10 + 10 * (i % 3), (i * 5) % 7, (const char *[]){ "ant", "bee", "cat" }[i % 3]);
	cfg = csv_config(write_text("c.csv", text), 0, LRS_NORM_NONE, 1);
	ds = load_ok(&cfg);
	ck_assert_uint_eq(ds->n_label_warnings, 1);
	ck_assert_msg(strstr(ds->label_warnings[0], "column 'code' determines the label exactly") &&
	              strstr(ds->label_warnings[0], "drop: [code]"), "%s", ds->label_warnings[0]);
	lrs_dataset_free(ds);
	/* fewer than 2 rows a class: 5 rows of 3 classes cannot tell */
	cfg.limit = 5;
	ds = load_ok(&cfg);
	ck_assert_uint_eq(ds->n_label_warnings, 0);
	lrs_dataset_free(ds);

	/* ordinary features (an id, a cycle, the label i % 3) are quiet */
	cfg = csv_config(write_rows("r.csv", 200), 0.2, LRS_NORM_NONE, 3);
	ds = load_ok(&cfg);
	ck_assert_uint_eq(ds->n_label_warnings, 0);
	lrs_dataset_free(ds);

	/* pure: an array's features are named by index; a constant column
	 * is no recoding (over LRS_LEAK_BINARY_ROWS rows: a 0/1 label's
	 * copy over fewer may be chance, binary_feature_agreeing_by_chance) */
	enum { R = LRS_LEAK_BINARY_ROWS };
	float x[3 * R];   /* (R, 3): feature 2 is 5 or 6 by class */
	int32_t y[R];
	for (int i = 0; i < R; i++) {
		y[i] = i % 2;
		x[3 * i] = 0;
		x[3 * i + 1] = (float)(5 + y[i]);
		x[3 * i + 2] = (float)((i * 7) % 10);
	}
	lrs_split s = { .x = x, .y = y, .n = R, .d = 3 };
	char buf[LRS_LABEL_WARNING];
	ck_assert_int_eq(lrs_labels_leak_warning(buf, sizeof buf, "x.npy", &s, 2, &(lrs_feature_columns){ 0 }), 1);
	ck_assert_msg(strstr(buf, "x.npy: feature 2 (from 1) determines") && strstr(buf, "features array"), "%s", buf);
	for (int i = 0; i < R; i++)
		x[3 * i + 1] = 5;
	ck_assert_int_eq(lrs_labels_leak_warning(buf, sizeof buf, "x.npy", &s, 2, &(lrs_feature_columns){ 0 }), 0);
}
END_TEST

/* A binary feature that agrees with a binary label on every row of a
 * small sample - scikit-learn's breast cancer 'worst perimeter > 105',
 * which agrees with the label on 92% of its 569 rows, on 20 of them - is
 * real signal, not a copy of the label: it was named as one ("determines
 * the label exactly ... a copy or a recoding"). Over 100 rows and more
 * the same agreement is a copy. Here the feature equals the label on
 * every row: on 20 rows, chance; on LRS_LEAK_BINARY_ROWS, a copy. */
START_TEST(binary_feature_agreeing_by_chance_is_quiet)
{
	enum { N = LRS_LEAK_BINARY_ROWS };
	float x[2 * N];
	int32_t y[N];
	lrs_split s = { .x = x, .y = y, .d = 2 };
	char buf[LRS_LABEL_WARNING];
	lrs_rng rng;

	lrs_rng_seed(&rng, 7);
	for (size_t i = 0; i < N; i++) {
		y[i] = (int32_t)(i % 2);
		x[2 * i] = (float)lrs_rng_uniform(&rng);   /* a measurement */
		x[2 * i + 1] = (float)y[i];                /* agrees on these rows */
	}
	s.n = 20;   /* a small sample: chance agreement */
	ck_assert_int_eq(lrs_labels_leak_warning(buf, sizeof buf, "s.csv", &s, 2, &(lrs_feature_columns){ 0 }), 0);
	ck_assert_str_eq(buf, "");
	s.n = N;    /* a copy */
	ck_assert_int_eq(lrs_labels_leak_warning(buf, sizeof buf, "s.csv", &s, 2, &(lrs_feature_columns){ 0 }), 1);
	ck_assert_msg(strstr(buf, "feature 2 (from 1) determines"), "%s", buf);
}
END_TEST

/* scikit-learn's bundled data (tests/data/sklearn) raises no label
 * warning: its labels are classes, its features honest. */
START_TEST(real_data_raises_no_label_warning)
{
	const char *files[2] = { "tests/data/sklearn/iris.csv", "tests/data/sklearn/wine_data.csv" };

	for (int k = 0; k < 2; k++) {
		lrs_data_config cfg = csv_config(files[k], 0.1, LRS_NORM_AUTO, 1);
		cfg.train.skip_rows = 1;
		lrs_dataset *ds = load_ok(&cfg);
		ck_assert_msg(ds->n_label_warnings == 0, "%s: %s", files[k], ds->label_warnings[0]);
		lrs_dataset_free(ds);
	}
}
END_TEST

Suite *suite_data(void)
{
	Suite *s = suite_create("data");
	TCase *tc;

	tc = tcase_create("loaders");
	tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
	tcase_add_test(tc, idx_raw_and_gz);
	tcase_add_test(tc, class_counts);
	tcase_add_test(tc, idx_gz_grows_its_buffer);
	tcase_add_test(tc, idx_limit);
	tcase_add_test(tc, idx_limit_past_the_first_chunk);
	tcase_add_test(tc, idx_wrong_kind_and_missing);
	tcase_add_test(tc, csv_label_forms_and_header);
	tcase_add_test(tc, csv_without_header);
	tcase_add_test(tc, csv_label_column_errors);
	tcase_add_test(tc, npy_dtypes_and_versions);
	tcase_add_test(tc, npy_labels_column_vector);
	tcase_add_test(tc, npy_every_dtype_as_numpy_converts);
	tcase_add_test(tc, npy_containers_read_the_same);
	suite_add_tcase(s, tc);

	tc = tcase_create("synthetic");
	tcase_add_test(tc, synthetic_shapes_and_determinism);
	tcase_add_test(tc, synthetic_xor_quadrants);
	tcase_add_test(tc, synthetic_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("dataset");
	tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
	tcase_add_test(tc, split_sizes_and_determinism);
	tcase_add_test(tc, split_without_validation_keeps_order);
	tcase_add_test(tc, limit_takes_the_first_rows);
	tcase_add_test(tc, scale_uses_train_only);
	tcase_add_test(tc, scale_never_passes_one);
	tcase_add_test(tc, standardize_uses_train_only);
	tcase_add_test(tc, constant_features_are_guarded);
	tcase_add_test(tc, classes_over_all_splits);
	tcase_add_test(tc, validation_must_leave_training_data);
	tcase_add_test(tc, synthetic_dataset_and_test_stream);
	tcase_add_test(tc, bytes_and_floats_read_the_same);
	tcase_add_test(tc, npy_one_feature_and_limit);
	tcase_add_test(tc, npz_train_and_test_from_one_archive);
	suite_add_tcase(s, tc);

	tc = tcase_create("labels and layout");
	tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
	tcase_add_test(tc, numeric_labels_not_from_zero_are_mapped);
	tcase_add_test(tc, labels_any_int32_as_label_encoder);
	tcase_add_test(tc, labels_bounded_in_count);
	tcase_add_test(tc, stratified_validation_split);
	tcase_add_test(tc, csv_label_names);
	tcase_add_test(tc, label_names_over_train_and_test);
	tcase_add_test(tc, csv_mixed_labels_are_refused);
	tcase_add_test(tc, csv_delimiters);
	tcase_add_test(tc, csv_skip_rows);
	tcase_add_test(tc, csv_drop_columns);
	tcase_add_test(tc, csv_text_column_hint);
	tcase_add_test(tc, csv_gzip_reads_ahead_as_plain);
	tcase_add_test(tc, normalize_default_by_source);
	tcase_add_test(tc, spread_threshold_and_constant_columns);
	tcase_add_test(tc, spread_of_bytes_as_normalised);
	tcase_add_test(tc, spread_warning_by_normalisation);
	tcase_add_test(tc, digest_follows_the_data);
	suite_add_tcase(s, tc);

	tc = tcase_create("label checks");
	tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
	tcase_add_test(tc, npy_one_hot_labels);
	tcase_add_test(tc, fractional_labels_say_to_bin);
	tcase_add_test(tc, regression_target_warns);
	tcase_add_test(tc, class_codes_with_absent_classes_do_not_warn);
	tcase_add_test(tc, lookalike_names_warn);
	tcase_add_test(tc, unseen_test_classes_warn);
	tcase_add_test(tc, validation_split_empties_a_class);
	tcase_add_test(tc, leaky_columns_warn);
	tcase_add_test(tc, binary_feature_agreeing_by_chance_is_quiet);
	tcase_add_test(tc, real_data_raises_no_label_warning);
	suite_add_tcase(s, tc);

	tc = tcase_create("fashion-mnist");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, fashion_mnist_real_files);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad");
	tcase_add_loop_test(tc, bad_file_fails_with_its_name, 0, (int)(sizeof bad_files / sizeof bad_files[0]));
	tcase_add_test(tc, bad_corpus_companions_are_good);
	suite_add_tcase(s, tc);
	return s;
}
