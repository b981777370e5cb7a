/* options.h - command-line options as data: one table per command, one
 * parser for every table, and the --help text generated from that same
 * table, so that what a command accepts and what its help says cannot
 * drift apart.
 *
 * A table is an array of lrs_opt, each naming a flag (--name, and -x when
 * it has a short form) or an operand, the kind of value it takes and where
 * the value goes. The parser knows these rules, the same for every table:
 *
 *   --name VALUE, --name=VALUE    a long flag's value; -x VALUE for a short
 *   --                            the end of the flags: all that follows
 *                                 is an operand
 *   -h, --help                    every table has it: lrs_opt_parse returns
 *                                 LRS_OPT_HELP, errors after it are ignored
 *
 * An argument is a flag when it is "--" followed by a letter or digit, or
 * "-" and a letter; anything else ("-1", "-0.5", "-", "-- x") is an
 * operand or a value. A flag's value is the next argument unless there is
 * none or the next one is a flag itself (a long one, or a short one of the
 * table): then the flag "needs a value", wherever it stands. A value that
 * starts with "--" is written --name=VALUE.
 *
 * Errors are LRS_EINVALID with one line in the thread's message (error.h):
 * an unknown flag (with the nearest known one: "did you mean '--threads'?"),
 * a missing or malformed value, a value out of its range, a flag given
 * twice, an operand too many or missing, two flags that exclude each other.
 * Nothing here prints but lrs_opt_help, nothing exits. */
#ifndef LRSWEEP_OPTIONS_H
#define LRSWEEP_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

/* The kind of value a flag takes, and the type of its destination. */
typedef enum {
	LRS_OPT_FLAG,     /* no value: (int *) set to 1; may be repeated        */
	LRS_OPT_INT,      /* (long *): a decimal integer in [min, max]          */
	LRS_OPT_DOUBLE,   /* (double *): a finite number in the range           */
	LRS_OPT_STRING,   /* (const char **): the text as given, not empty      */
	LRS_OPT_ENUM,     /* (int *): the index of the value in .choices        */
	LRS_OPT_LIST,     /* (lrs_opt_list *): repeatable, every value in order */
	LRS_OPT_PARAMS    /* any other --KEY VALUE: .set(dest, KEY, VALUE)      */
} lrs_opt_kind;

/* lrs_opt.flags */
enum {
	LRS_OPT_OPERAND  = 1 << 0,   /* an operand, not a flag: .metavar names it    */
	LRS_OPT_REQUIRED = 1 << 1,   /* must be given (with OR_NEXT: one of the two) */
	LRS_OPT_AND_NEXT = 1 << 2,   /* usage shows it with the next: [--a X --b Y]  */
	LRS_OPT_OR_NEXT  = 1 << 3,   /* it and the next exclude each other           */
	LRS_OPT_ALONE    = 1 << 4,   /* a request by itself (--list): nothing else   */
	                             /* is then required                             */
	LRS_OPT_NO_USAGE = 1 << 5,   /* in the flag list, not in the usage line      */
	LRS_OPT_MIN_OPEN = 1 << 6,   /* the value must be > min, not >= min          */
	LRS_OPT_MAX_OPEN = 1 << 7    /* the value must be < max, not <= max          */
};

#define LRS_OPT_LIST_MAX 32      /* values one LRS_OPT_LIST flag keeps */

/* The values of a repeatable flag, in the order given. */
typedef struct {
	const char *items[LRS_OPT_LIST_MAX];   /* argv's text */
	size_t n;
} lrs_opt_list;

/* One flag or operand of a table. Only the fields its kind uses need be
 * set: designated initialisers leave the rest zero. */
typedef struct {
	const char *name;        /* long name without dashes ("threads"); PARAMS: */
	                         /* what KEY is called in the help ("KEY")        */
	char short_name;         /* 'o' for -o, or 0                              */
	lrs_opt_kind kind;
	unsigned flags;          /* LRS_OPT_*                                     */
	void *dest;              /* where the value goes (type by kind)           */
	const char *metavar;     /* the value in the help ("N"); an operand's     */
	                         /* name ("EXP.yaml"); ENUM: NULL lists choices   */
	const char *help;        /* one sentence; an operand's says what it is    */
	                         /* ("the experiment file")                       */
	double min, max;         /* INT, DOUBLE: the range when min < max;        */
	                         /* +-INFINITY for no bound on one side           */
	const char *const *choices;   /* ENUM: the values accepted              */
	size_t n_choices;
	const char *noun;        /* ENUM operand: "unknown NOUN 'x'" in errors    */
	/* STRING: checks (and may store) the value, setting the error message
	 * and returning < 0 when it is refused; the parser then stores nothing
	 * more. PARAMS: takes --KEY VALUE (name is KEY without dashes). */
	int (*set)(void *dest, const char *name, const char *value);
} lrs_opt;

/* A command's table and the text around its flag list in --help. */
typedef struct {
	const char *program;     /* "lrsweep"                                     */
	const char *command;     /* "run"; NULL for the program's own flags       */
	const lrs_opt *opts;     /* the table                                     */
	size_t n_opts;
	const char *about;       /* paragraphs between the usage line and the     */
	                         /* flags, or NULL                                */
	const char *epilog;      /* paragraphs after the flags, or NULL           */
	int stop_at_operand;     /* the first operand ends the flags (a program's */
	                         /* own flags stop at its command)                */
} lrs_opt_spec;

/* lrs_opt_parse's answer when -h or --help was given. */
#define LRS_OPT_HELP 1

/* Parses argv[1..argc) by `spec` into the table's destinations (argv[0]
 * is the program or the command). Returns 0; LRS_OPT_HELP when -h/--help
 * came (what came before it is parsed, what follows it as far as it
 * parses); or LRS_EINVALID with the message set. With stop_at_operand,
 * *next is the index of the first operand (argc when none). */
int lrs_opt_parse(const lrs_opt_spec *spec, int argc, char **argv, int *next);

/* Writes the help: the usage line (wrapped at 79 columns), the about
 * text, one entry per flag and operand with its help, then the epilog. */
void lrs_opt_help(FILE *f, const lrs_opt_spec *spec);

/* The long flag of the table nearest to `name` (no dashes) when it is
 * close enough to be a typo (names of three letters or more), else NULL. */
const char *lrs_opt_nearest(const lrs_opt_spec *spec, const char *name);

#endif
