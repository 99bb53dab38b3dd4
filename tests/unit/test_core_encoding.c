/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-SIG-007, REQ-ERR-001 */
/* Hex, times, names, SHA-256 streaming, error texts and init. */
#include <ctype.h>
#include <limits.h>

#include "test_core_helpers.h"

TestSuite(hex, .init = core_setup);
TestSuite(time, .init = core_setup);
TestSuite(names, .init = core_setup);
TestSuite(sha256, .init = core_setup);
TestSuite(errors, .init = core_setup);
TestSuite(init, .init = core_setup);

/* --- hex --------------------------------------------------------------- */

Test(hex, roundtrip_all_bytes)
{
	uint8_t in[256], out[256];
	char hex[513];
	size_t i;

	for (i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	fws_hex_encode(hex, in, sizeof in);
	cr_assert_eq(strlen(hex), 512);
	cr_assert_eq(memcmp(hex, "000102", 6), 0);
	cr_assert_str_eq(hex + 500, "fafbfcfdfeff");
	cr_assert_eq(fws_hex_decode_exact(out, sizeof out, hex), 0);
	cr_assert_eq(memcmp(in, out, sizeof in), 0);
}

Test(hex, uppercase_rejected)
{
	uint8_t out[2] = {7, 7};

	cr_assert_eq(fws_hex_decode_exact(out, 2, "abCD"), FWS_ESCHEMA);
	cr_assert_eq(fws_hex_decode_exact(out, 2, "ABCD"), FWS_ESCHEMA);
	cr_assert_eq(out[0], 7, "out written on failure");
	cr_assert_eq(fws_hex_decode_exact(out, 2, "abcd"), 0);
	cr_assert_eq(out[0], 0xab);
	cr_assert_eq(out[1], 0xcd);
}

Test(hex, exact_length_required)
{
	uint8_t out[4] = {7, 7, 7, 7};

	cr_assert_eq(fws_hex_decode_exact(out, 2, "abc"), FWS_ESCHEMA);
	cr_assert_eq(fws_hex_decode_exact(out, 2, "abcde"), FWS_ESCHEMA);
	cr_assert_eq(fws_hex_decode_exact(out, 2, "abcdef"), FWS_ESCHEMA);
	cr_assert_eq(fws_hex_decode_exact(out, 2, ""), FWS_ESCHEMA);
	cr_assert_eq(out[0], 7);
	cr_assert_eq(fws_hex_decode_exact(out, 0, ""), 0);
	cr_assert_eq(fws_hex_decode_exact(out, 0, "a"), FWS_ESCHEMA);
}

Test(hex, non_hex_rejected)
{
	uint8_t out[2];

	cr_assert_eq(fws_hex_decode_exact(out, 2, "abcg"), FWS_ESCHEMA);
	cr_assert_eq(fws_hex_decode_exact(out, 2, "ab c"), FWS_ESCHEMA);
	cr_assert_eq(fws_hex_decode_exact(out, 2, " abc"), FWS_ESCHEMA);
	cr_assert_eq(fws_hex_decode_exact(out, 2, "0xab"), FWS_ESCHEMA);
	cr_assert_eq(fws_hex_decode_exact(out, 2, "ab\0d"), FWS_ESCHEMA);
	cr_assert_eq(fws_hex_decode_exact(out, 2, "+abc"), FWS_ESCHEMA);
	cr_assert_eq(fws_hex_decode_exact(NULL, 2, "abcd"), FWS_EUSAGE);
	cr_assert_eq(fws_hex_decode_exact(out, 2, NULL), FWS_EUSAGE);
}

/* --- time -------------------------------------------------------------- */

static int64_t parse_ok(const char *s)
{
	int64_t t = -1;

	cr_assert_eq(fws_time_parse(s, &t), 0, "%s should parse", s);
	return t;
}

Test(time, known_epochs)
{
	/* Expected values from Python's calendar.timegm (independent). */
	cr_assert_eq(parse_ok("1970-01-01T00:00:00Z"), 0);
	cr_assert_eq(parse_ok("2000-02-29T00:00:00Z"), 951782400);
	cr_assert_eq(parse_ok("2024-02-29T12:34:56Z"), 1709210096);
	cr_assert_eq(parse_ok("2026-01-01T00:00:00Z"), 1767225600);
	cr_assert_eq(parse_ok("2100-03-01T00:00:00Z"), INT64_C(4107542400));
	cr_assert_eq(parse_ok("9999-12-31T23:59:59Z"), INT64_C(253402300799));
	cr_assert_eq(parse_ok("2038-01-19T03:14:08Z"), INT64_C(2147483648));
}

Test(time, bad_times_refused)
{
	static const char *bad[] = {
	    "2023-02-29T00:00:00Z", /* not a leap year */
	    "2100-02-29T00:00:00Z", /* century, not a leap year */
	    "2023-04-31T00:00:00Z",
	    "2023-01-32T00:00:00Z",
	    "2023-00-10T00:00:00Z",
	    "2023-13-10T00:00:00Z",
	    "2023-01-00T00:00:00Z",
	    "2023-06-01T24:00:00Z",
	    "2023-06-01T23:60:00Z",
	    "2023-06-01T23:59:60Z", /* leap seconds are not representable */
	    "2023-06-01T12:00:00z",
	    "2023-06-01t12:00:00Z",
	    "2023-06-01 12:00:00Z",
	    "2023-06-01T12:00:00",
	    "2023-06-01T12:00:00+00:00",
	    "2023-06-01T12:00:00.5Z",
	    "2023-06-01T12:00:00ZZ",
	    "2023-06-01T12:00:00Z ",
	    " 2023-06-01T12:00:00Z",
	    "2023-6-01T12:00:00Z",
	    "1969-12-31T23:59:59Z",
	    "0000-01-01T00:00:00Z",
	    "10000-01-01T00:00:00Z",
	    "+2023-06-01T12:00:0Z",
	    "2023-06-01T1:00:000Z",
	    "２０２３-06-01T12:00:00Z",
	    "",
	    "2023",
	};
	size_t i;
	int64_t t = 77;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(fws_time_parse(bad[i], &t), FWS_ECLOCK, "'%s' accepted", bad[i]);
	cr_assert_eq(t, 77, "out written on failure");
	cr_assert_neq(fws_time_parse(NULL, &t), 0);
}

Test(time, leap_years)
{
	cr_assert_eq(parse_ok("2024-02-29T00:00:00Z") + 86400, parse_ok("2024-03-01T00:00:00Z"));
	cr_assert_eq(parse_ok("2023-02-28T00:00:00Z") + 86400, parse_ok("2023-03-01T00:00:00Z"));
	cr_assert_eq(parse_ok("2000-02-28T00:00:00Z") + 2 * 86400,
		     parse_ok("2000-03-01T00:00:00Z"));
	cr_assert_eq(parse_ok("2400-02-29T00:00:00Z") + 86400, parse_ok("2400-03-01T00:00:00Z"));
}

Test(time, format_known)
{
	char out[21];

	cr_assert_eq(fws_time_format(0, out), 0);
	cr_assert_str_eq(out, "1970-01-01T00:00:00Z");
	cr_assert_eq(fws_time_format(1709210096, out), 0);
	cr_assert_str_eq(out, "2024-02-29T12:34:56Z");
	cr_assert_eq(fws_time_format(INT64_C(253402300799), out), 0);
	cr_assert_str_eq(out, "9999-12-31T23:59:59Z");
	cr_assert_eq(fws_time_format(INT64_C(253402300800), out), FWS_ECLOCK);
	cr_assert_eq(fws_time_format(-1, out), FWS_ECLOCK);
	cr_assert_eq(fws_time_format(INT64_MIN, out), FWS_ECLOCK);
	cr_assert_eq(fws_time_format(INT64_MAX, out), FWS_ECLOCK);
}

Test(time, format_parse_roundtrip)
{
	char out[21];
	int64_t t, back;

	/* A stride that is prime in seconds, so it walks through every field. */
	for (t = 0; t <= INT64_C(253402300799); t += INT64_C(99991) * 997) {
		cr_assert_eq(fws_time_format(t, out), 0);
		back = -1;
		cr_assert_eq(fws_time_parse(out, &back), 0, "%s", out);
		cr_assert_eq(back, t, "%s", out);
	}
	/* Every day of four years, including a leap day. */
	for (t = 1704067200; t < 1704067200 + 4 * 366 * 86400; t += 86400 + 1) {
		cr_assert_eq(fws_time_format(t, out), 0);
		cr_assert_eq(fws_time_parse(out, &back), 0, "%s", out);
		cr_assert_eq(back, t);
	}
}

/* --- names ------------------------------------------------------------- */

Test(names, valid_and_invalid)
{
	char longest[FWS_NAME_MAX + 2];

	cr_assert(fws_name_valid("rootfs.img"));
	cr_assert(fws_name_valid("a"));
	cr_assert(fws_name_valid("A_b-c+d.1"));
	cr_assert(fws_name_valid("_x"));
	cr_assert_not(fws_name_valid(""));
	cr_assert_not(fws_name_valid(NULL));
	cr_assert_not(fws_name_valid("."));
	cr_assert_not(fws_name_valid(".."));
	cr_assert_not(fws_name_valid(".hidden"));
	cr_assert_not(fws_name_valid("-rf"));
	cr_assert_not(fws_name_valid("../etc/passwd"));
	cr_assert_not(fws_name_valid("a/b"));
	cr_assert_not(fws_name_valid("a\\b"));
	cr_assert_not(fws_name_valid("/abs"));
	cr_assert_not(fws_name_valid("a b"));
	cr_assert_not(fws_name_valid("a\nb"));
	cr_assert_not(fws_name_valid("caf\xc3\xa9"));
	cr_assert_not(fws_name_valid("a:b"));
	memset(longest, 'a', sizeof longest);
	longest[FWS_NAME_MAX] = '\0';
	cr_assert(fws_name_valid(longest));
	longest[FWS_NAME_MAX] = 'a';
	longest[FWS_NAME_MAX + 1] = '\0';
	cr_assert_not(fws_name_valid(longest));
}

/* --- SHA-256 ----------------------------------------------------------- */

Test(sha256, streaming_equals_one_shot_at_every_split)
{
	static uint8_t data[1000];
	uint8_t one[32], two[32];
	struct fws_sha256 h;
	size_t i, split;

	for (i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 31 + 7);
	fws_sha256(data, sizeof data, one);
	for (split = 0; split <= sizeof data; split++) {
		fws_sha256_init(&h);
		fws_sha256_update(&h, data, split);
		fws_sha256_update(&h, data + split, sizeof data - split);
		fws_sha256_final(&h, two);
		cr_assert_eq(memcmp(one, two, 32), 0, "split %zu", split);
	}
	fws_sha256_init(&h);
	for (i = 0; i < sizeof data; i++)
		fws_sha256_update(&h, data + i, 1);
	fws_sha256_final(&h, two);
	cr_assert_eq(memcmp(one, two, 32), 0);
}

Test(sha256, million_a)
{
	/* FIPS 180-2 appendix B.3: one million 'a'. */
	static uint8_t a[1000];
	struct fws_sha256 h;
	uint8_t d[32];
	char hex[65];
	int i;

	memset(a, 'a', sizeof a);
	fws_sha256_init(&h);
	for (i = 0; i < 1000; i++)
		fws_sha256_update(&h, a, sizeof a);
	fws_sha256_final(&h, d);
	fws_hex_encode(hex, d, 32);
	cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

Test(sha256, final_wipes_state)
{
	struct fws_sha256 h;
	uint8_t d[32];
	size_t i;

	fws_sha256_init(&h);
	fws_sha256_update(&h, "secret", 6);
	fws_sha256_final(&h, d);
	for (i = 0; i < sizeof h.opaque; i++)
		cr_assert_eq(h.opaque[i], 0, "state byte %zu not wiped", i);
}

Test(sha256, backend_named)
{
	const char *b = fws_sha256_backend();

	cr_assert(strcmp(b, "nettle") == 0 || strcmp(b, "libsodium") == 0, "backend %s", b);
}

/* --- errors and init ----------------------------------------------------- */

/* Numbers handed out for work that needed no code of its own: never
 * returned, documented as unused (docs/exit-codes.md). */
static int unused_code(int code)
{
	return code == -69 || code == -76;
}

Test(errors, unused_codes_stay_unused)
{
	cr_expect_str_eq(fws_errname(-69), "unknown error");
	cr_expect_str_eq(fws_errname(-76), "unknown error");
}

Test(errors, every_code_has_distinct_name_and_text)
{
	int a, b;

	for (a = 0; a >= FWS_ELAST; a--) {
		if (unused_code(a))
			continue;
		const char *t = fws_strerror(a), *n = fws_errname(a);
		size_t len = strlen(t);

		cr_assert_str_neq(t, "unknown error", "code %d has no text", a);
		cr_assert_str_neq(n, "unknown error", "code %d has no name", a);
		cr_assert_eq(strncmp(n, "FWS_", 4), 0);
		cr_assert(len > 5, "code %d text too short", a);
		cr_assert(islower((unsigned char)t[0]), "code %d text not lowercase: %s", a, t);
		cr_assert(t[len - 1] != '.' && t[len - 1] != '\n', "code %d: %s", a, t);
		for (b = 0; b > a; b--) {
			if (unused_code(b))
				continue;
			cr_assert_str_neq(t, fws_strerror(b), "codes %d and %d share a text", a, b);
			cr_assert_str_neq(n, fws_errname(b), "codes %d and %d share a name", a, b);
		}
	}
}

Test(errors, names_match_enum)
{
	cr_assert_str_eq(fws_errname(FWS_EDIGEST), "FWS_EDIGEST");
	cr_assert_str_eq(fws_errname(FWS_OK), "FWS_OK");
	cr_assert_str_eq(fws_errname(FWS_ETHRESHOLDDEF), "FWS_ETHRESHOLDDEF");
	cr_assert_str_eq(fws_errname(FWS_EMINVERSION), "FWS_EMINVERSION");
	cr_assert_str_eq(fws_errname(FWS_EINTERNAL), "FWS_EINTERNAL");
	cr_assert_str_eq(fws_strerror(FWS_EDIGEST),
			 "chunk digest mismatch (payload or chunk list tampered with)");
}

Test(errors, unknown_codes)
{
	cr_assert_str_eq(fws_strerror(1), "unknown error");
	cr_assert_str_eq(fws_strerror(FWS_ELAST - 1), "unknown error");
	cr_assert_str_eq(fws_strerror(INT_MIN), "unknown error");
	cr_assert_str_eq(fws_strerror(INT_MAX), "unknown error");
	cr_assert_str_eq(fws_errname(INT_MIN), "unknown error");
	cr_assert_str_eq(fws_errname(12), "unknown error");
}

Test(init, init_twice_and_version)
{
	cr_assert_eq(fws_init(), 0);
	cr_assert_eq(fws_init(), 0, "second init must succeed");
	cr_assert_str_eq(fws_version(), FWS_VERSION_STRING);
	cr_assert_str_eq(fws_version(), "0.2.0");
}
