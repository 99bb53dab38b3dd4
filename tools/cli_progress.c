/* SPDX-License-Identifier: Apache-2.0 */
/* Progress of long work on stderr: bytes, rate and time left, redrawn in
 * place at most five times a second, and only when stderr is a terminal
 * (never in logs, pipes or CI) and --quiet was not given. The line is
 * wiped before anything else is written to stderr. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static int line_drawn; /* a progress line is on the terminal now */

void cli_progress_wipe(void)
{
	if (line_drawn) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
	line_drawn = 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void human(char *out, size_t cap, double bytes)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	int u = 0;
	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	snprintf(out, cap, u == 0 ? "%.0f %s" : "%.1f %s", bytes, unit[u]);
}

void cli_progress_start(struct cli_progress *p, const struct cli *c, const char *what,
			uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->what = what;
	p->total = total;
	p->on = !c->quiet && isatty(STDERR_FILENO);
	p->start = p->last = now_s();
}

static void draw(struct cli_progress *p, double t)
{
	char done[32], total[32], rate[32], left[32] = "";
	double secs = t - p->start, bps = secs > 0 ? (double)p->done / secs : 0;
	human(done, sizeof(done), (double)p->done);
	human(rate, sizeof(rate), bps);
	if (p->total > 0) {
		human(total, sizeof(total), (double)p->total);
		if (bps > 0 && p->total >= p->done) {
			unsigned long rest = (unsigned long)((double)(p->total - p->done) / bps);
			snprintf(left, sizeof(left), ", %lu:%02lu left", rest / 60, rest % 60);
		}
		fprintf(stderr, "\r\033[K%s: %s of %s (%d%%), %s/s%s", p->what, done, total,
			(int)(100.0 * (double)p->done / (double)p->total), rate, left);
	} else {
		fprintf(stderr, "\r\033[K%s: %s, %s/s", p->what, done, rate);
	}
	fflush(stderr);
	line_drawn = 1;
}

void cli_progress_update(struct cli_progress *p, uint64_t done)
{
	p->done = done;
	if (!p->on)
		return;
	double t = now_s();
	if (t - p->last < 0.2)
		return;
	p->last = t;
	draw(p, t);
}

void cli_progress_cb(void *ctx, uint64_t done, uint64_t total)
{
	struct cli_progress *p = ctx;
	if (total != 0)
		p->total = total;
	cli_progress_update(p, done);
}

void cli_progress_end(struct cli_progress *p)
{
	cli_progress_wipe();
	p->on = 0;
}
