/* SPDX-License-Identifier: Apache-2.0 */
/* File-descriptor readers for bundles (files, pipes, stdin). */
#include <errno.h>
#include <poll.h>
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

ssize_t fws_read_fd_timed(void *ctx, uint8_t *buf, size_t len)
{
	struct fws_fd_reader *r = ctx;
	for (;;) {
		if (r->stall_ms > 0) {
			struct pollfd p = {r->fd, POLLIN, 0};
			int ready = poll(&p, 1, (int)r->stall_ms);
			if (ready < 0 && errno == EINTR)
				continue;
			if (ready < 0)
				return fws_diag_set(FWS_EIO, errno, NULL, "cannot read");
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
