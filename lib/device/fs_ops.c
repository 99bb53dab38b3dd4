/* Device file operations: POSIX by default, replaceable for fault injection. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device/fs_ops.h"
#include "fwseal/error.h"

int fws_fs_path(char *out, const char *dir, const char *name)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);
	return (n < 0 || n >= PATH_MAX) ? FWS_ELIMIT : 0;
}

int fws_fs_open(const struct fws_fs_ops *fs, const char *path, int flags, unsigned mode)
{
	if (fs != NULL && fs->open != NULL)
		return fs->open(fs->ctx, path, flags, mode);
	return open(path, flags, (mode_t)mode);
}

int fws_fs_write_all(const struct fws_fs_ops *fs, int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = (fs != NULL && fs->write != NULL) ? fs->write(fs->ctx, fd, p, len)
							      : write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FWS_EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fws_fs_fsync(const struct fws_fs_ops *fs, int fd)
{
	int r = (fs != NULL && fs->fsync != NULL) ? fs->fsync(fs->ctx, fd) : fsync(fd);
	return r == 0 ? 0 : FWS_EIO;
}

int fws_fs_rename(const struct fws_fs_ops *fs, const char *from, const char *to)
{
	int r = (fs != NULL && fs->rename != NULL) ? fs->rename(fs->ctx, from, to)
						   : rename(from, to);
	return r == 0 ? 0 : FWS_EIO;
}

int fws_fs_unlink(const struct fws_fs_ops *fs, const char *path)
{
	int r = (fs != NULL && fs->unlink != NULL) ? fs->unlink(fs->ctx, path) : unlink(path);
	return (r == 0 || errno == ENOENT) ? 0 : FWS_EIO;
}

int fws_fs_fsync_dir(const struct fws_fs_ops *fs, const char *dir)
{
	int fd = fws_fs_open(fs, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return FWS_EIO;
	int rc = fws_fs_fsync(fs, fd);
	close(fd);
	return rc;
}

int fws_fs_replace(const struct fws_fs_ops *fs, const char *dir, const char *name,
		   const void *buf, size_t len, unsigned mode)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	int rc = fws_fs_path(path, dir, name);
	if (rc != 0)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* One writer at a time (the device lock), so a fixed temp name is
	 * safe, and a leftover from a crash is simply truncated. */
	int fd = fws_fs_open(fs, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return FWS_EIO;
	rc = fws_fs_write_all(fs, fd, buf, len);
	if (rc == 0)
		rc = fws_fs_fsync(fs, fd);
	if (close(fd) != 0 && rc == 0)
		rc = FWS_EIO;
	if (rc == 0)
		rc = fws_fs_rename(fs, tmp, path);
	if (rc == 0)
		rc = fws_fs_fsync_dir(fs, dir);
	return rc;
}

int fws_fs_read(const char *dir, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
	char path[PATH_MAX];
	struct stat sb;
	int rc = fws_fs_path(path, dir, name);
	if (rc != 0)
		return rc;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? FWS_ENOENT : FWS_EIO;
	rc = FWS_EIO;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		goto out;
	*len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		*len += (size_t)n;
		if (*len == cap) {
			uint8_t extra;
			rc = read(fd, &extra, 1) == 0 ? 0 : FWS_ELIMIT;
			goto out;
		}
	}
	rc = 0;
out:
	close(fd);
	return rc;
}
