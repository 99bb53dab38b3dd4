/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal-keys generate --type device --curve p256: a software P-256 device
 * key pair in two files (fwseal/p256_keys.h). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle/p256_keyfile.h"
#include "device/crypt/p256_pkcs11.h"
#include "fwseal/error.h"
#include "fwseal/fileio.h"
#include "fwseal/keys.h"
#include "fwseal/signing_key.h"
#include "fwseal/p256_keys.h"
#include "io/io.h"

int fws_p256_key_generate(const char *base, char recipient[FWS_P256_RECIPIENT_TEXT_LEN + 1])
{
	uint8_t *sk = NULL, pk[FWS_P256_POINT_BYTES];
	char *key_path = NULL, *pub_path = NULL, *key_text = NULL, pub_text[FWS_P256_KEYFILE_TEXT_CAP];
	size_t blen;
	int rc, key_len = 0, pub_len = 0;

	if (base == NULL || base[0] == '\0' || recipient == NULL)
		return FWS_EUSAGE;
	if (sodium_init() < 0)
		return FWS_ECRYPTO;
	/* Never replace a key, and never leave half a pair. */
	if ((rc = fws_secret_key_check_absent(base)) != 0)
		return rc;
	blen = strlen(base);
	key_path = malloc(blen + 5);
	pub_path = malloc(blen + 5);
	sk = sodium_malloc(FWS_P256_SCALAR_BYTES);
	key_text = sodium_malloc(FWS_P256_KEYFILE_TEXT_CAP);
	if (key_path == NULL || pub_path == NULL || sk == NULL || key_text == NULL) {
		rc = FWS_ENOMEM;
		goto out;
	}
	snprintf(key_path, blen + 5, "%s.key", base);
	snprintf(pub_path, blen + 5, "%s.pub", base);
	if ((rc = fws_p256_keypair(sk, pk)) != 0)
		goto out;
	key_len = fws_p256_secret_text(sk, pk, key_text, FWS_P256_KEYFILE_TEXT_CAP);
	pub_len = fws_p256_public_text(pk, pub_text, sizeof pub_text);
	if (key_len < 0 || pub_len < 0) {
		rc = FWS_EINTERNAL;
		goto out;
	}
	rc = fws_file_write_atomic(key_path, key_text, (size_t)key_len, 0600, FWS_OUT_NEW, NULL, 0);
	if (rc != 0)
		goto out;
	rc = fws_file_write_atomic(pub_path, pub_text, (size_t)pub_len, 0644, FWS_OUT_NEW, NULL, 0);
	if (rc != 0) {
		(void)unlink(key_path); /* ours, made exclusively a moment ago */
		goto out;
	}
	{
		char rec[FWS_P256_RECIPIENT_LEN + 1];
		fws_p256_recipient_format(pk, rec);
		memcpy(recipient, rec, sizeof rec);
	}
out:
	if (sk != NULL)
		sodium_free(sk);
	if (key_text != NULL)
		sodium_free(key_text);
	free(key_path);
	free(pub_path);
	return rc;
}

int fws_p256_recipient_of(const char *ref, const struct fws_key_prompt *prompt,
			  char recipient[FWS_P256_RECIPIENT_TEXT_LEN + 1])
{
	uint8_t pk[FWS_P256_POINT_BYTES];
	size_t n;
	int rc;

	if (ref == NULL || recipient == NULL)
		return FWS_EUSAGE;
	if (sodium_init() < 0)
		return FWS_ECRYPTO;
	n = strlen(ref);
	if (fws_key_ref_is_pkcs11(ref)) {
		struct fws_p256_token *k = NULL;
		struct fws_p256_identity id;
		if ((rc = fws_p256_token_open(ref, prompt, &k)) != 0)
			return rc;
		fws_p256_token_identity(k, &id);
		memcpy(pk, id.public_key, sizeof pk);
		fws_p256_token_close(k);
	} else if (n > 4 && strcmp(ref + n - 4, ".key") == 0) {
		uint8_t *sk = sodium_malloc(FWS_P256_SCALAR_BYTES);
		if (sk == NULL)
			return FWS_ENOMEM;
		rc = fws_p256_secret_load(ref, sk, pk);
		sodium_free(sk);
		if (rc != 0)
			return rc;
	} else if ((rc = fws_p256_public_load(ref, pk)) != 0) {
		return rc;
	}
	fws_p256_recipient_format(pk, recipient);
	return 0;
}
