/* SPDX-License-Identifier: Apache-2.0 */
/* Signed channels: the body codec refuses every field it does not know and
 * every value outside its rule (each mutation named after what it would let
 * through), the core rules (version, freshness, binding, cohort, release)
 * decide as docs/format.md §16 says, and the root's optional timestamp role
 * obeys the same 1 <= t <= n rule as the others. */
#include <stdio.h>
#include <string.h>

#include "fwseal/channel.h"
#include "fwseal/diag.h"
#include "fwseal/encoding.h"
#include "fwseal/root.h"
#include "test_json_util.h"

#define H64 "1111111111111111111111111111111111111111111111111111111111111111"
#define M64 "2222222222222222222222222222222222222222222222222222222222222222"
#define SALT "0000000000000000000000000000000000000000000000000000000000000001"

/* Canonical (sorted, compact): the encoder must give back these bytes. */
static const char channel_text[] =
    "{\"bundle_sha256\":\"" H64 "\",\"bundle_size\":4096,\"channel\":\"stable\","
    "\"created\":\"2026-12-01T00:00:00Z\",\"expires\":\"2026-12-03T00:00:00Z\","
    "\"hardware\":[\"hw-a\",\"hw-b\"],"
    "\"locations\":[\"https://updates.example/p.fwb\",\"oci://reg.example/p:2\"],"
    "\"manifest_sha256\":\"" M64 "\",\"product\":\"pump\",\"release_version\":\"2.0.0\","
    "\"rollout\":{\"not_before\":\"2026-12-01T00:00:00Z\",\"percent\":50,\"salt\":\"" SALT "\"},"
    "\"schema\":1,\"security_version\":2,\"version\":7}";

static void setup(void)
{
	json_test_setup();
}

TestSuite(json_channel, .init = setup);

static int decode_text(const char *text, struct fws_channel *ch)
{
	return fws_channel_decode((const uint8_t *)text, strlen(text), ch);
}

static void expect_mutation(const char *from, const char *to, int code)
{
	struct fws_channel ch;
	char *text = mutate(channel_text, from, to);
	int rc = decode_text(text, &ch);
	cr_expect_eq(rc, code, "%s -> %s: got %d (%s), want %d", from, to, rc, fws_errname(rc),
		     code);
	free(text);
}

Test(json_channel, canonical_round_trip)
{
	struct fws_channel ch;
	char *out = NULL;
	size_t len;
	cr_assert_eq(decode_text(channel_text, &ch), 0);
	cr_assert_str_eq(ch.name, "stable");
	cr_assert_eq(ch.version, 7);
	cr_assert_eq(ch.n_hardware, 2);
	cr_assert_eq(ch.n_locations, 2);
	cr_assert_eq(ch.rollout.percent, 50);
	cr_assert_eq(fws_channel_encode(&ch, &out, &len), 0);
	cr_assert_eq(len, strlen(channel_text));
	cr_assert_eq(memcmp(out, channel_text, len), 0);
	free(out);
}

Test(json_channel, every_field_is_checked)
{
	/* unknown fields: a rule the verifier never learnt is not skipped */
	expect_mutation("\"schema\":1,", "\"schema\":1,\"mirror\":\"x\",", FWS_ESCHEMA);
	expect_mutation("\"percent\":50,", "\"percent\":50,\"extra\":1,", FWS_ESCHEMA);
	/* missing fields: each one required */
	expect_mutation("\"bundle_size\":4096,", "", FWS_ESCHEMA);
	expect_mutation("\"channel\":\"stable\",", "", FWS_ESCHEMA);
	expect_mutation("\"expires\":\"2026-12-03T00:00:00Z\",", "", FWS_ESCHEMA);
	expect_mutation("\"manifest_sha256\":\"" M64 "\",", "", FWS_ESCHEMA);
	expect_mutation("\"not_before\":\"2026-12-01T00:00:00Z\",", "", FWS_ESCHEMA);
	expect_mutation(",\"salt\":\"" SALT "\"", "", FWS_ESCHEMA);
	/* schema and version */
	expect_mutation("\"schema\":1", "\"schema\":2", FWS_ESCHEMA);
	expect_mutation("\"version\":7", "\"version\":0", FWS_ESCHEMA);
	expect_mutation("\"version\":7", "\"version\":-1", FWS_ESCHEMA);
	expect_mutation("\"version\":7", "\"version\":\"7\"", FWS_ESCHEMA);
	/* freshness: a channel valid for no time is no statement */
	expect_mutation("2026-12-03T00:00:00Z", "2026-12-01T00:00:00Z", FWS_ESCHEMA);
	expect_mutation("2026-12-03T00:00:00Z", "2026-11-01T00:00:00Z", FWS_ESCHEMA);
	expect_mutation("\"expires\":\"2026-12-03T00:00:00Z\"", "\"expires\":\"tomorrow\"",
			FWS_ECLOCK);
	/* names and hardware */
	expect_mutation("\"channel\":\"stable\"", "\"channel\":\"sta ble\"", FWS_ESCHEMA);
	expect_mutation("\"channel\":\"stable\"", "\"channel\":\"\"", FWS_ESCHEMA);
	expect_mutation("[\"hw-a\",\"hw-b\"]", "[]", FWS_ESCHEMA);
	expect_mutation("[\"hw-a\",\"hw-b\"]", "[\"hw-a\",\"hw-a\"]", FWS_ESCHEMA);
	expect_mutation("\"release_version\":\"2.0.0\"", "\"release_version\":\"2.0\"",
			FWS_ESCHEMA);
	/* digests and size */
	expect_mutation("\"manifest_sha256\":\"" M64 "\"", "\"manifest_sha256\":\"" M64 "00\"",
			FWS_ESCHEMA);
	expect_mutation("\"bundle_sha256\":\"" H64 "\"", "\"bundle_sha256\":\"11\"", FWS_ESCHEMA);
	expect_mutation("\"bundle_size\":4096", "\"bundle_size\":0", FWS_ESCHEMA);
	/* locations: https:// or oci://, printable, distinct, 1..8 */
	expect_mutation("https://updates.example/p.fwb", "http://updates.example/p.fwb",
			FWS_ESCHEMA);
	expect_mutation("https://updates.example/p.fwb", "file:///etc/passwd", FWS_ESCHEMA);
	expect_mutation("https://updates.example/p.fwb", "https://a b/p.fwb", FWS_ESCHEMA);
	expect_mutation("https://updates.example/p.fwb", "https://a\\r\\nX: y", FWS_ESCHEMA);
	expect_mutation("https://updates.example/p.fwb", "https://", FWS_ESCHEMA);
	expect_mutation("\"oci://reg.example/p:2\"", "\"https://updates.example/p.fwb\"",
			FWS_ESCHEMA);
	expect_mutation("[\"https://updates.example/p.fwb\",\"oci://reg.example/p:2\"]", "[]",
			FWS_ESCHEMA);
	/* rollout: a mirror cannot widen it, and nobody writes 101% */
	expect_mutation("\"percent\":50", "\"percent\":101", FWS_ESCHEMA);
	expect_mutation("\"percent\":50", "\"percent\":50.5", FWS_ESCHEMA);
	expect_mutation("\"salt\":\"" SALT "\"", "\"salt\":\"01\"", FWS_ESCHEMA);
	/* duplicate keys: which one would the device have obeyed? */
	expect_mutation("\"schema\":1,", "\"schema\":1,\"schema\":1,", FWS_EJSON);
}

Test(json_channel, rules)
{
	struct fws_channel ch;
	uint8_t d1[32] = {1}, d2[32] = {2};
	uint8_t m[32];
	int same = -1;
	cr_assert_eq(decode_text(channel_text, &ch), 0);
	/* version: never backwards, equal only with the same bytes */
	cr_expect_eq(fws_channel_check_version(&ch, d1, 0, d2, &same), 0);
	cr_expect_eq(same, 0);
	cr_expect_eq(fws_channel_check_version(&ch, d1, 6, d2, &same), 0);
	cr_expect_eq(fws_channel_check_version(&ch, d1, 7, d1, &same), 0);
	cr_expect_eq(same, 1);
	cr_expect_eq(fws_channel_check_version(&ch, d1, 7, d2, &same), FWS_ECHANNELROLLBACK);
	cr_expect_eq(fws_channel_check_version(&ch, d1, 8, d1, &same), FWS_ECHANNELROLLBACK);
	/* freshness: before expires, not at it */
	cr_expect_eq(fws_channel_check_fresh(&ch, ch.expires - 1), 0);
	cr_expect_eq(fws_channel_check_fresh(&ch, ch.expires), FWS_ECHANNELSTALE);
	/* binding */
	cr_expect_eq(fws_channel_check_device(&ch, "stable", "hw-b"), 0);
	cr_expect_eq(fws_channel_check_device(&ch, "stable", "hw-c"), FWS_EHARDWARE);
	cr_expect_eq(fws_channel_check_device(&ch, "beta", "hw-a"), FWS_ESCHEMA);
	/* release: every field, the digest above all */
	cr_assert_eq(fws_hex_decode_exact(m, 32, M64), 0);
	cr_expect_eq(fws_channel_check_release(&ch, "pump", "2.0.0", 2, m), 0);
	cr_expect_eq(fws_channel_check_release(&ch, "pump", "1.0.0", 2, m), FWS_ECHANNELMISMATCH);
	cr_expect_eq(fws_channel_check_release(&ch, "pump", "2.0.0", 1, m), FWS_ECHANNELMISMATCH);
	cr_expect_eq(fws_channel_check_release(&ch, "other", "2.0.0", 2, m), FWS_ECHANNELMISMATCH);
	m[31] ^= 1;
	cr_expect_eq(fws_channel_check_release(&ch, "pump", "2.0.0", 2, m), FWS_ECHANNELMISMATCH);
}

/* Known answers from Python (hashlib), independent of fwseal:
 *   sha256(b"fwseal-cohort-v1\0" + salt + id)[:8] big-endian % 100 */
/* req: REQ-FLEET-004 */
Test(json_channel, cohort_known_answers)
{
	struct fws_channel ch;
	uint32_t bucket;
	cr_assert_eq(decode_text(channel_text, &ch), 0);
	cr_assert_eq(fws_channel_cohort(ch.rollout.salt, "dev-1", &bucket), 0);
	cr_expect_eq(bucket, 71);
	cr_assert_eq(fws_channel_cohort(ch.rollout.salt, "pump-0042", &bucket), 0);
	cr_expect_eq(bucket, 46);
	/* percent 50: pump-0042 (46) in, dev-1 (71) out; not before not_before */
	cr_expect_eq(fws_channel_check_rollout(&ch, "pump-0042", ch.rollout.not_before), 0);
	cr_expect_eq(fws_channel_check_rollout(&ch, "dev-1", ch.rollout.not_before),
		     FWS_ENOTINCOHORT);
	cr_expect_eq(fws_channel_check_rollout(&ch, "pump-0042", ch.rollout.not_before - 1),
		     FWS_ENOTINCOHORT);
	ch.rollout.percent = 100;
	cr_expect_eq(fws_channel_check_rollout(&ch, "dev-1", ch.rollout.not_before), 0);
	ch.rollout.percent = 0;
	cr_expect_eq(fws_channel_check_rollout(&ch, "pump-0042", ch.rollout.not_before),
		     FWS_ENOTINCOHORT);
	cr_expect_eq(fws_channel_cohort(ch.rollout.salt, "bad id", &bucket), FWS_EUSAGE);
}

#define PK1 "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define ID1 "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9"
#define PK2 "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
#define ID2 "39f713d0a644253f04529421b9f51b9b08979d08295959c4f3990ee617f5139f"
#define KEY(pk)                                                                                    \
	"{\"keytype\":\"ed25519\",\"keyval\":{\"public\":\"" pk "\"},\"scheme\":\"ed25519\"}"

static const char root_ts[] =
    "{\"created\":\"2026-01-01T00:00:00Z\",\"expires\":\"2027-01-01T00:00:00Z\","
    "\"keys\":{\"" ID1
    "\":" KEY(PK1) ",\"" ID2 "\":" KEY(PK2) "},"
					    "\"roles\":{\"release\":{\"keyids\":[\"" ID1
					    "\"],\"threshold\":1},"
					    "\"root\":{\"keyids\":[\"" ID1 "\"],\"threshold\":1},"
					    "\"timestamp\":{\"keyids\":[\"" ID2
					    "\"],\"threshold\":1}},"
					    "\"schema\":1,\"version\":1}";

static void expect_root(const char *from, const char *to, int code)
{
	struct fws_root root;
	char *text = mutate(root_ts, from, to);
	int rc = fws_root_decode((const uint8_t *)text, strlen(text), &root);
	cr_expect_eq(rc, code, "%s -> %s: got %d (%s), want %d", from, to, rc, fws_errname(rc),
		     code);
	free(text);
}

Test(json_channel, timestamp_role)
{
	struct fws_root root;
	char *out = NULL;
	size_t len;
	cr_assert_eq(fws_root_decode((const uint8_t *)root_ts, strlen(root_ts), &root), 0);
	cr_assert_eq(root.roles[FWS_ROLE_TIMESTAMP].n_keyids, 1);
	cr_assert_eq(fws_root_encode(&root, &out, &len), 0);
	cr_assert_eq(len, strlen(root_ts));
	cr_assert_eq(memcmp(out, root_ts, len), 0);
	free(out);
	/* zero threshold, too high a threshold, no key, an unknown key: errors */
	expect_root("\"keyids\":[\"" ID2 "\"],\"threshold\":1",
		    "\"keyids\":[\"" ID2 "\"],\"threshold\":0", FWS_ETHRESHOLDDEF);
	expect_root("\"keyids\":[\"" ID2 "\"],\"threshold\":1",
		    "\"keyids\":[\"" ID2 "\"],\"threshold\":2", FWS_ETHRESHOLDDEF);
	expect_root("\"keyids\":[\"" ID2 "\"],\"threshold\":1", "\"keyids\":[],\"threshold\":0",
		    FWS_ESCHEMA);
	expect_root("\"timestamp\":{\"keyids\":[\"" ID2 "\"]",
		    "\"timestamp\":{\"keyids\":[\"" H64 "\"]", FWS_ESCHEMA);
	expect_root(",\"threshold\":1}},", "}},", FWS_ESCHEMA);
	/* an unknown role is not a role nobody checks */
	expect_root("\"timestamp\":", "\"mirror\":", FWS_ESCHEMA);
	/* without it: a root as before, encoded as before, signing no channel */
	expect_root(",\"timestamp\":{\"keyids\":[\"" ID2 "\"],\"threshold\":1}", "", 0);
}

#include "fwseal/sysconf.h"

#define CONF_BASE                                                                                  \
	"[system]\nhardware-id = hw-a\ntrusted-root = /etc/fwseal/root.json\n"                     \
	"state-dir = /var/lib/fwseal\nbootloader = dir\n"                                          \
	"[slot.rootfs.1]\nclass = rootfs\ndevice = /nonexistent/disk\noffset = 1M\n"               \
	"size = 1M\nbootname = B\n"                                                                \
	"[slot.rootfs.0]\nclass = rootfs\ndevice = /nonexistent/disk\noffset = 0\n"                \
	"size = 1M\nbootname = A\n"

static int parse_conf(const char *channel, struct fws_sysconf *conf)
{
	char text[2048];
	snprintf(text, sizeof(text), "%s%s", CONF_BASE, channel);
	return fws_sysconf_parse(text, strlen(text), "t.conf", conf);
}

Test(json_channel, sysconf_channel_section)
{
	static struct fws_sysconf conf;
	cr_assert_eq(parse_conf("", &conf), 0, "%s", fws_diag_last()->why);
	cr_assert_str_eq(conf.channel_url, "");
	cr_assert_eq(
	    parse_conf("[channel]\nurl = https://u.example/stable.json\nname = stable\n", &conf), 0,
	    "%s", fws_diag_last()->why);
	cr_assert_str_eq(conf.channel_url, "https://u.example/stable.json");
	cr_assert_str_eq(conf.channel_name, "stable");
	/* plain http, a bad name, an unknown key, half a section: refused */
	cr_expect_eq(parse_conf("[channel]\nurl = http://u.example/s.json\nname = stable\n", &conf),
		     FWS_ECONFIG);
	cr_expect_eq(parse_conf("[channel]\nurl = https://u.example/s.json\nname = a b\n", &conf),
		     FWS_ECONFIG);
	cr_expect_eq(
	    parse_conf("[channel]\nurl = https://u/s.json\nname = s\npercent = 5\n", &conf),
	    FWS_ECONFIG);
	cr_expect_eq(parse_conf("[channel]\nname = stable\n", &conf), FWS_ECONFIG);
	cr_expect_eq(parse_conf("[channel]\nurl = https://u/s.json\n", &conf), FWS_ECONFIG);
	cr_expect_eq(
	    parse_conf("[channel]\nurl = https://u/a\nurl = https://u/b\nname = s\n", &conf),
	    FWS_ECONFIG);
}

#include "fwseal/state.h"

/* State format 6 (docs/format.md §10.1): written only with a channel, read
 * back exactly, and strict both ways; with a pending release's digest
 * (format 5's line) too. */
Test(json_channel, state_format_6)
{
	struct fws_device_state st, back;
	char buf[FWS_STATE_MAX], *text;
	size_t len;
	memset(&st, 0, sizeof(st));
	strcpy(st.hardware_id, "hw-a");
	strcpy(st.device_id, "dev-1");
	st.root_version = 1;
	st.confirmed_slot = 'a';
	st.pending_slot = '-';
	cr_assert_eq(fws_state_encode(&st, buf, sizeof(buf), &len), 0);
	cr_assert_eq(strncmp(buf, "fwseal-state 3\n", 15), 0, "no channel: format 3");
	strcpy(st.channel_name, "stable");
	st.channel_version = 7;
	memset(st.channel_sha256, 0xab, 32);
	st.channel_created = 1000;
	st.channel_expires = 2000;
	strcpy(st.channel_boot_id, "0123456789abcdef0123456789abcdef");
	st.channel_uptime = 42;
	cr_assert_eq(fws_state_encode(&st, buf, sizeof(buf), &len), 0);
	cr_assert_eq(strncmp(buf, "fwseal-state 6\n", 15), 0);
	cr_assert_eq(fws_state_decode((const uint8_t *)buf, len, &back), 0);
	cr_expect_eq(back.channel_version, 7);
	cr_expect_str_eq(back.channel_boot_id, st.channel_boot_id);
	cr_expect_eq(back.channel_uptime, 42);
	cr_expect_eq(memcmp(back.channel_sha256, st.channel_sha256, 32), 0);
	/* a format-6 file read as 3 or 5: refused (lines they do not know) */
	buf[13] = '3';
	cr_expect_eq(fws_state_decode((const uint8_t *)buf, len, &back), FWS_ESTATE);
	buf[13] = '5';
	cr_expect_eq(fws_state_decode((const uint8_t *)buf, len, &back), FWS_ESTATE);
	buf[13] = '6';
	/* a channel and a pending release: both kept, in one encoding */
	st.pending_slot = 'b';
	memset(st.pending_manifest, 0x5a, 32);
	cr_assert_eq(fws_state_encode(&st, buf, sizeof(buf), &len), 0);
	cr_assert_eq(strncmp(buf, "fwseal-state 6\n", 15), 0);
	cr_assert_neq(strstr(buf, "pending_manifest 5a5a"), NULL);
	cr_assert_eq(fws_state_decode((const uint8_t *)buf, len, &back), 0);
	cr_expect_eq(memcmp(back.pending_manifest, st.pending_manifest, 32), 0);
	cr_expect_eq(back.channel_version, 7);
	buf[13] = '5'; /* format 5 has no channel lines */
	cr_expect_eq(fws_state_decode((const uint8_t *)buf, len, &back), FWS_ESTATE);
	st.pending_slot = '-';
	memset(st.pending_manifest, 0, 32);
	cr_assert_eq(fws_state_encode(&st, buf, sizeof(buf), &len), 0);
	/* half a channel, expires not after created, a bad boot id: refused */
	st.channel_expires = 1000;
	cr_expect_neq(fws_state_encode(&st, buf, sizeof(buf), &len), 0);
	st.channel_expires = 2000;
	strcpy(st.channel_boot_id, "0123");
	cr_expect_neq(fws_state_encode(&st, buf, sizeof(buf), &len), 0);
	strcpy(st.channel_boot_id, "-");
	cr_expect_eq(fws_state_encode(&st, buf, sizeof(buf), &len), 0);
	st.channel_version = 0;
	cr_expect_neq(fws_state_encode(&st, buf, sizeof(buf), &len), 0);
	(void)text;
}
