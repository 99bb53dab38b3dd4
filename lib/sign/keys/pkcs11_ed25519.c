/* SPDX-License-Identifier: Apache-2.0 */
/* Ed25519 key pairs in a token (pkcs11_ed25519.h). */
#include <string.h>

#include "fwseal/error.h"
#include "io/io.h"
#include "sign/keys/pkcs11_ed25519.h"

int fws_p11_params_ed25519(const uint8_t *p, size_t len)
{
	static const uint8_t printable[] = "\x13\x0c"
					   "edwards25519";
	return (len == 5 && memcmp(p, FWS_ED25519_OID_DER, 5) == 0) ||
	       (len == sizeof printable - 1 && memcmp(p, printable, len) == 0);
}

int fws_p11_point_ed25519(const uint8_t *p, size_t len, uint8_t out[32])
{
	if (len == 32) {
		memcpy(out, p, 32);
		return 0;
	}
	if (len == 34 && p[0] == 0x04 && p[1] == 0x20) {
		memcpy(out, p + 2, 32);
		return 0;
	}
	return FWS_EKEYUSE;
}

CK_RV fws_p11_get_attr(struct fws_p11_token *t, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type,
		       void *buf, CK_ULONG cap, CK_ULONG *len)
{
	CK_ATTRIBUTE a = {type, buf, cap};
	CK_RV rv = t->module->C_GetAttributeValue(t->session, obj, &a, 1);

	/* An attribute larger than cap is not one of the few bytes we expect. */
	if (rv == CKR_OK && (a.ulValueLen == (CK_ULONG)-1 || a.ulValueLen > cap))
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
	if (rv == CKR_OK)
		*len = a.ulValueLen;
	return rv;
}

int fws_p11_find(struct fws_p11_token *t, const struct fws_p11_uri *u, CK_OBJECT_CLASS cls,
		 CK_OBJECT_HANDLE *found, CK_ULONG cap, CK_ULONG *n)
{
	CK_ATTRIBUTE tmpl[3];
	CK_ULONG nt = 0;
	CK_ATTRIBUTE *label = fws_p11kit.p11_kit_uri_get_attribute(u->uri, CKA_LABEL);
	CK_ATTRIBUTE *id = fws_p11kit.p11_kit_uri_get_attribute(u->uri, CKA_ID);
	CK_RV rv;

	*n = 0;
	if (label == NULL && id == NULL)
		return fws_diag_set(FWS_EUSAGE, 0, u->shown,
				    "the URI names no key: give object=LABEL or id=%%XX");
	tmpl[nt++] = (CK_ATTRIBUTE){CKA_CLASS, &cls, sizeof cls};
	if (label != NULL)
		tmpl[nt++] = *label;
	if (id != NULL)
		tmpl[nt++] = *id;
	rv = t->module->C_FindObjectsInit(t->session, tmpl, nt);
	if (rv != CKR_OK)
		return fws_p11_fail(rv, "C_FindObjectsInit", u->shown);
	rv = t->module->C_FindObjects(t->session, found, cap, n);
	(void)t->module->C_FindObjectsFinal(t->session);
	return rv == CKR_OK ? 0 : fws_p11_fail(rv, "C_FindObjects", u->shown);
}

int fws_p11_public_ed25519(struct fws_p11_token *t, CK_OBJECT_HANDLE pub, uint8_t pk[32])
{
	uint8_t buf[128];
	CK_KEY_TYPE kt = 0;
	CK_ULONG len = 0;
	CK_RV rv = fws_p11_get_attr(t, pub, CKA_KEY_TYPE, &kt, sizeof kt, &len);

	if (rv != CKR_OK)
		return fws_p11_fail(rv, "C_GetAttributeValue(CKA_KEY_TYPE)", t->shown);
	if (kt != CKK_EC_EDWARDS)
		return fws_diag_set(FWS_EKEYUSE, 0, t->shown,
				    "not an Ed25519 key (key type 0x%lx%s)", (unsigned long)kt,
				    kt == CKK_EC    ? ": an ECDSA key"
				    : kt == CKK_RSA ? ": an RSA key"
						    : "");
	rv = fws_p11_get_attr(t, pub, CKA_EC_PARAMS, buf, sizeof buf, &len);
	if (rv != CKR_OK)
		return fws_p11_fail(rv, "C_GetAttributeValue(CKA_EC_PARAMS)", t->shown);
	if (!fws_p11_params_ed25519(buf, len))
		return fws_diag_set(FWS_EKEYUSE, 0, t->shown,
				    "not an Ed25519 key (an Edwards curve other than "
				    "edwards25519, e.g. Ed448)");
	rv = fws_p11_get_attr(t, pub, CKA_EC_POINT, buf, sizeof buf, &len);
	if (rv != CKR_OK)
		return fws_p11_fail(rv, "C_GetAttributeValue(CKA_EC_POINT)", t->shown);
	if (fws_p11_point_ed25519(buf, len, pk) != 0)
		return fws_diag_set(
		    FWS_EKEYUSE, 0, t->shown,
		    "CKA_EC_POINT is neither 32 raw bytes nor a DER OCTET STRING of "
		    "them (%lu bytes)",
		    (unsigned long)len);
	return 0;
}
