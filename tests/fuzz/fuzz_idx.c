/* fuzz_idx.c - the IDX reader (raw and gzip) through lrs_dataset_load, as
 * an experiment's `format: idx` source is loaded.
 *
 * Input: byte 0 picks the options (validation split, normalisation,
 * limit); the rest is split by fuzz_split() into the images file and the
 * labels file. */
#include <string.h>

#include "lrsweep/data.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *a, *b;
	size_t na, nb;
	lrs_data_config cfg;

	if (size < 1 || fuzz_split(data + 1, size - 1, &a, &na, &b, &nb) < 0)
		return 0;
	memset(&cfg, 0, sizeof cfg);
	cfg.train.format = LRS_DATA_IDX;
	cfg.train.images = fuzz_file("images", a, na);
	cfg.train.labels = fuzz_file("labels", b, nb);
	if (cfg.train.images && cfg.train.labels)
		fuzz_load(&cfg, data[0], (data[0] >> 3) & 3);
	return 0;
}
