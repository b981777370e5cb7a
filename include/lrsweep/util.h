/* util.h - small helpers shared by every module: a growing string buffer,
 * strict number parsing, "did you mean" suggestions. No I/O, no globals. */
#ifndef LRSWEEP_UTIL_H
#define LRSWEEP_UTIL_H

#include <stddef.h>

/* Marks a function of element-wise float loops to be built also for AVX2
 * and AVX-512 and picked for the CPU when the program loads (GCC's
 * target_clones on x86-64; nothing elsewhere). The clones do the same IEEE
 * operations per element as the baseline SSE2 build -- -std=c11 keeps GCC
 * from contracting a*b+c into an FMA -- only more of them at once, so
 * results stay bitwise the same on every CPU. Functions it calls are
 * inlined into each clone only when GCC chooses to: measure. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LRS_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LRS_SIMD_CLONES
#endif

/* A growing, always NUL-terminated string. Zero-initialise to start. */
typedef struct {
	char *data;   /* the text, or NULL while empty */
	size_t len;   /* bytes used, excluding the NUL */
	size_t cap;   /* bytes allocated               */
	int failed;   /* set once an allocation failed */
} lrs_buf;

/* Appends printf-style; on allocation failure sets b->failed and keeps the
 * text so far. Returns 0 or LRS_ENOMEM. */
int lrs_buf_printf(lrs_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends `s` as a JSON string literal, quotes included: control
 * characters (C0, DEL, C1) as \u00XX, bytes that are not UTF-8 as
 * \ufffd, so that the result is always valid JSON and safe to show. */
int lrs_buf_json_string(lrs_buf *b, const char *s);

/* Appends `s` as text safe to print on a terminal: newline, tab and
 * carriage return as \n \t \r, other control characters (C0, DEL) and
 * bytes that are not UTF-8 as \xNN, C1 controls as \u00NN, bidirectional
 * overrides, embeddings and isolates as \u202e (and the like); printable
 * UTF-8 as it is. Stops before b->len would exceed `max` (0: no limit),
 * never inside a character. Returns how many bytes of `s` were left out
 * (0: all of it). A backslash is not escaped: this is for people. */
size_t lrs_buf_printable(lrs_buf *b, const char *s, size_t max);

/* The length (1 to 4) of the valid UTF-8 character that `s` starts with,
 * or 0: a stray or missing continuation byte, an overlong form, a
 * surrogate, a code point beyond U+10FFFF. "" gives 1 (the NUL). */
size_t lrs_utf8_len(const char *s);

/* Appends a double as JSON: %.17g, or null when not finite. */
int lrs_buf_json_number(lrs_buf *b, double v);

/* Hands the text to the caller ("" when empty) and resets the buffer;
 * returns NULL when an allocation failed. */
char *lrs_buf_take(lrs_buf *b);

/* Whether `s` is one JSON value (RFC 8259, nested at most 64 deep) whose
 * strings are UTF-8 and hold no raw control character (C0, DEL, C1): as
 * safe to embed in output as one lrs_buf_json_string wrote. */
int lrs_json_valid(const char *s);

void lrs_buf_free(lrs_buf *b);

/* n with its thousands set apart, "61,706", as torchinfo prints counts,
 * into buf (LRS_COUNT_TEXT bytes); returns buf. */
#define LRS_COUNT_TEXT 32
char *lrs_fmt_count(char *buf, unsigned long long n);

/* The shortest "%.*g" text (15 to 17 digits) that reads back as v, into
 * buf (LRS_DOUBLE_TEXT bytes); returns buf. */
#define LRS_DOUBLE_TEXT 32
char *lrs_fmt_double(char *buf, double v);

/* Parses all of `s` (surrounding blanks allowed) as a finite double, in
 * any form of number.h (1e-3, 0x80, 1_000). Returns 0, or -1 when `s` is
 * not exactly one number, or one no double holds (.inf, 1e400, 1e-400). */
int lrs_parse_double(const char *s, double *out);

/* Parses all of `s` (surrounding blanks allowed) as an integer of
 * number.h (128, 0x80, 1_000; not 1e3) in [LONG_MIN, LONG_MAX]. */
int lrs_parse_long(const char *s, long *out);

/* Parses a boolean as YAML 1.1 (PyYAML) spells it: true|yes|on and
 * false|no|off, each lowercase, capitalised or uppercase. Returns 0 with
 * *out 1 or 0, or -1 for any other text. */
int lrs_parse_bool(const char *s, int *out);

/* The name of `names` closest to `word` in edit distance when close enough
 * to be a likely typo, else NULL. */
const char *lrs_nearest_name(const char *word, const char *const *names, size_t n);

#endif
