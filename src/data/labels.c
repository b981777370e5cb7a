/* labels.c - labels as careless users bring them: the checks that find
 * what a classifier's labels most likely are not meant to be, each a
 * one-line warning.
 *
 * - A regression target as the label: many distinct numbers, few rows
 *   each, with gaps between them (scikit-learn's diabetes target).
 * - Look-alike names: "cat", "Cat" and " cat" are three classes.
 * - Classes only the test data (or the validation split) has: rows no
 *   model trained on the training rows can get right.
 * - Features that give the label away: a copy or a one-to-one recoding of
 *   the label, or one-hot columns written beside a 0/1 label column.
 *
 * Pure: arrays in, one line of text out. Nothing here changes the data,
 * which loads and trains exactly as without these checks; dataset.c keeps
 * the lines for the command line to show, as the feature-spread warning.
 *
 * Not here: one-hot label arrays (npy.c reads exact ones as their argmax
 * and refuses the rest); non-integer labels (the loaders refuse them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/data.h"
#include "lrsweep/util.h"
#include "internal.h"

#define NAME_WIDTH 40   /* bytes of a label or column name shown        */
#define LISTED 8        /* classes or columns named before "..."        */

/* --------------------------------------------------------------- text */

/* Appends `s` safe to print, cut to NAME_WIDTH bytes, in single quotes. */
static void put_quoted(lrs_buf *b, const char *s)
{
	lrs_buf t = { 0 };

	lrs_buf_printable(&t, s, NAME_WIDTH);
	lrs_buf_printf(b, "'%s'", t.data ? t.data : "");
	lrs_buf_free(&t);
}

/* The separator before item k of n: "", ", " or " and ". */
static const char *sep(size_t k, size_t n)
{
	return k == 0 ? "" : k + 1 == n ? " and " : ", ";
}

/* Copies b's text into buf (cap bytes, cut to fit) and frees b; returns
 * 1 (a warning), or 0 when b failed to grow (no warning then). */
static int finish(lrs_buf *b, char *buf, size_t cap)
{
	int ok = !b->failed && b->data;

	if (ok && cap)
		snprintf(buf, cap, "%s", b->data);
	lrs_buf_free(b);
	return ok;
}

static void clear(char *buf, size_t cap)
{
	if (cap)
		buf[0] = '\0';
}

/* --------------------------------------------------------- regression */

/* Whether the distinct labels `values` (k, increasing) are class codes:
 * a run of consecutive numbers (0 .. K-1, 1 .. K, or any other), or a code
 * 0 .. K-1 or 1 .. K with fewer than LRS_REGRESSION_ABSENT of its numbers
 * absent - a person or a class left out, a `limit` on shuffled rows of a
 * set of many classes with few rows each (a face-recognition set). */
static int class_code(const int32_t *values, size_t k)
{
	int64_t span = (int64_t)values[k - 1] - values[0] + 1;   /* the whole numbers from first to last */

	return span == (int64_t)k ||
	       ((values[0] == 0 || values[0] == 1) && (double)(span - (int64_t)k) < LRS_REGRESSION_ABSENT * (double)span);
}

int lrs_labels_regression_warning(char *buf, size_t cap, const char *name, size_t rows, const int32_t *values,
                                  size_t k)
{
	lrs_buf b = { 0 };

	clear(buf, cap);
	if (k < LRS_REGRESSION_CLASSES || (double)rows >= (double)LRS_REGRESSION_ROWS * (double)k ||
	    class_code(values, k))
		return 0;
	lrs_buf_printf(&b, "%s: %zu different labels over %zu rows (%.1f a class), numbers from %d to %d with gaps: "
	               "this looks like a regression target (a quantity), not classes, and each class has too few "
	               "rows to learn; " LRS_BIN_HINT, name, k, rows, (double)rows / (double)k, (int)values[0],
	               (int)values[k - 1]);
	return finish(&b, buf, cap);
}

/* --------------------------------------------------------- look-alikes */

/* A name as compared for look-alikes: ASCII blanks around it cut off,
 * ASCII letters lower case; a fresh string or NULL. */
static char *folded(const char *s)
{
	size_t len;
	char *f;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '\v' || *s == '\f')
		s++;
	len = strlen(s);
	while (len > 0 && strchr(" \t\r\n\v\f", s[len - 1]))
		len--;
	if (!(f = malloc(len + 1)))
		return NULL;
	for (size_t i = 0; i < len; i++)
		f[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
	f[len] = '\0';
	return f;
}

typedef struct {
	char *key;     /* the folded name */
	size_t index;  /* the class        */
} folded_name;

static int by_key(const void *a, const void *b)
{
	const folded_name *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

int lrs_labels_lookalike_warning(char *buf, size_t cap, const char *name, char *const *names, size_t k)
{
	folded_name *f = calloc(k ? k : 1, sizeof *f);   /* (k) the names folded, then sorted */
	lrs_buf b = { 0 };
	size_t groups = 0, classes = 0;
	int found = 0;

	clear(buf, cap);
	if (!f)
		return 0;   /* a check, not the load: no warning without memory */
	for (size_t c = 0; c < k; c++)
		if (!(f[c] = (folded_name){ folded(names[c]), c }).key)
			goto done;
	qsort(f, k, sizeof *f, by_key);
	for (size_t i = 0, j; i < k; i = j) {   /* runs of one key: i .. j-1 */
		for (j = i + 1; j < k && strcmp(f[j].key, f[i].key) == 0; j++)
			;
		if (j - i < 2)
			continue;
		if (groups++ == 0)
			lrs_buf_printf(&b, "%s: labels that differ only in case or in blanks around them are different "
			               "classes: ", name);
		classes += j - i;
		if (groups > 3)
			continue;
		lrs_buf_printf(&b, "%s", groups > 1 ? "; " : "");
		for (size_t m = i; m < j && m < i + 4; m++) {
			lrs_buf_printf(&b, "%s", sep(m - i, j - i < 4 ? j - i : 4));
			put_quoted(&b, names[f[m].index]);
		}
		if (j - i > 4)
			lrs_buf_printf(&b, " (of %zu)", j - i);
	}
	if (groups) {
		lrs_buf_printf(&b, "%s (%zu look-alike groups, %zu classes); if each group is one class, write its "
		               "labels alike (pandas: y.str.strip().str.lower())", groups > 3 ? "; ..." : "", groups,
		               classes);
		found = finish(&b, buf, cap);
	}
done:
	for (size_t c = 0; c < k; c++)
		free(f[c].key);
	free(f);
	lrs_buf_free(&b);
	return found;
}

/* ------------------------------------------------------------- unseen */

/* Appends class c's label: its name (quoted when `quote`), or number. */
static void put_class(lrs_buf *b, int c, char *const *class_names, int quote)
{
	if (!class_names)
		lrs_buf_printf(b, "%d", c);
	else if (quote)
		put_quoted(b, class_names[c]);
	else
		lrs_buf_printf(b, "%s", class_names[c]);
}

int lrs_labels_unseen_warning(char *buf, size_t cap, const char *name, const char *what, const char *train_what,
                              const size_t *train, const size_t *other, int classes, char *const *class_names,
                              int quote, const char *fix)
{
	size_t unseen = 0, rows = 0, total = 0, listed = 0;
	lrs_buf b = { 0 };

	clear(buf, cap);
	for (int c = 0; c < classes; c++) {
		total += other[c];
		if (other[c] && !train[c]) {
			unseen++;
			rows += other[c];
		}
	}
	if (!unseen)
		return 0;
	lrs_buf_printf(&b, "%s: %s has %s ", name, what, unseen == 1 ? "a label" : "labels");
	for (int c = 0; c < classes && listed < LISTED; c++)
		if (other[c] && !train[c]) {
			lrs_buf_printf(&b, "%s", sep(listed++, unseen < LISTED ? unseen : LISTED));
			put_class(&b, c, class_names, quote);
		}
	if (unseen > LISTED)
		lrs_buf_printf(&b, ", ... (%zu in all)", unseen);
	lrs_buf_printf(&b, " (%zu of its %zu rows) that %s never has: no model trained there can predict %s, "
	               "whatever the learning rate (its accuracy there is at most %.1f%%)%s%s", rows, total,
	               train_what, rows == 1 ? "that row" : "those rows",
	               100.0 * (double)(total - rows) / (double)total, fix ? "; " : "", fix ? fix : "");
	return finish(&b, buf, cap);
}

/* --------------------------------------------------------------- leaks */

/* Feature j of row i as stored. */
static float value_at(const lrs_split *s, size_t i, size_t j)
{
	return s->x ? s->x[i * s->d + j] : (float)s->x8[i * s->d + j];
}

static int by_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

/* Whether feature j of s is a one-to-one recoding of its label: one
 * value within each class, a different one for each class. val, set
 * (classes) and seen (classes) are scratch. Stops at the first row that
 * disagrees, or at the first class whose value the class seen just
 * before it has (a constant column: at the second class). */
static int recodes_label(const lrs_split *s, size_t j, int classes, float *val, unsigned char *set, float *seen)
{
	size_t m = 0;   /* classes seen */

	memset(set, 0, (size_t)classes);
	for (size_t i = 0; i < s->n; i++) {
		int32_t c = s->y[i];
		float v = value_at(s, i, j);

		if (!set[c]) {
			if (m > 0 && seen[m - 1] == v)
				return 0;
			set[c] = 1;
			val[c] = v;
			seen[m++] = v;
		} else if (val[c] != v) {
			return 0;
		}
	}
	qsort(seen, m, sizeof *seen, by_float);
	for (size_t k = 1; k < m; k++)
		if (seen[k] == seen[k - 1])
			return 0;
	return m >= 2;
}

/* Appends feature j's name: its header name, its file column (from 1),
 * or its index among the array's features (from 1). */
static void put_feature(lrs_buf *b, size_t j, const lrs_feature_columns *cols)
{
	if (cols->names)
		put_quoted(b, cols->names[j]);
	else if (cols->column)
		lrs_buf_printf(b, "%zu", cols->column[j] + 1);
	else
		lrs_buf_printf(b, "%zu", j + 1);
}

/* Appends a drop: list of features: header names or 0-based columns. */
static void put_drop(lrs_buf *b, const size_t *which, size_t n, const lrs_feature_columns *cols)
{
	lrs_buf_printf(b, "drop: [");
	for (size_t k = 0; k < n; k++) {
		lrs_buf_printf(b, "%s", k ? ", " : "");
		if (cols->names)
			lrs_buf_printf(b, "%.*s", NAME_WIDTH, cols->names[which[k]]);
		else
			lrs_buf_printf(b, "%zu", cols->column[which[k]]);
	}
	lrs_buf_printf(b, "]");
}

/* The feature at file column `col`, or SIZE_MAX (the label, dropped,
 * beyond the row). */
static size_t feature_at(const lrs_feature_columns *cols, size_t d, size_t col)
{
	for (size_t j = 0; j < d; j++)
		if (cols->column[j] == col)
			return j;
	return SIZE_MAX;
}

/* The 0/1 feature columns next to the label column on one side (dir -1:
 * before it, +1: after it) that make one-hot rows with it: walking away
 * from the label, each column added to the row sums, until every row
 * sums to 1. Their features into group; returns how many (0: none, or
 * only one: 1 - label, a recoding).
 * sum (n) is scratch. */
static size_t one_hot_side(const lrs_split *s, const lrs_feature_columns *cols, int dir, size_t *group,
                           unsigned *sum)
{
	size_t m = 0, col = cols->label_column;

	for (size_t i = 0; i < s->n; i++)
		sum[i] = (unsigned)s->y[i];
	while (m < LISTED && !(dir < 0 && col == 0)) {
		size_t j = feature_at(cols, s->d, col = dir < 0 ? col - 1 : col + 1);
		int ones = 1;   /* every row sums to 1 */

		if (j == SIZE_MAX)
			return 0;
		for (size_t i = 0; i < s->n; i++) {
			float v = value_at(s, i, j);

			if ((v != 0 && v != 1) || (sum[i] += (unsigned)v) > 1)
				return 0;
			ones &= sum[i] == 1;
		}
		group[m++] = j;
		if (ones && dir < 0)   /* in the file's order */
			for (size_t k = 0; k < m / 2; k++) {
				size_t t = group[k];
				group[k] = group[m - 1 - k];
				group[m - 1 - k] = t;
			}
		if (ones)   /* one column: a recoding, which the general check names */
			return m > 1 ? m : 0;
	}
	return 0;
}

/* The warning for one-hot columns `group` (m) beside the label. */
static void one_hot_text(lrs_buf *b, const char *name, const size_t *group, size_t m,
                         const lrs_feature_columns *cols)
{
	lrs_buf_printf(b, "%s: the label column ", name);
	if (cols->label_name)
		put_quoted(b, cols->label_name);
	else
		lrs_buf_printf(b, "%zu", cols->label_column + 1);
	lrs_buf_printf(b, " and the feature column%s ", m > 1 ? "s" : "");
	for (size_t k = 0; k < m; k++) {
		lrs_buf_printf(b, "%s", sep(k, m));
		put_feature(b, group[k], cols);
	}
	lrs_buf_printf(b, "%s are one-hot columns (exactly one 1 in every row, as Keras' to_categorical writes "
	               "labels): as features they give the label away, and the label trains as 2 classes, not %zu; "
	               "write them as one label column of class numbers instead (pandas: "
	               "df[cols].values.argmax(axis=1))", cols->names ? "" : " (from 1)", m + 1);
}

int lrs_labels_leak_warning(char *buf, size_t cap, const char *name, const lrs_split *s, int classes,
                            const lrs_feature_columns *cols)
{
	float *val = malloc(2 * (size_t)classes * sizeof *val);   /* (classes) per class, then (classes) seen */
	unsigned char *set = malloc((size_t)classes);             /* (classes) 1: val[c] is set             */
	size_t *found = malloc((s->d ? s->d : 1) * sizeof *found); /* the features that give the label away */
	unsigned *sum = NULL;                                      /* (n) one-hot row sums                    */
	size_t n_found = 0, group = 0;
	lrs_buf b = { 0 };
	int warned = 0;

	clear(buf, cap);
	if (!val || !set || !found || classes < 2 || s->n < 2 * (size_t)classes)
		goto done;
	if (cols->column && cols->binary_labels && (sum = malloc(s->n * sizeof *sum)) &&
	    ((group = one_hot_side(s, cols, -1, found, sum)) || (group = one_hot_side(s, cols, +1, found, sum)))) {
		one_hot_text(&b, name, found, group, cols);
		warned = finish(&b, buf, cap);
		goto done;
	}
	for (size_t j = 0; j < s->d && (classes > 2 || s->n >= LRS_LEAK_BINARY_ROWS); j++)   /* fewer: chance */
		if (recodes_label(s, j, classes, val, set, val + classes))
			found[n_found++] = j;
	if (!n_found)
		goto done;
	lrs_buf_printf(&b, "%s: %s%s ", name, cols->column ? "column" : "feature", n_found > 1 ? "s" : "");
	for (size_t k = 0; k < n_found && k < LISTED; k++) {
		lrs_buf_printf(&b, "%s", sep(k, n_found < LISTED ? n_found : LISTED));
		put_feature(&b, found[k], cols);
	}
	lrs_buf_printf(&b, "%s%s %s the label exactly (one value for each class, a different one for each: a copy or a "
	               "recoding of the label): as a feature it gives the answer away, and a model that reads it learns "
	               "nothing else; ", n_found > LISTED ? ", ..." : "",
	               cols->names ? "" : " (from 1)", n_found > 1 ? "each determine" : "determines");
	if (cols->column) {
		lrs_buf_printf(&b, "leave %s out with ", n_found > 1 ? "them" : "it");
		put_drop(&b, found, n_found < LISTED ? n_found : LISTED, cols);
	} else {
		lrs_buf_printf(&b, "leave %s out of the features array", n_found > 1 ? "them" : "it");
	}
	warned = finish(&b, buf, cap);
done:
	lrs_buf_free(&b);
	free(val);
	free(set);
	free(found);
	free(sum);
	return warned;
}
