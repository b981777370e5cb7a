/* fuzz_npy.c - the NPY reader (every dtype, both byte orders, C and
 * Fortran order refused) through lrs_dataset_load, as an experiment's
 * `format: npy` source is loaded.
 *
 * Input: byte 0 picks the options (validation split, normalisation,
 * limit); the rest is split by fuzz_split() into the features file and
 * the labels file. */
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
	cfg.train.format = LRS_DATA_NPY;
	cfg.train.features = fuzz_file("x.npy", a, na);
	cfg.train.labels = fuzz_file("y.npy", b, nb);
	if (cfg.train.features && cfg.train.labels)
		fuzz_load(&cfg, data[0], (data[0] >> 3) & 3);
	return 0;
}
