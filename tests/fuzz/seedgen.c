/* SPDX-License-Identifier: Apache-2.0 */
/* Seed corpus generator for the fuzzers: valid objects built from the
 * self-test fixture (fixed seeds, lib/selftest/fixture.h), so the bundle
 * harnesses start from bundles that verify against their trusted root.
 *   fuzz-seedgen OUTDIR   writes OUTDIR/<target>/<name> for every target.
 * tests/fuzz/make_seeds.sh adds the shared known-answer vectors and bundles
 * packed by the real tools. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_logstore.h"
#include "fwseal/fwseal.h"
#include "selftest/fixture.h"

static const char *outdir;

static void die(const char *what, int rc)
{
	fprintf(stderr, "fuzz-seedgen: %s: %s\n", what, fws_strerror(rc));
	exit(1);
}

static void put(const char *target, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", outdir, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		die(path, FWS_EIO);
	snprintf(path, sizeof path, "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		die(path, FWS_EIO);
}

/* A secret key file with the cheapest Argon2id parameters the parser
 * accepts, so the fuzzer reaches decryption and the success path fast. */
static void keyfile(const struct fws_fx_key *k, const char *pass)
{
	uint8_t seed[32], salt[16], nonce[24], box[32], ct[48];
	char salt_hex[33], nonce_hex[49], ct_hex[97], pk_hex[65], id_hex[65], text[2048];
	int n;

	memset(seed, FWS_FX_RELEASE_SEED, sizeof seed);
	memset(salt, 0x5a, sizeof salt);
	memset(nonce, 0xa5, sizeof nonce);
	if (crypto_pwhash(box, sizeof box, pass, strlen(pass), salt,
			  crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN,
			  crypto_pwhash_ALG_ARGON2ID13) != 0)
		die("argon2id", FWS_ENOMEM);
	crypto_secretbox_easy(ct, seed, sizeof seed, nonce, box);
	fws_hex_encode(salt_hex, salt, sizeof salt);
	fws_hex_encode(nonce_hex, nonce, sizeof nonce);
	fws_hex_encode(ct_hex, ct, sizeof ct);
	fws_hex_encode(pk_hex, k->pk, 32);
	fws_hex_encode(id_hex, k->keyid, 32);
	n = snprintf(text, sizeof text,
		     "{\n  \"cipher\": {\n    \"alg\": \"xsalsa20poly1305\",\n    \"ciphertext\": "
		     "\"%s\",\n    \"nonce\": \"%s\"\n  },\n  \"kdf\": {\n    \"alg\": "
		     "\"argon2id13\",\n    \"memlimit\": %u,\n    \"opslimit\": %u,\n    \"salt\": "
		     "\"%s\"\n  },\n  \"keyid\": \"%s\",\n  \"public\": \"%s\",\n  \"type\": "
		     "\"fwseal-secret-key\",\n  \"version\": 1\n}\n",
		     ct_hex, nonce_hex, (unsigned)crypto_pwhash_argon2id_MEMLIMIT_MIN,
		     (unsigned)crypto_pwhash_argon2id_OPSLIMIT_MIN, salt_hex, id_hex, pk_hex);
	put("keyfile", "fixture-cheap.key", text, (size_t)n);
	n = snprintf(text, sizeof text,
		     "{\"keyid\":\"%s\",\"keytype\":\"ed25519\",\"public\":\"%s\",\"type\":"
		     "\"fwseal-public-key\",\"version\":1}\n",
		     id_hex, pk_hex);
	put("keyfile", "fixture.pub", text, (size_t)n);
}

static void both_bundles(const char *name, const uint8_t *data, size_t len)
{
	put("bundle", name, data, len);
	put("bundle_unsigned", name, data, len);
}

/* The delta planner's inputs (tests/fuzz/fuzz_delta.c says the layout):
 * an image shifted by one block with new and zero blocks, the same in
 * place (from the set being overwritten), an arbitrary index, no range
 * fetcher, no index. */
static void delta_seeds(void)
{
	static uint8_t shifted[] = {0x10, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x87,
					  0x07, 0x08, 0xc0, 0xc0, 0x09, 0x0a, 0xff, 1, 2, 3, 4,
					  5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 1, 2, 3, 4};
	uint8_t in_place[sizeof shifted], arbitrary[sizeof shifted + 64];
	memcpy(in_place, shifted, sizeof shifted);
	in_place[0] = 0x11;
	for (size_t i = 2; i < 15; i++)
		in_place[i] = (uint8_t)(0x40 | (in_place[i] & 0x3f)); /* from set b */
	put("delta", "shifted-8k-chunks", shifted, sizeof shifted);
	put("delta", "in-place-from-the-set-being-replaced", in_place, sizeof in_place);
	memcpy(arbitrary, shifted, sizeof shifted);
	memset(arbitrary + sizeof shifted, 0x5a, 64);
	arbitrary[0] = 0x02;
	put("delta", "arbitrary-index", arbitrary, sizeof arbitrary);
	arbitrary[0] = 0x16; /* arbitrary index, no fetcher */
	put("delta", "arbitrary-index-no-fetcher", arbitrary, sizeof arbitrary);
	in_place[0] = 0x19; /* in place, no block index: chunk level */
	put("delta", "in-place-chunk-level", in_place, sizeof in_place);
	shifted[0] = 0x90; /* 4 threads scan the slots */
	put("delta", "shifted-8k-chunks-4-threads", shifted, sizeof shifted);
	in_place[0] = 0x51; /* in place, 1 thread */
	put("delta", "in-place-1-thread", in_place, sizeof in_place);
}

/* The encrypted delta's inputs (tests/fuzz/fuzz_delta_encrypted.c says the
 * layout): an image shifted by one block whose new blocks straddle a
 * STREAM boundary, in 64 KiB, 128 KiB and 256 KiB chunks (a fetched run
 * with a tag inside), in place, a lying index with and without a fetcher,
 * a server flipping a byte of a run's answer and of a refetched piece, no
 * plain/<name>, 1, 2 and 4 slot-scanning threads, a reader whose transfers
 * are cut, payloads before and after the planned one, a second planned
 * payload, and a server whose answer for a run is an error. */
static void delta_encrypted_seeds(void)
{
	uint8_t in[5 + 44 + 1 + 64 + 24];
	size_t at = 0, nblk = 0, len;
	in[at++] = 0x00; /* flags */
	in[at++] = 0x7f; /* the last block's length */
	in[at++] = 0x80; /* the flip: answer 0, half way */
	in[at++] = 0x3f; /* reads of 64 * 1021 bytes */
	in[at++] = 0x00; /* no payload around it */
	for (uint8_t b = 1; b < 14; b++, nblk++)
		in[at++] = b; /* the running set's blocks 1..13: shifted */
	for (uint8_t b = 0; b < 4; b++, nblk++)
		in[at++] = (uint8_t)(0x80 | b); /* new, across the 64 KiB boundary */
	for (uint8_t b = 18; b < 32; b++, nblk++)
		in[at++] = b;
	in[at++] = 0xc0; /* zeros */
	in[at++] = 0xc0;
	nblk += 2;
	for (uint8_t b = 0; b < 11; b++, nblk++)
		in[at++] = (uint8_t)(0x40 | b); /* the set being replaced's blocks */
	in[at++] = 0xff;
	for (uint8_t i = 0; i < 64; i++)
		in[at++] = (uint8_t)(i + 1); /* slot block seeds */
	len = at;
	for (size_t i = 0; i < nblk && i < 24; i++) /* a lying index's selectors */
		in[at++] = (uint8_t)(i % 4 == 0	  ? 0x41 + i
				     : i % 4 == 1 ? 0x80 + i
				     : i % 4 == 2 ? 0
						  : 0xff);
	put("delta_encrypted", "shifted-64k", in, len);
	in[0] = 0x10;
	put("delta_encrypted", "shifted-128k-2-threads", in, len);
	in[0] = 0x20;
	put("delta_encrypted", "shifted-256k-tag-inside-a-run", in, len);
	in[0] = 0xe1;
	put("delta_encrypted", "in-place-256k-4-threads", in, len);
	in[0] = 0x41;
	put("delta_encrypted", "in-place-1-thread", in, len);
	in[0] = 0x02;
	put("delta_encrypted", "lying-index", in, at);
	in[0] = 0x06;
	put("delta_encrypted", "lying-index-no-fetcher", in, at);
	in[0] = 0x05;
	put("delta_encrypted", "in-place-no-fetcher", in, len);
	in[0] = 0x28;
	put("delta_encrypted", "server-flips-a-run", in, len);
	in[0] = 0x30;
	put("delta_encrypted", "no-plain-index", in, len);
	in[0] = 0x01;
	in[3] = 0x87; /* transfers cut after each read of 8 * 1021 bytes */
	put("delta_encrypted", "in-place-reader-cut-mid-run", in, len);
	in[0] = 0x20;
	in[3] = 0x3f;
	in[4] = 0x13; /* a payload before and one after, streamed */
	put("delta_encrypted", "between-two-payloads-256k", in, len);
	in[0] = 0x0a;
	in[2] = 0x81; /* answer 1: the refetch of the piece the lie spoiled */
	in[4] = 0x05;
	put("delta_encrypted", "server-flips-a-refetched-piece", in, at);
	in[0] = 0x28;
	in[2] = 0x80;
	in[4] = 0x04; /* answer 0 is an error */
	put("delta_encrypted", "server-fails-a-run", in, len);
	in[0] = 0x21;
	in[4] = 0x0b; /* before it a streamed payload, after it a second planned one */
	put("delta_encrypted", "two-planned-payloads-in-place", in, len);
	in[0] = 0x62;
	put("delta_encrypted", "two-planned-payloads-lying-index", in, at);
}

/* Permits (tests/fuzz/fuzz_permit.c says the layout): the body of one
 * bound to a device and one bound to a hardware id, and the device one
 * signed by the fixture release key, fitting the harness's device, version
 * and manifest digest, so the check's success path is reached. */
static void permit_seeds(const struct fws_fx_key *lk)
{
	struct fws_permit p;
	char *text = NULL, *env = NULL;
	size_t len, env_len;
	uint8_t buf[8192];
	int rc;
	memset(&p, 0, sizeof p);
	strcpy(p.device_id, "dev-1");
	strcpy(p.to_version, "2.0.0");
	memset(p.manifest_sha256, 0x42, sizeof p.manifest_sha256);
	p.created = 1700050000;
	p.expires = 1700050000 + 30 * 86400;
	if ((rc = fws_permit_encode(&p, &text, &len)) != 0 || len + 1 > sizeof buf)
		die("permit encode", rc);
	buf[0] = 0;
	memcpy(buf + 1, text, len);
	put("permit", "body-device", buf, len + 1);
	if ((rc = fws__fx_envelope_json(FWS_TYPE_PERMIT, (const uint8_t *)text, len, lk, 1, &env,
					&env_len)) != 0 ||
	    env_len + 1 > sizeof buf)
		die("permit envelope", rc);
	buf[0] = 1;
	memcpy(buf + 1, env, env_len);
	put("permit", "signed-device-fits", buf, env_len + 1);
	free(text);
	free(env);
	memset(p.device_id, 0, sizeof p.device_id);
	strcpy(p.hardware_id, "hw-1");
	if ((rc = fws_permit_encode(&p, &text, &len)) != 0 || len + 1 > sizeof buf)
		die("permit encode", rc);
	buf[0] = 0;
	memcpy(buf + 1, text, len);
	put("permit", "body-hardware", buf, len + 1);
	free(text);
}

/* Device states as fwseal writes them: format 3 (nothing under way),
 * 4 (a confirmation raising the floor), 5 (an install's release pending,
 * named by its manifest digest), and 5 with a confirmation under way. */
static void state_seeds(void)
{
	struct fws_device_state st;
	char buf[FWS_STATE_MAX];
	size_t len;
	int rc;
	memset(&st, 0, sizeof st);
	st.generation = 12;
	strcpy(st.hardware_id, "selftest-hw");
	strcpy(st.device_id, "unit-7");
	st.root_version = 2;
	st.security_version = 1;
	st.confirmed_slot = 'a';
	st.pending_slot = '-';
	strcpy(st.slots[0].version, "1.0.0");
	st.slots[0].security_version = 1;
	st.highest_created = FWS_FX_TIME;
	st.installs = 3;
	st.log_seq = 9;
	if ((rc = fws_state_encode(&st, buf, sizeof buf, &len)) != 0)
		die("state 3", rc);
	put("state", "format-3.state", buf, len);
	st.pending_slot = 'b';
	strcpy(st.slots[1].version, "2.0.0-rc.1");
	st.slots[1].security_version = 2;
	st.floor_confirming = 2;
	if ((rc = fws_state_encode(&st, buf, sizeof buf, &len)) != 0)
		die("state 4", rc);
	put("state", "format-4-confirming.state", buf, len);
	memset(st.pending_manifest, 0xab, sizeof st.pending_manifest);
	if ((rc = fws_state_encode(&st, buf, sizeof buf, &len)) != 0)
		die("state 5 confirming", rc);
	put("state", "format-5-confirming.state", buf, len);
	st.floor_confirming = 0;
	if ((rc = fws_state_encode(&st, buf, sizeof buf, &len)) != 0)
		die("state 5", rc);
	put("state", "format-5-pending.state", buf, len);
}

/* Audit logs as a device writes them (in memory, fuzz_logstore.h): a few
 * lines; the same rotated (segment 1 and 0); one line past its head (an
 * append cut off before its head). */
static void auditlog_seeds(void)
{
	struct fuzz_log l;
	struct fws_log_store s;
	uint8_t digest[32], *out;
	size_t len;
	int rc = 0;
	memset(digest, 0x5c, sizeof digest);
	memset(&l, 0, sizeof l);
	s = fl_store(&l);
	struct fws_event ev[] = {
	    {"init", 0, "selftest-hw", "1.0.0", 1, 'a', NULL, NULL},
	    {"install", 0, NULL, "2.0.0", 2, 'b', digest, digest},
	    {"boot", 0, "pending slot on trial, 2 tries left", "2.0.0", 2, 'b', NULL, NULL},
	    {"install", FWS_EROLLBACK, "security_version 0 is below 2, \"quoted\"\n", "0.9.0", 0,
	     0, digest, NULL},
	    {"mark-good", 0, "slot b confirmed", "2.0.0", 2, 'b', NULL, NULL},
	};
	for (size_t i = 0; rc == 0 && i < sizeof ev / sizeof ev[0]; i++)
		rc = fws_audit_log_append(&s, &ev[i], FWS_FX_TIME + (int64_t)i);
	if (rc != 0 || (rc = fl_save(&l, &out, &len)) != 0)
		die("audit log", rc);
	put("auditlog", "five-lines", out, len);
	free(out);
	/* rotated: the first lines in segment 1, the rest in segment 0 */
	if ((rc = fl_rotate(&l)) != 0 || (rc = fws_audit_log_append(&s, &ev[2], FWS_FX_TIME + 9)) != 0 ||
	    (rc = fl_save(&l, &out, &len)) != 0)
		die("audit log rotated", rc);
	put("auditlog", "rotated", out, len);
	free(out);
	/* one line past the head: the head of the line before */
	uint8_t head[512];
	size_t head_len;
	if ((rc = fl_head_read(&l, head, sizeof head, &head_len)) != 0 ||
	    (rc = fws_audit_log_append(&s, &ev[4], FWS_FX_TIME + 10)) != 0 ||
	    (rc = fl_head_write(&l, head, head_len)) != 0 || (rc = fl_save(&l, &out, &len)) != 0)
		die("audit log ahead", rc);
	put("auditlog", "line-past-head", out, len);
	free(out);
	fl_free(&l);
}

int main(int argc, char **argv)
{
	struct fws_fx_key rk, lk, ak;
	struct fws_root *root = calloc(1, sizeof *root), *v2 = calloc(1, sizeof *v2);
	struct fws_manifest *m = calloc(1, sizeof *m);
	uint8_t fw[9000], cfg[64], *bundle = NULL;
	char *text = NULL, *env = NULL, *root1 = NULL, *root2 = NULL;
	size_t text_len, env_len, root1_len, root2_len, bundle_len;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: fuzz-seedgen OUTDIR\n");
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST)
		die(outdir, FWS_EIO);
	if (root == NULL || v2 == NULL || m == NULL)
		die("calloc", FWS_ENOMEM);
	if ((rc = fws_init()) != 0 || (rc = fws__fx_key(&rk, FWS_FX_ROOT_SEED)) != 0 ||
	    (rc = fws__fx_key(&lk, FWS_FX_RELEASE_SEED)) != 0 ||
	    (rc = fws__fx_key(&ak, FWS_FX_ATTACKER_SEED)) != 0)
		die("keys", rc);
	for (size_t i = 0; i < sizeof fw; i++)
		fw[i] = (uint8_t)(i * 13 + 7);
	memset(cfg, 'c', sizeof cfg);

	/* Roots: v1, v2, and a 2-of-2 release role. */
	fws__fx_root(root, 1, &rk, &lk);
	if ((rc = fws_root_encode(root, &text, &text_len)) != 0)
		die("root v1", rc);
	put("root", "v1.json", text, text_len);
	free(text);
	fws__fx_root(v2, 2, &rk, &lk);
	memcpy(v2->keys[2].keyid, ak.keyid, 32);
	memcpy(v2->keys[2].public_key, ak.pk, 32);
	v2->n_keys = 3;
	memcpy(v2->roles[FWS_ROLE_RELEASE].keyids[1], ak.keyid, 32);
	v2->roles[FWS_ROLE_RELEASE].n_keyids = 2;
	v2->roles[FWS_ROLE_RELEASE].threshold = 2;
	if ((rc = fws_root_encode(v2, &text, &text_len)) != 0)
		die("root v2", rc);
	put("root", "v2-threshold2.json", text, text_len);
	free(text);
	fws__fx_root(v2, 2, &rk, &lk);
	if ((rc = fws__fx_root_json(root, &rk, 1, &root1, &root1_len)) != 0 ||
	    (rc = fws__fx_root_json(v2, &rk, 1, &root2, &root2_len)) != 0)
		die("root envelopes", rc);
	put("envelope", "root-v1.json", root1, root1_len);

	/* Manifests: two payloads; every optional field; a zero-byte payload. */
	struct fws_fx_payload p[3] = {
	    {"firmware.bin", "rootfs", fw, sizeof fw, 4096},
	    {"config.bin", "config", cfg, sizeof cfg, 4096},
	    {"empty.bin", "spare", cfg, 0, 4096},
	};
	if ((rc = fws__fx_manifest(m, "1.2.0", 5, p, 2)) != 0 ||
	    (rc = fws_manifest_encode(m, &text, &text_len)) != 0)
		die("manifest", rc);
	put("manifest", "two-payloads.json", text, text_len);
	if ((rc = fws__fx_envelope_json(FWS_TYPE_MANIFEST, (const uint8_t *)text, text_len, &lk, 1,
					&env, &env_len)) != 0)
		die("manifest envelope", rc);
	put("envelope", "manifest.json", env, env_len);
	free(text);

	const char *roots[2] = {root1, root2};
	size_t lens[2] = {root1_len, root2_len};
	static const uint64_t versions[2] = {1, 2};
	struct fws_fx_bundle b = {env, env_len, roots, lens, versions, 1, p, 2, NULL, NULL, 0};
	if ((rc = fws__fx_bundle_bytes(&b, &bundle, &bundle_len)) != 0)
		die("bundle", rc);
	both_bundles("fixture.fwb", bundle, bundle_len);
	free(bundle);
	b.gzip = 1;
	if ((rc = fws__fx_bundle_bytes(&b, &bundle, &bundle_len)) != 0)
		die("bundle gz", rc);
	both_bundles("fixture.fwb.gz", bundle, bundle_len);
	free(bundle);
	b.gzip = 0;
	b.n_roots = 2;
	if ((rc = fws__fx_bundle_bytes(&b, &bundle, &bundle_len)) != 0)
		die("bundle chain", rc);
	both_bundles("fixture-root-v2.fwb", bundle, bundle_len);
	free(bundle);
	free(env);

	/* Every optional field, a zero-byte payload, two signatures. */
	if ((rc = fws__fx_manifest(m, "2.0.0-rc.1+build.5", 7, p, 3)) != 0)
		die("manifest 2", rc);
	strcpy(m->min_version, "1.0.0");
	strcpy(m->hardware[1], "other-hw");
	m->n_hardware = 2;
	m->expires = FWS_FX_TIME + 86400 * 365;
	strcpy(m->release_notes, "Fixes:\n\t- CVE-0000-0000\n");
	strcpy(m->sbom, "config.bin");
	if ((rc = fws_manifest_encode(m, &text, &text_len)) != 0)
		die("manifest 2 encode", rc);
	put("manifest", "all-fields.json", text, text_len);
	struct fws_fx_key two[2] = {lk, ak};
	if ((rc = fws__fx_envelope_json(FWS_TYPE_MANIFEST, (const uint8_t *)text, text_len, two, 2,
					&env, &env_len)) != 0)
		die("manifest 2 envelope", rc);
	put("envelope", "two-signatures.json", env, env_len);
	free(text);
	b = (struct fws_fx_bundle){env, env_len, roots, lens, versions, 1, p, 3, NULL, NULL, 0};
	if ((rc = fws__fx_bundle_bytes(&b, &bundle, &bundle_len)) != 0)
		die("bundle 3", rc);
	both_bundles("fixture-all-fields.fwb", bundle, bundle_len);
	free(bundle);
	free(env);

	keyfile(&lk, "fuzz-passphrase");
	delta_seeds();
	delta_encrypted_seeds();
	permit_seeds(&lk);
	state_seeds();
	auditlog_seeds();
	free(root1);
	free(root2);
	free(root);
	free(v2);
	free(m);
	return 0;
}
