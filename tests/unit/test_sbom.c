/* SPDX-License-Identifier: Apache-2.0 */
/* SBOMs in bundles (docs/format.md §14): the manifest's sbom_document, the
 * sbom/<name> entry streamed and hashed at any split of the input and never
 * released as a payload, the signing side's format check, and the checker's
 * limits. Each negative test is named after the attack it stops. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/bundle.h"
#include "fwseal/sbom.h"
#include "test_bundle_helpers.h"

#define PAYLOAD_SIZE 9000u
/* The SBOM these tests carry: tests/sbom/unit.cdx.json, which
 * tests/cli/test_sbom.sh validates against the CycloneDX 1.6 schema. Unit
 * tests run in tests/. */
#ifndef SBOM_DIR
#define SBOM_DIR "sbom"
#endif
static char *SBOM_CDX;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	static char buf[8192];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	return strdup(buf);
}

static struct {
	struct test_key root_key, release_key;
	struct fws_root root;
	uint8_t payload[PAYLOAD_SIZE];
} F;

struct seen {
	uint8_t sbom[4096];
	size_t sbom_len, payload_bytes;
	int verified_calls, payload_while_sbom_unverified;
};

static int on_write(void *ctx, const uint8_t *d, size_t len)
{
	struct seen *s = ctx;
	(void)d;
	if (s->verified_calls == 0)
		s->payload_while_sbom_unverified = 1;
	s->payload_bytes += len;
	return 0;
}

static int on_sbom(void *ctx, const uint8_t *d, size_t len)
{
	struct seen *s = ctx;
	cr_assert_leq(s->sbom_len + len, sizeof(s->sbom));
	memcpy(s->sbom + s->sbom_len, d, len);
	s->sbom_len += len;
	return 0;
}

static int on_sbom_verified(void *ctx, const struct fws_sbom_ref *r)
{
	struct seen *s = ctx;
	cr_assert_eq(r->size, s->sbom_len, "called only once every byte was hashed");
	s->verified_calls++;
	return 0;
}

static void setup(void)
{
	core_setup();
	free(SBOM_CDX);
	SBOM_CDX = slurp(SBOM_DIR "/unit.cdx.json");
	test_key_make(&F.root_key, 1);
	test_key_make(&F.release_key, 2);
	root_begin(&F.root, 1);
	root_add_key(&F.root, &F.root_key);
	root_add_key(&F.root, &F.release_key);
	role_add(&F.root, FWS_ROLE_ROOT, &F.root_key);
	role_add(&F.root, FWS_ROLE_RELEASE, &F.release_key);
	F.root.roles[FWS_ROLE_ROOT].threshold = 1;
	F.root.roles[FWS_ROLE_RELEASE].threshold = 1;
	for (size_t i = 0; i < PAYLOAD_SIZE; i++)
		F.payload[i] = (uint8_t)(i * 13 + 5);
}

static uint8_t *build(const char *sbom, const char *format, int gzip, size_t *len)
{
	const struct test_key *signers[] = {&F.release_key};
	struct test_payload p = {"fw.bin", "rootfs", F.payload, PAYLOAD_SIZE, 4096};
	struct test_release rel = {.version = "1.0.0",
				   .security_version = 1,
				   .hardware = "test-hw",
				   .payloads = &p,
				   .n_payloads = 1,
				   .signers = signers,
				   .n_signers = 1,
				   .gzip = gzip,
				   .sbom = sbom,
				   .sbom_format = format};
	return test_bundle_build(&rel, len);
}

static int verify(const uint8_t *data, size_t len, size_t split, struct seen *s)
{
	struct mem_reader r = {data, len, 0, 0, split};
	struct fws_verify_opts o = {0};
	struct fws_sink sink = {0};
	static struct fws_verify_result res;
	sink.ctx = s;
	sink.payload_write = on_write;
	sink.sbom_write = on_sbom;
	sink.sbom_verified = on_sbom_verified;
	o.trusted_root = &F.root;
	return fws_bundle_verify(mem_read, &r, &o, &sink, &res);
}

static size_t find(const uint8_t *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return i;
	cr_assert_fail("%s not found", needle);
	return 0;
}

TestSuite(sbom_bundle, .init = setup);
TestSuite(sbom_check, .init = setup);

/* Every split near and inside the SBOM entry: the verifier's states change
 * there (entry header, data, padding, the first chunks/ header). */
/* req: REQ-SBOM-001 */
Test(sbom_bundle, sbom_streams_at_every_split_and_precedes_every_payload_byte)
{
	size_t len;
	uint8_t *b = build(SBOM_CDX, NULL, 0, &len);
	size_t at = find(b, len, "sbom/sbom.cdx.json"), end = at + 512 + strlen(SBOM_CDX) + 1100;
	for (size_t s = at > 600 ? at - 600 : 0; s < end && s <= len; s++) {
		struct seen seen = {0};
		cr_assert_eq(verify(b, len, s, &seen), 0, "split at %zu", s);
		cr_assert_eq(seen.sbom_len, strlen(SBOM_CDX));
		cr_assert_eq(memcmp(seen.sbom, SBOM_CDX, seen.sbom_len), 0);
		cr_assert_eq(seen.verified_calls, 1);
		cr_assert_eq(seen.payload_bytes, PAYLOAD_SIZE, "the SBOM is not a payload");
		cr_assert_eq(seen.payload_while_sbom_unverified, 0);
	}
	free(b);
}

/* req: REQ-SBOM-001 */
Test(sbom_bundle, gzip_bundle_with_sbom_verifies)
{
	size_t len;
	uint8_t *b = build(SBOM_CDX, NULL, 1, &len);
	struct seen seen = {0};
	cr_assert_eq(verify(b, len, 0, &seen), 0);
	cr_assert_eq(seen.verified_calls, 1);
	free(b);
}

/* req: REQ-SBOM-003 */
Test(sbom_bundle, sbom_byte_flipped_after_signing_is_edigest_before_any_payload_byte)
{
	size_t len;
	uint8_t *b = build(SBOM_CDX, NULL, 0, &len);
	size_t at = find(b, len, "\"zlib\"");
	b[at + 1] ^= 0x20;
	struct seen seen = {0};
	cr_assert_eq(verify(b, len, 0, &seen), FWS_EDIGEST);
	cr_assert_eq(seen.verified_calls, 0);
	cr_assert_eq(seen.payload_bytes, 0, "no payload byte after a bad SBOM");
	free(b);
}

/* req: REQ-SBOM-001 */
Test(sbom_bundle, layout_offsets_follow_the_signed_sbom_size)
{
	size_t len;
	uint8_t *b = build(SBOM_CDX, NULL, 0, &len);
	struct mem_reader r = {b, len, 0, 0, 0};
	struct fws_verify_opts o = {0};
	static struct fws_verify_result res;
	struct fws_payload_layout lay;
	o.trusted_root = &F.root;
	cr_assert_eq(fws_bundle_verify(mem_read, &r, &o, NULL, &res), 0);
	cr_assert_eq(res.payloads_offset, find(b, len, "chunks/fw.bin"));
	cr_assert_eq(fws_bundle_layout(&res.manifest, res.payloads_offset, 0, &lay), 0);
	cr_assert_eq(memcmp(b + lay.data, F.payload, PAYLOAD_SIZE), 0);
	free(b);
}

/* req: REQ-SBOM-003 */
Test(sbom_bundle, signing_side_refuses_a_lying_sbom_format)
{
	size_t len;
	uint8_t *b = build(SBOM_CDX, "spdx-2.3", 0, &len);
	struct mem_reader r = {b, len, 0, 0, 0};
	struct fws_verify_opts o = {0};
	static struct fws_verify_result res;
	uint8_t *sbom = (uint8_t *)"x";
	size_t sbom_len = 1;
	o.trusted_root = &F.root;
	/* A device does not parse the SBOM: the bundle itself verifies. */
	struct seen seen = {0};
	cr_assert_eq(verify(b, len, 0, &seen), 0);
	cr_assert_eq(fws_bundle_verify_sbom(mem_read, &r, &o, &res, 0, &sbom, &sbom_len),
		     FWS_ESBOMFORMAT);
	cr_assert_null(sbom);
	cr_assert_eq(sbom_len, 0);
	free(b);
}

/* req: REQ-SBOM-003 */
Test(sbom_bundle, signing_side_gives_the_sbom_only_after_verification)
{
	size_t len;
	uint8_t *b = build(SBOM_CDX, NULL, 0, &len);
	struct mem_reader r = {b, len, 0, 0, 0};
	struct fws_verify_opts o = {0};
	static struct fws_verify_result res;
	uint8_t *sbom = NULL;
	size_t sbom_len = 0;
	o.trusted_root = &F.root;
	cr_assert_eq(fws_bundle_verify_sbom(mem_read, &r, &o, &res, 1, &sbom, &sbom_len), 0);
	cr_assert_eq(sbom_len, strlen(SBOM_CDX));
	cr_assert_eq(memcmp(sbom, SBOM_CDX, sbom_len), 0);
	free(sbom);
	/* One byte of a payload wrong: the SBOM is not given. */
	b[find(b, len, "payloads/fw.bin") + 512 + 7] ^= 1;
	r = (struct mem_reader){b, len, 0, 0, 0};
	sbom = NULL;
	cr_assert_eq(fws_bundle_verify_sbom(mem_read, &r, &o, &res, 1, &sbom, &sbom_len),
		     FWS_EDIGEST);
	cr_assert_null(sbom);
	free(b);
}

/* ---- the manifest field ---- */

static int decode_with(const char *member)
{
	char text[1024];
	struct fws_manifest m;
	snprintf(text, sizeof(text),
		 "{\"created\":\"2026-01-01T00:00:00Z\",\"hardware\":[\"hw\"],\"payloads\":[{"
		 "\"chunk_size\":4096,\"hashes\":{\"sha256-chunks\":\"%064d\"},\"name\":\"a.bin\","
		 "\"size\":1,\"target\":\"rootfs\"}],\"product\":\"p\",\"schema\":1,"
		 "\"security_version\":1,\"version\":\"1.0.0\"%s}",
		 0, member);
	return fws_manifest_decode((const uint8_t *)text, strlen(text), &m);
}

#define DOC(fmt, sha, size)                                                                        \
	",\"sbom_document\":{\"name\":\"s.json\",\"sbom_format\":\"" fmt "\",\"sha256\":\"" sha    \
	"\",\"size\":" size "}"
#define SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* req: REQ-SBOM-001 */
Test(sbom_manifest, sbom_document_decodes_and_round_trips)
{
	cr_assert_eq(decode_with(""), 0, "a manifest without it is the old manifest");
	cr_assert_eq(decode_with(DOC("spdx-2.3", SHA, "1")), 0);
	cr_assert_eq(decode_with(DOC("cyclonedx-1.5", SHA, "16777216")), 0);
	struct fws_manifest m = {0}, back;
	char *out;
	size_t out_len;
	m.schema = 1;
	strcpy(m.product, "p");
	strcpy(m.version, "1.0.0");
	strcpy(m.hardware[0], "hw");
	m.n_hardware = 1;
	m.created = 1767225600;
	strcpy(m.payloads[0].name, "a.bin");
	strcpy(m.payloads[0].target, "rootfs");
	m.payloads[0].chunk_size = 4096;
	m.n_payloads = 1;
	strcpy(m.sbom_document.name, "s.json");
	strcpy(m.sbom_document.format, "cyclonedx-1.6");
	m.sbom_document.size = 77;
	memset(m.sbom_document.sha256, 0xab, 32);
	cr_assert_eq(fws_manifest_encode(&m, &out, &out_len), 0);
	cr_assert_not_null(strstr(out, "\"sbom_document\":{\"name\":\"s.json\",\"sbom_format\":"
				       "\"cyclonedx-1.6\",\"sha256\":\"abab"));
	cr_assert_eq(fws_manifest_decode((uint8_t *)out, out_len, &back), 0);
	cr_assert_eq(memcmp(&back.sbom_document, &m.sbom_document, sizeof(m.sbom_document)), 0);
	free(out);
}

/* req: REQ-SBOM-001, REQ-FMT-005 */
Test(sbom_manifest, hostile_sbom_documents_are_refused)
{
	cr_assert_eq(decode_with(DOC("spdx-2.2", SHA, "1")), FWS_ESCHEMA, "unknown format");
	cr_assert_eq(decode_with(DOC("SPDX-2.3", SHA, "1")), FWS_ESCHEMA, "another spelling");
	cr_assert_eq(decode_with(DOC(
			 "spdx-2.3",
			 "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "1")),
		     FWS_ESCHEMA, "uppercase hex: a second spelling");
	cr_assert_eq(decode_with(DOC("spdx-2.3", SHA, "0")), FWS_ESCHEMA, "empty SBOM");
	cr_assert_eq(decode_with(DOC("spdx-2.3", SHA, "16777217")), FWS_ELIMIT, "above 16 MiB");
	cr_assert_eq(decode_with(DOC("spdx-2.3", SHA, "1.0")), FWS_ESCHEMA,
		     "a real, not an integer");
	cr_assert_eq(
	    decode_with(",\"sbom_document\":{\"name\":\"../s\",\"sbom_format\":\"spdx-2.3\","
			"\"sha256\":\"" SHA "\",\"size\":1}"),
	    FWS_ESCHEMA, "a name that walks out of sbom/");
	cr_assert_eq(decode_with(",\"sbom_document\":{\"name\":\"s\",\"sbom_format\":\"spdx-2.3\","
				 "\"sha256\":\"" SHA "\"}"),
		     FWS_ESCHEMA, "size missing");
	cr_assert_eq(decode_with(",\"sbom_document\":{\"name\":\"s\",\"sbom_format\":\"spdx-2.3\","
				 "\"sha256\":\"" SHA "\",\"size\":1,\"url\":\"x\"}"),
		     FWS_ESCHEMA, "an unknown key another verifier might obey");
	cr_assert_eq(decode_with(",\"sbom\":\"a.bin\"" DOC("spdx-2.3", SHA, "1")), FWS_ESCHEMA,
		     "two SBOMs");
	cr_assert_eq(decode_with(",\"sbom_document\":\"s.json\""), FWS_ESCHEMA, "not an object");
}

/* ---- the checker's limits ---- */

/* req: REQ-SBOM-002, REQ-FMT-004 */
Test(sbom_check, nesting_32_accepted_33_refused)
{
	char doc[8192];
	struct fws_sbom_check_opts o = {"test-device", "1.0.0", 0, NULL, NULL};
	char fmt[FWS_SBOM_FORMAT_MAX + 1];
	/* The object itself is level 1; "x" adds 30 or 31 arrays and then one
	 * more level inside: 32 and 33. */
	for (int extra = 30; extra <= 31; extra++) {
		/* The file ends in "}\n": cut both, add a member. */
		int n = snprintf(doc, sizeof(doc), "%.*s", (int)strlen(SBOM_CDX) - 2, SBOM_CDX);
		n += snprintf(doc + n, sizeof(doc) - n, ",\"x\":");
		for (int i = 0; i <= extra; i++)
			doc[n++] = '[';
		for (int i = 0; i <= extra; i++)
			doc[n++] = ']';
		doc[n++] = '}';
		doc[n] = '\0';
		cr_assert_eq(fws_sbom_check((uint8_t *)doc, (size_t)n, &o, fmt),
			     extra == 30 ? 0 : FWS_EJSON, "depth %d", extra + 2);
	}
	cr_assert_str_eq(fmt, "");
	cr_assert_eq(fws_sbom_check((uint8_t *)SBOM_CDX, strlen(SBOM_CDX), &o, fmt), 0);
	cr_assert_str_eq(fmt, "cyclonedx-1.6");
}

/* req: REQ-SBOM-002, REQ-FMT-005 */
Test(sbom_check, nul_byte_and_trailing_data_are_two_documents)
{
	char doc[4096];
	struct fws_sbom_check_opts o = {"test-device", "1.0.0", 0, NULL, NULL};
	char fmt[FWS_SBOM_FORMAT_MAX + 1];
	size_t n = strlen(SBOM_CDX);
	memcpy(doc, SBOM_CDX, n);
	memcpy(doc + n, "{}", 2);
	cr_assert_eq(fws_sbom_check((uint8_t *)doc, n + 2, &o, fmt), FWS_EJSON);
	doc[n] = '\0';
	cr_assert_eq(fws_sbom_check((uint8_t *)doc, n + 1, &o, fmt), FWS_EJSON);
	cr_assert_eq(fws_sbom_identify((uint8_t *)"[]", 2, fmt), FWS_ESBOMFORMAT,
		     "a top level that is not an object");
}
