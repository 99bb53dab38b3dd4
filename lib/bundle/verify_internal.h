/* SPDX-License-Identifier: Apache-2.0 */
/* The bundle verifier with the manifest's signature rule as a parameter.
 * Hidden: devices use fws_bundle_verify (the release threshold of the
 * newest root); only the signing side's co-signer (lib/sign/cosign.c)
 * passes a rule of its own (a threshold not met yet). */
#ifndef FWSEAL_BUNDLE_VERIFY_INTERNAL_H
#define FWSEAL_BUNDLE_VERIFY_INTERNAL_H

#include "fwseal/bundle.h"

/* 0 when env's signatures satisfy the rule against root; signers gets the
 * authorised keys whose signature verified. */
typedef int (*fws_manifest_sig_check)(const struct fws_envelope *env,
				      const struct fws_root *root, struct fws_signers *signers);

/* fws_bundle_verify with sig_check for the manifest; manifest_env (may be
 * NULL) receives the manifest envelope. */
int fws_bundle_verify_custom(fws_read_fn read, void *read_ctx, const struct fws_verify_opts *opts,
			     const struct fws_sink *sink, struct fws_verify_result *result,
			     fws_manifest_sig_check sig_check, struct fws_envelope *manifest_env);

#endif
