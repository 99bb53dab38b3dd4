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
 * Unwrapping asks a callback for the ECDH: a software key (this file) or a
 * token key (p256_pkcs11.c) - the secret never needs to leave the token. */
#ifndef FWSEAL_DEVICE_CRYPT_P256_H
#define FWSEAL_DEVICE_CRYPT_P256_H

#include <stddef.h>
#include <stdint.h>

#define FWS_P256_TYPE "fwseal-p256"
#define FWS_P256_SCALAR_BYTES 32
#define FWS_P256_POINT_BYTES 33	 /* SEC1 compressed: 02|03 || x */
#define FWS_P256_RAW_BYTES 65	 /* SEC1 uncompressed: 04 || x || y */
#define FWS_P256_SHARED_BYTES 32 /* the x coordinate of the shared point */
#define FWS_P256_FILE_KEY_BYTES 16
#define FWS_P256_BODY_BYTES 32 /* file key + Poly1305 tag */
#define FWS_P256_HKDF_INFO "fwseal/p256"
/* "fwseal-p256:" + 44 base64 characters: what --to and key files hold. */
#define FWS_P256_RECIPIENT_PREFIX "fwseal-p256:"
#define FWS_P256_RECIPIENT_LEN 56
#define FWS_P256_SECRET_PREFIX "FWSEAL-P256-SECRET-KEY:"
/* Base64 without padding of 33 and 32 bytes. */
#define FWS_P256_POINT_B64_LEN 44
#define FWS_P256_BODY_B64_LEN 43

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

/* Checks a compressed point and expands it. Refused (FWS_ECURVE): a first
 * byte other than 02/03 (00 is the point at infinity, 04 the uncompressed
 * form), x >= p, an x with no point on the curve. */
int fws_p256_point_expand(const uint8_t in[FWS_P256_POINT_BYTES],
			  uint8_t out[FWS_P256_RAW_BYTES]) __attribute__((warn_unused_result));
/* Checks an uncompressed point (04 || x || y on the curve) and compresses
 * it; FWS_ECURVE otherwise. */
int fws_p256_point_compress(const uint8_t in[FWS_P256_RAW_BYTES],
			    uint8_t out[FWS_P256_POINT_BYTES]) __attribute__((warn_unused_result));

/* A new key pair from libsodium's randombytes. sk is secret (wipe it). */
int fws_p256_keypair(uint8_t sk[FWS_P256_SCALAR_BYTES], uint8_t pk[FWS_P256_POINT_BYTES])
	__attribute__((warn_unused_result));
/* The public key of sk; FWS_EKEYFILE when sk is 0 or >= the group order. */
int fws_p256_public(const uint8_t sk[FWS_P256_SCALAR_BYTES], uint8_t pk[FWS_P256_POINT_BYTES])
	__attribute__((warn_unused_result));
/* ECDH with a software secret scalar (sk must be a valid scalar):
 * FWS_ECURVE for an all-zero result. */
int fws_p256_ecdh_scalar(const uint8_t sk[FWS_P256_SCALAR_BYTES],
			 const uint8_t peer[FWS_P256_RAW_BYTES], uint8_t shared[FWS_P256_SHARED_BYTES])
	__attribute__((warn_unused_result));

/* Wraps file_key for recipient with a fresh ephemeral key. */
int fws_p256_wrap(const uint8_t recipient[FWS_P256_POINT_BYTES],
		  const uint8_t file_key[FWS_P256_FILE_KEY_BYTES], uint8_t eph[FWS_P256_POINT_BYTES],
		  uint8_t body[FWS_P256_BODY_BYTES]) __attribute__((warn_unused_result));

/* Opens one stanza with id. *opened = 1 and file_key set when it was made
 * for id; *opened = 0 when it was not (or was tampered with: the two are
 * one and the same to an AEAD), so the caller tries the next stanza. A
 * bad ephemeral point (FWS_ECURVE) or an ECDH failure is an error. */
int fws_p256_unwrap(const struct fws_p256_identity *id, const uint8_t eph[FWS_P256_POINT_BYTES],
		    const uint8_t body[FWS_P256_BODY_BYTES],
		    uint8_t file_key[FWS_P256_FILE_KEY_BYTES], int *opened)
	__attribute__((warn_unused_result));

/* Strict, canonical base64 without padding of exactly len bytes (age's
 * rule: one encoding per value, so a stanza cannot be altered without
 * changing its text). FWS_ESCHEMA otherwise. */
int fws_p256_b64_decode(const char *text, size_t text_len, uint8_t *out, size_t len)
	__attribute__((warn_unused_result));
/* out needs sodium_base64_ENCODED_LEN(len, NO_PADDING) bytes. */
void fws_p256_b64_encode(char *out, size_t cap, const uint8_t *in, size_t len);

/* The stanza's argument (after "-> fwseal-p256 ") and body line, both
 * without newline: exact lengths, canonical base64, a valid point. */
int fws_p256_stanza_parse(const char *arg, size_t arg_len, const char *body_line,
			  size_t body_len, uint8_t eph[FWS_P256_POINT_BYTES],
			  uint8_t body[FWS_P256_BODY_BYTES]) __attribute__((warn_unused_result));
/* "-> fwseal-p256 ARG\nBODY\n" into out (cap >= FWS_P256_STANZA_CAP). */
#define FWS_P256_STANZA_CAP 112
void fws_p256_stanza_format(char *out, size_t cap, const uint8_t eph[FWS_P256_POINT_BYTES],
			    const uint8_t body[FWS_P256_BODY_BYTES]);

/* "fwseal-p256:<base64 of the compressed point>" (the recipient string of
 * --to and of a public key file) <-> the point, checked to be on the
 * curve (FWS_EUSAGE for the wrong form, FWS_ECURVE for a bad point). */
int fws_p256_recipient_parse(const char *text, uint8_t pk[FWS_P256_POINT_BYTES])
	__attribute__((warn_unused_result));
void fws_p256_recipient_format(const uint8_t pk[FWS_P256_POINT_BYTES],
			       char out[FWS_P256_RECIPIENT_LEN + 1]);

#endif
