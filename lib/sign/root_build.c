/* SPDX-License-Identifier: Apache-2.0 */
/* Building, co-signing and checking roots of trust on the signing side:
 * what `fwseal-keys root init|new|sign|verify|show` do, as library calls.
 *
 * Threats: a root that trusts nobody or everybody (thresholds 0 or above
 * the key count, a role left empty); a typo read as a revocation (removing
 * a key ID that is not there); a root signed by a key with no authority
 * over it (neither its own root keys nor the previous root's); a new root
 * built on a signing clock that runs backwards (devices use the highest
 * `created` they have seen as trusted time); signing under an expired root.
 * The verifying rules themselves live in the core (fws_root_check,
 * fws_root_check_successor), never here. */
#include <stdlib.h>
#include <string.h>

#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/fileio.h"
#include "fwseal/keys.h"
#include "fwseal/limits.h"

/* The last second the RFC 3339 times in our formats can carry. */
#define TIME_MAX INT64_C(253402300799)
#define DAY INT64_C(86400)

static int role_index(const struct fws_role *r, const uint8_t keyid[32], size_t *at)
{
	for (size_t i = 0; i < r->n_keyids && i < FWS_MAX_KEYS; i++) {
		if (memcmp(r->keyids[i], keyid, 32) == 0) {
			if (at != NULL)
				*at = i;
			return 1;
		}
	}
	return 0;
}

static void role_remove(struct fws_role *r, size_t at)
{
	memmove(r->keyids[at], r->keyids[at + 1], (r->n_keyids - at - 1) * sizeof r->keyids[0]);
	r->n_keyids--;
	memset(r->keyids[r->n_keyids], 0, sizeof r->keyids[0]);
}

static int edit_valid(const struct fws_root_edit *edit)
{
	if (edit == NULL || edit->n_add > FWS_ROLE_COUNT * FWS_MAX_KEYS ||
	    edit->n_remove > FWS_MAX_KEYS)
		return FWS_EUSAGE;
	for (size_t i = 0; i < edit->n_add; i++) {
		if (edit->add[i].role != FWS_ROLE_ROOT && edit->add[i].role != FWS_ROLE_RELEASE &&
		    edit->add[i].role != FWS_ROLE_TIMESTAMP)
			return FWS_EUSAGE;
	}
	if (edit->expires_days > FWS_ROOT_EXPIRES_DAYS_MAX)
		return FWS_EUSAGE;
	return 0;
}

/* Applies edit to root (keys, roles, thresholds) and sets the times. */
static int apply_edit(struct fws_root *root, const struct fws_root_edit *edit, int64_t now)
{
	uint8_t id[32];
	uint32_t days =
	    edit->expires_days != 0 ? edit->expires_days : FWS_ROOT_EXPIRES_DAYS_DEFAULT;
	size_t at;

	if (now < 0 || now > TIME_MAX - (int64_t)days * DAY)
		return FWS_ECLOCK;
	root->created = now;
	root->expires = now + (int64_t)days * DAY;

	for (size_t i = 0; i < edit->n_remove; i++) {
		int found = 0;

		/* Removing and adding one key in one edit is ambiguous. */
		for (size_t j = 0; j < edit->n_add; j++) {
			fws_keyid(edit->add[j].public_key, id);
			if (memcmp(id, edit->remove[i], 32) == 0)
				return FWS_EUSAGE;
		}
		for (int r = 0; r < FWS_ROLE_COUNT; r++) {
			if (role_index(&root->roles[r], edit->remove[i], &at)) {
				role_remove(&root->roles[r], at);
				found = 1;
			}
		}
		/* Not in any role (or listed twice in the edit): a typo must
		 * never look like a revocation that happened. */
		if (!found)
			return FWS_EUSAGE;
	}

	for (size_t i = 0; i < edit->n_add; i++) {
		struct fws_role *r = &root->roles[edit->add[i].role];

		fws_keyid(edit->add[i].public_key, id);
		if (role_index(r, id, NULL))
			return FWS_EUSAGE;
		if (r->n_keyids >= FWS_MAX_KEYS)
			return FWS_ELIMIT;
		memcpy(r->keyids[r->n_keyids++], id, 32);
		if (fws_root_find_key(root, id) == NULL) {
			if (root->n_keys >= FWS_MAX_KEYS)
				return FWS_ELIMIT;
			memcpy(root->keys[root->n_keys].keyid, id, 32);
			memcpy(root->keys[root->n_keys].public_key, edit->add[i].public_key, 32);
			root->n_keys++;
		}
	}

	/* Keys no role names any more are dropped: a revoked key must not stay
	 * in the document where a later edit could quietly reuse it. */
	for (size_t i = 0; i < root->n_keys;) {
		if (role_index(&root->roles[FWS_ROLE_ROOT], root->keys[i].keyid, NULL) ||
		    role_index(&root->roles[FWS_ROLE_RELEASE], root->keys[i].keyid, NULL) ||
		    role_index(&root->roles[FWS_ROLE_TIMESTAMP], root->keys[i].keyid, NULL)) {
			i++;
			continue;
		}
		memmove(&root->keys[i], &root->keys[i + 1],
			(root->n_keys - i - 1) * sizeof root->keys[0]);
		root->n_keys--;
		memset(&root->keys[root->n_keys], 0, sizeof root->keys[0]);
	}

	/* Keys in key ID order, the order the canonical JSON has them in, so
	 * the struct built here equals the one any verifier decodes. */
	for (size_t i = 1; i < root->n_keys; i++) {
		struct fws_key tmp = root->keys[i];
		size_t j = i;

		for (; j > 0 && memcmp(root->keys[j - 1].keyid, tmp.keyid, 32) > 0; j--)
			root->keys[j] = root->keys[j - 1];
		root->keys[j] = tmp;
	}

	/* The timestamp role appears with its first key (threshold 1 unless
	 * set) and disappears with its last: a root without it signs no
	 * channel, and never holds a threshold without keys. */
	struct fws_role *ts = &root->roles[FWS_ROLE_TIMESTAMP];
	if (ts->n_keyids > 0 && ts->threshold == 0)
		ts->threshold = 1;
	if (ts->n_keyids == 0 && edit->threshold_set[FWS_ROLE_TIMESTAMP])
		return FWS_ETHRESHOLDDEF; /* a threshold for a role with no key */
	if (ts->n_keyids == 0)
		ts->threshold = 0;
	for (int r = 0; r < FWS_ROLE_COUNT; r++) {
		if (edit->threshold_set[r])
			root->roles[r].threshold = edit->threshold[r];
		if (r == FWS_ROLE_TIMESTAMP)
			continue; /* optional: fws_root_check decides */
		/* An empty role trusts nobody for that job: the root could never
		 * be rotated again (root) or nothing could ever be released. */
		if (root->roles[r].n_keyids == 0)
			return FWS_ETHRESHOLDDEF;
	}
	return fws_root_check(root);
}

int fws_root_build_initial(const struct fws_root_edit *edit, int64_t now, struct fws_root *out)
{
	int rc;

	if (out == NULL)
		return FWS_EUSAGE;
	memset(out, 0, sizeof *out);
	if ((rc = edit_valid(edit)) != 0)
		goto out;
	rc = FWS_EUSAGE;
	if (edit->n_remove != 0)
		goto out;
	out->schema = 1;
	out->version = 1;
	out->roles[FWS_ROLE_ROOT].threshold = 1;
	out->roles[FWS_ROLE_RELEASE].threshold = 1;
	rc = apply_edit(out, edit, now);
out:
	if (rc != 0)
		memset(out, 0, sizeof *out);
	return rc;
}

int fws_root_build_next(const struct fws_root *from, const struct fws_root_edit *edit, int64_t now,
			struct fws_root *out)
{
	int rc;

	if (out == NULL)
		return FWS_EUSAGE;
	memset(out, 0, sizeof *out);
	if (from == NULL || (rc = edit_valid(edit)) != 0) {
		rc = FWS_EUSAGE;
		goto out;
	}
	/* Only a valid root has a meaningful successor. Expiry is not checked:
	 * an expired root must be rotatable, or a fleet could never recover. */
	if ((rc = fws_root_check(from)) != 0)
		goto out;
	rc = FWS_EROOTVERSION;
	if (from->version >= FWS_SIZE_MAX)
		goto out;
	rc = FWS_ECLOCK;
	if (now < from->created)
		goto out;
	*out = *from;
	out->version = from->version + 1;
	rc = apply_edit(out, edit, now);
out:
	if (rc != 0)
		memset(out, 0, sizeof *out);
	return rc;
}

int fws_root_check_not_expired(const struct fws_root *root, int64_t now)
{
	if (root == NULL)
		return FWS_EUSAGE;
	/* The same boundary as every verifier: expired once now > expires. */
	return now > root->expires ? FWS_EEXPIRED : 0;
}

/* The authority rule for adding a signature: the key must be one of the
 * document's own root keys or of the root it rotates from. Anything else
 * would only add noise that every verifier ignores, or worse, suggest to a
 * reader that an outsider's signature mattered. */
static int signer_authorised(const struct fws_root *root, const struct fws_root *previous,
			     const struct fws_signing_key *key)
{
	uint8_t pk[32], keyid[32];

	fws_signing_key_public(key, pk, keyid);
	if (fws_root_role_has(root, FWS_ROLE_ROOT, keyid))
		return 0;
	if (previous != NULL && fws_root_role_has(previous, FWS_ROLE_ROOT, keyid))
		return 0;
	return FWS_ENOTAUTHORISED;
}

/* previous must be the root this one succeeds: otherwise its keys'
 * signatures could never count under the rotation rule. */
static int check_previous(const struct fws_root *root, const struct fws_root *previous)
{
	if (previous == NULL)
		return 0;
	if (previous->version >= FWS_SIZE_MAX || root->version != previous->version + 1)
		return FWS_EROOTVERSION;
	return 0;
}

/* Who of role root's keys signed env, for reports only: the decision is
 * made by the caller from its own checks, never from this result. */
static void who_signed(const struct fws_envelope *env, const struct fws_root *root,
		       struct fws_signers *signers)
{
	int ignored = fws_envelope_verify(env, FWS_TYPE_ROOT, root, FWS_ROLE_ROOT, signers);
	(void)ignored;
}

static void fill_status(const struct fws_root *root, const struct fws_envelope *env,
			const struct fws_root *previous, struct fws_root_status *st)
{
	memset(st, 0, sizeof *st);
	st->own_rc = fws_envelope_verify(env, FWS_TYPE_ROOT, root, FWS_ROLE_ROOT, &st->own);
	if (previous != NULL) {
		st->has_previous = 1;
		st->previous_version = previous->version;
		st->previous_rc = check_previous(root, previous);
		if (st->previous_rc == 0)
			st->previous_rc = fws_envelope_verify(env, FWS_TYPE_ROOT, previous,
							      FWS_ROLE_ROOT, &st->previous);
		else
			who_signed(env, previous, &st->previous);
	}
	/* Older link first, as fws_root_advance checks it. */
	st->rc = st->previous_rc != 0 ? st->previous_rc : st->own_rc;
}

/* Reads path as a (possibly unsigned) root envelope and decodes its body. */
static int load_draft(const char *path, struct fws_root *root, struct fws_envelope *env)
{
	uint8_t *data = NULL;
	const uint8_t *body;
	size_t len = 0, body_len = 0;
	int rc;

	rc = fws_file_read_all(path, FWS_ENVELOPE_MAX, &data, &len);
	if (rc == 0)
		rc = fws_envelope_decode_draft(data, len, env);
	/* A manifest must never be taken for a root, even unsigned. */
	if (rc == 0 && strcmp(env->payload_type, FWS_TYPE_ROOT) != 0)
		rc = FWS_EPAYLOADTYPE;
	if (rc == 0) {
		body = fws_envelope_body(env, &body_len);
		rc = body == NULL ? FWS_EINTERNAL : fws_root_decode(body, body_len, root);
	}
	free(data);
	return rc;
}

/* Working memory of one operation: roots and envelopes are large. */
struct root_work {
	struct fws_root root;
	struct fws_root previous;
	struct fws_envelope env;
	struct fws_envelope prev_env;
};

int fws_root_inspect_file(const char *path, const char *previous_path, struct fws_root *root,
			  struct fws_envelope *env, struct fws_root *previous,
			  struct fws_root_status *st)
{
	struct root_work *w = NULL;
	int rc = FWS_EUSAGE;

	if (path == NULL || st == NULL)
		goto out;
	memset(st, 0, sizeof *st);
	rc = FWS_ENOMEM;
	if ((w = calloc(1, sizeof *w)) == NULL)
		goto out;
	if ((rc = load_draft(path, &w->root, &w->env)) != 0)
		goto out;
	if (previous_path != NULL &&
	    (rc = fws_root_load_file(previous_path, &w->previous, &w->prev_env)) != 0)
		goto out;
	fill_status(&w->root, &w->env, previous_path != NULL ? &w->previous : NULL, st);
	if (root != NULL)
		*root = w->root;
	if (env != NULL)
		*env = w->env;
	if (previous != NULL)
		*previous = w->previous;
	rc = 0;
out:
	free(w);
	return rc;
}

/* Signs env (holding root) after the authority and expiry checks. */
static int sign_root_env(struct fws_envelope *env, const struct fws_root *root,
			 const struct fws_root *previous, const struct fws_signing_key *key,
			 int64_t now)
{
	int rc;

	if ((rc = check_previous(root, previous)) != 0)
		return rc;
	/* Never put a signature on a root that is already dead: it can only
	 * be published by mistake. (The root it rotates FROM may be expired.) */
	if ((rc = fws_root_check_not_expired(root, now)) != 0)
		return rc;
	if ((rc = signer_authorised(root, previous, key)) != 0)
		return rc;
	return fws_envelope_sign(env, key);
}

static int write_env(const char *path, const struct fws_envelope *env, int policy,
		     const char *const *inputs, size_t n_inputs)
{
	char *json = NULL;
	size_t len = 0;
	/* The draft encoder: a root written by `root new` without --sign has
	 * no signature yet (every verifier's decoder refuses it). */
	int rc = fws_envelope_encode_draft(env, &json, &len);

	if (rc == 0)
		rc = fws_file_write_atomic(path, json, len, 0644, policy, inputs, n_inputs);
	free(json);
	return rc;
}

int fws_root_write_new(const char *path, const struct fws_root *root,
		       const struct fws_root *previous, const struct fws_signing_key *key,
		       int64_t now, int policy, const char *const *inputs, size_t n_inputs,
		       struct fws_envelope *env_out)
{
	struct fws_envelope *env = NULL;
	char *body = NULL;
	size_t body_len = 0;
	int rc = FWS_EUSAGE;

	if (path == NULL || root == NULL)
		goto out;
	rc = FWS_ENOMEM;
	if ((env = calloc(1, sizeof *env)) == NULL)
		goto out;
	/* fws_root_encode decodes its own output: fws_root_check has run. */
	if ((rc = fws_root_encode(root, &body, &body_len)) != 0)
		goto out;
	if ((rc = fws_envelope_set_body(env, FWS_TYPE_ROOT, (const uint8_t *)body, body_len)) != 0)
		goto out;
	if ((rc = check_previous(root, previous)) != 0)
		goto out;
	if (key != NULL && (rc = sign_root_env(env, root, previous, key, now)) != 0)
		goto out;
	if (policy == FWS_OUT_UPDATE) {
		rc = FWS_EUSAGE; /* a new root is never an update in place */
		goto out;
	}
	if ((rc = write_env(path, env, policy, inputs, n_inputs)) != 0)
		goto out;
	if (env_out != NULL)
		*env_out = *env;
out:
	free(body);
	free(env);
	return rc;
}

int fws_root_sign_file(const char *path, const struct fws_signing_key *key,
		       const char *previous_path, int64_t now, const char *const *inputs,
		       size_t n_inputs, struct fws_root_status *st)
{
	struct root_work *w = NULL;
	const struct fws_root *previous = NULL;
	const char *in[FWS_OUT_INPUTS_MAX];
	size_t n = 0;
	int rc = FWS_EUSAGE;

	if (st != NULL)
		memset(st, 0, sizeof *st);
	/* Every input is checked or the call is refused: never a silent
	 * subset (one left out could be written over). */
	if (path == NULL || key == NULL || (inputs == NULL && n_inputs > 0) ||
	    n_inputs + (previous_path != NULL) > FWS_OUT_INPUTS_MAX)
		goto out;
	/* Signed in place; the previous root and the key are inputs it must
	 * never be written over (checked before anything else is done). */
	if (previous_path != NULL)
		in[n++] = previous_path;
	for (size_t i = 0; i < n_inputs; i++)
		in[n++] = inputs[i];
	if ((rc = fws_output_check(path, FWS_OUT_UPDATE, in, n)) != 0)
		goto out;
	rc = FWS_ENOMEM;
	if ((w = calloc(1, sizeof *w)) == NULL)
		goto out;
	if ((rc = load_draft(path, &w->root, &w->env)) != 0)
		goto out;
	if (previous_path != NULL) {
		/* The previous root must itself be one its own keys signed. */
		if ((rc = fws_root_load_file(previous_path, &w->previous, &w->prev_env)) != 0)
			goto out;
		previous = &w->previous;
	}
	if ((rc = sign_root_env(&w->env, &w->root, previous, key, now)) != 0)
		goto out;
	if ((rc = write_env(path, &w->env, FWS_OUT_UPDATE, in, n)) != 0)
		goto out;
	if (st != NULL)
		fill_status(&w->root, &w->env, previous, st);
out:
	free(w);
	return rc;
}

int fws_root_step_file(struct fws_root *cur, const char *path, struct fws_signers *old_signers,
		       struct fws_signers *new_signers)
{
	struct root_work *w = NULL;
	uint8_t *data = NULL;
	const uint8_t *body;
	size_t len = 0, body_len = 0;
	int rc = FWS_EUSAGE;

	if (old_signers != NULL)
		memset(old_signers, 0, sizeof *old_signers);
	if (new_signers != NULL)
		memset(new_signers, 0, sizeof *new_signers);
	if (cur == NULL || path == NULL)
		goto out;
	rc = FWS_ENOMEM;
	if ((w = calloc(1, sizeof *w)) == NULL)
		goto out;
	if ((rc = fws_file_read_all(path, FWS_ENVELOPE_MAX, &data, &len)) != 0)
		goto out;
	w->previous = *cur;
	/* The decision is fws_root_advance's alone; what follows only
	 * reports who signed, for the operator. */
	rc = fws_root_advance(cur, data, len, &w->env, &w->root);
	if (fws_envelope_decode(data, len, &w->env) != 0)
		goto out;
	if (old_signers != NULL)
		who_signed(&w->env, &w->previous, old_signers);
	body = fws_envelope_body(&w->env, &body_len);
	if (new_signers != NULL && body != NULL && fws_root_decode(body, body_len, &w->root) == 0)
		who_signed(&w->env, &w->root, new_signers);
out:
	free(data);
	free(w);
	return rc;
}
