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
