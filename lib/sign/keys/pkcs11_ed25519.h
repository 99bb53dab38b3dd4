/* SPDX-License-Identifier: Apache-2.0 */
/* Ed25519 keys in a PKCS#11 token: finding the pair a URI names and
 * checking it is one (shared by the signing key, generate and list). */
#ifndef FWSEAL_SIGN_PKCS11_ED25519_H
#define FWSEAL_SIGN_PKCS11_ED25519_H

#include <stdint.h>

#include "device/p11/pkcs11_token.h"
#include "fwseal/signing_key.h"

/* DER of the curve: OID 1.3.101.112, as SoftHSM writes it. */
#define FWS_ED25519_OID_DER "\x06\x03\x2b\x65\x70"

/* 1 when CKA_EC_PARAMS names Ed25519: the OID 1.3.101.112 or the
 * PrintableString "edwards25519" (PKCS#11 3.0 allows both). */
int fws_p11_params_ed25519(const uint8_t *p, size_t len);
/* The 32-byte point from CKA_EC_POINT: raw, or a DER OCTET STRING around it
 * (modules differ). FWS_EKEYUSE otherwise. */
int fws_p11_point_ed25519(const uint8_t *p, size_t len, uint8_t out[32]);

/* The public key of an Ed25519 public-key object (FWS_EKEYUSE when it is
 * not one). */
int fws_p11_public_ed25519(struct fws_p11_token *t, CK_OBJECT_HANDLE pub, uint8_t pk[32]);

#endif
