/* fuzz_idx.c - the IDX reader (raw and gzip) through lrs_dataset_load, as
 * an experiment's `format: idx` source is loaded.
 *
 * Input: byte 0 picks the options (validation split, normalisation,
 * limit); the rest is split by fuzz_split() into the images file and the
 * labels file. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_two_files(data, size, LRS_DATA_IDX, "images", "labels");
	return 0;
}
