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
#include "fwseal/error.h"
#include "fwseal/fileio.h"
#include "fwseal/keys.h"
#include "fwseal/sha256.h"

struct cosign_ctx {
	struct fws_envelope env;
	struct fws_source src;
	struct fws_tar tar;
	struct fws_tar_entry entry;
	uint8_t buf[256 * 1024];
};

static int check_bundle(int fd, const struct fws_root *trusted, int64_t now,
			struct fws_verify_result *res, struct fws_envelope *env)
{
	struct fws_verify_opts vo;
	memset(&vo, 0, sizeof(vo));
	vo.trusted_root = trusted;
	vo.now = now;
	if (lseek(fd, 0, SEEK_SET) != 0)
		return FWS_EIO;
	return fws_bundle_verify_unsigned_ok(fws_read_fd, &fd, &vo, res, env);
}

/* Copies the bundle entry by entry, replacing only the manifest envelope.
 * The old envelope must be byte-identical to the one verified. */
static int rewrite(struct cosign_ctx *c, int in_fd, int out_fd, const char *json,
		   size_t json_len, const struct fws_verify_result *res)
{
	struct fws_bundle_writer *w = NULL;
	uint8_t digest[32];
	int rc, first = 1;
	if (lseek(in_fd, 0, SEEK_SET) != 0)
		return FWS_EIO;
	rc = fws_source_open(&c->src, fws_read_fd, &in_fd);
	if (rc == 0)
		rc = fws_bundle_writer_open(&w, out_fd, res->compressed, res->manifest.created);
	if (rc != 0)
		goto out;
	fws_tar_init(&c->tar, &c->src);
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
out:
	fws_source_close(&c->src);
	if (w != NULL) {
		if (rc == 0)
			rc = fws_bundle_writer_close(w);
		else
			fws_bundle_writer_abort(w);
	}
	return rc;
}

static int signed_by(const struct fws_signers *s, const uint8_t keyid[32])
{
	for (size_t i = 0; i < s->n; i++)
		if (memcmp(s->keyids[i], keyid, 32) == 0)
			return 1;
	return 0;
}

int fws_bundle_add_signature(const char *path, const struct fws_root *trusted,
			     const struct fws_secret_key *key, int64_t now,
			     struct fws_verify_result *res)
{
	struct cosign_ctx *c = NULL;
	struct fws_envelope *check_env = NULL;
	uint8_t pk[32], keyid[32];
	char tmp[PATH_MAX], *json = NULL;
	size_t json_len;
	int in_fd = -1, out_fd = -1, rc;

	if (path == NULL || trusted == NULL || key == NULL || res == NULL)
		return FWS_EUSAGE;
	c = calloc(1, sizeof(*c));
	check_env = malloc(sizeof(*check_env));
	if (c == NULL || check_env == NULL) {
		rc = FWS_ENOMEM;
		goto out;
	}
	in_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (in_fd < 0) {
		rc = errno == ENOENT ? FWS_ENOENT : FWS_EIO;
		goto out;
	}
	rc = check_bundle(in_fd, trusted, now, res, &c->env);
	if (rc != 0)
		goto out;
	fws_secret_key_public(key, pk, keyid);
	if (!fws_root_role_has(&res->root, FWS_ROLE_RELEASE, keyid)) {
		rc = FWS_ENOTAUTHORISED;
		goto out;
	}
	rc = fws_root_check_not_expired(&res->root, now); /* never sign under it */
	if (rc != 0)
		goto out;
	rc = fws_envelope_sign(&c->env, key);
	if (rc == 0)
		rc = fws_envelope_encode(&c->env, &json, &json_len);
	if (rc != 0)
		goto out;
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		rc = FWS_ELIMIT;
		goto out;
	}
	out_fd = mkstemp(tmp);
	if (out_fd < 0) {
		rc = FWS_EIO;
		goto out;
	}
	rc = rewrite(c, in_fd, out_fd, json, json_len, res);
	if (rc == 0 && (fchmod(out_fd, 0644) != 0 || fsync(out_fd) != 0))
		rc = FWS_EIO;
	/* What we are about to publish must verify, with our signature in it. */
	if (rc == 0)
		rc = check_bundle(out_fd, trusted, now, res, check_env);
	if (rc == 0 && !signed_by(&res->signers, keyid))
		rc = FWS_EINTERNAL;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = FWS_EIO;
	if (rc == 0)
		rc = fws_fsync_parent(path);
	else
		unlink(tmp);
out:
	if (in_fd >= 0)
		close(in_fd);
	if (out_fd >= 0)
		close(out_fd);
	free(json);
	free(check_env);
	free(c);
	return rc;
}
