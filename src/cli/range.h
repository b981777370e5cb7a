/* range.h - the range test as it runs, on stderr (range.c). */
#ifndef LRSWEEP_CLI_RANGE_H
#define LRSWEEP_CLI_RANGE_H

#include <stdint.h>

#include "lrsweep/experiment.h"
#include "lrsweep/pick.h"
#include "lrsweep/pipeline.h"
#include "lrsweep/rangetest.h"
#include "lrsweep/store.h"
#include "cli.h"
#include "progress.h"

/* What a range test shows as it runs: the probe's answer, the repeats
 * and threads, a progress bar on a terminal, the choice's warnings (all
 * on stderr; nothing when quiet). */
typedef struct {
	int quiet;
	cli_progress bar;
} cli_range_view;

lrs_range_view cli_range_view_of(cli_range_view *v, int quiet);

#endif
