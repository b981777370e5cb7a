/* fuzz_npy.c - the NPY reader (every dtype, both byte orders, C and
 * Fortran order, raw or gzip) through lrs_dataset_load, as an experiment's
 * `format: npy` source is loaded.
 *
 * Input: byte 0 picks the options (validation split, normalisation,
 * limit); the rest is split by fuzz_split() into the features file and
 * the labels file. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_two_files(data, size, LRS_DATA_NPY, "x.npy", "y.npy");
	return 0;
}
