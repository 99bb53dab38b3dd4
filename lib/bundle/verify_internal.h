/* Signing-side entry into the bundle verifier. Internal: never exported,
 * never used on a device. */
#ifndef FWSEAL_BUNDLE_VERIFY_INTERNAL_H
#define FWSEAL_BUNDLE_VERIFY_INTERNAL_H

#include "fwseal/bundle.h"

/* What a co-signer must know before adding a signature: the same checks as
 * fws_bundle_verify (root chain, manifest schema, every chunk, archive
 * structure), except that the release threshold may not be met yet. A bad
 * signature from an authorised key is still refused (FWS_EBADSIG): it means
 * the manifest was altered after someone signed it. manifest_env receives
 * the manifest envelope. */
int fws_bundle_verify_unsigned_ok(fws_read_fn read, void *read_ctx,
				  const struct fws_verify_opts *opts,
				  struct fws_verify_result *result,
				  struct fws_envelope *manifest_env);

#endif
