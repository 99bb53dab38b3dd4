/* SPDX-License-Identifier: Apache-2.0 */
/* The directory backend's state store: DIR/state and DIR/root.json,
 * replaced atomically, and the operation lock DIR/lock. */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "device/dir_internal.h"
#include "fwseal/error.h"
#include "io/io.h"

#define LOCK_POLL_MS 20

static int load_state(void *ctx, uint8_t *buf, size_t cap, size_t *len)
{
	struct fws_dir_backend *b = ctx;
	return fws_io_read_at(b->dirfd, DIR_STATE, 1, buf, cap, len);
}

static int save_state(void *ctx, const uint8_t *buf, size_t len)
{
	struct fws_dir_backend *b = ctx;
	return fws_io_replace_at(&b->fs, b->dirfd, DIR_STATE, buf, len, 0600);
}

static int load_root(void *ctx, uint8_t *buf, size_t cap, size_t *len)
{
	struct fws_dir_backend *b = ctx;
	return fws_io_read_at(b->root_dirfd, b->root_name, 1, buf, cap, len);
}

static int save_root(void *ctx, const uint8_t *buf, size_t len)
{
	struct fws_dir_backend *b = ctx;
	return fws_io_replace_at(&b->fs, b->root_dirfd, b->root_name, buf, len, 0644);
}

/* Waits at most timeout_ms for the lock: a second operation queues briefly
 * behind the first rather than failing at once, and never forever. */
static int lock(void *ctx, uint32_t timeout_ms)
{
	struct fws_dir_backend *b = ctx;
	struct stat st;
	int rc = fws_io_openat(NULL, b->dirfd, DIR_LOCK, O_RDWR | O_CREAT | O_NONBLOCK, 0600,
			       &b->lock_fd);
	if (rc != 0)
		return rc;
	if (fstat(b->lock_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(b->lock_fd);
		b->lock_fd = -1;
		return fws_diag_set(FWS_EUNSAFE, 0, DIR_LOCK, "not a regular file");
	}
	for (uint32_t waited = 0;; waited += LOCK_POLL_MS) {
		if (flock(b->lock_fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK || waited >= timeout_ms)
			break;
		struct timespec ts = {0, LOCK_POLL_MS * 1000000L};
		nanosleep(&ts, NULL);
	}
	int err = errno;
	close(b->lock_fd);
	b->lock_fd = -1;
	if (err == EWOULDBLOCK)
		return fws_diag_set(FWS_EBUSY, 0, DIR_LOCK,
				    "another operation holds the device lock (waited %u ms)",
				    (unsigned)timeout_ms);
	return fws_diag_set(FWS_EIO, err, DIR_LOCK, "cannot lock");
}

static void unlock(void *ctx)
{
	struct fws_dir_backend *b = ctx;
	if (b->lock_fd >= 0)
		close(b->lock_fd);
	b->lock_fd = -1;
}

void fws_dir_store_init(struct fws_state_store *s, struct fws_dir_backend *b)
{
	*s = (struct fws_state_store){b, load_state, save_state, load_root, save_root, lock, unlock};
}
