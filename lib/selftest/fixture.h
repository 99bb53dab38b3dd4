/* SPDX-License-Identifier: Apache-2.0 */
/* Deterministic test material built in memory: keys from fixed seeds, roots,
 * signed envelopes and whole bundles. Used by the self-test (selftest.c), by
 * the fuzz harnesses (their trusted root) and by the fuzz seed generator.
 * Internal: not installed, not exported (hidden symbols; reachable only by
 * linking the static library). Uses core + bundle only, never lib/sign: the
 * secret halves of these keys are public test data, not secrets. */
#ifndef FWSEAL_SELFTEST_FIXTURE_H
#define FWSEAL_SELFTEST_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fwseal/envelope.h"
#include "fwseal/manifest.h"
#include "fwseal/root.h"

/* 2026-01-01T00:00:00Z: every fixture time; roots expire 100 years later. */
#define FWS_FX_TIME 1767225600
#define FWS_FX_ROOT_LIFETIME (100ll * 365 * 86400)
#define FWS_FX_HARDWARE "selftest-hw"

/* Seeds of the fixture keys: root role, release role, an attacker. */
enum { FWS_FX_ROOT_SEED = 0x51, FWS_FX_RELEASE_SEED = 0x52, FWS_FX_ATTACKER_SEED = 0x53 };

struct fws_fx_key {
	uint8_t pk[32];
	uint8_t sk[64];
	uint8_t keyid[32];
};

/* Key whose 32-byte seed is n repeated. 0, or FWS_ECRYPTO. */
int fws__fx_key(struct fws_fx_key *k, uint8_t n);

/* Root `version`: one key in each role, thresholds 1, created FWS_FX_TIME. */
void fws__fx_root(struct fws_root *r, uint64_t version, const struct fws_fx_key *root_key,
		  const struct fws_fx_key *release_key);

/* Signs env's PAE with k (appended as one more signature). */
int fws__fx_sign(struct fws_envelope *env, const struct fws_fx_key *k);

/* DSSE JSON of body (type) signed by each of keys, malloc'd. */
int fws__fx_envelope_json(const char *type, const uint8_t *body, size_t body_len,
			  const struct fws_fx_key *keys, size_t n_keys, char **json, size_t *len);

/* Root envelope JSON of r signed by each of signers, malloc'd. */
int fws__fx_root_json(const struct fws_root *r, const struct fws_fx_key *signers, size_t n,
		      char **json, size_t *len);

struct fws_fx_payload {
	const char *name;
	const char *target;
	const uint8_t *data;
	size_t size;
	uint32_t chunk_size;
};

/* Manifest of product "selftest", hardware FWS_FX_HARDWARE, created
 * FWS_FX_TIME, with the chunked digests of the payloads computed. */
int fws__fx_manifest(struct fws_manifest *m, const char *version, uint64_t security_version,
		     const struct fws_fx_payload *p, size_t n);

/* The signed manifest body (canonical JSON), malloc'd. */
int fws__fx_manifest_json(const struct fws_manifest *m, char **json, size_t *len);

/* A whole bundle in memory, entries in the order the format wants. */
struct fws_fx_bundle {
	const char *manifest_json; /* the manifest envelope */
	size_t manifest_len;
	const char *const *roots; /* root envelopes, written as root/1.json ... */
	const size_t *root_lens;
	const uint64_t *root_versions;
	size_t n_roots;
	const struct fws_fx_payload *payloads;
	size_t n_payloads;
	const char *extra_before; /* an entry name before the first chunk list, or NULL */
	const char *extra_after;  /* an entry name after the last payload, or NULL */
	int gzip;
};
int fws__fx_bundle_bytes(const struct fws_fx_bundle *b, uint8_t **out, size_t *out_len);

/* The fixtures' own tar writer (fixture_tar.c): the format.md §3.2 dialect
 * into memory, without libarchive, so the self-test links into the device
 * library. Names <= 100 bytes, sizes < 4 GiB, mtime < 2^31 - 1 (no pax):
 * anything else is FWS_ELIMIT. */
struct fws_fx_tar {
	uint8_t *buf;
	size_t len, cap;
	int64_t mtime;
};
void fws__fx_tar_init(struct fws_fx_tar *t, int64_t mtime);
int fws__fx_tar_entry(struct fws_fx_tar *t, const char *name, const void *data, size_t len);
/* The two end blocks and the padding to a 10240-byte record. */
int fws__fx_tar_finish(struct fws_fx_tar *t);
void fws__fx_tar_free(struct fws_fx_tar *t);
/* in as one gzip member (zlib level 6, as the release writer), malloc'd. */
int fws__fx_gzip(const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len);

/* A pull reader over memory; max_read > 0 caps each read (short reads). */
struct fws_fx_reader {
	const uint8_t *data;
	size_t len, pos;
	size_t max_read;
};
ssize_t fws__fx_read(void *ctx, uint8_t *buf, size_t len);

/* Finds an entry of a plain (uncompressed) tar: offsets of its header and of
 * its data, and its size. 0, or FWS_ENOENT. */
int fws__fx_tar_find(const uint8_t *tar, size_t len, const char *name, size_t *header_off,
		     size_t *data_off, uint64_t *size);

/* Rewrites the checksum of the ustar header at h after an edit. */
void fws__fx_tar_fix_checksum(uint8_t *h);

#endif
