/* SPDX-License-Identifier: Apache-2.0 */
/* File-system operations behind one table, so that tests (and integrators
 * qualifying their storage) can inject a crash, a torn write, a lost fsync
 * or an I/O error at any single step of any writer: device state, trusted
 * root, audit log, slot files, key files and bundles all go through it.
 *
 * Every call is relative to a directory file descriptor: the device
 * directory and each slot directory are opened once (O_DIRECTORY |
 * O_NOFOLLOW) and every name is looked up below them, so a symbolic link
 * planted in a path component can never redirect a write. A NULL member
 * means the plain POSIX call. Each returns what the POSIX call returns
 * (-1 with errno set on failure). */
#ifndef FWSEAL_FSOPS_H
#define FWSEAL_FSOPS_H

#include <stddef.h>
#include <sys/types.h>

#define FWS_RENAME_EXCHANGE 2u /* Linux RENAME_EXCHANGE */

struct fws_fs_ops {
	void *ctx;
	int (*openat)(void *ctx, int dirfd, const char *name, int flags, unsigned mode);
	ssize_t (*write)(void *ctx, int fd, const void *buf, size_t len);
	int (*fsync)(void *ctx, int fd);
	int (*ftruncate)(void *ctx, int fd, off_t len);
	/* flags: 0, or FWS_RENAME_EXCHANGE to swap the two names atomically. */
	int (*renameat)(void *ctx, int from_dir, const char *from, int to_dir, const char *to,
			unsigned flags);
	int (*linkat)(void *ctx, int from_dir, const char *from, int to_dir, const char *to);
	int (*unlinkat)(void *ctx, int dirfd, const char *name, int flags);
	int (*mkdirat)(void *ctx, int dirfd, const char *name, unsigned mode);
};

#endif
