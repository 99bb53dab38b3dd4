/* SPDX-License-Identifier: Apache-2.0 */
/* A simulated device in a temporary directory (fwseal/dirdevice.h) with
 * one root and a handful of signed releases, for the device tests: open,
 * provision, install from memory, status, and the audit log as lines. */
#ifndef FWSEAL_TEST_DEVICE_HELPERS_H
#define FWSEAL_TEST_DEVICE_HELPERS_H

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/device.h"
#include "fwseal/dirdevice.h"
#include "test_bundle_helpers.h"
#include "test_fs_helpers.h"

#define TD_IMG_SIZE 9000
#define TD_KERN_SIZE 3000

static struct {
	struct test_key root, release, stranger;
	struct fws_root r1;
	char *r1_json;
	uint8_t img[TD_IMG_SIZE], kern[TD_KERN_SIZE];
	char base[64];	  /* temporary parent of everything below */
	char dir[96];	  /* the device directory */
	char outside[96]; /* victims of planted links: must never change */
	struct fws_device dev;
	struct fws_dir_backend be;
	int open;
} TD;

/* xorshift bytes: no period that memmem could confuse. */
static inline void td_fill(uint8_t *buf, size_t len, uint32_t x)
{
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
}

/* A release of the two payloads (rootfs, kernel) signed by signer. */
static inline uint8_t *td_bundle(const char *version, uint64_t sv, const struct test_key *signer,
				 const char *min_version, size_t *len)
{
	const struct test_key *signers[] = {signer};
	struct test_payload p[] = {{"fw.img", "rootfs", TD.img, sizeof(TD.img), 4096},
				   {"k.img", "kernel", TD.kern, sizeof(TD.kern), 4096}};
	struct test_release rel = {version, sv,	  "test-hw", 0, p, 2,	       signers,
				   1,	    NULL, NULL,	     0, 0, min_version};
	return test_bundle_build(&rel, len);
}

static inline void td_open(const struct fws_fs_ops *fs)
{
	int rc = fws_dir_device_open(&TD.dev, &TD.be, TD.dir, fs, 1);
	cr_assert_eq(rc, 0, "open %s: %s (%s: %s)", TD.dir, fws_errname(rc), fws_diag_last()->where,
		     fws_diag_last()->why);
	TD.open = 1;
}

static inline void td_close(void)
{
	if (TD.open)
		fws_dir_device_close(&TD.be);
	TD.open = 0;
}

/* Keys, root, images and a directory; the device is made but not
 * provisioned. */
static inline void td_setup_unprovisioned(void)
{
	core_setup();
	memset(&TD.dev, 0, sizeof(TD.dev));
	test_key_make(&TD.root, 31);
	test_key_make(&TD.release, 32);
	test_key_make(&TD.stranger, 33);
	root_begin(&TD.r1, 1);
	root_add_key(&TD.r1, &TD.root);
	root_add_key(&TD.r1, &TD.release);
	role_add(&TD.r1, FWS_ROLE_ROOT, &TD.root);
	role_add(&TD.r1, FWS_ROLE_RELEASE, &TD.release);
	TD.r1.roles[0].threshold = TD.r1.roles[1].threshold = 1;
	const struct test_key *s[] = {&TD.root};
	size_t len;
	TD.r1_json = test_root_json(&TD.r1, s, 1, &len);
	td_fill(TD.img, sizeof(TD.img), 2463534242u);
	td_fill(TD.kern, sizeof(TD.kern), 88675123u);
	strcpy(TD.base, "/tmp/fwseal-dev-XXXXXX");
	cr_assert_not_null(mkdtemp(TD.base));
	snprintf(TD.dir, sizeof(TD.dir), "%s/dev", TD.base);
	snprintf(TD.outside, sizeof(TD.outside), "%s/outside", TD.base);
	cr_assert_eq(mkdir(TD.outside, 0755), 0);
	td_open(NULL);
}

static inline void td_provision(const struct fws_factory *factory)
{
	int rc = fws_device_provision(&TD.dev, (uint8_t *)TD.r1_json, strlen(TD.r1_json), "test-hw",
				      "unit-7", factory);
	cr_assert_eq(rc, 0, "provision: %s", fws_errname(rc));
}

/* The usual start: a provisioned device, set a confirmed and empty. */
static inline void td_setup(void)
{
	td_setup_unprovisioned();
	td_provision(NULL);
}

static inline void td_teardown(void)
{
	td_close();
	free(TD.r1_json);
	TD.r1_json = NULL;
	if (TD.base[0] != '\0')
		fs_rm_rf(TD.base);
}

static inline int td_install_on(struct fws_device *dev, const uint8_t *b, size_t len)
{
	struct mem_reader r = {b, len, 0, 0, 0};
	static struct fws_verify_result res;
	return fws_device_install(dev, mem_read, &r, NULL, &res);
}

static inline int td_install(const uint8_t *b, size_t len)
{
	return td_install_on(&TD.dev, b, len);
}

static inline struct fws_device_status td_status(void)
{
	struct fws_device_status st;
	int rc = fws_device_status(&TD.dev, &st);
	cr_assert_eq(rc, 0, "status: %s", fws_errname(rc));
	return st;
}

static inline char td_boot(void)
{
	char set = '?';
	int rc = fws_device_boot(&TD.dev, &set);
	cr_assert_eq(rc, 0, "boot: %s (%s)", fws_errname(rc), fws_diag_last()->why);
	return set;
}

/* install, boot the new set, mark it good. */
static inline void td_install_confirm(const uint8_t *b, size_t len)
{
	int rc = td_install(b, len);
	cr_assert_eq(rc, 0, "install: %s (%s)", fws_errname(rc), fws_diag_last()->why);
	char pending = td_status().state.pending_slot;
	cr_assert_eq(td_boot(), pending);
	rc = fws_device_mark_good(&TD.dev, FWS_SET_BOOTED);
	cr_assert_eq(rc, 0, "mark-good: %s (%s)", fws_errname(rc), fws_diag_last()->why);
}

/* --- the audit log as lines --- */

struct td_lines {
	size_t n;
	char line[128][2048];
};

static inline int td_collect(void *arg, const char *line, size_t len)
{
	struct td_lines *c = arg;
	cr_assert_lt(len, sizeof(c->line[0]));
	cr_assert_lt(c->n, 128);
	memcpy(c->line[c->n], line, len);
	c->line[c->n][len] = '\0';
	c->n++;
	return 0;
}

/* Every committed line (the caller frees). The chain must verify. */
static inline struct td_lines *td_log(void)
{
	struct td_lines *c = calloc(1, sizeof(*c));
	uint64_t entries = 0, bad = 0;
	cr_assert_not_null(c);
	int rc = fws_audit_log_verify(TD.dev.log, &entries, &bad);
	cr_assert_eq(rc, 0, "log verify: %s at line %llu", fws_errname(rc),
		     (unsigned long long)bad);
	cr_assert_eq(fws_audit_log_read(TD.dev.log, td_collect, c), 0);
	cr_assert_eq(c->n, entries);
	return c;
}

static inline size_t td_log_count(void)
{
	struct td_lines *c = td_log();
	size_t n = c->n;
	free(c);
	return n;
}

/* 1 when line records action with result ("ok" or an error name). */
static inline int td_line_is(const char *line, const char *action, const char *result)
{
	char want[160];
	snprintf(want, sizeof(want), "\"action\":\"%s\",\"result\":\"%s\"", action, result);
	return strstr(line, want) != NULL;
}

/* How many lines record action (any result). */
static inline size_t td_log_actions(const struct td_lines *c, const char *action)
{
	char want[96];
	size_t n = 0;
	snprintf(want, sizeof(want), "\"action\":\"%s\"", action);
	for (size_t i = 0; i < c->n; i++)
		n += strstr(c->line[i], want) != NULL;
	return n;
}

/* The device's own files, byte for byte. */
static inline char *td_file(const char *name, size_t *len)
{
	char *s = fs_slurp(pj(TD.dir, name), len);
	cr_assert_not_null(s, "read %s", name);
	return s;
}

/* Rewrites DIR/state with st (re-encoded, so it is a valid state). */
static inline void td_write_state(const struct fws_device_state *st)
{
	char buf[FWS_STATE_MAX];
	size_t len;
	cr_assert_eq(fws_state_encode(st, buf, sizeof(buf), &len), 0);
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s/state.test", TD.base);
	fs_spill(tmp, buf, len, 0600);
	cr_assert_eq(rename(tmp, pj(TD.dir, "state")), 0);
}

#endif
