/* Adding one Ed25519 signature to a DSSE envelope. */
#include <sodium.h>
#include <string.h>

#include "fwseal/error.h"
#include "fwseal/keys.h"
#include "sign/key_internal.h"

int fws_envelope_sign(struct fws_envelope *env, const struct fws_secret_key *key)
{
	struct fws_signature sig;
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	int rc;

	if (env == NULL || key == NULL)
		return FWS_EUSAGE;
	/* Nothing to sign until fws_envelope_set_body built the PAE. */
	if (env->pae_len == 0 || env->pae_len > sizeof env->pae || env->payload_type[0] == '\0')
		return FWS_EUSAGE;
	if (env->n_sigs > FWS_MAX_SIGNATURES)
		return FWS_EINTERNAL;

	rc = fws_sign_key_open(key);
	if (rc != 0)
		return rc;
	memcpy(sig.keyid, key->keyid, sizeof sig.keyid);
	memcpy(pk, key->pk, sizeof pk);
	rc = 0;
	/* A second signature by the same key adds nothing (thresholds count
	 * distinct keys) and usually means a script ran twice. */
	for (size_t i = 0; i < env->n_sigs; i++) {
		if (memcmp(env->sigs[i].keyid, sig.keyid, sizeof sig.keyid) == 0) {
			rc = FWS_EALREADYSIGNED;
			break;
		}
	}
	if (rc == 0 && env->n_sigs == FWS_MAX_SIGNATURES)
		rc = FWS_ELIMIT;
	if (rc == 0 && crypto_sign_detached(sig.sig, NULL, env->pae, env->pae_len, key->sk) != 0)
		rc = FWS_ECRYPTO;
	fws_sign_key_close(key);
	if (rc != 0)
		goto out;

	/* Fault-attack defence: a glitch during signing can yield a bad
	 * signature that leaks the secret key. Verify with the public key
	 * before the signature leaves this function. */
	if (crypto_sign_verify_detached(sig.sig, env->pae, env->pae_len, pk) != 0) {
		rc = FWS_ECRYPTO;
		goto out;
	}
	env->sigs[env->n_sigs++] = sig;
out:
	sodium_memzero(&sig, sizeof sig);
	return rc;
}

int fws_sign_bytes(const struct fws_secret_key *key, const uint8_t *msg, size_t len,
		   uint8_t sig[crypto_sign_BYTES])
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	int rc;
	if (key == NULL || sig == NULL || (msg == NULL && len != 0))
		return FWS_EUSAGE;
	rc = fws_sign_key_open(key);
	if (rc != 0)
		return rc;
	memcpy(pk, key->pk, sizeof pk);
	rc = crypto_sign_detached(sig, NULL, msg, len, key->sk) == 0 ? 0 : FWS_ECRYPTO;
	fws_sign_key_close(key);
	if (rc == 0 && crypto_sign_verify_detached(sig, msg, len, pk) != 0)
		rc = FWS_ECRYPTO;
	if (rc != 0)
		sodium_memzero(sig, crypto_sign_BYTES);
	return rc;
}
