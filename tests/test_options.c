/* test_options.c - the command-line parser and its generated help
 * (src/common/options.c) on one table that has every kind of value:
 * both forms of a value, the end of the flags, a value missing wherever
 * it stands, unknown flags and their suggestions, repeats, negative
 * numbers, ranges, operands, flags that exclude each other, and a help
 * that names every entry of the table. */
#define _GNU_SOURCE   /* open_memstream */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrsweep/error.h"
#include "lrsweep/options.h"
#include "suites.h"

static const char *const modes[] = { "linear", "exponential" };

/* Where the test table's values go. */
typedef struct {
	const char *file;            /* operand FILE (required)      */
	int what;                    /* operand WHAT (optional enum) */
	const char *db;
	long threads;
	double rate;
	long offset;                 /* any integer, negatives too   */
	int mode;
	int resume, dry_run, list, quiet;
	lrs_opt_list tags;
	const char *plot;
	int terminal;
	const char *pick;            /* through a checking setter    */
	char params[256];            /* "key=value;" per PARAMS flag */
} dests;

static dests d;

/* A setter that refuses "bad" and keeps the rest. */
static int set_pick(void *dest, const char *flag, const char *value)
{
	if (!strcmp(value, "bad"))
		return lrs_error_set(LRS_EINVALID, "%s: no rule 'bad'", flag);
	*(const char **)dest = value;
	return 0;
}

static int add_param(void *dest, const char *key, const char *value)
{
	size_t len = strlen(dest);

	snprintf((char *)dest + len, sizeof d.params - len, "%s=%s;", key, value);
	return 0;
}

static const lrs_opt table[] = {
	{ .metavar = "FILE", .flags = LRS_OPT_OPERAND | LRS_OPT_REQUIRED, .kind = LRS_OPT_STRING, .dest = &d.file,
	  .help = "the file to read" },
	{ .metavar = "WHAT", .flags = LRS_OPT_OPERAND, .kind = LRS_OPT_ENUM, .dest = &d.what, .choices = modes,
	  .n_choices = 2, .noun = "subject", .help = "what to show" },
	{ .name = "db", .kind = LRS_OPT_STRING, .dest = &d.db, .metavar = "F", .help = "the database" },
	{ .name = "threads", .kind = LRS_OPT_INT, .dest = &d.threads, .metavar = "N", .min = 0, .max = 4096,
	  .help = "threads at once" },
	{ .name = "rate", .kind = LRS_OPT_DOUBLE, .dest = &d.rate, .metavar = "X", .min = 0, .max = INFINITY,
	  .flags = LRS_OPT_MIN_OPEN, .help = "a rate above zero" },
	{ .name = "offset", .kind = LRS_OPT_INT, .dest = &d.offset, .metavar = "K", .help = "any integer" },
	{ .name = "mode", .kind = LRS_OPT_ENUM, .dest = &d.mode, .choices = modes, .n_choices = 2,
	  .help = "how the rate rises" },
	{ .name = "resume", .kind = LRS_OPT_FLAG, .dest = &d.resume, .flags = LRS_OPT_OR_NEXT, .help = "go on" },
	{ .name = "dry-run", .kind = LRS_OPT_FLAG, .dest = &d.dry_run, .help = "print the plan" },
	{ .name = "list", .kind = LRS_OPT_FLAG, .dest = &d.list, .flags = LRS_OPT_ALONE, .help = "list, nothing else" },
	{ .name = "tag", .kind = LRS_OPT_LIST, .dest = &d.tags, .metavar = "T", .help = "a tag; repeat it" },
	{ .name = "plot", .short_name = 'o', .kind = LRS_OPT_STRING, .dest = &d.plot, .metavar = "F.png",
	  .flags = LRS_OPT_OR_NEXT, .help = "draw to a file" },
	{ .name = "terminal", .kind = LRS_OPT_FLAG, .dest = &d.terminal, .help = "draw in the terminal" },
	{ .name = "pick", .kind = LRS_OPT_STRING, .dest = &d.pick, .set = set_pick, .metavar = "RULE",
	  .help = "a checked name" },
	{ .name = "quiet", .short_name = 'q', .kind = LRS_OPT_FLAG, .dest = &d.quiet, .flags = LRS_OPT_NO_USAGE,
	  .help = "say less" },
	{ .name = "KEY", .kind = LRS_OPT_PARAMS, .dest = d.params, .set = add_param, .metavar = "VALUE",
	  .help = "any other parameter" },
};

static const lrs_opt_spec spec = { "prog", "cmd", table, sizeof table / sizeof table[0], "About it.\n", "After.\n", 0 };

/* The same without PARAMS: an unknown long flag is refused, not a KEY. */
static const lrs_opt_spec plain = { "prog", "cmd", table, sizeof table / sizeof table[0] - 1, NULL, NULL, 0 };

/* Parses the words of `line` (split at spaces) after a command name. */
static int parse(const lrs_opt_spec *s, const char *line)
{
	static char buf[512];
	char *argv[128] = { "cmd" };
	int argc = 1;

	memset(&d, 0, sizeof d);
	d.what = d.mode = -1;
	d.threads = -1;
	d.rate = NAN;
	lrs_error_clear();
	snprintf(buf, sizeof buf, "%s", line);
	for (char *w = strtok(buf, " "); w && argc < 128; w = strtok(NULL, " "))
		argv[argc++] = w;
	return lrs_opt_parse(s, argc, argv, NULL);
}

/* The parse by `s` fails with one line holding `needle`. */
static void refused_by(const lrs_opt_spec *s, const char *line, const char *needle)
{
	int rc = parse(s, line);

	ck_assert_msg(rc == LRS_EINVALID, "'%s' gave %d", line, rc);
	ck_assert_msg(strstr(lrs_error_last(), needle) != NULL, "'%s': '%s' lacks '%s'", line, lrs_error_last(), needle);
	ck_assert_msg(strchr(lrs_error_last(), '\n') == NULL, "'%s': more than one line", line);
}

static void refused(const char *line, const char *needle)
{
	refused_by(&spec, line, needle);
}

START_TEST(every_kind)
{
	ck_assert_int_eq(parse(&spec, "in.yaml exponential --db x.db --threads 3 --rate 0.5 --offset -7 --mode linear "
	                              "--resume --tag a --tag b -o f.png --pick good -q --gamma 0.5"), 0);
	ck_assert_str_eq(d.file, "in.yaml");
	ck_assert_int_eq(d.what, 1);
	ck_assert_str_eq(d.db, "x.db");
	ck_assert_int_eq(d.threads, 3);
	ck_assert_double_eq(d.rate, 0.5);
	ck_assert_int_eq(d.offset, -7);
	ck_assert_int_eq(d.mode, 0);
	ck_assert_int_eq(d.resume, 1);
	ck_assert_int_eq(d.dry_run, 0);
	ck_assert_int_eq((int)d.tags.n, 2);
	ck_assert_str_eq(d.tags.items[0], "a");
	ck_assert_str_eq(d.tags.items[1], "b");
	ck_assert_str_eq(d.plot, "f.png");
	ck_assert_str_eq(d.pick, "good");
	ck_assert_int_eq(d.quiet, 1);
	ck_assert_str_eq(d.params, "gamma=0.5;");
	/* what was not given keeps its value */
	ck_assert_int_eq(parse(&spec, "in.yaml"), 0);
	ck_assert_ptr_null(d.db);
	ck_assert_int_eq(d.threads, -1);
	ck_assert(isnan(d.rate));
	ck_assert_int_eq(d.what, -1);
}
END_TEST

START_TEST(value_forms)
{
	ck_assert_int_eq(parse(&spec, "--db=a=b.db in.yaml --threads=0 --plot=x.png --gamma=-1"), 0);
	ck_assert_str_eq(d.db, "a=b.db");
	ck_assert_int_eq(d.threads, 0);
	ck_assert_str_eq(d.plot, "x.png");
	ck_assert_str_eq(d.params, "gamma=-1;");
	/* a value that looks like a flag goes after = */
	ck_assert_int_eq(parse(&spec, "in.yaml --db=--odd.db"), 0);
	ck_assert_str_eq(d.db, "--odd.db");
	/* a dash and no letter is a value, and an operand */
	ck_assert_int_eq(parse(&spec, "- --db -x.db"), 0);
	ck_assert_str_eq(d.file, "-");
	ck_assert_str_eq(d.db, "-x.db");
	refused("in.yaml --resume=yes", "--resume takes no value");
	refused("in.yaml --help=1", "--help takes no value");
}
END_TEST

START_TEST(end_of_flags)
{
	ck_assert_int_eq(parse(&spec, "--db x.db -- --weird linear"), 0);
	ck_assert_str_eq(d.file, "--weird");
	ck_assert_int_eq(d.what, 0);
	ck_assert_ptr_null(d.plot);
	ck_assert_int_eq(parse(&spec, "-- -q"), 0);
	ck_assert_str_eq(d.file, "-q");
	ck_assert_int_eq(d.quiet, 0);
	refused("-- a linear c", "unexpected argument 'c'");
}
END_TEST

START_TEST(missing_value)
{
	/* the same answer last, before another flag, before a short one, before -- */
	const char *lines[] = { "in.yaml --db", "in.yaml --db --threads 2", "in.yaml --db -q", "in.yaml --db --",
	                        "in.yaml --db=", "in.yaml --db --frob 1" };
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		refused(lines[i], "--db needs a value (F)");
	refused("in.yaml -o", "-o needs a value (F.png)");
	refused("in.yaml --threads", "--threads needs a value (N)");
	refused("in.yaml --gamma", "--gamma needs a value");
	ck_assert_str_eq(lrs_error_last(), "--gamma needs a value");   /* a KEY's VALUE says nothing more */
	refused("in.yaml --gamma --threads 2", "--gamma needs a value");
}
END_TEST

START_TEST(unknown_flags)
{
	refused_by(&plain, "in.yaml --thread 2", "unknown option '--thread' (did you mean '--threads'?)");
	refused_by(&plain, "in.yaml --termnal", "did you mean '--terminal'?");
	refused_by(&plain, "in.yaml --hlep", "did you mean '--help'?");
	refused_by(&plain, "in.yaml --thread", "unknown option '--thread' (did you mean '--threads'?)");
	/* short ones are never KEYs */
	refused("in.yaml -db x", "unknown option '-db' (did you mean '--db'?)");
	refused("in.yaml -x", "unknown option '-x' (see 'prog cmd --help')");
	refused("in.yaml -qv", "unknown option '-qv'");
	/* with PARAMS the unknown long flag is a KEY */
	ck_assert_int_eq(parse(&spec, "in.yaml --thread 2"), 0);
	ck_assert_str_eq(d.params, "thread=2;");
	/* nothing near: no guess */
	ck_assert_int_eq(parse(&plain, "in.yaml --frobnicate 1"), LRS_EINVALID);
	ck_assert_str_eq(lrs_error_last(), "unknown option '--frobnicate' (see 'prog cmd --help')");
	ck_assert_int_eq(parse(&plain, "in.yaml --rat 1"), LRS_EINVALID);
	ck_assert_str_eq(lrs_error_last(), "unknown option '--rat' (did you mean '--rate'?)");
	ck_assert_str_eq(lrs_opt_nearest(&spec, "dryrun"), "dry-run");
	ck_assert_ptr_null(lrs_opt_nearest(&spec, "zz"));
}
END_TEST

START_TEST(repeats)
{
	refused("in.yaml --db a --db b", "--db given twice");
	refused("in.yaml --threads 1 --threads=2", "--threads given twice");
	refused("in.yaml -o a.png --plot b.png", "--plot given twice");
	refused("in.yaml --plot=a.png -o b.png", "-o given twice");
	ck_assert_int_eq(parse(&spec, "in.yaml -q --quiet"), 0);
	ck_assert_int_eq(d.quiet, 1);
	ck_assert_int_eq(parse(&spec, "in.yaml --tag x --tag x --tag=y"), 0);
	ck_assert_int_eq((int)d.tags.n, 3);
	ck_assert_str_eq(d.tags.items[2], "y");
	char line[512] = "in.yaml";
	for (int i = 0; i <= LRS_OPT_LIST_MAX; i++)
		strcat(line, " --tag t");
	refused(line, "--tag given more than 32 times");
}
END_TEST

START_TEST(numbers)
{
	/* a negative number is a value: it is refused as a value, not as a flag */
	refused("in.yaml --rate -1", "--rate must be a number > 0, got '-1'");
	refused("in.yaml --rate -inf", "--rate must be a number > 0, got '-inf'");
	refused("in.yaml --rate 0", "--rate must be a number > 0, got '0'");
	refused("in.yaml --rate nan", "--rate must be a number > 0");
	refused("in.yaml --rate 1e999", "--rate must be a number > 0");
	refused("in.yaml --threads -1", "--threads must be an integer in [0, 4096], got '-1'");
	refused("in.yaml --threads 4097", "--threads must be an integer in [0, 4096], got '4097'");
	refused("in.yaml --threads x", "--threads must be an integer in [0, 4096], got 'x'");
	refused("in.yaml --threads 2.5", "--threads must be an integer in [0, 4096]");
	refused("in.yaml --threads 99999999999999999999", "got '99999999999999999999'");
	refused("in.yaml --offset 1x", "--offset must be an integer, got '1x'");
	ck_assert_int_eq(parse(&spec, "in.yaml --threads 4096 --rate 1e-300 --offset -9223372036854775808"), 0);
	ck_assert_int_eq(d.threads, 4096);
	ck_assert_double_eq(d.rate, 1e-300);
	ck_assert(d.offset < -9223372036854775807L);
}
END_TEST

START_TEST(choices)
{
	refused("in.yaml --mode linar", "--mode must be linear or exponential, got 'linar' (did you mean 'linear'?)");
	refused("in.yaml --mode cubic", "--mode must be linear or exponential, got 'cubic'");
	refused("in.yaml exponentail", "unknown subject 'exponentail' (did you mean 'exponential'?); valid: linear, "
	        "exponential");
	refused("in.yaml --pick bad", "--pick: no rule 'bad'");
	ck_assert_ptr_null(d.pick);
}
END_TEST

START_TEST(operands_and_rules)
{
	refused("", "missing the file to read (prog cmd FILE)");
	refused("--db x.db", "missing the file to read");
	refused("a linear b", "unexpected argument 'b'");
	refused("in.yaml --resume --dry-run", "give either --resume or --dry-run, not both");
	refused("in.yaml -o x.png --terminal", "give either -o or --terminal, not both");
	/* --list alone needs nothing else */
	ck_assert_int_eq(parse(&spec, "--list"), 0);
	ck_assert_int_eq(d.list, 1);
	/* a required pair: one of the two */
	lrs_opt req[2] = { table[11], table[12] };
	req[0].flags |= LRS_OPT_REQUIRED;
	lrs_opt_spec pair = { "prog", "cmd", req, 2, NULL, NULL, 0 };
	ck_assert_int_eq(parse(&pair, ""), LRS_EINVALID);
	ck_assert_str_eq(lrs_error_last(), "give -o F.png or --terminal");
	ck_assert_int_eq(parse(&pair, "--terminal"), 0);
	/* a required flag alone */
	lrs_opt one = table[3];
	one.flags |= LRS_OPT_REQUIRED;
	lrs_opt_spec single = { "prog", "cmd", &one, 1, NULL, NULL, 0 };
	ck_assert_int_eq(parse(&single, ""), LRS_EINVALID);
	ck_assert_str_eq(lrs_error_last(), "missing --threads N");
}
END_TEST

START_TEST(help_requests)
{
	ck_assert_int_eq(parse(&spec, "--help"), LRS_OPT_HELP);
	ck_assert_int_eq(parse(&spec, "-h"), LRS_OPT_HELP);
	/* what follows --help is parsed as far as it goes, without errors */
	ck_assert_int_eq(parse(&spec, "--help in.yaml --frob --threads x"), LRS_OPT_HELP);
	ck_assert_str_eq(d.file, "in.yaml");
	ck_assert_int_eq(parse(&spec, "in.yaml --db -h"), LRS_OPT_HELP);
	/* an error before it stands */
	ck_assert_int_eq(parse(&spec, "--threads x --help"), LRS_EINVALID);
}
END_TEST

START_TEST(program_flags)
{
	int version = 0, quiet = 0;
	const lrs_opt top[] = {
		{ .name = "version", .kind = LRS_OPT_FLAG, .dest = &version, .flags = LRS_OPT_ALONE, .help = "version" },
		{ .name = "quiet", .short_name = 'q', .kind = LRS_OPT_FLAG, .dest = &quiet, .help = "quiet" },
		{ .metavar = "COMMAND", .flags = LRS_OPT_OPERAND | LRS_OPT_REQUIRED, .help = "the command" },
	};
	lrs_opt_spec s = { "prog", NULL, top, 3, NULL, NULL, 1 };
	char *argv[] = { "prog", "-q", "run", "--frob", "x" };
	int next;

	ck_assert_int_eq(lrs_opt_parse(&s, 5, argv, &next), 0);
	ck_assert_int_eq(next, 2);
	ck_assert_int_eq(quiet, 1);
	ck_assert_int_eq(lrs_opt_parse(&s, 2, argv, &next), 0);
	ck_assert_int_eq(next, 2);   /* none: argc */
	char *bad[] = { "prog", "--verbos", "run" };
	ck_assert_int_eq(lrs_opt_parse(&s, 3, bad, &next), LRS_EINVALID);
	ck_assert_str_eq(lrs_error_last(), "unknown option '--verbos' (did you mean '--version'?)");
	char *bare[] = { "prog", "--frob" };
	ck_assert_int_eq(lrs_opt_parse(&s, 2, bare, &next), LRS_EINVALID);
	ck_assert_str_eq(lrs_error_last(), "unknown option '--frob' (see 'prog --help')");
}
END_TEST

/* The help of `s` as a string (free it). */
static char *help_of(const lrs_opt_spec *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	lrs_opt_help(f, s);
	fclose(f);
	return text;
}

START_TEST(help_text)
{
	char *text = help_of(&spec);
	char want[128];

	ck_assert_msg(!strncmp(text, "usage: prog cmd FILE [WHAT] [--db F] [--threads N]", 50), "%s", text);
	ck_assert_ptr_nonnull(strstr(text, "[--resume | --dry-run]"));
	ck_assert_ptr_nonnull(strstr(text, "[--mode linear|exponential]"));
	ck_assert_ptr_nonnull(strstr(text, "[-o F.png | --terminal]"));
	ck_assert_ptr_nonnull(strstr(text, "[--tag T ...]"));
	ck_assert_ptr_nonnull(strstr(text, "[--KEY VALUE ...]"));
	ck_assert_ptr_nonnull(strstr(text, "\nAbout it.\n"));
	ck_assert_msg(strlen(text) > 7 && !strcmp(text + strlen(text) - 7, "After.\n"), "%s", text);
	/* -q is listed, not in the usage line */
	char *first = strndup(text, strcspn(text, "\n"));
	ck_assert_ptr_null(strstr(first, "-q"));
	free(first);
	ck_assert_ptr_nonnull(strstr(text, "\n  -q, --quiet "));
	ck_assert_ptr_nonnull(strstr(text, "\n  -o, --plot F.png "));
	ck_assert_ptr_nonnull(strstr(text, "\n  -h, --help "));
	/* every entry of the table has a line with its help */
	for (size_t i = 0; i < spec.n_opts; i++) {
		const lrs_opt *o = &table[i];
		snprintf(want, sizeof want, "%s%s%s", o->flags & LRS_OPT_OPERAND ? "" : "--",
		         o->flags & LRS_OPT_OPERAND ? o->metavar : o->name, "");
		const char *line = strstr(text, want);
		ck_assert_msg(line != NULL, "%s missing from the help", want);
		ck_assert_msg(strstr(text, o->help) != NULL, "help of %s missing", want);
	}
	/* no line wider than 79 columns */
	for (char *p = text, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		ck_assert_ptr_nonnull(nl);
		ck_assert_msg(nl - p <= 79, "a line of %d columns", (int)(nl - p));
	}
	free(text);
}
END_TEST

START_TEST(help_wraps)
{
	static const char *const long_help = "one two three four five six seven eight nine ten eleven twelve "
	                                     "thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty";
	lrs_opt many[12];
	char names[12][32];

	for (int i = 0; i < 12; i++) {
		snprintf(names[i], sizeof names[i], "a-flag-number-%d", i);
		many[i] = (lrs_opt){ .name = names[i], .kind = LRS_OPT_STRING, .metavar = "VALUE", .help = long_help };
	}
	lrs_opt_spec s = { "prog", "cmd", many, 12, NULL, NULL, 0 };
	char *text = help_of(&s);
	int usage_lines = 0, long_lines = 0;
	for (char *p = text, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		ck_assert_msg(nl - p <= 79, "a line of %d columns", (int)(nl - p));
		usage_lines += !strncmp(p, "usage: ", 7) || !strncmp(p, "                [--a-flag", 25);
		long_lines += strstr(p, "twenty") != NULL && strstr(p, "twenty") < nl;
	}
	ck_assert_int_gt(usage_lines, 3);   /* the usage wrapped, under "cmd " */
	ck_assert_int_eq(long_lines, 12);   /* every help, wrapped, ends once  */
	ck_assert_ptr_nonnull(strstr(text, "\n  --a-flag-number-11 VALUE\n"));   /* a long label: help below */
	free(text);
}
END_TEST

Suite *suite_options(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("options");

	tcase_add_test(tc, every_kind);
	tcase_add_test(tc, value_forms);
	tcase_add_test(tc, end_of_flags);
	tcase_add_test(tc, missing_value);
	tcase_add_test(tc, unknown_flags);
	tcase_add_test(tc, repeats);
	tcase_add_test(tc, numbers);
	tcase_add_test(tc, choices);
	tcase_add_test(tc, operands_and_rules);
	tcase_add_test(tc, help_requests);
	tcase_add_test(tc, program_flags);
	tcase_add_test(tc, help_text);
	tcase_add_test(tc, help_wraps);
	suite_add_tcase(s, tc);
	return s;
}
