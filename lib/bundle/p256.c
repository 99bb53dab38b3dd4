/* SPDX-License-Identifier: Apache-2.0 */
/* P-256 recipients: point checks, ECDH, HKDF, the AEAD around the file key
 * (p256.h). The curve arithmetic is nettle's (hogweed, side-channel silent
 * scalar multiplication); GMP only handles public values (the square root
 * that expands a compressed point). Every point from outside is checked to
 * lie on the curve before any secret scalar touches it: an off-curve point
 * would let an attacker learn the device key bit by bit (invalid-curve
 * attack). */
#include <gmp.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "bundle/age_internal.h"
#include "bundle/p256.h"
#include "fwseal/error.h"
#include "io/io.h"

/* SEC 2, secp256r1: the prime and the curve's b (a = -3). */
static const char P256_P_HEX[] =
    "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
static const char P256_B_HEX[] =
    "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b";

#define LIMBS (32 / sizeof(mp_limb_t))

/* 32 big-endian bytes as little-endian limbs (for mpz_roinit_n: no GMP
 * allocation holds a secret, so every copy can be wiped). */
static void bytes_to_limbs(mp_limb_t limbs[LIMBS], const uint8_t in[32])
{
	for (size_t i = 0; i < LIMBS; i++) {
		mp_limb_t v = 0;
		for (size_t j = 0; j < sizeof(mp_limb_t); j++)
			v = (v << 8) | in[32 - (i + 1) * sizeof(mp_limb_t) + j];
		limbs[i] = v;
	}
}

/* z (0 <= z < 2^256) as 32 big-endian bytes. */
static void mpz_to_bytes(uint8_t out[32], const mpz_t z)
{
	size_t n = mpz_size(z);
	const mp_limb_t *l = mpz_limbs_read(z);

	memset(out, 0, 32);
	for (size_t i = 0; i < n && i < LIMBS; i++)
		for (size_t j = 0; j < sizeof(mp_limb_t); j++)
			out[31 - i * sizeof(mp_limb_t) - j] = (uint8_t)(l[i] >> (8 * j));
}

/* Wipes an mpz that held a secret, then frees it. */
static void mpz_clear_secret(mpz_t z)
{
	size_t n = mpz_size(z);

	if (n > 0)
		sodium_memzero(mpz_limbs_modify(z, (mp_size_t)n), n * sizeof(mp_limb_t));
	mpz_clear(z);
}

static void scalar_clear(struct ecc_scalar *s)
{
	sodium_memzero(s->p, ecc_size(s->ecc) * sizeof(mp_limb_t));
	ecc_scalar_clear(s);
}

static void point_clear(struct ecc_point *p)
{
	sodium_memzero(p->p, 2 * ecc_size(p->ecc) * sizeof(mp_limb_t));
	ecc_point_clear(p);
}

/* out = 02|03 || x of a point nettle computed (always on the curve). */
static void point_to_compressed(const struct ecc_point *pt, uint8_t out[FWS_P256_POINT_BYTES])
{
	mpz_t x, y;

	mpz_init(x);
	mpz_init(y);
	ecc_point_get(pt, x, y);
	out[0] = (uint8_t)(0x02 | mpz_tstbit(y, 0));
	mpz_to_bytes(out + 1, x);
	mpz_clear(x);
	mpz_clear(y);
}

/* The shared secret: x of the point, wiped wherever GMP held it. */
static void point_x(const struct ecc_point *pt, uint8_t out[FWS_P256_SHARED_BYTES])
{
	mpz_t x, y;

	mpz_init(x);
	mpz_init(y);
	ecc_point_get(pt, x, y);
	mpz_to_bytes(out, x);
	mpz_clear_secret(x);
	mpz_clear_secret(y);
}

/* pt from 04 || x || y: refused unless on the curve (nettle checks
 * y^2 = x^3 - 3x + b with x, y < p). */
static int point_load(struct ecc_point *pt, const uint8_t raw[FWS_P256_RAW_BYTES])
{
	mp_limb_t xl[LIMBS], yl[LIMBS];
	mpz_t x, y, p;
	int on_curve;

	if (raw[0] != 0x04)
		return fws_diag_set(FWS_ERECIPIENTS, 0, NULL,
				    "not an uncompressed P-256 point (first byte 0x%02x, not 0x04)",
				    raw[0]);
	bytes_to_limbs(xl, raw + 1);
	bytes_to_limbs(yl, raw + 33);
	mpz_roinit_n(x, xl, (mp_size_t)LIMBS);
	mpz_roinit_n(y, yl, (mp_size_t)LIMBS);
	mpz_init_set_str(p, P256_P_HEX, 16);
	/* nettle reduces nothing: a coordinate >= p is another spelling of a
	 * point and is refused, so one point has one encoding. */
	on_curve = mpz_cmp(x, p) < 0 && mpz_cmp(y, p) < 0 && ecc_point_set(pt, x, y);
	mpz_clear(p);
	return on_curve ? 0
			: fws_diag_set(FWS_ERECIPIENTS, 0, NULL,
				       "the point is not on the P-256 curve (invalid-curve attack)");
}

int fws_p256_point_expand(const uint8_t in[FWS_P256_POINT_BYTES], uint8_t out[FWS_P256_RAW_BYTES])
{
	mp_limb_t xl[LIMBS];
	mpz_t x, p, b, rhs, y, t;
	int rc = 0;

	if (in[0] == 0x00)
		return fws_diag_set(FWS_ERECIPIENTS, 0, NULL,
				    "the point at infinity is not a public key (it would make "
				    "every shared secret known)");
	if (in[0] != 0x02 && in[0] != 0x03)
		return fws_diag_set(FWS_ERECIPIENTS, 0, NULL,
				    "not a compressed P-256 point (first byte 0x%02x, not 0x02 or "
				    "0x03)",
				    in[0]);
	bytes_to_limbs(xl, in + 1);
	mpz_roinit_n(x, xl, (mp_size_t)LIMBS);
	mpz_init_set_str(p, P256_P_HEX, 16);
	mpz_init_set_str(b, P256_B_HEX, 16);
	mpz_inits(rhs, y, t, NULL);
	if (mpz_cmp(x, p) >= 0) {
		rc = fws_diag_set(FWS_ERECIPIENTS, 0, NULL, "the point's x is not below the field prime");
		goto out;
	}
	/* rhs = x^3 - 3x + b mod p; y = rhs^((p+1)/4) (p = 3 mod 4). */
	mpz_powm_ui(rhs, x, 3, p);
	mpz_submul_ui(rhs, x, 3);
	mpz_add(rhs, rhs, b);
	mpz_mod(rhs, rhs, p);
	mpz_add_ui(t, p, 1);
	mpz_fdiv_q_2exp(t, t, 2);
	mpz_powm(y, rhs, t, p);
	mpz_powm_ui(t, y, 2, p);
	if (mpz_cmp(t, rhs) != 0) {
		rc = fws_diag_set(FWS_ERECIPIENTS, 0, NULL,
				  "no P-256 point has this x (invalid-curve attack)");
		goto out;
	}
	if ((unsigned)mpz_tstbit(y, 0) != (unsigned)(in[0] & 1))
		mpz_sub(y, p, y);
	out[0] = 0x04;
	memcpy(out + 1, in + 1, 32);
	mpz_to_bytes(out + 33, y);
	{
		/* nettle's own check as well: two independent judgements. */
		struct ecc_point pt;
		ecc_point_init(&pt, nettle_get_secp_256r1());
		rc = point_load(&pt, out);
		ecc_point_clear(&pt);
	}
out:
	mpz_clears(p, b, rhs, y, t, NULL);
	return rc;
}

int fws_p256_point_compress(const uint8_t in[FWS_P256_RAW_BYTES], uint8_t out[FWS_P256_POINT_BYTES])
{
	struct ecc_point pt;
	int rc;

	ecc_point_init(&pt, nettle_get_secp_256r1());
	rc = point_load(&pt, in);
	if (rc == 0) {
		out[0] = (uint8_t)(0x02 | (in[64] & 1));
		memcpy(out + 1, in + 1, 32);
	}
	ecc_point_clear(&pt);
	return rc;
}

/* nettle's random source: libsodium's (the OS's CSPRNG). */
static void random_bytes(void *ctx, size_t len, uint8_t *dst)
{
	(void)ctx;
	randombytes_buf(dst, len);
}

static int scalar_load(struct ecc_scalar *s, const uint8_t sk[FWS_P256_SCALAR_BYTES])
{
	mp_limb_t l[LIMBS];
	mpz_t z;
	int ok;

	bytes_to_limbs(l, sk);
	mpz_roinit_n(z, l, (mp_size_t)LIMBS);
	ok = ecc_scalar_set(s, z); /* 0 < z < q */
	sodium_memzero(l, sizeof l);
	return ok ? 0
		  : fws_diag_set(FWS_EIDENTITY, 0, NULL,
				 "not a P-256 secret key (zero, or not below the group order)");
}

int fws_p256_public(const uint8_t sk[FWS_P256_SCALAR_BYTES], uint8_t pk[FWS_P256_POINT_BYTES])
{
	const struct ecc_curve *c = nettle_get_secp_256r1();
	struct ecc_scalar s;
	struct ecc_point pt;
	int rc;

	ecc_scalar_init(&s, c);
	ecc_point_init(&pt, c);
	rc = scalar_load(&s, sk);
	if (rc == 0) {
		ecc_point_mul_g(&pt, &s);
		point_to_compressed(&pt, pk);
	}
	scalar_clear(&s);
	ecc_point_clear(&pt);
	return rc;
}

int fws_p256_keypair(uint8_t sk[FWS_P256_SCALAR_BYTES], uint8_t pk[FWS_P256_POINT_BYTES])
{
	const struct ecc_curve *c = nettle_get_secp_256r1();
	struct ecc_scalar s;
	mpz_t z;

	if (sodium_init() < 0)
		return FWS_ECRYPTO;
	ecc_scalar_init(&s, c);
	ecc_scalar_random(&s, NULL, random_bytes);
	mpz_init(z);
	ecc_scalar_get(&s, z);
	mpz_to_bytes(sk, z);
	mpz_clear_secret(z);
	scalar_clear(&s);
	return fws_p256_public(sk, pk);
}

int fws_p256_ecdh_scalar(const uint8_t sk[FWS_P256_SCALAR_BYTES],
			 const uint8_t peer[FWS_P256_RAW_BYTES], uint8_t shared[FWS_P256_SHARED_BYTES])
{
	const struct ecc_curve *c = nettle_get_secp_256r1();
	struct ecc_scalar s;
	struct ecc_point p, r;
	int rc;

	ecc_scalar_init(&s, c);
	ecc_point_init(&p, c);
	ecc_point_init(&r, c);
	rc = point_load(&p, peer);
	if (rc == 0)
		rc = scalar_load(&s, sk);
	if (rc == 0) {
		ecc_point_mul(&r, &s, &p);
		point_x(&r, shared);
		if (sodium_is_zero(shared, FWS_P256_SHARED_BYTES))
			rc = fws_diag_set(FWS_ERECIPIENTS, 0, NULL, "the ECDH shared secret is zero");
	}
	scalar_clear(&s);
	ecc_point_clear(&p);
	point_clear(&r);
	return rc;
}

/* The wrapping key of one stanza. */
static void wrap_key(uint8_t key[32], const uint8_t shared[FWS_P256_SHARED_BYTES],
		     const uint8_t eph[FWS_P256_POINT_BYTES],
		     const uint8_t recipient[FWS_P256_POINT_BYTES])
{
	uint8_t salt[2 * FWS_P256_POINT_BYTES];

	memcpy(salt, eph, FWS_P256_POINT_BYTES);
	memcpy(salt + FWS_P256_POINT_BYTES, recipient, FWS_P256_POINT_BYTES);
	fws_hkdf_sha256(shared, FWS_P256_SHARED_BYTES, salt, sizeof salt, FWS_P256_HKDF_INFO, key,
			32);
}

static const uint8_t zero_nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];

int fws_p256_wrap(const uint8_t recipient[FWS_P256_POINT_BYTES],
		  const uint8_t file_key[FWS_FILE_KEY_LEN], uint8_t eph[FWS_P256_POINT_BYTES],
		  uint8_t body[FWS_P256_BODY_BYTES])
{
	uint8_t peer[FWS_P256_RAW_BYTES], esk[FWS_P256_SCALAR_BYTES];
	uint8_t shared[FWS_P256_SHARED_BYTES], key[32];
	unsigned long long body_len = 0;
	int rc;

	if (sodium_init() < 0)
		return FWS_ECRYPTO;
	if ((rc = fws_p256_point_expand(recipient, peer)) != 0)
		return rc;
	rc = fws_p256_keypair(esk, eph);
	if (rc == 0)
		rc = fws_p256_ecdh_scalar(esk, peer, shared);
	if (rc == 0) {
		wrap_key(key, shared, eph, recipient);
		crypto_aead_chacha20poly1305_ietf_encrypt(body, &body_len, file_key,
							  FWS_FILE_KEY_LEN, NULL, 0, NULL,
							  zero_nonce, key);
		if (body_len != FWS_P256_BODY_BYTES)
			rc = FWS_EINTERNAL;
	}
	sodium_memzero(esk, sizeof esk);
	sodium_memzero(shared, sizeof shared);
	sodium_memzero(key, sizeof key);
	return rc;
}

int fws_p256_unwrap(const struct fws_p256_identity *id, const uint8_t eph[FWS_P256_POINT_BYTES],
		    const uint8_t body[FWS_P256_BODY_BYTES], uint8_t file_key[FWS_FILE_KEY_LEN])
{
	uint8_t peer[FWS_P256_RAW_BYTES], shared[FWS_P256_SHARED_BYTES], key[32];
	unsigned long long len = 0;
	int rc;

	sodium_memzero(file_key, FWS_FILE_KEY_LEN);
	if (sodium_init() < 0)
		return FWS_ECRYPTO;
	if ((rc = fws_p256_point_expand(eph, peer)) != 0)
		return rc;
	if ((rc = id->ecdh(id->ctx, peer, shared)) != 0)
		goto out;
	/* A token or secure element may not check what it returns: a zero
	 * secret would make the wrapping key public. */
	if (sodium_is_zero(shared, sizeof shared)) {
		rc = fws_diag_set(FWS_EKEYDERIVE, 0, NULL,
				  "the device key's ECDH gave an all-zero shared secret");
		goto out;
	}
	wrap_key(key, shared, eph, id->public_key);
	rc = crypto_aead_chacha20poly1305_ietf_decrypt(file_key, &len, NULL, body,
						       FWS_P256_BODY_BYTES, NULL, 0, zero_nonce,
						       key) == 0 &&
		     len == FWS_FILE_KEY_LEN
		 ? 0
		 : 1;
	if (rc != 0)
		sodium_memzero(file_key, FWS_FILE_KEY_LEN);
out:
	sodium_memzero(shared, sizeof shared);
	sodium_memzero(key, sizeof key);
	return rc;
}

/* ---- text forms ---- */

int fws_p256_stanza(const struct fws_stanza *s, uint8_t eph[FWS_P256_POINT_BYTES],
		    uint8_t body[FWS_P256_BODY_BYTES])
{
	uint8_t raw[FWS_P256_RAW_BYTES];
	size_t arg_len;

	if (s->type == NULL || strcmp(s->type, FWS_P256_TYPE) != 0)
		return 1;
	/* One encoding per stanza: a point of another length, padding or
	 * stray low bits (fws_b64raw_decode is canonical) are refused, not
	 * repaired. */
	arg_len = s->n_args == 1 ? strlen(s->args[0]) : 0;
	if (s->n_args != 1 || arg_len != FWS_P256_POINT_B64_LEN ||
	    fws_b64raw_decode(s->args[0], arg_len, eph, FWS_P256_POINT_BYTES) !=
		FWS_P256_POINT_BYTES)
		return fws_diag_set(FWS_ERECIPIENTS, 0, "recipients",
				    "a " FWS_P256_TYPE " stanza needs exactly one argument: the "
				    "33-byte compressed ephemeral point in 44 base64 characters");
	if (s->body_len != FWS_P256_BODY_BYTES)
		return fws_diag_set(FWS_ERECIPIENTS, 0, "recipients",
				    "a " FWS_P256_TYPE " stanza's body is %d bytes, not %zu",
				    FWS_P256_BODY_BYTES, s->body_len);
	memcpy(body, s->body, FWS_P256_BODY_BYTES);
	if (fws_p256_point_expand(eph, raw) != 0) {
		fws_diag_prefix('/', "recipients");
		return FWS_ERECIPIENTS;
	}
	return 0;
}

int fws_p256_recipient_parse(const char *text, uint8_t pk[FWS_P256_POINT_BYTES])
{
	uint8_t raw[FWS_P256_RAW_BYTES], buf[FWS_P256_POINT_BYTES + 8];
	long n = fws_bech32_decode(text, FWS_P256_RECIPIENT_HRP, buf, sizeof buf);

	/* Lower case only: an upper-case spelling of the same key is refused
	 * like any other second spelling. */
	for (const char *p = text; n >= 0 && *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			n = -1;
	if (n != FWS_P256_POINT_BYTES)
		return fws_diag_set(FWS_ERECIPIENTS, 0, text,
				    "not a P-256 recipient (" FWS_P256_RECIPIENT_PREFIX
				    "... with a valid checksum)");
	memcpy(pk, buf, FWS_P256_POINT_BYTES);
	if (fws_p256_point_expand(pk, raw) != 0) {
		fws_diag_prefix('/', "%s", text);
		return FWS_ERECIPIENTS;
	}
	return 0;
}

void fws_p256_recipient_format(const uint8_t pk[FWS_P256_POINT_BYTES],
			       char out[FWS_P256_RECIPIENT_LEN + 1])
{
	if (fws_bech32_encode(FWS_P256_RECIPIENT_HRP, pk, FWS_P256_POINT_BYTES, 0, out,
			      FWS_P256_RECIPIENT_LEN + 1) != 0)
		out[0] = '\0'; /* cannot happen: the size is exact */
}
