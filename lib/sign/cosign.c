/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal sign: co-signing a bundle for M-of-N release approval. Each
 * approver verifies the bundle on their own machine, adds their signature,
 * and passes it on; nobody ever needs another person's secret key. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/source.h"
#include "bundle/tar_reader.h"
#include "bundle/verify_internal.h"
#include "fwseal/bundle_write.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/fileio.h"
#include "io/io.h"
#include "fwseal/keys.h"
#include "fwseal/sha256.h"
#include "sign/bundle_rewrite.h"
#include "sign/release_key.h"

struct cosign_ctx {
	struct fws_envelope env;
	struct fws_source src;
	struct fws_tar tar;
	struct fws_tar_entry entry;
	uint8_t buf[256 * 1024];
};

/* Progress over the three passes (check, rewrite, check the result). */
struct passes {
	fws_progress_fn fn;
	void *ctx;
	uint64_t base, total;
};

static void pass_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct passes *p = ctx;
	(void)total;
	if (p->fn != NULL)
		p->fn(p->ctx, p->base + done, p->total);
}

/* What a co-signer must know before adding a signature: every check of
 * fws_bundle_verify (root chain, manifest schema, every chunk, archive
 * structure), except that the release threshold may not be met yet. A bad
 * signature from an authorised key is still refused (FWS_EBADSIG): it means
 * the manifest was altered after someone signed it. */
static int check_bundle(int fd, const struct fws_root *trusted, int64_t now,
			struct fws_verify_result *res, struct fws_envelope *env,
			struct passes *pp)
{
	struct fws_verify_opts vo;
	struct fws_fd_reader r = {.fd = fd, .progress = pass_progress, .progress_ctx = pp};
	memset(&vo, 0, sizeof(vo));
	vo.trusted_root = trusted;
	vo.now = now;
	if (lseek(fd, 0, SEEK_SET) != 0)
		return FWS_EIO;
	int rc = fws_bundle_verify_custom(fws_read_fd_timed, &r, &vo, NULL, res,
					  fws_rewrite_threshold_may_be_unmet, env);
	pp->base += r.bytes;
	return rc;
}

/* Copies the bundle entry by entry, replacing only the manifest envelope.
 * The old envelope must be byte-identical to the one verified. */
static int rewrite(struct cosign_ctx *c, int in_fd, int out_fd, const char *json,
		   size_t json_len, const struct fws_verify_result *res, struct passes *pp)
{
	struct fws_bundle_writer *w = NULL;
	struct fws_fd_reader r = {.fd = in_fd, .progress = pass_progress, .progress_ctx = pp};
	uint8_t digest[32];
	int rc, first = 1;
	rc = fws_rewrite_begin(&c->src, &c->tar, &r, out_fd, res, &w);
	if (rc != 0) {
		pp->base += r.bytes;
		return rc;
	}
	while ((rc = fws_tar_next(&c->tar, &c->entry)) == 0) {
		if (first) {
			first = 0;
			if (c->entry.size > FWS_ENVELOPE_MAX) {
				rc = FWS_ELIMIT;
				break;
			}
			rc = fws_tar_read_all(&c->tar, c->buf, (size_t)c->entry.size);
			if (rc != 0)
				break;
			fws_sha256(c->buf, (size_t)c->entry.size, digest);
			if (memcmp(digest, res->manifest_sha256, 32) != 0) {
				rc = FWS_EDIGEST; /* the file changed since it was verified */
				break;
			}
			rc = fws_bundle_writer_entry(w, "manifest.json", json_len);
			if (rc == 0)
				rc = fws_bundle_writer_data(w, json, json_len);
		} else {
			size_t got;
			rc = fws_bundle_writer_entry(w, c->entry.path, c->entry.size);
			while (rc == 0 &&
			       (rc = fws_tar_read(&c->tar, c->buf, sizeof(c->buf), &got)) == 0 &&
			       got > 0)
				rc = fws_bundle_writer_data(w, c->buf, got);
		}
		if (rc != 0)
			break;
	}
	if (rc == 1)
		rc = 0; /* end of archive */
	pp->base += r.bytes;
	return fws_rewrite_end(&c->src, w, rc);
}

static int signed_by(const struct fws_signers *s, const uint8_t keyid[32])
{
	for (size_t i = 0; i < s->n; i++)
		if (memcmp(s->keyids[i], keyid, 32) == 0)
			return 1;
	return 0;
}

int fws_bundle_add_signature(const char *path, const struct fws_root *trusted,
			     const struct fws_signing_key *key, int64_t now,
			     const char *const *inputs, size_t n_inputs, fws_progress_fn progress,
			     void *progress_ctx, struct fws_verify_result *res)
{
	struct cosign_ctx *c = NULL;
	struct fws_envelope *check_env = NULL;
	struct fws_output out;
	uint8_t keyid[32];
	char *json = NULL;
	size_t json_len;
	int in_fd = -1, rc;

	out.fd = out.dirfd = -1;
	out.tmp[0] = '\0';
	if (path == NULL || trusted == NULL || key == NULL || res == NULL)
		return FWS_EUSAGE;
	c = calloc(1, sizeof(*c));
	check_env = malloc(sizeof(*check_env));
	if (c == NULL || check_env == NULL) {
		rc = FWS_ENOMEM;
		goto out;
	}
	/* Rewritten in place, keeping its mode; refused when read-only or
	 * when it is the key or root file given. */
	rc = fws_output_open(&out, path, 0644, FWS_OUT_UPDATE, inputs, n_inputs);
	if (rc != 0)
		goto out;
	in_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (in_fd < 0) {
		rc = fws_diag_set(fws_errno_code(errno), errno, path, "cannot open");
		goto out;
	}
	struct stat sb;
	struct passes pp = {progress, progress_ctx, 0, 0};
	if (fstat(in_fd, &sb) == 0)
		pp.total = 3 * (uint64_t)sb.st_size;
	rc = check_bundle(in_fd, trusted, now, res, &c->env, &pp);
	if (rc != 0)
		goto out;
	rc = fws_release_key_check(key, &res->root, now, keyid);
	if (rc != 0)
		goto out;
	rc = fws_envelope_sign(&c->env, key);
	if (rc == 0)
		rc = fws_envelope_encode(&c->env, &json, &json_len);
	if (rc != 0)
		goto out;
	rc = rewrite(c, in_fd, out.fd, json, json_len, res, &pp);
	/* What we are about to publish must verify, with our signature in it. */
	if (rc == 0)
		rc = check_bundle(out.fd, trusted, now, res, check_env, &pp);
	if (rc == 0 && !signed_by(&res->signers, keyid))
		rc = FWS_EINTERNAL;
	if (rc == 0)
		rc = fws_output_commit(&out);
out:
	fws_output_abort(&out);
	if (in_fd >= 0)
		close(in_fd);
	free(json);
	free(check_env);
	free(c);
	return rc;
}
