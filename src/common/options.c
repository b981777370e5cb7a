/* options.c - the one command-line parser and the --help it generates
 * from a command's table (options.h). It parses and describes; it never
 * prints an error or exits: a refusal is LRS_EINVALID and one line in the
 * thread's error message, and the caller decides the exit status. */
#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/options.h"
#include "lrsweep/util.h"

#define MAX_OPTS 64      /* entries of one table: one bit each in `seen` */
#define NAME_CAP 64      /* a long flag's name; longer ones are unknown   */
#define WIDTH 79         /* columns of the help text                      */
#define LABEL_CAP 22     /* a longer label puts its help on the next line */

/* What one parse has found so far. */
typedef struct {
	const lrs_opt_spec *spec;
	uint64_t seen;       /* bit i: entry i was given                     */
	size_t operands;     /* operands taken                               */
	int help;            /* -h or --help came                            */
	int alone;           /* an LRS_OPT_ALONE flag came                   */
} parser;

/* ------------------------------------------------------------ names */

/* "--name" ("-x" when the flag has only a short form), as the usage line
 * and the errors that are not about one argument show it. */
static const char *shown_name(const lrs_opt *o, char *buf, size_t cap)
{
	if (o->flags & LRS_OPT_OPERAND)
		snprintf(buf, cap, "%s", o->metavar);
	else if (o->short_name)
		snprintf(buf, cap, "-%c", o->short_name);
	else
		snprintf(buf, cap, "--%s", o->name);
	return buf;
}

static int is_long_flag(const char *a)
{
	return a[0] == '-' && a[1] == '-' && isalnum((unsigned char)a[2]);
}

static int is_short_flag(const char *a)
{
	return a[0] == '-' && isalpha((unsigned char)a[1]);
}

static const lrs_opt *find_long(const lrs_opt_spec *s, const char *name)
{
	for (size_t i = 0; i < s->n_opts; i++)
		if (s->opts[i].name && !(s->opts[i].flags & LRS_OPT_OPERAND) && s->opts[i].kind != LRS_OPT_PARAMS &&
		    !strcmp(s->opts[i].name, name))
			return &s->opts[i];
	return NULL;
}

static const lrs_opt *find_short(const lrs_opt_spec *s, char c)
{
	for (size_t i = 0; i < s->n_opts; i++)
		if (s->opts[i].short_name == c && !(s->opts[i].flags & LRS_OPT_OPERAND))
			return &s->opts[i];
	return NULL;
}

static const lrs_opt *find_kind(const lrs_opt_spec *s, lrs_opt_kind kind)
{
	for (size_t i = 0; i < s->n_opts; i++)
		if (s->opts[i].kind == kind && !(s->opts[i].flags & LRS_OPT_OPERAND))
			return &s->opts[i];
	return NULL;
}

const char *lrs_opt_nearest(const lrs_opt_spec *spec, const char *name)
{
	const char *names[MAX_OPTS + 1];
	size_t n = 0;

	for (size_t i = 0; i < spec->n_opts && n < MAX_OPTS; i++)
		if (spec->opts[i].name && !(spec->opts[i].flags & LRS_OPT_OPERAND) &&
		    spec->opts[i].kind != LRS_OPT_PARAMS)
			names[n++] = spec->opts[i].name;
	names[n++] = "help";
	return strlen(name) < 3 ? NULL : lrs_nearest_name(name, names, n);   /* "-x": anything is near */
}

/* Whether `a` can be the value of the flag before it: not a flag itself
 * (a long one, or a short one this table or --help knows), not "--", not
 * empty. "-1" and "-x.db" are values. */
static int is_value(const lrs_opt_spec *s, const char *a)
{
	if (!a || !*a || !strcmp(a, "--") || is_long_flag(a))
		return 0;
	if (is_short_flag(a) && a[2] == '\0')
		return a[1] != 'h' && !find_short(s, a[1]);
	return 1;
}

/* "a, b or c" (sep ", ", last " or ") or "a|b|c" (sep "|", last "|"). */
static void join_choices(lrs_buf *b, const lrs_opt *o, const char *sep, const char *last)
{
	for (size_t k = 0; k < o->n_choices; k++)
		lrs_buf_printf(b, "%s%s", k == 0 ? "" : k + 1 == o->n_choices ? last : sep, o->choices[k]);
}

/* ------------------------------------------------------------ values */

static int in_range(const lrs_opt *o, double v)
{
	if (!(o->min < o->max))
		return 1;
	if (o->flags & LRS_OPT_MIN_OPEN ? !(v > o->min) : !(v >= o->min))
		return 0;
	return o->flags & LRS_OPT_MAX_OPEN ? v < o->max : v <= o->max;
}

/* "--threads must be an integer in [0, 4096], got 'x'"; an integer's
 * bounds in full (a seed's 2^53, not 9.00719925474099e+15) */
static int range_error(const lrs_opt *o, const char *flag, const char *val)
{
	const char *what = o->kind == LRS_OPT_INT ? "an integer" : "a number";
	int lo_open = (o->flags & LRS_OPT_MIN_OPEN) != 0, hi_open = (o->flags & LRS_OPT_MAX_OPEN) != 0;
	int prec = o->kind == LRS_OPT_INT ? 17 : 15;   /* digits of a bound */

	if (!(o->min < o->max))
		return lrs_error_set(LRS_EINVALID, "%s must be %s, got '%s'", flag, what, val);
	if (isinf(o->max))
		return lrs_error_set(LRS_EINVALID, "%s must be %s %s %.*g, got '%s'", flag, what, lo_open ? ">" : ">=",
		                     prec, o->min, val);
	if (isinf(o->min))
		return lrs_error_set(LRS_EINVALID, "%s must be %s %s %.*g, got '%s'", flag, what, hi_open ? "<" : "<=",
		                     prec, o->max, val);
	return lrs_error_set(LRS_EINVALID, "%s must be %s in %c%.*g, %.*g%c, got '%s'", flag, what, lo_open ? '(' : '[',
	                     prec, o->min, prec, o->max, hi_open ? ')' : ']', val);
}

/* An ENUM's value: its index, or the error naming the choices and the
 * nearest one. An operand's error names what it is (.noun). */
static int set_enum(const lrs_opt *o, const char *flag, const char *val)
{
	const char *near;
	lrs_buf b = { 0 };
	int rc;

	for (size_t k = 0; k < o->n_choices; k++)
		if (!strcmp(val, o->choices[k])) {
			*(int *)o->dest = (int)k;
			return 0;
		}
	near = lrs_nearest_name(val, o->choices, o->n_choices);
	if (o->flags & LRS_OPT_OPERAND) {
		join_choices(&b, o, ", ", ", ");
		rc = lrs_error_set(LRS_EINVALID, "unknown %s '%s'%s%s%s; valid: %s", o->noun ? o->noun : o->metavar, val,
		                   near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "", b.data ? b.data : "");
	} else {
		join_choices(&b, o, ", ", " or ");
		rc = lrs_error_set(LRS_EINVALID, "%s must be %s, got '%s'%s%s%s", flag, b.data ? b.data : "", val,
		                   near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
	}
	lrs_buf_free(&b);
	return rc;
}

/* Stores `val` as entry o wants it; `flag` is the name the user wrote. */
static int store(const lrs_opt *o, const char *flag, const char *val)
{
	long n;
	double v;

	switch (o->kind) {
	case LRS_OPT_FLAG:
		*(int *)o->dest = 1;
		return 0;
	case LRS_OPT_INT:
		if (lrs_parse_long(val, &n) < 0 || !in_range(o, (double)n))
			return range_error(o, flag, val);
		*(long *)o->dest = n;
		return 0;
	case LRS_OPT_DOUBLE:
		if (lrs_parse_double(val, &v) < 0 || !in_range(o, v))
			return range_error(o, flag, val);
		*(double *)o->dest = v;
		return 0;
	case LRS_OPT_STRING:
		if (o->set)
			return o->set(o->dest, flag, val);
		*(const char **)o->dest = val;
		return 0;
	case LRS_OPT_ENUM:
		return set_enum(o, flag, val);
	case LRS_OPT_LIST: {
		lrs_opt_list *l = o->dest;
		if (l->n == LRS_OPT_LIST_MAX)
			return lrs_error_set(LRS_EINVALID, "%s given more than %d times", flag, LRS_OPT_LIST_MAX);
		l->items[l->n++] = val;
		return 0;
	}
	case LRS_OPT_PARAMS:
		return o->set(o->dest, flag + 2, val);
	}
	return lrs_error_set(LRS_ERROR, "%s: an option of unknown kind", flag);
}

/* ------------------------------------------------------------ arguments */

static int unknown_flag(const parser *p, const char *arg, const char *name)
{
	const char *near = find_long(p->spec, name) ? name : lrs_opt_nearest(p->spec, name);   /* "-db": --db */

	if (near)
		return lrs_error_set(LRS_EINVALID, "unknown option '%s' (did you mean '--%s'?)", arg, near);
	return lrs_error_set(LRS_EINVALID, "unknown option '%s' (see '%s%s%s --help')", arg, p->spec->program,
	                     p->spec->command ? " " : "", p->spec->command ? p->spec->command : "");
}

/* The entry of flag argument `arg` (NULL for --help), its name as written
 * into flag[], an inline value (--name=VALUE) into *inline_val. */
static int lookup(const parser *p, const char *arg, const lrs_opt **out, char *flag, const char **inline_val)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);

	*out = NULL;
	*inline_val = NULL;
	if (arg[1] != '-') {   /* -x: one letter, no clusters, no -xVALUE */
		snprintf(flag, NAME_CAP + 3, "%s", arg);
		if (arg[2] != '\0')   /* "-db": perhaps --db */
			return unknown_flag(p, arg, arg + 1);
		if (arg[1] == 'h')
			return 0;
		*out = find_short(p->spec, arg[1]);
		return *out ? 0 : unknown_flag(p, arg, arg + 1);
	}
	if (len - 2 > NAME_CAP)
		return unknown_flag(p, arg, "");
	snprintf(flag, NAME_CAP + 3, "%.*s", (int)len, arg);
	*inline_val = eq ? eq + 1 : NULL;
	if (!strcmp(flag, "--help"))
		return eq ? lrs_error_set(LRS_EINVALID, "--help takes no value") : 0;
	if ((*out = find_long(p->spec, flag + 2)) == NULL)
		*out = find_kind(p->spec, LRS_OPT_PARAMS);
	return *out ? 0 : unknown_flag(p, flag, flag + 2);
}

/* Takes the flag at argv[*i] (and its value, advancing *i past it). */
static int take_flag(parser *p, int argc, char **argv, int *i)
{
	char flag[NAME_CAP + 3];
	const lrs_opt *o;
	const char *val;
	int rc;

	if ((rc = lookup(p, argv[*i], &o, flag, &val)) < 0)
		return rc;
	if (!o) {
		p->help = 1;
		return 0;
	}
	size_t bit = (size_t)(o - p->spec->opts);
	if (o->kind == LRS_OPT_FLAG) {
		if (val)
			return lrs_error_set(LRS_EINVALID, "%s takes no value", flag);
	} else if (!val && *i + 1 < argc) {
		const char *next = argv[*i + 1];
		if (is_value(p->spec, next))
			val = argv[++*i];
		else if (!strcmp(next, "-h") || !strcmp(next, "--help"))
			return 0;   /* "--db --help": the help, next round */
	}
	if (o->kind != LRS_OPT_FLAG && (!val || !*val)) {
		const char *m = o->kind == LRS_OPT_PARAMS ? NULL : o->metavar;   /* "VALUE" says nothing */
		return lrs_error_set(LRS_EINVALID, "%s needs a value%s%s%s", flag, m ? " (" : "", m ? m : "", m ? ")" : "");
	}
	if ((p->seen >> bit & 1) && o->kind != LRS_OPT_FLAG && o->kind != LRS_OPT_LIST && o->kind != LRS_OPT_PARAMS)
		return lrs_error_set(LRS_EINVALID, "%s given twice", flag);
	p->seen |= (uint64_t)1 << bit;
	p->alone |= (o->flags & LRS_OPT_ALONE) != 0;
	return store(o, flag, val);
}

/* The next operand of the table gets `a`. */
static int take_operand(parser *p, const char *a)
{
	size_t k = 0;

	for (size_t i = 0; i < p->spec->n_opts; i++) {
		const lrs_opt *o = &p->spec->opts[i];
		if (!(o->flags & LRS_OPT_OPERAND) || k++ < p->operands)
			continue;
		p->operands++;
		p->seen |= (uint64_t)1 << i;
		return store(o, o->metavar, a);
	}
	return lrs_error_set(LRS_EINVALID, "unexpected argument '%s'", a);
}

/* ------------------------------------------------------------ the checks at the end */

/* "missing the experiment file (lrsweep run EXP.yaml)"; an ENUM operand
 * lists its choices. */
static int missing_operand(const lrs_opt_spec *s, const lrs_opt *o)
{
	lrs_buf b = { 0 };
	int rc;

	lrs_buf_printf(&b, "missing %s", o->help);
	if (o->kind == LRS_OPT_ENUM) {
		lrs_buf_printf(&b, ": ");
		join_choices(&b, o, ", ", " or ");
	}
	lrs_buf_printf(&b, " (%s%s%s", s->program, s->command ? " " : "", s->command ? s->command : "");
	for (size_t i = 0; i < s->n_opts; i++)
		if ((s->opts[i].flags & LRS_OPT_OPERAND) && (s->opts[i].flags & LRS_OPT_REQUIRED))
			lrs_buf_printf(&b, " %s", s->opts[i].metavar);
	lrs_buf_printf(&b, ")");
	rc = lrs_error_set(LRS_EINVALID, "%s", b.data ? b.data : "missing an argument");
	lrs_buf_free(&b);
	return rc;
}

/* Entry i against the rules of its flags: given when required, not given
 * with the one it excludes. */
static int check_entry(const parser *p, size_t i)
{
	const lrs_opt_spec *s = p->spec;
	const lrs_opt *o = &s->opts[i], *next = i + 1 < s->n_opts ? o + 1 : NULL;
	int given = p->seen >> i & 1, next_given = next && (p->seen >> (i + 1) & 1);
	char a[NAME_CAP + 3], b[NAME_CAP + 3];

	if ((o->flags & LRS_OPT_OR_NEXT) && next && given && next_given)
		return lrs_error_set(LRS_EINVALID, "give either %s or %s, not both", shown_name(o, a, sizeof a),
		                     shown_name(next, b, sizeof b));
	if (!(o->flags & LRS_OPT_REQUIRED) || p->alone || given)
		return 0;
	if (o->flags & LRS_OPT_OPERAND)
		return s->stop_at_operand ? 0 : missing_operand(s, o);
	if ((o->flags & LRS_OPT_OR_NEXT) && next)
		return next_given ? 0 : lrs_error_set(LRS_EINVALID, "give %s%s%s or %s", shown_name(o, a, sizeof a),
		                                      o->metavar ? " " : "", o->metavar ? o->metavar : "",
		                                      shown_name(next, b, sizeof b));
	return lrs_error_set(LRS_EINVALID, "missing %s%s%s", shown_name(o, a, sizeof a), o->metavar ? " " : "",
	                     o->metavar ? o->metavar : "");
}

int lrs_opt_parse(const lrs_opt_spec *spec, int argc, char **argv, int *next)
{
	parser p = { spec, 0, 0, 0, 0 };
	int ended = 0, rc = 0;

	assert(spec->n_opts <= MAX_OPTS);
	if (next)
		*next = argc;
	for (int i = 1; i < argc && rc == 0; i++) {
		const char *a = argv[i];
		if (!ended && !strcmp(a, "--")) {
			ended = 1;
		} else if (!ended && (is_long_flag(a) || is_short_flag(a))) {
			rc = take_flag(&p, argc, argv, &i);
		} else if (spec->stop_at_operand) {
			if (next)
				*next = i;
			break;
		} else {
			rc = take_operand(&p, a);
		}
	}
	if (p.help)
		return LRS_OPT_HELP;
	for (size_t i = 0; i < spec->n_opts && rc == 0; i++)
		rc = check_entry(&p, i);
	return rc;
}

/* ------------------------------------------------------------ the help */

/* The value's name: the metavar, or an ENUM's choices "a|b|c". */
static void value_name(lrs_buf *b, const lrs_opt *o)
{
	if (o->metavar)
		lrs_buf_printf(b, "%s", o->metavar);
	else if (o->kind == LRS_OPT_ENUM)
		join_choices(b, o, "|", "|");
	else
		lrs_buf_printf(b, "VALUE");
}

/* One entry as the usage line shows it: "EXP.yaml", "--db F", "-q|--quiet",
 * "-o F.html", "--KEY VALUE ...". */
static void usage_item(lrs_buf *b, const lrs_opt *o)
{
	if (o->flags & LRS_OPT_OPERAND) {
		lrs_buf_printf(b, "%s", o->metavar);
		return;
	}
	if (o->kind == LRS_OPT_PARAMS) {
		lrs_buf_printf(b, "--%s %s ...", o->name, o->metavar ? o->metavar : "VALUE");
		return;
	}
	if (o->short_name && o->kind == LRS_OPT_FLAG && o->name)
		lrs_buf_printf(b, "-%c|--%s", o->short_name, o->name);
	else if (o->short_name)
		lrs_buf_printf(b, "-%c", o->short_name);
	else
		lrs_buf_printf(b, "--%s", o->name);
	if (o->kind != LRS_OPT_FLAG) {
		lrs_buf_printf(b, " ");
		value_name(b, o);
	}
	if (o->kind == LRS_OPT_LIST)
		lrs_buf_printf(b, " ...");
}

/* The usage item of entries i.. joined by AND_NEXT / OR_NEXT: "[--a X]",
 * "[--a X --b Y]", "(-o F | --terminal)" when one of them is required,
 * bare when required alone. Returns the index after the group. */
static size_t usage_group(lrs_buf *b, const lrs_opt_spec *s, size_t i)
{
	int required = (s->opts[i].flags & LRS_OPT_REQUIRED) != 0;
	size_t first = i;
	lrs_buf g = { 0 };

	for (;;) {
		const lrs_opt *o = &s->opts[i++];
		usage_item(&g, o);
		if (!(o->flags & (LRS_OPT_AND_NEXT | LRS_OPT_OR_NEXT)) || i == s->n_opts)
			break;
		lrs_buf_printf(&g, o->flags & LRS_OPT_OR_NEXT ? " | " : " ");
	}
	if (!required)
		lrs_buf_printf(b, "[%s]", g.data ? g.data : "");
	else
		lrs_buf_printf(b, i - first > 1 ? "(%s)" : "%s", g.data ? g.data : "");
	lrs_buf_free(&g);
	return i;
}

static void print_usage(FILE *f, const lrs_opt_spec *s)
{
	int indent = fprintf(f, "usage: %s%s%s", s->program, s->command ? " " : "", s->command ? s->command : "");
	int col = indent;

	for (size_t i = 0; i < s->n_opts;) {
		lrs_buf b = { 0 };
		if (s->opts[i].flags & LRS_OPT_NO_USAGE) {
			i++;
			continue;
		}
		i = usage_group(&b, s, i);
		int len = b.data ? (int)b.len : 0;
		if (col + 1 + len > WIDTH && col > indent)
			col = fprintf(f, "\n%*s", indent, "") - 1;
		col += fprintf(f, " %s", b.data ? b.data : "");
		lrs_buf_free(&b);
	}
	fputc('\n', f);
}

/* `text` word-wrapped from column `col` to WIDTH, continuation lines
 * indented to `indent`; a newline in the text breaks the line there. */
static void print_wrapped(FILE *f, const char *text, int col, int indent)
{
	const char *p = text;

	while (*p) {
		size_t word = strcspn(p, " \n");
		if (col > indent && col + 1 + (int)word > WIDTH) {
			col = fprintf(f, "\n%*s", indent, "") - 1;
		} else if (col > indent) {
			col += fprintf(f, " ");
		}
		col += fprintf(f, "%.*s", (int)word, p);
		p += word;
		if (*p == '\n') {
			col = fprintf(f, "\n%*s", indent, "") - 1;
			p++;
		}
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

/* "-o, --output F", "--db F", "EXP.yaml", "--KEY VALUE" */
static void entry_label(lrs_buf *b, const lrs_opt *o)
{
	if (o->flags & LRS_OPT_OPERAND) {
		lrs_buf_printf(b, "%s", o->metavar);
		return;
	}
	if (o->short_name)
		lrs_buf_printf(b, o->name ? "-%c, " : "-%c", o->short_name);
	if (o->name)
		lrs_buf_printf(b, "--%s", o->name);
	if (o->kind != LRS_OPT_FLAG) {
		lrs_buf_printf(b, " ");
		value_name(b, o);
	}
}

static void print_entry(FILE *f, const char *label, const char *help, int width)
{
	int col = fprintf(f, "  %s", label);

	if (col > width + 2) {
		fputc('\n', f);
		col = 0;
	}
	fprintf(f, "%*s", width + 4 - col, "");
	print_wrapped(f, help ? help : "", width + 4, width + 4);
}

static void print_entries(FILE *f, const lrs_opt_spec *s)
{
	int width = 10;   /* the labels' column: "-h, --help" at least */

	for (size_t i = 0; i < s->n_opts; i++) {
		lrs_buf b = { 0 };
		entry_label(&b, &s->opts[i]);
		if (b.data && (int)b.len > width && b.len <= LABEL_CAP)
			width = (int)b.len;
		lrs_buf_free(&b);
	}
	for (size_t i = 0; i < s->n_opts; i++) {
		lrs_buf b = { 0 };
		entry_label(&b, &s->opts[i]);
		print_entry(f, b.data ? b.data : "", s->opts[i].help, width);
		lrs_buf_free(&b);
	}
	print_entry(f, "-h, --help", "this help", width);
}

void lrs_opt_help(FILE *f, const lrs_opt_spec *spec)
{
	print_usage(f, spec);
	if (spec->about)
		fprintf(f, "\n%s", spec->about);
	fputc('\n', f);
	print_entries(f, spec);
	if (spec->epilog)
		fprintf(f, "\n%s", spec->epilog);
}
