/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal-keys generate --type device --curve p256 --pkcs11 URI: a P-256
 * device key pair made inside a token (fwseal/p256_keys.h). The secret
 * never exists outside the token; it may derive (ECDH) and nothing else. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "device/crypt/p256_pkcs11.h"
#include "fwseal/error.h"
#include "fwseal/p256_keys.h"
#include "io/io.h"
#include "sign/keys/pkcs11_admin.h"

static int generate_in(struct fws_p11_uri *u, struct fws_p11_token *t, CK_OBJECT_HANDLE *pub,
		       CK_OBJECT_HANDLE *priv)
{
	CK_ATTRIBUTE *label, id_attr;
	CK_MECHANISM mech = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	uint8_t id[16];
	int rc;
	CK_RV rv;

	if ((rc = fws_p11_new_key_names(u, t, &label, &id_attr, id)) != 0)
		return rc;
	CK_ATTRIBUTE pub_tmpl[] = {
	    {CKA_TOKEN, &yes, sizeof yes},
	    {CKA_PRIVATE, &no, sizeof no},
	    {CKA_DERIVE, &yes, sizeof yes},
	    {CKA_EC_PARAMS, (void *)FWS_P256_OID_DER, FWS_P256_OID_DER_LEN},
	    {CKA_LABEL, label->pValue, label->ulValueLen},
	    id_attr,
	};
	/* Sensitive, never extractable, derive only: the secret never leaves
	 * the token and the key cannot be turned into a signing key. */
	CK_ATTRIBUTE priv_tmpl[] = {
	    {CKA_TOKEN, &yes, sizeof yes},	  {CKA_PRIVATE, &yes, sizeof yes},
	    {CKA_SENSITIVE, &yes, sizeof yes},	  {CKA_EXTRACTABLE, &no, sizeof no},
	    {CKA_DERIVE, &yes, sizeof yes},	  {CKA_SIGN, &no, sizeof no},
	    {CKA_DECRYPT, &no, sizeof no},	  {CKA_UNWRAP, &no, sizeof no},
	    {CKA_LABEL, label->pValue, label->ulValueLen}, id_attr,
	};
	rv = t->module->C_GenerateKeyPair(t->session, &mech, pub_tmpl,
					  sizeof pub_tmpl / sizeof pub_tmpl[0], priv_tmpl,
					  sizeof priv_tmpl / sizeof priv_tmpl[0], pub, priv);
	if (rv == CKR_MECHANISM_INVALID)
		return fws_diag_set(FWS_EPKCS11, 0, u->shown,
				    "the token cannot make EC keys (CKM_EC_KEY_PAIR_GEN)");
	return rv == CKR_OK ? 0 : fws_p11_fail(rv, "C_GenerateKeyPair", u->shown);
}

int fws_pkcs11_generate_p256(const char *uri, const struct fws_key_prompt *prompt,
			     char recipient[FWS_P256_RECIPIENT_TEXT_LEN + 1], char **key_uri)
{
	struct fws_p11_uri u;
	struct fws_p11_token t;
	uint8_t pk[FWS_P256_POINT_BYTES];
	CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE, priv = CK_INVALID_HANDLE;
	CK_ATTRIBUTE *label;
	int rc;

	if (key_uri != NULL)
		*key_uri = NULL;
	if (uri == NULL || recipient == NULL)
		return FWS_EUSAGE;
	if (sodium_init() < 0)
		return FWS_ECRYPTO;
	rc = fws_p11_admin_open(uri, prompt, &u, &t);
	if (rc == 0)
		rc = generate_in(&u, &t, &pub, &priv);
	/* Checked as the device will check it: P-256, may derive, its public
	 * key, one ECDH against it (a key that cannot unwrap is removed, not
	 * reported). */
	if (rc == 0)
		rc = fws_p256_token_check_key(&t, u.shown, priv, pk);
	if (rc == 0) {
		fws_p256_recipient_format(pk, recipient);
		label = fws_p11kit.p11_kit_uri_get_attribute(u.uri, CKA_LABEL);
		if (key_uri != NULL) {
			uint8_t idv[128];
			CK_ULONG id_len = 0;
			if (fws_p11_get_attr(&t, priv, CKA_ID, idv, sizeof idv, &id_len) != CKR_OK)
				id_len = 0;
			*key_uri = fws_p11_key_uri(t.label, t.serial, label->pValue,
						   label->ulValueLen, idv, id_len);
			if (*key_uri == NULL)
				rc = FWS_ENOMEM;
		}
	}
	if (rc != 0 && priv != CK_INVALID_HANDLE) {
		(void)t.module->C_DestroyObject(t.session, priv);
		(void)t.module->C_DestroyObject(t.session, pub);
	}
	fws_p11_admin_close(&u, &t);
	return rc;
}
