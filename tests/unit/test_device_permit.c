/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-ROLL-003 */
/* Downgrade permits (lib/device/permit.c): a permit applies only when
 * release-signed, of the permit type, bound to this device (or hardware),
 * this manifest and this version, newer than every permit used before and
 * not expired. Each negative test is the valid permit with one thing wrong. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/device.h"
#include "test_core_helpers.h"

TestSuite(device_permit, .init = core_setup, .timeout = 30);

#define T0 1767225600 /* 2026-01-01 */
#define DAY 86400

struct fixture {
	struct test_key release, rootkey, stranger;
	struct fws_root root;
	struct fws_device_state st;
	struct fws_manifest m;
	uint8_t digest[32];
	struct fws_permit p;
};

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	test_key_make(&f->rootkey, 1);
	test_key_make(&f->release, 2);
	test_key_make(&f->stranger, 3);
	root_begin(&f->root, 1);
	root_add_key(&f->root, &f->rootkey);
	root_add_key(&f->root, &f->release);
	role_add(&f->root, FWS_ROLE_ROOT, &f->rootkey);
	role_add(&f->root, FWS_ROLE_RELEASE, &f->release);
	f->root.roles[FWS_ROLE_ROOT].threshold = 1;
	f->root.roles[FWS_ROLE_RELEASE].threshold = 1;
	cr_assert_eq(fws_root_check(&f->root), 0);

	strcpy(f->st.hardware_id, "pump-rev-c");
	strcpy(f->st.device_id, "pump-0042");
	f->st.security_version = 5;
	f->st.highest_created = T0 - 10 * DAY;
	f->st.permit_floor = 0;

	strcpy(f->m.version, "1.1.0");
	f->m.security_version = 4;
	memset(f->digest, 0xab, sizeof(f->digest));

	strcpy(f->p.device_id, "pump-0042");
	strcpy(f->p.to_version, "1.1.0");
	memcpy(f->p.manifest_sha256, f->digest, 32);
	f->p.created = T0;
	f->p.expires = T0 + 30 * DAY;
}

/* DSSE JSON of body (type, signed by key) in a malloc'd buffer. */
static char *envelope_of(const char *type, const char *body, const struct test_key *key,
			 size_t *len)
{
	struct fws_envelope *env = calloc(1, sizeof(*env));
	char *json = NULL;
	cr_assert_not_null(env);
	env_make(env, type, body);
	env_sign(env, key);
	cr_assert_eq(fws_envelope_encode(env, &json, len), 0);
	free(env);
	return json;
}

static char *body_of(const struct fws_permit *p)
{
	char *body = NULL;
	size_t len;
	int rc = fws_permit_encode(p, &body, &len);
	cr_assert_eq(rc, 0, "encode: %d", rc);
	cr_assert_eq(strlen(body), len);
	return body;
}

static char *signed_permit(const struct fws_permit *p, const struct test_key *key, size_t *len)
{
	char *body = body_of(p);
	char *json = envelope_of(FWS_TYPE_PERMIT, body, key, len);
	free(body);
	return json;
}

static int check(const struct fixture *f, const char *json, size_t len, int64_t now,
		 struct fws_permit *out)
{
	return fws_permit_check((const uint8_t *)json, len, &f->root, &f->st, &f->m, f->digest, now,
				out);
}

/* The fixture's permit with one change, checked at `now`. */
static int check_permit(const struct fixture *f, const struct fws_permit *p, int64_t now)
{
	size_t len;
	char *json = signed_permit(p, &f->release, &len);
	int rc = check(f, json, len, now, NULL);
	free(json);
	return rc;
}

/* A hand-written body (signed properly), for what the encoder refuses. */
static int check_body(const struct fixture *f, const char *body)
{
	size_t len;
	char *json = envelope_of(FWS_TYPE_PERMIT, body, &f->release, &len);
	int rc = check(f, json, len, T0, NULL);
	free(json);
	return rc;
}

static const char good_body[] =
    "{\"created\":\"2026-01-01T00:00:00Z\",\"device_id\":\"pump-0042\","
    "\"expires\":\"2026-01-31T00:00:00Z\",\"manifest_sha256\":"
    "\"abababababababababababababababababababababababababababababababab\","
    "\"schema\":1,\"to_version\":\"1.1.0\"}";

Test(device_permit, canonical_encoding)
{
	struct fixture f;
	fixture_init(&f);
	char *body = body_of(&f.p);
	cr_assert_str_eq(body, good_body);
	struct fws_permit back;
	cr_assert_eq(fws_permit_decode((const uint8_t *)body, strlen(body), &back), 0);
	cr_assert_str_eq(back.device_id, "pump-0042");
	cr_assert_str_eq(back.hardware_id, "");
	cr_assert_eq(back.created, T0);
	cr_assert_eq(back.expires, T0 + 30 * DAY);
	free(body);
}

Test(device_permit, valid_permit_applies)
{
	struct fixture f;
	struct fws_permit out;
	size_t len;
	fixture_init(&f);
	char *json = signed_permit(&f.p, &f.release, &len);
	cr_assert_eq(check(&f, json, len, T0 + DAY, &out), 0);
	cr_assert_eq(out.created, T0);
	cr_assert_str_eq(out.to_version, "1.1.0");
	/* no trusted time at all: still applies (single use holds) */
	f.st.highest_created = 0;
	cr_assert_eq(check(&f, json, len, 0, NULL), 0);
	free(json);
	/* the same body under a hand-written envelope: the bytes are the spec */
	cr_assert_eq(check_body(&f, good_body), 0);
}

Test(device_permit, hardware_bound)
{
	struct fixture f;
	fixture_init(&f);
	f.p.device_id[0] = '\0';
	strcpy(f.p.hardware_id, "pump-rev-c");
	cr_assert_eq(check_permit(&f, &f.p, T0), 0);
	strcpy(f.p.hardware_id, "pump-rev-d");
	cr_assert_eq(check_permit(&f, &f.p, T0), FWS_EPERMIT);
}

Test(device_permit, wrong_device)
{
	struct fixture f;
	fixture_init(&f);
	strcpy(f.p.device_id, "pump-0043");
	cr_assert_eq(check_permit(&f, &f.p, T0), FWS_EPERMIT);
	/* a device id is not a hardware id, even when the text matches */
	strcpy(f.p.device_id, "pump-rev-c");
	cr_assert_eq(check_permit(&f, &f.p, T0), FWS_EPERMIT);
}

Test(device_permit, wrong_manifest_digest)
{
	struct fixture f;
	fixture_init(&f);
	for (size_t i = 0; i < 32; i++) {
		struct fws_permit p = f.p;
		p.manifest_sha256[i] ^= 0x01;
		cr_assert_eq(check_permit(&f, &p, T0), FWS_EPERMIT, "byte %zu", i);
	}
}

Test(device_permit, wrong_version)
{
	struct fixture f;
	fixture_init(&f);
	strcpy(f.p.to_version, "1.1.1");
	cr_assert_eq(check_permit(&f, &f.p, T0), FWS_EPERMIT);
	/* semver-equal but not the same string: refused (exact match) */
	strcpy(f.p.to_version, "1.1.0+build.7");
	cr_assert_eq(check_permit(&f, &f.p, T0), FWS_EPERMIT);
}

Test(device_permit, replay_refused)
{
	struct fixture f;
	fixture_init(&f);
	f.st.permit_floor = T0; /* this permit was used */
	cr_assert_eq(check_permit(&f, &f.p, T0), FWS_EPERMIT);
	f.st.permit_floor = T0 + 1; /* a newer one was used */
	cr_assert_eq(check_permit(&f, &f.p, T0), FWS_EPERMIT);
	f.st.permit_floor = T0 - 1; /* only older ones were used */
	cr_assert_eq(check_permit(&f, &f.p, T0), 0);
}

Test(device_permit, expired)
{
	struct fixture f;
	fixture_init(&f);
	int64_t exp = f.p.expires;
	cr_assert_eq(check_permit(&f, &f.p, exp), 0);
	cr_assert_eq(check_permit(&f, &f.p, exp + 1), FWS_EEXPIRED);
	/* no clock, but the device has seen a signed `created` after expiry */
	f.st.highest_created = exp + 1;
	cr_assert_eq(check_permit(&f, &f.p, 0), FWS_EEXPIRED);
}

Test(device_permit, signer_not_in_release_role)
{
	struct fixture f;
	size_t len;
	fixture_init(&f);
	char *json = signed_permit(&f.p, &f.rootkey, &len); /* root role only */
	cr_assert_eq(check(&f, json, len, T0, NULL), FWS_EUNTRUSTED);
	free(json);
	json = signed_permit(&f.p, &f.stranger, &len);
	cr_assert_eq(check(&f, json, len, T0, NULL), FWS_EUNTRUSTED);
	free(json);
}

Test(device_permit, bad_signature)
{
	struct fixture f;
	struct fws_envelope *env = calloc(1, sizeof(*env));
	char *body, *json;
	size_t len;
	fixture_init(&f);
	body = body_of(&f.p);
	env_make(env, FWS_TYPE_PERMIT, body);
	env_sign(env, &f.release);
	env->sigs[0].sig[7] ^= 0x40;
	cr_assert_eq(fws_envelope_encode(env, &json, &len), 0);
	cr_assert_eq(check(&f, json, len, T0, NULL), FWS_EBADSIG);
	free(json);
	free(body);
	free(env);
}

Test(device_permit, other_payload_types_refused)
{
	struct fixture f;
	size_t len;
	fixture_init(&f);
	char *body = body_of(&f.p);
	const char *types[] = {FWS_TYPE_ROOT, FWS_TYPE_MANIFEST, "application/json"};
	for (size_t i = 0; i < 3; i++) {
		char *json = envelope_of(types[i], body, &f.release, &len);
		cr_assert_eq(check(&f, json, len, T0, NULL), FWS_EPAYLOADTYPE, "%s", types[i]);
		free(json);
	}
	free(body);
}

Test(device_permit, malformed_envelope)
{
	struct fixture f;
	fixture_init(&f);
	const char junk[] = "{\"payloadType\":\"x\"}";
	cr_assert_eq(check(&f, junk, sizeof(junk) - 1, T0, NULL), FWS_EENVELOPE);
	cr_assert_eq(fws_permit_check(NULL, 0, &f.root, &f.st, &f.m, f.digest, T0, NULL),
		     FWS_EUSAGE);
}

Test(device_permit, schema_violations)
{
	struct fixture f;
	fixture_init(&f);
	static const char *const bodies[] = {
	    /* unknown field */
	    "{\"created\":\"2026-01-01T00:00:00Z\",\"device_id\":\"pump-0042\","
	    "\"expires\":\"2026-01-31T00:00:00Z\",\"manifest_sha256\":"
	    "\"abababababababababababababababababababababababababababababababab\","
	    "\"schema\":1,\"to_version\":\"1.1.0\",\"uses\":5}",
	    /* both device_id and hardware_id */
	    "{\"created\":\"2026-01-01T00:00:00Z\",\"device_id\":\"pump-0042\","
	    "\"expires\":\"2026-01-31T00:00:00Z\",\"hardware_id\":\"pump-rev-c\","
	    "\"manifest_sha256\":"
	    "\"abababababababababababababababababababababababababababababababab\","
	    "\"schema\":1,\"to_version\":\"1.1.0\"}",
	    /* neither */
	    "{\"created\":\"2026-01-01T00:00:00Z\","
	    "\"expires\":\"2026-01-31T00:00:00Z\",\"manifest_sha256\":"
	    "\"abababababababababababababababababababababababababababababababab\","
	    "\"schema\":1,\"to_version\":\"1.1.0\"}",
	    /* empty device id */
	    "{\"created\":\"2026-01-01T00:00:00Z\",\"device_id\":\"\","
	    "\"expires\":\"2026-01-31T00:00:00Z\",\"manifest_sha256\":"
	    "\"abababababababababababababababababababababababababababababababab\","
	    "\"schema\":1,\"to_version\":\"1.1.0\"}",
	    /* no expiry */
	    "{\"created\":\"2026-01-01T00:00:00Z\",\"device_id\":\"pump-0042\","
	    "\"manifest_sha256\":"
	    "\"abababababababababababababababababababababababababababababababab\","
	    "\"schema\":1,\"to_version\":\"1.1.0\"}",
	    /* expires == created */
	    "{\"created\":\"2026-01-01T00:00:00Z\",\"device_id\":\"pump-0042\","
	    "\"expires\":\"2026-01-01T00:00:00Z\",\"manifest_sha256\":"
	    "\"abababababababababababababababababababababababababababababababab\","
	    "\"schema\":1,\"to_version\":\"1.1.0\"}",
	    /* valid for 91 days */
	    "{\"created\":\"2026-01-01T00:00:00Z\",\"device_id\":\"pump-0042\","
	    "\"expires\":\"2026-04-02T00:00:00Z\",\"manifest_sha256\":"
	    "\"abababababababababababababababababababababababababababababababab\","
	    "\"schema\":1,\"to_version\":\"1.1.0\"}",
	    /* schema 2 */
	    "{\"created\":\"2026-01-01T00:00:00Z\",\"device_id\":\"pump-0042\","
	    "\"expires\":\"2026-01-31T00:00:00Z\",\"manifest_sha256\":"
	    "\"abababababababababababababababababababababababababababababababab\","
	    "\"schema\":2,\"to_version\":\"1.1.0\"}",
	    /* not a semantic version */
	    "{\"created\":\"2026-01-01T00:00:00Z\",\"device_id\":\"pump-0042\","
	    "\"expires\":\"2026-01-31T00:00:00Z\",\"manifest_sha256\":"
	    "\"abababababababababababababababababababababababababababababababab\","
	    "\"schema\":1,\"to_version\":\"1.1\"}",
	    /* uppercase hex */
	    "{\"created\":\"2026-01-01T00:00:00Z\",\"device_id\":\"pump-0042\","
	    "\"expires\":\"2026-01-31T00:00:00Z\",\"manifest_sha256\":"
	    "\"ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB\","
	    "\"schema\":1,\"to_version\":\"1.1.0\"}",
	    /* device id with a path in it */
	    "{\"created\":\"2026-01-01T00:00:00Z\",\"device_id\":\"../pump\","
	    "\"expires\":\"2026-01-31T00:00:00Z\",\"manifest_sha256\":"
	    "\"abababababababababababababababababababababababababababababababab\","
	    "\"schema\":1,\"to_version\":\"1.1.0\"}",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		cr_assert_eq(check_body(&f, bodies[i]), FWS_ESCHEMA, "body %zu: %s", i, bodies[i]);

	/* 90 days exactly is the limit, and allowed */
	struct fws_permit p = f.p;
	p.expires = p.created + 90 * DAY;
	cr_assert_eq(check_permit(&f, &p, T0), 0);

	/* duplicate key: strict JSON */
	cr_assert_eq(check_body(&f, "{\"created\":\"2026-01-01T00:00:00Z\",\"device_id\":\"a\","
				    "\"device_id\":\"pump-0042\","
				    "\"expires\":\"2026-01-31T00:00:00Z\",\"manifest_sha256\":"
				    "\"abababababababababababababababababababababababababababababab"
				    "abab\",\"schema\":1,\"to_version\":\"1.1.0\"}"),
		     FWS_EJSON);
}

Test(device_permit, encoder_refuses_what_the_decoder_refuses)
{
	struct fixture f;
	char *out = (char *)1;
	size_t len;
	fixture_init(&f);
	struct fws_permit p = f.p;
	strcpy(p.hardware_id, "pump-rev-c"); /* both */
	cr_assert_eq(fws_permit_encode(&p, &out, &len), FWS_ESCHEMA);
	cr_assert_null(out);
	p = f.p;
	p.device_id[0] = '\0'; /* neither */
	cr_assert_eq(fws_permit_encode(&p, &out, &len), FWS_ESCHEMA);
	p = f.p;
	p.expires = p.created + 91 * DAY;
	cr_assert_eq(fws_permit_encode(&p, &out, &len), FWS_ESCHEMA);
	p = f.p;
	strcpy(p.to_version, "v1");
	cr_assert_eq(fws_permit_encode(&p, &out, &len), FWS_ESCHEMA);
}

/* A body changed after signing no longer verifies: every byte. */
Test(device_permit, tampered_body)
{
	struct fixture f;
	struct fws_envelope *env = calloc(1, sizeof(*env));
	char *body, *json;
	size_t len;
	fixture_init(&f);
	body = body_of(&f.p);
	env_make(env, FWS_TYPE_PERMIT, body);
	env_sign(env, &f.release);
	size_t off = env->body_offset, blen = env->pae_len - env->body_offset;
	for (size_t i = 0; i < blen; i++) {
		env->pae[off + i] ^= 0x01;
		cr_assert_eq(fws_envelope_encode(env, &json, &len), 0);
		cr_assert_eq(check(&f, json, len, T0, NULL), FWS_EBADSIG, "byte %zu", i);
		free(json);
		env->pae[off + i] ^= 0x01;
	}
	free(body);
	free(env);
}

/* Every refusal of an otherwise valid permit names the condition that
 * failed (fwseal/diag.h), so the operator learns which binding is wrong:
 * the field in `where`, a reason in `why`. */
Test(device_permit, refusal_names_the_condition)
{
	enum { DEVICE, HARDWARE, VERSION, DIGEST, REPLAY, EXPIRED };
	static const struct {
		int what;
		int code;
		const char *where;
	} cases[] = {
	    {DEVICE, FWS_EPERMIT, "device_id"},	  {HARDWARE, FWS_EPERMIT, "hardware_id"},
	    {VERSION, FWS_EPERMIT, "to_version"}, {DIGEST, FWS_EPERMIT, "manifest_sha256"},
	    {REPLAY, FWS_EPERMIT, "created"},	  {EXPIRED, FWS_EEXPIRED, "expires"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fixture f;
		fixture_init(&f);
		int64_t now = T0;
		switch (cases[i].what) {
		case DEVICE:
			strcpy(f.p.device_id, "pump-0043");
			break;
		case HARDWARE:
			f.p.device_id[0] = '\0';
			strcpy(f.p.hardware_id, "pump-rev-d");
			break;
		case VERSION:
			strcpy(f.p.to_version, "1.1.1");
			break;
		case DIGEST:
			f.p.manifest_sha256[7] ^= 0x80;
			break;
		case REPLAY:
			f.st.permit_floor = T0;
			break;
		default:
			now = f.p.expires + 1;
			break;
		}
		fws_diag_clear();
		int rc = check_permit(&f, &f.p, now);
		cr_assert_eq(rc, cases[i].code, "%s: %s", cases[i].where, fws_errname(rc));
		cr_assert_eq(fws_diag_last()->code, rc, "%s: no diagnostic", cases[i].where);
		cr_assert_str_eq(fws_diag_last()->where, cases[i].where);
		cr_assert_str_neq(fws_diag_last()->why, "", "%s: no reason", cases[i].where);
	}
}
