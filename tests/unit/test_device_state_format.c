/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-LIFE-004 */
/* State format 5 (docs/format.md 10.1): the manifest digest of the pending
 * release, written only while a set is pending, decoded strictly. A state
 * fwseal never writes, with a valid checksum, is FWS_ESTATE. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/sha256.h"
#include "fwseal/state.h"

static struct fws_device_state pending(void)
{
	struct fws_device_state st;
	memset(&st, 0, sizeof(st));
	st.generation = 3;
	strcpy(st.hardware_id, "hw-a");
	strcpy(st.device_id, "hw-a");
	st.root_version = 1;
	st.security_version = 1;
	st.confirmed_slot = 'a';
	st.pending_slot = 'b';
	strcpy(st.slots[0].version, "1.0.0");
	st.slots[0].security_version = 1;
	strcpy(st.slots[1].version, "2.0.0");
	st.slots[1].security_version = 2;
	for (int i = 0; i < 32; i++)
		st.pending_manifest[i] = (uint8_t)(0x10 + i);
	return st;
}

/* body (without its checksum line) + a valid checksum line, decoded. */
static int decode_body(const char *body)
{
	char buf[FWS_STATE_MAX + 128], hex[65];
	uint8_t d[32];
	struct fws_device_state st;
	fws_sha256(body, strlen(body), d);
	fws_hex_encode(hex, d, sizeof(d));
	int n = snprintf(buf, sizeof(buf), "%ssha256 %s\n", body, hex);
	cr_assert(n > 0 && (size_t)n < sizeof(buf));
	return fws_state_decode((const uint8_t *)buf, (size_t)n, &st);
}

static void body_of(const struct fws_device_state *st, char *body, size_t cap)
{
	size_t len;
	cr_assert_eq(fws_state_encode(st, body, cap, &len), 0);
	*strstr(body, "sha256 ") = '\0';
}

static void edit(char *text, size_t cap, const char *from, const char *to)
{
	char *at = strstr(text, from), rest[FWS_STATE_MAX];
	cr_assert_not_null(at, "%s", from);
	snprintf(rest, sizeof(rest), "%s", at + strlen(from));
	snprintf(at, cap - (size_t)(at - text), "%s%s", to, rest);
}

Test(state_format, pending_release_digest_is_format_5_and_round_trips)
{
	struct fws_device_state st = pending(), back;
	char buf[FWS_STATE_MAX];
	size_t len;
	cr_assert_eq(fws_state_encode(&st, buf, sizeof(buf), &len), 0);
	cr_assert_eq(strncmp(buf, "fwseal-state 5\n", 15), 0);
	cr_assert_not_null(strstr(buf, "\nlog_seq 0\npending_manifest 101112"));
	cr_assert_eq(fws_state_decode((const uint8_t *)buf, len, &back), 0);
	cr_assert_eq(memcmp(&back, &st, sizeof(st)), 0);
	/* with a confirmation under way too: floor_confirming first */
	st.floor_confirming = 2;
	cr_assert_eq(fws_state_encode(&st, buf, sizeof(buf), &len), 0);
	cr_assert_eq(strncmp(buf, "fwseal-state 5\n", 15), 0);
	cr_assert_not_null(strstr(buf, "\nfloor_confirming 2\npending_manifest "));
	cr_assert_eq(fws_state_decode((const uint8_t *)buf, len, &back), 0);
	cr_assert_eq(memcmp(&back, &st, sizeof(st)), 0);
	/* nothing pending: no digest, format 3 */
	st = pending();
	memset(st.pending_manifest, 0, sizeof(st.pending_manifest));
	cr_assert_eq(fws_state_encode(&st, buf, sizeof(buf), &len), 0);
	cr_assert_eq(strncmp(buf, "fwseal-state 3\n", 15), 0);
}

Test(state_format, digest_without_a_pending_set_is_not_a_state)
{
	struct fws_device_state st = pending();
	char buf[FWS_STATE_MAX];
	size_t len;
	st.pending_slot = '-';
	cr_assert_eq(fws_state_encode(&st, buf, sizeof(buf), &len), FWS_ESTATE);
}

/* Each a state fwseal never writes, with a valid checksum: refused. */
Test(state_format, format_5_is_decoded_strictly)
{
	struct fws_device_state st = pending();
	char v5[FWS_STATE_MAX], t[FWS_STATE_MAX];
	body_of(&st, v5, sizeof(v5));
	cr_assert_eq(decode_body(v5), 0);
	const char *hex = strstr(v5, "pending_manifest ") + 17;
	char good[96];
	snprintf(good, sizeof(good), "pending_manifest %.64s", hex);
	const char *bad[] = {
	    "pending_manifest 0000000000000000000000000000000000000000000000000000000000000000",
	    "pending_manifest 101112131415161718191A1B1C1D1E1F202122232425262728292a2b2c2d2e2f",
	    "pending_manifest 101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e",
	    "pending_manifest 101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f00",
	    "pending_manifest  101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f",
	    "pending_manifest 101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2g",
	    "pending_manifest",
	    "pending_digest 101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(t, sizeof(t), "%s", v5);
		edit(t, sizeof(t), good, bad[i]);
		cr_assert_eq(decode_body(t), FWS_ESTATE, "%s", bad[i]);
	}
	/* format 5 without its line; format 3 or 4 with it */
	snprintf(t, sizeof(t), "%s", v5);
	edit(t, sizeof(t), good, "");
	edit(t, sizeof(t), "log_seq 0\n\n", "log_seq 0\n");
	cr_assert_eq(decode_body(t), FWS_ESTATE, "format 5 without pending_manifest");
	snprintf(t, sizeof(t), "%s", v5);
	edit(t, sizeof(t), "fwseal-state 5", "fwseal-state 3");
	cr_assert_eq(decode_body(t), FWS_ESTATE, "format 3 with pending_manifest");
	snprintf(t, sizeof(t), "%s", v5);
	edit(t, sizeof(t), "fwseal-state 5", "fwseal-state 4");
	cr_assert_eq(decode_body(t), FWS_ESTATE, "format 4 with pending_manifest");
	/* the digest with nothing pending */
	snprintf(t, sizeof(t), "%s", v5);
	edit(t, sizeof(t), "pending_slot b", "pending_slot -");
	cr_assert_eq(decode_body(t), FWS_ESTATE, "a digest with nothing pending");
	/* floor_confirming 0 in format 5, and after the digest */
	snprintf(t, sizeof(t), "%s", v5);
	edit(t, sizeof(t), "log_seq 0\n", "log_seq 0\nfloor_confirming 0\n");
	cr_assert_eq(decode_body(t), FWS_ESTATE, "floor_confirming 0");
	snprintf(t, sizeof(t), "%s", v5);
	edit(t, sizeof(t), "2d2e2f\n", "2d2e2f\nfloor_confirming 2\n");
	cr_assert_eq(decode_body(t), FWS_ESTATE, "floor_confirming after the digest");
}
