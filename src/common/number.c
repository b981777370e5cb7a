/* number.c - which plain scalars are numbers (number.h): the forms of
 * YAML 1.2's core schema with PyYAML's 0b and underscores, the nearest
 * double, and JSON that keeps every digit of an integer. It knows no
 * YAML beyond the text of one scalar, and allocates nothing. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/number.h"

#define TWO_TO_53 9007199254740992.0   /* every integer up to it is a double */
#define LIMB_BASE 1000000000u           /* a limb holds 9 decimal digits      */
#define MAX_LIMBS (LRS_NUMBER_MAX_DIGITS / 9 + 2)
/* Digits in any base beyond which no integer can fit in MAX_DIGITS decimal
 * ones (a binary digit is 0.3 of a decimal one): checked before converting,
 * so that a megabyte of digits costs one pass. */
#define MAX_SOURCE_DIGITS (4 * LRS_NUMBER_MAX_DIGITS)

/* The value of c as a digit of `radix` (2, 8, 10 or 16), or -1. */
static int digit_of(char c, int radix)
{
	int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

	return d < radix ? d : -1;
}

/* Whether [p, end) is digits of `radix` and underscores with at least one
 * digit; *count gets the digits after the leading zeros. */
static int all_digits(const char *p, const char *end, int radix, size_t *count)
{
	int any = 0;

	*count = 0;
	for (; p < end; p++) {
		if (*p == '_')
			continue;
		if (digit_of(*p, radix) < 0)
			return 0;
		any = 1;
		*count += *count || *p != '0';
	}
	return any;
}

/* The integer written in [p, end) in `radix` (underscores skipped) as
 * decimal digits into dec (no leading zero; "0"). 0, or -1 when it has more
 * than LRS_NUMBER_MAX_DIGITS of them. */
static int to_decimal(char dec[MAX_LIMBS * 9 + 1], const char *p, const char *end, int radix)
{
	uint32_t limb[MAX_LIMBS];   /* the number in base 10^9, least significant limb first */
	size_t n = 0;               /* limbs in use */
	int len;

	for (; p < end; p++) {
		if (*p == '_')
			continue;
		uint64_t carry = (uint64_t)digit_of(*p, radix);
		for (size_t i = 0; i < n; i++) {
			uint64_t x = (uint64_t)limb[i] * (uint64_t)radix + carry;
			limb[i] = (uint32_t)(x % LIMB_BASE);
			carry = x / LIMB_BASE;
		}
		if (carry) {
			if (n == MAX_LIMBS)
				return -1;
			limb[n++] = (uint32_t)carry;
		}
	}
	if (n == 0) {
		strcpy(dec, "0");
		return 0;
	}
	len = sprintf(dec, "%u", (unsigned)limb[n - 1]);
	for (size_t i = n - 1; i-- > 0;)
		len += sprintf(dec + len, "%09u", (unsigned)limb[i]);
	return len > LRS_NUMBER_MAX_DIGITS ? -1 : 0;
}

/* The integer [p, end) of `radix`, negative when neg: its value, and its
 * JSON when json is not NULL (lrs_buf_json_number's below 2^53, so that
 * what an earlier lrsweep wrote stays byte for byte; every digit above). */
static lrs_number_kind integer(const char *p, const char *end, int radix, int neg, double *value, lrs_buf *json)
{
	char dec[1 + MAX_LIMBS * 9 + 1];   /* sign, digits, NUL */
	size_t count;
	double v;

	if (!all_digits(p, end, radix, &count))
		return LRS_NUMBER_NONE;
	if (count > MAX_SOURCE_DIGITS)
		return LRS_NUMBER_TOO_LONG;
	dec[0] = '-';
	if (to_decimal(dec + 1, p, end, radix) < 0)
		return LRS_NUMBER_TOO_LONG;
	v = strtod(neg ? dec : dec + 1, NULL);   /* correctly rounded; +-inf past 1.8e308 */
	if (value)
		*value = v;
	if (json && fabs(v) < TWO_TO_53)   /* exact: the same digits */
		lrs_buf_json_number(json, v);
	else if (json)
		lrs_buf_printf(json, "%s", neg ? dec : dec + 1);
	return LRS_NUMBER_INTEGER;
}

/* [p, end) past digits and underscores; *count gets the digits. */
static const char *skip_digits(const char *p, const char *end, size_t *count)
{
	for (; p < end && ((*p >= '0' && *p <= '9') || *p == '_'); p++)
		*count += *p != '_';
	return p;
}

/* The real [s, end) (sign included) whose digits were counted: its value
 * and JSON, or INFINITE past the doubles. */
static lrs_number_kind real(const char *s, const char *end, size_t digits, double *value, lrs_buf *json)
{
	char clean[LRS_NUMBER_MAX_DIGITS + 8];   /* s without underscores: sign . e sign NUL */
	size_t n = 0;
	double v;

	if (digits > LRS_NUMBER_MAX_DIGITS)
		return LRS_NUMBER_TOO_LONG;
	for (; s < end; s++)
		if (*s != '_')
			clean[n++] = *s;
	clean[n] = '\0';
	v = strtod(clean, NULL);
	if (value)
		*value = v;
	if (!isfinite(v))
		return LRS_NUMBER_INFINITE;
	if (json)
		lrs_buf_json_number(json, v);
	return LRS_NUMBER_REAL;
}

/* Whether [p, end) is one of the three spellings `a`, `b`, `c`. */
static int spelled(const char *p, const char *end, const char *a, const char *b, const char *c)
{
	size_t n = (size_t)(end - p);

	return n == strlen(a) && (!memcmp(p, a, n) || !memcmp(p, b, n) || !memcmp(p, c, n));
}

lrs_number_kind lrs_number_read(const char *s, size_t len, double *value, lrs_buf *json)
{
	const char *p = s, *end = s + len, *q;
	size_t digits = 0;
	int neg = 0, is_real = 0;

	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	if (spelled(p, end, ".inf", ".Inf", ".INF") || (p == s && spelled(p, end, ".nan", ".NaN", ".NAN"))) {
		if (value)
			*value = p[1] == 'n' || p[1] == 'N' ? NAN : neg ? -INFINITY : INFINITY;
		return LRS_NUMBER_INFINITE;
	}
	if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'o' || p[1] == 'b'))
		return integer(p + 2, end, p[1] == 'x' ? 16 : p[1] == 'o' ? 8 : 2, neg, value, json);
	/* decimal: digits first, or a point and a digit */
	if (p < end && *p >= '0' && *p <= '9')
		q = skip_digits(p, end, &digits);
	else if (end - p >= 2 && p[0] == '.' && p[1] >= '0' && p[1] <= '9')
		q = p;
	else
		return LRS_NUMBER_NONE;
	if (q < end && *q == '.') {
		is_real = 1;
		q = skip_digits(q + 1, end, &digits);
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		is_real = 1;
		q += q + 1 < end && (q[1] == '+' || q[1] == '-') ? 2 : 1;
		if (q == end || *q < '0' || *q > '9')
			return LRS_NUMBER_NONE;
		for (; q < end && *q >= '0' && *q <= '9'; q++)
			digits++;
	}
	if (q != end)
		return LRS_NUMBER_NONE;
	return is_real ? real(s, end, digits, value, json) : integer(p, end, 10, neg, value, json);
}
