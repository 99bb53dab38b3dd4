/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE /* renameat2 */
/* req: REQ-SBOM-004 */
/* The device keeps the SBOM of the release in each set (docs/format.md
 * §14.4): only after the whole bundle verified, never in a slot, and never
 * one that disagrees with what the state says the set holds, whichever
 * file-system call of the install fails. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_device_helpers.h"

/* tests/sbom/unit-min.cdx.json, validated against the CycloneDX 1.6 schema
 * by tests/cli/test_sbom.sh (the device neither parses nor checks it).
 * Unit tests run in tests/. */
#ifndef SBOM_DIR
#define SBOM_DIR "sbom"
#endif
static char SBOM[256];

static void setup(void)
{
	FILE *f = fopen(SBOM_DIR "/unit-min.cdx.json", "rb");
	cr_assert_not_null(f);
	size_t n = fread(SBOM, 1, sizeof(SBOM) - 1, f);
	fclose(f);
	cr_assert_gt(n, 0);
	SBOM[n] = '\0';
	td_setup();
}

/* Every call through the table from the N-th on fails with EIO: the
 * process "dies" there, what it already did stays. */
static struct {
	unsigned calls, fail_at;
} FAIL;

static int alive(void)
{
	if (++FAIL.calls < FAIL.fail_at)
		return 1;
	errno = EIO;
	return 0;
}
static int f_openat(void *c, int d, const char *n, int fl, unsigned m)
{
	(void)c;
	return alive() ? openat(d, n, fl, (mode_t)m) : -1;
}
static ssize_t f_write(void *c, int fd, const void *b, size_t l)
{
	(void)c;
	return alive() ? write(fd, b, l) : -1;
}
static int f_fsync(void *c, int fd)
{
	(void)c;
	return alive() ? fsync(fd) : -1;
}
static int f_ftruncate(void *c, int fd, off_t l)
{
	(void)c;
	return alive() ? ftruncate(fd, l) : -1;
}
static int f_renameat(void *c, int fd, const char *a, int td, const char *b, unsigned fl)
{
	(void)c;
	return alive() ? renameat2(fd, a, td, b, fl) : -1;
}
static int f_linkat(void *c, int fd, const char *a, int td, const char *b)
{
	(void)c;
	return alive() ? linkat(fd, a, td, b, 0) : -1;
}
static int f_unlinkat(void *c, int d, const char *n, int fl)
{
	(void)c;
	return alive() ? unlinkat(d, n, fl) : -1;
}
static int f_mkdirat(void *c, int d, const char *n, unsigned m)
{
	(void)c;
	return alive() ? mkdirat(d, n, (mode_t)m) : -1;
}
static const struct fws_fs_ops failing = {NULL,	      f_openat, f_write,    f_fsync,  f_ftruncate,
					  f_renameat, f_linkat, f_unlinkat, f_mkdirat};

static uint8_t *sbom_bundle(const char *version, uint64_t sv, const char *sbom, size_t *len)
{
	const struct test_key *signers[] = {&TD.release};
	struct test_payload p[] = {{"fw.img", "rootfs", TD.img, sizeof(TD.img), 4096},
				   {"k.img", "kernel", TD.kern, sizeof(TD.kern), 4096}};
	struct test_release rel = {.version = version,
				   .security_version = sv,
				   .hardware = "test-hw",
				   .payloads = p,
				   .n_payloads = 2,
				   .signers = signers,
				   .n_signers = 1,
				   .sbom = sbom};
	return test_bundle_build(&rel, len);
}

/* What the state says set holds, and the SBOM the device gives for it. */
static int sbom_of(char set, char *version, uint8_t *buf, size_t cap, size_t *len)
{
	char used;
	int fd = -1;
	int rc = fws_device_sbom_open(&TD.dev, set, &fd, &used, version);
	*len = 0;
	if (rc == 0) {
		ssize_t n = read(fd, buf, cap);
		cr_assert_geq(n, 0);
		*len = (size_t)n;
		close(fd);
	}
	return rc;
}

/* A set directory holds payload targets and nothing else: the SBOM is
 * never written into a slot. */
static void only_targets_in(const char *dir, unsigned n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (d == NULL)
		return; /* no set directory yet */
	while ((e = readdir(d)) != NULL)
		cr_assert(e->d_name[0] == '.' || strcmp(e->d_name, "rootfs") == 0 ||
			      strcmp(e->d_name, "kernel") == 0,
			  "fail at call %u: %s in a slot", n, e->d_name);
	closedir(d);
}

TestSuite(sbom_device, .init = setup, .fini = td_teardown);

Test(sbom_device, sbom_kept_with_the_release_and_dropped_with_it)
{
	uint8_t buf[512];
	char version[FWS_VERSION_MAX + 1];
	size_t len, blen;
	uint8_t *b1 = sbom_bundle("1.0.0", 1, SBOM, &blen);
	cr_assert_eq(td_install(b1, blen), 0);
	cr_assert_eq(sbom_of('b', version, buf, sizeof(buf), &len), 0);
	cr_assert_str_eq(version, "1.0.0");
	cr_assert_eq(len, strlen(SBOM));
	cr_assert_eq(memcmp(buf, SBOM, len), 0);
	cr_assert_eq(sbom_of(0, version, buf, sizeof(buf), &len), FWS_ENOENT,
		     "the confirmed set a holds no release yet");
	/* Cancelled: the state gives set b up, and its SBOM with it. */
	char set;
	cr_assert_eq(fws_device_rollback(&TD.dev, &set), 0);
	cr_assert_eq(sbom_of('b', version, buf, sizeof(buf), &len), FWS_ENOENT);
	/* A release without SBOM into b: the old file is removed. */
	uint8_t *b2 = td_bundle("1.1.0", 1, &TD.release, NULL, &blen);
	cr_assert_eq(td_install(b2, blen), 0);
	cr_assert_eq(sbom_of('b', version, buf, sizeof(buf), &len), FWS_ENOENT);
	cr_assert_not(fs_exists(pj(TD.dir, "sbom.b")));
	free(b1);
	free(b2);
}

/* req: REQ-SBOM-004, REQ-LIFE-003, REQ-LIFE-005 */
Test(sbom_device, every_failing_call_of_an_install_leaves_sbom_and_state_agreeing)
{
	uint8_t buf[512];
	char version[FWS_VERSION_MAX + 1];
	size_t len, blen;
	uint8_t *b = sbom_bundle("1.0.0", 1, SBOM, &blen);
	int done = 0, kept_while_failing = 0;
	unsigned n;
	for (n = 1; n < 400 && !done; n++) {
		td_teardown();
		td_setup();
		td_close();
		FAIL.calls = 0;
		FAIL.fail_at = n;
		td_open(&failing);
		int rc = td_install(b, blen);
		done = rc == 0;
		td_close();
		td_open(NULL);
		struct fws_device_status st;
		cr_assert_eq(fws_device_status(&TD.dev, &st), 0, "fail at call %u", n);
		rc = sbom_of('b', version, buf, sizeof(buf), &len);
		if (st.state.slots[1].version[0] != '\0') {
			cr_assert_eq(rc, 0, "fail at call %u: set b holds %s without its SBOM", n,
				     st.state.slots[1].version);
			cr_assert_eq(len, strlen(SBOM));
			cr_assert_eq(memcmp(buf, SBOM, len), 0, "fail at call %u", n);
			kept_while_failing += !done;
		} else {
			cr_assert_eq(rc, FWS_ENOENT, "fail at call %u: an SBOM for an empty set",
				     n);
		}
		only_targets_in(pj(TD.dir, "b"), n);
	}
	cr_assert(done, "the install never got through");
	/* The loop reached the SBOM's own calls and those after them: an
	 * install whose last write (the audit line) failed still installed. */
	cr_assert_gt(n, 20, "only %u calls: the failures did not reach the commit", n);
	cr_log_info("%u failure points, %d of them after the SBOM and state were kept", n - 2,
		    kept_while_failing);
	free(b);
}

Test(sbom_device, install_line_records_the_sbom_digest)
{
	size_t blen;
	char hex[65];
	uint8_t digest[32];
	uint8_t *b = sbom_bundle("1.0.0", 1, SBOM, &blen);
	cr_assert_eq(td_install(b, blen), 0);
	fws_sha256(SBOM, strlen(SBOM), digest);
	fws_hex_encode(hex, digest, 32);
	struct td_lines *l = td_log();
	int found = 0;
	for (size_t i = 0; i < l->n; i++)
		if (td_line_is(l->line[i], "install", "ok") && strstr(l->line[i], hex) != NULL &&
		    strstr(l->line[i], "\"sbom\":\"") != NULL)
			found = 1;
	cr_assert(found, "no install line names the SBOM's digest");
	uint64_t entries = 0, bad = 0;
	cr_assert_eq(fws_audit_log_verify(TD.dev.log, &entries, &bad), 0);
	free(l);
	free(b);
}
