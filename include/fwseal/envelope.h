/* SPDX-License-Identifier: Apache-2.0 */
/* DSSE v1 envelopes: the signed wrapper around manifests and roots.
 *
 * Signatures are Ed25519 over PAE(type, body) =
 *   "DSSEv1" SP len(type) SP type SP len(body) SP body
 * with lengths in ASCII decimal, so a root can never be taken for a manifest. */
#ifndef FWSEAL_ENVELOPE_H
#define FWSEAL_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/export.h"
#include "fwseal/limits.h"

struct fws_root;

struct fws_signature {
	uint8_t keyid[32];
	uint8_t sig[64];
};

/* A decoded envelope. The body is stored inside its PAE so that signatures
 * are checked over exactly the bytes that are later parsed. */
struct fws_envelope {
	char payload_type[FWS_PAYLOAD_TYPE_MAX + 1];
	uint8_t pae[FWS_PAE_MAX];
	size_t pae_len;
	size_t body_offset; /* body = pae + body_offset, pae_len - body_offset bytes */
	struct fws_signature sigs[FWS_MAX_SIGNATURES];
	size_t n_sigs;
};

/* Which authorised keys produced a valid signature (for reports). */
struct fws_signers {
	uint8_t keyids[FWS_MAX_SIGNATURES][32];
	size_t n;
};

/* FWS_ROLE_TIMESTAMP (optional, docs/format.md "Channels"): the online key
 * that signs channels. A root without it has n_keyids 0 and threshold 0
 * and signs no channel; a root with it follows the same 1 <= t <= n rule. */
enum fws_role_id {
	FWS_ROLE_ROOT = 0,
	FWS_ROLE_RELEASE = 1,
	FWS_ROLE_TIMESTAMP = 2,
	FWS_ROLE_COUNT = 3
};

/* --- core (lib/core/envelope_verify.c, pae.c): no heap, no stdio --- */

/* Writes PAE(type, body) to out. FWS_ELIMIT if it does not fit in cap. */
FWS_API FWS_MUST_CHECK int fws_pae_encode(uint8_t *out, size_t cap, size_t *out_len,
					  const char *type, const uint8_t *body,
					  size_t body_len);

/* Sets env's payload type and body (PAE is built in place); no signatures. */
FWS_API FWS_MUST_CHECK int fws_envelope_set_body(struct fws_envelope *env, const char *type,
						 const uint8_t *body, size_t body_len);

FWS_API const uint8_t *fws_envelope_body(const struct fws_envelope *env, size_t *len);

/* Counts distinct key IDs authorised for `role` in `root` that have a valid
 * signature on env; each authorised key counts at most once, signatures from
 * unknown keys and invalid extra signatures are ignored. Returns 0 when the
 * count reaches the role's threshold and the payloadType equals
 * expected_type; otherwise FWS_EPAYLOADTYPE, FWS_EUNTRUSTED (no authorised
 * key signed), FWS_EBADSIG (an authorised key's signature failed and the
 * threshold was not met) or FWS_ETHRESHOLD. signers may be NULL. */
FWS_API FWS_MUST_CHECK int fws_envelope_verify(const struct fws_envelope *env,
					       const char *expected_type,
					       const struct fws_root *root, enum fws_role_id role,
					       struct fws_signers *signers);

/* --- bundle layer (lib/bundle/envelope_json.c): jansson --- */

/* Strict decode of envelope JSON: exactly the keys payload, payloadType,
 * signatures; standard padded base64; keyid 64 lowercase hex; sig exactly 64
 * bytes; 1..FWS_MAX_SIGNATURES signatures; no duplicate JSON keys; at most
 * FWS_ENVELOPE_MAX bytes. */
FWS_API FWS_MUST_CHECK int fws_envelope_decode(const uint8_t *json, size_t len,
					       struct fws_envelope *env);

/* Encodes env as DSSE JSON (sorted keys, 2-space indent, trailing newline)
 * into a malloc'd buffer the caller frees. Refuses what fws_envelope_decode
 * would refuse, including an envelope with no signature (FWS_EENVELOPE). */
FWS_API FWS_MUST_CHECK int fws_envelope_encode(const struct fws_envelope *env, char **out,
					       size_t *out_len);

#endif
