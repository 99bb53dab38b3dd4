/* SPDX-License-Identifier: Apache-2.0 */
/* fwseal selftest: known-answer tests and an attack suite (selftest.h).
 *
 * Every expected value below is a constant computed by an independent
 * implementation (FIPS 180-2, RFC 8032, tests/vectors/known-answers: Python hashlib
 * and OpenSSL), never by this library. Each case reports what it expected and
 * what it got; `pass` is nothing but got == expected. A case that cannot even
 * be set up (out of memory) fails with the setup's code. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/bundle.h"
#include "fwseal/chunks.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/fwseal.h"
#include "fwseal/policy.h"
#include "fwseal/selftest.h"
#include "selftest/fixture.h"
#include "selftest/selftest_internal.h"

struct run {
	fws_selftest_fn cb;
	void *ctx;
	struct fws_selftest_summary sum;
	const char *fault; /* test-only: the case whose input is corrupted */
};

static void report(struct run *r, const char *group, const char *name, const char *what,
		   int expected, int got)
{
	struct fws_selftest_case c = {group, name, what, expected, got, got == expected};

	r->sum.total++;
	if (c.pass)
		r->sum.passed++;
	else
		r->sum.failed++;
	if (r->cb != NULL)
		r->cb(r->ctx, &c);
}

/* Test-only fault injection (fws__selftest_run_fault): the named case gets a
 * corrupted input, so a test can show the suite notices a wrong answer. */
static int faulty(const struct run *r, const char *name)
{
	return r->fault != NULL && strcmp(r->fault, name) == 0;
}

/* 0 when the computed bytes equal the hex constant, else FWS_EINTERNAL
 * (the library computed something else: an invariant did not hold). */
static int same(const struct run *r, const char *name, const uint8_t *got, const char *hex)
{
	uint8_t want[64];
	size_t n = strlen(hex) / 2;

	if (n > sizeof want || fws_hex_decode_exact(want, n, hex) != 0)
		return FWS_EINTERNAL;
	if (faulty(r, name))
		want[0] ^= 1;
	return memcmp(got, want, n) == 0 ? 0 : FWS_EINTERNAL;
}

/* ------------------------------------------------------------------------ */
/* Known answers                                                            */
/* ------------------------------------------------------------------------ */

/* RFC 8032 section 7.1 TEST 1. */
static const char t1_seed[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char t1_public[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char t1_keyid[] = "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9";
static const char t1_sig_empty[] = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
				   "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

/* known-answers.json "chunked_digest": bytes (i*7+3) mod 256, i < 12388. */
#define KAT_PAYLOAD_SIZE 12388
#define KAT_CHUNK_SIZE 4096
static const char kat_chunk[4][65] = {
    "7486da8f1e13943fae21a0b043f1e99640d7d8ebafb25266478b5cddae1272b5",
    "7486da8f1e13943fae21a0b043f1e99640d7d8ebafb25266478b5cddae1272b5",
    "7486da8f1e13943fae21a0b043f1e99640d7d8ebafb25266478b5cddae1272b5",
    "5a2cda2351d1cdd9dd7957e57c0b3c8522451f25b6494569b7e94388c46f0980",
};
static const char kat_chunks_sha256[] =
    "4dc366be6eced181a353bc408053d8e69bf70ece47da4abb790d8e9f9e1698db";

/* known-answers.json "pae". */
static const char kat_pae_body[] =
    "{\"created\":\"2026-01-01T00:00:00Z\",\"hardware\":[\"vector-hw\"],\"payloads\":[{\"chunk_"
    "size\":4096,\"hashes\":{\"sha256-chunks\":"
    "\"4dc366be6eced181a353bc408053d8e69bf70ece47da4abb790d8e9f9e1698db\"},\"name\":\"payload."
    "bin\",\"size\":12388,\"target\":\"rootfs\"}],\"product\":\"vector-device\",\"schema\":1,"
    "\"security_version\":1,\"version\":\"1.0.0\"}";
static const char kat_pae_prefix[] = "445353457631203336206170706c69636174696f6e2f766e642e6677736561"
				     "6c2e6d616e69666573742b6a736f6e20333134207b2263726561746564";
static const char kat_pae_sha256[] =
    "c1b1a4f4452f3cbe4d34e800c0862a0787c7593b717500fdef7f11dc84d23923";
#define KAT_PAE_LENGTH 365

/* known-answers.json "envelope": the manifest above signed with TEST 1. */
static const char kat_envelope_json[] =
    "{\"payloadType\":\"application/vnd.fwseal.manifest+json\",\"payload\":\""
    "eyJjcmVhdGVkIjoiMjAyNi0wMS0wMVQwMDowMDowMFoiLCJoYXJkd2FyZSI6WyJ2ZWN0b3ItaHciXSwicGF5bG9hZH"
    "MiOlt7ImNodW5rX3NpemUiOjQwOTYsImhhc2hlcyI6eyJzaGEyNTYtY2h1bmtzIjoiNGRjMzY2YmU2ZWNlZDE4MWEz"
    "NTNiYzQwODA1M2Q4ZTY5YmY3MGVjZTQ3ZGE0YWJiNzkwZDhlOWY5ZTE2OThkYiJ9LCJuYW1lIjoicGF5bG9hZC5iaW"
    "4iLCJzaXplIjoxMjM4OCwidGFyZ2V0Ijoicm9vdGZzIn1dLCJwcm9kdWN0IjoidmVjdG9yLWRldmljZSIsInNjaGVt"
    "YSI6MSwic2VjdXJpdHlfdmVyc2lvbiI6MSwidmVyc2lvbiI6IjEuMC4wIn0=\",\"signatures\":[{\"keyid\":"
    "\"21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9\",\"sig\":\""
    "MUapqslvEJ+RmDgjOD0uhAWqL/CE/9+r2dCt41vA8zLIqi9t8vtIOnZ//VLw3iYF/snfp4RbIX7+HIFT+kndCg==\"}]}";

static void kat_sha256(struct run *r)
{
	static const struct {
		const char *name, *what, *msg, *hex;
	} v[] = {
	    {"sha256-abc", "SHA-256 of \"abc\" (FIPS 180-2 B.1)", "abc",
	     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	    {"sha256-empty", "SHA-256 of the empty string", "",
	     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	    {"sha256-448bit", "SHA-256 of the 448-bit message (FIPS 180-2 B.2)",
	     "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	};
	uint8_t d[32], block[1000];
	struct fws_sha256 h;

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		fws_sha256(v[i].msg, strlen(v[i].msg), d);
		report(r, "kat", v[i].name, v[i].what, 0, same(r, v[i].name, d, v[i].hex));
	}
	/* Streamed in odd pieces: exercises the init/update/final buffering. */
	memset(block, 'a', sizeof block);
	fws_sha256_init(&h);
	for (size_t done = 0, step = 1; done < 1000000; done += step, step = step % 997 + 1) {
		if (step > 1000000 - done)
			step = 1000000 - done;
		fws_sha256_update(&h, block, step);
	}
	fws_sha256_final(&h, d);
	report(r, "kat", "sha256-million-a", "SHA-256 of 1,000,000 'a', streamed (FIPS 180-2 B.3)",
	       0,
	       same(r, "sha256-million-a", d,
		    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

static void kat_ed25519(struct run *r)
{
	uint8_t seed[32], pk[32], sk[64], id[32], sig[64];
	int rc = fws_hex_decode_exact(seed, 32, t1_seed);

	if (rc == 0 && crypto_sign_seed_keypair(pk, sk, seed) != 0)
		rc = FWS_ECRYPTO;
	report(r, "kat", "ed25519-public-key", "RFC 8032 TEST 1: public key from the seed", 0,
	       rc != 0 ? rc : same(r, "ed25519-public-key", pk, t1_public));
	fws_keyid(pk, id);
	report(r, "kat", "ed25519-key-id", "key ID = SHA-256 of the TEST 1 public key", 0,
	       rc != 0 ? rc : same(r, "ed25519-key-id", id, t1_keyid));
	if (rc == 0 && crypto_sign_detached(sig, NULL, (const uint8_t *)"", 0, sk) != 0)
		rc = FWS_ECRYPTO;
	report(r, "kat", "ed25519-signature", "RFC 8032 TEST 1: signature of the empty message", 0,
	       rc != 0 ? rc : same(r, "ed25519-signature", sig, t1_sig_empty));
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(seed, sizeof seed);
}

static void kat_chunks(struct run *r)
{
	uint8_t *data = malloc(KAT_PAYLOAD_SIZE), list[4 * 32], d[32];
	struct fws_chunk_verifier v;
	uint64_t n = 0;
	int rc = data == NULL ? FWS_ENOMEM : 0, cmp = 0;

	for (size_t i = 0; data != NULL && i < KAT_PAYLOAD_SIZE; i++)
		data[i] = (uint8_t)((i * 7 + 3) % 256);
	if (rc == 0)
		rc = fws_chunk_count(KAT_PAYLOAD_SIZE, KAT_CHUNK_SIZE, &n);
	if (rc == 0 && n != 4)
		rc = FWS_EINTERNAL;
	/* Through the per-chunk rule every hashing path uses (lib/core/chunks.c),
	 * so the known answers vouch for the code that runs. */
	for (size_t i = 0; rc == 0 && i < 4; i++)
		fws_chunk_digest(data + i * KAT_CHUNK_SIZE,
				 (size_t)fws_chunk_piece_len(KAT_PAYLOAD_SIZE, KAT_CHUNK_SIZE, i),
				 list + 32 * i);
	for (size_t i = 0; rc == 0 && i < 4 && cmp == 0; i++)
		cmp = same(r, "chunk-digests", list + 32 * i, kat_chunk[i]);
	report(r, "kat", "chunk-digests", "SHA-256 of each 4 KiB piece of the vector payload", 0,
	       rc != 0 ? rc : cmp);

	if (rc == 0) {
		fws_sha256(list, sizeof list, d);
		rc = same(r, "chunk-list-digest", d, kat_chunks_sha256);
	}
	/* The streaming verifier must accept the payload against that digest
	 * and release every piece. */
	if (rc == 0 && !faulty(r, "chunk-list-digest"))
		rc = fws_chunk_list_check(list, sizeof list, KAT_PAYLOAD_SIZE, KAT_CHUNK_SIZE, d);
	if (rc == 0)
		rc = fws_chunk_verifier_init(&v, list, KAT_PAYLOAD_SIZE, KAT_CHUNK_SIZE);
	for (size_t off = 0, pieces = 0; rc == 0 && off < KAT_PAYLOAD_SIZE;) {
		size_t used = 0;
		int done = fws_chunk_verifier_update(&v, data + off, KAT_PAYLOAD_SIZE - off, &used);
		if (done < 0)
			rc = done;
		off += used;
		pieces += done == 1;
		if (rc == 0 && off == KAT_PAYLOAD_SIZE && pieces != 4)
			rc = FWS_EINTERNAL;
	}
	if (rc == 0)
		rc = fws_chunk_verifier_final(&v);
	report(r, "kat", "chunk-list-digest",
	       "sha256-chunks digest of the vector payload, checked while streaming", 0, rc);
	free(data);
}

static void kat_pae(struct run *r)
{
	uint8_t *pae = malloc(FWS_PAE_MAX), d[32];
	size_t len = 0;
	int rc = pae == NULL ? FWS_ENOMEM : 0;

	if (rc == 0)
		rc = fws_pae_encode(pae, FWS_PAE_MAX, &len, FWS_TYPE_MANIFEST,
				    (const uint8_t *)kat_pae_body, strlen(kat_pae_body));
	if (rc == 0 && len != KAT_PAE_LENGTH)
		rc = FWS_EINTERNAL;
	if (rc == 0)
		rc = same(r, "dsse-pae", pae, kat_pae_prefix);
	if (rc == 0) {
		fws_sha256(pae, len, d);
		rc = same(r, "dsse-pae", d, kat_pae_sha256);
	}
	report(r, "kat", "dsse-pae", "DSSE v1 pre-authentication encoding of the vector manifest",
	       0, rc);
	free(pae);
}

/* A root that trusts the TEST 1 key for both roles. */
static void t1_root(struct fws_root *root, const uint8_t pk[32])
{
	memset(root, 0, sizeof *root);
	root->schema = 1;
	root->version = 1;
	root->created = FWS_FX_TIME;
	root->expires = FWS_FX_TIME + FWS_FX_ROOT_LIFETIME;
	memcpy(root->keys[0].public_key, pk, 32);
	fws_keyid(pk, root->keys[0].keyid);
	root->n_keys = 1;
	for (int i = 0; i < FWS_ROLE_TIMESTAMP; i++) {
		memcpy(root->roles[i].keyids[0], root->keys[0].keyid, 32);
		root->roles[i].n_keyids = 1;
		root->roles[i].threshold = 1;
	}
}

static void kat_envelope(struct run *r)
{
	struct fws_envelope *env = malloc(sizeof *env);
	struct fws_root *root = malloc(sizeof *root);
	uint8_t pk[32];
	int rc = env == NULL || root == NULL ? FWS_ENOMEM : 0;

	if (rc == 0)
		rc = fws_hex_decode_exact(pk, 32, t1_public);
	if (rc == 0) {
		t1_root(root, pk);
		rc = fws_envelope_decode((const uint8_t *)kat_envelope_json, strlen(kat_envelope_json), env);
	}
	if (rc == 0 && faulty(r, "dsse-envelope-valid"))
		env->pae[env->body_offset] ^= 1;
	if (rc == 0)
		rc = fws_envelope_verify(env, FWS_TYPE_MANIFEST, root, FWS_ROLE_RELEASE, NULL);
	report(r, "kat", "dsse-envelope-valid",
	       "the vector DSSE envelope verifies against the TEST 1 key", 0, rc);

	/* One flipped bit of the signed body. */
	if (rc == 0 && !faulty(r, "dsse-envelope-flipped-body"))
		env->pae[env->body_offset + 10] ^= 0x01;
	if (rc == 0)
		rc = fws_envelope_verify(env, FWS_TYPE_MANIFEST, root, FWS_ROLE_RELEASE, NULL);
	report(r, "kat", "dsse-envelope-flipped-body",
	       "the vector envelope with one body bit flipped is refused", FWS_EBADSIG, rc);

	/* One flipped bit of the signature, on a freshly decoded envelope. */
	rc = env == NULL || root == NULL
		 ? FWS_ENOMEM
		 : fws_envelope_decode((const uint8_t *)kat_envelope_json, strlen(kat_envelope_json), env);
	if (rc == 0) {
		if (!faulty(r, "dsse-envelope-flipped-sig"))
			env->sigs[0].sig[5] ^= 0x80;
		rc = fws_envelope_verify(env, FWS_TYPE_MANIFEST, root, FWS_ROLE_RELEASE, NULL);
	}
	report(r, "kat", "dsse-envelope-flipped-sig",
	       "the vector envelope with one signature bit flipped is refused", FWS_EBADSIG, rc);
	free(env);
	free(root);
}

/* ------------------------------------------------------------------------ */
/* Attack suite                                                             */
/* ------------------------------------------------------------------------ */

#define FW_SIZE 10000  /* three 4 KiB chunks, the last one short */
#define CFG_SIZE 100

struct world {
	struct fws_fx_key root_key, release_key, attacker;
	struct fws_root root; /* trusted: version 1 */
	uint8_t fw[FW_SIZE], cfg[CFG_SIZE];
	struct fws_fx_payload payloads[2];
	struct fws_manifest manifest;
	char *manifest_body;
	size_t manifest_body_len;
	char *manifest_env; /* signed by the release key */
	size_t manifest_env_len;
	char *root_env; /* root v1, self-signed */
	size_t root_env_len;
	struct fws_envelope env; /* scratch */
	struct fws_verify_result result;
};

/* A sink that records what it was given, to prove nothing unverified came out. */
struct capture {
	const struct world *w;
	size_t payload;  /* index of the current payload */
	size_t written;  /* bytes of it received */
	int mismatch;    /* a byte differed from the original */
	size_t total;
};

static int cap_begin(void *ctx, const struct fws_payload *p)
{
	struct capture *c = ctx;

	(void)p;
	c->written = 0;
	return 0;
}

static int cap_write(void *ctx, const uint8_t *data, size_t len)
{
	struct capture *c = ctx;
	const struct fws_fx_payload *p = &c->w->payloads[c->payload];

	if (c->written > p->size || len > p->size - c->written ||
	    memcmp(p->data + c->written, data, len) != 0)
		c->mismatch = 1;
	else
		c->written += len;
	c->total += len;
	return 0;
}

static int cap_end(void *ctx, const struct fws_payload *p)
{
	struct capture *c = ctx;

	if (c->written != p->size)
		c->mismatch = 1;
	c->payload++;
	return 0;
}

static int world_init(struct world *w)
{
	int rc = fws__fx_key(&w->root_key, FWS_FX_ROOT_SEED);

	if (rc == 0)
		rc = fws__fx_key(&w->release_key, FWS_FX_RELEASE_SEED);
	if (rc == 0)
		rc = fws__fx_key(&w->attacker, FWS_FX_ATTACKER_SEED);
	if (rc != 0)
		return rc;
	fws__fx_root(&w->root, 1, &w->root_key, &w->release_key);
	for (size_t i = 0; i < FW_SIZE; i++)
		w->fw[i] = (uint8_t)(i * 31 + (i >> 8));
	for (size_t i = 0; i < CFG_SIZE; i++)
		w->cfg[i] = (uint8_t)('A' + i % 26);
	w->payloads[0] = (struct fws_fx_payload){"firmware.bin", "rootfs", w->fw, FW_SIZE, 4096};
	w->payloads[1] = (struct fws_fx_payload){"config.bin", "config", w->cfg, CFG_SIZE, 4096};
	rc = fws__fx_manifest(&w->manifest, "1.2.0", 5, w->payloads, 2);
	if (rc == 0)
		rc = fws__fx_manifest_json(&w->manifest, &w->manifest_body, &w->manifest_body_len);
	if (rc == 0)
		rc = fws__fx_envelope_json(FWS_TYPE_MANIFEST, (const uint8_t *)w->manifest_body,
					   w->manifest_body_len, &w->release_key, 1,
					   &w->manifest_env, &w->manifest_env_len);
	if (rc == 0)
		rc = fws__fx_root_json(&w->root, &w->root_key, 1, &w->root_env, &w->root_env_len);
	return rc;
}

static void world_free(struct world *w)
{
	free(w->manifest_body);
	free(w->manifest_env);
	free(w->root_env);
}

/* The standard bundle: manifest, root/1.json, firmware.bin, config.bin. */
static void std_bundle(const struct world *w, struct fws_fx_bundle *b)
{
	static const uint64_t v1 = 1;

	memset(b, 0, sizeof *b);
	b->manifest_json = w->manifest_env;
	b->manifest_len = w->manifest_env_len;
	b->roots = (const char *const *)&w->root_env;
	b->root_lens = &w->root_env_len;
	b->root_versions = &v1;
	b->n_roots = 1;
	b->payloads = w->payloads;
	b->n_payloads = 2;
}

struct verify_case {
	const struct fws_root *trusted; /* NULL: w->root */
	const char *hardware;           /* NULL: FWS_FX_HARDWARE */
	uint64_t device_security_version;
	size_t max_read;                /* short reads */
};

/* Verifies bundle bytes with a capturing sink. Beyond the library's own
 * code, a sink that saw a byte that differs from the original (or, on
 * success, not every byte) turns the result into FWS_EINTERNAL. */
static int verify_bytes(struct world *w, const uint8_t *data, size_t len,
			const struct verify_case *vc)
{
	struct capture cap = {w, 0, 0, 0, 0};
	struct fws_sink sink = {
	    .ctx = &cap, .payload_begin = cap_begin, .payload_write = cap_write, .payload_end = cap_end};
	struct fws_fx_reader rd = {data, len, 0, vc != NULL ? vc->max_read : 0};
	struct fws_verify_opts o;
	int rc;

	memset(&o, 0, sizeof o);
	o.trusted_root = vc != NULL && vc->trusted != NULL ? vc->trusted : &w->root;
	o.policy.hardware_id = vc != NULL && vc->hardware != NULL ? vc->hardware : FWS_FX_HARDWARE;
	o.policy.check_rollback = 1;
	o.policy.security_version = vc != NULL ? vc->device_security_version : 0;
	rc = fws_bundle_verify(fws__fx_read, &rd, &o, &sink, &w->result);
	if (cap.mismatch)
		return FWS_EINTERNAL;
	if (rc == 0 && cap.total != FW_SIZE + CFG_SIZE)
		return FWS_EINTERNAL;
	return rc;
}

/* Builds b, lets edit change the bytes, verifies. */
typedef int (*edit_fn)(uint8_t **data, size_t *len, const struct run *r, const char *name);

static int bundle_case(struct run *r, struct world *w, const struct fws_fx_bundle *b,
		       edit_fn edit, const char *name, const struct verify_case *vc)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int rc = fws__fx_bundle_bytes(b, &data, &len);

	if (rc == 0 && edit != NULL)
		rc = edit(&data, &len, r, name);
	if (rc == 0)
		rc = verify_bytes(w, data, len, vc);
	free(data);
	return rc;
}

static int edit_flip_payload(uint8_t **data, size_t *len, const struct run *r, const char *name)
{
	size_t h, d;
	uint64_t size;
	int rc = fws__fx_tar_find(*data, *len, "payloads/firmware.bin", &h, &d, &size);

	/* A byte in the second chunk: the first must pass, the second never. */
	if (rc == 0 && !faulty(r, name))
		(*data)[d + 4096 + 100] ^= 0x01;
	return rc;
}

static int edit_flip_chunk_list(uint8_t **data, size_t *len, const struct run *r,
				const char *name)
{
	size_t h, d;
	uint64_t size;
	int rc = fws__fx_tar_find(*data, *len, "chunks/firmware.bin", &h, &d, &size);

	if (rc == 0 && !faulty(r, name))
		(*data)[d + 40] ^= 0x80;
	return rc;
}

static int edit_truncate(uint8_t **data, size_t *len, const struct run *r, const char *name)
{
	size_t h, d;
	uint64_t size;
	int rc = fws__fx_tar_find(*data, *len, "payloads/firmware.bin", &h, &d, &size);

	/* Cut in the middle of the firmware: a download that stopped. */
	if (rc == 0 && !faulty(r, name))
		*len = d + 6000;
	return rc;
}

static int edit_trailing(uint8_t **data, size_t *len, const struct run *r, const char *name)
{
	static const char extra[] = "unsigned data after the archive";
	uint8_t *bigger;

	if (faulty(r, name))
		return 0;
	bigger = realloc(*data, *len + sizeof extra);
	if (bigger == NULL)
		return FWS_ENOMEM;
	memcpy(bigger + *len, extra, sizeof extra);
	*data = bigger;
	*len += sizeof extra;
	return 0;
}

/* Turns the config payload's entry into a symbolic link to /etc/shadow. */
static int edit_symlink(uint8_t **data, size_t *len, const struct run *r, const char *name)
{
	size_t h, d;
	uint64_t size;
	int rc = fws__fx_tar_find(*data, *len, "payloads/config.bin", &h, &d, &size);

	if (rc == 0 && !faulty(r, name)) {
		uint8_t *hdr = *data + h;
		hdr[156] = '2';
		memcpy(hdr + 157, "/etc/shadow", 11);
		fws__fx_tar_fix_checksum(hdr);
	}
	return rc;
}

static void attack_bundles(struct run *r, struct world *w)
{
	struct fws_fx_bundle b;
	struct verify_case vc;
	char *json = NULL;
	size_t json_len;
	int rc;

	std_bundle(w, &b);
	rc = bundle_case(r, w, &b, faulty(r, "bundle-valid") ? edit_flip_payload : NULL,
			 "bundle-valid-x", NULL);
	report(r, "attack", "bundle-valid",
	       "an intact bundle verifies and every payload byte reaches the sink", 0, rc);

	b.gzip = 1;
	memset(&vc, 0, sizeof vc);
	vc.max_read = 777; /* short reads as from a slow link */
	rc = bundle_case(r, w, &b, faulty(r, "bundle-valid-gzip") ? edit_trailing : NULL,
			 "bundle-valid-gzip-x", &vc);
	report(r, "attack", "bundle-valid-gzip",
	       "the same bundle gzip-compressed, read in short pieces, verifies", 0, rc);
	b.gzip = 0;

	rc = bundle_case(r, w, &b, edit_flip_payload, "bundle-tampered-chunk", NULL);
	report(r, "attack", "bundle-tampered-chunk",
	       "one flipped payload bit is caught; no byte of that chunk is released",
	       FWS_EDIGEST, rc);

	rc = bundle_case(r, w, &b, edit_flip_chunk_list, "bundle-tampered-chunk-list", NULL);
	report(r, "attack", "bundle-tampered-chunk-list",
	       "a flipped bit in a chunk list is caught before any payload byte", FWS_EDIGEST, rc);

	rc = bundle_case(r, w, &b, edit_truncate, "bundle-truncated", NULL);
	report(r, "attack", "bundle-truncated", "a bundle cut short in a payload is refused",
	       FWS_ETRUNCATED, rc);

	rc = bundle_case(r, w, &b, edit_trailing, "bundle-trailing-data", NULL);
	report(r, "attack", "bundle-trailing-data", "bytes after the end of the archive are refused",
	       FWS_ETRAILING, rc);

	rc = bundle_case(r, w, &b, edit_symlink, "bundle-symlink-entry", NULL);
	report(r, "attack", "bundle-symlink-entry",
	       "a payload entry turned into a symbolic link is refused", FWS_EENTRY, rc);

	if (!faulty(r, "bundle-path-traversal"))
		b.extra_before = "../../etc/passwd";
	rc = bundle_case(r, w, &b, NULL, "bundle-path-traversal", NULL);
	report(r, "attack", "bundle-path-traversal", "an entry named ../../etc/passwd is refused",
	       FWS_EENTRY, rc);
	b.extra_before = NULL;

	if (!faulty(r, "bundle-extra-entry"))
		b.extra_after = "payloads/unsigned.bin";
	rc = bundle_case(r, w, &b, NULL, "bundle-extra-entry", NULL);
	report(r, "attack", "bundle-extra-entry", "an entry the manifest does not name is refused",
	       FWS_EENTRY, rc);
	b.extra_after = NULL;

	memset(&vc, 0, sizeof vc);
	vc.hardware = faulty(r, "bundle-wrong-hardware") ? FWS_FX_HARDWARE : "other-hw";
	rc = bundle_case(r, w, &b, NULL, "bundle-wrong-hardware", &vc);
	report(r, "attack", "bundle-wrong-hardware",
	       "a release for other hardware is refused before any payload byte", FWS_EHARDWARE,
	       rc);

	memset(&vc, 0, sizeof vc);
	vc.device_security_version = faulty(r, "bundle-rollback") ? 5 : 6;
	rc = bundle_case(r, w, &b, NULL, "bundle-rollback", &vc);
	report(r, "attack", "bundle-rollback",
	       "a release older than the device's security_version is refused", FWS_EROLLBACK,
	       rc);

	/* Signed by a key the root does not know. */
	rc = fws__fx_envelope_json(FWS_TYPE_MANIFEST, (const uint8_t *)w->manifest_body,
				   w->manifest_body_len,
				   faulty(r, "bundle-unknown-key") ? &w->release_key : &w->attacker,
				   1, &json, &json_len);
	if (rc == 0) {
		b.manifest_json = json;
		b.manifest_len = json_len;
		rc = bundle_case(r, w, &b, NULL, "bundle-unknown-key", NULL);
	}
	report(r, "attack", "bundle-unknown-key",
	       "a bundle signed by a key the trusted root does not authorise is refused",
	       FWS_EUNTRUSTED, rc);
	free(json);
	json = NULL;
	std_bundle(w, &b);

	/* The manifest changed after signing (security_version raised), the
	 * release signature kept. */
	rc = fws_envelope_decode((const uint8_t *)w->manifest_env, w->manifest_env_len, &w->env);
	if (rc == 0) {
		struct fws_signature sig = w->env.sigs[0];
		struct fws_manifest *m = malloc(sizeof *m);
		char *body = NULL;
		size_t body_len = 0;
		rc = m == NULL ? FWS_ENOMEM : 0;
		if (rc == 0) {
			*m = w->manifest;
			if (!faulty(r, "bundle-altered-manifest"))
				m->security_version = 99;
			rc = fws_manifest_encode(m, &body, &body_len);
		}
		if (rc == 0)
			rc = fws_envelope_set_body(&w->env, FWS_TYPE_MANIFEST, (const uint8_t *)body,
						   body_len);
		if (rc == 0) {
			w->env.sigs[0] = sig;
			w->env.n_sigs = 1;
			rc = fws_envelope_encode(&w->env, &json, &json_len);
		}
		if (rc == 0) {
			b.manifest_json = json;
			b.manifest_len = json_len;
			rc = bundle_case(r, w, &b, NULL, "bundle-altered-manifest", NULL);
		}
		free(body);
		free(m);
	}
	report(r, "attack", "bundle-altered-manifest",
	       "a manifest changed after signing (security_version raised) is refused",
	       FWS_EBADSIG, rc);
	free(json);
	json = NULL;
	std_bundle(w, &b);
}

/* Root chain: a legitimate rotation is followed; a takeover is not. */
static void attack_roots(struct run *r, struct world *w)
{
	struct fws_fx_bundle b;
	struct fws_root *v2 = malloc(sizeof *v2);
	const char *roots[2];
	size_t lens[2];
	static const uint64_t versions[2] = {1, 2};
	char *json = NULL;
	size_t json_len = 0;
	int rc = v2 == NULL ? FWS_ENOMEM : 0;

	std_bundle(w, &b);
	roots[0] = w->root_env;
	lens[0] = w->root_env_len;
	b.roots = roots;
	b.root_lens = lens;
	b.root_versions = versions;
	b.n_roots = 2;

	/* v2 with the same keys, signed by the v1 root key. */
	if (rc == 0) {
		fws__fx_root(v2, 2, &w->root_key, &w->release_key);
		rc = fws__fx_root_json(v2, &w->root_key, 1, &json, &json_len);
	}
	if (rc == 0) {
		roots[1] = json;
		lens[1] = json_len;
		rc = bundle_case(r, w, &b, NULL, "root-rotation", NULL);
		if (rc == 0 && (!w->result.root_advanced || w->result.root.version != 2 ||
				faulty(r, "root-rotation")))
			rc = FWS_EINTERNAL;
	}
	report(r, "attack", "root-rotation",
	       "a carried root v2 signed by the v1 root key is followed", 0, rc);
	free(json);
	json = NULL;

	/* v2 that hands the root role to the attacker, signed only by the
	 * attacker: the keys a root introduces cannot authorise it. */
	rc = v2 == NULL ? FWS_ENOMEM : 0;
	if (rc == 0) {
		/* The fault: the v1 root key also signs, and the rotation is legal. */
		struct fws_fx_key both[2] = {w->attacker, w->root_key};
		fws__fx_root(v2, 2, &w->attacker, &w->release_key);
		rc = fws__fx_root_json(v2, both, faulty(r, "root-takeover") ? 2 : 1, &json,
				       &json_len);
		sodium_memzero(both, sizeof both);
	}
	if (rc == 0) {
		roots[1] = json;
		lens[1] = json_len;
		rc = bundle_case(r, w, &b, NULL, "root-takeover", NULL);
	}
	report(r, "attack", "root-takeover",
	       "a root v2 signed only by the keys it introduces is refused", FWS_EUNTRUSTED, rc);
	free(json);
	free(v2);
}

/* Checks on the decoders and the core, without a bundle around them. */
static void attack_units(struct run *r, struct world *w)
{
	struct fws_root *root = malloc(sizeof *root);
	struct fws_manifest *m = malloc(sizeof *m);
	struct fws_policy pol;
	char *body = NULL, *dup = NULL;
	size_t body_len = 0;
	int rc = root == NULL || m == NULL ? FWS_ENOMEM : 0;

	/* Rollback, as the device's policy sees it. */
	memset(&pol, 0, sizeof pol);
	pol.hardware_id = FWS_FX_HARDWARE;
	pol.check_rollback = 1;
	pol.security_version = faulty(r, "policy-rollback") ? 5 : 6;
	report(r, "attack", "policy-rollback",
	       "fws_policy_check: security_version 5 on a device at 6 is a rollback",
	       FWS_EROLLBACK, fws_policy_check(&w->manifest, &pol));

	/* Threshold 0 in a root document. */
	if (rc == 0)
		rc = fws_root_encode(&w->root, &body, &body_len);
	if (rc == 0) {
		char *t = strstr(body, "\"threshold\":1");
		if (t == NULL)
			rc = FWS_EINTERNAL;
		else if (!faulty(r, "root-threshold-zero"))
			t[12] = '0';
	}
	if (rc == 0)
		rc = fws_root_decode((const uint8_t *)body, body_len, root);
	report(r, "attack", "root-threshold-zero", "a root with a threshold of 0 is refused",
	       FWS_ETHRESHOLDDEF, rc);

	/* Threshold 0 in a hand-made struct must not accept an envelope. */
	rc = root == NULL ? FWS_ENOMEM
			  : fws_envelope_decode((const uint8_t *)w->manifest_env,
						w->manifest_env_len, &w->env);
	if (rc == 0) {
		*root = w->root;
		if (!faulty(r, "verify-threshold-zero"))
			root->roles[FWS_ROLE_RELEASE].threshold = 0;
		rc = fws_envelope_verify(&w->env, FWS_TYPE_MANIFEST, root, FWS_ROLE_RELEASE, NULL);
	}
	report(r, "attack", "verify-threshold-zero",
	       "signature counting refuses a role whose threshold is 0", FWS_ETHRESHOLDDEF, rc);

	/* Zero signatures never count as success. */
	rc = root == NULL ? FWS_ENOMEM
			  : fws_envelope_decode((const uint8_t *)w->manifest_env,
						w->manifest_env_len, &w->env);
	if (rc == 0) {
		if (!faulty(r, "verify-no-signatures"))
			w->env.n_sigs = 0;
		rc = fws_envelope_verify(&w->env, FWS_TYPE_MANIFEST, &w->root, FWS_ROLE_RELEASE,
					 NULL);
	}
	report(r, "attack", "verify-no-signatures",
	       "an envelope with no signature is not accepted", FWS_EUNTRUSTED, rc);

	{
		static const char unsigned_env[] =
		    "{\"payload\":\"e30=\",\"payloadType\":\"application/vnd.fwseal.manifest+json\","
		    "\"signatures\":[]}";
		static const char signed_env_shape[] =
		    "{\"payload\":\"e30=\",\"payloadType\":\"application/vnd.fwseal.manifest+json\","
		    "\"signatures\":[{\"keyid\":\"21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa5887"
		    "7ef47f9721b9\",\"sig\":\"MUapqslvEJ+RmDgjOD0uhAWqL/CE/9+r2dCt41vA8zLIqi9t8vtIOnZ/"
		    "/VLw3iYF/snfp4RbIX7+HIFT+kndCg==\"}]}";
		const char *text = faulty(r, "envelope-no-signatures") ? signed_env_shape
								       : unsigned_env;
		report(r, "attack", "envelope-no-signatures",
		       "an envelope with an empty signature list does not decode", FWS_EENVELOPE,
		       fws_envelope_decode((const uint8_t *)text, strlen(text), &w->env));
	}

	/* One key signing twice counts once toward a threshold of 2. */
	rc = root == NULL ? FWS_ENOMEM
			  : fws_envelope_decode((const uint8_t *)w->manifest_env,
						w->manifest_env_len, &w->env);
	if (rc == 0) {
		*root = w->root;
		/* Release role: release key + attacker key, threshold 2. */
		memcpy(root->keys[2].keyid, w->attacker.keyid, 32);
		memcpy(root->keys[2].public_key, w->attacker.pk, 32);
		root->n_keys = 3;
		memcpy(root->roles[FWS_ROLE_RELEASE].keyids[1], w->attacker.keyid, 32);
		root->roles[FWS_ROLE_RELEASE].n_keyids = 2;
		root->roles[FWS_ROLE_RELEASE].threshold = 2;
		rc = fws__fx_sign(&w->env, faulty(r, "verify-duplicate-signature") ? &w->attacker
										   : &w->release_key);
	}
	if (rc == 0)
		rc = fws_envelope_verify(&w->env, FWS_TYPE_MANIFEST, root, FWS_ROLE_RELEASE, NULL);
	report(r, "attack", "verify-duplicate-signature",
	       "one key's signature repeated does not meet a threshold of 2", FWS_ETHRESHOLD, rc);

	/* A root envelope offered as a manifest (type confusion). */
	rc = fws_envelope_decode((const uint8_t *)w->root_env, w->root_env_len, &w->env);
	if (rc == 0)
		rc = fws_envelope_verify(&w->env,
					 faulty(r, "verify-type-confusion") ? FWS_TYPE_ROOT
									     : FWS_TYPE_MANIFEST,
					 &w->root, FWS_ROLE_ROOT, NULL);
	report(r, "attack", "verify-type-confusion",
	       "a signed root cannot be taken for a manifest (payloadType)", FWS_EPAYLOADTYPE, rc);

	/* Duplicate JSON key: {"schema":1, ..., "schema":1}. */
	rc = m == NULL ? FWS_ENOMEM : 0;
	if (rc == 0) {
		dup = malloc(w->manifest_body_len + 16);
		rc = dup == NULL ? FWS_ENOMEM : 0;
	}
	if (rc == 0) {
		const char *ins = faulty(r, "manifest-duplicate-key") ? "" : "\"schema\":1,";
		size_t n = strlen(ins);
		dup[0] = '{';
		memcpy(dup + 1, ins, n);
		memcpy(dup + 1 + n, w->manifest_body + 1, w->manifest_body_len - 1);
		rc = fws_manifest_decode((const uint8_t *)dup, w->manifest_body_len + n, m);
	}
	report(r, "attack", "manifest-duplicate-key",
	       "a manifest with a duplicated JSON key is refused", FWS_EJSON, rc);

	free(dup);
	free(body);
	free(root);
	free(m);
}

int fws__selftest_run_fault(fws_selftest_fn cb, void *ctx, struct fws_selftest_summary *summary,
			    const char *fault)
{
	struct run r;
	struct world *w;
	int rc;

	memset(&r, 0, sizeof r);
	r.cb = cb;
	r.ctx = ctx;
	r.fault = fault;
	rc = fws_init();
	report(&r, "kat", "init", "libsodium initialises", 0, rc);
	if (rc == 0) {
		kat_sha256(&r);
		kat_ed25519(&r);
		kat_chunks(&r);
		kat_pae(&r);
		kat_envelope(&r);
	}
	w = calloc(1, sizeof *w);
	rc = rc != 0 ? rc : w == NULL ? FWS_ENOMEM : world_init(w);
	report(&r, "attack", "setup",
	       "build keys, root and a two-payload bundle in memory (fixed seeds)", 0, rc);
	if (rc == 0) {
		attack_bundles(&r, w);
		attack_roots(&r, w);
		attack_units(&r, w);
	}
	if (w != NULL) {
		world_free(w);
		sodium_memzero(w, sizeof *w);
		free(w);
	}
	if (summary != NULL)
		*summary = r.sum;
	return r.sum.failed == 0 && r.sum.total > 0 ? 0 : FWS_EINTERNAL;
}

int fws_selftest_run(fws_selftest_fn cb, void *ctx, struct fws_selftest_summary *summary)
{
	return fws__selftest_run_fault(cb, ctx, summary, NULL);
}
