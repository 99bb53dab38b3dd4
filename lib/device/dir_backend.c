/* The directory backends: a simulated device in one directory.
 *   DIR/state      checksummed state, replaced atomically
 *   DIR/root.json  trusted root, replaced atomically
 *   DIR/a, DIR/b   slots: a payload lands at DIR/<slot>/<target>
 *   DIR/log        hash-chained audit log (audit_log.c)
 *   DIR/lock       flock held for one operation */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device/audit_log.h"
#include "device/fs_ops.h"
#include "fwseal/error.h"

static int load_state(void *ctx, uint8_t *buf, size_t cap, size_t *len)
{
	struct fws_dir_backend *b = ctx;
	return fws_fs_read(b->dir, "state", buf, cap, len);
}

static int save_state(void *ctx, const uint8_t *buf, size_t len)
{
	struct fws_dir_backend *b = ctx;
	return fws_fs_replace(&b->fs, b->dir, "state", buf, len, 0600);
}

static int load_root(void *ctx, uint8_t *buf, size_t cap, size_t *len)
{
	struct fws_dir_backend *b = ctx;
	return fws_fs_read(b->dir, "root.json", buf, cap, len);
}

static int save_root(void *ctx, const uint8_t *buf, size_t len)
{
	struct fws_dir_backend *b = ctx;
	return fws_fs_replace(&b->fs, b->dir, "root.json", buf, len, 0644);
}

static int lock(void *ctx)
{
	struct fws_dir_backend *b = ctx;
	char path[PATH_MAX];
	int rc = fws_fs_path(path, b->dir, "lock");
	if (rc != 0)
		return rc;
	b->lock_fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (b->lock_fd < 0)
		return errno == ENOENT ? FWS_ESTATE : FWS_EIO;
	if (flock(b->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		int busy = errno == EWOULDBLOCK;
		close(b->lock_fd);
		b->lock_fd = -1;
		return busy ? FWS_EBUSY : FWS_EIO;
	}
	return 0;
}

static void unlock(void *ctx)
{
	struct fws_dir_backend *b = ctx;
	if (b->lock_fd >= 0)
		close(b->lock_fd);
	b->lock_fd = -1;
}

static int slot_file(char *out, const struct fws_dir_backend *b, char slot, const char *name,
		     int part)
{
	int n = part ? snprintf(out, PATH_MAX, "%s/%c/.%s.part", b->dir, slot, name)
		     : snprintf(out, PATH_MAX, "%s/%c/%s", b->dir, slot, name);
	return (n < 0 || n >= PATH_MAX) ? FWS_ELIMIT : 0;
}

static int slot_open(void *ctx, char slot, const struct fws_payload *p)
{
	struct fws_dir_backend *b = ctx;
	char path[PATH_MAX];
	if (b->n_parts == FWS_MAX_PAYLOADS || b->part_fd >= 0)
		return FWS_EINTERNAL;
	if (b->n_parts == 0)
		b->slot = slot;
	int rc = slot_file(path, b, slot, p->target, 1);
	if (rc != 0)
		return rc;
	strcpy(b->parts[b->n_parts++], p->target);
	/* O_NOFOLLOW: a planted symlink must not redirect the write. */
	b->part_fd = fws_fs_open(&b->fs, path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
				 0644);
	return b->part_fd < 0 ? FWS_EIO : 0;
}

static int slot_write(void *ctx, const uint8_t *data, size_t len)
{
	struct fws_dir_backend *b = ctx;
	return fws_fs_write_all(&b->fs, b->part_fd, data, len);
}

static int slot_close(void *ctx)
{
	struct fws_dir_backend *b = ctx;
	int rc = fws_fs_fsync(&b->fs, b->part_fd);
	if (close(b->part_fd) != 0 && rc == 0)
		rc = FWS_EIO;
	b->part_fd = -1;
	return rc;
}

static int is_part_of_install(const struct fws_dir_backend *b, const char *name)
{
	for (size_t i = 0; i < b->n_parts; i++)
		if (strcmp(b->parts[i], name) == 0)
			return 1;
	return 0;
}

/* Leaves the slot holding exactly this bundle's payloads: files of an older
 * image that this one does not replace would otherwise boot beside it. */
static int remove_stale(struct fws_dir_backend *b, const char *slot_dir)
{
	char path[PATH_MAX];
	DIR *d = opendir(slot_dir);
	struct dirent *e;
	int rc = 0;
	if (d == NULL)
		return FWS_EIO;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || is_part_of_install(b, e->d_name))
			continue;
		rc = fws_fs_path(path, slot_dir, e->d_name);
		if (rc == 0)
			rc = fws_fs_unlink(&b->fs, path);
	}
	closedir(d);
	return rc;
}

static int slot_commit(void *ctx, char slot)
{
	struct fws_dir_backend *b = ctx;
	char from[PATH_MAX], to[PATH_MAX], slot_dir[PATH_MAX];
	int rc = snprintf(slot_dir, sizeof(slot_dir), "%s/%c", b->dir, slot) < PATH_MAX
			 ? 0
			 : FWS_ELIMIT;
	if (rc == 0)
		rc = remove_stale(b, slot_dir);
	for (size_t i = 0; i < b->n_parts && rc == 0; i++) {
		rc = slot_file(from, b, slot, b->parts[i], 1);
		if (rc == 0)
			rc = slot_file(to, b, slot, b->parts[i], 0);
		if (rc == 0)
			rc = fws_fs_rename(&b->fs, from, to);
	}
	if (rc == 0)
		rc = fws_fs_fsync_dir(&b->fs, slot_dir);
	if (rc == 0)
		b->n_parts = 0;
	return rc;
}

static void slot_discard(void *ctx, char slot)
{
	struct fws_dir_backend *b = ctx;
	char path[PATH_MAX];
	if (b->part_fd >= 0)
		close(b->part_fd);
	b->part_fd = -1;
	for (size_t i = 0; i < b->n_parts; i++)
		if (slot_file(path, b, slot, b->parts[i], 1) == 0)
			(void)unlink(path); /* best effort: a leftover .part is never booted */
	b->n_parts = 0;
}

void fws_device_use_dir(struct fws_device *dev, struct fws_dir_backend *b, const char *dir,
			const struct fws_fs_ops *fs)
{
	memset(dev, 0, sizeof(*dev));
	memset(b, 0, sizeof(*b));
	snprintf(b->dir, sizeof(b->dir), "%s", dir);
	if (fs != NULL)
		b->fs = *fs;
	b->lock_fd = -1;
	b->part_fd = -1;
	dev->store = (struct fws_state_store){b, load_state, save_state, load_root, save_root,
					      lock, unlock};
	dev->slots = (struct fws_slot_writer){b, 0, slot_open, slot_write, slot_close, slot_commit,
					      slot_discard};
	dev->log = (struct fws_log_sink){b, fws_dir_log_append, fws_dir_log_ready};
}

int fws_device_dir_prepare(const char *dir)
{
	char path[PATH_MAX];
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return FWS_EIO;
	for (const char *s = "ab"; *s; s++) {
		int n = snprintf(path, sizeof(path), "%s/%c", dir, *s);
		if (n < 0 || n >= PATH_MAX)
			return FWS_ELIMIT;
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return FWS_EIO;
	}
	return 0;
}
