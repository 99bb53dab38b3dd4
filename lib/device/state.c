/* SPDX-License-Identifier: Apache-2.0 */
/* Device state encoding: a small text file ending in a SHA-256 line over
 * everything before it. Decoding accepts exactly one encoding (the state is
 * re-encoded and compared byte for byte), so there is no second way to
 * write the same state and nothing unchecked can hide in it. Any doubt is
 * FWS_ESTATE: a device must never fall back to "nothing installed, counter
 * 0", which would reopen rollback. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/state.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/manifest.h"
#include "fwseal/policy.h"
#include "fwseal/sha256.h"

#define STATE_MAGIC "fwseal-state 3\n"
/* Format 4 is format 3 and one more line, floor_confirming: written only
 * while a confirmation raises the hardware floor, so a device that never
 * uses one keeps writing format 3 and every format-3 file still reads. */
#define STATE_MAGIC_4 "fwseal-state 4\n"
/* Format 5 adds pending_manifest (after floor_confirming, if any): written
 * while an install's release is pending, so that a `recover` line can name
 * the release by its manifest digest (docs/format.md 10.1). */
#define STATE_MAGIC_5 "fwseal-state 5\n"

static int has_pending_manifest(const struct fws_device_state *st)
{
	for (size_t i = 0; i < sizeof(st->pending_manifest); i++)
		if (st->pending_manifest[i] != 0)
			return 1;
	return 0;
}

/* Format 6 is format 4 (floor_confirming always, 0 = none), the digest of
 * format 5 if a release is pending, and the signed channel the device
 * follows: written only once it accepted one, so a device without
 * channels keeps writing format 3, 4 or 5. */
#define STATE_MAGIC_6 "fwseal-state 6\n"

static int boot_id_valid(const char *s)
{
	size_t n = strlen(s);
	if (n != FWS_BOOT_ID_MAX && !(n == 1 && s[0] == '-'))
		return 0;
	for (size_t i = 0; n == FWS_BOOT_ID_MAX && i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int slot_ok(char s)
{
	return s == 'a' || s == 'b';
}

static int slot_index(char s)
{
	return s == 'b' ? 1 : 0;
}

static int valid_state(const struct fws_device_state *st)
{
	if (!fws_name_valid(st->hardware_id) || !fws_name_valid(st->device_id) ||
	    st->root_version < 1 || st->root_version > FWS_SIZE_MAX ||
	    st->security_version > FWS_SIZE_MAX || st->generation > FWS_SIZE_MAX ||
	    st->installs > FWS_SIZE_MAX || !slot_ok(st->confirmed_slot) ||
	    (st->pending_slot != '-' && !slot_ok(st->pending_slot)) ||
	    st->pending_slot == st->confirmed_slot || st->log_seq > FWS_SIZE_MAX ||
	    st->highest_created < 0 || st->permit_floor < 0)
		return FWS_ESTATE;
	/* A confirmation under way confirms the pending set, raising the
	 * counter to exactly that set's security_version: anything else is
	 * not a state fwseal wrote. */
	if (st->floor_confirming != 0 &&
	    (st->pending_slot == '-' ||
	     st->slots[slot_index(st->pending_slot)].security_version !=
		     st->floor_confirming ||
	     st->floor_confirming <= st->security_version || st->floor_confirming > FWS_SIZE_MAX))
		return FWS_ESTATE;
	/* A channel is all of its lines or none of them. */
	if (st->channel_version == 0 &&
	    (st->channel_name[0] != '\0' || st->channel_created != 0 || st->channel_expires != 0 ||
	     st->channel_boot_id[0] != '\0' || st->channel_uptime != 0))
		return FWS_ESTATE;
	if (st->channel_version != 0 &&
	    (st->channel_version > FWS_SIZE_MAX || !fws_name_valid(st->channel_name) ||
	     st->channel_created < 0 || st->channel_expires <= st->channel_created ||
	     !boot_id_valid(st->channel_boot_id) || st->channel_uptime > FWS_SIZE_MAX))
		return FWS_ESTATE;
	/* A digest names the release of the pending set; with none pending,
	 * a digest would name nothing. */
	if (has_pending_manifest(st) && st->pending_slot == '-')
		return FWS_ESTATE;
	for (int i = 0; i < 2; i++) {
		const struct fws_slot_info *s = &st->slots[i];
		if ((s->version[0] != '\0' && !fws_semver_valid(s->version)) ||
		    s->security_version > FWS_SIZE_MAX)
			return FWS_ESTATE;
	}
	return 0;
}

int fws_state_encode(const struct fws_device_state *st, char *buf, size_t cap, size_t *len)
{
	uint8_t digest[32];
	char hex[65];
	int rc = valid_state(st);
	if (rc != 0)
		return rc;
	int n = snprintf(
		buf, cap,
		"%s"
		"generation %" PRIu64 "\nhardware_id %s\ndevice_id %s\n"
			    "root_version %" PRIu64 "\nsecurity_version %" PRIu64 "\n"
			    "confirmed_slot %c\npending_slot %c\n"
			    "slot_a_version %s\nslot_a_security_version %" PRIu64 "\n"
			    "slot_b_version %s\nslot_b_security_version %" PRIu64 "\n"
			    "highest_created %" PRId64 "\npermit_floor %" PRId64 "\n"
			    "installs %" PRIu64 "\nlog_seq %" PRIu64 "\n",
		st->channel_version != 0    ? STATE_MAGIC_6
		: has_pending_manifest(st) ? STATE_MAGIC_5
		: st->floor_confirming != 0 ? STATE_MAGIC_4
					    : STATE_MAGIC,
		st->generation,
		st->hardware_id, st->device_id, st->root_version,
		st->security_version, st->confirmed_slot, st->pending_slot,
		st->slots[0].version[0] ? st->slots[0].version : "-", st->slots[0].security_version,
		st->slots[1].version[0] ? st->slots[1].version : "-", st->slots[1].security_version,
		st->highest_created, st->permit_floor, st->installs, st->log_seq);
	if (n >= 0 && (size_t)n < cap && (st->floor_confirming != 0 || st->channel_version != 0)) {
		int k = snprintf(buf + n, cap - (size_t)n, "floor_confirming %" PRIu64 "\n",
				 st->floor_confirming);
		n = k < 0 ? k : n + k;
	}
	if (n >= 0 && (size_t)n < cap && has_pending_manifest(st)) {
		fws_hex_encode(hex, st->pending_manifest, sizeof(st->pending_manifest));
		int k = snprintf(buf + n, cap - (size_t)n, "pending_manifest %s\n", hex);
		n = k < 0 ? k : n + k;
	}
	if (n >= 0 && (size_t)n < cap && st->channel_version != 0) {
		char ch_hex[65];
		fws_hex_encode(ch_hex, st->channel_sha256, 32);
		int k = snprintf(buf + n, cap - (size_t)n,
				 "channel_name %s\nchannel_version %" PRIu64 "\nchannel_sha256 %s\n"
				 "channel_created %" PRId64 "\nchannel_expires %" PRId64 "\n"
				 "channel_boot_id %s\nchannel_uptime %" PRIu64 "\n",
				 st->channel_name, st->channel_version, ch_hex, st->channel_created,
				 st->channel_expires, st->channel_boot_id, st->channel_uptime);
		n = k < 0 ? k : n + k;
	}
	if (n < 0 || (size_t)n + 72 >= cap)
		return FWS_ELIMIT;
	fws_sha256(buf, (size_t)n, digest);
	fws_hex_encode(hex, digest, sizeof(digest));
	int m = snprintf(buf + n, cap - (size_t)n, "sha256 %s\n", hex);
	if (m < 0 || (size_t)m >= cap - (size_t)n)
		return FWS_ELIMIT;
	*len = (size_t)n + (size_t)m;
	return 0;
}

/* Takes the value of "key value\n" at *p into out (cap bytes). */
static int take(const char **p, const char *end, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	if (nl == NULL || (size_t)(nl - *p) <= kl + 1 || strncmp(*p, key, kl) != 0 ||
	    (*p)[kl] != ' ')
		return FWS_ESTATE;
	size_t vl = (size_t)(nl - (*p + kl + 1));
	if (vl + 1 > cap || memchr(*p + kl + 1, '\0', vl) != NULL)
		return FWS_ESTATE;
	memcpy(out, *p + kl + 1, vl);
	out[vl] = '\0';
	*p = nl + 1;
	return 0;
}

static int take_u64(const char **p, const char *end, const char *key, uint64_t max,
		    uint64_t *out)
{
	char v[24];
	uint64_t x = 0;
	if (take(p, end, key, v, sizeof(v)) != 0 || (v[0] == '0' && v[1] != '\0'))
		return FWS_ESTATE;
	for (const char *s = v; *s; s++) {
		if (*s < '0' || *s > '9' || x > (max - (uint64_t)(*s - '0')) / 10)
			return FWS_ESTATE;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*out = x;
	return 0;
}

static int take_char(const char **p, const char *end, const char *key, char *out)
{
	char v[4];
	if (take(p, end, key, v, sizeof(v)) != 0 || v[1] != '\0')
		return FWS_ESTATE;
	*out = v[0];
	return 0;
}

static int take_version(const char **p, const char *end, const char *key, char *out,
			size_t cap)
{
	if (take(p, end, key, out, cap) != 0)
		return FWS_ESTATE;
	if (strcmp(out, "-") == 0)
		out[0] = '\0';
	return 0;
}

int fws_state_decode(const uint8_t *buf, size_t len, struct fws_device_state *st)
{
	char again[FWS_STATE_MAX];
	size_t again_len;
	uint64_t created, floor;
	const char *p = (const char *)buf, *end = p + len;
	struct fws_device_state s;
	memset(&s, 0, sizeof(s));
	int format4 = len >= sizeof(STATE_MAGIC_4) - 1 &&
		      memcmp(p, STATE_MAGIC_4, sizeof(STATE_MAGIC_4) - 1) == 0;
	int format5 = len >= sizeof(STATE_MAGIC_5) - 1 &&
		      memcmp(p, STATE_MAGIC_5, sizeof(STATE_MAGIC_5) - 1) == 0;
	int format6 = len >= sizeof(STATE_MAGIC_6) - 1 &&
		      memcmp(p, STATE_MAGIC_6, sizeof(STATE_MAGIC_6) - 1) == 0;
	char hex[65];
	if (len < sizeof(STATE_MAGIC) - 1 || len > FWS_STATE_MAX ||
	    (!format4 && !format5 && !format6 && memcmp(p, STATE_MAGIC, sizeof(STATE_MAGIC) - 1) != 0))
		return FWS_ESTATE;
	p += sizeof(STATE_MAGIC) - 1;
	if (take_u64(&p, end, "generation", FWS_SIZE_MAX, &s.generation) ||
	    take(&p, end, "hardware_id", s.hardware_id, sizeof(s.hardware_id)) ||
	    take(&p, end, "device_id", s.device_id, sizeof(s.device_id)) ||
	    take_u64(&p, end, "root_version", FWS_SIZE_MAX, &s.root_version) ||
	    take_u64(&p, end, "security_version", FWS_SIZE_MAX, &s.security_version) ||
	    take_char(&p, end, "confirmed_slot", &s.confirmed_slot) ||
	    take_char(&p, end, "pending_slot", &s.pending_slot) ||
	    take_version(&p, end, "slot_a_version", s.slots[0].version,
			 sizeof(s.slots[0].version)) ||
	    take_u64(&p, end, "slot_a_security_version", FWS_SIZE_MAX,
		     &s.slots[0].security_version) ||
	    take_version(&p, end, "slot_b_version", s.slots[1].version,
			 sizeof(s.slots[1].version)) ||
	    take_u64(&p, end, "slot_b_security_version", FWS_SIZE_MAX,
		     &s.slots[1].security_version) ||
	    take_u64(&p, end, "highest_created", INT64_MAX, &created) ||
	    take_u64(&p, end, "permit_floor", INT64_MAX, &floor) ||
	    take_u64(&p, end, "installs", FWS_SIZE_MAX, &s.installs) ||
	    take_u64(&p, end, "log_seq", FWS_SIZE_MAX, &s.log_seq))
		return FWS_ESTATE;
	/* Format 4 has the line, and a value that is not 0 (a 0 would be
	 * format 3: one state, one encoding; the re-encoding below checks). */
	if ((format4 || format6) &&
	    take_u64(&p, end, "floor_confirming", FWS_SIZE_MAX, &s.floor_confirming))
		return FWS_ESTATE;
	/* Format 5: floor_confirming only if under way, then the digest. */
	if (format5 && (size_t)(end - p) > 17 && memcmp(p, "floor_confirming ", 17) == 0 &&
	    take_u64(&p, end, "floor_confirming", FWS_SIZE_MAX, &s.floor_confirming))
		return FWS_ESTATE;
	if ((format5 || (format6 && (size_t)(end - p) > 17 &&
			  memcmp(p, "pending_manifest ", 17) == 0)) &&
	    (take(&p, end, "pending_manifest", hex, sizeof(hex)) != 0 ||
			strlen(hex) != 64 ||
			fws_hex_decode_exact(s.pending_manifest, sizeof(s.pending_manifest), hex) != 0))
		return FWS_ESTATE;
	if (format6) {
		uint64_t ccreated, cexpires;
		if (take(&p, end, "channel_name", s.channel_name, sizeof(s.channel_name)) ||
		    take_u64(&p, end, "channel_version", FWS_SIZE_MAX, &s.channel_version) ||
		    take(&p, end, "channel_sha256", hex, sizeof(hex)) ||
		    fws_hex_decode_exact(s.channel_sha256, 32, hex) != 0 ||
		    take_u64(&p, end, "channel_created", INT64_MAX, &ccreated) ||
		    take_u64(&p, end, "channel_expires", INT64_MAX, &cexpires) ||
		    take(&p, end, "channel_boot_id", s.channel_boot_id,
			 sizeof(s.channel_boot_id)) ||
		    take_u64(&p, end, "channel_uptime", FWS_SIZE_MAX, &s.channel_uptime))
			return FWS_ESTATE;
		s.channel_created = (int64_t)ccreated;
		s.channel_expires = (int64_t)cexpires;
	}
	s.highest_created = (int64_t)created;
	s.permit_floor = (int64_t)floor;
	/* The checksum line and the exact bytes: re-encode and compare. */
	if (fws_state_encode(&s, again, sizeof(again), &again_len) != 0 || again_len != len ||
	    memcmp(again, buf, len) != 0)
		return FWS_ESTATE;
	*st = s;
	return 0;
}
