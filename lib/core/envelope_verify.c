/* SPDX-License-Identifier: Apache-2.0 */
/* Threshold signature check of a DSSE envelope against a root role.
 *
 * Threats: a signature from a key the root does not authorise (EUNTRUSTED);
 * one key's signature repeated to reach a threshold of distinct keys (each
 * authorised key counts once); a root envelope passed where a manifest is
 * expected (payloadType and the PAE prefix must both name expected_type);
 * a root with threshold 0, which would accept an unsigned envelope. */
#include <sodium.h>
#include <string.h>

#include "core_internal.h"
#include "fwseal/envelope.h"
#include "fwseal/error.h"
#include "fwseal/root.h"

/* !!! FUZZING ONLY !!!
 * FWS_FUZZING_UNSAFE_NO_SIGNATURES makes every signature from an authorised
 * key ID count as valid, so that a fuzzer can reach the parsers and checks
 * that sit behind the signature check (manifest schema, policy, chunk lists,
 * payload streaming). Only `make fuzz` defines it, for one harness
 * (build-fuzz/fuzz_bundle_unsigned); a library built with it verifies
 * NOTHING. Every normal build defines FWS_PRODUCTION_BUILD, and the two can
 * never be combined. */
#if defined(FWS_FUZZING_UNSAFE_NO_SIGNATURES) && defined(FWS_PRODUCTION_BUILD)
#error "FWS_FUZZING_UNSAFE_NO_SIGNATURES disables signature checks: never in a production build"
#endif

/* The role must be usable before anything is counted: 1 <= t <= n, key IDs
 * distinct (a duplicate would let one key count twice) and each one known. */
static int role_usable(const struct fws_root *root, const struct fws_role *r)
{
	size_t i, j;

	if (root->n_keys > FWS_MAX_KEYS || r->n_keyids > FWS_MAX_KEYS)
		return FWS_ELIMIT;
	if (r->threshold == 0 || r->threshold > r->n_keyids)
		return FWS_ETHRESHOLDDEF;
	for (i = 0; i < r->n_keyids; i++) {
		if (fws_root_find_key(root, r->keyids[i]) == NULL)
			return FWS_ESCHEMA;
		for (j = 0; j < i; j++) {
			if (sodium_memcmp(r->keyids[i], r->keyids[j], 32) == 0)
				return FWS_ESCHEMA;
		}
	}
	return 0;
}

/* The struct keeps payload_type and the PAE side by side; the signatures only
 * cover the PAE. So the PAE prefix itself must be exactly the one for
 * expected_type and the stored body length, or an attacker could relabel a
 * validly signed root as a manifest by editing payload_type alone. */
static int pae_matches(const struct fws_envelope *env, const char *type, size_t type_len)
{
	uint8_t prefix[FWS_PAE_PREFIX_MAX];
	size_t prefix_len = 0;

	if (fws__pae_prefix(prefix, sizeof prefix, &prefix_len, type, type_len,
			    env->pae_len - env->body_offset) != 0)
		return 0;
	return prefix_len == env->body_offset && memcmp(prefix, env->pae, prefix_len) == 0;
}

int fws_envelope_verify(const struct fws_envelope *env, const char *expected_type,
			const struct fws_root *root, enum fws_role_id role,
			struct fws_signers *signers)
{
	struct fws_signers found;
	const struct fws_role *r;
	size_t type_len, i, j;
	uint32_t count = 0;
	int any_authorised = 0, any_bad = 0;
	int ret = FWS_EINTERNAL;

	memset(&found, 0, sizeof found);
	if (signers != NULL)
		memset(signers, 0, sizeof *signers);
	if (env == NULL || expected_type == NULL || root == NULL ||
	    (role != FWS_ROLE_ROOT && role != FWS_ROLE_RELEASE && role != FWS_ROLE_TIMESTAMP))
		return FWS_EUSAGE;
	r = &root->roles[role];

	/* Structural sanity of a caller-filled struct: never read past pae[]. */
	if (env->pae_len > sizeof env->pae || env->body_offset > env->pae_len ||
	    env->n_sigs > FWS_MAX_SIGNATURES) {
		ret = FWS_EENVELOPE;
		goto out;
	}

	type_len = strnlen(expected_type, FWS_PAYLOAD_TYPE_MAX + 1);
	if (type_len == 0 || type_len > FWS_PAYLOAD_TYPE_MAX) {
		ret = FWS_EUSAGE;
		goto out;
	}
	if (strnlen(env->payload_type, sizeof env->payload_type) != type_len ||
	    memcmp(env->payload_type, expected_type, type_len) != 0) {
		ret = FWS_EPAYLOADTYPE;
		goto out;
	}
	if (!pae_matches(env, expected_type, type_len)) {
		ret = FWS_EENVELOPE;
		goto out;
	}

	if ((ret = role_usable(root, r)) != 0)
		goto out;
	ret = FWS_EINTERNAL;

	/* Iterate over the role's key IDs, not over the signatures: each
	 * authorised key can add at most one to the count, however many
	 * signatures carry its key ID. */
	for (i = 0; i < r->n_keyids; i++) {
		const struct fws_key *key = fws_root_find_key(root, r->keyids[i]);
		int valid = 0, bad = 0;

		if (key == NULL) { /* role_usable checked this; fail closed anyway */
			ret = FWS_EINTERNAL;
			goto out;
		}
		for (j = 0; j < env->n_sigs && !valid; j++) {
			if (sodium_memcmp(env->sigs[j].keyid, key->keyid, 32) != 0)
				continue;
			any_authorised = 1;
			if (crypto_sign_verify_detached(env->sigs[j].sig, env->pae, env->pae_len,
							key->public_key) == 0)
				valid = 1;
			else
				bad = 1;
#ifdef FWS_FUZZING_UNSAFE_NO_SIGNATURES
			valid = 1; /* FUZZING ONLY: see the top of this file */
			bad = 0;
#endif
		}
		if (valid) {
			if (found.n >= FWS_MAX_SIGNATURES) { /* one valid sig per key: cannot be */
				ret = FWS_EINTERNAL;
				goto out;
			}
			memcpy(found.keyids[found.n++], key->keyid, 32);
			count++;
		} else if (bad) {
			any_bad = 1;
		}
	}

	if (count >= r->threshold)
		ret = 0;
	else if (!any_authorised)
		ret = FWS_EUNTRUSTED;
	else if (any_bad)
		ret = FWS_EBADSIG;
	else
		ret = FWS_ETHRESHOLD;
out:
	if (signers != NULL)
		*signers = found;
	return ret;
}
