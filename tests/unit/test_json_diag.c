/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-FMT-005, REQ-ERR-001 */
/* Every refusal of the JSON decoders names its field and its rule
 * (fwseal/diag.h): for each document, one valid text and a table of
 * mutations, each with the code it must give, the `where` it must name and
 * a piece of the `why`. The code is asserted too, so a message can never
 * be bought with a changed exit status. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/diag.h"
#include "fwseal/envelope.h"
#include "fwseal/keys.h"
#include "fwseal/limits.h"
#include "fwseal/manifest.h"
#include "fwseal/permit.h"
#include "fwseal/root.h"
#include "test_json_util.h"

/* RFC 8032 section 7.1 TEST 1..3 public keys and their key IDs. */
#define PK1 "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define ID1 "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9"
#define PK2 "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
#define ID2 "39f713d0a644253f04529421b9f51b9b08979d08295959c4f3990ee617f5139f"
#define PK3 "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025"
#define ID3 "dac073e0123bdea59dd9b3bda9cf6037f63aca82627d7abcd5c4ac29dd74003e"
#define HASH "4dc366be6eced181a353bc408053d8e69bf70ece47da4abb790d8e9f9e1698db"
/* Canonical base64 of 64 zero bytes: decodes, never verifies. */
#define SIG                                                                                        \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="

static const char manifest_text[] =
    "{\"schema\":1,\"product\":\"pump\",\"version\":\"1.0.0\",\"security_version\":1,"
    "\"hardware\":[\"hw-a\",\"hw-b\"],\"created\":\"2026-01-01T00:00:00Z\",\"payloads\":["
    "{\"name\":\"rootfs.img\",\"target\":\"rootfs\",\"size\":12388,\"chunk_size\":4096,"
    "\"hashes\":{\"sha256-chunks\":\"" HASH "\"}},"
    "{\"name\":\"kernel.img\",\"target\":\"kernel\",\"size\":5000,\"chunk_size\":4096,"
    "\"hashes\":{\"sha256-chunks\":\"" HASH "\"}}]}";

#define KEY(pk)                                                                                    \
	"{\"keytype\":\"ed25519\",\"keyval\":{\"public\":\"" pk "\"},\"scheme\":\"ed25519\"}"
#define RELEASE_ROLE "\"release\":{\"keyids\":[\"" ID2 "\"],\"threshold\":1}"
#define ROOT_ROLE "\"root\":{\"keyids\":[\"" ID1 "\",\"" ID2 "\"],\"threshold\":2}"
#define KEYS "\"keys\":{\"" ID1 "\":" KEY(PK1) ",\"" ID2 "\":" KEY(PK2) "}"

static const char root_text[] = "{\"created\":\"2026-01-01T00:00:00Z\","
				"\"expires\":\"2027-01-01T00:00:00Z\"," KEYS ","
				"\"roles\":{" RELEASE_ROLE "," ROOT_ROLE "},"
				"\"schema\":1,\"version\":1}";

static const char envelope_text[] =
    "{\"payload\":\"e30=\",\"payloadType\":\"application/vnd.fwseal.root+json\","
    "\"signatures\":[{\"keyid\":\"" ID1 "\",\"sig\":\"" SIG "\"},"
    "{\"keyid\":\"" ID2 "\",\"sig\":\"" SIG "\"}]}";

static const char permit_text[] =
    "{\"created\":\"2026-01-01T00:00:00Z\",\"device_id\":\"dev-1\","
    "\"expires\":\"2026-01-31T00:00:00Z\",\"manifest_sha256\":\"" HASH "\","
    "\"schema\":1,\"to_version\":\"1.0.0\"}";

enum doc { MANIFEST, ROOT, ENVELOPE, PERMIT };

/* The valid text of doc with `from` replaced by `to`; from NULL: `to` is
 * the whole document. */
struct diag_case {
	const char *what;
	enum doc doc;
	const char *from, *to;
	int code;
	const char *where; /* exactly */
	const char *why;   /* a substring */
};

static void setup(void)
{
	json_test_setup();
}

TestSuite(json_diag, .init = setup);

static int decode(enum doc doc, const char *text, size_t len)
{
	static struct fws_manifest m;
	static struct fws_root r;
	static struct fws_envelope e;
	static struct fws_permit p;

	fws_diag_clear();
	switch (doc) {
	case MANIFEST:
		return fws_manifest_decode((const uint8_t *)text, len, &m);
	case ROOT:
		return fws_root_decode((const uint8_t *)text, len, &r);
	case ENVELOPE:
		return fws_envelope_decode((const uint8_t *)text, len, &e);
	case PERMIT:
		return fws_permit_decode((const uint8_t *)text, len, &p);
	}
	return FWS_EINTERNAL;
}

static const char *valid_text(enum doc doc)
{
	switch (doc) {
	case MANIFEST:
		return manifest_text;
	case ROOT:
		return root_text;
	case ENVELOPE:
		return envelope_text;
	case PERMIT:
		return permit_text;
	}
	return NULL;
}

/* No byte a terminal would act on: C0 controls and DEL. */
static int printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* rc and the recorded description are exactly what the case says. */
static void expect_diag(const char *what, int rc, int code, const char *where, const char *why)
{
	const struct fws_diag *d = fws_diag_last();

	cr_expect_eq(rc, code, "%s: got %s, want %s (%s: %s)", what, fws_errname(rc),
		     fws_errname(code), d->where, d->why);
	cr_expect_eq(d->code, rc, "%s: the description is of %s, not of %s", what,
		     fws_errname(d->code), fws_errname(rc));
	cr_expect_str_eq(d->where, where, "%s: where \"%s\", want \"%s\" (why: %s)", what, d->where,
			 where, d->why);
	cr_expect_not_null(strstr(d->why, why), "%s: why \"%s\" does not say \"%s\"", what, d->why,
			   why);
	cr_expect(printable(d->why) && printable(d->where), "%s: a control character in \"%s: %s\"",
		  what, d->where, d->why);
}

static void run_cases(const struct diag_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct diag_case *c = &cases[i];
		char *text =
		    c->from == NULL ? strdup(c->to) : mutate(valid_text(c->doc), c->from, c->to);
		cr_assert_not_null(text);
		int rc = decode(c->doc, text, strlen(text));
		expect_diag(c->what, rc, c->code, c->where, c->why);
		free(text);
	}
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

Test(json_diag, the_valid_documents_decode)
{
	for (int d = MANIFEST; d <= PERMIT; d++) {
		const char *text = valid_text((enum doc)d);
		int rc = decode((enum doc)d, text, strlen(text));
		cr_assert_eq(rc, 0, "document %d: %s (%s: %s)", d, fws_errname(rc),
			     fws_diag_last()->where, fws_diag_last()->why);
	}
}

/* ---- manifest (docs/format.md §5) ---- */

static const struct diag_case manifest_cases[] = {
    {"unknown top-level field", MANIFEST, "\"schema\":1,", "\"schema\":1,\"bogus\":true,",
     FWS_ESCHEMA, "", "unknown field \"bogus\""},
    {"missing product", MANIFEST, "\"product\":\"pump\",", "", FWS_ESCHEMA, "",
     "missing field \"product\""},
    {"version of the wrong type", MANIFEST, "\"version\":\"1.0.0\"", "\"version\":100", FWS_ESCHEMA,
     "", "\"version\" must be a string, not an integer"},
    {"version not semver", MANIFEST, "\"1.0.0\"", "\"1.0\"", FWS_ESCHEMA, "version",
     "\"1.0\" is not a semantic version"},
    {"schema 2", MANIFEST, "\"schema\":1", "\"schema\":2", FWS_ESCHEMA, "schema",
     "must be 1, not 2"},
    {"security_version a real", MANIFEST, "\"security_version\":1,", "\"security_version\":1.0,",
     FWS_ESCHEMA, "", "\"security_version\" must be an integer, not a real number"},
    {"security_version negative", MANIFEST, "\"security_version\":1,", "\"security_version\":-1,",
     FWS_ESCHEMA, "security_version", "-1 is negative"},
    {"security_version 2^53", MANIFEST, "\"security_version\":1,",
     "\"security_version\":9007199254740992,", FWS_ELIMIT, "security_version",
     "9007199254740992 is above 2^53 - 1"},
    {"product too long", MANIFEST, "\"pump\"",
     "\"pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp\"", FWS_ESCHEMA,
     "product", "70 bytes, at most 64"},
    {"product not a name", MANIFEST, "\"pump\"", "\"../x\"", FWS_ESCHEMA, "product",
     "\"../x\" is not a valid name"},
    {"hardware empty", MANIFEST, "[\"hw-a\",\"hw-b\"]", "[]", FWS_ESCHEMA, "hardware",
     "0 entries, at least 1"},
    {"hardware entry of the wrong type", MANIFEST, "\"hw-b\"]", "7]", FWS_ESCHEMA, "hardware[1]",
     "must be a string, not an integer"},
    {"hardware listed twice", MANIFEST, "\"hw-b\"", "\"hw-a\"", FWS_ESCHEMA, "hardware[1]",
     "\"hw-a\" is also hardware[0]"},
    {"created not a real date", MANIFEST, "2026-01-01T00:00:00Z", "2026-02-30T00:00:00Z",
     FWS_ECLOCK, "created", "\"2026-02-30T00:00:00Z\" is not a time (YYYY-MM-DDTHH:MM:SSZ"},
    {"created longer than any time", MANIFEST, "2026-01-01T00:00:00Z",
     "2026-01-01T00:00:00Z and then some more text", FWS_ECLOCK, "created", "...\" is not a time"},
    {"created a number", MANIFEST, "\"created\":\"2026-01-01T00:00:00Z\"", "\"created\":1767225600",
     FWS_ESCHEMA, "", "\"created\" must be a string, not an integer"},
    {"chunk_size not a power of two (issue example)", MANIFEST, "\"size\":5000,\"chunk_size\":4096",
     "\"size\":5000,\"chunk_size\":5000", FWS_ESCHEMA, "payloads[1].chunk_size",
     "5000 is not a power of two between 4096 and 16 MiB"},
    {"chunk_size above 16 MiB", MANIFEST, "\"chunk_size\":4096", "\"chunk_size\":33554432",
     FWS_ESCHEMA, "payloads[0].chunk_size", "33554432 is not a power of two between"},
    {"chunk_size beyond 2^53", MANIFEST, "\"chunk_size\":4096", "\"chunk_size\":9007199254740992",
     FWS_ELIMIT, "payloads[0].chunk_size", "above 2^53 - 1"},
    {"unknown payload field", MANIFEST, "\"target\":\"kernel\",",
     "\"target\":\"kernel\",\"mode\":1,", FWS_ESCHEMA, "payloads[1]", "unknown field \"mode\""},
    {"payload without a target", MANIFEST, "\"target\":\"kernel\",", "", FWS_ESCHEMA, "payloads[1]",
     "missing field \"target\""},
    {"other hash algorithm", MANIFEST, "{\"sha256-chunks\":", "{\"sha512\":", FWS_ESCHEMA,
     "payloads[0].hashes", "unknown field \"sha512\""},
    {"hashes not an object", MANIFEST, "{\"sha256-chunks\":\"" HASH "\"}", "\"" HASH "\"",
     FWS_ESCHEMA, "payloads[0]", "\"hashes\" must be an object, not a string"},
    {"block-index digest not hex (ADR-050)", MANIFEST, "{\"sha256-chunks\":",
     "{\"sha256-blocks\":\"4DC366\",\"sha256-chunks\":", FWS_ESCHEMA,
     "payloads[0].hashes.sha256-blocks", "is not 64 lowercase hex characters"},
    {"block-index digest instead of the chunk digest", MANIFEST, "{\"sha256-chunks\":",
     "{\"sha256-blocks\":", FWS_ESCHEMA, "payloads[0].hashes", "missing field \"sha256-chunks\""},
    {"unknown hash beside sha256-blocks", MANIFEST, "{\"sha256-chunks\":",
     "{\"sha256-blocks\":\"" HASH "\",\"sha512\":\"" HASH "\",\"sha256-chunks\":",
     FWS_ESCHEMA, "payloads[0].hashes", "unknown field \"sha512\""},
    {"uppercase chunk-list digest", MANIFEST, "4dc366be6eced181", "4DC366BE6ECED181", FWS_ESCHEMA,
     "payloads[0].hashes.sha256-chunks", "is not 64 lowercase hex characters"},
    {"two payloads, one target", MANIFEST, "\"target\":\"kernel\"", "\"target\":\"rootfs\"",
     FWS_ESCHEMA, "payloads[1].target", "\"rootfs\" is also the target of payloads[0]"},
    {"two payloads, one name", MANIFEST, "\"kernel.img\"", "\"rootfs.img\"", FWS_ESCHEMA,
     "payloads[1].name", "\"rootfs.img\" is also the name of payloads[0]"},
    {"payload name a path", MANIFEST, "\"kernel.img\"", "\"../kernel\"", FWS_ESCHEMA,
     "payloads[1].name", "\"../kernel\" is not a valid name"},
    {"compression other than none", MANIFEST, "\"size\":12388,",
     "\"size\":12388,\"compression\":\"gzip\",", FWS_ESCHEMA, "payloads[0].compression",
     "\"gzip\" is not \"none\""},
    {"too many chunks", MANIFEST, "\"size\":12388", "\"size\":300000000", FWS_ELIMIT, "payloads[0]",
     "300000000 bytes in chunks of 4096 are 73243 chunks, at most 65536"},
    {"payloads not an array", MANIFEST, NULL,
     "{\"schema\":1,\"product\":\"pump\",\"version\":\"1.0.0\",\"security_version\":1,"
     "\"hardware\":[\"hw-a\"],\"created\":\"2026-01-01T00:00:00Z\",\"payloads\":{}}",
     FWS_ESCHEMA, "", "\"payloads\" must be an array, not an object"},
    {"expires before created", MANIFEST, "\"schema\":1,",
     "\"schema\":1,\"expires\":\"2025-01-01T00:00:00Z\",", FWS_ESCHEMA, "expires",
     "2025-01-01T00:00:00Z is not after created 2026-01-01T00:00:00Z"},
    {"release notes with an escape sequence", MANIFEST, "\"schema\":1,",
     "\"schema\":1,\"release_notes\":\"ok\\u001b[2J\",", FWS_ESCHEMA, "release_notes",
     "a control character at byte 2"},
    {"sbom naming no payload", MANIFEST, "\"schema\":1,", "\"schema\":1,\"sbom\":\"nope\",",
     FWS_ESCHEMA, "sbom", "\"nope\" is not the name of a payload"},
    {"min_version not semver", MANIFEST, "\"schema\":1,",
     "\"schema\":1,\"min_version\":\"01.0.0\",", FWS_ESCHEMA, "min_version",
     "\"01.0.0\" is not a semantic version"},
    {"duplicate key", MANIFEST, "\"schema\":1,", "\"schema\":1,\"schema\":1,", FWS_EJSON, "",
     "line 1, column 20: duplicate object key"},
    {"trailing data", MANIFEST, "\"}}]}", "\"}}]} x", FWS_EJSON, "",
     "end of file expected near 'x'"},
    {"syntax error on line 2", MANIFEST, NULL, "{\"schema\":1,\n\"product\": tru}", FWS_EJSON, "",
     "line 2, column"},
    {"top level an array", MANIFEST, NULL, "[1]", FWS_ESCHEMA, "",
     "the top level must be an object, not an array"},
    {"nested too deep", MANIFEST, NULL, "{\"a\":[[[[[[1]]]]]]}", FWS_EJSON, "",
     "nested more than 6 levels deep"},
    {"empty document", MANIFEST, NULL, "", FWS_EJSON, "", "empty"},
    /* A long hostile value: cut, quoted, its control character defused. */
    {"long name with a control character", MANIFEST, "\"pump\"",
     "\"\\u001baaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", FWS_ESCHEMA, "product",
     "\"?aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is not a valid name"},
};

/* manifest_cases holds the block-index cases (sha256-blocks, ADR-050); a tag
 * covers a whole test, never one case of its table. */
/* req: REQ-FMT-010 */
Test(json_diag, manifest_errors_name_field_and_rule)
{
	run_cases(manifest_cases, COUNT(manifest_cases));
}

/* Built, not mutated: 17 payloads and 17 hardware ids. */
Test(json_diag, manifest_counts_say_how_many_and_the_limit)
{
	char *items = repeat("{\"name\":\"p\",\"target\":\"t\",\"size\":1,\"chunk_size\":4096,"
			     "\"hashes\":{\"sha256-chunks\":\"" HASH "\"}},",
			     17);
	items[strlen(items) - 1] = '\0';
	char *text = xprintf("{\"schema\":1,\"product\":\"pump\",\"version\":\"1.0.0\","
			     "\"security_version\":1,\"hardware\":[\"hw-a\"],"
			     "\"created\":\"2026-01-01T00:00:00Z\",\"payloads\":[%s]}",
			     items);
	int rc = decode(MANIFEST, text, strlen(text));
	expect_diag("17 payloads", rc, FWS_ELIMIT, "payloads", "17 entries, at most 16");
	free(text);
	free(items);

	items = repeat("\"h\",", 17);
	items[strlen(items) - 1] = '\0';
	text = mutate(manifest_text, "[\"hw-a\",\"hw-b\"]", "");
	char *text2 = mutate(text, "\"hardware\":", "\"hardware\":[HW]");
	char *text3 = mutate(text2, "HW", items);
	rc = decode(MANIFEST, text3, strlen(text3));
	expect_diag("17 hardware ids", rc, FWS_ELIMIT, "hardware", "17 entries, at most 16");
	free(text);
	free(text2);
	free(text3);
	free(items);
}

Test(json_diag, manifest_nul_byte_and_size_limit)
{
	char text[] = "{\"schema\":1}";
	text[5] = '\0';
	int rc = decode(MANIFEST, text, sizeof(text) - 1);
	expect_diag("a NUL byte", rc, FWS_EJSON, "", "a NUL byte at offset 5");

	size_t big = FWS_BODY_MAX + 1;
	char *huge = malloc(big);
	cr_assert_not_null(huge);
	memset(huge, ' ', big);
	rc = decode(MANIFEST, huge, big);
	expect_diag("a body over the limit", rc, FWS_ELIMIT, "", "32769 bytes, at most 32768");
	free(huge);
}

/* ---- root (docs/format.md §7) ---- */

static const struct diag_case root_cases[] = {
    {"release threshold 0 (issue example)", ROOT, "\"threshold\":1}", "\"threshold\":0}",
     FWS_ETHRESHOLDDEF, "roles.release.threshold", "0 is not between 1 and the role's 1 key"},
    {"root threshold above its keys", ROOT, "\"threshold\":2}", "\"threshold\":3}",
     FWS_ETHRESHOLDDEF, "roles.root.threshold", "3 is not between 1 and the role's 2 keys"},
    {"threshold above any key count", ROOT, "\"threshold\":1}", "\"threshold\":17}",
     FWS_ETHRESHOLDDEF, "roles.release.threshold", "17 is not between 1 and the role's 1 key"},
    {"threshold a string", ROOT, "\"threshold\":1}", "\"threshold\":\"1\"}", FWS_ESCHEMA,
     "roles.release", "\"threshold\" must be an integer, not a string"},
    {"key type rsa", ROOT, "\"keytype\":\"ed25519\"", "\"keytype\":\"rsa\"", FWS_ESCHEMA,
     "keys." ID1 ".keytype", "\"rsa\" is not \"ed25519\""},
    {"key ID of another key", ROOT, PK1, PK3, FWS_EKEYID, "keys." ID1,
     "not the SHA-256 of keyval.public, which is " ID3},
    {"role naming a key not in keys", ROOT, "\"release\":{\"keyids\":[\"" ID2,
     "\"release\":{\"keyids\":[\"" ID3, FWS_ESCHEMA, "roles.release.keyids[0]",
     "\"" ID3 "\" is not listed in keys"},
    {"one key twice in a role", ROOT, "[\"" ID1 "\",\"" ID2 "\"]", "[\"" ID1 "\",\"" ID1 "\"]",
     FWS_ESCHEMA, "roles.root.keyids[1]", "the same key ID as keyids[0]"},
    {"role key ID uppercase", ROOT, "\"release\":{\"keyids\":[\"" ID2,
     "\"release\":{\"keyids\":[\"39F713D0A644253F04529421B9F51B9B08979D08295959C4F3990EE617F5139F",
     FWS_ESCHEMA, "roles.release.keyids[0]", "is not 64 lowercase hex characters"},
    {"role without keys", ROOT, "\"keyids\":[\"" ID2 "\"]", "\"keyids\":[]", FWS_ESCHEMA,
     "roles.release.keyids", "0 entries, at least 1"},
    {"release role missing", ROOT, RELEASE_ROLE ",", "", FWS_ESCHEMA, "roles",
     "missing field \"release\""},
    {"a third role", ROOT, RELEASE_ROLE ",", RELEASE_ROLE ",\"admin\":{},", FWS_ESCHEMA, "roles",
     "unknown field \"admin\""},
    {"role not an object", ROOT, RELEASE_ROLE, "\"release\":7", FWS_ESCHEMA, "roles.release",
     "must be an object, not an integer"},
    {"no keys", ROOT, KEYS, "\"keys\":{}", FWS_ESCHEMA, "keys", "0 entries, at least 1"},
    {"keys an array", ROOT, KEYS, "\"keys\":[]", FWS_ESCHEMA, "",
     "\"keys\" must be an object, not an array"},
    {"key ID uppercase", ROOT, "{\"" ID1 "\":",
     "{\"21FE31DFA154A261626BF854046FD2271B7BED4B6ABE45AA58877EF47F9721B9\":", FWS_ESCHEMA, "keys",
     "is not a key ID (64 lowercase hex characters)"},
    {"public key too short", ROOT, PK1 "\"", "d75a98\"", FWS_ESCHEMA, "keys." ID1 ".keyval.public",
     "\"d75a98\" is not 64 lowercase hex characters"},
    {"keyval with a private key", ROOT, "{\"public\":", "{\"private\":\"x\",\"public\":",
     FWS_ESCHEMA, "keys." ID1 ".keyval", "unknown field \"private\""},
    {"version 0", ROOT, "\"version\":1", "\"version\":0", FWS_ESCHEMA, "version",
     "0 is less than 1"},
    {"created after expires", ROOT, "\"created\":\"2026", "\"created\":\"2028", FWS_ESCHEMA,
     "expires", "2027-01-01T00:00:00Z is before created 2028-01-01T00:00:00Z"},
    {"expires not a time", ROOT, "2027-01-01T00:00:00Z", "2027-01-01", FWS_ECLOCK, "expires",
     "\"2027-01-01\" is not a time"},
    {"unknown top-level field", ROOT, "\"schema\":1,", "\"schema\":1,\"x\":1,", FWS_ESCHEMA, "",
     "unknown field \"x\""},
};

Test(json_diag, root_errors_name_field_and_rule)
{
	run_cases(root_cases, COUNT(root_cases));
}

/* ---- envelope (docs/format.md §4) ---- */

static const struct diag_case envelope_cases[] = {
    {"second sig not base64 of 64 bytes", ENVELOPE, ID2 "\",\"sig\":\"" SIG,
     ID2 "\",\"sig\":\"AAAA", FWS_EENVELOPE, "signatures[1].sig",
     "not the canonical base64 of 64 bytes"},
    {"sig too long", ENVELOPE, ID2 "\",\"sig\":\"", ID2 "\",\"sig\":\"AAAA", FWS_EENVELOPE,
     "signatures[1].sig", "92 bytes, at most 88"},
    {"sig a number", ENVELOPE, ID2 "\",\"sig\":\"" SIG "\"", ID2 "\",\"sig\":123", FWS_EENVELOPE,
     "signatures[1]", "\"sig\" must be a string, not an integer"},
    {"keyid short", ENVELOPE, ID2, "abc", FWS_EENVELOPE, "signatures[1].keyid",
     "\"abc\" is not 64 lowercase hex characters"},
    {"signature with an extra field", ENVELOPE, "{\"keyid\":", "{\"x\":1,\"keyid\":", FWS_EENVELOPE,
     "signatures[0]", "unknown field \"x\""},
    {"no signature", ENVELOPE,
     "[{\"keyid\":\"" ID1 "\",\"sig\":\"" SIG "\"},{\"keyid\":\"" ID2 "\",\"sig\":\"" SIG "\"}]",
     "[]", FWS_EENVELOPE, "signatures", "0 entries, at least 1"},
    {"signatures an object", ENVELOPE, NULL,
     "{\"payload\":\"e30=\",\"payloadType\":\"t\",\"signatures\":{}}", FWS_EENVELOPE, "",
     "\"signatures\" must be an array, not an object"},
    {"payload without padding", ENVELOPE, "\"e30=\"", "\"e30\"", FWS_EENVELOPE, "payload",
     "not canonical base64"},
    {"payload empty", ENVELOPE, "\"e30=\"", "\"\"", FWS_EENVELOPE, "payload", "empty"},
    {"payload a number", ENVELOPE, "\"e30=\"", "7", FWS_EENVELOPE, "",
     "\"payload\" must be a string, not an integer"},
    {"payloadType with a space", ENVELOPE, "application/vnd.fwseal.root+json",
     "application/vnd fwseal", FWS_EENVELOPE, "payloadType",
     "\"application/vnd fwseal\" is not a media type"},
    {"payloadType null", ENVELOPE, "\"application/vnd.fwseal.root+json\"", "null", FWS_EENVELOPE,
     "", "\"payloadType\" must be a string, not null"},
    {"unknown top-level field", ENVELOPE, "\"payload\":", "\"x\":1,\"payload\":", FWS_EENVELOPE, "",
     "unknown field \"x\""},
    {"signatures missing", ENVELOPE, NULL,
     "{\"payload\":\"e30=\",\"payloadType\":\"application/vnd.fwseal.root+json\"}", FWS_EENVELOPE,
     "", "missing field \"signatures\""},
    {"top level an array", ENVELOPE, NULL, "[]", FWS_EENVELOPE, "",
     "the top level must be an object, not an array"},
    {"syntax error", ENVELOPE, "\"e30=\"", "\"e30=", FWS_EJSON, "", "line 1, column"},
};

Test(json_diag, envelope_errors_name_field_and_rule)
{
	run_cases(envelope_cases, COUNT(envelope_cases));
}

Test(json_diag, envelope_counts_and_sizes)
{
	char *sigs = repeat("{\"keyid\":\"" ID1 "\",\"sig\":\"" SIG "\"},", 17);
	sigs[strlen(sigs) - 1] = '\0';
	char *text =
	    xprintf("{\"payload\":\"e30=\",\"payloadType\":\"t\",\"signatures\":[%s]}", sigs);
	int rc = decode(ENVELOPE, text, strlen(text));
	expect_diag("17 signatures", rc, FWS_ELIMIT, "signatures", "17 entries, at most 16");
	free(text);
	free(sigs);

	char *b64 = repeat("AAAA", 43692 / 4 + 1);
	text = xprintf("{\"payload\":\"%s\",\"payloadType\":\"t\",\"signatures\":[]}", b64);
	rc = decode(ENVELOPE, text, strlen(text));
	expect_diag("payload text too long", rc, FWS_ELIMIT, "payload",
		    "43696 bytes, at most 43692");
	free(text);
	free(b64);
}

/* ---- downgrade permit (docs/format.md §13) ---- */

static const struct diag_case permit_cases[] = {
    {"both bindings", PERMIT, "\"device_id\":\"dev-1\",",
     "\"device_id\":\"dev-1\",\"hardware_id\":\"hw-a\",", FWS_ESCHEMA, "",
     "both \"device_id\" and \"hardware_id\""},
    {"no binding", PERMIT, "\"device_id\":\"dev-1\",", "", FWS_ESCHEMA, "",
     "missing field \"device_id\" or \"hardware_id\""},
    {"device id a path", PERMIT, "\"dev-1\"", "\"../dev\"", FWS_ESCHEMA, "device_id",
     "\"../dev\" is not a valid name"},
    {"to_version not semver", PERMIT, "\"1.0.0\"", "\"1.0\"", FWS_ESCHEMA, "to_version",
     "\"1.0\" is not a semantic version"},
    {"digest short", PERMIT, HASH, "4dc366", FWS_ESCHEMA, "manifest_sha256",
     "\"4dc366\" is not 64 lowercase hex characters"},
    {"valid for more than 90 days", PERMIT, "2026-01-31", "2026-05-01", FWS_ESCHEMA, "expires",
     "2026-05-01T00:00:00Z is more than 90 days after created 2026-01-01T00:00:00Z"},
    {"expires at created", PERMIT, "2026-01-31", "2026-01-01", FWS_ESCHEMA, "expires",
     "is not after created 2026-01-01T00:00:00Z"},
    {"schema 2", PERMIT, "\"schema\":1", "\"schema\":2", FWS_ESCHEMA, "schema", "must be 1, not 2"},
    {"unknown field", PERMIT, "\"schema\":1,", "\"schema\":1,\"uses\":2,", FWS_ESCHEMA, "",
     "unknown field \"uses\""},
    {"created not a time", PERMIT, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00+01:00", FWS_ECLOCK,
     "created", "\"2026-01-01T00:00:00+01:00\" is not a time"},
};

Test(json_diag, permit_errors_name_field_and_rule)
{
	run_cases(permit_cases, COUNT(permit_cases));
}

/* ---- a root file: envelope and body together ---- */

Test(json_diag, root_file_names_the_payload_type)
{
	char *text = mutate(envelope_text, "root+json", "manifest+json");
	struct fws_root root;
	fws_diag_clear();
	int rc = fws_root_load((const uint8_t *)text, strlen(text), &root, NULL);
	expect_diag("a manifest given as a root", rc, FWS_EPAYLOADTYPE, "payloadType",
		    "\"application/vnd.fwseal.manifest+json\" is not a root");
	free(text);

	/* "{}" is the body: a schema error inside the payload, no prefix. */
	fws_diag_clear();
	rc = fws_root_load((const uint8_t *)envelope_text, strlen(envelope_text), &root, NULL);
	expect_diag("an empty root body", rc, FWS_ESCHEMA, "", "missing field \"schema\"");

	/* "{" is the body: its syntax error is the payload's. */
	text = mutate(envelope_text, "\"e30=\"", "\"ew==\"");
	fws_diag_clear();
	rc = fws_root_load((const uint8_t *)text, strlen(text), &root, NULL);
	expect_diag("a root body that is not JSON", rc, FWS_EJSON, "payload", "line 1, column");
	free(text);
}

/* ---- files: key files and the release description through fws_pack ---- */

static char dir[] = "/tmp/fwseal-diag-XXXXXX";

static char *write_file(const char *name, const char *text, mode_t mode)
{
	char *path = xprintf("%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

static void files_setup(void)
{
	json_test_setup();
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static void files_teardown(void)
{
	char *cmd = xprintf("rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
	free(cmd);
}

#define PUB(extra)                                                                                 \
	"{\"keyid\":\"" ID1 "\",\"keytype\":\"ed25519\",\"public\":\"" PK1 "\"," extra             \
	"\"type\":\"fwseal-public-key\",\"version\":1}\n"

Test(json_diag, key_file_errors_name_field_and_rule, .init = files_setup, .fini = files_teardown)
{
	static const struct {
		const char *what, *text;
		int code;
		const char *where, *why;
	} cases[] = {
	    {"a valid public key", PUB(""), 0, "", ""},
	    {"an extra field", PUB("\"comment\":\"x\","), FWS_EKEYFILE, "",
	     "unknown field \"comment\""},
	    {"key ID of another key",
	     "{\"keyid\":\"" ID1 "\",\"keytype\":\"ed25519\",\"public\":\"" PK3 "\","
	     "\"type\":\"fwseal-public-key\",\"version\":1}\n",
	     FWS_EKEYID, "keyid", "not the SHA-256 of public"},
	    {"version 2",
	     "{\"keyid\":\"" ID1 "\",\"keytype\":\"ed25519\",\"public\":\"" PK1 "\","
	     "\"type\":\"fwseal-public-key\",\"version\":2}\n",
	     FWS_EKEYFILE, "version", "must be 1, not 2"},
	    {"a secret key's type",
	     "{\"keyid\":\"" ID1 "\",\"keytype\":\"ed25519\",\"public\":\"" PK1 "\","
	     "\"type\":\"fwseal-secret-key\",\"version\":1}\n",
	     FWS_EKEYFILE, "", "a secret key (.key), not the public key (.pub) needed here"},
	    {"not JSON", "{\"keyid\":\n", FWS_EKEYFILE, "", "line 2, column"},
	};
	uint8_t pk[32], id[32];

	for (size_t i = 0; i < COUNT(cases); i++) {
		char *path = write_file("k.pub", cases[i].text, 0644);
		fws_diag_clear();
		int rc = fws_public_key_load(path, pk, id);
		if (cases[i].code == 0)
			cr_expect_eq(rc, 0, "%s: %s (%s)", cases[i].what, fws_errname(rc),
				     fws_diag_last()->why);
		else
			expect_diag(cases[i].what, rc, cases[i].code, cases[i].where, cases[i].why);
		free(path);
	}

	/* A secret key whose KDF limits would exhaust the machine: refused,
	 * with the field and the bounds, before any Argon2id. */
	char *path =
	    write_file("k.key",
		       "{\"cipher\":{\"alg\":\"xsalsa20poly1305\",\"ciphertext\":\"" HASH
		       "00000000000000000000000000000000"
		       "\",\"nonce\":\"000000000000000000000000000000000000000000000000\"},"
		       "\"kdf\":{\"alg\":\"argon2id13\",\"memlimit\":1099511627776,\"opslimit\":2,"
		       "\"salt\":\"00000000000000000000000000000000\"},\"keyid\":\"" ID1
		       "\",\"public\":\"" PK1 "\",\"type\":\"fwseal-secret-key\",\"version\":1}\n",
		       0600);
	struct fws_secret_key *key = NULL;
	fws_diag_clear();
	int rc = fws_secret_key_load(path, "pw", 2, &key);
	expect_diag("a hostile memlimit", rc, FWS_ELIMIT, "kdf.memlimit",
		    "1099511627776 is not between");
	cr_expect_null(key);
	free(path);
}

/* Shape before limits: a file malformed anyway says so, even when its KDF
 * limits are hostile too. */
Test(json_diag, key_file_shape_before_limits, .init = files_setup, .fini = files_teardown)
{
	char *path = write_file(
	    "k.key",
	    "{\"cipher\":{\"alg\":\"aes\",\"ciphertext\":\"00\",\"nonce\":\"00\"},"
	    "\"kdf\":{\"alg\":\"argon2id13\",\"memlimit\":1,\"opslimit\":2,\"salt\":\"00\"},"
	    "\"keyid\":\"" ID1 "\",\"public\":\"" PK1 "\",\"type\":\"fwseal-secret-key\","
	    "\"version\":1}\n",
	    0600);
	struct fws_secret_key *key = NULL;
	fws_diag_clear();
	int rc = fws_secret_key_load(path, "pw", 2, &key);
	expect_diag("a short salt", rc, FWS_EKEYFILE, "kdf.salt",
		    "\"00\" is not 32 lowercase hex characters");
	free(path);
}

/* fws_pack reads the release description before anything else: its errors
 * need neither a root nor a payload file. */
static int pack_release(const char *text, char *failed, size_t cap)
{
	static const char *roots[1];
	struct fws_secret_key *secret = NULL;
	struct fws_signing_key *key = NULL;
	struct fws_pack_opts o;
	char *rel = write_file("release.json", text, 0644);
	char *root = xprintf("%s/root.json", dir);
	char *out = xprintf("%s/out.fwb", dir);
	cr_assert_eq(fws_secret_key_generate(&secret), 0);
	cr_assert_eq(fws_signing_key_from_secret(secret, &key), 0);
	roots[0] = root;
	memset(&o, 0, sizeof(o));
	o.manifest_path = rel;
	o.key = key;
	o.key_path = "release.key";
	o.root_paths = roots;
	o.n_roots = 1;
	o.out_path = out;
	o.now = 1700000000;
	fws_diag_clear();
	int rc = fws_pack(&o, NULL, failed, cap);
	fws_signing_key_close(key);
	free(rel);
	free(root);
	free(out);
	return rc;
}

#define RELEASE(payloads)                                                                          \
	"{\"product\":\"pump\",\"version\":\"1.0.0\",\"security_version\":1,"                      \
	"\"hardware\":[\"hw-a\"],\"payloads\":[" payloads "]}"
#define P(n) "{\"name\":\"p" #n "\",\"file\":\"p" #n ".bin\",\"target\":\"t" #n "\"}"

Test(json_diag, release_description_errors_through_pack, .init = files_setup,
     .fini = files_teardown)
{
	static const struct {
		const char *what, *text;
		int code;
		const char *where, *why;
	} cases[] = {
	    {"chunk_size 5000 (issue example)",
	     RELEASE(P(0) "," P(1) "," P(2) ",{\"name\":\"p3\",\"file\":\"p3.bin\",\"target\":"
					    "\"t3\",\"chunk_size\":5000}"),
	     FWS_ESCHEMA, "payloads[3].chunk_size",
	     "5000 is not a power of two between 4096 and 16 MiB"},
	    {"chunk_size beyond 2^53 is a schema error here",
	     RELEASE("{\"name\":\"p\",\"file\":\"p.bin\",\"target\":\"t\","
		     "\"chunk_size\":9007199254740992}"),
	     FWS_ESCHEMA, "payloads[0].chunk_size", "above 2^53 - 1"},
	    {"unknown field (issue example)",
	     "{\"bogus\":1,\"product\":\"pump\",\"version\":\"1.0.0\",\"security_version\":1,"
	     "\"hardware\":[\"hw-a\"],\"payloads\":[" P(0) "]}",
	     FWS_ESCHEMA, "", "unknown field \"bogus\""},
	    {"17 payloads (issue example)",
	     RELEASE(P(0) "," P(1) "," P(2) "," P(3) "," P(4) "," P(5) "," P(6) "," P(7) "," P(
		 8) "," P(9) "," P(10) "," P(11) "," P(12) "," P(13) "," P(14) "," P(15) "," P(16)),
	     FWS_ESCHEMA, "payloads", "17 entries, at most 16"},
	    {"no payloads", RELEASE(""), FWS_ESCHEMA, "payloads", "0 entries, at least 1"},
	    {"payload without a file", RELEASE("{\"name\":\"p\",\"target\":\"t\"}"), FWS_ESCHEMA,
	     "payloads[0]", "missing field \"file\""},
	    {"payload file empty", RELEASE("{\"name\":\"p\",\"file\":\"\",\"target\":\"t\"}"),
	     FWS_ESCHEMA, "payloads[0].file", "empty"},
	    {"payload target a path",
	     RELEASE("{\"name\":\"p\",\"file\":\"p.bin\",\"target\":\"a/b\"}"), FWS_ESCHEMA,
	     "payloads[0].target", "\"a/b\" is not a valid name"},
	    {"hardware id of the wrong type",
	     "{\"product\":\"pump\",\"version\":\"1.0.0\",\"security_version\":1,"
	     "\"hardware\":[\"hw-a\",false],\"payloads\":[" P(0) "]}",
	     FWS_ESCHEMA, "hardware[1]", "must be a string, not a boolean"},
	    {"version not semver",
	     "{\"product\":\"pump\",\"version\":\"v1\",\"security_version\":1,"
	     "\"hardware\":[\"hw-a\"],\"payloads\":[" P(0) "]}",
	     FWS_ESCHEMA, "version", "\"v1\" is not a semantic version"},
	    {"security_version a string",
	     "{\"product\":\"pump\",\"version\":\"1.0.0\",\"security_version\":\"1\","
	     "\"hardware\":[\"hw-a\"],\"payloads\":[" P(0) "]}",
	     FWS_ESCHEMA, "", "\"security_version\" must be an integer, not a string"},
	    {"duplicate key", "{\"product\":\"a\",\"product\":\"b\"}", FWS_EJSON, "",
	     "line 1, column 24: duplicate object key"},
	};
	char failed[4096];

	for (size_t i = 0; i < COUNT(cases); i++) {
		int rc = pack_release(cases[i].text, failed, sizeof(failed));
		expect_diag(cases[i].what, rc, cases[i].code, cases[i].where, cases[i].why);
		cr_expect_not_null(strstr(failed, "release.json"), "%s: failed names %s",
				   cases[i].what, failed);
	}
}

Test(json_diag, release_description_os_errors_keep_their_reason, .init = files_setup,
     .fini = files_teardown)
{
	static const char *roots[1] = {"root.json"};
	struct fws_secret_key *secret = NULL;
	struct fws_signing_key *key = NULL;
	struct fws_pack_opts o;
	char failed[4096];
	char *missing = xprintf("%s/missing.json", dir);
	cr_assert_eq(fws_secret_key_generate(&secret), 0);
	cr_assert_eq(fws_signing_key_from_secret(secret, &key), 0);
	memset(&o, 0, sizeof(o));
	o.key = key;
	o.root_paths = roots;
	o.n_roots = 1;
	o.out_path = "out.fwb";
	o.now = 1700000000;

	o.manifest_path = missing;
	fws_diag_clear();
	int rc = fws_pack(&o, NULL, failed, sizeof(failed));
	expect_diag("a missing release description", rc, FWS_ENOENT, missing, "cannot open");
	cr_expect_eq(fws_diag_last()->os_errno, ENOENT);

	o.manifest_path = dir;
	fws_diag_clear();
	rc = fws_pack(&o, NULL, failed, sizeof(failed));
	expect_diag("a directory as the release description", rc, FWS_EIO, dir, "cannot read");
	cr_expect_eq(fws_diag_last()->os_errno, EISDIR);

	fws_signing_key_close(key);
	free(missing);
}
