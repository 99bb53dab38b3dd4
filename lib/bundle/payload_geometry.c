/* SPDX-License-Identifier: Apache-2.0 */
/* Where a payload entry's signed pieces lie: the plaintext rule of
 * lib/core/chunks.c, or for an encrypted payload whole STREAM chunks
 * (format.md §15.5). Every loop over pieces asks here, so the two rules
 * cannot drift apart between the verifier, the pool and the delta reader. */
#include <string.h>

#include "fwseal/chunks.h"
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
