/* replay.c - main() of the replay programs that `make check` runs: feeds
 * one fuzz target every file under the folders it is given (the seed
 * corpus and the regression reproducers of tests/fuzz/), so that what the
 * fuzzer once found stays fixed, in plain and SANITIZE=1 builds, without
 * clang or libFuzzer.
 *
 *   replay_TARGET DIR...
 *
 * The targets print nothing (fuzz_schedule points the command's stdout
 * and stderr at /dev/null), so what reaches stderr is a sanitizer's
 * report and this program's summary. Exits 0 when every input ran, 1 when
 * a file could not be read (a crash ends the process with the sanitizer's
 * status). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    !(buf = malloc((size_t)n + 1)) || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "replay: %s: cannot read\n", path);
		if (f)
			fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of `dir` in name order; returns the count, or
 * -1 on a read error. */
static long run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	long done = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: cannot open\n", dir);
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			char **grown = realloc(names, cap * sizeof *names);
			if (!grown)
				abort();
			names = grown;
		}
		if (!(names[n++] = strdup(de->d_name)))
			abort();
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (done >= 0)
			done = run_file(path) < 0 ? -1 : done + 1;
		free(names[i]);
	}
	free(names);
	return done;
}

int main(int argc, char **argv)
{
	long total = 0;

	for (int i = 1; i < argc; i++) {
		long n = run_dir(argv[i]);
		if (n < 0)
			return 1;
		total += n;
	}
	fprintf(stderr, "replay %s: %ld inputs, no crash\n", argc > 0 ? strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0] : "?", total);
	return 0;
}
