/* SPDX-License-Identifier: Apache-2.0 */
/* File-descriptor readers for bundles (files, pipes, stdin). */
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "fwseal/bundle.h"
#include "fwseal/error.h"
#include "io/io.h"

ssize_t fws_read_fd(void *ctx, uint8_t *buf, size_t len)
{
	int fd = *(const int *)ctx;
	for (;;) {
		ssize_t n = read(fd, buf, len);
		if (n >= 0 || errno != EINTR)
			return n < 0 ? -1 : n;
	}
}

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

ssize_t fws_read_fd_timed(void *ctx, uint8_t *buf, size_t len)
{
	struct fws_fd_reader *r = ctx;
	if (r->deadline_ms > 0 && r->started_ms == 0)
		r->started_ms = now_ms();
	for (;;) {
		/* The wait: the stall timeout, or what is left of the deadline
		 * when that comes first (a byte now and then resets only the
		 * former). */
		int64_t wait = r->stall_ms > 0 ? (int64_t)r->stall_ms : -1, left = -1;
		if (r->deadline_ms > 0) {
			left = r->started_ms + r->deadline_ms - now_ms();
			if (left <= 0)
				return fws_diag_set(FWS_EDEADLINE, 0, NULL,
						    "the input did not end within %u s "
						    "(download-timeout; %llu bytes read)",
						    (unsigned)(r->deadline_ms / 1000),
						    (unsigned long long)r->bytes);
			if (wait < 0 || left < wait)
				wait = left;
		}
		if (wait >= 0) {
			struct pollfd p = {r->fd, POLLIN, 0};
			int ready = poll(&p, 1, (int)wait);
			if (ready < 0 && errno == EINTR)
				continue;
			if (ready < 0)
				return fws_diag_set(FWS_EIO, errno, NULL, "cannot read");
			if (ready == 0 && wait == left)
				continue; /* the deadline: reported above */
			if (ready == 0)
				return fws_diag_set(FWS_ESTALLED, 0, NULL,
						    "nothing received for %u.%03u s",
						    (unsigned)(r->stall_ms / 1000),
						    (unsigned)(r->stall_ms % 1000));
		}
		ssize_t n = read(r->fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fws_diag_set(FWS_EIO, errno, NULL, "cannot read");
		r->bytes += (uint64_t)n;
		if (r->progress != NULL)
			r->progress(r->progress_ctx, r->bytes, r->total);
		return n;
	}
}
