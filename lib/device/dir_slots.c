/* SPDX-License-Identifier: Apache-2.0 */
/* The directory backend's slot writer. An install stages into a new
 * directory DIR/.<set>.<random>.new (created by us, exclusive, so nothing
 * can be planted in it), and commit exchanges it with DIR/<set> in one
 * atomic rename: the set holds exactly the new payloads, and whatever was
 * in the old set directory (stale files, planted links or directories)
 * leaves with it and is removed without following anything. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device/dir_internal.h"
#include "fwseal/error.h"
#include "io/io.h"

static int slot_prepare(void *ctx, char set, const struct fws_manifest *m)
{
	struct fws_dir_backend *b = ctx;
	int fd;
	(void)m;
	if (b->stage_fd >= 0)
		return FWS_EINTERNAL;
	/* Refuse before the state changes: a set directory that is a link or
	 * someone else's is not ours to replace. */
	int rc = fws_io_open_dir(b->dirfd, fws_dir_set_name(set), b->owner, &fd);
	if (rc == 0)
		close(fd);
	else if (rc != FWS_ENOENT)
		return rc;
	rc = fws_io_mkdir_temp(&b->fs, b->dirfd, fws_dir_set_name(set), DIR_STAGE_SUFFIX, 0755,
			       b->stage_name);
	if (rc == 0)
		rc = fws_io_open_dir(b->dirfd, b->stage_name, b->owner, &b->stage_fd);
	if (rc != 0) {
		if (b->stage_name[0] != '\0')
			(void)fws_io_remove_tree(&b->fs, b->dirfd, b->stage_name);
		b->stage_name[0] = '\0';
		return rc;
	}
	b->stage_set = set;
	return 0;
}

static int slot_open(void *ctx, char set, const struct fws_payload *p)
{
	struct fws_dir_backend *b = ctx;
	if (b->stage_fd < 0 || b->part_fd >= 0 || set != b->stage_set)
		return FWS_EINTERNAL;
	/* O_EXCL in a directory only we can write: two payloads with one
	 * target cannot overwrite each other either. */
	int rc = fws_io_openat(&b->fs, b->stage_fd, p->target, O_WRONLY | O_CREAT | O_EXCL, 0644,
			       &b->part_fd);
	if (rc != 0)
		fws_diag_prefix('/', "%s", fws_dir_set_name(set));
	return rc;
}

static int slot_write(void *ctx, const uint8_t *data, size_t len)
{
	struct fws_dir_backend *b = ctx;
	return fws_io_write_all(&b->fs, b->part_fd, data, len, "staged payload");
}

static int slot_close(void *ctx)
{
	struct fws_dir_backend *b = ctx;
	int rc = fws_io_fsync(&b->fs, b->part_fd, "staged payload");
	if (close(b->part_fd) != 0 && rc == 0)
		rc = fws_diag_set(fws_errno_code(errno), errno, "staged payload", "cannot write");
	b->part_fd = -1;
	return rc;
}

static int slot_read_back(void *ctx, char set, const struct fws_payload *p, uint64_t offset,
			  uint8_t *buf, size_t len)
{
	struct fws_dir_backend *b = ctx;
	int fd;
	if (b->stage_fd < 0 || set != b->stage_set)
		return FWS_EINTERNAL;
	int rc = fws_io_openat(NULL, b->stage_fd, p->target, O_RDONLY, 0, &fd);
	size_t done = 0;
	while (rc == 0 && done < len) {
		ssize_t n = pread(fd, buf + done, len - done, (off_t)(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = fws_diag_set(FWS_EIO, n < 0 ? errno : 0, p->target, "cannot read back");
		else
			done += (size_t)n;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The committed DIR/<set>/<target>, as it is: read through no link, from
 * a set directory that is ours, and only if it is a regular file. */
static long long slot_read_current(void *ctx, char set, const char *target, uint64_t offset,
				   uint8_t *buf, size_t len)
{
	struct fws_dir_backend *b = ctx;
	struct stat st;
	int dfd, fd;
	size_t got = 0;
	int rc = fws_io_open_dir(b->dirfd, fws_dir_set_name(set), b->owner, &dfd);
	if (rc != 0)
		return rc;
	rc = fws_io_openat(NULL, dfd, target, O_RDONLY | O_NONBLOCK, 0, &fd);
	close(dfd);
	if (rc != 0)
		return rc;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		rc = fws_diag_set(FWS_EUNSAFE, 0, target, "not a regular file");
	else if (offset < (uint64_t)st.st_size && lseek(fd, (off_t)offset, SEEK_SET) < 0)
		rc = fws_diag_set(FWS_EIO, errno, target, "cannot read");
	else if (offset < (uint64_t)st.st_size)
		rc = fws_io_read_full(fd, buf, len, &got);
	close(fd);
	return rc != 0 ? rc : (long long)got;
}

static int slot_commit(void *ctx, char set)
{
	struct fws_dir_backend *b = ctx;
	const char *name = fws_dir_set_name(set);
	if (b->stage_fd < 0 || b->part_fd >= 0 || set != b->stage_set)
		return FWS_EINTERNAL;
	int rc = fws_io_fsync_dir(&b->fs, b->stage_fd, name);
	if (rc != 0)
		return rc;
	/* One atomic step: DIR/<set> is the old directory or the new one,
	 * never missing or mixed. The old one ends up under the staging name. */
	rc = fws_io_exchangeat(&b->fs, b->dirfd, b->stage_name, name);
	if (rc == FWS_ENOENT || (rc == FWS_EIO && fws_diag_last()->os_errno == ENOENT)) {
		rc = fws_io_renameat(&b->fs, b->dirfd, b->stage_name, b->dirfd, name);
		if (rc == 0)
			b->stage_name[0] = '\0';
	} else if (rc == FWS_EUSAGE) {
		/* No atomic exchange on this file system: the set is marked
		 * empty in the state, so two renames are safe too. */
		char old[FWS_IO_NAME_MAX];
		rc = fws_io_temp_name(name, "old", old);
		if (rc == 0)
			rc = fws_io_renameat(&b->fs, b->dirfd, name, b->dirfd, old);
		if (rc == 0 || fws_diag_last()->os_errno == ENOENT)
			rc = fws_io_renameat(&b->fs, b->dirfd, b->stage_name, b->dirfd, name);
		if (rc == 0)
			memcpy(b->stage_name, old, sizeof(old));
	}
	if (rc == 0)
		rc = fws_io_fsync_dir(&b->fs, b->dirfd, name);
	if (rc != 0)
		return rc;
	close(b->stage_fd);
	b->stage_fd = -1;
	/* The old contents: best effort now, else the next operation's
	 * clean-up; they are not part of any set. */
	if (b->stage_name[0] != '\0')
		(void)fws_io_remove_tree(&b->fs, b->dirfd, b->stage_name);
	b->stage_name[0] = '\0';
	return 0;
}

static void slot_discard(void *ctx, char set)
{
	struct fws_dir_backend *b = ctx;
	struct fws_diag saved = *fws_diag_last();
	(void)set;
	if (b->part_fd >= 0)
		close(b->part_fd);
	b->part_fd = -1;
	if (b->stage_fd >= 0)
		close(b->stage_fd);
	b->stage_fd = -1;
	if (b->stage_name[0] != '\0')
		(void)fws_io_remove_tree(&b->fs, b->dirfd, b->stage_name);
	b->stage_name[0] = '\0';
	fws_diag_restore(&saved); /* the refusal, not the clean-up, is the news */
}

/* Staging directories of interrupted installs (they can hold hundreds of
 * MiB) and temporary files of interrupted replaces. Runs under the lock,
 * so none of them belongs to an operation still running. */
static int slot_cleanup(void *ctx)
{
	return fws_dir_cleanup(ctx);
}

int fws_dir_cleanup(struct fws_dir_backend *b)
{
	struct fws_diag saved = *fws_diag_last();
	/* A descriptor of its own: a dup() would share (and move) dirfd's offset. */
	int fd = openat(b->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		if (fws_io_is_temp_name(e->d_name, DIR_STAGE_SUFFIX) ||
		    fws_io_is_temp_name(e->d_name, "old"))
			(void)fws_io_remove_tree(&b->fs, b->dirfd, e->d_name);
		else if (fws_io_is_temp_name(e->d_name, "tmp"))
			(void)fws_io_unlinkat(&b->fs, b->dirfd, e->d_name, 0);
	}
	closedir(d);
	fws_diag_restore(&saved);
	return 0;
}

void fws_dir_slots_init(struct fws_slot_writer *w, struct fws_dir_backend *b)
{
	*w = (struct fws_slot_writer){b,	     0,		   slot_prepare,  slot_open,
				      slot_write,    slot_close,   slot_read_back, slot_commit,
				      slot_discard,  slot_cleanup, slot_read_current};
}
