/* SPDX-License-Identifier: Apache-2.0 */
/* P-256 device decryption keys (docs/encryption.md, "P-256 recipients";
 * docs/hsm.md, "Device decryption keys"): for devices whose key lives in an
 * HSM, a TPM or a secure element, which offer ECDH on P-256 but no X25519.
 * A recipient is written fwseal-p256-1... (Bech32 of the 33-byte compressed
 * point, as age writes age1...), in a public key file or on the command
 * line; a secret key file holds FWSEAL-P256-SECRET-KEY-1... */
#ifndef FWSEAL_P256_KEYS_H
#define FWSEAL_P256_KEYS_H

#include <stdint.h>

#include "fwseal/encrypt.h"
#include "fwseal/export.h"
#include "fwseal/key_prompt.h"

#define FWS_P256_RECIPIENT_TEXT_LEN 72 /* Bech32: "fwseal-p256-1" + 59 characters */

/* A software key pair: BASE.key (the secret, mode 0600) and BASE.pub (the
 * recipient), neither replaced if present (FWS_EEXIST); recipient gets the
 * recipient string. Signing side (lib/sign/p256_keygen.c). */
FWS_API FWS_MUST_CHECK int fws_p256_key_generate(const char *base,
						 char recipient[FWS_P256_RECIPIENT_TEXT_LEN + 1]);

/* A P-256 key pair made inside the token uri names (object=LABEL required,
 * id= optional): the private key sensitive, never extractable, allowed to
 * derive only. A key with that label or id already there is refused
 * (FWS_EEXIST). The new key does one ECDH, checked against its public key,
 * before this returns. key_uri (malloc'd; may be NULL) gets its URI without
 * PIN or module. */
FWS_API FWS_MUST_CHECK int fws_pkcs11_generate_p256(const char *uri,
						    const struct fws_key_prompt *prompt,
						    char recipient[FWS_P256_RECIPIENT_TEXT_LEN + 1],
						    char **key_uri);

/* The recipient string of a P-256 key: from a public key file (NAME.pub),
 * a secret key file (NAME.key, mode 0600) or a pkcs11: URI of a token key
 * (opened and checked: the PIN may be asked). */
FWS_API FWS_MUST_CHECK int fws_p256_recipient_of(const char *ref,
						 const struct fws_key_prompt *prompt,
						 char recipient[FWS_P256_RECIPIENT_TEXT_LEN + 1]);

/* A secure element (or other code of the integrator's) holding a P-256
 * device key: it computes the ECDH and fwseal does the rest of the
 * fwseal-p256 unwrap (HKDF, ChaCha20-Poly1305). ecdh gets a peer point
 * already checked to lie on the curve (65 bytes, 04 || x || y) and returns
 * the 32-byte x coordinate of secret * peer, or a negative FWS_E* code; an
 * all-zero result is refused for it. */
struct fws_identity_p256_callback {
	void *ctx;
	uint8_t public_key[33]; /* the compressed point of the element's key */
	int (*ecdh)(void *ctx, const uint8_t peer[65], uint8_t shared[32]);
	void (*close)(void *ctx); /* optional */
};

/* Wraps it as a decryption identity (fwseal/encrypt.h); FWS_EIDENTITY
 * when ecdh is missing or public_key is not a P-256 point. */
FWS_API FWS_MUST_CHECK int fws_identity_from_p256_callback(
    const struct fws_identity_p256_callback *cb, struct fws_identity **out);

#endif
