/* SPDX-License-Identifier: Apache-2.0 */
/* Adding one Ed25519 signature to a DSSE envelope, through the key object
 * (lib/sign/keys/): whichever provider holds the key, the signature is
 * verified with its public key before it is added. */
#include <sodium.h>
#include <string.h>

#include "fwseal/error.h"
#include "fwseal/keys.h"

int fws_envelope_sign(struct fws_envelope *env, const struct fws_signing_key *key)
{
	struct fws_signature sig;
	uint8_t pk[32];
	int rc;

	if (env == NULL || key == NULL)
		return FWS_EUSAGE;
	/* Nothing to sign until fws_envelope_set_body built the PAE. */
	if (env->pae_len == 0 || env->pae_len > sizeof env->pae || env->payload_type[0] == '\0')
		return FWS_EUSAGE;
	if (env->n_sigs > FWS_MAX_SIGNATURES)
		return FWS_EINTERNAL;

	fws_signing_key_public(key, pk, sig.keyid);
	/* A second signature by the same key adds nothing (thresholds count
	 * distinct keys) and usually means a script ran twice. */
	for (size_t i = 0; i < env->n_sigs; i++)
		if (memcmp(env->sigs[i].keyid, sig.keyid, sizeof sig.keyid) == 0)
			return FWS_EALREADYSIGNED;
	if (env->n_sigs == FWS_MAX_SIGNATURES)
		return FWS_ELIMIT;
	/* Verified inside (fault-attack defence, and a token or signer
	 * command that answers with another key's signature is refused). */
	rc = fws_signing_key_sign(key, env->pae, env->pae_len, sig.sig);
	if (rc == 0)
		env->sigs[env->n_sigs++] = sig;
	sodium_memzero(&sig, sizeof sig);
	return rc;
}
