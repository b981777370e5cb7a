/* plot.c - gnuplot scripts for line plots, piped to a gnuplot process.
 *
 * Data goes inline as gnuplot data blocks, so no temporary files are left
 * behind. Long series are thinned to at most MAX_POINTS points per line,
 * keeping each bucket's lowest and highest value so that narrow peaks stay
 * visible.
 *
 * gnuplot is started without a shell (posix_spawn): its script on a pipe,
 * the image on its stdout, which is the temporary file of the output
 * (outfile.h), renamed into place only when gnuplot succeeded. No file
 * name goes into the script, so no name needs quoting for gnuplot. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lrsweep/error.h"
#include "lrsweep/outfile.h"
#include "lrsweep/plot.h"
#include "lrsweep/util.h"

#define MAX_POINTS 4000
#define FEW_POINTS 50    /* a line of this many points or fewer marks them */

extern char **environ;

/* The gnuplot program: $LRSWEEP_GNUPLOT, else "gnuplot" found on PATH.
 * A PATH entry too long for out[cap] is skipped, not cut. */
static int find_gnuplot(char *out, size_t cap)
{
	const char *env = getenv("LRSWEEP_GNUPLOT");
	const char *path = getenv("PATH");

	if (env && *env) {
		if (access(env, X_OK) != 0)
			return lrs_error_set(LRS_ERROR, "gnuplot not found at %s ($LRSWEEP_GNUPLOT)", env);
		if ((size_t)snprintf(out, cap, "%s", env) >= cap)
			return lrs_error_set(LRS_ERROR, "$LRSWEEP_GNUPLOT is too long (%zu bytes)", strlen(env));
		return 0;
	}
	while (path && *path) {
		const char *colon = strchr(path, ':');
		size_t len = colon ? (size_t)(colon - path) : strlen(path);
		if (len && (size_t)snprintf(out, cap, "%.*s/gnuplot", (int)len, path) < cap && access(out, X_OK) == 0)
			return 0;
		path += len + (colon != NULL);
	}
	return lrs_error_set(LRS_ERROR, "gnuplot not found on PATH; install it (apt-get install gnuplot-nox) to plot");
}

/* Writes s as a gnuplot single-quoted string ('' stands for '), its
 * control characters escaped (lrs_buf_printable): a title from the
 * database must not reach a text terminal as an ESC sequence, nor an SVG
 * file as a character XML forbids. */
static void put_quoted_as(FILE *f, const char *s, int tic)
{
	lrs_buf b = { 0 };

	lrs_buf_printable(&b, s ? s : "", 0);
	fputc('\'', f);
	for (const char *p = b.data ? b.data : ""; *p; p++) {
		if (*p == '\'' || (tic && *p == '%'))
			fputc(*p, f);
		fputc(*p, f);
	}
	fputc('\'', f);
	lrs_buf_free(&b);
}

static void put_quoted(FILE *f, const char *s)
{
	put_quoted_as(f, s, 0);
}

/* A tic label: gnuplot reads it as a format ("%g" is the tic's value), so
 * a '%' of the text is written "%%" ("%n" would end the plot in an error). */
static void put_tic_label(FILE *f, const char *s)
{
	put_quoted_as(f, s, 1);
}

static void put_block(FILE *f, size_t prefix, size_t k, const lrs_plot_series *s)
{
	size_t per = s->n > MAX_POINTS ? (s->n + MAX_POINTS / 2 - 1) / (MAX_POINTS / 2) : 1;

	fprintf(f, "$d%zu_%zu << EOD\n", prefix, k);
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

/* Whether a line gnuplot wrote is a warning ("Warning: empty y range",
 * "line 13: warning: difficulty making room for xtic labels"): it still
 * drew the plot. */
static int is_warning(const char *line)
{
	return !strncmp(line + strspn(line, " "), "Warning", 7) || strstr(line, "warning:") != NULL;
}

/* The first line gnuplot wrote to its error file that is not a warning
 * (nor blank, nor the caret under a command), for our message; "" when
 * there is none. */
static void first_error(FILE *err, char *out, size_t cap)
{
	out[0] = '\0';
	rewind(err);
	while (fgets(out, (int)cap, err)) {
		out[strcspn(out, "\n")] = '\0';
		if (out[0] && strspn(out, " ^") != strlen(out) && !is_warning(out)) {
			memmove(out, out + strspn(out, " "), strlen(out + strspn(out, " ")) + 1);
			return;
		}
	}
	out[0] = '\0';
}

/* Line styles: ten colours that stay apart (matplotlib's tab10), then the
 * same colours dashed, dotted, ...: up to 70 lines without a repeat. */
static const char *const colours[] = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                       "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" };
static const char *const dashes[] = { "1", "2", "3", "4", "5", "(12,4,2,4,2,4)", "(20,6)" };
#define N_COLOURS (sizeof colours / sizeof colours[0])
#define N_DASHES (sizeof dashes / sizeof dashes[0])

/* "lc rgb '#...' dt N" for series s at position k. */
static void put_style(FILE *f, const lrs_plot_series *s, size_t k)
{
	if (s->style > 0)
		k = (size_t)(s->style - 1);
	fprintf(f, "lc rgb '%s' dt %s", colours[k % N_COLOURS], dashes[(k / N_COLOURS) % N_DASHES]);
}

int lrs_plot_check(const char *path)
{
	char prog[4096];
	const char *ext = path ? strrchr(path, '.') : NULL;
	int rc;

	if (path && (!ext || (strcmp(ext, ".png") && strcmp(ext, ".svg"))))
		return lrs_error_set(LRS_EINVALID, "%s: plot file must end in .png or .svg", path);
	if ((rc = find_gnuplot(prog, sizeof prog)) < 0 || !path)
		return rc;
	return lrs_outfile_check(path, "the plot");
}

/* A tic step for whole-number x from lo to hi: 1, 2, 5, 10, 20, ... at
 * most about 12 tics. */
static double whole_step(double lo, double hi)
{
	double step = 1;

	for (int k = 0; (hi - lo) / step > 12 && k < 60; k++)
		step *= k % 3 == 1 ? 2.5 : 2;   /* 1 2 5 10 20 50 ... */
	return step;
}

/* Tics of a log x axis from lo to hi (0 < lo < hi) that spans less
 * than two decades, where gnuplot's own, at powers of ten, leave one
 * labelled tic or none: five values evenly spaced on the log scale, each
 * rounded to two significant digits. */
static void put_log_tics(FILE *f, double lo, double hi)
{
	double last = 0;

	fprintf(f, "set xtics (");
	for (int i = 0; i < 5; i++) {
		char text[32];
		double v;
		snprintf(text, sizeof text, "%.2g", lo * pow(hi / lo, i / 4.0));
		v = strtod(text, NULL);
		if (v == last)
			continue;
		fprintf(f, "%s'%s' %s", last ? ", " : "", text, text);
		last = v;
	}
	fprintf(f, ")\n");
}

/* Whether series s is drawn as plain points (no error bars). */
static int scatter(const lrs_plot_series *s)
{
	return s->points && !(s->lo && s->hi);
}

/* The x range of the series (and marks) in *lo, *hi; whether any series
 * is a line (a scatter gets gnuplot's own margins instead). */
static int x_extent(const lrs_plot_opts *opts, const lrs_plot_series *series, size_t n_series, double *lo,
                    double *hi)
{
	int lines = 0;

	*lo = HUGE_VAL;
	*hi = -HUGE_VAL;
	for (size_t k = 0; k < n_series; k++) {
		lines |= !scatter(&series[k]);
		for (size_t i = 0; i < series[k].n; i++)
			if (isfinite(series[k].x[i]) && (!opts->logx || series[k].x[i] > 0)) {
				*lo = fmin(*lo, series[k].x[i]);
				*hi = fmax(*hi, series[k].x[i]);
			}
	}
	/* the x axis ends where the data and the marks do */
	for (size_t k = 0; k < opts->n_marks; k++)
		if (isfinite(opts->marks[k]) && (!opts->logx || opts->marks[k] > 0)) {
			*lo = fmin(*lo, opts->marks[k]);
			*hi = fmax(*hi, opts->marks[k]);
		}
	return lines || n_series == 0;
}

/* Whether a series is drawn as plain points. */
static int has_scatter(const lrs_plot_series *series, size_t n_series)
{
	for (size_t k = 0; k < n_series; k++)
		if (scatter(&series[k]))
			return 1;
	return 0;
}

/* Whether a series has a legend entry. */
static int titled(const lrs_plot_series *series, size_t n_series)
{
	for (size_t k = 0; k < n_series; k++)
		if (series[k].title)
			return 1;
	return 0;
}

/* The axes of one plot: labels, legend, ranges, tics, marks. */
static void put_axes(FILE *f, const lrs_plot_opts *opts, const lrs_plot_series *series, size_t n_series)
{
	size_t rows = opts->n_categories;   /* categories: one row each, best at the top */
	double xlo, xhi;
	int lines = x_extent(opts, series, n_series, &xlo, &xhi);

	fprintf(f, "set title ");
	put_quoted(f, opts->title);
	/* categories: the values run along x, so the value axis's name goes there */
	fprintf(f, "\nset xlabel ");
	put_quoted(f, rows ? opts->ylabel : opts->xlabel);
	/* a legend below would touch the axis label: an empty line between */
	fprintf(f, "%s\nset ylabel ", opts->key_below || rows ? ".\"\\n\" offset 0,0.4" : "");
	put_quoted(f, rows ? "" : opts->ylabel);
	fprintf(f, "\nset grid\n%s\n", !titled(series, n_series) ? "unset key"   /* no empty box */
	           : opts->key_below || rows ? "set key below box" : "set key top right box opaque");
	if (opts->logx)
		fprintf(f, "set logscale x\nset format x \"%%g\"\n");
	if (opts->logx && !opts->n_xcategories && xlo > 0 && xlo < xhi && xhi / xlo < 100)
		put_log_tics(f, xlo, xhi);
	if (!rows && lines && xlo < xhi)
		fprintf(f, "set xrange [%.17g:%.17g]\n", xlo, xhi);
	else if (!rows && !lines)   /* points alone: a margin, none on the border */
		fprintf(f, "set autoscale xfix\n");
	if (!rows && has_scatter(series, n_series))
		fprintf(f, "set autoscale yfix\nset offsets %s, graph 0.05, graph 0.05\n",
		        lines ? "0, 0" : "graph 0.05, graph 0.05");
	if (opts->whole_x && xlo <= xhi)   /* epochs: no tic at 1.5 */
		fprintf(f, "set xtics %.17g\nset mxtics 1\n", whole_step(xlo, xhi));
	if (opts->n_xcategories) {   /* names at x = 1, 2, ... */
		fprintf(f, "set xrange [0.5:%zu.5]\nset xtics (", opts->n_xcategories);
		for (size_t k = 0; k < opts->n_xcategories; k++) {
			fprintf(f, "%s", k ? ", " : "");
			put_tic_label(f, opts->xcategories[k]);
			fprintf(f, " %zu", k + 1);
		}
		fprintf(f, ")\nset grid noxtics\n");
	}
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
	if (rows) {   /* category k (x = k + 1) on row rows - k: horizontal labels of any length */
		fprintf(f, "set yrange [0.5:%zu.5]\nset ytics (", rows);
		for (size_t k = 0; k < rows; k++) {
			fprintf(f, "%s", k ? ", " : "");
			put_tic_label(f, opts->categories[k]);
			fprintf(f, " %zu", rows - k);
		}
		/* and a margin either side: no point on the border */
		fprintf(f, ")\nset grid noytics\nset offsets graph 0.05, graph 0.05, 0, 0\n");
	}
}

/* The plot command of one plot: bands first, under the lines, then the
 * lines and points; data block names start with `prefix`. */
static void put_plot(FILE *f, const lrs_plot_opts *opts, const lrs_plot_series *series, size_t n_series,
                     size_t prefix)
{
	size_t rows = opts->n_categories;
	int bands = 0;

	for (size_t k = 0; k < n_series; k++)
		bands |= series[k].lo && series[k].hi && !series[k].points;
	fprintf(f, "plot ");
	for (size_t k = 0, first = 1; k < n_series; k++) {
		if (!series[k].lo || !series[k].hi || series[k].points)
			continue;
		fprintf(f, "%s$d%zu_%zu using 1:3:4 with filledcurves fs transparent solid 0.2 noborder ",
		        first ? "" : ", ", prefix, k);
		put_style(f, &series[k], k);
		fprintf(f, " axes x1y%d notitle", series[k].right_axis ? 2 : 1);
		first = 0;
	}
	for (size_t k = 0, first = 1; k < n_series; k++) {
		fprintf(f, "%s$d%zu_%zu ", first && !bands ? "" : ", ", prefix, k);
		if (scatter(&series[k]))
			fprintf(f, "using 1:2 with points pt 7 ps 0.7 ");
		else if (series[k].points && rows)
			fprintf(f, "using 2:(%zu - $1):3:4 with xerrorbars pt 7 ps 1.2 lw 2 ", rows + 1);
		else if (series[k].points)
			fprintf(f, "using 1:2:3:4 with yerrorbars pt 7 ps 1.2 lw 2 ");
		else if (rows)
			fprintf(f, "using 2:(%zu - $1) with lines lw 2 ", rows + 1);
		else if (series[k].steps)
			fprintf(f, "using 1:2 with steps lw 2 ");
		else if (series[k].n <= FEW_POINTS)   /* each point a measurement: shown */
			fprintf(f, "using 1:2 with linespoints lw 2 pt 7 ps 0.6 ");
		else
			fprintf(f, "using 1:2 with lines lw 2 ");
		put_style(f, &series[k], k);
		fprintf(f, " axes x1y%d %s", series[k].right_axis ? 2 : 1, series[k].title ? "title " : "notitle");
		first = 0;
		if (series[k].title)
			put_quoted(f, series[k].title);
	}
	fprintf(f, "\n");
}

/* One plot: its data blocks (named after `prefix`), axes and command. */
static void put_panel(FILE *f, const lrs_plot_panel *p, size_t prefix)
{
	int uses_y2 = 0;

	for (size_t k = 0; k < p->n_series; k++) {
		put_block(f, prefix, k, &p->series[k]);
		uses_y2 |= p->series[k].right_axis;
	}
	put_axes(f, &p->opts, p->series, p->n_series);
	if (uses_y2) {
		fprintf(f, "set y2label ");
		put_quoted(f, p->opts.y2label);
		fprintf(f, "\nset y2tics\nset ytics nomirror\n");
	}
	put_plot(f, &p->opts, p->series, p->n_series, prefix);
}

/* Writes the whole gnuplot script to f: the terminal by `ext` (".png",
 * ".svg", NULL: text), then the one plot, or the panels in a grid of
 * `columns` under `title`. The image goes to gnuplot's stdout. */
static void write_script(FILE *f, const char *ext, const char *title, const lrs_plot_panel *panels, size_t n,
                         size_t columns)
{
	size_t rows = n == 1 && !title ? panels[0].opts.n_categories : 0;   /* one plot's category rows */
	size_t grid = (n + columns - 1) / columns;                           /* rows of panels */
	size_t height = n == 1 && !title ? (120 + 22 * rows > 540 ? 120 + 22 * rows : 540) : 60 + 330 * grid;

	/* a category plot grows with its rows, so that labels keep apart */
	if (!ext)
		fprintf(f, "set terminal dumb size %zu,%zu noenhanced\n", n == 1 ? (size_t)100 : 60 * columns,
		        n == 1 && !title ? (rows + 12 > 30 ? rows + 12 : 30) : 2 + 25 * grid);
	else
		fprintf(f, "set terminal %s size 960,%zu noenhanced font 'sans,10'\n",
		        strcmp(ext, ".png") == 0 ? "pngcairo" : "svg", height);
	if (n == 1 && !title) {
		put_panel(f, &panels[0], 0);
		return;
	}
	fprintf(f, "set multiplot layout %zu,%zu title ", grid, columns);
	put_quoted(f, title);
	fprintf(f, "\n");
	for (size_t k = 0; k < n; k++) {
		if (k)
			fprintf(f, "reset\n");   /* each panel from gnuplot's defaults */
		put_panel(f, &panels[k], k);
	}
	fprintf(f, "unset multiplot\n");
}

/* Starts gnuplot `prog` without a shell: stdin the read end of a new pipe
 * (the write end in *in), stdout `out_fd` (-1: ours), stderr `err_fd`. */
static int spawn_gnuplot(pid_t *pid, int *in, const char *prog, int out_fd, int err_fd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t defaults;
	char *argv[] = { (char *)prog, NULL };
	int p[2], rc;

	if (pipe(p) != 0)
		return lrs_error_set(LRS_ERROR, "cannot run gnuplot (%s)", strerror(errno));
	/* the child must not hold the write end: it would never see the end
	 * (its stdin, a copy of the read end, stays open across the exec) */
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	if ((rc = posix_spawn_file_actions_init(&fa)) == 0) {
		posix_spawnattr_init(&attr);
		posix_spawn_file_actions_adddup2(&fa, p[0], 0);
		if (out_fd >= 0)
			posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
		posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
		/* the signals lrsweep ignores are gnuplot's by default: past
		 * `ulimit -f` it dies by SIGXFSZ, where an ignored one (inherited
		 * across exec) let it end "well" with a cut file */
		sigemptyset(&defaults);
		sigaddset(&defaults, SIGXFSZ);
		sigaddset(&defaults, SIGPIPE);
		posix_spawnattr_setsigdefault(&attr, &defaults);
		posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
		rc = posix_spawn(pid, prog, &fa, &attr, argv, environ);
		posix_spawnattr_destroy(&attr);
		posix_spawn_file_actions_destroy(&fa);
	}
	close(p[0]);
	if (rc != 0) {
		close(p[1]);
		return lrs_error_set(LRS_ERROR, "cannot run gnuplot %s (%s)", prog, strerror(rc));
	}
	*in = p[1];
	return 0;
}

/* Whether the figure on `fd` is whole: a PNG ends with its IEND chunk, an
 * SVG with its </svg> tag. gnuplot ignores a failed write (a full disk)
 * and exits 0; the cut file shows here. */
static int whole_figure(int fd, const char *ext)
{
	static const unsigned char iend[12] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };
	unsigned char tail[64];
	struct stat st;
	size_t n;

	if (fstat(fd, &st) != 0 || st.st_size <= 0)
		return 0;
	n = st.st_size < (off_t)sizeof tail ? (size_t)st.st_size : sizeof tail;
	if (pread(fd, tail, n, st.st_size - (off_t)n) != (ssize_t)n)
		return 0;
	if (!strcmp(ext, ".png"))
		return n >= sizeof iend && !memcmp(tail + n - sizeof iend, iend, sizeof iend);
	while (n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == '\r' || tail[n - 1] == ' '))
		n--;
	return n >= 6 && !memcmp(tail + n - 6, "</svg>", 6);
}

/* The error for a figure gnuplot left empty or cut short: a full disk
 * when the file system has next to no room left, else `what`. */
static int cut_short(const char *path, int fd, const char *what)
{
	struct statvfs vfs;
	unsigned long long room;

	if (fstatvfs(fd, &vfs) == 0 && (room = (unsigned long long)vfs.f_bavail * vfs.f_frsize) < 1024 * 1024)
		return lrs_error_set(LRS_ERROR, "%s: writing the plot failed: disk full (%llu KiB left on the file "
		                     "system)", path, room / 1024);
	return lrs_error_set(LRS_ERROR, "%s: %s", path, what);
}

/* What one call draws: one plot, or panels under a title. */
typedef struct {
	const char *title;              /* the panels' title; NULL: one plot  */
	const lrs_plot_panel *panels;
	size_t n, columns;
} figure;

/* Feeds the script to gnuplot on fd `in` (closed here) and waits for it;
 * its exit status in *status. A gnuplot that stops reading early makes a
 * write fail (EPIPE, SIGPIPE held back for this thread), not kill us.
 * Returns 1 when the whole script was written, else 0. */
static int feed_and_wait(int in, pid_t pid, int *status, const char *ext, const figure *fig)
{
	sigset_t pipe_sig, old, pending;
	struct timespec zero = { 0, 0 };
	int was_pending, whole = 0;
	FILE *f;

	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_sig, &old);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	if ((f = fdopen(in, "w")) != NULL) {
		write_script(f, ext, fig->title, fig->panels, fig->n, fig->columns);
		whole = !ferror(f);
		whole &= fclose(f) == 0;
	} else {
		close(in);
	}
	if (!was_pending)   /* a SIGPIPE of our writes: taken, not delivered */
		while (sigtimedwait(&pipe_sig, NULL, &zero) > 0)
			;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR) {
			*status = -1;
			break;
		}
	return whole;
}

/* Draws figure `fig` to `path` (NULL: the terminal), as lrs_plot_lines. */
static int draw(const char *path, const figure *fig)
{
	char prog[4096], msg[512];
	const char *ext = path ? strrchr(path, '.') : NULL;
	char err_path[] = "/tmp/lrsweep-gnuplot-XXXXXX";
	lrs_outfile out = { NULL, NULL, -1, 0 };
	int status, rc, err_fd, in = -1, whole;
	struct stat st = { 0 };
	pid_t pid;
	FILE *err;

	if (path && (!ext || (strcmp(ext, ".png") && strcmp(ext, ".svg"))))
		return lrs_error_set(LRS_EINVALID, "%s: plot file must end in .png or .svg", path);
	if ((rc = find_gnuplot(prog, sizeof prog)) < 0)
		return rc;
	if (path && (rc = lrs_outfile_begin(&out, path, "the plot")) < 0)
		return rc;
	/* gnuplot's complaints go to a file we read back, so the user sees one
	 * line from us */
	err_fd = mkstemp(err_path);
	if (err_fd < 0) {
		rc = lrs_error_set(LRS_ERROR, "cannot create a temporary file for gnuplot (%s)", strerror(errno));
		goto fail;
	}
	unlink(err_path);
	fcntl(err_fd, F_SETFD, FD_CLOEXEC);
	if (out.fd >= 0)
		fcntl(out.fd, F_SETFD, FD_CLOEXEC);
	err = fdopen(err_fd, "r");
	if (!err) {
		close(err_fd);
		rc = lrs_error_set(LRS_ERROR, "cannot read gnuplot's messages (%s)", strerror(errno));
		goto fail;
	}
	fflush(stdout);
	if ((rc = spawn_gnuplot(&pid, &in, prog, out.fd, err_fd)) < 0) {
		fclose(err);
		goto fail;
	}
	whole = feed_and_wait(in, pid, &status, ext, fig);
	/* gnuplot warns (an empty y range: a flat line) and still draws */
	first_error(err, msg, sizeof msg);
	fclose(err);
	if (status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ) {
		rc = lrs_error_set(LRS_ERROR, "%s: writing the plot failed: disk full (the file-size limit, ulimit -f, "
		                   "is reached)", path ? path : "terminal plot");
		goto fail;
	}
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || msg[0] || !whole) {
		rc = lrs_error_set(LRS_ERROR, "%s: gnuplot failed: %s", path ? path : "terminal plot",
		                   msg[0] ? msg : !whole ? "it stopped reading the script" : "no message");
		goto fail;
	}
	if (path && (fstat(out.fd, &st) != 0 || st.st_size == 0 || !whole_figure(out.fd, ext))) {
		rc = cut_short(path, out.fd, st.st_size == 0 ? "gnuplot wrote no plot" : "gnuplot's file is cut short");
		goto fail;
	}
	return path ? lrs_outfile_commit(&out, "the plot") : 0;
fail:
	if (path)
		lrs_outfile_abort(&out);
	return rc;
}

int lrs_plot_lines(const char *path, const lrs_plot_opts *opts,
                   const lrs_plot_series *series, size_t n_series)
{
	lrs_plot_panel one = { *opts, series, n_series };
	figure fig = { NULL, &one, 1, 1 };

	return draw(path, &fig);
}

int lrs_plot_panels(const char *path, const char *title, const lrs_plot_panel *panels, size_t n_panels,
                    size_t columns)
{
	assert(n_panels > 0 && columns > 0);
	figure fig = { title ? title : "", panels, n_panels, columns < n_panels ? columns : n_panels };

	return draw(path, &fig);
}
