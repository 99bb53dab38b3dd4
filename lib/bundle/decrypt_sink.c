/* SPDX-License-Identifier: Apache-2.0 */
/* Verify, then decrypt, then write (ADR-062). The verifier releases a
 * ciphertext piece only after its digest matched the signed chunk list;
 * here it is decrypted (every Poly1305 tag must verify) and only then is
 * plaintext handed to the slot writer. Plaintext exists only in one
 * sodium_malloc buffer (locked, guard pages, wiped on free; made only for
 * an encrypted bundle), never in a
 * file of ours: what the slot writer does with it is the device's. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/age_internal.h"
#include "bundle/decrypt_sink.h"
#include "fwseal/blocks.h"
#include "fwseal/chunks.h"
#include "fwseal/error.h"
#include "fwseal/sha256.h"
#include "io/io.h"

struct secrets {
	uint8_t file_key[FWS_FILE_KEY_LEN];
	uint8_t payload_key[32];
	uint8_t plain[FWS_CHUNK_MAX];
};

struct fws_decrypt_sink {
	struct fws_sink sink;
	const struct fws_sink *inner;
	const struct fws_identity *identity;
	int encrypted; /* this bundle is */
	int have_key;
	struct fws_age_reader *reader;
	uint8_t commitment[32];
	struct secrets *s; /* sodium_malloc */
	/* The plaintext view the inner sink sees. */
	struct fws_verify_result *view;
	const struct fws_payload *cipher_p; /* the payload streaming now */
	struct fws_payload *plain_p;
	uint64_t piece;       /* next piece index */
	uint8_t *plain_list;  /* plaintext digests, for the read-back check */
	/* plain/<name> as it streams (format.md §15.6), then opened. */
	uint8_t *plain_entry;
	uint64_t plain_entry_len;
	uint8_t *plain_opened; /* the payload's nonce + its blocks' keyed hints */
	int have_nonce;
	uint8_t nonce[FWS_ENC_NONCE_LEN];
	struct fws_decrypt_observer observer;
};

static int on_manifest(void *ctx, const struct fws_verify_result *r)
{
	struct fws_decrypt_sink *d = ctx;
	const struct fws_sink *in = d->inner;
	d->encrypted = r->manifest.encryption.enabled;
	if (!d->encrypted)
		return in != NULL && in->manifest_verified != NULL
			       ? in->manifest_verified(in->ctx, r)
			       : 0;
	if (d->identity == NULL)
		return fws_diag_set(FWS_EIDENTITY, 0, NULL,
				    "an encrypted bundle, but no decryption key is configured "
				    "(system.conf [decryption])");
	memcpy(d->commitment, r->manifest.encryption.key_commitment, 32);
	/* The recipients entry comes next: opened before the inner sink is
	 * told anything, so a device that cannot decrypt prepares no slot. */
	*d->view = *r;
	for (size_t i = 0; i < d->view->manifest.n_payloads; i++) {
		struct fws_payload *p = &d->view->manifest.payloads[i];
		p->size = p->plain_size;
		/* plain/<name> is the view's block index (its hints, keyed). */
		p->has_blocks = p->has_plain_blocks;
	}
	/* Locked memory only for a bundle that has secrets: sodium_malloc
	 * maps and locks pages, too slow to pay for every plaintext install. */
	if (d->s == NULL && (d->s = sodium_malloc(sizeof(*d->s))) == NULL)
		return FWS_ENOMEM;
	return fws_age_reader_open(&d->reader, d->identity);
}

static int on_recipients(void *ctx, const uint8_t *data, size_t len)
{
	struct fws_decrypt_sink *d = ctx;
	return d->reader != NULL ? fws_age_reader_data(d->reader, data, len) : 0;
}

static int on_recipients_end(void *ctx, const struct fws_verify_result *r)
{
	struct fws_decrypt_sink *d = ctx;
	const struct fws_sink *in = d->inner;
	uint8_t commit[32];
	int rc;
	if (d->reader == NULL)
		return FWS_EINTERNAL;
	rc = fws_age_reader_finish(d->reader, d->s->file_key);
	fws_age_reader_close(d->reader);
	d->reader = NULL;
	if (rc != 0)
		return rc;
	fws_enc_commitment(d->s->file_key, commit);
	if (sodium_memcmp(commit, d->commitment, 32) != 0) {
		sodium_memzero(d->s->file_key, FWS_FILE_KEY_LEN);
		return fws_diag_set(FWS_EKEYCOMMIT, 0, "recipients",
				    "it opens to a key the signed manifest does not commit to");
	}
	d->have_key = 1;
	d->view->recipient_stanzas = r->recipient_stanzas;
	return in != NULL && in->manifest_verified != NULL ? in->manifest_verified(in->ctx, d->view)
							   : 0;
}

static struct fws_payload *plain_of(struct fws_decrypt_sink *d, const struct fws_payload *p)
{
	for (size_t i = 0; i < d->view->manifest.n_payloads; i++)
		if (strcmp(d->view->manifest.payloads[i].name, p->name) == 0)
			return &d->view->manifest.payloads[i];
	return NULL;
}

static int on_begin(void *ctx, const struct fws_payload *p)
{
	struct fws_decrypt_sink *d = ctx;
	const struct fws_sink *in = d->inner;
	uint64_t n;
	if (!d->encrypted)
		return in != NULL && in->payload_begin != NULL ? in->payload_begin(in->ctx, p) : 0;
	if (!d->have_key || (d->plain_p = plain_of(d, p)) == NULL)
		return FWS_EINTERNAL;
	int rc = fws_payload_chunk_count(p, &n);
	if (rc != 0)
		return rc;
	free(d->plain_list);
	if ((d->plain_list = malloc(n * FWS_SHA256_LEN + 1)) == NULL)
		return FWS_ENOMEM;
	d->cipher_p = p;
	d->piece = 0;
	return in != NULL && in->payload_begin != NULL ? in->payload_begin(in->ctx, d->plain_p) : 0;
}

/* One whole ciphertext piece whose digest already matched (the verifier
 * releases pieces whole and in order). */
static int on_write(void *ctx, const uint8_t *data, size_t len)
{
	struct fws_decrypt_sink *d = ctx;
	const struct fws_sink *in = d->inner;
	const struct fws_payload *p = d->cipher_p;
	int rc;
	if (!d->encrypted)
		return in != NULL && in->payload_write != NULL ? in->payload_write(in->ctx, data, len)
							       : 0;
	if (p == NULL || len != fws_payload_piece_len(p, d->piece))
		return FWS_EINTERNAL;
	/* The nonce the plaintext list named (and a delta re-encrypted with)
	 * must be the payload's own. */
	if (d->piece == 0 && d->have_nonce && sodium_memcmp(data, d->nonce, FWS_ENC_NONCE_LEN) != 0)
		return fws_diag_set(FWS_EDECRYPT, 0, p->name,
				    "its nonce is not the one its block index names");
	if (d->piece == 0)
		fws_enc_payload_key(d->s->file_key, data, d->s->payload_key);
	size_t plain_len = (size_t)fws_enc_piece_plain_len(p->plain_size, p->chunk_size, d->piece);
	rc = fws_enc_piece_decrypt(d->s->payload_key, p->plain_size, p->chunk_size, d->piece, data,
				   d->s->plain);
	if (rc != 0)
		return fws_diag_set(rc, 0, p->name,
				    "chunk %llu matched its signed digest but does not decrypt "
				    "(the release was encrypted wrongly)",
				    (unsigned long long)d->piece);
	fws_chunk_digest(d->s->plain, plain_len, d->plain_list + d->piece * FWS_SHA256_LEN);
	d->piece++;
	if (in != NULL && in->payload_write != NULL && plain_len > 0)
		rc = in->payload_write(in->ctx, d->s->plain, plain_len);
	sodium_memzero(d->s->plain, plain_len);
	return rc;
}

static int on_end(void *ctx, const struct fws_payload *p)
{
	struct fws_decrypt_sink *d = ctx;
	const struct fws_sink *in = d->inner;
	if (d->encrypted) {
		sodium_memzero(d->s->payload_key, sizeof(d->s->payload_key));
		p = d->plain_p;
	}
	return in != NULL && in->payload_end != NULL ? in->payload_end(in->ctx, p) : 0;
}

static int on_check(void *ctx, const struct fws_payload *p, const uint8_t *list)
{
	struct fws_decrypt_sink *d = ctx;
	const struct fws_sink *in = d->inner;
	if (in == NULL || in->payload_check == NULL)
		return 0;
	/* The slot holds plaintext: it is checked against the digests of what
	 * authenticated decryption produced from verified ciphertext. */
	if (d->encrypted)
		return in->payload_check(in->ctx, d->plain_p, d->plain_list);
	return in->payload_check(in->ctx, p, list);
}

static int on_plain_blocks(void *ctx, const struct fws_payload *p, size_t index, uint64_t at,
			   const uint8_t *data, size_t len)
{
	struct fws_decrypt_sink *d = ctx;
	(void)index;
	if (!d->encrypted || !d->have_key)
		return FWS_EINTERNAL;
	if (at == 0) {
		int rc = fws_enc_plain_entry_size(p, &d->plain_entry_len);
		if (rc != 0)
			return rc;
		free(d->plain_entry);
		if ((d->plain_entry = malloc(d->plain_entry_len + 1)) == NULL)
			return FWS_ENOMEM;
	}
	/* The verifier checked the entry's size against the signed geometry. */
	if (d->plain_entry == NULL || at + len > d->plain_entry_len)
		return FWS_EINTERNAL;
	memcpy(d->plain_entry + at, data, len);
	return 0;
}

/* The hints of plain/<name> as the planner's 8-byte index entries (the
 * keyed 6 bytes, then two zeros), in slices of bounded size. */
static int feed_hints(const struct fws_sink *in, const struct fws_payload *pp, size_t index,
		      const uint8_t *hints, uint64_t m)
{
	uint8_t slice[512 * FWS_BLOCK_HASH_LEN];
	int rc = 0;
	for (uint64_t at = 0; at < m && rc == 0;) {
		uint64_t take = m - at < 512 ? m - at : 512;
		memset(slice, 0, sizeof(slice));
		for (uint64_t i = 0; i < take; i++)
			memcpy(slice + i * FWS_BLOCK_HASH_LEN, hints + (at + i) * FWS_ENC_HINT_LEN,
			       FWS_ENC_HINT_LEN);
		rc = in->block_index_data(in->ctx, pp, index, at * FWS_BLOCK_HASH_LEN, slice,
					  (size_t)take * FWS_BLOCK_HASH_LEN);
		at += take;
	}
	return rc;
}

/* Its digest matched: open it, keep the payload's nonce, and give the
 * inner sink (a delta planner) the keyed block index and the keys that
 * make its hints and check its chunks (ADR-087). */
static int open_plain_blocks(struct fws_decrypt_sink *d, const struct fws_payload *p,
			     size_t index, const uint8_t *cipher_list)
{
	const struct fws_sink *in = d->inner;
	struct fws_payload *pp = plain_of(d, p);
	uint64_t m = fws_block_count(p->plain_size);
	size_t len = FWS_ENC_PLAIN_HEAD + (size_t)m * FWS_ENC_HINT_LEN;
	uint8_t hint_key[32];
	int rc;
	if (pp == NULL || d->plain_entry == NULL || m > FWS_ENC_HINT_BLOCKS_MAX)
		return FWS_EINTERNAL;
	free(d->plain_opened);
	if ((d->plain_opened = malloc(len)) == NULL)
		return FWS_ENOMEM;
	rc = fws_enc_plain_entry_open(d->s->file_key, d->plain_entry, (size_t)d->plain_entry_len,
				      d->plain_opened, len);
	free(d->plain_entry); /* held only until it is open */
	d->plain_entry = NULL;
	if (rc != 0)
		return fws_diag_set(FWS_EDECRYPT, 0, p->name,
				    "its signed block index (plain/%s) does not decrypt", p->name);
	memcpy(d->nonce, d->plain_opened, FWS_ENC_NONCE_LEN);
	d->have_nonce = 1;
	fws_enc_payload_key(d->s->file_key, d->nonce, d->s->payload_key);
	fws_enc_hint_key(d->s->file_key, d->nonce, hint_key);
	if (d->observer.payload_ready != NULL)
		rc = d->observer.payload_ready(d->observer.ctx, index, p, d->s->payload_key, d->nonce,
					       hint_key, cipher_list);
	sodium_memzero(hint_key, sizeof(hint_key));
	if (rc == 0 && in != NULL && in->block_index_data != NULL)
		rc = feed_hints(in, pp, index, d->plain_opened + FWS_ENC_PLAIN_HEAD, m);
	/* No plaintext chunk digests: the planner checks what it assembles by
	 * re-encrypting it against the signed ciphertext list. */
	if (rc == 0 && in != NULL && in->chunk_list_verified != NULL)
		rc = in->chunk_list_verified(in->ctx, pp, index, NULL);
	free(d->plain_opened);
	d->plain_opened = NULL;
	return rc;
}

static int on_chunk_list(void *ctx, const struct fws_payload *p, size_t index,
			 const uint8_t *list)
{
	struct fws_decrypt_sink *d = ctx;
	const struct fws_sink *in = d->inner;
	d->have_nonce = 0;
	/* Ciphertext digests say nothing about what a slot holds; the signed
	 * keyed block index, when the bundle has one, does. */
	if (d->encrypted && p->has_plain_blocks)
		return open_plain_blocks(d, p, index, list);
	if (d->encrypted || in == NULL || in->chunk_list_verified == NULL)
		return 0;
	return in->chunk_list_verified(in->ctx, p, index, list);
}

static int on_block_index(void *ctx, const struct fws_payload *p, size_t index, uint64_t at,
			  const uint8_t *data, size_t len)
{
	struct fws_decrypt_sink *d = ctx;
	const struct fws_sink *in = d->inner;
	if (d->encrypted || in == NULL || in->block_index_data == NULL)
		return 0;
	return in->block_index_data(in->ctx, p, index, at, data, len);
}

static int on_sbom(void *ctx, const uint8_t *data, size_t len)
{
	struct fws_decrypt_sink *d = ctx;
	const struct fws_sink *in = d->inner;
	return in != NULL && in->sbom_write != NULL ? in->sbom_write(in->ctx, data, len) : 0;
}

static int on_sbom_verified(void *ctx, const struct fws_sbom_ref *s)
{
	struct fws_decrypt_sink *d = ctx;
	const struct fws_sink *in = d->inner;
	return in != NULL && in->sbom_verified != NULL ? in->sbom_verified(in->ctx, s) : 0;
}

int fws_decrypt_sink_new(const struct fws_identity *identity, const struct fws_sink *inner,
			 struct fws_decrypt_sink **out)
{
	struct fws_decrypt_sink *d = calloc(1, sizeof(*d));
	*out = NULL;
	if (d == NULL)
		return FWS_ENOMEM;
	d->view = calloc(1, sizeof(*d->view));
	if (d->view == NULL) {
		fws_decrypt_sink_free(d);
		return FWS_ENOMEM;
	}
	d->identity = identity;
	d->inner = inner;
	d->sink = (struct fws_sink){.ctx = d,
				    .payload_begin = on_begin,
				    .payload_write = on_write,
				    .payload_end = on_end,
				    .manifest_verified = on_manifest,
				    .payload_check = on_check,
				    .chunk_list_verified = on_chunk_list,
				    .sbom_write = on_sbom,
				    .sbom_verified = on_sbom_verified,
				    .block_index_data = on_block_index,
				    .recipients_data = on_recipients,
				    .recipients_end = on_recipients_end,
				    .plain_blocks_data = on_plain_blocks};
	*out = d;
	return 0;
}

const struct fws_sink *fws_decrypt_sink_sink(struct fws_decrypt_sink *d)
{
	return &d->sink;
}

int fws_decrypt_sink_file_key(const struct fws_decrypt_sink *d, uint8_t file_key[FWS_FILE_KEY_LEN])
{
	if (d == NULL || !d->have_key)
		return FWS_ENOTRECIPIENT;
	memcpy(file_key, d->s->file_key, FWS_FILE_KEY_LEN);
	return 0;
}

void fws_decrypt_sink_free(struct fws_decrypt_sink *d)
{
	if (d == NULL)
		return;
	fws_age_reader_close(d->reader);
	if (d->s != NULL)
		sodium_free(d->s);
	free(d->view);
	free(d->plain_list);
	free(d->plain_entry);
	free(d->plain_opened);
	free(d);
}

void fws_decrypt_sink_observe(struct fws_decrypt_sink *d, const struct fws_decrypt_observer *o)
{
	if (d != NULL)
		d->observer = o != NULL ? *o : (struct fws_decrypt_observer){0};
}
