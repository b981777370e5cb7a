/* cmd_not_yet.c - the commands of SPEC §2 that later versions fill in:
 * each has its --help (the usage it will have) and otherwise says plainly
 * that it is not available yet (exit 2). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct {
	const char *name;
	const char *usage;
} planned;

static const planned planned_commands[] = {
	{ "run", "lrsweep run EXP.yaml [--db F] [--threads N] [--resume] [--dry-run] [--min-lr X --max-lr Y]\n"
	         "  the whole pipeline: range test (unless bounds are given), bound picking,\n"
	         "  all trials, everything stored in SQLite" },
	{ "range-test", "lrsweep range-test EXP.yaml [--db F] [--mode linear|exponential] [--start-lr X]\n"
	                "  [--end-lr Y] [--epochs E | --iterations N] [--repeats R] [--pick RULE] [--plot F]\n"
	                "  the LR range test alone; prints the curve summary and the picked bounds" },
	{ "train", "lrsweep train EXP.yaml [--db F] [--schedule TYPE --KEY VALUE ...] [--epochs N] [--seed S]\n"
	           "  one trial, printing a line per epoch" },
	{ "query", "lrsweep query DB WHAT [filters] [--format table|csv|json]\n"
	           "  WHAT: experiments, trials, best, compare, curve TRIAL_ID, range-test, sql \"SELECT ...\"" },
	{ "plot", "lrsweep plot DB WHAT -o F.png|F.svg (or --terminal)\n"
	          "  WHAT: range-test, curves, schedules, compare" },
	{ "data", "lrsweep data EXP.yaml\n"
	          "  loads the data as configured and prints shape, classes, class balance, value range" },
};

int cmd_not_yet(int argc, char **argv, cli_globals *g)
{
	const char *name = argv[0];
	const char *text = "";

	(void)g;
	for (size_t i = 0; i < sizeof planned_commands / sizeof planned_commands[0]; i++)
		if (!strcmp(planned_commands[i].name, name))
			text = planned_commands[i].usage;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: %s\n\n(not yet available in this version of lrsweep)\n", text);
			return EXIT_OK;
		}
	}
	fprintf(stderr, "lrsweep %s: not yet available in this version of lrsweep\n", name);
	return EXIT_USAGE;
}
