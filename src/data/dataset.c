/* dataset.c - from a data config to the dataset every trial reads.
 *
 * The pipeline: load the training source (only its first `limit` samples),
 * shuffle its rows in place with Fisher-Yates driven by the seed, take the
 * first round(validation * n) rows as the validation split and the rest as
 * the training split (two views of one buffer: the features are never
 * copied), load the test source if any, compute the normalisation
 * statistics on the training split alone and apply them to all three
 * (in place to float32 features; features kept as bytes get the
 * per-feature shift and scale, applied as rows are read: split.c), and
 * make the labels class numbers 0 .. K-1 over train and test together:
 * numbers that are 0 .. K-1 already stay (Fashion-MNIST, synthetic
 * data), other numbers (1 .. K, gaps) and CSV names are mapped in sorted
 * order, as scikit-learn's LabelEncoder does, the mapping kept as
 * class_names. With validation 0 nothing is shuffled: the training rows
 * keep the file's order.
 *
 * Unless the experiment sets `normalize`, features of bytes (images) and
 * synthetic data are scaled with one minimum and maximum (x / 255 for
 * pixels; the points keep their shape), and the float features of csv
 * and npy files, whose columns have units of their own, are standardized
 * per feature. Then the training split's features are measured as the
 * model sees them: columns left on their own scales (none, scale) whose
 * spreads differ too much get a warning, kept for the command line
 * (spread.c); so do labels that are likely a mistake (a regression
 * target, look-alike names, classes only the test data or the
 * validation split has, features that give the label away: labels.c),
 * which change nothing that is loaded.
 *
 * A synthetic test source continues the training source's stream (samples
 * after the training ones, same seed): fresh points from the same
 * distribution.
 *
 * Not here: the file formats (idx.c, csv.c, npy.c and npz.c, synthetic.c); reading
 * rows and batches (split.c). */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "lrsweep/error.h"
#include "lrsweep/rng.h"
#include "internal.h"

#define FASHION_DIR "/usr/share/datasets/fashion-mnist/"
#define FASHION_PKG "dataset-fashion-mnist"

/* What lrs_dataset.storage points to: the allocations behind the splits. */
typedef struct {
	lrs_split whole;       /* the training source: val rows, then train rows */
	lrs_split test;        /* the test source, or empty                      */
	float *shift, *scale;  /* (d) the normalisation, for splits of bytes     */
	char **names;          /* (n_names) the class names, or NULL             */
	size_t n_names;
	char warning[512];     /* behind ds->spread_warning                      */
	char label_warning[LRS_LABEL_WARNINGS][LRS_LABEL_WARNING]; /* behind
	                          ds->label_warnings                        */
	char read_train[LRS_DATA_ABOUT]; /* behind ds->read_train: npy, npz     */
	char read_test[LRS_DATA_ABOUT];  /* behind ds->read_test                */
} storage;

/* -------------------------------------------------------------- sources */

/* The name error messages give a source: its (first) file. */
static const char *source_name(const lrs_data_source *src)
{
	switch (src->format) {
	case LRS_DATA_IDX:
		return src->images ? src->images : "idx data";
	case LRS_DATA_CSV:
		return src->path ? src->path : "csv data";
	case LRS_DATA_NPY:
		return src->features ? src->features : "npy data";
	case LRS_DATA_NPZ:
		return src->path ? src->path : "npz data";
	case LRS_DATA_SYNTHETIC:
		return "synthetic data";
	}
	return "data";
}

/* The name warnings about the labels give: the labels' own file (idx,
 * npy), else the source's. */
static const char *labels_name(const lrs_data_source *src)
{
	return (src->format == LRS_DATA_IDX || src->format == LRS_DATA_NPY) && src->labels ? src->labels
	                                                                                   : source_name(src);
}

/* The buffer of the next label warning: kept by keep_warning. */
static char *warning_slot(const lrs_dataset *ds, storage *st)
{
	assert(ds->n_label_warnings < LRS_LABEL_WARNINGS);   /* one slot per check */
	return st->label_warning[ds->n_label_warnings];
}

/* Keeps the warning just written into warning_slot when `found`. */
static void keep_warning(lrs_dataset *ds, storage *st, int found)
{
	if (found) {
		ds->label_warnings[ds->n_label_warnings] = st->label_warning[ds->n_label_warnings];
		ds->n_label_warnings++;
	}
}

/* Loads one source: its first `limit` samples (0 = all); synthetic data
 * starts at sample `first` of its stream and reports its class count in
 * *classes (0 for files); a CSV file reports its label names (if its
 * labels are names) and delimiter in *info (zeroed for the others; freed
 * with lrs_csv_info_free); npy and npz arrays say how they were read in
 * `about` ("" for the others). */
static int load_source(lrs_split *out, lrs_csv_info *info, char about[LRS_DATA_ABOUT], const lrs_data_source *src,
                       uint64_t seed, size_t first, size_t limit, int *classes)
{
	*classes = 0;
	memset(out, 0, sizeof *out);
	memset(info, 0, sizeof *info);
	about[0] = '\0';
	switch (src->format) {
	case LRS_DATA_IDX:
		if (!src->images || !src->labels)
			return lrs_error_set(LRS_EINVALID, "idx data: both an images and a labels file are needed");
		return lrs_data_load_idx(out, src->images, src->labels, limit);
	case LRS_DATA_CSV:
		if (!src->path)
			return lrs_error_set(LRS_EINVALID, "csv data: no file given");
		return lrs_data_load_csv(out, info, src, limit);
	case LRS_DATA_NPY:
		if (!src->features || !src->labels)
			return lrs_error_set(LRS_EINVALID, "npy data: both a features and a labels file are needed");
		return lrs_data_load_npy(out, about, src, limit);
	case LRS_DATA_NPZ:
		if (!src->path || !src->features || !src->labels)
			return lrs_error_set(LRS_EINVALID, "npz data: an archive and the keys of its features and labels are needed");
		return lrs_data_load_npy(out, about, src, limit);
	case LRS_DATA_SYNTHETIC:
		return lrs_data_load_synthetic(out, src, seed, first, limit, classes);
	}
	return lrs_error_set(LRS_EINVALID, "data: unknown format %d", (int)src->format);
}

int lrs_data_load_source(lrs_split *out, const lrs_data_source *src, uint64_t seed)
{
	lrs_csv_info info;
	char about[LRS_DATA_ABOUT];
	int classes, rc;

	assert(out && src);
	rc = load_source(out, &info, about, src, seed, 0, 0, &classes);
	lrs_csv_info_free(&info);
	return rc;
}

void lrs_split_free(lrs_split *s)
{
	if (!s)
		return;
	free(s->x);
	free(s->x8);
	free(s->y);
	memset(s, 0, sizeof *s);
}

/* --------------------------------------------------------------- memory */

/* A "Key:   N kB" line of /proc/meminfo in bytes, or -1. */
static double meminfo(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	size_t len = strlen(key);
	double v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, len) == 0 && line[len] == ':') {
			v = 1024.0 * strtod(line + len + 1, NULL);
			break;
		}
	fclose(f);
	return v;
}

/* The first number of a one-line file ("max" or missing: -1). */
static double file_number(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[64];
	double v = -1;

	if (!f)
		return -1;
	if (fgets(buf, sizeof buf, f) && buf[0] >= '0' && buf[0] <= '9')
		v = strtod(buf, NULL);
	fclose(f);
	return v;
}

/* What an address-space or data-size limit leaves: the limit minus what
 * the process already maps (VmSize, or its data segment, from
 * /proc/self/statm) minus LRS_MEMORY_MARGIN_BASE and, for each run at
 * once, LRS_MEMORY_MARGIN_RUN: what a run's thread maps beside the
 * estimate, and what OpenBLAS maps on its first product. */
typedef struct {
	double avail;                   /* bytes left                        */
	double cap, used, margin;       /* an rlimit's value, in use, kept   */
	const char *limit;              /* which limit sets avail            */
} memory_room;

/* VmSize and the data segment of this process, in bytes (-1 unknown). */
static void process_use(double *vm, double *data)
{
	double page = (double)sysconf(_SC_PAGESIZE);
	unsigned long long f[6];        /* /proc/self/statm, in pages        */
	FILE *st = fopen("/proc/self/statm", "r");

	*vm = *data = -1;
	if (!st)
		return;
	if (fscanf(st, "%llu %llu %llu %llu %llu %llu", &f[0], &f[1], &f[2], &f[3], &f[4], &f[5]) == 6) {
		*vm = (double)f[0] * page;
		*data = (double)f[5] * page;
	}
	fclose(st);
}

/* Lowers r->avail to what rlimit `which` leaves above `used`. */
static void rlimit_room(memory_room *r, int which, double used, double margin, const char *name)
{
	struct rlimit rl;
	double v;

	if (getrlimit(which, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return;
	used = used > 0 ? used : 0;
	if ((v = (double)rl.rlim_cur - used - margin) < r->avail) {
		r->avail = v > 0 ? v : 0;
		r->cap = (double)rl.rlim_cur;
		r->used = used;
		r->margin = margin;
		r->limit = name;
	}
}

static void memory_measure(memory_room *r, long runs)
{
	double page = (double)sysconf(_SC_PAGESIZE), v, vm, data;
	double margin = runs > 0 ? LRS_MEMORY_MARGIN_BASE + LRS_MEMORY_MARGIN_RUN * (double)runs : 0;

	memset(r, 0, sizeof *r);
	r->limit = "memory available";
	if ((r->avail = meminfo("MemAvailable")) < 0)
		r->avail = (double)sysconf(_SC_AVPHYS_PAGES) * page;
	if ((v = file_number("/sys/fs/cgroup/memory.max")) >= 0) {
		double used = file_number("/sys/fs/cgroup/memory.current");

		v -= used > 0 ? used : 0;
		if (v < r->avail) {
			r->avail = v > 0 ? v : 0;
			r->limit = "the cgroup's memory limit";
		}
	}
	process_use(&vm, &data);
	rlimit_room(r, RLIMIT_AS, vm, margin, "the address-space limit, ulimit -v");
	rlimit_room(r, RLIMIT_DATA, data, margin, "the data-size limit, ulimit -d");
}

double lrs_memory_available(long runs, const char **limit)
{
	memory_room r;

	memory_measure(&r, runs);
	if (limit)
		*limit = r.limit;
	return r.avail;
}

int lrs_memory_check(double needed, long runs, const char *what)
{
	const double mib = 1024.0 * 1024.0;
	memory_room r;

	memory_measure(&r, runs);
	if (needed <= r.avail)
		return 0;
	if (r.cap > 0)
		return lrs_error_set(LRS_ENOMEM, "%s needs %.0f MiB, only %.0f MiB available (%s): a limit of %.0f MiB, "
		                     "%.0f MiB in use, %.0f MiB kept for threads' stacks and buffers", what,
		                     ceil(needed / mib), floor(r.avail / mib), r.limit, floor(r.cap / mib),
		                     ceil(r.used / mib), r.margin / mib);
	return lrs_error_set(LRS_ENOMEM, "%s needs %.0f MiB, only %.0f MiB available (%s)", what,
	                     ceil(needed / mib), floor(r.avail / mib), r.limit);
}

/* The bytes one source will take once loaded (features as float32 or
 * bytes, int32 labels), told before the data is read: synthetic data from
 * its size, idx and npy files from their headers, a CSV file from its
 * count of lines and of fields in its first line (an upper bound: a header
 * counts as a sample). 0 for anything the loader will reject anyway. *n
 * and *d receive the shape. */
static double source_bytes(const lrs_data_source *src, size_t limit, size_t *n, size_t *d)
{
	size_t item = sizeof(float);   /* bytes per feature once loaded */

	*n = *d = 0;
	if ((src->format == LRS_DATA_CSV && src->path &&
	     lrs_data_shape_csv(src->path, src->delimiter, src->skip_rows, n, d) == 0) ||
	    ((src->format == LRS_DATA_NPY || (src->format == LRS_DATA_NPZ && src->path)) && src->features &&
	     lrs_data_shape_npy(src, n, d, &item) == 0)) {
		*n = limit && limit < *n ? limit : *n;
	} else if (src->format == LRS_DATA_SYNTHETIC) {
		*n = limit && limit < src->samples ? limit : src->samples;
		*d = src->dims ? src->dims : 2;
	} else if (src->format == LRS_DATA_IDX && src->images) {
		/* magic 0x00000803, then n, rows, cols, big-endian; gzread
		 * passes an uncompressed file through. Only a header that
		 * agrees with the file's data length counts (a raw file's size,
		 * a gzip file's ISIZE trailer): any other the loader rejects
		 * with the reason, without allocating. */
		struct stat st;
		int fd = lrs_data_open(src->images, &st);   /* a FIFO would block: the loader says why */
		gzFile gz = fd < 0 ? NULL : gzdopen(fd, "rb");
		unsigned char h[16], tail[4];
		FILE *f;

		if (!gz) {
			if (fd >= 0)
				close(fd);
			return 0;
		}
		if (gzread(gz, h, sizeof h) == (int)sizeof h && h[0] == 0 && h[1] == 0 && h[2] == 8 && h[3] == 3) {
			uint64_t count = (uint64_t)h[4] << 24 | (uint64_t)h[5] << 16 | (uint64_t)h[6] << 8 | h[7];
			uint64_t rows = (uint64_t)h[8] << 24 | (uint64_t)h[9] << 16 | (uint64_t)h[10] << 8 | h[11];
			uint64_t cols = (uint64_t)h[12] << 24 | (uint64_t)h[13] << 16 | (uint64_t)h[14] << 8 | h[15];
			uint64_t length = 0;    /* the data length the file says   */
			int known = 0;

			if ((f = fopen(src->images, "rb"))) {
				if (gzdirect(gz) && fseek(f, 0, SEEK_END) == 0) {
					long end = ftell(f);
					known = end >= 0;
					length = (uint64_t)end;
				} else if (!gzdirect(gz) && fseek(f, -4, SEEK_END) == 0 && fread(tail, 1, 4, f) == 4) {
					known = 1;      /* ISIZE: the length mod 2^32 */
					length = (uint64_t)tail[0] | (uint64_t)tail[1] << 8 | (uint64_t)tail[2] << 16 |
					         (uint64_t)tail[3] << 24;
				}
				fclose(f);
			}
			/* count * rows * cols < 2^96: exact enough in this test */
			if (known && rows * cols <= UINT32_MAX && count * rows * cols <= UINT64_MAX - 16 &&
			    ((count * rows * cols + 16) & (gzdirect(gz) ? UINT64_MAX : UINT32_MAX)) == length) {
				*n = limit && limit < count ? limit : (size_t)count;
				*d = (size_t)(rows * cols);
				item = 1;   /* images stay bytes */
			}
		}
		gzclose(gz);
	}
	return (double)*n * ((double)*d * (double)item + sizeof(int32_t));
}

/* Refuses, before anything is loaded, a dataset that cannot fit in memory. */
static int check_memory(const lrs_data_config *cfg)
{
	size_t n, d, tn = 0, td = 0;
	double bytes = source_bytes(&cfg->train, cfg->limit, &n, &d);
	char what[256];

	if (cfg->has_test)
		bytes += source_bytes(&cfg->test, 0, &tn, &td);
	if (bytes == 0)
		return 0;
	if (tn)
		snprintf(what, sizeof what, "%s: %zu + %zu samples of %zu features", source_name(&cfg->train), n, tn, d);
	else
		snprintf(what, sizeof what, "%s: %zu samples of %zu features", source_name(&cfg->train), n, d);
	return lrs_memory_check(bytes, 1, what);
}

/* ---------------------------------------------------------------- split */

/* A uniform integer in [0, bound), without modulo bias. */
static size_t uniform_below(lrs_rng *rng, size_t bound)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % bound, v;

	do
		v = lrs_rng_next(rng);
	while (v >= limit);
	return (size_t)(v % bound);
}

/* Swaps rows i and j of s (features and label); `row` is scratch. */
static void swap_rows(lrs_split *s, size_t i, size_t j, void *row)
{
	size_t bytes = s->d * (s->x ? sizeof *s->x : 1);   /* of one row */
	unsigned char *base = s->x ? (unsigned char *)s->x : s->x8;
	int32_t t = s->y[i];

	memcpy(row, base + i * bytes, bytes);
	memcpy(base + i * bytes, base + j * bytes, bytes);
	memcpy(base + j * bytes, row, bytes);
	s->y[i] = s->y[j];
	s->y[j] = t;
}

/* Shuffles the rows of s (features and labels together) in place; `row`
 * is scratch for one row. */
static void shuffle_rows(lrs_split *s, void *row, uint64_t seed)
{
	lrs_rng rng;

	lrs_rng_seed(&rng, seed);
	for (size_t i = s->n - 1; i > 0; i--) {
		size_t j = uniform_below(&rng, i + 1);

		if (j != i)
			swap_rows(s, i, j, row);
	}
}

/* A class's share of the validation rows, for the sort of the remainder. */
typedef struct {
	double frac;   /* the fractional part of its exact share */
	int c;
} share;

static int by_share(const void *a, const void *b)
{
	const share *x = a, *y = b;

	if (x->frac != y->frac)
		return x->frac < y->frac ? 1 : -1;   /* the largest first */
	return (x->c > y->c) - (x->c < y->c);
}

/* quota[c]: how many of class c's count[c] rows go to validation, n_val
 * of n in all: each class its share rounded down, then one more to the
 * classes of the largest remainders (as scikit-learn's stratified split
 * rounds), and never a class's every row (a class of one sample stays in
 * training). Returns the rows given, n_val or (when that would empty
 * classes) fewer. */
static size_t stratified_quotas(const size_t *count, int classes, size_t n, size_t n_val, size_t *quota,
                                share *order)
{
	size_t given = 0;

	for (int c = 0; c < classes; c++) {
		double exact = (double)n_val * (double)count[c] / (double)n;

		quota[c] = (size_t)floor(exact);   /* < count[c]: n_val < n */
		order[c] = (share){ exact - floor(exact), c };
		given += quota[c];
	}
	qsort(order, (size_t)classes, sizeof *order, by_share);
	for (int k = 0; k < classes && given < n_val; k++) {
		int c = order[k].c;

		if (quota[c] + 1 < count[c]) {
			quota[c]++;
			given++;
		}
	}
	return given;
}

/* Moves rows of shuffled split s so that the first ones are the
 * validation split, stratified: of each class, its first quota rows in
 * the shuffled order; the rest keep their order after them. Returns the
 * validation rows in *n_val (the count asked, or fewer: see
 * stratified_quotas). */
static int stratify_rows(lrs_split *s, int classes, size_t *n_val, void *row)
{
	size_t *count = calloc((size_t)classes * 3, sizeof *count);   /* count, quota, taken */
	size_t *dest = malloc(s->n * sizeof *dest);                   /* (n) row i goes to dest[i] */
	share *order = malloc((size_t)classes * sizeof *order);
	size_t *quota, *taken, v = 0, t;

	if (!count || !dest || !order) {
		free(count);
		free(dest);
		free(order);
		return lrs_error_set(LRS_ENOMEM, "out of memory (the stratified split of %zu samples)", s->n);
	}
	quota = count + classes;
	taken = quota + classes;
	for (size_t i = 0; i < s->n; i++)
		count[s->y[i]]++;
	*n_val = t = stratified_quotas(count, classes, s->n, *n_val, quota, order);
	for (size_t i = 0; i < s->n; i++)
		dest[i] = taken[s->y[i]] < quota[s->y[i]] ? (taken[s->y[i]]++, v++) : t++;
	for (size_t i = 0; i < s->n; i++)   /* each swap puts one row in its place */
		while (dest[i] != i) {
			size_t j = dest[i];
			swap_rows(s, i, j, row);
			dest[i] = dest[j];
			dest[j] = j;
		}
	free(count);
	free(dest);
	free(order);
	return 0;
}

/* Rows first .. first+n-1 of s, as a view into its storage. */
static lrs_split view(const lrs_split *s, size_t first, size_t n)
{
	lrs_split v = *s;

	v.x = s->x ? s->x + first * s->d : NULL;
	v.x8 = s->x8 ? s->x8 + first * s->d : NULL;
	v.y = s->y + first;
	v.n = n;
	return v;
}

/* -------------------------------------------------------- normalisation */

/* Element i (flat index) of s as stored: the statistics' input. */
static inline float stored(const lrs_split *s, size_t i)
{
	return s->x ? s->x[i] : (float)s->x8[i];
}

/* Applies x' = (x - shift[j]) * scale[j], in float, to a split of floats
 * in place; a split of bytes gets the arrays, to apply as it is read. The
 * two give the same numbers: a byte is exact in float. */
static void normalise(lrs_split *s, const float *shift, const float *scale)
{
	if (s->x8) {
		s->shift = shift;
		s->scale = scale;
		return;
	}
	for (size_t i = 0; i < s->n; i++)
		for (size_t j = 0; j < s->d; j++) {
			float *v = &s->x[i * s->d + j];
			*v = (*v - shift[j]) * scale[j];
		}
}

/* Scale: min and max over every feature of the training split; shift and
 * scale (d) receive min and 1 / (max - min) (1 when max == min). */
static void scale(lrs_dataset *ds, float *shift, float *scale)
{
	const lrs_split *t = &ds->train;
	float lo = stored(t, 0), hi = lo;

	for (size_t i = 1; i < t->n * t->d; i++) {
		float v = stored(t, i);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	float b = (float)(hi > lo ? 1.0 / ((double)hi - lo) : 1.0);

	/* rounded to float, 1/(max - min) can take the maximum a hair above 1
	 * (1.0000001): step down until it maps to 1 at most. (max - min)
	 * rounds as every x - min does, so nothing of the training split then
	 * leaves [0, 1]. */
	while (hi > lo && (hi - lo) * b > 1.0f)
		b = nextafterf(b, 0.0f);
	ds->norm_a = lo;
	ds->norm_b = b;
	for (size_t j = 0; j < t->d; j++) {
		shift[j] = lo;
		scale[j] = (float)ds->norm_b;
	}
}

/* Standardize: per feature the mean and 1 / the population std of the
 * training split (std 0 counts as 1), computed in double, into shift and
 * scale (d). */
static int standardize(lrs_dataset *ds, float *shift, float *scale)
{
	const lrs_split *t = &ds->train;   /* not normalised yet: rows as stored */
	size_t d = t->d;
	double *mean = malloc(2 * (d ? d : 1) * sizeof *mean);   /* (d) means, then (d) stds */
	float *row = malloc((d ? d : 1) * sizeof *row);          /* (d) one row               */

	if (!mean || !row) {
		free(mean);
		free(row);
		return lrs_error_set(LRS_ENOMEM, "out of memory (%zu bytes for feature statistics)",
		                     d * (2 * sizeof *mean + sizeof *row));
	}
	lrs_split_feature_stats(t, mean, mean + d, row);
	for (size_t j = 0; j < d; j++) {
		double sd = mean[d + j];
		shift[j] = (float)mean[j];
		scale[j] = (float)(sd > 0 ? 1.0 / sd : 1.0);
	}
	free(mean);
	free(row);
	return 0;
}

/* --------------------------------------------------------------- labels */

static int32_t max_label(const lrs_split *s)
{
	int32_t m = -1;

	for (size_t i = 0; i < s->n; i++)
		m = s->y[i] > m ? s->y[i] : m;
	return m;
}

/* Keeps `names` (n of them, each owned) as the class names. */
static void keep_names(lrs_dataset *ds, storage *st, char **names, size_t n)
{
	st->names = names;
	st->n_names = n;
	ds->class_names = names;
}

static int by_value(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Spans of label values up to this many are collected with a table of
 * flags (one byte each): no sort for the common small codes. */
#define FLAG_SPAN (1u << 20)

/* The distinct labels of the two splits, in increasing order, into a
 * fresh array *out (*k of them): flagged in a table over their span
 * when it is small, else sorted. */
static int distinct_labels(lrs_split *const splits[2], int32_t **out, size_t *k)
{
	int64_t lo = INT32_MAX, hi = INT32_MIN;
	size_t n = splits[0]->n + splits[1]->n, m = 0;
	int32_t *v = malloc((n ? n : 1) * sizeof *v);
	unsigned char *seen;

	*out = v;
	*k = 0;
	if (!v)
		return lrs_error_set(LRS_ENOMEM, "out of memory (the label map)");
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < splits[s]->n; i++) {
			lo = splits[s]->y[i] < lo ? splits[s]->y[i] : lo;
			hi = splits[s]->y[i] > hi ? splits[s]->y[i] : hi;
		}
	if (n > 0 && hi - lo < FLAG_SPAN && (seen = calloc((size_t)(hi - lo + 1), 1))) {
		for (int s = 0; s < 2; s++)
			for (size_t i = 0; i < splits[s]->n; i++)
				seen[splits[s]->y[i] - lo] = 1;
		for (int64_t x = lo; x <= hi; x++)
			if (seen[x - lo])
				v[m++] = (int32_t)x;
		free(seen);
	} else {
		memcpy(v, splits[0]->y, splits[0]->n * sizeof *v);
		if (splits[1]->n)
			memcpy(v + splits[0]->n, splits[1]->y, splits[1]->n * sizeof *v);
		qsort(v, n, sizeof *v, by_value);
		for (size_t i = 0; i < n; i++)
			if (m == 0 || v[i] != v[m - 1])
				v[m++] = v[i];
	}
	*k = m;
	return 0;
}

/* Numbers as labels (idx, npy, csv): the distinct values over train and
 * test, as scikit-learn's LabelEncoder finds its classes_. 0 .. K-1 stay
 * as they are; anything else (1 .. K, gaps, -1/+1, codes) becomes
 * 0 .. K-1 in increasing order, the values kept in decimal as the class
 * names. At most LRS_DATA_MAX_CLASSES of them. */
static int map_numbers(lrs_dataset *ds, storage *st, const lrs_data_config *cfg)
{
	lrs_split *const splits[2] = { &st->whole, &st->test };
	int32_t *v = NULL;                /* (k) the distinct labels, sorted */
	char **names = NULL;
	size_t k;
	int rc;

	if ((rc = distinct_labels(splits, &v, &k)) < 0)
		goto done;
	if (k > LRS_DATA_MAX_CLASSES) {
		rc = lrs_error_set(LRS_EINVALID, "%s: %zu different labels over train and test, more than %d classes: is "
		                   "the label column the right one?", source_name(&cfg->train), k, LRS_DATA_MAX_CLASSES);
		goto done;
	}
	ds->classes = (int)k;
	ds->labels = LRS_LABELS_AS_GIVEN;
	if (k > 0)
		keep_warning(ds, st, lrs_labels_regression_warning(warning_slot(ds, st), LRS_LABEL_WARNING,
		                                                   labels_name(&cfg->train), st->whole.n + st->test.n, v, k));
	if (k == 0 || (v[0] == 0 && v[k - 1] == (int32_t)k - 1))   /* 0 .. K-1 already */
		goto done;
	if (!(names = calloc(k, sizeof *names))) {
		rc = lrs_error_set(LRS_ENOMEM, "out of memory (the class names)");
		goto done;
	}
	keep_names(ds, st, names, k);   /* freed with the dataset, also on failure */
	for (size_t c = 0; c < k; c++) {
		if (!(names[c] = malloc(12))) {
			rc = lrs_error_set(LRS_ENOMEM, "out of memory (the class names)");
			goto done;
		}
		snprintf(names[c], 12, "%d", (int)v[c]);
	}
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < splits[s]->n; i++) {
			int32_t *at = bsearch(&splits[s]->y[i], v, k, sizeof *v, by_value);
			splits[s]->y[i] = (int32_t)(at - v);
		}
	ds->labels = LRS_LABELS_NUMBERS;
done:
	free(v);
	return rc;
}

/* Names as labels (csv): the union of the training and test names, in
 * byte order; each split's ranks among its own names become ranks in the
 * union. Both splits must have names (or the test none at all). */
static int map_names(lrs_dataset *ds, storage *st, lrs_csv_info *ti, lrs_csv_info *si, const lrs_data_config *cfg)
{
	size_t na = ti->n_names, nb = si->n_names, n = 0, a = 0, b = 0;
	int32_t *ma = NULL, *mb = NULL;   /* (na), (nb): own rank -> union rank */
	char **names = NULL;              /* (n) the union                        */
	int rc = 0;

	if (!ti->names || (cfg->has_test && st->test.n && !si->names)) {
		const char *with = source_name(ti->names ? &cfg->train : &cfg->test);
		const char *without = source_name(ti->names ? &cfg->test : &cfg->train);
		return lrs_error_set(LRS_EINVALID, "%s: its labels are names ('%.40s', ...), but those of %s are numbers: "
		                     "train and test must label the classes the same way", with,
		                     ti->names ? ti->names[0] : si->names[0], without);
	}
	if (!(names = calloc(na + nb, sizeof *names)) || !(ma = malloc((na + 1) * sizeof *ma)) ||
	    !(mb = malloc((nb + 1) * sizeof *mb))) {
		rc = lrs_error_set(LRS_ENOMEM, "out of memory (the class names)");
		goto done;
	}
	while (a < na || b < nb) {   /* merge two sorted lists without duplicates */
		int cmp = a == na ? 1 : b == nb ? -1 : strcmp(ti->names[a], si->names[b]);
		char **from = cmp <= 0 ? &ti->names[a] : &si->names[b];

		names[n] = *from;   /* ownership moves to the union */
		*from = NULL;
		if (cmp <= 0)
			ma[a++] = (int32_t)n;
		if (cmp >= 0)
			mb[b++] = (int32_t)n;
		n++;
	}
	if (n > LRS_DATA_MAX_CLASSES) {
		rc = lrs_error_set(LRS_EINVALID, "%s: %zu different label names over train and test, more than %d classes",
		                   source_name(&cfg->train), n, LRS_DATA_MAX_CLASSES);
		goto done;
	}
	for (size_t i = 0; i < st->whole.n; i++)
		st->whole.y[i] = ma[st->whole.y[i]];
	for (size_t i = 0; i < st->test.n; i++)
		st->test.y[i] = mb[st->test.y[i]];
	ds->classes = (int)n;
	ds->labels = LRS_LABELS_NAMES;
	keep_warning(ds, st, lrs_labels_lookalike_warning(warning_slot(ds, st), LRS_LABEL_WARNING,
	                                                  source_name(&cfg->train), names, n));
done:
	keep_names(ds, st, names, n);   /* freed with the dataset, also on failure */
	free(ma);
	free(mb);
	return rc;
}

/* Sets ds->classes, ds->labels and the class names, mapping the labels
 * to 0 .. K-1 where they are not that already. Synthetic data keeps its
 * labels and its class count. */
static int map_labels(lrs_dataset *ds, storage *st, const lrs_data_config *cfg, lrs_csv_info *ti,
                      lrs_csv_info *si, int train_classes, int test_classes)
{
	if (ti->names || si->names)
		return map_names(ds, st, ti, si, cfg);
	if (cfg->train.format == LRS_DATA_SYNTHETIC) {
		int32_t top = max_label(&st->whole);

		top = max_label(&st->test) > top ? max_label(&st->test) : top;
		ds->classes = (int)top + 1;
		ds->classes = train_classes > ds->classes ? train_classes : ds->classes;
		ds->classes = test_classes > ds->classes ? test_classes : ds->classes;
		ds->labels = LRS_LABELS_AS_GIVEN;
		return 0;
	}
	return map_numbers(ds, st, cfg);
}

/* Warns (never refuses) about labels a careless user brings, once they
 * are classes (labels.c): test data with classes the training data
 * lacks, and features of the training source that give its label away
 * (csv columns named and placed by `ti`). Synthetic data has neither. */
static int check_labels(lrs_dataset *ds, storage *st, const lrs_data_config *cfg, const lrs_csv_info *ti)
{
	size_t *counts;   /* (2, classes) rows per class: training source, test */
	int quote = ds->labels == LRS_LABELS_NAMES;
	char train_what[256];

	if (cfg->train.format == LRS_DATA_SYNTHETIC)
		return 0;
	if (!(counts = calloc(2 * (size_t)ds->classes, sizeof *counts)))
		return lrs_error_set(LRS_ENOMEM, "out of memory (the class counts)");
	if (st->test.n) {
		lrs_split_class_counts(counts, &st->whole, ds->classes);
		lrs_split_class_counts(counts + ds->classes, &st->test, ds->classes);
		snprintf(train_what, sizeof train_what, "the training data (%s)", labels_name(&cfg->train));
		keep_warning(ds, st, lrs_labels_unseen_warning(warning_slot(ds, st), LRS_LABEL_WARNING,
		                                               labels_name(&cfg->test), "the test data", train_what, counts,
		                                               counts + ds->classes, ds->classes, ds->class_names,
		                                               quote, NULL));
	}
	free(counts);
	lrs_feature_columns cols = { .names = ti->columns, .column = ti->column, .label_column = ti->label_column,
	                             .label_name = ti->label_name,
	                             .binary_labels = ds->labels == LRS_LABELS_AS_GIVEN && ds->classes == 2 };
	keep_warning(ds, st, lrs_labels_leak_warning(warning_slot(ds, st), LRS_LABEL_WARNING, source_name(&cfg->train),
	                                             &st->whole, ds->classes, &cols));
	return 0;
}

/* Warns when the validation split took every row of a class, leaving it
 * none to train on (a class of a row or two, an unstratified split). */
static int check_split(lrs_dataset *ds, storage *st, const lrs_data_config *cfg)
{
	size_t *counts;   /* (2, classes) rows per class: train, validation */

	if (cfg->stratify || ds->val.n == 0 || cfg->train.format == LRS_DATA_SYNTHETIC)
		return 0;
	if (!(counts = calloc(2 * (size_t)ds->classes, sizeof *counts)))
		return lrs_error_set(LRS_ENOMEM, "out of memory (the class counts)");
	lrs_split_class_counts(counts, &ds->train, ds->classes);
	lrs_split_class_counts(counts + ds->classes, &ds->val, ds->classes);
	keep_warning(ds, st, lrs_labels_unseen_warning(warning_slot(ds, st), LRS_LABEL_WARNING, labels_name(&cfg->train),
	                                               "the validation split", "the training split", counts,
	                                               counts + ds->classes, ds->classes, ds->class_names,
	                                               ds->labels == LRS_LABELS_NAMES,
	                                               "stratify: true holds out each class's share and keeps at "
	                                               "least one row of every class in training"));
	free(counts);
	return 0;
}

/* -------------------------------------------------------- the default */

/* Resolves normalize: auto by the training source: features of bytes
 * (images) and synthetic points get one global scale, float features of
 * files (tabular columns, each with its unit) are standardized. */
static lrs_normalize resolve_normalize(const lrs_data_config *cfg, const lrs_split *whole, const char **why)
{
	if (cfg->normalize != LRS_NORM_AUTO) {
		*why = "as the experiment sets it";
		return cfg->normalize;
	}
	if (whole->x8) {
		*why = "the default for features of bytes such as images: one minimum and maximum over every "
		       "feature, x / 255 for 8-bit pixels; set normalize: to choose";
		return LRS_NORM_SCALE;
	}
	if (cfg->train.format == LRS_DATA_SYNTHETIC) {
		*why = "the default for synthetic data: one minimum and maximum over every feature, so the points "
		       "keep their shape; set normalize: to choose";
		return LRS_NORM_SCALE;
	}
	*why = "the default for float features of csv and npy files: per feature, mean 0 and std 1 over the "
	       "training split, as columns have their own units; set normalize: to choose";
	return LRS_NORM_STANDARDIZE;
}

/* ------------------------------------------------------------- datasets */

/* The training source into st->whole; its validation fraction must
 * leave rows to train on. */
static int load_train(lrs_dataset *ds, storage *st, const lrs_data_config *cfg, lrs_csv_info *ti,
                      int *classes)
{
	int rc;

	if ((rc = load_source(&st->whole, ti, st->read_train, &cfg->train, cfg->seed, 0, cfg->limit, classes)) < 0)
		return rc;
	ds->read_train = *st->read_train ? st->read_train : NULL;
	ds->delimiter = ti->delimiter;
	ds->header = ti->header;
	if ((size_t)llround(cfg->validation * (double)st->whole.n) >= st->whole.n)
		return lrs_error_set(LRS_EINVALID, "%s: holding out validation %g of %zu samples leaves none to train on",
		                     source_name(&cfg->train), cfg->validation, st->whole.n);
	return 0;
}

/* Holds the validation fraction of st->whole out, its labels classes by
 * now: the rows shuffled with the seed, the first round(validation * n)
 * the validation split (stratified: of each class its share), the rest
 * the training split: ds->val first, then ds->train, views of it. */
static int hold_out(lrs_dataset *ds, storage *st, const lrs_data_config *cfg)
{
	size_t n = st->whole.n, d = st->whole.d, n_val = (size_t)llround(cfg->validation * (double)n);
	int rc = 0;

	if (n_val > 0) {
		float *row = malloc(d * sizeof *row);   /* (d) scratch for the shuffle */
		if (!row)
			return lrs_error_set(LRS_ENOMEM, "out of memory (%zu bytes)", d * sizeof *row);
		shuffle_rows(&st->whole, row, cfg->seed);
		if (cfg->stratify)
			rc = stratify_rows(&st->whole, ds->classes, &n_val, row);
		free(row);
		ds->val = view(&st->whole, 0, n_val);
	}
	ds->val.d = d;
	ds->train = view(&st->whole, n_val, n - n_val);
	return rc;
}

/* The test source, when there is one, into st->test and ds->test: the
 * training data's features. */
static int load_test(lrs_dataset *ds, storage *st, const lrs_data_config *cfg, lrs_csv_info *si,
                     int *classes)
{
	size_t d = st->whole.d;
	int rc;

	*classes = 0;
	if (cfg->has_test) {
		size_t first = cfg->train.format == LRS_DATA_SYNTHETIC ? cfg->train.samples : 0;

		if ((rc = load_source(&st->test, si, st->read_test, &cfg->test, cfg->seed, first, 0, classes)) < 0)
			return rc;
		ds->read_test = *st->read_test ? st->read_test : NULL;
		if (st->test.d != d)
			return lrs_error_set(LRS_EINVALID, "%s: test data has %zu features, the training data (%s) has %zu",
			                     source_name(&cfg->test), st->test.d, source_name(&cfg->train), d);
		ds->test = st->test;
	}
	ds->test.d = d;
	return 0;
}

/* A dataset of one class cannot be classified: the error naming it. */
static int one_class_error(const lrs_dataset *ds, const storage *st, const char *name)
{
	char one[16];
	const char *q = ds->labels == LRS_LABELS_NAMES ? "'" : "";   /* names are quoted */

	snprintf(one, sizeof one, "%d", (int)max_label(&st->whole));
	return lrs_error_set(LRS_EINVALID, "%s: every label is %s%s%s: classification needs at least 2 classes",
	                     name, q, ds->class_names ? ds->class_names[0] : one, q);
}

/* Normalises every split as cfg says (or by default for its source),
 * with statistics of the training split. */
static int apply_normalize(lrs_dataset *ds, storage *st, const lrs_data_config *cfg)
{
	size_t d = ds->features;
	lrs_normalize norm;
	int rc;

	ds->normalize = norm = resolve_normalize(cfg, &st->whole, &ds->normalize_why);
	if (norm == LRS_NORM_NONE)
		return 0;
	if (!(st->shift = malloc(2 * d * sizeof *st->shift)))
		return lrs_error_set(LRS_ENOMEM, "out of memory (%zu bytes)", 2 * d * sizeof *st->shift);
	st->scale = st->shift + d;
	if (norm == LRS_NORM_SCALE)
		scale(ds, st->shift, st->scale);
	else if ((rc = standardize(ds, st->shift, st->scale)) < 0)
		return rc;
	normalise(&st->whole, st->shift, st->scale);
	normalise(&st->test, st->shift, st->scale);
	/* the views: splits of bytes take the arrays */
	ds->train.shift = ds->val.shift = st->whole.shift;
	ds->train.scale = ds->val.scale = st->whole.scale;
	ds->test.shift = st->test.shift;
	ds->test.scale = st->test.scale;
	return 0;
}

/* The training split's spread as the model sees it, and the warning when
 * columns left on their own scales differ too much (spread.c); `ti` names
 * a CSV file's columns. */
static int measure_spread(lrs_dataset *ds, storage *st, const lrs_data_config *cfg, const lrs_csv_info *ti)
{
	int rc = lrs_feature_spread_measure(&ds->spread, &ds->train);
	const char *column = ti->columns ? ti->columns[ds->spread.widest] : NULL;

	if (rc == 0 && lrs_feature_spread_warning(st->warning, sizeof st->warning, &ds->spread, ds->normalize,
	                                          source_name(&cfg->train), column))
		ds->spread_warning = st->warning;
	return rc;
}

int lrs_dataset_load(lrs_dataset **out, const lrs_data_config *cfg)
{
	lrs_dataset *ds = NULL;
	storage *st = NULL;
	const char *name;
	int rc, train_classes, test_classes;
	lrs_csv_info ti = { 0 }, si = { 0 };   /* what the csv files held */

	assert(out && cfg);
	*out = NULL;
	name = source_name(&cfg->train);
	if (!(cfg->validation >= 0 && cfg->validation < 1))
		return lrs_error_set(LRS_EINVALID, "%s: validation fraction %g is not in [0, 1)", name, cfg->validation);
	if (!(ds = calloc(1, sizeof *ds)) || !(st = calloc(1, sizeof *st))) {
		free(ds);
		return lrs_error_set(LRS_ENOMEM, "out of memory (%zu bytes)", sizeof *ds + sizeof *st);
	}
	ds->storage = st;
	ds->norm_a = ds->norm_b = NAN;
	if ((rc = check_memory(cfg)) < 0 || (rc = load_train(ds, st, cfg, &ti, &train_classes)) < 0 ||
	    (rc = load_test(ds, st, cfg, &si, &test_classes)) < 0 ||
	    (rc = map_labels(ds, st, cfg, &ti, &si, train_classes, test_classes)) < 0)
		goto fail;
	if (ds->classes < 2) {   /* named by the labels' file where they have their own */
		const char *labels = cfg->train.format == LRS_DATA_IDX || cfg->train.format == LRS_DATA_NPY
		                             ? cfg->train.labels : NULL;   /* npz: the archive */
		rc = one_class_error(ds, st, labels ? labels : name);
		goto fail;
	}
	if ((rc = check_labels(ds, st, cfg, &ti)) < 0 || (rc = hold_out(ds, st, cfg)) < 0 ||
	    (rc = check_split(ds, st, cfg)) < 0)
		goto fail;
	ds->features = st->whole.d;
	ds->rows = st->whole.rows;
	ds->cols = st->whole.cols;
	memcpy(ds->shape, st->whole.shape, sizeof ds->shape);
	if ((rc = apply_normalize(ds, st, cfg)) < 0 || (rc = measure_spread(ds, st, cfg, &ti)) < 0)
		goto fail;
	lrs_csv_info_free(&ti);
	lrs_csv_info_free(&si);
	*out = ds;
	return 0;
fail:
	lrs_csv_info_free(&ti);
	lrs_csv_info_free(&si);
	lrs_dataset_free(ds);
	return rc;
}

int lrs_dataset_new_external(lrs_dataset **out)
{
	if (!(*out = calloc(1, sizeof **out)))
		return lrs_error_set(LRS_ENOMEM, "out of memory");
	(*out)->external = 1;
	(*out)->norm_a = (*out)->norm_b = NAN;
	return 0;
}

int lrs_dataset_set_steps(lrs_dataset *ds, long batch_size, long steps)
{
	size_t k;

	for (k = 0; k < ds->n_steps && ds->step_batch[k] != batch_size; k++)
		;
	if (k == ds->n_steps) {
		long *b = realloc(ds->step_batch, (k + 1) * sizeof *b);
		if (b)
			ds->step_batch = b;
		long *c = realloc(ds->step_count, (k + 1) * sizeof *c);
		if (c)
			ds->step_count = c;
		if (!b || !c)
			return lrs_error_set(LRS_ENOMEM, "out of memory");
		ds->n_steps++;
	}
	ds->step_batch[k] = batch_size;
	ds->step_count[k] = steps;
	return 0;
}

long lrs_dataset_steps(const lrs_dataset *ds, long batch_size)
{
	for (size_t k = 0; k < ds->n_steps; k++)
		if (ds->step_batch[k] == batch_size)
			return ds->step_count[k];
	return 0;
}

void lrs_dataset_free(lrs_dataset *ds)
{
	storage *st;

	if (!ds)
		return;
	free(ds->step_batch);
	free(ds->step_count);
	if ((st = ds->storage)) {
		lrs_split_free(&st->whole);
		lrs_split_free(&st->test);
		free(st->shift);
		for (size_t k = 0; k < st->n_names; k++)
			free(st->names[k]);
		free(st->names);
		free(st);
	}
	free(ds);
}

int lrs_data_fashion_mnist(lrs_data_source *train, lrs_data_source *test)
{
	static const char *const files[4] = {
		FASHION_DIR "train-images-idx3-ubyte.gz", FASHION_DIR "train-labels-idx1-ubyte.gz",
		FASHION_DIR "t10k-images-idx3-ubyte.gz", FASHION_DIR "t10k-labels-idx1-ubyte.gz",
	};

	assert(train && test);
	for (int i = 0; i < 4; i++)
		if (access(files[i], R_OK) != 0)
			return lrs_error_set(LRS_EINVALID, "fashion-mnist: %s is missing: install " FASHION_PKG
			                     " (apt-get install " FASHION_PKG ")", files[i]);
	memset(train, 0, sizeof *train);
	memset(test, 0, sizeof *test);
	train->format = test->format = LRS_DATA_IDX;
	train->images = files[0];
	train->labels = files[1];
	test->images = files[2];
	test->labels = files[3];
	return 0;
}
