/* SPDX-License-Identifier: Apache-2.0 */
/* The PKCS#11 provider: an Ed25519 private key in a token, used with plain
 * C_Sign and CKM_EDDSA (pure Ed25519, the signature libsodium verifies).
 * Everything is checked when the key is opened - one token, one key, its
 * type, curve, permission to sign and public key - so a bad reference fails
 * before pack hashes gigabytes. */
#include <stdlib.h>
#include <string.h>

#include "device/p11/key_check.h"
#include "fwseal/error.h"
#include "io/io.h"
#include "sign/keys/key_provider.h"
#include "sign/keys/pkcs11_ed25519.h"

struct p11_key {
	struct fws_p11_uri uri;
	struct fws_p11_token token;
	CK_OBJECT_HANDLE priv;
};

static void p11_close(void *impl)
{
	struct p11_key *k = impl;

	if (k == NULL)
		return;
	fws_p11_token_close(&k->token);
	fws_p11_uri_free(&k->uri);
	free(k);
}

static int p11_sign(void *impl, const uint8_t *msg, size_t len, uint8_t sig[64])
{
	struct p11_key *k = impl;
	CK_MECHANISM mech = {CKM_EDDSA, NULL, 0};
	CK_ULONG sig_len = 64;
	CK_RV rv = k->token.module->C_SignInit(k->token.session, &mech, k->priv);

	/* The handle was checked when the key was opened: now invalid, the key
	 * or its whole token went away (SoftHSM says this when its token
	 * directory is deleted; hardware says CKR_DEVICE_REMOVED). */
	if (rv == CKR_OBJECT_HANDLE_INVALID || rv == CKR_KEY_HANDLE_INVALID)
		return fws_diag_set(FWS_ETOKEN, 0, k->uri.shown,
				    "the key or its token went away during the run (C_SignInit: "
				    "handle no longer valid); nothing was signed");
	if (rv != CKR_OK)
		return fws_p11_fail(rv, "C_SignInit", k->uri.shown);
	rv =
	    k->token.module->C_Sign(k->token.session, (CK_BYTE *)msg, (CK_ULONG)len, sig, &sig_len);
	if (rv != CKR_OK)
		return fws_p11_fail(rv, "C_Sign", k->uri.shown);
	if (sig_len != 64)
		return fws_diag_set(FWS_ECRYPTO, 0, k->uri.shown,
				    "the token returned a %lu-byte signature, not Ed25519's 64",
				    (unsigned long)sig_len);
	return 0;
}

static const struct fws_key_provider p11_provider = {"token", FWS_ECRYPTO, p11_sign, p11_close};

/* The private key must be an Ed25519 key the token lets us sign with
 * (fws_p11_key_check); the public half's curve decides when the private
 * half names none (fws_p11_public_ed25519). */
static int check_private(struct p11_key *k)
{
	static const struct fws_p11_key_want want = {CKK_EC_EDWARDS, fws_p11_params_ed25519,
						     CKA_SIGN, "CKA_SIGN"};
	enum fws_p11_key_fault fault;
	CK_KEY_TYPE kt;
	int rc = fws_p11_key_check(&k->token, k->priv, k->uri.shown, &want, &fault, &kt);

	if (rc != 0)
		return rc;
	switch (fault) {
	case FWS_P11_KEY_FITS:
		return 0;
	case FWS_P11_KEY_WRONG_TYPE:
		return fws_diag_set(FWS_EKEYUSE, 0, k->uri.shown,
				    "not an Ed25519 key (key type 0x%lx%s): fwseal signs with "
				    "Ed25519 only",
				    (unsigned long)kt,
				    kt == CKK_EC    ? ", an ECDSA key"
				    : kt == CKK_RSA ? ", an RSA key"
						    : "");
	case FWS_P11_KEY_WRONG_CURVE:
		return fws_diag_set(FWS_EKEYUSE, 0, k->uri.shown,
				    "not an Ed25519 key (an Edwards curve other than "
				    "edwards25519, e.g. Ed448)");
	case FWS_P11_KEY_USE_FORBIDDEN:
		return fws_diag_set(FWS_EKEYUSE, 0, k->uri.shown,
				    "the key is not allowed to sign (CKA_SIGN is false)");
	case FWS_P11_KEY_PIN_EVERY_USE:
		return fws_diag_set(FWS_EKEYUSE, 0, k->uri.shown,
				    "the key wants the PIN again for every signature "
				    "(CKA_ALWAYS_AUTHENTICATE), which fwseal does not support");
	}
	return fws_diag_set(FWS_EKEYUSE, 0, k->uri.shown, "the key failed an unnamed check");
}

/* The public half, beside the private key (fws_p11_find_public). */
static int find_public(struct p11_key *k, uint8_t pk[32])
{
	CK_OBJECT_HANDLE pub;
	int rc = fws_p11_find_public(&k->token, k->priv, &pub);

	return rc != 0 ? rc : fws_p11_public_ed25519(&k->token, pub, pk);
}

int fws_pkcs11_key_open(const char *uri, const struct fws_key_prompt *prompt,
			struct fws_signing_key **out)
{
	struct p11_key *k = calloc(1, sizeof *k);
	uint8_t pk[32];
	int rc;

	if (k == NULL)
		return FWS_ENOMEM;
	if ((rc = fws_p11_open_private(uri, prompt, "signing key", FWS_EKEYUSE, &k->uri, &k->token,
				       &k->priv)) != 0 ||
	    (rc = check_private(k)) != 0 || (rc = find_public(k, pk)) != 0)
		goto fail;
	return fws_signing_key_wrap(&p11_provider, k, pk, k->uri.shown, out);
fail:
	p11_close(k);
	return rc;
}
