/* plot.c - gnuplot scripts for line plots, piped to a gnuplot process.
 *
 * Data goes inline as gnuplot data blocks, so no temporary files are left
 * behind. Long series are thinned to at most MAX_POINTS points per line,
 * keeping each bucket's lowest and highest value so that narrow peaks stay
 * visible. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lrsweep/error.h"
#include "lrsweep/plot.h"

#define MAX_POINTS 4000

/* The gnuplot program: $LRSWEEP_GNUPLOT, else "gnuplot" found on PATH. */
static int find_gnuplot(char *out, size_t cap)
{
	const char *env = getenv("LRSWEEP_GNUPLOT");
	const char *path = getenv("PATH");

	if (env && *env) {
		if (access(env, X_OK) != 0)
			return lrs_error_set(LRS_ERROR, "gnuplot not found at %s ($LRSWEEP_GNUPLOT)", env);
		snprintf(out, cap, "%s", env);
		return 0;
	}
	while (path && *path) {
		const char *colon = strchr(path, ':');
		size_t len = colon ? (size_t)(colon - path) : strlen(path);
		snprintf(out, cap, "%.*s/gnuplot", (int)len, path);
		if (len && access(out, X_OK) == 0)
			return 0;
		path += len + (colon != NULL);
	}
	return lrs_error_set(LRS_ERROR, "gnuplot not found on PATH; install it (apt-get install gnuplot-nox) to plot");
}

/* Writes s as a gnuplot single-quoted string ('' stands for '). */
static void put_quoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; s && *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		if (*s != '\n')
			fputc(*s, f);
	}
	fputc('\'', f);
}

static void put_block(FILE *f, size_t k, const lrs_plot_series *s)
{
	size_t per = s->n > MAX_POINTS ? (s->n + MAX_POINTS / 2 - 1) / (MAX_POINTS / 2) : 1;

	fprintf(f, "$d%zu << EOD\n", k);
	for (size_t i = 0; i < s->n; i += per) {
		size_t end = i + per < s->n ? i + per : s->n, lo = i, hi = i;
		for (size_t j = i; j < end; j++) {
			if (s->y[j] < s->y[lo]) lo = j;
			if (s->y[j] > s->y[hi]) hi = j;
		}
		if (lo > hi) { size_t t = lo; lo = hi; hi = t; }
		for (size_t j = lo;; j = hi) {   /* x y [lo hi] */
			fprintf(f, "%.17g %.17g", s->x[j], s->y[j]);
			if (s->lo && s->hi)
				fprintf(f, " %.17g %.17g", s->lo[j], s->hi[j]);
			fputc('\n', f);
			if (j == hi)
				break;
		}
	}
	fprintf(f, "EOD\n");
}

static int file_nonempty(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && st.st_size > 0;
}

/* The first line gnuplot wrote to its error file, for our message. */
static void first_line(FILE *err, char *out, size_t cap)
{
	out[0] = '\0';
	rewind(err);
	while (fgets(out, (int)cap, err)) {
		out[strcspn(out, "\n")] = '\0';
		if (out[0] && strspn(out, " ^") != strlen(out))
			return;
	}
	out[0] = '\0';
}

/* Checks that `path` can be written, before gnuplot is asked to. */
static int check_writable(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return lrs_error_set(LRS_ERROR, "%s: cannot write the plot (%s)", path, strerror(errno));
	fclose(f);
	remove(path);   /* so that a stale or empty file cannot pass for output */
	return 0;
}

int lrs_plot_check(const char *path)
{
	char prog[4096], dir[4096];
	const char *ext = path ? strrchr(path, '.') : NULL, *slash;
	struct stat st;
	int rc;

	if (path && (!ext || (strcmp(ext, ".png") && strcmp(ext, ".svg"))))
		return lrs_error_set(LRS_EINVALID, "%s: plot file must end in .png or .svg", path);
	if ((rc = find_gnuplot(prog, sizeof prog)) < 0 || !path)
		return rc;
	if (stat(path, &st) == 0) {   /* replaced: it must be a writable file */
		if (S_ISDIR(st.st_mode))
			errno = EISDIR;
		else if (access(path, W_OK) == 0)
			return 0;
		return lrs_error_set(LRS_ERROR, "%s: cannot write the plot (%s)", path, strerror(errno));
	}
	slash = strrchr(path, '/');   /* created: its directory must take it */
	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
	if (access(dir, W_OK | X_OK) != 0)
		return lrs_error_set(LRS_ERROR, "%s: cannot write the plot (%s)", path, strerror(errno));
	return 0;
}

int lrs_plot_lines(const char *path, const lrs_plot_opts *opts,
                   const lrs_plot_series *series, size_t n_series)
{
	char prog[4096], cmd[4200], msg[512];
	const char *ext = path ? strrchr(path, '.') : NULL;
	int uses_y2 = 0, status, rc, err_fd;
	char err_path[] = "/tmp/lrsweep-gnuplot-XXXXXX";
	FILE *f, *err;

	if (path && (!ext || (strcmp(ext, ".png") && strcmp(ext, ".svg"))))
		return lrs_error_set(LRS_EINVALID, "%s: plot file must end in .png or .svg", path);
	if ((rc = find_gnuplot(prog, sizeof prog)) < 0)
		return rc;
	if (path && (rc = check_writable(path)) < 0)
		return rc;
	/* gnuplot's complaints go to a file we read back, so the user sees one
	 * line from us; with an output file its stdout is not ours either */
	err_fd = mkstemp(err_path);
	if (err_fd < 0)
		return lrs_error_set(LRS_ERROR, "cannot create a temporary file for gnuplot (%s)", strerror(errno));
	err = fdopen(err_fd, "r");
	unlink(err_path);
	if (!err) {
		close(err_fd);
		return lrs_error_set(LRS_ERROR, "cannot read gnuplot's messages (%s)", strerror(errno));
	}
	snprintf(cmd, sizeof cmd, "'%s' 2>/dev/fd/%d%s", prog, err_fd, path ? " >/dev/null" : "");
	fflush(stdout);
	f = popen(cmd, "w");
	if (!f) {
		fclose(err);
		return lrs_error_set(LRS_ERROR, "cannot run gnuplot (%s)", prog);
	}

	if (!path)
		fprintf(f, "set terminal dumb size 100,30 noenhanced\n");
	else if (strcmp(ext, ".png") == 0)
		fprintf(f, "set terminal pngcairo size 960,540 noenhanced font 'sans,10'\n");
	else
		fprintf(f, "set terminal svg size 960,540 noenhanced font 'sans,10'\n");
	if (path) {
		fprintf(f, "set output ");
		put_quoted(f, path);
		fprintf(f, "\n");
	}
	for (size_t k = 0; k < n_series; k++) {
		put_block(f, k, &series[k]);
		uses_y2 |= series[k].right_axis;
	}
	fprintf(f, "set title ");
	put_quoted(f, opts->title);
	fprintf(f, "\nset xlabel ");
	put_quoted(f, opts->xlabel);
	fprintf(f, "\nset ylabel ");
	put_quoted(f, opts->ylabel);
	fprintf(f, "\nset grid\n%s\n", opts->key_below ? "set key below box" : "set key top right box opaque");
	if (opts->logx)
		fprintf(f, "set logscale x\nset format x \"%%g\"\n");
	for (size_t k = 0; k < opts->n_marks; k++) {
		fprintf(f, "set arrow from %.17g, graph 0 to %.17g, graph 1 nohead dashtype 2 lw 1.5 lc rgb '#444444'\n",
		        opts->marks[k], opts->marks[k]);
		fprintf(f, "set label ");
		put_quoted(f, opts->mark_labels[k]);
		/* staggered heights: close marks keep readable labels */
		fprintf(f, " at %.17g, graph %.2f left offset 0.5, 0\n", opts->marks[k], 0.97 - 0.05 * (double)(k % 2));
	}
	if (opts->logy)
		fprintf(f, "set logscale y\n");
	if (opts->ymax > 0)
		fprintf(f, "set yrange [:%.17g]\n", opts->ymax);
	if (opts->n_xtics) {   /* categories at x = 1..n */
		fprintf(f, "set xrange [0.5:%zu.5]\nset xtics rotate by -30 (", opts->n_xtics);
		for (size_t k = 0; k < opts->n_xtics; k++) {
			fprintf(f, "%s", k ? ", " : "");
			put_quoted(f, opts->xtics[k]);
			fprintf(f, " %zu", k + 1);
		}
		fprintf(f, ")\nset bmargin 8\n");
	}
	if (uses_y2) {
		fprintf(f, "set y2label ");
		put_quoted(f, opts->y2label);
		fprintf(f, "\nset y2tics\nset ytics nomirror\n");
	}
	fprintf(f, "plot ");
	for (size_t k = 0, first = 1; k < n_series; k++) {   /* bands first, under the lines */
		if (!series[k].lo || !series[k].hi || series[k].points)
			continue;
		fprintf(f, "%s$d%zu using 1:3:4 with filledcurves fs transparent solid 0.2 noborder lc %zu "
		        "axes x1y%d notitle", first ? "" : ", ", k, k + 1, series[k].right_axis ? 2 : 1);
		first = 0;
	}
	for (size_t k = 0, first = 1; k < n_series; k++) {
		int bands = 0;
		for (size_t j = 0; j < n_series; j++)
			bands |= series[j].lo && series[j].hi && !series[j].points;
		if (series[k].points)
			fprintf(f, "%s$d%zu using 1:2:3:4 with yerrorbars pt 7 ps 1.2 lw 2 lc %zu axes x1y%d title ",
			        first && !bands ? "" : ", ", k, k + 1, series[k].right_axis ? 2 : 1);
		else
			fprintf(f, "%s$d%zu using 1:2 with lines lw 2 lc %zu axes x1y%d title ", first && !bands ? "" : ", ",
			        k, k + 1, series[k].right_axis ? 2 : 1);
		first = 0;
		put_quoted(f, series[k].title);
	}
	fprintf(f, "\n");
	if (path)
		fprintf(f, "set output\n");
	status = pclose(f);
	first_line(err, msg, sizeof msg);
	fclose(err);
	/* gnuplot warns (an empty y range: a flat line) and still draws */
	if (!strncmp(msg, "Warning", 7))
		msg[0] = '\0';
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || msg[0]) {
		if (path)
			remove(path);
		return lrs_error_set(LRS_ERROR, "%s: gnuplot failed: %s", path ? path : "terminal plot",
		                     msg[0] ? msg : "no message");
	}
	if (path && !file_nonempty(path))
		return lrs_error_set(LRS_ERROR, "%s: gnuplot wrote no plot", path);
	return 0;
}
