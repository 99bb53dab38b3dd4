/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-SIG-001, REQ-SIG-003 */
/* Threshold signature checks: each test is named after the attack it refuses. */
#include "test_core_helpers.h"

TestSuite(threshold, .init = core_setup);
TestSuite(envelope, .init = core_setup);

static struct test_key k1, k2, k3, k_root, k_outsider;
static struct fws_root root;
static struct fws_envelope env;

/* Release role: k1, k2, k3 with threshold 2. Root role: k_root alone.
 * k_outsider is in no root at all. */
static void setup(void)
{
	core_setup();
	test_key_make(&k1, 1);
	test_key_make(&k2, 2);
	test_key_make(&k3, 3);
	test_key_make(&k_root, 10);
	test_key_make(&k_outsider, 99);
	root_begin(&root, 1);
	root_add_key(&root, &k1);
	root_add_key(&root, &k2);
	root_add_key(&root, &k3);
	root_add_key(&root, &k_root);
	role_add(&root, FWS_ROLE_RELEASE, &k1);
	role_add(&root, FWS_ROLE_RELEASE, &k2);
	role_add(&root, FWS_ROLE_RELEASE, &k3);
	root.roles[FWS_ROLE_RELEASE].threshold = 2;
	role_add(&root, FWS_ROLE_ROOT, &k_root);
	root.roles[FWS_ROLE_ROOT].threshold = 1;
	cr_assert_eq(fws_root_check(&root), 0);
	env_make(&env, FWS_TYPE_MANIFEST, "{\"version\":\"1.2.3\"}");
}

static int verify_release(struct fws_signers *s)
{
	return fws_envelope_verify(&env, FWS_TYPE_MANIFEST, &root, FWS_ROLE_RELEASE, s);
}

Test(threshold, two_of_three_accepted, .init = setup)
{
	struct fws_signers s;

	env_sign(&env, &k1);
	env_sign(&env, &k3);
	cr_assert_eq(verify_release(&s), 0);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(memcmp(s.keyids[0], k1.keyid, 32), 0);
	cr_assert_eq(memcmp(s.keyids[1], k3.keyid, 32), 0);
}

Test(threshold, one_of_three_below_threshold, .init = setup)
{
	struct fws_signers s;

	env_sign(&env, &k2);
	cr_assert_eq(verify_release(&s), FWS_ETHRESHOLD);
	cr_assert_eq(s.n, 1, "the one valid signer is still reported");
}

Test(threshold, duplicate_signature_counts_once, .init = setup)
{
	env_sign(&env, &k1);
	env_sign(&env, &k1);
	env_sign(&env, &k1);
	cr_assert_eq(verify_release(NULL), FWS_ETHRESHOLD);
}

Test(threshold, duplicate_keyid_in_role_counts_once, .init = setup)
{
	/* A hand-built root listing k1 twice must not let k1 alone reach 2. */
	root.roles[FWS_ROLE_RELEASE].n_keyids = 2;
	memcpy(root.roles[FWS_ROLE_RELEASE].keyids[1], k1.keyid, 32);
	env_sign(&env, &k1);
	env_sign(&env, &k1);
	cr_assert_neq(verify_release(NULL), 0);
	cr_assert_eq(fws_root_check(&root), FWS_ESCHEMA);
}

Test(threshold, signature_by_unauthorised_key_refused, .init = setup)
{
	env_sign(&env, &k_outsider);
	cr_assert_eq(verify_release(NULL), FWS_EUNTRUSTED);
}

Test(threshold, outsider_claiming_authorised_keyid_refused, .init = setup)
{
	/* An outsider's signature labelled with k1's and k2's key IDs. */
	env_sign(&env, &k_outsider);
	memcpy(env.sigs[0].keyid, k1.keyid, 32);
	env_sign(&env, &k_outsider);
	memcpy(env.sigs[1].keyid, k2.keyid, 32);
	cr_assert_eq(verify_release(NULL), FWS_EBADSIG);
}

Test(threshold, root_role_key_cannot_sign_release, .init = setup)
{
	/* k_root is in the root but not authorised for releases. */
	env_sign(&env, &k_root);
	env_sign(&env, &k1);
	cr_assert_eq(verify_release(NULL), FWS_ETHRESHOLD);
	cr_assert_eq(fws_envelope_verify(&env, FWS_TYPE_MANIFEST, &root, FWS_ROLE_ROOT, NULL), 0);
}

Test(threshold, garbage_extra_signature_ignored_when_threshold_met, .init = setup)
{
	struct fws_signers s;

	env_add_garbage(&env, k1.keyid, 0x00);
	env_sign(&env, &k1);
	env_add_garbage(&env, k3.keyid, 0xff);
	env_add_garbage(&env, k_outsider.keyid, 0x5a);
	env_sign(&env, &k2);
	cr_assert_eq(verify_release(&s), 0);
	cr_assert_eq(s.n, 2);
}

Test(threshold, bad_signature_from_authorised_key_below_threshold, .init = setup)
{
	env_sign(&env, &k1);
	env_add_garbage(&env, k2.keyid, 0x11);
	cr_assert_eq(verify_release(NULL), FWS_EBADSIG);
}

Test(threshold, empty_signature_list_refused, .init = setup)
{
	struct fws_signers s;

	cr_assert_eq(env.n_sigs, 0);
	cr_assert_eq(verify_release(&s), FWS_EUNTRUSTED);
	cr_assert_eq(s.n, 0);
}

Test(threshold, threshold_zero_rejected, .init = setup)
{
	/* Threshold 0 would accept an unsigned envelope. */
	root.roles[FWS_ROLE_RELEASE].threshold = 0;
	cr_assert_eq(verify_release(NULL), FWS_ETHRESHOLDDEF);
	env_sign(&env, &k1);
	env_sign(&env, &k2);
	cr_assert_eq(verify_release(NULL), FWS_ETHRESHOLDDEF);
	cr_assert_eq(fws_root_check(&root), FWS_ETHRESHOLDDEF);
}

Test(threshold, threshold_above_key_count_rejected, .init = setup)
{
	root.roles[FWS_ROLE_RELEASE].threshold = 4;
	env_sign(&env, &k1);
	env_sign(&env, &k2);
	env_sign(&env, &k3);
	cr_assert_eq(verify_release(NULL), FWS_ETHRESHOLDDEF);
	cr_assert_eq(fws_root_check(&root), FWS_ETHRESHOLDDEF);
}

Test(threshold, all_three_of_three, .init = setup)
{
	struct fws_signers s;

	root.roles[FWS_ROLE_RELEASE].threshold = 3;
	env_sign(&env, &k3);
	env_sign(&env, &k2);
	cr_assert_eq(verify_release(NULL), FWS_ETHRESHOLD);
	env_sign(&env, &k1);
	cr_assert_eq(verify_release(&s), 0);
	cr_assert_eq(s.n, 3);
}

Test(threshold, role_key_missing_from_keys_refused, .init = setup)
{
	root.n_keys = 1; /* only k1 left in keys; k2, k3 in the role are unknown */
	env_sign(&env, &k1);
	env_sign(&env, &k2);
	cr_assert_neq(verify_release(NULL), 0);
}

Test(envelope, wrong_payload_type_root_as_manifest, .init = setup)
{
	/* A validly signed root presented where a manifest is expected. */
	env_make(&env, FWS_TYPE_ROOT, "{\"version\":\"1.2.3\"}");
	env_sign(&env, &k1);
	env_sign(&env, &k2);
	cr_assert_eq(fws_envelope_verify(&env, FWS_TYPE_ROOT, &root, FWS_ROLE_RELEASE, NULL), 0);
	cr_assert_eq(verify_release(NULL), FWS_EPAYLOADTYPE);
}

Test(envelope, relabelled_payload_type_refused, .init = setup)
{
	/* Only the payload_type string is edited; the signed PAE still says
	 * root. The PAE prefix must be checked, not just the label. */
	env_make(&env, FWS_TYPE_ROOT, "{\"version\":\"1.2.3\"}");
	env_sign(&env, &k1);
	env_sign(&env, &k2);
	strcpy(env.payload_type, FWS_TYPE_MANIFEST);
	cr_assert_neq(verify_release(NULL), 0);
}

Test(envelope, signature_over_other_type_not_reusable, .init = setup)
{
	struct fws_envelope as_root;

	env_make(&as_root, FWS_TYPE_ROOT, "{\"version\":\"1.2.3\"}");
	env_sign(&as_root, &k1);
	env_sign(&as_root, &k2);
	env.sigs[0] = as_root.sigs[0];
	env.sigs[1] = as_root.sigs[1];
	env.n_sigs = 2;
	cr_assert_eq(verify_release(NULL), FWS_EBADSIG);
}

Test(envelope, payload_type_prefix_or_suffix_refused, .init = setup)
{
	env_sign(&env, &k1);
	env_sign(&env, &k2);
	cr_assert_eq(fws_envelope_verify(&env, "application/vnd.fwseal.manifest", &root,
					 FWS_ROLE_RELEASE, NULL),
		     FWS_EPAYLOADTYPE);
	cr_assert_eq(
	    fws_envelope_verify(&env, FWS_TYPE_MANIFEST "x", &root, FWS_ROLE_RELEASE, NULL),
	    FWS_EPAYLOADTYPE);
	cr_assert_eq(verify_release(NULL), 0);
}

Test(envelope, body_tampered_after_signing_refused, .init = setup)
{
	size_t len = 0;
	uint8_t *body;

	env_sign(&env, &k1);
	env_sign(&env, &k2);
	body = (uint8_t *)fws_envelope_body(&env, &len);
	cr_assert_not_null(body);
	cr_assert_eq(len, strlen("{\"version\":\"1.2.3\"}"));
	body[14] = (uint8_t)'9'; /* 1.2.3 -> 1.9.3 */
	cr_assert_eq(verify_release(NULL), FWS_EBADSIG);
}

Test(envelope, truncated_body_refused, .init = setup)
{
	env_sign(&env, &k1);
	env_sign(&env, &k2);
	env.pae_len--; /* the prefix still announces the full length */
	cr_assert_neq(verify_release(NULL), 0);
}

Test(envelope, inconsistent_struct_refused, .init = setup)
{
	env_sign(&env, &k1);
	env_sign(&env, &k2);
	env.n_sigs = FWS_MAX_SIGNATURES + 1;
	cr_assert_eq(verify_release(NULL), FWS_EENVELOPE);
	env.n_sigs = 2;
	env.body_offset = env.pae_len + 1;
	cr_assert_eq(verify_release(NULL), FWS_EENVELOPE);
	env.pae_len = FWS_PAE_MAX + 1;
	cr_assert_eq(verify_release(NULL), FWS_EENVELOPE);
}

Test(envelope, bad_arguments_refused, .init = setup)
{
	env_sign(&env, &k1);
	env_sign(&env, &k2);
	cr_assert_eq(fws_envelope_verify(NULL, FWS_TYPE_MANIFEST, &root, FWS_ROLE_RELEASE, NULL),
		     FWS_EUSAGE);
	cr_assert_eq(fws_envelope_verify(&env, NULL, &root, FWS_ROLE_RELEASE, NULL), FWS_EUSAGE);
	cr_assert_eq(fws_envelope_verify(&env, FWS_TYPE_MANIFEST, NULL, FWS_ROLE_RELEASE, NULL),
		     FWS_EUSAGE);
	cr_assert_eq(fws_envelope_verify(&env, FWS_TYPE_MANIFEST, &root, FWS_ROLE_COUNT, NULL),
		     FWS_EUSAGE);
	cr_assert_eq(
	    fws_envelope_verify(&env, FWS_TYPE_MANIFEST, &root, (enum fws_role_id) - 1, NULL),
	    FWS_EUSAGE);
}

/* --- PAE and envelope body ---------------------------------------------- */

Test(envelope, pae_layout_and_empty_body)
{
	uint8_t out[64];
	size_t len = 0;

	cr_assert_eq(fws_pae_encode(out, sizeof out, &len, "t", NULL, 0), 0);
	cr_assert_eq(len, strlen("DSSEv1 1 t 0 "));
	cr_assert_eq(memcmp(out, "DSSEv1 1 t 0 ", len), 0);
	cr_assert_eq(
	    fws_pae_encode(out, sizeof out, &len, "ab", (const uint8_t *)"hello world", 11), 0);
	cr_assert_eq(len, strlen("DSSEv1 2 ab 11 hello world"));
	cr_assert_eq(memcmp(out, "DSSEv1 2 ab 11 hello world", len), 0);
}

Test(envelope, pae_capacity_is_exact)
{
	uint8_t out[64];
	size_t len = 0, need = strlen("DSSEv1 2 ab 5 hello");

	cr_assert_eq(fws_pae_encode(out, need, &len, "ab", (const uint8_t *)"hello", 5), 0);
	cr_assert_eq(len, need);
	len = 12345;
	cr_assert_eq(fws_pae_encode(out, need - 1, &len, "ab", (const uint8_t *)"hello", 5),
		     FWS_ELIMIT);
	cr_assert_eq(len, 12345, "out_len written on failure");
	cr_assert_eq(fws_pae_encode(out, 3, &len, "ab", (const uint8_t *)"hello", 5), FWS_ELIMIT);
	cr_assert_eq(fws_pae_encode(out, 0, &len, "ab", NULL, 0), FWS_ELIMIT);
	cr_assert_eq(fws_pae_encode(out, sizeof out, &len, "ab", NULL, 5), FWS_EUSAGE);
}

Test(envelope, pae_body_may_already_lie_in_output)
{
	uint8_t buf[64];
	size_t len = 0;

	memcpy(buf, "payload", 7);
	cr_assert_eq(fws_pae_encode(buf, sizeof buf, &len, "ty", buf, 7), 0);
	cr_assert_eq(len, strlen("DSSEv1 2 ty 7 payload"));
	cr_assert_eq(memcmp(buf, "DSSEv1 2 ty 7 payload", len), 0);
}

Test(envelope, set_body_and_body_roundtrip, .init = core_setup)
{
	static struct fws_envelope e;
	static uint8_t big[FWS_BODY_MAX + 1];
	const uint8_t *b;
	char long_type[FWS_PAYLOAD_TYPE_MAX + 2];
	size_t len = 0;

	memset(&e, 0xaa, sizeof e);
	cr_assert_eq(fws_envelope_set_body(&e, FWS_TYPE_ROOT, (const uint8_t *)"abc", 3), 0);
	cr_assert_str_eq(e.payload_type, FWS_TYPE_ROOT);
	cr_assert_eq(e.n_sigs, 0);
	b = fws_envelope_body(&e, &len);
	cr_assert_eq(len, 3);
	cr_assert_eq(memcmp(b, "abc", 3), 0);
	cr_assert_eq(e.body_offset, strlen("DSSEv1 32 " FWS_TYPE_ROOT " 3 "));

	memset(big, 'x', sizeof big);
	cr_assert_eq(fws_envelope_set_body(&e, FWS_TYPE_ROOT, big, FWS_BODY_MAX), 0);
	b = fws_envelope_body(&e, &len);
	cr_assert_eq(len, FWS_BODY_MAX);
	cr_assert_eq(fws_envelope_set_body(&e, FWS_TYPE_ROOT, big, FWS_BODY_MAX + 1), FWS_ELIMIT);

	memset(long_type, 'a', sizeof long_type - 1);
	long_type[sizeof long_type - 1] = '\0';
	cr_assert_eq(fws_envelope_set_body(&e, long_type, big, 1), FWS_ELIMIT);
	long_type[FWS_PAYLOAD_TYPE_MAX] = '\0';
	cr_assert_eq(fws_envelope_set_body(&e, long_type, big, 1), 0);
	cr_assert_eq(fws_envelope_set_body(&e, "", big, 1), FWS_EENVELOPE);

	e.body_offset = e.pae_len + 1;
	cr_assert_null(fws_envelope_body(&e, &len));
	cr_assert_eq(len, 0);
}
