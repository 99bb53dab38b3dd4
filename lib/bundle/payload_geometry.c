/* SPDX-License-Identifier: Apache-2.0 */
/* Where a payload entry's signed pieces lie: the plaintext rule of
 * lib/core/chunks.c, or for an encrypted payload whole STREAM chunks
 * (format.md §15.5). Every loop over pieces asks here, so the two rules
 * cannot drift apart between the verifier, the pool and the delta reader. */
#include <sodium.h>
#include <string.h>

#include "fwseal/blocks.h"
#include "fwseal/chunks.h"
#include "fwseal/limits.h"
#include "fwseal/encrypt.h"
#include "fwseal/error.h"
#include "fwseal/manifest.h"
#include "fwseal/sha256.h"

int fws_payload_chunk_count(const struct fws_payload *p, uint64_t *n)
{
	return p->encrypted ? fws_enc_chunk_count(p->plain_size, p->chunk_size, n)
			    : fws_chunk_count(p->size, p->chunk_size, n);
}

uint64_t fws_payload_piece_len(const struct fws_payload *p, uint64_t k)
{
	return p->encrypted ? fws_enc_piece_len(p->plain_size, p->chunk_size, k)
			    : fws_chunk_piece_len(p->size, p->chunk_size, k);
}

int fws_payload_list_check(const struct fws_payload *p, const uint8_t *list, size_t len)
{
	uint8_t digest[FWS_SHA256_LEN];
	uint64_t n;
	int rc;
	if (!p->encrypted)
		return fws_chunk_list_check(list, len, p->size, p->chunk_size, p->chunks_sha256);
	rc = fws_payload_chunk_count(p, &n);
	if (rc != 0)
		return rc;
	if (len != n * FWS_SHA256_LEN)
		return FWS_ESIZE;
	fws_sha256(list, len, digest);
	return memcmp(digest, p->chunks_sha256, sizeof(digest)) == 0 ? 0 : FWS_EDIGEST;
}

int fws_payload_piece_check(const struct fws_payload *p, const uint8_t *list, uint64_t k,
			    const uint8_t *data, size_t len)
{
	uint8_t digest[FWS_SHA256_LEN];
	uint64_t n;
	if (!p->encrypted)
		return fws_chunk_check(list, p->size, p->chunk_size, k, data, len);
	if (fws_payload_chunk_count(p, &n) != 0 || k >= n ||
	    len != fws_payload_piece_len(p, k))
		return FWS_ESIZE;
	fws_chunk_digest(data, len, digest);
	return memcmp(digest, list + k * FWS_SHA256_LEN, sizeof(digest)) == 0 ? 0 : FWS_EDIGEST;
}

int fws_enc_plain_entry_size(const struct fws_payload *p, uint64_t *out)
{
	uint64_t m = fws_block_count(p->plain_size);
	if (m > FWS_ENC_HINT_BLOCKS_MAX)
		return FWS_ELIMIT;
	return fws_enc_entry_size(FWS_ENC_PLAIN_HEAD + m * FWS_ENC_HINT_LEN, out);
}

/* An age payload in age's own 64 KiB STREAM chunks, so that recipients ||
 * plain/<name> is an age file whatever its size: sealed and opened as the
 * pieces of a payload whose signed chunks are 64 KiB. */
static int plain_entry_crypt(const uint8_t file_key[FWS_FILE_KEY_LEN], int seal,
			     const uint8_t *in, size_t plain_len, uint8_t *plain, uint8_t *entry)
{
	uint8_t key[32];
	uint64_t n, at = 0;
	int rc = fws_enc_chunk_count(plain_len, FWS_ENC_CHUNK, &n);
	if (seal)
		randombytes_buf(entry, FWS_ENC_NONCE_LEN);
	fws_enc_payload_key(file_key, entry, key);
	for (uint64_t k = 0; k < n && rc == 0; k++) {
		uint64_t off = k * FWS_ENC_CHUNK;
		if (seal)
			rc = fws_enc_piece_encrypt(key, entry, plain_len, FWS_ENC_CHUNK, k, in + off,
						   entry + at);
		else
			rc = fws_enc_piece_decrypt(key, plain_len, FWS_ENC_CHUNK, k, entry + at,
						   plain + off);
		at += fws_enc_piece_len(plain_len, FWS_ENC_CHUNK, k);
	}
	sodium_memzero(key, sizeof(key));
	return rc;
}

int fws_enc_plain_entry_seal(const uint8_t file_key[FWS_FILE_KEY_LEN], const uint8_t *plain,
			     size_t plain_len, uint8_t *out)
{
	return plain_entry_crypt(file_key, 1, plain, plain_len, NULL, out);
}

int fws_enc_plain_entry_open(const uint8_t file_key[FWS_FILE_KEY_LEN], const uint8_t *entry,
			     size_t entry_len, uint8_t *plain, size_t plain_len)
{
	uint64_t want;
	if (fws_enc_entry_size(plain_len, &want) != 0 || want != entry_len)
		return FWS_ESIZE;
	return plain_entry_crypt(file_key, 0, NULL, plain_len, plain, (uint8_t *)entry);
}
