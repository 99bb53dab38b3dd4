/* SPDX-License-Identifier: Apache-2.0 */
/* The channel codec (fwseal/channel.h, docs/format.md §16): strict decoding
 * of a channel body, its canonical encoding, and loading a channel
 * envelope signed by the root's timestamp role.
 *
 * Body (canonical: keys sorted, compact):
 *   {"bundle_sha256":"<hex>","bundle_size":N,"channel":"stable",
 *    "created":"T","expires":"T","hardware":["hw",...],
 *    "locations":["https://...","oci://..."],"manifest_sha256":"<hex>",
 *    "product":"P","release_version":"V",
 *    "rollout":{"not_before":"T","percent":P,"salt":"<64 hex>"},
 *    "schema":1,"security_version":N,"version":N}
 * Every field is required and nothing else is allowed: a verifier that
 * skipped an unknown field could be told to ignore a rule it never knew. */
#include <stdlib.h>
#include <string.h>

#include "bundle/json_strict.h"
#include "fwseal/channel.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/manifest.h"
#include "fwseal/root.h"
#include "fwseal/sha256.h"
#include "io/io.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const channel_keys[] = {
    "schema",	     "channel",	    "version",	       "created",	   "expires",
    "product",	     "hardware",    "release_version", "security_version", "manifest_sha256",
    "bundle_sha256", "bundle_size", "locations",       "rollout"};
static const char *const rollout_keys[] = {"percent", "salt", "not_before"};

/* The invariants fws_channel_check refuses, named (the core only says
 * FWS_ESCHEMA); the decoder has checked each field's own syntax already. */
static int explain_check(const struct fws_channel *ch, int rc)
{
	char a[21], b[21];
	if (ch->expires <= ch->created) {
		if (fws_time_format(ch->expires, a) == 0 && fws_time_format(ch->created, b) == 0)
			return fws_diag_set(rc, 0, "expires", "%s is not after created %s", a, b);
		return fws_diag_set(rc, 0, "expires", "not after created");
	}
	for (size_t i = 0; i < ch->n_hardware; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(ch->hardware[i], ch->hardware[j]) == 0)
				return fws_diag_set(rc, 0, "hardware", "\"%s\" is listed twice",
						    ch->hardware[i]);
	for (size_t i = 0; i < ch->n_locations; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(ch->locations[i], ch->locations[j]) == 0)
				return fws_diag_set(rc, 0, "locations",
						    "entry %zu repeats entry %zu", i, j);
	return fws_diag_set(rc, 0, NULL,
			    "the channel's invariants do not hold (fws_channel_check)");
}

static int decode_hardware(const json_t *doc, struct fws_channel *ch)
{
	const json_t *arr;
	size_t n;
	int rc = fws_json_get_array(doc, "hardware", 1, FWS_MAX_HARDWARE, FWS_ELIMIT, &arr, &n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc =
		    fws_json_name(json_array_get(arr, i), ch->hardware[i], sizeof(ch->hardware[i]));
		if (rc != 0)
			return fws_json_within(fws_json_within(rc, "[%zu]", i), "hardware");
	}
	if (rc == 0)
		ch->n_hardware = n;
	return rc;
}

/* Each location: https:// or oci://, printable, at most
 * FWS_CHANNEL_URL_MAX - 1 bytes (fws_channel_check says the same). */
static int decode_locations(const json_t *doc, struct fws_channel *ch)
{
	char q[FWS_JSON_QUOTE_CAP];
	const json_t *arr;
	const char *s;
	size_t n, len;
	int rc = fws_json_get_array(doc, "locations", 1, FWS_CHANNEL_LOCATIONS_MAX, FWS_ELIMIT,
				    &arr, &n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = fws_json_string(json_array_get(arr, i), FWS_CHANNEL_URL_MAX - 1, FWS_ELIMIT,
				     &s, &len);
		if (rc != 0)
			return fws_json_within(fws_json_within(rc, "[%zu]", i), "locations");
		memcpy(ch->locations[i], s, len);
		ch->locations[i][len] = '\0';
		ch->n_locations = i + 1;
		if (strlen(ch->locations[i]) != len ||
		    !((len > 8 && strncmp(s, "https://", 8) == 0) ||
		      (len > 6 && strncmp(s, "oci://", 6) == 0)) ||
		    strpbrk(ch->locations[i], " \t\r\n\x7f") != NULL) {
			char where[32];
			snprintf(where, sizeof(where), "locations[%zu]", i);
			return fws_diag_set(FWS_ESCHEMA, 0, where,
					    "%s is not an https:// or oci:// URL",
					    fws_json_quote(q, s, len));
		}
		for (size_t k = 0; k < len; k++)
			if ((unsigned char)s[k] < 0x20 || (unsigned char)s[k] >= 0x7f) {
				char where[32];
				snprintf(where, sizeof(where), "locations[%zu]", i);
				return fws_diag_set(FWS_ESCHEMA, 0, where,
						    "a control or non-ASCII byte in a URL");
			}
	}
	return rc;
}

static int decode_rollout(const json_t *doc, struct fws_channel *ch)
{
	const json_t *r;
	uint64_t percent;
	int rc =
	    fws_json_get_object(doc, "rollout", rollout_keys, COUNT(rollout_keys), NULL, 0, &r);
	if (rc == 0)
		rc = fws_json_get_uint(r, "percent", 0, 100, &percent);
	if (rc == 0)
		rc = fws_json_get_hex(r, "salt", ch->rollout.salt, sizeof(ch->rollout.salt));
	if (rc == 0)
		rc = fws_json_get_time(r, "not_before", &ch->rollout.not_before);
	if (rc == 0)
		ch->rollout.percent = (uint32_t)percent;
	return fws_json_within(rc, "rollout");
}

int fws_channel_decode(const uint8_t *json, size_t len, struct fws_channel *ch)
{
	int rc = FWS_EUSAGE;
	json_t *doc = NULL;
	uint64_t v;

	if (ch == NULL)
		return FWS_EUSAGE;
	memset(ch, 0, sizeof(*ch));
	if (json == NULL)
		goto out;
	rc = fws_json_load(json, len, FWS_BODY_MAX, &doc);
	if (rc == 0)
		rc = fws_json_check_keys(doc, channel_keys, COUNT(channel_keys), NULL, 0);
	if (rc == 0)
		rc = fws_json_get_uint(doc, "schema", 1, 1, &v);
	if (rc == 0) {
		ch->schema = (uint32_t)v;
		rc = fws_json_get_name(doc, "channel", ch->name, sizeof(ch->name));
	}
	if (rc == 0)
		rc = fws_json_get_uint(doc, "version", 1, FWS_SIZE_MAX, &ch->version);
	if (rc == 0)
		rc = fws_json_get_time(doc, "created", &ch->created);
	if (rc == 0)
		rc = fws_json_get_time(doc, "expires", &ch->expires);
	if (rc == 0)
		rc = fws_json_get_name(doc, "product", ch->product, sizeof(ch->product));
	if (rc == 0)
		rc = decode_hardware(doc, ch);
	if (rc == 0)
		rc = fws_json_get_semver(doc, "release_version", ch->release_version,
					 sizeof(ch->release_version));
	if (rc == 0)
		rc = fws_json_get_uint(doc, "security_version", 0, FWS_SIZE_MAX,
				       &ch->security_version);
	if (rc == 0)
		rc = fws_json_get_hex(doc, "manifest_sha256", ch->manifest_sha256, 32);
	if (rc == 0)
		rc = fws_json_get_hex(doc, "bundle_sha256", ch->bundle_sha256, 32);
	if (rc == 0)
		rc = fws_json_get_uint(doc, "bundle_size", 1, FWS_SIZE_MAX, &ch->bundle_size);
	if (rc == 0)
		rc = decode_locations(doc, ch);
	if (rc == 0)
		rc = decode_rollout(doc, ch);
	if (rc == 0 && (rc = fws_channel_check(ch)) != 0)
		rc = explain_check(ch, rc);
out:
	if (rc != 0)
		memset(ch, 0, sizeof(*ch));
	json_decref(doc);
	return rc;
}

static int set_hex(json_t *obj, const char *key, const uint8_t *bytes, size_t n)
{
	char hex[2 * 32 + 1];
	fws_hex_encode(hex, bytes, n);
	return fws_json_set(obj, key, json_string(hex));
}

static int decode_any(const uint8_t *json, size_t len, void *out)
{
	return fws_channel_decode(json, len, out);
}

int fws_channel_encode(const struct fws_channel *ch, char **out, size_t *out_len)
{
	int rc = FWS_EUSAGE;
	json_t *doc = NULL, *hw = NULL, *loc = NULL, *ro = NULL;

	if (out == NULL || out_len == NULL)
		return FWS_EUSAGE;
	*out = NULL;
	*out_len = 0;
	if (ch == NULL || (rc = fws_channel_check(ch)) != 0)
		goto out;
	rc = FWS_ENOMEM;
	doc = json_object();
	hw = json_array();
	loc = json_array();
	ro = json_object();
	if (doc == NULL || hw == NULL || loc == NULL || ro == NULL)
		goto out;
	rc = 0;
	for (size_t i = 0; rc == 0 && i < ch->n_hardware; i++)
		rc = fws_json_append(hw, json_string(ch->hardware[i]));
	for (size_t i = 0; rc == 0 && i < ch->n_locations; i++)
		rc = fws_json_append(loc, json_string(ch->locations[i]));
	if (rc == 0)
		rc = fws_json_set(ro, "percent", json_integer(ch->rollout.percent));
	if (rc == 0)
		rc = set_hex(ro, "salt", ch->rollout.salt, sizeof(ch->rollout.salt));
	if (rc == 0)
		rc = fws_json_set_time(ro, "not_before", ch->rollout.not_before);
	if (rc == 0)
		rc = fws_json_set(doc, "schema", json_integer(1));
	if (rc == 0)
		rc = fws_json_set(doc, "channel", json_string(ch->name));
	if (rc == 0)
		rc = fws_json_set(doc, "version", json_integer((json_int_t)ch->version));
	if (rc == 0)
		rc = fws_json_set_time(doc, "created", ch->created);
	if (rc == 0)
		rc = fws_json_set_time(doc, "expires", ch->expires);
	if (rc == 0)
		rc = fws_json_set(doc, "product", json_string(ch->product));
	if (rc == 0)
		rc = fws_json_set(doc, "release_version", json_string(ch->release_version));
	if (rc == 0)
		rc = fws_json_set(doc, "security_version",
				  json_integer((json_int_t)ch->security_version));
	if (rc == 0)
		rc = set_hex(doc, "manifest_sha256", ch->manifest_sha256, 32);
	if (rc == 0)
		rc = set_hex(doc, "bundle_sha256", ch->bundle_sha256, 32);
	if (rc == 0)
		rc = fws_json_set(doc, "bundle_size", json_integer((json_int_t)ch->bundle_size));
	if (rc == 0) {
		rc = fws_json_set(doc, "hardware", hw);
		hw = NULL;
	}
	if (rc == 0) {
		rc = fws_json_set(doc, "locations", loc);
		loc = NULL;
	}
	if (rc == 0) {
		rc = fws_json_set(doc, "rollout", ro);
		ro = NULL;
	}
	/* Never sign a channel our own decoder would refuse. */
	if (rc == 0)
		rc = fws_json_emit_checked(doc, decode_any, sizeof(struct fws_channel), out,
					   out_len);
out:
	json_decref(hw);
	json_decref(loc);
	json_decref(ro);
	json_decref(doc);
	return rc;
}

int fws_channel_load(const uint8_t *json, size_t len, const struct fws_root *root,
		     struct fws_channel *ch, uint8_t digest[32])
{
	char q[FWS_JSON_QUOTE_CAP];
	struct fws_envelope *env = NULL;
	const struct fws_role *ts;
	const uint8_t *body;
	size_t body_len;
	int rc = FWS_EUSAGE;

	if (ch == NULL)
		return FWS_EUSAGE;
	memset(ch, 0, sizeof(*ch));
	if (json == NULL || root == NULL)
		goto out;
	if (digest != NULL)
		fws_sha256(json, len, digest);
	rc = FWS_ENOMEM;
	env = calloc(1, sizeof(*env));
	if (env == NULL)
		goto out;
	rc = fws_envelope_decode(json, len, env);
	if (rc != 0)
		goto out;
	/* A manifest, root or permit is never a channel, whoever signed it. */
	if (strcmp(env->payload_type, FWS_TYPE_CHANNEL) != 0) {
		rc = fws_diag_set(FWS_EPAYLOADTYPE, 0, "payloadType", "%s is not a channel (%s)",
				  fws_json_quote(q, env->payload_type, strlen(env->payload_type)),
				  FWS_TYPE_CHANNEL);
		goto out;
	}
	ts = &root->roles[FWS_ROLE_TIMESTAMP];
	if (ts->n_keyids == 0) {
		rc = fws_diag_set(FWS_EUNTRUSTED, 0, "signatures",
				  "the trusted root (v%llu) has no timestamp role: it signs no "
				  "channel (docs/fleet.md)",
				  (unsigned long long)root->version);
		goto out;
	}
	/* Signatures first: nothing of an unsigned body is parsed. */
	rc = fws_envelope_verify(env, FWS_TYPE_CHANNEL, root, FWS_ROLE_TIMESTAMP, NULL);
	if (rc == FWS_EUNTRUSTED)
		rc = fws_diag_set(rc, 0, "signatures",
				  "none is by a timestamp key of the trusted root v%llu",
				  (unsigned long long)root->version);
	else if (rc == FWS_EBADSIG)
		rc = fws_diag_set(rc, 0, "signatures",
				  "a timestamp key's signature does not verify (altered after "
				  "signing)");
	else if (rc == FWS_ETHRESHOLD)
		rc = fws_diag_set(rc, 0, "signatures",
				  "fewer valid timestamp signatures than the threshold %u",
				  (unsigned)ts->threshold);
	if (rc != 0)
		goto out;
	rc = FWS_EINTERNAL;
	body = fws_envelope_body(env, &body_len);
	if (body == NULL)
		goto out;
	rc = fws_channel_decode(body, body_len, ch);
	if (rc == FWS_EJSON)
		rc = fws_json_within(rc, "payload");
out:
	if (rc != 0)
		memset(ch, 0, sizeof(*ch));
	free(env);
	return rc;
}
