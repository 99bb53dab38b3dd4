/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded whole-file reads: a regular file only (a FIFO would block, a
 * device could be endless, a directory is no content), never through a
 * link where the caller says so, and never more than the caller's cap. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/error.h"
#include "io/io.h"

int fws_io_read_full(int fd, uint8_t *buf, size_t len, size_t *got)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = read(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fws_diag_set(fws_errno_code(errno), errno, NULL, "cannot read");
		if (n == 0)
			break;
		done += (size_t)n;
	}
	*got = done;
	return 0;
}

static int open_regular(int dirfd, const char *name, int nofollow, int *fd, struct stat *st)
{
	/* O_NONBLOCK: a FIFO planted at the name would otherwise block the
	 * open before fstat could refuse it. */
	int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (nofollow ? O_NOFOLLOW : 0);
	*fd = openat(dirfd, name, flags);
	if (*fd < 0) {
		if (nofollow && errno == ELOOP)
			return fws_diag_set(FWS_EUNSAFE, 0, name, "is a symbolic link");
		return fws_diag_set(fws_errno_code(errno), errno, name, "cannot open");
	}
	int rc = 0;
	/* Below a device directory (nofollow) a directory or FIFO where our
	 * file belongs was planted there; an operator's path keeps the
	 * operating system's word for it. */
	if (fstat(*fd, st) != 0)
		rc = fws_diag_set(FWS_EIO, errno, name, "cannot read");
	else if (S_ISDIR(st->st_mode))
		rc = nofollow ? fws_diag_set(FWS_EUNSAFE, 0, name, "is a directory, not a file")
			      : fws_diag_set(FWS_EIO, EISDIR, name, "cannot read");
	else if (!S_ISREG(st->st_mode))
		rc = fws_diag_set(nofollow ? FWS_EUNSAFE : FWS_EIO, 0, name, "not a regular file");
	else if (fcntl(*fd, F_SETFL, 0) != 0)
		rc = fws_diag_set(FWS_EIO, errno, name, "cannot read");
	if (rc != 0) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

/* Reads exactly the size fstat promised, and checks that nothing follows:
 * a file that changes while it is read is no one version of itself. */
static int read_sized(int fd, const char *name, uint8_t *buf, size_t size)
{
	size_t got;
	uint8_t probe;
	int rc = fws_io_read_full(fd, buf, size, &got);
	if (rc == 0 && got == size)
		rc = fws_io_read_full(fd, &probe, 1, &got);
	else if (rc == 0)
		got = 1;
	if (rc != 0)
		fws_diag_prefix('/', "%s", name);
	else if (got != 0)
		rc = fws_diag_set(FWS_EIO, 0, name, "changed while it was read");
	return rc;
}

int fws_io_read_at(int dirfd, const char *name, int nofollow, uint8_t *buf, size_t cap,
		   size_t *len)
{
	struct stat st;
	int fd;
	int rc = open_regular(dirfd, name, nofollow, &fd, &st);
	if (rc != 0)
		return rc;
	if (st.st_size < 0 || (unsigned long long)st.st_size > cap)
		rc = fws_diag_set(FWS_ELIMIT, 0, name, "larger than %zu bytes", cap);
	else
		rc = read_sized(fd, name, buf, (size_t)st.st_size);
	if (rc == 0)
		*len = (size_t)st.st_size;
	close(fd);
	return rc;
}

int fws_io_read_all_fd(int fd, const char *name, size_t max, uint8_t **out, size_t *len)
{
	struct stat st;
	uint8_t *buf = NULL;
	int rc = 0;
	*out = NULL;
	*len = 0;
	if (max == SIZE_MAX)
		return FWS_EUSAGE;
	if (fstat(fd, &st) != 0)
		rc = fws_diag_set(FWS_EIO, errno, name, "cannot read");
	else if (!S_ISREG(st.st_mode))
		rc = fws_diag_set(FWS_EIO, S_ISDIR(st.st_mode) ? EISDIR : 0, name,
				  S_ISDIR(st.st_mode) ? "cannot read" : "not a regular file");
	else if (st.st_size < 0 || (unsigned long long)st.st_size > max)
		rc = fws_diag_set(FWS_ELIMIT, 0, name, "larger than %zu bytes", max);
	else if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		rc = FWS_ENOMEM;
	else
		rc = read_sized(fd, name, buf, (size_t)st.st_size);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	buf[st.st_size] = '\0';
	*out = buf;
	*len = (size_t)st.st_size;
	return 0;
}

int fws_io_read_all_at(int dirfd, const char *name, int nofollow, size_t max, uint8_t **out,
		       size_t *len)
{
	struct stat st;
	int fd;
	*out = NULL;
	*len = 0;
	int rc = open_regular(dirfd, name, nofollow, &fd, &st);
	if (rc != 0)
		return rc;
	rc = fws_io_read_all_fd(fd, name, max, out, len);
	close(fd);
	return rc;
}
