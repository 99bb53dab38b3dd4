/* The file-descriptor reader used by the CLIs (files, pipes, stdin). */
#include <errno.h>
#include <unistd.h>

#include "fwseal/bundle.h"

ssize_t fws_read_fd(void *ctx, uint8_t *buf, size_t len)
{
	int fd = *(const int *)ctx;
	for (;;) {
		ssize_t n = read(fd, buf, len);
		if (n >= 0 || errno != EINTR)
			return n < 0 ? -1 : n;
	}
}
