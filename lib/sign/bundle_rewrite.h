/* SPDX-License-Identifier: Apache-2.0 */
/* What the commands that copy a verified bundle with one entry replaced
 * share (fwseal sign: the manifest envelope, lib/sign/cosign.c; fwseal
 * encrypt: the recipients entry, lib/sign/encrypt_retarget.c). */
#ifndef FWSEAL_SIGN_BUNDLE_REWRITE_H
#define FWSEAL_SIGN_BUNDLE_REWRITE_H

#include "bundle/source.h"
#include "bundle/tar_reader.h"
#include "fwseal/bundle.h"
#include "fwseal/bundle_write.h"
#include "fwseal/envelope.h"

/* The manifest check of both commands' verify passes: every signature by
 * an authorised key must hold, but the release threshold may not be met
 * yet (a co-signer is on the way to it; re-encrypting adds no trust). */
int fws_rewrite_threshold_may_be_unmet(const struct fws_envelope *env, const struct fws_root *root,
				       struct fws_signers *signers);

/* Starts the copy: the input r reads (r->fd) read again from its start,
 * the archive reader on it, and a writer to out_fd with the
 * input's compression and entry time (res, from the verify pass), so that
 * every entry not replaced is written back byte for byte. On failure
 * nothing is left open: *w is NULL. */
int fws_rewrite_begin(struct fws_source *src, struct fws_tar *tar, struct fws_fd_reader *r,
		      int out_fd, const struct fws_verify_result *res,
		      struct fws_bundle_writer **w);

/* Ends the copy: the reader closed, the writer finished when rc is 0 and
 * abandoned otherwise. Returns rc, or the writer's failure to finish. */
int fws_rewrite_end(struct fws_source *src, struct fws_bundle_writer *w, int rc);

#endif
