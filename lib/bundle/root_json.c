/* SPDX-License-Identifier: Apache-2.0 */
/* Root of trust JSON: strict decoding into struct fws_root, the canonical
 * encoding, and loading a self-signed root envelope from a file.
 *
 * The root decides which keys are trusted, so its shape is fixed exactly
 * (TUF's key objects, two roles, nothing else); the structural invariants
 * (key IDs match keys, thresholds) are then checked by the core's
 * fws_root_check, the same code a device integrator audits. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle/input_kind.h"
#include "bundle/json_strict.h"
#include "fwseal/encoding.h"
#include "fwseal/envelope.h"
#include "fwseal/error.h"
#include "fwseal/fileio.h"
#include "fwseal/limits.h"
#include "fwseal/root.h"
#include "io/io.h"

#define ED25519 "ed25519"

static const char *const root_keys[] = {"schema", "version", "created", "expires", "keys", "roles"};
static const char *const key_keys[] = {"keytype", "scheme", "keyval"};
static const char *const keyval_keys[] = {"public"};
static const char *const role_names[FWS_ROLE_COUNT] = {"root", "release", "timestamp"};
/* The roles every root has; "timestamp" is optional (channels). */
#define REQUIRED_ROLES 2
static const char *const role_keys[] = {"keyids", "threshold"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A fixed string field ("keytype": "ed25519"). Other key types are refused,
 * not skipped: a verifier that ignored an unknown key would count one
 * fewer key than the signer meant, and one that guessed could be fooled. */
static int expect_string(const json_t *obj, const char *key, const char *want)
{
	char q[FWS_JSON_QUOTE_CAP];
	const char *s;
	size_t n;
	int rc = fws_json_get_string(obj, key, 64, FWS_ESCHEMA, &s, &n);

	if (rc != 0)
		return rc;
	if (strcmp(s, want) != 0)
		return fws_diag_set(FWS_ESCHEMA, 0, key,
				    "%s is not \"%s\" (the only one supported)",
				    fws_json_quote(q, s, n), want);
	return 0;
}

static int decode_key(const char *keyid_hex, const json_t *obj, struct fws_key *key)
{
	char q[FWS_JSON_QUOTE_CAP];
	int rc;

	/* The key ID is an object key, so it gets the same lowercase,
	 * exact-length rule as every other hex value. */
	if (strlen(keyid_hex) != 2 * sizeof(key->keyid) ||
	    fws_hex_decode_exact(key->keyid, sizeof(key->keyid), keyid_hex) != 0)
		return fws_diag_set(FWS_ESCHEMA, 0, NULL,
				    "%s is not a key ID (64 lowercase hex characters)",
				    fws_json_quote(q, keyid_hex, strlen(keyid_hex)));
	rc = fws_json_check_keys(obj, key_keys, COUNT(key_keys), NULL, 0);
	if (rc == 0)
		rc = expect_string(obj, "keytype", ED25519);
	if (rc == 0)
		rc = expect_string(obj, "scheme", ED25519);
	if (rc == 0)
		rc = fws_json_get_object(obj, "keyval", keyval_keys, COUNT(keyval_keys), NULL, 0,
					 NULL);
	/* Whether the ID really is SHA-256 of this key is fws_root_check's
	 * job (FWS_EKEYID). */
	if (rc == 0)
		rc = fws_json_within(fws_json_get_hex(json_object_get(obj, "keyval"), "public",
						      key->public_key, sizeof(key->public_key)),
				     "keyval");
	return fws_json_within(rc, "%s", keyid_hex);
}

static int decode_keys(const json_t *doc, struct fws_root *root)
{
	const json_t *obj = json_object_get(doc, "keys");
	const char *keyid;
	json_t *member;
	size_t n, i = 0;
	int rc;

	if (!json_is_object(obj)) {
		/* The wording of every other wrong type. */
		rc = fws_json_get_object(doc, "keys", NULL, 0, NULL, 0, NULL);
		return rc != 0 ? rc : FWS_EINTERNAL;
	}
	n = json_object_size(obj);
	if (n == 0)
		return fws_diag_set(FWS_ESCHEMA, 0, "keys", "0 entries, at least 1");
	if (n > FWS_MAX_KEYS)
		return fws_diag_set(FWS_ELIMIT, 0, "keys", "%zu entries, at most %d", n,
				    FWS_MAX_KEYS);
	/* Duplicate key IDs cannot occur: the parser refuses duplicate keys. */
	json_object_foreach((json_t *)obj, keyid, member)
	{
		if (i >= FWS_MAX_KEYS)
			return FWS_EINTERNAL;
		rc = decode_key(keyid, member, &root->keys[i]);
		if (rc != 0)
			return fws_json_within(rc, "keys");
		i++;
	}
	if (i != n)
		return FWS_EINTERNAL;
	root->n_keys = n;
	return 0;
}

static int decode_role(const json_t *obj, struct fws_role *role)
{
	const json_t *ids;
	char where[32];
	uint64_t t;
	size_t n;
	int rc;

	rc = fws_json_check_keys(obj, role_keys, COUNT(role_keys), NULL, 0);
	if (rc != 0)
		return rc;
	rc = fws_json_get_array(obj, "keyids", 1, FWS_MAX_KEYS, FWS_ELIMIT, &ids, &n);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		rc = fws_json_hex(json_array_get(ids, i), role->keyids[i], sizeof(role->keyids[i]));
		if (rc != 0)
			return fws_json_within(rc, "keyids[%zu]", i);
		/* A key listed twice must not be able to count twice toward
		 * the threshold, whatever the counting code does. */
		for (size_t j = 0; j < i; j++) {
			if (memcmp(role->keyids[i], role->keyids[j], sizeof(role->keyids[i])) ==
			    0) {
				snprintf(where, sizeof(where), "keyids[%zu]", i);
				return fws_diag_set(FWS_ESCHEMA, 0, where,
						    "the same key ID as keyids[%zu] (a key counts "
						    "once)",
						    j);
			}
		}
	}
	role->n_keyids = n;
	rc = fws_json_get_uint(obj, "threshold", 0, FWS_SIZE_MAX, &t);
	if (rc != 0)
		return rc;
	/* n <= FWS_MAX_KEYS, so a larger threshold can never be met; refused
	 * here before it is narrowed to 32 bits (0 and t > n: fws_root_check). */
	if (t > FWS_MAX_KEYS)
		return fws_diag_set(FWS_ETHRESHOLDDEF, 0, "threshold",
				    "%llu is not between 1 and the role's %zu key%s",
				    (unsigned long long)t, n, n == 1 ? "" : "s");
	role->threshold = (uint32_t)t;
	return 0;
}

/* Says which invariant fws_root_check refused, checking them in its order
 * (lib/core stays free of formatting; it only returns the code). The
 * decoder has already checked everything else it checks. */
static int explain_root_check(const struct fws_root *root, int rc)
{
	char hex[2 * 32 + 1], want[2 * 32 + 1], a[21], b[21];
	uint8_t id[32];

	if (rc == FWS_ESCHEMA && root->created > root->expires) {
		if (fws_time_format(root->expires, a) == 0 &&
		    fws_time_format(root->created, b) == 0)
			return fws_diag_set(rc, 0, "expires", "%s is before created %s", a, b);
		return fws_diag_set(rc, 0, "expires", "before created");
	}
	for (size_t i = 0; i < root->n_keys && i < FWS_MAX_KEYS; i++) {
		fws_keyid(root->keys[i].public_key, id);
		if (memcmp(id, root->keys[i].keyid, 32) == 0)
			continue;
		fws_hex_encode(hex, root->keys[i].keyid, 32);
		fws_hex_encode(want, id, 32);
		(void)fws_diag_set(rc, 0, NULL, "not the SHA-256 of keyval.public, which is %s",
				   want);
		fws_diag_prefix('.', "keys.%s", hex);
		return rc;
	}
	for (int r = 0; r < FWS_ROLE_COUNT; r++) {
		const struct fws_role *role = &root->roles[r];
		if (r == FWS_ROLE_TIMESTAMP && role->n_keyids == 0 && role->threshold == 0)
			continue;
		for (size_t i = 0; i < role->n_keyids && i < FWS_MAX_KEYS; i++) {
			if (fws_root_find_key(root, role->keyids[i]) != NULL)
				continue;
			fws_hex_encode(hex, role->keyids[i], 32);
			(void)fws_diag_set(rc, 0, NULL, "\"%s\" is not listed in keys", hex);
			fws_diag_prefix('.', "roles.%s.keyids[%zu]", role_names[r], i);
			return rc;
		}
		if (role->threshold < 1 || role->threshold > role->n_keyids) {
			(void)fws_diag_set(rc, 0, NULL,
					   "%u is not between 1 and the role's %zu key%s",
					   (unsigned)role->threshold, role->n_keyids,
					   role->n_keyids == 1 ? "" : "s");
			fws_diag_prefix('.', "roles.%s.threshold", role_names[r]);
			return rc;
		}
	}
	return fws_diag_set(rc, 0, NULL, "the root's invariants do not hold (fws_root_check)");
}

int fws_root_decode(const uint8_t *json, size_t len, struct fws_root *root)
{
	int rc = FWS_EUSAGE;
	json_t *doc = NULL;
	const json_t *roles;
	uint64_t v;

	if (root == NULL)
		return FWS_EUSAGE;
	memset(root, 0, sizeof(*root));
	if (json == NULL)
		goto out;
	rc = fws_json_load(json, len, FWS_BODY_MAX, &doc);
	if (rc != 0)
		goto out;
	rc = fws_json_check_keys(doc, root_keys, COUNT(root_keys), NULL, 0);
	if (rc != 0)
		goto out;
	rc = fws_json_get_uint(doc, "schema", 1, 1, &v);
	if (rc != 0)
		goto out;
	root->schema = (uint32_t)v;
	rc = fws_json_get_uint(doc, "version", 1, FWS_SIZE_MAX, &root->version);
	if (rc != 0)
		goto out;
	rc = fws_json_get_time(doc, "created", &root->created);
	if (rc != 0)
		goto out;
	rc = fws_json_get_time(doc, "expires", &root->expires);
	if (rc != 0)
		goto out;
	rc = decode_keys(doc, root);
	if (rc != 0)
		goto out;
	/* root and release always: a missing release role must not read as
	 * "no release keys needed". timestamp only for a fleet with channels;
	 * when present, it has keys and a threshold like the others. */
	rc = fws_json_get_object(doc, "roles", role_names, REQUIRED_ROLES,
				 role_names + REQUIRED_ROLES, FWS_ROLE_COUNT - REQUIRED_ROLES,
				 &roles);
	if (rc != 0)
		goto out;
	for (int r = 0; r < FWS_ROLE_COUNT; r++) {
		if (r >= REQUIRED_ROLES && json_object_get(roles, role_names[r]) == NULL)
			continue;
		rc = decode_role(json_object_get(roles, role_names[r]), &root->roles[r]);
		if (rc != 0) {
			rc = fws_json_within(rc, "roles.%s", role_names[r]);
			goto out;
		}
	}
	rc = fws_root_check(root);
	if (rc != 0)
		rc = explain_root_check(root, rc);
out:
	if (rc != 0)
		memset(root, 0, sizeof(*root));
	json_decref(doc);
	return rc;
}

static int set_hex(json_t *obj, const char *key, const uint8_t bytes[32])
{
	char hex[2 * 32 + 1];

	fws_hex_encode(hex, bytes, 32);
	return fws_json_set(obj, key, json_string(hex));
}

static int encode_key(const struct fws_key *key, json_t **out)
{
	int rc = FWS_ENOMEM;
	json_t *obj = json_object(), *keyval = json_object();

	if (obj == NULL || keyval == NULL)
		goto out;
	rc = fws_json_set(obj, "keytype", json_string(ED25519));
	if (rc == 0)
		rc = fws_json_set(obj, "scheme", json_string(ED25519));
	if (rc == 0)
		rc = set_hex(keyval, "public", key->public_key);
	if (rc != 0)
		goto out;
	rc = fws_json_set(obj, "keyval", keyval);
	keyval = NULL;
	if (rc != 0)
		goto out;
	*out = obj;
	obj = NULL;
out:
	json_decref(keyval);
	json_decref(obj);
	return rc;
}

static int encode_role(const struct fws_role *role, json_t **out)
{
	int rc = FWS_ENOMEM;
	json_t *obj = json_object(), *ids = json_array();
	char hex[2 * 32 + 1];

	if (obj == NULL || ids == NULL)
		goto out;
	for (size_t i = 0; i < role->n_keyids; i++) {
		fws_hex_encode(hex, role->keyids[i], sizeof(role->keyids[i]));
		rc = fws_json_append(ids, json_string(hex));
		if (rc != 0)
			goto out;
	}
	rc = fws_json_set(obj, "keyids", ids);
	ids = NULL;
	if (rc == 0)
		rc = fws_json_set(obj, "threshold", json_integer((json_int_t)role->threshold));
	if (rc != 0)
		goto out;
	*out = obj;
	obj = NULL;
out:
	json_decref(ids);
	json_decref(obj);
	return rc;
}

/* The decoder with the signature fws_json_emit_checked expects. */
static int decode_any(const uint8_t *json, size_t len, void *out)
{
	return fws_root_decode(json, len, out);
}

int fws_root_encode(const struct fws_root *root, char **out, size_t *out_len)
{
	int rc = FWS_EUSAGE;
	json_t *doc = NULL, *keys = NULL, *roles = NULL, *item = NULL;
	char hex[2 * 32 + 1];

	if (out == NULL || out_len == NULL)
		return FWS_EUSAGE;
	*out = NULL;
	*out_len = 0;
	if (root == NULL)
		goto out;
	/* Counts bound the loops below: checked before any array is read. */
	rc = FWS_ELIMIT;
	if (root->n_keys > FWS_MAX_KEYS || root->roles[FWS_ROLE_ROOT].n_keyids > FWS_MAX_KEYS ||
	    root->roles[FWS_ROLE_RELEASE].n_keyids > FWS_MAX_KEYS ||
	    root->roles[FWS_ROLE_TIMESTAMP].n_keyids > FWS_MAX_KEYS || root->version > FWS_SIZE_MAX)
		goto out;

	rc = FWS_ENOMEM;
	doc = json_object();
	keys = json_object();
	roles = json_object();
	if (doc == NULL || keys == NULL || roles == NULL)
		goto out;
	rc = fws_json_set(doc, "schema", json_integer((json_int_t)root->schema));
	if (rc == 0)
		rc = fws_json_set(doc, "version", json_integer((json_int_t)root->version));
	if (rc == 0)
		rc = fws_json_set_time(doc, "created", root->created);
	if (rc == 0)
		rc = fws_json_set_time(doc, "expires", root->expires);
	if (rc != 0)
		goto out;
	for (size_t i = 0; i < root->n_keys; i++) {
		rc = encode_key(&root->keys[i], &item);
		if (rc != 0)
			goto out;
		fws_hex_encode(hex, root->keys[i].keyid, sizeof(root->keys[i].keyid));
		rc = fws_json_set(keys, hex, item);
		item = NULL;
		if (rc != 0)
			goto out;
	}
	/* Two entries with one key ID would collapse into one object member. */
	rc = FWS_ESCHEMA;
	if (json_object_size(keys) != root->n_keys)
		goto out;
	for (int r = 0; r < FWS_ROLE_COUNT; r++) {
		/* An absent timestamp role stays absent: a root without
		 * channels encodes as it always did. */
		if (r >= REQUIRED_ROLES && root->roles[r].n_keyids == 0 &&
		    root->roles[r].threshold == 0)
			continue;
		rc = encode_role(&root->roles[r], &item);
		if (rc != 0)
			goto out;
		rc = fws_json_set(roles, role_names[r], item);
		item = NULL;
		if (rc != 0)
			goto out;
	}
	rc = fws_json_set(doc, "keys", keys);
	keys = NULL;
	if (rc == 0)
		rc = fws_json_set(doc, "roles", roles);
	roles = NULL;
	if (rc != 0)
		goto out;

	rc = fws_json_emit_checked(doc, decode_any, sizeof(struct fws_root), out, out_len);
out:
	json_decref(item);
	json_decref(roles);
	json_decref(keys);
	json_decref(doc);
	return rc;
}

/* Why a root's own root role did not sign it (the core only says which
 * of the three failures it was). */
static int explain_self_signed(const struct fws_root *root, const struct fws_envelope *env, int rc)
{
	const struct fws_role *role = &root->roles[FWS_ROLE_ROOT];
	struct fws_signers valid;
	char hex[2 * 32 + 1], where[32];
	int again;

	if (rc != FWS_EUNTRUSTED && rc != FWS_EBADSIG && rc != FWS_ETHRESHOLD)
		return rc;
	again = fws_envelope_verify(env, FWS_TYPE_ROOT, root, FWS_ROLE_ROOT, &valid);
	if (again != rc)
		return fws_diag_set(rc, 0, "signatures", "not signed by its own root role");
	if (rc == FWS_EUNTRUSTED)
		return fws_diag_set(rc, 0, "signatures",
				    "none is by a key of its own root role (%zu key%s)",
				    role->n_keyids, role->n_keyids == 1 ? "" : "s");
	if (rc == FWS_ETHRESHOLD)
		return fws_diag_set(rc, 0, "signatures",
				    "%zu valid by its root role's keys, its threshold is %u",
				    valid.n, (unsigned)role->threshold);
	/* EBADSIG: the first signature by a root key that did not count. */
	for (size_t i = 0; i < env->n_sigs && i < FWS_MAX_SIGNATURES; i++) {
		int counted = 0;
		if (!fws_root_role_has(root, FWS_ROLE_ROOT, env->sigs[i].keyid))
			continue;
		for (size_t j = 0; j < valid.n; j++)
			counted |= memcmp(valid.keyids[j], env->sigs[i].keyid, 32) == 0;
		if (counted)
			continue;
		fws_hex_encode(hex, env->sigs[i].keyid, 32);
		snprintf(where, sizeof(where), "signatures[%zu]", i);
		return fws_diag_set(rc, 0, where,
				    "the signature by root key %.16s... does not verify (the root "
				    "was altered after signing)",
				    hex);
	}
	return fws_diag_set(rc, 0, "signatures", "a root key's signature does not verify");
}

/* A root that does not decode may be another kind of file given as the
 * root (a bundle, the release description): say that, not its first
 * syntax error. */
static int not_a_root(const uint8_t *head, size_t n, int rc)
{
	const char *kind = fws_input_kind(head, n);
	if (kind == NULL || strcmp(kind, "JSON") == 0 || strncmp(kind, "a signed", 8) == 0)
		return rc;
	return fws_diag_set(FWS_EPAYLOADTYPE, 0, NULL,
			    "this is %s, not a root of trust (a root.json made by fwseal-keys root "
			    "init)",
			    kind);
}

int fws_root_load(const uint8_t *json, size_t len, struct fws_root *root, struct fws_envelope *env)
{
	char q[FWS_JSON_QUOTE_CAP];
	int rc = FWS_EUSAGE;
	struct fws_envelope *own = NULL;
	size_t body_len;
	const uint8_t *body;

	if (root == NULL)
		return FWS_EUSAGE;
	memset(root, 0, sizeof(*root));
	if (json == NULL)
		goto out;
	if (env == NULL) {
		rc = FWS_ENOMEM;
		own = malloc(sizeof(*own));
		if (own == NULL)
			goto out;
		env = own;
	}
	memset(env, 0, sizeof(*env));
	rc = fws_envelope_decode(json, len, env);
	if (rc != 0) {
		rc = not_a_root(json, len, rc);
		goto out;
	}
	/* A manifest (or any other signed document) must never be taken for
	 * a root, even when the same keys signed it. */
	if (strcmp(env->payload_type, FWS_TYPE_ROOT) != 0) {
		rc = fws_diag_set(FWS_EPAYLOADTYPE, 0, "payloadType", "%s is not a root (%s)",
				  fws_json_quote(q, env->payload_type, strlen(env->payload_type)),
				  FWS_TYPE_ROOT);
		goto out;
	}
	rc = FWS_EINTERNAL;
	body = fws_envelope_body(env, &body_len);
	if (body == NULL)
		goto out;
	/* The body's own syntax errors are about the decoded payload, not
	 * the lines of the file. */
	rc = fws_root_decode(body, body_len, root);
	if (rc == FWS_EJSON)
		rc = fws_json_within(rc, "payload");
	if (rc != 0)
		goto out;
	rc = fws_root_check_self_signed(root, env);
	if (rc != 0)
		rc = explain_self_signed(root, env, rc);
out:
	if (rc != 0) {
		memset(root, 0, sizeof(*root));
		if (env != NULL)
			memset(env, 0, sizeof(*env));
	}
	free(own);
	return rc;
}

/* Larger than any root: a bundle given as the root is named as one. */
static int too_big_for_a_root(const char *path, int rc)
{
	uint8_t head[512];
	size_t got = 0;
	struct fws_diag saved = *fws_diag_last();
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return rc;
	int read_rc = fws_io_read_full(fd, head, sizeof(head), &got);
	close(fd);
	fws_diag_restore(&saved);
	return read_rc == 0 ? not_a_root(head, got, rc) : rc;
}

int fws_root_load_file(const char *path, struct fws_root *root, struct fws_envelope *env)
{
	uint8_t *data = NULL;
	size_t len;
	int rc;

	if (root == NULL)
		return FWS_EUSAGE;
	memset(root, 0, sizeof(*root));
	if (path == NULL)
		return FWS_EUSAGE;
	rc = fws_file_read_all(path, FWS_ENVELOPE_MAX, &data, &len);
	if (rc == 0)
		rc = fws_root_load(data, len, root, env);
	else if (rc == FWS_ELIMIT)
		rc = too_big_for_a_root(path, rc);
	free(data);
	return rc;
}
