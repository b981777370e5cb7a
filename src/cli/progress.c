/* progress.c - the progress bar of progress.h. Worker threads add units
 * with an atomic add; the thread whose compare-and-swap wins a 100 ms slot
 * draws, so two threads never draw at once and drawing costs the workers
 * nothing between slots. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

#define BAR_WIDTH 30
#define REDRAW_MS 100

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void cli_progress_start(cli_progress *p, const char *label, long total, int enabled)
{
	p->label = label;
	p->total = total > 0 ? total : 1;
	atomic_init(&p->done, 0);
	atomic_init(&p->drawn_ms, -REDRAW_MS);
	p->t0_ms = now_ms();
	p->on = enabled && isatty(STDERR_FILENO);
	p->note[0] = '\0';
}

void cli_progress_note(cli_progress *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->note, sizeof p->note, fmt, ap);
	va_end(ap);
}

static void draw(const cli_progress *p, long done, long ms)
{
	char bar[BAR_WIDTH + 1];
	long fill = done >= p->total ? BAR_WIDTH : done * BAR_WIDTH / p->total;
	double secs = (double)ms / 1000;
	int i;

	for (i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	fprintf(stderr, "\r%s [%s] %3ld%%  %ld/%ld  %.1f s", p->label, bar,
	        done >= p->total ? 100 : done * 100 / p->total, done, p->total, secs);
	if (done > 0 && done < p->total)
		fprintf(stderr, ", ~%.0f s left", secs * (double)(p->total - done) / (double)done);
	if (p->note[0])
		fprintf(stderr, "  %s", p->note);
	fputs("\033[K", stderr);   /* clear what a longer line left */
	fflush(stderr);
}

void cli_progress_add(void *ctx, long units)
{
	cli_progress *p = ctx;
	long done = atomic_fetch_add(&p->done, units) + units, ms, last;

	if (!p->on)
		return;
	ms = now_ms() - p->t0_ms;
	last = atomic_load(&p->drawn_ms);
	if (ms - last < REDRAW_MS)
		return;
	if (atomic_compare_exchange_strong(&p->drawn_ms, &last, ms))
		draw(p, done, ms);
}

void cli_progress_end(cli_progress *p)
{
	if (p->on) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->on = 0;
}
