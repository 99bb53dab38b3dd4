/* SPDX-License-Identifier: Apache-2.0 */
/* Embedding libfwseal with your own backends.
 *
 * A device rarely has a file system for its update state. This example
 * keeps the state in a simulated EEPROM with two copies (A/B records, each
 * with a generation counter and its own checksum inside the state text), and
 * writes payloads to a simulated raw partition (one image file per slot,
 * written at increasing offsets like a block device), keeps the audit log in
 * a RAM buffer standing in for a flash log partition (and verifies its hash
 * chain at the end), and boots through a bootloader whose variables live in
 * memory. Build and run:
 *
 *   make build/examples/custom_backends
 *   build/examples/custom_backends keys-example/root.json pump-rev-c B.fwb
 *
 * What to copy: the shape of each callback and the rules in its comment.
 * What to replace: the file I/O standing in for flash/EEPROM/eMMC access. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwseal/fwseal.h"

/* ---- state store: two EEPROM records, the newer valid one wins ---- */

#define RECORD_SIZE 4096 /* one EEPROM page per copy */

struct eeprom {
	uint8_t record[2][RECORD_SIZE]; /* stands in for two flash pages */
	size_t len[2];
	uint8_t root[FWS_ENVELOPE_MAX]; /* the trusted root has its own page range */
	size_t root_len;
};

/* Picks the copy that decodes and has the higher generation: a write torn by
 * power loss damages at most the copy being written, never both. */
static int eeprom_load_state(void *ctx, uint8_t *buf, size_t cap, size_t *len)
{
	struct eeprom *e = ctx;
	struct fws_device_state st;
	int best = -1;
	uint64_t best_gen = 0;
	for (int i = 0; i < 2; i++) {
		if (e->len[i] == 0 || fws_state_decode(e->record[i], e->len[i], &st) != 0)
			continue;
		if (best < 0 || st.generation > best_gen) {
			best = i;
			best_gen = st.generation;
		}
	}
	if (best < 0)
		return (e->len[0] == 0 && e->len[1] == 0) ? FWS_ENOENT : FWS_ESTATE;
	if (e->len[best] > cap)
		return FWS_ELIMIT;
	memcpy(buf, e->record[best], e->len[best]);
	*len = e->len[best];
	return 0;
}

/* Overwrites the OLDER copy, so the newest valid state survives any crash
 * during this write. */
static int eeprom_save_state(void *ctx, const uint8_t *buf, size_t len)
{
	struct eeprom *e = ctx;
	struct fws_device_state st;
	int victim = 0;
	uint64_t gen[2] = {0, 0};
	int valid[2];
	if (len > RECORD_SIZE)
		return FWS_ELIMIT;
	for (int i = 0; i < 2; i++) {
		valid[i] = e->len[i] != 0 && fws_state_decode(e->record[i], e->len[i], &st) == 0;
		gen[i] = valid[i] ? st.generation : 0;
	}
	if (!valid[0])
		victim = 0;
	else if (!valid[1])
		victim = 1;
	else
		victim = gen[0] <= gen[1] ? 0 : 1;
	memcpy(e->record[victim], buf, len);
	e->len[victim] = len;
	return 0;
}

static int eeprom_load_root(void *ctx, uint8_t *buf, size_t cap, size_t *len)
{
	struct eeprom *e = ctx;
	if (e->root_len == 0)
		return FWS_ENOENT;
	if (e->root_len > cap)
		return FWS_ELIMIT;
	memcpy(buf, e->root, e->root_len);
	*len = e->root_len;
	return 0;
}

static int eeprom_save_root(void *ctx, const uint8_t *buf, size_t len)
{
	struct eeprom *e = ctx;
	if (len > sizeof(e->root))
		return FWS_ELIMIT;
	memcpy(e->root, buf, len);
	e->root_len = len;
	return 0;
}

/* ---- slot writer: a raw partition per slot ---- */

struct partitions {
	char path[2][64]; /* stands in for /dev/mmcblk0p2 and /dev/mmcblk0p3 */
	int fd;
	uint64_t offset; /* next write position in the partition */
};

/* Payloads are laid out one after the other in the slot's partition. Only
 * chunks whose digest already matched are ever passed to write(). */
static int part_open(void *ctx, char slot, const struct fws_payload *p)
{
	struct partitions *pt = ctx;
	(void)p;
	if (pt->fd < 0) {
		/* No O_TRUNC: open() must not change the slot (fwseal/slot.h);
		 * the device marks it empty just before the first write. */
		pt->fd = open(pt->path[slot == 'b'], O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		pt->offset = 0;
	}
	return pt->fd < 0 ? FWS_EIO : 0;
}

static int part_write(void *ctx, const uint8_t *data, size_t len)
{
	struct partitions *pt = ctx;
	ssize_t n = pwrite(pt->fd, data, len, (off_t)pt->offset);
	if (n < 0 || (size_t)n != len)
		return FWS_EIO;
	pt->offset += len;
	return 0;
}

static int part_close(void *ctx)
{
	struct partitions *pt = ctx;
	return fsync(pt->fd) == 0 ? 0 : FWS_EIO;
}

/* A raw partition needs no rename: the state (pending slot) is the switch.
 * in_place = 1 below tells the device to mark the slot empty before the
 * first write, since this writer overwrites the old image directly. The
 * file standing in for the partition is cut to what was written only now,
 * after the whole bundle verified. */
static int part_commit(void *ctx, char slot)
{
	struct partitions *pt = ctx;
	(void)slot;
	int rc = pt->fd >= 0 && ftruncate(pt->fd, (off_t)pt->offset) != 0 ? FWS_EIO : 0;
	if (pt->fd >= 0 && close(pt->fd) != 0)
		rc = FWS_EIO;
	pt->fd = -1;
	return rc;
}

static void part_discard(void *ctx, char slot)
{
	struct partitions *pt = ctx;
	(void)slot;
	if (pt->fd >= 0)
		close(pt->fd);
	pt->fd = -1; /* the state never called this slot valid: nothing to undo */
}

/* ---- audit log storage: a flash log partition, here a RAM buffer ----
 * libfwseal formats and chains the lines; the storage only keeps bytes: one
 * segment appended to, one older segment after a rotation (none here), and
 * a small head record written atomically. */

struct flash_log {
	uint8_t seg[64 * 1024];
	size_t len;
	uint8_t head[256];
	size_t head_len;
};

static int log_head_read(void *ctx, uint8_t *buf, size_t cap, size_t *len)
{
	struct flash_log *f = ctx;
	if (f->head_len == 0)
		return FWS_ENOENT;
	if (f->head_len > cap)
		return FWS_ELIMIT;
	memcpy(buf, f->head, f->head_len);
	*len = f->head_len;
	return 0;
}

static int log_head_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct flash_log *f = ctx;
	if (len > sizeof(f->head))
		return FWS_ELIMIT;
	memcpy(f->head, buf, len); /* real flash: two copies, as for the state */
	f->head_len = len;
	return 0;
}

static int log_size(void *ctx, int segment, uint64_t *size)
{
	struct flash_log *f = ctx;
	if (segment != 0)
		return FWS_ENOENT;
	*size = f->len;
	return 0;
}

static int log_read(void *ctx, int segment, uint64_t offset, uint8_t *buf, size_t len,
		    size_t *got)
{
	struct flash_log *f = ctx;
	if (segment != 0)
		return FWS_ENOENT;
	*got = offset >= f->len ? 0 : (f->len - offset < len ? f->len - offset : len);
	memcpy(buf, f->seg + offset, *got);
	return 0;
}

static int log_append(void *ctx, const uint8_t *buf, size_t len)
{
	struct flash_log *f = ctx;
	if (len > sizeof(f->seg) - f->len)
		return FWS_ENOSPC;
	memcpy(f->seg + f->len, buf, len);
	f->len += len;
	return 0;
}

static int log_truncate(void *ctx, uint64_t size)
{
	struct flash_log *f = ctx;
	if (size > f->len)
		return FWS_EINTERNAL;
	f->len = (size_t)size;
	return 0;
}

static int log_rotate(void *ctx)
{
	(void)ctx;
	return FWS_ENOSPC; /* 64 KiB is plenty for this example */
}

/* ---- bootloader: its variables in memory; a real one keeps them in its
 * environment (U-Boot, GRUB) and counts the tries itself ---- */

static int boot_read(void *ctx, struct fws_boot_view *v)
{
	*v = *(const struct fws_boot_view *)ctx;
	return 0;
}

static int boot_write(void *ctx, const struct fws_boot_view *v)
{
	struct fws_boot_view *cur = ctx;
	char booted = cur->booted;
	*cur = *v;
	cur->booted = booted;
	return 0;
}

/* What the boot script does at reset: the first set in the order with tries
 * left boots and spends one. */
static int boot_boot(void *ctx, char *set)
{
	struct fws_boot_view *v = ctx;
	for (int i = 0; i < 2; i++) {
		char s = v->order[i];
		if (s != '-' && v->left[s == 'b'] > 0) {
			v->left[s == 'b']--;
			v->booted = *set = s;
			return 0;
		}
	}
	return FWS_ELIFECYCLE;
}

static int count_line(void *arg, const char *line, size_t len)
{
	(void)line;
	(void)len;
	(*(unsigned *)arg)++;
	return 0;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	uint8_t *buf = NULL;
	return fws_file_read_all(path, FWS_ENVELOPE_MAX, &buf, len) == 0 ? buf : NULL;
}

int main(int argc, char **argv)
{
	static struct eeprom eeprom;
	static struct flash_log flash;
	struct partitions parts = {{"slot-a.img", "slot-b.img"}, -1, 0};
	struct fws_boot_view bootvars = {'-', {'-', '-'}, {0, 0}};
	const struct fws_log_store log = {&flash,   log_head_read, log_head_write, log_size,
					  log_read, log_append,	   log_truncate,   log_rotate};
	unsigned log_count = 0;
	uint64_t entries, bad;
	struct fws_device dev;
	memset(&dev, 0, sizeof(dev));
	dev.store = (struct fws_state_store){&eeprom,	       eeprom_load_state, eeprom_save_state,
					     eeprom_load_root, eeprom_save_root,  NULL,
					     NULL};
	dev.slots = (struct fws_slot_writer){.ctx = &parts,
					     .in_place = 1,
					     .open = part_open,
					     .write = part_write,
					     .close = part_close,
					     .commit = part_commit,
					     .discard = part_discard};
	dev.boot = (struct fws_bootloader){&bootvars, boot_read, boot_write, boot_boot};
	dev.log = &log;
	dev.boot_attempts = 2;
	struct fws_verify_result *res = malloc(sizeof(*res));
	struct fws_device_status st;
	size_t root_len;
	char slot;
	int rc, fd;

	if (argc != 4) {
		fprintf(stderr, "usage: %s ROOT.json HARDWARE-ID BUNDLE.fwb\n", argv[0]);
		return 2;
	}
	if (fws_init() != 0 || res == NULL)
		return 1;
	uint8_t *root = read_file(argv[1], &root_len);
	if (root == NULL) {
		fprintf(stderr, "custom_backends: cannot read %s\n", argv[1]);
		return 1;
	}
	rc = fws_device_provision(&dev, root, root_len, argv[2], NULL, NULL);
	free(root);
	if (rc == 0) {
		fd = open(argv[3], O_RDONLY | O_CLOEXEC);
		rc = fd < 0 ? FWS_ENOENT : fws_device_install(&dev, fws_read_fd, &fd, NULL, res);
		if (fd >= 0)
			close(fd);
	}
	if (rc == 0)
		rc = fws_device_boot(&dev, &slot);
	if (rc == 0)
		rc = fws_device_mark_good(&dev, FWS_SET_BOOTED);
	if (rc == 0)
		rc = fws_device_status(&dev, &st);
	/* The log lives in flash of our own, and still verifies. */
	if (rc == 0)
		rc = fws_audit_log_verify(&log, &entries, &bad);
	if (rc == 0)
		rc = fws_audit_log_read(&log, count_line, &log_count);
	if (rc != 0) {
		fprintf(stderr, "custom_backends: %s\n", fws_strerror(rc));
		free(res);
		return 1;
	}
	printf("installed %s into raw partition %s; security_version %llu; %u log events, hash "
	       "chain verified\n",
	       res->manifest.version, parts.path[st.state.confirmed_slot == 'b'],
	       (unsigned long long)st.state.security_version, log_count);
	free(res);
	return 0;
}
