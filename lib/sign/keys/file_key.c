/* SPDX-License-Identifier: Apache-2.0 */
/* The encrypted key file provider (the default): the file format and its
 * checks stay in lib/sign/keyfile.c; this only puts the key object around
 * a loaded struct fws_secret_key. */
#include <sodium.h>
#include <string.h>

#include "fwseal/error.h"
#include "fwseal/keys.h"
#include "io/io.h"
#include "sign/key_internal.h"
#include "sign/keys/key_provider.h"

static int file_sign(void *impl, const uint8_t *msg, size_t len, uint8_t sig[64])
{
	const struct fws_secret_key *key = impl;
	int rc = fws_sign_key_open(key);

	if (rc != 0)
		return rc;
	if (crypto_sign_detached(sig, NULL, msg, len, key->sk) != 0)
		rc = FWS_ECRYPTO;
	fws_sign_key_close(key);
	return rc;
}

static void file_close(void *impl)
{
	fws_secret_key_free(impl);
}

static const struct fws_key_provider file_provider = {"key file", FWS_ECRYPTO, file_sign,
						      file_close};

static int wrap_named(struct fws_secret_key *key, const char *name, struct fws_signing_key **out)
{
	uint8_t pk[32], keyid[32];

	fws_secret_key_public(key, pk, keyid);
	return fws_signing_key_wrap(&file_provider, key, pk, name, out);
}

int fws_signing_key_from_secret(struct fws_secret_key *key, struct fws_signing_key **out)
{
	if (out == NULL) {
		fws_secret_key_free(key);
		return FWS_EUSAGE;
	}
	*out = NULL;
	if (key == NULL)
		return FWS_EUSAGE;
	return wrap_named(key, "(generated key)", out);
}

int fws_file_key_open(const char *path, const struct fws_key_prompt *prompt,
		      struct fws_signing_key **out)
{
	struct fws_secret_key *key = NULL;
	char *pass = NULL;
	size_t pass_len = 0;
	int rc;

	/* A public key file given by mistake is named before anyone types a
	 * passphrase for it. Every other fault is fws_secret_key_load's to
	 * report, with its own codes (a probe, not a check). */
	uint8_t pk[32], keyid[32];
	int is_secret = 1;
	if (fws_key_file_public(path, pk, keyid, &is_secret) == 0 && !is_secret)
		return fws_diag_set(FWS_EKEYFILE, 0, path,
				    "a public key (.pub), not the secret key (.key) needed here");
	fws_diag_clear();
	if (prompt != NULL && prompt->get != NULL) {
		rc = prompt->get(prompt->ctx, FWS_SECRET_PASSPHRASE, path, &pass, &pass_len);
		if (rc != 0)
			return rc;
	}
	rc = fws_secret_key_load(path, pass, pass_len, &key);
	if (pass != NULL && prompt->put != NULL)
		prompt->put(prompt->ctx, pass);
	if (rc != 0)
		return rc;
	return wrap_named(key, path, out);
}
