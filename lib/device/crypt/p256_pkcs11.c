/* SPDX-License-Identifier: Apache-2.0 */
/* A P-256 device key in a token (p256_pkcs11.h). Everything is checked when
 * the key is opened - one token, one key, EC P-256, allowed to derive, its
 * public key, and one ECDH that matches it - so a bad reference in
 * system.conf fails before any download. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/crypt/p256_pkcs11.h"
#include "device/p11/key_check.h"
#include "device/p11/pkcs11_token.h"
#include "fwseal/error.h"
#include "io/io.h"

struct fws_p256_token {
	struct fws_p11_uri uri;
	struct fws_p11_token token;
	CK_OBJECT_HANDLE priv;
	uint8_t public_key[FWS_P256_POINT_BYTES];
};

int fws_p256_token_point(const uint8_t *p, size_t len, uint8_t pk[FWS_P256_POINT_BYTES])
{
	const uint8_t *raw = len == FWS_P256_RAW_BYTES + 2 && p[0] == 0x04 &&
				     p[1] == FWS_P256_RAW_BYTES
				 ? p + 2
			     : len == FWS_P256_RAW_BYTES ? p
							 : NULL;

	if (raw != NULL)
		return fws_p256_point_compress(raw, pk) == 0
			   ? 0
			   : fws_diag_set(FWS_EKEYDERIVE, 0, NULL,
					  "the token's public key is not a point of P-256");
	return fws_diag_set(FWS_EKEYDERIVE, 0, NULL,
			    "CKA_EC_POINT is neither a DER OCTET STRING of a 65-byte P-256 "
			    "point nor the point itself (%zu bytes)",
			    len);
}

/* The token's ECDH: derive a generic secret holding the shared x (session
 * object, readable), read it, destroy it. */
static int token_ecdh(void *ctx, const uint8_t peer[FWS_P256_RAW_BYTES],
		      uint8_t shared[FWS_P256_SHARED_BYTES])
{
	struct fws_p256_token *k = ctx;
	CK_FUNCTION_LIST *m = k->token.module;
	CK_ECDH1_DERIVE_PARAMS params = {CKD_NULL, 0, NULL, FWS_P256_RAW_BYTES, (CK_BYTE *)peer};
	CK_MECHANISM mech = {CKM_ECDH1_DERIVE, &params, sizeof params};
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_ULONG value_len = FWS_P256_SHARED_BYTES, got = 0;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE tmpl[] = {
	    {CKA_CLASS, &cls, sizeof cls},	    {CKA_KEY_TYPE, &kt, sizeof kt},
	    {CKA_VALUE_LEN, &value_len, sizeof value_len}, {CKA_TOKEN, &no, sizeof no},
	    {CKA_SENSITIVE, &no, sizeof no},	    {CKA_EXTRACTABLE, &yes, sizeof yes},
	};
	CK_OBJECT_HANDLE secret = CK_INVALID_HANDLE;
	CK_RV rv;
	int rc;

	rv = m->C_DeriveKey(k->token.session, &mech, k->priv, tmpl, sizeof tmpl / sizeof tmpl[0],
			    &secret);
	switch (rv) {
	case CKR_OK:
		break;
	case CKR_KEY_FUNCTION_NOT_PERMITTED:
		return fws_diag_set(FWS_EKEYDERIVE, 0, k->uri.shown,
				    "the key is not allowed to derive (the token refused "
				    "CKM_ECDH1_DERIVE)");
	case CKR_MECHANISM_INVALID:
	case CKR_MECHANISM_PARAM_INVALID:
	case CKR_KEY_TYPE_INCONSISTENT:
		return fws_diag_set(FWS_EKEYDERIVE, 0, k->uri.shown,
				    "the token cannot do P-256 ECDH with this key "
				    "(CKM_ECDH1_DERIVE, CKD_NULL: 0x%lx)",
				    (unsigned long)rv);
	case CKR_OBJECT_HANDLE_INVALID:
	case CKR_KEY_HANDLE_INVALID:
		return fws_diag_set(FWS_ETOKEN, 0, k->uri.shown,
				    "the key or its token went away during the run (C_DeriveKey: "
				    "handle no longer valid); nothing was unwrapped");
	default:
		return fws_p11_fail(rv, "C_DeriveKey", k->uri.shown);
	}
	rv = fws_p11_get_attr(&k->token, secret, CKA_VALUE, shared, FWS_P256_SHARED_BYTES, &got);
	(void)m->C_DestroyObject(k->token.session, secret);
	if (rv == CKR_OK && got == FWS_P256_SHARED_BYTES)
		return 0;
	sodium_memzero(shared, FWS_P256_SHARED_BYTES);
	rc = rv == CKR_OK || rv == CKR_ATTRIBUTE_VALUE_INVALID
		 ? fws_diag_set(FWS_EKEYDERIVE, 0, k->uri.shown,
				"the token's ECDH gave %lu bytes, not the 32 of a P-256 x "
				"coordinate",
				(unsigned long)got)
		 : fws_p11_fail(rv, "C_GetAttributeValue(CKA_VALUE of the derived secret)",
				k->uri.shown);
	return rc;
}

/* The private key must be an EC P-256 key the token lets us derive with. */
static int params_p256(const uint8_t *params, size_t len)
{
	return len == FWS_P256_OID_DER_LEN &&
	       memcmp(params, FWS_P256_OID_DER, FWS_P256_OID_DER_LEN) == 0;
}

/* The private key must be an EC P-256 key the token lets us derive with
 * (fws_p11_key_check); the public half's point, checked on P-256, decides
 * the curve when the private half names none. */
static int check_private(struct fws_p256_token *k)
{
	static const struct fws_p11_key_want want = {CKK_EC, params_p256, CKA_DERIVE, "CKA_DERIVE"};
	enum fws_p11_key_fault fault;
	CK_KEY_TYPE kt;
	int rc = fws_p11_key_check(&k->token, k->priv, k->uri.shown, &want, &fault, &kt);

	if (rc != 0)
		return rc;
	switch (fault) {
	case FWS_P11_KEY_FITS:
		return 0;
	case FWS_P11_KEY_WRONG_TYPE:
		return fws_diag_set(FWS_EKEYDERIVE, 0, k->uri.shown,
				    "not an EC P-256 key (key type 0x%lx%s): device decryption "
				    "keys in a token are P-256",
				    (unsigned long)kt,
				    kt == CKK_EC_EDWARDS ? ", an Edwards (signing) key"
				    : kt == CKK_RSA	 ? ", an RSA key"
							 : "");
	case FWS_P11_KEY_WRONG_CURVE:
		return fws_diag_set(FWS_EKEYDERIVE, 0, k->uri.shown,
				    "an EC key on another curve than P-256 (prime256v1)");
	case FWS_P11_KEY_USE_FORBIDDEN:
		return fws_diag_set(FWS_EKEYDERIVE, 0, k->uri.shown,
				    "the key is not allowed to derive (CKA_DERIVE is false)");
	case FWS_P11_KEY_PIN_EVERY_USE:
		return fws_diag_set(FWS_EKEYDERIVE, 0, k->uri.shown,
				    "the key wants the PIN again for every use "
				    "(CKA_ALWAYS_AUTHENTICATE), which an unattended device cannot "
				    "give");
	}
	return fws_diag_set(FWS_EKEYDERIVE, 0, k->uri.shown, "the key failed an unnamed check");
}

static int read_public(struct fws_p256_token *k)
{
	uint8_t buf[128];
	CK_OBJECT_HANDLE pub;
	CK_ULONG len = 0;
	CK_RV rv;
	int rc = fws_p11_find_public(&k->token, k->priv, &pub);

	if (rc == FWS_EKEYUSE) { /* the same finding, in the decryption key's code */
		char why[FWS_DIAG_WHY_MAX];
		snprintf(why, sizeof why, "%s", fws_diag_last()->why);
		return fws_diag_set(FWS_EKEYDERIVE, 0, k->uri.shown, "%s", why);
	}
	if (rc != 0)
		return rc;
	rv = fws_p11_get_attr(&k->token, pub, CKA_EC_POINT, buf, sizeof buf, &len);
	if (rv != CKR_OK)
		return fws_p11_fail(rv, "C_GetAttributeValue(CKA_EC_POINT)", k->uri.shown);
	rc = fws_p256_token_point(buf, len, k->public_key);
	if (rc != 0)
		fws_diag_prefix('/', "%s", k->uri.shown);
	return rc;
}

/* One ECDH with a fresh point, against the public key in software: a
 * token whose public object lies about its key is refused here, not
 * discovered as "not a recipient" at the first update. */
static int self_test(struct fws_p256_token *k)
{
	uint8_t esk[FWS_P256_SCALAR_BYTES], eph[FWS_P256_POINT_BYTES], eph_raw[FWS_P256_RAW_BYTES];
	uint8_t pub_raw[FWS_P256_RAW_BYTES], want[FWS_P256_SHARED_BYTES], got[FWS_P256_SHARED_BYTES];
	int rc = fws_p256_keypair(esk, eph);

	if (rc == 0)
		rc = fws_p256_point_expand(eph, eph_raw);
	if (rc == 0)
		rc = fws_p256_point_expand(k->public_key, pub_raw);
	if (rc == 0)
		rc = fws_p256_ecdh_scalar(esk, pub_raw, want);
	if (rc == 0)
		rc = token_ecdh(k, eph_raw, got);
	if (rc == 0 && sodium_memcmp(want, got, sizeof want) != 0)
		rc = fws_diag_set(FWS_EKEYDERIVE, 0, k->uri.shown,
				  "the token's ECDH does not match its public key (the public "
				  "object belongs to another key)");
	sodium_memzero(esk, sizeof esk);
	sodium_memzero(want, sizeof want);
	sodium_memzero(got, sizeof got);
	return rc;
}

int fws_p256_token_open(const char *uri, const struct fws_key_prompt *prompt,
			struct fws_p256_token **out)
{
	struct fws_p256_token *k;
	int rc;

	*out = NULL;
	if (sodium_init() < 0)
		return FWS_ECRYPTO;
	if ((k = calloc(1, sizeof *k)) == NULL)
		return FWS_ENOMEM;
	if ((rc = fws_p11_open_private(uri, prompt, "decryption key", FWS_EKEYDERIVE, &k->uri,
				       &k->token, &k->priv)) != 0 ||
	    (rc = check_private(k)) != 0 || (rc = read_public(k)) != 0 ||
	    (rc = self_test(k)) != 0)
		goto fail;
	*out = k;
	return 0;
fail:
	fws_p256_token_close(k);
	return rc;
}

int fws_p256_token_check_key(struct fws_p11_token *t, const char *shown, CK_OBJECT_HANDLE priv,
			      uint8_t pk[FWS_P256_POINT_BYTES])
{
	/* The checks of open, on a session the caller owns (borrowed, never
	 * closed here: closing would log the caller's session out). */
	struct fws_p256_token k;
	int rc;

	memset(&k, 0, sizeof k);
	k.token = *t;
	k.uri.shown = (char *)shown;
	k.priv = priv;
	rc = check_private(&k);
	if (rc == 0)
		rc = read_public(&k);
	if (rc == 0)
		rc = self_test(&k);
	if (rc == 0)
		memcpy(pk, k.public_key, FWS_P256_POINT_BYTES);
	return rc;
}

void fws_p256_token_identity(struct fws_p256_token *k, struct fws_p256_identity *id)
{
	memcpy(id->public_key, k->public_key, sizeof id->public_key);
	id->ecdh = token_ecdh;
	id->ctx = k;
}

const char *fws_p256_token_name(const struct fws_p256_token *k)
{
	return k->uri.shown;
}

void fws_p256_token_close(struct fws_p256_token *k)
{
	if (k == NULL)
		return;
	if (k->token.module != NULL || k->token.modules.all != NULL)
		fws_p11_token_close(&k->token);
	fws_p11_uri_free(&k->uri);
	free(k);
}
