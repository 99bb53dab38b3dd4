/* SPDX-License-Identifier: Apache-2.0 */
/* Deterministic keys, roots, envelopes and bundles for the self-test and the
 * fuzzers (see fixture.h). Everything is derived from fixed seeds and fixed
 * times, so the same build always produces the same bytes. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwseal/bundle.h"
#include "fwseal/chunks.h"
#include "fwseal/encoding.h"
#include "fwseal/error.h"
#include "fwseal/sha256.h"
#include "selftest/fixture.h"

#define TAR_BLOCK 512u

int fws__fx_key(struct fws_fx_key *k, uint8_t n)
{
	uint8_t seed[32];

	memset(seed, n, sizeof seed);
	if (crypto_sign_seed_keypair(k->pk, k->sk, seed) != 0)
		return FWS_ECRYPTO;
	fws_keyid(k->pk, k->keyid);
	return 0;
}

void fws__fx_root(struct fws_root *r, uint64_t version, const struct fws_fx_key *root_key,
		  const struct fws_fx_key *release_key)
{
	memset(r, 0, sizeof *r);
	r->schema = 1;
	r->version = version;
	r->created = FWS_FX_TIME;
	r->expires = FWS_FX_TIME + FWS_FX_ROOT_LIFETIME;
	memcpy(r->keys[0].keyid, root_key->keyid, 32);
	memcpy(r->keys[0].public_key, root_key->pk, 32);
	r->n_keys = 1;
	if (memcmp(root_key->keyid, release_key->keyid, 32) != 0) {
		memcpy(r->keys[1].keyid, release_key->keyid, 32);
		memcpy(r->keys[1].public_key, release_key->pk, 32);
		r->n_keys = 2;
	}
	memcpy(r->roles[FWS_ROLE_ROOT].keyids[0], root_key->keyid, 32);
	r->roles[FWS_ROLE_ROOT].n_keyids = 1;
	r->roles[FWS_ROLE_ROOT].threshold = 1;
	memcpy(r->roles[FWS_ROLE_RELEASE].keyids[0], release_key->keyid, 32);
	r->roles[FWS_ROLE_RELEASE].n_keyids = 1;
	r->roles[FWS_ROLE_RELEASE].threshold = 1;
}

int fws__fx_sign(struct fws_envelope *env, const struct fws_fx_key *k)
{
	struct fws_signature *s;

	if (env->n_sigs >= FWS_MAX_SIGNATURES)
		return FWS_ELIMIT;
	s = &env->sigs[env->n_sigs];
	memcpy(s->keyid, k->keyid, 32);
	if (crypto_sign_detached(s->sig, NULL, env->pae, env->pae_len, k->sk) != 0)
		return FWS_ECRYPTO;
	env->n_sigs++;
	return 0;
}

int fws__fx_envelope_json(const char *type, const uint8_t *body, size_t body_len,
			  const struct fws_fx_key *keys, size_t n_keys, char **json, size_t *len)
{
	struct fws_envelope *env = calloc(1, sizeof *env);
	int rc = FWS_ENOMEM;

	if (env == NULL)
		return rc;
	rc = fws_envelope_set_body(env, type, body, body_len);
	for (size_t i = 0; rc == 0 && i < n_keys; i++)
		rc = fws__fx_sign(env, &keys[i]);
	if (rc == 0)
		rc = fws_envelope_encode(env, json, len);
	free(env);
	return rc;
}

int fws__fx_root_json(const struct fws_root *r, const struct fws_fx_key *signers, size_t n,
		      char **json, size_t *len)
{
	char *body = NULL;
	size_t body_len;
	int rc = fws_root_encode(r, &body, &body_len);

	if (rc == 0)
		rc = fws__fx_envelope_json(FWS_TYPE_ROOT, (const uint8_t *)body, body_len, signers,
					   n, json, len);
	free(body);
	return rc;
}

/* The chunk list of one payload (32 bytes per chunk), malloc'd. */
static int chunk_list(const struct fws_fx_payload *p, uint8_t **out, size_t *out_len)
{
	uint64_t n;
	int rc = fws_chunk_count(p->size, p->chunk_size, &n);

	if (rc != 0)
		return rc;
	/* A zero-byte payload has no chunks: allocate one byte anyway. */
	*out = malloc((size_t)n * FWS_SHA256_LEN + 1);
	if (*out == NULL)
		return FWS_ENOMEM;
	for (uint64_t i = 0; i < n; i++)
		fws_chunk_digest(p->data + (size_t)i * p->chunk_size,
				 (size_t)fws_chunk_piece_len(p->size, p->chunk_size, i),
				 *out + i * FWS_SHA256_LEN);
	*out_len = (size_t)n * FWS_SHA256_LEN;
	return 0;
}

int fws__fx_manifest(struct fws_manifest *m, const char *version, uint64_t security_version,
		     const struct fws_fx_payload *p, size_t n)
{
	if (n == 0 || n > FWS_MAX_PAYLOADS || strlen(version) > FWS_VERSION_MAX)
		return FWS_EUSAGE;
	memset(m, 0, sizeof *m);
	m->schema = 1;
	strcpy(m->product, "selftest");
	strcpy(m->version, version);
	m->security_version = security_version;
	strcpy(m->hardware[0], FWS_FX_HARDWARE);
	m->n_hardware = 1;
	m->created = FWS_FX_TIME;
	for (size_t i = 0; i < n; i++) {
		struct fws_payload *q = &m->payloads[i];
		uint8_t *list = NULL;
		size_t list_len = 0;
		int rc;

		if (strlen(p[i].name) > FWS_NAME_MAX || strlen(p[i].target) > FWS_NAME_MAX)
			return FWS_EUSAGE;
		strcpy(q->name, p[i].name);
		strcpy(q->target, p[i].target);
		q->size = p[i].size;
		q->chunk_size = p[i].chunk_size;
		rc = chunk_list(&p[i], &list, &list_len);
		if (rc != 0)
			return rc;
		fws_sha256(list, list_len, q->chunks_sha256);
		free(list);
	}
	m->n_payloads = n;
	return 0;
}

int fws__fx_manifest_json(const struct fws_manifest *m, char **json, size_t *len)
{
	return fws_manifest_encode(m, json, len);
}

static int write_entries(struct fws_fx_tar *t, const struct fws_fx_bundle *b)
{
	char name[FWS_NAME_MAX + 32];
	int rc = fws__fx_tar_entry(t, "manifest.json", b->manifest_json, b->manifest_len);

	for (size_t i = 0; rc == 0 && i < b->n_roots; i++) {
		snprintf(name, sizeof name, "root/%llu.json",
			 (unsigned long long)b->root_versions[i]);
		rc = fws__fx_tar_entry(t, name, b->roots[i], b->root_lens[i]);
	}
	if (rc == 0 && b->extra_before != NULL)
		rc = fws__fx_tar_entry(t, b->extra_before, "x", 1);
	for (size_t i = 0; rc == 0 && i < b->n_payloads; i++) {
		const struct fws_fx_payload *p = &b->payloads[i];
		uint8_t *list = NULL;
		size_t list_len = 0;

		rc = chunk_list(p, &list, &list_len);
		if (rc != 0)
			break;
		snprintf(name, sizeof name, "chunks/%s", p->name);
		rc = fws__fx_tar_entry(t, name, list, list_len);
		free(list);
		snprintf(name, sizeof name, "payloads/%s", p->name);
		if (rc == 0)
			rc = fws__fx_tar_entry(t, name, p->data, p->size);
	}
	if (rc == 0 && b->extra_after != NULL)
		rc = fws__fx_tar_entry(t, b->extra_after, "x", 1);
	return rc;
}

/* The archive is built in memory by the fixtures' own writer
 * (fixture_tar.c), never by the release writer: no file, no libarchive. */
int fws__fx_bundle_bytes(const struct fws_fx_bundle *b, uint8_t **out, size_t *out_len)
{
	struct fws_fx_tar t;
	int rc;

	*out = NULL;
	*out_len = 0;
	fws__fx_tar_init(&t, FWS_FX_TIME);
	rc = write_entries(&t, b);
	if (rc == 0)
		rc = fws__fx_tar_finish(&t);
	if (rc == 0 && b->gzip)
		rc = fws__fx_gzip(t.buf, t.len, out, out_len);
	else if (rc == 0) {
		*out = t.buf;
		*out_len = t.len;
		t.buf = NULL;
	}
	fws__fx_tar_free(&t);
	return rc;
}

ssize_t fws__fx_read(void *ctx, uint8_t *buf, size_t len)
{
	struct fws_fx_reader *r = ctx;
	size_t n = r->len - r->pos;

	if (n > len)
		n = len;
	if (r->max_read > 0 && n > r->max_read)
		n = r->max_read;
	memcpy(buf, r->data + r->pos, n);
	r->pos += n;
	return (ssize_t)n;
}

static uint64_t octal(const uint8_t *f, size_t len)
{
	uint64_t v = 0;

	for (size_t i = 0; i < len && f[i] >= '0' && f[i] <= '7'; i++)
		v = (v << 3) | (uint64_t)(f[i] - '0');
	return v;
}

int fws__fx_tar_find(const uint8_t *tar, size_t len, const char *name, size_t *header_off,
		     size_t *data_off, uint64_t *size)
{
	size_t off = 0, name_len = strlen(name);

	/* Only the fixture's own archives: ustar names under 100 bytes, no pax. */
	while (off + TAR_BLOCK <= len && tar[off] != 0) {
		uint64_t sz = octal(tar + off + 124, 12);
		if (name_len < 100 && memcmp(tar + off, name, name_len + 1) == 0) {
			*header_off = off;
			*data_off = off + TAR_BLOCK;
			*size = sz;
			return 0;
		}
		if (sz > len)
			break;
		off += TAR_BLOCK + (size_t)((sz + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK);
	}
	return FWS_ENOENT;
}

void fws__fx_tar_fix_checksum(uint8_t *h)
{
	unsigned sum = 0;

	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}
