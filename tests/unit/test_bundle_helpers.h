/* SPDX-License-Identifier: Apache-2.0 */
/* Builds real bundles in memory for the reader and device tests: signed
 * roots and manifests (deterministic test keys), written with the real
 * bundle writer. */
#ifndef FWSEAL_TEST_BUNDLE_HELPERS_H
#define FWSEAL_TEST_BUNDLE_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwseal/blocks.h"
#include "fwseal/bundle.h"
#include "fwseal/encrypt.h"
#include "sign/encrypt_write.h"
#include "test_core_helpers.h"

struct test_payload {
	const char *name, *target;
	const uint8_t *data;
	size_t size;
	uint32_t chunk_size;
	int blocks; /* with a block index, blocks/<name> (ADR-050) */
};

struct test_release {
	const char *version;
	uint64_t security_version;
	const char *hardware;
	int64_t created;
	const struct test_payload *payloads;
	size_t n_payloads;
	const struct test_key *const *signers; /* release signatures */
	size_t n_signers;
	const char *const *root_json; /* root envelopes to carry, oldest first */
	const uint64_t *root_versions;
	size_t n_roots;
	int gzip;
	const char *min_version; /* NULL = none */
	const char *sbom;        /* NULL = none: else carried as sbom/sbom.cdx.json */
	const char *sbom_format; /* NULL = "cyclonedx-1.6" */
	/* Encrypted for this recipient (format.md §15, with the keyed block
	 * index of §15.6 where the payload's `blocks` is set); NULL: plaintext.
	 * Payload chunk sizes must then be multiples of 64 KiB. */
	const struct fws_recipient *to;
};

/* An encrypted payload's entries, made once for the manifest and the
 * writer (the nonces and the index entry are random). */
struct test_enc_payload {
	uint8_t *entry, *list, *plain_entry;
	uint64_t entry_len, n, plain_len;
};

static inline void test_encrypt_payload(const uint8_t file_key[16], const struct test_payload *p,
					struct test_enc_payload *e)
{
	uint8_t nonce[16], key[32], hint_key[32];
	uint32_t cs = p->chunk_size;
	uint64_t m = fws_block_count(p->size), at = 0;
	cr_assert_eq(fws_enc_entry_size(p->size, &e->entry_len), 0);
	cr_assert_eq(fws_enc_chunk_count(p->size, cs, &e->n), 0);
	e->entry = malloc(e->entry_len);
	e->list = malloc(e->n * 32 + 1);
	randombytes_buf(nonce, sizeof(nonce));
	fws_enc_payload_key(file_key, nonce, key);
	for (uint64_t k = 0; k < e->n; k++) {
		uint64_t len = fws_enc_piece_len(p->size, cs, k);
		cr_assert_eq(fws_enc_piece_encrypt(key, nonce, p->size, cs, k, p->data + k * cs,
						   e->entry + at),
			     0);
		fws_sha256(e->entry + at, (size_t)len, e->list + k * 32);
		at += len;
	}
	cr_assert_eq(at, e->entry_len);
	e->plain_entry = NULL;
	if (!p->blocks)
		return;
	size_t hl = 16 + (size_t)m * FWS_ENC_HINT_LEN;
	uint8_t *hints = malloc(hl);
	memcpy(hints, nonce, 16);
	fws_enc_hint_key(file_key, nonce, hint_key);
	fws_enc_hints_put(hint_key, hints + 16, 0, p->data, p->size);
	cr_assert_eq(fws_enc_entry_size(hl, &e->plain_len), 0);
	e->plain_entry = malloc(e->plain_len);
	cr_assert_eq(fws_enc_plain_entry_seal(file_key, hints, hl, e->plain_entry), 0);
	free(hints);
}

/* Root envelope JSON for r, signed by each key in signers (malloc'd). */
static inline char *test_root_json(const struct fws_root *r, const struct test_key *const *signers,
				   size_t n, size_t *len)
{
	struct fws_envelope *env = calloc(1, sizeof(*env));
	char *body, *json;
	size_t body_len;
	cr_assert_eq(fws_root_encode(r, &body, &body_len), 0);
	cr_assert_eq(fws_envelope_set_body(env, FWS_TYPE_ROOT, (uint8_t *)body, body_len), 0);
	for (size_t i = 0; i < n; i++)
		env_sign(env, signers[i]);
	cr_assert_eq(fws_envelope_encode(env, &json, len), 0);
	free(body);
	free(env);
	return json;
}

static inline uint8_t *test_read_back(int fd, size_t *len)
{
	off_t end = lseek(fd, 0, SEEK_END);
	cr_assert_gt(end, 0);
	uint8_t *buf = malloc((size_t)end);
	cr_assert_eq(pread(fd, buf, (size_t)end, 0), end);
	*len = (size_t)end;
	return buf;
}

static inline void test_write_payload(struct fws_bundle_writer *w, const struct test_payload *p,
				      struct fws_payload *mp, const struct test_enc_payload *enc)
{
	uint32_t cs = p->chunk_size ? p->chunk_size : 4096;
	size_t n = (p->size + cs - 1) / cs;
	uint8_t *list = malloc(n * 32 + 1);
	char name[96];
	for (size_t i = 0; i < n; i++) {
		size_t off = i * cs, len = p->size - off < cs ? p->size - off : cs;
		fws_sha256(p->data + off, len, list + i * 32);
	}
	size_t nb = (size_t)fws_block_count(p->size);
	uint8_t *index = malloc(nb * FWS_BLOCK_HASH_LEN + 1);
	fws_block_index_put(index, 0, p->data, p->size);
	if (mp != NULL) {
		mp->has_blocks = p->blocks;
		fws_sha256(index, nb * FWS_BLOCK_HASH_LEN, mp->blocks_sha256);
		strcpy(mp->name, p->name);
		strcpy(mp->target, p->target);
		mp->size = p->size;
		mp->chunk_size = cs;
		fws_sha256(list, n * 32, mp->chunks_sha256);
	}
	if (enc != NULL) { /* the ciphertext's entries instead (format.md §15) */
		if (mp != NULL) {
			mp->has_blocks = 0;
			mp->encrypted = 1;
			mp->plain_size = p->size;
			mp->size = enc->entry_len;
			fws_sha256(enc->list, enc->n * 32, mp->chunks_sha256);
			mp->has_plain_blocks = enc->plain_entry != NULL;
			if (enc->plain_entry != NULL)
				fws_sha256(enc->plain_entry, enc->plain_len, mp->plain_blocks_sha256);
		}
		if (w != NULL) {
			snprintf(name, sizeof(name), "chunks/%s", p->name);
			cr_assert_eq(fws_bundle_writer_entry(w, name, enc->n * 32), 0);
			cr_assert_eq(fws_bundle_writer_data(w, enc->list, enc->n * 32), 0);
			if (enc->plain_entry != NULL) {
				snprintf(name, sizeof(name), "plain/%s", p->name);
				cr_assert_eq(fws_bundle_writer_entry(w, name, enc->plain_len), 0);
				cr_assert_eq(fws_bundle_writer_data(w, enc->plain_entry, enc->plain_len),
					     0);
			}
			snprintf(name, sizeof(name), "payloads/%s", p->name);
			cr_assert_eq(fws_bundle_writer_entry(w, name, enc->entry_len), 0);
			cr_assert_eq(fws_bundle_writer_data(w, enc->entry, enc->entry_len), 0);
		}
		w = NULL;
	}
	if (w != NULL) {
		snprintf(name, sizeof(name), "chunks/%s", p->name);
		cr_assert_eq(fws_bundle_writer_entry(w, name, n * 32), 0);
		cr_assert_eq(fws_bundle_writer_data(w, list, n * 32), 0);
		if (p->blocks) {
			snprintf(name, sizeof(name), "blocks/%s", p->name);
			cr_assert_eq(fws_bundle_writer_entry(w, name, nb * FWS_BLOCK_HASH_LEN), 0);
			cr_assert_eq(fws_bundle_writer_data(w, index, nb * FWS_BLOCK_HASH_LEN), 0);
		}
		snprintf(name, sizeof(name), "payloads/%s", p->name);
		cr_assert_eq(fws_bundle_writer_entry(w, name, p->size), 0);
		cr_assert_eq(fws_bundle_writer_data(w, p->data, p->size), 0);
	}
	free(list);
	free(index);
}

/* The whole bundle as bytes (malloc'd). */
static inline uint8_t *test_bundle_build(const struct test_release *rel, size_t *len)
{
	struct fws_envelope *env = calloc(1, sizeof(*env));
	struct fws_manifest *m = calloc(1, sizeof(*m));
	char *body, *json, name[64];
	size_t body_len, json_len;

	m->schema = 1;
	strcpy(m->product, "test-device");
	strcpy(m->version, rel->version);
	m->security_version = rel->security_version;
	strcpy(m->hardware[0], rel->hardware ? rel->hardware : "test-hw");
	m->n_hardware = 1;
	m->created = rel->created ? rel->created : 1767225600;
	if (rel->min_version != NULL)
		strcpy(m->min_version, rel->min_version);
	uint8_t file_key[16];
	struct test_enc_payload enc[4] = {0};
	cr_assert_leq(rel->n_payloads, 4);
	if (rel->to != NULL) {
		randombytes_buf(file_key, sizeof(file_key));
		m->encryption.enabled = 1;
		fws_enc_commitment(file_key, m->encryption.key_commitment);
		for (size_t i = 0; i < rel->n_payloads; i++)
			test_encrypt_payload(file_key, &rel->payloads[i], &enc[i]);
	}
	for (size_t i = 0; i < rel->n_payloads; i++)
		test_write_payload(NULL, &rel->payloads[i], &m->payloads[i],
				   rel->to != NULL ? &enc[i] : NULL);
	m->n_payloads = rel->n_payloads;
	if (rel->sbom != NULL) {
		strcpy(m->sbom_document.name, "sbom.cdx.json");
		strcpy(m->sbom_document.format,
		       rel->sbom_format ? rel->sbom_format : "cyclonedx-1.6");
		m->sbom_document.size = strlen(rel->sbom);
		fws_sha256(rel->sbom, strlen(rel->sbom), m->sbom_document.sha256);
	}
	cr_assert_eq(fws_manifest_encode(m, &body, &body_len), 0);
	cr_assert_eq(fws_envelope_set_body(env, FWS_TYPE_MANIFEST, (uint8_t *)body, body_len), 0);
	for (size_t i = 0; i < rel->n_signers; i++)
		env_sign(env, rel->signers[i]);
	cr_assert_eq(fws_envelope_encode(env, &json, &json_len), 0);

	FILE *tf = tmpfile();
	cr_assert_not_null(tf);
	struct fws_bundle_writer *w;
	cr_assert_eq(fws_bundle_writer_open(&w, fileno(tf), rel->gzip, m->created), 0);
	cr_assert_eq(fws_bundle_writer_entry(w, "manifest.json", json_len), 0);
	cr_assert_eq(fws_bundle_writer_data(w, json, json_len), 0);
	for (size_t i = 0; i < rel->n_roots; i++) {
		size_t rl = strlen(rel->root_json[i]);
		snprintf(name, sizeof(name), "root/%llu.json",
			 (unsigned long long)rel->root_versions[i]);
		cr_assert_eq(fws_bundle_writer_entry(w, name, rl), 0);
		cr_assert_eq(fws_bundle_writer_data(w, rel->root_json[i], rl), 0);
	}
	if (rel->to != NULL)
		cr_assert_eq(fws_recipients_entry_write(w, file_key, rel->to, 1), 0);
	if (rel->sbom != NULL) {
		cr_assert_eq(fws_bundle_writer_entry(w, "sbom/sbom.cdx.json", strlen(rel->sbom)), 0);
		cr_assert_eq(fws_bundle_writer_data(w, rel->sbom, strlen(rel->sbom)), 0);
	}
	for (size_t i = 0; i < rel->n_payloads; i++)
		test_write_payload(w, &rel->payloads[i], NULL, rel->to != NULL ? &enc[i] : NULL);
	cr_assert_eq(fws_bundle_writer_close(w), 0);
	for (size_t i = 0; i < rel->n_payloads; i++) {
		free(enc[i].entry);
		free(enc[i].list);
		free(enc[i].plain_entry);
	}
	uint8_t *data = test_read_back(fileno(tf), len);
	fclose(tf);
	free(body);
	free(json);
	free(env);
	free(m);
	return data;
}

/* A reader over memory that never returns more than `max` bytes and never
 * crosses `split` in one call: exercises every way input can arrive. */
struct mem_reader {
	const uint8_t *data;
	size_t len, pos, max, split;
};

static inline ssize_t mem_read(void *ctx, uint8_t *buf, size_t len)
{
	struct mem_reader *m = ctx;
	size_t n = m->len - m->pos;
	if (n > len)
		n = len;
	if (m->max && n > m->max)
		n = m->max;
	if (m->pos < m->split && m->pos + n > m->split)
		n = m->split - m->pos;
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

#endif
