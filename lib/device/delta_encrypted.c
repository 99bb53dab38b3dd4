/* SPDX-License-Identifier: Apache-2.0 */
/* See delta_encrypted.h. Offsets: the real stream's payload j starts at
 * lay[j].data and is the nonce + STREAM; piece k (a signed chunk) covers
 * plaintext [k * cs, (k + 1) * cs) and starts at 0 (k = 0) or at
 * 16 + k * (cs + 16 * cs / 64 KiB). The planner's view puts the same
 * plaintext chunk k at vlay[j].data + k * cs. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "device/delta_encrypted.h"
#include "fwseal/error.h"
#include "fwseal/manifest.h"
#include "fwseal/sha256.h"
#include "io/io.h"

struct secrets {
	uint8_t key[32];
	uint8_t nonce[FWS_ENC_NONCE_LEN];
};

struct fws_enc_delta {
	struct fws_stream_map map;
	const struct fws_stream_map *inner;
	fws_range_fetch_fn fetch;
	void *read_ctx;
	int encrypted, known, compressed;
	struct fws_manifest *m; /* the real geometry (ciphertext sizes) */
	struct fws_payload_layout lay[FWS_MAX_PAYLOADS], vlay[FWS_MAX_PAYLOADS];
	size_t ready; /* the payload whose keys are known; SIZE_MAX: none */
	struct secrets *s;
	uint8_t *cipher_list;
	uint64_t n;
	uint64_t cached_k; /* piece in `piece`, UINT64_MAX: none */
	uint8_t *piece, *plain;
	size_t piece_cap;
	uint64_t refetched;
};

static uint64_t piece_off(const struct fws_payload *p, uint64_t k)
{
	uint64_t full = p->chunk_size + FWS_ENC_TAG_LEN * (p->chunk_size / FWS_ENC_CHUNK);
	return k == 0 ? 0 : FWS_ENC_NONCE_LEN + k * full;
}

static uint64_t piece_of(const struct fws_payload *p, uint64_t n, uint64_t rel)
{
	uint64_t full = p->chunk_size + FWS_ENC_TAG_LEN * (p->chunk_size / FWS_ENC_CHUNK);
	if (rel < FWS_ENC_NONCE_LEN + full || n <= 1)
		return 0;
	uint64_t k = (rel - FWS_ENC_NONCE_LEN) / full;
	return k < n ? k : n - 1;
}

static enum fws_map_kind lookup(void *ctx, uint64_t at, uint64_t *len)
{
	struct fws_enc_delta *e = ctx;
	if (!e->encrypted)
		return e->inner->lookup(e->inner->ctx, at, len);
	if (!e->known)
		return FWS_MAP_UNKNOWN;
	*len = UINT64_MAX;
	if (e->compressed)
		return FWS_MAP_FETCH;
	for (size_t j = 0; j < e->m->n_payloads; j++) {
		const struct fws_payload *p = &e->m->payloads[j];
		const struct fws_payload_layout *l = &e->lay[j];
		uint64_t next = j + 1 < e->m->n_payloads ? e->lay[j + 1].data : UINT64_MAX;
		if (at < l->data) {
			*len = l->data - at;
			return FWS_MAP_FETCH;
		}
		if (at >= l->data + p->size)
			continue;
		if (!p->has_plain_chunks) { /* nothing to plan with: all of it */
			*len = next == UINT64_MAX ? UINT64_MAX : next - at;
			return FWS_MAP_FETCH;
		}
		if (e->ready != j)
			return FWS_MAP_UNKNOWN;
		uint64_t k = piece_of(p, e->n, at - l->data), vlen;
		enum fws_map_kind kind =
		    e->inner->lookup(e->inner->ctx, e->vlay[j].data + k * p->chunk_size, &vlen);
		if (kind == FWS_MAP_LOCAL) {
			*len = l->data + piece_off(p, k) + fws_payload_piece_len(p, k) - at;
			return FWS_MAP_LOCAL;
		}
		if (kind != FWS_MAP_FETCH)
			return kind;
		/* Fetch on to the next piece the slots hold (where the planner's
		 * own fetch run ends), or past the payload. */
		uint64_t v = e->vlay[j].data + k * p->chunk_size, e_k = e->n;
		if (vlen != UINT64_MAX && v + vlen < e->vlay[j].data + p->plain_size)
			e_k = (v + vlen - e->vlay[j].data) / p->chunk_size;
		if (e_k <= k)
			e_k = k + 1;
		uint64_t end = e_k < e->n ? l->data + piece_off(p, e_k) : next;
		*len = end == UINT64_MAX ? UINT64_MAX : end - at;
		return FWS_MAP_FETCH;
	}
	return FWS_MAP_FETCH;
}

/* Piece k of the ready payload, from the slots: read as plaintext,
 * re-encrypted for its position, checked against its signed digest; a
 * mismatch (a slot changed, a lying list) costs a fetch of that piece. */
static int make_piece(struct fws_enc_delta *e, const struct fws_payload *p, uint64_t k)
{
	size_t plen = (size_t)fws_enc_piece_plain_len(p->plain_size, p->chunk_size, k);
	size_t clen = (size_t)fws_payload_piece_len(p, k);
	uint8_t digest[FWS_SHA256_LEN];
	const struct fws_payload_layout *l = &e->lay[e->ready];
	int rc = e->inner->fill(e->inner->ctx, e->vlay[e->ready].data + k * p->chunk_size, e->plain,
				plen);
	if (rc == 0)
		rc = fws_enc_piece_encrypt(e->s->key, e->s->nonce, p->plain_size, p->chunk_size, k,
					   e->plain, e->piece);
	sodium_memzero(e->plain, plen);
	if (rc != 0)
		return rc;
	fws_sha256(e->piece, clen, digest);
	if (memcmp(digest, e->cipher_list + k * FWS_SHA256_LEN, FWS_SHA256_LEN) != 0) {
		if (e->fetch == NULL)
			return fws_diag_set(FWS_EDIGEST, 0, p->name,
					    "chunk %llu re-encrypted from the slot is not its signed "
					    "ciphertext",
					    (unsigned long long)k);
		rc = e->fetch(e->read_ctx, l->data + piece_off(p, k), e->piece, clen);
		if (rc != 0)
			return rc;
		e->refetched++;
	}
	e->cached_k = k;
	return 0;
}

static int fill(void *ctx, uint64_t at, uint8_t *out, size_t len)
{
	struct fws_enc_delta *e = ctx;
	if (!e->encrypted)
		return e->inner->fill(e->inner->ctx, at, out, len);
	if (e->ready == SIZE_MAX)
		return FWS_EINTERNAL;
	const struct fws_payload *p = &e->m->payloads[e->ready];
	const struct fws_payload_layout *l = &e->lay[e->ready];
	while (len > 0) {
		if (at < l->data || at >= l->data + p->size)
			return FWS_EINTERNAL;
		uint64_t rel = at - l->data, k = piece_of(p, e->n, rel);
		if (e->cached_k != k) {
			int rc = make_piece(e, p, k);
			if (rc != 0)
				return rc;
		}
		uint64_t inner = rel - piece_off(p, k), left = fws_payload_piece_len(p, k) - inner;
		size_t take = len < left ? len : (size_t)left;
		memcpy(out, e->piece + inner, take);
		out += take;
		at += take;
		len -= take;
	}
	return 0;
}

struct fws_enc_delta *fws_enc_delta_new(const struct fws_stream_map *inner,
					fws_range_fetch_fn fetch, void *read_ctx)
{
	struct fws_enc_delta *e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->s = sodium_malloc(sizeof(*e->s));
	e->m = calloc(1, sizeof(*e->m));
	if (e->s == NULL || e->m == NULL) {
		fws_enc_delta_free(e);
		return NULL;
	}
	e->inner = inner;
	e->fetch = fetch;
	e->read_ctx = read_ctx;
	e->ready = SIZE_MAX;
	e->cached_k = UINT64_MAX;
	e->map = (struct fws_stream_map){e, lookup, fill};
	return e;
}

const struct fws_stream_map *fws_enc_delta_map(struct fws_enc_delta *e)
{
	return &e->map;
}

int fws_enc_delta_start(struct fws_enc_delta *e, const struct fws_verify_result *view)
{
	*e->m = view->manifest;
	e->compressed = view->compressed;
	/* The real sizes follow from the signed plaintext sizes. */
	for (size_t j = 0; j < e->m->n_payloads; j++) {
		struct fws_payload *p = &e->m->payloads[j];
		int rc = fws_enc_entry_size(p->plain_size, &p->size);
		if (rc == 0)
			rc = fws_bundle_layout(e->m, view->payloads_offset, j, &e->lay[j]);
		if (rc == 0)
			rc = fws_bundle_layout(&view->manifest, view->payloads_offset, j, &e->vlay[j]);
		if (rc != 0)
			e->compressed = 1; /* no plan: fetch everything */
	}
	e->encrypted = 1;
	e->known = 1;
	return 0;
}

int fws_enc_delta_ready(struct fws_enc_delta *e, size_t index, const struct fws_payload *p,
			const uint8_t key[32], const uint8_t nonce[FWS_ENC_NONCE_LEN],
			const uint8_t *cipher_list)
{
	uint64_t n;
	int rc = fws_payload_chunk_count(p, &n);
	if (rc != 0)
		return rc;
	size_t need = (size_t)fws_payload_piece_len(p, 0);
	free(e->cipher_list);
	e->cipher_list = malloc(n * FWS_SHA256_LEN + 1);
	if (e->cipher_list == NULL)
		return FWS_ENOMEM;
	memcpy(e->cipher_list, cipher_list, n * FWS_SHA256_LEN);
	if (need > e->piece_cap) {
		free(e->piece);
		if (e->plain != NULL)
			sodium_free(e->plain);
		e->piece = malloc(need);
		e->plain = sodium_malloc(p->chunk_size);
		e->piece_cap = e->piece != NULL && e->plain != NULL ? need : 0;
		if (e->piece_cap == 0)
			return FWS_ENOMEM;
	}
	memcpy(e->s->key, key, 32);
	memcpy(e->s->nonce, nonce, FWS_ENC_NONCE_LEN);
	e->n = n;
	e->ready = index;
	e->cached_k = UINT64_MAX;
	return 0;
}

uint64_t fws_enc_delta_refetched(const struct fws_enc_delta *e)
{
	return e != NULL ? e->refetched : 0;
}

void fws_enc_delta_free(struct fws_enc_delta *e)
{
	if (e == NULL)
		return;
	if (e->s != NULL)
		sodium_free(e->s);
	if (e->plain != NULL)
		sodium_free(e->plain);
	free(e->piece);
	free(e->cipher_list);
	free(e->m);
	free(e);
}
