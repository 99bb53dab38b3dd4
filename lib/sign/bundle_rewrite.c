/* SPDX-License-Identifier: Apache-2.0 */
/* Copying a verified bundle with one entry replaced (bundle_rewrite.h).
 * Both users check the copied manifest envelope against the digest they
 * verified and verify the output again before it is committed: what is
 * shared here is only the plumbing, so that it cannot differ between them. */
#include <unistd.h>

#include "fwseal/error.h"
#include "sign/bundle_rewrite.h"

int fws_rewrite_threshold_may_be_unmet(const struct fws_envelope *env, const struct fws_root *root,
				       struct fws_signers *signers)
{
	int rc = fws_envelope_verify(env, FWS_TYPE_MANIFEST, root, FWS_ROLE_RELEASE, signers);
	return (rc == FWS_ETHRESHOLD || rc == FWS_EUNTRUSTED) ? 0 : rc;
}

int fws_rewrite_begin(struct fws_source *src, struct fws_tar *tar, struct fws_fd_reader *r,
		      int out_fd, const struct fws_verify_result *res, struct fws_bundle_writer **w)
{
	int rc;

	*w = NULL;
	if (lseek(r->fd, 0, SEEK_SET) != 0)
		return FWS_EIO;
	rc = fws_source_open(src, fws_read_fd_timed, r);
	if (rc == 0)
		rc = fws_bundle_writer_open(w, out_fd, res->compressed, res->manifest.created);
	if (rc != 0) {
		fws_source_close(src);
		return rc;
	}
	fws_tar_init(tar, src);
	return 0;
}

int fws_rewrite_end(struct fws_source *src, struct fws_bundle_writer *w, int rc)
{
	fws_source_close(src);
	if (w != NULL) {
		if (rc == 0)
			rc = fws_bundle_writer_close(w);
		else
			fws_bundle_writer_abort(w);
	}
	return rc;
}
