/* SPDX-License-Identifier: Apache-2.0 */
/* Device reports: strict codec, the signature by the device key, and the
 * audit-log checks (fwseal/report.h, docs/format.md §17).
 *
 * Threats: a forged report (signature by the device key only, exactly one
 * signature); a device, or someone holding its storage, that cuts lines off
 * its log or rewrites them and reports on (every event is re-hashed from
 * its exact bytes and chained to the head the earlier report stated). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/json_strict.h"
#include "fwseal/encoding.h"
#include "fwseal/envelope.h"
#include "fwseal/error.h"
#include "fwseal/manifest.h"
#include "fwseal/policy.h"
#include "fwseal/report.h"
#include "fwseal/sha256.h"
#include "io/io.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define HASH_TAIL 75 /* ,"hash":"<64 hex>"} */

static const char *const report_keys[] = {
    "schema",		"device_id", "hardware_id",  "time",	"confirmed", "pending",
    "security_version", "floor",     "root_version", "channel", "log"};
static const char *const slot_keys[] = {"slot", "version", "security_version"};
static const char *const channel_keys[] = {"name", "version", "expires", "stale"};
static const char *const log_keys[] = {"valid", "seq", "hash", "events"};

static int decode_slot(const json_t *doc, const char *key, struct fws_report_slot *s)
{
	const json_t *o;
	const char *v;
	size_t n;
	int rc = fws_json_get_object(doc, key, slot_keys, COUNT(slot_keys), NULL, 0, &o);
	if (rc == 0)
		rc = fws_json_get_string(o, "slot", 1, FWS_ESCHEMA, &v, &n);
	if (rc == 0 && n == 1 && (v[0] == 'a' || v[0] == 'b'))
		s->slot = v[0];
	else if (rc == 0)
		rc = fws_diag_set(FWS_ESCHEMA, 0, "slot", "not a or b");
	if (rc == 0)
		rc = fws_json_get_string_copy(o, "version", s->version, sizeof(s->version),
					      FWS_ESCHEMA);
	if (rc == 0 && s->version[0] != '\0' && !fws_semver_valid(s->version))
		rc = fws_diag_set(FWS_ESCHEMA, 0, "version", "not a semantic version");
	if (rc == 0)
		rc =
		    fws_json_get_uint(o, "security_version", 0, FWS_SIZE_MAX, &s->security_version);
	return fws_json_within(rc, "%s", key);
}

static int decode_log(const json_t *doc, struct fws_report *r)
{
	const json_t *o, *events;
	size_t n;
	int rc = fws_json_get_object(doc, "log", log_keys, COUNT(log_keys), NULL, 0, &o);
	if (rc == 0) {
		const json_t *v = json_object_get(o, "valid");
		if (!json_is_boolean(v))
			rc = fws_diag_set(FWS_ESCHEMA, 0, "valid", "not true or false");
		else
			r->log_valid = json_is_true(v);
	}
	if (rc == 0)
		rc = fws_json_get_uint(o, "seq", 0, FWS_SIZE_MAX, &r->log_seq);
	if (rc == 0)
		rc = fws_json_get_hex(o, "hash", r->log_hash, 32);
	if (rc == 0)
		rc = fws_json_get_array(o, "events", 0, FWS_REPORT_EVENTS_MAX, FWS_ELIMIT, &events,
					&n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = fws_json_string_copy(json_array_get(events, i), r->events[i],
					  sizeof(r->events[i]), FWS_ELIMIT);
		if (rc != 0)
			rc = fws_json_within(rc, "events[%zu]", i);
	}
	if (rc == 0)
		r->n_events = n;
	return fws_json_within(rc, "log");
}

int fws_report_decode(const uint8_t *json, size_t len, struct fws_report *r)
{
	json_t *doc = NULL;
	const json_t *ch;
	uint64_t v;
	int rc;

	if (r == NULL || json == NULL)
		return FWS_EUSAGE;
	memset(r, 0, sizeof(*r));
	rc = fws_json_load(json, len, FWS_BODY_MAX, &doc);
	if (rc == 0)
		rc = fws_json_check_keys(doc, report_keys, COUNT(report_keys), NULL, 0);
	if (rc == 0)
		rc = fws_json_get_uint(doc, "schema", 1, 1, &v);
	if (rc == 0)
		rc = fws_json_get_name(doc, "device_id", r->device_id, sizeof(r->device_id));
	if (rc == 0)
		rc = fws_json_get_name(doc, "hardware_id", r->hardware_id, sizeof(r->hardware_id));
	if (rc == 0)
		rc = fws_json_get_time(doc, "time", &r->time);
	if (rc == 0)
		rc = decode_slot(doc, "confirmed", &r->confirmed);
	if (rc == 0 && !json_is_null(json_object_get(doc, "pending"))) {
		r->has_pending = 1;
		rc = decode_slot(doc, "pending", &r->pending);
	}
	if (rc == 0)
		rc = fws_json_get_uint(doc, "security_version", 0, FWS_SIZE_MAX,
				       &r->security_version);
	if (rc == 0)
		rc = fws_json_get_uint(doc, "floor", 0, FWS_SIZE_MAX, &r->floor);
	if (rc == 0)
		rc = fws_json_get_uint(doc, "root_version", 1, FWS_SIZE_MAX, &r->root_version);
	if (rc == 0 && !json_is_null(json_object_get(doc, "channel"))) {
		r->has_channel = 1;
		rc = fws_json_get_object(doc, "channel", channel_keys, COUNT(channel_keys), NULL, 0,
					 &ch);
		if (rc == 0)
			rc =
			    fws_json_get_name(ch, "name", r->channel_name, sizeof(r->channel_name));
		if (rc == 0)
			rc = fws_json_get_uint(ch, "version", 1, FWS_SIZE_MAX, &r->channel_version);
		if (rc == 0)
			rc = fws_json_get_time(ch, "expires", &r->channel_expires);
		if (rc == 0 && !json_is_boolean(json_object_get(ch, "stale")))
			rc = fws_diag_set(FWS_ESCHEMA, 0, "stale", "not true or false");
		if (rc == 0)
			r->channel_stale = json_is_true(json_object_get(ch, "stale"));
		rc = fws_json_within(rc, "channel");
	}
	if (rc == 0)
		rc = decode_log(doc, r);
	json_decref(doc);
	return rc;
}

static json_t *slot_json(const struct fws_report_slot *s)
{
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	if (json_object_set_new(o, "slot", json_stringn(&s->slot, 1)) != 0 ||
	    json_object_set_new(o, "version", json_string(s->version)) != 0 ||
	    json_object_set_new(o, "security_version",
				json_integer((json_int_t)s->security_version)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int decode_scratch(const uint8_t *json, size_t len, void *out)
{
	return fws_report_decode(json, len, out);
}

int fws_report_encode(const struct fws_report *r, char **out, size_t *out_len)
{
	json_t *doc = json_object(), *log = json_object(), *events = json_array(), *ch = NULL;
	char hex[65];
	int rc = doc == NULL || log == NULL || events == NULL ? FWS_ENOMEM : 0;

	*out = NULL;
	*out_len = 0;
	for (size_t i = 0; rc == 0 && i < r->n_events; i++)
		rc = fws_json_append(events, json_string(r->events[i]));
	if (rc == 0)
		rc = fws_json_set(doc, "schema", json_integer(1));
	if (rc == 0)
		rc = fws_json_set(doc, "device_id", json_string(r->device_id));
	if (rc == 0)
		rc = fws_json_set(doc, "hardware_id", json_string(r->hardware_id));
	if (rc == 0)
		rc = fws_json_set_time(doc, "time", r->time);
	if (rc == 0)
		rc = fws_json_set(doc, "confirmed", slot_json(&r->confirmed));
	if (rc == 0)
		rc = fws_json_set(doc, "pending",
				  r->has_pending ? slot_json(&r->pending) : json_null());
	if (rc == 0)
		rc = fws_json_set(doc, "security_version",
				  json_integer((json_int_t)r->security_version));
	if (rc == 0)
		rc = fws_json_set(doc, "floor", json_integer((json_int_t)r->floor));
	if (rc == 0)
		rc = fws_json_set(doc, "root_version", json_integer((json_int_t)r->root_version));
	if (rc == 0 && r->has_channel) {
		ch = json_object();
		rc = ch == NULL ? FWS_ENOMEM
				: fws_json_set(ch, "name", json_string(r->channel_name));
		if (rc == 0)
			rc = fws_json_set(ch, "version",
					  json_integer((json_int_t)r->channel_version));
		if (rc == 0)
			rc = fws_json_set_time(ch, "expires", r->channel_expires);
		if (rc == 0)
			rc = fws_json_set(ch, "stale", json_boolean(r->channel_stale));
		if (rc == 0)
			rc = fws_json_set(doc, "channel", ch);
		ch = NULL;
	} else if (rc == 0) {
		rc = fws_json_set(doc, "channel", json_null());
	}
	fws_hex_encode(hex, r->log_hash, 32);
	if (rc == 0)
		rc = fws_json_set(log, "valid", json_boolean(r->log_valid));
	if (rc == 0)
		rc = fws_json_set(log, "seq", json_integer((json_int_t)r->log_seq));
	if (rc == 0)
		rc = fws_json_set(log, "hash", json_string(hex));
	if (rc == 0)
		rc = fws_json_set(log, "events", events);
	events = NULL;
	if (rc == 0)
		rc = fws_json_set(doc, "log", log);
	log = NULL;
	if (rc == 0)
		rc = fws_json_emit_checked(doc, decode_scratch, sizeof(struct fws_report), out,
					   out_len);
	json_decref(ch);
	json_decref(events);
	json_decref(log);
	json_decref(doc);
	return rc;
}

/* One audit-log line: its own hash right (docs/audit-log.md "The hash
 * chain"), and its seq and prev. */
static int check_line(const char *line, size_t i, uint64_t *seq, uint8_t prev[32], uint8_t hash[32])
{
	char where[40], want[65];
	uint8_t got[32];
	struct fws_sha256 h;
	size_t n = strlen(line);
	json_t *doc = NULL;
	uint64_t s;
	int rc;

	snprintf(where, sizeof(where), "log.events[%zu]", i);
	if (n > HASH_TAIL) {
		memcpy(want, line + n - 66, 64);
		want[64] = '\0';
	}
	if (n <= HASH_TAIL || strncmp(line + n - HASH_TAIL, ",\"hash\":\"", 9) != 0 ||
	    strcmp(line + n - 2, "\"}") != 0 || fws_hex_decode_exact(hash, 32, want) != 0)
		return fws_diag_set(FWS_EREPORT, 0, where, "not an audit-log line (no hash)");
	fws_sha256_init(&h);
	fws_sha256_update(&h, line, n - HASH_TAIL);
	fws_sha256_update(&h, "}", 1);
	fws_sha256_final(&h, got);
	if (sodium_memcmp(got, hash, 32) != 0)
		return fws_diag_set(
		    FWS_EREPORT, 0, where,
		    "its hash is not the SHA-256 of its bytes (the line was altered)");
	rc = fws_json_load((const uint8_t *)line, n, FWS_LOG_LINE_MAX, &doc);
	if (rc == 0)
		rc = fws_json_get_uint(doc, "seq", 1, FWS_SIZE_MAX, &s);
	if (rc == 0)
		rc = fws_json_get_hex(doc, "prev", prev, 32);
	json_decref(doc);
	if (rc != 0)
		return fws_diag_set(FWS_EREPORT, 0, where, "not an audit-log line");
	*seq = s;
	return 0;
}

int fws_report_check_log(const struct fws_report *r)
{
	uint8_t prev[32], hash[32], last[32];
	uint64_t seq, last_seq = 0;
	for (size_t i = 0; i < r->n_events; i++) {
		char where[40];
		int rc = check_line(r->events[i], i, &seq, prev, hash);
		if (rc != 0)
			return rc;
		snprintf(where, sizeof(where), "log.events[%zu]", i);
		if (i > 0 && (seq != last_seq + 1 || sodium_memcmp(prev, last, 32) != 0))
			return fws_diag_set(FWS_EREPORT, 0, where,
					    "seq %llu does not chain to the line before (seq %llu)",
					    (unsigned long long)seq, (unsigned long long)last_seq);
		last_seq = seq;
		memcpy(last, hash, 32);
	}
	if (r->n_events > 0 &&
	    (last_seq != r->log_seq || sodium_memcmp(last, r->log_hash, 32) != 0))
		return fws_diag_set(FWS_EREPORT, 0, "log",
				    "the newest event is not the head the report states");
	return 0;
}

int fws_report_load(const uint8_t *json, size_t len, const uint8_t public_key[32],
		    struct fws_report *r)
{
	struct fws_envelope *env = calloc(1, sizeof(*env));
	uint8_t keyid[32];
	const uint8_t *body;
	size_t body_len;
	int rc = env == NULL ? FWS_ENOMEM : fws_envelope_decode(json, len, env);

	memset(r, 0, sizeof(*r));
	if (rc == 0 && strcmp(env->payload_type, FWS_TYPE_REPORT) != 0)
		rc = fws_diag_set(FWS_EPAYLOADTYPE, 0, "payloadType", "not a device report (%s)",
				  FWS_TYPE_REPORT);
	fws_keyid(public_key, keyid);
	/* One signature, by this device's key: a report signed by anything
	 * else says nothing about this device. */
	if (rc == 0 && (env->n_sigs != 1 || sodium_memcmp(env->sigs[0].keyid, keyid, 32) != 0))
		rc = fws_diag_set(FWS_EREPORT, 0, "signatures",
				  "not signed by this device's key (exactly one signature)");
	if (rc == 0 &&
	    crypto_sign_verify_detached(env->sigs[0].sig, env->pae, env->pae_len, public_key) != 0)
		rc = fws_diag_set(FWS_EREPORT, 0, "signatures",
				  "the device key's signature does not verify (altered after "
				  "signing)");
	if (rc == 0 && (body = fws_envelope_body(env, &body_len)) == NULL)
		rc = FWS_EINTERNAL;
	if (rc == 0)
		rc = fws_report_decode(body, body_len, r);
	if (rc == 0)
		rc = fws_report_check_log(r);
	free(env);
	return rc;
}

int fws_report_check_extends(const struct fws_report *earlier, const struct fws_report *later)
{
	uint8_t prev[32], hash[32];
	uint64_t seq;
	if (strcmp(earlier->device_id, later->device_id) != 0)
		return fws_diag_set(FWS_EREPORT, 0, "device_id", "%s, the earlier report is %s's",
				    later->device_id, earlier->device_id);
	if (later->log_seq < earlier->log_seq)
		return fws_diag_set(FWS_EREPORT, 0, "log",
				    "head seq %llu is behind the earlier report's %llu (lines were "
				    "cut off)",
				    (unsigned long long)later->log_seq,
				    (unsigned long long)earlier->log_seq);
	if (later->log_seq == earlier->log_seq) {
		if (sodium_memcmp(later->log_hash, earlier->log_hash, 32) != 0)
			return fws_diag_set(FWS_EREPORT, 0, "log",
					    "the same head seq %llu with another hash (the log was "
					    "rewritten)",
					    (unsigned long long)later->log_seq);
		return 0;
	}
	for (size_t i = 0; i < later->n_events; i++) {
		if (check_line(later->events[i], i, &seq, prev, hash) != 0)
			return FWS_EREPORT;
		if (seq == earlier->log_seq)
			return sodium_memcmp(hash, earlier->log_hash, 32) == 0
				   ? 0
				   : fws_diag_set(FWS_EREPORT, 0, "log",
						  "line %llu is not the one the earlier report "
						  "stated (the log was rewritten)",
						  (unsigned long long)seq);
		if (seq == earlier->log_seq + 1)
			return sodium_memcmp(prev, earlier->log_hash, 32) == 0
				   ? 0
				   : fws_diag_set(FWS_EREPORT, 0, "log",
						  "line %llu does not follow the earlier report's "
						  "head (the log was rewritten or cut)",
						  (unsigned long long)seq);
	}
	return fws_diag_set(FWS_EREPORT, 0, "log",
			    "its events do not reach back to seq %llu, the earlier report's head: "
			    "ask the device for `report --since %llu`",
			    (unsigned long long)earlier->log_seq + 1,
			    (unsigned long long)earlier->log_seq);
}
