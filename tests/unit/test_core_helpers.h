/* SPDX-License-Identifier: Apache-2.0 */
/* Shared helpers for the lib/core unit tests: deterministic keys, roots and
 * envelopes built by hand, so each test states exactly what it trusts. */
#ifndef FWSEAL_TEST_CORE_HELPERS_H
#define FWSEAL_TEST_CORE_HELPERS_H

#include <criterion/criterion.h>
#include <sodium.h>
#include <string.h>

#include "fwseal/chunks.h"
#include "fwseal/encoding.h"
#include "fwseal/envelope.h"
#include "fwseal/error.h"
#include "fwseal/fwseal.h"
#include "fwseal/limits.h"
#include "fwseal/manifest.h"
#include "fwseal/policy.h"
#include "fwseal/root.h"
#include "fwseal/sha256.h"

/* The in-repository copy (the Makefile passes its absolute path; the
 * tests run from tests/). */
#ifndef VECTORS_DIR
#define VECTORS_DIR "vectors/known-answers"
#endif

/* Every suite initialises libsodium in the test process. */
static inline void core_setup(void)
{
	int ret = fws_init();
	cr_assert_eq(ret, 0, "fws_init failed: %d", ret);
}

struct test_key {
	uint8_t pk[32];
	uint8_t sk[64];
	uint8_t keyid[32];
};

/* Key number n: seed = 32 bytes of value n (deterministic). */
static inline void test_key_make(struct test_key *k, uint8_t n)
{
	uint8_t seed[32];

	memset(seed, n, sizeof seed);
	cr_assert_eq(crypto_sign_seed_keypair(k->pk, k->sk, seed), 0);
	fws_keyid(k->pk, k->keyid);
}

static inline void root_add_key(struct fws_root *r, const struct test_key *k)
{
	cr_assert_lt(r->n_keys, FWS_MAX_KEYS);
	memcpy(r->keys[r->n_keys].keyid, k->keyid, 32);
	memcpy(r->keys[r->n_keys].public_key, k->pk, 32);
	r->n_keys++;
}

static inline void role_add(struct fws_root *r, enum fws_role_id role, const struct test_key *k)
{
	struct fws_role *ro = &r->roles[role];

	cr_assert_lt(ro->n_keyids, FWS_MAX_KEYS);
	memcpy(ro->keyids[ro->n_keyids++], k->keyid, 32);
}

/* An empty, otherwise valid-looking root header; keys and roles added after. */
static inline void root_begin(struct fws_root *r, uint64_t version)
{
	memset(r, 0, sizeof *r);
	r->schema = 1;
	r->version = version;
	r->created = 1767225600; /* 2026-01-01 */
	r->expires = 1767225600 + 86400 * 365;
}

static inline void env_make(struct fws_envelope *env, const char *type, const char *body)
{
	memset(env, 0, sizeof *env);
	cr_assert_eq(fws_envelope_set_body(env, type, (const uint8_t *)body, strlen(body)), 0);
}

static inline void env_sign(struct fws_envelope *env, const struct test_key *k)
{
	struct fws_signature *s;

	cr_assert_lt(env->n_sigs, FWS_MAX_SIGNATURES);
	s = &env->sigs[env->n_sigs++];
	memcpy(s->keyid, k->keyid, 32);
	cr_assert_eq(crypto_sign_detached(s->sig, NULL, env->pae, env->pae_len, k->sk), 0);
}

/* A signature entry with the given key ID but random-looking garbage bytes. */
static inline void env_add_garbage(struct fws_envelope *env, const uint8_t keyid[32], uint8_t fill)
{
	struct fws_signature *s;

	cr_assert_lt(env->n_sigs, FWS_MAX_SIGNATURES);
	s = &env->sigs[env->n_sigs++];
	memcpy(s->keyid, keyid, 32);
	memset(s->sig, fill, sizeof s->sig);
}

static inline void hex_to(uint8_t *out, size_t len, const char *hex)
{
	cr_assert_eq(fws_hex_decode_exact(out, len, hex), 0, "bad hex constant %s", hex);
}

/* The exhaustive sweeps run in make check-long only (FWSEAL_LONG=1). */
static inline int test_long_enabled(void)
{
	const char *v = getenv("FWSEAL_LONG");
	return v != NULL && strcmp(v, "1") == 0;
}

#endif
