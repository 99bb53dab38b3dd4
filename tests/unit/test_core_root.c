/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-SIG-004 */
/* Root invariants and rotation: each negative test is named after the attack. */
#include "test_core_helpers.h"

TestSuite(root, .init = core_setup);

static struct test_key r1, r2, r3, rel1, rel2, outsider;

static void keys(void)
{
	core_setup();
	test_key_make(&r1, 21);
	test_key_make(&r2, 22);
	test_key_make(&r3, 23);
	test_key_make(&rel1, 31);
	test_key_make(&rel2, 32);
	test_key_make(&outsider, 99);
}

/* root role = the given key (threshold 1), release role = rel1 (threshold 1). */
static void make_root(struct fws_root *r, uint64_t version, const struct test_key *root_key)
{
	root_begin(r, version);
	root_add_key(r, root_key);
	root_add_key(r, &rel1);
	role_add(r, FWS_ROLE_ROOT, root_key);
	r->roles[FWS_ROLE_ROOT].threshold = 1;
	role_add(r, FWS_ROLE_RELEASE, &rel1);
	r->roles[FWS_ROLE_RELEASE].threshold = 1;
	cr_assert_eq(fws_root_check(r), 0);
}

Test(root, valid_root_passes, .init = keys)
{
	struct fws_root r;

	make_root(&r, 1, &r1);
	cr_assert_eq(fws_root_check(&r), 0);
	r.created = r.expires; /* equal is allowed */
	cr_assert_eq(fws_root_check(&r), 0);
}

Test(root, find_key, .init = keys)
{
	struct fws_root r;
	const struct fws_key *k;

	make_root(&r, 1, &r1);
	k = fws_root_find_key(&r, rel1.keyid);
	cr_assert_not_null(k);
	cr_assert_eq(memcmp(k->public_key, rel1.pk, 32), 0);
	cr_assert_null(fws_root_find_key(&r, outsider.keyid));
	cr_assert_null(fws_root_find_key(NULL, outsider.keyid));
	r.n_keys = FWS_MAX_KEYS + 1;
	cr_assert_null(fws_root_find_key(&r, rel1.keyid), "n_keys beyond the array trusted");
}

Test(root, wrong_schema_refused, .init = keys)
{
	struct fws_root r;

	make_root(&r, 1, &r1);
	r.schema = 2;
	cr_assert_eq(fws_root_check(&r), FWS_ESCHEMA);
	r.schema = 0;
	cr_assert_eq(fws_root_check(&r), FWS_ESCHEMA);
}

Test(root, version_zero_refused, .init = keys)
{
	struct fws_root r;

	make_root(&r, 1, &r1);
	r.version = 0;
	cr_assert_eq(fws_root_check(&r), FWS_ESCHEMA);
}

Test(root, created_after_expires_refused, .init = keys)
{
	struct fws_root r;

	make_root(&r, 1, &r1);
	r.created = r.expires + 1;
	cr_assert_eq(fws_root_check(&r), FWS_ESCHEMA);
}

Test(root, keyid_mismatch_rejected, .init = keys)
{
	/* A key listed under another key's ID: signatures by outsider would be
	 * credited to r1's slot. */
	struct fws_root r;

	make_root(&r, 1, &r1);
	memcpy(r.keys[0].public_key, outsider.pk, 32);
	cr_assert_eq(fws_root_check(&r), FWS_EKEYID);
	make_root(&r, 1, &r1);
	r.keys[1].keyid[31] ^= 1;
	cr_assert_eq(fws_root_check(&r), FWS_EKEYID);
}

Test(root, duplicate_key_refused, .init = keys)
{
	struct fws_root r;

	make_root(&r, 1, &r1);
	root_add_key(&r, &r1);
	cr_assert_eq(fws_root_check(&r), FWS_ESCHEMA);
}

Test(root, no_keys_refused, .init = keys)
{
	struct fws_root r;

	make_root(&r, 1, &r1);
	r.n_keys = 0;
	cr_assert_eq(fws_root_check(&r), FWS_ESCHEMA);
	r.n_keys = FWS_MAX_KEYS + 1;
	cr_assert_neq(fws_root_check(&r), 0);
}

Test(root, role_keyid_not_in_keys_refused, .init = keys)
{
	struct fws_root r;

	make_root(&r, 1, &r1);
	role_add(&r, FWS_ROLE_RELEASE, &outsider);
	cr_assert_eq(fws_root_check(&r), FWS_ESCHEMA);
}

Test(root, role_duplicate_keyid_refused, .init = keys)
{
	struct fws_root r;

	make_root(&r, 1, &r1);
	role_add(&r, FWS_ROLE_RELEASE, &rel1);
	r.roles[FWS_ROLE_RELEASE].threshold = 2;
	cr_assert_eq(fws_root_check(&r), FWS_ESCHEMA);
}

Test(root, role_without_keys_refused, .init = keys)
{
	struct fws_root r;

	make_root(&r, 1, &r1);
	r.roles[FWS_ROLE_RELEASE].n_keyids = 0;
	r.roles[FWS_ROLE_RELEASE].threshold = 0;
	cr_assert_eq(fws_root_check(&r), FWS_ESCHEMA);
	r.roles[FWS_ROLE_RELEASE].n_keyids = FWS_MAX_KEYS + 1;
	cr_assert_eq(fws_root_check(&r), FWS_ESCHEMA);
}

Test(root, threshold_zero_rejected, .init = keys)
{
	struct fws_root r;

	make_root(&r, 1, &r1);
	r.roles[FWS_ROLE_ROOT].threshold = 0;
	cr_assert_eq(fws_root_check(&r), FWS_ETHRESHOLDDEF);
}

Test(root, threshold_above_key_count_rejected, .init = keys)
{
	struct fws_root r;

	make_root(&r, 1, &r1);
	r.roles[FWS_ROLE_RELEASE].threshold = 2;
	cr_assert_eq(fws_root_check(&r), FWS_ETHRESHOLDDEF);
}

Test(root, self_signed_root_accepted, .init = keys)
{
	static struct fws_envelope env;
	struct fws_root r;

	make_root(&r, 1, &r1);
	env_make(&env, FWS_TYPE_ROOT, "{\"root\":1}");
	env_sign(&env, &r1);
	cr_assert_eq(fws_root_check_self_signed(&r, &env), 0);
}

Test(root, root_signed_by_release_key_refused, .init = keys)
{
	static struct fws_envelope env;
	struct fws_root r;

	make_root(&r, 1, &r1);
	env_make(&env, FWS_TYPE_ROOT, "{\"root\":1}");
	env_sign(&env, &rel1);
	cr_assert_eq(fws_root_check_self_signed(&r, &env), FWS_EUNTRUSTED);
}

Test(root, unsigned_root_refused, .init = keys)
{
	static struct fws_envelope env;
	struct fws_root r;

	make_root(&r, 1, &r1);
	env_make(&env, FWS_TYPE_ROOT, "{\"root\":1}");
	cr_assert_eq(fws_root_check_self_signed(&r, &env), FWS_EUNTRUSTED);
}

Test(root, wrong_payload_type_manifest_as_root, .init = keys)
{
	static struct fws_envelope env;
	struct fws_root r;

	make_root(&r, 1, &r1);
	env_make(&env, FWS_TYPE_MANIFEST, "{\"root\":1}");
	env_sign(&env, &r1);
	cr_assert_eq(fws_root_check_self_signed(&r, &env), FWS_EPAYLOADTYPE);
}

Test(root, self_signed_check_refuses_invalid_root, .init = keys)
{
	static struct fws_envelope env;
	struct fws_root r;

	make_root(&r, 1, &r1);
	env_make(&env, FWS_TYPE_ROOT, "{\"root\":1}");
	env_sign(&env, &r1);
	r.roles[FWS_ROLE_ROOT].threshold = 0;
	cr_assert_eq(fws_root_check_self_signed(&r, &env), FWS_ETHRESHOLDDEF);
}

/* --- rotation ------------------------------------------------------------ */

Test(root, rotation_signed_by_old_and_new_keys_accepted, .init = keys)
{
	static struct fws_envelope env;
	struct fws_root v1, v2;

	make_root(&v1, 1, &r1);
	make_root(&v2, 2, &r2);
	env_make(&env, FWS_TYPE_ROOT, "{\"root\":2}");
	env_sign(&env, &r1);
	env_sign(&env, &r2);
	cr_assert_eq(fws_root_check_successor(&v1, &env, &v2), 0);
}

Test(root, rotation_signed_only_by_new_keys_refused, .init = keys)
{
	/* Takeover: whoever holds a new key must not be able to crown it. */
	static struct fws_envelope env;
	struct fws_root v1, v2;

	make_root(&v1, 1, &r1);
	make_root(&v2, 2, &r2);
	env_make(&env, FWS_TYPE_ROOT, "{\"root\":2}");
	env_sign(&env, &r2);
	cr_assert_eq(fws_root_check_successor(&v1, &env, &v2), FWS_EUNTRUSTED);
}

Test(root, rotation_signed_only_by_old_keys_refused, .init = keys)
{
	/* A new root its own keys never signed could name keys nobody holds. */
	static struct fws_envelope env;
	struct fws_root v1, v2;

	make_root(&v1, 1, &r1);
	make_root(&v2, 2, &r2);
	env_make(&env, FWS_TYPE_ROOT, "{\"root\":2}");
	env_sign(&env, &r1);
	cr_assert_eq(fws_root_check_successor(&v1, &env, &v2), FWS_EUNTRUSTED);
}

Test(root, rotation_needs_old_threshold, .init = keys)
{
	static struct fws_envelope env;
	struct fws_root v1, v2;

	/* v1's root role: r1, r2, r3 with threshold 2. */
	root_begin(&v1, 1);
	root_add_key(&v1, &r1);
	root_add_key(&v1, &r2);
	root_add_key(&v1, &r3);
	root_add_key(&v1, &rel1);
	role_add(&v1, FWS_ROLE_ROOT, &r1);
	role_add(&v1, FWS_ROLE_ROOT, &r2);
	role_add(&v1, FWS_ROLE_ROOT, &r3);
	v1.roles[FWS_ROLE_ROOT].threshold = 2;
	role_add(&v1, FWS_ROLE_RELEASE, &rel1);
	v1.roles[FWS_ROLE_RELEASE].threshold = 1;
	cr_assert_eq(fws_root_check(&v1), 0);
	make_root(&v2, 2, &r3); /* r1 and r2 revoked */

	env_make(&env, FWS_TYPE_ROOT, "{\"root\":2}");
	env_sign(&env, &r3);
	cr_assert_eq(fws_root_check_successor(&v1, &env, &v2), FWS_ETHRESHOLD);
	env_sign(&env, &r3); /* the same key twice is still one */
	cr_assert_eq(fws_root_check_successor(&v1, &env, &v2), FWS_ETHRESHOLD);
	env_sign(&env, &r1);
	cr_assert_eq(fws_root_check_successor(&v1, &env, &v2), 0);
}

Test(root, root_rollback_lower_version_refused, .init = keys)
{
	static struct fws_envelope env;
	struct fws_root v3, v2;

	make_root(&v3, 3, &r1);
	make_root(&v2, 2, &r1);
	env_make(&env, FWS_TYPE_ROOT, "{\"root\":2}");
	env_sign(&env, &r1);
	cr_assert_eq(fws_root_check_successor(&v3, &env, &v2), FWS_EROOTVERSION);
}

Test(root, root_replay_same_version_refused, .init = keys)
{
	static struct fws_envelope env;
	struct fws_root a, b;

	make_root(&a, 5, &r1);
	make_root(&b, 5, &r1);
	env_make(&env, FWS_TYPE_ROOT, "{\"root\":5}");
	env_sign(&env, &r1);
	cr_assert_eq(fws_root_check_successor(&a, &env, &b), FWS_EROOTVERSION);
}

Test(root, root_version_skip_refused, .init = keys)
{
	/* v1 -> v3 would skip v2, which may have revoked the signing key. */
	static struct fws_envelope env;
	struct fws_root v1, v3;

	make_root(&v1, 1, &r1);
	make_root(&v3, 3, &r1);
	env_make(&env, FWS_TYPE_ROOT, "{\"root\":3}");
	env_sign(&env, &r1);
	cr_assert_eq(fws_root_check_successor(&v1, &env, &v3), FWS_EROOTVERSION);
}

Test(root, version_checked_before_signatures, .init = keys)
{
	static struct fws_envelope env;
	struct fws_root v1, v3;

	make_root(&v1, 1, &r1);
	make_root(&v3, 3, &r2);
	env_make(&env, FWS_TYPE_MANIFEST, "x"); /* wrong type, unsigned */
	cr_assert_eq(fws_root_check_successor(&v1, &env, &v3), FWS_EROOTVERSION);
}

Test(root, version_overflow_refused, .init = keys)
{
	static struct fws_envelope env;
	struct fws_root top, zero;

	make_root(&top, 1, &r1);
	make_root(&zero, 1, &r1);
	top.version = UINT64_MAX;
	zero.version = 0; /* UINT64_MAX + 1 wraps to 0 */
	env_make(&env, FWS_TYPE_ROOT, "x");
	env_sign(&env, &r1);
	cr_assert_eq(fws_root_check_successor(&top, &env, &zero), FWS_EROOTVERSION);
}

Test(root, rotation_with_wrong_payload_type_refused, .init = keys)
{
	static struct fws_envelope env;
	struct fws_root v1, v2;

	make_root(&v1, 1, &r1);
	make_root(&v2, 2, &r2);
	env_make(&env, FWS_TYPE_MANIFEST, "{\"root\":2}");
	env_sign(&env, &r1);
	env_sign(&env, &r2);
	cr_assert_eq(fws_root_check_successor(&v1, &env, &v2), FWS_EPAYLOADTYPE);
}

Test(root, rotation_to_invalid_root_refused, .init = keys)
{
	static struct fws_envelope env;
	struct fws_root v1, v2;

	make_root(&v1, 1, &r1);
	make_root(&v2, 2, &r2);
	v2.keys[0].keyid[0] ^= 1;
	env_make(&env, FWS_TYPE_ROOT, "{\"root\":2}");
	env_sign(&env, &r1);
	env_sign(&env, &r2);
	cr_assert_eq(fws_root_check_successor(&v1, &env, &v2), FWS_EKEYID);
}
