/* SPDX-License-Identifier: Apache-2.0 */
/* The rollback floor's pieces that need no TPM (docs/rollback-floor.md):
 * the state's format 4 (a confirmation under way) decodes strictly, and
 * format 3 is still read and written as before; the [floor] section
 * parses each value exactly; the port's read never turns an error into
 * "floor 0". */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fwseal/diag.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/floor.h"
#include "fwseal/sha256.h"
#include "fwseal/state.h"
#include "fwseal/sysconf.h"

/* A state with 2.0.0 (security_version 2) pending in b. */
static struct fws_device_state pending_state(void)
{
	struct fws_device_state st;
	memset(&st, 0, sizeof(st));
	st.generation = 7;
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
	st.highest_created = 1700000000;
	return st;
}

/* body + its checksum line: a state that decodes only if its content is
 * exactly what the encoder would write. */
static size_t seal(const char *body, char *out, size_t cap)
{
	uint8_t digest[32];
	char hex[65];
	fws_sha256(body, strlen(body), digest);
	fws_hex_encode(hex, digest, sizeof(digest));
	int n = snprintf(out, cap, "%ssha256 %s\n", body, hex);
	cr_assert(n > 0 && (size_t)n < cap);
	return (size_t)n;
}

/* The encoding of st without its checksum line. */
static void body_of(const struct fws_device_state *st, char *body, size_t cap)
{
	size_t len;
	cr_assert_eq(fws_state_encode(st, body, cap, &len), 0);
	char *sum = strstr(body, "sha256 ");
	cr_assert_not_null(sum);
	*sum = '\0';
}

static int decode_text(const char *body)
{
	char buf[FWS_STATE_MAX];
	struct fws_device_state st;
	size_t len = seal(body, buf, sizeof(buf));
	return fws_state_decode((const uint8_t *)buf, len, &st);
}

/* Replaces the first `from` in text by `to` (in place, cap bytes). */
static void edit(char *text, size_t cap, const char *from, const char *to)
{
	char *at = strstr(text, from);
	cr_assert_not_null(at, "%s not in the state", from);
	char rest[FWS_STATE_MAX];
	snprintf(rest, sizeof(rest), "%s", at + strlen(from));
	snprintf(at, cap - (size_t)(at - text), "%s%s", to, rest);
}

/* req: REQ-FLOOR-003 */
Test(device_floor, state_without_confirmation_stays_format_3)
{
	struct fws_device_state st = pending_state(), back;
	char buf[FWS_STATE_MAX];
	size_t len;
	cr_assert_eq(fws_state_encode(&st, buf, sizeof(buf), &len), 0);
	cr_assert_eq(strncmp(buf, "fwseal-state 3\n", 15), 0);
	cr_assert_null(strstr(buf, "floor_confirming"));
	cr_assert_eq(fws_state_decode((const uint8_t *)buf, len, &back), 0);
	cr_assert_eq(back.floor_confirming, 0);
}

/* req: REQ-FLOOR-003 */
Test(device_floor, confirming_state_is_format_4_and_round_trips)
{
	struct fws_device_state st = pending_state(), back;
	char buf[FWS_STATE_MAX];
	size_t len;
	st.floor_confirming = 2;
	cr_assert_eq(fws_state_encode(&st, buf, sizeof(buf), &len), 0);
	cr_assert_eq(strncmp(buf, "fwseal-state 4\n", 15), 0);
	cr_assert_not_null(strstr(buf, "\nlog_seq 0\nfloor_confirming 2\nsha256 "));
	cr_assert_eq(fws_state_decode((const uint8_t *)buf, len, &back), 0);
	cr_assert_eq(back.floor_confirming, 2);
	cr_assert_eq(memcmp(&back, &st, sizeof(st)), 0);
}

/* Each a state fwseal never writes, with a valid checksum: refused. */
/* req: REQ-FLOOR-003, REQ-LIFE-004 */
Test(device_floor, format_4_is_decoded_strictly)
{
	struct fws_device_state st = pending_state();
	char v3[FWS_STATE_MAX], v4[FWS_STATE_MAX], t[FWS_STATE_MAX];
	body_of(&st, v3, sizeof(v3));
	st.floor_confirming = 2;
	body_of(&st, v4, sizeof(v4));
	cr_assert_eq(decode_text(v3), 0);
	cr_assert_eq(decode_text(v4), 0);

	/* format 4 with nothing under way: format 3 is its one encoding */
	snprintf(t, sizeof(t), "%s", v4);
	edit(t, sizeof(t), "floor_confirming 2", "floor_confirming 0");
	cr_assert_eq(decode_text(t), FWS_ESTATE, "format 4, confirming 0");
	/* format 4 without its line */
	snprintf(t, sizeof(t), "%s", v3);
	edit(t, sizeof(t), "fwseal-state 3", "fwseal-state 4");
	cr_assert_eq(decode_text(t), FWS_ESTATE, "format 4 without floor_confirming");
	/* format 3 with the line */
	snprintf(t, sizeof(t), "%s", v4);
	edit(t, sizeof(t), "fwseal-state 4", "fwseal-state 3");
	cr_assert_eq(decode_text(t), FWS_ESTATE, "format 3 with floor_confirming");
	/* a number with a leading zero, a sign, a space */
	const char *bad[] = {"floor_confirming 02",
			     "floor_confirming +2",
			     "floor_confirming  2",
			     "floor_confirming 2 ",
			     "floor_confirming",
			     "floor_confirmed 2",
			     "floor_confirming 18446744073709551617"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(t, sizeof(t), "%s", v4);
		edit(t, sizeof(t), "floor_confirming 2", bad[i]);
		cr_assert_eq(decode_text(t), FWS_ESTATE, "%s", bad[i]);
	}
	/* a line after it */
	snprintf(t, sizeof(t), "%s", v4);
	edit(t, sizeof(t), "floor_confirming 2\n", "floor_confirming 2\nextra 1\n");
	cr_assert_eq(decode_text(t), FWS_ESTATE, "a line after floor_confirming");
	/* format 5 */
	snprintf(t, sizeof(t), "%s", v4);
	edit(t, sizeof(t), "fwseal-state 4", "fwseal-state 5");
	cr_assert_eq(decode_text(t), FWS_ESTATE, "format 5");
}

/* Confirming is only ever the pending set's own security_version, above
 * the counter: a state saying otherwise would raise the floor to a value
 * no image has, or confirm a set that is not pending. */
/* req: REQ-FLOOR-003, REQ-LIFE-004 */
Test(device_floor, confirming_must_match_the_pending_set)
{
	struct fws_device_state st = pending_state();
	char buf[FWS_STATE_MAX], t[FWS_STATE_MAX];
	size_t len;
	st.floor_confirming = 3; /* not the pending set's 2 */
	cr_assert_eq(fws_state_encode(&st, buf, sizeof(buf), &len), FWS_ESTATE);
	st.floor_confirming = 1; /* not above the counter */
	cr_assert_eq(fws_state_encode(&st, buf, sizeof(buf), &len), FWS_ESTATE);
	st = pending_state();
	st.pending_slot = '-';
	st.floor_confirming = 2; /* nothing pending */
	cr_assert_eq(fws_state_encode(&st, buf, sizeof(buf), &len), FWS_ESTATE);

	/* the same, hand-written with a valid checksum */
	st = pending_state();
	st.floor_confirming = 2;
	body_of(&st, t, sizeof(t));
	edit(t, sizeof(t), "floor_confirming 2", "floor_confirming 3");
	cr_assert_eq(decode_text(t), FWS_ESTATE, "confirming another value");
	body_of(&st, t, sizeof(t));
	edit(t, sizeof(t), "pending_slot b", "pending_slot -");
	cr_assert_eq(decode_text(t), FWS_ESTATE, "confirming with nothing pending");
	body_of(&st, t, sizeof(t));
	edit(t, sizeof(t), "\nsecurity_version 1\n", "\nsecurity_version 2\n");
	cr_assert_eq(decode_text(t), FWS_ESTATE, "confirming what the counter already is");
}

static int failing_get(void *ctx, uint64_t *floor)
{
	(void)ctx;
	*floor = 0;
	return FWS_EFLOOR;
}

static int fixed_get(void *ctx, uint64_t *floor)
{
	*floor = *(const uint64_t *)ctx;
	return 0;
}

/* req: REQ-FLOOR-001, REQ-FLOOR-005 */
Test(device_floor, port_read_is_the_higher_and_never_hides_an_error)
{
	uint64_t held = 5, floor = 99;
	struct fws_floor none = {.name = "file"};
	struct fws_floor fixed = {.ctx = &held, .name = "t", .get = fixed_get};
	struct fws_floor broken = {.name = "t", .get = failing_get};
	cr_assert_eq(fws_floor_read(&none, 3, &floor), 0);
	cr_assert_eq(floor, 3);
	cr_assert_eq(fws_floor_read(&fixed, 3, &floor), 0);
	cr_assert_eq(floor, 5, "the port's floor above the state's");
	cr_assert_eq(fws_floor_read(&fixed, 8, &floor), 0);
	cr_assert_eq(floor, 8, "the state's floor above the port's");
	floor = 99;
	cr_assert_eq(fws_floor_read(&broken, 3, &floor), FWS_EFLOOR);
	cr_assert_eq(floor, 99, "nothing read on failure");
}

#define CONF                                                                                       \
	"[system]\nhardware-id = hw-a\ntrusted-root = /etc/fwseal/root.json\n"                     \
	"state-dir = /var/lib/fwseal\nbootloader = dir\n"                                          \
	"[slot.rootfs.0]\nclass = rootfs\ndevice = /nonexistent/disk\noffset = 0\n"                \
	"size = 1M\nbootname = A\n"                                                                \
	"[slot.rootfs.1]\nclass = rootfs\ndevice = /nonexistent/disk\noffset = 1M\n"               \
	"size = 1M\nbootname = B\n[floor]\n"

static int parse_floor(const char *lines, struct fws_sysconf *c)
{
	char text[4096];
	snprintf(text, sizeof(text), CONF "%s", lines);
	return fws_sysconf_parse(text, strlen(text), "t.conf", c);
}

/* req: REQ-CONF-001 */
Test(device_floor, floor_section_values)
{
	static struct fws_sysconf c;
	cr_assert_eq(parse_floor("", &c), 0);
	cr_assert_eq(c.floor, FWS_FLOOR_FILE, "an empty [floor] is the file floor");
	cr_assert_eq(
	    parse_floor("backend = tpm2\ntcti = swtpm:host=127.0.0.1,port=2321\n"
			"counter-index = 0x01000010\nbase-index = 16777233\nmax-step = 0\n",
			&c),
	    0, "%s", fws_diag_last()->why);
	cr_assert_eq(c.floor, FWS_FLOOR_TPM2);
	cr_assert_str_eq(c.floor_tcti, "swtpm:host=127.0.0.1,port=2321");
	cr_assert_eq(c.floor_counter_index, 0x01000010);
	cr_assert_eq(c.floor_base_index, 0x01000011);
	cr_assert_eq(c.floor_max_step, 0, "0 = no cap");
	cr_assert_eq(parse_floor("backend = command\nprogram = /usr/lib/fwseal/rpmb-floor\n"
				 "timeout = 5\n",
				 &c),
		     0);
	cr_assert_eq(c.floor_timeout_ms, 5000);
	cr_assert_eq(c.floor_max_step, FWS_FLOOR_MAX_STEP, "the default cap");
	const char *bad[] = {
	    "backend = tpm2\ntcti = device:/dev/tpmrm0\ncounter-index = 010\n",
	    "backend = tpm2\ntcti = device:/dev/tpmrm0\ncounter-index = 0x01c00000\n",
	    "backend = tpm2\ntcti = device:/dev/tpmrm0\ncounter-index = 0x1500f00 \n"
	    "base-index = 0x0x1\n",
	    "backend = tpm2\ntcti = device:/dev/tpmrm0\ncounter-index = -1\n",
	    "backend = tpm2\ntcti = device: /dev/tpmrm0\n",
	    "backend = TPM2\ntcti = device:/dev/tpmrm0\n",
	    "backend = command\nprogram = /bin/true\ntimeout = 0\n",
	    "backend = command\nprogram = /bin/true\ntimeout = 601\n",
	    "backend = tpm2\ntcti = device:/dev/tpmrm0\ntimeout = 5\n",
	    "backend = command\nprogram = /bin/true\ntcti = device:/dev/tpmrm0\n",
	    "backend = command\nprogram = /bin/true\nbase-index = 0x01000000\n",
	    "backend = command\nprogram = /bin/true\nowner-auth-file = /root/pw\n",
	    "backend = tpm2\ntcti = device:/dev/tpmrm0\nowner-auth-file = pw\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_floor(bad[i], &c), FWS_ECONFIG, "%s", bad[i]);
}
