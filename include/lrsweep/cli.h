/* cli.h - the command line as one call, for the programs that front it:
 * bin/lrsweep (src/cli/entry.c) and bin/lrsweep-mpi (src/mpi), which
 * hands `run` an executor that trains on its ranks. */
#ifndef LRSWEEP_CLI_PUBLIC_H
#define LRSWEEP_CLI_PUBLIC_H

#include "lrsweep/pipeline.h"

/* Runs the command line argv[0..argc): dispatches to a command, checks
 * that stdout was written, returns the exit status (SPEC §2). `program`
 * ("lrsweep", "lrsweep-mpi") begins every message on stderr; `executor`
 * (NULL: this process's threads) runs `run`'s range tests and trials. */
int lrs_cli_main(int argc, char **argv, const char *program, const lrs_executor *executor);

/* The experiment file and --threads (-1 when not given) of a `lrsweep
 * run` command line argv[0..argc) (argv[0] the program), read by the same
 * table as `run` reads them, so that lrsweep-mpi's ranks agree with it.
 * 0, or LRS_EINVALID (*exp NULL) when argv is not a `run` that parses:
 * the command line itself says why. */
int lrs_cli_run_args(int argc, char **argv, const char **exp, long *threads, const char **db);

#endif
