/* fuzz.h - shared by the fuzz targets of tests/fuzz/: each target is one
 * LLVMFuzzerTestOneInput(), built two ways:
 *
 *   make fuzz     clang -fsanitize=fuzzer,address,undefined: libFuzzer
 *                 drives it (scripts/fuzz.sh)
 *   make check    replay.c's main() feeds it every file of the target's
 *                 corpus and regression folders (any compiler, SANITIZE=1
 *                 for ASan + UBSan)
 *
 * The parsers under test read files by path, as lrsweep does, so a target
 * writes its input into files of one scratch directory per process
 * (/dev/shm when it is there: no disk I/O per execution). */
#ifndef LRSWEEP_FUZZ_H
#define LRSWEEP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "lrsweep/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The path of scratch file `name` ("images", "exp.yaml", ...), created
 * with `len` bytes of `data`; NULL when it cannot be written. The
 * directory is made on the first call and removed at exit. */
const char *fuzz_file(const char *name, const uint8_t *data, size_t len);

/* Splits an input in two: the first two bytes (little-endian) give the
 * length of part one, modulo what is left; part two is the rest. Returns
 * -1 when the input is shorter than the two bytes. */
int fuzz_split(const uint8_t *data, size_t size, const uint8_t **a, size_t *na,
               const uint8_t **b, size_t *nb);

/* The data targets' last step: sets the options they share from the
 * byte `opt` (bit 0 a validation split of 0.25, bits 1-2 the
 * normalisation: scale, standardize, none or the default by source; all
 * of it the seed) and `limit`, loads the dataset
 * `cfg` describes and frees it. */
void fuzz_load(lrs_data_config *cfg, uint8_t opt, size_t limit);

/* The two-file data targets (idx, npy): byte 0 is the options byte (its
 * bits 3-4 the limit), the rest is split by fuzz_split() into the
 * features file `a` and the labels file `b`, loaded as `format`. */
void fuzz_two_files(const uint8_t *data, size_t size, lrs_data_format format, const char *a, const char *b);

#endif
