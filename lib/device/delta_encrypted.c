/* SPDX-License-Identifier: Apache-2.0 */
/* See delta_encrypted.h. Offsets: the real stream's payload j starts at
 * lay[j].data and is the nonce + STREAM; piece k (a signed chunk) covers
 * plaintext [k * cs, (k + 1) * cs) and starts at 0 (k = 0) or at
 * 16 + k * (cs + 16 * cs / 64 KiB); plaintext byte r lies at
 * 16 + (r / 64 KiB) * (64 KiB + 16) + r % 64 KiB. The planner's view puts
 * the same plaintext chunk k at vlay[j].data + k * cs. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/age_internal.h"
#include "device/delta_encrypted.h"
#include "fwseal/error.h"
#include "fwseal/manifest.h"
#include "fwseal/sha256.h"
#include "io/io.h"

struct secrets {
	uint8_t key[32];
	uint8_t nonce[FWS_ENC_NONCE_LEN];
	uint8_t hint_key[32];
};

struct fws_enc_delta {
	struct fws_stream_map map;
	struct fws_delta *planner;
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
	uint64_t cached_k; /* piece in `piece`, UINT64_MAX: none (or scratch) */
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
		if (!p->has_plain_blocks) { /* nothing to plan with: all of it */
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

/* Plaintext byte r of a payload: where its ciphertext lies in the entry. */
static uint64_t cipher_at(uint64_t r)
{
	return FWS_ENC_NONCE_LEN + r / FWS_ENC_CHUNK * (FWS_ENC_CHUNK + FWS_ENC_TAG_LEN) +
	       r % FWS_ENC_CHUNK;
}

/* The planner's check of a chunk it assembled (ADR-087): re-encrypted for
 * its position, it must be the signed ciphertext piece, which is then kept
 * for the verifier. */
static int check_chunk(void *ctx, uint64_t k, const uint8_t *plain, size_t len)
{
	struct fws_enc_delta *e = ctx;
	const struct fws_payload *p = &e->m->payloads[e->ready];
	uint8_t digest[FWS_SHA256_LEN];
	e->cached_k = UINT64_MAX;
	if (k >= e->n || len != fws_enc_piece_plain_len(p->plain_size, p->chunk_size, k) ||
	    fws_enc_piece_encrypt(e->s->key, e->s->nonce, p->plain_size, p->chunk_size, k, plain,
				  e->piece) != 0)
		return 1;
	fws_sha256(e->piece, (size_t)fws_payload_piece_len(p, k), digest);
	if (sodium_memcmp(digest, e->cipher_list + k * FWS_SHA256_LEN, FWS_SHA256_LEN) != 0)
		return 1;
	e->cached_k = k;
	return 0;
}

/* The planner's range fetcher, in its plaintext view: the same bytes'
 * ciphertext from the bundle. A whole chunk is its signed piece (kept for
 * the verifier, decrypted with its tags); a run of blocks inside one is
 * fetched with the tags between its STREAM chunks in one request, and its
 * keystream removed without a tag: the planner re-encrypts the chunk it
 * assembles and check_chunk compares it with the signed digest before the
 * verifier, and then the decrypting sink, see anything of it. */
static int fetch_plain(void *ctx, uint64_t at, uint8_t *out, size_t len)
{
	struct fws_enc_delta *e = ctx;
	if (!e->encrypted)
		return e->fetch(e->read_ctx, at, out, len);
	if (e->ready == SIZE_MAX || at < e->vlay[e->ready].data || len == 0)
		return FWS_EINTERNAL;
	const struct fws_payload *p = &e->m->payloads[e->ready];
	uint64_t base = e->lay[e->ready].data, rel = at - e->vlay[e->ready].data;
	uint64_t k = rel / p->chunk_size;
	if (k >= e->n || rel + len > (k + 1) * (uint64_t)p->chunk_size || rel + len > p->plain_size)
		return FWS_EINTERNAL;
	if (rel % p->chunk_size == 0 &&
	    len == fws_enc_piece_plain_len(p->plain_size, p->chunk_size, k)) {
		int rc = e->fetch(e->read_ctx, base + piece_off(p, k), e->piece,
				  (size_t)fws_payload_piece_len(p, k));
		if (rc != 0)
			return rc;
		e->cached_k = k; /* the verifier judges it */
		if (fws_enc_piece_decrypt(e->s->key, p->plain_size, p->chunk_size, k, e->piece, out) != 0)
			memset(out, 0, len);
		return 0;
	}
	uint64_t c0 = cipher_at(rel), c1 = cipher_at(rel + len - 1) + 1;
	e->cached_k = UINT64_MAX; /* piece is scratch now */
	int rc = e->fetch(e->read_ctx, base + c0, e->piece, (size_t)(c1 - c0));
	for (uint64_t r = rel; rc == 0 && r < rel + len;) {
		uint64_t take = FWS_ENC_CHUNK - r % FWS_ENC_CHUNK;
		if (take > rel + len - r)
			take = rel + len - r;
		rc = fws_enc_stream_xor(e->s->key, p->plain_size, r, e->piece + (cipher_at(r) - c0),
					out + (r - rel), (size_t)take);
		r += take;
	}
	return rc;
}

/* Piece k of the ready payload, from the slots: assembled by the planner
 * as plaintext (check_chunk then holds it re-encrypted, or fetch_plain
 * the piece it fetched instead). Anything else (a planner without a
 * fetcher) is re-encrypted here and must hash to its signed digest, or is
 * fetched whole. */
static int make_piece(struct fws_enc_delta *e, const struct fws_payload *p, uint64_t k)
{
	size_t plen = (size_t)fws_enc_piece_plain_len(p->plain_size, p->chunk_size, k);
	size_t clen = (size_t)fws_payload_piece_len(p, k);
	const struct fws_payload_layout *l = &e->lay[e->ready];
	e->cached_k = UINT64_MAX;
	int rc = e->inner->fill(e->inner->ctx, e->vlay[e->ready].data + k * p->chunk_size, e->plain,
				plen);
	if (rc == 0 && e->cached_k != k && check_chunk(e, k, e->plain, plen) != 0) {
		if (e->fetch == NULL)
			rc = fws_diag_set(FWS_EDIGEST, 0, p->name,
					  "chunk %llu re-encrypted from the slot is not its signed "
					  "ciphertext",
					  (unsigned long long)k);
		else if ((rc = e->fetch(e->read_ctx, l->data + piece_off(p, k), e->piece, clen)) ==
			 0)
			e->refetched++;
	}
	sodium_memzero(e->plain, plen);
	if (rc != 0)
		return rc;
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

struct fws_enc_delta *fws_enc_delta_new(struct fws_delta *planner, fws_range_fetch_fn fetch,
					void *read_ctx)
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
	e->planner = planner;
	e->inner = fws_delta_map(planner);
	e->fetch = fetch;
	e->read_ctx = read_ctx;
	/* The planner fetches in its plaintext view, through us. */
	fws_delta_set_fetch(planner, fetch != NULL ? fetch_plain : NULL, e);
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
		p->has_blocks = 0; /* the view's index is plain/<name> */
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
			const uint8_t hint_key[32], const uint8_t *cipher_list)
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
	memcpy(e->s->hint_key, hint_key, 32);
	fws_delta_set_keyed(e->planner, e->s->hint_key, check_chunk, e);
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
