/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE /* renameat2 */
/* The system calls every writer uses, through struct fws_fs_ops (so crash
 * tests reach each one), mapped to FWS_E* codes with the reason kept. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/error.h"
#include "io/io.h"

static int fail(int err, const char *name, const char *what)
{
	return fws_diag_set(fws_errno_code(err), err, name, "%s", what);
}

int fws_io_openat(const struct fws_fs_ops *fs, int dirfd, const char *name, int flags,
		  unsigned mode, int *fd)
{
	flags |= O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
	*fd = (fs != NULL && fs->openat != NULL) ? fs->openat(fs->ctx, dirfd, name, flags, mode)
						  : openat(dirfd, name, flags, (mode_t)mode);
	if (*fd >= 0)
		return 0;
	/* O_NOFOLLOW on a symbolic link: someone planted a link where a file
	 * of ours belongs. */
	if (errno == ELOOP)
		return fws_diag_set(FWS_EUNSAFE, 0, name, "is a symbolic link");
	if (errno == EEXIST)
		return fws_diag_set(FWS_EEXIST, 0, name, "already exists");
	return fail(errno, name, (flags & O_CREAT) ? "cannot create" : "cannot open");
}

int fws_io_write_all(const struct fws_fs_ops *fs, int fd, const void *buf, size_t len,
		     const char *name)
{
	const uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = (fs != NULL && fs->write != NULL) ? fs->write(fs->ctx, fd, p, len)
							      : write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(errno, name, "cannot write");
		if (n == 0)
			return fail(ENOSPC, name, "cannot write");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fws_io_fsync(const struct fws_fs_ops *fs, int fd, const char *name)
{
	int r = (fs != NULL && fs->fsync != NULL) ? fs->fsync(fs->ctx, fd) : fsync(fd);
	return r == 0 ? 0 : fail(errno, name, "cannot sync to storage");
}

int fws_io_ftruncate(const struct fws_fs_ops *fs, int fd, off_t len, const char *name)
{
	int r = (fs != NULL && fs->ftruncate != NULL) ? fs->ftruncate(fs->ctx, fd, len)
						      : ftruncate(fd, len);
	return r == 0 ? 0 : fail(errno, name, "cannot truncate");
}

int fws_io_renameat(const struct fws_fs_ops *fs, int from_dir, const char *from, int to_dir,
		    const char *to)
{
	int r = (fs != NULL && fs->renameat != NULL)
		    ? fs->renameat(fs->ctx, from_dir, from, to_dir, to, 0)
		    : renameat(from_dir, from, to_dir, to);
	return r == 0 ? 0 : fail(errno, to, "cannot rename into place");
}

int fws_io_exchangeat(const struct fws_fs_ops *fs, int dirfd, const char *a, const char *b)
{
	_Static_assert(FWS_RENAME_EXCHANGE == RENAME_EXCHANGE, "renameat2 flag");
	int r = (fs != NULL && fs->renameat != NULL)
		    ? fs->renameat(fs->ctx, dirfd, a, dirfd, b, FWS_RENAME_EXCHANGE)
		    : renameat2(dirfd, a, dirfd, b, RENAME_EXCHANGE);
	if (r == 0)
		return 0;
	if (errno == EINVAL || errno == ENOSYS)
		return FWS_EUSAGE; /* not supported here: the caller falls back */
	return fail(errno, b, "cannot exchange into place");
}

int fws_io_linkat(const struct fws_fs_ops *fs, int from_dir, const char *from, int to_dir,
		  const char *to)
{
	int r = (fs != NULL && fs->linkat != NULL) ? fs->linkat(fs->ctx, from_dir, from, to_dir, to)
						   : linkat(from_dir, from, to_dir, to, 0);
	if (r == 0)
		return 0;
	if (errno == EEXIST)
		return fws_diag_set(FWS_EEXIST, 0, to, "already exists");
	return fail(errno, to, "cannot link into place");
}

int fws_io_unlinkat(const struct fws_fs_ops *fs, int dirfd, const char *name, int flags)
{
	int r = (fs != NULL && fs->unlinkat != NULL) ? fs->unlinkat(fs->ctx, dirfd, name, flags)
						     : unlinkat(dirfd, name, flags);
	if (r == 0 || errno == ENOENT)
		return 0;
	return fail(errno, name, "cannot remove");
}

int fws_io_mkdirat(const struct fws_fs_ops *fs, int dirfd, const char *name, unsigned mode)
{
	int r = (fs != NULL && fs->mkdirat != NULL) ? fs->mkdirat(fs->ctx, dirfd, name, mode)
						    : mkdirat(dirfd, name, (mode_t)mode);
	if (r == 0)
		return 0;
	if (errno == EEXIST)
		return fws_diag_set(FWS_EEXIST, 0, name, "already exists");
	return fail(errno, name, "cannot create directory");
}

int fws_io_fsync_dir(const struct fws_fs_ops *fs, int dirfd, const char *name)
{
	int r = (fs != NULL && fs->fsync != NULL) ? fs->fsync(fs->ctx, dirfd) : fsync(dirfd);
	if (r == 0 || errno == EINVAL)
		return 0;
	return fail(errno, name, "cannot sync directory to storage");
}
