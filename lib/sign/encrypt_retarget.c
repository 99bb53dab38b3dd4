/* SPDX-License-Identifier: Apache-2.0 */
/* `fwseal encrypt`: the same signed release for another audience (ADR-061).
 * The recipients entry is the one part of an encrypted bundle outside the
 * signature; everything else is copied byte for byte, so every signature
 * and digest still holds. Three passes: verify the input and open its
 * recipients entry (the key must match the signed commitment), rewrite
 * with a new entry, verify the output before it is committed. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle/decrypt_sink.h"
#include "bundle/source.h"
#include "bundle/tar_reader.h"
#include "bundle/verify_internal.h"
#include "fwseal/bundle_write.h"
#include "fwseal/encrypt.h"
#include "fwseal/error.h"
#include "fwseal/fileio.h"
#include "fwseal/sha256.h"
#include "io/io.h"
#include "sign/bundle_rewrite.h"
#include "sign/encrypt_write.h"

struct retarget_ctx {
	struct fws_source src;
	struct fws_tar tar;
	struct fws_tar_entry entry;
	uint8_t buf[256 * 1024];
};

static int verify_fd(int fd, const struct fws_retarget_opts *o, const struct fws_sink *sink,
		     struct fws_verify_result *res)
{
	struct fws_verify_opts vo;
	struct fws_fd_reader r = {.fd = fd};
	memset(&vo, 0, sizeof(vo));
	vo.trusted_root = o->trusted;
	vo.now = o->now;
	if (lseek(fd, 0, SEEK_SET) != 0)
		return FWS_EIO;
	return fws_bundle_verify_custom(fws_read_fd_timed, &r, &vo, sink, res,
					fws_rewrite_threshold_may_be_unmet, NULL);
}

static int rewrite(struct retarget_ctx *c, int in_fd, int out_fd, const uint8_t file_key[16],
		   const struct fws_retarget_opts *o, const struct fws_verify_result *res)
{
	struct fws_bundle_writer *w = NULL;
	struct fws_fd_reader r = {.fd = in_fd};
	uint8_t digest[32];
	int rc, first = 1;
	if ((rc = fws_rewrite_begin(&c->src, &c->tar, &r, out_fd, res, &w)) != 0)
		return rc;
	while ((rc = fws_tar_next(&c->tar, &c->entry)) == 0) {
		size_t got;
		if (strcmp(c->entry.path, "recipients") == 0) {
			/* Skip the old entry's bytes; write the new one. */
			while ((rc = fws_tar_read(&c->tar, c->buf, sizeof(c->buf), &got)) == 0 &&
			       got > 0)
				;
			if (rc == 0)
				rc = fws_recipients_entry_write(w, file_key, o->recipients,
								o->n_recipients);
		} else {
			rc = fws_bundle_writer_entry(w, c->entry.path, c->entry.size);
			if (rc == 0 && first) {
				/* The file must be the one verified. */
				if (c->entry.size > FWS_ENVELOPE_MAX)
					rc = FWS_ELIMIT;
				if (rc == 0)
					rc = fws_tar_read_all(&c->tar, c->buf, (size_t)c->entry.size);
				if (rc == 0)
					fws_sha256(c->buf, (size_t)c->entry.size, digest);
				if (rc == 0 && memcmp(digest, res->manifest_sha256, 32) != 0)
					rc = fws_diag_set(FWS_EDIGEST, 0, o->in_path,
							  "changed since it was verified");
				if (rc == 0)
					rc = fws_bundle_writer_data(w, c->buf, (size_t)c->entry.size);
			}
			while (rc == 0 && !first &&
			       (rc = fws_tar_read(&c->tar, c->buf, sizeof(c->buf), &got)) == 0 &&
			       got > 0)
				rc = fws_bundle_writer_data(w, c->buf, got);
		}
		first = 0;
		if (rc != 0)
			break;
	}
	if (rc == 1)
		rc = 0;
	return fws_rewrite_end(&c->src, w, rc);
}

int fws_bundle_retarget(const struct fws_retarget_opts *o, struct fws_verify_result *res)
{
	struct fws_decrypt_sink *ds = NULL;
	struct retarget_ctx *c = NULL;
	struct fws_output out;
	uint8_t *file_key = NULL;
	int in_fd = -1, rc;
	out.fd = out.dirfd = -1;
	out.tmp[0] = '\0';
	if (o == NULL || res == NULL || o->in_path == NULL || o->out_path == NULL ||
	    o->trusted == NULL || o->identity == NULL || o->n_recipients == 0)
		return FWS_EUSAGE;
	rc = fws_output_open(&out, o->out_path, 0644, o->force ? FWS_OUT_REPLACE : FWS_OUT_NEW,
			     o->inputs, o->n_inputs);
	if (rc != 0)
		return rc;
	c = malloc(sizeof(*c));
	file_key = sodium_malloc(FWS_FILE_KEY_LEN);
	if (c == NULL || file_key == NULL) {
		rc = FWS_ENOMEM;
		goto out;
	}
	in_fd = open(o->in_path, O_RDONLY | O_CLOEXEC);
	if (in_fd < 0) {
		rc = fws_diag_set(fws_errno_code(errno), errno, o->in_path, "cannot open");
		goto out;
	}
	/* Pass 1: all of it verifies, and our key opens it to the committed key. */
	rc = fws_decrypt_sink_new(o->identity, NULL, &ds);
	if (rc == 0)
		rc = verify_fd(in_fd, o, fws_decrypt_sink_sink(ds), res);
	if (rc == 0 && !res->manifest.encryption.enabled)
		rc = fws_diag_set(FWS_EUSAGE, 0, o->in_path,
				  "not an encrypted bundle: encrypt it with `fwseal pack "
				  "--encrypt` (its ciphertext must be signed)");
	if (rc == 0)
		rc = fws_decrypt_sink_file_key(ds, file_key);
	fws_decrypt_sink_free(ds);
	if (rc != 0)
		goto out;
	rc = rewrite(c, in_fd, out.fd, file_key, o, res);
	/* Pass 3: what we are about to publish verifies as it stands. */
	if (rc == 0)
		rc = verify_fd(out.fd, o, NULL, res);
	if (rc == 0)
		rc = fws_output_commit(&out);
out:
	fws_output_abort(&out);
	if (in_fd >= 0)
		close(in_fd);
	if (file_key != NULL)
		sodium_free(file_key);
	free(c);
	return rc;
}
