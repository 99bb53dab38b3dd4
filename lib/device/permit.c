/* SPDX-License-Identifier: Apache-2.0 */
/* Downgrade permits: does a permit apply to this device and this bundle?
 * (codec: lib/bundle/permit_json.c; rules: docs/permits.md). Each refusal
 * names the condition that failed (fwseal/diag.h). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/encoding.h"
#include "fwseal/envelope.h"
#include "fwseal/error.h"
#include "fwseal/permit.h"
#include "io/io.h"

/* RFC 3339 of t into buf, "?" when it cannot be written. */
static const char *time_text(int64_t t, char buf[21])
{
	if (fws_time_format(t, buf) != 0)
		strcpy(buf, "?");
	return buf;
}

int fws_permit_check(const uint8_t *json, size_t len, const struct fws_root *root,
		     const struct fws_device_state *st, const struct fws_manifest *m,
		     const uint8_t manifest_body_sha256[32], int64_t now, struct fws_permit *out)
{
	struct fws_envelope *env = NULL;
	struct fws_permit p;
	const uint8_t *body;
	size_t body_len;
	int64_t floor_time;
	char t1[21], t2[21];
	int rc = FWS_EUSAGE;

	memset(&p, 0, sizeof(p));
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (json == NULL || root == NULL || st == NULL || m == NULL || manifest_body_sha256 == NULL)
		goto out;
	rc = FWS_ENOMEM;
	env = malloc(sizeof(*env));
	if (env == NULL)
		goto out;
	/* Signature before any field is looked at: an unsigned body is never
	 * parsed past the envelope. The type keeps a manifest or a root, even
	 * one signed by the same release keys, from passing as a permit. */
	rc = fws_envelope_decode(json, len, env);
	if (rc == 0)
		rc = fws_envelope_verify(env, FWS_TYPE_PERMIT, root, FWS_ROLE_RELEASE, NULL);
	if (rc != 0)
		goto out;
	rc = FWS_EINTERNAL;
	body = fws_envelope_body(env, &body_len);
	if (body == NULL)
		goto out;
	rc = fws_permit_decode(body, body_len, &p);
	if (rc != 0)
		goto out;

	/* Binding: this device (or its hardware), this exact signed manifest,
	 * this version. Each mismatch is "the permit does not apply". */
	rc = FWS_EPERMIT;
	if (p.device_id[0] != '\0' && strcmp(p.device_id, st->device_id) != 0) {
		(void)fws_diag_set(rc, 0, "device_id", "the permit is for device %s, this is %s",
				   p.device_id, st->device_id);
		goto out;
	}
	if (p.hardware_id[0] != '\0' && strcmp(p.hardware_id, st->hardware_id) != 0) {
		(void)fws_diag_set(rc, 0, "hardware_id",
				   "the permit is for hardware %s, this device is %s", p.hardware_id,
				   st->hardware_id);
		goto out;
	}
	if (strcmp(p.to_version, m->version) != 0) {
		(void)fws_diag_set(rc, 0, "to_version", "the permit allows %s, the bundle is %s",
				   p.to_version, m->version);
		goto out;
	}
	if (sodium_memcmp(p.manifest_sha256, manifest_body_sha256, 32) != 0) {
		(void)fws_diag_set(rc, 0, "manifest_sha256",
				   "the permit names another manifest than this bundle's");
		goto out;
	}
	/* Single use: a permit is spent by raising permit_floor to its
	 * `created`; it and every older permit are replays from then on. */
	if (p.created <= st->permit_floor) {
		(void)fws_diag_set(rc, 0, "created",
				   "replay: created %s, not newer than the last permit this device "
				   "used (created %s)",
				   time_text(p.created, t1), time_text(st->permit_floor, t2));
		goto out;
	}
	/* Expiry against the device's best time: its trusted clock (now) and
	 * the newest signed `created` it has seen, which time cannot be
	 * earlier than. With neither, expiry cannot be judged (never brick
	 * a device over a clock) and single use still holds. */
	floor_time = now > st->highest_created ? now : st->highest_created;
	rc = FWS_EEXPIRED;
	if (floor_time > 0 && floor_time > p.expires) {
		(void)fws_diag_set(rc, 0, "expires",
				   "the permit expired %s; the device's trusted time is %s",
				   time_text(p.expires, t1), time_text(floor_time, t2));
		goto out;
	}
	if (out != NULL)
		*out = p;
	rc = 0;
out:
	free(env);
	return rc;
}
