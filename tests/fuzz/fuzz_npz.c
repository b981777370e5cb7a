/* fuzz_npz.c - the NPZ reader (the zip directory, stored and deflated
 * members, the .npy arrays inside) through lrs_dataset_load, as an
 * experiment's `format: npz` source with the default keys x_train and
 * y_train is loaded.
 *
 * Input: byte 0 picks the options (validation split, normalisation,
 * limit), as for fuzz_npy.c; the rest is the archive. */
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lrs_data_config cfg;
	const char *path;

	if (size < 1 || !(path = fuzz_file("d.npz", data + 1, size - 1)))
		return 0;
	memset(&cfg, 0, sizeof cfg);
	cfg.train.format = LRS_DATA_NPZ;
	cfg.train.path = path;
	cfg.train.features = "x_train";
	cfg.train.labels = "y_train";
	fuzz_load(&cfg, data[0], (data[0] >> 3) & 3);
	return 0;
}
