/* SPDX-License-Identifier: Apache-2.0 */
/* Root of trust invariants and the rotation rule (design.md "Root of trust").
 *
 * Threats: a root whose key ID does not match its key (a signer listed under
 * someone else's ID); a threshold of 0 (accepts anything) or above the key
 * count (accepts nothing: a bricked trust store); a rollback to an older root
 * that still trusts a revoked key; a skipped version that hides a revocation;
 * a new root signed only by the keys it introduces (takeover). */
#include <sodium.h>
#include <string.h>

#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/limits.h"
#include "fwseal/root.h"

const struct fws_key *fws_root_find_key(const struct fws_root *root, const uint8_t keyid[32])
{
	size_t i;

	if (root == NULL || keyid == NULL || root->n_keys > FWS_MAX_KEYS)
		return NULL;
	for (i = 0; i < root->n_keys; i++) {
		if (sodium_memcmp(root->keys[i].keyid, keyid, 32) == 0)
			return &root->keys[i];
	}
	return NULL;
}

static int role_check(const struct fws_root *root, const struct fws_role *r)
{
	size_t i, j;

	if (r->n_keyids < 1 || r->n_keyids > FWS_MAX_KEYS)
		return FWS_ESCHEMA;
	for (i = 0; i < r->n_keyids; i++) {
		/* A key ID repeated in a role would count one key twice. */
		for (j = 0; j < i; j++) {
			if (sodium_memcmp(r->keyids[i], r->keyids[j], 32) == 0)
				return FWS_ESCHEMA;
		}
		if (fws_root_find_key(root, r->keyids[i]) == NULL)
			return FWS_ESCHEMA;
	}
	if (r->threshold < 1 || r->threshold > r->n_keyids)
		return FWS_ETHRESHOLDDEF;
	return 0;
}

int fws_root_check(const struct fws_root *root)
{
	uint8_t id[32];
	size_t i, j;
	int ret;

	if (root == NULL)
		return FWS_EUSAGE;
	if (root->schema != 1)
		return FWS_ESCHEMA;
	/* Version 0 is never valid, and versions must stay exactly representable
	 * in JSON so that version+1 is meaningful. */
	if (root->version < 1 || root->version > FWS_SIZE_MAX)
		return FWS_ESCHEMA;
	if (root->created > root->expires)
		return FWS_ESCHEMA;
	if (root->n_keys < 1 || root->n_keys > FWS_MAX_KEYS)
		return FWS_ESCHEMA;
	for (i = 0; i < root->n_keys; i++) {
		fws_keyid(root->keys[i].public_key, id);
		if (sodium_memcmp(id, root->keys[i].keyid, 32) != 0)
			return FWS_EKEYID;
		for (j = 0; j < i; j++) {
			if (sodium_memcmp(root->keys[i].keyid, root->keys[j].keyid, 32) == 0)
				return FWS_ESCHEMA;
		}
	}
	for (i = 0; i < FWS_ROLE_COUNT; i++) {
		/* The timestamp role is optional: absent is no key and
		 * threshold 0 together, never one without the other. */
		if (i == FWS_ROLE_TIMESTAMP && root->roles[i].n_keyids == 0 &&
		    root->roles[i].threshold == 0)
			continue;
		if ((ret = role_check(root, &root->roles[i])) != 0)
			return ret;
	}
	return 0;
}

int fws_root_check_self_signed(const struct fws_root *root, const struct fws_envelope *env)
{
	int ret = FWS_EINTERNAL;

	if (root == NULL || env == NULL)
		return FWS_EUSAGE;
	if ((ret = fws_root_check(root)) != 0)
		goto out;
	ret = fws_envelope_verify(env, FWS_TYPE_ROOT, root, FWS_ROLE_ROOT, NULL);
out:
	return ret;
}

int fws_root_check_successor(const struct fws_root *current, const struct fws_envelope *env,
			     const struct fws_root *next)
{
	int ret = FWS_EINTERNAL;

	if (current == NULL || env == NULL || next == NULL)
		return FWS_EUSAGE;
	/* Strictly sequential, checked first: a lower or equal version is a
	 * rollback or replay, a higher jump skips a root that may have revoked
	 * the very keys that signed this one. Written without +1 overflow. */
	if (current->version >= FWS_SIZE_MAX || next->version != current->version + 1) {
		ret = FWS_EROOTVERSION;
		goto out;
	}
	if ((ret = fws_root_check(current)) != 0 || (ret = fws_root_check(next)) != 0)
		goto out;
	/* Both: the old root keys authorise the change, and the new root keys
	 * prove they are held (no root the new keys cannot later rotate). */
	if ((ret = fws_envelope_verify(env, FWS_TYPE_ROOT, current, FWS_ROLE_ROOT, NULL)) != 0)
		goto out;
	ret = fws_envelope_verify(env, FWS_TYPE_ROOT, next, FWS_ROLE_ROOT, NULL);
out:
	return ret;
}

/* Field by field, never memcmp over the struct: padding bytes and the unused
 * tails of the fixed arrays must not decide equality. */
int fws_root_equal(const struct fws_root *a, const struct fws_root *b)
{
	if (a->schema != b->schema || a->version != b->version || a->created != b->created ||
	    a->expires != b->expires || a->n_keys != b->n_keys)
		return 0;
	for (size_t i = 0; i < a->n_keys; i++)
		if (memcmp(a->keys[i].keyid, b->keys[i].keyid, 32) != 0 ||
		    memcmp(a->keys[i].public_key, b->keys[i].public_key, 32) != 0)
			return 0;
	for (int r = 0; r < FWS_ROLE_COUNT; r++) {
		const struct fws_role *x = &a->roles[r], *y = &b->roles[r];
		if (x->threshold != y->threshold || x->n_keyids != y->n_keyids)
			return 0;
		for (size_t i = 0; i < x->n_keyids; i++)
			if (memcmp(x->keyids[i], y->keyids[i], 32) != 0)
				return 0;
	}
	return 1;
}

int fws_root_role_has(const struct fws_root *root, enum fws_role_id role, const uint8_t keyid[32])
{
	const struct fws_role *r = &root->roles[role];
	for (size_t i = 0; i < r->n_keyids && i < FWS_MAX_KEYS; i++)
		if (memcmp(r->keyids[i], keyid, 32) == 0)
			return 1;
	return 0;
}
