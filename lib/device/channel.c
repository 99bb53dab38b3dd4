/* SPDX-License-Identifier: Apache-2.0 */
/* The device's side of signed channels (fwseal/channel.h, docs/fleet.md):
 * accept a channel into the state, advance the root chain from roots served
 * beside it, and bound the time by what the device saw plus its uptime.
 *
 * A stale channel is an alarm, never a brick: it is refused with its own
 * status (FWS_ECHANNELSTALE) and recorded, and nothing else changes; the
 * running image and every other operation go on as before. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device/lifecycle.h"
#include "fwseal/channel.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/root.h"
#include "io/io.h"

void fws_device_uptime(char boot_id[FWS_BOOT_ID_MAX + 1], uint64_t *uptime)
{
	char raw[64];
	size_t n = 0, k = 0;
	struct timespec ts;
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	strcpy(boot_id, "-");
	*uptime = 0;
	if (f != NULL) {
		n = fread(raw, 1, sizeof(raw) - 1, f);
		fclose(f);
	}
	/* 8-4-4-4-12 hex with dashes and a newline: keep the 32 hex digits,
	 * anything else means "no boot id". */
	for (size_t i = 0; i < n && k <= FWS_BOOT_ID_MAX; i++) {
		char ch = raw[i];
		if (ch == '-' || ch == '\n')
			continue;
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) ||
		    k == FWS_BOOT_ID_MAX) {
			k = 0;
			break;
		}
		boot_id[k++] = ch;
	}
	if (k != FWS_BOOT_ID_MAX) {
		strcpy(boot_id, "-");
		return;
	}
	boot_id[k] = '\0';
	/* CLOCK_BOOTTIME goes on through suspend; the time a device slept
	 * still passed for the channel. */
	if (clock_gettime(CLOCK_BOOTTIME, &ts) == 0 && ts.tv_sec >= 0)
		*uptime = (uint64_t)ts.tv_sec;
	else
		strcpy(boot_id, "-");
}

int64_t fws_device_channel_time(const struct fws_device *dev, const struct fws_device_state *st,
				const char *boot_id, uint64_t uptime)
{
	int64_t now = st->highest_created, clock_now;
	if (dev->clock.now != NULL && dev->clock.now(dev->clock.ctx, &clock_now) == 0 &&
	    clock_now > now)
		now = clock_now;
	if (st->channel_version == 0 || strcmp(boot_id, "-") == 0)
		return now > st->channel_created ? now : st->channel_created;
	/* The channel was accepted at uptime channel_uptime of boot
	 * channel_boot_id, no earlier than its created: in the same boot the
	 * time since is the uptime difference; after a reboot at least this
	 * boot's whole uptime. */
	uint64_t since = 0;
	if (strcmp(boot_id, st->channel_boot_id) == 0)
		since = uptime >= st->channel_uptime ? uptime - st->channel_uptime : 0;
	else
		since = uptime;
	if (since > (uint64_t)(INT64_MAX - st->channel_created))
		since = (uint64_t)(INT64_MAX - st->channel_created);
	int64_t bound = st->channel_created + (int64_t)since;
	return bound > now ? bound : now;
}

int fws_device_root_advance(struct fws_device *dev, const uint8_t *json, size_t len,
			    uint64_t *version)
{
	struct fws_root *cur = malloc(sizeof(*cur)), *next = malloc(sizeof(*next));
	struct fws_envelope *env = malloc(sizeof(*env));
	char detail[64] = "";
	uint64_t old = 0;
	struct op o;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = cur == NULL || next == NULL || env == NULL ? FWS_ENOMEM : fws_op_begin(dev, &o);
	if (rc != 0)
		goto out;
	int begun = 1;
	rc = fws_op_load_root(dev, &o.st, cur, env);
	if (rc == 0) {
		old = cur->version;
		rc = fws_root_advance(cur, json, len, env, next);
		if (rc != 0 && fws_diag_last()->code != rc)
			(void)fws_diag_set(
			    rc, 0, NULL,
			    "not root v%llu signed by the trusted root's keys and its "
			    "own",
			    (unsigned long long)old + 1);
	}
	if (rc == 0) {
		char *enc = NULL;
		size_t enc_len;
		/* The root first, then the state: a crash between leaves a root
		 * one step newer than the state says, which every load accepts. */
		rc = fws_envelope_encode(env, &enc, &enc_len);
		if (rc == 0)
			rc = dev->store.save_root(dev->store.ctx, (const uint8_t *)enc, enc_len);
		free(enc);
	}
	if (rc == 0) {
		o.st.root_version = cur->version;
		if (cur->created > o.st.highest_created)
			o.st.highest_created = cur->created;
		rc = fws_op_save(&o);
		snprintf(detail, sizeof(detail), "trusted root v%llu -> v%llu",
			 (unsigned long long)old, (unsigned long long)cur->version);
	}
	if (begun)
		fws_op_record(&o, "root", rc, rc == 0 ? detail : NULL, NULL, 0, 0, NULL, &rc);
	if (rc == 0 && version != NULL)
		*version = cur->version;
out:
	fws_op_end(&o);
	free(cur);
	free(next);
	free(env);
	return rc;
}

/* Names what a refusal broke, in the words of docs/fleet.md. */
static int explain(int rc, const struct fws_channel *ch, const struct op *o, int64_t now,
		   const char *name)
{
	char a[21], b[21];
	switch (rc) {
	case FWS_ESCHEMA:
		return fws_diag_set(rc, 0, "channel",
				    "\"%s\" is not the channel this device follows (\"%s\")",
				    ch->name, name);
	case FWS_EHARDWARE:
		return fws_diag_set(rc, 0, "hardware", "does not list this device's hardware %s",
				    o->st.hardware_id);
	case FWS_ECHANNELROLLBACK:
		if (ch->version < o->st.channel_version)
			return fws_diag_set(rc, 0, "version",
					    "%llu is older than the channel v%llu accepted before "
					    "(a replay)",
					    (unsigned long long)ch->version,
					    (unsigned long long)o->st.channel_version);
		return fws_diag_set(rc, 0, "version",
				    "%llu was accepted before with other contents (one version, "
				    "one channel)",
				    (unsigned long long)ch->version);
	case FWS_ECHANNELSTALE:
		if (fws_time_format(ch->expires, a) != 0 || fws_time_format(now, b) != 0)
			return fws_diag_set(rc, 0, "expires", "passed");
		return fws_diag_set(rc, 0, "expires",
				    "%s has passed (the device's time is at least %s): the "
				    "publisher has not re-signed the channel, or a mirror serves "
				    "an old one",
				    a, b);
	default:
		return rc;
	}
}

int fws_device_channel_accept(struct fws_device *dev, const uint8_t *json, size_t len,
			      const char *expected_name, struct fws_channel_result *out)
{
	struct fws_root *root = malloc(sizeof(*root));
	struct fws_envelope *env = malloc(sizeof(*env));
	struct fws_channel *ch = &out->channel;
	char boot_id[FWS_BOOT_ID_MAX + 1], detail[FWS_DIAG_WHERE_MAX + FWS_DIAG_WHY_MAX + 4] = "";
	uint64_t uptime;
	struct op o;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&o, 0, sizeof(o));
	rc = root == NULL || env == NULL || expected_name == NULL ? FWS_ENOMEM
								  : fws_op_begin(dev, &o);
	if (rc != 0)
		goto out;
	int begun = 1;
	fws_device_uptime(boot_id, &uptime);
	rc = fws_op_load_root(dev, &o.st, root, env);
	if (rc == 0)
		rc = fws_channel_load(json, len, root, ch, out->sha256);
	if (rc == 0 && (rc = fws_channel_check_device(ch, expected_name, o.st.hardware_id)) != 0)
		rc = explain(rc, ch, &o, 0, expected_name);
	if (rc == 0 && o.st.channel_version != 0 && strcmp(o.st.channel_name, ch->name) != 0)
		rc = fws_diag_set(FWS_ESCHEMA, 0, "channel",
				  "\"%s\" is not the channel this device follows (\"%s\")",
				  ch->name, o.st.channel_name);
	if (rc == 0 && (rc = fws_channel_check_version(ch, out->sha256, o.st.channel_version,
						       o.st.channel_sha256, &out->same)) != 0)
		rc = explain(rc, ch, &o, 0, expected_name);
	if (rc == 0) {
		out->now = fws_device_channel_time(dev, &o.st, boot_id, uptime);
		/* Its own signed created is a lower bound too. */
		if (ch->created > out->now)
			out->now = ch->created;
		if ((rc = fws_channel_check_fresh(ch, out->now)) != 0)
			rc = explain(rc, ch, &o, out->now, expected_name);
	}
	if (rc == 0 && !out->same) {
		/* One save: the new version can never be half stored, and a
		 * crash before it leaves the old channel, which the same
		 * channel is then accepted over again. */
		strcpy(o.st.channel_name, ch->name);
		o.st.channel_version = ch->version;
		memcpy(o.st.channel_sha256, out->sha256, 32);
		o.st.channel_created = ch->created;
		o.st.channel_expires = ch->expires;
		strcpy(o.st.channel_boot_id, boot_id);
		o.st.channel_uptime = strcmp(boot_id, "-") == 0 ? 0 : uptime;
		rc = fws_op_save(&o);
	}
	if (rc == 0) {
		if (fws_channel_cohort(ch->rollout.salt, o.st.device_id, &out->bucket) != 0)
			rc = FWS_EINTERNAL;
		out->in_rollout = rc == 0 && out->bucket < ch->rollout.percent &&
				  out->now >= ch->rollout.not_before;
		for (int i = 0; i < 2; i++) {
			const struct fws_slot_info *si = &o.st.slots[i];
			char set = i == 0 ? 'a' : 'b';
			if ((set == o.st.confirmed_slot || set == o.st.pending_slot) &&
			    strcmp(si->version, ch->release_version) == 0 &&
			    si->security_version == ch->security_version)
				out->installed = set;
		}
	}
	if (rc == 0 && out->same)
		goto out; /* polled again, nothing new: no log line per poll */
	char exp[21];
	if (rc == 0 && fws_time_format(ch->expires, exp) != 0)
		strcpy(exp, "?");
	if (rc == 0)
		snprintf(detail, sizeof(detail), "%s v%llu, expires %s, rollout %u%%, bucket %u",
			 ch->name, (unsigned long long)ch->version, exp,
			 (unsigned)ch->rollout.percent, (unsigned)out->bucket);
	else if (fws_diag_last()->code == rc)
		snprintf(detail, sizeof(detail), "%s%s%s", fws_diag_last()->where,
			 fws_diag_last()->where[0] ? ": " : "", fws_diag_last()->why);
	if (begun) {
		struct fws_diag saved = *fws_diag_last();
		fws_op_record(&o, "channel", rc, detail[0] ? detail : NULL,
			      ch->release_version[0] ? ch->release_version : NULL,
			      ch->security_version, 0,
			      ch->release_version[0] ? ch->manifest_sha256 : NULL, &rc);
		if (rc != 0 && saved.code == rc)
			fws_diag_restore(&saved);
	}
out:
	fws_op_end(&o);
	free(root);
	free(env);
	return rc;
}
