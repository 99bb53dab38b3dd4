/* SPDX-License-Identifier: Apache-2.0 */
/* The slot writer of a configured device (fwseal/sysconf.h): a payload
 * goes straight into its slot, a block device, a partition, or a file at
 * an offset. In place, so the device marks the set unbootable before the
 * first byte (slots.in_place); only chunks whose digest matched are ever
 * written; a block device is opened exclusively and refused while mounted;
 * every slot is fsynced and then read back past the page cache and
 * re-hashed (lib/device/install.c on_check) before the set may boot. */
#define _GNU_SOURCE /* O_DIRECT is not used; posix_fadvise, pread */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "device/dir_internal.h"
#include "device/slot/raw.h"
#include "fwseal/error.h"
#include "io/io.h"

/* "major:minor" of a mounted file system, from /proc/self/mountinfo. */
static int mounted_at(dev_t rdev, char *where, size_t cap)
{
	char line[4096], mm[32];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int found = 0;
	if (f == NULL)
		return 0;
	snprintf(mm, sizeof(mm), "%u:%u", major(rdev), minor(rdev));
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char id[32], parent[32], devno[32], root[2048], point[2048];
		if (sscanf(line, "%31s %31s %31s %2047s %2047s", id, parent, devno, root, point) == 5 &&
		    strcmp(devno, mm) == 0) {
			snprintf(where, cap, "%s", point);
			found = 1;
		}
	}
	fclose(f);
	return found;
}

/* Bytes the slot can hold. */
static int capacity(const struct fws_conf_slot *s, int fd, uint64_t *cap)
{
	struct stat st;
	uint64_t total = 0;
	if (fstat(fd, &st) != 0)
		return fws_diag_set(FWS_EIO, errno, s->device, "cannot open");
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &total) != 0)
			return fws_diag_set(FWS_EIO, errno, s->device, "cannot read its size");
	} else if (S_ISREG(st.st_mode)) {
		total = (uint64_t)st.st_size;
	} else {
		return fws_diag_set(FWS_EFILETYPE, 0, s->device,
				    "[slot.%s]: not a regular file or block device", s->name);
	}
	if (s->offset > total || (s->size != 0 && s->size > total - s->offset))
		return fws_diag_set(FWS_ECONFIG, 0, s->device,
				    "[slot.%s] ends past the device (%llu bytes)", s->name,
				    (unsigned long long)total);
	*cap = s->size != 0 ? s->size : total - s->offset;
	return 0;
}

/* Opens the slot for writing: exclusively, and never while mounted. */
static int open_slot(struct fws_sys_backend *b, const struct fws_conf_slot *s, int *fd,
		     uint64_t *cap)
{
	struct stat st;
	char where[2048];
	const struct fws_fs_ops *fs = &b->dir.fs;
	if (stat(s->device, &st) != 0)
		return fws_diag_set(fws_errno_code(errno), errno, s->device, "cannot open");
	/* A FIFO opened for writing waits for a reader for ever; a character
	 * device or socket is no slot either: refused before the open, and
	 * O_NONBLOCK in case one was swapped in since (no effect on a file or
	 * a block device). */
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return fws_diag_set(FWS_EFILETYPE, 0, s->device,
				    "[slot.%s]: not a regular file or block device", s->name);
	int flags = O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (S_ISBLK(st.st_mode) ? O_EXCL : 0);
	/* The configured path is the integrator's (a by-partlabel link is
	 * fine): links are followed here, unlike below a device directory. */
	*fd = fs->openat != NULL ? fs->openat(fs->ctx, AT_FDCWD, s->device, flags, 0)
				 : open(s->device, flags);
	if (*fd < 0 && (errno == EROFS || errno == EPERM))
		return fws_diag_set(FWS_ESLOTRO, errno, s->device,
				    "[slot.%s]: read-only (%s)", s->name,
				    errno == EROFS ? "a read-only file system" : "immutable or sealed");
	if (*fd < 0)
		return fws_diag_set(errno == EBUSY ? FWS_EBUSY : fws_errno_code(errno), errno,
				    s->device, errno == EBUSY ? "in use (mounted or open elsewhere)"
							      : "cannot open for writing");
	int rc = fstat(*fd, &st) != 0 ? fws_diag_set(FWS_EIO, errno, s->device, "cannot open") : 0;
	/* A block device set read-only (eMMC write protection, BLKROSET, a
	 * read-only loop device) still opens for writing; only the first
	 * write would fail, after the set's old image was given up. */
	int ro = 0;
	if (rc == 0 && S_ISBLK(st.st_mode) && ioctl(*fd, BLKROGET, &ro) == 0 && ro != 0)
		rc = fws_diag_set(FWS_ESLOTRO, 0, s->device,
				  "[slot.%s]: the block device is read-only (blockdev --getro)", s->name);
	if (rc == 0 && S_ISBLK(st.st_mode) && mounted_at(st.st_rdev, where, sizeof(where)))
		rc = fws_diag_set(FWS_EBUSY, 0, s->device, "mounted at %s", where);
	if (rc == 0)
		rc = capacity(s, *fd, cap);
	if (rc != 0) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

static const struct fws_conf_slot *slot_for(struct fws_sys_backend *b, char set,
					    const struct fws_payload *p)
{
	const struct fws_conf_slot *s = fws_sysconf_slot(b->conf, set, p->target);
	if (s == NULL)
		(void)fws_diag_set(FWS_ETARGET, 0, p->target,
				   "payload %s targets \"%s\": this device has no slot of that class",
				   p->name, p->target);
	return s;
}

/* A set is installed whole (docs/decisions.md ADR-073): every class the
 * set holds gets its payload from this release. A release that leaves a
 * class out would boot with another release's image in that slot (3.0.0's
 * rootfs with 1.0.0's kernel), below the counter, never signed together. */
static int complete_set(struct fws_sys_backend *b, char set, const struct fws_manifest *m)
{
	for (size_t i = 0; i < b->conf->n_slots; i++) {
		const struct fws_conf_slot *s = &b->conf->slots[i];
		size_t j = 0;
		if (s->set != set)
			continue;
		while (j < m->n_payloads && strcmp(m->payloads[j].target, s->cls) != 0)
			j++;
		if (j == m->n_payloads) {
			int rc = fws_diag_set(FWS_EINCOMPLETE, 0, s->name,
					      "release %s has no payload for class \"%s\": [slot.%s] "
					      "would keep another release's image (a set installs "
					      "whole or not at all)",
					      m->version, s->cls, s->name);
			/* The release lacks the payload: the bundle is at fault. */
			fws_diag_input(rc, FWS_INPUT_BUNDLE);
			return rc;
		}
	}
	return 0;
}

/* Every payload has its slot, fits it, and the slot can be written; every
 * slot of the set gets a payload: all known before the set is marked
 * unbootable. */
static int raw_prepare(void *ctx, char set, const struct fws_manifest *m)
{
	struct fws_sys_backend *b = ctx;
	for (size_t i = 0; i < m->n_payloads; i++) {
		const struct fws_payload *p = &m->payloads[i];
		const struct fws_conf_slot *s = slot_for(b, set, p);
		uint64_t cap;
		int fd;
		if (s == NULL)
			return FWS_ETARGET;
		int rc = open_slot(b, s, &fd, &cap);
		if (rc != 0)
			return rc;
		close(fd);
		if (p->size > cap)
			return fws_diag_set(FWS_ETARGET, 0, s->device,
					    "payload %s (%llu bytes) does not fit [slot.%s] (%llu bytes)",
					    p->name, (unsigned long long)p->size, s->name,
					    (unsigned long long)cap);
	}
	return complete_set(b, set, m);
}

static int raw_open(void *ctx, char set, const struct fws_payload *p)
{
	struct fws_sys_backend *b = ctx;
	uint64_t cap;
	if (b->fd >= 0)
		return FWS_EINTERNAL;
	b->slot = slot_for(b, set, p);
	if (b->slot == NULL)
		return FWS_ETARGET;
	int rc = open_slot(b, b->slot, &b->fd, &cap);
	if (rc == 0 && p->size > cap)
		rc = fws_diag_set(FWS_ETARGET, 0, b->slot->device, "payload does not fit the slot");
	if (rc == 0 && lseek(b->fd, (off_t)b->slot->offset, SEEK_SET) != (off_t)b->slot->offset)
		rc = fws_diag_set(FWS_EIO, errno, b->slot->device, "cannot seek");
	b->written = 0;
	b->capacity = cap;
	return rc;
}

static int raw_write(void *ctx, const uint8_t *data, size_t len)
{
	struct fws_sys_backend *b = ctx;
	if (len > b->capacity - b->written)
		return FWS_EINTERNAL; /* checked against the signed size before */
	int rc = fws_io_write_all(&b->dir.fs, b->fd, data, len, b->slot->device);
	b->written += len;
	return rc;
}

static int raw_close(void *ctx)
{
	struct fws_sys_backend *b = ctx;
	int rc = fws_io_fsync(&b->dir.fs, b->fd, b->slot->device);
	/* Drop the written pages: the read-back must come from the medium. */
	if (rc == 0)
		(void)posix_fadvise(b->fd, (off_t)b->slot->offset, (off_t)b->written,
				    POSIX_FADV_DONTNEED);
	if (close(b->fd) != 0 && rc == 0)
		rc = fws_diag_set(FWS_EIO, errno, b->slot->device, "cannot write");
	b->fd = -1;
	return rc;
}

/* Reads from the slot's region at offset until len bytes or the end of
 * the device; *got says how many. */
static int read_region(int fd, const struct fws_conf_slot *s, uint64_t offset, uint8_t *buf,
		       size_t len, size_t *got, const char *what)
{
	*got = 0;
	while (*got < len) {
		ssize_t n = pread(fd, buf + *got, len - *got, (off_t)(s->offset + offset + *got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fws_diag_set(FWS_EIO, errno, s->device, "%s", what);
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	return 0;
}

static int raw_read_back(void *ctx, char set, const struct fws_payload *p, uint64_t offset,
			 uint8_t *buf, size_t len)
{
	struct fws_sys_backend *b = ctx;
	const struct fws_conf_slot *s = slot_for(b, set, p);
	size_t got;
	if (s == NULL)
		return FWS_ETARGET;
	int fd = open(s->device, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fws_diag_set(fws_errno_code(errno), errno, s->device, "cannot read back");
	if (offset == 0)
		(void)posix_fadvise(fd, (off_t)s->offset, (off_t)p->size, POSIX_FADV_DONTNEED);
	int rc = read_region(fd, s, offset, buf, len, &got, "cannot read back");
	if (rc == 0 && got != len) /* what was written must all be there */
		rc = fws_diag_set(FWS_EIO, 0, s->device, "cannot read back");
	close(fd);
	return rc;
}

/* What the slot holds now, up to its capacity (delta reuse). */
static long long raw_read_current(void *ctx, char set, const char *target, uint64_t offset,
				  uint8_t *buf, size_t len)
{
	struct fws_sys_backend *b = ctx;
	const struct fws_conf_slot *s = fws_sysconf_slot(b->conf, set, target);
	uint64_t cap = 0;
	size_t got = 0;
	if (s == NULL)
		return FWS_ENOENT;
	int fd = open(s->device, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fws_diag_set(fws_errno_code(errno), errno, s->device, "cannot read");
	int rc = capacity(s, fd, &cap);
	if (rc == 0 && offset < cap)
		rc = read_region(fd, s, offset, buf, len < cap - offset ? len : (size_t)(cap - offset),
				 &got, "cannot read");
	close(fd);
	return rc != 0 ? rc : (long long)got;
}

static int raw_commit(void *ctx, char set)
{
	/* In place: the bytes are there; the state and the bootloader are the
	 * switch (lib/device/install.c). */
	(void)ctx;
	(void)set;
	return 0;
}

static void raw_discard(void *ctx, char set)
{
	struct fws_sys_backend *b = ctx;
	(void)set;
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1; /* the set is marked empty: nothing to undo */
}

static int raw_cleanup(void *ctx)
{
	struct fws_sys_backend *b = ctx;
	return fws_dir_cleanup(&b->dir);
}

void fws_raw_slots_init(struct fws_slot_writer *w, struct fws_sys_backend *b)
{
	b->fd = -1;
	*w = (struct fws_slot_writer){b,	   1,	      raw_prepare,   raw_open,
				      raw_write,   raw_close, raw_read_back, raw_commit,
				      raw_discard, raw_cleanup, raw_read_current};
}
