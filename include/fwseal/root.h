/* SPDX-License-Identifier: Apache-2.0 */
/* Root of trust: which keys may sign roots and releases, and how many of them
 * must agree. A root document is a DSSE envelope of type FWS_TYPE_ROOT. */
#ifndef FWSEAL_ROOT_H
#define FWSEAL_ROOT_H

#include <stddef.h>
#include <stdint.h>

#include "fwseal/envelope.h"
#include "fwseal/export.h"
#include "fwseal/limits.h"

struct fws_key {
	uint8_t keyid[32]; /* always SHA-256(public_key), checked on decode */
	uint8_t public_key[32];
};

struct fws_role {
	uint8_t keyids[FWS_MAX_KEYS][32]; /* distinct, each present in keys */
	size_t n_keyids;
	uint32_t threshold; /* 1 <= threshold <= n_keyids */
};

struct fws_root {
	uint32_t schema;  /* 1 */
	uint64_t version; /* >= 1 */
	int64_t created;  /* seconds since the epoch, UTC */
	int64_t expires;
	struct fws_key keys[FWS_MAX_KEYS];
	size_t n_keys;
	struct fws_role roles[FWS_ROLE_COUNT];
};

/* --- core (lib/core/root_check.c) --- */

/* The public key with this key ID, or NULL. */
FWS_API const struct fws_key *fws_root_find_key(const struct fws_root *root,
						const uint8_t keyid[32]);

/* Checks the invariants a decoded root must hold (schema, version >= 1,
 * key IDs match keys, role key IDs distinct and known, 1 <= t <= n,
 * created <= expires). The decoder calls it; so can anyone building roots. */
FWS_API FWS_MUST_CHECK int fws_root_check(const struct fws_root *root);

/* True when keyid is one of role's key IDs in root. */
FWS_API int fws_root_role_has(const struct fws_root *root, enum fws_role_id role,
			      const uint8_t keyid[32]);

/* True when a and b are the same root (every field, keys and roles in order). */
FWS_API int fws_root_equal(const struct fws_root *a, const struct fws_root *b);

/* Trust-on-first-use check of a root given to a device or to a signer: its
 * own root role's threshold must have signed it. */
FWS_API FWS_MUST_CHECK int fws_root_check_self_signed(const struct fws_root *root,
						      const struct fws_envelope *env);

/* Rotation rule: next (decoded from env) must have version current+1 and be
 * signed by a threshold of current's root keys AND of its own root keys.
 * FWS_EROOTVERSION for a skipped, repeated or lower version. */
FWS_API FWS_MUST_CHECK int fws_root_check_successor(const struct fws_root *current,
						    const struct fws_envelope *env,
						    const struct fws_root *next);

/* --- bundle layer (lib/bundle/root_json.c) --- */

/* Strict decode of a root body (the envelope's payload) and fws_root_check. */
FWS_API FWS_MUST_CHECK int fws_root_decode(const uint8_t *json, size_t len,
					   struct fws_root *root);

/* Canonical body JSON (sorted keys, compact) in a malloc'd buffer. */
FWS_API FWS_MUST_CHECK int fws_root_encode(const struct fws_root *root, char **out,
					   size_t *out_len);

/* Decodes a root envelope and checks it is self-signed (bytes version of
 * fws_root_load_file). env may be NULL. */
FWS_API FWS_MUST_CHECK int fws_root_load(const uint8_t *json, size_t len, struct fws_root *root,
					 struct fws_envelope *env);

/* Reads a root envelope file, decodes it and checks it is self-signed:
 * what a device or a signer does with the root.json it is handed. */
FWS_API FWS_MUST_CHECK int fws_root_load_file(const char *path, struct fws_root *root,
					      struct fws_envelope *env);

/* One step of a root chain, from an envelope's bytes: the envelope must be
 * signed by a threshold of cur's root role before its body is even parsed;
 * then the rotation rule of fws_root_check_successor. On success cur becomes
 * the new root and env holds its envelope; cur is unchanged on failure.
 * next is scratch space. */
FWS_API FWS_MUST_CHECK int fws_root_advance(struct fws_root *cur, const uint8_t *json,
					    size_t len, struct fws_envelope *env,
					    struct fws_root *next);

#endif
