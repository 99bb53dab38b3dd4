/* SPDX-License-Identifier: Apache-2.0 */
/* A slot may not cover anything fwseal or the bootloader needs
 * (docs/decisions.md ADR-071). An install writes a slot from its first
 * byte to its last; a slot that also holds the U-Boot environment, the
 * grubenv block, system.conf, the trusted root, the state or the audit log
 * overwrites them, and the device then boots whatever the bytes say or
 * trusts whatever root they hold. So every slot is compared with every
 * such region, as the kernel sees them, not as the paths spell them:
 * - a slot that is a file: the same inode (any name, any hard link) as a
 *   protected file, with byte ranges where both have them (an environment
 *   copy at an offset of a disk image), or a file inside the state
 *   directory;
 * - a slot that is a block device: every block device, partition or file
 *   system is placed on its disk (sysfs: a partition's disk and first
 *   sector), so /dev/sda at an offset and /dev/sda1 meet; a slot covering
 *   an environment copy's bytes, or the partition that holds the state
 *   directory or grubenv, overlaps.
 * system.conf, the trusted root, fw_env.config and the programs usually
 * live on the running set's root file system, which is a slot of its own:
 * that slot is mounted, and open_slot (lib/device/slot/raw.c) refuses to
 * write it. They count as covered only when a slot reaches their
 * partition through another node (the whole disk at an offset), which
 * the mount check cannot see. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "device/boot/env.h"
#include "device/config/checks.h"
#include "device/dir_internal.h"
#include "fwseal/error.h"
#include "io/io.h"

#define REGIONS_MAX 40

/* Bytes of a file (dev, ino), or of a disk (dev = the disk's number). */
struct span {
	int is_file;
	dev_t dev;
	ino_t ino;
	uint64_t begin, end;
	dev_t part; /* block spans: the partition (or disk) it was found on */
};

struct region {
	char what[96];
	const char *path;
	struct span span;
	int fs_of_running_set; /* the file system exception above */
};

/* Where sysfs is: a unit test points it at a tree of its own, since a
 * partitioned loop device is not available everywhere. */
static char sysfs[PATH_MAX] = "/sys";

void fws__regions_sysfs(const char *root)
{
	snprintf(sysfs, sizeof(sysfs), "%s", root != NULL ? root : "/sys");
}

/* A small sysfs attribute into buf (NUL-terminated); -1 when unreadable. */
static int sys_read(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, cap - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int sys_number(dev_t d, const char *leaf, uint64_t *out)
{
	char path[PATH_MAX + 96], buf[64];
	snprintf(path, sizeof(path), "%s/dev/block/%u:%u/%s", sysfs, major(d), minor(d), leaf);
	if (sys_read(path, buf, sizeof(buf)) != 0)
		return -1;
	*out = strtoull(buf, NULL, 10);
	return 0;
}

/* A partition's disk: /sys/dev/block/M:m links to .../block/DISK/PART, and
 * /sys/class/block/DISK/dev holds the disk's number. */
static int disk_of(dev_t d, dev_t *disk)
{
	char path[2 * PATH_MAX + 32], link[PATH_MAX], buf[32];
	unsigned maj, min;
	snprintf(path, sizeof(path), "%s/dev/block/%u:%u", sysfs, major(d), minor(d));
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = '\0';
	char *part = strrchr(link, '/');
	if (part == NULL)
		return -1;
	*part = '\0';
	const char *name = strrchr(link, '/');
	name = name != NULL ? name + 1 : link;
	snprintf(path, sizeof(path), "%s/class/block/%s/dev", sysfs, name);
	if (sys_read(path, buf, sizeof(buf)) != 0 || sscanf(buf, "%u:%u", &maj, &min) != 2)
		return -1;
	*disk = makedev(maj, min);
	return 0;
}

/* A block device's place on its disk; 0 when sysfs does not know it. */
static int place_on_disk(dev_t d, struct span *s)
{
	char path[PATH_MAX + 96];
	uint64_t start = 0, sectors = 0, partition = 0;
	dev_t disk;
	snprintf(path, sizeof(path), "%s/dev/block/%u:%u", sysfs, major(d), minor(d));
	if (access(path, F_OK) != 0)
		return 0;
	s->is_file = 0;
	s->dev = d;
	s->part = d;
	s->begin = 0;
	s->end = sys_number(d, "size", &sectors) == 0 ? sectors * 512 : UINT64_MAX;
	if (sys_number(d, "partition", &partition) != 0 || partition == 0)
		return 1; /* a whole disk */
	if (disk_of(d, &disk) != 0 || sys_number(d, "start", &start) != 0)
		return 1; /* judged as a disk of its own */
	s->dev = disk;
	s->begin = start * 512;
	s->end = s->end == UINT64_MAX ? UINT64_MAX : s->begin + sectors * 512;
	return 1;
}

static void add(struct region *r, size_t *n, const char *what, const char *path,
		const struct span *s, int running_set)
{
	if (*n == REGIONS_MAX)
		return;
	snprintf(r[*n].what, sizeof(r[*n].what), "%s", what);
	r[*n].path = path;
	r[*n].span = *s;
	r[*n].fs_of_running_set = running_set;
	(*n)++;
}

/* A protected file, device or directory: its own bytes (offset, size; 0
 * for to its end) and, when it lives in a file system on a block device,
 * that file system's partition. */
static void protect(struct region *r, size_t *n, const char *what, const char *path,
		    uint64_t offset, uint64_t size, int running_set)
{
	struct stat st;
	struct span s;
	if (path[0] == '\0' || stat(path, &st) != 0)
		return; /* not there: nothing a slot could cover yet */
	uint64_t end = size != 0 ? offset + size : UINT64_MAX;
	if (S_ISBLK(st.st_mode)) {
		if (!place_on_disk(st.st_rdev, &s)) {
			s = (struct span){0, st.st_rdev, 0, 0, UINT64_MAX, st.st_rdev};
		}
		uint64_t base = s.begin;
		s.begin = base + offset;
		s.end = end == UINT64_MAX ? s.end : base + end;
		add(r, n, what, path, &s, 0);
		return;
	}
	s = (struct span){1, st.st_dev, st.st_ino, offset, end, 0};
	add(r, n, what, path, &s, 0);
	if (place_on_disk(st.st_dev, &s))
		add(r, n, what, path, &s, running_set);
}

static int ranges_meet(const struct span *a, const struct span *b)
{
	return a->begin < b->end && b->begin < a->end;
}

/* 1 when the file at path lies somewhere below the directory dir. */
static int inside(const char *path, const struct stat *dir)
{
	char real[PATH_MAX];
	struct stat st;
	if (realpath(path, real) == NULL)
		return 0;
	for (char *slash = strrchr(real, '/'); slash != NULL; slash = strrchr(real, '/')) {
		*(slash == real ? slash + 1 : slash) = '\0';
		if (stat(real, &st) == 0 && st.st_dev == dir->st_dev && st.st_ino == dir->st_ino)
			return 1;
		if (slash == real)
			break;
	}
	return 0;
}

/* A slot's bytes: in its file, or on its disk. 0 when it does not exist. */
static int slot_span(const struct fws_conf_slot *slot, struct stat *st, struct span *s)
{
	if (stat(slot->device, st) != 0)
		return 0; /* opening it names what is missing */
	uint64_t end = slot->size != 0 ? slot->offset + slot->size : UINT64_MAX;
	if (S_ISBLK(st->st_mode)) {
		if (!place_on_disk(st->st_rdev, s))
			*s = (struct span){0, st->st_rdev, 0, 0, UINT64_MAX, st->st_rdev};
		uint64_t base = s->begin;
		s->begin = base + slot->offset;
		s->end = end == UINT64_MAX ? s->end : base + end;
		s->part = st->st_rdev;
	} else {
		*s = (struct span){1, st->st_dev, st->st_ino, slot->offset, end, 0};
	}
	return 1;
}

static int check_slot(const struct fws_sysconf *c, const struct fws_conf_slot *slot,
		      const struct region *r, size_t n)
{
	struct stat st, state;
	struct span s;
	if (!slot_span(slot, &st, &s))
		return 0;
	/* Other slots through other nodes of the same disk (the parser
	 * compares slots on the same node). */
	for (const struct fws_conf_slot *o = c->slots; o < slot && !s.is_file; o++) {
		struct stat ost;
		struct span os;
		if (slot_span(o, &ost, &os) && !os.is_file && os.dev == s.dev &&
		    os.part != s.part && ranges_meet(&os, &s))
			return fws_diag_set(FWS_EOVERLAP, 0, slot->device,
					    "[slot.%s] covers [slot.%s] (%s: the same disk)",
					    slot->name, o->name, o->device);
	}
	if (s.is_file) {
		if (stat(c->state_dir, &state) == 0 && inside(slot->device, &state))
			return fws_diag_set(
			    FWS_EOVERLAP, 0, slot->device,
			    "[slot.%s] is inside the state directory %s (the state, "
			    "the audit log and the lock live there)",
			    slot->name, c->state_dir);
	}
	for (size_t i = 0; i < n; i++) {
		const struct span *p = &r[i].span;
		if (p->is_file != s.is_file || p->dev != s.dev || !ranges_meet(p, &s))
			continue;
		if (s.is_file && p->ino != s.ino)
			continue;
		/* The running set's own root file system: the mount check's. */
		if (!s.is_file && r[i].fs_of_running_set && p->part == s.part)
			continue;
		return fws_diag_set(FWS_EOVERLAP, 0, slot->device, "[slot.%s] covers %s (%s)",
				    slot->name, r[i].what, r[i].path);
	}
	return 0;
}

int fws_sysconf_check_regions(const struct fws_sysconf *c, const struct fws_fw_env *env)
{
	struct region r[REGIONS_MAX];
	size_t n = 0;
	for (size_t i = 0; env != NULL && i < env->n; i++) {
		char what[64];
		snprintf(what, sizeof(what), "U-Boot environment copy %zu", i + 1);
		protect(r, &n, what, env->area[i].device, env->area[i].offset, env->area[i].size,
			0);
	}
	if (c->bootloader == FWS_BOOT_GRUB)
		protect(r, &n, "the GRUB environment block", c->grubenv, 0, 0, 0);
	protect(r, &n, "the state directory", c->state_dir, 0, 0, 0);
	/* Its files by inode too: a hard link elsewhere is the same bytes. */
	static const char *const state_files[] = {DIR_STATE, DIR_LOG, DIR_LOG_OLD, DIR_LOG_HEAD,
						  DIR_LOCK};
	char names[5][FWS_CONF_PATH_MAX + 16];
	for (size_t i = 0; i < 5; i++) {
		snprintf(names[i], sizeof(names[i]), "%s/%s", c->state_dir, state_files[i]);
		protect(r, &n,
			i == 0	? "the device state"
			: i < 4 ? "the audit log"
				: "the device lock",
			names[i], 0, 0, 0);
	}
	protect(r, &n, "system.conf", c->path, 0, 0, 1);
	protect(r, &n, "the trusted root", c->trusted_root, 0, 0, 1);
	if (c->bootloader == FWS_BOOT_UBOOT)
		protect(r, &n, "fw_env.config", c->fw_env_config, 0, 0, 1);
	if (c->bootloader == FWS_BOOT_CUSTOM)
		protect(r, &n, "the bootloader program", c->program, 0, 0, 1);
	if (c->floor_program[0] != '\0')
		protect(r, &n, "the floor program", c->floor_program, 0, 0, 1);
	for (size_t i = 0; i < c->n_slots; i++) {
		int rc = check_slot(c, &c->slots[i], r, n);
		if (rc != 0)
			return rc;
	}
	return 0;
}
