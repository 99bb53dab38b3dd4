/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-ENC-001 */
/* The encryption construction (docs/format.md §15): HKDF, Bech32, the age
 * header writer and streaming reader, STREAM pieces, identities. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/age_internal.h"
#include "fwseal/encoding.h"
#include "fwseal/diag.h"
#include "fwseal/error.h"

static void setup(void)
{
	cr_assert(sodium_init() >= 0);
}

TestSuite(encrypt, .init = setup);

/* age-keygen 1.1.1 output: the oracle for Bech32 and X25519. */
#define AGE_SECRET "AGE-SECRET-KEY-1SCHEA22ET4599RAEU0K6PFDZ5E4WXV374GL5JTDL3WPZ5E5DM3YQT8QCUS"
#define AGE_PUBLIC "age19r86g9gqv4jak7zuxuj8sl8asjsqm4zeylfh69nvf94lvw8m5ehq389am0"

Test(encrypt, hkdf_matches_rfc5869_case_1)
{
	uint8_t ikm[22], salt[13], okm[42];
	char info[11], hex[85];
	memset(ikm, 0x0b, sizeof(ikm));
	for (int i = 0; i < 13; i++)
		salt[i] = (uint8_t)i;
	for (int i = 0; i < 10; i++)
		info[i] = (char)(0xf0 + i);
	info[10] = '\0';
	fws_hkdf_sha256(ikm, sizeof(ikm), salt, sizeof(salt), info, okm, sizeof(okm));
	fws_hex_encode(hex, okm, sizeof(okm));
	cr_assert_str_eq(hex, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf3400"
			      "7208d5b887185865");
}

Test(encrypt, bech32_age_keygen_vector_roundtrips)
{
	uint8_t sk[32], pk[32], again[40];
	char text[128];
	cr_assert_eq(fws_bech32_decode(AGE_SECRET, "AGE-SECRET-KEY-", sk, sizeof(sk)), 32);
	cr_assert_eq(crypto_scalarmult_base(pk, sk), 0);
	cr_assert_eq(fws_bech32_encode("age", pk, 32, 0, text, sizeof(text)), 0);
	cr_assert_str_eq(text, AGE_PUBLIC);
	cr_assert_eq(fws_bech32_decode(AGE_PUBLIC, "age", again, sizeof(again)), 32);
	cr_assert_eq(memcmp(again, pk, 32), 0);
	cr_assert_eq(fws_bech32_encode("AGE-SECRET-KEY-", sk, 32, 1, text, sizeof(text)), 0);
	cr_assert_str_eq(text, AGE_SECRET);
}

Test(encrypt, bech32_flipped_character_is_refused)
{
	uint8_t out[40];
	char bad[] = AGE_PUBLIC;
	bad[10] = bad[10] == 'q' ? 'p' : 'q';
	cr_assert_lt(fws_bech32_decode(bad, "age", out, sizeof(out)), 0);
	cr_assert_lt(fws_bech32_decode("age1Qpzry9x8gf2tvdw0s3jn54khce6mua7l", "age", out, sizeof(out)), 0,
		     "mixed case");
}

Test(encrypt, base64_raw_is_canonical)
{
	uint8_t out[8];
	cr_assert_eq(fws_b64raw_decode("AQI", 3, out, sizeof(out)), 2);
	cr_assert_lt(fws_b64raw_decode("AQJ", 3, out, sizeof(out)), 0, "unused bits set");
	cr_assert_lt(fws_b64raw_decode("AQI=", 4, out, sizeof(out)), 0, "padding");
	cr_assert_lt(fws_b64raw_decode("A", 1, out, sizeof(out)), 0);
}

/* --- header: writer + streaming reader ------------------------------ */

struct membuf {
	uint8_t *data;
	size_t len, cap;
};

static int to_mem(void *ctx, const void *data, size_t len)
{
	struct membuf *m = ctx;
	if (m->len + len > m->cap) {
		m->cap = (m->len + len) * 2;
		m->data = realloc(m->data, m->cap);
		cr_assert_not_null(m->data);
	}
	memcpy(m->data + m->len, data, len);
	m->len += len;
	return 0;
}

static char tmpdir[64];

static const char *write_identity(const char *name, const uint8_t sk[32], unsigned mode)
{
	static char path[128];
	char text[128];
	cr_assert_eq(fws_bech32_encode("AGE-SECRET-KEY-", sk, 32, 1, text, sizeof(text)), 0);
	if (tmpdir[0] == '\0') {
		strcpy(tmpdir, "/tmp/fws-enc-XXXXXX");
		cr_assert_not_null(mkdtemp(tmpdir));
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "# a comment\n%s\n", text);
	fclose(f);
	chmod(path, mode);
	return path;
}

static void make_recipient(const uint8_t sk[32], struct fws_recipient *r)
{
	uint8_t pk[32];
	char text[128];
	cr_assert_eq(crypto_scalarmult_base(pk, sk), 0);
	cr_assert_eq(fws_bech32_encode("age", pk, 32, 0, text, sizeof(text)), 0);
	cr_assert_eq(fws_recipient_parse(text, r), 0);
}

static void write_header(const uint8_t fk[16], uint8_t sks[][32], size_t n, struct membuf *m,
			 uint64_t *expected)
{
	struct fws_age_writer *w;
	*expected = strlen(AGE_VERSION_LINE) + 1 + 4 + 43 + 1;
	cr_assert_eq(fws_age_writer_open(&w, fk, to_mem, m), 0);
	for (size_t i = 0; i < n; i++) {
		struct fws_recipient r;
		uint64_t sz;
		make_recipient(sks[i], &r);
		cr_assert_eq(fws_age_stanza_size(&r, &sz), 0);
		*expected += sz;
		cr_assert_eq(fws_age_writer_add(w, &r), 0);
	}
	cr_assert_eq(fws_age_writer_close(w), 0);
}

static int read_header(const uint8_t *data, size_t len, const struct fws_identity *id,
		       uint8_t fk[16], size_t piece)
{
	struct fws_age_reader *r;
	int rc = fws_age_reader_open(&r, id);
	cr_assert_eq(rc, 0);
	for (size_t at = 0; rc == 0 && at < len; at += piece)
		rc = fws_age_reader_data(r, data + at, len - at < piece ? len - at : piece);
	if (rc == 0)
		rc = fws_age_reader_finish(r, fk);
	fws_age_reader_close(r);
	return rc;
}

Test(encrypt, header_roundtrip_opens_for_each_recipient_only)
{
	uint8_t fk[16], got[16], sks[3][32], other[32];
	struct membuf m = {0};
	uint64_t expected;
	struct fws_identity *id;
	randombytes_buf(fk, sizeof(fk));
	randombytes_buf(sks, sizeof(sks));
	randombytes_buf(other, sizeof(other));
	write_header(fk, sks, 3, &m, &expected);
	cr_assert_eq(m.len, expected, "stanza sizes are known before writing");
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(fws_identity_open(write_identity("dev.key", sks[i], 0600), &id), 0);
		memset(got, 0, sizeof(got));
		cr_assert_eq(read_header(m.data, m.len, id, got, 1 + (size_t)i * 7), 0);
		cr_assert_eq(memcmp(got, fk, 16), 0);
		fws_identity_close(id);
	}
	cr_assert_eq(fws_identity_open(write_identity("other.key", other, 0600), &id), 0);
	cr_assert_eq(read_header(m.data, m.len, id, got, 4096), FWS_ENOTRECIPIENT);
	fws_identity_close(id);
	cr_assert_eq(read_header(m.data, m.len, NULL, NULL, 4096), 0, "parse only");
	free(m.data);
}

Test(encrypt, edited_foreign_stanza_fails_the_mac)
{
	uint8_t fk[16], got[16], sks[2][32];
	struct membuf m = {0};
	uint64_t expected;
	struct fws_identity *id;
	randombytes_buf(fk, sizeof(fk));
	randombytes_buf(sks, sizeof(sks));
	write_header(fk, sks, 2, &m, &expected);
	/* Stanza 0's ephemeral share starts at "-> X25519 " after the version line. */
	size_t at = strlen(AGE_VERSION_LINE) + 1 + strlen("-> X25519 ");
	m.data[at] = m.data[at] == 'A' ? 'B' : 'A';
	cr_assert_eq(fws_identity_open(write_identity("dev.key", sks[1], 0600), &id), 0);
	cr_assert_eq(read_header(m.data, m.len, id, got, 100), FWS_EDECRYPT);
	fws_identity_close(id);
	free(m.data);
}

Test(encrypt, malformed_headers_are_refused)
{
	static const char *const cases[] = {
	    "age-encryption.org/v2\n-> X25519 AAAA\n\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
	    "age-encryption.org/v1\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", /* no stanza */
	    "age-encryption.org/v1\n->  X25519\n\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
	    "age-encryption.org/v1\r\n",
	    "age-encryption.org/v1\n-> a\n\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nx",
	    "age-encryption.org/v1\n-> a\n\n--- AAAA\n",
	    "age-encryption.org/v1\n-> a\n", /* ends early */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(read_header((const uint8_t *)cases[i], strlen(cases[i]), NULL, NULL, 5),
			     FWS_ERECIPIENTS, "case %zu", i);
}

Test(encrypt, identity_file_readable_by_others_is_refused)
{
	uint8_t sk[32];
	struct fws_identity *id = NULL;
	randombytes_buf(sk, sizeof(sk));
	cr_assert_eq(fws_identity_open(write_identity("loose.key", sk, 0640), &id), FWS_EKEYPERM);
	cr_assert_null(id);
	cr_assert_eq(fws_identity_open("/nonexistent/dev.key", &id), FWS_EIDENTITY);
	cr_assert_eq(fws_identity_open("pkcs11:token=x", &id) < 0, 1);
}

/* --- STREAM pieces --------------------------------------------------- */

Test(encrypt, geometry_matches_entry_size)
{
	static const uint64_t sizes[] = {0, 1, 65535, 65536, 65537, 131072, 1048576, 1048577, 3000000};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t n, total = 0, entry;
		cr_assert_eq(fws_enc_chunk_count(sizes[i], 1048576, &n), 0);
		for (uint64_t k = 0; k < n; k++)
			total += fws_enc_piece_len(sizes[i], 1048576, k);
		cr_assert_eq(fws_enc_entry_size(sizes[i], &entry), 0);
		cr_assert_eq(total, entry, "size %llu", (unsigned long long)sizes[i]);
	}
	uint64_t n;
	cr_assert_eq(fws_enc_chunk_count(10, 32768, &n), FWS_ESCHEMA, "below 64 KiB");
}

Test(encrypt, pieces_roundtrip_and_detect_tampering_and_reordering)
{
	uint32_t cs = 131072;
	uint64_t plain = 300000, n;
	uint8_t key[32], fk[16], nonce[16];
	uint8_t *p = malloc(plain), *ct = malloc(plain + 1024), *out = malloc(cs);
	randombytes_buf(fk, sizeof(fk));
	randombytes_buf(nonce, sizeof(nonce));
	randombytes_buf(p, plain);
	fws_enc_payload_key(fk, nonce, key);
	cr_assert_eq(fws_enc_chunk_count(plain, cs, &n), 0);
	cr_assert_eq(n, 3);
	uint64_t off[4] = {0};
	for (uint64_t k = 0; k < n; k++) {
		cr_assert_eq(fws_enc_piece_encrypt(key, nonce, plain, cs, k, p + k * cs, ct + off[k]), 0);
		off[k + 1] = off[k] + fws_enc_piece_len(plain, cs, k);
	}
	for (uint64_t k = 0; k < n; k++) {
		cr_assert_eq(fws_enc_piece_decrypt(key, plain, cs, k, ct + off[k], out), 0);
		cr_assert_eq(memcmp(out, p + k * cs, fws_enc_piece_plain_len(plain, cs, k)), 0);
	}
	/* Piece 1 at piece 2's position (of a payload where piece 2 is whole):
	 * the counter nonces differ. */
	uint8_t *swapped = malloc(off[2] - off[1]);
	memcpy(swapped, ct + off[1], off[2] - off[1]);
	cr_assert_eq(fws_enc_piece_decrypt(key, 3 * (uint64_t)cs, cs, 2, swapped, out),
		     FWS_EDECRYPT, "a piece moved to another position");
	ct[off[1] + 5] ^= 1;
	cr_assert_eq(fws_enc_piece_decrypt(key, plain, cs, 1, ct + off[1], out), FWS_EDECRYPT);
	free(swapped);
	free(p);
	free(ct);
	free(out);
}

/* --- fwseal reads what age 1.1.1 writes ------------------------------ */

/* `age -r RECIPIENT -o p.age p.bin` with age 1.1.1 (Debian), p.bin = the
 * 100 bytes (i * 7 + 3) mod 256; its identity below. The header part is
 * fwseal's recipients entry format, the rest its payload format. */
#define AGE_V_SECRET "AGE-SECRET-KEY-1T2RGLRXZA604HQ899EX797XZNEKPMMVH9QWK78UDFSGUZ3PAAUDQ5TXCZG"
#define AGE_V_HEADER_LEN 168
static const char age_v_hex[] =
	"6167652d656e6372797074696f6e2e6f72672f76310a2d3e205832353531392052446a6f384c646a72495361"
	"72777a426241587a2f643141354b6f5a7150394874597a71707a445933486f0a7958444c53682b2f6c705164"
	"574f3451522f5a426f7a756f486b4c2f61486952577164544f355a4463756f0a2d2d2d205461666143594645"
	"3971394e4d66587269737871744c62426b2f4f6b4161794c4e4844437564645544576f0a398cb2aed4e17893"
	"d91e07aa3aa5db854a1bc1bb6268adcdabceb56d53c5c4d3f7e00c3d94e103d45544dbd4e7e9eacae125562b"
	"7b7160c1af0ce192cd481f033ec6164c9f93dded4c336ca362e97c51b2ca3efec03ab2eb37bf4599f8688b1c"
	"11e9d7e0cba106d1662b10388d21534f8e8c6646514258be858876a408d354673e4d79be";

Test(encrypt, age_1_1_1_output_opens_and_decrypts)
{
	size_t n = strlen(age_v_hex) / 2;
	uint8_t *file = malloc(n), fk[16], key[32], plain[100];
	struct fws_identity *id;
	cr_assert_eq(fws_hex_decode_exact(file, n, age_v_hex), 0);
	uint8_t sk[40];
	cr_assert_eq(fws_bech32_decode(AGE_V_SECRET, "AGE-SECRET-KEY-", sk, sizeof(sk)), 32);
	cr_assert_eq(fws_identity_open(write_identity("age.key", sk, 0600), &id), 0);
	cr_assert_eq(read_header(file, AGE_V_HEADER_LEN, id, fk, 7), 0, "age's header opens");
	fws_identity_close(id);
	/* The payload: nonce + one STREAM chunk, as fwseal's piece 0. */
	uint64_t plain_size = n - AGE_V_HEADER_LEN - 16 - 16;
	cr_assert_eq(plain_size, 100);
	fws_enc_payload_key(fk, file + AGE_V_HEADER_LEN, key);
	cr_assert_eq(fws_enc_piece_len(plain_size, 65536, 0), n - AGE_V_HEADER_LEN);
	cr_assert_eq(fws_enc_piece_decrypt(key, plain_size, 65536, 0, file + AGE_V_HEADER_LEN, plain),
		     0);
	for (int i = 0; i < 100; i++)
		cr_assert_eq(plain[i], (uint8_t)((i * 7 + 3) % 256));
	free(file);
}

/* --- a secure element's callback ------------------------------------- */

struct element {
	uint8_t secret[32];
	int calls, closed;
};

static int element_x25519(void *ctx, const uint8_t peer[32], uint8_t shared[32])
{
	struct element *e = ctx;
	e->calls++;
	return crypto_scalarmult(shared, e->secret, peer) == 0 ? 0 : FWS_ECRYPTO;
}

static void element_close(void *ctx)
{
	((struct element *)ctx)->closed = 1;
}

Test(encrypt, callback_identity_opens_its_stanza_only)
{
	uint8_t fk[16], got[16], sks[2][32];
	struct membuf m = {0};
	uint64_t expected;
	struct element el = {{0}, 0, 0};
	struct fws_identity_callback cb = {&el, {0}, element_x25519, element_close};
	struct fws_identity *id;
	randombytes_buf(fk, sizeof(fk));
	randombytes_buf(sks, sizeof(sks));
	memcpy(el.secret, sks[1], 32);
	cr_assert_eq(crypto_scalarmult_base(cb.public_key, sks[1]), 0);
	write_header(fk, sks, 2, &m, &expected);
	cr_assert_eq(fws_identity_from_callback(&cb, &id), 0);
	cr_assert_str_eq(fws_identity_kind(id), "callback");
	cr_assert_eq(read_header(m.data, m.len, id, got, 64), 0);
	cr_assert_eq(memcmp(got, fk, 16), 0);
	cr_assert_eq(el.calls, 2, "both stanzas offered, the second opened");
	fws_identity_close(id);
	cr_assert_eq(el.closed, 1);
	/* A callback holding another key: not a recipient. */
	el.secret[0] ^= 0x55;
	cr_assert_eq(crypto_scalarmult_base(cb.public_key, el.secret), 0);
	cr_assert_eq(fws_identity_from_callback(&cb, &id), 0);
	cr_assert_eq(read_header(m.data, m.len, id, got, 64), FWS_ENOTRECIPIENT);
	fws_identity_close(id);
	free(m.data);
}

Test(encrypt, key_commitment_differs_per_key_and_is_not_the_mac_key)
{
	uint8_t a[16] = {1}, b[16] = {2}, ca[32], cb[32], mac[32];
	fws_enc_commitment(a, ca);
	fws_enc_commitment(b, cb);
	fws_age_mac_key(a, mac);
	cr_assert_neq(memcmp(ca, cb, 32), 0);
	cr_assert_neq(memcmp(ca, mac, 32), 0, "a published commitment must not be the MAC key");
}

/* --- the manifest's encryption fields (format.md §15.4) ---------------- */

#include "fwseal/manifest.h"

#define COMMIT "\"key_commitment\":\"" \
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\""
#define DIGEST "\"sha256-chunks\":\"" \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\""
/* 300000 plaintext bytes encrypt to 16 + 300000 + 16 * 5 = 300096. */
#define PAYLOAD(extra_hashes, size, cs, enc) \
	"{\"name\":\"a\",\"target\":\"rootfs\",\"size\":" size ",\"chunk_size\":" cs \
	",\"hashes\":{" DIGEST extra_hashes "}" enc "}"
#define MANIFEST(enc, payloads) \
	"{\"schema\":1,\"product\":\"p\",\"version\":\"1.0.0\",\"security_version\":1," \
	"\"hardware\":[\"hw\"],\"created\":\"2026-01-01T00:00:00Z\",\"payloads\":[" payloads "]" \
	enc "}"
#define ENC ",\"encryption\":{\"scheme\":\"age-v1\"," COMMIT "}"
#define PENC ",\"encryption\":{\"plain_size\":300000}"

static int decode(const char *json)
{
	static struct fws_manifest m;
	return fws_manifest_decode((const uint8_t *)json, strlen(json), &m);
}

Test(encrypt, manifest_encryption_roundtrips)
{
	static struct fws_manifest m;
	const char *j = MANIFEST(ENC, PAYLOAD("", "300096", "65536", PENC));
	char *out = NULL;
	size_t len;
	cr_assert_eq(fws_manifest_decode((const uint8_t *)j, strlen(j), &m), 0);
	cr_assert_eq(m.encryption.enabled, 1);
	cr_assert_eq(m.payloads[0].encrypted, 1);
	cr_assert_eq(m.payloads[0].plain_size, 300000);
	cr_assert_eq(fws_manifest_encode(&m, &out, &len), 0);
	cr_assert_not_null(strstr(out, "\"encryption\":{\"plain_size\":300000}"));
	cr_assert_not_null(strstr(out, "\"scheme\":\"age-v1\""));
	free(out);
}

Test(encrypt, manifest_encryption_attacks_are_refused)
{
	/* size that does not follow from plain_size: a length left to the bundle */
	cr_assert_eq(decode(MANIFEST(ENC, PAYLOAD("", "300000", "65536", PENC))), FWS_ESCHEMA);
	/* chunks that are not whole STREAM chunks */
	cr_assert_eq(decode(MANIFEST(ENC, PAYLOAD("", "300096", "4096", PENC))), FWS_ESCHEMA);
	/* a public block index of the plaintext */
	cr_assert_eq(decode(MANIFEST(ENC, PAYLOAD(",\"sha256-blocks\":\"e3b0c44298fc1c149afbf4c8996f"
						  "b92427ae41e4649b934ca495991b7852b855\"",
						  "300096", "65536", PENC))),
		     FWS_ESCHEMA);
	/* encrypted payloads without a key commitment */
	cr_assert_eq(decode(MANIFEST("", PAYLOAD("", "300096", "65536", PENC))), FWS_ESCHEMA);
	/* a key commitment with a plaintext payload */
	cr_assert_eq(decode(MANIFEST(ENC, PAYLOAD("", "300000", "65536", ""))), FWS_ESCHEMA);
	/* another scheme, a missing commitment, an unknown field */
	cr_assert_eq(decode(MANIFEST(",\"encryption\":{\"scheme\":\"age-v2\"," COMMIT "}",
				     PAYLOAD("", "300096", "65536", PENC))),
		     FWS_ESCHEMA);
	cr_assert_eq(decode(MANIFEST(",\"encryption\":{\"scheme\":\"age-v1\"}",
				     PAYLOAD("", "300096", "65536", PENC))),
		     FWS_ESCHEMA);
	cr_assert_eq(decode(MANIFEST(ENC, PAYLOAD("", "300096", "65536",
						  ",\"encryption\":{\"plain_size\":300000,"
						  "\"nonce\":\"00\"}"))),
		     FWS_ESCHEMA);
	/* plain_blocks must be a digest */
	cr_assert_eq(decode(MANIFEST(ENC, PAYLOAD("", "300096", "65536",
						  ",\"encryption\":{\"plain_size\":300000,"
						  "\"plain_blocks\":\"00\"}"))),
		     FWS_ESCHEMA);
	cr_assert_eq(decode(MANIFEST(ENC, PAYLOAD("", "300096", "65536",
						  ",\"encryption\":{\"plain_size\":300000,"
						  "\"plain_blocks\":\"e3b0c44298fc1c149afbf4c8996f"
						  "b92427ae41e4649b934ca495991b7852b855\"}"))),
		     0);	/* the per-chunk list of the drafts before ADR-087: unknown */
	cr_assert_eq(decode(MANIFEST(ENC, PAYLOAD("", "300096", "65536",
						  ",\"encryption\":{\"plain_size\":300000,"
						  "\"plain_chunks\":\"e3b0c44298fc1c149afbf4c8996f"
						  "b92427ae41e4649b934ca495991b7852b855\"}"))),
		     FWS_ESCHEMA);
	/* a keyed block index a device would have to hold whole past 4 GiB */
	cr_assert_eq(decode(MANIFEST(ENC, PAYLOAD("", "4296015905", "16777216",
						  ",\"encryption\":{\"plain_size\":4294967297,"
						  "\"plain_blocks\":\"e3b0c44298fc1c149afbf4c8996f"
						  "b92427ae41e4649b934ca495991b7852b855\"}"))),
		     FWS_ELIMIT);
	cr_assert_str_eq(fws_diag_last()->where, "payloads[0].encryption.plain_blocks");
}

/* --- the keyed block index (format.md §15.6, ADR-087) -------------------- */
/* req: REQ-ENC-004 */

/* Known answer, computed with Python's hmac and hashlib (format.md §15.6):
 * file key 00..0f, payload nonce 10..1f, the 12388-byte payload of §6. */
Test(encrypt, block_hints_match_the_python_vector)
{
	uint8_t fk[16], nonce[16], key[32], hints[4 * FWS_ENC_HINT_LEN];
	uint8_t *data = malloc(12388);
	char hex[65];
	for (int i = 0; i < 16; i++) {
		fk[i] = (uint8_t)i;
		nonce[i] = (uint8_t)(16 + i);
	}
	for (int i = 0; i < 12388; i++)
		data[i] = (uint8_t)((i * 7 + 3) % 256);
	fws_enc_hint_key(fk, nonce, key);
	fws_hex_encode(hex, key, 32);
	cr_assert_str_eq(hex, "afddff8742057057e6bc4106c5eefc9d1e14dde379558561842949ebc0967c77");
	fws_enc_hints_put(key, hints, 0, data, 12388);
	fws_hex_encode(hex, hints, sizeof(hints));
	cr_assert_str_eq(hex, "80513cb46f2d80513cb46f2d80513cb46f2d9ca59a45a355");
	/* OpenSSL's answer (tests/cli/test_encrypt_oracle.sh: `openssl kdf HKDF`,
	 * `openssl dgst -mac HMAC`) for the output of `seq 1 3000` */
	char seq[16000];
	size_t n = 0;
	uint8_t seq_hints[4 * FWS_ENC_HINT_LEN];
	for (int i = 1; i <= 3000; i++)
		n += (size_t)snprintf(seq + n, sizeof(seq) - n, "%d\n", i);
	cr_assert_eq(n, 13893);
	fws_enc_hints_put(key, seq_hints, 0, (const uint8_t *)seq, n);
	fws_hex_encode(hex, seq_hints, sizeof(seq_hints));
	cr_assert_str_eq(hex, "bd15b10e592608e96dc59554d9fe58443de7942bb9d90ef8");
	/* another payload nonce: other hints for the same bytes */
	nonce[0] ^= 1;
	fws_enc_hint_key(fk, nonce, key);
	fws_enc_block_hint(key, data, 4096, hints);
	fws_hex_encode(hex, hints, FWS_ENC_HINT_LEN);
	cr_assert_str_neq(hex, "80513cb46f2d");
	free(data);
}

/* plain/<name> is age's STREAM in 64 KiB chunks whatever its size (so that
 * recipients || plain/<name> is an age file), and opens only unchanged. */
Test(encrypt, block_index_entry_roundtrips_over_many_stream_chunks)
{
	struct fws_payload p = {0};
	uint8_t fk[16];
	uint64_t len;
	p.plain_size = 200u * 1024 * 1024; /* 51200 blocks: 307216 bytes, 5 STREAM chunks */
	size_t plain_len = FWS_ENC_PLAIN_HEAD + 51200 * FWS_ENC_HINT_LEN;
	cr_assert_eq(fws_enc_plain_entry_size(&p, &len), 0);
	cr_assert_eq(len, 16 + plain_len + 16 * 5);
	uint8_t *plain = malloc(plain_len), *entry = malloc(len), *back = malloc(plain_len);
	randombytes_buf(fk, sizeof(fk));
	randombytes_buf(plain, plain_len);
	cr_assert_eq(fws_enc_plain_entry_seal(fk, plain, plain_len, entry), 0);
	cr_assert_eq(fws_enc_plain_entry_open(fk, entry, (size_t)len, back, plain_len), 0);
	cr_assert_eq(memcmp(back, plain, plain_len), 0);
	cr_assert_eq(fws_enc_plain_entry_open(fk, entry, (size_t)len - 1, back, plain_len),
		     FWS_ESIZE, "truncated");
	entry[16 + 3 * (65536 + 16) + 7] ^= 1; /* inside the fourth STREAM chunk */
	cr_assert_eq(fws_enc_plain_entry_open(fk, entry, (size_t)len, back, plain_len),
		     FWS_EDECRYPT, "edited");
	p.plain_size = ((uint64_t)FWS_ENC_HINT_BLOCKS_MAX + 1) * 4096;
	cr_assert_eq(fws_enc_plain_entry_size(&p, &len), FWS_ELIMIT, "above 4 GiB");
	free(plain);
	free(entry);
	free(back);
}

/* What a delta relies on to use fetched runs of blocks: the keystream of
 * plaintext offset r, without the tag, turns the ciphertext bytes of any
 * block-aligned run inside one STREAM chunk back into its plaintext, also
 * in the last (short) chunk; and nothing else is accepted. */
Test(encrypt, stream_xor_recovers_block_runs_of_the_ciphertext)
{
	uint32_t cs = 131072;
	uint64_t plain = 300000;
	uint8_t key[32], nonce[16], *p = malloc(plain), *ct = malloc(plain + 1024), out[8192];
	randombytes_buf(key, sizeof(key));
	randombytes_buf(nonce, sizeof(nonce));
	randombytes_buf(p, plain);
	uint64_t at = 0;
	for (uint64_t k = 0; k < 3; k++) {
		cr_assert_eq(fws_enc_piece_encrypt(key, nonce, plain, cs, k, p + k * cs, ct + at), 0);
		at += fws_enc_piece_len(plain, cs, k);
	}
	uint64_t runs[][2] = {{0, 8192}, {61440, 4096}, {4096 * 50, 8192}, {4096 * 73, 992}};
	for (size_t i = 0; i < 4; i++) {
		uint64_t r = runs[i][0], c = 16 + r / 65536 * (65536 + 16) + r % 65536;
		cr_assert_eq(fws_enc_stream_xor(key, plain, r, ct + c, out, (size_t)runs[i][1]), 0);
		cr_assert_eq(memcmp(out, p + r, (size_t)runs[i][1]), 0, "run at %llu",
			     (unsigned long long)r);
	}
	cr_assert_eq(fws_enc_stream_xor(key, plain, 61440, ct, out, 8192), FWS_EUSAGE,
		     "across a STREAM chunk's tag");
	cr_assert_eq(fws_enc_stream_xor(key, plain, 4100, ct, out, 64), FWS_EUSAGE,
		     "not on a keystream block");
	cr_assert_eq(fws_enc_stream_xor(key, plain, 299008, ct, out, 4096), FWS_EUSAGE,
		     "past the end");
	free(p);
	free(ct);
}

/* --- system.conf [decryption] (docs/system-conf.md §13) ---------------- */

#include "fwseal/sysconf.h"

#define CONF(extra)                                                                          \
	"[system]\nhardware-id = hw-a\ntrusted-root = /etc/fwseal/root.json\n"               \
	"state-dir = /var/lib/fwseal\nbootloader = dir\n"                                     \
	"[slot.rootfs.a]\nclass = rootfs\ndevice = /nonexistent/disk\noffset = 0\n"          \
	"size = 1M\nbootname = a\n"                                                           \
	"[slot.rootfs.b]\nclass = rootfs\ndevice = /nonexistent/disk\noffset = 1M\n"         \
	"size = 1M\nbootname = b\n" extra

static int conf_parse(const char *text, struct fws_sysconf *c)
{
	return fws_sysconf_parse(text, strlen(text), "t.conf", c);
}

Test(encrypt, sysconf_decryption_key)
{
	static struct fws_sysconf c;
	cr_assert_eq(conf_parse(CONF(""), &c), 0);
	cr_assert_str_eq(c.decryption_key, "", "no key: encrypted bundles refused");
	cr_assert_eq(conf_parse(CONF("[decryption]\nkey = /etc/fwseal/device.key\n"), &c), 0);
	cr_assert_str_eq(c.decryption_key, "/etc/fwseal/device.key");
	cr_assert_eq(conf_parse(CONF("[decryption]\nkey = pkcs11:token=dev;object=dec\n"), &c), 0);
	cr_assert_str_eq(c.decryption_key, "pkcs11:token=dev;object=dec");
	cr_assert_eq(conf_parse(CONF("[decryption]\nkey = device.key\n"), &c), FWS_ECONFIG,
		     "a relative path");
	cr_assert_eq(conf_parse(CONF("[decryption]\nkind = file\n"), &c), FWS_ECONFIG,
		     "an unknown key");
	cr_assert_eq(conf_parse(CONF("[decryption]\nkey = /a\n[decryption]\nkey = /b\n"), &c),
		     FWS_ECONFIG, "the section twice");
}

/* --- the reader's limits ---------------------------------------------- */

Test(encrypt, header_reader_limits)
{
	char *big = malloc(FWS_STANZA_BODY_MAX * 2);
	size_t n = 0;
	n += (size_t)sprintf(big + n, "age-encryption.org/v1\n-> a b c d e f g h i j\n\n");
	cr_assert_eq(read_header((uint8_t *)big, n, NULL, NULL, 9), FWS_ERECIPIENTS,
		     "9 arguments");
	cr_assert_not_null(strstr(fws_diag_last()->why, "too many arguments"));
	/* a body of more than 4096 bytes: 86 full lines */
	n = (size_t)sprintf(big, "age-encryption.org/v1\n-> x\n");
	for (int i = 0; i < 86; i++)
		n += (size_t)sprintf(big + n, "%s\n",
				     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	cr_assert_eq(read_header((uint8_t *)big, n, NULL, NULL, 4096), FWS_ERECIPIENTS,
		     "a stanza body over 4096 bytes");
	cr_assert_not_null(strstr(fws_diag_last()->why, "larger than fwseal reads"));
	/* a line longer than 1024 bytes */
	n = (size_t)sprintf(big, "age-encryption.org/v1\n-> ");
	memset(big + n, 'x', 1100);
	n += 1100;
	cr_assert_eq(read_header((uint8_t *)big, n, NULL, NULL, 4096), FWS_ERECIPIENTS,
		     "a line over 1024 bytes");
	cr_assert_not_null(strstr(fws_diag_last()->why, "line longer"));
	free(big);
}
