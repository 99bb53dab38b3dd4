/* Embedding libfwseal with your own backends.
 *
 * A device rarely has a file system for its update state. This example
 * keeps the state in a simulated EEPROM with two copies (A/B records, each
 * with a generation counter and its own checksum inside the state text), and
 * writes payloads to a simulated raw partition (one image file per slot,
 * written at increasing offsets like a block device). Build and run:
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
		pt->fd = open(pt->path[slot == 'b'], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
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
 * first write, since this writer overwrites the old image directly. */
static int part_commit(void *ctx, char slot)
{
	struct partitions *pt = ctx;
	(void)slot;
	int rc = pt->fd >= 0 && close(pt->fd) != 0 ? FWS_EIO : 0;
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

/* ---- log sink: a real device would append to a flash ring buffer ---- */

static int log_append(void *ctx, const struct fws_event *ev, int64_t time)
{
	unsigned *count = ctx;
	(*count)++;
	printf("log: %lld %s %s%s%s\n", (long long)time, ev->action,
	       ev->result == 0 ? "ok" : fws_errname(ev->result), ev->version ? " " : "",
	       ev->version ? ev->version : "");
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
	struct partitions parts = {{"slot-a.img", "slot-b.img"}, -1, 0};
	unsigned log_count = 0;
	struct fws_device dev = {
		{&eeprom, eeprom_load_state, eeprom_save_state, eeprom_load_root, eeprom_save_root,
		 NULL, NULL},
		{&parts, 1, part_open, part_write, part_close, part_commit, part_discard},
		{NULL, NULL},
		{&log_count, log_append, NULL},
		2,
	};
	struct fws_verify_result *res = malloc(sizeof(*res));
	struct fws_device_state st;
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
	rc = fws_device_provision(&dev, root, root_len, argv[2], NULL);
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
		rc = fws_device_mark_good(&dev);
	if (rc == 0)
		rc = fws_device_state_get(&dev, &st);
	if (rc != 0) {
		fprintf(stderr, "custom_backends: %s\n", fws_strerror(rc));
		free(res);
		return 1;
	}
	printf("installed %s into raw partition %s; security_version %llu; %u log events\n",
	       res->manifest.version, parts.path[st.confirmed_slot == 'b'],
	       (unsigned long long)st.security_version, log_count);
	free(res);
	return 0;
}
