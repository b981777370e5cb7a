/* internal.h - the loaders behind lrs_data_load_source, shared with
 * dataset.c. Not a public header.
 *
 * Every loader takes a `limit` (0 = all): it keeps only the first `limit`
 * samples but still checks the whole file's structure, so a file either
 * loads or fails the same way whatever the limit. On success `out` owns
 * two fresh allocations (x and y, freed by lrs_split_free); on failure it
 * is left zeroed. */
#ifndef LRSWEEP_DATA_INTERNAL_H
#define LRSWEEP_DATA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "lrsweep/data.h"

struct stat;

/* The most classes a dataset may have (distinct labels over train and
 * test): each is an output of the model, and 100,000 different labels are
 * an id column, not classes. A numeric label itself is any whole number
 * an int32 holds (-1/+1 as SVMs write them, codes such as 1000): it is
 * mapped to 0 .. K-1 (dataset.c). */
#define LRS_DATA_MAX_CLASSES 65536

/* What a label that is not a class number (a fraction: a regression
 * target) needs, for the messages that refuse or warn about one. */
#define LRS_BIN_HINT "lrsweep trains classifiers, whose labels are classes: bin a continuous target into " \
	"classes first, e.g. at its quantiles (pandas: pd.qcut(y, 5, labels=False))"

/* idx.c: MNIST-style images (uint8 (n, rows, cols)) and labels (uint8 (n)),
 * raw or gzip. The images stay bytes (out->x8). */
int lrs_data_load_idx(lrs_split *out, const char *images, const char *labels, size_t limit);

/* What a CSV file's reading found besides the samples. */
typedef struct {
	char **names;          /* (n_names) the label names in byte order, when
	                          the labels are names (y ranks them); NULL
	                          when they are numbers (y holds them)       */
	size_t n_names;
	char delimiter;        /* the field separator read with              */
	int header;            /* 1: the first row read was a header         */
	char *head;            /* the header line, split: behind `columns`   */
	char **columns;        /* (d) the feature columns' header names, in
	                          feature order; NULL without a header      */
	size_t *column;        /* (d) each feature's 0-based column in the
	                          file (dropped columns and the label are
	                          not features)                             */
	size_t label_column;   /* the label's 0-based column                 */
	const char *label_name; /* its header name (in head), or NULL        */
} lrs_csv_info;

/* csv.c: one sample per row of src->path: `label` is "first", "last", a
 * 0-based index or a header name (NULL = "last"); `header` -1 auto, 0
 * none, 1 first row; `delimiter` 0 detects; `skip_rows` lines skipped
 * first; the columns of `drop` left out (an error for one that does not
 * exist carries the item's position: lrs_error_line). `info` receives what was found (free it with
 * lrs_csv_info_free, also after a failure). */
int lrs_data_load_csv(lrs_split *out, lrs_csv_info *info, const lrs_data_source *src, size_t limit);

void lrs_csv_info_free(lrs_csv_info *info);

/* The delimiter a CSV line suggests: the most frequent of tab, ';' and
 * ',' in it (on a tie, in that order), ',' when none occurs. */
char lrs_csv_detect_delimiter(const char *line, size_t len);

/* The length of the line a loader writes about how it read a source
 * (`lrsweep data` shows it). */
#define LRS_DATA_ABOUT 512

/* npy.c: features (n, ...) or (n) and labels (n) or (n, 1): two .npy
 * files (raw or gzip), src->features and src->labels, or two arrays of
 * the .npz archive src->path under those keys. Every numeric dtype in
 * either byte order, C or Fortran order. uint8 features stay bytes
 * (out->x8), the others become float32. `about` receives one line saying
 * what was read (dtypes, shapes, order, members). */
int lrs_data_load_npy(lrs_split *out, char about[LRS_DATA_ABOUT], const lrs_data_source *src, size_t limit);

/* The shape a source will load as, read cheaply before the loader
 * allocates anything, so that a dataset too big for memory is refused
 * with its size (dataset.c's memory check). Each returns 0 with *n
 * samples of *d features, or -1 when the file is unreadable or malformed
 * (the loader then fails and says why). */

/* csv.c: *n counts the file's lines after the `skip` first (a header and
 * blank lines included: an upper bound), *d the fields of the first line
 * after them, less the label, split at `delim` (0: detected as the loader
 * does). One pass over the file, no parsing. */
int lrs_data_shape_csv(const char *path, char delim, size_t skip, size_t *n, size_t *d);

/* npy.c: from the features array's header (a .npy file's, or an .npz
 * member's), checked against its length; *item receives the bytes a
 * feature takes once loaded (1 for uint8, else 4). */
int lrs_data_shape_npy(const lrs_data_source *src, size_t *n, size_t *d, size_t *item);

/* npz.c: one array of a .npz archive, read as the stream of its .npy
 * bytes. The archive's central directory gives the member's size,
 * method and CRC-32; reading inflates at most that size and checks the
 * rest. */
#define LRS_NPZ_NAME 256   /* a member's name, cut to fit */
typedef struct lrs_npz_member lrs_npz_member;

/* Opens archive `path` and finds array `key` (the member key.npy, or
 * key). *out is set even on failure: close it with lrs_npz_close. A
 * missing key's error lists the keys the archive holds. */
int lrs_npz_open(lrs_npz_member **out, const char *path, const char *key);

/* Reads up to len bytes of the member into buf; *got < len only at its
 * end, where the deflate stream's end and the CRC-32 are checked. */
int lrs_npz_read(lrs_npz_member *m, void *buf, size_t len, size_t *got);

unsigned long long lrs_npz_size(const lrs_npz_member *m);   /* uncompressed */
const char *lrs_npz_name(const lrs_npz_member *m);
int lrs_npz_deflated(const lrs_npz_member *m);               /* 1: deflated */
void lrs_npz_close(lrs_npz_member *m);                       /* accepts NULL */

/* synthetic.c: spirals, blobs or xor: samples first, first + 1, ... of the
 * stream of `seed`; `*classes` receives the class count after defaults (it
 * may exceed 1 + the largest label drawn). */
int lrs_data_load_synthetic(lrs_split *out, const lrs_data_source *src, uint64_t seed,
                            size_t first, size_t limit, int *classes);

/* file.c: opens `path` for reading without waiting (a FIFO nobody
 * writes would block the open) and makes sure it is a regular file, whose
 * status *st receives. Returns the descriptor, blocking again, or -1 with
 * errno set: EINVAL when the path is not a regular file. */
int lrs_data_open(const char *path, struct stat *st);

/* a * b into *out; returns 0, or -1 when the product overflows size_t. */
static inline int lrs_data_mul(size_t a, size_t b, size_t *out)
{
	if (a != 0 && b > SIZE_MAX / a)
		return -1;
	*out = a * b;
	return 0;
}

/* spread.c: each feature's mean and population std over s's rows as
 * lrs_split_row reads them, summed in double in row order (mean first,
 * then the squared deviations); row is scratch (d floats). Shared by
 * standardization and the spread measure. */
void lrs_split_feature_stats(const lrs_split *s, double *mean, double *sd, float *row);

#endif
