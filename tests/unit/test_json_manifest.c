/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-FMT-005 */
/* Manifest JSON: the known-answer body round trip, and one negative test per
 * check, each named after the attack it stops. Every negative test is the
 * valid known-answer body with exactly one thing wrong. */
#include <stdio.h>

#include "fwseal/limits.h"
#include "fwseal/manifest.h"
#include "test_json_util.h"

static char *body; /* known-answer manifest body (pae.body_utf8) */

static void setup(void)
{
	json_test_setup();
	body = ka_string("pae", "body_utf8");
}

static void teardown(void)
{
	free(body);
}

TestSuite(json_manifest, .init = setup, .fini = teardown);

#define KA_HASH "4dc366be6eced181a353bc408053d8e69bf70ece47da4abb790d8e9f9e1698db"
#define KA_PAYLOAD                                                                                 \
	"{\"chunk_size\":4096,\"hashes\":{\"sha256-chunks\":\"" KA_HASH "\"},"                     \
	"\"name\":\"payload.bin\",\"size\":12388,\"target\":\"rootfs\"}"

static int decode_text(const char *text)
{
	struct fws_manifest m;

	return fws_manifest_decode((const uint8_t *)text, strlen(text), &m);
}

/* The known-answer body with `from` replaced by `to` must fail with code. */
static void expect_mutation(const char *from, const char *to, int code)
{
	char *text = mutate(body, from, to);
	int rc = decode_text(text);

	cr_expect_eq(rc, code, "%s -> %s: got %d (%s), want %d", from, to, rc, fws_errname(rc),
		     code);
	free(text);
}

/* ---- known answers ---- */

Test(json_manifest, known_answer_body_decodes_and_reencodes_byte_for_byte)
{
	struct fws_manifest m;
	char *out = NULL;
	size_t out_len = 0;

	cr_assert_eq(fws_manifest_decode((const uint8_t *)body, strlen(body), &m), 0);
	cr_expect_eq(m.schema, 1);
	cr_expect_str_eq(m.product, "vector-device");
	cr_expect_str_eq(m.version, "1.0.0");
	cr_expect_eq(m.security_version, 1);
	cr_expect_eq(m.n_hardware, 1);
	cr_expect_str_eq(m.hardware[0], "vector-hw");
	cr_expect_eq(m.created, 1767225600);
	cr_expect_eq(m.expires, 0);
	cr_expect_str_eq(m.min_version, "");
	cr_expect_str_eq(m.sbom, "");
	cr_assert_eq(m.n_payloads, 1);
	cr_expect_str_eq(m.payloads[0].name, "payload.bin");
	cr_expect_str_eq(m.payloads[0].target, "rootfs");
	cr_expect_eq(m.payloads[0].size, 12388);
	cr_expect_eq(m.payloads[0].chunk_size, 4096);
	cr_expect_eq(m.payloads[0].chunks_sha256[0], 0x4d);
	cr_expect_eq(m.payloads[0].chunks_sha256[31], 0xdb);

	cr_assert_eq(fws_manifest_encode(&m, &out, &out_len), 0);
	cr_expect_eq(out_len, strlen(body));
	cr_expect_str_eq(out, body);
	free(out);
}

/* Every optional field, escapes, non-ASCII and non-BMP text, the largest
 * exact integer: the expected bytes come from Python's
 * json.dumps(m, sort_keys=True, separators=(",", ":")). */
static const char full_manifest[] =
    "{\"created\":\"2026-01-01T00:00:00Z\",\"expires\":\"2026-06-01T00:00:00Z\","
    "\"hardware\":[\"hw-a\",\"hw-b\"],\"min_version\":\"0.9.0-rc.1+build.5\","
    "\"payloads\":[{\"chunk_size\":1048576,\"hashes\":{\"sha256-chunks\":"
    "\"0000000000000000000000000000000000000000000000000000000000000000\"},"
    "\"name\":\"app.bin\",\"size\":0,\"target\":\"app\"},{\"chunk_size\":4096,"
    "\"hashes\":{\"sha256-chunks\":"
    "\"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\"},"
    "\"name\":\"sbom.spdx.json\",\"size\":268435456,\"target\":\"sbom\"}],"
    "\"product\":\"demo\",\"release_notes\":\"Caf\\u00e9 \\\"fix\\\" \\\\ path/x\\ttab\\nline "
    "\\ud83d\\ude00 \\u2028\",\"sbom\":\"sbom.spdx.json\",\"schema\":1,"
    "\"security_version\":9007199254740991,\"version\":\"1.2.3\"}";

Test(json_manifest, all_optional_fields_round_trip_as_python_writes_them)
{
	struct fws_manifest m;
	char *out = NULL;
	size_t out_len = 0;

	cr_assert_eq(decode_text(full_manifest), 0);
	cr_assert_eq(fws_manifest_decode((const uint8_t *)full_manifest, strlen(full_manifest), &m),
		     0);
	cr_expect_eq(m.expires, 1780272000);
	cr_expect_str_eq(m.min_version, "0.9.0-rc.1+build.5");
	cr_expect_str_eq(m.sbom, "sbom.spdx.json");
	cr_expect_eq(m.security_version, FWS_SIZE_MAX);
	cr_expect_str_eq(m.release_notes, "Caf\xc3\xa9 \"fix\" \\ path/x\ttab\nline "
					  "\xf0\x9f\x98\x80 \xe2\x80\xa8");
	cr_expect_eq(m.n_payloads, 2);
	cr_assert_eq(fws_manifest_encode(&m, &out, &out_len), 0);
	cr_expect_str_eq(out, full_manifest);
	cr_expect_eq(out_len, strlen(full_manifest));
	free(out);
}

Test(json_manifest, compression_none_is_accepted)
{
	expect_mutation("\"name\":\"payload.bin\"",
			"\"compression\":\"none\",\"name\":\"payload.bin\"", 0);
}

Test(json_manifest, largest_chunk_count_is_accepted)
{
	/* 65536 chunks of 4 KiB: exactly FWS_MAX_CHUNKS. */
	expect_mutation("\"size\":12388", "\"size\":268435456", 0);
}

/* ---- not strict JSON: FWS_EJSON ---- */

Test(json_manifest, duplicate_key_top_level_parser_differential)
{
	expect_mutation("\"schema\":1", "\"schema\":1,\"schema\":1", FWS_EJSON);
	expect_mutation("\"security_version\":1", "\"security_version\":1,\"security_version\":0",
			FWS_EJSON);
}

Test(json_manifest, duplicate_key_nested_parser_differential)
{
	expect_mutation("\"name\":\"payload.bin\"",
			"\"name\":\"payload.bin\",\"name\":\"evil.bin\"", FWS_EJSON);
	expect_mutation("\"sha256-chunks\":",
			"\"sha256-chunks\":\"" KA_HASH "\",\"sha256-chunks\":", FWS_EJSON);
}

Test(json_manifest, trailing_garbage_after_document)
{
	char *text = NULL;

	text = xprintf("%s{}", body);
	cr_expect_eq(decode_text(text), FWS_EJSON);
	free(text);
	text = xprintf("%sx", body);
	cr_expect_eq(decode_text(text), FWS_EJSON);
	free(text);
}

Test(json_manifest, nul_byte_inside_input_truncation_differential)
{
	struct fws_manifest m;
	size_t len = strlen(body);
	char *text = malloc(len + 2);

	cr_assert_not_null(text);
	memcpy(text, body, len);
	text[len] = '\0';
	text[len + 1] = ' ';
	/* A C-string reader stops at the NUL, jansson would not. */
	cr_expect_eq(fws_manifest_decode((const uint8_t *)text, len + 2, &m), FWS_EJSON);
	text[10] = '\0';
	cr_expect_eq(fws_manifest_decode((const uint8_t *)text, len, &m), FWS_EJSON);
	free(text);
}

Test(json_manifest, escaped_nul_in_string_truncation)
{
	expect_mutation("\"vector-device\"", "\"vector\\u0000-device\"", FWS_EJSON);
}

Test(json_manifest, deep_nesting_resource_exhaustion)
{
	/* Depth 7 (the limit is 6) inside an unknown field: the depth check
	 * fires before the schema check ever sees the field. */
	expect_mutation("\"schema\":1", "\"schema\":1,\"x\":[[[[[[1]]]]]]", FWS_EJSON);
	/* Depth 6 passes the depth check and then fails the schema. */
	expect_mutation("\"schema\":1", "\"schema\":1,\"x\":[[[[[1]]]]]", FWS_ESCHEMA);

	char *open = repeat("[", 3000), *close = repeat("]", 3000), *text = NULL;
	text = xprintf("{\"x\":%s%s}", open, close);
	cr_expect_eq(decode_text(text), FWS_EJSON);
	free(open);
	free(close);
	free(text);
}

Test(json_manifest, bad_utf8_invalid_byte_overlong_surrogate)
{
	expect_mutation("vector-device", "vector-\xff", FWS_EJSON);
	/* Overlong "/" — the classic filter bypass. */
	expect_mutation("vector-device", "vector\xc0\xaf", FWS_EJSON);
	expect_mutation("vector-device", "vector\xed\xa0\x80", FWS_EJSON);
	expect_mutation("vector-device", "vector\xe2\x82", FWS_EJSON);
}

Test(json_manifest, huge_integer_beyond_int64_overflow)
{
	expect_mutation("\"security_version\":1", "\"security_version\":99999999999999999999999",
			FWS_EJSON);
}

Test(json_manifest, top_level_not_an_object)
{
	cr_expect_eq(decode_text("[]"), FWS_ESCHEMA);
	cr_expect_eq(decode_text("\"manifest\""), FWS_EJSON);
	cr_expect_eq(decode_text(""), FWS_EJSON);
	cr_expect_eq(decode_text("{"), FWS_EJSON);
}

Test(json_manifest, oversized_body_resource_exhaustion)
{
	char *notes = repeat("a", FWS_BODY_MAX), *to = NULL;

	to = xprintf("\"schema\":1,\"release_notes\":\"%s\"", notes);
	expect_mutation("\"schema\":1", to, FWS_ELIMIT);
	free(notes);
	free(to);
}

/* ---- schema: unknown fields at every level ---- */

Test(json_manifest, unknown_field_top_level)
{
	expect_mutation("\"schema\":1", "\"schema\":1,\"install_script\":\"rm -rf /\"",
			FWS_ESCHEMA);
}

Test(json_manifest, unknown_field_in_payload)
{
	expect_mutation("\"size\":12388", "\"size\":12388,\"mode\":\"4755\"", FWS_ESCHEMA);
}

Test(json_manifest, unknown_field_in_hashes_second_algorithm)
{
	expect_mutation("\"sha256-chunks\":", "\"md5\":\"00\",\"sha256-chunks\":", FWS_ESCHEMA);
}

Test(json_manifest, unknown_hash_algorithm_downgrade)
{
	expect_mutation("sha256-chunks", "sha1-chunks", FWS_ESCHEMA);
	expect_mutation("sha256-chunks", "sha256", FWS_ESCHEMA);
}

Test(json_manifest, missing_required_fields)
{
	expect_mutation("\"schema\":1,", "", FWS_ESCHEMA);
	expect_mutation("\"security_version\":1,", "", FWS_ESCHEMA);
	expect_mutation("\"hardware\":[\"vector-hw\"],", "", FWS_ESCHEMA);
	expect_mutation("\"created\":\"2026-01-01T00:00:00Z\",", "", FWS_ESCHEMA);
	expect_mutation("\"chunk_size\":4096,", "", FWS_ESCHEMA);
	expect_mutation("\"target\":\"rootfs\"", "\"x\":1", FWS_ESCHEMA);
	expect_mutation("\"hashes\":{\"sha256-chunks\":\"" KA_HASH "\"}", "\"hashes\":{}",
			FWS_ESCHEMA);
}

Test(json_manifest, wrong_types)
{
	expect_mutation("\"schema\":1", "\"schema\":\"1\"", FWS_ESCHEMA);
	expect_mutation("\"product\":\"vector-device\"", "\"product\":[\"vector-device\"]",
			FWS_ESCHEMA);
	expect_mutation("\"hardware\":[\"vector-hw\"]", "\"hardware\":\"vector-hw\"", FWS_ESCHEMA);
	expect_mutation("\"hardware\":[\"vector-hw\"]", "\"hardware\":[7]", FWS_ESCHEMA);
	expect_mutation("\"payloads\":[", "\"payloads\":[1,", FWS_ESCHEMA);
	expect_mutation("\"size\":12388", "\"size\":true", FWS_ESCHEMA);
	expect_mutation("\"size\":12388", "\"size\":null", FWS_ESCHEMA);
	expect_mutation("\"created\":\"2026-01-01T00:00:00Z\"", "\"created\":1767225600",
			FWS_ESCHEMA);
}

Test(json_manifest, unsupported_schema_version)
{
	expect_mutation("\"schema\":1", "\"schema\":2", FWS_ESCHEMA);
	expect_mutation("\"schema\":1", "\"schema\":0", FWS_ESCHEMA);
}

/* ---- numbers ---- */

Test(json_manifest, integer_above_2_53_loses_precision_elsewhere)
{
	expect_mutation("\"security_version\":1", "\"security_version\":9007199254740992",
			FWS_ELIMIT);
	expect_mutation("\"size\":12388", "\"size\":9223372036854775807", FWS_ELIMIT);
	expect_mutation("\"security_version\":1", "\"security_version\":9007199254740991", 0);
}

Test(json_manifest, negative_size_wraparound)
{
	expect_mutation("\"size\":12388", "\"size\":-1", FWS_ESCHEMA);
	expect_mutation("\"security_version\":1", "\"security_version\":-1", FWS_ESCHEMA);
	expect_mutation("\"chunk_size\":4096", "\"chunk_size\":-4096", FWS_ESCHEMA);
}

Test(json_manifest, float_where_integer_expected_rounding_differential)
{
	expect_mutation("\"size\":12388", "\"size\":12388.0", FWS_ESCHEMA);
	expect_mutation("\"size\":12388", "\"size\":1.2388e4", FWS_ESCHEMA);
	expect_mutation("\"schema\":1", "\"schema\":1.0", FWS_ESCHEMA);
	expect_mutation("\"security_version\":1", "\"security_version\":1e0", FWS_ESCHEMA);
}

Test(json_manifest, chunk_size_not_a_power_of_two)
{
	expect_mutation("\"chunk_size\":4096", "\"chunk_size\":5000", FWS_ESCHEMA);
	expect_mutation("\"chunk_size\":4096", "\"chunk_size\":12288", FWS_ESCHEMA);
}

Test(json_manifest, chunk_size_too_small_hash_flooding)
{
	expect_mutation("\"chunk_size\":4096", "\"chunk_size\":2048", FWS_ESCHEMA);
	expect_mutation("\"chunk_size\":4096", "\"chunk_size\":0", FWS_ESCHEMA);
	expect_mutation("\"chunk_size\":4096", "\"chunk_size\":1", FWS_ESCHEMA);
}

Test(json_manifest, chunk_size_too_large_unbounded_buffer)
{
	expect_mutation("\"chunk_size\":4096", "\"chunk_size\":33554432", FWS_ESCHEMA);
	expect_mutation("\"chunk_size\":4096", "\"chunk_size\":4294967296", FWS_ESCHEMA);
	expect_mutation("\"chunk_size\":4096", "\"chunk_size\":16777216", 0);
}

Test(json_manifest, too_many_chunks_unbounded_chunk_list)
{
	/* 65537 chunks of 4 KiB. */
	expect_mutation("\"size\":12388", "\"size\":268435457", FWS_ELIMIT);
}

/* ---- hex ---- */

Test(json_manifest, uppercase_hex_two_spellings)
{
	expect_mutation("4dc366be", "4DC366BE", FWS_ESCHEMA);
}

Test(json_manifest, wrong_hex_length)
{
	expect_mutation(KA_HASH, "4dc366be6eced181a353bc408053d8e69bf70ece47da4abb790d8e9f9e1698d",
			FWS_ESCHEMA);
	expect_mutation(KA_HASH, KA_HASH "00", FWS_ESCHEMA);
	expect_mutation(KA_HASH, "", FWS_ESCHEMA);
	expect_mutation("4dc366be", "4dc366bg", FWS_ESCHEMA);
}

/* ---- names ---- */

static void expect_bad_name_everywhere(const char *bad)
{
	char *q = NULL;

	q = xprintf("\"%s\"", bad);
	expect_mutation("\"payload.bin\"", q, FWS_ESCHEMA);
	expect_mutation("\"rootfs\"", q, FWS_ESCHEMA);
	expect_mutation("\"vector-device\"", q, FWS_ESCHEMA);
	expect_mutation("\"vector-hw\"", q, FWS_ESCHEMA);
	free(q);
}

Test(json_manifest, path_traversal_dotdot)
{
	expect_bad_name_everywhere("../x");
	expect_bad_name_everywhere("..");
}

Test(json_manifest, path_traversal_slash)
{
	expect_bad_name_everywhere("a/b");
	expect_bad_name_everywhere("/etc/passwd");
	expect_bad_name_everywhere("a\\\\b");
}

Test(json_manifest, hidden_file_name)
{
	expect_bad_name_everywhere(".hidden");
}

Test(json_manifest, empty_name)
{
	expect_bad_name_everywhere("");
}

Test(json_manifest, name_of_65_chars)
{
	char *name = repeat("a", FWS_NAME_MAX + 1);

	expect_bad_name_everywhere(name);
	name[FWS_NAME_MAX] = '\0';
	char *q = NULL;
	q = xprintf("\"%s\"", name);
	expect_mutation("\"payload.bin\"", q, 0);
	free(q);
	free(name);
}

Test(json_manifest, name_option_injection_and_odd_bytes)
{
	expect_bad_name_everywhere("-rf");
	expect_bad_name_everywhere("a b");
	expect_bad_name_everywhere("a\\nb");
	expect_bad_name_everywhere("caf\xc3\xa9");
}

/* ---- lists ---- */

Test(json_manifest, duplicate_payload_names_ambiguous_entry)
{
	expect_mutation(
	    "\"payloads\":[",
	    "\"payloads\":[{\"chunk_size\":4096,\"hashes\":{\"sha256-chunks\":\"" KA_HASH
	    "\"},\"name\":\"payload.bin\",\"size\":1,\"target\":\"other\"},",
	    FWS_ESCHEMA);
}

Test(json_manifest, duplicate_targets_overwrite)
{
	expect_mutation(
	    "\"payloads\":[",
	    "\"payloads\":[{\"chunk_size\":4096,\"hashes\":{\"sha256-chunks\":\"" KA_HASH
	    "\"},\"name\":\"other.bin\",\"size\":1,\"target\":\"rootfs\"},",
	    FWS_ESCHEMA);
	expect_mutation(
	    "\"payloads\":[",
	    "\"payloads\":[{\"chunk_size\":4096,\"hashes\":{\"sha256-chunks\":\"" KA_HASH
	    "\"},\"name\":\"other.bin\",\"size\":1,\"target\":\"boot\"},",
	    0);
}

Test(json_manifest, empty_hardware_list_matches_nothing)
{
	expect_mutation("[\"vector-hw\"]", "[]", FWS_ESCHEMA);
}

Test(json_manifest, duplicate_hardware_id)
{
	expect_mutation("[\"vector-hw\"]", "[\"vector-hw\",\"vector-hw\"]", FWS_ESCHEMA);
}

Test(json_manifest, too_many_hardware_ids)
{
	char list[512] = "[";

	for (int i = 0; i <= FWS_MAX_HARDWARE; i++) {
		char item[16];
		snprintf(item, sizeof(item), "%s\"hw%d\"", i ? "," : "", i);
		strcat(list, item);
	}
	strcat(list, "]");
	expect_mutation("[\"vector-hw\"]", list, FWS_ELIMIT);
}

Test(json_manifest, empty_payload_list)
{
	char *text = mutate(body, KA_PAYLOAD, "");

	cr_expect_eq(decode_text(text), FWS_ESCHEMA);
	free(text);
}

Test(json_manifest, too_many_payloads)
{
	char list[8192] = "";

	for (int i = 0; i < FWS_MAX_PAYLOADS; i++) {
		char item[256];
		snprintf(item, sizeof(item),
			 "{\"chunk_size\":4096,\"hashes\":{\"sha256-chunks\":\"" KA_HASH "\"},"
			 "\"name\":\"p%d\",\"size\":1,\"target\":\"t%d\"},",
			 i, i);
		strcat(list, item);
	}
	strcat(list, KA_PAYLOAD);
	expect_mutation(KA_PAYLOAD, list, FWS_ELIMIT);
}

/* ---- times, versions, references ---- */

Test(json_manifest, expires_before_created)
{
	expect_mutation("\"hardware\"", "\"expires\":\"2025-12-31T23:59:59Z\",\"hardware\"",
			FWS_ESCHEMA);
	expect_mutation("\"hardware\"", "\"expires\":\"2026-01-01T00:00:00Z\",\"hardware\"",
			FWS_ESCHEMA);
	expect_mutation("\"hardware\"", "\"expires\":\"2026-01-01T00:00:01Z\",\"hardware\"", 0);
}

Test(json_manifest, invalid_time_strings)
{
	expect_mutation("2026-01-01T00:00:00Z", "2026-02-30T00:00:00Z", FWS_ECLOCK);
	expect_mutation("2026-01-01T00:00:00Z", "2026-01-01T00:00:00+01:00", FWS_ECLOCK);
	expect_mutation("2026-01-01T00:00:00Z", "2026-01-01 00:00:00Z", FWS_ECLOCK);
	expect_mutation("2026-01-01T00:00:00Z", "", FWS_ECLOCK);
}

Test(json_manifest, invalid_semver)
{
	expect_mutation("\"1.0.0\"", "\"1.0\"", FWS_ESCHEMA);
	expect_mutation("\"1.0.0\"", "\"01.0.0\"", FWS_ESCHEMA);
	expect_mutation("\"1.0.0\"", "\"v1.0.0\"", FWS_ESCHEMA);
	expect_mutation("\"1.0.0\"", "\"\"", FWS_ESCHEMA);
	expect_mutation("\"hardware\"", "\"min_version\":\"1.x\",\"hardware\"", FWS_ESCHEMA);
	expect_mutation("\"hardware\"", "\"min_version\":\"0.9.0\",\"hardware\"", 0);
}

Test(json_manifest, sbom_naming_no_payload)
{
	expect_mutation("\"schema\"", "\"sbom\":\"missing.json\",\"schema\"", FWS_ESCHEMA);
	expect_mutation("\"schema\"", "\"sbom\":\"../payload.bin\",\"schema\"", FWS_ESCHEMA);
	expect_mutation("\"schema\"", "\"sbom\":\"payload.bin\",\"schema\"", 0);
}

Test(json_manifest, compression_other_than_none_reserved)
{
	expect_mutation("\"name\":\"payload.bin\"",
			"\"compression\":\"gzip\",\"name\":\"payload.bin\"", FWS_ESCHEMA);
	expect_mutation("\"name\":\"payload.bin\"", "\"compression\":\"\",\"name\":\"payload.bin\"",
			FWS_ESCHEMA);
	expect_mutation("\"name\":\"payload.bin\"", "\"compression\":null,\"name\":\"payload.bin\"",
			FWS_ESCHEMA);
}

/* ---- release notes ---- */

Test(json_manifest, release_notes_terminal_escape_injection)
{
	expect_mutation("\"schema\"", "\"release_notes\":\"ok\\u001b[2J\",\"schema\"", FWS_ESCHEMA);
	expect_mutation("\"schema\"", "\"release_notes\":\"ok\\rINSTALL OK\",\"schema\"",
			FWS_ESCHEMA);
	expect_mutation("\"schema\"", "\"release_notes\":\"ok\x7f\",\"schema\"", FWS_ESCHEMA);
	/* C1 CSI (U+009B) */
	expect_mutation("\"schema\"", "\"release_notes\":\"ok\\u009b2J\",\"schema\"", FWS_ESCHEMA);
	expect_mutation("\"schema\"", "\"release_notes\":\"line\\n\\tindented\",\"schema\"", 0);
}

Test(json_manifest, release_notes_over_4096_bytes)
{
	char *notes = repeat("n", FWS_NOTES_MAX + 1), *to = NULL;

	to = xprintf("\"release_notes\":\"%s\",\"schema\"", notes);
	expect_mutation("\"schema\"", to, FWS_ELIMIT);
	free(to);
	notes[FWS_NOTES_MAX] = '\0';
	to = xprintf("\"release_notes\":\"%s\",\"schema\"", notes);
	expect_mutation("\"schema\"", to, 0);
	free(to);
	free(notes);
}

/* ---- encoder refuses what the decoder refuses ---- */

Test(json_manifest, encode_refuses_invalid_manifest)
{
	struct fws_manifest m;
	char *out = NULL;
	size_t out_len = 0;

	cr_assert_eq(fws_manifest_decode((const uint8_t *)body, strlen(body), &m), 0);
	strcpy(m.payloads[0].name, "../../etc/shadow");
	cr_expect_eq(fws_manifest_encode(&m, &out, &out_len), FWS_ESCHEMA);
	cr_expect_null(out);

	cr_assert_eq(fws_manifest_decode((const uint8_t *)body, strlen(body), &m), 0);
	m.n_payloads = 0;
	cr_expect_eq(fws_manifest_encode(&m, &out, &out_len), FWS_ESCHEMA);
	m.n_payloads = FWS_MAX_PAYLOADS + 1;
	cr_expect_eq(fws_manifest_encode(&m, &out, &out_len), FWS_ELIMIT);

	cr_assert_eq(fws_manifest_decode((const uint8_t *)body, strlen(body), &m), 0);
	memset(m.product, 'a', sizeof(m.product));
	cr_expect_eq(fws_manifest_encode(&m, &out, &out_len), FWS_EUSAGE);

	cr_assert_eq(fws_manifest_decode((const uint8_t *)body, strlen(body), &m), 0);
	strcpy(m.release_notes, "bad \xff utf-8");
	cr_expect_eq(fws_manifest_encode(&m, &out, &out_len), FWS_ESCHEMA);
	cr_expect_null(out);
}

Test(json_manifest, failed_decode_leaves_no_partial_result)
{
	struct fws_manifest m;
	char *text = mutate(body, "\"version\":\"1.0.0\"", "\"version\":\"bad\"");

	memset(&m, 0x5a, sizeof(m));
	cr_expect_eq(fws_manifest_decode((const uint8_t *)text, strlen(text), &m), FWS_ESCHEMA);
	cr_expect_eq(m.n_payloads, 0);
	cr_expect_str_eq(m.product, "");
	free(text);
}
