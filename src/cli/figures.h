/* figures.h - the pictures of a results database (figures.c): what
 * `lrsweep plot` draws and `lrsweep report` embeds. */
#ifndef LRSWEEP_CLI_FIGURES_H
#define LRSWEEP_CLI_FIGURES_H

#include "lrsweep/store.h"

/* Draws figure `what` (range-test, curves, schedules, compare) of
 * experiment `exp` (named `name`) of database `db` into `path` (.png/.svg;
 * NULL: the terminal). per_trial: curves draws one line per trial. */
int cli_figure(lrs_store *st, const char *db, long long exp, const char *name, const char *what, const char *path,
               int per_trial);

#endif
