/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-SIG-007, REQ-SIG-002 */
/* Known answers from tests/vectors/known-answers/known-answers.json (computed with
 * Python hashlib and OpenSSL, independent of fwseal) and RFC 8032 / FIPS 180-2.
 * The expected values are hard-coded here on purpose: they must not be
 * derived from the code under test. */
#include <stdio.h>
#include <stdlib.h>

#include "test_core_helpers.h"

TestSuite(vectors, .init = core_setup);

/* RFC 8032 section 7.1, TEST 1 */
static const char rfc8032_seed_hex[] =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char rfc8032_public_hex[] =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char rfc8032_sig_empty_hex[] =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b4"
    "6bd25bf5f0595bbe24655141438e7a100b";
static const char rfc8032_keyid_hex[] =
    "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9";

static const char chunk_digest_hex[4][65] = {
    "7486da8f1e13943fae21a0b043f1e99640d7d8ebafb25266478b5cddae1272b5",
    "7486da8f1e13943fae21a0b043f1e99640d7d8ebafb25266478b5cddae1272b5",
    "7486da8f1e13943fae21a0b043f1e99640d7d8ebafb25266478b5cddae1272b5",
    "5a2cda2351d1cdd9dd7957e57c0b3c8522451f25b6494569b7e94388c46f0980",
};
static const char sha256_chunks_hex[] =
    "4dc366be6eced181a353bc408053d8e69bf70ece47da4abb790d8e9f9e1698db";

static const char pae_body[] =
    "{\"created\":\"2026-01-01T00:00:00Z\",\"hardware\":[\"vector-hw\"],\"payloads\":[{\"chunk_"
    "size\":4096,\"hashes\":{\"sha256-chunks\":"
    "\"4dc366be6eced181a353bc408053d8e69bf70ece47da4abb790d8e9f9e1698db\"},\"name\":\"payload."
    "bin\",\"size\":12388,\"target\":\"rootfs\"}],\"product\":\"vector-device\",\"schema\":1,"
    "\"security_version\":1,\"version\":\"1.0.0\"}";
static const char pae_prefix_hex[] =
    "445353457631203336206170706c69636174696f6e2f766e642e66777365616c2e6d616e69666573742b6a736f"
    "6e20333134207b2263726561746564";
static const char pae_sha256_hex[] =
    "c1b1a4f4452f3cbe4d34e800c0862a0787c7593b717500fdef7f11dc84d23923";
#define PAE_LENGTH 365

static const char env_payload_b64[] =
    "eyJjcmVhdGVkIjoiMjAyNi0wMS0wMVQwMDowMDowMFoiLCJoYXJkd2FyZSI6WyJ2ZWN0b3ItaHciXSwicGF5bG9hZH"
    "MiOlt7ImNodW5rX3NpemUiOjQwOTYsImhhc2hlcyI6eyJzaGEyNTYtY2h1bmtzIjoiNGRjMzY2YmU2ZWNlZDE4MWEz"
    "NTNiYzQwODA1M2Q4ZTY5YmY3MGVjZTQ3ZGE0YWJiNzkwZDhlOWY5ZTE2OThkYiJ9LCJuYW1lIjoicGF5bG9hZC5iaW"
    "4iLCJzaXplIjoxMjM4OCwidGFyZ2V0Ijoicm9vdGZzIn1dLCJwcm9kdWN0IjoidmVjdG9yLWRldmljZSIsInNjaGVt"
    "YSI6MSwic2VjdXJpdHlfdmVyc2lvbiI6MSwidmVyc2lvbiI6IjEuMC4wIn0=";
static const char env_keyid_hex[] =
    "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9";
static const char env_sig_b64[] =
    "MUapqslvEJ+RmDgjOD0uhAWqL/CE/9+r2dCt41vA8zLIqi9t8vtIOnZ//VLw3iYF/snfp4RbIX7+HIFT+kndCg==";

static void read_payload(uint8_t **data, size_t *len)
{
	FILE *f = fopen(VECTORS_DIR "/payload.bin", "rb");
	uint8_t *buf;
	size_t n;

	cr_assert_not_null(f, "cannot open %s", VECTORS_DIR "/payload.bin");
	buf = malloc(20000);
	cr_assert_not_null(buf);
	n = fread(buf, 1, 20000, f);
	fclose(f);
	cr_assert_eq(n, 12388, "payload.bin has %zu bytes", n);
	*data = buf;
	*len = n;
}

Test(vectors, rfc8032_test1_seed_gives_public_key_and_signature)
{
	uint8_t seed[32], pk[32], sk[64], want_pk[32], sig[64], want_sig[64];

	hex_to(seed, 32, rfc8032_seed_hex);
	hex_to(want_pk, 32, rfc8032_public_hex);
	hex_to(want_sig, 64, rfc8032_sig_empty_hex);
	cr_assert_eq(crypto_sign_seed_keypair(pk, sk, seed), 0);
	cr_assert_eq(memcmp(pk, want_pk, 32), 0, "public key differs from RFC 8032 TEST 1");
	cr_assert_eq(crypto_sign_detached(sig, NULL, (const uint8_t *)"", 0, sk), 0);
	cr_assert_eq(memcmp(sig, want_sig, 64), 0, "signature differs from RFC 8032 TEST 1");
	cr_assert_eq(crypto_sign_verify_detached(want_sig, (const uint8_t *)"", 0, want_pk), 0);
}

Test(vectors, keyid_of_rfc8032_test1_key)
{
	uint8_t pk[32], id[32];
	char hex[65];

	hex_to(pk, 32, rfc8032_public_hex);
	fws_keyid(pk, id);
	fws_hex_encode(hex, id, 32);
	cr_assert_str_eq(hex, rfc8032_keyid_hex);
}

Test(vectors, sha256_fips180_abc_and_empty)
{
	uint8_t d[32];
	char hex[65];

	fws_sha256("abc", 3, d);
	fws_hex_encode(hex, d, 32);
	cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	fws_sha256(NULL, 0, d);
	fws_hex_encode(hex, d, 32);
	cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

Test(vectors, chunk_digests_and_sha256_chunks_of_payload_bin)
{
	uint8_t *data, list[4 * 32], want[32], d[32];
	size_t len, i;
	uint64_t n = 0;
	char hex[65];

	read_payload(&data, &len);
	cr_assert_eq(fws_chunk_count(len, 4096, &n), 0);
	cr_assert_eq(n, 4);
	for (i = 0; i < 4; i++) {
		size_t piece = len - i * 4096 < 4096 ? len - i * 4096 : 4096;

		fws_sha256(data + i * 4096, piece, list + i * 32);
		fws_hex_encode(hex, list + i * 32, 32);
		cr_assert_str_eq(hex, chunk_digest_hex[i], "chunk %zu", i);
	}
	fws_sha256(list, sizeof list, d);
	fws_hex_encode(hex, d, 32);
	cr_assert_str_eq(hex, sha256_chunks_hex);

	hex_to(want, 32, sha256_chunks_hex);
	cr_assert_eq(fws_chunk_list_check(list, sizeof list, len, 4096, want), 0);
	free(data);
}

Test(vectors, pae_of_sample_manifest)
{
	static uint8_t pae[FWS_PAE_MAX];
	uint8_t prefix[sizeof pae_prefix_hex / 2], d[32];
	size_t pae_len = 0;
	char hex[65];

	cr_assert_eq(strlen(pae_body), 314);
	cr_assert_eq(fws_pae_encode(pae, sizeof pae, &pae_len, FWS_TYPE_MANIFEST,
				    (const uint8_t *)pae_body, strlen(pae_body)),
		     0);
	cr_assert_eq(pae_len, PAE_LENGTH);
	hex_to(prefix, sizeof prefix, pae_prefix_hex);
	cr_assert_eq(memcmp(pae, prefix, sizeof prefix), 0, "PAE prefix differs");
	fws_sha256(pae, pae_len, d);
	fws_hex_encode(hex, d, 32);
	cr_assert_str_eq(hex, pae_sha256_hex);
}

/* The signed vector envelope, decoded by hand: payload and sig from base64,
 * the trusted root holds only the TEST 1 key in the release role. */
static void vector_envelope(struct fws_envelope *env, struct fws_root *root)
{
	uint8_t body[512], pk[32];
	size_t body_len = 0, sig_len = 0;

	cr_assert_eq(sodium_base642bin(body, sizeof body, env_payload_b64, strlen(env_payload_b64),
				       NULL, &body_len, NULL, sodium_base64_VARIANT_ORIGINAL),
		     0);
	cr_assert_eq(body_len, strlen(pae_body));
	cr_assert_eq(memcmp(body, pae_body, body_len), 0, "payload is not the PAE sample body");
	memset(env, 0, sizeof *env);
	cr_assert_eq(fws_envelope_set_body(env, FWS_TYPE_MANIFEST, body, body_len), 0);
	cr_assert_eq(env->pae_len, PAE_LENGTH);
	env->n_sigs = 1;
	hex_to(env->sigs[0].keyid, 32, env_keyid_hex);
	cr_assert_eq(sodium_base642bin(env->sigs[0].sig, 64, env_sig_b64, strlen(env_sig_b64), NULL,
				       &sig_len, NULL, sodium_base64_VARIANT_ORIGINAL),
		     0);
	cr_assert_eq(sig_len, 64);

	root_begin(root, 1);
	hex_to(pk, 32, rfc8032_public_hex);
	memcpy(root->keys[0].public_key, pk, 32);
	hex_to(root->keys[0].keyid, 32, rfc8032_keyid_hex);
	root->n_keys = 1;
	memcpy(root->roles[FWS_ROLE_RELEASE].keyids[0], root->keys[0].keyid, 32);
	root->roles[FWS_ROLE_RELEASE].n_keyids = 1;
	root->roles[FWS_ROLE_RELEASE].threshold = 1;
	memcpy(root->roles[FWS_ROLE_ROOT].keyids[0], root->keys[0].keyid, 32);
	root->roles[FWS_ROLE_ROOT].n_keyids = 1;
	root->roles[FWS_ROLE_ROOT].threshold = 1;
	cr_assert_eq(fws_root_check(root), 0);
}

Test(vectors, signed_envelope_verifies_with_test1_key)
{
	static struct fws_envelope env;
	static struct fws_root root;
	struct fws_signers signers;
	uint8_t d[32];
	char hex[65];

	vector_envelope(&env, &root);
	fws_sha256(env.pae, env.pae_len, d);
	fws_hex_encode(hex, d, 32);
	cr_assert_str_eq(hex, pae_sha256_hex);
	cr_assert_eq(
	    fws_envelope_verify(&env, FWS_TYPE_MANIFEST, &root, FWS_ROLE_RELEASE, &signers), 0);
	cr_assert_eq(signers.n, 1);
	fws_hex_encode(hex, signers.keyids[0], 32);
	cr_assert_str_eq(hex, env_keyid_hex);
}

Test(vectors, every_flipped_byte_of_pae_or_signature_refused)
{
	static struct fws_envelope env;
	static struct fws_root root;
	size_t i;
	int b, ret;

	vector_envelope(&env, &root);
	for (i = 0; i < env.pae_len; i++) {
		for (b = 0; b < 8; b++) {
			env.pae[i] ^= (uint8_t)(1u << b);
			ret = fws_envelope_verify(&env, FWS_TYPE_MANIFEST, &root, FWS_ROLE_RELEASE,
						  NULL);
			env.pae[i] ^= (uint8_t)(1u << b);
			cr_assert_neq(ret, 0, "flipped bit %d of PAE byte %zu accepted", b, i);
			/* Body bytes reach the signature check; prefix bytes are refused
			 * even earlier as an inconsistent envelope. */
			if (i >= env.body_offset)
				cr_assert_eq(ret, FWS_EBADSIG, "PAE byte %zu: %d", i, ret);
		}
	}
	for (i = 0; i < 64; i++) {
		for (b = 0; b < 8; b++) {
			env.sigs[0].sig[i] ^= (uint8_t)(1u << b);
			ret = fws_envelope_verify(&env, FWS_TYPE_MANIFEST, &root, FWS_ROLE_RELEASE,
						  NULL);
			env.sigs[0].sig[i] ^= (uint8_t)(1u << b);
			cr_assert_eq(ret, FWS_EBADSIG, "flipped bit %d of sig byte %zu: %d", b, i,
				     ret);
		}
	}
	for (i = 0; i < 32; i++) {
		env.sigs[0].keyid[i] ^= 1;
		ret = fws_envelope_verify(&env, FWS_TYPE_MANIFEST, &root, FWS_ROLE_RELEASE, NULL);
		env.sigs[0].keyid[i] ^= 1;
		cr_assert_eq(ret, FWS_EUNTRUSTED, "flipped keyid byte %zu: %d", i, ret);
	}
	/* Untouched, it still verifies: the loop restored every byte. */
	cr_assert_eq(fws_envelope_verify(&env, FWS_TYPE_MANIFEST, &root, FWS_ROLE_RELEASE, NULL),
		     0);
}

Test(vectors, manifest_signature_not_valid_for_root_role_or_type)
{
	static struct fws_envelope env;
	static struct fws_root root;

	vector_envelope(&env, &root);
	/* Same bytes, asked for as a root: wrong type. */
	cr_assert_eq(fws_envelope_verify(&env, FWS_TYPE_ROOT, &root, FWS_ROLE_ROOT, NULL),
		     FWS_EPAYLOADTYPE);
}
