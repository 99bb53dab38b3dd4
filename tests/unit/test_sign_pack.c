/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-PERF-003 */
/* Single-pass pack (lib/sign/pack.c, ADR-048): each payload is read once,
 * and a payload file that changes while pack reads it is still refused —
 * in place with the same size (mtime/ctime), grown or shrunk — for one and
 * for several jobs, with nothing written. The change is made from pack's
 * own progress callback, i.e. between two chunks, deterministically. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fwseal/bundle.h"
#include "fwseal/fwseal.h"
#include "fwseal/keys.h"
#include "fwseal/signing_key.h"

#define PAYLOAD_LEN (256 * 1024 + 77)
#define KEYS "../keys-example/"

static char dir[64], payload[128], release[128], out[128];
static struct fws_signing_key *key;

enum change { NONE, REWRITE, APPEND, TRUNCATE };
struct hook {
	enum change change;
	int calls;
};

static void setup(void)
{
	cr_assert_eq(fws_init(), 0);
	snprintf(dir, sizeof dir, "/tmp/fws-pack-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(payload, sizeof payload, "%s/p.bin", dir);
	snprintf(release, sizeof release, "%s/release.json", dir);
	snprintf(out, sizeof out, "%s/out.fwb", dir);
	FILE *f = fopen(release, "w");
	cr_assert_not_null(f);
	fprintf(f, "{\"product\":\"p\",\"version\":\"1.0.0\",\"security_version\":1,"
		   "\"hardware\":[\"hw\"],\"payloads\":[{\"name\":\"p.bin\",\"file\":\"p.bin\","
		   "\"target\":\"rootfs\",\"chunk_size\":16384}]}");
	fclose(f);
	/* A copy with mode 0600: a fresh clone checks keys-example/ out 0644,
	 * and a secret key readable by others is refused (FWS_EKEYPERM). */
	char key_copy[128], cmd[512];
	snprintf(key_copy, sizeof key_copy, "%s/release.key", dir);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s' && chmod 0600 '%s'", KEYS "release.key", key_copy,
		 key_copy);
	cr_assert_eq(system(cmd), 0);
	struct fws_secret_key *secret = NULL;
	cr_assert_eq(fws_secret_key_load(key_copy, "fwseal-demo", 11, &secret), 0);
	cr_assert_eq(fws_signing_key_from_secret(secret, &key), 0);
}

static void teardown(void)
{
	char cmd[128];
	fws_signing_key_close(key);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(pack, .init = setup, .fini = teardown);

/* A fresh payload whose times lie in the past, so that any write shows in
 * its mtime whatever the clock's granularity. */
static void make_payload(void)
{
	static uint8_t data[PAYLOAD_LEN];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 131 + (i >> 9));
	int fd = open(payload, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, data, sizeof data), (ssize_t)sizeof data);
	struct timespec old[2] = {{978307200, 0}, {978307200, 0}}; /* 2001-01-01 */
	cr_assert_eq(futimens(fd, old), 0);
	close(fd);
}

/* Pack's progress callback, after its first chunk: another writer. */
static void writer(void *ctx, uint64_t done, uint64_t total)
{
	struct hook *h = ctx;
	(void)done;
	(void)total;
	if (h->calls++ != 0 || h->change == NONE)
		return;
	int fd = open(payload, O_WRONLY);
	cr_assert_geq(fd, 0);
	if (h->change == REWRITE) /* same size: a byte far behind the read */
		cr_assert_eq(pwrite(fd, "X", 1, PAYLOAD_LEN - 10), 1);
	else if (h->change == APPEND)
		cr_assert_eq(pwrite(fd, "X", 1, PAYLOAD_LEN), 1);
	else
		cr_assert_eq(ftruncate(fd, PAYLOAD_LEN - 5000), 0);
	close(fd);
}

static int pack(unsigned jobs, struct hook *h)
{
	const char *roots[] = {KEYS "root.json"};
	struct fws_pack_opts o = {0};
	struct fws_pack_result res;
	char failed[256];
	o.manifest_path = release;
	o.key = key;
	o.key_path = KEYS "release.key";
	o.root_paths = roots;
	o.n_roots = 1;
	o.out_path = out;
	o.force = 1;
	o.now = (int64_t)time(NULL);
	o.progress = writer;
	o.progress_ctx = h;
	o.jobs = jobs;
	return fws_pack(&o, &res, failed, sizeof failed);
}

static int verify_out(unsigned jobs)
{
	struct fws_root root;
	struct fws_verify_opts vo = {0};
	struct fws_verify_result *res = malloc(sizeof(*res));
	cr_assert_eq(fws_root_load_file(KEYS "root.json", &root, NULL), 0);
	vo.trusted_root = &root;
	vo.jobs = jobs;
	int fd = open(out, O_RDONLY);
	cr_assert_geq(fd, 0);
	int rc = fws_bundle_verify(fws_read_fd, &fd, &vo, NULL, res);
	close(fd);
	free(res);
	return rc;
}

Test(pack, unchanged_payload_packs_and_verifies)
{
	for (unsigned jobs = 1; jobs <= 4; jobs += 3) {
		struct hook h = {NONE, 0};
		make_payload();
		cr_assert_eq(pack(jobs, &h), 0, "jobs %u", jobs);
		cr_assert_gt(h.calls, 1, "progress was reported chunk by chunk");
		cr_assert_eq(verify_out(jobs), 0);
	}
}

Test(pack, payload_rewritten_in_place_while_read_is_refused)
{
	for (unsigned jobs = 1; jobs <= 4; jobs += 3) {
		struct hook h = {REWRITE, 0};
		make_payload();
		unlink(out);
		cr_assert_eq(pack(jobs, &h), FWS_EDIGEST, "jobs %u", jobs);
		cr_assert(strstr(fws_diag_last()->why, "changed while it was read") != NULL,
			  "why: %s", fws_diag_last()->why);
		cr_assert_neq(access(out, F_OK), 0, "jobs %u: a bundle was written", jobs);
	}
}

Test(pack, payload_grown_while_read_is_refused)
{
	for (unsigned jobs = 1; jobs <= 4; jobs += 3) {
		struct hook h = {APPEND, 0};
		make_payload();
		unlink(out);
		cr_assert_eq(pack(jobs, &h), FWS_ESIZE, "jobs %u", jobs);
		cr_assert_neq(access(out, F_OK), 0);
	}
}

Test(pack, payload_shrunk_while_read_is_refused)
{
	for (unsigned jobs = 1; jobs <= 4; jobs += 3) {
		struct hook h = {TRUNCATE, 0};
		make_payload();
		unlink(out);
		cr_assert_eq(pack(jobs, &h), FWS_ESIZE, "jobs %u", jobs);
		cr_assert_neq(access(out, F_OK), 0);
	}
}
