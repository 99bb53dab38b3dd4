/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-HSM-006 */
/* P-256 recipient stanzas (lib/bundle/p256.c): round trips, both
 * directions against python3-cryptography (tests/vectors/p256_oracle.py, an
 * implementation sharing no code with fwseal), and one refusal per attack
 * on the point, the key or the stanza. Token keys: tests/cli/test_hsm_p256.sh. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "bundle/age_internal.h"
#include "bundle/p256.h"
#include "fwseal/p256_keys.h"
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

	cr_assert_eq(fws_init(), 0);
	identity(&id, &k);
	cr_assert_eq(fws_p256_wrap(id.public_key, file_key, eph, body), 0);
	cr_assert_eq(fws_p256_unwrap(&id, eph, body, out), 0);
	cr_assert_arr_eq(out, file_key, 16);
	/* a fresh ephemeral key each time: two stanzas never share a key */
	cr_assert_eq(fws_p256_wrap(id.public_key, file_key, eph2, body2), 0);
	cr_assert_arr_neq(eph, eph2, 33);
	cr_assert_arr_neq(body, body2, 32);
}

/* A stanza as the header reader hands it over. */
static struct fws_stanza stanza(char arg[64], const uint8_t eph[33], const uint8_t *body,
				size_t body_len)
{
	struct fws_stanza st = {.type = FWS_P256_TYPE, .n_args = 1, .body = body,
				.body_len = body_len};

	fws_b64raw_encode(eph, 33, arg);
	st.args[0] = arg;
	return st;
}

Test(crypt_p256, stanza_fields_round_trip)
{
	uint8_t eph[33], body[32], eph2[33], body2[32], sk[32];
	char arg[64];
	struct fws_stanza st;

	cr_assert_eq(fws_init(), 0);
	cr_assert_eq(fws_p256_keypair(sk, eph), 0); /* any valid point */
	randombytes_buf(body, sizeof body);
	st = stanza(arg, eph, body, 32);
	cr_assert_eq(strlen(arg), FWS_P256_POINT_B64_LEN);
	cr_assert_eq(fws_p256_stanza(&st, eph2, body2), 0);
	cr_assert_arr_eq(eph, eph2, 33);
	cr_assert_arr_eq(body, body2, 32);
	st.type = "X25519"; /* another type is not an error: not ours */
	cr_assert_eq(fws_p256_stanza(&st, eph2, body2), 1);
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
		fws_b64raw_encode(eph, 33, eph_b64);
		fws_b64raw_encode(body, 32, body_b64);
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
	uint8_t pybody[40];
	char pk_hex[67], fk_hex[33], out[256], *space;

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
		*space = '\0';
		cr_assert_eq(fws_b64raw_decode(space + 1, strlen(space + 1), pybody, sizeof pybody),
			     32);
		struct fws_stanza st = {.type = FWS_P256_TYPE, .n_args = 1, .body = pybody,
					.body_len = 32};
		st.args[0] = out;
		cr_assert_eq(fws_p256_stanza(&st, eph, body), 0, "python's stanza: %s", out);
		cr_assert_eq(fws_p256_unwrap(&id, eph, body, got), 0);
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
	int bad = 0;

	cr_assert_eq(fws_init(), 0);
	identity(&id, &k);
	/* Find xs that are not on the curve: about half of them. */
	for (int x = 1; x < 64 && bad < 8; x++) {
		pt[32] = (uint8_t)x;
		if (fws_p256_point_expand(pt, raw) == FWS_ERECIPIENTS) {
			bad++;
			cr_assert_eq(fws_p256_unwrap(&id, pt, body, out), FWS_ERECIPIENTS);
			cr_assert_eq(fws_p256_wrap(pt, file_key, raw, body), FWS_ERECIPIENTS,
				     "wrapping to an off-curve recipient");
		}
	}
	cr_assert_geq(bad, 8);
	/* an uncompressed point off the curve: y changed by one */
	cr_assert_eq(fws_p256_point_expand(id.public_key, raw), 0);
	raw[64] ^= 1;
	uint8_t shared[32];
	cr_assert_eq(fws_p256_ecdh_scalar(k.sk, raw, shared), FWS_ERECIPIENTS);
	cr_assert_eq(fws_p256_point_compress(raw, pt), FWS_ERECIPIENTS);
}

Test(crypt_p256, infinity_point_refused)
{
	struct fws_p256_identity id;
	struct soft_key k;
	uint8_t inf[33] = {0}, raw[65] = {0}, body[32] = {0}, out[16], shared[32];

	cr_assert_eq(fws_init(), 0);
	identity(&id, &k);
	cr_assert_eq(fws_p256_point_expand(inf, raw), FWS_ERECIPIENTS);
	cr_assert_eq(fws_p256_unwrap(&id, inf, body, out), FWS_ERECIPIENTS);
	cr_assert_eq(fws_p256_wrap(inf, file_key, raw, body), FWS_ERECIPIENTS);
	/* (0, 0) in uncompressed form: nettle's spelling of infinity */
	raw[0] = 0x04;
	cr_assert_eq(fws_p256_ecdh_scalar(k.sk, raw, shared), FWS_ERECIPIENTS);
	char rec[FWS_P256_RECIPIENT_LEN + 1];
	fws_p256_recipient_format(inf, rec);
	cr_assert_eq(fws_p256_recipient_parse(rec, inf), FWS_ERECIPIENTS);
}

/* x >= p: another spelling of a valid x, so one point, two stanzas. */
Test(crypt_p256, coordinate_above_prime_refused)
{
	uint8_t pt[33], raw[65];

	memset(pt, 0xff, sizeof pt);
	pt[0] = 0x02;
	cr_assert_eq(fws_p256_point_expand(pt, raw), FWS_ERECIPIENTS);
	pt[0] = 0x04; /* and the uncompressed prefix in a compressed slot */
	cr_assert_eq(fws_p256_point_expand(pt, raw), FWS_ERECIPIENTS);
}

Test(crypt_p256, wrong_key_does_not_open)
{
	struct fws_p256_identity a, b;
	struct soft_key ka, kb;
	uint8_t eph[33], body[32], out[16];

	cr_assert_eq(fws_init(), 0);
	identity(&a, &ka);
	identity(&b, &kb);
	cr_assert_eq(fws_p256_wrap(a.public_key, file_key, eph, body), 0);
	cr_assert_eq(fws_p256_unwrap(&b, eph, body, out), 1, "a stanza for A opened with B's key");
	cr_assert(sodium_is_zero(out, 16));
}

/* The negated public key gives the same shared x: a stanza must still not
 * open for an identity that claims it (the recipient is in the HKDF salt). */
Test(crypt_p256, substituted_recipient_key_does_not_open)
{
	struct fws_p256_identity id;
	struct soft_key k;
	uint8_t eph[33], body[32], out[16];

	cr_assert_eq(fws_init(), 0);
	identity(&id, &k);
	cr_assert_eq(fws_p256_wrap(id.public_key, file_key, eph, body), 0);
	id.public_key[0] ^= 1; /* 02 <-> 03: -P */
	cr_assert_eq(fws_p256_unwrap(&id, eph, body, out), 1);
}

Test(crypt_p256, tampered_body_does_not_open)
{
	struct fws_p256_identity id;
	struct soft_key k;
	uint8_t eph[33], body[32], bad[32], out[16];

	cr_assert_eq(fws_init(), 0);
	identity(&id, &k);
	cr_assert_eq(fws_p256_wrap(id.public_key, file_key, eph, body), 0);
	for (int i = 0; i < 32; i++) {
		memcpy(bad, body, 32);
		bad[i] ^= 0x01;
		cr_assert_eq(fws_p256_unwrap(&id, eph, bad, out), 1,
			     "body byte %d flipped and still opened", i);
	}
}

Test(crypt_p256, tampered_ephemeral_point_does_not_open)
{
	struct fws_p256_identity id;
	struct soft_key k;
	uint8_t eph[33], bad[33], body[32], out[16];
	int rc;

	cr_assert_eq(fws_init(), 0);
	identity(&id, &k);
	cr_assert_eq(fws_p256_wrap(id.public_key, file_key, eph, body), 0);
	for (int i = 0; i < 33; i++) {
		memcpy(bad, eph, 33);
		bad[i] ^= 0x01;
		rc = fws_p256_unwrap(&id, bad, body, out);
		cr_assert(rc == FWS_ERECIPIENTS || rc == 1, "eph byte %d flipped: rc %d", i, rc);
	}
}

Test(crypt_p256, truncated_stanza_refused)
{
	uint8_t eph[33], body[32], sk[32], e2[33], b2[32];
	char arg[64];
	struct fws_stanza st;

	cr_assert_eq(fws_init(), 0);
	cr_assert_eq(fws_p256_keypair(sk, eph), 0);
	memset(body, 0x5a, sizeof body);
	for (size_t cut = 0; cut < 44; cut++) {
		st = stanza(arg, eph, body, 32);
		arg[cut] = '\0';
		cr_assert_eq(fws_p256_stanza(&st, e2, b2), FWS_ERECIPIENTS, "arg cut at %zu", cut);
	}
	for (size_t cut = 0; cut < 32; cut++) {
		st = stanza(arg, eph, body, cut);
		cr_assert_eq(fws_p256_stanza(&st, e2, b2), FWS_ERECIPIENTS, "body cut at %zu", cut);
	}
	st = stanza(arg, eph, body, 33); /* one byte too many */
	cr_assert_eq(fws_p256_stanza(&st, e2, b2), FWS_ERECIPIENTS);
	st = stanza(arg, eph, body, 32);
	strcat(arg, "="); /* padding */
	cr_assert_eq(fws_p256_stanza(&st, e2, b2), FWS_ERECIPIENTS);
	st = stanza(arg, eph, body, 32);
	st.n_args = 0; /* no argument */
	cr_assert_eq(fws_p256_stanza(&st, e2, b2), FWS_ERECIPIENTS);
	st.n_args = 2; /* an extra argument */
	st.args[1] = arg;
	cr_assert_eq(fws_p256_stanza(&st, e2, b2), FWS_ERECIPIENTS);
	st = stanza(arg, eph, body, 32);
	cr_assert_eq(fws_p256_stanza(&st, e2, b2), 0);
}

/* Another alphabet or stray low bits: two texts for one value would let a
 * stanza be edited without changing what it decodes to. (The point's 44
 * characters carry no unused bits; the body's 43 carry two, and the header
 * reader decodes it with the same canonical decoder.) */
Test(crypt_p256, noncanonical_base64_refused)
{
	uint8_t eph[33], body[32] = {0}, sk[32], e2[33], b2[32];
	char arg[64], text[64];
	struct fws_stanza st;

	cr_assert_eq(fws_init(), 0);
	cr_assert_eq(fws_p256_keypair(sk, eph), 0);
	st = stanza(arg, eph, body, 32);
	arg[5] = '-'; /* URL-safe alphabet */
	cr_assert_eq(fws_p256_stanza(&st, e2, b2), FWS_ERECIPIENTS);
	fws_b64raw_encode(body, 32, text);
	cr_assert_eq(fws_b64raw_decode(text, 43, b2, 32), 32);
	text[42] = 'B'; /* 'A' plus a stray low bit */
	cr_assert_eq(fws_b64raw_decode(text, 43, b2, 32), -1);
}

/* An off-curve ephemeral point inside a well-formed stanza. */
Test(crypt_p256, invalid_curve_stanza_refused)
{
	uint8_t pt[33] = {0x02}, raw[65], body[32] = {0}, e2[33], b2[32];
	char arg[64];
	struct fws_stanza st;

	for (int x = 1; x < 64; x++) {
		pt[32] = (uint8_t)x;
		if (fws_p256_point_expand(pt, raw) != 0)
			break;
	}
	st = stanza(arg, pt, body, 32);
	cr_assert_eq(fws_p256_stanza(&st, e2, b2), FWS_ERECIPIENTS);
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

	cr_assert_eq(fws_init(), 0);
	cr_assert_eq(fws_p256_keypair(sk, id.public_key), 0);
	cr_assert_eq(fws_p256_keypair(sk, eph), 0);
	cr_assert_eq(fws_p256_unwrap(&id, eph, body, out), FWS_EKEYDERIVE);
}

Test(crypt_p256, secret_scalar_out_of_range_refused)
{
	uint8_t sk[32], pk[33];

	memset(sk, 0, sizeof sk);
	cr_assert_eq(fws_p256_public(sk, pk), FWS_EIDENTITY);
	memset(sk, 0xff, sizeof sk); /* above the group order */
	cr_assert_eq(fws_p256_public(sk, pk), FWS_EIDENTITY);
}

Test(crypt_p256, recipient_string)
{
	uint8_t sk[32], pk[33], back[33];
	char rec[FWS_P256_RECIPIENT_LEN + 1], bad[100];

	cr_assert_eq(fws_init(), 0);
	cr_assert_eq(fws_p256_keypair(sk, pk), 0);
	fws_p256_recipient_format(pk, rec);
	cr_assert_eq(strlen(rec), FWS_P256_RECIPIENT_LEN);
	cr_assert_eq(strncmp(rec, "fwseal-p256-1", 13), 0);
	cr_assert_eq(fws_p256_recipient_parse(rec, back), 0);
	cr_assert_arr_eq(pk, back, 33);
	/* a mistyped character: the checksum catches it */
	snprintf(bad, sizeof bad, "%s", rec);
	bad[30] = bad[30] == 'q' ? 'p' : 'q';
	cr_assert_eq(fws_p256_recipient_parse(bad, back), FWS_ERECIPIENTS);
	/* upper case: a second spelling of the same key */
	for (size_t i = 0; i < strlen(rec); i++)
		bad[i] = (char)(rec[i] >= 'a' && rec[i] <= 'z' ? rec[i] - 32 : rec[i]);
	bad[strlen(rec)] = '\0';
	cr_assert_eq(fws_p256_recipient_parse(bad, back), FWS_ERECIPIENTS);
	snprintf(bad, sizeof bad, "%.60s", rec); /* truncated */
	cr_assert_eq(fws_p256_recipient_parse(bad, back), FWS_ERECIPIENTS);
	snprintf(bad, sizeof bad, "%s ", rec);
	cr_assert_eq(fws_p256_recipient_parse(bad, back), FWS_ERECIPIENTS);
	/* the same key through the dispatch: type p256 */
	struct fws_recipient r;
	cr_assert_eq(fws_recipient_parse(rec, &r), 0);
	cr_assert_str_eq(r.type->name, "p256");
	cr_assert_eq(r.key_len, 33);
}

/* A well-formed recipient string of an off-curve point. */
Test(crypt_p256, invalid_curve_recipient_refused)
{
	uint8_t pt[33] = {0x03}, raw[65], back[33];
	char rec[FWS_P256_RECIPIENT_LEN + 1];

	for (int x = 1; x < 64; x++) {
		pt[32] = (uint8_t)x;
		if (fws_p256_point_expand(pt, raw) != 0)
			break;
	}
	cr_assert_eq(fws_bech32_encode(FWS_P256_RECIPIENT_HRP, pt, 33, 0, rec, sizeof rec), 0);
	cr_assert_eq(fws_p256_recipient_parse(rec, back), FWS_ERECIPIENTS);
}

/* The identity object: a P-256 key file and a callback open a stanza the
 * recipient type wrapped; an X25519 stanza is "not mine". */
static int cb_ecdh(void *ctx, const uint8_t peer[65], uint8_t shared[32])
{
	return fws_p256_ecdh_scalar(ctx, peer, shared);
}

Test(crypt_p256, identities_open_what_the_recipient_type_wraps)
{
	struct fws_identity_p256_callback cb = {0};
	struct fws_identity *id = NULL;
	struct fws_recipient r;
	struct fws_stanza st;
	char args[FWS_STANZA_LINE_MAX], rec[FWS_P256_RECIPIENT_LEN + 1];
	uint8_t body[FWS_STANZA_BODY_MAX], sk[32], got[16];

	cr_assert_eq(fws_init(), 0);
	cr_assert_eq(fws_p256_keypair(sk, cb.public_key), 0);
	fws_p256_recipient_format(cb.public_key, rec);
	cr_assert_eq(fws_recipient_parse(rec, &r), 0);
	cr_assert_eq(r.type->wrap(&r, file_key, args, &st, body), 0);
	cr_assert_str_eq(st.type, "fwseal-p256");
	cb.ecdh = cb_ecdh;
	cb.ctx = sk;
	cr_assert_eq(fws_identity_from_p256_callback(&cb, &id), 0);
	cr_assert_str_eq(fws_identity_kind(id), "callback");
	cr_assert_eq(fws_identity_unwrap(id, &st, got), 0);
	cr_assert_arr_eq(got, file_key, 16);
	st.type = "X25519";
	cr_assert_eq(fws_identity_unwrap(id, &st, got), 1);
	fws_identity_close(id);
	/* a callback whose public key is off the curve is refused at once */
	cb.public_key[0] = 0x00;
	cr_assert_eq(fws_identity_from_p256_callback(&cb, &id), FWS_EIDENTITY);
}

/* ---- key files (lib/bundle/p256_keyfile.c) ---- */

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/p256_keyfile.h"

static void write_file(const char *path, const char *text, mode_t mode)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	cr_assert_eq(chmod(path, mode), 0);
}

Test(crypt_p256, key_file_round_trip_and_every_refusal)
{
	char dir[] = "/tmp/fwseal-p256-XXXXXX", path[128], link[128], text[FWS_P256_KEYFILE_TEXT_CAP];
	char two[2 * FWS_P256_KEYFILE_TEXT_CAP], pub[FWS_P256_KEYFILE_TEXT_CAP];
	uint8_t sk[32], pk[33], sk2[32], pk2[33];

	cr_assert_eq(fws_init(), 0);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/dev.key", dir);
	snprintf(link, sizeof link, "%s/link.key", dir);
	cr_assert_eq(fws_p256_keypair(sk, pk), 0);
	cr_assert_gt(fws_p256_secret_text(sk, pk, text, sizeof text), 0);
	write_file(path, text, 0600);
	cr_assert_eq(fws_p256_secret_load(path, sk2, pk2), 0);
	cr_assert_arr_eq(sk, sk2, 32);
	cr_assert_arr_eq(pk, pk2, 33);
	cr_assert_eq(fws_p256_secret_file_is(path), 1);
	/* a secret others can read is treated as compromised */
	cr_assert_eq(chmod(path, 0640), 0);
	cr_assert_eq(fws_p256_secret_load(path, sk2, pk2), FWS_EKEYPERM);
	cr_assert_eq(chmod(path, 0600), 0);
	/* a symbolic link where the key belongs (a planted redirect) */
	cr_assert_eq(symlink(path, link), 0);
	cr_assert_eq(fws_p256_secret_load(link, sk2, pk2), FWS_EUNSAFE);
	/* two keys in one file: which one would the device use? */
	snprintf(two, sizeof two, "%s%s", text, strstr(text, "FWSEAL-P256-SECRET-KEY-1"));
	write_file(path, two, 0600);
	cr_assert_eq(fws_p256_secret_load(path, sk2, pk2), FWS_EIDENTITY);
	/* the public file given as the secret */
	cr_assert_gt(fws_p256_public_text(pk, pub, sizeof pub), 0);
	write_file(path, pub, 0600);
	cr_assert_eq(fws_p256_secret_load(path, sk2, pk2), FWS_EIDENTITY);
	cr_assert_eq(fws_p256_secret_file_is(path), 0);
	/* a checksum error (one character changed) and lower case */
	char *key = strstr(text, "FWSEAL-P256-SECRET-KEY-1") + 30;
	*key = *key == 'Q' ? 'P' : 'Q';
	write_file(path, text, 0600);
	cr_assert_eq(fws_p256_secret_load(path, sk2, pk2), FWS_EIDENTITY);
	/* a scalar of zero: a key that makes every shared secret known */
	uint8_t zero[32] = {0};
	char zline[FWS_P256_SECRET_LEN + 2];
	cr_assert_eq(fws_bech32_encode(FWS_P256_SECRET_HRP, zero, 32, 1, zline, sizeof zline), 0);
	strcat(zline, "\n");
	write_file(path, zline, 0600);
	cr_assert_eq(fws_p256_secret_load(path, sk2, pk2), FWS_EIDENTITY);
	/* the public key file */
	snprintf(path, sizeof path, "%s/dev.pub", dir);
	write_file(path, pub, 0644);
	cr_assert_eq(fws_p256_public_load(path, pk2), 0);
	cr_assert_arr_eq(pk, pk2, 33);
	unlink(link);
	unlink(path);
	snprintf(path, sizeof path, "%s/dev.key", dir);
	unlink(path);
	rmdir(dir);
}

/* system.conf names a token key: the whole URI reaches the identity
 * opener, ';', '?', '=' and '%' included. */
#include "fwseal/sysconf.h"

Test(crypt_p256, system_conf_names_a_token_key)
{
	static const char text[] =
	    "[system]\nhardware-id = hw-a\ntrusted-root = /etc/fwseal/root.json\n"
	    "state-dir = /var/lib/fwseal\nbootloader = dir\n"
	    "[slot.rootfs.0]\nclass = rootfs\ndevice = /nonexistent/disk\noffset = 0\nsize = 1M\n"
	    "bootname = A\n"
	    "[slot.rootfs.1]\nclass = rootfs\ndevice = /nonexistent/disk\noffset = 2M\nsize = 1M\n"
	    "bootname = B\n"
	    "[decryption]\n"
	    "key = pkcs11:token=unit-17;object=fwseal-decrypt;id=%01%02?pin-source=file:/etc/fwseal/pin\n";
	static struct fws_sysconf conf;

	cr_assert_eq(fws_sysconf_parse(text, strlen(text), "t.conf", &conf), 0, "%s",
		     fws_diag_last()->why);
	cr_assert_str_eq(conf.decryption_key, "pkcs11:token=unit-17;object=fwseal-decrypt;id=%01%02"
					      "?pin-source=file:/etc/fwseal/pin");
}
