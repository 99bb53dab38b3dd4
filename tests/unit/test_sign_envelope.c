/* req: REQ-KEY-003, REQ-SIG-002 */
/* fws_envelope_sign: signatures verify, one per key, bounded count. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <string.h>

#include "fwseal/fwseal.h"
#include "fwseal/keys.h"

static void setup(void)
{
	cr_assert_eq(fws_init(), 0);
}

TestSuite(sign_envelope, .init = setup, .timeout = 30);

static const char body[] = "{\"schema\":1,\"product\":\"pump\"}";

static struct fws_envelope *new_env(void)
{
	struct fws_envelope *env = calloc(1, sizeof *env);
	cr_assert_not_null(env);
	cr_assert_eq(
	    fws_envelope_set_body(env, FWS_TYPE_MANIFEST, (const uint8_t *)body, sizeof body - 1),
	    0);
	return env;
}

/* A root whose release and root roles hold exactly these keys, threshold t. */
static void make_root(struct fws_root *root, struct fws_secret_key **keys, size_t n, uint32_t t)
{
	memset(root, 0, sizeof *root);
	root->schema = 1;
	root->version = 1;
	root->created = 0;
	root->expires = 1;
	for (size_t i = 0; i < n; i++) {
		fws_secret_key_public(keys[i], root->keys[i].public_key, root->keys[i].keyid);
		for (int r = 0; r < FWS_ROLE_COUNT; r++)
			memcpy(root->roles[r].keyids[i], root->keys[i].keyid, 32);
	}
	root->n_keys = n;
	for (int r = 0; r < FWS_ROLE_COUNT; r++) {
		root->roles[r].n_keyids = n;
		root->roles[r].threshold = t;
	}
	cr_assert_eq(fws_root_check(root), 0);
}

Test(sign_envelope, sign_then_verify)
{
	struct fws_secret_key *key = NULL;
	struct fws_envelope *env = new_env();
	struct fws_root root;
	struct fws_signers signers;
	uint8_t pk[32], id[32];

	cr_assert_eq(fws_secret_key_generate(&key), 0);
	make_root(&root, &key, 1, 1);
	cr_assert_eq(fws_envelope_sign(env, key), 0);
	cr_assert_eq(env->n_sigs, 1);
	fws_secret_key_public(key, pk, id);
	cr_assert_arr_eq(env->sigs[0].keyid, id, 32);
	/* a plain Ed25519 signature over the PAE, as any DSSE tool expects */
	cr_assert_eq(crypto_sign_verify_detached(env->sigs[0].sig, env->pae, env->pae_len, pk), 0);
	cr_assert_eq(fws_envelope_verify(env, FWS_TYPE_MANIFEST, &root, FWS_ROLE_RELEASE, &signers),
		     0);
	cr_assert_eq(signers.n, 1);
	cr_assert_arr_eq(signers.keyids[0], id, 32);

	/* the same key again: refused, envelope unchanged */
	struct fws_signature before = env->sigs[0];
	cr_assert_eq(fws_envelope_sign(env, key), FWS_EALREADYSIGNED);
	cr_assert_eq(env->n_sigs, 1);
	cr_assert_arr_eq(&env->sigs[0], &before, sizeof before);

	fws_secret_key_free(key);
	free(env);
}

Test(sign_envelope, two_keys_meet_threshold_two)
{
	struct fws_secret_key *keys[2] = {NULL, NULL};
	struct fws_envelope *env = new_env();
	struct fws_root root;

	cr_assert_eq(fws_secret_key_generate(&keys[0]), 0);
	cr_assert_eq(fws_secret_key_generate(&keys[1]), 0);
	make_root(&root, keys, 2, 2);
	cr_assert_eq(fws_envelope_sign(env, keys[0]), 0);
	cr_assert_eq(fws_envelope_verify(env, FWS_TYPE_MANIFEST, &root, FWS_ROLE_RELEASE, NULL),
		     FWS_ETHRESHOLD);
	cr_assert_eq(fws_envelope_sign(env, keys[1]), 0);
	cr_assert_eq(fws_envelope_verify(env, FWS_TYPE_MANIFEST, &root, FWS_ROLE_RELEASE, NULL), 0);
	fws_secret_key_free(keys[0]);
	fws_secret_key_free(keys[1]);
	free(env);
}

Test(sign_envelope, loaded_key_signs_like_generated)
{
	char dir[] = "/tmp/fwseal-sign-XXXXXX", base[64], path[80], cmd[96];
	struct fws_secret_key *key = NULL, *loaded = NULL;
	struct fws_envelope *a = new_env(), *b = new_env();

	cr_assert_not_null(mkdtemp(dir));
	snprintf(base, sizeof base, "%s/k", dir);
	snprintf(path, sizeof path, "%s.key", base);
	cr_assert_eq(fws_secret_key_generate(&key), 0);
	cr_assert_eq(fws_secret_key_save(key, base, "pw", 2, FWS_KDF_INTERACTIVE), 0);
	cr_assert_eq(fws_secret_key_load(path, "pw", 2, &loaded), 0);
	cr_assert_eq(fws_envelope_sign(a, key), 0);
	cr_assert_eq(fws_envelope_sign(b, loaded), 0);
	/* Ed25519 is deterministic: same seed, same message, same signature */
	cr_assert_arr_eq(&a->sigs[0], &b->sigs[0], sizeof a->sigs[0]);
	fws_secret_key_free(key);
	fws_secret_key_free(loaded);
	free(a);
	free(b);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(sign_envelope, full_envelope_refused)
{
	struct fws_secret_key *key = NULL;
	struct fws_envelope *env = new_env();

	cr_assert_eq(fws_secret_key_generate(&key), 0);
	/* filler signatures from other key IDs */
	for (size_t i = 0; i < FWS_MAX_SIGNATURES; i++)
		memset(env->sigs[i].keyid, (int)(i + 1), 32);
	env->n_sigs = FWS_MAX_SIGNATURES;
	cr_assert_eq(fws_envelope_sign(env, key), FWS_ELIMIT);
	cr_assert_eq(env->n_sigs, FWS_MAX_SIGNATURES);
	fws_secret_key_free(key);
	free(env);
}

Test(sign_envelope, empty_envelope_refused)
{
	struct fws_secret_key *key = NULL;
	struct fws_envelope *env = calloc(1, sizeof *env);

	cr_assert_eq(fws_secret_key_generate(&key), 0);
	cr_assert_eq(fws_envelope_sign(env, key), FWS_EUSAGE);
	cr_assert_eq(fws_envelope_sign(NULL, key), FWS_EUSAGE);
	cr_assert_eq(fws_envelope_sign(env, NULL), FWS_EUSAGE);
	cr_assert_eq(env->n_sigs, 0);
	fws_secret_key_free(key);
	free(env);
}

/* The signature covers the payload type: a manifest signature is not a
 * root signature. */
Test(sign_envelope, signature_binds_type)
{
	struct fws_secret_key *key = NULL;
	struct fws_envelope *env = new_env();
	struct fws_root root;

	cr_assert_eq(fws_secret_key_generate(&key), 0);
	make_root(&root, &key, 1, 1);
	cr_assert_eq(fws_envelope_sign(env, key), 0);
	struct fws_signature sig = env->sigs[0];
	cr_assert_eq(
	    fws_envelope_set_body(env, FWS_TYPE_ROOT, (const uint8_t *)body, sizeof body - 1), 0);
	env->sigs[0] = sig;
	env->n_sigs = 1;
	cr_assert_neq(fws_envelope_verify(env, FWS_TYPE_ROOT, &root, FWS_ROLE_ROOT, NULL), 0);
	fws_secret_key_free(key);
	free(env);
}
