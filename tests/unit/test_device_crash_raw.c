/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-LIFE-003, REQ-LIFE-010 */
/* Power-loss safety of the in-place slot writer of a configured device
 * (fwseal/sysconf.h, lib/device/slot/raw.c). Its slots are regions of one
 * disk image, written chunk by chunk where the image will run from, so
 * unlike the directory device there is no staging copy to fall back on:
 * what keeps a half-written set from booting is the order of the steps
 * (lib/device/install.c: the set is forgotten in the state and dropped from
 * the boot order before its first byte, re-read and re-hashed after its
 * last, and only then named and made bootable).
 *
 * The device: system.conf with `bootloader = dir` (the simulated
 * bootloader's variables in state-dir/bootenv) and four slots in one
 * 256 KiB image (rootfs and kernel of bootnames A and B, set a and set b),
 * everything else in the image a pattern that must never change. An
 * install of 2.0.0 into set b, from two starting points:
 *   - b empty (a factory image confirmed in a);
 *   - b holding 1.1.0, once confirmed and still the bootloader's fallback
 *     (1.2.0 confirmed in a): the set the install overwrites was bootable.
 * Every file-system operation of that install (struct fws_fs_ops, through
 * tests/unit/test_powercut.h, which tracks the image like any other file)
 * is the crash point N, in turn:
 *   - power cut: the crash, then a seeded outcome of what reached the disk
 *     (un-synced slot writes lost, kept, or kept up to a torn one; un-synced
 *     renames undone), several seeds per N;
 *   - torn write + power cut, at every N that is a write (elsewhere a
 *     torn step is the plain crash);
 *   - killed process (no power cut: every completed write stays), plain
 *     and torn;
 *   - a power cut, then a second one in the recovery boot that follows.
 * Right after the cut, before any fwseal operation (what the real
 * bootloader sees on the next power-up):
 *   - no byte of the image outside set b's payload ranges changed (set a's
 *     slots, the gaps, b's slots past the new payload's size), and each
 *     byte inside is its old value or the new payload's;
 *   - the confirmed set, its version, the security_version, the trusted
 *     root and set a's boot tries are as before;
 *   - what the state calls set b is exactly what its slots hold;
 *   - if the bootloader would try set b, b's slots hold one whole image,
 *     the one the state names (or, the state already forgot it, the old
 *     image not yet touched): never bootable with other bytes;
 *   - a success that was reported survives the cut whole;
 *   - the audit log verifies, fws_device_check passes.
 * Then a fresh open and a boot (which recovers: a lost audit line, a boot
 * order left behind by the state) must boot b with the new image (the
 * install completed) or a (b not bootable, the state says b holds
 * nothing — or the old image, only if not a byte of it was touched), a
 * state saved without its audit line gets its 'recover' line, and (when
 * the install had not completed) a clean retry must succeed.
 *
 * Besides the sweeps: a chunk that reaches the disk with a flipped bit, or
 * a write the medium acknowledges and drops, is refused by the read-back
 * re-hash (FWS_EDIGEST, naming the chunk); a slot write failing with
 * ENOSPC or EIO, or a failing fsync of the slot, is refused with that code
 * (FWS_ENOSPC, FWS_EIO) and changes nothing but set b (then empty) and one
 * audit line; a short write is continued; every payload byte reaches the
 * image through the fs table (else the model could not cut it).
 *
 * Runs are deterministic (fixed seeds, temporary names from a restarted
 * generator), so a failure's message is its reproduction. The sweeps named
 * ..._long run many more seeds and need FWSEAL_LONG=1 (make check-long). */
#define _GNU_SOURCE /* renameat2, for test_powercut.h */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/auditlog.h"
#include "fwseal/device.h"
#include "fwseal/diag.h"
#include "fwseal/error.h"
#include "fwseal/state.h"
#include "fwseal/sysconf.h"
#include "test_bundle_helpers.h"
#include "test_powercut.h"

#define KIB 1024u
#define DISK_BYTES (256 * KIB)
#define CHUNK 4096u
#define TRIES 3	      /* boot-attempts in system.conf */
#define SEEDS 2	      /* power-cut outcomes per crash point */
#define SEEDS_LONG 48 /* ... in the _long sweeps */

/* --- the device: one disk image, four slots --- */

enum cls { C_ROOTFS, C_KERNEL, N_CLS };
static const char *const cls_name[N_CLS] = {"rootfs", "kernel"};
/* Where each slot starts, [class][set a, set b], and how long it is. */
static const uint32_t slot_off[N_CLS][2] = {{32 * KIB, 96 * KIB}, {160 * KIB, 176 * KIB}};
static const uint32_t slot_len[N_CLS] = {64 * KIB, 16 * KIB};

/* The releases. 2.0.0 is the install under test: 6 rootfs chunks (the last
 * short) and 2 kernel chunks, shorter than what 1.1.0 left in set b. */
enum { R_FACTORY, R_OLD, R_MID, R_NEW, N_REL };
#define R_NONE (-1) /* no release: empty, or a mix */
#define R_BAD (-2)  /* a version the test never made */
static const char *const rel_version[N_REL] = {"1.0.0", "1.1.0", "1.2.0", "2.0.0"};
static const uint64_t rel_sv[N_REL] = {1, 1, 1, 2};
static const size_t rel_size[N_REL][N_CLS] = {
    {30000, 9000}, {26000, 7000}, {28000, 8000}, {5 * CHUNK + 754, 2 * CHUNK - 2192}};
#define NEW_WRITES 8 /* chunks of 2.0.0: one slot write each */

/* The two starting points. */
enum tmpl { T_EMPTY_B, T_OLDER_B };
static const char *const tmpl_name[] = {"install into empty set b", "install over 1.1.0 in set b"};

static struct {
	struct test_key root, release;
	char *root_json;
	uint8_t *data[N_REL][N_CLS];
	uint8_t *bundle[N_REL];
	size_t bundle_len[N_REL];
	char base[64], dev[96], tmpl[96], grave[96];
	char state_dir[128], etc_dir[128], root_path[160], disk[128];
	struct fws_sysconf conf;
	ino_t disk_ino; /* of the working copy's image */
} W;

/* What a device showed: state and bootloader as they are, the log's end,
 * the image and the trusted root's bytes. */
struct snap {
	struct fws_device_state st;
	struct fws_boot_view boot;
	uint64_t log_last;
	uint8_t *disk;
	size_t disk_len;
	uint8_t *root;
	size_t root_len;
};

/* The template the runs start from, and what its set b held. */
static struct snap PRE;
static int pre_b;

static struct pc_model M;


static void xorshift_fill(uint8_t *buf, size_t len, uint32_t x)
{
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)(x >> 7);
	}
}

static void make_conf(void)
{
	char text[4096];
	size_t n = (size_t)snprintf(text, sizeof(text),
				    "# raw crash tests\n[system]\nhardware-id = test-hw\n"
				    "trusted-root = %s\nstate-dir = %s\nbootloader = dir\n"
				    "boot-attempts = %u\n",
				    W.root_path, W.state_dir, TRIES);
	for (int c = 0; c < N_CLS; c++)
		for (int s = 0; s < 2; s++)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
					      "\n[slot.%s.%d]\nclass = %s\ndevice = %s\n"
					      "offset = %u\nsize = %u\nbootname = %c\n",
					      cls_name[c], s, cls_name[c], W.disk, slot_off[c][s],
					      slot_len[c], s ? 'B' : 'A');
	cr_assert_lt(n, sizeof(text));
	int rc = fws_sysconf_parse(text, n, "system.conf", &W.conf);
	cr_assert_eq(rc, 0, "system.conf: %s (%s: %s)", fws_errname(rc), fws_diag_last()->where,
		     fws_diag_last()->why);
	cr_assert_eq(W.conf.bootloader, FWS_BOOT_DIR);
	for (int c = 0; c < N_CLS; c++)
		for (int s = 0; s < 2; s++) {
			const struct fws_conf_slot *sl =
			    fws_sysconf_slot(&W.conf, "ab"[s], cls_name[c]);
			cr_assert_not_null(sl);
			cr_assert_eq(sl->offset, slot_off[c][s]);
		}
}

static void setup(void)
{
	cr_assert_eq(randombytes_set_implementation(&pc_rng_impl), 0);
	core_setup();
	test_key_make(&W.root, 41);
	test_key_make(&W.release, 42);
	static struct fws_root r;
	root_begin(&r, 1);
	root_add_key(&r, &W.root);
	root_add_key(&r, &W.release);
	role_add(&r, FWS_ROLE_ROOT, &W.root);
	role_add(&r, FWS_ROLE_RELEASE, &W.release);
	r.roles[0].threshold = r.roles[1].threshold = 1;
	const struct test_key *root_signers[] = {&W.root}, *rel_signers[] = {&W.release};
	size_t len;
	W.root_json = test_root_json(&r, root_signers, 1, &len);
	for (int k = 0; k < N_REL; k++) {
		for (int c = 0; c < N_CLS; c++) {
			W.data[k][c] = malloc(rel_size[k][c]);
			cr_assert_not_null(W.data[k][c]);
			xorshift_fill(W.data[k][c], rel_size[k][c],
				      0x9e3779b9u * (uint32_t)(2 * k + c + 1));
		}
		struct test_payload p[] = {
		    {"rootfs.img", "rootfs", W.data[k][C_ROOTFS], rel_size[k][C_ROOTFS], CHUNK},
		    {"kernel.img", "kernel", W.data[k][C_KERNEL], rel_size[k][C_KERNEL], CHUNK}};
		struct test_release tr = {.version = rel_version[k],
					  .security_version = rel_sv[k],
					  .hardware = "test-hw",
					  .created = 1767225600 + 3600 * (k + 1),
					  .payloads = p,
					  .n_payloads = 2,
					  .signers = rel_signers,
					  .n_signers = 1};
		W.bundle[k] = test_bundle_build(&tr, &W.bundle_len[k]);
	}
	pc_scratch_dir(W.base, sizeof(W.base), "fwseal-rawcrash");
	snprintf(W.dev, sizeof(W.dev), "%s/dev", W.base);
	snprintf(W.tmpl, sizeof(W.tmpl), "%s/template", W.base);
	snprintf(W.grave, sizeof(W.grave), "%s/graveyard", W.base);
	snprintf(W.state_dir, sizeof(W.state_dir), "%s/state", W.dev);
	snprintf(W.etc_dir, sizeof(W.etc_dir), "%s/etc", W.dev);
	snprintf(W.root_path, sizeof(W.root_path), "%s/root.json", W.etc_dir);
	snprintf(W.disk, sizeof(W.disk), "%s/disk.img", W.dev);
	cr_assert_eq(mkdir(W.grave, 0700), 0);
	make_conf();
}

static void snap_free(struct snap *s)
{
	free(s->disk);
	free(s->root);
	memset(s, 0, sizeof(*s));
}

/* Also called before a skip (Criterion runs no .fini after one). */
static void teardown(void)
{
	if (W.base[0] != '\0')
		(void)pc_rm_tree(AT_FDCWD, W.base);
	W.base[0] = '\0';
	free(W.root_json);
	W.root_json = NULL;
	for (int k = 0; k < N_REL; k++) {
		free(W.bundle[k]);
		W.bundle[k] = NULL;
		for (int c = 0; c < N_CLS; c++) {
			free(W.data[k][c]);
			W.data[k][c] = NULL;
		}
	}
	snap_free(&PRE);
}

TestSuite(raw_crash, .init = setup, .fini = teardown, .timeout = 300);

/* --- files --- */

static void file_read(const char *path, uint8_t **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	pc_read_fd(fd, buf, len);
	close(fd);
}


static void dir_replace_with_copy(const char *from, const char *to)
{
	(void)pc_rm_tree(AT_FDCWD, to);
	cr_assert_eq(mkdir(to, 0700), 0);
	int a = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int b = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert(a >= 0 && b >= 0);
	pc_copy_tree(a, b);
	close(a);
	close(b);
}

/* A fresh working device: a copy of the template. */
static void clone_template(void)
{
	struct stat st;
	dir_replace_with_copy(W.tmpl, W.dev);
	cr_assert_eq(stat(W.disk, &st), 0);
	W.disk_ino = st.st_ino;
	pc_rng_state = 1;
}

/* --- the image --- */

/* 1 when set's slots hold release r's payloads, byte for byte. */
static int holds(const uint8_t *disk, char set, int r)
{
	for (int c = 0; c < N_CLS; c++)
		if (memcmp(disk + slot_off[c][set == 'b'], W.data[r][c], rel_size[r][c]) != 0)
			return 0;
	return 1;
}

/* Which release set's slots hold whole, R_NONE if none. */
static int image_in(const uint8_t *disk, char set)
{
	for (int r = N_REL - 1; r >= 0; r--)
		if (holds(disk, set, r))
			return r;
	return R_NONE;
}

static int rel_of(const char *version)
{
	if (version[0] == '\0')
		return R_NONE;
	for (int r = 0; r < N_REL; r++)
		if (strcmp(version, rel_version[r]) == 0)
			return r;
	return R_BAD;
}

static const char *rel_name(int r)
{
	return r >= 0 ? rel_version[r] : r == R_NONE ? "no whole image" : "an unknown version";
}

/* The class whose set-b range of the new payload holds byte i, or -1. */
static int new_range(size_t i)
{
	for (int c = 0; c < N_CLS; c++)
		if (i >= slot_off[c][1] && i < slot_off[c][1] + rel_size[R_NEW][c])
			return c;
	return -1;
}

static const char *where_in_disk(size_t i)
{
	static char buf[64];
	for (int c = 0; c < N_CLS; c++)
		for (int s = 0; s < 2; s++)
			if (i >= slot_off[c][s] && i < slot_off[c][s] + slot_len[c]) {
				snprintf(buf, sizeof(buf), "set %c's %s slot, +%zu", "ab"[s],
					 cls_name[c], i - slot_off[c][s]);
				return buf;
			}
	return "outside every slot";
}

/* Where the test's medium flipped a bit of 2.0.0 (-1: nowhere). */
static off_t flipped_at = -1;

/* No byte outside set b's new payload ranges changed; each inside is the
 * old one or the new payload's. */
static void check_disk(const char *ctx, const uint8_t *disk, size_t len)
{
	cr_assert_eq(len, (size_t)DISK_BYTES, "%s: the disk image is %zu bytes, was %u", ctx, len,
		     DISK_BYTES);
	if (memcmp(disk, PRE.disk, len) == 0)
		return;
	for (size_t i = 0; i < len; i++) {
		if (disk[i] == PRE.disk[i])
			continue;
		int c = new_range(i);
		uint8_t want = c >= 0 ? W.data[R_NEW][c][i - slot_off[c][1]] : 0;
		if (c >= 0 &&
		    (disk[i] == want || ((off_t)i == flipped_at && disk[i] == (want ^ 0x10))))
			continue; /* 2.0.0's byte (or the one the medium garbled) */
		if (c < 0)
			cr_assert_fail(
			    "%s: byte %zu of the disk image changed (%s): 0x%02x -> 0x%02x", ctx, i,
			    where_in_disk(i), PRE.disk[i], disk[i]);
		cr_assert_fail("%s: byte %zu (%s) is neither its old value nor 2.0.0's", ctx, i,
			       where_in_disk(i));
	}
}

/* Set b's slots hold something else than before, and not 2.0.0 whole. */
static int b_is_a_mix(const uint8_t *disk)
{
	for (int c = 0; c < N_CLS; c++)
		if (memcmp(disk + slot_off[c][1], PRE.disk + slot_off[c][1], slot_len[c]) != 0)
			return !holds(disk, 'b', R_NEW);
	return 0;
}

/* --- the device --- */

static int dev_open(struct fws_device *dev, struct fws_sys_backend *be,
		    const struct fws_fs_ops *ops, int create)
{
	return fws_sysconf_device_open(dev, be, &W.conf, ops, create);
}

static int install_on(struct fws_device *dev, int r)
{
	struct mem_reader rd = {W.bundle[r], W.bundle_len[r], 0, 0, 0};
	static struct fws_verify_result res;
	return fws_device_install(dev, mem_read, &rd, NULL, &res);
}

/* Opens the working device through ops, installs r, closes. */
static int run_install(const struct fws_fs_ops *ops, int r)
{
	struct fws_device dev;
	static struct fws_sys_backend be;
	int rc = dev_open(&dev, &be, ops, 0);
	if (rc != 0)
		return rc;
	rc = install_on(&dev, r);
	fws_sysconf_device_close(&be);
	return rc;
}

static int bootable(const struct fws_boot_view *v, char set)
{
	return (v->order[0] == set || v->order[1] == set) && v->left[set == 'b'] > 0;
}

static const char *boot_text(const struct fws_boot_view *v)
{
	static char buf[96];
	snprintf(buf, sizeof(buf), "order %c%c, tries a %u b %u, booted %c", v->order[0],
		 v->order[1], (unsigned)v->left[0], (unsigned)v->left[1], v->booted);
	return buf;
}

/* The working device as it is, read with plain POSIX calls, nothing
 * recovered; its audit log verifies and fws_device_check passes. */
static void snap_read(const char *ctx, struct snap *s)
{
	struct fws_device dev;
	static struct fws_sys_backend be;
	struct fws_device_status ds;
	uint64_t entries, bad;
	const char *part = NULL;
	memset(s, 0, sizeof(*s));
	int rc = dev_open(&dev, &be, NULL, 0);
	cr_assert_eq(rc, 0, "%s: the device does not open: %s (%s: %s)", ctx, fws_errname(rc),
		     fws_diag_last()->where, fws_diag_last()->why);
	rc = fws_device_status(&dev, &ds);
	cr_assert_eq(rc, 0, "%s: status fails: %s (%s: %s)", ctx, fws_errname(rc),
		     fws_diag_last()->where, fws_diag_last()->why);
	s->st = ds.state;
	s->boot = ds.boot;
	s->log_last = ds.log_seq;
	rc = fws_audit_log_verify(dev.log, &entries, &bad);
	cr_assert_eq(rc, 0, "%s: the audit log does not verify: %s at line %llu", ctx,
		     fws_errname(rc), (unsigned long long)bad);
	rc = fws_device_check(&dev, &part);
	cr_assert_eq(rc, 0, "%s: device check fails in %s: %s", ctx, part ? part : "?",
		     fws_errname(rc));
	fws_sysconf_device_close(&be);
	file_read(W.disk, &s->disk, &s->disk_len);
	file_read(W.root_path, &s->root, &s->root_len);
}

/* --- the audit log --- */

struct log_line {
	uint64_t seq;
	int found;
	char action[32], result[32], detail[600];
};

static void json_field(const char *line, const char *key, char *out, size_t cap)
{
	char pat[48];
	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	const char *p = strstr(line, pat);
	out[0] = '\0';
	if (p == NULL)
		return;
	p += strlen(pat);
	size_t n = 0;
	while (p[n] != '\0' && p[n] != '"' && n + 1 < cap)
		n += p[n] == '\\' && p[n + 1] != '\0' ? 2 : 1;
	if (n + 1 > cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

static int log_line_cb(void *arg, const char *line, size_t len)
{
	struct log_line *l = arg;
	unsigned long long seq;
	(void)len;
	if (sscanf(line, "{\"seq\":%llu,", &seq) != 1 || seq != l->seq)
		return 0;
	json_field(line, "action", l->action, sizeof(l->action));
	json_field(line, "result", l->result, sizeof(l->result));
	json_field(line, "detail", l->detail, sizeof(l->detail));
	l->found = 1;
	return 1;
}

/* The working device's audit line seq. */
static void log_line_get(uint64_t seq, struct log_line *l)
{
	struct fws_device dev;
	static struct fws_sys_backend be;
	memset(l, 0, sizeof(*l));
	l->seq = seq;
	cr_assert_eq(dev_open(&dev, &be, NULL, 0), 0);
	cr_assert_geq(fws_audit_log_read(dev.log, log_line_cb, l), 0);
	fws_sysconf_device_close(&be);
}

/* --- the starting points --- */


static void boot_and_confirm(struct fws_device *dev, char want)
{
	char set = '?';
	cr_assert_eq(fws_device_boot(dev, &set), 0);
	cr_assert_eq(set, want);
	cr_assert_eq(fws_device_mark_good(dev, FWS_SET_BOOTED), 0);
}

/* The device just before the install under test, in W.tmpl; PRE is what
 * it shows. */
static void build_template(enum tmpl t)
{
	struct fws_device dev;
	static struct fws_sys_backend be;
	struct fws_fs_ops fast = {NULL, NULL, NULL, pc_no_fsync, NULL, NULL, NULL, NULL, NULL};
	struct fws_factory factory = {rel_version[R_FACTORY], rel_sv[R_FACTORY]};
	(void)pc_rm_tree(AT_FDCWD, W.dev);
	cr_assert_eq(mkdir(W.dev, 0700), 0);
	cr_assert_eq(mkdir(W.etc_dir, 0700), 0);
	/* The image: a pattern everywhere, the factory image in set a. */
	uint8_t *disk = malloc(DISK_BYTES);
	cr_assert_not_null(disk);
	xorshift_fill(disk, DISK_BYTES, 2463534242u);
	for (int c = 0; c < N_CLS; c++)
		memcpy(disk + slot_off[c][0], W.data[R_FACTORY][c], rel_size[R_FACTORY][c]);
	int fd = open(W.disk, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, disk, DISK_BYTES), (ssize_t)DISK_BYTES);
	close(fd);
	free(disk);
	int rc = dev_open(&dev, &be, &fast, 1);
	cr_assert_eq(rc, 0, "open: %s (%s: %s)", fws_errname(rc), fws_diag_last()->where,
		     fws_diag_last()->why);
	rc = fws_device_provision(&dev, (const uint8_t *)W.root_json, strlen(W.root_json),
				  "test-hw", NULL, &factory);
	cr_assert_eq(rc, 0, "provision: %s (%s: %s)", fws_errname(rc), fws_diag_last()->where,
		     fws_diag_last()->why);
	if (t == T_OLDER_B) {
		/* 1.1.0 confirmed in b, then 1.2.0 confirmed in a: b keeps 1.1.0
		 * and stays in the boot order as the fallback. */
		cr_assert_eq(install_on(&dev, R_OLD), 0);
		boot_and_confirm(&dev, 'b');
		cr_assert_eq(install_on(&dev, R_MID), 0);
		boot_and_confirm(&dev, 'a');
	}
	fws_sysconf_device_close(&be);
	snap_free(&PRE);
	snap_read("template", &PRE);
	pre_b = t == T_OLDER_B ? R_OLD : R_NONE;
	cr_assert_eq(PRE.st.confirmed_slot, 'a');
	cr_assert_eq(PRE.st.pending_slot, '-');
	cr_assert_eq(image_in(PRE.disk, 'a'), t == T_OLDER_B ? R_MID : R_FACTORY);
	cr_assert_eq(rel_of(PRE.st.slots[0].version), t == T_OLDER_B ? R_MID : R_FACTORY);
	cr_assert_eq(image_in(PRE.disk, 'b'), pre_b);
	cr_assert_eq(rel_of(PRE.st.slots[1].version), pre_b);
	cr_assert_eq(bootable(&PRE.boot, 'b'), t == T_OLDER_B,
		     "template: set b's old image should be the fallback: %s",
		     boot_text(&PRE.boot));
	cr_assert(bootable(&PRE.boot, 'a') && PRE.boot.order[0] == 'a');
	dir_replace_with_copy(W.dev, W.tmpl);
}

/* --- the invariants --- */

/* The confirmed set, the security_version and the root are as before;
 * set a has lo to hi tries (boots of a spend them). */
static void check_confirmed(const char *ctx, const struct snap *s, uint32_t lo, uint32_t hi)
{
	const struct fws_device_state *st = &s->st;
	cr_assert_eq(st->confirmed_slot, 'a', "%s: the confirmed set is now %c", ctx,
		     st->confirmed_slot);
	cr_assert_str_eq(st->slots[0].version, PRE.st.slots[0].version,
			 "%s: the state calls the confirmed set a '%s'", ctx, st->slots[0].version);
	cr_assert_eq(st->slots[0].security_version, PRE.st.slots[0].security_version, "%s", ctx);
	cr_assert_eq(
	    st->security_version, PRE.st.security_version, "%s: security_version %llu -> %llu", ctx,
	    (unsigned long long)PRE.st.security_version, (unsigned long long)st->security_version);
	cr_assert_eq(st->root_version, PRE.st.root_version, "%s", ctx);
	cr_assert_str_eq(st->hardware_id, PRE.st.hardware_id, "%s", ctx);
	cr_assert(s->root_len == PRE.root_len && memcmp(s->root, PRE.root, s->root_len) == 0,
		  "%s: the trusted root changed", ctx);
	cr_assert(bootable(&s->boot, 'a'), "%s: the confirmed set a cannot boot: %s", ctx,
		  boot_text(&s->boot));
	cr_assert(s->boot.left[0] >= lo && s->boot.left[0] <= hi,
		  "%s: set a has %u tries, not %u to %u (%s)", ctx, (unsigned)s->boot.left[0],
		  (unsigned)lo, (unsigned)hi, boot_text(&s->boot));
	cr_assert_leq(st->log_seq, s->log_last + 1, "%s: the state is %llu lines ahead of the log",
		      ctx, (unsigned long long)(st->log_seq - s->log_last));
}

static struct {
	int points, write_points, runs, done, undone, mixed, recovered_lines, second_faulted;
} S;

/* Right after the cut, before any fwseal operation: what the bootloader
 * would act on. succeeded: the install reported success. booted: a boot
 * (the interrupted recovery) may have spent a try of a. */
static void check_cut(const char *ctx, const struct snap *s, int succeeded, int booted)
{
	const struct fws_device_state *st = &s->st;
	check_disk(ctx, s->disk, s->disk_len);
	check_confirmed(ctx, s, PRE.boot.left[0] - (booted ? 1 : 0), PRE.boot.left[0]);
	int named = rel_of(st->slots[1].version), in_b = image_in(s->disk, 'b');
	cr_assert(named == R_NONE || named == R_NEW || named == pre_b,
		  "%s: the state calls set b '%s'", ctx, st->slots[1].version);
	if (named != R_NONE)
		cr_assert_eq(in_b, named, "%s: the state calls set b %s, but its slots hold %s",
			     ctx, rel_name(named), rel_name(in_b));
	cr_assert_eq(st->pending_slot, named == R_NEW ? 'b' : '-',
		     "%s: pending %c while set b is called '%s'", ctx, st->pending_slot,
		     st->slots[1].version);
	if (bootable(&s->boot, 'b')) {
		cr_assert(in_b == R_NEW || (in_b != R_NONE && in_b == pre_b),
			  "%s: the bootloader would try set b (%s), whose slots hold %s", ctx,
			  boot_text(&s->boot), rel_name(in_b));
		cr_assert(named == in_b || (named == R_NONE && in_b == pre_b),
			  "%s: the bootloader would try set b (%s), holding %s, while the state "
			  "calls it '%s'",
			  ctx, boot_text(&s->boot), rel_name(in_b), st->slots[1].version);
	}
	if (succeeded) {
		cr_assert_eq(named, R_NEW, "%s: the install succeeded, but the state calls b '%s'",
			     ctx, st->slots[1].version);
		cr_assert(s->boot.order[0] == 'b' && s->boot.left[1] == TRIES,
			  "%s: the install succeeded, but b is not first with %d tries: %s", ctx,
			  TRIES, boot_text(&s->boot));
	}
	S.mixed += b_is_a_mix(s->disk);
}

/* A fresh open and a boot, which recovers whatever the cut left; then b
 * booted with 2.0.0, or a booted and b is not bootable. Returns 1 when the
 * install had completed. booted: an interrupted boot came before (it may
 * have spent a try). */
static int recover_and_check(const char *ctx, const struct snap *cut, int booted)
{
	uint32_t extra = booted ? 1 : 0;
	struct fws_device dev;
	static struct fws_sys_backend be;
	struct snap s;
	char set = '?';
	cr_assert_eq(dev_open(&dev, &be, NULL, 0), 0, "%s", ctx);
	int rc = fws_device_boot(&dev, &set);
	cr_assert_eq(rc, 0, "%s: the boot after the cut fails: %s (%s: %s)", ctx, fws_errname(rc),
		     fws_diag_last()->where, fws_diag_last()->why);
	fws_sysconf_device_close(&be);
	snap_read(ctx, &s);
	check_disk(ctx, s.disk, s.disk_len);
	const struct fws_device_state *st = &s.st;
	int named_cut = rel_of(cut->st.slots[1].version), named = rel_of(st->slots[1].version);
	cr_assert_eq(named, named_cut, "%s: the boot changed set b from '%s' to '%s'", ctx,
		     cut->st.slots[1].version, st->slots[1].version);
	int done = named == R_NEW;
	if (done) {
		cr_assert_eq(set, 'b', "%s: 2.0.0 is pending in b, but %c booted", ctx, set);
		cr_assert_eq(st->pending_slot, 'b', "%s", ctx);
		cr_assert(holds(s.disk, 'b', R_NEW), "%s: b booted without 2.0.0 in its slots",
			  ctx);
		cr_assert(s.boot.order[0] == 'b' && s.boot.left[1] <= TRIES - 1 &&
			      s.boot.left[1] >= TRIES - 1 - extra && s.boot.booted == 'b',
			  "%s: after booting b: %s", ctx, boot_text(&s.boot));
		check_confirmed(ctx, &s, PRE.boot.left[0], PRE.boot.left[0]);
	} else {
		cr_assert_eq(set, 'a', "%s: set b ('%s') booted", ctx, st->slots[1].version);
		cr_assert_eq(s.boot.booted, 'a', "%s", ctx);
		cr_assert_eq(st->pending_slot, '-', "%s", ctx);
		if (named == R_NONE)
			cr_assert(!bootable(&s.boot, 'b'),
				  "%s: set b holds nothing by the state, yet stays bootable after "
				  "the recovery: %s",
				  ctx, boot_text(&s.boot));
		else
			cr_assert(named == pre_b && holds(s.disk, 'b', pre_b), "%s", ctx);
		check_confirmed(ctx, &s, PRE.boot.left[0] - 1 - extra, PRE.boot.left[0] - 1);
	}
	/* A state saved without its audit line is recorded now. */
	if (cut->st.log_seq == cut->log_last + 1) {
		struct log_line l;
		log_line_get(cut->st.log_seq, &l);
		cr_assert(l.found && strcmp(l.action, "recover") == 0,
			  "%s: line %llu should record the recovery, is '%s'", ctx,
			  (unsigned long long)cut->st.log_seq, l.action);
		S.recovered_lines++;
	}
	cr_assert_leq(st->log_seq, s.log_last, "%s: after the boot the state is ahead of the log",
		      ctx);
	snap_free(&s);
	return done;
}

/* A clean install of 2.0.0 after an interrupted one: it must go through. */
static void retry(const char *ctx)
{
	struct snap s;
	int rc = run_install(NULL, R_NEW);
	cr_assert_eq(rc, 0, "%s: a clean retry of the install fails: %s (%s: %s)", ctx,
		     fws_errname(rc), fws_diag_last()->where, fws_diag_last()->why);
	snap_read(ctx, &s);
	check_disk(ctx, s.disk, s.disk_len);
	cr_assert(holds(s.disk, 'b', R_NEW), "%s: the retry did not write 2.0.0", ctx);
	cr_assert_eq(rel_of(s.st.slots[1].version), R_NEW, "%s", ctx);
	cr_assert_eq(s.st.pending_slot, 'b', "%s", ctx);
	cr_assert(s.boot.order[0] == 'b' && s.boot.left[1] == TRIES, "%s: after the retry: %s", ctx,
		  boot_text(&s.boot));
	snap_free(&s);
}

/* --- one run, and the sweeps --- */

enum mode { M_CUT, M_TORN_CUT, M_KILL, M_TORN_KILL };
static const char *const mode_name[] = {"power cut", "torn write and power cut", "killed process",
					"torn write, killed process"};

static void label_dir(const char *path, const char *label)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	pc_label_dir(&M, fd, label);
	close(fd);
}

/* The first faulted operation of the last run ("" = none): what it was. */
static char last_fault[sizeof(M.fault)];

static int fault_is_slot_write(const char *fault)
{
	const char *p = strchr(fault, ':');
	char want[200];
	snprintf(want, sizeof(want), ": write %s", W.disk);
	return p != NULL && strcmp(p, want) == 0;
}

static void model_start(int fail_at)
{
	pc_begin(&M, W.grave);
	label_dir(W.state_dir, "STATE");
	label_dir(W.etc_dir, "ETC");
	M.fail_at = fail_at;
}

/* The recovery boot with a power cut at its step second (seed); then what
 * the cut left is checked as after the first, and must still say what
 * set b holds as before. Returns 1 when the fault hit. */
static char second_ctx[2 * PC_TRACE + 2048];

static int second_cut(const char *first, const struct snap *cut, int second, uint64_t seed,
		      struct snap *out)
{
	char *ctx = second_ctx;
	const size_t cap = sizeof(second_ctx);
	struct fws_device dev;
	static struct fws_sys_backend be;
	char set = '?';
	model_start(second);
	struct fws_fs_ops ops = pc_ops(&M);
	int rc = dev_open(&dev, &be, &ops, 0);
	if (rc == 0) {
		rc = fws_device_boot(&dev, &set);
		fws_sysconf_device_close(&be);
	}
	int faulted = M.dead;
	pc_power_cut(&M, seed);
	snprintf(ctx, cap, "%s; then the recovery boot, power cut at %s (seed %llu): rc %s;%s",
		 first, faulted ? M.fault : "the end (after the last step)",
		 (unsigned long long)seed, fws_errname(rc), M.trace);
	pc_end(&M);
	if (faulted)
		cr_assert_neq(rc, 0, "%s: the fault went unreported", ctx);
	else
		cr_assert_eq(rc, 0, "%s: fails without a fault: %s (%s: %s)", ctx, fws_errname(rc),
			     fws_diag_last()->where, fws_diag_last()->why);
	snap_read(ctx, out);
	check_cut(ctx, out, 0, 1);
	cr_assert_str_eq(out->st.slots[1].version, cut->st.slots[1].version,
			 "%s: the interrupted boot changed set b from '%s'", ctx,
			 cut->st.slots[1].version);
	S.second_faulted += faulted;
	return faulted;
}

/* The install with the fault at step fail_at (mode, seed), then every
 * check; second > 0: the recovery boot gets a power cut at its step
 * second. Returns 1 when the fault hit; *unsynced: anything was un-synced
 * at the cut (else every seed gives the same outcome). */
static int one_run(enum tmpl t, enum mode mode, int fail_at, uint64_t seed, int second,
		   int *unsynced)
{
	static char ctx[PC_TRACE + 1024];
	struct snap s;
	clone_template();
	model_start(fail_at);
	M.torn = mode == M_TORN_CUT || mode == M_TORN_KILL;
	struct fws_fs_ops ops = pc_ops(&M);
	int rc = run_install(&ops, R_NEW);
	int faulted = M.dead, cut = mode == M_CUT || mode == M_TORN_CUT;
	*unsynced = pc_unsynced(&M);
	if (cut)
		pc_power_cut(&M, seed);
	snprintf(last_fault, sizeof(last_fault), "%s", M.fault);
	snprintf(ctx, sizeof(ctx), "%s, %s at %s (seed %llu): rc %s;%s", tmpl_name[t],
		 mode_name[mode], faulted ? M.fault : "the end (after the last step)",
		 (unsigned long long)seed, fws_errname(rc), cut ? M.trace : "");
	pc_end(&M);
	if (faulted)
		cr_assert_neq(rc, 0, "%s: the fault went unreported", ctx);
	else
		cr_assert_eq(rc, 0, "%s: fails without a fault: %s (%s: %s)", ctx, fws_errname(rc),
			     fws_diag_last()->where, fws_diag_last()->why);
	snap_read(ctx, &s);
	check_cut(ctx, &s, rc == 0, 0);
	int done;
	if (second > 0) {
		struct snap s2;
		(void)second_cut(ctx, &s, second, seed + 77, &s2);
		done = recover_and_check(second_ctx, &s2, 1);
		snap_free(&s2);
		if (!done)
			retry(second_ctx);
	} else {
		done = recover_and_check(ctx, &s, 0);
		if (!done)
			retry(ctx);
	}
	S.runs++;
	S.done += done;
	S.undone += !done;
	snap_free(&s);
	return faulted;
}

/* Every crash point of the install: seeds power cuts each; at a write, a
 * torn write and a power cut (torn_seeds outcomes); kill: also a killed
 * process there (and torn, at a write); second > 0: each power cut is
 * followed by one in the recovery boot, at a step from 1 to second chosen
 * per seed. */
static void sweep2(enum tmpl t, int seeds, int torn_seeds, int kill, int second)
{
	memset(&S, 0, sizeof(S));
	build_template(t);
	for (int k = 1;; k++) {
		int faulted = 0, unsynced = 1, is_write;
		cr_assert_lt(k, 1000, "%s: no end to the install's steps", tmpl_name[t]);
		if (seeds == 0)
			faulted = one_run(t, M_KILL, k, 0, 0, &unsynced);
		for (int s = 1; s <= seeds && (unsynced || second); s++) {
			uint64_t seed = (uint64_t)k * 1000 + (uint64_t)s, h = seed;
			int at = second ? 1 + (int)(pc_next(&h) % (uint64_t)second) : 0;
			faulted = one_run(t, M_CUT, k, seed, at, &unsynced);
		}
		is_write = faulted && strstr(last_fault, ": write ") != NULL;
		S.write_points += faulted && fault_is_slot_write(last_fault);
		for (int s = 1; is_write && s <= torn_seeds; s++)
			(void)one_run(t, M_TORN_CUT, k, (uint64_t)k * 1000 + 500 + (uint64_t)s, 0,
				      &unsynced);
		if (kill && seeds > 0 && faulted)
			(void)one_run(t, M_KILL, k, 0, 0, &unsynced);
		if (kill && is_write)
			(void)one_run(t, M_TORN_KILL, k, 0, 0, &unsynced);
		S.points++;
		if (!faulted)
			break;
	}
	cr_log_info("raw_crash: %s%s: %d crash points (%d slot writes), %d runs: %d completed, "
		    "%d left b unbootable, %d with b's slots a mix, %d recovered audit lines, %d "
		    "recovery boots cut short",
		    tmpl_name[t], second ? " (and a cut in the recovery boot)" : "", S.points,
		    S.write_points, S.runs, S.done, S.undone, S.mixed, S.recovered_lines,
		    S.second_faulted);
	/* The sweep reached what it is about. */
	cr_assert_eq(S.write_points, NEW_WRITES, "%s: %d slot writes among the crash points",
		     tmpl_name[t], S.write_points);
	cr_assert_gt(S.points, 20, "%s", tmpl_name[t]);
	cr_assert_gt(S.done, 0, "%s: no run completed the install", tmpl_name[t]);
	cr_assert_gt(S.undone, 0, "%s", tmpl_name[t]);
	cr_assert_gt(S.mixed, 0, "%s: no cut left set b half-written", tmpl_name[t]);
	if (second)
		cr_assert_gt(S.second_faulted, 0, "%s: no recovery boot was cut short",
			     tmpl_name[t]);
}

static void sweep(enum tmpl t, int seeds, int torn_seeds, int kill)
{
	sweep2(t, seeds, torn_seeds, kill, 0);
}

/* --- a power cut at every step --- */

Test(raw_crash, power_cut_or_torn_write_at_any_step_of_install_into_empty_b)
{
	sweep(T_EMPTY_B, SEEDS, 1, 0);
}

Test(raw_crash, power_cut_or_torn_write_at_any_step_of_install_over_bootable_older_b)
{
	sweep(T_OLDER_B, SEEDS, 1, 0);
}

Test(raw_crash, killed_process_at_any_step_of_install_into_b)
{
	sweep(T_EMPTY_B, 0, 0, 1);
	sweep(T_OLDER_B, 0, 0, 1);
}

/* The recovery (a lost audit line written, a boot order put right from
 * the state) runs in the boot after the cut: a second power cut there. */
Test(raw_crash, power_cut_during_the_recovery_boot_after_a_cut_install)
{
	sweep2(T_EMPTY_B, 1, 0, 0, 30);
	sweep2(T_OLDER_B, 1, 0, 0, 30);
}


Test(raw_crash, power_cut_at_any_step_of_install_sweep_long, .timeout = 1800)
{
	if (!test_long_enabled()) {
		teardown();
		cr_skip_test("set FWSEAL_LONG=1 (make check-long) for %d seeds per crash point",
			     SEEDS_LONG);
	}
	sweep(T_EMPTY_B, SEEDS_LONG, SEEDS_LONG / 4, 1);
	sweep(T_OLDER_B, SEEDS_LONG, SEEDS_LONG / 4, 1);
}

Test(raw_crash, power_cut_during_the_recovery_boot_sweep_long, .timeout = 1800)
{
	if (!test_long_enabled()) {
		teardown();
		cr_skip_test("set FWSEAL_LONG=1 (make check-long) for a second power cut in the "
			     "recovery boot, %d per crash point",
			     SEEDS_LONG / 4);
	}
	sweep2(T_EMPTY_B, SEEDS_LONG / 4, 0, 0, 40);
	sweep2(T_OLDER_B, SEEDS_LONG / 4, 0, 0, 40);
}

/* --- a medium that garbles or refuses a write --- */

/* Plain POSIX calls, with one fault at the image: the nth write of the
 * slot lands with a bit flipped, is dropped (reported done, nothing
 * written), lands only half (reported as such), or fails with errno; or
 * the nth fsync of the slot fails with errno. */
enum tap_kind { TAP_FLIP, TAP_DROP, TAP_SHORT, TAP_WRITE_FAILS, TAP_FSYNC_FAILS };

static struct {
	enum tap_kind kind;
	int nth, err;
	int writes, fsyncs, hit;
	size_t bytes; /* reached the image through the table */
} TAP;

static int is_disk(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_ino == W.disk_ino;
}

static ssize_t tap_write(void *ctx, int fd, const void *buf, size_t len)
{
	(void)ctx;
	if (!is_disk(fd))
		return write(fd, buf, len);
	TAP.writes++;
	if (TAP.writes == TAP.nth && TAP.kind == TAP_WRITE_FAILS) {
		TAP.hit = 1;
		errno = TAP.err;
		return -1;
	}
	if (TAP.writes == TAP.nth && TAP.kind == TAP_DROP) {
		TAP.hit = 1;
		return lseek(fd, (off_t)len, SEEK_CUR) < 0 ? -1 : (ssize_t)len;
	}
	if (TAP.writes == TAP.nth && TAP.kind == TAP_SHORT && len > 1) {
		TAP.hit = 1;
		len /= 2;
	}
	if (TAP.writes == TAP.nth && TAP.kind == TAP_FLIP && len > 0) {
		uint8_t *copy = malloc(len);
		cr_assert_not_null(copy);
		memcpy(copy, buf, len);
		copy[len / 2] ^= 0x10;
		flipped_at = lseek(fd, 0, SEEK_CUR) + (off_t)(len / 2);
		ssize_t n = write(fd, copy, len);
		free(copy);
		TAP.hit = 1;
		if (n > 0)
			TAP.bytes += (size_t)n;
		return n;
	}
	ssize_t n = write(fd, buf, len);
	if (n > 0)
		TAP.bytes += (size_t)n;
	return n;
}

static int tap_fsync(void *ctx, int fd)
{
	(void)ctx;
	if (is_disk(fd) && ++TAP.fsyncs == TAP.nth && TAP.kind == TAP_FSYNC_FAILS) {
		TAP.hit = 1;
		errno = TAP.err;
		return -1;
	}
	return fsync(fd);
}

static int tap_install(enum tap_kind kind, int nth, int err)
{
	struct fws_fs_ops ops = {NULL, NULL, tap_write, tap_fsync, NULL, NULL, NULL, NULL, NULL};
	memset(&TAP, 0, sizeof(TAP));
	TAP.kind = kind;
	TAP.nth = nth;
	TAP.err = err;
	flipped_at = -1;
	clone_template();
	return run_install(&ops, R_NEW);
}

/* After a refused install: b not bootable and empty by the state; the
 * rest of the state, the root, set a's slots and tries as before; one new
 * audit line, the install's, with the code. Then a boots and a clean
 * retry goes through. */
static void check_refused(const char *ctx, int rc, int want)
{
	struct snap s;
	struct log_line l;
	cr_assert_eq(rc, want, "%s: %s, not %s (%s: %s)", ctx, fws_errname(rc), fws_errname(want),
		     fws_diag_last()->where, fws_diag_last()->why);
	snap_read(ctx, &s);
	check_disk(ctx, s.disk, s.disk_len);
	check_confirmed(ctx, &s, PRE.boot.left[0], PRE.boot.left[0]);
	const struct fws_device_state *st = &s.st, *pre = &PRE.st;
	cr_assert_str_eq(st->slots[1].version, "", "%s: set b is called '%s'", ctx,
			 st->slots[1].version);
	cr_assert_eq(st->slots[1].security_version, 0, "%s", ctx);
	cr_assert_eq(st->pending_slot, '-', "%s", ctx);
	cr_assert(!bootable(&s.boot, 'b'), "%s: set b is bootable after the refusal: %s", ctx,
		  boot_text(&s.boot));
	cr_assert(s.boot.order[0] == 'a' && s.boot.order[1] == '-' &&
		      s.boot.booted == PRE.boot.booted,
		  "%s: boot order %s", ctx, boot_text(&s.boot));
	cr_assert_str_eq(st->device_id, pre->device_id, "%s", ctx);
	cr_assert_eq(st->highest_created, pre->highest_created, "%s", ctx);
	cr_assert_eq(st->permit_floor, pre->permit_floor, "%s", ctx);
	cr_assert_eq(st->installs, pre->installs, "%s: a refused install was counted", ctx);
	cr_assert_eq(s.log_last, PRE.log_last + 1, "%s: %llu audit lines added, not 1", ctx,
		     (unsigned long long)(s.log_last - PRE.log_last));
	log_line_get(s.log_last, &l);
	cr_assert(l.found && strcmp(l.action, "install") == 0, "%s: the last line is '%s'", ctx,
		  l.action);
	cr_assert_str_eq(l.result, fws_errname(want), "%s: the install line says %s", ctx,
			 l.result);
	snap_free(&s);
	struct fws_device dev;
	static struct fws_sys_backend be;
	char set = '?';
	cr_assert_eq(dev_open(&dev, &be, NULL, 0), 0);
	cr_assert_eq(fws_device_boot(&dev, &set), 0, "%s", ctx);
	cr_assert_eq(set, 'a', "%s: %c booted", ctx, set);
	fws_sysconf_device_close(&be);
	retry(ctx);
}

static void corrupted_chunk(enum tmpl t)
{
	char ctx[256], want[64];
	build_template(t);
	for (int n = 1; n <= NEW_WRITES; n++) {
		int rootfs_chunks = (int)((rel_size[R_NEW][C_ROOTFS] + CHUNK - 1) / CHUNK);
		int in_rootfs = n <= rootfs_chunks;
		int chunk = in_rootfs ? n - 1 : n - 1 - rootfs_chunks;
		snprintf(ctx, sizeof(ctx),
			 "%s, slot write %d (%s chunk %d) lands with a bit flipped", tmpl_name[t],
			 n, in_rootfs ? "rootfs" : "kernel", chunk);
		int rc = tap_install(TAP_FLIP, n, 0);
		cr_assert(TAP.hit, "%s: no such write", ctx);
		/* Refused by the read-back of that payload, before the next. */
		cr_assert_eq(TAP.writes, in_rootfs ? rootfs_chunks : NEW_WRITES,
			     "%s: %d slot writes", ctx, TAP.writes);
		cr_assert_eq(rc, FWS_EDIGEST, "%s: %s (%s: %s)", ctx, fws_errname(rc),
			     fws_diag_last()->where, fws_diag_last()->why);
		snprintf(want, sizeof(want), "chunk %d differs", chunk);
		cr_assert(strstr(fws_diag_last()->why, "read back") != NULL &&
			      strstr(fws_diag_last()->why, want) != NULL,
			  "%s: the refusal says: %s: %s", ctx, fws_diag_last()->where,
			  fws_diag_last()->why);
		cr_assert(strstr(fws_diag_last()->where, in_rootfs ? "rootfs" : "kernel") != NULL,
			  "%s: the refusal names %s", ctx, fws_diag_last()->where);
		check_refused(ctx, rc, FWS_EDIGEST);
	}
}

Test(raw_crash, chunk_corrupted_on_its_way_to_the_slot_is_caught_by_the_read_back)
{
	corrupted_chunk(T_EMPTY_B);
	corrupted_chunk(T_OLDER_B);
}

/* A medium that acknowledges a write it never made (the old bytes, or the
 * pattern of an empty slot, stay): the read-back catches that too. */
Test(raw_crash, slot_write_the_medium_silently_drops_is_caught_by_the_read_back)
{
	char ctx[256];
	for (enum tmpl t = T_EMPTY_B; t <= T_OLDER_B; t++) {
		build_template(t);
		for (int n = 1; n <= NEW_WRITES; n++) {
			snprintf(ctx, sizeof(ctx), "%s, slot write %d dropped", tmpl_name[t], n);
			int rc = tap_install(TAP_DROP, n, 0);
			cr_assert(TAP.hit, "%s: no such write", ctx);
			cr_assert(strstr(fws_diag_last()->why, "read back") != NULL,
				  "%s: refused for: %s", ctx, fws_diag_last()->why);
			check_refused(ctx, rc, FWS_EDIGEST);
		}
	}
}

/* A short write (reported as such) is continued: the chunk lands whole. */
Test(raw_crash, short_slot_write_is_continued_not_taken_for_the_whole_chunk)
{
	struct snap s;
	char ctx[128];
	build_template(T_OLDER_B);
	for (int n = 1; n <= NEW_WRITES; n++) {
		snprintf(ctx, sizeof(ctx), "slot write %d lands half", n);
		int rc = tap_install(TAP_SHORT, n, 0);
		cr_assert(TAP.hit, "%s: no such write", ctx);
		cr_assert_eq(rc, 0, "%s: %s (%s: %s)", ctx, fws_errname(rc), fws_diag_last()->where,
			     fws_diag_last()->why);
		cr_assert_eq(TAP.writes, NEW_WRITES + 1, "%s: %d writes", ctx, TAP.writes);
		snap_read(ctx, &s);
		check_disk(ctx, s.disk, s.disk_len);
		cr_assert(holds(s.disk, 'b', R_NEW), "%s: 2.0.0 is not whole in set b", ctx);
		cr_assert_eq(rel_of(s.st.slots[1].version), R_NEW, "%s", ctx);
		snap_free(&s);
	}
}

static void failing_write(enum tmpl t)
{
	static const int errs[] = {ENOSPC, EIO};
	static const int codes[] = {FWS_ENOSPC, FWS_EIO};
	char ctx[256];
	build_template(t);
	for (int e = 0; e < 2; e++)
		for (int n = 1; n <= NEW_WRITES; n++) {
			snprintf(ctx, sizeof(ctx), "%s, slot write %d fails with %s", tmpl_name[t],
				 n, strerror(errs[e]));
			int rc = tap_install(TAP_WRITE_FAILS, n, errs[e]);
			cr_assert(TAP.hit, "%s: no such write", ctx);
			cr_assert_eq(TAP.writes, n, "%s: %d slot writes: went on after the error",
				     ctx, TAP.writes);
			check_refused(ctx, rc, codes[e]);
		}
	/* The slot's fsync (one per payload) failing: nothing is known to be
	 * on the medium. */
	for (int e = 0; e < 2; e++)
		for (int n = 1; n <= N_CLS; n++) {
			snprintf(ctx, sizeof(ctx), "%s, fsync %d of the slot fails with %s",
				 tmpl_name[t], n, strerror(errs[e]));
			int rc = tap_install(TAP_FSYNC_FAILS, n, errs[e]);
			cr_assert(TAP.hit, "%s: no such fsync", ctx);
			check_refused(ctx, rc, codes[e]);
		}
}

Test(raw_crash, slot_write_or_fsync_failing_with_enospc_or_eio_is_refused_and_changes_only_b)
{
	failing_write(T_EMPTY_B);
	failing_write(T_OLDER_B);
}

/* Every byte of the payloads goes to the image through the table (what
 * the model cannot see, it cannot cut): a clean install through the tap
 * counts them. */
Test(raw_crash, every_slot_byte_goes_through_the_fs_table)
{
	build_template(T_OLDER_B);
	int rc = tap_install(TAP_FLIP, 0, 0);
	cr_assert_eq(rc, 0, "%s (%s: %s)", fws_errname(rc), fws_diag_last()->where,
		     fws_diag_last()->why);
	cr_assert_eq(TAP.writes, NEW_WRITES);
	cr_assert_eq(TAP.bytes, rel_size[R_NEW][C_ROOTFS] + rel_size[R_NEW][C_KERNEL]);
	cr_assert_eq(TAP.fsyncs, N_CLS);
	struct snap s;
	snap_read("clean install", &s);
	check_disk("clean install", s.disk, s.disk_len);
	cr_assert(holds(s.disk, 'b', R_NEW));
	snap_free(&s);
}
