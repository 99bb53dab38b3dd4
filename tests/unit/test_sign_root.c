/* SPDX-License-Identifier: Apache-2.0 */
/* req: REQ-SIG-004, REQ-SIG-005 */
/* Root building, co-signing and rotation (lib/sign/root_build.c), each test
 * named after the attack or mistake it stops. Keys are generated in memory;
 * files go to a fresh temp directory. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwseal/encoding.h"
#include "fwseal/fileio.h"
#include "fwseal/fwseal.h"
#include "fwseal/keys.h"

#define NOW INT64_C(1767225600) /* 2026-01-01 */
#define NKEYS 6

/* k[0..2]: root keys, k[3..4]: release keys, k[5]: an attacker. */
static struct fws_signing_key *k[NKEYS];
static char dir[64];

/* A generated key behind the key object every signing path takes. */
static int new_key(struct fws_signing_key **out)
{
	struct fws_secret_key *secret = NULL;
	int rc = fws_secret_key_generate(&secret);
	return rc != 0 ? rc : fws_signing_key_from_secret(secret, out);
}

static void setup(void)
{
	cr_assert_eq(fws_init(), 0);
	for (int i = 0; i < NKEYS; i++)
		cr_assert_eq(new_key(&k[i]), 0);
	snprintf(dir, sizeof dir, "/tmp/fws-root-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	for (int i = 0; i < NKEYS; i++)
		fws_signing_key_close(k[i]);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(sign_root, .init = setup, .fini = teardown, .timeout = 60);

static void keyid_of(const struct fws_signing_key *key, uint8_t id[32])
{
	uint8_t pk[32];
	fws_signing_key_public(key, pk, id);
}

static void add(struct fws_root_edit *e, const struct fws_signing_key *key, enum fws_role_id role)
{
	uint8_t id[32];

	cr_assert_lt(e->n_add, sizeof e->add / sizeof e->add[0]);
	fws_signing_key_public(key, e->add[e->n_add].public_key, id);
	e->add[e->n_add++].role = role;
}

static void remove_key(struct fws_root_edit *e, const struct fws_signing_key *key)
{
	keyid_of(key, e->remove[e->n_remove++]);
}

static char *path(const char *name)
{
	static char buf[4][128];
	static int i;
	char *p = buf[i++ % 4];

	snprintf(p, sizeof buf[0], "%s/%s", dir, name);
	return p;
}

/* v1: root keys k0,k1,k2 (threshold root_t), release k3 (threshold 1). */
static void build_v1(struct fws_root *r, uint32_t root_t)
{
	struct fws_root_edit e;

	memset(&e, 0, sizeof e);
	add(&e, k[0], FWS_ROLE_ROOT);
	add(&e, k[1], FWS_ROLE_ROOT);
	add(&e, k[2], FWS_ROLE_ROOT);
	add(&e, k[3], FWS_ROLE_RELEASE);
	e.threshold_set[FWS_ROLE_ROOT] = 1;
	e.threshold[FWS_ROLE_ROOT] = root_t;
	cr_assert_eq(fws_root_build_initial(&e, NOW, r), 0);
}

/* Writes r to name, signed by the listed keys (indices, -1 ends). */
static void write_signed(const char *name, const struct fws_root *r, const struct fws_root *prev,
			 const int *signers)
{
	char prev_buf[128];
	const char *prev_path = NULL;
	int rc;

	if (prev != NULL) {
		snprintf(prev_buf, sizeof prev_buf, "%s", path("prev.json"));
		prev_path = prev_buf;
	}

	cr_assert_eq(fws_root_write_new(path(name), r, prev, NULL, NOW, FWS_OUT_NEW, NULL, 0, NULL),
		     0);
	for (; *signers >= 0; signers++) {
		rc = fws_root_sign_file(path(name), k[*signers], prev_path, NOW, NULL, 0, NULL);
		cr_assert_eq(rc, 0, "signing %s with key %d: %s", name, *signers, fws_errname(rc));
	}
}

static uint8_t *slurp(const char *name, size_t *len)
{
	uint8_t *data = NULL;
	cr_assert_eq(fws_file_read_all(path(name), FWS_ENVELOPE_MAX, &data, len), 0);
	return data;
}

/* The v1 -> v2 step as a device does it. */
static int advance(const struct fws_root *v1, const char *name)
{
	struct fws_root cur = *v1, next;
	struct fws_envelope env;
	size_t len;
	uint8_t *data = slurp(name, &len);
	int rc = fws_root_advance(&cur, data, len, &env, &next);

	free(data);
	return rc;
}

/* v1 (2-of-3 root) written to prev.json, signed by k0 and k1. */
static void setup_v1_file(struct fws_root *v1)
{
	static const int s01[] = {0, 1, -1};
	build_v1(v1, 2);
	write_signed("prev.json", v1, NULL, s01);
}

/* v2: k0 replaced by the attacker's... no: by a fresh root key k4 in the
 * root role, so old and new root keys differ by one. */
static void build_v2_rotating_k0(const struct fws_root *v1, struct fws_root *v2)
{
	struct fws_root_edit e;

	memset(&e, 0, sizeof e);
	remove_key(&e, k[0]);
	add(&e, k[4], FWS_ROLE_ROOT);
	cr_assert_eq(fws_root_build_next(v1, &e, NOW + 10, v2), 0);
}

Test(sign_root, threshold_zero_refused_at_build)
{
	struct fws_root r;
	struct fws_root_edit e;

	memset(&e, 0, sizeof e);
	add(&e, k[0], FWS_ROLE_ROOT);
	add(&e, k[3], FWS_ROLE_RELEASE);
	e.threshold_set[FWS_ROLE_RELEASE] = 1;
	e.threshold[FWS_ROLE_RELEASE] = 0;
	cr_assert_eq(fws_root_build_initial(&e, NOW, &r), FWS_ETHRESHOLDDEF);
}

Test(sign_root, threshold_above_key_count_refused_at_build)
{
	struct fws_root v1, v2;
	struct fws_root_edit e;

	build_v1(&v1, 1);
	memset(&e, 0, sizeof e);
	e.threshold_set[FWS_ROLE_ROOT] = 1;
	e.threshold[FWS_ROLE_ROOT] = 4; /* 3 root keys */
	cr_assert_eq(fws_root_build_next(&v1, &e, NOW, &v2), FWS_ETHRESHOLDDEF);
	/* Removing a key below the threshold is never "fixed" silently. */
	build_v1(&v1, 3);
	memset(&e, 0, sizeof e);
	remove_key(&e, k[2]);
	cr_assert_eq(fws_root_build_next(&v1, &e, NOW, &v2), FWS_ETHRESHOLDDEF);
	e.threshold_set[FWS_ROLE_ROOT] = 1;
	e.threshold[FWS_ROLE_ROOT] = 2;
	cr_assert_eq(fws_root_build_next(&v1, &e, NOW, &v2), 0);
	cr_assert_eq(v2.roles[FWS_ROLE_ROOT].n_keyids, 2);
	cr_assert_eq(v2.n_keys, 3, "k2 dropped from keys: k0, k1, k3 remain");
}

Test(sign_root, removing_last_key_of_a_role_refused)
{
	struct fws_root v1, v2;
	struct fws_root_edit e;

	build_v1(&v1, 1);
	memset(&e, 0, sizeof e);
	remove_key(&e, k[3]); /* the only release key */
	cr_assert_eq(fws_root_build_next(&v1, &e, NOW, &v2), FWS_ETHRESHOLDDEF);
}

Test(sign_root, removing_absent_key_refused_not_read_as_revoked)
{
	struct fws_root v1, v2;
	struct fws_root_edit e;

	build_v1(&v1, 1);
	memset(&e, 0, sizeof e);
	remove_key(&e, k[5]);
	cr_assert_eq(fws_root_build_next(&v1, &e, NOW, &v2), FWS_EUSAGE);
	/* The same key removed twice: the second removal finds nothing. */
	memset(&e, 0, sizeof e);
	add(&e, k[4], FWS_ROLE_RELEASE);
	remove_key(&e, k[3]);
	remove_key(&e, k[3]);
	cr_assert_eq(fws_root_build_next(&v1, &e, NOW, &v2), FWS_EUSAGE);
	/* Added and removed in one edit: ambiguous. */
	memset(&e, 0, sizeof e);
	add(&e, k[3], FWS_ROLE_ROOT);
	remove_key(&e, k[3]);
	cr_assert_eq(fws_root_build_next(&v1, &e, NOW, &v2), FWS_EUSAGE);
}

Test(sign_root, key_listed_twice_in_a_role_refused)
{
	struct fws_root v1, v2;
	struct fws_root_edit e;

	memset(&e, 0, sizeof e);
	add(&e, k[0], FWS_ROLE_ROOT);
	add(&e, k[0], FWS_ROLE_ROOT);
	add(&e, k[3], FWS_ROLE_RELEASE);
	cr_assert_eq(fws_root_build_initial(&e, NOW, &v1), FWS_EUSAGE);
	build_v1(&v1, 1);
	memset(&e, 0, sizeof e);
	add(&e, k[3], FWS_ROLE_RELEASE); /* already there */
	cr_assert_eq(fws_root_build_next(&v1, &e, NOW, &v2), FWS_EUSAGE);
	/* One key in both roles is one entry in keys, not two. */
	memset(&e, 0, sizeof e);
	add(&e, k[0], FWS_ROLE_RELEASE);
	cr_assert_eq(fws_root_build_next(&v1, &e, NOW, &v2), 0);
	cr_assert_eq(v2.n_keys, 4);
	cr_assert_eq(v2.roles[FWS_ROLE_RELEASE].n_keyids, 2);
}

Test(sign_root, next_version_times_and_clock_running_backwards)
{
	struct fws_root v1, v2;
	struct fws_root_edit e;

	build_v1(&v1, 1);
	memset(&e, 0, sizeof e);
	e.expires_days = 30;
	cr_assert_eq(fws_root_build_next(&v1, &e, NOW + 5, &v2), 0);
	cr_assert_eq(v2.version, 2);
	cr_assert_eq(v2.created, NOW + 5);
	cr_assert_eq(v2.expires, NOW + 5 + 30 * 86400);
	cr_assert_eq(fws_root_build_next(&v1, &e, NOW - 1, &v2), FWS_ECLOCK);
	/* An expired root can still be rotated away from (fleet recovery). */
	v1.expires = v1.created;
	cr_assert_eq(fws_root_build_next(&v1, &e, NOW + 400 * 86400LL, &v2), 0);
}

Test(sign_root, rotation_signed_only_by_new_keys_refused)
{
	static const int new_only[] = {1, 4, -1}; /* k1 is in both; k4 only in v2 */
	static const int k4_only[] = {4, -1};
	struct fws_root v1, v2;

	setup_v1_file(&v1);
	build_v2_rotating_k0(&v1, &v2);
	/* v2's root role is k1,k2,k4 (2-of-3); only k4 and... k4 alone. */
	write_signed("v2a.json", &v2, &v1, k4_only);
	cr_assert_eq(advance(&v1, "v2a.json"), FWS_EUNTRUSTED);
	/* k1 + k4 meet v2's threshold but only one of v1's. */
	write_signed("v2b.json", &v2, &v1, new_only);
	cr_assert_eq(advance(&v1, "v2b.json"), FWS_ETHRESHOLD);
}

Test(sign_root, rotation_signed_only_by_old_keys_refused)
{
	static const int old_only[] = {0, 1, -1}; /* k0 is not in v2 */
	struct fws_root v1, v2;

	setup_v1_file(&v1);
	build_v2_rotating_k0(&v1, &v2);
	write_signed("v2.json", &v2, &v1, old_only);
	cr_assert_eq(advance(&v1, "v2.json"), FWS_ETHRESHOLD);
}

Test(sign_root, rotation_signed_by_both_thresholds_accepted)
{
	static const int both[] = {0, 1, 4, -1};
	struct fws_root v1, v2, cur;
	struct fws_signers olds, news;

	setup_v1_file(&v1);
	build_v2_rotating_k0(&v1, &v2);
	write_signed("v2.json", &v2, &v1, both);
	cr_assert_eq(advance(&v1, "v2.json"), 0);
	cur = v1;
	cr_assert_eq(fws_root_step_file(&cur, path("v2.json"), &olds, &news), 0);
	cr_assert(fws_root_equal(&cur, &v2), "the built root is the one decoded");
	cr_assert_eq(olds.n, 2);
	cr_assert_eq(news.n, 2);
}

Test(sign_root, same_key_twice_counts_once_for_two_of_three)
{
	static const int one[] = {0, -1};
	struct fws_root v1;
	struct fws_envelope env;
	struct fws_root_status st;
	uint8_t *data;
	size_t len;
	int rc;

	build_v1(&v1, 2);
	write_signed("r.json", &v1, NULL, one);
	/* Signing again with the same key is refused... */
	rc = fws_root_sign_file(path("r.json"), k[0], NULL, NOW, NULL, 0, NULL);
	cr_assert_eq(rc, FWS_EALREADYSIGNED, "%s", fws_errname(rc));
	/* ...and a hand-made copy of the signature does not count twice. */
	data = slurp("r.json", &len);
	cr_assert_eq(fws_envelope_decode(data, len, &env), 0);
	free(data);
	env.sigs[1] = env.sigs[0];
	env.n_sigs = 2;
	cr_assert_eq(fws_envelope_verify(&env, FWS_TYPE_ROOT, &v1, FWS_ROLE_ROOT, NULL),
		     FWS_ETHRESHOLD);
	cr_assert_eq(fws_root_inspect_file(path("r.json"), NULL, NULL, NULL, NULL, &st), 0);
	cr_assert_eq(st.rc, FWS_ETHRESHOLD);
	cr_assert_eq(fws_root_sign_file(path("r.json"), k[2], NULL, NOW, NULL, 0, &st), 0);
	cr_assert_eq(st.rc, 0);
	cr_assert_eq(st.own.n, 2);
}

Test(sign_root, signer_outside_both_root_roles_refused)
{
	static const int none[] = {-1};
	struct fws_root v1, v2;

	setup_v1_file(&v1);
	build_v2_rotating_k0(&v1, &v2);
	write_signed("v2.json", &v2, &v1, none);
	/* A release key, and an outsider. */
	cr_assert_eq(
	    fws_root_sign_file(path("v2.json"), k[3], path("prev.json"), NOW, NULL, 0, NULL),
	    FWS_ENOTAUTHORISED);
	cr_assert_eq(
	    fws_root_sign_file(path("v2.json"), k[5], path("prev.json"), NOW, NULL, 0, NULL),
	    FWS_ENOTAUTHORISED);
	/* k0 is only in v1: authorised with --previous, not without. */
	cr_assert_eq(fws_root_sign_file(path("v2.json"), k[0], NULL, NOW, NULL, 0, NULL),
		     FWS_ENOTAUTHORISED);
	cr_assert_eq(
	    fws_root_sign_file(path("v2.json"), k[0], path("prev.json"), NOW, NULL, 0, NULL), 0);
}

Test(sign_root, version_skip_repeat_lower_refused)
{
	static const int all[] = {0, 1, 2, -1};
	struct fws_root v1, v2, v3, same;
	struct fws_root_edit e;

	setup_v1_file(&v1);
	memset(&e, 0, sizeof e);
	cr_assert_eq(fws_root_build_next(&v1, &e, NOW, &v2), 0);
	cr_assert_eq(fws_root_build_next(&v2, &e, NOW, &v3), 0);
	/* Written without --previous: the keys are the same in all three. */
	write_signed("v3.json", &v3, NULL, all);
	cr_assert_eq(advance(&v1, "v3.json"), FWS_EROOTVERSION);
	same = v1;
	same.expires += 86400; /* a different document claiming version 1 */
	write_signed("same.json", &same, NULL, all);
	cr_assert_eq(advance(&v1, "same.json"), FWS_EROOTVERSION);
	cr_assert_eq(advance(&v3, "prev.json"), FWS_EROOTVERSION);
	/* Co-signing against the wrong previous version is refused too. */
	cr_assert_eq(
	    fws_root_sign_file(path("v3.json"), k[0], path("prev.json"), NOW, NULL, 0, NULL),
	    FWS_EROOTVERSION);
}

Test(sign_root, expired_root_never_signed)
{
	struct fws_root v1;

	build_v1(&v1, 1);
	cr_assert_eq(fws_root_write_new(path("r.json"), &v1, NULL, k[0], v1.expires + 1,
					FWS_OUT_NEW, NULL, 0, NULL),
		     FWS_EEXPIRED);
	cr_assert_eq(fws_root_write_new(path("r.json"), &v1, NULL, NULL, v1.expires, FWS_OUT_NEW,
					NULL, 0, NULL),
		     0);
	cr_assert_eq(fws_root_sign_file(path("r.json"), k[0], NULL, v1.expires + 1, NULL, 0, NULL),
		     FWS_EEXPIRED);
	cr_assert_eq(fws_root_sign_file(path("r.json"), k[0], NULL, v1.expires - 1, NULL, 0, NULL),
		     0);
	cr_assert_eq(fws_root_check_not_expired(&v1, v1.expires - 1), 0);
}

Test(sign_root, draft_with_zero_signatures_only_read_by_draft_decoder)
{
	static const int none[] = {-1};
	struct fws_root v1, loaded;
	struct fws_envelope env;
	uint8_t *data;
	size_t len;

	build_v1(&v1, 1);
	write_signed("draft.json", &v1, NULL, none);
	data = slurp("draft.json", &len);
	cr_assert_eq(fws_envelope_decode(data, len, &env), FWS_EENVELOPE);
	cr_assert_eq(fws_envelope_decode_draft(data, len, &env), 0);
	cr_assert_eq(env.n_sigs, 0);
	/* Only the draft encoder writes it; the normal one never does. */
	char *json = NULL;
	size_t json_len = 0;
	cr_assert_eq(fws_envelope_encode(&env, &json, &json_len), FWS_EENVELOPE);
	cr_assert_eq(fws_envelope_encode_draft(&env, &json, &json_len), 0);
	cr_assert(json_len == len && memcmp(json, data, len) == 0);
	free(json);
	/* Nothing on the verification path takes it. */
	cr_assert_eq(fws_root_load_file(path("draft.json"), &loaded, NULL), FWS_EENVELOPE);
	struct fws_root cur = v1, next;
	cr_assert_eq(fws_root_advance(&cur, data, len, &env, &next), FWS_EENVELOPE);
	free(data);
	/* And the draft decoder is as strict as the other otherwise. */
	static const char extra[] = "{\"payload\":\"e30=\",\"payloadType\":\"x\","
				    "\"signatures\":[],\"extra\":1}";
	cr_assert_eq(fws_envelope_decode_draft((const uint8_t *)extra, sizeof extra - 1, &env),
		     FWS_EENVELOPE);
}

Test(sign_root, written_root_refuses_to_overwrite)
{
	struct fws_root v1;

	build_v1(&v1, 1);
	cr_assert_eq(
	    fws_root_write_new(path("r.json"), &v1, NULL, k[0], NOW, FWS_OUT_NEW, NULL, 0, NULL),
	    0);
	cr_assert_eq(
	    fws_root_write_new(path("r.json"), &v1, NULL, k[0], NOW, FWS_OUT_NEW, NULL, 0, NULL),
	    FWS_EEXIST);
}

Test(sign_root, revoked_release_key_refused_after_rotation)
{
	static const int s01[] = {0, 1, -1};
	static const char body[] = "{\"schema\":1}";
	struct fws_root v1, v2;
	struct fws_root_edit e;
	struct fws_envelope *m = calloc(1, sizeof *m);
	uint8_t revoked[32];

	cr_assert_not_null(m);
	setup_v1_file(&v1);
	memset(&e, 0, sizeof e);
	remove_key(&e, k[3]);
	add(&e, k[4], FWS_ROLE_RELEASE);
	cr_assert_eq(fws_root_build_next(&v1, &e, NOW, &v2), 0);
	keyid_of(k[3], revoked);
	cr_assert_not_null(fws_root_find_key(&v1, revoked));
	cr_assert_null(fws_root_find_key(&v2, revoked), "revoked key dropped from keys");
	write_signed("v2.json", &v2, &v1, s01);
	cr_assert_eq(advance(&v1, "v2.json"), 0);

	cr_assert_eq(
	    fws_envelope_set_body(m, FWS_TYPE_MANIFEST, (const uint8_t *)body, sizeof body - 1), 0);
	cr_assert_eq(fws_envelope_sign(m, k[3]), 0);
	cr_assert_eq(fws_envelope_verify(m, FWS_TYPE_MANIFEST, &v1, FWS_ROLE_RELEASE, NULL), 0);
	cr_assert_eq(fws_envelope_verify(m, FWS_TYPE_MANIFEST, &v2, FWS_ROLE_RELEASE, NULL),
		     FWS_EUNTRUSTED);
	cr_assert_eq(fws_envelope_sign(m, k[4]), 0);
	cr_assert_eq(fws_envelope_verify(m, FWS_TYPE_MANIFEST, &v2, FWS_ROLE_RELEASE, NULL), 0);
	free(m);
}

Test(sign_root, manifest_envelope_not_taken_for_root_draft)
{
	static const char body[] = "{\"schema\":1}";
	struct fws_envelope *m = calloc(1, sizeof *m);
	struct fws_root_status st;
	char *json = NULL;
	size_t len = 0;

	cr_assert_not_null(m);
	cr_assert_eq(
	    fws_envelope_set_body(m, FWS_TYPE_MANIFEST, (const uint8_t *)body, sizeof body - 1), 0);
	cr_assert_eq(fws_envelope_encode_draft(m, &json, &len), 0);
	cr_assert_eq(fws_file_write_atomic(path("m.json"), json, len, 0644, FWS_OUT_NEW, NULL, 0),
		     0);
	free(json);
	cr_assert_eq(fws_root_inspect_file(path("m.json"), NULL, NULL, NULL, NULL, &st),
		     FWS_EPAYLOADTYPE);
	cr_assert_eq(fws_root_sign_file(path("m.json"), k[0], NULL, NOW, NULL, 0, NULL),
		     FWS_EPAYLOADTYPE);
	free(m);
}

/* `root sign --key K`: the key file (or the previous root) named as the
 * document to sign would be overwritten by the signed root. Refused with
 * FWS_ESAMEFILE however it is named (the same path, a hard link, a
 * symbolic link), and the file is unchanged. */
Test(sign_root, signing_over_an_input_refused_with_esamefile)
{
	static const int none[] = {-1};
	struct fws_root v1, v2;

	setup_v1_file(&v1);
	build_v2_rotating_k0(&v1, &v2);
	write_signed("v2.json", &v2, &v1, none);
	cr_assert_eq(link(path("v2.json"), path("hard.json")), 0);
	cr_assert_eq(symlink(path("v2.json"), path("sym.json")), 0);
	uint8_t *before, *after;
	size_t before_len, after_len;
	before = slurp("v2.json", &before_len);
	char as_input[3][128];
	snprintf(as_input[0], sizeof as_input[0], "%s", path("v2.json"));
	snprintf(as_input[1], sizeof as_input[1], "%s", path("hard.json"));
	snprintf(as_input[2], sizeof as_input[2], "%s", path("sym.json"));
	for (size_t i = 0; i < 3; i++) {
		const char *inputs[] = {"-", as_input[i]};
		int rc = fws_root_sign_file(path("v2.json"), k[1], path("prev.json"), NOW, inputs,
					    2, NULL);
		cr_assert_eq(rc, FWS_ESAMEFILE, "input %s: %s", as_input[i], fws_errname(rc));
	}
	/* the previous root named as the document itself: never its own
	 * successor either, so whichever check comes first refuses it, and
	 * it is unchanged */
	size_t prev_len, prev_after_len;
	uint8_t *prev = slurp("prev.json", &prev_len);
	int rc = fws_root_sign_file(path("prev.json"), k[1], path("prev.json"), NOW, NULL, 0, NULL);
	cr_assert(rc == FWS_ESAMEFILE || rc == FWS_EROOTVERSION, "%s", fws_errname(rc));
	uint8_t *prev_after = slurp("prev.json", &prev_after_len);
	cr_assert(prev_after_len == prev_len && memcmp(prev_after, prev, prev_len) == 0);
	free(prev);
	free(prev_after);
	after = slurp("v2.json", &after_len);
	cr_assert(after_len == before_len && memcmp(after, before, after_len) == 0);
	free(before);
	free(after);
	/* and with the inputs elsewhere it signs */
	char key_file[128];
	snprintf(key_file, sizeof key_file, "%s", path("k1.key"));
	const char *elsewhere[] = {key_file};
	cr_assert_eq(
	    fws_root_sign_file(path("v2.json"), k[1], path("prev.json"), NOW, elsewhere, 1, NULL),
	    0);
}

/* `root create --force`: an existing output is replaced, but never when
 * it is one of the inputs. */
Test(sign_root, write_new_policies_and_inputs)
{
	struct fws_root v1;

	build_v1(&v1, 1);
	cr_assert_eq(
	    fws_root_write_new(path("r.json"), &v1, NULL, k[0], NOW, FWS_OUT_NEW, NULL, 0, NULL),
	    0);
	cr_assert_eq(fws_root_write_new(path("r.json"), &v1, NULL, k[0], NOW, FWS_OUT_REPLACE, NULL,
					0, NULL),
		     0);
	const char *inputs[] = {path("r.json")};
	cr_assert_eq(fws_root_write_new(path("r.json"), &v1, NULL, k[0], NOW, FWS_OUT_REPLACE,
					inputs, 1, NULL),
		     FWS_ESAMEFILE);
	struct fws_envelope env;
	cr_assert_eq(
	    fws_root_write_new(path("s.json"), &v1, NULL, k[0], NOW, FWS_OUT_NEW, NULL, 0, &env),
	    0);
	cr_assert_eq(env.n_sigs, 1, "env_out is the envelope written");
}

/* More inputs than the same-file check can hold, or a count with no array:
 * refused outright, never signed with some inputs left unchecked (the one
 * left out could be the document itself). */
Test(sign_root, more_inputs_than_can_be_checked_refused_not_truncated)
{
	static const int none[] = {-1};
	struct fws_root v1, v2;
	setup_v1_file(&v1);
	build_v2_rotating_k0(&v1, &v2);
	write_signed("v2.json", &v2, &v1, none);
	size_t before_len, after_len;
	uint8_t *before = slurp("v2.json", &before_len);
	static char self[128];
	snprintf(self, sizeof self, "%s", path("v2.json"));
	const char *many[FWS_OUT_INPUTS_MAX + 1];
	for (size_t i = 0; i < FWS_OUT_INPUTS_MAX; i++)
		many[i] = "-";
	many[FWS_OUT_INPUTS_MAX] = self; /* the 65th: the document itself */
	cr_assert_eq(fws_root_sign_file(path("v2.json"), k[1], path("prev.json"), NOW, many,
					FWS_OUT_INPUTS_MAX + 1, NULL),
		     FWS_EUSAGE);
	cr_assert_eq(fws_root_sign_file(path("v2.json"), k[1], path("prev.json"), NOW, many,
					FWS_OUT_INPUTS_MAX, NULL),
		     FWS_EUSAGE, "64 inputs and the previous root are 65");
	cr_assert_eq(fws_root_sign_file(path("v2.json"), k[1], path("prev.json"), NOW, NULL, 1, NULL),
		     FWS_EUSAGE);
	uint8_t *after = slurp("v2.json", &after_len);
	cr_assert(after_len == before_len && memcmp(after, before, after_len) == 0);
	free(before);
	free(after);
}
