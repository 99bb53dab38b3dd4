/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-FMT-005, REQ-SIG-004 */
/* Root JSON: a canonical round trip, every shape error refused, and loading a
 * self-signed root envelope from a file. Keys are RFC 8032 section 7.1
 * TEST 1 and TEST 2 (and TEST 3's public key as an impostor). */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "fwseal/encoding.h"
#include "fwseal/envelope.h"
#include "fwseal/fileio.h"
#include "fwseal/limits.h"
#include "fwseal/root.h"
#include "test_json_util.h"

#define SEED1 "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
#define PK1 "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define ID1 "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9"
#define SEED2 "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"
#define PK2 "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
#define ID2 "39f713d0a644253f04529421b9f51b9b08979d08295959c4f3990ee617f5139f"
#define PK3 "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025"
#define ID3 "dac073e0123bdea59dd9b3bda9cf6037f63aca82627d7abcd5c4ac29dd74003e"

#define KEY(pk)                                                                                    \
	"{\"keytype\":\"ed25519\",\"keyval\":{\"public\":\"" pk "\"},\"scheme\":\"ed25519\"}"
#define ROOT_ROLE "\"root\":{\"keyids\":[\"" ID1 "\",\"" ID2 "\"],\"threshold\":2}"
#define RELEASE_ROLE "\"release\":{\"keyids\":[\"" ID2 "\"],\"threshold\":1}"

/* Canonical (sorted, compact): the encoder must give back these bytes. */
static const char root_text[] =
    "{\"created\":\"2026-01-01T00:00:00Z\","
    "\"expires\":\"2027-01-01T00:00:00Z\","
    "\"keys\":{\"" ID1 "\":" KEY(PK1) ",\"" ID2 "\":" KEY(PK2) "},"
							       "\"roles\":{" RELEASE_ROLE
							       "," ROOT_ROLE "},"
							       "\"schema\":1,\"version\":1}";

static void setup(void)
{
	json_test_setup();
}

TestSuite(json_root, .init = setup);

static int decode_text(const char *text)
{
	struct fws_root root;

	return fws_root_decode((const uint8_t *)text, strlen(text), &root);
}

static void expect_mutation(const char *from, const char *to, int code)
{
	char *text = mutate(root_text, from, to);
	int rc = decode_text(text);

	cr_expect_eq(rc, code, "%s -> %s: got %d (%s), want %d", from, to, rc, fws_errname(rc),
		     code);
	free(text);
}

/* ---- valid root ---- */

Test(json_root, canonical_root_round_trips_byte_for_byte)
{
	struct fws_root root;
	char *out = NULL;
	size_t out_len = 0;
	uint8_t id[32];

	cr_assert_eq(fws_root_decode((const uint8_t *)root_text, strlen(root_text), &root), 0);
	cr_expect_eq(root.schema, 1);
	cr_expect_eq(root.version, 1);
	cr_expect_eq(root.created, 1767225600);
	cr_expect_eq(root.expires, 1798761600);
	cr_assert_eq(root.n_keys, 2);
	cr_expect_eq(root.roles[FWS_ROLE_ROOT].n_keyids, 2);
	cr_expect_eq(root.roles[FWS_ROLE_ROOT].threshold, 2);
	cr_expect_eq(root.roles[FWS_ROLE_RELEASE].n_keyids, 1);
	cr_expect_eq(root.roles[FWS_ROLE_RELEASE].threshold, 1);
	cr_assert_eq(fws_hex_decode_exact(id, 32, ID2), 0);
	cr_expect_eq(memcmp(root.roles[FWS_ROLE_RELEASE].keyids[0], id, 32), 0);
	cr_expect_not_null(fws_root_find_key(&root, id));

	cr_assert_eq(fws_root_encode(&root, &out, &out_len), 0);
	cr_expect_str_eq(out, root_text);
	cr_expect_eq(out_len, strlen(root_text));
	free(out);
}

/* ---- thresholds ---- */

Test(json_root, threshold_zero_accepts_anything)
{
	expect_mutation("\"threshold\":2", "\"threshold\":0", FWS_ETHRESHOLDDEF);
	expect_mutation("\"threshold\":1", "\"threshold\":0", FWS_ETHRESHOLDDEF);
}

Test(json_root, threshold_above_key_count_bricks_trust)
{
	expect_mutation("\"threshold\":2", "\"threshold\":3", FWS_ETHRESHOLDDEF);
	expect_mutation("\"threshold\":1", "\"threshold\":2", FWS_ETHRESHOLDDEF);
	expect_mutation("\"threshold\":2", "\"threshold\":4294967297", FWS_ETHRESHOLDDEF);
}

Test(json_root, threshold_wrong_type)
{
	expect_mutation("\"threshold\":2", "\"threshold\":-1", FWS_ESCHEMA);
	expect_mutation("\"threshold\":2", "\"threshold\":2.0", FWS_ESCHEMA);
	expect_mutation("\"threshold\":2", "\"threshold\":\"2\"", FWS_ESCHEMA);
}

/* ---- role key lists ---- */

Test(json_root, keyid_listed_twice_in_a_role_counts_twice)
{
	expect_mutation("\"keyids\":[\"" ID2 "\"]", "\"keyids\":[\"" ID2 "\",\"" ID2 "\"]",
			FWS_ESCHEMA);
	expect_mutation("[\"" ID1 "\",\"" ID2 "\"]", "[\"" ID1 "\",\"" ID1 "\"]", FWS_ESCHEMA);
}

Test(json_root, role_key_not_in_keys)
{
	expect_mutation("\"keyids\":[\"" ID2 "\"]", "\"keyids\":[\"" ID3 "\"]", FWS_ESCHEMA);
}

Test(json_root, role_with_no_keys)
{
	expect_mutation("\"keyids\":[\"" ID2 "\"]", "\"keyids\":[]", FWS_ESCHEMA);
}

Test(json_root, role_keyid_uppercase_or_wrong_length)
{
	expect_mutation(
	    "\"keyids\":[\"" ID2 "\"]",
	    "\"keyids\":[\"39F713D0A644253F04529421B9F51B9B08979D08295959C4F3990EE617F5139F\"]",
	    FWS_ESCHEMA);
	expect_mutation("\"keyids\":[\"" ID2 "\"]", "\"keyids\":[\"39f713d0\"]", FWS_ESCHEMA);
}

Test(json_root, missing_release_role_no_release_keys_needed)
{
	expect_mutation(RELEASE_ROLE ",", "", FWS_ESCHEMA);
}

Test(json_root, missing_root_role)
{
	expect_mutation("," ROOT_ROLE, "", FWS_ESCHEMA);
}

Test(json_root, extra_role_or_extra_role_field)
{
	expect_mutation("\"roles\":{",
			"\"roles\":{\"targets\":{\"keyids\":[\"" ID1 "\"],\"threshold\":1},",
			FWS_ESCHEMA);
	expect_mutation("\"threshold\":1", "\"threshold\":1,\"paths\":[\"*\"]", FWS_ESCHEMA);
}

/* ---- keys ---- */

Test(json_root, key_id_does_not_match_public_key_impersonation)
{
	/* ID1 now names TEST 3's public key: a signer listed under someone
	 * else's ID. */
	expect_mutation(PK1, PK3, FWS_EKEYID);
}

Test(json_root, keytype_not_ed25519)
{
	expect_mutation("\"keytype\":\"ed25519\"", "\"keytype\":\"rsa\"", FWS_ESCHEMA);
	expect_mutation("\"keytype\":\"ed25519\"", "\"keytype\":\"ED25519\"", FWS_ESCHEMA);
	expect_mutation("\"scheme\":\"ed25519\"", "\"scheme\":\"ed25519ph\"", FWS_ESCHEMA);
	expect_mutation("\"keytype\":\"ed25519\"", "\"keytype\":1", FWS_ESCHEMA);
}

Test(json_root, extra_field_in_key_object)
{
	expect_mutation("\"keytype\":\"ed25519\"",
			"\"keyid_hash_algorithms\":[\"sha256\"],\"keytype\":\"ed25519\"",
			FWS_ESCHEMA);
	expect_mutation("\"public\":\"" PK1 "\"", "\"private\":\"" PK1 "\",\"public\":\"" PK1 "\"",
			FWS_ESCHEMA);
}

Test(json_root, missing_field_in_key_object)
{
	expect_mutation(",\"scheme\":\"ed25519\"", "", FWS_ESCHEMA);
	expect_mutation("{\"public\":\"" PK1 "\"}", "{}", FWS_ESCHEMA);
}

Test(json_root, public_key_uppercase_or_wrong_length)
{
	expect_mutation(PK1, "D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A",
			FWS_ESCHEMA);
	expect_mutation(PK1, "d75a98", FWS_ESCHEMA);
}

Test(json_root, keyid_as_object_key_uppercase)
{
	expect_mutation("\"" ID1 "\":{",
			"\"21FE31DFA154A261626BF854046FD2271B7BED4B6ABE45AA58877EF47F9721B9\":{",
			FWS_ESCHEMA);
}

Test(json_root, duplicate_key_entry_parser_differential)
{
	expect_mutation("\"" ID2 "\":" KEY(PK2), "\"" ID2 "\":" KEY(PK2) ",\"" ID2 "\":" KEY(PK1),
			FWS_EJSON);
}

Test(json_root, no_keys)
{
	char *text = mutate(root_text, "\"" ID1 "\":" KEY(PK1) ",\"" ID2 "\":" KEY(PK2), "");

	cr_expect_eq(decode_text(text), FWS_ESCHEMA);
	free(text);
}

/* ---- top level ---- */

Test(json_root, unknown_top_level_field)
{
	expect_mutation("\"schema\":1", "\"_type\":\"root\",\"schema\":1", FWS_ESCHEMA);
	expect_mutation("\"schema\":1", "\"consistent_snapshot\":false,\"schema\":1", FWS_ESCHEMA);
}

Test(json_root, version_zero_or_schema_other_than_one)
{
	expect_mutation("\"version\":1", "\"version\":0", FWS_ESCHEMA);
	expect_mutation("\"version\":1", "\"version\":9007199254740992", FWS_ELIMIT);
	expect_mutation("\"schema\":1", "\"schema\":2", FWS_ESCHEMA);
}

Test(json_root, expires_before_created)
{
	expect_mutation("2027-01-01T00:00:00Z", "2025-01-01T00:00:00Z", FWS_ESCHEMA);
	expect_mutation("2027-01-01T00:00:00Z", "2027-13-01T00:00:00Z", FWS_ECLOCK);
}

Test(json_root, encode_refuses_invalid_root)
{
	struct fws_root root;
	char *out = NULL;
	size_t out_len = 0;

	cr_assert_eq(fws_root_decode((const uint8_t *)root_text, strlen(root_text), &root), 0);
	root.roles[FWS_ROLE_ROOT].threshold = 0;
	cr_expect_eq(fws_root_encode(&root, &out, &out_len), FWS_ETHRESHOLDDEF);
	cr_expect_null(out);

	cr_assert_eq(fws_root_decode((const uint8_t *)root_text, strlen(root_text), &root), 0);
	root.keys[0].public_key[0] ^= 1;
	cr_expect_eq(fws_root_encode(&root, &out, &out_len), FWS_EKEYID);

	cr_assert_eq(fws_root_decode((const uint8_t *)root_text, strlen(root_text), &root), 0);
	root.keys[1] = root.keys[0]; /* two entries, one key ID */
	cr_expect_eq(fws_root_encode(&root, &out, &out_len), FWS_ESCHEMA);

	cr_assert_eq(fws_root_decode((const uint8_t *)root_text, strlen(root_text), &root), 0);
	root.n_keys = FWS_MAX_KEYS + 1;
	cr_expect_eq(fws_root_encode(&root, &out, &out_len), FWS_ELIMIT);
	cr_expect_null(out);
}

/* ---- fws_root_load_file ---- */

struct signer {
	uint8_t pk[32], sk[64];
};

static void signer_make(struct signer *s, const char *seed_hex)
{
	uint8_t seed[32];

	cr_assert_eq(fws_hex_decode_exact(seed, 32, seed_hex), 0);
	cr_assert_eq(crypto_sign_seed_keypair(s->pk, s->sk, seed), 0);
}

static void sign_env(struct fws_envelope *env, const struct signer *s)
{
	struct fws_signature *sig = &env->sigs[env->n_sigs];

	cr_assert_lt(env->n_sigs, FWS_MAX_SIGNATURES);
	cr_assert_eq(crypto_sign_detached(sig->sig, NULL, env->pae, env->pae_len, s->sk), 0);
	fws_keyid(s->pk, sig->keyid);
	env->n_sigs++;
}

/* Writes root_text in an envelope of `type` signed by the first n of
 * TEST 1, TEST 2 into a fresh file; returns its path (malloc'd). */
static char *write_root_file(const char *dir, const char *type, int n_signers)
{
	struct fws_envelope env;
	struct signer s[2];
	char *json = NULL, *path;
	size_t json_len = 0;

	signer_make(&s[0], SEED1);
	signer_make(&s[1], SEED2);
	cr_assert_eq(
	    fws_envelope_set_body(&env, type, (const uint8_t *)root_text, strlen(root_text)), 0);
	for (int i = 0; i < n_signers; i++)
		sign_env(&env, &s[i]);
	cr_assert_eq(fws_envelope_encode(&env, &json, &json_len), 0);
	path = xprintf("%s/root-%s-%d.json", dir,
		       strcmp(type, FWS_TYPE_ROOT) == 0 ? "root" : "other", n_signers);
	cr_assert_eq(fws_file_write_atomic(path, json, json_len, 0644, FWS_OUT_NEW, NULL, 0), 0);
	free(json);
	return path;
}

Test(json_root, load_file_self_signed_root)
{
	char dir[] = "/tmp/fws-root-XXXXXX";
	struct fws_root root;
	struct fws_envelope env;

	cr_assert_not_null(mkdtemp(dir));
	char *path = write_root_file(dir, FWS_TYPE_ROOT, 2);
	cr_expect_eq(fws_root_load_file(path, &root, &env), 0);
	cr_expect_eq(root.version, 1);
	cr_expect_eq(root.n_keys, 2);
	cr_expect_str_eq(env.payload_type, FWS_TYPE_ROOT);
	cr_expect_eq(env.n_sigs, 2);
	/* env may be NULL when the caller has no use for it. */
	cr_expect_eq(fws_root_load_file(path, &root, NULL), 0);
	unlink(path);
	free(path);
	rmdir(dir);
}

Test(json_root, load_file_below_own_root_threshold)
{
	char dir[] = "/tmp/fws-root-XXXXXX";
	struct fws_root root;

	cr_assert_not_null(mkdtemp(dir));
	char *path = write_root_file(dir, FWS_TYPE_ROOT, 1);
	cr_expect_eq(fws_root_load_file(path, &root, NULL), FWS_ETHRESHOLD);
	cr_expect_eq(root.n_keys, 0);
	unlink(path);
	free(path);
	rmdir(dir);
}

Test(json_root, load_file_manifest_type_confusion)
{
	char dir[] = "/tmp/fws-root-XXXXXX";
	struct fws_root root;

	cr_assert_not_null(mkdtemp(dir));
	char *path = write_root_file(dir, FWS_TYPE_MANIFEST, 2);
	cr_expect_eq(fws_root_load_file(path, &root, NULL), FWS_EPAYLOADTYPE);
	unlink(path);
	free(path);
	rmdir(dir);
}

Test(json_root, load_file_missing_or_not_an_envelope)
{
	char dir[] = "/tmp/fws-root-XXXXXX";
	struct fws_root root;

	cr_assert_not_null(mkdtemp(dir));
	char *path = xprintf("%s/absent.json", dir);
	cr_expect_eq(fws_root_load_file(path, &root, NULL), FWS_ENOENT);
	/* A bare root body is not an envelope: unsigned, so refused. */
	cr_assert_eq(
	    fws_file_write_atomic(path, root_text, strlen(root_text), 0644, FWS_OUT_NEW, NULL, 0),
	    0);
	cr_expect_eq(fws_root_load_file(path, &root, NULL), FWS_EENVELOPE);
	cr_expect_eq(fws_root_load_file(dir, &root, NULL), FWS_EIO);
	unlink(path);
	free(path);
	rmdir(dir);
}
