/* internal.h - the four loaders behind lrs_data_load_source, shared with
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

/* The largest label any loader accepts: classes = max label + 1 must fit
 * the model's output layer, and a label of 10^9 is a wrong column, not a
 * class. */
#define LRS_DATA_MAX_LABEL 65535

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
} lrs_csv_info;

/* csv.c: one sample per row of src->path: `label` is "first", "last", a
 * 0-based index or a header name (NULL = "last"); `header` -1 auto, 0
 * none, 1 first row; `delimiter` 0 detects; `skip_rows` lines skipped
 * first. `info` receives what was found (free it with
 * lrs_csv_info_free, also after a failure). */
int lrs_data_load_csv(lrs_split *out, lrs_csv_info *info, const lrs_data_source *src, size_t limit);

void lrs_csv_info_free(lrs_csv_info *info);

/* The delimiter a CSV line suggests: the most frequent of tab, ';' and
 * ',' in it (on a tie, in that order), ',' when none occurs. */
char lrs_csv_detect_delimiter(const char *line, size_t len);

/* npy.c: features (n, ...) and labels (n) .npy files; uint8 features
 * stay bytes (out->x8), the others become float32. */
int lrs_data_load_npy(lrs_split *out, const char *features, const char *labels, size_t limit);

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

/* npy.c: from the features file's header, checked against its length;
 * *item receives the bytes a feature takes once loaded (1 for uint8, else
 * 4). */
int lrs_data_shape_npy(const char *features, size_t *n, size_t *d, size_t *item);

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
