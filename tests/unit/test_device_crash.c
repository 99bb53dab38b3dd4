/* Power-loss safety: a crash (every later file operation fails), a torn
 * write (half the bytes reach the disk, then the crash) or a random I/O
 * error is injected at EVERY write, fsync, rename and unlink of install
 * (with a root update), boot and mark-good. After each, the device is
 * reopened and must hold a complete old or complete new image in every slot
 * its state calls valid, a trusted root not older than its state, a
 * security_version never lowered; and a clean retry must succeed. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/device.h"
#include "test_bundle_helpers.h"

struct fault {
	int step;    /* operations seen */
	int fail_at; /* 1-based; 0 = never */
	int torn;    /* a write at fail_at lands half, then the crash */
	int dead;
	unsigned rnd; /* random mode: fail each op with probability 1/rnd_div */
	unsigned rnd_div;
};

static int fault_hit(struct fault *f)
{
	if (f->dead)
		return 1;
	f->step++;
	if (f->rnd_div) {
		f->rnd = f->rnd * 1103515245u + 12345u;
		return (f->rnd >> 16) % f->rnd_div == 0; /* an I/O error, not a crash */
	}
	if (f->step == f->fail_at) {
		f->dead = 1;
		return 1;
	}
	return 0;
}

static int f_open(void *ctx, const char *path, int flags, unsigned mode)
{
	if (fault_hit(ctx)) {
		errno = EIO;
		return -1;
	}
	return open(path, flags, (mode_t)mode);
}

static ssize_t f_write(void *ctx, int fd, const void *buf, size_t len)
{
	struct fault *f = ctx;
	int was_dead = f->dead;
	if (fault_hit(f)) {
		if (!was_dead && f->torn && len > 1)
			(void)!write(fd, buf, len / 2);
		errno = EIO;
		return -1;
	}
	return write(fd, buf, len);
}

static int f_fsync(void *ctx, int fd)
{
	if (fault_hit(ctx)) {
		errno = EIO;
		return -1;
	}
	return fsync(fd);
}

static int f_rename(void *ctx, const char *from, const char *to)
{
	if (fault_hit(ctx)) {
		errno = EIO;
		return -1;
	}
	return rename(from, to);
}

static int f_unlink(void *ctx, const char *path)
{
	if (fault_hit(ctx)) {
		errno = EIO;
		return -1;
	}
	return unlink(path);
}

/* Two releases and a root rotation between them. */
static struct {
	struct test_key root1, root2, release;
	struct fws_root r1, r2;
	char *r1_json, *r2_json;
	uint8_t img1_a[20000], img1_b[5000], img2_a[23000], img2_b[7000];
	uint8_t *bundle1, *bundle2;
	size_t bundle1_len, bundle2_len;
	char dir[64];
} W;

static void make_root(struct fws_root *r, uint64_t version, const struct test_key *root_key)
{
	root_begin(r, version);
	root_add_key(r, root_key);
	root_add_key(r, &W.release);
	role_add(r, FWS_ROLE_ROOT, root_key);
	role_add(r, FWS_ROLE_RELEASE, &W.release);
	r->roles[0].threshold = 1;
	r->roles[1].threshold = 1;
}

static void setup(void)
{
	core_setup();
	test_key_make(&W.root1, 11);
	test_key_make(&W.root2, 12);
	test_key_make(&W.release, 13);
	make_root(&W.r1, 1, &W.root1);
	make_root(&W.r2, 2, &W.root2);
	size_t len;
	const struct test_key *s1[] = {&W.root1};
	const struct test_key *s12[] = {&W.root1, &W.root2};
	W.r1_json = test_root_json(&W.r1, s1, 1, &len);
	W.r2_json = test_root_json(&W.r2, s12, 2, &len); /* old AND new root keys */
	for (size_t i = 0; i < sizeof(W.img2_a); i++) {
		if (i < sizeof(W.img1_a))
			W.img1_a[i] = (uint8_t)(i * 3);
		W.img2_a[i] = (uint8_t)(i * 5 + 1);
	}
	memset(W.img1_b, 0x11, sizeof(W.img1_b));
	memset(W.img2_b, 0x22, sizeof(W.img2_b));
	const struct test_key *rel[] = {&W.release};
	struct test_payload p1[] = {{"a.img", "rootfs", W.img1_a, sizeof(W.img1_a), 4096},
				    {"b.img", "kernel", W.img1_b, sizeof(W.img1_b), 4096}};
	struct test_payload p2[] = {{"a.img", "rootfs", W.img2_a, sizeof(W.img2_a), 4096},
				    {"b.img", "kernel", W.img2_b, sizeof(W.img2_b), 4096}};
	const char *roots1[] = {W.r1_json}, *roots2[] = {W.r1_json, W.r2_json};
	const uint64_t v1[] = {1}, v12[] = {1, 2};
	struct test_release rel1 = {"1.0.0", 1, "test-hw", 1767225600, p1, 2, rel, 1,
				    roots1, v1, 1, 0};
	struct test_release rel2 = {"2.0.0", 2, "test-hw", 1767312000, p2, 2, rel, 1,
				    roots2, v12, 2, 1};
	W.bundle1 = test_bundle_build(&rel1, &W.bundle1_len);
	W.bundle2 = test_bundle_build(&rel2, &W.bundle2_len);
}

static void teardown(void)
{
	free(W.r1_json);
	free(W.r2_json);
	free(W.bundle1);
	free(W.bundle2);
}

static int install(struct fws_device *dev, const uint8_t *b, size_t len)
{
	struct mem_reader r = {b, len, 0, 0, 0};
	static struct fws_verify_result res;
	return fws_device_install(dev, mem_read, &r, NULL, &res);
}

/* A device with 1.0.0 installed, booted and confirmed (security_version 1). */
static void baseline(void)
{
	struct fws_device dev;
	static struct fws_dir_backend b;
	char slot;
	strcpy(W.dir, "/tmp/fwseal-crash-XXXXXX");
	cr_assert_not_null(mkdtemp(W.dir));
	cr_assert_eq(fws_device_dir_prepare(W.dir), 0);
	fws_device_use_dir(&dev, &b, W.dir, NULL);
	cr_assert_eq(fws_device_provision(&dev, (uint8_t *)W.r1_json, strlen(W.r1_json), "test-hw",
					  NULL),
		     0);
	cr_assert_eq(install(&dev, W.bundle1, W.bundle1_len), 0);
	cr_assert_eq(fws_device_boot(&dev, &slot), 0);
	cr_assert_eq(fws_device_mark_good(&dev), 0);
}

static void remove_dir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", W.dir);
	cr_assert_eq(system(cmd), 0);
}

static int file_equals(char slot, const char *target, const uint8_t *want, size_t len)
{
	char path[128];
	uint8_t *got = malloc(len + 1);
	snprintf(path, sizeof(path), "%s/%c/%s", W.dir, slot, target);
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(got, 1, len + 1, f) : 0;
	int ok = f != NULL && n == len && memcmp(got, want, len) == 0;
	if (f)
		fclose(f);
	free(got);
	return ok;
}

/* The image a slot's recorded version promises is there, whole. */
static void check_slot(const struct fws_device_state *st, char slot)
{
	const char *v = st->slots[slot == 'b'].version;
	if (strcmp(v, "1.0.0") == 0) {
		cr_assert(file_equals(slot, "rootfs", W.img1_a, sizeof(W.img1_a)), "slot %c", slot);
		cr_assert(file_equals(slot, "kernel", W.img1_b, sizeof(W.img1_b)), "slot %c", slot);
	} else if (strcmp(v, "2.0.0") == 0) {
		cr_assert(file_equals(slot, "rootfs", W.img2_a, sizeof(W.img2_a)), "slot %c", slot);
		cr_assert(file_equals(slot, "kernel", W.img2_b, sizeof(W.img2_b)), "slot %c", slot);
	} else {
		cr_assert_str_empty(v, "slot %c has unknown version %s", slot, v);
	}
}

/* After the fault: reopen with plain POSIX and check every invariant. */
static void check_invariants(const char *what, int k)
{
	struct fws_device dev;
	static struct fws_dir_backend b;
	struct fws_device_state st;
	struct fws_root root;
	uint8_t *raw;
	size_t len;
	char path[128], slot;
	fws_device_use_dir(&dev, &b, W.dir, NULL);
	cr_assert_eq(fws_device_state_get(&dev, &st), 0, "%s: state lost at step %d", what, k);
	cr_assert_geq(st.security_version, 1, "%s: counter lowered at step %d", what, k);
	snprintf(path, sizeof(path), "%s/root.json", W.dir);
	cr_assert_eq(fws_file_read_all(path, FWS_ENVELOPE_MAX, &raw, &len), 0);
	cr_assert_eq(fws_root_load(raw, len, &root, NULL), 0, "%s: root lost at step %d", what, k);
	free(raw);
	cr_assert_geq(root.version, st.root_version);
	cr_assert_str_neq(st.slots[st.confirmed_slot == 'b'].version, "",
			  "%s: no confirmed image at step %d", what, k);
	check_slot(&st, 'a');
	check_slot(&st, 'b');
	int boot_rc = fws_device_boot(&dev, &slot);
	cr_assert_eq(boot_rc, 0, "%s: cannot boot at step %d (%s)", what, k, fws_errname(boot_rc));
	cr_assert_str_neq(st.slots[slot == 'b'].version, "", "%s: booted an empty slot", what);
}

enum op { OP_INSTALL, OP_BOOT, OP_MARK_GOOD };

static int run_op(struct fws_device *dev, enum op op)
{
	char slot;
	switch (op) {
	case OP_INSTALL:
		return install(dev, W.bundle2, W.bundle2_len);
	case OP_BOOT:
		return fws_device_boot(dev, &slot);
	default:
		return fws_device_mark_good(dev);
	}
}

/* Brings a baseline device to the point just before op. */
static void prepare(enum op op)
{
	struct fws_device dev;
	static struct fws_dir_backend b;
	char slot;
	baseline();
	fws_device_use_dir(&dev, &b, W.dir, NULL);
	if (op >= OP_BOOT)
		cr_assert_eq(install(&dev, W.bundle2, W.bundle2_len), 0);
	if (op >= OP_MARK_GOOD)
		cr_assert_eq(fws_device_boot(&dev, &slot), 0);
}

/* Retries op cleanly and checks the device reaches the new release. */
static void retry_and_finish(enum op op)
{
	struct fws_device dev;
	static struct fws_dir_backend b;
	struct fws_device_state st;
	char slot;
	fws_device_use_dir(&dev, &b, W.dir, NULL);
	cr_assert_eq(fws_device_state_get(&dev, &st), 0);
	(void)op; /* every op ends the same way: 2.0.0 confirmed */
	if (strcmp(st.slots[st.confirmed_slot == 'b'].version, "2.0.0") == 0)
		return; /* the crash came after the commit point: done */
	if (st.pending_slot == '-') {
		int rr = install(&dev, W.bundle2, W.bundle2_len);
		cr_assert_eq(rr, 0, "clean retry of install: %s", fws_errname(rr));
	}
	cr_assert_eq(fws_device_boot(&dev, &slot), 0);
	cr_assert_eq(fws_device_mark_good(&dev), 0, "clean retry of mark-good");
	cr_assert_eq(fws_device_state_get(&dev, &st), 0);
	cr_assert_eq(st.security_version, 2);
	cr_assert_eq(st.root_version, 2);
	check_slot(&st, st.confirmed_slot);
}

static void crash_at_every_step(enum op op, const char *what, int torn)
{
	int steps_without_fault = 0;
	for (int k = 1; k < 1000; k++) {
		struct fault f = {0, k, torn, 0, 0, 0};
		struct fws_fs_ops ops = {&f, f_open, f_write, f_fsync, f_rename, f_unlink};
		struct fws_device dev;
		static struct fws_dir_backend b;
		prepare(op);
		fws_device_use_dir(&dev, &b, W.dir, &ops);
		int rc = run_op(&dev, op);
		int faulted = f.dead;
		if (faulted)
			cr_assert_neq(rc, 0, "%s: fault at step %d went unreported", what, k);
		check_invariants(what, k);
		retry_and_finish(op);
		remove_dir();
		if (!faulted) {
			steps_without_fault = f.step;
			break;
		}
	}
	cr_assert_gt(steps_without_fault, 3, "%s: the operation must have several steps", what);
}

TestSuite(device_crash, .init = setup, .fini = teardown, .timeout = 240);

Test(device_crash, power_loss_at_every_step_of_install_with_root_update)
{
	crash_at_every_step(OP_INSTALL, "install", 0);
}

Test(device_crash, torn_write_at_every_step_of_install)
{
	crash_at_every_step(OP_INSTALL, "install (torn)", 1);
}

Test(device_crash, power_loss_at_every_step_of_boot)
{
	crash_at_every_step(OP_BOOT, "boot", 0);
}

Test(device_crash, power_loss_at_every_step_of_mark_good)
{
	crash_at_every_step(OP_MARK_GOOD, "mark-good", 0);
	crash_at_every_step(OP_MARK_GOOD, "mark-good (torn)", 1);
}

/* Random I/O errors (no crash): every operation fails cleanly or succeeds,
 * and the device stays consistent; seeds are fixed, so runs repeat. */
Test(device_crash, random_io_errors_never_corrupt)
{
	for (unsigned seed = 1; seed <= 60; seed++) {
		struct fault f = {0, 0, 0, 0, seed, 7};
		struct fws_fs_ops ops = {&f, f_open, f_write, f_fsync, f_rename, f_unlink};
		struct fws_device dev;
		static struct fws_dir_backend b;
		prepare(OP_INSTALL);
		fws_device_use_dir(&dev, &b, W.dir, &ops);
		for (enum op op = OP_INSTALL; op <= OP_MARK_GOOD; op++)
			if (run_op(&dev, op) != 0)
				break;
		check_invariants("random I/O errors", (int)seed);
		retry_and_finish(OP_INSTALL);
		remove_dir();
	}
}
