/* SPDX-License-Identifier: Apache-2.0 */
/* What a token's private-key object must be before fwseal uses it: the
 * attribute checks shared by the signing keys (lib/sign/keys/pkcs11_key.c:
 * Ed25519, allowed to sign) and the device's decryption key
 * (lib/device/crypt/p256_pkcs11.c: EC P-256, allowed to derive). A key of
 * the wrong type or curve would sign or unwrap with an algorithm nobody
 * verifies against; one that wants a PIN per use fails halfway. This says
 * only which check failed: each caller refuses with its own code and
 * words. */
#ifndef FWSEAL_DEVICE_P11_KEY_CHECK_H
#define FWSEAL_DEVICE_P11_KEY_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "device/p11/pkcs11_token.h"

enum fws_p11_key_fault {
	FWS_P11_KEY_FITS = 0,
	FWS_P11_KEY_WRONG_TYPE,	   /* CKA_KEY_TYPE is not the one wanted */
	FWS_P11_KEY_WRONG_CURVE,   /* CKA_EC_PARAMS is there and names another curve */
	FWS_P11_KEY_USE_FORBIDDEN, /* the usage attribute (CKA_SIGN, CKA_DERIVE) is false */
	FWS_P11_KEY_PIN_EVERY_USE, /* CKA_ALWAYS_AUTHENTICATE: a PIN for every operation */
};

struct fws_p11_key_want {
	CK_KEY_TYPE type;
	/* 1 when CKA_EC_PARAMS (DER) names the wanted curve. Some modules keep
	 * no curve on the private half: then the caller's check of the public
	 * half decides. */
	int (*curve_is)(const uint8_t *params, size_t len);
	CK_ATTRIBUTE_TYPE usage;
	const char *usage_name; /* "CKA_SIGN": for the message when unreadable */
};

/* Checks priv in the order type, curve, usage, PIN per use. 0 with *fault
 * the first check failed (FWS_P11_KEY_FITS: none) and *found_type the key's
 * CKA_KEY_TYPE; a negative code (fws_p11_fail, subject shown) when the
 * token does not give the type or usage attribute. */
int fws_p11_key_check(struct fws_p11_token *t, CK_OBJECT_HANDLE priv, const char *shown,
		      const struct fws_p11_key_want *want, enum fws_p11_key_fault *fault,
		      CK_KEY_TYPE *found_type);

#endif
