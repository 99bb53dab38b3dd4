/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the signing-side commands that read a verified bundle whole
 * (lib/sign/sbom_bundle.c, attest.c, record.c). Internal. */
#ifndef FWSEAL_SIGN_SBOM_INTERNAL_H
#define FWSEAL_SIGN_SBOM_INTERNAL_H

#include "fwseal/bundle.h"

/* What a verified pass over a bundle saw besides the verify result. */
struct fws_bundle_facts {
	uint8_t bundle_sha256[32]; /* SHA-256 of the raw bytes read (the .fwb file) */
	uint64_t bundle_bytes;
	uint8_t payload_sha256[FWS_MAX_PAYLOADS][32]; /* plain SHA-256 of each payload */
	uint8_t *sbom;				      /* malloc'd copy of the SBOM entry, or NULL */
	size_t sbom_len;
};

/* fws_bundle_verify_sbom, also hashing the raw input and every payload's
 * verified bytes (facts->sbom is the caller's to free). */
int fws_bundle_verify_facts(fws_read_fn read, void *read_ctx, const struct fws_verify_opts *opts,
			    struct fws_verify_result *result, int sbom_required,
			    struct fws_bundle_facts *facts);

/* Ends a command's pass: copies r to result (when both are there), then
 * frees r and facts with the SBOM copy. Either may be NULL. */
void fws_bundle_facts_release(struct fws_bundle_facts *facts, struct fws_verify_result *r,
			      struct fws_verify_result *result);

#endif
