/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-LIFE-003 */
/* Power-loss safety of the directory device (fwseal/dirdevice.h). Every
 * operation that changes it (provisioning; an install carrying a root
 * rotation, into an empty set and over an older image; boot; mark-good;
 * mark-bad; rollback; a mark-good whose audit line rotates the log; a
 * mark-good raising a rollback floor kept outside the directory) is
 * interrupted at EVERY one of its file-system operations (struct
 * fws_fs_ops, through the simulator in tests/unit/test_powercut.h):
 *   - crash: that operation and every later one fail; what the process
 *     wrote survives (a killed process);
 *   - torn write: half of the write at that step lands, then the crash;
 *   - power cut: the crash, then a seeded outcome of what reached the disk
 *     (un-synced writes torn or lost, un-synced directory changes undone),
 *     SEEDS outcomes per crash point, and a cut "after the last step" that
 *     a reported success must survive whole;
 *   - a second power cut in the operation after the first (recovery);
 *   - random I/O errors, no crash, fixed seeds.
 * Then the device is reopened with plain POSIX calls and check_after()
 * demands: the device opens; state, root.json, bootenv and log.head each
 * hold their old or one of their new versions (atomic replace); the state
 * decodes, security_version and root_version never go down; the root is
 * self-signed, v1 or v2, not older than the state says; every set the
 * state calls valid holds exactly that release's payloads, byte for byte;
 * the set confirmed before is untouched; the bootloader tries only sets
 * holding a whole image; the audit log verifies (at most its one tolerated
 * remnant) and can take a line; a state change is recorded by its line, or
 * (its line lost) the next operation writes a 'recover' line for it; and
 * fws_device_check passes. Finally a clean retry of the operation succeeds.
 *
 * Runs are deterministic: fixed seeds, and temporary names from a
 * restarted generator (rng_impl), so a failure's message (the operation
 * that failed, what the cut kept and lost) is its reproduction.
 * The sweeps named ..._long run many more seeds; they need FWSEAL_LONG=1
 * (make check-long). Everything else takes a few seconds on 2 cores. */
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
#include "fwseal/dirdevice.h"
#include "test_bundle_helpers.h"
#include "test_powercut.h"

#define SEEDS 4	      /* power-cut outcomes per crash point */
#define SEEDS_LONG 48 /* ... in the _long sweeps */

/* --- the world: three releases, two roots --- */

enum img { IMG_NONE, IMG_1, IMG_2, IMG_3, IMG_BAD };

static const char *const release_version[3] = {"1.0.0", "2.0.0", "1.1.0"};
static const size_t rootfs_size[3] = {20000, 23000, 21000};
static const size_t kernel_size[3] = {5000, 7000, 6000};

static struct {
	struct test_key root1, root2, release;
	struct fws_root r1, r2;
	char *r1_json, *r2_json;
	uint8_t rootfs[3][23000], kernel[3][7000];
	uint8_t *bundle[3]; /* 1.0.0 sv 1; 2.0.0 sv 2 with root v2; 1.1.0 sv 1 */
	size_t bundle_len[3];
	char base[64], dev[96], tmpl[96], mid[96], grave[96];
} W;

/* The hardware floor of the OP_MARK_GOOD_FLOOR sweep (hw_get, hw_update). */
static struct {
	int on;
	int faulting; /* inside faulty_run: M.dead means the process died */
	uint64_t floor;
} HW;
static struct pc_model M;

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
	cr_assert_eq(randombytes_set_implementation(&pc_rng_impl), 0);
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
	for (int r = 0; r < 3; r++) {
		for (size_t i = 0; i < rootfs_size[r]; i++)
			W.rootfs[r][i] = (uint8_t)(i * (3 + 2 * r) + r);
		memset(W.kernel[r], 0x11 * (r + 1), kernel_size[r]);
	}
	const struct test_key *rel[] = {&W.release};
	const char *roots1[] = {W.r1_json}, *roots2[] = {W.r1_json, W.r2_json};
	const uint64_t v1[] = {1}, v12[] = {1, 2};
	static const int64_t created[3] = {1767225600, 1767312000, 1767268800};
	static const uint64_t sv[3] = {1, 2, 1};
	for (int r = 0; r < 3; r++) {
		struct test_payload p[] = {{"a.img", "rootfs", W.rootfs[r], rootfs_size[r], 4096},
					   {"b.img", "kernel", W.kernel[r], kernel_size[r], 4096}};
		struct test_release tr = {.version = release_version[r],
					  .security_version = sv[r],
					  .hardware = "test-hw",
					  .created = created[r],
					  .payloads = p,
					  .n_payloads = 2,
					  .signers = rel,
					  .n_signers = 1,
					  .root_json = r == 1 ? roots2 : roots1,
					  .root_versions = r == 1 ? v12 : v1,
					  .n_roots = r == 1 ? 2 : 1,
					  .gzip = r == 1};
		W.bundle[r] = test_bundle_build(&tr, &W.bundle_len[r]);
	}
	pc_scratch_dir(W.base, sizeof(W.base), "fwseal-crash");
	snprintf(W.dev, sizeof(W.dev), "%s/dev", W.base);
	snprintf(W.tmpl, sizeof(W.tmpl), "%s/template", W.base);
	snprintf(W.mid, sizeof(W.mid), "%s/between", W.base);
	snprintf(W.grave, sizeof(W.grave), "%s/graveyard", W.base);
	cr_assert_eq(mkdir(W.grave, 0700), 0);
}

/* Also called before a skip (Criterion runs no .fini after one). */
static void teardown(void)
{
	if (W.base[0] != '\0')
		(void)pc_rm_tree(AT_FDCWD, W.base);
	W.base[0] = '\0';
	free(W.r1_json);
	free(W.r2_json);
	W.r1_json = W.r2_json = NULL;
	for (int r = 0; r < 3; r++) {
		free(W.bundle[r]);
		W.bundle[r] = NULL;
	}
}

static int install(struct fws_device *dev, int release)
{
	struct mem_reader r = {W.bundle[release], W.bundle_len[release], 0, 0, 0};
	static struct fws_verify_result res;
	return fws_device_install(dev, mem_read, &r, NULL, &res);
}

/* --- files --- */

struct blob {
	int present;
	uint8_t *data;
	size_t len;
};

static void blob_read(const char *dir, const char *name, struct blob *b)
{
	char path[160];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	memset(b, 0, sizeof(*b));
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		cr_assert_eq(errno, ENOENT, "%s: %s", path, strerror(errno));
		return;
	}
	pc_read_fd(fd, &b->data, &b->len);
	close(fd);
	b->present = 1;
}

static int blob_equal(const struct blob *a, const struct blob *b)
{
	return a->present == b->present &&
	       (!a->present || (a->len == b->len && memcmp(a->data, b->data, a->len) == 0));
}

static void blob_free(struct blob *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}


static void copy_dir(const char *from_dir, const char *to_dir)
{
	int from = open(from_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int to = open(to_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert(from >= 0 && to >= 0);
	pc_copy_tree(from, to);
	close(from);
	close(to);
}

/* A fresh device directory: a copy of the template. */
static void clone_template(void)
{
	(void)pc_rm_tree(AT_FDCWD, W.dev);
	cr_assert_eq(mkdir(W.dev, 0700), 0);
	copy_dir(W.tmpl, W.dev);
	pc_rng_state = 1;
	HW.floor = 1;
}

/* Which release set `set` of the device in dir holds, whole: exactly
 * rootfs and kernel, byte for byte one release's payloads. */
static enum img set_image(const char *dir, char set)
{
	char path[160];
	int entries = 0, have[2] = {0, 0};
	snprintf(path, sizeof(path), "%s/%c", dir, set);
	DIR *d = opendir(path);
	if (d == NULL)
		return errno == ENOENT ? IMG_NONE : IMG_BAD;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		entries++;
		have[0] |= strcmp(e->d_name, "rootfs") == 0;
		have[1] |= strcmp(e->d_name, "kernel") == 0;
	}
	closedir(d);
	if (entries == 0)
		return IMG_NONE;
	if (entries != 2 || !have[0] || !have[1])
		return IMG_BAD;
	struct blob rootfs, kernel;
	blob_read(path, "rootfs", &rootfs);
	blob_read(path, "kernel", &kernel);
	enum img found = IMG_BAD;
	for (int r = 0; r < 3; r++)
		if (rootfs.len == rootfs_size[r] && kernel.len == kernel_size[r] &&
		    memcmp(rootfs.data, W.rootfs[r], rootfs.len) == 0 &&
		    memcmp(kernel.data, W.kernel[r], kernel.len) == 0)
			found = (enum img)(IMG_1 + r);
	blob_free(&rootfs);
	blob_free(&kernel);
	return found;
}

static enum img image_of(const char *version)
{
	for (int r = 0; r < 3; r++)
		if (strcmp(version, release_version[r]) == 0)
			return (enum img)(IMG_1 + r);
	return version[0] == '\0' ? IMG_NONE : IMG_BAD;
}

/* --- the audit log --- */

struct line_find {
	uint64_t seq;
	char action[32];
	int found;
};

static int line_find_cb(void *arg, const char *line, size_t len)
{
	struct line_find *f = arg;
	unsigned long long seq;
	(void)len;
	if (sscanf(line, "{\"seq\":%llu,", &seq) != 1 || seq != f->seq)
		return 0;
	const char *a = strstr(line, "\"action\":\"");
	cr_assert_not_null(a);
	a += strlen("\"action\":\"");
	size_t n = strcspn(a, "\"");
	cr_assert_lt(n, sizeof(f->action));
	memcpy(f->action, a, n);
	f->action[n] = '\0';
	f->found = 1;
	return 1;
}

/* The action of the log line with sequence number seq ("" if none). */
static void log_action(const struct fws_log_store *log, uint64_t seq, char out[32])
{
	struct line_find f = {seq, "", 0};
	cr_assert_geq(fws_audit_log_read(log, line_find_cb, &f), 0);
	memcpy(out, f.action, sizeof(f.action));
}

/* --- the operations under test --- */

enum op {
	OP_PROVISION,
	OP_INSTALL,
	OP_BOOT,
	OP_MARK_GOOD,
	OP_MARK_BAD,
	OP_ROLLBACK,
	OP_LOG_ROTATE,	 /* mark-good whose audit line rotates the log (log.1 replaced) */
	OP_INSTALL_OVER, /* install into a set holding an older confirmed image */
	OP_MARK_GOOD_FLOOR, /* mark-good raising a floor outside the state (a fake TPM) */
};

static const char *const op_name[] = {"provision",
				      "install",
				      "boot",
				      "mark-good",
				      "mark-bad",
				      "rollback",
				      "mark-good with a log rotation",
				      "install over an older image",
				      "mark-good raising a hardware floor"};
/* The audit line of the change each makes ("fallback" may come first). */
static const char *const op_action[] = {"init",	    "install",	"boot",	     "mark-good",
					"mark-bad", "rollback", "mark-good", "install",
					"mark-good"};

/* A rollback floor outside the device directory (fwseal/floor.h), as a
 * TPM keeps it: a power cut does not touch it, and a process that died
 * (the model's fault) raises it no more. The template's floor is 1 (1.0.0
 * confirmed). */

static int hw_get(void *ctx, uint64_t *floor)
{
	(void)ctx;
	*floor = HW.floor;
	return 0;
}

static int hw_update(void *ctx, uint64_t n)
{
	(void)ctx;
	if (HW.faulting && M.dead)
		return FWS_EIO;
	if (n > HW.floor)
		HW.floor = n;
	return 0;
}

static int run_op(enum op op, const struct fws_fs_ops *ops)
{
	struct fws_device dev;
	static struct fws_dir_backend be;
	char set;
	int rc = fws_dir_device_open(&dev, &be, W.dev, ops, op == OP_PROVISION);
	if (rc != 0)
		return rc;
	if (HW.on)
		dev.floor = (struct fws_floor){.name = "hw", .get = hw_get, .update = hw_update};
	switch (op) {
	case OP_PROVISION:
		rc = fws_device_provision(&dev, (const uint8_t *)W.r1_json, strlen(W.r1_json),
					  "test-hw", NULL, NULL);
		break;
	case OP_INSTALL:
	case OP_INSTALL_OVER:
		rc = install(&dev, 1);
		break;
	case OP_BOOT:
		rc = fws_device_boot(&dev, &set);
		break;
	case OP_MARK_GOOD:
	case OP_LOG_ROTATE:
	case OP_MARK_GOOD_FLOOR:
		rc = fws_device_mark_good(&dev, FWS_SET_BOOTED);
		break;
	case OP_MARK_BAD:
		rc = fws_device_mark_bad(&dev, FWS_SET_BOOTED);
		break;
	case OP_ROLLBACK:
		rc = fws_device_rollback(&dev, &set);
		break;
	}
	fws_dir_device_close(&be);
	return rc;
}

/* The operation's effect is in the state (a boot's never is). */
static int op_done(enum op op, const struct fws_device_state *st)
{
	switch (op) {
	case OP_PROVISION:
		return 1;
	case OP_INSTALL:
		return st->pending_slot == 'a' && strcmp(st->slots[0].version, "2.0.0") == 0;
	case OP_INSTALL_OVER:
		return st->pending_slot == 'b' && strcmp(st->slots[1].version, "2.0.0") == 0;
	case OP_BOOT:
		return 0;
	case OP_MARK_GOOD:
	case OP_LOG_ROTATE:
	case OP_MARK_GOOD_FLOOR:
		return st->confirmed_slot == 'a';
	case OP_MARK_BAD:
		return st->pending_slot == '-';
	case OP_ROLLBACK:
		return st->confirmed_slot == 'b';
	}
	return 0;
}


static uint64_t file_size(const char *dir, const char *name)
{
	char path[160];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Fills the log through one rotation and then to 40 bytes short of the
 * next, so the next line rotates it again (log.1 replaced). */
static void prefill_log(struct fws_device *dev)
{
	char detail[1100], path[160];
	struct fws_event ev = {"note", 0, detail, NULL, 0, 0, NULL};
	struct stat st;
	const uint64_t rot = FWS_LOG_ROTATE_BYTES;
	snprintf(path, sizeof(path), "%s/log.1", W.tmpl);
	memset(detail, 'x', 1000);
	detail[1000] = '\0';
	while (stat(path, &st) != 0)
		cr_assert_eq(fws_audit_log_append(dev->log, &ev, 1767312000), 0);
	while (file_size(W.tmpl, "log") + 2 * 1400 < rot)
		cr_assert_eq(fws_audit_log_append(dev->log, &ev, 1767312000), 0);
	detail[0] = '\0';
	uint64_t base = 0;
	do {
		uint64_t before = file_size(W.tmpl, "log");
		cr_assert_eq(fws_audit_log_append(dev->log, &ev, 1767312000), 0);
		base = file_size(W.tmpl, "log") - before; /* a line with an empty detail */
	} while (rot - file_size(W.tmpl, "log") > base + 1000 + 40);
	size_t d = (size_t)(rot - file_size(W.tmpl, "log") - base - 40);
	memset(detail, 'x', d);
	detail[d] = '\0';
	cr_assert_eq(fws_audit_log_append(dev->log, &ev, 1767312000), 0);
	cr_assert_eq(rot - file_size(W.tmpl, "log"), 40);
}

/* The device just before op, in W.tmpl. */
static void build_template(enum op op)
{
	struct fws_device dev;
	static struct fws_dir_backend be;
	struct fws_fs_ops fast = {NULL, NULL, NULL, pc_no_fsync, NULL, NULL, NULL, NULL, NULL};
	char set;
	(void)pc_rm_tree(AT_FDCWD, W.tmpl);
	cr_assert_eq(mkdir(W.tmpl, 0700), 0);
	if (op == OP_PROVISION)
		return;
	cr_assert_eq(fws_dir_device_open(&dev, &be, W.tmpl, &fast, 1), 0);
	cr_assert_eq(fws_device_provision(&dev, (const uint8_t *)W.r1_json, strlen(W.r1_json),
					  "test-hw", NULL, NULL),
		     0);
	/* 1.0.0 in set b, booted and confirmed: security_version 1. */
	cr_assert_eq(install(&dev, 0), 0);
	cr_assert_eq(fws_device_boot(&dev, &set), 0);
	cr_assert_eq(set, 'b');
	cr_assert_eq(fws_device_mark_good(&dev, FWS_SET_BOOTED), 0);
	if (op == OP_ROLLBACK || op == OP_INSTALL_OVER) {
		/* 1.1.0 (same security_version) confirmed in a: b may come back,
		 * and is in the boot order as the fallback. */
		cr_assert_eq(install(&dev, 2), 0);
		cr_assert_eq(fws_device_boot(&dev, &set), 0);
		cr_assert_eq(fws_device_mark_good(&dev, FWS_SET_BOOTED), 0);
	} else if (op != OP_INSTALL) {
		cr_assert_eq(install(&dev, 1), 0); /* 2.0.0 pending in a, root v2 */
		if (op != OP_BOOT) {
			cr_assert_eq(fws_device_boot(&dev, &set), 0);
			cr_assert_eq(set, 'a');
		}
	}
	if (op == OP_LOG_ROTATE)
		prefill_log(&dev);
	fws_dir_device_close(&be);
}

/* --- what the device held before, and what the operation published --- */

#define N_WATCHED 4
#define SEEN_MAX 32
/* The files replaced atomically (temporary file, fsync, rename, directory
 * fsync): after any crash each holds its old or one of its new versions. */
static const char *const watched[N_WATCHED] = {"state", "root.json", "bootenv", "log.head"};
enum { W_STATE, W_ROOT, W_BOOTENV, W_HEAD };

static struct {
	struct blob pre[N_WATCHED];
	struct fws_device_state st; /* valid when pre[W_STATE].present */
	char confirmed;
	enum img confirmed_img;
	struct blob seen[N_WATCHED][SEEN_MAX]; /* every version renamed into place */
	size_t n_seen[N_WATCHED];
	dev_t dev;
	ino_t ino;
} B;

static struct pc_model M;

/* The device before the operation: the template, or the device after a
 * first crash when the retry is interrupted too. */
static void before_load(const char *dir)
{
	for (int i = 0; i < N_WATCHED; i++) {
		blob_free(&B.pre[i]);
		blob_read(dir, watched[i], &B.pre[i]);
	}
	memset(&B.st, 0, sizeof(B.st));
	B.confirmed = '-';
	B.confirmed_img = IMG_NONE;
	if (B.pre[W_STATE].present) {
		cr_assert_eq(fws_state_decode(B.pre[W_STATE].data, B.pre[W_STATE].len, &B.st), 0);
		B.confirmed = B.st.confirmed_slot;
		B.confirmed_img = set_image(dir, B.confirmed);
		cr_assert_eq(B.confirmed_img, image_of(B.st.slots[B.confirmed == 'b'].version));
	}
}

static void seen_reset(void)
{
	for (int i = 0; i < N_WATCHED; i++) {
		for (size_t k = 0; k < B.n_seen[i]; k++)
			blob_free(&B.seen[i][k]);
		B.n_seen[i] = 0;
	}
}

/* The power-cut model's hook: a new version of a watched file. */
static void on_rename(void *arg, int dirfd, const char *to)
{
	struct stat st;
	(void)arg;
	if (fstat(dirfd, &st) != 0 || st.st_dev != B.dev || st.st_ino != B.ino)
		return;
	for (int i = 0; i < N_WATCHED; i++)
		if (strcmp(to, watched[i]) == 0) {
			cr_assert_lt(B.n_seen[i], SEEN_MAX);
			blob_read(W.dev, to, &B.seen[i][B.n_seen[i]++]);
		}
}

static int old_or_new(int i, const struct blob *now)
{
	if (blob_equal(now, &B.pre[i]))
		return 1;
	for (size_t k = 0; k < B.n_seen[i]; k++)
		if (blob_equal(now, &B.seen[i][k]))
			return 1;
	return 0;
}

/* What a successful operation left (before the power cut): all of it must
 * survive the cut. */
struct end_view {
	int valid;
	struct blob file[N_WATCHED];
	uint64_t log_last;
};

static void end_view_read(struct end_view *e)
{
	struct fws_device dev;
	static struct fws_dir_backend be;
	memset(e, 0, sizeof(*e));
	for (int i = 0; i < N_WATCHED; i++)
		blob_read(W.dev, watched[i], &e->file[i]);
	cr_assert_eq(fws_dir_device_open(&dev, &be, W.dev, NULL, 0), 0);
	cr_assert_eq(fws_audit_log_position(dev.log, &e->log_last), 0);
	fws_dir_device_close(&be);
	e->valid = 1;
}

static void end_view_free(struct end_view *e)
{
	for (int i = 0; i < N_WATCHED; i++)
		blob_free(&e->file[i]);
	e->valid = 0;
}

/* --- the invariants --- */

struct after {
	int have_state;
	struct fws_device_state st;
	int recovery; /* the state's audit line is missing (log_seq = last + 1) */
};

/* The device after the fault, reopened with plain POSIX calls. actions:
 * the audit lines the interrupted operations may have written. */
static void check_after(const char *ctx, const char *const *actions, const struct end_view *end,
			struct after *out)
{
	struct fws_device dev;
	static struct fws_dir_backend be;
	struct blob now[N_WATCHED];
	struct fws_device_state *st = &out->st;
	memset(out, 0, sizeof(*out));
	int orc = fws_dir_device_open(&dev, &be, W.dev, NULL, 0);
	cr_assert_eq(orc, 0, "%s: the device does not open: %s", ctx, fws_errname(orc));

	/* Replaced atomically: the old bytes or new ones, never a mix. */
	for (int i = 0; i < N_WATCHED; i++) {
		blob_read(W.dev, watched[i], &now[i]);
		cr_assert(old_or_new(i, &now[i]), "%s: %s is neither its old nor a new version",
			  ctx, watched[i]);
		if (end != NULL && end->valid)
			cr_assert(blob_equal(&now[i], &end->file[i]),
				  "%s: the operation succeeded, but its %s did not survive", ctx,
				  watched[i]);
	}
	/* The audit log verifies, with at most the one tolerated remnant. */
	uint64_t entries, bad, last;
	int lrc = fws_audit_log_verify(dev.log, &entries, &bad);
	cr_assert_eq(lrc, 0, "%s: the audit log does not verify: %s at line %llu", ctx,
		     fws_errname(lrc), (unsigned long long)bad);
	lrc = fws_audit_log_position(dev.log, &last);
	cr_assert_eq(lrc, 0, "%s: the audit log cannot take a line: %s", ctx, fws_errname(lrc));
	if (end != NULL && end->valid)
		cr_assert_geq(last, end->log_last,
			      "%s: the operation succeeded, its audit line is gone", ctx);

	out->have_state = now[W_STATE].present;
	if (!out->have_state) {
		cr_assert(!B.pre[W_STATE].present, "%s: the state is gone", ctx);
		goto out; /* provisioning never got as far as the state */
	}
	int src = fws_state_decode(now[W_STATE].data, now[W_STATE].len, st);
	cr_assert_eq(src, 0, "%s: the state does not decode: %s", ctx, fws_errname(src));
	cr_assert_geq(st->generation, B.st.generation, "%s", ctx);
	cr_assert_geq(st->security_version, B.st.security_version,
		      "%s: security_version lowered from %llu to %llu", ctx,
		      (unsigned long long)B.st.security_version,
		      (unsigned long long)st->security_version);
	cr_assert_geq(st->root_version, B.st.root_version, "%s", ctx);
	/* The state never confirms above the floor: it is raised first. */
	if (HW.on)
		cr_assert(st->security_version <= HW.floor && HW.floor <= 2,
			  "%s: state security_version %llu, hardware floor %llu", ctx,
			  (unsigned long long)st->security_version, (unsigned long long)HW.floor);

	/* The trusted root: one of the two, not older than the state says. */
	struct fws_root root;
	cr_assert(now[W_ROOT].present, "%s: root.json is gone", ctx);
	int rrc = fws_root_load(now[W_ROOT].data, now[W_ROOT].len, &root, NULL);
	cr_assert_eq(rrc, 0, "%s: root.json does not load: %s", ctx, fws_errname(rrc));
	cr_assert(root.version == 1 || root.version == 2, "%s", ctx);
	cr_assert_geq(root.version, st->root_version, "%s: root v%llu older than the state's v%llu",
		      ctx, (unsigned long long)root.version, (unsigned long long)st->root_version);

	/* Every set the state calls valid holds exactly its image; the set
	 * that was confirmed before is untouched. */
	for (int i = 0; i < 2; i++) {
		const char *v = st->slots[i].version;
		enum img got = set_image(W.dev, i ? 'b' : 'a');
		if (v[0] != '\0')
			cr_assert_eq(got, image_of(v), "%s: set %c is called %s but holds image %d",
				     ctx, i ? 'b' : 'a', v, (int)got);
	}
	if (B.confirmed != '-')
		cr_assert_eq(set_image(W.dev, B.confirmed), B.confirmed_img,
			     "%s: the confirmed set %c was touched", ctx, B.confirmed);
	if (B.confirmed_img != IMG_NONE)
		cr_assert_str_neq(st->slots[st->confirmed_slot == 'b'].version, "",
				  "%s: no confirmed image", ctx);

	/* The bootloader tries only sets that hold a whole image (or the
	 * empty confirmed set of a device fresh from provisioning). */
	struct fws_boot_view v;
	int brc = dev.boot.read(dev.boot.ctx, &v);
	cr_assert_eq(brc, 0, "%s: the bootloader's variables do not read: %s", ctx,
		     fws_errname(brc));
	for (int i = 0; i < 2; i++) {
		char s = v.order[i];
		if (s == '-' || v.left[s == 'b'] == 0)
			continue;
		enum img got = set_image(W.dev, s);
		int factory = got == IMG_NONE && s == st->confirmed_slot &&
			      st->slots[s == 'b'].version[0] == '\0';
		cr_assert(factory || (got != IMG_NONE && got != IMG_BAD),
			  "%s: the bootloader would try set %c, which holds no whole image", ctx,
			  s);
	}

	/* Every change recorded: the state's line is there, or the next
	 * operation must add a 'recover' line for it. */
	cr_assert_leq(st->log_seq, last + 1, "%s: the state is %llu lines ahead of the log", ctx,
		      (unsigned long long)(st->log_seq - last));
	out->recovery = st->log_seq == last + 1;
	if ((!B.pre[W_STATE].present || st->generation > B.st.generation) && !out->recovery) {
		char action[32];
		int known = 0;
		log_action(dev.log, st->log_seq, action);
		for (size_t i = 0; actions[i] != NULL; i++)
			known |= strcmp(action, actions[i]) == 0;
		cr_assert(known || strcmp(action, "fallback") == 0, "%s: state line %llu is '%s'",
			  ctx, (unsigned long long)st->log_seq, action);
	}
	const char *part = NULL;
	int crc = fws_device_check(&dev, &part);
	cr_assert_eq(crc, 0, "%s: device check fails in %s: %s", ctx, part ? part : "?",
		     fws_errname(crc));
out:
	for (int i = 0; i < N_WATCHED; i++)
		blob_free(&now[i]);
	fws_dir_device_close(&be);
}

/* After the next operation: the log verifies and records the state. */
static void check_recorded(const char *ctx, const struct after *a)
{
	struct fws_device dev;
	static struct fws_dir_backend be;
	struct fws_device_status s;
	uint64_t entries, bad;
	cr_assert_eq(fws_dir_device_open(&dev, &be, W.dev, NULL, 0), 0);
	int rc = fws_audit_log_verify(dev.log, &entries, &bad);
	cr_assert_eq(rc, 0, "%s: after the next operation the log does not verify (line %llu)", ctx,
		     (unsigned long long)bad);
	cr_assert_eq(fws_device_status(&dev, &s), 0, "%s", ctx);
	cr_assert_leq(s.state.log_seq, s.log_seq, "%s: the state is ahead of its log", ctx);
	if (a->recovery) {
		char action[32];
		log_action(dev.log, a->st.log_seq, action);
		cr_assert_str_eq(action, "recover", "%s: line %llu should record the recovery", ctx,
				 (unsigned long long)a->st.log_seq);
	}
	fws_dir_device_close(&be);
}

/* A clean retry of op (or, when its change is already in the state, a
 * boot: the next operation that must record a missing line). */
static void retry(const char *ctx, enum op op, const struct after *a)
{
	int done = a->have_state && op_done(op, &a->st);
	enum op next = done ? OP_BOOT : op;
	int rc = run_op(next, NULL);
	cr_assert_eq(rc, 0, "%s: a clean %s %s fails: %s (%s: %s)", ctx, done ? "next" : "retry of",
		     op_name[next], fws_errname(rc), fws_diag_last()->where, fws_diag_last()->why);
	if (!done && op != OP_BOOT) {
		struct blob b;
		struct fws_device_state st;
		blob_read(W.dev, "state", &b);
		cr_assert(b.present);
		cr_assert_eq(fws_state_decode(b.data, b.len, &st), 0);
		cr_assert(op_done(op, &st), "%s: the retry of %s did not take effect", ctx,
			  op_name[op]);
		blob_free(&b);
	}
	if (HW.on) {
		/* Finished, whichever operation finished it: both at 2. */
		struct blob b;
		struct fws_device_state st;
		blob_read(W.dev, "state", &b);
		cr_assert_eq(fws_state_decode(b.data, b.len, &st), 0);
		cr_assert(st.security_version == 2 && HW.floor == 2 && st.floor_confirming == 0 &&
			      st.confirmed_slot == 'a',
			  "%s: after the next operation: state %llu (confirming %llu), floor %llu",
			  ctx, (unsigned long long)st.security_version,
			  (unsigned long long)st.floor_confirming, (unsigned long long)HW.floor);
		blob_free(&b);
	}
	check_recorded(ctx, a);
}

/* --- one run, and the sweeps --- */

enum mode { M_CRASH, M_TORN, M_POWER };
static const char *const mode_name[] = {"crash", "torn write", "power cut"};

static void model_start(void)
{
	struct stat st;
	pc_begin(&M, W.grave);
	M.on_rename = on_rename;
	int fd = open(W.dev, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(fd, 0);
	cr_assert_eq(fstat(fd, &st), 0);
	B.dev = st.st_dev;
	B.ino = st.st_ino;
	pc_label_dir(&M, fd, "DIR");
	close(fd);
}

/* op on W.dev with the fault (and, for a power cut, the cut with seed),
 * then the invariants. ctx gets what happened. Returns 1 when the fault
 * hit. *unsynced: anything was un-synced at the cut (else every seed
 * gives the same outcome). */
static int faulty_run(enum op op, enum mode mode, int fail_at, uint64_t seed,
		      const char *const *actions, const char *prefix, char *ctx, size_t cap,
		      struct after *a, int *unsynced)
{
	struct end_view end;
	seen_reset();
	model_start();
	M.fail_at = fail_at;
	M.torn = mode == M_TORN;
	struct fws_fs_ops ops = pc_ops(&M);
	HW.faulting = 1;
	int rc = run_op(op, &ops);
	HW.faulting = 0;
	int faulted = M.dead;
	if (op == OP_LOG_ROTATE && !faulted && prefix[0] == '\0')
		cr_assert_lt(file_size(W.dev, "log"), 1024,
			     "the mark-good line did not rotate the log");
	memset(&end, 0, sizeof(end));
	if (rc == 0 && mode == M_POWER)
		end_view_read(&end);
	*unsynced = pc_unsynced(&M);
	if (mode == M_POWER)
		pc_power_cut(&M, seed);
	snprintf(ctx, cap, "%s%s, %s at %s (seed %llu):%s", prefix, op_name[op], mode_name[mode],
		 faulted ? M.fault : "the end (after the last step)", (unsigned long long)seed,
		 mode == M_POWER ? M.trace : "");
	pc_end(&M);
	if (faulted)
		cr_assert_neq(rc, 0, "%s: the fault went unreported", ctx);
	else
		cr_assert_eq(rc, 0, "%s: fails without a fault: %s (%s: %s)", ctx, fws_errname(rc),
			     fws_diag_last()->where, fws_diag_last()->why);
	check_after(ctx, actions, &end, a);
	end_view_free(&end);
	return faulted;
}

/* One crash point of a sweep on a fresh copy of the template. second > 0:
 * the next operation (the retry, or a boot when the change is already in
 * the state) gets a power cut at its step `second` too. Then a clean retry. */
static int one_run(enum op op, enum mode mode, int fail_at, uint64_t seed, int second,
		   int *unsynced)
{
	static char ctx[PC_TRACE + 512], ctx2[2 * PC_TRACE + 1024];
	struct after a, a2;
	const char *actions[] = {op_action[op], NULL};
	clone_template();
	int faulted =
	    faulty_run(op, mode, fail_at, seed, actions, "", ctx, sizeof(ctx), &a, unsynced);
	if (second == 0) {
		retry(ctx, op, &a);
		return faulted;
	}
	enum op next = a.have_state && op_done(op, &a.st) ? OP_BOOT : op;
	const char *actions2[] = {op_action[op], op_action[next], NULL};
	char prefix[PC_TRACE + 600];
	int unsynced2;
	snprintf(prefix, sizeof(prefix), "%s; then ", ctx);
	/* The device as the first crash left it is the "before" now. */
	(void)pc_rm_tree(AT_FDCWD, W.mid);
	cr_assert_eq(mkdir(W.mid, 0700), 0);
	copy_dir(W.dev, W.mid);
	before_load(W.mid);
	(void)faulty_run(next, M_POWER, second, seed + 1000, actions2, prefix, ctx2, sizeof(ctx2),
			 &a2, &unsynced2);
	retry(ctx2, op, &a2);
	before_load(W.tmpl);
	return faulted;
}

/* Every crash point of op, seeds outcomes each (power cut); second > 0:
 * plus a power cut at a step below `second` of the next operation. */
static void sweep2(enum op op, enum mode mode, int seeds, int second)
{
	int points = 0, runs = 0;
	HW.on = 0;
	build_template(op);
	HW.on = op == OP_MARK_GOOD_FLOOR;
	before_load(W.tmpl);
	for (int k = 1;; k++) {
		int faulted = 0, unsynced = 1;
		cr_assert_lt(k, 1000, "%s: no end to the operation's steps", op_name[op]);
		for (int s = 1; s <= (mode == M_POWER ? seeds : 1) && (unsynced || second); s++) {
			uint64_t h = (uint64_t)k * 1000003u + (uint64_t)s;
			int at = second ? 1 + (int)(pc_next(&h) % (uint64_t)second) : 0;
			faulted = one_run(op, mode, k, (uint64_t)s, at, &unsynced);
			runs++;
		}
		points++;
		if (!faulted)
			break;
	}
	cr_assert_gt(points, 3, "%s: the operation must have several steps", op_name[op]);
	cr_log_info("device_crash: %s, %s%s: %d crash points, %d runs", op_name[op],
		    mode_name[mode], second ? " (and one in the next operation)" : "", points,
		    runs);
}

static void sweep(enum op op, enum mode mode, int seeds)
{
	sweep2(op, mode, seeds, 0);
}

TestSuite(device_crash, .init = setup, .fini = teardown, .timeout = 300);

/* --- a killed process: crash and torn write at every step --- */

Test(device_crash, power_loss_at_every_step_of_install_with_root_update)
{
	sweep(OP_INSTALL, M_CRASH, 1);
}

Test(device_crash, torn_write_at_every_step_of_install)
{
	sweep(OP_INSTALL, M_TORN, 1);
}

Test(device_crash, power_loss_at_every_step_of_boot)
{
	sweep(OP_BOOT, M_CRASH, 1);
}

Test(device_crash, power_loss_at_every_step_of_mark_good)
{
	sweep(OP_MARK_GOOD, M_CRASH, 1);
	sweep(OP_MARK_GOOD, M_TORN, 1);
}

/* docs/rollback-floor.md §4: confirming N saved, the floor raised, the set
 * confirmed; a crash or power cut anywhere, then the next operation. */
/* req: REQ-FLOOR-003 */
Test(device_crash, power_cut_at_every_step_of_mark_good_raising_a_hardware_floor)
{
	sweep(OP_MARK_GOOD_FLOOR, M_CRASH, 1);
	sweep(OP_MARK_GOOD_FLOOR, M_POWER, SEEDS);
	sweep2(OP_MARK_GOOD_FLOOR, M_POWER, 2, 30);
}

Test(device_crash, crash_at_every_step_of_mark_bad_rollback_provision_log_rotation)
{
	sweep(OP_MARK_BAD, M_CRASH, 1);
	sweep(OP_ROLLBACK, M_CRASH, 1);
	sweep(OP_PROVISION, M_CRASH, 1);
	sweep(OP_LOG_ROTATE, M_CRASH, 1);
	sweep(OP_LOG_ROTATE, M_TORN, 1);
}

/* --- a power cut at every step, several outcomes each --- */

Test(device_crash, power_cut_at_every_step_of_install_with_root_update)
{
	sweep(OP_INSTALL, M_POWER, SEEDS);
}

Test(device_crash, power_cut_at_every_step_of_install_over_an_older_image)
{
	sweep(OP_INSTALL_OVER, M_CRASH, 1);
	sweep(OP_INSTALL_OVER, M_POWER, SEEDS);
}

Test(device_crash, power_cut_at_every_step_of_boot_mark_good_mark_bad)
{
	sweep(OP_BOOT, M_POWER, SEEDS);
	sweep(OP_MARK_GOOD, M_POWER, SEEDS);
	sweep(OP_MARK_BAD, M_POWER, SEEDS);
}

Test(device_crash, power_cut_at_every_step_of_rollback_provision_log_rotation)
{
	sweep(OP_ROLLBACK, M_POWER, SEEDS);
	sweep(OP_PROVISION, M_POWER, SEEDS);
	sweep(OP_LOG_ROTATE, M_POWER, SEEDS);
}

/* The recovery paths (clean-up of an interrupted install, the 'recover'
 * line, a fallback) run in the operation after the crash: a second power
 * cut there, at a step chosen per seed. */
Test(device_crash, power_cut_during_the_retry_of_install)
{
	sweep2(OP_INSTALL, M_POWER, 2, 60);
}


Test(device_crash, power_cut_sweep_long, .timeout = 1800)
{
	if (!test_long_enabled()) {
		teardown();
		cr_skip_test("set FWSEAL_LONG=1 (make check-long) for %d seeds per crash point",
			     SEEDS_LONG);
	}
	for (enum op op = OP_PROVISION; op <= OP_INSTALL_OVER; op++)
		sweep(op, M_POWER, SEEDS_LONG);
}

Test(device_crash, power_cut_during_the_retry_long, .timeout = 1800)
{
	if (!test_long_enabled()) {
		teardown();
		cr_skip_test("set FWSEAL_LONG=1 (make check-long) for a second power cut in every "
			     "operation's retry");
	}
	for (enum op op = OP_PROVISION; op <= OP_INSTALL_OVER; op++)
		sweep2(op, M_POWER, SEEDS_LONG / 4, 60);
}

/* --- the model itself --- */

static void write_name(const struct fws_fs_ops *o, int dirfd, const char *name, const char *text,
		       int sync)
{
	int fd = o->openat(o->ctx, dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(o->write(o->ctx, fd, text, strlen(text)), (ssize_t)strlen(text));
	if (sync)
		cr_assert_eq(o->fsync(o->ctx, fd), 0);
	close(fd);
}

/* What was synced always survives; an un-synced write survives whole,
 * torn or not at all; a directory keeps a prefix of its un-synced
 * changes; a rename over a file leaves the old file or the new one. */
Test(device_crash, power_cut_model_keeps_what_was_synced_and_a_prefix_of_the_rest)
{
	int lost = 0, kept = 0, torn = 0, no_g = 0, new_h = 0;
	for (uint64_t seed = 1; seed <= 64; seed++) {
		struct blob f, g, h, t;
		(void)pc_rm_tree(AT_FDCWD, W.dev);
		cr_assert_eq(mkdir(W.dev, 0700), 0);
		int dirfd = open(W.dev, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		cr_assert_geq(dirfd, 0);
		pc_begin(&M, W.grave);
		struct fws_fs_ops o = pc_ops(&M);
		/* durable: f = "hello", h = "old" */
		int fd = o.openat(o.ctx, dirfd, "f", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		cr_assert_geq(fd, 0);
		cr_assert_eq(o.write(o.ctx, fd, "hello", 5), 5);
		cr_assert_eq(o.fsync(o.ctx, fd), 0);
		write_name(&o, dirfd, "h", "old", 1);
		cr_assert_eq(o.fsync(o.ctx, dirfd), 0);
		/* un-synced: f's " world"; create g; create t (data synced); t -> h */
		cr_assert_eq(o.write(o.ctx, fd, " world", 6), 6);
		close(fd);
		write_name(&o, dirfd, "g", "g", 1);
		write_name(&o, dirfd, "t", "new", 1);
		cr_assert_eq(o.renameat(o.ctx, dirfd, "t", dirfd, "h", 0), 0);
		cr_assert(pc_unsynced(&M));
		pc_power_cut(&M, seed);
		pc_end(&M);
		close(dirfd);
		blob_read(W.dev, "f", &f);
		blob_read(W.dev, "g", &g);
		blob_read(W.dev, "h", &h);
		blob_read(W.dev, "t", &t);
		cr_assert(f.present && f.len >= 5 && f.len <= 11 &&
			      memcmp(f.data, "hello world", f.len) == 0,
			  "seed %llu:%s", (unsigned long long)seed, M.trace);
		lost += f.len == 5;
		kept += f.len == 11;
		torn += f.len > 5 && f.len < 11;
		cr_assert(h.present && h.len == 3 &&
			  (memcmp(h.data, "old", 3) == 0 || memcmp(h.data, "new", 3) == 0));
		int is_new = memcmp(h.data, "new", 3) == 0;
		/* a prefix: without g, nothing after it happened either */
		if (!g.present)
			cr_assert(!is_new && !t.present, "seed %llu:%s", (unsigned long long)seed,
				  M.trace);
		/* the rename happened (t gone) or not (t back, whole) */
		cr_assert(is_new ? !t.present
				 : (!t.present || (t.len == 3 && !memcmp(t.data, "new", 3))));
		no_g += !g.present;
		new_h += is_new;
		blob_free(&f);
		blob_free(&g);
		blob_free(&h);
		blob_free(&t);
	}
	/* Every kind of outcome happens for some seed. */
	cr_assert(lost > 0 && kept > 0 && torn > 0 && no_g > 0 && no_g < 64 && new_h > 0 &&
		  new_h < 64);
}

/* --- regressions --- */

/* Crashes at the next operation once `state` has been renamed into place. */
static void crash_after_state_rename(void *arg, int dirfd, const char *to)
{
	on_rename(arg, dirfd, to);
	if (strcmp(to, "state") == 0 && M.fail_at == 0)
		M.fail_at = M.step + 1;
}

/* Provisioning saved the state before the bootloader's variables: a crash
 * between the two (here: the state's directory fsync fails) left a device
 * that counts as provisioned (provisioning again: FWS_EEXIST) but whose
 * bootloader cannot be read, so every operation failed with FWS_ESTATE. */
Test(device_crash, provision_crash_between_state_and_bootloader)
{
	build_template(OP_PROVISION);
	before_load(W.tmpl);
	clone_template();
	seen_reset();
	model_start();
	M.on_rename = crash_after_state_rename;
	struct fws_fs_ops ops = pc_ops(&M);
	int rc = run_op(OP_PROVISION, &ops);
	cr_assert(M.dead);
	cr_assert_neq(rc, 0);
	pc_end(&M);
	rc = run_op(OP_PROVISION, NULL);
	cr_assert(rc == 0 || rc == FWS_EEXIST, "provisioning again: %s", fws_errname(rc));
	rc = run_op(OP_BOOT, NULL);
	cr_assert_eq(rc, 0, "boot after the crash: %s (%s: %s)", fws_errname(rc),
		     fws_diag_last()->where, fws_diag_last()->why);
}

/* --- random I/O errors, no crash --- */

/* Brings the device to 2.0.0 confirmed, whatever the errors left. */
static void finish_release2(const char *ctx)
{
	struct fws_device dev;
	static struct fws_dir_backend be;
	struct fws_device_status s;
	char set;
	cr_assert_eq(fws_dir_device_open(&dev, &be, W.dev, NULL, 0), 0);
	for (int round = 0; round < 4; round++) {
		cr_assert_eq(fws_device_status(&dev, &s), 0, "%s", ctx);
		if (s.state.confirmed_slot == 'a' && strcmp(s.state.slots[0].version, "2.0.0") == 0)
			break;
		if (s.state.pending_slot != 'a' || strcmp(s.state.slots[0].version, "2.0.0") != 0) {
			int rc = install(&dev, 1);
			cr_assert_eq(rc, 0, "%s: clean install: %s", ctx, fws_errname(rc));
		}
		cr_assert_eq(fws_device_boot(&dev, &set), 0, "%s", ctx);
		if (set == 'a')
			cr_assert_eq(fws_device_mark_good(&dev, FWS_SET_BOOTED), 0, "%s", ctx);
	}
	cr_assert_eq(fws_device_status(&dev, &s), 0);
	cr_assert_eq(s.state.confirmed_slot, 'a', "%s: never reached 2.0.0", ctx);
	cr_assert_eq(s.state.security_version, 2);
	cr_assert_eq(s.state.root_version, 2);
	cr_assert_eq(set_image(W.dev, 'a'), IMG_2);
	fws_dir_device_close(&be);
}

/* Every operation fails cleanly or succeeds and the device stays
 * consistent; seeds are fixed, so runs repeat. */
/* Each operation fails with probability 1/div. */
static void random_io_errors(unsigned seeds, unsigned div, int power_cut)
{
	int reached[4] = {0, 0, 0, 0};
	static const enum op chain[] = {OP_INSTALL, OP_BOOT, OP_MARK_GOOD};
	const char *actions[] = {"install", "boot", "mark-good", "recover", NULL};
	static char ctx[PC_TRACE + 512];
	build_template(OP_INSTALL);
	before_load(W.tmpl);
	for (unsigned seed = 1; seed <= seeds; seed++) {
		struct after a;
		struct end_view end;
		clone_template();
		seen_reset();
		model_start();
		M.rnd = seed;
		M.rnd_div = div;
		struct fws_fs_ops ops = pc_ops(&M);
		int rc = 0;
		size_t i = 0;
		for (; i < sizeof(chain) / sizeof(chain[0]) && rc == 0; i++)
			rc = run_op(chain[i], &ops);
		reached[rc == 0 ? 3 : i - 1]++;
		memset(&end, 0, sizeof(end));
		if (power_cut && rc == 0)
			end_view_read(&end);
		if (power_cut)
			pc_power_cut(&M, seed);
		snprintf(ctx, sizeof(ctx), "random I/O errors%s, seed %u, first at %s:%s",
			 power_cut ? " and a power cut" : "", seed, M.fault[0] ? M.fault : "none",
			 power_cut ? M.trace : "");
		pc_end(&M);
		check_after(ctx, actions, &end, &a);
		end_view_free(&end);
		if (a.recovery) /* the next operation records it, whatever it is */
			cr_assert_eq(run_op(OP_BOOT, NULL), 0, "%s", ctx);
		finish_release2(ctx);
		check_recorded(ctx, &a);
	}
	cr_log_info(
	    "device_crash: random I/O errors (1/%u)%s: %d failed in install, %d in boot, %d "
	    "in mark-good, %d went through",
	    div, power_cut ? " and a power cut" : "", reached[0], reached[1], reached[2],
	    reached[3]);
}

Test(device_crash, random_io_errors_never_corrupt)
{
	random_io_errors(60, 7, 0);
	random_io_errors(100, 25, 0); /* gets into boot and mark-good too */
}

/* An fsync that failed made nothing durable: a power cut after errors. */
Test(device_crash, random_io_errors_then_a_power_cut)
{
	random_io_errors(60, 7, 1);
	random_io_errors(100, 25, 1);
	random_io_errors(100, 60, 1);
}
