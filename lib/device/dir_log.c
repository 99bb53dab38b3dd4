/* SPDX-License-Identifier: Apache-2.0 */
/* The directory backend's audit-log storage (struct fws_log_store):
 * segment 0 = DIR/log, segment 1 = DIR/log.1, head = DIR/log.head. The
 * log is the one file written in place (appended to): it must be a regular
 * file with one link, owned by the device's owner, so a hard link planted
 * at its name can never make an append land in a file outside the device. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device/dir_internal.h"
#include "fwseal/error.h"
#include "io/io.h"

static const char *seg_name(int segment)
{
	return segment == 0 ? DIR_LOG : DIR_LOG_OLD;
}

static int head_read(void *ctx, uint8_t *buf, size_t cap, size_t *len)
{
	struct fws_dir_backend *b = ctx;
	return fws_io_read_at(b->dirfd, DIR_LOG_HEAD, 1, buf, cap, len);
}

static int head_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct fws_dir_backend *b = ctx;
	return fws_io_replace_at(&b->fs, b->dirfd, DIR_LOG_HEAD, buf, len, 0644);
}

static int seg_size(void *ctx, int segment, uint64_t *size)
{
	struct fws_dir_backend *b = ctx;
	struct stat st;
	const char *name = seg_name(segment);
	if (fstatat(b->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return fws_diag_set(fws_errno_code(errno), errno, name, "cannot open");
	/* Checked here, where every operation first asks where the log ends,
	 * so a planted link is refused before anything changes. */
	if (!S_ISREG(st.st_mode))
		return fws_diag_set(FWS_EUNSAFE, 0, name, "not a regular file");
	if (st.st_nlink != 1)
		return fws_diag_set(FWS_EUNSAFE, 0, name, "has %lu hard links",
				    (unsigned long)st.st_nlink);
	if (st.st_uid != b->owner)
		return fws_diag_set(FWS_EUNSAFE, 0, name, "owned by uid %u, not by the device's owner %u",
				    (unsigned)st.st_uid, (unsigned)b->owner);
	*size = (uint64_t)st.st_size;
	return 0;
}

static int seg_read(void *ctx, int segment, uint64_t offset, uint8_t *buf, size_t len,
		    size_t *got)
{
	struct fws_dir_backend *b = ctx;
	struct stat st;
	const char *name = seg_name(segment);
	int fd;
	int rc = fws_io_openat(NULL, b->dirfd, name, O_RDONLY | O_NONBLOCK, 0, &fd);
	if (rc != 0)
		return rc;
	*got = 0;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		rc = fws_diag_set(FWS_EUNSAFE, 0, name, "not a regular file");
	while (rc == 0) {
		ssize_t n = pread(fd, buf, len, (off_t)offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = fws_diag_set(fws_errno_code(errno), errno, name, "cannot read");
		else
			*got = (size_t)n;
		break;
	}
	close(fd);
	return rc;
}

/* Opens DIR/log for writing in place, refusing anything but our own
 * single-link regular file. *created = 1 when the call made the file. */
static int open_log(struct fws_dir_backend *b, int flags, int *fd, int *created)
{
	struct stat st;
	*created = fstatat(b->dirfd, DIR_LOG, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT;
	int rc = fws_io_openat(&b->fs, b->dirfd, DIR_LOG, flags, 0644, fd);
	if (rc == 0 && (rc = fws_io_check_inplace(*fd, b->owner, DIR_LOG)) != 0) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

static int seg_append(void *ctx, const uint8_t *buf, size_t len)
{
	struct fws_dir_backend *b = ctx;
	int fd, created;
	int rc = open_log(b, O_WRONLY | O_APPEND | O_CREAT, &fd, &created);
	if (rc != 0)
		return rc;
	rc = fws_io_write_all(&b->fs, fd, buf, len, DIR_LOG);
	if (rc == 0)
		rc = fws_io_fsync(&b->fs, fd, DIR_LOG);
	if (close(fd) != 0 && rc == 0)
		rc = fws_diag_set(fws_errno_code(errno), errno, DIR_LOG, "cannot write");
	/* A new file's name is durable only once its directory is. */
	if (rc == 0 && created)
		rc = fws_io_fsync_dir(&b->fs, b->dirfd, DIR_LOG);
	return rc;
}

static int seg_truncate(void *ctx, uint64_t size)
{
	struct fws_dir_backend *b = ctx;
	int fd, created;
	int rc = open_log(b, O_WRONLY, &fd, &created);
	if (rc != 0)
		return rc;
	rc = fws_io_ftruncate(&b->fs, fd, (off_t)size, DIR_LOG);
	if (rc == 0)
		rc = fws_io_fsync(&b->fs, fd, DIR_LOG);
	close(fd);
	return rc;
}

static int seg_rotate(void *ctx)
{
	struct fws_dir_backend *b = ctx;
	int rc = fws_io_renameat(&b->fs, b->dirfd, DIR_LOG, b->dirfd, DIR_LOG_OLD);
	return rc == 0 ? fws_io_fsync_dir(&b->fs, b->dirfd, DIR_LOG_OLD) : rc;
}

void fws_dir_log_init(struct fws_log_store *s, struct fws_dir_backend *b)
{
	*s = (struct fws_log_store){b,	      head_read,  head_write, seg_size,
				    seg_read, seg_append, seg_truncate, seg_rotate};
}
