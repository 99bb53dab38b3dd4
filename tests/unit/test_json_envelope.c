/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-FMT-005, REQ-SIG-002 */
/* DSSE envelope JSON: the known-answer envelope decodes and verifies with the
 * RFC 8032 TEST 1 key; every malformation is refused, named after the
 * attack. */
#include "fwseal/encoding.h"
#include "fwseal/envelope.h"
#include "fwseal/limits.h"
#include "fwseal/root.h"
#include "test_json_util.h"

#define KA_PUBLIC "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define KA_KEYID "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9"

static char *ka_text; /* the known-answer envelope as JSON text */
static char *ka_body; /* its payload, decoded (pae.body_utf8) */
static char *ka_b64;  /* its payload field */
static char *ka_sig;  /* its one sig field */

static void setup(void)
{
	json_t *ka, *env;

	json_test_setup();
	ka = ka_load();
	env = json_object_get(ka, "envelope");
	cr_assert_not_null(env);
	ka_text = json_dumps(env, JSON_COMPACT);
	cr_assert_not_null(ka_text);
	ka_b64 = strdup(json_string_value(json_object_get(env, "payload")));
	ka_sig = strdup(json_string_value(
	    json_object_get(json_array_get(json_object_get(env, "signatures"), 0), "sig")));
	cr_assert(ka_b64 != NULL && ka_sig != NULL);
	json_decref(ka);
	ka_body = ka_string("pae", "body_utf8");
}

static void teardown(void)
{
	free(ka_text);
	free(ka_body);
	free(ka_b64);
	free(ka_sig);
}

TestSuite(json_envelope, .init = setup, .fini = teardown);

static int decode_text(const char *text)
{
	struct fws_envelope env;

	return fws_envelope_decode((const uint8_t *)text, strlen(text), &env);
}

/* An envelope from its three parts (sigs is the array's inside). */
static char *envelope(const char *type, const char *payload, const char *sigs)
{
	return xprintf("{\"payloadType\":\"%s\",\"payload\":\"%s\",\"signatures\":[%s]}", type,
		       payload, sigs);
}

static char *one_sig(const char *keyid, const char *sig)
{
	return xprintf("{\"keyid\":\"%s\",\"sig\":\"%s\"}", keyid, sig);
}

static void expect_text(const char *text, int code)
{
	int rc = decode_text(text);

	cr_expect_eq(rc, code, "%.120s: got %d (%s), want %d", text, rc, fws_errname(rc), code);
}

static void expect_parts(const char *type, const char *payload, const char *sigs, int code)
{
	char *text = envelope(type, payload, sigs);

	expect_text(text, code);
	free(text);
}

static void expect_sig(const char *keyid, const char *sig, int code)
{
	char *s = one_sig(keyid, sig);

	expect_parts(FWS_TYPE_MANIFEST, ka_b64, s, code);
	free(s);
}

static void expect_mutation(const char *from, const char *to, int code)
{
	char *text = mutate(ka_text, from, to);

	expect_text(text, code);
	free(text);
}

static char *b64(const uint8_t *data, size_t len)
{
	size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *out = malloc(cap);

	cr_assert_not_null(out);
	sodium_bin2base64(out, cap, data, len, sodium_base64_VARIANT_ORIGINAL);
	return out;
}

/* A root trusting the RFC 8032 TEST 1 key for both roles, threshold 1. */
static void ka_root(struct fws_root *root)
{
	memset(root, 0, sizeof(*root));
	root->schema = 1;
	root->version = 1;
	root->created = 0;
	root->expires = 4102444800;
	cr_assert_eq(fws_hex_decode_exact(root->keys[0].public_key, 32, KA_PUBLIC), 0);
	cr_assert_eq(fws_hex_decode_exact(root->keys[0].keyid, 32, KA_KEYID), 0);
	root->n_keys = 1;
	for (int r = 0; r < FWS_ROLE_COUNT; r++) {
		memcpy(root->roles[r].keyids[0], root->keys[0].keyid, 32);
		root->roles[r].n_keyids = 1;
		root->roles[r].threshold = 1;
	}
	cr_assert_eq(fws_root_check(root), 0);
}

/* ---- known answer ---- */

Test(json_envelope, known_answer_decodes_and_verifies_with_rfc8032_key)
{
	struct fws_envelope env;
	struct fws_root root;
	struct fws_signers signers;
	const uint8_t *body;
	size_t body_len;
	uint8_t keyid[32];

	cr_assert_eq(fws_envelope_decode((const uint8_t *)ka_text, strlen(ka_text), &env), 0);
	cr_expect_str_eq(env.payload_type, FWS_TYPE_MANIFEST);
	cr_assert_eq(env.n_sigs, 1);
	cr_assert_eq(fws_hex_decode_exact(keyid, 32, KA_KEYID), 0);
	cr_expect_eq(memcmp(env.sigs[0].keyid, keyid, 32), 0);
	body = fws_envelope_body(&env, &body_len);
	cr_assert_not_null(body);
	cr_assert_eq(body_len, strlen(ka_body));
	cr_expect_eq(memcmp(body, ka_body, body_len), 0);
	cr_expect_eq(env.pae_len, 365);

	ka_root(&root);
	memset(&signers, 0, sizeof(signers));
	cr_expect_eq(
	    fws_envelope_verify(&env, FWS_TYPE_MANIFEST, &root, FWS_ROLE_RELEASE, &signers), 0);
	cr_expect_eq(signers.n, 1);
	/* A manifest envelope is never a root. */
	cr_expect_eq(fws_envelope_verify(&env, FWS_TYPE_ROOT, &root, FWS_ROLE_RELEASE, NULL),
		     FWS_EPAYLOADTYPE);
}

Test(json_envelope, known_answer_reencodes_and_decodes_to_the_same_envelope)
{
	struct fws_envelope env, again;
	char *out = NULL;
	size_t out_len = 0;

	cr_assert_eq(fws_envelope_decode((const uint8_t *)ka_text, strlen(ka_text), &env), 0);
	cr_assert_eq(fws_envelope_encode(&env, &out, &out_len), 0);
	cr_expect_eq(strlen(out), out_len);
	cr_expect_eq(out[out_len - 1], '\n');
	char *expected = xprintf("{\n  \"payload\": \"%s\",\n  \"payloadType\": \"%s\",\n"
				 "  \"signatures\": [\n    {\n      \"keyid\": \"%s\",\n"
				 "      \"sig\": \"%s\"\n    }\n  ]\n}\n",
				 ka_b64, FWS_TYPE_MANIFEST, KA_KEYID, ka_sig);
	cr_expect_str_eq(out, expected);
	cr_assert_eq(fws_envelope_decode((const uint8_t *)out, out_len, &again), 0);
	cr_expect_eq(again.pae_len, env.pae_len);
	cr_expect_eq(memcmp(again.pae, env.pae, env.pae_len), 0);
	cr_expect_eq(memcmp(again.sigs, env.sigs, sizeof(env.sigs[0])), 0);
	free(expected);
	free(out);
}

Test(json_envelope, tampered_signature_decodes_but_fails_verification)
{
	struct fws_envelope env;
	struct fws_root root;

	cr_assert_eq(fws_envelope_decode((const uint8_t *)ka_text, strlen(ka_text), &env), 0);
	env.sigs[0].sig[10] ^= 1;
	ka_root(&root);
	cr_expect_eq(fws_envelope_verify(&env, FWS_TYPE_MANIFEST, &root, FWS_ROLE_RELEASE, NULL),
		     FWS_EBADSIG);
}

/* ---- not JSON / not strict ---- */

Test(json_envelope, duplicate_key_parser_differential)
{
	char *to = xprintf("\"payload\":\"e30=\",\"payload\":\"%s\"", ka_b64);
	char *from = xprintf("\"payload\":\"%s\"", ka_b64);

	expect_mutation(from, to, FWS_EJSON);
	free(to);
	free(from);
	expect_mutation("\"keyid\":", "\"keyid\":\"" KA_KEYID "\",\"keyid\":", FWS_EJSON);
}

Test(json_envelope, trailing_garbage)
{
	char *text = xprintf("%s\n{}", ka_text);

	expect_text(text, FWS_EJSON);
	free(text);
}

Test(json_envelope, top_level_array)
{
	char *text = xprintf("[%s]", ka_text);

	expect_text(text, FWS_EENVELOPE);
	free(text);
}

Test(json_envelope, oversized_envelope_resource_exhaustion)
{
	struct fws_envelope env;
	size_t len = FWS_ENVELOPE_MAX + 1;
	char *text = malloc(len);

	cr_assert_not_null(text);
	memset(text, ' ', len);
	memcpy(text, ka_text, strlen(ka_text));
	cr_expect_eq(fws_envelope_decode((const uint8_t *)text, len, &env), FWS_ELIMIT);
	/* The same bytes within the limit are fine (trailing whitespace is
	 * JSON). */
	cr_expect_eq(fws_envelope_decode((const uint8_t *)text, FWS_ENVELOPE_MAX, &env), 0);
	free(text);
}

/* ---- fields ---- */

Test(json_envelope, missing_field)
{
	char *s = one_sig(KA_KEYID, ka_sig), *text;

	text = xprintf("{\"payload\":\"%s\",\"signatures\":[%s]}", ka_b64, s);
	expect_text(text, FWS_EENVELOPE);
	free(text);
	text = xprintf("{\"payloadType\":\"%s\",\"signatures\":[%s]}", FWS_TYPE_MANIFEST, s);
	expect_text(text, FWS_EENVELOPE);
	free(text);
	text = xprintf("{\"payloadType\":\"%s\",\"payload\":\"%s\"}", FWS_TYPE_MANIFEST, ka_b64);
	expect_text(text, FWS_EENVELOPE);
	free(text);
	text = xprintf("{\"keyid\":\"%s\"}", KA_KEYID);
	expect_parts(FWS_TYPE_MANIFEST, ka_b64, text, FWS_EENVELOPE);
	free(text);
	free(s);
}

Test(json_envelope, extra_field_smuggled_metadata)
{
	expect_mutation("\"payloadType\"", "\"extra\":1,\"payloadType\"", FWS_EENVELOPE);
	expect_mutation("\"keyid\"", "\"public\":\"" KA_PUBLIC "\",\"keyid\"", FWS_EENVELOPE);
}

Test(json_envelope, wrong_types)
{
	char *s = one_sig(KA_KEYID, ka_sig), *text;

	text = xprintf("{\"payloadType\":\"%s\",\"payload\":\"%s\",\"signatures\":%s}",
		       FWS_TYPE_MANIFEST, ka_b64, s);
	expect_text(text, FWS_EENVELOPE);
	free(text);
	expect_parts(FWS_TYPE_MANIFEST, ka_b64, "\"sig\"", FWS_EENVELOPE);
	text = xprintf("{\"payloadType\":7,\"payload\":\"%s\",\"signatures\":[%s]}", ka_b64, s);
	expect_text(text, FWS_EENVELOPE);
	free(text);
	text = xprintf("{\"payloadType\":\"%s\",\"payload\":[],\"signatures\":[%s]}",
		       FWS_TYPE_MANIFEST, s);
	expect_text(text, FWS_EENVELOPE);
	free(text);
	free(s);
}

/* ---- signatures ---- */

Test(json_envelope, empty_signatures_nothing_to_verify)
{
	expect_parts(FWS_TYPE_MANIFEST, ka_b64, "", FWS_EENVELOPE);
}

Test(json_envelope, seventeen_signatures_verification_flooding)
{
	char *s = one_sig(KA_KEYID, ka_sig);
	char *sixteen = xprintf("%s", s), *more;

	for (int i = 1; i < FWS_MAX_SIGNATURES; i++) {
		more = xprintf("%s,%s", sixteen, s);
		free(sixteen);
		sixteen = more;
	}
	expect_parts(FWS_TYPE_MANIFEST, ka_b64, sixteen, 0);
	more = xprintf("%s,%s", sixteen, s);
	expect_parts(FWS_TYPE_MANIFEST, ka_b64, more, FWS_ELIMIT);
	free(more);
	free(sixteen);
	free(s);
}

Test(json_envelope, sig_of_63_or_65_bytes_length_confusion)
{
	uint8_t raw[65];
	char *text;

	memset(raw, 0x41, sizeof(raw));
	text = b64(raw, 63);
	expect_sig(KA_KEYID, text, FWS_EENVELOPE);
	free(text);
	text = b64(raw, 65);
	expect_sig(KA_KEYID, text, FWS_EENVELOPE);
	free(text);
	text = b64(raw, 64);
	expect_sig(KA_KEYID, text, 0);
	free(text);
	expect_sig(KA_KEYID, "", FWS_EENVELOPE);
}

Test(json_envelope, keyid_not_64_lowercase_hex)
{
	expect_sig("21FE31DFA154A261626BF854046FD2271B7BED4B6ABE45AA58877EF47F9721B9", ka_sig,
		   FWS_EENVELOPE);
	expect_sig("21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b", ka_sig,
		   FWS_EENVELOPE);
	expect_sig(KA_KEYID "00", ka_sig, FWS_EENVELOPE);
	expect_sig("", ka_sig, FWS_EENVELOPE);
}

/* ---- base64 malleability ---- */

Test(json_envelope, base64_without_padding)
{
	size_t n = strlen(ka_b64);
	char *unpadded = strdup(ka_b64);

	cr_assert_not_null(unpadded);
	cr_assert_eq(unpadded[n - 1], '=');
	unpadded[n - 1] = '\0';
	expect_parts(FWS_TYPE_MANIFEST, unpadded, "", FWS_EENVELOPE);
	char *s = one_sig(KA_KEYID, ka_sig);
	expect_parts(FWS_TYPE_MANIFEST, unpadded, s, FWS_EENVELOPE);
	free(s);
	/* The sig field without its "==". */
	char *sig = strdup(ka_sig);
	cr_assert_not_null(sig);
	sig[strlen(sig) - 2] = '\0';
	expect_sig(KA_KEYID, sig, FWS_EENVELOPE);
	free(sig);
	free(unpadded);
}

Test(json_envelope, base64_with_whitespace)
{
	char *s = one_sig(KA_KEYID, ka_sig);
	char *spaced = mutate(ka_b64, "eyJj", "eyJj\\n");

	expect_parts(FWS_TYPE_MANIFEST, spaced, s, FWS_EENVELOPE);
	free(spaced);
	spaced = mutate(ka_b64, "eyJj", "eyJj    ");
	expect_parts(FWS_TYPE_MANIFEST, spaced, s, FWS_EENVELOPE);
	free(spaced);
	spaced = xprintf(" %s", ka_b64);
	expect_parts(FWS_TYPE_MANIFEST, spaced, s, FWS_EENVELOPE);
	free(spaced);
	free(s);
}

Test(json_envelope, base64_non_canonical_trailing_bits)
{
	char *s = one_sig(KA_KEYID, ka_sig);
	size_t n = strlen(ka_b64);
	char *payload = strdup(ka_b64), *sig = strdup(ka_sig);

	cr_assert(payload != NULL && sig != NULL);
	/* "...In0=": '0' carries two unused zero bits; '1' sets one. The same
	 * bytes, a different text: a second envelope that verifies. */
	cr_assert_eq(payload[n - 2], '0');
	payload[n - 2] = '1';
	expect_parts(FWS_TYPE_MANIFEST, payload, s, FWS_EENVELOPE);
	/* "...Cg==": 'g' carries four unused zero bits. */
	cr_assert_eq(sig[strlen(sig) - 3], 'g');
	sig[strlen(sig) - 3] = 'h';
	expect_sig(KA_KEYID, sig, FWS_EENVELOPE);
	free(payload);
	free(sig);
	free(s);
}

Test(json_envelope, base64_url_alphabet_and_junk)
{
	/* The KA sig holds '+' and '/': the URL-safe spelling is another text
	 * for the same bytes. */
	char *sig = strdup(ka_sig);

	cr_assert_not_null(sig);
	for (char *p = sig; *p; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
	}
	cr_assert_str_neq(sig, ka_sig);
	expect_sig(KA_KEYID, sig, FWS_EENVELOPE);
	free(sig);
	expect_sig(KA_KEYID, "====", FWS_EENVELOPE);
}

Test(json_envelope, empty_payload_truncation)
{
	char *s = one_sig(KA_KEYID, ka_sig);

	expect_parts(FWS_TYPE_MANIFEST, "", s, FWS_EENVELOPE);
	free(s);
}

Test(json_envelope, body_over_the_limit)
{
	char *s = one_sig(KA_KEYID, ka_sig);
	uint8_t *raw = malloc(FWS_BODY_MAX + 3);

	cr_assert_not_null(raw);
	memset(raw, '{', FWS_BODY_MAX + 3);
	char *text = b64(raw, FWS_BODY_MAX + 1);
	expect_parts(FWS_TYPE_MANIFEST, text, s, FWS_ELIMIT);
	free(text);
	text = b64(raw, FWS_BODY_MAX + 3);
	expect_parts(FWS_TYPE_MANIFEST, text, s, FWS_ELIMIT);
	free(text);
	/* Exactly the limit decodes (it is not a manifest, but the envelope
	 * is well formed). */
	text = b64(raw, FWS_BODY_MAX);
	expect_parts(FWS_TYPE_MANIFEST, text, s, 0);
	free(text);
	free(raw);
	free(s);
}

/* ---- payloadType ---- */

Test(json_envelope, payload_type_over_its_length_limit)
{
	char *s = one_sig(KA_KEYID, ka_sig);
	char *type = repeat("t", FWS_PAYLOAD_TYPE_MAX + 1);

	expect_parts(type, ka_b64, s, FWS_EENVELOPE);
	type[FWS_PAYLOAD_TYPE_MAX] = '\0';
	expect_parts(type, ka_b64, s, 0);
	free(type);
	free(s);
}

Test(json_envelope, payload_type_empty_or_unprintable)
{
	char *s = one_sig(KA_KEYID, ka_sig);

	expect_parts("", ka_b64, s, FWS_EENVELOPE);
	expect_parts("application/x json", ka_b64, s, FWS_EENVELOPE);
	expect_parts("application/\\u001b[2J", ka_b64, s, FWS_EENVELOPE);
	expect_parts("application/caf\xc3\xa9", ka_b64, s, FWS_EENVELOPE);
	free(s);
}

/* ---- encoder ---- */

Test(json_envelope, encode_refuses_unsigned_or_inconsistent_envelope)
{
	struct fws_envelope env;
	char *out = NULL;
	size_t out_len = 0;

	cr_assert_eq(fws_envelope_set_body(&env, FWS_TYPE_ROOT, (const uint8_t *)"{}", 2), 0);
	cr_expect_eq(fws_envelope_encode(&env, &out, &out_len), FWS_EENVELOPE);
	cr_expect_null(out);
	env.n_sigs = FWS_MAX_SIGNATURES + 1;
	cr_expect_eq(fws_envelope_encode(&env, &out, &out_len), FWS_ELIMIT);
	env.n_sigs = 1;
	cr_expect_eq(fws_envelope_encode(&env, &out, &out_len), 0);
	free(out);
	out = NULL;
	env.body_offset = env.pae_len + 1;
	cr_expect_eq(fws_envelope_encode(&env, &out, &out_len), FWS_EUSAGE);
	cr_expect_null(out);
}

Test(json_envelope, failed_decode_leaves_no_partial_result)
{
	struct fws_envelope env;
	char *text = mutate(ka_text, "\"keyid\"", "\"x\":1,\"keyid\"");

	memset(&env, 0x5a, sizeof(env));
	cr_expect_eq(fws_envelope_decode((const uint8_t *)text, strlen(text), &env), FWS_EENVELOPE);
	cr_expect_eq(env.n_sigs, 0);
	cr_expect_eq(env.pae_len, 0);
	free(text);
}
