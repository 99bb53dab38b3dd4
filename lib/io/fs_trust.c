/* SPDX-License-Identifier: Apache-2.0 */
/* The one rule for every file that decides where fwseal writes or what it
 * runs (docs/decisions.md ADR-070): system.conf, fw_env.config and the
 * environment copies it names, grubenv, the slots, the trusted root, the
 * state directory, the bootloader and floor programs. Whoever may change
 * such a file - or any directory on the way to it, where a link can be
 * planted or the file swapped - decides what root's next install
 * overwrites. So each is trusted only as far as system.conf is:
 * - owned by root or by the user fwseal runs as;
 * - not writable by group or others (a block device may be writable by its
 *   group: the disk group owns every disk anyway, and a device node's
 *   content cannot redirect a write);
 * - every directory on the way likewise; a root-owned sticky directory
 *   such as /tmp is allowed, since nobody else can rename or remove what
 *   is in it;
 * - a symbolic link on the way is followed only from a directory that
 *   passed, and its target's directories must pass too; where fwseal
 *   replaces the file by a rename (grubenv, the trusted root), a link at
 *   the name itself is refused: the read would follow it and the write
 *   would replace it, so the bootloader would never see what was written;
 * - a FIFO, socket, character device or directory where a file or block
 *   device belongs is refused before anything opens it: opening a FIFO for
 *   writing waits for ever. A U-Boot environment copy may also be a
 *   character device: MTD flash (/dev/mtd2) and UBI volumes are. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/error.h"
#include "io/io.h"

#define LINK_DEPTH_MAX 8

static const char *kind(mode_t m)
{
	return S_ISFIFO(m)   ? "a FIFO"
	       : S_ISSOCK(m) ? "a socket"
	       : S_ISCHR(m)  ? "a character device"
	       : S_ISDIR(m)  ? "a directory"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISLNK(m)  ? "a symbolic link"
			     : "not a regular file";
}

static int owner_ok(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == geteuid();
}

static int dir_ok(const char *path, const char *what, const char *dir, const struct stat *st)
{
	if (!S_ISDIR(st->st_mode))
		return fws_diag_set(FWS_EFILETYPE, 0, path, "%s: %s on its way is not a directory",
				    what, dir);
	if (!owner_ok(st))
		return fws_diag_set(FWS_EUNSAFE, 0, path,
				    "%s: its directory %s is owned by uid %u, not by root or us",
				    what, dir, (unsigned)st->st_uid);
	int sticky_root = (st->st_mode & S_ISVTX) && st->st_uid == 0;
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !sticky_root)
		return fws_diag_set(
		    FWS_EUNSAFE, 0, path,
		    "%s: its directory %s is writable by group or others (mode %04o)", what, dir,
		    (unsigned)(st->st_mode & 07777));
	return 0;
}

static int final_ok(const char *path, const char *what, unsigned flags, const struct stat *st)
{
	if (flags & FWS_TRUST_DIR)
		return dir_ok(path, what, path, st);
	int device = ((flags & FWS_TRUST_DEVICE) && S_ISBLK(st->st_mode)) ||
		     ((flags & FWS_TRUST_CHARDEV) && S_ISCHR(st->st_mode));
	if (!S_ISREG(st->st_mode) && !device)
		return fws_diag_set(FWS_EFILETYPE, 0, path, "%s: %s, not a regular file%s", what,
				    kind(st->st_mode),
				    (flags & FWS_TRUST_CHARDEV)	 ? ", block or MTD/UBI device"
				    : (flags & FWS_TRUST_DEVICE) ? " or block device"
								 : "");
	if (!owner_ok(st))
		return fws_diag_set(FWS_EUNSAFE, 0, path, "%s: owned by uid %u, not by root or us",
				    what, (unsigned)st->st_uid);
	if (st->st_mode & (device ? S_IWOTH : (S_IWGRP | S_IWOTH)))
		return fws_diag_set(FWS_EUNSAFE, 0, path,
				    "%s: writable by group or others (mode %04o)", what,
				    (unsigned)(st->st_mode & 07777));
	return 0;
}

static int walk(const char *path, const char *shown, const char *what, unsigned flags, int depth)
{
	char prefix[PATH_MAX];
	struct stat st;
	size_t len = strlen(path);
	if (len == 0 || len >= sizeof(prefix) || path[0] != '/')
		return fws_diag_set(FWS_EUNSAFE, 0, shown, "%s: not an absolute path", what);
	if (depth > LINK_DEPTH_MAX)
		return fws_diag_set(FWS_EUNSAFE, 0, shown, "%s: too many symbolic links", what);
	if (lstat("/", &st) != 0)
		return fws_diag_set(FWS_EIO, errno, "/", "cannot examine");
	int rc = dir_ok(shown, what, "/", &st);
	for (size_t pos = 1; rc == 0 && pos <= len;) {
		size_t n = strcspn(path + pos, "/");
		if (n == 0) { /* "//" or a trailing "/" */
			pos++;
			continue;
		}
		memcpy(prefix, path, pos + n);
		prefix[pos + n] = '\0';
		int last = path[pos + n] == '\0' || strspn(path + pos + n, "/") == len - pos - n;
		pos += n;
		if (lstat(prefix, &st) != 0) {
			if (errno == ENOENT)
				return 0; /* nothing to redirect yet; whoever may create it
					   * was ruled out by the directory above */
			return fws_diag_set(errno == ENOTDIR ? FWS_EFILETYPE : FWS_EIO, errno,
					    shown, "%s: cannot examine %s", what, prefix);
		}
		if (S_ISLNK(st.st_mode)) {
			char real[PATH_MAX];
			if (last && (flags & FWS_TRUST_NOLINK))
				return fws_diag_set(
				    FWS_EUNSAFE, 0, shown,
				    "%s: a symbolic link (fwseal replaces this file: "
				    "the link would be read, then replaced)",
				    what);
			if (realpath(prefix, real) == NULL) {
				if (errno == ENOENT)
					return 0;
				return fws_diag_set(FWS_EUNSAFE, errno, shown,
						    "%s: the link %s cannot be resolved", what,
						    prefix);
			}
			/* The link's target and every directory on its way. */
			rc = walk(real, shown, what, last ? flags : FWS_TRUST_DIR, depth + 1);
			continue;
		}
		rc = last ? final_ok(shown, what, flags, &st) : dir_ok(shown, what, prefix, &st);
	}
	return rc;
}

int fws_io_check_path(const char *path, const char *what, unsigned flags)
{
	char abs[PATH_MAX];
	if (path[0] == '/')
		return walk(path, path, what, flags, 0);
	/* A relative name (--config FILE): the working directory's way counts. */
	if (getcwd(abs, sizeof(abs)) == NULL || strlen(abs) + 1 + strlen(path) >= sizeof(abs))
		return fws_diag_set(FWS_EIO, errno, path, "%s: cannot examine", what);
	strcat(abs, "/");
	strcat(abs, path);
	return walk(abs, path, what, flags, 0);
}
