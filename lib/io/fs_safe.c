/* SPDX-License-Identifier: Apache-2.0 */
/* Directories and in-place files that are safe to write into. A directory
 * someone else owns, or that group or others may write, lets them plant
 * links and files between our calls: refused, not worked around. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/error.h"
#include "io/io.h"

int fws_io_open_dir(int dirfd, const char *name, uid_t owner, int *fd)
{
	struct stat st;
	*fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0) {
		int err = errno;
		/* ENOTDIR also covers a symbolic link to a directory. */
		struct stat lst;
		if (fstatat(dirfd, name, &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode))
			return fws_diag_set(FWS_EUNSAFE, 0, name, "is a symbolic link");
		if (err == ENOTDIR)
			return fws_diag_set(FWS_EUNSAFE, 0, name, "is not a directory");
		return fws_diag_set(fws_errno_code(err), err, name, "cannot open");
	}
	int rc = 0;
	if (fstat(*fd, &st) != 0)
		rc = fws_diag_set(FWS_EIO, errno, name, "cannot open");
	else if (owner != (uid_t)-1 && st.st_uid != owner)
		rc = fws_diag_set(FWS_EUNSAFE, 0, name, "owned by uid %u, not by the device's owner %u",
				  (unsigned)st.st_uid, (unsigned)owner);
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		rc = fws_diag_set(FWS_EUNSAFE, 0, name, "writable by group or others (mode %04o)",
				  (unsigned)(st.st_mode & 07777));
	if (rc != 0) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

int fws_io_check_inplace(int fd, uid_t owner, const char *name)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return fws_diag_set(FWS_EIO, errno, name, "cannot open");
	if (!S_ISREG(st.st_mode))
		return fws_diag_set(FWS_EUNSAFE, 0, name, "not a regular file");
	/* A second link means the same bytes live under another name too,
	 * maybe outside the device: writing here would write there. */
	if (st.st_nlink != 1)
		return fws_diag_set(FWS_EUNSAFE, 0, name, "has %lu hard links",
				    (unsigned long)st.st_nlink);
	if (st.st_uid != owner)
		return fws_diag_set(FWS_EUNSAFE, 0, name, "owned by uid %u, not by the device's owner %u",
				    (unsigned)st.st_uid, (unsigned)owner);
	return 0;
}

int fws_io_check_trusted(const struct stat *st, const char *name, const char *what)
{
	if (!S_ISREG(st->st_mode))
		return fws_diag_set(FWS_EUNSAFE, 0, name, "%s: not a regular file", what);
	/* Whoever can change it decides what fwseal trusts or runs. */
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return fws_diag_set(FWS_EUNSAFE, 0, name, "%s: owned by uid %u, not by root or us",
				    what, (unsigned)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return fws_diag_set(FWS_EUNSAFE, 0, name, "%s: writable by group or others", what);
	return 0;
}

int fws_io_open_parent(const char *path, char *dir, size_t cap, const char **base)
{
	const char *slash = strrchr(path, '/');
	*base = path;
	dir[0] = '\0';
	if (slash == NULL) {
		errno = EINVAL; /* system.conf paths are absolute */
		return -1;
	}
	snprintf(dir, cap, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	*base = slash + 1;
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}
