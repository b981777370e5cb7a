/* fuzz_csv.c - the CSV reader through lrs_dataset_load, as an
 * experiment's `format: csv` source is loaded.
 *
 * Input: byte 0 picks the options (validation split, normalisation,
 * header: auto, none or first row), byte 1 the label column (last, first,
 * index 0, index 2, the header name "label") and the limit; the rest is
 * the file. */
#include <string.h>

#include "lrsweep/data.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const labels[] = { "last", "first", "0", "2", "label", NULL };
	lrs_data_config cfg;

	if (size < 2)
		return 0;
	memset(&cfg, 0, sizeof cfg);
	cfg.train.format = LRS_DATA_CSV;
	if (!(cfg.train.path = fuzz_file("data.csv", data + 2, size - 2)))
		return 0;
	cfg.train.label = labels[data[1] % 6];
	cfg.train.header = (int)((data[0] >> 3) % 3) - 1;
	fuzz_load(&cfg, data[0], (data[1] >> 4) & 3);
	return 0;
}
