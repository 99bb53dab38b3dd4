/* Careful file helpers: bounded whole-file reads and atomic, durable writes. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/error.h"
#include "fwseal/fileio.h"

#define TMP_SUFFIX ".tmp."
#define TMP_RANDOM 12
#define TMP_TRIES 16

static int read_full(int fd, uint8_t *buf, size_t len, size_t *got)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, buf + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return FWS_EIO;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	*got = done;
	return 0;
}

int fws_file_read_all(const char *path, size_t max, uint8_t **out, size_t *out_len)
{
	int rc = FWS_EUSAGE;
	int fd = -1;
	uint8_t *buf = NULL;
	uint8_t probe;
	size_t size, got, extra;
	struct stat st;

	if (out == NULL || out_len == NULL)
		return FWS_EUSAGE;
	*out = NULL;
	*out_len = 0;
	if (path == NULL || max == SIZE_MAX)
		goto out;
	/* O_NONBLOCK only for the open: a FIFO planted at the path would
	 * otherwise block us forever before fstat could refuse it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc = errno == ENOENT ? FWS_ENOENT : FWS_EIO;
		goto out;
	}
	rc = FWS_EIO;
	if (fstat(fd, &st) != 0)
		goto out;
	/* Directories, devices, FIFOs and sockets are refused: a device could
	 * be endless, and a directory read is not a file's content. */
	if (!S_ISREG(st.st_mode))
		goto out;
	if (fcntl(fd, F_SETFL, 0) != 0)
		goto out;
	rc = FWS_ELIMIT;
	if (st.st_size < 0 || (unsigned long long)st.st_size > max)
		goto out;
	size = (size_t)st.st_size;
	rc = FWS_ENOMEM;
	buf = malloc(size + 1);
	if (buf == NULL)
		goto out;
	rc = read_full(fd, buf, size, &got);
	if (rc != 0)
		goto out;
	/* The file changed while we read it (shrank, or grew past the size we
	 * sized the buffer for): what we hold is no one version of it. */
	rc = FWS_EIO;
	if (got != size)
		goto out;
	rc = read_full(fd, &probe, 1, &extra);
	if (rc != 0)
		goto out;
	rc = FWS_EIO;
	if (extra != 0)
		goto out;
	buf[size] = '\0';
	*out = buf;
	*out_len = size;
	buf = NULL;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

static int write_full(int fd, const uint8_t *data, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return FWS_EIO;
		}
		if (n == 0)
			return FWS_EIO;
		done += (size_t)n;
	}
	return 0;
}

/* Replaces the trailing TMP_RANDOM characters of name with random ones, so
 * a name cannot be predicted and pre-created by another user. */
static void randomise(char *name, size_t len)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

	for (size_t i = len - TMP_RANDOM; i < len; i++)
		name[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
}

int fws_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode, int excl)
{
	int rc = FWS_EUSAGE;
	int fd = -1;
	char *tmp = NULL;
	int tmp_exists = 0;
	size_t path_len, tmp_len;

	if (path == NULL || (data == NULL && len != 0))
		goto out;
	path_len = strlen(path);
	if (path_len == 0 || path[path_len - 1] == '/')
		goto out;
	rc = FWS_ECRYPTO;
	if (sodium_init() < 0)
		goto out;
	rc = FWS_ENOMEM;
	tmp_len = path_len + sizeof(TMP_SUFFIX) - 1 + TMP_RANDOM;
	tmp = malloc(tmp_len + 1);
	if (tmp == NULL)
		goto out;
	memcpy(tmp, path, path_len);
	memcpy(tmp + path_len, TMP_SUFFIX, sizeof(TMP_SUFFIX) - 1);
	tmp[tmp_len] = '\0';
	/* The temp file lives next to the target so the final rename or link
	 * stays within one file system (and is therefore atomic). O_EXCL and
	 * O_NOFOLLOW: a link planted at the temp name cannot redirect our
	 * write elsewhere. */
	for (int tries = 0; fd < 0 && tries < TMP_TRIES; tries++) {
		randomise(tmp, tmp_len);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
			  (mode_t)(mode & 07777));
		if (fd < 0 && errno != EEXIST) {
			rc = FWS_EIO;
			goto out;
		}
	}
	rc = FWS_EIO;
	if (fd < 0)
		goto out;
	tmp_exists = 1;
	rc = write_full(fd, data, len);
	if (rc != 0)
		goto out;
	/* Durable before visible: after a crash the path holds either the old
	 * content or all of the new, never a torn file. */
	rc = FWS_EIO;
	if (fsync(fd) != 0)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (excl) {
		/* link() fails with EEXIST atomically when the path exists; a
		 * check-then-rename would race with whoever creates it between. */
		if (link(tmp, path) != 0) {
			rc = errno == EEXIST ? FWS_EEXIST : FWS_EIO;
			goto out;
		}
		if (unlink(tmp) != 0)
			goto out;
	} else {
		if (rename(tmp, path) != 0)
			goto out;
	}
	tmp_exists = 0;
	rc = fws_fsync_parent(path);
out:
	if (fd >= 0)
		close(fd);
	if (tmp_exists)
		unlink(tmp);
	free(tmp);
	return rc;
}

int fws_fsync_parent(const char *path)
{
	int rc = FWS_EUSAGE;
	int fd = -1;
	char *dir = NULL;
	const char *slash;
	size_t n;

	if (path == NULL || path[0] == '\0')
		goto out;
	slash = strrchr(path, '/');
	if (slash == NULL) {
		n = 1;
	} else if (slash == path) {
		n = 1;
	} else {
		n = (size_t)(slash - path);
	}
	rc = FWS_ENOMEM;
	dir = malloc(n + 1);
	if (dir == NULL)
		goto out;
	if (slash == NULL)
		dir[0] = '.';
	else
		memcpy(dir, path, n);
	dir[n] = '\0';
	rc = FWS_EIO;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	/* Some file systems cannot sync a directory (EINVAL); there the
	 * rename is as durable as it will get. */
	if (fsync(fd) != 0 && errno != EINVAL)
		goto out;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}
