/* SPDX-License-Identifier: Apache-2.0 */
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
/* A generated key behind the key object every signing path takes. */
static int new_key(struct fws_signing_key **out)
{
	struct fws_secret_key *secret = NULL;
	int rc = fws_secret_key_generate(&secret);
	return rc != 0 ? rc : fws_signing_key_from_secret(secret, out);
}

static void make_root(struct fws_root *root, struct fws_signing_key **keys, size_t n, uint32_t t)
{
	memset(root, 0, sizeof *root);
	root->schema = 1;
	root->version = 1;
	root->created = 0;
	root->expires = 1;
	for (size_t i = 0; i < n; i++) {
		fws_signing_key_public(keys[i], root->keys[i].public_key, root->keys[i].keyid);
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
	struct fws_signing_key *key = NULL;
	struct fws_envelope *env = new_env();
	struct fws_root root;
	struct fws_signers signers;
	uint8_t pk[32], id[32];

	cr_assert_eq(new_key(&key), 0);
	make_root(&root, &key, 1, 1);
	cr_assert_eq(fws_envelope_sign(env, key), 0);
	cr_assert_eq(env->n_sigs, 1);
	fws_signing_key_public(key, pk, id);
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

	fws_signing_key_close(key);
	free(env);
}

Test(sign_envelope, two_keys_meet_threshold_two)
{
	struct fws_signing_key *keys[2] = {NULL, NULL};
	struct fws_envelope *env = new_env();
	struct fws_root root;

	cr_assert_eq(new_key(&keys[0]), 0);
	cr_assert_eq(new_key(&keys[1]), 0);
	make_root(&root, keys, 2, 2);
	cr_assert_eq(fws_envelope_sign(env, keys[0]), 0);
	cr_assert_eq(fws_envelope_verify(env, FWS_TYPE_MANIFEST, &root, FWS_ROLE_RELEASE, NULL),
		     FWS_ETHRESHOLD);
	cr_assert_eq(fws_envelope_sign(env, keys[1]), 0);
	cr_assert_eq(fws_envelope_verify(env, FWS_TYPE_MANIFEST, &root, FWS_ROLE_RELEASE, NULL), 0);
	fws_signing_key_close(keys[0]);
	fws_signing_key_close(keys[1]);
	free(env);
}

static int give_pw(void *ctx, enum fws_key_secret_kind kind, const char *subject, char **secret,
		   size_t *len)
{
	(void)subject;
	*(int *)ctx = kind == FWS_SECRET_PASSPHRASE;
	*secret = strdup("pw");
	*len = 2;
	return *secret != NULL ? 0 : FWS_ENOMEM;
}

static void put_pw(void *ctx, char *secret)
{
	(void)ctx;
	free(secret);
}

/* The key file opened through the key object signs exactly as the key it
 * was saved from (the file provider changes nothing). */
Test(sign_envelope, loaded_key_signs_like_generated)
{
	char dir[] = "/tmp/fwseal-sign-XXXXXX", base[64], path[80], cmd[96];
	struct fws_secret_key *secret = NULL;
	struct fws_signing_key *key = NULL, *loaded = NULL;
	struct fws_envelope *a = new_env(), *b = new_env();
	int asked_passphrase = 0;
	struct fws_key_prompt prompt = {give_pw, put_pw, &asked_passphrase};
	struct fws_key_open_opts opts = {&prompt, NULL, 0};
	uint8_t pk_a[32], id_a[32], pk_b[32], id_b[32];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(base, sizeof base, "%s/k", dir);
	snprintf(path, sizeof path, "%s.key", base);
	cr_assert_eq(fws_secret_key_generate(&secret), 0);
	cr_assert_eq(fws_secret_key_save(secret, base, "pw", 2, FWS_KDF_INTERACTIVE), 0);
	cr_assert_eq(fws_signing_key_from_secret(secret, &key), 0);
	cr_assert_eq(fws_signing_key_open(path, &opts, &loaded), 0);
	cr_assert_eq(asked_passphrase, 1);
	cr_assert_str_eq(fws_signing_key_name(loaded), path);
	fws_signing_key_public(key, pk_a, id_a);
	fws_signing_key_public(loaded, pk_b, id_b);
	cr_assert_arr_eq(id_a, id_b, 32);
	cr_assert_eq(fws_envelope_sign(a, key), 0);
	cr_assert_eq(fws_envelope_sign(b, loaded), 0);
	/* Ed25519 is deterministic: same seed, same message, same signature */
	cr_assert_arr_eq(&a->sigs[0], &b->sigs[0], sizeof a->sigs[0]);
	fws_signing_key_close(key);
	fws_signing_key_close(loaded);
	free(a);
	free(b);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

/* A public key file is no signing key, and nobody is asked for a
 * passphrase for one. */
Test(sign_envelope, public_key_file_is_not_a_signing_key)
{
	char dir[] = "/tmp/fwseal-sign-XXXXXX", base[64], path[80], cmd[96];
	struct fws_secret_key *secret = NULL;
	struct fws_signing_key *key = NULL;
	int asked = 0;
	struct fws_key_prompt prompt = {give_pw, put_pw, &asked};
	struct fws_key_open_opts opts = {&prompt, NULL, 0};

	cr_assert_not_null(mkdtemp(dir));
	snprintf(base, sizeof base, "%s/k", dir);
	snprintf(path, sizeof path, "%s.pub", base);
	cr_assert_eq(fws_secret_key_generate(&secret), 0);
	cr_assert_eq(fws_secret_key_save(secret, base, "pw", 2, FWS_KDF_INTERACTIVE), 0);
	fws_secret_key_free(secret);
	cr_assert_eq(fws_signing_key_open(path, &opts, &key), FWS_EKEYFILE);
	cr_assert_null(key);
	cr_assert_eq(asked, 0);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

/* What a message may show of a key reference: never a token's PIN. */
/* req: REQ-HSM-004 */
Test(sign_envelope, key_ref_shown_without_pin)
{
	static const char *const cases[][2] = {
	    {"pkcs11:token=a;object=k?pin-value=1234", "pkcs11:token=a;object=k"},
	    {"pkcs11:token=a;pin-value=1234;object=k", "pkcs11:token=a;object=k"},
	    {"pkcs11:pin-value=1234;token=a", "pkcs11:token=a"},
	    {"PKCS11:token=a?module-path=/m.so&pin-value=12&x=y",
	     "pkcs11:token=a?module-path=/m.so&x=y"},
	    {"pkcs11:token=a?PIN-VALUE=1", "pkcs11:token=a"},
	    {"pkcs11:token=a?pin-source=file:/p", "pkcs11:token=a?pin-source=file:/p"},
	    {"pkcs11:token=a&pin-value=1;object=k", "pkcs11:token=a;object=k"},
	    {"pkcs11:&pin-value=1", "pkcs11:"},
	    {"pkcs11::pin-value=1;token=a", "pkcs11:token=a"},
	    {"pkcs11:token=a?pin%2Dvalue=1", "pkcs11:token=a"},
	    {"pkcs11:token=a?pin%2dVALUE", "pkcs11:token=a"},
	    {"pkcs11:token=a?pin%00-value=1", "pkcs11:token=a"},
	    {"pkcs11:token=a?pin-value=1&module-path=/m.so", "pkcs11:token=a?module-path=/m.so"},
	    {"pkcs11:?pin-value=1&module-path=/m.so", "pkcs11:?module-path=/m.so"},
	    {"pkcs11:token=a?x=1&pin-value=2&y=3", "pkcs11:token=a?x=1&y=3"},
	    {"pkcs11:token=a;object=k?pin-source=file:/p&pin-value=2",
	     "pkcs11:token=a;object=k?pin-source=file:/p"},
	    {"keys/release.key", "keys/release.key"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *shown = fws_key_ref_shown(cases[i][0]);
		cr_assert_not_null(shown);
		cr_assert_str_eq(shown, cases[i][1], "%s", cases[i][0]);
		free(shown);
	}
	cr_assert_eq(fws_key_ref_is_pkcs11("Pkcs11:token=a"), 1);
	cr_assert_eq(fws_key_ref_is_pkcs11("pkcs11.key"), 0);
}

Test(sign_envelope, full_envelope_refused)
{
	struct fws_signing_key *key = NULL;
	struct fws_envelope *env = new_env();

	cr_assert_eq(new_key(&key), 0);
	/* filler signatures from other key IDs */
	for (size_t i = 0; i < FWS_MAX_SIGNATURES; i++)
		memset(env->sigs[i].keyid, (int)(i + 1), 32);
	env->n_sigs = FWS_MAX_SIGNATURES;
	cr_assert_eq(fws_envelope_sign(env, key), FWS_ELIMIT);
	cr_assert_eq(env->n_sigs, FWS_MAX_SIGNATURES);
	fws_signing_key_close(key);
	free(env);
}

Test(sign_envelope, empty_envelope_refused)
{
	struct fws_signing_key *key = NULL;
	struct fws_envelope *env = calloc(1, sizeof *env);

	cr_assert_eq(new_key(&key), 0);
	cr_assert_eq(fws_envelope_sign(env, key), FWS_EUSAGE);
	cr_assert_eq(fws_envelope_sign(NULL, key), FWS_EUSAGE);
	cr_assert_eq(fws_envelope_sign(env, NULL), FWS_EUSAGE);
	cr_assert_eq(env->n_sigs, 0);
	fws_signing_key_close(key);
	free(env);
}

/* The signature covers the payload type: a manifest signature is not a
 * root signature. */
Test(sign_envelope, signature_binds_type)
{
	struct fws_signing_key *key = NULL;
	struct fws_envelope *env = new_env();
	struct fws_root root;

	cr_assert_eq(new_key(&key), 0);
	make_root(&root, &key, 1, 1);
	cr_assert_eq(fws_envelope_sign(env, key), 0);
	struct fws_signature sig = env->sigs[0];
	cr_assert_eq(
	    fws_envelope_set_body(env, FWS_TYPE_ROOT, (const uint8_t *)body, sizeof body - 1), 0);
	env->sigs[0] = sig;
	env->n_sigs = 1;
	cr_assert_neq(fws_envelope_verify(env, FWS_TYPE_ROOT, &root, FWS_ROLE_ROOT, NULL), 0);
	fws_signing_key_close(key);
	free(env);
}
