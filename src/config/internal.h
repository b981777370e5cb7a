/* internal.h - what the config module's files share: the checker that
 * collects an experiment file's problems as "file:line:column: message"
 * lines, and the typed reads of a mapping's keys that report into it.
 * Not a public header: experiment.c and model.c only. */
#ifndef LRSWEEP_CONFIG_INTERNAL_H
#define LRSWEEP_CONFIG_INTERNAL_H

#include <stddef.h>

#include "lrsweep/experiment.h"
#include "lrsweep/node.h"
#include "lrsweep/util.h"

typedef struct {
	const char *path;   /* for messages                 */
	lrs_buf errors;     /* one line per problem         */
	int count;          /* problems found               */
	int bad_strategy;   /* search.strategy is wrong: its
	                       distributions go unquestioned
	                       (one problem, one line)      */
	int distributions;  /* search values that are ranges
	                       ({uniform}, {log_uniform},
	                       {int_uniform}) seen          */
} checker;

/* A problem with a value, reported at the value. */
void cfg_problem(checker *ck, const lrs_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A problem with a key (unknown, misplaced), reported at the key. */
void cfg_key_problem(checker *ck, const lrs_node *value, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "a mapping", "a list", "a single value": what n is, for messages. */
const char *cfg_kind_name(const lrs_node *n);

/* Every key of `map` must be one of allowed[0..n) (the nearest named). */
void cfg_check_keys(checker *ck, const lrs_node *map, const char *section, const char *const *allowed,
                    size_t n);

/* n is a scalar (a mapping), else a problem naming `key`: 1 or 0. */
int cfg_is_scalar(checker *ck, const lrs_node *n, const char *key);
int cfg_is_map(checker *ck, const lrs_node *n, const char *key);

/* The value at `key` of map, checked: 1 read into *out, 0 absent, -1
 * reported. get_number: in [lo, hi], ends open when lo_open / hi_open;
 * get_integer: a whole number in [lo, hi]; get_choice: one of the words
 * of choices ("a|b|c"), its index. */
int cfg_get_number(checker *ck, const lrs_node *map, const char *key, double lo, int lo_open, double hi,
                   int hi_open, double *out);
int cfg_get_integer(checker *ck, const lrs_node *map, const char *key, double lo, double hi, long *out);
int cfg_get_bool(checker *ck, const lrs_node *map, const char *key, int *out);
int cfg_get_choice(checker *ck, const lrs_node *map, const char *key, const char *choices, int *out);

/* The model: section n (NULL: absent) into m, defaults filled in; the
 * input and classes left 0 unless model.input gives the input (model.c). */
void cfg_read_model(checker *ck, const lrs_node *n, lrs_model_config *m);

#endif
