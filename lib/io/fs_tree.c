/* SPDX-License-Identifier: Apache-2.0 */
/* Removing a directory tree without ever following a link: whatever an
 * attacker planted inside (links to /etc, nested directories, FIFOs) is
 * removed by name, and nothing outside the tree is touched. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/error.h"
#include "io/io.h"

#define TREE_DEPTH_MAX 16

static int remove_below(const struct fws_fs_ops *fs, int parent, const char *name, int depth)
{
	struct stat st;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : fws_diag_set(FWS_EIO, errno, name, "cannot remove");
	if (!S_ISDIR(st.st_mode))
		return fws_io_unlinkat(fs, parent, name, 0);
	if (depth >= TREE_DEPTH_MAX)
		return fws_diag_set(FWS_ELIMIT, 0, name, "nested more than %d levels deep",
				    TREE_DEPTH_MAX);
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fws_diag_set(fws_errno_code(errno), errno, name, "cannot remove");
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return fws_diag_set(FWS_EIO, errno, name, "cannot remove");
	}
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		rc = remove_below(fs, dirfd(d), e->d_name, depth + 1);
		if (rc != 0)
			fws_diag_prefix('/', "%s", name);
	}
	closedir(d);
	if (rc == 0)
		rc = fws_io_unlinkat(fs, parent, name, AT_REMOVEDIR);
	return rc;
}

int fws_io_remove_tree(const struct fws_fs_ops *fs, int dirfd, const char *name)
{
	return remove_below(fs, dirfd, name, 0);
}
