/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-HSM-006 */
/* P-256 recipient stanzas (lib/device/crypt/p256.c): round trips, both
 * directions against python3-cryptography (tests/vectors/p256_oracle.py, an
 * implementation sharing no code with fwseal), and one refusal per attack
 * on the point, the key or the stanza. Token keys: tests/cli/test_hsm_p256.sh. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/crypt/p256.h"
#include "fwseal/error.h"
#include "fwseal/fwseal.h"

#define ORACLE VECTORS_DIR "/../p256_oracle.py"

TestSuite(crypt_p256, .timeout = 60);

struct soft_key {
	uint8_t sk[FWS_P256_SCALAR_BYTES];
};

static int soft_ecdh(void *ctx, const uint8_t peer[FWS_P256_RAW_BYTES],
		     uint8_t shared[FWS_P256_SHARED_BYTES])
{
	return fws_p256_ecdh_scalar(((struct soft_key *)ctx)->sk, peer, shared);
}

static void identity(struct fws_p256_identity *id, struct soft_key *k)
{
	cr_assert_eq(fws_p256_keypair(k->sk, id->public_key), 0);
	id->ecdh = soft_ecdh;
	id->ctx = k;
}

static const uint8_t file_key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

Test(crypt_p256, wrap_unwrap_round_trip)
{
	struct fws_p256_identity id;
	struct soft_key k;
	uint8_t eph[33], body[32], out[16], eph2[33], body2[32];
	int opened = 0;

	cr_assert_eq(fws_init(), 0);
	identity(&id, &k);
	cr_assert_eq(fws_p256_wrap(id.public_key, file_key, eph, body), 0);
	cr_assert_eq(fws_p256_unwrap(&id, eph, body, out, &opened), 0);
	cr_assert_eq(opened, 1);
	cr_assert_arr_eq(out, file_key, 16);
	/* a fresh ephemeral key each time: two stanzas never share a key */
	cr_assert_eq(fws_p256_wrap(id.public_key, file_key, eph2, body2), 0);
	cr_assert_arr_neq(eph, eph2, 33);
	cr_assert_arr_neq(body, body2, 32);
}

Test(crypt_p256, stanza_text_round_trip)
{
	uint8_t eph[33], body[32], eph2[33], body2[32], sk[32];
	char text[FWS_P256_STANZA_CAP];
	char *arg, *nl, *line2;

	cr_assert_eq(fws_init(), 0);
	cr_assert_eq(fws_p256_keypair(sk, eph), 0); /* any valid point */
	randombytes_buf(body, sizeof body);
	fws_p256_stanza_format(text, sizeof text, eph, body);
	cr_assert_eq(strncmp(text, "-> fwseal-p256 ", 15), 0);
	arg = text + 15;
	nl = strchr(arg, '\n');
	cr_assert_not_null(nl);
	cr_assert_eq(nl - arg, FWS_P256_POINT_B64_LEN);
	line2 = nl + 1;
	cr_assert_eq(strlen(line2), FWS_P256_BODY_B64_LEN + 1);
	cr_assert_eq(line2[FWS_P256_BODY_B64_LEN], '\n');
	cr_assert_eq(fws_p256_stanza_parse(arg, (size_t)(nl - arg), line2, FWS_P256_BODY_B64_LEN,
					   eph2, body2),
		     0);
	cr_assert_arr_eq(eph, eph2, 33);
	cr_assert_arr_eq(body, body2, 32);
}

/* ---- python3-cryptography, both directions ---- */

static int oracle(char *out, size_t cap, const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	FILE *p;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	while (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	return pclose(p);
}

static void need_oracle(void)
{
	if (system("python3 -c 'import cryptography.hazmat.primitives.ciphers.aead' "
		   ">/dev/null 2>&1") != 0)
		cr_skip_test("python3-cryptography missing (make test-deps)");
}

Test(crypt_p256, python_unwraps_what_fwseal_wraps)
{
	uint8_t sk[32], pk[33], eph[33], body[32];
	char sk_hex[65], pk_hex[67], fk_hex[33], eph_b64[45], body_b64[44], out[256];

	need_oracle();
	cr_assert_eq(fws_init(), 0);
	for (int round = 0; round < 1; round++) {
		cr_assert_eq(fws_p256_keypair(sk, pk), 0);
		sodium_bin2hex(sk_hex, sizeof sk_hex, sk, 32);
		sodium_bin2hex(pk_hex, sizeof pk_hex, pk, 33);
		sodium_bin2hex(fk_hex, sizeof fk_hex, file_key, 16);
		/* the same public key from the same secret */
		cr_assert_eq(oracle(out, sizeof out, "python3 %s pub %s", ORACLE, sk_hex), 0);
		cr_assert_str_eq(out, pk_hex);
		cr_assert_eq(fws_p256_wrap(pk, file_key, eph, body), 0);
		fws_p256_b64_encode(eph_b64, sizeof eph_b64, eph, 33);
		fws_p256_b64_encode(body_b64, sizeof body_b64, body, 32);
		cr_assert_eq(oracle(out, sizeof out, "python3 %s unwrap %s %s %s", ORACLE, sk_hex,
				    eph_b64, body_b64),
			     0, "python could not open fwseal's stanza");
		cr_assert_str_eq(out, fk_hex);
	}
}

Test(crypt_p256, fwseal_unwraps_what_python_wraps)
{
	struct fws_p256_identity id;
	struct soft_key k;
	uint8_t eph[33], body[32], got[16];
	char pk_hex[67], fk_hex[33], out[256], *space;
	int opened = 0;

	need_oracle();
	cr_assert_eq(fws_init(), 0);
	for (int round = 0; round < 1; round++) {
		identity(&id, &k);
		sodium_bin2hex(pk_hex, sizeof pk_hex, id.public_key, 33);
		sodium_bin2hex(fk_hex, sizeof fk_hex, file_key, 16);
		cr_assert_eq(oracle(out, sizeof out, "python3 %s wrap %s %s", ORACLE, pk_hex, fk_hex),
			     0);
		space = strchr(out, ' ');
		cr_assert_not_null(space);
		cr_assert_eq(fws_p256_stanza_parse(out, (size_t)(space - out), space + 1,
						   strlen(space + 1), eph, body),
			     0, "python's stanza: %s", out);
		cr_assert_eq(fws_p256_unwrap(&id, eph, body, got, &opened), 0);
		cr_assert_eq(opened, 1);
		cr_assert_arr_eq(got, file_key, 16);
	}
}

/* ---- attacks ---- */

/* An x with no point on the curve (x = 0 gives b, not a square mod p;
 * found by trying, checked here by expansion failing). */
Test(crypt_p256, invalid_curve_point_refused)
{
	struct fws_p256_identity id;
	struct soft_key k;
	uint8_t pt[33] = {0x02}, raw[65], body[32] = {0}, out[16];
	int opened = 7, bad = 0;

	cr_assert_eq(fws_init(), 0);
	identity(&id, &k);
	/* Find xs that are not on the curve: about half of them. */
	for (int x = 1; x < 64 && bad < 8; x++) {
		pt[32] = (uint8_t)x;
		if (fws_p256_point_expand(pt, raw) == FWS_ECURVE) {
			bad++;
			cr_assert_eq(fws_p256_unwrap(&id, pt, body, out, &opened), FWS_ECURVE);
			cr_assert_eq(opened, 0);
			cr_assert_eq(fws_p256_wrap(pt, file_key, raw, body), FWS_ECURVE,
				     "wrapping to an off-curve recipient");
		}
	}
	cr_assert_geq(bad, 8);
	/* an uncompressed point off the curve: y changed by one */
	cr_assert_eq(fws_p256_point_expand(id.public_key, raw), 0);
	raw[64] ^= 1;
	uint8_t shared[32];
	cr_assert_eq(fws_p256_ecdh_scalar(k.sk, raw, shared), FWS_ECURVE);
	cr_assert_eq(fws_p256_point_compress(raw, pt), FWS_ECURVE);
}

Test(crypt_p256, infinity_point_refused)
{
	struct fws_p256_identity id;
	struct soft_key k;
	uint8_t inf[33] = {0}, raw[65] = {0}, body[32] = {0}, out[16], shared[32];
	int opened = 0;

	cr_assert_eq(fws_init(), 0);
	identity(&id, &k);
	cr_assert_eq(fws_p256_point_expand(inf, raw), FWS_ECURVE);
	cr_assert_eq(fws_p256_unwrap(&id, inf, body, out, &opened), FWS_ECURVE);
	cr_assert_eq(fws_p256_wrap(inf, file_key, raw, body), FWS_ECURVE);
	/* (0, 0) in uncompressed form: nettle's spelling of infinity */
	raw[0] = 0x04;
	cr_assert_eq(fws_p256_ecdh_scalar(k.sk, raw, shared), FWS_ECURVE);
	char rec[FWS_P256_RECIPIENT_LEN + 1];
	fws_p256_recipient_format(inf, rec);
	cr_assert_eq(fws_p256_recipient_parse(rec, inf), FWS_ECURVE);
}

/* x >= p: another spelling of a valid x, so one point, two stanzas. */
Test(crypt_p256, coordinate_above_prime_refused)
{
	uint8_t pt[33], raw[65];

	memset(pt, 0xff, sizeof pt);
	pt[0] = 0x02;
	cr_assert_eq(fws_p256_point_expand(pt, raw), FWS_ECURVE);
	pt[0] = 0x04; /* and the uncompressed prefix in a compressed slot */
	cr_assert_eq(fws_p256_point_expand(pt, raw), FWS_ECURVE);
}

Test(crypt_p256, wrong_key_does_not_open)
{
	struct fws_p256_identity a, b;
	struct soft_key ka, kb;
	uint8_t eph[33], body[32], out[16];
	int opened = 7;

	cr_assert_eq(fws_init(), 0);
	identity(&a, &ka);
	identity(&b, &kb);
	cr_assert_eq(fws_p256_wrap(a.public_key, file_key, eph, body), 0);
	cr_assert_eq(fws_p256_unwrap(&b, eph, body, out, &opened), 0);
	cr_assert_eq(opened, 0, "a stanza for A opened with B's key");
	cr_assert(sodium_is_zero(out, 16));
}

/* The negated public key gives the same shared x: a stanza must still not
 * open for an identity that claims it (the recipient is in the HKDF salt). */
Test(crypt_p256, substituted_recipient_key_does_not_open)
{
	struct fws_p256_identity id;
	struct soft_key k;
	uint8_t eph[33], body[32], out[16];
	int opened = 7;

	cr_assert_eq(fws_init(), 0);
	identity(&id, &k);
	cr_assert_eq(fws_p256_wrap(id.public_key, file_key, eph, body), 0);
	id.public_key[0] ^= 1; /* 02 <-> 03: -P */
	cr_assert_eq(fws_p256_unwrap(&id, eph, body, out, &opened), 0);
	cr_assert_eq(opened, 0);
}

Test(crypt_p256, tampered_body_does_not_open)
{
	struct fws_p256_identity id;
	struct soft_key k;
	uint8_t eph[33], body[32], bad[32], out[16];
	int opened;

	cr_assert_eq(fws_init(), 0);
	identity(&id, &k);
	cr_assert_eq(fws_p256_wrap(id.public_key, file_key, eph, body), 0);
	for (int i = 0; i < 32; i++) {
		memcpy(bad, body, 32);
		bad[i] ^= 0x01;
		opened = 7;
		cr_assert_eq(fws_p256_unwrap(&id, eph, bad, out, &opened), 0);
		cr_assert_eq(opened, 0, "body byte %d flipped and still opened", i);
	}
}

Test(crypt_p256, tampered_ephemeral_point_does_not_open)
{
	struct fws_p256_identity id;
	struct soft_key k;
	uint8_t eph[33], bad[33], body[32], out[16];
	int opened, rc;

	cr_assert_eq(fws_init(), 0);
	identity(&id, &k);
	cr_assert_eq(fws_p256_wrap(id.public_key, file_key, eph, body), 0);
	for (int i = 0; i < 33; i++) {
		memcpy(bad, eph, 33);
		bad[i] ^= 0x01;
		opened = 7;
		rc = fws_p256_unwrap(&id, bad, body, out, &opened);
		cr_assert(rc == FWS_ECURVE || (rc == 0 && opened == 0),
			  "eph byte %d flipped: rc %d opened %d", i, rc, opened);
	}
}

Test(crypt_p256, truncated_stanza_refused)
{
	uint8_t eph[33], body[32], sk[32];
	char a[45], b[44];

	cr_assert_eq(fws_init(), 0);
	cr_assert_eq(fws_p256_keypair(sk, eph), 0);
	memset(body, 0x5a, sizeof body);
	fws_p256_b64_encode(a, sizeof a, eph, 33);
	fws_p256_b64_encode(b, sizeof b, body, 32);
	for (size_t cut = 0; cut < 44; cut++)
		cr_assert_eq(fws_p256_stanza_parse(a, cut, b, 43, eph, body), FWS_ESCHEMA);
	for (size_t cut = 0; cut < 43; cut++)
		cr_assert_eq(fws_p256_stanza_parse(a, 44, b, cut, eph, body), FWS_ESCHEMA);
	/* one character too many (padding or more data) */
	char padded[46];
	snprintf(padded, sizeof padded, "%s=", a);
	cr_assert_eq(fws_p256_stanza_parse(padded, 45, b, 43, eph, body), FWS_ESCHEMA);
	cr_assert_eq(fws_p256_stanza_parse(a, 44, b, 43, eph, body), 0);
}

/* Stray low bits: two texts for one value would let a stanza be edited
 * without changing what it decodes to. */
Test(crypt_p256, noncanonical_base64_refused)
{
	uint8_t body[32] = {0}, out[32];
	char b[44];

	fws_p256_b64_encode(b, sizeof b, body, 32);
	cr_assert_eq(fws_p256_b64_decode(b, 43, out, 32), 0);
	b[42] = 'B'; /* last character carries 2 unused bits */
	cr_assert_eq(fws_p256_b64_decode(b, 43, out, 32), FWS_ESCHEMA);
	b[42] = '-'; /* URL-safe alphabet */
	cr_assert_eq(fws_p256_b64_decode(b, 43, out, 32), FWS_ESCHEMA);
}

/* A token that returns all zeros (broken, or answering a small-subgroup
 * trick) must not make the wrapping key public. */
static int zero_ecdh(void *ctx, const uint8_t peer[FWS_P256_RAW_BYTES],
		     uint8_t shared[FWS_P256_SHARED_BYTES])
{
	(void)ctx;
	(void)peer;
	memset(shared, 0, FWS_P256_SHARED_BYTES);
	return 0;
}

Test(crypt_p256, zero_shared_secret_refused)
{
	struct fws_p256_identity id = {.ecdh = zero_ecdh};
	uint8_t sk[32], eph[33], body[32] = {0}, out[16];
	int opened = 7;

	cr_assert_eq(fws_init(), 0);
	cr_assert_eq(fws_p256_keypair(sk, id.public_key), 0);
	cr_assert_eq(fws_p256_keypair(sk, eph), 0);
	cr_assert_eq(fws_p256_unwrap(&id, eph, body, out, &opened), FWS_ECURVE);
	cr_assert_eq(opened, 0);
}

Test(crypt_p256, secret_scalar_out_of_range_refused)
{
	uint8_t sk[32], pk[33];

	memset(sk, 0, sizeof sk);
	cr_assert_eq(fws_p256_public(sk, pk), FWS_EKEYFILE);
	memset(sk, 0xff, sizeof sk); /* above the group order */
	cr_assert_eq(fws_p256_public(sk, pk), FWS_EKEYFILE);
}

Test(crypt_p256, recipient_string)
{
	uint8_t sk[32], pk[33], back[33];
	char rec[FWS_P256_RECIPIENT_LEN + 1], bad[80];

	cr_assert_eq(fws_init(), 0);
	cr_assert_eq(fws_p256_keypair(sk, pk), 0);
	fws_p256_recipient_format(pk, rec);
	cr_assert_eq(strlen(rec), FWS_P256_RECIPIENT_LEN);
	cr_assert_eq(fws_p256_recipient_parse(rec, back), 0);
	cr_assert_arr_eq(pk, back, 33);
	snprintf(bad, sizeof bad, "age1%s", rec + 12);
	cr_assert_eq(fws_p256_recipient_parse(bad, back), FWS_EUSAGE);
	snprintf(bad, sizeof bad, "%.55s", rec);
	cr_assert_eq(fws_p256_recipient_parse(bad, back), FWS_EUSAGE);
	snprintf(bad, sizeof bad, "%s ", rec);
	cr_assert_eq(fws_p256_recipient_parse(bad, back), FWS_EUSAGE);
}
