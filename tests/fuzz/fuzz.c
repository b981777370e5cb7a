/* fuzz.c - scratch files and input splitting for the fuzz targets. */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char dir[64];
static const char *names[8];
static char paths[8][128];     /* one buffer a name: two files at once */
static int n_names;

static void cleanup(void)
{
	char p[128];

	for (int i = 0; i < n_names; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

const char *fuzz_file(const char *name, const uint8_t *data, size_t len)
{
	FILE *f;
	int slot = -1;

	if (!dir[0]) {
		strcpy(dir, access("/dev/shm", W_OK) == 0 ? "/dev/shm/lrsweep-fuzz-XXXXXX"
		                                          : "/tmp/lrsweep-fuzz-XXXXXX");
		if (!mkdtemp(dir)) {
			dir[0] = '\0';
			return NULL;
		}
		atexit(cleanup);
	}
	for (int i = 0; i < n_names; i++)
		if (!strcmp(names[i], name))
			slot = i;
	if (slot < 0) {
		if (n_names == (int)(sizeof names / sizeof names[0]))
			return NULL;
		slot = n_names;
		names[n_names++] = name;
	}
	char *path = paths[slot];
	snprintf(path, sizeof paths[slot], "%s/%s", dir, name);
	if (!(f = fopen(path, "wb")))
		return NULL;
	if (len && fwrite(data, 1, len, f) != len) {
		fclose(f);
		return NULL;
	}
	if (fclose(f) != 0)
		return NULL;
	return path;
}

int fuzz_split(const uint8_t *data, size_t size, const uint8_t **a, size_t *na,
               const uint8_t **b, size_t *nb)
{
	if (size < 2)
		return -1;
	size_t rest = size - 2, n = ((size_t)data[0] | (size_t)data[1] << 8) % (rest + 1);
	*a = data + 2;
	*na = n;
	*b = data + 2 + n;
	*nb = rest - n;
	return 0;
}

/* Reads every row of s, as lrs_split_row and as one gathered batch in
 * reverse order, so that what the loaders keep is also read back. */
static void read_rows(const lrs_split *s, float *row, float *batch, int32_t *y, uint32_t *idx)
{
	for (size_t i = 0; i < s->n; i++) {
		lrs_split_row(s, i, row);
		idx[i] = (uint32_t)(s->n - 1 - i);
	}
	if (s->n)
		lrs_split_gather(s, idx, s->n, batch, y);
}

void fuzz_load(lrs_data_config *cfg, uint8_t opt, size_t limit)
{
	lrs_dataset *ds = NULL;

	cfg->train.noise = NAN;
	cfg->validation = (opt & 1) ? 0.25 : 0;
	cfg->normalize = (lrs_normalize)((opt >> 1) % 4);   /* scale, standardize, none, the default */
	cfg->limit = limit;
	cfg->seed = opt;
	if (lrs_dataset_load(&ds, cfg) < 0)
		return;
	size_t most = ds->train.n > ds->val.n ? ds->train.n : ds->val.n;   /* rows of the largest split */
	float *row = malloc(ds->features * sizeof *row), *batch = malloc(most * ds->features * sizeof *batch);
	int32_t *y = malloc(most * sizeof *y);
	uint32_t *idx = malloc(most * sizeof *idx);

	if (row && batch && y && idx) {
		read_rows(&ds->train, row, batch, y, idx);
		read_rows(&ds->val, row, batch, y, idx);
	}
	free(row);
	free(batch);
	free(y);
	free(idx);
	lrs_dataset_free(ds);
}

void fuzz_two_files(const uint8_t *data, size_t size, lrs_data_format format, const char *a, const char *b)
{
	const uint8_t *pa, *pb;
	size_t na, nb;
	lrs_data_config cfg;
	const char *fa, *fb;

	if (size < 1 || fuzz_split(data + 1, size - 1, &pa, &na, &pb, &nb) < 0)
		return;
	memset(&cfg, 0, sizeof cfg);
	cfg.train.format = format;
	fa = fuzz_file(a, pa, na);
	fb = fuzz_file(b, pb, nb);
	if (!fa || !fb)
		return;
	if (format == LRS_DATA_IDX)
		cfg.train.images = fa;
	else
		cfg.train.features = fa;
	cfg.train.labels = fb;
	fuzz_load(&cfg, data[0], (data[0] >> 3) & 3);
}
