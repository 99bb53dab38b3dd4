/* SPDX-License-Identifier: Apache-2.0 */
/* The simulated device in a directory (fwseal/dirdevice.h): opening it
 * safely and wiring its backends. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device/dir_internal.h"
#include "fwseal/error.h"
#include "io/io.h"

const char *fws_dir_set_name(char set)
{
	return set == 'b' ? "b" : "a";
}

/* A set directory that exists must be a real directory of the device's
 * owner, not writable by others: a link there would redirect the slot. */
static int check_set_dir(struct fws_dir_backend *b, const char *name, int create)
{
	int fd;
	int rc = fws_io_open_dir(b->dirfd, name, b->owner, &fd);
	if (rc == FWS_ENOENT && create) {
		rc = fws_io_mkdirat(&b->fs, b->dirfd, name, 0755);
		if (rc == 0)
			rc = fws_io_open_dir(b->dirfd, name, b->owner, &fd);
	}
	if (rc == FWS_ENOENT)
		return 0; /* an install creates it */
	if (rc == 0)
		close(fd);
	return rc;
}

int fws_dir_device_open(struct fws_device *dev, struct fws_dir_backend *b, const char *dir,
			const struct fws_fs_ops *fs, int create)
{
	struct stat st;
	int rc;
	memset(dev, 0, sizeof(*dev));
	memset(b, 0, sizeof(*b));
	b->dirfd = b->lock_fd = b->stage_fd = b->part_fd = b->root_dirfd = b->sbom_fd = -1;
	strcpy(b->root_name, DIR_ROOT);
	if (fs != NULL)
		b->fs = *fs;
	if (dir == NULL || dir[0] == '\0')
		return FWS_EUSAGE;
	if (create && mkdir(dir, 0700) != 0 && errno != EEXIST)
		return fws_diag_set(fws_errno_code(errno), errno, "", "cannot create the device directory");
	/* The device directory itself is the operator's path (links followed);
	 * everything below it is resolved from this one descriptor. */
	b->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->dirfd < 0) {
		int err = errno;
		return fws_diag_set(err == ENOENT ? FWS_ESTATE : fws_errno_code(err), err, "",
				    err == ENOENT ? "no such device directory" : "cannot open");
	}
	rc = fstat(b->dirfd, &st) == 0 ? 0 : fws_diag_set(FWS_EIO, errno, "", "cannot open");
	if (rc == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)))
		rc = fws_diag_set(FWS_EUNSAFE, 0, "",
				  "device directory writable by group or others (mode %04o)",
				  (unsigned)(st.st_mode & 07777));
	b->owner = st.st_uid;
	b->root_dirfd = b->dirfd;
	if (rc == 0)
		rc = check_set_dir(b, "a", create);
	if (rc == 0)
		rc = check_set_dir(b, "b", create);
	if (rc != 0) {
		b->opened = 1;
		fws_dir_device_close(b);
		return rc;
	}
	b->opened = 1;
	fws_dir_store_init(&dev->store, b);
	fws_dir_slots_init(&dev->slots, b);
	fws_dir_boot_init(&dev->boot, b);
	fws_dir_log_init(&b->log, b);
	dev->log = &b->log;
	fws_dir_sbom_init(&b->sbom, b);
	dev->sbom = &b->sbom;
	return 0;
}

void fws_dir_device_close(struct fws_dir_backend *b)
{
	if (!b->opened)
		return;
	b->opened = 0;
	if (b->part_fd >= 0)
		close(b->part_fd);
	if (b->sbom_fd >= 0) {
		close(b->sbom_fd);
		(void)fws_io_unlinkat(&b->fs, b->dirfd, b->sbom_name, 0);
	}
	if (b->stage_fd >= 0)
		close(b->stage_fd);
	if (b->lock_fd >= 0)
		close(b->lock_fd);
	if (b->root_dirfd >= 0 && b->root_dirfd != b->dirfd)
		close(b->root_dirfd);
	if (b->dirfd >= 0)
		close(b->dirfd);
	b->dirfd = b->lock_fd = b->stage_fd = b->part_fd = b->root_dirfd = b->sbom_fd = -1;
}

/* 1 when fd's file is named in dirfd (one level). */
static int dir_has(int top, const char *sub, const struct stat *want)
{
	int fd = sub == NULL ? openat(top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
			     : openat(top, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return 0;
	}
	int found = 0;
	struct dirent *e;
	struct stat st;
	while (!found && (e = readdir(d)) != NULL)
		found = fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			S_ISREG(st.st_mode) && st.st_dev == want->st_dev && st.st_ino == want->st_ino;
	closedir(d);
	return found;
}

int fws_dir_device_holds(const struct fws_dir_backend *b, int fd)
{
	struct stat want;
	if (b->dirfd < 0 || fstat(fd, &want) != 0 || !S_ISREG(want.st_mode))
		return 0;
	return dir_has(b->dirfd, NULL, &want) || dir_has(b->dirfd, "a", &want) ||
	       dir_has(b->dirfd, "b", &want);
}
