/* SPDX-License-Identifier: Apache-2.0 */
/* The key object: opens a key reference with the provider it names, and
 * stands between every provider and every signing path. Its one rule that
 * no provider can skip: a signature leaves only after it verified with
 * the key's public key (a glitched signing step can leak the secret key;
 * a token or signer command that signs with another key, or returns
 * garbage, must never put that into a bundle). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "io/io.h"
#include "sign/keys/key_provider.h"
#include "device/p11/pkcs11_token.h"

int fws_signing_key_wrap(const struct fws_key_provider *provider, void *impl,
			 const uint8_t public_key[32], const char *name,
			 struct fws_signing_key **out)
{
	struct fws_signing_key *k = calloc(1, sizeof *k);
	char *copy = strdup(name != NULL ? name : "");

	if (k == NULL || copy == NULL) {
		free(k);
		free(copy);
		provider->close(impl);
		return FWS_ENOMEM;
	}
	k->provider = provider;
	k->impl = impl;
	k->name = copy;
	memcpy(k->public_key, public_key, 32);
	fws_keyid(public_key, k->keyid);
	*out = k;
	return 0;
}

int fws_signing_key_open(const char *ref, const struct fws_key_open_opts *opts,
			 struct fws_signing_key **out)
{
	const struct fws_key_prompt *prompt = opts != NULL ? opts->prompt : NULL;

	if (out == NULL)
		return FWS_EUSAGE;
	*out = NULL;
	if (ref == NULL || ref[0] == '\0')
		return fws_diag_set(FWS_EUSAGE, 0, NULL, "no key given");
	if (sodium_init() < 0)
		return FWS_ECRYPTO;
	if (opts != NULL && opts->signer_command != NULL) {
		if (fws_key_ref_is_pkcs11(ref))
			return fws_diag_set(FWS_EUSAGE, 0, NULL,
					    "a signer command needs the signer's public key "
					    "file, not a pkcs11: URI");
		return fws_command_key_open(ref, opts->signer_command, opts->signer_timeout_ms,
					    out);
	}
	if (fws_key_ref_is_pkcs11(ref))
		return fws_pkcs11_key_open(ref, prompt, out);
	return fws_file_key_open(ref, prompt, out);
}

int fws_signing_key_sign(const struct fws_signing_key *key, const uint8_t *msg, size_t len,
			 uint8_t sig[64])
{
	int rc;

	if (key == NULL || sig == NULL || (msg == NULL && len > 0))
		return FWS_EUSAGE;
	rc = key->provider->sign(key->impl, msg, len, sig);
	if (rc != 0) {
		sodium_memzero(sig, 64);
		return rc;
	}
	if (crypto_sign_verify_detached(sig, msg, len, key->public_key) != 0) {
		sodium_memzero(sig, 64);
		return fws_diag_set(key->provider->bad_signature_code, 0, key->name,
				    "the %s's signature does not verify with the key's public key "
				    "(refused: another key, or a faulty signer)",
				    key->provider->kind);
	}
	return 0;
}

void fws_signing_key_public(const struct fws_signing_key *key, uint8_t public_key[32],
			    uint8_t keyid[32])
{
	if (key == NULL) {
		/* A key that can never verify anything, not stale bytes. */
		memset(public_key, 0, 32);
		memset(keyid, 0, 32);
		return;
	}
	memcpy(public_key, key->public_key, 32);
	memcpy(keyid, key->keyid, 32);
}

const char *fws_signing_key_name(const struct fws_signing_key *key)
{
	return key != NULL ? key->name : "";
}

void fws_signing_key_close(struct fws_signing_key *key)
{
	if (key == NULL)
		return;
	key->provider->close(key->impl);
	free(key->name);
	free(key);
}
