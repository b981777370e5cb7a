/* plot.h - line plots through gnuplot (the only module that runs it).
 *
 * The caller hands over numbers and labels; this module writes the gnuplot
 * script, runs gnuplot and checks the result. Output is PNG or SVG by the
 * file's extension, or text drawn on stdout (`path` NULL). The gnuplot
 * binary is "gnuplot" on PATH, or $LRSWEEP_GNUPLOT when set. */
#ifndef LRSWEEP_PLOT_H
#define LRSWEEP_PLOT_H

#include <stddef.h>

typedef struct {
	const char *title;      /* legend entry                          */
	const double *x, *y;    /* n points                              */
	size_t n;
	int right_axis;         /* 1: plotted against the right y axis   */
	const double *lo, *hi;  /* optional (n): a shaded band around the
	                           line, or the error bars of points      */
	int points;             /* 1: points, not a line: with error bars
	                           lo..hi, or alone when lo, hi are NULL */
	int steps;              /* 1: a line of steps (a running value)  */
	int style;              /* 0: the style of its position; k > 0:
	                           line style k - 1 (colour (k-1) % 10,
	                           then dash pattern), so that one thing
	                           keeps its colour in every plot        */
} lrs_plot_series;

typedef struct {
	const char *title;      /* plot title                            */
	const char *xlabel;
	const char *ylabel;     /* left axis                             */
	const char *y2label;    /* right axis, when a series uses it     */
	int logx, logy;         /* logarithmic axes                      */
	const double *marks;    /* x positions of labelled vertical lines */
	const char *const *mark_labels;
	size_t n_marks;
	double ymax;            /* top of the left axis; 0 = automatic   */
	const char *const *categories; /* optional: names of x = 1, 2, ...
	                           n_categories; drawn as rows, the first at
	                           the top, names on the left, the values
	                           (y, lo..hi) along the horizontal axis,
	                           which is then labelled `ylabel`        */
	size_t n_categories;
	int whole_x;            /* x takes whole numbers (epochs): tics
	                           only at whole numbers                 */
	int key_below;          /* the legend under the plot, not on it  */
	const char *const *xcategories; /* optional: names of x = 1, 2, ...
	                           n_xcategories along the x axis         */
	size_t n_xcategories;
} lrs_plot_opts;

/* One plot of a figure of several (lrs_plot_panels). */
typedef struct {
	lrs_plot_opts opts;
	const lrs_plot_series *series;
	size_t n_series;
} lrs_plot_panel;

/* Draws the series as lines (a series titled NULL has no legend entry). `path` ending in .png or .svg writes that
 * file; NULL draws on the terminal (stdout). Each line has its own colour
 * and dash pattern (ten colours, then dashed ones): up to 70 are told
 * apart. The file is written as outfile.h says: never through a link,
 * never over anything but a regular file. Returns 0; LRS_EINVALID for an
 * unknown extension; LRS_ERROR when gnuplot is missing or fails. */
int lrs_plot_lines(const char *path, const lrs_plot_opts *opts,
                   const lrs_plot_series *series, size_t n_series);

/* Draws n_panels plots as one figure under `title`, in rows of `columns`
 * (the last row may be short), each panel as lrs_plot_lines draws one
 * plot; the figure grows with its rows. Returns as lrs_plot_lines. */
int lrs_plot_panels(const char *path, const char *title, const lrs_plot_panel *panels, size_t n_panels,
                    size_t columns);

/* Whether lrs_plot_lines(path, ...) could draw, asked before the work that
 * makes the data: the extension, gnuplot, and that `path` (NULL: the
 * terminal) can be created, all without touching an existing file.
 * Returns 0, or the code and message lrs_plot_lines would fail with. */
int lrs_plot_check(const char *path);

#endif
