/* fuzz_csv.c - the CSV reader through lrs_dataset_load, as an
 * experiment's `format: csv` source is loaded.
 *
 * Input: byte 0 picks the options (validation split, normalisation
 * including the default by source, header: auto, none or first row), byte
 * 1 the label column (last, first, index 0, index 2, the header name
 * "label") and the limit, byte 2 the delimiter (detected, ',', ';', tab,
 * '|', whitespace), skip_rows (0 to 3) and the columns dropped (none, 1,
 * the header name "a", or 0 and "b"); the rest is the file. Label columns
 * of numbers and of names both come through here. */
#include <string.h>

#include "lrsweep/data.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const labels[] = { "last", "first", "0", "2", "label", NULL };
	static const char delimiters[] = { 0, ',', ';', '\t', '|', LRS_DELIM_WHITESPACE };
	static const lrs_data_drop drops[] = { { "1", 1, 1 }, { "a", 1, 1 }, { "0", 1, 1 }, { "b", 1, 1 } };
	static const size_t drop_at[4] = { 0, 0, 1, 2 }, drop_n[4] = { 0, 1, 1, 2 };   /* by bits 6-7 of byte 2 */
	lrs_data_config cfg;

	if (size < 3)
		return 0;
	memset(&cfg, 0, sizeof cfg);
	cfg.train.format = LRS_DATA_CSV;
	if (!(cfg.train.path = fuzz_file("data.csv", data + 3, size - 3)))
		return 0;
	cfg.train.label = labels[data[1] % 6];
	cfg.train.header = (int)((data[0] >> 3) % 3) - 1;
	cfg.train.delimiter = delimiters[(data[2] & 7) % 6];
	cfg.train.skip_rows = (data[2] >> 4) & 3;
	cfg.train.drop = drops + drop_at[data[2] >> 6];
	cfg.train.n_drop = drop_n[data[2] >> 6];
	fuzz_load(&cfg, data[0], (data[1] >> 4) & 3);
	return 0;
}
