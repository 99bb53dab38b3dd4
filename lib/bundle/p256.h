/* SPDX-License-Identifier: Apache-2.0 */
/* P-256 ECDH recipients (docs/encryption.md, "P-256 recipients"; ADR-066):
 * for device keys held in an HSM, a TPM or a secure element, which offer
 * ECDH on P-256 but no X25519. One stanza per recipient:
 *
 *   -> fwseal-p256 <base64, no padding, of the 33-byte SEC1 compressed
 *                   ephemeral public point>
 *   <base64, no padding, of the 32-byte wrapped file key>
 *
 *   shared = x coordinate of ECDH(ephemeral, recipient)   (32 bytes)
 *   key    = HKDF-SHA256(ikm = shared, salt = eph(33) || recipient(33),
 *                        info = "fwseal/p256")            (32 bytes)
 *   body   = ChaCha20-Poly1305-IETF(key, nonce = 12 zero bytes, file key)
 *
 * The key is used once (a fresh ephemeral per stanza), so the zero nonce
 * is safe, as in age's X25519 stanza. The recipient's public key is in the
 * salt: a stanza made for one key never opens with another that happens to
 * give the same shared x (a point and its negation do).
 *
 * Unwrapping asks a callback for the ECDH: a software key (p256_keyfile.c),
 * a token key (lib/device/crypt/p256_pkcs11.c) or an integrator's secure
 * element - the secret never needs to leave the hardware.
 *
 * Text forms, Bech32 as age's (a checksum catches a mistyped recipient):
 *   recipient  fwseal-p256-1...              (33-byte compressed point)
 *   secret     FWSEAL-P256-SECRET-KEY-1...   (32-byte scalar, key files) */
#ifndef FWSEAL_BUNDLE_P256_H
#define FWSEAL_BUNDLE_P256_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/encrypt.h"

#define FWS_P256_TYPE "fwseal-p256"
#define FWS_P256_SCALAR_BYTES 32
#define FWS_P256_POINT_BYTES 33	 /* SEC1 compressed: 02|03 || x */
#define FWS_P256_RAW_BYTES 65	 /* SEC1 uncompressed: 04 || x || y */
#define FWS_P256_SHARED_BYTES 32 /* the x coordinate of the shared point */
#define FWS_P256_BODY_BYTES 32	 /* file key + Poly1305 tag */
#define FWS_P256_HKDF_INFO "fwseal/p256"
#define FWS_P256_RECIPIENT_HRP "fwseal-p256-"
#define FWS_P256_RECIPIENT_PREFIX "fwseal-p256-1"
#define FWS_P256_RECIPIENT_LEN 72 /* hrp + "1" + 53 data + 6 checksum characters */
#define FWS_P256_SECRET_HRP "FWSEAL-P256-SECRET-KEY-"
#define FWS_P256_SECRET_LEN 82
#define FWS_P256_POINT_B64_LEN 44 /* base64 without padding of 33 bytes */

/* The ECDH a device key performs: the x coordinate of its secret times
 * peer (an uncompressed point already checked to lie on the curve). 0, or
 * a negative FWS_E* code after setting the diagnostic. */
typedef int (*fws_p256_ecdh_fn)(void *ctx, const uint8_t peer[FWS_P256_RAW_BYTES],
				uint8_t shared[FWS_P256_SHARED_BYTES]);

struct fws_p256_identity {
	uint8_t public_key[FWS_P256_POINT_BYTES];
	fws_p256_ecdh_fn ecdh;
	void *ctx;
};

/* Checks a compressed point and expands it. Refused (FWS_ERECIPIENTS): a
 * first byte other than 02/03 (00 is the point at infinity, 04 the
 * uncompressed form), x >= p, an x with no point on the curve. */
int fws_p256_point_expand(const uint8_t in[FWS_P256_POINT_BYTES],
			  uint8_t out[FWS_P256_RAW_BYTES]) __attribute__((warn_unused_result));
/* Checks an uncompressed point (04 || x || y on the curve, x and y < p)
 * and compresses it; FWS_ERECIPIENTS otherwise. */
int fws_p256_point_compress(const uint8_t in[FWS_P256_RAW_BYTES],
			    uint8_t out[FWS_P256_POINT_BYTES]) __attribute__((warn_unused_result));

/* A new key pair from libsodium's randombytes. sk is secret (wipe it). */
int fws_p256_keypair(uint8_t sk[FWS_P256_SCALAR_BYTES], uint8_t pk[FWS_P256_POINT_BYTES])
	__attribute__((warn_unused_result));
/* The public key of sk; FWS_EIDENTITY when sk is 0 or >= the group order. */
int fws_p256_public(const uint8_t sk[FWS_P256_SCALAR_BYTES], uint8_t pk[FWS_P256_POINT_BYTES])
	__attribute__((warn_unused_result));
/* ECDH with a software secret scalar: peer is checked to lie on the curve
 * (FWS_ERECIPIENTS), sk to be a valid scalar (FWS_EIDENTITY). */
int fws_p256_ecdh_scalar(const uint8_t sk[FWS_P256_SCALAR_BYTES],
			 const uint8_t peer[FWS_P256_RAW_BYTES], uint8_t shared[FWS_P256_SHARED_BYTES])
	__attribute__((warn_unused_result));

/* Wraps file_key for recipient with a fresh ephemeral key. */
int fws_p256_wrap(const uint8_t recipient[FWS_P256_POINT_BYTES],
		  const uint8_t file_key[FWS_FILE_KEY_LEN], uint8_t eph[FWS_P256_POINT_BYTES],
		  uint8_t body[FWS_P256_BODY_BYTES]) __attribute__((warn_unused_result));

/* Opens one stanza with id. 0 and file_key set when it was made for id;
 * 1 when it was not (or was tampered with: the two are one and the same
 * to an AEAD), so the caller tries the next stanza. A bad ephemeral point
 * (FWS_ERECIPIENTS), an ECDH that fails or gives zero (FWS_EKEYDERIVE, or
 * the callback's code) is an error. file_key is wiped unless 0. */
int fws_p256_unwrap(const struct fws_p256_identity *id, const uint8_t eph[FWS_P256_POINT_BYTES],
		    const uint8_t body[FWS_P256_BODY_BYTES], uint8_t file_key[FWS_FILE_KEY_LEN])
	__attribute__((warn_unused_result));

/* A stanza's ephemeral point and body: 1 when it is of another type;
 * FWS_ERECIPIENTS unless exactly one argument of 44 canonical base64
 * characters holding a valid point and a 32-byte body. */
int fws_p256_stanza(const struct fws_stanza *s, uint8_t eph[FWS_P256_POINT_BYTES],
		    uint8_t body[FWS_P256_BODY_BYTES]) __attribute__((warn_unused_result));

/* The recipient string <-> the point, checked to be on the curve
 * (FWS_ERECIPIENTS for a wrong form, checksum or point). */
int fws_p256_recipient_parse(const char *text, uint8_t pk[FWS_P256_POINT_BYTES])
	__attribute__((warn_unused_result));
void fws_p256_recipient_format(const uint8_t pk[FWS_P256_POINT_BYTES],
			       char out[FWS_P256_RECIPIENT_LEN + 1]);

#endif
