/* data.h - datasets: loading (idx, csv, npy, npz, synthetic), the validation
 * split, normalisation.
 *
 * A dataset is loaded once per process and then only read: every trial
 * thread shares it, none copies it. Features are float32 or, from
 * sources of bytes, bytes (see lrs_split), row-major (n, d); labels int32
 * in [0, classes): labels that are not already 0 .. K-1 (1-based or
 * negative numbers, names in a CSV file) are mapped to 0 .. K-1 in sorted order, the
 * mapping kept in the dataset (lrs_dataset.class_names). Every size read
 * from a file is
 * checked against the file's real length and against overflow before
 * anything is allocated; error messages name the file and the problem
 * (CSV: row and column) and come back as LRS_EINVALID. */
#ifndef LRSWEEP_DATA_H
#define LRSWEEP_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "lrsweep/sha256.h"

/* One split: n samples of d features, row-major. The features are kept
 * as float32 (x), or, when the source holds bytes (idx images, npy uint8
 * arrays), as those bytes (x8), normalised as they are read: feature j of
 * row i is (x8[i d + j] - shift[j]) * scale[j] in float arithmetic, the
 * value a float32 copy normalised in place would hold. Bytes take a
 * quarter of the memory, and gathering a batch moves a quarter of the
 * bytes. Read rows through lrs_split_row, lrs_split_rows and
 * lrs_split_gather, which serve both. */
typedef struct {
	float *x;            /* (n, d) float32 features, or NULL (x8, n == 0) */
	uint8_t *x8;         /* (n, d) byte features, or NULL                 */
	const float *shift;  /* (d) with x8: subtracted first, then ...      */
	const float *scale;  /* (d) ... multiplied; both NULL: none          */
	int32_t *y;          /* (n) labels in [0, classes)                    */
	size_t n;            /* samples                                       */
	size_t d;            /* features per sample                           */
	size_t rows, cols;   /* idx images: each one's rows and columns (rows
	                        * cols == d); 0 for data without a 2-D shape */
	size_t shape[3];     /* npy, npz: each sample's shape as the array
	                        has it ((28, 28, 3) for (n, 28, 28, 3)), when
	                        it has 2 or 3 dimensions; else all 0       */
} lrs_split;

/* Row i of s as float32 into out (d floats). */
void lrs_split_row(const lrs_split *s, size_t i, float *out);

/* Rows first .. first+count-1 of s as float32: a pointer into s itself
 * when it keeps floats, else the rows converted into scratch (count, d). */
const float *lrs_split_rows(const lrs_split *s, size_t first, size_t count, float *scratch);

/* The rows idx[0 .. count-1] of s into x (count, d) as float32 and their
 * labels into y: a training batch. The rows lie scattered over the split,
 * each fetched from memory; the next rows are prefetched while one is
 * copied. */
void lrs_split_gather(const lrs_split *s, const uint32_t *idx, size_t count, float *x, int32_t *y);

/* The samples of each class of s into counts (classes), zeroed first. */
void lrs_split_class_counts(size_t *counts, const lrs_split *s, int classes);

typedef enum {
	LRS_DATA_IDX,        /* MNIST-style idx files, raw or .gz           */
	LRS_DATA_CSV,        /* one sample per row, a label column          */
	LRS_DATA_NPY,        /* NumPy .npy features and labels files        */
	LRS_DATA_SYNTHETIC,  /* spirals | blobs | xor, seeded               */
	LRS_DATA_NPZ         /* a NumPy .npz archive: features and labels
	                        are keys of the arrays in it               */
} lrs_data_format;

/* A csv source's delimiter that is any run of spaces and tabs, blanks
 * around a line ignored, as np.loadtxt's default and pandas'
 * sep=r"\s+" read a file (np.savetxt's default output). */
#define LRS_DELIM_WHITESPACE ' '

/* A column of a csv file left out (`drop:`): a header name, or a 0-based
 * index when all digits (as `label:`), and where the experiment file
 * gives it, for the error when no such column exists. */
typedef struct {
	const char *column;
	int line, col;         /* 0: not from a file                          */
} lrs_data_drop;

/* Where one split comes from (the `train:` or `test:` mapping). */
typedef struct {
	lrs_data_format format;
	const char *images;    /* idx: image file                             */
	const char *labels;    /* idx: label file; npy: labels file; npz: the
	                          labels' key (y_train, y_test by default)   */
	const char *path;      /* csv: the file; npz: the archive             */
	const char *label;     /* csv: "first", "last", a column name or a
	                          0-based index; NULL: not set, the last     */
	int header;            /* csv: -1 auto-detect (set it: 0 is none), 1 first row */
	char delimiter;        /* csv: ',' ';' '\t' '|', or
	                          LRS_DELIM_WHITESPACE; 0 = detect from the
	                          first row read (set it: 0 is detect)       */
	size_t skip_rows;      /* csv: lines skipped before the header or the
	                          first row (0 = none)                        */
	const lrs_data_drop *drop; /* csv: (n_drop) columns that are not
	                          features, left out unread (ids, names)     */
	size_t n_drop;
	const char *features;  /* npy: features file; npz: the features' key
	                          (x_train, x_test by default)               */
	const char *kind;      /* synthetic: "spirals", "blobs", "xor"        */
	size_t samples;        /* synthetic: how many                         */
	int classes;           /* synthetic: how many (xor: 2)                */
	size_t dims;           /* synthetic blobs: features (default 2)       */
	double noise;          /* synthetic: noise level; NAN = default 0.1   */
	int file_line[4];      /* where the experiment file names images,
	                          labels, path, features (0: not from a file) */
	int file_column[4];
} lrs_data_source;

typedef enum {
	LRS_NORM_SCALE,        /* (x - min) * (1 / (max - min)), min and max
	                          over all features of the training split, the
	                          factor in float (a ulp lower if the maximum
	                          would pass 1): uint8 images become
	                          x * (float)(1/255)                           */
	LRS_NORM_STANDARDIZE,  /* per feature (x - mean) * (1 / std), training
	                          split (std 0 counts as 1)                    */
	LRS_NORM_NONE,
	LRS_NORM_AUTO          /* the default, by source (lrs_dataset_load):
	                          scale for byte features (images) and
	                          synthetic data, standardize for the float
	                          features of csv and npy files               */
} lrs_normalize;

/* How far apart the features' spreads are: each feature's population std
 * over a split, as the model reads it (after normalisation). Features
 * whose std is 0 (constant columns) are left out. */
typedef struct {
	size_t varying;        /* features whose std is above 0               */
	size_t widest;         /* 0-based: the feature of the largest std     */
	double max_std;        /* its std (0 when none varies)                */
	double median_std;     /* the median std of the varying features (of
	                          an even count, the lower middle one)        */
	double ratio;          /* max_std / median_std; 1 when none varies    */
} lrs_feature_spread;

/* Features left on their own scales (normalize: none or scale) whose
 * largest std is more than this many times the median one get a warning:
 * one decade. Boston house prices' columns measure 23x (left unnormalized
 * they lose 14 points of validation accuracy), wine's 398x; standardized
 * columns all sit at std 1, and the pixels of images and the coordinates
 * of synthetic points stay within 1.6x of each other (docs/data.md). */
#define LRS_SPREAD_WARN_RATIO 10.0

/* The most warnings about labels a dataset keeps (lrs_dataset's
 * label_warnings), and the length of each. */
#define LRS_LABEL_WARNINGS 6
#define LRS_LABEL_WARNING 640

/* Numeric labels that look like a regression target, not classes: at
 * least this many distinct values, fewer than LRS_REGRESSION_ROWS rows
 * a class on average, and gaps between the values (not a run of
 * consecutive numbers, nor a code 0 .. K-1 or 1 .. K with fewer than
 * LRS_REGRESSION_ABSENT of its numbers absent). scikit-learn's diabetes
 * target (214 values over 442 rows, from 25) and linnerud's (17 over 20)
 * warn; class codes cut short by `limit`, or of 100 people with one left
 * out, do not (docs/data.md). */
#define LRS_REGRESSION_CLASSES 10
#define LRS_REGRESSION_ROWS 5
#define LRS_REGRESSION_ABSENT 0.25

/* The fewest rows over which a feature that agrees with a 0/1 label on
 * every row is named as a copy of it: over fewer, a real binary feature
 * agrees by chance (scikit-learn's breast cancer 'worst perimeter > 105',
 * 92% agreement, on all of 1 in 10 samples of 20 rows; 0.92^100 is
 * 2e-4). More classes need a value per class and 2 rows a class. */
#define LRS_LEAK_BINARY_ROWS 100

/* How a dataset's labels became class numbers. */
typedef enum {
	LRS_LABELS_AS_GIVEN,   /* whole numbers 0 .. K-1, used as they are    */
	LRS_LABELS_NUMBERS,    /* whole numbers other than 0 .. K-1 (1 .. K,
	                          gaps, -1/+1, any int32): the distinct
	                          values, in increasing order, became
	                          0 .. K-1, as scikit-learn's LabelEncoder  */
	LRS_LABELS_NAMES       /* names (csv): the distinct names, in byte
	                          order (as Python's sorted), became 0 .. K-1 */
} lrs_label_kind;

typedef struct {
	lrs_data_source train;
	lrs_data_source test;  /* used when has_test                           */
	int has_test;
	double validation;     /* fraction of train held out, [0, 1)           */
	int stratify;          /* 1: the validation split takes each class's
	                          share, as train_test_split(stratify=y)      */
	lrs_normalize normalize;
	size_t limit;          /* use only the first `limit` training samples;
	                          0 = all                                      */
	uint64_t seed;         /* the experiment's seed: split and synthetic   */
} lrs_data_config;

typedef struct {
	lrs_split train;       /* what training sees                           */
	lrs_split val;         /* held out from train with the seed            */
	lrs_split test;        /* n == 0 when no test data was given           */
	int classes;           /* number of classes: the distinct labels over
	                          train and test (max label + 1 when they are
	                          0 .. K-1; the synthetic count)               */
	lrs_label_kind labels; /* how labels became classes                   */
	char **class_names;    /* (classes) the label each class stands for,
	                          as the file writes it (numbers in decimal);
	                          NULL when labels are AS_GIVEN                */
	lrs_normalize normalize;   /* what was applied (never AUTO)           */
	const char *normalize_why; /* why: the default's reason, or "set in
	                              the experiment" (a static string)       */
	char delimiter;        /* the training csv's field separator, or 0    */
	const char *read_train; /* how npy and npz arrays were read (dtypes,
	                          shapes, order, members): one line, or NULL */
	const char *read_test;
	int header;            /* the training csv: 1 when it had a header row */
	size_t features;       /* d of every split                             */
	size_t rows, cols;     /* the training images' rows and columns (idx),
	                          for a model's input shape; 0 for flat data   */
	size_t shape[3];       /* the training array's sample shape (npy, npz:
	                          see lrs_split), to check model.input by     */
	double norm_a, norm_b; /* scale: x' = (x - a) * b, both rounded to
	                          float first (NAN if not scale)               */
	lrs_feature_spread spread; /* the training split's, as normalised     */
	const char *spread_warning; /* one line when the features left on their
	                               own scales differ in spread by more
	                               than LRS_SPREAD_WARN_RATIO, else NULL:
	                               for the caller to show               */
	const char *label_warnings[LRS_LABEL_WARNINGS]; /* (n_label_warnings)
	                          one line each: labels that are likely not
	                          what the user means (a regression target,
	                          look-alike names, classes that only the
	                          test data or the validation split has, a
	                          feature that gives the label away):
	                          for the caller to show, as spread_warning */
	size_t n_label_warnings;
	void *storage;         /* the allocation behind the splits             */
	/* An external trainer's data, which lrsweep never sees (every split
	 * empty): its steps per epoch by batch size, as its programs said in
	 * their hellos. n_steps == 0 for data loaded here. */
	long *step_batch, *step_count;
	size_t n_steps;
	int external;          /* 1: made by lrs_dataset_new_external          */
} lrs_dataset;

/* Loads one source as it is in the file (no normalisation): features
 * (bytes for idx images and npy uint8 arrays, else float32) and labels
 * into `out` (freed with lrs_split_free); numeric labels come as the
 * file holds them (any int32), CSV labels that are names
 * as their ranks among the file's names in byte order (the names
 * themselves only through lrs_dataset_load). `seed` seeds synthetic data. Returns 0, LRS_EINVALID (bad or unreadable file: the message names
 * it), or LRS_ENOMEM. */
int lrs_data_load_source(lrs_split *out, const lrs_data_source *src, uint64_t seed);

void lrs_split_free(lrs_split *s);

/* Loads train (and test), applies `limit`, holds out the validation
 * fraction with `seed`, maps the labels to 0 .. K-1 (over train and
 * test: see lrs_label_kind), normalises with training statistics (the
 * default chosen by source when cfg->normalize is LRS_NORM_AUTO), and
 * checks that train and test have the same number of features and agree
 * on the kind of labels. The result is read-only from then on. */
int lrs_dataset_load(lrs_dataset **out, const lrs_data_config *cfg);

/* Measures the spread of s's features into out, each row read with
 * lrs_split_row (normalised as the model sees it), in double. Returns 0
 * or LRS_ENOMEM. */
int lrs_feature_spread_measure(lrs_feature_spread *out, const lrs_split *s);

/* The warning for `spread`, measured on data normalised with `norm`:
 * when `norm` leaves each column on its own scale (none, scale) and
 * spread->ratio is above LRS_SPREAD_WARN_RATIO, one line into buf (cap
 * bytes) that names the source `name` and the widest feature by `column`
 * (a header name; NULL: its 1-based index), and returns 1. Else buf is
 * "" and it returns 0. */
int lrs_feature_spread_warning(char *buf, size_t cap, const lrs_feature_spread *spread, lrs_normalize norm,
                               const char *name, const char *column);

/* ---------------------------------------------------- label checks
 * (labels.c) Each looks for one thing careless labels do and, when it
 * finds it, writes one line into buf (cap bytes) that starts with the
 * source `name`, and returns 1; else buf is "" and it returns 0. Pure:
 * none changes the data, which loads and trains as it would without
 * them. */

/* Numeric labels that look like a regression target: `values` (k) the
 * distinct labels in increasing order over `rows` rows (see
 * LRS_REGRESSION_CLASSES). */
int lrs_labels_regression_warning(char *buf, size_t cap, const char *name, size_t rows, const int32_t *values,
                                  size_t k);

/* Label names (k, distinct, in byte order) that are the same once ASCII
 * case and blanks around them are set aside ("cat", "Cat", " cat"):
 * different classes, most likely meant as one. */
int lrs_labels_lookalike_warning(char *buf, size_t cap, const char *name, char *const *names, size_t k);

/* Classes that `other` (the test data, or the validation split) holds
 * and the training rows do not: `train` and `other` are each class's
 * row counts (classes), `class_names` the label of each class (NULL:
 * the class numbers), `quote` 1 for names. `what` and `train_what` say
 * what other and the training rows are ("the test data", "the training
 * data (t.csv)"); `fix`, when set, ends the line. */
int lrs_labels_unseen_warning(char *buf, size_t cap, const char *name, const char *what, const char *train_what,
                              const size_t *train, const size_t *other, int classes, char *const *class_names,
                              int quote, const char *fix);

/* Where the features of a split sit among a file's columns, to find
 * and name those that give the label away. */
typedef struct {
	char *const *names;        /* (d) the features' header names, or NULL */
	const size_t *column;      /* (d) each feature's 0-based column in the
	                              file (csv), or NULL: features of an
	                              array, named by their 1-based index */
	size_t label_column;       /* the label's 0-based column (with column) */
	const char *label_name;    /* its header name, or NULL                */
	int binary_labels;         /* 1: the labels are the numbers 0 and 1 as
	                              the file writes them (one-hot column)  */
} lrs_feature_columns;

/* Features of s (labels already classes 0 .. classes-1) that determine
 * its label exactly: a column constant within each class and different
 * between classes (a copy or a one-to-one recoding of the label), or
 * 0/1 columns beside a 0/1 label column with which it makes one-hot
 * rows (exactly one 1 per row: Keras' to_categorical written out as
 * columns). Needs at least 2 rows a class on average, so that a few
 * rows cannot agree by chance. Reads each column until it disagrees
 * (most columns: a few rows). */
int lrs_labels_leak_warning(char *buf, size_t cap, const char *name, const lrs_split *s, int classes,
                            const lrs_feature_columns *cols);

/* The SHA-256 of the dataset as loaded (every split's features, labels and
 * shape; the classes and their names) as 64 hex digits into out: what
 * `run --resume` compares with the digest stored by the run it continues.
 * 0.17 s for Fashion-MNIST's 70,000 images (55 MB; measured on the
 * project's machine, one core). */
void lrs_dataset_digest(char out[LRS_SHA256_HEX_SIZE], const lrs_dataset *ds);

/* Frees a dataset; accepts NULL. Its splits are views into one block:
 * never lrs_split_free() them. */
void lrs_dataset_free(lrs_dataset *ds);

/* The stand-in dataset of an external trainer: no samples; its steps per
 * epoch filled in with lrs_dataset_set_steps as the programs tell them. */
int lrs_dataset_new_external(lrs_dataset **out);
int lrs_dataset_set_steps(lrs_dataset *ds, long batch_size, long steps);

/* An external trainer's steps per epoch at batch_size, 0 when not yet
 * known (or ds is not an external trainer's). */
long lrs_dataset_steps(const lrs_dataset *ds, long batch_size);

/* The files of Debian's dataset-fashion-mnist package, for
 * `source: fashion-mnist`: fills train and test idx sources. Returns 0, or
 * LRS_EINVALID when the package's files are not there (the message says
 * which package to install). */
int lrs_data_fashion_mnist(lrs_data_source *train, lrs_data_source *test);

/* What an address-space (ulimit -v) or data-size (ulimit -d) limit must
 * leave beside an estimate: the OpenBLAS library, loaded on the first
 * product, and its thread (BASE), and per run at once (RUN) the thread's
 * stack (8 MiB), its malloc arena (64 MiB reserved) and OpenBLAS's
 * buffer (128 MiB, allocated on the thread's first product; OpenBLAS
 * 0.3.21 retries that allocation forever when it fails, so a run that
 * passed the check without this room hung). Physical memory (MemAvailable,
 * a cgroup) is not charged: these are reservations, mostly untouched. */
#define LRS_MEMORY_MARGIN_BASE (128.0 * 1024 * 1024)
#define LRS_MEMORY_MARGIN_RUN (200.0 * 1024 * 1024)

/* Memory: whether `needed` bytes more can be allocated by this process,
 * with `runs` runs at once (0: from inside a run, whose room the caller
 * checked with the margins before it started), without swapping: no more than the memory the
 * kernel says is available (MemAvailable), the cgroup's memory.max leaves,
 * and the address-space (ulimit -v) and data-size (ulimit -d) limits leave
 * above what the process already maps (VmSize, its data segment) and the
 * margins above. Returns 0, or LRS_ENOMEM with the message "WHAT needs N
 * MiB, only M MiB available (the limit)", followed for ulimit -v and -d by
 * ": a limit of L MiB, U MiB in use, K MiB kept for threads' stacks and
 * buffers". Allocates nothing; data loading and training call it before
 * their big allocations, so that what cannot fit fails at once instead of
 * swapping or failing half-way. */
int lrs_memory_check(double needed, long runs, const char *what);

/* The bytes lrs_memory_check would allow with `runs` runs at once, and the
 * name of the limit that sets it. */
double lrs_memory_available(long runs, const char **limit);

#endif
