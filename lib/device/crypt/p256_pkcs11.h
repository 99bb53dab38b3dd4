/* SPDX-License-Identifier: Apache-2.0 */
/* The device's P-256 decryption key in a PKCS#11 token (docs/hsm.md,
 * "Device decryption keys"): the secret never leaves the token; fwseal asks
 * it for one ECDH per stanza (C_DeriveKey, CKM_ECDH1_DERIVE, CKD_NULL) and
 * reads back only the shared x, as a session object that is destroyed at
 * once. */
#ifndef FWSEAL_DEVICE_CRYPT_P256_PKCS11_H
#define FWSEAL_DEVICE_CRYPT_P256_PKCS11_H

#include "bundle/p256.h"
#include "fwseal/key_prompt.h"

struct fws_p256_token;

/* DER of the curve: OID 1.2.840.10045.3.1.7 (prime256v1). */
#define FWS_P256_OID_DER "\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07"
#define FWS_P256_OID_DER_LEN 10

/* Opens the key uri names (one token, one EC P-256 private key allowed to
 * derive, its public key beside it) and logs in (FWS_EPIN, FWS_EPINLOCKED
 * as for signing keys). One ECDH with a fresh point is checked against the
 * public key in software before this returns, so a token whose public
 * object belongs to another key is refused (FWS_EKEYDERIVE). */
int fws_p256_token_open(const char *uri, const struct fws_key_prompt *prompt,
			struct fws_p256_token **out) __attribute__((warn_unused_result));
/* open's key checks (P-256, may derive, public key, one ECDH matching it)
 * on private key priv of a token session the caller opened and keeps;
 * pk gets the public key. For a key just generated there. */
struct fws_p11_token;
int fws_p256_token_check_key(struct fws_p11_token *t, const char *shown, unsigned long priv,
			     uint8_t pk[FWS_P256_POINT_BYTES]) __attribute__((warn_unused_result));
/* The identity that unwraps stanzas with this key (valid until close). */
void fws_p256_token_identity(struct fws_p256_token *k, struct fws_p256_identity *id);
/* The URI without PIN, for messages. */
const char *fws_p256_token_name(const struct fws_p256_token *k);
void fws_p256_token_close(struct fws_p256_token *k);

/* The public point from CKA_EC_POINT: a DER OCTET STRING around the 65-byte
 * uncompressed point, or the point raw (modules differ); compressed into
 * pk after the on-curve check. FWS_EKEYDERIVE otherwise. */
int fws_p256_token_point(const uint8_t *p, size_t len, uint8_t pk[FWS_P256_POINT_BYTES])
	__attribute__((warn_unused_result));

#endif
